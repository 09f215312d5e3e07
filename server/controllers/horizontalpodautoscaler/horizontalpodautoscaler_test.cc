// Tests of the HPA logic (pure: bounds, normalisation, stabilisation, the replica calculation) and of
// HorizontalPodAutoscalerController against FakeClient, with no metrics and with a fake MetricsSource.
#include "server/controllers/horizontalpodautoscaler/horizontalpodautoscaler.h"

#include <gtest/gtest.h>

#include <thread>

#include "lib/client/fake_client.h"
#include "server/controllers/replicaset/replicaset_logic.h"
#include "tests/testutil/eventually.h"

namespace k1s::controllers {
namespace {

namespace json = boost::json;
using api::StrAt;
using hpa::PodSample;
using replicaset::IntAt;
using testutil::Eventually;
using State = PodSample::State;

json::object Obj(std::string_view text) { return *api::ParseObject(text); }

std::vector<PodSample> Ready(std::initializer_list<std::pair<int64_t, int64_t>> usage_request) {
  std::vector<PodSample> out;
  int i = 0;
  for (auto [u, r] : usage_request) out.push_back({"p" + std::to_string(i++), State::kReady, u, r});
  return out;
}

// ---- logic ----

TEST(HpaLogic, BoundsComeBeforeMetrics) {
  auto d = hpa::DecideBounds(5, 1, 3);
  EXPECT_EQ(d.kind, hpa::BoundsDecision::kAboveMax);
  EXPECT_EQ(d.desired, 3);
  EXPECT_EQ(d.reason, "Current number of replicas above Spec.MaxReplicas");
  d = hpa::DecideBounds(1, 3, 5);
  EXPECT_EQ(d.kind, hpa::BoundsDecision::kBelowMin);
  EXPECT_EQ(d.desired, 3);
  EXPECT_EQ(d.reason, "Current number of replicas below Spec.MinReplicas");
  EXPECT_EQ(hpa::DecideBounds(0, 1, 5).kind, hpa::BoundsDecision::kScalingDisabled);
  EXPECT_EQ(hpa::DecideBounds(0, 0, 5).kind, hpa::BoundsDecision::kWithinBounds);
  EXPECT_EQ(hpa::DecideBounds(3, 1, 5).kind, hpa::BoundsDecision::kWithinBounds);
}

TEST(HpaLogic, MinReplicasDefaultsToOne) {
  EXPECT_EQ(hpa::MinReplicas(Obj(R"({"spec":{"maxReplicas":4}})")), 1);
  EXPECT_EQ(hpa::MinReplicas(Obj(R"({"spec":{"minReplicas":3,"maxReplicas":4}})")), 3);
  EXPECT_EQ(hpa::MaxReplicas(Obj(R"({"spec":{"maxReplicas":4}})")), 4);
}

TEST(HpaLogic, WithinToleranceKeepsTheCurrentCount) {
  // 3 pods at 85% of request against an 80% target: ratio 1.0625, within 0.1.
  auto p = hpa::ReplicasForUtilization(3, 80, Ready({{850, 1000}, {850, 1000}, {850, 1000}}));
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->replicas, 3);
  EXPECT_EQ(p->utilization, 85);
  EXPECT_EQ(p->raw_average, 850);
}

TEST(HpaLogic, BeyondToleranceScalesByTheRatio) {
  // 200% against 50%: ratio 4 -> 8 replicas from 2.
  auto p = hpa::ReplicasForUtilization(2, 50, Ready({{200, 100}, {200, 100}}));
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->replicas, 8);
  // 20% against 50%: ratio 0.4 -> ceil(0.4 * 4) = 2.
  p = hpa::ReplicasForUtilization(4, 50, Ready({{20, 100}, {20, 100}, {20, 100}, {20, 100}}));
  EXPECT_EQ(p->replicas, 2);
  // 89% against 80%: ratio 1.1125 just outside the tolerance -> ceil(1.1125 * 2) = 3.
  p = hpa::ReplicasForUtilization(2, 80, Ready({{890, 1000}, {890, 1000}}));
  EXPECT_EQ(p->replicas, 3);
}

