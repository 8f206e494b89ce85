#include "daemon/nats/nats_error.h"

#include <fmt/format.h>

#include <string>

namespace earshot::nats {

Status FromNats(natsStatus s, std::string_view what, jsErrCode js_code) {
  if (s == NATS_OK) return Status::Ok();
  // The thread's last error carries the server's own text ("wrong last sequence: 7").
  const char* detail = nats_GetLastError(nullptr);
  std::string text = natsStatus_GetText(s);
  if (detail != nullptr && *detail != '\0' && text.find(detail) == std::string::npos) {
    text = fmt::format("{}: {}", text, detail);
  }
  const std::string message = js_code != 0 ? fmt::format("{}: {} (JetStream error {})", what, text,
                                                         static_cast<int>(js_code))
                                           : fmt::format("{}: {}", what, text);
  const std::string_view d = detail != nullptr ? detail : "";
  if (js_code == JSStreamWrongLastSequenceErr || d.find("wrong last sequence") != d.npos ||
      d.find("key exists") != d.npos) {
    return Status::Aborted(message);
  }
  switch (s) {
    case NATS_TIMEOUT:
      return Status::DeadlineExceeded(message);
    case NATS_NO_SERVER:
    case NATS_CONNECTION_CLOSED:
    case NATS_CONNECTION_DISCONNECTED:
    case NATS_STALE_CONNECTION:
    case NATS_NO_RESPONDERS:
    case NATS_IO_ERROR:
    case NATS_NO_SERVER_SUPPORT:
      return Status::Unavailable(message);
    case NATS_NOT_FOUND:
      return Status::NotFound(message);
    case NATS_CONNECTION_AUTH_FAILED:
    case NATS_NOT_PERMITTED:
      return Status::PermissionDenied(message);
    default:
      break;
  }
  if (js_code == JSStreamNotFoundErr || js_code == JSConsumerNotFoundErr) {
    return Status::NotFound(message);
  }
  // Too few servers up to place (or serve) the replicas: the cluster may heal, so the caller
  // should retry rather than give up. KV calls give no code, only the server's text.
  if (js_code == JSNotEnabledErr || js_code == JSNotEnabledForAccountErr ||
      js_code == JSClusterNotAvailErr || js_code == JSStreamOfflineErr ||
      js_code == JSClusterNoPeersErr || d.find("no suitable peers") != d.npos) {
    return Status::Unavailable(message);
  }
  return Status::Internal(message);
}

}  // namespace earshot::nats
