#include "daemon/cli/demo_pager.h"

#include <simdjson.h>

#include "daemon/base/json_escape.h"

namespace earshot {
namespace {

HttpServerResponse Json(int status, std::string body) {
  HttpServerResponse resp;
  resp.status = status;
  resp.headers.emplace_back("Content-Type", "application/json");
  resp.body = std::move(body);
  return resp;
}

}  // namespace

Result<std::unique_ptr<DemoPager>> DemoPager::Start() {
  std::unique_ptr<DemoPager> pager(new DemoPager());
  DemoPager* raw = pager.get();
  auto server = HttpServer::Start([raw](const HttpServerRequest& req) { return raw->Handle(req); });
  if (!server.ok()) return server.status();
  pager->server_ = *std::move(server);
  return pager;
}

std::vector<std::string> DemoPager::events() const {
  MutexLock lock(mu_);
  return events_;
}

HttpServerResponse DemoPager::Handle(const HttpServerRequest& req) {
  if (req.method == "GET" && req.path == "/v2/events") {
    std::string body = R"({"events":[)";
    MutexLock lock(mu_);
    for (size_t i = 0; i < events_.size(); ++i) body += (i ? "," : "") + events_[i];
    return Json(200, body + "]}");
  }
  if (req.method != "POST" || req.path != "/v2/enqueue") {
    return Json(404, R"({"status":"not found"})");
  }
  // What PagerDuty checks before it accepts: a JSON object with the key and the action.
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  std::string_view key, action, dedup_key;
  if (parser.parse(req.body).get(doc) || doc["routing_key"].get(key) ||
      doc["event_action"].get(action) || key.empty()) {
    return Json(400, R"({"status":"invalid event","message":"Event object is invalid"})");
  }
  if (doc["dedup_key"].get(dedup_key)) dedup_key = {};  // PagerDuty makes one up
  const std::string echoed(dedup_key);
  {
    MutexLock lock(mu_);
    events_.push_back(req.body);
  }
  return Json(202, R"({"status":"success","message":"Event processed","dedup_key":)" +
                       JsonQuoted(echoed) + "}");
}

}  // namespace earshot
