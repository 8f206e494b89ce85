#include "daemon/base/time_zone.h"

#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "daemon/base/file_read.h"

namespace earshot {
namespace {

namespace fs = std::filesystem;

SystemTime At(int64_t unix_seconds) { return SystemTime(Seconds(unix_seconds)); }
SystemTime Utc(int64_t y, int m, int d, int h, int min = 0, int s = 0) {
  return At(CivilToSeconds(CivilTime{y, m, d, h, min, s}));
}

TimeZone MustLoad(const char* name) {
  Result<TimeZone> tz = TimeZone::Load(name, "/usr/share/zoneinfo");
  INFO(name << ": " << tz.status().ToString());
  REQUIRE(tz.ok());
  return *tz;
}

std::string Local(const TimeZone& tz, SystemTime t) { return FormatCivil(tz.ToLocal(t)); }

// A folder under the system's temp directory, removed with the test.
class ScratchDir {
 public:
  ScratchDir() {
    std::string pattern = (fs::temp_directory_path() / "earshot-tz-XXXXXX").string();
    REQUIRE(mkdtemp(pattern.data()) != nullptr);
    path_ = pattern;
  }
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }
  void Write(const std::string& name, const std::string& bytes) const {
    fs::create_directories((path_ / name).parent_path());
    std::ofstream(path_ / name, std::ios::binary) << bytes;
  }

