#include "daemon/model/escalation_json.h"

#include <fmt/compile.h>
#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "daemon/base/json_escape.h"

namespace earshot {
namespace {

namespace od = simdjson::ondemand;
using simdjson::error_code;

void AppendString(std::string_view key, std::string_view value, std::string* out) {
  out->push_back('"');
  out->append(key);
  out->append("\":\"");
  AppendJsonEscaped(value, out);
  out->push_back('"');
}

void AppendPost(const PostRef& p, std::string* out) {
  out->push_back('{');
  AppendString("network", p.network, out);
  out->push_back(',');
  AppendString("id", p.id, out);
  out->push_back(',');
  AppendString("url", p.url, out);
  out->push_back(',');
  AppendString("author", p.author, out);
  out->push_back(',');
  AppendString("author_name", p.author_name, out);
  fmt::format_to(std::back_inserter(*out), FMT_COMPILE(",\"followers\":{},"), p.followers);
  AppendString("text", p.text, out);
  // Only a cut text says so: the size it had, for a receiver that wants to fetch it whole.
  if (p.text_bytes > 0) {
    fmt::format_to(std::back_inserter(*out), FMT_COMPILE(",\"truncated\":true,\"text_bytes\":{}"),
                   p.text_bytes);
  }
  out->push_back(',');
  AppendString("created_at", FormatIso8601(p.created_at), out);
  // NaN and infinities have no JSON spelling; a score that is not a number carries no opinion.
  const double sentiment = std::isfinite(p.sentiment) ? p.sentiment : 0.0;
  const double complaint = std::isfinite(p.complaint) ? p.complaint : 0.0;
  // "{}" is fmt's shortest round-trip form, so the reader gets back the very same double.
  fmt::format_to(std::back_inserter(*out),
                 FMT_COMPILE(",\"sentiment\":{},\"complaint_score\":{}}}"), sentiment, complaint);
}

// The first bad field, by its path ("posts[2].followers"), and what was wrong with it.
Status FieldError(std::string_view field, error_code code) {
  const char* what = code == simdjson::INCORRECT_TYPE ? "wrong type" : simdjson::error_message(code);
  return Status::InvalidArgument(fmt::format("escalation JSON: field '{}': {}", field, what));
}

error_code ReadString(od::value& v, std::string* out) {
  std::string_view s;
  if (auto e = v.get_string().get(s)) return e;
  out->assign(s);
  return simdjson::SUCCESS;
}

Status ReadTime(od::value& v, std::string_view field, SystemTime* out) {
  std::string_view s;
  if (auto e = v.get_string().get(s)) return FieldError(field, e);
  std::optional<SystemTime> t = ParseIso8601(s);
  if (!t) {
    return Status::InvalidArgument(
        fmt::format("escalation JSON: field '{}': not an ISO-8601 UTC time: '{}'", field, s));
  }
  *out = *t;
  return Status::Ok();
}

Status ParsePost(od::value& v, size_t index, PostRef* p) {
  const std::string prefix = fmt::format("posts[{}]", index);
  od::object obj;
  if (auto e = v.get_object().get(obj)) return FieldError(prefix, e);
  for (auto field : obj) {
    std::string_view key;
    if (auto e = field.unescaped_key().get(key)) return FieldError(prefix, e);
    od::value val = field.value();
    error_code e = simdjson::SUCCESS;
    if (key == "network") {
      e = ReadString(val, &p->network);
    } else if (key == "id") {
      e = ReadString(val, &p->id);
    } else if (key == "url") {
      e = ReadString(val, &p->url);
    } else if (key == "author") {
      e = ReadString(val, &p->author);
    } else if (key == "author_name") {
      e = ReadString(val, &p->author_name);
    } else if (key == "followers") {
      e = val.get_int64().get(p->followers);
    } else if (key == "text") {
      e = ReadString(val, &p->text);
    } else if (key == "text_bytes") {
      e = val.get_uint64().get(p->text_bytes);  // "truncated" says the same: not read
    } else if (key == "created_at") {
      EARSHOT_RETURN_IF_ERROR(ReadTime(val, prefix + ".created_at", &p->created_at));
    } else if (key == "sentiment") {
      e = val.get_double().get(p->sentiment);
    } else if (key == "complaint_score") {
      // Absent from messages written before the complaint scorer: PostRef's 0 stands.
      e = val.get_double().get(p->complaint);
    }
    if (e) return FieldError(fmt::format("{}.{}", prefix, key), e);
  }
  return Status::Ok();
}

Status ParseFirstResponse(od::value& v, FirstResponse* r) {
  od::object obj;
  if (auto e = v.get_object().get(obj)) return FieldError("first_response", e);
  for (auto field : obj) {
    std::string_view key;
    if (auto e = field.unescaped_key().get(key)) return FieldError("first_response", e);
    od::value val = field.value();
    error_code e = simdjson::SUCCESS;
    if (key == "at") {
      EARSHOT_RETURN_IF_ERROR(ReadTime(val, "first_response.at", &r->at));
    } else if (key == "by") {
      e = ReadString(val, &r->by);
    } else if (key == "after_s") {
      int64_t s = 0;
      e = val.get_int64().get(s);
      r->after = std::chrono::seconds(std::max<int64_t>(s, 0));
    }
    if (e) return FieldError(fmt::format("first_response.{}", key), e);
  }
  return Status::Ok();
}

Status ParseKind(std::string_view name, Escalation::Kind* out) {
  for (Escalation::Kind k :
       {Escalation::Kind::kOpen, Escalation::Kind::kUpdate, Escalation::Kind::kResolve,
        Escalation::Kind::kAcknowledge}) {
    if (KindName(k) == name) {
      *out = k;
      return Status::Ok();
    }
  }
  return Status::InvalidArgument(fmt::format(
      "escalation JSON: field 'kind': unknown kind '{}'; expected open, update, resolve or acknowledge", name));
}

Status ParseDocument(od::object& obj, Escalation* esc) {
  bool have_seq = false, have_incident = false;
  for (auto field : obj) {
    std::string_view key;
    if (auto e = field.unescaped_key().get(key)) return FieldError("(key)", e);
    od::value val = field.value();
    error_code e = simdjson::SUCCESS;
    if (key == "seq") {
      e = val.get_uint64().get(esc->seq);
      have_seq = !e;
    } else if (key == "incident_id") {
      e = ReadString(val, &esc->incident_id);
      have_incident = !e;
    } else if (key == "kind") {
      std::string_view s;
      e = val.get_string().get(s);
      if (!e) EARSHOT_RETURN_IF_ERROR(ParseKind(s, &esc->kind));
    } else if (key == "severity") {
      std::string_view s;
      e = val.get_string().get(s);
      if (!e) {
        std::optional<Severity> sev = ParseSeverity(s);
        if (!sev) {
          return Status::InvalidArgument(fmt::format(
              "escalation JSON: field 'severity': unknown severity '{}'; expected info, low, "
              "medium, high or critical",
              s));
        }
        esc->severity = *sev;
      }
    } else if (key == "rule_id") {
      e = ReadString(val, &esc->rule_id);
    } else if (key == "category") {
      e = ReadString(val, &esc->category);
    } else if (key == "summary") {
      e = ReadString(val, &esc->summary);
    } else if (key == "reason") {
      e = ReadString(val, &esc->reason);
    } else if (key == "first_response") {
      // Absent from messages written before first responses, and from all but the resolve a
      // staff reply produced.
      FirstResponse r;
      EARSHOT_RETURN_IF_ERROR(ParseFirstResponse(val, &r));
      esc->first_response = std::move(r);
    } else if (key == "at") {
      EARSHOT_RETURN_IF_ERROR(ReadTime(val, "at", &esc->at));
    } else if (key == "labels") {
      od::object labels;
      if (auto le = val.get_object().get(labels)) return FieldError("labels", le);
      for (auto label : labels) {
        std::string_view name;
        if (auto le = label.unescaped_key().get(name)) return FieldError("labels", le);
        std::string name_copy(name);
        od::value lv = label.value();
        std::string value;
        if (auto le = ReadString(lv, &value)) return FieldError("labels." + name_copy, le);
        esc->labels[std::move(name_copy)] = std::move(value);
      }
    } else if (key == "posts_omitted") {
      uint64_t n = 0;
      e = val.get_uint64().get(n);
      esc->posts_omitted = static_cast<uint32_t>(std::min<uint64_t>(n, UINT32_MAX));
    } else if (key == "posts") {
      od::array posts;
      if (auto pe = val.get_array().get(posts)) return FieldError("posts", pe);
      size_t index = 0;
      for (auto elem : posts) {
        od::value pv;
        if (auto pe = elem.get(pv)) return FieldError(fmt::format("posts[{}]", index), pe);
        PostRef p;
        EARSHOT_RETURN_IF_ERROR(ParsePost(pv, index, &p));
        esc->posts.push_back(std::move(p));
        ++index;
      }
    }
    if (e) return FieldError(key, e);
  }
  if (!have_seq) return FieldError("seq", simdjson::NO_SUCH_FIELD);
  if (!have_incident) return FieldError("incident_id", simdjson::NO_SUCH_FIELD);
  return Status::Ok();
}

}  // namespace

std::string EscalationToJson(const Escalation& e) {
  std::string out;
  size_t estimate = 256 + e.summary.size();
  for (const PostRef& p : e.posts) estimate += 256 + p.text.size();
  out.reserve(estimate);
  fmt::format_to(std::back_inserter(out), FMT_COMPILE("{{\"seq\":{},"), e.seq);
  AppendString("incident_id", e.incident_id, &out);
  out.push_back(',');
  AppendString("kind", KindName(e.kind), &out);
  out.push_back(',');
  AppendString("severity", SeverityName(e.severity), &out);
  out.push_back(',');
  AppendString("rule_id", e.rule_id, &out);
  out.push_back(',');
  AppendString("category", e.category, &out);
  out.push_back(',');
  AppendString("summary", e.summary, &out);
  out.push_back(',');
  AppendString("reason", e.reason, &out);
  // Only on the resolve a staff reply produced, when that reply was the first response.
  if (e.first_response) {
    out.append(",\"first_response\":{");
    AppendString("at", FormatIso8601(e.first_response->at), &out);
    out.push_back(',');
    AppendString("by", e.first_response->by, &out);
    fmt::format_to(std::back_inserter(out), FMT_COMPILE(",\"after_s\":{}}}"),
                   e.first_response->after.count());
  }
  out.push_back(',');
  AppendString("at", FormatIso8601(e.at), &out);
  out.append(",\"labels\":{");
  bool first = true;
  for (const auto& [k, v] : e.labels) {
    if (!first) out.push_back(',');
    first = false;
    out.push_back('"');
    AppendJsonEscaped(k, &out);
    out.append("\":\"");
    AppendJsonEscaped(v, &out);
    out.push_back('"');
  }
  out.append("},\"posts\":[");
  for (size_t i = 0; i < e.posts.size(); ++i) {
    if (i) out.push_back(',');
    AppendPost(e.posts[i], &out);
  }
  out.push_back(']');
  if (e.posts_omitted > 0) {
    fmt::format_to(std::back_inserter(out), FMT_COMPILE(",\"posts_omitted\":{}"), e.posts_omitted);
  }
  out.push_back('}');
  return out;
}

Result<Escalation> EscalationFromJson(std::string_view json) {
  // One parser per thread: On Demand parsers are not thread-safe, and reusing one keeps its
  // buffers warm for the next message.
  thread_local od::parser parser;
  simdjson::padded_string padded(json);
  od::document doc;
  if (auto e = parser.iterate(padded).get(doc)) return FieldError("(document)", e);
  od::object obj;
  if (auto e = doc.get_object().get(obj)) return FieldError("(document)", e);
  Escalation esc;
  Status s = ParseDocument(obj, &esc);
  if (!s.ok()) return s;
  // Trailing bytes after the object mean a corrupt or concatenated message.
  // simdjson 3.0.1 has no document::at_end(); current_location() reports OUT_OF_BOUNDS there.
  const char* rest = nullptr;
  if (doc.current_location().get(rest) != simdjson::OUT_OF_BOUNDS) {
    return Status::InvalidArgument("escalation JSON: trailing content after the object");
  }
  return esc;
}

}  // namespace earshot
