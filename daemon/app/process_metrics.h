// The process_* metrics every Prometheus client library exports (client_golang's process
// collector, client_python's ProcessCollector), so earshot's memory, CPU and file descriptors sit
// in the same dashboards and alerts as any other service's. Read from /proc/self at scrape time;
// only /proc/self is needed, because the unit's ProcSubset=pid hides /proc/stat and /proc/uptime.
#pragma once

#include <string_view>

#include "daemon/app/prometheus_text.h"
#include "daemon/base/result.h"

namespace earshot {

struct ProcessStats {
  double cpu_seconds = 0;          // user + system time
  double resident_memory_bytes = 0;
  double virtual_memory_bytes = 0;
  double open_fds = 0;
  double max_fds = 0;              // the soft RLIMIT_NOFILE, as "Max open files" in limits
  double start_time_seconds = 0;   // Unix time
};

// The fields of a /proc/<pid>/stat line that the metrics need, without the clock: `ticks_per_s`
// is sysconf(_SC_CLK_TCK), `page_bytes` the page size, `boot_unix_seconds` when the machine
// booted. kInvalidArgument when the line is not one.
Result<ProcessStats> ParseProcStat(std::string_view stat_line, double ticks_per_s,
                                   double page_bytes, double boot_unix_seconds);

// Everything, for this process now. An error when /proc is not mounted.
Result<ProcessStats> ReadProcessStats();

// The six families; on error (no /proc) none, so a scrape never shows made-up zeros.
void WriteProcessMetrics(PrometheusText* t);

}  // namespace earshot
