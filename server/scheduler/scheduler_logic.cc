// The scheduler's decision logic; see scheduler_logic.h. Semantics follow kube-scheduler 1.32's default
// profile (plugins in pkg/scheduler/framework/plugins); the code is our own.
#include "server/scheduler/scheduler_logic.h"

#include <algorithm>
#include <charconv>
#include <climits>
#include <cmath>
#include <set>
#include <tuple>

#include "lib/api/quantity.h"

namespace k1s::scheduler {

namespace {

constexpr std::string_view kTaintUnschedulable = "node.kubernetes.io/unschedulable";
constexpr std::string_view kTaintNotReady = "node.kubernetes.io/not-ready";
constexpr std::string_view kTaintUnreachable = "node.kubernetes.io/unreachable";
constexpr std::string_view kLabelHostname = "kubernetes.io/hostname";
constexpr int64_t kMinImageThreshold = 23LL * 1024 * 1024;
constexpr int64_t kMaxContainerImageThreshold = 1000LL * 1024 * 1024;
constexpr int32_t kHardPodAffinityWeight = 1;

// ---- JSON helpers ----

const json::object* Obj(const json::value* v) { return v && v->is_object() ? &v->get_object() : nullptr; }
const json::object* Obj(const json::object* o, std::string_view key) { return o ? Obj(o->if_contains(key)) : nullptr; }
const json::array* Arr(const json::object* o, std::string_view key) {
  if (!o) return nullptr;
  const json::value* v = o->if_contains(key);
  return v && v->is_array() ? &v->get_array() : nullptr;
}
std::string Str(const json::object* o, std::string_view key) {
  if (!o) return {};
  const json::value* v = o->if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}
bool Bool(const json::object* o, std::string_view key) {
  if (!o) return false;
  const json::value* v = o->if_contains(key);
  return v && v->is_bool() && v->get_bool();
}
std::optional<int64_t> Int(const json::object* o, std::string_view key) {
  if (!o) return std::nullopt;
  const json::value* v = o->if_contains(key);
  if (!v) return std::nullopt;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64()) return static_cast<int64_t>(v->get_uint64());
  if (v->is_double()) return static_cast<int64_t>(v->get_double());
  return std::nullopt;
}
Labels StringMap(const json::object* o) {
  Labels out;
  if (!o) return out;
  for (const auto& kv : *o)
    if (kv.value().is_string()) out.emplace(std::string(kv.key()), std::string(kv.value().get_string()));
  return out;
}
std::vector<std::string> StringList(const json::object* o, std::string_view key) {
  std::vector<std::string> out;
  if (const json::array* a = Arr(o, key))
    for (const auto& v : *a)
      if (v.is_string()) out.emplace_back(v.get_string());
  return out;
}
bool Contains(const std::vector<std::string>& v, std::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

Unexpected Invalid(std::string message) { return Fail(ErrorCode::kInvalid, std::move(message)); }

// A ResourceList ({"cpu": "100m", ...}) into Resources; "pods" goes to *pods when given.
Status ParseResourceList(const json::object* list, Resources& out, int64_t* pods = nullptr) {
  if (!list) return OkStatus();
  for (const auto& kv : *list) {
    auto q = api::Quantity::FromJson(kv.value());
    if (!q.ok()) return Invalid(std::string(kv.key()) + ": " + q.error().message);
    std::string_view name = kv.key();
    if (name == "cpu") {
      out.milli_cpu = q->MilliValue();
    } else if (name == "memory") {
      out.memory = q->Value();
    } else if (name == "ephemeral-storage") {
      out.ephemeral_storage = q->Value();
    } else if (name == "pods") {
      if (pods) *pods = q->Value();
    } else {
      out.scalar[std::string(name)] = q->Value();
    }
  }
  return OkStatus();
}

// ---- selectors ----

Result<Requirement> ParseRequirement(const json::object& e, bool node_selector) {
  Requirement r;
  r.key = Str(&e, "key");
  std::string op = Str(&e, "operator");
  r.values = StringList(&e, "values");
  if (op == "In") r.op = Requirement::Op::kIn;
  else if (op == "NotIn") r.op = Requirement::Op::kNotIn;
  else if (op == "Exists") r.op = Requirement::Op::kExists;
  else if (op == "DoesNotExist") r.op = Requirement::Op::kDoesNotExist;
  else if (node_selector && op == "Gt") r.op = Requirement::Op::kGt;
  else if (node_selector && op == "Lt") r.op = Requirement::Op::kLt;
  else return Invalid("\"" + op + "\" is not a valid label selector operator");
  if (r.key.empty()) return Invalid("key: Required value");
  switch (r.op) {
    case Requirement::Op::kIn:
    case Requirement::Op::kNotIn:
      if (r.values.empty()) return Invalid("values: Required value: must be specified when `operator` is 'In' or 'NotIn'");
      break;
    case Requirement::Op::kExists:
    case Requirement::Op::kDoesNotExist:
      if (!r.values.empty()) return Invalid("values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'");
      break;
    case Requirement::Op::kGt:
    case Requirement::Op::kLt: {
      if (r.values.size() != 1) return Invalid("values: Required value: must be specified single value when `operator` is 'Lt' or 'Gt'");
      const std::string& s = r.values[0];
      auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), r.number);
      if (ec != std::errc() || p != s.data() + s.size()) return Invalid("values: Invalid value: \"" + s + "\": must be an integer");
      break;
    }
  }
  return r;
}

bool NodeMatchesAffinity(const PodInfo& pod, const NodeInfo& node) {
  for (const auto& [k, v] : pod.node_selector) {
    auto it = node.labels.find(k);
    if (it == node.labels.end() || it->second != v) return false;
  }
  if (pod.has_required_node_affinity && !MatchesAnyTerm(pod.required_node_terms, node.name, node.labels)) return false;
  return true;
}

const Taint* FirstUntoleratedTaint(const std::vector<Toleration>& tolerations, const std::vector<Taint>& taints,
                                   bool (*effect_filter)(std::string_view)) {
  for (const Taint& t : taints) {
    if (!effect_filter(t.effect)) continue;
    bool tolerated = false;
    for (const Toleration& tol : tolerations)
      if (tol.Tolerates(t.key, t.value, t.effect)) { tolerated = true; break; }
    if (!tolerated) return &t;
  }
  return nullptr;
}
bool IsNoScheduleOrNoExecute(std::string_view e) { return e == "NoSchedule" || e == "NoExecute"; }

bool HasAllTopologyKeys(const Labels& labels, const std::vector<const SpreadConstraint*>& cs) {
  for (const SpreadConstraint* c : cs)
    if (labels.find(c->topology_key) == labels.end()) return false;
  return true;
}

// Node inclusion policies of a spread constraint (nodeAffinityPolicy / nodeTaintsPolicy).
bool NodeIncluded(const SpreadConstraint& c, const PodInfo& pod, const NodeInfo& node) {
  if (c.honor_node_affinity && !NodeMatchesAffinity(pod, node)) return false;
  if (c.honor_taints && FirstUntoleratedTaint(pod.tolerations, node.taints, IsNoScheduleOrNoExecute)) return false;
  return true;
}

int64_t CountMatching(const std::vector<PodInfoPtr>& pods, const Selector& sel, std::string_view ns) {
  if (sel.MatchesNothing()) return 0;
  int64_t n = 0;
  for (const auto& p : pods)
    if (!p->terminating && p->ns == ns && sel.Matches(p->labels)) ++n;
  return n;
}

bool PortsConflict(const HostPort& want, const std::vector<HostPort>& used) {
  for (const HostPort& u : used) {
    if (u.port != want.port || u.protocol != want.protocol) continue;
    if (want.ip == "0.0.0.0" || u.ip == "0.0.0.0" || u.ip == want.ip) return true;
  }
  return false;
}

FilterStatus Reject(Code code, std::string_view reason, std::string_view plugin) {
  FilterStatus s;
  s.code = code;
  s.reasons.emplace_back(reason);
  s.plugin = std::string(plugin);
  return s;
}

}  // namespace

// ---- Selector ----------------------------------------------------------------------------------------

bool Requirement::Matches(const Labels& labels) const {
  auto it = labels.find(key);
  bool has = it != labels.end();
  switch (op) {
    case Op::kIn: return has && Contains(values, it->second);
    case Op::kNotIn: return !has || !Contains(values, it->second);
    case Op::kExists: return has;
    case Op::kDoesNotExist: return !has;
    case Op::kGt:
    case Op::kLt: {
      if (!has) return false;
      int64_t v = 0;
      const std::string& s = it->second;
      auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
      if (ec != std::errc() || p != s.data() + s.size()) return false;
      return op == Op::kGt ? v > number : v < number;
    }
  }
  return false;
}

