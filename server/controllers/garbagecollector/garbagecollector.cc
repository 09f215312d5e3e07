#include "server/controllers/garbagecollector/garbagecollector.h"

#include "lib/api/meta.h"
#include "lib/base/log.h"
#include "server/controllers/garbagecollector/garbagecollector_logic.h"

namespace k1s::controllers::garbagecollector {

namespace {

constexpr const char* kLog = "garbagecollector";
constexpr const char* kOwnerIndex = "gc-owner-uid";

bool SameOwnerRefs(const json::object& a, const json::object& b) {
  auto refs = [](const json::object& o) -> json::value {
    auto md = o.find("metadata");
    if (md == o.end() || !md->value().is_object()) return nullptr;
    auto r = md->value().as_object().find("ownerReferences");
    return r == md->value().as_object().end() ? json::value(nullptr) : r->value();
  };
  return refs(a) == refs(b);
}

}  // namespace

std::string GarbageCollector::KeyFor(const client::Resource& r, const std::string& ns, const std::string& name) {
  return r.GroupResource() + "|" + client::MakeKey(r.namespaced ? ns : "", name);
}

GarbageCollector::GarbageCollector(const ControllerContext& ctx, std::vector<client::Resource> resources,
                                   std::chrono::milliseconds sync_timeout)
    : ctx_(ctx), sync_timeout_(sync_timeout), queue_(client::WorkQueueOptions{.name = "garbagecollector"}) {
  for (auto& r : resources) {
    if (by_group_resource_.count(r.GroupResource())) continue;
    // Metadata is all it reads: a metadata-only cache unless a full one is kept for others anyway.
    client::SharedInformer& inf = ctx.informers.ForMetadata(r);
    // Shared informers outlive one controller: the index may be there already (same function).
    (void)inf.AddIndex(kOwnerIndex, client::IndexByOwnerUid);
    by_group_resource_[r.GroupResource()] = watched_.size();
    watched_.push_back({std::move(r), &inf});
  }
  for (const auto& w : watched_) {
    const client::Resource* r = &w.resource;
    client::EventHandlers h;
    h.on_add = [this, r](const ObjectPtr& o) {
      queue_.Add(KeyFor(*r, api::MetaString(*o, "namespace"), api::MetaString(*o, "name")));
    };
    h.on_update = [this, r](const ObjectPtr& old_obj, const ObjectPtr& o) {
      if (old_obj == o) return;  // periodic resync: nothing changed
      queue_.Add(KeyFor(*r, api::MetaString(*o, "namespace"), api::MetaString(*o, "name")));
      // A dependent that dropped a reference may unblock a foreground deletion.
      if (!SameOwnerRefs(*old_obj, *o)) EnqueueOwners(*old_obj);
    };
    h.on_delete = [this](const ObjectPtr& o) {
      EnqueueOwners(*o);      // owners waiting for it in the foreground
      EnqueueDependents(*o);  // dependents it leaves dangling
    };
    w.informer->AddEventHandler(std::move(h));
  }
}

GarbageCollector::~GarbageCollector() { Stop(); }

void GarbageCollector::Start(int workers) {
  if (runner_.joinable()) return;
  runner_ = std::thread([this, workers] {
    auto deadline = std::chrono::steady_clock::now() + sync_timeout_;
    for (const auto& w : watched_) {
      while (!w.informer->WaitForSync(std::chrono::milliseconds(200))) {
        if (queue_.ShuttingDown()) return;
        if (std::chrono::steady_clock::now() > deadline) {
          K1S_LOG(kWarn, kLog) << w.resource.GroupResource() << " not synced; collecting anyway";
          break;
        }
      }
    }
    client::RunWorkers(queue_, workers < 1 ? 1 : workers, [this](const std::string& key) { return Reconcile(key); });
  });
}

void GarbageCollector::Stop() {
  queue_.ShutDown();
  if (runner_.joinable()) runner_.join();
}

const GarbageCollector::Watched* GarbageCollector::Find(const std::string& group_resource) const {
  auto it = by_group_resource_.find(group_resource);
  return it == by_group_resource_.end() ? nullptr : &watched_[it->second];
}

const GarbageCollector::Watched* GarbageCollector::FindForRef(const std::string& api_version,
                                                             const std::string& kind) const {
  std::vector<client::Resource> rs;
  for (const auto& w : watched_) rs.push_back(w.resource);
  auto r = ResourceForRef(rs, api_version, kind);
  return r ? Find(r->GroupResource()) : nullptr;
}

std::vector<GarbageCollector::Dependent> GarbageCollector::Dependents(const std::string& uid) const {
  std::vector<Dependent> out;
  for (const auto& w : watched_) {
    for (auto& o : w.informer->ByIndex(kOwnerIndex, uid)) out.push_back({&w, std::move(o)});
  }
  return out;
}

void GarbageCollector::EnqueueOwners(const json::object& obj) {
  for (const auto& ref : OwnerRefs(obj)) {
    if (const Watched* w = FindForRef(ref.api_version, ref.kind)) {
      queue_.Add(KeyFor(w->resource, api::MetaString(obj, "namespace"), ref.name));
    }
  }
}

void GarbageCollector::EnqueueDependents(const json::object& obj) {
  for (const auto& d : Dependents(api::MetaString(obj, "uid"))) {
    queue_.Add(KeyFor(d.watched->resource, api::MetaString(*d.obj, "namespace"), api::MetaString(*d.obj, "name")));
  }
}

Status GarbageCollector::Reconcile(const std::string& key) {
  auto bar = key.find('|');
  if (bar == std::string::npos) return OkStatus();
  const Watched* w = Find(key.substr(0, bar));
  if (!w) return OkStatus();
  ObjectPtr obj = w->informer->Get(key.substr(bar + 1));
  if (!obj) return OkStatus();
  if (IsBeingDeleted(*obj)) {
    if (HasFinalizer(*obj, kOrphanFinalizer)) return ProcessOrphan(*w, *obj);
    if (HasFinalizer(*obj, kForegroundFinalizer)) return ProcessForeground(*w, *obj);
    return OkStatus();
  }
  return CollectIfOrphaned(*w, *obj);
}

Status GarbageCollector::CollectIfOrphaned(const Watched& w, const json::object& obj, bool live) {
  auto refs = OwnerRefs(obj);
  if (refs.empty()) return OkStatus();
  std::string ns = api::MetaString(obj, "namespace"), name = api::MetaString(obj, "name");
  std::vector<std::pair<OwnerRef, OwnerState>> owners;
  for (const auto& ref : refs) {
    const Watched* ow = FindForRef(ref.api_version, ref.kind);
    if (!ow) {
      // An owner of a kind the collector does not know cannot be checked: keep the dependent.
      owners.emplace_back(ref, OwnerState::kSolid);
      continue;
    }
    std::string owner_ns = ow->resource.namespaced ? ns : "";
    if (ow->resource.namespaced && !w.resource.namespaced) {
      owners.emplace_back(ref, OwnerState::kSolid);  // invalid reference: leave it to people
      continue;
    }
    ObjectPtr cached = ow->informer->Get(owner_ns, ref.name);
    OwnerState state = ClassifyOwner(ref, cached.get());
    if (state == OwnerState::kDangling) {
      // The cache may be behind a just-created owner: only a live read proves it gone.
      auto live = ctx_.client.Get(ow->resource, owner_ns, ref.name);
      if (live.ok()) {
        state = ClassifyOwner(ref, &*live);
      } else if (!client::IsNotFound(live.error())) {
        return Fail(live.error());
      }
    }
    owners.emplace_back(ref, state);
  }
  Decision d = DecideForDependent(owners, !Dependents(api::MetaString(obj, "uid")).empty());
  switch (d.kind) {
    case Decision::Kind::kNothing:
      return OkStatus();
    case Decision::Kind::kRemoveOwnerRefs: {
      auto r = ctx_.client.Update(w.resource, ns, name, WithoutOwnerRefs(obj, d.remove_uids));
      if (!r.ok() && !client::IsNotFound(r.error())) return Fail(r.error());
      K1S_LOG(kInfo, kLog) << "removed " << d.remove_uids.size() << " dangling owner reference(s) from "
                           << w.resource.GroupResource() << " " << client::MakeKey(ns, name);
      return OkStatus();
    }
    case Decision::Kind::kDelete: {
      if (!live) {
        // The cache may not show a write that just released this object (orphaning): decide again
        // on the object as it is now, as upstream does before it deletes.
        auto current = ctx_.client.Get(w.resource, ns, name);
        if (!current.ok()) return client::IsNotFound(current.error()) ? OkStatus() : Fail(current.error());
        if (api::MetaString(*current, "uid") != api::MetaString(obj, "uid")) return OkStatus();
        return CollectIfOrphaned(w, *current, true);
      }
      client::DeleteOptions opts;
      opts.precondition_resource_version = api::MetaString(obj, "resourceVersion");
      opts.propagation_policy = d.propagation;
      opts.precondition_uid = api::MetaString(obj, "uid");
      auto r = ctx_.client.Delete(w.resource, ns, name, opts, nullptr);
      if (!r.ok() && !client::IsNotFound(r.error()) && !client::IsConflict(r.error())) return Fail(r.error());
      K1S_LOG(kInfo, kLog) << "deleted " << w.resource.GroupResource() << " " << client::MakeKey(ns, name)
                           << " (owners gone; " << d.propagation << ")";
      return OkStatus();
    }
  }
  return OkStatus();
}

Status GarbageCollector::ProcessOrphan(const Watched& w, const json::object& owner) {
  std::string uid = api::MetaString(owner, "uid");
  for (const auto& dep : Dependents(uid)) {
    std::string dns = api::MetaString(*dep.obj, "namespace"), dname = api::MetaString(*dep.obj, "name");
    auto r = ctx_.client.Update(dep.watched->resource, dns, dname, WithoutOwnerRefs(*dep.obj, {uid}));
    if (!r.ok() && !client::IsNotFound(r.error())) return Fail(r.error());
  }
  std::string ns = api::MetaString(owner, "namespace"), name = api::MetaString(owner, "name");
  auto r = ctx_.client.Update(w.resource, ns, name, WithoutFinalizer(owner, kOrphanFinalizer));
  if (!r.ok() && !client::IsNotFound(r.error())) return Fail(r.error());
  K1S_LOG(kInfo, kLog) << "orphaned the dependents of " << w.resource.GroupResource() << " "
                       << client::MakeKey(ns, name);
  return OkStatus();
}

Status GarbageCollector::ProcessForeground(const Watched& w, const json::object& owner) {
  std::string uid = api::MetaString(owner, "uid");
  std::vector<ObjectPtr> deps;
  for (const auto& dep : Dependents(uid)) {
    deps.push_back(dep.obj);
    // Each dependent sees this owner waiting and deletes itself (see CollectIfOrphaned).
    if (!IsBeingDeleted(*dep.obj)) {
      queue_.Add(KeyFor(dep.watched->resource, api::MetaString(*dep.obj, "namespace"),
                        api::MetaString(*dep.obj, "name")));
    }
  }
  if (BlockingDependents(uid, deps) > 0) return OkStatus();  // their deletion re-enqueues this owner
  std::string ns = api::MetaString(owner, "namespace"), name = api::MetaString(owner, "name");
  auto r = ctx_.client.Update(w.resource, ns, name, WithoutFinalizer(owner, kForegroundFinalizer));
  if (!r.ok() && !client::IsNotFound(r.error())) return Fail(r.error());
  K1S_LOG(kInfo, kLog) << "foreground deletion of " << w.resource.GroupResource() << " "
                       << client::MakeKey(ns, name) << ": dependents gone";
  return OkStatus();
}

}  // namespace k1s::controllers::garbagecollector
