// SourceCounters: the counters every source keeps, under the same names on every network, for
// /metrics (earshot_source_requests_total{source="x:airline"}, ...) and for tests. A network
// with counters of its own (X's user lookups, Bluesky's logins) adds them in a struct derived
// from this one, beside its source.
//
// Monotonic; written by the source's poller thread, read from any thread.
#pragma once

#include <atomic>
#include <cstdint>

#include "daemon/sources/skipped_items.h"

namespace earshot {

struct SourceCounters {
  std::atomic<int64_t> requests{0};          // HTTP requests made (a stream: its gap fills)
  std::atomic<int64_t> pages{0};             // pages that parsed
  std::atomic<int64_t> posts{0};             // posts delivered
  std::atomic<int64_t> bad_items{0};         // items skipped as unparseable (by reason below)
  std::atomic<int64_t> auth_errors{0};       // 401/403: the credential was refused
  std::atomic<int64_t> rate_limited{0};      // 429
  std::atomic<int64_t> server_errors{0};     // 5xx (a stream: any refused connect)
  std::atomic<int64_t> transport_errors{0};  // refused, timed out, cut off (a stream: drops)
  std::atomic<int64_t> malformed_pages{0};   // a page or answer that did not parse
  std::atomic<int64_t> client_errors{0};     // other 4xx
  SkippedItems skipped;                      // bad_items by reason
};

}  // namespace earshot
