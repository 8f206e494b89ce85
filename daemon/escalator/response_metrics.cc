#include "daemon/escalator/response_metrics.h"

namespace earshot {

void ResponseMetrics::ObserveFirstResponse(const std::string& brand, Severity severity,
                                           std::chrono::seconds after) {
  const double s = static_cast<double>(after.count());
  size_t i = 0;
  while (i < kBounds.size() && s > kBounds[i]) ++i;
  MutexLock lock(mu_);
  Series& series = series_[{brand, severity}];
  ++series.buckets[i];
  ++series.count;
  series.sum_seconds += s;
}

void ResponseMetrics::CountBreach(const std::string& brand, Severity severity) {
  MutexLock lock(mu_);
  ++series_[{brand, severity}].breaches;
}

std::map<ResponseMetrics::Key, ResponseMetrics::Series> ResponseMetrics::Read() const {
  MutexLock lock(mu_);
  return series_;
}

}  // namespace earshot
