#include "server/scheduler/scheduler.h"

#include <algorithm>
#include <deque>
#include <random>

#include "lib/api/meta.h"
#include "lib/base/log.h"
#include "server/scheduler/scheduler_logic.h"

namespace k1s::scheduler {

using client::ObjectPtr;
using std::chrono::milliseconds;

namespace {

constexpr const char* kLog = "scheduler";

const json::object* Obj(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  return it != o.end() && it->value().is_object() ? &it->value().get_object() : nullptr;
}
std::string Str(const json::object* o, std::string_view key) {
  if (!o) return "";
  auto it = o->find(key);
  return it != o->end() && it->value().is_string() ? std::string(it->value().get_string()) : "";
}
const json::value* Field(const json::object* o, std::string_view key) { return o ? o->if_contains(key) : nullptr; }
bool SameValue(const json::value* a, const json::value* b) {
  if (!a || a->is_null()) return !b || b->is_null();
  return b && *a == *b;
}

std::string NodeName(const json::object& pod) { return Str(Obj(pod, "spec"), "nodeName"); }
bool IsTerminal(const json::object& pod) {
  std::string phase = Str(Obj(pod, "status"), "phase");
  return phase == "Succeeded" || phase == "Failed";
}

// condition type -> status, for NodeSchedulingPropertiesChanged.
std::map<std::string, std::string> ConditionStatuses(const json::object& node) {
  std::map<std::string, std::string> out;
  const json::value* c = Field(Obj(node, "status"), "conditions");
  if (!c || !c->is_array()) return out;
  for (const auto& v : c->get_array())
    if (v.is_object()) out[Str(&v.get_object(), "type")] = Str(&v.get_object(), "status");
  return out;
}

}  // namespace

// ---- SchedulingQueue ----------------------------------------------------------------------------------

SchedulingQueue::SchedulingQueue(SchedulingQueueOptions options) : options_(std::move(options)) {}

SchedulingQueue::TimePoint SchedulingQueue::Now() const { return options_.now ? options_.now() : Clock::now(); }

void SchedulingQueue::PushActiveLocked(const std::string& key, Entry& e) {
  e.where = Where::kActive;
  e.seq = next_seq_++;
  active_.push(HeapItem{e.priority, e.seq, key});
  cv_.notify_one();
}

void SchedulingQueue::BackoffOrActiveLocked(const std::string& key, Entry& e, TimePoint now) {
  unschedulable_.erase(key);
  milliseconds d{0};
  if (e.attempts > 0) {
    d = options_.initial_backoff;
    for (int i = 1; i < e.attempts && d < options_.max_backoff; ++i) d *= 2;
    d = std::min(d, options_.max_backoff);
  }
  TimePoint ready = e.last_attempt + d;
  if (e.attempts == 0 || ready <= now) {
    PushActiveLocked(key, e);
    return;
  }
  e.where = Where::kBackoff;
  e.ready_at = ready;
  backoff_.emplace(ready, key);
  cv_.notify_one();
}

SchedulingQueue::TimePoint SchedulingQueue::PromoteLocked(TimePoint now) {
  while (!backoff_.empty() && backoff_.begin()->first <= now) {
    auto [at, key] = *backoff_.begin();
    backoff_.erase(backoff_.begin());
    auto it = entries_.find(key);
    if (it != entries_.end() && it->second.where == Where::kBackoff && it->second.ready_at == at)
      PushActiveLocked(key, it->second);
  }
  TimePoint next = backoff_.empty() ? TimePoint::max() : backoff_.begin()->first;
  for (auto u = unschedulable_.begin(); u != unschedulable_.end();) {
    auto it = entries_.find(*u);
    if (it == entries_.end() || it->second.where != Where::kUnschedulable) {
      u = unschedulable_.erase(u);
      continue;
    }
    TimePoint due = it->second.parked_at + options_.unschedulable_timeout;
    if (due <= now) {
      std::string key = *u;
      u = unschedulable_.erase(u);
      BackoffOrActiveLocked(key, it->second, now);
      if (it->second.where == Where::kBackoff) next = std::min(next, it->second.ready_at);
    } else {
      next = std::min(next, due);
      ++u;
    }
  }
  return next;
}

void SchedulingQueue::Add(const std::string& key, int32_t priority) {
  std::lock_guard lock(mu_);
  if (shutting_down_) return;
  auto [it, inserted] = entries_.try_emplace(key);
  Entry& e = it->second;
  if (inserted) {
    e.priority = priority;
    PushActiveLocked(key, e);
    return;
  }
  if (e.priority != priority) {
    e.priority = priority;
    if (e.where == Where::kActive) PushActiveLocked(key, e);  // the old heap item goes stale
  }
}

void SchedulingQueue::Update(const std::string& key, int32_t priority) {
  std::unique_lock lock(mu_);
  auto it = entries_.find(key);
  if (it == entries_.end()) {
    lock.unlock();
    Add(key, priority);
    return;
  }
  Entry& e = it->second;
  bool new_priority = e.priority != priority;
  e.priority = priority;
  switch (e.where) {
    case Where::kInFlight: e.changed_in_flight = true; break;
    case Where::kUnschedulable: BackoffOrActiveLocked(key, e, Now()); break;
    case Where::kActive:
      if (new_priority) PushActiveLocked(key, e);
      break;
    case Where::kBackoff: break;
  }
}

void SchedulingQueue::Delete(const std::string& key) {
  std::lock_guard lock(mu_);
  entries_.erase(key);
  unschedulable_.erase(key);
}

std::optional<std::string> SchedulingQueue::Pop() { return Pop(milliseconds::max()); }

std::optional<std::string> SchedulingQueue::Pop(milliseconds timeout) {
  std::unique_lock lock(mu_);
  const TimePoint start = Clock::now();
  const bool forever = timeout == milliseconds::max();
  while (true) {
    if (shutting_down_) return std::nullopt;
    TimePoint now = Now();
    TimePoint next_due = PromoteLocked(now);
    while (!active_.empty()) {
      HeapItem top = active_.top();
      active_.pop();
      auto it = entries_.find(top.key);
      if (it == entries_.end() || it->second.where != Where::kActive || it->second.seq != top.seq) continue;
      Entry& e = it->second;
      e.where = Where::kInFlight;
      ++e.attempts;
      e.last_attempt = now;
      e.popped_cycle = move_cycle_;
      e.changed_in_flight = false;
      return top.key;
    }
    // Wait for an Add, the next due entry, or the timeout (measured on the real clock).
    auto wait = milliseconds(1000);
    if (next_due != TimePoint::max())
      wait = std::min(wait, std::chrono::duration_cast<milliseconds>(next_due - now) + milliseconds(1));
    if (!forever) {
      auto left = std::chrono::duration_cast<milliseconds>(start + timeout - Clock::now());
      if (left <= milliseconds(0)) return std::nullopt;
      wait = std::min(wait, left);
    }
    cv_.wait_for(lock, std::max(wait, milliseconds(1)));
  }
}

void SchedulingQueue::Done(const std::string& key) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(key);
  if (it != entries_.end() && it->second.where == Where::kInFlight) entries_.erase(it);
}

