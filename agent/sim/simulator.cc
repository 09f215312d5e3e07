#include "agent/sim/simulator.h"

#include <openssl/pem.h>
#include <pthread.h>
#include <signal.h>
#include <openssl/x509.h>

#include <algorithm>
#include <boost/json/array.hpp>
#include <cstdlib>

#include "lib/api/meta.h"
#include "lib/base/clock.h"
#include "lib/base/log.h"
#include "lib/base/strings.h"
#include "lib/client/https_client.h"
#include "lib/net/pki.h"

namespace k1s::agent::sim {

namespace json = boost::json;
using client::json::object;
using std::chrono::milliseconds;

namespace {

constexpr char kLog[] = "sim";
constexpr char kLeaseNamespace[] = "kube-node-lease";
constexpr char kFieldManager[] = "k1s-simulator";

std::string Str(const object& o, std::string_view key) {
  auto it = o.find(key);
  return it != o.end() && it->value().is_string() ? std::string(it->value().as_string()) : "";
}
const object* Obj(const object& o, std::string_view key) {
  auto it = o.find(key);
  return it != o.end() && it->value().is_object() ? &it->value().as_object() : nullptr;
}
const json::array* Arr(const object& o, std::string_view key) {
  auto it = o.find(key);
  return it != o.end() && it->value().is_array() ? &it->value().as_array() : nullptr;
}

std::vector<std::string> StringList(const object& container, std::string_view key) {
  std::vector<std::string> out;
  if (const auto* a = Arr(container, key))
    for (const auto& v : *a)
      if (v.is_string()) out.emplace_back(v.as_string());
  return out;
}

// The exit code a command line would give, or nullopt when it would keep running.
std::optional<int> CommandExitCode(const object& container) {
  auto argv = StringList(container, "command");
  for (auto& a : StringList(container, "args")) argv.push_back(a);
  if (argv.size() == 1 && (argv[0] == "true" || argv[0] == "/bin/true")) return 0;
  if (argv.size() == 1 && (argv[0] == "false" || argv[0] == "/bin/false")) return 1;
  if (argv.size() == 3 && (argv[0] == "sh" || argv[0] == "/bin/sh") && argv[1] == "-c") {
    std::string_view script = Trim(argv[2]);
    if (script == "true" || script == "exit") return 0;
    if (script == "false") return 1;
    if (StartsWith(script, "exit ")) {
      std::string code(Trim(script.substr(5)));
      if (!code.empty() && code.find_first_not_of("0123456789") == std::string::npos && code.size() <= 3) {
        return std::atoi(code.c_str());
      }
    }
  }
  return std::nullopt;
}

std::string ContainerId(const object& pod, const std::string& name) {
  std::string uid = api::MetaString(pod, "uid");
  return "k1s-sim://" + uid.substr(0, 8) + "-" + name;
}

json::array Conditions(const std::string& time, bool ready, const std::string& not_ready_reason) {
  json::array out;
  auto add = [&](const char* type, bool ok, const std::string& reason) {
    object c{{"type", type}, {"status", ok ? "True" : "False"}, {"lastProbeTime", nullptr},
             {"lastTransitionTime", time}};
    if (!ok && !reason.empty()) c["reason"] = reason;
    out.push_back(std::move(c));
  };
  add("PodReadyToStartContainers", true, "");
  add("Initialized", true, "");
  add("Ready", ready, not_ready_reason);
  add("ContainersReady", ready, not_ready_reason);
  add("PodScheduled", true, "");
  return out;
}

json::array InitContainerStatuses(const object& pod, const std::string& time) {
  json::array out;
  const object* spec = Obj(pod, "spec");
  if (spec == nullptr) return out;
  if (const auto* inits = Arr(*spec, "initContainers")) {
    for (const auto& c : *inits) {
      if (!c.is_object()) continue;
      std::string name = Str(c.as_object(), "name");
      out.push_back(object{{"name", name}, {"image", Str(c.as_object(), "image")},
                           {"imageID", "sim://" + Str(c.as_object(), "image")},
                           {"containerID", ContainerId(pod, name)}, {"ready", true}, {"restartCount", 0},
                           {"state", object{{"terminated", object{{"exitCode", 0}, {"reason", "Completed"},
                                                                   {"startedAt", time}, {"finishedAt", time},
                                                                   {"containerID", ContainerId(pod, name)}}}}}});
    }
  }
  return out;
}

// One status per container; state built by make_state(name).
template <typename F>
json::array ContainerStatuses(const object& pod, F make) {
  json::array out;
  const object* spec = Obj(pod, "spec");
  if (spec == nullptr) return out;
  if (const auto* cs = Arr(*spec, "containers")) {
    for (const auto& c : *cs) {
      if (!c.is_object()) continue;
      std::string name = Str(c.as_object(), "name");
      object st{{"name", name}, {"image", Str(c.as_object(), "image")},
                {"imageID", "sim://" + Str(c.as_object(), "image")}, {"containerID", ContainerId(pod, name)}};
      make(name, st);
      out.push_back(std::move(st));
    }
  }
  return out;
}

std::string RestartPolicy(const object& pod) {
  const object* spec = Obj(pod, "spec");
  std::string p = spec ? Str(*spec, "restartPolicy") : "";
  return p.empty() ? "Always" : p;
}

}  // namespace

std::optional<int> SimulatedExitCode(const object& pod) {
  std::string policy = RestartPolicy(pod);
  if (policy != "Never" && policy != "OnFailure") return std::nullopt;
  if (const object* meta = Obj(pod, "metadata")) {
    if (const object* ann = Obj(*meta, "annotations")) {
      std::string v = Str(*ann, "k1s.io/simulate-exit");
      if (!v.empty()) {
        char* end = nullptr;
        long code = std::strtol(v.c_str(), &end, 10);
        if (*end == '\0' && code >= 0 && code <= 255) return static_cast<int>(code);
      }
    }
  }
  const object* spec = Obj(pod, "spec");
  const json::array* containers = spec ? Arr(*spec, "containers") : nullptr;
  if (containers == nullptr || containers->empty()) return std::nullopt;
  int worst = 0;
  for (const auto& c : *containers) {
    if (!c.is_object()) return std::nullopt;
    auto code = CommandExitCode(c.as_object());
    if (!code) return std::nullopt;
    worst = std::max(worst, *code);
  }
  return worst;
}

std::string NodeName(const SimulatorOptions& o, int index) { return o.name_prefix + "-sim-" + std::to_string(index); }

std::string HostIp(int index) {
  int n = index + 1;  // skip 198.18.0.0
  return "198." + std::to_string(18 + n / 65536) + "." + std::to_string((n / 256) % 256) + "." + std::to_string(n % 256);
}

std::string PodIpPrefix(int index) {
  if (index < 256) return "10.42." + std::to_string(index) + ".";
  int rest = index - 256;
  return "10." + std::to_string(100 + rest / 256) + "." + std::to_string(rest % 256) + ".";
}

object NodeObject(const SimulatorOptions& o, int index, std::chrono::system_clock::time_point now) {
  const std::string name = NodeName(o, index);
  const std::string time = client::FormatTime(now);
  object labels{{"kubernetes.io/hostname", name},
                {"kubernetes.io/os", "linux"},
                {"kubernetes.io/arch", "amd64"},
                {"beta.kubernetes.io/os", "linux"},
                {"beta.kubernetes.io/arch", "amd64"},
                {"node.kubernetes.io/instance-type", "k1s-sim"}};
  for (const auto& [k, v] : o.labels) labels[k] = v;
  json::array taints;
  for (const auto& t : o.taints) {
    auto colon = t.rfind(':');
    std::string kv = colon == std::string::npos ? t : t.substr(0, colon);
    object taint{{"key", kv.substr(0, kv.find('='))},
                 {"effect", colon == std::string::npos ? "NoSchedule" : t.substr(colon + 1)}};
    if (kv.find('=') != std::string::npos) taint["value"] = kv.substr(kv.find('=') + 1);
    taints.push_back(std::move(taint));
  }
  object resources{{"cpu", "4"}, {"memory", "16Gi"}, {"pods", "110"}, {"ephemeral-storage", "100Gi"},
                   {"hugepages-2Mi", "0"}};
  auto condition = [&](const char* type, const char* status, const char* reason, const char* message) {
    return object{{"type", type}, {"status", status}, {"lastHeartbeatTime", time}, {"lastTransitionTime", time},
                  {"reason", reason}, {"message", message}};
  };
  std::string id = net::Sha256Hex(name).substr(0, 32);
  object spec;
  if (!taints.empty()) spec["taints"] = std::move(taints);
  return object{
      {"apiVersion", "v1"},
      {"kind", "Node"},
      {"metadata", object{{"name", name}, {"labels", std::move(labels)},
                          {"annotations", object{{"k1s.io/simulated", "true"}, {"node.alpha.kubernetes.io/ttl", "0"}}}}},
      {"spec", std::move(spec)},
      {"status",
       object{{"capacity", resources},
              {"allocatable", resources},
              {"conditions",
               json::array{condition("MemoryPressure", "False", "KubeletHasSufficientMemory",
                                     "kubelet has sufficient memory available"),
                           condition("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
                           condition("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
                           condition("Ready", "True", "KubeletReady", "kubelet is posting ready status (simulated)")}},
              {"addresses", json::array{object{{"type", "InternalIP"}, {"address", HostIp(index)}},
                                        object{{"type", "Hostname"}, {"address", name}}}},
              {"daemonEndpoints", object{{"kubeletEndpoint", object{{"Port", 10250}}}}},
              {"nodeInfo", object{{"machineID", id},
                                  {"systemUUID", id},
                                  {"bootID", id},
                                  {"kernelVersion", "simulated"},
                                  {"osImage", "k1s simulated node"},
                                  {"containerRuntimeVersion", "k1s-sim://0.1.0"},
                                  {"kubeletVersion", o.kubelet_version},
                                  {"kubeProxyVersion", o.kubelet_version},
                                  {"operatingSystem", "linux"},
                                  {"architecture", "amd64"}}},
              {"images", json::array{}}}}};
}

object RunningStatusPatch(const object& pod, const std::string& pod_ip, const std::string& host_ip,
                          std::chrono::system_clock::time_point now) {
  const std::string time = client::FormatTime(now);
  auto containers = ContainerStatuses(pod, [&](const std::string&, object& st) {
    st["ready"] = true;
    st["started"] = true;
    st["restartCount"] = 0;
    st["state"] = object{{"running", object{{"startedAt", time}}}};
  });
  object status{{"phase", "Running"},
                {"hostIP", host_ip},
                {"hostIPs", json::array{object{{"ip", host_ip}}}},
                {"podIP", pod_ip},
                {"podIPs", json::array{object{{"ip", pod_ip}}}},
                {"startTime", time},
                {"conditions", Conditions(time, true, "")},
                {"containerStatuses", std::move(containers)}};
  auto inits = InitContainerStatuses(pod, time);
  if (!inits.empty()) status["initContainerStatuses"] = std::move(inits);
  return object{{"status", std::move(status)}};
}

object ExitedStatusPatch(const object& pod, int exit_code, std::chrono::system_clock::time_point now) {
  const std::string time = client::FormatTime(now);
  std::string started = time;
  if (const object* st = Obj(pod, "status"); st && !Str(*st, "startTime").empty()) started = Str(*st, "startTime");
  const bool restarts = exit_code != 0 && RestartPolicy(pod) == "OnFailure";
  object terminated{{"exitCode", exit_code}, {"reason", exit_code == 0 ? "Completed" : "Error"},
                    {"startedAt", started}, {"finishedAt", time}};
  auto containers = ContainerStatuses(pod, [&](const std::string& name, object& st) {
    object t = terminated;
    t["containerID"] = ContainerId(pod, name);
    st["ready"] = false;
    st["started"] = false;
    if (restarts) {  // OnFailure: the kubelet restarts it; the simulation shows the crash loop
      st["restartCount"] = 1;
      st["state"] = object{{"waiting", object{{"reason", "CrashLoopBackOff"},
                                              {"message", "back-off restarting failed container (simulated)"}}}};
      st["lastState"] = object{{"terminated", std::move(t)}};
    } else {
      st["restartCount"] = 0;
      st["state"] = object{{"terminated", std::move(t)}};
    }
  });
  object status{{"conditions", Conditions(time, false, restarts ? "ContainersNotReady" : "PodCompleted")},
                {"containerStatuses", std::move(containers)}};
  if (!restarts) status["phase"] = exit_code == 0 ? "Succeeded" : "Failed";
  return object{{"status", std::move(status)}};
}

Simulator::Simulator(client::Client& client, SimulatorOptions options, Clock& clock)
    : client_(client), options_(std::move(options)), clock_(clock), queue_({.name = "sim-pods"}) {
  nodes_.resize(std::max(options_.nodes, 0));
  for (int i = 0; i < options_.nodes; ++i) {
    nodes_[i].name = NodeName(options_, i);
    nodes_[i].host_ip = HostIp(i);
    nodes_[i].pod_prefix = PodIpPrefix(i);
    node_index_[nodes_[i].name] = i;
  }
}

Simulator::~Simulator() { Stop(); }

int Simulator::ParallelFor(int n, const std::function<Status(int)>& fn) {
  std::atomic<int> next{0}, ok{0};
  int threads = std::max(1, std::min(options_.parallelism, n));
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      for (int i = next++; i < n; i = next++) {
        if (fn(i).ok()) ++ok;
      }
    });
  }
  for (auto& t : pool) t.join();
  return ok;
}

