#include "server/registry/apply.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace k1s::registry {
namespace {

json::object Obj(std::string_view text) { return json::parse(text).as_object(); }
json::value Val(std::string_view text) { return json::parse(text); }

FieldSchema Deployments() { return BuiltinFieldSchema("apps", "v1", "Deployment"); }
FieldSchema Pods() { return BuiltinFieldSchema("", "v1", "Pod"); }
FieldSchema Services() { return BuiltinFieldSchema("", "v1", "Service"); }

ManagedFieldsOptions At(std::string now) {
  ManagedFieldsOptions o;
  o.now = std::move(now);
  return o;
}

const char kDeploy[] = R"({"apiVersion":"apps/v1","kind":"Deployment",
  "metadata":{"name":"nginx","namespace":"default","labels":{"app":"nginx"}},
  "spec":{"replicas":1,"selector":{"matchLabels":{"app":"nginx"}},
    "template":{"metadata":{"labels":{"app":"nginx"}},
      "spec":{"containers":[{"name":"nginx","image":"nginx:1.27","ports":[{"containerPort":80}]}]}}}})";

// The managedFields entries of obj, by manager name.
json::object EntryOf(const json::object& obj, std::string_view manager) {
  const auto& list = obj.at("metadata").at("managedFields").as_array();
  for (const auto& e : list)
    if (e.at("manager").as_string() == manager) return e.as_object();
  return {};
}

std::string Fields(const json::object& obj, std::string_view manager) {
  auto e = EntryOf(obj, manager);
  return e.empty() ? "" : json::serialize(e.at("fieldsV1"));
}

// ---- field sets ----

// LabelSelector is an atomic struct upstream, so the selector is one leaf.
TEST(FieldsOf, DeploymentKeysContainersByNameAndPortsByPortAndDefaultProtocol) {
  auto set = FieldsOf(Obj(kDeploy), Deployments());
  ASSERT_TRUE(set.ok()) << set.error().ToString();
  EXPECT_EQ(json::serialize(set->ToJson()),
            R"({"f:apiVersion":{},"f:kind":{},"f:metadata":{"f:labels":{"f:app":{}},"f:name":{},"f:namespace":{}},)"
            R"("f:spec":{"f:replicas":{},"f:selector":{},)"
            R"("f:template":{"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:containers":{)"
            R"("k:{\"name\":\"nginx\"}":{".":{},"f:image":{},"f:name":{},"f:ports":{)"
            R"("k:{\"containerPort\":80,\"protocol\":\"TCP\"}":{".":{},"f:containerPort":{}}}}}}}}})");
}

TEST(FieldsOf, ServicePortsAreKeyedByPortAndProtocol) {
  auto set = FieldsOf(Obj(R"({"apiVersion":"v1","kind":"Service","metadata":{"name":"web"},
    "spec":{"selector":{"app":"web"},"ports":[{"port":80,"targetPort":8080,"protocol":"UDP"},{"port":443}]}})"),
                      Services());
  ASSERT_TRUE(set.ok());
  EXPECT_TRUE(set->Has({"f:spec", "f:ports", R"(k:{"port":80,"protocol":"UDP"})", "f:targetPort"}));
  EXPECT_TRUE(set->Has({"f:spec", "f:ports", R"(k:{"port":443,"protocol":"TCP"})"}));
  EXPECT_TRUE(set->Has({"f:spec", "f:selector", "f:app"}));
  EXPECT_FALSE(set->Has({"f:spec", "f:selector"}));  // a map's keys are owned, not the map
  EXPECT_FALSE(set->Has({"f:spec"}));                 // a struct is owned through its fields
}

TEST(FieldsOf, PodSetsAreKeyedByValueAndAtomicListsAreLeaves) {
  auto set = FieldsOf(Obj(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","finalizers":["a/b"]},
    "spec":{"containers":[{"name":"c","image":"busybox","args":["sleep","1"],
      "env":[{"name":"A","value":"1"}],"resources":{}}],
      "tolerations":[{"key":"k","operator":"Exists"}]}})"),
                      Pods());
  ASSERT_TRUE(set.ok());
  EXPECT_TRUE(set->Has({"f:metadata", "f:finalizers", R"(v:"a/b")"}));
  EXPECT_TRUE(set->Has({"f:spec", "f:tolerations"}));
  EXPECT_FALSE(set->Has({"f:spec", "f:tolerations", "i:0"}));
  const std::string c = R"(k:{"name":"c"})";
  EXPECT_TRUE(set->Has({"f:spec", "f:containers", c, "f:args"}));
  EXPECT_TRUE(set->Has({"f:spec", "f:containers", c, "f:env", R"(k:{"name":"A"})", "f:value"}));
  EXPECT_TRUE(set->Has({"f:spec", "f:containers", c, "f:resources"}));  // an empty struct is a leaf
}

