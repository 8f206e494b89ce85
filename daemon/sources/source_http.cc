#include "daemon/sources/source_http.h"

#include <fmt/format.h>

#include <algorithm>

#include "daemon/base/log.h"

namespace earshot {
namespace {

using std::chrono::milliseconds;

double Secs(milliseconds d) { return static_cast<double>(d.count()) / 1000.0; }

}  // namespace

SourceHttp::Observer SourceHttp::Headers(RateBudget& budget, std::string limit,
                                         std::string remaining, std::string reset) {
  return [&budget, limit = std::move(limit), remaining = std::move(remaining),
          reset = std::move(reset)](const HttpResponse& resp) {
    budget.Observe(resp.Header(limit), resp.Header(remaining), resp.Header(reset));
  };
}

SourceHttp::SourceHttp(std::string name, std::string network, std::string host, RateBudget& budget,
                       SourceCounters& counters, Observer observe, milliseconds request_timeout)
    : name_(std::move(name)),
      network_(std::move(network)),
      host_(std::move(host)),
      budget_(budget),
      counters_(counters),
      observe_(std::move(observe)),
      request_timeout_(request_timeout) {}

Result<HttpResponse> SourceHttp::Send(std::stop_token stop, HttpClient& http, HttpRequest req,
                                      std::optional<Pace>* failed) {
  req.total_timeout = request_timeout_;
  req.connect_timeout = std::min(request_timeout_, milliseconds(10000));
  ++counters_.requests;
  Result<HttpResponse> sent = http.Send(req, stop);
  if (!sent.ok()) {
    if (sent.status().code() == Status::Code::kCancelled || stop.stop_requested()) {
      return Status::Cancelled(name_ + ": cancelled");
    }
    ++counters_.transport_errors;
    // The client's message names the host only, never the query or a token.
    *failed = Failure(sent.status().message());
    return sent.status();
  }
  observe_(*sent);
  return sent;
}

std::optional<Pace> SourceHttp::Throttled(const HttpResponse& resp) {
  if (resp.status == 429) {
    ++counters_.rate_limited;
    const auto [wait, why] = budget_.After429(resp.Header("retry-after"));
    log::Warn(name_,
              {{"source", name_},
               {"network", network_},
               {"host", host_},
               {"http_status", 429},
               {"retry_in_ms", wait.count()}},
              "HTTP 429 from {}: rate limited; waiting {:.1f}s ({})", host_, Secs(wait), why);
    return Pace{wait};
  }
  if (resp.status >= 500) {
    ++counters_.server_errors;
    return Failure(fmt::format("HTTP {} from {}", resp.status, host_));
  }
  return std::nullopt;
}

void SourceHttp::PageArrived(SourceBatch* batch, const std::vector<std::string>& errors,
                             std::string_view noun) {
  budget_.ResetBackoff();
  batch->fetched = true;
  ++counters_.pages;
  for (const std::string& error : errors) {
    ++counters_.bad_items;
    const std::string_view reason = counters_.skipped.Count(error);
    log::Warn(name_, "skipped a bad {} from {} ({}): {}", noun, host_, reason, error);
  }
}

Pace SourceHttp::Malformed(std::string_view what, size_t bytes, const Status& why) {
  ++counters_.malformed_pages;
  return Failure(
      fmt::format("malformed {} from {} ({} bytes): {}", what, host_, bytes, why.message()));
}

Pace SourceHttp::Failure(std::string_view what) {
  const milliseconds wait = budget_.Backoff();
  log::Warn(name_,
            {{"source", name_},
             {"network", network_},
             {"host", host_},
             {"retry_in_ms", wait.count()},
             {"failures", budget_.failures()}},
            "{}; retrying in {:.1f}s (failure {} in a row)", what, Secs(wait), budget_.failures());
  return Pace{wait};
}

}  // namespace earshot
