// PriorityAdmission: upstream's Priority admission plugin and the PriorityClass rules around it.
// Pods (create): spec.priorityClassName names a stored PriorityClass, whose value and preemptionPolicy
// become spec.priority and spec.preemptionPolicy; without a name the globalDefault class is used (its
// name is filled in), else priority 0 and PreemptLowerPriority. An unknown class, or a priority or
// preemptionPolicy in the pod that disagrees with the class, is refused with 403 (upstream's wording).
// Pods (update): a body without spec.priority/preemptionPolicy keeps the stored ones.
// PriorityClasses: defaults (value 0, preemptionPolicy PreemptLowerPriority), validation (422: "system-"
// names are the two built-in classes only, user values <= 1000000000, value and preemptionPolicy
// immutable), a second globalDefault refused (403), the built-in classes cannot be deleted (403).
// Owned by the Registry; thread-safe (no state but the store, read on each admission).
#pragma once

#include <boost/json/object.hpp>
#include <functional>
#include <string>
#include <vector>

#include "datastore/store.h"
#include "lib/base/result.h"
#include "server/registry/resources.h"

namespace k1s::registry {

namespace json = boost::json;

inline constexpr int64_t kHighestUserDefinablePriority = 1000000000;
inline constexpr int64_t kSystemCriticalPriority = 2 * kHighestUserDefinablePriority;

class PriorityAdmission {
 public:
  explicit PriorityAdmission(datastore::Store& store) : store_(store) {}

  // Called on creates (old == nullptr) and updates of the object itself (not subresources) of pods and
  // priority classes, after defaults and before validation; obj has its final name. Mutates obj; other
  // kinds are untouched. kForbidden or kInvalid when refused.
  Status Admit(const ResourceInfo& r, const std::string& ns, json::object& obj, const json::object* old);

  // kForbidden for the built-in classes (`this is a system priority class and cannot be deleted`).
  static Status AdmitDelete(const ResourceInfo& r, const std::string& name);

  // Reads the stored values under a datastore prefix from a cache (the registry's watch cache) instead
  // of the datastore, so admitting a pod costs no datastore read. Like upstream's lister, a class
  // written a moment earlier may be missed by one request. Set once, before requests are served.
  std::function<std::vector<std::string>(const std::string& prefix)> cached_values;

 private:
  Result<std::vector<std::string>> ClassValues(const std::string& prefix);
  Status AdmitPod(const ResourceInfo& r, json::object& pod, const json::object* old);
  Status AdmitPriorityClass(const ResourceInfo& r, json::object& pc, const json::object* old);

  datastore::Store& store_;
};

// The built-in classes upstream creates at start-up: system-node-critical (2000001000) and
// system-cluster-critical (2000000000), as objects to store.
std::vector<json::object> SystemPriorityClasses();

}  // namespace k1s::registry
