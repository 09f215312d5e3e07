// WatchHub: fans committed write batches out to watchers. The store's writer thread calls Publish()
// after each durable commit; consumers call WatchStream::Next() on their own threads. A watcher that
// starts in the past, or falls more than queue_limit events behind, reads the missing range back from
// the store's log through a HistoryReader instead of buffering without bound, so the writer never
// blocks on a slow consumer and every watcher sees every event in order, once.
// Owned by the store; outlives every stream it creates (streams hold a shared_ptr to their state).
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "datastore/store.h"

namespace k1s::datastore {

// Reads the events with revision in [from, to] for keys with the prefix, at most limit of them, in
// revision order. Called on consumer threads.
using HistoryReader =
    std::function<Result<std::vector<Event>>(const std::string& prefix, Revision from, Revision to, int limit)>;

class WatchHub {
 public:
  WatchHub(HistoryReader reader, size_t queue_limit, Revision last_revision);
  ~WatchHub();

  // Writer thread: events of one committed batch, in revision order; last_revision is the batch's
  // last revision.
  void Publish(const std::vector<Event>& events, Revision last_revision);
  // A new watch. from_revision 0 means "after the latest published revision". The caller has checked
  // compaction; compacted_revision is consulted again on every catch-up read.
  std::unique_ptr<WatchStream> Watch(const std::string& prefix, Revision from_revision,
                                     const std::atomic<Revision>* compacted_revision);
  // Ends every stream: their Next() fails with kServiceUnavailable.
  void Shutdown();
  size_t WatcherCountForTest();

  struct Watcher;  // shared state of one stream (defined in watch_hub.cc)

 private:
  HistoryReader reader_;
  size_t queue_limit_;
  std::mutex mu_;
  Revision last_published_;
  bool shut_down_ = false;
  std::vector<std::weak_ptr<Watcher>> watchers_;
};

}  // namespace k1s::datastore
