// HorizontalPodAutoscalerController: scales Deployments, ReplicaSets, StatefulSets and
// ReplicationControllers between an autoscaling/v2 HPA's minReplicas and maxReplicas, as upstream's
// kube-controller-manager horizontal-pod-autoscaler. Metrics come from a MetricsSource
// (horizontalpodautoscaler_logic.h); k1s has no metrics.k8s.io yet, so NoMetricsSource makes every
// within-bounds sync report ScalingActive False / FailedGetResourceMetric exactly as upstream does without
// metrics-server, while the bounds rules (above max, below min, target at zero) still act.
// Owned by the controller manager; handlers run on the informers' threads and only enqueue keys;
// Reconcile runs on the worker threads (each HPA every sync period, plus at once when it changes).
// WATCHES: horizontalpodautoscalers.autoscaling (handlers), pods (cache, for the replica calculation).
// WRITES:  the target's spec.replicas (a merge patch guarded by its resourceVersion, as the scale
//          subresource does), horizontalpodautoscalers/status; Events SuccessfulRescale, FailedRescale,
//          FailedGetScale, FailedGetResourceMetric, FailedComputeMetricsReplicas, SelectorRequired, ...
// INVARIANT: after a sync the target's replicas lie within [minReplicas, maxReplicas] unless the target
//            is at zero (scaling disabled) or the write failed (AbleToScale False says so).
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "lib/base/clock.h"
#include "lib/client/workqueue.h"
#include "server/controllers/controller.h"
#include "server/controllers/horizontalpodautoscaler/horizontalpodautoscaler_logic.h"

namespace k1s::controllers {

namespace json = boost::json;

struct HorizontalPodAutoscalerOptions {
  std::chrono::milliseconds sync_period{hpa::kSyncPeriod};
  double tolerance = hpa::kTolerance;
  const Clock* clock = nullptr;                     // SystemClock() when null
  std::shared_ptr<hpa::MetricsSource> metrics;      // NoMetricsSource when null
};

class HorizontalPodAutoscalerController final : public Controller {
 public:
  explicit HorizontalPodAutoscalerController(const ControllerContext& ctx, HorizontalPodAutoscalerOptions options = {});
  ~HorizontalPodAutoscalerController() override;  // Stops

  std::string Name() const override { return "horizontal-pod-autoscaler"; }
  void Start(int workers) override;
  void Stop() override;

  // One sync of one HPA ("ns/name"): reads the target, decides, scales, writes status. Errors that a
  // later periodic sync retries anyway (target missing, metrics unavailable) are reported on the HPA
  // (conditions, events) and return ok; write conflicts return the error (retried at once).
  Status Reconcile(const std::string& key);

 private:
  // What computeReplicasForMetrics gives: replicas -1 when no metric gave a usable proposal.
  struct MetricsOutcome {
    int32_t replicas = -1;
    std::string metric;
    std::optional<std::string> error;
    json::array statuses;
  };
  MetricsOutcome ComputeReplicasForMetrics(const json::object& hpa, json::object& status,
                                           const json::object& regarding, const hpa::Scale& scale);
  // One metric spec: a proposal or an error, with the ScalingActive condition to set on error.
  struct MetricProposal {
    int32_t replicas = 0;
    std::string metric;
    json::object status;
    std::string error, reason, condition_message;
  };
  MetricProposal ComputeReplicasForMetric(const json::object& hpa, const json::object& spec,
                                          const json::object& regarding, const hpa::Scale& scale,
                                          const api::LabelSelector& selector);
  // GetResourceReplicas: usage of resource by the selected pods against a target (utilization percent
  // or, when average_value_milli > 0, an average value).
  Result<hpa::Proposal> ResourceReplicas(const std::string& ns, const std::string& resource,
                                         const std::string& container, int32_t current, int32_t target_utilization,
                                         int64_t average_value_milli, const api::LabelSelector& selector);
  // normalizeDesiredReplicas: stabilisation, then bounds and the scale-up limit; sets AbleToScale and
  // ScalingLimited.
  int32_t Normalize(const std::string& key, const json::object& hpa, json::object& status, int32_t current,
                    int32_t desired);
  Status WriteStatusIfChanged(const json::object& hpa, const json::object& status);

  ControllerContext ctx_;
  const HorizontalPodAutoscalerOptions options_;
  const Clock& clock_;
  std::shared_ptr<hpa::MetricsSource> metrics_;
  client::SharedInformer& hpas_;
  client::SharedInformer& pods_;
  client::WorkQueue queue_;
  std::mutex mu_;
  std::map<std::string, std::vector<hpa::Recommendation>> recommendations_;  // per HPA key
  std::thread runner_;
};

}  // namespace k1s::controllers
