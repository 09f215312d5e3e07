#include "lib/api/json_util.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace k1s::api {
namespace {

json::object Parse(std::string_view text) { return json::parse(text).as_object(); }

TEST(JsonUtilTest, MembersOfTheWrongTypeReadAsAbsent) {
  const json::object o = Parse(R"({"s":"x","n":3,"b":true,"o":{"k":1},"a":[1,"two",3,"four"],"z":null})");
  EXPECT_EQ(StrAt(o, "s"), "x");
  EXPECT_EQ(StrAt(o, "n"), "");
  EXPECT_EQ(StrAt(o, "missing"), "");
  EXPECT_TRUE(BoolAt(o, "b"));
  EXPECT_FALSE(BoolAt(o, "s"));
  EXPECT_NE(ObjAt(o, "o"), nullptr);
  EXPECT_EQ(ObjAt(o, "a"), nullptr);
  EXPECT_EQ(ObjAt(o, "z"), nullptr);
  EXPECT_EQ(ArrAt(o, "a")->size(), 4u);
  EXPECT_EQ(ArrAt(o, "o"), nullptr);
  EXPECT_EQ(StringsAt(o, "a"), (std::vector<std::string>{"two", "four"}));
  EXPECT_TRUE(StringsAt(o, "s").empty());
}

TEST(JsonUtilTest, NumbersReadAsIntegersTruncatingDoubles) {
  const json::object o = Parse(R"({"i":-4,"u":18446744073709551615,"d":2.9,"s":"1"})");
  EXPECT_EQ(IntAt(o, "i"), -4);
  EXPECT_EQ(IntAt(o, "u"), static_cast<int64_t>(UINT64_MAX));
  EXPECT_EQ(IntAt(o, "d"), 2);
  EXPECT_EQ(IntAt(o, "s"), std::nullopt);
  EXPECT_EQ(IntAt(o, "missing"), std::nullopt);
}

TEST(JsonUtilTest, DoublesBeyondInt64ClampInsteadOfOverflowing) {
  const json::object o = Parse(R"({"big":1e300,"small":-1e300})");
  EXPECT_EQ(IntAt(o, "big"), INT64_MAX);
  EXPECT_EQ(IntAt(o, "small"), INT64_MIN);
}

TEST(JsonUtilTest, NullObjectPointersReadAsEmpty) {
  const json::object* none = nullptr;
  EXPECT_EQ(StrAt(none, "k"), "");
  EXPECT_FALSE(BoolAt(none, "k"));
  EXPECT_EQ(ObjAt(none, "k"), nullptr);
  EXPECT_EQ(ArrAt(none, "k"), nullptr);
  EXPECT_TRUE(StringsAt(none, "k").empty());
  const json::object o = Parse(R"({"k":"v"})");
  EXPECT_EQ(StrAt(&o, "k"), "v");
}

TEST(JsonUtilTest, PathsWalkObjectsOnly) {
  const json::object o = Parse(R"({"spec":{"template":{"name":"t","n":2.5}},"list":[{"a":1}]})");
  EXPECT_EQ(StrAt(o, {"spec", "template", "name"}), "t");
  EXPECT_EQ(IntAt(o, {"spec", "template", "n"}), 2);
  EXPECT_NE(ObjAt(o, {"spec", "template"}), nullptr);
  EXPECT_EQ(ObjAt(o, {"spec", "template", "name"}), nullptr);
  EXPECT_EQ(ValueAt(o, {"list", "a"}), nullptr);  // arrays are not walked
  EXPECT_EQ(ValueAt(o, {"spec", "missing", "name"}), nullptr);
  EXPECT_EQ(ValueAt(o, {}), nullptr);
  EXPECT_NE(ArrAt(o, {"list"}), nullptr);
  // A one-element braced path is a path, not a key.
  EXPECT_NE(ObjAt(o, {"spec"}), nullptr);
}

TEST(JsonUtilTest, MutableObjectsGiveMutableMembers) {
  json::object o = Parse(R"({"spec":{"template":{"name":"t"},"list":[1]}})");
  ObjAt(o, "spec")->emplace("replicas", 2);
  ObjAt(o, {"spec", "template"})->emplace("labels", json::object());
  ArrAt(o, {"spec", "list"})->emplace_back(2);
  ArrAt(*ObjAt(o, "spec"), "list")->emplace_back(3);
  EXPECT_EQ(json::serialize(o), R"({"spec":{"template":{"name":"t","labels":{}},"list":[1,2,3],"replicas":2}})");
}

TEST(JsonUtilTest, EnsureObjCreatesMissingOrNullButKeepsOtherValues) {
  json::object o = Parse(R"({"z":null,"s":"x","o":{"k":1}})");
  ASSERT_NE(EnsureObj(o, "new"), nullptr);
  EXPECT_TRUE(o.at("new").is_object());
  ASSERT_NE(EnsureObj(o, "z"), nullptr);
  EXPECT_TRUE(o.at("z").is_object());
  EXPECT_EQ(EnsureObj(o, "s"), nullptr);
  EXPECT_EQ(o.at("s"), "x");
  EXPECT_EQ(EnsureObj(o, "o")->at("k"), 1);
}

TEST(JsonUtilTest, ConditionAtFindsTheConditionOfAType) {
  const json::object status = Parse(R"({"conditions":[7,{"type":"A","status":"False"},{"type":"Ready","status":"True"}]})");
  ASSERT_NE(ConditionAt(status, "Ready"), nullptr);
  EXPECT_EQ(StrAt(*ConditionAt(status, "Ready"), "status"), "True");
  EXPECT_EQ(ConditionAt(status, "Missing"), nullptr);
  EXPECT_EQ(ConditionAt(Parse(R"({"conditions":{}})"), "Ready"), nullptr);
  const json::object* none = nullptr;
  EXPECT_EQ(ConditionAt(none, "Ready"), nullptr);
}

}  // namespace
}  // namespace k1s::api
