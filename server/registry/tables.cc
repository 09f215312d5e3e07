#include "server/registry/tables.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "lib/base/strings.h"

namespace k1s::registry {

namespace json = boost::json;

namespace {

// ---- reading JSON that may be partial or malformed ----

// A read-only view of a JSON value that never fails: a missing member, an index out of range or a
// value of the wrong shape reads as absent (empty string, no number, no items).
class View {
 public:
  View() = default;
  explicit View(const json::value* v) : v_(v) {}
  explicit View(const json::object& o) : o_(&o) {}

  const json::object* Object() const {
    if (o_ != nullptr) return o_;
    return v_ != nullptr && v_->is_object() ? &v_->get_object() : nullptr;
  }
  const json::array* Array() const { return v_ != nullptr && v_->is_array() ? &v_->get_array() : nullptr; }
  bool IsObject() const { return Object() != nullptr; }
  bool IsString() const { return v_ != nullptr && v_->is_string(); }

  View operator[](std::string_view key) const {
    const json::object* o = Object();
    if (o == nullptr) return View();
    auto it = o->find(key);
    return it == o->end() ? View() : View(&it->value());
  }

  std::string Str(std::string_view dflt = "") const {
    return IsString() ? std::string(v_->get_string()) : std::string(dflt);
  }
  // A string that is absent or empty reads as dflt.
  std::string StrOr(std::string_view dflt) const {
    std::string s = Str();
    return s.empty() ? std::string(dflt) : s;
  }
  std::optional<int64_t> Int() const {
    if (v_ == nullptr) return std::nullopt;
    if (v_->is_int64()) return v_->get_int64();
    if (v_->is_uint64()) {
      uint64_t u = v_->get_uint64();
      return u > static_cast<uint64_t>(INT64_MAX) ? INT64_MAX : static_cast<int64_t>(u);
    }
    if (v_->is_double()) {
      double d = v_->get_double();
      if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9.0e18) return static_cast<int64_t>(d);
    }
    return std::nullopt;
  }
  int64_t IntOr(int64_t dflt) const { return Int().value_or(dflt); }
  std::optional<bool> Bool() const {
    return v_ != nullptr && v_->is_bool() ? std::optional<bool>(v_->get_bool()) : std::nullopt;
  }
  bool BoolOr(bool dflt) const { return Bool().value_or(dflt); }

  std::vector<View> Items() const {
    std::vector<View> out;
    if (const json::array* a = Array()) {
      out.reserve(a->size());
      for (const auto& v : *a) out.emplace_back(&v);
    }
    return out;
  }
  size_t Size() const {
    if (const json::array* a = Array()) return a->size();
    if (const json::object* o = Object()) return o->size();
    return 0;
  }
  // The string-valued members of an object, sorted by key (others are skipped).
  std::map<std::string, std::string> StringMap() const {
    std::map<std::string, std::string> out;
    if (const json::object* o = Object()) {
      for (const auto& kv : *o) {
        if (kv.value().is_string()) out[std::string(kv.key())] = std::string(kv.value().get_string());
      }
    }
    return out;
  }
  // The members of an object as views, sorted by key.
  std::map<std::string, View> Members() const {
    std::map<std::string, View> out;
    if (const json::object* o = Object()) {
      for (const auto& kv : *o) out.emplace(std::string(kv.key()), View(&kv.value()));
    }
    return out;
  }

  // A resource quantity as written ("1Gi"); a bare number as its decimal form; dflt otherwise.
  std::string Quantity(std::string_view dflt = "0") const {
    if (IsString()) return Str();
    if (auto i = Int()) return std::to_string(*i);
    if (v_ != nullptr && v_->is_double()) {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%g", v_->get_double());
      return buf;
    }
    return std::string(dflt);
  }
  // An int-or-string ("50%" or 2) as text; dflt when neither.
  std::string IntOrString(std::string_view dflt) const {
    if (IsString()) return Str();
    if (auto i = Int()) return std::to_string(*i);
    return std::string(dflt);
  }

