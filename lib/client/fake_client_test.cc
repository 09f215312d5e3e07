#include "lib/client/fake_client.h"

#include <gtest/gtest.h>

#include "lib/api/meta.h"

namespace k1s::client {
namespace {

json::object Pod(const std::string& ns, const std::string& name, const std::string& node = "",
                 json::object labels = {}) {
  json::object spec{{"containers", json::array{json::object{{"name", "c"}, {"image", "busybox"}}}}};
  if (!node.empty()) spec["nodeName"] = node;
  return json::object{{"metadata", json::object{{"name", name}, {"namespace", ns}, {"labels", labels}}},
                      {"spec", spec}};
}

TEST(FakeClient, CreateAssignsMetadataAndTheNextRevision) {
  FakeClient c;
  auto created = c.Create(kPods, "default", Pod("default", "a"));
  ASSERT_TRUE(created.ok()) << created.error().ToString();
  EXPECT_EQ(api::MetaString(*created, "resourceVersion"), "2");
  EXPECT_FALSE(api::MetaString(*created, "uid").empty());
  EXPECT_EQ(created->at("kind"), "Pod");
  EXPECT_EQ(created->at("apiVersion"), "v1");
  EXPECT_EQ(c.Revision(), 2);
  auto got = c.Get(kPods, "default", "a");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, *created);
}

TEST(FakeClient, CreatingAnExistingObjectReturnsAlreadyExists) {
  FakeClient c;
  ASSERT_TRUE(c.Create(kPods, "default", Pod("default", "a")).ok());
  auto again = c.Create(kPods, "default", Pod("default", "a"));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kAlreadyExists);
}

TEST(FakeClient, GenerateNameGivesAFreshName) {
  FakeClient c;
  json::object obj{{"metadata", json::object{{"generateName", "web-"}}}};
  auto created = c.Create(kConfigMaps, "default", obj);
  ASSERT_TRUE(created.ok());
  std::string name = api::MetaString(*created, "name");
  EXPECT_EQ(name.size(), 9u);
  EXPECT_EQ(name.substr(0, 4), "web-");
}

TEST(FakeClient, UpdateWithStaleResourceVersionReturnsConflict) {
  FakeClient c;
  auto created = c.Create(kConfigMaps, "default", json::object{{"metadata", json::object{{"name", "cm"}}}});
  ASSERT_TRUE(created.ok());
  json::object v1 = *created;
  v1["data"] = json::object{{"k", "1"}};
  auto updated = c.Update(kConfigMaps, "default", "cm", v1);
  ASSERT_TRUE(updated.ok()) << updated.error().ToString();
  EXPECT_EQ(api::MetaString(*updated, "resourceVersion"), "3");
  v1["data"] = json::object{{"k", "2"}};
  auto stale = c.Update(kConfigMaps, "default", "cm", v1);
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.error().code, ErrorCode::kConflict);
}

TEST(FakeClient, UpdateKeepsStatusAndStatusUpdateKeepsSpec) {
  FakeClient c;
  auto created = c.Create(kPods, "default", Pod("default", "a"));
  ASSERT_TRUE(created.ok());
  json::object with_status = *created;
  with_status["status"] = json::object{{"phase", "Running"}};
  auto s = c.UpdateStatus(kPods, "default", "a", with_status);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->at("status").at("phase"), "Running");
  EXPECT_EQ(api::Metadata(*s)["generation"], 1);

  json::object spec_change = *s;
  spec_change["status"] = json::object{{"phase", "Failed"}};
  spec_change["spec"].as_object()["nodeName"] = "n1";
  auto u = c.Update(kPods, "default", "a", spec_change);
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->at("status").at("phase"), "Running");
  EXPECT_EQ(u->at("spec").at("nodeName"), "n1");
  EXPECT_EQ(api::Metadata(*u)["generation"], 2);
}

