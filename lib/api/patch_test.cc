#include "lib/api/patch.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

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

}  // namespace
}  // namespace k1s::api
