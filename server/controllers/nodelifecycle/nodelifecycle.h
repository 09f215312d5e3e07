// NodeLifecycleController: notices nodes whose kubelet stopped heartbeating, marks them Unknown and
// taints them, and evicts the pods that do not tolerate a node's NoExecute taints (upstream
// pkg/controller/nodelifecycle with its taint-eviction manager, 1.32 semantics; no zone rate limits).
// WATCHES: v1 nodes, coordination.k8s.io/v1 leases in kube-node-lease, v1 pods (by spec.nodeName).
// WRITES:  nodes/status (conditions Unknown), nodes (spec.taints), pods/status (Ready False,
//          DisruptionTarget), pods (delete on eviction), Events (NodeNotReady, TaintManagerEviction).
// INVARIANT: a node's node.kubernetes.io taints match its conditions; a pod stays on a NoExecute-tainted
//   node only while it tolerates the taint (and its tolerationSeconds since timeAdded have not run out).
//   Handlers run on informer threads and only enqueue node names; Reconcile runs on workers.
#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>

#include "lib/base/clock.h"
#include "lib/client/workqueue.h"
#include "server/controllers/controller.h"
#include "server/controllers/nodelifecycle/nodelifecycle_logic.h"

namespace k1s::controllers {

struct NodeLifecycleOptions {
  // How old the last heartbeat (lease renewTime or Ready lastHeartbeatTime) may be before the node is
  // Unknown (upstream --node-monitor-grace-period).
  std::chrono::milliseconds grace_period{std::chrono::seconds(40)};
  // The same for a node that never posted a Ready condition (upstream --node-startup-grace-period).
  std::chrono::milliseconds startup_grace_period{std::chrono::seconds(60)};
  // How often every node is looked at (upstream --node-monitor-period).
  std::chrono::milliseconds monitor_period{std::chrono::seconds(5)};
};

class NodeLifecycleController final : public Controller {
 public:
  explicit NodeLifecycleController(ControllerContext ctx, Clock& clock = SystemClock(),
                                   NodeLifecycleOptions options = {});
  ~NodeLifecycleController() override;
  std::string Name() const override { return "node-lifecycle-controller"; }
  void Start(int workers) override;
  void Stop() override;
  // One pass over the node `name` (public for tests).
  Status Reconcile(const std::string& name);

  // The name of the spec.nodeName index this controller adds to the shared pods informer.
  static constexpr const char* kNodeNameIndex = "spec.nodeName";

 private:
  void EnqueuePod(const client::ObjectPtr& pod);
  void Tick();
  Status EvictPods(const std::string& node_name, const nodelifecycle::json::object& node);

  ControllerContext ctx_;
  Clock& clock_;
  const NodeLifecycleOptions options_;
  client::SharedInformer& nodes_;
  client::SharedInformer& leases_;
  client::SharedInformer& pods_;
  client::WorkQueue queue_;

  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::map<std::string, nodelifecycle::Probe> probes_;         // by node name
  std::map<std::string, std::set<std::string>> scheduled_;     // node -> pods waiting for eviction
  std::thread runner_, ticker_;
};

}  // namespace k1s::controllers