TEST(FakeClient, UpdateThatChangesNothingKeepsTheRevision) {
  FakeClient c;
  auto created = c.Create(kConfigMaps, "default", json::object{{"metadata", json::object{{"name", "cm"}}}});
  ASSERT_TRUE(created.ok());
  auto same = c.Update(kConfigMaps, "default", "cm", *created);
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(api::MetaString(*same, "resourceVersion"), api::MetaString(*created, "resourceVersion"));
  EXPECT_EQ(c.Revision(), 2);
}

TEST(FakeClient, MergePatchChangesFieldsAndJsonPatchTestFailsCleanly) {
  FakeClient c;
  ASSERT_TRUE(c.Create(kPods, "default", Pod("default", "a")).ok());
  auto patched = c.Patch(kPods, "default", "a", PatchType::kMerge,
                         json::value{{"metadata", json::object{{"labels", json::object{{"app", "web"}}}}}});
  ASSERT_TRUE(patched.ok()) << patched.error().ToString();
  EXPECT_EQ(api::Labels(*patched)["app"], "web");
  auto bad = c.Patch(kPods, "default", "a", PatchType::kJson,
                     json::array{json::object{{"op", "test"}, {"path", "/spec/nodeName"}, {"value", "x"}}});
  EXPECT_FALSE(bad.ok());
  auto status = c.Patch(kPods, "default", "a", PatchType::kMerge,
                        json::value{{"status", json::object{{"phase", "Running"}}}}, {}, "status");
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->at("status").at("phase"), "Running");
}

TEST(FakeClient, ListFiltersByNamespaceLabelsAndFields) {
  FakeClient c;
  ASSERT_TRUE(c.Create(kPods, "a", Pod("a", "p1", "n1", {{"app", "web"}})).ok());
  ASSERT_TRUE(c.Create(kPods, "a", Pod("a", "p2", "n2", {{"app", "db"}})).ok());
  ASSERT_TRUE(c.Create(kPods, "b", Pod("b", "p3", "n1", {{"app", "web"}})).ok());
  EXPECT_EQ(c.List(kPods, "")->items.size(), 3u);
  EXPECT_EQ(c.List(kPods, "a")->items.size(), 2u);
  ListOptions labels;
  labels.label_selector = "app=web";
  EXPECT_EQ(c.List(kPods, "", labels)->items.size(), 2u);
  ListOptions fields;
  fields.field_selector = "spec.nodeName=n1,metadata.namespace!=b";
  auto l = c.List(kPods, "", fields);
  ASSERT_TRUE(l.ok());
  ASSERT_EQ(l->items.size(), 1u);
  EXPECT_EQ(api::MetaString(l->items[0], "name"), "p1");
  EXPECT_EQ(l->resource_version, "4");
  ListOptions bad;
  bad.field_selector = "spec.nodeName";
  EXPECT_EQ(c.List(kPods, "", bad).error().code, ErrorCode::kBadRequest);
}

TEST(FakeClient, WatchFromARevisionSeesOnlyLaterEvents) {
  FakeClient c;
  ASSERT_TRUE(c.Create(kConfigMaps, "default", json::object{{"metadata", json::object{{"name", "one"}}}}).ok());
  ListOptions o;
  o.resource_version = "2";
  auto w = c.Watch(kConfigMaps, "default", o);
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE(c.Create(kConfigMaps, "default", json::object{{"metadata", json::object{{"name", "two"}}}}).ok());
  ASSERT_TRUE(c.Create(kSecrets, "default", json::object{{"metadata", json::object{{"name", "other"}}}}).ok());
  ASSERT_TRUE(c.Delete(kConfigMaps, "default", "one").ok());
  std::vector<WatchEvent> all;
  for (int i = 0; i < 100 && all.size() < 2; ++i) {
    auto ev = (*w)->Next(std::chrono::milliseconds(100));
    ASSERT_TRUE(ev.ok());
    all.insert(all.end(), ev->begin(), ev->end());
  }
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].type, "ADDED");
  EXPECT_EQ(api::MetaString(all[0].object, "name"), "two");
  EXPECT_EQ(all[1].type, "DELETED");
  EXPECT_EQ(api::MetaString(all[1].object, "name"), "one");
  EXPECT_EQ(api::MetaString(all[1].object, "resourceVersion"), "5");
}