TEST(HpaLogic, MissingPodsCountAsFullOnScaleDownAndIdleOnScaleUp) {
  // scale-down: 2 ready at 10%, 1 missing counted at 100% -> (10+10+100)/3 = 40% vs 50% -> ratio 0.8.
  std::vector<PodSample> pods = Ready({{10, 100}, {10, 100}});
  pods.push_back({"missing", State::kMissing, 0, 100});
  auto p = hpa::ReplicasForUtilization(3, 50, pods);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->replicas, 3);  // ceil(0.8 * 3) = 3
  // scale-up: 2 ready at 150%, 1 missing counted at 0% -> 100% vs 50% -> ceil(2 * 3) = 6.
  pods = Ready({{150, 100}, {150, 100}});
  pods.push_back({"missing", State::kMissing, 0, 100});
  p = hpa::ReplicasForUtilization(3, 50, pods);
  EXPECT_EQ(p->replicas, 6);
}

TEST(HpaLogic, UnreadyPodsDampenAScaleUpAndAFlipKeepsCurrent) {
  // 1 ready at 60% (target 50%, ratio 1.2), 3 unready at 0% -> 15% -> the direction flips: keep 4.
  std::vector<PodSample> pods = Ready({{60, 100}});
  for (int i = 0; i < 3; ++i) pods.push_back({"u" + std::to_string(i), State::kUnready, 0, 100});
  auto p = hpa::ReplicasForUtilization(4, 50, pods);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->replicas, 4);
}

TEST(HpaLogic, NoUsablePodsIsAnError) {
  EXPECT_EQ(hpa::ReplicasForUtilization(1, 50, {}).error().message,
            "no pods returned by selector while calculating replica count");
  std::vector<PodSample> pods{{"a", State::kIgnored, 0, 100}};
  EXPECT_EQ(hpa::ReplicasForUtilization(1, 50, pods).error().message,
            "did not receive metrics for targeted pods (pods might be unready)");
}

TEST(HpaLogic, NormalisationClampsAndLimitsTheScaleUpRate) {
  EXPECT_EQ(hpa::ScaleUpLimit(1), 4);
  EXPECT_EQ(hpa::ScaleUpLimit(5), 10);
  auto n = hpa::NormalizeReplicas(1, 20, 1, 10);
  EXPECT_EQ(n.replicas, 4);
  EXPECT_EQ(n.reason, "ScaleUpLimit");
  n = hpa::NormalizeReplicas(8, 20, 1, 10);
  EXPECT_EQ(n.replicas, 10);
  EXPECT_EQ(n.reason, "TooManyReplicas");
  n = hpa::NormalizeReplicas(3, 1, 2, 10);
  EXPECT_EQ(n.replicas, 2);
  EXPECT_EQ(n.reason, "TooFewReplicas");
  n = hpa::NormalizeReplicas(3, 5, 2, 10);
  EXPECT_EQ(n.replicas, 5);
  EXPECT_EQ(n.reason, "DesiredWithinRange");
  EXPECT_EQ(n.message, "the desired count is within the acceptable range");
}

TEST(HpaLogic, StabilisationKeepsTheHighestRecentRecommendation) {
  std::vector<hpa::Recommendation> recs;
  auto t0 = std::chrono::steady_clock::time_point(std::chrono::hours(1));
  EXPECT_EQ(hpa::Stabilize(recs, 5, t0, std::chrono::minutes(5)), 5);
  EXPECT_EQ(hpa::Stabilize(recs, 2, t0 + std::chrono::minutes(1), std::chrono::minutes(5)), 5);
  // Six minutes on, the 5 has left the window; the 2 has not.
  EXPECT_EQ(hpa::Stabilize(recs, 1, t0 + std::chrono::minutes(6), std::chrono::minutes(5)), 2);
  EXPECT_EQ(hpa::DownscaleWindow(Obj(R"({"spec":{}})")), std::chrono::steady_clock::duration(std::chrono::minutes(5)));
  EXPECT_EQ(hpa::DownscaleWindow(Obj(R"({"spec":{"behavior":{"scaleDown":{"stabilizationWindowSeconds":0}}}})")),
            std::chrono::steady_clock::duration(0));
}

TEST(HpaLogic, ScaleOfReadsReplicasAndSelector) {
  auto s = hpa::ScaleOf(Obj(R"({"spec":{"replicas":2,"selector":{"matchLabels":{"b":"2","a":"1"},
      "matchExpressions":[{"key":"c","operator":"In","values":["y","x"]},{"key":"d","operator":"DoesNotExist"}]}},
      "status":{"replicas":3}})"));
  EXPECT_EQ(s.spec_replicas, 2);
  EXPECT_EQ(s.status_replicas, 3);
  EXPECT_EQ(s.selector, "a=1,b=2,c in (x,y),!d");
  EXPECT_EQ(hpa::ScaleOf(Obj(R"({"spec":{"selector":{"app":"rc"}}})")).selector, "app=rc");
}

