#include "daemon/cli/resolve_command.h"

#include "daemon/cli/incident_action.h"

namespace earshot {

int RunResolveOnStore(const std::vector<std::string>& args, OperatorStore& store, Clock& clock,
                      std::ostream& out, std::ostream& err) {
  return RunIncidentAction(
      args, "resolve", "resolved",
      [&](const std::string& id, const std::string& by) {
        return store.ResolveIncident(id, by, clock.Now());
      },
      out, err);
}

}  // namespace earshot
