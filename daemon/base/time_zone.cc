#include "daemon/base/time_zone.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <optional>
#include <system_error>
#include <vector>

#include "daemon/base/file_read.h"
#include "daemon/base/posix_tz.h"
#include "daemon/base/suggest.h"

namespace earshot {

struct TimeZone::Data {
  struct LocalType {
    int32_t utc_offset = 0;
    bool is_dst = false;
    std::string abbreviation;
  };

  std::string name;
  std::vector<int64_t> transition_times;  // strictly ascending
  std::vector<uint8_t> transition_types;  // index into `types`, one per transition
  std::vector<LocalType> types;           // at least one
  std::optional<PosixTz> footer;          // for instants after the last transition

  // Whether the footer, not the table, answers for `seconds`.
  bool UsesFooter(int64_t seconds) const {
    return footer.has_value() && (transition_times.empty() || seconds > transition_times.back());
  }

  int32_t OffsetAt(int64_t seconds) const {
    if (UsesFooter(seconds)) return footer->TypeAt(seconds).utc_offset;
    return types[TypeIndexAt(seconds)].utc_offset;
  }

  size_t TypeIndexAt(int64_t seconds) const {
    // Before the first transition, type 0 holds (RFC 8536 §3.2).
    auto it = std::upper_bound(transition_times.begin(), transition_times.end(), seconds);
    if (it == transition_times.begin()) return 0;
    return transition_types[static_cast<size_t>(it - transition_times.begin()) - 1];
  }
};

namespace {

constexpr size_t kMaxZoneFileBytes = size_t{1} << 20;  // real ones are under 4 KiB
// Real UTC offsets stay within ±26 hours (RFC 8536 bounds them to -24:59:59..+25:59:59), so a
// local reading's instant lies within this much of the reading taken as UTC.
constexpr int64_t kOffsetWindow = 27 * 3600;

constexpr std::string_view kReinstall = "reinstall tzdata (apt-get install --reinstall tzdata)";

int64_t ToSeconds(SystemTime t) {
  return std::chrono::floor<Seconds>(t.time_since_epoch()).count();
}

// A bounds-checked reader over the file's bytes; big-endian, as TZif is.
class ByteReader {
 public:
  explicit ByteReader(std::string_view bytes) : bytes_(bytes) {}
  size_t remaining() const { return bytes_.size() - pos_; }
  bool Skip(uint64_t n) {
    if (n > remaining()) return false;
    pos_ += static_cast<size_t>(n);
    return true;
  }
  bool Bytes(size_t n, std::string_view* out) {
    if (n > remaining()) return false;
    *out = bytes_.substr(pos_, n);
    pos_ += n;
    return true;
  }
  bool U8(uint8_t* out) {
    if (remaining() < 1) return false;
    *out = static_cast<uint8_t>(bytes_[pos_++]);
    return true;
  }
  bool U32(uint32_t* out) {
    if (remaining() < 4) return false;
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v = v << 8 | static_cast<uint8_t>(bytes_[pos_++]);
    *out = v;
    return true;
  }
  bool I64(int64_t* out) {
    if (remaining() < 8) return false;
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = v << 8 | static_cast<uint8_t>(bytes_[pos_++]);
    *out = static_cast<int64_t>(v);
    return true;
  }

 private:
  std::string_view bytes_;
  size_t pos_ = 0;
};

struct Header {
  char version = 0;  // '\0' for version 1, else '2', '3', '4'
  uint32_t isutcnt = 0, isstdcnt = 0, leapcnt = 0, timecnt = 0, typecnt = 0, charcnt = 0;