TEST(HpaLogic, TargetResourceKnowsTheScalableKinds) {
  auto r = hpa::TargetResource(Obj(R"({"spec":{"scaleTargetRef":{"apiVersion":"apps/v1","kind":"Deployment","name":"w"}}})"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->plural, "deployments");
  r = hpa::TargetResource(Obj(R"({"spec":{"scaleTargetRef":{"apiVersion":"v1","kind":"ReplicationController"}}})"));
  EXPECT_EQ(r->plural, "replicationcontrollers");
  r = hpa::TargetResource(Obj(R"({"spec":{"scaleTargetRef":{"apiVersion":"example.com/v1","kind":"Foo"}}})"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "no matches for kind \"Foo\" in group \"example.com\"");
}

TEST(HpaLogic, PodRequestsSumContainersAndNameTheOneMissing) {
  json::object pod = Obj(R"({"metadata":{"name":"p"},"spec":{"containers":[
      {"name":"a","resources":{"requests":{"cpu":"100m"}}},{"name":"b","resources":{"requests":{"cpu":"0.2"}}}]}})");
  EXPECT_EQ(*hpa::PodRequestMilli(pod, "cpu", ""), 300);
  EXPECT_EQ(*hpa::PodRequestMilli(pod, "cpu", "b"), 200);
  EXPECT_EQ(hpa::PodRequestMilli(pod, "memory", "").error().message, "missing request for memory in container a of Pod p");
}

TEST(HpaLogic, ConditionsKeepTheirTransitionTimeWhileTheStatusHolds) {
  json::object status;
  auto t0 = std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000));
  hpa::SetCondition(status, "AbleToScale", "True", "SucceededGetScale", "m1", t0);
  hpa::SetCondition(status, "ScalingActive", "False", "FailedGetResourceMetric", "m2", t0);
  hpa::SetCondition(status, "AbleToScale", "True", "SucceededRescale", "m3", t0 + std::chrono::seconds(9));
  const auto& list = status.at("conditions").as_array();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(StrAt(list[0].as_object(), {"type"}), "AbleToScale");
  EXPECT_EQ(StrAt(list[0].as_object(), {"reason"}), "SucceededRescale");
  EXPECT_EQ(StrAt(list[0].as_object(), {"lastTransitionTime"}), client::FormatTime(t0));
  hpa::SetCondition(status, "AbleToScale", "False", "FailedGetScale", "m4", t0 + std::chrono::seconds(20));
  EXPECT_EQ(StrAt(*api::ConditionAt(status, "AbleToScale"), {"lastTransitionTime"}),
            client::FormatTime(t0 + std::chrono::seconds(20)));
}

TEST(HpaLogic, EmptyMetricsDefaultToCpuAtEightyPercent) {
  json::array m = hpa::MetricSpecs(Obj(R"({"spec":{"maxReplicas":3}})"));
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(StrAt(m[0].as_object(), {"resource", "name"}), "cpu");
  EXPECT_EQ(IntAt(m[0].as_object(), {"resource", "target", "averageUtilization"}), 80);
}

// ---- The controller against FakeClient ----

class FixedMetrics final : public hpa::MetricsSource {
 public:
  explicit FixedMetrics(int64_t milli) : milli_(milli) {}
  Result<hpa::PodMetrics> ResourceMetric(const std::string&, const std::string&, const api::LabelSelector&,
                                         const std::string&) override {
    hpa::PodMetrics out;
    for (int i = 0; i < 10; ++i) {
      out["web-" + std::to_string(i)] = {milli_, std::chrono::system_clock::now(), std::chrono::seconds(30)};
    }
    return out;
  }
  std::string CustomMetricsError() const override { return "none"; }

 private:
  int64_t milli_;
};

