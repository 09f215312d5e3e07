#include "server/auth/rbac.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <atomic>
#include <set>
#include <chrono>
#include <iostream>
#include <string>
#include <thread>

#include "server/auth/bootstrap_policy.h"

namespace k1s::auth {
namespace {

namespace json = boost::json;

json::object Obj(const std::string& text) { return json::parse(text).as_object(); }

UserInfo User(std::string name, std::vector<std::string> groups = {"system:authenticated"}) {
  return UserInfo{std::move(name), "", std::move(groups), {}};
}

RequestAttributes Res(UserInfo user, std::string verb, std::string group, std::string resource, std::string ns,
                      std::string name = "", std::string subresource = "") {
  RequestAttributes a;
  a.user = std::move(user);
  a.verb = std::move(verb);
  a.api_group = std::move(group);
  a.resource = std::move(resource);
  a.namespace_ = std::move(ns);
  a.name = std::move(name);
  a.subresource = std::move(subresource);
  return a;
}

RequestAttributes Url(UserInfo user, std::string verb, std::string path) {
  RequestAttributes a;
  a.user = std::move(user);
  a.verb = std::move(verb);
  a.resource_request = false;
  a.path = std::move(path);
  return a;
}

json::object ClusterRoleWith(const std::string& name, const std::string& rules) {
  return Obj(R"({"metadata":{"name":")" + name + R"("},"rules":)" + rules + "}");
}

json::object ClusterBindingTo(const std::string& name, const std::string& role, const std::string& subjects) {
  return Obj(R"({"metadata":{"name":")" + name + R"("},"roleRef":{"kind":"ClusterRole","name":")" + role +
             R"("},"subjects":)" + subjects + "}");
}

json::object RoleBindingTo(const std::string& ns, const std::string& name, const std::string& kind,
                           const std::string& role, const std::string& subjects) {
  return Obj(R"({"metadata":{"name":")" + name + R"(","namespace":")" + ns + R"("},"roleRef":{"kind":")" + kind +
             R"(","name":")" + role + R"("},"subjects":)" + subjects + "}");
}

PolicyRule Rule(const std::string& text) { return RuleFromJson(Obj(text)); }

TEST(RbacRule, WildcardVerbGroupAndResourceMatchEverything) {
  auto r = Rule(R"({"verbs":["*"],"apiGroups":["*"],"resources":["*"]})");
  EXPECT_TRUE(RuleAllows(r, Res(User("a"), "delete", "apps", "deployments", "x")));
  EXPECT_TRUE(RuleAllows(r, Res(User("a"), "get", "", "pods", "x", "p", "log")));
  EXPECT_FALSE(RuleAllows(r, Url(User("a"), "get", "/healthz")));  // resources do not cover URLs
}

TEST(RbacRule, VerbGroupAndResourceMustAllMatch) {
  auto r = Rule(R"({"verbs":["get","list"],"apiGroups":["apps"],"resources":["deployments"]})");
  EXPECT_TRUE(RuleAllows(r, Res(User("a"), "list", "apps", "deployments", "x")));
  EXPECT_FALSE(RuleAllows(r, Res(User("a"), "delete", "apps", "deployments", "x")));
  EXPECT_FALSE(RuleAllows(r, Res(User("a"), "list", "", "deployments", "x")));
  EXPECT_FALSE(RuleAllows(r, Res(User("a"), "list", "apps", "replicasets", "x")));
}

TEST(RbacRule, SubresourceNeedsTheCombinedFormOrStarSlash) {
  auto pods = Rule(R"({"verbs":["get"],"apiGroups":[""],"resources":["pods"]})");
  EXPECT_FALSE(RuleAllows(pods, Res(User("a"), "get", "", "pods", "x", "p", "log")));
  auto log = Rule(R"({"verbs":["get"],"apiGroups":[""],"resources":["pods/log"]})");
  EXPECT_TRUE(RuleAllows(log, Res(User("a"), "get", "", "pods", "x", "p", "log")));
  EXPECT_FALSE(RuleAllows(log, Res(User("a"), "get", "", "pods", "x", "p")));
  auto scale = Rule(R"({"verbs":["get"],"apiGroups":["*"],"resources":["*/scale"]})");
  EXPECT_TRUE(RuleAllows(scale, Res(User("a"), "get", "apps", "deployments", "x", "d", "scale")));
  EXPECT_FALSE(RuleAllows(scale, Res(User("a"), "get", "apps", "deployments", "x", "d", "status")));
  EXPECT_FALSE(RuleAllows(scale, Res(User("a"), "get", "apps", "deployments", "x", "d")));
}

