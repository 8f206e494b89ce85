// The hashtags the loaded rule packs name literally (`hashtag: "{{brand}}sucks"` once {{brand}}
// is filled: "acmeairsucks"). The escalator takes them as known brand hashtags, so that the
// variants analysts already wrote rules for never open a "new-hashtag" incident
// (Escalator::SetRuleHashtags, at start and after every reload).
#pragma once

#include <string>
#include <vector>

#include "detectors/detector.h"

namespace earshot {

// Exact hashtag atoms of every rule, lowercase, sorted, each once. Prefixes and regexes are
// not names of one hashtag, so they are not included.
std::vector<std::string> RuleHashtags(const Detector& detector);

}  // namespace earshot