class HpaControllerTest : public ::testing::Test {
 protected:
  HpaControllerTest()
      : informers_(fake_, client::InformerOptions{.poll_interval = std::chrono::milliseconds(50)}),
        events_(fake_, "horizontal-pod-autoscaler") {}
  ~HpaControllerTest() override {
    if (controller_) controller_->Stop();
    informers_.Stop();
  }
  void StartAll(std::shared_ptr<hpa::MetricsSource> metrics = nullptr) {
    controller_ = std::make_unique<HorizontalPodAutoscalerController>(
        ControllerContext{fake_, informers_, events_},
        HorizontalPodAutoscalerOptions{.sync_period = std::chrono::milliseconds(200), .metrics = std::move(metrics)});
    informers_.Start();
    ASSERT_TRUE(informers_.WaitForSync(std::chrono::seconds(5)));
    controller_->Start(1);
  }
  void SeedDeployment(int replicas) {
    ASSERT_TRUE(fake_.Create(client::kDeployments, "default", Obj(R"({"apiVersion":"apps/v1","kind":"Deployment",
      "metadata":{"name":"web"},"spec":{"replicas":)" + std::to_string(replicas) +
                                                                  R"(,"selector":{"matchLabels":{"app":"web"}}}})")).ok());
  }
  void SeedHpa(std::string_view spec) {
    ASSERT_TRUE(fake_.Create(client::kHorizontalPodAutoscalers, "default",
                             Obj(R"({"apiVersion":"autoscaling/v2","kind":"HorizontalPodAutoscaler",
      "metadata":{"name":"web"},"spec":)" + std::string(spec) + "}")).ok());
  }
  void SeedRunningPods(int n) {
    for (int i = 0; i < n; ++i) {
      json::object pod = Obj(R"({"apiVersion":"v1","kind":"Pod","metadata":{"namespace":"default","labels":{"app":"web"}},
        "spec":{"containers":[{"name":"c","resources":{"requests":{"cpu":"100m"}}}]},
        "status":{"phase":"Running","startTime":"2020-01-01T00:00:00Z",
          "conditions":[{"type":"Ready","status":"True","lastTransitionTime":"2020-01-01T00:00:10Z"}]}})");
      pod["metadata"].as_object()["name"] = "web-" + std::to_string(i);
      fake_.Seed(client::kPods, pod);
    }
  }
  int64_t Replicas() { return IntAt(*fake_.Get(client::kDeployments, "default", "web"), {"spec", "replicas"}); }
  json::object HpaStatus() {
    auto h = *fake_.Get(client::kHorizontalPodAutoscalers, "default", "web");
    const json::object* st = api::ObjAt(h, {"status"});
    return st ? *st : json::object();
  }
  std::string Condition(const std::string& type, const char* field) {
    json::object st = HpaStatus();
    const json::object* c = api::ConditionAt(st, type);
    return c ? StrAt(*c, {field}) : "";
  }
  std::vector<std::string> Events() {
    events_.Flush();
    std::vector<std::string> out;
    auto list = fake_.List(client::kEvents, "default");
    for (const auto& e : list->items) {
      out.push_back(StrAt(e, {"reason"}) + ": " + StrAt(e, {"message"}));
    }
    return out;
  }
  bool HasEvent(const std::string& text) {
    auto ev = Events();
    return std::find(ev.begin(), ev.end(), text) != ev.end();
  }

  client::FakeClient fake_;
  client::SharedInformerFactory informers_;
  client::EventRecorder events_;
  std::unique_ptr<HorizontalPodAutoscalerController> controller_;
};

constexpr const char* kSpec3To5 =
    R"({"scaleTargetRef":{"apiVersion":"apps/v1","kind":"Deployment","name":"web"},"minReplicas":3,"maxReplicas":5,
        "metrics":[{"type":"Resource","resource":{"name":"cpu","target":{"type":"Utilization","averageUtilization":50}}}]})";

TEST_F(HpaControllerTest, BelowMinReplicasScalesUpToTheMinimum) {
  SeedDeployment(1);
  SeedHpa(kSpec3To5);
  StartAll();
  ASSERT_TRUE(Eventually([&] { return Replicas() == 3; }));
  ASSERT_TRUE(Eventually([&] { return IntAt(HpaStatus(), {"desiredReplicas"}) == 3; }));
  json::object st = HpaStatus();
  EXPECT_EQ(IntAt(st, {"currentReplicas"}), 1);
  EXPECT_FALSE(StrAt(st, {"lastScaleTime"}).empty());
  EXPECT_TRUE(Eventually([&] { return HasEvent("SuccessfulRescale: New size: 3; reason: Current number of replicas below Spec.MinReplicas"); }));
}

