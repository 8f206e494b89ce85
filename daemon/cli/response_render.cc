// The response report as text and JSON (declared in response_stats.h).
#include <fmt/format.h>

#include <string_view>
#include <vector>

#include "daemon/base/json_escape.h"
#include "daemon/cli/response_stats.h"

namespace earshot {
namespace {

// Columns padded to their widest cell: text to the left, numbers to the right.
class TextTable {
 public:
  // One flag per column: true aligns it to the right.
  explicit TextTable(std::vector<bool> right) : right_(std::move(right)) {}

  void Add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }

  void AppendTo(std::string* out) const {
    std::vector<size_t> width(right_.size(), 0);
    for (const auto& row : rows_) {
      for (size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], Columns(row[c]));
    }
    for (const auto& row : rows_) {
      std::string line;
      for (size_t c = 0; c < row.size(); ++c) {
        if (c > 0) line += "  ";
        const std::string pad(width[c] - Columns(row[c]), ' ');
        line += right_[c] ? pad + row[c] : row[c] + pad;
      }
      line.erase(line.find_last_not_of(' ') + 1);
      *out += line;
      *out += '\n';
    }
  }

 private:
  // Terminal columns of UTF-8 text, one per code point: brand names need not be ASCII.
  static size_t Columns(std::string_view s) {
    size_t n = 0;
    for (unsigned char c : s) n += (c & 0xC0) != 0x80;
    return n;
  }

  std::vector<bool> right_;
  std::vector<std::vector<std::string>> rows_;
};

std::string WaitOrDash(const std::optional<Duration>& d) { return d ? FormatWait(*d) : "-"; }

std::string LocalMinute(const TimeZone& zone, SystemTime t) {
  const CivilTime c = zone.ToLocal(t);
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}", c.year, c.month, c.day, c.hour, c.minute);
}

std::string Date(const CivilTime& c) {
  return fmt::format("{:04}-{:02}-{:02}", c.year, c.month, c.day);
}

std::vector<std::string> SummaryCells(std::string brand, std::string_view severity,
                                      const ResponseSummary& s) {
  return {std::move(brand),           std::string(severity),     std::to_string(s.incidents),
          std::to_string(s.answered), WaitOrDash(s.p50),         WaitOrDash(s.p90),
          WaitOrDash(s.max),          std::to_string(s.breaches)};
}

void AppendJsonDuration(const std::optional<Duration>& d, std::string* out) {
  if (d) {
    fmt::format_to(std::back_inserter(*out), "{}", d->count());
  } else {
    *out += "null";
  }
}

void AppendJsonSummary(const ResponseSummary& s, std::string* out) {
  fmt::format_to(std::back_inserter(*out),
                 "\"incidents\":{},\"answered\":{},\"p50_ms\":", s.incidents, s.answered);
  AppendJsonDuration(s.p50, out);
  *out += ",\"p90_ms\":";
  AppendJsonDuration(s.p90, out);
  *out += ",\"max_ms\":";
  AppendJsonDuration(s.max, out);
  fmt::format_to(std::back_inserter(*out), ",\"breaches\":{}", s.breaches);
}

}  // namespace

std::string RenderResponseText(const ResponseReport& report, const TimeZone& zone) {
  std::string out =
      fmt::format("First responses, {} to {} ({})\n\n", LocalMinute(zone, report.since),
                  LocalMinute(zone, report.until), report.time_zone);
  if (report.total.incidents == 0) {
    out += "No complaints were opened in this window.\n";
  } else {
    TextTable brands({false, false, true, true, true, true, true, true});
    brands.Add({"brand", "severity", "incidents", "answered", "p50", "p90", "max", "breaches"});
    for (const BrandReport& b : report.brands) {
      brands.Add(SummaryCells(b.brand, "all", b.all));
      for (const SeverityRow& row : b.severities) {
        brands.Add(SummaryCells("", SeverityName(row.severity), row.summary));
      }
    }
    // One brand's "all" row already is the total.
    if (report.brands.size() > 1) brands.Add(SummaryCells("total", "all", report.total));
    brands.AppendTo(&out);

    TextTable waiting({false, false, false, true, false, false});
    waiting.Add({"brand", "severity", "opened", "waiting", "target", "incident"});
    bool any = false;
    for (const BrandReport& b : report.brands) {
      for (const UnansweredIncident& u : b.unanswered) {
        std::string state = u.past_due ? "past due" : "-";
        if (u.resolved) state += ", resolved";
        waiting.Add({b.brand, std::string(SeverityName(u.severity)), LocalMinute(zone, u.opened_at),
                     FormatWait(u.age), state, u.id});
        any = true;
      }
    }
    out += "\nUnanswered";
    if (any) {
      out += ", oldest first:\n";
      waiting.AppendTo(&out);
    } else {
      out += ": none.\n";
    }
  }

  if (!report.days.empty()) {
    out += "\n";
    TextTable days({false, true, true});
    days.Add({"day", "complaints", "median response"});
    for (const DayPoint& d : report.days) {
      days.Add({Date(d.date), std::to_string(d.opened), WaitOrDash(d.median_response)});
    }
    days.AppendTo(&out);
  }
  return out;
}

std::string RenderResponseJson(const ResponseReport& report) {
  std::string out;
  fmt::format_to(std::back_inserter(out), "{{\"since\":{},\"until\":{},\"time_zone\":{},",
                 JsonQuoted(FormatIso8601(report.since)), JsonQuoted(FormatIso8601(report.until)),
                 JsonQuoted(report.time_zone));
  out += "\"total\":{";
  AppendJsonSummary(report.total, &out);
  out += "},\"brands\":[";
  for (size_t i = 0; i < report.brands.size(); ++i) {
    const BrandReport& b = report.brands[i];
    if (i > 0) out += ',';
    out += "{\"brand\":";
    out += JsonQuoted(b.brand);
    out += ',';
    AppendJsonSummary(b.all, &out);
    out += ",\"severities\":[";
    for (size_t j = 0; j < b.severities.size(); ++j) {
      if (j > 0) out += ',';
      fmt::format_to(std::back_inserter(out), "{{\"severity\":\"{}\",",
                     SeverityName(b.severities[j].severity));
      AppendJsonSummary(b.severities[j].summary, &out);
      out += '}';
    }
    out += "],\"unanswered\":[";
    for (size_t j = 0; j < b.unanswered.size(); ++j) {
      const UnansweredIncident& u = b.unanswered[j];
      if (j > 0) out += ',';
      fmt::format_to(std::back_inserter(out),
                     "{{\"id\":{},\"severity\":\"{}\",\"opened_at\":{},\"age_ms\":{},"
                     "\"past_due\":{},\"resolved\":{}}}",
                     JsonQuoted(u.id), SeverityName(u.severity),
                     JsonQuoted(FormatIso8601(u.opened_at)), u.age.count(), u.past_due, u.resolved);
    }
    out += "]}";
  }
  out += "],\"days\":[";
  for (size_t i = 0; i < report.days.size(); ++i) {
    const DayPoint& d = report.days[i];
    if (i > 0) out += ',';
    fmt::format_to(std::back_inserter(out),
                   "{{\"date\":\"{}\",\"opened\":{},\"median_response_ms\":", Date(d.date),
                   d.opened);
    AppendJsonDuration(d.median_response, &out);
    out += '}';
  }
  out += "]}";
  return out;
}

}  // namespace earshot
