// `earshot score` in-process: arguments, the --json stream from stdin, exit codes.
#include "daemon/cli/score_command.h"

#include <fmt/format.h>
#include <sys/resource.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <streambuf>

#include "daemon/base/file_read.h"
#include "daemon/cli/commands.h"
#include "tests/sentiment/sentiment_test_util.h"

namespace earshot {
namespace {

struct Run {
  int code;
  std::string out;
  std::string err;
};

Run Score(std::vector<std::string> args, const std::string& stdin_text = "") {
  std::vector<std::string> full = {"--lexicon", testing::LexiconDir()};
  full.insert(full.end(), args.begin(), args.end());
  std::istringstream in(stdin_text);
  std::ostringstream out, err;
  const int code = RunScoreCommand(full, in, out, err);
  return {code, out.str(), err.str()};
}

TEST_CASE("earshot score: prints compound, pos, neu and neg per TEXT", "[sentiment]") {
  const Run r = Score({"The book was good.", "VADER is not smart, handsome, nor funny."});
  CHECK(r.code == kExitOk);
  CHECK(r.out ==
        "compound=0.4404 pos=0.492 neu=0.508 neg=0.0\tThe book was good.\n"
        "compound=-0.7424 pos=0.0 neu=0.354 neg=0.646\tVADER is not smart, handsome, nor funny.\n");
  CHECK(r.err.empty());
}

TEST_CASE("earshot score: --json streams one object per stdin line, in order", "[sentiment]") {
  const Run r = Score({"--json"}, "The book was good.\n\nToday SUX!\nend of input, no newline");
  CHECK(r.code == kExitOk);
  CHECK(r.out ==
        "{\"compound\":0.4404,\"pos\":0.492,\"neu\":0.508,\"neg\":0.0}\n"
        "{\"compound\":0.0,\"pos\":0.0,\"neu\":0.0,\"neg\":0.0}\n"
        "{\"compound\":-0.5461,\"pos\":0.0,\"neu\":0.221,\"neg\":0.779}\n"
        "{\"compound\":-0.296,\"pos\":0.0,\"neu\":0.645,\"neg\":0.355}\n");
  const Run texts = Score({"--json", "good", "bad"});
  CHECK(texts.out ==
        "{\"compound\":0.4404,\"pos\":1.0,\"neu\":0.0,\"neg\":0.0}\n"
        "{\"compound\":-0.5423,\"pos\":0.0,\"neu\":0.0,\"neg\":1.0}\n");
}

TEST_CASE("earshot score: numbers are printed as the reference prints them", "[sentiment]") {
  std::string s;
  AppendRoundedScore(0.00015, 4, &s);  // the double is just below the tie: rounds down
  s += ' ';
  AppendRoundedScore(-0.00001, 4, &s);
  s += ' ';
  AppendRoundedScore(1.0, 3, &s);
  s += ' ';
  AppendRoundedScore(0.125, 2, &s);  // an exact tie goes to even, as Python's round()
  CHECK(s == "0.0001 -0.0 1.0 0.12");
}

TEST_CASE("earshot score: the fast number path prints what printf rounding prints", "[sentiment]") {
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> any(-1.0, 1.0);
  size_t differ = 0;
  for (int i = 0; i < 200000; ++i) {
    // Random values, and exact ties and near-ties of 3 and 4 decimals.
    double v = any(rng);
    if (i % 4 == 1) v = std::round(v * 2000) / 2000;
    if (i % 4 == 2) v = std::nextafter(std::round(v * 20000) / 20000, 2.0);
    for (int digits : {3, 4}) {
      std::string fast;
      AppendRoundedScore(v, digits, &fast);
      char buf[64];
      int len = std::snprintf(buf, sizeof buf, "%.*f", digits, v);
      while (len > 2 && buf[len - 1] == '0' && buf[len - 2] != '.') --len;
      if (fast != std::string(buf, static_cast<size_t>(len))) ++differ;
    }
  }
  CHECK(differ == 0);
}

TEST_CASE("earshot score: overlays apply, bad lexicon or overlay exits 78", "[sentiment]") {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("earshot-score-" + std::to_string(std::random_device()()));
  std::filesystem::create_directories(dir);
  const auto overlay = dir / "airline.tsv";
  std::ofstream(overlay) << "on hold\t-1.2\n";
  const auto bad = dir / "bad.yaml";
  std::ofstream(bad) << "words:\n  refund: lots\n";

  const Run with = Score({"--overlay", overlay.string(), "--json", "still on hold"});
  CHECK(with.code == kExitOk);
  // "on hold" is one word of -1.2: neg 2.2 / 3.2 = 0.6875, which rounds to even, 0.688.
  CHECK(with.out == "{\"compound\":-0.296,\"pos\":0.0,\"neu\":0.312,\"neg\":0.688}\n");

  const Run broken = Score({"--overlay", bad.string(), "good"});
  CHECK(broken.code == kExitConfig);
  CHECK_THAT(broken.err, Catch::Contains("bad.yaml:2:3: error:"));
  CHECK(broken.out.empty());

  std::istringstream in;
  std::ostringstream out, err;
  CHECK(RunScoreCommand({"--lexicon", (dir / "nowhere").string(), "x"}, in, out, err) ==
        kExitConfig);
  CHECK_THAT(err.str(), Catch::Contains("vader_lexicon.txt"));
  std::filesystem::remove_all(dir);
}

TEST_CASE("earshot score: usage errors exit 2", "[sentiment]") {
  CHECK(Score({"--bogus"}).code == kExitUsage);
  CHECK(Score({"--overlay"}).code == kExitUsage);
  const Run help = Score({"--help"});
  CHECK(help.code == kExitOk);
  CHECK_THAT(help.out, Catch::Contains("usage: earshot score"));
  // After "--", words that look like options are texts.
  const Run dashes = Score({"--", "--json"});
  CHECK(dashes.code == kExitOk);
  CHECK_THAT(dashes.out, Catch::EndsWith("\t--json\n"));
}

// Produces `lines` lines on demand, so the input itself takes no memory.
class GeneratedLines : public std::streambuf {
 public:
  explicit GeneratedLines(size_t lines) : left_(lines) {}

