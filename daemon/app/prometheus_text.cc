#include "daemon/app/prometheus_text.h"

#include <fmt/format.h>

#include <cmath>

namespace earshot {
namespace {

void AppendValue(std::string* out, double v) {
  if (std::isnan(v)) {
    *out += "NaN";
  } else if (std::isinf(v)) {
    *out += v > 0 ? "+Inf" : "-Inf";
  } else if (v == std::floor(v) && std::fabs(v) < 1e15) {
    fmt::format_to(std::back_inserter(*out), "{}", static_cast<int64_t>(v));
  } else {
    fmt::format_to(std::back_inserter(*out), "{}", v);
  }
}

void AppendLabels(std::string* out, const MetricLabels& labels,
                  std::string_view extra_key = {}, std::string_view extra_value = {}) {
  if (labels.empty() && extra_key.empty()) return;
  *out += '{';
  bool first = true;
  for (const auto& [k, v] : labels) {
    if (!first) *out += ',';
    first = false;
    fmt::format_to(std::back_inserter(*out), "{}=\"{}\"", k, EscapeLabelValue(v));
  }
  if (!extra_key.empty()) {
    if (!first) *out += ',';
    fmt::format_to(std::back_inserter(*out), "{}=\"{}\"", extra_key, extra_value);
  }
  *out += '}';
}

}  // namespace

std::string EscapeLabelValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

void PrometheusText::Family(std::string_view name, std::string_view type, std::string_view help) {
  fmt::format_to(std::back_inserter(out_), "# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

void PrometheusText::Sample(std::string_view name, const MetricLabels& labels, double value) {
  out_ += name;
  AppendLabels(&out_, labels);
  out_ += ' ';
  AppendValue(&out_, value);
  out_ += '\n';
}

void PrometheusText::Histogram(std::string_view name, const MetricLabels& labels,
                               const std::vector<double>& bounds,
                               const std::vector<uint64_t>& cumulative, double sum,
                               uint64_t count) {
  for (size_t i = 0; i < bounds.size(); ++i) {
    fmt::format_to(std::back_inserter(out_), "{}_bucket", name);
    std::string le;
    AppendValue(&le, bounds[i]);
    AppendLabels(&out_, labels, "le", le);
    fmt::format_to(std::back_inserter(out_), " {}\n", i < cumulative.size() ? cumulative[i] : 0);
  }
  fmt::format_to(std::back_inserter(out_), "{}_bucket", name);
  AppendLabels(&out_, labels, "le", "+Inf");
  fmt::format_to(std::back_inserter(out_), " {}\n", count);
  fmt::format_to(std::back_inserter(out_), "{}_sum", name);
  AppendLabels(&out_, labels);
  out_ += ' ';
  AppendValue(&out_, sum);
  fmt::format_to(std::back_inserter(out_), "\n{}_count", name);
  AppendLabels(&out_, labels);
  fmt::format_to(std::back_inserter(out_), " {}\n", count);
}

}  // namespace earshot
