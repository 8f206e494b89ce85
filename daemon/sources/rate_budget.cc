#include "daemon/sources/rate_budget.h"

#include <algorithm>
#include <charconv>
#include <ctime>

namespace earshot {
namespace {

using std::chrono::milliseconds;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::optional<int64_t> ParseInt(std::string_view s) {
  s = Trim(s);
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

milliseconds Until(SystemTime t, SystemTime now) {
  if (t <= now) return milliseconds(0);
  // Round up: waiting 1 ms too long is harmless, 1 ms too short can cost a 429.
  return std::chrono::ceil<milliseconds>(t - now);
}

}  // namespace

RateBudget::RateBudget(Clock& clock, RateBudgetOptions options)
    : clock_(clock),
      options_(options),
      rng_(options.seed != 0 ? options.seed : std::random_device{}()) {}

void RateBudget::Observe(std::optional<std::string_view> limit,
                         std::optional<std::string_view> remaining,
                         std::optional<std::string_view> reset) {
  if (limit) {
    if (auto v = ParseInt(*limit); v && *v >= 0) limit_ = *v;
  }
  if (remaining) {
    if (auto v = ParseInt(*remaining); v && *v >= 0) remaining_ = *v;
  }
  if (reset) {
    const std::string_view r = Trim(*reset);
    if (AllDigits(r)) {
      if (auto v = ParseInt(r)) reset_ = SystemTime(std::chrono::seconds(*v));
    } else if (auto t = ParseIso8601(r)) {
      reset_ = *t;
    }
  }
}

milliseconds RateBudget::SpreadWait() const {
  if (!remaining_ || !reset_) return milliseconds(0);
  const milliseconds left = Until(*reset_, clock_.Now());
  if (left.count() == 0) return milliseconds(0);
  if (*remaining_ <= 0) return left;
  return milliseconds((left.count() + *remaining_ - 1) / *remaining_);
}

milliseconds RateBudget::BackoffCeiling() const {
  const int shift = std::min(failures_, 30);
  const int64_t initial = std::max<int64_t>(options_.backoff_initial.count(), 1);
  const int64_t cap = options_.backoff_max.count();
  const int64_t ceiling = initial > (cap >> shift) ? cap : initial << shift;
  return milliseconds(std::max(ceiling, options_.backoff_min.count()));
}

milliseconds RateBudget::Backoff() {
  const milliseconds ceiling = BackoffCeiling();
  ++failures_;
  std::uniform_int_distribution<int64_t> draw(options_.backoff_min.count(), ceiling.count());
  return std::max(milliseconds(draw(rng_)), SpreadWait());
}

RateBudget::TooManyRequestsWait RateBudget::After429(std::optional<std::string_view> retry_after) {
  TooManyRequestsWait out;
  if (retry_after) {
    if (auto parsed = ParseRetryAfter(*retry_after, clock_.Now())) {
      out.wait = *parsed;
      out.why = "Retry-After";
    }
  }
  if (out.wait.count() == 0) {
    out.wait = SpreadWait();
    out.why = "the rate limit's reset";
  }
  if (out.wait.count() == 0) {
    out.wait = Backoff();
    out.why = "backoff";
  }
  out.wait = std::max(out.wait, options_.backoff_min);
  return out;
}

std::optional<milliseconds> ParseRetryAfter(std::string_view value, SystemTime now) {
  value = Trim(value);
  if (AllDigits(value)) {
    auto v = ParseInt(value);
    if (!v) return std::nullopt;
    return milliseconds(*v * 1000);
  }
  // IMF-fixdate: "Wed, 21 Oct 2015 07:28:00 GMT"
  static constexpr std::string_view kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  if (value.size() != 29 || value[3] != ',' || value.substr(26) != "GMT") return std::nullopt;
  auto num = [&](size_t pos, size_t len) { return ParseInt(value.substr(pos, len)); };
  const auto day = num(5, 2), year = num(12, 4), hour = num(17, 2), min = num(20, 2),
             sec = num(23, 2);
  int month = -1;
  for (int m = 0; m < 12; ++m) {
    if (value.substr(8, 3) == kMonths[m]) month = m;
  }
  if (!day || !year || !hour || !min || !sec || month < 0 || value[16] != ' ' ||
      value[19] != ':' || value[22] != ':') {
    return std::nullopt;
  }
  std::tm tm{};
  tm.tm_year = static_cast<int>(*year) - 1900;
  tm.tm_mon = month;
  tm.tm_mday = static_cast<int>(*day);
  tm.tm_hour = static_cast<int>(*hour);
  tm.tm_min = static_cast<int>(*min);
  tm.tm_sec = static_cast<int>(*sec);
  const time_t t = timegm(&tm);
  return Until(std::chrono::system_clock::from_time_t(t), now);
}

}  // namespace earshot