Status Simulator::RegisterNode(int index) {
  auto node = NodeObject(options_, index, clock_.Now());
  const std::string& name = nodes_[index].name;
  object status = node["status"].as_object();
  auto created = client_.Create(client::kNodes, "", node, client::WriteOptions{.field_manager = kFieldManager});
  if (!created.ok() && !client::IsAlreadyExists(created.error())) {
    K1S_LOG(kWarn, kLog) << "cannot register node " << name << ": " << created.error().ToString();
    return Fail(created.error());
  }
  if (!created.ok()) {
    // Registered before (an earlier run): take our labels and taints back, then the status below.
    object meta_patch{{"metadata", object{{"labels", node["metadata"].as_object()["labels"]}}}};
    if (node["spec"].as_object().contains("taints")) meta_patch["spec"] = node["spec"];
    auto patched = client_.Patch(client::kNodes, "", name, client::PatchType::kMerge, meta_patch,
                                 client::WriteOptions{.field_manager = kFieldManager}, "");
    if (!patched.ok()) return Fail(patched.error());
  }
  // The status too (a create may drop it; an old node has stale conditions).
  auto st = client_.Patch(client::kNodes, "", name, client::PatchType::kMerge, object{{"status", std::move(status)}},
                          client::WriteOptions{.field_manager = kFieldManager}, "status");
  if (!st.ok()) {
    K1S_LOG(kWarn, kLog) << "cannot set the status of node " << name << ": " << st.error().ToString();
    return Fail(st.error());
  }
  return EnsureLease(index);
}

