// SqliteDb: one SQLite connection with RAII for the sqlite3* and its prepared statements, a
// statement cache keyed by SQL text, and the translation of SQLite result codes into Status
// messages that name the database path, the operation and SQLite's own words.
//
// Owned by StateStore::Impl. Thread-compatible, not thread-safe: the store serialises every call
// behind its mutex. The connection is opened with SQLITE_OPEN_NOMUTEX for that reason.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "daemon/base/result.h"
#include "daemon/base/status.h"

namespace earshot::state {

// A cached prepared statement in use: binds by 1-based index, steps, reads columns, and resets
// itself (clearing bindings) when it goes out of scope so the cache can hand it out again.
class Query {
 public:
  Query(class SqliteDb& db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  ~Query();
  Query(const Query&) = delete;
  Query& operator=(const Query&) = delete;

  Query& Bind(int index, int64_t value);
  Query& Bind(int index, double value);
  Query& Bind(int index, std::string_view value);  // copied by SQLite (SQLITE_TRANSIENT)
  Query& BindOptional(int index, const std::optional<std::string>& value);
  Query& BindNull(int index);

  // Runs one step: true when a row is ready, false when done. The error names `what`.
  Result<bool> Step(std::string_view what);
  // Runs to completion, for statements without rows.
  Status Run(std::string_view what);

  int64_t Int(int col) const { return sqlite3_column_int64(stmt_, col); }
  double Double(int col) const { return sqlite3_column_double(stmt_, col); }
  bool IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  std::string Text(int col) const;

 private:
  SqliteDb& db_;
  sqlite3_stmt* stmt_;
  int bind_error_ = SQLITE_OK;  // the first failed bind, reported by Step
};

class SqliteDb {
 public:
  // Opens or creates `path` read-write. The Status carries the path and SQLite's message.
  static Result<std::unique_ptr<SqliteDb>> Open(const std::string& path);
  ~SqliteDb();
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;

  // Runs one or more statements without parameters (pragmas, DDL, BEGIN/COMMIT).
  Status Exec(std::string_view sql, std::string_view what);
  // A cached statement for `sql` (prepared once per connection).
  Result<std::unique_ptr<Query>> Prepare(std::string_view sql);

  // The Status for result code `rc` of operation `what`: the code follows the failure (a full
  // disk is kResourceExhausted, a read-only file kPermissionDenied, a corrupt file kDataLoss,
  // a lock held elsewhere kUnavailable) and the message ends with the fix.
  Status Error(int rc, std::string_view what) const;

  const std::string& path() const { return path_; }
  sqlite3* raw() { return db_.get(); }

 private:
  struct CloseDb {
    void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
  };
  struct Finalize {
    void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
  };

  SqliteDb(std::string path, sqlite3* db) : path_(std::move(path)), db_(db) {}

  std::string path_;
  // Statements are declared after the connection so they are finalized before it closes.
  std::unique_ptr<sqlite3, CloseDb> db_;
  std::unordered_map<std::string, std::unique_ptr<sqlite3_stmt, Finalize>> statements_;
};

// BEGIN IMMEDIATE on construction (so a second writer waits on busy_timeout at the start, never
// half-way), ROLLBACK on destruction unless Commit() succeeded: nothing is ever half-written.
class Transaction {
 public:
  explicit Transaction(SqliteDb& db) : db_(db) {}
  ~Transaction();
  Status Begin(std::string_view what);
  Status Commit(std::string_view what);

 private:
  SqliteDb& db_;
  bool open_ = false;
};

}  // namespace earshot::state