TEST(FakeClient, WatchWithoutRevisionStartsWithTheCurrentObjects) {
  FakeClient c;
  ASSERT_TRUE(c.Create(kNodes, "", json::object{{"metadata", json::object{{"name", "n1"}}}}).ok());
  auto w = c.Watch(kNodes, "", ListOptions{});
  ASSERT_TRUE(w.ok());
  auto ev = (*w)->Next(std::chrono::milliseconds(100));
  ASSERT_TRUE(ev.ok());
  ASSERT_EQ(ev->size(), 1u);
  EXPECT_EQ((*ev)[0].type, "ADDED");
}

TEST(FakeClient, WatchFromACompactedRevisionReturnsGone) {
  FakeClient c;
  ASSERT_TRUE(c.Create(kNodes, "", json::object{{"metadata", json::object{{"name", "n1"}}}}).ok());
  ListOptions o;
  o.resource_version = "2";
  auto open = c.Watch(kNodes, "", o);
  ASSERT_TRUE(open.ok());
  ASSERT_TRUE(c.Create(kNodes, "", json::object{{"metadata", json::object{{"name", "n2"}}}}).ok());
  c.ExpireWatches();
  auto next = (*open)->Next(std::chrono::milliseconds(10));
  ASSERT_FALSE(next.ok());
  EXPECT_EQ(next.error().code, ErrorCode::kGone);
  auto late = c.Watch(kNodes, "", o);
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().code, ErrorCode::kGone);
}

TEST(FakeClient, WatchWithAFieldSelectorSeesObjectsEnterAndLeaveIt) {
  FakeClient c;
  ASSERT_TRUE(c.Create(kPods, "default", Pod("default", "a")).ok());
  ListOptions o;
  o.resource_version = "2";
  o.field_selector = "spec.nodeName=n1";
  auto w = c.Watch(kPods, "", o);
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE(c.Post(kPods, "default", "a", "binding", json::object{{"target", json::object{{"name", "n1"}}}}).ok());
  auto pod = c.Get(kPods, "default", "a");
  ASSERT_TRUE(pod.ok());
  json::object moved = *pod;
  moved["spec"].as_object()["nodeName"] = "n2";
  ASSERT_TRUE(c.Update(kPods, "default", "a", moved).ok());
  std::vector<WatchEvent> all;
  for (int i = 0; i < 100 && all.size() < 2; ++i) {
    auto ev = (*w)->Next(std::chrono::milliseconds(100));
    ASSERT_TRUE(ev.ok());
    all.insert(all.end(), ev->begin(), ev->end());
  }
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].type, "ADDED");
  EXPECT_EQ(all[1].type, "DELETED");
}

TEST(FakeClient, WatchSendsABookmarkWhenQuietAfterFilteredEvents) {
  FakeClient c;
  ListOptions o;
  o.resource_version = "0";
  o.allow_bookmarks = true;
  auto w = c.Watch(kPods, "", o);
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE(c.Create(kSecrets, "default", json::object{{"metadata", json::object{{"name", "s"}}}}).ok());
  auto ev = (*w)->Next(std::chrono::milliseconds(50));
  ASSERT_TRUE(ev.ok());
  ASSERT_EQ(ev->size(), 1u);
  EXPECT_EQ((*ev)[0].type, "BOOKMARK");
  EXPECT_EQ(api::MetaString((*ev)[0].object, "resourceVersion"), "2");
}

TEST(FakeClient, DeleteWithFinalizersMarksTheObjectUntilTheyAreRemoved) {
  FakeClient c;
  json::object obj{{"metadata", json::object{{"name", "cm"}, {"finalizers", json::array{"example.com/keep"}}}}};
  ASSERT_TRUE(c.Create(kConfigMaps, "default", obj).ok());
  bool gone = true;
  auto marked = c.Delete(kConfigMaps, "default", "cm", DeleteOptions{}, &gone);
  ASSERT_TRUE(marked.ok());
  EXPECT_FALSE(gone);
  EXPECT_FALSE(api::MetaString(*marked, "deletionTimestamp").empty());
  json::object cleared = *marked;
  api::Metadata(cleared)["finalizers"] = json::array();
  ASSERT_TRUE(c.Update(kConfigMaps, "default", "cm", cleared).ok());
  EXPECT_EQ(c.Get(kConfigMaps, "default", "cm").error().code, ErrorCode::kNotFound);
}

