#include "lib/api/meta.h"

#include <gtest/gtest.h>

namespace k1s::api {
namespace {

TEST(MetaTest, NamesAreValidatedLikeKubernetes) {
  EXPECT_EQ(ValidateDns1123Subdomain("my-app.v1"), "");
  EXPECT_NE(ValidateDns1123Subdomain("Invalid_Name"), "");
  EXPECT_NE(ValidateDns1123Subdomain("-a"), "");
  EXPECT_EQ(ValidateDns1123Label("kube-system"), "");
  EXPECT_NE(ValidateDns1123Label("a.b"), "");
  EXPECT_NE(ValidateDns1123Label(std::string(64, 'a')), "");
}

TEST(MetaTest, LabelSelectorsMatch) {
  std::map<std::string, std::string> labels{{"app", "web"}, {"tier", "front"}};
  auto match = [&](const char* s) { return LabelSelector::Parse(s)->Matches(labels); };
  EXPECT_TRUE(match("app=web"));
  EXPECT_TRUE(match("app==web,tier"));
  EXPECT_FALSE(match("app!=web"));
  EXPECT_TRUE(match("app in (web, db),!missing"));
  EXPECT_FALSE(match("tier notin (front)"));
  EXPECT_TRUE(match(""));
}

TEST(MetaTest, ParseObjectRejectsNonObjects) {
  EXPECT_TRUE(ParseObject(R"({"a":1})").ok());
  EXPECT_EQ(ParseObject("[1]").error().code, ErrorCode::kBadRequest);
  EXPECT_EQ(ParseObject("{bad").error().code, ErrorCode::kBadRequest);
}

TEST(MetaTest, UidsAndSuffixesHaveTheRightShape) {
  EXPECT_EQ(NewUid().size(), 36u);
  EXPECT_EQ(RandomSuffix(5).size(), 5u);
  EXPECT_EQ(NowRfc3339().size(), 20u);
}

}  // namespace
}  // namespace k1s::api
