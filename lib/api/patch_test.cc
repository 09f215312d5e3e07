#include "lib/api/patch.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <map>
#include <string>

namespace k1s::api {
namespace {

std::string Applied(const char* doc, const char* patch, bool json_patch) {
  auto v = boost::json::parse(doc);
  auto p = boost::json::parse(patch);
  if (json_patch) {
    auto s = ApplyJsonPatch(v, p);
    if (!s.ok()) return "error: " + s.error().message;
  } else {
    ApplyMergePatch(v, p);
  }
  return boost::json::serialize(v);
}

TEST(PatchTest, MergePatchMergesObjectsAndNullDeletes) {
  EXPECT_EQ(Applied(R"({"a":{"b":1,"c":2},"d":[1]})", R"({"a":{"b":null,"e":3},"d":[2]})", false),
            R"({"a":{"c":2,"e":3},"d":[2]})");
}

std::string Strategic(const char* doc, const char* patch) {
  auto v = boost::json::parse(doc);
  ApplyStrategicMergePatch(v, boost::json::parse(patch));
  return boost::json::serialize(v);
}

TEST(PatchTest, StrategicMergeMergesKeyedListsAndHonoursDirectives) {
  // kubectl apply changing a Service port: the old port is deleted by key, order set explicitly.
  EXPECT_EQ(Strategic(R"({"spec":{"ports":[{"port":80,"targetPort":8080,"protocol":"TCP"}]}})",
                      R"({"spec":{"$setElementOrder/ports":[{"port":81}],"ports":[{"port":81,"targetPort":8080},{"$patch":"delete","port":80}]}})"),
            R"({"spec":{"ports":[{"port":81,"targetPort":8080}]}})");
  // Containers merge by name; a field inside one container changes, the other is untouched.
  EXPECT_EQ(Strategic(R"({"containers":[{"name":"a","image":"x"},{"name":"b","image":"y"}]})",
                      R"({"containers":[{"name":"b","image":"z"}]})"),
            R"({"containers":[{"name":"a","image":"x"},{"name":"b","image":"z"}]})");
  // Lists without a merge key are replaced; null deletes; $patch: replace replaces a map.
  EXPECT_EQ(Strategic(R"({"args":["a"],"m":{"x":1,"y":2},"r":{"a":1}})", R"({"args":["b"],"m":{"x":null},"r":{"$patch":"replace","b":2}})"),
            R"({"args":["b"],"m":{"y":2},"r":{"b":2}})");
  EXPECT_EQ(Strategic(R"({"finalizers":["a","b","c"]})", R"({"$deleteFromPrimitiveList/finalizers":["b"]})"),
            R"({"finalizers":["a","c"]})");
}

TEST(PatchTest, JsonPatchOperations) {
  EXPECT_EQ(Applied(R"({"a":[1,2]})", R"([{"op":"add","path":"/a/1","value":9}])", true), R"({"a":[1,9,2]})");
  EXPECT_EQ(Applied(R"({"a":[1,2]})", R"([{"op":"add","path":"/a/-","value":3}])", true), R"({"a":[1,2,3]})");
  EXPECT_EQ(Applied(R"({"a":1,"b":2})", R"([{"op":"remove","path":"/a"}])", true), R"({"b":2})");
  EXPECT_EQ(Applied(R"({"a":1})", R"([{"op":"replace","path":"/a","value":5}])", true), R"({"a":5})");
  EXPECT_EQ(Applied(R"({"a":1})", R"([{"op":"move","from":"/a","path":"/b"}])", true), R"({"b":1})");
  EXPECT_EQ(Applied(R"({"a/b":1})", R"([{"op":"copy","from":"/a~1b","path":"/c"}])", true), R"({"a/b":1,"c":1})");
  EXPECT_EQ(Applied(R"({"a":1})", R"([{"op":"test","path":"/a","value":1},{"op":"add","path":"/b","value":2}])", true),
            R"({"a":1,"b":2})");
}

TEST(PatchTest, FailedJsonPatchLeavesTargetUnchangedAndSaysWhy) {
  auto v = boost::json::parse(R"({"a":1})");
  auto s = ApplyJsonPatch(v, boost::json::parse(R"([{"op":"add","path":"/b","value":2},{"op":"remove","path":"/zz"}])"));
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("operation 2"), std::string::npos);
  EXPECT_EQ(boost::json::serialize(v), R"({"a":1})");
  EXPECT_FALSE(ApplyJsonPatch(v, boost::json::parse(R"({"op":"add"})")).ok());
  EXPECT_FALSE(ApplyJsonPatch(v, boost::json::parse(R"([{"op":"test","path":"/a","value":2}])")).ok());
}

TEST(PatchTest, JsonPatchWithAHugeArrayIndexFailsAsAMissingPathInsteadOfThrowing) {
  auto v = boost::json::parse(R"({"spec":{"containers":[{"name":"a"}]}})");
  for (const char* ptr : {"/spec/containers/99999999999999999999", "/spec/containers/99999999999999999999/name"}) {
    for (const char* op : {"replace", "remove", "add", "test"}) {
      std::string patch = std::string(R"([{"op":")") + op + R"(","path":")" + ptr + R"(","value":1}])";
      Status s = OkStatus();
      EXPECT_NO_THROW(s = ApplyJsonPatch(v, boost::json::parse(patch))) << op << " " << ptr;
      ASSERT_FALSE(s.ok()) << op << " " << ptr;
      EXPECT_EQ(s.error().code, ErrorCode::kInvalid) << s.error().message;
    }
  }
  EXPECT_EQ(boost::json::serialize(v), R"({"spec":{"containers":[{"name":"a"}]}})");
}

// ---- Strategic merge patch with a schema ----

// A hand-made PatchSchema: a type is a map from field name to its facts and nested types.
struct FakeType {
  struct Entry {
    std::string merge_key;
    bool merge = false;
    bool retain_keys = false;
    const FakeType* type = nullptr;
    const FakeType* element = nullptr;
  };
  std::map<std::string, Entry, std::less<>> fields;
};

class FakePatchSchema : public PatchSchema {
 public:
  explicit FakePatchSchema(const FakeType* root) : root_(root) {}
  const void* Root() const override { return root_; }
  PatchField Field(const void* type, std::string_view name) const override {
    PatchField out;
    const auto* t = static_cast<const FakeType*>(type);
    if (t == nullptr) return out;
    auto it = t->fields.find(name);
    if (it == t->fields.end()) return out;
    out.merge_key = it->second.merge_key;
    out.merge = it->second.merge;
    out.retain_keys = it->second.retain_keys;
    out.type = it->second.type;
    out.element = it->second.element;
    return out;
  }

 private:
  const FakeType* root_;
};

// A pod-like kind: spec.containers merge by name (their ports by containerPort), spec.tolerations and
// args are atomic, spec.volumes merge by name with retainKeys, metadata.finalizers is a merged set.
struct PodLike {
  FakeType port, container, volume, spec, meta, root;
  PodLike() {
    container.fields["ports"] = {"containerPort", true, false, nullptr, &port};
    container.fields["args"] = {};
    spec.fields["containers"] = {"name", true, false, nullptr, &container};
    spec.fields["tolerations"] = {};
    spec.fields["volumes"] = {"name", true, true, nullptr, &volume};
    spec.fields["ports"] = {"port", true, false, nullptr, &port};
    meta.fields["finalizers"] = {"", true, false, nullptr, nullptr};
    root.fields["spec"] = {"", false, false, &spec, nullptr};
    root.fields["metadata"] = {"", false, false, &meta, nullptr};
  }
};

std::string WithSchema(const char* doc, const char* patch) {
  static const PodLike kinds;
  FakePatchSchema schema(&kinds.root);
  auto v = boost::json::parse(doc);
  auto s = ApplyStrategicMergePatch(v, boost::json::parse(patch), schema);
  if (!s.ok()) return "error: " + s.error().message;
  return boost::json::serialize(v);
}

TEST(StrategicMergePatchTest, KeyedListsMergeByTheirSchemaKeyAndOthersAreReplaced) {
  EXPECT_EQ(WithSchema(R"({"spec":{"containers":[{"name":"a","image":"x","args":["1","2"]},{"name":"b","image":"y"}]}})",
                       R"({"spec":{"containers":[{"name":"a","args":["3"]},{"name":"c","image":"z"}]}})"),
            R"({"spec":{"containers":[{"name":"a","image":"x","args":["3"]},{"name":"b","image":"y"},{"name":"c","image":"z"}]}})");
  // Tolerations have no patch strategy: the patch's list replaces the old one.
  EXPECT_EQ(WithSchema(R"({"spec":{"tolerations":[{"key":"a","operator":"Exists"},{"key":"b","operator":"Exists"}]}})",
                       R"({"spec":{"tolerations":[{"key":"a","effect":"NoSchedule"}]}})"),
            R"({"spec":{"tolerations":[{"key":"a","effect":"NoSchedule"}]}})");
  // A list the schema does not know is replaced even when its name suggests a key.
  EXPECT_EQ(WithSchema(R"({"env":[{"name":"A","value":"1"}]})", R"({"env":[{"name":"B","value":"2"}]})"),
            R"({"env":[{"name":"B","value":"2"}]})");
}

TEST(StrategicMergePatchTest, NestedKeyedListsUseTheElementType) {
  EXPECT_EQ(WithSchema(R"({"spec":{"containers":[{"name":"a","ports":[{"containerPort":80,"name":"http"}]}]}})",
                       R"({"spec":{"containers":[{"name":"a","ports":[{"containerPort":80,"protocol":"TCP"},{"containerPort":443}]}]}})"),
            R"({"spec":{"containers":[{"name":"a","ports":[{"containerPort":80,"name":"http","protocol":"TCP"},{"containerPort":443}]}]}})");
}

TEST(StrategicMergePatchTest, PrimitiveListsWithMergeStrategyAreSets) {
  EXPECT_EQ(WithSchema(R"({"metadata":{"finalizers":["a","b"]}})", R"({"metadata":{"finalizers":["b","c"]}})"),
            R"({"metadata":{"finalizers":["a","b","c"]}})");
  EXPECT_EQ(WithSchema(R"({"metadata":{"finalizers":["a","b","c"]}})",
                       R"({"metadata":{"$deleteFromPrimitiveList/finalizers":["b"],"finalizers":["d"]}})"),
            R"({"metadata":{"finalizers":["a","c","d"]}})");
}

TEST(StrategicMergePatchTest, PatchDirectiveDeletesReplacesAndMerges) {
  // $patch: delete removes the element with that key.
  EXPECT_EQ(WithSchema(R"({"spec":{"containers":[{"name":"a"},{"name":"b"}]}})",
                       R"({"spec":{"containers":[{"name":"a","$patch":"delete"}]}})"),
            R"({"spec":{"containers":[{"name":"b"}]}})");
  // $patch: replace as a list element replaces the whole list.
  EXPECT_EQ(WithSchema(R"({"spec":{"containers":[{"name":"a"},{"name":"b"}]}})",
                       R"({"spec":{"containers":[{"name":"c"},{"$patch":"replace"}]}})"),
            R"({"spec":{"containers":[{"name":"c"}]}})");
  // $patch: replace on a map replaces that map; $patch: delete on a map deletes it.
  EXPECT_EQ(WithSchema(R"({"spec":{"a":{"x":1,"y":2},"b":{"z":1}}})",
                       R"({"spec":{"a":{"$patch":"replace","y":3},"b":{"$patch":"delete"}}})"),
            R"({"spec":{"a":{"y":3}}})");
  // $patch: merge is the default; an unknown directive is invalid and leaves the target alone.
  EXPECT_EQ(WithSchema(R"({"spec":{"a":{"x":1}}})", R"({"spec":{"a":{"$patch":"merge","y":2}}})"),
            R"({"spec":{"a":{"x":1,"y":2}}})");
  EXPECT_NE(WithSchema(R"({"spec":{}})", R"({"spec":{"a":{"$patch":"explode"}}})").find("error: "), std::string::npos);
}

TEST(StrategicMergePatchTest, ElementsWithoutTheirMergeKeyAreInvalid) {
  EXPECT_EQ(WithSchema(R"({"spec":{"containers":[{"name":"a"}]}})", R"({"spec":{"containers":[{"image":"x"}]}})"),
            "error: invalid strategic merge patch: an element of containers does not contain its merge key name");
}

TEST(StrategicMergePatchTest, RetainKeysClearsFieldsTheNewVersionDropped) {
  // kubectl apply switching a volume from hostPath to emptyDir sends $retainKeys for the volume.
  EXPECT_EQ(WithSchema(R"({"spec":{"volumes":[{"name":"v","hostPath":{"path":"/x"}},{"name":"w","emptyDir":{}}]}})",
                       R"({"spec":{"volumes":[{"name":"v","$retainKeys":["emptyDir","name"],"emptyDir":{}}]}})"),
            R"({"spec":{"volumes":[{"name":"v","emptyDir":{}},{"name":"w","emptyDir":{}}]}})");
}

TEST(StrategicMergePatchTest, SetElementOrderOrdersNamedElementsAndKeepsOthersInPlace) {
  // c and a follow the order given; b, not named, stays before c where it was before it.
  EXPECT_EQ(WithSchema(R"({"spec":{"containers":[{"name":"a"},{"name":"b"},{"name":"c"}]}})",
                       R"({"spec":{"$setElementOrder/containers":[{"name":"c"},{"name":"a"}],"containers":[{"name":"c","image":"z"}]}})"),
            R"({"spec":{"containers":[{"name":"b"},{"name":"c","image":"z"},{"name":"a"}]}})");
  // Service ports keyed by port: the old port deleted, the new one added, order as given.
  EXPECT_EQ(WithSchema(R"({"spec":{"ports":[{"port":80},{"port":443}]}})",
                       R"({"spec":{"$setElementOrder/ports":[{"port":8443},{"port":80}],"ports":[{"port":8443},{"port":443,"$patch":"delete"}]}})"),
            R"({"spec":{"ports":[{"port":8443},{"port":80}]}})");
  // A set of scalars is ordered by value.
  EXPECT_EQ(WithSchema(R"({"metadata":{"finalizers":["a","b"]}})",
                       R"({"metadata":{"$setElementOrder/finalizers":["b","c","a"],"finalizers":["c"]}})"),
            R"({"metadata":{"finalizers":["b","c","a"]}})");
}

TEST(StrategicMergePatchTest, NullDeletesAndScalarsReplace) {
  EXPECT_EQ(WithSchema(R"({"spec":{"a":1,"b":{"c":2}},"x":"y"})", R"({"spec":{"a":null,"b":{"c":3}},"x":"z"})"),
            R"({"spec":{"b":{"c":3}},"x":"z"})");
}

}  // namespace
}  // namespace k1s::api