  // The data block's size with `time_size`-byte times (4 in v1, 8 in v2+).
  uint64_t BlockSize(uint64_t time_size) const {
    return uint64_t{timecnt} * time_size + timecnt + uint64_t{typecnt} * 6 + charcnt +
           uint64_t{leapcnt} * (time_size + 4) + isstdcnt + isutcnt;
  }
};

// Reads a header; "" on success, else what is wrong.
std::string ReadHeader(ByteReader& in, Header* h) {
  std::string_view magic;
  if (!in.Bytes(4, &magic) || magic != "TZif") return "it does not start with 'TZif'";
  uint8_t version = 0;
  if (!in.U8(&version)) return "it is truncated in the header";
  if (version != 0 && version != '2' && version != '3' && version != '4') {
    return fmt::format("TZif version byte 0x{:02x} is not one earshot reads (1-4)", version);
  }
  h->version = static_cast<char>(version);
  if (!in.Skip(15) || !in.U32(&h->isutcnt) || !in.U32(&h->isstdcnt) || !in.U32(&h->leapcnt) ||
      !in.U32(&h->timecnt) || !in.U32(&h->typecnt) || !in.U32(&h->charcnt)) {
    return "it is truncated in the header";
  }
  if (h->typecnt == 0 || h->charcnt == 0) return "it declares no local time types";
  if (h->typecnt > 256)
    return fmt::format("it declares {} local time types (at most 256)", h->typecnt);
  if ((h->isstdcnt != 0 && h->isstdcnt != h->typecnt) ||
      (h->isutcnt != 0 && h->isutcnt != h->typecnt)) {
    return "its indicator counts do not match its type count";
  }
  if (h->leapcnt != 0) {
    return "it holds leap-second records (a 'right/' zone); use the zone of the same name "
           "without 'right/'";
  }
  return "";
}

// Reads a data block whose times are `time_size` bytes into `data`; "" or what is wrong.
std::string ReadBlock(ByteReader& in, const Header& h, int time_size, TimeZone::Data* data) {
  if (h.BlockSize(static_cast<uint64_t>(time_size)) > in.remaining()) {
    return "it is truncated in the data block";
  }
  data->transition_times.resize(h.timecnt);
  for (int64_t& t : data->transition_times) {
    if (time_size == 8) {
      (void)in.I64(&t);
    } else {
      uint32_t v = 0;
      (void)in.U32(&v);
      t = static_cast<int32_t>(v);
    }
  }
  for (size_t i = 1; i < data->transition_times.size(); ++i) {
    if (data->transition_times[i] <= data->transition_times[i - 1]) {
      return "its transition times are not in ascending order";
    }
  }
  data->transition_types.resize(h.timecnt);
  for (uint8_t& type : data->transition_types) {
    (void)in.U8(&type);
    if (type >= h.typecnt) return "a transition names a local time type it does not declare";
  }
  struct RawType {
    int32_t utoff;
    uint8_t isdst, desigidx;
  };
  std::vector<RawType> raw(h.typecnt);
  for (RawType& r : raw) {
    uint32_t utoff = 0;
    (void)in.U32(&utoff);
    (void)in.U8(&r.isdst);
    (void)in.U8(&r.desigidx);
    r.utoff = static_cast<int32_t>(utoff);
    if (r.utoff == INT32_MIN || r.isdst > 1 || r.desigidx >= h.charcnt) {
      return "a local time type is malformed";
    }
  }
  std::string_view chars;
  (void)in.Bytes(h.charcnt, &chars);
  data->types.clear();
  for (const RawType& r : raw) {
    size_t end = chars.find('\0', r.desigidx);
    if (end == std::string_view::npos) return "a time zone abbreviation is not terminated";
    data->types.push_back(TimeZone::Data::LocalType{
        r.utoff, r.isdst == 1, std::string(chars.substr(r.desigidx, end - r.desigidx))});
  }
  (void)in.Skip(uint64_t{h.isstdcnt} + h.isutcnt);  // only for POSIX-rule fallbacks; unused
  return "";
}

// Every zone name under `dir`, for "did you mean". Only reached on an error. tzdata holds
// about 1,800 files; the walk stops well past that, so a TZDIR pointed at a large tree by
// mistake costs a bounded time.
std::vector<std::string> ZoneNames(const std::filesystem::path& dir) {
  constexpr int kMaxEntries = 20000;
  std::vector<std::string> names;
  std::error_code ec;
  auto it = std::filesystem::recursive_directory_iterator(dir, ec);
  for (int seen = 0;
       !ec && it != std::filesystem::recursive_directory_iterator() && ++seen <= kMaxEntries;
       it.increment(ec)) {
    const std::string leaf = it->path().filename().string();
    if (it->is_directory(ec)) {
      // posix/ and right/ repeat every zone; right/ is refused anyway.
      if (leaf == "posix" || leaf == "right") it.disable_recursion_pending();
      continue;
    }
    // Skip the tables beside the zones (zone.tab, tzdata.zi, leapseconds, posixrules).
    bool lower = std::all_of(leaf.begin(), leaf.end(),
                             [](char c) { return !std::isupper(static_cast<unsigned char>(c)); });
    if (leaf.find('.') != std::string::npos || lower) continue;
    names.push_back(std::filesystem::relative(it->path(), dir, ec).generic_string());
  }
  return names;
}

bool IsUtcName(std::string_view name) {
  return name == "UTC" || name == "Etc/UTC" || name == "Etc/UCT" || name == "UCT" ||
         name == "Zulu" || name == "Etc/Zulu" || name == "Universal" || name == "Etc/Universal";
}

}  // namespace

TimeZone::TimeZone() : TimeZone(Utc()) {}

TimeZone TimeZone::Utc() {
  static const std::shared_ptr<const Data> utc = [] {
    auto d = std::make_shared<Data>();
    d->name = "UTC";
    d->types.push_back({0, false, "UTC"});
    return d;
  }();
  return TimeZone(utc);
}

std::filesystem::path TimeZone::DefaultZoneDirectory() {
  if (const char* env = std::getenv("TZDIR"); env != nullptr && *env != '\0') return env;
  return "/usr/share/zoneinfo";
}

Result<TimeZone> TimeZone::Load(std::string_view name) {
  return Load(name, DefaultZoneDirectory());
}

Result<TimeZone> TimeZone::Load(std::string_view name, const std::filesystem::path& directory) {
  constexpr std::string_view kExample =
      "write an IANA zone name such as 'Europe/Berlin', "
      "'America/New_York' or 'UTC'";
  if (name.empty()) {
    return Status::InvalidArgument(fmt::format("time zone: the name is empty; {}", kExample));
  }
  // The name becomes a path under the directory: it must not climb out of it.
  bool bad_char = std::any_of(name.begin(), name.end(), [](char c) {
    return static_cast<unsigned char>(c) < 0x20 || c == '\\';
  });
  if (name.front() == '/' || name.find("..") != std::string_view::npos || bad_char) {
    return Status::InvalidArgument(fmt::format(
        "time zone '{}': a zone name is a path inside the zoneinfo directory, with no '..' and "
        "no leading '/'; {}",
        name, kExample));
  }
  const std::filesystem::path path = directory / std::string(name);
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    if (IsUtcName(name)) {
      // UTC needs no data, so a host without tzdata can still use it.
      TimeZone utc = Utc();
      if (name != "UTC") {
        auto d = std::make_shared<Data>(*utc.data_);
        d->name = std::string(name);
        utc.data_ = std::move(d);
      }
      return utc;
    }
    if (!std::filesystem::is_directory(directory, ec)) {
      return Status::NotFound(fmt::format(
          "time zone '{}': there is no zoneinfo directory at {}; install the tzdata package "
          "(apt-get install tzdata) or point TZDIR at one",
          name, directory.string()));
    }
    std::string best = ClosestMatch(name, ZoneNames(directory));
    return Status::NotFound(fmt::format(
        "time zone '{}': no such zone in {}; {}", name, directory.string(),
        best.empty() ? fmt::format("{} (`timedatectl list-timezones` lists them)", kExample)
                     : fmt::format("did you mean '{}'?", best)));
  }
  if (std::filesystem::is_directory(path, ec)) {
    return Status::InvalidArgument(fmt::format(
        "time zone '{}': {} is a folder of zones, not a zone; name one inside it, such as "
        "'{}/...'",
        name, path.string(), name));
  }
  Result<std::string> bytes = ReadRegularFile(path, kMaxZoneFileBytes);
  if (!bytes.ok()) {
    return Status(bytes.status()).Annotate(fmt::format("time zone '{}': {}", name, path.string()));
  }
  return FromTzif(name, *bytes, path.string());
}

