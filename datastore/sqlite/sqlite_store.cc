// SqliteStore implementation. See sqlite_store.h for the threading model.
//
// Schema: one row per write in `kv` (id = revision). A create row has created=1, a delete row
// (tombstone) has deleted=1 and an empty value; prev_revision links a row to the key's previous row,
// so a watch event's previous value is a join, not a second copy of the object. `meta` holds the
// schema version and the compaction progress.
#include "datastore/sqlite/sqlite_store.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <future>
#include <map>
#include <mutex>
#include <queue>
#include <thread>

#include "datastore/sqlite/sqlite_util.h"
#include "datastore/watch_hub.h"
#include "lib/base/files.h"
#include "lib/base/log.h"
#include "lib/base/strings.h"

namespace k1s::datastore {
namespace {

constexpr int64_t kSchemaVersion = 1;
constexpr char kComponent[] = "datastore";

constexpr char kSchema[] = R"sql(
CREATE TABLE IF NOT EXISTS kv (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  created INTEGER NOT NULL,
  deleted INTEGER NOT NULL,
  create_revision INTEGER NOT NULL,
  prev_revision INTEGER NOT NULL,
  lease INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  value BLOB NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS kv_name_prev ON kv(name, prev_revision);
CREATE INDEX IF NOT EXISTS kv_name_id ON kv(name, id);
CREATE INDEX IF NOT EXISTS kv_expires ON kv(expires_at) WHERE expires_at > 0;
CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v INTEGER NOT NULL);
)sql";

constexpr char kRowColumns[] = "id, name, created, deleted, create_revision, prev_revision, lease, value";

// One row of kv as read back.
struct Row {
  Revision id = 0;
  std::string name;
  bool created = false;
  bool deleted = false;
  Revision create_revision = 0;
  Revision prev_revision = 0;
  int64_t lease = 0;
  std::string value;

  KeyValue ToKeyValue() const {
    return KeyValue{name, value, create_revision, id, lease};
  }
};

Row ReadRow(Stmt& st, int first = 0) {
  Row r;
  r.id = st.Int(first + 0);
  r.name = st.Text(first + 1);
  r.created = st.Int(first + 2) != 0;
  r.deleted = st.Int(first + 3) != 0;
  r.create_revision = st.Int(first + 4);
  r.prev_revision = st.Int(first + 5);
  r.lease = st.Int(first + 6);
  r.value = st.Text(first + 7);
  return r;
}

std::string EncodeContinue(Revision rev, const std::string& last_key) {
  return Base64Encode(std::to_string(rev) + "\n" + last_key);
}

Result<std::pair<Revision, std::string>> DecodeContinue(const std::string& token) {
  std::string raw;
  auto bad = Fail(ErrorCode::kBadRequest, "datastore: invalid continue token");
  if (!Base64Decode(token, &raw)) return bad;
  auto nl = raw.find('\n');
  if (nl == std::string::npos || nl == 0) return bad;
  Revision rev = 0;
  for (size_t i = 0; i < nl; ++i) {
    if (raw[i] < '0' || raw[i] > '9') return bad;
    rev = rev * 10 + (raw[i] - '0');
  }
  return std::make_pair(rev, raw.substr(nl + 1));
}

// A write waiting for the writer thread.
struct WriteOp {
  enum class Kind { kCreate, kUpdate, kDelete, kCompact };
  Kind kind = Kind::kCreate;
  std::string key;
  std::string value;
  Revision expected = 0;
  int64_t lease_ttl = 0;
  // Outcome, filled by the writer before `done` is set.
  Result<KeyValue> result = Fail(ErrorCode::kInternal, "not run");
  std::optional<KeyValue> current;
  std::promise<void> done;
  bool internal = false;  // issued by the store itself (lease expiry): nobody waits
};

class SqliteStoreImpl final : public SqliteStore {
 public:
  explicit SqliteStoreImpl(SqliteOptions options) : options_(std::move(options)) {
    clock_ = options_.clock ? options_.clock : &SystemClock();
  }
  ~SqliteStoreImpl() override { Close(); }

  Status Init();

  // Store.
  Result<KeyValue> Get(const std::string& key, Revision revision) override;
  Result<ListResult> List(const ListOptions& options) override;
  Result<int64_t> Count(const std::string& prefix) override;
  Result<KeyValue> Create(const std::string& key, std::string value, WriteOptions options) override {
    auto op = std::make_shared<WriteOp>();
    op->kind = WriteOp::Kind::kCreate;
    op->key = key;
    op->value = std::move(value);
    op->lease_ttl = options.lease_ttl_seconds;
    return Submit(std::move(op), nullptr);
  }
  Result<KeyValue> Update(const std::string& key, std::string value, Revision expected, WriteOptions options,
                          KeyValue* current) override {
    auto op = std::make_shared<WriteOp>();
    op->kind = WriteOp::Kind::kUpdate;
    op->key = key;
    op->value = std::move(value);
    op->expected = expected;
    op->lease_ttl = options.lease_ttl_seconds;
    return Submit(std::move(op), current);
  }
  Result<KeyValue> Delete(const std::string& key, Revision expected, KeyValue* current) override {
    auto op = std::make_shared<WriteOp>();
    op->kind = WriteOp::Kind::kDelete;
    op->key = key;
    op->expected = expected;
    return Submit(std::move(op), current);
  }
  Revision CurrentRevision() override { return last_revision_.load(); }
  Revision CompactedRevision() override { return compacted_revision_.load(); }
  Result<std::unique_ptr<WatchStream>> Watch(const std::string& prefix, Revision from_revision) override;
  Status Compact(Revision revision) override;

