// The ReplicaSet controller's decisions as pure functions over JSON objects (which pods it owns,
// adopts or releases, which pods a scale-down removes first, the pod a create sends, the status it
// reports), plus ControllerExpectations, the thread-safe record of creates/deletes not yet seen in
// the informer cache. Shared with the Deployment controller (selectors, controller references,
// availability). Pure functions: any thread.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "lib/api/json_util.h"
#include "lib/base/result.h"

namespace k1s::controllers::replicaset {

namespace json = boost::json;
using TimePoint = std::chrono::system_clock::time_point;

// ---- Generic object helpers (also used by the Deployment controller) ----

// The integer at a path of object fields (fallback when missing or not a number). Strings and objects
// at a path: api::StrAt, api::ObjAt (lib/api/json_util.h).
int64_t IntAt(const json::object& obj, std::initializer_list<std::string_view> path, int64_t fallback = 0);
// A metav1.Time / MicroTime field parsed; nullopt when missing or malformed.
std::optional<TimePoint> ParseTime(std::string_view text);

// Whether a metav1.LabelSelector (matchLabels AND matchExpressions) selects labels. An empty selector
// selects everything (as upstream's LabelSelectorAsSelector); a malformed one selects nothing.
bool SelectorMatches(const json::object& selector, const std::map<std::string, std::string>& labels);
// True when the selector has neither matchLabels nor matchExpressions entries.
bool SelectorIsEmpty(const json::object& selector);
// Whether every label of `want` is present with the same value in labels.
bool LabelsContain(const std::map<std::string, std::string>& labels, const json::object& want);

struct OwnerRef {
  std::string api_version, kind, name, uid;
};
// The ownerReference with controller: true, if any.
std::optional<OwnerRef> ControllerRefOf(const json::object& obj);
// A controller reference to owner (apiVersion, kind, name, uid, controller, blockOwnerDeletion).
json::object MakeControllerRef(const json::object& owner);
// obj's ownerReferences with a controller reference to owner added (any other controller ref kept
// out: callers only adopt orphans).
json::array OwnerRefsWithAdopted(const json::object& obj, const json::object& owner);
// obj's ownerReferences without any reference to uid.
json::array OwnerRefsWithoutUid(const json::object& obj, const std::string& uid);

bool IsBeingDeleted(const json::object& obj);

// ---- Pods ----

// Not Succeeded, not Failed, not being deleted (upstream's FilterActivePods).
bool IsPodActive(const json::object& pod);
bool IsPodReady(const json::object& pod);
// When the pod last became ready (the Ready condition's lastTransitionTime), if ready.
std::optional<TimePoint> PodReadySince(const json::object& pod);
// Ready for at least minReadySeconds by now (ready is enough when minReadySeconds is 0).
bool IsPodAvailable(const json::object& pod, int64_t min_ready_seconds, TimePoint now);

// ---- Ownership ----

// What the controller does with the pods (or ReplicaSets) of its namespace.
struct ClaimPlan {
  std::vector<size_t> owned;    // controlled by owner and still matching: counted
  std::vector<size_t> adopt;    // orphans that match: adopt, then count
  std::vector<size_t> release;  // controlled by owner but no longer matching: release
};
// owner: the controller (its uid, deletionTimestamp); selector: its spec.selector. As upstream's
// ControllerRefManager: a controller being deleted adopts and releases nothing; objects being deleted
// are not adopted; objects controlled by someone else are left alone.
ClaimPlan PlanClaims(const json::object& owner, const json::object& selector,
                     const std::vector<const json::object*>& candidates);

// ---- Managing replicas ----

// The pod a ReplicaSet creates: template labels/annotations/finalizers/spec, generateName "<rs>-",
// a controller reference to the ReplicaSet, its namespace.
json::object PodFromTemplate(const json::object& rs);

// The pods to delete first when scaling down by `count`, as indexes into pods. related_pods are the
// active pods of this ReplicaSet and of its siblings (same controller): pods doubled up on a node with
// them go first. Ranking as upstream: unscheduled < scheduled, Pending < Unknown < Running, not ready <
// ready, lower pod-deletion-cost first, more related pods on the node first, ready for less time first,
// more restarts first, newer first.
std::vector<size_t> PodsToDelete(const std::vector<const json::object*>& pods,
                                 const std::vector<const json::object*>& related_pods, size_t count);

// Runs fn `count` times in batches of 1, 2, 4, ... (starting at initial_batch), stopping after the
// first batch with a failure. Returns how many calls succeeded; *first_error gets the first failure.
int SlowStartBatch(int count, int initial_batch, const std::function<Status()>& fn, std::optional<Error>* first_error);

// ---- Status ----

// The ReplicaSet status for its active owned pods: replicas, fullyLabeledReplicas, readyReplicas,
// availableReplicas, observedGeneration; the ReplicaFailure condition set from manage_error (reason
// FailedCreate or FailedDelete) or removed when there was none. Other fields of the old status kept.
json::object ComputeReplicaSetStatus(const json::object& rs, const std::vector<const json::object*>& pods,
                                     const std::optional<Error>& manage_error, bool manage_error_is_create,
                                     TimePoint now);
// Whether the status differs in anything the controller writes.
bool StatusChanged(const json::object& rs, const json::object& new_status);

// ---- Expectations ----

// Creates and deletes a controller made but has not yet seen in its cache, per controller key, as
// upstream's ControllerExpectations (deletes tracked by pod key, so a pod seen going away twice counts
// once): a controller with unmet expectations does not manage replicas (it would create twice);
// expectations older than the timeout are treated as met. Thread-safe.
class ControllerExpectations {
 public:
  using Clock = std::chrono::steady_clock;
  explicit ControllerExpectations(Clock::duration timeout = std::chrono::minutes(5)) : timeout_(timeout) {}
  // True when there is no record, the record is fulfilled or it is older than the timeout.
  bool Satisfied(const std::string& key, Clock::time_point now) const;
  // Replaces the record: `adds` creates and the deletes of `delete_keys` ("ns/name" of pods) expected.
  void Expect(const std::string& key, int adds, std::vector<std::string> delete_keys, Clock::time_point now);
  // One expected create seen (or never to be seen: a create that failed).
  void CreationObserved(const std::string& key, int n = 1);
  void DeletionObserved(const std::string& key, const std::string& pod_key);
  void Delete(const std::string& key);
  // The outstanding {creates, deletes} (tests); {0, 0} without a record.
  std::pair<int, int> Pending(const std::string& key) const;

 private:
  struct Record {
    int adds = 0;
    std::vector<std::string> deletes;
    Clock::time_point at;
  };
  const Clock::duration timeout_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Record> records_;
};

}  // namespace k1s::controllers::replicaset
