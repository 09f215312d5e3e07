#include "server/controllers/endpoints/endpoints_logic.h"

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <map>
#include <set>

#include "lib/base/strings.h"

namespace k1s::controllers::endpoints {

namespace {

const json::object* Obj(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  return it != o.end() && it->value().is_object() ? &it->value().as_object() : nullptr;
}
const json::array* Arr(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  return it != o.end() && it->value().is_array() ? &it->value().as_array() : nullptr;
}
std::string Str(const json::object* o, std::string_view key) {
  if (!o) return "";
  auto it = o->find(key);
  return it != o->end() && it->value().is_string() ? std::string(it->value().as_string()) : "";
}
std::string Meta(const json::object& o, std::string_view key) { return Str(Obj(o, "metadata"), key); }
std::optional<int64_t> Int(const json::object* o, std::string_view key) {
  if (!o) return std::nullopt;
  auto it = o->find(key);
  if (it == o->end()) return std::nullopt;
  if (it->value().is_int64()) return it->value().as_int64();
  if (it->value().is_uint64()) return static_cast<int64_t>(it->value().as_uint64());
  return std::nullopt;
}
bool Bool(const json::object* o, std::string_view key) {
  if (!o) return false;
  auto it = o->find(key);
  return it != o->end() && it->value().is_bool() && it->value().as_bool();
}

bool IsHeadless(const json::object& service) { return Str(Obj(service, "spec"), "clusterIP") == "None"; }

// One pod's contribution to a service: its address and the ports it serves.
struct PodEndpoint {
  std::string ip;
  json::object address;  // ip, nodeName, hostname, targetRef
  bool ready = false;     // Endpoints: addresses vs notReadyAddresses; slices: conditions.ready
  bool serving = false;
  bool terminating = false;
  json::array ports;      // Endpoints-style ports {name?, port, protocol, appProtocol?}
  std::string ports_key;
};

json::array SortedPorts(json::array ports) {
  std::sort(ports.begin(), ports.end(), [](const json::value& a, const json::value& b) {
    return json::serialize(a) < json::serialize(b);
  });
  return ports;
}

std::vector<PodEndpoint> PodEndpoints(const json::object& service, const std::vector<ObjectPtr>& pods,
                                      bool for_slices) {
  std::vector<PodEndpoint> out;
  const json::object* spec = Obj(service, "spec");
  bool publish_not_ready = Bool(spec, "publishNotReadyAddresses");
  std::string svc_name = Meta(service, "name");
  const json::array* svc_ports = spec ? Arr(*spec, "ports") : nullptr;
  for (const auto& pod_ptr : pods) {
    if (!pod_ptr) continue;
    const json::object& pod = *pod_ptr;
    if (Meta(pod, "namespace") != Meta(service, "namespace") || !SelectorMatches(service, pod)) continue;
    if (!ShouldPodBeInEndpoints(pod, for_slices || publish_not_ready)) continue;
    std::string ip = Str(Obj(pod, "status"), "podIP");
    if (for_slices && ip.find(':') != std::string::npos) continue;  // IPv4 slices only
    PodEndpoint ep;
    ep.ip = ip;
    ep.terminating = !Meta(pod, "deletionTimestamp").empty();
    ep.serving = IsPodReady(pod);
    ep.ready = publish_not_ready || (ep.serving && !ep.terminating);
    const json::object* pod_spec = Obj(pod, "spec");
    ep.address["ip"] = ip;
    std::string node = Str(pod_spec, "nodeName");
    if (!node.empty()) ep.address["nodeName"] = node;
    std::string hostname = Str(pod_spec, "hostname");
    if (!hostname.empty() && Str(pod_spec, "subdomain") == svc_name) ep.address["hostname"] = hostname;
    ep.address["targetRef"] = json::object{{"kind", "Pod"},
                                           {"namespace", Meta(pod, "namespace")},
                                           {"name", Meta(pod, "name")},
                                           {"uid", Meta(pod, "uid")}};
    size_t wanted = svc_ports ? svc_ports->size() : 0;
    for (size_t i = 0; i < wanted; ++i) {
      if (!(*svc_ports)[i].is_object()) continue;
      const json::object& sp = (*svc_ports)[i].as_object();
      auto num = ResolveTargetPort(pod, sp);
      if (!num) continue;
      json::object port;
      std::string name = Str(&sp, "name");
      if (!name.empty() || for_slices) port["name"] = name;
      port["port"] = *num;
      std::string proto = Str(&sp, "protocol");
      port["protocol"] = proto.empty() ? "TCP" : proto;
      std::string app = Str(&sp, "appProtocol");
      if (!app.empty()) port["appProtocol"] = app;
      ep.ports.push_back(std::move(port));
    }
    if (wanted > 0 && ep.ports.empty()) continue;  // serves none of the service's ports
    ep.ports = SortedPorts(std::move(ep.ports));
    ep.ports_key = json::serialize(ep.ports);
    out.push_back(std::move(ep));
  }
  std::sort(out.begin(), out.end(), [](const PodEndpoint& a, const PodEndpoint& b) {
    return a.ip != b.ip ? a.ip < b.ip : Str(Obj(a.address, "targetRef"), "uid") < Str(Obj(b.address, "targetRef"), "uid");
  });
  return out;
}

json::object SliceEndpoint(const PodEndpoint& ep) {
  json::object out;
  out["addresses"] = json::array{json::value(ep.ip)};
  out["conditions"] = json::object{{"ready", ep.ready}, {"serving", ep.serving}, {"terminating", ep.terminating}};
  if (auto it = ep.address.find("hostname"); it != ep.address.end()) out["hostname"] = it->value();
  if (auto it = ep.address.find("nodeName"); it != ep.address.end()) out["nodeName"] = it->value();
  out["targetRef"] = ep.address.at("targetRef");
  return out;
}

std::string SliceEndpointKey(const json::value& ep) {
  if (!ep.is_object()) return "";
  const json::array* addrs = Arr(ep.as_object(), "addresses");
  if (!addrs || addrs->empty() || !(*addrs)[0].is_string()) return "";
  return std::string((*addrs)[0].as_string());
}

json::object OwnerRefTo(const json::object& service) {
  return json::object{{"apiVersion", "v1"},        {"kind", "Service"},
                      {"name", Meta(service, "name")}, {"uid", Meta(service, "uid")},
                      {"controller", true},        {"blockOwnerDeletion", true}};
}

}  // namespace

bool ServiceIsManaged(const json::object& service) {
  if (Meta(service, "namespace") == "default" && Meta(service, "name") == "kubernetes") return false;
  const json::object* spec = Obj(service, "spec");
  if (!spec || Str(spec, "type") == "ExternalName") return false;
  const json::object* sel = Obj(*spec, "selector");
  return sel && !sel->empty();
}

bool SelectorMatches(const json::object& service, const json::object& pod) {
  const json::object* spec = Obj(service, "spec");
  const json::object* sel = spec ? Obj(*spec, "selector") : nullptr;
  if (!sel || sel->empty()) return false;
  const json::object* md = Obj(pod, "metadata");
  const json::object* labels = md ? Obj(*md, "labels") : nullptr;
  for (const auto& [k, v] : *sel) {
    if (!labels) return false;
    auto it = labels->find(k);
    if (it == labels->end() || it->value() != v) return false;
  }
  return true;
}

bool IsPodReady(const json::object& pod) {
  const json::object* status = Obj(pod, "status");
  const json::array* conds = status ? Arr(*status, "conditions") : nullptr;
  if (!conds) return false;
  for (const auto& c : *conds) {
    if (c.is_object() && Str(&c.as_object(), "type") == "Ready") return Str(&c.as_object(), "status") == "True";
  }
  return false;
}

bool ShouldPodBeInEndpoints(const json::object& pod, bool include_terminating) {
  const json::object* status = Obj(pod, "status");
  std::string phase = Str(status, "phase");
  std::string restart = Str(Obj(pod, "spec"), "restartPolicy");
  if (phase == "Failed" && restart == "Never") return false;
  if (phase == "Succeeded" && (restart == "Never" || restart == "OnFailure")) return false;
  if (phase == "Failed" || phase == "Succeeded") return false;  // a terminal pod serves nothing
  if (Str(status, "podIP").empty()) return false;
  if (!include_terminating && !Meta(pod, "deletionTimestamp").empty()) return false;
  return true;
}

std::optional<int64_t> ResolveTargetPort(const json::object& pod, const json::object& service_port) {
  auto tp = service_port.find("targetPort");
  if (tp == service_port.end() || tp->value().is_null()) return Int(&service_port, "port");
  if (tp->value().is_int64() || tp->value().is_uint64()) return Int(&service_port, "targetPort");
  if (!tp->value().is_string()) return std::nullopt;
  std::string name(tp->value().as_string());
  // A string of digits is a number (IntOrString sent as text); one too large for any port resolves to nothing.
  if (!name.empty() && std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return ParseInt64(name);
  }
  std::string proto = Str(&service_port, "protocol");
  if (proto.empty()) proto = "TCP";
  const json::object* spec = Obj(pod, "spec");
  const json::array* containers = spec ? Arr(*spec, "containers") : nullptr;
  if (!containers) return std::nullopt;
  for (const auto& c : *containers) {
    if (!c.is_object()) continue;
    const json::array* ports = Arr(c.as_object(), "ports");
    if (!ports) continue;
    for (const auto& p : *ports) {
      if (!p.is_object()) continue;
      std::string pproto = Str(&p.as_object(), "protocol");
      if (pproto.empty()) pproto = "TCP";
      if (Str(&p.as_object(), "name") == name && pproto == proto) return Int(&p.as_object(), "containerPort");
    }
  }
  return std::nullopt;
}

json::object EndpointsLabels(const json::object& service) {
  json::object labels;
  const json::object* md = Obj(service, "metadata");
  if (const json::object* l = md ? Obj(*md, "labels") : nullptr) labels = *l;
  if (IsHeadless(service)) {
    labels[kHeadlessLabel] = "";
  } else {
    labels.erase(kHeadlessLabel);
  }
  return labels;
}

json::object SliceLabels(const json::object& service) {
  json::object labels = EndpointsLabels(service);
  labels[kServiceNameLabel] = Meta(service, "name");
  labels[kManagedByLabel] = kManagedByValue;
  return labels;
}

json::object DesiredEndpoints(const json::object& service, const std::vector<ObjectPtr>& pods) {
  // Addresses with the same set of ports form one subset (upstream's "repacking").
  std::map<std::string, json::object> subsets;
  for (auto& ep : PodEndpoints(service, pods, false)) {
    json::object& subset = subsets[ep.ports_key];
    if (!subset.contains("ports") && !ep.ports.empty()) subset["ports"] = ep.ports;
    const char* field = ep.ready ? "addresses" : "notReadyAddresses";
    json::value& list = subset[field];
    if (!list.is_array()) list = json::array();
    list.as_array().push_back(std::move(ep.address));
  }
  json::array out;
  for (auto& [key, subset] : subsets) out.push_back(std::move(subset));
  json::object md{{"name", Meta(service, "name")}, {"namespace", Meta(service, "namespace")}};
  json::object labels = EndpointsLabels(service);
  if (!labels.empty()) md["labels"] = std::move(labels);
  json::object result{{"apiVersion", "v1"}, {"kind", "Endpoints"}, {"metadata", std::move(md)}};
  if (!out.empty()) result["subsets"] = std::move(out);
  return result;
}

std::optional<json::object> EndpointsUpdate(const json::object& current, const json::object& desired) {
  auto subsets_of = [](const json::object& o) {
    const json::array* a = Arr(o, "subsets");
    return a ? *a : json::array();
  };
  auto labels_of = [](const json::object& o) {
    const json::object* md = Obj(o, "metadata");
    const json::object* l = md ? Obj(*md, "labels") : nullptr;
    return l ? *l : json::object();
  };
  if (subsets_of(current) == subsets_of(desired) && labels_of(current) == labels_of(desired)) return std::nullopt;
  json::object next = current;
  json::array subsets = subsets_of(desired);
  if (subsets.empty()) {
    next.erase("subsets");
  } else {
    next["subsets"] = std::move(subsets);
  }
  json::object labels = labels_of(desired);
  json::value& md = next["metadata"];
  if (!md.is_object()) md = json::object();
  if (labels.empty()) {
    md.as_object().erase("labels");
  } else {
    md.as_object()["labels"] = std::move(labels);
  }
  return next;
}

bool SliceIsManagedFor(const json::object& slice, const std::string& service_name) {
  const json::object* md = Obj(slice, "metadata");
  const json::object* labels = md ? Obj(*md, "labels") : nullptr;
  return labels && Str(labels, kServiceNameLabel) == service_name && Str(labels, kManagedByLabel) == kManagedByValue;
}

SlicePlan PlanEndpointSlices(const json::object& service, const std::vector<ObjectPtr>& pods,
                             const std::vector<ObjectPtr>& existing, size_t max_per_slice) {
  if (max_per_slice == 0) max_per_slice = kMaxEndpointsPerSlice;
  std::string ns = Meta(service, "namespace"), name = Meta(service, "name");
  json::object labels = SliceLabels(service);
  json::array owner_refs{OwnerRefTo(service)};

  // Desired: port set -> (ports, address -> endpoint).
  struct Group {
    json::array ports;
    std::map<std::string, json::object> remaining;
  };
  std::map<std::string, Group> groups;
  size_t total = 0;
  for (const auto& ep : PodEndpoints(service, pods, true)) {
    Group& g = groups[ep.ports_key];
    g.ports = ep.ports;
    if (g.remaining.emplace(ep.ip, SliceEndpoint(ep)).second) ++total;
  }

  // The service's slices, by name; each gets the endpoints it already holds that are still wanted.
  struct Slice {
    ObjectPtr current;  // null for a new one
    std::string ports_key;
    std::map<std::string, json::object> endpoints;
  };
  std::vector<ObjectPtr> mine;
  for (const auto& s : existing) {
    if (s && Meta(*s, "namespace") == ns && SliceIsManagedFor(*s, name)) mine.push_back(s);
  }
  std::sort(mine.begin(), mine.end(), [](const ObjectPtr& a, const ObjectPtr& b) {
    return Meta(*a, "name") < Meta(*b, "name");
  });
  std::vector<Slice> kept;
  std::vector<ObjectPtr> unused;
  for (const auto& s : mine) {
    const json::array* ports = Arr(*s, "ports");
    std::string key = json::serialize(SortedPorts(ports ? *ports : json::array()));
    auto g = groups.find(key);
    if (g == groups.end() || Str(s.get(), "addressType") != "IPv4") {
      unused.push_back(s);
      continue;
    }
    Slice slice{s, key, {}};
    if (const json::array* eps = Arr(*s, "endpoints")) {
      for (const auto& ep : *eps) {
        auto it = g->second.remaining.find(SliceEndpointKey(ep));
        if (it == g->second.remaining.end()) continue;
        slice.endpoints.emplace(it->first, std::move(it->second));
        g->second.remaining.erase(it);
      }
    }
    kept.push_back(std::move(slice));
  }
  // New endpoints fill free room in existing slices of their port set, then new slices.
  for (auto& [key, g] : groups) {
    for (auto& slice : kept) {
      if (slice.ports_key != key) continue;
      while (!g.remaining.empty() && slice.endpoints.size() < max_per_slice) {
        auto it = g.remaining.begin();
        slice.endpoints.emplace(it->first, std::move(it->second));
        g.remaining.erase(it);
      }
    }
    while (!g.remaining.empty()) {
      Slice slice{nullptr, key, {}};
      while (!g.remaining.empty() && slice.endpoints.size() < max_per_slice) {
        auto it = g.remaining.begin();
        slice.endpoints.emplace(it->first, std::move(it->second));
        g.remaining.erase(it);
      }
      kept.push_back(std::move(slice));
    }
  }

  SlicePlan plan;
  auto build = [&](const Slice& slice, const json::array& ports) {
    json::object obj = slice.current ? *slice.current : json::object();
    obj["apiVersion"] = "discovery.k8s.io/v1";
    obj["kind"] = "EndpointSlice";
    json::value& mdv = obj["metadata"];
    if (!mdv.is_object()) mdv = json::object();
    json::object& md = mdv.as_object();  // no insertions into obj until md is done
    if (!slice.current) {
      md["generateName"] = name + "-";
      md["namespace"] = ns;
    }
    md["labels"] = labels;
    md["ownerReferences"] = owner_refs;
    obj["addressType"] = "IPv4";
    json::array eps;
    for (const auto& [ip, ep] : slice.endpoints) eps.push_back(ep);
    obj["endpoints"] = std::move(eps);
    obj["ports"] = ports;
    return obj;
  };
  auto emit = [&](const Slice& slice, json::object obj) {
    if (!slice.current) {
      plan.create.push_back(std::move(obj));
    } else if (obj != *slice.current) {
      plan.update.push_back(std::move(obj));
    }
  };
  bool have_any = false;
  for (const auto& slice : kept) {
    if (slice.endpoints.empty()) {
      unused.push_back(slice.current);
      continue;
    }
    have_any = true;
    emit(slice, build(slice, groups[slice.ports_key].ports));
  }
  std::sort(unused.begin(), unused.end(), [](const ObjectPtr& a, const ObjectPtr& b) {
    return Meta(*a, "name") < Meta(*b, "name");
  });
  if (total == 0 && !have_any) {
    // A service without endpoints keeps one empty placeholder slice.
    Slice placeholder{unused.empty() ? nullptr : unused.front(), "", {}};
    if (!unused.empty()) unused.erase(unused.begin());
    emit(placeholder, build(placeholder, json::array()));
  }
  for (const auto& s : unused) plan.remove.push_back(Meta(*s, "name"));
  return plan;
}

}  // namespace k1s::controllers::endpoints
