// The demo's answer policy: response targets and a routing tree with one unanswered level, as
// an operator writes them in earshot.yaml, so that `earshot demo` shows what happens to a
// complaint nobody answers. Support (the console and the archive) hears everything; the team
// lead, a sink of its own, hears a lost bag still unanswered a few seconds after its page.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "daemon/app/app_config.h"
#include "daemon/base/result.h"

namespace earshot {

// The receiver the unanswered level adds, and the sink that is its pager in the demo.
inline constexpr const char* kDemoLevelReceiver = "team-lead";
inline constexpr const char* kDemoLevelSink = "team-lead";
// `earshot demo --serve`'s on-call pager (demo_pager.h), which support's receiver then pages too.
inline constexpr std::string_view kDemoPagerSink = "oncall-pager";

// The file sink team-lead's pager writes, one escalation per line.
std::filesystem::path DemoLevelFile(const std::filesystem::path& state_dir);

// Sets `response:` and `routes:` on `config` (whose sinks must include "console", "archive" and
// kDemoLevelSink, and kDemoPagerSink when `with_pager`) and the escalator's copies of them. An
// error only if the text below no longer reads: a bug, reported with the diagnostics.
Status ApplyDemoRouting(AppConfig& config, bool with_pager = false);

}  // namespace earshot