 protected:
  int_type underflow() override {
    if (left_ == 0) return traits_type::eof();
    buf_.clear();
    for (int i = 0; i < 512 && left_ > 0; ++i, --left_) {
      buf_ += (left_ % 2) ? "the flight was good but the delay was bad!\n" : "on hold for hours\n";
    }
    setg(buf_.data(), buf_.data(), buf_.data() + buf_.size());
    return traits_type::to_int_type(buf_[0]);
  }

 private:
  size_t left_;
  std::string buf_;
};

// Counts lines and checks their shape without keeping them.
class LineCounter : public std::streambuf {
 public:
  size_t lines = 0;
  size_t malformed = 0;

 protected:
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    for (std::streamsize i = 0; i < n; ++i) {
      if (at_line_start_ && s[i] != '{') ++malformed;
      at_line_start_ = s[i] == '\n';
      lines += at_line_start_;
    }
    return n;
  }
  int_type overflow(int_type c) override {
    const char ch = static_cast<char>(c);
    xsputn(&ch, 1);
    return c;
  }

 private:
  bool at_line_start_ = true;
};

long MaxRssKb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

TEST_CASE("earshot score: --json streams a million lines in bounded memory", "[sentiment]") {
  constexpr size_t kLines = 1000000;
  GeneratedLines source(kLines);
  std::istream in(&source);
  LineCounter sink;
  std::ostream out(&sink);
  std::ostringstream err;
  const long before = MaxRssKb();
  const int code = RunScoreCommand({"--lexicon", testing::LexiconDir(), "--json"}, in, out, err);
  const long growth_kb = MaxRssKb() - before;
  CHECK(code == kExitOk);
  CHECK(sink.lines == kLines);
  CHECK(sink.malformed == 0);
  // Output is flushed every 64 KiB and input read in 64 KiB chunks; 1M lines of output alone
  // would be ~60 MB if it were held.
  CHECK(growth_kb < 32 * 1024);
}

}  // namespace
}  // namespace earshot

namespace earshot {
namespace {

// A 10 MB line once took `score --json` to 410 MB: past the line limit a line is not scored,
// and one error line stands in for it, so output stays one line per input line.
TEST_CASE("earshot score: a line over the length limit is reported in place, not scored",
          "[sentiment]") {
  const std::string huge(kMaxCorpusLineBytes + 1, 'x');
  const Run r = Score({"--json"}, "good\n" + huge + "\nbad\n" + huge);
  CHECK(r.code == kExitOk);
  const std::string why2 = fmt::format("line 2: {} bytes, longer than the 1 MiB limit; not scored",
                                       kMaxCorpusLineBytes + 1);
  const std::string why4 = fmt::format("line 4: {} bytes, longer than the 1 MiB limit; not scored",
                                       kMaxCorpusLineBytes + 1);
  CHECK(r.out ==
        "{\"compound\":0.4404,\"pos\":1.0,\"neu\":0.0,\"neg\":0.0}\n"
        "{\"error\":\"" +
            why2 +
            "\"}\n"
            "{\"compound\":-0.5423,\"pos\":0.0,\"neu\":0.0,\"neg\":1.0}\n"
            "{\"error\":\"" +
            why4 + "\"}\n");
  CHECK(r.err == "earshot score: " + why2 + "\nearshot score: " + why4 + "\n");
}

}  // namespace
}  // namespace earshot
