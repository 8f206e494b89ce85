// The X network: API v2 recent search for a query, or one account's mention timeline
// (`mode: poll`); or the filtered stream with the query as its rule (`mode: stream`).
#pragma once

#include <memory>

#include "daemon/sources/source_factory.h"

namespace earshot {

std::unique_ptr<SourceFactory> NewXSourceFactory();

}  // namespace earshot
