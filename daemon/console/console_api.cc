#include "daemon/console/console_api.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <charconv>
#include <limits>
#include <map>

#include "daemon/app/detection_feed.h"
#include "daemon/app/rule_activity.h"
#include "daemon/base/duration.h"
#include "daemon/console/console_json.h"
#include "daemon/escalator/label_matcher.h"
#include "daemon/state/operator_store.h"
#include "daemon/state/outbox_store.h"
#include "detectors/detector.h"
#include "detectors/explain_format.h"
#include "detectors/text_tags.h"

namespace earshot {
namespace {

constexpr size_t kPostsShown = 200;  // an incident page lists at most this many posts

HttpServerResponse Json(int status, std::string body) {
  HttpServerResponse resp;
  resp.status = status;
  resp.headers.emplace_back("Content-Type", "application/json");
  resp.body = std::move(body);
  return resp;
}

HttpServerResponse Error(int status, std::string_view message) {
  return Json(status, ErrorJson(message));
}

// The HTTP status for a store's refusal.
int StatusFor(const Status& s) {
  switch (s.code()) {
    case Status::Code::kNotFound: return 404;
    case Status::Code::kInvalidArgument: return 400;
    default: return 500;
  }
}

// A request body's string fields ({"by":"ana","text":"..."}); other types are ignored. Errors
// name what is wrong with the body.
Result<std::map<std::string, std::string>> StringFields(std::string_view body) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (auto e = parser.parse(body.data(), body.size()).get(doc); e) {
    return Status::InvalidArgument(
        fmt::format("the body is not JSON ({})", simdjson::error_message(e)));
  }
  simdjson::dom::object object;
  if (doc.get(object)) return Status::InvalidArgument("the body must be a JSON object");
  std::map<std::string, std::string> fields;
  for (auto [key, value] : object) {
    std::string_view text;
    if (!value.get(text)) fields.emplace(std::string(key), std::string(text));
  }
  return fields;
}

std::string FieldOr(const std::map<std::string, std::string>& fields, const std::string& key,
                    std::string_view fallback) {
  auto it = fields.find(key);
  return it == fields.end() || it->second.empty() ? std::string(fallback) : it->second;
}

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
  AppendExplanationText(*detector, post, e, ExplainFormat{}, &text);
  AppendExplanationJson(*detector, post, e, &json);
  JsonOut out;
  out.BeginObject().Field("text", text).Key("explanation").Raw(json).EndObject();
  return Json(200, out.Take());
}

}  // namespace earshot