void SchedulingQueue::MarkUnschedulable(const std::string& key) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(key);
  if (it == entries_.end() || it->second.where != Where::kInFlight) return;
  Entry& e = it->second;
  TimePoint now = Now();
  if (e.changed_in_flight || move_cycle_ > e.popped_cycle) {
    BackoffOrActiveLocked(key, e, now);
    return;
  }
  e.where = Where::kUnschedulable;
  e.parked_at = now;
  unschedulable_.insert(key);
  cv_.notify_one();  // Pop recomputes when the timeout is due
}

void SchedulingQueue::Requeue(const std::string& key) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(key);
  if (it == entries_.end() || it->second.where != Where::kInFlight) return;
  BackoffOrActiveLocked(key, it->second, Now());
}

void SchedulingQueue::MoveAllToActive() {
  std::lock_guard lock(mu_);
  ++move_cycle_;
  if (unschedulable_.empty()) return;
  TimePoint now = Now();
  std::vector<std::string> keys(unschedulable_.begin(), unschedulable_.end());
  unschedulable_.clear();
  for (const std::string& key : keys) {
    auto it = entries_.find(key);
    if (it != entries_.end() && it->second.where == Where::kUnschedulable) BackoffOrActiveLocked(key, it->second, now);
  }
}

void SchedulingQueue::ShutDown() {
  std::lock_guard lock(mu_);
  shutting_down_ = true;
  cv_.notify_all();
}

