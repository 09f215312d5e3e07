// The controller manager's leader election, over a FakeClient: two servers' managers never run the
// same component at once, and the second takes over when the first stops.
#include "server/controllers/manager.h"

#include <gtest/gtest.h>

#include <thread>

#include "lib/api/meta.h"
#include "lib/client/fake_client.h"

namespace k1s::controllers {
namespace {

using std::chrono::milliseconds;

ControllerManagerOptions Options(const std::string& identity) {
  ControllerManagerOptions o;
  o.identity = identity;
  o.workers = 1;
  for (auto* le : {&o.controller_manager_election, &o.scheduler_election}) {
    le->lease_duration = milliseconds(1000);
    le->renew_deadline = milliseconds(700);
    le->retry_period = milliseconds(100);
  }
  return o;
}

std::string Holder(client::FakeClient& c, const std::string& lease) {
  auto l = c.Get(client::kLeases, "kube-system", lease);
  if (!l.ok()) return "";
  const auto& spec = l->at("spec").as_object();
  auto it = spec.find("holderIdentity");
  return it == spec.end() || !it->value().is_string() ? "" : std::string(it->value().as_string());
}

bool Eventually(const std::function<bool()>& pred) {
  for (int i = 0; i < 1000; ++i) {
    if (pred()) return true;
    std::this_thread::sleep_for(milliseconds(10));
  }
  return pred();
}

TEST(ControllerManager, OneOfTwoLeadsAndTheOtherTakesOverWhenItStops) {
  client::FakeClient c;
  auto a = std::make_unique<ControllerManager>(c, c, Options("host-a_1"));
  ControllerManager b(c, c, Options("host-b_2"));
  a->Start();
  ASSERT_TRUE(Eventually([&] { return Holder(c, "kube-controller-manager") == "host-a_1"; }));
  ASSERT_TRUE(Eventually([&] { return Holder(c, "kube-scheduler") == "host-a_1"; }));
  b.Start();
  std::this_thread::sleep_for(milliseconds(1500));  // longer than a lease: a keeps renewing
  EXPECT_EQ(Holder(c, "kube-controller-manager"), "host-a_1");
  EXPECT_EQ(Holder(c, "kube-scheduler"), "host-a_1");
  a->Stop();  // releases both Leases
  EXPECT_TRUE(Eventually([&] { return Holder(c, "kube-controller-manager") == "host-b_2"; }));
  EXPECT_TRUE(Eventually([&] { return Holder(c, "kube-scheduler") == "host-b_2"; }));
  a.reset();
  b.Stop();
}

TEST(ControllerManager, ARestartWithTheSameIdentityTakesItsLeaseBackAtOnce) {
  client::FakeClient c;
  {
    ControllerManager a(c, c, Options("host-a_1"));
    a.Start();
    ASSERT_TRUE(Eventually([&] { return Holder(c, "kube-controller-manager") == "host-a_1"; }));
    // A crash: the Lease is not released. Simulate by reading it back as held after a's Stop.
    auto lease = c.Get(client::kLeases, "kube-system", "kube-controller-manager");
    ASSERT_TRUE(lease.ok());
    a.Stop();
    boost::json::object held = *lease;
    api::Metadata(held).erase("resourceVersion");
    ASSERT_TRUE(c.Update(client::kLeases, "kube-system", "kube-controller-manager", held).ok());
  }
  ControllerManagerOptions o = Options("host-a_1");
  o.controller_manager_election.lease_duration = milliseconds(60000);  // a stranger would wait a minute
  ControllerManager again(c, c, o);
  auto t0 = std::chrono::steady_clock::now();
  again.Start();
  std::string renewed_at;
  ASSERT_TRUE(Eventually([&] {
    auto l = c.Get(client::kLeases, "kube-system", "kube-controller-manager");
    return l.ok() && Holder(c, "kube-controller-manager") == "host-a_1" &&
           l->at("spec").as_object().contains("renewTime");
  }));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
  again.Stop();
}

TEST(ControllerManager, WithoutLeaderElectionNoLeaseIsTaken) {
  client::FakeClient c;
  ControllerManagerOptions o = Options("host-a_1");
  o.controller_manager_election.enabled = false;
  o.scheduler_election.enabled = false;
  ControllerManager m(c, c, o);
  m.Start();
  std::this_thread::sleep_for(milliseconds(300));
  EXPECT_FALSE(c.Get(client::kLeases, "kube-system", "kube-controller-manager").ok());
  EXPECT_FALSE(c.Get(client::kLeases, "kube-system", "kube-scheduler").ok());
  m.Stop();
}

}  // namespace
}  // namespace k1s::controllers
