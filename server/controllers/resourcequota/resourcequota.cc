#include "server/controllers/resourcequota/resourcequota.h"

#include <algorithm>

#include "lib/api/meta.h"
#include "lib/base/log.h"

namespace k1s::controllers {

namespace json = boost::json;
namespace quota = api::quota;
using client::ObjectPtr;

namespace {
constexpr const char* kLog = "resourcequota-controller";
}  // namespace

ResourceQuotaController::ResourceQuotaController(const ControllerContext& ctx, std::vector<client::Resource> resources,
                                                 Clock& clock, ResourceQuotaOptions options)
    : ctx_(ctx),
      resources_(std::move(resources)),
      clock_(clock),
      options_(options),
      quotas_(ctx.informers.For(client::kResourceQuotas)),
      queue_(client::WorkQueueOptions{.name = "resourcequota"}) {
  quotas_.AddEventHandler(client::EventHandlers{
      .on_add = [this](const ObjectPtr& q) { queue_.Add(client::KeyOf(*q)); },
      .on_update =
          [this](const ObjectPtr& old_q, const ObjectPtr& q) {
            if (resourcequota::NeedsSync(old_q.get(), *q)) queue_.Add(client::KeyOf(*q));
          },
      .on_delete = nullptr,
  });
  // Pods are what quotas track most: watch them from the start (others when a quota names them).
  Watch(client::kPods);
}

ResourceQuotaController::~ResourceQuotaController() { Stop(); }

void ResourceQuotaController::Start(int workers) {
  if (runner_.joinable()) return;
  runner_ = std::thread([this, workers] {
    while (!quotas_.WaitForSync(std::chrono::milliseconds(500)))
      if (queue_.ShuttingDown()) return;
    K1S_LOG(kInfo, kLog) << "started: full recount every " << options_.resync_period.count() << " ms";
    client::RunWorkers(queue_, std::max(1, workers), [this](const std::string& key) { return Reconcile(key); });
  });
  resync_ = std::thread([this] {
    std::unique_lock lock(resync_mu_);
    while (!resync_cv_.wait_for(lock, options_.resync_period, [this] { return stopping_; })) {
      lock.unlock();
      EnqueueAll();
      lock.lock();
    }
  });
}

void ResourceQuotaController::Stop() {
  {
    std::lock_guard lock(resync_mu_);
    stopping_ = true;
  }
  resync_cv_.notify_all();
  queue_.ShutDown();
  if (resync_.joinable()) resync_.join();
  if (runner_.joinable()) runner_.join();
}

void ResourceQuotaController::EnqueueNamespace(const std::string& ns) {
  for (const auto& q : quotas_.ListNamespace(ns)) queue_.Add(client::KeyOf(*q));
}

void ResourceQuotaController::EnqueueAll() {
  for (const auto& q : quotas_.List()) queue_.Add(client::KeyOf(*q));
}

std::optional<client::Resource> ResourceQuotaController::Lookup(const resourcequota::GroupResource& gr) {
  for (const auto& r : resources_) {
    if (r.group == gr.group && r.plural == gr.plural && r.namespaced) return r;  // the first is the preferred version
  }
  if (gr.group.empty() || gr.group.find('.') == std::string::npos) return std::nullopt;
  auto crd = ctx_.client.Get(client::kCustomResourceDefinitions, "", gr.plural + "." + gr.group);
  if (!crd.ok()) return std::nullopt;
  const json::value* spec = crd->if_contains("spec");
  if (spec == nullptr || !spec->is_object()) return std::nullopt;
  const json::object& s = spec->as_object();
  const json::value* scope = s.if_contains("scope");
  if (scope && scope->is_string() && scope->as_string() != "Namespaced") return std::nullopt;
  const json::value* names = s.if_contains("names");
  std::string kind;
  if (names && names->is_object()) {
    if (const json::value* k = names->as_object().if_contains("kind"); k && k->is_string()) kind = k->as_string();
  }
  const json::value* versions = s.if_contains("versions");
  if (versions == nullptr || !versions->is_array()) return std::nullopt;
  std::optional<client::Resource> served;
  for (const auto& v : versions->as_array()) {
    if (!v.is_object()) continue;
    const json::object& vo = v.as_object();
    const json::value* name = vo.if_contains("name");
    const json::value* is_served = vo.if_contains("served");
    const json::value* storage = vo.if_contains("storage");
    if (!name || !name->is_string() || !is_served || !is_served->is_bool() || !is_served->as_bool()) continue;
    client::Resource r{gr.group, std::string(name->as_string()), gr.plural, true, kind};
    if (!served || (storage && storage->is_bool() && storage->as_bool())) served = r;
  }
  return served;
}

void ResourceQuotaController::Watch(const client::Resource& r) {
  {
    std::lock_guard lock(mu_);
    if (!watched_.insert(r.GroupResource()).second) return;
  }
  const quota::GroupResource gr{r.group, r.plural};
  client::SharedInformer& informer = ctx_.informers.For(r);
  informer.AddEventHandler(client::EventHandlers{
      .on_add = nullptr,  // admission charged it already
      .on_update =
          [this, gr](const ObjectPtr& old_obj, const ObjectPtr& obj) {
            if (api::MetaString(*old_obj, "resourceVersion") == api::MetaString(*obj, "resourceVersion")) return;
            if (resourcequota::UsageChanged(gr, *old_obj, *obj, clock_.Now())) {
              EnqueueNamespace(api::MetaString(*obj, "namespace"));
            }
          },
      .on_delete = [this](const ObjectPtr& obj) { EnqueueNamespace(api::MetaString(*obj, "namespace")); },
  });
}

Status ResourceQuotaController::Reconcile(const std::string& key) {
  ObjectPtr q = quotas_.Get(key);
  if (!q) return OkStatus();
  const auto [ns, name] = client::SplitKey(key);
  std::set<std::string> names = quota::Names(quota::ResourceListAt(*q, {"spec", "hard"}));

  // Count from live lists (not the caches): a create admitted a moment ago is already there.
  std::map<quota::GroupResource, std::vector<json::object>> lists;
  bool recount_after_sync = false;
  for (const auto& [gr, matched] : quota::ResourcesToCount(names)) {
    std::optional<client::Resource> r = Lookup(gr);
    if (!r) {
      lists[gr];  // not served: nothing of it exists
      continue;
    }
    Watch(*r);
    // Until the watch of a resource is synced, a delete can pass unseen (it happened before the
    // informer's first list, after this count): count again once it is.
    if (!ctx_.informers.For(*r).HasSynced()) recount_after_sync = true;
    auto list = ctx_.client.List(*r, ns);
    if (!list.ok()) return Fail(list.error());
    lists[gr] = std::move(list->items);
  }
  std::map<quota::GroupResource, std::vector<const json::object*>> objects;
  for (const auto& [gr, items] : lists) {
    auto& v = objects[gr];
    for (const auto& o : items) v.push_back(&o);
  }
  if (recount_after_sync) queue_.AddAfter(key, std::chrono::milliseconds(200));
  auto status = resourcequota::NextStatus(*q, objects, clock_.Now());
  if (!status) return OkStatus();
  json::object next = *q;
  next["status"] = std::move(*status);
  auto r = ctx_.client.UpdateStatus(client::kResourceQuotas, ns, name, std::move(next));
  if (!r.ok()) {
    if (client::IsNotFound(r.error())) return OkStatus();
    return Fail(r.error());  // a conflict (admission charged meanwhile): recount again
  }
  K1S_LOG(kDebug, kLog) << "synced quota " << key;
  return OkStatus();
}

}  // namespace k1s::controllers
