// Scheduler: k1s's kube-scheduler loop. Keeps a Snapshot of nodes and their pods current from the node and
// pod informers, queues pending pods by priority, decides with scheduler_logic's Schedule, and binds.
// Owned by the server's start-up wiring. Threads: informer threads run the handlers (snapshot + queue
// updates under locks); one scheduling thread pops pods and decides, so decisions are serial; `workers`
// binder threads POST bindings, write pod status, delete preemption victims.
// WATCHES nodes; pods (all namespaces).
// WRITES pods/binding; pods/status (PodScheduled condition, nominatedNodeName, victims' DisruptionTarget);
//        deletes preemption victims; Events (Scheduled, FailedScheduling, Preempted).
// INVARIANT: the snapshot counts every bound non-terminal pod the informer knows plus every pod this
//            scheduler assumed onto a node and the informer has not yet shown bound; a pod is assumed at
//            most once at a time, so it is never bound twice.
#pragma once

#include <atomic>
#include <boost/json/object.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <queue>
#include <random>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "server/controllers/controller.h"

namespace k1s::scheduler {

namespace json = boost::json;

struct PodInfo;  // scheduler_logic.h

// ---- The scheduling queue -----------------------------------------------------------------------------

struct SchedulingQueueOptions {
  // A pod that failed waits initial_backoff * 2^(attempts-1), capped at max_backoff (upstream: 1 s, 10 s),
  // counted from its last attempt, before it is tried again.
  std::chrono::milliseconds initial_backoff{1000};
  std::chrono::milliseconds max_backoff{10000};
  // An unschedulable pod no event moved is retried after this long anyway (upstream: 5 min; we use 60 s).
  std::chrono::milliseconds unschedulable_timeout{60000};
  // The clock (tests inject one).
  std::function<std::chrono::steady_clock::time_point()> now;
};

// Pending pods' keys ("ns/name") in three places, as upstream's PriorityQueue: active (a heap: higher
// priority first, then first come), backoff (failed pods waiting out their backoff) and unschedulable
// (parked until MoveAllToActive or the timeout). A popped key is "in flight" until Done, MarkUnschedulable
// or Requeue. Thread-safe: handlers add from informer threads, the scheduling thread pops, binders finish.
class SchedulingQueue {
 public:
  using Clock = std::chrono::steady_clock;
  explicit SchedulingQueue(SchedulingQueueOptions options = {});
  SchedulingQueue(const SchedulingQueue&) = delete;
  SchedulingQueue& operator=(const SchedulingQueue&) = delete;

  // A pending pod: queued active unless already known (then only its priority is noted).
  void Add(const std::string& key, int32_t priority);
  // A pending pod changed in a way that may make it schedulable: parked, it moves to backoff/active;
  // in flight, a later MarkUnschedulable sends it to backoff instead of parking it.
  void Update(const std::string& key, int32_t priority);
  // The pod is gone, bound, or no longer ours.
  void Delete(const std::string& key);

  // Blocks until a key is active and hands it out (in flight); nullopt after ShutDown or on timeout.
  std::optional<std::string> Pop();
  std::optional<std::string> Pop(std::chrono::milliseconds timeout);
  // Finished with an in-flight key: forgotten (bound, or no longer pending).
  void Done(const std::string& key);
  // The in-flight pod fit nowhere: parked, or to backoff when something moved meanwhile.
  void MarkUnschedulable(const std::string& key);
  // The in-flight pod hit an error (binding failed): tried again after its backoff.
  void Requeue(const std::string& key);
  // Something changed that may let parked pods fit (a node added/changed, an assigned pod deleted).
  void MoveAllToActive();

  void ShutDown();

  struct Counts {
    size_t active = 0, backoff = 0, unschedulable = 0, in_flight = 0;
  };
  Counts GetCounts() const;
  // Key's attempts so far (0 when unknown).
  int Attempts(const std::string& key) const;

 private:
  using TimePoint = Clock::time_point;
  enum class Where { kActive, kBackoff, kUnschedulable, kInFlight };
  struct Entry {
    int32_t priority = 0;
    uint64_t seq = 0;  // of its heap item while active
    Where where = Where::kActive;
    int attempts = 0;
    TimePoint last_attempt{};
    TimePoint ready_at{};   // backoff
    TimePoint parked_at{};  // unschedulable
    uint64_t popped_cycle = 0;
    bool changed_in_flight = false;
  };
  struct HeapItem {
    int32_t priority;
    uint64_t seq;
    std::string key;
  };
  struct HeapLess {
    bool operator()(const HeapItem& a, const HeapItem& b) const {
      return a.priority != b.priority ? a.priority < b.priority : a.seq > b.seq;
    }
  };

