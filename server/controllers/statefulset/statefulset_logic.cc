#include "server/controllers/statefulset/statefulset_logic.h"

#include <algorithm>
#include <charconv>

namespace k1s::controllers::statefulset {

namespace {
const json::object kEmpty;
const json::object& Spec(const json::object& o) { return ObjAt(o, "spec") ? *ObjAt(o, "spec") : kEmpty; }
bool RunningAndReady(const json::object& pod) { return PodPhase(pod) == "Running" && IsPodReady(pod); }
}  // namespace

std::string PodName(const json::object& sts, int ordinal) { return MetaString(sts, "name") + "-" + std::to_string(ordinal); }

std::string ClaimName(const std::string& template_name, const json::object& sts, int ordinal) {
  return template_name + "-" + PodName(sts, ordinal);
}

std::optional<int> OrdinalOf(const json::object& sts, const json::object& pod) {
  std::string prefix = MetaString(sts, "name") + "-", name = MetaString(pod, "name");
  if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) return std::nullopt;
  int n = 0;
  auto r = std::from_chars(name.data() + prefix.size(), name.data() + name.size(), n);
  if (r.ec != std::errc() || r.ptr != name.data() + name.size() || n < 0) return std::nullopt;
  return n;
}

std::string RevisionName(const json::object& sts) {
  const json::object* t = ObjAt(Spec(sts), "template");
  return MetaString(sts, "name") + "-" + ShortHash(t ? json::value(*t) : json::value(json::object()));
}

json::object NewControllerRevision(const json::object& sts, int64_t revision) {
  const json::object* t = ObjAt(Spec(sts), "template");
  json::object tmpl = t ? *t : json::object();
  tmpl["$patch"] = "replace";
  json::object labels;
  if (const json::object* tm = t ? ObjAt(*t, "metadata") : nullptr)
    if (const json::object* l = ObjAt(*tm, "labels")) labels = *l;
  labels[kRevisionLabel] = RevisionName(sts);
  return json::object{
      {"apiVersion", "apps/v1"},
      {"kind", "ControllerRevision"},
      {"metadata", json::object{{"name", RevisionName(sts)},
                                {"namespace", MetaString(sts, "namespace")},
                                {"labels", std::move(labels)},
                                {"ownerReferences", json::array{ControllerRef(sts, "apps/v1", "StatefulSet")}}}},
      {"data", json::object{{"spec", json::object{{"template", std::move(tmpl)}}}}},
      {"revision", revision}};
}

json::object TemplateOfRevision(const json::object& revision) {
  const json::object* d = ObjAt(revision, "data");
  const json::object* s = d ? ObjAt(*d, "spec") : nullptr;
  json::object t = s && ObjAt(*s, "template") ? *ObjAt(*s, "template") : json::object();
  t.erase("$patch");
  return t;
}

json::object NewPod(const json::object& sts, int ordinal, const json::object& tmpl, const std::string& revision_name) {
  const json::object* tmeta = ObjAt(tmpl, "metadata");
  std::string name = PodName(sts, ordinal);
  json::object labels = tmeta && ObjAt(*tmeta, "labels") ? *ObjAt(*tmeta, "labels") : json::object();
  labels[kRevisionLabel] = revision_name;
  labels[kPodNameLabel] = name;
  labels[kPodIndexLabel] = std::to_string(ordinal);
  json::object meta{{"name", name}, {"namespace", MetaString(sts, "namespace")}, {"labels", std::move(labels)}};
  if (tmeta)
    if (const json::object* a = ObjAt(*tmeta, "annotations")) meta["annotations"] = *a;
  meta["ownerReferences"] = json::array{ControllerRef(sts, "apps/v1", "StatefulSet")};

  json::object spec = ObjAt(tmpl, "spec") ? *ObjAt(tmpl, "spec") : json::object();
  spec["hostname"] = name;
  std::string service = StrAt(Spec(sts), "serviceName");
  if (!service.empty()) spec["subdomain"] = service;
  // Volumes named after the claim templates point at this pod's claims.
  if (const json::array* claims = ArrAt(Spec(sts), "volumeClaimTemplates")) {
    json::value& vv = spec["volumes"];
    if (!vv.is_array()) vv = json::array();
    for (const auto& c : *claims) {
      if (!c.is_object()) continue;
      std::string tname = MetaString(c.get_object(), "name");
      json::object vol{{"name", tname},
                       {"persistentVolumeClaim", json::object{{"claimName", ClaimName(tname, sts, ordinal)}}}};
      json::array& vols = vv.get_array();
      auto it = std::find_if(vols.begin(), vols.end(), [&](const json::value& v) {
        return v.is_object() && StrAt(v.get_object(), "name") == tname;
      });
      if (it != vols.end()) *it = std::move(vol);
      else vols.push_back(std::move(vol));
    }
  }
  return json::object{{"apiVersion", "v1"}, {"kind", "Pod"}, {"metadata", std::move(meta)}, {"spec", std::move(spec)}};
}