TEST_F(HpaControllerTest, AboveMaxReplicasScalesDownToTheMaximum) {
  SeedDeployment(9);
  SeedHpa(kSpec3To5);
  StartAll();
  ASSERT_TRUE(Eventually([&] { return Replicas() == 5; }));
  EXPECT_TRUE(Eventually([&] { return HasEvent("SuccessfulRescale: New size: 5; reason: Current number of replicas above Spec.MaxReplicas"); }));
}

TEST_F(HpaControllerTest, WithoutMetricsScalingIsInactiveWithUpstreamsMessages) {
  SeedDeployment(4);
  SeedHpa(kSpec3To5);
  StartAll();
  ASSERT_TRUE(Eventually([&] { return Condition("ScalingActive", "reason") == "FailedGetResourceMetric"; }));
  const std::string inner =
      "failed to get cpu utilization: unable to get metrics for resource cpu: unable to fetch metrics from resource "
      "metrics API: the server could not find the requested resource (get pods.metrics.k8s.io)";
  EXPECT_EQ(Condition("ScalingActive", "status"), "False");
  EXPECT_EQ(Condition("ScalingActive", "message"), "the HPA was unable to compute the replica count: " + inner);
  EXPECT_EQ(Condition("AbleToScale", "reason"), "SucceededGetScale");
  EXPECT_EQ(Condition("AbleToScale", "message"), "the HPA controller was able to get the target's current scale");
  EXPECT_EQ(IntAt(HpaStatus(), {"currentReplicas"}), 4);
  EXPECT_EQ(IntAt(HpaStatus(), {"desiredReplicas"}, -1), 0);
  EXPECT_FALSE(HpaStatus().contains("currentMetrics"));
  EXPECT_TRUE(Eventually([&] { return HasEvent("FailedGetResourceMetric: " + inner); }));
  EXPECT_TRUE(Eventually([&] {
    return HasEvent("FailedComputeMetricsReplicas: invalid metrics (1 invalid out of 1), first error is: failed to get "
                    "cpu resource metric value: " + inner);
  }));
  EXPECT_EQ(Replicas(), 4);
}

TEST_F(HpaControllerTest, ATargetAtZeroDisablesScaling) {
  SeedDeployment(0);
  SeedHpa(kSpec3To5);
  StartAll();
  ASSERT_TRUE(Eventually([&] { return Condition("ScalingActive", "reason") == "ScalingDisabled"; }));
  EXPECT_EQ(Condition("ScalingActive", "message"), "scaling is disabled since the replica count of the target is zero");
  EXPECT_EQ(Replicas(), 0);
}

TEST_F(HpaControllerTest, AMissingTargetSaysFailedGetScale) {
  SeedHpa(kSpec3To5);
  StartAll();
  ASSERT_TRUE(Eventually([&] { return Condition("AbleToScale", "reason") == "FailedGetScale"; }));
  EXPECT_EQ(Condition("AbleToScale", "status"), "False");
  EXPECT_NE(Condition("AbleToScale", "message").find("the HPA controller was unable to get the target's current scale: "),
            std::string::npos);
}

TEST_F(HpaControllerTest, AMetricsSourceDrivesScalingWithinBounds) {
  SeedDeployment(3);
  SeedRunningPods(3);
  SeedHpa(R"({"scaleTargetRef":{"apiVersion":"apps/v1","kind":"Deployment","name":"web"},"minReplicas":1,"maxReplicas":5,
        "metrics":[{"type":"Resource","resource":{"name":"cpu","target":{"type":"Utilization","averageUtilization":50}}}]})");
  StartAll(std::make_shared<FixedMetrics>(100));  // 100m of 100m requested: 100% against 50%
  ASSERT_TRUE(Eventually([&] { return Replicas() == 5; }));  // ceil(2 * 3) = 6, capped at 5
  EXPECT_TRUE(Eventually([&] {
    return HasEvent("SuccessfulRescale: New size: 5; reason: cpu resource utilization (percentage of request) above target");
  }));
  ASSERT_TRUE(Eventually([&] { return Condition("ScalingActive", "reason") == "ValidMetricFound"; }));
  EXPECT_EQ(Condition("ScalingLimited", "reason"), "TooManyReplicas");
  json::object st = HpaStatus();
  ASSERT_TRUE(st.contains("currentMetrics"));
  EXPECT_EQ(IntAt(st.at("currentMetrics").as_array().at(0).as_object(), {"resource", "current", "averageUtilization"}),
            100);
}

}  // namespace
}  // namespace k1s::controllers
