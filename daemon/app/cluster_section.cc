#include "daemon/app/cluster_section.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <optional>
#include <string_view>
#include <vector>

#include "daemon/app/section_reading.h"
#include "daemon/base/ascii.h"
#include "daemon/base/duration.h"
#include "daemon/base/file_read.h"

namespace earshot {
namespace {

constexpr std::string_view kDefaultNatsPort = "4222";

// Renewals happen three times per lease_ttl: below 3s they come closer than a second apart,
// and one slow NATS round trip loses a lease that was never in danger.
constexpr Duration kMinLeaseTtl = std::chrono::seconds(3);
// A dead node's sources wait one lease_ttl for another node; past 5m that is an outage.
constexpr Duration kMaxLeaseTtl = std::chrono::minutes(5);

bool IsNodeChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         c == '_' || c == '-';
}

bool IsPrefixChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

bool IsHostChar(char c) { return IsNodeChar(c) || c == '.'; }

// The first character of `s` that `allowed` refuses, as a message shows it: "'.'", or
// "byte 0xc3" for one that would not print.
std::optional<std::string> BadChar(std::string_view s, bool (*allowed)(char)) {
  auto it = std::find_if_not(s.begin(), s.end(), allowed);
  if (it == s.end()) return std::nullopt;
  const auto byte = static_cast<unsigned char>(*it);
  if (byte > 0x20 && byte < 0x7f) return fmt::format("'{}'", *it);
  if (byte == ' ') return std::string("a space");
  return fmt::format("byte 0x{:02x}", byte);
}

// The host name up to its first dot: "earshot-a.example.com" names node "earshot-a".
std::string ShortHostName() {
  char buf[256] = {};
  if (gethostname(buf, sizeof(buf) - 1) != 0) return "";
  std::string name(buf);
  return name.substr(0, name.find('.'));
}

void ReadNode(MapReader& m, ClusterOptions* o) {
  const std::string_view rule = "it is part of NATS KV keys: use A-Z, a-z, 0-9, '_' and '-'";
  if (auto v = m.Get("node")) {
    auto node = v->ReadString("cluster.node");
    if (!node) return;
    if (node->empty()) {
      v->Error("cluster.node: empty; leave the key out to name the node after the host");
    } else if (auto bad = BadChar(*node, IsNodeChar)) {
      v->Error(fmt::format("cluster.node: '{}' has {}; {}", *node, *bad, rule));
    }
    o->node = *node;
    return;
  }
  o->node = ShortHostName();
  if (o->node.empty()) {
    m.value().Error("cluster: the host name is unknown; set cluster.node");
  } else if (auto bad = BadChar(o->node, IsNodeChar)) {
    m.value().Error(fmt::format("cluster: the host name '{}' has {} and cannot name this node "
                                "({}); set cluster.node",
                                o->node, *bad, rule));
  }
}

// The URL at `where` as "scheme://host:port", the port defaulted; otherwise nullopt after
// reporting there. A URL with user:password@ is refused without being echoed: that is a secret.
std::optional<std::string> ReadNatsUrl(const YamlValue& where, size_t index) {
  const std::string what = fmt::format("cluster.nats[{}]", index);
  auto text = where.ReadString(what);
  if (!text) return std::nullopt;
  if (text->find('@') != std::string::npos) {
    where.Error(fmt::format("{}: a URL with user:password@ or token@ puts a secret in the "
                            "config file; use cluster.token_file, token_credential or "
                            "credentials_file",
                            what));
    return std::nullopt;
  }
  const std::string expected =
      "expected nats://host:port or tls://host:port (the port defaults to 4222)";
  auto fail = [&](std::string_view why) {
    where.Error(fmt::format("{}: '{}' {}; {}", what, *text, why, expected));
    return std::nullopt;
  };
  const size_t sep = text->find("://");
  if (sep == std::string::npos) return fail("has no scheme");
  const std::string scheme = AsciiLowered(std::string_view(*text).substr(0, sep));
  if (scheme != "nats" && scheme != "tls") return fail(fmt::format("has scheme '{}'", scheme));
  std::string_view rest = std::string_view(*text).substr(sep + 3);
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  if (rest.find_first_of("/?#") != std::string_view::npos) return fail("has a path");
  std::string_view host = rest, port;
  if (!rest.empty() && rest.front() == '[') {  // [::1]:4222
    const size_t close = rest.find(']');
    if (close == std::string_view::npos) return fail("has no ']' after its IPv6 address");
    host = rest.substr(0, close + 1);
    std::string_view after = rest.substr(close + 1);
    if (!after.empty() && after.front() != ':') return fail("has text after its host");
    port = after.empty() ? kDefaultNatsPort : after.substr(1);
    if (host.size() == 2) host = {};
  } else if (const size_t colon = rest.rfind(':'); colon != std::string_view::npos) {
    host = rest.substr(0, colon);
    port = rest.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) {
      return fail("has several ':'; write an IPv6 address in brackets");
    }
  } else {
    port = kDefaultNatsPort;
  }
  if (host.empty()) return fail("has no host");
  if (host.front() != '[') {
    if (auto bad = BadChar(host, IsHostChar)) return fail(fmt::format("has {} in its host", *bad));
  }
  if (port.empty() || port.size() > 5 ||
      !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
      std::stoi(std::string(port)) < 1 || std::stoi(std::string(port)) > 65535) {
    return fail("has no valid port (1 to 65535)");
  }
  return fmt::format("{}://{}:{}", scheme, host, port);
}

