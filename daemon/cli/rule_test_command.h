// `earshot test FILE...`: rule unit tests, in the spirit of promtool's. Each FILE is YAML:
//
//   rule_files: [../complaints.yaml]     # relative to the test file
//   brands: [AcmeAir]                    # fills {{brand}}
//   lexicon: ../lexicon                  # optional; default: the rules directory's lexicon/
//   tests:
//     - name: "#AcmeAirSucks with a lost bag"
//       post: {text: "#AcmeAirSucks lost my bag in Denver", followers: 120}
//       expect:
//         rules: [brand-sucks-hashtag, lost-baggage]   # exactly these rule ids matched
//         categories: [complaint]                      # exactly these categories
//         escalate: true                               # a live complaint matched
//         severity: high                               # the loudest live complaint
//         labels: {brand: acmeair}                     # carried by some detection
//         sentiment: {below: 0}
//
// A post's hashtags and mentions come from its text unless given. Each failing case is named
// with expected vs got; the exit code is 0 when all pass, 1 on a failure, 2 on usage errors and
// 78 when a test or rule file is invalid. Runs on the calling thread; reads files.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace earshot {

int RunRuleTestCommand(const std::vector<std::string>& args, std::ostream& out,
                       std::ostream& err);

}  // namespace earshot
