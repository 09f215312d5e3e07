#include "datastore/sqlite/sqlite_util.h"

namespace k1s::datastore {

Error SqliteError(sqlite3* db, int rc, std::string_view what) {
  std::string detail = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  std::string file = db && sqlite3_db_filename(db, "main") ? sqlite3_db_filename(db, "main") : "";
  int primary = rc & 0xff;
  std::string msg = "datastore: " + std::string(what) + ": " + detail;
  switch (primary) {
    case SQLITE_FULL:
      return Error{ErrorCode::kInternal,
                   "datastore: disk full while " + std::string(what) + " (" + file +
                       "); the write was not saved, earlier writes are safe; free space and retry"};
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return Error{ErrorCode::kInternal,
                   "datastore: " + file + " is not a k1s database or is corrupt (" + detail +
                       "); move it aside or restore a snapshot with 'k1s etcd-snapshot restore FILE'"};
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Error{ErrorCode::kServiceUnavailable, msg};
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_READONLY:
      return Error{ErrorCode::kInternal, "datastore: cannot open or write " + file + " (" + detail + ")"};
    default:
      return Error{ErrorCode::kInternal, msg};
  }
}

Status Stmt::Prepare(sqlite3* db, std::string_view sql) {
  sqlite3_finalize(s_);
  s_ = nullptr;
  int rc = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &s_,
                              nullptr);
  if (rc != SQLITE_OK) return Fail(SqliteError(db, rc, "preparing " + std::string(sql.substr(0, 60))));
  return OkStatus();
}

Status Db::Open(const std::string& path, int flags) {
  Close();
  path_ = path;
  int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string detail = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    Close();
    return Fail(ErrorCode::kInternal, "datastore: cannot open " + path + ": " + detail);
  }
  sqlite3_extended_result_codes(db_, 1);
  return OkStatus();
}

void Db::Close() {
  if (db_) sqlite3_close_v2(db_);
  db_ = nullptr;
}

Status Db::Exec(std::string_view sql) {
  char* err = nullptr;
  int rc = sqlite3_exec(db_, std::string(sql).c_str(), nullptr, nullptr, &err);
  if (err) sqlite3_free(err);
  if (rc != SQLITE_OK) return Fail(SqliteError(db_, rc, std::string(sql.substr(0, 60))));
  return OkStatus();
}

Result<int64_t> Db::QueryInt(std::string_view sql) {
  Stmt st;
  K1S_TRY(st.Prepare(db_, sql));
  int rc = st.Step();
  if (rc == SQLITE_ROW) return st.Int(0);
  if (rc == SQLITE_DONE) return int64_t{0};
  return Fail(SqliteError(db_, rc, std::string(sql.substr(0, 60))));
}

}  // namespace k1s::datastore
