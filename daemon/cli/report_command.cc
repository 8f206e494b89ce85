#include "daemon/cli/report_command.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <ostream>
#include <system_error>

#include "daemon/base/duration.h"
#include "daemon/cli/commands.h"
#include "daemon/cli/svg_chart.h"

namespace earshot {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kUsage =
    "usage: earshot report [--config FILE] [--since DURATION|TIME] [--until TIME] [--tz ZONE] "
    "[--json] [--svg FILE]\n";

int Usage(std::ostream& err, std::string_view why) {
  err << "earshot report: " << why << "\n" << kUsage;
  return kExitUsage;
}

// "7d", "36h": back from the end of the window; or an RFC 3339 time.
std::optional<SystemTime> ParseSince(std::string_view text, SystemTime until) {
  if (auto d = ParseDuration(text); d.ok()) return until - *d;
  return ParseIso8601(text);
}

std::string Date(const CivilTime& c) {
  return fmt::format("{:04}-{:02}-{:02}", c.year, c.month, c.day);
}

// Writes `bytes` to a temporary file next to `path`, then renames it over `path`: a browser or
// a wiki reading the chart sees the old one or the new one, never a half-written file. An
// empty string when written, else why not.
std::string WriteAtomically(const fs::path& path, std::string_view bytes) {
  const fs::path temp =
      path.parent_path() / fmt::format(".{}.{}.tmp", path.filename().string(), ::getpid());
  {
    std::ofstream file(temp, std::ios::binary | std::ios::trunc);
    if (!file) return std::strerror(errno);
    file.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    file.close();
    if (!file) {
      std::error_code ignored;
      fs::remove(temp, ignored);
      return "the write failed (is the disk full?)";
    }
  }
  std::error_code ec;
  fs::rename(temp, path, ec);
  if (ec) {
    std::error_code ignored;
    fs::remove(temp, ignored);
    return ec.message();
  }
  return {};
}

}  // namespace

IncidentFacts FactsOf(const IncidentRecord& inc) {
  IncidentFacts f;
  f.id = inc.id;
  auto brand = inc.labels.find("brand");
  f.brand = brand == inc.labels.end() || brand->second.empty() ? "(no brand)" : brand->second;
  f.severity = inc.severity;
  f.opened_at = FirstOpenedAt(inc);
  if (inc.first_response) {
    f.first_response_at = inc.first_response->at;
    f.responder = inc.first_response->by;
  }
  f.due_at = inc.response_due_at;
  f.resolved = inc.status == IncidentStatus::kResolved;
  return f;
}

int PrintResponseReport(std::string_view command, OperatorStore& store, SystemTime since,
                        SystemTime until, const ReportOutput& output, std::ostream& out,
                        std::ostream& err) {
  auto records = store.ListIncidentsOpenedBetween(since, until);
  if (!records.ok()) {
    err << fmt::format("earshot {}: {}\n", command, records.status().message());
    return kExitFailure;
  }
  std::vector<IncidentFacts> facts;
  facts.reserve(records->size());
  for (const IncidentRecord& r : *records) facts.push_back(FactsOf(r));
  const ResponseReport report = BuildResponseReport(facts, since, until, output.zone);
  out << (output.json ? RenderResponseJson(report) + "\n"
                      : RenderResponseText(report, output.zone));
  out.flush();
  if (output.svg.empty()) return kExitOk;

  // The window's last day is the one holding its last instant: a week to midnight ends the
  // day before.
  const std::string title = fmt::format(
      "Complaints and first responses, {} to {} ({})", Date(output.zone.ToLocal(since)),
      Date(output.zone.ToLocal(until - std::chrono::milliseconds(1))), output.zone.name());
  const std::string svg = RenderDailyChartSvg(DailyChartOf(report, title));
  if (std::string why = WriteAtomically(output.svg, svg); !why.empty()) {
    err << fmt::format("earshot {}: cannot write the chart to {}: {}\n", command, output.svg, why);
    return kExitFailure;
  }
  err << fmt::format("earshot {}: chart of {} day(s) written to {}\n", command, report.days.size(),
                     output.svg);
  return kExitOk;
}

int RunReportOnStore(const std::vector<std::string>& args, OperatorStore& store, Clock& clock,
                     std::ostream& out, std::ostream& err, std::string_view default_zone) {
  std::string since_text = "7d", until_text, zone_name(default_zone);
  ReportOutput output;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--json") {
      output.json = true;
    } else if (a == "--since" || a == "--until" || a == "--tz" || a == "--svg") {
      if (i + 1 >= args.size()) return Usage(err, fmt::format("{} needs a value", a));
      const std::string& v = args[++i];
      if (a == "--since") since_text = v;
      if (a == "--until") until_text = v;
      if (a == "--tz") zone_name = v;
      if (a == "--svg") output.svg = v;
    } else {
      return Usage(err, fmt::format("unexpected argument '{}'", a));
    }
  }
  SystemTime until = clock.Now();
  if (!until_text.empty()) {
    auto t = ParseIso8601(until_text);
    if (!t) {
      return Usage(err, fmt::format("--until '{}' is not an RFC 3339 time; write one such as "
                                    "2026-11-23T00:00:00Z or 2026-11-23T00:00:00+01:00",
                                    until_text));
    }
    until = *t;
  }
  const std::optional<SystemTime> since = ParseSince(since_text, until);
  if (!since) {
    return Usage(err, fmt::format("--since '{}' is neither a duration back from the end (7d, "
                                  "36h, 90m) nor an RFC 3339 time (2026-11-16T00:00:00Z)",
                                  since_text));
  }
  if (*since >= until) {
    return Usage(err, fmt::format("the window {} to {} is empty: --since must come before "
                                  "--until (default: now)",
                                  FormatIso8601(*since), FormatIso8601(until)));
  }
  auto zone = TimeZone::Load(zone_name);
  if (!zone.ok()) return Usage(err, fmt::format("--tz: {}", zone.status().message()));
  output.zone = *std::move(zone);
  return PrintResponseReport("report", store, *since, until, output, out, err);
}

}  // namespace earshot
