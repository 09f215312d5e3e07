// Tests of the DaemonSet logic (pure) and of DaemonSetController against FakeClient.
#include "server/controllers/daemonset/daemonset.h"

#include <gtest/gtest.h>

#include <thread>

#include "lib/client/fake_client.h"

namespace k1s::controllers {
namespace {

using namespace std::chrono_literals;

json::object MakeDs() {
  return json::parse(R"({"apiVersion":"apps/v1","kind":"DaemonSet",
    "metadata":{"name":"agent","namespace":"kube-system","uid":"ds-uid","generation":1},
    "spec":{"selector":{"matchLabels":{"app":"agent"}},
      "updateStrategy":{"type":"RollingUpdate","rollingUpdate":{"maxUnavailable":1,"maxSurge":0}},
      "template":{"metadata":{"labels":{"app":"agent"}},"spec":{"containers":[{"name":"c","image":"img:1"}]}}}})")
      .as_object();
}

std::shared_ptr<const json::object> Node(const std::string& name, json::object labels = {}, json::array taints = {}) {
  json::object n{{"apiVersion", "v1"}, {"kind", "Node"},
                 {"metadata", json::object{{"name", name}, {"labels", labels}}}, {"spec", json::object()}};
  if (!taints.empty()) n["spec"].as_object()["taints"] = taints;
  return std::make_shared<const json::object>(std::move(n));
}

std::shared_ptr<const json::object> DaemonPod(const std::string& name, const std::string& node, const std::string& hash,
                                              bool ready) {
  json::object p = daemonset::NewDaemonPod(MakeDs(), node, hash);
  p["metadata"].as_object()["name"] = name;
  p["status"] = json::object{
      {"phase", "Running"},
      {"conditions", json::array{json::object{{"type", "Ready"}, {"status", ready ? "True" : "False"}}}}};
  return std::make_shared<const json::object>(std::move(p));
}

TimePoint T0() { return TimePoint(std::chrono::seconds(1'800'000'000)); }

TEST(DaemonSetLogic, NodeSelectorAndRequiredAffinityChooseNodes) {
  json::object ds = MakeDs();
  auto& spec = ds["spec"].as_object()["template"].as_object()["spec"].as_object();
  spec["nodeSelector"] = json::object{{"disk", "ssd"}};
  EXPECT_TRUE(daemonset::NodeShouldRunDaemonPod(*Node("a", {{"disk", "ssd"}}), ds).should_run);
  EXPECT_FALSE(daemonset::NodeShouldRunDaemonPod(*Node("b"), ds).should_run);
  spec.erase("nodeSelector");
  spec["affinity"] = json::parse(R"({"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":
    {"nodeSelectorTerms":[{"matchExpressions":[{"key":"zone","operator":"In","values":["z1"]}]},
                          {"matchFields":[{"key":"metadata.name","operator":"In","values":["special"]}]}]}}})");
  EXPECT_TRUE(daemonset::NodeShouldRunDaemonPod(*Node("a", {{"zone", "z1"}}), ds).should_run);
  EXPECT_TRUE(daemonset::NodeShouldRunDaemonPod(*Node("special"), ds).should_run);
  EXPECT_FALSE(daemonset::NodeShouldRunDaemonPod(*Node("a", {{"zone", "z2"}}), ds).should_run);
}

TEST(DaemonSetLogic, TaintsNeedTolerationsButDefaultDaemonTolerationsApply) {
  json::object ds = MakeDs();
  auto tainted = Node("a", {}, json::array{json::object{{"key", "dedicated"}, {"value", "gpu"}, {"effect", "NoSchedule"}}});
  auto fit = daemonset::NodeShouldRunDaemonPod(*tainted, ds);
  EXPECT_FALSE(fit.should_run);
  EXPECT_TRUE(fit.should_continue_running);
  auto noexec = Node("a", {}, json::array{json::object{{"key", "dedicated"}, {"effect", "NoExecute"}}});
  EXPECT_FALSE(daemonset::NodeShouldRunDaemonPod(*noexec, ds).should_continue_running);
  auto not_ready = Node("a", {}, json::array{json::object{{"key", "node.kubernetes.io/not-ready"}, {"effect", "NoExecute"}},
                                            json::object{{"key", "node.kubernetes.io/unschedulable"}, {"effect", "NoSchedule"}}});
  EXPECT_TRUE(daemonset::NodeShouldRunDaemonPod(*not_ready, ds).should_run);
  ds["spec"].as_object()["template"].as_object()["spec"].as_object()["tolerations"] =
      json::array{json::object{{"key", "dedicated"}, {"operator", "Equal"}, {"value", "gpu"}, {"effect", "NoSchedule"}}};
  EXPECT_TRUE(daemonset::NodeShouldRunDaemonPod(*tainted, ds).should_run);
}

TEST(DaemonSetLogic, DaemonPodIsPinnedByMatchFieldsAndCarriesHashAndTolerations) {
  json::object pod = daemonset::NewDaemonPod(MakeDs(), "node-1", "abc");
  const auto& terms = pod.at("spec").at("affinity").at("nodeAffinity").at("requiredDuringSchedulingIgnoredDuringExecution")
                          .at("nodeSelectorTerms").as_array();
  ASSERT_EQ(terms.size(), 1u);
  EXPECT_EQ(terms[0].at("matchFields").at(0).at("key").as_string(), "metadata.name");
  EXPECT_EQ(terms[0].at("matchFields").at(0).at("values").at(0).as_string(), "node-1");
  EXPECT_EQ(daemonset::PodNodeName(pod), "node-1");
  EXPECT_EQ(pod.at("metadata").at("labels").at("controller-revision-hash").as_string(), "abc");
  EXPECT_GE(pod.at("spec").at("tolerations").as_array().size(), 6u);
  EXPECT_EQ(pod.at("metadata").at("generateName").as_string(), "agent-");
}

TEST(DaemonSetLogic, CreatesOnNodesWithoutPodsAndDeletesFromIneligibleOnes) {
  json::object ds = MakeDs();
  std::string h = daemonset::TemplateHash(ds);
  auto noexec = Node("c", {}, json::array{json::object{{"key", "x"}, {"effect", "NoExecute"}}});
  auto plan = daemonset::PlanDaemonSet(ds, {Node("a"), Node("b"), noexec},
                                       {DaemonPod("p-b", "b", h, true), DaemonPod("p-c", "c", h, true),
                                        DaemonPod("p-gone", "gone", h, true)},
                                       h, T0());
  EXPECT_EQ(plan.create_on_nodes, std::vector<std::string>{"a"});
  EXPECT_EQ(plan.delete_pods, (std::vector<std::string>{"p-c", "p-gone"}));
  EXPECT_EQ(plan.status.at("desiredNumberScheduled").as_int64(), 2);
  EXPECT_EQ(plan.status.at("currentNumberScheduled").as_int64(), 1);
  EXPECT_EQ(plan.status.at("numberMisscheduled").as_int64(), 1);
  EXPECT_EQ(plan.status.at("numberReady").as_int64(), 1);
  EXPECT_EQ(plan.status.at("observedGeneration").as_int64(), 1);
}

TEST(DaemonSetLogic, RollingUpdateReplacesAtMostMaxUnavailable) {
  json::object ds = MakeDs();
  std::string h = daemonset::TemplateHash(ds);
  auto plan = daemonset::PlanDaemonSet(
      ds, {Node("a"), Node("b"), Node("c")},
      {DaemonPod("pa", "a", "old", true), DaemonPod("pb", "b", "old", true), DaemonPod("pc", "c", "old", true)}, h, T0());
  EXPECT_EQ(plan.delete_pods.size(), 1u);
  EXPECT_EQ(plan.status.at("updatedNumberScheduled").as_int64(), 0);
  // One node already unavailable (its new pod not ready): no further deletions.
  auto busy = daemonset::PlanDaemonSet(
      ds, {Node("a"), Node("b"), Node("c")},
      {DaemonPod("pa", "a", h, false), DaemonPod("pb", "b", "old", true), DaemonPod("pc", "c", "old", true)}, h, T0());
  EXPECT_TRUE(busy.delete_pods.empty());
  // An old pod that is not ready anyway is replaced at once.
  auto broken = daemonset::PlanDaemonSet(
      ds, {Node("a"), Node("b")}, {DaemonPod("pa", "a", "old", false), DaemonPod("pb", "b", "old", true)}, h, T0());
  EXPECT_EQ(broken.delete_pods, std::vector<std::string>{"pa"});
}

TEST(DaemonSetLogic, MaxUnavailablePercentRoundsUp) {
  json::object ds = MakeDs();
  ds["spec"].as_object()["updateStrategy"].as_object()["rollingUpdate"].as_object()["maxUnavailable"] = "25%";
  EXPECT_EQ(daemonset::MaxUnavailable(ds, 10), 3);
  EXPECT_EQ(daemonset::MaxUnavailable(ds, 0), 1);
}

TEST(DaemonSetLogic, OnDeleteStrategyLeavesOldPods) {
  json::object ds = MakeDs();
  ds["spec"].as_object()["updateStrategy"] = json::object{{"type", "OnDelete"}};
  auto plan = daemonset::PlanDaemonSet(ds, {Node("a")}, {DaemonPod("pa", "a", "old", true)},
                                       daemonset::TemplateHash(ds), T0());
  EXPECT_TRUE(plan.delete_pods.empty());
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

struct DaemonSetFixture : ::testing::Test {
  client::FakeClient fake;
  client::SharedInformerFactory factory{fake, client::InformerOptions{.poll_interval = 50ms}};
  client::EventRecorder events{fake, "daemonset-controller"};
  DaemonSetController ctl{ControllerContext{fake, factory, events}};
  void SetUp() override {
    factory.Start();
    ASSERT_TRUE(factory.WaitForSync(5s));
  }
  void Sync() {
    int64_t rv = fake.Revision();
    ASSERT_TRUE(WaitFor([&] {
      for (const auto* r : {&client::kPods, &client::kNodes, &client::kDaemonSets, &client::kControllerRevisions}) {
        auto s = factory.For(*r).LastSyncResourceVersion();
        if (!s.empty() && std::stoll(s) >= rv) return true;
      }
      return false;
    }));
    std::this_thread::sleep_for(60ms);
    ASSERT_TRUE(ctl.Reconcile("kube-system/agent").ok());
  }
  std::vector<json::object> Pods() {
    std::vector<json::object> out;
    auto list = fake.List(client::kPods, "kube-system");
    for (auto& p : list->items)
      if (!IsPodTerminating(p)) out.push_back(p);
    return out;
  }
  void MarkReady(const json::object& pod) {
    json::object p = *fake.Get(client::kPods, "kube-system", MetaString(pod, "name"));
    p["status"] = json::object{{"phase", "Running"},
                               {"conditions", json::array{json::object{{"type", "Ready"}, {"status", "True"}}}}};
    ASSERT_TRUE(fake.UpdateStatus(client::kPods, "kube-system", MetaString(pod, "name"), p).ok());
  }
};

TEST_F(DaemonSetFixture, RunsOnePodPerNodeIncludingNodesAddedLater) {
  ASSERT_TRUE(fake.Create(client::kNodes, "", json::object(*Node("n1"))).ok());
  ASSERT_TRUE(fake.Create(client::kDaemonSets, "kube-system", MakeDs()).ok());
  Sync();
  ASSERT_EQ(Pods().size(), 1u);
  EXPECT_EQ(daemonset::PodNodeName(Pods()[0]), "n1");
  auto revs = fake.List(client::kControllerRevisions, "kube-system");
  ASSERT_EQ(revs->items.size(), 1u);
  EXPECT_EQ(revs->items[0].at("revision").as_int64(), 1);
  ASSERT_TRUE(fake.Create(client::kNodes, "", json::object(*Node("n2"))).ok());
  Sync();
  auto pods = Pods();
  ASSERT_EQ(pods.size(), 2u);
  std::set<std::string> nodes;
  for (const auto& p : pods) nodes.insert(daemonset::PodNodeName(p));
  EXPECT_EQ(nodes, (std::set<std::string>{"n1", "n2"}));
  for (const auto& p : pods) MarkReady(p);
  Sync();
  json::object ds = *fake.Get(client::kDaemonSets, "kube-system", "agent");
  EXPECT_EQ(ds.at("status").at("desiredNumberScheduled").as_int64(), 2);
  EXPECT_EQ(ds.at("status").at("numberReady").as_int64(), 2);
  EXPECT_EQ(ds.at("status").at("numberAvailable").as_int64(), 2);
  EXPECT_EQ(ds.at("status").at("updatedNumberScheduled").as_int64(), 2);
}

TEST_F(DaemonSetFixture, TemplateChangeRollsOneNodeAtATime) {
  for (const char* n : {"n1", "n2"}) ASSERT_TRUE(fake.Create(client::kNodes, "", json::object(*Node(n))).ok());
  ASSERT_TRUE(fake.Create(client::kDaemonSets, "kube-system", MakeDs()).ok());
  Sync();
  for (const auto& p : Pods()) MarkReady(p);
  Sync();
  json::object ds = *fake.Get(client::kDaemonSets, "kube-system", "agent");
  ds["spec"].as_object()["template"].as_object()["spec"].as_object()["containers"].as_array()[0].as_object()["image"] =
      "img:2";
  ASSERT_TRUE(fake.Update(client::kDaemonSets, "kube-system", "agent", ds).ok());
  Sync();
  EXPECT_EQ(Pods().size(), 1u);  // one old pod deleted
  EXPECT_EQ(fake.List(client::kControllerRevisions, "kube-system")->items.size(), 2u);
  Sync();
  ASSERT_EQ(Pods().size(), 2u);  // its replacement
  std::string new_hash = daemonset::TemplateHash(*fake.Get(client::kDaemonSets, "kube-system", "agent"));
  int updated = 0;
  for (const auto& p : Pods()) updated += Labels(p)["controller-revision-hash"] == new_hash;
  EXPECT_EQ(updated, 1);
  Sync();
  EXPECT_EQ(Pods().size(), 2u);  // the new pod is not ready: the other old pod stays
  for (const auto& p : Pods()) MarkReady(p);
  Sync();
  Sync();
  Sync();
  updated = 0;
  for (const auto& p : Pods()) updated += Labels(p)["controller-revision-hash"] == new_hash;
  EXPECT_EQ(updated, 2);
}

}  // namespace
}  // namespace k1s::controllers
