#include "lib/client/workqueue.h"

#include <exception>
#include <thread>
#include <vector>

#include "lib/base/log.h"

namespace k1s::client {

WorkQueue::WorkQueue(WorkQueueOptions options) : options_(std::move(options)) {}

WorkQueue::~WorkQueue() { ShutDown(); }

void WorkQueue::AddLocked(const std::string& key) {
  if (shutting_down_) return;
  if (!dirty_.insert(key).second) return;
  if (processing_.count(key)) return;  // queued again by Done
  queue_.push_back(key);
  cv_.notify_one();
}

void WorkQueue::Add(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  AddLocked(key);
}

void WorkQueue::AddAfter(const std::string& key, std::chrono::milliseconds delay) {
  std::lock_guard<std::mutex> lock(mu_);
  if (shutting_down_) return;
  if (delay <= std::chrono::milliseconds::zero()) {
    AddLocked(key);
    return;
  }
  TimePoint at = std::chrono::steady_clock::now() + delay;
  auto it = delayed_at_.find(key);
  if (it != delayed_at_.end()) {
    if (it->second <= at) return;
    // Replace the later entry with this earlier one.
    auto range = delayed_.equal_range(it->second);
    for (auto d = range.first; d != range.second; ++d) {
      if (d->second == key) {
        delayed_.erase(d);
        break;
      }
    }
  }
  delayed_.emplace(at, key);
  delayed_at_[key] = at;
  // Waiting workers recompute their deadline.
  cv_.notify_all();
}

void WorkQueue::AddRateLimited(const std::string& key) {
  std::chrono::milliseconds delay;
  {
    std::lock_guard<std::mutex> lock(mu_);
    int n = failures_[key]++;
    // base * 2^n without overflow: stop doubling once past the cap.
    auto d = options_.base_delay;
    for (int i = 0; i < n && d < options_.max_delay; ++i) d *= 2;
    delay = std::min(d, options_.max_delay);
  }
  AddAfter(key, delay);
}

void WorkQueue::Forget(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  failures_.erase(key);
}

int WorkQueue::NumRequeues(const std::string& key) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = failures_.find(key);
  return it == failures_.end() ? 0 : it->second;
}

WorkQueue::TimePoint WorkQueue::PromoteLocked(TimePoint now) {
  while (!delayed_.empty() && delayed_.begin()->first <= now) {
    std::string key = std::move(delayed_.begin()->second);
    delayed_.erase(delayed_.begin());
    delayed_at_.erase(key);
    AddLocked(key);
  }
  return delayed_.empty() ? TimePoint::max() : delayed_.begin()->first;
}

std::optional<std::string> WorkQueue::Get() { return Get(std::chrono::milliseconds::max()); }

std::optional<std::string> WorkQueue::Get(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  TimePoint now = std::chrono::steady_clock::now();
  TimePoint give_up = timeout >= std::chrono::hours(24 * 365) ? TimePoint::max() : now + timeout;
  for (;;) {
    TimePoint next_due = PromoteLocked(std::chrono::steady_clock::now());
    if (!queue_.empty()) break;
    if (shutting_down_) return std::nullopt;
    TimePoint wake = std::min(next_due, give_up);
    if (wake == TimePoint::max()) {
      cv_.wait(lock);
    } else {
      cv_.wait_until(lock, wake);
      if (std::chrono::steady_clock::now() >= give_up) {
        PromoteLocked(std::chrono::steady_clock::now());
        if (queue_.empty()) return std::nullopt;
        break;
      }
    }
  }
  std::string key = std::move(queue_.front());
  queue_.pop_front();
  processing_.insert(key);
  dirty_.erase(key);
  return key;
}

void WorkQueue::Done(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  processing_.erase(key);
  if (dirty_.count(key)) {
    queue_.push_back(key);
    cv_.notify_one();
  }
}

void WorkQueue::ShutDown() {
  std::lock_guard<std::mutex> lock(mu_);
  shutting_down_ = true;
  delayed_.clear();
  delayed_at_.clear();
  cv_.notify_all();
}

bool WorkQueue::ShuttingDown() const {
  std::lock_guard<std::mutex> lock(mu_);
  return shutting_down_;
}

size_t WorkQueue::Len() const {
  std::lock_guard<std::mutex> lock(mu_);
  return queue_.size();
}

void RunWorkers(WorkQueue& queue, int n, const std::function<Status(const std::string& key)>& fn) {
  auto work = [&queue, &fn] {
    while (auto key = queue.Get()) {
      // A throw from one object's sync must not end the process: it fails that key, which is retried
      // with backoff like any other error, and every other key keeps being served.
      Status s = OkStatus();
      try {
        s = fn(*key);
      } catch (const std::exception& ex) {
        K1S_LOG(kError, "workqueue") << "controller " << (queue.name().empty() ? "(unnamed)" : queue.name())
                                     << ": exception syncing \"" << *key << "\", will retry: " << ex.what();
        s = Fail(ErrorCode::kInternal, std::string("exception: ") + ex.what());
      }
      if (s.ok()) {
        queue.Forget(*key);
      } else {
        K1S_LOG(kWarn, "workqueue") << (queue.name().empty() ? "" : queue.name() + ": ") << "error syncing \""
                                    << *key << "\" (retry " << queue.NumRequeues(*key) + 1
                                    << "): " << s.error().ToString();
        queue.AddRateLimited(*key);
      }
      queue.Done(*key);
    }
  };
  std::vector<std::thread> threads;
  for (int i = 1; i < n; ++i) threads.emplace_back(work);
  work();
  for (auto& t : threads) t.join();
}

}  // namespace k1s::client
