#include "lib/client/informer.h"

#include <algorithm>

#include "lib/api/meta.h"
#include "lib/base/log.h"

namespace k1s::client {

namespace {

constexpr const char* kLog = "informer";

std::vector<std::string> OwnerUids(const json::object& obj, bool controller_only) {
  std::vector<std::string> out;
  auto m = obj.find("metadata");
  if (m == obj.end() || !m->value().is_object()) return out;
  auto refs = m->value().as_object().find("ownerReferences");
  if (refs == m->value().as_object().end() || !refs->value().is_array()) return out;
  for (const auto& ref : refs->value().as_array()) {
    if (!ref.is_object()) continue;
    const auto& r = ref.as_object();
    if (controller_only) {
      auto c = r.find("controller");
      if (c == r.end() || !c->value().is_bool() || !c->value().as_bool()) continue;
    }
    auto uid = r.find("uid");
    if (uid != r.end() && uid->value().is_string()) out.emplace_back(uid->value().as_string());
  }
  return out;
}

}  // namespace

std::vector<std::string> IndexByNodeName(const json::object& obj) {
  auto spec = obj.find("spec");
  if (spec == obj.end() || !spec->value().is_object()) return {};
  auto node = spec->value().as_object().find("nodeName");
  if (node == spec->value().as_object().end() || !node->value().is_string() || node->value().as_string().empty()) {
    return {};
  }
  return {std::string(node->value().as_string())};
}

std::vector<std::string> IndexByOwnerUid(const json::object& obj) { return OwnerUids(obj, false); }
std::vector<std::string> IndexByControllerUid(const json::object& obj) { return OwnerUids(obj, true); }

SharedInformer::SharedInformer(Client& client, Resource resource, InformerOptions options)
    : client_(client), resource_(std::move(resource)), options_(std::move(options)) {
  index_funcs_[kNamespaceIndex] = [](const json::object& obj) -> std::vector<std::string> {
    return {api::MetaString(obj, "namespace")};
  };
}

SharedInformer::~SharedInformer() { Stop(); }

void SharedInformer::AddEventHandler(EventHandlers handlers) {
  std::lock_guard<std::mutex> dispatch(dispatch_mu_);
  std::vector<ObjectPtr> existing = List();
  if (handlers.on_add) {
    for (const auto& o : existing) handlers.on_add(o);
  }
  handlers_.push_back(std::move(handlers));
}

Status SharedInformer::AddIndex(const std::string& name, IndexFunc fn) {
  std::unique_lock<std::shared_mutex> lock(cache_mu_);
  if (index_funcs_.count(name)) return Fail(ErrorCode::kAlreadyExists, "index " + name + " already exists");
  auto& index = indexes_[name];
  for (const auto& [key, obj] : items_) {
    for (auto& v : fn(*obj)) index[v].insert(key);
  }
  index_funcs_[name] = std::move(fn);
  return OkStatus();
}

void SharedInformer::Start() {
  std::lock_guard<std::mutex> lock(state_mu_);
  if (started_ || stopping_) return;
  started_ = true;
  next_resync_ = std::chrono::steady_clock::now() + options_.resync_period;
  thread_ = std::thread([this] { Run(); });
}

void SharedInformer::Stop() {
  {
    std::lock_guard<std::mutex> lock(state_mu_);
    stopping_ = true;
    state_cv_.notify_all();
  }
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

bool SharedInformer::HasSynced() const {
  std::lock_guard<std::mutex> lock(state_mu_);
  return synced_;
}

bool SharedInformer::WaitForSync(std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(state_mu_);
  state_cv_.wait_for(lock, timeout, [this] { return synced_ || stopping_; });
  return synced_;
}

std::string SharedInformer::LastSyncResourceVersion() const {
  std::shared_lock<std::shared_mutex> lock(cache_mu_);
  return last_rv_;
}

ObjectPtr SharedInformer::Get(const std::string& key) const {
  std::shared_lock<std::shared_mutex> lock(cache_mu_);
  auto it = items_.find(key);
  return it == items_.end() ? nullptr : it->second;
}

ObjectPtr SharedInformer::Get(const std::string& ns, const std::string& name) const {
  return Get(MakeKey(resource_.namespaced ? ns : "", name));
}

std::vector<ObjectPtr> SharedInformer::List() const {
  std::shared_lock<std::shared_mutex> lock(cache_mu_);
  std::vector<ObjectPtr> out;
  out.reserve(items_.size());
  for (const auto& [key, obj] : items_) out.push_back(obj);
  return out;
}

std::vector<ObjectPtr> SharedInformer::ListNamespace(const std::string& ns) const {
  if (ns.empty()) return List();
  return ByIndex(kNamespaceIndex, ns);
}

std::vector<ObjectPtr> SharedInformer::ByIndex(const std::string& index, const std::string& value) const {
  std::shared_lock<std::shared_mutex> lock(cache_mu_);
  std::vector<ObjectPtr> out;
  auto idx = indexes_.find(index);
  if (idx == indexes_.end()) return out;
  auto keys = idx->second.find(value);
  if (keys == idx->second.end()) return out;
  for (const auto& key : keys->second) {
    auto it = items_.find(key);
    if (it != items_.end()) out.push_back(it->second);
  }
  return out;
}

std::vector<std::string> SharedInformer::Keys() const {
  std::shared_lock<std::shared_mutex> lock(cache_mu_);
  std::vector<std::string> out;
  out.reserve(items_.size());
  for (const auto& [key, obj] : items_) out.push_back(key);
  return out;
}

size_t SharedInformer::Size() const {
  std::shared_lock<std::shared_mutex> lock(cache_mu_);
  return items_.size();
}

void SharedInformer::StoreLocked(const std::string& key, ObjectPtr obj) {
  auto it = items_.find(key);
  if (it != items_.end()) RemoveLocked(key);
  for (const auto& [name, fn] : index_funcs_) {
    auto& index = indexes_[name];
    for (auto& v : fn(*obj)) index[v].insert(key);
  }
  items_[key] = std::move(obj);
}

void SharedInformer::RemoveLocked(const std::string& key) {
  auto it = items_.find(key);
  if (it == items_.end()) return;
  for (const auto& [name, fn] : index_funcs_) {
    auto& index = indexes_[name];
    for (auto& v : fn(*it->second)) {
      auto keys = index.find(v);
      if (keys == index.end()) continue;
      keys->second.erase(key);
      if (keys->second.empty()) index.erase(keys);
    }
  }
  items_.erase(it);
}

void SharedInformer::CallAdd(const ObjectPtr& o) {
  for (const auto& h : handlers_)
    if (h.on_add) h.on_add(o);
}
void SharedInformer::CallUpdate(const ObjectPtr& a, const ObjectPtr& b) {
  for (const auto& h : handlers_)
    if (h.on_update) h.on_update(a, b);
}
void SharedInformer::CallDelete(const ObjectPtr& o) {
  for (const auto& h : handlers_)
    if (h.on_delete) h.on_delete(o);
}

namespace {
// apiVersion, kind and metadata without managedFields and annotations (InformerOptions::metadata_only).
json::object MetadataOnly(json::object obj) {
  json::object out;
  for (const char* field : {"apiVersion", "kind"}) {
    if (auto it = obj.find(field); it != obj.end()) out[field] = std::move(it->value());
  }
  if (auto it = obj.find("metadata"); it != obj.end() && it->value().is_object()) {
    json::object md = std::move(it->value().as_object());
    md.erase("managedFields");
    md.erase("annotations");
    out["metadata"] = std::move(md);
  }
  return out;
}
}  // namespace

void SharedInformer::Replace(std::vector<json::object> items, const std::string& rv) {
  std::lock_guard<std::mutex> dispatch(dispatch_mu_);
  std::vector<ObjectPtr> added;
  std::vector<std::pair<ObjectPtr, ObjectPtr>> updated;
  std::vector<ObjectPtr> deleted;
  {
    std::unique_lock<std::shared_mutex> lock(cache_mu_);
    std::unordered_map<std::string, ObjectPtr> fresh;
    fresh.reserve(items.size());
    for (auto& item : items) {
      auto ptr = std::make_shared<const json::object>(options_.metadata_only ? MetadataOnly(std::move(item))
                                                                             : std::move(item));
      fresh[KeyOf(*ptr)] = std::move(ptr);
    }
    std::vector<std::string> gone;
    for (const auto& [key, old] : items_) {
      if (!fresh.count(key)) gone.push_back(key);
    }
    for (const auto& key : gone) {
      deleted.push_back(items_[key]);
      RemoveLocked(key);
    }
    for (auto& [key, obj] : fresh) {
      auto it = items_.find(key);
      if (it == items_.end()) {
        added.push_back(obj);
      } else if (api::MetaString(*it->second, "resourceVersion") != api::MetaString(*obj, "resourceVersion")) {
        updated.emplace_back(it->second, obj);
      } else {
        continue;  // unchanged: keep the cached pointer
      }
      StoreLocked(key, obj);
    }
    last_rv_ = rv;
  }
  for (const auto& o : deleted) CallDelete(o);
  for (const auto& [a, b] : updated) CallUpdate(a, b);
  for (const auto& o : added) CallAdd(o);
}

void SharedInformer::Apply(const WatchEvent& ev) {
  std::string rv = api::MetaString(ev.object, "resourceVersion");
  if (ev.type == "BOOKMARK") {
    std::unique_lock<std::shared_mutex> lock(cache_mu_);
    if (!rv.empty()) last_rv_ = rv;
    return;
  }
  std::lock_guard<std::mutex> dispatch(dispatch_mu_);
  auto obj = std::make_shared<const json::object>(options_.metadata_only ? MetadataOnly(ev.object) : ev.object);
  std::string key = KeyOf(*obj);
  ObjectPtr old;
  {
    std::unique_lock<std::shared_mutex> lock(cache_mu_);
    auto it = items_.find(key);
    if (it != items_.end()) old = it->second;
    if (ev.type == "DELETED") {
      RemoveLocked(key);
    } else {
      StoreLocked(key, obj);
    }
    if (!rv.empty()) last_rv_ = rv;
  }
  if (ev.type == "DELETED") {
    CallDelete(old ? old : obj);
  } else if (old && api::MetaString(*old, "resourceVersion") == rv) {
    // Already known (a watch that started from the current state repeats it).
  } else if (old) {
    CallUpdate(old, obj);
  } else {
    CallAdd(obj);
  }
}

void SharedInformer::MaybeResync() {
  if (options_.resync_period <= std::chrono::milliseconds::zero()) return;
  auto now = std::chrono::steady_clock::now();
  if (now < next_resync_) return;
  next_resync_ = now + options_.resync_period;
  std::lock_guard<std::mutex> dispatch(dispatch_mu_);
  for (const auto& o : List()) CallUpdate(o, o);
}

bool SharedInformer::SleepInterruptibly(std::chrono::milliseconds d) {
  std::unique_lock<std::mutex> lock(state_mu_);
  state_cv_.wait_for(lock, d, [this] { return stopping_; });
  return !stopping_;
}

Status SharedInformer::ListAndWatch() {
  auto stopping = [this] {
    std::lock_guard<std::mutex> lock(state_mu_);
    return stopping_;
  };
  ListOptions lo;
  lo.label_selector = options_.label_selector;
  lo.field_selector = options_.field_selector;
  K1S_ASSIGN_OR_RETURN(ObjectList list, client_.List(resource_, options_.ns, lo));
  std::string rv = list.resource_version;
  size_t count = list.items.size();
  Replace(std::move(list.items), rv);
  {
    std::lock_guard<std::mutex> lock(state_mu_);
    if (!synced_) {
      synced_ = true;
      state_cv_.notify_all();
      K1S_LOG(kDebug, kLog) << resource_.GroupResource() << ": synced " << count << " objects at revision " << rv;
    }
  }
  auto backoff = options_.initial_backoff;
  while (!stopping()) {
    ListOptions wo = lo;
    wo.resource_version = LastSyncResourceVersion();
    // "0" (nothing written yet) would mean "any revision" to a watch: start from the current state
    // instead (its ADDED events for cached objects are not passed on).
    if (wo.resource_version == "0") wo.resource_version.clear();
    wo.allow_bookmarks = true;
    auto watch = client_.Watch(resource_, options_.ns, wo);
    if (!watch.ok()) {
      if (watch.error().code == ErrorCode::kGone) return Fail(watch.error());
      K1S_LOG(kWarn, kLog) << resource_.GroupResource() << ": watch failed: " << watch.error().ToString();
      if (!SleepInterruptibly(backoff)) return OkStatus();
      backoff = std::min(backoff * 2, options_.max_backoff);
      continue;
    }
    while (!stopping()) {
      auto events = (*watch)->Next(options_.poll_interval);
      if (!events.ok()) {
        if (events.error().code == ErrorCode::kGone) return Fail(events.error());
        K1S_LOG(kInfo, kLog) << resource_.GroupResource() << ": watch ended: " << events.error().ToString();
        break;  // watch again from the last revision seen
      }
      if (!events->empty()) backoff = options_.initial_backoff;
      for (const auto& ev : *events) {
        if (stopping()) return OkStatus();
        Apply(ev);
      }
      MaybeResync();
    }
    if (!SleepInterruptibly(backoff)) return OkStatus();
    backoff = std::min(backoff * 2, options_.max_backoff);
  }
  return OkStatus();
}

void SharedInformer::Run() {
  auto backoff = options_.initial_backoff;
  for (;;) {
    {
      std::lock_guard<std::mutex> lock(state_mu_);
      if (stopping_) return;
    }
    Status s = ListAndWatch();
    if (s.ok()) continue;  // stopping (checked above)
    if (s.error().code == ErrorCode::kGone) {
      // The revision we knew is compacted: list again at once.
      K1S_LOG(kInfo, kLog) << resource_.GroupResource() << ": " << s.error().message << "; listing again";
      backoff = options_.initial_backoff;
      continue;
    }
    K1S_LOG(kWarn, kLog) << resource_.GroupResource() << ": list failed: " << s.error().ToString() << "; retrying in "
                         << backoff.count() << "ms";
    if (!SleepInterruptibly(backoff)) return;
    backoff = std::min(backoff * 2, options_.max_backoff);
  }
}

SharedInformerFactory::SharedInformerFactory(Client& client, InformerOptions defaults)
    : client_(client), defaults_(std::move(defaults)) {}

SharedInformerFactory::~SharedInformerFactory() { Stop(); }

SharedInformer& SharedInformerFactory::For(const Resource& r, const std::string& ns, const std::string& label_selector,
                                           const std::string& field_selector) {
  std::string key = r.group + "/" + r.version + "/" + r.plural + "|" + ns + "|" + label_selector + "|" + field_selector;
  std::lock_guard<std::mutex> lock(mu_);
  auto& slot = informers_[key];
  if (!slot) {
    InformerOptions o = defaults_;
    o.ns = r.namespaced ? ns : "";
    o.label_selector = label_selector;
    o.field_selector = field_selector;
    slot = std::make_unique<SharedInformer>(client_, r, o);
    if (started_) slot->Start();
  }
  return *slot;
}

SharedInformer& SharedInformerFactory::ForMetadata(const Resource& r) {
  std::string full = r.group + "/" + r.version + "/" + r.plural + "|||";
  std::lock_guard<std::mutex> lock(mu_);
  if (auto it = informers_.find(full); it != informers_.end()) return *it->second;
  auto& slot = informers_["metadata:" + full];
  if (!slot) {
    InformerOptions o = defaults_;
    o.ns = "";
    o.label_selector = "";
    o.field_selector = "";
    o.metadata_only = true;
    slot = std::make_unique<SharedInformer>(client_, r, o);
    if (started_) slot->Start();
  }
  return *slot;
}

void SharedInformerFactory::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  started_ = true;
  for (auto& [key, inf] : informers_) inf->Start();
}

void SharedInformerFactory::Stop() {
  std::lock_guard<std::mutex> lock(mu_);
  // Tell every informer first so they wind down in parallel, then wait for each.
  std::vector<std::thread> stoppers;
  for (auto& [key, inf] : informers_) {
    SharedInformer* p = inf.get();
    stoppers.emplace_back([p] { p->Stop(); });
  }
  for (auto& t : stoppers) t.join();
  started_ = false;
}

bool SharedInformerFactory::WaitForSync(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::vector<SharedInformer*> all;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& [key, inf] : informers_) all.push_back(inf.get());
  }
  for (auto* inf : all) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left < std::chrono::milliseconds::zero()) left = std::chrono::milliseconds::zero();
    if (!inf->WaitForSync(left)) return false;
  }
  return true;
}

void EnsureControllerUidIndex(SharedInformer& informer) {
  (void)informer.AddIndex(kControllerUidIndex, IndexByControllerUid);  // kAlreadyExists is fine
}

}  // namespace k1s::client