TEST(RbacRule, ResourceNamesRestrictToThoseNamesAndExcludeUnnamedRequests) {
  auto r = Rule(R"({"verbs":["get","list"],"apiGroups":[""],"resources":["configmaps"],"resourceNames":["a"]})");
  EXPECT_TRUE(RuleAllows(r, Res(User("u"), "get", "", "configmaps", "x", "a")));
  EXPECT_FALSE(RuleAllows(r, Res(User("u"), "get", "", "configmaps", "x", "b")));
  EXPECT_FALSE(RuleAllows(r, Res(User("u"), "list", "", "configmaps", "x")));
}

TEST(RbacRule, NonResourceUrlsMatchExactlyOrByTrailingStar) {
  auto r = Rule(R"({"verbs":["get"],"nonResourceURLs":["/healthz","/apis/*"]})");
  EXPECT_TRUE(RuleAllows(r, Url(User("u"), "get", "/healthz")));
  EXPECT_FALSE(RuleAllows(r, Url(User("u"), "get", "/healthz/etcd")));
  EXPECT_TRUE(RuleAllows(r, Url(User("u"), "get", "/apis/apps/v1")));
  EXPECT_TRUE(RuleAllows(r, Url(User("u"), "get", "/apis/")));
  EXPECT_FALSE(RuleAllows(r, Url(User("u"), "get", "/apis")));
  EXPECT_FALSE(RuleAllows(r, Url(User("u"), "post", "/healthz")));
  EXPECT_FALSE(RuleAllows(r, Res(User("u"), "get", "", "healthz", "")));
  auto all = Rule(R"({"verbs":["*"],"nonResourceURLs":["*"]})");
  EXPECT_TRUE(RuleAllows(all, Url(User("u"), "delete", "/anything/at/all")));
}

TEST(RbacRule, JsonRoundTripKeepsEveryList) {
  auto r = Rule(R"({"verbs":["get"],"apiGroups":[""],"resources":["pods"],"resourceNames":["x"]})");
  EXPECT_EQ(RuleFromJson(RuleToJson(r)), r);
  EXPECT_EQ(json::serialize(RuleToJson(r)), R"({"apiGroups":[""],"resourceNames":["x"],"resources":["pods"],"verbs":["get"]})");
}

TEST(RbacForbidden, MessagesUseKubernetesWording) {
  auto anon = User("system:anonymous", {"system:unauthenticated"});
  EXPECT_EQ(ForbiddenMessage(Res(anon, "get", "", "pods", "default")),
            R"(User "system:anonymous" cannot get resource "pods" in API group "" in the namespace "default")");
  EXPECT_EQ(ForbiddenMessage(Res(User("bob"), "list", "", "nodes", "")),
            R"(User "bob" cannot list resource "nodes" in API group "" at the cluster scope)");
  EXPECT_EQ(ForbiddenMessage(Res(User("bob"), "get", "", "pods", "web", "p", "log")),
            R"(User "bob" cannot get resource "pods/log" in API group "" in the namespace "web")");
  EXPECT_EQ(ForbiddenMessage(Res(User("bob"), "create", "apps", "deployments", "ns1", "d")),
            R"(User "bob" cannot create resource "deployments" in API group "apps" in the namespace "ns1")");
  EXPECT_EQ(ForbiddenMessage(Url(User("bob"), "get", "/foo")), R"(User "bob" cannot get path "/foo")");
}

TEST(RbacForbidden, StatusMessageQualifiesTheResourceAndAppendsTheReason) {
  EXPECT_EQ(ForbiddenStatusMessage(Res(User("bob"), "list", "", "pods", "default"), ""),
            R"(pods is forbidden: User "bob" cannot list resource "pods" in API group "" in the namespace "default")");
  EXPECT_EQ(ForbiddenStatusMessage(Res(User("bob"), "get", "apps", "deployments", "d1", "web"), "RBAC: x"),
            R"(deployments.apps "web" is forbidden: User "bob" cannot get resource "deployments" in API group "apps" in the namespace "d1": RBAC: x)");
  EXPECT_EQ(ForbiddenStatusMessage(Url(User("bob"), "get", "/metrics"), ""),
            R"(forbidden: User "bob" cannot get path "/metrics")");
  EXPECT_EQ(ForbiddenStatusMessage(Url(User("<b>"), "get", "/"), ""), R"(forbidden: User "&lt;b&gt;" cannot get path "/")");
}

TEST(RbacAuthorizer, NothingIsAllowedWithoutBindings) {
  RbacAuthorizer a;
  auto d = a.Authorize(Res(User("bob"), "get", "", "pods", "default"));
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.reason, "");
}

TEST(RbacAuthorizer, SystemMastersIsAlwaysAllowed) {
  RbacAuthorizer a;
  EXPECT_TRUE(a.Authorize(Res(User("root", {"system:masters"}), "delete", "", "nodes", "")).allowed);
  EXPECT_TRUE(a.Authorize(Url(User("root", {"system:masters"}), "get", "/debug")).allowed);
}

TEST(RbacAuthorizer, ClusterRoleBindingGrantsInEveryNamespaceAndAtClusterScope) {
  RbacAuthorizer a;
  a.Upsert("clusterroles", ClusterRoleWith("reader", R"([{"verbs":["get"],"apiGroups":[""],"resources":["pods","nodes"]}])"));
  a.Upsert("clusterrolebindings", ClusterBindingTo("b", "reader", R"([{"kind":"User","name":"bob"}])"));
  EXPECT_TRUE(a.Authorize(Res(User("bob"), "get", "", "pods", "ns1")).allowed);
  EXPECT_TRUE(a.Authorize(Res(User("bob"), "get", "", "pods", "ns2")).allowed);
  EXPECT_TRUE(a.Authorize(Res(User("bob"), "get", "", "nodes", "")).allowed);
  EXPECT_FALSE(a.Authorize(Res(User("alice"), "get", "", "pods", "ns1")).allowed);
  auto d = a.Authorize(Res(User("bob"), "get", "", "pods", "ns1"));
  EXPECT_EQ(d.reason, R"(RBAC: allowed by ClusterRoleBinding "b" of ClusterRole "reader" to User "bob")");
}

TEST(RbacAuthorizer, RoleBindingToClusterRoleGrantsOnlyInTheBindingsNamespace) {
  RbacAuthorizer a;
  a.Upsert("clusterroles", ClusterRoleWith("reader", R"([{"verbs":["get"],"apiGroups":[""],"resources":["pods","nodes"]}])"));
  a.Upsert("rolebindings", RoleBindingTo("ns1", "rb", "ClusterRole", "reader", R"([{"kind":"User","name":"bob"}])"));
  EXPECT_TRUE(a.Authorize(Res(User("bob"), "get", "", "pods", "ns1")).allowed);
  EXPECT_FALSE(a.Authorize(Res(User("bob"), "get", "", "pods", "ns2")).allowed);
  EXPECT_FALSE(a.Authorize(Res(User("bob"), "get", "", "nodes", "")).allowed);
  EXPECT_EQ(a.Authorize(Res(User("bob"), "get", "", "pods", "ns1")).reason,
            R"(RBAC: allowed by RoleBinding "rb/ns1" of ClusterRole "reader" to User "bob")");
}

TEST(RbacAuthorizer, RoleBindingUsesTheRoleOfItsOwnNamespace) {
  RbacAuthorizer a;
  a.Upsert("roles", Obj(R"({"metadata":{"name":"r","namespace":"ns1"},"rules":[{"verbs":["list"],"apiGroups":[""],"resources":["secrets"]}]})"));
  a.Upsert("roles", Obj(R"({"metadata":{"name":"r","namespace":"ns2"},"rules":[{"verbs":["list"],"apiGroups":[""],"resources":["configmaps"]}]})"));
  a.Upsert("rolebindings", RoleBindingTo("ns2", "rb", "Role", "r", R"([{"kind":"Group","name":"devs"}])"));
  auto dev = User("d", {"devs"});
  EXPECT_TRUE(a.Authorize(Res(dev, "list", "", "configmaps", "ns2")).allowed);
  EXPECT_FALSE(a.Authorize(Res(dev, "list", "", "secrets", "ns2")).allowed);
  EXPECT_FALSE(a.Authorize(Res(dev, "list", "", "configmaps", "ns1")).allowed);
}

TEST(RbacAuthorizer, GroupSubjectsMatchAnyOfTheUsersGroups) {
  RbacAuthorizer a;
  a.Upsert("clusterroles", ClusterRoleWith("r", R"([{"verbs":["get"],"apiGroups":[""],"resources":["pods"]}])"));
  a.Upsert("clusterrolebindings", ClusterBindingTo("b", "r", R"([{"kind":"Group","name":"ops"}])"));
  EXPECT_TRUE(a.Authorize(Res(User("x", {"a", "ops"}), "get", "", "pods", "n")).allowed);
  EXPECT_FALSE(a.Authorize(Res(User("ops", {"a"}), "get", "", "pods", "n")).allowed);  // a user named like the group
  EXPECT_EQ(a.Authorize(Res(User("x", {"ops"}), "get", "", "pods", "n")).reason,
            R"(RBAC: allowed by ClusterRoleBinding "b" of ClusterRole "r" to Group "ops")");
}

TEST(RbacAuthorizer, ServiceAccountSubjectsMatchTheServiceAccountUser) {
  RbacAuthorizer a;
  a.Upsert("clusterroles", ClusterRoleWith("r", R"([{"verbs":["get"],"apiGroups":[""],"resources":["pods"]}])"));
  a.Upsert("clusterrolebindings",
           ClusterBindingTo("b", "r", R"([{"kind":"ServiceAccount","name":"builder","namespace":"ci"}])"));
  // A RoleBinding's service account without a namespace means the binding's namespace.
  a.Upsert("rolebindings", RoleBindingTo("web", "rb", "ClusterRole", "r", R"([{"kind":"ServiceAccount","name":"default"}])"));
  auto sa = User("system:serviceaccount:ci:builder", {"system:serviceaccounts", "system:serviceaccounts:ci"});
  EXPECT_TRUE(a.Authorize(Res(sa, "get", "", "pods", "anything")).allowed);
  EXPECT_EQ(a.Authorize(Res(sa, "get", "", "pods", "anything")).reason,
            R"(RBAC: allowed by ClusterRoleBinding "b" of ClusterRole "r" to ServiceAccount "ci/builder")");
  EXPECT_FALSE(a.Authorize(Res(User("system:serviceaccount:other:builder"), "get", "", "pods", "x")).allowed);
  EXPECT_TRUE(a.Authorize(Res(User("system:serviceaccount:web:default"), "get", "", "pods", "web")).allowed);
  EXPECT_FALSE(a.Authorize(Res(User("system:serviceaccount:web:default"), "get", "", "pods", "other")).allowed);
}

TEST(RbacAuthorizer, NonResourceUrlsAreGrantedOnlyByClusterRoleBindings) {
  RbacAuthorizer a;
  a.Upsert("clusterroles", ClusterRoleWith("m", R"([{"verbs":["get"],"nonResourceURLs":["/metrics"]}])"));
  a.Upsert("rolebindings", RoleBindingTo("ns", "rb", "ClusterRole", "m", R"([{"kind":"User","name":"bob"}])"));
  EXPECT_FALSE(a.Authorize(Url(User("bob"), "get", "/metrics")).allowed);
  a.Upsert("clusterrolebindings", ClusterBindingTo("b", "m", R"([{"kind":"User","name":"bob"}])"));
  EXPECT_TRUE(a.Authorize(Url(User("bob"), "get", "/metrics")).allowed);
  EXPECT_FALSE(a.Authorize(Url(User("bob"), "get", "/metricsz")).allowed);
}

TEST(RbacAuthorizer, UpdatesAndRemovalsTakeEffect) {
  RbacAuthorizer a;
  a.Upsert("clusterroles", ClusterRoleWith("r", R"([{"verbs":["get"],"apiGroups":[""],"resources":["pods"]}])"));
  a.Upsert("clusterrolebindings", ClusterBindingTo("b", "r", R"([{"kind":"User","name":"bob"}])"));
  EXPECT_TRUE(a.Authorize(Res(User("bob"), "get", "", "pods", "n")).allowed);
  // The binding now names alice instead: bob's index entry must be gone.
  a.Upsert("clusterrolebindings", ClusterBindingTo("b", "r", R"([{"kind":"User","name":"alice"}])"));
  EXPECT_FALSE(a.Authorize(Res(User("bob"), "get", "", "pods", "n")).allowed);
  EXPECT_TRUE(a.Authorize(Res(User("alice"), "get", "", "pods", "n")).allowed);
  a.Upsert("clusterroles", ClusterRoleWith("r", R"([{"verbs":["list"],"apiGroups":[""],"resources":["pods"]}])"));
  EXPECT_FALSE(a.Authorize(Res(User("alice"), "get", "", "pods", "n")).allowed);
  EXPECT_TRUE(a.Authorize(Res(User("alice"), "list", "", "pods", "n")).allowed);
  a.Remove("clusterrolebindings", "", "b");
  EXPECT_FALSE(a.Authorize(Res(User("alice"), "list", "", "pods", "n")).allowed);
  EXPECT_EQ(a.BindingCount(), 0u);
  a.Upsert("rolebindings", RoleBindingTo("n", "rb", "ClusterRole", "r", R"([{"kind":"User","name":"alice"}])"));
  EXPECT_TRUE(a.Authorize(Res(User("alice"), "list", "", "pods", "n")).allowed);
  a.Remove("rolebindings", "n", "rb");
  EXPECT_FALSE(a.Authorize(Res(User("alice"), "list", "", "pods", "n")).allowed);
  a.Clear();
  EXPECT_EQ(a.RoleCount(), 0u);
}

TEST(RbacAuthorizer, MissingRolesAreReportedInTheDenyReason) {
  RbacAuthorizer a;
  a.Upsert("clusterrolebindings", ClusterBindingTo("b", "ghost", R"([{"kind":"User","name":"bob"}])"));
  auto d = a.Authorize(Res(User("bob"), "get", "", "pods", "n"));
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.reason, R"(RBAC: clusterrole.rbac.authorization.k8s.io "ghost" not found)");
  a.Upsert("rolebindings", RoleBindingTo("n", "rb", "Role", "nope", R"([{"kind":"User","name":"bob"}])"));
  d = a.Authorize(Res(User("bob"), "get", "", "pods", "n"));
  EXPECT_EQ(d.reason,
            R"(RBAC: [clusterrole.rbac.authorization.k8s.io "ghost" not found, role.rbac.authorization.k8s.io "nope" not found])");
}

TEST(RbacAuthorizer, AggregatedClusterRoleFollowsLabelChanges) {
  RbacAuthorizer a;
  a.Upsert("clusterroles", Obj(R"({"metadata":{"name":"agg"},"aggregationRule":{"clusterRoleSelectors":[
      {"matchLabels":{"example.com/aggregate":"true"}}]},"rules":[{"verbs":["*"],"apiGroups":["*"],"resources":["*"]}]})"));
  a.Upsert("clusterrolebindings", ClusterBindingTo("b", "agg", R"([{"kind":"User","name":"bob"}])"));
  // The aggregated role's own rules are ignored: they are the controller's output, not an input.
  EXPECT_FALSE(a.Authorize(Res(User("bob"), "get", "", "pods", "n")).allowed);
  a.Upsert("clusterroles", Obj(R"({"metadata":{"name":"part","labels":{"example.com/aggregate":"true"}},
      "rules":[{"verbs":["get"],"apiGroups":[""],"resources":["pods"]}]})"));
  EXPECT_TRUE(a.Authorize(Res(User("bob"), "get", "", "pods", "n")).allowed);
  ASSERT_TRUE(a.AggregatedRules("agg").has_value());
  EXPECT_EQ(json::serialize(*a.AggregatedRules("agg")), R"([{"apiGroups":[""],"resources":["pods"],"verbs":["get"]}])");
  // The label is taken away: the rules leave the aggregate.
  a.Upsert("clusterroles", Obj(R"({"metadata":{"name":"part","labels":{"example.com/aggregate":"false"}},
      "rules":[{"verbs":["get"],"apiGroups":[""],"resources":["pods"]}]})"));
  EXPECT_FALSE(a.Authorize(Res(User("bob"), "get", "", "pods", "n")).allowed);
  a.Upsert("clusterroles", Obj(R"({"metadata":{"name":"part","labels":{"example.com/aggregate":"true"}},
      "rules":[{"verbs":["list"],"apiGroups":[""],"resources":["pods"]}]})"));
  EXPECT_TRUE(a.Authorize(Res(User("bob"), "list", "", "pods", "n")).allowed);
  a.Remove("clusterroles", "", "part");
  EXPECT_FALSE(a.Authorize(Res(User("bob"), "list", "", "pods", "n")).allowed);
  EXPECT_FALSE(a.AggregatedRules("part").has_value());
}

TEST(RbacAuthorizer, AggregationSelectorsSupportMatchExpressions) {
  RbacAuthorizer a;
  a.Upsert("clusterroles", Obj(R"({"metadata":{"name":"agg"},"aggregationRule":{"clusterRoleSelectors":[
      {"matchExpressions":[{"key":"tier","operator":"In","values":["a","b"]},{"key":"off","operator":"DoesNotExist"}]}]}})"));
  a.Upsert("clusterroles", Obj(R"({"metadata":{"name":"p1","labels":{"tier":"a"}},"rules":[{"verbs":["get"],"apiGroups":[""],"resources":["pods"]}]})"));
  a.Upsert("clusterroles", Obj(R"({"metadata":{"name":"p2","labels":{"tier":"b","off":"1"}},"rules":[{"verbs":["get"],"apiGroups":[""],"resources":["nodes"]}]})"));
  a.Upsert("clusterroles", Obj(R"({"metadata":{"name":"p3","labels":{"tier":"c"}},"rules":[{"verbs":["get"],"apiGroups":[""],"resources":["secrets"]}]})"));
  EXPECT_EQ(json::serialize(*a.AggregatedRules("agg")), R"([{"apiGroups":[""],"resources":["pods"],"verbs":["get"]}])");
}

TEST(RbacBootstrap, DefaultPolicyGivesTheUpstreamPermissions) {
  RbacAuthorizer a;
  for (const auto& o : BootstrapClusterRoles()) a.Upsert("clusterroles", o);
  for (const auto& o : BootstrapClusterRoleBindings()) a.Upsert("clusterrolebindings", o);
  for (const auto& o : BootstrapRoles()) a.Upsert("roles", o);
  for (const auto& o : BootstrapRoleBindings()) a.Upsert("rolebindings", o);
  auto anon = User("system:anonymous", {"system:unauthenticated"});
  auto bob = User("bob");
  EXPECT_TRUE(a.Authorize(Url(anon, "get", "/version")).allowed);
  EXPECT_TRUE(a.Authorize(Url(anon, "get", "/healthz")).allowed);
  EXPECT_FALSE(a.Authorize(Url(anon, "get", "/api")).allowed);
  EXPECT_FALSE(a.Authorize(Res(anon, "get", "", "pods", "default")).allowed);
  EXPECT_TRUE(a.Authorize(Url(bob, "get", "/apis/apps/v1")).allowed);
  EXPECT_TRUE(a.Authorize(Res(bob, "create", "authorization.k8s.io", "selfsubjectaccessreviews", "")).allowed);
  EXPECT_TRUE(a.Authorize(Res(bob, "create", "authentication.k8s.io", "selfsubjectreviews", "")).allowed);
  EXPECT_FALSE(a.Authorize(Res(bob, "list", "", "pods", "default")).allowed);
  EXPECT_TRUE(a.Authorize(Res(User("kcm", {"system:masters"}), "list", "", "pods", "default")).allowed);
  auto sched = User("system:kube-scheduler");
  EXPECT_TRUE(a.Authorize(Res(sched, "create", "", "pods", "default", "p", "binding")).allowed);
  EXPECT_TRUE(a.Authorize(Res(sched, "update", "coordination.k8s.io", "leases", "kube-system", "kube-scheduler")).allowed);
  EXPECT_FALSE(a.Authorize(Res(sched, "update", "coordination.k8s.io", "leases", "kube-system", "other")).allowed);
  EXPECT_TRUE(a.Authorize(Res(sched, "get", "", "configmaps", "kube-system", "extension-apiserver-authentication")).allowed);
  auto rs = User("system:serviceaccount:kube-system:replicaset-controller");
  EXPECT_TRUE(a.Authorize(Res(rs, "create", "", "pods", "default")).allowed);
  EXPECT_TRUE(a.Authorize(Res(rs, "update", "apps", "replicasets", "default", "x", "status")).allowed);
  EXPECT_FALSE(a.Authorize(Res(rs, "delete", "apps", "deployments", "default")).allowed);
}

TEST(RbacBootstrap, AdminEditViewAreNestedAggregates) {
  RbacAuthorizer a;
  for (const auto& o : BootstrapClusterRoles()) a.Upsert("clusterroles", o);
  a.Upsert("rolebindings", RoleBindingTo("team", "v", "ClusterRole", "view", R"([{"kind":"User","name":"viewer"}])"));
  a.Upsert("rolebindings", RoleBindingTo("team", "e", "ClusterRole", "edit", R"([{"kind":"User","name":"editor"}])"));
  a.Upsert("rolebindings", RoleBindingTo("team", "a", "ClusterRole", "admin", R"([{"kind":"User","name":"admin"}])"));
  auto viewer = User("viewer"), editor = User("editor"), admin = User("admin");
  EXPECT_TRUE(a.Authorize(Res(viewer, "list", "", "pods", "team")).allowed);
  EXPECT_TRUE(a.Authorize(Res(viewer, "get", "", "pods", "team", "p", "log")).allowed);
  EXPECT_FALSE(a.Authorize(Res(viewer, "get", "", "secrets", "team", "s")).allowed);
  EXPECT_FALSE(a.Authorize(Res(viewer, "create", "", "pods", "team")).allowed);
  EXPECT_TRUE(a.Authorize(Res(editor, "create", "apps", "deployments", "team")).allowed);
  EXPECT_TRUE(a.Authorize(Res(editor, "list", "", "pods", "team")).allowed);  // view's rules via edit
  EXPECT_TRUE(a.Authorize(Res(editor, "get", "", "secrets", "team", "s")).allowed);
  EXPECT_FALSE(a.Authorize(Res(editor, "create", "rbac.authorization.k8s.io", "rolebindings", "team")).allowed);
  EXPECT_TRUE(a.Authorize(Res(admin, "create", "rbac.authorization.k8s.io", "rolebindings", "team")).allowed);
  EXPECT_TRUE(a.Authorize(Res(admin, "list", "", "pods", "team")).allowed);  // view via edit via admin
  EXPECT_FALSE(a.Authorize(Res(admin, "list", "", "pods", "elsewhere")).allowed);
  EXPECT_FALSE(a.Authorize(Res(admin, "list", "", "nodes", "")).allowed);
}

TEST(RbacBootstrap, EveryObjectCarriesTheBootstrapLabelAndAutoupdateAnnotation) {
  auto check = [](const json::object& o, const char* kind) {
    EXPECT_EQ(o.at("apiVersion").as_string(), "rbac.authorization.k8s.io/v1");
    EXPECT_EQ(o.at("kind").as_string(), kind);
    const auto& meta = o.at("metadata").as_object();
    EXPECT_EQ(meta.at("labels").at("kubernetes.io/bootstrapping").as_string(), "rbac-defaults");
    EXPECT_EQ(meta.at("annotations").at("rbac.authorization.kubernetes.io/autoupdate").as_string(), "true");
  };
  std::set<std::string> names;
  for (const auto& o : BootstrapClusterRoles()) {
    check(o, "ClusterRole");
    EXPECT_TRUE(names.insert(std::string(o.at("metadata").at("name").as_string())).second);
  }
  for (const char* n : {"cluster-admin", "admin", "edit", "view", "system:aggregate-to-view", "system:basic-user",
                        "system:discovery", "system:public-info-viewer", "system:node", "system:node-proxier",
                        "system:kube-scheduler", "system:kube-controller-manager", "system:kube-dns",
                        "system:monitoring", "system:auth-delegator", "system:heapster",
                        "system:certificates.k8s.io:kubelet-serving-approver", "system:controller:deployment-controller",
                        "system:controller:replicaset-controller", "system:controller:statefulset-controller",
                        "system:controller:daemon-set-controller", "system:controller:job-controller",
                        "system:controller:cronjob-controller", "system:controller:endpoint-controller",
                        "system:controller:endpointslice-controller", "system:controller:namespace-controller",
                        "system:controller:generic-garbage-collector", "system:controller:node-controller",
                        "system:controller:service-account-controller"}) {
    EXPECT_TRUE(names.count(n)) << n;
  }
  for (const auto& o : BootstrapClusterRoleBindings()) check(o, "ClusterRoleBinding");
  for (const auto& o : BootstrapRoles()) {
    check(o, "Role");
    EXPECT_FALSE(o.at("metadata").at("namespace").as_string().empty());
  }
  for (const auto& o : BootstrapRoleBindings()) check(o, "RoleBinding");
}

TEST(RbacAuthorizer, RulesForListsClusterAndNamespaceRules) {
  RbacAuthorizer a;
  a.Upsert("clusterroles", ClusterRoleWith("c", R"([{"verbs":["get"],"apiGroups":[""],"resources":["nodes"]},
      {"verbs":["get"],"nonResourceURLs":["/healthz"]}])"));
  a.Upsert("roles", Obj(R"({"metadata":{"name":"r","namespace":"n"},"rules":[{"verbs":["list"],"apiGroups":[""],"resources":["pods"]}]})"));
  a.Upsert("clusterrolebindings", ClusterBindingTo("b", "c", R"([{"kind":"Group","name":"g"}])"));
  a.Upsert("rolebindings", RoleBindingTo("n", "rb", "Role", "r", R"([{"kind":"User","name":"u"}])"));
  auto r = a.RulesFor(User("u", {"g"}), "n");
  EXPECT_EQ(r.resource_rules.size(), 2u);
  EXPECT_EQ(r.non_resource_rules.size(), 1u);
  EXPECT_FALSE(r.incomplete);
  EXPECT_EQ(a.RulesFor(User("u", {"g"}), "other").resource_rules.size(), 1u);
  a.Upsert("rolebindings", RoleBindingTo("n", "rb2", "Role", "ghost", R"([{"kind":"User","name":"u"}])"));
  r = a.RulesFor(User("u", {"g"}), "n");
  EXPECT_TRUE(r.incomplete);
  EXPECT_NE(r.evaluation_error.find("ghost"), std::string::npos);
}

TEST(RbacAuthorizer, ThousandBindingsAreIndexedBySubject) {
  RbacAuthorizer a;
  for (const auto& o : BootstrapClusterRoles()) a.Upsert("clusterroles", o);
  for (int i = 0; i < 1000; ++i) {
    const std::string ns = "ns" + std::to_string(i % 50);
    a.Upsert("rolebindings", RoleBindingTo(ns, "rb" + std::to_string(i), "ClusterRole", "view",
                                           R"([{"kind":"User","name":"user)" + std::to_string(i) + R"("}])"));
  }
  a.Upsert("clusterrolebindings", ClusterBindingTo("b", "view", R"([{"kind":"Group","name":"everyone"}])"));
  EXPECT_EQ(a.BindingCount(), 1001u);
  const int n = 20000;
  auto start = std::chrono::steady_clock::now();
  int allowed = 0;
  for (int i = 0; i < n; ++i) {
    const int u = i % 1000;
    allowed += a.Authorize(Res(User("user" + std::to_string(u)), "list", "", "pods", "ns" + std::to_string(u % 50))).allowed;
    allowed += a.Authorize(Res(User("user" + std::to_string(u)), "delete", "", "pods", "ns0")).allowed;
  }
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(allowed, n);
  std::cout << "[ timing ] " << 2 * n << " Authorize calls over 1001 bindings: " << us << " us ("
            << static_cast<double>(us) / (2 * n) << " us each)\n";
}

TEST(RbacAuthorizer, ConcurrentReadersAndAWriterDoNotRace) {
  RbacAuthorizer a;
  a.Upsert("clusterroles", ClusterRoleWith("r", R"([{"verbs":["get"],"apiGroups":[""],"resources":["pods"]}])"));
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (int i = 0; i < 500; ++i) {
      a.Upsert("clusterrolebindings", ClusterBindingTo("b" + std::to_string(i % 10), "r", R"([{"kind":"User","name":"bob"}])"));
      a.Remove("clusterrolebindings", "", "b" + std::to_string((i + 5) % 10));
    }
    stop = true;
  });
  std::thread reader([&] {
    while (!stop) (void)a.Authorize(Res(User("bob"), "get", "", "pods", "n"));
  });
  writer.join();
  reader.join();
  SUCCEED();
}

}  // namespace
}  // namespace k1s::auth
