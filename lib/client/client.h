// Client: the interface the control loops (scheduler, controllers, kubelet) use to read and write API
// objects. Two implementations: in-process (server/, a thin adapter over the registry) and HTTPS (for
// the agent); FakeClient (fake_client.h) for unit tests. Types mirror server/registry/registry.h field
// for field so the in-process adapter is a copy. Implementations are thread-safe; a Watch has one
// consumer thread. Errors are Kubernetes Status errors (lib/api/status.h).
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lib/base/result.h"

namespace k1s::client {

namespace json = boost::json;

// A group/version/resource plus its kind and scope: what a Client call addresses.
struct Resource {
  std::string group;    // "" for core
  std::string version;  // "v1"
  std::string plural;   // "pods"
  bool namespaced = true;
  std::string kind;     // "Pod"

  // "v1" or "apps/v1": the apiVersion of its objects.
  std::string GroupVersion() const { return group.empty() ? version : group + "/" + version; }
  // "pods" or "deployments.apps": how upstream names a resource in messages.
  std::string GroupResource() const { return group.empty() ? plural : plural + "." + group; }
  bool operator==(const Resource& o) const {
    return group == o.group && version == o.version && plural == o.plural;
  }
};

// The built-in resources the control loops use.
inline const Resource kPods{"", "v1", "pods", true, "Pod"};
inline const Resource kNodes{"", "v1", "nodes", false, "Node"};
inline const Resource kServices{"", "v1", "services", true, "Service"};
inline const Resource kEndpoints{"", "v1", "endpoints", true, "Endpoints"};
inline const Resource kNamespaces{"", "v1", "namespaces", false, "Namespace"};
inline const Resource kServiceAccounts{"", "v1", "serviceaccounts", true, "ServiceAccount"};
inline const Resource kSecrets{"", "v1", "secrets", true, "Secret"};
inline const Resource kConfigMaps{"", "v1", "configmaps", true, "ConfigMap"};
inline const Resource kEvents{"", "v1", "events", true, "Event"};
inline const Resource kPersistentVolumeClaims{"", "v1", "persistentvolumeclaims", true, "PersistentVolumeClaim"};
inline const Resource kPersistentVolumes{"", "v1", "persistentvolumes", false, "PersistentVolume"};
inline const Resource kResourceQuotas{"", "v1", "resourcequotas", true, "ResourceQuota"};
inline const Resource kLimitRanges{"", "v1", "limitranges", true, "LimitRange"};
inline const Resource kReplicationControllers{"", "v1", "replicationcontrollers", true, "ReplicationController"};
inline const Resource kEndpointSlices{"discovery.k8s.io", "v1", "endpointslices", true, "EndpointSlice"};
inline const Resource kDeployments{"apps", "v1", "deployments", true, "Deployment"};
inline const Resource kReplicaSets{"apps", "v1", "replicasets", true, "ReplicaSet"};
inline const Resource kStatefulSets{"apps", "v1", "statefulsets", true, "StatefulSet"};
inline const Resource kDaemonSets{"apps", "v1", "daemonsets", true, "DaemonSet"};
inline const Resource kControllerRevisions{"apps", "v1", "controllerrevisions", true, "ControllerRevision"};
inline const Resource kJobs{"batch", "v1", "jobs", true, "Job"};
inline const Resource kCronJobs{"batch", "v1", "cronjobs", true, "CronJob"};
inline const Resource kLeases{"coordination.k8s.io", "v1", "leases", true, "Lease"};
inline const Resource kEventsV1{"events.k8s.io", "v1", "events", true, "Event"};
inline const Resource kPodDisruptionBudgets{"policy", "v1", "poddisruptionbudgets", true, "PodDisruptionBudget"};
inline const Resource kHorizontalPodAutoscalers{"autoscaling", "v2", "horizontalpodautoscalers", true,
                                                "HorizontalPodAutoscaler"};
inline const Resource kIngresses{"networking.k8s.io", "v1", "ingresses", true, "Ingress"};
inline const Resource kNetworkPolicies{"networking.k8s.io", "v1", "networkpolicies", true, "NetworkPolicy"};
inline const Resource kStorageClasses{"storage.k8s.io", "v1", "storageclasses", false, "StorageClass"};
inline const Resource kCertificateSigningRequests{"certificates.k8s.io", "v1", "certificatesigningrequests", false,
                                                  "CertificateSigningRequest"};
inline const Resource kCustomResourceDefinitions{"apiextensions.k8s.io", "v1", "customresourcedefinitions", false,
                                                 "CustomResourceDefinition"};

struct WriteOptions {
  bool dry_run = false;
  std::string field_manager;
};

struct DeleteOptions {
  bool dry_run = false;
  std::optional<int64_t> grace_period_seconds;
  std::string propagation_policy;  // Orphan, Background, Foreground ("" = the kind's default)
  std::string precondition_uid;
  std::string precondition_resource_version;
};

struct ListOptions {
  std::string label_selector;
  std::string field_selector;
  int64_t limit = 0;
  std::string continue_token;
  std::string resource_version;        // "" (latest), "0" (any), or a revision (not older than)
  std::string resource_version_match;  // "", NotOlderThan, Exact
  // Watch only.
  std::string name;                    // a single object's watch
  bool allow_bookmarks = false;
  bool send_initial_events = false;    // streaming list: initial ADDED events then a BOOKMARK
};

struct ObjectList {
  std::vector<json::object> items;
  std::string resource_version;
  std::string continue_token;
};

struct WatchEvent {
  std::string type;  // ADDED, MODIFIED, DELETED, BOOKMARK
  json::object object;
};

// A running watch. One consumer thread; destroying it ends the watch.
class Watch {
 public:
  virtual ~Watch() = default;
  // Waits up to timeout for events; empty on timeout. An error ends the watch: kGone means the
  // resourceVersion it started from (or fell behind to) is too old and the caller must list again.
  virtual Result<std::vector<WatchEvent>> Next(std::chrono::milliseconds timeout) = 0;
};

enum class PatchType { kJson, kMerge, kStrategicMerge };

// Implementations override the virtual calls and add `using Client::List;` (and Create, Update,
// Patch, Delete) so the shorthands below stay visible through the derived type.
class Client {
 public:
  virtual ~Client() = default;

