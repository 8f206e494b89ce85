// The Bluesky firehose: every public post of the network from a Jetstream instance, filtered
// locally. No credential and no quota.
#pragma once

#include <memory>

#include "daemon/sources/source_factory.h"

namespace earshot {

std::unique_ptr<SourceFactory> NewJetstreamSourceFactory();

}  // namespace earshot