SchedulingQueue::Counts SchedulingQueue::GetCounts() const {
  std::lock_guard lock(mu_);
  Counts c;
  for (const auto& [key, e] : entries_) {
    switch (e.where) {
      case Where::kActive: ++c.active; break;
      case Where::kBackoff: ++c.backoff; break;
      case Where::kUnschedulable: ++c.unschedulable; break;
      case Where::kInFlight: ++c.in_flight; break;
    }
  }
  return c;
}

int SchedulingQueue::Attempts(const std::string& key) const {
  std::lock_guard lock(mu_);
  auto it = entries_.find(key);
  return it == entries_.end() ? 0 : it->second.attempts;
}

// ---- Pure helpers -------------------------------------------------------------------------------------

bool IsPendingFor(const json::object& pod, const std::string& scheduler_name) {
  const json::object* spec = Obj(pod, "spec");
  if (!spec || !Str(spec, "nodeName").empty()) return false;
  std::string name = Str(spec, "schedulerName");
  if (name.empty() ? scheduler_name != "default-scheduler" : name != scheduler_name) return false;
  if (!api::MetaString(pod, "deletionTimestamp").empty()) return false;
  return !IsTerminal(pod);
}

int32_t PodPriority(const json::object& pod) {
  const json::value* p = Field(Obj(pod, "spec"), "priority");
  if (!p) return 0;
  if (p->is_int64()) return static_cast<int32_t>(std::clamp<int64_t>(p->get_int64(), INT32_MIN, INT32_MAX));
  if (p->is_uint64()) return static_cast<int32_t>(std::min<uint64_t>(p->get_uint64(), INT32_MAX));
  return 0;
}

bool NodeSchedulingPropertiesChanged(const json::object& old_node, const json::object& new_node) {
  const json::object *os = Obj(old_node, "spec"), *ns = Obj(new_node, "spec");
  if (!SameValue(Field(os, "unschedulable"), Field(ns, "unschedulable"))) return true;
  if (!SameValue(Field(os, "taints"), Field(ns, "taints"))) return true;
  if (!SameValue(Field(Obj(old_node, "metadata"), "labels"), Field(Obj(new_node, "metadata"), "labels"))) return true;
  if (!SameValue(Field(Obj(old_node, "status"), "allocatable"), Field(Obj(new_node, "status"), "allocatable")))
    return true;
  return ConditionStatuses(old_node) != ConditionStatuses(new_node);
}

bool PodSchedulingPropertiesChanged(const json::object& old_pod, const json::object& new_pod) {
  const json::object *om = Obj(old_pod, "metadata"), *nm = Obj(new_pod, "metadata");
  if (!SameValue(Field(om, "labels"), Field(nm, "labels"))) return true;
  if (!SameValue(Field(om, "annotations"), Field(nm, "annotations"))) return true;
  return !SameValue(old_pod.if_contains("spec"), new_pod.if_contains("spec"));
}

json::object MakeBinding(const json::object& pod, const std::string& node) {
  json::object meta{{"name", api::MetaString(pod, "name")}, {"namespace", api::MetaString(pod, "namespace")}};
  std::string uid = api::MetaString(pod, "uid");
  if (!uid.empty()) meta["uid"] = uid;
  return json::object{{"apiVersion", "v1"},
                      {"kind", "Binding"},
                      {"metadata", std::move(meta)},
                      {"target", json::object{{"apiVersion", "v1"}, {"kind", "Node"}, {"name", node}}}};
}

