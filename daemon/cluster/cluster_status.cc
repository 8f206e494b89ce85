#include "daemon/cluster/cluster_status.h"

#include <fmt/format.h>

#include <algorithm>

#include "daemon/base/json_escape.h"
#include "daemon/cluster/node_registry.h"
#include "daemon/nats/jetstream.h"

namespace earshot::cluster {
namespace {

// "3s ago", "2m ago", "in the future" for a skewed clock.
std::string Ago(SystemTime then, SystemTime now) {
  const auto s = std::chrono::duration_cast<std::chrono::seconds>(now - then).count();
  if (s < 0) return "just now";
  if (s < 120) return fmt::format("{}s ago", s);
  if (s < 7200) return fmt::format("{}m ago", s / 60);
  return fmt::format("{}h ago", s / 3600);
}

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& i : items) {
    if (!out.empty()) out += ", ";
    out += i;
  }
  return out.empty() ? "-" : out;
}

// The bucket when a node has created it; nullopt when none has. Only a node may create one:
// KvBucket::Open creates a missing bucket with the spec it is given, and a bucket created here,
// without the nodes' ttl, would keep every lease and heartbeat forever once the nodes bind to it.
Result<std::unique_ptr<nats::KvBucket>> Bind(const nats::Connection& c, const std::string& name) {
  auto state = nats::GetStreamState(c, "KV_" + name);  // the stream behind a bucket
  if (!state.ok()) {
    if (state.status().code() == Status::Code::kNotFound) {
      return std::unique_ptr<nats::KvBucket>();
    }
    return state.status();
  }
  nats::KvSpec spec;
  spec.bucket = name;
  return nats::KvBucket::Open(c, spec);
}

}  // namespace

Result<ClusterStatus> ReadClusterStatus(const nats::Connection& connection,
                                        const ClusterNames& names) {
  ClusterStatus out;
  out.prefix = names.prefix;
  EARSHOT_ASSIGN_OR_RETURN(auto nodes_bucket, Bind(connection, names.nodes_bucket));
  if (nodes_bucket != nullptr) {
    NodeRegistry registry(*nodes_bucket);
    EARSHOT_ASSIGN_OR_RETURN(out.nodes, registry.Live());
  }
  EARSHOT_ASSIGN_OR_RETURN(auto leases_bucket, Bind(connection, names.leases_bucket));
  if (leases_bucket != nullptr) {
    LeaseTable table(*leases_bucket, "", std::chrono::milliseconds(1));
    EARSHOT_ASSIGN_OR_RETURN(out.leases, table.List());
  }
  out.agreement = JudgeAgreement(out.nodes);
  if (auto log = nats::GetStreamState(connection, names.state_stream); log.ok()) {
    out.log_last = log->last_seq;
  } else if (log.status().code() != Status::Code::kNotFound) {
    return log.status();
  }
  if (auto batches = nats::GetStreamState(connection, names.batch_stream); batches.ok()) {
    out.batches_last = batches->last_seq;
  } else if (batches.status().code() != Status::Code::kNotFound) {
    return batches.status();
  }
  return out;
}

std::string RenderClusterStatus(const ClusterStatus& status, SystemTime now) {
  std::string out = fmt::format(
      "cluster '{}': {} node(s); state log at message {}, batch stream at {}\n", status.prefix,
      status.nodes.size(), status.log_last, status.batches_last);
  if (status.nodes.empty()) {
    out += "no node has a heartbeat: none runs, or none reaches this NATS\n";
  } else {
    out += fmt::format("\n{:<20} {:<10} {:<24} {:<24} {:>8} {:<10} {}\n", "NODE", "VERSION",
                       "RULES", "CONFIG", "LAG", "BEAT", "LEASES");
    for (const NodeRecord& n : status.nodes) {
      const uint64_t lag = status.log_last > n.applied ? status.log_last - n.applied : 0;
      std::string leases = Join(n.leases);
      if (n.stand_by) leases = "standing by (rules differ)";
      out += fmt::format("{:<20} {:<10} {:<24} {:<24} {:>8} {:<10} {}\n", n.node, n.version,
                         n.rules_hash, n.config_hash, lag, Ago(n.beat, now), leases);
    }
  }
  if (!status.leases.empty()) {
    out += fmt::format("\n{:<40} {:<20} {:>8} {}\n", "LEASE", "HOLDER", "EPOCH", "RENEWED");
    for (const LeaseView& l : status.leases) {
      out += fmt::format("{:<40} {:<20} {:>8} {}\n", l.name,
                         l.record.holder.empty() ? "(free)" : l.record.holder, l.record.epoch,
                         Ago(l.renewed, now));
    }
  }
  if (!status.nodes.empty()) {
    if (status.agreement.differing.empty()) {
      out += fmt::format("\nrules and config agree on all {} node(s)\n", status.nodes.size());
    } else {
      out += fmt::format(
          "\nrules or config DIFFER: {} run(s) other rules than the {} node(s) on rules {}, "
          "config {}\n",
          Join(status.agreement.differing), status.agreement.agreeing,
          status.agreement.rules_hash, status.agreement.config_hash);
    }
  }
  return out;
}

std::string ClusterStatusJson(const ClusterStatus& status) {
  std::string nodes;
  for (const NodeRecord& n : status.nodes) {
    if (!nodes.empty()) nodes += ',';
    nodes += n.ToJson();
  }
  std::string leases;
  for (const LeaseView& l : status.leases) {
    if (!leases.empty()) leases += ',';
    leases += fmt::format(R"({{"name":{},"holder":{},"epoch":{},"revision":{},"renewed_ms":{}}})",
                          JsonQuoted(l.name), JsonQuoted(l.record.holder), l.record.epoch,
                          l.revision, ToUnixMillis(l.renewed));
  }
  std::string differing;
  for (const std::string& d : status.agreement.differing) {
    if (!differing.empty()) differing += ',';
    differing += JsonQuoted(d);
  }
  return fmt::format(
      R"({{"prefix":{},"log_last":{},"batches_last":{},"nodes":[{}],"leases":[{}],)"
      R"("agreement":{{"rules_hash":{},"config_hash":{},"agreeing":{},"differing":[{}]}}}})",
      JsonQuoted(status.prefix), status.log_last, status.batches_last, nodes, leases,
      JsonQuoted(status.agreement.rules_hash), JsonQuoted(status.agreement.config_hash),
      status.agreement.agreeing, differing);
}

}  // namespace earshot::cluster
