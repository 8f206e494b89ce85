// An acknowledgement as the sinks other than Slack and PagerDuty show it: news about a page
// already sent, never a second alarm; the wire JSON carries it whole for webhook, file and exec.
#include <catch2/catch.hpp>

#include "sinks/console_sink.h"
#include "sinks/email_sink.h"
#include "daemon/model/escalation_json.h"
#include "tests/sinks/sink_test_util.h"

namespace earshot {
namespace {

Escalation Acknowledged() {
  Escalation e = testing::SampleEscalation(2);
  e.kind = Escalation::Kind::kAcknowledge;
  e.severity = Severity::kCritical;
  e.reason = "acknowledged by sam";
  return e;
}

TEST_CASE("Console and email: an acknowledgement is one plain line, not an alarm", "[sinks]") {
  const Escalation e = Acknowledged();
  const std::string line = FormatEscalationText(e, /*color=*/true);
  CHECK(line == "ACK      acknowledge " + e.incident_id + "  acknowledged by sam: " + e.summary +
                    "\n");
  CHECK_THAT(line, !Catch::Contains("CRITICAL") && !Catch::Contains("\x1b["));

  EmailSinkConfig c;
  c.name = "mail";
  c.url = "smtp://127.0.0.1:2525";
  c.from = "earshot@x.example";
  c.to = {"ops@x.example"};
  const std::string msg = EmailMessage(c, e, e.at);
  CHECK_THAT(msg, Catch::Contains("Subject: [earshot] acknowledged by sam: " + e.summary));
  CHECK_THAT(msg, !Catch::Contains("CRITICAL"));
  Escalation open = e;
  open.kind = Escalation::Kind::kOpen;
  CHECK_THAT(EmailMessage(c, open, e.at), Catch::Contains("Subject: [earshot] CRITICAL open: "));
}

TEST_CASE("Wire JSON: an acknowledgement round-trips as kind acknowledge", "[sinks]") {
  const Escalation e = Acknowledged();
  const std::string json = EscalationToJson(e);
  CHECK_THAT(json, Catch::Contains(R"("kind":"acknowledge")"));
  CHECK_THAT(json, Catch::Contains(R"("reason":"acknowledged by sam")"));
  Result<Escalation> back = EscalationFromJson(json);
  REQUIRE(back.ok());
  CHECK(back->kind == Escalation::Kind::kAcknowledge);
  CHECK(back->reason == "acknowledged by sam");
}

}  // namespace
}  // namespace earshot
