// JobController: runs a Job's pods to completion (upstream pkg/controller/job, 1.32 semantics) and,
// as upstream's ttl-after-finished controller, deletes finished Jobs whose TTL has passed.
// WATCHES: batch/v1 jobs, v1 pods (by controller uid).
// WRITES:  pods (create from the template, delete), jobs/status, jobs (TTL delete), Events.
// INVARIANT: a Job that is not finished has min(parallelism, remaining completions) active pods
//   (one per pending index when Indexed) unless suspended, failed or backing off; its status counts
//   never go down. Handlers run on informer threads and only enqueue; Reconcile runs on workers.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "lib/base/clock.h"
#include "lib/client/workqueue.h"
#include "server/controllers/controller.h"
#include "server/controllers/job/job_logic.h"

namespace k1s::controllers {

// Pod writes a controller made that its informer has not shown yet, per owner key: until they show
// (or expire), the cache is stale for that owner and Reconcile must not act on it. Thread-safe.
class PodExpectations {
 public:
  void ExpectCreate(const std::string& key, const std::string& pod_key, TimePoint now);
  void ExpectDelete(const std::string& key, const std::string& pod_key, TimePoint now);
  // Drops what the cache now shows (present for creates, absent for deletes); true when nothing is pending.
  bool Satisfied(const std::string& key, const client::SharedInformer& pods, TimePoint now);
  void Forget(const std::string& key);

 private:
  struct Pending {
    std::set<std::string> creates, deletes;
    TimePoint since;
  };
  std::mutex mu_;
  std::map<std::string, Pending> pending_;
};

// Index name the workload controllers use on the shared pods informer (IndexByControllerUid).
using client::kControllerUidIndex;  // the shared pods/jobs/revisions index by controller uid
// Adds the controller-uid index to an informer unless it is there already.
using client::EnsureControllerUidIndex;

class JobController final : public Controller {
 public:
  explicit JobController(ControllerContext ctx, Clock& clock = SystemClock());
  ~JobController() override;
  std::string Name() const override { return "job-controller"; }
  void Start(int workers) override;
  void Stop() override;
  // One pass over the Job "ns/name" (public for tests).
  Status Reconcile(const std::string& key);

 private:
  void EnqueuePodOwner(const client::ObjectPtr& pod);

  ControllerContext ctx_;
  Clock& clock_;
  client::SharedInformer& jobs_;
  client::SharedInformer& pods_;
  client::WorkQueue queue_;
  PodExpectations expectations_;
  std::thread runner_;
};

}  // namespace k1s::controllers