  virtual Result<json::object> Get(const Resource& r, const std::string& ns, const std::string& name) = 0;
  virtual Result<ObjectList> List(const Resource& r, const std::string& ns, const ListOptions& options) = 0;
  // Events after options.resource_version; "" or "0" first sends the current objects as ADDED.
  virtual Result<std::unique_ptr<client::Watch>> Watch(const Resource& r, const std::string& ns,
                                                       const ListOptions& options) = 0;
  virtual Result<json::object> Create(const Resource& r, const std::string& ns, json::object obj,
                                      const WriteOptions& options) = 0;
  // subresource "" (the object; its status is kept for kinds with a status subresource) or "status"
  // (only the status changes). A non-empty metadata.resourceVersion is a precondition (kConflict).
  virtual Result<json::object> Update(const Resource& r, const std::string& ns, const std::string& name,
                                      json::object obj, const WriteOptions& options,
                                      const std::string& subresource) = 0;
  virtual Result<json::object> Patch(const Resource& r, const std::string& ns, const std::string& name, PatchType type,
                                     const json::value& patch, const WriteOptions& options,
                                     const std::string& subresource) = 0;
  // Deletes (or, with finalizers or a grace period, marks for deletion). *gone tells which.
  virtual Result<json::object> Delete(const Resource& r, const std::string& ns, const std::string& name,
                                      const DeleteOptions& options, bool* gone) = 0;
  virtual Result<ObjectList> DeleteCollection(const Resource& r, const std::string& ns, const ListOptions& list,
                                              const DeleteOptions& options) = 0;
  // POST to a subresource that is an action: pods/binding (a Binding), pods/eviction (an Eviction),
  // serviceaccounts/token (a TokenRequest). Returns the server's answer (a Status or the object).
  virtual Result<json::object> Post(const Resource& r, const std::string& ns, const std::string& name,
                                    const std::string& subresource, const json::object& body) = 0;

  // Shorthands with default options.
  Result<ObjectList> List(const Resource& r, const std::string& ns) { return List(r, ns, ListOptions{}); }
  Result<json::object> Create(const Resource& r, const std::string& ns, json::object obj) {
    return Create(r, ns, std::move(obj), WriteOptions{});
  }
  Result<json::object> Update(const Resource& r, const std::string& ns, const std::string& name, json::object obj) {
    return Update(r, ns, name, std::move(obj), WriteOptions{}, "");
  }
  Result<json::object> UpdateStatus(const Resource& r, const std::string& ns, const std::string& name,
                                    json::object obj) {
    return Update(r, ns, name, std::move(obj), WriteOptions{}, "status");
  }
  Result<json::object> Patch(const Resource& r, const std::string& ns, const std::string& name, PatchType type,
                             const json::value& patch) {
    return Patch(r, ns, name, type, patch, WriteOptions{}, "");
  }
  Result<json::object> Delete(const Resource& r, const std::string& ns, const std::string& name) {
    return Delete(r, ns, name, DeleteOptions{}, nullptr);
  }
};

// "ns/name", or "name" for cluster-scoped objects: the key of caches and work queues.
std::string MakeKey(std::string_view ns, std::string_view name);
// The key of an object, from its metadata.
std::string KeyOf(const json::object& obj);
// Splits a key into {namespace, name} ({"", name} without a slash).
std::pair<std::string, std::string> SplitKey(std::string_view key);

inline bool IsNotFound(const Error& e) { return e.code == ErrorCode::kNotFound; }
inline bool IsAlreadyExists(const Error& e) { return e.code == ErrorCode::kAlreadyExists; }
inline bool IsConflict(const Error& e) { return e.code == ErrorCode::kConflict; }
inline bool IsGone(const Error& e) { return e.code == ErrorCode::kGone; }

// A timestamp in RFC 3339 with microseconds ("2026-11-25T10:00:00.123456Z"): Lease times, Event
// times (MicroTime). ParseMicroTime also accepts whole seconds and any fraction; nullopt if malformed.
std::string FormatMicroTime(std::chrono::system_clock::time_point t);
std::optional<std::chrono::system_clock::time_point> ParseMicroTime(std::string_view text);
// RFC 3339 with whole seconds ("2026-11-25T10:00:00Z"): metav1.Time.
std::string FormatTime(std::chrono::system_clock::time_point t);

}  // namespace k1s::client
