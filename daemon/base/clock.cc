#include "daemon/base/clock.h"

#include <fmt/format.h>

#include <charconv>
#include <ctime>

namespace earshot {
namespace {

class SystemClockImpl final : public Clock {
 public:
  SystemTime Now() const override { return std::chrono::system_clock::now(); }
  SteadyTime SteadyNow() const override { return std::chrono::steady_clock::now(); }
};

bool ReadInt(std::string_view s, size_t pos, size_t len, int* out) {
  if (pos + len > s.size()) return false;
  auto [p, ec] = std::from_chars(s.data() + pos, s.data() + pos + len, *out);
  return ec == std::errc() && p == s.data() + pos + len;
}

}  // namespace

Clock& RealClock() {
  static SystemClockImpl* clock = new SystemClockImpl();  // never destroyed: threads may outlive exit
  return *clock;
}

std::optional<SystemTime> ParseIso8601(std::string_view s) {
  // YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)
  int year, mon, day, hour, min, sec;
  if (s.size() < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != ' ') ||
      s[13] != ':' || s[16] != ':') {
    return std::nullopt;
  }
  if (!ReadInt(s, 0, 4, &year) || !ReadInt(s, 5, 2, &mon) || !ReadInt(s, 8, 2, &day) ||
      !ReadInt(s, 11, 2, &hour) || !ReadInt(s, 14, 2, &min) || !ReadInt(s, 17, 2, &sec)) {
    return std::nullopt;
  }
  if (mon < 1 || mon > 12 || day < 1 || day > 31 || hour > 23 || min > 59 || sec > 60) {
    return std::nullopt;
  }
  // SystemTime counts nanoseconds in 64 bits: 1677-09-21 to 2262-04-11. A year outside it (a
  // server's "4052-...") would overflow the conversion, so it is malformed like any other.
  if (year < 1678 || year > 2261) return std::nullopt;
  size_t pos = 19;
  int64_t micros = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    int digits = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (digits < 6) micros = micros * 10 + (s[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits == 0) return std::nullopt;
    for (int d = digits; d < 6; ++d) micros *= 10;
  }
  int offset_minutes = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int oh, om;
    if (!ReadInt(s, pos + 1, 2, &oh) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
        !ReadInt(s, pos + 4, 2, &om)) {
      return std::nullopt;
    }
    offset_minutes = (oh * 60 + om) * (s[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != s.size()) return std::nullopt;

  using namespace std::chrono;
  const year_month_day ymd{std::chrono::year(year), month(mon), std::chrono::day(day)};
  if (!ymd.ok()) return std::nullopt;
  SystemTime t = sys_days(ymd) + hours(hour) + minutes(min) + seconds(sec) + microseconds(micros) -
                 minutes(offset_minutes);
  return t;
}

std::string FormatIso8601(SystemTime t) {
  using namespace std::chrono;
  const auto ms = duration_cast<milliseconds>(t.time_since_epoch()).count();
  const auto days = sys_days(floor<std::chrono::days>(t));
  const year_month_day ymd{days};
  const int64_t ms_of_day = ms - duration_cast<milliseconds>(days.time_since_epoch()).count();
  const int year = int(ymd.year());
  if (year < 0 || year > 9999) {
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", year, unsigned(ymd.month()),
                       unsigned(ymd.day()), ms_of_day / 3600000, ms_of_day / 60000 % 60,
                       ms_of_day / 1000 % 60, ms_of_day % 1000);
  }
  // Every escalation and replay line carries a few of these: digits by hand, not a format
  // string parsed at run time.
  char text[] = "0000-00-00T00:00:00.000Z";
  auto put = [&text](size_t end, int64_t value, int digits) {
    for (int d = 0; d < digits; ++d, value /= 10) {
      text[end - d] = static_cast<char>('0' + value % 10);
    }
  };
  put(3, year, 4);
  put(6, unsigned(ymd.month()), 2);
  put(9, unsigned(ymd.day()), 2);
  put(12, ms_of_day / 3600000, 2);
  put(15, ms_of_day / 60000 % 60, 2);
  put(18, ms_of_day / 1000 % 60, 2);
  put(22, ms_of_day % 1000, 3);
  return std::string(text, sizeof text - 1);
}

}  // namespace earshot
