#include "sinks/http_delivery.h"

#include <fmt/format.h>

#include <ctime>

#include "daemon/net/url.h"
#include "sinks/terminal_text.h"

namespace earshot {
namespace {

// The first line of a receiver's answer, at most 120 bytes cut between characters, shown
// terminal-safe (a tab as a space): receivers echo what they were sent, a stranger's post
// included, and this detail is logged and printed by `earshot deadletter list` on an operator's
// terminal.
std::string BodyExcerpt(std::string_view body) {
  const size_t nl = body.find_first_of("\r\n");
  if (nl != std::string_view::npos) body = body.substr(0, nl);
  if (body.size() > 120) {
    size_t cut = 120;
    while (cut > 0 && (static_cast<unsigned char>(body[cut]) & 0xC0) == 0x80) --cut;
    body = body.substr(0, cut);
  }
  std::string flat(body);
  for (char& c : flat) c = c == '\t' ? ' ' : c;
  return TerminalSafe(flat);
}

}  // namespace

std::vector<std::string> UrlSecrets(std::string_view url) {
  std::vector<std::string> out{std::string(url)};
  const size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return out;
  const size_t rest = url.find_first_of("/?", scheme + 3);
  if (rest == std::string_view::npos) return out;
  std::string_view tail = url.substr(rest);
  // "/" alone or a short path like "/hook" is no secret and would redact every slash.
  if (tail.size() >= 8) out.emplace_back(tail);
  // The path without its leading slash and the query on its own, as receivers echo them.
  const size_t q = tail.find('?');
  std::string_view path = tail.substr(0, q);
  if (path.size() > 8) out.emplace_back(path.substr(1));
  if (q != std::string_view::npos && tail.size() - q > 8) out.emplace_back(tail.substr(q + 1));
  return out;
}

std::string Redact(std::string text, const std::vector<std::string>& secrets) {
  for (const std::string& s : secrets) {
    if (s.empty()) continue;
    for (size_t pos = text.find(s); pos != std::string::npos; pos = text.find(s, pos + 8)) {
      text.replace(pos, s.size(), "[secret]");
    }
  }
  return text;
}

std::optional<std::chrono::milliseconds> ParseRetryAfterValue(std::string_view value,
                                                              SystemTime now) {
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  if (value.find_first_not_of("0123456789") == std::string_view::npos) {
    if (value.size() > 9) return std::nullopt;
    return std::chrono::seconds(std::stol(std::string(value)));
  }
  // IMF-fixdate: "Wed, 21 Oct 2015 07:28:00 GMT".
  std::tm tm{};
  const std::string text(value);
  const char* end = ::strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (end == nullptr || *end != '\0') return std::nullopt;
  const SystemTime at = std::chrono::system_clock::from_time_t(::timegm(&tm));
  if (at <= now) return std::chrono::milliseconds(0);
  return std::chrono::duration_cast<std::chrono::milliseconds>(at - now);
}

DeliveryResult ClassifyHttpResponse(const HttpResponse& response, std::string_view host,
                                    const std::vector<std::string>& secrets, SystemTime now) {
  const long code = response.status;
  if (code >= 200 && code < 300) return DeliveryResult::Delivered();
  const std::string excerpt = Redact(BodyExcerpt(response.body), secrets);
  const std::string detail = excerpt.empty()
                                 ? fmt::format("HTTP {} from {}", code, host)
                                 : fmt::format("HTTP {} from {}: {}", code, host, excerpt);
  if (code == 429 || code == 408 || code == 425 || code >= 500) {
    std::chrono::milliseconds after(0);
    if (auto h = response.Header("retry-after")) {
      if (auto d = ParseRetryAfterValue(*h, now)) after = *d;
    }
    return DeliveryResult::Retry(detail, after);
  }
  if (code == 404 || code == 410) {
    return DeliveryResult::Permanent(detail + "; the endpoint is gone (webhook revoked?): "
                                              "replace the secret URL");
  }
  if (code == 401 || code == 403) {
    return DeliveryResult::Permanent(detail + "; the credential was refused: replace it");
  }
  return DeliveryResult::Permanent(detail);
}

DeliveryResult SendForDelivery(HttpClient& http, const HttpRequest& request, std::stop_token stop,
                               const std::vector<std::string>& secrets, SystemTime now) {
  Result<HttpResponse> response = http.Send(request, stop);
  if (!response.ok()) {
    // The client's messages name the method and host only; redact anyway, belt and braces.
    const std::string detail = Redact(response.status().message(), secrets);
    if (response.status().code() == Status::Code::kInvalidArgument) {
      return DeliveryResult::Permanent(detail);
    }
    return DeliveryResult::Retry(detail);
  }
  return ClassifyHttpResponse(*response, UrlHost(request.url), secrets, now);
}

}  // namespace earshot