TEST(FieldsOf, KeyedListItemWithoutKeysIsBadRequest) {
  auto set = FieldsOf(Obj(R"({"spec":{"containers":[{"image":"x"}]}})"), Pods());
  ASSERT_FALSE(set.ok());
  EXPECT_EQ(set.error().code, ErrorCode::kBadRequest);
  EXPECT_NE(set.error().message.find(".spec.containers: element 0: associative list with keys"), std::string::npos)
      << set.error().message;
}

TEST(FieldsOf, DuplicateKeysAreBadRequest) {
  auto set = FieldsOf(Obj(R"({"spec":{"containers":[{"name":"a"},{"name":"a"}]}})"), Pods());
  ASSERT_FALSE(set.ok());
  EXPECT_NE(set.error().message.find(R"(duplicate entries for key [name="a"])"), std::string::npos);
}

TEST(FieldsOf, WithoutSchemaListsAreAtomicAndObjectKeysAreMembers) {
  auto set = FieldsOf(Obj(R"({"apiVersion":"x/v1","kind":"X","metadata":{"name":"a","labels":{"k":"v"}},
    "spec":{"items":[{"a":1}],"nested":{"b":true}}})"),
                      FieldSchema{});
  ASSERT_TRUE(set.ok());
  EXPECT_TRUE(set->Has({"f:spec", "f:items"}));
  EXPECT_TRUE(set->Has({"f:spec"}));  // no schema: every key is owned, so "." appears
  EXPECT_TRUE(set->Has({"f:spec", "f:nested"}));
  EXPECT_TRUE(set->Has({"f:spec", "f:nested", "f:b"}));
  EXPECT_TRUE(set->Has({"f:metadata", "f:labels", "f:k"}));
  EXPECT_FALSE(set->Has({"f:metadata", "f:labels"}));  // metadata is always ObjectMeta
}

TEST(FieldsOf, CrdSchemaListTypesAreHonoured) {
  json::object schema = Obj(R"({"type":"object","properties":{"spec":{"type":"object","properties":{
    "ports":{"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["port"],
      "items":{"type":"object","properties":{"port":{"type":"integer"},"name":{"type":"string"}}}},
    "tags":{"type":"array","x-kubernetes-list-type":"set","items":{"type":"string"}},
    "args":{"type":"array","items":{"type":"string"}},
    "selector":{"type":"object","x-kubernetes-map-type":"atomic","additionalProperties":{"type":"string"}}}}}})");
  FieldSchema fs{nullptr, &schema};
  auto set = FieldsOf(Obj(R"({"spec":{"ports":[{"port":1,"name":"a"}],"tags":["x"],"args":["y"],"selector":{"a":"b"}}})"), fs);
  ASSERT_TRUE(set.ok());
  EXPECT_TRUE(set->Has({"f:spec", "f:ports", R"(k:{"port":1})", "f:name"}));
  EXPECT_TRUE(set->Has({"f:spec", "f:tags", R"(v:"x")"}));
  EXPECT_TRUE(set->Has({"f:spec", "f:args"}));
  EXPECT_TRUE(set->Has({"f:spec", "f:selector"}));
  EXPECT_FALSE(set->Has({"f:spec", "f:selector", "f:a"}));
  EXPECT_FALSE(set->Has({"f:spec"}));
}

TEST(FieldSet, JsonRoundTripsAndCanonicalisesKeys) {
  auto set = FieldSet::FromJson(Val(R"({"f:spec":{"f:ports":{"k:{\"protocol\":\"TCP\", \"port\":80}":{".":{},"f:name":{}}}}})"));
  ASSERT_TRUE(set.ok());
  EXPECT_TRUE(set->Has({"f:spec", "f:ports", R"(k:{"port":80,"protocol":"TCP"})"}));
  EXPECT_EQ(json::serialize(set->ToJson()),
            R"({"f:spec":{"f:ports":{"k:{\"port\":80,\"protocol\":\"TCP\"}":{".":{},"f:name":{}}}}})");
  EXPECT_FALSE(FieldSet::FromJson(Val(R"({"x:y":{}})")).ok());
  EXPECT_FALSE(FieldSet::FromJson(Val(R"([1])")).ok());
}

