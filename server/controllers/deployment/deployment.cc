#include "server/controllers/deployment/deployment.h"

#include <algorithm>

#include "lib/api/json_util.h"
#include "lib/api/meta.h"
#include "lib/base/log.h"
#include "server/controllers/replicaset/replicaset.h"

namespace k1s::controllers {

namespace json = boost::json;
using api::StrAt;
using client::ObjectPtr;
using replicaset::IntAt;
namespace dl = deployment;

namespace {

constexpr const char* kLog = "deployment-controller";

json::object SelectorOf(const json::object& obj) {
  const json::object* s = api::ObjAt(obj, {"spec", "selector"});
  return s ? *s : json::object();
}

dl::RsList Ptrs(const std::vector<json::object>& rss) {
  dl::RsList out;
  for (const auto& rs : rss) out.push_back(&rs);
  return out;
}

json::object StatusOf(const json::object& d) {
  const json::object* s = api::ObjAt(d, {"status"});
  return s ? *s : json::object();
}

}  // namespace

DeploymentController::DeploymentController(const ControllerContext& ctx, DeploymentOptions options)
    : client_(ctx.client),
      d_informer_(ctx.informers.For(client::kDeployments)),
      rs_informer_(ctx.informers.For(client::kReplicaSets)),
      pod_informer_(ctx.informers.For(client::kPods)),
      events_(ctx.events),
      clock_(options.clock ? *options.clock : SystemClock()),
      queue_(client::WorkQueueOptions{.name = "deployment"}) {
  EnsureControllerUidIndex(rs_informer_);
  EnsureControllerUidIndex(pod_informer_);
  d_informer_.AddEventHandler(client::EventHandlers{
      .on_add = [this](const ObjectPtr& d) { Enqueue(*d); },
      .on_update = [this](const ObjectPtr&, const ObjectPtr& d) { Enqueue(*d); },
      .on_delete = [this](const ObjectPtr& d) { Enqueue(*d); },
  });
  rs_informer_.AddEventHandler(client::EventHandlers{
      .on_add = [this](const ObjectPtr& rs) { OnRsAdd(rs); },
      .on_update = [this](const ObjectPtr& a, const ObjectPtr& b) { OnRsUpdate(a, b); },
      .on_delete = [this](const ObjectPtr& rs) { OnRsDelete(rs); },
  });
  pod_informer_.AddEventHandler(client::EventHandlers{
      .on_delete = [this](const ObjectPtr& pod) { OnPodDelete(pod); },
  });
}

DeploymentController::~DeploymentController() { Stop(); }

void DeploymentController::Start(int workers) {
  if (runner_.joinable()) return;
  runner_ = std::thread([this, workers] {
    while (!queue_.ShuttingDown()) {
      if (d_informer_.WaitForSync(std::chrono::milliseconds(100)) &&
          rs_informer_.WaitForSync(std::chrono::milliseconds(100)) &&
          pod_informer_.WaitForSync(std::chrono::milliseconds(100))) {
        break;
      }
    }
    K1S_LOG(kInfo, kLog) << "started with " << workers << " workers";
    client::RunWorkers(queue_, std::max(1, workers), [this](const std::string& key) { return Reconcile(key); });
  });
}

void DeploymentController::Stop() {
  queue_.ShutDown();
  if (runner_.joinable()) runner_.join();
}

// ---- Event handlers: enqueue only ----

void DeploymentController::Enqueue(const json::object& d) { queue_.Add(client::KeyOf(d)); }

void DeploymentController::EnqueueMatching(const json::object& rs) {
  auto labels = api::Labels(rs);
  for (const auto& d : d_informer_.ListNamespace(api::MetaString(rs, "namespace"))) {
    json::object sel = SelectorOf(*d);
    if (!replicaset::SelectorIsEmpty(sel) && replicaset::SelectorMatches(sel, labels)) Enqueue(*d);
  }
}

ObjectPtr DeploymentController::ResolveOwner(const json::object& rs) const {
  auto ref = replicaset::ControllerRefOf(rs);
  if (!ref || ref->kind != "Deployment") return nullptr;
  ObjectPtr d = d_informer_.Get(api::MetaString(rs, "namespace"), ref->name);
  if (!d || api::MetaString(*d, "uid") != ref->uid) return nullptr;
  return d;
}

void DeploymentController::OnRsAdd(const ObjectPtr& rs) {
  if (replicaset::IsBeingDeleted(*rs)) {
    OnRsDelete(rs);
    return;
  }
  if (replicaset::ControllerRefOf(*rs)) {
    if (ObjectPtr d = ResolveOwner(*rs)) Enqueue(*d);
    return;
  }
  EnqueueMatching(*rs);
}

void DeploymentController::OnRsUpdate(const ObjectPtr& old_rs, const ObjectPtr& new_rs) {
  if (api::MetaString(*old_rs, "resourceVersion") == api::MetaString(*new_rs, "resourceVersion")) return;
  auto old_ref = replicaset::ControllerRefOf(*old_rs);
  auto new_ref = replicaset::ControllerRefOf(*new_rs);
  bool ref_changed = old_ref.has_value() != new_ref.has_value() || (old_ref && old_ref->uid != new_ref->uid);
  if (ref_changed && old_ref) {
    if (ObjectPtr d = ResolveOwner(*old_rs)) Enqueue(*d);
  }
  if (new_ref) {
    if (ObjectPtr d = ResolveOwner(*new_rs)) Enqueue(*d);
    return;
  }
  if (ref_changed || api::Labels(*old_rs) != api::Labels(*new_rs)) EnqueueMatching(*new_rs);
}

void DeploymentController::OnRsDelete(const ObjectPtr& rs) {
  if (ObjectPtr d = ResolveOwner(*rs)) Enqueue(*d);
}

void DeploymentController::OnPodDelete(const ObjectPtr& pod) {
  auto ref = replicaset::ControllerRefOf(*pod);
  if (!ref || ref->kind != "ReplicaSet") return;
  ObjectPtr rs = rs_informer_.Get(api::MetaString(*pod, "namespace"), ref->name);
  if (!rs || api::MetaString(*rs, "uid") != ref->uid) return;
  ObjectPtr d = ResolveOwner(*rs);
  // Only Recreate waits for old pods to be gone.
  if (d && StrAt(*d, {"spec", "strategy", "type"}) == "Recreate") Enqueue(*d);
}

// ---- Reconcile ----

Result<DeploymentController::RsVec> DeploymentController::ClaimReplicaSets(const json::object& d) {
  const std::string ns = api::MetaString(d, "namespace");
  const std::string uid = api::MetaString(d, "uid");
  std::vector<ObjectPtr> candidates = rs_informer_.ListNamespace(ns);
  std::vector<const json::object*> raw;
  for (const auto& c : candidates) raw.push_back(c.get());
  replicaset::ClaimPlan plan = replicaset::PlanClaims(d, SelectorOf(d), raw);
  RsVec out;
  for (size_t i : plan.owned) out.push_back(*candidates[i]);
  std::optional<Error> first_error;
  if (!plan.adopt.empty()) {
    auto fresh = client_.Get(client::kDeployments, ns, api::MetaString(d, "name"));
    bool can_adopt = fresh.ok() && api::MetaString(*fresh, "uid") == uid && !replicaset::IsBeingDeleted(*fresh);
    for (size_t k = 0; can_adopt && k < plan.adopt.size(); ++k) {
      const json::object& rs = *candidates[plan.adopt[k]];
      json::object patch{{"metadata", json::object{{"ownerReferences", replicaset::OwnerRefsWithAdopted(rs, d)},
                                                   {"uid", api::MetaString(rs, "uid")},
                                                   {"resourceVersion", api::MetaString(rs, "resourceVersion")}}}};
      auto r = client_.Patch(client::kReplicaSets, ns, api::MetaString(rs, "name"), client::PatchType::kMerge, patch);
      if (r.ok()) {
        out.push_back(std::move(*r));
      } else if (!client::IsNotFound(r.error()) && !first_error) {
        first_error = r.error();
      }
    }
  }
  for (size_t i : plan.release) {
    const json::object& rs = *candidates[i];
    json::object patch{{"metadata", json::object{{"ownerReferences", replicaset::OwnerRefsWithoutUid(rs, uid)},
                                                 {"uid", api::MetaString(rs, "uid")},
                                                 {"resourceVersion", api::MetaString(rs, "resourceVersion")}}}};
    auto r = client_.Patch(client::kReplicaSets, ns, api::MetaString(rs, "name"), client::PatchType::kMerge, patch);
    if (!r.ok() && !client::IsNotFound(r.error()) && !first_error) first_error = r.error();
  }
  if (first_error) return Fail(*first_error);
  return out;
}

Status DeploymentController::WriteStatus(json::object& d, json::object status) {
  json::object next = d;
  next["status"] = std::move(status);
  K1S_ASSIGN_OR_RETURN(json::object written,
                       client_.UpdateStatus(client::kDeployments, api::MetaString(d, "namespace"),
                                            api::MetaString(d, "name"), std::move(next)));
  d = std::move(written);
  return OkStatus();
}

Status DeploymentController::SetDeploymentRevision(json::object& d, int64_t revision) {
  std::string want = std::to_string(revision);
  if (StrAt(d, {"metadata", "annotations", dl::kRevisionAnnotation}) == want) return OkStatus();
  json::object patch{{"metadata", json::object{{"annotations", json::object{{dl::kRevisionAnnotation, want}}},
                                               {"resourceVersion", api::MetaString(d, "resourceVersion")}}}};
  K1S_ASSIGN_OR_RETURN(json::object written,
                       client_.Patch(client::kDeployments, api::MetaString(d, "namespace"),
                                     api::MetaString(d, "name"), client::PatchType::kMerge, patch));
  d = std::move(written);
  return OkStatus();
}

Result<bool> DeploymentController::ScaleReplicaSet(const json::object& d, RsVec& rss, size_t i, int64_t replicas) {
  const int64_t old_scale = dl::RsSpecReplicas(&rss[i]);
  const int64_t desired = dl::DesiredReplicas(d);
  const int64_t max = desired + dl::MaxSurge(d);
  const bool size_changes = old_scale != replicas;
  if (!size_changes && !dl::ReplicasAnnotationsNeedUpdate(rss[i], desired, max)) return false;
  json::object next = rss[i];
  {
    json::value& spec = next["spec"];
    if (!spec.is_object()) spec = json::object();
    spec.as_object()["replicas"] = replicas;
  }
  dl::SetReplicasAnnotations(next, desired, max);
  const std::string name = api::MetaString(next, "name");
  const std::string ns = api::MetaString(next, "namespace");  // not in the call: arguments are unordered
  K1S_ASSIGN_OR_RETURN(json::object written, client_.Update(client::kReplicaSets, ns, name, std::move(next)));
  rss[i] = std::move(written);
  if (size_changes) {
    events_.Event(client::Regarding(d, client::kDeployments), "Normal", "ScalingReplicaSet",
                  std::string("Scaled ") + (old_scale < replicas ? "up" : "down") + " replica set " + name + " from " +
                      std::to_string(old_scale) + " to " + std::to_string(replicas));
  }
  return size_changes;
}

Result<bool> DeploymentController::ScaleIfChanged(const json::object& d, RsVec& rss, size_t i, int64_t replicas) {
  if (dl::RsSpecReplicas(&rss[i]) == replicas) return false;
  return ScaleReplicaSet(d, rss, i, replicas);
}

Result<int> DeploymentController::GetNewReplicaSet(json::object& d, RsVec& rss, bool create) {
  const auto now = clock_.Now();
  d["apiVersion"] = client::kDeployments.GroupVersion();  // before any pointer into d is taken
  d["kind"] = client::kDeployments.kind;
  dl::RsList all = Ptrs(rss);
  const json::object* found = dl::FindNewReplicaSet(d, all);
  const int64_t new_revision = dl::MaxRevision(dl::OldReplicaSets(all, found)) + 1;
  const std::string ns = api::MetaString(d, "namespace");

  if (found) {
    const size_t idx = static_cast<size_t>(found - rss.data());
    json::object next = rss[idx];
    bool changed = dl::SetNewReplicaSetAnnotations(d, next, new_revision, true);
    const int64_t min_ready = IntAt(d, {"spec", "minReadySeconds"});
    if (IntAt(next, {"spec", "minReadySeconds"}) != min_ready) {
      json::object& spec = next["spec"].as_object();
      if (min_ready > 0) {
        spec["minReadySeconds"] = min_ready;
      } else {
        spec.erase("minReadySeconds");
      }
      changed = true;
    }
    if (changed) {
      const std::string name = api::MetaString(next, "name");
      K1S_ASSIGN_OR_RETURN(rss[idx], client_.Update(client::kReplicaSets, ns, name, std::move(next)));
    }
    K1S_TRY(SetDeploymentRevision(d, dl::Revision(rss[idx])));
    json::object status = StatusOf(d);
    if (!api::ConditionAt(status, dl::kProgressing) && dl::HasProgressDeadline(d)) {
      dl::SetCondition(status, dl::NewCondition(dl::kProgressing, "True", dl::kFoundNewReplicaSet,
                                                "Found new replica set \"" + api::MetaString(rss[idx], "name") + "\"",
                                                now));
      K1S_TRY(WriteStatus(d, std::move(status)));
    }
    return static_cast<int>(idx);
  }
  if (!create) return -1;

  std::optional<int64_t> collisions;
  if (const json::object* st = api::ObjAt(d, {"status"}); st && st->contains("collisionCount")) {
    collisions = IntAt(*st, {"collisionCount"});
  }
  const json::object* tmpl = api::ObjAt(d, {"spec", "template"});
  const std::string hash = dl::ComputePodTemplateHash(tmpl ? *tmpl : json::object(), collisions);
  json::object new_rs = dl::NewReplicaSet(d, hash, new_revision, 0);
  dl::RsList with_new = all;
  with_new.push_back(&new_rs);
  const int64_t replicas = dl::NewRsNewReplicas(d, with_new, &new_rs);
  new_rs["spec"].as_object()["replicas"] = replicas;
  const std::string name = api::MetaString(new_rs, "name");

  auto created = client_.Create(client::kReplicaSets, ns, new_rs);
  bool already_exists = false;
  if (!created.ok() && client::IsAlreadyExists(created.error())) {
    // Ours from an earlier sync that the cache has not seen yet, or a hash collision.
    auto existing = client_.Get(client::kReplicaSets, ns, name);
    if (existing.ok()) {
      auto ref = replicaset::ControllerRefOf(*existing);
      const json::object* et = api::ObjAt(*existing, {"spec", "template"});
      if (ref && ref->uid == api::MetaString(d, "uid") && et && tmpl && dl::EqualIgnoreHash(*et, *tmpl)) {
        created = std::move(*existing);
        already_exists = true;
      }
    }
    if (!already_exists) {
      json::object status = StatusOf(d);
      status["collisionCount"] = collisions.value_or(0) + 1;
      K1S_TRY(WriteStatus(d, std::move(status)));
      return Fail(ErrorCode::kAlreadyExists, "hash collision for replica set " + name + "; collisionCount raised");
    }
  }
  if (!created.ok()) {
    std::string msg = "Failed to create new replica set \"" + name + "\": " + created.error().message;
    if (dl::HasProgressDeadline(d)) {
      json::object status = StatusOf(d);
      dl::SetCondition(status, dl::NewCondition(dl::kProgressing, "False", dl::kFailedRsCreate, msg, now));
      (void)WriteStatus(d, std::move(status));
    }
    events_.Event(client::Regarding(d, client::kDeployments), "Warning", "FailedCreate", msg);
    return Fail(created.error());
  }
  if (!already_exists && replicas > 0) {
    events_.Event(client::Regarding(d, client::kDeployments), "Normal", "ScalingReplicaSet",
                  "Scaled up replica set " + name + " from 0 to " + std::to_string(replicas));
  }
  rss.push_back(std::move(*created));
  const int idx = static_cast<int>(rss.size() - 1);
  K1S_TRY(SetDeploymentRevision(d, new_revision));
  if (!already_exists && dl::HasProgressDeadline(d)) {
    json::object status = StatusOf(d);
    dl::SetCondition(status, dl::NewCondition(dl::kProgressing, "True", dl::kNewReplicaSetCreated,
                                              "Created new replica set \"" + name + "\"", now));
    K1S_TRY(WriteStatus(d, std::move(status)));
  }
  return idx;
}

Status DeploymentController::CheckPausedConditions(json::object& d) {
  if (!dl::HasProgressDeadline(d)) return OkStatus();
  json::object status = StatusOf(d);
  const json::object* cond = api::ConditionAt(status, dl::kProgressing);
  const std::string reason = cond ? StrAt(*cond, {"reason"}) : "";
  if (reason == dl::kProgressDeadlineExceeded) return OkStatus();  // keep reporting the lack of progress
  const bool paused = api::ObjAt(d, {"spec"}) && d.at("spec").as_object().contains("paused") &&
                      d.at("spec").as_object().at("paused").is_bool() && d.at("spec").as_object().at("paused").as_bool();
  const auto now = clock_.Now();
  bool changed = false;
  if (paused && reason != dl::kDeploymentPaused) {
    changed = dl::SetCondition(status, dl::NewCondition(dl::kProgressing, "Unknown", dl::kDeploymentPaused,
                                                        "Deployment is paused", now));
  } else if (!paused && reason == dl::kDeploymentPaused) {
    changed = dl::SetCondition(status, dl::NewCondition(dl::kProgressing, "Unknown", dl::kDeploymentResumed,
                                                        "Deployment is resumed", now));
  }
  if (changed) return WriteStatus(d, std::move(status));
  return OkStatus();
}

Status DeploymentController::CleanUp(const json::object& d, const RsVec& rss, int new_idx) {
  dl::RsList all = Ptrs(rss);
  dl::RsList old = dl::OldReplicaSets(all, new_idx >= 0 ? &rss[new_idx] : nullptr);
  for (const auto* rs : dl::ReplicaSetsToCleanUp(d, old)) {
    K1S_LOG(kInfo, kLog) << "deleting old replica set " << api::MetaString(*rs, "name") << " of "
                         << client::KeyOf(d);
    auto r = client_.Delete(client::kReplicaSets, api::MetaString(*rs, "namespace"), api::MetaString(*rs, "name"));
    if (!r.ok() && !client::IsNotFound(r.error())) return Fail(r.error());
  }
  return OkStatus();
}

Status DeploymentController::Sync(json::object& d, RsVec& rss) {
  K1S_ASSIGN_OR_RETURN(int ni, GetNewReplicaSet(d, rss, false));
  const json::object* new_rs = ni >= 0 ? &rss[ni] : nullptr;
  dl::RsList old = dl::OldReplicaSets(Ptrs(rss), new_rs);
  for (const auto& a : dl::PlanScale(d, new_rs, old)) {
    K1S_TRY(ScaleReplicaSet(d, rss, static_cast<size_t>(a.rs - rss.data()), a.replicas));
  }
  const json::object* paused = api::ObjAt(d, {"spec"});
  if (paused && paused->contains("paused") && paused->at("paused").is_bool() && paused->at("paused").as_bool()) {
    K1S_TRY(CleanUp(d, rss, ni));
  }
  json::object status = dl::CalculateStatus(d, Ptrs(rss), ni >= 0 ? &rss[ni] : nullptr, clock_.Now());
  if (status != StatusOf(d)) K1S_TRY(WriteStatus(d, std::move(status)));
  return OkStatus();
}

Status DeploymentController::SyncRolloutStatus(json::object& d, RsVec& rss, int new_idx) {
  const auto now = clock_.Now();
  json::object status = dl::RolloutStatus(d, Ptrs(rss), new_idx >= 0 ? &rss[new_idx] : nullptr, now);
  if (status == StatusOf(d)) {
    if (auto after = dl::RequeueStuckAfter(d, status, now)) {
      if (after->count() == 0) {
        queue_.AddRateLimited(client::KeyOf(d));
      } else {
        queue_.AddAfter(client::KeyOf(d), *after);
      }
    }
    return OkStatus();
  }
  return WriteStatus(d, std::move(status));
}

Status DeploymentController::RolloutRolling(json::object& d, RsVec& rss) {
  K1S_ASSIGN_OR_RETURN(int ni, GetNewReplicaSet(d, rss, true));
  const size_t n = static_cast<size_t>(ni);
  const int64_t desired = dl::DesiredReplicas(d);
  // Scale the new ReplicaSet up as far as maxSurge allows (or down to the desired size).
  bool scaled = false;
  const int64_t current = dl::RsSpecReplicas(&rss[n]);
  if (current > desired) {
    K1S_ASSIGN_OR_RETURN(scaled, ScaleIfChanged(d, rss, n, desired));
  } else if (current < desired) {
    K1S_ASSIGN_OR_RETURN(scaled, ScaleIfChanged(d, rss, n, dl::NewRsNewReplicas(d, Ptrs(rss), &rss[n])));
  }
  if (scaled) return SyncRolloutStatus(d, rss, ni);
  // Then the old ones down as far as maxUnavailable allows.
  for (const auto& a : dl::PlanOldScaleDown(d, &rss[n], dl::OldReplicaSets(Ptrs(rss), &rss[n]))) {
    K1S_ASSIGN_OR_RETURN(bool s, ScaleIfChanged(d, rss, static_cast<size_t>(a.rs - rss.data()), a.replicas));
    scaled = scaled || s;
  }
  if (scaled) return SyncRolloutStatus(d, rss, ni);
  if (dl::DeploymentComplete(d, StatusOf(d))) K1S_TRY(CleanUp(d, rss, ni));
  return SyncRolloutStatus(d, rss, ni);
}

Status DeploymentController::RolloutRecreate(json::object& d, RsVec& rss) {
  K1S_ASSIGN_OR_RETURN(int ni, GetNewReplicaSet(d, rss, false));
  bool scaled = false;
  {
    dl::RsList old = dl::OldReplicaSets(Ptrs(rss), ni >= 0 ? &rss[ni] : nullptr);
    for (const auto* rs : dl::FilterActive(old)) {
      K1S_ASSIGN_OR_RETURN(bool s, ScaleIfChanged(d, rss, static_cast<size_t>(rs - rss.data()), 0));
      scaled = scaled || s;
    }
  }
  if (scaled) return SyncRolloutStatus(d, rss, ni);
  // Wait until every old pod has terminated.
  dl::RsList old = dl::OldReplicaSets(Ptrs(rss), ni >= 0 ? &rss[ni] : nullptr);
  std::vector<ObjectPtr> old_pods;
  for (const auto* rs : old) {
    for (auto& p : pod_informer_.ByIndex(kControllerUidIndex, api::MetaString(*rs, "uid"))) {
      old_pods.push_back(std::move(p));
    }
  }
  std::vector<const json::object*> raw;
  for (const auto& p : old_pods) raw.push_back(p.get());
  if (dl::OldPodsRunning(old, raw)) return SyncRolloutStatus(d, rss, ni);
  if (ni < 0) {
    K1S_ASSIGN_OR_RETURN(ni, GetNewReplicaSet(d, rss, true));
  }
  K1S_TRY(ScaleIfChanged(d, rss, static_cast<size_t>(ni), dl::DesiredReplicas(d)));
  if (dl::DeploymentComplete(d, StatusOf(d))) K1S_TRY(CleanUp(d, rss, ni));
  return SyncRolloutStatus(d, rss, ni);
}

Status DeploymentController::Reconcile(const std::string& key) {
  ObjectPtr cached = d_informer_.Get(key);
  if (!cached) return OkStatus();
  json::object d = *cached;
  d["apiVersion"] = client::kDeployments.GroupVersion();
  d["kind"] = client::kDeployments.kind;

  if (replicaset::SelectorIsEmpty(SelectorOf(d))) {
    events_.Event(client::Regarding(d, client::kDeployments), "Warning", "SelectingAll",
                  "This deployment is selecting all pods. A non-empty selector is required.");
    const int64_t gen = IntAt(d, {"metadata", "generation"});
    if (IntAt(d, {"status", "observedGeneration"}) != gen) {
      json::object status = StatusOf(d);
      status["observedGeneration"] = gen;
      return WriteStatus(d, std::move(status));
    }
    return OkStatus();
  }

  K1S_ASSIGN_OR_RETURN(RsVec rss, ClaimReplicaSets(d));

  if (replicaset::IsBeingDeleted(d)) {
    K1S_ASSIGN_OR_RETURN(int ni, GetNewReplicaSet(d, rss, false));
    json::object status = dl::CalculateStatus(d, Ptrs(rss), ni >= 0 ? &rss[ni] : nullptr, clock_.Now());
    if (status != StatusOf(d)) return WriteStatus(d, std::move(status));
    return OkStatus();
  }

  K1S_TRY(CheckPausedConditions(d));
  const json::object* spec = api::ObjAt(d, {"spec"});
  if (spec && spec->contains("paused") && spec->at("paused").is_bool() && spec->at("paused").as_bool()) {
    return Sync(d, rss);
  }

  {
    K1S_ASSIGN_OR_RETURN(int ni, GetNewReplicaSet(d, rss, false));
    (void)ni;
    if (dl::IsScalingEvent(d, Ptrs(rss))) return Sync(d, rss);
  }

  if (StrAt(d, {"spec", "strategy", "type"}) == "Recreate") return RolloutRecreate(d, rss);
  return RolloutRolling(d, rss);
}

}  // namespace k1s::controllers
