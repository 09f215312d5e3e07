#include <gtest/gtest.h>

#include <functional>
#include <thread>

#include "lib/api/meta.h"
#include "lib/client/fake_client.h"
#include "server/controllers/garbagecollector/garbagecollector.h"
#include "server/controllers/garbagecollector/garbagecollector_logic.h"

namespace k1s::controllers::garbagecollector {
namespace {

using std::chrono::milliseconds;

bool Eventually(const std::function<bool()>& pred) {
  for (int i = 0; i < 1000; ++i) {
    if (pred()) return true;
    std::this_thread::sleep_for(milliseconds(5));
  }
  return pred();
}

json::object RefTo(const json::object& owner, bool block = true) {
  return json::object{{"apiVersion", owner.at("apiVersion")}, {"kind", owner.at("kind")},
                      {"name", api::MetaString(owner, "name")}, {"uid", api::MetaString(owner, "uid")},
                      {"controller", true},                      {"blockOwnerDeletion", block}};
}

json::object Obj(const std::string& name, json::array refs = {}) {
  json::object md{{"name", name}, {"namespace", "ns"}};
  if (!refs.empty()) md["ownerReferences"] = std::move(refs);
  return json::object{{"metadata", std::move(md)}};
}

TEST(GarbageCollectorLogic, OwnerRefsAndFinalizersAreReadAndRemoved) {
  json::object owner{{"apiVersion", "apps/v1"}, {"kind", "ReplicaSet"},
                     {"metadata", json::object{{"name", "rs"}, {"uid", "u1"}, {"finalizers", json::array{"orphan", "x"}}}}};
  json::object dep = Obj("p", {RefTo(owner), json::object{{"apiVersion", "v1"}, {"kind", "Pod"}, {"name", "o"}, {"uid", "u2"}}});
  auto refs = OwnerRefs(dep);
  ASSERT_EQ(refs.size(), 2u);
  EXPECT_TRUE(refs[0].block_owner_deletion);
  EXPECT_EQ(OwnerRefs(WithoutOwnerRefs(dep, {"u1"})).size(), 1u);
  EXPECT_FALSE(WithoutOwnerRefs(dep, {"u1", "u2"}).at("metadata").as_object().contains("ownerReferences"));
  EXPECT_TRUE(HasFinalizer(owner, "orphan"));
  EXPECT_FALSE(HasFinalizer(WithoutFinalizer(owner, "orphan"), "orphan"));
  EXPECT_TRUE(HasFinalizer(WithoutFinalizer(owner, "orphan"), "x"));
}

TEST(GarbageCollectorLogic, RefsResolveToResourcesByGroupAndKindAnyVersion) {
  std::vector<client::Resource> rs{client::kPods, client::kReplicaSets};
  EXPECT_EQ(ResourceForRef(rs, "apps/v1beta2", "ReplicaSet")->plural, "replicasets");
  EXPECT_EQ(ResourceForRef(rs, "v1", "Pod")->plural, "pods");
  EXPECT_FALSE(ResourceForRef(rs, "v1", "ReplicaSet").has_value());
}

TEST(GarbageCollectorLogic, OwnersAreSolidDanglingOrWaiting) {
  OwnerRef ref{"v1", "ConfigMap", "o", "u1"};
  json::object owner{{"metadata", json::object{{"name", "o"}, {"uid", "u1"}}}};
  EXPECT_EQ(ClassifyOwner(ref, nullptr), OwnerState::kDangling);
  EXPECT_EQ(ClassifyOwner(ref, &owner), OwnerState::kSolid);
  json::object replaced{{"metadata", json::object{{"name", "o"}, {"uid", "u9"}}}};
  EXPECT_EQ(ClassifyOwner(ref, &replaced), OwnerState::kDangling);
  json::object waiting{{"metadata", json::object{{"name", "o"}, {"uid", "u1"}, {"deletionTimestamp", "t"},
                                                 {"finalizers", json::array{"foregroundDeletion"}}}}};
  EXPECT_EQ(ClassifyOwner(ref, &waiting), OwnerState::kWaiting);
}

TEST(GarbageCollectorLogic, DependentsAreDeletedOnlyWithoutSolidOwners) {
  OwnerRef a{"v1", "ConfigMap", "a", "ua"}, b{"v1", "ConfigMap", "b", "ub"};
  EXPECT_EQ(DecideForDependent({{a, OwnerState::kSolid}}, false).kind, Decision::Kind::kNothing);
  auto d = DecideForDependent({{a, OwnerState::kDangling}}, true);
  EXPECT_EQ(d.kind, Decision::Kind::kDelete);
  EXPECT_EQ(d.propagation, "Background");
  d = DecideForDependent({{a, OwnerState::kWaiting}}, true);
  EXPECT_EQ(d.propagation, "Foreground");
  EXPECT_EQ(DecideForDependent({{a, OwnerState::kWaiting}}, false).propagation, "Background");
  d = DecideForDependent({{a, OwnerState::kSolid}, {b, OwnerState::kDangling}}, false);
  EXPECT_EQ(d.kind, Decision::Kind::kRemoveOwnerRefs);
  EXPECT_EQ(d.remove_uids, std::set<std::string>{"ub"});
}

TEST(GarbageCollectorLogic, OnlyBlockingDependentsHoldAForegroundDeletion) {
  json::object owner{{"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"metadata", json::object{{"name", "o"}, {"uid", "u"}}}};
  auto blocking = std::make_shared<const json::object>(Obj("a", {RefTo(owner, true)}));
  auto loose = std::make_shared<const json::object>(Obj("b", {RefTo(owner, false)}));
  EXPECT_EQ(BlockingDependents("u", {blocking, loose}), 1u);
  EXPECT_EQ(BlockingDependents("u", {loose}), 0u);
}

struct Harness {
  client::FakeClient fake;
  client::SharedInformerFactory informers{fake, client::InformerOptions{.poll_interval = milliseconds(20)}};
  client::EventRecorder events{fake, "test"};
  ControllerContext ctx{fake, informers, events};
  GarbageCollector gc{ctx, {client::kReplicaSets, client::kConfigMaps, client::kSecrets}, milliseconds(2000)};
  Harness() {
    informers.Start();
    gc.Start(2);
  }
  ~Harness() { gc.Stop(); }
  json::object Owner(const std::string& name) {
    auto r = fake.Create(client::kReplicaSets, "ns", Obj(name));
    EXPECT_TRUE(r.ok());
    return *r;
  }
  void Dependent(const client::Resource& r, const std::string& name, json::array refs) {
    ASSERT_TRUE(fake.Create(r, "ns", Obj(name, std::move(refs))).ok());
  }
  bool Exists(const client::Resource& r, const std::string& name) { return fake.Get(r, "ns", name).ok(); }
};

TEST(GarbageCollector, DeletingAnOwnerDeletesItsDependentsInTheBackground) {
  Harness h;
  auto rs = h.Owner("rs");
  h.Dependent(client::kConfigMaps, "a", {RefTo(rs)});
  h.Dependent(client::kSecrets, "b", {RefTo(rs)});
  h.Dependent(client::kConfigMaps, "unrelated", {});
  std::this_thread::sleep_for(milliseconds(50));
  EXPECT_TRUE(h.Exists(client::kConfigMaps, "a"));
  ASSERT_TRUE(h.fake.Delete(client::kReplicaSets, "ns", "rs").ok());
  ASSERT_TRUE(Eventually([&] { return !h.Exists(client::kConfigMaps, "a") && !h.Exists(client::kSecrets, "b"); }));
  EXPECT_TRUE(h.Exists(client::kConfigMaps, "unrelated"));
}

TEST(GarbageCollector, DependentOfAnOwnerThatNeverExistedIsDeleted) {
  Harness h;
  json::object ghost{{"apiVersion", "apps/v1"}, {"kind", "ReplicaSet"},
                     {"metadata", json::object{{"name", "ghost"}, {"uid", "no-such-uid"}}}};
  h.Dependent(client::kConfigMaps, "a", {RefTo(ghost)});
  ASSERT_TRUE(Eventually([&] { return !h.Exists(client::kConfigMaps, "a"); }));
}

TEST(GarbageCollector, DependentWithAnotherLiveOwnerOnlyLosesTheDanglingReference) {
  Harness h;
  auto rs1 = h.Owner("rs1");
  auto rs2 = h.Owner("rs2");
  h.Dependent(client::kConfigMaps, "a", {RefTo(rs1), RefTo(rs2)});
  ASSERT_TRUE(h.fake.Delete(client::kReplicaSets, "ns", "rs1").ok());
  ASSERT_TRUE(Eventually([&] {
    auto cm = h.fake.Get(client::kConfigMaps, "ns", "a");
    return cm.ok() && OwnerRefs(*cm).size() == 1 && OwnerRefs(*cm)[0].name == "rs2";
  }));
}

TEST(GarbageCollector, ForegroundDeletionWaitsForDependentsThenRemovesTheFinalizer) {
  Harness h;
  auto rs = h.Owner("rs");
  h.Dependent(client::kConfigMaps, "a", {RefTo(rs)});
  // A dependent's own finalizer holds the owner until it is released.
  json::object held = Obj("held", {RefTo(rs)});
  held["metadata"].as_object()["finalizers"] = json::array{"example.com/hold"};
  ASSERT_TRUE(h.fake.Create(client::kSecrets, "ns", held).ok());
  client::DeleteOptions fg;
  fg.propagation_policy = "Foreground";
  ASSERT_TRUE(h.fake.Delete(client::kReplicaSets, "ns", "rs", fg, nullptr).ok());
  ASSERT_TRUE(Eventually([&] { return !h.Exists(client::kConfigMaps, "a"); }));
  std::this_thread::sleep_for(milliseconds(50));
  auto owner = h.fake.Get(client::kReplicaSets, "ns", "rs");
  ASSERT_TRUE(owner.ok());
  EXPECT_TRUE(HasFinalizer(*owner, kForegroundFinalizer));
  auto s = h.fake.Get(client::kSecrets, "ns", "held");
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(IsBeingDeleted(*s));
  ASSERT_TRUE(h.fake.Update(client::kSecrets, "ns", "held", WithoutFinalizer(*s, "example.com/hold")).ok());
  ASSERT_TRUE(Eventually([&] { return !h.Exists(client::kReplicaSets, "rs"); }));
}

TEST(GarbageCollector, OrphanDeletionKeepsDependentsWithoutTheReference) {
  Harness h;
  auto rs = h.Owner("rs");
  auto other = h.Owner("other");
  h.Dependent(client::kConfigMaps, "a", {RefTo(rs)});
  h.Dependent(client::kConfigMaps, "b", {RefTo(rs), RefTo(other)});
  std::this_thread::sleep_for(milliseconds(50));
  client::DeleteOptions orphan;
  orphan.propagation_policy = "Orphan";
  ASSERT_TRUE(h.fake.Delete(client::kReplicaSets, "ns", "rs", orphan, nullptr).ok());
  ASSERT_TRUE(Eventually([&] { return !h.Exists(client::kReplicaSets, "rs"); }));
  std::this_thread::sleep_for(milliseconds(50));
  auto a = h.fake.Get(client::kConfigMaps, "ns", "a");
  auto b = h.fake.Get(client::kConfigMaps, "ns", "b");
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(b.ok());
  EXPECT_TRUE(OwnerRefs(*a).empty());
  ASSERT_EQ(OwnerRefs(*b).size(), 1u);
  EXPECT_EQ(OwnerRefs(*b)[0].name, "other");
}

}  // namespace
}  // namespace k1s::controllers::garbagecollector
