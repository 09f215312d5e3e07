// ResourceQuotaController: keeps every ResourceQuota's status current (upstream
// pkg/controller/resourcequota): status.hard mirrors spec.hard and status.used is recounted from the
// objects of the quota's namespace (lib/api/quota.h), so usage charged at admission
// (server/registry/quota_admission.h) is given back when objects go away or reach a terminal phase.
// WATCHES: v1 resourcequotas; the kinds quotas track (pods, services, persistentvolumeclaims, and any
//          count/<resource>.<group>), whose informers are added the first time a quota names them.
// WRITES:  resourcequotas/status (with the cached quota's resourceVersion as precondition).
// INVARIANT: after a sync, status.used of a quota equals the recount of its namespace; every quota is
//            recounted when its spec changes, when a tracked object is deleted or changes its usage,
//            and every resync period. Handlers run on informer threads and only enqueue; Reconcile
//            runs on the workers.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "lib/base/clock.h"
#include "lib/client/workqueue.h"
#include "server/controllers/controller.h"
#include "server/controllers/resourcequota/resourcequota_logic.h"

namespace k1s::controllers {

struct ResourceQuotaOptions {
  // Every quota is recounted this often (upstream --resource-quota-sync-period).
  std::chrono::milliseconds resync_period{std::chrono::minutes(5)};
};

class ResourceQuotaController final : public Controller {
 public:
  // resources: the served namespaced resources (what count/<resource>.<group> may name).
  ResourceQuotaController(const ControllerContext& ctx, std::vector<client::Resource> resources,
                          Clock& clock = SystemClock(), ResourceQuotaOptions options = {});
  ~ResourceQuotaController() override;
  std::string Name() const override { return "resourcequota-controller"; }
  void Start(int workers) override;
  void Stop() override;
  // Recounts one quota ("ns/name") and writes its status if it changed.
  Status Reconcile(const std::string& key);

 private:
  void EnqueueNamespace(const std::string& ns);
  void EnqueueAll();
  // The served resource a quota's group/plural names: a built-in one, or one a CustomResourceDefinition
  // serves (looked up live, so CRDs made after start-up count too); nullopt if none.
  std::optional<client::Resource> Lookup(const resourcequota::GroupResource& gr);
  // Starts watching a tracked kind (once): deletions and usage changes recount its namespace.
  void Watch(const client::Resource& r);

  ControllerContext ctx_;
  const std::vector<client::Resource> resources_;
  Clock& clock_;
  const ResourceQuotaOptions options_;
  client::SharedInformer& quotas_;
  client::WorkQueue queue_;
  std::mutex mu_;
  std::set<std::string> watched_;  // GroupResource() of the kinds whose informers have our handlers
  std::thread runner_;
  std::thread resync_;
  std::mutex resync_mu_;
  std::condition_variable resync_cv_;
  bool stopping_ = false;
};

}  // namespace k1s::controllers
