#include "server/scheduler/scheduler.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <chrono>
#include <cstdio>
#include <set>
#include <thread>

#include "lib/api/meta.h"
#include "lib/client/fake_client.h"
#include "server/scheduler/scheduler_logic.h"

namespace k1s::scheduler {
namespace {

using client::FakeClient;
using std::chrono::milliseconds;

#if defined(__SANITIZE_ADDRESS__)
constexpr const char* kBuild = "sanitizer build";
#elif defined(NDEBUG)
constexpr const char* kBuild = "optimized build";
#else
constexpr const char* kBuild = "debug build";
#endif

json::object J(std::string_view text) { return boost::json::parse(text).as_object(); }

bool Eventually(const std::function<bool()>& pred, milliseconds timeout = milliseconds(15000)) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(milliseconds(10));
  }
  return pred();
}

json::object Node(const std::string& name, const std::string& cpu = "4", int pods = 110) {
  json::object n = J(R"({"apiVersion":"v1","kind":"Node","metadata":{"labels":{}},"spec":{},
      "status":{"allocatable":{"memory":"8Gi","ephemeral-storage":"100Gi"},
                "conditions":[{"type":"Ready","status":"True"}]}})");
  n["metadata"].as_object()["name"] = name;
  n["metadata"].as_object()["labels"].as_object()["kubernetes.io/hostname"] = name;
  n["status"].as_object()["allocatable"].as_object()["cpu"] = cpu;
  n["status"].as_object()["allocatable"].as_object()["pods"] = std::to_string(pods);
  n["status"].as_object()["capacity"] = n["status"].as_object()["allocatable"];
  return n;
}

json::object Pod(const std::string& name, const std::string& cpu = "100m", int priority = 0,
                 const std::string& node = "") {
  json::object p = J(R"({"apiVersion":"v1","kind":"Pod","metadata":{"namespace":"default"},
      "spec":{"containers":[{"name":"c","image":"app","resources":{"requests":{}}}]},"status":{"phase":"Pending"}})");
  p["metadata"].as_object()["name"] = name;
  auto& spec = p["spec"].as_object();
  spec["containers"].as_array()[0].as_object()["resources"].as_object()["requests"].as_object()["cpu"] = cpu;
  if (priority) spec["priority"] = priority;
  if (!node.empty()) spec["nodeName"] = node;
  return p;
}

std::string NodeOf(FakeClient& fake, const std::string& name) {
  auto p = fake.Get(client::kPods, "default", name);
  if (!p.ok()) return "";
  const json::value* n = p->at("spec").as_object().if_contains("nodeName");
  return n && n->is_string() ? std::string(n->as_string()) : "";
}

// The PodScheduled condition of a pod ({} when none).
json::object PodScheduled(FakeClient& fake, const std::string& name) {
  auto p = fake.Get(client::kPods, "default", name);
  if (!p.ok() || !p->contains("status")) return {};
  const json::value* conds = p->at("status").as_object().if_contains("conditions");
  if (!conds || !conds->is_array()) return {};
  for (const auto& c : conds->as_array())
    if (c.as_object().at("type") == "PodScheduled") return c.as_object();
  return {};
}

// "reason: message" of the Events about a pod.
std::vector<std::string> EventsFor(FakeClient& fake, const std::string& name) {
  std::vector<std::string> out;
  auto list = fake.List(client::kEvents, "default");
  if (!list.ok()) return out;
  for (const auto& e : list->items) {
    if (e.at("involvedObject").as_object().at("name") != name.c_str()) continue;
    out.push_back(std::string(e.at("reason").as_string()) + ": " + std::string(e.at("message").as_string()));
  }
  return out;
}

std::vector<std::string> Bindings(FakeClient& fake) {
  std::vector<std::string> out;
  for (const auto& a : fake.Actions())
    if (a.verb == "post" && a.subresource == "binding") out.push_back(a.name);
  return out;
}

