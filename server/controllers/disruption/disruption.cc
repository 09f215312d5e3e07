#include "server/controllers/disruption/disruption.h"

#include <algorithm>
#include <set>

#include "lib/api/meta.h"
#include "lib/base/log.h"
#include "server/controllers/replicaset/replicaset_logic.h"

namespace k1s::controllers {

using api::ObjAt;
using api::StrAt;
using client::ObjectPtr;
using replicaset::IntAt;

namespace {

constexpr const char* kLog = "disruption-controller";

// How upstream prints a *metav1.LabelSelector with %v (its generated String method).
std::string SelectorText(const json::object& pdb) {
  const json::object* sel = ObjAt(pdb, {"spec", "selector"});
  if (!sel) return "nil";
  std::string labels = "map[string]string{";
  if (const json::object* ml = ObjAt(*sel, {"matchLabels"})) {
    std::map<std::string, std::string> sorted;
    for (const auto& [k, v] : *ml) sorted[std::string(k)] = v.is_string() ? std::string(v.as_string()) : "";
    for (const auto& [k, v] : sorted) labels += k + ": " + v + ",";
  }
  labels += "}";
  std::string exprs = "[]LabelSelectorRequirement{";
  if (auto it = sel->find("matchExpressions"); it != sel->end() && it->value().is_array()) {
    for (const auto& e : it->value().as_array()) {
      if (!e.is_object()) continue;
      std::string values;
      if (auto vs = e.as_object().find("values"); vs != e.as_object().end() && vs->value().is_array()) {
        for (const auto& v : vs->value().as_array()) {
          if (!values.empty()) values += " ";
          if (v.is_string()) values += std::string(v.as_string());
        }
      }
      exprs += "LabelSelectorRequirement{Key:" + StrAt(e.as_object(), {"key"}) +
               ",Operator:" + StrAt(e.as_object(), {"operator"}) + ",Values:[" + values + "],},";
    }
  }
  exprs += "}";
  return "&LabelSelector{MatchLabels:" + labels + ",MatchExpressions:" + exprs + ",}";
}

}  // namespace

DisruptionController::DisruptionController(const ControllerContext& ctx, const Clock& clock)
    : ctx_(ctx),
      clock_(clock),
      pdbs_(ctx.informers.For(client::kPodDisruptionBudgets)),
      pods_(ctx.informers.For(client::kPods)),
      replicasets_(ctx.informers.For(client::kReplicaSets)),
      deployments_(ctx.informers.For(client::kDeployments)),
      statefulsets_(ctx.informers.For(client::kStatefulSets)),
      queue_(client::WorkQueueOptions{.name = "disruption"}) {
  auto enqueue = [this](const ObjectPtr& pdb) { queue_.Add(client::KeyOf(*pdb)); };
  pdbs_.AddEventHandler(client::EventHandlers{
      .on_add = enqueue,
      .on_update = [enqueue](const ObjectPtr&, const ObjectPtr& pdb) { enqueue(pdb); },
      .on_delete =
          [this](const ObjectPtr& pdb) {
            std::lock_guard lock(mu_);
            unseen_evictions_.erase(client::KeyOf(*pdb));
          },
  });
  pods_.AddEventHandler(client::EventHandlers{
      .on_add = [this](const ObjectPtr& pod) { EnqueuePdbsFor(*pod); },
      .on_update =
          [this](const ObjectPtr& old_pod, const ObjectPtr& pod) {
            if (api::MetaString(*old_pod, "resourceVersion") == api::MetaString(*pod, "resourceVersion")) return;
            EnqueuePdbsFor(*pod);
            if (api::Labels(*old_pod) != api::Labels(*pod)) EnqueuePdbsFor(*old_pod);
          },
      .on_delete = [this](const ObjectPtr& pod) { EnqueuePdbsFor(*pod); },
  });
}

DisruptionController::~DisruptionController() { Stop(); }

void DisruptionController::Start(int workers) {
  if (runner_.joinable()) return;
  runner_ = std::thread([this, workers] {
    while (!queue_.ShuttingDown()) {
      if (pdbs_.WaitForSync(std::chrono::milliseconds(100)) && pods_.WaitForSync(std::chrono::milliseconds(100)) &&
          replicasets_.WaitForSync(std::chrono::milliseconds(100)) &&
          deployments_.WaitForSync(std::chrono::milliseconds(100)) &&
          statefulsets_.WaitForSync(std::chrono::milliseconds(100))) {
        break;
      }
    }
    K1S_LOG(kInfo, kLog) << "started with " << workers << " workers";
    client::RunWorkers(queue_, std::max(1, workers), [this](const std::string& key) { return Reconcile(key); });
  });
}

void DisruptionController::Stop() {
  queue_.ShutDown();
  if (runner_.joinable()) runner_.join();
}

void DisruptionController::EnqueuePdbsFor(const json::object& pod) {
  auto labels = api::Labels(pod);
  for (const auto& pdb : pdbs_.ListNamespace(api::MetaString(pod, "namespace"))) {
    if (disruption::Selects(*pdb, labels)) queue_.Add(client::KeyOf(*pdb));
  }
}

Result<int64_t> DisruptionController::ControllersScale(const std::vector<ObjectPtr>& pods,
                                                       std::vector<std::string>* unmanaged) {
  std::map<std::string, int64_t> scale_by_uid;  // controller uid -> its spec.replicas
  for (const auto& pod : pods) {
    const std::string ns = api::MetaString(*pod, "namespace");
    const std::string pod_name = api::MetaString(*pod, "name");
    auto ref = replicaset::ControllerRefOf(*pod);
    if (!ref) {
      unmanaged->push_back(pod_name);
      continue;
    }
    if (scale_by_uid.count(ref->uid)) continue;
    bool found = false;
    if (ref->kind == "ReplicaSet") {
      ObjectPtr rs = replicasets_.Get(ns, ref->name);
      if (rs && api::MetaString(*rs, "uid") == ref->uid) {
        auto rs_ref = replicaset::ControllerRefOf(*rs);
        if (rs_ref && rs_ref->kind == "Deployment") {
          ObjectPtr d = deployments_.Get(ns, rs_ref->name);
          if (d && api::MetaString(*d, "uid") == rs_ref->uid) {
            scale_by_uid[rs_ref->uid] = IntAt(*d, {"spec", "replicas"}, 1);
            scale_by_uid[ref->uid] = 0;  // this ReplicaSet is counted through its Deployment
            found = true;
          }
        } else {
          scale_by_uid[ref->uid] = IntAt(*rs, {"spec", "replicas"}, 1);
          found = true;
        }
      }
    } else if (ref->kind == "StatefulSet") {
      ObjectPtr ss = statefulsets_.Get(ns, ref->name);
      if (ss && api::MetaString(*ss, "uid") == ref->uid) {
        scale_by_uid[ref->uid] = IntAt(*ss, {"spec", "replicas"}, 1);
        found = true;
      }
    } else if (ref->kind == "ReplicationController") {
      auto rc = ctx_.client.Get(client::kReplicationControllers, ns, ref->name);
      if (rc.ok() && api::MetaString(*rc, "uid") == ref->uid) {
        scale_by_uid[ref->uid] = IntAt(*rc, {"spec", "replicas"}, 1);
        found = true;
      } else if (!rc.ok() && !client::IsNotFound(rc.error())) {
        return Fail(rc.error());
      }
    }
    if (!found) return Fail(ErrorCode::kNotFound, "found no controllers for pod \"" + pod_name + "\"");
  }
  int64_t total = 0;
  for (const auto& [uid, n] : scale_by_uid) total += n;
  return total;
}

Status DisruptionController::WriteStatus(const json::object& pdb, json::object status) {
  json::object next = pdb;
  next["status"] = std::move(status);
  auto r = ctx_.client.UpdateStatus(client::kPodDisruptionBudgets, api::MetaString(pdb, "namespace"),
                                    api::MetaString(pdb, "name"), std::move(next));
  if (!r.ok()) {
    if (client::IsNotFound(r.error())) return OkStatus();
    return Fail(r.error());
  }
  return OkStatus();
}

Status DisruptionController::TrySync(const ObjectPtr& pdb, const std::string& key) {
  const json::object regarding = client::Regarding(*pdb, client::kPodDisruptionBudgets);
  const std::string ns = api::MetaString(*pdb, "namespace");
  std::vector<ObjectPtr> pods;
  for (auto& p : pods_.ListNamespace(ns)) {
    if (disruption::Selects(*pdb, api::Labels(*p))) pods.push_back(std::move(p));
  }
  if (pods.empty()) ctx_.events.Event(regarding, "Normal", "NoPods", "No matching pods found");

  std::vector<std::string> unmanaged;
  int64_t scale = 0;
  if (disruption::NeedsControllerScale(*pdb)) {
    auto s = ControllersScale(pods, &unmanaged);
    if (!s.ok()) {
      ctx_.events.Event(regarding, "Warning", "CalculateExpectedPodCountFailed",
                        "Failed to calculate the number of expected pods: " + s.error().message);
      return Fail(s.error());
    }
    scale = *s;
  }
  auto budget = disruption::ComputeBudget(*pdb, static_cast<int64_t>(pods.size()), scale);
  if (!budget.ok()) {
    ctx_.events.Event(regarding, "Warning", "CalculateExpectedPodCountFailed",
                      "Failed to calculate the number of expected pods: " + budget.error().message);
    return Fail(budget.error());
  }
  if (!unmanaged.empty()) {
    ctx_.events.Event(regarding, "Warning", "UnmanagedPods",
                      "Pods selected by this PodDisruptionBudget (selector: " + SelectorText(*pdb) +
                          ") were found to be unmanaged. As a result, the status of the PDB cannot be calculated "
                          "correctly, which may result in undefined behavior. To account for these pods please set "
                          "\".spec.minAvailable\" field of the PDB to an integer value.");
  }

  const auto now = clock_.Now();
  std::vector<const json::object*> raw;
  for (const auto& p : pods) raw.push_back(p.get());
  disruption::DisruptedPods disrupted = disruption::BuildDisruptedPods(*pdb, raw, now);
  for (const std::string& name : disrupted.expired) {
    for (const auto& p : pods) {
      if (api::MetaString(*p, "name") != name) continue;
      // upstream's message names the namespace twice
      ctx_.events.Event(client::Regarding(*p, client::kPods), "Warning", "NotDeleted",
                        "Pod was expected by PDB " + ns + "/" + ns + " to be deleted but it wasn't");
    }
  }

  disruption::Counts counts;
  counts.current_healthy = disruption::CountHealthy(raw, disrupted.kept);
  counts.desired_healthy = budget->desired_healthy;
  counts.expected_pods = budget->expected_pods;
  counts.disruptions_allowed =
      disruption::DisruptionsAllowed(counts.current_healthy, counts.desired_healthy, counts.expected_pods);
  counts.disrupted_pods = disrupted.kept;

  // An eviction granted by the API server but not yet visible in the pod cache: keep its decrement.
  std::optional<std::chrono::steady_clock::duration> recheck_unseen;
  {
    std::lock_guard lock(mu_);
    if (disruption::EvictionNotYetObserved(*pdb, counts)) {
      auto mono = clock_.Monotonic();
      auto [it, inserted] = unseen_evictions_.try_emplace(key, mono);
      auto age = mono - it->second;
      if (age < disruption::kDeletionTimeout) {
        counts.disruptions_allowed = IntAt(*pdb, {"status", "disruptionsAllowed"});
        recheck_unseen = disruption::kDeletionTimeout - age;
      }
    } else {
      unseen_evictions_.erase(key);
    }
  }

  if (!disruption::StatusUpToDate(*pdb, counts)) {
    K1S_TRY(WriteStatus(*pdb, disruption::ComputeStatus(*pdb, counts, now)));
    K1S_LOG(kDebug, kLog) << "budget " << key << ": expected " << counts.expected_pods << ", healthy "
                          << counts.current_healthy << "/" << counts.desired_healthy << ", allowed "
                          << counts.disruptions_allowed;
  }
  if (disrupted.recheck) {
    auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(*disrupted.recheck - now);
    queue_.AddAfter(key, std::max(wait, std::chrono::milliseconds(0)) + std::chrono::milliseconds(100));
  }
  if (recheck_unseen) {
    queue_.AddAfter(key, std::chrono::duration_cast<std::chrono::milliseconds>(*recheck_unseen) +
                             std::chrono::milliseconds(100));
  }
  return OkStatus();
}

Status DisruptionController::Reconcile(const std::string& key) {
  ObjectPtr pdb = pdbs_.Get(key);
  if (!pdb) return OkStatus();
  Status s = TrySync(pdb, key);
  if (s.ok() || client::IsConflict(s.error())) return s;  // a conflict retries without the fail-safe
  K1S_LOG(kWarn, kLog) << "syncing budget " << key << ": " << s.error().message;
  json::object safe = disruption::FailSafeStatus(*pdb, s.error().message, clock_.Now());
  const json::object* stored = ObjAt(*pdb, {"status"});
  if (!stored || *stored != safe) K1S_TRY(WriteStatus(*pdb, std::move(safe)));
  return s;
}

}  // namespace k1s::controllers
