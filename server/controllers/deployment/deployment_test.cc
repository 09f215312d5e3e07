#include "server/controllers/deployment/deployment.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <thread>

#include "lib/client/fake_client.h"
#include "server/controllers/deployment/deployment_logic.h"
#include "server/controllers/replicaset/replicaset.h"

namespace k1s::controllers {
namespace {

namespace json = boost::json;
using namespace deployment;  // NOLINT
using api::StrAt;
using replicaset::IntAt;

json::object Obj(std::string_view text) { return json::parse(text).as_object(); }
TimePoint At(std::string_view t) { return *replicaset::ParseTime(t); }

json::object Deploy(int replicas, std::string_view image = "nginx:1", std::string_view strategy =
                        R"({"type":"RollingUpdate","rollingUpdate":{"maxSurge":"25%","maxUnavailable":"25%"}})") {
  return Obj(R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"default",)"
             R"("uid":"d-uid","generation":1},"spec":{"replicas":)" + std::to_string(replicas) +
             R"(,"selector":{"matchLabels":{"app":"web"}},"strategy":)" + std::string(strategy) +
             R"(,"revisionHistoryLimit":10,"progressDeadlineSeconds":600,)"
             R"("template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"c","image":")" +
             std::string(image) + R"("}]}}}})");
}

// A ReplicaSet of d with the given sizes, revision and creation time.
json::object RsOf(const json::object& d, std::string_view hash, int64_t spec, int64_t available, int64_t revision,
                  std::string_view created) {
  json::object rs = NewReplicaSet(d, std::string(hash), revision, spec);
  auto& meta = rs["metadata"].as_object();
  meta["creationTimestamp"] = std::string(created);
  meta["uid"] = "uid-" + std::string(hash);
  rs["status"] = json::object{{"replicas", spec}, {"readyReplicas", available}, {"availableReplicas", available}};
  return rs;
}

TEST(DeploymentLogic, ScaledValueRoundsSurgeUpAndUnavailableDown) {
  EXPECT_EQ(*ScaledValue(json::value("25%"), 10, true), 3);
  EXPECT_EQ(*ScaledValue(json::value("25%"), 10, false), 2);
  EXPECT_EQ(*ScaledValue(json::value(2), 10, false), 2);
  EXPECT_FALSE(ScaledValue(json::value("25"), 10, true).ok());
}

TEST(DeploymentLogic, FencepostsAreNeverBothZero) {
  json::object d = Deploy(1, "x", R"({"type":"RollingUpdate","rollingUpdate":{"maxSurge":"10%","maxUnavailable":"10%"}})");
  auto f = ResolveFenceposts(d);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->max_surge, 1);  // 0.1 rounds up
  EXPECT_EQ(f->max_unavailable, 0);
  json::object zero = Deploy(3, "x", R"({"type":"RollingUpdate","rollingUpdate":{"maxSurge":0,"maxUnavailable":0}})");
  EXPECT_EQ(ResolveFenceposts(zero)->max_unavailable, 1);
  EXPECT_EQ(MaxSurge(Deploy(3, "x", R"({"type":"Recreate"})")), 0);
  EXPECT_EQ(MaxUnavailable(Deploy(2, "x", R"({"type":"RollingUpdate","rollingUpdate":{"maxUnavailable":5}})")), 2);
}

TEST(DeploymentLogic, TemplateHashIsStableAndFollowsTheTemplateAndCollisionCount) {
  json::object a = *api::ObjAt(Deploy(3, "nginx:1"), {"spec", "template"});
  json::object reordered = Obj(R"({"spec":{"containers":[{"image":"nginx:1","name":"c"}]},"metadata":{"labels":{"app":"web"}}})");
  EXPECT_EQ(ComputePodTemplateHash(a, std::nullopt), ComputePodTemplateHash(reordered, std::nullopt));
  EXPECT_NE(ComputePodTemplateHash(a, std::nullopt),
            ComputePodTemplateHash(*api::ObjAt(Deploy(3, "nginx:2"), {"spec", "template"}), std::nullopt));
  EXPECT_NE(ComputePodTemplateHash(a, std::nullopt), ComputePodTemplateHash(a, 1));
  for (char c : ComputePodTemplateHash(a, std::nullopt)) {
    EXPECT_NE(std::string_view("bcdfghjklmnpqrstvwxz2456789").find(c), std::string_view::npos);
  }
}

