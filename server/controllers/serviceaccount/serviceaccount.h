// The ServiceAccount controller and the root CA publisher: what every namespace gets for its pods.
// Owned by the controller manager; handlers run on informer threads and only enqueue namespace
// names; Reconcile runs on the worker threads.
// ServiceAccountsController  WATCHES: namespaces, serviceaccounts.  WRITES: serviceaccounts.
//   INVARIANT: every active namespace has ServiceAccount "default" (created again when deleted).
// RootCaPublisher            WATCHES: namespaces, configmaps.      WRITES: configmaps.
//   INVARIANT: every active namespace has ConfigMap kube-root-ca.crt with data ca.crt = the CA bundle.
#pragma once

#include <string>
#include <thread>

#include "lib/client/workqueue.h"
#include "server/controllers/controller.h"

namespace k1s::controllers::serviceaccount {

class ServiceAccountsController final : public Controller {
 public:
  explicit ServiceAccountsController(const ControllerContext& ctx);
  ~ServiceAccountsController() override;
  std::string Name() const override { return "serviceaccount-controller"; }
  void Start(int workers) override;
  void Stop() override;
  // One namespace name: creates its "default" ServiceAccount when missing.
  Status Reconcile(const std::string& ns);

 private:
  ControllerContext ctx_;
  client::SharedInformer& namespaces_;
  client::SharedInformer& accounts_;
  client::WorkQueue queue_;
  std::thread runner_;
};

class RootCaPublisher final : public Controller {
 public:
  // ca_pem: the cluster CA bundle (PEM) pods use to verify the API server.
  RootCaPublisher(const ControllerContext& ctx, std::string ca_pem);
  ~RootCaPublisher() override;
  std::string Name() const override { return "root-ca-cert-publisher"; }
  void Start(int workers) override;
  void Stop() override;
  // One namespace name: creates or repairs its kube-root-ca.crt ConfigMap.
  Status Reconcile(const std::string& ns);

 private:
  ControllerContext ctx_;
  const std::string ca_pem_;
  client::SharedInformer& namespaces_;
  client::SharedInformer& configmaps_;
  client::WorkQueue queue_;
  std::thread runner_;
};

}  // namespace k1s::controllers::serviceaccount
