#include "server/controllers/daemonset/daemonset_logic.h"

#include <algorithm>
#include <cmath>

namespace k1s::controllers::daemonset {

namespace {

const json::object kEmpty;

const json::object& Spec(const json::object& o) { return Child(o, "spec") ? *Child(o, "spec") : kEmpty; }
const json::object& TemplateSpec(const json::object& ds) {
  const json::object* t = Child(Spec(ds), "template");
  return t && Child(*t, "spec") ? *Child(*t, "spec") : kEmpty;
}

std::vector<std::string> Strings(const json::object& o, std::string_view key) {
  std::vector<std::string> out;
  if (const json::array* a = ChildArray(o, key))
    for (const auto& v : *a)
      if (v.is_string()) out.emplace_back(v.get_string());
  return out;
}

bool RequirementMatches(const json::object& req, const std::map<std::string, std::string>& values) {
  std::string key = StrOf(req, "key"), op = StrOf(req, "operator");
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
  const json::array* exprs = ChildArray(term, "matchExpressions");
  const json::array* fields = ChildArray(term, "matchFields");
  if ((!exprs || exprs->empty()) && (!fields || fields->empty())) return false;  // an empty term matches nothing
  auto labels = LabelsOf(node);
  if (exprs)
    for (const auto& e : *exprs)
      if (!e.is_object() || !RequirementMatches(e.get_object(), labels)) return false;
  std::map<std::string, std::string> node_fields{{"metadata.name", Meta(node, "name")}};
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
  std::string key = StrOf(taint, "key"), value = StrOf(taint, "value"), effect = StrOf(taint, "effect");
  for (const auto& tv : tolerations) {
    if (!tv.is_object()) continue;
    const json::object& t = tv.get_object();
    std::string teffect = StrOf(t, "effect"), tkey = StrOf(t, "key"), op = StrOf(t, "operator");
    if (!teffect.empty() && teffect != effect) continue;
    if (op == "Exists") {
      if (tkey.empty() || tkey == key) return true;
    } else if (tkey == key && StrOf(t, "value") == value) {
      return true;
    }
  }
  return false;
}

bool NodeMatchesPodSpec(const json::object& node, const json::object& pod_spec) {
  if (const json::object* sel = Child(pod_spec, "nodeSelector")) {
    auto labels = LabelsOf(node);
    for (const auto& kv : *sel) {
      auto it = labels.find(std::string(kv.key()));
      if (it == labels.end() || !kv.value().is_string() || it->second != kv.value().get_string()) return false;
    }
  }
  const json::object* aff = Child(pod_spec, "affinity");
  const json::object* na = aff ? Child(*aff, "nodeAffinity") : nullptr;
  const json::object* req = na ? Child(*na, "requiredDuringSchedulingIgnoredDuringExecution") : nullptr;
  const json::array* terms = req ? ChildArray(*req, "nodeSelectorTerms") : nullptr;
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
  if (BoolOf(pod_spec, "hostNetwork")) wanted.push_back(Toleration("node.kubernetes.io/network-unavailable", "NoSchedule"));
  for (auto& w : wanted) {
    bool present = false;
    for (const auto& t : tv.get_array())
      if (t.is_object() && StrOf(t.get_object(), "key") == StrOf(w, "key") &&
          StrOf(t.get_object(), "effect") == StrOf(w, "effect"))
        present = true;
    if (!present) tv.get_array().push_back(std::move(w));
  }
}

NodeFit NodeShouldRunDaemonPod(const json::object& node, const json::object& ds) {
  NodeFit fit;
  json::object pod_spec = TemplateSpec(ds);
  std::string pinned = StrOf(pod_spec, "nodeName");
  if (!pinned.empty() && pinned != Meta(node, "name")) return fit;
  if (!NodeMatchesPodSpec(node, pod_spec)) return fit;
  AddDaemonTolerations(pod_spec);
  fit.should_run = fit.should_continue_running = true;
  const json::array* taints = ChildArray(Spec(node), "taints");
  if (!taints) return fit;
  const json::array& tols = pod_spec.at("tolerations").get_array();
  for (const auto& t : *taints) {
    if (!t.is_object()) continue;
    std::string effect = StrOf(t.get_object(), "effect");
    if (effect != "NoSchedule" && effect != "NoExecute") continue;
    if (Tolerates(tols, t.get_object())) continue;
    fit.should_run = false;
    if (effect == "NoExecute") fit.should_continue_running = false;
  }
  return fit;
}

std::string PodNodeName(const json::object& pod) {
  const json::object& spec = Spec(pod);
  std::string n = StrOf(spec, "nodeName");
  if (!n.empty()) return n;
  const json::object* aff = Child(spec, "affinity");
  const json::object* na = aff ? Child(*aff, "nodeAffinity") : nullptr;
  const json::object* req = na ? Child(*na, "requiredDuringSchedulingIgnoredDuringExecution") : nullptr;
  const json::array* terms = req ? ChildArray(*req, "nodeSelectorTerms") : nullptr;
  if (!terms) return "";
  for (const auto& t : *terms) {
    const json::array* fields = t.is_object() ? ChildArray(t.get_object(), "matchFields") : nullptr;
    if (!fields) continue;
    for (const auto& f : *fields) {
      if (!f.is_object() || StrOf(f.get_object(), "key") != "metadata.name" ||
          StrOf(f.get_object(), "operator") != "In")
        continue;
      auto vs = Strings(f.get_object(), "values");
      if (vs.size() == 1) return vs[0];
    }
  }
  return "";
}

std::string TemplateHash(const json::object& ds) {
  const json::object* t = Child(Spec(ds), "template");
  return ShortHash(t ? json::value(*t) : json::value(json::object()));
}

json::object NewControllerRevision(const json::object& ds, const std::string& hash, int64_t revision) {
  const json::object* t = Child(Spec(ds), "template");
  json::object tmpl = t ? *t : json::object();
  tmpl["$patch"] = "replace";
  json::object labels;
  if (const json::object* tm = t ? Child(*t, "metadata") : nullptr)
    if (const json::object* l = Child(*tm, "labels")) labels = *l;
  labels[kRevisionHashLabel] = hash;
  return json::object{
      {"apiVersion", "apps/v1"},
      {"kind", "ControllerRevision"},
      {"metadata", json::object{{"name", Meta(ds, "name") + "-" + hash},
                                {"namespace", Meta(ds, "namespace")},
                                {"labels", std::move(labels)},
                                {"ownerReferences", json::array{ControllerRef(ds, "apps/v1", "DaemonSet")}}}},
      {"data", json::object{{"spec", json::object{{"template", std::move(tmpl)}}}}},
      {"revision", revision}};
}

json::object NewDaemonPod(const json::object& ds, const std::string& node_name, const std::string& hash) {
  const json::object* t = Child(Spec(ds), "template");
  const json::object* tmeta = t ? Child(*t, "metadata") : nullptr;
  json::object meta;
  meta["generateName"] = Meta(ds, "name") + "-";
  meta["namespace"] = Meta(ds, "namespace");
  json::object labels = tmeta && Child(*tmeta, "labels") ? *Child(*tmeta, "labels") : json::object();
  labels[kRevisionHashLabel] = hash;
  labels[kTemplateGenerationLabel] = std::to_string(IntOf(Child(ds, "metadata") ? *Child(ds, "metadata") : kEmpty, "generation").value_or(1));
  meta["labels"] = std::move(labels);
  if (tmeta)
    if (const json::object* a = Child(*tmeta, "annotations")) meta["annotations"] = *a;
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
  const json::object* strategy = Child(Spec(ds), "updateStrategy");
  const json::object* ru = strategy ? Child(*strategy, "rollingUpdate") : nullptr;
  int64_t n = 1;
  if (ru) {
    auto it = ru->find("maxUnavailable");
    if (it != ru->end()) {
      if (it->value().is_int64()) n = it->value().get_int64();
      else if (it->value().is_string()) {
        std::string s(it->value().get_string());
        if (!s.empty() && s.back() == '%') {
          double pct = std::atof(s.substr(0, s.size() - 1).c_str());
          n = static_cast<int64_t>(std::ceil(pct * static_cast<double>(desired) / 100.0));
        } else {
          n = std::atoll(s.c_str());
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
  const int64_t min_ready = IntOf(spec, "minReadySeconds").value_or(0);
  const json::object* strategy = Child(spec, "updateStrategy");
  const bool rolling = !strategy || StrOf(*strategy, "type") != "OnDelete";

  std::map<std::string, PodList> by_node;
  for (const auto& p : pods)
    if (!IsPodTerminating(*p)) by_node[PodNodeName(*p)].push_back(p);

  int64_t desired = 0, current = 0, misscheduled = 0, ready = 0, updated = 0, available = 0;
  std::set<std::string> node_names;
  std::set<std::string> deleting;
  int64_t unavailable = 0;
  std::vector<std::shared_ptr<const json::object>> old_available;  // candidates for the rolling update
  auto del = [&](const json::object& p) {
    if (deleting.insert(Meta(p, "name")).second) plan.delete_pods.push_back(Meta(p, "name"));
  };

  for (const auto& node : nodes) {
    std::string name = Meta(*node, "name");
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
      return Meta(*a, "creationTimestamp") < Meta(*b, "creationTimestamp");
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
    bool is_updated = LabelsOf(pod)[kRevisionHashLabel] == hash;
    if (fit.should_run) {
      ready += is_ready;
      available += is_available;
      updated += is_updated;
      if (!is_available) ++unavailable;
      if (is_ready && !is_available) plan.requeue_after = std::chrono::seconds(min_ready);
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

  plan.status = Child(ds, "status") ? *Child(ds, "status") : json::object();
  json::object& st = plan.status;
  st["desiredNumberScheduled"] = desired;
  st["currentNumberScheduled"] = current;
  st["numberMisscheduled"] = misscheduled;
  st["numberReady"] = ready;
  st["updatedNumberScheduled"] = updated;
  st["numberAvailable"] = available;
  st["numberUnavailable"] = desired - available;
  st["observedGeneration"] = IntOf(Child(ds, "metadata") ? *Child(ds, "metadata") : kEmpty, "generation").value_or(0);
  return plan;
}

}  // namespace k1s::controllers::daemonset
