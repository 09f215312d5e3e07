#include "server/controllers/replicaset/replicaset.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <thread>

#include "lib/client/fake_client.h"
#include "server/controllers/replicaset/replicaset_logic.h"
#include "tests/testutil/eventually.h"

namespace k1s::controllers {
namespace {

namespace json = boost::json;
using namespace replicaset;  // NOLINT
using api::ObjAt;
using api::StrAt;
using std::chrono::seconds;
using testutil::Eventually;

json::object Obj(std::string_view text) { return json::parse(text).as_object(); }

json::object Rs(int replicas, std::string_view extra_spec = "") {
  return Obj(R"({"apiVersion":"apps/v1","kind":"ReplicaSet","metadata":{"name":"web","namespace":"default",)"
             R"("uid":"rs-uid","generation":2},"spec":{"replicas":)" +
             std::to_string(replicas) + std::string(extra_spec) +
             R"(,"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web","tier":"fe"}},)"
             R"("spec":{"containers":[{"name":"c","image":"nginx"}]}}}})");
}

json::object Pod(std::string_view name, std::string_view labels, std::string_view owner_uid = "",
                 std::string_view status = "{}", std::string_view node = "", std::string_view created = "") {
  std::string refs = owner_uid.empty() ? "" :
      R"(,"ownerReferences":[{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"web","uid":")" +
      std::string(owner_uid) + R"(","controller":true}])";
  std::string ts = created.empty() ? "" : R"(,"creationTimestamp":")" + std::string(created) + "\"";
  return Obj(R"({"metadata":{"name":")" + std::string(name) + R"(","namespace":"default","uid":"u-)" +
             std::string(name) + R"(","labels":)" + std::string(labels) + refs + ts + R"(},"spec":{"nodeName":")" +
             std::string(node) + R"("},"status":)" + std::string(status) + "}");
}

const char* kReady = R"({"phase":"Running","conditions":[{"type":"Ready","status":"True","lastTransitionTime":"2026-01-01T00:00:00Z"}]})";
const char* kRunningNotReady = R"({"phase":"Running","conditions":[{"type":"Ready","status":"False"}]})";
const char* kPending = R"({"phase":"Pending"})";

TimePoint At(std::string_view t) { return *ParseTime(t); }

std::vector<const json::object*> Ptrs(const std::vector<json::object>& v) {
  std::vector<const json::object*> out;
  for (const auto& o : v) out.push_back(&o);
  return out;
}

TEST(ReplicaSetLogic, SelectorMatchesLabelsAndExpressions) {
  json::object sel = Obj(R"({"matchLabels":{"app":"web"},"matchExpressions":[)"
                         R"({"key":"tier","operator":"In","values":["fe","be"]},)"
                         R"({"key":"canary","operator":"DoesNotExist"}]})");
  EXPECT_TRUE(SelectorMatches(sel, {{"app", "web"}, {"tier", "fe"}}));
  EXPECT_FALSE(SelectorMatches(sel, {{"app", "web"}, {"tier", "db"}}));
  EXPECT_FALSE(SelectorMatches(sel, {{"app", "web"}, {"tier", "fe"}, {"canary", "1"}}));
  EXPECT_FALSE(SelectorMatches(sel, {{"tier", "fe"}}));
  EXPECT_TRUE(SelectorMatches(Obj("{}"), {{"x", "y"}}));
  EXPECT_TRUE(SelectorIsEmpty(Obj(R"({"matchLabels":{}})")));
  EXPECT_FALSE(SelectorMatches(Obj(R"({"matchExpressions":[{"key":"a","operator":"Bogus"}]})"), {{"a", "b"}}));
}

