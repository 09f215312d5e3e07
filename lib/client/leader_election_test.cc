#include "lib/client/leader_election.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "lib/client/fake_client.h"

namespace k1s::client {
namespace {

using std::chrono::milliseconds;

class TestClock final : public Clock {
 public:
  std::chrono::system_clock::time_point Now() const override {
    return std::chrono::system_clock::from_time_t(1764064800) + offset_.load();
  }
  std::chrono::steady_clock::time_point Monotonic() const override {
    return std::chrono::steady_clock::time_point() + std::chrono::hours(1) + offset_.load();
  }
  void Advance(std::chrono::milliseconds d) { offset_ = offset_.load() + d; }

 private:
  std::atomic<std::chrono::milliseconds> offset_{std::chrono::milliseconds(0)};
};

bool Eventually(const std::function<bool()>& pred) {
  for (int i = 0; i < 2000; ++i) {
    if (pred()) return true;
    std::this_thread::sleep_for(milliseconds(5));
  }
  return pred();
}

LeaderElectionConfig Config(const std::string& id, Clock* clock = nullptr) {
  LeaderElectionConfig c;
  c.lease_name = "k1s-test";
  c.identity = id;
  c.clock = clock;
  return c;
}

json::object LeaseSpec(FakeClient& c) {
  auto lease = c.Get(kLeases, "kube-system", "k1s-test");
  EXPECT_TRUE(lease.ok());
  return lease.ok() ? lease->at("spec").as_object() : json::object{};
}

TEST(LeaderElector, TheFirstCandidateCreatesTheLease) {
  FakeClient c;
  TestClock clock;
  LeaderElector a(c, Config("a", &clock));
  ASSERT_TRUE(a.TryAcquireOrRenew());
  json::object spec = LeaseSpec(c);
  EXPECT_EQ(spec["holderIdentity"], "a");
  EXPECT_EQ(spec["leaseDurationSeconds"], 15);
  EXPECT_EQ(spec["leaseTransitions"], 0);
  EXPECT_EQ(spec["renewTime"], "2025-11-25T10:00:00.000000Z");
  EXPECT_EQ(spec["acquireTime"], "2025-11-25T10:00:00.000000Z");
  EXPECT_EQ(a.Leader(), "a");
}

TEST(LeaderElector, AnotherCandidateTakesTheLeaseOnlyAfterItExpires) {
  FakeClient c;
  TestClock clock;
  LeaderElector a(c, Config("a", &clock));
  LeaderElector b(c, Config("b", &clock));
  ASSERT_TRUE(a.TryAcquireOrRenew());
  EXPECT_FALSE(b.TryAcquireOrRenew());
  EXPECT_EQ(b.Leader(), "a");
  clock.Advance(milliseconds(10000));
  EXPECT_FALSE(b.TryAcquireOrRenew());
  clock.Advance(milliseconds(5001));
  ASSERT_TRUE(b.TryAcquireOrRenew());
  json::object spec = LeaseSpec(c);
  EXPECT_EQ(spec["holderIdentity"], "b");
  EXPECT_EQ(spec["leaseTransitions"], 1);
  EXPECT_EQ(spec["acquireTime"], "2025-11-25T10:00:15.001000Z");
  // The old holder sees the new one and does not take the Lease back.
  EXPECT_FALSE(a.TryAcquireOrRenew());
  EXPECT_EQ(a.Leader(), "b");
}

TEST(LeaderElector, RenewalKeepsTheLeaseFromOthers) {
  FakeClient c;
  TestClock clock;
  LeaderElector a(c, Config("a", &clock));
  LeaderElector b(c, Config("b", &clock));
  ASSERT_TRUE(a.TryAcquireOrRenew());
  EXPECT_FALSE(b.TryAcquireOrRenew());
  for (int i = 0; i < 5; ++i) {
    clock.Advance(milliseconds(10000));
    ASSERT_TRUE(a.TryAcquireOrRenew());
    EXPECT_FALSE(b.TryAcquireOrRenew());
  }
  json::object spec = LeaseSpec(c);
  EXPECT_EQ(spec["holderIdentity"], "a");
  EXPECT_EQ(spec["leaseTransitions"], 0);
  EXPECT_EQ(spec["acquireTime"], "2025-11-25T10:00:00.000000Z");
}

// Forwards to a FakeClient, and after the first Get of the Lease lets another writer change it.
class IntrudingClient final : public Client {
 public:
  explicit IntrudingClient(FakeClient& c) : c_(c) {}
  using Client::Create;
  using Client::Delete;
  using Client::List;
  using Client::Patch;
  using Client::Update;
  Result<json::object> Get(const Resource& r, const std::string& ns, const std::string& name) override {
    auto got = c_.Get(r, ns, name);
    if (got.ok() && intrude_) {
      intrude_ = false;
      json::object l = *got;
      l["spec"].as_object()["holderIdentity"] = "intruder";
      EXPECT_TRUE(c_.Update(r, ns, name, l).ok());
    }
    return got;
  }
  Result<ObjectList> List(const Resource& r, const std::string& ns, const ListOptions& o) override {
    return c_.List(r, ns, o);
  }
  Result<std::unique_ptr<client::Watch>> Watch(const Resource& r, const std::string& ns,
                                               const ListOptions& o) override {
    return c_.Watch(r, ns, o);
  }
  Result<json::object> Create(const Resource& r, const std::string& ns, json::object obj,
                              const WriteOptions& o) override {
    return c_.Create(r, ns, std::move(obj), o);
  }
  Result<json::object> Update(const Resource& r, const std::string& ns, const std::string& name, json::object obj,
                              const WriteOptions& o, const std::string& sub) override {
    return c_.Update(r, ns, name, std::move(obj), o, sub);
  }
  Result<json::object> Patch(const Resource& r, const std::string& ns, const std::string& name, PatchType t,
                             const json::value& p, const WriteOptions& o, const std::string& sub) override {
    return c_.Patch(r, ns, name, t, p, o, sub);
  }
  Result<json::object> Delete(const Resource& r, const std::string& ns, const std::string& name,
                              const DeleteOptions& o, bool* gone) override {
    return c_.Delete(r, ns, name, o, gone);
  }
  Result<ObjectList> DeleteCollection(const Resource& r, const std::string& ns, const ListOptions& l,
                                      const DeleteOptions& o) override {
    return c_.DeleteCollection(r, ns, l, o);
  }
  Result<json::object> Post(const Resource& r, const std::string& ns, const std::string& name,
                            const std::string& sub, const json::object& body) override {
    return c_.Post(r, ns, name, sub, body);
  }
  bool intrude_ = false;

