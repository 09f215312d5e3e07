// ReplicaSetController: keeps spec.replicas pods running for every ReplicaSet, as upstream's
// kube-controller-manager replicaset controller. Owned by the controller manager; informer handlers
// run on the informers' threads and only enqueue keys; Reconcile runs on the worker threads.
// WATCHES: replicasets.apps, pods (shared informers; index "controller-uid" on both).
// WRITES: pods (create from the template, delete surplus, adopt/release via ownerReferences patches),
//         replicasets/status, Events SuccessfulCreate/SuccessfulDelete/FailedCreate.
// INVARIANT: every active pod matching a ReplicaSet's selector in its namespace, and no other, carries a
//            controller reference to it, and there are spec.replicas of them once expectations are met.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "lib/base/clock.h"
#include "lib/client/workqueue.h"
#include "server/controllers/controller.h"
#include "server/controllers/replicaset/replicaset_logic.h"

namespace k1s::controllers {

namespace json = boost::json;

// The informer index both the ReplicaSet and Deployment controllers add: the controller owner's uid.
using client::kControllerUidIndex;  // the shared pods/jobs/revisions index by controller uid
// Adds kControllerUidIndex to an informer unless it is already there.
using client::EnsureControllerUidIndex;

struct ReplicaSetOptions {
  int burst_replicas = 500;  // most creates or deletes in one sync
  std::chrono::steady_clock::duration expectations_timeout = std::chrono::minutes(5);
  const Clock* clock = nullptr;  // SystemClock() when null
};

class ReplicaSetController final : public Controller {
 public:
  explicit ReplicaSetController(const ControllerContext& ctx, ReplicaSetOptions options = {});
  ~ReplicaSetController() override;  // Stops

  std::string Name() const override { return "replicaset-controller"; }
  void Start(int workers) override;
  void Stop() override;

  // Syncs one ReplicaSet ("ns/name") from the cache: claims pods, creates or deletes pods, writes status.
  Status Reconcile(const std::string& key);

  // Tests.
  client::WorkQueue& queue() { return queue_; }
  const replicaset::ControllerExpectations& expectations() const { return expectations_; }

 private:
  void EnqueueRs(const json::object& rs);
  void EnqueueMatchingRs(const json::object& pod);
  // The cached ReplicaSet a pod's controller reference names (nullptr if none or another kind/uid).
  client::ObjectPtr ResolveOwner(const json::object& pod) const;
  void OnPodAdd(const client::ObjectPtr& pod);
  void OnPodUpdate(const client::ObjectPtr& old_pod, const client::ObjectPtr& new_pod);
  void OnPodDelete(const client::ObjectPtr& pod);

  // Creates or deletes pods; the error of the first failed write, if any.
  std::optional<Error> ManageReplicas(const json::object& rs, const std::string& key,
                                      const std::vector<const json::object*>& pods, bool* was_create);
  // Adopts and releases pods; *owned gets the pods the ReplicaSet controls afterwards.
  Status ClaimPods(const json::object& rs, std::vector<client::ObjectPtr>* owned);
  Status WriteStatus(const json::object& rs, const json::object& status);

  client::Client& client_;
  client::SharedInformer& rs_informer_;
  client::SharedInformer& pod_informer_;
  client::EventRecorder& events_;
  const ReplicaSetOptions options_;
  const Clock& clock_;
  client::WorkQueue queue_;
  replicaset::ControllerExpectations expectations_;
  std::thread runner_;
};

}  // namespace k1s::controllers
