#include "daemon/state/sqlite_db.h"

#include <fmt/format.h>

namespace earshot::state {

Query::~Query() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

Query& Query::Bind(int index, int64_t value) {
  int rc = sqlite3_bind_int64(stmt_, index, value);
  if (rc != SQLITE_OK && bind_error_ == SQLITE_OK) bind_error_ = rc;
  return *this;
}

Query& Query::Bind(int index, double value) {
  int rc = sqlite3_bind_double(stmt_, index, value);
  if (rc != SQLITE_OK && bind_error_ == SQLITE_OK) bind_error_ = rc;
  return *this;
}

Query& Query::Bind(int index, std::string_view value) {
  // A default-constructed string_view has a null data(), which SQLite would bind as NULL.
  const char* data = value.data() != nullptr ? value.data() : "";
  int rc = sqlite3_bind_text64(stmt_, index, data, value.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  if (rc != SQLITE_OK && bind_error_ == SQLITE_OK) bind_error_ = rc;
  return *this;
}

Query& Query::BindOptional(int index, const std::optional<std::string>& value) {
  return value ? Bind(index, std::string_view(*value)) : BindNull(index);
}

Query& Query::BindNull(int index) {
  int rc = sqlite3_bind_null(stmt_, index);
  if (rc != SQLITE_OK && bind_error_ == SQLITE_OK) bind_error_ = rc;
  return *this;
}

Result<bool> Query::Step(std::string_view what) {
  if (bind_error_ != SQLITE_OK) return db_.Error(bind_error_, what);
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return db_.Error(rc, what);
}

Status Query::Run(std::string_view what) {
  while (true) {
    EARSHOT_ASSIGN_OR_RETURN(bool row, Step(what));
    if (!row) return Status::Ok();
  }
}

std::string Query::Text(int col) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
  if (p == nullptr) return {};
  return std::string(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, col)));
}

Result<std::unique_ptr<SqliteDb>> SqliteDb::Open(const std::string& path) {
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                           nullptr);
  // sqlite3_open_v2 hands back a handle even on failure (for the message); own it at once.
  std::unique_ptr<SqliteDb> db(new SqliteDb(path, raw));
  if (rc != SQLITE_OK) return db->Error(rc, "open");
  sqlite3_extended_result_codes(raw, 1);
  return db;
}

SqliteDb::~SqliteDb() {
  statements_.clear();  // finalize before sqlite3_close_v2 so the close really closes
}

Status SqliteDb::Exec(std::string_view sql, std::string_view what) {
  std::string text(sql);
  int rc = sqlite3_exec(db_.get(), text.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return Error(rc, what);
  return Status::Ok();
}

Result<std::unique_ptr<Query>> SqliteDb::Prepare(std::string_view sql) {
  auto it = statements_.find(std::string(sql));
  if (it == statements_.end()) {
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v3(db_.get(), sql.data(), static_cast<int>(sql.size()),
                                SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) {
      return Error(rc, fmt::format("prepare '{}'", sql.substr(0, 60)));
    }
    it = statements_.emplace(std::string(sql), std::unique_ptr<sqlite3_stmt, Finalize>(stmt))
             .first;
  }
  return std::make_unique<Query>(*this, it->second.get());
}

Status SqliteDb::Error(int rc, std::string_view what) const {
  // sqlite3_errmsg describes the connection's last failure; sqlite3_errstr the code alone (used
  // when the handle could not be allocated at all).
  std::string detail = db_ ? sqlite3_errmsg(db_.get()) : sqlite3_errstr(rc);
  std::string msg = fmt::format("state store '{}': {}: {}", path_, what, detail);
  switch (rc & 0xff) {
    case SQLITE_FULL:
      return Status::ResourceExhausted(
          msg + "; free space on the state directory's file system (nothing was written)");
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_AUTH:
    case SQLITE_CANTOPEN:
      return Status::PermissionDenied(
          msg + "; check that the state directory exists and is writable by earshot's user");
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return Status::DataLoss(
          msg + "; the file is damaged or not an earshot database: move it aside and restart");
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Status::Unavailable(
          msg + "; another process holds the database (a second earshot?); retry later");
    case SQLITE_IOERR:
      return Status::Unavailable(msg + "; check the disk and the kernel log");
    case SQLITE_NOMEM:
      return Status::ResourceExhausted(msg);
    default:
      return Status::Internal(msg);
  }
}

Transaction::~Transaction() {
  if (open_) (void)db_.Exec("ROLLBACK", "rollback");
}

Status Transaction::Begin(std::string_view what) {
  EARSHOT_RETURN_IF_ERROR(db_.Exec("BEGIN IMMEDIATE", what));
  open_ = true;
  return Status::Ok();
}

Status Transaction::Commit(std::string_view what) {
  // On failure the destructor rolls back: SQLite may leave the transaction open after a failed
  // COMMIT (SQLITE_BUSY, SQLITE_FULL), and an explicit ROLLBACK is then required.
  EARSHOT_RETURN_IF_ERROR(db_.Exec("COMMIT", what));
  open_ = false;
  return Status::Ok();
}

}  // namespace earshot::state
