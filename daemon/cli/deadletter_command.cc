#include "daemon/cli/deadletter_command.h"

#include <fmt/format.h>

#include <charconv>
#include <ostream>

#include "daemon/base/json_escape.h"

namespace earshot {
namespace {

constexpr int kUsageExit = 2;

constexpr std::string_view kUsage =
    "usage: earshot deadletter list [--sink NAME] [--json]\n"
    "       earshot deadletter retry SINK (SEQ... | --all)\n";

int Usage(std::ostream& err, std::string_view problem) {
  err << "earshot deadletter: " << problem << "\n" << kUsage;
  return kUsageExit;
}

int List(const std::vector<std::string>& args, OutboxStore& store, std::ostream& out,
         std::ostream& err) {
  std::string sink;
  bool json = false;
  for (size_t i = 1; i < args.size(); ++i) {
    if (args[i] == "--json") {
      json = true;
    } else if (args[i] == "--sink" && i + 1 < args.size()) {
      sink = args[++i];
    } else {
      return Usage(err, fmt::format("list: unknown argument '{}'", args[i]));
    }
  }
  Result<std::vector<DeadLetter>> letters = store.ListDeadLetters(sink);
  if (!letters.ok()) {
    err << "earshot deadletter: " << letters.status().message() << "\n";
    return 1;
  }
  for (const DeadLetter& d : *letters) {
    if (json) {
      out << fmt::format(R"({{"sink":"{}","seq":{},"at":"{}","reason":"{}","retry_pending":{}}})",
                         JsonEscape(d.sink), d.seq, FormatIso8601(d.at), JsonEscape(d.reason),
                         d.redeliver ? "true" : "false")
          << "\n";
    } else {
      out << fmt::format("{} {} {} {}{}", d.sink, d.seq, FormatIso8601(d.at),
                         d.redeliver ? "[retry pending] " : "", d.reason)
          << "\n";
    }
  }
  if (letters->empty() && !json) {
    err << (sink.empty() ? std::string("no dead letters")
                         : fmt::format("sink '{}' has no dead letters", sink))
        << "\n";
  }
  return 0;
}

int Retry(const std::vector<std::string>& args, OutboxStore& store, std::ostream& out,
          std::ostream& err) {
  if (args.size() < 2 || args[1].empty() || args[1][0] == '-') {
    return Usage(err, "retry: name the sink");
  }
  const std::string& sink = args[1];
  bool all = false;
  std::vector<uint64_t> seqs;
  for (size_t i = 2; i < args.size(); ++i) {
    if (args[i] == "--all") {
      all = true;
      continue;
    }
    uint64_t seq = 0;
    const char* end = args[i].data() + args[i].size();
    auto [ptr, ec] = std::from_chars(args[i].data(), end, seq);
    if (ec != std::errc() || ptr != end || seq == 0) {
      return Usage(err, fmt::format("retry: '{}' is not a seq (a positive number from "
                                    "`earshot deadletter list`)",
                                    args[i]));
    }
    seqs.push_back(seq);
  }
  if (all == !seqs.empty()) return Usage(err, "retry: give the seqs to retry, or --all");
  Result<std::vector<DeadLetter>> before = store.ListDeadLetters(sink);
  if (Status s = store.RequeueDeadLetters(sink, seqs); !s.ok()) {
    err << "earshot deadletter: " << s.message() << "\n";
    return 1;
  }
  size_t n = seqs.size();
  if (all && before.ok()) {
    n = 0;
    uint64_t last = 0;
    for (const DeadLetter& d : *before) {
      if (d.seq != last || n == 0) ++n;
      last = d.seq;
    }
  }
  out << fmt::format(
      "sink '{}': {} dead letter{} queued for redelivery; the running daemon sends "
      "{} at its next outbox check\n",
      sink, n, n == 1 ? "" : "s", n == 1 ? "it" : "them");
  return 0;
}

}  // namespace

int RunDeadLetterOnStore(const std::vector<std::string>& args, OutboxStore& store,
                         std::ostream& out, std::ostream& err) {
  if (args.empty()) return Usage(err, "say list or retry");
  if (args[0] == "list") return List(args, store, out, err);
  if (args[0] == "retry") return Retry(args, store, out, err);
  if (args[0] == "-h" || args[0] == "--help") {
    out << kUsage;
    return 0;
  }
  return Usage(err, fmt::format("unknown subcommand '{}'", args[0]));
}

}  // namespace earshot
