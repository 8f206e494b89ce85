// The earshot.yaml loader on any file: it never crashes, returns a config exactly when it
// reported no error (config_loader.h), and reports the same problems every time.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "daemon/app/config_loader.h"
#include "fuzz/fuzz_check.h"

namespace {

// The loader reads a path (relative paths resolve against its directory), so each input is
// written to a private directory that holds nothing else.
std::filesystem::path ConfigPath() {
  static const std::filesystem::path path = [] {
    std::string dir = (std::filesystem::temp_directory_path() / "earshot-fuzz-config-XXXXXX").string();
    FUZZ_CHECK(mkdtemp(dir.data()) != nullptr, "a private directory for the input");
    return std::filesystem::path(dir) / "earshot.yaml";
  }();
  return path;
}

std::string Load(const std::filesystem::path& path, bool* ok) {
  earshot::Diagnostics diags;
  auto config = earshot::LoadAppConfig(path, &diags);
  *ok = config.ok();
  FUZZ_CHECK(config.ok() == !diags.has_errors(),
             "the config is returned exactly when no error was reported");
  for (const auto& d : diags.all()) {
    FUZZ_CHECK(!d.message.empty(), "every diagnostic says what is wrong");
    FUZZ_CHECK(d.line >= 0 && d.column >= 0, "positions are 1-based or unknown");
  }
  return diags.ToText();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto path = ConfigPath();
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  bool first_ok = false, second_ok = false;
  const std::string first = Load(path, &first_ok);
  const std::string second = Load(path, &second_ok);
  FUZZ_CHECK(first_ok == second_ok && first == second, "the same file loads the same way");
  return 0;
}
