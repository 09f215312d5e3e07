// Tests of the PodDisruptionBudget logic (pure) and of DisruptionController against FakeClient.
#include "server/controllers/disruption/disruption.h"

#include <gtest/gtest.h>

#include <thread>

#include "lib/api/meta.h"
#include "lib/client/fake_client.h"
#include "server/controllers/replicaset/replicaset_logic.h"
#include "tests/testutil/eventually.h"

namespace k1s::controllers {
namespace {

namespace json = boost::json;
using api::StrAt;
using disruption::TimePoint;
using replicaset::IntAt;
using testutil::Eventually;

json::object Obj(std::string_view text) { return *api::ParseObject(text); }

TimePoint T0() { return TimePoint(std::chrono::seconds(1'800'000'000)); }

json::object Pdb(std::string_view spec) {
  return Obj(R"({"apiVersion":"policy/v1","kind":"PodDisruptionBudget",
    "metadata":{"name":"b","namespace":"default","uid":"u-b","generation":2},"spec":)" + std::string(spec) + "}");
}

json::object Pod(const std::string& name, bool ready, bool deleting = false) {
  json::object pod = Obj(R"({"apiVersion":"v1","kind":"Pod","metadata":{"namespace":"default","labels":{"app":"web"}},
    "status":{"phase":"Running","conditions":[{"type":"Ready","status":")" + std::string(ready ? "True" : "False") +
                         R"("}]}})");
  pod["metadata"].as_object()["name"] = name;
  if (deleting) pod["metadata"].as_object()["deletionTimestamp"] = "2027-01-01T00:00:00Z";
  return pod;
}

// ---- logic ----

TEST(DisruptionLogic, IntegersScaleToThemselvesAndPercentsRoundUpOrDown) {
  EXPECT_EQ(*disruption::ScaledValue(json::value(2), 10, true), 2);
  EXPECT_EQ(*disruption::ScaledValue(json::value("50%"), 3, true), 2);
  EXPECT_EQ(*disruption::ScaledValue(json::value("50%"), 3, false), 1);
  EXPECT_EQ(*disruption::ScaledValue(json::value("34%"), 3, true), 2);  // 1.02 -> 2
  EXPECT_EQ(*disruption::ScaledValue(json::value("100%"), 7, true), 7);
  EXPECT_EQ(*disruption::ScaledValue(json::value("0%"), 7, true), 0);
}

TEST(DisruptionLogic, StringsWithoutPercentAreRejectedWithUpstreamWording) {
  auto r = disruption::ScaledValue(json::value("5"), 10, true);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "invalid value for IntOrString: invalid type: string is not a percentage");
  EXPECT_FALSE(disruption::ScaledValue(json::value("x%"), 10, true).ok());
}

TEST(DisruptionLogic, IntegerMinAvailableExpectsThePodCount) {
  auto b = disruption::ComputeBudget(Pdb(R"({"minAvailable":2,"selector":{}})"), 3, 99);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->expected_pods, 3);
  EXPECT_EQ(b->desired_healthy, 2);
  EXPECT_FALSE(disruption::NeedsControllerScale(Pdb(R"({"minAvailable":2})")));
}

TEST(DisruptionLogic, PercentMinAvailableRoundsUpAgainstTheControllersScale) {
  json::object pdb = Pdb(R"({"minAvailable":"50%"})");
  EXPECT_TRUE(disruption::NeedsControllerScale(pdb));
  auto b = disruption::ComputeBudget(pdb, 2, 5);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->expected_pods, 5);
  EXPECT_EQ(b->desired_healthy, 3);  // ceil(2.5)
}

TEST(DisruptionLogic, MaxUnavailableSubtractsFromTheScaleAndNeverGoesNegative) {
  auto b = disruption::ComputeBudget(Pdb(R"({"maxUnavailable":1})"), 3, 3);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->expected_pods, 3);
  EXPECT_EQ(b->desired_healthy, 2);
  b = disruption::ComputeBudget(Pdb(R"({"maxUnavailable":"30%"})"), 10, 10);
  EXPECT_EQ(b->desired_healthy, 7);  // ceil(3) unavailable
  b = disruption::ComputeBudget(Pdb(R"({"maxUnavailable":"25%"})"), 3, 3);
  EXPECT_EQ(b->desired_healthy, 2);  // ceil(0.75) = 1 unavailable
  b = disruption::ComputeBudget(Pdb(R"({"maxUnavailable":5})"), 3, 3);
  EXPECT_EQ(b->desired_healthy, 0);
}

