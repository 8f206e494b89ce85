// SourceCounters: the counters every source keeps, under the same names on every network, for
// /metrics (earshot_source_requests_total{source="x:airline"}, ...).
#pragma once

#include <atomic>
#include <cstdint>

#include "daemon/sources/skipped_items.h"

namespace earshot {

// Pointers into the source's own stats; valid as long as the source lives. nullptr where a
// kind of source has no such counter (a stream makes no paged requests, so no malformed pages).
struct SourceCounters {
  const std::atomic<int64_t>* requests = nullptr;
  const std::atomic<int64_t>* posts = nullptr;
  const std::atomic<int64_t>* bad_items = nullptr;
  const std::atomic<int64_t>* rate_limited = nullptr;
  const std::atomic<int64_t>* auth_errors = nullptr;
  const std::atomic<int64_t>* server_errors = nullptr;
  const std::atomic<int64_t>* transport_errors = nullptr;
  const std::atomic<int64_t>* malformed_pages = nullptr;
  const SkippedItems* skipped = nullptr;  // bad_items by reason

  // Every network's stats struct names these counters alike.
  template <class Stats>
  static SourceCounters Of(const Stats& s) {
    return {&s.requests,         &s.posts,           &s.bad_items,
            &s.rate_limited,     &s.auth_errors,     &s.server_errors,
            &s.transport_errors, &s.malformed_pages, &s.skipped};
  }
};

}  // namespace earshot