std::vector<json::object> NewClaims(const json::object& sts, int ordinal) {
  std::vector<json::object> out;
  const json::array* claims = ArrAt(Spec(sts), "volumeClaimTemplates");
  if (!claims) return out;
  const json::object* sel = ObjAt(Spec(sts), "selector");
  const json::object* match = sel ? ObjAt(*sel, "matchLabels") : nullptr;
  for (const auto& c : *claims) {
    if (!c.is_object()) continue;
    const json::object& ct = c.get_object();
    std::string tname = MetaString(ct, "name");
    json::object labels = ObjAt(ct, "metadata") && ObjAt(*ObjAt(ct, "metadata"), "labels")
                              ? *ObjAt(*ObjAt(ct, "metadata"), "labels")
                              : json::object();
    if (match)
      for (const auto& kv : *match) labels[kv.key()] = kv.value();
    json::object meta{{"name", ClaimName(tname, sts, ordinal)}, {"namespace", MetaString(sts, "namespace")}};
    if (!labels.empty()) meta["labels"] = std::move(labels);
    if (const json::object* m = ObjAt(ct, "metadata"))
      if (const json::object* a = ObjAt(*m, "annotations")) meta["annotations"] = *a;
    out.push_back(json::object{{"apiVersion", "v1"},
                               {"kind", "PersistentVolumeClaim"},
                               {"metadata", std::move(meta)},
                               {"spec", ObjAt(ct, "spec") ? *ObjAt(ct, "spec") : json::object()}});
  }
  return out;
}

StsPlan PlanStatefulSet(const json::object& sts, const PodList& pods, TimePoint now) {
  StsPlan plan;
  const json::object& spec = Spec(sts);
  const int64_t replicas = std::max<int64_t>(0, IntAt(spec, "replicas").value_or(1));
  const bool parallel = StrAt(spec, "podManagementPolicy") == "Parallel";
  const int64_t min_ready = IntAt(spec, "minReadySeconds").value_or(0);
  const json::object* strategy = ObjAt(spec, "updateStrategy");
  const bool rolling = !strategy || StrAt(*strategy, "type") != "OnDelete";
  const json::object* ru = strategy ? ObjAt(*strategy, "rollingUpdate") : nullptr;
  const int64_t partition = ru ? IntAt(*ru, "partition").value_or(0) : 0;
  plan.status = ObjAt(sts, "status") ? *ObjAt(sts, "status") : json::object();
  json::object& st = plan.status;
  const std::string update_rev = RevisionName(sts);
  std::string current_rev = StrAt(st, "currentRevision");
  if (current_rev.empty()) current_rev = update_rev;

  std::map<int, std::shared_ptr<const json::object>> by_ordinal;
  std::vector<std::shared_ptr<const json::object>> condemned;
  int64_t n_replicas = 0, ready = 0, available = 0, current = 0, updated = 0;
  for (const auto& p : pods) {
    auto o = OrdinalOf(sts, *p);
    if (!o) continue;
    if (*o < replicas) by_ordinal[*o] = p;
    else condemned.push_back(p);
    if (IsPodTerminating(*p)) continue;
    ++n_replicas;
    if (RunningAndReady(*p)) ++ready;
    if (RunningAndReady(*p) && IsPodAvailable(*p, min_ready, now)) ++available;
    std::string rev = Labels(*p)[kRevisionLabel];
    if (rev == current_rev) ++current;
    if (rev == update_rev) ++updated;
  }

  bool blocked = false;  // OrderedReady: a lower ordinal is not Running and Ready yet
  for (int i = 0; i < replicas; ++i) {
    auto it = by_ordinal.find(i);
    if (it == by_ordinal.end()) {
      plan.create.push_back(i);
      if (!parallel) {
        blocked = true;
        break;
      }
      continue;
    }
    const json::object& pod = *it->second;
    if (PodPhase(pod) == "Failed" && !IsPodTerminating(pod)) plan.delete_pods.push_back(MetaString(pod, "name"));
    if (!RunningAndReady(pod) || IsPodTerminating(pod)) {
      if (!parallel) {
        blocked = true;
        break;
      }
    }
  }
  // Scale down, highest ordinal first.
  std::sort(condemned.begin(), condemned.end(), [&](const auto& a, const auto& b) {
    return *OrdinalOf(sts, *a) > *OrdinalOf(sts, *b);
  });
  bool condemned_terminating = false;
  for (const auto& p : condemned) condemned_terminating |= IsPodTerminating(*p);
  if (parallel) {
    for (const auto& p : condemned)
      if (!IsPodTerminating(*p)) plan.delete_pods.push_back(MetaString(*p, "name"));
  } else if (!blocked && !condemned.empty() && !condemned_terminating) {
    plan.delete_pods.push_back(MetaString(*condemned.front(), "name"));
  }
  // Rolling update: once every replica is Running and Ready, replace the highest outdated ordinal.
  bool all_ready = static_cast<int64_t>(by_ordinal.size()) == replicas && condemned.empty() &&
                   plan.create.empty() && plan.delete_pods.empty();
  for (const auto& [i, p] : by_ordinal) all_ready = all_ready && RunningAndReady(*p) && !IsPodTerminating(*p);
  if (rolling && all_ready) {
    for (int64_t i = replicas - 1; i >= partition; --i) {
      const auto& p = by_ordinal[static_cast<int>(i)];
      if (Labels(*p)[kRevisionLabel] != update_rev) {
        plan.delete_pods.push_back(MetaString(*p, "name"));
        break;
      }
    }
  }

  // The update is done when every replica runs the update revision.
  if (updated == replicas && n_replicas == replicas && ready == replicas) {
    current_rev = update_rev;
    current = updated;
  }
  st["observedGeneration"] = IntAt(ObjAt(sts, "metadata") ? *ObjAt(sts, "metadata") : kEmpty, "generation").value_or(0);
  st["replicas"] = n_replicas;
  st["readyReplicas"] = ready;
  st["availableReplicas"] = available;
  st["currentReplicas"] = current;
  st["updatedReplicas"] = updated;
  st["currentRevision"] = current_rev;
  st["updateRevision"] = update_rev;
  if (!st.contains("collisionCount")) st["collisionCount"] = 0;
  return plan;
}

}  // namespace k1s::controllers::statefulset
