// PrometheusText: writes the Prometheus text exposition format (version 0.0.4) that /metrics
// serves: one `# HELP` and `# TYPE` per family, then its samples, label values escaped. The App
// collects its numbers at scrape time from each part's counters, so no part needs a global
// registry. Not thread-safe; one writer per scrape.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace earshot {

using MetricLabels = std::vector<std::pair<std::string_view, std::string_view>>;

class PrometheusText {
 public:
  // Starts a family; `type` is "counter", "gauge" or "histogram". Call once per name.
  void Family(std::string_view name, std::string_view type, std::string_view help);
  void Sample(std::string_view name, const MetricLabels& labels, double value);
  // A histogram's _bucket (cumulative, le="+Inf" included), _sum and _count samples.
  void Histogram(std::string_view name, const MetricLabels& labels,
                 const std::vector<double>& bounds, const std::vector<uint64_t>& cumulative,
                 double sum, uint64_t count);

  const std::string& text() const { return out_; }

 private:
  std::string out_;
};

// Escapes a label value: backslash, double quote and newline, as the format requires.
std::string EscapeLabelValue(std::string_view value);

}  // namespace earshot