json::array WithCondition(const json::object& pod, const json::object& condition, const std::string& now,
                          bool* changed) {
  json::array out;
  const json::value* existing = Field(Obj(pod, "status"), "conditions");
  if (existing && existing->is_array()) out = existing->get_array();
  const std::string type = Str(&condition, "type");
  json::object next = condition;
  bool differs = true;
  auto it = std::find_if(out.begin(), out.end(),
                         [&](const json::value& v) { return v.is_object() && Str(&v.get_object(), "type") == type; });
  if (it != out.end()) {
    const json::object& cur = it->get_object();
    bool same_status = Str(&cur, "status") == Str(&condition, "status");
    differs = !same_status || Str(&cur, "reason") != Str(&condition, "reason") ||
              Str(&cur, "message") != Str(&condition, "message");
    std::string ltt = Str(&cur, "lastTransitionTime");
    next["lastTransitionTime"] = same_status && !ltt.empty() ? ltt : now;
    if (!next.contains("lastProbeTime")) next["lastProbeTime"] = nullptr;
    *it = std::move(next);
  } else {
    next["lastTransitionTime"] = now;
    if (!next.contains("lastProbeTime")) next["lastProbeTime"] = nullptr;
    out.push_back(std::move(next));
  }
  if (changed) *changed = differs;
  return out;
}

std::optional<json::object> UnschedulableStatusPatch(const json::object& pod, const std::string& reason,
                                                     const std::string& message, const std::string& nominated,
                                                     const std::string& now) {
  bool changed = false;
  json::object cond{{"type", "PodScheduled"}, {"status", "False"}, {"reason", reason}, {"message", message}};
  json::array conditions = WithCondition(pod, cond, now, &changed);
  json::object status{{"conditions", std::move(conditions)}};
  if (!nominated.empty() && Str(Obj(pod, "status"), "nominatedNodeName") != nominated) {
    status["nominatedNodeName"] = nominated;
    changed = true;
  }
  if (!changed) return std::nullopt;
  return json::object{{"status", std::move(status)}};
}

// ---- Scheduler: shared state and handlers -------------------------------------------------------------

struct Scheduler::State {
  explicit State(SchedulerOptions o) : options(std::move(o)), queue(options.queue) {}

  const SchedulerOptions options;
  SchedulingQueue queue;

  std::mutex mu;  // guards snapshot and assumed
  Snapshot snapshot;
  // Pods assumed onto a node, not yet seen bound by the informer: key -> the assumed PodInfo.
  std::unordered_map<std::string, PodInfoPtr> assumed;

  std::atomic<uint64_t> attempts{0}, scheduled{0}, unschedulable{0}, bind_errors{0}, preemptions{0};

  bool Ours(const json::object& pod) const { return IsPendingFor(pod, options.scheduler_name); }

  // mu held. The informer shows the pod bound: replace the assumed copy by the real pod.
  void ConfirmBoundLocked(const json::object& pod) {
    auto a = assumed.find(client::KeyOf(pod));
    if (a != assumed.end()) {
      if (a->second->node_name != NodeName(pod)) {
        if (NodeInfo* n = snapshot.Find(a->second->node_name)) RemovePod(*n, *a->second);
      }
      assumed.erase(a);
    }
    Status s = AddPod(snapshot, pod);
    if (!s.ok()) {
      K1S_LOG(kWarn, kLog) << "cannot count pod " << client::KeyOf(pod) << ": " << s.error().message;
    }
  }
  // mu held. Takes an assumed pod back out of the snapshot (binding failed, or the pod went away).
  void ForgetLocked(const std::string& key) {
    auto a = assumed.find(key);
    if (a == assumed.end()) return;
    if (NodeInfo* n = snapshot.Find(a->second->node_name)) RemovePod(*n, *a->second);
    assumed.erase(a);
  }

