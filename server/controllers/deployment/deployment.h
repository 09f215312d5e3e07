// DeploymentController: rolls Deployments out through ReplicaSets, as upstream's kube-controller-manager
// deployment controller (RollingUpdate and Recreate, proportional scaling, pause, history cleanup).
// Owned by the controller manager; informer handlers run on the informers' threads and only enqueue
// keys; Reconcile runs on the worker threads.
// WATCHES: deployments.apps, replicasets.apps, pods (deletions, for Recreate); index "controller-uid".
// WRITES: replicasets (create <deploy>-<pod-template-hash>, scale, annotate, adopt/release, delete
//         beyond revisionHistoryLimit), deployments (the revision annotation), deployments/status,
//         Events ScalingReplicaSet/FailedCreate/SelectingAll.
// INVARIANT: exactly one ReplicaSet (the newest revision) matches the Deployment's template; the sum of
//            ReplicaSet sizes stays within replicas+maxSurge and availability above replicas-maxUnavailable.
#pragma once

#include <string>
#include <thread>
#include <vector>

#include "lib/base/clock.h"
#include "lib/client/workqueue.h"
#include "server/controllers/controller.h"
#include "server/controllers/deployment/deployment_logic.h"

namespace k1s::controllers {

struct DeploymentOptions {
  const Clock* clock = nullptr;  // SystemClock() when null
};

class DeploymentController final : public Controller {
 public:
  explicit DeploymentController(const ControllerContext& ctx, DeploymentOptions options = {});
  ~DeploymentController() override;  // Stops

  std::string Name() const override { return "deployment-controller"; }
  void Start(int workers) override;
  void Stop() override;

  // Syncs one Deployment ("ns/name") from the cache.
  Status Reconcile(const std::string& key);

  client::WorkQueue& queue() { return queue_; }  // tests

 private:
  using RsVec = std::vector<boost::json::object>;

  void Enqueue(const boost::json::object& d);
  void EnqueueMatching(const boost::json::object& rs);
  client::ObjectPtr ResolveOwner(const boost::json::object& rs) const;
  void OnRsAdd(const client::ObjectPtr& rs);
  void OnRsUpdate(const client::ObjectPtr& old_rs, const client::ObjectPtr& new_rs);
  void OnRsDelete(const client::ObjectPtr& rs);
  void OnPodDelete(const client::ObjectPtr& pod);

  Result<RsVec> ClaimReplicaSets(const boost::json::object& d);
  // The new ReplicaSet's index in rss (-1: none), creating it when create is true, and syncing its
  // revision and annotations and the Deployment's revision annotation.
  Result<int> GetNewReplicaSet(boost::json::object& d, RsVec& rss, bool create);
  Result<bool> ScaleReplicaSet(const boost::json::object& d, RsVec& rss, size_t i, int64_t replicas);
  Result<bool> ScaleIfChanged(const boost::json::object& d, RsVec& rss, size_t i, int64_t replicas);
  Status CheckPausedConditions(boost::json::object& d);
  Status Sync(boost::json::object& d, RsVec& rss);
  Status RolloutRolling(boost::json::object& d, RsVec& rss);
  Status RolloutRecreate(boost::json::object& d, RsVec& rss);
  Status SyncRolloutStatus(boost::json::object& d, RsVec& rss, int new_idx);
  Status WriteStatus(boost::json::object& d, boost::json::object status);
  Status SetDeploymentRevision(boost::json::object& d, int64_t revision);
  Status CleanUp(const boost::json::object& d, const RsVec& rss, int new_idx);

  client::Client& client_;
  client::SharedInformer& d_informer_;
  client::SharedInformer& rs_informer_;
  client::SharedInformer& pod_informer_;
  client::EventRecorder& events_;
  const Clock& clock_;
  client::WorkQueue queue_;
  std::thread runner_;
};

}  // namespace k1s::controllers
