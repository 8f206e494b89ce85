// The demo's closing summary of "answer in minutes", on escalations as the sinks wrote them: it
// names who answered and after how long, which incident reached the level's receiver, and says
// so when either did not happen rather than printing the script's hopes.
#include "daemon/cli/demo_outcomes.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "daemon/model/escalation_json.h"

namespace earshot {
namespace {

PostRef Post(std::string network, std::string author) {
  PostRef p;
  p.network = std::move(network);
  p.author = std::move(author);
  return p;
}

Escalation Answered() {
  Escalation e;
  e.seq = 4;
  e.incident_id = "inc-gus";
  e.kind = Escalation::Kind::kResolve;
  e.reason = "staff replied (@care@mastodon.example)";
  e.labels = {{"network", "mastodon"}};
  // Newest first: the staff reply, then the complaint that opened the incident.
  e.posts = {Post("mastodon", "care@mastodon.example"), Post("mastodon", "gus@mastodon.example")};
  e.first_response = FirstResponse{SystemTime{}, "care@mastodon.example", std::chrono::seconds(4)};
  return e;
}

Escalation Level() {
  Escalation e;
  e.seq = 9;
  e.incident_id = "inc-sam";
  e.kind = Escalation::Kind::kUpdate;
  e.reason = "unanswered for 3s (level 1)";
  e.labels = {{"network", "reddit"}, {"unanswered_level", "1"}};
  e.posts = {Post("reddit", "suitcase_sam")};
  return e;
}

TEST_CASE("demo outcomes: the answered incident and the level that reached its receiver",
          "[cli][demo]") {
  Escalation thanked = Answered();
  thanked.incident_id = "inc-jane";
  thanked.reason = "resolved by author";
  thanked.first_response.reset();  // an author's thanks is no first response
  Escalation breach = Level();
  breach.labels.erase("unanswered_level");  // a target's breach alone is no level
  CHECK(AnswerOutcomes({thanked, Answered(), Level()}, {breach, Level()}, "team-lead") ==
        "answered    inc-gus  @gus@mastodon.example: answered by @care@mastodon.example after "
        "4s, which resolved it\n"
        "unanswered  inc-sam  u/suitcase_sam: unanswered for 3s (level 1), so team-lead heard "
        "too\n");
}

TEST_CASE("demo outcomes: says so when nobody answered and no level fired", "[cli][demo]") {
  // The level went to support but not to team-lead's sink: it did not reach team-lead.
  CHECK(AnswerOutcomes({Level()}, {}, "team-lead") ==
        "answered    none: no staff reply reached an open incident\n"
        "unanswered  none: no level reached team-lead\n");
}

TEST_CASE("demo outcomes: reads back the file sink's lines", "[cli][demo]") {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("earshot-demo-outcomes-" + std::to_string(std::random_device{}()));
  std::filesystem::create_directories(dir);
  const auto path = dir / "team-lead.jsonl";
  {
    std::ofstream out(path, std::ios::trunc);
    out << EscalationToJson(Answered()) << "\n" << EscalationToJson(Level()) << "\n";
  }
  auto read = ReadEscalationFile(path);
  REQUIRE(read.ok());
  REQUIRE(read->size() == 2);
  CHECK((*read)[0].first_response == Answered().first_response);
  CHECK((*read)[1].labels.at("unanswered_level") == "1");
  {
    std::ofstream out(path, std::ios::app);
    out << "{\"seq\":";  // a line cut short
  }
  CHECK_FALSE(ReadEscalationFile(path).ok());
  CHECK(ReadEscalationFile(dir / "none.jsonl").value().empty());  // nothing written yet
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace earshot
