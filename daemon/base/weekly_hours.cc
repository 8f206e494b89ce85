#include "daemon/base/weekly_hours.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "daemon/base/civil_time.h"
#include "daemon/base/suggest.h"

namespace earshot {
namespace {

using DaySet = std::array<bool, 7>;

constexpr std::string_view kHoursExample =
    "write 'always' or days and hours, e.g. 'mon-fri 09:00-17:00; sat 10:00-14:00'";
constexpr std::string_view kSpanHow = "write HH:MM-HH:MM with 00:00-24:00";
constexpr int kMinutesPerDay = 24 * 60;

// Monday first, for reading and writing; the values are CivilTime weekdays.
constexpr std::array<int, 7> kWeekOrder = {1, 2, 3, 4, 5, 6, 0};
constexpr std::array<std::string_view, 7> kShortNames = {"sun", "mon", "tue", "wed",
                                                         "thu", "fri", "sat"};
constexpr std::array<std::string_view, 7> kLongNames = {
    "sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"};
constexpr std::array<std::string_view, 12> kMonthNames = {
    "January", "February", "March",     "April",   "May",      "June",
    "July",    "August",   "September", "October", "November", "December"};

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == sep) {
      parts.push_back(Trim(s.substr(start, i - start)));
      start = i + 1;
    }
  }
  return parts;
}

Result<int> ParseDay(std::string_view word) {
  const std::string lower = Lower(word);
  for (int d = 0; d < 7; ++d) {
    if (lower == kShortNames[d] || lower == kLongNames[d]) return d;
  }
  std::vector<std::string> names(kShortNames.begin(), kShortNames.end());
  return Status::InvalidArgument(
      fmt::format("'{}' is not a day; write mon, tue, wed, thu, fri, sat or sun{}", word,
                  DidYouMean(lower.substr(0, 3), names)));
}

// "mon-fri, sun" -> the set of weekdays.
Result<DaySet> ParseDays(std::string_view text) {
  DaySet days{};
  for (std::string_view item : Split(text, ',')) {
    if (item.empty()) {
      return Status::InvalidArgument(fmt::format(
          "'{}' has an empty day; separate days with commas, e.g. 'mon,wed,fri'", text));
    }
    size_t dash = item.find('-');
    EARSHOT_ASSIGN_OR_RETURN(int first, ParseDay(Trim(item.substr(0, dash))));
    int last = first;
    if (dash != std::string_view::npos) {
      EARSHOT_ASSIGN_OR_RETURN(last, ParseDay(Trim(item.substr(dash + 1))));
    }
    // Forward through the week, wrapping: fri-mon is fri, sat, sun, mon.
    for (int d = first;; d = (d + 1) % 7) {
      days[d] = true;
      if (d == last) break;
    }
  }
  return days;
}

// "09:30" -> 570; `span` is the whole span, for messages.
Result<int> ParseClock(std::string_view text, std::string_view span) {
  auto malformed = [&] {
    return Status::InvalidArgument(
        fmt::format("'{}' is not a range of hours; {}, e.g. "
                    "09:00-17:00",
                    span, kSpanHow));
  };
  if (text.size() != 5 || text[2] != ':') return malformed();
  for (size_t i : {0, 1, 3, 4}) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) return malformed();
  }
  const int hour = (text[0] - '0') * 10 + (text[1] - '0');
  const int minute = (text[3] - '0') * 10 + (text[4] - '0');
  if (hour > 24) {
    return Status::InvalidArgument(
        fmt::format("'{}': hour {} is out of range; {}", span, hour, kSpanHow));
  }
  if (minute > 59) {
    return Status::InvalidArgument(
        fmt::format("'{}': minute {} is out of range; {}", span, minute, kSpanHow));
  }
  if (hour == 24 && minute != 0) {
    return Status::InvalidArgument(
        fmt::format("'{}': {} is past the end of the day; {}", span, text, kSpanHow));
  }
  return hour * 60 + minute;
}

Result<OpenSpan> ParseSpan(std::string_view text) {
  size_t dash = text.find('-');
  if (dash == std::string_view::npos) {
    return Status::InvalidArgument(
        fmt::format("'{}' is not a range of hours; {}, e.g. "
                    "09:00-17:00",
                    text, kSpanHow));
  }
  EARSHOT_ASSIGN_OR_RETURN(int open, ParseClock(Trim(text.substr(0, dash)), text));
  EARSHOT_ASSIGN_OR_RETURN(int close, ParseClock(Trim(text.substr(dash + 1)), text));
  if (close <= open) {
    return Status::InvalidArgument(fmt::format(
        "'{}' closes before it opens; a span ends on the day it starts, so write hours past "
        "midnight on both days, e.g. 'fri 22:00-24:00; sat 00:00-02:00'",
        text));
  }
  return OpenSpan{open, close};
}

std::string FormatClock(int minutes) {
  return fmt::format("{:02}:{:02}", minutes / 60, minutes % 60);
}

std::string FormatSpan(OpenSpan s) { return FormatClock(s.open) + "-" + FormatClock(s.close); }

// Adds `span` to `day`'s sorted spans, joining one it touches; refuses an overlap.
Status AddSpan(std::vector<OpenSpan>& day, OpenSpan span, int weekday) {
  for (const OpenSpan& s : day) {
    if (span.open < s.close && s.open < span.close) {
      return Status::InvalidArgument(fmt::format("{} overlaps {} on {}", FormatSpan(span),
                                                 FormatSpan(s), kShortNames[weekday]));
    }
  }
  day.push_back(span);
  std::sort(day.begin(), day.end(), [](OpenSpan a, OpenSpan b) { return a.open < b.open; });
  std::vector<OpenSpan> joined;
  for (const OpenSpan& s : day) {
    if (!joined.empty() && joined.back().close == s.open)
      joined.back().close = s.close;
    else
      joined.push_back(s);
  }
  day = std::move(joined);
  return Status::Ok();
}