  void OnNodeAdd(const ObjectPtr& node) {
    {
      std::lock_guard lock(mu);
      Status s = UpsertNode(snapshot, *node);
      if (!s.ok()) {
        K1S_LOG(kWarn, kLog) << "ignoring node " << client::KeyOf(*node) << ": " << s.error().message;
      }
    }
    queue.MoveAllToActive();
  }
  void OnNodeUpdate(const ObjectPtr& old_node, const ObjectPtr& node) {
    {
      std::lock_guard lock(mu);
      Status s = UpsertNode(snapshot, *node);
      if (!s.ok()) {
        K1S_LOG(kWarn, kLog) << "ignoring node " << client::KeyOf(*node) << ": " << s.error().message;
      }
    }
    if (NodeSchedulingPropertiesChanged(*old_node, *node)) queue.MoveAllToActive();
  }
  void OnNodeDelete(const ObjectPtr& node) {
    std::lock_guard lock(mu);
    RemoveNode(snapshot, api::MetaString(*node, "name"));
  }

  void OnPodAdd(const ObjectPtr& pod) {
    if (!NodeName(*pod).empty()) {
      std::lock_guard lock(mu);
      ConfirmBoundLocked(*pod);
    } else if (Ours(*pod)) {
      queue.Add(client::KeyOf(*pod), PodPriority(*pod));
    }
  }
  void OnPodUpdate(const ObjectPtr& old_pod, const ObjectPtr& pod) {
    std::string key = client::KeyOf(*pod);
    if (!NodeName(*pod).empty()) {
      {
        std::lock_guard lock(mu);
        ConfirmBoundLocked(*pod);
      }
      queue.Delete(key);
      if (!NodeName(*old_pod).empty() && !IsTerminal(*old_pod) && IsTerminal(*pod)) queue.MoveAllToActive();
      return;
    }
    if (!Ours(*pod)) {
      queue.Delete(key);
      return;
    }
    if (PodSchedulingPropertiesChanged(*old_pod, *pod)) queue.Update(key, PodPriority(*pod));
    else queue.Add(key, PodPriority(*pod));
  }
  void OnPodDelete(const ObjectPtr& pod) {
    std::string key = client::KeyOf(*pod);
    bool bound = !NodeName(*pod).empty();
    {
      std::lock_guard lock(mu);
      ForgetLocked(key);
      if (bound) {
        Status s = RemovePod(snapshot, *pod);
        if (!s.ok()) {
          K1S_LOG(kWarn, kLog) << "cannot uncount pod " << key << ": " << s.error().message;
        }
      }
    }
    queue.Delete(key);
    if (bound) queue.MoveAllToActive();
  }
};

// ---- The binder threads -------------------------------------------------------------------------------

class Scheduler::BinderPool {
 public:
  explicit BinderPool(int n) {
    for (int i = 0; i < n; ++i) threads_.emplace_back([this] { Run(); });
  }
  ~BinderPool() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    for (auto& t : threads_) t.join();
  }
  void Submit(std::function<void()> task) {
    {
      std::lock_guard lock(mu_);
      tasks_.push_back(std::move(task));
    }
    cv_.notify_one();
  }

 private:
  void Run() {
    std::unique_lock lock(mu_);
    while (true) {
      cv_.wait(lock, [&] { return stopping_ || !tasks_.empty(); });
      if (tasks_.empty()) return;  // stopping and drained
      auto task = std::move(tasks_.front());
      tasks_.pop_front();
      lock.unlock();
      task();
      lock.lock();
    }
  }
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

// ---- Scheduler ----------------------------------------------------------------------------------------

Scheduler::Scheduler(const controllers::ControllerContext& ctx, SchedulerOptions options)
    : client_(ctx.client),
      events_(ctx.events),
      nodes_(ctx.informers.For(client::kNodes)),
      pods_(ctx.informers.For(client::kPods)),
      state_(std::make_shared<State>(std::move(options))) {
  std::shared_ptr<State> st = state_;
  nodes_.AddEventHandler(client::EventHandlers{
      [st](const ObjectPtr& o) { st->OnNodeAdd(o); },
      [st](const ObjectPtr& a, const ObjectPtr& b) { st->OnNodeUpdate(a, b); },
      [st](const ObjectPtr& o) { st->OnNodeDelete(o); }});
  pods_.AddEventHandler(client::EventHandlers{
      [st](const ObjectPtr& o) { st->OnPodAdd(o); },
      [st](const ObjectPtr& a, const ObjectPtr& b) { st->OnPodUpdate(a, b); },
      [st](const ObjectPtr& o) { st->OnPodDelete(o); }});
}

