// DaemonSet logic: which nodes should run a daemon pod (node selector, required node affinity,
// taints against tolerations), the pod and ControllerRevision a DaemonSet creates, and the plan of one
// reconcile (creates, deletes, rolling update, status). Pure functions; any thread.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "server/controllers/job/job_logic.h"

namespace k1s::controllers::daemonset {

inline constexpr const char* kRevisionHashLabel = "controller-revision-hash";
inline constexpr const char* kTemplateGenerationLabel = "pod-template-generation";

struct NodeFit {
  bool should_run = false;               // a daemon pod should be created here
  bool should_continue_running = false;  // an existing daemon pod may stay
};

// True if a toleration in `tolerations` tolerates the taint.
bool Tolerates(const json::array& tolerations, const json::object& taint);
// Required node affinity (nodeSelectorTerms, ORed; expressions and fields ANDed) and nodeSelector.
bool NodeMatchesPodSpec(const json::object& node, const json::object& pod_spec);
// Adds upstream's default daemon tolerations (not-ready/unreachable NoExecute; disk/memory/pid
// pressure, unschedulable NoSchedule; network-unavailable NoSchedule for host-network pods).
void AddDaemonTolerations(json::object& pod_spec);
NodeFit NodeShouldRunDaemonPod(const json::object& node, const json::object& ds);
// The node a daemon pod is for: spec.nodeName, else its metadata.name matchFields affinity.
std::string PodNodeName(const json::object& pod);
// The hash naming the current template's revision.
std::string TemplateHash(const json::object& ds);
json::object NewControllerRevision(const json::object& ds, const std::string& hash, int64_t revision);
// The pod for node_name: template + hash label + tolerations + affinity pinning it to the node.
json::object NewDaemonPod(const json::object& ds, const std::string& node_name, const std::string& hash);
// maxUnavailable of a rolling update resolved against desired (percentages round up); at least 1.
int64_t MaxUnavailable(const json::object& ds, int64_t desired);

struct DaemonPlan {
  std::vector<std::string> create_on_nodes;
  std::vector<std::string> delete_pods;  // names
  json::object status;
  std::optional<std::chrono::milliseconds> requeue_after;  // minReadySeconds pending
};
DaemonPlan PlanDaemonSet(const json::object& ds, const std::vector<std::shared_ptr<const json::object>>& nodes,
                         const PodList& pods, const std::string& hash, TimePoint now);

}  // namespace k1s::controllers::daemonset
