#include "server/controllers/replicaset/replicaset_logic.h"

#include <algorithm>
#include <charconv>
#include <numeric>
#include <unordered_map>

#include "lib/api/meta.h"
#include "lib/base/clock.h"
#include "lib/client/client.h"

namespace k1s::controllers::replicaset {

using api::ObjAt;
using api::StrAt;
using api::ValueAt;

namespace {

int64_t ParseInt(std::string_view s, int64_t fallback) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return fallback;
  return v;
}

const json::object* ReadyCondition(const json::object& pod) {
  return api::ConditionAt(api::ObjAt(pod, {"status"}), "Ready");
}

}  // namespace

int64_t IntAt(const json::object& obj, std::initializer_list<std::string_view> path, int64_t fallback) {
  return api::IntAt(obj, path).value_or(fallback);
}

std::optional<TimePoint> ParseTime(std::string_view text) {
  if (text.empty()) return std::nullopt;
  return client::ParseMicroTime(text);
}

bool SelectorIsEmpty(const json::object& selector) {
  auto empty_at = [&](std::string_view f) {
    auto it = selector.find(f);
    if (it == selector.end() || it->value().is_null()) return true;
    if (it->value().is_object()) return it->value().as_object().empty();
    if (it->value().is_array()) return it->value().as_array().empty();
    return false;
  };
  return empty_at("matchLabels") && empty_at("matchExpressions");
}

bool SelectorMatches(const json::object& selector, const std::map<std::string, std::string>& labels) {
  return api::LabelSelectorMatches(selector, labels);
}

bool LabelsContain(const std::map<std::string, std::string>& labels, const json::object& want) {
  for (const auto& [k, v] : want) {
    auto l = labels.find(std::string(k));
    if (l == labels.end() || !v.is_string() || l->second != v.as_string()) return false;
  }
  return true;
}

std::optional<OwnerRef> ControllerRefOf(const json::object& obj) {
  const json::value* refs = ValueAt(obj, {"metadata", "ownerReferences"});
  if (!refs || !refs->is_array()) return std::nullopt;
  for (const auto& r : refs->as_array()) {
    if (!r.is_object()) continue;
    const json::object& o = r.as_object();
    auto c = o.find("controller");
    if (c == o.end() || !c->value().is_bool() || !c->value().as_bool()) continue;
    return OwnerRef{StrAt(o, {"apiVersion"}), StrAt(o, {"kind"}), StrAt(o, {"name"}), StrAt(o, {"uid"})};
  }
  return std::nullopt;
}

json::object MakeControllerRef(const json::object& owner) {
  json::object ref;
  ref["apiVersion"] = StrAt(owner, {"apiVersion"});
  ref["kind"] = StrAt(owner, {"kind"});
  ref["name"] = StrAt(owner, {"metadata", "name"});
  ref["uid"] = StrAt(owner, {"metadata", "uid"});
  ref["controller"] = true;
  ref["blockOwnerDeletion"] = true;
  return ref;
}

json::array OwnerRefsWithAdopted(const json::object& obj, const json::object& owner) {
  json::array out;
  std::string uid = StrAt(owner, {"metadata", "uid"});
  const json::value* refs = ValueAt(obj, {"metadata", "ownerReferences"});
  if (refs && refs->is_array()) {
    for (const auto& r : refs->as_array()) {
      if (r.is_object() && StrAt(r.as_object(), {"uid"}) == uid) continue;
      out.push_back(r);
    }
  }
  out.push_back(MakeControllerRef(owner));
  return out;
}

json::array OwnerRefsWithoutUid(const json::object& obj, const std::string& uid) {
  json::array out;
  const json::value* refs = ValueAt(obj, {"metadata", "ownerReferences"});
  if (refs && refs->is_array()) {
    for (const auto& r : refs->as_array()) {
      if (r.is_object() && StrAt(r.as_object(), {"uid"}) == uid) continue;
      out.push_back(r);
    }
  }
  return out;
}

bool IsBeingDeleted(const json::object& obj) { return !StrAt(obj, {"metadata", "deletionTimestamp"}).empty(); }

bool IsPodActive(const json::object& pod) {
  std::string phase = StrAt(pod, {"status", "phase"});
  return phase != "Succeeded" && phase != "Failed" && !IsBeingDeleted(pod);
}

bool IsPodReady(const json::object& pod) {
  const json::object* c = ReadyCondition(pod);
  return c && StrAt(*c, {"status"}) == "True";
}

std::optional<TimePoint> PodReadySince(const json::object& pod) {
  const json::object* c = ReadyCondition(pod);
  if (!c || StrAt(*c, {"status"}) != "True") return std::nullopt;
  return ParseTime(StrAt(*c, {"lastTransitionTime"}));
}