TEST(FieldSet, SetAlgebraKeepsMembersAndChildrenApart) {
  FieldSet a, b;
  a.Insert({"f:spec", "f:replicas"});
  a.Insert({"f:spec", "f:paused"});
  b.Insert({"f:spec", "f:replicas"});
  b.Insert({"f:metadata", "f:labels", "f:x"});
  EXPECT_EQ(a.Intersection(b).Paths(), (std::vector<FieldPath>{{"f:spec", "f:replicas"}}));
  EXPECT_EQ(a.Difference(b).Paths(), (std::vector<FieldPath>{{"f:spec", "f:paused"}}));
  EXPECT_EQ(a.Union(b).Paths().size(), 3u);
  a.EraseSubtree({"f:spec"});
  EXPECT_TRUE(a.Empty());
}

TEST(FieldSet, PathStringMatchesUpstreamSpelling) {
  EXPECT_EQ(FieldSet::PathString({"f:spec", "f:replicas"}), ".spec.replicas");
  EXPECT_EQ(FieldSet::PathString({"f:spec", "f:containers", R"(k:{"name":"nginx"})", "f:image"}),
            R"(.spec.containers[name="nginx"].image)");
  EXPECT_EQ(FieldSet::PathString({"f:ports", R"(k:{"port":80,"protocol":"TCP"})"}), R"(.ports[port=80,protocol="TCP"])");
  EXPECT_EQ(FieldSet::PathString({"f:metadata", "f:finalizers", R"(v:"a")"}), R"(.metadata.finalizers[="a"])");
  EXPECT_EQ(FieldSet::PathString({"f:data", "f:key"}), ".data.key");
}

// ---- apply ----

TEST(Apply, CreatesTheObjectAndRecordsTheApplier) {
  auto r = Apply(nullptr, Obj(kDeploy), "kubectl", false, Deployments(), At("2026-01-02T03:04:05Z"));
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_TRUE(r->created);
  EXPECT_TRUE(r->changed);
  EXPECT_EQ(r->object.at("spec").at("replicas"), 1);
  const auto& list = r->object.at("metadata").at("managedFields").as_array();
  ASSERT_EQ(list.size(), 1u);
  const auto& e = list[0].as_object();
  EXPECT_EQ(e.at("manager"), "kubectl");
  EXPECT_EQ(e.at("operation"), "Apply");
  EXPECT_EQ(e.at("apiVersion"), "apps/v1");
  EXPECT_EQ(e.at("time"), "2026-01-02T03:04:05Z");
  EXPECT_EQ(e.at("fieldsType"), "FieldsV1");
  EXPECT_FALSE(e.contains("subresource"));
  // Server-set metadata is not owned; apiVersion/kind neither.
  EXPECT_EQ(json::serialize(e.at("fieldsV1").at("f:metadata")), R"({"f:labels":{"f:app":{}}})");
  EXPECT_FALSE(e.at("fieldsV1").as_object().contains("f:apiVersion"));
  EXPECT_TRUE(e.at("fieldsV1").at("f:spec").at("f:template").at("f:spec").at("f:containers").as_object().contains(
      R"(k:{"name":"nginx"})"));
}

TEST(Apply, ApplyingTheSameConfigurationTwiceChangesNothing) {
  auto first = Apply(nullptr, Obj(kDeploy), "kubectl", false, Deployments(), At("2026-01-01T00:00:00Z"));
  ASSERT_TRUE(first.ok());
  // The server adds defaults and metadata between the two applies.
  json::object live = first->object;
  live["metadata"].as_object()["uid"] = "u1";
  live["spec"].as_object()["strategy"] = Obj(R"({"type":"RollingUpdate"})");
  live["spec"].at("template").at("spec").at("containers").as_array()[0].as_object()["imagePullPolicy"] = "IfNotPresent";
  auto second = Apply(&live, Obj(kDeploy), "kubectl", false, Deployments(), At("2026-01-02T00:00:00Z"));
  ASSERT_TRUE(second.ok()) << second.error().ToString();
  EXPECT_FALSE(second->changed);
  EXPECT_EQ(second->object, live);  // same fields, same managedFields (time kept)
}