TEST(ReplicaSetLogic, PlanClaimsAdoptsMatchingOrphansAndReleasesOwnedPodsThatStopMatching) {
  json::object rs = Rs(3);
  std::vector<json::object> pods = {
      Pod("owned", R"({"app":"web"})", "rs-uid"),
      Pod("orphan", R"({"app":"web"})"),
      Pod("relabeled", R"({"app":"other"})", "rs-uid"),
      Pod("foreign", R"({"app":"web"})", "other-uid"),
      Pod("unrelated", R"({"app":"db"})"),
  };
  ClaimPlan plan = PlanClaims(rs, *ObjAt(rs, {"spec", "selector"}), Ptrs(pods));
  EXPECT_EQ(plan.owned, std::vector<size_t>({0}));
  EXPECT_EQ(plan.adopt, std::vector<size_t>({1}));
  EXPECT_EQ(plan.release, std::vector<size_t>({2}));
}

TEST(ReplicaSetLogic, OwnerBeingDeletedNeitherAdoptsNorReleases) {
  json::object rs = Rs(3);
  rs["metadata"].as_object()["deletionTimestamp"] = "2026-01-01T00:00:00Z";
  std::vector<json::object> pods = {Pod("orphan", R"({"app":"web"})"), Pod("relabeled", R"({"app":"x"})", "rs-uid")};
  ClaimPlan plan = PlanClaims(rs, *ObjAt(rs, {"spec", "selector"}), Ptrs(pods));
  EXPECT_TRUE(plan.adopt.empty());
  EXPECT_TRUE(plan.release.empty());
}

TEST(ReplicaSetLogic, PodFromTemplateHasGenerateNameTemplateLabelsAndControllerRef) {
  json::object pod = PodFromTemplate(Rs(1));
  EXPECT_EQ(StrAt(pod, {"metadata", "generateName"}), "web-");
  EXPECT_EQ(StrAt(pod, {"metadata", "namespace"}), "default");
  EXPECT_EQ(StrAt(pod, {"metadata", "labels", "tier"}), "fe");
  auto ref = ControllerRefOf(pod);
  ASSERT_TRUE(ref);
  EXPECT_EQ(ref->uid, "rs-uid");
  EXPECT_EQ(ref->kind, "ReplicaSet");
  EXPECT_TRUE(pod["metadata"].at("ownerReferences").at(0).at("blockOwnerDeletion").as_bool());
  EXPECT_EQ(StrAt(pod, {"spec", "containers"}), "");
  EXPECT_EQ(pod.at("spec").at("containers").at(0).at("image").as_string(), "nginx");
}

TEST(ReplicaSetLogic, PodsToDeletePrefersUnscheduledThenPendingThenNotReadyThenReady) {
  std::vector<json::object> pods = {
      Pod("ready", "{}", "", kReady, "n1"),
      Pod("notready", "{}", "", kRunningNotReady, "n1"),
      Pod("pending", "{}", "", kPending, "n1"),
      Pod("unscheduled", "{}", "", kPending, ""),
  };
  auto p = Ptrs(pods);
  EXPECT_EQ(PodsToDelete(p, p, 3), std::vector<size_t>({3, 2, 1}));
  EXPECT_EQ(PodsToDelete(p, p, 1), std::vector<size_t>({3}));
}

TEST(ReplicaSetLogic, PodsToDeletePrefersNewerPodsAmongEquals) {
  std::vector<json::object> pods = {
      Pod("old", "{}", "", kPending, "n1", "2026-01-01T00:00:00Z"),
      Pod("new", "{}", "", kPending, "n1", "2026-01-02T00:00:00Z"),
  };
  auto p = Ptrs(pods);
  EXPECT_EQ(PodsToDelete(p, p, 1), std::vector<size_t>({1}));
}

TEST(ReplicaSetLogic, PodsToDeletePrefersPodsDoubledUpOnANode) {
  std::vector<json::object> pods = {Pod("alone", "{}", "", kReady, "n1"), Pod("crowded", "{}", "", kReady, "n2")};
  std::vector<json::object> sibling = {Pod("s1", "{}", "", kReady, "n2")};
  auto p = Ptrs(pods);
  auto related = p;
  related.push_back(&sibling[0]);
  EXPECT_EQ(PodsToDelete(p, related, 1), std::vector<size_t>({1}));
}

