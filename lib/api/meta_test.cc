#include "lib/api/meta.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

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

TEST(MetaTest, ServiceNamesAreDns1035LabelsThatStartWithALetter) {
  EXPECT_EQ(ValidateDns1035Label("svc-9"), "");
  EXPECT_EQ(ValidateDns1035Label("9svc"),
            "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic "
            "character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for "
            "validation is '[a-z]([-a-z0-9]*[a-z0-9])?')");
  EXPECT_NE(ValidateDns1035Label("svc-"), "");
  EXPECT_NE(ValidateDns1035Label("Svc"), "");
  EXPECT_NE(ValidateDns1035Label(""), "");
  EXPECT_EQ(ValidateDns1035Label(std::string(64, 'a')), "must be no more than 63 characters");
}

TEST(MetaTest, PortNamesAreIanaServiceNamesWithUpstreamsReasons) {
  EXPECT_TRUE(ValidatePortName("http").empty());
  EXPECT_TRUE(ValidatePortName("h2c-8080").empty());
  EXPECT_EQ(ValidatePortName("99999999999999999999"),
            (std::vector<std::string>{"must be no more than 15 characters", "must contain at least one letter (a-z)"}));
  EXPECT_EQ(ValidatePortName("Http"),
            (std::vector<std::string>{"must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)"}));
  EXPECT_EQ(ValidatePortName("a--b"), (std::vector<std::string>{"must not contain consecutive hyphens"}));
  EXPECT_EQ(ValidatePortName("-ab"), (std::vector<std::string>{"must not begin or end with a hyphen"}));
  EXPECT_FALSE(ValidatePortName("").empty());
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

TEST(MetaTest, LabelSelectorObjectsMatch) {
  std::map<std::string, std::string> labels{{"app", "web"}, {"tier", "front"}};
  auto match = [&](const char* s) { return LabelSelectorMatches(json::parse(s).as_object(), labels); };
  EXPECT_TRUE(match("{}"));
  EXPECT_TRUE(match(R"({"matchLabels":{"app":"web"}})"));
  EXPECT_FALSE(match(R"({"matchLabels":{"app":"db"}})"));
  EXPECT_TRUE(match(R"({"matchExpressions":[{"key":"tier","operator":"In","values":["front","back"]}]})"));
  EXPECT_FALSE(match(R"({"matchExpressions":[{"key":"tier","operator":"NotIn","values":["front"]}]})"));
  EXPECT_TRUE(match(R"({"matchExpressions":[{"key":"app","operator":"Exists"},{"key":"x","operator":"DoesNotExist"}]})"));
  EXPECT_FALSE(match(R"({"matchExpressions":[{"key":"x","operator":"Exists"}]})"));
  EXPECT_FALSE(match(R"({"matchExpressions":[{"key":"app","operator":"Gt","values":["1"]}]})"));
  EXPECT_FALSE(match(R"({"matchLabels":{"app":"web"},"matchExpressions":[{"key":"tier","operator":"In","values":["x"]}]})"));
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
