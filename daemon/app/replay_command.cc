#include "daemon/app/replay_command.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <istream>
#include <map>
#include <ostream>
#include <random>

#include "daemon/app/app.h"
#include "daemon/app/commands.h"
#include "daemon/app/config_loader.h"
#include "daemon/base/json_escape.h"
#include "daemon/base/log.h"
#include "daemon/base/paths.h"
#include "daemon/escalator/escalator.h"
#include "daemon/sources/mastodon/status_parser.h"
#include "daemon/state/state_store.h"
#include "daemon/app/rule_hashtags.h"
#include "detectors/detector.h"
#include "detectors/text_tags.h"
#include "sinks/escalation_json.h"

namespace earshot {
namespace {

namespace fs = std::filesystem;
using simdjson::ondemand::object;

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
  std::string config;
  std::vector<std::string> rules, brands, inputs;
  std::string lexicon, output, escalations;
  bool escalate = false;
};

// Reads earshot's normalized post. Only id and text are required.
Status ReadNormalized(object obj, Post* post) {
  for (auto field : obj) {
    std::string_view key;
    if (field.unescaped_key().get(key)) return Status::InvalidArgument("bad key");
    auto value = field.value();
    std::string_view s;
    auto str = [&](std::string* out) -> Status {
      if (value.get_string().get(s)) {
        return Status::InvalidArgument(fmt::format("'{}': expected a string", key));
      }
      out->assign(s);
      return Status::Ok();
    };
    auto list = [&](std::vector<std::string>* out) -> Status {
      simdjson::ondemand::array arr;
      if (value.get_array().get(arr)) {
        return Status::InvalidArgument(fmt::format("'{}': expected a list of strings", key));
      }
      for (auto item : arr) {
        if (item.get_string().get(s)) {
          return Status::InvalidArgument(fmt::format("'{}': expected a list of strings", key));
        }
        std::string v(s.starts_with('#') || s.starts_with('@') ? s.substr(1) : s);
        for (char& c : v) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        out->push_back(std::move(v));
      }
      return Status::Ok();
    };
    if (key == "id") {
      int64_t n;
      if (value.get_int64().get(n) == simdjson::SUCCESS) {
        post->id = std::to_string(n);
      } else {
        EARSHOT_RETURN_IF_ERROR(str(&post->id));
      }
    } else if (key == "text") {
      EARSHOT_RETURN_IF_ERROR(str(&post->text));
    } else if (key == "author") {
      EARSHOT_RETURN_IF_ERROR(str(&post->author.handle));
    } else if (key == "followers") {
      if (value.get_int64().get(post->author.followers)) {
        return Status::InvalidArgument("'followers': expected an integer");
      }
    } else if (key == "hashtags") {
      EARSHOT_RETURN_IF_ERROR(list(&post->hashtags));
    } else if (key == "mentions") {
      EARSHOT_RETURN_IF_ERROR(list(&post->mentions));
    } else if (key == "lang" || key == "language") {
      EARSHOT_RETURN_IF_ERROR(str(&post->language));
    } else if (key == "thread") {
      EARSHOT_RETURN_IF_ERROR(str(&post->thread_key));
    } else if (key == "network") {
      EARSHOT_RETURN_IF_ERROR(str(&post->network));
    } else if (key == "created_at") {
      std::string t;
      EARSHOT_RETURN_IF_ERROR(str(&t));
      auto parsed = ParseIso8601(t);
      if (!parsed) return Status::InvalidArgument("'created_at': expected ISO-8601 UTC");
      post->created_at = *parsed;
    }
  }
  if (post->id.empty()) return Status::InvalidArgument("'id' is missing");
  return Status::Ok();
}

void AppendResult(std::string* out, const DetectedPost& dp, const SentimentScores& s) {
  bool complaint = false;
  std::optional<Severity> severity;
  std::vector<std::string_view> categories;
  fmt::format_to(std::back_inserter(*out), R"({{"id":"{}","rules":[)", JsonEscape(dp.post.id));
  for (size_t i = 0; i < dp.detections.size(); ++i) {
    const Detection& d = dp.detections[i];
    fmt::format_to(std::back_inserter(*out), R"({}"{}")", i ? "," : "", JsonEscape(d.rule_id));
    if (std::find(categories.begin(), categories.end(), CategoryName(d.category)) ==
        categories.end()) {
      categories.push_back(CategoryName(d.category));
    }
    if (d.category == Category::kComplaint && !d.shadow) {
      complaint = true;
      if (!severity || d.severity > *severity) severity = d.severity;
    }
  }
  *out += R"(],"categories":[)";
  for (size_t i = 0; i < categories.size(); ++i) {
    fmt::format_to(std::back_inserter(*out), R"({}"{}")", i ? "," : "", categories[i]);
  }
  fmt::format_to(std::back_inserter(*out),
                 R"(],"complaint":{},"severity":{},"complaint_score":{},)"
                 R"("sentiment":{{"compound":{},"pos":{},"neu":{},"neg":{}}}}})",
                 complaint, severity ? fmt::format("\"{}\"", SeverityName(*severity)) : "null",
                 RoundLikePython(dp.complaint, 4), s.compound, s.pos, s.neu, s.neg);
  out->push_back('\n');
}

int Usage(std::ostream& err, std::string_view why) {
  err << fmt::format(
      "earshot replay: {}\nusage: earshot replay [--config FILE | --rules FILE... --brand NAME... "
      "--lexicon DIR] [--output FILE] [--escalate --escalations FILE] [CORPUS.jsonl ...|-]\n",
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
    if (a == "--escalate") {
      o.escalate = true;
    } else if (a == "--config" || a == "--rules" || a == "--brand" || a == "--lexicon" ||
               a == "--output" || a == "--escalations") {
      if ((v = next()) == nullptr) return Usage(err, fmt::format("{} needs a value", a));
      if (a == "--config") o.config = *v;
      if (a == "--rules") o.rules.push_back(*v);
      if (a == "--brand") o.brands.push_back(*v);
      if (a == "--lexicon") o.lexicon = *v;
      if (a == "--output") o.output = *v;
      if (a == "--escalations") o.escalations = *v;
    } else if (a.starts_with("--")) {
      return Usage(err, fmt::format("unknown option '{}'", a));
    } else {
      o.inputs.push_back(a);
    }
  }
  if (o.escalate && o.escalations.empty()) return Usage(err, "--escalate needs --escalations FILE");
  if (o.inputs.empty()) o.inputs.push_back("-");
  log::SetLevel(log::Level::kWarn);

  AppConfig config;
  Diagnostics diags;
  if (!o.config.empty()) {
    auto loaded = LoadAppConfig(o.config, &diags);
    if (!loaded.ok()) {
      err << diags.ToText() << fmt::format("earshot replay: {}\n", loaded.status().message());
      return kExitConfig;
    }
    config = *std::move(loaded);
  } else {
    const fs::path rules_dir = DefaultRulesDir();
    config.brands = o.brands;
    for (const auto& r : o.rules) config.rule_files.emplace_back(r);
    if (config.rule_files.empty()) config.rule_files = DefaultRuleFiles();
    config.lexicon_dir = o.lexicon.empty() ? rules_dir / "lexicon" : fs::path(o.lexicon);
  }
  auto detector = BuildDetector(config, &diags);
  if (!detector.ok()) {
    err << diags.ToText() << fmt::format("earshot replay: {}\n", detector.status().message());
    return kExitConfig;
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

  // --escalate: a throwaway state store, the real escalator, escalations to a JSONL file.
  CorpusClock clock;
  fs::path scratch;
  std::unique_ptr<StateStore> store;
  std::unique_ptr<Escalator> escalator;
  std::ofstream escalations_file;
  int64_t escalations = 0;
  if (o.escalate) {
    escalations_file.open(o.escalations, std::ios::binary | std::ios::trunc);
    if (!escalations_file) {
      err << fmt::format("earshot replay: cannot write {}\n", o.escalations);
      return kExitFailure;
    }
    std::random_device rd;
    scratch = fs::temp_directory_path() / fmt::format("earshot-replay-{:08x}", rd());
    fs::create_directories(scratch);
    auto opened = StateStore::Open(scratch / "replay.db");
    if (!opened.ok()) {
      err << fmt::format("earshot replay: {}\n", opened.status().message());
      return kExitFailure;
    }
    store = *std::move(opened);
    EscalatorOptions escalation = config.escalation;
    AddRuleHashtags(**detector, &escalation);  // the packs' own hashtags are not new
    escalator = std::make_unique<Escalator>(*store, std::move(escalation), clock,
                                            [&](const Escalation& e) {
                                              escalations_file << EscalationToJson(e) << '\n';
                                              ++escalations;
                                            });
  }

  simdjson::ondemand::parser parser;
  mastodon::StatusParser statuses("replay.local");
  std::map<std::string, int64_t> matches;
  int64_t posts = 0, errors = 0, line_number = 0;
  uint64_t bytes = 0;
  std::string buffer;
  const auto start = std::chrono::steady_clock::now();
  int exit_code = kExitOk;

  auto replay_line = [&](const std::string& line) {
    ++line_number;
    if (line.find_first_not_of(" \t\r") == std::string::npos) return;
    bytes += line.size() + 1;
    Post post;
    Status status = Status::Ok();
    simdjson::padded_string padded(line);
    simdjson::ondemand::document doc;
    object obj;
    if (parser.iterate(padded).get(doc) || doc.get_object().get(obj)) {
      status = Status::InvalidArgument("not a JSON object");
    } else {
      simdjson::ondemand::value account;
      const bool mastodon = obj.find_field_unordered("account").get(account) == simdjson::SUCCESS;
      if (mastodon) {
        auto parsed = statuses.ParseStatus(line);
        status = parsed.status();
        if (parsed.ok()) post = *std::move(parsed);
      } else {
        obj.reset();
        status = ReadNormalized(obj, &post);
      }
    }
    if (!status.ok()) {
      ++errors;
      fmt::format_to(std::back_inserter(buffer), R"({{"line":{},"error":"{}"}})" "\n",
                     line_number, JsonEscape(status.message()));
      return;
    }
    if (post.network.empty()) post.network = "replay";
    if (post.thread_key.empty()) post.thread_key = post.id;
    if (post.hashtags.empty() && post.mentions.empty()) {
      DeriveTagsAndMentions(post.text, &post.hashtags, &post.mentions);
    }
    SentimentScores scores;
    DetectedPost dp = (*detector)->Detect(post, &scores);
    ++posts;
    for (const Detection& d : dp.detections) ++matches[d.rule_id];
    AppendResult(&buffer, dp, scores);
    if (escalator) {
      clock.Advance(dp.post.created_at);
      PostBatch batch;
      batch.source = "replay";
      batch.posts.push_back(std::move(dp));
      if (Status s = escalator->Process(batch); !s.ok()) {
        err << fmt::format("earshot replay: line {}: {}\n", line_number, s.message());
        exit_code = kExitFailure;
      }
      (void)escalator->Tick();
    }
    if (buffer.size() > (1 << 16)) {
      sink.write(buffer.data(), static_cast<std::streamsize>(buffer.size()));
      buffer.clear();
    }
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
    for (std::string line; std::getline(source, line);) replay_line(line);
  }
  sink.write(buffer.data(), static_cast<std::streamsize>(buffer.size()));
  sink.flush();
  if (!sink) {
    err << "earshot replay: cannot write the output\n";
    exit_code = kExitFailure;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  err << fmt::format("earshot replay: {} posts, {} unreadable lines, {:.1f} MB in {:.2f} s "
                     "({:.0f} posts/s)\n",
                     posts, errors, static_cast<double>(bytes) / 1e6, seconds,
                     seconds > 0 ? static_cast<double>(posts) / seconds : 0.0);
  for (const auto& [rule, n] : matches) err << fmt::format("  {:>8}  {}\n", n, rule);
  if (escalator) {
    err << fmt::format("  {} escalations written to {}\n", escalations, o.escalations);
    escalator.reset();
    store.reset();
    std::error_code ec;
    fs::remove_all(scratch, ec);
  }
  return exit_code;
}

}  // namespace earshot
