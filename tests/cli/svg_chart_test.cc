// `earshot report`'s chart: tick steps of 1, 2 and 5, documents an XML parser accepts (a
// hostile brand name in the title included), gaps in the line, hover text on every bar and
// point, thinned day labels, the edge cases (no days, one day, nothing complained, nothing
// answered, a quarter) and byte-identical output for the same input.
#include "daemon/cli/svg_chart.h"

#include <fmt/format.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace earshot {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

size_t Count(const std::string& text, std::string_view what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// Whether Python's XML parser accepts `svg` as a document.
bool ParsesAsXml(const std::string& svg) {
  namespace fs = std::filesystem;
  const fs::path file =
      fs::temp_directory_path() / ("earshot_report_tests_" + std::to_string(getpid()) + ".svg");
  std::ofstream(file, std::ios::binary) << svg;
  const std::string command =
      "/usr/bin/python3 -c \"import xml.etree.ElementTree as E,sys; E.parse(sys.argv[1])\" '" +
      file.string() + "'";
  const int rc = std::system(command.c_str());
  fs::remove(file);
  return rc == 0;
}

ChartDay Day(int n, int64_t complaints, std::optional<Duration> median) {
  return {fmt::format("Nov {}", n), fmt::format("2026-11-{:02}", n), complaints, median};
}

DailyChart Week() {
  DailyChart c;
  c.title = "AcmeAir, 2026-11-01 to 2026-11-07";
  c.days = {Day(1, 3, minutes(4) + seconds(12)),
            Day(2, 7, minutes(22)),
            Day(3, 0, std::nullopt),
            Day(4, 2, std::nullopt),
            Day(5, 5, minutes(65)),
            Day(6, 1, minutes(9)),
            Day(7, 4, minutes(31))};
  return c;
}

TEST_CASE("ticks step by 1, 2 or 5 times a power of ten", "[report][chart]") {
  AxisTicks t = NiceTicks(7, 5, true);
  CHECK(t.step == 2);
  CHECK(t.top == 8);
  CHECK(t.decimals == 0);

  t = NiceTicks(100, 5, false);
  CHECK(t.step == 20);
  CHECK(t.top == 100);

  t = NiceTicks(0.7, 5, false);
  CHECK(t.step == Approx(0.2));
  CHECK(t.top == Approx(0.8));
  CHECK(t.decimals == 1);

  // A fraction of 6 rounds up to the next power of ten.
  t = NiceTicks(0.3, 5, false);
  CHECK(t.step == Approx(0.1));
  CHECK(t.top == Approx(0.3));
  CHECK(t.decimals == 1);

  t = NiceTicks(3, 5, true);  // counts never step by 0.5
  CHECK(t.step == 1);
  CHECK(t.top == 3);

  t = NiceTicks(1234, 5, true);
  CHECK(t.step == 500);
  CHECK(t.top == 1500);

  for (double nothing : {0.0, -3.0, std::nan("")}) {
    t = NiceTicks(nothing, 5, true);
    CHECK(t.step == 1);
    CHECK(t.top == 1);
  }
}

TEST_CASE("a week's chart", "[report][chart]") {
  const std::string svg = RenderDailyChartSvg(Week());
  CHECK(ParsesAsXml(svg));
  CHECK(
      svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"800.0\" "
                      "height=\"360.0\" viewBox=\"0 0 800.0 360.0\""));
  CHECK(Count(svg, "<rect x=") == 6 + 2);  // six days with complaints, background, legend
  CHECK(Count(svg, "<circle") == 5 + 1);   // five medians, the legend's marker
  CHECK(Count(svg, "<title>") == 1 + 6 + 5);
  CHECK(svg.find("<title>2026-11-02: 7 complaints</title>") != std::string::npos);
  CHECK(svg.find("<title>2026-11-06: 1 complaint</title>") != std::string::npos);
  CHECK(svg.find("<title>2026-11-05: median first response 1h05m00s") == std::string::npos);
  CHECK(svg.find("<title>2026-11-05: median first response 1h05m</title>") != std::string::npos);
  // Days 3 and 4 have no median: the line breaks into two runs.
  const size_t path = svg.find("<path d=\"");
  REQUIRE(path != std::string::npos);
  const std::string d = svg.substr(path, svg.find('"', path + 9) - path);
  CHECK(Count(d, "M") == 2);
  CHECK(Count(d, "L") == 3);
  CHECK(svg.find(">minutes</text>") != std::string::npos);
  CHECK(svg.find("median first response (minutes)") != std::string::npos);
  CHECK(svg.find("no responses yet") == std::string::npos);
  for (int day = 1; day <= 7; ++day) {
    CHECK(svg.find(fmt::format(">Nov {}</text>", day)) != std::string::npos);
  }
}

TEST_CASE("the same chart gives the same bytes", "[report][chart]") {
  CHECK(RenderDailyChartSvg(Week()) == RenderDailyChartSvg(Week()));
}

