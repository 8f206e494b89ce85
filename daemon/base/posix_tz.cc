#include "daemon/base/posix_tz.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "daemon/base/civil_time.h"

namespace earshot {
namespace {

constexpr int64_t kSecondsPerDay = 86400;

// A cursor over the TZ string; each Read* returns false, leaving an error message, when the
// text there does not fit.
class Reader {
 public:
  explicit Reader(std::string_view text) : text_(text) {}

  bool done() const { return pos_ >= text_.size(); }
  char peek() const { return done() ? '\0' : text_[pos_]; }
  bool Consume(char c) {
    if (peek() != c) return false;
    ++pos_;
    return true;
  }
  std::string_view rest() const { return text_.substr(std::min(pos_, text_.size())); }

  // std and dst: three or more letters, or <...> of letters, digits, '+' and '-'.
  bool ReadName(std::string* out) {
    size_t start = pos_;
    if (Consume('<')) {
      while (!done() &&
             (std::isalnum(static_cast<unsigned char>(peek())) || peek() == '+' || peek() == '-')) {
        ++pos_;
      }
      *out = std::string(text_.substr(start + 1, pos_ - start - 1));
      if (!Consume('>') || out->size() < 3) {
        return Fail(fmt::format("'{}' is not a quoted zone abbreviation like <+0330>",
                                text_.substr(start)));
      }
      return true;
    }
    while (!done() && std::isalpha(static_cast<unsigned char>(peek()))) ++pos_;
    *out = std::string(text_.substr(start, pos_ - start));
    if (out->size() < 3) {
      return Fail(
          fmt::format("'{}' does not start with a zone abbreviation of three or more "
                      "letters",
                      text_.substr(start)));
    }
    return true;
  }

  // [+-]hh[:mm[:ss]], hours up to `max_hours`, as seconds.
  bool ReadHms(int max_hours, int32_t* out) {
    size_t start = pos_;
    int sign = 1;
    if (Consume('-'))
      sign = -1;
    else
      Consume('+');
    int h = 0, m = 0, s = 0;
    if (!ReadNumber(3, &h) || h > max_hours ||
        (Consume(':') &&
         (!ReadNumber(2, &m) || m > 59 || (Consume(':') && (!ReadNumber(2, &s) || s > 59))))) {
      return Fail(
          fmt::format("'{}' is not an offset or time of the form [+-]hh[:mm[:ss]] with "
                      "hours up to {}",
                      text_.substr(start), max_hours));
    }
    *out = sign * (h * 3600 + m * 60 + s);
    return true;
  }

  bool ReadNumber(int max_digits, int* out) {
    int digits = 0, n = 0;
    while (!done() && std::isdigit(static_cast<unsigned char>(peek())) && digits < max_digits) {
      n = n * 10 + (peek() - '0');
      ++pos_;
      ++digits;
    }
    *out = n;
    return digits > 0;
  }

  bool Fail(std::string message) {
    if (error_.empty()) error_ = std::move(message);
    return false;
  }
  const std::string& error() const { return error_; }

