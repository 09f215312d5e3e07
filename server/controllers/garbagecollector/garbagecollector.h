// The garbage collector: deletes objects whose owners are gone and carries out foreground and orphan
// deletion. Its owner graph is the informers' caches: each object by key, and an index of
// dependents by owner uid ("gc-owner-uid") on every informer. Owned by the controller manager;
// handlers run on the informer threads and only enqueue keys ("<resource.group>|ns/name");
// Reconcile runs on the worker threads.
// WATCHES: every resource it is given.
// WRITES:  deletes of dependents (Background, or Foreground when they have dependents of their own
//          and an owner waits for them), updates removing ownerReferences (orphaning) and removing the
//          "foregroundDeletion" / "orphan" finalizers.
// INVARIANT: an object none of whose owners is solid (existing and not waiting on its dependents) is
//   deleted; an owner with "foregroundDeletion" keeps it until no blockOwnerDeletion dependent is
//   left; an owner with "orphan" keeps it until no dependent refers to it.
#pragma once

#include <map>
#include <string>
#include <thread>
#include <vector>

#include "lib/client/workqueue.h"
#include "server/controllers/controller.h"

namespace k1s::controllers::garbagecollector {

namespace json = boost::json;

class GarbageCollector final : public Controller {
 public:
  // resources: every resource whose objects may be owners or dependents.
  // sync_timeout: how long Start waits for the informers before working anyway (absent owners are
  //   always confirmed with a live read, so an unsynced cache only delays the work).
  GarbageCollector(const ControllerContext& ctx, std::vector<client::Resource> resources,
                   std::chrono::milliseconds sync_timeout = std::chrono::seconds(30));
  ~GarbageCollector() override;
  std::string Name() const override { return "garbage-collector-controller"; }
  void Start(int workers) override;
  void Stop() override;
  // One object key ("<resource.group>|ns/name"): collects it, or finishes its foreground/orphan deletion.
  Status Reconcile(const std::string& key);

  // The key of an object of r (what the handlers enqueue).
  static std::string KeyFor(const client::Resource& r, const std::string& ns, const std::string& name);

 private:
  struct Watched {
    client::Resource resource;
    client::SharedInformer* informer;
  };
  using ObjectPtr = client::ObjectPtr;
  struct Dependent {
    const Watched* watched;
    ObjectPtr obj;
  };

  const Watched* Find(const std::string& group_resource) const;
  const Watched* FindForRef(const std::string& api_version, const std::string& kind) const;
  std::vector<Dependent> Dependents(const std::string& uid) const;
  void EnqueueOwners(const json::object& obj);
  void EnqueueDependents(const json::object& obj);
  Status ProcessOrphan(const Watched& w, const json::object& owner);
  Status ProcessForeground(const Watched& w, const json::object& owner);
  Status CollectIfOrphaned(const Watched& w, const json::object& obj, bool live = false);

  ControllerContext ctx_;
  std::vector<Watched> watched_;
  std::map<std::string, size_t> by_group_resource_;
  const std::chrono::milliseconds sync_timeout_;
  client::WorkQueue queue_;
  std::thread runner_;
};

}  // namespace k1s::controllers::garbagecollector
