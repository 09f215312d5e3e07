#include "datastore/watch_hub.h"

#include <algorithm>
#include <condition_variable>
#include <deque>

#include "lib/base/strings.h"

namespace k1s::datastore {

struct WatchHub::Watcher {
  std::string prefix;
  const std::atomic<Revision>* compacted = nullptr;
  HistoryReader reader;

  std::mutex mu;
  std::condition_variable cv;
  std::deque<Event> queue;         // live events, all with revision > catchup_until
  Revision next_revision = 1;      // the next revision this watcher may deliver
  Revision catchup_until = 0;      // revisions <= this come from the log, not the queue
  bool closed = false;             // Close() called
  bool shut_down = false;          // store closed
  std::function<void()> notify;
};

namespace {

class Stream final : public WatchStream {
 public:
  explicit Stream(std::shared_ptr<WatchHub::Watcher> w) : w_(std::move(w)) {}
  ~Stream() override { Close(); }

  Result<std::vector<Event>> Next(std::chrono::milliseconds timeout) override {
    auto& w = *w_;
    std::unique_lock lock(w.mu);
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      if (w.closed) return std::vector<Event>{};
      if (w.shut_down) return Fail(ErrorCode::kServiceUnavailable, "datastore closed; watch ended");
      if (w.next_revision <= w.catchup_until) {
        Revision from = w.next_revision, to = w.catchup_until;
        lock.unlock();
        auto got = CatchUp(from, to);
        lock.lock();
        if (!got.ok()) return got;
        // Another overflow may have moved catchup_until further; the loop handles it.
        if (!got->empty()) return got;
        continue;
      }
      // Live events.
      while (!w.queue.empty() && w.queue.front().revision < w.next_revision) w.queue.pop_front();
      if (!w.queue.empty()) {
        std::vector<Event> out(std::make_move_iterator(w.queue.begin()), std::make_move_iterator(w.queue.end()));
        w.queue.clear();
        w.next_revision = out.back().revision + 1;
        return out;
      }
      if (w.cv.wait_until(lock, deadline) == std::cv_status::timeout) {
        if (w.next_revision <= w.catchup_until || !w.queue.empty()) continue;
        return std::vector<Event>{};
      }
    }
  }

  void SetNotify(std::function<void()> notify) override {
    std::lock_guard lock(w_->mu);
    w_->notify = std::move(notify);
  }

  void Close() override {
    std::lock_guard lock(w_->mu);
    w_->closed = true;
    w_->queue.clear();
    w_->cv.notify_all();
  }

  Revision LastRevision() const override {
    std::lock_guard lock(w_->mu);
    return w_->next_revision - 1;
  }

 private:
  // Reads [from, to] from the log (outside the lock). Advances next_revision past what it read.
  Result<std::vector<Event>> CatchUp(Revision from, Revision to) {
    auto& w = *w_;
    constexpr int kPage = 1000;
    if (w.compacted && from <= w.compacted->load()) {
      return Fail(ErrorCode::kGone, "required revision " + std::to_string(from) + " has been compacted");
    }
    auto events = w.reader(w.prefix, from, to, kPage);
    if (!events.ok()) return events;
    // Rows read after compaction began may be missing: only trust the read if still above it.
    if (w.compacted && from <= w.compacted->load()) {
      return Fail(ErrorCode::kGone, "required revision " + std::to_string(from) + " has been compacted");
    }
    Revision next = static_cast<int>(events->size()) >= kPage ? events->back().revision + 1 : to + 1;
    std::lock_guard lock(w.mu);
    if (w.next_revision == from) w.next_revision = next;
    return events;
  }

  std::shared_ptr<WatchHub::Watcher> w_;
};

}  // namespace

WatchHub::WatchHub(HistoryReader reader, size_t queue_limit, Revision last_revision)
    : reader_(std::move(reader)), queue_limit_(queue_limit), last_published_(last_revision) {}

WatchHub::~WatchHub() { Shutdown(); }

void WatchHub::Publish(const std::vector<Event>& events, Revision last_revision) {
  std::vector<std::function<void()>> to_notify;
  {
    std::lock_guard lock(mu_);
    last_published_ = last_revision;
    size_t live = 0;
    for (auto& weak : watchers_) {
      auto w = weak.lock();
      if (!w) continue;
      watchers_[live++] = weak;
      std::lock_guard wlock(w->mu);
      if (w->closed) continue;
      bool added = false;
      for (const auto& ev : events) {
        if (ev.revision < w->next_revision || ev.revision <= w->catchup_until) continue;
        if (!StartsWith(ev.kv.key, w->prefix)) continue;
        if (w->queue.size() >= queue_limit_) {
          // Too far behind: drop the buffer and read everything up to this batch from the log.
          w->queue.clear();
          w->catchup_until = last_revision;
          added = true;
          break;
        }
        w->queue.push_back(ev);
        added = true;
      }
      if (added) {
        w->cv.notify_all();
        if (w->notify) to_notify.push_back(w->notify);
      }
    }
    watchers_.resize(live);
  }
  for (auto& fn : to_notify) fn();
}

std::unique_ptr<WatchStream> WatchHub::Watch(const std::string& prefix, Revision from_revision,
                                             const std::atomic<Revision>* compacted_revision) {
  auto w = std::make_shared<Watcher>();
  w->prefix = prefix;
  w->compacted = compacted_revision;
  w->reader = reader_;
  std::lock_guard lock(mu_);
  w->shut_down = shut_down_;
  Revision start = from_revision == 0 ? last_published_ + 1 : from_revision;
  w->next_revision = start;
  w->catchup_until = start <= last_published_ ? last_published_ : 0;
  watchers_.push_back(w);
  return std::make_unique<Stream>(std::move(w));
}

void WatchHub::Shutdown() {
  std::lock_guard lock(mu_);
  shut_down_ = true;
  for (auto& weak : watchers_) {
    if (auto w = weak.lock()) {
      std::lock_guard wlock(w->mu);
      w->shut_down = true;
      w->cv.notify_all();
    }
  }
}

size_t WatchHub::WatcherCountForTest() {
  std::lock_guard lock(mu_);
  size_t n = 0;
  for (auto& weak : watchers_) n += weak.expired() ? 0 : 1;
  return n;
}

}  // namespace k1s::datastore
