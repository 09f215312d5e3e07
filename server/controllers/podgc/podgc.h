// PodGCController: the pod garbage collector (upstream pkg/controller/podgc, 1.32 semantics). One
// periodic pass (the single key "podgc") force-deletes (grace 0) terminated pods beyond the threshold,
// oldest first; pods bound to nodes that have been gone for the quarantine time (checked against the
// API, not only the cache); terminating pods not bound to a node; terminating pods on out-of-service nodes.
// WATCHES: v1 pods, v1 nodes (read from the caches; no handlers, the pass is periodic).
// WRITES:  pods/status (phase Failed, DisruptionTarget) and pods (delete with grace 0).
// INVARIANT: at most `terminated_pod_threshold` terminated pods exist after a pass; no pod outlives its
//   node by more than the quarantine plus a period. Reconcile runs on the one worker.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "lib/base/clock.h"
#include "lib/client/workqueue.h"
#include "server/controllers/controller.h"
#include "server/controllers/podgc/podgc_logic.h"

namespace k1s::controllers {

struct PodGCOptions {
  // Terminated pods kept (upstream --terminated-pod-gc-threshold); <= 0 keeps them all.
  int terminated_pod_threshold = 12500;
  // How long a node must be missing before its pods are deleted.
  std::chrono::milliseconds quarantine{std::chrono::seconds(40)};
  // How often a pass runs (upstream gcCheckPeriod).
  std::chrono::milliseconds period{std::chrono::seconds(20)};
};

class PodGCController final : public Controller {
 public:
  static constexpr const char* kKey = "podgc";

  explicit PodGCController(ControllerContext ctx, Clock& clock = SystemClock(), PodGCOptions options = {});
  ~PodGCController() override;
  std::string Name() const override { return "pod-garbage-collector"; }
  // Runs one worker whatever `workers` says (the pass is global).
  void Start(int workers) override;
  void Stop() override;
  // One pass (public for tests); the key is ignored.
  Status Reconcile(const std::string& key);

 private:
  Status Collect(const podgc::Collect& c, const client::ObjectPtr& pod, podgc::TimePoint now);

  ControllerContext ctx_;
  Clock& clock_;
  const PodGCOptions options_;
  client::SharedInformer& pods_;
  client::SharedInformer& nodes_;
  client::WorkQueue queue_;
  std::mutex mu_;
  std::map<std::string, podgc::TimePoint> missing_since_;  // node name -> first seen missing
  std::thread runner_;
};

}  // namespace k1s::controllers