 private:
  fs::path path_;
};

TEST_CASE("TimeZone: Berlin's spring-forward and fall-back in 2026", "[base][time]") {
  TimeZone berlin = MustLoad("Europe/Berlin");
  CHECK(berlin.name() == "Europe/Berlin");
  // 2026-03-29 01:00:00 UTC is 03:00 CEST; a second earlier it was 01:59:59 CET.
  ZoneOffset before = berlin.LocalOffset(At(1774745999));
  CHECK(before.utc_offset == Seconds(3600));
  CHECK_FALSE(before.is_dst);
  CHECK(before.abbreviation == "CET");
  ZoneOffset after = berlin.LocalOffset(At(1774746000));
  CHECK(after.utc_offset == Seconds(7200));
  CHECK(after.is_dst);
  CHECK(after.abbreviation == "CEST");
  CHECK(Local(berlin, At(1774745999)) == "2026-03-29 01:59:59");
  CHECK(Local(berlin, At(1774746000)) == "2026-03-29 03:00:00");
  CHECK(berlin.ToLocal(At(1774746000)).weekday == 0);
  // 2026-10-25 01:00:00 UTC: 02:59:59 CEST becomes 02:00:00 CET.
  CHECK(Local(berlin, At(1792889999)) == "2026-10-25 02:59:59");
  CHECK(Local(berlin, At(1792890000)) == "2026-10-25 02:00:00");
  CHECK(berlin.LocalOffset(At(1792890000)).abbreviation == "CET");
  // Fractions of a second are dropped, before the epoch too.
  CHECK(Local(berlin, At(1774746000) - std::chrono::milliseconds(1)) == "2026-03-29 01:59:59");
}

TEST_CASE("TimeZone: past the transition table the footer rule answers", "[base][time]") {
  TimeZone berlin = MustLoad("Europe/Berlin");
  CHECK(Local(berlin, Utc(2045, 7, 1, 12)) == "2045-07-01 14:00:00");
  CHECK(Local(berlin, Utc(2045, 3, 26, 0, 59, 59)) == "2045-03-26 01:59:59");
  CHECK(Local(berlin, Utc(2045, 3, 26, 1)) == "2045-03-26 03:00:00");
  CHECK(Local(berlin, Utc(2045, 12, 1, 12)) == "2045-12-01 13:00:00");
  CHECK(berlin.LocalOffset(Utc(2045, 7, 1, 12)).abbreviation == "CEST");
  TimeZone new_york = MustLoad("America/New_York");
  CHECK(Local(new_york, Utc(2045, 3, 12, 7)) == "2045-03-12 03:00:00");
  CHECK(new_york.LocalOffset(Utc(2045, 3, 12, 7)).abbreviation == "EDT");
  CHECK(Local(new_york, Utc(2045, 3, 12, 6, 59, 59)) == "2045-03-12 01:59:59");
}

TEST_CASE("TimeZone: New York, Lord Howe's half hour, Kolkata, UTC", "[base][time]") {
  TimeZone new_york = MustLoad("America/New_York");
  CHECK(Local(new_york, Utc(2026, 3, 8, 7)) == "2026-03-08 03:00:00");
  CHECK(Local(new_york, Utc(2026, 11, 1, 6)) == "2026-11-01 01:00:00");
  CHECK(new_york.LocalOffset(Utc(2026, 11, 1, 6)).utc_offset == Seconds(-5 * 3600));
  TimeZone lord_howe = MustLoad("Australia/Lord_Howe");
  CHECK(Local(lord_howe, Utc(2026, 1, 15, 0)) == "2026-01-15 11:00:00");
  CHECK(lord_howe.LocalOffset(Utc(2026, 1, 15, 0)).utc_offset == Seconds(11 * 3600));
  CHECK(lord_howe.LocalOffset(Utc(2026, 1, 15, 0)).is_dst);
  CHECK(Local(lord_howe, Utc(2026, 4, 4, 15)) == "2026-04-05 01:30:00");
  CHECK(Local(lord_howe, Utc(2026, 10, 3, 15, 30)) == "2026-10-04 02:30:00");
  CHECK(lord_howe.LocalOffset(Utc(2045, 6, 1, 0)).utc_offset == Seconds(10 * 3600 + 1800));
  TimeZone kolkata = MustLoad("Asia/Kolkata");
  CHECK(Local(kolkata, Utc(2026, 6, 1, 0)) == "2026-06-01 05:30:00");
  CHECK(kolkata.LocalOffset(Utc(2045, 6, 1, 0)).abbreviation == "IST");
  TimeZone utc = MustLoad("UTC");
  CHECK(Local(utc, Utc(2026, 6, 1, 0)) == "2026-06-01 00:00:00");
  CHECK(utc.LocalOffset(Utc(2045, 6, 1, 0)).abbreviation == "UTC");
  CHECK(Local(TimeZone::Utc(), Utc(2026, 6, 1, 0)) == "2026-06-01 00:00:00");
  CHECK(TimeZone().name() == "UTC");
}

TEST_CASE("TimeZone::FromLocal: gaps move forward, overlaps take the earlier", "[base][time]") {
  TimeZone berlin = MustLoad("Europe/Berlin");
  CHECK(berlin.FromLocal({2026, 3, 29, 1, 59, 59}) == At(1774745999));
  CHECK(berlin.FromLocal({2026, 3, 29, 3, 0, 0}) == At(1774746000));
  // 02:30 does not exist on 2026-03-29: read on CET it is 01:30 UTC, i.e. 03:30 CEST.
  CHECK(berlin.FromLocal({2026, 3, 29, 2, 30, 0}) == Utc(2026, 3, 29, 1, 30));
  CHECK(berlin.FromLocal({2026, 3, 29, 2, 0, 0}) == Utc(2026, 3, 29, 1, 0));
  // 02:30 happens twice on 2026-10-25: first at 00:30 UTC (CEST), then 01:30 UTC (CET).
  CHECK(berlin.FromLocal({2026, 10, 25, 2, 30, 0}) == Utc(2026, 10, 25, 0, 30));
  CHECK(berlin.FromLocal({2026, 10, 25, 3, 0, 0}) == Utc(2026, 10, 25, 2, 0));
  // The same rules past the table.
  CHECK(berlin.FromLocal({2045, 3, 26, 2, 30, 0}) == Utc(2045, 3, 26, 1, 30));
  CHECK(berlin.FromLocal({2045, 10, 29, 2, 30, 0}) == Utc(2045, 10, 29, 0, 30));
  CHECK(berlin.FromLocal({2045, 7, 1, 14, 0, 0}) == Utc(2045, 7, 1, 12));
  // Hour 24 carries into the next day.
  CHECK(berlin.FromLocal({2026, 3, 28, 24, 0, 0}) == Utc(2026, 3, 28, 23));

  TimeZone new_york = MustLoad("America/New_York");
  CHECK(new_york.FromLocal({2026, 3, 8, 2, 15, 0}) == Utc(2026, 3, 8, 7, 15));    // 03:15 EDT
  CHECK(new_york.FromLocal({2026, 11, 1, 1, 30, 0}) == Utc(2026, 11, 1, 5, 30));  // EDT
  // Lord Howe springs forward by half an hour: 02:00-02:30 is the gap.
  TimeZone lord_howe = MustLoad("Australia/Lord_Howe");
  CHECK(lord_howe.FromLocal({2026, 10, 4, 2, 10, 0}) == Utc(2026, 10, 3, 15, 40));
  CHECK(Local(lord_howe, lord_howe.FromLocal({2026, 10, 4, 2, 10, 0})) == "2026-10-04 02:40:00");
  // Falls back by half an hour: 01:30-02:00 happens twice.
  CHECK(lord_howe.FromLocal({2026, 4, 5, 1, 45, 0}) == Utc(2026, 4, 4, 14, 45));
}

TEST_CASE("TimeZone::FromLocal: readings that exist round-trip and keep their order",
          "[base][time]") {
  for (const char* name : {"Europe/Berlin", "America/New_York", "Australia/Lord_Howe"}) {
    TimeZone tz = MustLoad(name);
    SystemTime previous = tz.FromLocal({2026, 1, 1, 0, 0, 0});
    int gaps = 0;
    for (int64_t s = CivilToSeconds({2026, 1, 1, 0, 5, 0}); s < CivilToSeconds({2027, 1, 1});
         s += 300) {
      CivilTime reading = CivilFromSeconds(s);
      SystemTime t = tz.FromLocal(reading);
      INFO(name << " " << FormatCivil(reading));
      if (!(tz.ToLocal(t) == reading)) {
        // Skipped by spring-forward: moved forward by the gap (30 or 60 minutes).
        ++gaps;
        Seconds gap =
            tz.LocalOffset(t).utc_offset - tz.LocalOffset(t - std::chrono::hours(2)).utc_offset;
        REQUIRE(CivilToSeconds(tz.ToLocal(t)) - s == gap.count());
        continue;
      }
      REQUIRE(t > previous);
      previous = t;
    }
    CHECK(gaps == (std::string_view(name) == "Australia/Lord_Howe" ? 6 : 12));
  }
}

TEST_CASE("TimeZone::Load: names that are not zones", "[base][time]") {
  auto [name, needle] = GENERATE(table<const char*, const char*>({
      {"Europe/Berln", "no such zone in /usr/share/zoneinfo; did you mean 'Europe/Berlin'?"},
      {"europe/berlin", "did you mean 'Europe/Berlin'?"},
      {"Mars/Olympus_Mons", "write an IANA zone name such as 'Europe/Berlin'"},
      {"", "the name is empty"},
      {"../../etc/passwd", "no '..' and no leading '/'"},
      {"/etc/passwd", "no '..' and no leading '/'"},
      {"Europe/../../../etc/passwd", "no '..'"},
      {"Europe", "is a folder of zones"},
  }));
  CAPTURE(name);
  Result<TimeZone> tz = TimeZone::Load(name, "/usr/share/zoneinfo");
  REQUIRE_FALSE(tz.ok());
  CHECK_THAT(tz.status().message(), Catch::Contains(needle));
  if (*name != '\0') CHECK_THAT(tz.status().message(), Catch::Contains(name));
}

TEST_CASE("TimeZone::Load: a missing zoneinfo directory says to install tzdata", "[base][time]") {
  Result<TimeZone> tz = TimeZone::Load("Europe/Berlin", "/nonexistent/zoneinfo");
  REQUIRE_FALSE(tz.ok());
  CHECK_THAT(tz.status().message(), Catch::Contains("no zoneinfo directory at "
                                                    "/nonexistent/zoneinfo; install the tzdata"));
  // UTC needs no file.
  Result<TimeZone> utc = TimeZone::Load("UTC", "/nonexistent/zoneinfo");
  REQUIRE(utc.ok());
  CHECK(utc->LocalOffset(Utc(2026, 1, 1, 0)).utc_offset == Seconds(0));
  Result<TimeZone> etc_utc = TimeZone::Load("Etc/UTC", "/nonexistent/zoneinfo");
  REQUIRE(etc_utc.ok());
  CHECK(etc_utc->name() == "Etc/UTC");
}

// Writes a TZif file by hand: the header, then a block of `time_size`-byte times.
std::string TzifBlock(char version, int time_size, const std::vector<int64_t>& times,
                      const std::vector<uint8_t>& indices,
                      const std::vector<std::tuple<int32_t, bool, uint8_t>>& types,
                      const std::string& chars) {
  auto be = [](uint64_t v, int n) {
    std::string out;
    for (int i = n - 1; i >= 0; --i) out += static_cast<char>(v >> (8 * i) & 0xff);
    return out;
  };
  std::string out = "TZif";
  out += version;
  out += std::string(15, '\0');
  out += be(0, 4) + be(0, 4) + be(0, 4) + be(times.size(), 4) + be(types.size(), 4) +
         be(chars.size(), 4);
  for (int64_t t : times) out += be(static_cast<uint64_t>(t), time_size);
  for (uint8_t i : indices) out += static_cast<char>(i);
  for (auto [off, dst, idx] : types) {
    out += be(static_cast<uint32_t>(off), 4);
    out += static_cast<char>(dst ? 1 : 0);
    out += static_cast<char>(idx);
  }
  return out + chars;
}

TEST_CASE("TimeZone: a version 1 file, and the same as version 2 and 3", "[base][time]") {
  // A zone at +01:00 "AAA" until 2000-01-01 00:00 UTC, then +02:00 "BBB" for ever.
  const std::vector<int64_t> times = {946684800};
  const std::vector<uint8_t> indices = {1};
  const std::vector<std::tuple<int32_t, bool, uint8_t>> types = {{3600, false, 0},
                                                                 {7200, false, 4}};
  const std::string chars("AAA\0BBB\0", 8);
  ScratchDir dir;
  dir.Write("Test/V1", TzifBlock('\0', 4, times, indices, types, chars));
  std::string v2_block = TzifBlock('2', 8, times, indices, types, chars);
  dir.Write("Test/V2", TzifBlock('2', 4, times, indices, types, chars) + v2_block + "\n\n");
  dir.Write("Test/V3", TzifBlock('3', 4, times, indices, types, chars) +
                           TzifBlock('3', 8, times, indices, types, chars) +
                           "\n<+02>-2<+03>,M3.5.0/-1,M10.5.0/27\n");
  for (const char* name : {"Test/V1", "Test/V2", "Test/V3"}) {
    INFO(name);
    Result<TimeZone> tz = TimeZone::Load(name, dir.path());
    REQUIRE(tz.ok());
    CHECK(tz->LocalOffset(At(946684799)).abbreviation == "AAA");
    CHECK(tz->LocalOffset(At(946684800)).abbreviation == "BBB");
    CHECK(tz->LocalOffset(At(0)).utc_offset == Seconds(3600));
    // V1 and V2 (an empty footer) keep the last type; V3's footer rule has summer time.
    CHECK(tz->LocalOffset(Utc(2030, 7, 1, 0)).utc_offset ==
          Seconds(std::string_view(name) == "Test/V3" ? 3 * 3600 : 7200));
    CHECK(tz->LocalOffset(Utc(2030, 1, 1, 0)).utc_offset == Seconds(7200));
  }
}

TEST_CASE("TimeZone: truncated and garbage files fail with the file's name", "[base][time]") {
  Result<std::string> berlin = ReadRegularFile("/usr/share/zoneinfo/Europe/Berlin");
  REQUIRE(berlin.ok());
  ScratchDir dir;
  // Every prefix of a real file is refused, none crashes.
  for (size_t n = 0; n < berlin->size(); ++n) {
    Result<TimeZone> tz = TimeZone::FromTzif("Cut/Berlin", berlin->substr(0, n), "cut file");
    INFO(n);
    REQUIRE_FALSE(tz.ok());
    CHECK(tz.status().code() == Status::Code::kDataLoss);
    CHECK_THAT(tz.status().message(), Catch::Contains("time zone 'Cut/Berlin': cut file is not "
                                                      "a usable TZif file"));
  }
  dir.Write("Cut/Berlin", berlin->substr(0, 300));
  Result<TimeZone> cut = TimeZone::Load("Cut/Berlin", dir.path());
  REQUIRE_FALSE(cut.ok());
  CHECK_THAT(cut.status().message(), Catch::Contains((dir.path() / "Cut/Berlin").string()));
  CHECK_THAT(cut.status().message(), Catch::Contains("truncated"));
  CHECK_THAT(cut.status().message(), Catch::Contains("reinstall tzdata"));

  dir.Write("Junk/Text", "this is not a zone file, it is a note\n");
  Result<TimeZone> junk = TimeZone::Load("Junk/Text", dir.path());
  REQUIRE_FALSE(junk.ok());
  CHECK_THAT(junk.status().message(), Catch::Contains("does not start with 'TZif'"));

  // Random bytes after a valid magic: refused or accepted, never a crash or a hang.
  std::mt19937 rng(8536);
  for (int i = 0; i < 2000; ++i) {
    std::string bytes = *berlin;
    for (int k = 0; k < 4; ++k) bytes[5 + rng() % (bytes.size() - 5)] = static_cast<char>(rng());
    Result<TimeZone> tz = TimeZone::FromTzif("Noisy/Berlin", bytes, "noisy file");
    if (tz.ok()) {
      (void)tz->ToLocal(Utc(2026, 6, 1, 0));
      (void)tz->FromLocal({2026, 6, 1, 12, 0, 0});
    }
  }
  // A version byte from the future, and leap-second files.
  std::string v9 = *berlin;
  v9[4] = '9';
  CHECK_THAT(TimeZone::FromTzif("X", v9, "f").status().message(),
             Catch::Contains("is not one earshot reads (1-4)"));
  if (fs::exists("/usr/share/zoneinfo/right/UTC")) {
    Result<TimeZone> right = TimeZone::Load("right/UTC", "/usr/share/zoneinfo");
    REQUIRE_FALSE(right.ok());
    CHECK_THAT(right.status().message(), Catch::Contains("leap-second"));
  }
}

TEST_CASE("TimeZone::DefaultZoneDirectory follows TZDIR as glibc does", "[base][time]") {
  // setenv is not thread-safe; this test process reads the environment from one thread.
  const char* old = getenv("TZDIR");
  std::string saved = old != nullptr ? old : "";
  setenv("TZDIR", "/opt/zones", 1);
  CHECK(TimeZone::DefaultZoneDirectory() == "/opt/zones");
  setenv("TZDIR", "", 1);
  CHECK(TimeZone::DefaultZoneDirectory() == "/usr/share/zoneinfo");
  if (old != nullptr)
    setenv("TZDIR", saved.c_str(), 1);
  else
    unsetenv("TZDIR");
}

TEST_CASE("TimeZone: agrees with glibc's localtime_r on random instants", "[base][time]") {
  // glibc is the reference here, read through TZ and tzset: both switch the zone for the whole
  // process, which is safe only because this test process runs its cases on one thread. (That
  // process-wide switch is why earshot has TimeZone at all.)
  const char* old = getenv("TZ");
  std::string saved = old != nullptr ? old : "";
  std::mt19937_64 rng(20260329);
  // 1902 to 2100: the tables and the footer rules, inside what 32-bit-free glibc handles.
  std::uniform_int_distribution<int64_t> when(-2145916800, 4102444800);
  for (const char* name : {"Europe/Berlin", "America/New_York", "Australia/Lord_Howe"}) {
    TimeZone tz = MustLoad(name);
    setenv("TZ", (std::string(":") + name).c_str(), 1);
    tzset();
    for (int i = 0; i < 400; ++i) {
      const int64_t s = when(rng);
      time_t tt = static_cast<time_t>(s);
      struct tm tm {};
      REQUIRE(localtime_r(&tt, &tm) != nullptr);
      CivilTime local = tz.ToLocal(At(s));
      ZoneOffset offset = tz.LocalOffset(At(s));
      INFO(name << " at " << s << ": " << FormatCivil(local));
      CHECK(local.year == tm.tm_year + 1900);
      CHECK(local.month == tm.tm_mon + 1);
      CHECK(local.day == tm.tm_mday);
      CHECK(local.hour == tm.tm_hour);
      CHECK(local.minute == tm.tm_min);
      CHECK(local.second == tm.tm_sec);
      CHECK(local.weekday == tm.tm_wday);
      CHECK(offset.utc_offset.count() == tm.tm_gmtoff);
      CHECK(offset.is_dst == (tm.tm_isdst > 0));
      CHECK(offset.abbreviation == tm.tm_zone);
      // The reading maps back to this instant, or to the earlier one of a doubled reading.
      SystemTime back = tz.FromLocal(local);
      CHECK(back <= At(s));
      CHECK(tz.ToLocal(back) == local);
    }
  }
  if (old != nullptr)
    setenv("TZ", saved.c_str(), 1);
  else
    unsetenv("TZ");
  tzset();
}

}  // namespace
}  // namespace earshot
