// The console API's sources and sinks: their state and counters, dead letters and retry.
#include <fmt/format.h>

#include <charconv>

#include "daemon/console/console_api.h"
#include "daemon/console/console_json.h"
#include "daemon/console/console_reply.h"
#include "daemon/state/outbox_store.h"

namespace earshot {
namespace {

using namespace console_reply;

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