  // SqliteStore.
  void Close() override;
  SqliteStats Stats() override;
  Status FinishCompactionForTest() override;

 private:
  // Readers: a small pool of connections.
  struct Reader {
    Db db;
    Stmt get_latest, get_at, list, history, max_id;
  };
  Result<std::unique_ptr<Reader>> OpenReader();
  std::unique_ptr<Reader> AcquireReader(Status* status);
  void ReleaseReader(std::unique_ptr<Reader> r);
  Result<std::vector<Event>> ReadHistory(const std::string& prefix, Revision from, Revision to, int limit);

  // Writer thread.
  Result<KeyValue> Submit(std::shared_ptr<WriteOp> op, KeyValue* current);
  void WriterLoop();
  void CommitBatch(std::vector<std::shared_ptr<WriteOp>>& ops);
  // One time-bounded step of physical compaction; true if more work remains.
  bool CompactStep();
  void ExpireLeases();
  void MaybeAutoCompact();
  Result<std::optional<Row>> LatestRow(const std::string& key);
  Status SetMeta(const char* key, int64_t value);

  SqliteOptions options_;
  Clock* clock_;
  int lock_fd_ = -1;

  Db wdb_;  // writer connection: only the writer thread (and Init/Close) touch it
  Stmt w_latest_, w_insert_, w_set_meta_;

  std::mutex readers_mu_;
  std::vector<std::unique_ptr<Reader>> readers_;

  std::unique_ptr<WatchHub> hub_;

  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::deque<std::shared_ptr<WriteOp>> queue_;
  bool stopping_ = false;
  std::atomic<bool> closed_{false};
  std::thread writer_;

  std::atomic<Revision> last_revision_{0};
  std::atomic<Revision> compacted_revision_{0};  // logical: reads below fail with Gone
  std::atomic<Revision> compact_done_{0};        // physical: rows up to here are reclaimed (writer)
  int64_t compact_batch_ = 256;                  // adapts to compact_batch_budget (writer)
  std::atomic<bool> checkpoint_pending_{false};  // (writer)
  std::chrono::steady_clock::time_point compact_retry_at_;  // after a failed step (writer)
  std::chrono::steady_clock::time_point next_auto_compact_;
  std::chrono::steady_clock::time_point next_lease_check_;

  // Leases (writer thread): expiry time -> (key, mod_revision); stale entries are skipped.
  std::multimap<int64_t, std::pair<std::string, Revision>> leases_;

