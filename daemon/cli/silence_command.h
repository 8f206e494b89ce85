// `earshot silence add|list|expire`: manage silences in the state store. The running daemon
// re-reads active silences every second, so a silence takes effect without a reload. Safe to run
// while the daemon runs (SQLite WAL + busy_timeout serialise the writes).
//
//   earshot silence add MATCHER... (--for 2h | --until 2026-11-22T18:00:00Z) [--comment TEXT] [--by NAME]
//   earshot silence list [--all]
//   earshot silence expire ID
//
// `list` shows the silences file's entries too (silence_file.h), after the store's, marked
// "(from FILE)"; `expire` refuses them (the file is their only source of truth: edit it, then
// reload).
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "daemon/base/clock.h"
#include "daemon/escalator/silence_file.h"
#include "daemon/state/operator_store.h"

namespace earshot {

// `args` are the words after `silence`. `file_silences` are the silences file's entries (as
// LoadSilenceFile read them) and `file_name` the file as earshot.yaml names it; none when the
// config sets no silences_file. Returns 0 on success, 1 when the store fails, 2 on a usage error
// (every message names the argument and the fix).
int RunSilenceOnStore(const std::vector<std::string>& args, OperatorStore& store, Clock& clock,
                      std::ostream& out, std::ostream& err,
                      const std::vector<FileSilence>& file_silences = {},
                      std::string_view file_name = {});

// Parses "90s", "30m", "2h", "1d" (a positive whole number and a unit).
std::optional<std::chrono::seconds> ParseShortDuration(std::string_view text);

}  // namespace earshot
