#include "daemon/sources/mastodon/link_header.h"

#include <cctype>

#include "daemon/base/ascii.h"

namespace earshot::mastodon {
namespace {

bool IsWs(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

void SkipWs(std::string_view s, size_t* i) {
  while (*i < s.size() && IsWs(s[*i])) ++*i;
}

}  // namespace

std::vector<LinkValue> ParseLinkHeader(std::string_view h) {
  std::vector<LinkValue> links;
  size_t i = 0;
  while (i < h.size()) {
    SkipWs(h, &i);
    if (i < h.size() && h[i] == ',') {
      ++i;
      continue;
    }
    if (i >= h.size()) break;
    if (h[i] != '<') {
      // Not a link-value: skip to the next top-level comma.
      bool quoted = false;
      while (i < h.size() && (quoted || h[i] != ',')) {
        if (h[i] == '"') quoted = !quoted;
        ++i;
      }
      continue;
    }
    const size_t close = h.find('>', i + 1);
    if (close == std::string_view::npos) break;
    LinkValue link;
    link.url = std::string(h.substr(i + 1, close - i - 1));
    i = close + 1;
    // Parameters: ; name[=value|="quoted"]
    for (;;) {
      SkipWs(h, &i);
      if (i >= h.size() || h[i] != ';') break;
      ++i;
      SkipWs(h, &i);
      const size_t name_start = i;
      while (i < h.size() && !IsWs(h[i]) && h[i] != '=' && h[i] != ';' && h[i] != ',') ++i;
      std::string name = AsciiLowered(h.substr(name_start, i - name_start));
      SkipWs(h, &i);
      std::string value;
      if (i < h.size() && h[i] == '=') {
        ++i;
        SkipWs(h, &i);
        if (i < h.size() && h[i] == '"') {
          ++i;
          while (i < h.size() && h[i] != '"') {
            if (h[i] == '\\' && i + 1 < h.size()) ++i;
            value.push_back(h[i++]);
          }
          if (i < h.size()) ++i;  // closing quote
        } else {
          const size_t start = i;
          while (i < h.size() && !IsWs(h[i]) && h[i] != ';' && h[i] != ',') ++i;
          value = std::string(h.substr(start, i - start));
        }
      }
      if (name.empty()) continue;
      if (name == "rel" && link.rel.empty()) link.rel = AsciiLowered(value);
      link.params.emplace_back(std::move(name), std::move(value));
    }
    links.push_back(std::move(link));
  }
  return links;
}

std::optional<std::string> FindLink(const std::vector<LinkValue>& links, std::string_view rel) {
  for (const LinkValue& link : links) {
    std::string_view rels = link.rel;
    while (!rels.empty()) {
      const size_t sp = rels.find(' ');
      if (rels.substr(0, sp) == rel) return link.url;
      if (sp == std::string_view::npos) break;
      rels.remove_prefix(sp + 1);
    }
  }
  return std::nullopt;
}

}  // namespace earshot::mastodon
