// How "answer in minutes" went in `earshot demo`: which incidents a staff reply answered (and
// after how long), and which went unanswered long enough to reach a level's receiver. Read from
// what the sinks wrote, so that the demo's closing summary states what happened rather than what
// the script hoped for; a run in which either path failed says so.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/base/result.h"
#include "daemon/model/escalation.h"

namespace earshot {

// The escalations of a JSONL file the file sink wrote, in file order; none when there is no
// such file (its sink never had anything to write).
Result<std::vector<Escalation>> ReadEscalationFile(const std::filesystem::path& path);

// One line per outcome, for example
//   answered    inc-354b8fdc49a58d92  @gus@mastodon.example: answered by @acmeair_care after 3s, which resolved it
//   unanswered  inc-477238c8348db732  u/suitcase_sam: unanswered for 3s (level 1), so team-lead heard too
// `seen` is what the support receiver got (the answered resolves); `heard` what `receiver`
// got (the levels' updates). A path with nothing to show gets a line that says so.
std::string AnswerOutcomes(const std::vector<Escalation>& seen,
                           const std::vector<Escalation>& heard, std::string_view receiver);

}  // namespace earshot