TEST(DisruptionLogic, DisruptionsAllowedIsZeroWithoutExpectedPods) {
  EXPECT_EQ(disruption::DisruptionsAllowed(3, 2, 3), 1);
  EXPECT_EQ(disruption::DisruptionsAllowed(1, 2, 3), 0);
  EXPECT_EQ(disruption::DisruptionsAllowed(3, 0, 0), 0);
}

TEST(DisruptionLogic, MissingSelectorSelectsNothingEmptySelectsAll) {
  std::map<std::string, std::string> labels{{"app", "web"}};
  EXPECT_FALSE(disruption::Selects(Pdb(R"({"minAvailable":1})"), labels));
  EXPECT_TRUE(disruption::Selects(Pdb(R"({"minAvailable":1,"selector":{}})"), labels));
  EXPECT_TRUE(disruption::Selects(Pdb(R"({"selector":{"matchExpressions":[{"key":"app","operator":"In","values":["web","db"]}]}})"),
                                  labels));
  EXPECT_FALSE(disruption::Selects(Pdb(R"({"selector":{"matchLabels":{"app":"db"}}})"), labels));
}

TEST(DisruptionLogic, HealthyCountsReadyPodsNotDeletingNorJustEvicted) {
  json::object a = Pod("a", true), b = Pod("b", true), c = Pod("c", false), d = Pod("d", true, true);
  std::vector<const json::object*> pods{&a, &b, &c, &d};
  EXPECT_EQ(disruption::CountHealthy(pods, {}), 2);
  EXPECT_EQ(disruption::CountHealthy(pods, {{"a", "2027-01-01T00:00:00Z"}}), 1);
}

TEST(DisruptionLogic, DisruptedPodsExpireAfterTheDeletionTimeout) {
  json::object pdb = Pdb(R"({"minAvailable":1})");
  pdb["status"] = json::object{{"disruptedPods", json::object{{"a", client::FormatTime(T0())},
                                                              {"b", client::FormatTime(T0() - std::chrono::minutes(5))},
                                                              {"gone", client::FormatTime(T0())}}}};
  json::object a = Pod("a", true), b = Pod("b", true);
  auto d = disruption::BuildDisruptedPods(pdb, {&a, &b}, T0() + std::chrono::seconds(10));
  EXPECT_EQ(d.kept.size(), 1u);
  EXPECT_TRUE(d.kept.count("a"));
  EXPECT_EQ(d.expired, std::vector<std::string>{"b"});
  ASSERT_TRUE(d.recheck);
  EXPECT_EQ(*d.recheck, T0() + disruption::kDeletionTimeout);
}

TEST(DisruptionLogic, StatusCarriesCountsGenerationAndCondition) {
  json::object pdb = Pdb(R"({"minAvailable":2})");
  disruption::Counts c{.current_healthy = 3, .desired_healthy = 2, .expected_pods = 3, .disruptions_allowed = 1};
  json::object st = disruption::ComputeStatus(pdb, c, T0());
  EXPECT_EQ(IntAt(st, {"disruptionsAllowed"}), 1);
  EXPECT_EQ(IntAt(st, {"currentHealthy"}), 3);
  EXPECT_EQ(IntAt(st, {"desiredHealthy"}), 2);
  EXPECT_EQ(IntAt(st, {"expectedPods"}), 3);
  EXPECT_EQ(IntAt(st, {"observedGeneration"}), 2);
  EXPECT_FALSE(st.contains("disruptedPods"));
  const auto& cond = st.at("conditions").as_array().at(0).as_object();
  EXPECT_EQ(StrAt(cond, {"type"}), "DisruptionAllowed");
  EXPECT_EQ(StrAt(cond, {"status"}), "True");
  EXPECT_EQ(StrAt(cond, {"reason"}), "SufficientPods");
  EXPECT_EQ(StrAt(cond, {"lastTransitionTime"}), client::FormatTime(T0()));

  pdb["status"] = st;
  EXPECT_TRUE(disruption::StatusUpToDate(pdb, c));
  // Same status later: the transition time stays; fewer healthy pods flip the condition.
  c.current_healthy = 2;
  c.disruptions_allowed = 0;
  EXPECT_FALSE(disruption::StatusUpToDate(pdb, c));
  json::object st2 = disruption::ComputeStatus(pdb, c, T0() + std::chrono::seconds(30));
  const auto& cond2 = st2.at("conditions").as_array().at(0).as_object();
  EXPECT_EQ(StrAt(cond2, {"status"}), "False");
  EXPECT_EQ(StrAt(cond2, {"reason"}), "InsufficientPods");
  EXPECT_EQ(StrAt(cond2, {"lastTransitionTime"}), client::FormatTime(T0() + std::chrono::seconds(30)));
  EXPECT_EQ(st2.at("conditions").as_array().size(), 1u);
}

