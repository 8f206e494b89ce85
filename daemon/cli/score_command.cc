#include "daemon/cli/score_command.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <string_view>
#include <vector>

#include "daemon/base/file_read.h"
#include "daemon/base/paths.h"
#include "detectors/lexicon.h"

namespace earshot {
namespace {

constexpr std::string_view kScoreUsage =
    R"(usage: earshot score [--lexicon DIR] [--overlay FILE]... [--json] [TEXT...]

Scores each TEXT with VADER (vaderSentiment 3.3.2 semantics) and prints compound (-1 to 1) and
the pos, neu and neg proportions. With no TEXT, scores each line of standard input, streaming.

  --json           one {"compound":…,"pos":…,"neu":…,"neg":…} object per line
  --lexicon DIR    directory with vader_lexicon.txt and emoji_utf8_lexicon.txt
                   (default: <rules dir>/lexicon)
  --overlay FILE   a YAML or TSV overlay of words and phrases; repeatable, applied in order
)";

constexpr size_t kReadChunk = 64 * 1024;
constexpr size_t kFlushAt = 64 * 1024;

// Reads what is available: from fd 0 when `in` is std::cin, so a pipe that delivers one line
// at a time gets its answer at once; from the stream buffer otherwise.
class InputReader {
 public:
  explicit InputReader(std::istream& in) : in_(in), use_fd_(&in == &std::cin) {}

  // Returns bytes read, 0 at end of input, or -1 on a read error.
  ssize_t Read(char* buf, size_t n) {
    if (use_fd_) {
      for (;;) {
        const ssize_t r = ::read(STDIN_FILENO, buf, n);
        if (r < 0 && errno == EINTR) continue;
        return r;
      }
    }
    return static_cast<ssize_t>(in_.rdbuf()->sgetn(buf, static_cast<std::streamsize>(n)));
  }

 private:
  std::istream& in_;
  const bool use_fd_;
};

bool Flush(std::string* buf, std::ostream& out) {
  if (!buf->empty()) {
    out.write(buf->data(), static_cast<std::streamsize>(buf->size()));
    buf->clear();
  }
  out.flush();
  return static_cast<bool>(out);
}

}  // namespace

void AppendRoundedScore(double value, int digits, std::string* out) {
  // Fast path for |value| <= 1 (every score): round value * 10^digits to an integer. The
  // product is within a few ulps of the exact one, so it rounds the same way unless it sits
  // within 1e-6 of a half, where %.*f (exact binary value, ties to even, as Python's round())
  // decides instead.
  static constexpr double kScale[] = {1, 10, 100, 1000, 10000};
  if (digits >= 1 && digits <= 4 && std::fabs(value) <= 1.0) {
    const double scaled = std::fabs(value) * kScale[digits];
    const double floor = std::floor(scaled);
    if (std::fabs(scaled - floor - 0.5) > 1e-6) {
      auto units = static_cast<unsigned>(floor) + (scaled - floor > 0.5 ? 1u : 0u);
      char buf[16];
      char* p = buf + sizeof buf;
      // Digits after the point, trailing zeros dropped but one kept, as repr() writes them.
      int frac_digits = digits;
      while (frac_digits > 1 && units % 10 == 0) {
        units /= 10;
        --frac_digits;
      }
      for (int i = 0; i < frac_digits; ++i) {
        *--p = static_cast<char>('0' + units % 10);
        units /= 10;
      }
      *--p = '.';
      do {
        *--p = static_cast<char>('0' + units % 10);
        units /= 10;
      } while (units != 0);
      if (std::signbit(value)) *--p = '-';
      out->append(p, static_cast<size_t>(buf + sizeof buf - p));
      return;
    }
  }
  char buf[512];
  int len = std::snprintf(buf, sizeof buf, "%.*f", digits, value);
  if (len <= 0 || static_cast<size_t>(len) >= sizeof buf) {
    out->append("0.0");
    return;
  }
  while (len > 2 && buf[len - 1] == '0' && buf[len - 2] != '.') --len;
  out->append(buf, static_cast<size_t>(len));
}

void AppendScoresJson(const SentimentScores& s, std::string* out) {
  out->append("{\"compound\":");
  AppendRoundedScore(s.compound, 4, out);
  out->append(",\"pos\":");
  AppendRoundedScore(s.pos, 3, out);
  out->append(",\"neu\":");
  AppendRoundedScore(s.neu, 3, out);
  out->append(",\"neg\":");
  AppendRoundedScore(s.neg, 3, out);
  out->append("}\n");
}

void AppendScoresLine(const SentimentScores& s, std::string_view text, std::string* out) {
  out->append("compound=");
  AppendRoundedScore(s.compound, 4, out);
  out->append(" pos=");
  AppendRoundedScore(s.pos, 3, out);
  out->append(" neu=");
  AppendRoundedScore(s.neu, 3, out);
  out->append(" neg=");
  AppendRoundedScore(s.neg, 3, out);
  out->push_back('\t');
  out->append(text);
  out->push_back('\n');
}