Result<Selector> Selector::FromJson(const json::value* v) {
  if (!v || v->is_null()) return Nothing();
  if (!v->is_object()) return Invalid("labelSelector: must be an object");
  const json::object& o = v->get_object();
  Selector s(false);
  for (const auto& [k, val] : StringMap(Obj(o.if_contains("matchLabels"))))
    s.reqs_.push_back(Requirement{k, Requirement::Op::kIn, {val}, 0});
  if (const json::array* exprs = Arr(&o, "matchExpressions")) {
    for (const auto& e : *exprs) {
      if (!e.is_object()) return Invalid("matchExpressions: must be objects");
      K1S_ASSIGN_OR_RETURN(Requirement r, ParseRequirement(e.get_object(), false));
      s.reqs_.push_back(std::move(r));
    }
  }
  return s;
}

bool Selector::Matches(const Labels& labels) const {
  if (nothing_) return false;
  for (const Requirement& r : reqs_)
    if (!r.Matches(labels)) return false;
  return true;
}

NodeSelectorTerm ParseNodeSelectorTerm(const json::value& term) {
  NodeSelectorTerm t;
  const json::object* o = Obj(&term);
  if (!o) { t.valid = false; return t; }
  if (const json::array* exprs = Arr(o, "matchExpressions")) {
    for (const auto& e : *exprs) {
      auto r = e.is_object() ? ParseRequirement(e.get_object(), true) : Result<Requirement>(Invalid("not an object"));
      if (!r.ok()) { t.valid = false; continue; }
      t.expressions.push_back(std::move(*r));
    }
  }
  if (const json::array* fields = Arr(o, "matchFields")) {
    for (const auto& e : *fields) {
      auto r = e.is_object() ? ParseRequirement(e.get_object(), true) : Result<Requirement>(Invalid("not an object"));
      if (!r.ok() || r->key != "metadata.name" ||
          (r->op != Requirement::Op::kIn && r->op != Requirement::Op::kNotIn) || r->values.size() != 1) {
        t.valid = false;
        continue;
      }
      t.fields.push_back(std::move(*r));
    }
  }
  return t;
}

bool NodeSelectorTerm::Matches(std::string_view node_name, const Labels& node_labels) const {
  if (!valid || (expressions.empty() && fields.empty())) return false;
  for (const Requirement& r : expressions)
    if (!r.Matches(node_labels)) return false;
  for (const Requirement& r : fields) {
    bool in = Contains(r.values, node_name);
    if ((r.op == Requirement::Op::kIn) != in) return false;
  }
  return true;
}

bool MatchesAnyTerm(const std::vector<NodeSelectorTerm>& terms, std::string_view node_name, const Labels& node_labels) {
  for (const auto& t : terms)
    if (t.Matches(node_name, node_labels)) return true;
  return false;
}

bool PodAffinityTerm::Matches(std::string_view ns, const Labels& labels, std::string_view owner_namespace,
                              const std::map<std::string, Labels, std::less<>>& namespace_labels) const {
  bool ns_ok;
  if (namespaces.empty() && !namespace_selector) {
    ns_ok = ns == owner_namespace;
  } else {
    ns_ok = Contains(namespaces, ns);
    if (!ns_ok && namespace_selector && !namespace_selector->MatchesNothing()) {
      static const Labels kNone;
      auto it = namespace_labels.find(ns);
      ns_ok = namespace_selector->Matches(it == namespace_labels.end() ? kNone : it->second);
    }
  }
  return ns_ok && selector.Matches(labels);
}

// ---- Resources, tolerations ----------------------------------------------------------------------------

int64_t Resources::Scalar(std::string_view name) const {
  auto it = scalar.find(name);
  return it == scalar.end() ? 0 : it->second;
}
void Resources::Add(const Resources& o) {
  milli_cpu += o.milli_cpu;
  memory += o.memory;
  ephemeral_storage += o.ephemeral_storage;
  for (const auto& [k, v] : o.scalar) scalar[k] += v;
}
void Resources::Sub(const Resources& o) {
  milli_cpu -= o.milli_cpu;
  memory -= o.memory;
  ephemeral_storage -= o.ephemeral_storage;
  for (const auto& [k, v] : o.scalar) scalar[k] -= v;
}
void Resources::SetMax(const Resources& o) {
  milli_cpu = std::max(milli_cpu, o.milli_cpu);
  memory = std::max(memory, o.memory);
  ephemeral_storage = std::max(ephemeral_storage, o.ephemeral_storage);
  for (const auto& [k, v] : o.scalar) scalar[k] = std::max(scalar[k], v);
}
bool Resources::IsZero() const {
  if (milli_cpu || memory || ephemeral_storage) return false;
  for (const auto& kv : scalar)
    if (kv.second) return false;
  return true;
}

bool Toleration::Tolerates(std::string_view taint_key, std::string_view taint_value,
                           std::string_view taint_effect) const {
  if (!effect.empty() && effect != taint_effect) return false;
  if (!key.empty() && key != taint_key) return false;
  if (op.empty() || op == "Equal") return value == taint_value;
  if (op == "Exists") return true;
  return false;
}

// ---- Pods --------------------------------------------------------------------------------------------

std::string NormalizeImageName(std::string_view image) {
  std::string name(image);
  size_t slash = name.find('/');
  bool has_domain = false;
  if (slash != std::string::npos) {
    std::string_view first(name.data(), slash);
    has_domain = first.find('.') != std::string_view::npos || first.find(':') != std::string_view::npos ||
                 first == "localhost";
  }
  if (!has_domain) {
    name = (slash == std::string::npos ? "docker.io/library/" : "docker.io/") + name;
  }
  size_t last_slash = name.rfind('/');
  size_t last_colon = name.rfind(':');
  if (name.find('@') == std::string::npos && (last_colon == std::string::npos || last_colon < last_slash))
    name += ":latest";
  return name;
}

namespace {

struct ContainerRequests {
  Resources actual;
  Resources nonzero;  // cpu/memory only, with defaults for missing requests
};

Result<ContainerRequests> ParseContainerRequests(const json::object& c) {
  const json::object* res = Obj(&c, "resources");
  const json::object* req = Obj(res, "requests");
  const json::object* lim = Obj(res, "limits");
  // Requests default to limits (as the API server defaults them).
  json::object merged;
  if (req) merged = *req;
  if (lim)
    for (const auto& kv : *lim)
      if (!merged.contains(kv.key())) merged[kv.key()] = kv.value();
  ContainerRequests out;
  K1S_TRY(ParseResourceList(&merged, out.actual));
  out.nonzero.milli_cpu = merged.contains("cpu") ? out.actual.milli_cpu : kDefaultMilliCpuRequest;
  out.nonzero.memory = merged.contains("memory") ? out.actual.memory : kDefaultMemoryRequest;
  return out;
}

// max(init containers, sum of containers) with restartable (sidecar) init containers, plus overhead.
Status ComputePodRequests(const json::object* spec, PodInfo& p) {
  Resources sum, nz_sum;
  if (const json::array* cs = Arr(spec, "containers")) {
    for (const auto& c : *cs) {
      if (!c.is_object()) continue;
      K1S_ASSIGN_OR_RETURN(ContainerRequests r, ParseContainerRequests(c.get_object()));
      sum.Add(r.actual);
      nz_sum.Add(r.nonzero);
    }
  }
  Resources restartable, nz_restartable, init_max, nz_init_max;
  if (const json::array* ics = Arr(spec, "initContainers")) {
    for (const auto& c : *ics) {
      if (!c.is_object()) continue;
      K1S_ASSIGN_OR_RETURN(ContainerRequests r, ParseContainerRequests(c.get_object()));
      if (Str(&c.get_object(), "restartPolicy") == "Always") {
        sum.Add(r.actual);
        nz_sum.Add(r.nonzero);
        restartable.Add(r.actual);
        nz_restartable.Add(r.nonzero);
        init_max.SetMax(restartable);
        nz_init_max.SetMax(nz_restartable);
      } else {
        Resources e = r.actual, nz = r.nonzero;
        e.Add(restartable);
        nz.Add(nz_restartable);
        init_max.SetMax(e);
        nz_init_max.SetMax(nz);
      }
    }
  }
  sum.SetMax(init_max);
  nz_sum.SetMax(nz_init_max);
  Resources overhead;
  K1S_TRY(ParseResourceList(Obj(spec, "overhead"), overhead));
  sum.Add(overhead);
  nz_sum.Add(overhead);
  p.requests = std::move(sum);
  p.nonzero_milli_cpu = nz_sum.milli_cpu;
  p.nonzero_memory = nz_sum.memory;
  return OkStatus();
}

Result<PodAffinityTerm> ParsePodAffinityTerm(const json::object* o) {
  PodAffinityTerm t;
  if (!o) return Invalid("podAffinityTerm: must be an object");
  K1S_ASSIGN_OR_RETURN(t.selector, Selector::FromJson(o->if_contains("labelSelector")));
  t.namespaces = StringList(o, "namespaces");
  const json::value* nss = o->if_contains("namespaceSelector");
  if (nss && !nss->is_null()) {
    K1S_ASSIGN_OR_RETURN(Selector s, Selector::FromJson(nss));
    t.namespace_selector = std::move(s);
  }
  t.topology_key = Str(o, "topologyKey");
  return t;
}

Status ParsePodAffinity(const json::object* pa, std::vector<PodAffinityTerm>& required,
                        std::vector<WeightedPodAffinityTerm>& preferred) {
  if (const json::array* req = Arr(pa, "requiredDuringSchedulingIgnoredDuringExecution")) {
    for (const auto& v : *req) {
      K1S_ASSIGN_OR_RETURN(PodAffinityTerm t, ParsePodAffinityTerm(Obj(&v)));
      required.push_back(std::move(t));
    }
  }
  if (const json::array* pref = Arr(pa, "preferredDuringSchedulingIgnoredDuringExecution")) {
    for (const auto& v : *pref) {
      const json::object* o = Obj(&v);
      WeightedPodAffinityTerm w;
      w.weight = static_cast<int32_t>(Int(o, "weight").value_or(0));
      K1S_ASSIGN_OR_RETURN(w.term, ParsePodAffinityTerm(Obj(o, "podAffinityTerm")));
      preferred.push_back(std::move(w));
    }
  }
  return OkStatus();
}

}  // namespace

