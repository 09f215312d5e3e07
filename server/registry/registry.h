// Registry: the storage of API objects for every row of the resource table, over the datastore. It
// does what the API server does between decoding a request and encoding the answer: metadata
// (names, uid, generation, resourceVersion), per-kind defaults and validation, Service allocation,
// status and scale subresources, pod binding and eviction, finalizers and graceful deletion,
// selectors, paging and watches served from the watch cache. Errors are Kubernetes Status errors
// (lib/api/status.h). The HTTP handlers and the in-process client both call it.
// Thread-safe: called from many request threads at once; owns the watch cache's feeder thread.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "datastore/store.h"
#include "lib/base/result.h"
#include "server/registry/resources.h"

namespace k1s::registry {

namespace json = boost::json;

struct RegistryOptions {
  std::string service_cidr = "10.43.0.0/16";
  std::string service_node_port_range = "30000-32767";
  int https_port = 6443;            // target port of the default/kubernetes Service
  int64_t event_ttl_seconds = 3600; // Events expire this long after their last write
  bool watch_cache = true;          // serve LIST and WATCH from memory
  // Set when the controller manager runs those controllers: namespaces then terminate
  // asynchronously (emptied by the namespace controller, removed through namespaces/finalize), and
  // Foreground/Orphan deletions hold objects with the garbage collector's finalizers. Without them
  // a namespace's content is deleted at once and propagation policies act as Background.
  bool namespace_controller = false;
  bool garbage_collector = false;
};

struct WriteOptions {
  bool dry_run = false;
  std::string field_manager;
  // Unknown fields of built-in kinds are always dropped; when this is set they are also reported
  // here (worded `unknown field "spec.x"`), and with strict the write fails with kBadRequest instead.
  std::vector<std::string>* unknown_fields = nullptr;
  bool strict = false;
  bool force = false;                // server-side apply: take conflicting fields over
  bool managed_fields_done = false;  // internal: managedFields already computed (apply)
};

struct DeleteOptions {
  bool dry_run = false;
  std::optional<int64_t> grace_period_seconds;
  std::string propagation_policy;  // Orphan, Background, Foreground ("" = the kind's default)
  std::string precondition_uid;
  std::string precondition_resource_version;
};

// Upstream's ValidateDeleteOptions on the values as sent: every dryRun item must be "All"; a
// propagationPolicy, when given (even ""), must be Foreground, Background or Orphan. Fails with the 422
// Invalid for DeleteOptions.meta.k8s.io, worded as upstream. Pure; any thread.
Status ValidateDeleteOptions(const std::vector<std::string>& dry_run, const std::optional<std::string>& propagation_policy);

struct ListOptions {
  std::string label_selector;
  std::string field_selector;
  int64_t limit = 0;
  std::string continue_token;
  std::string resource_version;        // "" (latest), "0" (any), or a revision (not older than)
  std::string resource_version_match;  // "", NotOlderThan, Exact
  // The request's deadline (?timeout=): waits for the watch cache to catch up end by then.
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  // Watch only.
  std::string name;                    // a single object's watch (kubectl get NAME -w)
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

// A running watch. One consumer thread.
class Watch {
 public:
  virtual ~Watch() = default;
  // Waits up to timeout for events; empty on timeout. An error (kGone: too old) ends the watch; the
  // caller sends it as an ERROR event.
  virtual Result<std::vector<WatchEvent>> Next(std::chrono::milliseconds timeout) = 0;
};

enum class PatchType { kJson, kMerge, kStrategicMerge, kApply };

class Registry {
 public:
  static Result<std::unique_ptr<Registry>> Open(datastore::Store& store, std::vector<ResourceInfo> resources,
                                                RegistryOptions options);
  ~Registry();

  // The served resources now (built-in, then custom ones from CustomResourceDefinitions); a new
  // snapshot whenever a CRD changes. Find's pointers stay valid for the registry's lifetime.
  std::shared_ptr<const std::vector<ResourceInfo>> Resources() const;
  const ResourceInfo* Find(const std::string& group, const std::string& version, const std::string& plural) const;
  // Grows whenever the served resources change (CRDs): callers rebuild what they derive from them.
  uint64_t ResourcesGeneration() const;
  // The CRD objects behind the custom resources (for OpenAPI).
  std::vector<json::object> CustomResourceDefinitions() const;

  // Server-side table columns and one row's cells (built-in printers, or a CRD's printer columns).
  json::array TableColumns(const ResourceInfo& r) const;
  json::array TableCells(const ResourceInfo& r, const json::object& obj) const;

  Result<json::object> Get(const ResourceInfo& r, const std::string& ns, const std::string& name);
  Result<ObjectList> List(const ResourceInfo& r, const std::string& ns, const ListOptions& options);
  Result<std::unique_ptr<Watch>> WatchObjects(const ResourceInfo& r, const std::string& ns,
                                              const ListOptions& options);
  Result<json::object> Create(const ResourceInfo& r, const std::string& ns, json::object obj,
                              const WriteOptions& options);
  // subresource "" (the object; its status is kept for kinds with a status subresource) or "status"
  // (only the status changes).
  Result<json::object> Update(const ResourceInfo& r, const std::string& ns, const std::string& name, json::object obj,
                              const WriteOptions& options, const std::string& subresource = "");
  Result<json::object> Patch(const ResourceInfo& r, const std::string& ns, const std::string& name, PatchType type,
                             const json::value& patch, const WriteOptions& options,
                             const std::string& subresource = "");
  // Deletes (or, with finalizers or a grace period, marks for deletion). *gone tells which.
  Result<json::object> Delete(const ResourceInfo& r, const std::string& ns, const std::string& name,
                              const DeleteOptions& options, bool* gone = nullptr);
  Result<ObjectList> DeleteCollection(const ResourceInfo& r, const std::string& ns, const ListOptions& list,
                                      const DeleteOptions& options);

  // The scale subresource (autoscaling/v1 Scale) of deployments, replicasets and statefulsets.
  Result<json::object> GetScale(const ResourceInfo& r, const std::string& ns, const std::string& name);
  Result<json::object> UpdateScale(const ResourceInfo& r, const std::string& ns, const std::string& name,
                                   const json::object& scale, const WriteOptions& options);
  // pods/binding: assigns a pod to a node (Binding object). Conflict if already bound elsewhere.
  Result<json::object> Bind(const std::string& ns, const std::string& name, const json::object& binding,
                            const WriteOptions& options);
  // pods/eviction: deletes a pod unless a PodDisruptionBudget forbids it (429).
  Result<json::object> Evict(const std::string& ns, const std::string& name, const json::object& eviction);

  // default, kube-system, kube-public, kube-node-lease, the default/kubernetes Service and the built-in
  // PriorityClasses (system-node-critical, system-cluster-critical).
  Status EnsureSystemObjects();
  datastore::Store& store();

 private:
  struct Impl;
  explicit Registry(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace k1s::registry