 private:
  FakeClient& c_;
};

TEST(LeaderElector, ARenewalWithAStaleResourceVersionLoses) {
  FakeClient c;
  IntrudingClient ic(c);
  TestClock clock;
  LeaderElector a(ic, Config("a", &clock));
  ASSERT_TRUE(a.TryAcquireOrRenew());
  clock.Advance(milliseconds(2000));
  ic.intrude_ = true;
  EXPECT_FALSE(a.TryAcquireOrRenew());
  EXPECT_EQ(LeaseSpec(c)["holderIdentity"], "intruder");
  // Next time it sees the intruder holding an unexpired Lease.
  EXPECT_FALSE(a.TryAcquireOrRenew());
  EXPECT_EQ(a.Leader(), "intruder");
}

LeaderElectionConfig Fast(const std::string& id, std::atomic<int>* started, std::atomic<int>* stopped) {
  LeaderElectionConfig c = Config(id);
  c.lease_duration = milliseconds(1000);
  c.renew_deadline = milliseconds(400);
  c.retry_period = milliseconds(50);
  c.on_started_leading = [started] { ++*started; };
  c.on_stopped_leading = [stopped] { ++*stopped; };
  return c;
}

TEST(LeaderElector, StoppingTheLeaderHandsTheLeaseToTheOtherCandidate) {
  FakeClient c;
  std::atomic<int> a_started{0}, a_stopped{0}, b_started{0}, b_stopped{0};
  auto a = std::make_unique<LeaderElector>(c, Fast("a", &a_started, &a_stopped));
  LeaderElector b(c, Fast("b", &b_started, &b_stopped));
  a->Start();
  ASSERT_TRUE(Eventually([&] { return a->IsLeader(); }));
  b.Start();
  std::this_thread::sleep_for(milliseconds(200));
  EXPECT_FALSE(b.IsLeader());
  EXPECT_EQ(b.Leader(), "a");
  a->Stop();
  EXPECT_EQ(a_started, 1);
  EXPECT_EQ(a_stopped, 1);
  EXPECT_FALSE(a->IsLeader());
  ASSERT_TRUE(Eventually([&] { return b.IsLeader(); }));
  EXPECT_EQ(b_started, 1);
  EXPECT_EQ(LeaseSpec(c)["holderIdentity"], "b");
  EXPECT_EQ(LeaseSpec(c)["leaseTransitions"], 1);
  b.Stop();
  EXPECT_EQ(b_stopped, 1);
  EXPECT_EQ(LeaseSpec(c)["holderIdentity"], "");
}

TEST(LeaderElector, ALeaderThatCannotRenewStopsLeadingAndLaterLeadsAgain) {
  FakeClient c;
  std::atomic<int> started{0}, stopped{0};
  std::atomic<bool> fail_updates{false};
  c.SetErrorHook([&](const std::string& verb, const Resource&, const std::string&,
                     const std::string&) -> std::optional<Error> {
    if (verb == "update" && fail_updates) return Error{ErrorCode::kServiceUnavailable, "datastore away"};
    return std::nullopt;
  });
  LeaderElector a(c, Fast("a", &started, &stopped));
  a.Start();
  ASSERT_TRUE(Eventually([&] { return a.IsLeader(); }));
  fail_updates = true;
  ASSERT_TRUE(Eventually([&] { return stopped == 1; }));
  EXPECT_FALSE(a.IsLeader());
  fail_updates = false;
  ASSERT_TRUE(Eventually([&] { return a.IsLeader(); }));
  EXPECT_EQ(started, 2);
  a.Stop();
  EXPECT_EQ(stopped, 2);
}

TEST(LeaderElector, WithoutReleaseTheOtherCandidateWaitsForExpiry) {
  FakeClient c;
  std::atomic<int> a_started{0}, a_stopped{0}, b_started{0}, b_stopped{0};
  LeaderElectionConfig ac = Fast("a", &a_started, &a_stopped);
  ac.release_on_cancel = false;
  LeaderElector a(c, ac);
  LeaderElector b(c, Fast("b", &b_started, &b_stopped));
  a.Start();
  ASSERT_TRUE(Eventually([&] { return a.IsLeader(); }));
  b.Start();
  ASSERT_TRUE(Eventually([&] { return b.Leader() == "a"; }));
  a.Stop();
  EXPECT_EQ(LeaseSpec(c)["holderIdentity"], "a");
  ASSERT_TRUE(Eventually([&] { return b.IsLeader(); }));
  EXPECT_EQ(LeaseSpec(c)["holderIdentity"], "b");
}

}  // namespace
}  // namespace k1s::client
