#include "lib/client/event_recorder.h"

#include <chrono>

#include "lib/api/json_util.h"
#include "lib/api/meta.h"
#include "lib/base/log.h"

namespace k1s::client {

namespace json = boost::json;

namespace {
constexpr size_t kMaxQueued = 1000;
constexpr auto kRepeatWindow = std::chrono::minutes(10);
}  // namespace

json::object Regarding(const json::object& obj, const Resource& r) {
  json::object out;
  out["apiVersion"] = r.GroupVersion();
  out["kind"] = r.kind;
  json::object meta;
  for (const char* f : {"name", "namespace", "uid", "resourceVersion"}) meta[f] = api::MetaString(obj, f);
  out["metadata"] = std::move(meta);
  return out;
}

EventRecorder::EventRecorder(Client& client, std::string component, std::string host)
    : client_(client), component_(std::move(component)), host_(std::move(host)) {
  thread_ = std::thread([this] { Run(); });
}

EventRecorder::~EventRecorder() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void EventRecorder::Event(const json::object& regarding, const std::string& type, const std::string& reason,
                          const std::string& message) {
  std::lock_guard lock(mu_);
  if (queue_.size() >= kMaxQueued) {
    K1S_LOG(kWarn, "events") << "dropping event " << reason << " for " << api::MetaString(regarding, "name")
                             << ": too many pending";
    return;
  }
  queue_.push_back({regarding, type, reason, message});
  cv_.notify_one();
}

void EventRecorder::Flush() {
  std::unique_lock lock(mu_);
  idle_.wait(lock, [&] { return queue_.empty() && !busy_; });
}

void EventRecorder::Run() {
  std::unique_lock lock(mu_);
  while (true) {
    cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty() && stopping_) return;
    Pending p = std::move(queue_.front());
    queue_.pop_front();
    busy_ = true;
    lock.unlock();
    Write(p);
    lock.lock();
    busy_ = false;
    if (queue_.empty()) idle_.notify_all();
  }
}

void EventRecorder::Write(const Pending& p) {
  const std::string ns = api::MetaString(p.regarding, "namespace").empty() ? "default"
                                                                          : api::MetaString(p.regarding, "namespace");
  const std::string uid = api::MetaString(p.regarding, "uid");
  const std::string key = uid + "\x1f" + p.reason + "\x1f" + p.message;
  const std::string now = api::NowRfc3339();
  auto steady = std::chrono::steady_clock::now();
  Seen* seen = nullptr;
  {
    std::lock_guard lock(mu_);
    auto it = seen_.find(key);
    if (it != seen_.end() && steady - it->second.last < kRepeatWindow) seen = &it->second;
    // Forget old entries now and then so the map stays small.
    if (seen_.size() > 4096) {
      for (auto i = seen_.begin(); i != seen_.end();) i = steady - i->second.last > kRepeatWindow ? seen_.erase(i) : std::next(i);
    }
  }
  if (seen) {
    json::object patch{{"count", seen->count + 1}, {"lastTimestamp", now}};
    auto r = client_.Patch(kEvents, seen->ns, seen->name, PatchType::kMerge, patch);
    if (r.ok()) {
      std::lock_guard lock(mu_);
      seen->count++;
      seen->last = steady;
      return;
    }
  }
  json::object involved{{"kind", api::StrAt(p.regarding, "kind")},
                        {"namespace", api::MetaString(p.regarding, "namespace")},
                        {"name", api::MetaString(p.regarding, "name")},
                        {"uid", uid},
                        {"apiVersion", api::StrAt(p.regarding, "apiVersion")},
                        {"resourceVersion", api::MetaString(p.regarding, "resourceVersion")}};
  json::object source{{"component", component_}};
  if (!host_.empty()) source["host"] = host_;
  json::object ev{{"apiVersion", "v1"},
                  {"kind", "Event"},
                  {"metadata", json::object{{"generateName", api::MetaString(p.regarding, "name") + "."},
                                            {"namespace", ns}}},
                  {"involvedObject", involved},
                  {"reason", p.reason},
                  {"message", p.message},
                  {"source", source},
                  {"firstTimestamp", now},
                  {"lastTimestamp", now},
                  {"count", 1},
                  {"type", p.type},
                  {"eventTime", nullptr},
                  {"reportingComponent", component_},
                  {"reportingInstance", host_}};
  auto created = client_.Create(kEvents, ns, std::move(ev));
  if (!created.ok()) {
    K1S_LOG(kDebug, "events") << "could not record event " << p.reason << ": " << created.error().message;
    return;
  }
  std::lock_guard lock(mu_);
  seen_[key] = Seen{ns, api::MetaString(*created, "name"), 1, steady};
}

}  // namespace k1s::client
