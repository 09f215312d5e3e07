// The HorizontalPodAutoscaler controller's decisions as pure functions (upstream
// pkg/controller/podautoscaler, 1.32 semantics, autoscaling/v2 objects): the target's scale read from its
// object, the bounds rules applied before any metric, the replica count a resource utilization proposes
// (with the 0.1 tolerance and the treatment of unready and missing pods), the scale-up limit and min/max
// normalisation, the downscale stabilisation window, and the conditions as upstream's setCondition
// writes them. Also MetricsSource, the seam a metrics API plugs into (NoMetricsSource until k1s serves
// metrics.k8s.io). Pure functions: any thread.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "lib/api/meta.h"
#include "lib/base/result.h"
#include "lib/client/client.h"

namespace k1s::controllers::hpa {

namespace json = boost::json;
using TimePoint = std::chrono::system_clock::time_point;

// Upstream's defaults (kube-controller-manager flags).
inline constexpr double kTolerance = 0.1;                                     // --horizontal-pod-autoscaler-tolerance
inline constexpr std::chrono::seconds kSyncPeriod{15};                        // --horizontal-pod-autoscaler-sync-period
inline constexpr std::chrono::minutes kDownscaleStabilization{5};             // ...-downscale-stabilization
inline constexpr std::chrono::minutes kCpuInitializationPeriod{5};            // ...-cpu-initialization-period
inline constexpr std::chrono::seconds kDelayOfInitialReadinessStatus{30};     // ...-initial-readiness-delay
inline constexpr int32_t kDefaultCpuUtilization = 80;                         // metrics defaulted when empty

// ---- The target's scale ----

// The resource of a scaleTargetRef (apiVersion + kind): Deployment, ReplicaSet, StatefulSet (apps) and
// ReplicationController (v1). Otherwise upstream's RESTMapper error (`no matches for kind "X" in group "g"`).
Result<client::Resource> TargetResource(const json::object& hpa);

// What the scale subresource says of a target object.
struct Scale {
  int32_t spec_replicas = 0;    // spec.replicas (1 when unset)
  int32_t status_replicas = 0;  // status.replicas
  std::string selector;         // status.selector: spec.selector as a label selector string
};
Scale ScaleOf(const json::object& target);
// A metav1.LabelSelector (or a plain map, as ReplicationControllers have) as a selector string.
std::string SelectorString(const json::value& selector);

// ---- Bounds and normalisation ----

// spec.minReplicas (1 when unset) and spec.maxReplicas.
int32_t MinReplicas(const json::object& hpa);
int32_t MaxReplicas(const json::object& hpa);

// What upstream decides before looking at metrics.
struct BoundsDecision {
  enum Kind { kScalingDisabled, kAboveMax, kBelowMin, kWithinBounds } kind;
  int32_t desired = 0;     // for kAboveMax / kBelowMin
  std::string reason;      // the rescale reason ("Current number of replicas above Spec.MaxReplicas")
};
BoundsDecision DecideBounds(int32_t current, int32_t min, int32_t max);

// max(2 * current, 4): the most one sync scales up to.
int32_t ScaleUpLimit(int32_t current);
// Clamps a recommendation to [min, min(max, scale-up limit)]; the ScalingLimited reason and message.
struct Normalized {
  int32_t replicas = 0;
  std::string reason, message;
};
Normalized NormalizeReplicas(int32_t current, int32_t desired, int32_t min, int32_t max);

// The downscale stabilisation: the highest recommendation within window of now (the new one included),
// after recording the new one. recs is the HPA's history, pruned of entries older than the window.
struct Recommendation {
  int32_t replicas = 0;
  std::chrono::steady_clock::time_point at;
};
int32_t Stabilize(std::vector<Recommendation>& recs, int32_t recommendation, std::chrono::steady_clock::time_point now,
                  std::chrono::steady_clock::duration window);
// The downscale window: spec.behavior.scaleDown.stabilizationWindowSeconds when set, else upstream's 5 min.
std::chrono::steady_clock::duration DownscaleWindow(const json::object& hpa);

// ---- Replicas from a resource utilization ----

// One pod as the replica calculation sees it.
struct PodSample {
  std::string name;
  enum class State { kReady, kUnready, kMissing, kIgnored } state = State::kReady;
  int64_t usage_milli = 0;    // the metric (for kReady and kUnready pods that have one)
  int64_t request_milli = 0;  // the pods' request for the resource (sum over its containers)
};
struct Proposal {
  int32_t replicas = 0;
  int32_t utilization = 0;    // percent of request, over the pods with metrics
  int64_t raw_average = 0;    // average usage (milli), over the pods with metrics
};
// upstream GetResourceReplicas after the metrics are in: the ratio of the ready pods' usage to their
// requests against target_utilization; within tolerance keeps current; otherwise, with no unready or
// missing pods, ceil(ratio * ready); with them, missing pods count as using 100% (scale-down, or the
// target when above 100) or 0% (scale-up), unready pods as 0% on a scale-up, and the result keeps current
// when that flips the direction or lands within tolerance.
Result<Proposal> ReplicasForUtilization(int32_t current, int32_t target_utilization, const std::vector<PodSample>& pods,
                                        double tolerance = kTolerance);

// How upstream's groupPods classifies a pod for a resource metric (cpu looks at readiness and start time).
PodSample::State ClassifyPod(const json::object& pod, bool has_metric, bool is_cpu, TimePoint metric_time,
                             std::chrono::seconds metric_window, TimePoint now);
// The pod's request for a resource (milli), summed over its containers (or only `container`); an error
// with upstream's wording when a container has none.
Result<int64_t> PodRequestMilli(const json::object& pod, const std::string& resource, const std::string& container);

// ---- Metrics ----

// Per-pod usage of one resource, as the resource metrics API reports it.
struct PodMetric {
  int64_t milli = 0;
  TimePoint timestamp;
  std::chrono::seconds window{30};
};
using PodMetrics = std::map<std::string, PodMetric>;  // pod name -> usage

// Where usage comes from. Thread-safe implementations; errors carry the full text upstream's metrics
// client gives ("unable to fetch metrics from resource metrics API: ...").
class MetricsSource {
 public:
  virtual ~MetricsSource() = default;
  // Usage of resource ("cpu", "memory") by the pods matching selector in ns; container "" = whole pods.
  virtual Result<PodMetrics> ResourceMetric(const std::string& resource, const std::string& ns,
                                            const api::LabelSelector& selector, const std::string& container) = 0;
  // Custom and external metrics (custom.metrics.k8s.io, external.metrics.k8s.io): the error when absent.
  virtual std::string CustomMetricsError() const = 0;
};

// k1s today: no metrics.k8s.io, answered as upstream's client answers when the API is not served.
class NoMetricsSource final : public MetricsSource {
 public:
  Result<PodMetrics> ResourceMetric(const std::string& resource, const std::string& ns,
                                    const api::LabelSelector& selector, const std::string& container) override;
  std::string CustomMetricsError() const override;
};

// The metric specs of an HPA; an empty list means upstream's default (cpu at 80% utilization).
json::array MetricSpecs(const json::object& hpa);

// ---- Status ----

// upstream setCondition: replaces the condition of that type; lastTransitionTime moves only when the
// status changes. The list keeps upstream's order (first set first).
void SetCondition(json::object& status, const std::string& type, const std::string& cond_status,
                  const std::string& reason, const std::string& message, TimePoint now);
// The condition of a type: api::ConditionAt (lib/api/json_util.h).

}  // namespace k1s::controllers::hpa