Result<PodInfoPtr> ParsePod(const json::object& pod) {
  auto p = std::make_shared<PodInfo>();
  p->pod = pod;
  const json::object* meta = Obj(pod.if_contains("metadata"));
  const json::object* spec = Obj(pod.if_contains("spec"));
  const json::object* status = Obj(pod.if_contains("status"));
  p->ns = Str(meta, "namespace");
  if (p->ns.empty()) p->ns = "default";
  p->name = Str(meta, "name");
  p->uid = Str(meta, "uid");
  p->labels = StringMap(Obj(meta, "labels"));
  p->terminating = meta && meta->contains("deletionTimestamp") && !meta->at("deletionTimestamp").is_null();
  p->node_name = Str(spec, "nodeName");
  p->priority = static_cast<int32_t>(Int(spec, "priority").value_or(0));
  p->preemption_never = Str(spec, "preemptionPolicy") == "Never";
  std::string phase = Str(status, "phase");
  p->terminal = phase == "Succeeded" || phase == "Failed";
  p->nominated_node_name = Str(status, "nominatedNodeName");
  p->start_time = Str(status, "startTime");
  if (p->start_time.empty()) p->start_time = Str(meta, "creationTimestamp");

  K1S_TRY(ComputePodRequests(spec, *p));

  if (const json::array* cs = Arr(spec, "containers")) {
    for (const auto& c : *cs) {
      if (const json::array* ports = Arr(Obj(&c), "ports")) {
        for (const auto& pv : *ports) {
          const json::object* po = Obj(&pv);
          int64_t hp = Int(po, "hostPort").value_or(0);
          if (hp <= 0) continue;
          if (hp > 65535) return Invalid("hostPort: must be between 1 and 65535");
          HostPort h;
          h.port = static_cast<int32_t>(hp);
          h.ip = Str(po, "hostIP");
          if (h.ip.empty()) h.ip = "0.0.0.0";
          h.protocol = Str(po, "protocol");
          if (h.protocol.empty()) h.protocol = "TCP";
          p->host_ports.push_back(std::move(h));
        }
      }
    }
  }
  for (std::string_view list : {"initContainers", "containers"})
    if (const json::array* cs = Arr(spec, list))
      for (const auto& c : *cs) {
        std::string image = Str(Obj(&c), "image");
        if (!image.empty()) p->images.push_back(NormalizeImageName(image));
      }

  if (const json::array* tols = Arr(spec, "tolerations")) {
    for (const auto& tv : *tols) {
      const json::object* t = Obj(&tv);
      p->tolerations.push_back(Toleration{Str(t, "key"), Str(t, "operator"), Str(t, "value"), Str(t, "effect")});
    }
  }
  p->node_selector = StringMap(Obj(spec, "nodeSelector"));

  const json::object* affinity = Obj(spec, "affinity");
  const json::object* na = Obj(affinity, "nodeAffinity");
  if (const json::object* req = Obj(na, "requiredDuringSchedulingIgnoredDuringExecution")) {
    p->has_required_node_affinity = true;
    if (const json::array* terms = Arr(req, "nodeSelectorTerms"))
      for (const auto& t : *terms) p->required_node_terms.push_back(ParseNodeSelectorTerm(t));
  }
  if (const json::array* pref = Arr(na, "preferredDuringSchedulingIgnoredDuringExecution")) {
    for (const auto& v : *pref) {
      const json::object* o = Obj(&v);
      PreferredNodeTerm t;
      t.weight = static_cast<int32_t>(Int(o, "weight").value_or(0));
      const json::value* pv = o ? o->if_contains("preference") : nullptr;
      t.term = pv ? ParseNodeSelectorTerm(*pv) : NodeSelectorTerm{{}, {}, false};
      p->preferred_node_terms.push_back(std::move(t));
    }
  }
  K1S_TRY(ParsePodAffinity(Obj(affinity, "podAffinity"), p->required_affinity, p->preferred_affinity));
  K1S_TRY(ParsePodAffinity(Obj(affinity, "podAntiAffinity"), p->required_anti_affinity, p->preferred_anti_affinity));

  if (const json::array* tscs = Arr(spec, "topologySpreadConstraints")) {
    for (const auto& v : *tscs) {
      const json::object* o = Obj(&v);
      SpreadConstraint c;
      c.max_skew = static_cast<int32_t>(Int(o, "maxSkew").value_or(1));
      c.topology_key = Str(o, "topologyKey");
      c.do_not_schedule = Str(o, "whenUnsatisfiable") != "ScheduleAnyway";
      K1S_ASSIGN_OR_RETURN(c.selector, Selector::FromJson(o ? o->if_contains("labelSelector") : nullptr));
      if (!c.selector.MatchesNothing()) {
        for (const std::string& key : StringList(o, "matchLabelKeys")) {
          auto it = p->labels.find(key);
          if (it != p->labels.end()) c.selector.Add(Requirement{key, Requirement::Op::kIn, {it->second}, 0});
        }
      }
      c.min_domains = static_cast<int32_t>(Int(o, "minDomains").value_or(1));
      c.honor_node_affinity = Str(o, "nodeAffinityPolicy") != "Ignore";
      c.honor_taints = Str(o, "nodeTaintsPolicy") == "Honor";
      p->spread_constraints.push_back(std::move(c));
    }
  }
  return PodInfoPtr(std::move(p));
}

// ---- Nodes and the snapshot ---------------------------------------------------------------------------

Result<NodeInfo> MakeNodeInfo(const json::object& node) {
  NodeInfo n;
  n.node = node;
  const json::object* meta = Obj(node.if_contains("metadata"));
  const json::object* spec = Obj(node.if_contains("spec"));
  const json::object* status = Obj(node.if_contains("status"));
  n.name = Str(meta, "name");
  if (n.name.empty()) return Invalid("node: metadata.name: Required value");
  n.labels = StringMap(Obj(meta, "labels"));
  n.unschedulable = Bool(spec, "unschedulable");
  if (const json::array* taints = Arr(spec, "taints")) {
    for (const auto& tv : *taints) {
      const json::object* t = Obj(&tv);
      n.taints.push_back(Taint{Str(t, "key"), Str(t, "value"), Str(t, "effect")});
    }
  }
  // A node whose Ready condition is False/Unknown gets the NoSchedule taint the node lifecycle controller
  // would add, so TaintToleration rejects it with upstream's wording.
  if (const json::array* conds = Arr(status, "conditions")) {
    for (const auto& cv : *conds) {
      const json::object* c = Obj(&cv);
      if (Str(c, "type") != "Ready") continue;
      std::string st = Str(c, "status");
      std::string_view key = st == "False" ? kTaintNotReady : st == "True" ? std::string_view() : kTaintUnreachable;
      if (key.empty()) break;
      bool present = std::any_of(n.taints.begin(), n.taints.end(),
                                 [&](const Taint& t) { return t.key == key && t.effect == "NoSchedule"; });
      if (!present) n.taints.push_back(Taint{std::string(key), "", "NoSchedule"});
      break;
    }
  }
  const json::object* alloc = Obj(status, "allocatable");
  if (!alloc) alloc = Obj(status, "capacity");
  K1S_TRY(ParseResourceList(alloc, n.allocatable, &n.allowed_pods));
  if (const json::array* images = Arr(status, "images")) {
    for (const auto& iv : *images) {
      const json::object* im = Obj(&iv);
      int64_t size = Int(im, "sizeBytes").value_or(0);
      for (const std::string& name : StringList(im, "names")) n.image_sizes[NormalizeImageName(name)] = size;
    }
  }
  return n;
}

