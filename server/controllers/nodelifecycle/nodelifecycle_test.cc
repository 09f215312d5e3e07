// Tests of the node lifecycle logic (pure) and of NodeLifecycleController against FakeClient.
#include "server/controllers/nodelifecycle/nodelifecycle.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "lib/client/fake_client.h"

namespace k1s::controllers {
namespace {

using namespace std::chrono_literals;
namespace nl = nodelifecycle;
using nl::TimePoint;
namespace json = boost::json;

class NodeTestClock final : public Clock {
 public:
  TimePoint Now() const override { return TimePoint(std::chrono::seconds(now_s_.load())); }
  std::chrono::steady_clock::time_point Monotonic() const override {
    return std::chrono::steady_clock::time_point(std::chrono::seconds(now_s_.load()));
  }
  void Advance(int64_t s) { now_s_ += s; }
  std::atomic<int64_t> now_s_{1'800'000'000};
};

TimePoint T0() { return TimePoint(std::chrono::seconds(1'800'000'000)); }

json::object ReadyNode(const std::string& name, const std::string& ready = "True") {
  std::string hb = client::FormatTime(T0());
  return json::parse(R"({"apiVersion":"v1","kind":"Node","metadata":{"name":")" + name +
                     R"(","creationTimestamp":")" + hb + R"("},"spec":{},
      "status":{"conditions":[{"type":"Ready","status":")" + ready + R"(","reason":"KubeletReady",
        "lastHeartbeatTime":")" + hb + R"(","lastTransitionTime":")" + hb + R"("},
        {"type":"MemoryPressure","status":"False","lastHeartbeatTime":")" + hb + R"("}]}})")
      .as_object();
}

json::object NodeLease(const std::string& name, TimePoint renew) {
  return json::object{{"apiVersion", "coordination.k8s.io/v1"},
                      {"kind", "Lease"},
                      {"metadata", json::object{{"name", name}, {"namespace", nl::kNodeLeaseNamespace}}},
                      {"spec", json::object{{"holderIdentity", name}, {"renewTime", client::FormatMicroTime(renew)}}}};
}

json::object PodOn(const std::string& name, const std::string& node, std::optional<int64_t> toleration_seconds) {
  json::object pod = json::parse(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":")" + name +
                                 R"(","namespace":"default"},"spec":{"nodeName":")" + node +
                                 R"(","containers":[{"name":"c","image":"busybox"}]},
      "status":{"phase":"Running","conditions":[{"type":"Ready","status":"True"}]}})")
                         .as_object();
  if (toleration_seconds) {
    json::array tols;
    for (const char* key : {nl::kTaintUnreachable, nl::kTaintNotReady})
      tols.push_back(json::object{{"key", key},
                                  {"operator", "Exists"},
                                  {"effect", "NoExecute"},
                                  {"tolerationSeconds", *toleration_seconds}});
    pod["spec"].as_object()["tolerations"] = std::move(tols);
  }
  return pod;
}

json::object Taint(const std::string& key, const std::string& effect, std::optional<TimePoint> added = {}) {
  json::object t{{"key", key}, {"effect", effect}};
  if (added) t["timeAdded"] = client::FormatTime(*added);
  return t;
}

// ---- logic ----

TEST(NodeLifecycleLogic, ProbeMovesOnlyWhenAHeartbeatChanges) {
  json::object node = ReadyNode("n1");
  json::object lease = NodeLease("n1", T0());
  nl::Probe p = nl::UpdateProbe(std::nullopt, node, &lease, T0());
  EXPECT_EQ(p.observed, T0());
  nl::Probe same = nl::UpdateProbe(p, node, &lease, T0() + 30s);
  EXPECT_EQ(same.observed, T0());
  json::object renewed = NodeLease("n1", T0() + 10s);
  nl::Probe moved = nl::UpdateProbe(same, node, &renewed, T0() + 31s);
  EXPECT_EQ(moved.observed, T0() + 31s);
}

TEST(NodeLifecycleLogic, StaleProbeIsDetectedAfterTheGracePeriodOnly) {
  json::object node = ReadyNode("n1");
  nl::Probe p = nl::UpdateProbe(std::nullopt, node, nullptr, T0());
  EXPECT_FALSE(nl::IsStale(p, node, T0() + 40s, 40s, 60s));
  EXPECT_TRUE(nl::IsStale(p, node, T0() + 41s, 40s, 60s));
}