bool IsPodAvailable(const json::object& pod, int64_t min_ready_seconds, TimePoint now) {
  if (!IsPodReady(pod)) return false;
  if (min_ready_seconds <= 0) return true;
  auto since = PodReadySince(pod);
  return since && *since + ClampedSeconds(min_ready_seconds) < now;
}

ClaimPlan PlanClaims(const json::object& owner, const json::object& selector,
                     const std::vector<const json::object*>& candidates) {
  ClaimPlan plan;
  std::string uid = StrAt(owner, {"metadata", "uid"});
  bool owner_deleting = IsBeingDeleted(owner);
  for (size_t i = 0; i < candidates.size(); ++i) {
    const json::object& obj = *candidates[i];
    bool matches = SelectorMatches(selector, api::Labels(obj));
    auto ref = ControllerRefOf(obj);
    if (ref) {
      if (ref->uid != uid) continue;
      if (matches) {
        plan.owned.push_back(i);
      } else if (!owner_deleting) {
        plan.release.push_back(i);
      }
      continue;
    }
    if (!matches || owner_deleting || IsBeingDeleted(obj)) continue;
    plan.adopt.push_back(i);
  }
  return plan;
}

json::object PodFromTemplate(const json::object& rs) {
  json::object pod;
  pod["apiVersion"] = "v1";
  pod["kind"] = "Pod";
  json::object meta;
  meta["generateName"] = StrAt(rs, {"metadata", "name"}) + "-";
  meta["namespace"] = StrAt(rs, {"metadata", "namespace"});
  const json::object* tmeta = ObjAt(rs, {"spec", "template", "metadata"});
  if (tmeta) {
    for (const char* f : {"labels", "annotations", "finalizers"}) {
      if (auto it = tmeta->find(f); it != tmeta->end() && !it->value().is_null()) meta[f] = it->value();
    }
  }
  json::array refs;
  refs.push_back(MakeControllerRef(rs));
  meta["ownerReferences"] = std::move(refs);
  pod["metadata"] = std::move(meta);
  if (const json::object* spec = ObjAt(rs, {"spec", "template", "spec"})) {
    pod["spec"] = *spec;
  } else {
    pod["spec"] = json::object();
  }
  return pod;
}

namespace {

struct PodRank {
  bool assigned;
  int phase;
  bool ready;
  int64_t cost;
  int related_on_node;
  std::optional<TimePoint> ready_since;
  int64_t restarts;
  std::optional<TimePoint> created;
};

int PhaseOrdinal(const std::string& phase) {
  if (phase == "Unknown") return 1;
  if (phase == "Running") return 2;
  return 0;  // Pending and anything else
}

int64_t MaxRestarts(const json::object& pod) {
  int64_t best = 0;
  const json::value* st = ValueAt(pod, {"status", "containerStatuses"});
  if (st && st->is_array()) {
    for (const auto& c : st->as_array()) {
      if (c.is_object()) best = std::max(best, IntAt(c.as_object(), {"restartCount"}));
    }
  }
  return best;
}

// True when a should be deleted before b.
bool DeleteBefore(const PodRank& a, const PodRank& b) {
  if (a.assigned != b.assigned) return !a.assigned;
  if (a.phase != b.phase) return a.phase < b.phase;
  if (a.ready != b.ready) return !a.ready;
  if (a.cost != b.cost) return a.cost < b.cost;
  if (a.related_on_node != b.related_on_node) return a.related_on_node > b.related_on_node;
  if (a.ready && b.ready && a.ready_since != b.ready_since) {
    if (!a.ready_since) return true;  // unknown ready time counts as most recent
    if (!b.ready_since) return false;
    return *a.ready_since > *b.ready_since;
  }
  if (a.restarts != b.restarts) return a.restarts > b.restarts;
  if (a.created != b.created) {
    if (!a.created) return true;
    if (!b.created) return false;
    return *a.created > *b.created;
  }
  return false;
}

}  // namespace

std::vector<size_t> PodsToDelete(const std::vector<const json::object*>& pods,
                                 const std::vector<const json::object*>& related_pods, size_t count) {
  std::vector<size_t> order(pods.size());
  std::iota(order.begin(), order.end(), 0);
  if (count >= pods.size()) return order;
  std::unordered_map<std::string, int> on_node;
  for (const auto* p : related_pods) {
    if (IsPodActive(*p)) ++on_node[StrAt(*p, {"spec", "nodeName"})];
  }
  std::vector<PodRank> ranks;
  ranks.reserve(pods.size());
  for (const auto* p : pods) {
    std::string node = StrAt(*p, {"spec", "nodeName"});
    std::string cost = StrAt(*p, {"metadata", "annotations", "controller.kubernetes.io/pod-deletion-cost"});
    ranks.push_back(PodRank{!node.empty(), PhaseOrdinal(StrAt(*p, {"status", "phase"})), IsPodReady(*p),
                            cost.empty() ? 0 : ParseInt(cost, 0), on_node[node], PodReadySince(*p),
                            MaxRestarts(*p), ParseTime(StrAt(*p, {"metadata", "creationTimestamp"}))});
  }
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return DeleteBefore(ranks[a], ranks[b]); });
  order.resize(count);
  return order;
}

