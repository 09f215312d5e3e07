// DisruptionController: keeps the status of every PodDisruptionBudget (policy/v1) current, as upstream's
// kube-controller-manager disruption controller: expectedPods, currentHealthy, desiredHealthy,
// disruptionsAllowed, disruptedPods, observedGeneration and the DisruptionAllowed condition, which the API
// server's eviction (Registry::Evict) reads and decrements. Owned by the controller manager; informer
// handlers run on the informers' threads and only enqueue keys; Reconcile runs on the worker threads.
// WATCHES: poddisruptionbudgets.policy, pods (handlers); replicasets, deployments, statefulsets (caches
//          only, for the pods' controllers' scale); replicationcontrollers are read with Get.
// WRITES:  poddisruptionbudgets/status; Events NoPods, UnmanagedPods, CalculateExpectedPodCountFailed,
//          NotDeleted (on pods).
// INVARIANT: a budget's status.disruptionsAllowed never exceeds max(0, healthy pods - desiredHealthy) as
//            last seen in the caches, and is 0 after any error computing it (fail safe).
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "lib/base/clock.h"
#include "lib/client/workqueue.h"
#include "server/controllers/controller.h"
#include "server/controllers/disruption/disruption_logic.h"

namespace k1s::controllers {

namespace json = boost::json;

class DisruptionController final : public Controller {
 public:
  explicit DisruptionController(const ControllerContext& ctx, const Clock& clock = SystemClock());
  ~DisruptionController() override;  // Stops

  std::string Name() const override { return "disruption-controller"; }
  void Start(int workers) override;
  void Stop() override;

  // Syncs one budget ("ns/name") from the caches and writes its status when it changed.
  Status Reconcile(const std::string& key);

  client::WorkQueue& queue() { return queue_; }  // tests

 private:
  void EnqueuePdbsFor(const json::object& pod);
  // The sum of the scales of the selected pods' controllers (upstream getExpectedScale); unmanaged gets
  // the pods without a controller.
  Result<int64_t> ControllersScale(const std::vector<client::ObjectPtr>& pods, std::vector<std::string>* unmanaged);
  Status TrySync(const client::ObjectPtr& pdb, const std::string& key);
  Status WriteStatus(const json::object& pdb, json::object status);

  ControllerContext ctx_;
  const Clock& clock_;
  client::SharedInformer& pdbs_;
  client::SharedInformer& pods_;
  client::SharedInformer& replicasets_;
  client::SharedInformer& deployments_;
  client::SharedInformer& statefulsets_;
  client::WorkQueue queue_;
  std::mutex mu_;
  // Budgets whose stored disruptionsAllowed is below what the caches give (an eviction not yet seen):
  // key -> when that was first noticed (given up after disruption::kDeletionTimeout).
  std::map<std::string, std::chrono::steady_clock::time_point> unseen_evictions_;
  std::thread runner_;
};

}  // namespace k1s::controllers
