// SqliteStore: the embedded datastore. A log-structured table on SQLite in the spirit of kine: one row
// per write, revision = row id, compare-and-swap through UNIQUE(name, prev_revision).
// Threads: one writer thread owns the write connection and commits queued writes in groups (group
// commit: a batch is acknowledged only after its transaction is durable) and runs compaction in small
// time-bounded batches between them; readers use a small pool of read connections; watchers are fed
// from committed batches directly (no polling). Owned by the server's start-up wiring.
#pragma once

#include <memory>
#include <string>

#include "datastore/store.h"
#include "lib/base/clock.h"

namespace k1s::datastore {

struct SqliteOptions {
  std::string path;                  // the database file, e.g. <data-dir>/server/db/state.db
  // FULL: every acknowledged write survives power loss (fsync per batch). NORMAL: faster, an OS crash
  // may lose the last writes (never corrupts). Set with --datastore-sync.
  bool synchronous_full = true;
  // Revisions of history kept by automatic compaction (0 disables automatic compaction).
  int64_t compact_retain_revisions = 10000;
  // How often automatic compaction runs.
  std::chrono::milliseconds compact_interval = std::chrono::minutes(5);
  // Upper bound of one compaction transaction; the writer never stalls longer than about this.
  std::chrono::milliseconds compact_batch_budget = std::chrono::milliseconds(5);
  // How often expired leases are looked for.
  std::chrono::milliseconds lease_check_interval = std::chrono::seconds(1);
  // Most writes committed in one transaction.
  int max_batch = 1024;
  // A watcher with more undelivered events than this is caught up from the log instead.
  size_t watch_queue_limit = 10000;
  Clock* clock = nullptr;            // nullptr: the system clock
};

// Statistics for logs, metrics and tests.
struct SqliteStats {
  int64_t batches = 0;        // committed write transactions
  int64_t writes = 0;         // committed writes
  int64_t compacted_rows = 0; // rows removed by compaction
  int64_t db_bytes = 0;       // size of the database file (without WAL)
  int64_t wal_bytes = 0;
};

class SqliteStore : public Store {
 public:
  // Opens (creating if needed) the database and starts the writer thread. Fails with a clear message
  // if the file is not a k1s database, is corrupt or cannot be opened.
  static Result<std::unique_ptr<SqliteStore>> Open(const SqliteOptions& options);
  ~SqliteStore() override;

  // Waits for queued writes, stops the threads and closes the database. Idempotent.
  virtual void Close() = 0;
  virtual SqliteStats Stats() = 0;
  // Runs compaction of already-compacted history to completion now and checkpoints the WAL (tests,
  // benchmarks and shutdown; normal operation does this in the background).
  virtual Status FinishCompactionForTest() = 0;

 protected:
  SqliteStore() = default;
};

// An online, consistent copy of the database at path into out_path (SQLite backup API). Safe while a
// server has the database open. out_path must not exist.
Status SaveSnapshot(const std::string& db_path, const std::string& out_path);
// Checks that snapshot_path is a k1s database and replaces the database at db_path with it (the old
// one is kept as db_path + ".before-restore"). The server must be stopped: fails with kConflict if a
// process holds the database's lock.
Status RestoreSnapshot(const std::string& snapshot_path, const std::string& db_path);

}  // namespace k1s::datastore