namespace earshot {
namespace {

void ProblemJson(const std::optional<log::Problem>& problem, JsonOut* out) {
  if (!problem) {
    out->Null();
    return;
  }
  out->BeginObject()
      .Field("level", problem->level == log::Level::kError ? "error" : "warning")
      .Field("message", problem->message)
      .Key("at")
      .Time(problem->at)
      .EndObject();
}

void OptionalInt(const std::optional<int64_t>& value, JsonOut* out) {
  if (value) {
    out->Int(*value);
  } else {
    out->Null();
  }
}

}  // namespace

HttpServerResponse ConsoleApi::Sources() {
  JsonOut out;
  out.BeginObject().Key("sources").BeginArray();
  if (backend_.source_views) {
    for (const SourceView& v : backend_.source_views()) {
      out.BeginObject()
          .Field("name", v.name)
          .Field("network", v.network)
          .Field("posts", v.posts)
          .Field("consecutive_failures", v.consecutive_failures)
          .Field("state", v.failing ? "failing" : "ok");
      out.Key("lag_seconds");
      if (v.lag_seconds) {
        out.Number(*v.lag_seconds);
      } else {
        out.Null();
      }
      out.Key("budget");
      if (v.budget.empty()) {
        out.Null();
      } else {
        out.BeginObject().Field("shared_by", v.budget).Key("remaining");
        OptionalInt(v.budget_remaining, &out);
        out.Key("limit");
        OptionalInt(v.budget_limit, &out);
        out.Key("reset");
        if (v.budget_reset) {
          out.Time(*v.budget_reset);
        } else {
          out.Null();
        }
        out.EndObject();
      }
      out.Key("last_problem");
      ProblemJson(v.last_problem, &out);
      out.EndObject();
    }
  }
  out.EndArray().EndObject();
  return Json(200, out.Take());
}

HttpServerResponse ConsoleApi::Sinks() {
  std::vector<DeadLetter> letters;
  if (backend_.outbox != nullptr) {
    auto listed = backend_.outbox->ListDeadLetters();
    if (!listed.ok()) return Error(500, listed.status().message());
    letters = *std::move(listed);
  }
  JsonOut out;
  out.BeginObject().Key("sinks").BeginArray();
  if (backend_.sink_views) {
    for (const SinkView& v : backend_.sink_views()) {
      out.BeginObject()
          .Field("name", v.name)
          .Field("delivered", static_cast<int64_t>(v.delivered))
          .Field("skipped", static_cast<int64_t>(v.skipped))
          .Field("retries", static_cast<int64_t>(v.retries))
          .Field("dead_lettered", static_cast<int64_t>(v.dead_lettered))
          .Field("backlog", static_cast<int64_t>(v.backlog));
      out.Key("last_problem");
      ProblemJson(v.last_problem, &out);
      out.Key("dead_letters").BeginArray();
      for (const DeadLetter& d : letters) {
        if (d.sink != v.name) continue;
        out.BeginObject()
            .Field("seq", static_cast<int64_t>(d.seq))
            .Field("reason", d.reason)
            .Key("at")
            .Time(d.at)
            .Field("retry_pending", d.redeliver)
            .EndObject();
      }
      out.EndArray().EndObject();
    }
  }
  out.EndArray().EndObject();
  return Json(200, out.Take());
}

HttpServerResponse ConsoleApi::Retry(std::string_view sink, const HttpServerRequest& req) {
  if (backend_.outbox == nullptr) return Error(404, "no outbox");
  auto fields = StringFields(req.body.empty() ? "{}" : req.body);
  if (!fields.ok()) return Error(400, fields.status().message());
  std::vector<uint64_t> seqs;
  if (const std::string seq = FieldOr(*fields, "seq", ""); !seq.empty()) {
    uint64_t n = 0;
    if (std::from_chars(seq.data(), seq.data() + seq.size(), n).ec != std::errc() || n == 0) {
      return Error(400, "seq must be a dead letter's number, as `earshot deadletter list` shows");
    }
    seqs.push_back(n);
  }
  // The same call as `earshot deadletter retry`: the sink's runner sends them again soon.
  if (Status s = backend_.outbox->RequeueDeadLetters(sink, seqs); !s.ok()) {
    return Error(StatusFor(s), s.message());
  }
  JsonOut out;
  out.BeginObject().Field("sink", sink).Field("retry", seqs.empty() ? "all" : FieldOr(*fields, "seq", ""))
      .EndObject();
  return Json(200, out.Take());
}

}  // namespace earshot