TEST(NodeLifecycleLogic, UnknownConditionsMarkReadyAndPressureUnknownOnce) {
  json::object node = ReadyNode("n1");
  auto conds = nl::UnknownConditions(node, T0() + 50s);
  ASSERT_TRUE(conds);
  node["status"].as_object()["conditions"] = *conds;
  const json::object* ready = nl::FindCondition(node, "Ready");
  ASSERT_NE(ready, nullptr);
  EXPECT_EQ(nl::StringAt(*ready, "status"), "Unknown");
  EXPECT_EQ(nl::StringAt(*ready, "reason"), "NodeStatusUnknown");
  EXPECT_EQ(nl::StringAt(*ready, "message"), "Kubelet stopped posting node status.");
  EXPECT_EQ(nl::StringAt(*ready, "lastHeartbeatTime"), client::FormatTime(T0()));
  EXPECT_EQ(nl::StringAt(*nl::FindCondition(node, "MemoryPressure"), "reason"), "NodeStatusUnknown");
  EXPECT_EQ(nl::StringAt(*nl::FindCondition(node, "DiskPressure"), "reason"), "NodeStatusNeverUpdated");
  EXPECT_EQ(nl::StringAt(*nl::FindCondition(node, "PIDPressure"), "status"), "Unknown");
  EXPECT_FALSE(nl::UnknownConditions(node, T0() + 60s));
}

TEST(NodeLifecycleLogic, TaintsFollowReadyAndKeepOtherTaints) {
  json::object node = ReadyNode("n1", "Unknown");
  node["spec"].as_object()["taints"] = json::array{Taint("dedicated", "NoSchedule")};
  json::array t = nl::DesiredTaints(node, T0());
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(nl::StringAt(t[0].as_object(), "key"), "dedicated");
  EXPECT_EQ(nl::StringAt(t[1].as_object(), "key"), nl::kTaintUnreachable);
  EXPECT_EQ(nl::StringAt(t[2].as_object(), "effect"), "NoExecute");
  EXPECT_EQ(nl::StringAt(t[2].as_object(), "timeAdded"), client::FormatTime(T0()));
  EXPECT_FALSE(t[1].as_object().contains("timeAdded"));
  node["spec"].as_object()["taints"] = t;
  EXPECT_EQ(nl::DesiredTaints(node, T0() + 5s), t);  // stable: timeAdded is not renewed

  json::object not_ready = ReadyNode("n1", "False");
  not_ready["spec"].as_object()["taints"] = t;
  json::array t2 = nl::DesiredTaints(not_ready, T0());
  ASSERT_EQ(t2.size(), 3u);
  EXPECT_EQ(nl::StringAt(t2[1].as_object(), "key"), nl::kTaintNotReady);

  json::object ready = ReadyNode("n1");
  ready["spec"].as_object()["taints"] = t2;
  EXPECT_EQ(nl::DesiredTaints(ready, T0()), json::array{Taint("dedicated", "NoSchedule")});
}

TEST(NodeLifecycleLogic, TolerationMatchingFollowsKeyOperatorValueAndEffect) {
  json::object taint{{"key", "k"}, {"value", "v"}, {"effect", "NoExecute"}};
  EXPECT_TRUE(nl::Tolerates(json::object{{"operator", "Exists"}}, taint));
  EXPECT_TRUE(nl::Tolerates(json::object{{"key", "k"}, {"operator", "Exists"}}, taint));
  EXPECT_TRUE(nl::Tolerates(json::object{{"key", "k"}, {"value", "v"}}, taint));
  EXPECT_FALSE(nl::Tolerates(json::object{{"key", "k"}, {"value", "w"}}, taint));
  EXPECT_FALSE(nl::Tolerates(json::object{{"key", "k"}, {"operator", "Exists"}, {"effect", "NoSchedule"}}, taint));
  EXPECT_FALSE(nl::Tolerates(json::object{{"key", "other"}, {"operator", "Exists"}}, taint));
}

TEST(NodeLifecycleLogic, EvictionTimeHonoursTolerationSecondsFromTimeAdded) {
  json::array taints{Taint(nl::kTaintUnreachable, "NoSchedule"), Taint(nl::kTaintUnreachable, "NoExecute", T0())};
  EXPECT_EQ(nl::EvictionTime(PodOn("p", "n1", std::nullopt), taints, T0() + 3s), T0() + 3s);  // at once
  EXPECT_EQ(nl::EvictionTime(PodOn("p", "n1", 30), taints, T0() + 3s), T0() + 30s);
  json::object forever = PodOn("p", "n1", std::nullopt);
  forever["spec"].as_object()["tolerations"] = json::array{json::object{{"operator", "Exists"}}};
  EXPECT_FALSE(nl::EvictionTime(forever, taints, T0()));
  EXPECT_FALSE(nl::EvictionTime(PodOn("p", "n1", std::nullopt), json::array{Taint("x", "NoSchedule")}, T0()));
}

