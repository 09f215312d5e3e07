// RBAC authorization as the Kubernetes API server does it: Roles, ClusterRoles (with aggregation),
// RoleBindings and ClusterRoleBindings held in memory, indexed by subject, evaluated per request.
// Owned by server/auth. RbacAuthorizer is thread-safe: any number of request threads call Authorize and
// RulesFor while one thread (the RBAC watch) feeds it with Upsert/Remove.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "server/auth/user.h"

namespace k1s::auth {

// What a request wants to do (the authorizer.Attributes of upstream).
struct RequestAttributes {
  UserInfo user;
  std::string verb;  // get list watch create update patch delete deletecollection (or any custom verb)
  bool resource_request = true;
  std::string api_group, resource, subresource, namespace_, name;
  std::string path;  // the URL path; what non-resource requests are matched on
};

struct Decision {
  bool allowed = false;
  // Allowed: which binding allowed it ("RBAC: allowed by ClusterRoleBinding ..."); empty for
  // system:masters. Denied: evaluation errors (missing roles), "" when simply no rule matched.
  std::string reason;
};

// One rbac.authorization.k8s.io/v1 PolicyRule.
struct PolicyRule {
  std::vector<std::string> verbs, api_groups, resources, resource_names, non_resource_urls;
  bool operator==(const PolicyRule&) const = default;
};
// Reads a PolicyRule (missing or non-string entries are skipped).
PolicyRule RuleFromJson(const boost::json::object& rule);
// The JSON form, omitting empty lists except verbs.
boost::json::object RuleToJson(const PolicyRule& rule);
// Whether one rule covers the request (upstream's RuleAllows, including "*", "*/subresource",
// resourceNames and trailing-"*" nonResourceURLs).
bool RuleAllows(const PolicyRule& rule, const RequestAttributes& attrs);

// The sentence kubectl users know, e.g.
//   User "system:anonymous" cannot get resource "pods" in API group "" in the namespace "default"
//   User "bob" cannot list resource "nodes" in API group "" at the cluster scope
//   User "bob" cannot get path "/metrics"
std::string ForbiddenMessage(const RequestAttributes& attrs);
// The whole Status message of the 403 the API server answers with (resource qualified by group,
// the name when there is one, ": <reason>" appended when reason is not empty), e.g.
//   pods "web" is forbidden: User "bob" cannot get resource "pods" in API group "" in the namespace "default"
//   forbidden: User "bob" cannot get path "/metrics"
std::string ForbiddenStatusMessage(const RequestAttributes& attrs, const std::string& reason);

// The rules a user has in a namespace (cluster-wide rules included), for SelfSubjectRulesReview.
struct RulesForResult {
  std::vector<PolicyRule> resource_rules;      // rules with resources
  std::vector<PolicyRule> non_resource_rules;  // rules with nonResourceURLs
  bool incomplete = false;
  std::string evaluation_error;  // e.g. a binding whose role does not exist
};

// The role of anything that decides requests, so the API server can chain authorizers and tests can fake.
class Authorizer {
 public:
  virtual ~Authorizer() = default;
  virtual Decision Authorize(const RequestAttributes& attrs) const = 0;
  virtual RulesForResult RulesFor(const UserInfo& user, const std::string& ns) const = 0;
};

class RbacAuthorizer final : public Authorizer {
 public:
  RbacAuthorizer();
  ~RbacAuthorizer() override;

  // Adds or replaces an object; resource is "roles", "rolebindings", "clusterroles" or
  // "clusterrolebindings" (anything else is ignored). Objects without a name are ignored.
  void Upsert(std::string_view resource, const boost::json::object& obj);
  // Forgets an object (ns is ignored for the cluster-scoped kinds). Unknown objects are fine.
  void Remove(std::string_view resource, const std::string& ns, const std::string& name);
  // Forgets everything (before a relist).
  void Clear();

  // system:masters is always allowed; otherwise allowed when any rule of any role bound to the user,
  // one of its groups, or its service account allows it (RoleBindings only in their own namespace).
  Decision Authorize(const RequestAttributes& attrs) const override;
  RulesForResult RulesFor(const UserInfo& user, const std::string& ns) const override;

  // The effective rules of a ClusterRole with an aggregationRule (the union of the rules of the
  // ClusterRoles its selectors match, nested aggregation followed), as the aggregation controller
  // would write them into .rules; nullopt for unknown or non-aggregated roles.
  std::optional<boost::json::array> AggregatedRules(const std::string& cluster_role) const;

  size_t RoleCount() const;     // roles + clusterroles
  size_t BindingCount() const;  // rolebindings + clusterrolebindings

 private:
  struct State;
  mutable std::shared_mutex mu_;
  std::unique_ptr<State> state_;  // guarded by mu_
};

}  // namespace k1s::auth
