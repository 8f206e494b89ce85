// `earshot replay --escalate` against its golden files (tests/data/replay/golden/README.md):
// making replay fast must not change one escalation, its order or its content, nor one result.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "daemon/cli/replay_command.h"

namespace earshot {
namespace {

namespace fs = std::filesystem;

const fs::path kGolden = fs::path(EARSHOT_SOURCE_DIR) / "tests/data/replay/golden";

std::string Slurp(const fs::path& path) {
  std::ifstream f(path, std::ios::binary);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

// The first line where the two differ, so a failure says which escalation changed.
std::string FirstDifference(const std::string& want, const std::string& got) {
  std::istringstream w(want), g(got);
  std::string a, b;
  for (int line = 1;; ++line) {
    const bool more_a = static_cast<bool>(std::getline(w, a));
    const bool more_b = static_cast<bool>(std::getline(g, b));
    if (!more_a && !more_b) return "none";
    if (a != b || more_a != more_b) {
      return "line " + std::to_string(line) + "\nwant: " + (more_a ? a : "<end>") +
             "\ngot:  " + (more_b ? b : "<end>");
    }
  }
}

TEST_CASE("replay --escalate: the golden corpus gives the golden escalations", "[app]") {
  // One thread, and several detecting chunks ahead of the escalator: the same bytes.
  for (const char* jobs : {"1", "3"}) {
    INFO("--jobs " << jobs);
    std::random_device rd;
    const fs::path dir = fs::temp_directory_path() / ("earshot-golden-" + std::to_string(rd()));
    fs::create_directories(dir);
    const fs::path escalations = dir / "escalations.jsonl";
    std::istringstream in;
    std::ostringstream out, err;
    const int code = RunReplayCommand(
        {"--config", (kGolden / "earshot.yaml").string(), "--jobs", jobs, "--escalate",
         "--escalations", escalations.string(), (kGolden / "corpus.jsonl").string()},
        in, out, err);
    INFO(err.str());
    REQUIRE(code == 0);
    const std::string want_results = Slurp(kGolden / "results.jsonl");
    const std::string want_escalations = Slurp(kGolden / "escalations.jsonl");
    const std::string got_escalations = Slurp(escalations);
    {
      INFO("results: first difference at " << FirstDifference(want_results, out.str()));
      CHECK(out.str() == want_results);
    }
    {
      INFO("escalations: first difference at "
           << FirstDifference(want_escalations, got_escalations));
      CHECK(got_escalations == want_escalations);
    }
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
}

}  // namespace
}  // namespace earshot