class SchedulerLoopTest : public ::testing::Test {
 protected:
  SchedulerLoopTest() {
    client::InformerOptions io;
    io.poll_interval = milliseconds(100);
    factory = std::make_unique<client::SharedInformerFactory>(fake, io);
    events = std::make_unique<client::EventRecorder>(fake, "default-scheduler");
    options.random_ties = false;
    options.queue.initial_backoff = milliseconds(10);
    options.queue.max_backoff = milliseconds(100);
  }
  ~SchedulerLoopTest() override {
    fake.PauseWatches(false);
    if (sched) sched->Stop();
    factory->Stop();
  }
  // Builds the scheduler and starts the informers (waiting for them), then the loop.
  void Start(int workers = 8, bool pause_watches_before_loop = false) {
    controllers::ControllerContext ctx{fake, *factory, *events};
    sched = std::make_unique<Scheduler>(ctx, options);
    factory->Start();
    ASSERT_TRUE(factory->WaitForSync(milliseconds(10000)));
    if (pause_watches_before_loop) fake.PauseWatches(true);
    sched->Start(workers);
  }

  FakeClient fake;
  std::unique_ptr<client::SharedInformerFactory> factory;
  std::unique_ptr<client::EventRecorder> events;
  SchedulerOptions options;
  std::unique_ptr<Scheduler> sched;
};

TEST_F(SchedulerLoopTest, PodsAreBoundToNodesThatFitAndAScheduledEventIsRecorded) {
  ASSERT_TRUE(fake.Create(client::kNodes, "", Node("small", "1")).ok());
  ASSERT_TRUE(fake.Create(client::kNodes, "", Node("big", "4")).ok());
  ASSERT_TRUE(fake.Create(client::kPods, "default", Pod("web", "2")).ok());
  Start();
  ASSERT_TRUE(Eventually([&] { return !NodeOf(fake, "web").empty(); }));
  EXPECT_EQ(NodeOf(fake, "web"), "big");
  events->Flush();
  ASSERT_TRUE(Eventually([&] {
    events->Flush();
    auto ev = EventsFor(fake, "web");
    return std::find(ev.begin(), ev.end(), "Scheduled: Successfully assigned default/web to big") != ev.end();
  }));
  EXPECT_EQ(Bindings(fake), std::vector<std::string>{"web"});
}

TEST_F(SchedulerLoopTest, UnfittablePodGetsUnschedulableConditionAndEventThenIsScheduledWhenANodeIsAdded) {
  ASSERT_TRUE(fake.Create(client::kNodes, "", Node("small", "1")).ok());
  ASSERT_TRUE(fake.Create(client::kPods, "default", Pod("huge", "2")).ok());
  Start();
  const std::string want =
      "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 Preemption is not "
      "helpful for scheduling.";  // 1.32: a request above allocatable is unresolvable, so no preemption
  ASSERT_TRUE(Eventually([&] { return !PodScheduled(fake, "huge").empty(); }));
  json::object cond = PodScheduled(fake, "huge");
  EXPECT_EQ(cond["status"], "False");
  EXPECT_EQ(cond["reason"], "Unschedulable");
  ASSERT_TRUE(cond["message"].is_string());
  EXPECT_EQ(std::string(cond["message"].as_string()), want);
  EXPECT_TRUE(cond["lastTransitionTime"].is_string());
  ASSERT_TRUE(Eventually([&] {
    events->Flush();
    auto ev = EventsFor(fake, "huge");
    return std::find(ev.begin(), ev.end(), "FailedScheduling: " + want) != ev.end();
  }));
  ASSERT_TRUE(Eventually([&] { return sched->QueueCounts().unschedulable == 1; }));
  EXPECT_TRUE(NodeOf(fake, "huge").empty());

  ASSERT_TRUE(fake.Create(client::kNodes, "", Node("roomy", "8")).ok());
  ASSERT_TRUE(Eventually([&] { return NodeOf(fake, "huge") == "roomy"; }));
  EXPECT_EQ(sched->QueueCounts().unschedulable, 0u);
}

