// ConsoleApi: the console's JSON API under /api/v1/ (docs/console.md documents each call). The
// pages use it and so may other tools: with a secret configured, `Authorization: Bearer`.
//
//   GET  /api/v1/session                      the caller's CSRF token for changes
//   GET  /api/v1/incidents?status=&severity=&brand=&rule=&limit=
//   GET  /api/v1/incidents/ID                 the incident, its posts, its history with each
//                                             notification's delivery state per sink
//   POST /api/v1/incidents/ID/ack  {"by"}     as `earshot ack ID --by NAME`
//   POST /api/v1/incidents/ID/resolve {"by"}  as `earshot resolve ID --by NAME`
//   GET  /api/v1/silences?all=1
//   POST /api/v1/silences {"matchers","for","comment","by"}   as `earshot silence add`
//   POST /api/v1/silences/ID/expire           as `earshot silence expire ID`
//   POST /api/v1/explain {"text"}             as `earshot explain --json TEXT`, and its text
//   GET  /api/v1/feed?after=SEQ               detections after SEQ (the newest 50 without it)
//   GET  /api/v1/feed/events                  the same as Server-Sent Events, then each new one
//   GET  /api/v1/rules                        per rule and brand activity, the last reload
//   GET  /api/v1/sources                      each source: posts, failures, lag, rate budget,
//                                             its last warning or error
//   GET  /api/v1/sinks                        each sink: counts, backlog, dead letters, last error
//   POST /api/v1/sinks/NAME/retry {"seq"}     as `earshot deadletter retry NAME [SEQ]`
//
// The caller has been authenticated, and a change's CSRF token checked, before Handle.
// Threads: thread-safe; the stores and the detector are.
#pragma once

#include "daemon/console/console.h"

namespace earshot {

class ConsoleApi {
 public:
  explicit ConsoleApi(const ConsoleBackend& backend) : backend_(backend) {}
  HttpServerResponse Handle(const HttpServerRequest& req, const ConsoleCaller& caller);

 private:
  HttpServerResponse Incidents(const HttpServerRequest& req);
  HttpServerResponse Incident(std::string_view id);
  HttpServerResponse Ack(std::string_view id, const HttpServerRequest& req);
  HttpServerResponse Resolve(std::string_view id, const HttpServerRequest& req);
  HttpServerResponse Silences(const HttpServerRequest& req);
  HttpServerResponse AddSilence(const HttpServerRequest& req);
  HttpServerResponse ExpireSilence(std::string_view id);
  HttpServerResponse Explain(const HttpServerRequest& req);
  HttpServerResponse Feed(const HttpServerRequest& req);
  HttpServerResponse FeedEvents(const HttpServerRequest& req);
  HttpServerResponse Rules();
  HttpServerResponse Sources();
  HttpServerResponse Sinks();
  HttpServerResponse Retry(std::string_view sink, const HttpServerRequest& req);

  const ConsoleBackend& backend_;
};

}  // namespace earshot
