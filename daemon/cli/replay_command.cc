#include "daemon/cli/replay_command.h"

#include <fmt/compile.h>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <future>
#include <istream>
#include <map>
#include <optional>
#include <ostream>
#include <thread>

#include "daemon/app/rule_hashtags.h"
#include "daemon/base/file_read.h"
#include "daemon/base/json_escape.h"
#include "daemon/base/log.h"
#include "daemon/cli/commands.h"
#include "daemon/cli/corpus_input.h"
#include "daemon/cli/replay_chunk.h"
#include "daemon/cli/report_command.h"
#include "daemon/escalator/escalator.h"
#include "daemon/state/memory_store.h"
#include "detectors/detector.h"

namespace earshot {
namespace {


// The escalator's clock in a replay: the time of the post being replayed, so repeat intervals,
// group timers and quiet resolution behave as they would have then.
class CorpusClock final : public Clock {
 public:
  SystemTime Now() const override { return now_; }
  SteadyTime SteadyNow() const override { return SteadyTime(now_.time_since_epoch()); }
  void Advance(SystemTime t) {
    if (t > now_) now_ = t;
  }

 private:
  SystemTime now_{};
};

struct Options {
  DetectorFlags detector;
  std::vector<std::string> inputs;
  std::string output, escalations;
  bool escalate = false;
  bool report = false;
  std::string svg, zone;
  // Threads that read and detect (the escalator's one is the caller's): the output is the same
  // for any number.
  int jobs = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
};

// Lines per chunk handed to a detecting thread: enough to make a thread's start-up cost nothing
// next to detecting them, few enough that the chunks in flight stay small. On one thread a
// chunk is detected and escalated at once, and a short one keeps its posts in the cache
// between the two (512 posts, about a megabyte, measured 7% slower than 32).
constexpr size_t kThreadChunkLines = 512;
constexpr size_t kInlineChunkLines = 32;

int Usage(std::ostream& err, std::string_view why) {
  err << fmt::format(
      "earshot replay: {}\nusage: earshot replay [--config FILE | --rules FILE... --brand NAME... "
      "--lexicon DIR] [--output FILE] [--jobs N] [--escalate --escalations FILE [--report "
      "[--svg FILE] [--tz ZONE]]] [CORPUS.jsonl ...|-]\n",
      why);
  return kExitUsage;
}

}  // namespace

int RunReplayCommand(const std::vector<std::string>& args, std::istream& in, std::ostream& out,
                     std::ostream& err) {
  Options o;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto next = [&]() -> const std::string* { return i + 1 < args.size() ? &args[++i] : nullptr; };
    const std::string* v = nullptr;
    std::string error;
    if (TakeDetectorFlag(args, &i, &o.detector, &error)) {
      if (!error.empty()) return Usage(err, error);
    } else if (a == "--escalate") {
      o.escalate = true;
    } else if (a == "--report") {
      o.report = true;
    } else if (a == "--jobs") {
      if ((v = next()) == nullptr) return Usage(err, "--jobs needs a number");
      char* end = nullptr;
      const long jobs = std::strtol(v->c_str(), &end, 10);
      if (v->empty() || *end != '\0' || jobs < 1 || jobs > 256) {
        return Usage(err, fmt::format("--jobs {}: not a number of threads from 1 to 256", *v));
      }
      o.jobs = static_cast<int>(jobs);
    } else if (a == "--output" || a == "--escalations" || a == "--svg" || a == "--tz") {
      if ((v = next()) == nullptr) return Usage(err, fmt::format("{} needs a value", a));
      if (a == "--output") o.output = *v;
      if (a == "--escalations") o.escalations = *v;
      if (a == "--svg") o.svg = *v;
      if (a == "--tz") o.zone = *v;
    } else if (a.starts_with("--")) {
      return Usage(err, fmt::format("unknown option '{}'", a));
    } else {
      o.inputs.push_back(a);
    }
  }
  if (o.escalate && o.escalations.empty()) return Usage(err, "--escalate needs --escalations FILE");
  // The report is of the escalator's incidents: without it there are none.
  if (o.report && !o.escalate) return Usage(err, "--report needs --escalate --escalations FILE");
  if (!o.report && (!o.svg.empty() || !o.zone.empty())) {
    return Usage(err, fmt::format("{} is an option of --report", o.svg.empty() ? "--tz" : "--svg"));
  }
  if (o.inputs.empty()) o.inputs.push_back("-");
  log::SetLevel(log::Level::kWarn);

  AppConfig config;
  std::shared_ptr<const Detector> detector;
  if (!LoadCorpusDetector(o.detector, "replay", err, &config, &detector)) return kExitConfig;
  ReportOutput report;
  if (o.report) {
    // Days are the support team's: the zone of `response.business_hours` unless --tz says.
    if (o.zone.empty()) {
      o.zone = config.escalation.response ? config.escalation.response->hours.zone().name()
                                          : "UTC";
    }
    auto zone = TimeZone::Load(o.zone);
    if (!zone.ok()) return Usage(err, fmt::format("--tz: {}", zone.status().message()));
    report.zone = *std::move(zone);
    report.svg = o.svg;
  }

  std::ofstream output_file;
  if (!o.output.empty()) {
    output_file.open(o.output, std::ios::binary | std::ios::trunc);
    if (!output_file) {
      err << fmt::format("earshot replay: cannot write {}\n", o.output);
      return kExitFailure;
    }
  }
  std::ostream& sink = o.output.empty() ? out : output_file;