TEST(NodeLifecycleLogic, HugeTolerationSecondsMeanFarInTheFutureWithoutOverflow) {
  json::array taints{Taint(nl::kTaintUnreachable, "NoExecute", T0())};
  auto at = nl::EvictionTime(PodOn("p", "n1", INT64_MAX), taints, T0());
  ASSERT_TRUE(at);
  EXPECT_GT(*at, T0() + std::chrono::hours(24 * 365 * 50));
  json::object huge_double = PodOn("p", "n1", 1);
  for (auto& t : huge_double["spec"].as_object()["tolerations"].as_array()) t.as_object()["tolerationSeconds"] = 1e300;
  at = nl::EvictionTime(huge_double, taints, T0());
  ASSERT_TRUE(at);
  EXPECT_GT(*at, T0() + std::chrono::hours(24 * 365 * 50));
}

TEST(NodeLifecycleLogic, NotReadyPodStatusFlipsReadyOnce) {
  json::object pod = PodOn("p", "n1", std::nullopt);
  auto st = nl::NotReadyPodStatus(pod, T0());
  ASSERT_TRUE(st);
  pod["status"] = *st;
  EXPECT_EQ(nl::StringAt(*nl::FindCondition(pod, "Ready"), "status"), "False");
  EXPECT_FALSE(nl::NotReadyPodStatus(pod, T0()));
}

// ---- controller against FakeClient ----

