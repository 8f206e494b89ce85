#include "daemon/cli/replay_chunk.h"

#include <fmt/compile.h>
#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <string_view>

#include "daemon/base/json_escape.h"
#include "daemon/cli/corpus_input.h"
#include "detectors/sentiment.h"

namespace earshot {
namespace {

// A replay writes one of these per post, so it appends in place: no format string is parsed
// and no string is built per field (the doubles still go through fmt's shortest form).
void AppendResult(std::string* out, const DetectedPost& dp, const SentimentScores& s) {
  bool complaint = false;
  std::optional<Severity> severity;
  std::vector<std::string_view> categories;
  out->append(R"({"id":")");
  AppendJsonEscaped(dp.post.id, out);
  out->append(R"(","rules":[)");
  for (size_t i = 0; i < dp.detections.size(); ++i) {
    const Detection& d = dp.detections[i];
    if (i) out->push_back(',');
    out->push_back('"');
    AppendJsonEscaped(d.rule_id, out);
    out->push_back('"');
    if (std::find(categories.begin(), categories.end(), CategoryName(d.category)) ==
        categories.end()) {
      categories.push_back(CategoryName(d.category));
    }
    if (d.category == Category::kComplaint && !d.shadow) {
      complaint = true;
      if (!severity || d.severity > *severity) severity = d.severity;
    }
  }
  out->append(R"(],"categories":[)");
  for (size_t i = 0; i < categories.size(); ++i) {
    if (i) out->push_back(',');
    out->push_back('"');
    out->append(categories[i]);
    out->push_back('"');
  }
  out->append(complaint ? R"(],"complaint":true,"severity":)"
                        : R"(],"complaint":false,"severity":)");
  if (severity) {
    out->push_back('"');
    out->append(SeverityName(*severity));
    out->push_back('"');
  } else {
    out->append("null");
  }
  auto number = std::back_inserter(*out);
  fmt::format_to(number, FMT_COMPILE(R"(,"complaint_score":{},"sentiment":{{"compound":{},)"),
                 RoundLikePython(dp.complaint, 4), s.compound);
  fmt::format_to(number, FMT_COMPILE(R"("pos":{},"neu":{},"neg":{}}}}})"), s.pos, s.neu, s.neg);
  out->push_back('\n');
}

void AppendLineError(std::string* out, int64_t line_number, std::string_view message) {
  fmt::format_to(std::back_inserter(*out), FMT_COMPILE(R"({{"line":{},"error":"{}"}})"),
                 line_number, JsonEscape(message));
  out->push_back('\n');
}

}  // namespace

DetectedChunk DetectReplayChunk(const Detector& detector, const ReplayChunk& chunk) {
  DetectedChunk done;
  done.posts.reserve(chunk.lines.size());
  // One reader per thread, its parser's buffers kept from chunk to chunk.
  thread_local CorpusReader reader;
  for (size_t i = 0; i < chunk.lines.size(); ++i) {
    const ReplayChunk::Line& line = chunk.lines[i];
    const int64_t line_number = chunk.first_line + static_cast<int64_t>(i);
    if (line.too_long) {
      // Skipped unread, like any unreadable line: reported with its number, counted.
      ++done.errors;
      done.bytes += line.length + 1;
      AppendLineError(&done.results, line_number,
                      fmt::format("a line of {} bytes, longer than the {} limit; skipped",
                                  line.length, FormatByteLimit(kMaxCorpusLineBytes)));
      continue;
    }
    if (line.text.find_first_not_of(" \t\r") == std::string::npos) continue;
    done.bytes += line.text.size() + 1;
    Post post;
    if (Status status = reader.Read(line.text, &post); !status.ok()) {
      ++done.errors;
      AppendLineError(&done.results, line_number, status.message());
      continue;
    }
    SentimentScores scores;
    done.posts.push_back(detector.Detect(post, &scores));
    done.post_lines.push_back(line_number);
    AppendResult(&done.results, done.posts.back(), scores);
  }
  return done;
}

}  // namespace earshot
