// StatefulSetController: pods with stable names, hostnames and claims (upstream
// pkg/controller/statefulset, 1.32).
// WATCHES: apps/v1 statefulsets, v1 pods (by controller uid), apps/v1 controllerrevisions.
// WRITES:  persistentvolumeclaims (<template>-<sts>-<ordinal>, before the pod), pods <sts>-<ordinal>,
//          controllerrevisions (<sts>-<hash>), statefulsets/status, Events.
// INVARIANT: ordinals [0, replicas) exist with their claims; OrderedReady creates in order and deletes in
//   reverse, one at a time, each waiting for Running and Ready; a RollingUpdate replaces ordinals >=
//   partition from the highest down. Handlers run on informer threads and only enqueue.
#pragma once

#include <string>
#include <thread>

#include "lib/base/clock.h"
#include "lib/client/workqueue.h"
#include "server/controllers/controller.h"
#include "server/controllers/statefulset/statefulset_logic.h"

namespace k1s::controllers {

class StatefulSetController final : public Controller {
 public:
  explicit StatefulSetController(ControllerContext ctx, Clock& clock = SystemClock());
  ~StatefulSetController() override;
  std::string Name() const override { return "statefulset-controller"; }
  void Start(int workers) override;
  void Stop() override;
  // One pass over the StatefulSet "ns/name" (public for tests).
  Status Reconcile(const std::string& key);

 private:
  void EnqueuePodOwner(const client::ObjectPtr& pod);
  Status SyncRevision(const json::object& sts);

  ControllerContext ctx_;
  Clock& clock_;
  client::SharedInformer& sets_;
  client::SharedInformer& pods_;
  client::SharedInformer& revisions_;
  client::WorkQueue queue_;
  std::thread runner_;
};

}  // namespace k1s::controllers