template <typename F>
bool WaitFor(F pred) {
  for (int i = 0; i < 400; ++i) {
    if (pred()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return false;
}

struct NodeLifecycleFixture : ::testing::Test {
  client::FakeClient fake;
  client::SharedInformerFactory factory{fake, client::InformerOptions{.poll_interval = 50ms}};
  client::EventRecorder events{fake, "node-controller"};
  NodeTestClock clock;
  NodeLifecycleController ctl{ControllerContext{fake, factory, events}, clock,
                              NodeLifecycleOptions{.grace_period = 1s, .startup_grace_period = 1s}};
  void SetUp() override {
    factory.Start();
    ASSERT_TRUE(factory.WaitForSync(5s));
  }
  // True when the informer's cache holds exactly what the fake holds.
  bool CacheMatches(const client::Resource& r, const std::string& ns) {
    auto& inf = factory.For(r, ns);
    auto l = fake.List(r, ns);
    if (!l.ok() || inf.Size() != l->items.size()) return false;
    for (const auto& item : l->items) {
      auto cached = inf.Get(client::KeyOf(item));
      if (!cached || nl::MetaString(*cached, "resourceVersion") != nl::MetaString(item, "resourceVersion"))
        return false;
    }
    return true;
  }
  // Reconciles once every informer cache shows the fake's current state.
  void Sync(const std::string& node) {
    ASSERT_TRUE(WaitFor([&] {
      return CacheMatches(client::kNodes, "") && CacheMatches(client::kPods, "") &&
             CacheMatches(client::kLeases, nl::kNodeLeaseNamespace);
    }));
    ASSERT_TRUE(ctl.Reconcile(node).ok());
  }
  json::object GetNode(const std::string& n) { return *fake.Get(client::kNodes, "", n); }
  bool PodExists(const std::string& name) { return fake.Get(client::kPods, "default", name).ok(); }
  std::set<std::string> TaintKeys(const std::string& n) {
    std::set<std::string> out;
    json::object node = GetNode(n);
    if (const json::object* spec = nl::ObjectAt(node, "spec"))
      if (const json::array* t = nl::ArrayAt(*spec, "taints"))
        for (const auto& v : *t)
          out.insert(nl::StringAt(v.as_object(), "key") + ":" + nl::StringAt(v.as_object(), "effect"));
    return out;
  }
  std::set<std::string> EventReasons() {
    events.Flush();
    std::set<std::string> out;
    auto evs = fake.List(client::kEvents, "");
    if (evs.ok())
      for (const auto& e : evs->items) out.insert(nl::StringAt(e, "reason") + ": " + nl::StringAt(e, "message"));
    return out;
  }
};

TEST_F(NodeLifecycleFixture, NodeWhoseLeaseStopsGoesUnknownTaintedAndItsPodsAreEvictedAfterTolerationSeconds) {
  ASSERT_TRUE(fake.Create(client::kNodes, "", ReadyNode("n1")).ok());
  ASSERT_TRUE(fake.Create(client::kLeases, nl::kNodeLeaseNamespace, NodeLease("n1", T0())).ok());
  ASSERT_TRUE(fake.Create(client::kPods, "default", PodOn("intolerant", "n1", std::nullopt)).ok());
  ASSERT_TRUE(fake.Create(client::kPods, "default", PodOn("patient", "n1", 30)).ok());
  Sync("n1");  // first sight: healthy
  EXPECT_EQ(nl::ReadyStatus(GetNode("n1")), "True");
  EXPECT_TRUE(TaintKeys("n1").empty());

  clock.Advance(2);  // the lease is not renewed past the 1 s grace period
  Sync("n1");
  json::object node = GetNode("n1");
  EXPECT_EQ(nl::ReadyStatus(node), "Unknown");
  EXPECT_EQ(nl::StringAt(*nl::FindCondition(node, "Ready"), "reason"), "NodeStatusUnknown");
  EXPECT_EQ(TaintKeys("n1"), (std::set<std::string>{std::string(nl::kTaintUnreachable) + ":NoSchedule",
                                                     std::string(nl::kTaintUnreachable) + ":NoExecute"}));
  EXPECT_FALSE(PodExists("intolerant"));  // no toleration: evicted at once
  ASSERT_TRUE(PodExists("patient"));
  auto patient = fake.Get(client::kPods, "default", "patient");
  EXPECT_EQ(nl::StringAt(*nl::FindCondition(*patient, "Ready"), "status"), "False");

  clock.Advance(20);
  Sync("n1");
  EXPECT_TRUE(PodExists("patient"));  // 22 s after timeAdded: still tolerated
  clock.Advance(10);
  Sync("n1");
  EXPECT_FALSE(PodExists("patient"));  // 32 s > tolerationSeconds 30

  auto reasons = EventReasons();
  EXPECT_TRUE(reasons.count("NodeNotReady: Node n1 status is now: NodeNotReady"));
  EXPECT_TRUE(reasons.count("TaintManagerEviction: Marking for deletion Pod default/intolerant"));
  EXPECT_TRUE(reasons.count("TaintManagerEviction: Marking for deletion Pod default/patient"));
}

TEST_F(NodeLifecycleFixture, NodeThatComesBackIsUntaintedAndTolerantPodsStay) {
  ASSERT_TRUE(fake.Create(client::kNodes, "", ReadyNode("n1")).ok());
  ASSERT_TRUE(fake.Create(client::kLeases, nl::kNodeLeaseNamespace, NodeLease("n1", T0())).ok());
  ASSERT_TRUE(fake.Create(client::kPods, "default", PodOn("patient", "n1", 300)).ok());
  Sync("n1");
  clock.Advance(5);
  Sync("n1");
  ASSERT_EQ(nl::ReadyStatus(GetNode("n1")), "Unknown");
  ASSERT_EQ(TaintKeys("n1").size(), 2u);

  // The kubelet posts Ready again and renews its lease.
  clock.Advance(1);
  json::object back = GetNode("n1");
  back["status"] = ReadyNode("n1").at("status");
  back["status"].as_object()["conditions"].as_array()[0].as_object()["lastHeartbeatTime"] =
      client::FormatTime(clock.Now());
  ASSERT_TRUE(fake.UpdateStatus(client::kNodes, "", "n1", back).ok());
  auto lease = fake.Get(client::kLeases, nl::kNodeLeaseNamespace, "n1");
  ASSERT_TRUE(lease.ok());
  json::object renewed = *lease;
  renewed["spec"].as_object()["renewTime"] = client::FormatMicroTime(clock.Now());
  ASSERT_TRUE(fake.Update(client::kLeases, nl::kNodeLeaseNamespace, "n1", renewed).ok());
  Sync("n1");
  EXPECT_EQ(nl::ReadyStatus(GetNode("n1")), "True");
  EXPECT_TRUE(TaintKeys("n1").empty());
  clock.Advance(400);  // past tolerationSeconds: nothing happens, the taint is gone
  json::object lease2 = *fake.Get(client::kLeases, nl::kNodeLeaseNamespace, "n1");
  lease2["spec"].as_object()["renewTime"] = client::FormatMicroTime(clock.Now());
  ASSERT_TRUE(fake.Update(client::kLeases, nl::kNodeLeaseNamespace, "n1", lease2).ok());
  Sync("n1");
  EXPECT_TRUE(PodExists("patient"));
  EXPECT_TRUE(TaintKeys("n1").empty());
}

TEST_F(NodeLifecycleFixture, NodeReportingNotReadyGetsNotReadyTaints) {
  ASSERT_TRUE(fake.Create(client::kNodes, "", ReadyNode("n2", "False")).ok());
  ASSERT_TRUE(fake.Create(client::kLeases, nl::kNodeLeaseNamespace, NodeLease("n2", T0())).ok());
  Sync("n2");
  EXPECT_EQ(TaintKeys("n2"), (std::set<std::string>{std::string(nl::kTaintNotReady) + ":NoSchedule",
                                                     std::string(nl::kTaintNotReady) + ":NoExecute"}));
  EXPECT_EQ(nl::ReadyStatus(GetNode("n2")), "False");  // the kubelet's word, not overwritten
}

}  // namespace
}  // namespace k1s::controllers
