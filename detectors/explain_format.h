// ExplainFormat: a Detector's explanation of one post (Detector::Explain) as analysts read it,
// for `earshot explain` and under the failures of `earshot test`, and as one JSON object per
// post, for `earshot explain --json` and the scripts that fit the complaint weights.
//
// Human text, one block per post:
//
//   post 1: @AcmeAir my bag never arrived in Denver, but thanks for the voucher I guess
//     complaint 0.846 (logit 1.704); sentiment compound 0.593, pos 0.228, neu 0.772, neg 0
//     cues:
//       never arrived: unmet, strength 0.75, before but  rules/lexicon/complaint_cues.tsv:310
//       ...
//     features (value x weight = contribution):
//       bias                     1 x -2.447 = -2.447
//       addressed                1 x 2.313  = +2.313
//       ...
//     rules:
//       lost-baggage [acmeair] complaint: matched  rules/complaints.yaml:125
//         all: true
//           macro mentions_brand: true
//             any: true
//               mention @acmeair: true
//               ...
//           near 3 words: [lost, lose, losing, missing, ...] and [bag, bags, luggage, ...]: true
//           macro reads_as_complaint: true
//             complaint above 0.3: true (0.846)
//
// Cues in text order, each with the text it matched when that differs from the lexicon's
// phrase, the class it counted as after negation ("resolution as unmet") and its strength after
// contrast ("but") and negation; features sorted by |contribution|, those valued 0 left out;
// each condition named by what the rule file wrote (macro and list names, the atom's pattern or
// terms, long lists and regexes cut with "...") and whether it held, a macro's tree shown once
// per post and brand ("(as above)" after that). Lines stay within about 100 columns.
//
// JSON (one line, no newline appended): "id", "text", "complaint_score", "logit",
// "sentiment" {compound, pos, neu, neg}, "cues" [{phrase, matched, class, counted_as, strength,
// negated, contrast ("before_but", "after_but" or "none"), where}], "features" and
// "contributions" (value x weight) with every feature by FeatureName(), zeros included, and
// "rules" [{id, brand, category, matched, conditions: {kind, what, holds, children}}] for the
// traces given ("what" cut like the text's lists, at about 120 characters). Always valid UTF-8
// JSON: strings go through AppendJsonEscaped, and numbers that are not finite are written as 0.
//
// The Append functions are pure functions of their arguments, safe from any thread.
#pragma once

#include <string>
#include <string_view>

#include "detectors/detector.h"
#include "daemon/model/post.h"

namespace earshot {

struct ExplainFormat {
  std::string indent;  // before every line
  bool text = true;    // open with "post ID: TEXT" (`earshot test` prints the text itself)
  // Cut from the front of file names (cue and rule locations) so lines stay short: the
  // working directory with a trailing '/', say. Names elsewhere stay as they are.
  std::string strip_prefix;
};

// The working directory with a trailing '/', for strip_prefix; "" when it cannot be read.
std::string WorkingDirPrefix();

// Appends the human explanation of `post`, whose explanation by `detector` is `e`, one line per
// item, each ending in '\n'. The rules shown are exactly e.rules.
void AppendExplanationText(const Detector& detector, const Post& post, const PostExplanation& e,
                           const ExplainFormat& format, std::string* out);

// Appends the JSON object described above (no trailing newline).
void AppendExplanationJson(const Detector& detector, const Post& post, const PostExplanation& e,
                           std::string* out);

}  // namespace earshot