  std::atomic<int64_t> stat_batches_{0}, stat_writes_{0}, stat_compacted_{0};
};

Status SqliteStoreImpl::Init() {
  const std::string& path = options_.path;
  K1S_TRY(MakeDirs(DirName(path), 0700));

  // One process per database: a second server on the same data dir is refused.
  std::string lock_path = path + ".lock";
  lock_fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock_fd_ < 0) {
    return Fail(ErrorCode::kInternal, "datastore: cannot open lock file " + lock_path + ": " + std::strerror(errno));
  }
  if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    return Fail(ErrorCode::kConflict,
                "datastore: " + path + " is in use by another k1s process (lock " + lock_path + " is held)");
  }

  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
    return Fail(ErrorCode::kInternal, "datastore: " + path + " is not a regular file");
  }

  K1S_TRY(wdb_.Open(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX));
  sqlite3_busy_timeout(wdb_.get(), 10000);
  // Anything that is not a SQLite database fails here with SQLITE_NOTADB.
  auto tables = wdb_.QueryInt("SELECT count(*) FROM sqlite_master");
  if (!tables.ok()) return Fail(tables.error());
  if (*tables == 0) {
    K1S_TRY(wdb_.Exec("PRAGMA auto_vacuum=INCREMENTAL"));
  } else {
    auto has_meta = wdb_.QueryInt("SELECT count(*) FROM sqlite_master WHERE type='table' AND name='meta'");
    if (!has_meta.ok()) return Fail(has_meta.error());
    if (*has_meta == 0) {
      return Fail(ErrorCode::kInternal, "datastore: " + path +
                                            " is a SQLite database but not a k1s one (no k1s schema); "
                                            "point --data-dir elsewhere or move the file aside");
    }
  }
  {
    Stmt st;
    K1S_TRY(st.Prepare(wdb_.get(), "PRAGMA journal_mode=WAL"));
    int rc = st.Step();
    if (rc != SQLITE_ROW) return Fail(SqliteError(wdb_.get(), rc, "switching to WAL"));
    if (st.Text(0) != "wal") return Fail(ErrorCode::kInternal, "datastore: cannot use WAL mode on " + path);
  }
  K1S_TRY(wdb_.Exec(options_.synchronous_full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL"));
  K1S_TRY(wdb_.Exec("PRAGMA cache_size=-8000"));  // 8 MB
  K1S_TRY(wdb_.Exec("PRAGMA journal_size_limit=16777216"));  // trim the WAL back to 16 MB after checkpoints
  K1S_TRY(wdb_.Exec(kSchema));
  auto version = wdb_.QueryInt("SELECT v FROM meta WHERE k='schema'");
  if (!version.ok()) return Fail(version.error());
  if (*version == 0) {
    K1S_TRY(wdb_.Exec("INSERT INTO meta(k, v) VALUES('schema', " + std::to_string(kSchemaVersion) +
                      "), ('compact_rev', 0), ('compact_done', 0)"));
  } else if (*version != kSchemaVersion) {
    return Fail(ErrorCode::kInternal, "datastore: " + path + " has schema version " + std::to_string(*version) +
                                          ", this k1s understands " + std::to_string(kSchemaVersion));
  }
  // Small databases are checked in full at start-up: corruption is reported now, not at first read.
  if (st.st_size > 0 && st.st_size < (64 << 20)) {
    Stmt check;
    K1S_TRY(check.Prepare(wdb_.get(), "PRAGMA quick_check(1)"));
    int rc = check.Step();
    if (rc != SQLITE_ROW) return Fail(SqliteError(wdb_.get(), rc, "checking the database"));
    if (check.Text(0) != "ok") {
      return Fail(ErrorCode::kInternal, "datastore: " + path + " is corrupt (" + check.Text(0) +
                                            "); restore a snapshot with 'k1s etcd-snapshot restore FILE'");
    }
  }

  auto max_id = wdb_.QueryInt("SELECT max(id) FROM kv");
  if (!max_id.ok()) return Fail(max_id.error());
  last_revision_ = *max_id;
  auto crev = wdb_.QueryInt("SELECT v FROM meta WHERE k='compact_rev'");
  if (!crev.ok()) return Fail(crev.error());
  compacted_revision_ = *crev;
  auto cdone = wdb_.QueryInt("SELECT v FROM meta WHERE k='compact_done'");
  if (!cdone.ok()) return Fail(cdone.error());
  compact_done_ = *cdone;

  K1S_TRY(w_latest_.Prepare(wdb_.get(),
                            std::string("SELECT ") + kRowColumns + " FROM kv WHERE name=?1 ORDER BY id DESC LIMIT 1"));
  K1S_TRY(w_insert_.Prepare(wdb_.get(),
                            "INSERT INTO kv(id, name, created, deleted, create_revision, prev_revision, lease, "
                            "expires_at, value) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"));
  K1S_TRY(w_set_meta_.Prepare(wdb_.get(), "UPDATE meta SET v=?2 WHERE k=?1"));

  // Live leased keys: the latest row of their key, not yet expired or deleted.
  {
    Stmt st;
    K1S_TRY(st.Prepare(wdb_.get(),
                       "SELECT k.name, k.id, k.expires_at FROM kv k WHERE k.expires_at > 0 AND k.deleted = 0 "
                       "AND NOT EXISTS (SELECT 1 FROM kv n WHERE n.name = k.name AND n.prev_revision = k.id)"));
    int rc;
    while ((rc = st.Step()) == SQLITE_ROW) leases_.emplace(st.Int(2), std::make_pair(st.Text(0), st.Int(1)));
    if (rc != SQLITE_DONE) return Fail(SqliteError(wdb_.get(), rc, "loading leases"));
  }

  hub_ = std::make_unique<WatchHub>(
      [this](const std::string& prefix, Revision from, Revision to, int limit) {
        return ReadHistory(prefix, from, to, limit);
      },
      options_.watch_queue_limit, last_revision_.load());

  auto now = std::chrono::steady_clock::now();
  next_auto_compact_ = now + options_.compact_interval;
  next_lease_check_ = now;
  writer_ = std::thread([this] { WriterLoop(); });
  K1S_LOG(kInfo, kComponent) << "opened " << path << " at revision " << last_revision_.load()
                             << " (compacted to " << compacted_revision_.load() << ", "
                             << (options_.synchronous_full ? "synchronous=FULL" : "synchronous=NORMAL") << ")";
  return OkStatus();
}

void SqliteStoreImpl::Close() {
  {
    std::lock_guard lock(queue_mu_);
    if (closed_) return;
    closed_ = true;
    stopping_ = true;
  }
  queue_cv_.notify_all();
  if (writer_.joinable()) writer_.join();
  if (hub_) hub_->Shutdown();
  {
    std::lock_guard lock(readers_mu_);
    readers_.clear();
  }
  if (wdb_.get()) {
    w_latest_ = Stmt();
    w_insert_ = Stmt();
    w_set_meta_ = Stmt();
    // Fold the WAL into the main file so the database is one file at rest.
    (void)wdb_.Exec("PRAGMA wal_checkpoint(TRUNCATE)");
    wdb_.Close();
  }
  if (lock_fd_ >= 0) {
    ::close(lock_fd_);
    lock_fd_ = -1;
  }
}

// ---- readers ----

Result<std::unique_ptr<SqliteStoreImpl::Reader>> SqliteStoreImpl::OpenReader() {
  auto r = std::make_unique<Reader>();
  K1S_TRY(r->db.Open(options_.path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX));
  sqlite3_busy_timeout(r->db.get(), 10000);
  K1S_TRY(r->db.Exec("PRAGMA query_only=1"));
  K1S_TRY(r->db.Exec("PRAGMA cache_size=-4000"));
  K1S_TRY(r->get_latest.Prepare(r->db.get(), std::string("SELECT ") + kRowColumns +
                                                 " FROM kv WHERE name=?1 ORDER BY id DESC LIMIT 1"));
  K1S_TRY(r->get_at.Prepare(r->db.get(), std::string("SELECT ") + kRowColumns +
                                             " FROM kv WHERE name=?1 AND id<=?2 ORDER BY id DESC LIMIT 1"));
  K1S_TRY(r->list.Prepare(
      r->db.get(),
      // Walks the (name, id) index in key order and keeps each key's newest row at or below the
      // revision, so LIMIT stops the scan early (a GROUP BY subquery would aggregate the whole range
      // for every page).
      "SELECT k.id, k.name, k.created, k.deleted, k.create_revision, k.prev_revision, k.lease, "
      "CASE WHEN ?5 THEN x'' ELSE k.value END FROM kv k INDEXED BY kv_name_id "
      "WHERE k.name >= ?1 AND (?2 = '' OR k.name < ?2) AND k.deleted = 0 AND k.id <= ?3 "
      "AND k.id = (SELECT max(n.id) FROM kv n WHERE n.name = k.name AND n.id <= ?3) "
      "ORDER BY k.name LIMIT ?4"));
  K1S_TRY(r->history.Prepare(
      r->db.get(),
      "SELECT k.id, k.name, k.created, k.deleted, k.create_revision, k.prev_revision, k.lease, k.value, "
      "p.id, p.name, p.created, p.deleted, p.create_revision, p.prev_revision, p.lease, p.value "
      "FROM kv k LEFT JOIN kv p ON p.id = k.prev_revision "
      "WHERE k.id >= ?1 AND k.id <= ?2 AND k.name >= ?3 AND (?4 = '' OR k.name < ?4) ORDER BY k.id LIMIT ?5"));
  K1S_TRY(r->max_id.Prepare(r->db.get(), "SELECT max(id) FROM kv"));
  return r;
}

std::unique_ptr<SqliteStoreImpl::Reader> SqliteStoreImpl::AcquireReader(Status* status) {
  {
    std::lock_guard lock(readers_mu_);
    if (!readers_.empty()) {
      auto r = std::move(readers_.back());
      readers_.pop_back();
      return r;
    }
  }
  auto r = OpenReader();
  if (!r.ok()) {
    *status = Fail(r.error());
    return nullptr;
  }
  return std::move(*r);
}

void SqliteStoreImpl::ReleaseReader(std::unique_ptr<Reader> r) {
  std::lock_guard lock(readers_mu_);
  if (readers_.size() < 8 && !closed_) readers_.push_back(std::move(r));
}

Result<KeyValue> SqliteStoreImpl::Get(const std::string& key, Revision revision) {
  if (revision > 0) {
    if (revision < compacted_revision_.load()) {
      return Fail(ErrorCode::kGone, "datastore: required revision " + std::to_string(revision) +
                                        " has been compacted (oldest is " +
                                        std::to_string(compacted_revision_.load()) + ")");
    }
    if (revision > last_revision_.load()) {
      return Fail(ErrorCode::kInvalid, "datastore: revision " + std::to_string(revision) +
                                           " is in the future (current is " +
                                           std::to_string(last_revision_.load()) + ")");
    }
  }
  Status status;
  auto r = AcquireReader(&status);
  if (!r) return Fail(status.error());
  Stmt& st = revision > 0 ? r->get_at : r->get_latest;
  st.Reset();
  st.BindText(1, key);
  if (revision > 0) st.Bind(2, revision);
  int rc = st.Step();
  std::optional<Row> row;
  if (rc == SQLITE_ROW) row = ReadRow(st);
  st.Reset();
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
    auto err = SqliteError(r->db.get(), rc, "reading " + key);
    return Fail(err);
  }
  ReleaseReader(std::move(r));
  if (revision > 0 && revision < compacted_revision_.load()) {
    return Fail(ErrorCode::kGone, "datastore: required revision " + std::to_string(revision) + " has been compacted");
  }
  if (!row || row->deleted) return Fail(ErrorCode::kNotFound, "datastore: key " + key + " not found");
  return row->ToKeyValue();
}

