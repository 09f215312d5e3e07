// Online snapshots (SQLite backup API) and restore. Run from `k1s etcd-snapshot`, in a process of its
// own or beside a running server: the backup reads one consistent snapshot of the WAL database.
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "datastore/sqlite/sqlite_store.h"
#include "datastore/sqlite/sqlite_util.h"
#include "lib/base/files.h"

namespace k1s::datastore {
namespace {

// Opens path read-only and checks that it holds a k1s schema.
Status CheckK1sDatabase(Db& db, const std::string& path, bool full_check) {
  K1S_TRY(db.Open(path, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX));
  auto has_meta = db.QueryInt("SELECT count(*) FROM sqlite_master WHERE type='table' AND name='meta'");
  if (!has_meta.ok()) return Fail(has_meta.error());
  if (*has_meta == 0) return Fail(ErrorCode::kInvalid, path + " is not a k1s database (no k1s schema)");
  auto version = db.QueryInt("SELECT v FROM meta WHERE k='schema'");
  if (!version.ok()) return Fail(version.error());
  if (*version != 1) return Fail(ErrorCode::kInvalid, path + " has an unknown k1s schema version");
  if (full_check) {
    Stmt st;
    K1S_TRY(st.Prepare(db.get(), "PRAGMA integrity_check(1)"));
    int rc = st.Step();
    if (rc != SQLITE_ROW) return Fail(SqliteError(db.get(), rc, "checking " + path));
    if (st.Text(0) != "ok") return Fail(ErrorCode::kInvalid, path + " is corrupt: " + st.Text(0));
  }
  return OkStatus();
}

}  // namespace

Status SaveSnapshot(const std::string& db_path, const std::string& out_path) {
  if (!PathExists(db_path)) {
    return Fail(ErrorCode::kNotFound, "no datastore at " + db_path + " (is --data-dir right?)");
  }
  if (PathExists(out_path)) return Fail(ErrorCode::kAlreadyExists, out_path + " already exists");
  Db src;
  K1S_TRY(CheckK1sDatabase(src, db_path, false));
  K1S_TRY(MakeDirs(DirName(out_path), 0700));
  std::string tmp = out_path + ".partial";
  ::unlink(tmp.c_str());
  {
    Db dst;
    K1S_TRY(dst.Open(tmp, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX));
    sqlite3_backup* b = sqlite3_backup_init(dst.get(), "main", src.get(), "main");
    if (!b) return Fail(SqliteError(dst.get(), sqlite3_errcode(dst.get()), "starting the snapshot"));
    sqlite3_busy_timeout(src.get(), 10000);
    int rc = sqlite3_backup_step(b, -1);  // all pages in one read transaction: a consistent copy
    sqlite3_backup_finish(b);
    if (rc != SQLITE_DONE) {
      ::unlink(tmp.c_str());
      return Fail(SqliteError(dst.get(), rc, "copying the database"));
    }
    // A snapshot is one self-contained file.
    K1S_TRY(dst.Exec("PRAGMA journal_mode=DELETE"));
  }
  int fd = ::open(tmp.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
  if (::rename(tmp.c_str(), out_path.c_str()) != 0) {
    return Fail(ErrorCode::kInternal, "cannot rename " + tmp + " to " + out_path + ": " + std::strerror(errno));
  }
  return SyncDir(DirName(out_path));
}

Status RestoreSnapshot(const std::string& snapshot_path, const std::string& db_path) {
  if (!PathExists(snapshot_path)) return Fail(ErrorCode::kNotFound, "no snapshot at " + snapshot_path);
  {
    Db snap;
    K1S_TRY(CheckK1sDatabase(snap, snapshot_path, true));
  }
  K1S_TRY(MakeDirs(DirName(db_path), 0700));
  std::string lock_path = db_path + ".lock";
  int lock_fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock_fd < 0) return Fail(ErrorCode::kInternal, "cannot open " + lock_path + ": " + std::strerror(errno));
  if (::flock(lock_fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(lock_fd);
    return Fail(ErrorCode::kConflict, "the datastore " + db_path + " is in use: stop the k1s server first");
  }
  auto restore = [&]() -> Status {
    K1S_ASSIGN_OR_RETURN(std::string data, ReadFile(snapshot_path));
    std::string keep = db_path + ".before-restore";
    if (PathExists(db_path)) {
      // Keep the old database with its WAL so nothing is lost if the restore was a mistake.
      if (::rename(db_path.c_str(), keep.c_str()) != 0) {
        return Fail(ErrorCode::kInternal, "cannot move " + db_path + " aside: " + std::strerror(errno));
      }
      ::rename((db_path + "-wal").c_str(), (keep + "-wal").c_str());
      ::unlink((db_path + "-shm").c_str());
    }
    return WriteFileAtomic(db_path, data, 0600);
  };
  Status s = restore();
  ::close(lock_fd);
  return s;
}

}  // namespace k1s::datastore