void AddPod(NodeInfo& node, PodInfoPtr pod) {
  node.requested.Add(pod->requests);
  node.nonzero_milli_cpu += pod->nonzero_milli_cpu;
  node.nonzero_memory += pod->nonzero_memory;
  node.used_ports.insert(node.used_ports.end(), pod->host_ports.begin(), pod->host_ports.end());
  if (pod->HasAffinity()) ++node.pods_with_affinity;
  if (!pod->required_anti_affinity.empty()) ++node.pods_with_required_anti_affinity;
  node.pods.push_back(std::move(pod));
}

namespace {
bool SamePod(const PodInfo& a, const PodInfo& b) {
  if (!a.uid.empty() && !b.uid.empty()) return a.uid == b.uid;
  return a.ns == b.ns && a.name == b.name;
}
}  // namespace

bool RemovePod(NodeInfo& node, const PodInfo& pod) {
  auto it = std::find_if(node.pods.begin(), node.pods.end(), [&](const PodInfoPtr& p) { return SamePod(*p, pod); });
  if (it == node.pods.end()) return false;
  const PodInfo& p = **it;
  node.requested.Sub(p.requests);
  node.nonzero_milli_cpu -= p.nonzero_milli_cpu;
  node.nonzero_memory -= p.nonzero_memory;
  for (const HostPort& h : p.host_ports) {
    auto u = std::find_if(node.used_ports.begin(), node.used_ports.end(), [&](const HostPort& x) {
      return x.port == h.port && x.ip == h.ip && x.protocol == h.protocol;
    });
    if (u != node.used_ports.end()) node.used_ports.erase(u);
  }
  if (p.HasAffinity()) --node.pods_with_affinity;
  if (!p.required_anti_affinity.empty()) --node.pods_with_required_anti_affinity;
  node.pods.erase(it);
  return true;
}

const NodeInfo* Snapshot::Find(std::string_view name) const {
  auto it = index.find(std::string(name));
  return it == index.end() ? nullptr : &nodes[it->second];
}
NodeInfo* Snapshot::Find(std::string_view name) {
  auto it = index.find(std::string(name));
  return it == index.end() ? nullptr : &nodes[it->second];
}

namespace {
void CountImages(Snapshot& s, const NodeInfo& n, int delta) {
  for (const auto& kv : n.image_sizes) {
    int& c = s.image_node_count[kv.first];
    c += delta;
    if (c <= 0) s.image_node_count.erase(kv.first);
  }
}
void Reindex(Snapshot& s) {
  s.index.clear();
  for (size_t i = 0; i < s.nodes.size(); ++i) s.index[s.nodes[i].name] = i;
}
void RemoveFromOrphans(Snapshot& s, const PodInfo& pod) {
  auto it = s.orphans.find(pod.node_name);
  if (it == s.orphans.end()) return;
  auto& v = it->second;
  v.erase(std::remove_if(v.begin(), v.end(), [&](const PodInfoPtr& p) { return SamePod(*p, pod); }), v.end());
  if (v.empty()) s.orphans.erase(it);
}
}  // namespace

Result<Snapshot> BuildSnapshot(const std::vector<json::object>& nodes, const std::vector<json::object>& pods) {
  Snapshot s;
  for (const auto& n : nodes) {
    K1S_ASSIGN_OR_RETURN(NodeInfo ni, MakeNodeInfo(n));
    s.nodes.push_back(std::move(ni));
  }
  std::sort(s.nodes.begin(), s.nodes.end(), [](const NodeInfo& a, const NodeInfo& b) { return a.name < b.name; });
  s.nodes.erase(std::unique(s.nodes.begin(), s.nodes.end(),
                            [](const NodeInfo& a, const NodeInfo& b) { return a.name == b.name; }),
                s.nodes.end());
  Reindex(s);
  for (const auto& n : s.nodes) CountImages(s, n, +1);
  for (const auto& p : pods) K1S_TRY(AddPod(s, p));
  return s;
}

Status AddPod(Snapshot& snapshot, const json::object& pod) {
  K1S_ASSIGN_OR_RETURN(PodInfoPtr p, ParsePod(pod));
  if (p->node_name.empty()) return OkStatus();
  NodeInfo* n = snapshot.Find(p->node_name);
  if (n) RemovePod(*n, *p);
  else RemoveFromOrphans(snapshot, *p);
  if (p->terminal) return OkStatus();
  if (n) AddPod(*n, std::move(p));
  else snapshot.orphans[p->node_name].push_back(std::move(p));
  return OkStatus();
}

Status RemovePod(Snapshot& snapshot, const json::object& pod) {
  K1S_ASSIGN_OR_RETURN(PodInfoPtr p, ParsePod(pod));
  if (p->node_name.empty()) return OkStatus();
  if (NodeInfo* n = snapshot.Find(p->node_name)) RemovePod(*n, *p);
  else RemoveFromOrphans(snapshot, *p);
  return OkStatus();
}

Status UpsertNode(Snapshot& snapshot, const json::object& node) {
  K1S_ASSIGN_OR_RETURN(NodeInfo ni, MakeNodeInfo(node));
  if (NodeInfo* old = snapshot.Find(ni.name)) {
    CountImages(snapshot, *old, -1);
    for (auto& p : old->pods) AddPod(ni, p);
    *old = std::move(ni);
    CountImages(snapshot, *old, +1);
    return OkStatus();
  }
  std::string name = ni.name;
  auto pos = std::lower_bound(snapshot.nodes.begin(), snapshot.nodes.end(), name,
                              [](const NodeInfo& a, const std::string& b) { return a.name < b; });
  auto it = snapshot.nodes.insert(pos, std::move(ni));
  CountImages(snapshot, *it, +1);
  auto orphans = snapshot.orphans.find(name);
  if (orphans != snapshot.orphans.end()) {
    for (auto& p : orphans->second) AddPod(*it, p);
    snapshot.orphans.erase(orphans);
  }
  Reindex(snapshot);
  return OkStatus();
}

void RemoveNode(Snapshot& snapshot, std::string_view name) {
  auto it = snapshot.index.find(std::string(name));
  if (it == snapshot.index.end()) return;
  NodeInfo& n = snapshot.nodes[it->second];
  CountImages(snapshot, n, -1);
  if (!n.pods.empty()) {
    auto& orphans = snapshot.orphans[n.name];
    orphans.insert(orphans.end(), n.pods.begin(), n.pods.end());
  }
  snapshot.nodes.erase(snapshot.nodes.begin() + static_cast<std::ptrdiff_t>(it->second));
  Reindex(snapshot);
}

// ---- PreFilter ----------------------------------------------------------------------------------------

