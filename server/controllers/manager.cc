#include "server/controllers/manager.h"

#include "lib/base/log.h"
#include "server/controllers/cronjob/cronjob.h"
#include "server/controllers/daemonset/daemonset.h"
#include "server/controllers/deployment/deployment.h"
#include "server/controllers/endpoints/endpoints.h"
#include "server/controllers/garbagecollector/garbagecollector.h"
#include "server/controllers/job/job.h"
#include "server/controllers/namespace/namespace.h"
#include "server/controllers/nodelifecycle/nodelifecycle.h"
#include "server/controllers/podgc/podgc.h"
#include "server/controllers/replicaset/replicaset.h"
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
  controllers_.push_back(std::make_unique<garbagecollector::GarbageCollector>(context("garbage-collector-controller"),
                                                                              options_.resources));
  controllers_.push_back(
      std::make_unique<NodeLifecycleController>(context("node-lifecycle-controller")));
  controllers_.push_back(std::make_unique<PodGCController>(context("pod-garbage-collector")));
  recorders_.push_back(std::make_unique<client::EventRecorder>(scheduler_client_, "default-scheduler"));
  controllers_.push_back(std::make_unique<scheduler::Scheduler>(
      ControllerContext{scheduler_client_, scheduler_informers_, *recorders_.back()}));
}

ControllerManager::~ControllerManager() { Stop(); }

void ControllerManager::Start() {
  if (started_) return;
  started_ = true;
  informers_.Start();
  scheduler_informers_.Start();
  for (auto& c : controllers_) c->Start(options_.workers);
  K1S_LOG(kInfo, kComponent) << "started " << controllers_.size() << " control loops (scheduler included)";
}

void ControllerManager::Stop() {
  if (!started_) return;
  started_ = false;
  for (auto& c : controllers_) c->Stop();
  informers_.Stop();
  scheduler_informers_.Stop();
  for (auto& r : recorders_) r->Flush();
}

}  // namespace k1s::controllers
