#include "daemon/app/process_metrics.h"

#include <fmt/format.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace earshot {

Result<ProcessStats> ParseProcStat(std::string_view stat_line, double ticks_per_s,
                                   double page_bytes, double boot_unix_seconds) {
  // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so the fields start after
  // the LAST ')'. Counted from state (field 3 in proc(5)), utime is index 11, stime 12,
  // starttime 19, vsize 20 and rss 21.
  const size_t close = stat_line.rfind(')');
  if (close == std::string_view::npos || ticks_per_s <= 0) {
    return Status::InvalidArgument("not a /proc/<pid>/stat line");
  }
  std::vector<std::string_view> fields;
  std::string_view rest = stat_line.substr(close + 1);
  while (!rest.empty()) {
    const size_t start = rest.find_first_not_of(" \n");
    if (start == std::string_view::npos) break;
    rest.remove_prefix(start);
    const size_t end = std::min(rest.find_first_of(" \n"), rest.size());
    fields.push_back(rest.substr(0, end));
    rest.remove_prefix(end);
  }
  if (fields.size() < 22) return Status::InvalidArgument("a /proc/<pid>/stat line is too short");
  auto number = [&](size_t i, double* out) {
    int64_t v = 0;
    const auto [ptr, ec] = std::from_chars(fields[i].data(), fields[i].data() + fields[i].size(), v);
    if (ec != std::errc() || ptr != fields[i].data() + fields[i].size()) return false;
    *out = static_cast<double>(v);
    return true;
  };
  double utime = 0, stime = 0, starttime = 0, vsize = 0, rss = 0;
  if (!number(11, &utime) || !number(12, &stime) || !number(19, &starttime) ||
      !number(20, &vsize) || !number(21, &rss)) {
    return Status::InvalidArgument("a /proc/<pid>/stat field is not a number");
  }
  ProcessStats s;
  s.cpu_seconds = (utime + stime) / ticks_per_s;
  s.start_time_seconds = boot_unix_seconds + starttime / ticks_per_s;
  s.virtual_memory_bytes = vsize;
  s.resident_memory_bytes = rss * page_bytes;
  return s;
}

namespace {

double Seconds(clockid_t clock) {
  timespec ts{};
  clock_gettime(clock, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

}  // namespace

Result<ProcessStats> ReadProcessStats() {
  std::string line;
  {  // closed before the descriptors are counted
    std::ifstream in("/proc/self/stat");
    if (!in || !std::getline(in, line)) {
      return Status::Unavailable("/proc/self/stat cannot be read (is /proc mounted?)");
    }
  }
  // The boot time from the clocks rather than /proc/stat's btime: starttime counts from boot on
  // CLOCK_BOOTTIME, and /proc/stat is hidden under ProcSubset=pid.
  const double boot = Seconds(CLOCK_REALTIME) - Seconds(CLOCK_BOOTTIME);
  auto stats = ParseProcStat(line, static_cast<double>(sysconf(_SC_CLK_TCK)),
                             static_cast<double>(sysconf(_SC_PAGESIZE)), boot);
  if (!stats.ok()) return stats.status();

  std::error_code ec;
  std::filesystem::directory_iterator fds("/proc/self/fd", ec);
  if (ec) return Status::Unavailable(fmt::format("/proc/self/fd: {}", ec.message()));
  // The listing holds the descriptor that reads it; it is not one of the process's own.
  const auto n = std::distance(fds, std::filesystem::directory_iterator());
  stats->open_fds = static_cast<double>(n > 0 ? n - 1 : 0);

  rlimit nofile{};
  if (getrlimit(RLIMIT_NOFILE, &nofile) == 0) {
    stats->max_fds = static_cast<double>(nofile.rlim_cur);
  }
  return stats;
}

void WriteProcessMetrics(PrometheusText* t) {
  auto stats = ReadProcessStats();
  if (!stats.ok()) return;
  // Names, types and help texts as client_golang's process collector writes them.
  t->Family("process_cpu_seconds_total", "counter",
            "Total user and system CPU time spent in seconds.");
  t->Sample("process_cpu_seconds_total", {}, stats->cpu_seconds);
  t->Family("process_open_fds", "gauge", "Number of open file descriptors.");
  t->Sample("process_open_fds", {}, stats->open_fds);
  t->Family("process_max_fds", "gauge", "Maximum number of open file descriptors.");
  t->Sample("process_max_fds", {}, stats->max_fds);
  t->Family("process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.");
  t->Sample("process_virtual_memory_bytes", {}, stats->virtual_memory_bytes);
  t->Family("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.");
  t->Sample("process_resident_memory_bytes", {}, stats->resident_memory_bytes);
  t->Family("process_start_time_seconds", "gauge",
            "Start time of the process since unix epoch in seconds.");
  t->Sample("process_start_time_seconds", {}, stats->start_time_seconds);
}

}  // namespace earshot
