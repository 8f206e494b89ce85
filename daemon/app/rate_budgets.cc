#include "daemon/app/rate_budgets.h"

#include <fmt/format.h>

#include <algorithm>

#include "daemon/app/prometheus_text.h"
#include "daemon/base/duration.h"
#include "daemon/sources/source_registry.h"

namespace earshot {
namespace {

using std::chrono::seconds;

std::string WindowText(seconds window) {
  if (window.count() % 60 == 0) return fmt::format("{} min", window.count() / 60);
  return fmt::format("{} s", window.count());
}

std::string JoinNames(const std::vector<std::string>& names) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += i + 1 == names.size() ? " and " : ", ";
    out += names[i];
  }
  return out;
}

}  // namespace

const NetworkQuota* QuotaOf(const SourceSettings& s) {
  const SourceFactory* factory = BuiltinSources().Find(s.type);
  return factory ? &factory->quota() : nullptr;
}

std::string RateBudgetKey(const SourceSettings& s) {
  const SourceFactory* factory = BuiltinSources().Find(s.type);
  if (factory == nullptr) return s.type + "|" + s.name;  // unknown: a budget of its own
  return factory->BudgetKey(s);
}

std::string SourceDisplayName(const SourceSettings& s) { return s.type + ":" + s.name; }

int64_t RequestsPerWindow(const SourceSettings& s) {
  const NetworkQuota* quota = QuotaOf(s);
  if (quota == nullptr || s.poll_interval.count() <= 0) return 0;
  const int64_t per_poll = BuiltinSources().Find(s.type)->RequestsPerPoll(s);
  const int64_t window_ms = std::chrono::milliseconds(quota->window).count();
  const int64_t polls = (window_ms + s.poll_interval.count() - 1) / s.poll_interval.count();
  return polls * per_poll;
}

void CheckRateBudgets(const AppConfig& config, Diagnostics* diags) {
  struct Group {
    const SourceSettings* first = nullptr;
    std::vector<std::string> names;
    int64_t need = 0;
    int64_t per_poll_sum = 0;  // requests of one poll of every polling source together
  };
  std::vector<std::string> order;
  std::map<std::string, Group> groups;
  for (const SourceSettings& s : config.sources) {
    if (QuotaOf(s) == nullptr) continue;
    const std::string key = RateBudgetKey(s);
    auto [it, fresh] = groups.try_emplace(key);
    if (fresh) order.push_back(key);
    Group& g = it->second;
    if (g.first == nullptr) g.first = &s;
    g.names.push_back(SourceDisplayName(s));
    const int64_t need = RequestsPerWindow(s);
    g.need += need;
    if (need > 0) g.per_poll_sum += BuiltinSources().Find(s.type)->RequestsPerPoll(s);
  }
  for (const std::string& key : order) {
    const Group& g = groups[key];
    const NetworkQuota& q = *QuotaOf(*g.first);
    if (g.need <= q.requests) continue;
    // The one poll_interval, for every source of the credential, that fits the quota.
    const int64_t window_ms = std::chrono::milliseconds(q.window).count();
    int64_t fit_ms = (g.per_poll_sum * window_ms + q.requests - 1) / q.requests;
    fit_ms = (fit_ms + 999) / 1000 * 1000;  // whole seconds
    const std::string who =
        g.names.size() == 1
            ? fmt::format("source {} needs", g.names.front())
            : fmt::format(
                  "sources {} share one {} {} and need", JoinNames(g.names), q.network,
                  q.anonymous != nullptr && g.first->secret.empty() ? q.anonymous : q.credential);
    diags->Warning(g.first->file, g.first->line, g.first->column,
                   fmt::format("{} {} requests per {}; {} allows {}. Raise poll_interval to at "
                               "least {}{}",
                               who, g.need, WindowText(q.window), q.network, q.requests,
                               FormatDuration(std::chrono::milliseconds(fit_ms)),
                               g.names.size() == 1 ? "" : " on each"));
  }
}

std::shared_ptr<SharedRateBudget> RateBudgetRegistry::For(const SourceSettings& s) {
  const std::string key = RateBudgetKey(s);
  auto [it, fresh] = by_key_.try_emplace(key, entries_.size());
  if (fresh) {
    entries_.push_back(Entry{s.type, std::make_shared<SharedRateBudget>(SourceDisplayName(s))});
    return entries_.back().budget;
  }
  Entry& entry = entries_[it->second];
  entry.budget->set_name(entry.budget->name() + "," + SourceDisplayName(s));
  return entry.budget;
}

void WriteRateBudgetMetrics(PrometheusText* t, const RateBudgetRegistry& budgets,
                            SystemTime now) {
  struct Row {
    std::string network, name;
    SharedRateBudget::Snapshot s;
  };
  std::vector<Row> rows;
  for (const RateBudgetRegistry::Entry& e : budgets.budgets()) {
    rows.push_back(Row{e.network, e.budget->name(), e.budget->Read()});
  }
  t->Family("earshot_rate_budget_remaining", "gauge",
            "Requests left in the credential's rate-limit window, as the network last said.");
  for (const Row& r : rows) {
    if (!r.s.remaining) continue;
    t->Sample("earshot_rate_budget_remaining", {{"network", r.network}, {"budget", r.name}},
              static_cast<double>(*r.s.remaining));
  }
  t->Family("earshot_rate_budget_limit", "gauge",
            "Requests the credential's rate-limit window allows.");
  for (const Row& r : rows) {
    if (!r.s.limit) continue;
    t->Sample("earshot_rate_budget_limit", {{"network", r.network}, {"budget", r.name}},
              static_cast<double>(*r.s.limit));
  }
  t->Family("earshot_rate_budget_reset_seconds", "gauge",
            "Seconds until the credential's rate-limit window resets (0 once passed).");
  for (const Row& r : rows) {
    if (!r.s.reset) continue;
    const double left = std::chrono::duration<double>(*r.s.reset - now).count();
    t->Sample("earshot_rate_budget_reset_seconds", {{"network", r.network}, {"budget", r.name}},
              std::max(left, 0.0));
  }
}

}  // namespace earshot
