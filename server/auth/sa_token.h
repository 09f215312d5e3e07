// Service-account tokens as Kubernetes 1.24+ issues them: ES256 JWTs signed with the cluster's EC
// P-256 service-account key (service.key/service.pub), kid = base64url(SHA-256(DER public key)),
// claims iss/sub/aud/exp/iat/nbf/jti and the private "kubernetes.io" claim naming the service account
// and the pod, secret or node the token is bound to. Owned by server/auth. A ServiceAccountTokens is
// immutable after Create and safe to use from any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lib/base/result.h"
#include "server/auth/user.h"

namespace k1s::auth {

// k3s's (and kubeadm's) default issuer, also the default API audience.
inline constexpr std::string_view kDefaultIssuer = "https://kubernetes.default.svc.cluster.local";

struct BoundObject {
  std::string name, uid;
};

struct ServiceAccountClaims {
  std::string issuer;                  // iss; Issue fills in the signer's when empty
  std::vector<std::string> audiences;  // aud
  int64_t issued_at = 0;               // iat (unix seconds); Issue uses now when 0
  int64_t not_before = 0;              // nbf; Issue uses iat when 0
  int64_t expires_at = 0;              // exp; must be set
  std::string jti;                     // Issue fills in a random UUID when empty
  std::string namespace_, service_account_name, service_account_uid;
  std::optional<BoundObject> pod, secret, node;
  int64_t warn_after = 0;  // kubernetes.io.warnafter, 0 = absent

  // "system:serviceaccount:<namespace>:<name>"
  std::string Subject() const { return ServiceAccountUserName(namespace_, service_account_name); }
};

// The user a verified token authenticates as: the service account's user name and uid; groups
// system:serviceaccounts, system:serviceaccounts:<ns>, system:authenticated; extra
// authentication.kubernetes.io/pod-name, pod-uid, node-name, node-uid (when bound) and
// credential-id "JTI=<jti>".
UserInfo UserInfoFromClaims(const ServiceAccountClaims& claims);

// Parses "system:serviceaccount:<ns>:<name>"; false for other user names.
bool SplitServiceAccountUserName(std::string_view user, std::string* ns, std::string* name);

class ServiceAccountTokens {
 public:
  // private_key_pem may be empty (verify-only). public_key_pems: the keys tokens may be signed with
  // (the private key's public half is always included). kInvalid for unreadable or non-EC-P-256 keys.
  static Result<std::shared_ptr<const ServiceAccountTokens>> Create(const std::string& private_key_pem,
                                                                    const std::vector<std::string>& public_key_pems,
                                                                    std::string issuer = std::string(kDefaultIssuer));
  ~ServiceAccountTokens();

  // A signed token. kInvalid when namespace, name, audiences or exp are missing; kInternal when signing fails
  // or there is no private key.
  Result<std::string> Issue(ServiceAccountClaims claims) const;

  // Checks the structure, alg ES256, the signature against the known keys, iss, nbf/exp (60 s leeway)
  // and that aud shares at least one audience with accepted_audiences (empty = the issuer).
  // kUnauthorized with a clear message otherwise: "token has expired", "invalid signature", "token
  // audiences [...] is invalid for the target audiences [...]", "malformed token: ...".
  // The caller still checks that the service account (and the bound pod/secret) exist with these uids.
  Result<ServiceAccountClaims> Verify(std::string_view token, const std::vector<std::string>& accepted_audiences,
                                      int64_t now_unix) const;
  Result<ServiceAccountClaims> Verify(std::string_view token, const std::vector<std::string>& accepted_audiences) const;

  const std::string& issuer() const { return issuer_; }
  // kid of the signing key (base64url of SHA-256 over the DER SubjectPublicKeyInfo).
  const std::string& key_id() const { return key_id_; }
  // The public keys as a JSON Web Key Set, for /openid/v1/jwks.
  std::string JwksJson() const;

  struct Keys;

 private:
  ServiceAccountTokens() = default;
  std::string issuer_, key_id_;
  std::unique_ptr<Keys> keys_;
};

// True when text looks like a JWT (three base64url parts), so an authenticator can try this first.
bool LooksLikeJwt(std::string_view text);

}  // namespace k1s::auth
