// Pod GC logic: the pure part of the pod garbage collector (upstream pkg/controller/podgc, 1.32
// semantics): which pods to delete and why. Pure functions over Boost.JSON objects; any thread.
#pragma once

#include <boost/json.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace k1s::controllers::podgc {

namespace json = boost::json;
using TimePoint = std::chrono::system_clock::time_point;
using PodList = std::vector<std::shared_ptr<const json::object>>;

inline constexpr const char* kTaintOutOfService = "node.kubernetes.io/out-of-service";

// Why a pod is collected (log text).
enum class Reason { kTerminatedOverThreshold, kOrphaned, kUnscheduledTerminating, kOutOfService };
std::string_view ReasonText(Reason r);

struct Collect {
  std::string ns, name, uid;
  Reason reason;
};

// Succeeded or Failed.
bool IsTerminated(const json::object& pod);
// metadata.deletionTimestamp set.
bool IsTerminating(const json::object& pod);
std::string NodeNameOf(const json::object& pod);

// The terminated pods beyond `threshold` (<= 0: none), oldest creationTimestamp first (evicted pods,
// status.reason Evicted, before others); ties by namespace/name.
std::vector<Collect> TerminatedOverThreshold(const PodList& pods, int threshold);

// Node names that pods are bound to but that are not in `nodes`.
std::set<std::string> MissingNodes(const PodList& pods, const std::set<std::string>& nodes);

// Keeps, per missing node, when it was first seen missing (drops nodes no longer missing). Returns the
// nodes missing for longer than quarantine at `now`.
std::set<std::string> UpdateQuarantine(std::map<std::string, TimePoint>& missing_since,
                                       const std::set<std::string>& missing, std::chrono::milliseconds quarantine,
                                       TimePoint now);

// Pods bound to one of `gone_nodes` (not already terminal or terminating pods are included too).
std::vector<Collect> Orphaned(const PodList& pods, const std::set<std::string>& gone_nodes);

// Terminating pods not bound to any node.
std::vector<Collect> UnscheduledTerminating(const PodList& pods);

// Terminating pods on nodes that are not Ready and carry the out-of-service taint; `nodes` by name.
std::vector<Collect> OutOfServiceTerminating(const PodList& pods,
                                             const std::map<std::string, std::shared_ptr<const json::object>>& nodes);

// For a pod that is not terminal yet: its status with phase Failed and, for orphaned and out-of-service
// pods, a DisruptionTarget condition (reason DeletionByPodGC). nullopt for pods already terminal.
std::optional<json::object> FailedStatus(const json::object& pod, Reason reason, TimePoint now);

}  // namespace k1s::controllers::podgc