TEST(Apply, RemovesFieldsTheManagerNoLongerApplies) {
  json::object config = Obj(kDeploy);
  config["metadata"].as_object()["labels"].as_object()["tier"] = "web";
  auto& containers = config["spec"].at("template").at("spec").at("containers").as_array();
  containers.push_back(Obj(R"({"name":"sidecar","image":"busybox"})"));
  auto first = Apply(nullptr, config, "kubectl", false, Deployments(), At("t1"));
  ASSERT_TRUE(first.ok());
  auto second = Apply(&first->object, Obj(kDeploy), "kubectl", false, Deployments(), At("t2"));
  ASSERT_TRUE(second.ok()) << second.error().ToString();
  EXPECT_TRUE(second->changed);
  EXPECT_FALSE(second->object.at("metadata").at("labels").as_object().contains("tier"));
  EXPECT_EQ(second->object.at("spec").at("template").at("spec").at("containers").as_array().size(), 1u);
  EXPECT_EQ(EntryOf(second->object, "kubectl").at("time"), "t2");
}

TEST(Apply, KeepsRemovedFieldsThatAnotherManagerOwns) {
  json::object config = Obj(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"a":"1","b":"2"}})");
  auto first = Apply(nullptr, config, "one", false, FieldSchema{}, At("t1"));
  ASSERT_TRUE(first.ok());
  auto second = Apply(&first->object, Obj(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"b":"2"}})"),
                      "two", false, FieldSchema{}, At("t2"));
  ASSERT_TRUE(second.ok());
  auto third = Apply(&second->object, Obj(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{}})"),
                     "one", false, FieldSchema{}, At("t3"));
  ASSERT_TRUE(third.ok()) << third.error().ToString();
  EXPECT_EQ(json::serialize(third->object.at("data")), R"({"b":"2"})");
}

TEST(Apply, MergesKeyedListsAndReplacesAtomicOnes) {
  json::object live = Obj(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},
    "spec":{"containers":[{"name":"a","image":"a:1","args":["x","y"]},{"name":"b","image":"b:1"}]}})");
  ManagedFieldsOptions o = At("t0");
  UpdateManagedFields(nullptr, live, "creator", Pods(), o);
  auto r = Apply(&live, Obj(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},
    "spec":{"containers":[{"name":"b","image":"b:2"},{"name":"a","args":["z"]}]}})"),
                 "kubectl", true, Pods(), At("t1"));
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  const auto& containers = r->object.at("spec").at("containers").as_array();
  ASSERT_EQ(containers.size(), 2u);
  EXPECT_EQ(json::serialize(containers[0]), R"({"name":"b","image":"b:2"})");
  EXPECT_EQ(json::serialize(containers[1]), R"({"name":"a","image":"a:1","args":["z"]})");
}

TEST(Apply, ConflictWithAnotherApplierIsAConflictStatus) {
  auto first = Apply(nullptr, Obj(kDeploy), "other", false, Deployments(), At("t1"));
  ASSERT_TRUE(first.ok());
  json::object config = Obj(kDeploy);
  config["spec"].as_object()["replicas"] = 3;
  auto second = Apply(&first->object, config, "kubectl", false, Deployments(), At("t2"));
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, ErrorCode::kConflict);
  EXPECT_EQ(second.error().message, R"(Apply failed with 1 conflict: conflict with "other": .spec.replicas)");
  auto details = json::parse(second.error().details).as_object();
  const auto& causes = details.at("causes").as_array();
  ASSERT_EQ(causes.size(), 1u);
  EXPECT_EQ(causes[0].at("reason"), "FieldManagerConflict");
  EXPECT_EQ(causes[0].at("message"), R"(conflict with "other")");
  EXPECT_EQ(causes[0].at("field"), ".spec.replicas");
}

TEST(Apply, SameValueIsSharedOwnershipNotAConflict) {
  auto first = Apply(nullptr, Obj(kDeploy), "other", false, Deployments(), At("t1"));
  ASSERT_TRUE(first.ok());
  auto second = Apply(&first->object, Obj(kDeploy), "kubectl", false, Deployments(), At("t2"));
  ASSERT_TRUE(second.ok()) << second.error().ToString();
  EXPECT_FALSE(second->changed);
  EXPECT_EQ(Fields(second->object, "other"), Fields(second->object, "kubectl"));
}