Status Simulator::EnsureLease(int index) {
  const std::string& name = nodes_[index].name;
  auto node = client_.Get(client::kNodes, "", name);
  object meta{{"name", name}, {"namespace", kLeaseNamespace}};
  if (node.ok()) {
    meta["ownerReferences"] = json::array{object{{"apiVersion", "v1"}, {"kind", "Node"}, {"name", name},
                                                 {"uid", api::MetaString(*node, "uid")}}};
  }
  object lease{{"apiVersion", "coordination.k8s.io/v1"},
               {"kind", "Lease"},
               {"metadata", std::move(meta)},
               {"spec", object{{"holderIdentity", name},
                               {"leaseDurationSeconds", options_.lease_duration_seconds},
                               {"renewTime", client::FormatMicroTime(clock_.Now())}}}};
  auto created = client_.Create(client::kLeases, kLeaseNamespace, lease, client::WriteOptions{.field_manager = kFieldManager});
  if (created.ok()) return OkStatus();
  if (client::IsAlreadyExists(created.error())) return RenewLease(index);
  if (client::IsNotFound(created.error())) {
    // The namespace is missing (a server that does not create it): make it and try once more.
    auto ns = client_.Create(client::kNamespaces, "",
                             object{{"apiVersion", "v1"}, {"kind", "Namespace"},
                                    {"metadata", object{{"name", kLeaseNamespace}}}});
    if (ns.ok() || client::IsAlreadyExists(ns.error())) {
      auto again = client_.Create(client::kLeases, kLeaseNamespace, lease, client::WriteOptions{.field_manager = kFieldManager});
      if (again.ok() || client::IsAlreadyExists(again.error())) return OkStatus();
      return Fail(again.error());
    }
  }
  K1S_LOG(kWarn, kLog) << "cannot create the lease of " << name << ": " << created.error().ToString();
  return Fail(created.error());
}

