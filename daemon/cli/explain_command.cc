#include "daemon/cli/explain_command.h"

#include <fmt/format.h>

#include <istream>
#include <ostream>

#include "daemon/base/json_escape.h"
#include "daemon/base/log.h"
#include "daemon/cli/commands.h"
#include "daemon/cli/corpus_input.h"
#include "detectors/detector.h"
#include "detectors/explain_format.h"

namespace earshot {
namespace {

constexpr size_t kFlushBytes = 1 << 16;

int Usage(std::ostream& err, std::string_view why) {
  err << fmt::format(
      "earshot explain: {}\nusage: earshot explain [--config FILE | --rules FILE... "
      "--brand NAME... --lexicon DIR] [--json] [--all-rules] [TEXT... | -]\n",
      why);
  return kExitUsage;
}

}  // namespace

int RunExplainCommand(const std::vector<std::string>& args, std::istream& in, std::ostream& out,
                      std::ostream& err) {
  DetectorFlags flags;
  bool json = false, all_rules = false, texts_only = false;
  std::vector<std::string> inputs;  // each a post's text, or "-" for stdin
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    std::string error;
    if (texts_only || !a.starts_with("--")) {
      inputs.push_back(a);
    } else if (a == "--") {
      texts_only = true;  // a text may itself start with "--"
    } else if (TakeDetectorFlag(args, &i, &flags, &error)) {
      if (!error.empty()) return Usage(err, error);
    } else if (a == "--json") {
      json = true;
    } else if (a == "--all-rules") {
      all_rules = true;
    } else {
      return Usage(err, fmt::format("unknown option '{}'", a));
    }
  }
  if (inputs.empty()) inputs.push_back("-");
  log::SetLevel(log::Level::kWarn);

  AppConfig config;
  std::shared_ptr<const Detector> detector;
  if (!LoadCorpusDetector(flags, "explain", err, &config, &detector)) return kExitConfig;

  ExplainFormat format;
  format.strip_prefix = WorkingDirPrefix();
  std::string buffer;
  bool first = true;
  auto explain = [&](const Post& post) {
    const PostExplanation e = detector->Explain(post, all_rules);
    if (json) {
      AppendExplanationJson(*detector, post, e, &buffer);
      buffer.push_back('\n');
    } else {
      if (!first) buffer.push_back('\n');  // a blank line between posts
      AppendExplanationText(*detector, post, e, format, &buffer);
    }
    first = false;
    if (buffer.size() > kFlushBytes) {
      out.write(buffer.data(), static_cast<std::streamsize>(buffer.size()));
      buffer.clear();
    }
  };

  CorpusReader reader;
  int64_t text_number = 0;
  for (const std::string& input : inputs) {
    if (input != "-") {
      Post post;
      post.id = std::to_string(++text_number);
      post.text = input;
      CompleteCorpusPost(&post);
      explain(post);
      continue;
    }
    int64_t line_number = 0;
    std::string line;
    size_t length = 0;
    for (CorpusLine r; (r = ReadCorpusLine(in, &line, &length)) != CorpusLine::kEnd;) {
      ++line_number;
      if (r == CorpusLine::kLine && line.find_first_not_of(" \t\r") == std::string::npos) continue;
      Post post;
      Status s = r == CorpusLine::kLine
                     ? reader.Read(line, &post)
                     : Status::InvalidArgument(fmt::format(
                           "a line of {} bytes, longer than the {} limit; skipped", length,
                           FormatByteLimit(kMaxCorpusLineBytes)));
      if (!s.ok()) {
        if (json) {
          fmt::format_to(std::back_inserter(buffer), R"({{"line":{},"error":"{}"}})" "\n",
                         line_number, JsonEscape(s.message()));
        } else {
          out.write(buffer.data(), static_cast<std::streamsize>(buffer.size()));
          buffer.clear();
          out.flush();  // so the message lands after the posts before it on a terminal
          err << fmt::format("earshot explain: line {}: {}\n", line_number, s.message());
        }
        continue;
      }
      explain(post);
    }
  }
  out.write(buffer.data(), static_cast<std::streamsize>(buffer.size()));
  out.flush();
  if (!out) {
    err << "earshot explain: cannot write the output\n";
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace earshot
