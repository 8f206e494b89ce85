#include "daemon/cli/config_arg.h"

#include <fmt/format.h>

#include <ostream>
#include <utility>

#include "daemon/app/config_loader.h"

namespace earshot {
namespace {

constexpr const char* kDefaultConfig = "/etc/earshot/earshot.yaml";
}  // namespace

std::optional<AppConfig> LoadConfigArg(std::string_view command,
                                       const std::vector<std::string>& args,
                                       std::vector<std::string>* rest, std::ostream& err) {
  std::string config_path = kDefaultConfig;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--config" && i + 1 < args.size()) {
      config_path = args[++i];
    } else {
      rest->push_back(args[i]);
    }
  }
  Diagnostics diags;
  auto config = LoadAppConfig(config_path, &diags);
  if (!config.ok()) {
    for (const Diagnostic& d : diags.all()) err << d.ToString() << "\n";
    err << fmt::format("earshot {}: {}\n", command, config.status().message());
    return std::nullopt;
  }
  return *std::move(config);
}

}  // namespace earshot
