#include "server/controllers/statefulset/statefulset.h"

#include <algorithm>

#include "lib/base/log.h"
#include "server/controllers/job/job.h"

namespace k1s::controllers {

namespace {
constexpr const char* kLog = "statefulset-controller";
}

StatefulSetController::StatefulSetController(ControllerContext ctx, Clock& clock)
    : ctx_(ctx),
      clock_(clock),
      sets_(ctx.informers.For(client::kStatefulSets)),
      pods_(ctx.informers.For(client::kPods)),
      revisions_(ctx.informers.For(client::kControllerRevisions)),
      queue_(client::WorkQueueOptions{.name = "statefulset"}) {
  EnsureControllerUidIndex(pods_);
  EnsureControllerUidIndex(revisions_);
  auto enqueue = [this](const client::ObjectPtr& o) { queue_.Add(client::KeyOf(*o)); };
  sets_.AddEventHandler(
      {enqueue, [enqueue](const client::ObjectPtr&, const client::ObjectPtr& n) { enqueue(n); }, nullptr});
  auto pod = [this](const client::ObjectPtr& o) { EnqueuePodOwner(o); };
  pods_.AddEventHandler({pod, [pod](const client::ObjectPtr&, const client::ObjectPtr& n) { pod(n); }, pod});
}

StatefulSetController::~StatefulSetController() { Stop(); }

void StatefulSetController::EnqueuePodOwner(const client::ObjectPtr& pod) {
  std::string owner = ControllerNameOf(*pod, "StatefulSet");
  if (!owner.empty()) queue_.Add(client::MakeKey(MetaString(*pod, "namespace"), owner));
}

void StatefulSetController::Start(int workers) {
  if (runner_.joinable()) return;
  runner_ = std::thread([this, workers] {
    for (client::SharedInformer* inf : {&sets_, &pods_, &revisions_})
      while (!inf->WaitForSync(std::chrono::milliseconds(500)))
        if (queue_.ShuttingDown()) return;
    K1S_LOG(kInfo, kLog) << "started with " << workers << " workers";
    client::RunWorkers(queue_, workers, [this](const std::string& key) { return Reconcile(key); });
  });
}

void StatefulSetController::Stop() {
  queue_.ShutDown();
  if (runner_.joinable()) runner_.join();
}

Status StatefulSetController::SyncRevision(const json::object& sts) {
  const std::string ns = MetaString(sts, "namespace"), name = statefulset::RevisionName(sts);
  int64_t max_revision = 0;
  client::ObjectPtr mine;
  for (const auto& r : revisions_.ByIndex(kControllerUidIndex, MetaString(sts, "uid"))) {
    max_revision = std::max(max_revision, IntAt(*r, "revision").value_or(0));
    if (MetaString(*r, "name") == name) mine = r;
  }
  if (!mine) {
    auto c = ctx_.client.Create(client::kControllerRevisions, ns, statefulset::NewControllerRevision(sts, max_revision + 1));
    if (!c.ok() && !client::IsAlreadyExists(c.error())) return Fail(c.error());
  } else if (IntAt(*mine, "revision").value_or(0) < max_revision) {
    json::object bumped = *mine;
    bumped["revision"] = max_revision + 1;
    auto r = ctx_.client.Update(client::kControllerRevisions, ns, name, std::move(bumped));
    if (!r.ok()) return Fail(r.error());
  }
  return OkStatus();
}

Status StatefulSetController::Reconcile(const std::string& key) {
  auto [ns, name] = client::SplitKey(key);
  client::ObjectPtr sts = sets_.Get(key);
  if (!sts || !MetaString(*sts, "deletionTimestamp").empty()) return OkStatus();
  K1S_TRY(SyncRevision(*sts));
  PodList pods = pods_.ByIndex(kControllerUidIndex, MetaString(*sts, "uid"));
  statefulset::StsPlan plan = statefulset::PlanStatefulSet(*sts, pods, clock_.Now());

  const json::object* spec = ObjAt(*sts, "spec");
  const json::object* strategy = spec ? ObjAt(*spec, "updateStrategy") : nullptr;
  const json::object* ru = strategy ? ObjAt(*strategy, "rollingUpdate") : nullptr;
  const int64_t partition = ru ? IntAt(*ru, "partition").value_or(0) : 0;
  const std::string update_rev = StrAt(plan.status, "updateRevision");
  const std::string current_rev = StrAt(plan.status, "currentRevision");

  for (const auto& pod_name : plan.delete_pods) {
    auto r = ctx_.client.Delete(client::kPods, ns, pod_name);
    if (!r.ok() && !client::IsNotFound(r.error())) return Fail(r.error());
    ctx_.events.Event(*sts, "Normal", "SuccessfulDelete", "delete Pod " + pod_name + " in StatefulSet " + name + " successful");
  }
  for (int ordinal : plan.create) {
    for (auto& claim : statefulset::NewClaims(*sts, ordinal)) {
      std::string claim_name = MetaString(claim, "name");
      auto c = ctx_.client.Create(client::kPersistentVolumeClaims, ns, std::move(claim));
      if (!c.ok() && !client::IsAlreadyExists(c.error())) {
        ctx_.events.Event(*sts, "Warning", "FailedCreate", "create Claim " + claim_name + " failed: " + c.error().message);
        return Fail(c.error());
      }
      if (c.ok())
        ctx_.events.Event(*sts, "Normal", "SuccessfulCreate",
                          "create Claim " + claim_name + " Pod " + statefulset::PodName(*sts, ordinal) +
                              " in StatefulSet " + name + " success");
    }
    // Ordinals below the partition stay at the current revision.
    json::object tmpl = spec && ObjAt(*spec, "template") ? *ObjAt(*spec, "template") : json::object();
    std::string rev = update_rev;
    if (ordinal < partition && current_rev != update_rev) {
      if (auto cr = revisions_.Get(client::MakeKey(ns, current_rev))) {
        tmpl = statefulset::TemplateOfRevision(*cr);
        rev = current_rev;
      }
    }
    auto c = ctx_.client.Create(client::kPods, ns, statefulset::NewPod(*sts, ordinal, tmpl, rev));
    if (!c.ok() && !client::IsAlreadyExists(c.error())) {
      ctx_.events.Event(*sts, "Warning", "FailedCreate", "create Pod failed: " + c.error().message);
      return Fail(c.error());
    }
    if (c.ok())
      ctx_.events.Event(*sts, "Normal", "SuccessfulCreate",
                        "create Pod " + statefulset::PodName(*sts, ordinal) + " in StatefulSet " + name + " successful");
  }
  const json::object* old_status = ObjAt(*sts, "status");
  if (!old_status || *old_status != plan.status) {
    json::object updated = *sts;
    updated["status"] = plan.status;
    auto r = ctx_.client.UpdateStatus(client::kStatefulSets, ns, name, std::move(updated));
    if (!r.ok()) return Fail(r.error());
  }
  return OkStatus();
}

}  // namespace k1s::controllers
