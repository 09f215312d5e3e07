#include "server/controllers/serviceaccount/serviceaccount.h"

#include "lib/api/meta.h"
#include "lib/base/log.h"
#include "server/controllers/serviceaccount/serviceaccount_logic.h"

namespace k1s::controllers::serviceaccount {

namespace {

constexpr const char* kLog = "serviceaccount";

std::thread RunWhenSynced(client::WorkQueue& queue, std::vector<client::SharedInformer*> informers, int workers,
                          std::function<Status(const std::string&)> fn) {
  return std::thread([&queue, informers = std::move(informers), workers, fn = std::move(fn)] {
    for (auto* inf : informers) {
      while (!inf->WaitForSync(std::chrono::milliseconds(200))) {
        if (queue.ShuttingDown()) return;
      }
    }
    client::RunWorkers(queue, workers < 1 ? 1 : workers, fn);
  });
}

// Handlers that enqueue the namespace an object lives in when it is named `name` (or, for
// namespaces themselves, their own name).
client::EventHandlers NamespaceHandlers(client::WorkQueue& queue) {
  auto add = [&queue](const client::ObjectPtr& o) { queue.Add(api::MetaString(*o, "name")); };
  return {add, [add](const client::ObjectPtr&, const client::ObjectPtr& o) { add(o); }, nullptr};
}
client::EventHandlers NamedObjectHandlers(client::WorkQueue& queue, std::string name) {
  auto add = [&queue, name](const client::ObjectPtr& o) {
    if (api::MetaString(*o, "name") == name) queue.Add(api::MetaString(*o, "namespace"));
  };
  return {nullptr, [add](const client::ObjectPtr&, const client::ObjectPtr& o) { add(o); }, add};
}

// Creating in a namespace being deleted is refused (Forbidden) or races its deletion (NotFound):
// neither is worth a retry.
bool IgnorableCreateError(const Error& e) {
  return e.code == ErrorCode::kAlreadyExists || e.code == ErrorCode::kForbidden || e.code == ErrorCode::kNotFound;
}

}  // namespace

ServiceAccountsController::ServiceAccountsController(const ControllerContext& ctx)
    : ctx_(ctx),
      namespaces_(ctx.informers.For(client::kNamespaces)),
      accounts_(ctx.informers.For(client::kServiceAccounts)),
      queue_(client::WorkQueueOptions{.name = "serviceaccount"}) {
  namespaces_.AddEventHandler(NamespaceHandlers(queue_));
  accounts_.AddEventHandler(NamedObjectHandlers(queue_, kDefaultServiceAccount));
}

ServiceAccountsController::~ServiceAccountsController() { Stop(); }

void ServiceAccountsController::Start(int workers) {
  if (runner_.joinable()) return;
  runner_ = RunWhenSynced(queue_, {&namespaces_, &accounts_}, workers,
                          [this](const std::string& key) { return Reconcile(key); });
}

void ServiceAccountsController::Stop() {
  queue_.ShutDown();
  if (runner_.joinable()) runner_.join();
}

Status ServiceAccountsController::Reconcile(const std::string& ns) {
  client::ObjectPtr nsobj = namespaces_.Get(ns);
  if (!nsobj || !NamespaceIsActive(*nsobj)) return OkStatus();
  if (accounts_.Get(ns, kDefaultServiceAccount)) return OkStatus();
  auto r = ctx_.client.Create(client::kServiceAccounts, ns, DefaultServiceAccount(ns));
  if (!r.ok()) {
    if (IgnorableCreateError(r.error())) return OkStatus();
    return Fail(r.error());
  }
  K1S_LOG(kInfo, kLog) << "created serviceaccount " << ns << "/" << kDefaultServiceAccount;
  return OkStatus();
}

RootCaPublisher::RootCaPublisher(const ControllerContext& ctx, std::string ca_pem)
    : ctx_(ctx),
      ca_pem_(std::move(ca_pem)),
      namespaces_(ctx.informers.For(client::kNamespaces)),
      // Only the one ConfigMap it publishes: caching every ConfigMap would cost a decoded copy of
      // each (about 1.7 KB per 1 KiB ConfigMap), for nothing.
      configmaps_(ctx.informers.For(client::kConfigMaps, "", "", std::string("metadata.name=") + kRootCaConfigMap)),
      queue_(client::WorkQueueOptions{.name = "root-ca-cert-publisher"}) {
  namespaces_.AddEventHandler(NamespaceHandlers(queue_));
  configmaps_.AddEventHandler(NamedObjectHandlers(queue_, kRootCaConfigMap));
}

RootCaPublisher::~RootCaPublisher() { Stop(); }

void RootCaPublisher::Start(int workers) {
  if (runner_.joinable()) return;
  runner_ = RunWhenSynced(queue_, {&namespaces_, &configmaps_}, workers,
                          [this](const std::string& key) { return Reconcile(key); });
}

void RootCaPublisher::Stop() {
  queue_.ShutDown();
  if (runner_.joinable()) runner_.join();
}

Status RootCaPublisher::Reconcile(const std::string& ns) {
  client::ObjectPtr nsobj = namespaces_.Get(ns);
  if (!nsobj || !NamespaceIsActive(*nsobj)) return OkStatus();
  client::ObjectPtr current = configmaps_.Get(ns, kRootCaConfigMap);
  if (!current) {
    auto r = ctx_.client.Create(client::kConfigMaps, ns, RootCaConfigMap(ns, ca_pem_));
    if (!r.ok()) {
      if (IgnorableCreateError(r.error())) return OkStatus();
      return Fail(r.error());
    }
    K1S_LOG(kInfo, kLog) << "created configmap " << ns << "/" << kRootCaConfigMap;
    return OkStatus();
  }
  auto next = RootCaConfigMapUpdate(*current, ca_pem_);
  if (!next) return OkStatus();
  auto r = ctx_.client.Update(client::kConfigMaps, ns, kRootCaConfigMap, std::move(*next));
  if (!r.ok() && !client::IsNotFound(r.error())) return Fail(r.error());
  K1S_LOG(kInfo, kLog) << "updated configmap " << ns << "/" << kRootCaConfigMap;
  return OkStatus();
}

}  // namespace k1s::controllers::serviceaccount
