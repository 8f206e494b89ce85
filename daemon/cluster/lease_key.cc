#include "daemon/cluster/lease_key.h"

#include <fmt/format.h>

namespace earshot::cluster {
namespace {

bool Plain(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string LeaseKey(std::string_view lease_name) {
  std::string key;
  key.reserve(lease_name.size() + 8);
  for (char c : lease_name) {
    if (Plain(c)) {
      key.push_back(c);
    } else {
      key += fmt::format("={:02X}", static_cast<unsigned char>(c));
    }
  }
  return key;
}

std::optional<std::string> LeaseNameOf(std::string_view key) {
  std::string name;
  for (size_t i = 0; i < key.size(); ++i) {
    const char c = key[i];
    if (Plain(c)) {
      name.push_back(c);
      continue;
    }
    if (c != '=' || i + 2 >= key.size()) return std::nullopt;
    const int hi = HexValue(key[i + 1]), lo = HexValue(key[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    name.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return name;
}

}  // namespace earshot::cluster
