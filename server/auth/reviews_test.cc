#include "server/auth/reviews.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace k1s::auth {
namespace {

namespace json = boost::json;

json::object Obj(const std::string& text) { return json::parse(text).as_object(); }

// bob may get pods in "dev" and GET /healthz; nothing else.
class ReviewsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    authz_.Upsert("clusterroles", Obj(R"({"metadata":{"name":"r"},"rules":[
        {"verbs":["get"],"apiGroups":[""],"resources":["pods"]},
        {"verbs":["get"],"nonResourceURLs":["/healthz"]}]})"));
    authz_.Upsert("rolebindings", Obj(R"({"metadata":{"name":"rb","namespace":"dev"},
        "roleRef":{"kind":"ClusterRole","name":"r"},"subjects":[{"kind":"User","name":"bob"}]})"));
    authz_.Upsert("clusterroles", Obj(R"({"metadata":{"name":"h"},"rules":[{"verbs":["get"],"nonResourceURLs":["/healthz"]}]})"));
    authz_.Upsert("clusterrolebindings", Obj(R"({"metadata":{"name":"hb"},
        "roleRef":{"kind":"ClusterRole","name":"h"},"subjects":[{"kind":"Group","name":"ops"}]})"));
  }
  RbacAuthorizer authz_;
  UserInfo bob_{"bob", "u1", {"ops", "system:authenticated"}, {}};
};

TEST_F(ReviewsTest, SelfSubjectAccessReviewAnswersForTheCaller) {
  auto req = Obj(R"({"apiVersion":"authorization.k8s.io/v1","kind":"SelfSubjectAccessReview",
      "spec":{"resourceAttributes":{"namespace":"dev","verb":"get","resource":"pods"}}})");
  auto out = SelfSubjectAccessReview(req, bob_, authz_);
  ASSERT_TRUE(out.ok()) << out.error().ToString();
  EXPECT_EQ(out->at("kind").as_string(), "SelfSubjectAccessReview");
  EXPECT_EQ(out->at("apiVersion").as_string(), "authorization.k8s.io/v1");
  EXPECT_EQ(out->at("spec"), req.at("spec"));
  EXPECT_TRUE(out->at("status").at("allowed").as_bool());
  EXPECT_EQ(out->at("status").at("reason").as_string(),
            R"(RBAC: allowed by RoleBinding "rb/dev" of ClusterRole "r" to User "bob")");

  req["spec"].as_object()["resourceAttributes"].as_object()["namespace"] = "prod";
  out = SelfSubjectAccessReview(req, bob_, authz_);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(json::serialize(out->at("status")), R"({"allowed":false})");
}

TEST_F(ReviewsTest, SelfSubjectAccessReviewHandlesNonResourcePaths) {
  auto out = SelfSubjectAccessReview(Obj(R"({"spec":{"nonResourceAttributes":{"path":"/healthz","verb":"get"}}})"),
                                     bob_, authz_);
  ASSERT_TRUE(out.ok());
  EXPECT_TRUE(out->at("status").at("allowed").as_bool());
  EXPECT_EQ(out->at("kind").as_string(), "SelfSubjectAccessReview");  // defaulted
}

TEST_F(ReviewsTest, AccessReviewNeedsExactlyOneKindOfAttributes) {
  auto none = SelfSubjectAccessReview(Obj(R"({"spec":{}})"), bob_, authz_);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code, ErrorCode::kInvalid);
  EXPECT_NE(none.error().message.find("exactly one of nonResourceAttributes or resourceAttributes must be specified"),
            std::string::npos);
  auto both = SelfSubjectAccessReview(
      Obj(R"({"spec":{"resourceAttributes":{"verb":"get"},"nonResourceAttributes":{"path":"/"}}})"), bob_, authz_);
  ASSERT_FALSE(both.ok());
  EXPECT_NE(both.error().message.find("cannot be specified in combination with resourceAttributes"), std::string::npos);
}

TEST_F(ReviewsTest, SubjectAccessReviewAnswersForTheSpecUserAndGroups) {
  auto out = SubjectAccessReview(Obj(R"({"apiVersion":"authorization.k8s.io/v1","kind":"SubjectAccessReview",
      "spec":{"user":"bob","resourceAttributes":{"namespace":"dev","verb":"get","resource":"pods","name":"x"}}})"),
                                 authz_);
  ASSERT_TRUE(out.ok());
  EXPECT_TRUE(out->at("status").at("allowed").as_bool());
  out = SubjectAccessReview(Obj(R"({"spec":{"groups":["ops"],"nonResourceAttributes":{"path":"/healthz","verb":"get"}}})"),
                            authz_);
  ASSERT_TRUE(out.ok());
  EXPECT_TRUE(out->at("status").at("allowed").as_bool());
  out = SubjectAccessReview(Obj(R"({"spec":{"user":"eve","resourceAttributes":{"namespace":"dev","verb":"get","resource":"pods"}}})"),
                            authz_);
  ASSERT_TRUE(out.ok());
  EXPECT_FALSE(out->at("status").at("allowed").as_bool());
  out = SubjectAccessReview(Obj(R"({"spec":{"user":"root","groups":["system:masters"],"resourceAttributes":{"verb":"delete","resource":"nodes"}}})"),
                            authz_);
  ASSERT_TRUE(out.ok());
  EXPECT_TRUE(out->at("status").at("allowed").as_bool());
}

TEST_F(ReviewsTest, SubjectAccessReviewNeedsAUserOrAGroup) {
  auto out = SubjectAccessReview(Obj(R"({"spec":{"resourceAttributes":{"verb":"get","resource":"pods"}}})"), authz_);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().code, ErrorCode::kInvalid);
  EXPECT_EQ(out.error().message,
            R"(SubjectAccessReview.authorization.k8s.io "" is invalid: spec.user: Invalid value: "": at least one of user or group must be specified)");
}

