// `earshot explain`: why the detector says what it says about a post, for analysts tuning rules
// and for the scripts that fit the complaint weights.
//
//   earshot explain [--config FILE | --rules FILE... --brand NAME... --lexicon DIR]
//                   [--json] [--all-rules] [TEXT... | -]
//
// Each TEXT is one post (its hashtags and mentions read from the text, as replay does); with
// `-` or no TEXT, posts come from stdin one JSON object per line, in replay's corpus format
// (corpus_input.h), and the rules come from the same flags as replay's. For each post it prints
// the complaint score and logit, every complaint cue found, each feature's contribution, VADER's
// scores, and each candidate rule's condition tree with the truth of every condition
// (--all-rules: every rule). --json prints one object per post per line instead, with every
// feature of the complaint model (explain_format.h); a line that cannot be read gives
// {"line":N,"error":"..."} in place (on stderr without --json) and explain goes on.
// Exit codes: 0, 2 usage, 78 bad rules or config.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace earshot {

int RunExplainCommand(const std::vector<std::string>& args, std::istream& in, std::ostream& out,
                      std::ostream& err);

}  // namespace earshot