 private:
  const json::value* v_ = nullptr;
  const json::object* o_ = nullptr;
};

// ---- time ----

int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2 ? 1 : 0;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

std::string FormatRfc3339Utc(int64_t t) {
  int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
  int64_t secs = t - days * 86400;
  int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = yoe + era * 400;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const int64_t m = mp < 10 ? mp + 3 : mp - 9;
  if (m <= 2) ++y;
  char buf[128];
  std::snprintf(buf, sizeof buf, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lldZ", static_cast<long long>(y),
                static_cast<long long>(m), static_cast<long long>(d), static_cast<long long>(secs / 3600),
                static_cast<long long>(secs / 60 % 60), static_cast<long long>(secs % 60));
  return buf;
}

// "45s" style age of a timestamp; "<unknown>" when absent or unparsable (upstream's zero time).
std::string AgeAt(const View& ts, int64_t now) {
  auto t = ParseRfc3339(ts.Str());
  return t ? HumanDuration(now - *t) : "<unknown>";
}

// ---- formatting helpers (the shapes upstream prints) ----

std::string Lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// "k=v,k2=v2" sorted by key; "<none>" when empty.
std::string FormatLabels(const View& labels) {
  std::vector<std::string> parts;
  for (const auto& [k, v] : labels.StringMap()) parts.push_back(k + "=" + v);
  return parts.empty() ? "<none>" : Join(parts, ",");
}

// A metav1.LabelSelector as selector text ("app=x,tier in (a,b),!gone"); "" for none or everything;
// nullopt when an expression is invalid.
std::optional<std::string> SelectorText(const View& sel) {
  if (!sel.IsObject()) return std::string();
  std::vector<std::pair<std::string, std::string>> reqs;  // key, text
  for (const auto& [k, v] : sel["matchLabels"].StringMap()) reqs.emplace_back(k, k + "=" + v);
  for (const View& e : sel["matchExpressions"].Items()) {
    std::string key = e["key"].Str();
    std::string op = e["operator"].Str();
    std::set<std::string> values;
    for (const View& v : e["values"].Items()) {
      if (v.IsString()) values.insert(v.Str());
    }
    std::vector<std::string> vals(values.begin(), values.end());
    if (key.empty()) return std::nullopt;
    if (op == "In" || op == "NotIn") {
      if (vals.empty()) return std::nullopt;
      reqs.emplace_back(key, key + (op == "In" ? " in (" : " notin (") + Join(vals, ",") + ")");
    } else if (op == "Exists") {
      reqs.emplace_back(key, key);
    } else if (op == "DoesNotExist") {
      reqs.emplace_back(key, "!" + key);
    } else {
      return std::nullopt;
    }
  }
  std::stable_sort(reqs.begin(), reqs.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> parts;
  for (auto& r : reqs) parts.push_back(std::move(r.second));
  return Join(parts, ",");
}

// Upstream's FormatLabelSelector: "<none>" when empty, "<error>" when invalid.
std::string FormatSelector(const View& sel) {
  auto s = SelectorText(sel);
  if (!s) return "<error>";
  return s->empty() ? "<none>" : *s;
}

// The names and the images of a pod template's containers, comma-separated.
std::pair<std::string, std::string> ContainerCells(const View& pod_spec) {
  std::vector<std::string> names, images;
  for (const View& c : pod_spec["containers"].Items()) {
    names.push_back(c["name"].Str());
    images.push_back(c["image"].Str());
  }
  return {Join(names, ","), Join(images, ",")};
}

// "a,b,c + 2 more..." for the first max of count items; empty_text when there are none.
std::string ListWithMore(const std::vector<std::string>& list, size_t count, size_t max, std::string_view empty_text) {
  std::string ret = Join(list, ",");
  if (count > max) return ret + " + " + std::to_string(count - max) + " more...";
  return ret.empty() ? std::string(empty_text) : ret;
}

bool HasCondition(const View& conditions, std::string_view type) {
  for (const View& c : conditions.Items()) {
    if (c["type"].Str() == type) return c["status"].Str() == "True";
  }
  return false;
}

bool Deleting(const View& obj) { return !obj["metadata"]["deletionTimestamp"].Str().empty(); }

// ---- columns ----

struct Col {
  const char* name;
  const char* type;
  const char* description;
  int priority = 0;
  const char* format = "";
};

const Col kName{"Name", "string", "The name of the object, unique within its namespace.", 0, "name"};
const Col kAge{"Age", "string", "How long ago the object was created."};
const Col kContainers{"Containers", "string", "The names of the template's containers.", 1};
const Col kImages{"Images", "string", "The images of the template's containers.", 1};
const Col kSelector{"Selector", "string", "The label selector of the pods it manages.", 1};

json::object ColumnJson(const Col& c) {
  return json::object{{"name", c.name},
                      {"type", c.type},
                      {"format", c.format},
                      {"description", c.description},
                      {"priority", c.priority}};
}

// ---- per-kind printers ----

struct Ctx {
  View obj;
  int64_t now;
  std::string name;
  json::array& cells;
  void Add(std::string s) { cells.emplace_back(json::string(s)); }
  void Add(const char* s) { cells.emplace_back(json::string(s)); }
  void Add(int64_t i) { cells.emplace_back(i); }
  void Add(bool b) { cells.emplace_back(b); }
  std::string Age() const { return AgeAt(obj["metadata"]["creationTimestamp"], now); }
};

// -- core --

struct PodSummary {
  std::string ready;
  std::string status;
  std::string restarts;
};

// restartCount is an int32 upstream; clamping keeps sums of hostile values from overflowing.
int64_t RestartCount(const View& container_status) {
  return std::clamp<int64_t>(container_status["restartCount"].IntOr(0), INT32_MIN, INT32_MAX);
}

void LaterOf(std::optional<int64_t>& latest, const View& ts) {
  auto t = ParseRfc3339(ts.Str());
  if (t && (!latest || *t > *latest)) latest = t;
}

PodSummary SummarizePod(const View& pod, int64_t now) {
  const View spec = pod["spec"];
  const View status = pod["status"];
  const std::string phase = status["phase"].Str();
  std::string reason = status["reason"].StrOr(phase);
  for (const View& c : status["conditions"].Items()) {
    if (c["type"].Str() == "PodScheduled" && c["reason"].Str() == "SchedulingGated") reason = "SchedulingGated";
  }

  int64_t total = static_cast<int64_t>(spec["containers"].Size());
  int64_t ready = 0;
  const std::vector<View> init_specs = spec["initContainers"].Items();
  std::set<std::string> sidecars;  // restartable init containers run beside the main ones
  for (const View& c : init_specs) {
    if (c["restartPolicy"].Str() == "Always") {
      sidecars.insert(c["name"].Str());
      ++total;
    }
  }

  int64_t restarts = 0, sidecar_restarts = 0;
  std::optional<int64_t> last_restart, last_sidecar_restart;
  bool initializing = false;
  const std::vector<View> init_statuses = status["initContainerStatuses"].Items();
  for (size_t i = 0; i < init_statuses.size(); ++i) {
    const View c = init_statuses[i];
    const int64_t count = RestartCount(c);
    const bool sidecar = sidecars.count(c["name"].Str()) > 0;
    restarts += count;
    LaterOf(last_restart, c["lastState"]["terminated"]["finishedAt"]);
    if (sidecar) {
      sidecar_restarts += count;
      LaterOf(last_sidecar_restart, c["lastState"]["terminated"]["finishedAt"]);
    }
    const View terminated = c["state"]["terminated"];
    const View waiting = c["state"]["waiting"];
    if (terminated.IsObject() && terminated["exitCode"].IntOr(0) == 0) continue;
    if (sidecar && c["started"].BoolOr(false)) {
      if (c["ready"].BoolOr(false)) ++ready;
      continue;
    }
    if (terminated.IsObject()) {
      std::string why = terminated["reason"].Str();
      if (!why.empty()) {
        reason = "Init:" + why;
      } else if (int64_t sig = terminated["signal"].IntOr(0); sig != 0) {
        reason = "Init:Signal:" + std::to_string(sig);
      } else {
        reason = "Init:ExitCode:" + std::to_string(terminated["exitCode"].IntOr(0));
      }
    } else if (std::string why = waiting["reason"].Str(); !why.empty() && why != "PodInitializing") {
      reason = "Init:" + why;
    } else {
      reason = "Init:" + std::to_string(i) + "/" + std::to_string(init_specs.size());
    }
    initializing = true;
    break;
  }

  if (!initializing || HasCondition(status["conditions"], "Initialized")) {
    restarts = sidecar_restarts;
    last_restart = last_sidecar_restart;
    bool has_running = false;
    const std::vector<View> statuses = status["containerStatuses"].Items();
    for (size_t i = statuses.size(); i-- > 0;) {
      const View c = statuses[i];
      restarts += RestartCount(c);
      LaterOf(last_restart, c["lastState"]["terminated"]["finishedAt"]);
      const View terminated = c["state"]["terminated"];
      if (std::string why = c["state"]["waiting"]["reason"].Str(); !why.empty()) {
        reason = why;
      } else if (terminated.IsObject() && !terminated["reason"].Str().empty()) {
        reason = terminated["reason"].Str();
      } else if (terminated.IsObject()) {
        int64_t sig = terminated["signal"].IntOr(0);
        reason = sig != 0 ? "Signal:" + std::to_string(sig)
                          : "ExitCode:" + std::to_string(terminated["exitCode"].IntOr(0));
      } else if (c["ready"].BoolOr(false) && c["state"]["running"].IsObject()) {
        has_running = true;
        ++ready;
      }
    }
    // A container still running after another completed: the pod is not done.
    if (reason == "Completed" && has_running) {
      reason = HasCondition(status["conditions"], "Ready") ? "Running" : "NotReady";
    }
  }

  if (Deleting(pod) && status["reason"].Str() == "NodeLost") {
    reason = "Unknown";
  } else if (Deleting(pod) && phase != "Succeeded" && phase != "Failed") {
    reason = "Terminating";
  }

  PodSummary s;
  s.ready = std::to_string(ready) + "/" + std::to_string(total);
  s.status = reason;
  s.restarts = std::to_string(restarts);
  if (restarts != 0 && last_restart) s.restarts += " (" + HumanDuration(now - *last_restart) + " ago)";
  return s;
}

void PodCells(Ctx& x) {
  const View spec = x.obj["spec"], status = x.obj["status"];
  PodSummary s = SummarizePod(x.obj, x.now);
  x.Add(x.name);
  x.Add(s.ready);
  x.Add(s.status);
  x.Add(s.restarts);
  x.Add(x.Age());
  std::string ip;
  if (auto ips = status["podIPs"].Items(); !ips.empty()) ip = ips[0]["ip"].Str();
  if (ip.empty()) ip = status["podIP"].Str();
  x.Add(ip.empty() ? "<none>" : ip);
  x.Add(spec["nodeName"].StrOr("<none>"));
  x.Add(status["nominatedNodeName"].StrOr("<none>"));
  std::string gates = "<none>";
  if (auto wanted = spec["readinessGates"].Items(); !wanted.empty()) {
    int64_t met = 0;
    for (const View& g : wanted) {
      for (const View& c : status["conditions"].Items()) {
        if (c["type"].Str() == g["conditionType"].Str()) {
          if (c["status"].Str() == "True") ++met;
          break;
        }
      }
    }
    gates = std::to_string(met) + "/" + std::to_string(wanted.size());
  }
  x.Add(gates);
}

std::string NodeAddress(const View& node, std::string_view type) {
  for (const View& a : node["status"]["addresses"].Items()) {
    if (a["type"].Str() == type) return a["address"].Str();
  }
  return "<none>";
}

void NodeCells(Ctx& x) {
  std::vector<std::string> status;
  const View* ready = nullptr;
  const std::vector<View> conds = x.obj["status"]["conditions"].Items();
  for (const View& c : conds) {
    if (c["type"].Str() == "Ready") ready = &c;  // the last one wins, as in upstream's map
  }
  if (ready != nullptr) status.push_back((*ready)["status"].Str() == "True" ? "Ready" : "NotReady");
  if (status.empty()) status.push_back("Unknown");
  if (x.obj["spec"]["unschedulable"].BoolOr(false)) status.push_back("SchedulingDisabled");

  std::set<std::string> roles;
  for (const auto& [k, v] : x.obj["metadata"]["labels"].StringMap()) {
    static constexpr std::string_view kPrefix = "node-role.kubernetes.io/";
    if (StartsWith(k, kPrefix)) {
      if (k.size() > kPrefix.size()) roles.insert(k.substr(kPrefix.size()));
    } else if (k == "kubernetes.io/role" && !v.empty()) {
      roles.insert(v);
    }
  }
  const View info = x.obj["status"]["nodeInfo"];
  x.Add(x.name);
  x.Add(Join(status, ","));
  x.Add(roles.empty() ? "<none>" : Join(std::vector<std::string>(roles.begin(), roles.end()), ","));
  x.Add(x.Age());
  x.Add(info["kubeletVersion"].Str());
  x.Add(NodeAddress(x.obj, "InternalIP"));
  x.Add(NodeAddress(x.obj, "ExternalIP"));
  x.Add(info["osImage"].StrOr("<unknown>"));
  x.Add(info["kernelVersion"].StrOr("<unknown>"));
  x.Add(info["containerRuntimeVersion"].StrOr("<unknown>"));
}

void NamespaceCells(Ctx& x) {
  x.Add(x.name);
  x.Add(x.obj["status"]["phase"].StrOr("Active"));
  x.Add(x.Age());
}

void ConfigMapCells(Ctx& x) {
  x.Add(x.name);
  x.Add(static_cast<int64_t>(x.obj["data"].Size() + x.obj["binaryData"].Size()));
  x.Add(x.Age());
}

void SecretCells(Ctx& x) {
  x.Add(x.name);
  x.Add(x.obj["type"].StrOr("Opaque"));
  x.Add(static_cast<int64_t>(x.obj["data"].Size()));
  x.Add(x.Age());
}

void ServiceAccountCells(Ctx& x) {
  x.Add(x.name);
  x.Add(static_cast<int64_t>(x.obj["secrets"].Size()));
  x.Add(x.Age());
}

// The sorted, distinct IPs (or else hostnames) of a load balancer status, comma-separated.
std::string LoadBalancerText(const View& lb) {
  std::set<std::string> out;
  for (const View& i : lb["ingress"].Items()) {
    if (std::string ip = i["ip"].Str(); !ip.empty()) {
      out.insert(ip);
    } else if (std::string host = i["hostname"].Str(); !host.empty()) {
      out.insert(host);
    }
  }
  return Join(std::vector<std::string>(out.begin(), out.end()), ",");
}

std::vector<std::string> Strings(const View& list) {
  std::vector<std::string> out;
  for (const View& v : list.Items()) {
    if (v.IsString()) out.push_back(v.Str());
  }
  return out;
}

void ServiceCells(Ctx& x) {
  const View spec = x.obj["spec"];
  const std::string type = spec["type"].StrOr("ClusterIP");
  std::string cluster_ip;
  if (auto ips = Strings(spec["clusterIPs"]); !ips.empty()) cluster_ip = ips[0];
  if (cluster_ip.empty()) cluster_ip = spec["clusterIP"].Str();
  if (cluster_ip.empty()) cluster_ip = "<none>";

  const std::vector<std::string> external_ips = Strings(spec["externalIPs"]);
  std::string external;
  if (type == "ClusterIP" || type == "NodePort") {
    external = external_ips.empty() ? "<none>" : Join(external_ips, ",");
  } else if (type == "LoadBalancer") {
    std::string lb = LoadBalancerText(x.obj["status"]["loadBalancer"]);
    if (!external_ips.empty()) {
      std::vector<std::string> all;
      if (!lb.empty()) all = Split(lb, ',');
      all.insert(all.end(), external_ips.begin(), external_ips.end());
      external = Join(all, ",");
    } else {
      external = lb.empty() ? "<pending>" : lb;
    }
  } else if (type == "ExternalName") {
    external = spec["externalName"].Str();
  } else {
    external = "<unknown>";
  }

  std::vector<std::string> ports;
  for (const View& p : spec["ports"].Items()) {
    std::string text = std::to_string(p["port"].IntOr(0));
    if (int64_t node_port = p["nodePort"].IntOr(0); node_port > 0) text += ":" + std::to_string(node_port);
    ports.push_back(text + "/" + p["protocol"].StrOr("TCP"));
  }
  x.Add(x.name);
  x.Add(type);
  x.Add(cluster_ip);
  x.Add(external);
  x.Add(ports.empty() ? "<none>" : Join(ports, ","));
  x.Add(x.Age());
  x.Add(FormatLabels(spec["selector"]));
}

std::string JoinHostPort(const std::string& host, int64_t port) {
  bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

void EndpointsCells(Ctx& x) {
  constexpr size_t kMax = 3;
  std::vector<std::string> list;
  size_t count = 0;
  const std::vector<View> subsets = x.obj["subsets"].Items();
  for (const View& ss : subsets) {
    const std::vector<View> addrs = ss["addresses"].Items();
    const std::vector<View> ports = ss["ports"].Items();
    if (ports.empty()) {  // headless services without ports list bare addresses
      count += addrs.size();
      for (const View& a : addrs) {
        if (list.size() == kMax) break;
        list.push_back(a["ip"].Str());
      }
      continue;
    }
    for (const View& p : ports) {
      count += addrs.size();
      for (const View& a : addrs) {
        if (list.size() == kMax) break;
        list.push_back(JoinHostPort(a["ip"].Str(), p["port"].IntOr(0)));
      }
    }
  }
  x.Add(x.name);
  if (subsets.empty()) {
    x.Add("<none>");
  } else {
    std::string ret = Join(list, ",");
    x.Add(count > kMax && list.size() == kMax ? ret + " + " + std::to_string(count - kMax) + " more..." : ret);
  }
  x.Add(x.Age());
}

// Core/v1 and events.k8s.io/v1 events print alike; the field names differ.
void EventCells(Ctx& x, bool events_api) {
  const View o = x.obj;
  const View involved = events_api ? o["regarding"] : o["involvedObject"];
  const View source = events_api ? o["deprecatedSource"] : o["source"];
  const std::string reporting_controller = events_api ? o["reportingController"].Str() : o["reportingComponent"].Str();
  const View first_ts = events_api ? o["deprecatedFirstTimestamp"] : o["firstTimestamp"];
  const View last_ts = events_api ? o["deprecatedLastTimestamp"] : o["lastTimestamp"];
  const View count_v = events_api ? o["deprecatedCount"] : o["count"];
  const std::string message = events_api ? o["note"].Str() : o["message"].Str();

  std::string first = ParseRfc3339(first_ts.Str()) ? AgeAt(first_ts, x.now) : AgeAt(o["eventTime"], x.now);
  std::string last = ParseRfc3339(last_ts.Str()) ? AgeAt(last_ts, x.now) : first;
  int64_t count = count_v.IntOr(0);
  if (o["series"].IsObject()) {
    last = AgeAt(o["series"]["lastObservedTime"], x.now);
    count = o["series"]["count"].IntOr(0);
  } else if (count == 0) {
    count = 1;  // singleton events of the new API carry no count
  }
  std::string kind = Lower(involved["kind"].Str());
  std::string target = involved["name"].Str().empty() ? kind : kind + "/" + involved["name"].Str();
  std::string component = source["component"].StrOr(reporting_controller);
  std::string host = source["host"].StrOr(o["reportingInstance"].Str());

  x.Add(last);
  x.Add(o["type"].Str());
  x.Add(o["reason"].Str());
  x.Add(target);
  x.Add(involved["fieldPath"].Str());
  x.Add(host.empty() ? component : component + ", " + host);
  x.Add(std::string(Trim(message)));
  x.Add(first);
  x.Add(count);
  x.Add(x.name);
}

std::string AccessModes(const View& modes) {
  std::set<std::string> have;
  for (const std::string& m : Strings(modes)) have.insert(m);
  std::vector<std::string> out;
  for (const auto& [mode, abbr] : {std::pair{"ReadWriteOnce", "RWO"}, std::pair{"ReadOnlyMany", "ROX"},
                                   std::pair{"ReadWriteMany", "RWX"}, std::pair{"ReadWriteOncePod", "RWOP"}}) {
    if (have.count(mode) > 0) out.push_back(abbr);
  }
  return Join(out, ",");
}

// The beta annotation wins over spec.storageClassName, as upstream.
std::string StorageClassOf(const View& obj) {
  const View ann = obj["metadata"]["annotations"]["volume.beta.kubernetes.io/storage-class"];
  if (ann.IsString()) return ann.Str();
  return obj["spec"]["storageClassName"].Str();
}

void PersistentVolumeCells(Ctx& x) {
  const View spec = x.obj["spec"];
  std::string claim;
  if (spec["claimRef"].IsObject()) claim = spec["claimRef"]["namespace"].Str() + "/" + spec["claimRef"]["name"].Str();
  std::string phase = Deleting(x.obj) ? "Terminating" : x.obj["status"]["phase"].Str();
  x.Add(x.name);
  x.Add(spec["capacity"]["storage"].Quantity());
  x.Add(AccessModes(spec["accessModes"]));
  x.Add(spec["persistentVolumeReclaimPolicy"].Str());
  x.Add(phase);
  x.Add(claim);
  x.Add(StorageClassOf(x.obj));
  x.Add(spec["volumeAttributesClassName"].IsString() ? spec["volumeAttributesClassName"].Str() : "<unset>");
  x.Add(x.obj["status"]["reason"].Str());
  x.Add(x.Age());
  x.Add(spec["volumeMode"].IsString() ? spec["volumeMode"].Str() : "<unset>");
}

void PersistentVolumeClaimCells(Ctx& x) {
  const View spec = x.obj["spec"];
  std::string phase = Deleting(x.obj) ? "Terminating" : x.obj["status"]["phase"].Str();
  std::string volume = spec["volumeName"].Str();
  std::string capacity, modes;
  if (!volume.empty()) {
    modes = AccessModes(x.obj["status"]["accessModes"]);
    capacity = x.obj["status"]["capacity"]["storage"].Quantity();
  }
  x.Add(x.name);
  x.Add(phase);
  x.Add(volume);
  x.Add(capacity);
  x.Add(modes);
  x.Add(StorageClassOf(x.obj));
  x.Add(spec["volumeAttributesClassName"].IsString() ? spec["volumeAttributesClassName"].Str() : "<unset>");
  x.Add(x.Age());
  x.Add(spec["volumeMode"].IsString() ? spec["volumeMode"].Str() : "<unset>");
}

void ResourceQuotaCells(Ctx& x) {
  const View status = x.obj["status"];
  std::vector<std::string> requests, limits;
  for (const auto& [resource, hard] : status["hard"].Members()) {
    std::string text = resource + ": " + status["used"][resource].Quantity() + "/" + hard.Quantity();
    (StartsWith(resource, "limits.") ? limits : requests).push_back(text);
  }
  x.Add(x.name);
  x.Add(x.Age());
  x.Add(Join(requests, ", "));
  x.Add(Join(limits, ", "));
}

// -- apps, batch, autoscaling --

void DeploymentCells(Ctx& x) {
  const View spec = x.obj["spec"], status = x.obj["status"];
  auto [names, images] = ContainerCells(spec["template"]["spec"]);
  auto selector = SelectorText(spec["selector"]);
  x.Add(x.name);
  x.Add(std::to_string(status["readyReplicas"].IntOr(0)) + "/" + std::to_string(spec["replicas"].IntOr(1)));
  x.Add(status["updatedReplicas"].IntOr(0));
  x.Add(status["availableReplicas"].IntOr(0));
  x.Add(x.Age());
  x.Add(names);
  x.Add(images);
  x.Add(selector ? *selector : "<invalid>");
}

void ReplicaSetCells(Ctx& x) {
  const View spec = x.obj["spec"], status = x.obj["status"];
  auto [names, images] = ContainerCells(spec["template"]["spec"]);
  x.Add(x.name);
  x.Add(spec["replicas"].IntOr(1));
  x.Add(status["replicas"].IntOr(0));
  x.Add(status["readyReplicas"].IntOr(0));
  x.Add(x.Age());
  x.Add(names);
  x.Add(images);
  x.Add(FormatSelector(spec["selector"]));
}

void StatefulSetCells(Ctx& x) {
  const View spec = x.obj["spec"], status = x.obj["status"];
  auto [names, images] = ContainerCells(spec["template"]["spec"]);
  x.Add(x.name);
  x.Add(std::to_string(status["readyReplicas"].IntOr(0)) + "/" + std::to_string(spec["replicas"].IntOr(1)));
  x.Add(x.Age());
  x.Add(names);
  x.Add(images);
}

void DaemonSetCells(Ctx& x) {
  const View spec = x.obj["spec"], status = x.obj["status"];
  auto [names, images] = ContainerCells(spec["template"]["spec"]);
  x.Add(x.name);
  x.Add(status["desiredNumberScheduled"].IntOr(0));
  x.Add(status["currentNumberScheduled"].IntOr(0));
  x.Add(status["numberReady"].IntOr(0));
  x.Add(status["updatedNumberScheduled"].IntOr(0));
  x.Add(status["numberAvailable"].IntOr(0));
  x.Add(FormatLabels(spec["template"]["spec"]["nodeSelector"]));
  x.Add(x.Age());
  x.Add(names);
  x.Add(images);
  x.Add(FormatSelector(spec["selector"]));
}

void ControllerRevisionCells(Ctx& x) {
  std::string controller = "<none>";
  for (const View& ref : x.obj["metadata"]["ownerReferences"].Items()) {
    if (!ref["controller"].BoolOr(false)) continue;
    std::string api_version = ref["apiVersion"].Str();
    std::string kind = ref["kind"].Str();
    size_t slash = api_version.find('/');
    std::string group = slash == std::string::npos ? "" : api_version.substr(0, slash);
    std::string group_kind = group.empty() ? kind : kind + "." + group;
    controller = group_kind.empty() ? ref["name"].Str() : Lower(group_kind) + "/" + ref["name"].Str();
    break;
  }
  x.Add(x.name);
  x.Add(controller);
  x.Add(x.obj["revision"].IntOr(0));
  x.Add(x.Age());
}

std::string JobStatus(const View& job) {
  const View conds = job["status"]["conditions"];
  if (HasCondition(conds, "Complete")) return "Complete";
  if (HasCondition(conds, "Failed")) return "Failed";
  if (Deleting(job)) return "Terminating";
  if (HasCondition(conds, "Suspended")) return "Suspended";
  if (HasCondition(conds, "FailureTarget")) return "FailureTarget";
  return "Running";
}

void JobCells(Ctx& x) {
  const View spec = x.obj["spec"], status = x.obj["status"];
  const std::string succeeded = std::to_string(status["succeeded"].IntOr(0));
  std::string completions;
  if (auto c = spec["completions"].Int()) {
    completions = succeeded + "/" + std::to_string(*c);
  } else if (int64_t parallelism = spec["parallelism"].IntOr(0); parallelism > 1) {
    completions = succeeded + "/1 of " + std::to_string(parallelism);
  } else {
    completions = succeeded + "/1";
  }
  std::string duration;
  if (auto start = ParseRfc3339(status["startTime"].Str())) {
    auto end = ParseRfc3339(status["completionTime"].Str());
    duration = HumanDuration(end ? *end - *start : x.now - *start);
  }
  auto [names, images] = ContainerCells(spec["template"]["spec"]);
  x.Add(x.name);
  x.Add(JobStatus(x.obj));
  x.Add(completions);
  x.Add(duration);
  x.Add(x.Age());
  x.Add(names);
  x.Add(images);
  x.Add(FormatSelector(spec["selector"]));
}

void CronJobCells(Ctx& x) {
  const View spec = x.obj["spec"], status = x.obj["status"];
  const View job_spec = spec["jobTemplate"]["spec"];
  auto [names, images] = ContainerCells(job_spec["template"]["spec"]);
  auto suspend = spec["suspend"].Bool();
  x.Add(x.name);
  x.Add(spec["schedule"].Str());
  x.Add(spec["timeZone"].IsString() ? spec["timeZone"].Str() : "<none>");
  x.Add(suspend ? (*suspend ? "True" : "False") : "<unset>");
  x.Add(static_cast<int64_t>(status["active"].Size()));
  x.Add(status["lastScheduleTime"].IsString() ? AgeAt(status["lastScheduleTime"], x.now) : "<none>");
  x.Add(x.Age());
  x.Add(names);
  x.Add(images);
  x.Add(FormatSelector(job_spec["selector"]));
}

// One metric of an HPA as "current/target" in upstream's wording.
std::string HpaMetric(const View& spec, const View& status) {
  const std::string type = spec["type"].Str();
  auto value_or_avg = [](const View& target, const View& current) {
    if (target["averageValue"].IsString() || target["averageValue"].Int()) {
      std::string cur = current.IsObject() && !current["current"]["averageValue"].Quantity("").empty()
                            ? current["current"]["averageValue"].Quantity()
                            : "<unknown>";
      return cur + "/" + target["averageValue"].Quantity() + " (avg)";
    }
    std::string cur = current.IsObject() ? current["current"]["value"].Quantity("<nil>") : "<unknown>";
    return cur + "/" + target["value"].Quantity("<nil>");
  };
  auto resource = [](const View& s, const View& st) {
    const View target = s["target"];
    const std::string name = s["name"].Str();
    if (target["averageValue"].IsString() || target["averageValue"].Int()) {
      std::string cur = st.IsObject() ? st["current"]["averageValue"].Quantity("<nil>") : "<unknown>";
      return name + ": " + cur + "/" + target["averageValue"].Quantity();
    }
    std::string cur = "<unknown>";
    if (auto u = st["current"]["averageUtilization"].Int(); st.IsObject() && u) cur = std::to_string(*u) + "%";
    std::string tgt = "<auto>";
    if (auto u = target["averageUtilization"].Int()) tgt = std::to_string(*u) + "%";
    return name + ": " + cur + "/" + tgt;
  };
  if (type == "External") return value_or_avg(spec["external"]["target"], status["external"]);
  if (type == "Object") return value_or_avg(spec["object"]["target"], status["object"]);
  if (type == "Pods") {
    std::string cur = status["pods"].IsObject() ? status["pods"]["current"]["averageValue"].Quantity() : "<unknown>";
    return cur + "/" + spec["pods"]["target"]["averageValue"].Quantity();
  }
  if (type == "Resource") return resource(spec["resource"], status["resource"]);
  if (type == "ContainerResource") return resource(spec["containerResource"], status["containerResource"]);
  return "<unknown type>";
}

void HorizontalPodAutoscalerCells(Ctx& x) {
  const View spec = x.obj["spec"], status = x.obj["status"];
  const std::vector<View> metrics = spec["metrics"].Items();
  const std::vector<View> current = status["currentMetrics"].Items();
  std::string targets = "<none>";
  if (!metrics.empty()) {
    constexpr size_t kMax = 2;
    std::vector<std::string> list;
    for (size_t i = 0; i < metrics.size() && i < kMax; ++i) {
      list.push_back(HpaMetric(metrics[i], i < current.size() ? current[i] : View()));
    }
    targets = Join(list, ", ");
    if (metrics.size() > kMax) targets += " + " + std::to_string(metrics.size() - kMax) + " more...";
  }
  const View ref = spec["scaleTargetRef"];
  auto min = spec["minReplicas"].Int();
  x.Add(x.name);
  x.Add(ref["kind"].Str() + "/" + ref["name"].Str());
  x.Add(targets);
  x.Add(min ? std::to_string(*min) : "<unset>");
  x.Add(spec["maxReplicas"].IntOr(0));
  x.Add(status["currentReplicas"].IntOr(0));
  x.Add(x.Age());
}

// -- the rest --

void LeaseCells(Ctx& x) {
  x.Add(x.name);
  x.Add(x.obj["spec"]["holderIdentity"].Str());
  x.Add(x.Age());
}

void EndpointSliceCells(Ctx& x) {
  constexpr size_t kMax = 3;
  std::vector<std::string> ports;
  const std::vector<View> port_items = x.obj["ports"].Items();
  for (const View& p : port_items) {
    if (ports.size() == kMax) break;
    if (auto n = p["port"].Int()) {
      ports.push_back(std::to_string(*n));
    } else if (p["name"].IsString()) {
      ports.push_back(p["name"].Str());
    } else {
      ports.push_back("*");
    }
  }
  std::vector<std::string> addrs;
  size_t addr_count = 0;
  for (const View& e : x.obj["endpoints"].Items()) {
    for (const std::string& a : Strings(e["addresses"])) {
      if (addrs.size() < kMax) addrs.push_back(a);
      ++addr_count;
    }
  }
  x.Add(x.name);
  x.Add(x.obj["addressType"].Str());
  x.Add(ListWithMore(ports, port_items.size(), kMax, "<unset>"));
  x.Add(ListWithMore(addrs, addr_count, kMax, "<unset>"));
  x.Add(x.Age());
}

void BindingCells(Ctx& x) {
  const View ref = x.obj["roleRef"];
  std::vector<std::string> users, groups, sas;
  for (const View& s : x.obj["subjects"].Items()) {
    std::string kind = s["kind"].Str();
    if (kind == "User") {
      users.push_back(s["name"].Str());
    } else if (kind == "Group") {
      groups.push_back(s["name"].Str());
    } else if (kind == "ServiceAccount") {
      sas.push_back(s["namespace"].Str() + ":" + s["name"].Str());
    }
  }
  x.Add(x.name);
  x.Add(ref["kind"].Str() + "/" + ref["name"].Str());
  x.Add(x.Age());
  x.Add(Join(users, ", "));
  x.Add(Join(groups, ", "));
  x.Add(Join(sas, ", "));
}

void PodDisruptionBudgetCells(Ctx& x) {
  const View spec = x.obj["spec"];
  x.Add(x.name);
  x.Add(spec["minAvailable"].IntOrString("N/A"));
  x.Add(spec["maxUnavailable"].IntOrString("N/A"));
  x.Add(x.obj["status"]["disruptionsAllowed"].IntOr(0));
  x.Add(x.Age());
}

void IngressCells(Ctx& x) {
  const View spec = x.obj["spec"];
  constexpr size_t kMax = 3;
  const std::vector<View> rules = spec["rules"].Items();
  std::vector<std::string> hosts;
  bool more = false;
  for (const View& rule : rules) {
    if (hosts.size() == kMax) more = true;
    if (!more && !rule["host"].Str().empty()) hosts.push_back(rule["host"].Str());
  }
  std::string host_text = hosts.empty() ? "*" : Join(hosts, ",");
  if (!hosts.empty() && more) host_text += " + " + std::to_string(rules.size() - kMax) + " more...";
  x.Add(x.name);
  x.Add(spec["ingressClassName"].IsString() ? spec["ingressClassName"].Str() : "<none>");
  x.Add(host_text);
  x.Add(LoadBalancerText(x.obj["status"]["loadBalancer"]));
  x.Add(spec["tls"].Size() > 0 ? "80, 443" : "80");
  x.Add(x.Age());
}

void IngressClassCells(Ctx& x) {
  const View spec = x.obj["spec"];
  std::string params = "<none>";
  if (const View p = spec["parameters"]; p.IsObject()) {
    params = p["kind"].Str();
    if (p["apiGroup"].IsString()) params += "." + p["apiGroup"].Str();
    params += "/" + p["name"].Str();
  }
  x.Add(x.name);
  x.Add(spec["controller"].Str());
  x.Add(params);
  x.Add(x.Age());
}

void NetworkPolicyCells(Ctx& x) {
  x.Add(x.name);
  x.Add(FormatSelector(x.obj["spec"]["podSelector"]));
  x.Add(x.Age());
}

void StorageClassCells(Ctx& x) {
  const View ann = x.obj["metadata"]["annotations"];
  bool is_default = ann["storageclass.kubernetes.io/is-default-class"].Str() == "true" ||
                    ann["storageclass.beta.kubernetes.io/is-default-class"].Str() == "true";
  x.Add(is_default ? x.name + " (default)" : x.name);
  x.Add(x.obj["provisioner"].Str());
  x.Add(x.obj["reclaimPolicy"].IsString() ? x.obj["reclaimPolicy"].Str() : "Delete");
  x.Add(x.obj["volumeBindingMode"].IsString() ? x.obj["volumeBindingMode"].Str() : "Immediate");
  x.Add(x.obj["allowVolumeExpansion"].BoolOr(false));
  x.Add(x.Age());
}

void PriorityClassCells(Ctx& x) {
  x.Add(x.name);
  x.Add(x.obj["value"].IntOr(0));
  x.Add(x.obj["globalDefault"].BoolOr(false));
  x.Add(x.Age());
  x.Add(x.obj["preemptionPolicy"].Str());
}

void CertificateSigningRequestCells(Ctx& x) {
  const View spec = x.obj["spec"], status = x.obj["status"];
  bool approved = false, denied = false, failed = false;
  for (const View& c : status["conditions"].Items()) {
    std::string type = c["type"].Str();
    approved = approved || type == "Approved";
    denied = denied || type == "Denied";
    failed = failed || type == "Failed";
  }
  std::string condition = denied ? "Denied" : approved ? "Approved" : "Pending";
  if (failed) condition += ",Failed";
  if (!status["certificate"].Str().empty()) condition += ",Issued";
  auto expiration = spec["expirationSeconds"].Int();
  x.Add(x.name);
  x.Add(x.Age());
  x.Add(spec["signerName"].StrOr("<none>"));
  x.Add(spec["username"].Str());
  x.Add(expiration ? HumanDuration(*expiration) : "<none>");
  x.Add(condition);
}

// -- admissionregistration, apiregistration, flowcontrol, node --

void WebhookConfigurationCells(Ctx& x) {
  x.Add(x.name);
  x.Add(static_cast<int64_t>(x.obj["webhooks"].Size()));
  x.Add(x.Age());
}

void ValidatingAdmissionPolicyCells(Ctx& x) {
  const View spec = x.obj["spec"], param_kind = spec["paramKind"];
  x.Add(x.name);
  x.Add(static_cast<int64_t>(spec["validations"].Size()));
  x.Add(param_kind.IsObject() ? param_kind["apiVersion"].Str() + "/" + param_kind["kind"].Str() : "<unset>");
  x.Add(x.Age());
}

void ValidatingAdmissionPolicyBindingCells(Ctx& x) {
  const View spec = x.obj["spec"], ref = spec["paramRef"];
  std::string param = "<unset>";
  if (ref.IsObject()) {
    const std::string name = ref["name"].Str(), ns = ref["namespace"].Str();
    if (!name.empty()) {
      param = (ns.empty() ? "*" : ns) + "/" + name;  // a name without namespace may be cluster-scoped: "*/"
    } else if (ref["selector"].IsObject()) {
      param = FormatSelector(ref["selector"]);
    }
  }
  x.Add(x.name);
  x.Add(spec["policyName"].Str());
  x.Add(param);
  x.Add(x.Age());
}

void ApiServiceCells(Ctx& x) {
  const View service = x.obj["spec"]["service"];
  std::string available = "Unknown";
  for (const View& c : x.obj["status"]["conditions"].Items()) {
    if (c["type"].Str() != "Available") continue;
    const std::string status = c["status"].Str(), reason = c["reason"].Str();
    available = status == "True" || reason.empty() ? status : status + " (" + reason + ")";
    break;
  }
  x.Add(x.name);
  x.Add(service.IsObject() ? service["namespace"].Str() + "/" + service["name"].Str() : "Local");
  x.Add(available);
  x.Add(x.Age());
}

void FlowSchemaCells(Ctx& x) {
  const View spec = x.obj["spec"], method = spec["distinguisherMethod"];
  std::string missing = "?";
  for (const View& c : x.obj["status"]["conditions"].Items()) {
    if (c["type"].Str() == "Dangling") {
      missing = c["status"].Str();
      break;
    }
  }
  x.Add(x.name);
  x.Add(spec["priorityLevelConfiguration"]["name"].Str());
  x.Add(spec["matchingPrecedence"].IntOr(0));
  x.Add(method.IsObject() ? method["type"].Str() : "<none>");
  x.Add(x.Age());
  x.Add(missing);
}

void PriorityLevelConfigurationCells(Ctx& x) {
  const View spec = x.obj["spec"], limited = spec["limited"], queuing = limited["limitResponse"]["queuing"];
  x.Add(x.name);
  x.Add(spec["type"].Str());
  if (limited.IsObject()) {
    x.Add(limited["nominalConcurrencyShares"].IntOr(0));
  } else {
    x.Add("<none>");
  }
  for (const char* f : {"queues", "handSize", "queueLengthLimit"}) {
    if (limited.IsObject() && queuing.IsObject()) {
      x.Add(queuing[f].IntOr(0));
    } else {
      x.Add("<none>");
    }
  }
  x.Add(x.Age());
}

void RuntimeClassCells(Ctx& x) {
  x.Add(x.name);
  x.Add(x.obj["handler"].Str());
  x.Add(x.Age());
}

// Upstream's default convertor (kinds without a printer): the creation time as RFC 3339.
void CreatedAtCells(Ctx& x) {
  auto t = ParseRfc3339(x.obj["metadata"]["creationTimestamp"].Str());
  x.Add(x.name);
  x.Add(t ? FormatRfc3339Utc(*t) : "0001-01-01T00:00:00Z");
}

void NameAgeCells(Ctx& x) {
  x.Add(x.name);
  x.Add(x.Age());
}

// ---- the table of printers ----

struct Printer {
  const char* group;
  const char* plural;
  std::vector<Col> columns;
  void (*cells)(Ctx&);
};

void CoreEventCells(Ctx& x) { EventCells(x, false); }
void EventsApiEventCells(Ctx& x) { EventCells(x, true); }

const std::vector<Col>& EventColumns() {
  static const std::vector<Col> cols = {
      {"Last Seen", "string", "How long ago the event was last seen."},
      {"Type", "string", "Normal or Warning."},
      {"Reason", "string", "Why the event happened, in one word."},
      {"Object", "string", "The object the event is about (kind/name)."},
      {"Subobject", "string", "The part of the object (a field path).", 1},
      {"Source", "string", "The component (and host) that reported the event.", 1},
      {"Message", "string", "What happened, for humans."},
      {"First Seen", "string", "How long ago the event was first seen.", 1},
      {"Count", "string", "How many times the event happened.", 1},
      {"Name", "string", "The name of the event.", 1, "name"},
  };
  return cols;
}

const std::vector<Printer>& Printers() {
  static const std::vector<Printer> printers = [] {
    const Col binding_users{"Users", "string", "The users the binding grants the role to.", 1};
    const Col binding_groups{"Groups", "string", "The groups the binding grants the role to.", 1};
    const Col binding_sas{"ServiceAccounts", "string", "The service accounts the binding grants the role to.", 1};
    const Col created_at{"Created At", "date", "When the object was created (RFC 3339)."};
    std::vector<Printer> p = {
        {"", "pods",
         {kName,
          {"Ready", "string", "Ready containers of all containers."},
          {"Status", "string", "The pod's phase or what it waits for."},
          {"Restarts", "string", "Container restarts, and how long ago the last was."},
          kAge,
          {"IP", "string", "The pod's IP address.", 1},
          {"Node", "string", "The node the pod runs on.", 1},
          {"Nominated Node", "string", "The node the scheduler nominated by preemption.", 1},
          {"Readiness Gates", "string", "Readiness gates met of all readiness gates.", 1}},
         PodCells},
        {"", "nodes",
         {kName,
          {"Status", "string", "Ready, NotReady or Unknown, and whether scheduling is disabled."},
          {"Roles", "string", "The roles from node-role.kubernetes.io/ labels."},
          kAge,
          {"Version", "string", "The kubelet's version."},
          {"Internal-IP", "string", "The node's internal address.", 1},
          {"External-IP", "string", "The node's external address.", 1},
          {"OS-Image", "string", "The operating system image.", 1},
          {"Kernel-Version", "string", "The kernel version.", 1},
          {"Container-Runtime", "string", "The container runtime and its version.", 1}},
         NodeCells},
        {"", "namespaces", {kName, {"Status", "string", "Active or Terminating."}, kAge}, NamespaceCells},
        {"", "configmaps", {kName, {"Data", "string", "The number of keys."}, kAge}, ConfigMapCells},
        {"", "secrets",
         {kName, {"Type", "string", "The type of the secret."}, {"Data", "string", "The number of keys."}, kAge},
         SecretCells},
        {"", "serviceaccounts", {kName, {"Secrets", "string", "The number of secrets listed."}, kAge},
         ServiceAccountCells},
        {"", "services",
         {kName,
          {"Type", "string", "ClusterIP, NodePort, LoadBalancer or ExternalName."},
          {"Cluster-IP", "string", "The service's cluster IP."},
          {"External-IP", "string", "External IPs, load balancer addresses or the external name."},
          {"Port(s)", "string", "The ports (port[:nodePort]/protocol)."},
          kAge,
          {"Selector", "string", "The labels of the pods it routes to.", 1}},
         ServiceCells},
        {"", "endpoints", {kName, {"Endpoints", "string", "The first addresses (ip:port)."}, kAge}, EndpointsCells},
        {"", "events", EventColumns(), CoreEventCells},
        {"events.k8s.io", "events", EventColumns(), EventsApiEventCells},
        {"", "persistentvolumes",
         {kName,
          {"Capacity", "string", "The volume's storage capacity."},
          {"Access Modes", "string", "How the volume can be mounted (RWO, ROX, RWX, RWOP)."},
          {"Reclaim Policy", "string", "What happens to the volume when its claim goes."},
          {"Status", "string", "The volume's phase."},
          {"Claim", "string", "The claim bound to the volume (namespace/name)."},
          {"StorageClass", "string", "The volume's storage class."},
          {"VolumeAttributesClass", "string", "The volume's attributes class."},
          {"Reason", "string", "Why the volume is in its phase."},
          kAge,
          {"VolumeMode", "string", "Filesystem or Block.", 1}},
         PersistentVolumeCells},
        {"", "persistentvolumeclaims",
         {kName,
          {"Status", "string", "The claim's phase."},
          {"Volume", "string", "The volume bound to the claim."},
          {"Capacity", "string", "The bound volume's capacity."},
          {"Access Modes", "string", "How the bound volume can be mounted."},
          {"StorageClass", "string", "The claim's storage class."},
          {"VolumeAttributesClass", "string", "The claim's attributes class."},
          kAge,
          {"VolumeMode", "string", "Filesystem or Block.", 1}},
         PersistentVolumeClaimCells},
        {"", "resourcequotas",
         {kName,
          kAge,
          {"Request", "string", "Used of hard for each quota that is not a limit."},
          {"Limit", "string", "Used of hard for each limits.* quota."}},
         ResourceQuotaCells},
        {"", "limitranges", {kName, created_at}, CreatedAtCells},
        {"apps", "deployments",
         {kName,
          {"Ready", "string", "Ready replicas of desired replicas."},
          {"Up-to-date", "string", "Replicas running the current template."},
          {"Available", "string", "Replicas available to serve."},
          kAge, kContainers, kImages, kSelector},
         DeploymentCells},
        {"apps", "replicasets",
         {kName,
          {"Desired", "integer", "Desired replicas."},
          {"Current", "integer", "Current replicas."},
          {"Ready", "integer", "Ready replicas."},
          kAge, kContainers, kImages, kSelector},
         ReplicaSetCells},
        {"apps", "statefulsets",
         {kName, {"Ready", "string", "Ready replicas of desired replicas."}, kAge, kContainers, kImages},
         StatefulSetCells},
        {"apps", "daemonsets",
         {kName,
          {"Desired", "integer", "Nodes that should run the daemon pod."},
          {"Current", "integer", "Nodes that run the daemon pod."},
          {"Ready", "integer", "Nodes whose daemon pod is ready."},
          {"Up-to-date", "integer", "Nodes that run the current template."},
          {"Available", "integer", "Nodes whose daemon pod is available."},
          {"Node Selector", "string", "The labels a node needs to run the pod."},
          kAge, kContainers, kImages, kSelector},
         DaemonSetCells},
        {"apps", "controllerrevisions",
         {kName,
          {"Controller", "string", "The object that owns the revision (kind.group/name)."},
          {"Revision", "string", "The revision number."},
          kAge},
         ControllerRevisionCells},
        {"batch", "jobs",
         {kName,
          {"Status", "string", "Running, Complete, Failed, Suspended, FailureTarget or Terminating."},
          {"Completions", "string", "Succeeded pods of wanted completions."},
          {"Duration", "string", "How long the job ran (or has been running)."},
          kAge, kContainers, kImages, kSelector},
         JobCells},
        {"batch", "cronjobs",
         {kName,
          {"Schedule", "string", "The cron schedule."},
          {"Timezone", "string", "The time zone of the schedule."},
          {"Suspend", "boolean", "Whether new runs are suspended."},
          {"Active", "integer", "Jobs running now."},
          {"Last Schedule", "string", "How long ago a job was last scheduled."},
          kAge, kContainers, kImages, kSelector},
         CronJobCells},
        {"autoscaling", "horizontalpodautoscalers",
         {kName,
          {"Reference", "string", "The scaled object (kind/name)."},
          {"Targets", "string", "Current and target value of each metric."},
          {"MinPods", "string", "The lower replica bound."},
          {"MaxPods", "string", "The upper replica bound."},
          {"Replicas", "string", "Current replicas."},
          kAge},
         HorizontalPodAutoscalerCells},
        {"coordination.k8s.io", "leases", {kName, {"Holder", "string", "Who holds the lease."}, kAge}, LeaseCells},
        {"discovery.k8s.io", "endpointslices",
         {kName,
          {"AddressType", "string", "IPv4, IPv6 or FQDN."},
          {"Ports", "string", "The first ports."},
          {"Endpoints", "string", "The first addresses."},
          kAge},
         EndpointSliceCells},
        {"rbac.authorization.k8s.io", "roles", {kName, created_at}, CreatedAtCells},
        {"rbac.authorization.k8s.io", "clusterroles", {kName, created_at}, CreatedAtCells},
        {"rbac.authorization.k8s.io", "rolebindings",
         {kName, {"Role", "string", "The bound role (kind/name)."}, kAge, binding_users, binding_groups, binding_sas},
         BindingCells},
        {"rbac.authorization.k8s.io", "clusterrolebindings",
         {kName, {"Role", "string", "The bound role (kind/name)."}, kAge, binding_users, binding_groups, binding_sas},
         BindingCells},
        {"policy", "poddisruptionbudgets",
         {kName,
          {"Min Available", "string", "Pods that must stay available."},
          {"Max Unavailable", "string", "Pods that may be unavailable."},
          {"Allowed Disruptions", "integer", "Pods that may be disrupted now."},
          kAge},
         PodDisruptionBudgetCells},
        {"networking.k8s.io", "ingresses",
         {kName,
          {"Class", "string", "The ingress class."},
          {"Hosts", "string", "The hosts the rules match."},
          {"Address", "string", "The load balancer's addresses."},
          {"Ports", "string", "80, and 443 with TLS."},
          kAge},
         IngressCells},
        {"networking.k8s.io", "ingressclasses",
         {kName,
          {"Controller", "string", "The controller that implements the class."},
          {"Parameters", "string", "The parameters object (kind.group/name)."},
          kAge},
         IngressClassCells},
        {"networking.k8s.io", "networkpolicies",
         {kName, {"Pod-Selector", "string", "The pods the policy applies to."}, kAge}, NetworkPolicyCells},
        {"storage.k8s.io", "storageclasses",
         {kName,
          {"Provisioner", "string", "The volume provisioner."},
          {"ReclaimPolicy", "string", "What happens to volumes when their claim goes."},
          {"VolumeBindingMode", "string", "Immediate or WaitForFirstConsumer."},
          {"AllowVolumeExpansion", "string", "Whether volumes may grow."},
          kAge},
         StorageClassCells},
        {"scheduling.k8s.io", "priorityclasses",
         {kName,
          {"Value", "integer", "The priority."},
          {"Global-Default", "boolean", "Whether pods without a class get this one."},
          kAge,
          {"PreemptionPolicy", "string", "Whether pods of this class preempt others."}},
         PriorityClassCells},
        {"certificates.k8s.io", "certificatesigningrequests",
         {kName,
          kAge,
          {"SignerName", "string", "The signer asked to sign."},
          {"Requestor", "string", "The user who asked."},
          {"RequestedDuration", "string", "The validity asked for."},
          {"Condition", "string", "Pending, Approved or Denied, and Failed or Issued."}},
         CertificateSigningRequestCells},
        {"apiextensions.k8s.io", "customresourcedefinitions", {kName, created_at}, CreatedAtCells},
        {"admissionregistration.k8s.io", "mutatingwebhookconfigurations",
         {kName, {"Webhooks", "integer", "The number of webhooks in the configuration."}, kAge},
         WebhookConfigurationCells},
        {"admissionregistration.k8s.io", "validatingwebhookconfigurations",
         {kName, {"Webhooks", "integer", "The number of webhooks in the configuration."}, kAge},
         WebhookConfigurationCells},
        {"admissionregistration.k8s.io", "validatingadmissionpolicies",
         {kName,
          {"Validations", "integer", "The number of validation rules."},
          {"ParamKind", "string", "The kind of the parameter objects (apiVersion/kind)."},
          kAge},
         ValidatingAdmissionPolicyCells},
        {"admissionregistration.k8s.io", "validatingadmissionpolicybindings",
         {kName,
          {"PolicyName", "string", "The policy the binding applies."},
          {"ParamRef", "string", "The parameter object (namespace/name) or selector."},
          kAge},
         ValidatingAdmissionPolicyBindingCells},
        {"apiregistration.k8s.io", "apiservices",
         {kName,
          {"Service", "string", "The service that serves the group/version, or Local."},
          {"Available", "string", "Whether the group/version is available (and why not)."},
          kAge},
         ApiServiceCells},
        {"flowcontrol.apiserver.k8s.io", "flowschemas",
         {kName,
          {"PriorityLevel", "string", "The priority level matching requests get."},
          {"MatchingPrecedence", "string", "Lower values are matched first."},
          {"DistinguisherMethod", "string", "How flows are told apart (ByUser, ByNamespace)."},
          kAge,
          {"MissingPL", "string", "Whether the priority level it names is missing."}},
         FlowSchemaCells},
        {"flowcontrol.apiserver.k8s.io", "prioritylevelconfigurations",
         {kName,
          {"Type", "string", "Exempt or Limited."},
          {"NominalConcurrencyShares", "string", "The level's share of the server's concurrency."},
          {"Queues", "string", "The number of queues."},
          {"HandSize", "string", "The queues a flow is shuffle-sharded onto."},
          {"QueueLengthLimit", "string", "The requests a queue may hold."},
          kAge},
         PriorityLevelConfigurationCells},
        {"node.k8s.io", "runtimeclasses",
         {kName, {"Handler", "string", "The CRI handler that runs the pods."}, kAge}, RuntimeClassCells},
    };
    return p;
  }();
  return printers;
}

const Printer* FindPrinter(const ResourceInfo& r) {
  for (const Printer& p : Printers()) {
    if (r.group == p.group && r.plural == p.plural) return &p;
  }
  return nullptr;
}

}  // namespace

std::optional<int64_t> ParseRfc3339(std::string_view s) {
  auto digits = [&](size_t pos, size_t n) -> std::optional<int64_t> {
    if (pos + n > s.size()) return std::nullopt;
    int64_t v = 0;
    for (size_t i = pos; i < pos + n; ++i) {
      if (!std::isdigit(static_cast<unsigned char>(s[i]))) return std::nullopt;
      v = v * 10 + (s[i] - '0');
    }
    return v;
  };
  if (s.size() < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') || s[13] != ':' ||
      s[16] != ':') {
    return std::nullopt;
  }
  auto y = digits(0, 4), mo = digits(5, 2), d = digits(8, 2), h = digits(11, 2), mi = digits(14, 2),
       se = digits(17, 2);
  if (!y || !mo || !d || !h || !mi || !se || *mo < 1 || *mo > 12 || *d < 1 || *d > 31 || *h > 23 || *mi > 59 ||
      *se > 60) {
    return std::nullopt;
  }
  size_t pos = 19;
  if (s[pos] == '.') {
    ++pos;
    size_t start = pos;
    while (pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos]))) ++pos;
    if (pos == start) return std::nullopt;
  }
  int64_t offset = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    auto oh = digits(pos + 1, 2), om = digits(pos + 4, 2);
    if (!oh || !om || pos + 3 >= s.size() || s[pos + 3] != ':' || *oh > 23 || *om > 59) return std::nullopt;
    offset = (*oh * 3600 + *om * 60) * (s[pos] == '+' ? 1 : -1);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != s.size()) return std::nullopt;
  return DaysFromCivil(*y, *mo, *d) * 86400 + *h * 3600 + *mi * 60 + *se - offset;
}