Status Simulator::RenewLease(int index) {
  const std::string& name = nodes_[index].name;
  object patch{{"spec", object{{"holderIdentity", name},
                               {"leaseDurationSeconds", options_.lease_duration_seconds},
                               {"renewTime", client::FormatMicroTime(clock_.Now())}}}};
  auto r = client_.Patch(client::kLeases, kLeaseNamespace, name, client::PatchType::kMerge, patch,
                         client::WriteOptions{.field_manager = kFieldManager}, "");
  if (r.ok()) return OkStatus();
  if (client::IsNotFound(r.error())) return EnsureLease(index);  // deleted meanwhile
  K1S_LOG(kWarn, kLog) << "cannot renew the lease of " << name << ": " << r.error().ToString();
  return Fail(r.error());
}

int Simulator::RenewLeases() { return ParallelFor(options_.nodes, [this](int i) { return RenewLease(i); }); }

int Simulator::UpdateNodeStatuses() {
  return ParallelFor(options_.nodes, [this](int i) -> Status {
    auto node = NodeObject(options_, i, clock_.Now());
    object status = node["status"].as_object();
    // lastTransitionTime is left out so the server keeps the one of the last change.
    auto& conds = status["conditions"].as_array();
    for (auto& c : conds) c.as_object().erase("lastTransitionTime");
    auto r = client_.Patch(client::kNodes, "", nodes_[i].name, client::PatchType::kMerge,
                           object{{"status", object{{"conditions", std::move(conds)}}}},
                           client::WriteOptions{.field_manager = kFieldManager}, "status");
    if (r.ok()) return OkStatus();
    if (client::IsNotFound(r.error())) {
      K1S_LOG(kInfo, kLog) << "node " << nodes_[i].name << " was deleted; registering it again";
      return RegisterNode(i);
    }
    return Fail(r.error());
  });
}

