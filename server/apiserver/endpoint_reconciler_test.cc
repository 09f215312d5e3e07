#include "server/apiserver/endpoint_reconciler.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <thread>

#include "lib/api/meta.h"
#include "server/registry/testing.h"

namespace k1s::apiserver {
namespace {

using registry::RegistryFixture;

class EndpointReconcilerTest : public RegistryFixture {
 protected:
  const registry::ResourceInfo& Endpoints() { return R("", "endpoints"); }
  const registry::ResourceInfo& Slices() { return R("discovery.k8s.io", "endpointslices"); }
  std::string Get(const registry::ResourceInfo& r, const char* field) {
    auto obj = reg_->Get(r, "default", "kubernetes");
    if (!obj.ok()) return obj.error().message;
    const json::value* v = obj->if_contains(field);
    return v ? json::serialize(*v) : "<none>";
  }
  std::string Labels(const registry::ResourceInfo& r) {
    auto obj = reg_->Get(r, "default", "kubernetes");
    if (!obj.ok()) return obj.error().message;
    return json::serialize(obj->at("metadata").as_object().at("labels"));
  }
};

TEST_F(EndpointReconcilerTest, CreatesTheEndpointsAndTheSliceOfTheKubernetesService) {
  EndpointReconciler rec(*reg_, {"10.0.0.7", 6443});
  ASSERT_TRUE(rec.ReconcileOnce().ok());
  EXPECT_EQ(Get(Endpoints(), "subsets"),
            R"([{"addresses":[{"ip":"10.0.0.7"}],"ports":[{"name":"https","port":6443,"protocol":"TCP"}]}])");
  EXPECT_EQ(Labels(Endpoints()), R"({"endpointslice.kubernetes.io/skip-mirror":"true"})");
  EXPECT_EQ(Get(Slices(), "addressType"), R"("IPv4")");
  EXPECT_EQ(Get(Slices(), "endpoints"), R"([{"addresses":["10.0.0.7"],"conditions":{"ready":true}}])");
  EXPECT_EQ(Get(Slices(), "ports"), R"([{"name":"https","port":6443,"protocol":"TCP"}])");
  EXPECT_EQ(Labels(Slices()), R"({"kubernetes.io/service-name":"kubernetes"})");
}

TEST_F(EndpointReconcilerTest, ASecondPassWritesNothing) {
  EndpointReconciler rec(*reg_, {"10.0.0.7", 6443});
  ASSERT_TRUE(rec.ReconcileOnce().ok());
  auto before = reg_->Get(Endpoints(), "default", "kubernetes");
  auto slice_before = reg_->Get(Slices(), "default", "kubernetes");
  ASSERT_TRUE(before.ok() && slice_before.ok());
  ASSERT_TRUE(rec.ReconcileOnce().ok());
  EXPECT_EQ(api::MetaString(*reg_->Get(Endpoints(), "default", "kubernetes"), "resourceVersion"),
            api::MetaString(*before, "resourceVersion"));
  EXPECT_EQ(api::MetaString(*reg_->Get(Slices(), "default", "kubernetes"), "resourceVersion"),
            api::MetaString(*slice_before, "resourceVersion"));
}

TEST_F(EndpointReconcilerTest, RepairsEditedAndDeletedObjects) {
  EndpointReconciler rec(*reg_, {"10.0.0.7", 6443});
  ASSERT_TRUE(rec.ReconcileOnce().ok());
  auto ep = reg_->Get(Endpoints(), "default", "kubernetes");
  ASSERT_TRUE(ep.ok());
  (*ep)["subsets"] = boost::json::parse(R"([{"addresses":[{"ip":"10.9.9.9"}],"ports":[{"port":1,"protocol":"TCP"}]}])");
  api::Metadata(*ep)["labels"] = json::object{{"team", "x"}};
  ASSERT_TRUE(reg_->Update(Endpoints(), "default", "kubernetes", *ep, {}).ok());
  ASSERT_TRUE(reg_->Delete(Slices(), "default", "kubernetes", {}).ok());

  ASSERT_TRUE(rec.ReconcileOnce().ok());
  EXPECT_EQ(Get(Endpoints(), "subsets"),
            R"([{"addresses":[{"ip":"10.0.0.7"}],"ports":[{"name":"https","port":6443,"protocol":"TCP"}]}])");
  EXPECT_EQ(Labels(Endpoints()), R"({"team":"x","endpointslice.kubernetes.io/skip-mirror":"true"})");
  EXPECT_EQ(Get(Slices(), "endpoints"), R"([{"addresses":["10.0.0.7"],"conditions":{"ready":true}}])");
}

TEST_F(EndpointReconcilerTest, ANewAddressOrPortIsPublished) {
  ASSERT_TRUE(EndpointReconciler(*reg_, {"10.0.0.7", 6443}).ReconcileOnce().ok());
  ASSERT_TRUE(EndpointReconciler(*reg_, {"10.0.0.8", 7443}).ReconcileOnce().ok());
  EXPECT_EQ(Get(Endpoints(), "subsets"),
            R"([{"addresses":[{"ip":"10.0.0.8"}],"ports":[{"name":"https","port":7443,"protocol":"TCP"}]}])");
  EXPECT_EQ(Get(Slices(), "endpoints"), R"([{"addresses":["10.0.0.8"],"conditions":{"ready":true}}])");
  EXPECT_EQ(Get(Slices(), "ports"), R"([{"name":"https","port":7443,"protocol":"TCP"}])");
}

TEST_F(EndpointReconcilerTest, StartDoesAFirstPassAndStopEndsTheLoop) {
  EndpointReconciler rec(*reg_, {"10.0.0.7", 6443, std::chrono::milliseconds(20)});
  ASSERT_TRUE(rec.Start().ok());
  EXPECT_EQ(Get(Slices(), "addressType"), R"("IPv4")");
  ASSERT_TRUE(reg_->Delete(Endpoints(), "default", "kubernetes", {}).ok());
  for (int i = 0; i < 200 && !reg_->Get(Endpoints(), "default", "kubernetes").ok(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_TRUE(reg_->Get(Endpoints(), "default", "kubernetes").ok());
  rec.Stop();
}

TEST(EndpointReconcilerLogic, RepairLeavesCorrectObjectsAlone) {
  json::object ep = DesiredEndpoints("192.168.1.2", 6443);
  api::Metadata(ep)["resourceVersion"] = "5";
  EXPECT_FALSE(RepairEndpoints(ep, DesiredEndpoints("192.168.1.2", 6443)));
  json::object slice = DesiredEndpointSlice("192.168.1.2", 6443);
  EXPECT_FALSE(RepairEndpointSlice(slice, DesiredEndpointSlice("192.168.1.2", 6443)));
  // An extra label on the slice is taken off, as upstream compares the labels whole.
  api::Metadata(slice)["labels"].as_object()["x"] = "y";
  auto fixed = RepairEndpointSlice(slice, DesiredEndpointSlice("192.168.1.2", 6443));
  ASSERT_TRUE(fixed);
  EXPECT_EQ(json::serialize(fixed->at("metadata").as_object().at("labels")),
            R"({"kubernetes.io/service-name":"kubernetes"})");
}

TEST(EndpointReconcilerLogic, IPv6AddressesMakeAnIPv6Slice) {
  EXPECT_EQ(DesiredEndpointSlice("fd00::1", 6443).at("addressType"), "IPv6");
}

TEST(EndpointReconcilerLogic, AdvertiseAddressPrefersTheFlagThenASpecificBindAddress) {
  EXPECT_EQ(AdvertiseAddress("10.1.2.3", "127.0.0.1"), "10.1.2.3");
  EXPECT_EQ(AdvertiseAddress("", "127.0.0.1"), "127.0.0.1");
  std::string picked = AdvertiseAddress("", "0.0.0.0");
  EXPECT_FALSE(picked.empty());
  EXPECT_EQ(picked.find(':'), std::string::npos) << picked;  // an IPv4 address
  EXPECT_NE(picked, "0.0.0.0");
}

}  // namespace
}  // namespace k1s::apiserver
