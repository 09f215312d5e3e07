// Store: the seam between the API server and the datastore. A Kubernetes-agnostic, revisioned
// key-value store with etcd's semantics: every write gets the next global revision; reads can be
// served at any revision not yet compacted; watches replay history from a revision and then follow
// live writes, in revision order with no gap and no duplicate.
// Implementations (SqliteStore) are thread-safe: any method may be called from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lib/base/result.h"

namespace k1s::datastore {

// A datastore revision: 1 for the first write, +1 for each write after. 0 means "latest".
using Revision = int64_t;

struct KeyValue {
  std::string key;
  std::string value;
  Revision create_revision = 0;  // revision of the write that created this incarnation of the key
  Revision mod_revision = 0;     // revision of the last write to the key
  int64_t lease_ttl_seconds = 0; // 0: no expiry; else the key is deleted this long after its last write
};

struct Event {
  enum class Type { kCreate, kUpdate, kDelete };
  Type type = Type::kCreate;
  Revision revision = 0;          // == kv.mod_revision
  KeyValue kv;                    // the new state; for kDelete, the key with an empty value
  std::optional<KeyValue> prev;   // the state before the write (absent for kCreate)
};

struct ListOptions {
  // Either a prefix (every key starting with it) or a half-open range [start, end).
  std::string prefix;
  std::string start;
  std::string end;  // empty: no upper bound
  int64_t limit = 0;             // 0: no limit
  std::string continue_token;    // from a previous ListResult; overrides start and revision
  Revision revision = 0;         // 0: latest
  bool keys_only = false;        // values left empty
};

struct ListResult {
  std::vector<KeyValue> items;   // ordered by key
  Revision revision = 0;         // the revision this answer is consistent at
  bool more = false;             // more items remain after the limit
  std::string continue_token;    // pass back in ListOptions to get the next page (same revision)
};

struct WriteOptions {
  int64_t lease_ttl_seconds = 0;  // for Create/Update: delete the key this long after this write
};

// A live watch. Next() returns the following events in revision order; the producer never blocks on
// a slow consumer (a watcher that falls far behind is caught up from the log instead of buffering).
// One consumer thread per WatchStream.
class WatchStream {
 public:
  virtual ~WatchStream() = default;
  // Waits up to timeout for events. Returns at least one event, or an empty vector on timeout or
  // after Close(). Fails with kGone if the revisions it still needs have been compacted, and with
  // kServiceUnavailable once the store is closed.
  virtual Result<std::vector<Event>> Next(std::chrono::milliseconds timeout) = 0;
  // Called (from the writer's thread, without locks held) whenever new events may be ready. For
  // consumers that wait in an event loop instead of blocking in Next(). Set before first use.
  virtual void SetNotify(std::function<void()> notify) = 0;
  // Stops the watch; a blocked Next() returns an empty vector.
  virtual void Close() = 0;
  // The revision of the last event Next() returned (or from_revision - 1 before any).
  virtual Revision LastRevision() const = 0;
};

class Store {
 public:
  virtual ~Store() = default;

  // The key at a revision (0 = latest). kNotFound if absent or deleted at that revision; kGone if the
  // revision is compacted; kInvalid if it is in the future.
  virtual Result<KeyValue> Get(const std::string& key, Revision revision = 0) = 0;
  virtual Result<ListResult> List(const ListOptions& options) = 0;
  // Number of live keys in a prefix at the latest revision.
  virtual Result<int64_t> Count(const std::string& prefix) = 0;

  // Creates a key; kAlreadyExists if it is live.
  virtual Result<KeyValue> Create(const std::string& key, std::string value, WriteOptions options = {}) = 0;
  // Replaces the value if the key's mod_revision is expected_revision (0: any). kNotFound if absent;
  // kConflict if changed, with the current state in *current when given.
  virtual Result<KeyValue> Update(const std::string& key, std::string value, Revision expected_revision,
                                  WriteOptions options = {}, KeyValue* current = nullptr) = 0;
  // Deletes the key if its mod_revision is expected_revision (0: any). Returns the key's last value
  // with mod_revision set to the revision of the delete. Same errors as Update.
  virtual Result<KeyValue> Delete(const std::string& key, Revision expected_revision,
                                  KeyValue* current = nullptr) = 0;

  // The latest committed revision.
  virtual Revision CurrentRevision() = 0;
  // The oldest revision still readable (reads below it fail with kGone).
  virtual Revision CompactedRevision() = 0;
  // Events for keys starting with prefix with revision >= from_revision (0: only future writes).
  // kGone if from_revision is compacted (from_revision <= CompactedRevision()).
  virtual Result<std::unique_ptr<WatchStream>> Watch(const std::string& prefix, Revision from_revision) = 0;
  // Forgets history before revision: reads below it fail with kGone at once; the space is reclaimed in
  // the background in small batches. kGone if already compacted past it, kInvalid if in the future.
  virtual Status Compact(Revision revision) = 0;
};

}  // namespace k1s::datastore
