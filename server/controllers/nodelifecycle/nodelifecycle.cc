#include "server/controllers/nodelifecycle/nodelifecycle.h"

#include <vector>

#include "lib/base/log.h"

namespace k1s::controllers {

namespace json = boost::json;

namespace {
constexpr const char* kLog = "node-lifecycle-controller";
namespace nl = nodelifecycle;

std::vector<std::string> PodNodeName(const json::object& pod) {
  const json::object* spec = nl::ObjectAt(pod, "spec");
  std::string n = spec ? nl::StringAt(*spec, "nodeName") : "";
  if (n.empty()) return {};
  return {n};
}

bool IsTerminating(const json::object& obj) {
  const json::object* m = nl::ObjectAt(obj, "metadata");
  return m && m->contains("deletionTimestamp") && !m->at("deletionTimestamp").is_null();
}

std::string TolerationsOf(const json::object& pod) {
  const json::object* spec = nl::ObjectAt(pod, "spec");
  const json::array* t = spec ? nl::ArrayAt(*spec, "tolerations") : nullptr;
  return t ? json::serialize(*t) : "";
}

// obj[key] as an object, made one if it is missing or not an object.
json::object& ObjectField(json::object& obj, std::string_view key) {
  json::value& v = obj[key];
  if (!v.is_object()) v = json::object{};
  return v.as_object();
}

json::array TaintsOf(const json::object& node) {
  const json::object* spec = nl::ObjectAt(node, "spec");
  const json::array* t = spec ? nl::ArrayAt(*spec, "taints") : nullptr;
  return t ? *t : json::array{};
}

}  // namespace

NodeLifecycleController::NodeLifecycleController(ControllerContext ctx, Clock& clock, NodeLifecycleOptions options)
    : ctx_(ctx),
      clock_(clock),
      options_(options),
      nodes_(ctx.informers.For(client::kNodes)),
      leases_(ctx.informers.For(client::kLeases, nl::kNodeLeaseNamespace)),
      pods_(ctx.informers.For(client::kPods)),
      queue_(client::WorkQueueOptions{.name = "node-lifecycle"}) {
  (void)pods_.AddIndex(kNodeNameIndex, PodNodeName);  // kAlreadyExists: another controller added it
  auto enqueue = [this](const client::ObjectPtr& o) { queue_.Add(nl::MetaString(*o, "name")); };
  nodes_.AddEventHandler({enqueue, [enqueue](const client::ObjectPtr&, const client::ObjectPtr& n) { enqueue(n); },
                          enqueue});
  leases_.AddEventHandler({enqueue, [enqueue](const client::ObjectPtr&, const client::ObjectPtr& n) { enqueue(n); },
                           nullptr});
  pods_.AddEventHandler({[this](const client::ObjectPtr& o) { EnqueuePod(o); },
                         [this](const client::ObjectPtr& o, const client::ObjectPtr& n) {
                           // Only what changes the eviction decision: binding and tolerations.
                           if (PodNodeName(*o) != PodNodeName(*n) || TolerationsOf(*o) != TolerationsOf(*n)) {
                             EnqueuePod(o);
                             EnqueuePod(n);
                           }
                         },
                         nullptr});
}

NodeLifecycleController::~NodeLifecycleController() { Stop(); }

void NodeLifecycleController::EnqueuePod(const client::ObjectPtr& pod) {
  for (const auto& n : PodNodeName(*pod)) queue_.Add(n);
}

void NodeLifecycleController::Start(int workers) {
  if (runner_.joinable()) return;
  runner_ = std::thread([this, workers] {
    for (auto* inf : {&nodes_, &leases_, &pods_})
      while (!inf->WaitForSync(std::chrono::milliseconds(500)))
        if (queue_.ShuttingDown()) return;
    K1S_LOG(kInfo, kLog) << "started with " << workers << " workers, grace period "
                         << options_.grace_period.count() << " ms";
    client::RunWorkers(queue_, workers, [this](const std::string& key) { return Reconcile(key); });
  });
  ticker_ = std::thread([this] { Tick(); });
}

// Every monitor period, every node is looked at: staleness shows only as time passing.
void NodeLifecycleController::Tick() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    cv_.wait_for(lock, options_.monitor_period, [this] { return stopping_; });
    if (stopping_) return;
    if (!nodes_.HasSynced()) continue;
    lock.unlock();
    for (const auto& key : nodes_.Keys()) queue_.Add(key);
    lock.lock();
  }
}

void NodeLifecycleController::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  queue_.ShutDown();
  if (ticker_.joinable()) ticker_.join();
  if (runner_.joinable()) runner_.join();
}

