// Items a source skipped, by reason, for earshot_items_skipped_total{source,reason}. Every
// network's parser reports a skipped item as one line naming its id, the field and what was
// wrong ("status 12: 'account.acct': missing"); the reason is read from that line, so the
// parsers keep a single error type and the set of reasons stays small and fixed.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <string_view>

namespace earshot {

enum class SkipReason { kMissingField = 0, kWrongType = 1, kMalformedItem = 2 };

inline constexpr std::array<std::string_view, 3> kSkipReasonNames = {
    "missing_field",   // a required field is absent or null (an id, an author, a time)
    "wrong_type",      // a field of the wrong JSON type
    "malformed_item",  // anything else: an unparseable time, an item that is not an object
};

// The reason of one parser error line.
inline SkipReason ClassifySkip(std::string_view error_line) {
  if (error_line.find("wrong type") != std::string_view::npos) return SkipReason::kWrongType;
  if (error_line.ends_with(": missing")) return SkipReason::kMissingField;
  return SkipReason::kMalformedItem;
}

// Monotonic counters, written by the source's poller thread, read by scrapes.
struct SkippedItems {
  std::array<std::atomic<int64_t>, kSkipReasonNames.size()> by_reason{};

  // Counts one skipped item by its parser error line; returns the reason's name for the log.
  std::string_view Count(std::string_view error_line) {
    const SkipReason reason = ClassifySkip(error_line);
    by_reason[static_cast<size_t>(reason)].fetch_add(1, std::memory_order_relaxed);
    return kSkipReasonNames[static_cast<size_t>(reason)];
  }
};

}  // namespace earshot
