// Status: the result of an operation that returns no value. It is either ok, or a code plus a
// message that names its subject first and then the fix ("mastodon source 'airline': HTTP 401
// from mastodon.social: token rejected; replace the file named by token_file").
//
// Shaped after LevelDB's Status, with absl's code names. Cheap to copy when ok. Thread-compatible.
#pragma once

#include <fmt/format.h>

#include <string>
#include <string_view>
#include <utility>

namespace earshot {

class [[nodiscard]] Status {
 public:
  enum class Code {
    kOk,
    kInvalidArgument,   // bad input: a config value, a rule, a malformed body
    kNotFound,          // a file, a record, a key
    kUnavailable,       // transient: network down, 5xx, sink unreachable; retry later
    kResourceExhausted, // 429, a full queue, a full disk, a memory budget
    kPermissionDenied,  // 401/403, a file mode
    kDataLoss,          // a truncated body, a corrupt database page
    kDeadlineExceeded,  // a timeout
    kCancelled,         // the stop token fired
    kAborted,           // a compare-and-set lost: another writer moved the record first
    kInternal,          // a broken invariant
  };

  Status() = default;  // ok
  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string msg) { return {Code::kInvalidArgument, std::move(msg)}; }
  static Status NotFound(std::string msg) { return {Code::kNotFound, std::move(msg)}; }
  static Status Unavailable(std::string msg) { return {Code::kUnavailable, std::move(msg)}; }
  static Status ResourceExhausted(std::string msg) {
    return {Code::kResourceExhausted, std::move(msg)};
  }
  static Status PermissionDenied(std::string msg) {
    return {Code::kPermissionDenied, std::move(msg)};
  }
  static Status DataLoss(std::string msg) { return {Code::kDataLoss, std::move(msg)}; }
  static Status DeadlineExceeded(std::string msg) {
    return {Code::kDeadlineExceeded, std::move(msg)};
  }
  static Status Cancelled(std::string msg = "cancelled") {
    return {Code::kCancelled, std::move(msg)};
  }
  static Status Aborted(std::string msg) { return {Code::kAborted, std::move(msg)}; }
  static Status Internal(std::string msg) { return {Code::kInternal, std::move(msg)}; }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }

  // "UNAVAILABLE: <message>", or "OK".
  std::string ToString() const;

  // Returns a copy whose message is "<context>: <message>", keeping the code.
  Status Annotate(std::string_view context) const;

 private:
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  Code code_ = Code::kOk;
  std::string message_;
};

std::string_view CodeName(Status::Code code);

}  // namespace earshot

template <>
struct fmt::formatter<earshot::Status> : fmt::formatter<std::string_view> {
  template <class FormatContext>
  auto format(const earshot::Status& s, FormatContext& ctx) const {
    return fmt::formatter<std::string_view>::format(s.ok() ? std::string_view("OK") : std::string_view(s.message()), ctx);
  }
};

// Returns early from the enclosing function when `expr` is a non-ok Status.
#define EARSHOT_RETURN_IF_ERROR(expr)          \
  do {                                         \
    ::earshot::Status earshot_status_ = (expr); \
    if (!earshot_status_.ok()) return earshot_status_; \
  } while (0)
