// ConsoleSink (`type: console`): prints each escalation as a few readable lines, in colour when
// the output is a terminal. For `earshot demo`, foreground runs and journald (stdout).
//
// Owned by its SinkRunner; Deliver is called from the runner's thread only. Each escalation is
// written with one write and a flush, so lines from other threads do not cut into it.
#pragma once

#include <memory>
#include <ostream>
#include <string>

#include "sinks/sink.h"

namespace earshot {

// The text `earshot tail` and the console sink print:
//   HIGH  open  inc-3f2a9c  Lost bag, nobody answers (brand-sucks, complaint)
//         @jane@air.example (Jane, 152k followers): "Where is my bag?" https://air.example/@jane/1
// `color` adds ANSI colours (severity, dim details).
std::string FormatEscalationText(const Escalation& e, bool color);

class ConsoleSink final : public Sink {
 public:
  ConsoleSink(std::ostream& out, bool color) : out_(out), color_(color) {}
  DeliveryResult Deliver(const Escalation& e, std::stop_token stop) override;

 private:
  std::ostream& out_;
  const bool color_;
};

// Options: color (auto | always | never; auto = when stdout is a terminal).
std::unique_ptr<SinkFactory> NewConsoleSinkFactory();

}  // namespace earshot
