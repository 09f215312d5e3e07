#include "server/registry/services.h"

#include <arpa/inet.h>
#include <openssl/rand.h>

#include <boost/json.hpp>
#include <map>
#include <set>
#include <string_view>

#include "lib/api/go_format.h"
#include "lib/api/meta.h"
#include "lib/base/strings.h"

namespace k1s::registry {

namespace json = boost::json;

namespace {

constexpr char kIpPrefix[] = "/registry/ranges/serviceips/";
constexpr char kPortPrefix[] = "/registry/ranges/nodeports/";

std::string IpString(uint32_t ip) {
  in_addr a{htonl(ip)};
  char buf[INET_ADDRSTRLEN];
  inet_ntop(AF_INET, &a, buf, sizeof buf);
  return buf;
}

bool ParseIp(const std::string& s, uint32_t* out) {
  in_addr a{};
  if (inet_pton(AF_INET, s.c_str(), &a) != 1) return false;
  *out = ntohl(a.s_addr);
  return true;
}

json::object* Spec(json::object& svc) {
  auto& v = svc["spec"];
  if (!v.is_object()) v = json::object();
  return &v.as_object();
}

std::string Str(const json::object& o, const char* f) {
  auto it = o.find(f);
  return it != o.end() && it->value().is_string() ? std::string(it->value().as_string()) : "";
}

int64_t Int(const json::object& o, const char* f, int64_t dflt = 0) {
  auto it = o.find(f);
  return it != o.end() && it->value().is_int64() ? it->value().as_int64() : dflt;
}

void AppendErrors(std::vector<FieldError>& to, std::vector<FieldError> from) {
  for (auto& f : from) to.push_back(std::move(f));
}

// A Service port's targetPort (IntOrString): a port number 1..65535 or an IANA service name.
std::vector<FieldError> TargetPortErrors(const json::value& v, const std::string& path) {
  std::vector<FieldError> errs;
  if (v.is_string()) {
    for (const auto& why : api::ValidatePortName(v.get_string())) {
      errs.push_back({path, "FieldValueInvalid", "Invalid value: " + api::GoQuote(v.get_string()) + ": " + why});
    }
  } else if (v.is_int64() || v.is_uint64()) {
    bool in_range = v.is_int64() ? (v.get_int64() >= 1 && v.get_int64() <= 65535) : false;
    if (!in_range) {
      errs.push_back({path, "FieldValueInvalid",
                      "Invalid value: " + json::serialize(v) + ": must be between 1 and 65535, inclusive"});
    }
  } else {
    errs.push_back({path, "FieldValueInvalid",
                    "Invalid value: " + json::serialize(v) + ": must be a port number or an IANA port name"});
  }
  return errs;
}

bool NeedsNodePorts(const std::string& type) { return type == "NodePort" || type == "LoadBalancer"; }

uint32_t RandomU32() {
  uint32_t v = 0;
  RAND_bytes(reinterpret_cast<unsigned char*>(&v), sizeof v);
  return v;
}

}  // namespace

Result<ServiceAllocator> ServiceAllocator::Make(datastore::Store& store, const std::string& cidr,
                                                const std::string& port_range) {
  auto slash = cidr.find('/');
  uint32_t base = 0;
  if (slash == std::string::npos || !ParseIp(cidr.substr(0, slash), &base)) {
    return Fail(ErrorCode::kInvalid, "service CIDR \"" + cidr + "\" is not an IPv4 CIDR");
  }
  int64_t bits = ParseInt64(std::string_view(cidr).substr(slash + 1)).value_or(0);
  if (bits < 8 || bits > 30) return Fail(ErrorCode::kInvalid, "service CIDR \"" + cidr + "\" must be /8 to /30");
  uint32_t size = 1u << (32 - bits);
  base &= ~(size - 1);
  auto dash = port_range.find('-');
  std::string_view range(port_range);
  int64_t lo = ParseInt64(range.substr(0, dash)).value_or(0);
  int64_t hi = dash == std::string::npos ? 0 : ParseInt64(range.substr(dash + 1)).value_or(0);
  if (lo < 1 || hi > 65535 || lo > hi) return Fail(ErrorCode::kInvalid, "bad node port range \"" + port_range + "\"");
  return ServiceAllocator(store, base, size, static_cast<int>(lo), static_cast<int>(hi));
}

std::string ServiceAllocator::FirstIp() const { return IpString(base_ + 1); }

std::vector<FieldError> ServiceAllocator::DefaultAndValidate(json::object& svc) const {
  std::vector<FieldError> errs;
  json::object& spec = *Spec(svc);
  std::string type = Str(spec, "type");
  if (type.empty()) {
    type = "ClusterIP";
    spec["type"] = type;
  }
  if (type != "ClusterIP" && type != "NodePort" && type != "LoadBalancer" && type != "ExternalName") {
    errs.push_back({"spec.type", "FieldValueNotSupported",
                    "Unsupported value: \"" + type +
                        "\": supported values: \"ClusterIP\", \"ExternalName\", \"LoadBalancer\", \"NodePort\""});
    return errs;
  }
  if (Str(spec, "sessionAffinity").empty()) spec["sessionAffinity"] = "None";
  if (type == "ExternalName") {
    if (Str(spec, "externalName").empty()) errs.push_back({"spec.externalName", "FieldValueRequired", "Required value"});
  }
  auto ports_it = spec.find("ports");
  if (ports_it == spec.end() || !ports_it->value().is_array() || ports_it->value().as_array().empty()) {
    // An ExternalName Service needs no ports; any it lists are checked like the others' below.
    if (Str(spec, "clusterIP") != "None" && type != "ExternalName") {
      errs.push_back({"spec.ports", "FieldValueRequired", "Required value"});
    }
    return errs;
  }
  auto& ports = ports_it->value().as_array();
  std::set<std::string> names;
  std::set<std::pair<int64_t, std::string>> seen;
  for (size_t i = 0; i < ports.size(); ++i) {
    std::string at = "spec.ports[" + std::to_string(i) + "]";
    if (!ports[i].is_object()) {
      errs.push_back({at, "FieldValueInvalid", "Invalid value: must be an object"});
      continue;
    }
    auto& p = ports[i].as_object();
    int64_t port = Int(p, "port");
    if (port < 1 || port > 65535) {
      errs.push_back({at + ".port", "FieldValueInvalid",
                      "Invalid value: " + std::to_string(port) + ": must be between 1 and 65535, inclusive"});
    }
    std::string protocol = Str(p, "protocol");
    if (protocol.empty()) p["protocol"] = protocol = "TCP";
    if (protocol != "TCP" && protocol != "UDP" && protocol != "SCTP") {
      errs.push_back({at + ".protocol", "FieldValueNotSupported",
                      "Unsupported value: \"" + protocol + "\": supported values: \"SCTP\", \"TCP\", \"UDP\""});
    }
    // An unset, 0 or "" targetPort means the port itself; a set one is a port number or an IANA port name.
    const json::value* target = p.if_contains("targetPort");
    if (target == nullptr || target->is_null() || (target->is_int64() && target->get_int64() == 0) ||
        (target->is_string() && target->get_string().empty())) {
      p["targetPort"] = port;
    } else {
      AppendErrors(errs, TargetPortErrors(*target, at + ".targetPort"));
    }
    std::string name = Str(p, "name");
    if (ports.size() > 1 && name.empty()) errs.push_back({at + ".name", "FieldValueRequired", "Required value"});
    if (!name.empty()) {
      if (auto why = api::ValidateDns1123Label(name); !why.empty()) {
        errs.push_back({at + ".name", "FieldValueInvalid", "Invalid value: " + api::GoQuote(name) + ": " + why});
      } else if (!names.insert(name).second) {
        errs.push_back({at + ".name", "FieldValueDuplicate", "Duplicate value: \"" + name + "\""});
      }
    }
    if (!seen.insert({port, protocol}).second) {
      errs.push_back({at, "FieldValueDuplicate",
                      "Duplicate value: core.ServicePort{Port:" + std::to_string(port) + ", Protocol:\"" + protocol + "\"}"});
    }
    int64_t node_port = Int(p, "nodePort");
    if (node_port != 0 && !NeedsNodePorts(type)) {
      errs.push_back({at + ".nodePort", "FieldValueForbidden", "Forbidden: may not be used when `type` is '" + type + "'"});
    }
  }
  return errs;
}

Result<bool> ServiceAllocator::Claim(const std::string& key, const std::string& owner) {
  auto r = store_->Create(key, owner);
  if (r.ok()) return true;
  if (r.error().code == ErrorCode::kAlreadyExists) return false;
  return Fail(r.error());
}

Result<std::vector<FieldError>> ServiceAllocator::Allocate(json::object& svc, const std::string& owner) {
  std::vector<FieldError> errs;
  json::object& spec = *Spec(svc);
  std::string type = Str(spec, "type");
  if (type == "ExternalName") return errs;
  std::vector<std::string> claimed;
  auto undo = [&] {
    for (const auto& k : claimed) (void)store_->Delete(k, 0);
  };
  std::string ip = Str(spec, "clusterIP");
  if (ip != "None") {
    if (!ip.empty()) {
      uint32_t v;
      if (!ParseIp(ip, &v) || v <= base_ || v >= base_ + size_ - 1) {
        errs.push_back({"spec.clusterIP", "FieldValueInvalid",
                        "Invalid value: \"" + ip + "\": provided IP is not in the valid range. The range of valid IPs is " +
                            IpString(base_) + "/" + std::to_string(32 - __builtin_ctz(size_))});
        return errs;
      }
      auto ok = Claim(kIpPrefix + ip, owner);
      if (!ok.ok()) return Fail(ok.error());
      if (!*ok) {
        errs.push_back({"spec.clusterIP", "FieldValueInvalid",
                        "Invalid value: \"" + ip + "\": provided IP is already allocated"});
        return errs;
      }
      claimed.push_back(kIpPrefix + ip);
    } else {
      // Random probing, then a scan: fast while the range is sparse, exhaustive when it is full.
      uint32_t usable = size_ - 2;
      bool found = false;
      for (uint32_t attempt = 0; attempt < usable + 32 && !found; ++attempt) {
        uint32_t offset = attempt < 32 ? 2 + RandomU32() % (usable - 1) : 1 + (attempt - 32) % usable;
        std::string cand = IpString(base_ + offset);
        auto ok = Claim(kIpPrefix + cand, owner);
        if (!ok.ok()) return Fail(ok.error());
        if (*ok) {
          ip = cand;
          claimed.push_back(kIpPrefix + cand);
          found = true;
        }
      }
      if (!found) return Fail(ErrorCode::kInternal, "failed to allocate a service IP: the service CIDR is full");
    }
    spec["clusterIP"] = ip;
    spec["clusterIPs"] = json::array{json::string(ip)};
    spec["ipFamilies"] = json::array{"IPv4"};
    spec["ipFamilyPolicy"] = "SingleStack";
  }
  if (NeedsNodePorts(type)) {
    if (Str(spec, "externalTrafficPolicy").empty()) spec["externalTrafficPolicy"] = "Cluster";
    auto& ports = spec["ports"].as_array();
    for (size_t i = 0; i < ports.size(); ++i) {
      auto& p = ports[i].as_object();
      int64_t want = Int(p, "nodePort");
      if (want != 0) {
        if (want < port_lo_ || want > port_hi_) {
          undo();
          errs.push_back({"spec.ports[" + std::to_string(i) + "].nodePort", "FieldValueInvalid",
                          "Invalid value: " + std::to_string(want) + ": provided port is not in the valid range. The range of valid ports is " +
                              std::to_string(port_lo_) + "-" + std::to_string(port_hi_)});
          return errs;
        }
        auto ok = Claim(kPortPrefix + std::to_string(want), owner);
        if (!ok.ok()) {
          undo();
          return Fail(ok.error());
        }
        if (!*ok) {
          undo();
          errs.push_back({"spec.ports[" + std::to_string(i) + "].nodePort", "FieldValueInvalid",
                          "Invalid value: " + std::to_string(want) + ": provided port is already allocated"});
          return errs;
        }
        claimed.push_back(kPortPrefix + std::to_string(want));
        continue;
      }
      int span = port_hi_ - port_lo_ + 1;
      bool found = false;
      for (int attempt = 0; attempt < span + 32 && !found; ++attempt) {
        int port = attempt < 32 ? port_lo_ + static_cast<int>(RandomU32() % static_cast<uint32_t>(span))
                                : port_lo_ + (attempt - 32) % span;
        auto ok = Claim(kPortPrefix + std::to_string(port), owner);
        if (!ok.ok()) {
          undo();
          return Fail(ok.error());
        }
        if (*ok) {
          p["nodePort"] = port;
          claimed.push_back(kPortPrefix + std::to_string(port));
          found = true;
        }
      }
      if (!found) {
        undo();
        return Fail(ErrorCode::kInternal, "failed to allocate a node port: the range is full");
      }
    }
  }
  return errs;
}

Result<std::vector<FieldError>> ServiceAllocator::PrepareUpdate(json::object& svc, const json::object& current,
                                                                const std::string& owner) {
  std::vector<FieldError> errs;
  json::object& spec = *Spec(svc);
  auto cur_spec_it = current.find("spec");
  json::object cur_spec = cur_spec_it != current.end() && cur_spec_it->value().is_object() ? cur_spec_it->value().as_object()
                                                                                           : json::object();
  std::string cur_ip = Str(cur_spec, "clusterIP");
  std::string ip = Str(spec, "clusterIP");
  if (ip.empty() && !cur_ip.empty()) {
    spec["clusterIP"] = cur_ip;
    if (auto it = cur_spec.find("clusterIPs"); it != cur_spec.end()) spec["clusterIPs"] = it->value();
    if (auto it = cur_spec.find("ipFamilies"); it != cur_spec.end()) spec["ipFamilies"] = it->value();
    if (auto it = cur_spec.find("ipFamilyPolicy"); it != cur_spec.end()) spec["ipFamilyPolicy"] = it->value();
  } else if (!ip.empty() && ip != cur_ip) {
    errs.push_back({"spec.clusterIPs[0]", "FieldValueInvalid", "Invalid value: []string{\"" + ip + "\"}: may not change once set"});
    return errs;
  }
  errs = DefaultAndValidate(svc);
  if (!errs.empty()) return errs;
  // DefaultAndValidate looks "spec" up with operator[], which in Boost.JSON 1.81 may move svc's storage
  // even when the key exists (it reserves room first): `spec` may dangle, so look it up again.
  json::object& spec_now = *Spec(svc);
  std::string type = Str(spec_now, "type");
  if (!NeedsNodePorts(type)) return errs;
  if (Str(spec_now, "externalTrafficPolicy").empty()) spec_now["externalTrafficPolicy"] = "Cluster";
  // Keep the node ports the current object holds for the same port/protocol.
  std::map<std::pair<int64_t, std::string>, int64_t> held;
  if (auto it = cur_spec.find("ports"); it != cur_spec.end() && it->value().is_array()) {
    for (const auto& p : it->value().as_array())
      if (p.is_object()) held[{Int(p.as_object(), "port"), Str(p.as_object(), "protocol")}] = Int(p.as_object(), "nodePort");
  }
  auto& ports = spec_now["ports"].as_array();
  for (size_t i = 0; i < ports.size(); ++i) {
    auto& p = ports[i].as_object();
    if (Int(p, "nodePort") != 0) continue;
    auto it = held.find({Int(p, "port"), Str(p, "protocol")});
    if (it != held.end() && it->second != 0) {
      p["nodePort"] = it->second;
      continue;
    }
    int span = port_hi_ - port_lo_ + 1;
    for (int attempt = 0; attempt < span + 32; ++attempt) {
      int port = attempt < 32 ? port_lo_ + static_cast<int>(RandomU32() % static_cast<uint32_t>(span))
                              : port_lo_ + (attempt - 32) % span;
      auto ok = Claim(kPortPrefix + std::to_string(port), owner);
      if (!ok.ok()) return Fail(ok.error());
      if (*ok) {
        p["nodePort"] = port;
        break;
      }
    }
  }
  return errs;
}

void ServiceAllocator::Release(const json::object& svc) {
  auto spec_it = svc.find("spec");
  if (spec_it == svc.end() || !spec_it->value().is_object()) return;
  const auto& spec = spec_it->value().as_object();
  std::string ip = Str(spec, "clusterIP");
  if (!ip.empty() && ip != "None") (void)store_->Delete(kIpPrefix + ip, 0);
  if (auto it = spec.find("ports"); it != spec.end() && it->value().is_array()) {
    for (const auto& p : it->value().as_array()) {
      if (!p.is_object()) continue;
      int64_t np = Int(p.as_object(), "nodePort");
      if (np != 0) (void)store_->Delete(kPortPrefix + std::to_string(np), 0);
    }
  }
}

}  // namespace k1s::registry