TEST(ReplicaSetLogic, PodsToDeleteHonoursPodDeletionCost) {
  std::vector<json::object> pods = {Pod("cheap", "{}", "", kReady, "n1"), Pod("dear", "{}", "", kReady, "n1")};
  pods[0]["metadata"].as_object()["annotations"] = Obj(R"({"controller.kubernetes.io/pod-deletion-cost":"100"})");
  auto p = Ptrs(pods);
  EXPECT_EQ(PodsToDelete(p, p, 1), std::vector<size_t>({1}));
}

TEST(ReplicaSetLogic, SlowStartBatchGrowsOneTwoFourAndStopsAfterAFailingBatch) {
  int calls = 0;
  std::optional<Error> err;
  EXPECT_EQ(SlowStartBatch(10, 1, [&] { ++calls; return OkStatus(); }, &err), 10);
  EXPECT_EQ(calls, 10);
  EXPECT_FALSE(err);
  calls = 0;
  // Batches 1, 2, 4: the 5th call fails, so the batch of 4 finishes and nothing more is tried.
  int ok = SlowStartBatch(10, 1, [&]() -> Status {
    ++calls;
    if (calls == 5) return Fail(ErrorCode::kForbidden, "quota");
    return OkStatus();
  }, &err);
  EXPECT_EQ(calls, 7);
  EXPECT_EQ(ok, 6);
  ASSERT_TRUE(err);
  EXPECT_EQ(err->message, "quota");
}

TEST(ReplicaSetLogic, StatusCountsReplicasFullyLabeledReadyAndAvailable) {
  json::object rs = Rs(3);
  std::vector<json::object> pods = {
      Pod("a", R"({"app":"web","tier":"fe"})", "rs-uid", kReady),
      Pod("b", R"({"app":"web"})", "rs-uid", kReady),
      Pod("c", R"({"app":"web","tier":"fe"})", "rs-uid", kPending),
  };
  json::object st = ComputeReplicaSetStatus(rs, Ptrs(pods), std::nullopt, false, At("2026-01-02T00:00:00Z"));
  EXPECT_EQ(IntAt(st, {"replicas"}), 3);
  EXPECT_EQ(IntAt(st, {"fullyLabeledReplicas"}), 2);
  EXPECT_EQ(IntAt(st, {"readyReplicas"}), 2);
  EXPECT_EQ(IntAt(st, {"availableReplicas"}), 2);
  EXPECT_EQ(IntAt(st, {"observedGeneration"}), 2);
}

TEST(ReplicaSetLogic, AvailabilityWaitsForMinReadySeconds) {
  json::object pod = Pod("a", "{}", "", kReady);
  EXPECT_TRUE(IsPodAvailable(pod, 0, At("2026-01-01T00:00:00Z")));
  EXPECT_FALSE(IsPodAvailable(pod, 10, At("2026-01-01T00:00:05Z")));
  EXPECT_TRUE(IsPodAvailable(pod, 10, At("2026-01-01T00:00:11Z")));
  EXPECT_FALSE(IsPodAvailable(Pod("b", "{}", "", kRunningNotReady), 0, At("2026-01-01T00:00:00Z")));
}

