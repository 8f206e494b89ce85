#include "daemon/sources/source_factory.h"

#include <fmt/format.h>

#include <functional>

#include "daemon/base/ascii.h"
#include "daemon/net/url.h"

namespace earshot {

void SourceCheck::ErrorAt(std::string_view key, std::string message) const {
  if (auto v = map_.Get(key)) {
    v->Error(std::move(message));
  } else {
    item_.Error(std::move(message));
  }
}

bool SourceFactory::SecretRequired(const SourceSettings& /*s*/) const {
  for (const ConfigOption& row : options()) {
    if (row.secret) return row.required;
  }
  return false;
}

std::string BudgetHost(const SourceSettings& s, std::string_view fallback) {
  const std::string& base_url = s.options.String("base_url");
  std::string host = UrlHost(base_url.empty() ? fallback : std::string_view(base_url));
  AsciiLowerInPlace(host);
  return host;
}

// Keys live in memory only, but even there hold no secret in clear.
std::string BudgetHash(std::string_view identity) {
  if (identity.empty()) return "anonymous";
  return fmt::format("{:016x}", std::hash<std::string_view>{}(identity));
}

}  // namespace earshot
