#include "daemon/cli/incident_action.h"

#include <fmt/format.h>

#include <cstdlib>
#include <ostream>

namespace earshot {

int RunIncidentAction(const std::vector<std::string>& args, std::string_view command,
                      std::string_view done,
                      const std::function<Status(const std::string& id, const std::string& by)>& act,
                      std::ostream& out, std::ostream& err) {
  auto usage = [&](std::string_view message) {
    err << fmt::format("earshot {}: {}\nusage: earshot {} INCIDENT_ID [--by NAME]\n", command,
                       message, command);
    return 2;
  };
  std::string id;
  const char* user = std::getenv("USER");
  std::string by = user != nullptr && *user != '\0' ? user : "earshot";
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--by") {
      if (i + 1 >= args.size() || args[i + 1].empty()) return usage("--by needs a name");
      by = args[++i];
    } else if (a.starts_with("--")) {
      return usage(fmt::format("unknown option '{}'", a));
    } else if (!id.empty()) {
      return usage(fmt::format("'{}': one incident id at a time", a));
    } else {
      id = a;
    }
  }
  if (id.empty()) return usage("which incident? give its id (inc-...), see `earshot incidents`");
  if (Status s = act(id, by); !s.ok()) {
    err << fmt::format("earshot {}: {}\n", command, s.message());
    return 1;
  }
  out << fmt::format("{} {} by {}\n", id, done, by);
  return 0;
}

}  // namespace earshot
