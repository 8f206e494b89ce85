// The state store's schema as an ordered list of migrations. Migration i (1-based) takes a
// database from version i-1 to version i; each runs in its own transaction together with the
// version bump, so an interrupted upgrade leaves the file at the last complete version.
// Append new migrations; never edit a released one.
#pragma once

#include <string_view>
#include <vector>

#include "daemon/base/status.h"
#include "daemon/state/sqlite_db.h"

namespace earshot::state {

const std::vector<std::string_view>& Migrations();

// Brings the database to the newest version. A file written by a newer earshot (a version this
// build does not know) is refused rather than guessed at.
Status Migrate(SqliteDb& db);

// The version recorded in the file, 0 for a new file.
Result<int> ReadSchemaVersion(SqliteDb& db);

}  // namespace earshot::state
