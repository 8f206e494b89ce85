// What `earshot ack` and `earshot resolve` share: `INCIDENT_ID [--by NAME]`, one store call, and
// "inc-... <done> by NAME". The console's actions make the same store calls.
#pragma once

#include <functional>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/base/status.h"

namespace earshot {

// `command` names it in messages ("ack"), `done` in the confirmation ("acknowledged"); `act`
// makes the store call for the id and the name. NAME defaults to $USER: the receivers read who
// it was. Returns 0 when done, 1 when the store refuses or fails, 2 on a usage error (every
// message names the argument and the fix).
int RunIncidentAction(const std::vector<std::string>& args, std::string_view command,
                      std::string_view done,
                      const std::function<Status(const std::string& id, const std::string& by)>& act,
                      std::ostream& out, std::ostream& err);

}  // namespace earshot