Result<ListResult> SqliteStoreImpl::List(const ListOptions& options) {
  std::string start = options.prefix.empty() ? options.start : options.prefix;
  std::string end = options.prefix.empty() ? options.end : PrefixEnd(options.prefix);
  Revision revision = options.revision;
  if (!options.continue_token.empty()) {
    auto cont = DecodeContinue(options.continue_token);
    if (!cont.ok()) return Fail(cont.error());
    revision = cont->first;
    std::string after = cont->second + std::string(1, '\0');
    if (after > start) start = after;
  }
  if (revision > 0 && revision < compacted_revision_.load()) {
    return Fail(ErrorCode::kGone, "datastore: required revision " + std::to_string(revision) +
                                      " has been compacted (oldest is " + std::to_string(compacted_revision_.load()) +
                                      ")");
  }
  Status status;
  auto r = AcquireReader(&status);
  if (!r) return Fail(status.error());
  auto fail = [&](int rc, const std::string& what) -> Unexpected {
    auto err = SqliteError(r->db.get(), rc, what);
    (void)r->db.Exec("ROLLBACK");
    return Fail(err);
  };
  if (auto s = r->db.Exec("BEGIN"); !s.ok()) return Fail(s.error());
  r->max_id.Reset();
  int rc = r->max_id.Step();
  if (rc != SQLITE_ROW) return fail(rc, "reading the current revision");
  Revision current = r->max_id.Int(0);
  r->max_id.Reset();
  if (revision > current) {
    (void)r->db.Exec("ROLLBACK");
    ReleaseReader(std::move(r));
    return Fail(ErrorCode::kInvalid, "datastore: revision " + std::to_string(revision) +
                                         " is in the future (current is " + std::to_string(current) + ")");
  }
  if (revision == 0) revision = current;
  ListResult out;
  out.revision = revision;
  Stmt& st = r->list;
  st.Reset();
  st.BindText(1, start);
  st.BindText(2, end);
  st.Bind(3, revision);
  st.Bind(4, options.limit > 0 ? options.limit + 1 : -1);
  st.Bind(5, options.keys_only ? 1 : 0);
  while ((rc = st.Step()) == SQLITE_ROW) out.items.push_back(ReadRow(st).ToKeyValue());
  st.Reset();
  if (rc != SQLITE_DONE) return fail(rc, "listing " + start);
  (void)r->db.Exec("COMMIT");
  ReleaseReader(std::move(r));
  if (revision < compacted_revision_.load()) {
    return Fail(ErrorCode::kGone, "datastore: required revision " + std::to_string(revision) + " has been compacted");
  }
  if (options.limit > 0 && static_cast<int64_t>(out.items.size()) > options.limit) {
    out.items.resize(static_cast<size_t>(options.limit));
    out.more = true;
    out.continue_token = EncodeContinue(revision, out.items.back().key);
  }
  return out;
}