TEST_F(SchedulerLoopTest, HigherPriorityPodsAreScheduledFirst) {
  ASSERT_TRUE(fake.Create(client::kNodes, "", Node("n1", "8")).ok());
  ASSERT_TRUE(fake.Create(client::kPods, "default", Pod("low", "100m", 1)).ok());
  ASSERT_TRUE(fake.Create(client::kPods, "default", Pod("high", "100m", 1000)).ok());
  ASSERT_TRUE(fake.Create(client::kPods, "default", Pod("mid", "100m", 50)).ok());
  ASSERT_TRUE(fake.Create(client::kPods, "default", Pod("negative", "100m", -5)).ok());
  ASSERT_TRUE(fake.Create(client::kPods, "default", Pod("none")).ok());
  Start(/*workers=*/1);  // one binder: bindings are posted in decision order
  ASSERT_TRUE(Eventually([&] { return Bindings(fake).size() == 5; }));
  EXPECT_EQ(Bindings(fake), (std::vector<std::string>{"high", "mid", "low", "none", "negative"}));
}

TEST_F(SchedulerLoopTest, AssumedPodsCountForTheNextDecision) {
  ASSERT_TRUE(fake.Create(client::kNodes, "", Node("a", "1")).ok());
  ASSERT_TRUE(fake.Create(client::kNodes, "", Node("b", "1")).ok());
  ASSERT_TRUE(fake.Create(client::kPods, "default", Pod("p1", "600m")).ok());
  ASSERT_TRUE(fake.Create(client::kPods, "default", Pod("p2", "600m")).ok());
  // The informers never see the bindings: only the assumed pods tell the loop that a node is taken.
  Start(8, /*pause_watches_before_loop=*/true);
  ASSERT_TRUE(Eventually([&] { return !NodeOf(fake, "p1").empty() && !NodeOf(fake, "p2").empty(); }));
  std::set<std::string> nodes{NodeOf(fake, "p1"), NodeOf(fake, "p2")};
  EXPECT_EQ(nodes, (std::set<std::string>{"a", "b"}));
}

TEST_F(SchedulerLoopTest, PodsForOtherSchedulersBoundPodsAndTerminatingPodsAreLeftAlone) {
  ASSERT_TRUE(fake.Create(client::kNodes, "", Node("n1", "8")).ok());
  json::object other = Pod("other");
  other["spec"].as_object()["schedulerName"] = "my-scheduler";
  ASSERT_TRUE(fake.Create(client::kPods, "default", other).ok());
  ASSERT_TRUE(fake.Create(client::kPods, "default", Pod("bound", "100m", 0, "n1")).ok());
  ASSERT_TRUE(fake.Create(client::kPods, "default", Pod("mine")).ok());
  Start();
  ASSERT_TRUE(Eventually([&] { return NodeOf(fake, "mine") == "n1"; }));
  std::this_thread::sleep_for(milliseconds(100));
  EXPECT_EQ(Bindings(fake), std::vector<std::string>{"mine"});
  EXPECT_TRUE(NodeOf(fake, "other").empty());
}

TEST_F(SchedulerLoopTest, PreemptionDeletesLowerPriorityVictimsAndNominatesTheNode) {
  ASSERT_TRUE(fake.Create(client::kNodes, "", Node("n1", "1")).ok());
  json::object victim = Pod("victim", "800m", 1, "n1");
  victim["spec"].as_object()["terminationGracePeriodSeconds"] = 0;
  ASSERT_TRUE(fake.Create(client::kPods, "default", victim).ok());
  ASSERT_TRUE(fake.Create(client::kPods, "default", Pod("vip", "500m", 1000)).ok());
  Start();
  ASSERT_TRUE(Eventually([&] { return !fake.Get(client::kPods, "default", "victim").ok(); }));
  ASSERT_TRUE(Eventually([&] { return NodeOf(fake, "vip") == "n1"; }));
  auto vip = fake.Get(client::kPods, "default", "vip");
  ASSERT_TRUE(vip.ok());
  EXPECT_EQ(vip->at("status").as_object().at("nominatedNodeName"), "n1");
  ASSERT_TRUE(Eventually([&] {
    events->Flush();
    auto ev = EventsFor(fake, "victim");
    return !ev.empty() && ev[0].rfind("Preempted: Preempted by pod ", 0) == 0;
  }));
  EXPECT_EQ(sched->GetStats().preemptions, 1u);
}

