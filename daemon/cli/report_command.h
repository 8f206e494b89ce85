// `earshot report [--since DUR|TIME] [--until TIME] [--tz ZONE] [--json] [--svg FILE]`: how fast
// support answered the complaints opened in a window (default: the last 7 days), per brand and
// severity, which still wait, and a day-by-day series; with --svg also the chart of that series.
// The numbers are response_stats.h's, on facts read from the state store; this file only reads
// them and decides where the output goes. Reads only; safe while the daemon runs (SQLite WAL).
// Plain functions: no state, any thread.
#pragma once

#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/base/clock.h"
#include "daemon/base/time_zone.h"
#include "daemon/cli/response_stats.h"
#include "daemon/state/operator_store.h"

namespace earshot {

// `args` are the words after `report` (and its --config); `clock` gives the default end of the
// window. Local days are `default_zone`'s (the command passes the zone of the config's
// `response.business_hours`, else UTC) unless --tz names another. Returns 0 when printed, 1 when the store or the chart's file fails, 2 on
// a usage error (a --since, --until or --tz that does not parse, or a window that ends before
// it starts).
int RunReportOnStore(const std::vector<std::string>& args, OperatorStore& store, Clock& clock,
                     std::ostream& out, std::ostream& err,
                     std::string_view default_zone = "UTC");

// What the report counts of a stored incident: its brand label ("(no brand)" without one), its
// first opening (FirstOpenedAt: a reopen does not restart the wait), the first response, the
// target's deadline and whether it is resolved.
IncidentFacts FactsOf(const IncidentRecord& inc);

// Where a report goes; `earshot replay --report` prints one too.
struct ReportOutput {
  TimeZone zone;
  bool json = false;
  std::string svg;  // the chart's file, empty for none
};

// Reads the complaints first opened in [since, until) from `store`, prints the report on `out`
// (text, or one line of JSON) and, when asked, writes the chart (atomically: a reader never
// sees half a file) and says where on `err`. `command` ("report") starts its error messages.
// Returns 0, or 1 when the store or the chart's file fails.
int PrintResponseReport(std::string_view command, OperatorStore& store, SystemTime since,
                        SystemTime until, const ReportOutput& output, std::ostream& out,
                        std::ostream& err);

}  // namespace earshot