std::string HumanDuration(int64_t seconds) {
  // As apimachinery's duration.HumanDuration: ~2-3 significant figures.
  if (seconds < -1) return "<invalid>";
  if (seconds < 0) return "0s";
  if (seconds < 120) return std::to_string(seconds) + "s";
  const int64_t minutes = seconds / 60;
  if (minutes < 10) {
    int64_t s = seconds % 60;
    return std::to_string(minutes) + "m" + (s == 0 ? "" : std::to_string(s) + "s");
  }
  if (minutes < 180) return std::to_string(minutes) + "m";
  const int64_t hours = seconds / 3600;
  if (hours < 8) {
    int64_t m = minutes % 60;
    return std::to_string(hours) + "h" + (m == 0 ? "" : std::to_string(m) + "m");
  }
  if (hours < 48) return std::to_string(hours) + "h";
  if (hours < 24 * 8) {
    int64_t h = hours % 24;
    return std::to_string(hours / 24) + "d" + (h == 0 ? "" : std::to_string(h) + "h");
  }
  if (hours < 24 * 365 * 2) return std::to_string(hours / 24) + "d";
  if (hours < 24 * 365 * 8) {
    int64_t dy = (hours / 24) % 365;
    return std::to_string(hours / 24 / 365) + "y" + (dy == 0 ? "" : std::to_string(dy) + "d");
  }
  return std::to_string(hours / 24 / 365) + "y";
}

