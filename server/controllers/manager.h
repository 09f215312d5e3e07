// ControllerManager: the in-process kube-controller-manager and kube-scheduler of `k1s server`. It
// builds one shared informer factory over the given client, the control loops (deployment,
// replicaset, statefulset, daemonset, job, cronjob, endpoints, endpointslices, service accounts and
// kube-root-ca.crt, namespaces, garbage collector, node lifecycle, pod GC, disruption budgets, horizontal pod autoscalers) and the scheduler, each with an EventRecorder of
// its own name. With leader election on (the default, as upstream's --leader-elect), the controllers
// run only while this server holds the Lease kube-system/kube-controller-manager and the scheduler
// only while it holds kube-system/kube-scheduler, so several servers never run two of either; a
// holder that loses its Lease stops its loops and calls on_leadership_lost (the server then exits,
// as the upstream components do). Owned by server/server.cc; Start/Stop from the start-up thread;
// the loops and the electors run on their own threads.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "lib/client/client.h"
#include "lib/client/event_recorder.h"
#include "lib/client/informer.h"
#include "lib/client/leader_election.h"
#include "server/controllers/controller.h"
#include "server/controllers/nodelifecycle/nodelifecycle.h"
#include "server/controllers/podgc/podgc.h"

namespace k1s::controllers {

// Upstream's --leader-elect* flags of one component.
struct LeaderElectionOptions {
  bool enabled = true;
  std::chrono::milliseconds lease_duration{15000};
  std::chrono::milliseconds renew_deadline{10000};
  std::chrono::milliseconds retry_period{2000};
};

struct ControllerManagerOptions {
  std::string ca_bundle_pem;               // kube-root-ca.crt in every namespace
  std::vector<client::Resource> resources; // every served resource (namespace cleanup, garbage collection)
  int workers = 2;                         // worker threads per controller
  NodeLifecycleOptions node_lifecycle;
  PodGCOptions pod_gc;
  // Candidate identity in both Leases: "<hostname>_<id>", stable across restarts of one server so a
  // restart after a crash takes its own Lease back at once.
  std::string identity;
  LeaderElectionOptions controller_manager_election;
  LeaderElectionOptions scheduler_election;
  // Called (from an elector thread) when a held Lease was lost; what = "kube-controller-manager" or
  // "kube-scheduler".
  std::function<void(const std::string& what)> on_leadership_lost;
};

class ControllerManager {
 public:
  // controllers_client acts as the controller manager, scheduler_client as the scheduler.
  ControllerManager(client::Client& controllers_client, client::Client& scheduler_client,
                    ControllerManagerOptions options);
  ~ControllerManager();
  // Starts the loops, or the elections that start them.
  void Start();
  void Stop();

 private:
  void StartControllers();
  void StartScheduler();
  std::unique_ptr<client::LeaderElector> MakeElector(client::Client& client, const std::string& lease,
                                                     const LeaderElectionOptions& le, std::function<void()> start);

  client::Client& client_;
  client::Client& scheduler_client_;
  ControllerManagerOptions options_;
  client::SharedInformerFactory informers_;
  client::SharedInformerFactory scheduler_informers_;
  std::vector<std::unique_ptr<client::EventRecorder>> recorders_;
  std::vector<std::unique_ptr<Controller>> controllers_;
  std::unique_ptr<Controller> scheduler_;
  std::unique_ptr<client::LeaderElector> controllers_elector_;
  std::unique_ptr<client::LeaderElector> scheduler_elector_;
  std::mutex mu_;  // guards the two flags below (electors call back on their threads)
  bool controllers_started_ = false;
  bool scheduler_started_ = false;
  bool started_ = false;
};

}  // namespace k1s::controllers
