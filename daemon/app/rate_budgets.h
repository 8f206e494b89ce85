// RateBudgets: one shared rate budget per network credential, so the sources of one earshot.yaml
// that spend the same quota pace together instead of each as if it had the whole quota (two X
// queries under one bearer token, a Mastodon hashtag and mentions under one token).
//
// What counts as one credential (RateBudgetKey), per network:
//   mastodon  instance host + access token. Mastodon counts 300 requests per 5 minutes per
//             account (per IP without a token: all token-less sources of an instance share).
//   x         API host + the endpoint + bearer token. X counts per endpoint and per app
//             (app-only Bearer), so a recent search and another endpoint (a mentions timeline)
//             under one token are two budgets; every current X source is a recent search.
//   bluesky   service host + account identifier (case-insensitive). The PDS counts 3000
//             requests per 5 minutes per IP, so sources of several accounts on one host may
//             still meet 429s together; each account's sources pace together.
//   reddit    API host + OAuth client id. Reddit counts 100 queries per minute per client id.
// The key holds a hash of the secret, never the secret, and is never printed: budgets are
// named for metrics by their network and the names of the sources sharing them.
//
// CheckRateBudgets is `earshot check`'s estimate of the requests each credential needs against
// the network's documented quota (docs/sources.md "Rate budgets").
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "daemon/app/app_config.h"
#include "daemon/app/prometheus_text.h"
#include "daemon/config/diagnostics.h"
#include "daemon/sources/rate_budget.h"

namespace earshot {

// A network's documented quota for one credential.
struct NetworkQuota {
  const char* network;     // "X"
  const char* credential;  // "bearer token"
  int64_t requests;        // 450
  std::chrono::seconds window;
};

// nullptr for an unknown network type.
const NetworkQuota* QuotaOf(const SourceSettings& s);

// Which quota a source spends (see the header comment). Contains no secret in clear.
std::string RateBudgetKey(const SourceSettings& s);

// The source's name in logs and metrics: "x:airline".
std::string SourceDisplayName(const SourceSettings& s);

// The estimate: requests per quota window one source needs when caught up, i.e. one poll every
// poll_interval times the requests of one poll (one page; a Bluesky poll that finds posts also
// asks for their authors' profiles, so two). A Mastodon stream polls nothing (its gap fills
// follow reconnects only): zero. Pages of a backlog come on top; the shared budget paces them.
int64_t RequestsPerWindow(const SourceSettings& s);

// Warns, at the first source of each credential, when its sources together need more requests
// per window than the network allows, and names the poll_interval that would fit.
void CheckRateBudgets(const AppConfig& config, Diagnostics* diags);

// Hands out the shared budgets while the App builds its sources. Not thread-safe (used while
// building); the budgets it returns are.
class RateBudgetRegistry {
 public:
  // The budget of the source's credential, created on first use. The source's display name
  // joins the budget's name ("x:airline,x:brand").
  std::shared_ptr<SharedRateBudget> For(const SourceSettings& s);

  struct Entry {
    std::string network;  // "x"
    std::shared_ptr<SharedRateBudget> budget;
  };
  // In order of first use.
  const std::vector<Entry>& budgets() const { return entries_; }

 private:
  std::map<std::string, size_t> by_key_;  // RateBudgetKey -> index in entries_
  std::vector<Entry> entries_;
};

// /metrics, per budget: earshot_rate_budget_remaining, _limit and _reset_seconds (until the
// window resets, 0 once passed), as the network last reported them, labelled
// {network="x", budget="x:airline,x:brand"}: the sources sharing it, never the credential. A
// budget no response has filled yet has no samples.
void WriteRateBudgetMetrics(PrometheusText* t, const RateBudgetRegistry& budgets, SystemTime now);

}  // namespace earshot