  TimePoint Now() const;
  void PushActiveLocked(const std::string& key, Entry& e);
  void BackoffOrActiveLocked(const std::string& key, Entry& e, TimePoint now);
  // Moves due backoff and timed-out unschedulable entries; returns when the next one is due.
  TimePoint PromoteLocked(TimePoint now);

  const SchedulingQueueOptions options_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::unordered_map<std::string, Entry> entries_;
  std::priority_queue<HeapItem, std::vector<HeapItem>, HeapLess> active_;  // lazily pruned
  std::multimap<TimePoint, std::string> backoff_;                          // lazily pruned
  std::unordered_set<std::string> unschedulable_;
  uint64_t next_seq_ = 0;
  uint64_t move_cycle_ = 0;
  bool shutting_down_ = false;
};

// ---- Pure helpers of the loop -------------------------------------------------------------------------

// Unbound, not being deleted, not terminal, and for this scheduler (spec.schedulerName equal, or empty
// when scheduler_name is "default-scheduler").
bool IsPendingFor(const json::object& pod, const std::string& scheduler_name);
// spec.priority (0 when unset).
int32_t PodPriority(const json::object& pod);
// A node change that can make a pod fit: labels, taints, unschedulable, allocatable, condition statuses.
bool NodeSchedulingPropertiesChanged(const json::object& old_node, const json::object& new_node);
// A pending pod change that can change the decision: labels, annotations or spec.
bool PodSchedulingPropertiesChanged(const json::object& old_pod, const json::object& new_pod);
// The v1 Binding POSTed to pods/<name>/binding.
json::object MakeBinding(const json::object& pod, const std::string& node);
// The pod's status.conditions with `condition` (type, status, reason, message) set: lastTransitionTime is
// `now` when the status changes and kept otherwise. *changed tells whether anything differs.
json::array WithCondition(const json::object& pod, const json::object& condition, const std::string& now,
                          bool* changed);
// The merge patch for pods/status after a failed attempt: PodScheduled=False with reason and message,
// and status.nominatedNodeName when nominated is non-empty. nullopt when the pod already says so.
std::optional<json::object> UnschedulableStatusPatch(const json::object& pod, const std::string& reason,
                                                     const std::string& message, const std::string& nominated,
                                                     const std::string& now);

// ---- The loop -----------------------------------------------------------------------------------------

struct SchedulerOptions {
  std::string scheduler_name = "default-scheduler";
  SchedulingQueueOptions queue;
  bool preemption = true;
  // Ties between best-scored nodes: random like upstream, or the first by name (tests).
  bool random_ties = true;
};

class Scheduler : public controllers::Controller {
 public:
  // Registers handlers on ctx.informers' node and pod informers.
  explicit Scheduler(const controllers::ControllerContext& ctx, SchedulerOptions options = {});
  ~Scheduler() override;  // Stops

  std::string Name() const override { return "scheduler"; }
  // One scheduling thread (it waits for the informers to sync) and `workers` binder threads (8 if <= 0).
  void Start(int workers) override;
  // Shuts the queue down, joins the scheduling thread, lets binders finish what was handed to them.
  void Stop() override;

  struct Stats {
    uint64_t attempts = 0, scheduled = 0, unschedulable = 0, bind_errors = 0, preemptions = 0;
  };
  Stats GetStats() const;
  SchedulingQueue::Counts QueueCounts() const;

 private:
  struct State;  // shared with the informer handlers, so it outlives this object if they do
  class BinderPool;

  void Run();
  void ScheduleOne(const std::string& key);
  // On a binder thread: deletes victims, writes PodScheduled=False (+ nominatedNodeName), records the event.
  void ReportFailure(std::shared_ptr<const json::object> pod, std::string reason, std::string message,
                     std::string nominated, std::vector<std::shared_ptr<const PodInfo>> victims);

  client::Client& client_;
  client::EventRecorder& events_;
  client::SharedInformer& nodes_;
  client::SharedInformer& pods_;
  std::shared_ptr<State> state_;
  std::unique_ptr<BinderPool> binders_;
  std::thread thread_;
  std::mt19937_64 rng_{std::random_device{}()};  // scheduling thread only
  std::atomic<bool> stopping_{false};
  bool started_ = false;
};

}  // namespace k1s::scheduler
