#include "lib/client/informer.h"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "lib/api/meta.h"
#include "lib/client/fake_client.h"

namespace k1s::client {
namespace {

using std::chrono::milliseconds;

bool Eventually(const std::function<bool()>& pred) {
  for (int i = 0; i < 2000; ++i) {
    if (pred()) return true;
    std::this_thread::sleep_for(milliseconds(5));
  }
  return pred();
}

json::object Pod(const std::string& ns, const std::string& name, const std::string& node = "",
                 json::object labels = {}) {
  json::object spec{{"containers", json::array{json::object{{"name", "c"}}}}};
  if (!node.empty()) spec["nodeName"] = node;
  return json::object{{"metadata", json::object{{"name", name}, {"namespace", ns}, {"labels", labels}}},
                      {"spec", spec}};
}

// Records handler calls as "add ns/name", "update ns/name", "delete ns/name".
struct Recorder {
  std::mutex mu;
  std::vector<std::string> calls;
  std::thread::id thread;
  bool one_thread = true;

  EventHandlers Handlers() {
    auto note = [this](const std::string& what, const ObjectPtr& o) {
      std::lock_guard<std::mutex> lock(mu);
      if (thread == std::thread::id()) thread = std::this_thread::get_id();
      one_thread = one_thread && thread == std::this_thread::get_id();
      calls.push_back(what + " " + KeyOf(*o));
    };
    return EventHandlers{[note](const ObjectPtr& o) { note("add", o); },
                         [note](const ObjectPtr&, const ObjectPtr& o) { note("update", o); },
                         [note](const ObjectPtr& o) { note("delete", o); }};
  }
  std::vector<std::string> Calls() {
    std::lock_guard<std::mutex> lock(mu);
    return calls;
  }
  bool Has(const std::string& call) {
    auto c = Calls();
    return std::find(c.begin(), c.end(), call) != c.end();
  }
};

InformerOptions Fast() {
  InformerOptions o;
  o.poll_interval = milliseconds(50);
  o.initial_backoff = milliseconds(5);
  o.max_backoff = milliseconds(50);
  return o;
}

TEST(SharedInformer, ListsThenSyncsAndCallsOnAddForEachObject) {
  FakeClient c;
  ASSERT_TRUE(c.Create(kPods, "default", Pod("default", "a")).ok());
  ASSERT_TRUE(c.Create(kPods, "default", Pod("default", "b")).ok());
  Recorder rec;  // outlives the informer
  SharedInformer inf(c, kPods, Fast());
  inf.AddEventHandler(rec.Handlers());
  EXPECT_FALSE(inf.HasSynced());
  inf.Start();
  ASSERT_TRUE(inf.WaitForSync(milliseconds(10000)));
  EXPECT_EQ(inf.Size(), 2u);
  EXPECT_EQ(rec.Calls().size(), 2u);
  EXPECT_TRUE(rec.Has("add default/a"));
  ASSERT_NE(inf.Get("default", "b"), nullptr);
  EXPECT_EQ(inf.Get("default/b")->at("kind"), "Pod");
  EXPECT_EQ(inf.LastSyncResourceVersion(), "3");
}

TEST(SharedInformer, DeliversAddUpdateAndDeleteFromTheWatchOnOneThread) {
  FakeClient c;
  Recorder rec;  // outlives the informer
  SharedInformer inf(c, kConfigMaps, Fast());
  inf.AddEventHandler(rec.Handlers());
  inf.Start();
  ASSERT_TRUE(inf.WaitForSync(milliseconds(10000)));
  auto cm = c.Create(kConfigMaps, "ns1", json::object{{"metadata", json::object{{"name", "x"}}}});
  ASSERT_TRUE(cm.ok());
  json::object changed = *cm;
  changed["data"] = json::object{{"k", "v"}};
  ASSERT_TRUE(c.Update(kConfigMaps, "ns1", "x", changed).ok());
  ASSERT_TRUE(c.Delete(kConfigMaps, "ns1", "x").ok());
  ASSERT_TRUE(Eventually([&] { return rec.Calls().size() == 3; }));
  EXPECT_EQ(rec.Calls(), (std::vector<std::string>{"add ns1/x", "update ns1/x", "delete ns1/x"}));
  EXPECT_EQ(inf.Size(), 0u);
  EXPECT_TRUE(rec.one_thread);
  EXPECT_EQ(inf.LastSyncResourceVersion(), std::to_string(c.Revision()));
}

TEST(SharedInformer, RelistsAfterGoneAndReportsWhatChangedMeanwhile) {
  FakeClient c;
  ASSERT_TRUE(c.Create(kPods, "default", Pod("default", "stays")).ok());
  ASSERT_TRUE(c.Create(kPods, "default", Pod("default", "goes")).ok());
  auto changes = c.Create(kPods, "default", Pod("default", "changes"));
  ASSERT_TRUE(changes.ok());
  Recorder rec;  // outlives the informer
  SharedInformer inf(c, kPods, Fast());
  inf.AddEventHandler(rec.Handlers());
  inf.Start();
  ASSERT_TRUE(inf.WaitForSync(milliseconds(10000)));
  ASSERT_TRUE(Eventually([&] { return c.OpenWatches() == 1; }));

  // Changes the informer's watch never delivers: the history is compacted away.
  c.PauseWatches(true);
  ASSERT_TRUE(c.Delete(kPods, "default", "goes").ok());
  ASSERT_TRUE(c.Create(kPods, "default", Pod("default", "new")).ok());
  json::object changed = *changes;
  changed["spec"].as_object()["nodeName"] = "n1";
  ASSERT_TRUE(c.Update(kPods, "default", "changes", changed).ok());
  c.ExpireWatches();
  c.PauseWatches(false);

  ASSERT_TRUE(Eventually([&] { return rec.Calls().size() == 6; }));
  EXPECT_TRUE(rec.Has("delete default/goes"));
  EXPECT_TRUE(rec.Has("add default/new"));
  EXPECT_TRUE(rec.Has("update default/changes"));
  EXPECT_FALSE(rec.Has("update default/stays"));
  EXPECT_EQ(inf.Size(), 3u);
  EXPECT_EQ(inf.Get("default", "changes")->at("spec").at("nodeName"), "n1");
  // And it watches again from the new list.
  ASSERT_TRUE(c.Create(kPods, "default", Pod("default", "after")).ok());
  EXPECT_TRUE(Eventually([&] { return rec.Has("add default/after"); }));
}

TEST(SharedInformer, RetriesAFailingListWithBackoff) {
  FakeClient c;
  ASSERT_TRUE(c.Create(kNodes, "", json::object{{"metadata", json::object{{"name", "n1"}}}}).ok());
  std::atomic<int> failures{0};
  c.SetErrorHook([&](const std::string& verb, const Resource&, const std::string&,
                     const std::string&) -> std::optional<Error> {
    if (verb == "list" && failures < 3) {
      ++failures;
      return Error{ErrorCode::kServiceUnavailable, "not yet"};
    }
    return std::nullopt;
  });
  SharedInformer inf(c, kNodes, Fast());
  inf.Start();
  ASSERT_TRUE(inf.WaitForSync(milliseconds(10000)));
  EXPECT_EQ(failures, 3);
  ASSERT_NE(inf.Get("n1"), nullptr);
}

TEST(SharedInformer, IndexesByNamespaceNodeNameAndOwner) {
  FakeClient c;
  json::object owned = Pod("a", "p1", "n1");
  api::Metadata(owned)["ownerReferences"] =
      json::array{json::object{{"uid", "rs-1"}, {"controller", true}, {"kind", "ReplicaSet"}, {"name", "rs"}}};
  ASSERT_TRUE(c.Create(kPods, "a", owned).ok());
  ASSERT_TRUE(c.Create(kPods, "a", Pod("a", "p2", "n2")).ok());
  ASSERT_TRUE(c.Create(kPods, "b", Pod("b", "p3", "n1")).ok());
  SharedInformer inf(c, kPods, Fast());
  ASSERT_TRUE(inf.AddIndex("node", IndexByNodeName).ok());
  inf.Start();
  ASSERT_TRUE(inf.WaitForSync(milliseconds(10000)));
  ASSERT_TRUE(inf.AddIndex("owner", IndexByControllerUid).ok());  // after sync: indexes what is cached
  EXPECT_FALSE(inf.AddIndex("node", IndexByNodeName).ok());
  EXPECT_EQ(inf.ListNamespace("a").size(), 2u);
  EXPECT_EQ(inf.ByIndex("node", "n1").size(), 2u);
  EXPECT_EQ(inf.ByIndex("owner", "rs-1").size(), 1u);
  EXPECT_TRUE(inf.ByIndex("nope", "x").empty());

  // Moving a pod moves it between index entries.
  auto p2 = c.Get(kPods, "a", "p2");
  ASSERT_TRUE(p2.ok());
  json::object moved = *p2;
  moved["spec"].as_object()["nodeName"] = "n1";
  ASSERT_TRUE(c.Update(kPods, "a", "p2", moved).ok());
  ASSERT_TRUE(Eventually([&] { return inf.ByIndex("node", "n1").size() == 3; }));
  EXPECT_TRUE(inf.ByIndex("node", "n2").empty());
  ASSERT_TRUE(c.Delete(kPods, "b", "p3").ok());
  ASSERT_TRUE(Eventually([&] { return inf.ByIndex("node", "n1").size() == 2; }));
  EXPECT_TRUE(inf.ListNamespace("b").empty());
}

TEST(SharedInformer, AHandlerAddedAfterSyncFirstGetsTheCachedObjects) {
  FakeClient c;
  ASSERT_TRUE(c.Create(kServices, "default", json::object{{"metadata", json::object{{"name", "s"}}}}).ok());
  Recorder rec;  // outlives the informer
  SharedInformer inf(c, kServices, Fast());
  inf.Start();
  ASSERT_TRUE(inf.WaitForSync(milliseconds(10000)));
  inf.AddEventHandler(rec.Handlers());
  EXPECT_EQ(rec.Calls(), (std::vector<std::string>{"add default/s"}));
  ASSERT_TRUE(c.Create(kServices, "default", json::object{{"metadata", json::object{{"name", "t"}}}}).ok());
  EXPECT_TRUE(Eventually([&] { return rec.Has("add default/t"); }));
}

TEST(SharedInformer, ALabelSelectedInformerDropsObjectsThatStopMatching) {
  FakeClient c;
  ASSERT_TRUE(c.Create(kPods, "default", Pod("default", "a", "", {{"app", "web"}})).ok());
  ASSERT_TRUE(c.Create(kPods, "default", Pod("default", "b", "", {{"app", "db"}})).ok());
  InformerOptions o = Fast();
  o.label_selector = "app=web";
  Recorder rec;  // outlives the informer
  SharedInformer inf(c, kPods, o);
  inf.AddEventHandler(rec.Handlers());
  inf.Start();
  ASSERT_TRUE(inf.WaitForSync(milliseconds(10000)));
  EXPECT_EQ(inf.Keys(), (std::vector<std::string>{"default/a"}));
  ASSERT_TRUE(c.Patch(kPods, "default", "a", PatchType::kMerge,
                      json::value{{"metadata", json::object{{"labels", json::object{{"app", "other"}}}}}})
                  .ok());
  ASSERT_TRUE(Eventually([&] { return rec.Has("delete default/a"); }));
  EXPECT_EQ(inf.Size(), 0u);
}

TEST(SharedInformer, ResyncCallsOnUpdateForCachedObjects) {
  FakeClient c;
  ASSERT_TRUE(c.Create(kNamespaces, "", json::object{{"metadata", json::object{{"name", "default"}}}}).ok());
  InformerOptions o = Fast();
  o.resync_period = milliseconds(20);
  Recorder rec;  // outlives the informer
  SharedInformer inf(c, kNamespaces, o);
  inf.AddEventHandler(rec.Handlers());
  inf.Start();
  EXPECT_TRUE(Eventually([&] { return rec.Has("update default"); }));
}

TEST(SharedInformer, StopEndsTheWatch) {
  FakeClient c;
  SharedInformer inf(c, kPods, Fast());
  inf.Start();
  ASSERT_TRUE(inf.WaitForSync(milliseconds(10000)));
  ASSERT_TRUE(Eventually([&] { return c.OpenWatches() == 1; }));
  inf.Stop();
  EXPECT_EQ(c.OpenWatches(), 0);
}

TEST(SharedInformerFactory, SharesOneInformerPerResourceAndSelector) {
  FakeClient c;
  ASSERT_TRUE(c.Create(kPods, "default", Pod("default", "a", "n1")).ok());
  SharedInformerFactory f(c, Fast());
  SharedInformer& pods1 = f.For(kPods);
  SharedInformer& pods2 = f.For(kPods);
  SharedInformer& on_n1 = f.For(kPods, "", "", "spec.nodeName=n1");
  SharedInformer& nodes = f.For(kNodes, "ignored-for-cluster-scope");
  EXPECT_EQ(&pods1, &pods2);
  EXPECT_NE(&pods1, &on_n1);
  EXPECT_EQ(nodes.options().ns, "");
  f.Start();
  ASSERT_TRUE(f.WaitForSync(milliseconds(10000)));
  EXPECT_EQ(on_n1.Size(), 1u);
  // An informer asked for after Start starts at once.
  SharedInformer& late = f.For(kConfigMaps);
  EXPECT_TRUE(late.WaitForSync(milliseconds(10000)));
  f.Stop();
  EXPECT_EQ(c.OpenWatches(), 0);
}

TEST(SharedInformerFactory, MetadataInformersKeepOnlyMetadataAndReuseAFullInformer) {
  FakeClient c;
  json::object cm{{"metadata", json::object{{"name", "x"},
                                            {"annotations", json::object{{"big", std::string(1000, 'a')}}},
                                            {"ownerReferences", json::array{json::object{{"uid", "u1"}}}}}},
                  {"data", json::object{{"k", std::string(1000, 'b')}}}};
  ASSERT_TRUE(c.Create(kConfigMaps, "ns1", cm).ok());
  SharedInformerFactory f(c, Fast());
  SharedInformer& pods = f.For(kPods);
  EXPECT_EQ(&f.ForMetadata(kPods), &pods);  // a full informer exists: shared
  SharedInformer& cms = f.ForMetadata(kConfigMaps);
  EXPECT_EQ(&f.ForMetadata(kConfigMaps), &cms);
  EXPECT_NE(&f.For(kConfigMaps), &cms);  // asking for full objects later gets a full informer
  f.Start();
  ASSERT_TRUE(f.WaitForSync(milliseconds(10000)));
  ObjectPtr slim = cms.Get("ns1", "x");
  ASSERT_NE(slim, nullptr);
  EXPECT_FALSE(slim->contains("data"));
  EXPECT_EQ(slim->at("kind"), "ConfigMap");
  EXPECT_FALSE(slim->at("metadata").as_object().contains("annotations"));
  EXPECT_EQ(slim->at("metadata").at("ownerReferences").as_array().size(), 1u);
  // Watch events are slimmed as well.
  json::object cm2 = cm;
  cm2["metadata"].as_object()["name"] = "y";
  ASSERT_TRUE(c.Create(kConfigMaps, "ns1", cm2).ok());
  ASSERT_TRUE(Eventually([&] { return cms.Get("ns1", "y") != nullptr; }));
  EXPECT_FALSE(cms.Get("ns1", "y")->contains("data"));
  f.Stop();
}

}  // namespace
}  // namespace k1s::client
