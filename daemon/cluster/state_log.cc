#include "daemon/cluster/state_log.h"

#include <utility>

namespace earshot::cluster {

StateLog::StateLog(const nats::Connection& connection, ClusterNames names, int replicas)
    : connection_(connection), names_(std::move(names)), replicas_(replicas) {}

Status StateLog::Ensure() {
  nats::StreamSpec spec;
  spec.name = names_.state_stream;
  spec.description = "earshot's state: escalator commits and operators' changes, in order";
  spec.subjects = {names_.prefix + ".state.>"};
  spec.replicas = replicas_;
  // Kept whole: a node that joins later rebuilds its state from the first message.
  spec.max_age = std::chrono::milliseconds(0);
  return nats::EnsureStream(connection_, spec);
}

Result<uint64_t> StateLog::AppendCommit(std::string_view encoded, uint64_t after,
                                        std::string_view msg_id) {
  nats::PublishOptions options;
  options.msg_id = std::string(msg_id);
  options.expect_last_subject_seq = after;
  EARSHOT_ASSIGN_OR_RETURN(nats::PublishAck ack,
                           nats::Publish(connection_, names_.commit_subject, encoded, options));
  return ack.seq;
}

Result<uint64_t> StateLog::AppendOp(std::string_view encoded, std::string_view msg_id) {
  nats::PublishOptions options;
  options.msg_id = std::string(msg_id);
  EARSHOT_ASSIGN_OR_RETURN(nats::PublishAck ack,
                           nats::Publish(connection_, names_.op_subject, encoded, options));
  return ack.seq;
}

Result<uint64_t> StateLog::LastSeq() {
  EARSHOT_ASSIGN_OR_RETURN(nats::StreamState state,
                           nats::GetStreamState(connection_, names_.state_stream));
  return state.last_seq;
}

Result<std::unique_ptr<nats::OrderedReader>> StateLog::ReadFrom(uint64_t seq) {
  return nats::OrderedReader::Open(connection_, names_.state_stream, names_.prefix + ".state.>",
                                   seq);
}

}  // namespace earshot::cluster