Result<int64_t> SqliteStoreImpl::Count(const std::string& prefix) {
  Status status;
  auto r = AcquireReader(&status);
  if (!r) return Fail(status.error());
  Stmt st;
  K1S_TRY(st.Prepare(r->db.get(),
                     "SELECT count(*) FROM (SELECT max(id) AS mid FROM kv WHERE name >= ?1 AND (?2 = '' OR name < ?2) "
                     "GROUP BY name) m JOIN kv k ON k.id = m.mid WHERE k.deleted = 0"));
  st.BindText(1, prefix);
  st.BindText(2, PrefixEnd(prefix));
  int rc = st.Step();
  if (rc != SQLITE_ROW) return Fail(SqliteError(r->db.get(), rc, "counting " + prefix));
  int64_t n = st.Int(0);
  st = Stmt();
  ReleaseReader(std::move(r));
  return n;
}

Result<std::vector<Event>> SqliteStoreImpl::ReadHistory(const std::string& prefix, Revision from, Revision to,
                                                        int limit) {
  Status status;
  auto r = AcquireReader(&status);
  if (!r) return Fail(status.error());
  std::vector<Event> out;
  Stmt& st = r->history;
  st.Reset();
  st.Bind(1, from);
  st.Bind(2, to);
  st.BindText(3, prefix);
  st.BindText(4, PrefixEnd(prefix));
  st.Bind(5, limit);
  int rc;
  while ((rc = st.Step()) == SQLITE_ROW) {
    Row row = ReadRow(st, 0);
    Event ev;
    ev.revision = row.id;
    ev.type = row.created ? Event::Type::kCreate : row.deleted ? Event::Type::kDelete : Event::Type::kUpdate;
    ev.kv = row.ToKeyValue();
    if (!row.created && !st.IsNull(8)) {
      Row prev = ReadRow(st, 8);
      ev.prev = prev.ToKeyValue();
    }
    out.push_back(std::move(ev));
  }
  st.Reset();
  if (rc != SQLITE_DONE) {
    auto err = SqliteError(r->db.get(), rc, "reading history");
    return Fail(err);
  }
  ReleaseReader(std::move(r));
  return out;
}

