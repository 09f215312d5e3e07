#include "server/controllers/daemonset/daemonset.h"

#include <algorithm>

#include "lib/base/log.h"

namespace k1s::controllers {

namespace {
constexpr const char* kLog = "daemonset-controller";

// Node changes that can change where daemon pods belong.
bool NodeChanged(const json::object& a, const json::object& b) {
  auto spec = [](const json::object& n) {
    const json::object* s = ObjAt(n, "spec");
    return s ? json::serialize(*s) : std::string();
  };
  return Labels(a) != Labels(b) || spec(a) != spec(b);
}
}  // namespace

DaemonSetController::DaemonSetController(ControllerContext ctx, Clock& clock)
    : ctx_(ctx),
      clock_(clock),
      daemonsets_(ctx.informers.For(client::kDaemonSets)),
      pods_(ctx.informers.For(client::kPods)),
      nodes_(ctx.informers.For(client::kNodes)),
      revisions_(ctx.informers.For(client::kControllerRevisions)),
      queue_(client::WorkQueueOptions{.name = "daemonset"}) {
  EnsureControllerUidIndex(pods_);
  EnsureControllerUidIndex(revisions_);
  auto enqueue = [this](const client::ObjectPtr& o) { queue_.Add(client::KeyOf(*o)); };
  daemonsets_.AddEventHandler({enqueue,
                               [enqueue](const client::ObjectPtr&, const client::ObjectPtr& n) { enqueue(n); },
                               [this](const client::ObjectPtr& o) { expectations_.Forget(client::KeyOf(*o)); }});
  auto pod = [this](const client::ObjectPtr& o) { EnqueuePodOwner(o); };
  pods_.AddEventHandler({pod, [pod](const client::ObjectPtr&, const client::ObjectPtr& n) { pod(n); }, pod});
  nodes_.AddEventHandler({[this](const client::ObjectPtr&) { EnqueueAll(); },
                          [this](const client::ObjectPtr& a, const client::ObjectPtr& b) {
                            if (a == b || NodeChanged(*a, *b)) EnqueueAll();
                          },
                          [this](const client::ObjectPtr&) { EnqueueAll(); }});
}

DaemonSetController::~DaemonSetController() { Stop(); }

void DaemonSetController::EnqueueAll() {
  for (const auto& k : daemonsets_.Keys()) queue_.Add(k);
}

void DaemonSetController::EnqueuePodOwner(const client::ObjectPtr& pod) {
  std::string owner = ControllerNameOf(*pod, "DaemonSet");
  if (!owner.empty()) queue_.Add(client::MakeKey(MetaString(*pod, "namespace"), owner));
}

void DaemonSetController::Start(int workers) {
  if (runner_.joinable()) return;
  runner_ = std::thread([this, workers] {
    for (client::SharedInformer* inf : {&daemonsets_, &pods_, &nodes_, &revisions_})
      while (!inf->WaitForSync(std::chrono::milliseconds(500)))
        if (queue_.ShuttingDown()) return;
    K1S_LOG(kInfo, kLog) << "started with " << workers << " workers";
    client::RunWorkers(queue_, workers, [this](const std::string& key) { return Reconcile(key); });
  });
}

void DaemonSetController::Stop() {
  queue_.ShutDown();
  if (runner_.joinable()) runner_.join();
}

Result<std::string> DaemonSetController::SyncRevisions(const json::object& ds, const PodList& pods) {
  const std::string ns = MetaString(ds, "namespace");
  const std::string hash = daemonset::TemplateHash(ds);
  const std::string name = MetaString(ds, "name") + "-" + hash;
  auto owned = revisions_.ByIndex(kControllerUidIndex, MetaString(ds, "uid"));
  int64_t max_revision = 0;
  client::ObjectPtr mine;
  for (const auto& r : owned) {
    max_revision = std::max(max_revision, IntAt(*r, "revision").value_or(0));
    if (MetaString(*r, "name") == name) mine = r;
  }
  if (!mine) {
    auto created = ctx_.client.Create(client::kControllerRevisions, ns,
                                      daemonset::NewControllerRevision(ds, hash, max_revision + 1));
    if (!created.ok() && !client::IsAlreadyExists(created.error())) return Fail(created.error());
  } else if (IntAt(*mine, "revision").value_or(0) < max_revision) {
    json::object bumped = *mine;  // a rollback to an older template makes it the newest revision
    bumped["revision"] = max_revision + 1;
    auto r = ctx_.client.Update(client::kControllerRevisions, ns, MetaString(*mine, "name"), std::move(bumped));
    if (!r.ok()) return Fail(r.error());
  }
  // History beyond revisionHistoryLimit that no pod uses.
  const json::object* spec = ObjAt(ds, "spec");
  int64_t limit = spec ? IntAt(*spec, "revisionHistoryLimit").value_or(10) : 10;
  std::set<std::string> in_use{hash};
  for (const auto& p : pods) in_use.insert(Labels(*p)[daemonset::kRevisionHashLabel]);
  std::vector<client::ObjectPtr> old;
  for (const auto& r : owned)
    if (!in_use.count(Labels(*r)[daemonset::kRevisionHashLabel]) && MetaString(*r, "name") != name) old.push_back(r);
  std::sort(old.begin(), old.end(), [](const auto& a, const auto& b) {
    return IntAt(*a, "revision").value_or(0) < IntAt(*b, "revision").value_or(0);
  });
  for (size_t i = 0; static_cast<int64_t>(old.size() - i) > limit; ++i) {
    auto r = ctx_.client.Delete(client::kControllerRevisions, ns, MetaString(*old[i], "name"));
    if (!r.ok() && !client::IsNotFound(r.error())) return Fail(r.error());
  }
  return hash;
}

Status DaemonSetController::Reconcile(const std::string& key) {
  auto [ns, name] = client::SplitKey(key);
  client::ObjectPtr ds = daemonsets_.Get(key);
  if (!ds) {
    expectations_.Forget(key);
    return OkStatus();
  }
  if (!MetaString(*ds, "deletionTimestamp").empty()) return OkStatus();
  const TimePoint now = clock_.Now();
  PodList pods = pods_.ByIndex(kControllerUidIndex, MetaString(*ds, "uid"));
  K1S_ASSIGN_OR_RETURN(std::string hash, SyncRevisions(*ds, pods));

  if (!expectations_.Satisfied(key, pods_, now)) return OkStatus();  // pod events requeue
  daemonset::DaemonPlan plan = daemonset::PlanDaemonSet(*ds, nodes_.List(), pods, hash, now);

  for (const auto& pod_name : plan.delete_pods) {
    expectations_.ExpectDelete(key, client::MakeKey(ns, pod_name), now);
    auto r = ctx_.client.Delete(client::kPods, ns, pod_name);
    if (!r.ok() && !client::IsNotFound(r.error())) {
      expectations_.Forget(key);
      ctx_.events.Event(*ds, "Warning", "FailedDaemonPod", "Error deleting pod " + pod_name + ": " + r.error().message);
      return Fail(r.error());
    }
    ctx_.events.Event(*ds, "Normal", "SuccessfulDelete", "Deleted pod: " + pod_name);
  }
  for (const auto& node : plan.create_on_nodes) {
    auto created = ctx_.client.Create(client::kPods, ns, daemonset::NewDaemonPod(*ds, node, hash));
    if (!created.ok()) {
      ctx_.events.Event(*ds, "Warning", "FailedCreate", "Error creating: " + created.error().message);
      return Fail(created.error());
    }
    expectations_.ExpectCreate(key, client::KeyOf(*created), now);
    ctx_.events.Event(*ds, "Normal", "SuccessfulCreate", "Created pod: " + MetaString(*created, "name"));
  }

  const json::object* old_status = ObjAt(*ds, "status");
  if (!old_status || *old_status != plan.status) {
    json::object updated = *ds;
    updated["status"] = plan.status;
    auto r = ctx_.client.UpdateStatus(client::kDaemonSets, ns, name, std::move(updated));
    if (!r.ok()) return Fail(r.error());
  }
  if (plan.requeue_after) queue_.AddAfter(key, *plan.requeue_after + std::chrono::milliseconds(10));
  return OkStatus();
}

}  // namespace k1s::controllers
