// JetStream streams as earshot uses them: created once by whichever node starts first, and
// published to with the two checks that make "exactly once" possible on a cluster:
//   - a message id (Nats-Msg-Id): the server drops a second message with the same id within
//     the stream's duplicate window, so a publish retried after a lost ack lands once;
//   - an expected last sequence for the subject: the publish lands only if nobody else
//     published on that subject since the writer last looked, so a writer that was paused and
//     replaced (a SIGSTOPped leader) fails with kAborted instead of overwriting its successor.
//
// Threads: thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/base/clock.h"
#include "daemon/base/result.h"
#include "daemon/base/status.h"
#include "daemon/nats/nats_connection.h"

namespace earshot::nats {

struct StreamSpec {
  std::string name;                   // "EARSHOT_ESCALATIONS"
  std::string description;
  std::vector<std::string> subjects;  // "earshot.escalations.>"
  int replicas = 1;
  std::chrono::milliseconds max_age{0};                            // 0 = kept until removed
  std::chrono::milliseconds duplicate_window{std::chrono::minutes(2)};
  int64_t max_bytes = -1;                                          // -1 = unlimited
};

// Creates the stream, or leaves an existing one as it is (its settings are the cluster's, not
// one node's). kUnavailable when JetStream is not enabled on the server.
Status EnsureStream(const Connection& connection, const StreamSpec& spec);

struct PublishOptions {
  std::string msg_id;  // Nats-Msg-Id; "" = none
  // Nats-Expected-Last-Subject-Sequence: the sequence of the last message on this subject
  // (0 = the subject must be empty). nullopt = no check.
  std::optional<uint64_t> expect_last_subject_seq;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers
};

struct PublishAck {
  uint64_t seq = 0;        // the message's sequence in the stream
  bool duplicate = false;  // the server had it already (same msg_id): not stored again
};

// Publishes and waits for the stream's acknowledgement. kAborted when the expected sequence
// did not hold; kDeadlineExceeded when no ack came in time (the message may have landed:
// publish again with the same msg_id).
Result<PublishAck> Publish(const Connection& connection, std::string_view subject,
                           std::string_view data, const PublishOptions& options = {});

struct StoredMessage {
  uint64_t seq = 0;
  std::string subject, data;
  std::vector<std::pair<std::string, std::string>> headers;
  SystemTime time{};
  // The first value of header `name`, "" when absent.
  std::string Header(std::string_view name) const;
};

// The message at `seq` in `stream`; nullopt when there is none (never written or removed).
Result<std::optional<StoredMessage>> GetMessage(const Connection& connection,
                                                std::string_view stream, uint64_t seq);
// The last message on `subject` in `stream`; nullopt when the subject is empty.
Result<std::optional<StoredMessage>> LastMessage(const Connection& connection,
                                                 std::string_view stream,
                                                 std::string_view subject);

struct StreamState {
  uint64_t messages = 0, bytes = 0, first_seq = 0, last_seq = 0;
};
Result<StreamState> GetStreamState(const Connection& connection, std::string_view stream);

}  // namespace earshot::nats