void ReadServers(MapReader& m, ClusterOptions* o) {
  auto v = m.GetRequired("nats");
  if (!v) return;
  std::vector<YamlValue> items;
  if (v->IsScalar()) {
    items.push_back(*v);
  } else if (v->IsSequence()) {
    items = v->Items("cluster.nats");
  } else if (!v->IsNull()) {
    v->Error(fmt::format("cluster.nats: expected a list of NATS server URLs, got {}",
                         v->KindName()));
    return;
  }
  if (items.empty()) {
    v->Error("cluster.nats: empty; give at least one NATS server URL (nats://host:4222)");
    return;
  }
  for (size_t i = 0; i < items.size(); ++i) {
    if (auto url = ReadNatsUrl(items[i], i)) o->servers.push_back(*std::move(url));
  }
}

void ReadAuth(MapReader& m, const std::filesystem::path& base_dir, ClusterOptions* o) {
  if (auto token = ReadSecret(m, "token", base_dir, /*required=*/false, "cluster")) {
    o->token = *std::move(token);
  }
  auto v = m.Get("credentials_file");
  if (!v) return;
  auto name = v->ReadString("cluster.credentials_file");
  if (!name) return;
  if (m.Has("token_file") || m.Has("token_credential")) {
    v->Error("cluster: give either a token (token_file, token_credential) or credentials_file, "
             "not both; NATS authenticates a connection one way");
    return;
  }
  const std::filesystem::path path = ResolveConfigPath(base_dir, *name);
  // Read now and thrown away: a missing or unreadable file is found by `earshot check`, not
  // when the daemon first dials NATS. The message names the file, never its content.
  Result<std::string> creds = ReadRegularFile(path, kMaxSecretFileBytes);
  if (!creds.ok()) {
    v->Error(fmt::format("cluster.credentials_file: {}: {}; name the .creds file the NATS "
                         "operator issued (nsc generate creds)",
                         path.string(), creds.status().message()));
    return;
  }
  o->credentials_file = path.string();
}

void ReadLeaseTtl(MapReader& m, ClusterOptions* o) {
  Duration ttl = o->lease_ttl;
  m.Optional("lease_ttl", &ttl);
  if (ttl < kMinLeaseTtl) {
    m.Get("lease_ttl")->Error(fmt::format(
        "cluster.lease_ttl: {} is below {}; a node renews its leases three times per lease_ttl, "
        "and renewals closer than a second apart lose leases to one slow NATS round trip",
        FormatDuration(ttl), FormatDuration(kMinLeaseTtl)));
  } else if (ttl > kMaxLeaseTtl) {
    m.Get("lease_ttl")->Error(fmt::format(
        "cluster.lease_ttl: {} is above {}; the sources of a node that dies wait this long "
        "before another node takes them over",
        FormatDuration(ttl), FormatDuration(kMaxLeaseTtl)));
  }
  o->lease_ttl = ttl;
}

void ReadStorage(MapReader& m, ClusterOptions* o) {
  if (auto v = m.Get("replicas")) {
    if (auto n = v->ReadInt("cluster.replicas")) {
      if (*n != 1 && *n != 3 && *n != 5) {
        v->Error(fmt::format("cluster.replicas: {} is not 1, 3 or 5; JetStream keeps a stream "
                             "on 1, 3 or 5 servers (R1, R3, R5), never more than the NATS "
                             "cluster has",
                             *n));
      } else {
        o->replicas = static_cast<int>(*n);
      }
    }
  }
  if (auto v = m.Get("prefix")) {
    auto prefix = v->ReadString("cluster.prefix");
    if (!prefix) return;
    const std::string_view rule =
        "it begins the names of NATS streams, buckets and subjects: use a-z, 0-9, '_' and '-'";
    if (prefix->empty()) {
      v->Error(fmt::format("cluster.prefix: empty; {}", rule));
    } else if (auto bad = BadChar(*prefix, IsPrefixChar)) {
      v->Error(fmt::format("cluster.prefix: '{}' has {}; {}", *prefix, *bad, rule));
    }
    o->prefix = *prefix;
  }
}

}  // namespace

ClusterOptions ReadClusterSection(MapReader& section, const std::filesystem::path& base_dir) {
  ClusterOptions o;
  ReadNode(section, &o);
  ReadServers(section, &o);
  ReadAuth(section, base_dir, &o);
  ReadLeaseTtl(section, &o);
  ReadStorage(section, &o);
  if (auto v = section.Get("on_rules_mismatch")) {
    if (auto p = v->ReadChoice("cluster.on_rules_mismatch", {"warn", "stand_by"})) {
      o.on_rules_mismatch =
          *p == "stand_by" ? RulesMismatchPolicy::kStandBy : RulesMismatchPolicy::kWarn;
    }
  }
  return o;
}

std::string DescribeCluster(const ClusterOptions& cluster) {
  return fmt::format("node {}, {} NATS server(s), lease_ttl {}, replicas {}", cluster.node,
                     cluster.servers.size(), FormatDuration(cluster.lease_ttl),
                     cluster.replicas);
}

}  // namespace earshot
