// The demo's scripted morning at AcmeAir: the posts `earshot demo` publishes on its fake
// Mastodon, one after another, and what on-call staff should see because of them.
#pragma once

#include <string>
#include <vector>

namespace earshot {

struct ScriptedPost {
  int delay_ms;              // pause before this post appears
  std::string acct;          // "jane@travel.example" (remote) or "gus" (local)
  std::string display_name;
  int64_t followers;
  std::string html;          // Mastodon `content`
  std::vector<std::string> tags;      // without '#'
  std::vector<std::string> mentions;  // accts
  int reply_to = -1;         // index of an earlier scripted post this replies to, -1 for none
  std::string expect;        // what the demo promises: shown in its closing summary
};

// The brand the scenario is about; the demo config lists it in `brands:`.
inline constexpr const char* kDemoBrand = "AcmeAir";
// The brand's customer care account on the fake Mastodon, local to it: the demo config lists
// it in `escalation.staff_authors`, so its reply in a thread is the incident's first response.
inline constexpr const char* kDemoStaffAccount = "acmeair_care";

std::vector<ScriptedPost> DemoScenario();

}  // namespace earshot
