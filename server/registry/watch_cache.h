// WatchCache: an in-memory copy of every object under /registry/ plus a window of recent events, fed
// by one datastore watch. LIST and WATCH are served from it: a list waits until the cache has caught
// up with the revision it must be consistent with, a watch replays from the event window and then
// follows live events. Requests the cache cannot serve (a revision older than its window) are told so
// and the caller falls back to the datastore.
// Threads: one feeder thread (owned here) applies datastore events under a writer lock; any number of
// request threads read under shared locks and wait on a condition variable. Owned by the Registry.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>
#include <vector>

#include "datastore/store.h"
#include "lib/base/result.h"

namespace k1s::registry {

struct WatchCacheOptions {
  size_t event_window = 20000;  // recent events kept for watches that resume from a revision
};

class WatchCache {
 public:
  using KeyValuePtr = std::shared_ptr<const datastore::KeyValue>;
  // An event of the window. kv and prev are the very objects the object map holds (or held, for a
  // superseded or deleted version): the window costs a pointer per event, not a copy of the value.
  struct CachedEvent {
    datastore::Event::Type type = datastore::Event::Type::kCreate;
    datastore::Revision revision = 0;
    KeyValuePtr kv;    // the new state; for kDelete, the key with an empty value
    KeyValuePtr prev;  // the state before the write; null for kCreate
  };
  using EventPtr = std::shared_ptr<const CachedEvent>;

  // Lists everything under prefix (normally "/registry/") and starts following it.
  static Result<std::unique_ptr<WatchCache>> Start(datastore::Store& store, std::string prefix,
                                                    WatchCacheOptions options = {});
  ~WatchCache();
  WatchCache(const WatchCache&) = delete;
  WatchCache& operator=(const WatchCache&) = delete;

  // The revision the cache reflects (every event up to it has been applied).
  datastore::Revision Revision() const;
  // Waits until Revision() >= rev; false on timeout or when the cache stopped.
  bool WaitFor(datastore::Revision rev, std::chrono::milliseconds timeout) const;

  // The live keys in [start, end of prefix) in key order (start "" = from the prefix), at one
  // consistent revision (returned). Values are the stored JSON texts, shared, not copied.
  datastore::Revision Scan(const std::string& prefix, const std::string& start, std::vector<KeyValuePtr>* out) const;

  // A watch over keys starting with prefix, delivering every event with revision > after.
  class Cursor {
   public:
    // Waits up to timeout for events; empty on timeout. kGone when the events it needs have left the
    // window (the client must re-list), kServiceUnavailable once the cache stopped.
    Result<std::vector<EventPtr>> Next(std::chrono::milliseconds timeout);
    // The revision of the last event returned (or the start revision).
    datastore::Revision Position() const { return position_; }

   private:
    friend class WatchCache;
    Cursor(const WatchCache* cache, std::string prefix, datastore::Revision after)
        : cache_(cache), prefix_(std::move(prefix)), position_(after) {}
    const WatchCache* cache_;
    std::string prefix_;
    datastore::Revision position_;
  };
  // kGone if revision `after` is older than the window (use the datastore's watch instead).
  Result<Cursor> WatchFrom(const std::string& prefix, datastore::Revision after) const;
  // Snapshot of the live keys under prefix and a cursor for everything after it, atomically.
  Cursor WatchWithSnapshot(const std::string& prefix, std::vector<KeyValuePtr>* snapshot) const;

  // Number of cached objects (for logs and tests).
  size_t Size() const;
  void Stop();

 private:
  WatchCache(datastore::Store& store, std::string prefix, WatchCacheOptions options)
      : store_(store), prefix_(std::move(prefix)), options_(options) {}
  void Feed();
  Status Load();  // (re)lists everything; caller holds no lock
  void Apply(datastore::Event& ev);  // caller holds mu_ exclusively; moves the value out of ev

  datastore::Store& store_;
  const std::string prefix_;
  const WatchCacheOptions options_;
  std::unique_ptr<datastore::WatchStream> stream_;
  std::thread feeder_;

  mutable std::shared_mutex mu_;
  mutable std::condition_variable_any changed_;
  std::map<std::string, KeyValuePtr, std::less<>> objects_;
  std::deque<EventPtr> window_;            // revision order
  datastore::Revision revision_ = 0;
  datastore::Revision window_start_ = 0;   // events with revision > window_start_ are all in window_
  bool stopped_ = false;
};

}  // namespace k1s::registry
