// The chart of `earshot report`: complaints per day as bars on the left axis, and the median
// first response of each day's complaints as a line with point markers on the right axis, in
// minutes or hours by magnitude. People look at a chart of a bad week sooner than they read its
// table.
//
// Standalone SVG 1.1 with no scripts, styles or fonts to fetch, so a browser, a mail client or
// a wiki shows it as it is. Text from configuration (titles carry brand names) is escaped.
// Deterministic: the same chart gives the same bytes, every coordinate with one decimal, so a
// report can be diffed and tested byte for byte.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "daemon/cli/response_stats.h"

namespace earshot {

struct ChartDay {
  std::string label;  // under the x axis, short: "Nov 3"
  std::string date;   // in hover text: "2026-11-03"
  int64_t complaints = 0;
  std::optional<Duration> median_response;  // empty leaves a gap in the line
};

struct DailyChart {
  std::string title;
  std::vector<ChartDay> days;  // oldest first
  int width = 800;             // pixels; also the viewBox, so the chart scales when embedded
  int height = 360;
};

// One axis's ticks: 0, step, 2 * step, ... up to top, with step 1, 2 or 5 times a power of ten.
struct AxisTicks {
  double step = 1;
  double top = 1;    // the smallest multiple of step at or above the largest value
  int decimals = 0;  // what step needs: 0.2 needs 1, 50 needs 0
};

// Ticks for values in [0, max_value], about `target` of them. `whole` keeps the step at 1 or
// more (counts of complaints). A zero, negative or non-finite max gives step 1, top 1.
AxisTicks NiceTicks(double max_value, int target, bool whole);

std::string RenderDailyChartSvg(const DailyChart& chart);

// The report's day series as a chart: labels "Nov 3", dates "2026-11-03".
DailyChart DailyChartOf(const ResponseReport& report, std::string title);

}  // namespace earshot