TEST_CASE("a hostile brand name is text", "[report][chart]") {
  DailyChart c = Week();
  c.title = "<script>&\"' \x01\xff";
  c.days[0].date = "<b>";
  const std::string svg = RenderDailyChartSvg(c);
  CHECK(ParsesAsXml(svg));
  CHECK(svg.find("<script>") == std::string::npos);
  CHECK(svg.find("<b>") == std::string::npos);
  CHECK(Count(svg, "&lt;script&gt;&amp;&quot;&apos;  \xEF\xBF\xBD") == 2);  // <title>, heading; \x01 is a space, \xff U+FFFD
}

TEST_CASE("slow answers read in hours", "[report][chart]") {
  DailyChart c = Week();
  c.days[1].median_response = hours(7);
  const std::string svg = RenderDailyChartSvg(c);
  CHECK(ParsesAsXml(svg));
  CHECK(svg.find(">hours</text>") != std::string::npos);
  CHECK(svg.find("median first response (hours)") != std::string::npos);
}

TEST_CASE("charts of nothing much", "[report][chart]") {
  SECTION("no days") {
    DailyChart c;
    c.title = "empty";
    const std::string svg = RenderDailyChartSvg(c);
    CHECK(ParsesAsXml(svg));
    CHECK(svg.find("no days in this window") != std::string::npos);
    CHECK(svg.find("no responses yet") != std::string::npos);
    CHECK(Count(svg, "<rect") == 2);
  }
  SECTION("one day") {
    DailyChart c;
    c.days = {Day(3, 2, minutes(5))};
    const std::string svg = RenderDailyChartSvg(c);
    CHECK(ParsesAsXml(svg));
    CHECK(Count(svg, "<title>") == 3);
    CHECK(svg.find(">Nov 3</text>") != std::string::npos);
    // The bar is centred in the plot (56 to 736), the line a lone point.
    CHECK(svg.find("<circle cx=\"396.0\"") != std::string::npos);
    CHECK(svg.find("<path d=\"M396.0 ") != std::string::npos);
  }
  SECTION("no complaints at all") {
    DailyChart c;
    for (int i = 1; i <= 5; ++i) c.days.push_back(Day(i, 0, std::nullopt));
    const std::string svg = RenderDailyChartSvg(c);
    CHECK(ParsesAsXml(svg));
    CHECK(Count(svg, "<rect") == 2);
    CHECK(svg.find("no responses yet") != std::string::npos);
    CHECK(svg.find("<path") == std::string::npos);
    CHECK(svg.find(">1</text>") != std::string::npos);  // the axis still runs 0 to 1
  }
  SECTION("complaints, none answered") {
    DailyChart c = Week();
    for (ChartDay& d : c.days) d.median_response.reset();
    const std::string svg = RenderDailyChartSvg(c);
    CHECK(ParsesAsXml(svg));
    CHECK(svg.find("median first response: no responses yet") != std::string::npos);
    CHECK(svg.find("<path") == std::string::npos);
    CHECK(svg.find("<circle") == std::string::npos);
    CHECK(svg.find(">minutes</text>") == std::string::npos);
  }
}

TEST_CASE("a quarter thins its labels to weeks", "[report][chart]") {
  DailyChart c;
  c.title = "90 days";
  for (int i = 0; i < 90; ++i) {
    std::optional<Duration> median;
    if (i % 11 != 3) median = minutes(5 + (i * 37) % 50);
    c.days.push_back({fmt::format("d{}", i), fmt::format("day {}", i), (i * 7) % 13, median});
  }
  const std::string svg = RenderDailyChartSvg(c);
  CHECK(ParsesAsXml(svg));
  CHECK(svg.find(">d0</text>") != std::string::npos);
  CHECK(svg.find(">d14</text>") != std::string::npos);
  CHECK(svg.find(">d7</text>") == std::string::npos);
  CHECK(svg.find(">d84</text>") != std::string::npos);
  CHECK(Count(svg, "<circle") == 90 - 8 + 1);
  CHECK(RenderDailyChartSvg(c) == svg);
}

TEST_CASE("the report's days become the chart's", "[report][chart]") {
  std::vector<IncidentFacts> in(2);
  in[0].brand = "A";
  in[0].opened_at = *ParseIso8601("2026-11-02T10:00:00Z");
  in[0].first_response_at = in[0].opened_at + minutes(12);
  in[1].brand = "A";
  in[1].opened_at = *ParseIso8601("2026-11-03T10:00:00Z");
  const ResponseReport r =
      BuildResponseReport(in, *ParseIso8601("2026-11-01T00:00:00Z"),
                          *ParseIso8601("2026-11-04T00:00:00Z"), TimeZone::Utc());
  const DailyChart c = DailyChartOf(r, "A");
  CHECK(c.title == "A");
  REQUIRE(c.days.size() == 3);
  CHECK(c.days[0].label == "Nov 1");
  CHECK(c.days[0].date == "2026-11-01");
  CHECK(c.days[0].complaints == 0);
  CHECK(c.days[1].complaints == 1);
  CHECK(c.days[1].median_response == minutes(12));
  CHECK_FALSE(c.days[2].median_response.has_value());
}

}  // namespace
}  // namespace earshot
