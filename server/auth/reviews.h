// The "review" APIs: pure functions answering POSTs of authorization.k8s.io/v1 SelfSubjectAccessReview,
// SubjectAccessReview, LocalSubjectAccessReview, SelfSubjectRulesReview and authentication.k8s.io/v1
// TokenReview, SelfSubjectReview. Each takes the request object and returns the whole response object
// (same apiVersion/kind, spec kept, status filled) or an Error for the API server's Status (kInvalid /
// kBadRequest with upstream's wording). Owned by server/auth; any thread (the authorizer is thread-safe).
#pragma once

#include <boost/json/object.hpp>
#include <functional>
#include <string>
#include <vector>

#include "lib/base/result.h"
#include "server/auth/rbac.h"
#include "server/auth/user.h"

namespace k1s::auth {

// {"username", "uid", "groups", "extra"} as in TokenReview and SelfSubjectReview (empty fields omitted).
boost::json::object UserInfoJson(const UserInfo& user);

// spec.resourceAttributes or spec.nonResourceAttributes, asked for the caller.
Result<boost::json::object> SelfSubjectAccessReview(const boost::json::object& request, const UserInfo& caller,
                                                    const Authorizer& authorizer);
// The same for spec.user/uid/groups/extra (at least one of user or groups).
Result<boost::json::object> SubjectAccessReview(const boost::json::object& request, const Authorizer& authorizer);
// A SubjectAccessReview POSTed to namespaces/<ns>/localsubjectaccessreviews: resource attributes only,
// and their namespace must be the URL's (an empty one is set to it).
Result<boost::json::object> LocalSubjectAccessReview(const boost::json::object& request, const std::string& ns,
                                                     const Authorizer& authorizer);
// status.resourceRules / nonResourceRules / incomplete / evaluationError for spec.namespace.
Result<boost::json::object> SelfSubjectRulesReview(const boost::json::object& request, const UserInfo& caller,
                                                   const Authorizer& authorizer);

struct TokenAuthResult {
  UserInfo user;
  std::vector<std::string> audiences;  // the audiences the token was accepted for
};
// Authenticates a bearer token for the given audiences (empty = the API server's own); any error means
// "not authenticated" and its message goes to status.error.
using TokenVerifier =
    std::function<Result<TokenAuthResult>(const std::string& token, const std::vector<std::string>& audiences)>;
Result<boost::json::object> TokenReview(const boost::json::object& request, const TokenVerifier& verify);

// status.userInfo of the caller (kubectl auth whoami).
Result<boost::json::object> SelfSubjectReview(const boost::json::object& request, const UserInfo& caller);

}  // namespace k1s::auth