Status ParseClause(std::string_view clause, WeeklyHours* hours) {
  // The days run up to the first digit; the spans follow.
  size_t digit = 0;
  while (digit < clause.size() && !std::isdigit(static_cast<unsigned char>(clause[digit]))) {
    ++digit;
  }
  std::string_view day_text = Trim(clause.substr(0, digit));
  std::string_view span_text = Trim(clause.substr(digit));
  if (day_text.empty()) {
    return Status::InvalidArgument(fmt::format("'{}' names no days; {}", clause, kHoursExample));
  }
  if (span_text.empty()) {
    return Status::InvalidArgument(fmt::format("'{}' gives no hours; {}", clause, kHoursExample));
  }
  EARSHOT_ASSIGN_OR_RETURN(DaySet days, ParseDays(day_text));
  for (std::string_view item : Split(span_text, ',')) {
    EARSHOT_ASSIGN_OR_RETURN(OpenSpan span, ParseSpan(item));
    for (int d = 0; d < 7; ++d) {
      if (!days[d]) continue;
      Status added = AddSpan(hours->days[d], span, d);
      if (!added.ok()) return added.Annotate(fmt::format("'{}'", clause));
    }
  }
  return Status::Ok();
}

}  // namespace

WeeklyHours WeeklyHours::Always() {
  WeeklyHours h;
  for (auto& day : h.days) day = {OpenSpan{0, kMinutesPerDay}};
  return h;
}

bool WeeklyHours::always() const { return *this == Always(); }

bool WeeklyHours::empty() const {
  return std::all_of(days.begin(), days.end(), [](const auto& d) { return d.empty(); });
}

Result<WeeklyHours> ParseWeeklyHours(std::string_view text) {
  text = Trim(text);
  if (text.empty()) {
    return Status::InvalidArgument(fmt::format("empty opening hours; {}", kHoursExample));
  }
  if (Lower(text) == "always") return WeeklyHours::Always();
  WeeklyHours hours;
  for (std::string_view clause : Split(text, ';')) {
    if (clause.empty()) continue;  // "a; b;" and "a;; b" are harmless
    EARSHOT_RETURN_IF_ERROR(ParseClause(clause, &hours));
  }
  return hours;
}

Result<WeeklyHours> ParseWeeklyHours(const std::vector<std::string>& clauses) {
  if (clauses.empty()) {
    return Status::InvalidArgument(fmt::format("empty opening hours; {}", kHoursExample));
  }
  if (clauses.size() == 1) return ParseWeeklyHours(clauses[0]);
  WeeklyHours hours;
  for (size_t i = 0; i < clauses.size(); ++i) {
    std::string_view clause = Trim(clauses[i]);
    Status s = clause.empty() ? Status::InvalidArgument(fmt::format("empty; {}", kHoursExample))
               : Lower(clause) == "always"
                   ? Status::InvalidArgument("'always' stands alone, not in a list of hours")
                   : ParseClause(clause, &hours);
    if (!s.ok()) return s.Annotate(fmt::format("hours #{}", i + 1));
  }
  return hours;
}

std::string FormatWeeklyHours(const WeeklyHours& hours) {
  if (hours.always()) return "always";
  if (hours.empty()) return "never";
  std::vector<std::string> clauses;
  for (size_t i = 0; i < kWeekOrder.size();) {
    const auto& spans = hours.days[kWeekOrder[i]];
    size_t j = i + 1;
    while (j < kWeekOrder.size() && hours.days[kWeekOrder[j]] == spans) ++j;
    if (!spans.empty()) {
      std::string days(kShortNames[kWeekOrder[i]]);
      if (j - i == 2) days += fmt::format(",{}", kShortNames[kWeekOrder[j - 1]]);
      if (j - i > 2) days += fmt::format("-{}", kShortNames[kWeekOrder[j - 1]]);
      std::vector<std::string> parts;
      for (const OpenSpan& s : spans) parts.push_back(FormatSpan(s));
      clauses.push_back(fmt::format("{} {}", days, fmt::join(parts, ",")));
    }
    i = j;
  }
  return fmt::format("{}", fmt::join(clauses, "; "));
}

Result<LocalDate> ParseLocalDate(std::string_view text) {
  constexpr std::string_view kHow = "write dates as YYYY-MM-DD, e.g. 2026-12-25";
  text = Trim(text);
  bool shape = text.size() == 10 && text[4] == '-' && text[7] == '-';
  for (size_t i = 0; shape && i < text.size(); ++i) {
    if (i != 4 && i != 7 && !std::isdigit(static_cast<unsigned char>(text[i]))) shape = false;
  }
  if (!shape) return Status::InvalidArgument(fmt::format("'{}' is not a date; {}", text, kHow));
  auto number = [&](size_t pos, size_t len) {
    int n = 0;
    for (size_t i = pos; i < pos + len; ++i) n = n * 10 + (text[i] - '0');
    return n;
  };
  LocalDate date{number(0, 4), number(5, 2), number(8, 2)};
  if (date.month < 1 || date.month > 12) {
    return Status::InvalidArgument(
        fmt::format("'{}': month {} is out of range; {}", text, date.month, kHow));
  }
  const int days = DaysInMonth(date.year, date.month);
  if (date.day < 1 || date.day > days) {
    return Status::InvalidArgument(fmt::format("'{}': {} {} has {} days; {}", text,
                                               kMonthNames[date.month - 1], date.year, days, kHow));
  }
  return date;
}

}  // namespace earshot