TEST(DisruptionLogic, FailSafeAllowsNothingAndSaysWhy) {
  json::object pdb = Pdb(R"({"maxUnavailable":1})");
  pdb["status"] = json::object{{"disruptionsAllowed", 2}, {"currentHealthy", 3}, {"observedGeneration", 1}};
  json::object st = disruption::FailSafeStatus(pdb, "found no controllers for pod \"x\"", T0());
  EXPECT_EQ(IntAt(st, {"disruptionsAllowed"}), 0);
  EXPECT_EQ(IntAt(st, {"currentHealthy"}), 3);
  const auto& cond = st.at("conditions").as_array().at(0).as_object();
  EXPECT_EQ(StrAt(cond, {"reason"}), "SyncFailed");
  EXPECT_EQ(StrAt(cond, {"message"}), "found no controllers for pod \"x\"");
}

TEST(DisruptionLogic, AnEvictionNotYetSeenIsRecognisedByTheUnchangedCounts) {
  json::object pdb = Pdb(R"({"minAvailable":2})");
  disruption::Counts c{.current_healthy = 3, .desired_healthy = 2, .expected_pods = 3, .disruptions_allowed = 1};
  pdb["status"] = disruption::ComputeStatus(pdb, c, T0());
  EXPECT_FALSE(disruption::EvictionNotYetObserved(pdb, c));
  pdb["status"].as_object()["disruptionsAllowed"] = 0;  // what Registry::Evict writes
  EXPECT_TRUE(disruption::EvictionNotYetObserved(pdb, c));
  disruption::Counts after = c;  // the pod is seen going away
  after.current_healthy = 2;
  after.disruptions_allowed = 0;
  EXPECT_FALSE(disruption::EvictionNotYetObserved(pdb, after));
}

// ---- The controller against FakeClient ----

class DisruptionControllerTest : public ::testing::Test {
 protected:
  DisruptionControllerTest()
      : informers_(fake_, client::InformerOptions{.poll_interval = std::chrono::milliseconds(50)}),
        events_(fake_, "disruption-controller"),
        controller_(ControllerContext{fake_, informers_, events_}) {}
  ~DisruptionControllerTest() override {
    controller_.Stop();
    informers_.Stop();
  }
  void StartAll() {
    informers_.Start();
    ASSERT_TRUE(informers_.WaitForSync(std::chrono::seconds(5)));
    controller_.Start(1);
  }
  json::object GetPdb() { return *fake_.Get(client::kPodDisruptionBudgets, "default", "b"); }
  // A Deployment "web" (replicas) owning ReplicaSet "web-1" owning n pods, `ready` of them Ready.
  void SeedWorkload(int replicas, int n, int ready) {
    fake_.Seed(client::kDeployments, Obj(R"({"apiVersion":"apps/v1","kind":"Deployment",
      "metadata":{"name":"web","namespace":"default","uid":"u-d"},"spec":{"replicas":)" +
                                          std::to_string(replicas) + "}}"));
    fake_.Seed(client::kReplicaSets, Obj(R"({"apiVersion":"apps/v1","kind":"ReplicaSet",
      "metadata":{"name":"web-1","namespace":"default","uid":"u-rs","ownerReferences":[
        {"apiVersion":"apps/v1","kind":"Deployment","name":"web","uid":"u-d","controller":true}]},
      "spec":{"replicas":)" + std::to_string(replicas) + "}}"));
    for (int i = 0; i < n; ++i) {
      json::object pod = Pod("web-1-" + std::to_string(i), i < ready);
      pod["metadata"].as_object()["uid"] = "u-p" + std::to_string(i);
      pod["metadata"].as_object()["ownerReferences"] = json::array{
          json::object{{"apiVersion", "apps/v1"}, {"kind", "ReplicaSet"}, {"name", "web-1"}, {"uid", "u-rs"},
                       {"controller", true}}};
      fake_.Seed(client::kPods, pod);
    }
  }

