#include "daemon/cli/incidents_command.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <ostream>

#include "daemon/base/duration.h"
#include "daemon/cli/commands.h"

namespace earshot {
namespace {

// Characters, not bytes: a handle may be UTF-8, and the column pads what a terminal shows.
size_t CodePoints(std::string_view s) {
  return static_cast<size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

}  // namespace

std::string ResponseColumn(const IncidentRecord& inc, SystemTime now) {
  if (inc.first_response) {
    auto network = inc.labels.find("network");
    return AnsweredText(*inc.first_response,
                        network == inc.labels.end() ? std::string_view() : network->second);
  }
  if (inc.status == IncidentStatus::kResolved) return "unanswered";
  const auto waited = std::chrono::duration_cast<Duration>(now - inc.opened_at);
  return "unanswered for " + FormatWait(std::max(waited, Duration(0)));
}

int RunIncidentsOnStore(const std::vector<std::string>& args, OperatorStore& store, Clock& clock,
                        std::ostream& out, std::ostream& err) {
  std::string status = "active";  // open + acknowledged
  size_t limit = 50;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--all") {
      status.clear();
    } else if (args[i] == "--status" && i + 1 < args.size()) {
      status = args[++i];
    } else if (args[i] == "--limit" && i + 1 < args.size()) {
      limit = static_cast<size_t>(std::max(1, std::atoi(args[++i].c_str())));
    } else {
      err << fmt::format(
          "earshot incidents: unexpected argument '{}'\nusage: earshot incidents "
          "[--config FILE] [--status open|acknowledged|resolved | --all] "
          "[--limit N]\n",
          args[i]);
      return kExitUsage;
    }
  }
  Result<std::vector<IncidentRecord>> incidents =
      status == "active" ? store.LoadActiveIncidents() : store.ListIncidents(status, limit);
  if (!incidents.ok()) {
    err << fmt::format("earshot incidents: {}\n", incidents.status().message());
    return kExitFailure;
  }
  const std::vector<IncidentRecord>& all = *incidents;
  const size_t shown = std::min(all.size(), limit);
  // The response column is as wide as its longest entry, so the summaries start in one column.
  const SystemTime now = clock.Now();
  std::vector<std::string> responses;
  size_t width = 0;
  for (size_t i = 0; i < shown; ++i) {
    responses.push_back(ResponseColumn(all[i], now));
    width = std::max(width, CodePoints(responses.back()));
  }
  for (size_t i = 0; i < shown; ++i) {
    const IncidentRecord& inc = all[i];
    out << fmt::format("{}  {:<12} {:<8} {:>4} post(s)  last {}  {}{}  {}\n", inc.id,
                       IncidentStatusName(inc.status), SeverityName(inc.severity), inc.post_count,
                       FormatIso8601(inc.last_post_at), responses[i],
                       std::string(width - CodePoints(responses[i]), ' '), inc.summary);
  }
  if (all.empty()) out << "no incidents\n";
  return kExitOk;
}

}  // namespace earshot
