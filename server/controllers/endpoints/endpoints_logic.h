// Pure functions of the Endpoints and EndpointSlice controllers: which pods back a Service, the
// Endpoints object it should have, and the plan (create/update/delete) that brings its EndpointSlices
// to the desired state. No I/O, no locks; any thread. Most of the folder's tests live here.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace k1s::controllers::endpoints {

namespace json = boost::json;
using ObjectPtr = std::shared_ptr<const json::object>;

inline constexpr const char* kServiceNameLabel = "kubernetes.io/service-name";
inline constexpr const char* kManagedByLabel = "endpointslice.kubernetes.io/managed-by";
inline constexpr const char* kManagedByValue = "endpointslice-controller.k8s.io";
inline constexpr const char* kHeadlessLabel = "service.kubernetes.io/headless";
inline constexpr size_t kMaxEndpointsPerSlice = 100;

// True when the service is one these controllers manage: it has a non-empty selector, is not of type
// ExternalName, and is not default/kubernetes (the API server's own endpoints).
bool ServiceIsManaged(const json::object& service);
// spec.selector (a map) matches the pod's labels.
bool SelectorMatches(const json::object& service, const json::object& pod);
// The pod's Ready condition is True.
bool IsPodReady(const json::object& pod);
// The pod may appear in endpoints: it has an IP, is not in a terminal phase (by its restart policy),
// and, unless include_terminating, has no deletionTimestamp.
bool ShouldPodBeInEndpoints(const json::object& pod, bool include_terminating);
// The container port a service port targets on this pod: targetPort as a number, or the container
// port with that name and the service port's protocol; nullopt when a named port is not found.
std::optional<int64_t> ResolveTargetPort(const json::object& pod, const json::object& service_port);

// The labels an Endpoints object or EndpointSlice of this service carries (service labels plus the
// headless label for clusterIP None; slices add the service-name and managed-by labels).
json::object EndpointsLabels(const json::object& service);
json::object SliceLabels(const json::object& service);

// The Endpoints object the service should have, built from the pods of its namespace (those not
// matching its selector are ignored).
json::object DesiredEndpoints(const json::object& service, const std::vector<ObjectPtr>& pods);
// current with desired's subsets and labels: what to write; nullopt when nothing differs.
std::optional<json::object> EndpointsUpdate(const json::object& current, const json::object& desired);

// What to write to bring a service's EndpointSlices up to date.
struct SlicePlan {
  std::vector<json::object> create;  // generateName "<service>-"
  std::vector<json::object> update;  // whole objects with their resourceVersion
  std::vector<std::string> remove;   // names
  bool Empty() const { return create.empty() && update.empty() && remove.empty(); }
};
// existing: the slices of the service's namespace (slices of other services or not managed by the
// controller are ignored). Endpoints stay in the slice they are in; new ones fill free room first.
SlicePlan PlanEndpointSlices(const json::object& service, const std::vector<ObjectPtr>& pods,
                             const std::vector<ObjectPtr>& existing, size_t max_per_slice = kMaxEndpointsPerSlice);
// The slice belongs to the service and this controller manages it.
bool SliceIsManagedFor(const json::object& slice, const std::string& service_name);

}  // namespace k1s::controllers::endpoints
