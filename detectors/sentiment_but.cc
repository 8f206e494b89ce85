#include "detectors/sentiment_but.h"

#include <functional>
#include <queue>
#include <unordered_map>

namespace earshot::sentiment_internal {
namespace {

double Shifted(double v, size_t si, size_t bi) { return si < bi ? v * 0.5 : v * 1.5; }

// A zero stays zero whatever the shift (only its sign could change, and nothing downstream
// reads the sign of a zero), so only nonzero values are visited.
void DirectShift(std::vector<double>& s, size_t bi, const std::vector<size_t>& nonzero) {
  for (size_t k : nonzero) {
    const double v = s[k];
    if (v == 0) continue;
    size_t si = k;
    for (size_t j : nonzero) {  // list.index(v): the first position holding an equal value
      if (j > k) break;
      if (s[j] == v) {
        si = j;
        break;
      }
    }
    if (si != bi) s[si] = Shifted(v, si, bi);
  }
}

void HeapShift(std::vector<double>& s, size_t bi, const std::vector<size_t>& nonzero) {
  using MinHeap = std::priority_queue<size_t, std::vector<size_t>, std::greater<>>;
  std::unordered_map<double, MinHeap> where;
  for (size_t k : nonzero) where[s[k]].push(k);
  for (size_t k : nonzero) {
    const double v = s[k];
    if (v == 0) continue;
    MinHeap& positions = where[v];
    const size_t si = positions.top();  // never after k: s[k] itself holds v
    if (si == bi) continue;
    positions.pop();
    const double shifted = Shifted(v, si, bi);
    s[si] = shifted;
    if (shifted != 0) where[shifted].push(si);
  }
}

}  // namespace

void ApplyButShift(std::vector<double>* sentiments, size_t but_index, size_t direct_limit) {
  std::vector<double>& s = *sentiments;
  thread_local std::vector<size_t> nonzero;  // reused: scoring allocates nothing per call
  nonzero.clear();
  for (size_t k = 0; k < s.size(); ++k) {
    if (s[k] != 0) nonzero.push_back(k);
  }
  if (nonzero.size() <= direct_limit) {
    DirectShift(s, but_index, nonzero);
  } else {
    HeapShift(s, but_index, nonzero);
  }
}

}  // namespace earshot::sentiment_internal
