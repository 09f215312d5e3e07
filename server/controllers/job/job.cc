#include "server/controllers/job/job.h"

#include "lib/base/log.h"

namespace k1s::controllers {

namespace {
constexpr std::chrono::minutes kExpectationsTimeout{5};
constexpr const char* kLog = "job-controller";
}  // namespace

void PodExpectations::ExpectCreate(const std::string& key, const std::string& pod_key, TimePoint now) {
  std::lock_guard lock(mu_);
  auto& p = pending_[key];
  if (p.creates.empty() && p.deletes.empty()) p.since = now;
  p.creates.insert(pod_key);
}
void PodExpectations::ExpectDelete(const std::string& key, const std::string& pod_key, TimePoint now) {
  std::lock_guard lock(mu_);
  auto& p = pending_[key];
  if (p.creates.empty() && p.deletes.empty()) p.since = now;
  p.deletes.insert(pod_key);
}
bool PodExpectations::Satisfied(const std::string& key, const client::SharedInformer& pods, TimePoint now) {
  std::lock_guard lock(mu_);
  auto it = pending_.find(key);
  if (it == pending_.end()) return true;
  auto& p = it->second;
  for (auto c = p.creates.begin(); c != p.creates.end();) c = pods.Get(*c) ? p.creates.erase(c) : std::next(c);
  for (auto d = p.deletes.begin(); d != p.deletes.end();) {
    auto obj = pods.Get(*d);
    d = (!obj || IsPodTerminating(*obj)) ? p.deletes.erase(d) : std::next(d);
  }
  if ((p.creates.empty() && p.deletes.empty()) || now - p.since > kExpectationsTimeout) {
    pending_.erase(it);
    return true;
  }
  return false;
}
void PodExpectations::Forget(const std::string& key) {
  std::lock_guard lock(mu_);
  pending_.erase(key);
}


JobController::JobController(ControllerContext ctx, Clock& clock)
    : ctx_(ctx),
      clock_(clock),
      jobs_(ctx.informers.For(client::kJobs)),
      pods_(ctx.informers.For(client::kPods)),
      queue_(client::WorkQueueOptions{.name = "job"}) {
  EnsureControllerUidIndex(pods_);
  auto enqueue = [this](const client::ObjectPtr& o) { queue_.Add(client::KeyOf(*o)); };
  jobs_.AddEventHandler({enqueue, [enqueue](const client::ObjectPtr&, const client::ObjectPtr& n) { enqueue(n); },
                         [this](const client::ObjectPtr& o) {
                           expectations_.Forget(client::KeyOf(*o));
                         }});
  auto pod = [this](const client::ObjectPtr& o) { EnqueuePodOwner(o); };
  pods_.AddEventHandler({pod,
                         [this](const client::ObjectPtr& old_obj, const client::ObjectPtr& new_obj) {
                           EnqueuePodOwner(new_obj);
                           if (ControllerNameOf(*old_obj, "Job") != ControllerNameOf(*new_obj, "Job"))
                             EnqueuePodOwner(old_obj);
                         },
                         pod});
}

JobController::~JobController() { Stop(); }

void JobController::EnqueuePodOwner(const client::ObjectPtr& pod) {
  std::string owner = ControllerNameOf(*pod, "Job");
  if (!owner.empty()) queue_.Add(client::MakeKey(MetaString(*pod, "namespace"), owner));
}

void JobController::Start(int workers) {
  if (runner_.joinable()) return;
  runner_ = std::thread([this, workers] {
    while (!jobs_.WaitForSync(std::chrono::milliseconds(500)) || !pods_.WaitForSync(std::chrono::milliseconds(500)))
      if (queue_.ShuttingDown()) return;
    K1S_LOG(kInfo, kLog) << "started with " << workers << " workers";
    client::RunWorkers(queue_, workers, [this](const std::string& key) { return Reconcile(key); });
  });
}

void JobController::Stop() {
  queue_.ShutDown();
  if (runner_.joinable()) runner_.join();
}

Status JobController::Reconcile(const std::string& key) {
  auto [ns, name] = client::SplitKey(key);
  client::ObjectPtr job = jobs_.Get(key);
  if (!job) {
    expectations_.Forget(key);
    return OkStatus();
  }
  const TimePoint now = clock_.Now();

  // TTL after finished (upstream's ttl-after-finished controller).
  if (auto expiry = job::TtlExpiry(*job)) {
    if (*expiry <= now) {
      client::DeleteOptions opts;
      opts.propagation_policy = "Background";
      opts.precondition_uid = MetaString(*job, "uid");
      auto r = ctx_.client.Delete(client::kJobs, ns, name, opts, nullptr);
      if (!r.ok() && !client::IsNotFound(r.error())) return Fail(r.error());
      K1S_LOG(kInfo, kLog) << "deleted finished job " << key << " (ttlSecondsAfterFinished)";
      return OkStatus();
    }
    queue_.AddAfter(key, std::chrono::duration_cast<std::chrono::milliseconds>(*expiry - now) +
                             std::chrono::milliseconds(50));
  }

  if (!expectations_.Satisfied(key, pods_, now)) return OkStatus();  // the pod events will requeue

  PodList pods = pods_.ByIndex(kControllerUidIndex, MetaString(*job, "uid"));
  job::JobPlan plan = job::PlanJob(*job, pods, now);

  for (const auto& pod_name : plan.delete_pods) {
    expectations_.ExpectDelete(key, client::MakeKey(ns, pod_name), now);
    auto r = ctx_.client.Delete(client::kPods, ns, pod_name);
    if (!r.ok() && !client::IsNotFound(r.error())) {
      expectations_.Forget(key);
      ctx_.events.Event(*job, "Warning", "FailedDelete", "Error deleting: " + r.error().message);
      return Fail(r.error());
    }
    ctx_.events.Event(*job, "Normal", "SuccessfulDelete", "Deleted pod: " + pod_name);
  }
  std::vector<std::optional<int>> creates;
  for (int i = 0; i < plan.create_count; ++i) creates.push_back(std::nullopt);
  for (int i : plan.create_indexes) creates.push_back(i);
  for (const auto& index : creates) {
    auto created = ctx_.client.Create(client::kPods, ns, job::NewJobPod(*job, index));
    if (!created.ok()) {
      ctx_.events.Event(*job, "Warning", "FailedCreate", "Error creating: " + created.error().message);
      return Fail(created.error());
    }
    std::string pod_name = MetaString(*created, "name");
    expectations_.ExpectCreate(key, client::MakeKey(ns, pod_name), now);
    ctx_.events.Event(*job, "Normal", "SuccessfulCreate", "Created pod: " + pod_name);
  }

  const json::object* old_status = ObjAt(*job, "status");
  if (!old_status || *old_status != plan.status) {
    json::object updated = *job;
    updated["status"] = plan.status;
    auto r = ctx_.client.UpdateStatus(client::kJobs, ns, name, std::move(updated));
    if (!r.ok()) return Fail(r.error());
    if (plan.finished == "Complete") {
      ctx_.events.Event(*job, "Normal", "Completed", "Job completed");
      K1S_LOG(kInfo, kLog) << "job " << key << " completed";
    } else if (plan.finished == "Failed") {
      ctx_.events.Event(*job, "Warning", plan.failure_reason,
                        plan.failure_reason == "DeadlineExceeded" ? "Job was active longer than specified deadline"
                                                                  : "Job has reached the specified backoff limit");
      K1S_LOG(kInfo, kLog) << "job " << key << " failed: " << plan.failure_reason;
    }
  }
  if (plan.requeue_after) queue_.AddAfter(key, *plan.requeue_after + std::chrono::milliseconds(10));
  return OkStatus();
}

}  // namespace k1s::controllers