Status Simulator::Start() {
  {
    std::lock_guard lock(mu_);
    if (started_) return OkStatus();
    started_ = true;
  }
  auto t0 = std::chrono::steady_clock::now();
  int ok = ParallelFor(options_.nodes, [this](int i) { return RegisterNode(i); });
  registered_ = ok;
  auto ms = std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - t0).count();
  if (ok == 0 && options_.nodes > 0) {
    return Fail(ErrorCode::kServiceUnavailable, "could not register any of the " + std::to_string(options_.nodes) +
                                                    " simulated nodes (see the warnings above)");
  }
  K1S_LOG(kInfo, kLog) << "registered " << ok << " of " << options_.nodes << " simulated nodes (" << NodeName(options_, 0)
                       << " ...) in " << ms << " ms";

  client::InformerOptions io;
  io.field_selector = "spec.nodeName!=";
  io.poll_interval = milliseconds(500);
  pods_ = std::make_unique<client::SharedInformer>(client_, client::kPods, io);
  pods_->AddEventHandler({.on_add = [this](const client::ObjectPtr& p) { Enqueue(p); },
                          .on_update = [this](const client::ObjectPtr&, const client::ObjectPtr& p) { Enqueue(p); },
                          .on_delete = [this](const client::ObjectPtr& p) { Enqueue(p); }});
  pods_->Start();
  worker_thread_ = std::thread([this] {
    client::RunWorkers(queue_, std::max(1, options_.workers), [this](const std::string& key) { return ReconcilePod(key); });
  });
  heartbeat_thread_ = std::thread([this] { HeartbeatLoop(); });
  return OkStatus();
}