TEST(DeploymentLogic, NewReplicaSetCarriesTheHashOnSelectorTemplateAndLabels) {
  json::object d = Deploy(3);
  json::object rs = NewReplicaSet(d, "abc12", 4, 1);
  EXPECT_EQ(StrAt(rs, {"metadata", "name"}), "web-abc12");
  EXPECT_EQ(StrAt(rs, {"metadata", "labels", kPodTemplateHashLabel}), "abc12");
  EXPECT_EQ(StrAt(rs, {"spec", "selector", "matchLabels", kPodTemplateHashLabel}), "abc12");
  EXPECT_EQ(StrAt(rs, {"spec", "template", "metadata", "labels", kPodTemplateHashLabel}), "abc12");
  EXPECT_EQ(StrAt(rs, {"metadata", "annotations", kRevisionAnnotation}), "4");
  EXPECT_EQ(StrAt(rs, {"metadata", "annotations", kDesiredReplicasAnnotation}), "3");
  EXPECT_EQ(StrAt(rs, {"metadata", "annotations", kMaxReplicasAnnotation}), "4");
  EXPECT_EQ(replicaset::ControllerRefOf(rs)->uid, "d-uid");
  EXPECT_TRUE(EqualIgnoreHash(*api::ObjAt(rs, {"spec", "template"}), *api::ObjAt(d, {"spec", "template"})));
}

TEST(DeploymentLogic, ReusedReplicaSetGetsTheNewRevisionAndRemembersTheOldOne) {
  json::object d = Deploy(3);
  json::object rs = NewReplicaSet(d, "abc12", 1, 0);
  EXPECT_TRUE(SetNewReplicaSetAnnotations(d, rs, 3, true));
  EXPECT_EQ(Revision(rs), 3);
  EXPECT_EQ(StrAt(rs, {"metadata", "annotations", kRevisionHistoryAnnotation}), "1");
  EXPECT_FALSE(SetNewReplicaSetAnnotations(d, rs, 3, true));
}

TEST(DeploymentLogic, FindNewReplicaSetIgnoresTheHashLabel) {
  json::object d = Deploy(3, "nginx:2");
  json::object old = RsOf(Deploy(3, "nginx:1"), "aaaa", 3, 3, 1, "2026-01-01T00:00:00Z");
  json::object cur = RsOf(d, "bbbb", 0, 0, 2, "2026-01-02T00:00:00Z");
  RsList all = {&old, &cur};
  EXPECT_EQ(FindNewReplicaSet(d, all), &cur);
  EXPECT_EQ(FindNewReplicaSet(Deploy(3, "nginx:3"), all), nullptr);
}

TEST(DeploymentLogic, NewReplicaSetGrowsOnlyWithinMaxSurge) {
  json::object d = Deploy(4);  // surge 1, unavailable 1
  json::object old = RsOf(Deploy(4, "nginx:0"), "aaaa", 4, 4, 1, "2026-01-01T00:00:00Z");
  json::object cur = RsOf(d, "bbbb", 0, 0, 2, "2026-01-02T00:00:00Z");
  EXPECT_EQ(NewRsNewReplicas(d, {&old, &cur}, &cur), 1);
  old["spec"].as_object()["replicas"] = 3;
  cur["spec"].as_object()["replicas"] = 1;
  EXPECT_EQ(NewRsNewReplicas(d, {&old, &cur}, &cur), 2);
  EXPECT_EQ(NewRsNewReplicas(Deploy(4, "x", R"({"type":"Recreate"})"), {&cur}, &cur), 4);
}

