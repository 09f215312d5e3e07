#include "server/controllers/endpoints/endpoints.h"

#include <cstdlib>

#include "lib/api/meta.h"
#include "lib/base/log.h"
#include "server/controllers/endpoints/endpoints_logic.h"

namespace k1s::controllers::endpoints {

namespace {

constexpr const char* kLog = "endpoints";
constexpr std::chrono::milliseconds kCacheWait{100};
constexpr std::chrono::seconds kExpectationTimeout{10};

// Waits for the informers, then runs the workers until the queue shuts down.
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

// Keys of the services in the pod's namespace whose selector matches it.
void AddMatchingServices(client::SharedInformer& services, const client::ObjectPtr& pod, client::WorkQueue& queue) {
  if (!pod) return;
  for (const auto& svc : services.ListNamespace(api::MetaString(*pod, "namespace"))) {
    if (ServiceIsManaged(*svc) && SelectorMatches(*svc, *pod)) queue.Add(client::KeyOf(*svc));
  }
}

}  // namespace

// ---- Endpoints ----

EndpointsController::EndpointsController(const ControllerContext& ctx)
    : ctx_(ctx),
      services_(ctx.informers.For(client::kServices)),
      pods_(ctx.informers.For(client::kPods)),
      endpoints_(ctx.informers.For(client::kEndpoints)),
      queue_(client::WorkQueueOptions{.name = "endpoints"}) {
  auto svc = [this](const client::ObjectPtr& o) { queue_.Add(client::KeyOf(*o)); };
  services_.AddEventHandler({svc, [svc](const client::ObjectPtr&, const client::ObjectPtr& o) { svc(o); }, svc});
  pods_.AddEventHandler({[this](const client::ObjectPtr& o) { EnqueueServicesForPod(o); },
                         [this](const client::ObjectPtr& a, const client::ObjectPtr& b) {
                           EnqueueServicesForPod(a);
                           EnqueueServicesForPod(b);
                         },
                         [this](const client::ObjectPtr& o) { EnqueueServicesForPod(o); }});
  // Someone else changed or removed the Endpoints of a managed service: put them back.
  auto ep = [this](const client::ObjectPtr& o) {
    if (auto s = services_.Get(client::KeyOf(*o)); s && ServiceIsManaged(*s)) queue_.Add(client::KeyOf(*o));
  };
  endpoints_.AddEventHandler({nullptr, [ep](const client::ObjectPtr&, const client::ObjectPtr& o) { ep(o); }, ep});
}

EndpointsController::~EndpointsController() { Stop(); }

void EndpointsController::EnqueueServicesForPod(const client::ObjectPtr& pod) {
  AddMatchingServices(services_, pod, queue_);
}

void EndpointsController::Start(int workers) {
  if (runner_.joinable()) return;
  runner_ = RunWhenSynced(queue_, {&services_, &pods_, &endpoints_}, workers,
                          [this](const std::string& key) { return Reconcile(key); });
}

void EndpointsController::Stop() {
  queue_.ShutDown();
  if (runner_.joinable()) runner_.join();
}

Status EndpointsController::Reconcile(const std::string& key) {
  auto [ns, name] = client::SplitKey(key);
  if (ns == "default" && name == "kubernetes") return OkStatus();
  client::ObjectPtr svc = services_.Get(key);
  if (!svc) {
    // The service is gone: so are its Endpoints.
    if (!endpoints_.Get(key)) return OkStatus();
    auto r = ctx_.client.Delete(client::kEndpoints, ns, name);
    if (!r.ok() && !client::IsNotFound(r.error())) return Fail(r.error());
    K1S_LOG(kInfo, kLog) << "deleted endpoints " << key << " of a deleted service";
    return OkStatus();
  }
  if (!ServiceIsManaged(*svc)) return OkStatus();
  json::object desired = DesiredEndpoints(*svc, pods_.ListNamespace(ns));
  client::ObjectPtr current = endpoints_.Get(key);
  if (!current) {
    auto r = ctx_.client.Create(client::kEndpoints, ns, desired);
    if (!r.ok()) {
      if (client::IsAlreadyExists(r.error())) {
        // The cache is behind: compare with the live object.
        auto live = ctx_.client.Get(client::kEndpoints, ns, name);
        if (!live.ok()) return Fail(live.error());
        auto next = EndpointsUpdate(*live, desired);
        if (!next) return OkStatus();
        K1S_TRY(ctx_.client.Update(client::kEndpoints, ns, name, std::move(*next)));
        return OkStatus();
      }
      return Fail(r.error());
    }
    K1S_LOG(kDebug, kLog) << "created endpoints " << key;
    return OkStatus();
  }
  auto next = EndpointsUpdate(*current, desired);
  if (!next) return OkStatus();
  K1S_TRY(ctx_.client.Update(client::kEndpoints, ns, name, std::move(*next)));
  K1S_LOG(kDebug, kLog) << "updated endpoints " << key;
  return OkStatus();
}

// ---- EndpointSlices ----

EndpointSliceController::EndpointSliceController(const ControllerContext& ctx, size_t max_endpoints_per_slice)
    : ctx_(ctx),
      max_per_slice_(max_endpoints_per_slice),
      services_(ctx.informers.For(client::kServices)),
      pods_(ctx.informers.For(client::kPods)),
      slices_(ctx.informers.For(client::kEndpointSlices)),
      queue_(client::WorkQueueOptions{.name = "endpointslice"}) {
  auto svc = [this](const client::ObjectPtr& o) { queue_.Add(client::KeyOf(*o)); };
  services_.AddEventHandler({svc, [svc](const client::ObjectPtr&, const client::ObjectPtr& o) { svc(o); }, svc});
  pods_.AddEventHandler({[this](const client::ObjectPtr& o) { EnqueueServicesForPod(o); },
                         [this](const client::ObjectPtr& a, const client::ObjectPtr& b) {
                           EnqueueServicesForPod(a);
                           EnqueueServicesForPod(b);
                         },
                         [this](const client::ObjectPtr& o) { EnqueueServicesForPod(o); }});
  auto slice = [this](const client::ObjectPtr& o) {
    auto labels = api::Labels(*o);
    auto it = labels.find(kManagedByLabel);
    if (it == labels.end() || it->second != kManagedByValue) return;
    auto svc_name = labels.find(kServiceNameLabel);
    if (svc_name != labels.end()) queue_.Add(client::MakeKey(api::MetaString(*o, "namespace"), svc_name->second));
  };
  slices_.AddEventHandler(
      {slice, [slice](const client::ObjectPtr&, const client::ObjectPtr& o) { slice(o); }, slice});
}

EndpointSliceController::~EndpointSliceController() { Stop(); }

void EndpointSliceController::EnqueueServicesForPod(const client::ObjectPtr& pod) {
  AddMatchingServices(services_, pod, queue_);
}

void EndpointSliceController::Start(int workers) {
  if (runner_.joinable()) return;
  runner_ = RunWhenSynced(queue_, {&services_, &pods_, &slices_}, workers,
                          [this](const std::string& key) { return Reconcile(key); });
}

void EndpointSliceController::Stop() {
  queue_.ShutDown();
  if (runner_.joinable()) runner_.join();
}

bool EndpointSliceController::CacheIsBehind(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = expectations_.find(key);
  if (it == expectations_.end()) return false;
  if (std::chrono::steady_clock::now() - it->second.at > kExpectationTimeout) {
    expectations_.erase(it);
    return false;
  }
  auto [ns, unused] = client::SplitKey(key);
  for (const auto& [name, rv] : it->second.slices) {
    client::ObjectPtr cached = slices_.Get(ns, name);
    if (rv.empty()) {
      if (cached) return true;
      continue;
    }
    if (!cached) return true;
    std::string have = api::MetaString(*cached, "resourceVersion");
    if (have == rv) continue;
    char* end_have = nullptr;
    char* end_want = nullptr;
    long long h = std::strtoll(have.c_str(), &end_have, 10), w = std::strtoll(rv.c_str(), &end_want, 10);
    bool numeric = end_have && *end_have == '\0' && end_want && *end_want == '\0' && !have.empty();
    if (!numeric || h < w) return true;
  }
  expectations_.erase(it);
  return false;
}

void EndpointSliceController::Expect(const std::string& key, const std::string& name, const std::string& rv) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& e = expectations_[key];
  e.slices[name] = rv;
  e.at = std::chrono::steady_clock::now();
}

