#include "daemon/cluster/cluster_records.h"

#include <fmt/format.h>
#include <simdjson.h>

#include "daemon/base/json_escape.h"

namespace earshot::cluster {
namespace {

Status Bad(std::string_view what, std::string_view json) {
  return Status::DataLoss(fmt::format("{} record is not earshot's ({}): {}", what,
                                      json.size() > 80 ? "first 80 bytes" : "whole value",
                                      JsonQuoted(json.substr(0, 80))));
}

}  // namespace

std::string LeaseRecord::ToJson() const {
  return fmt::format(R"({{"holder":{},"epoch":{},"acquired_ms":{}}})", JsonQuoted(holder), epoch,
                     ToUnixMillis(acquired));
}

Result<LeaseRecord> LeaseRecord::FromJson(std::string_view json) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(json.data(), json.size()).get(doc) != simdjson::SUCCESS) {
    return Bad("lease", json);
  }
  LeaseRecord r;
  std::string_view holder;
  int64_t acquired = 0;
  if (doc["holder"].get(holder) != simdjson::SUCCESS ||
      doc["epoch"].get(r.epoch) != simdjson::SUCCESS ||
      doc["acquired_ms"].get(acquired) != simdjson::SUCCESS) {
    return Bad("lease", json);
  }
  r.holder = holder;
  r.acquired = FromUnixMillis(acquired);
  return r;
}

std::string NodeRecord::ToJson() const {
  std::string leases_json = "[";
  for (size_t i = 0; i < leases.size(); ++i) {
    if (i > 0) leases_json += ',';
    leases_json += JsonQuoted(leases[i]);
  }
  leases_json += ']';
  return fmt::format(
      R"({{"node":{},"version":{},"rules_hash":{},"config_hash":{},"started_ms":{},)"
      R"("beat_ms":{},"stand_by":{},"applied":{},"leases":{}}})",
      JsonQuoted(node), JsonQuoted(version), JsonQuoted(rules_hash), JsonQuoted(config_hash),
      ToUnixMillis(started), ToUnixMillis(beat), stand_by ? "true" : "false", applied, leases_json);
}

Result<NodeRecord> NodeRecord::FromJson(std::string_view json) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(json.data(), json.size()).get(doc) != simdjson::SUCCESS) {
    return Bad("node", json);
  }
  NodeRecord r;
  std::string_view node, version, rules, config;
  int64_t started = 0, beat = 0;
  simdjson::dom::array leases;
  if (doc["node"].get(node) != simdjson::SUCCESS ||
      doc["version"].get(version) != simdjson::SUCCESS ||
      doc["rules_hash"].get(rules) != simdjson::SUCCESS ||
      doc["config_hash"].get(config) != simdjson::SUCCESS ||
      doc["started_ms"].get(started) != simdjson::SUCCESS ||
      doc["beat_ms"].get(beat) != simdjson::SUCCESS ||
      doc["stand_by"].get(r.stand_by) != simdjson::SUCCESS ||
      doc["applied"].get(r.applied) != simdjson::SUCCESS ||
      doc["leases"].get(leases) != simdjson::SUCCESS) {
    return Bad("node", json);
  }
  r.node = node;
  r.version = version;
  r.rules_hash = rules;
  r.config_hash = config;
  r.started = FromUnixMillis(started);
  r.beat = FromUnixMillis(beat);
  for (simdjson::dom::element e : leases) {
    std::string_view lease;
    if (e.get(lease) != simdjson::SUCCESS) return Bad("node", json);
    r.leases.emplace_back(lease);
  }
  return r;
}

}  // namespace earshot::cluster