Result<std::unique_ptr<WatchStream>> SqliteStoreImpl::Watch(const std::string& prefix, Revision from_revision) {
  {
    std::lock_guard lock(queue_mu_);
    if (closed_) return Fail(ErrorCode::kServiceUnavailable, "datastore: closed");
  }
  if (from_revision != 0 && from_revision <= compacted_revision_.load()) {
    return Fail(ErrorCode::kGone, "datastore: required revision " + std::to_string(from_revision) +
                                      " has been compacted (watch from " +
                                      std::to_string(compacted_revision_.load() + 1) + " or later)");
  }
  return hub_->Watch(prefix, from_revision, &compacted_revision_);
}

// ---- writes ----

Result<KeyValue> SqliteStoreImpl::Submit(std::shared_ptr<WriteOp> op, KeyValue* current) {
  if (op->key.empty() && op->kind != WriteOp::Kind::kCompact) {
    return Fail(ErrorCode::kInvalid, "datastore: empty key");
  }
  auto done = op->done.get_future();
  std::shared_ptr<WriteOp> mine = op;
  {
    std::lock_guard lock(queue_mu_);
    if (stopping_) return Fail(ErrorCode::kServiceUnavailable, "datastore: closed");
    queue_.push_back(std::move(op));
  }
  queue_cv_.notify_one();
  done.wait();
  if (current && mine->current) *current = *mine->current;
  return std::move(mine->result);
}

Status SqliteStoreImpl::Compact(Revision revision) {
  Revision compacted = compacted_revision_.load();
  if (revision <= compacted) {
    return Fail(ErrorCode::kGone, "datastore: revision " + std::to_string(revision) +
                                      " is already compacted (compacted to " + std::to_string(compacted) + ")");
  }
  if (revision > last_revision_.load()) {
    return Fail(ErrorCode::kInvalid, "datastore: cannot compact to future revision " + std::to_string(revision));
  }
  auto op = std::make_shared<WriteOp>();
  op->kind = WriteOp::Kind::kCompact;
  op->expected = revision;
  auto r = Submit(std::move(op), nullptr);
  if (!r.ok()) return Fail(r.error());
  return OkStatus();
}

Result<std::optional<Row>> SqliteStoreImpl::LatestRow(const std::string& key) {
  w_latest_.Reset();
  w_latest_.BindText(1, key);
  int rc = w_latest_.Step();
  std::optional<Row> row;
  if (rc == SQLITE_ROW) row = ReadRow(w_latest_);
  w_latest_.Reset();
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return Fail(SqliteError(wdb_.get(), rc, "reading " + key));
  return row;
}

Status SqliteStoreImpl::SetMeta(const char* key, int64_t value) {
  w_set_meta_.Reset();
  w_set_meta_.BindText(1, key);
  w_set_meta_.Bind(2, value);
  int rc = w_set_meta_.Step();
  w_set_meta_.Reset();
  if (rc != SQLITE_DONE) return Fail(SqliteError(wdb_.get(), rc, "updating metadata"));
  return OkStatus();
}