namespace {

void Bump(TopologyCounts& counts, const std::string& key, const Labels& node_labels, int64_t delta) {
  auto it = node_labels.find(key);
  if (it == node_labels.end()) return;
  auto& values = counts[key];
  int64_t& c = values[it->second];
  c += delta;
  if (c == 0) {
    values.erase(it->second);
    if (values.empty()) counts.erase(key);
  }
}

// upstream's podMatchesAllAffinityTerms: false for no terms.
bool MatchesAllTerms(const std::vector<PodAffinityTerm>& terms, const PodInfo& owner, const PodInfo& target,
                     const Snapshot& s) {
  if (terms.empty()) return false;
  for (const auto& t : terms)
    if (!t.Matches(target.ns, target.labels, owner.ns, s.namespace_labels)) return false;
  return true;
}

// Adds (delta +1) or removes (-1) an existing pod's contribution to the inter-pod affinity counts.
void UpdateAffinityCounts(CycleState& st, const PodInfo& pod, const PodInfo& existing, const NodeInfo& node,
                          const Snapshot& s, int64_t delta) {
  for (const auto& t : existing.required_anti_affinity)
    if (t.Matches(pod.ns, pod.labels, existing.ns, s.namespace_labels))
      Bump(st.existing_anti_affinity, t.topology_key, node.labels, delta);
  if (MatchesAllTerms(pod.required_affinity, pod, existing, s))
    for (const auto& t : pod.required_affinity) Bump(st.affinity, t.topology_key, node.labels, delta);
  for (const auto& t : pod.required_anti_affinity)
    if (t.Matches(existing.ns, existing.labels, pod.ns, s.namespace_labels))
      Bump(st.anti_affinity, t.topology_key, node.labels, delta);
}

void RecomputeSpreadMin(SpreadState& sp, size_t i) {
  int64_t m = INT32_MAX;
  for (const auto& kv : sp.counts[i]) m = std::min(m, kv.second);
  sp.min_counts[i] = m;
}

// Adds or removes one existing pod's contribution to the topology spread counts.
void UpdateSpreadCounts(SpreadState& sp, const PodInfo& pod, const PodInfo& existing, const NodeInfo& node,
                        int64_t delta) {
  if (sp.constraints.empty() || existing.terminating || existing.ns != pod.ns) return;
  if (!HasAllTopologyKeys(node.labels, sp.constraints)) return;
  for (size_t i = 0; i < sp.constraints.size(); ++i) {
    const SpreadConstraint& c = *sp.constraints[i];
    if (!NodeIncluded(c, pod, node) || !c.selector.Matches(existing.labels)) continue;
    sp.counts[i][node.labels.find(c.topology_key)->second] += delta;
    RecomputeSpreadMin(sp, i);
  }
}

}  // namespace

Result<CycleState> PreFilter(const PodInfo& pod, const Snapshot& snapshot) {
  CycleState st;
  // NodeAffinity: required terms that all name nodes (matchFields metadata.name In) restrict the nodes.
  if (pod.has_required_node_affinity && !pod.required_node_terms.empty()) {
    std::set<std::string> names;
    bool all_named = true;
    for (const auto& t : pod.required_node_terms) {
      std::optional<std::set<std::string>> term_names;
      for (const auto& f : t.fields) {
        if (f.op != Requirement::Op::kIn) continue;
        std::set<std::string> vals(f.values.begin(), f.values.end());
        if (!term_names) {
          term_names = std::move(vals);
        } else {
          std::set<std::string> both;
          std::set_intersection(term_names->begin(), term_names->end(), vals.begin(), vals.end(),
                                std::inserter(both, both.end()));
          term_names = std::move(both);
        }
      }
      if (!term_names) { all_named = false; break; }
      names.insert(term_names->begin(), term_names->end());
    }
    if (all_named) st.node_names = std::vector<std::string>(names.begin(), names.end());
  }

  // InterPodAffinity.
  bool pod_has_required = !pod.required_affinity.empty() || !pod.required_anti_affinity.empty();
  for (const NodeInfo& n : snapshot.nodes) {
    if (pod_has_required) {
      for (const auto& e : n.pods) UpdateAffinityCounts(st, pod, *e, n, snapshot, +1);
    } else if (n.pods_with_required_anti_affinity > 0) {
      for (const auto& e : n.pods)
        for (const auto& t : e->required_anti_affinity)
          if (t.Matches(pod.ns, pod.labels, e->ns, snapshot.namespace_labels))
            Bump(st.existing_anti_affinity, t.topology_key, n.labels, +1);
    }
  }
  st.affinity_active = pod_has_required || !st.existing_anti_affinity.empty();

  // PodTopologySpread (DoNotSchedule constraints).
  SpreadState& sp = st.spread;
  for (const auto& c : pod.spread_constraints)
    if (c.do_not_schedule) sp.constraints.push_back(&c);
  if (!sp.constraints.empty()) {
    sp.counts.resize(sp.constraints.size());
    sp.min_counts.assign(sp.constraints.size(), INT32_MAX);
    for (const NodeInfo& n : snapshot.nodes) {
      if (!HasAllTopologyKeys(n.labels, sp.constraints)) continue;
      for (size_t i = 0; i < sp.constraints.size(); ++i) {
        const SpreadConstraint& c = *sp.constraints[i];
        if (!NodeIncluded(c, pod, n)) continue;
        sp.counts[i][n.labels.find(c.topology_key)->second] += CountMatching(n.pods, c.selector, pod.ns);
      }
    }
    for (size_t i = 0; i < sp.constraints.size(); ++i) RecomputeSpreadMin(sp, i);
  }
  return st;
}

// ---- Filters ------------------------------------------------------------------------------------------

FilterStatus FilterNodeUnschedulable(const PodInfo& pod, const NodeInfo& node) {
  if (!node.unschedulable) return {};
  for (const auto& t : pod.tolerations)
    if (t.Tolerates(kTaintUnschedulable, "", "NoSchedule")) return {};
  return Reject(Code::kUnschedulableAndUnresolvable, kReasonUnschedulable, "NodeUnschedulable");
}

FilterStatus FilterNodeName(const PodInfo& pod, const NodeInfo& node) {
  if (pod.node_name.empty() || pod.node_name == node.name) return {};
  return Reject(Code::kUnschedulableAndUnresolvable, kReasonNodeName, "NodeName");
}

FilterStatus FilterTaintToleration(const PodInfo& pod, const NodeInfo& node) {
  const Taint* t = FirstUntoleratedTaint(pod.tolerations, node.taints, IsNoScheduleOrNoExecute);
  if (!t) return {};
  return Reject(Code::kUnschedulableAndUnresolvable,
                "node(s) had untolerated taint {" + t->key + ": " + t->value + "}", "TaintToleration");
}

FilterStatus FilterNodeAffinity(const PodInfo& pod, const NodeInfo& node) {
  if (NodeMatchesAffinity(pod, node)) return {};
  return Reject(Code::kUnschedulableAndUnresolvable, kReasonNodeAffinity, "NodeAffinity");
}

FilterStatus FilterNodePorts(const PodInfo& pod, const NodeInfo& node) {
  for (const HostPort& h : pod.host_ports)
    if (PortsConflict(h, node.used_ports)) return Reject(Code::kUnschedulable, kReasonNodePorts, "NodePorts");
  return {};
}

FilterStatus FilterNodeResourcesFit(const PodInfo& pod, const NodeInfo& node) {
  FilterStatus s;
  bool unresolvable = false;
  if (static_cast<int64_t>(node.pods.size()) + 1 > node.allowed_pods) s.reasons.emplace_back(kReasonTooManyPods);
  const Resources& req = pod.requests;
  if (!req.IsZero()) {
    const Resources& alloc = node.allocatable;
    const Resources& used = node.requested;
    auto check = [&](int64_t want, int64_t have, int64_t in_use, std::string_view reason) {
      if (want > 0 && want > have - in_use) {
        s.reasons.emplace_back(reason);
        if (want > have) unresolvable = true;
      }
    };
    check(req.milli_cpu, alloc.milli_cpu, used.milli_cpu, "Insufficient cpu");
    check(req.memory, alloc.memory, used.memory, "Insufficient memory");
    check(req.ephemeral_storage, alloc.ephemeral_storage, used.ephemeral_storage, "Insufficient ephemeral-storage");
    for (const auto& [name, want] : req.scalar) {
      if (want == 0) continue;
      int64_t have = alloc.Scalar(name);
      if (want > have - used.Scalar(name)) {
        s.reasons.push_back("Insufficient " + name);
        if (want > have) unresolvable = true;
      }
    }
  }
  if (s.reasons.empty()) return {};
  s.code = unresolvable ? Code::kUnschedulableAndUnresolvable : Code::kUnschedulable;
  s.plugin = "NodeResourcesFit";
  return s;
}

FilterStatus FilterPodTopologySpread(const CycleState& state, const PodInfo& pod, const NodeInfo& node) {
  const SpreadState& sp = state.spread;
  for (size_t i = 0; i < sp.constraints.size(); ++i) {
    const SpreadConstraint& c = *sp.constraints[i];
    auto label = node.labels.find(c.topology_key);
    if (label == node.labels.end())
      return Reject(Code::kUnschedulableAndUnresolvable, kReasonSpreadMissingLabel, "PodTopologySpread");
    int64_t min_match = sp.min_counts[i];
    if (static_cast<int64_t>(sp.counts[i].size()) < c.min_domains) min_match = 0;
    int64_t self = c.selector.Matches(pod.labels) ? 1 : 0;
    auto it = sp.counts[i].find(label->second);
    int64_t match = it == sp.counts[i].end() ? 0 : it->second;
    if (match + self - min_match > c.max_skew)
      return Reject(Code::kUnschedulable, kReasonSpread, "PodTopologySpread");
  }
  return {};
}

