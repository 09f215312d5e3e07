#include "server/controllers/disruption/disruption_logic.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "lib/api/meta.h"
#include "lib/client/client.h"
#include "server/controllers/replicaset/replicaset_logic.h"

namespace k1s::controllers::disruption {

using api::ObjAt;
using api::StrAt;
using replicaset::IntAt;

namespace {

const json::value* SpecField(const json::object& pdb, const char* field) {
  const json::object* spec = ObjAt(pdb, {"spec"});
  if (!spec) return nullptr;
  auto it = spec->find(field);
  if (it == spec->end() || it->value().is_null()) return nullptr;
  return &it->value();
}

bool IsPercent(const json::value& v) { return v.is_string() && v.as_string().ends_with("%"); }

// metav1 SetStatusCondition: replaces the condition of that type, keeping lastTransitionTime unless the
// status changes.
void SetCondition(json::object& status, const std::string& type, const std::string& cond_status,
                  const std::string& reason, const std::string& message, int64_t observed_generation, TimePoint now) {
  json::array kept;
  std::string transition = client::FormatTime(now);
  if (auto it = status.find("conditions"); it != status.end() && it->value().is_array()) {
    for (const auto& c : it->value().as_array()) {
      if (c.is_object() && StrAt(c.as_object(), {"type"}) == type) {
        if (StrAt(c.as_object(), {"status"}) == cond_status) {
          std::string old = StrAt(c.as_object(), {"lastTransitionTime"});
          if (!old.empty()) transition = old;
        }
        continue;
      }
      kept.push_back(c);
    }
  }
  json::object cond{{"type", type},
                    {"status", cond_status},
                    {"observedGeneration", observed_generation},
                    {"lastTransitionTime", transition},
                    {"reason", reason},
                    {"message", message}};
  kept.push_back(std::move(cond));
  status["conditions"] = std::move(kept);
}

std::map<std::string, std::string> StoredDisrupted(const json::object& pdb) {
  std::map<std::string, std::string> out;
  if (const json::object* d = ObjAt(pdb, {"status", "disruptedPods"})) {
    for (const auto& [name, t] : *d) {
      if (t.is_string()) out[std::string(name)] = std::string(t.as_string());
    }
  }
  return out;
}

}  // namespace

Result<int64_t> ScaledValue(const json::value& v, int64_t total, bool round_up) {
  if (v.is_int64()) return v.as_int64();
  if (v.is_uint64()) return static_cast<int64_t>(v.as_uint64());
  if (!v.is_string()) {
    return Fail(ErrorCode::kInvalid, "invalid value for IntOrString: invalid type: neither int nor percentage");
  }
  std::string s(v.as_string());
  if (!s.ends_with("%")) {
    return Fail(ErrorCode::kInvalid, "invalid value for IntOrString: invalid type: string is not a percentage");
  }
  std::string digits = s.substr(0, s.size() - 1);
  int64_t n = 0;
  auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (digits.empty() || ec != std::errc() || p != digits.data() + digits.size()) {
    return Fail(ErrorCode::kInvalid, "invalid value for IntOrString: invalid value \"" + s +
                                         "\": strconv.Atoi: parsing \"" + digits + "\": invalid syntax");
  }
  double scaled = static_cast<double>(n) * static_cast<double>(total) / 100.0;
  return static_cast<int64_t>(round_up ? std::ceil(scaled) : std::floor(scaled));
}

bool Selects(const json::object& pdb, const std::map<std::string, std::string>& pod_labels) {
  const json::object* spec = ObjAt(pdb, {"spec"});
  if (!spec) return false;
  auto it = spec->find("selector");
  if (it == spec->end() || !it->value().is_object()) return false;
  return replicaset::SelectorMatches(it->value().as_object(), pod_labels);
}

bool NeedsControllerScale(const json::object& pdb) {
  if (SpecField(pdb, "maxUnavailable")) return true;
  const json::value* min = SpecField(pdb, "minAvailable");
  return min && min->is_string();
}

Result<Budget> ComputeBudget(const json::object& pdb, int64_t pod_count, int64_t controllers_scale) {
  Budget b;
  if (const json::value* max = SpecField(pdb, "maxUnavailable")) {
    b.expected_pods = controllers_scale;
    K1S_ASSIGN_OR_RETURN(int64_t max_unavailable, ScaledValue(*max, b.expected_pods, true));
    b.desired_healthy = std::max<int64_t>(0, b.expected_pods - max_unavailable);
    return b;
  }
  if (const json::value* min = SpecField(pdb, "minAvailable")) {
    if (min->is_string()) {
      b.expected_pods = controllers_scale;
      K1S_ASSIGN_OR_RETURN(b.desired_healthy, ScaledValue(*min, b.expected_pods, true));
    } else {
      K1S_ASSIGN_OR_RETURN(b.desired_healthy, ScaledValue(*min, pod_count, true));
      b.expected_pods = pod_count;
    }
  }
  return b;
}

DisruptedPods BuildDisruptedPods(const json::object& pdb, const std::vector<const json::object*>& pods, TimePoint now) {
  DisruptedPods out;
  std::map<std::string, std::string> stored = StoredDisrupted(pdb);
  if (stored.empty()) return out;
  for (const json::object* pod : pods) {
    if (replicaset::IsBeingDeleted(*pod)) continue;
    std::string name = api::MetaString(*pod, "name");
    auto it = stored.find(name);
    if (it == stored.end()) continue;
    auto at = replicaset::ParseTime(it->second);
    if (!at) continue;
    TimePoint expected_deletion = *at + kDeletionTimeout;
    if (expected_deletion < now) {
      out.expired.push_back(name);
      continue;
    }
    out.kept[name] = it->second;
    if (!out.recheck || expected_deletion < *out.recheck) out.recheck = expected_deletion;
  }
  return out;
}

int64_t CountHealthy(const std::vector<const json::object*>& pods, const std::map<std::string, std::string>& disrupted) {
  int64_t n = 0;
  for (const json::object* pod : pods) {
    if (replicaset::IsBeingDeleted(*pod)) continue;
    if (disrupted.count(api::MetaString(*pod, "name"))) continue;
    if (replicaset::IsPodReady(*pod)) ++n;
  }
  return n;
}

int64_t DisruptionsAllowed(int64_t current_healthy, int64_t desired_healthy, int64_t expected_pods) {
  int64_t allowed = current_healthy - desired_healthy;
  if (expected_pods <= 0 || allowed <= 0) return 0;
  return allowed;
}

json::object ComputeStatus(const json::object& pdb, const Counts& c, TimePoint now) {
  const int64_t generation = IntAt(pdb, {"metadata", "generation"});
  json::object status;
  if (const json::object* old = ObjAt(pdb, {"status"})) {
    if (auto it = old->find("conditions"); it != old->end()) status["conditions"] = it->value();
  }
  if (!c.disrupted_pods.empty()) {
    json::object d;
    for (const auto& [name, t] : c.disrupted_pods) d[name] = t;
    status["disruptedPods"] = std::move(d);
  }
  status["disruptionsAllowed"] = c.disruptions_allowed;
  status["currentHealthy"] = c.current_healthy;
  status["desiredHealthy"] = c.desired_healthy;
  status["expectedPods"] = c.expected_pods;
  status["observedGeneration"] = generation;
  if (c.disruptions_allowed > 0) {
    SetCondition(status, kDisruptionAllowed, "True", kSufficientPods, "", generation, now);
  } else {
    SetCondition(status, kDisruptionAllowed, "False", kInsufficientPods, "", generation, now);
  }
  return status;
}

bool StatusUpToDate(const json::object& pdb, const Counts& c) {
  const json::object* st = ObjAt(pdb, {"status"});
  if (!st) return false;
  const int64_t generation = IntAt(pdb, {"metadata", "generation"});
  if (IntAt(*st, {"currentHealthy"}, -1) != c.current_healthy ||
      IntAt(*st, {"desiredHealthy"}, -1) != c.desired_healthy ||
      IntAt(*st, {"expectedPods"}, -1) != c.expected_pods ||
      IntAt(*st, {"disruptionsAllowed"}, -1) != c.disruptions_allowed ||
      IntAt(*st, {"observedGeneration"}, -1) != generation || StoredDisrupted(pdb) != c.disrupted_pods) {
    return false;
  }
  // upstream ConditionsAreUpToDate: the condition is there and agrees with disruptionsAllowed.
  const json::object* cond = api::ConditionAt(*st, kDisruptionAllowed);
  if (!cond) return false;
  return StrAt(*cond, {"status"}) == (c.disruptions_allowed > 0 ? "True" : "False");
}

json::object FailSafeStatus(const json::object& pdb, const std::string& message, TimePoint now) {
  json::object status;
  if (const json::object* old = ObjAt(pdb, {"status"})) status = *old;
  status["disruptionsAllowed"] = 0;
  for (const char* f : {"currentHealthy", "desiredHealthy", "expectedPods"}) {
    if (!status.contains(f)) status[f] = 0;
  }
  int64_t observed = IntAt(status, {"observedGeneration"});
  SetCondition(status, kDisruptionAllowed, "False", kSyncFailed, message, observed, now);
  return status;
}

bool EvictionNotYetObserved(const json::object& pdb, const Counts& computed) {
  const json::object* st = ObjAt(pdb, {"status"});
  if (!st) return false;
  if (IntAt(*st, {"observedGeneration"}, -1) != IntAt(pdb, {"metadata", "generation"})) return false;
  if (IntAt(*st, {"currentHealthy"}, -1) != computed.current_healthy ||
      IntAt(*st, {"desiredHealthy"}, -1) != computed.desired_healthy ||
      IntAt(*st, {"expectedPods"}, -1) != computed.expected_pods) {
    return false;
  }
  const json::object* cond = api::ConditionAt(*st, kDisruptionAllowed);
  if (!cond || StrAt(*cond, {"reason"}) != kSufficientPods) return false;
  auto it = st->find("disruptionsAllowed");
  if (it == st->end() || !it->value().is_int64()) return false;
  int64_t stored = it->value().as_int64();
  return stored >= 0 && stored < computed.disruptions_allowed;
}

}  // namespace k1s::controllers::disruption