TEST(DeploymentLogic, OldReplicaSetsScaleDownKeepingMinimumAvailability) {
  json::object d = Deploy(4);  // min available 3
  json::object old = RsOf(Deploy(4, "nginx:0"), "aaaa", 4, 4, 1, "2026-01-01T00:00:00Z");
  json::object cur = RsOf(d, "bbbb", 1, 0, 2, "2026-01-02T00:00:00Z");
  auto plan = PlanOldScaleDown(d, &cur, {&old});
  ASSERT_EQ(plan.size(), 1u);
  EXPECT_EQ(plan[0].replicas, 3);
  // Once the new pod is available, one more may go.
  old = RsOf(Deploy(4, "nginx:0"), "aaaa", 3, 3, 1, "2026-01-01T00:00:00Z");
  cur = RsOf(d, "bbbb", 2, 1, 2, "2026-01-02T00:00:00Z");
  plan = PlanOldScaleDown(d, &cur, {&old});
  ASSERT_EQ(plan.size(), 1u);
  EXPECT_EQ(plan[0].replicas, 2);
}

TEST(DeploymentLogic, UnhealthyOldReplicasAreRemovedFirst) {
  json::object d = Deploy(4);
  json::object old = RsOf(Deploy(4, "nginx:0"), "aaaa", 4, 1, 1, "2026-01-01T00:00:00Z");  // 3 unavailable
  json::object cur = RsOf(d, "bbbb", 1, 1, 2, "2026-01-02T00:00:00Z");
  auto plan = PlanOldScaleDown(d, &cur, {&old});
  ASSERT_EQ(plan.size(), 1u);
  EXPECT_EQ(plan[0].replicas, 2);  // 5 - 3 allowed down, all of it unhealthy
}

TEST(DeploymentLogic, ScalingMidRolloutIsProportional) {
  json::object d = Deploy(10, "nginx:2", R"({"type":"RollingUpdate","rollingUpdate":{"maxSurge":3,"maxUnavailable":2}})");
  json::object before = Deploy(5, "nginx:2", R"({"type":"RollingUpdate","rollingUpdate":{"maxSurge":3,"maxUnavailable":2}})");
  json::object old = RsOf(before, "aaaa", 4, 4, 1, "2026-01-01T00:00:00Z");   // max-replicas 8
  json::object cur = RsOf(before, "bbbb", 4, 0, 2, "2026-01-02T00:00:00Z");
  EXPECT_TRUE(IsScalingEvent(d, {&old, &cur}));
  auto plan = PlanScale(d, &cur, {&old});
  int64_t total = 0;
  for (const auto& a : plan) total += a.replicas;
  EXPECT_EQ(total, 13);  // 10 + maxSurge
  ASSERT_EQ(plan.size(), 2u);
  EXPECT_EQ(plan[0].replicas + plan[1].replicas, 13);
  EXPECT_GE(plan[0].replicas, 6);
  EXPECT_GE(plan[1].replicas, 6);
}

TEST(DeploymentLogic, HistoryBeyondTheLimitIsCleanedOldestRevisionFirst) {
  json::object d = Deploy(1);
  d["spec"].as_object()["revisionHistoryLimit"] = 1;
  json::object r1 = RsOf(d, "r1", 0, 0, 1, "2026-01-01T00:00:00Z");
  json::object r2 = RsOf(d, "r2", 0, 0, 2, "2026-01-02T00:00:00Z");
  json::object r3 = RsOf(d, "r3", 1, 1, 3, "2026-01-03T00:00:00Z");
  auto gone = ReplicaSetsToCleanUp(d, {&r3, &r2, &r1});
  ASSERT_EQ(gone.size(), 2u);  // two beyond the limit: r1 and r2; r3 has replicas but counts
  EXPECT_EQ(gone[0], &r1);
  EXPECT_EQ(gone[1], &r2);
  r2["spec"].as_object()["replicas"] = 1;
  EXPECT_EQ(ReplicaSetsToCleanUp(d, {&r3, &r2, &r1}).size(), 1u);
}