Scheduler::~Scheduler() { Stop(); }

void Scheduler::Start(int workers) {
  if (started_) return;
  started_ = true;
  binders_ = std::make_unique<BinderPool>(workers > 0 ? workers : 8);
  nodes_.Start();
  pods_.Start();
  thread_ = std::thread([this] { Run(); });
  K1S_LOG(kInfo, kLog) << "started as " << state_->options.scheduler_name << " with " << (workers > 0 ? workers : 8)
                       << " binders";
}

void Scheduler::Stop() {
  if (!started_ || stopping_.exchange(true)) return;
  state_->queue.ShutDown();
  if (thread_.joinable()) thread_.join();
  binders_.reset();
  K1S_LOG(kInfo, kLog) << "stopped";
}

Scheduler::Stats Scheduler::GetStats() const {
  return Stats{state_->attempts.load(), state_->scheduled.load(), state_->unschedulable.load(),
               state_->bind_errors.load(), state_->preemptions.load()};
}

SchedulingQueue::Counts Scheduler::QueueCounts() const { return state_->queue.GetCounts(); }

void Scheduler::Run() {
  while (!stopping_) {
    if (nodes_.WaitForSync(milliseconds(100)) && pods_.WaitForSync(milliseconds(100))) break;
  }
  if (stopping_) return;
  K1S_LOG(kInfo, kLog) << "caches synced; scheduling";
  while (auto key = state_->queue.Pop()) ScheduleOne(*key);
}

void Scheduler::ScheduleOne(const std::string& key) {
  State& st = *state_;
  ObjectPtr pod = pods_.Get(key);
  if (!pod || !st.Ours(*pod)) {
    st.queue.Done(key);
    return;
  }
  ++st.attempts;
  auto info = ParsePod(*pod);
  if (!info.ok()) {
    std::string msg = info.error().message;
    K1S_LOG(kWarn, kLog) << "cannot schedule " << key << ": " << msg;
    st.queue.MarkUnschedulable(key);
    ReportFailure(pod, "SchedulerError", msg, "", {});
    return;
  }

  ScheduleOptions opts;
  opts.preemption = st.options.preemption;
  opts.rng = st.options.random_ties ? &rng_ : nullptr;

  Result<ScheduleResult> result = ScheduleResult{};
  {
    std::lock_guard lock(st.mu);
    if (st.assumed.count(key)) {  // bound a moment ago; the informer has not caught up
      st.queue.Done(key);
      return;
    }
    result = Schedule(**info, st.snapshot, opts);
    if (result.ok() && !result->node_name.empty()) {
      auto assumed = std::make_shared<PodInfo>(**info);
      assumed->node_name = result->node_name;
      if (NodeInfo* n = st.snapshot.Find(assumed->node_name)) AddPod(*n, assumed);
      st.assumed[key] = std::move(assumed);
    }
  }
  if (!result.ok()) {
    std::string msg = result.error().message;
    K1S_LOG(kWarn, kLog) << "cannot schedule " << key << ": " << msg;
    st.queue.MarkUnschedulable(key);
    ReportFailure(pod, "SchedulerError", msg, "", {});
    return;
  }

  if (!result->node_name.empty()) {
    const std::string ns = api::MetaString(*pod, "namespace"), name = api::MetaString(*pod, "name");
    std::string node = result->node_name;
    binders_->Submit([this, key, pod, ns, name, node] {
      State& st = *state_;
      auto r = client_.Post(client::kPods, ns, name, "binding", MakeBinding(*pod, node));
      if (r.ok()) {
        ++st.scheduled;
        K1S_LOG(kDebug, kLog) << "bound " << key << " to " << node;
        events_.Event(client::Regarding(*pod, client::kPods), "Normal", "Scheduled",
                      "Successfully assigned " + key + " to " + node);
        st.queue.Done(key);
        return;
      }
      ++st.bind_errors;
      {
        std::lock_guard lock(st.mu);
        st.ForgetLocked(key);
      }
      if (client::IsNotFound(r.error())) {
        st.queue.Done(key);
        return;
      }
      std::string msg = "Binding rejected: " + r.error().message;
      K1S_LOG(kWarn, kLog) << "cannot bind " << key << " to " << node << ": " << r.error().message;
      events_.Event(client::Regarding(*pod, client::kPods), "Warning", "FailedScheduling", msg);
      st.queue.Requeue(key);
      st.queue.MoveAllToActive();  // what it held on the node is free again
    });
    return;
  }

  // Fit nowhere.
  ++st.unschedulable;
  std::string msg = result->message;
  std::string nominated = result->nominated_node;
  std::vector<PodInfoPtr> victims = std::move(result->victims);
  K1S_LOG(kInfo, kLog) << "unschedulable " << key << ": " << msg
                       << (nominated.empty() ? "" : "; preempting " + std::to_string(victims.size()) +
                                                        " pod(s) on " + nominated);
  st.queue.MarkUnschedulable(key);
  if (!nominated.empty()) ++st.preemptions;
  ReportFailure(pod, "Unschedulable", msg, nominated, std::move(victims));
}

