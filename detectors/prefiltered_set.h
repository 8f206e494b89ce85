// PrefilteredSet: which of many regexes match somewhere in a text, like RE2::Set, at a cost that
// follows the regexes that could match rather than all of them. RE2's FilteredRE2 names the
// literals each regex requires; one Aho-Corasick pass (LiteralScanner) over the text finds
// those present, and only the regexes they allow run, each alone. A regex that requires no
// literal of 3 bytes or more (\d{6}) stays in a small set scanned over every text.
//
// An RE2::Set over thousands of regexes builds DFA states for every text it has not seen, so
// its cost per post grows with the rules; the literal pass does not.
//
// Built once, then immutable: Match may run on many threads at once.
#pragma once

#include <re2/filtered_re2.h>
#include <re2/re2.h>
#include <re2/set.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/base/status.h"
#include "detectors/literal_scanner.h"

namespace earshot {

class PrefilteredSet {
 public:
  PrefilteredSet() = default;

  // Compiles `patterns` (regex i is pattern i): each alone within `max_mem_per_regex`, the
  // sets within `max_mem_total`.
  Status Build(const std::vector<std::string>& patterns, int64_t max_mem_per_regex,
               int64_t max_mem_total);

  bool empty() const { return whole_ == nullptr; }

  // Fills `matched` with the indexes of the patterns that match somewhere in `text`, in no
  // particular order: the same answer as one RE2::Set over all of them. A scan the DFA gave up
  // on for lack of memory adds one to *dfa_failures.
  void Match(std::string_view text, std::vector<int>* matched,
             std::atomic<uint64_t>* dfa_failures) const;

 private:
  std::unique_ptr<re2::FilteredRE2> prefilter_;
  LiteralScanner literals_;
  std::vector<bool> unfiltered_;  // by pattern: judged by `unfiltered_set_`, not the prefilter
  std::unique_ptr<RE2::Set> unfiltered_set_;
  std::vector<int> unfiltered_ids_;  // regex of unfiltered_set_ -> pattern
  // Every pattern, for the texts the ASCII-folded literal pass cannot judge.
  std::unique_ptr<RE2::Set> whole_;
};

}  // namespace earshot