FilterStatus FilterInterPodAffinity(const CycleState& state, const PodInfo& pod, const NodeInfo& node) {
  if (!state.affinity_active) return {};
  auto count = [&](const TopologyCounts& m, const std::string& key, const std::string& value) -> int64_t {
    auto k = m.find(key);
    if (k == m.end()) return 0;
    auto v = k->second.find(value);
    return v == k->second.end() ? 0 : v->second;
  };
  // Required affinity: every term's topology domain on this node must hold a matching pod.
  if (!pod.required_affinity.empty()) {
    bool pods_exist = true;
    for (const auto& t : pod.required_affinity) {
      auto l = node.labels.find(t.topology_key);
      if (l == node.labels.end()) return Reject(Code::kUnschedulableAndUnresolvable, kReasonPodAffinity, "InterPodAffinity");
      if (count(state.affinity, t.topology_key, l->second) <= 0) pods_exist = false;
    }
    if (!pods_exist) {
      // The first pod of a group that has affinity to itself may go anywhere its terms allow.
      static const std::map<std::string, Labels, std::less<>> kNoNs;
      bool self_match = true;
      for (const auto& t : pod.required_affinity)
        if (!t.Matches(pod.ns, pod.labels, pod.ns, kNoNs)) self_match = false;
      if (!(state.affinity.empty() && self_match))
        return Reject(Code::kUnschedulableAndUnresolvable, kReasonPodAffinity, "InterPodAffinity");
    }
  }
  for (const auto& t : pod.required_anti_affinity) {
    auto l = node.labels.find(t.topology_key);
    if (l != node.labels.end() && count(state.anti_affinity, t.topology_key, l->second) > 0)
      return Reject(Code::kUnschedulable, kReasonPodAntiAffinity, "InterPodAffinity");
  }
  for (const auto& [key, values] : state.existing_anti_affinity) {
    auto l = node.labels.find(key);
    if (l == node.labels.end()) continue;
    auto v = values.find(l->second);
    if (v != values.end() && v->second > 0)
      return Reject(Code::kUnschedulable, kReasonExistingAntiAffinity, "InterPodAffinity");
  }
  return {};
}

FilterStatus RunFilters(const CycleState& state, const PodInfo& pod, const NodeInfo& node) {
  // Each status lives in its own scope so the common (success) path only builds and drops empty ones.
#define K1S_RUN_FILTER(call)            \
  {                                     \
    FilterStatus s = call;              \
    if (!s.ok()) return s;              \
  }
  K1S_RUN_FILTER(FilterNodeUnschedulable(pod, node));
  K1S_RUN_FILTER(FilterNodeName(pod, node));
  K1S_RUN_FILTER(FilterTaintToleration(pod, node));
  K1S_RUN_FILTER(FilterNodeAffinity(pod, node));
  K1S_RUN_FILTER(FilterNodePorts(pod, node));
  K1S_RUN_FILTER(FilterNodeResourcesFit(pod, node));
  K1S_RUN_FILTER(FilterPodTopologySpread(state, pod, node));
#undef K1S_RUN_FILTER
  return FilterInterPodAffinity(state, pod, node);
}

// ---- Scores -------------------------------------------------------------------------------------------

int64_t ScoreLeastAllocated(const PodInfo& pod, const NodeInfo& node) {
  int64_t sum = 0, weights = 0;
  auto add = [&](int64_t capacity, int64_t requested) {
    if (capacity == 0) return;
    sum += requested > capacity ? 0 : (capacity - requested) * kMaxNodeScore / capacity;
    weights += 1;
  };
  add(node.allocatable.milli_cpu, node.nonzero_milli_cpu + pod.nonzero_milli_cpu);
  add(node.allocatable.memory, node.nonzero_memory + pod.nonzero_memory);
  return weights == 0 ? 0 : sum / weights;
}

int64_t ScoreBalancedAllocation(const PodInfo& pod, const NodeInfo& node) {
  double fractions[2];
  int n = 0;
  auto add = [&](int64_t capacity, int64_t requested) {
    if (capacity == 0) return;
    fractions[n++] = std::min(1.0, static_cast<double>(requested) / static_cast<double>(capacity));
  };
  add(node.allocatable.milli_cpu, node.requested.milli_cpu + pod.requests.milli_cpu);
  add(node.allocatable.memory, node.requested.memory + pod.requests.memory);
  double std_dev = n == 2 ? std::abs((fractions[0] - fractions[1]) / 2) : 0.0;
  return static_cast<int64_t>((1 - std_dev) * static_cast<double>(kMaxNodeScore));
}

int64_t ScoreImageLocality(const PodInfo& pod, const NodeInfo& node, const Snapshot& snapshot) {
  size_t containers = pod.images.size();
  if (containers == 0 || snapshot.nodes.empty()) return 0;
  double total_nodes = static_cast<double>(snapshot.nodes.size());
  int64_t sum = 0;
  for (const std::string& image : pod.images) {
    auto it = node.image_sizes.find(image);
    if (it == node.image_sizes.end()) continue;
    auto c = snapshot.image_node_count.find(image);
    double spread = c == snapshot.image_node_count.end() ? 0.0 : c->second / total_nodes;
    sum += static_cast<int64_t>(static_cast<double>(it->second) * spread);
  }
  int64_t max_threshold = kMaxContainerImageThreshold * static_cast<int64_t>(containers);
  sum = std::clamp(sum, kMinImageThreshold, max_threshold);
  return kMaxNodeScore * (sum - kMinImageThreshold) / (max_threshold - kMinImageThreshold);
}

int64_t RawScoreNodeAffinity(const PodInfo& pod, const NodeInfo& node) {
  int64_t sum = 0;
  for (const auto& t : pod.preferred_node_terms)
    if (t.weight != 0 && t.term.Matches(node.name, node.labels)) sum += t.weight;
  return sum;
}

int64_t RawScoreTaintToleration(const PodInfo& pod, const NodeInfo& node) {
  int64_t n = 0;
  for (const Taint& t : node.taints) {
    if (t.effect != "PreferNoSchedule") continue;
    bool tolerated = false;
    for (const auto& tol : pod.tolerations)
      if ((tol.effect.empty() || tol.effect == "PreferNoSchedule") && tol.Tolerates(t.key, t.value, t.effect)) {
        tolerated = true;
        break;
      }
    if (!tolerated) ++n;
  }
  return n;
}

void NormalizeScores(std::vector<int64_t>& scores, bool reverse) {
  int64_t max = 0;
  for (int64_t s : scores) max = std::max(max, s);
  for (int64_t& s : scores) {
    if (max == 0) {
      s = reverse ? kMaxNodeScore : 0;
      continue;
    }
    s = kMaxNodeScore * s / max;
    if (reverse) s = kMaxNodeScore - s;
  }
}

