#include "daemon/app/build_source.h"

#include <fmt/format.h>

#include "daemon/sources/source_registry.h"

namespace earshot {

Result<BuiltSource> BuildSource(const SourceSettings& s, const std::string& user_agent,
                                RateBudgetRegistry* budgets) {
  const SourceFactory* factory = BuiltinSources().Find(s.type);
  if (factory == nullptr) {
    return Status::InvalidArgument(fmt::format("unknown source type '{}'", s.type));
  }
  SourceEnv env;
  env.user_agent = user_agent;
  env.version = EARSHOT_VERSION;
  env.budget = budgets ? budgets->For(s) : nullptr;
  return factory->Create(s, env);
}

}  // namespace earshot
