// `earshot silence add|list|expire` against a real state store: what each prints and exits with,
// and how the silences file's entries are listed beside the store's and refused by expire. (How
// the escalator mutes by them: tests/escalator/silence_test.cc and silence_file_test.cc.)
#include "daemon/cli/silence_command.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "daemon/config/diagnostics.h"
#include "daemon/escalator/silence_file.h"
#include "daemon/state/state_store.h"
#include "tests/escalator/escalator_fixture.h"
#include "tests/escalator/example_files.h"

namespace earshot {
namespace {

using namespace testing;  // NOLINT
using std::chrono::hours;

TEST_CASE("Silence command: add, list, expire", "[cli]") {
  TempDir dir;
  auto store = StateStore::Open(dir.File("state.db"));
  REQUIRE(store.ok());
  ManualClock clock(kStart);
  std::ostringstream out, err;
  auto run = [&](std::vector<std::string> args) {
    out.str("");
    err.str("");
    return RunSilenceOnStore(args, **store, clock, out, err);
  };
  REQUIRE(run({"add", "brand=acmeair", "severity=~low|medium", "--for", "2h", "--comment",
               "storm handled by PR", "--by", "ops"}) == 0);
  CHECK(out.str() == "sil-1 silences brand=\"acmeair\",severity=~\"low|medium\" until "
                     "2026-11-18T13:06:40.000Z\n");
  REQUIRE(run({"list"}) == 0);
  CHECK(out.str() == "sil-1  brand=\"acmeair\",severity=~\"low|medium\"  active until "
                     "2026-11-18T13:06:40.000Z  by ops  # storm handled by PR\n");
  REQUIRE(run({"expire", "sil-1"}) == 0);
  CHECK(out.str() == "expired sil-1\n");
  REQUIRE(run({"list"}) == 0);
  CHECK(out.str() == "no active silences\n");
  REQUIRE(run({"list", "--all"}) == 0);
  CHECK_THAT(out.str(), Catch::Contains("sil-1  brand=\"acmeair\""));
  CHECK_THAT(out.str(), Catch::Contains("expired until"));

  struct Bad {
    std::vector<std::string> args;
    int code;
    const char* message;
  };
  for (const Bad& b : {Bad{{}, 2, "missing subcommand"},
                       Bad{{"add", "brand=x"}, 2, "a silence needs an end"},
                       Bad{{"add", "brand=x", "--for", "soon"}, 2, "--for needs a duration"},
                       Bad{{"add", "--for", "1h"}, 2, "no matchers"},
                       Bad{{"add", "brand=x", "--until", "2020-01-01T00:00:00Z"}, 2, "in the past"},
                       Bad{{"expire", "sil-42"}, 2, "silence 'sil-42': no such silence"},
                       Bad{{"mute"}, 2, "unknown subcommand 'mute'"}}) {
    CHECK(run(b.args) == b.code);
    CHECK_THAT(err.str(), Catch::Contains(b.message));
  }
  CHECK(ParseShortDuration("90s") == std::chrono::seconds(90));
  CHECK(ParseShortDuration("1d") == std::chrono::seconds(86400));
  CHECK(!ParseShortDuration("0h"));
  CHECK(!ParseShortDuration("h"));
}

TEST_CASE("Silence command: list shows the file's entries, expire points at the file", "[cli]") {
  TempDir dir;
  auto store = StateStore::Open(dir.File("state.db"));
  REQUIRE(store.ok());
  ManualClock clock(kStart);
  Diagnostics diags;
  auto silences = LoadSilenceFile(dir.Write("silences.yaml", kSilencesFile), "silences.yaml",
                                  kStart, &diags);
  REQUIRE(silences);
  std::ostringstream out, err;
  auto run = [&](std::vector<std::string> args) {
    out.str("");
    err.str("");
    return RunSilenceOnStore(args, **store, clock, out, err, *silences, "silences.yaml");
  };
  REQUIRE(run({"add", "brand=otherair", "--for", "2h", "--by", "ops"}) == 0);
  REQUIRE(run({"list"}) == 0);
  CHECK(out.str() ==
        "sil-1  brand=\"otherair\"  active until 2026-11-18T13:06:40.000Z  by ops\n"
        "file:silences.yaml:2  brand=\"acmeair\",team=\"baggage\"  active until "
        "2026-11-18T12:06:40.000Z  by ops  (from silences.yaml)  # baggage migration, ops on it\n"
        "file:silences.yaml:6  rule=~\"refund-.*\"  pending until 2026-11-19T00:00:00.000Z  by -"
        "  (from silences.yaml)  # refund backlog announced\n");
  // Once an entry has ended, only --all shows it.
  clock.Advance(hours(1));
  REQUIRE(run({"list"}) == 0);
  CHECK_THAT(out.str(), !Catch::Contains("file:silences.yaml:2"));
  REQUIRE(run({"list", "--all"}) == 0);
  CHECK_THAT(out.str(), Catch::Contains("file:silences.yaml:2  brand=\"acmeair\",team=\"baggage\""
                                        "  expired until"));

  CHECK(run({"expire", "file:silences.yaml:6"}) == 2);
  CHECK(err.str() == "earshot silence: file:silences.yaml:6 comes from the silences file "
                     "(silences.yaml line 6); delete the entry or set its ends_at there, then "
                     "reload (systemctl reload earshot)\n");
  REQUIRE(run({"list"}) == 0);
  CHECK_THAT(out.str(), Catch::Contains("file:silences.yaml:6"));
}

}  // namespace
}  // namespace earshot
