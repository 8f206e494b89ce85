#include "daemon/cluster/cluster_names.h"

#include <algorithm>
#include <utility>

namespace earshot::cluster {
namespace {

std::string Upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 32) : c; });
  return s;
}

}  // namespace

ClusterNames::ClusterNames(std::string p)
    : prefix(std::move(p)),
      state_stream(Upper(prefix) + "_STATE"),
      commit_subject(prefix + ".state.commit"),
      op_subject(prefix + ".state.op"),
      batch_stream(Upper(prefix) + "_BATCHES"),
      batch_subject(prefix + ".batches"),
      leases_bucket(prefix + "_leases"),
      nodes_bucket(prefix + "_nodes") {}

}  // namespace earshot::cluster
