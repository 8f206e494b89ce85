// EmailSink (`type: email`): sends each escalation as a plain-text email over SMTP with libcurl:
// STARTTLS (required by default), AUTH when a username is set, one message to every address in
// `to`. The body is the console sink's readable text plus the incident id; the Message-ID is
// derived from (incident id, seq), so a receiving system can drop a resent duplicate.
//
// SMTP replies map to the runner's outcomes: 4xx and connection failures are retried; 5xx (a
// refused recipient, a rejected login) and a server without STARTTLS when it is required are
// permanent.
//
// Owned by its SinkRunner; Deliver from its thread only (the curl handle is that thread's).
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "daemon/base/clock.h"
#include "sinks/sink.h"

namespace earshot {

struct EmailSinkConfig {
  std::string name;
  std::string url;  // smtp://host:587 (STARTTLS) or smtps://host:465
  std::string from;
  std::vector<std::string> to;
  std::string username;
  std::string password;                // secret
  std::string starttls = "required";   // required | try | never
  std::chrono::milliseconds timeout{30000};
};

// The RFC 5322 message (CRLF line ends) for `e`.
std::string EmailMessage(const EmailSinkConfig& config, const Escalation& e, SystemTime now);

class EmailSink final : public Sink {
 public:
  EmailSink(EmailSinkConfig config, Clock& clock);
  ~EmailSink() override;
  DeliveryResult Deliver(const Escalation& e, std::stop_token stop) override;

 private:
  const EmailSinkConfig config_;
  Clock& clock_;
  void* curl_ = nullptr;  // CURL*, reused so the connection can be too
};

// Options: url, from, to (list) required; username, password (secret), starttls, timeout.
std::unique_ptr<SinkFactory> NewEmailSinkFactory();

}  // namespace earshot
