#include "daemon/cli/resolve_command.h"

#include <fmt/format.h>

#include <cstdlib>
#include <ostream>

namespace earshot {
namespace {

constexpr const char* kUsage = "usage: earshot resolve INCIDENT_ID [--by NAME]\n";

int Usage(std::ostream& err, std::string_view message) {
  err << "earshot resolve: " << message << "\n" << kUsage;
  return 2;
}

}  // namespace

int RunResolveOnStore(const std::vector<std::string>& args, OperatorStore& store, Clock& clock,
                      std::ostream& out, std::ostream& err) {
  std::string id;
  // As `earshot ack`: the receivers read who it was, so the default is the login, not nobody.
  const char* user = std::getenv("USER");
  std::string by = user != nullptr && *user != '\0' ? user : "earshot";
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--by") {
      if (i + 1 >= args.size() || args[i + 1].empty()) return Usage(err, "--by needs a name");
      by = args[++i];
    } else if (a.starts_with("--")) {
      return Usage(err, fmt::format("unknown option '{}'", a));
    } else if (!id.empty()) {
      return Usage(err, fmt::format("'{}': one incident id at a time", a));
    } else {
      id = a;
    }
  }
  if (id.empty()) {
    return Usage(err, "which incident? give its id (inc-...), see `earshot incidents`");
  }
  if (Status s = store.ResolveIncident(id, by, clock.Now()); !s.ok()) {
    err << "earshot resolve: " << s.message() << "\n";
    return 1;
  }
  out << fmt::format("{} resolved by {}\n", id, by);
  return 0;
}

}  // namespace earshot