TEST_F(ReviewsTest, LocalSubjectAccessReviewIsPinnedToItsNamespace) {
  auto out = LocalSubjectAccessReview(Obj(R"({"spec":{"user":"bob","resourceAttributes":{"verb":"get","resource":"pods"}}})"),
                                      "dev", authz_);
  ASSERT_TRUE(out.ok()) << out.error().ToString();
  EXPECT_TRUE(out->at("status").at("allowed").as_bool());
  EXPECT_EQ(out->at("spec").at("resourceAttributes").at("namespace").as_string(), "dev");
  auto mismatch = LocalSubjectAccessReview(
      Obj(R"({"spec":{"user":"bob","resourceAttributes":{"namespace":"prod","verb":"get","resource":"pods"}}})"), "dev",
      authz_);
  ASSERT_FALSE(mismatch.ok());
  EXPECT_EQ(mismatch.error().message, "spec.resourceAttributes.namespace must match namespace: dev");
}

TEST_F(ReviewsTest, SelfSubjectRulesReviewListsTheCallersRules) {
  auto out = SelfSubjectRulesReview(Obj(R"({"spec":{"namespace":"dev"}})"), bob_, authz_);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->at("kind").as_string(), "SelfSubjectRulesReview");
  const auto& status = out->at("status").as_object();
  EXPECT_EQ(json::serialize(status.at("resourceRules")), R"([{"verbs":["get"],"apiGroups":[""],"resources":["pods"]}])");
  EXPECT_EQ(status.at("nonResourceRules").as_array().size(), 2u);  // from "h" (cluster) and "r" (in dev)
  EXPECT_FALSE(status.at("incomplete").as_bool());
  EXPECT_FALSE(status.contains("evaluationError"));
  out = SelfSubjectRulesReview(Obj(R"({"spec":{"namespace":"prod"}})"), bob_, authz_);
  EXPECT_TRUE(out->at("status").at("resourceRules").as_array().empty());
  auto missing = SelfSubjectRulesReview(Obj(R"({"spec":{}})"), bob_, authz_);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kBadRequest);
}

TEST_F(ReviewsTest, SelfSubjectRulesReviewReportsEvaluationErrors) {
  authz_.Upsert("rolebindings", Obj(R"({"metadata":{"name":"ghost","namespace":"dev"},
      "roleRef":{"kind":"Role","name":"ghost"},"subjects":[{"kind":"User","name":"bob"}]})"));
  auto out = SelfSubjectRulesReview(Obj(R"({"spec":{"namespace":"dev"}})"), bob_, authz_);
  ASSERT_TRUE(out.ok());
  EXPECT_TRUE(out->at("status").at("incomplete").as_bool());
  EXPECT_EQ(out->at("status").at("evaluationError").as_string(),
            R"(RBAC: role.rbac.authorization.k8s.io "ghost" not found)");
}

TEST(Reviews, TokenReviewReportsTheAuthenticatedUser) {
  std::vector<std::string> seen_audiences;
  TokenVerifier verify = [&](const std::string& token, const std::vector<std::string>& auds) -> Result<TokenAuthResult> {
    seen_audiences = auds;
    if (token != "good") return Fail(ErrorCode::kUnauthorized, "service account token has expired");
    return TokenAuthResult{UserInfo{"system:serviceaccount:a:b", "uid1", {"system:serviceaccounts"},
                                    {{"authentication.kubernetes.io/pod-name", {"p"}}}},
                           {"api"}};
  };
  auto out = TokenReview(Obj(R"({"apiVersion":"authentication.k8s.io/v1","kind":"TokenReview",
      "spec":{"token":"good","audiences":["api"]}})"), verify);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(seen_audiences, std::vector<std::string>{"api"});
  EXPECT_EQ(json::serialize(out->at("status")),
            R"({"authenticated":true,"user":{"username":"system:serviceaccount:a:b","uid":"uid1",)"
            R"("groups":["system:serviceaccounts"],"extra":{"authentication.kubernetes.io/pod-name":["p"]}},"audiences":["api"]})");
  EXPECT_EQ(out->at("spec").at("token").as_string(), "good");

  out = TokenReview(Obj(R"({"spec":{"token":"bad"}})"), verify);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(json::serialize(out->at("status")), R"({"user":{},"error":"service account token has expired"})");
  EXPECT_EQ(out->at("kind").as_string(), "TokenReview");
  EXPECT_EQ(out->at("apiVersion").as_string(), "authentication.k8s.io/v1");

  auto empty = TokenReview(Obj(R"({"spec":{}})"), verify);
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().code, ErrorCode::kBadRequest);
}

TEST(Reviews, SelfSubjectReviewReturnsTheCallersUserInfo) {
  UserInfo me{"alice", "", {"devs", "system:authenticated"}, {}};
  auto out = SelfSubjectReview(Obj(R"({"apiVersion":"authentication.k8s.io/v1","kind":"SelfSubjectReview"})"), me);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(json::serialize(out->at("status")),
            R"({"userInfo":{"username":"alice","groups":["devs","system:authenticated"]}})");
  EXPECT_TRUE(out->at("metadata").at("creationTimestamp").is_string());
}

TEST(Reviews, MalformedSpecIsABadRequest) {
  RbacAuthorizer a;
  auto out = SelfSubjectAccessReview(Obj(R"({"spec":"nope"})"), UserInfo{"x", "", {}, {}}, a);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().code, ErrorCode::kBadRequest);
}

}  // namespace
}  // namespace k1s::auth
