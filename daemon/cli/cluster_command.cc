// `earshot cluster status`: the cluster as NATS knows it (cluster/cluster_status.h).
#include <fmt/format.h>

#include <ostream>

#include "daemon/base/build_info.h"
#include "daemon/cli/commands.h"
#include "daemon/cli/config_arg.h"
#include "daemon/cluster/cluster_names.h"
#include "daemon/cluster/cluster_status.h"
#include "daemon/nats/nats_connection.h"

namespace earshot {

int RunClusterStatusCommand(const std::vector<std::string>& args, std::ostream& out,
                            std::ostream& err) {
  std::vector<std::string> rest;
  std::optional<AppConfig> config = LoadConfigArg("cluster status", args, &rest, err);
  if (!config) return kExitConfig;
  bool json = false;
  for (const std::string& a : rest) {
    if (a == "--json") {
      json = true;
      continue;
    }
    err << fmt::format(
        "earshot cluster status: unexpected argument '{}'\nusage: earshot cluster status "
        "[--config FILE] [--json]\n",
        a);
    return kExitUsage;
  }
  if (!config->cluster) {
    err << fmt::format(
        "earshot cluster status: {} has no cluster section: this earshot runs as a single node "
        "(docs/cluster.md)\n",
        config->file.string());
    return kExitConfig;
  }
  const ClusterOptions& o = *config->cluster;
  nats::ConnectOptions connect;
  connect.servers = o.servers;
  connect.name = fmt::format("earshot cluster status {}", BuildVersion());
  connect.token = o.token;
  connect.credentials_file = o.credentials_file;
  auto connection = nats::Connection::Connect(connect);
  if (!connection.ok()) {
    err << fmt::format("earshot cluster status: {}\n", connection.status().message());
    return kExitFailure;
  }
  auto status = cluster::ReadClusterStatus(**connection, cluster::ClusterNames(o.prefix));
  if (!status.ok()) {
    err << fmt::format("earshot cluster status: {}\n", status.status().message());
    return kExitFailure;
  }
  out << (json ? cluster::ClusterStatusJson(*status) + "\n"
               : cluster::RenderClusterStatus(*status, RealClock().Now()));
  return status->agreement.differing.empty() ? kExitOk : kExitFailure;
}

}  // namespace earshot