namespace {

// InterPodAffinity scoring: topology key -> value -> summed weights, from every existing pod.
TopologyCounts InterPodAffinityTopologyScore(const PodInfo& pod, const Snapshot& s) {
  TopologyCounts score;
  bool has_constraints = !pod.preferred_affinity.empty() || !pod.preferred_anti_affinity.empty();
  auto add = [&](const std::string& key, const Labels& node_labels, int64_t w) {
    auto it = node_labels.find(key);
    if (it != node_labels.end() && w != 0) score[key][it->second] += w;
  };
  for (const NodeInfo& n : s.nodes) {
    if (!has_constraints && n.pods_with_affinity == 0) continue;
    if (n.labels.empty()) continue;
    for (const auto& e : n.pods) {
      if (!has_constraints && !e->HasAffinity()) continue;
      for (const auto& t : pod.preferred_affinity)
        if (t.term.Matches(e->ns, e->labels, pod.ns, s.namespace_labels)) add(t.term.topology_key, n.labels, t.weight);
      for (const auto& t : pod.preferred_anti_affinity)
        if (t.term.Matches(e->ns, e->labels, pod.ns, s.namespace_labels)) add(t.term.topology_key, n.labels, -t.weight);
      for (const auto& t : e->required_affinity)
        if (t.Matches(pod.ns, pod.labels, e->ns, s.namespace_labels))
          add(t.topology_key, n.labels, kHardPodAffinityWeight);
      for (const auto& t : e->preferred_affinity)
        if (t.term.Matches(pod.ns, pod.labels, e->ns, s.namespace_labels)) add(t.term.topology_key, n.labels, t.weight);
      for (const auto& t : e->preferred_anti_affinity)
        if (t.term.Matches(pod.ns, pod.labels, e->ns, s.namespace_labels)) add(t.term.topology_key, n.labels, -t.weight);
    }
  }
  for (auto it = score.begin(); it != score.end();) {
    for (auto v = it->second.begin(); v != it->second.end();) v = v->second == 0 ? it->second.erase(v) : std::next(v);
    it = it->second.empty() ? score.erase(it) : std::next(it);
  }
  return score;
}

// PodTopologySpread scoring for ScheduleAnyway constraints; fills out[i] for feasible[i].
void ScoreTopologySpread(const PodInfo& pod, const Snapshot& s, const std::vector<const NodeInfo*>& feasible,
                         std::vector<int64_t>& out) {
  std::vector<const SpreadConstraint*> cs;
  for (const auto& c : pod.spread_constraints)
    if (!c.do_not_schedule) cs.push_back(&c);
  out.assign(feasible.size(), 0);
  if (cs.empty() || feasible.empty()) return;
  std::vector<bool> ignored(feasible.size(), false);
  size_t num_ignored = 0;
  std::vector<std::unordered_map<std::string, int64_t>> pair_counts(cs.size());
  for (size_t k = 0; k < feasible.size(); ++k) {
    const NodeInfo& n = *feasible[k];
    if (!HasAllTopologyKeys(n.labels, cs)) {
      ignored[k] = true;
      ++num_ignored;
      continue;
    }
    for (size_t i = 0; i < cs.size(); ++i)
      if (cs[i]->topology_key != kLabelHostname) pair_counts[i].emplace(n.labels.find(cs[i]->topology_key)->second, 0);
  }
  std::vector<double> weight(cs.size());
  for (size_t i = 0; i < cs.size(); ++i) {
    size_t size = cs[i]->topology_key == kLabelHostname ? feasible.size() - num_ignored : pair_counts[i].size();
    weight[i] = std::log(static_cast<double>(size + 2));
  }
  for (const NodeInfo& n : s.nodes) {
    if (!HasAllTopologyKeys(n.labels, cs)) continue;
    for (size_t i = 0; i < cs.size(); ++i) {
      if (cs[i]->topology_key == kLabelHostname || !NodeIncluded(*cs[i], pod, n)) continue;
      auto it = pair_counts[i].find(n.labels.find(cs[i]->topology_key)->second);
      if (it != pair_counts[i].end()) it->second += CountMatching(n.pods, cs[i]->selector, pod.ns);
    }
  }
  int64_t min_score = INT64_MAX, max_score = 0;
  for (size_t k = 0; k < feasible.size(); ++k) {
    if (ignored[k]) continue;
    const NodeInfo& n = *feasible[k];
    double score = 0;
    for (size_t i = 0; i < cs.size(); ++i) {
      auto label = n.labels.find(cs[i]->topology_key);
      int64_t cnt = 0;
      if (cs[i]->topology_key == kLabelHostname) {
        cnt = CountMatching(n.pods, cs[i]->selector, pod.ns);
      } else {
        auto it = pair_counts[i].find(label->second);
        cnt = it == pair_counts[i].end() ? 0 : it->second;
      }
      score += static_cast<double>(cnt) * weight[i] + static_cast<double>(cs[i]->max_skew - 1);
    }
    out[k] = static_cast<int64_t>(std::round(score));
    min_score = std::min(min_score, out[k]);
    max_score = std::max(max_score, out[k]);
  }
  for (size_t k = 0; k < feasible.size(); ++k) {
    if (ignored[k]) { out[k] = 0; continue; }
    if (max_score == 0) { out[k] = kMaxNodeScore; continue; }
    out[k] = kMaxNodeScore * (max_score + min_score - out[k]) / max_score;
  }
}

}  // namespace

std::vector<NodeScore> ScoreNodes(const PodInfo& pod, const Snapshot& snapshot,
                                  const std::vector<const NodeInfo*>& feasible, const ScoreWeights& weights) {
  size_t n = feasible.size();
  std::vector<NodeScore> out(n);
  for (size_t k = 0; k < n; ++k) out[k].node = feasible[k]->name;
  const auto& w = weights.weight;
  std::vector<int64_t> column(n);

  if (w[kScoreTaintToleration]) {
    for (size_t k = 0; k < n; ++k) column[k] = RawScoreTaintToleration(pod, *feasible[k]);
    NormalizeScores(column, /*reverse=*/true);
    for (size_t k = 0; k < n; ++k) out[k].plugin[kScoreTaintToleration] = column[k];
  }
  if (w[kScoreNodeAffinity] && !pod.preferred_node_terms.empty()) {
    for (size_t k = 0; k < n; ++k) column[k] = RawScoreNodeAffinity(pod, *feasible[k]);
    NormalizeScores(column, /*reverse=*/false);
    for (size_t k = 0; k < n; ++k) out[k].plugin[kScoreNodeAffinity] = column[k];
  }
  if (w[kScoreNodeResourcesFit])
    for (size_t k = 0; k < n; ++k) out[k].plugin[kScoreNodeResourcesFit] = ScoreLeastAllocated(pod, *feasible[k]);
  if (w[kScoreBalancedAllocation])
    for (size_t k = 0; k < n; ++k) out[k].plugin[kScoreBalancedAllocation] = ScoreBalancedAllocation(pod, *feasible[k]);
  if (w[kScoreImageLocality])
    for (size_t k = 0; k < n; ++k) out[k].plugin[kScoreImageLocality] = ScoreImageLocality(pod, *feasible[k], snapshot);
  if (w[kScorePodTopologySpread]) {
    ScoreTopologySpread(pod, snapshot, feasible, column);
    for (size_t k = 0; k < n; ++k) out[k].plugin[kScorePodTopologySpread] = column[k];
  }
  if (w[kScoreInterPodAffinity]) {
    TopologyCounts topo = InterPodAffinityTopologyScore(pod, snapshot);
    if (!topo.empty()) {
      int64_t min = INT64_MAX, max = INT64_MIN;
      for (size_t k = 0; k < n; ++k) {
        int64_t s = 0;
        for (const auto& [key, values] : topo) {
          auto l = feasible[k]->labels.find(key);
          if (l == feasible[k]->labels.end()) continue;
          auto v = values.find(l->second);
          if (v != values.end()) s += v->second;
        }
        column[k] = s;
        min = std::min(min, s);
        max = std::max(max, s);
      }
      for (size_t k = 0; k < n; ++k) {
        double f = max - min > 0 ? static_cast<double>(kMaxNodeScore) * static_cast<double>(column[k] - min) /
                                       static_cast<double>(max - min)
                                 : 0.0;
        out[k].plugin[kScoreInterPodAffinity] = static_cast<int64_t>(f);
      }
    }
  }
  for (auto& s : out) {
    s.total = 0;
    for (int p = 0; p < kNumScorePlugins; ++p) s.total += s.plugin[p] * w[p];
  }
  return out;
}

// ---- FitError, Schedule, preemption -------------------------------------------------------------------

std::string FitErrorMessage(size_t num_nodes, const std::map<std::string, FilterStatus>& node_status,
                            std::string_view prefilter_message) {
  std::string msg = "0/" + std::to_string(num_nodes) + " nodes are available:";
  if (!prefilter_message.empty()) {
    msg += " ";
    msg += prefilter_message;
    msg += ".";
    return msg;
  }
  std::map<std::string, int> histogram;
  for (const auto& [node, st] : node_status)
    for (const auto& r : st.reasons) ++histogram[r];
  std::vector<std::string> lines;
  for (const auto& [reason, n] : histogram) lines.push_back(std::to_string(n) + " " + reason);
  std::sort(lines.begin(), lines.end());  // as strings, like upstream ("10 x" sorts before "2 y")
  if (!lines.empty()) {
    msg += " ";
    for (size_t i = 0; i < lines.size(); ++i) msg += (i ? ", " : "") + lines[i];
    msg += ".";
  }
  return msg;
}