TEST(Apply, ForceTakesTheFieldsOver) {
  auto first = Apply(nullptr, Obj(kDeploy), "other", false, Deployments(), At("t1"));
  ASSERT_TRUE(first.ok());
  json::object config = Obj(R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"nginx"},"spec":{"replicas":5}})");
  auto second = Apply(&first->object, config, "me", true, Deployments(), At("t2"));
  ASSERT_TRUE(second.ok()) << second.error().ToString();
  EXPECT_EQ(second->object.at("spec").at("replicas"), 5);
  EXPECT_EQ(Fields(second->object, "me"), R"({"f:spec":{"f:replicas":{}}})");
  auto other = EntryOf(second->object, "other");
  EXPECT_FALSE(other.at("fieldsV1").at("f:spec").as_object().contains("f:replicas"));
  EXPECT_TRUE(other.at("fieldsV1").at("f:spec").as_object().contains("f:selector"));
}

TEST(Apply, ConflictsWithAnUpdaterNameTheApiVersion) {
  json::object created = Obj(kDeploy);
  UpdateManagedFields(nullptr, created, "kubectl-client-side-apply", Deployments(), At("t1"));
  json::object config = Obj(kDeploy);
  config["spec"].as_object()["replicas"] = 2;
  config["metadata"].as_object()["labels"].as_object()["app"] = "web";
  auto r = Apply(&created, config, "kubectl", false, Deployments(), At("t2"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message,
            "Apply failed with 2 conflicts: conflicts with \"kubectl-client-side-apply\" using apps/v1:\n"
            "- .metadata.labels.app\n- .spec.replicas");
  auto causes = json::parse(r.error().details).at("causes").as_array();
  ASSERT_EQ(causes.size(), 2u);
  EXPECT_EQ(causes[1].at("message"), R"(conflict with "kubectl-client-side-apply" using apps/v1)");
}

TEST(Apply, FirstApplyToAnUntrackedObjectConflictsWithBeforeFirstApply) {
  json::object live = Obj(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","uid":"u"},"data":{"key":"old"}})");
  auto r = Apply(&live, Obj(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"key":"new"}})"),
                 "kubectl", false, FieldSchema{}, At("t1"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, R"(Apply failed with 1 conflict: conflict with "before-first-apply" using v1: .data.key)");
  auto forced = Apply(&live, Obj(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"key":"new"}})"),
                      "kubectl", true, FieldSchema{}, At("t1"));
  ASSERT_TRUE(forced.ok());
  // The data map itself stays with before-first-apply; its key moved to the applier.
  EXPECT_EQ(Fields(forced->object, "before-first-apply"), R"({"f:data":{}})");
  // Without a schema every object key is owned itself, so the applier owns data too.
  EXPECT_EQ(Fields(forced->object, "kubectl"), R"({"f:data":{".":{},"f:key":{}}})");
}

TEST(Apply, ManagedFieldsInTheConfigurationAreRejected) {
  auto r = Apply(nullptr, Obj(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","managedFields":[]}})"),
                 "kubectl", false, FieldSchema{}, At("t"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kBadRequest);
  EXPECT_EQ(r.error().message, "metadata.managedFields must be nil");
}

TEST(Apply, ConfigurationWithAnUnkeyedItemIsBadRequest) {
  auto r = Apply(nullptr, Obj(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"image":"x"}]}})"),
                 "kubectl", false, Pods(), At("t"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kBadRequest);
}

TEST(Apply, IgnoredFieldsAreNotOwned) {
  ManagedFieldsOptions o = At("t");
  o.ignored_fields = {"status"};
  auto r = Apply(nullptr, Obj(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},
    "spec":{"containers":[{"name":"c"}]},"status":{"phase":"Running"}})"),
                 "kubectl", false, Pods(), o);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(EntryOf(r->object, "kubectl").at("fieldsV1").as_object().contains("f:status"));
}

TEST(Apply, NullsInTheConfigurationAreNotStored) {
  auto r = Apply(nullptr, Obj(R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"replicas":null,"paused":true}})"),
                 "kubectl", false, Deployments(), At("t"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(json::serialize(r->object.at("spec")), R"({"paused":true})");
}

TEST(Apply, EmptyConfigurationDropsTheAppliersEntry) {
  json::object cm = Obj(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"a":"1"}})");
  auto first = Apply(nullptr, cm, "kubectl", false, FieldSchema{}, At("t1"));
  ASSERT_TRUE(first.ok());
  auto second = Apply(&first->object, Obj(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"}})"), "kubectl",
                      false, FieldSchema{}, At("t2"));
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE(second->object.contains("data"));
  EXPECT_FALSE(second->object.at("metadata").as_object().contains("managedFields"));
}

