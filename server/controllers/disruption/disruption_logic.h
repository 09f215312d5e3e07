// The PodDisruptionBudget controller's decisions as pure functions over JSON objects (upstream
// pkg/controller/disruption, 1.32 semantics): which pods a budget selects, how many pods it expects and
// needs healthy (integer or percent minAvailable/maxUnavailable, rounded up), how many are healthy, the
// disruptedPods bookkeeping, and the status with its DisruptionAllowed condition. Pure functions: any thread.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "lib/base/result.h"

namespace k1s::controllers::disruption {

namespace json = boost::json;
using TimePoint = std::chrono::system_clock::time_point;

// How long a pod named in status.disruptedPods (an eviction the API server granted) is not counted as
// healthy while it has not started going away (upstream DeletionTimeout).
inline constexpr std::chrono::minutes kDeletionTimeout{2};

// Condition type and reasons (policy/v1).
inline constexpr const char* kDisruptionAllowed = "DisruptionAllowed";
inline constexpr const char* kSufficientPods = "SufficientPods";
inline constexpr const char* kInsufficientPods = "InsufficientPods";
inline constexpr const char* kSyncFailed = "SyncFailed";

// An IntOrString scaled against total, as upstream's GetScaledValueFromIntOrPercent: an integer is
// itself; "N%" is N% of total, rounded up when round_up (down otherwise). A string without '%' or with
// a non-numeric part is an error with upstream's wording.
Result<int64_t> ScaledValue(const json::value& int_or_percent, int64_t total, bool round_up);

// Whether the budget selects a pod with these labels: a missing spec.selector selects nothing, an empty
// one every pod of the namespace (policy/v1), otherwise matchLabels AND matchExpressions.
bool Selects(const json::object& pdb, const std::map<std::string, std::string>& pod_labels);

// Whether the budget's expected pod count comes from the pods' controllers' scale (maxUnavailable, or a
// percent minAvailable) rather than from the number of pods (integer minAvailable).
bool NeedsControllerScale(const json::object& pdb);

struct Budget {
  int64_t expected_pods = 0;
  int64_t desired_healthy = 0;
};
// expectedPods and desiredHealthy as upstream's getExpectedPodCount: maxUnavailable: expected = the
// controllers' scale, desired = max(0, expected - ceil(maxUnavailable)); integer minAvailable: expected =
// the pod count, desired = minAvailable; percent minAvailable: expected = the scale, desired =
// ceil(percent of it). controllers_scale is only read when NeedsControllerScale. Neither set: {0, 0}.
Result<Budget> ComputeBudget(const json::object& pdb, int64_t pod_count, int64_t controllers_scale);

// The entries of status.disruptedPods still in force at now: pods still present, not being deleted, whose
// eviction is younger than kDeletionTimeout. `expired` gets the pods whose eviction is older (upstream
// records a NotDeleted event for them); `recheck` the earliest time an entry kept here runs out.
struct DisruptedPods {
  std::map<std::string, std::string> kept;  // pod name -> the eviction time as written (RFC 3339)
  std::vector<std::string> expired;
  std::optional<TimePoint> recheck;
};
DisruptedPods BuildDisruptedPods(const json::object& pdb, const std::vector<const json::object*>& pods, TimePoint now);

// Pods Ready, not being deleted and not just evicted (in `disrupted`).
int64_t CountHealthy(const std::vector<const json::object*>& pods, const std::map<std::string, std::string>& disrupted);

// max(0, healthy - desired), and 0 while no pods are expected (a budget whose pods are just appearing
// stays safe until the controller has seen them).
int64_t DisruptionsAllowed(int64_t current_healthy, int64_t desired_healthy, int64_t expected_pods);

struct Counts {
  int64_t current_healthy = 0;
  int64_t desired_healthy = 0;
  int64_t expected_pods = 0;
  int64_t disruptions_allowed = 0;
  std::map<std::string, std::string> disrupted_pods;
};
// The status to write: the counts, observedGeneration = metadata.generation, and the DisruptionAllowed
// condition (True/SufficientPods when disruptions are allowed, else False/InsufficientPods; its
// lastTransitionTime moves only when its status changes). Other conditions are kept.
json::object ComputeStatus(const json::object& pdb, const Counts& counts, TimePoint now);
// Whether the stored status already says all of that (upstream writes nothing then).
bool StatusUpToDate(const json::object& pdb, const Counts& counts);

// The fail-safe status after an error (upstream failSafe): no disruptions allowed, DisruptionAllowed
// False with reason SyncFailed and the error as message; everything else as stored.
json::object FailSafeStatus(const json::object& pdb, const std::string& message, TimePoint now);

// An eviction the API server granted that this controller has not seen yet: k1s's eviction decrements
// status.disruptionsAllowed without naming the pod in disruptedPods, so until the informer shows the pod
// going away, a recomputation from the cache would hand the disruption back. True when the stored status
// was written for this generation with the same counts, still says SufficientPods, and allows fewer
// disruptions than `computed`.
bool EvictionNotYetObserved(const json::object& pdb, const Counts& computed);

}  // namespace k1s::controllers::disruption
