#include "daemon/base/result.h"
#include "daemon/base/status.h"

#include <catch2/catch.hpp>

namespace earshot {
namespace {

Result<int> Half(int x) {
  if (x % 2 != 0) return Status::InvalidArgument(fmt::format("{} is odd", x));
  return x / 2;
}

Status Quarter(int x, int* out) {
  EARSHOT_ASSIGN_OR_RETURN(int h, Half(x));
  EARSHOT_ASSIGN_OR_RETURN(*out, Half(h));
  return Status::Ok();
}

TEST_CASE("Status: ok and errors carry code and message", "[base]") {
  CHECK(Status::Ok().ok());
  CHECK(Status::Ok().ToString() == "OK");
  Status s = Status::Unavailable("mastodon.social: connection refused");
  CHECK_FALSE(s.ok());
  CHECK(s.code() == Status::Code::kUnavailable);
  CHECK(s.ToString() == "UNAVAILABLE: mastodon.social: connection refused");
  CHECK(s.Annotate("source 'airline'").message() ==
        "source 'airline': mastodon.social: connection refused");
  CHECK(fmt::format("{}", s) == "mastodon.social: connection refused");
}

TEST_CASE("Result: value or status, and the propagation macros", "[base]") {
  int out = 0;
  CHECK(Quarter(8, &out).ok());
  CHECK(out == 2);
  Status s = Quarter(6, &out);
  CHECK(s.code() == Status::Code::kInvalidArgument);
  CHECK(s.message() == "3 is odd");
  Result<int> r = Half(3);
  CHECK_FALSE(r.ok());
  CHECK(r.status().message() == "3 is odd");
}

}  // namespace
}  // namespace earshot
