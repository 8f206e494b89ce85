// JetStream streams against a real nats-server: creating them idempotently, publishing with
// message ids (exactly once across retries) and expected subject sequences (a replaced writer
// loses), and reading messages back with their headers.
#include "daemon/nats/jetstream.h"

#include <catch2/catch.hpp>

#include "tests/fakes/nats_server.h"
#include "tests/nats/connect_for_test.h"

namespace earshot::nats {
namespace {

using earshot::testing::NatsServer;

StreamSpec Escalations() {
  StreamSpec spec;
  spec.name = "EARSHOT_ESCALATIONS";
  spec.description = "test stream";
  spec.subjects = {"earshot.escalations.>"};
  return spec;
}

PublishAck MustPublish(const Connection& connection, std::string_view subject,
                       std::string_view data, const PublishOptions& options = {}) {
  auto ack = Publish(connection, subject, data, options);
  INFO(ack.status().ToString());
  REQUIRE(ack.ok());
  return *ack;
}

PublishOptions ExpectLast(uint64_t seq) {
  PublishOptions options;
  options.expect_last_subject_seq = seq;
  return options;
}

struct StreamFixture {
  NatsServer server;
  std::unique_ptr<Connection> connection = ConnectForTest({server.url()});
  StreamFixture() {
    Status ensured = EnsureStream(*connection, Escalations());
    INFO(ensured.ToString());
    REQUIRE(ensured.ok());
  }
};

TEST_CASE("EnsureStream creates the stream, and a second call leaves it as it is", "[nats]") {
  NatsServer server;
  std::unique_ptr<Connection> connection = ConnectForTest({server.url()});
  REQUIRE(EnsureStream(*connection, Escalations()).ok());
  MustPublish(*connection, "earshot.escalations.a", "one");

  StreamSpec changed = Escalations();
  changed.max_bytes = 1 << 20;
  Status again = EnsureStream(*connection, changed);
  INFO(again.ToString());
  REQUIRE(again.ok());
  auto state = GetStreamState(*connection, "EARSHOT_ESCALATIONS");
  REQUIRE(state.ok());
  CHECK(state->messages == 1);  // not recreated
}

TEST_CASE("GetStreamState of a missing stream is kNotFound", "[nats]") {
  NatsServer server;
  std::unique_ptr<Connection> connection = ConnectForTest({server.url()});
  auto state = GetStreamState(*connection, "NO_SUCH_STREAM");
  REQUIRE_FALSE(state.ok());
  CHECK(state.status().code() == Status::Code::kNotFound);
}

TEST_CASE_METHOD(StreamFixture, "Publish returns increasing sequences and the state counts them",
                 "[nats]") {
  const PublishAck first = MustPublish(*connection, "earshot.escalations.a", "one");
  const PublishAck second = MustPublish(*connection, "earshot.escalations.b", "two");
  const PublishAck third = MustPublish(*connection, "earshot.escalations.a", "three");
  CHECK(first.seq == 1);
  CHECK(second.seq == 2);
  CHECK(third.seq == 3);
  CHECK_FALSE(first.duplicate);

  auto state = GetStreamState(*connection, "EARSHOT_ESCALATIONS");
  INFO(state.status().ToString());
  REQUIRE(state.ok());
  CHECK(state->messages == 3);
  CHECK(state->first_seq == 1);
  CHECK(state->last_seq == 3);
  CHECK(state->bytes > 0);
}

TEST_CASE_METHOD(StreamFixture, "Publishing the same message id twice stores it once", "[nats]") {
  PublishOptions options;
  options.msg_id = "escalation-42";
  const PublishAck first = MustPublish(*connection, "earshot.escalations.a", "once", options);
  const PublishAck retry = MustPublish(*connection, "earshot.escalations.a", "once", options);
  CHECK_FALSE(first.duplicate);
  CHECK(retry.duplicate);
  CHECK(retry.seq == first.seq);

  auto state = GetStreamState(*connection, "EARSHOT_ESCALATIONS");
  REQUIRE(state.ok());
  CHECK(state->messages == 1);
}

TEST_CASE_METHOD(StreamFixture,
                 "Publish with the subject's last sequence lands, a stale one is kAborted",
                 "[nats]") {
  const PublishAck first = MustPublish(*connection, "earshot.escalations.a", "one");
  // Another subject moves the stream's sequence, not this subject's.
  MustPublish(*connection, "earshot.escalations.b", "other");

  const PublishAck second =
      MustPublish(*connection, "earshot.escalations.a", "two", ExpectLast(first.seq));
  CHECK(second.seq == 3);

  // A writer that still believes `first` is the latest was replaced: it must lose.
  auto stale = Publish(*connection, "earshot.escalations.a", "stale", ExpectLast(first.seq));
  REQUIRE_FALSE(stale.ok());
  CHECK(stale.status().code() == Status::Code::kAborted);
  auto state = GetStreamState(*connection, "EARSHOT_ESCALATIONS");
  REQUIRE(state.ok());
  CHECK(state->messages == 3);
}

TEST_CASE_METHOD(StreamFixture, "Expected last subject sequence 0 means the subject must be empty",
                 "[nats]") {
  MustPublish(*connection, "earshot.escalations.other", "not this subject");
  // An empty subject: 0 holds, although the stream itself is not empty.
  const PublishAck first =
      MustPublish(*connection, "earshot.escalations.a", "first", ExpectLast(0));
  CHECK(first.seq == 2);

  // Now the subject has a message: 0 no longer holds.
  auto second = Publish(*connection, "earshot.escalations.a", "second", ExpectLast(0));
  REQUIRE_FALSE(second.ok());
  CHECK(second.status().code() == Status::Code::kAborted);
  auto last = LastMessage(*connection, "EARSHOT_ESCALATIONS", "earshot.escalations.a");
  REQUIRE(last.ok());
  REQUIRE(last->has_value());
  CHECK((*last)->data == "first");
}

TEST_CASE_METHOD(StreamFixture, "GetMessage and LastMessage return data, subject and headers",
                 "[nats]") {
  PublishOptions options;
  options.msg_id = "m-1";
  options.headers = {{"Earshot-Node", "node-1"}, {"Earshot-Kind", "escalation"}};
  const PublishAck first =
      MustPublish(*connection, "earshot.escalations.a", "payload one", options);
  MustPublish(*connection, "earshot.escalations.a", "payload two");
  MustPublish(*connection, "earshot.escalations.b", "payload b");

  auto got = GetMessage(*connection, "EARSHOT_ESCALATIONS", first.seq);
  INFO(got.status().ToString());
  REQUIRE(got.ok());
  REQUIRE(got->has_value());
  const StoredMessage& message = **got;
  CHECK(message.seq == first.seq);
  CHECK(message.subject == "earshot.escalations.a");
  CHECK(message.data == "payload one");
  CHECK(message.Header("Earshot-Node") == "node-1");
  CHECK(message.Header("Earshot-Kind") == "escalation");
  CHECK(message.Header("Nats-Msg-Id") == "m-1");
  CHECK(message.Header("Absent").empty());
  CHECK(message.time.time_since_epoch().count() > 0);

  auto last = LastMessage(*connection, "EARSHOT_ESCALATIONS", "earshot.escalations.a");
  INFO(last.status().ToString());
  REQUIRE(last.ok());
  REQUIRE(last->has_value());
  CHECK((*last)->seq == 2);
  CHECK((*last)->data == "payload two");
}

TEST_CASE_METHOD(StreamFixture, "GetMessage and LastMessage of nothing are nullopt", "[nats]") {
  auto missing = GetMessage(*connection, "EARSHOT_ESCALATIONS", 7);
  INFO(missing.status().ToString());
  REQUIRE(missing.ok());
  CHECK_FALSE(missing->has_value());

  auto empty = LastMessage(*connection, "EARSHOT_ESCALATIONS", "earshot.escalations.none");
  INFO(empty.status().ToString());
  REQUIRE(empty.ok());
  CHECK_FALSE(empty->has_value());
}

TEST_CASE_METHOD(StreamFixture,
                 "A failure after a lost sequence check is classified by its own cause", "[nats]") {
  // libnats keeps the last error's text per thread; a later, different failure on the same
  // thread must be classified by its own cause, not by the stale "wrong last sequence".
  MustPublish(*connection, "earshot.escalations.a", "one");
  auto lost = Publish(*connection, "earshot.escalations.a", "two", ExpectLast(0));
  REQUIRE(lost.status().code() == Status::Code::kAborted);

  auto missing = GetStreamState(*connection, "NO_SUCH_STREAM");
  CHECK(missing.status().code() == Status::Code::kNotFound);
  // No stream listens on this subject: nobody to store it.
  auto unheard = Publish(*connection, "nowhere.at.all", "lost");
  INFO(unheard.status().ToString());
  CHECK(unheard.status().code() == Status::Code::kUnavailable);
  auto no_message = GetMessage(*connection, "NO_SUCH_STREAM", 1);
  CHECK(no_message.status().code() == Status::Code::kNotFound);
}

TEST_CASE("A publish to a paused server is kDeadlineExceeded and lands once when retried",
          "[nats]") {
  NatsServer server;
  ConnectOptions options;
  options.servers = {server.url()};
  options.timeout = std::chrono::milliseconds(500);
  auto connected = Connection::Connect(options);
  REQUIRE(connected.ok());
  const Connection& connection = **connected;
  REQUIRE(EnsureStream(connection, Escalations()).ok());

  PublishOptions once;
  once.msg_id = "escalation-7";
  server.Pause();  // the server holds the message unread and answers nothing
  auto timed_out = Publish(connection, "earshot.escalations.a", "data", once);
  server.Resume();
  REQUIRE_FALSE(timed_out.ok());
  CHECK(timed_out.status().code() == Status::Code::kDeadlineExceeded);

  // The message may have landed once the server woke up; the retry with the same id finds it.
  const PublishAck retry = MustPublish(connection, "earshot.escalations.a", "data", once);
  auto state = GetStreamState(connection, "EARSHOT_ESCALATIONS");
  REQUIRE(state.ok());
  CHECK(state->messages == 1);
  CHECK(retry.seq == 1);
}

}  // namespace
}  // namespace earshot::nats
