#include "lib/api/quota.h"

#include <ctime>
#include <functional>

#include "lib/api/json_util.h"
#include "lib/base/clock.h"

namespace k1s::api::quota {

namespace {

bool StartsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }
bool EndsWith(std::string_view s, std::string_view p) { return s.size() >= p.size() && s.substr(s.size() - p.size()) == p; }

// "2024-06-01T10:00:00Z" (fraction and offset ignored but "Z"); nullopt if malformed.
std::optional<TimePoint> ParseTime(const std::string& text) {
  std::tm tm{};
  if (text.size() < 19) return std::nullopt;
  if (sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
             &tm.tm_sec) != 6) {
    return std::nullopt;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

const GroupResource kPodsGR{"", "pods"};
const GroupResource kServicesGR{"", "services"};
const GroupResource kClaimsGR{"", "persistentvolumeclaims"};

// The names charged for pods (besides the hugepages and extended-resource prefixes).
const std::set<std::string> kPodResources = {
    "count/pods",      "cpu",         "memory",        "ephemeral-storage",          "requests.cpu",
    "requests.memory", "requests.ephemeral-storage", "limits.cpu", "limits.memory", "limits.ephemeral-storage",
    "pods"};
const std::set<std::string> kServiceResources = {"count/services", "services", "services.nodeports",
                                                 "services.loadbalancers"};
constexpr std::string_view kStorageClassSuffix = ".storageclass.storage.k8s.io/";
// A quota tracking any of these makes every container say what it requests / limits (upstream's
// backward-compatibility rule).
const std::set<std::string> kValidationSet = {"cpu", "memory", "requests.cpu", "requests.memory", "limits.cpu",
                                              "limits.memory"};
// Object counts that also answer to their pre-"count/" names.
const std::map<GroupResource, std::string> kLegacyAliases = {{{"", "configmaps"}, "configmaps"},
                                                             {{"", "resourcequotas"}, "resourcequotas"},
                                                             {{"", "replicationcontrollers"}, "replicationcontrollers"},
                                                             {{"", "secrets"}, "secrets"}};

bool IsNativeResource(std::string_view name) {
  return name.find('/') == std::string_view::npos || name.find("kubernetes.io/") != std::string_view::npos;
}
// A resource a container may request that quota tracks as "requests.<name>" only.
bool IsExtendedResourceName(std::string_view name) {
  return !IsNativeResource(name) && !StartsWith(name, "requests.");
}
// "requests.<extended>" in a quota.
bool IsExtendedResourceNameForQuota(std::string_view name) {
  return !IsNativeResource(name) && StartsWith(name, "requests.");
}

Quantity One() { return Quantity::FromValue(1); }

// The resources one container's requests and limits amount to (upstream podComputeUsageHelper).
ResourceList ComputeUsage(const ResourceList& requests, const ResourceList& limits) {
  ResourceList out;
  out["pods"] = One();
  auto req = [&](const char* name, std::initializer_list<const char*> as) {
    if (auto it = requests.find(name); it != requests.end())
      for (const char* a : as) out[a] = it->second;
  };
  auto lim = [&](const char* name, const char* as) {
    if (auto it = limits.find(name); it != limits.end()) out[as] = it->second;
  };
  req("cpu", {"cpu", "requests.cpu"});
  lim("cpu", "limits.cpu");
  req("memory", {"memory", "requests.memory"});
  lim("memory", "limits.memory");
  req("ephemeral-storage", {"ephemeral-storage", "requests.ephemeral-storage"});
  lim("ephemeral-storage", "limits.ephemeral-storage");
  for (const auto& [name, q] : requests) {
    if (StartsWith(name, "hugepages-")) {
      out[name] = q;
      out["requests." + name] = q;
    }
    if (IsExtendedResourceName(name)) out["requests." + name] = q;
  }
  return out;
}

void MaxInto(ResourceList& into, const ResourceList& other) {
  for (const auto& [k, v] : other) {
    auto it = into.find(k);
    if (it == into.end() || it->second < v) into[k] = v;
  }
}

// Requests or limits of the pod: containers plus sidecars, at least each init container's (with the
// sidecars started before it), plus the overhead (for limits: only where some limit is set).
ResourceList PodAggregate(const json::object& pod, const char* which) {
  ResourceList sum;
  ResourceList init_max;
  ResourceList sidecars;
  if (const json::array* cs = ArrAt(pod, {"spec", "containers"})) {
    for (const auto& c : *cs)
      if (c.is_object()) sum = Add(sum, ResourceListAt(c.as_object(), {"resources", which}));
  }
  if (const json::array* cs = ArrAt(pod, {"spec", "initContainers"})) {
    for (const auto& c : *cs) {
      if (!c.is_object()) continue;
      ResourceList own = ResourceListAt(c.as_object(), {"resources", which});
      ResourceList effective;
      if (StrAt(c.as_object(), "restartPolicy") == "Always") {
        sum = Add(sum, own);
        sidecars = Add(sidecars, own);
        effective = sidecars;
      } else {
        effective = Add(own, sidecars);
      }
      MaxInto(init_max, effective);
    }
  }
  MaxInto(sum, init_max);
  ResourceList overhead = ResourceListAt(pod, {"spec", "overhead"});
  if (std::string_view(which) == "requests") {
    sum = Add(sum, overhead);
  } else {
    for (const auto& [k, v] : overhead)
      if (auto it = sum.find(k); it != sum.end()) it->second.Add(v);
  }
  return sum;
}

// Upstream QuotaV1Pod: a pod in a terminal phase, or past its deletion grace period, uses nothing
// but its object count.
bool ChargedPod(const json::object& pod, TimePoint now) {
  std::string phase = StrAt(pod, {"status", "phase"});
  if (phase == "Failed" || phase == "Succeeded") return false;
  std::string deleted = StrAt(pod, {"metadata", "deletionTimestamp"});
  auto grace = IntAt(pod, {"metadata", "deletionGracePeriodSeconds"});
  if (!deleted.empty() && grace) {
    if (auto t = ParseTime(deleted); t && now > *t + ClampedSeconds(*grace)) return false;
  }
  return true;
}

bool IsTerminating(const json::object& pod) {
  auto ads = IntAt(pod, {"spec", "activeDeadlineSeconds"});
  return ads && *ads >= 0;
}

bool CrossNamespaceTerms(const json::array* terms, bool weighted) {
  if (terms == nullptr) return false;
  for (const auto& t : *terms) {
    if (!t.is_object()) continue;
    const json::object* term = weighted ? ObjAt(t.as_object(), {"podAffinityTerm"}) : &t.as_object();
    if (term == nullptr) continue;
    const json::array* nss = ArrAt(*term, "namespaces");
    if (nss && !nss->empty()) return true;
    if (auto it = term->find("namespaceSelector"); it != term->end() && !it->value().is_null()) return true;
  }
  return false;
}

bool UsesCrossNamespaceAffinity(const json::object& pod) {
  for (const char* kind : {"podAffinity", "podAntiAffinity"}) {
    const json::object* a = ObjAt(pod, {"spec", "affinity", kind});
    if (a == nullptr) continue;
    if (CrossNamespaceTerms(ArrAt(*a, "requiredDuringSchedulingIgnoredDuringExecution"), false)) return true;
    if (CrossNamespaceTerms(ArrAt(*a, "preferredDuringSchedulingIgnoredDuringExecution"), true)) return true;
  }
  return false;
}

struct ScopeRequirement {
  std::string scope;
  std::string op = "Exists";
  std::vector<std::string> values;
};

std::vector<ScopeRequirement> ScopeRequirements(const json::object& quota) {
  std::vector<ScopeRequirement> out;
  if (const json::array* scopes = ArrAt(quota, {"spec", "scopes"})) {
    for (const auto& s : *scopes)
      if (s.is_string()) out.push_back({std::string(s.as_string()), "Exists", {}});
  }
  if (const json::array* exprs = ArrAt(quota, {"spec", "scopeSelector", "matchExpressions"})) {
    for (const auto& e : *exprs) {
      if (!e.is_object()) continue;
      ScopeRequirement r{StrAt(e.as_object(), "scopeName"), StrAt(e.as_object(), "operator"), {}};
      if (const json::array* vals = ArrAt(e.as_object(), "values")) {
        for (const auto& v : *vals)
          if (v.is_string()) r.values.emplace_back(v.as_string());
      }
      out.push_back(std::move(r));
    }
  }
  return out;
}

bool PodMatchesScope(const ScopeRequirement& req, const json::object& pod) {
  if (req.scope == "Terminating") return IsTerminating(pod);
  if (req.scope == "NotTerminating") return !IsTerminating(pod);
  if (req.scope == "BestEffort") return IsBestEffort(pod);
  if (req.scope == "NotBestEffort") return !IsBestEffort(pod);
  if (req.scope == "CrossNamespacePodAffinity") return UsesCrossNamespaceAffinity(pod);
  if (req.scope == "PriorityClass") {
    std::string pc = StrAt(pod, {"spec", "priorityClassName"});
    bool has = !pc.empty();
    bool listed = false;
    for (const auto& v : req.values) listed = listed || v == pc;
    if (req.op == "Exists") return has;
    if (req.op == "DoesNotExist") return !has;
    if (req.op == "In") return has && listed;
    if (req.op == "NotIn") return !has || !listed;
    return false;
  }
  return false;
}

// The usage functions per kind.
ResourceList PodUsage(const json::object& pod, TimePoint now) {
  ResourceList out{{"count/pods", One()}};
  if (!ChargedPod(pod, now)) return out;
  return Add(out, ComputeUsage(PodRequests(pod), PodLimits(pod)));
}

ResourceList ServiceUsage(const json::object& svc) {
  int64_t ports = 0;
  int64_t with_node_port = 0;
  if (const json::array* ps = ArrAt(svc, {"spec", "ports"})) {
    ports = static_cast<int64_t>(ps->size());
    for (const auto& p : *ps) {
      if (!p.is_object()) continue;
      auto np = IntAt(p.as_object(), "nodePort");
      if (np && *np != 0) ++with_node_port;
    }
  }
  ResourceList out{{"count/services", One()},
                   {"services", One()},
                   {"services.loadbalancers", Quantity()},
                   {"services.nodeports", Quantity()}};
  std::string type = StrAt(svc, {"spec", "type"});
  if (type == "NodePort") {
    out["services.nodeports"] = Quantity::FromValue(ports);
  } else if (type == "LoadBalancer") {
    const json::value* alloc = ValueAt(svc, {"spec", "allocateLoadBalancerNodePorts"});
    bool no_alloc = alloc && alloc->is_bool() && !alloc->as_bool();
    out["services.nodeports"] = Quantity::FromValue(no_alloc ? with_node_port : ports);
    out["services.loadbalancers"] = One();
  }
  return out;
}

ResourceList ClaimUsage(const json::object& pvc) {
  ResourceList out{{"persistentvolumeclaims", One()}, {"count/persistentvolumeclaims", One()}};
  std::string sc = StrAt(pvc, {"spec", "storageClassName"});
  if (sc.empty()) sc = StrAt(pvc, {"metadata", "annotations", "volume.beta.kubernetes.io/storage-class"});
  if (!sc.empty()) out[sc + std::string(kStorageClassSuffix) + "persistentvolumeclaims"] = One();
  ResourceList requests = ResourceListAt(pvc, {"spec", "resources", "requests"});
  auto req = requests.find("storage");
  if (req == requests.end()) return out;
  Quantity storage = req->second;
  (void)storage.RoundUp(0);  // whole bytes
  ResourceList allocated = ResourceListAt(pvc, {"status", "allocatedResources"});
  if (auto a = allocated.find("storage"); a != allocated.end() && a->second > storage) {
    storage = a->second;
    (void)storage.RoundUp(0);
  }
  out["requests.storage"] = storage;
  if (!sc.empty()) out[sc + std::string(kStorageClassSuffix) + "requests.storage"] = storage;
  return out;
}

std::optional<GroupResource> ParseCountName(std::string_view name) {
  if (!StartsWith(name, "count/")) return std::nullopt;
  std::string_view rest = name.substr(6);
  if (rest.empty()) return std::nullopt;
  size_t dot = rest.find('.');
  if (dot == std::string_view::npos) return GroupResource{"", std::string(rest)};
  return GroupResource{std::string(rest.substr(dot + 1)), std::string(rest.substr(0, dot))};
}

}  // namespace

ResourceList ResourceListAt(const json::object& obj, std::initializer_list<std::string_view> path) {
  ResourceList out;
  const json::object* list = ObjAt(obj, path);
  if (list == nullptr) return out;
  for (const auto& [k, v] : *list) {
    auto q = Quantity::FromJson(v);
    if (q.ok()) out[std::string(k)] = *q;
  }
  return out;
}

json::object ToJson(const ResourceList& list) {
  json::object out;
  for (const auto& [k, v] : list) out[k] = v.String();
  return out;
}

std::string PrettyPrint(const ResourceList& list) {
  std::string out;
  for (const auto& [k, v] : list) {
    if (!out.empty()) out += ",";
    out += k + "=" + v.String();
  }
  return out;
}

ResourceList Add(const ResourceList& a, const ResourceList& b) {
  ResourceList out = a;
  for (const auto& [k, v] : b) {
    auto it = out.find(k);
    if (it == out.end()) {
      out[k] = v;
    } else {
      it->second.Add(v);
    }
  }
  return out;
}

ResourceList SubtractNonNegative(const ResourceList& a, const ResourceList& b) {
  ResourceList out;
  for (const auto& [k, v] : a) {
    Quantity q = v;
    if (auto it = b.find(k); it != b.end()) q.Sub(it->second);
    if (q.Sign() < 0) q = Quantity();
    out[k] = q;
  }
  return out;
}

ResourceList Mask(const ResourceList& list, const std::set<std::string>& names) {
  ResourceList out;
  for (const auto& [k, v] : list)
    if (names.count(k)) out[k] = v;
  return out;
}

ResourceList RemoveZeros(const ResourceList& list) {
  ResourceList out;
  for (const auto& [k, v] : list)
    if (!v.IsZero()) out[k] = v;
  return out;
}

std::set<std::string> Names(const ResourceList& list) {
  std::set<std::string> out;
  for (const auto& [k, v] : list) out.insert(k);
  return out;
}

std::string ObjectCountName(const GroupResource& gr) {
  return "count/" + gr.plural + (gr.group.empty() ? "" : "." + gr.group);
}

bool Tracked(const GroupResource& gr) {
  if (gr.plural == "events" && (gr.group.empty() || gr.group == "events.k8s.io")) return false;
  if (gr.group.empty() && (gr.plural == "bindings" || gr.plural == "componentstatuses")) return false;
  if (gr.group == "authentication.k8s.io" || gr.group == "authorization.k8s.io") return false;
  return true;
}

bool ChargesUpdates(const GroupResource& gr) { return gr == kServicesGR || gr == kClaimsGR; }

std::set<std::string> MatchingResources(const GroupResource& gr, const std::set<std::string>& names) {
  std::set<std::string> out;
  for (const auto& n : names) {
    bool match = false;
    if (gr == kPodsGR) {
      match = kPodResources.count(n) || StartsWith(n, "hugepages-") || StartsWith(n, "requests.hugepages-") ||
              IsExtendedResourceNameForQuota(n);
    } else if (gr == kServicesGR) {
      match = kServiceResources.count(n) > 0;
    } else if (gr == kClaimsGR) {
      match = n == "count/persistentvolumeclaims" || n == "persistentvolumeclaims" || n == "requests.storage";
      if (!match) {
        for (const char* r : {"persistentvolumeclaims", "requests.storage"})
          match = match || EndsWith(n, std::string(kStorageClassSuffix) + r);
      }
    } else {
      auto alias = kLegacyAliases.find(gr);
      match = n == ObjectCountName(gr) || (alias != kLegacyAliases.end() && n == alias->second);
    }
    if (match) out.insert(n);
  }
  return out;
}

std::map<GroupResource, std::set<std::string>> ResourcesToCount(const std::set<std::string>& names) {
  std::set<GroupResource> candidates = {kPodsGR, kServicesGR, kClaimsGR};
  for (const auto& [gr, alias] : kLegacyAliases) candidates.insert(gr);
  for (const auto& n : names)
    if (auto gr = ParseCountName(n)) candidates.insert(*gr);
  std::map<GroupResource, std::set<std::string>> out;
  for (const auto& gr : candidates) {
    if (!Tracked(gr)) continue;
    auto m = MatchingResources(gr, names);
    if (!m.empty()) out[gr] = std::move(m);
  }
  return out;
}

ResourceList Usage(const GroupResource& gr, const json::object& obj, TimePoint now) {
  if (gr == kPodsGR) return PodUsage(obj, now);
  if (gr == kServicesGR) return ServiceUsage(obj);
  if (gr == kClaimsGR) return ClaimUsage(obj);
  ResourceList out{{ObjectCountName(gr), One()}};
  if (auto alias = kLegacyAliases.find(gr); alias != kLegacyAliases.end()) out[alias->second] = One();
  return out;
}

bool MatchesScopes(const json::object& quota, const GroupResource& gr, const json::object& obj) {
  for (const auto& req : ScopeRequirements(quota)) {
    if (gr != kPodsGR || !PodMatchesScope(req, obj)) return false;
  }
  return true;
}

bool Matches(const json::object& quota, const GroupResource& gr, const json::object& obj) {
  std::set<std::string> hard = Names(ResourceListAt(quota, {"status", "hard"}));
  return !MatchingResources(gr, hard).empty() && MatchesScopes(quota, gr, obj);
}

std::string Constraints(const GroupResource& gr, const std::set<std::string>& required, const json::object& obj) {
  if (gr != kPodsGR) return "";
  std::set<std::string> needed;
  for (const auto& r : required)
    if (kValidationSet.count(r)) needed.insert(r);
  if (needed.empty()) return "";
  std::map<std::string, std::set<std::string>> missing;  // resource -> container names
  for (const char* list : {"containers", "initContainers"}) {
    const json::array* cs = ArrAt(obj, {"spec", list});
    if (cs == nullptr) continue;
    for (const auto& c : *cs) {
      if (!c.is_object()) continue;
      ResourceList usage = ComputeUsage(ResourceListAt(c.as_object(), {"resources", "requests"}),
                                        ResourceListAt(c.as_object(), {"resources", "limits"}));
      for (const auto& r : needed)
        if (!usage.count(r)) missing[r].insert(StrAt(c.as_object(), "name"));
    }
  }
  if (missing.empty()) return "";
  std::string out = "must specify ";
  bool first = true;
  for (const auto& [resource, containers] : missing) {
    if (!first) out += "; ";
    first = false;
    out += resource + " for: ";
    bool first_c = true;
    for (const auto& c : containers) {
      if (!first_c) out += ",";
      first_c = false;
      out += c;
    }
  }
  return out;
}

ResourceList PodRequests(const json::object& pod) { return PodAggregate(pod, "requests"); }
ResourceList PodLimits(const json::object& pod) { return PodAggregate(pod, "limits"); }

bool IsBestEffort(const json::object& pod) {
  for (const char* list : {"containers", "initContainers"}) {
    const json::array* cs = ArrAt(pod, {"spec", list});
    if (cs == nullptr) continue;
    for (const auto& c : *cs) {
      if (!c.is_object()) continue;
      for (const char* which : {"requests", "limits"}) {
        ResourceList l = ResourceListAt(c.as_object(), {"resources", which});
        for (const char* r : {"cpu", "memory"})
          if (auto it = l.find(r); it != l.end() && it->second.Sign() > 0) return false;
      }
    }
  }
  return true;
}

Result<std::vector<std::optional<ResourceList>>> CheckRequest(const std::vector<json::object>& quotas,
                                                              const Request& request, TimePoint now) {
  std::vector<std::optional<ResourceList>> out(quotas.size());
  const GroupResource& gr = request.resource;
  const json::object& obj = *request.object;
  if (!Tracked(gr)) return out;
  if (request.old && !ChargesUpdates(gr)) return out;

  std::vector<size_t> interesting;
  for (size_t i = 0; i < quotas.size(); ++i) {
    const json::object& q = quotas[i];
    if (!Matches(q, gr, obj)) continue;
    const std::string name = StrAt(q, {"metadata", "name"});
    ResourceList hard = ResourceListAt(q, {"status", "hard"});
    std::set<std::string> restricted = MatchingResources(gr, Names(hard));
    if (std::string why = Constraints(gr, restricted, obj); !why.empty()) {
      return Fail(ErrorCode::kForbidden, "failed quota: " + name + ": " + why);
    }
    // Usage must be known for every restricted resource before anything can be admitted against it.
    ResourceList used = ResourceListAt(q, {"status", "used"});
    for (const auto& r : restricted) {
      if (!used.count(r)) {
        std::string names;
        for (const auto& n : restricted) names += (names.empty() ? "" : ",") + n;
        return Fail(ErrorCode::kForbidden, "status unknown for quota: " + name + ", resources: " + names);
      }
    }
    interesting.push_back(i);
  }
  if (interesting.empty()) return out;

  ResourceList input = Usage(gr, obj, now);
  std::set<std::string> negative;
  for (const auto& [k, v] : input)
    if (v.Sign() < 0) negative.insert(k);
  if (!negative.empty()) {
    std::string names;
    for (const auto& n : negative) names += (names.empty() ? "" : ",") + n;
    return Fail(ErrorCode::kForbidden, "quota usage is negative for resource(s): " + names);
  }
  std::map<size_t, ResourceList> delta;
  for (size_t i : interesting) delta[i] = input;
  if (request.old && !StrAt(*request.old, {"metadata", "resourceVersion"}).empty()) {
    ResourceList changed = SubtractNonNegative(input, Usage(gr, *request.old, now));
    for (size_t i : interesting)
      if (Matches(quotas[i], gr, *request.old)) delta[i] = changed;
  }
  for (auto it = delta.begin(); it != delta.end();) {
    it->second = RemoveZeros(it->second);
    it = it->second.empty() ? delta.erase(it) : std::next(it);
  }
  for (const auto& [i, d] : delta) {
    const json::object& q = quotas[i];
    ResourceList hard = ResourceListAt(q, {"status", "hard"});
    ResourceList used = ResourceListAt(q, {"status", "used"});
    ResourceList requested = Mask(d, Names(hard));
    ResourceList next = Add(used, requested);
    std::set<std::string> exceeded;
    for (const auto& [k, v] : Mask(next, Names(requested))) {
      if (auto h = hard.find(k); h != hard.end() && v > h->second) exceeded.insert(k);
    }
    if (!exceeded.empty()) {
      return Fail(ErrorCode::kForbidden, "exceeded quota: " + StrAt(q, {"metadata", "name"}) +
                                             ", requested: " + PrettyPrint(Mask(requested, exceeded)) +
                                             ", used: " + PrettyPrint(Mask(used, exceeded)) +
                                             ", limited: " + PrettyPrint(Mask(hard, exceeded)));
    }
    if (next != used) out[i] = std::move(next);
  }
  return out;
}

ResourceList CalculateUsage(const json::object& quota,
                            const std::map<GroupResource, std::vector<const json::object*>>& objects, TimePoint now) {
  ResourceList hard = ResourceListAt(quota, {"spec", "hard"});
  std::set<std::string> hard_names = Names(hard);
  // Previous observations are kept for names no kind covers.
  ResourceList used = Mask(ResourceListAt(quota, {"status", "used"}), hard_names);
  for (const auto& [gr, matched] : ResourcesToCount(hard_names)) {
    ResourceList sum;
    for (const auto& name : matched) sum[name] = Quantity();
    auto it = objects.find(gr);
    if (it == objects.end()) continue;  // a kind the caller cannot count: its names keep their value
    for (const json::object* obj : it->second)
      if (MatchesScopes(quota, gr, *obj)) sum = Add(sum, Usage(gr, *obj, now));
    for (const auto& [k, v] : Mask(sum, matched)) used[k] = v;
  }
  return used;
}

}  // namespace k1s::api::quota
