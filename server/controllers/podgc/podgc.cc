#include "server/controllers/podgc/podgc.h"

#include <set>

#include "lib/base/log.h"

namespace k1s::controllers {

namespace json = boost::json;

namespace {
constexpr const char* kLog = "pod-garbage-collector";
}  // namespace

PodGCController::PodGCController(ControllerContext ctx, Clock& clock, PodGCOptions options)
    : ctx_(ctx),
      clock_(clock),
      options_(options),
      pods_(ctx.informers.For(client::kPods)),
      nodes_(ctx.informers.For(client::kNodes)),
      queue_(client::WorkQueueOptions{.name = "podgc"}) {}

PodGCController::~PodGCController() { Stop(); }

void PodGCController::Start(int /*workers*/) {
  if (runner_.joinable()) return;
  runner_ = std::thread([this] {
    while (!pods_.WaitForSync(std::chrono::milliseconds(500)) || !nodes_.WaitForSync(std::chrono::milliseconds(500)))
      if (queue_.ShuttingDown()) return;
    K1S_LOG(kInfo, kLog) << "started: threshold " << options_.terminated_pod_threshold << " terminated pods, quarantine "
                         << options_.quarantine.count() << " ms";
    queue_.Add(kKey);
    client::RunWorkers(queue_, 1, [this](const std::string& key) {
      Status s = Reconcile(key);
      queue_.AddAfter(kKey, options_.period);  // the next pass, whatever this one did
      return s;
    });
  });
}

void PodGCController::Stop() {
  queue_.ShutDown();
  if (runner_.joinable()) runner_.join();
}

Status PodGCController::Collect(const podgc::Collect& c, const client::ObjectPtr& pod, podgc::TimePoint now) {
  if (auto status = podgc::FailedStatus(*pod, c.reason, now)) {
    json::object updated = *pod;
    updated["status"] = std::move(*status);
    auto r = ctx_.client.UpdateStatus(client::kPods, c.ns, c.name, std::move(updated));
    if (!r.ok() && !client::IsNotFound(r.error())) {
      K1S_LOG(kWarn, kLog) << "marking pod " << c.ns << "/" << c.name << " failed: " << r.error().message;
    }
  }
  client::DeleteOptions opts;
  opts.grace_period_seconds = 0;
  opts.precondition_uid = c.uid;
  auto r = ctx_.client.Delete(client::kPods, c.ns, c.name, opts, nullptr);
  if (!r.ok() && !client::IsNotFound(r.error())) return Fail(r.error());
  K1S_LOG(kInfo, kLog) << "deleted pod " << c.ns << "/" << c.name << " (" << podgc::ReasonText(c.reason) << ")";
  return OkStatus();
}

Status PodGCController::Reconcile(const std::string& /*key*/) {
  const podgc::TimePoint now = clock_.Now();
  podgc::PodList pods = pods_.List();
  std::map<std::string, client::ObjectPtr> nodes;
  std::set<std::string> node_names;
  for (auto& n : nodes_.List()) {
    std::string name = client::SplitKey(client::KeyOf(*n)).second;
    node_names.insert(name);
    nodes[name] = n;
  }

  std::set<std::string> gone;
  {
    std::lock_guard lock(mu_);
    gone = podgc::UpdateQuarantine(missing_since_, podgc::MissingNodes(pods, node_names), options_.quarantine, now);
  }
  // The cache may lag: a node counts as gone only when the API says so too.
  for (auto it = gone.begin(); it != gone.end();) {
    auto r = ctx_.client.Get(client::kNodes, "", *it);
    if (r.ok() || !client::IsNotFound(r.error())) {
      it = gone.erase(it);
    } else {
      ++it;
    }
  }

  std::vector<podgc::Collect> plan = podgc::TerminatedOverThreshold(pods, options_.terminated_pod_threshold);
  for (auto& c : podgc::Orphaned(pods, gone)) plan.push_back(std::move(c));
  for (auto& c : podgc::UnscheduledTerminating(pods)) plan.push_back(std::move(c));
  for (auto& c : podgc::OutOfServiceTerminating(pods, nodes)) plan.push_back(std::move(c));

  std::set<std::string> done;
  Status result = OkStatus();
  for (const auto& c : plan) {
    std::string key = client::MakeKey(c.ns, c.name);
    if (!done.insert(key).second) continue;
    client::ObjectPtr pod = pods_.Get(key);
    if (!pod) continue;
    if (Status s = Collect(c, pod, now); !s.ok()) result = s;
  }
  return result;
}

}  // namespace k1s::controllers
