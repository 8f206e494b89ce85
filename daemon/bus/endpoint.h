// Bus endpoints: where escalations are published. Built-in sinks subscribe in-process on
// kInprocEndpoint; outside subscribers (`earshot tail`, a Python script) connect to the one
// external endpoint the operator configures. docs/bus.md documents both and the wire format.
#pragma once

#include <string_view>

#include "daemon/base/status.h"

namespace earshot::bus {

// Every Publisher binds this; every SinkRunner connects to it. Unique per zmq::context_t.
inline constexpr std::string_view kInprocEndpoint = "inproc://earshot-escalations";

// The default external endpoint `earshot tail` connects to. systemd's RuntimeDirectory=earshot
// creates /run/earshot with the service's owner, so the socket file's mode limits who listens.
inline constexpr std::string_view kDefaultExternalEndpoint = "ipc:///run/earshot/escalations.sock";

// The multipart message's first frame. Subscribers subscribe to exactly this topic.
inline constexpr std::string_view kTopic = "esc";

// Checks an external endpoint before any socket exists, so `earshot check` can report it:
// `ipc://<absolute path>`, or `tcp://` on a loopback address (127.0.0.1, [::1], localhost) with
// a port or `*`. Escalations name customers and their posts, so earshot never publishes them
// beyond the machine; the message says how to reach it from elsewhere (an SSH tunnel).
Status ValidateExternalEndpoint(std::string_view endpoint);

}  // namespace earshot::bus