Result<TimeZone> TimeZone::FromTzif(std::string_view name, std::string_view bytes,
                                    std::string_view origin) {
  auto corrupt = [&](std::string_view why) {
    return Status::DataLoss(fmt::format("time zone '{}': {} is not a usable TZif file: {}; {}",
                                        name, origin, why, kReinstall));
  };
  auto data = std::make_shared<Data>();
  data->name = std::string(name);
  ByteReader in(bytes);
  Header v1;
  if (std::string why = ReadHeader(in, &v1); !why.empty()) return corrupt(why);
  if (v1.version == 0) {
    // Version 1: 32-bit times and no footer; the last type holds for ever after.
    if (std::string why = ReadBlock(in, v1, 4, data.get()); !why.empty()) return corrupt(why);
    return TimeZone(std::move(data));
  }
  // Version 2+: skip the 32-bit block for the 64-bit one after it, then read the footer.
  if (!in.Skip(v1.BlockSize(4))) return corrupt("it is truncated in the 32-bit data block");
  Header v2;
  if (std::string why = ReadHeader(in, &v2); !why.empty()) {
    return corrupt(fmt::format("the second header is wrong: {}", why));
  }
  if (std::string why = ReadBlock(in, v2, 8, data.get()); !why.empty()) return corrupt(why);
  std::string_view rest;
  (void)in.Bytes(in.remaining(), &rest);
  size_t end = rest.size() < 2 || rest[0] != '\n' ? std::string_view::npos : rest.find('\n', 1);
  if (end == std::string_view::npos) return corrupt("its footer is missing or cut short");
  std::string_view footer = rest.substr(1, end - 1);
  if (!footer.empty()) {
    Result<PosixTz> rule = PosixTz::Parse(footer);
    if (!rule.ok()) return corrupt(rule.status().message());
    data->footer = std::move(*rule);
  }
  return TimeZone(std::move(data));
}

