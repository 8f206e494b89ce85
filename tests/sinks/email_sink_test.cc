// The email sink against a real SMTP server on loopback (tests/fakes/smtp_server.h): the
// message a person reads, the envelope, AUTH, how SMTP replies map to retry or dead letter, and
// that the password never shows. TLS is not tested on loopback: these use `starttls: never`.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <fstream>
#include <sstream>

#include "daemon/base/log.h"
#include "daemon/bus/publisher.h"
#include "sinks/email_sink.h"
#include "sinks/registry.h"
#include "sinks/runner.h"
#include "tests/fakes/smtp_server.h"
#include "tests/sinks/sink_test_util.h"

namespace earshot {
namespace {

using std::chrono::milliseconds;
using testing::CommitToOutbox;
using testing::SampleEscalation;
using testing::SinkTempDir;
using testing::SmtpServer;
using testing::WaitFor;

EmailSinkConfig Config(const SmtpServer& server) {
  EmailSinkConfig c;
  c.name = "mail";
  c.url = server.url();
  c.from = "earshot@ops.example";
  c.to = {"oncall@ops.example", "social@ops.example"};
  c.starttls = "never";
  c.timeout = milliseconds(10000);
  return c;
}

// The value of header `name` in an RFC 5322 message, "" when absent.
std::string HeaderOf(const std::string& message, const std::string& name) {
  const std::string key = "\r\n" + name + ": ";
  const size_t at = ("\r\n" + message).find(key);
  if (at == std::string::npos) return "";
  const size_t start = at + key.size() - 2;
  return message.substr(start, message.find("\r\n", start) - start);
}

std::string BodyOf(const std::string& message) {
  const size_t at = message.find("\r\n\r\n");
  return at == std::string::npos ? "" : message.substr(at + 4);
}

// Redirects this process's stderr (where earshot logs) into a file while alive.
class CaptureStderr {
 public:
  explicit CaptureStderr(std::filesystem::path path) : path_(std::move(path)) {
    std::fflush(stderr);
    saved_ = ::dup(STDERR_FILENO);
    const int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(fd, STDERR_FILENO);
    ::close(fd);
  }
  ~CaptureStderr() { Restore(); }
  std::string Restore() {
    if (saved_ >= 0) {
      std::fflush(stderr);
      ::dup2(saved_, STDERR_FILENO);
      ::close(saved_);
      saved_ = -1;
    }
    std::ifstream in(path_);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

 private:
  std::filesystem::path path_;
  int saved_ = -1;
};

TEST_CASE("EmailSink: a readable message with the headers a mail client needs", "[sinks]") {
  SmtpServer server;
  REQUIRE(server.ok());
  EmailSink sink(Config(server), RealClock());
  Escalation e = SampleEscalation(3);
  // A summary's line break: the Subject stays one line, and the body line that now starts with
  // a dot survives SMTP's dot-stuffing (libcurl doubles it, the server undoes it).
  e.summary = "Lost bag in Denver,\n.nobody answers #3";
  std::stop_source stop;
  DeliveryResult r = sink.Deliver(e, stop.get_token());
  INFO(r.detail);
  REQUIRE(r.delivered());

  const auto messages = server.messages();
  REQUIRE(messages.size() == 1);
  const SmtpServer::Message& m = messages[0];
  CHECK(m.mail_from == "earshot@ops.example");
  CHECK(m.rcpt_to == std::vector<std::string>{"oncall@ops.example", "social@ops.example"});
  CHECK(HeaderOf(m.data, "From") == "earshot@ops.example");
  CHECK(HeaderOf(m.data, "To") == "oncall@ops.example, social@ops.example");
  CHECK(HeaderOf(m.data, "Subject") ==
        "[earshot] HIGH open: Lost bag in Denver, .nobody answers #3");
  CHECK_THAT(HeaderOf(m.data, "Date"), Catch::Matches(
      "(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \\d\\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
      "\\d{4} \\d\\d:\\d\\d:\\d\\d \\+0000"));
  // Stable across resends, so the receiving system can drop a duplicate.
  CHECK(HeaderOf(m.data, "Message-ID") == "<" + e.incident_id + ".3@earshot>");
  CHECK_THAT(HeaderOf(m.data, "Content-Type"), Catch::Contains("charset=utf-8"));

  const std::string body = BodyOf(m.data);
  CHECK_THAT(body, Catch::Contains("HIGH"));
  CHECK_THAT(body, Catch::Contains("Lost bag in Denver,\r\n.nobody answers #3"));
  CHECK_THAT(body, !Catch::Contains("..nobody"));
  CHECK_THAT(body, Catch::Contains("@jane@air.example (Jane, 152"));
  CHECK_THAT(body, Catch::Contains("followers"));
  CHECK_THAT(body, Catch::Contains(e.posts[0].url));
  CHECK_THAT(body, Catch::Contains("Incident " + e.incident_id + " (seq 3)"));
  CHECK_THAT(body, Catch::Contains("\"@AcmeAir lost my bag in Denver"));
  CHECK_THAT(body, !Catch::Contains("\x1b["));  // no terminal colours in a mail
  // Every line ends in CRLF: no bare LF reaches the server.
  for (size_t i = 0; i < m.data.size(); ++i) {
    if (m.data[i] == '\n') REQUIRE((i > 0 && m.data[i - 1] == '\r'));
  }
}

std::string Base64Decode(std::string_view in) {
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const char* at = std::strchr(alphabet, c);
    if (c == '\0' || at == nullptr) continue;
    acc = (acc << 6) | static_cast<uint32_t>(at - alphabet);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return out;
}

TEST_CASE("EmailSink: a non-ASCII Subject is folded RFC 2047 encoded-words of at most 75 chars",
          "[sinks]") {
  SmtpServer server;
  REQUIRE(server.ok());
  EmailSink sink(Config(server), RealClock());
  Escalation e = SampleEscalation(4);
  e.summary = "Gepäck verloren in München, Flug nach Zürich gestrichen, niemand antwortet: "
              "größter Ärger des Jahres ✈️ 😡";
  std::stop_source stop;
  REQUIRE(sink.Deliver(e, stop.get_token()).delivered());
  REQUIRE(server.messages().size() == 1);
  const std::string data = server.messages()[0].data;
  CHECK_THAT(BodyOf(data), Catch::Contains(e.summary));

  // The Subject header with its continuation lines.
  const size_t start = data.find("\r\nSubject: ") + 11;
  size_t end = start;
  do {
    end = data.find("\r\n", end + 1);
  } while (data[end + 2] == ' ');
  std::istringstream words(data.substr(start, end - start));
  std::string decoded;
  int count = 0;
  for (std::string w; words >> w; ++count) {
    INFO(w);
    CHECK(w.size() <= 75);
    REQUIRE_THAT(w, Catch::StartsWith("=?UTF-8?B?") && Catch::EndsWith("?="));
    const std::string part = Base64Decode(w.substr(10, w.size() - 12));
    // Never split inside a UTF-8 character: each word decodes to whole characters.
    CHECK((static_cast<unsigned char>(part[0]) & 0xC0) != 0x80);
    decoded += part;
  }
  CHECK(count > 1);
  CHECK(decoded == "[earshot] HIGH open: " + e.summary);
}

TEST_CASE("SmtpServer: undoes dot-stuffing and records the envelope", "[sinks]") {
  SmtpServer server;
  REQUIRE(server.ok());
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(server.port());
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  const std::string session =
      "HELO client\r\nMAIL FROM:<a@x.example>\r\nRCPT TO:<b@y.example>\r\nDATA\r\n"
      "Subject: s\r\n\r\n..starts with a dot\r\n...\r\nend\r\n.\r\nQUIT\r\n";
  REQUIRE(::send(fd, session.data(), session.size(), MSG_NOSIGNAL) ==
          static_cast<ssize_t>(session.size()));
  std::string replies;
  char buf[1024];
  for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) replies.append(buf, n);
  ::close(fd);
  CHECK_THAT(replies, Catch::Contains("250 2.0.0 queued"));
  CHECK_THAT(replies, Catch::EndsWith("221 2.0.0 bye\r\n"));
  REQUIRE(server.messages().size() == 1);
  const SmtpServer::Message m = server.messages()[0];
  CHECK(m.helo == "client");
  CHECK(m.mail_from == "a@x.example");
  CHECK(m.rcpt_to == std::vector<std::string>{"b@y.example"});
  CHECK(m.data == "Subject: s\r\n\r\n.starts with a dot\r\n..\r\nend\r\n");
}

TEST_CASE("Email sink options: a From address with a line break is refused", "[sinks]") {
  SinkRegistry registry;
  RegisterBuiltinSinks(registry);
  for (const std::string from : {"earshot@ops.example\r\nBcc: x@evil.example", "nobody"}) {
    Result<ConfiguredSink> sink = registry.Create(SinkConfig{
        "mail", "email",
        {{"url", "smtp://127.0.0.1:25"}, {"from", from}, {"to", "oncall@ops.example"}}});
    CHECK_FALSE(sink.ok());
    CHECK_THAT(sink.status().message(), Catch::Contains("option 'from'"));
  }
}

TEST_CASE("EmailSink: AUTH PLAIN/LOGIN with the right password, a wrong one is permanent",
          "[sinks]") {
  const std::string password = "Sm7pPassw0rdNeverShown";
  SmtpServer server(SmtpServer::Options{"earshot", password, false});
  REQUIRE(server.ok());
  EmailSinkConfig c = Config(server);
  c.username = "earshot";
  c.password = password;
  std::stop_source stop;
  {
    EmailSink sink(c, RealClock());
    DeliveryResult r = sink.Deliver(SampleEscalation(1), stop.get_token());
    INFO(r.detail);
    REQUIRE(r.delivered());
    REQUIRE(server.messages().size() == 1);
    CHECK(server.messages()[0].auth_user == "earshot");
  }
  {
    c.password = "Wr0ngPasswordAlsoSecret";
    EmailSink sink(c, RealClock());
    DeliveryResult r = sink.Deliver(SampleEscalation(2), stop.get_token());
    CHECK(r.kind == DeliveryResult::Kind::kPermanent);
    CHECK_THAT(r.detail, Catch::Contains("127.0.0.1"));
    CHECK_THAT(r.detail, !Catch::Contains(c.password));
    CHECK_THAT(r.detail, !Catch::Contains(password));
    CHECK(server.messages().size() == 1);
  }
  {
    EmailSinkConfig none = Config(server);  // no AUTH against a server that requires it
    EmailSink sink(none, RealClock());
    CHECK(sink.Deliver(SampleEscalation(3), stop.get_token()).kind ==
          DeliveryResult::Kind::kPermanent);
  }
}

TEST_CASE("EmailSink: 4xx replies are retried, 5xx replies are permanent", "[sinks]") {
  struct Case {
    SmtpServer::Stage stage;
    int code;
    DeliveryResult::Kind kind;
  };
  const Case cases[] = {
      {SmtpServer::Stage::kMailFrom, 421, DeliveryResult::Kind::kRetry},
      {SmtpServer::Stage::kMailFrom, 451, DeliveryResult::Kind::kRetry},
      {SmtpServer::Stage::kRcptTo, 450, DeliveryResult::Kind::kRetry},
      {SmtpServer::Stage::kData, 452, DeliveryResult::Kind::kRetry},
      {SmtpServer::Stage::kMailFrom, 553, DeliveryResult::Kind::kPermanent},
      {SmtpServer::Stage::kRcptTo, 550, DeliveryResult::Kind::kPermanent},
      {SmtpServer::Stage::kData, 554, DeliveryResult::Kind::kPermanent},
  };
  SmtpServer server;
  REQUIRE(server.ok());
  EmailSink sink(Config(server), RealClock());
  std::stop_source stop;
  for (const Case& c : cases) {
    INFO("stage " << static_cast<int>(c.stage) << " code " << c.code);
    server.FailAt(c.stage, c.code, "scripted");
    DeliveryResult r = sink.Deliver(SampleEscalation(1), stop.get_token());
    INFO(r.detail);
    CHECK(r.kind == c.kind);
    CHECK_THAT(r.detail, Catch::Contains("SMTP 127.0.0.1"));
  }
  CHECK(server.messages().empty());
  server.FailAt(SmtpServer::Stage::kNone, 0);
  CHECK(sink.Deliver(SampleEscalation(1), stop.get_token()).delivered());
  CHECK(server.messages().size() == 1);
}

TEST_CASE("EmailSink: refused connections are retried, starttls required needs STARTTLS",
          "[sinks]") {
  std::string url;
  {
    SmtpServer probe;  // learn a free port, then leave it closed
    REQUIRE(probe.ok());
    url = probe.url();
  }
  std::stop_source stop;
  SmtpServer server;
  REQUIRE(server.ok());
  EmailSinkConfig c = Config(server);
  c.url = url;
  {
    EmailSink sink(c, RealClock());
    CHECK(sink.Deliver(SampleEscalation(1), stop.get_token()).kind ==
          DeliveryResult::Kind::kRetry);
  }
  c = Config(server);
  c.starttls = "required";  // this server offers no STARTTLS: never send in the clear
  {
    EmailSink sink(c, RealClock());
    DeliveryResult r = sink.Deliver(SampleEscalation(1), stop.get_token());
    CHECK(r.kind == DeliveryResult::Kind::kPermanent);
    CHECK_THAT(r.detail, Catch::Contains("STARTTLS"));
  }
  CHECK(server.messages().empty());
}

TEST_CASE("Email under a runner: 451 then accepted, in order, the password is never logged",
          "[sinks]") {
  const std::string password = "Runn3rSmtpPasswordSecret";
  SinkTempDir dir;
  std::ofstream(dir.path() / "smtp-password") << password << "\n";
  SmtpServer server(SmtpServer::Options{"earshot", password, false});
  REQUIRE(server.ok());
  server.FailAt(SmtpServer::Stage::kMailFrom, 451, "greylisted, try again");

  auto opened = StateStore::Open(dir.path() / "earshot.db");
  REQUIRE(opened.ok());
  std::unique_ptr<StateStore> store = *std::move(opened);
  zmq::context_t context(1);
  auto publisher = bus::Publisher::Create(context, {});
  REQUIRE(publisher.ok());

  SinkRegistry registry;
  RegisterBuiltinSinks(registry);
  Result<ConfiguredSink> sink = registry.Create(SinkConfig{
      "mail", "email",
      {{"url", server.url()}, {"from", "earshot@ops.example"}, {"to", "oncall@ops.example"},
       {"username", "earshot"}, {"password_file", (dir.path() / "smtp-password").string()},
       {"starttls", "never"}, {"retry_initial", "10ms"}, {"retry_max", "50ms"}}});
  INFO(sink.status().ToString());
  REQUIRE(sink.ok());
  SinkRunnerOptions o;
  o.new_sink_starts_at_end = false;
  o.outbox_check_interval = milliseconds(100);

  std::string logs;
  bool retried = false, all = false;
  {
    CaptureStderr capture(dir.path() / "stderr.log");
    log::SetLevel(log::Level::kDebug);
    SinkRunner runner("mail", *std::move(sink), *store, context, o);
    runner.Start();
    std::vector<Escalation> es;
    for (uint64_t s = 1; s <= 5; ++s) es.push_back(SampleEscalation(s));
    const bool committed = CommitToOutbox(*store, es).ok();
    for (const Escalation& e : es) (void)(*publisher)->Publish(EscalationToJson(e));
    retried = committed && WaitFor([&] { return runner.retries() >= 2; });
    server.FailAt(SmtpServer::Stage::kNone, 0);
    all = WaitFor([&] { return runner.delivered() == 5; });
    runner.Join();
    log::SetLevel(log::Level::kInfo);
    logs = capture.Restore();
  }
  REQUIRE(retried);
  REQUIRE(all);
  std::vector<std::string> ids;
  for (const auto& m : server.messages()) ids.push_back(HeaderOf(m.data, "Message-ID"));
  std::vector<std::string> expected;
  for (uint64_t s = 1; s <= 5; ++s) {
    expected.push_back("<" + SampleEscalation(s).incident_id + "." + std::to_string(s) +
                       "@earshot>");
  }
  CHECK(ids == expected);
  CHECK(store->ListDeadLetters("mail")->empty());
  CHECK_THAT(logs, Catch::Contains("451"));
  CHECK_THAT(logs, !Catch::Contains(password));
}

}  // namespace
}  // namespace earshot
