// VADER's "but" rule, exactly as the reference applies it, quirks included.
//
// The reference halves every sentiment before the first "but" and multiplies every one after it
// by 1.5, but it finds each value's position with list.index(value): when two words carry the
// same sentiment, the first equal value is the one changed, which can leave a later word
// unshifted and shift an earlier one twice. Reference scores depend on this, so we reproduce it.
// Short lists take a direct scan; long ones (whole documents) a per-value min-heap of positions,
// so a long text with "but" stays O(n log n).
//
// Pure functions; safe from any thread.
#pragma once

#include <cstddef>
#include <vector>

namespace earshot::sentiment_internal {

// Applies the shift to `sentiments` for a "but" at `but_index`. Lists with more than
// `direct_limit` nonzero values use the heap form (the two forms give identical results).
void ApplyButShift(std::vector<double>* sentiments, size_t but_index, size_t direct_limit = 64);

}  // namespace earshot::sentiment_internal
