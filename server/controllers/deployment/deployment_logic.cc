#include "server/controllers/deployment/deployment_logic.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <set>

#include <boost/json/serialize.hpp>

#include "lib/api/meta.h"
#include "lib/base/clock.h"
#include "lib/client/client.h"
#include "server/controllers/replicaset/replicaset_logic.h"

namespace k1s::controllers::deployment {

using api::ConditionAt;
using api::ObjAt;
using api::StrAt;
using replicaset::IntAt;

namespace {

std::optional<int64_t> ParseInt(std::string_view s) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

std::string Annotation(const json::object& obj, const char* key) {
  return StrAt(obj, {"metadata", "annotations", key});
}

// metadata.annotations of obj, created if missing. Valid until obj or its metadata gets a new key.
json::object& MutableAnnotations(json::object& obj) {
  json::value& meta = obj["metadata"];
  if (!meta.is_object()) meta = json::object();
  json::value& ann = meta.as_object()["annotations"];
  if (!ann.is_object()) ann = json::object();
  return ann.as_object();
}

void CanonicalJson(const json::value& v, std::string& out) {
  switch (v.kind()) {
    case json::kind::object: {
      const json::object& o = v.as_object();
      std::vector<std::string_view> keys;
      for (const auto& kv : o) keys.push_back(kv.key());
      std::sort(keys.begin(), keys.end());
      out += '{';
      for (size_t i = 0; i < keys.size(); ++i) {
        if (i) out += ',';
        out += json::serialize(json::value(keys[i]));
        out += ':';
        CanonicalJson(o.at(keys[i]), out);
      }
      out += '}';
      break;
    }
    case json::kind::array: {
      out += '[';
      bool first = true;
      for (const auto& e : v.as_array()) {
        if (!first) out += ',';
        first = false;
        CanonicalJson(e, out);
      }
      out += ']';
      break;
    }
    case json::kind::uint64:
      out += std::to_string(v.as_uint64());
      break;
    default:
      out += json::serialize(v);
  }
}

// Removes members whose value is null, at any depth: a template sent back by `kubectl rollout undo`
// carries `creationTimestamp: null` where the stored one has nothing, and the two are the same
// template (Go's typed comparison sees no difference).
void DropNulls(json::value& v) {
  if (v.is_object()) {
    auto& o = v.as_object();
    for (auto it = o.begin(); it != o.end();) {
      if (it->value().is_null()) {
        it = o.erase(it);
      } else {
        DropNulls(it->value());
        ++it;
      }
    }
  } else if (v.is_array()) {
    for (auto& e : v.as_array()) DropNulls(e);
  }
}

json::object WithoutHashLabel(const json::object& tmpl) {
  json::value whole = tmpl;
  DropNulls(whole);
  json::object out = std::move(whole.as_object());
  if (auto* meta = out.if_contains("metadata"); meta && meta->is_object()) {
    if (auto* labels = meta->as_object().if_contains("labels"); labels && labels->is_object()) {
      labels->as_object().erase(kPodTemplateHashLabel);
    }
  }
  return out;
}

std::string CreationOf(const json::object* rs) { return StrAt(*rs, {"metadata", "creationTimestamp"}); }

bool CreatedBefore(const json::object* a, const json::object* b) {
  auto ta = replicaset::ParseTime(CreationOf(a));
  auto tb = replicaset::ParseTime(CreationOf(b));
  if (ta != tb) {
    if (!ta) return false;
    if (!tb) return true;
    return *ta < *tb;
  }
  return StrAt(*a, {"metadata", "name"}) < StrAt(*b, {"metadata", "name"});
}

void SetOrOmit(json::object& status, const char* field, int64_t v) {
  if (v != 0) {
    status[field] = v;
  } else {
    status.erase(field);
  }
}

std::string RsName(const json::object* rs) { return rs ? StrAt(*rs, {"metadata", "name"}) : std::string(); }

}  // namespace

// ---- Replica counts ----

int64_t DesiredReplicas(const json::object& d) { return IntAt(d, {"spec", "replicas"}, 1); }
int64_t RsSpecReplicas(const json::object* rs) { return rs ? IntAt(*rs, {"spec", "replicas"}, 1) : 0; }

int64_t SumSpecReplicas(const RsList& rss) {
  int64_t n = 0;
  for (const auto* rs : rss) n += RsSpecReplicas(rs);
  return n;
}
int64_t SumStatusReplicas(const RsList& rss) {
  int64_t n = 0;
  for (const auto* rs : rss) n += rs ? IntAt(*rs, {"status", "replicas"}) : 0;
  return n;
}
int64_t SumReadyReplicas(const RsList& rss) {
  int64_t n = 0;
  for (const auto* rs : rss) n += rs ? IntAt(*rs, {"status", "readyReplicas"}) : 0;
  return n;
}
int64_t SumAvailableReplicas(const RsList& rss) {
  int64_t n = 0;
  for (const auto* rs : rss) n += rs ? IntAt(*rs, {"status", "availableReplicas"}) : 0;
  return n;
}

RsList FilterActive(const RsList& rss) {
  RsList out;
  for (const auto* rs : rss) {
    if (rs && RsSpecReplicas(rs) > 0) out.push_back(rs);
  }
  return out;
}

// ---- Fenceposts ----

Result<int64_t> ScaledValue(const json::value& v, int64_t total, bool round_up) {
  if (v.is_int64()) return v.as_int64();
  if (v.is_uint64()) return static_cast<int64_t>(v.as_uint64());
  if (v.is_string()) {
    std::string_view s = v.as_string();
    if (!s.empty() && s.back() == '%') {
      if (auto pct = ParseInt(s.substr(0, s.size() - 1))) {
        int64_t scaled = *pct * total;
        return round_up ? (scaled + 99) / 100 : scaled / 100;
      }
    }
    return Fail(ErrorCode::kInvalid, "invalid value for IntOrString: invalid value \"" + std::string(s) +
                                         "\": a percentage must be a number followed by %");
  }
  return Fail(ErrorCode::kInvalid, "invalid value for IntOrString: " + json::serialize(v));
}

bool IsRollingUpdate(const json::object& d) {
  std::string type = StrAt(d, {"spec", "strategy", "type"});
  return type.empty() || type == "RollingUpdate";
}

Result<Fenceposts> ResolveFenceposts(const json::object& d) {
  const int64_t desired = DesiredReplicas(d);
  const json::object* ru = ObjAt(d, {"spec", "strategy", "rollingUpdate"});
  json::value surge_v = "25%", unavail_v = "25%";
  if (ru) {
    if (auto* s = ru->if_contains("maxSurge"); s && !s->is_null()) surge_v = *s;
    if (auto* u = ru->if_contains("maxUnavailable"); u && !u->is_null()) unavail_v = *u;
  }
  K1S_ASSIGN_OR_RETURN(int64_t surge, ScaledValue(surge_v, desired, true));
  K1S_ASSIGN_OR_RETURN(int64_t unavailable, ScaledValue(unavail_v, desired, false));
  if (surge == 0 && unavailable == 0) unavailable = 1;  // or the rollout could never move
  return Fenceposts{surge, unavailable};
}

int64_t MaxSurge(const json::object& d) {
  if (!IsRollingUpdate(d)) return 0;
  auto f = ResolveFenceposts(d);
  return f.ok() ? f->max_surge : 0;
}

int64_t MaxUnavailable(const json::object& d) {
  const int64_t desired = DesiredReplicas(d);
  if (!IsRollingUpdate(d) || desired == 0) return 0;
  auto f = ResolveFenceposts(d);
  if (!f.ok()) return 0;
  return std::min(f->max_unavailable, desired);
}

// ---- Templates, hashes, revisions ----

std::string ComputePodTemplateHash(const json::object& pod_template, std::optional<int64_t> collision_count) {
  std::string text;
  CanonicalJson(pod_template, text);
  if (collision_count) text += "#" + std::to_string(*collision_count);
  uint32_t h = 2166136261u;
  for (unsigned char c : text) {
    h ^= c;
    h *= 16777619u;
  }
  static constexpr std::string_view kAlphabet = "bcdfghjklmnpqrstvwxz2456789";
  std::string digits = std::to_string(h);
  std::string out;
  for (char c : digits) out += kAlphabet[static_cast<unsigned char>(c) % kAlphabet.size()];
  return out;
}

bool EqualIgnoreHash(const json::object& a, const json::object& b) { return WithoutHashLabel(a) == WithoutHashLabel(b); }

const json::object* FindNewReplicaSet(const json::object& d, const RsList& rss) {
  const json::object* tmpl = ObjAt(d, {"spec", "template"});
  if (!tmpl) return nullptr;
  for (const auto* rs : SortedByCreation(rss)) {
    const json::object* rt = ObjAt(*rs, {"spec", "template"});
    if (rt && EqualIgnoreHash(*rt, *tmpl)) return rs;
  }
  return nullptr;
}

RsList OldReplicaSets(const RsList& rss, const json::object* new_rs) {
  RsList out;
  for (const auto* rs : rss) {
    if (rs && rs != new_rs) out.push_back(rs);
  }
  return out;
}

int64_t Revision(const json::object& obj) { return ParseInt(Annotation(obj, kRevisionAnnotation)).value_or(0); }

int64_t MaxRevision(const RsList& rss) {
  int64_t best = 0;
  for (const auto* rs : rss) {
    if (rs) best = std::max(best, Revision(*rs));
  }
  return best;
}

RsList SortedByCreation(RsList rss) {
  std::stable_sort(rss.begin(), rss.end(), CreatedBefore);
  return rss;
}

RsList SortedByRevision(RsList rss) {
  std::stable_sort(rss.begin(), rss.end(), [](const json::object* a, const json::object* b) {
    int64_t ra = Revision(*a), rb = Revision(*b);
    if (ra != rb) return ra < rb;
    return CreatedBefore(a, b);
  });
  return rss;
}

json::object NewReplicaSet(const json::object& d, const std::string& hash, int64_t revision, int64_t replicas) {
  json::object tmpl;
  if (const json::object* t = ObjAt(d, {"spec", "template"})) tmpl = *t;
  json::object labels;
  if (const json::object* l = ObjAt(tmpl, {"metadata", "labels"})) labels = *l;
  labels[kPodTemplateHashLabel] = hash;
  {
    json::value& tm = tmpl["metadata"];
    if (!tm.is_object()) tm = json::object();
    tm.as_object()["labels"] = labels;
  }
  json::object selector;
  if (const json::object* s = ObjAt(d, {"spec", "selector"})) selector = *s;
  {
    json::value& ml = selector["matchLabels"];
    if (!ml.is_object()) ml = json::object();
    ml.as_object()[kPodTemplateHashLabel] = hash;
  }
  json::object rs;
  rs["apiVersion"] = "apps/v1";
  rs["kind"] = "ReplicaSet";
  json::array refs;
  refs.push_back(replicaset::MakeControllerRef(d));
  rs["metadata"] = json::object{{"name", StrAt(d, {"metadata", "name"}) + "-" + hash},
                                {"namespace", StrAt(d, {"metadata", "namespace"})},
                                {"labels", std::move(labels)},
                                {"ownerReferences", std::move(refs)}};
  json::object spec{{"replicas", replicas}, {"selector", std::move(selector)}, {"template", std::move(tmpl)}};
  if (int64_t mrs = IntAt(d, {"spec", "minReadySeconds"}); mrs > 0) spec["minReadySeconds"] = mrs;
  rs["spec"] = std::move(spec);
  SetNewReplicaSetAnnotations(d, rs, revision, false);
  return rs;
}

bool SetReplicasAnnotations(json::object& rs, int64_t desired, int64_t max) {
  if (!ReplicasAnnotationsNeedUpdate(rs, desired, max)) return false;
  json::object& ann = MutableAnnotations(rs);
  ann[kDesiredReplicasAnnotation] = std::to_string(desired);
  ann[kMaxReplicasAnnotation] = std::to_string(max);
  return true;
}

bool ReplicasAnnotationsNeedUpdate(const json::object& rs, int64_t desired, int64_t max) {
  return Annotation(rs, kDesiredReplicasAnnotation) != std::to_string(desired) ||
         Annotation(rs, kMaxReplicasAnnotation) != std::to_string(max);
}

std::optional<int64_t> DesiredReplicasAnnotation(const json::object& rs) {
  return ParseInt(Annotation(rs, kDesiredReplicasAnnotation));
}

bool SetNewReplicaSetAnnotations(const json::object& d, json::object& rs, int64_t new_revision, bool exists) {
  static const std::set<std::string> kSkipped = {
      "kubectl.kubernetes.io/last-applied-configuration", kRevisionAnnotation, kRevisionHistoryAnnotation,
      kDesiredReplicasAnnotation, kMaxReplicasAnnotation, "deprecated.deployment.rollback.to"};
  bool updated = false;
  std::vector<std::pair<std::string, json::value>> copies;
  if (const json::object* da = ObjAt(d, {"metadata", "annotations"})) {
    for (const auto& [k, v] : *da) {
      if (kSkipped.count(std::string(k))) continue;
      const json::object* ra = ObjAt(rs, {"metadata", "annotations"});
      const json::value* cur = ra ? ra->if_contains(k) : nullptr;
      if (!cur || *cur != v) copies.emplace_back(std::string(k), v);
    }
  }
  std::string old_revision = Annotation(rs, kRevisionAnnotation);
  std::optional<int64_t> old_int = old_revision.empty() ? std::optional<int64_t>(0) : ParseInt(old_revision);
  std::string history = Annotation(rs, kRevisionHistoryAnnotation);
  json::object& ann = MutableAnnotations(rs);
  for (auto& [k, v] : copies) {
    ann[k] = std::move(v);
    updated = true;
  }
  if (old_int && *old_int < new_revision) {
    ann[kRevisionAnnotation] = std::to_string(new_revision);
    updated = true;
    if (!old_revision.empty()) {
      ann[kRevisionHistoryAnnotation] = history.empty() ? old_revision : history + "," + old_revision;
    }
  }
  if (!exists && SetReplicasAnnotations(rs, DesiredReplicas(d), DesiredReplicas(d) + MaxSurge(d))) updated = true;
  return updated;
}

// ---- Scaling decisions ----

int64_t NewRsNewReplicas(const json::object& d, const RsList& all, const json::object* new_rs) {
  const int64_t desired = DesiredReplicas(d);
  if (!IsRollingUpdate(d)) return desired;
  const int64_t current_new = RsSpecReplicas(new_rs);
  const int64_t current = SumSpecReplicas(all);
  const int64_t max_total = desired + MaxSurge(d);
  if (current >= max_total) return current_new;
  int64_t up = std::min(max_total - current, desired - current_new);
  return current_new + std::max<int64_t>(up, 0);
}

std::vector<ScaleAction> PlanOldScaleDown(const json::object& d, const json::object* new_rs, const RsList& old_rss) {
  std::vector<ScaleAction> out;
  RsList active_old = FilterActive(old_rss);
  if (SumSpecReplicas(active_old) == 0) return out;
  RsList all = old_rss;
  if (new_rs) all.push_back(new_rs);
  const int64_t all_count = SumSpecReplicas(all);
  const int64_t min_available = DesiredReplicas(d) - MaxUnavailable(d);
  const int64_t new_unavailable = new_rs ? RsSpecReplicas(new_rs) - IntAt(*new_rs, {"status", "availableReplicas"}) : 0;
  const int64_t max_scaled_down = all_count - min_available - new_unavailable;
  if (max_scaled_down <= 0) return out;

  struct Work {
    const json::object* rs;
    int64_t replicas, available;
  };
  std::vector<Work> work;
  for (const auto* rs : SortedByCreation(active_old)) {
    work.push_back({rs, RsSpecReplicas(rs), IntAt(*rs, {"status", "availableReplicas"})});
  }
  // First the replicas that are not available anyway: removing them costs no availability.
  int64_t cleaned = 0;
  for (auto& w : work) {
    if (cleaned >= max_scaled_down) break;
    if (w.replicas == 0 || w.available >= w.replicas) continue;
    int64_t n = std::min(max_scaled_down - cleaned, w.replicas - w.available);
    w.replicas -= n;
    cleaned += n;
  }
  // Then healthy ones, as far as maxUnavailable allows.
  const int64_t available = SumAvailableReplicas(all);
  if (available > min_available) {
    const int64_t total = available - min_available;
    int64_t scaled = 0;
    for (auto& w : work) {
      if (scaled >= total) break;
      if (w.replicas == 0) continue;
      int64_t n = std::min(w.replicas, total - scaled);
      w.replicas -= n;
      scaled += n;
    }
  }
  for (const auto& w : work) {
    if (w.replicas != RsSpecReplicas(w.rs)) out.push_back({w.rs, w.replicas});
  }
  return out;
}

bool IsScalingEvent(const json::object& d, const RsList& all) {
  for (const auto* rs : FilterActive(all)) {
    auto desired = DesiredReplicasAnnotation(*rs);
    if (desired && *desired != DesiredReplicas(d)) return true;
  }
  return false;
}

namespace {

bool IsSaturated(const json::object& d, const json::object* rs) {
  if (!rs) return false;
  auto desired = DesiredReplicasAnnotation(*rs);
  int64_t want = DesiredReplicas(d);
  return desired && *desired == want && RsSpecReplicas(rs) == want &&
         IntAt(*rs, {"status", "availableReplicas"}) == want;
}

int64_t ReplicaSetFraction(const json::object* rs, const json::object& d) {
  const int64_t desired = DesiredReplicas(d);
  if (desired == 0) return -RsSpecReplicas(rs);
  const int64_t deployment_replicas = desired + MaxSurge(d);
  int64_t annotated = ParseInt(Annotation(*rs, kMaxReplicasAnnotation)).value_or(IntAt(d, {"status", "replicas"}));
  if (annotated <= 0) return 0;
  double size = static_cast<double>(RsSpecReplicas(rs) * deployment_replicas) / static_cast<double>(annotated);
  return static_cast<int64_t>(std::round(size)) - RsSpecReplicas(rs);
}

int64_t Proportion(const json::object* rs, const json::object& d, int64_t to_add, int64_t added) {
  if (!rs || RsSpecReplicas(rs) == 0 || to_add == 0 || to_add == added) return 0;
  int64_t fraction = ReplicaSetFraction(rs, d);
  int64_t allowed = to_add - added;
  return to_add > 0 ? std::min(fraction, allowed) : std::max(fraction, allowed);
}

}  // namespace

std::vector<ScaleAction> PlanScale(const json::object& d, const json::object* new_rs, const RsList& old_rss) {
  const int64_t desired = DesiredReplicas(d);
  // One active (or, with none, the latest) ReplicaSet simply takes the new size.
  RsList old_newest = SortedByCreation(old_rss);
  std::reverse(old_newest.begin(), old_newest.end());
  RsList candidates = old_newest;
  if (new_rs) candidates.push_back(new_rs);
  RsList active = FilterActive(candidates);
  const json::object* only = nullptr;
  if (active.empty()) {
    only = new_rs ? new_rs : (old_newest.empty() ? nullptr : old_newest.front());
  } else if (active.size() == 1) {
    only = active.front();
  }
  if (only) {
    if (RsSpecReplicas(only) == desired) return {};
    return {{only, desired}};
  }
  if (active.empty()) return {};
  if (IsSaturated(d, new_rs)) {
    std::vector<ScaleAction> out;
    for (const auto* rs : FilterActive(old_rss)) out.push_back({rs, 0});
    return out;
  }
  if (!IsRollingUpdate(d)) return {};
  const int64_t allowed = desired > 0 ? desired + MaxSurge(d) : 0;
  const int64_t to_add = allowed - SumSpecReplicas(active);
  RsList sorted = active;
  std::stable_sort(sorted.begin(), sorted.end(), [&](const json::object* a, const json::object* b) {
    int64_t ra = RsSpecReplicas(a), rb = RsSpecReplicas(b);
    if (ra != rb) return ra > rb;
    return to_add > 0 ? CreatedBefore(b, a) : CreatedBefore(a, b);  // adding: newer first; removing: older
  });
  std::vector<ScaleAction> out;
  int64_t added = 0;
  for (const auto* rs : sorted) {
    int64_t size = RsSpecReplicas(rs);
    if (to_add != 0) {
      int64_t p = Proportion(rs, d, to_add, added);
      size += p;
      added += p;
    }
    out.push_back({rs, size});
  }
  if (to_add != 0 && !out.empty()) {
    out.front().replicas = std::max<int64_t>(0, out.front().replicas + (to_add - added));
  }
  return out;
}

RsList ReplicaSetsToCleanUp(const json::object& d, const RsList& old_rss) {
  RsList out;
  const json::value* limit_v = nullptr;
  if (const json::object* spec = ObjAt(d, {"spec"})) limit_v = spec->if_contains("revisionHistoryLimit");
  if (!limit_v || limit_v->is_null()) return out;
  const int64_t limit = IntAt(d, {"spec", "revisionHistoryLimit"}, 0);
  if (limit >= 2147483647) return out;
  RsList alive;
  for (const auto* rs : old_rss) {
    if (!replicaset::IsBeingDeleted(*rs)) alive.push_back(rs);
  }
  int64_t diff = static_cast<int64_t>(alive.size()) - limit;
  if (diff <= 0) return out;
  RsList sorted = SortedByRevision(alive);
  for (int64_t i = 0; i < diff; ++i) {
    const json::object* rs = sorted[i];
    if (IntAt(*rs, {"status", "replicas"}) != 0 || RsSpecReplicas(rs) != 0 ||
        IntAt(*rs, {"metadata", "generation"}) > IntAt(*rs, {"status", "observedGeneration"})) {
      continue;
    }
    out.push_back(rs);
  }
  return out;
}

// ---- Status ----

json::object NewCondition(const std::string& type, const std::string& status, const std::string& reason,
                          const std::string& message, TimePoint now) {
  std::string t = client::FormatTime(now);
  return json::object{{"type", type},          {"status", status},  {"lastUpdateTime", t},
                      {"lastTransitionTime", t}, {"reason", reason}, {"message", message}};
}

bool SetCondition(json::object& status, json::object cond) {
  const std::string type = StrAt(cond, {"type"});
  const json::object* cur = ConditionAt(status, type);
  if (cur && StrAt(*cur, {"status"}) == StrAt(cond, {"status"}) &&
      StrAt(*cur, {"reason"}) == StrAt(cond, {"reason"})) {
    return false;
  }
  if (cur && StrAt(*cur, {"status"}) == StrAt(cond, {"status"})) {
    cond["lastTransitionTime"] = StrAt(*cur, {"lastTransitionTime"});
  }
  RemoveCondition(status, type);  // cur is invalid from here
  json::value& conds = status["conditions"];
  if (!conds.is_array()) conds = json::array();
  conds.as_array().push_back(std::move(cond));
  return true;
}

void RemoveCondition(json::object& status, const std::string& type) {
  auto* conds = status.if_contains("conditions");
  if (!conds || !conds->is_array()) return;
  json::array kept;
  for (const auto& c : conds->as_array()) {
    if (c.is_object() && StrAt(c.as_object(), {"type"}) == type) continue;
    kept.push_back(c);
  }
  *conds = std::move(kept);
}

bool HasProgressDeadline(const json::object& d) {
  const json::object* spec = ObjAt(d, {"spec"});
  const json::value* v = spec ? spec->if_contains("progressDeadlineSeconds") : nullptr;
  if (!v || v->is_null()) return false;
  return IntAt(d, {"spec", "progressDeadlineSeconds"}) != 2147483647;
}

json::object CalculateStatus(const json::object& d, const RsList& all, const json::object* new_rs, TimePoint now) {
  json::object status;
  if (const json::object* old = ObjAt(d, {"status"})) {
    if (auto* cc = old->if_contains("collisionCount")) status["collisionCount"] = *cc;
    if (auto* conds = old->if_contains("conditions")) status["conditions"] = *conds;
  }
  const int64_t available = SumAvailableReplicas(all);
  const int64_t unavailable = std::max<int64_t>(0, SumSpecReplicas(all) - available);
  SetOrOmit(status, "observedGeneration", IntAt(d, {"metadata", "generation"}));
  SetOrOmit(status, "replicas", SumStatusReplicas(all));
  SetOrOmit(status, "updatedReplicas", new_rs ? IntAt(*new_rs, {"status", "replicas"}) : 0);
  SetOrOmit(status, "readyReplicas", SumReadyReplicas(all));
  SetOrOmit(status, "availableReplicas", available);
  SetOrOmit(status, "unavailableReplicas", unavailable);
  if (available >= DesiredReplicas(d) - MaxUnavailable(d)) {
    SetCondition(status, NewCondition(kAvailable, "True", kMinimumReplicasAvailable,
                                      "Deployment has minimum availability.", now));
  } else {
    SetCondition(status, NewCondition(kAvailable, "False", kMinimumReplicasUnavailable,
                                      "Deployment does not have minimum availability.", now));
  }
  return status;
}

bool DeploymentComplete(const json::object& d, const json::object& s) {
  const int64_t want = DesiredReplicas(d);
  return IntAt(s, {"updatedReplicas"}) == want && IntAt(s, {"replicas"}) == want &&
         IntAt(s, {"availableReplicas"}) == want &&
         IntAt(s, {"observedGeneration"}) >= IntAt(d, {"metadata", "generation"});
}

bool DeploymentProgressing(const json::object& d, const json::object& s) {
  static const json::object kEmpty;
  const json::object* old = ObjAt(d, {"status"});
  if (!old) old = &kEmpty;
  const int64_t old_old = IntAt(*old, {"replicas"}) - IntAt(*old, {"updatedReplicas"});
  const int64_t new_old = IntAt(s, {"replicas"}) - IntAt(s, {"updatedReplicas"});
  return IntAt(s, {"updatedReplicas"}) > IntAt(*old, {"updatedReplicas"}) || new_old < old_old ||
         IntAt(s, {"readyReplicas"}) > IntAt(*old, {"readyReplicas"}) ||
         IntAt(s, {"availableReplicas"}) > IntAt(*old, {"availableReplicas"});
}

bool DeploymentTimedOut(const json::object& d, const json::object& s, TimePoint now) {
  if (!HasProgressDeadline(d)) return false;
  const json::object* cond = ConditionAt(s, kProgressing);
  if (!cond) return false;
  std::string reason = StrAt(*cond, {"reason"});
  if (reason == kNewReplicaSetAvailable) return false;
  if (reason == kProgressDeadlineExceeded) return true;
  auto from = replicaset::ParseTime(StrAt(*cond, {"lastUpdateTime"}));
  if (!from) return false;
  return *from + ClampedSeconds(IntAt(d, {"spec", "progressDeadlineSeconds"})) < now;
}

json::object RolloutStatus(const json::object& d, const RsList& all, const json::object* new_rs, TimePoint now) {
  json::object s = CalculateStatus(d, all, new_rs, now);
  if (!HasProgressDeadline(d)) RemoveCondition(s, kProgressing);
  static const json::object kEmpty;
  const json::object* old_status = ObjAt(d, {"status"});
  const json::object* current = ConditionAt(old_status ? *old_status : kEmpty, kProgressing);
  const bool complete_before = IntAt(s, {"replicas"}) == IntAt(s, {"updatedReplicas"}) && current &&
                               StrAt(*current, {"reason"}) == kNewReplicaSetAvailable;
  const std::string subject = new_rs ? "ReplicaSet \"" + RsName(new_rs) + "\""
                                     : "Deployment \"" + StrAt(d, {"metadata", "name"}) + "\"";
  if (HasProgressDeadline(d) && !complete_before) {
    if (DeploymentComplete(d, s)) {
      SetCondition(s, NewCondition(kProgressing, "True", kNewReplicaSetAvailable,
                                   subject + " has successfully progressed.", now));
    } else if (DeploymentProgressing(d, s)) {
      json::object cond = NewCondition(kProgressing, "True", kReplicaSetUpdated, subject + " is progressing.", now);
      if (current && StrAt(*current, {"status"}) == "True") {
        cond["lastTransitionTime"] = StrAt(*current, {"lastTransitionTime"});
      }
      RemoveCondition(s, kProgressing);
      SetCondition(s, std::move(cond));
    } else if (DeploymentTimedOut(d, s, now)) {
      SetCondition(s, NewCondition(kProgressing, "False", kProgressDeadlineExceeded,
                                   subject + " has timed out progressing.", now));
    }
  }
  // A ReplicaSet's failure to create or delete pods shows on the Deployment.
  RsList order;
  if (new_rs) order.push_back(new_rs);
  for (const auto* rs : all) {
    if (rs && rs != new_rs) order.push_back(rs);
  }
  const json::object* failure = nullptr;
  for (const auto* rs : order) {
    const json::object* st = ObjAt(*rs, {"status"});
    if (st && (failure = ConditionAt(*st, kReplicaFailure))) break;
  }
  if (failure) {
    std::string t = StrAt(*failure, {"lastTransitionTime"});
    SetCondition(s, json::object{{"type", kReplicaFailure},
                                 {"status", StrAt(*failure, {"status"})},
                                 {"lastUpdateTime", t},
                                 {"lastTransitionTime", t},
                                 {"reason", StrAt(*failure, {"reason"})},
                                 {"message", StrAt(*failure, {"message"})}});
  } else {
    RemoveCondition(s, kReplicaFailure);
  }
  return s;
}

std::optional<std::chrono::milliseconds> RequeueStuckAfter(const json::object& d, const json::object& s, TimePoint now) {
  const json::object* cond = ConditionAt(s, kProgressing);
  if (!HasProgressDeadline(d) || !cond) return std::nullopt;
  if (DeploymentComplete(d, s) || StrAt(*cond, {"reason"}) == kProgressDeadlineExceeded) return std::nullopt;
  auto from = replicaset::ParseTime(StrAt(*cond, {"lastUpdateTime"}));
  if (!from) return std::nullopt;
  auto after = *from + ClampedSeconds(IntAt(d, {"spec", "progressDeadlineSeconds"})) - now;
  if (after < std::chrono::seconds(1)) return std::chrono::milliseconds(0);
  return std::chrono::duration_cast<std::chrono::milliseconds>(after + std::chrono::seconds(1));
}

bool OldPodsRunning(const RsList& old_rss, const std::vector<const json::object*>& pods_of_old) {
  if (SumStatusReplicas(old_rss) > 0) return true;
  for (const auto* pod : pods_of_old) {
    std::string phase = StrAt(*pod, {"status", "phase"});
    if (phase == "Failed" || phase == "Succeeded") continue;
    return true;
  }
  return false;
}

}  // namespace k1s::controllers::deployment
