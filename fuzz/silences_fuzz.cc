// The silences file and the label matchers its entries hold. Entries keep silence_file.h's
// contract, and a matcher list prints back (ToString, "the canonical text") to text that parses
// to the same list.
#include <unistd.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "daemon/escalator/silence_file.h"
#include "fuzz/fuzz_check.h"

namespace {

std::filesystem::path SilencesPath() {
  static const std::filesystem::path path = [] {
    std::string dir =
        (std::filesystem::temp_directory_path() / "earshot-fuzz-silences-XXXXXX").string();
    FUZZ_CHECK(mkdtemp(dir.data()) != nullptr, "a private directory for the input");
    return std::filesystem::path(dir) / "silences.yaml";
  }();
  return path;
}

void CheckRoundTrip(const earshot::LabelMatchers& m) {
  const std::string canonical = m.ToString();
  auto again = earshot::LabelMatchers::Parse(canonical);
  FUZZ_CHECK(again.ok(), "the canonical text of a matcher list parses");
  FUZZ_CHECK(again->ToString() == canonical, "the canonical text prints back unchanged");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  // The input as one matcher list, as `earshot silence add` and routes take them.
  if (auto m = earshot::LabelMatchers::Parse(text); m.ok()) CheckRoundTrip(*m);

  // The input as a silences file.
  const auto path = SilencesPath();
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(text.data(), static_cast<std::streamsize>(size));
  }
  // 2026-11-22T12:00:00Z: inside the windows the seeds use.
  const earshot::SystemTime now{std::chrono::seconds(1795348800)};
  earshot::Diagnostics diags;
  const auto silences = earshot::LoadSilenceFile(path, "silences.yaml", now, &diags);
  FUZZ_CHECK(silences.has_value() == !diags.has_errors(),
             "the file loads exactly when no error was reported");
  if (!silences) return 0;
  for (const auto& s : *silences) {
    FUZZ_CHECK(s.id.rfind("file:silences.yaml:", 0) == 0, "ids are file:<name>:<line>");
    FUZZ_CHECK(!s.matchers.empty(), "an entry has one or more matchers");
    FUZZ_CHECK(!s.comment.empty(), "an entry says why");
    FUZZ_CHECK(s.ends_at >= now, "an entry that ended is left out");
    CheckRoundTrip(s.matchers);
  }
  return 0;
}