void Simulator::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  stop_cv_.notify_all();
  if (pods_) pods_->Stop();
  queue_.ShutDown();
  if (worker_thread_.joinable()) worker_thread_.join();
  if (heartbeat_thread_.joinable()) heartbeat_thread_.join();
}

void Simulator::HeartbeatLoop() {
  auto next_lease = std::chrono::steady_clock::now() + options_.lease_interval;
  auto next_status = std::chrono::steady_clock::now() + options_.status_interval;
  std::unique_lock lock(mu_);
  while (!stopping_) {
    auto wake = std::min(next_lease, next_status);
    if (stop_cv_.wait_until(lock, wake, [this] { return stopping_; })) break;
    lock.unlock();
    auto now = std::chrono::steady_clock::now();
    if (now >= next_lease) {
      int ok = RenewLeases();
      if (ok < options_.nodes) {
        K1S_LOG(kWarn, kLog) << "renewed " << ok << " of " << options_.nodes << " leases";
      }
      next_lease = now + options_.lease_interval;
    }
    if (now >= next_status) {
      int ok = UpdateNodeStatuses();
      K1S_LOG(kDebug, kLog) << "node status heartbeat: " << ok << " of " << options_.nodes;
      next_status = now + options_.status_interval;
    }
    lock.lock();
  }
}

void Simulator::Enqueue(const client::ObjectPtr& pod) {
  const object* spec = Obj(*pod, "spec");
  if (spec == nullptr || !node_index_.contains(Str(*spec, "nodeName"))) return;
  queue_.Add(client::KeyOf(*pod));
}

int Simulator::AllocateIp(int node_index) {
  std::lock_guard lock(mu_);
  auto& n = nodes_[node_index];
  for (int tries = 0; tries < 253; ++tries) {
    int octet = n.next_octet;
    n.next_octet = n.next_octet >= 254 ? 2 : n.next_octet + 1;
    if (!n.used_octets[octet]) {
      n.used_octets[octet] = true;
      return octet;
    }
  }
  return 0;
}

void Simulator::ReleaseIp(int node_index, int octet) {
  if (octet <= 0) return;
  std::lock_guard lock(mu_);
  nodes_[node_index].used_octets[octet] = false;
}

int Simulator::RunningPods() const {
  std::lock_guard lock(mu_);
  int n = 0;
  for (const auto& [key, st] : pod_states_)
    if (st.started && !st.exited && !st.deleted) ++n;
  return n;
}

