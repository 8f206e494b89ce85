#include "daemon/cli/svg_chart.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <string_view>

#include "daemon/base/utf8.h"

namespace earshot {
namespace {

// Room around the plot: tick labels left and right, the title above, day labels and the legend
// below.
constexpr double kLeft = 56;
constexpr double kRight = 64;
constexpr double kTop = 48;
constexpr double kBottom = 64;
// A day label ("Nov 30") at 11px is about 36px wide; keep 20px between two.
constexpr double kLabelSpacing = 56;

constexpr std::string_view kBarColor = "#4e79a7";
constexpr std::string_view kLineColor = "#e15759";
constexpr std::string_view kGridColor = "#e0e0e0";
constexpr std::string_view kTextColor = "#333333";

// Text for an XML attribute or element. Invalid UTF-8 becomes U+FFFD and control characters,
// which XML 1.0 forbids even escaped, become spaces, so the document always parses.
std::string Xml(std::string_view text) {
  const std::string valid = utf8::Scrub(text);
  std::string out;
  out.reserve(valid.size());
  for (char c : valid) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r') {
          out += ' ';
        } else {
          out += c;
        }
    }
  }
  return out;
}

// One decimal everywhere, and never "-0.0".
std::string Num(double v) {
  std::string s = fmt::format("{:.1f}", v);
  return s == "-0.0" ? "0.0" : s;
}

std::string Plural(int64_t n, std::string_view one, std::string_view many) {
  return fmt::format("{} {}", n, n == 1 ? one : many);
}

// The right axis's unit: hours once minutes would run past two hours' worth.
struct TimeUnit {
  double ms_per_unit;
  std::string_view name;
};

TimeUnit UnitFor(Duration longest) {
  if (longest >= std::chrono::hours(2)) return {3'600'000.0, "hours"};
  return {60'000.0, "minutes"};
}

std::string_view MonthAbbreviation(int month) {
  static constexpr std::string_view kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  return kMonths[std::clamp(month, 1, 12) - 1];
}

// Every k-th day gets a label, k chosen so that labels do not touch, and a day or a week when
// that is close enough, so a quarter reads in weeks.
size_t LabelStride(size_t days, double plot_width) {
  const size_t fit = std::max<size_t>(1, static_cast<size_t>(plot_width / kLabelSpacing));
  const size_t need = (days + fit - 1) / fit;
  for (size_t k : {1, 2, 7, 14, 28}) {
    if (need <= k) return k;
  }
  return need;
}

}  // namespace

AxisTicks NiceTicks(double max_value, int target, bool whole) {
  AxisTicks t;
  if (!(max_value > 0) || !std::isfinite(max_value) || target < 1) return t;
  const double raw = max_value / target;
  int exponent = static_cast<int>(std::floor(std::log10(raw)));
  double magnitude = std::pow(10.0, exponent);
  const double fraction = raw / magnitude;
  double mantissa = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10;
  if (mantissa == 10) {
    mantissa = 1;
    ++exponent;
    magnitude *= 10;
  }
  t.step = mantissa * magnitude;
  if (whole && t.step < 1) {
    t.step = 1;
    exponent = 0;
  }
  t.decimals = std::max(0, -exponent);
  // Rounded first, so that 0.30000000000000004 / 0.1 does not add a tick.
  const double steps = std::ceil(std::round(max_value / t.step * 1e6) / 1e6);
  t.top = std::max(1.0, steps) * t.step;
  return t;
}

