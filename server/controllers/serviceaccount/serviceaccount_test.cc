#include <gtest/gtest.h>

#include <functional>
#include <thread>

#include "lib/client/fake_client.h"
#include "server/controllers/serviceaccount/serviceaccount.h"
#include "server/controllers/serviceaccount/serviceaccount_logic.h"

namespace k1s::controllers::serviceaccount {
namespace {

using std::chrono::milliseconds;

bool Eventually(const std::function<bool()>& pred) {
  for (int i = 0; i < 1000; ++i) {
    if (pred()) return true;
    std::this_thread::sleep_for(milliseconds(5));
  }
  return pred();
}

json::object Namespace(const std::string& name, const std::string& phase = "Active") {
  return json::object{{"metadata", json::object{{"name", name}}}, {"status", json::object{{"phase", phase}}}};
}

TEST(ServiceAccountLogic, TerminatingOrDeletedNamespacesAreNotActive) {
  EXPECT_TRUE(NamespaceIsActive(Namespace("a")));
  EXPECT_TRUE(NamespaceIsActive(json::object{{"metadata", json::object{{"name", "a"}}}}));
  EXPECT_FALSE(NamespaceIsActive(Namespace("a", "Terminating")));
  json::object deleting = Namespace("a");
  deleting["metadata"].as_object()["deletionTimestamp"] = "2026-01-01T00:00:00Z";
  EXPECT_FALSE(NamespaceIsActive(deleting));
}

TEST(RootCaLogic, ConfigMapHoldsTheBundleUnderCaCrt) {
  auto cm = RootCaConfigMap("ns", "PEM");
  EXPECT_EQ(cm.at("data").at("ca.crt"), "PEM");
  EXPECT_EQ(cm.at("metadata").at("name"), "kube-root-ca.crt");
  EXPECT_FALSE(RootCaConfigMapUpdate(cm, "PEM").has_value());
}

TEST(RootCaLogic, EditedDataIsPutBackAndExtraKeysDropped) {
  auto cm = RootCaConfigMap("ns", "PEM");
  cm["data"].as_object()["extra"] = "x";
  auto next = RootCaConfigMapUpdate(cm, "PEM");
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->at("data").as_object().size(), 1u);
  auto rotated = RootCaConfigMapUpdate(RootCaConfigMap("ns", "OLD"), "NEW");
  ASSERT_TRUE(rotated.has_value());
  EXPECT_EQ(rotated->at("data").at("ca.crt"), "NEW");
}

struct Harness {
  client::FakeClient fake;
  client::SharedInformerFactory informers{fake, client::InformerOptions{.poll_interval = milliseconds(20)}};
  client::EventRecorder events{fake, "test"};
  ControllerContext ctx{fake, informers, events};
};

TEST(ServiceAccountsController, EveryActiveNamespaceGetsADefaultServiceAccountAgainAfterDeletion) {
  Harness h;
  ServiceAccountsController c(h.ctx);
  h.informers.Start();
  c.Start(1);
  ASSERT_TRUE(h.fake.Create(client::kNamespaces, "", Namespace("a")).ok());
  ASSERT_TRUE(h.fake.Create(client::kNamespaces, "", Namespace("gone", "Terminating")).ok());
  ASSERT_TRUE(Eventually([&] { return h.fake.Get(client::kServiceAccounts, "a", "default").ok(); }));
  ASSERT_TRUE(h.fake.Delete(client::kServiceAccounts, "a", "default").ok());
  ASSERT_TRUE(Eventually([&] { return h.fake.Get(client::kServiceAccounts, "a", "default").ok(); }));
  std::this_thread::sleep_for(milliseconds(50));
  EXPECT_FALSE(h.fake.Get(client::kServiceAccounts, "gone", "default").ok());
  c.Stop();
}

TEST(RootCaPublisher, PublishesTheBundleInEveryNamespaceAndRepairsEdits) {
  Harness h;
  RootCaPublisher c(h.ctx, "-----BEGIN CERTIFICATE-----\nX\n-----END CERTIFICATE-----\n");
  h.informers.Start();
  c.Start(1);
  ASSERT_TRUE(h.fake.Create(client::kNamespaces, "", Namespace("a")).ok());
  ASSERT_TRUE(Eventually([&] { return h.fake.Get(client::kConfigMaps, "a", "kube-root-ca.crt").ok(); }));
  auto cm = h.fake.Get(client::kConfigMaps, "a", "kube-root-ca.crt");
  ASSERT_TRUE(cm.ok());
  json::object edited = *cm;
  edited["data"].as_object()["ca.crt"] = "tampered";
  ASSERT_TRUE(h.fake.Update(client::kConfigMaps, "a", "kube-root-ca.crt", edited).ok());
  ASSERT_TRUE(Eventually([&] {
    auto now = h.fake.Get(client::kConfigMaps, "a", "kube-root-ca.crt");
    return now.ok() && now->at("data").at("ca.crt") != "tampered";
  }));
  ASSERT_TRUE(h.fake.Delete(client::kConfigMaps, "a", "kube-root-ca.crt").ok());
  ASSERT_TRUE(Eventually([&] { return h.fake.Get(client::kConfigMaps, "a", "kube-root-ca.crt").ok(); }));
  c.Stop();
}

}  // namespace
}  // namespace k1s::controllers::serviceaccount
