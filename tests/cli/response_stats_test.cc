// `earshot report`'s statistics: nearest-rank percentiles on known lists, breaches as of the end
// of the window, local-day buckets across a DST change and a local midnight, the exact text
// table, and JSON that parses.
#include "daemon/cli/response_stats.h"

#include <simdjson.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <random>

namespace earshot {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

SystemTime At(const char* iso) {
  auto t = ParseIso8601(iso);
  REQUIRE(t.has_value());
  return *t;
}

TimeZone Berlin() {
  Result<TimeZone> tz = TimeZone::Load("Europe/Berlin", "/usr/share/zoneinfo");
  REQUIRE(tz.ok());
  return *tz;
}

IncidentFacts Incident(std::string id, std::string brand, Severity sev, const char* opened,
                       std::optional<Duration> response = std::nullopt,
                       std::optional<Duration> target = std::nullopt) {
  IncidentFacts f;
  f.id = std::move(id);
  f.brand = std::move(brand);
  f.severity = sev;
  f.opened_at = At(opened);
  if (response) f.first_response_at = f.opened_at + *response;
  if (target) f.due_at = f.opened_at + *target;
  return f;
}

Duration Min(int m) { return minutes(m); }

TEST_CASE("percentiles are nearest-rank", "[report]") {
  CHECK_FALSE(NearestRankPercentile({}, 50).has_value());

  CHECK(NearestRankPercentile({Min(7)}, 50) == Min(7));
  CHECK(NearestRankPercentile({Min(7)}, 90) == Min(7));
  CHECK(NearestRankPercentile({Min(7)}, 100) == Min(7));

  // Rank ceil(0.5 * 2) = 1 and ceil(0.9 * 2) = 2: the smaller, then the larger, never 5m.
  CHECK(NearestRankPercentile({Min(9), Min(1)}, 50) == Min(1));
  CHECK(NearestRankPercentile({Min(9), Min(1)}, 90) == Min(9));

  std::vector<Duration> ten;
  for (int i = 1; i <= 10; ++i) ten.push_back(Min(i));
  std::shuffle(ten.begin(), ten.end(), std::mt19937(42));
  CHECK(NearestRankPercentile(ten, 50) == Min(5));
  CHECK(NearestRankPercentile(ten, 90) == Min(9));
  CHECK(NearestRankPercentile(ten, 91) == Min(10));
  CHECK(NearestRankPercentile(ten, 100) == Min(10));
  CHECK(NearestRankPercentile(ten, 1) == Min(1));
}

TEST_CASE("waits read in two units", "[report]") {
  CHECK(FormatWait(Duration(0)) == "0s");
  CHECK(FormatWait(Duration(999)) == "0s");
  CHECK(FormatWait(seconds(42)) == "42s");
  CHECK(FormatWait(seconds(4 * 60 + 12)) == "4m12s");
  CHECK(FormatWait(minutes(5)) == "5m00s");
  CHECK(FormatWait(minutes(65) + seconds(59)) == "1h05m");
  CHECK(FormatWait(hours(51) + minutes(59)) == "2d3h");
}

TEST_CASE("breaches count late answers and overdue silence as of the end", "[report]") {
  const SystemTime since = At("2026-11-02T00:00:00Z");
  const SystemTime until = At("2026-11-03T00:00:00Z");
  std::vector<IncidentFacts> in = {
      Incident("late", "A", Severity::kHigh, "2026-11-02T10:00:00Z", Min(45), Min(30)),
      Incident("on-time", "A", Severity::kHigh, "2026-11-02T10:00:00Z", Min(30), Min(30)),
      Incident("overdue", "A", Severity::kHigh, "2026-11-02T20:00:00Z", std::nullopt, Min(60)),
      // Due at 00:30, after the end of the window: not yet a breach.
      Incident("not-yet-due", "A", Severity::kHigh, "2026-11-02T23:30:00Z", std::nullopt, Min(60)),
      // Answered after the end: unanswered as of the end, and already past due then.
      Incident("answered-later", "A", Severity::kHigh, "2026-11-02T22:00:00Z", Min(150), Min(60)),
      // No target, no breach however long it waits.
      Incident("no-target", "A", Severity::kLow, "2026-11-02T01:00:00Z"),
      // Outside the window.
      Incident("before", "A", Severity::kHigh, "2026-11-01T23:59:59Z", std::nullopt, Min(1)),
      Incident("at-end", "A", Severity::kHigh, "2026-11-03T00:00:00Z", std::nullopt, Min(1)),
  };
  const ResponseReport r = BuildResponseReport(in, since, until, TimeZone::Utc());
  REQUIRE(r.brands.size() == 1);
  const BrandReport& a = r.brands[0];
  CHECK(a.all.incidents == 6);
  CHECK(a.all.answered == 2);
  CHECK(a.all.breaches == 3);  // late, overdue, answered-later
  CHECK(a.all.p50 == Min(30));
  CHECK(a.all.p90 == Min(45));
  CHECK(a.all.max == Min(45));
  CHECK(r.total.breaches == 3);

  REQUIRE(a.severities.size() == 2);
  CHECK(a.severities[0].severity == Severity::kHigh);
  CHECK(a.severities[0].summary.incidents == 5);
  CHECK(a.severities[1].severity == Severity::kLow);
  CHECK(a.severities[1].summary.breaches == 0);
  CHECK_FALSE(a.severities[1].summary.p50.has_value());

  REQUIRE(a.unanswered.size() == 4);
  CHECK(a.unanswered[0].id == "no-target");
  CHECK(a.unanswered[0].age == hours(23));
  CHECK_FALSE(a.unanswered[0].past_due);
  CHECK(a.unanswered[1].id == "overdue");
  CHECK(a.unanswered[1].past_due);
  CHECK(a.unanswered[2].id == "answered-later");
  CHECK(a.unanswered[2].past_due);
  CHECK(a.unanswered[3].id == "not-yet-due");
  CHECK(a.unanswered[3].age == Min(30));
  CHECK_FALSE(a.unanswered[3].past_due);
}

TEST_CASE("brands by name, severities from critical down", "[report]") {
  std::vector<IncidentFacts> in = {
      Incident("1", "Zeta", Severity::kLow, "2026-11-02T10:00:00Z", Min(1)),
      Incident("2", "Acme", Severity::kLow, "2026-11-02T10:00:00Z", Min(2)),
      Incident("3", "Acme", Severity::kCritical, "2026-11-02T11:00:00Z", Min(3)),
      Incident("4", "Acme", Severity::kMedium, "2026-11-02T12:00:00Z", Min(4)),
      Incident("5", "Mu", Severity::kHigh, "2026-11-02T12:00:00Z"),
  };
  const ResponseReport r = BuildResponseReport(in, At("2026-11-02T00:00:00Z"),
                                               At("2026-11-03T00:00:00Z"), TimeZone::Utc());
  REQUIRE(r.brands.size() == 3);
  CHECK(r.brands[0].brand == "Acme");
  CHECK(r.brands[1].brand == "Mu");
  CHECK(r.brands[2].brand == "Zeta");
  REQUIRE(r.brands[0].severities.size() == 3);
  CHECK(r.brands[0].severities[0].severity == Severity::kCritical);
  CHECK(r.brands[0].severities[1].severity == Severity::kMedium);
  CHECK(r.brands[0].severities[2].severity == Severity::kLow);
  CHECK(r.total.incidents == 5);
  CHECK(r.total.answered == 4);
  CHECK(r.total.p50 == Min(2));
}

TEST_CASE("days are the zone's, across a DST change and local midnight", "[report]") {
  const TimeZone berlin = Berlin();
  // 2026-03-28 00:00 CET to 2026-03-31 00:00 CEST; clocks spring forward on the 29th.
  const SystemTime since = At("2026-03-27T23:00:00Z");
  const SystemTime until = At("2026-03-30T22:00:00Z");
  std::vector<IncidentFacts> in = {
      // 23:30 CET on the 28th.
      Incident("a", "A", Severity::kHigh, "2026-03-28T22:30:00Z", Min(10)),
      // 23:30 CEST on the 29th: UTC says 21:30 the same day, the hour before is gone.
      Incident("b", "A", Severity::kHigh, "2026-03-29T21:30:00Z", Min(20)),
      Incident("c", "A", Severity::kHigh, "2026-03-29T08:00:00Z", Min(40)),
      Incident("d", "A", Severity::kHigh, "2026-03-29T09:00:00Z"),
      // 00:30 CEST on the 30th, still the 29th in UTC.
      Incident("e", "A", Severity::kHigh, "2026-03-29T22:30:00Z"),
  };
  const ResponseReport r = BuildResponseReport(in, since, until, berlin);
  CHECK(r.time_zone == "Europe/Berlin");
  REQUIRE(r.days.size() == 3);
  CHECK(r.days[0].date.day == 28);
  CHECK(r.days[0].starts_at == At("2026-03-27T23:00:00Z"));
  CHECK(r.days[0].opened == 1);
  CHECK(r.days[0].median_response == Min(10));
  CHECK(r.days[1].date.day == 29);
  CHECK(r.days[1].starts_at == At("2026-03-28T23:00:00Z"));
  CHECK(r.days[1].opened == 3);
  CHECK(r.days[1].median_response == Min(20));  // of 20m and 40m; "d" is unanswered
  CHECK(r.days[2].date.day == 30);
  CHECK(r.days[2].starts_at == At("2026-03-29T22:00:00Z"));  // the 29th had 23 hours
  CHECK(r.days[2].opened == 1);
  CHECK_FALSE(r.days[2].median_response.has_value());

  // In UTC the same complaints fall on other days: "a" on the 28th, "e" on the 29th.
  const ResponseReport utc = BuildResponseReport(in, since, until, TimeZone::Utc());
  REQUIRE(utc.days.size() == 4);  // 27th (one hour of it) to 30th
  CHECK(utc.days[0].date.day == 27);
  CHECK(utc.days[0].opened == 0);
  CHECK(utc.days[1].opened == 1);
  CHECK(utc.days[2].opened == 4);
  CHECK(utc.days[3].opened == 0);
}

TEST_CASE("the autumn change makes a 25-hour day", "[report]") {
  const TimeZone berlin = Berlin();
  const ResponseReport r =
      BuildResponseReport({}, At("2026-10-24T22:00:00Z"), At("2026-10-26T23:00:00Z"), berlin);
  REQUIRE(r.days.size() == 2);
  CHECK(r.days[1].starts_at - r.days[0].starts_at == hours(25));
}

TEST_CASE("an empty window has no days", "[report]") {
  const SystemTime t = At("2026-11-02T00:00:00Z");
  CHECK(BuildResponseReport({}, t, t, TimeZone::Utc()).days.empty());
  CHECK(BuildResponseReport({}, t, t - hours(1), TimeZone::Utc()).days.empty());
}

std::vector<IncidentFacts> SmallInput() {
  std::vector<IncidentFacts> in = {
      Incident("x1", "AcmeAir", Severity::kCritical, "2026-11-02T09:00:00Z",
               minutes(4) + seconds(12), Min(15)),
      Incident("x2", "AcmeAir", Severity::kHigh, "2026-11-02T10:00:00Z", minutes(65), Min(30)),
      Incident("x3", "AcmeAir", Severity::kHigh, "2026-11-03T08:00:00Z", std::nullopt, Min(30)),
      Incident("x4", "Bürgerbahn", Severity::kLow, "2026-11-03T11:00:00Z", hours(51), hours(72)),
  };
  in[2].resolved = true;
  return in;
}

TEST_CASE("the text table, exactly", "[report]") {
  const ResponseReport r = BuildResponseReport(SmallInput(), At("2026-11-02T00:00:00Z"),
                                               At("2026-11-04T00:00:00Z"), TimeZone::Utc());
  CHECK(RenderResponseText(r, TimeZone::Utc()) ==
        "First responses, 2026-11-02 00:00 to 2026-11-04 00:00 (UTC)\n"
        "\n"
        "brand       severity  incidents  answered    p50    p90    max  breaches\n"
        "AcmeAir     all               3         2  4m12s  1h05m  1h05m         2\n"
        "            critical          1         1  4m12s  4m12s  4m12s         0\n"
        "            high              2         1  1h05m  1h05m  1h05m         2\n"
        "Bürgerbahn  all               1         0      -      -      -         0\n"
        "            low               1         0      -      -      -         0\n"
        "total       all               4         2  4m12s  1h05m  1h05m         2\n"
        "\n"
        "Unanswered, oldest first:\n"
        "brand       severity  opened            waiting  target              incident\n"
        "AcmeAir     high      2026-11-03 08:00   16h00m  past due, resolved  x3\n"
        "Bürgerbahn  low       2026-11-03 11:00   13h00m  -                   x4\n"
        "\n"
        "day         complaints  median response\n"
        "2026-11-02           2            4m12s\n"
        "2026-11-03           2                -\n");
}

TEST_CASE("the text of a quiet window", "[report]") {
  const ResponseReport r = BuildResponseReport({}, At("2026-11-02T00:00:00Z"),
                                               At("2026-11-03T00:00:00Z"), TimeZone::Utc());
  CHECK(RenderResponseText(r, TimeZone::Utc()) ==
        "First responses, 2026-11-02 00:00 to 2026-11-03 00:00 (UTC)\n"
        "\n"
        "No complaints were opened in this window.\n"
        "\n"
        "day         complaints  median response\n"
        "2026-11-02           0                -\n");
}

TEST_CASE("the JSON parses and carries every number", "[report]") {
  std::vector<IncidentFacts> in = SmallInput();
  in.push_back(
      Incident("q\"\n", "<script>&\"'\\", Severity::kMedium, "2026-11-02T12:00:00Z", Min(3)));
  const ResponseReport r =
      BuildResponseReport(in, At("2026-11-02T00:00:00Z"), At("2026-11-04T00:00:00Z"), Berlin());
  const std::string json = RenderResponseJson(r);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  REQUIRE(parser.parse(json).get(doc) == simdjson::SUCCESS);
  CHECK(std::string_view(doc["time_zone"]) == "Europe/Berlin");
  CHECK(std::string_view(doc["since"]) == "2026-11-02T00:00:00.000Z");
  CHECK(int64_t(doc["total"]["incidents"]) == 5);
  CHECK(int64_t(doc["total"]["p50_ms"]) == 252000);  // of 3m, 4m12s, 1h05m
  simdjson::dom::array brands = doc["brands"];
  REQUIRE(brands.size() == 3);
  auto it = brands.begin();
  CHECK(std::string_view((*it)["brand"]) == "<script>&\"'\\");  // '<' sorts before 'A'
  ++it;
  simdjson::dom::element acme = *it;
  CHECK(std::string_view(acme["brand"]) == "AcmeAir");
  CHECK(int64_t(acme["breaches"]) == 2);
  CHECK(int64_t(acme["max_ms"]) == 65 * 60000);
  simdjson::dom::array sev = acme["severities"];
  CHECK(std::string_view((*sev.begin())["severity"]) == "critical");
  simdjson::dom::element waiting = *simdjson::dom::array(acme["unanswered"]).begin();
  CHECK(std::string_view(waiting["id"]) == "x3");
  CHECK(bool(waiting["past_due"]));
  CHECK(bool(waiting["resolved"]));
  CHECK(int64_t(waiting["age_ms"]) == 16 * 3600000LL);
  ++it;
  CHECK((*it)["p50_ms"].is_null());
  simdjson::dom::array days = doc["days"];
  REQUIRE(days.size() == 3);  // the window ends at 01:00 on the 4th in Berlin
  CHECK(std::string_view((*days.begin())["date"]) == "2026-11-02");
}

}  // namespace
}  // namespace earshot
