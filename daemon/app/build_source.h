// BuildSource: turns one `sources:` entry into its network's Source, through the factory its
// `type:` names (daemon/sources/source_registry.h), on the shared rate budget of its
// credential. The app knows no network by name.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "daemon/app/app_config.h"
#include "daemon/app/rate_budgets.h"
#include "daemon/base/result.h"
#include "daemon/sources/source_factory.h"

namespace earshot {

// kInvalidArgument naming the field when the network's source refuses the settings, or the
// type is unknown. With `budgets`, the source paces with the other sources of its credential
// (rate_budgets.h); without, on a budget of its own.
Result<BuiltSource> BuildSource(const SourceSettings& settings, const std::string& user_agent,
                                RateBudgetRegistry* budgets = nullptr);

}  // namespace earshot
