// The Namespace controller: empties a namespace being deleted, then tells the API server it may
// delete it. Owned by the controller manager; handlers run on the namespace informer's thread and
// only enqueue names; Reconcile runs on the worker threads (one namespace at a time per key).
// WATCHES: namespaces (the content is listed live, resource by resource, from the given list).
// WRITES:  deletes of every namespaced object in it, namespaces/status (phase, deletion conditions),
//          namespaces/finalize (removes "kubernetes" from spec.finalizers).
// INVARIANT: a namespace with deletionTimestamp and spec.finalizer "kubernetes" loses that finalizer
//   only once none of the listed resources has an object left in it.
#pragma once

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "lib/client/workqueue.h"
#include "server/controllers/controller.h"

namespace k1s::controllers::namespaces {

class NamespaceController final : public Controller {
 public:
  // resources: what to clean in a namespace being deleted (cluster-scoped entries are ignored).
  // recheck: how soon a namespace whose content is still going away is looked at again.
  NamespaceController(const ControllerContext& ctx, std::vector<client::Resource> resources,
                      std::chrono::milliseconds recheck = std::chrono::seconds(2));
  ~NamespaceController() override;
  std::string Name() const override { return "namespace-controller"; }
  void Start(int workers) override;
  void Stop() override;
  // One namespace name: deletes its content; when none is left, finalizes it.
  Status Reconcile(const std::string& name);

 private:
  ControllerContext ctx_;
  std::vector<client::Resource> resources_;
  const std::chrono::milliseconds recheck_;
  client::SharedInformer& namespaces_;
  client::WorkQueue queue_;
  std::thread runner_;
};

}  // namespace k1s::controllers::namespaces
