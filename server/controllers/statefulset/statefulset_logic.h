// StatefulSet logic: stable pod identities <sts>-<ordinal>, their PersistentVolumeClaims, revisions,
// and the plan of one reconcile (OrderedReady or Parallel creation, reverse-order scale-down, rolling
// update from the highest ordinal down to the partition, status). Pure functions; any thread.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "server/controllers/job/job_logic.h"

namespace k1s::controllers::statefulset {

inline constexpr const char* kRevisionLabel = "controller-revision-hash";
inline constexpr const char* kPodNameLabel = "statefulset.kubernetes.io/pod-name";
inline constexpr const char* kPodIndexLabel = "apps.kubernetes.io/pod-index";

std::string PodName(const json::object& sts, int ordinal);
// <template>-<sts>-<ordinal>.
std::string ClaimName(const std::string& template_name, const json::object& sts, int ordinal);
// The ordinal of a pod named <sts>-<n>; nullopt for other names.
std::optional<int> OrdinalOf(const json::object& sts, const json::object& pod);
// "<sts>-<hash of spec.template>": the revision name, label value and status revision.
std::string RevisionName(const json::object& sts);
json::object NewControllerRevision(const json::object& sts, int64_t revision);
// The template stored in a ControllerRevision made by NewControllerRevision.
json::object TemplateOfRevision(const json::object& revision);
// The pod for `ordinal` from `tmpl` (the pod template of revision `revision_name`).
json::object NewPod(const json::object& sts, int ordinal, const json::object& tmpl, const std::string& revision_name);
std::vector<json::object> NewClaims(const json::object& sts, int ordinal);

struct StsPlan {
  std::vector<int> create;               // ordinals
  std::vector<std::string> delete_pods;  // names
  json::object status;
};
// update_revision: RevisionName(sts); current_revision: status.currentRevision or update_revision.
StsPlan PlanStatefulSet(const json::object& sts, const PodList& pods, TimePoint now);

}  // namespace k1s::controllers::statefulset
