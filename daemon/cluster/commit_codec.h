// The escalator leader's commits as the state log carries them (docs/cluster.md): every node
// decodes each one and applies it to its own copy of the state with IncidentStore::Commit, so
// the encoding keeps every field of the commit and of each record in it, exactly.
//
// One JSON object per commit, format version 1 ("v":1); message_writer.h says how each kind of
// value is written. Strings are kept byte for byte when they are valid UTF-8 (everything earshot
// stores is: the sources scrub what they fetch); an invalid byte becomes U+FFFD.
#pragma once

#include <string>
#include <string_view>

#include "daemon/base/result.h"
#include "daemon/state/incident_store.h"

namespace earshot::cluster {

std::string EncodeCommit(const EscalatorCommit& commit);
// kDataLoss naming the field (and its path: "incidents[1].labels") for anything that is not a
// commit of format version 1: not JSON, another version, a field missing or of another type,
// an unknown enum name.
Result<EscalatorCommit> DecodeCommit(std::string_view json);

}  // namespace earshot::cluster
