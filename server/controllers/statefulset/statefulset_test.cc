// Tests of the StatefulSet logic (pure) and StatefulSetController against FakeClient.
#include "server/controllers/statefulset/statefulset.h"

#include <gtest/gtest.h>

#include <thread>

#include "lib/client/fake_client.h"

namespace k1s::controllers {
namespace {

using namespace std::chrono_literals;

json::object MakeSts(int replicas, const std::string& policy = "OrderedReady") {
  return json::parse(R"({"apiVersion":"apps/v1","kind":"StatefulSet",
    "metadata":{"name":"web","namespace":"default","uid":"sts-uid","generation":2},
    "spec":{"replicas":)" + std::to_string(replicas) + R"(,"serviceName":"nginx","podManagementPolicy":")" + policy +
                     R"(","selector":{"matchLabels":{"app":"web"}},
      "updateStrategy":{"type":"RollingUpdate","rollingUpdate":{"partition":0}},
      "template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"c","image":"nginx:1"}]}},
      "volumeClaimTemplates":[{"metadata":{"name":"data"},"spec":{"accessModes":["ReadWriteOnce"],
        "resources":{"requests":{"storage":"1Gi"}}}}]}})")
      .as_object();
}

std::shared_ptr<const json::object> StsPod(const json::object& sts, int i, bool ready, std::string rev = "") {
  json::object tmpl = sts.at("spec").at("template").as_object();
  json::object p = statefulset::NewPod(sts, i, tmpl, rev.empty() ? statefulset::RevisionName(sts) : rev);
  p["status"] = json::object{
      {"phase", "Running"},
      {"conditions", json::array{json::object{{"type", "Ready"}, {"status", ready ? "True" : "False"}}}}};
  return std::make_shared<const json::object>(std::move(p));
}

TimePoint T0() { return TimePoint(std::chrono::seconds(1'800'000'000)); }

TEST(StatefulSetLogic, PodHasStableIdentityAndClaimVolumes) {
  json::object sts = MakeSts(3);
  json::object pod = statefulset::NewPod(sts, 1, sts.at("spec").at("template").as_object(), "web-abc");
  EXPECT_EQ(MetaString(pod, "name"), "web-1");
  EXPECT_EQ(pod.at("spec").at("hostname").as_string(), "web-1");
  EXPECT_EQ(pod.at("spec").at("subdomain").as_string(), "nginx");
  EXPECT_EQ(pod.at("spec").at("volumes").at(0).at("persistentVolumeClaim").at("claimName").as_string(), "data-web-1");
  EXPECT_EQ(pod.at("metadata").at("labels").at("controller-revision-hash").as_string(), "web-abc");
  EXPECT_EQ(pod.at("metadata").at("labels").at(statefulset::kPodIndexLabel).as_string(), "1");
  auto claims = statefulset::NewClaims(sts, 1);
  ASSERT_EQ(claims.size(), 1u);
  EXPECT_EQ(MetaString(claims[0], "name"), "data-web-1");
  EXPECT_EQ(claims[0].at("metadata").at("labels").at("app").as_string(), "web");
}

TEST(StatefulSetLogic, OrderedReadyCreatesOneAtATimeAfterReady) {
  json::object sts = MakeSts(3);
  EXPECT_EQ(statefulset::PlanStatefulSet(sts, {}, T0()).create, std::vector<int>{0});
  EXPECT_TRUE(statefulset::PlanStatefulSet(sts, {StsPod(sts, 0, false)}, T0()).create.empty());
  EXPECT_EQ(statefulset::PlanStatefulSet(sts, {StsPod(sts, 0, true)}, T0()).create, std::vector<int>{1});
}

TEST(StatefulSetLogic, ParallelCreatesAllAtOnce) {
  json::object sts = MakeSts(3, "Parallel");
  EXPECT_EQ(statefulset::PlanStatefulSet(sts, {StsPod(sts, 1, false)}, T0()).create, (std::vector<int>{0, 2}));
}

TEST(StatefulSetLogic, ScaleDownDeletesHighestOrdinalFirst) {
  json::object sts = MakeSts(1);
  auto plan = statefulset::PlanStatefulSet(sts, {StsPod(sts, 0, true), StsPod(sts, 1, true), StsPod(sts, 2, true)}, T0());
  EXPECT_EQ(plan.delete_pods, std::vector<std::string>{"web-2"});
  EXPECT_EQ(plan.status.at("replicas").as_int64(), 3);
}

TEST(StatefulSetLogic, RollingUpdateReplacesHighestOutdatedOrdinalDownToPartition) {
  json::object sts = MakeSts(3);
  sts["spec"].as_object()["updateStrategy"].as_object()["rollingUpdate"].as_object()["partition"] = 1;
  PodList pods{StsPod(sts, 0, true, "web-old"), StsPod(sts, 1, true, "web-old"), StsPod(sts, 2, true, "web-old")};
  auto plan = statefulset::PlanStatefulSet(sts, pods, T0());
  EXPECT_EQ(plan.delete_pods, std::vector<std::string>{"web-2"});
  PodList later{StsPod(sts, 0, true, "web-old"), StsPod(sts, 1, true, "web-old"), StsPod(sts, 2, true)};
  EXPECT_EQ(statefulset::PlanStatefulSet(sts, later, T0()).delete_pods, std::vector<std::string>{"web-1"});
  PodList done{StsPod(sts, 0, true, "web-old"), StsPod(sts, 1, true), StsPod(sts, 2, true)};
  auto final_plan = statefulset::PlanStatefulSet(sts, done, T0());
  EXPECT_TRUE(final_plan.delete_pods.empty());  // ordinal 0 is below the partition
  EXPECT_EQ(final_plan.status.at("updatedReplicas").as_int64(), 2);
  EXPECT_EQ(final_plan.status.at("readyReplicas").as_int64(), 3);
  EXPECT_EQ(final_plan.status.at("observedGeneration").as_int64(), 2);
}

template <typename F>
bool WaitFor(F pred) {
  for (int i = 0; i < 400; ++i) {
    if (pred()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return false;
}

TEST(StatefulSetControllerTest, CreatesClaimsThenPodsInOrder) {
  client::FakeClient fake;
  client::SharedInformerFactory factory{fake, client::InformerOptions{.poll_interval = 50ms}};
  client::EventRecorder events{fake, "statefulset-controller"};
  StatefulSetController ctl{ControllerContext{fake, factory, events}};
  factory.Start();
  ASSERT_TRUE(factory.WaitForSync(5s));
  ASSERT_TRUE(fake.Create(client::kStatefulSets, "default", MakeSts(2)).ok());
  auto sync = [&] {
    int64_t rv = fake.Revision();
    WaitFor([&] {
      for (const auto* r : {&client::kPods, &client::kStatefulSets, &client::kControllerRevisions}) {
        auto s = factory.For(*r).LastSyncResourceVersion();
        if (!s.empty() && std::stoll(s) >= rv) return true;
      }
      return false;
    });
    std::this_thread::sleep_for(60ms);
    ASSERT_TRUE(ctl.Reconcile("default/web").ok());
  };
  sync();
  EXPECT_TRUE(fake.Get(client::kPersistentVolumeClaims, "default", "data-web-0").ok());
  ASSERT_TRUE(fake.Get(client::kPods, "default", "web-0").ok());
  EXPECT_FALSE(fake.Get(client::kPods, "default", "web-1").ok());
  sync();
  EXPECT_FALSE(fake.Get(client::kPods, "default", "web-1").ok());  // web-0 not ready yet
  json::object p = *fake.Get(client::kPods, "default", "web-0");
  p["status"] = json::object{{"phase", "Running"},
                             {"conditions", json::array{json::object{{"type", "Ready"}, {"status", "True"}}}}};
  ASSERT_TRUE(fake.UpdateStatus(client::kPods, "default", "web-0", p).ok());
  sync();
  EXPECT_TRUE(fake.Get(client::kPods, "default", "web-1").ok());
  EXPECT_TRUE(fake.Get(client::kPersistentVolumeClaims, "default", "data-web-1").ok());
  sync();
  json::object sts = *fake.Get(client::kStatefulSets, "default", "web");
  EXPECT_EQ(sts.at("status").at("replicas").as_int64(), 2);
  EXPECT_EQ(sts.at("status").at("readyReplicas").as_int64(), 1);
  EXPECT_EQ(sts.at("status").at("updateRevision").as_string(), statefulset::RevisionName(sts));
  EXPECT_EQ(fake.List(client::kControllerRevisions, "default")->items.size(), 1u);
}

}  // namespace
}  // namespace k1s::controllers
