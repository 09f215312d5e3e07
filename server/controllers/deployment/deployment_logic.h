// The Deployment controller's decisions as pure functions over JSON objects, as upstream's
// pkg/controller/deployment (and its util package): the pod-template hash, which ReplicaSet is new,
// revisions and the replica annotations, rolling-update fenceposts (maxSurge/maxUnavailable), how far
// to scale the new ReplicaSet up and the old ones down, proportional scaling, history cleanup, and the
// status with its Available/Progressing conditions. Pure functions: any thread.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "lib/base/result.h"

namespace k1s::controllers::deployment {

namespace json = boost::json;
using TimePoint = std::chrono::system_clock::time_point;
using RsList = std::vector<const json::object*>;

inline constexpr const char* kRevisionAnnotation = "deployment.kubernetes.io/revision";
inline constexpr const char* kRevisionHistoryAnnotation = "deployment.kubernetes.io/revision-history";
inline constexpr const char* kDesiredReplicasAnnotation = "deployment.kubernetes.io/desired-replicas";
inline constexpr const char* kMaxReplicasAnnotation = "deployment.kubernetes.io/max-replicas";
inline constexpr const char* kPodTemplateHashLabel = "pod-template-hash";

// Condition types and reasons (what kubectl rollout status and describe read).
inline constexpr const char* kAvailable = "Available";
inline constexpr const char* kProgressing = "Progressing";
inline constexpr const char* kReplicaFailure = "ReplicaFailure";
inline constexpr const char* kMinimumReplicasAvailable = "MinimumReplicasAvailable";
inline constexpr const char* kMinimumReplicasUnavailable = "MinimumReplicasUnavailable";
inline constexpr const char* kNewReplicaSetCreated = "NewReplicaSetCreated";
inline constexpr const char* kFoundNewReplicaSet = "FoundNewReplicaSet";
inline constexpr const char* kReplicaSetUpdated = "ReplicaSetUpdated";
inline constexpr const char* kNewReplicaSetAvailable = "NewReplicaSetAvailable";
inline constexpr const char* kProgressDeadlineExceeded = "ProgressDeadlineExceeded";
inline constexpr const char* kFailedRsCreate = "ReplicaSetCreateError";
inline constexpr const char* kDeploymentPaused = "DeploymentPaused";
inline constexpr const char* kDeploymentResumed = "DeploymentResumed";

// ---- Replica counts ----

int64_t DesiredReplicas(const json::object& d);           // spec.replicas (1 when unset)
int64_t RsSpecReplicas(const json::object* rs);           // 0 for nullptr
int64_t SumSpecReplicas(const RsList& rss);               // nullptrs skipped
int64_t SumStatusReplicas(const RsList& rss);
int64_t SumReadyReplicas(const RsList& rss);
int64_t SumAvailableReplicas(const RsList& rss);
// ReplicaSets with spec.replicas > 0.
RsList FilterActive(const RsList& rss);

// ---- Rolling update fenceposts ----

// An IntOrString scaled against total: an integer as is, "N%" as N% of total rounded up or down.
// kInvalid for a string that is not a percentage.
Result<int64_t> ScaledValue(const json::value& int_or_percent, int64_t total, bool round_up);
struct Fenceposts {
  int64_t max_surge = 0;
  int64_t max_unavailable = 0;
};
// Surge rounds up, unavailable down; both 0 makes unavailable 1 (a rollout must be able to move).
// Defaults (25%/25%) for missing values.
Result<Fenceposts> ResolveFenceposts(const json::object& d);
bool IsRollingUpdate(const json::object& d);
// 0 unless RollingUpdate.
int64_t MaxSurge(const json::object& d);
// 0 unless RollingUpdate; never more than the desired replicas.
int64_t MaxUnavailable(const json::object& d);

// ---- Templates, hashes, revisions ----

// A stable hash of the pod template (canonical JSON with sorted keys, plus the collision count when
// present), FNV-1a 32-bit rendered with the safe alphabet of generated names (no vowels).
std::string ComputePodTemplateHash(const json::object& pod_template, std::optional<int64_t> collision_count);
// Templates equal apart from the pod-template-hash label.
bool EqualIgnoreHash(const json::object& a, const json::object& b);
// The ReplicaSet whose template equals the Deployment's (ignoring the hash label), oldest first.
const json::object* FindNewReplicaSet(const json::object& d, const RsList& rss);
// rss without new_rs.
RsList OldReplicaSets(const RsList& rss, const json::object* new_rs);
int64_t Revision(const json::object& obj);  // 0 when missing or malformed
int64_t MaxRevision(const RsList& rss);
// Sorted copies: by creationTimestamp (then name) ascending; by revision ascending (ties by creation).
RsList SortedByCreation(RsList rss);
RsList SortedByRevision(RsList rss);

// The new ReplicaSet for the Deployment: named <deployment>-<hash>, the hash label on its selector,
// template and labels, a controller reference, minReadySeconds, `replicas` and the annotations.
json::object NewReplicaSet(const json::object& d, const std::string& hash, int64_t revision, int64_t replicas);
// Copies the Deployment's annotations (not the kubectl or revision ones) and raises the revision to
// new_revision (recording the previous one in revision-history); when !exists also the replica
// annotations. True if the ReplicaSet changed.
bool SetNewReplicaSetAnnotations(const json::object& d, json::object& rs, int64_t new_revision, bool exists);
// Sets desired-replicas and max-replicas; true if they changed.
bool SetReplicasAnnotations(json::object& rs, int64_t desired, int64_t max);
bool ReplicasAnnotationsNeedUpdate(const json::object& rs, int64_t desired, int64_t max);
// The desired-replicas annotation, if present and numeric.
std::optional<int64_t> DesiredReplicasAnnotation(const json::object& rs);

// ---- Scaling decisions ----

struct ScaleAction {
  const json::object* rs;
  int64_t replicas;
};
// How many replicas the new ReplicaSet may have now (RollingUpdate: within maxSurge; Recreate: all).
int64_t NewRsNewReplicas(const json::object& d, const RsList& all, const json::object* new_rs);
// The old ReplicaSets to scale down in a rolling update (unhealthy replicas first, then healthy ones
// within maxUnavailable), oldest first. Every entry is a decrease.
std::vector<ScaleAction> PlanOldScaleDown(const json::object& d, const json::object* new_rs, const RsList& old_rss);
// True when some active ReplicaSet's desired-replicas annotation differs from spec.replicas.
bool IsScalingEvent(const json::object& d, const RsList& all);
// A scaling event: the sizes every ReplicaSet should get (unchanged ones included), proportionally to
// their size when several are active (leftovers to the largest), as upstream's scale().
std::vector<ScaleAction> PlanScale(const json::object& d, const json::object* new_rs, const RsList& old_rss);
// Old ReplicaSets to delete beyond revisionHistoryLimit: lowest revisions first, only those with no
// replicas whose status is current.
RsList ReplicaSetsToCleanUp(const json::object& d, const RsList& old_rss);

// ---- Status ----

// The condition of a type in status.conditions: api::ConditionAt (lib/api/json_util.h).
json::object NewCondition(const std::string& type, const std::string& status, const std::string& reason,
                          const std::string& message, TimePoint now);
// Adds or replaces a condition; keeps lastTransitionTime when the status is unchanged and does nothing
// when status and reason are unchanged. Returns true if the status changed.
bool SetCondition(json::object& status, json::object cond);
void RemoveCondition(json::object& status, const std::string& type);
bool HasProgressDeadline(const json::object& d);
// Replicas, updated, ready, available, unavailable, observedGeneration, the Available condition.
json::object CalculateStatus(const json::object& d, const RsList& all, const json::object* new_rs, TimePoint now);
bool DeploymentComplete(const json::object& d, const json::object& new_status);
bool DeploymentProgressing(const json::object& d, const json::object& new_status);
bool DeploymentTimedOut(const json::object& d, const json::object& new_status, TimePoint now);
// CalculateStatus plus the Progressing condition of a rollout (complete, progressing, timed out) and
// ReplicaFailure copied from the ReplicaSets.
json::object RolloutStatus(const json::object& d, const RsList& all, const json::object* new_rs, TimePoint now);
// When to look again at a rollout that may pass its progress deadline without any event.
std::optional<std::chrono::milliseconds> RequeueStuckAfter(const json::object& d, const json::object& new_status,
                                                           TimePoint now);
// Recreate: true while any old ReplicaSet has replicas or any pod of an old one has not terminated.
// pods_of_old: the pods controlled by the old ReplicaSets.
bool OldPodsRunning(const RsList& old_rss, const std::vector<const json::object*>& pods_of_old);

}  // namespace k1s::controllers::deployment