Status EndpointSliceController::Reconcile(const std::string& key) {
  auto [ns, name] = client::SplitKey(key);
  if (CacheIsBehind(key)) {
    queue_.AddAfter(key, kCacheWait);
    return OkStatus();
  }
  client::ObjectPtr svc = services_.Get(key);
  std::vector<client::ObjectPtr> existing = slices_.ListNamespace(ns);
  if (!svc || !ServiceIsManaged(*svc)) {
    // Slices of a deleted (or no longer selecting) service go; the garbage collector would also
    // delete them through their owner reference.
    for (const auto& s : existing) {
      if (!SliceIsManagedFor(*s, name)) continue;
      std::string slice_name = api::MetaString(*s, "name");
      auto r = ctx_.client.Delete(client::kEndpointSlices, ns, slice_name);
      if (!r.ok() && !client::IsNotFound(r.error())) return Fail(r.error());
      Expect(key, slice_name, "");
    }
    return OkStatus();
  }
  SlicePlan plan = PlanEndpointSlices(*svc, pods_.ListNamespace(ns), existing, max_per_slice_);
  if (plan.Empty()) return OkStatus();
  // Creates and updates first, so a moved endpoint is never missing from every slice.
  for (auto& obj : plan.update) {
    std::string slice_name = api::MetaString(obj, "name");
    K1S_ASSIGN_OR_RETURN(json::object written,
                         ctx_.client.Update(client::kEndpointSlices, ns, slice_name, std::move(obj)));
    Expect(key, slice_name, api::MetaString(written, "resourceVersion"));
  }
  for (auto& obj : plan.create) {
    K1S_ASSIGN_OR_RETURN(json::object written, ctx_.client.Create(client::kEndpointSlices, ns, std::move(obj)));
    Expect(key, api::MetaString(written, "name"), api::MetaString(written, "resourceVersion"));
  }
  for (const auto& slice_name : plan.remove) {
    auto r = ctx_.client.Delete(client::kEndpointSlices, ns, slice_name);
    if (!r.ok() && !client::IsNotFound(r.error())) return Fail(r.error());
    Expect(key, slice_name, "");
  }
  K1S_LOG(kDebug, kLog) << "endpointslices of " << key << ": " << plan.create.size() << " created, "
                        << plan.update.size() << " updated, " << plan.remove.size() << " deleted";
  return OkStatus();
}

}  // namespace k1s::controllers::endpoints
