#include "server/auth/bootstrap_policy.h"

#include <boost/json/array.hpp>
#include <string>
#include <utility>

namespace k1s::auth {

namespace json = boost::json;

namespace {

using Strs = std::vector<std::string>;

constexpr const char* kRbacApiVersion = "rbac.authorization.k8s.io/v1";
constexpr const char* kRbacGroup = "rbac.authorization.k8s.io";
constexpr const char* kAggregateToAdmin = "rbac.authorization.k8s.io/aggregate-to-admin";
constexpr const char* kAggregateToEdit = "rbac.authorization.k8s.io/aggregate-to-edit";
constexpr const char* kAggregateToView = "rbac.authorization.k8s.io/aggregate-to-view";

const Strs kRead = {"get", "list", "watch"};
const Strs kWrite = {"create", "delete", "deletecollection", "patch", "update"};
const Strs kReadWrite = {"create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"};

// A PolicyRule under construction: Verbs(...).Groups(...).Resources(...).
struct Rule {
  Strs verbs, groups, resources, names, urls;
  Rule& Groups(Strs g) { groups = std::move(g); return *this; }
  Rule& Resources(Strs r) { resources = std::move(r); return *this; }
  Rule& Names(Strs n) { names = std::move(n); return *this; }
  Rule& Urls(Strs u) { urls = std::move(u); return *this; }
};
Rule Verbs(Strs v) { return Rule{std::move(v), {}, {}, {}, {}}; }
// Legacy and events.k8s.io events: what every component that records events needs.
Rule EventsRule() { return Verbs({"create", "patch", "update"}).Groups({"", "events.k8s.io"}).Resources({"events"}); }

json::array Array(const Strs& list) {
  json::array a;
  for (const auto& s : list) a.emplace_back(s);
  return a;
}

json::object RuleJson(const Rule& r) {
  json::object o;
  if (!r.groups.empty() || !r.resources.empty()) o["apiGroups"] = Array(r.groups);
  if (!r.urls.empty()) o["nonResourceURLs"] = Array(r.urls);
  if (!r.names.empty()) o["resourceNames"] = Array(r.names);
  if (!r.resources.empty()) o["resources"] = Array(r.resources);
  o["verbs"] = Array(r.verbs);
  return o;
}

json::object Meta(const std::string& name, const std::string& ns,
                  const std::vector<std::pair<std::string, std::string>>& extra_labels = {}) {
  json::object labels{{"kubernetes.io/bootstrapping", "rbac-defaults"}};
  for (const auto& [k, v] : extra_labels) labels[k] = v;
  json::object meta{{"name", name},
                    {"labels", std::move(labels)},
                    {"annotations", json::object{{"rbac.authorization.kubernetes.io/autoupdate", "true"}}}};
  if (!ns.empty()) meta["namespace"] = ns;
  return meta;
}

json::object RoleObject(const char* kind, const std::string& ns, const std::string& name, const std::vector<Rule>& rules,
                        const std::vector<std::pair<std::string, std::string>>& labels = {}) {
  json::array a;
  for (const auto& r : rules) a.push_back(RuleJson(r));
  return json::object{{"apiVersion", kRbacApiVersion}, {"kind", kind}, {"metadata", Meta(name, ns, labels)},
                      {"rules", std::move(a)}};
}

json::object ClusterRole(const std::string& name, const std::vector<Rule>& rules,
                         const std::vector<std::pair<std::string, std::string>>& labels = {}) {
  return RoleObject("ClusterRole", "", name, rules, labels);
}

// admin/edit/view: no rules of their own, the union of the roles carrying aggregate_label.
json::object AggregatedClusterRole(const std::string& name, const std::string& aggregate_label,
                                   const std::vector<std::pair<std::string, std::string>>& labels) {
  json::object o = RoleObject("ClusterRole", "", name, {}, labels);
  o["rules"] = nullptr;
  o["aggregationRule"] = json::object{
      {"clusterRoleSelectors", json::array{json::object{{"matchLabels", json::object{{aggregate_label, "true"}}}}}}};
  return o;
}

struct Subject {
  std::string kind, name, ns;
};
Subject User(std::string name) { return {"User", std::move(name), ""}; }
Subject Group(std::string name) { return {"Group", std::move(name), ""}; }
Subject ServiceAccount(std::string ns, std::string name) { return {"ServiceAccount", std::move(name), std::move(ns)}; }

json::object BindingObject(const char* kind, const std::string& ns, const std::string& name, const char* role_kind,
                           const std::string& role_name, const std::vector<Subject>& subjects) {
  json::object o{{"apiVersion", kRbacApiVersion},
                 {"kind", kind},
                 {"metadata", Meta(name, ns)},
                 {"roleRef", json::object{{"apiGroup", kRbacGroup}, {"kind", role_kind}, {"name", role_name}}}};
  if (!subjects.empty()) {
    json::array a;
    for (const auto& s : subjects) {
      json::object j;
      if (s.kind == "ServiceAccount") {
        j = json::object{{"kind", s.kind}, {"name", s.name}, {"namespace", s.ns}};
      } else {
        j = json::object{{"apiGroup", kRbacGroup}, {"kind", s.kind}, {"name", s.name}};
      }
      a.push_back(std::move(j));
    }
    o["subjects"] = std::move(a);
  }
  return o;
}

json::object ClusterBinding(const std::string& role, const std::vector<Subject>& subjects) {
  return BindingObject("ClusterRoleBinding", "", role, "ClusterRole", role, subjects);
}

// The controllers of kube-controller-manager that k1s runs (or may run), each with its own service
// account in kube-system and a ClusterRole "system:controller:<name>".
std::vector<std::pair<std::string, std::vector<Rule>>> ControllerRoles() {
  const Rule events = EventsRule();
  return {
      {"attachdetach-controller",
       {Verbs({"list", "watch"}).Groups({""}).Resources({"persistentvolumeclaims", "persistentvolumes"}),
        Verbs(kRead).Groups({""}).Resources({"nodes"}),
        Verbs({"patch", "update"}).Groups({""}).Resources({"nodes/status"}),
        Verbs({"list", "watch"}).Groups({""}).Resources({"pods"}), events,
        Verbs({"create", "delete", "get", "list", "watch"}).Groups({"storage.k8s.io"}).Resources({"volumeattachments"}),
        Verbs(kRead).Groups({"storage.k8s.io"}).Resources({"csidrivers"}),
        Verbs(kRead).Groups({"storage.k8s.io"}).Resources({"csinodes"})}},
      {"certificate-controller",
       {Verbs({"delete", "get", "list", "watch"}).Groups({"certificates.k8s.io"}).Resources({"certificatesigningrequests"}),
        Verbs({"update"}).Groups({"certificates.k8s.io"})
            .Resources({"certificatesigningrequests/approval", "certificatesigningrequests/status"}),
        Verbs({"approve"}).Groups({"certificates.k8s.io"}).Resources({"signers"})
            .Names({"kubernetes.io/kube-apiserver-client-kubelet"}),
        Verbs({"sign"}).Groups({"certificates.k8s.io"}).Resources({"signers"})
            .Names({"kubernetes.io/kube-apiserver-client", "kubernetes.io/kube-apiserver-client-kubelet",
                    "kubernetes.io/kubelet-serving", "kubernetes.io/legacy-unknown"}),
        Verbs({"create"}).Groups({"authorization.k8s.io"}).Resources({"subjectaccessreviews"}), events}},
      {"clusterrole-aggregation-controller",
       {Verbs({"escalate", "get", "list", "patch", "update", "watch"}).Groups({kRbacGroup}).Resources({"clusterroles"})}},
      {"cronjob-controller",
       {Verbs({"get", "list", "update", "watch"}).Groups({"batch"}).Resources({"cronjobs"}),
        Verbs({"create", "delete", "get", "list", "patch", "update", "watch"}).Groups({"batch"}).Resources({"jobs"}),
        Verbs({"update"}).Groups({"batch"}).Resources({"cronjobs/status"}),
        Verbs({"update"}).Groups({"batch"}).Resources({"cronjobs/finalizers"}),
        Verbs({"delete", "list"}).Groups({""}).Resources({"pods"}), events}},
      {"daemon-set-controller",
       {Verbs(kRead).Groups({"apps", "extensions"}).Resources({"daemonsets"}),
        Verbs({"update"}).Groups({"apps", "extensions"}).Resources({"daemonsets/status"}),
        Verbs({"update"}).Groups({"apps", "extensions"}).Resources({"daemonsets/finalizers"}),
        Verbs({"list", "watch"}).Groups({""}).Resources({"nodes"}),
        Verbs({"create", "delete", "list", "patch", "watch"}).Groups({""}).Resources({"pods"}),
        Verbs({"create"}).Groups({""}).Resources({"pods/binding"}),
        Verbs({"create", "delete", "get", "list", "patch", "update", "watch"}).Groups({"apps"})
            .Resources({"controllerrevisions"}),
        events}},
      {"deployment-controller",
       {Verbs({"get", "list", "update", "watch"}).Groups({"apps", "extensions"}).Resources({"deployments"}),
        Verbs({"update"}).Groups({"apps", "extensions"}).Resources({"deployments/status"}),
        Verbs({"update"}).Groups({"apps", "extensions"}).Resources({"deployments/finalizers"}),
        Verbs({"create", "delete", "get", "list", "patch", "update", "watch"}).Groups({"apps", "extensions"})
            .Resources({"replicasets"}),
        Verbs({"get", "list", "update", "watch"}).Groups({""}).Resources({"pods"}), events}},
      {"disruption-controller",
       {Verbs(kRead).Groups({"apps", "extensions"}).Resources({"deployments"}),
        Verbs(kRead).Groups({"apps", "extensions"}).Resources({"replicasets"}),
        Verbs(kRead).Groups({""}).Resources({"replicationcontrollers"}),
        Verbs(kRead).Groups({"policy"}).Resources({"poddisruptionbudgets"}),
        Verbs(kRead).Groups({"apps"}).Resources({"statefulsets"}),
        Verbs({"update"}).Groups({"policy"}).Resources({"poddisruptionbudgets/status"}),
        Verbs({"get"}).Groups({"*"}).Resources({"*/scale"}), events,
        Verbs({"patch", "update"}).Groups({""}).Resources({"pods/status"})}},
      {"endpoint-controller",
       {Verbs(kRead).Groups({""}).Resources({"pods", "services"}),
        Verbs({"create", "delete", "get", "list", "update"}).Groups({""}).Resources({"endpoints"}),
        Verbs({"create"}).Groups({""}).Resources({"endpoints/restricted"}), events}},
      {"endpointslice-controller",
       {Verbs(kRead).Groups({""}).Resources({"nodes", "pods", "services"}),
        Verbs({"update"}).Groups({""}).Resources({"services/finalizers"}),
        Verbs({"create", "delete", "get", "list", "update"}).Groups({"discovery.k8s.io"}).Resources({"endpointslices"}),
        events}},
      {"endpointslicemirroring-controller",
       {Verbs(kRead).Groups({""}).Resources({"endpoints", "services"}),
        Verbs({"update"}).Groups({""}).Resources({"services/finalizers"}),
        Verbs({"update"}).Groups({""}).Resources({"endpoints/finalizers"}),
        Verbs({"create", "delete", "get", "list", "update"}).Groups({"discovery.k8s.io"}).Resources({"endpointslices"}),
        events}},
      {"ephemeral-volume-controller",
       {Verbs(kRead).Groups({""}).Resources({"pods"}), Verbs({"update"}).Groups({""}).Resources({"pods/finalizers"}),
        Verbs({"create", "get", "list", "watch"}).Groups({""}).Resources({"persistentvolumeclaims"}), events}},
      {"expand-controller",
       {Verbs({"get", "list", "patch", "update", "watch"}).Groups({""}).Resources({"persistentvolumes"}),
        Verbs({"patch", "update"}).Groups({""}).Resources({"persistentvolumeclaims/status"}),
        Verbs(kRead).Groups({""}).Resources({"persistentvolumeclaims"}),
        Verbs(kRead).Groups({"storage.k8s.io"}).Resources({"storageclasses"}),
        Verbs({"get"}).Groups({""}).Resources({"endpoints", "services"}),
        Verbs({"get"}).Groups({""}).Resources({"secrets"}), events}},
      {"generic-garbage-collector",
       {Verbs({"delete", "get", "list", "patch", "update", "watch"}).Groups({"*"}).Resources({"*"}), events}},
      {"horizontal-pod-autoscaler",
       {Verbs(kRead).Groups({"autoscaling"}).Resources({"horizontalpodautoscalers"}),
        Verbs({"update"}).Groups({"autoscaling"}).Resources({"horizontalpodautoscalers/status"}),
        Verbs({"get", "update"}).Groups({"*"}).Resources({"*/scale"}),
        Verbs({"list"}).Groups({""}).Resources({"pods"}),
        Verbs({"list"}).Groups({"metrics.k8s.io"}).Resources({"pods"}),
        Verbs({"get", "list"}).Groups({"custom.metrics.k8s.io"}).Resources({"*"}),
        Verbs({"get", "list"}).Groups({"external.metrics.k8s.io"}).Resources({"*"}), events}},
      {"job-controller",
       {Verbs({"get", "list", "patch", "update", "watch"}).Groups({"batch"}).Resources({"jobs"}),
        Verbs({"update"}).Groups({"batch"}).Resources({"jobs/status"}),
        Verbs({"update"}).Groups({"batch"}).Resources({"jobs/finalizers"}),
        Verbs({"create", "delete", "list", "patch", "watch"}).Groups({""}).Resources({"pods"}), events}},
      {"namespace-controller",
       {Verbs({"delete", "get", "list", "watch"}).Groups({""}).Resources({"namespaces"}),
        Verbs({"update"}).Groups({""}).Resources({"namespaces/finalize", "namespaces/status"}),
        Verbs({"delete", "deletecollection", "get", "list"}).Groups({"*"}).Resources({"*"})}},
      {"node-controller",
       {Verbs({"delete", "get", "list", "patch", "update"}).Groups({""}).Resources({"nodes"}),
        Verbs({"patch", "update"}).Groups({""}).Resources({"nodes/status"}),
        Verbs({"patch", "update"}).Groups({""}).Resources({"pods/status"}),
        Verbs({"delete", "list"}).Groups({""}).Resources({"pods"}), events,
        Verbs({"get"}).Groups({""}).Resources({"pods"})}},
      {"persistent-volume-binder",
       {Verbs({"create", "delete", "get", "list", "update", "watch"}).Groups({""}).Resources({"persistentvolumes"}),
        Verbs({"update"}).Groups({""}).Resources({"persistentvolumes/status"}),
        Verbs({"get", "list", "update", "watch"}).Groups({""}).Resources({"persistentvolumeclaims"}),
        Verbs({"update"}).Groups({""}).Resources({"persistentvolumeclaims/status"}),
        Verbs({"create", "delete", "get", "list", "watch"}).Groups({""}).Resources({"pods"}),
        Verbs(kRead).Groups({"storage.k8s.io"}).Resources({"storageclasses"}),
        Verbs({"create", "delete", "get", "update"}).Groups({""}).Resources({"endpoints"}),
        Verbs({"create", "delete", "get"}).Groups({""}).Resources({"services"}),
        Verbs({"get"}).Groups({""}).Resources({"secrets"}), Verbs({"get", "list"}).Groups({""}).Resources({"nodes"}),
        Verbs({"watch"}).Groups({""}).Resources({"events"}), events}},
      {"pod-garbage-collector",
       {Verbs({"delete", "list", "watch"}).Groups({""}).Resources({"pods"}),
        Verbs({"get", "list"}).Groups({""}).Resources({"nodes"}),
        Verbs({"patch"}).Groups({""}).Resources({"pods/status"})}},
      {"pv-protection-controller",
       {Verbs({"get", "list", "update", "watch"}).Groups({""}).Resources({"persistentvolumes"}), events}},
      {"pvc-protection-controller",
       {Verbs({"get", "list", "update", "watch"}).Groups({""}).Resources({"persistentvolumeclaims"}),
        Verbs(kRead).Groups({""}).Resources({"pods"}), events}},
      {"replicaset-controller",
       {Verbs({"get", "list", "update", "watch"}).Groups({"apps", "extensions"}).Resources({"replicasets"}),
        Verbs({"update"}).Groups({"apps", "extensions"}).Resources({"replicasets/status"}),
        Verbs({"update"}).Groups({"apps", "extensions"}).Resources({"replicasets/finalizers"}),
        Verbs({"create", "delete", "list", "patch", "watch"}).Groups({""}).Resources({"pods"}), events}},
      {"replication-controller",
       {Verbs({"get", "list", "update", "watch"}).Groups({""}).Resources({"replicationcontrollers"}),
        Verbs({"update"}).Groups({""}).Resources({"replicationcontrollers/status"}),
        Verbs({"update"}).Groups({""}).Resources({"replicationcontrollers/finalizers"}),
        Verbs({"create", "delete", "list", "patch", "watch"}).Groups({""}).Resources({"pods"}), events}},
      {"resourcequota-controller",
       {Verbs({"list", "watch"}).Groups({"*"}).Resources({"*"}),
        Verbs({"update"}).Groups({""}).Resources({"resourcequotas/status"}), events}},
      {"root-ca-cert-publisher", {Verbs({"create", "update"}).Groups({""}).Resources({"configmaps"}), events}},
      {"route-controller",
       {Verbs({"list", "watch"}).Groups({""}).Resources({"nodes"}),
        Verbs({"patch"}).Groups({""}).Resources({"nodes/status"}), events}},
      {"service-account-controller", {Verbs({"create"}).Groups({""}).Resources({"serviceaccounts"}), events}},
      {"service-cidrs-controller",
       {Verbs({"get", "list", "patch", "update", "watch"}).Groups({"networking.k8s.io"}).Resources({"servicecidrs"}),
        Verbs({"patch", "update"}).Groups({"networking.k8s.io"}).Resources({"servicecidrs/finalizers"}),
        Verbs({"patch", "update"}).Groups({"networking.k8s.io"}).Resources({"servicecidrs/status"}),
        Verbs(kRead).Groups({"networking.k8s.io"}).Resources({"ipaddresses"}), events}},
      {"service-controller",
       {Verbs(kRead).Groups({""}).Resources({"services"}),
        Verbs({"patch", "update"}).Groups({""}).Resources({"services/status"}),
        Verbs({"list", "watch"}).Groups({""}).Resources({"nodes"}), events}},
      {"statefulset-controller",
       {Verbs({"list", "watch"}).Groups({""}).Resources({"pods"}),
        Verbs(kRead).Groups({"apps"}).Resources({"statefulsets"}),
        Verbs({"update"}).Groups({"apps"}).Resources({"statefulsets/status"}),
        Verbs({"update"}).Groups({"apps"}).Resources({"statefulsets/finalizers"}),
        Verbs({"create", "delete", "get", "patch", "update"}).Groups({""}).Resources({"pods"}),
        Verbs({"create", "delete", "get", "list", "patch", "update", "watch"}).Groups({"apps"})
            .Resources({"controllerrevisions"}),
        Verbs({"create", "get"}).Groups({""}).Resources({"persistentvolumeclaims"}), events,
        Verbs({"delete", "update"}).Groups({""}).Resources({"persistentvolumeclaims"})}},
      {"ttl-after-finished-controller",
       {Verbs({"delete", "get", "list", "watch"}).Groups({"batch"}).Resources({"jobs"}), events}},
      {"ttl-controller", {Verbs({"list", "patch", "update", "watch"}).Groups({""}).Resources({"nodes"}), events}},
  };
}

}  // namespace

std::vector<json::object> BootstrapClusterRoles() {
  const Rule events = EventsRule();
  std::vector<json::object> out;
  out.push_back(ClusterRole("cluster-admin", {Verbs({"*"}).Groups({"*"}).Resources({"*"}), Verbs({"*"}).Urls({"*"})}));
  out.push_back(ClusterRole("system:discovery",
                            {Verbs({"get"}).Urls({"/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/openapi",
                                                  "/openapi/*", "/readyz", "/version", "/version/"})}));
  out.push_back(ClusterRole("system:monitoring",
                            {Verbs({"get"}).Urls({"/healthz", "/healthz/*", "/livez", "/livez/*", "/metrics",
                                                  "/metrics/slis", "/readyz", "/readyz/*"}),
                             Verbs({"get"}).Groups({""}).Resources({"nodes/metrics"})}));
  out.push_back(ClusterRole(
      "system:basic-user",
      {Verbs({"create"}).Groups({"authorization.k8s.io"}).Resources({"selfsubjectaccessreviews", "selfsubjectrulesreviews"}),
       Verbs({"create"}).Groups({"authentication.k8s.io"}).Resources({"selfsubjectreviews"})}));
  out.push_back(ClusterRole("system:public-info-viewer",
                            {Verbs({"get"}).Urls({"/healthz", "/livez", "/readyz", "/version", "/version/"})}));

  // User-facing roles: admin, edit and view are aggregated from the system:aggregate-to-* roles (and
  // from each other: view is part of edit, edit part of admin) plus whatever CRD roles carry the labels.
  out.push_back(AggregatedClusterRole("admin", kAggregateToAdmin, {}));
  out.push_back(AggregatedClusterRole("edit", kAggregateToEdit, {{kAggregateToAdmin, "true"}}));
  out.push_back(AggregatedClusterRole("view", kAggregateToView, {{kAggregateToEdit, "true"}}));
  out.push_back(ClusterRole(
      "system:aggregate-to-admin",
      {Verbs({"create"}).Groups({"authorization.k8s.io"}).Resources({"localsubjectaccessreviews"}),
       Verbs(kReadWrite).Groups({kRbacGroup}).Resources({"rolebindings", "roles"})},
      {{kAggregateToAdmin, "true"}}));
  out.push_back(ClusterRole(
      "system:aggregate-to-edit",
      {Verbs(kRead).Groups({""}).Resources(
           {"pods/attach", "pods/exec", "pods/portforward", "pods/proxy", "secrets", "services/proxy"}),
       Verbs({"impersonate"}).Groups({""}).Resources({"serviceaccounts"}),
       Verbs(kWrite).Groups({""}).Resources({"pods", "pods/attach", "pods/exec", "pods/portforward", "pods/proxy"}),
       Verbs({"create"}).Groups({""}).Resources({"pods/eviction"}),
       Verbs(kWrite).Groups({""}).Resources({"configmaps", "persistentvolumeclaims", "replicationcontrollers",
                                              "replicationcontrollers/scale", "secrets", "serviceaccounts", "services",
                                              "services/proxy"}),
       Verbs({"create"}).Groups({""}).Resources({"serviceaccounts/token"}),
       Verbs(kWrite).Groups({"apps"}).Resources({"daemonsets", "deployments", "deployments/rollback",
                                                  "deployments/scale", "replicasets", "replicasets/scale",
                                                  "statefulsets", "statefulsets/scale"}),
       Verbs(kWrite).Groups({"autoscaling"}).Resources({"horizontalpodautoscalers"}),
       Verbs(kWrite).Groups({"batch"}).Resources({"cronjobs", "jobs"}),
       Verbs(kWrite).Groups({"extensions"}).Resources({"daemonsets", "deployments", "deployments/rollback",
                                                        "deployments/scale", "ingresses", "networkpolicies",
                                                        "replicasets", "replicasets/scale",
                                                        "replicationcontrollers/scale"}),
       Verbs(kWrite).Groups({"policy"}).Resources({"poddisruptionbudgets"}),
       Verbs(kWrite).Groups({"networking.k8s.io"}).Resources({"ingresses", "networkpolicies"}),
       Verbs(kReadWrite).Groups({"coordination.k8s.io"}).Resources({"leases"})},
      {{kAggregateToEdit, "true"}}));
  out.push_back(ClusterRole(
      "system:aggregate-to-view",
      {Verbs(kRead).Groups({""}).Resources({"configmaps", "endpoints", "persistentvolumeclaims",
                                             "persistentvolumeclaims/status", "pods", "replicationcontrollers",
                                             "replicationcontrollers/scale", "serviceaccounts", "services",
                                             "services/status"}),
       Verbs(kRead).Groups({""}).Resources({"bindings", "limitranges", "namespaces/status", "pods/log",
                                             "pods/status", "replicationcontrollers/status", "resourcequotas",
                                             "resourcequotas/status"}),
       Verbs(kRead).Groups({""}).Resources({"namespaces"}),
       Verbs(kRead).Groups({"", "events.k8s.io"}).Resources({"events"}),
       Verbs(kRead).Groups({"discovery.k8s.io"}).Resources({"endpointslices"}),
       Verbs(kRead).Groups({"apps"}).Resources({"controllerrevisions", "daemonsets", "daemonsets/status", "deployments",
                                                 "deployments/scale", "deployments/status", "replicasets",
                                                 "replicasets/scale", "replicasets/status", "statefulsets",
                                                 "statefulsets/scale", "statefulsets/status"}),
       Verbs(kRead).Groups({"autoscaling"}).Resources({"horizontalpodautoscalers", "horizontalpodautoscalers/status"}),
       Verbs(kRead).Groups({"batch"}).Resources({"cronjobs", "cronjobs/status", "jobs", "jobs/status"}),
       Verbs(kRead).Groups({"extensions"}).Resources({"daemonsets", "daemonsets/status", "deployments",
                                                       "deployments/scale", "deployments/status", "ingresses",
                                                       "ingresses/status", "networkpolicies", "replicasets",
                                                       "replicasets/scale", "replicasets/status",
                                                       "replicationcontrollers/scale"}),
       Verbs(kRead).Groups({"policy"}).Resources({"poddisruptionbudgets", "poddisruptionbudgets/status"}),
       Verbs(kRead).Groups({"networking.k8s.io"}).Resources({"ingresses", "ingresses/status", "networkpolicies"})},
      {{kAggregateToView, "true"}}));

  out.push_back(ClusterRole("system:heapster", {Verbs(kRead).Groups({""}).Resources({"events", "namespaces", "nodes", "pods"}),
                                                Verbs(kRead).Groups({"extensions"}).Resources({"deployments"})}));
  out.push_back(ClusterRole(
      "system:node",
      {Verbs({"create"}).Groups({"authentication.k8s.io"}).Resources({"tokenreviews"}),
       Verbs({"create"}).Groups({"authorization.k8s.io"}).Resources({"localsubjectaccessreviews", "subjectaccessreviews"}),
       Verbs(kRead).Groups({""}).Resources({"services"}),
       Verbs({"create", "get", "list", "watch"}).Groups({""}).Resources({"nodes"}),
       Verbs({"patch", "update"}).Groups({""}).Resources({"nodes/status"}),
       Verbs({"patch", "update"}).Groups({""}).Resources({"nodes"}), events,
       Verbs(kRead).Groups({""}).Resources({"pods"}), Verbs({"create", "delete"}).Groups({""}).Resources({"pods"}),
       Verbs({"patch", "update"}).Groups({""}).Resources({"pods/status"}),
       Verbs({"create"}).Groups({""}).Resources({"pods/eviction"}),
       Verbs(kRead).Groups({""}).Resources({"configmaps", "secrets"}),
       Verbs({"get"}).Groups({""}).Resources({"persistentvolumeclaims", "persistentvolumes"}),
       Verbs({"get"}).Groups({""}).Resources({"endpoints"}),
       Verbs({"create", "get", "list", "watch"}).Groups({"certificates.k8s.io"}).Resources({"certificatesigningrequests"}),
       Verbs({"create", "delete", "get", "patch", "update"}).Groups({"coordination.k8s.io"}).Resources({"leases"}),
       Verbs({"get"}).Groups({"storage.k8s.io"}).Resources({"volumeattachments"}),
       Verbs({"create"}).Groups({""}).Resources({"serviceaccounts/token"}),
       Verbs({"get", "patch", "update"}).Groups({""}).Resources({"persistentvolumeclaims/status"}),
       Verbs(kRead).Groups({"storage.k8s.io"}).Resources({"csidrivers"}),
       Verbs({"create", "delete", "get", "patch", "update"}).Groups({"storage.k8s.io"}).Resources({"csinodes"}),
       Verbs(kRead).Groups({"node.k8s.io"}).Resources({"runtimeclasses"})}));
  out.push_back(ClusterRole("system:node-proxier",
                            {Verbs({"list", "watch"}).Groups({""}).Resources({"endpoints", "services"}),
                             Verbs(kRead).Groups({""}).Resources({"nodes"}), events,
                             Verbs({"list", "watch"}).Groups({"networking.k8s.io"}).Resources({"servicecidrs"}),
                             Verbs({"list", "watch"}).Groups({"discovery.k8s.io"}).Resources({"endpointslices"})}));
  out.push_back(ClusterRole("system:kubelet-api-admin",
                            {Verbs(kRead).Groups({""}).Resources({"nodes"}),
                             Verbs({"proxy"}).Groups({""}).Resources({"nodes"}),
                             Verbs({"*"}).Groups({""}).Resources({"nodes/log", "nodes/metrics", "nodes/proxy", "nodes/stats"})}));
  out.push_back(ClusterRole("system:node-bootstrapper",
                            {Verbs({"create", "get", "list", "watch"}).Groups({"certificates.k8s.io"})
                                 .Resources({"certificatesigningrequests"})}));
  out.push_back(ClusterRole("system:auth-delegator",
                            {Verbs({"create"}).Groups({"authentication.k8s.io"}).Resources({"tokenreviews"}),
                             Verbs({"create"}).Groups({"authorization.k8s.io"}).Resources({"subjectaccessreviews"})}));
  out.push_back(ClusterRole("system:kube-aggregator", {Verbs(kRead).Groups({""}).Resources({"endpoints", "services"})}));
  out.push_back(ClusterRole(
      "system:kube-controller-manager",
      {events, Verbs({"create"}).Groups({"coordination.k8s.io"}).Resources({"leases"}),
       Verbs({"get", "update"}).Groups({"coordination.k8s.io"}).Resources({"leases"}).Names({"kube-controller-manager"}),
       Verbs({"create"}).Groups({""}).Resources({"secrets", "serviceaccounts"}),
       Verbs({"delete"}).Groups({""}).Resources({"secrets"}),
       Verbs({"get"}).Groups({""}).Resources({"configmaps", "namespaces", "secrets", "serviceaccounts"}),
       Verbs({"update"}).Groups({""}).Resources({"secrets", "serviceaccounts"}),
       Verbs({"create"}).Groups({"authentication.k8s.io"}).Resources({"tokenreviews"}),
       Verbs({"create"}).Groups({"authorization.k8s.io"}).Resources({"subjectaccessreviews"}),
       Verbs({"list", "watch"}).Groups({"*"}).Resources({"*"}),
       Verbs({"create"}).Groups({""}).Resources({"serviceaccounts/token"})}));
  out.push_back(ClusterRole(
      "system:kube-scheduler",
      {events, Verbs({"create"}).Groups({"coordination.k8s.io"}).Resources({"leases"}),
       Verbs({"get", "list", "update", "watch"}).Groups({"coordination.k8s.io"}).Resources({"leases"}).Names({"kube-scheduler"}),
       Verbs(kReadWrite).Groups({"coordination.k8s.io"}).Resources({"leasecandidates"}),
       Verbs(kRead).Groups({""}).Resources({"nodes"}),
       Verbs({"delete", "get", "list", "watch"}).Groups({""}).Resources({"pods"}),
       Verbs({"create"}).Groups({""}).Resources({"bindings", "pods/binding"}),
       Verbs({"patch", "update"}).Groups({""}).Resources({"pods/status"}),
       Verbs(kRead).Groups({""}).Resources({"replicationcontrollers", "services"}),
       Verbs(kRead).Groups({"apps", "extensions"}).Resources({"replicasets"}),
       Verbs(kRead).Groups({"apps"}).Resources({"statefulsets"}),
       Verbs(kRead).Groups({"policy"}).Resources({"poddisruptionbudgets"}),
       Verbs(kRead).Groups({""}).Resources({"persistentvolumeclaims", "persistentvolumes"}),
       Verbs({"create"}).Groups({"authentication.k8s.io"}).Resources({"tokenreviews"}),
       Verbs({"create"}).Groups({"authorization.k8s.io"}).Resources({"subjectaccessreviews"}),
       Verbs(kRead).Groups({"storage.k8s.io"}).Resources({"csinodes"}),
       Verbs(kRead).Groups({"storage.k8s.io"}).Resources({"volumeattachments"}),
       Verbs(kRead).Groups({""}).Resources({"namespaces"}),
       Verbs(kRead).Groups({"storage.k8s.io"}).Resources({"csidrivers"}),
       Verbs(kRead).Groups({"storage.k8s.io"}).Resources({"csistoragecapacities"}),
       Verbs({"update"}).Groups({""}).Resources({"pods/finalizers"})}));
  out.push_back(ClusterRole("system:kube-dns", {Verbs({"list", "watch"}).Groups({""}).Resources({"endpoints", "services"})}));
  out.push_back(ClusterRole("system:persistent-volume-provisioner",
                            {Verbs({"create", "delete", "get", "list", "watch"}).Groups({""}).Resources({"persistentvolumes"}),
                             Verbs({"get", "list", "update", "watch"}).Groups({""}).Resources({"persistentvolumeclaims"}),
                             Verbs(kRead).Groups({"storage.k8s.io"}).Resources({"storageclasses"}),
                             Verbs({"watch"}).Groups({""}).Resources({"events"}), events}));
  out.push_back(ClusterRole("system:volume-scheduler",
                            {Verbs({"get", "list", "patch", "update", "watch"}).Groups({""}).Resources({"persistentvolumes"}),
                             Verbs(kRead).Groups({"storage.k8s.io"}).Resources({"storageclasses"}),
                             Verbs({"get", "list", "patch", "update", "watch"}).Groups({""})
                                 .Resources({"persistentvolumeclaims"})}));
  out.push_back(ClusterRole("system:node-problem-detector",
                            {Verbs({"get"}).Groups({""}).Resources({"nodes"}),
                             Verbs({"patch"}).Groups({""}).Resources({"nodes/status"}), events}));
  out.push_back(ClusterRole("system:service-account-issuer-discovery",
                            {Verbs({"get"}).Urls({"/.well-known/openid-configuration", "/.well-known/openid-configuration/",
                                                  "/openid/v1/jwks", "/openid/v1/jwks/"})}));
  out.push_back(ClusterRole("system:certificates.k8s.io:certificatesigningrequests:nodeclient",
                            {Verbs({"create"}).Groups({"certificates.k8s.io"})
                                 .Resources({"certificatesigningrequests/nodeclient"})}));
  out.push_back(ClusterRole("system:certificates.k8s.io:certificatesigningrequests:selfnodeclient",
                            {Verbs({"create"}).Groups({"certificates.k8s.io"})
                                 .Resources({"certificatesigningrequests/selfnodeclient"})}));
  for (const char* signer : {"kube-apiserver-client", "kube-apiserver-client-kubelet", "kubelet-serving",
                             "legacy-unknown"}) {
    out.push_back(ClusterRole(std::string("system:certificates.k8s.io:") + signer + "-approver",
                              {Verbs({"approve"}).Groups({"certificates.k8s.io"}).Resources({"signers"})
                                   .Names({std::string("kubernetes.io/") + signer})}));
  }
  for (const auto& [name, rules] : ControllerRoles()) out.push_back(ClusterRole("system:controller:" + name, rules));
  return out;
}

std::vector<json::object> BootstrapClusterRoleBindings() {
  std::vector<json::object> out;
  out.push_back(ClusterBinding("cluster-admin", {Group("system:masters")}));
  out.push_back(ClusterBinding("system:monitoring", {Group("system:monitoring")}));
  out.push_back(ClusterBinding("system:discovery", {Group("system:authenticated")}));
  out.push_back(ClusterBinding("system:basic-user", {Group("system:authenticated")}));
  out.push_back(ClusterBinding("system:public-info-viewer", {Group("system:authenticated"), Group("system:unauthenticated")}));
  // Upstream leaves system:node unbound: nodes are authorized by the Node authorizer.
  out.push_back(ClusterBinding("system:node", {}));
  out.push_back(ClusterBinding("system:node-proxier", {User("system:kube-proxy")}));
  out.push_back(ClusterBinding("system:kube-controller-manager", {User("system:kube-controller-manager")}));
  out.push_back(ClusterBinding("system:kube-dns", {ServiceAccount("kube-system", "kube-dns")}));
  out.push_back(ClusterBinding("system:kube-scheduler", {User("system:kube-scheduler")}));
  out.push_back(ClusterBinding("system:volume-scheduler", {User("system:kube-scheduler")}));
  out.push_back(ClusterBinding("system:service-account-issuer-discovery", {Group("system:serviceaccounts")}));
  for (const auto& [name, rules] : ControllerRoles()) {
    out.push_back(ClusterBinding("system:controller:" + name, {ServiceAccount("kube-system", name)}));
  }
  return out;
}

std::vector<json::object> BootstrapRoles() {
  const Rule events = EventsRule();
  std::vector<json::object> out;
  auto role = [&](const std::string& ns, const std::string& name, const std::vector<Rule>& rules) {
    out.push_back(RoleObject("Role", ns, name, rules));
  };
  role("kube-system", "extension-apiserver-authentication-reader",
       {Verbs(kRead).Groups({""}).Resources({"configmaps"}).Names({"extension-apiserver-authentication"})});
  role("kube-system", "system::leader-locking-kube-controller-manager",
       {Verbs({"watch"}).Groups({""}).Resources({"configmaps"}),
        Verbs({"get", "update"}).Groups({""}).Resources({"configmaps"}).Names({"kube-controller-manager"})});
  role("kube-system", "system::leader-locking-kube-scheduler",
       {Verbs({"watch"}).Groups({""}).Resources({"configmaps"}),
        Verbs({"get", "update"}).Groups({""}).Resources({"configmaps"}).Names({"kube-scheduler"})});
  role("kube-system", "system:controller:bootstrap-signer", {Verbs(kRead).Groups({""}).Resources({"secrets"})});
  role("kube-system", "system:controller:cloud-provider",
       {Verbs({"create", "get", "list", "watch"}).Groups({""}).Resources({"configmaps"})});
  role("kube-system", "system:controller:token-cleaner",
       {Verbs({"delete", "get", "list", "watch"}).Groups({""}).Resources({"secrets"}), events});
  role("kube-public", "system:controller:bootstrap-signer",
       {Verbs(kRead).Groups({""}).Resources({"configmaps"}),
        Verbs({"patch", "update"}).Groups({""}).Resources({"configmaps"}).Names({"cluster-info"}), events});
  return out;
}

std::vector<json::object> BootstrapRoleBindings() {
  std::vector<json::object> out;
  auto binding = [&](const std::string& ns, const std::string& name, const std::string& role,
                     const std::vector<Subject>& subjects) {
    out.push_back(BindingObject("RoleBinding", ns, name, "Role", role, subjects));
  };
  binding("kube-system", "system::extension-apiserver-authentication-reader",
          "extension-apiserver-authentication-reader",
          {User("system:kube-controller-manager"), User("system:kube-scheduler")});
  binding("kube-system", "system::leader-locking-kube-controller-manager",
          "system::leader-locking-kube-controller-manager",
          {User("system:kube-controller-manager"), ServiceAccount("kube-system", "kube-controller-manager")});
  binding("kube-system", "system::leader-locking-kube-scheduler", "system::leader-locking-kube-scheduler",
          {User("system:kube-scheduler"), ServiceAccount("kube-system", "kube-scheduler")});
  binding("kube-system", "system:controller:bootstrap-signer", "system:controller:bootstrap-signer",
          {ServiceAccount("kube-system", "bootstrap-signer")});
  binding("kube-system", "system:controller:cloud-provider", "system:controller:cloud-provider",
          {ServiceAccount("kube-system", "cloud-provider")});
  binding("kube-system", "system:controller:token-cleaner", "system:controller:token-cleaner",
          {ServiceAccount("kube-system", "token-cleaner")});
  binding("kube-public", "system:controller:bootstrap-signer", "system:controller:bootstrap-signer",
          {ServiceAccount("kube-system", "bootstrap-signer")});
  return out;
}

}  // namespace k1s::auth
