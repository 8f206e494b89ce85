#include "daemon/app/rule_hashtags.h"

#include <algorithm>

#include "detectors/matcher.h"
#include "detectors/rule_set.h"

namespace earshot {

std::vector<std::string> RuleHashtags(const Detector& detector) {
  const Matcher& matcher = detector.rules().matcher();
  std::vector<std::string> tags;
  for (size_t i = 0; i < matcher.atom_count(); ++i) {
    const Atom& atom = matcher.atom(static_cast<int>(i));
    if (atom.kind == AtomKind::kTagExact) tags.push_back(atom.literal);
  }
  std::sort(tags.begin(), tags.end());
  tags.erase(std::unique(tags.begin(), tags.end()), tags.end());
  return tags;
}

}  // namespace earshot