TEST(ReplicaSetLogic, ReplicaFailureConditionIsSetOnErrorAndClearedAfter) {
  json::object rs = Rs(1);
  json::object st = ComputeReplicaSetStatus(rs, {}, Error{ErrorCode::kForbidden, "exceeded quota"}, true,
                                            At("2026-01-01T00:00:00Z"));
  ASSERT_TRUE(st.contains("conditions"));
  EXPECT_EQ(StrAt(st.at("conditions").at(0).as_object(), {"reason"}), "FailedCreate");
  EXPECT_EQ(StrAt(st.at("conditions").at(0).as_object(), {"message"}), "exceeded quota");
  rs["status"] = st;
  json::object cleared = ComputeReplicaSetStatus(rs, {}, std::nullopt, false, At("2026-01-01T00:00:00Z"));
  EXPECT_FALSE(cleared.contains("conditions"));
  EXPECT_TRUE(StatusChanged(rs, cleared));
  rs["status"] = cleared;
  EXPECT_FALSE(StatusChanged(rs, ComputeReplicaSetStatus(rs, {}, std::nullopt, false, At("2026-01-01T00:00:00Z"))));
}

TEST(ReplicaSetLogic, ExpectationsHoldUntilCreatesAndDeletesAreObservedOrExpire) {
  ControllerExpectations exp(std::chrono::minutes(5));
  auto t0 = std::chrono::steady_clock::time_point{} + std::chrono::hours(1);
  EXPECT_TRUE(exp.Satisfied("default/web", t0));
  exp.Expect("default/web", 2, {"default/p1"}, t0);
  EXPECT_FALSE(exp.Satisfied("default/web", t0));
  exp.CreationObserved("default/web");
  exp.CreationObserved("default/web");
  EXPECT_FALSE(exp.Satisfied("default/web", t0));
  exp.DeletionObserved("default/web", "default/p1");
  exp.DeletionObserved("default/web", "default/p1");  // seen twice counts once
  EXPECT_TRUE(exp.Satisfied("default/web", t0));
  exp.Expect("default/web", 1, {}, t0);
  EXPECT_FALSE(exp.Satisfied("default/web", t0 + std::chrono::minutes(4)));
  EXPECT_TRUE(exp.Satisfied("default/web", t0 + std::chrono::minutes(6)));
}

// ---- The controller against FakeClient ----

class ReplicaSetControllerTest : public ::testing::Test {
 protected:
  ReplicaSetControllerTest()
      : informers_(fake_, client::InformerOptions{.poll_interval = std::chrono::milliseconds(50)}),
        events_(fake_, "replicaset-controller"),
        controller_(ControllerContext{fake_, informers_, events_}) {}
  ~ReplicaSetControllerTest() override {
    controller_.Stop();
    informers_.Stop();
  }
  void StartAll() {
    informers_.Start();
    ASSERT_TRUE(informers_.WaitForSync(seconds(5)));
    controller_.Start(1);
  }
  std::vector<json::object> Pods() { return fake_.List(client::kPods, "default")->items; }
  json::object GetRs() { return *fake_.Get(client::kReplicaSets, "default", "web"); }
  std::vector<std::string> EventMessages() {
    events_.Flush();
    std::vector<std::string> out;
    auto events = fake_.List(client::kEvents, "default")->items;
    for (const auto& e : events) out.push_back(StrAt(e, {"message"}));
    return out;
  }
  void MarkAllReady() {
    for (auto& p : Pods()) {
      if (IsPodReady(p)) continue;
      p["status"] = Obj(R"({"phase":"Running","conditions":[{"type":"Ready","status":"True","lastTransitionTime":")" +
                        client::FormatTime(std::chrono::system_clock::now()) + R"("}]})");
      (void)fake_.UpdateStatus(client::kPods, "default", StrAt(p, {"metadata", "name"}), p);
    }
  }

  client::FakeClient fake_;
  client::SharedInformerFactory informers_;
  client::EventRecorder events_;
  ReplicaSetController controller_;
};