TEST(DeploymentLogic, StatusReportsAvailabilityAgainstMaxUnavailable) {
  json::object d = Deploy(4);
  json::object cur = RsOf(d, "bbbb", 4, 3, 1, "2026-01-02T00:00:00Z");
  json::object st = CalculateStatus(d, {&cur}, &cur, At("2026-01-02T00:00:00Z"));
  EXPECT_EQ(IntAt(st, {"replicas"}), 4);
  EXPECT_EQ(IntAt(st, {"updatedReplicas"}), 4);
  EXPECT_EQ(IntAt(st, {"availableReplicas"}), 3);
  EXPECT_EQ(IntAt(st, {"unavailableReplicas"}), 1);
  EXPECT_EQ(StrAt(*api::ConditionAt(st, kAvailable), {"reason"}), kMinimumReplicasAvailable);
  cur = RsOf(d, "bbbb", 4, 2, 1, "2026-01-02T00:00:00Z");
  st = CalculateStatus(d, {&cur}, &cur, At("2026-01-02T00:00:00Z"));
  EXPECT_EQ(StrAt(*api::ConditionAt(st, kAvailable), {"status"}), "False");
}

TEST(DeploymentLogic, ProgressingConditionCompletesOrTimesOut) {
  json::object d = Deploy(2);
  d["status"] = Obj(R"({"observedGeneration":1,"replicas":2,"updatedReplicas":2,"conditions":[)"
                    R"({"type":"Progressing","status":"True","reason":"ReplicaSetUpdated","message":"x",)"
                    R"("lastUpdateTime":"2026-01-01T00:00:00Z","lastTransitionTime":"2026-01-01T00:00:00Z"}]})");
  json::object stuck = RsOf(d, "bbbb", 2, 0, 1, "2026-01-01T00:00:00Z");
  json::object st = RolloutStatus(d, {&stuck}, &stuck, At("2026-01-01T00:05:00Z"));
  EXPECT_EQ(StrAt(*api::ConditionAt(st, kProgressing), {"reason"}), kReplicaSetUpdated);
  auto after = RequeueStuckAfter(d, st, At("2026-01-01T00:05:00Z"));
  ASSERT_TRUE(after);
  EXPECT_EQ(after->count(), 301000);
  st = RolloutStatus(d, {&stuck}, &stuck, At("2026-01-01T00:10:01Z"));
  EXPECT_EQ(StrAt(*api::ConditionAt(st, kProgressing), {"reason"}), kProgressDeadlineExceeded);
  EXPECT_EQ(StrAt(*api::ConditionAt(st, kProgressing), {"message"}), "ReplicaSet \"web-bbbb\" has timed out progressing.");
  json::object done = RsOf(d, "bbbb", 2, 2, 1, "2026-01-01T00:00:00Z");
  st = RolloutStatus(d, {&done}, &done, At("2026-01-01T00:10:01Z"));
  EXPECT_EQ(StrAt(*api::ConditionAt(st, kProgressing), {"reason"}), kNewReplicaSetAvailable);
  EXPECT_EQ(StrAt(*api::ConditionAt(st, kProgressing), {"lastTransitionTime"}), "2026-01-01T00:00:00Z");
}

TEST(DeploymentLogic, RecreateWaitsForOldPodsToTerminate) {
  json::object old = RsOf(Deploy(1), "aaaa", 0, 0, 1, "2026-01-01T00:00:00Z");
  old["status"].as_object()["replicas"] = 0;
  json::object running = Obj(R"({"status":{"phase":"Running"}})");
  json::object done = Obj(R"({"status":{"phase":"Succeeded"}})");
  EXPECT_TRUE(OldPodsRunning({&old}, {&running}));
  EXPECT_FALSE(OldPodsRunning({&old}, {&done}));
}

// ---- Both controllers against FakeClient, with the test as the kubelet ----