namespace {

bool MoreImportant(const PodInfoPtr& a, const PodInfoPtr& b) {
  if (a->priority != b->priority) return a->priority > b->priority;
  // Earlier start time is more important; RFC 3339 UTC strings compare lexicographically.
  if (a->start_time.empty() != b->start_time.empty()) return !a->start_time.empty();
  return a->start_time < b->start_time;
}

struct Candidate {
  const NodeInfo* node = nullptr;
  std::vector<PodInfoPtr> victims;  // most important first
};

// upstream's SelectVictimsOnNode on a copy of the node: remove every lower-priority pod, check fit, then
// reprieve as many as possible (most important first). Returns the filter status when it cannot fit.
FilterStatus SelectVictims(const PodInfo& pod, const Snapshot& snapshot, const NodeInfo& node,
                           const CycleState& base_state, std::vector<PodInfoPtr>& victims) {
  NodeInfo copy = node;
  CycleState st = base_state;
  std::vector<PodInfoPtr> potential;
  for (const auto& p : node.pods)
    if (p->priority < pod.priority) potential.push_back(p);
  if (potential.empty())
    return Reject(Code::kUnschedulableAndUnresolvable, kReasonNoVictims, "DefaultPreemption");
  auto remove = [&](const PodInfoPtr& p) {
    RemovePod(copy, *p);
    UpdateAffinityCounts(st, pod, *p, copy, snapshot, -1);
    UpdateSpreadCounts(st.spread, pod, *p, copy, -1);
    st.affinity_active = !pod.required_affinity.empty() || !pod.required_anti_affinity.empty() ||
                         !st.existing_anti_affinity.empty();
  };
  auto add = [&](const PodInfoPtr& p) {
    AddPod(copy, p);
    UpdateAffinityCounts(st, pod, *p, copy, snapshot, +1);
    UpdateSpreadCounts(st.spread, pod, *p, copy, +1);
    st.affinity_active = !pod.required_affinity.empty() || !pod.required_anti_affinity.empty() ||
                         !st.existing_anti_affinity.empty();
  };
  for (const auto& p : potential) remove(p);
  FilterStatus fit = RunFilters(st, pod, copy);
  if (!fit.ok()) return fit;
  std::sort(potential.begin(), potential.end(), MoreImportant);
  for (const auto& p : potential) {
    add(p);
    if (!RunFilters(st, pod, copy).ok()) {
      RemovePod(copy, *p);
      UpdateAffinityCounts(st, pod, *p, copy, snapshot, -1);
      UpdateSpreadCounts(st.spread, pod, *p, copy, -1);
      st.affinity_active = !pod.required_affinity.empty() || !pod.required_anti_affinity.empty() ||
                           !st.existing_anti_affinity.empty();
      victims.push_back(p);
    }
  }
  return {};
}

// upstream's pickOneNodeForPreemption without PDBs: lowest highest-victim priority, lowest priority sum,
// fewest victims, latest start of the most important victims, then the first (by node name).
const Candidate* PickCandidate(const std::vector<Candidate>& cands) {
  const Candidate* best = nullptr;
  auto key = [](const Candidate& c) {
    int64_t highest = c.victims.empty() ? INT64_MIN : c.victims.front()->priority;
    int64_t sum = 0;
    for (const auto& v : c.victims) sum += static_cast<int64_t>(v->priority) + INT32_MAX + 1;
    std::string earliest_of_highest;
    for (const auto& v : c.victims)
      if (v->priority == highest && (earliest_of_highest.empty() || v->start_time < earliest_of_highest))
        earliest_of_highest = v->start_time;
    return std::make_tuple(highest, sum, static_cast<int64_t>(c.victims.size()), earliest_of_highest);
  };
  for (const auto& c : cands) {
    if (!best) { best = &c; continue; }
    auto a = key(c), b = key(*best);
    if (std::get<0>(a) != std::get<0>(b)) { if (std::get<0>(a) < std::get<0>(b)) best = &c; continue; }
    if (std::get<1>(a) != std::get<1>(b)) { if (std::get<1>(a) < std::get<1>(b)) best = &c; continue; }
    if (std::get<2>(a) != std::get<2>(b)) { if (std::get<2>(a) < std::get<2>(b)) best = &c; continue; }
    if (std::get<3>(a) > std::get<3>(b)) best = &c;  // later start time wins
  }
  return best;
}

}  // namespace

PreemptionResult Preempt(const PodInfo& pod, const Snapshot& snapshot,
                         const std::map<std::string, FilterStatus>& node_status) {
  PreemptionResult r;
  if (pod.preemption_never) {
    r.message = "preemption: not eligible due to preemptionPolicy=Never.";
    return r;
  }
  if (!pod.nominated_node_name.empty()) {
    auto st = node_status.find(pod.nominated_node_name);
    const NodeInfo* nn = snapshot.Find(pod.nominated_node_name);
    if (nn && st != node_status.end() && st->second.code != Code::kUnschedulableAndUnresolvable) {
      for (const auto& p : nn->pods)
        if (p->terminating && p->priority < pod.priority) {
          r.message = "preemption: not eligible due to a terminating pod on the nominated node.";
          return r;
        }
    }
  }
  auto state = PreFilter(pod, snapshot);
  std::map<std::string, FilterStatus> dry_run;
  std::vector<Candidate> cands;
  if (state.ok()) {
    for (const NodeInfo& n : snapshot.nodes) {
      auto st = node_status.find(n.name);
      if (st == node_status.end() || st->second.code != Code::kUnschedulable) continue;
      Candidate c{&n, {}};
      FilterStatus fs = SelectVictims(pod, snapshot, n, *state, c.victims);
      if (fs.ok()) cands.push_back(std::move(c));
      else dry_run[n.name] = std::move(fs);
    }
  }
  if (cands.empty()) {
    std::map<std::string, FilterStatus> all = dry_run;
    for (const NodeInfo& n : snapshot.nodes)
      if (!all.count(n.name)) all[n.name] = Reject(Code::kUnschedulableAndUnresolvable, kReasonPreemptionNotHelpful, "");
    r.message = "preemption: " + FitErrorMessage(snapshot.nodes.size(), all);
    return r;
  }
  const Candidate* best = PickCandidate(cands);
  r.nominated_node = best->node->name;
  r.victims = best->victims;
  return r;
}

Result<ScheduleResult> Schedule(const json::object& pod, const Snapshot& snapshot, const ScheduleOptions& options) {
  K1S_ASSIGN_OR_RETURN(PodInfoPtr p, ParsePod(pod));
  return Schedule(*p, snapshot, options);
}

Result<ScheduleResult> Schedule(const PodInfo& pod, const Snapshot& snapshot, const ScheduleOptions& options) {
  ScheduleResult res;
  if (snapshot.nodes.empty()) {
    res.message = std::string(kNoNodesAvailable);
    return res;
  }
  K1S_ASSIGN_OR_RETURN(CycleState state, PreFilter(pod, snapshot));
  std::string prefilter_message;
  std::vector<const NodeInfo*> candidates;
  if (state.node_names) {
    if (state.node_names->empty()) {
      prefilter_message = std::string(kReasonNodeAffinityConflict);
      for (const NodeInfo& n : snapshot.nodes)
        res.node_status[n.name] = Reject(Code::kUnschedulableAndUnresolvable, kReasonNodeAffinityConflict, "NodeAffinity");
    } else {
      for (const NodeInfo& n : snapshot.nodes) {
        if (std::binary_search(state.node_names->begin(), state.node_names->end(), n.name)) candidates.push_back(&n);
        else res.node_status[n.name] = Reject(Code::kUnschedulableAndUnresolvable,
                                              "node(s) didn't satisfy plugin(s) [NodeAffinity]", "NodeAffinity");
      }
    }
  } else {
    candidates.reserve(snapshot.nodes.size());
    for (const NodeInfo& n : snapshot.nodes) candidates.push_back(&n);
  }

  std::vector<const NodeInfo*> feasible;
  feasible.reserve(candidates.size());
  for (const NodeInfo* n : candidates) {
    FilterStatus s = RunFilters(state, pod, *n);
    if (s.ok()) feasible.push_back(n);
    else res.node_status.emplace(n->name, std::move(s));
  }

  if (feasible.empty()) {
    res.message = FitErrorMessage(snapshot.nodes.size(), res.node_status, prefilter_message);
    if (options.preemption) {
      PreemptionResult pr = Preempt(pod, snapshot, res.node_status);
      res.nominated_node = pr.nominated_node;
      res.victims = std::move(pr.victims);
      if (!pr.message.empty()) res.message += " " + pr.message;
    }
    return res;
  }
  if (feasible.size() == 1) {
    res.node_name = feasible[0]->name;
    return res;
  }
  res.scores = ScoreNodes(pod, snapshot, feasible, options.weights);
  // feasible is in node-name order, so the first maximum is the smallest name.
  size_t best = 0;
  int ties = 1;
  for (size_t k = 1; k < res.scores.size(); ++k) {
    if (res.scores[k].total > res.scores[best].total) {
      best = k;
      ties = 1;
    } else if (res.scores[k].total == res.scores[best].total && options.rng) {
      ++ties;
      if (std::uniform_int_distribution<int>(0, ties - 1)(*options.rng) == 0) best = k;
    }
  }
  res.node_name = res.scores[best].node;
  return res;
}

}  // namespace k1s::scheduler
