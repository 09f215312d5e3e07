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
  add("", "v1", "Service", "services", true, {"svc"}, all)->label_names = true;
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
  subs("policy", "poddisruptionbudgets", {"status"});
  subs("networking.k8s.io", "ingresses", {"status"});
  subs("certificates.k8s.io", "certificatesigningrequests", {"status", "approval"});
  subs("apiextensions.k8s.io", "customresourcedefinitions", {"status"});
  return r;
}

}  // namespace k1s::registry
