// Security: who a request is and whether it may do what it asks. Authenticates x509 client
// certificates (CN user, O groups) and service-account bearer tokens (signed JWTs whose service
// account, and bound pod or secret, still exist with the same uid); everything else is
// system:anonymous. Authorizes with RBAC over the roles and bindings in the registry, kept current by
// watches (one thread per RBAC resource, owned here). Also issues tokens (TokenRequest) and keeps the
// default roles and bindings in place. Thread-safe: request threads call it concurrently.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "lib/base/result.h"
#include "lib/net/http_server.h"
#include "server/auth/rbac.h"
#include "server/auth/reviews.h"
#include "server/auth/sa_token.h"
#include "server/auth/user.h"
#include "server/registry/registry.h"

namespace k1s::apiserver {

struct SecurityOptions {
  std::string service_key_pem;  // signs service-account tokens
  std::string service_pub_pem;
  // The join token (K10<ca hash>::server:<secret>): as a bearer token (whole, or its secret part) it
  // authenticates agents, as k1s:agent in groups system:nodes and system:masters, until agents get
  // node certificates of their own.
  std::string server_token;
};

class Security {
 public:
  // Loads RBAC objects from the registry and starts following them.
  static Result<std::unique_ptr<Security>> Start(registry::Registry& registry, const SecurityOptions& options);
  ~Security();

  // The user of a request; kUnauthorized (401) for a bearer token that does not verify.
  Result<auth::UserInfo> Authenticate(const net::HttpRequest& req) const;
  auth::Decision Authorize(const auth::RequestAttributes& attrs) const { return rbac_.Authorize(attrs); }
  const auth::RbacAuthorizer& authorizer() const { return rbac_; }

  // RBAC privilege-escalation prevention for writes of roles, clusterroles, rolebindings and
  // clusterrolebindings (upstream's RBAC storage): a role only with every permission in it held (or the
  // `escalate` verb on it), a binding only with every permission of its role held (or `bind` on that
  // role). `obj` is what would be stored (the body, or the patched object); `old` the current object on
  // update, nullptr on create; `name` the request's name ("" for a create). kForbidden naming what the
  // user lacks; kNotFound when a binding's role does not exist. Other resources and system:masters pass.
  Status CheckEscalation(const auth::UserInfo& user, const registry::ResourceInfo& r, const std::string& ns,
                         const std::string& name, const boost::json::object& obj,
                         const boost::json::object* old) const;
  // Whether writes of r go through CheckEscalation (the four RBAC resources).
  static bool GuardsEscalation(const registry::ResourceInfo& r);

  // Verifies a bearer token as Authenticate does (TokenReview).
  Result<auth::TokenAuthResult> VerifyToken(const std::string& token, const std::vector<std::string>& audiences) const;
  // serviceaccounts/<name>/token: a TokenRequest answered with status.token and expirationTimestamp.
  Result<boost::json::object> RequestToken(const std::string& ns, const std::string& name,
                                           const boost::json::object& request) const;

  // Creates the default ClusterRoles, ClusterRoleBindings, Roles and RoleBindings that are missing,
  // and brings those marked rbac.authorization.kubernetes.io/autoupdate=true up to date.
  static Status EnsureBootstrapPolicy(registry::Registry& registry);

 private:
  Security(registry::Registry& registry, std::shared_ptr<const auth::ServiceAccountTokens> tokens)
      : registry_(registry), tokens_(std::move(tokens)) {}
  void Follow(const registry::ResourceInfo* r, std::string resource_version);
  void WriteAggregatedRules();

  registry::Registry& registry_;
  std::shared_ptr<const auth::ServiceAccountTokens> tokens_;
  std::string server_token_, server_secret_;
  auth::RbacAuthorizer rbac_;
  std::atomic<bool> stopping_{false};
  std::vector<std::thread> followers_;
};

}  // namespace k1s::apiserver
