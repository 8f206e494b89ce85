#include "daemon/console/console_api.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <limits>
#include <map>

#include "daemon/base/duration.h"
#include "daemon/console/console_json.h"
#include "daemon/console/console_reply.h"
#include "daemon/escalator/label_matcher.h"
#include "daemon/state/operator_store.h"
#include "daemon/state/outbox_store.h"
#include "detectors/detector.h"
#include "detectors/explain_format.h"
#include "detectors/text_tags.h"

namespace earshot {
namespace {

using namespace console_reply;

constexpr size_t kPostsShown = 200;  // an incident page lists at most this many posts

}  // namespace

HttpServerResponse ConsoleApi::Handle(const HttpServerRequest& req, const ConsoleCaller& caller) {
  std::string_view path = req.path;
  if (!path.starts_with("/api/v1/")) {
    return Error(404, fmt::format("no {} {} in the API; docs/console.md lists its calls",
                                  req.method, req.path));
  }
  path.remove_prefix(std::string_view("/api/v1").size());
  const bool get = req.method == "GET", post = req.method == "POST";
  if (path == "/session" && get) {
    JsonOut out;
    out.BeginObject()
        .Field("via", caller.via == ConsoleCaller::Via::kBearer ? "bearer" : "session")
        .Field("csrf_token", caller.csrf_token)
        .EndObject();
    return Json(200, out.Take());
  }
  if (path == "/incidents" && get) return Incidents(req);
  if (path.starts_with("/incidents/")) {
    std::string_view rest = path.substr(11);
    const size_t slash = rest.find('/');
    const std::string_view id = rest.substr(0, slash);
    const std::string_view action =
        slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
    if (action.empty() && get) return Incident(id);
    if (action == "ack" && post) return Ack(id, req);
    if (action == "resolve" && post) return Resolve(id, req);
  }
  if (path == "/silences") {
    if (get) return Silences(req);
    if (post) return AddSilence(req);
  }
  if (path.starts_with("/silences/") && path.ends_with("/expire") && post) {
    return ExpireSilence(path.substr(10, path.size() - 10 - 7));
  }
  if (path == "/explain" && post) return Explain(req);
  if (path == "/feed" && get) return Feed(req);
  if (path == "/feed/events" && get) return FeedEvents(req);
  if (path == "/rules" && get) return Rules();
  if (path == "/sources" && get) return Sources();
  if (path == "/sinks" && get) return Sinks();
  if (path.starts_with("/sinks/") && path.ends_with("/retry") && post) {
    return Retry(path.substr(7, path.size() - 7 - 6), req);
  }
  return Error(404, fmt::format("no {} {} in the API; docs/console.md lists its calls", req.method,
                                req.path));
}

HttpServerResponse ConsoleApi::Incidents(const HttpServerRequest& req) {
  std::string status(req.Param("status").value_or("active"));
  size_t limit = 200;
  if (auto l = req.Param("limit")) {
    if (std::from_chars(l->data(), l->data() + l->size(), limit).ec != std::errc() || limit == 0) {
      return Error(400, "limit must be a positive whole number");
    }
  }
  const std::string_view severity = req.Param("severity").value_or("");
  const std::string_view brand = req.Param("brand").value_or("");
  const std::string_view rule = req.Param("rule").value_or("");
  // The limit counts what the filters keep, so a filtered list reads every incident of the
  // status: the store's limit would cut it before the filters ran.
  const bool filtered = !severity.empty() || !brand.empty() || !rule.empty();
  const size_t read_limit = filtered ? size_t{std::numeric_limits<int64_t>::max()} : limit;
  Result<std::vector<IncidentRecord>> list =
      status == "active"
          ? backend_.operators->LoadActiveIncidents()
          : backend_.operators->ListIncidents(status == "all" ? "" : status, read_limit);
  if (!list.ok()) return Error(StatusFor(list.status()), list.status().message());
  if (status == "active") {
    std::sort(list->begin(), list->end(), [](const IncidentRecord& a, const IncidentRecord& b) {
      return a.last_post_at > b.last_post_at;
    });
  }
  const SystemTime now = backend_.clock->Now();
  JsonOut out;
  out.BeginObject().Key("incidents").BeginArray();
  size_t shown = 0;
  for (const IncidentRecord& inc : *list) {
    if (!severity.empty() && SeverityName(inc.severity) != severity) continue;
    if (!rule.empty() && inc.rule_id != rule) continue;
    if (!brand.empty()) {
      auto it = inc.labels.find("brand");
      if (it == inc.labels.end() || it->second != brand) continue;
    }
    if (shown++ == limit) break;
    IncidentJson(inc, now, &out);
  }
  out.EndArray().EndObject();
  return Json(200, out.Take());
}

HttpServerResponse ConsoleApi::Incident(std::string_view id) {
  OperatorStore& store = *backend_.operators;
  auto inc = store.LoadIncident(id);
  if (!inc.ok()) return Error(500, inc.status().message());
  if (!inc->has_value()) return Error(404, fmt::format("no incident {}", id));
  auto posts = store.LoadIncidentPosts(id, kPostsShown);
  if (!posts.ok()) return Error(500, posts.status().message());
  auto events = store.LoadIncidentEvents(id);
  if (!events.ok()) return Error(500, events.status().message());

  // Each sink's delivery cursor and dead letters: a notification at or below the cursor was
  // handled by the sink (sent, or not its route's), one parked is a dead letter.
  std::map<std::string, uint64_t> cursors;
  std::map<std::pair<std::string, uint64_t>, std::string> dead;
  if (backend_.outbox != nullptr) {
    for (const std::string& sink : backend_.sinks) {
      auto cursor = backend_.outbox->LoadSinkCursor(sink);
      cursors[sink] = cursor.ok() && cursor->has_value() ? **cursor : 0;
    }
    if (auto letters = backend_.outbox->ListDeadLetters(); letters.ok()) {
      for (const DeadLetter& d : *letters) dead[{d.sink, d.seq}] = d.reason;
    }
  }
  const SystemTime now = backend_.clock->Now();
  JsonOut out;
  out.BeginObject().Key("incident");
  IncidentJson(**inc, now, &out);
  out.Key("posts").BeginArray();
  for (const PostRef& p : *posts) PostRefJson(p, &out);
  out.EndArray().Key("events").BeginArray();
  for (const IncidentEvent& e : *events) {
    out.BeginObject()
        .Key("at")
        .Time(e.at)
        .Field("kind", IncidentEventKindName(e.kind))
        .Field("severity", SeverityName(e.severity))
        .Field("reason", e.reason)
        .Field("seq", static_cast<int64_t>(e.seq));
    out.Key("deliveries").BeginArray();
    if (e.seq > 0) {
      for (const std::string& sink : backend_.sinks) {
        auto letter = dead.find({sink, e.seq});
        const char* state = letter != dead.end()     ? "dead letter"
                            : e.seq <= cursors[sink] ? "done"
                                                     : "pending";
        out.BeginObject().Field("sink", sink).Field("state", state);
        if (letter != dead.end()) out.Field("reason", letter->second);
        out.EndObject();
      }
    }
    out.EndArray().EndObject();
  }
  out.EndArray().EndObject();
  return Json(200, out.Take());
}

HttpServerResponse ConsoleApi::Ack(std::string_view id, const HttpServerRequest& req) {
  auto fields = StringFields(req.body.empty() ? "{}" : req.body);
  if (!fields.ok()) return Error(400, fields.status().message());
  const std::string by = FieldOr(*fields, "by", "console");
  if (Status s = backend_.operators->AcknowledgeIncident(id, by, backend_.clock->Now()); !s.ok()) {
    return Error(StatusFor(s), s.message());
  }
  JsonOut out;
  out.BeginObject().Field("id", id).Field("acknowledged_by", by).EndObject();
  return Json(200, out.Take());
}

HttpServerResponse ConsoleApi::Resolve(std::string_view id, const HttpServerRequest& req) {
  auto fields = StringFields(req.body.empty() ? "{}" : req.body);
  if (!fields.ok()) return Error(400, fields.status().message());
  const std::string by = FieldOr(*fields, "by", "console");
  // As `earshot resolve`: the escalator resolves it at its next step and every sink hears it.
  if (Status s = backend_.operators->ResolveIncident(id, by, backend_.clock->Now()); !s.ok()) {
    return Error(StatusFor(s), s.message());
  }
  JsonOut out;
  out.BeginObject().Field("id", id).Field("resolved_by", by).EndObject();
  return Json(200, out.Take());
}

HttpServerResponse ConsoleApi::Silences(const HttpServerRequest& req) {
  const bool all = req.Param("all").value_or("") == "1";
  const SystemTime now = backend_.clock->Now();
  auto list = backend_.operators->ListSilences(now, !all);
  if (!list.ok()) return Error(500, list.status().message());
  JsonOut out;
  out.BeginObject().Key("silences").BeginArray();
  for (const SilenceRecord& s : *list) SilenceJson(s, now, &out);
  out.EndArray().EndObject();
  return Json(200, out.Take());
}

HttpServerResponse ConsoleApi::AddSilence(const HttpServerRequest& req) {
  auto fields = StringFields(req.body);
  if (!fields.ok()) return Error(400, fields.status().message());
  SilenceRecord s;
  s.starts_at = backend_.clock->Now();
  s.created_by = FieldOr(*fields, "by", "console");
  s.comment = FieldOr(*fields, "comment", "");
  // The same matcher syntax as `earshot silence add` and the silences file.
  auto matchers = LabelMatchers::Parse(FieldOr(*fields, "matchers", ""));
  if (!matchers.ok()) return Error(400, matchers.status().message());
  if (matchers->ToString().empty()) {
    return Error(400, "a silence needs at least one matcher, such as rule=\"hours-on-hold\"");
  }
  s.matchers = matchers->ToString();
  auto length = ParseDuration(FieldOr(*fields, "for", ""));
  if (!length.ok()) return Error(400, fmt::format("for: {}", length.status().message()));
  if (length->count() <= 0) return Error(400, "for: a silence must last longer than 0s");
  s.ends_at = s.starts_at + *length;
  auto id = backend_.operators->AddSilence(s);
  if (!id.ok()) return Error(500, id.status().message());
  s.id = *id;
  JsonOut out;
  SilenceJson(s, s.starts_at, &out);
  return Json(201, out.Take());
}

HttpServerResponse ConsoleApi::ExpireSilence(std::string_view id) {
  if (Status s = backend_.operators->ExpireSilence(id, backend_.clock->Now()); !s.ok()) {
    return Error(StatusFor(s), s.message());
  }
  JsonOut out;
  out.BeginObject().Field("id", id).Field("state", "expired").EndObject();
  return Json(200, out.Take());
}

HttpServerResponse ConsoleApi::Explain(const HttpServerRequest& req) {
  auto fields = StringFields(req.body);
  if (!fields.ok()) return Error(400, fields.status().message());
  Post post;
  post.id = "console";
  post.network = "console";
  post.thread_key = post.id;
  post.text = FieldOr(*fields, "text", "");
  if (post.text.empty()) return Error(400, "text: paste the post to explain");
  // Hashtags and mentions come from the text, as `earshot explain TEXT` reads them.
  DeriveTagsAndMentions(post.text, &post.hashtags, &post.mentions);
  const std::shared_ptr<const Detector> detector = backend_.detector();
  const PostExplanation e = detector->Explain(post, FieldOr(*fields, "all_rules", "") == "1");
  std::string text, json;
  ExplainFormat format;
  format.strip_prefix = backend_.rules_dir;
  AppendExplanationText(*detector, post, e, format, &text);
  AppendExplanationJson(*detector, post, e, &json);
  JsonOut out;
  out.BeginObject().Field("text", text).Key("explanation").Raw(json).EndObject();
  return Json(200, out.Take());
}

}  // namespace earshot