class DeploymentControllerTest : public ::testing::Test {
 protected:
  DeploymentControllerTest()
      : informers_(fake_, client::InformerOptions{.poll_interval = std::chrono::milliseconds(50)}),
        events_(fake_, "deployment-controller"),
        rs_controller_(ControllerContext{fake_, informers_, events_}),
        controller_(ControllerContext{fake_, informers_, events_}) {}
  ~DeploymentControllerTest() override {
    controller_.Stop();
    rs_controller_.Stop();
    informers_.Stop();
  }
  void StartAll() {
    informers_.Start();
    ASSERT_TRUE(informers_.WaitForSync(std::chrono::seconds(5)));
    rs_controller_.Start(1);
    controller_.Start(1);
  }
  // Plays the kubelet: marks every pod ready, until pred holds.
  template <typename Pred>
  bool Eventually(Pred pred, bool make_ready = true, std::chrono::milliseconds timeout = std::chrono::milliseconds(10000)) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (make_ready) MarkAllReady();
      if (pred()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return pred();
  }
  void MarkAllReady() {
    auto pods = fake_.List(client::kPods, "default")->items;
    for (auto& p : pods) {
      if (replicaset::IsPodReady(p)) continue;
      p["status"] = Obj(R"({"phase":"Running","conditions":[{"type":"Ready","status":"True","lastTransitionTime":")" +
                        client::FormatTime(std::chrono::system_clock::now()) + R"("}]})");
      (void)fake_.UpdateStatus(client::kPods, "default", StrAt(p, {"metadata", "name"}), p);
    }
  }
  json::object Get() { return *fake_.Get(client::kDeployments, "default", "web"); }
  std::vector<json::object> ReplicaSets() { return fake_.List(client::kReplicaSets, "default")->items; }
  bool RolledOut() {
    json::object d = Get();
    const json::object* st = api::ObjAt(d, {"status"});
    if (!st) return false;
    const json::object* c = api::ConditionAt(*st, kProgressing);
    return IntAt(d, {"status", "observedGeneration"}) >= IntAt(d, {"metadata", "generation"}) &&
           IntAt(d, {"status", "updatedReplicas"}) == DesiredReplicas(d) &&
           IntAt(d, {"status", "replicas"}) == DesiredReplicas(d) &&
           IntAt(d, {"status", "availableReplicas"}) == DesiredReplicas(d) && c &&
           StrAt(*c, {"reason"}) == kNewReplicaSetAvailable;
  }
  void SetImage(std::string_view image) {
    json::object d = Get();
    d["spec"].as_object()["template"].as_object()["spec"].as_object()["containers"].as_array()[0].as_object()["image"] =
        std::string(image);
    ASSERT_TRUE(fake_.Update(client::kDeployments, "default", "web", d).ok());
  }
  std::string Dump() {
    std::string out = json::serialize(Get());
    for (const auto& rs : ReplicaSets()) out += "\n" + json::serialize(rs);
    int n = 0;
    for (const auto& a : fake_.Actions()) {
      if (a.resource == "replicasets" && a.verb != "list" && a.verb != "watch" && n++ < 40) out += "\n" + a.verb + " " + a.name + " " + a.subresource;
    }
    return out;
  }
  std::vector<std::string> EventMessages() {
    events_.Flush();
    std::vector<std::string> out;
    auto events = fake_.List(client::kEvents, "default")->items;
    for (const auto& e : events) out.push_back(StrAt(e, {"message"}));
    return out;
  }

  client::FakeClient fake_;
  client::SharedInformerFactory informers_;
  client::EventRecorder events_;
  ReplicaSetController rs_controller_;
  DeploymentController controller_;
};

