#include "server/registry/resources.h"

#include <tuple>

namespace k1s::registry {

std::vector<ResourceInfo> BuiltinResources() {
  std::vector<ResourceInfo> r;
  r.reserve(64);
  auto add = [&](std::string group, std::string version, std::string kind, std::string plural, bool namespaced,
                 std::vector<std::string> short_names, std::vector<std::string> categories = {}) {
    ResourceInfo info;
    info.group = std::move(group);
    info.version = std::move(version);
    info.kind = std::move(kind);
    info.plural = std::move(plural);
    info.singular = info.kind;
    for (auto& c : info.singular) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    info.namespaced = namespaced;
    info.short_names = std::move(short_names);
    info.categories = std::move(categories);
    r.push_back(std::move(info));
    return &r.back();
  };
  const std::vector<std::string> all = {"all"};
  // core/v1
  add("", "v1", "Namespace", "namespaces", false, {"ns"})->label_names = true;
  add("", "v1", "Pod", "pods", true, {"po"}, all);
  add("", "v1", "Service", "services", true, {"svc"}, all)->dns1035_names = true;
  add("", "v1", "Endpoints", "endpoints", true, {"ep"});
  add("", "v1", "ConfigMap", "configmaps", true, {"cm"});
  add("", "v1", "Secret", "secrets", true, {});
  add("", "v1", "ServiceAccount", "serviceaccounts", true, {"sa"});
  add("", "v1", "Node", "nodes", false, {"no"});
  add("", "v1", "Event", "events", true, {"ev"});
  add("", "v1", "LimitRange", "limitranges", true, {"limits"});
  add("", "v1", "ResourceQuota", "resourcequotas", true, {"quota"});
  add("", "v1", "PersistentVolume", "persistentvolumes", false, {"pv"});
  add("", "v1", "PersistentVolumeClaim", "persistentvolumeclaims", true, {"pvc"});
  // apps/v1
  add("apps", "v1", "Deployment", "deployments", true, {"deploy"}, all);
  add("apps", "v1", "ReplicaSet", "replicasets", true, {"rs"}, all);
  add("apps", "v1", "StatefulSet", "statefulsets", true, {"sts"}, all);
  add("apps", "v1", "DaemonSet", "daemonsets", true, {"ds"}, all);
  add("apps", "v1", "ControllerRevision", "controllerrevisions", true, {});
  // batch/v1, autoscaling/v2
  add("batch", "v1", "Job", "jobs", true, {}, all);
  add("batch", "v1", "CronJob", "cronjobs", true, {"cj"}, all);
  add("autoscaling", "v2", "HorizontalPodAutoscaler", "horizontalpodautoscalers", true, {"hpa"}, all);
  // autoscaling/v1 serves the same objects, stored as v2 (conversion.h); v2 stays the preferred version.
  add("autoscaling", "v1", "HorizontalPodAutoscaler", "horizontalpodautoscalers", true, {"hpa"}, all)->storage_version =
      "v2";
  // coordination, discovery, events
  add("coordination.k8s.io", "v1", "Lease", "leases", true, {});
  add("discovery.k8s.io", "v1", "EndpointSlice", "endpointslices", true, {});
  add("events.k8s.io", "v1", "Event", "events", true, {"ev"});
  // rbac, policy, networking, storage, scheduling, certificates, apiextensions
  add("rbac.authorization.k8s.io", "v1", "Role", "roles", true, {})->path_segment_names = true;
  add("rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings", true, {})->path_segment_names = true;
  add("rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", false, {})->path_segment_names = true;
  add("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", "clusterrolebindings", false, {})->path_segment_names = true;
  add("policy", "v1", "PodDisruptionBudget", "poddisruptionbudgets", true, {"pdb"});
  add("networking.k8s.io", "v1", "Ingress", "ingresses", true, {"ing"});
  add("networking.k8s.io", "v1", "IngressClass", "ingressclasses", false, {});
  add("networking.k8s.io", "v1", "NetworkPolicy", "networkpolicies", true, {"netpol"});
  add("storage.k8s.io", "v1", "StorageClass", "storageclasses", false, {"sc"});
  add("scheduling.k8s.io", "v1", "PriorityClass", "priorityclasses", false, {"pc"});
  add("certificates.k8s.io", "v1", "CertificateSigningRequest", "certificatesigningrequests", false, {"csr"});
  add("apiextensions.k8s.io", "v1", "CustomResourceDefinition", "customresourcedefinitions", false, {"crd", "crds"});
  // admissionregistration (stored and listed; k1s calls no webhooks and runs no policies yet),
  // apiregistration (the local APIServices), flowcontrol (stored; k1s has no priority and fairness),
  // node (RuntimeClass).
  const std::vector<std::string> api_extensions = {"api-extensions"};
  add("admissionregistration.k8s.io", "v1", "MutatingWebhookConfiguration", "mutatingwebhookconfigurations", false, {},
      api_extensions);
  add("admissionregistration.k8s.io", "v1", "ValidatingAdmissionPolicy", "validatingadmissionpolicies", false, {},
      api_extensions);
  add("admissionregistration.k8s.io", "v1", "ValidatingAdmissionPolicyBinding", "validatingadmissionpolicybindings",
      false, {}, api_extensions);
  add("admissionregistration.k8s.io", "v1", "ValidatingWebhookConfiguration", "validatingwebhookconfigurations", false,
      {}, api_extensions);
  add("apiregistration.k8s.io", "v1", "APIService", "apiservices", false, {}, api_extensions)->path_segment_names =
      true;  // "v1." names the core group's
  add("flowcontrol.apiserver.k8s.io", "v1", "FlowSchema", "flowschemas", false, {});
  add("flowcontrol.apiserver.k8s.io", "v1", "PriorityLevelConfiguration", "prioritylevelconfigurations", false, {});
  add("node.k8s.io", "v1", "RuntimeClass", "runtimeclasses", false, {});
  // Reviews: create-only, answered at once and never stored.
  for (auto [group, kind, plural, namespaced] :
       {std::tuple{"authorization.k8s.io", "SelfSubjectAccessReview", "selfsubjectaccessreviews", false},
        std::tuple{"authorization.k8s.io", "SubjectAccessReview", "subjectaccessreviews", false},
        std::tuple{"authorization.k8s.io", "LocalSubjectAccessReview", "localsubjectaccessreviews", true},
        std::tuple{"authorization.k8s.io", "SelfSubjectRulesReview", "selfsubjectrulesreviews", false},
        std::tuple{"authentication.k8s.io", "TokenReview", "tokenreviews", false},
        std::tuple{"authentication.k8s.io", "SelfSubjectReview", "selfsubjectreviews", false}}) {
    auto* info = add(group, "v1", kind, plural, namespaced, {});
    info->verbs = {"create"};
    info->review = true;
  }
  // Subresources (what the real API server serves for each kind; log/exec/attach/portforward come
  // with the kubelet).
  auto subs = [&](const std::string& group, const std::string& plural, std::vector<std::string> list) {
    for (auto& info : r)
      if (info.group == group && info.plural == plural) info.subresources = std::move(list);
  };
  subs("", "namespaces", {"status", "finalize"});
  subs("", "pods", {"status", "binding", "eviction"});
  subs("", "services", {"status"});
  subs("", "nodes", {"status"});
  subs("", "serviceaccounts", {"token"});
  subs("", "resourcequotas", {"status"});
  subs("", "persistentvolumes", {"status"});
  subs("", "persistentvolumeclaims", {"status"});
  for (const char* p : {"deployments", "replicasets", "statefulsets"}) subs("apps", p, {"status", "scale"});
  subs("apps", "daemonsets", {"status"});
  subs("batch", "jobs", {"status"});
  subs("batch", "cronjobs", {"status"});
  subs("autoscaling", "horizontalpodautoscalers", {"status"});
  subs("admissionregistration.k8s.io", "validatingadmissionpolicies", {"status"});
  subs("apiregistration.k8s.io", "apiservices", {"status"});
  subs("flowcontrol.apiserver.k8s.io", "flowschemas", {"status"});
  subs("flowcontrol.apiserver.k8s.io", "prioritylevelconfigurations", {"status"});
  subs("policy", "poddisruptionbudgets", {"status"});
  subs("networking.k8s.io", "ingresses", {"status"});
  subs("certificates.k8s.io", "certificatesigningrequests", {"status", "approval"});
  subs("apiextensions.k8s.io", "customresourcedefinitions", {"status"});
  return r;
}

std::vector<boost::json::object> LocalApiServices(const std::vector<ResourceInfo>& resources, const std::string& now) {
  // Upstream's priorities (group minimum, version); groups it does not list get the lowest.
  struct Priority {
    const char* group;
    const char* version;
    int group_min;
    int version_priority;
  };
  static constexpr Priority kPriorities[] = {
      {"", "v1", 18000, 1},
      {"apiregistration.k8s.io", "v1", 18000, 15},
      {"apps", "v1", 17800, 15},
      {"events.k8s.io", "v1", 17750, 15},
      {"authentication.k8s.io", "v1", 17700, 15},
      {"authorization.k8s.io", "v1", 17600, 15},
      {"autoscaling", "v2", 17500, 30},
      {"autoscaling", "v1", 17500, 15},
      {"batch", "v1", 17400, 15},
      {"certificates.k8s.io", "v1", 17300, 15},
      {"networking.k8s.io", "v1", 17200, 15},
      {"policy", "v1", 17100, 15},
      {"rbac.authorization.k8s.io", "v1", 17000, 15},
      {"storage.k8s.io", "v1", 16800, 15},
      {"apiextensions.k8s.io", "v1", 16700, 15},
      {"admissionregistration.k8s.io", "v1", 16700, 15},
      {"scheduling.k8s.io", "v1", 16600, 15},
      {"coordination.k8s.io", "v1", 16500, 15},
      {"node.k8s.io", "v1", 16300, 15},
      {"discovery.k8s.io", "v1", 16200, 15},
      {"flowcontrol.apiserver.k8s.io", "v1", 16100, 21},
  };
  std::vector<boost::json::object> out;
  std::vector<std::string> seen;
  for (const auto& r : resources) {
    if (r.custom) continue;
    std::string name = r.version + "." + r.group;
    bool dup = false;
    for (const auto& s : seen) dup |= s == name;
    if (dup) continue;
    seen.push_back(name);
    int group_min = 16000, version_priority = 15;
    for (const auto& p : kPriorities) {
      if (r.group == p.group && r.version == p.version) {
        group_min = p.group_min;
        version_priority = p.version_priority;
      }
    }
    boost::json::object spec{{"group", r.group}, {"version", r.version}, {"groupPriorityMinimum", group_min},
                             {"versionPriority", version_priority}};
    if (r.group.empty()) spec.erase("group");  // omitted when empty, as upstream encodes it
    boost::json::object condition{{"type", "Available"}, {"status", "True"}, {"lastTransitionTime", now},
                                  {"reason", "Local"}, {"message", "Local APIServices are always available"}};
    out.push_back(boost::json::object{
        {"apiVersion", "apiregistration.k8s.io/v1"},
        {"kind", "APIService"},
        {"metadata", boost::json::object{{"name", name},
                                         {"labels", boost::json::object{{"kube-aggregator.kubernetes.io/automanaged",
                                                                         "onstart"}}}}},
        {"spec", std::move(spec)},
        {"status", boost::json::object{{"conditions", boost::json::array{std::move(condition)}}}}});
  }
  return out;
}

}  // namespace k1s::registry
