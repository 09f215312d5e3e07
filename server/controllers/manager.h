// ControllerManager: the in-process kube-controller-manager and kube-scheduler of `k1s server`. It
// builds one shared informer factory over the given client, the control loops (deployment,
// replicaset, statefulset, daemonset, job, cronjob, endpoints, endpointslices, service accounts and
// kube-root-ca.crt, namespaces, garbage collector, node lifecycle, pod GC) and the scheduler, each with an EventRecorder of
// its own name, then starts and stops them together. Owned by server/server.cc; Start/Stop from the
// start-up thread; the loops run on their own threads.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "lib/client/client.h"
#include "lib/client/event_recorder.h"
#include "lib/client/informer.h"
#include "server/controllers/controller.h"

namespace k1s::controllers {

struct ControllerManagerOptions {
  std::string ca_bundle_pem;               // kube-root-ca.crt in every namespace
  std::vector<client::Resource> resources; // every served resource (namespace cleanup, garbage collection)
  int workers = 2;                         // worker threads per controller
};

class ControllerManager {
 public:
  // controllers_client acts as the controller manager, scheduler_client as the scheduler.
  ControllerManager(client::Client& controllers_client, client::Client& scheduler_client,
                    ControllerManagerOptions options);
  ~ControllerManager();
  void Start();
  void Stop();

 private:
  client::Client& client_;
  client::Client& scheduler_client_;
  ControllerManagerOptions options_;
  client::SharedInformerFactory informers_;
  client::SharedInformerFactory scheduler_informers_;
  std::vector<std::unique_ptr<client::EventRecorder>> recorders_;
  std::vector<std::unique_ptr<Controller>> controllers_;
  bool started_ = false;
};

}  // namespace k1s::controllers