int RunScoreCommand(const std::vector<std::string>& args, std::istream& in, std::ostream& out,
                    std::ostream& err) {
  bool json = false;
  std::filesystem::path lexicon_dir;
  std::vector<std::filesystem::path> overlays;
  std::vector<std::string_view> texts;
  bool options_done = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (options_done || a.empty() || a[0] != '-' || a == "-") {
      texts.push_back(a);
      continue;
    }
    if (a == "--") {
      options_done = true;
    } else if (a == "-h" || a == "--help") {
      out << kScoreUsage;
      return kExitOk;
    } else if (a == "--json") {
      json = true;
    } else if (a == "--lexicon" || a == "--overlay") {
      if (i + 1 >= args.size()) {
        err << "earshot score: " << a << " needs a value\n\n" << kScoreUsage;
        return kExitUsage;
      }
      if (a == "--lexicon") {
        lexicon_dir = args[++i];
      } else {
        overlays.emplace_back(args[++i]);
      }
    } else {
      err << "earshot score: unknown option '" << a << "'\n\n" << kScoreUsage;
      return kExitUsage;
    }
  }
  if (lexicon_dir.empty()) lexicon_dir = std::filesystem::path(DefaultRulesDir()) / "lexicon";

  auto lexicon = Lexicon::Load(lexicon_dir, overlays);
  if (!lexicon.ok()) {
    err << "earshot score: " << lexicon.status().message() << "\n";
    return kExitConfig;
  }
  const SentimentAnalyzer analyzer(*lexicon);

  std::string obuf;
  obuf.reserve(kFlushAt + 4096);
  auto emit = [&](std::string_view text) {
    const SentimentScores scores = analyzer.Score(text);
    if (json) {
      AppendScoresJson(scores, &obuf);
    } else {
      AppendScoresLine(scores, text, &obuf);
    }
  };

  if (!texts.empty()) {
    for (std::string_view t : texts) emit(t);
    return Flush(&obuf, out) ? kExitOk : kExitFailure;
  }

  // Stream stdin: a line may span reads, so its start is carried in `partial`.
  InputReader reader(in);
  std::vector<char> chunk(kReadChunk);
  std::string partial;
  // A line longer than kMaxCorpusLineBytes is not held: once past the limit its bytes are only
  // counted, and at its end one error line stands in for its scores (output stays one line per
  // input line). A 10 MB line once took `score --json` to 410 MB.
  int64_t line_number = 0;
  size_t skipping = 0;  // bytes of the over-long line being skipped, 0 when none
  auto take = [&](std::string_view piece) {
    if (skipping == 0 && partial.size() + piece.size() <= kMaxCorpusLineBytes) {
      partial.append(piece);
      return;
    }
    skipping += (skipping == 0 ? partial.size() : 0) + piece.size();
    std::string().swap(partial);
  };
  auto end_line = [&]() {
    ++line_number;
    if (skipping == 0) {
      emit(partial);
      partial.clear();
      if (partial.capacity() > kReadChunk) std::string().swap(partial);
      return;
    }
    const std::string why = fmt::format("line {}: {} bytes, longer than the {} limit; not scored",
                                        line_number, skipping, FormatByteLimit(kMaxCorpusLineBytes));
    err << "earshot score: " << why << "\n";
    obuf.append(json ? fmt::format("{{\"error\":\"{}\"}}\n", why) : fmt::format("error: {}\n", why));
    skipping = 0;
  };
  for (;;) {
    // Whatever is scored goes out before a read that may wait for more input.
    if (!Flush(&obuf, out)) return kExitFailure;
    const ssize_t got = reader.Read(chunk.data(), chunk.size());
    if (got < 0) {
      err << "earshot score: reading standard input failed: " << std::strerror(errno) << "\n";
      return kExitFailure;
    }
    if (got == 0) break;
    std::string_view data(chunk.data(), static_cast<size_t>(got));
    while (!data.empty()) {
      const size_t nl = data.find('\n');
      if (nl == std::string_view::npos) {
        take(data);
        break;
      }
      if (partial.empty() && skipping == 0 && nl <= kMaxCorpusLineBytes) {
        ++line_number;
        emit(data.substr(0, nl));
      } else {
        take(data.substr(0, nl));
        end_line();
      }
      data.remove_prefix(nl + 1);
      if (obuf.size() >= kFlushAt && !Flush(&obuf, out)) return kExitFailure;
    }
  }
  if (!partial.empty() || skipping > 0) end_line();
  return Flush(&obuf, out) ? kExitOk : kExitFailure;
}

}  // namespace earshot
