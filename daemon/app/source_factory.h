// BuildSource: turns one `sources:` entry into the network's Source, and exposes the counters
// every source keeps (under the same names on every network) for /metrics. The only place that
// knows the list of networks; adding one is a branch here and a choice in config_loader.cc.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "daemon/app/app_config.h"
#include "daemon/app/rate_budgets.h"
#include "daemon/base/result.h"
#include "daemon/sources/skipped_items.h"
#include "daemon/sources/source.h"

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
};

struct BuiltSource {
  std::unique_ptr<Source> source;
  SourceCounters counters;
};

// kInvalidArgument naming the field when the network's source refuses the settings. With
// `budgets`, the source paces with the other sources of its credential (rate_budgets.h);
// without, on a budget of its own.
Result<BuiltSource> BuildSource(const SourceSettings& settings, const std::string& user_agent,
                                RateBudgetRegistry* budgets = nullptr);

}  // namespace earshot
