#include "daemon/cli/tail_command.h"

#include <fmt/format.h>

#include <ostream>
#include <zmq.hpp>

#include "daemon/bus/endpoint.h"
#include "daemon/bus/subscriber.h"
#include "sinks/console_sink.h"
#include "daemon/model/escalation_json.h"

namespace earshot {
namespace {

constexpr const char* kUsage =
    "usage: earshot tail [ENDPOINT] [--json] [--color]\n"
    "  ENDPOINT  the daemon's bus endpoint (bus.endpoint in earshot.yaml);\n"
    "            default ipc:///run/earshot/escalations.sock\n"
    "  --json    print each escalation's wire JSON on one line (for jq)\n"
    "  --color   colour the readable form\n";

}  // namespace

int RunTailUntilStopped(const std::vector<std::string>& args, std::stop_token stop,
                        std::ostream& out, std::ostream& err) {
  std::string endpoint;
  bool json = false, color = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--json") {
      json = true;
    } else if (a == "--color") {
      color = true;
    } else if (a == "--endpoint" && i + 1 < args.size()) {
      endpoint = args[++i];
    } else if (a == "-h" || a == "--help") {
      out << kUsage;
      return 0;
    } else if (!a.empty() && a[0] != '-' && endpoint.empty()) {
      endpoint = a;
    } else {
      err << fmt::format("earshot tail: unexpected argument '{}'\n{}", a, kUsage);
      return 2;
    }
  }
  if (endpoint.empty()) endpoint = std::string(bus::kDefaultExternalEndpoint);
  if (Status s = bus::ValidateExternalEndpoint(endpoint); !s.ok()) {
    err << "earshot tail: " << s.message() << "\n";
    return 2;
  }

  zmq::context_t context(1);
  Result<std::unique_ptr<bus::Subscriber>> sub = bus::Subscriber::Create(context, endpoint);
  if (!sub.ok()) {
    err << "earshot tail: " << sub.status().message() << "\n";
    return 2;
  }
  err << fmt::format("earshot tail: listening on {} (Ctrl-C to stop)\n", endpoint);
  err.flush();
  uint64_t last_seq = 0;
  while (!stop.stop_requested()) {
    Result<std::optional<std::string>> msg =
        (*sub)->Receive(stop, std::chrono::milliseconds(500));
    if (!msg.ok()) {
      err << "earshot tail: " << msg.status().message() << "\n";
      return 1;
    }
    if (!msg->has_value()) continue;
    Result<Escalation> e = EscalationFromJson(**msg);
    if (!e.ok()) {
      err << "earshot tail: skipping an unreadable message: " << e.status().message() << "\n";
      continue;
    }
    if (last_seq != 0 && e->seq > last_seq + 1) {
      err << fmt::format("earshot tail: missed seq {}..{} (the bus dropped them; the daemon's "
                         "sinks catch up from the outbox)\n",
                         last_seq + 1, e->seq - 1);
    }
    last_seq = e->seq;
    if (json) {
      out << **msg << '\n';
    } else {
      out << FormatEscalationText(*e, color) << '\n';
    }
    out.flush();
  }
  return 0;
}

}  // namespace earshot
