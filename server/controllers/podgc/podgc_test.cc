// Tests of the pod GC logic (pure) and of PodGCController against FakeClient.
#include "server/controllers/podgc/podgc.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "lib/client/fake_client.h"

namespace k1s::controllers {
namespace {

using namespace std::chrono_literals;
using podgc::TimePoint;
namespace json = boost::json;

class GcTestClock final : public Clock {
 public:
  TimePoint Now() const override { return TimePoint(std::chrono::seconds(now_s_.load())); }
  std::chrono::steady_clock::time_point Monotonic() const override {
    return std::chrono::steady_clock::time_point(std::chrono::seconds(now_s_.load()));
  }
  void Advance(int64_t s) { now_s_ += s; }
  std::atomic<int64_t> now_s_{1'800'000'000};
};

TimePoint GcT0() { return TimePoint(std::chrono::seconds(1'800'000'000)); }

json::object GcPod(const std::string& name, const std::string& node, const std::string& phase, int created_offset_s = 0) {
  return json::object{
      {"apiVersion", "v1"},
      {"kind", "Pod"},
      {"metadata", json::object{{"name", name},
                                {"namespace", "default"},
                                {"uid", "uid-" + name},
                                {"creationTimestamp", client::FormatTime(GcT0() + std::chrono::seconds(created_offset_s))}}},
      {"spec", json::object{{"nodeName", node}, {"containers", json::array{json::object{{"name", "c"}}}}}},
      {"status", json::object{{"phase", phase}}}};
}

json::object GcNode(const std::string& name) {
  return json::object{{"apiVersion", "v1"}, {"kind", "Node"}, {"metadata", json::object{{"name", name}}}};
}

podgc::PodList List(std::initializer_list<json::object> pods) {
  podgc::PodList out;
  for (const auto& p : pods) out.push_back(std::make_shared<const json::object>(p));
  return out;
}

std::vector<std::string> Names(const std::vector<podgc::Collect>& cs) {
  std::vector<std::string> out;
  for (const auto& c : cs) out.push_back(c.name);
  return out;
}

// ---- logic ----

TEST(PodGCLogic, TerminatedPodsOverTheThresholdAreChosenOldestFirst) {
  auto pods = List({GcPod("new", "n", "Succeeded", 30), GcPod("old", "n", "Failed", 10),
                    GcPod("running", "n", "Running", 0), GcPod("mid", "n", "Succeeded", 20)});
  EXPECT_EQ(Names(podgc::TerminatedOverThreshold(pods, 1)), (std::vector<std::string>{"old", "mid"}));
  EXPECT_TRUE(podgc::TerminatedOverThreshold(pods, 3).empty());
  EXPECT_TRUE(podgc::TerminatedOverThreshold(pods, 0).empty());  // disabled
}

TEST(PodGCLogic, EvictedPodsGoBeforeOlderOnes) {
  json::object evicted = GcPod("evicted", "n", "Failed", 50);
  evicted["status"].as_object()["reason"] = "Evicted";
  auto pods = List({GcPod("old", "n", "Failed", 0), evicted});
  EXPECT_EQ(Names(podgc::TerminatedOverThreshold(pods, 1)), (std::vector<std::string>{"evicted"}));
}

TEST(PodGCLogic, MissingNodesWaitOutTheQuarantine) {
  std::map<std::string, TimePoint> since;
  std::set<std::string> missing{"gone"};
  EXPECT_TRUE(podgc::UpdateQuarantine(since, missing, 40s, GcT0()).empty());
  EXPECT_TRUE(podgc::UpdateQuarantine(since, missing, 40s, GcT0() + 39s).empty());
  EXPECT_EQ(podgc::UpdateQuarantine(since, missing, 40s, GcT0() + 40s), missing);
  EXPECT_TRUE(podgc::UpdateQuarantine(since, {}, 40s, GcT0() + 41s).empty());
  EXPECT_TRUE(since.empty());  // back (or no pods on it): forgotten
}

TEST(PodGCLogic, OrphanedAndUnscheduledTerminatingPodsAreFound) {
  json::object terminating = GcPod("t", "", "Pending");
  terminating["metadata"].as_object()["deletionTimestamp"] = client::FormatTime(GcT0());
  auto pods = List({GcPod("a", "gone", "Running"), GcPod("b", "here", "Running"), terminating});
  EXPECT_EQ(podgc::MissingNodes(pods, {"here"}), (std::set<std::string>{"gone"}));
  EXPECT_EQ(Names(podgc::Orphaned(pods, {"gone"})), (std::vector<std::string>{"a"}));
  EXPECT_EQ(Names(podgc::UnscheduledTerminating(pods)), (std::vector<std::string>{"t"}));
}

TEST(PodGCLogic, FailedStatusMarksOrphansWithDisruptionTarget) {
  auto st = podgc::FailedStatus(GcPod("a", "gone", "Running"), podgc::Reason::kOrphaned, GcT0());
  ASSERT_TRUE(st);
  EXPECT_EQ(st->at("phase").as_string(), "Failed");
  const auto& c = st->at("conditions").as_array()[0].as_object();
  EXPECT_EQ(c.at("type").as_string(), "DisruptionTarget");
  EXPECT_EQ(c.at("reason").as_string(), "DeletionByPodGC");
  EXPECT_FALSE(podgc::FailedStatus(GcPod("b", "gone", "Succeeded"), podgc::Reason::kOrphaned, GcT0()));
}

TEST(PodGCLogic, TerminatingPodsOnOutOfServiceNotReadyNodesAreFound) {
  json::object node = GcNode("oos");
  node["spec"] = json::object{{"taints", json::array{json::object{{"key", podgc::kTaintOutOfService},
                                                                  {"effect", "NoExecute"}}}}};
  node["status"] = json::object{{"conditions", json::array{json::object{{"type", "Ready"}, {"status", "False"}}}}};
  json::object t = GcPod("t", "oos", "Running");
  t["metadata"].as_object()["deletionTimestamp"] = client::FormatTime(GcT0());
  auto pods = List({t, GcPod("r", "oos", "Running")});
  std::map<std::string, std::shared_ptr<const json::object>> nodes{{"oos", std::make_shared<const json::object>(node)}};
  EXPECT_EQ(Names(podgc::OutOfServiceTerminating(pods, nodes)), (std::vector<std::string>{"t"}));
}

// ---- controller against FakeClient ----

template <typename F>
bool GcWaitFor(F pred) {
  for (int i = 0; i < 400; ++i) {
    if (pred()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return false;
}

struct PodGCFixture : ::testing::Test {
  client::FakeClient fake;
  client::SharedInformerFactory factory{fake, client::InformerOptions{.poll_interval = 50ms}};
  client::EventRecorder events{fake, "pod-garbage-collector"};
  GcTestClock clock;
  PodGCController ctl{ControllerContext{fake, factory, events}, clock,
                      PodGCOptions{.terminated_pod_threshold = 2, .quarantine = 40s}};
  void SetUp() override {
    factory.Start();
    ASSERT_TRUE(factory.WaitForSync(5s));
  }
  bool CacheMatches(const client::Resource& r) {
    auto& inf = factory.For(r);
    auto l = fake.List(r, "");
    if (!l.ok() || inf.Size() != l->items.size()) return false;
    for (const auto& item : l->items) {
      auto cached = inf.Get(client::KeyOf(item));
      if (!cached || cached->at("metadata").at("resourceVersion") != item.at("metadata").at("resourceVersion"))
        return false;
    }
    return true;
  }
  void Pass() {
    ASSERT_TRUE(GcWaitFor([&] { return CacheMatches(client::kPods) && CacheMatches(client::kNodes); }));
    ASSERT_TRUE(ctl.Reconcile(PodGCController::kKey).ok());
  }
  std::set<std::string> PodNames() {
    std::set<std::string> out;
    auto l = fake.List(client::kPods, "default");
    for (const auto& p : l->items)
      out.insert(std::string(p.at("metadata").at("name").as_string()));
    return out;
  }
};

TEST_F(PodGCFixture, PodsOnDeletedNodesAreForceDeletedAfterTheQuarantine) {
  ASSERT_TRUE(fake.Create(client::kNodes, "", GcNode("here")).ok());
  ASSERT_TRUE(fake.Create(client::kPods, "default", GcPod("orphan", "gone", "Running")).ok());
  ASSERT_TRUE(fake.Create(client::kPods, "default", GcPod("fine", "here", "Running")).ok());
  Pass();
  EXPECT_EQ(PodNames(), (std::set<std::string>{"orphan", "fine"}));  // quarantined
  clock.Advance(41);
  fake.ClearActions();
  Pass();
  EXPECT_EQ(PodNames(), (std::set<std::string>{"fine"}));
  bool marked_failed = false;
  for (const auto& a : fake.Actions())
    if (a.verb == "update" && a.subresource == "status" && a.name == "orphan") marked_failed = true;
  EXPECT_TRUE(marked_failed);
}

TEST_F(PodGCFixture, TerminatedPodsOverTheThresholdAreRemovedOldestFirst) {
  ASSERT_TRUE(fake.Create(client::kNodes, "", GcNode("n")).ok());
  ASSERT_TRUE(fake.Create(client::kPods, "default", GcPod("d", "n", "Succeeded", 40)).ok());
  ASSERT_TRUE(fake.Create(client::kPods, "default", GcPod("a", "n", "Failed", 10)).ok());
  ASSERT_TRUE(fake.Create(client::kPods, "default", GcPod("c", "n", "Succeeded", 30)).ok());
  ASSERT_TRUE(fake.Create(client::kPods, "default", GcPod("b", "n", "Succeeded", 20)).ok());
  ASSERT_TRUE(fake.Create(client::kPods, "default", GcPod("run", "n", "Running", 0)).ok());
  Pass();
  EXPECT_EQ(PodNames(), (std::set<std::string>{"c", "d", "run"}));
}

TEST_F(PodGCFixture, TerminatingPodsNotBoundToANodeAreForceDeleted) {
  json::object pod = GcPod("unbound", "", "Pending");
  pod["metadata"].as_object()["finalizers"] = json::array{};
  ASSERT_TRUE(fake.Seed(client::kPods, [&] {
                    json::object p = pod;
                    p["metadata"].as_object()["deletionTimestamp"] = client::FormatTime(GcT0());
                    return p;
                  }())
                  .contains("metadata"));
  Pass();
  EXPECT_TRUE(PodNames().empty());
}

}  // namespace
}  // namespace k1s::controllers