namespace earshot {
namespace {

constexpr size_t kFeedBacklog = 50;  // what a new reader of the feed is shown first

// The feed position to read after: ?after=SEQ or a reconnecting EventSource's Last-Event-ID,
// else the newest kFeedBacklog entries.
uint64_t FeedStart(const HttpServerRequest& req, const DetectionFeed& feed) {
  std::string_view given = req.Header("last-event-id").value_or(req.Param("after").value_or(""));
  uint64_t after = 0;
  if (!given.empty() &&
      std::from_chars(given.data(), given.data() + given.size(), after).ec == std::errc()) {
    return after;
  }
  const uint64_t newest = feed.newest_seq();
  return newest > kFeedBacklog ? newest - kFeedBacklog : 0;
}

}  // namespace

HttpServerResponse ConsoleApi::Feed(const HttpServerRequest& req) {
  JsonOut out;
  out.BeginObject().Key("detections").BeginArray();
  uint64_t newest = 0;
  if (backend_.feed != nullptr) {
    newest = backend_.feed->newest_seq();
    for (const DetectionFeed::Entry& e : backend_.feed->Since(FeedStart(req, *backend_.feed), 500)) {
      out.Raw(EntryToJson(e));
    }
  }
  out.EndArray().Field("newest_seq", static_cast<int64_t>(newest)).EndObject();
  return Json(200, out.Take());
}

HttpServerResponse ConsoleApi::FeedEvents(const HttpServerRequest& req) {
  if (backend_.feed == nullptr) return Error(404, "no live feed here");
  HttpServerResponse resp;
  resp.headers.emplace_back("Content-Type", "text/event-stream");
  resp.headers.emplace_back("X-Accel-Buffering", "no");  // nginx: pass each event on at once
  const DetectionFeed* feed = backend_.feed;
  const uint64_t start = FeedStart(req, *feed);
  resp.stream = [feed, start](std::stop_token stop,
                              const std::function<bool(std::string_view)>& write) {
    // A browser that loses the stream reconnects after `retry` ms with the last id it saw.
    if (!write("retry: 2000\n\n")) return;
    uint64_t after = start;
    while (!stop.stop_requested()) {
      const std::vector<DetectionFeed::Entry> entries =
          feed->WaitSince(after, 100, std::chrono::seconds(15), stop);
      std::string chunk;
      for (const DetectionFeed::Entry& e : entries) {
        // EntryToJson holds no newline, so each entry is one data line.
        chunk += fmt::format("id: {}\nevent: detection\ndata: {}\n\n", e.seq, EntryToJson(e));
        after = e.seq;
      }
      // A comment every 15 s when quiet: proxies and the browser see a live connection, and a
      // gone reader is noticed by the failed write.
      if (chunk.empty()) chunk = ": quiet\n\n";
      if (!write(chunk)) return;
    }
  };
  return resp;
}

HttpServerResponse ConsoleApi::Rules() {
  const SystemTime now = backend_.clock->Now();
  JsonOut out;
  out.BeginObject().Key("activity");
  out.Raw(backend_.activity != nullptr ? RuleActivityToJson(backend_.activity->Snapshot(now))
                                       : std::string(R"({"rules":[]})"));
  std::map<std::string, double> baselines;
  if (backend_.surge_baselines) {
    if (auto b = backend_.surge_baselines(); b.ok()) baselines = *std::move(b);
  }
  out.Key("brands").BeginArray();
  if (backend_.activity != nullptr) {
    for (const RuleActivity::Brand& b : backend_.activity->Brands(now)) {
      out.BeginObject().Field("brand", b.brand).Key("hourly").BeginArray();
      for (const RuleActivity::HourCount& h : b.hourly) {
        out.BeginObject().Key("hour").Time(h.hour_start).Field("complaints", h.hits).EndObject();
      }
      out.EndArray().Key("baseline_per_hour");
      if (auto it = baselines.find(b.brand); it != baselines.end()) {
        out.Number(it->second);
      } else {
        out.Null();
      }
      out.EndObject();
    }
  }
  out.EndArray().Key("reload");
  if (backend_.last_reload) {
    const ReloadOutcome r = backend_.last_reload();
    out.BeginObject()
        .Field("ok", r.ok)
        .Field("at_start", r.at_start)
        .Key("at")
        .Time(r.at)
        .Field("error", r.error)
        .Key("diagnostics")
        .BeginArray();
    for (const std::string& d : r.diagnostics) out.String(d);
    out.EndArray().EndObject();
  } else {
    out.Null();
  }
  out.EndObject();
  return Json(200, out.Take());
}

}  // namespace earshot
