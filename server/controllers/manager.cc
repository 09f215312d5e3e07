#include "server/controllers/manager.h"

#include "lib/base/log.h"
#include "server/controllers/cronjob/cronjob.h"
#include "server/controllers/daemonset/daemonset.h"
#include "server/controllers/deployment/deployment.h"
#include "server/controllers/disruption/disruption.h"
#include "server/controllers/endpoints/endpoints.h"
#include "server/controllers/garbagecollector/garbagecollector.h"
#include "server/controllers/horizontalpodautoscaler/horizontalpodautoscaler.h"
#include "server/controllers/job/job.h"
#include "server/controllers/namespace/namespace.h"
#include "server/controllers/nodelifecycle/nodelifecycle.h"
#include "server/controllers/podgc/podgc.h"
#include "server/controllers/replicaset/replicaset.h"
#include "server/controllers/resourcequota/resourcequota.h"
#include "server/controllers/serviceaccount/serviceaccount.h"
#include "server/controllers/statefulset/statefulset.h"
#include "server/scheduler/scheduler.h"

namespace k1s::controllers {

namespace {
constexpr char kComponent[] = "controllers";
}  // namespace

ControllerManager::ControllerManager(client::Client& controllers_client, client::Client& scheduler_client,
                                     ControllerManagerOptions options)
    : client_(controllers_client),
      scheduler_client_(scheduler_client),
      options_(std::move(options)),
      informers_(controllers_client, client::InformerOptions{}),
      scheduler_informers_(scheduler_client, client::InformerOptions{}) {
  auto context = [&](const std::string& component) {
    recorders_.push_back(std::make_unique<client::EventRecorder>(client_, component));
    return ControllerContext{client_, informers_, *recorders_.back()};
  };
  std::vector<client::Resource> namespaced;
  for (const auto& r : options_.resources)
    if (r.namespaced) namespaced.push_back(r);
  controllers_.push_back(std::make_unique<ReplicaSetController>(context("replicaset-controller")));
  controllers_.push_back(std::make_unique<DeploymentController>(context("deployment-controller")));
  controllers_.push_back(std::make_unique<StatefulSetController>(context("statefulset-controller")));
  controllers_.push_back(std::make_unique<DaemonSetController>(context("daemonset-controller")));
  controllers_.push_back(std::make_unique<JobController>(context("job-controller")));
  controllers_.push_back(std::make_unique<CronJobController>(context("cronjob-controller")));
  controllers_.push_back(std::make_unique<endpoints::EndpointsController>(context("endpoint-controller")));
  controllers_.push_back(std::make_unique<endpoints::EndpointSliceController>(context("endpointslice-controller")));
  controllers_.push_back(
      std::make_unique<serviceaccount::ServiceAccountsController>(context("service-account-controller")));
  controllers_.push_back(std::make_unique<serviceaccount::RootCaPublisher>(context("root-ca-cert-publisher"),
                                                                           options_.ca_bundle_pem));
  controllers_.push_back(
      std::make_unique<namespaces::NamespaceController>(context("namespace-controller"), namespaced));
  controllers_.push_back(
      std::make_unique<NodeLifecycleController>(context("node-lifecycle-controller"), SystemClock(),
                                                options_.node_lifecycle));
  controllers_.push_back(
      std::make_unique<PodGCController>(context("pod-garbage-collector"), SystemClock(), options_.pod_gc));
  controllers_.push_back(std::make_unique<DisruptionController>(context("controllermanager")));
  controllers_.push_back(
      std::make_unique<HorizontalPodAutoscalerController>(context("horizontal-pod-autoscaler")));
  controllers_.push_back(
      std::make_unique<ResourceQuotaController>(context("resourcequota-controller"), namespaced));
  // Last: it watches every resource, sharing the full informers the others made and keeping
  // metadata-only ones for the rest.
  controllers_.push_back(std::make_unique<garbagecollector::GarbageCollector>(context("garbage-collector-controller"),
                                                                              options_.resources));
  recorders_.push_back(std::make_unique<client::EventRecorder>(scheduler_client_, "default-scheduler"));
  scheduler_ = std::make_unique<scheduler::Scheduler>(
      ControllerContext{scheduler_client_, scheduler_informers_, *recorders_.back()});
}

ControllerManager::~ControllerManager() { Stop(); }

std::unique_ptr<client::LeaderElector> ControllerManager::MakeElector(client::Client& client, const std::string& lease,
                                                                     const LeaderElectionOptions& le,
                                                                     std::function<void()> start) {
  client::LeaderElectionConfig c;
  c.lease_name = lease;
  c.identity = options_.identity;
  c.lease_duration = le.lease_duration;
  c.renew_deadline = le.renew_deadline;
  c.retry_period = le.retry_period;
  c.on_started_leading = std::move(start);
  c.on_stopped_leading = [this, lease] {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!started_) return;  // our own Stop
    }
    K1S_LOG(kError, kComponent) << "lost the lease kube-system/" << lease << "; stopping";
    if (options_.on_leadership_lost) options_.on_leadership_lost(lease);
  };
  return std::make_unique<client::LeaderElector>(client, std::move(c));
}

void ControllerManager::StartControllers() {
  std::lock_guard<std::mutex> lock(mu_);  // held throughout: Stop never overlaps a start
  if (!started_ || controllers_started_) return;
  controllers_started_ = true;
  informers_.Start();
  for (auto& c : controllers_) c->Start(options_.workers);
  K1S_LOG(kInfo, kComponent) << "started " << controllers_.size() << " controllers";
}

void ControllerManager::StartScheduler() {
  std::lock_guard<std::mutex> lock(mu_);
  if (!started_ || scheduler_started_) return;
  scheduler_started_ = true;
  scheduler_informers_.Start();
  scheduler_->Start(options_.workers);
  K1S_LOG(kInfo, kComponent) << "started the scheduler";
}

void ControllerManager::Start() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (started_) return;
    started_ = true;
  }
  K1S_LOG(kInfo, kComponent) << "built " << controllers_.size() << " controllers and the scheduler"
                             << (options_.controller_manager_election.enabled || options_.scheduler_election.enabled
                                     ? "; waiting for leader election (identity " + options_.identity + ")" : "");
  if (options_.controller_manager_election.enabled) {
    controllers_elector_ = MakeElector(client_, "kube-controller-manager", options_.controller_manager_election,
                                       [this] { StartControllers(); });
    controllers_elector_->Start();
  } else {
    StartControllers();
  }
  if (options_.scheduler_election.enabled) {
    scheduler_elector_ = MakeElector(scheduler_client_, "kube-scheduler", options_.scheduler_election,
                                     [this] { StartScheduler(); });
    scheduler_elector_->Start();
  } else {
    StartScheduler();
  }
}

void ControllerManager::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!started_) return;
    started_ = false;
    // Loops first, then the Leases are given up, so a successor never overlaps with them.
    if (scheduler_started_) scheduler_->Stop();
    if (controllers_started_)
      for (auto& c : controllers_) c->Stop();
  }
  if (scheduler_elector_) scheduler_elector_->Stop();
  if (controllers_elector_) controllers_elector_->Stop();
  informers_.Stop();
  scheduler_informers_.Stop();
  for (auto& r : recorders_) r->Flush();
}

}  // namespace k1s::controllers