 private:
  std::string_view text_;
  size_t pos_ = 0;
  std::string error_;
};

}  // namespace

Result<PosixTz> PosixTz::Parse(std::string_view text) {
  PosixTz tz;
  Reader r(text);
  auto fail = [&](std::string_view why) {
    return Status::InvalidArgument(fmt::format("TZ string '{}': {}", text, why));
  };
  int32_t west = 0;
  if (!r.ReadName(&tz.std_.abbreviation) || !r.ReadHms(24, &west)) return fail(r.error());
  tz.std_.utc_offset = -west;
  if (r.done()) return tz;

  tz.has_dst_ = true;
  tz.dst_.is_dst = true;
  if (!r.ReadName(&tz.dst_.abbreviation)) return fail(r.error());
  tz.dst_.utc_offset = tz.std_.utc_offset + 3600;  // POSIX: one hour ahead unless given
  if (!r.done() && r.peek() != ',') {
    if (!r.ReadHms(24, &west)) return fail(r.error());
    tz.dst_.utc_offset = -west;
  }
  if (r.done()) {
    // POSIX leaves the dates to the implementation; glibc uses the US rules, and so does this.
    tz.start_ = Rule{Rule::Kind::kMonthWeekDay, 0, 3, 2, 0, 7200};
    tz.end_ = Rule{Rule::Kind::kMonthWeekDay, 0, 11, 1, 0, 7200};
    return tz;
  }
  for (Rule* rule : {&tz.start_, &tz.end_}) {
    if (!r.Consume(',')) {
      return fail(fmt::format("expected ',' and a rule date at '{}'", r.rest()));
    }
    std::string_view at = r.rest();
    bool ok = false;
    if (r.Consume('M')) {
      rule->kind = Rule::Kind::kMonthWeekDay;
      ok = r.ReadNumber(2, &rule->month) && rule->month >= 1 && rule->month <= 12 &&
           r.Consume('.') && r.ReadNumber(1, &rule->week) && rule->week >= 1 && rule->week <= 5 &&
           r.Consume('.') && r.ReadNumber(1, &rule->weekday) && rule->weekday <= 6;
    } else if (r.Consume('J')) {
      rule->kind = Rule::Kind::kJulianNoLeap;
      ok = r.ReadNumber(3, &rule->day) && rule->day >= 1 && rule->day <= 365;
    } else {
      rule->kind = Rule::Kind::kZeroBasedDay;
      ok = r.ReadNumber(3, &rule->day) && rule->day <= 365;
    }
    if (!ok) {
      return fail(
          fmt::format("'{}' is not a rule date; write Mm.w.d (m 1-12, w 1-5, d 0-6), "
                      "Jn (n 1-365) or n (0-365)",
                      at));
    }
    rule->time = 7200;
    if (r.Consume('/') && !r.ReadHms(167, &rule->time)) return fail(r.error());
  }
  if (!r.done()) return fail(fmt::format("unexpected '{}' after the rules", r.rest()));
  return tz;
}

int64_t PosixTz::RuleDay(const Rule& rule, int64_t year) {
  const int64_t jan1 = DaysFromCivil(year, 1, 1);
  switch (rule.kind) {
    case Rule::Kind::kJulianNoLeap:
      // Jn never counts February 29: J60 is March 1 in every year.
      return jan1 + rule.day - 1 + (IsLeapYear(year) && rule.day >= 60 ? 1 : 0);
    case Rule::Kind::kZeroBasedDay:
      return jan1 + rule.day;
    case Rule::Kind::kMonthWeekDay: {
      const int64_t first = DaysFromCivil(year, rule.month, 1);
      int64_t day = first + (rule.weekday - WeekdayFromDays(first) + 7) % 7 + 7 * (rule.week - 1);
      // Week 5 means the last such weekday, which may be the fourth.
      while (day >= first + DaysInMonth(year, rule.month)) day -= 7;
      return day;
    }
  }
  return jan1;
}

std::pair<PosixTz::Transition, PosixTz::Transition> PosixTz::TransitionsOfYear(int64_t year) const {
  // The start time is read on the standard clock, the end time on the daylight clock.
  Transition start{RuleDay(start_, year) * kSecondsPerDay + start_.time - std_.utc_offset, true};
  Transition end{RuleDay(end_, year) * kSecondsPerDay + end_.time - dst_.utc_offset, false};
  return {start, end};
}

std::vector<PosixTz::Transition> PosixTz::TransitionsBetween(int64_t from, int64_t to) const {
  std::vector<Transition> out;
  if (!has_dst_ || to <= from) return out;
  // Rule times reach 167 hours past their date, so a year's changes may fall in the next year:
  // take the years on either side too, then order them by instant. A stable sort keeps a
  // year's end before the next year's start when the two coincide.
  int64_t first_year = 0, last_year = 0;
  int month = 0, day = 0;
  CivilFromDays(from / kSecondsPerDay - (from % kSecondsPerDay < 0), &first_year, &month, &day);
  CivilFromDays(to / kSecondsPerDay - (to % kSecondsPerDay < 0), &last_year, &month, &day);
  std::vector<Transition> all;
  for (int64_t y = first_year - 1; y <= last_year + 1; ++y) {
    auto [start, end] = TransitionsOfYear(y);
    all.push_back(start);
    all.push_back(end);
  }
  std::stable_sort(all.begin(), all.end(),
                   [](const Transition& a, const Transition& b) { return a.at < b.at; });
  // The state just before `from`: the last change at or before it.
  bool state = false;
  size_t i = 0;
  for (; i < all.size() && all[i].at <= from; ++i) state = all[i].is_dst;
  for (; i < all.size() && all[i].at <= to; ++i) {
    // Of changes at one instant the last wins.
    if (i + 1 < all.size() && all[i + 1].at == all[i].at) continue;
    if (all[i].is_dst != state) {
      state = all[i].is_dst;
      out.push_back(all[i]);
    }
  }
  return out;
}

const PosixTz::Type& PosixTz::TypeAt(int64_t seconds) const {
  if (!has_dst_) return std_;
  // The last change at or before `seconds`, found among this year's and its neighbours'.
  int64_t year = 0;
  int month = 0, day = 0;
  CivilFromDays(seconds / kSecondsPerDay - (seconds % kSecondsPerDay < 0), &year, &month, &day);
  bool found = false, is_dst = false;
  int64_t best = 0;
  for (int64_t y = year - 1; y <= year + 1; ++y) {
    auto [start, end] = TransitionsOfYear(y);
    for (const Transition& t : {start, end}) {
      // `>=` lets the later year's change win a tie, as in TransitionsBetween.
      if (t.at <= seconds && (!found || t.at >= best)) {
        found = true;
        best = t.at;
        is_dst = t.is_dst;
      }
    }
  }
  return is_dst ? dst_ : std_;
}

}  // namespace earshot
