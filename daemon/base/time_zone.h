// Time zones from the system's zoneinfo files (TZif, RFC 8536), for business hours and
// response-time targets read in a support team's local time.
//
// Neither the C library nor GCC 12's libstdc++ serves here: std::chrono's zone database arrived
// in GCC 14, and TZ/tzset/localtime_r switch one zone for the whole process, so two threads
// asking about Berlin and New York would race. A TimeZone is a value: load it once (at config
// load), copy it freely; copies share the immutable parsed file. Any thread.
//
// Instants outside what a SystemTime holds (1677-2262) are not representable; within it the
// answers match glibc's for the same file.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "daemon/base/civil_time.h"
#include "daemon/base/clock.h"
#include "daemon/base/result.h"

namespace earshot {

// The local time type in effect at an instant.
struct ZoneOffset {
  Seconds utc_offset{0};  // local time minus UTC: +3600 for CET, -14400 for EDT
  bool is_dst = false;
  std::string abbreviation;  // "CEST", "EST", "+0530"
};

class TimeZone {
 public:
  // UTC.
  TimeZone();
  // UTC, needing no file.
  static TimeZone Utc();

  // Loads `name` ("Europe/Berlin", "America/New_York", "UTC") from DefaultZoneDirectory().
  // Errors name the zone and the file and say what to do: a misspelt zone gets "did you mean",
  // a missing directory "install tzdata". "UTC" loads even with no zoneinfo directory. Names
  // holding ".." or starting with "/" are refused, so a config cannot read other files.
  static Result<TimeZone> Load(std::string_view name);
  // The same, from `directory` instead (tests; a bundled copy of tzdata).
  static Result<TimeZone> Load(std::string_view name, const std::filesystem::path& directory);
  // Parses TZif `bytes` (versions 1-4) for a zone called `name`; `origin` names the source in
  // errors. A v2+ file's 64-bit block and footer rule are used; a v1 file's last type holds
  // after its last transition. Files with leap-second records ("right/...") are refused.
  static Result<TimeZone> FromTzif(std::string_view name, std::string_view bytes,
                                   std::string_view origin);

  // $TZDIR when set and not empty (as glibc), else /usr/share/zoneinfo.
  static std::filesystem::path DefaultZoneDirectory();

  // "Europe/Berlin", as loaded.
  const std::string& name() const;

  ZoneOffset LocalOffset(SystemTime t) const;

  // The local wall-clock reading at `t` (the fraction of a second is dropped).
  CivilTime ToLocal(SystemTime t) const;

  // The instant whose local reading is `local` (its weekday is ignored; out-of-range fields
  // carry over, so hour 24 is midnight of the next day). Readings a zone change makes
  // impossible or double are settled so that the answer always exists and is unique:
  //   - in a spring-forward gap (02:30 on 2026-03-29 in Berlin never happens) the reading is
  //     taken on the offset before the change, which moves it forward by the gap: 03:30 CEST;
  //   - in a fall-back overlap (02:30 on 2026-10-25 in Berlin happens twice) the earlier
  //     instant wins: 02:30 CEST, 00:30 UTC.
  // These are RFC 5545's rules for calendar events (§3.3.5). Outside gaps, FromLocal never
  // goes backwards as `local` advances; inside one it can (02:59 gives 03:59 CEST, then 03:00
  // gives 03:00 CEST).
  SystemTime FromLocal(const CivilTime& local) const;

  // The same on seconds since the epoch, for callers that step whole days without a SystemTime
  // (business_hours.cc).
  int32_t OffsetAtSeconds(int64_t seconds) const;
  int64_t FromLocalSeconds(int64_t local_seconds) const;

  struct Data;  // the parsed file; defined in time_zone.cc

 private:
  explicit TimeZone(std::shared_ptr<const Data> data) : data_(std::move(data)) {}

  std::shared_ptr<const Data> data_;
};

}  // namespace earshot