Status NodeLifecycleController::Reconcile(const std::string& name) {
  client::ObjectPtr cached = nodes_.Get(name);
  if (!cached) {
    std::lock_guard lock(mu_);
    probes_.erase(name);
    scheduled_.erase(name);
    return OkStatus();
  }
  const nl::TimePoint now = clock_.Now();
  client::ObjectPtr lease = leases_.Get(nl::kNodeLeaseNamespace, name);
  nl::Probe probe;
  std::string previous_ready;
  {
    std::lock_guard lock(mu_);
    auto it = probes_.find(name);
    std::optional<nl::Probe> prev;
    if (it != probes_.end()) prev = it->second;
    probe = nl::UpdateProbe(prev, *cached, lease.get(), now);
    previous_ready = prev ? prev->ready_status : "";
  }
  json::object node = *cached;

  // 1. Stale heartbeats: conditions Unknown.
  if (nl::IsStale(probe, node, now, options_.grace_period, options_.startup_grace_period)) {
    if (auto conds = nl::UnknownConditions(node, now)) {
      json::object updated = node;
      ObjectField(updated, "status")["conditions"] = std::move(*conds);
      auto r = ctx_.client.UpdateStatus(client::kNodes, "", name, std::move(updated));
      if (!r.ok()) return r.error().code == ErrorCode::kNotFound ? OkStatus() : Fail(r.error());
      node = std::move(*r);
      K1S_LOG(kInfo, kLog) << "node " << name << " stopped posting status: Ready is now Unknown";
    }
  }
  const std::string ready = nl::ReadyStatus(node);
  probe.ready_status = ready;
  {
    std::lock_guard lock(mu_);
    probes_[name] = probe;
  }

  // 2. Ready went away: an Event, and the node's pods are no longer Ready.
  if (previous_ready == "True" && ready != "True") {
    ctx_.events.Event(node, "Normal", "NodeNotReady", "Node " + name + " status is now: NodeNotReady");
    K1S_LOG(kInfo, kLog) << "node " << name << " is not ready (" << ready << "), marking its pods not ready";
    for (const auto& pod : pods_.ByIndex(kNodeNameIndex, name)) {
      auto st = nl::NotReadyPodStatus(*pod, now);
      if (!st) continue;
      json::object updated = *pod;
      updated["status"] = std::move(*st);
      auto r = ctx_.client.UpdateStatus(client::kPods, nl::MetaString(*pod, "namespace"),
                                        nl::MetaString(*pod, "name"), std::move(updated));
      if (!r.ok() && r.error().code != ErrorCode::kNotFound) {
        K1S_LOG(kWarn, kLog) << "marking pod " << client::KeyOf(*pod) << " not ready: " << r.error().message;
      }
    }
  }

  // 3. Taints follow the conditions.
  json::array taints = nl::DesiredTaints(node, now);
  if (taints != TaintsOf(node)) {
    json::object updated = node;
    ObjectField(updated, "spec")["taints"] = taints;
    auto r = ctx_.client.Update(client::kNodes, "", name, std::move(updated));
    if (!r.ok()) return r.error().code == ErrorCode::kNotFound ? OkStatus() : Fail(r.error());
    node = std::move(*r);
    K1S_LOG(kInfo, kLog) << "node " << name << " taints now " << json::serialize(TaintsOf(node));
  }

  // 4. NoExecute taints evict the pods that do not tolerate them.
  return EvictPods(name, node);
}

Status NodeLifecycleController::EvictPods(const std::string& node_name, const json::object& node) {
  const nl::TimePoint now = clock_.Now();
  const json::array taints = TaintsOf(node);
  std::set<std::string> waiting;
  std::optional<nl::TimePoint> next;
  Status result = OkStatus();
  for (const auto& pod : pods_.ByIndex(kNodeNameIndex, node_name)) {
    if (IsTerminating(*pod)) continue;
    const std::string key = client::KeyOf(*pod);
    auto at = nl::EvictionTime(*pod, taints, now);
    if (!at) continue;
    if (*at > now) {
      waiting.insert(key);
      next = next ? std::min(*next, *at) : *at;
      continue;
    }
    const std::string ns = nl::MetaString(*pod, "namespace"), pod_name = nl::MetaString(*pod, "name");
    ctx_.events.Event(*pod, "Normal", "TaintManagerEviction", "Marking for deletion Pod " + key);
    json::object updated = *pod;
    updated["status"] = nl::DisruptionTargetStatus(*pod, now);
    auto st = ctx_.client.UpdateStatus(client::kPods, ns, pod_name, std::move(updated));
    if (!st.ok() && st.error().code != ErrorCode::kNotFound) {
      K1S_LOG(kWarn, kLog) << "setting DisruptionTarget on " << key << ": " << st.error().message;
    }
    client::DeleteOptions opts;
    opts.precondition_uid = nl::MetaString(*pod, "uid");
    auto r = ctx_.client.Delete(client::kPods, ns, pod_name, opts, nullptr);
    if (!r.ok() && r.error().code != ErrorCode::kNotFound) {
      result = Fail(r.error());
      continue;
    }
    K1S_LOG(kInfo, kLog) << "evicted pod " << key << " from node " << node_name << " (NoExecute taint)";
  }
  std::set<std::string> cancelled;
  {
    std::lock_guard lock(mu_);
    for (const auto& key : scheduled_[node_name])
      if (!waiting.count(key)) cancelled.insert(key);
    scheduled_[node_name] = waiting;
  }
  for (const auto& key : cancelled) {
    auto pod = pods_.Get(key);
    if (!pod || IsTerminating(*pod) || nl::EvictionTime(*pod, taints, now)) continue;  // gone or evicted
    ctx_.events.Event(*pod, "Normal", "TaintManagerEviction", "Cancelling deletion of Pod " + key);
  }
  if (next)
    queue_.AddAfter(node_name, std::chrono::duration_cast<std::chrono::milliseconds>(*next - now) +
                                   std::chrono::milliseconds(10));
  return result;
}

}  // namespace k1s::controllers
