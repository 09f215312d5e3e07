// ResourceQuota evaluation shared by quota admission (server/registry/quota_admission.h) and the
// resourcequota controller: what an object is charged (pods: compute requests and limits; services:
// node ports and load balancers; claims: storage; everything else: object counts), which quotas
// match it (hard names, scopes, scope selectors), the pod constraints of cpu/memory quotas, and the
// admission check that turns one request into new status.used values or upstream's refusal.
// Pure functions over JSON objects; any thread.
#pragma once

#include <boost/json/object.hpp>
#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "lib/api/quantity.h"
#include "lib/base/result.h"

namespace k1s::api::quota {

namespace json = boost::json;

// Resource name -> quantity, ordered by name (as upstream prints them).
using ResourceList = std::map<std::string, Quantity>;
using TimePoint = std::chrono::system_clock::time_point;

// A resource quotas can count: {group, plural}.
struct GroupResource {
  std::string group;
  std::string plural;
  auto operator<=>(const GroupResource&) const = default;
};

// The JSON resource list at obj.path... ({"cpu": "1"}); malformed quantities are skipped.
ResourceList ResourceListAt(const json::object& obj, std::initializer_list<std::string_view> path);
json::object ToJson(const ResourceList& list);
// "k1=v1,k2=v2" (sorted), as upstream prints lists in quota errors.
std::string PrettyPrint(const ResourceList& list);

// Sum of both (a key of either).
ResourceList Add(const ResourceList& a, const ResourceList& b);
// a - b, keys of a only, floored at zero.
ResourceList SubtractNonNegative(const ResourceList& a, const ResourceList& b);
// Only the keys of list that are in names.
ResourceList Mask(const ResourceList& list, const std::set<std::string>& names);
ResourceList RemoveZeros(const ResourceList& list);
std::set<std::string> Names(const ResourceList& list);

// "count/pods", "count/deployments.apps".
std::string ObjectCountName(const GroupResource& gr);
// False for kinds quota never charges (events, bindings, reviews).
bool Tracked(const GroupResource& gr);
// Whether an update of gr can change what it is charged (services, persistentvolumeclaims).
bool ChargesUpdates(const GroupResource& gr);
// The names among `names` that objects of gr are charged for (upstream MatchingResources).
std::set<std::string> MatchingResources(const GroupResource& gr, const std::set<std::string>& names);
// Which resources' objects must be counted to fill the used value of each name in `names`.
std::map<GroupResource, std::set<std::string>> ResourcesToCount(const std::set<std::string>& names);
// What one object is charged (pods in a terminal phase only count/pods).
ResourceList Usage(const GroupResource& gr, const json::object& obj, TimePoint now);
// Whether obj matches every scope and scope selector requirement of the quota (true when it has none;
// kinds other than pods match no scope).
bool MatchesScopes(const json::object& quota, const GroupResource& gr, const json::object& obj);
// The quota charges obj: some hard name matches gr, and the scopes match.
bool Matches(const json::object& quota, const GroupResource& gr, const json::object& obj);
// For pods: "" or "must specify limits.cpu for: c1,c2; requests.memory for: c1" when a quota tracks cpu
// or memory and containers do not set them.
std::string Constraints(const GroupResource& gr, const std::set<std::string>& required, const json::object& obj);

// Pod helpers (exposed for tests): the pod's effective requests and limits (containers, init
// containers, sidecars, overhead), and its QoS class being BestEffort.
ResourceList PodRequests(const json::object& pod);
ResourceList PodLimits(const json::object& pod);
bool IsBestEffort(const json::object& pod);

// One admission request against the namespace's quotas.
struct Request {
  GroupResource resource;
  const json::object* object = nullptr;  // the object to be stored (defaulted, validated)
  const json::object* old = nullptr;     // the stored object (updates), else null
};

// The admission decision: for each quota (same order), its new status.used when the request changes
// it. A refusal is kForbidden with upstream's text after `<resource> "<name>" is forbidden: `
// ("exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2").
Result<std::vector<std::optional<ResourceList>>> CheckRequest(const std::vector<json::object>& quotas,
                                                              const Request& request, TimePoint now);

// The controller's recount: status.used for the quota's hard names from the namespace's objects
// (objects[gr] = every object of gr in the quota's namespace, for each gr of ResourcesToCount the
// caller could list). Names of kinds missing from `objects` keep their status.used value, as upstream.
ResourceList CalculateUsage(const json::object& quota, const std::map<GroupResource, std::vector<const json::object*>>& objects,
                            TimePoint now);

}  // namespace k1s::api::quota
