// ExecSink (`type: exec`): runs a command for each escalation with the wire JSON on stdin, for
// whatever earshot has no sink for (a ticket CLI, an SMS gateway script). No shell is involved:
// `command` is the argv list, and its first word must be an absolute path.
//
// The child also gets EARSHOT_INCIDENT_ID, EARSHOT_SEQ, EARSHOT_KIND and EARSHOT_SEVERITY in
// its environment (on top of earshot's, minus CREDENTIALS_DIRECTORY). Exit status decides:
//   0                      delivered
//   75 (EX_TEMPFAIL)       retry later
//   126, 127               permanent (not executable / not found)
//   anything else, a signal, or the timeout (the process group is killed)   retry
// The child's stderr (first line, 200 bytes) becomes the detail. The command must be
// idempotent on EARSHOT_INCIDENT_ID + EARSHOT_SEQ: a crash can run it twice.
//
// Owned by its SinkRunner; Deliver from its thread only.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "sinks/sink.h"

namespace earshot {

struct ExecSinkConfig {
  std::string name;
  std::vector<std::string> argv;
  std::chrono::milliseconds timeout{30000};
};

class ExecSink final : public Sink {
 public:
  explicit ExecSink(ExecSinkConfig config) : config_(std::move(config)) {}
  DeliveryResult Deliver(const Escalation& e, std::stop_token stop) override;

 private:
  const ExecSinkConfig config_;
};

// Options: command (list, required; absolute path first), timeout (30s).
std::unique_ptr<SinkFactory> NewExecSinkFactory();

}  // namespace earshot
