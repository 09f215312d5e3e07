#include "server/controllers/cronjob/cronjob.h"

#include "lib/base/log.h"
#include "server/controllers/job/job.h"

namespace k1s::controllers {

namespace {
constexpr const char* kLog = "cronjob-controller";
}

CronJobController::CronJobController(ControllerContext ctx, Clock& clock, std::string zoneinfo_dir)
    : ctx_(ctx),
      clock_(clock),
      zoneinfo_dir_(std::move(zoneinfo_dir)),
      cronjobs_(ctx.informers.For(client::kCronJobs)),
      jobs_(ctx.informers.For(client::kJobs)),
      queue_(client::WorkQueueOptions{.name = "cronjob"}) {
  EnsureControllerUidIndex(jobs_);
  auto enqueue = [this](const client::ObjectPtr& o) { queue_.Add(client::KeyOf(*o)); };
  cronjobs_.AddEventHandler(
      {enqueue, [enqueue](const client::ObjectPtr&, const client::ObjectPtr& n) { enqueue(n); }, nullptr});
  auto job = [this](const client::ObjectPtr& o) { EnqueueJobOwner(o); };
  jobs_.AddEventHandler({job, [job](const client::ObjectPtr&, const client::ObjectPtr& n) { job(n); }, job});
}

CronJobController::~CronJobController() { Stop(); }

void CronJobController::EnqueueJobOwner(const client::ObjectPtr& job) {
  std::string owner = ControllerNameOf(*job, "CronJob");
  if (!owner.empty()) queue_.Add(client::MakeKey(MetaString(*job, "namespace"), owner));
}

void CronJobController::Start(int workers) {
  if (runner_.joinable()) return;
  runner_ = std::thread([this, workers] {
    while (!cronjobs_.WaitForSync(std::chrono::milliseconds(500)) || !jobs_.WaitForSync(std::chrono::milliseconds(500)))
      if (queue_.ShuttingDown()) return;
    K1S_LOG(kInfo, kLog) << "started with " << workers << " workers";
    client::RunWorkers(queue_, workers, [this](const std::string& key) { return Reconcile(key); });
  });
}

void CronJobController::Stop() {
  queue_.ShutDown();
  if (runner_.joinable()) runner_.join();
}

Status CronJobController::Reconcile(const std::string& key) {
  auto [ns, name] = client::SplitKey(key);
  client::ObjectPtr cj = cronjobs_.Get(key);
  if (!cj) return OkStatus();
  const json::object* spec = ObjAt(*cj, "spec");
  auto schedule = cronjob::Schedule::Parse(spec ? StrAt(*spec, "schedule") : "");
  if (!schedule.ok()) {
    ctx_.events.Event(*cj, "Warning", "UnparseableSchedule", "unparseable schedule: " + schedule.error().message);
    return OkStatus();  // nothing to retry until the spec changes
  }
  auto tz = cronjob::TimeZone::Load(spec ? StrAt(*spec, "timeZone") : "", zoneinfo_dir_);
  if (!tz.ok()) {
    ctx_.events.Event(*cj, "Warning", "UnknownTimeZone", tz.error().message);
    return OkStatus();
  }
  const TimePoint now = clock_.Now();
  PodList jobs = jobs_.ByIndex(kControllerUidIndex, MetaString(*cj, "uid"));
  cronjob::CronPlan plan = cronjob::PlanCronJob(*cj, jobs, *schedule, *tz, now);

  client::DeleteOptions background;
  background.propagation_policy = "Background";
  for (const auto& job_name : plan.delete_history) {
    auto r = ctx_.client.Delete(client::kJobs, ns, job_name, background, nullptr);
    if (!r.ok() && !client::IsNotFound(r.error())) return Fail(r.error());
    ctx_.events.Event(*cj, "Normal", "SuccessfulDelete", "Deleted job " + job_name);
  }
  for (const auto& job_name : plan.delete_active) {
    auto r = ctx_.client.Delete(client::kJobs, ns, job_name, background, nullptr);
    if (!r.ok() && !client::IsNotFound(r.error())) return Fail(r.error());
    ctx_.events.Event(*cj, "Normal", "SuccessfulDelete", "Deleted job " + job_name);
  }
  for (const auto& e : plan.events) ctx_.events.Event(*cj, e.type, e.reason, e.message);
  if (plan.create_for) {
    auto created = ctx_.client.Create(client::kJobs, ns, cronjob::NewJob(*cj, *plan.create_for));
    if (!created.ok() && !client::IsAlreadyExists(created.error())) {
      ctx_.events.Event(*cj, "Warning", "FailedCreate", "Error creating job: " + created.error().message);
      return Fail(created.error());
    }
    if (created.ok()) {
      json::value& active = plan.status["active"];
      if (!active.is_array()) active = json::array();
      active.get_array().push_back(json::object{{"apiVersion", "batch/v1"},
                                                {"kind", "Job"},
                                                {"name", MetaString(*created, "name")},
                                                {"namespace", ns},
                                                {"uid", MetaString(*created, "uid")},
                                                {"resourceVersion", MetaString(*created, "resourceVersion")}});
      ctx_.events.Event(*cj, "Normal", "SuccessfulCreate", "Created job " + MetaString(*created, "name"));
      K1S_LOG(kInfo, kLog) << "created job " << ns << "/" << MetaString(*created, "name");
    }
  }
  const json::object* old_status = ObjAt(*cj, "status");
  if (!old_status || *old_status != plan.status) {
    json::object updated = *cj;
    updated["status"] = plan.status;
    auto r = ctx_.client.UpdateStatus(client::kCronJobs, ns, name, std::move(updated));
    if (!r.ok()) return Fail(r.error());
  }
  if (plan.requeue_after) queue_.AddAfter(key, *plan.requeue_after + std::chrono::milliseconds(100));
  return OkStatus();
}

}  // namespace k1s::controllers