void SqliteStoreImpl::WriterLoop() {
  std::vector<std::shared_ptr<WriteOp>> batch;
  for (;;) {
    bool more_compaction = false;
    {
      std::unique_lock lock(queue_mu_);
      auto now = std::chrono::steady_clock::now();
      auto wake = std::min(next_lease_check_, next_auto_compact_);
      bool compaction_pending =
          now >= compact_retry_at_ &&
          (compact_done_ < std::min(compacted_revision_.load(), last_revision_.load() - 1) || checkpoint_pending_);
      if (queue_.empty() && !stopping_ && !compaction_pending && now < wake) {
        queue_cv_.wait_until(lock, wake, [&] { return !queue_.empty() || stopping_; });
      }
      if (stopping_ && queue_.empty()) break;
      while (!queue_.empty() && static_cast<int>(batch.size()) < options_.max_batch) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    if (!batch.empty()) {
      CommitBatch(batch);
      batch.clear();
    }
    auto now = std::chrono::steady_clock::now();
    if (now >= next_lease_check_) {
      ExpireLeases();
      next_lease_check_ = now + options_.lease_check_interval;
    }
    if (now >= next_auto_compact_) {
      MaybeAutoCompact();
      next_auto_compact_ = now + options_.compact_interval;
    }
    // One bounded compaction step between write batches: writers wait at most one step.
    if (now >= compact_retry_at_) more_compaction = CompactStep();
    (void)more_compaction;
  }
  // Fail what is left (only possible if stopping raced with submitters).
  std::lock_guard lock(queue_mu_);
  for (auto& op : queue_) {
    op->result = Fail(ErrorCode::kServiceUnavailable, "datastore: closed");
    if (!op->internal) op->done.set_value();
  }
  queue_.clear();
}

void SqliteStoreImpl::CommitBatch(std::vector<std::shared_ptr<WriteOp>>& ops) {
  const Revision base = last_revision_.load();
  Revision rev = base;
  std::vector<Event> events;
  events.reserve(ops.size());
  std::vector<std::tuple<int64_t, std::string, Revision>> new_leases;
  Revision new_compact = 0;
  int64_t now_ms = clock_->NowUnixMillis();

  auto finish_all = [&](const Error& err) {
    for (auto& op : ops) {
      op->result = Fail(err);
      op->current.reset();
    }
  };

  Status status = wdb_.Exec("BEGIN IMMEDIATE");
  for (size_t i = 0; status.ok() && i < ops.size(); ++i) {
    WriteOp& op = *ops[i];
    if (op.kind == WriteOp::Kind::kCompact) {
      if (op.expected <= std::max(compacted_revision_.load(), new_compact)) {
        op.result = Fail(ErrorCode::kGone, "datastore: revision " + std::to_string(op.expected) + " is already compacted");
        continue;
      }
      status = SetMeta("compact_rev", op.expected);
      if (status.ok()) {
        new_compact = op.expected;
        op.result = KeyValue{};
      }
      continue;
    }
    auto latest = LatestRow(op.key);
    if (!latest.ok()) {
      status = Fail(latest.error());
      break;
    }
    const std::optional<Row>& cur = *latest;
    bool live = cur && !cur->deleted;
    Row row;
    row.name = op.key;
    switch (op.kind) {
      case WriteOp::Kind::kCreate:
        if (live) {
          op.result = Fail(ErrorCode::kAlreadyExists, "datastore: key " + op.key + " already exists");
          op.current = cur->ToKeyValue();
          continue;
        }
        row.created = true;
        row.create_revision = rev + 1;
        row.prev_revision = cur ? cur->id : 0;
        row.lease = op.lease_ttl;
        row.value = std::move(op.value);
        break;
      case WriteOp::Kind::kUpdate:
      case WriteOp::Kind::kDelete:
        if (!live) {
          op.result = Fail(ErrorCode::kNotFound, "datastore: key " + op.key + " not found");
          continue;
        }
        if (op.expected != 0 && cur->id != op.expected) {
          op.result = Fail(ErrorCode::kConflict, "datastore: key " + op.key + " was modified at revision " +
                                                     std::to_string(cur->id) + ", expected " +
                                                     std::to_string(op.expected));
          op.current = cur->ToKeyValue();
          continue;
        }
        row.create_revision = cur->create_revision;
        row.prev_revision = cur->id;
        if (op.kind == WriteOp::Kind::kDelete) {
          row.deleted = true;
        } else {
          row.lease = op.lease_ttl;
          row.value = std::move(op.value);
        }
        break;
      case WriteOp::Kind::kCompact:
        break;
    }
    row.id = rev + 1;
    int64_t expires_at = row.lease > 0 ? now_ms + row.lease * 1000 : 0;
    w_insert_.Reset();
    w_insert_.Bind(1, row.id);
    w_insert_.BindText(2, row.name);
    w_insert_.Bind(3, row.created ? 1 : 0);
    w_insert_.Bind(4, row.deleted ? 1 : 0);
    w_insert_.Bind(5, row.create_revision);
    w_insert_.Bind(6, row.prev_revision);
    w_insert_.Bind(7, row.lease);
    w_insert_.Bind(8, expires_at);
    w_insert_.BindBlob(9, row.value);
    int rc = w_insert_.Step();
    w_insert_.Reset();
    if (rc != SQLITE_DONE) {
      status = Fail(SqliteError(wdb_.get(), rc, "writing " + op.key));
      break;
    }
    rev = row.id;
    Event ev;
    ev.revision = row.id;
    ev.type = row.created ? Event::Type::kCreate : row.deleted ? Event::Type::kDelete : Event::Type::kUpdate;
    ev.kv = row.ToKeyValue();
    if (!row.created && cur) ev.prev = cur->ToKeyValue();
    op.result = ev.kv;
    if (row.deleted) {
      KeyValue gone = cur->ToKeyValue();
      gone.mod_revision = row.id;
      op.result = std::move(gone);
    }
    if (expires_at > 0) new_leases.emplace_back(expires_at, row.name, row.id);
    events.push_back(std::move(ev));
  }
  if (status.ok()) status = wdb_.Exec("COMMIT");
  if (!status.ok()) {
    (void)wdb_.Exec("ROLLBACK");
    K1S_LOG(kError, kComponent) << "write batch of " << ops.size() << " failed, nothing in it was saved: "
                                << status.error().message;
    finish_all(status.error());
  } else {
    if (rev != base) last_revision_.store(rev);
    if (new_compact) {
      compacted_revision_.store(new_compact);
      K1S_LOG(kDebug, kComponent) << "compacted to revision " << new_compact << "; reclaiming space in the background";
    }
    for (auto& [at, key, r] : new_leases) leases_.emplace(at, std::make_pair(std::move(key), r));
    stat_batches_.fetch_add(1, std::memory_order_relaxed);
    stat_writes_.fetch_add(rev - base, std::memory_order_relaxed);
    if (!events.empty()) hub_->Publish(events, rev);
  }
  for (auto& op : ops) {
    if (!op->internal) op->done.set_value();
  }
}

void SqliteStoreImpl::ExpireLeases() {
  int64_t now_ms = clock_->NowUnixMillis();
  std::vector<std::shared_ptr<WriteOp>> ops;
  while (!leases_.empty() && leases_.begin()->first <= now_ms && ops.size() < 1000) {
    auto node = leases_.extract(leases_.begin());
    auto op = std::make_shared<WriteOp>();
    op->kind = WriteOp::Kind::kDelete;
    op->key = std::move(node.mapped().first);
    op->expected = node.mapped().second;  // a later write to the key makes this a harmless Conflict
    op->internal = true;
    ops.push_back(std::move(op));
  }
  if (ops.empty()) return;
  size_t n = ops.size();
  CommitBatch(ops);
  K1S_LOG(kDebug, kComponent) << "lease expiry: checked " << n << " expired keys";
}

void SqliteStoreImpl::MaybeAutoCompact() {
  if (options_.compact_retain_revisions <= 0) return;
  Revision target = last_revision_.load() - options_.compact_retain_revisions;
  if (target <= compacted_revision_.load()) return;
  std::vector<std::shared_ptr<WriteOp>> ops;
  auto op = std::make_shared<WriteOp>();
  op->kind = WriteOp::Kind::kCompact;
  op->expected = target;
  op->internal = true;
  ops.push_back(std::move(op));
  CommitBatch(ops);
}

bool SqliteStoreImpl::CompactStep() {
  // Never remove the newest row: max(id) is the current revision after a restart.
  Revision target = std::min(compacted_revision_.load(), last_revision_.load() - 1);
  if (compact_done_ >= target) {
    if (checkpoint_pending_) {
      checkpoint_pending_ = false;
      // Return free pages to the file system and fold the WAL back (PASSIVE: never waits for readers;
      // journal_size_limit then trims the WAL file).
      (void)wdb_.Exec("PRAGMA incremental_vacuum(4000)");
      Stmt st;
      if (st.Prepare(wdb_.get(), "PRAGMA wal_checkpoint(PASSIVE)").ok()) (void)st.Step();
    }
    return false;
  }
  Revision lo = compact_done_;
  Revision hi = std::min(target, lo + compact_batch_);
  auto start = std::chrono::steady_clock::now();
  int64_t removed = 0;
  Status s = wdb_.Exec("BEGIN IMMEDIATE");
  if (s.ok()) {
    s = wdb_.Exec("DELETE FROM kv WHERE id IN (SELECT prev_revision FROM kv WHERE id > " + std::to_string(lo) +
                  " AND id <= " + std::to_string(hi) + " AND prev_revision > 0)");
    removed += sqlite3_changes(wdb_.get());
  }
  if (s.ok()) {
    s = wdb_.Exec("DELETE FROM kv WHERE id > " + std::to_string(lo) + " AND id <= " + std::to_string(hi) +
                  " AND deleted = 1");
    removed += sqlite3_changes(wdb_.get());
  }
  if (s.ok()) s = SetMeta("compact_done", hi);
  if (s.ok()) s = wdb_.Exec("COMMIT");
  if (!s.ok()) {
    (void)wdb_.Exec("ROLLBACK");
    K1S_LOG(kWarn, kComponent) << "compaction step (" << lo << ", " << hi << "] failed, will retry in 1s: "
                               << s.error().message;
    compact_retry_at_ = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    return false;
  }
  compact_done_ = hi;
  stat_compacted_.fetch_add(removed, std::memory_order_relaxed);
  auto took = std::chrono::steady_clock::now() - start;
  if (took > options_.compact_batch_budget && compact_batch_ > 16) {
    compact_batch_ /= 2;
  } else if (took < options_.compact_batch_budget / 4 && compact_batch_ < 65536) {
    compact_batch_ *= 2;
  }
  if (compact_done_ >= target) {
    checkpoint_pending_ = true;
    K1S_LOG(kDebug, kComponent) << "compaction reached revision " << compact_done_;
  }
  return true;
}

Status SqliteStoreImpl::FinishCompactionForTest() {
  // Run on the writer thread's behalf by waiting until it has caught up.
  for (int i = 0; i < 100000; ++i) {
    Revision target = std::min(compacted_revision_.load(), last_revision_.load() - 1);
    {
      std::lock_guard lock(queue_mu_);
      if (compact_done_ >= target && !checkpoint_pending_) return OkStatus();
    }
    queue_cv_.notify_all();
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return Fail(ErrorCode::kTimeout, "datastore: compaction did not finish");
}

SqliteStats SqliteStoreImpl::Stats() {
  SqliteStats s;
  s.batches = stat_batches_.load();
  s.writes = stat_writes_.load();
  s.compacted_rows = stat_compacted_.load();
  struct stat st {};
  if (::stat(options_.path.c_str(), &st) == 0) s.db_bytes = st.st_size;
  if (::stat((options_.path + "-wal").c_str(), &st) == 0) s.wal_bytes = st.st_size;
  return s;
}

}  // namespace

SqliteStore::~SqliteStore() = default;

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const SqliteOptions& options) {
  if (options.path.empty()) return Fail(ErrorCode::kInvalid, "datastore: no database path");
  auto store = std::make_unique<SqliteStoreImpl>(options);
  auto s = store->Init();
  if (!s.ok()) {
    store->Close();
    return Fail(s.error());
  }
  return std::unique_ptr<SqliteStore>(std::move(store));
}

}  // namespace k1s::datastore
