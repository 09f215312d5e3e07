#include "server/controllers/daemonset/daemonset_logic.h"

#include <algorithm>
#include <cmath>

#include "lib/base/clock.h"
#include "lib/base/strings.h"

namespace k1s::controllers::daemonset {

namespace {

const json::object kEmpty;

const json::object& Spec(const json::object& o) { return ObjAt(o, "spec") ? *ObjAt(o, "spec") : kEmpty; }
const json::object& TemplateSpec(const json::object& ds) {
  const json::object* t = ObjAt(Spec(ds), "template");
  return t && ObjAt(*t, "spec") ? *ObjAt(*t, "spec") : kEmpty;
}

std::vector<std::string> Strings(const json::object& o, std::string_view key) {
  std::vector<std::string> out;
  if (const json::array* a = ArrAt(o, key))
    for (const auto& v : *a)
      if (v.is_string()) out.emplace_back(v.get_string());
  return out;
}

bool RequirementMatches(const json::object& req, const std::map<std::string, std::string>& values) {
  std::string key = StrAt(req, "key"), op = StrAt(req, "operator");
  auto vs = Strings(req, "values");
  auto it = values.find(key);
  bool has = it != values.end();
  bool in = has && std::find(vs.begin(), vs.end(), it->second) != vs.end();
  if (op == "In") return in;
  if (op == "NotIn") return !in;
  if (op == "Exists") return has;
  if (op == "DoesNotExist") return !has;
  if (op == "Gt" || op == "Lt") {
    if (!has || vs.size() != 1) return false;
    char* end = nullptr;
    long long a = std::strtoll(it->second.c_str(), &end, 10);
    if (*end) return false;
    long long b = std::strtoll(vs[0].c_str(), &end, 10);
    if (*end) return false;
    return op == "Gt" ? a > b : a < b;
  }
  return false;
}

bool TermMatches(const json::object& term, const json::object& node) {
  const json::array* exprs = ArrAt(term, "matchExpressions");
  const json::array* fields = ArrAt(term, "matchFields");
  if ((!exprs || exprs->empty()) && (!fields || fields->empty())) return false;  // an empty term matches nothing
  auto labels = Labels(node);
  if (exprs)
    for (const auto& e : *exprs)
      if (!e.is_object() || !RequirementMatches(e.get_object(), labels)) return false;
  std::map<std::string, std::string> node_fields{{"metadata.name", MetaString(node, "name")}};
  if (fields)
    for (const auto& f : *fields)
      if (!f.is_object() || !RequirementMatches(f.get_object(), node_fields)) return false;
  return true;
}

json::object Toleration(const char* key, const char* effect) {
  return json::object{{"key", key}, {"operator", "Exists"}, {"effect", effect}};
}

}  // namespace

bool Tolerates(const json::array& tolerations, const json::object& taint) {
  std::string key = StrAt(taint, "key"), value = StrAt(taint, "value"), effect = StrAt(taint, "effect");
  for (const auto& tv : tolerations) {
    if (!tv.is_object()) continue;
    const json::object& t = tv.get_object();
    std::string teffect = StrAt(t, "effect"), tkey = StrAt(t, "key"), op = StrAt(t, "operator");
    if (!teffect.empty() && teffect != effect) continue;
    if (op == "Exists") {
      if (tkey.empty() || tkey == key) return true;
    } else if (tkey == key && StrAt(t, "value") == value) {
      return true;
    }
  }
  return false;
}

bool NodeMatchesPodSpec(const json::object& node, const json::object& pod_spec) {
  if (const json::object* sel = ObjAt(pod_spec, "nodeSelector")) {
    auto labels = Labels(node);
    for (const auto& kv : *sel) {
      auto it = labels.find(std::string(kv.key()));
      if (it == labels.end() || !kv.value().is_string() || it->second != kv.value().get_string()) return false;
    }
  }
  const json::object* aff = ObjAt(pod_spec, "affinity");
  const json::object* na = aff ? ObjAt(*aff, "nodeAffinity") : nullptr;
  const json::object* req = na ? ObjAt(*na, "requiredDuringSchedulingIgnoredDuringExecution") : nullptr;
  const json::array* terms = req ? ArrAt(*req, "nodeSelectorTerms") : nullptr;
  if (!terms) return true;
  for (const auto& t : *terms)
    if (t.is_object() && TermMatches(t.get_object(), node)) return true;
  return false;
}

void AddDaemonTolerations(json::object& pod_spec) {
  json::value& tv = pod_spec["tolerations"];
  if (!tv.is_array()) tv = json::array();
  std::vector<json::object> wanted{
      Toleration("node.kubernetes.io/not-ready", "NoExecute"),
      Toleration("node.kubernetes.io/unreachable", "NoExecute"),
      Toleration("node.kubernetes.io/disk-pressure", "NoSchedule"),
      Toleration("node.kubernetes.io/memory-pressure", "NoSchedule"),
      Toleration("node.kubernetes.io/pid-pressure", "NoSchedule"),
      Toleration("node.kubernetes.io/unschedulable", "NoSchedule"),
  };
  if (BoolAt(pod_spec, "hostNetwork")) wanted.push_back(Toleration("node.kubernetes.io/network-unavailable", "NoSchedule"));
  for (auto& w : wanted) {
    bool present = false;
    for (const auto& t : tv.get_array())
      if (t.is_object() && StrAt(t.get_object(), "key") == StrAt(w, "key") &&
          StrAt(t.get_object(), "effect") == StrAt(w, "effect"))
        present = true;
    if (!present) tv.get_array().push_back(std::move(w));
  }
}

NodeFit NodeShouldRunDaemonPod(const json::object& node, const json::object& ds) {
  NodeFit fit;
  json::object pod_spec = TemplateSpec(ds);
  std::string pinned = StrAt(pod_spec, "nodeName");
  if (!pinned.empty() && pinned != MetaString(node, "name")) return fit;
  if (!NodeMatchesPodSpec(node, pod_spec)) return fit;
  AddDaemonTolerations(pod_spec);
  fit.should_run = fit.should_continue_running = true;
  const json::array* taints = ArrAt(Spec(node), "taints");
  if (!taints) return fit;
  const json::array& tols = pod_spec.at("tolerations").get_array();
  for (const auto& t : *taints) {
    if (!t.is_object()) continue;
    std::string effect = StrAt(t.get_object(), "effect");
    if (effect != "NoSchedule" && effect != "NoExecute") continue;
    if (Tolerates(tols, t.get_object())) continue;
    fit.should_run = false;
    if (effect == "NoExecute") fit.should_continue_running = false;
  }
  return fit;
}

std::string PodNodeName(const json::object& pod) {
  const json::object& spec = Spec(pod);
  std::string n = StrAt(spec, "nodeName");
  if (!n.empty()) return n;
  const json::object* aff = ObjAt(spec, "affinity");
  const json::object* na = aff ? ObjAt(*aff, "nodeAffinity") : nullptr;
  const json::object* req = na ? ObjAt(*na, "requiredDuringSchedulingIgnoredDuringExecution") : nullptr;
  const json::array* terms = req ? ArrAt(*req, "nodeSelectorTerms") : nullptr;
  if (!terms) return "";
  for (const auto& t : *terms) {
    const json::array* fields = t.is_object() ? ArrAt(t.get_object(), "matchFields") : nullptr;
    if (!fields) continue;
    for (const auto& f : *fields) {
      if (!f.is_object() || StrAt(f.get_object(), "key") != "metadata.name" ||
          StrAt(f.get_object(), "operator") != "In")
        continue;
      auto vs = Strings(f.get_object(), "values");
      if (vs.size() == 1) return vs[0];
    }
  }
  return "";
}

std::string TemplateHash(const json::object& ds) {
  const json::object* t = ObjAt(Spec(ds), "template");
  return ShortHash(t ? json::value(*t) : json::value(json::object()));
}

json::object NewControllerRevision(const json::object& ds, const std::string& hash, int64_t revision) {
  const json::object* t = ObjAt(Spec(ds), "template");
  json::object tmpl = t ? *t : json::object();
  tmpl["$patch"] = "replace";
  json::object labels;
  if (const json::object* tm = t ? ObjAt(*t, "metadata") : nullptr)
    if (const json::object* l = ObjAt(*tm, "labels")) labels = *l;
  labels[kRevisionHashLabel] = hash;
  return json::object{
      {"apiVersion", "apps/v1"},
      {"kind", "ControllerRevision"},
      {"metadata", json::object{{"name", MetaString(ds, "name") + "-" + hash},
                                {"namespace", MetaString(ds, "namespace")},
                                {"labels", std::move(labels)},
                                {"ownerReferences", json::array{ControllerRef(ds, "apps/v1", "DaemonSet")}}}},
      {"data", json::object{{"spec", json::object{{"template", std::move(tmpl)}}}}},
      {"revision", revision}};
}

json::object NewDaemonPod(const json::object& ds, const std::string& node_name, const std::string& hash) {
  const json::object* t = ObjAt(Spec(ds), "template");
  const json::object* tmeta = t ? ObjAt(*t, "metadata") : nullptr;
  json::object meta;
  meta["generateName"] = MetaString(ds, "name") + "-";
  meta["namespace"] = MetaString(ds, "namespace");
  json::object labels = tmeta && ObjAt(*tmeta, "labels") ? *ObjAt(*tmeta, "labels") : json::object();
  labels[kRevisionHashLabel] = hash;
  labels[kTemplateGenerationLabel] = std::to_string(IntAt(ObjAt(ds, "metadata") ? *ObjAt(ds, "metadata") : kEmpty, "generation").value_or(1));
  meta["labels"] = std::move(labels);
  if (tmeta)
    if (const json::object* a = ObjAt(*tmeta, "annotations")) meta["annotations"] = *a;
  meta["ownerReferences"] = json::array{ControllerRef(ds, "apps/v1", "DaemonSet")};

  json::object spec = TemplateSpec(ds);
  AddDaemonTolerations(spec);
  // Pin to the node as upstream does: the scheduler binds the pod there.
  json::object term{{"matchFields", json::array{json::object{
                                        {"key", "metadata.name"}, {"operator", "In"}, {"values", json::array{node_name}}}}}};
  json::value& aff = spec["affinity"];
  if (!aff.is_object()) aff = json::object();
  json::value& na = aff.get_object()["nodeAffinity"];
  if (!na.is_object()) na = json::object();
  na.get_object()["requiredDuringSchedulingIgnoredDuringExecution"] =
      json::object{{"nodeSelectorTerms", json::array{std::move(term)}}};
  return json::object{{"apiVersion", "v1"}, {"kind", "Pod"}, {"metadata", std::move(meta)}, {"spec", std::move(spec)}};
}

int64_t MaxUnavailable(const json::object& ds, int64_t desired) {
  const json::object* strategy = ObjAt(Spec(ds), "updateStrategy");
  const json::object* ru = strategy ? ObjAt(*strategy, "rollingUpdate") : nullptr;
  int64_t n = 1;
  if (ru) {
    auto it = ru->find("maxUnavailable");
    if (it != ru->end()) {
      if (it->value().is_int64()) n = it->value().get_int64();
      else if (it->value().is_string()) {
        std::string s(it->value().get_string());
        // Never more than every pod: also keeps the double's cast in range (and unparsable text reads as 0).
        if (!s.empty() && s.back() == '%') {
          double pct = std::clamp<double>(
              static_cast<double>(ParseInt64(std::string_view(s).substr(0, s.size() - 1)).value_or(0)), 0.0, 100.0);
          n = static_cast<int64_t>(std::ceil(pct * static_cast<double>(desired) / 100.0));
        } else {
          n = ParseInt64(s).value_or(0);
        }
      }
    }
  }
  return std::max<int64_t>(1, n);
}

DaemonPlan PlanDaemonSet(const json::object& ds, const std::vector<std::shared_ptr<const json::object>>& nodes,
                         const PodList& pods, const std::string& hash, TimePoint now) {
  DaemonPlan plan;
  const json::object& spec = Spec(ds);
  const int64_t min_ready = IntAt(spec, "minReadySeconds").value_or(0);
  const json::object* strategy = ObjAt(spec, "updateStrategy");
  const bool rolling = !strategy || StrAt(*strategy, "type") != "OnDelete";

  std::map<std::string, PodList> by_node;
  for (const auto& p : pods)
    if (!IsPodTerminating(*p)) by_node[PodNodeName(*p)].push_back(p);

  int64_t desired = 0, current = 0, misscheduled = 0, ready = 0, updated = 0, available = 0;
  std::set<std::string> node_names;
  std::set<std::string> deleting;
  int64_t unavailable = 0;
  std::vector<std::shared_ptr<const json::object>> old_available;  // candidates for the rolling update
  auto del = [&](const json::object& p) {
    if (deleting.insert(MetaString(p, "name")).second) plan.delete_pods.push_back(MetaString(p, "name"));
  };

  for (const auto& node : nodes) {
    std::string name = MetaString(*node, "name");
    node_names.insert(name);
    NodeFit fit = NodeShouldRunDaemonPod(*node, ds);
    PodList here = by_node.count(name) ? by_node[name] : PodList{};
    if (fit.should_run) ++desired;
    if (!here.empty()) {
      if (fit.should_run) ++current;
      else ++misscheduled;
    }
    if (!fit.should_run && !fit.should_continue_running) {
      for (const auto& p : here) del(*p);
      continue;
    }
    if (!fit.should_run && here.empty()) continue;
    // Failed pods are replaced; of several pods the oldest stays.
    PodList live;
    for (const auto& p : here) {
      if (PodPhase(*p) == "Failed") del(*p);
      else live.push_back(p);
    }
    std::stable_sort(live.begin(), live.end(), [](const auto& a, const auto& b) {
      return MetaString(*a, "creationTimestamp") < MetaString(*b, "creationTimestamp");
    });
    for (size_t i = 1; i < live.size(); ++i) del(*live[i]);
    if (live.empty()) {
      if (fit.should_run) {
        if (here.empty()) plan.create_on_nodes.push_back(name);  // failed pods: recreate after they go
        ++unavailable;
      }
      continue;
    }
    const json::object& pod = *live[0];
    bool is_ready = IsPodReady(pod), is_available = IsPodAvailable(pod, min_ready, now);
    bool is_updated = Labels(pod)[kRevisionHashLabel] == hash;
    if (fit.should_run) {
      ready += is_ready;
      available += is_available;
      updated += is_updated;
      if (!is_available) ++unavailable;
      if (is_ready && !is_available) plan.requeue_after = ClampedSeconds(min_ready);
    }
    if (rolling && !is_updated && fit.should_run) {
      if (!is_available) del(pod);  // already unavailable: replacing it costs nothing
      else old_available.push_back(live[0]);
    }
  }
  // Pods for nodes that are gone.
  for (const auto& [node, ps] : by_node)
    if (!node_names.count(node))
      for (const auto& p : ps) del(*p);

  if (rolling) {
    int64_t budget = MaxUnavailable(ds, desired) - unavailable;
    for (const auto& p : old_available) {
      if (budget <= 0) break;
      del(*p);
      --budget;
    }
  }

  plan.status = ObjAt(ds, "status") ? *ObjAt(ds, "status") : json::object();
  json::object& st = plan.status;
  st["desiredNumberScheduled"] = desired;
  st["currentNumberScheduled"] = current;
  st["numberMisscheduled"] = misscheduled;
  st["numberReady"] = ready;
  st["updatedNumberScheduled"] = updated;
  st["numberAvailable"] = available;
  st["numberUnavailable"] = desired - available;
  st["observedGeneration"] = IntAt(ObjAt(ds, "metadata") ? *ObjAt(ds, "metadata") : kEmpty, "generation").value_or(0);
  return plan;
}

}  // namespace k1s::controllers::daemonset
