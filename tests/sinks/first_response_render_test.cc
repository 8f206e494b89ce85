// A resolve carrying the incident's first response, as the sinks show it: the console (and the
// email body, which is its text) and Slack say who answered and after how long; the wire JSON
// carries it whole for webhook, file and exec.
#include <simdjson.h>

#include <catch2/catch.hpp>

#include "daemon/model/escalation_json.h"
#include "sinks/console_sink.h"
#include "sinks/email_sink.h"
#include "sinks/slack_sink.h"
#include "tests/sinks/sink_test_util.h"

namespace earshot {
namespace {

Escalation Answered() {
  Escalation e = testing::SampleEscalation(5);
  e.kind = Escalation::Kind::kResolve;
  e.reason = "staff replied (@acme_care)";
  e.labels["network"] = "mastodon";
  e.first_response = FirstResponse{e.at, "acme_care", std::chrono::seconds(720)};
  return e;
}

TEST_CASE("Console and email: a resolve says who answered and after how long", "[sinks]") {
  const Escalation e = Answered();
  const std::string text = FormatEscalationText(e, /*color=*/false);
  CHECK_THAT(text, Catch::StartsWith("HIGH     resolve " + e.incident_id + "  " + e.summary +
                                     " (lost-baggage, complaint) [staff replied (@acme_care)] "
                                     "[answered by @acme_care after 12m00s]\n"));
  Escalation unanswered = e;
  unanswered.first_response.reset();
  CHECK_THAT(FormatEscalationText(unanswered, false), !Catch::Contains("answered by"));

  EmailSinkConfig c;
  c.name = "mail";
  c.url = "smtp://127.0.0.1:2525";
  c.from = "earshot@x.example";
  c.to = {"ops@x.example"};
  CHECK_THAT(EmailMessage(c, e, e.at), Catch::Contains("[answered by @acme_care after 12m00s]"));
}

// The text of the message's context block: incident, seq, reason and status.
std::string ContextOf(const std::string& payload) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  REQUIRE(parser.parse(payload).get(doc) == simdjson::SUCCESS);
  simdjson::dom::array blocks;
  REQUIRE(doc["blocks"].get(blocks) == simdjson::SUCCESS);
  for (simdjson::dom::element b : blocks) {
    std::string_view type, text;
    REQUIRE(b["type"].get(type) == simdjson::SUCCESS);
    if (type != "context") continue;
    REQUIRE(b["elements"].at(0)["text"].get(text) == simdjson::SUCCESS);
    return std::string(text);
  }
  return "";
}

TEST_CASE("Slack: a resolve's context line says who answered and after how long", "[sinks]") {
  Escalation e = Answered();
  e.labels["network"] = "reddit";  // spelled as the network spells its users
  const std::string context = "incident `" + e.incident_id +
                              "` · seq 5 · staff replied (@acme_care) · answered by "
                              "u/acme_care after 12m00s";
  CHECK(ContextOf(SlackPayload(e)) == context);
  // The thread's head, edited in place when the incident resolves, says it too.
  CHECK(ContextOf(SlackThreadHeadPayload(e, "")) ==
        context + " · *Resolved: staff replied (@acme_care)*");
}

}  // namespace
}  // namespace earshot