int SlowStartBatch(int count, int initial_batch, const std::function<Status()>& fn, std::optional<Error>* first_error) {
  int remaining = count;
  int successes = 0;
  for (int batch = std::min(remaining, std::max(1, initial_batch)); batch > 0; batch = std::min(2 * batch, remaining)) {
    bool failed = false;
    for (int i = 0; i < batch; ++i) {
      Status s = fn();
      if (s.ok()) {
        ++successes;
      } else {
        if (first_error && !*first_error) *first_error = s.error();
        failed = true;
      }
    }
    if (failed) break;
    remaining -= batch;
  }
  return successes;
}

json::object ComputeReplicaSetStatus(const json::object& rs, const std::vector<const json::object*>& pods,
                                     const std::optional<Error>& manage_error, bool manage_error_is_create,
                                     TimePoint now) {
  json::object status;
  if (const json::object* old = ObjAt(rs, {"status"})) status = *old;
  int64_t min_ready = IntAt(rs, {"spec", "minReadySeconds"});
  const json::object* tlabels = ObjAt(rs, {"spec", "template", "metadata", "labels"});
  int64_t fully = 0, ready = 0, available = 0;
  for (const auto* p : pods) {
    std::map<std::string, std::string> labels = api::Labels(*p);
    if (!tlabels || LabelsContain(labels, *tlabels)) ++fully;
    if (IsPodReady(*p)) ++ready;
    if (IsPodAvailable(*p, min_ready, now)) ++available;
  }
  auto set_or_omit = [&](const char* field, int64_t v) {
    if (v != 0) {
      status[field] = v;
    } else {
      status.erase(field);
    }
  };
  status["replicas"] = static_cast<int64_t>(pods.size());
  set_or_omit("fullyLabeledReplicas", fully);
  set_or_omit("readyReplicas", ready);
  set_or_omit("availableReplicas", available);
  set_or_omit("observedGeneration", IntAt(rs, {"metadata", "generation"}));

  json::array conds;
  bool had_failure = false;
  if (auto it = status.find("conditions"); it != status.end() && it->value().is_array()) {
    for (const auto& c : it->value().as_array()) {
      if (c.is_object() && StrAt(c.as_object(), {"type"}) == "ReplicaFailure") {
        had_failure = true;
        if (!manage_error) continue;  // resolved: drop it
      }
      conds.push_back(c);
    }
  }
  if (manage_error && !had_failure) {
    json::object c;
    c["type"] = "ReplicaFailure";
    c["status"] = "True";
    c["lastTransitionTime"] = client::FormatTime(now);
    c["reason"] = manage_error_is_create ? "FailedCreate" : "FailedDelete";
    c["message"] = manage_error->message;
    conds.push_back(std::move(c));
  }
  if (conds.empty()) {
    status.erase("conditions");
  } else {
    status["conditions"] = std::move(conds);
  }
  return status;
}

bool StatusChanged(const json::object& rs, const json::object& new_status) {
  const json::object* old = ObjAt(rs, {"status"});
  if (!old) return true;
  return *old != new_status;
}

bool ControllerExpectations::Satisfied(const std::string& key, Clock::time_point now) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = records_.find(key);
  if (it == records_.end()) return true;
  const Record& r = it->second;
  if (r.adds <= 0 && r.deletes.empty()) return true;
  return now - r.at > timeout_;
}

void ControllerExpectations::Expect(const std::string& key, int adds, std::vector<std::string> delete_keys,
                                    Clock::time_point now) {
  std::lock_guard<std::mutex> lock(mu_);
  records_[key] = Record{adds, std::move(delete_keys), now};
}

void ControllerExpectations::CreationObserved(const std::string& key, int n) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = records_.find(key);
  if (it != records_.end()) it->second.adds -= n;
}

void ControllerExpectations::DeletionObserved(const std::string& key, const std::string& pod_key) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = records_.find(key);
  if (it == records_.end()) return;
  auto& d = it->second.deletes;
  d.erase(std::remove(d.begin(), d.end(), pod_key), d.end());
}

void ControllerExpectations::Delete(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  records_.erase(key);
}

std::pair<int, int> ControllerExpectations::Pending(const std::string& key) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = records_.find(key);
  if (it == records_.end()) return {0, 0};
  return {std::max(0, it->second.adds), static_cast<int>(it->second.deletes.size())};
}

}  // namespace k1s::controllers::replicaset