TEST_F(SchedulerLoopTest, AThousandPodsOnAHundredNodesAllGetBound) {
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(fake.Create(client::kNodes, "", Node("node-" + std::to_string(i), "64")).ok());
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(fake.Create(client::kPods, "default", Pod("pod-" + std::to_string(i))).ok());
  controllers::ControllerContext ctx{fake, *factory, *events};
  options.random_ties = true;
  sched = std::make_unique<Scheduler>(ctx, options);
  factory->Start();
  ASSERT_TRUE(factory->WaitForSync(milliseconds(20000)));
  auto start = std::chrono::steady_clock::now();
  sched->Start(8);
  ASSERT_TRUE(Eventually([&] { return sched->GetStats().scheduled == 1000; }, milliseconds(120000)));
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("[ timing ] 1000 pods on 100 fake nodes bound in %.3f s (%.0f pods/s; %s)\n", secs,
              1000 / secs, kBuild);
  auto list = fake.List(client::kPods, "default");
  ASSERT_TRUE(list.ok());
  std::map<std::string, int> per_node;
  for (const auto& p : list->items) ++per_node[std::string(p.at("spec").as_object().at("nodeName").as_string())];
  EXPECT_EQ(per_node.count(""), 0u);
  EXPECT_EQ(per_node.size(), 100u);  // least-allocated scoring spreads them
  EXPECT_EQ(Bindings(fake).size(), 1000u);
}

