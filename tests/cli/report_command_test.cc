// `earshot report` against a real state store the escalator filled: the window (--since back
// from the end or a time, --until), a reopened complaint counted from its first opening, local
// days of --tz, the JSON, the chart's file, and usage errors that name the fix.
#include "daemon/cli/report_command.h"

#include <simdjson.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/escalator/escalator_fixture.h"

namespace earshot {
namespace {

using namespace testing;  // NOLINT
using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;

struct Ran {
  int code = -1;
  std::string out, err;
};

Ran Report(EscalatorRig& rig, const std::vector<std::string>& args) {
  std::ostringstream out, err;
  Ran r;
  r.code = RunReportOnStore(args, rig.store(), rig.clock(), out, err);
  r.out = out.str();
  r.err = err.str();
  return r;
}

// The report of `args` as JSON, parsed.
struct Json {
  explicit Json(const Ran& r) : text(r.out) {
    INFO(r.err);
    REQUIRE(r.code == 0);
    REQUIRE(parser.iterate(text).get(doc) == simdjson::SUCCESS);
  }
  simdjson::padded_string text;
  simdjson::ondemand::parser parser;
  simdjson::ondemand::document doc;

  int64_t Int(std::string_view pointer) {
    int64_t v = 0;
    INFO(pointer);
    REQUIRE(doc.at_pointer(pointer).get(v) == simdjson::SUCCESS);
    return v;
  }
  std::string Text(std::string_view pointer) {
    std::string_view v;
    INFO(pointer);
    REQUIRE(doc.at_pointer(pointer).get(v) == simdjson::SUCCESS);
    return std::string(v);
  }
  bool IsNull(std::string_view pointer) {
    bool null = false;
    REQUIRE(doc.at_pointer(pointer).is_null().get(null) == simdjson::SUCCESS);
    return null;
  }
};

EscalatorOptions WithStaff() {
  EscalatorOptions o;
  o.staff_authors = {"acme_care"};
  return o;
}

// Moves the clock to `t` (never back), then processes one post there.
std::vector<Escalation> At(EscalatorRig& rig, SystemTime t, const DetectedPost& post) {
  REQUIRE(t >= rig.clock().Now());
  rig.clock().Advance(std::chrono::duration_cast<milliseconds>(t - rig.clock().Now()));
  return rig.Process(Batch({post}));
}

DetectedPost ComplaintBy(std::string id, std::string author, std::string thread = {}) {
  return MakePost({.id = std::move(id), .author = std::move(author), .thread = std::move(thread)},
                  {Complaint()});
}

DetectedPost StaffReply(std::string id, std::string thread) {
  return MakePost({.id = std::move(id), .author = "acme_care", .thread = std::move(thread)}, {});
}

TEST_CASE("earshot report: answered, waiting and the median of what the escalator stored",
          "[cli]") {
  EscalatorRig rig(WithStaff());
  // Four complaints a minute apart; support answers kim after 5m, jane after 12m, bob after
  // 31m, and never eve.
  const std::vector<std::pair<std::string, std::string>> complaints = {{"1", "jane@air.example"},
                                                                       {"2", "bob@air.example"},
                                                                       {"3", "eve@air.example"},
                                                                       {"4", "kim@air.example"}};
  std::string eve;
  for (int i = 0; i < static_cast<int>(complaints.size()); ++i) {
    const auto& [id, author] = complaints[static_cast<size_t>(i)];
    auto opened = At(rig, kStart + minutes(i), ComplaintBy(id, author));
    REQUIRE(opened.size() == 1);
    if (id == "3") eve = opened[0].incident_id;
  }
  At(rig, kStart + minutes(3 + 5), StaffReply("10", "4"));
  At(rig, kStart + minutes(0 + 12), StaffReply("11", "1"));
  At(rig, kStart + minutes(1 + 31), StaffReply("12", "2"));
  rig.clock().Advance(hours(1));

  Json json(Report(rig, {"--json"}));
  CHECK(json.Int("/total/incidents") == 4);
  CHECK(json.Int("/total/answered") == 3);
  // Nearest rank of 5m, 12m, 31m: p50 is the 2nd, p90 the 3rd.
  CHECK(json.Int("/total/p50_ms") == milliseconds(minutes(12)).count());
  CHECK(json.Int("/total/p90_ms") == milliseconds(minutes(31)).count());
  CHECK(json.Int("/total/max_ms") == milliseconds(minutes(31)).count());
  CHECK(json.Text("/brands/0/brand") == "acmeair");
  CHECK(json.Text("/brands/0/unanswered/0/id") == eve);
  CHECK(json.Text("/brands/0/unanswered/0/opened_at") == FormatIso8601(kStart + minutes(2)));
  // The default window is the last 7 days: 8 UTC days touch it, the last is today.
  CHECK(json.Text("/until") == FormatIso8601(rig.clock().Now()));
  CHECK(json.Text("/since") == FormatIso8601(rig.clock().Now() - hours(24 * 7)));
  CHECK(json.Text("/days/7/date") == "2026-11-18");
  CHECK(json.Int("/days/7/opened") == 4);
  CHECK(json.Int("/days/7/median_response_ms") == milliseconds(minutes(12)).count());

  // The same numbers as text, times in UTC.
  const Ran text = Report(rig, {});
  CHECK(text.code == 0);
  CHECK(text.err.empty());
  CHECK_THAT(text.out, Catch::Contains("acmeair  all               4         3  12m00s  31m00s"));
  CHECK_THAT(text.out, Catch::Contains("2026-11-18 11:08"));  // eve's opening
  CHECK_THAT(text.out, Catch::Contains(eve));
}

TEST_CASE("earshot report: --since back from the end or at a time, --until", "[cli]") {
  EscalatorRig rig(WithStaff());
  const auto day = hours(24);
  const std::string jane = At(rig, kStart, ComplaintBy("1", "jane@air.example"))[0].incident_id;
  const std::string bob =
      At(rig, kStart + 2 * day, ComplaintBy("2", "bob@air.example"))[0].incident_id;
  const std::string eve =
      At(rig, kStart + 5 * day, ComplaintBy("3", "eve@air.example"))[0].incident_id;
  rig.clock().Advance(day);  // now: kStart + 6 days

  // The ids of the unanswered complaints a report lists: here, every complaint in its window.
  auto listed = [&](const std::vector<std::string>& args) {
    std::vector<std::string> args_json = args;
    args_json.push_back("--json");
    Json json(Report(rig, args_json));
    std::vector<std::string> ids;
    simdjson::ondemand::array waiting;
    if (json.doc.at_pointer("/brands/0/unanswered").get(waiting) != simdjson::SUCCESS) return ids;
    for (auto u : waiting) {
      std::string_view id;
      REQUIRE(u["id"].get(id) == simdjson::SUCCESS);
      ids.emplace_back(id);
    }
    return ids;
  };
  using V = std::vector<std::string>;
  CHECK(listed({}) == V{jane, bob, eve});
  CHECK(listed({"--since", "3d"}) == V{eve});
  CHECK(listed({"--since", FormatIso8601(kStart + day), "--until",
                FormatIso8601(kStart + 3 * day)}) == V{bob});
  // The window is half-open: bob opened at its first instant, eve at the instant after it.
  CHECK(listed({"--since", FormatIso8601(kStart + 2 * day), "--until",
                FormatIso8601(kStart + 5 * day)}) == V{bob});
  // A duration is back from the end of the window, --until when given.
  CHECK(listed({"--since", "36h", "--until", FormatIso8601(kStart + 2 * day + hours(12))}) ==
        V{bob});
  // Another zone's offset reads as the same instant.
  CHECK(listed({"--since", "2026-11-20T12:00:00+01:00"}) == V{bob, eve});
  CHECK(listed({"--since", "1h"}).empty());
}

TEST_CASE("earshot report: a reopened complaint counts from its first opening", "[cli]") {
  EscalatorRig rig(WithStaff());
  const auto day = hours(24);
  const std::string jane = At(rig, kStart, ComplaintBy("1", "jane@air.example"))[0].incident_id;
  At(rig, kStart + minutes(10), StaffReply("2", "1"));
  // Two days later jane writes again in the thread: the incident reopens.
  At(rig, kStart + 2 * day, ComplaintBy("3", "jane@air.example", "1"));
  rig.clock().Advance(day);
  auto stored = rig.store().LoadIncident(jane);
  REQUIRE(stored.ok());
  REQUIRE(stored->has_value());
  REQUIRE((*stored)->opened_at == kStart + 2 * day);  // a reopen moves opened_at
  REQUIRE((*stored)->status == IncidentStatus::kOpen);

  // Counted in the window of its first opening, answered after 10 minutes...
  Json first(Report(rig, {"--json", "--since", FormatIso8601(kStart - hours(1)), "--until",
                          FormatIso8601(kStart + day)}));
  CHECK(first.Int("/total/incidents") == 1);
  CHECK(first.Int("/total/answered") == 1);
  CHECK(first.Int("/total/p50_ms") == milliseconds(minutes(10)).count());
  CHECK(first.Int("/days/0/opened") == 1);
  // ...and not again in the window of its reopening: it is not a new complaint.
  Json reopened(Report(rig, {"--json", "--since", FormatIso8601(kStart + day), "--until",
                             FormatIso8601(kStart + 3 * day)}));
  CHECK(reopened.Int("/total/incidents") == 0);
  // Over both, once.
  Json both(Report(rig, {"--json", "--since", "7d"}));
  CHECK(both.Int("/total/incidents") == 1);
  CHECK(both.Int("/total/answered") == 1);
}

TEST_CASE("earshot report: --tz counts local days", "[cli]") {
  EscalatorRig rig(WithStaff());
  // 23:30 UTC is 00:30 the next day in Berlin (CET, UTC+1 in November).
  const SystemTime late = *ParseIso8601("2026-11-18T23:30:00Z");
  At(rig, late, ComplaintBy("1", "jane@air.example"));
  At(rig, late + minutes(20), StaffReply("2", "1"));
  const std::vector<std::string> window = {"--json", "--since", "2026-11-18T00:00:00Z", "--until",
                                           "2026-11-20T00:00:00Z"};

  Json utc(Report(rig, window));
  CHECK(utc.Text("/time_zone") == "UTC");
  CHECK(utc.Text("/days/0/date") == "2026-11-18");
  CHECK(utc.Int("/days/0/opened") == 1);
  CHECK(utc.Int("/days/1/opened") == 0);

  std::vector<std::string> berlin_args = window;
  berlin_args.insert(berlin_args.end(), {"--tz", "Europe/Berlin"});
  Json berlin(Report(rig, berlin_args));
  CHECK(berlin.Text("/time_zone") == "Europe/Berlin");
  // Berlin's days touching the window: the 18th from 01:00, the 19th, the 20th to 01:00.
  CHECK(berlin.Text("/days/0/date") == "2026-11-18");
  CHECK(berlin.Int("/days/0/opened") == 0);
  CHECK(berlin.Text("/days/1/date") == "2026-11-19");
  CHECK(berlin.Int("/days/1/opened") == 1);
  CHECK(berlin.Int("/days/1/median_response_ms") == milliseconds(minutes(20)).count());
  CHECK(berlin.IsNull("/days/2/median_response_ms"));
}

// How many times `needle` occurs in `hay`.
size_t Count(const std::string& hay, std::string_view needle) {
  size_t n = 0;
  for (size_t at = hay.find(needle); at != std::string::npos; at = hay.find(needle, at + 1)) ++n;
  return n;
}

TEST_CASE("earshot report --svg: the chart is written whole and its place said", "[cli]") {
  EscalatorRig rig(WithStaff());
  At(rig, kStart, ComplaintBy("1", "jane@air.example"));
  At(rig, kStart + minutes(7), StaffReply("2", "1"));
  At(rig, kStart + hours(48), ComplaintBy("3", "bob@air.example"));  // never answered
  rig.clock().Advance(hours(1));
  const std::filesystem::path svg = rig.dir().File("week.svg");
  std::ofstream(svg) << "an older chart";

  const Ran r = Report(rig, {"--svg", svg.string(), "--since", "3d"});
  INFO(r.err);
  REQUIRE(r.code == 0);
  CHECK_THAT(r.out, Catch::StartsWith("First responses, "));  // the report as usual
  CHECK(r.err == fmt::format("earshot report: chart of 4 day(s) written to {}\n", svg.string()));
  std::ifstream in(svg, std::ios::binary);
  const std::string chart((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(chart.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
  CHECK(chart.ends_with("</svg>\n"));
  // One bar for each day with complaints, one point for each day with an answer.
  CHECK(Count(chart, " complaint</title></rect>") == 2);
  CHECK(Count(chart, ": median first response 7m00s</title></circle>") == 1);
  CHECK(Count(chart, "<circle ") == 1 + 1);  // and the legend's
  // Renamed into place: no temporary file is left beside it.
  for (const auto& entry : std::filesystem::directory_iterator(svg.parent_path())) {
    CHECK_FALSE(entry.path().filename().string().ends_with(".tmp"));
  }

  const std::string nowhere = rig.dir().File("no-such-dir/week.svg").string();
  const Ran failed = Report(rig, {"--svg", nowhere});
  CHECK(failed.code == 1);
  CHECK_THAT(failed.err,
             Catch::StartsWith("earshot report: cannot write the chart to " + nowhere + ": "));
}

TEST_CASE("earshot report: usage errors name the fix", "[cli]") {
  EscalatorRig rig;
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--since", "7x"},
       "--since '7x' is neither a duration back from the end (7d, 36h, 90m) nor an RFC 3339 "
       "time (2026-11-16T00:00:00Z)"},
      {{"--since", "2026-11-18"}, "--since '2026-11-18' is neither"},
      {{"--until", "yesterday"}, "--until 'yesterday' is not an RFC 3339 time; write one such as"},
      {{"--tz", "Europe/Berln"}, "did you mean 'Europe/Berlin'?"},
      {{"--tz", "../../etc/passwd"}, "--tz: time zone '../../etc/passwd'"},
      {{"--since", "2026-11-20T00:00:00Z", "--until", "2026-11-19T00:00:00Z"},
       "--since must come before --until"},
      {{"--since", "0s"}, "is empty"},
      {{"--since"}, "--since needs a value"},
      {{"--limit", "3"}, "unexpected argument '--limit'"},
  };
  for (const auto& [args, message] : cases) {
    const Ran r = Report(rig, args);
    INFO(args[0] << " " << (args.size() > 1 ? args[1] : ""));
    CHECK(r.code == 2);
    CHECK(r.out.empty());
    CHECK_THAT(r.err, Catch::StartsWith("earshot report: ") && Catch::Contains(message) &&
                          Catch::Contains("usage: earshot report"));
  }
  const Ran empty = Report(rig, {});
  CHECK(empty.code == 0);
  CHECK_THAT(empty.out, Catch::Contains("No complaints were opened in this window."));
}

}  // namespace
}  // namespace earshot