void Scheduler::ReportFailure(ObjectPtr pod, std::string reason, std::string message, std::string nominated,
                              std::vector<PodInfoPtr> victims) {
  binders_->Submit([this, pod, reason, message, nominated, victims] {
    const std::string now = client::FormatTime(std::chrono::system_clock::now());
    const std::string ns = api::MetaString(*pod, "namespace"), name = api::MetaString(*pod, "name");
    for (const PodInfoPtr& v : victims) {
      // As upstream: mark the victim, say why on its events, then delete it with its own grace period.
      json::object cond{{"type", "DisruptionTarget"},
                        {"status", "True"},
                        {"reason", "PreemptionByScheduler"},
                        {"message", state_->options.scheduler_name +
                                        ": preempting to accommodate a higher priority pod"}};
      bool changed = false;
      json::array conds = WithCondition(v->pod, cond, now, &changed);
      if (changed) {
        auto r = client_.Patch(client::kPods, v->ns, v->name, client::PatchType::kMerge,
                               json::object{{"status", json::object{{"conditions", std::move(conds)}}}}, {}, "status");
        if (!r.ok() && !client::IsNotFound(r.error())) {
          K1S_LOG(kWarn, kLog) << "cannot mark victim " << v->Key() << ": " << r.error().message;
        }
      }
      events_.Event(client::Regarding(v->pod, client::kPods), "Normal", "Preempted",
                    "Preempted by pod " + api::MetaString(*pod, "uid") + " on node " + nominated);
      client::DeleteOptions del;
      const json::value* grace = Field(Obj(v->pod, "spec"), "terminationGracePeriodSeconds");
      if (grace && grace->is_int64()) del.grace_period_seconds = grace->get_int64();
      if (!v->uid.empty()) del.precondition_uid = v->uid;
      auto r = client_.Delete(client::kPods, v->ns, v->name, del, nullptr);
      if (!r.ok() && !client::IsNotFound(r.error())) {
        K1S_LOG(kWarn, kLog) << "cannot delete victim " << v->Key() << ": " << r.error().message;
      }
    }
    auto patch = UnschedulableStatusPatch(*pod, reason, message, nominated, now);
    if (patch) {
      auto r = client_.Patch(client::kPods, ns, name, client::PatchType::kMerge, *patch, {}, "status");
      if (!r.ok() && !client::IsNotFound(r.error())) {
        K1S_LOG(kWarn, kLog) << "cannot update status of " << ns << "/" << name << ": " << r.error().message;
      }
    }
    events_.Event(client::Regarding(*pod, client::kPods), "Warning", "FailedScheduling", message);
  });
}

}  // namespace k1s::scheduler