TEST_F(ReplicaSetControllerTest, CreatesPodsUpToReplicasAndRecordsEvents) {
  json::object rs = Rs(3);
  rs["metadata"].as_object().erase("uid");
  ASSERT_TRUE(fake_.Create(client::kReplicaSets, "default", rs).ok());
  StartAll();
  ASSERT_TRUE(Eventually([&] { return Pods().size() == 3 && IntAt(GetRs(), {"status", "replicas"}) == 3; }));
  for (const auto& p : Pods()) {
    EXPECT_EQ(StrAt(p, {"metadata", "name"}).rfind("web-", 0), 0u);
    EXPECT_EQ(ControllerRefOf(p)->uid, StrAt(GetRs(), {"metadata", "uid"}));
  }
  auto msgs = EventMessages();
  EXPECT_EQ(std::count_if(msgs.begin(), msgs.end(), [](const std::string& m) { return m.rfind("Created pod: web-", 0) == 0; }), 3);
  // Nothing more is created once the creates are observed.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(Pods().size(), 3u);
  MarkAllReady();
  ASSERT_TRUE(Eventually([&] { return IntAt(GetRs(), {"status", "readyReplicas"}) == 3; }));
  EXPECT_EQ(IntAt(GetRs(), {"status", "availableReplicas"}), 3);
  EXPECT_EQ(IntAt(GetRs(), {"status", "fullyLabeledReplicas"}), 3);
  EXPECT_EQ(IntAt(GetRs(), {"status", "observedGeneration"}), 1);
}

TEST_F(ReplicaSetControllerTest, DeletesSurplusPodsNotReadyFirst) {
  json::object rs = Rs(3);
  rs["metadata"].as_object().erase("uid");
  ASSERT_TRUE(fake_.Create(client::kReplicaSets, "default", rs).ok());
  StartAll();
  ASSERT_TRUE(Eventually([&] { return Pods().size() == 3; }));
  MarkAllReady();
  ASSERT_TRUE(Eventually([&] { return IntAt(GetRs(), {"status", "readyReplicas"}) == 3; }));
  // Scale to 5: two new pods stay not ready; scaling back to 3 removes exactly those.
  json::object cur = GetRs();
  cur["spec"].as_object()["replicas"] = 5;
  ASSERT_TRUE(fake_.Update(client::kReplicaSets, "default", "web", cur).ok());
  ASSERT_TRUE(Eventually([&] { return Pods().size() == 5; }));
  cur = GetRs();
  cur["spec"].as_object()["replicas"] = 3;
  ASSERT_TRUE(fake_.Update(client::kReplicaSets, "default", "web", cur).ok());
  ASSERT_TRUE(Eventually([&] { return Pods().size() == 3 && IntAt(GetRs(), {"status", "replicas"}) == 3; }));
  for (const auto& p : Pods()) EXPECT_TRUE(IsPodReady(p));
  auto msgs = EventMessages();
  EXPECT_EQ(std::count_if(msgs.begin(), msgs.end(), [](const std::string& m) { return m.rfind("Deleted pod: ", 0) == 0; }), 2);
}

TEST_F(ReplicaSetControllerTest, AdoptsMatchingOrphansAndReleasesPodsThatStopMatching) {
  ASSERT_TRUE(fake_.Create(client::kPods, "default", Pod("orphan", R"({"app":"web"})")).ok());
  json::object rs = Rs(1);
  rs["metadata"].as_object().erase("uid");
  ASSERT_TRUE(fake_.Create(client::kReplicaSets, "default", rs).ok());
  StartAll();
  ASSERT_TRUE(Eventually([&] {
    auto p = fake_.Get(client::kPods, "default", "orphan");
    return p.ok() && ControllerRefOf(*p).has_value();
  }));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(Pods().size(), 1u);  // adopted, so nothing created
  json::object pod = *fake_.Get(client::kPods, "default", "orphan");
  pod["metadata"].as_object()["labels"] = Obj(R"({"app":"quarantine"})");
  ASSERT_TRUE(fake_.Update(client::kPods, "default", "orphan", pod).ok());
  ASSERT_TRUE(Eventually([&] {
    auto p = fake_.Get(client::kPods, "default", "orphan");
    return p.ok() && !ControllerRefOf(*p) && Pods().size() == 2;
  }));
}

}  // namespace
}  // namespace k1s::controllers
