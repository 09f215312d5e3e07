#include "server/registry/watch_cache.h"

#include <algorithm>

#include "lib/base/log.h"

namespace k1s::registry {

namespace {
constexpr char kComponent[] = "watch-cache";
constexpr size_t kMaxEventsPerNext = 1000;
}  // namespace

Result<std::unique_ptr<WatchCache>> WatchCache::Start(datastore::Store& store, std::string prefix,
                                                      WatchCacheOptions options) {
  std::unique_ptr<WatchCache> cache(new WatchCache(store, std::move(prefix), options));
  K1S_TRY(cache->Load());
  cache->feeder_ = std::thread([c = cache.get()] { c->Feed(); });
  return cache;
}

WatchCache::~WatchCache() { Stop(); }

void WatchCache::Stop() {
  {
    std::unique_lock lock(mu_);
    stopped_ = true;
  }
  if (stream_) stream_->Close();
  // The feeder may have stopped by itself (the datastore closed); join it either way.
  if (feeder_.joinable() && feeder_.get_id() != std::this_thread::get_id()) feeder_.join();
  changed_.notify_all();
}

Status WatchCache::Load() {
  datastore::ListOptions o;
  o.prefix = prefix_;
  K1S_ASSIGN_OR_RETURN(auto list, store_.List(o));
  K1S_ASSIGN_OR_RETURN(auto stream, store_.Watch(prefix_, list.revision + 1));
  std::map<std::string, KeyValuePtr, std::less<>> objects;
  for (auto& kv : list.items) {
    std::string key = kv.key;
    objects.emplace(std::move(key), std::make_shared<const datastore::KeyValue>(std::move(kv)));
  }
  auto old_stream = std::move(stream_);
  {
    std::unique_lock lock(mu_);
    objects_ = std::move(objects);
    window_.clear();
    revision_ = list.revision;
    window_start_ = list.revision;
    stream_ = std::move(stream);
  }
  changed_.notify_all();
  K1S_LOG(kDebug, kComponent) << "loaded " << list.items.size() << " objects at revision " << list.revision;
  return OkStatus();
}

void WatchCache::Apply(datastore::Event& ev) {
  auto cached = std::make_shared<CachedEvent>();
  cached->type = ev.type;
  cached->revision = ev.revision;
  auto it = objects_.find(ev.kv.key);
  if (it != objects_.end() && ev.type != datastore::Event::Type::kCreate) cached->prev = it->second;
  if (ev.type == datastore::Event::Type::kDelete) {
    if (it != objects_.end()) objects_.erase(it);
    if (!cached->prev && ev.prev) cached->prev = std::make_shared<const datastore::KeyValue>(std::move(*ev.prev));
    cached->kv = std::make_shared<const datastore::KeyValue>(std::move(ev.kv));
  } else {
    if (!cached->prev && ev.prev && ev.type == datastore::Event::Type::kUpdate)
      cached->prev = std::make_shared<const datastore::KeyValue>(std::move(*ev.prev));
    cached->kv = std::make_shared<const datastore::KeyValue>(std::move(ev.kv));
    if (it != objects_.end()) it->second = cached->kv;
    else objects_.emplace(cached->kv->key, cached->kv);
  }
  window_.push_back(std::move(cached));
  while (window_.size() > options_.event_window) {
    window_start_ = window_.front()->revision;
    window_.pop_front();
  }
  revision_ = ev.revision;
}

void WatchCache::Feed() {
  while (true) {
    {
      std::shared_lock lock(mu_);
      if (stopped_) return;
    }
    auto events = stream_->Next(std::chrono::milliseconds(500));
    if (!events.ok()) {
      {
        std::shared_lock lock(mu_);
        if (stopped_) return;
      }
      if (events.error().code == ErrorCode::kServiceUnavailable) {
        std::unique_lock lock(mu_);
        stopped_ = true;
        changed_.notify_all();
        return;
      }
      // Fell behind the datastore's history: start over from a fresh list. Watchers older than the
      // new start get Gone and re-list, as they would against Kubernetes.
      K1S_LOG(kWarn, kComponent) << "datastore watch failed (" << events.error().message << "); reloading";
      while (!Load().ok()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        std::shared_lock lock(mu_);
        if (stopped_) return;
      }
      continue;
    }
    if (events->empty()) continue;
    {
      std::unique_lock lock(mu_);
      for (auto& ev : *events) Apply(ev);
    }
    changed_.notify_all();
  }
}

datastore::Revision WatchCache::Revision() const {
  std::shared_lock lock(mu_);
  return revision_;
}

bool WatchCache::WaitFor(datastore::Revision rev, std::chrono::milliseconds timeout) const {
  std::shared_lock lock(mu_);
  return changed_.wait_for(lock, timeout, [&] { return revision_ >= rev || stopped_; }) && revision_ >= rev;
}

size_t WatchCache::Size() const {
  std::shared_lock lock(mu_);
  return objects_.size();
}

datastore::Revision WatchCache::Scan(const std::string& prefix, const std::string& start,
                                     std::vector<KeyValuePtr>* out) const {
  std::shared_lock lock(mu_);
  auto it = objects_.lower_bound(start > prefix ? start : prefix);
  for (; it != objects_.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it) out->push_back(it->second);
  return revision_;
}

Result<WatchCache::Cursor> WatchCache::WatchFrom(const std::string& prefix, datastore::Revision after) const {
  std::shared_lock lock(mu_);
  if (after < window_start_) {
    return Fail(ErrorCode::kGone, "revision " + std::to_string(after) + " is older than the watch cache's window (" +
                                      std::to_string(window_start_) + ")");
  }
  return Cursor(this, prefix, after);
}

WatchCache::Cursor WatchCache::WatchWithSnapshot(const std::string& prefix, std::vector<KeyValuePtr>* snapshot) const {
  std::shared_lock lock(mu_);
  auto it = objects_.lower_bound(prefix);
  for (; it != objects_.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it)
    snapshot->push_back(it->second);
  return Cursor(this, prefix, revision_);
}

Result<std::vector<WatchCache::EventPtr>> WatchCache::Cursor::Next(std::chrono::milliseconds timeout) {
  std::shared_lock lock(cache_->mu_);
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (cache_->stopped_) return Fail(ErrorCode::kServiceUnavailable, "the watch cache stopped");
    if (position_ < cache_->window_start_) {
      return Fail(ErrorCode::kGone, "too old resource version: " + std::to_string(position_) + " (" +
                                        std::to_string(cache_->window_start_) + ")");
    }
    const auto& w = cache_->window_;
    auto it = std::upper_bound(w.begin(), w.end(), position_,
                               [](datastore::Revision rev, const EventPtr& ev) { return rev < ev->revision; });
    std::vector<EventPtr> out;
    for (; it != w.end() && out.size() < kMaxEventsPerNext; ++it) {
      position_ = (*it)->revision;
      if ((*it)->kv->key.compare(0, prefix_.size(), prefix_) == 0) out.push_back(*it);
    }
    if (!out.empty()) return out;
    if (cache_->changed_.wait_until(lock, deadline, [&] {
          return cache_->stopped_ || cache_->revision_ > position_;
        })) {
      continue;
    }
    return out;
  }
}

}  // namespace k1s::registry