TEST(FakeClient, DeleteChecksPreconditionsAndReportsGone) {
  FakeClient c;
  ASSERT_TRUE(c.Create(kPods, "default", Pod("default", "a")).ok());
  DeleteOptions wrong;
  wrong.precondition_uid = "nope";
  EXPECT_EQ(c.Delete(kPods, "default", "a", wrong, nullptr).error().code, ErrorCode::kConflict);
  bool gone = false;
  ASSERT_TRUE(c.Delete(kPods, "default", "a", DeleteOptions{}, &gone).ok());
  EXPECT_TRUE(gone);
  EXPECT_EQ(c.Delete(kPods, "default", "a").error().code, ErrorCode::kNotFound);
}

TEST(FakeClient, BindingAssignsANodeOnceAndConflictsAfterwards) {
  FakeClient c;
  ASSERT_TRUE(c.Create(kPods, "default", Pod("default", "a")).ok());
  json::object binding{{"target", json::object{{"kind", "Node"}, {"name", "n1"}}}};
  ASSERT_TRUE(c.Post(kPods, "default", "a", "binding", binding).ok());
  EXPECT_EQ(c.Get(kPods, "default", "a")->at("spec").at("nodeName"), "n1");
  auto again = c.Post(kPods, "default", "a", "binding", binding);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kConflict);
  auto actions = c.Actions();
  ASSERT_FALSE(actions.empty());
  EXPECT_EQ(actions.back().verb, "post");
  EXPECT_EQ(actions.back().subresource, "binding");
}

TEST(FakeClient, ErrorHookFailsTheChosenCalls) {
  FakeClient c;
  c.SetErrorHook([](const std::string& verb, const Resource& r, const std::string&,
                    const std::string&) -> std::optional<Error> {
    if (verb == "create" && r == kSecrets) return Error{ErrorCode::kForbidden, "no"};
    return std::nullopt;
  });
  EXPECT_EQ(c.Create(kSecrets, "default", json::object{{"metadata", json::object{{"name", "s"}}}}).error().code,
            ErrorCode::kForbidden);
  EXPECT_TRUE(c.Create(kConfigMaps, "default", json::object{{"metadata", json::object{{"name", "s"}}}}).ok());
}

TEST(ClientHelpers, KeysSplitAndJoin) {
  EXPECT_EQ(MakeKey("ns", "a"), "ns/a");
  EXPECT_EQ(MakeKey("", "n1"), "n1");
  EXPECT_EQ(SplitKey("ns/a"), (std::pair<std::string, std::string>{"ns", "a"}));
  EXPECT_EQ(SplitKey("n1"), (std::pair<std::string, std::string>{"", "n1"}));
}

TEST(ClientHelpers, MicroTimeRoundTripsWithMicroseconds) {
  auto t = std::chrono::system_clock::from_time_t(1764064800) + std::chrono::microseconds(123456);
  std::string text = FormatMicroTime(t);
  EXPECT_EQ(text, "2025-11-25T10:00:00.123456Z");
  auto back = ParseMicroTime(text);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, t);
  EXPECT_EQ(ParseMicroTime("2025-11-25T10:00:00Z"), std::chrono::system_clock::from_time_t(1764064800));
  EXPECT_EQ(ParseMicroTime("2025-11-25T11:00:00+01:00"), std::chrono::system_clock::from_time_t(1764064800));
  EXPECT_FALSE(ParseMicroTime("yesterday").has_value());
  EXPECT_EQ(FormatTime(t), "2025-11-25T10:00:00Z");
}

}  // namespace
}  // namespace k1s::client
