// DaemonSetController: one daemon pod on every eligible node (upstream pkg/controller/daemon, 1.32).
// WATCHES: apps/v1 daemonsets, v1 pods (by controller uid), v1 nodes, apps/v1 controllerrevisions.
// WRITES:  pods (create pinned to a node by required node affinity on metadata.name, delete),
//          controllerrevisions (one per template, named <ds>-<hash>), daemonsets/status, Events.
// INVARIANT: each node the DaemonSet should run on has exactly one live daemon pod, nodes it must not
//   run on have none, and a RollingUpdate never makes more than maxUnavailable nodes unavailable.
//   Handlers run on informer threads and only enqueue; Reconcile runs on workers.
#pragma once

#include <string>
#include <thread>

#include "lib/base/clock.h"
#include "lib/client/workqueue.h"
#include "server/controllers/controller.h"
#include "server/controllers/daemonset/daemonset_logic.h"
#include "server/controllers/job/job.h"

namespace k1s::controllers {

class DaemonSetController final : public Controller {
 public:
  explicit DaemonSetController(ControllerContext ctx, Clock& clock = SystemClock());
  ~DaemonSetController() override;
  std::string Name() const override { return "daemonset-controller"; }
  void Start(int workers) override;
  void Stop() override;
  // One pass over the DaemonSet "ns/name" (public for tests).
  Status Reconcile(const std::string& key);

 private:
  void EnqueueAll();
  void EnqueuePodOwner(const client::ObjectPtr& pod);
  // The current revision's hash, creating or renumbering its ControllerRevision; prunes old ones.
  Result<std::string> SyncRevisions(const json::object& ds, const PodList& pods);

  ControllerContext ctx_;
  Clock& clock_;
  client::SharedInformer& daemonsets_;
  client::SharedInformer& pods_;
  client::SharedInformer& nodes_;
  client::SharedInformer& revisions_;
  client::WorkQueue queue_;
  PodExpectations expectations_;
  std::thread runner_;
};

}  // namespace k1s::controllers
