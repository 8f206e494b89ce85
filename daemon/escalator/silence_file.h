// The silences file: silences kept in version control next to earshot.yaml
// (`escalation: { silences_file: silences.yaml }`), read strictly at start and on every reload.
// A file silence mutes exactly as a stored one (`earshot silence add`) does: the escalator's
// silence list is the union of both. The file has no "now", so an entry gives its window as
// absolute times:
//
//   - matchers: ['brand="acmeair"', 'rule=~"lost-.*"']   # one or more LabelMatchers strings
//     starts_at: 2026-11-22T08:00:00Z                     # optional: active from the start
//     ends_at: 2026-11-22T18:00:00Z                       # required
//     comment: baggage system migration, handled by ops   # required: why
//     created_by: ops                                     # optional
//
// An entry's id is "file:<name>:<line>" (the file as earshot.yaml names it, the entry's first
// line), so an incident's history names the entry that muted it, and ids never collide with the
// store's "sil-N". An entry whose end has passed is kept out of the list with a warning, so the
// file gets cleaned.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/base/clock.h"
#include "daemon/config/diagnostics.h"
#include "daemon/escalator/label_matcher.h"

namespace earshot {

struct FileSilence {
  std::string id;          // "file:silences.yaml:12"
  LabelMatchers matchers;  // parsed once; matchers.ToString() is the canonical text
  SystemTime starts_at{};  // the epoch when the entry gives none
  SystemTime ends_at{};
  std::string comment;
  std::string created_by;  // "" when the entry gives none

  bool ActiveAt(SystemTime now) const { return starts_at <= now && now < ends_at; }
};

// The prefix of every file silence id: `earshot silence expire` refuses them.
inline constexpr std::string_view kFileSilencePrefix = "file:";

// Reads the silences file at `path`. `name` is the file as earshot.yaml names it (it makes the
// ids); diagnostics are reported under `path`. An empty file holds no silences. Entries that
// ended before `now` are left out with a warning. Returns nullopt when the file has any error,
// after reporting every one of them at file:line:col with the fix.
std::optional<std::vector<FileSilence>> LoadSilenceFile(const std::filesystem::path& path,
                                                        std::string_view name, SystemTime now,
                                                        Diagnostics* diags);

}  // namespace earshot
