// SourceHttp: the part of one request that every polling source makes alike, so each network's
// source keeps only what its API means. It sends with the source's timeouts, counts the
// request, turns a transport failure into a logged backoff, feeds the rate budget from the
// network's rate-limit headers, and answers 429 (wait as the network asks) and 5xx (backoff
// with jitter) the same way on every network. What a 401/403 or another 4xx means stays in the
// source: each network says different things to fix.
//
// Log lines name the source and the host only, never the URL's query or a credential.
//
// Threads: owned by its source and used on the source's poller thread only.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/base/result.h"
#include "daemon/net/http_client.h"
#include "daemon/sources/rate_budget.h"
#include "daemon/sources/source.h"
#include "daemon/sources/source_counters.h"

namespace earshot {

class SourceHttp {
 public:
  // Reads a response's rate-limit headers into the budget.
  using Observer = std::function<void(const HttpResponse&)>;
  // The usual three headers (limit, remaining, reset as the budget reads them).
  static Observer Headers(RateBudget& budget, std::string limit, std::string remaining,
                          std::string reset);

  // `name` ("x:airline") and `network` ("x") label log lines; `host` is where requests go.
  // `budget` and `counters` must outlive this object (members of the same source); it moves
  // requests, transport_errors, rate_limited and server_errors.
  SourceHttp(std::string name, std::string network, std::string host, RateBudget& budget,
             SourceCounters& counters, Observer observe, std::chrono::milliseconds request_timeout);

  // Sends `req` (the caller sets URL, method and headers; timeouts are set here). Returns the
  // response of any status, its rate-limit headers observed. kCancelled once `stop` is
  // requested. A transport failure (refused, timeout, truncated) is counted, logged and
  // returned as its Status, with the backoff in *failed.
  Result<HttpResponse> Send(std::stop_token stop, HttpClient& http, HttpRequest req,
                            std::optional<Pace>* failed);

  // 429: waits Retry-After, else the window's reset, else backoff, and holds back every source
  // of the credential. 5xx: backoff with full jitter. Both counted and logged. nullopt for any
  // other status, which is the source's to judge.
  std::optional<Pace> Throttled(const HttpResponse& resp);

  // A page came back and parsed: the network answered (SourceBatch::fetched), the failure
  // streak ends, and the page is counted. Each of `errors`, an item of it that did not parse
  // (a `noun`: "item", "tweet", "post"), is counted by reason and logged; the rest of the page
  // is the source's to deliver.
  void PageArrived(SourceBatch* batch, const std::vector<std::string>& errors,
                   std::string_view noun);

  // A body that did not parse (`what`: "page", "listing"): counted, and backed off as any
  // failure; the cursor stays where it was.
  Pace Malformed(std::string_view what, size_t bytes, const Status& why);

  // The next backoff after a failure `what` ("HTTP 502 from api.x.com"), logged as a warning
  // with the failures in a row.
  Pace Failure(std::string_view what);

  const std::string& host() const { return host_; }

 private:
  const std::string name_, network_, host_;
  RateBudget& budget_;
  SourceCounters& counters_;
  Observer observe_;
  const std::chrono::milliseconds request_timeout_;
};

}  // namespace earshot