Status Simulator::ReconcilePod(const std::string& key) {
  auto [ns, name] = client::SplitKey(key);
  auto pod = pods_->Get(key);
  const auto now = std::chrono::steady_clock::now();
  int node = -1;
  if (pod) {
    const object* spec = Obj(*pod, "spec");
    auto it = spec ? node_index_.find(Str(*spec, "nodeName")) : node_index_.end();
    if (it != node_index_.end()) node = it->second;
  }
  // Our memory of the pod; reset when the pod went or was replaced by one of the same name.
  PodState st;
  {
    std::lock_guard lock(mu_);
    auto it = pod_states_.find(key);
    if (it != pod_states_.end() && (!pod || node < 0 || it->second.uid != api::MetaString(*pod, "uid"))) {
      const PodState& old = it->second;
      if (old.ip_octet > 0 && old.node >= 0) nodes_[old.node].used_octets[old.ip_octet] = false;
      pod_states_.erase(it);
    }
    if (!pod || node < 0) return OkStatus();
    it = pod_states_.find(key);
    if (it == pod_states_.end()) {
      PodState fresh;
      fresh.uid = api::MetaString(*pod, "uid");
      fresh.first_seen = now;
      fresh.node = node;
      it = pod_states_.emplace(key, fresh).first;
    }
    st = it->second;
  }
  auto save = [&] {
    std::lock_guard lock(mu_);
    auto it = pod_states_.find(key);
    if (it != pod_states_.end() && it->second.uid == st.uid) it->second = st;
  };
  auto after = [&](std::chrono::steady_clock::time_point due) {
    queue_.AddAfter(key, std::chrono::duration_cast<milliseconds>(due - now) + milliseconds(1));
  };
  const object* meta = Obj(*pod, "metadata");
  const object* status = Obj(*pod, "status");
  const std::string phase = status ? Str(*status, "phase") : "";
  const client::WriteOptions wo{.field_manager = kFieldManager};

  if (meta && meta->contains("deletionTimestamp")) {
    if (st.deleted) return OkStatus();
    if (!st.deleting_since) st.deleting_since = now;
    int64_t grace = 30;
    if (auto g = meta->find("deletionGracePeriodSeconds"); g != meta->end() && g->value().is_int64()) {
      grace = g->value().as_int64();
    }
    auto due = *st.deleting_since + std::min<milliseconds>(ClampedSeconds(std::max<int64_t>(grace, 0)),
                                                           options_.max_delete_delay);
    if (now < due) {
      save();
      after(due);
      return OkStatus();
    }
    if (phase != "Succeeded" && phase != "Failed" && st.started) {
      // The containers stop (as after SIGTERM) before the pod goes.
      auto patch = ExitedStatusPatch(*pod, 0, clock_.Now());
      patch["status"].as_object().erase("phase");
      (void)client_.Patch(client::kPods, ns, name, client::PatchType::kMerge, patch, wo, "status");
    }
    client::DeleteOptions del;
    del.grace_period_seconds = 0;
    del.precondition_uid = st.uid;
    auto r = client_.Delete(client::kPods, ns, name, del, nullptr);
    if (!r.ok() && !client::IsNotFound(r.error()) && !client::IsConflict(r.error())) return Fail(r.error());
    st.deleted = true;
    ReleaseIp(node, st.ip_octet);
    st.ip_octet = 0;
    save();
    K1S_LOG(kDebug, kLog) << "pod " << key << " terminated on " << nodes_[node].name;
    return OkStatus();
  }
  if (phase == "Succeeded" || phase == "Failed") {
    if (!st.exited && st.ip_octet > 0) {
      ReleaseIp(node, st.ip_octet);
      st.ip_octet = 0;
    }
    st.exited = true;
    save();
    return OkStatus();
  }
  if (phase.empty() || phase == "Pending") {
    if (st.started) return OkStatus();  // our Running write is on its way back through the watch
    auto due = st.first_seen + options_.start_delay;
    if (now < due) {
      after(due);
      return OkStatus();
    }
    int octet = st.ip_octet > 0 ? st.ip_octet : AllocateIp(node);
    if (octet == 0) return Fail(ErrorCode::kServiceUnavailable, "no pod IP left on " + nodes_[node].name);
    st.ip_octet = octet;
    save();
    auto patch = RunningStatusPatch(*pod, nodes_[node].pod_prefix + std::to_string(octet), nodes_[node].host_ip,
                                    clock_.Now());
    auto r = client_.Patch(client::kPods, ns, name, client::PatchType::kMerge, patch, wo, "status");
    if (!r.ok()) {
      if (client::IsNotFound(r.error())) return OkStatus();  // deleted meanwhile; the event follows
      return Fail(r.error());
    }
    st.started = true;
    st.running_since = now;
    save();
    K1S_LOG(kDebug, kLog) << "pod " << key << " running on " << nodes_[node].name;
    if (SimulatedExitCode(*pod)) after(now + options_.run_duration);
    return OkStatus();
  }
  if (phase == "Running") {
    if (!st.started) {
      // Started by an earlier run of the simulator: adopt it and its IP.
      st.started = true;
      st.running_since = now;
      std::string ip = status ? Str(*status, "podIP") : "";
      if (StartsWith(ip, nodes_[node].pod_prefix)) {
        int64_t octet = ParseInt64(std::string_view(ip).substr(nodes_[node].pod_prefix.size())).value_or(0);
        if (octet > 0 && octet < 256) {
          std::lock_guard lock(mu_);
          nodes_[node].used_octets[octet] = true;
          st.ip_octet = static_cast<int>(octet);
        }
      }
      save();
    }
    auto code = SimulatedExitCode(*pod);
    if (!code || st.exited) return OkStatus();
    auto due = *st.running_since + options_.run_duration;
    if (now < due) {
      after(due);
      return OkStatus();
    }
    auto r = client_.Patch(client::kPods, ns, name, client::PatchType::kMerge, ExitedStatusPatch(*pod, *code, clock_.Now()),
                           wo, "status");
    if (!r.ok()) {
      if (client::IsNotFound(r.error())) return OkStatus();
      return Fail(r.error());
    }
    st.exited = true;
    if (*code == 0 || RestartPolicy(*pod) == "Never") {
      ReleaseIp(node, st.ip_octet);
      st.ip_octet = 0;
    }
    save();
    K1S_LOG(kDebug, kLog) << "pod " << key << " containers exited with " << *code;
  }
  return OkStatus();
}