// ---- updates ----

TEST(UpdateManagedFields, CreateOwnsEverythingItSet) {
  json::object obj = Obj(kDeploy);
  UpdateManagedFields(nullptr, obj, "kubectl-create", Deployments(), At("t1"));
  auto e = EntryOf(obj, "kubectl-create");
  EXPECT_EQ(e.at("operation"), "Update");
  EXPECT_EQ(e.at("apiVersion"), "apps/v1");
  EXPECT_EQ(e.at("time"), "t1");
  // Added maps and list items carry ".".
  EXPECT_EQ(json::serialize(e.at("fieldsV1").at("f:metadata")), R"({"f:labels":{".":{},"f:app":{}}})");
}

TEST(UpdateManagedFields, TheWriterTakesTheFieldsItChanged) {
  auto applied = Apply(nullptr, Obj(kDeploy), "kubectl", false, Deployments(), At("t1"));
  ASSERT_TRUE(applied.ok());
  json::object edited = applied->object;
  edited["spec"].as_object()["replicas"] = 4;
  UpdateManagedFields(&applied->object, edited, "kubectl-edit", Deployments(), At("t2"));
  EXPECT_EQ(Fields(edited, "kubectl-edit"), R"({"f:spec":{"f:replicas":{}}})");
  EXPECT_FALSE(EntryOf(edited, "kubectl").at("fieldsV1").at("f:spec").as_object().contains("f:replicas"));
  // Applying the old value again now conflicts with the editor.
  auto again = Apply(&edited, Obj(kDeploy), "kubectl", false, Deployments(), At("t3"));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().message, R"(Apply failed with 1 conflict: conflict with "kubectl-edit" using apps/v1: .spec.replicas)");
}

TEST(UpdateManagedFields, AnUnchangedWriteAddsNoEntry) {
  json::object obj = Obj(kDeploy);
  UpdateManagedFields(nullptr, obj, "creator", Deployments(), At("t1"));
  json::object same = obj;
  UpdateManagedFields(&obj, same, "other", Deployments(), At("t2"));
  EXPECT_EQ(same, obj);
}

TEST(UpdateManagedFields, RemovedFieldsLeaveEveryManager) {
  json::object obj = Obj(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"a":"1","b":"2"}})");
  UpdateManagedFields(nullptr, obj, "creator", FieldSchema{}, At("t1"));
  json::object next = obj;
  next["data"].as_object().erase("a");
  UpdateManagedFields(&obj, next, "editor", FieldSchema{}, At("t2"));
  EXPECT_EQ(Fields(next, "creator"), R"({"f:data":{".":{},"f:b":{}}})");
  EXPECT_EQ(EntryOf(next, "editor").size(), 0u);  // removing alone owns nothing
}

TEST(UpdateManagedFields, AnUntrackedObjectStaysUntrackedAndOneEmptyEntryClears) {
  json::object old = Obj(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","uid":"u"},"data":{"a":"1"}})");
  json::object next = old;
  next["data"].as_object()["a"] = "2";
  UpdateManagedFields(&old, next, "editor", FieldSchema{}, At("t"));
  EXPECT_FALSE(next.at("metadata").as_object().contains("managedFields"));

  json::object tracked = old;
  UpdateManagedFields(nullptr, tracked, "creator", FieldSchema{}, At("t"));
  json::object cleared = tracked;
  cleared["metadata"].as_object()["managedFields"] = json::array{json::object{}};
  UpdateManagedFields(&tracked, cleared, "editor", FieldSchema{}, At("t"));
  EXPECT_FALSE(cleared.at("metadata").as_object().contains("managedFields"));
}

TEST(UpdateManagedFields, EntriesAreSortedApplyFirstThenByTime) {
  auto applied = Apply(nullptr, Obj(kDeploy), "zeta", false, Deployments(), At("2026-01-01T00:00:02Z"));
  ASSERT_TRUE(applied.ok());
  json::object next = applied->object;
  next["spec"].as_object()["paused"] = true;
  UpdateManagedFields(&applied->object, next, "alpha", Deployments(), At("2026-01-01T00:00:01Z"));
  const auto& list = next.at("metadata").at("managedFields").as_array();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].at("operation"), "Apply");
  EXPECT_EQ(list[1].at("manager"), "alpha");
}

