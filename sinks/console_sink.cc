#include "sinks/console_sink.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "sinks/terminal_text.h"

namespace earshot {
namespace {

std::string_view SeverityColor(Severity s) {
  switch (s) {
    case Severity::kCritical: return "\x1b[1;97;41m";  // bold white on red
    case Severity::kHigh: return "\x1b[1;31m";
    case Severity::kMedium: return "\x1b[33m";
    case Severity::kLow: return "\x1b[36m";
    case Severity::kInfo: return "\x1b[2m";
  }
  return "";
}

// 152000 -> "152k", 1200000 -> "1.2M": reach at a glance.
std::string Reach(int64_t followers) {
  if (followers >= 1'000'000) return fmt::format("{:.1f}M", followers / 1e6);
  if (followers >= 10'000) return fmt::format("{}k", followers / 1000);
  return fmt::format("{}", followers);
}

// At most `max` bytes of one line of text, cut on a UTF-8 boundary, with an ellipsis; line
// breaks and tabs become spaces, and what is left that could drive a terminal is shown escaped.
std::string Excerpt(std::string_view text, size_t max) {
  std::string flat;
  for (char c : text) flat.push_back(c == '\n' || c == '\r' || c == '\t' ? ' ' : c);
  if (flat.size() <= max) return TerminalSafe(flat);
  size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(flat[cut]) & 0xC0) == 0x80) --cut;
  flat.resize(cut);
  return TerminalSafe(flat) + "…";
}

// TerminalSafe line by line: a summary's own line breaks are layout, not an attack, and the
// email sink (which shares this text) relies on them for its dot-stuffing. A CR right before the
// LF is part of the break (text from Windows and from HTTP forms); any other CR is shown escaped,
// as a bare CR would return the cursor and let the rest of the line overwrite what came first.
std::string SafeLines(std::string_view text) {
  std::string out;
  for (size_t start = 0;;) {
    const size_t end = text.find('\n', start);
    std::string_view line = text.substr(start, end == std::string_view::npos ? end : end - start);
    if (end != std::string_view::npos && !line.empty() && line.back() == '\r') {
      line.remove_suffix(1);
    }
    AppendTerminalSafe(line, &out);
    if (end == std::string_view::npos) return out;
    out += '\n';
    start = end + 1;
  }
}

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

class ConsoleSinkFactory final : public SinkFactory {
 public:
  std::string_view type() const override { return "console"; }
  const OptionSpec& options() const override {
    static const OptionSpec* spec = new OptionSpec{
        ConfigOption("color", OptionKind::kChoice,
                     "ANSI colours: auto (when stdout is a terminal, NO_COLOR is unset or "
                     "empty and TERM is not dumb), always or never")
            .Default("auto")
            .Choices({"auto", "always", "never"}),
    };
    return *spec;
  }
  Result<SinkPtr> Create(const SinkOptions& options) const override {
    const std::string& mode = options.String("color");
    const bool color = ConsoleColor(mode, ::isatty(STDOUT_FILENO) == 1, std::getenv("NO_COLOR"),
                                    std::getenv("TERM"));
    return SinkPtr(std::make_unique<ConsoleSink>(std::cout, color));
  }
};

}  // namespace

bool ConsoleColor(std::string_view mode, bool is_terminal, const char* no_color,
                  const char* term) {
  if (mode == "always") return true;
  if (mode != "auto" || !is_terminal) return false;
  if (no_color != nullptr && no_color[0] != '\0') return false;
  return term == nullptr || std::string_view(term) != "dumb";
}

// Every field below comes from a post, a network or a rule file: each is printed through
// TerminalSafe (Excerpt for the text), so no stranger's byte reaches the terminal raw.
std::string FormatEscalationText(const Escalation& e, bool color) {
  const std::string_view reset = color ? "\x1b[0m" : "";
  const std::string_view dim = color ? "\x1b[2m" : "";
  // An acknowledgement is news about a page already shown, not an alarm: one plain line.
  if (e.kind == Escalation::Kind::kAcknowledge) {
    return fmt::format("{:<8} {:<7} {}  {}: {}\n", "ACK", KindName(e.kind),
                       TerminalSafe(e.incident_id), TerminalSafe(e.reason), SafeLines(e.summary));
  }
  std::string out = fmt::format(
      "{}{:<8}{} {:<7} {}  {}{}", color ? SeverityColor(e.severity) : "",
      Upper(SeverityName(e.severity)), reset, KindName(e.kind), TerminalSafe(e.incident_id),
      SafeLines(e.summary),
      e.rule_id.empty() && e.category.empty()
          ? std::string()
          : fmt::format(" {}({}{}{}){}", dim, TerminalSafe(e.rule_id),
                        e.rule_id.empty() ? "" : ", ", TerminalSafe(e.category), reset));
  if (!e.reason.empty()) out += fmt::format(" {}[{}]{}", dim, TerminalSafe(e.reason), reset);
  if (e.first_response) out += fmt::format(" {}[{}]{}", dim, TerminalSafe(AnsweredText(e)), reset);
  out.push_back('\n');
  for (const PostRef& p : e.posts) {
    const std::string name = Excerpt(p.author_name, 160);
    out += fmt::format("         {}", TerminalSafe(AuthorHandle(p.network, p.author)));
    if (!HasFollowerCounts(p.network)) {
      if (!name.empty()) out += fmt::format(" ({})", name);
    } else if (!name.empty() || p.followers > 0) {
      out += fmt::format(" ({}{}{} followers)", name, name.empty() ? "" : ", ",
                         Reach(p.followers));
    }
    out += fmt::format(": \"{}\"", Excerpt(p.text, 160));
    if (!p.url.empty()) out += fmt::format(" {}{}{}", dim, TerminalSafe(p.url), reset);
    out.push_back('\n');
  }
  return out;
}

DeliveryResult ConsoleSink::Deliver(const Escalation& e, std::stop_token /*stop*/) {
  const std::string text = FormatEscalationText(e, color_);
  out_.write(text.data(), static_cast<std::streamsize>(text.size()));
  out_.flush();
  if (!out_) {
    out_.clear();
    return DeliveryResult::Retry("stdout: write failed (closed pipe or full disk)");
  }
  return DeliveryResult::Delivered();
}

std::unique_ptr<SinkFactory> NewConsoleSinkFactory() {
  return std::make_unique<ConsoleSinkFactory>();
}

}  // namespace earshot
