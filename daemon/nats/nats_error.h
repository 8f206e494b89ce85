// Turns libnats' natsStatus (and JetStream's API error code) into earshot's Status, with the
// library's own words and what earshot was doing, so a log line says which call failed and why.
#pragma once

#include <nats/nats.h>

#include <string_view>

#include "daemon/base/status.h"

namespace earshot::nats {

// `what` names the operation ("publish to earshot.state.log", "KV earshot_leases create
// source.x"). A revision or sequence check that lost (JSStreamWrongLastSequenceErr, a KV create
// on a key that exists) is kAborted; a timeout kDeadlineExceeded; no server or no JetStream
// kUnavailable (so are too few servers to place a replicated stream or bucket: retry); a
// missing stream, consumer or key kNotFound; the rest kInternal.
Status FromNats(natsStatus s, std::string_view what, jsErrCode js_code = static_cast<jsErrCode>(0));

}  // namespace earshot::nats
