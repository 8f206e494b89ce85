// Response statistics for `earshot report`: how fast support answered public complaints, per
// brand and severity, which answers came after their target, which complaints still wait, and
// a daily series for the chart. Support teams judge themselves by time to first response, so
// that is the one duration measured here. Pure functions on plain facts: the command reads the
// facts from the state store, these turn them into numbers and text.
//
// Everything is "as of `until`": a response stamped at or after `until` has not happened yet,
// so a report for last week reads the same whenever it is printed.
//
// Percentiles are nearest-rank (Hyndman & Fan's definition 1, the inverse of the empirical
// distribution, no interpolation): of n response times sorted ascending, the p-th percentile
// is the value at 1-based rank ceil(p/100 * n). It is always a response time that happened,
// never an average of two, so "p90 = 1h05m" names a real customer's wait. With 2 values p50
// is the smaller and p90 the larger; with 10 values p50 is the 5th and p90 the 9th. The daily
// median is the same p50.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "daemon/base/civil_time.h"
#include "daemon/base/clock.h"
#include "daemon/base/duration.h"
#include "daemon/base/severity.h"
#include "daemon/base/time_zone.h"

namespace earshot {

// What the state store knows about one incident.
struct IncidentFacts {
  std::string id;  // the incident key, shown in the unanswered list
  std::string brand;
  Severity severity = Severity::kMedium;
  SystemTime opened_at;
  std::optional<SystemTime> first_response_at;  // the brand's first public answer
  std::string responder;                        // its author's handle; empty when unknown
  // The response target's deadline. A time rather than a target duration because business
  // hours can put it further than opened_at + target (daemon/base/business_hours.h).
  std::optional<SystemTime> due_at;
  bool resolved = false;
};

// Counts and first-response times of a set of incidents.
struct ResponseSummary {
  int64_t incidents = 0;
  int64_t answered = 0;  // first response before `until`
  // Nearest-rank percentiles of first-response times; empty when nothing was answered.
  std::optional<Duration> p50;
  std::optional<Duration> p90;
  std::optional<Duration> max;
  // Answered after due_at, or unanswered with due_at before `until`.
  int64_t breaches = 0;
};

struct UnansweredIncident {
  std::string id;
  Severity severity = Severity::kMedium;
  SystemTime opened_at;
  Duration age{0};  // until - opened_at
  bool past_due = false;
  bool resolved = false;  // closed without a public answer (the post was deleted, say)
};

struct SeverityRow {
  Severity severity = Severity::kMedium;
  ResponseSummary summary;
};

struct BrandReport {
  std::string brand;
  ResponseSummary all;
  std::vector<SeverityRow> severities;         // critical first; only severities seen
  std::vector<UnansweredIncident> unanswered;  // oldest first
};

// One local calendar day of the reporting zone.
struct DayPoint {
  CivilTime date;        // year, month, day (time fields 0)
  SystemTime starts_at;  // its local midnight (or the first instant after a skipped one)
  int64_t opened = 0;    // complaints opened that day
  // p50 first response of that day's complaints answered before `until`; empty when none.
  std::optional<Duration> median_response;
};

struct ResponseReport {
  SystemTime since;
  SystemTime until;
  std::string time_zone;            // the zone's name, "Europe/Berlin"
  ResponseSummary total;            // all brands
  std::vector<BrandReport> brands;  // by name (bytewise)
  std::vector<DayPoint> days;       // every local day touching [since, until), oldest first
};

// The nearest-rank `percent`-th percentile (1-100) of `values`; empty when `values` is. Sorts
// a copy.
std::optional<Duration> NearestRankPercentile(std::vector<Duration> values, int percent);

// The report over incidents opened in [since, until); others are ignored. Local days are the
// zone's; a complaint opened at 23:30 local counts on that local day whatever the UTC date.
ResponseReport BuildResponseReport(const std::vector<IncidentFacts>& incidents, SystemTime since,
                                   SystemTime until, const TimeZone& zone);

// FormatWait, which spells the waits here, is in daemon/base/duration.h: the sinks and
// `earshot incidents` spell a first response's wait the same way.

// The report as aligned text for a terminal: the brand table, the unanswered incidents and the
// daily series, times in the report's zone.
std::string RenderResponseText(const ResponseReport& report, const TimeZone& zone);

// The report as one JSON object. Durations are milliseconds (null when there is none), instants
// RFC 3339 UTC, days local dates ("2026-03-29").
std::string RenderResponseJson(const ResponseReport& report);

}  // namespace earshot
