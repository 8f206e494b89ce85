#include "daemon/console/console_json.h"

#include <fmt/format.h>

#include <cmath>

#include "daemon/base/json_escape.h"
#include "daemon/state/incident_kinds.h"

namespace earshot {

void JsonOut::Separate() {
  if (need_comma_) out_ += ',';
  need_comma_ = true;
}

JsonOut& JsonOut::BeginObject() {
  Separate();
  out_ += '{';
  need_comma_ = false;
  return *this;
}
JsonOut& JsonOut::EndObject() {
  out_ += '}';
  need_comma_ = true;
  return *this;
}
JsonOut& JsonOut::BeginArray() {
  Separate();
  out_ += '[';
  need_comma_ = false;
  return *this;
}
JsonOut& JsonOut::EndArray() {
  out_ += ']';
  need_comma_ = true;
  return *this;
}
JsonOut& JsonOut::Key(std::string_view key) {
  Separate();
  out_ += '"';
  AppendJsonEscaped(key, &out_);
  out_ += "\":";
  need_comma_ = false;  // the value follows without a comma
  return *this;
}
JsonOut& JsonOut::String(std::string_view value) {
  Separate();
  out_ += '"';
  AppendJsonEscaped(value, &out_);
  out_ += '"';
  return *this;
}
JsonOut& JsonOut::Number(double value) {
  Separate();
  fmt::format_to(std::back_inserter(out_), "{}", std::isfinite(value) ? value : 0.0);
  return *this;
}
JsonOut& JsonOut::Int(int64_t value) {
  Separate();
  fmt::format_to(std::back_inserter(out_), "{}", value);
  return *this;
}
JsonOut& JsonOut::Bool(bool value) {
  Separate();
  out_ += value ? "true" : "false";
  return *this;
}
JsonOut& JsonOut::Null() {
  Separate();
  out_ += "null";
  return *this;
}
JsonOut& JsonOut::Time(SystemTime t) { return String(FormatIso8601(t)); }
JsonOut& JsonOut::Raw(std::string_view json) {
  Separate();
  out_ += json;
  return *this;
}

void PostRefJson(const PostRef& post, JsonOut* out) {
  out->BeginObject()
      .Field("network", post.network)
      .Field("id", post.id)
      .Field("url", post.url)
      .Field("author", post.author)
      .Field("author_name", post.author_name)
      .Field("followers", post.followers)
      .Field("text", post.text)
      .Field("truncated", post.text_bytes > 0)
      .Key("created_at")
      .Time(post.created_at)
      .Key("sentiment")
      .Number(post.sentiment)
      .Key("complaint")
      .Number(post.complaint)
      .EndObject();
}

void IncidentJson(const IncidentRecord& inc, SystemTime now, JsonOut* out) {
  out->BeginObject()
      .Field("id", inc.id)
      .Field("status", IncidentStatusName(inc.status))
      .Field("severity", SeverityName(inc.severity))
      .Field("rule", inc.rule_id)
      .Field("category", IncidentKindName(inc.category))
      .Field("summary", inc.summary)
      .Field("receiver", inc.receiver)
      .Field("posts", inc.post_count)
      .Field("authors", inc.authors)
      .Key("opened_at")
      .Time(inc.opened_at)
      .Key("last_post_at")
      .Time(inc.last_post_at);
  out->Key("resolved_at");
  if (inc.resolved_at) {
    out->Time(*inc.resolved_at);
  } else {
    out->Null();
  }
  out->Key("notified_severity");
  if (inc.notified_severity) {
    out->String(SeverityName(*inc.notified_severity));
  } else {
    out->Null();
  }
  out->Key("labels").BeginObject();
  for (const auto& [key, value] : inc.labels) out->Field(key, value);
  out->EndObject();
  out->Key("first_response");
  if (inc.first_response) {
    out->BeginObject()
        .Field("by", inc.first_response->by)
        .Key("at")
        .Time(inc.first_response->at)
        .Field("after_seconds", static_cast<int64_t>(inc.first_response->after.count()))
        .EndObject();
  } else {
    out->Null();
  }
  // How long an active incident has waited unanswered, for the list's "waiting" column.
  const bool waiting = inc.status != IncidentStatus::kResolved && !inc.first_response;
  out->Field("waiting_seconds",
             waiting ? static_cast<int64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                                now - inc.opened_at)
                                                .count())
                     : int64_t{0});
  out->EndObject();
}

void SilenceJson(const SilenceRecord& s, SystemTime now, JsonOut* out) {
  const char* state = s.ends_at <= now ? "expired" : (s.starts_at > now ? "pending" : "active");
  out->BeginObject()
      .Field("id", s.id)
      .Field("matchers", s.matchers)
      .Field("comment", s.comment)
      .Field("created_by", s.created_by)
      .Key("starts_at")
      .Time(s.starts_at)
      .Key("ends_at")
      .Time(s.ends_at)
      .Field("state", state)
      .EndObject();
}

std::string ErrorJson(std::string_view message) {
  JsonOut out;
  out.BeginObject().Field("error", message).EndObject();
  return out.Take();
}

}  // namespace earshot
