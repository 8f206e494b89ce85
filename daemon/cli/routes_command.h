#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace earshot {

// `earshot routes test --config FILE [--at 2026-11-23T23:00:00Z] LABEL=VALUE...`: prints the
// receivers the labels reach, one per line ("oncall: pagerduty, slack-oncall"), and for quiet
// hours "(quiet hours)", each with its route's line and timing ("group_wait 30s, group_interval
// 5m, repeat_interval 4h"); a last line says which timing an incident with these labels uses.
// `args` are the words after `routes`. Returns 0 when printed, 1 when the config has problems
// (printed to `err` as file:line:col), 2 on a usage error.
int RunRoutesCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace earshot
