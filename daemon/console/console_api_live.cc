// The console API's live views: the detection feed (JSON and Server-Sent Events) and the rules'
// and brands' activity with the last reload.
#include <fmt/format.h>

#include <charconv>

#include "daemon/app/detection_feed.h"
#include "daemon/app/rule_activity.h"
#include "daemon/console/console_api.h"
#include "daemon/console/console_json.h"
#include "daemon/console/console_reply.h"

namespace earshot {
namespace {

using namespace console_reply;

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