// The serial part of the loop alone: one Schedule plus an assume per pod, 1,000 pods on 1,000 nodes.
TEST(SchedulerDecisionTest, AThousandDecisionsOnAThousandNodesWithAssume) {
  std::vector<json::object> nodes;
  for (int i = 0; i < 1000; ++i) nodes.push_back(Node("node-" + std::to_string(i), "64"));
  auto snap = BuildSnapshot(nodes, {});
  ASSERT_TRUE(snap.ok());
  std::vector<PodInfoPtr> pods;
  for (int i = 0; i < 1000; ++i) {
    json::object p = Pod("pod-" + std::to_string(i));
    p["metadata"].as_object()["uid"] = "uid-" + std::to_string(i);
    auto info = ParsePod(p);
    ASSERT_TRUE(info.ok());
    pods.push_back(*info);
  }
  auto start = std::chrono::steady_clock::now();
  for (const auto& p : pods) {
    auto r = Schedule(*p, *snap);
    ASSERT_TRUE(r.ok());
    ASSERT_FALSE(r->node_name.empty());
    auto assumed = std::make_shared<PodInfo>(*p);
    assumed->node_name = r->node_name;
    AddPod(*snap->Find(r->node_name), assumed);
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("[ timing ] 1000 decisions on 1000 nodes in %.3f s (%.0f pods/s; %s)\n", secs, 1000 / secs,
              kBuild);
  for (const auto& n : snap->nodes) EXPECT_EQ(n.pods.size(), 1u) << n.name;
}

// ---- SchedulingQueue ----------------------------------------------------------------------------------

struct FakeClock {
  std::chrono::steady_clock::time_point t = std::chrono::steady_clock::now();
  std::function<std::chrono::steady_clock::time_point()> Fn() {
    return [this] { return t; };
  }
};

SchedulingQueueOptions QueueOptions(FakeClock& clock) {
  SchedulingQueueOptions o;
  o.initial_backoff = milliseconds(1000);
  o.max_backoff = milliseconds(10000);
  o.unschedulable_timeout = milliseconds(60000);
  o.now = clock.Fn();
  return o;
}

TEST(SchedulingQueueTest, PopsHigherPriorityFirstThenInArrivalOrder) {
  SchedulingQueue q;
  q.Add("ns/a", 0);
  q.Add("ns/b", 10);
  q.Add("ns/c", 0);
  q.Add("ns/d", 10);
  q.Add("ns/a", 0);  // already queued: ignored
  std::vector<std::string> got;
  while (auto k = q.Pop(milliseconds(0))) got.push_back(*k);
  EXPECT_EQ(got, (std::vector<std::string>{"ns/b", "ns/d", "ns/a", "ns/c"}));
}

TEST(SchedulingQueueTest, UnschedulablePodsWaitForAMoveAndThenTheirBackoff) {
  FakeClock clock;
  SchedulingQueue q(QueueOptions(clock));
  q.Add("ns/p", 0);
  ASSERT_EQ(q.Pop(milliseconds(0)), "ns/p");
  q.MarkUnschedulable("ns/p");
  EXPECT_EQ(q.GetCounts().unschedulable, 1u);
  EXPECT_EQ(q.Pop(milliseconds(0)), std::nullopt);
  q.MoveAllToActive();
  EXPECT_EQ(q.GetCounts().backoff, 1u);
  EXPECT_EQ(q.Pop(milliseconds(0)), std::nullopt);  // 1 s backoff after the first attempt
  clock.t += milliseconds(1000);
  EXPECT_EQ(q.Pop(milliseconds(0)), "ns/p");
  EXPECT_EQ(q.Attempts("ns/p"), 2);
  q.MarkUnschedulable("ns/p");
  q.MoveAllToActive();
  clock.t += milliseconds(1999);
  EXPECT_EQ(q.Pop(milliseconds(0)), std::nullopt);  // 2 s after the second
  clock.t += milliseconds(1);
  EXPECT_EQ(q.Pop(milliseconds(0)), "ns/p");
  q.Done("ns/p");
  EXPECT_EQ(q.Attempts("ns/p"), 0);
}

TEST(SchedulingQueueTest, UnschedulablePodsAreRetriedAfterTheTimeoutWithoutAnyMove) {
  FakeClock clock;
  SchedulingQueue q(QueueOptions(clock));
  q.Add("ns/p", 0);
  ASSERT_EQ(q.Pop(milliseconds(0)), "ns/p");
  q.MarkUnschedulable("ns/p");
  clock.t += milliseconds(59999);
  EXPECT_EQ(q.Pop(milliseconds(0)), std::nullopt);
  clock.t += milliseconds(1);
  EXPECT_EQ(q.Pop(milliseconds(0)), "ns/p");
}

TEST(SchedulingQueueTest, AMoveDuringTheAttemptSendsThePodToBackoffInsteadOfParkingIt) {
  FakeClock clock;
  SchedulingQueue q(QueueOptions(clock));
  q.Add("ns/p", 0);
  ASSERT_EQ(q.Pop(milliseconds(0)), "ns/p");
  q.MoveAllToActive();  // a node arrived while the pod was being decided
  q.MarkUnschedulable("ns/p");
  EXPECT_EQ(q.GetCounts().unschedulable, 0u);
  EXPECT_EQ(q.GetCounts().backoff, 1u);
  clock.t += milliseconds(1000);
  EXPECT_EQ(q.Pop(milliseconds(0)), "ns/p");
}

TEST(SchedulingQueueTest, UpdatingAParkedPodRequeuesItAndDeleteForgetsIt) {
  FakeClock clock;
  SchedulingQueue q(QueueOptions(clock));
  q.Add("ns/p", 0);
  ASSERT_EQ(q.Pop(milliseconds(0)), "ns/p");
  q.MarkUnschedulable("ns/p");
  clock.t += milliseconds(5000);
  q.Update("ns/p", 0);
  EXPECT_EQ(q.Pop(milliseconds(0)), "ns/p");
  q.Requeue("ns/p");
  q.Delete("ns/p");
  clock.t += milliseconds(60000);
  EXPECT_EQ(q.Pop(milliseconds(0)), std::nullopt);
  auto c = q.GetCounts();
  EXPECT_EQ(c.active + c.backoff + c.unschedulable + c.in_flight, 0u);
}

TEST(SchedulingQueueTest, PopWakesForAnAddAndReturnsNothingAfterShutDown) {
  SchedulingQueue q;
  std::thread t([&] {
    std::this_thread::sleep_for(milliseconds(50));
    q.Add("ns/late", 0);
  });
  EXPECT_EQ(q.Pop(milliseconds(5000)), "ns/late");
  t.join();
  std::thread s([&] {
    std::this_thread::sleep_for(milliseconds(50));
    q.ShutDown();
  });
  EXPECT_EQ(q.Pop(), std::nullopt);
  s.join();
}

// ---- Helpers ------------------------------------------------------------------------------------------

TEST(SchedulerHelpersTest, PendingMeansUnboundOursNotDeletingNotTerminal) {
  EXPECT_TRUE(IsPendingFor(Pod("p"), "default-scheduler"));
  EXPECT_FALSE(IsPendingFor(Pod("p"), "other"));
  EXPECT_FALSE(IsPendingFor(Pod("p", "1", 0, "n1"), "default-scheduler"));
  json::object p = Pod("p");
  p["metadata"].as_object()["deletionTimestamp"] = "2026-01-01T00:00:00Z";
  EXPECT_FALSE(IsPendingFor(p, "default-scheduler"));
  json::object done = Pod("p");
  done["status"].as_object()["phase"] = "Succeeded";
  EXPECT_FALSE(IsPendingFor(done, "default-scheduler"));
  EXPECT_EQ(PodPriority(Pod("p", "1", 42)), 42);
}

TEST(SchedulerHelpersTest, NodeHeartbeatsAreNotSchedulingChangesButTaintsAndReadinessAre) {
  json::object n = Node("n");
  json::object beat = n;
  beat["status"].as_object()["conditions"].as_array()[0].as_object()["lastHeartbeatTime"] = "2026-01-01T00:00:00Z";
  beat["metadata"].as_object()["resourceVersion"] = "99";
  EXPECT_FALSE(NodeSchedulingPropertiesChanged(n, beat));
  json::object notready = n;
  notready["status"].as_object()["conditions"].as_array()[0].as_object()["status"] = "False";
  EXPECT_TRUE(NodeSchedulingPropertiesChanged(n, notready));
  json::object tainted = n;
  tainted["spec"].as_object()["taints"] = J(R"({"t":[{"key":"k","effect":"NoSchedule"}]})")["t"];
  EXPECT_TRUE(NodeSchedulingPropertiesChanged(n, tainted));
}

TEST(SchedulerHelpersTest, StatusPatchSetsTheConditionOnceAndKeepsOtherConditions) {
  json::object p = Pod("p");
  p["status"].as_object()["conditions"] = J(R"({"c":[{"type":"Other","status":"True"}]})")["c"];
  auto patch = UnschedulableStatusPatch(p, "Unschedulable", "0/1 nodes are available: 1 Too many pods.", "", "T1");
  ASSERT_TRUE(patch.has_value());
  const auto& conds = patch->at("status").as_object().at("conditions").as_array();
  ASSERT_EQ(conds.size(), 2u);
  EXPECT_EQ(conds[0].as_object().at("type"), "Other");
  EXPECT_EQ(conds[1].as_object().at("type"), "PodScheduled");
  EXPECT_EQ(conds[1].as_object().at("lastTransitionTime"), "T1");
  EXPECT_FALSE(patch->at("status").as_object().contains("nominatedNodeName"));

  p["status"].as_object()["conditions"] = conds;
  EXPECT_FALSE(UnschedulableStatusPatch(p, "Unschedulable", "0/1 nodes are available: 1 Too many pods.", "", "T2"));
  auto nominated = UnschedulableStatusPatch(p, "Unschedulable", "0/1 nodes are available: 1 Too many pods.", "n1", "T2");
  ASSERT_TRUE(nominated.has_value());
  EXPECT_EQ(nominated->at("status").as_object().at("nominatedNodeName"), "n1");
  auto again = UnschedulableStatusPatch(p, "Unschedulable", "other message", "", "T3");
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->at("status").as_object().at("conditions").as_array()[1].as_object().at("lastTransitionTime"), "T1");
}

TEST(SchedulerHelpersTest, BindingNamesThePodAndTargetsTheNode) {
  json::object p = Pod("web");
  p["metadata"].as_object()["uid"] = "u1";
  json::object b = MakeBinding(p, "n1");
  EXPECT_EQ(b, J(R"({"apiVersion":"v1","kind":"Binding","metadata":{"name":"web","namespace":"default","uid":"u1"},
                     "target":{"apiVersion":"v1","kind":"Node","name":"n1"}})"));
}

}  // namespace
}  // namespace k1s::scheduler