Result<net::HttpClientOptions> JoinOptions(const std::string& server_url, const std::string& token) {
  K1S_ASSIGN_OR_RETURN(auto parsed, net::ParseToken(token));
  if (parsed.ca_hash.empty()) {
    return Fail(ErrorCode::kInvalid,
                "the token has no CA hash, so the server's CA cannot be pinned: use the full token "
                "(K10<hash>::server:<secret>, in <data-dir>/server/token on the server)");
  }
  net::HttpClientOptions insecure;
  insecure.server = server_url;
  insecure.insecure_skip_verify = true;
  insecure.request_timeout = milliseconds(15000);
  K1S_ASSIGN_OR_RETURN(auto bootstrap, net::HttpClient::Create(insecure));
  K1S_ASSIGN_OR_RETURN(auto res, bootstrap->Do({.method = "GET", .target = "/cacerts"}));
  if (res.status != 200 || res.body.empty()) {
    return Fail(ErrorCode::kServiceUnavailable, "GET " + server_url + "/cacerts answered HTTP " +
                                                    std::to_string(res.status) + ": is this a k1s server?");
  }
  bool match = net::Sha256Hex(res.body) == parsed.ca_hash;
  if (!match) {
    // Also accept the hash of the first certificate's DER.
    BIO* bio = BIO_new_mem_buf(res.body.data(), static_cast<int>(res.body.size()));
    if (X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)) {
      unsigned char* der = nullptr;
      int len = i2d_X509(cert, &der);
      if (len > 0) {
        match = net::Sha256Hex(std::string_view(reinterpret_cast<char*>(der), static_cast<size_t>(len))) == parsed.ca_hash;
        OPENSSL_free(der);
      }
      X509_free(cert);
    }
    BIO_free(bio);
  }
  if (!match) {
    return Fail(ErrorCode::kUnauthorized, "the CA served by " + server_url +
                                              "/cacerts does not match the token's CA hash: wrong token, or not the "
                                              "server you think it is");
  }
  net::HttpClientOptions out;
  out.server = server_url;
  out.ca_pem = res.body;
  out.bearer_token = std::string(Trim(token));
  out.user_agent = "k1s-simulator";
  return out;
}

int Run(const std::string& server_url, const std::string& token, SimulatorOptions options) {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // every thread started below inherits the mask

  auto join = JoinOptions(server_url, token);
  if (!join.ok()) {
    K1S_LOG(kError, kLog) << "cannot join " << server_url << ": " << join.error().message;
    return 1;
  }
  K1S_LOG(kInfo, kLog) << "CA of " << server_url << " pinned by the token's hash";
  auto http = client::HttpsClient::New(*join);
  if (!http.ok()) {
    K1S_LOG(kError, kLog) << http.error().message;
    return 1;
  }
  Simulator sim(**http, std::move(options));
  if (auto s = sim.Start(); !s.ok()) {
    K1S_LOG(kError, kLog) << s.error().message;
    return 1;
  }
  K1S_LOG(kInfo, kLog) << "simulating " << sim.registered_nodes() << " nodes against " << server_url
                       << "; stop with Ctrl-C or SIGTERM (the nodes then go NotReady when their leases expire)";
  int sig = 0;
  sigwait(&signals, &sig);
  K1S_LOG(kInfo, kLog) << "signal " << sig << ": stopping the simulator";
  sim.Stop();
  return 0;
}

}  // namespace k1s::agent::sim
