// What this binary is: its version, the source revision it was built from, and when. Shown by
// `earshot version` and exported as earshot_build_info{version,revision} so a fleet can be
// audited for the build it runs.
#pragma once

#include <string_view>

namespace earshot {

std::string_view BuildVersion();   // "0.1.0", from project() in CMakeLists.txt
std::string_view BuildRevision();  // short git commit, "-dirty" when built from edits, or "unknown"
// The build date as YYYY-MM-DD (UTC): $SOURCE_DATE_EPOCH when set, so package builds are
// reproducible, otherwise the day the build tree was configured.
std::string_view BuildDate();

}  // namespace earshot