const std::string& TimeZone::name() const { return data_->name; }

ZoneOffset TimeZone::LocalOffset(SystemTime t) const {
  const int64_t s = ToSeconds(t);
  if (data_->UsesFooter(s)) {
    const PosixTz::Type& type = data_->footer->TypeAt(s);
    return ZoneOffset{Seconds(type.utc_offset), type.is_dst, type.abbreviation};
  }
  const Data::LocalType& type = data_->types[data_->TypeIndexAt(s)];
  return ZoneOffset{Seconds(type.utc_offset), type.is_dst, type.abbreviation};
}

int32_t TimeZone::OffsetAtSeconds(int64_t seconds) const { return data_->OffsetAt(seconds); }

CivilTime TimeZone::ToLocal(SystemTime t) const {
  const int64_t s = ToSeconds(t);
  return CivilFromSeconds(s + data_->OffsetAt(s));
}

SystemTime TimeZone::FromLocal(const CivilTime& local) const {
  return SystemTime(Seconds(FromLocalSeconds(CivilToSeconds(local))));
}

int64_t TimeZone::FromLocalSeconds(int64_t local) const {
  const Data& d = *data_;
  // The offset changes near the reading, each as (instant, offset from then on), in order.
  const int64_t lo = local - kOffsetWindow, hi = local + kOffsetWindow;
  struct Change {
    int64_t at;
    int32_t offset;
  };
  std::vector<Change> changes;
  auto first = std::upper_bound(d.transition_times.begin(), d.transition_times.end(), lo);
  for (auto it = first; it != d.transition_times.end() && *it <= hi; ++it) {
    size_t i = static_cast<size_t>(it - d.transition_times.begin());
    changes.push_back({*it, d.types[d.transition_types[i]].utc_offset});
  }
  if (d.footer.has_value()) {
    int64_t from = d.transition_times.empty() ? lo : std::max(lo, d.transition_times.back());
    for (const PosixTz::Transition& t : d.footer->TransitionsBetween(from, hi)) {
      changes.push_back(
          {t.at, t.is_dst ? d.footer->daylight().utc_offset : d.footer->standard().utc_offset});
    }
  }
  // Each span between changes has one offset; the reading exists in a span when the instant
  // it names under that offset falls inside the span. Spans are in order, so the first such
  // is the earlier instant of a doubled reading.
  int32_t offset = d.OffsetAt(lo);
  for (size_t i = 0; i <= changes.size(); ++i) {
    const int64_t candidate = local - offset;
    const bool before_end = i == changes.size() || candidate < changes[i].at;
    const bool after_start = i == 0 || candidate >= changes[i - 1].at;
    if (before_end && after_start) return candidate;
    if (i < changes.size()) offset = changes[i].offset;
  }
  // No span holds it: the reading fell into a gap. Read it on the offset before the change,
  // which lands past the change by as much as the reading was into the gap.
  offset = d.OffsetAt(lo);
  for (const Change& c : changes) {
    if (local - offset >= c.at && local - c.offset < c.at) return local - offset;
    offset = c.offset;
  }
  return local - d.OffsetAt(local);  // unreachable for sane offsets
}

}  // namespace earshot
