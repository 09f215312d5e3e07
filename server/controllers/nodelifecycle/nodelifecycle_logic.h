// Node lifecycle logic: the pure part of the node lifecycle controller (upstream
// pkg/controller/nodelifecycle and pkg/controller/tainteviction, 1.32 semantics): when a node's
// heartbeats are stale, which conditions to mark Unknown, which node.kubernetes.io/* taints a node
// should carry, and when a pod on a NoExecute-tainted node is to be evicted. Pure functions over
// Boost.JSON objects as the API serves them; any thread.
#pragma once

#include <boost/json.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace k1s::controllers::nodelifecycle {

namespace json = boost::json;
using TimePoint = std::chrono::system_clock::time_point;

inline constexpr const char* kNodeLeaseNamespace = "kube-node-lease";
inline constexpr const char* kTaintUnreachable = "node.kubernetes.io/unreachable";
inline constexpr const char* kTaintNotReady = "node.kubernetes.io/not-ready";
inline constexpr const char* kTaintUnschedulable = "node.kubernetes.io/unschedulable";
inline constexpr const char* kTaintMemoryPressure = "node.kubernetes.io/memory-pressure";
inline constexpr const char* kTaintDiskPressure = "node.kubernetes.io/disk-pressure";
inline constexpr const char* kTaintPIDPressure = "node.kubernetes.io/pid-pressure";
inline constexpr const char* kReasonStatusUnknown = "NodeStatusUnknown";
inline constexpr const char* kReasonNeverUpdated = "NodeStatusNeverUpdated";
inline constexpr const char* kMessageStatusUnknown = "Kubelet stopped posting node status.";
inline constexpr const char* kMessageNeverUpdated = "Kubelet never posted node status.";

// ---- small JSON helpers (this folder's own) ----
const json::object* ObjectAt(const json::object& o, std::string_view key);
const json::array* ArrayAt(const json::object& o, std::string_view key);
std::string StringAt(const json::object& o, std::string_view key);
std::string MetaString(const json::object& o, std::string_view field);
// A condition of `type` in status.conditions, or nullptr.
const json::object* FindCondition(const json::object& obj, std::string_view type);

// What the controller last saw of a node's liveness signals, and when (its own clock) it last saw
// one of them change: upstream's probeTimestamp, immune to clock skew between kubelet and server.
struct Probe {
  std::string lease_renew_time;  // the lease's spec.renewTime as written
  std::string ready_heartbeat;   // the Ready condition's lastHeartbeatTime as written
  std::string ready_status;      // the Ready condition's status last seen ("" before the first sight)
  TimePoint observed{};          // when one of the two heartbeats last changed
};

// The probe after looking at node and lease (nullptr when the node has none) at `now`. First sight:
// observed is now, or the node's creationTimestamp when it never posted a Ready condition.
Probe UpdateProbe(const std::optional<Probe>& previous, const json::object& node, const json::object* lease,
                  TimePoint now);

// The Ready condition's status: "True", "False" or "Unknown" ("Unknown" when absent).
std::string ReadyStatus(const json::object& node);

// True when the last heartbeat is older than the grace period (startup_grace when the node never
// posted a Ready condition).
bool IsStale(const Probe& probe, const json::object& node, TimePoint now, std::chrono::milliseconds grace,
             std::chrono::milliseconds startup_grace);

// The node's status.conditions with Ready, MemoryPressure, DiskPressure and PIDPressure set to
// Unknown (NodeStatusUnknown, or NodeStatusNeverUpdated for conditions never posted); lastHeartbeatTime
// kept, lastTransitionTime now where the status changes. nullopt when nothing changes.
std::optional<json::array> UnknownConditions(const json::object& node, TimePoint now);

// The node's spec.taints with the node.kubernetes.io taints this controller owns made to match its
// conditions and spec.unschedulable: not-ready (Ready False) and unreachable (Ready Unknown), each
// NoSchedule + NoExecute (NoExecute with timeAdded = now when added), memory/disk/pid-pressure
// NoSchedule, unschedulable NoSchedule. Other taints and taints already right are kept as they are.
json::array DesiredTaints(const json::object& node, TimePoint now);

// True when toleration tolerates taint (key/operator/value/effect as upstream ToleratesTaint).
bool Tolerates(const json::object& toleration, const json::object& taint);

// When a pod on a node with these taints is to be evicted: nullopt when never (no NoExecute taint, or
// every one tolerated without tolerationSeconds); else the earliest of, per NoExecute taint, its
// timeAdded (or now) plus the smallest tolerationSeconds of the tolerations matching it (at once when
// none matches).
std::optional<TimePoint> EvictionTime(const json::object& pod, const json::array& node_taints, TimePoint now);

// The pod's status with the Ready condition set to False (lastTransitionTime now); nullopt when it has
// no Ready condition or it is False already (upstream MarkPodsNotReady).
std::optional<json::object> NotReadyPodStatus(const json::object& pod, TimePoint now);

// The pod's status with a DisruptionTarget condition (reason DeletionByTaintManager), written before
// the taint manager deletes it.
json::object DisruptionTargetStatus(const json::object& pod, TimePoint now);

}  // namespace k1s::controllers::nodelifecycle
