#include <catch2/catch.hpp>

#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "daemon/bus/endpoint.h"
#include "daemon/bus/publisher.h"
#include "daemon/bus/subscriber.h"

namespace earshot::bus {
namespace {

using std::chrono::milliseconds;

// PUB/SUB subscriptions travel asynchronously (ZeroMQ's "slow joiner"): publish a probe until
// the subscriber sees one, then drain the probes, so the test's own messages are not dropped.
void WaitUntilJoined(Publisher& pub, std::vector<Subscriber*> subs) {
  std::stop_source never;
  for (Subscriber* sub : subs) {
    for (int i = 0; i < 2000; ++i) {
      REQUIRE(pub.Publish("probe").ok());
      Result<std::optional<std::string>> got = sub->Receive(never.get_token(), milliseconds(5));
      REQUIRE(got.ok());
      if (got->has_value()) break;
    }
  }
  for (Subscriber* sub : subs) {
    for (;;) {
      Result<std::optional<std::string>> got = sub->Receive(never.get_token(), milliseconds(50));
      REQUIRE(got.ok());
      if (!got->has_value()) break;
    }
  }
}

std::vector<std::string> ReceiveN(Subscriber& sub, size_t n) {
  std::stop_source never;
  std::vector<std::string> out;
  while (out.size() < n) {
    Result<std::optional<std::string>> got = sub.Receive(never.get_token(), milliseconds(5000));
    REQUIRE(got.ok());
    if (!got->has_value()) break;  // nothing for 5 s: report what arrived
    out.push_back(**got);
  }
  return out;
}

std::filesystem::path TempDir() {
  std::random_device rd;
  auto dir = std::filesystem::temp_directory_path() / ("earshot-bus-" + std::to_string(rd()));
  std::filesystem::create_directories(dir);
  return dir;
}

TEST_CASE("ValidateExternalEndpoint: loopback ipc and tcp only", "[bus]") {
  struct Case {
    const char* endpoint;
    const char* error;  // "" when valid
  } cases[] = {
      {"ipc:///run/earshot/escalations.sock", ""},
      {"tcp://127.0.0.1:5561", ""},
      {"tcp://127.0.0.1:*", ""},
      {"tcp://[::1]:5561", ""},
      {"tcp://localhost:5561", ""},
      {"ipc://relative.sock", "bus endpoint 'ipc://relative.sock': an ipc endpoint needs an "
                              "absolute path"},
      {"tcp://0.0.0.0:5561", "bus endpoint 'tcp://0.0.0.0:5561': earshot publishes escalations "
                             "on loopback only"},
      {"tcp://127.0.0.1", "bus endpoint 'tcp://127.0.0.1': a tcp endpoint needs a port"},
      {"tcp://127.0.0.1:http", "bus endpoint 'tcp://127.0.0.1:http': port 'http' is not a "
                               "number"},
      {"udp://127.0.0.1:1", "bus endpoint 'udp://127.0.0.1:1': unknown transport"},
      {"inproc://x", "bus endpoint 'inproc://x': unknown transport"},
  };
  for (const Case& c : cases) {
    INFO(c.endpoint);
    Status s = ValidateExternalEndpoint(c.endpoint);
    if (std::string(c.error).empty()) {
      CHECK(s.ok());
    } else {
      CHECK(s.code() == Status::Code::kInvalidArgument);
      CHECK_THAT(s.message(), Catch::StartsWith(c.error));
    }
  }
}

TEST_CASE("Publisher: inproc subscribers get every message in order", "[bus]") {
  zmq::context_t ctx;
  Result<std::unique_ptr<Publisher>> pub = Publisher::Create(ctx, {});
  REQUIRE(pub.ok());
  Result<std::unique_ptr<Subscriber>> a = Subscriber::Create(ctx, std::string(kInprocEndpoint));
  Result<std::unique_ptr<Subscriber>> b = Subscriber::Create(ctx, std::string(kInprocEndpoint));
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  WaitUntilJoined(**pub, {a->get(), b->get()});

  std::vector<std::string> sent;
  for (int i = 0; i < 1000; ++i) {
    sent.push_back("{\"seq\":" + std::to_string(i) + "}");
    REQUIRE((*pub)->Publish(sent.back()).ok());
  }
  CHECK(ReceiveN(**a, sent.size()) == sent);
  CHECK(ReceiveN(**b, sent.size()) == sent);
}

TEST_CASE("Publisher: external tcp and ipc endpoints reach outside subscribers", "[bus]") {
  const std::filesystem::path dir = TempDir();
  const std::string endpoints[] = {"tcp://127.0.0.1:*", "ipc://" + (dir / "esc.sock").string()};
  for (const std::string& endpoint : endpoints) {
    INFO(endpoint);
    zmq::context_t ctx;
    Result<std::unique_ptr<Publisher>> pub = Publisher::Create(ctx, {.external_endpoint = endpoint});
    REQUIRE(pub.ok());
    const std::string bound = (*pub)->external_endpoint();
    CHECK(bound.rfind(endpoint.substr(0, 6), 0) == 0);
    CHECK(bound.find('*') == std::string::npos);
    zmq::context_t outside;  // another process, as far as ZeroMQ can tell
    Result<std::unique_ptr<Subscriber>> sub = Subscriber::Create(outside, bound);
    REQUIRE(sub.ok());
    WaitUntilJoined(**pub, {sub->get()});
    REQUIRE((*pub)->Publish("{\"seq\":1}").ok());
    CHECK(ReceiveN(**sub, 1) == std::vector<std::string>{"{\"seq\":1}"});
  }
  std::filesystem::remove_all(dir);
}

TEST_CASE("Publisher: bind failures name the endpoint", "[bus]") {
  zmq::context_t ctx;
  Result<std::unique_ptr<Publisher>> first = Publisher::Create(ctx, {});
  REQUIRE(first.ok());
  Result<std::unique_ptr<Publisher>> second = Publisher::Create(ctx, {});
  REQUIRE_FALSE(second.ok());
  CHECK_THAT(second.status().message(),
             Catch::StartsWith("bus endpoint 'inproc://earshot-escalations': cannot bind"));

  zmq::context_t other;
  Result<std::unique_ptr<Publisher>> missing_dir = Publisher::Create(
      other, {.external_endpoint = "ipc:///nonexistent-earshot-dir/esc.sock"});
  REQUIRE_FALSE(missing_dir.ok());
  CHECK(missing_dir.status().code() == Status::Code::kUnavailable);
  CHECK_THAT(missing_dir.status().message(),
             Catch::StartsWith("bus endpoint 'ipc:///nonexistent-earshot-dir/esc.sock': cannot "
                               "bind") &&
                 Catch::Contains("RuntimeDirectory"));

  zmq::context_t third;
  Result<std::unique_ptr<Publisher>> public_tcp =
      Publisher::Create(third, {.external_endpoint = "tcp://0.0.0.0:5561"});
  REQUIRE_FALSE(public_tcp.ok());
  CHECK(public_tcp.status().code() == Status::Code::kInvalidArgument);
}

TEST_CASE("Subscriber: timeout, stop and foreign messages", "[bus]") {
  zmq::context_t ctx;
  Result<std::unique_ptr<Publisher>> pub = Publisher::Create(ctx, {});
  REQUIRE(pub.ok());
  Result<std::unique_ptr<Subscriber>> sub = Subscriber::Create(ctx, std::string(kInprocEndpoint));
  REQUIRE(sub.ok());
  WaitUntilJoined(**pub, {sub->get()});

  std::stop_source never;
  Result<std::optional<std::string>> none = (*sub)->Receive(never.get_token(), milliseconds(20));
  REQUIRE(none.ok());
  CHECK_FALSE(none->has_value());

  // A stop request wins even when a message is waiting.
  REQUIRE((*pub)->Publish("{\"seq\":5}").ok());
  std::stop_source stopped;
  stopped.request_stop();
  Result<std::optional<std::string>> cancelled =
      (*sub)->Receive(stopped.get_token(), milliseconds(60000));
  REQUIRE(cancelled.ok());
  CHECK_FALSE(cancelled->has_value());
  CHECK(ReceiveN(**sub, 1) == std::vector<std::string>{"{\"seq\":5}"});

  // A raw PUB on the same topic prefix with the wrong shape: skipped, counted.
  zmq::socket_t raw(ctx, zmq::socket_type::pub);
  raw.set(zmq::sockopt::linger, 0);
  raw.bind("inproc://earshot-foreign");
  Result<std::unique_ptr<Subscriber>> sub2 = Subscriber::Create(ctx, "inproc://earshot-foreign");
  REQUIRE(sub2.ok());
  std::vector<std::string> got;
  for (int i = 0; i < 2000 && got.empty(); ++i) {
    (void)raw.send(zmq::buffer(std::string_view("esc")), zmq::send_flags::none);  // one frame
    (void)raw.send(zmq::buffer(std::string_view("escalate")), zmq::send_flags::sndmore);
    (void)raw.send(zmq::buffer(std::string_view("{}")), zmq::send_flags::none);  // wrong topic
    (void)raw.send(zmq::buffer(std::string_view("esc")), zmq::send_flags::sndmore);
    (void)raw.send(zmq::buffer(std::string_view("{\"ok\":1}")), zmq::send_flags::none);
    Result<std::optional<std::string>> r = (*sub2)->Receive(never.get_token(), milliseconds(5));
    REQUIRE(r.ok());
    if (r->has_value()) got.push_back(**r);
  }
  REQUIRE(got.size() == 1);
  CHECK(got[0] == "{\"ok\":1}");
  CHECK((*sub2)->malformed() >= 2);
}

}  // namespace
}  // namespace earshot::bus