  client::FakeClient fake_;
  client::SharedInformerFactory informers_;
  client::EventRecorder events_;
  DisruptionController controller_;
};

TEST_F(DisruptionControllerTest, MinAvailableTwoOfThreeReadyPodsAllowsOneDisruption) {
  SeedWorkload(3, 3, 3);
  ASSERT_TRUE(fake_.Create(client::kPodDisruptionBudgets, "default",
                           Pdb(R"({"minAvailable":2,"selector":{"matchLabels":{"app":"web"}}})")).ok());
  StartAll();
  ASSERT_TRUE(Eventually([&] { return IntAt(GetPdb(), {"status", "expectedPods"}) == 3; }));
  json::object st = GetPdb().at("status").as_object();
  EXPECT_EQ(IntAt(st, {"disruptionsAllowed"}), 1);
  EXPECT_EQ(IntAt(st, {"currentHealthy"}), 3);
  EXPECT_EQ(IntAt(st, {"desiredHealthy"}), 2);
  EXPECT_EQ(StrAt(st.at("conditions").as_array().at(0).as_object(), {"reason"}), "SufficientPods");
}

TEST_F(DisruptionControllerTest, MaxUnavailableUsesTheDeploymentsScale) {
  SeedWorkload(4, 2, 2);  // scaling up: 4 wanted, 2 exist
  ASSERT_TRUE(fake_.Create(client::kPodDisruptionBudgets, "default",
                           Pdb(R"({"maxUnavailable":1,"selector":{"matchLabels":{"app":"web"}}})")).ok());
  StartAll();
  ASSERT_TRUE(Eventually([&] { return IntAt(GetPdb(), {"status", "expectedPods"}) == 4; }));
  json::object st = GetPdb().at("status").as_object();
  EXPECT_EQ(IntAt(st, {"desiredHealthy"}), 3);
  EXPECT_EQ(IntAt(st, {"disruptionsAllowed"}), 0);
  EXPECT_EQ(StrAt(st.at("conditions").as_array().at(0).as_object(), {"reason"}), "InsufficientPods");
}

TEST_F(DisruptionControllerTest, PodsWithoutAKnownControllerFailSafe) {
  json::object pod = Pod("job-pod", true);
  pod["metadata"].as_object()["ownerReferences"] =
      json::array{json::object{{"apiVersion", "batch/v1"}, {"kind", "Job"}, {"name", "j"}, {"uid", "u-j"},
                               {"controller", true}}};
  fake_.Seed(client::kPods, pod);
  ASSERT_TRUE(fake_.Create(client::kPodDisruptionBudgets, "default",
                           Pdb(R"({"maxUnavailable":1,"selector":{"matchLabels":{"app":"web"}}})")).ok());
  StartAll();
  ASSERT_TRUE(Eventually([&] {
    json::object p = GetPdb();
    const json::object* st = api::ObjAt(p, {"status"});
    return st && st->contains("conditions") &&
           StrAt(st->at("conditions").as_array().at(0).as_object(), {"reason"}) == "SyncFailed";
  }));
  json::object st = GetPdb().at("status").as_object();
  EXPECT_EQ(IntAt(st, {"disruptionsAllowed"}, -1), 0);
  EXPECT_EQ(StrAt(st.at("conditions").as_array().at(0).as_object(), {"message"}),
            "found no controllers for pod \"job-pod\"");
}

TEST_F(DisruptionControllerTest, ReadinessChangesAreFollowed) {
  SeedWorkload(3, 3, 2);
  ASSERT_TRUE(fake_.Create(client::kPodDisruptionBudgets, "default",
                           Pdb(R"({"minAvailable":2,"selector":{"matchLabels":{"app":"web"}}})")).ok());
  StartAll();
  ASSERT_TRUE(Eventually([&] { return IntAt(GetPdb(), {"status", "currentHealthy"}) == 2; }));
  EXPECT_EQ(IntAt(GetPdb(), {"status", "disruptionsAllowed"}), 0);
  json::object pod = *fake_.Get(client::kPods, "default", "web-1-2");
  pod["status"] = Obj(R"({"phase":"Running","conditions":[{"type":"Ready","status":"True"}]})");
  ASSERT_TRUE(fake_.UpdateStatus(client::kPods, "default", "web-1-2", pod).ok());
  ASSERT_TRUE(Eventually([&] { return IntAt(GetPdb(), {"status", "disruptionsAllowed"}) == 1; }));
}

}  // namespace
}  // namespace k1s::controllers
