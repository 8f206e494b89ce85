// The console's static files (daemon/console/assets/), compiled into the binary at build time
// (cmake/embed_assets.cmake), so earshot serves its pages with nothing installed beside it.
#pragma once

#include <string_view>

namespace earshot {

struct ConsoleAsset {
  std::string_view name;          // "incidents.html", "console.js"
  std::string_view content_type;  // "text/html; charset=utf-8"
  std::string_view body;
};

// The asset called `name`, or nullptr.
const ConsoleAsset* FindConsoleAsset(std::string_view name);

}  // namespace earshot
