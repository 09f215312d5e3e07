#include "server/auth/escalation.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace k1s::auth {
namespace {

namespace json = boost::json;

PolicyRule Rule(std::vector<std::string> groups, std::vector<std::string> resources, std::vector<std::string> verbs,
                std::vector<std::string> names = {}) {
  PolicyRule r;
  r.api_groups = std::move(groups);
  r.resources = std::move(resources);
  r.verbs = std::move(verbs);
  r.resource_names = std::move(names);
  return r;
}

PolicyRule Urls(std::vector<std::string> urls, std::vector<std::string> verbs) {
  PolicyRule r;
  r.non_resource_urls = std::move(urls);
  r.verbs = std::move(verbs);
  return r;
}

TEST(Escalation, RulesBreakDownIntoSingleTuples) {
  auto parts = BreakdownRules({Rule({"", "apps"}, {"pods"}, {"get", "list"}, {"a"}), Urls({"/healthz"}, {"get"})});
  ASSERT_EQ(parts.size(), 5u);
  EXPECT_EQ(parts[0], Rule({""}, {"pods"}, {"get"}, {"a"}));
  EXPECT_EQ(parts[3], Rule({"apps"}, {"pods"}, {"list"}, {"a"}));
  EXPECT_EQ(parts[4], Urls({"/healthz"}, {"get"}));
}

TEST(Escalation, OwnerRulesCoverWithWildcardsSubresourcesAndNames) {
  EXPECT_TRUE(RuleCovers(Rule({"*"}, {"*"}, {"*"}), Rule({""}, {"secrets"}, {"get"})));
  EXPECT_TRUE(RuleCovers(Rule({""}, {"*/status"}, {"get"}), Rule({""}, {"pods/status"}, {"get"})));
  EXPECT_FALSE(RuleCovers(Rule({""}, {"pods"}, {"get"}), Rule({""}, {"pods/status"}, {"get"})));
  EXPECT_TRUE(RuleCovers(Rule({""}, {"pods"}, {"get"}), Rule({""}, {"pods"}, {"get"}, {"x"})));
  EXPECT_FALSE(RuleCovers(Rule({""}, {"pods"}, {"get"}, {"x"}), Rule({""}, {"pods"}, {"get"})));
  EXPECT_TRUE(RuleCovers(Rule({""}, {"pods"}, {"get"}, {"x", "y"}), Rule({""}, {"pods"}, {"get"}, {"y"})));
  EXPECT_FALSE(RuleCovers(Rule({"apps"}, {"pods"}, {"get"}), Rule({""}, {"pods"}, {"get"})));
  EXPECT_TRUE(RuleCovers(Urls({"/api/*"}, {"get"}), Urls({"/api/v1"}, {"get"})));
  EXPECT_FALSE(RuleCovers(Rule({"*"}, {"*"}, {"*"}), Urls({"/api/v1"}, {"get"})));
}

TEST(Escalation, UncoveredRulesAreWhatNoOwnerRuleCovers) {
  std::vector<PolicyRule> owner = {Rule({""}, {"pods", "configmaps"}, {"get", "list"}), Rule({""}, {"secrets"}, {"get"})};
  EXPECT_TRUE(UncoveredRules(owner, {Rule({""}, {"pods"}, {"get"}), Rule({""}, {"secrets"}, {"get"})}).empty());
  auto missing = UncoveredRules(owner, {Rule({""}, {"secrets", "pods"}, {"get", "list", "delete"})});
  ASSERT_EQ(missing.size(), 3u);
  EXPECT_EQ(missing[0], Rule({""}, {"secrets"}, {"list"}));
  EXPECT_EQ(missing[1], Rule({""}, {"secrets"}, {"delete"}));
  EXPECT_EQ(missing[2], Rule({""}, {"pods"}, {"delete"}));
}

TEST(Escalation, CompactRulesMergesVerbsOfOneResource) {
  auto compact = CompactRules({Rule({""}, {"secrets"}, {"list"}), Rule({""}, {"secrets"}, {"delete"}),
                               Rule({""}, {"secrets"}, {"list"}), Rule({""}, {"pods"}, {"get"}, {"a"}),
                               Rule({""}, {"pods"}, {"list"}, {"a"}), Urls({"/x"}, {"get"})});
  ASSERT_EQ(compact.size(), 3u);
  EXPECT_EQ(compact[0], Rule({""}, {"secrets"}, {"list", "delete"}));
  EXPECT_EQ(compact[1], Rule({""}, {"pods"}, {"get", "list"}, {"a"}));
  EXPECT_EQ(compact[2], Urls({"/x"}, {"get"}));
}

TEST(Escalation, CompactStringPrintsGoQuotedLists) {
  EXPECT_EQ(CompactString(Rule({""}, {"pods"}, {"get", "list"})), R"({APIGroups:[""], Resources:["pods"], Verbs:["get" "list"]})");
  EXPECT_EQ(CompactString(Rule({"apps"}, {"deployments"}, {"get"}, {"web"})),
            R"({APIGroups:["apps"], Resources:["deployments"], ResourceNames:["web"], Verbs:["get"]})");
  EXPECT_EQ(CompactString(Urls({"/healthz"}, {"get"})), R"({NonResourceURLs:["/healthz"], Verbs:["get"]})");
}

TEST(Escalation, TheMessageListsMissingRulesSorted) {
  UserInfo u{"bob", "", {"dev", "system:authenticated"}, {}};
  EXPECT_EQ(EscalationMessage(u, {Rule({""}, {"secrets"}, {"get"}), Rule({""}, {"configmaps"}, {"list"}),
                                  Rule({""}, {"secrets"}, {"list"})}, ""),
            "user \"bob\" (groups=[\"dev\" \"system:authenticated\"]) is attempting to grant RBAC permissions not "
            "currently held:\n{APIGroups:[\"\"], Resources:[\"configmaps\"], Verbs:[\"list\"]}\n"
            "{APIGroups:[\"\"], Resources:[\"secrets\"], Verbs:[\"get\" \"list\"]}");
  EXPECT_EQ(EscalationMessage(UserInfo{"x", "", {}, {}}, {Rule({""}, {"pods"}, {"get"})}, "role \"r\" not found"),
            "user \"x\" (groups=[]) is attempting to grant RBAC permissions not currently held:\n"
            "{APIGroups:[\"\"], Resources:[\"pods\"], Verbs:[\"get\"]}; resolution errors: [role \"r\" not found]");
}

TEST(Escalation, RulesOfReadsARoleAndGcOnlyUpdatesAreRecognised) {
  auto role = json::parse(R"({"metadata":{"name":"r","resourceVersion":"5"},
      "rules":[{"apiGroups":[""],"resources":["pods"],"verbs":["get"]}]})").as_object();
  ASSERT_EQ(RulesOf(role).size(), 1u);
  EXPECT_EQ(RulesOf(role)[0], Rule({""}, {"pods"}, {"get"}));
  auto gc = role;
  gc["metadata"].as_object()["finalizers"] = json::array{"x"};
  gc["metadata"].as_object()["ownerReferences"] = json::array{json::object{{"name", "o"}}};
  gc["metadata"].as_object()["resourceVersion"] = "6";
  EXPECT_TRUE(IsOnlyMutatingGcFields(gc, role));
  auto more = role;
  more["rules"].as_array().push_back(json::object{{"verbs", json::array{"*"}}});
  EXPECT_FALSE(IsOnlyMutatingGcFields(more, role));
}

}  // namespace
}  // namespace k1s::auth