std::string RenderDailyChartSvg(const DailyChart& chart) {
  const double width = std::max(chart.width, 240);
  const double height = std::max(chart.height, 160);
  const double x0 = kLeft;
  const double x1 = width - kRight;
  const double y0 = kTop;
  const double y1 = height - kBottom;
  const double plot_w = x1 - x0;
  const double plot_h = y1 - y0;
  const size_t n = chart.days.size();

  int64_t most = 0;
  Duration longest{0};
  bool any_response = false;
  for (const ChartDay& d : chart.days) {
    most = std::max(most, d.complaints);
    if (d.median_response) {
      any_response = true;
      longest = std::max(longest, *d.median_response);
    }
  }
  const TimeUnit unit = UnitFor(longest);
  const AxisTicks left = NiceTicks(static_cast<double>(most), 5, true);
  const AxisTicks right = NiceTicks(longest.count() / unit.ms_per_unit, 5, false);

  std::string out;
  auto emit = [&out](std::string_view s) { out += s; };
  fmt::format_to(std::back_inserter(out),
                 "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" "
                 "viewBox=\"0 0 {0} {1}\" font-family=\"sans-serif\" font-size=\"11\" "
                 "fill=\"{2}\">\n",
                 Num(width), Num(height), kTextColor);
  fmt::format_to(std::back_inserter(out), "<title>{}</title>\n", Xml(chart.title));
  fmt::format_to(std::back_inserter(out),
                 "<rect x=\"0\" y=\"0\" width=\"{}\" height=\"{}\" fill=\"#ffffff\"/>\n",
                 Num(width), Num(height));
  fmt::format_to(std::back_inserter(out),
                 "<text x=\"{}\" y=\"24.0\" text-anchor=\"middle\" font-size=\"15\" "
                 "font-weight=\"bold\">{}</text>\n",
                 Num(width / 2), Xml(chart.title));

  // Grid and left axis: complaints.
  emit("<g class=\"left-axis\">\n");
  fmt::format_to(std::back_inserter(out), "<text x=\"{}\" y=\"{}\">complaints</text>\n", Num(x0),
                 Num(y0 - 10));
  const int left_ticks = static_cast<int>(std::lround(left.top / left.step));
  for (int i = 0; i <= left_ticks; ++i) {
    const double y = y1 - plot_h * i / left_ticks;
    fmt::format_to(std::back_inserter(out),
                   "<line x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\" stroke=\"{3}\"/>\n"
                   "<text x=\"{4}\" y=\"{5}\" text-anchor=\"end\">{6:.{7}f}</text>\n",
                   Num(x0), Num(y), Num(x1), i == 0 ? kTextColor : kGridColor, Num(x0 - 6),
                   Num(y + 4), i * left.step, left.decimals);
  }
  emit("</g>\n");

  if (n == 0) {
    fmt::format_to(std::back_inserter(out),
                   "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">no days in this window</text>\n",
                   Num(x0 + plot_w / 2), Num(y0 + plot_h / 2));
  }

  const double slot = n == 0 ? plot_w : plot_w / static_cast<double>(n);
  auto center = [&](size_t i) { return x0 + slot * (static_cast<double>(i) + 0.5); };

  // Bars.
  emit("<g class=\"complaints\" fill=\"");
  emit(kBarColor);
  emit("\">\n");
  const double bar_w = std::max(1.0, slot * 0.7);
  for (size_t i = 0; i < n; ++i) {
    const ChartDay& d = chart.days[i];
    if (d.complaints <= 0) continue;
    const double h = plot_h * static_cast<double>(d.complaints) / left.top;
    fmt::format_to(std::back_inserter(out),
                   "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\">"
                   "<title>{}: {}</title></rect>\n",
                   Num(center(i) - bar_w / 2), Num(y1 - h), Num(bar_w), Num(h), Xml(d.date),
                   Plural(d.complaints, "complaint", "complaints"));
  }
  emit("</g>\n");

  // Day labels, thinned.
  emit("<g class=\"days\" text-anchor=\"middle\">\n");
  const size_t stride = LabelStride(n, plot_w);
  for (size_t i = 0; i < n; i += stride) {
    fmt::format_to(std::back_inserter(out), "<text x=\"{}\" y=\"{}\">{}</text>\n", Num(center(i)),
                   Num(y1 + 16), Xml(chart.days[i].label));
  }
  emit("</g>\n");

  // Right axis and the line, only when something was answered.
  if (any_response) {
    const int right_ticks = static_cast<int>(std::lround(right.top / right.step));
    emit("<g class=\"right-axis\" text-anchor=\"start\">\n");
    fmt::format_to(std::back_inserter(out), "<text x=\"{}\" y=\"{}\">{}</text>\n", Num(x1 + 6),
                   Num(y0 - 10), unit.name);
    for (int i = 0; i <= right_ticks; ++i) {
      fmt::format_to(std::back_inserter(out), "<text x=\"{}\" y=\"{}\">{:.{}f}</text>\n",
                     Num(x1 + 6), Num(y1 - plot_h * i / right_ticks + 4), i * right.step,
                     right.decimals);
    }
    emit("</g>\n");

    auto y_of = [&](Duration d) {
      return y1 - plot_h * (d.count() / unit.ms_per_unit) / right.top;
    };
    // One path; a day without a median lifts the pen, so the gap shows.
    std::string path;
    bool pen_down = false;
    for (size_t i = 0; i < n; ++i) {
      const auto& m = chart.days[i].median_response;
      if (!m) {
        pen_down = false;
        continue;
      }
      path += fmt::format("{}{} {} ", pen_down ? "L" : "M", Num(center(i)), Num(y_of(*m)));
      pen_down = true;
    }
    if (!path.empty()) path.pop_back();
    emit("<g class=\"median-response\">\n");
    fmt::format_to(std::back_inserter(out),
                   "<path d=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\" "
                   "stroke-linejoin=\"round\"/>\n",
                   path, kLineColor);
    // Markers shrink when a quarter's days crowd them into one band.
    const std::string_view radius = slot < 12 ? "2" : "3";
    for (size_t i = 0; i < n; ++i) {
      const auto& m = chart.days[i].median_response;
      if (!m) continue;
      fmt::format_to(std::back_inserter(out),
                     "<circle cx=\"{}\" cy=\"{}\" r=\"{}\" fill=\"{}\">"
                     "<title>{}: median first response {}</title></circle>\n",
                     Num(center(i)), Num(y_of(*m)), radius, kLineColor, Xml(chart.days[i].date),
                     FormatWait(*m));
    }
    emit("</g>\n");
  }

  // Legend, under the day labels.
  const double ly = height - 16;
  emit("<g class=\"legend\">\n");
  fmt::format_to(std::back_inserter(out),
                 "<rect x=\"{}\" y=\"{}\" width=\"12\" height=\"10\" fill=\"{}\"/>\n"
                 "<text x=\"{}\" y=\"{}\">complaints per day</text>\n",
                 Num(x0), Num(ly - 9), kBarColor, Num(x0 + 18), Num(ly));
  const double lx = x0 + 160;
  if (any_response) {
    fmt::format_to(std::back_inserter(out),
                   "<line x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\" stroke=\"{3}\" "
                   "stroke-width=\"2\"/>\n"
                   "<circle cx=\"{4}\" cy=\"{1}\" r=\"3\" fill=\"{3}\"/>\n"
                   "<text x=\"{5}\" y=\"{6}\">median first response ({7})</text>\n",
                   Num(lx), Num(ly - 4), Num(lx + 20), kLineColor, Num(lx + 10), Num(lx + 26),
                   Num(ly), unit.name);
  } else {
    fmt::format_to(std::back_inserter(out),
                   "<text x=\"{}\" y=\"{}\">median first response: no responses yet</text>\n",
                   Num(lx), Num(ly));
  }
  emit("</g>\n</svg>\n");
  return out;
}

DailyChart DailyChartOf(const ResponseReport& report, std::string title) {
  DailyChart chart;
  chart.title = std::move(title);
  for (const DayPoint& d : report.days) {
    chart.days.push_back({fmt::format("{} {}", MonthAbbreviation(d.date.month), d.date.day),
                          fmt::format("{:04}-{:02}-{:02}", d.date.year, d.date.month, d.date.day),
                          d.opened, d.median_response});
  }
  return chart;
}

}  // namespace earshot
