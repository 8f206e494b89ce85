// `earshot test sinks`: sends one clearly marked test escalation to every configured sink and
// says what each answered, so an operator can check URLs, keys and passwords before an incident
// depends on them.
//
// The test escalation: summary "[earshot test] ...", incident id "test-<unix time>", seq 0 (no
// outbox seq; the file sink checks its path but does not archive it),
// severity info, labels {test: "true"}, one post from "earshot" explaining that no action is
// needed. Each sink gets exactly one attempt (no retries, no outbox, no cursor, no dead letter):
//   sink oncall (pagerduty): delivered
//   sink archive (file): delivered (/var/lib/earshot/escalations.jsonl is writable; a test ...)
//   sink chat (slack): retry: HTTP 429 from hooks.slack.com (retry after 30s)
//   sink mail (email): failed: SMTP smtp.example: Login denied; check username and the pass...
// A sink whose configuration does not build is reported as failed with the reason. Details never
// contain a secret (the sinks redact them). Exit code 0 only when every sink delivered, else 1.
//
// Threads: runs on the caller's thread, one sink after another.
#pragma once

#include <iosfwd>
#include <vector>

#include "daemon/base/clock.h"
#include "daemon/model/escalation.h"
#include "sinks/sink_options.h"

namespace earshot {

// The escalation `earshot test sinks` sends, stamped `now`.
Escalation TestEscalation(SystemTime now);

// Builds each of `sinks` through a SinkRegistry with the built-in types and delivers
// TestEscalation(now) once to each. One line per sink on `out`; a summary on `err` when not all
// delivered.
int TestSinks(const std::vector<SinkConfig>& sinks, std::ostream& out, std::ostream& err,
              SystemTime now = RealClock().Now());

}  // namespace earshot
