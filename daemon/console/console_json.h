// The console API's JSON (docs/console.md lists every field): incidents, their posts and
// history, silences. Every string goes through AppendJsonEscaped, so the output is valid UTF-8
// JSON whatever a post says; times are RFC 3339 UTC strings. Pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "daemon/state/incident_records.h"
#include "daemon/state/silence_record.h"

namespace earshot {

// A small writer for one JSON value: objects and arrays nest, commas come by themselves.
class JsonOut {
 public:
  JsonOut& BeginObject();
  JsonOut& EndObject();
  JsonOut& BeginArray();
  JsonOut& EndArray();
  JsonOut& Key(std::string_view key);
  JsonOut& String(std::string_view value);
  JsonOut& Number(double value);  // not finite: 0
  JsonOut& Int(int64_t value);
  JsonOut& Bool(bool value);
  JsonOut& Null();
  JsonOut& Time(SystemTime t);  // RFC 3339 UTC
  JsonOut& Raw(std::string_view json);  // an already valid JSON value
  // Key + value in one call.
  JsonOut& Field(std::string_view key, std::string_view value) { return Key(key).String(value); }
  JsonOut& Field(std::string_view key, const char* value) { return Key(key).String(value); }
  JsonOut& Field(std::string_view key, int64_t value) { return Key(key).Int(value); }
  JsonOut& Field(std::string_view key, bool value) { return Key(key).Bool(value); }

  const std::string& str() const { return out_; }
  std::string Take() { return std::move(out_); }

 private:
  void Separate();
  std::string out_;
  bool need_comma_ = false;
};

// An incident, as in the list and at the head of its page.
void IncidentJson(const IncidentRecord& inc, SystemTime now, JsonOut* out);
void PostRefJson(const PostRef& post, JsonOut* out);
void SilenceJson(const SilenceRecord& silence, SystemTime now, JsonOut* out);

// {"error": message}
std::string ErrorJson(std::string_view message);

}  // namespace earshot
