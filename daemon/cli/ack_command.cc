#include "daemon/cli/ack_command.h"

#include "daemon/cli/incident_action.h"

namespace earshot {

int RunAckOnStore(const std::vector<std::string>& args, OperatorStore& store, Clock& clock,
                  std::ostream& out, std::ostream& err) {
  return RunIncidentAction(
      args, "ack", "acknowledged",
      [&](const std::string& id, const std::string& by) {
        return store.AcknowledgeIncident(id, by, clock.Now());
      },
      out, err);
}

}  // namespace earshot
