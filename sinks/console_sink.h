// ConsoleSink (`type: console`): prints each escalation as a few readable lines, in colour when
// the output is a terminal that wants it. For `earshot demo`, foreground runs and journald
// (stdout).
//
// Owned by its SinkRunner; Deliver is called from the runner's thread only. Each escalation is
// written with one write and a flush, so lines from other threads do not cut into it.
#pragma once

#include <memory>
#include <ostream>
#include <string>
#include <string_view>

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

// Whether the console sink colours its text. `mode` is the `color` option: "auto" colours only
// a terminal, and never when NO_COLOR is set to anything non-empty (https://no-color.org) or
// TERM is "dumb" (a terminal that cannot show escape sequences); "always" and "never" are the
// operator's explicit choice and win over both, as no-color.org asks of configuration files.
// `no_color` and `term` are the variables' values, null when unset.
bool ConsoleColor(std::string_view mode, bool is_terminal, const char* no_color,
                  const char* term);

// Options: color (auto | always | never; see ConsoleColor).

std::unique_ptr<SinkFactory> NewConsoleSinkFactory();

}  // namespace earshot
