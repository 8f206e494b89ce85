#include "daemon/base/build_info.h"

#include "build_info_values.h"  // generated into the build tree by cmake/write_build_info.cmake

namespace earshot {

std::string_view BuildVersion() { return EARSHOT_BUILD_VERSION; }
std::string_view BuildRevision() { return EARSHOT_BUILD_REVISION; }
std::string_view BuildDate() { return EARSHOT_BUILD_DATE; }

}  // namespace earshot