  // --escalate: the real escalator on a store in memory (the replay's incidents end with it),
  // escalations to a JSONL file.
  CorpusClock clock;
  std::unique_ptr<MemoryStore> store;
  std::unique_ptr<Escalator> escalator;
  std::ofstream escalations_file;
  int64_t escalations = 0;
  if (o.escalate) {
    escalations_file.open(o.escalations, std::ios::binary | std::ios::trunc);
    if (!escalations_file) {
      err << fmt::format("earshot replay: cannot write {}\n", o.escalations);
      return kExitFailure;
    }
    store = std::make_unique<MemoryStore>();
    auto write = [&](const Escalation&, std::string_view json) {
      escalations_file << json << '\n';
      ++escalations;
    };
    escalator = std::make_unique<Escalator>(*store, config.escalation, clock, write);
    escalator->SetRuleHashtags(RuleHashtags(*detector));  // the packs' own hashtags are not new
    escalator->SetSoleWriter();  // the store is this process's alone
  }

  std::map<std::string, int64_t> matches;
  int64_t posts = 0, errors = 0, line_number = 0;
  // The earliest post's time: where --report's window starts. Posts without a time (the epoch)
  // are left out, or one of them would stretch the window back to 1970.
  std::optional<SystemTime> earliest;
  uint64_t bytes = 0;
  std::string buffer;
  const auto start = std::chrono::steady_clock::now();
  int exit_code = kExitOk;

  // The ordered half, on this thread: counts, writes, and feeds the escalator post by post.
  PostBatch batch;
  batch.source = "replay";
  batch.posts.resize(1);
  auto take = [&](DetectedChunk done) {
    errors += done.errors;
    bytes += done.bytes;
    buffer += done.results;
    for (size_t i = 0; i < done.posts.size(); ++i) {
      DetectedPost& dp = done.posts[i];
      ++posts;
      for (const Detection& d : dp.detections) ++matches[d.rule_id];
      if (!escalator) continue;
      if (dp.post.created_at != SystemTime{} && (!earliest || dp.post.created_at < *earliest)) {
        earliest = dp.post.created_at;
      }
      clock.Advance(dp.post.created_at);
      batch.posts[0] = std::move(dp);
      if (Status s = escalator->Process(batch); !s.ok()) {
        err << fmt::format("earshot replay: line {}: {}\n", done.post_lines[i], s.message());
        exit_code = kExitFailure;
      }
      (void)escalator->Tick();
    }
    if (buffer.size() > (1 << 16)) {
      sink.write(buffer.data(), static_cast<std::streamsize>(buffer.size()));
      buffer.clear();
    }
  };
  // The stateless half, on o.jobs threads: a few chunks ahead of `take`, never more, so
  // memory stays bounded by the chunk size whatever the corpus.
  std::deque<std::future<DetectedChunk>> ahead;
  ReplayChunk chunk;
  auto submit = [&] {
    if (chunk.lines.empty()) return;
    if (o.jobs <= 1) {
      take(DetectReplayChunk(*detector, chunk));
    } else {
      ahead.push_back(std::async(std::launch::async, [&detector, c = std::move(chunk)] {
        return DetectReplayChunk(*detector, c);
      }));
      while (ahead.size() > static_cast<size_t>(o.jobs)) {
        take(ahead.front().get());
        ahead.pop_front();
      }
    }
    chunk = ReplayChunk{};
    chunk.first_line = line_number + 1;
  };
  auto drain = [&] {
    submit();
    for (; !ahead.empty(); ahead.pop_front()) take(ahead.front().get());
  };

  for (const std::string& input : o.inputs) {
    std::ifstream file;
    if (input != "-") {
      file.open(input, std::ios::binary);
      if (!file) {
        err << fmt::format("earshot replay: cannot read {}\n", input);
        exit_code = kExitFailure;
        continue;
      }
    }
    std::istream& source = input == "-" ? in : file;
    chunk.first_line = line_number + 1;
    std::string line;
    size_t length = 0;
    for (CorpusLine r; (r = ReadCorpusLine(source, &line, &length)) != CorpusLine::kEnd;) {
      ++line_number;
      if (r == CorpusLine::kLine) {
        const size_t size = line.size();
        chunk.lines.push_back({std::move(line), size, false});
        line.clear();
      } else {
        chunk.lines.push_back({std::string(), length, true});
      }
      if (chunk.lines.size() == (o.jobs > 1 ? kThreadChunkLines : kInlineChunkLines)) submit();
    }
    drain();  // this input's escalations before the next input's messages
  }
  sink.write(buffer.data(), static_cast<std::streamsize>(buffer.size()));
  sink.flush();
  if (!sink) {
    err << "earshot replay: cannot write the output\n";
    exit_code = kExitFailure;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  err << fmt::format(
      "earshot replay: {} posts, {} unreadable lines, {:.1f} MB in {:.2f} s "
      "({:.0f} posts/s)\n",
      posts, errors, static_cast<double>(bytes) / 1e6, seconds,
      seconds > 0 ? static_cast<double>(posts) / seconds : 0.0);
  for (const auto& [rule, n] : matches) err << fmt::format("  {:>8}  {}\n", n, rule);
  if (escalator) {
    err << fmt::format("  {} escalations written to {}\n", escalations, o.escalations);
    if (o.report) {
      // Up to the escalator's clock at the end, the latest post's time, and just past it: the
      // window is half-open, and the last post's step opened or answered at that instant.
      const SystemTime until = clock.Now() + std::chrono::milliseconds(1);
      err << '\n';
      if (PrintResponseReport("replay", *store, earliest.value_or(clock.Now()), until, report, err,
                              err) != kExitOk) {
        exit_code = kExitFailure;
      }
    }
    escalator.reset();
  }
  return exit_code;
}

}  // namespace earshot