TEST(UpdateManagedFields, StatusSubresourceWritesAreRecordedAsSuch) {
  json::object pod = Obj(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"c"}]}})");
  UpdateManagedFields(nullptr, pod, "creator", Pods(), At("t1"));
  json::object next = pod;
  next["status"] = Obj(R"({"phase":"Running"})");
  ManagedFieldsOptions o = At("t2");
  o.subresource = "status";
  o.ignored_fields = {"spec", "metadata"};
  UpdateManagedFields(&pod, next, "kubelet", Pods(), o);
  auto e = EntryOf(next, "kubelet");
  EXPECT_EQ(e.at("subresource"), "status");
  EXPECT_EQ(json::serialize(e.at("fieldsV1")), R"({"f:status":{".":{},"f:phase":{}}})");
}

// ---- YAML ----

TEST(ParseApplyBody, JsonBodiesAreReadAsIs) {
  auto r = ParseApplyBody(R"({"apiVersion":"v1","data":{"key":"value"},"kind":"ConfigMap"})" "\n");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->at("data").at("key"), "value");
}

TEST(ParseApplyBody, YamlScalarsGetTheTypesYamlImplies) {
  auto r = ParseApplyBody(R"(apiVersion: v1
kind: ConfigMap
metadata:
  name: demo
  labels: {a: "1"}
spec:
  int: 42
  neg: -7
  hex: 0x1F
  octal: 0755
  float: 1.5
  whole_float: 2.0
  yes_bool: yes
  off_bool: off
  true_bool: true
  nothing: ~
  empty:
  quoted_int: "42"
  quoted_bool: 'true'
  str: hello world
  version: 1.2.3
  time: 2024-01-01T00:00:00Z
  block: |
    line one
    line two
  list:
  - 1
  - two
  1: numeric key
  true: bool key
)");
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  const auto& s = r->at("spec").as_object();
  EXPECT_EQ(s.at("int"), 42);
  EXPECT_EQ(s.at("neg"), -7);
  EXPECT_EQ(s.at("hex"), 31);
  EXPECT_EQ(s.at("octal"), 493);
  EXPECT_EQ(s.at("float"), 1.5);
  EXPECT_TRUE(s.at("whole_float").is_int64());
  EXPECT_EQ(s.at("yes_bool"), true);
  EXPECT_EQ(s.at("off_bool"), false);
  EXPECT_EQ(s.at("true_bool"), true);
  EXPECT_TRUE(s.at("nothing").is_null());
  EXPECT_TRUE(s.at("empty").is_null());
  EXPECT_EQ(s.at("quoted_int"), "42");
  EXPECT_EQ(s.at("quoted_bool"), "true");
  EXPECT_EQ(s.at("str"), "hello world");
  EXPECT_EQ(s.at("version"), "1.2.3");
  EXPECT_EQ(s.at("time"), "2024-01-01T00:00:00Z");
  EXPECT_EQ(s.at("block"), "line one\nline two\n");
  EXPECT_EQ(json::serialize(s.at("list")), R"([1,"two"])");
  EXPECT_EQ(s.at("1"), "numeric key");
  EXPECT_EQ(s.at("true"), "bool key");
  EXPECT_EQ(r->at("metadata").at("labels").at("a"), "1");
}

TEST(ParseApplyBody, BadYamlNamesTheLine) {
  auto r = ParseApplyBody("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [unclosed\n");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kBadRequest);
  EXPECT_NE(r.error().message.find("yaml: line "), std::string::npos) << r.error().message;
  auto tab = ParseApplyBody("a: b\n  c: d\n");
  ASSERT_FALSE(tab.ok());
  EXPECT_NE(tab.error().message.find("line 2"), std::string::npos) << tab.error().message;
}

TEST(ParseApplyBody, NonMappingBodiesAreBadRequest) {
  EXPECT_EQ(ParseApplyBody("- a\n- b\n").error().code, ErrorCode::kBadRequest);
  EXPECT_EQ(ParseApplyBody("just a string").error().code, ErrorCode::kBadRequest);
  EXPECT_EQ(ParseApplyBody("").error().code, ErrorCode::kBadRequest);
}

TEST(ParseApplyBody, AnchorsAndAliasesExpand) {
  auto r = ParseApplyBody("base: &b {x: 1}\ncopy: *b\n");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->at("copy").at("x"), 1);
}

}  // namespace
}  // namespace k1s::registry
