#include "daemon/sources/rate_budget.h"

#include <algorithm>
#include <charconv>
#include <ctime>
#include <vector>

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

SharedRateBudget::SharedRateBudget(std::string name) : name_(std::move(name)) {}

void SharedRateBudget::Record(std::optional<int64_t> limit, std::optional<int64_t> remaining,
                              std::optional<SystemTime> reset) {
  MutexLock lock(mu_);
  // The latest answer wins. Taking the lowest count of a window instead would guard against
  // answers arriving out of order, but one call with a quota of its own (Bluesky's
  // createSession: 30 per 5 minutes) would then pace every search after it.
  if (limit) limit_ = *limit;
  if (reset) reset_ = *reset;
  if (remaining) remaining_ = *remaining;
}

milliseconds SharedRateBudget::SpacingLocked(SystemTime now) const {
  if (!remaining_ || !reset_) return milliseconds(0);
  const milliseconds left = Until(*reset_, now);
  if (left.count() == 0) return milliseconds(0);
  if (*remaining_ <= 0) return left;
  return milliseconds((left.count() + *remaining_ - 1) / *remaining_);
}

milliseconds SharedRateBudget::Spacing(SystemTime now) const {
  MutexLock lock(mu_);
  return SpacingLocked(now);
}

milliseconds SharedRateBudget::Reserve(uint64_t user, SystemTime now, milliseconds floor) {
  MutexLock lock(mu_);
  SystemTime earliest = now + std::max(floor, milliseconds(0));
  if (blocked_until_ && *blocked_until_ > earliest) earliest = *blocked_until_;
  const milliseconds spacing = SpacingLocked(now);
  if (spacing.count() > 0 && remaining_ && *remaining_ <= 0) {
    // Nothing left: everyone waits for the reset, when a fresh window opens; unless a 429's
    // Retry-After said when, which outranks the count.
    if (!blocked_until_ || *blocked_until_ <= now) earliest = std::max(earliest, *reset_);
  } else if (spacing.count() > 0) {
    // The user's own last request went out just before this answer came back: count it at
    // `now`, so its own requests stay a spacing apart as well.
    std::vector<SystemTime> taken{now};
    for (const auto& [id, slot] : slots_) {
      if (id != user) taken.push_back(slot);
    }
    // The earliest candidate (the wish itself, or one spacing after a taken slot) that keeps
    // one spacing from every taken slot. One after the latest slot always does.
    std::vector<SystemTime> candidates{earliest};
    for (SystemTime t : taken) {
      if (t + spacing > earliest) candidates.push_back(t + spacing);
    }
    std::sort(candidates.begin(), candidates.end());
    for (SystemTime c : candidates) {
      const bool clear = std::all_of(taken.begin(), taken.end(), [&](SystemTime t) {
        return (c >= t ? c - t : t - c) >= spacing;
      });
      if (clear) {
        earliest = c;
        break;
      }
    }
  }
  slots_[user] = earliest;
  return Until(earliest, now);
}

void SharedRateBudget::BlockUntil(SystemTime until) {
  MutexLock lock(mu_);
  if (!blocked_until_ || until > *blocked_until_) blocked_until_ = until;
}

milliseconds SharedRateBudget::Blocked(SystemTime now) const {
  MutexLock lock(mu_);
  return blocked_until_ ? Until(*blocked_until_, now) : milliseconds(0);
}

uint64_t SharedRateBudget::Join() {
  MutexLock lock(mu_);
  return next_user_++;
}

void SharedRateBudget::Leave(uint64_t user) {
  MutexLock lock(mu_);
  slots_.erase(user);
}

SharedRateBudget::Snapshot SharedRateBudget::Read() const {
  MutexLock lock(mu_);
  return Snapshot{limit_, remaining_, reset_};
}

std::string SharedRateBudget::name() const {
  MutexLock lock(mu_);
  return name_;
}

void SharedRateBudget::set_name(std::string name) {
  MutexLock lock(mu_);
  name_ = std::move(name);
}

RateBudget::RateBudget(Clock& clock, RateBudgetOptions options,
                       std::shared_ptr<SharedRateBudget> shared)
    : clock_(clock),
      options_(options),
      rng_(options.seed != 0 ? options.seed : std::random_device{}()),
      shared_(shared ? std::move(shared) : std::make_shared<SharedRateBudget>()),
      user_(shared_->Join()) {}

RateBudget::~RateBudget() { shared_->Leave(user_); }

void RateBudget::Observe(std::optional<std::string_view> limit,
                         std::optional<std::string_view> remaining,
                         std::optional<std::string_view> reset) {
  std::optional<int64_t> l, r;
  std::optional<SystemTime> t;
  if (limit) {
    if (auto v = ParseInt(*limit); v && *v >= 0) l = *v;
  }
  if (remaining) {
    if (auto v = ParseInt(*remaining); v && *v >= 0) r = *v;
  }
  if (reset) {
    const std::string_view s = Trim(*reset);
    if (AllDigits(s)) {
      if (auto v = ParseInt(s)) t = SystemTime(std::chrono::seconds(*v));
    } else if (auto iso = ParseIso8601(s)) {
      t = *iso;
    }
  }
  shared_->Record(l, r, t);
}

milliseconds RateBudget::SpreadWait() const {
  const SystemTime now = clock_.Now();
  return std::max(shared_->Spacing(now), shared_->Blocked(now));
}

milliseconds RateBudget::NextSlot(milliseconds floor) const {
  return shared_->Reserve(user_, clock_.Now(), floor);
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
  return NextSlot(milliseconds(draw(rng_)));
}

RateBudget::TooManyRequestsWait RateBudget::After429(std::optional<std::string_view> retry_after) {
  TooManyRequestsWait out;
  const SystemTime now = clock_.Now();
  if (retry_after) {
    if (auto parsed = ParseRetryAfter(*retry_after, now)) {
      out.wait = *parsed;
      out.why = "Retry-After";
      // The quota is the credential's: every source of it holds back, not only this one.
      if (parsed->count() > 0) shared_->BlockUntil(now + *parsed);
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
  out.wait = NextSlot(std::max(out.wait, options_.backoff_min));
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