std::string HumanAge(const std::string& ts) {
  auto t = ParseRfc3339(ts);
  return t ? HumanDuration(static_cast<int64_t>(std::time(nullptr)) - *t) : "<unknown>";
}

json::array TableColumns(const ResourceInfo& r) {
  json::array cols;
  if (const Printer* p = FindPrinter(r)) {
    for (const Col& c : p->columns) cols.push_back(ColumnJson(c));
  } else {
    cols.push_back(ColumnJson(kName));
    cols.push_back(ColumnJson(kAge));
  }
  return cols;
}

json::array TableCellsAt(const ResourceInfo& r, const json::object& obj, int64_t now_unix) {
  json::array cells;
  View root(obj);
  Ctx ctx{root, now_unix, root["metadata"]["name"].Str(), cells};
  if (const Printer* p = FindPrinter(r)) {
    cells.reserve(p->columns.size());
    p->cells(ctx);
  } else {
    NameAgeCells(ctx);
  }
  return cells;
}

json::array TableCells(const ResourceInfo& r, const json::object& obj) {
  return TableCellsAt(r, obj, static_cast<int64_t>(std::time(nullptr)));
}

json::array ScaleTableColumns() {
  json::array cols;
  for (const Col& c : {Col{"Name", "string", "The name of the scaled object."},
                       Col{"Desired", "integer", "The desired number of replicas (spec.replicas)."},
                       Col{"Available", "integer", "The observed number of replicas (status.replicas)."}}) {
    cols.push_back(ColumnJson(c));
  }
  return cols;
}

json::array ScaleTableCells(const json::object& scale) {
  View root(scale);
  return json::array{json::string(root["metadata"]["name"].Str()), root["spec"]["replicas"].IntOr(0),
                     root["status"]["replicas"].IntOr(0)};
}

}  // namespace k1s::registry
