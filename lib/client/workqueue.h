// WorkQueue: the rate-limited queue of object keys ("ns/name") between a controller's event handlers
// and its workers, with client-go's guarantees: a key queued twice is queued once; a key being
// processed is never handed to a second worker (re-added meanwhile, it runs again after Done);
// AddAfter delays a key; AddRateLimited delays it by a per-key exponential backoff that Forget resets.
// Owned by one controller; thread-safe (handlers Add from informer threads, workers Get/Done).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "lib/base/result.h"

namespace k1s::client {

struct WorkQueueOptions {
  std::string name;                                   // for logs
  std::chrono::milliseconds base_delay{5};            // first AddRateLimited delay, doubling per failure
  std::chrono::milliseconds max_delay{1000 * 1000};   // the cap (1000 s)
};

class WorkQueue {
 public:
  explicit WorkQueue(WorkQueueOptions options = {});
  ~WorkQueue();
  WorkQueue(const WorkQueue&) = delete;
  WorkQueue& operator=(const WorkQueue&) = delete;

  // Queues key unless it is already queued (ignored after ShutDown).
  void Add(const std::string& key);
  // Queues key after delay (at once when delay <= 0). Several delays for one key keep the earliest.
  void AddAfter(const std::string& key, std::chrono::milliseconds delay);
  // Queues key after its backoff: base_delay * 2^(failures so far), capped at max_delay.
  void AddRateLimited(const std::string& key);
  // Clears key's failure count (call after it was processed successfully).
  void Forget(const std::string& key);
  // How many times key was AddRateLimited since the last Forget.
  int NumRequeues(const std::string& key) const;

  // Blocks until a key is ready and hands it out; nullopt once shut down and drained of ready keys.
  // The caller must call Done(key) when finished with it.
  std::optional<std::string> Get();
  // Like Get, but gives up after timeout (nullopt).
  std::optional<std::string> Get(std::chrono::milliseconds timeout);
  void Done(const std::string& key);

  // Stops accepting keys and wakes every Get; delayed keys are dropped.
  void ShutDown();
  bool ShuttingDown() const;
  // Keys ready to be handed out (not counting those being processed or delayed).
  size_t Len() const;
  const std::string& name() const { return options_.name; }

 private:
  using TimePoint = std::chrono::steady_clock::time_point;
  void AddLocked(const std::string& key);
  // Moves delayed keys that are due into the queue; returns the next due time (max() when none).
  TimePoint PromoteLocked(TimePoint now);

  const WorkQueueOptions options_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> queue_;
  std::unordered_set<std::string> dirty_;       // queued, or to be queued again after Done
  std::unordered_set<std::string> processing_;  // handed out, not yet Done
  std::multimap<TimePoint, std::string> delayed_;
  std::unordered_map<std::string, TimePoint> delayed_at_;  // key -> its entry's time in delayed_
  std::unordered_map<std::string, int> failures_;
  bool shutting_down_ = false;
};

// Runs n worker threads that Get a key, call fn(key), and Done it: an ok Status Forgets the key,
// an error logs it and re-adds the key rate-limited. Blocks until the queue shuts down and every
// worker has finished its current key.
void RunWorkers(WorkQueue& queue, int n, const std::function<Status(const std::string& key)>& fn);

}  // namespace k1s::client
