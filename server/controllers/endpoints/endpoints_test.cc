#include <gtest/gtest.h>

#include <functional>
#include <thread>

#include "lib/api/meta.h"
#include "lib/client/fake_client.h"
#include "server/controllers/endpoints/endpoints.h"
#include "server/controllers/endpoints/endpoints_logic.h"

namespace k1s::controllers::endpoints {
namespace {

using std::chrono::milliseconds;

bool Eventually(const std::function<bool()>& pred) {
  for (int i = 0; i < 1000; ++i) {
    if (pred()) return true;
    std::this_thread::sleep_for(milliseconds(5));
  }
  return pred();
}

json::object Service(const std::string& name, json::object selector, json::array ports, bool publish = false) {
  json::object spec{{"ports", std::move(ports)}, {"clusterIP", "10.43.0.5"}};
  if (!selector.empty()) spec["selector"] = std::move(selector);
  if (publish) spec["publishNotReadyAddresses"] = true;
  return json::object{{"apiVersion", "v1"},
                      {"kind", "Service"},
                      {"metadata", json::object{{"name", name}, {"namespace", "ns"}, {"uid", "svc-uid-" + name}}},
                      {"spec", std::move(spec)}};
}

json::object Port(const std::string& name, int64_t port, json::value target) {
  json::object p{{"name", name}, {"port", port}, {"protocol", "TCP"}};
  if (!target.is_null()) p["targetPort"] = std::move(target);
  return p;
}

client::ObjectPtr Pod(const std::string& name, const std::string& ip, bool ready, json::object labels = {{"app", "web"}},
                      bool deleting = false) {
  json::object md{{"name", name}, {"namespace", "ns"}, {"uid", "uid-" + name}, {"labels", std::move(labels)}};
  if (deleting) md["deletionTimestamp"] = "2026-01-01T00:00:00Z";
  json::object status{{"phase", "Running"},
                      {"conditions", json::array{json::object{{"type", "Ready"}, {"status", ready ? "True" : "False"}}}}};
  if (!ip.empty()) status["podIP"] = ip;
  json::object spec{{"nodeName", "node1"},
                    {"containers", json::array{json::object{
                                       {"name", "c"},
                                       {"ports", json::array{json::object{{"name", "http"}, {"containerPort", 8080}}}}}}}};
  return std::make_shared<const json::object>(
      json::object{{"metadata", std::move(md)}, {"spec", std::move(spec)}, {"status", std::move(status)}});
}

const json::array& Subsets(const json::object& ep) { return ep.at("subsets").as_array(); }

TEST(EndpointsLogic, ServicesWithoutSelectorOrTheApiServerServiceAreNotManaged) {
  EXPECT_FALSE(ServiceIsManaged(Service("s", {}, {})));
  EXPECT_TRUE(ServiceIsManaged(Service("s", {{"app", "web"}}, {})));
  json::object k = Service("kubernetes", {{"app", "web"}}, {});
  k["metadata"].as_object()["namespace"] = "default";
  EXPECT_FALSE(ServiceIsManaged(k));
}

TEST(EndpointsLogic, ReadyAndNotReadyPodsGoToTheirAddressLists) {
  auto svc = Service("s", {{"app", "web"}}, {Port("http", 80, 8080)});
  auto eps = DesiredEndpoints(svc, {Pod("a", "10.42.0.2", true), Pod("b", "10.42.0.3", false),
                                    Pod("other", "10.42.0.4", true, {{"app", "db"}})});
  ASSERT_EQ(Subsets(eps).size(), 1u);
  const auto& subset = Subsets(eps)[0].as_object();
  ASSERT_EQ(subset.at("addresses").as_array().size(), 1u);
  const auto& addr = subset.at("addresses").as_array()[0].as_object();
  EXPECT_EQ(addr.at("ip"), "10.42.0.2");
  EXPECT_EQ(addr.at("nodeName"), "node1");
  EXPECT_EQ(addr.at("targetRef").at("name"), "a");
  EXPECT_EQ(addr.at("targetRef").at("kind"), "Pod");
  EXPECT_EQ(subset.at("notReadyAddresses").as_array()[0].at("ip"), "10.42.0.3");
  EXPECT_EQ(subset.at("ports").as_array()[0].at("port"), 8080);
  EXPECT_EQ(subset.at("ports").as_array()[0].at("name"), "http");
}

TEST(EndpointsLogic, PodsWithoutIpOrBeingDeletedAreSkipped) {
  auto svc = Service("s", {{"app", "web"}}, {Port("http", 80, 8080)});
  auto eps = DesiredEndpoints(svc, {Pod("a", "", true), Pod("b", "10.42.0.3", true, {{"app", "web"}}, true)});
  EXPECT_FALSE(eps.contains("subsets"));
}

TEST(EndpointsLogic, PublishNotReadyAddressesListsEveryPodAsReadyEvenWhenTerminating) {
  auto svc = Service("s", {{"app", "web"}}, {Port("http", 80, 8080)}, true);
  auto eps = DesiredEndpoints(svc, {Pod("a", "10.42.0.2", false), Pod("b", "10.42.0.3", true, {{"app", "web"}}, true)});
  ASSERT_EQ(Subsets(eps).size(), 1u);
  EXPECT_EQ(Subsets(eps)[0].at("addresses").as_array().size(), 2u);
  EXPECT_FALSE(Subsets(eps)[0].as_object().contains("notReadyAddresses"));
}

TEST(EndpointsLogic, NamedTargetPortResolvesToTheContainerPort) {
  auto pod = Pod("a", "10.42.0.2", true);
  EXPECT_EQ(ResolveTargetPort(*pod, Port("p", 80, "http")), 8080);
  EXPECT_EQ(ResolveTargetPort(*pod, Port("p", 80, "nope")), std::nullopt);
  EXPECT_EQ(ResolveTargetPort(*pod, Port("p", 80, 9000)), 9000);
  EXPECT_EQ(ResolveTargetPort(*pod, Port("p", 80, nullptr)), 80);
}

TEST(EndpointsLogic, AHugeNumericStringTargetPortResolvesToNothingInsteadOfThrowing) {
  // Such a Service predates validation (stored by an older server); it must not abort the controller.
  auto pod = Pod("a", "10.42.0.2", true);
  EXPECT_EQ(ResolveTargetPort(*pod, Port("p", 80, "99999999999999999999")), std::nullopt);
  EXPECT_EQ(ResolveTargetPort(*pod, Port("p", 80, "8081")), 8081);
  auto svc = Service("s", {{"app", "web"}}, {Port("p", 80, "99999999999999999999")});
  EXPECT_NO_THROW(DesiredEndpoints(svc, {Pod("a", "10.42.0.2", true)}));
}

TEST(EndpointsLogic, PodsMissingANamedPortAreLeftOutOfThatPort) {
  auto svc = Service("s", {{"app", "web"}}, {Port("a", 80, "http"), Port("b", 81, 9090)});
  json::object p2 = *Pod("p2", "10.42.0.3", true);
  p2["spec"].as_object()["containers"].as_array()[0].as_object().erase("ports");
  auto eps = DesiredEndpoints(svc, {Pod("p1", "10.42.0.2", true), std::make_shared<const json::object>(p2)});
  // Two port sets: p1 serves both, p2 only the numeric one.
  ASSERT_EQ(Subsets(eps).size(), 2u);
}

TEST(EndpointsLogic, UnchangedEndpointsNeedNoUpdate) {
  auto svc = Service("s", {{"app", "web"}}, {Port("http", 80, 8080)});
  auto desired = DesiredEndpoints(svc, {Pod("a", "10.42.0.2", true)});
  json::object current = desired;
  current["metadata"].as_object()["resourceVersion"] = "7";
  EXPECT_FALSE(EndpointsUpdate(current, desired).has_value());
  auto changed = DesiredEndpoints(svc, {Pod("a", "10.42.0.2", false)});
  auto next = EndpointsUpdate(current, changed);
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->at("metadata").at("resourceVersion"), "7");
}

TEST(EndpointSliceLogic, NewServiceGetsOneLabelledSliceWithConditions) {
  auto svc = Service("s", {{"app", "web"}}, {Port("http", 80, "http")});
  auto plan = PlanEndpointSlices(svc, {Pod("a", "10.42.0.2", true), Pod("b", "10.42.0.3", true, {{"app", "web"}}, true)},
                                 {});
  ASSERT_EQ(plan.create.size(), 1u);
  const auto& s = plan.create[0];
  EXPECT_EQ(s.at("addressType"), "IPv4");
  EXPECT_EQ(s.at("metadata").at("generateName"), "s-");
  EXPECT_EQ(s.at("metadata").at("labels").at(kServiceNameLabel), "s");
  EXPECT_EQ(s.at("metadata").at("labels").at(kManagedByLabel), kManagedByValue);
  EXPECT_EQ(s.at("metadata").at("ownerReferences").as_array()[0].at("uid"), "svc-uid-s");
  EXPECT_EQ(s.at("ports").as_array()[0].at("port"), 8080);
  const auto& eps = s.at("endpoints").as_array();
  ASSERT_EQ(eps.size(), 2u);
  EXPECT_EQ(eps[0].at("conditions").at("ready"), true);
  EXPECT_EQ(eps[1].at("conditions").at("ready"), false);
  EXPECT_EQ(eps[1].at("conditions").at("serving"), true);
  EXPECT_EQ(eps[1].at("conditions").at("terminating"), true);
  EXPECT_EQ(eps[0].at("nodeName"), "node1");
  EXPECT_EQ(eps[0].at("targetRef").at("name"), "a");
}

TEST(EndpointSliceLogic, ManyPodsAreSplitIntoSlicesOfAtMostTheLimit) {
  auto svc = Service("s", {{"app", "web"}}, {Port("http", 80, 8080)});
  std::vector<client::ObjectPtr> pods;
  for (int i = 0; i < 7; ++i) pods.push_back(Pod("p" + std::to_string(i), "10.42.0." + std::to_string(10 + i), true));
  auto plan = PlanEndpointSlices(svc, pods, {}, 3);
  ASSERT_EQ(plan.create.size(), 3u);
  EXPECT_EQ(plan.create[2].at("endpoints").as_array().size(), 1u);
}

TEST(EndpointSliceLogic, AppliedPlanIsStableAndChangesTouchOnlyTheAffectedSlice) {
  auto svc = Service("s", {{"app", "web"}}, {Port("http", 80, 8080)});
  std::vector<client::ObjectPtr> pods;
  for (int i = 0; i < 4; ++i) pods.push_back(Pod("p" + std::to_string(i), "10.42.0." + std::to_string(10 + i), true));
  auto plan = PlanEndpointSlices(svc, pods, {}, 2);
  std::vector<client::ObjectPtr> existing;
  int n = 0;
  for (auto s : plan.create) {
    s["metadata"].as_object()["name"] = "s-" + std::to_string(n++);
    s["metadata"].as_object()["namespace"] = "ns";
    existing.push_back(std::make_shared<const json::object>(s));
  }
  EXPECT_TRUE(PlanEndpointSlices(svc, pods, existing, 2).Empty());
  pods.pop_back();  // 10.42.0.13 goes: only the second slice changes
  auto next = PlanEndpointSlices(svc, pods, existing, 2);
  EXPECT_TRUE(next.create.empty());
  ASSERT_EQ(next.update.size(), 1u);
  EXPECT_EQ(next.update[0].at("metadata").at("name"), "s-1");
  pods.pop_back();  // the second slice empties and is deleted
  next = PlanEndpointSlices(svc, pods, existing, 2);
  ASSERT_EQ(next.remove.size(), 1u);
  EXPECT_EQ(next.remove[0], "s-1");
}

TEST(EndpointSliceLogic, ServiceWithoutEndpointsKeepsOnePlaceholder) {
  auto svc = Service("s", {{"app", "web"}}, {Port("http", 80, 8080)});
  auto plan = PlanEndpointSlices(svc, {}, {});
  ASSERT_EQ(plan.create.size(), 1u);
  EXPECT_TRUE(plan.create[0].at("endpoints").as_array().empty());
}

TEST(EndpointSliceLogic, SlicesOfOtherServicesOrManagersAreIgnored) {
  auto svc = Service("s", {{"app", "web"}}, {Port("http", 80, 8080)});
  json::object other{{"metadata", json::object{{"name", "x"}, {"namespace", "ns"},
                                               {"labels", json::object{{kServiceNameLabel, "s"}}}}}};
  auto plan = PlanEndpointSlices(svc, {Pod("a", "10.42.0.2", true)}, {std::make_shared<const json::object>(other)});
  EXPECT_TRUE(plan.remove.empty());
  EXPECT_EQ(plan.create.size(), 1u);
}

// ---- controllers over the fake client ----

struct Harness {
  client::FakeClient fake;
  client::SharedInformerFactory informers{fake, client::InformerOptions{.poll_interval = milliseconds(20)}};
  client::EventRecorder events{fake, "test"};
  ControllerContext ctx{fake, informers, events};
};

TEST(EndpointsController, CreatesUpdatesAndDeletesEndpointsForAService) {
  Harness h;
  EndpointsController c(h.ctx);
  h.informers.Start();
  c.Start(1);
  ASSERT_TRUE(h.fake.Create(client::kServices, "ns", Service("s", {{"app", "web"}}, {Port("http", 80, 8080)})).ok());
  json::object pod = *Pod("a", "10.42.0.2", true);
  ASSERT_TRUE(h.fake.Create(client::kPods, "ns", pod).ok());
  ASSERT_TRUE(Eventually([&] {
    auto ep = h.fake.Get(client::kEndpoints, "ns", "s");
    return ep.ok() && ep->contains("subsets") && Subsets(*ep)[0].as_object().contains("addresses");
  }));
  ASSERT_TRUE(h.fake.Delete(client::kPods, "ns", "a").ok());
  ASSERT_TRUE(Eventually([&] {
    auto ep = h.fake.Get(client::kEndpoints, "ns", "s");
    return ep.ok() && !ep->contains("subsets");
  }));
  ASSERT_TRUE(h.fake.Delete(client::kServices, "ns", "s").ok());
  ASSERT_TRUE(Eventually([&] { return !h.fake.Get(client::kEndpoints, "ns", "s").ok(); }));
  c.Stop();
}

TEST(EndpointsController, LeavesServicesWithoutSelectorAlone) {
  Harness h;
  EndpointsController c(h.ctx);
  h.informers.Start();
  c.Start(1);
  ASSERT_TRUE(h.fake.Create(client::kServices, "ns", Service("manual", {}, {Port("http", 80, 8080)})).ok());
  ASSERT_TRUE(h.informers.WaitForSync(milliseconds(2000)));
  ASSERT_TRUE(c.Reconcile("ns/manual").ok());
  EXPECT_FALSE(h.fake.Get(client::kEndpoints, "ns", "manual").ok());
  c.Stop();
}

TEST(EndpointSliceController, KeepsOneSlicePerServiceWithoutDuplicates) {
  Harness h;
  EndpointSliceController c(h.ctx);
  h.informers.Start();
  c.Start(2);
  ASSERT_TRUE(h.fake.Create(client::kServices, "ns", Service("s", {{"app", "web"}}, {Port("http", 80, 8080)})).ok());
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(h.fake.Create(client::kPods, "ns", *Pod("p" + std::to_string(i), "10.42.0." + std::to_string(i + 2), true))
                    .ok());
  }
  ASSERT_TRUE(Eventually([&] {
    auto l = h.fake.List(client::kEndpointSlices, "ns");
    return l.ok() && l->items.size() == 1 && l->items[0].at("endpoints").as_array().size() == 5;
  }));
  std::this_thread::sleep_for(milliseconds(100));
  auto l = h.fake.List(client::kEndpointSlices, "ns");
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(l->items.size(), 1u);
  ASSERT_TRUE(h.fake.Delete(client::kServices, "ns", "s").ok());
  ASSERT_TRUE(Eventually([&] { return h.fake.List(client::kEndpointSlices, "ns")->items.empty(); }));
  c.Stop();
}

}  // namespace
}  // namespace k1s::controllers::endpoints
