// The complaint scorer on any bytes: a probability in [0, 1], the same from Score() and
// Explain(), every feature finite, and every cue it reports a span of the text.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string_view>

#include "daemon/base/paths.h"
#include "detectors/complaint_scorer.h"
#include "detectors/lexicon.h"
#include "detectors/sentiment.h"
#include "fuzz/fuzz_check.h"

namespace {

struct Scorers {
  earshot::SentimentAnalyzer sentiment;
  earshot::ComplaintScorer complaint;
};

const Scorers& Get() {
  static const Scorers* scorers = [] {
    const auto dir = std::filesystem::path(earshot::DefaultRulesDir()) / "lexicon";
    auto lexicon = earshot::Lexicon::Load(dir);
    FUZZ_CHECK(lexicon.ok(), "the shipped lexicon loads");
    auto model = earshot::ComplaintModel::Load(dir);
    FUZZ_CHECK(model.ok(), "the shipped complaint model loads");
    return new Scorers{earshot::SentimentAnalyzer(*lexicon), earshot::ComplaintScorer(*model)};
  }();
  return *scorers;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const Scorers& s = Get();
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto sentiment = s.sentiment.Score(text);
  for (const bool addressed : {false, true}) {
    const double p = s.complaint.Score(text, sentiment, addressed);
    FUZZ_CHECK(std::isfinite(p) && p >= 0 && p <= 1, "the complaint score is a probability");
    const auto why = s.complaint.Explain(text, sentiment, addressed);
    FUZZ_CHECK(why.probability == p, "Explain gives the probability Score gives");
    FUZZ_CHECK(std::isfinite(why.logit), "the logit is finite");
    for (const double f : why.features) FUZZ_CHECK(std::isfinite(f), "every feature is finite");
    const auto& cues = s.complaint.model().cues();
    for (const auto& hit : why.cues) {
      FUZZ_CHECK(hit.cue < cues.size(), "a hit names a cue of the model");
      FUZZ_CHECK(hit.begin < hit.end && hit.end <= size, "a hit is a span of the text");
      FUZZ_CHECK(std::isfinite(hit.strength), "a hit's strength is finite");
    }
  }
  return 0;
}
