// Shared by the HTTP sinks (webhook, Slack, PagerDuty): sends one request and turns what came
// back into a DeliveryResult the runner understands, with a detail that names the host and
// never the URL's path, a header value or a secret.
//
//   2xx                      delivered
//   429, 408, 425, 5xx       retry (Retry-After honoured)
//   other 4xx, 3xx           permanent: the request or the credential is wrong, or the
//                            webhook was revoked; retrying cannot fix it
//   transport errors         retry (connection refused, DNS, timeout, reset, truncated body)
//   a request that cannot be built (bad URL)   permanent
#pragma once

#include <chrono>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/base/clock.h"
#include "daemon/net/http_client.h"
#include "sinks/sink.h"

namespace earshot {

DeliveryResult SendForDelivery(HttpClient& http, const HttpRequest& request, std::stop_token stop,
                               const std::vector<std::string>& secrets, SystemTime now);

// `host` is UrlHost(url). The response body's first line (at most 120 bytes) joins the detail,
// because receivers explain themselves there (Slack: "no_service", "invalid_token"), with every
// string in `secrets` replaced by "[secret]".
DeliveryResult ClassifyHttpResponse(const HttpResponse& response, std::string_view host,
                                    const std::vector<std::string>& secrets, SystemTime now);

// Retry-After as delay-seconds ("120") or an HTTP-date; nullopt when unreadable.
std::optional<std::chrono::milliseconds> ParseRetryAfterValue(std::string_view value,
                                                              SystemTime now);

// What of a secret URL must never be shown: the URL itself and everything after its host (the
// path and query, where webhook tokens live), which a receiver may echo on its own.
std::vector<std::string> UrlSecrets(std::string_view url);

// `text` with every non-empty string of `secrets` replaced by "[secret]".
std::string Redact(std::string text, const std::vector<std::string>& secrets);

}  // namespace earshot
