// SharedInformer: keeps a local cache of one resource (optionally one namespace, label and field
// selector) current by listing, then watching from the list's resourceVersion; lists again after
// kGone or errors (with backoff), and tells event handlers what changed. SharedInformerFactory hands
// every controller of a process the same informer per resource and selector.
// Each informer owns one thread: the cache is written and handlers are called only from it, one at a
// time. The cache (Get/List/ByIndex) is safe to read from any thread; objects are shared, immutable.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "lib/client/client.h"

namespace k1s::client {

using ObjectPtr = std::shared_ptr<const json::object>;

// Index functions give the index values of an object (none, one or several).
using IndexFunc = std::function<std::vector<std::string>(const json::object& obj)>;
// The built-in index: metadata.namespace.
inline constexpr const char* kNamespaceIndex = "namespace";
// spec.nodeName (pods): none when unset.
std::vector<std::string> IndexByNodeName(const json::object& obj);
// metadata.ownerReferences[].uid.
std::vector<std::string> IndexByOwnerUid(const json::object& obj);
// The controller owner's uid (ownerReferences with controller: true).
std::vector<std::string> IndexByControllerUid(const json::object& obj);
// The name controllers give that index on shared informers (one index, whoever adds it first).
inline constexpr const char* kControllerUidIndex = "controller-uid";
class SharedInformer;
// Adds that index to a shared informer unless some controller already did.
void EnsureControllerUidIndex(SharedInformer& informer);

struct EventHandlers {
  std::function<void(const ObjectPtr& obj)> on_add;
  std::function<void(const ObjectPtr& old_obj, const ObjectPtr& new_obj)> on_update;
  // The last state the cache knew (after a re-list, possibly older than the deleted object).
  std::function<void(const ObjectPtr& obj)> on_delete;
};

struct InformerOptions {
  std::string ns;              // "" = all namespaces
  std::string label_selector;
  std::string field_selector;
  // When > 0, every object is passed to on_update(obj, obj) this often (controllers' periodic resync).
  std::chrono::milliseconds resync_period{0};
  // How long one Watch::Next waits; bounds how long Stop takes.
  std::chrono::milliseconds poll_interval{1000};
  // Backoff between failed lists or watches: doubles from initial to max, reset by a good list.
  std::chrono::milliseconds initial_backoff{100};
  std::chrono::milliseconds max_backoff{30000};
  // Keep only apiVersion, kind and metadata (without managedFields and annotations) of each object,
  // like upstream's metadata informers: for users that need the object graph, not the objects.
  bool metadata_only = false;
};

class SharedInformer {
 public:
  SharedInformer(Client& client, Resource resource, InformerOptions options = {});
  ~SharedInformer();  // Stops
  SharedInformer(const SharedInformer&) = delete;
  SharedInformer& operator=(const SharedInformer&) = delete;

  const Resource& resource() const { return resource_; }
  const InformerOptions& options() const { return options_; }

  // Adds handlers. Added after objects are cached, they first get on_add for each cached object
  // (called on the caller's thread, never concurrently with the informer's own calls).
  void AddEventHandler(EventHandlers handlers);
  // Adds an index (objects already cached are indexed at once). kAlreadyExists if the name is taken.
  Status AddIndex(const std::string& name, IndexFunc fn);

  // Starts the thread (once; later calls do nothing). Stop ends it and waits; handlers get no calls after.
  void Start();
  void Stop();
  // True once the first list is in the cache and its on_add calls are done.
  bool HasSynced() const;
  // Waits until synced; false on timeout or when stopped.
  bool WaitForSync(std::chrono::milliseconds timeout) const;
  // The resourceVersion of the last list, event or bookmark seen.
  std::string LastSyncResourceVersion() const;

  // The cache. Keys are "ns/name" (or "name" for cluster-scoped objects).
  ObjectPtr Get(const std::string& key) const;
  ObjectPtr Get(const std::string& ns, const std::string& name) const;
  std::vector<ObjectPtr> List() const;
  std::vector<ObjectPtr> ListNamespace(const std::string& ns) const;
  // Objects whose index `index` has `value` (empty for an unknown index).
  std::vector<ObjectPtr> ByIndex(const std::string& index, const std::string& value) const;
  std::vector<std::string> Keys() const;
  size_t Size() const;

 private:
  void Run();
  // One list + watch cycle; returns when the watch must be restarted by a new list or on Stop.
  Status ListAndWatch();
  // Applies a full list: adds, updates and deletes against the cache.
  void Replace(std::vector<json::object> items, const std::string& rv);
  void Apply(const WatchEvent& ev);
  void MaybeResync();
  bool SleepInterruptibly(std::chrono::milliseconds d);

  void StoreLocked(const std::string& key, ObjectPtr obj);
  void RemoveLocked(const std::string& key);

  void CallAdd(const ObjectPtr& o);
  void CallUpdate(const ObjectPtr& a, const ObjectPtr& b);
  void CallDelete(const ObjectPtr& o);

  Client& client_;
  const Resource resource_;
  const InformerOptions options_;

  // The cache and its indexes.
  mutable std::shared_mutex cache_mu_;
  std::unordered_map<std::string, ObjectPtr> items_;
  std::map<std::string, IndexFunc> index_funcs_;
  // index name -> value -> keys
  std::map<std::string, std::unordered_map<std::string, std::set<std::string>>> indexes_;
  std::string last_rv_;

  // Serializes handler calls and cache writes with handler registration.
  std::mutex dispatch_mu_;
  std::vector<EventHandlers> handlers_;

  mutable std::mutex state_mu_;
  mutable std::condition_variable state_cv_;
  bool synced_ = false;
  bool started_ = false;
  bool stopping_ = false;
  std::thread thread_;
  std::chrono::steady_clock::time_point next_resync_;
};

// One informer per (resource, namespace, label selector, field selector), shared by every user.
// Thread-safe. Informers live as long as the factory.
class SharedInformerFactory {
 public:
  explicit SharedInformerFactory(Client& client, InformerOptions defaults = {});
  ~SharedInformerFactory();  // Stops

  // The informer for r with the defaults' ns/selectors replaced by those given. An informer made
  // after Start is started at once.
  SharedInformer& For(const Resource& r, const std::string& ns = "", const std::string& label_selector = "",
                      const std::string& field_selector = "");
  // A metadata-only informer for r (all namespaces, no selectors); the full informer when one exists
  // already, since it holds the same metadata at no extra cost.
  SharedInformer& ForMetadata(const Resource& r);
  void Start();
  // Stops every informer (all are told first, then waited for).
  void Stop();
  // Waits until every informer made so far has synced; false on timeout.
  bool WaitForSync(std::chrono::milliseconds timeout);

 private:
  Client& client_;
  const InformerOptions defaults_;
  std::mutex mu_;
  bool started_ = false;
  std::map<std::string, std::unique_ptr<SharedInformer>> informers_;
};

}  // namespace k1s::client
