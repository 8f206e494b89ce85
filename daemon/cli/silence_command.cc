#include "daemon/cli/silence_command.h"

#include <fmt/format.h>

#include <charconv>
#include <cstdlib>
#include <ostream>

#include "daemon/escalator/label_matcher.h"

namespace earshot {
namespace {

constexpr const char* kUsage =
    "usage: earshot silence add MATCHER... (--for 2h | --until TIME) [--comment TEXT] [--by NAME]\n"
    "       earshot silence list [--all]\n"
    "       earshot silence expire ID\n";

int Usage(std::ostream& err, std::string_view message) {
  err << "earshot silence: " << message << "\n" << kUsage;
  return 2;
}

int Add(const std::vector<std::string>& args, OperatorStore& store, Clock& clock, std::ostream& out,
        std::ostream& err) {
  std::vector<std::string> words;
  SilenceRecord s;
  s.starts_at = clock.Now();
  const char* user = std::getenv("USER");
  s.created_by = user != nullptr ? user : "earshot";
  bool has_end = false;
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](std::string_view flag) -> const std::string* {
      if (i + 1 >= args.size()) return nullptr;
      (void)flag;
      return &args[++i];
    };
    if (a == "--for") {
      const std::string* v = value(a);
      auto d = v ? ParseShortDuration(*v) : std::nullopt;
      if (!d) return Usage(err, "--for needs a duration such as 30m, 2h or 1d");
      s.ends_at = s.starts_at + *d;
      has_end = true;
    } else if (a == "--until") {
      const std::string* v = value(a);
      auto t = v ? ParseIso8601(*v) : std::nullopt;
      if (!t) return Usage(err, "--until needs an ISO-8601 time such as 2026-11-22T18:00:00Z");
      if (*t <= s.starts_at) return Usage(err, fmt::format("--until {} is in the past", *v));
      s.ends_at = *t;
      has_end = true;
    } else if (a == "--comment") {
      const std::string* v = value(a);
      if (!v) return Usage(err, "--comment needs a text");
      s.comment = *v;
    } else if (a == "--by") {
      const std::string* v = value(a);
      if (!v) return Usage(err, "--by needs a name");
      s.created_by = *v;
    } else if (a.starts_with("--")) {
      return Usage(err, fmt::format("unknown option '{}'", a));
    } else {
      words.push_back(a);
    }
  }
  if (!has_end) return Usage(err, "a silence needs an end: --for 2h or --until TIME");
  std::string joined;
  for (const auto& w : words) joined += (joined.empty() ? "" : ",") + w;
  auto matchers = LabelMatchers::Parse(joined);
  if (!matchers.ok()) return Usage(err, matchers.status().message());
  s.matchers = matchers->ToString();
  auto id = store.AddSilence(s);
  if (!id.ok()) {
    err << "earshot silence: " << id.status().message() << "\n";
    return 1;
  }
  out << fmt::format("{} silences {} until {}\n", *id, s.matchers, FormatIso8601(s.ends_at));
  return 0;
}

}  // namespace

std::optional<std::chrono::seconds> ParseShortDuration(std::string_view text) {
  if (text.size() < 2) return std::nullopt;
  int64_t n = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size() - 1, n);
  if (ec != std::errc() || p != text.data() + text.size() - 1 || n <= 0) return std::nullopt;
  switch (text.back()) {
    case 's': return std::chrono::seconds(n);
    case 'm': return std::chrono::seconds(n * 60);
    case 'h': return std::chrono::seconds(n * 3600);
    case 'd': return std::chrono::seconds(n * 86400);
  }
  return std::nullopt;
}

int RunSilenceOnStore(const std::vector<std::string>& args, OperatorStore& store, Clock& clock,
                      std::ostream& out, std::ostream& err,
                      const std::vector<FileSilence>& file_silences, std::string_view file_name) {
  if (args.empty()) return Usage(err, "missing subcommand");
  const std::string& sub = args[0];
  if (sub == "add") return Add(args, store, clock, out, err);
  if (sub == "list") {
    const bool all = args.size() > 1 && args[1] == "--all";
    if (args.size() > (all ? 2u : 1u)) return Usage(err, "list takes only --all");
    auto list = store.ListSilences(clock.Now(), !all);
    if (!list.ok()) {
      err << "earshot silence: " << list.status().message() << "\n";
      return 1;
    }
    const SystemTime now = clock.Now();
    auto state_of = [&](SystemTime starts_at, SystemTime ends_at) {
      return ends_at <= now ? "expired" : (starts_at > now ? "pending" : "active");
    };
    size_t shown = 0;
    for (const SilenceRecord& s : *list) {
      out << fmt::format("{}  {}  {} until {}  by {}{}\n", s.id, s.matchers,
                         state_of(s.starts_at, s.ends_at), FormatIso8601(s.ends_at), s.created_by,
                         s.comment.empty() ? "" : "  # " + s.comment);
      ++shown;
    }
    // The file's entries: pending and active ones (the loader already left out ended ones).
    for (const FileSilence& s : file_silences) {
      if (!all && s.ends_at <= now) continue;
      out << fmt::format("{}  {}  {} until {}  by {}  (from {})  # {}\n", s.id,
                         s.matchers.ToString(), state_of(s.starts_at, s.ends_at),
                         FormatIso8601(s.ends_at), s.created_by.empty() ? "-" : s.created_by,
                         file_name, s.comment);
      ++shown;
    }
    if (shown == 0) out << (all ? "no silences\n" : "no active silences\n");
    return 0;
  }
  if (sub == "expire") {
    if (args.size() != 2) return Usage(err, "expire takes one silence id (see `earshot silence list`)");
    if (args[1].starts_with(kFileSilencePrefix)) {
      // "file:silences.yaml:12": the file is the truth; expiring here would be undone at reload.
      const std::string where = args[1].substr(kFileSilencePrefix.size());
      const size_t colon = where.rfind(':');
      const std::string line = colon == std::string::npos ? "?" : where.substr(colon + 1);
      err << fmt::format(
          "earshot silence: {} comes from the silences file ({} line {}); delete the entry or "
          "set its ends_at there, then reload (systemctl reload earshot)\n",
          args[1], where.substr(0, colon), line);
      return 2;
    }
    Status s = store.ExpireSilence(args[1], clock.Now());
    if (!s.ok()) {
      err << "earshot silence: " << s.message() << "\n";
      return s.code() == Status::Code::kNotFound ? 2 : 1;
    }
    out << "expired " << args[1] << "\n";
    return 0;
  }
  return Usage(err, fmt::format("unknown subcommand '{}'", sub));
}

}  // namespace earshot