TEST_F(DeploymentControllerTest, RollingUpdateCompletesAndRollbackReusesTheOldReplicaSet) {
  json::object d = Deploy(3);
  d["metadata"].as_object().erase("uid");
  ASSERT_TRUE(fake_.Create(client::kDeployments, "default", d).ok());
  StartAll();
  ASSERT_TRUE(Eventually([&] { return RolledOut(); })) << Dump();
  ASSERT_EQ(ReplicaSets().size(), 1u);
  json::object first = ReplicaSets()[0];
  EXPECT_EQ(StrAt(first, {"metadata", "annotations", kRevisionAnnotation}), "1");
  EXPECT_EQ(StrAt(Get(), {"metadata", "annotations", kRevisionAnnotation}), "1");
  std::string hash = StrAt(first, {"metadata", "labels", kPodTemplateHashLabel});
  EXPECT_EQ(StrAt(first, {"metadata", "name"}), "web-" + hash);
  auto msgs = EventMessages();
  EXPECT_NE(std::find(msgs.begin(), msgs.end(), "Scaled up replica set web-" + hash + " from 0 to 3"), msgs.end());

  SetImage("nginx:2");
  ASSERT_TRUE(Eventually([&] { return ReplicaSets().size() == 2 && RolledOut(); })) << Dump();
  for (const auto& rs : ReplicaSets()) {
    if (StrAt(rs, {"metadata", "name"}) == "web-" + hash) {
      EXPECT_EQ(IntAt(rs, {"spec", "replicas"}), 0);
    } else {
      EXPECT_EQ(IntAt(rs, {"spec", "replicas"}), 3);
      EXPECT_EQ(StrAt(rs, {"metadata", "annotations", kRevisionAnnotation}), "2");
    }
  }
  EXPECT_EQ(fake_.List(client::kPods, "default")->items.size(), 3u);

  // kubectl rollout undo: the old template comes back; the old ReplicaSet is reused with revision 3.
  SetImage("nginx:1");
  ASSERT_TRUE(Eventually([&] {
    auto r = fake_.Get(client::kReplicaSets, "default", "web-" + hash);
    return RolledOut() && r.ok() && IntAt(*r, {"spec", "replicas"}) == 3 &&
           StrAt(*r, {"metadata", "annotations", kRevisionAnnotation}) == "3";
  }));
  EXPECT_EQ(ReplicaSets().size(), 2u);
  EXPECT_EQ(StrAt(Get(), {"metadata", "annotations", kRevisionAnnotation}), "3");
}

TEST_F(DeploymentControllerTest, RecreateScalesTheOldReplicaSetToZeroBeforeTheNewOneGrows) {
  json::object d = Deploy(2, "nginx:1", R"({"type":"Recreate"})");
  d["metadata"].as_object().erase("uid");
  ASSERT_TRUE(fake_.Create(client::kDeployments, "default", d).ok());
  StartAll();
  ASSERT_TRUE(Eventually([&] { return RolledOut(); }));
  SetImage("nginx:2");
  bool overlap = false;
  ASSERT_TRUE(Eventually([&] {
    int active = 0;
    for (const auto& rs : ReplicaSets()) active += IntAt(rs, {"spec", "replicas"}) > 0;
    overlap = overlap || active > 1;
    return ReplicaSets().size() == 2 && RolledOut();
  }));
  EXPECT_FALSE(overlap);
}

TEST_F(DeploymentControllerTest, PausedDeploymentScalesButDoesNotRollOut) {
  json::object d = Deploy(2);
  d["metadata"].as_object().erase("uid");
  ASSERT_TRUE(fake_.Create(client::kDeployments, "default", d).ok());
  StartAll();
  ASSERT_TRUE(Eventually([&] { return RolledOut(); }));
  json::object cur = Get();
  cur["spec"].as_object()["paused"] = true;
  ASSERT_TRUE(fake_.Update(client::kDeployments, "default", "web", cur).ok());
  ASSERT_TRUE(Eventually([&] {
    json::object dep = Get();
    const json::object* st = api::ObjAt(dep, {"status"});
    const json::object* c = st ? api::ConditionAt(*st, kProgressing) : nullptr;
    return c && StrAt(*c, {"reason"}) == kDeploymentPaused;
  }));
  SetImage("nginx:2");
  cur = Get();
  cur["spec"].as_object()["replicas"] = 4;
  ASSERT_TRUE(fake_.Update(client::kDeployments, "default", "web", cur).ok());
  ASSERT_TRUE(Eventually([&] { return fake_.List(client::kPods, "default")->items.size() == 4; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(ReplicaSets().size(), 1u);  // no new ReplicaSet while paused
  EXPECT_EQ(IntAt(ReplicaSets()[0], {"spec", "replicas"}), 4);
}

}  // namespace
}  // namespace k1s::controllers
