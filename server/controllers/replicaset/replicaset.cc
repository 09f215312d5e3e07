#include "server/controllers/replicaset/replicaset.h"

#include <algorithm>

#include "lib/api/meta.h"
#include "lib/base/clock.h"
#include "lib/base/log.h"

namespace k1s::controllers {

using api::StrAt;
using client::ObjectPtr;
using replicaset::IntAt;

namespace {

constexpr const char* kLog = "replicaset-controller";

json::object SelectorOf(const json::object& obj) {
  const json::object* s = api::ObjAt(obj, {"spec", "selector"});
  return s ? *s : json::object();
}

}  // namespace


ReplicaSetController::ReplicaSetController(const ControllerContext& ctx, ReplicaSetOptions options)
    : client_(ctx.client),
      rs_informer_(ctx.informers.For(client::kReplicaSets)),
      pod_informer_(ctx.informers.For(client::kPods)),
      events_(ctx.events),
      options_(options),
      clock_(options.clock ? *options.clock : SystemClock()),
      queue_(client::WorkQueueOptions{.name = "replicaset"}),
      expectations_(options.expectations_timeout) {
  EnsureControllerUidIndex(rs_informer_);
  EnsureControllerUidIndex(pod_informer_);
  rs_informer_.AddEventHandler(client::EventHandlers{
      .on_add = [this](const ObjectPtr& rs) { EnqueueRs(*rs); },
      .on_update = [this](const ObjectPtr&, const ObjectPtr& rs) { EnqueueRs(*rs); },
      .on_delete =
          [this](const ObjectPtr& rs) {
            expectations_.Delete(client::KeyOf(*rs));
            EnqueueRs(*rs);
          },
  });
  pod_informer_.AddEventHandler(client::EventHandlers{
      .on_add = [this](const ObjectPtr& pod) { OnPodAdd(pod); },
      .on_update = [this](const ObjectPtr& a, const ObjectPtr& b) { OnPodUpdate(a, b); },
      .on_delete = [this](const ObjectPtr& pod) { OnPodDelete(pod); },
  });
}

ReplicaSetController::~ReplicaSetController() { Stop(); }

void ReplicaSetController::Start(int workers) {
  if (runner_.joinable()) return;
  runner_ = std::thread([this, workers] {
    while (!queue_.ShuttingDown()) {
      if (rs_informer_.WaitForSync(std::chrono::milliseconds(100)) &&
          pod_informer_.WaitForSync(std::chrono::milliseconds(100))) {
        break;
      }
    }
    K1S_LOG(kInfo, kLog) << "started with " << workers << " workers";
    client::RunWorkers(queue_, std::max(1, workers), [this](const std::string& key) { return Reconcile(key); });
  });
}

void ReplicaSetController::Stop() {
  queue_.ShutDown();
  if (runner_.joinable()) runner_.join();
}

void ReplicaSetController::EnqueueRs(const json::object& rs) { queue_.Add(client::KeyOf(rs)); }

void ReplicaSetController::EnqueueMatchingRs(const json::object& pod) {
  auto labels = api::Labels(pod);
  for (const auto& rs : rs_informer_.ListNamespace(api::MetaString(pod, "namespace"))) {
    json::object sel = SelectorOf(*rs);
    if (replicaset::SelectorIsEmpty(sel)) continue;
    if (replicaset::SelectorMatches(sel, labels)) EnqueueRs(*rs);
  }
}

ObjectPtr ReplicaSetController::ResolveOwner(const json::object& pod) const {
  auto ref = replicaset::ControllerRefOf(pod);
  if (!ref || ref->kind != "ReplicaSet") return nullptr;
  ObjectPtr rs = rs_informer_.Get(api::MetaString(pod, "namespace"), ref->name);
  if (!rs || api::MetaString(*rs, "uid") != ref->uid) return nullptr;
  return rs;
}

void ReplicaSetController::OnPodAdd(const ObjectPtr& pod) {
  if (replicaset::IsBeingDeleted(*pod)) {
    OnPodDelete(pod);  // a restart may see a pod already being deleted: count it as gone
    return;
  }
  if (replicaset::ControllerRefOf(*pod)) {
    if (ObjectPtr rs = ResolveOwner(*pod)) {
      expectations_.CreationObserved(client::KeyOf(*rs));
      EnqueueRs(*rs);
    }
    return;
  }
  EnqueueMatchingRs(*pod);
}

void ReplicaSetController::OnPodUpdate(const ObjectPtr& old_pod, const ObjectPtr& new_pod) {
  if (api::MetaString(*old_pod, "resourceVersion") == api::MetaString(*new_pod, "resourceVersion")) {
    return;  // periodic resync: nothing changed
  }
  bool labels_changed = api::Labels(*old_pod) != api::Labels(*new_pod);
  if (replicaset::IsBeingDeleted(*new_pod)) {
    OnPodDelete(new_pod);
    if (labels_changed) OnPodDelete(old_pod);
    return;
  }
  auto old_ref = replicaset::ControllerRefOf(*old_pod);
  auto new_ref = replicaset::ControllerRefOf(*new_pod);
  bool ref_changed = (old_ref.has_value() != new_ref.has_value()) || (old_ref && old_ref->uid != new_ref->uid);
  if (ref_changed && old_ref) {
    if (ObjectPtr rs = ResolveOwner(*old_pod)) EnqueueRs(*rs);
  }
  if (new_ref) {
    if (ObjectPtr rs = ResolveOwner(*new_pod)) {
      EnqueueRs(*rs);
      int64_t min_ready = IntAt(*rs, {"spec", "minReadySeconds"});
      if (min_ready > 0 && !replicaset::IsPodReady(*old_pod) && replicaset::IsPodReady(*new_pod)) {
        // Becomes available later: look again then (plus a second for clock granularity).
        queue_.AddAfter(client::KeyOf(*rs), ClampedSeconds(min_ready) + std::chrono::seconds(1));
      }
    }
    return;
  }
  if (labels_changed || ref_changed) EnqueueMatchingRs(*new_pod);
}

void ReplicaSetController::OnPodDelete(const ObjectPtr& pod) {
  if (!replicaset::ControllerRefOf(*pod)) return;
  if (ObjectPtr rs = ResolveOwner(*pod)) {
    std::string key = client::KeyOf(*rs);
    expectations_.DeletionObserved(key, client::KeyOf(*pod));
    EnqueueRs(*rs);
  }
}

Status ReplicaSetController::ClaimPods(const json::object& rs, std::vector<ObjectPtr>* owned) {
  const std::string ns = api::MetaString(rs, "namespace");
  const std::string uid = api::MetaString(rs, "uid");
  std::vector<ObjectPtr> candidates;
  for (auto& p : pod_informer_.ListNamespace(ns)) {
    if (replicaset::IsPodActive(*p)) candidates.push_back(std::move(p));
  }
  std::vector<const json::object*> raw;
  for (const auto& p : candidates) raw.push_back(p.get());
  replicaset::ClaimPlan plan = replicaset::PlanClaims(rs, SelectorOf(rs), raw);
  for (size_t i : plan.owned) owned->push_back(candidates[i]);

  std::optional<Error> first_error;
  if (!plan.adopt.empty()) {
    // Adopt only if the ReplicaSet, read fresh, is still the same object and not being deleted.
    auto fresh = client_.Get(client::kReplicaSets, ns, api::MetaString(rs, "name"));
    bool can_adopt = fresh.ok() && api::MetaString(*fresh, "uid") == uid && !replicaset::IsBeingDeleted(*fresh);
    for (size_t i = 0; can_adopt && i < plan.adopt.size(); ++i) {
      const json::object& pod = *candidates[plan.adopt[i]];
      json::object rs_ref = rs;
      rs_ref["apiVersion"] = client::kReplicaSets.GroupVersion();
      rs_ref["kind"] = client::kReplicaSets.kind;
      json::object meta{{"ownerReferences", replicaset::OwnerRefsWithAdopted(pod, rs_ref)},
                        {"uid", api::MetaString(pod, "uid")},
                        {"resourceVersion", api::MetaString(pod, "resourceVersion")}};
      json::object patch{{"metadata", std::move(meta)}};
      auto r = client_.Patch(client::kPods, ns, api::MetaString(pod, "name"), client::PatchType::kMerge, patch);
      if (r.ok()) {
        owned->push_back(std::make_shared<const json::object>(std::move(*r)));
      } else if (!client::IsNotFound(r.error()) && !first_error) {
        first_error = r.error();
      }
    }
  }
  for (size_t i : plan.release) {
    const json::object& pod = *candidates[i];
    json::object meta{{"ownerReferences", replicaset::OwnerRefsWithoutUid(pod, uid)},
                      {"uid", api::MetaString(pod, "uid")},
                      {"resourceVersion", api::MetaString(pod, "resourceVersion")}};
    json::object patch{{"metadata", std::move(meta)}};
    auto r = client_.Patch(client::kPods, ns, api::MetaString(pod, "name"), client::PatchType::kMerge, patch);
    if (!r.ok() && !client::IsNotFound(r.error()) && !first_error) first_error = r.error();
  }
  if (first_error) return Fail(*first_error);
  return OkStatus();
}

std::optional<Error> ReplicaSetController::ManageReplicas(const json::object& rs, const std::string& key,
                                                          const std::vector<const json::object*>& pods,
                                                          bool* was_create) {
  const std::string ns = api::MetaString(rs, "namespace");
  const int64_t want = IntAt(rs, {"spec", "replicas"}, 1);
  const int64_t diff = static_cast<int64_t>(pods.size()) - want;
  json::object regarding = client::Regarding(rs, client::kReplicaSets);
  std::optional<Error> first_error;
  if (diff < 0) {
    *was_create = true;
    int n = static_cast<int>(std::min<int64_t>(-diff, options_.burst_replicas));
    expectations_.Expect(key, n, {}, clock_.Monotonic());
    K1S_LOG(kDebug, kLog) << "too few replicas for " << key << ": need " << want << ", creating " << n;
    json::object pod = replicaset::PodFromTemplate(rs);
    int created = replicaset::SlowStartBatch(
        n, 1,
        [&]() -> Status {
          auto r = client_.Create(client::kPods, ns, pod);
          if (!r.ok()) {
            events_.Event(regarding, "Warning", "FailedCreate", "Error creating: " + r.error().message);
            return Fail(r.error());
          }
          events_.Event(regarding, "Normal", "SuccessfulCreate", "Created pod: " + api::MetaString(*r, "name"));
          return OkStatus();
        },
        &first_error);
    if (created < n) expectations_.CreationObserved(key, n - created);  // never to be seen
  } else if (diff > 0) {
    *was_create = false;
    size_t n = static_cast<size_t>(std::min<int64_t>(diff, options_.burst_replicas));
    // Pods of this ReplicaSet's siblings (same controller) count when ranking pods doubled up on a node.
    std::vector<ObjectPtr> related_owned;
    std::vector<const json::object*> related(pods.begin(), pods.end());
    if (auto ref = replicaset::ControllerRefOf(rs)) {
      for (const auto& sib : rs_informer_.ByIndex(kControllerUidIndex, ref->uid)) {
        std::string sib_uid = api::MetaString(*sib, "uid");
        if (sib_uid == api::MetaString(rs, "uid")) continue;
        for (auto& p : pod_informer_.ByIndex(kControllerUidIndex, sib_uid)) related_owned.push_back(std::move(p));
      }
    }
    for (const auto& p : related_owned) related.push_back(p.get());
    std::vector<size_t> victims = replicaset::PodsToDelete(pods, related, n);
    std::vector<std::string> victim_keys;
    for (size_t i : victims) victim_keys.push_back(client::KeyOf(*pods[i]));
    expectations_.Expect(key, 0, victim_keys, clock_.Monotonic());
    K1S_LOG(kDebug, kLog) << "too many replicas for " << key << ": need " << want << ", deleting " << n;
    for (size_t i : victims) {
      const std::string name = api::MetaString(*pods[i], "name");
      auto r = client_.Delete(client::kPods, ns, name);
      if (!r.ok()) {
        expectations_.DeletionObserved(key, client::KeyOf(*pods[i]));  // never to be seen (or already gone)
        if (client::IsNotFound(r.error())) continue;
        events_.Event(regarding, "Warning", "FailedDelete", "Error deleting: " + r.error().message);
        if (!first_error) first_error = r.error();
        continue;
      }
      events_.Event(regarding, "Normal", "SuccessfulDelete", "Deleted pod: " + name);
    }
  }
  return first_error;
}

Status ReplicaSetController::WriteStatus(const json::object& rs, const json::object& status) {
  const std::string ns = api::MetaString(rs, "namespace");
  const std::string name = api::MetaString(rs, "name");
  json::object next = rs;
  next["status"] = status;
  auto r = client_.UpdateStatus(client::kReplicaSets, ns, name, std::move(next));
  if (r.ok()) return OkStatus();
  if (!client::IsConflict(r.error())) return client::IsNotFound(r.error()) ? OkStatus() : Fail(r.error());
  // Stale cache: retry once on the live object (the status was computed from the pods, not the object).
  auto live = client_.Get(client::kReplicaSets, ns, name);
  if (!live.ok()) return client::IsNotFound(live.error()) ? OkStatus() : Fail(live.error());
  if (api::MetaString(*live, "uid") != api::MetaString(rs, "uid")) return OkStatus();
  json::object retry = std::move(*live);
  json::object st = status;
  st["observedGeneration"] = IntAt(rs, {"metadata", "generation"});
  retry["status"] = std::move(st);
  auto r2 = client_.UpdateStatus(client::kReplicaSets, ns, name, std::move(retry));
  if (!r2.ok()) return Fail(r2.error());
  return OkStatus();
}

Status ReplicaSetController::Reconcile(const std::string& key) {
  ObjectPtr rs = rs_informer_.Get(key);
  if (!rs) {
    expectations_.Delete(key);
    return OkStatus();
  }
  const bool needs_sync = expectations_.Satisfied(key, clock_.Monotonic());
  std::vector<ObjectPtr> owned;
  Status claim = ClaimPods(*rs, &owned);
  std::vector<const json::object*> pods;
  for (const auto& p : owned) pods.push_back(p.get());

  std::optional<Error> manage_error;
  bool was_create = false;
  if (needs_sync && !replicaset::IsBeingDeleted(*rs)) manage_error = ManageReplicas(*rs, key, pods, &was_create);

  const auto now = clock_.Now();
  json::object status = replicaset::ComputeReplicaSetStatus(*rs, pods, manage_error, was_create, now);
  if (replicaset::StatusChanged(*rs, status)) K1S_TRY(WriteStatus(*rs, status));

  int64_t min_ready = IntAt(*rs, {"spec", "minReadySeconds"});
  int64_t replicas = IntAt(*rs, {"spec", "replicas"}, 1);
  if (min_ready > 0 && IntAt(status, {"readyReplicas"}) == replicas &&
      IntAt(status, {"availableReplicas"}) != replicas) {
    queue_.AddAfter(key, ClampedSeconds(min_ready));
  }
  if (manage_error) return Fail(*manage_error);
  return claim;
}

}  // namespace k1s::controllers
