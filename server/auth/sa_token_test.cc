#include "server/auth/sa_token.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <boost/json/parse.hpp>

#include "lib/base/strings.h"

namespace k1s::auth {
namespace {

constexpr int64_t kNow = 1800000000;

struct KeyPair {
  std::string private_pem, public_pem;
};

KeyPair NewKey(const char* type = "EC") {
  EVP_PKEY* key = std::string(type) == "EC" ? EVP_EC_gen("P-256") : EVP_RSA_gen(2048);
  BIO* priv = BIO_new(BIO_s_mem());
  BIO* pub = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(priv, key, nullptr, nullptr, 0, nullptr, nullptr);
  PEM_write_bio_PUBKEY(pub, key);
  char* data = nullptr;
  KeyPair kp;
  long n = BIO_get_mem_data(priv, &data);
  kp.private_pem.assign(data, static_cast<size_t>(n));
  n = BIO_get_mem_data(pub, &data);
  kp.public_pem.assign(data, static_cast<size_t>(n));
  BIO_free(priv);
  BIO_free(pub);
  EVP_PKEY_free(key);
  return kp;
}

ServiceAccountClaims PodClaims() {
  ServiceAccountClaims c;
  c.audiences = {std::string(kDefaultIssuer), "k3s"};
  c.issued_at = kNow;
  c.expires_at = kNow + 3600;
  c.namespace_ = "default";
  c.service_account_name = "builder";
  c.service_account_uid = "sa-uid";
  c.pod = BoundObject{"web-0", "pod-uid"};
  c.node = BoundObject{"node1", "node-uid"};
  return c;
}

std::shared_ptr<const ServiceAccountTokens> Tokens(const KeyPair& kp) {
  auto t = ServiceAccountTokens::Create(kp.private_pem, {});
  EXPECT_TRUE(t.ok()) << t.error().ToString();
  return *t;
}

boost::json::object Part(const std::string& token, int index) {
  auto parts = Split(token, '.');
  std::string text;
  EXPECT_TRUE(Base64Decode(parts.at(static_cast<size_t>(index)), &text));
  return boost::json::parse(text).as_object();
}

TEST(SaToken, IssuedTokenVerifiesAndKeepsEveryClaim) {
  auto t = Tokens(NewKey());
  auto token = t->Issue(PodClaims());
  ASSERT_TRUE(token.ok()) << token.error().ToString();
  EXPECT_TRUE(LooksLikeJwt(*token));
  auto c = t->Verify(*token, {"k3s"}, kNow + 10);
  ASSERT_TRUE(c.ok()) << c.error().ToString();
  EXPECT_EQ(c->issuer, kDefaultIssuer);
  EXPECT_EQ(c->Subject(), "system:serviceaccount:default:builder");
  EXPECT_EQ(c->service_account_uid, "sa-uid");
  ASSERT_TRUE(c->pod.has_value());
  EXPECT_EQ(c->pod->name, "web-0");
  EXPECT_EQ(c->pod->uid, "pod-uid");
  ASSERT_TRUE(c->node.has_value());
  EXPECT_FALSE(c->secret.has_value());
  EXPECT_EQ(c->expires_at, kNow + 3600);
  EXPECT_EQ(c->not_before, kNow);
  EXPECT_EQ(c->jti.size(), 36u);
  EXPECT_EQ(c->audiences, (std::vector<std::string>{std::string(kDefaultIssuer), "k3s"}));
}

TEST(SaToken, HeaderAndPayloadHaveUpstreamShape) {
  auto t = Tokens(NewKey());
  auto token = *t->Issue(PodClaims());
  auto header = Part(token, 0);
  EXPECT_EQ(header.at("alg").as_string(), "ES256");
  EXPECT_EQ(header.at("kid").as_string(), t->key_id());
  EXPECT_EQ(t->key_id().size(), 43u);  // base64url of a SHA-256, unpadded
  auto payload = Part(token, 1);
  EXPECT_EQ(payload.at("sub").as_string(), "system:serviceaccount:default:builder");
  const auto& k8s = payload.at("kubernetes.io").as_object();
  EXPECT_EQ(k8s.at("namespace").as_string(), "default");
  EXPECT_EQ(k8s.at("serviceaccount").at("name").as_string(), "builder");
  EXPECT_EQ(k8s.at("serviceaccount").at("uid").as_string(), "sa-uid");
  EXPECT_EQ(k8s.at("pod").at("name").as_string(), "web-0");
  EXPECT_EQ(k8s.at("node").at("uid").as_string(), "node-uid");
  for (const char* k : {"aud", "exp", "iat", "iss", "jti", "nbf"}) EXPECT_TRUE(payload.contains(k)) << k;
  // The signature is raw r||s: 64 bytes.
  std::string sig;
  ASSERT_TRUE(Base64Decode(Split(token, '.').at(2), &sig));
  EXPECT_EQ(sig.size(), 64u);
}

TEST(SaToken, KeyIdIsTheSameForThePrivateKeyAndItsPublicHalf) {
  auto kp = NewKey();
  auto signer = Tokens(kp);
  auto verifier = ServiceAccountTokens::Create("", {kp.public_pem});
  ASSERT_TRUE(verifier.ok());
  EXPECT_EQ((*verifier)->key_id(), signer->key_id());
  // A verify-only instance accepts the signer's tokens and cannot issue.
  EXPECT_TRUE((*verifier)->Verify(*signer->Issue(PodClaims()), {}, kNow).ok());
  EXPECT_FALSE((*verifier)->Issue(PodClaims()).ok());
}

TEST(SaToken, ExpiredTokenIsRejectedAfterTheLeeway) {
  auto t = Tokens(NewKey());
  auto token = *t->Issue(PodClaims());
  EXPECT_TRUE(t->Verify(token, {}, kNow + 3600 + 30).ok());
  auto c = t->Verify(token, {}, kNow + 3600 + 120);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, ErrorCode::kUnauthorized);
  EXPECT_EQ(c.error().message, "service account token has expired");
}

TEST(SaToken, TokenIsNotValidBeforeItsNotBefore) {
  auto t = Tokens(NewKey());
  auto claims = PodClaims();
  claims.not_before = kNow + 600;
  auto token = *t->Issue(claims);
  auto c = t->Verify(token, {}, kNow);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().message, "service account token is not valid yet");
  EXPECT_TRUE(t->Verify(token, {}, kNow + 600).ok());
}

TEST(SaToken, TamperedPayloadFailsTheSignature) {
  auto t = Tokens(NewKey());
  auto token = *t->Issue(PodClaims());
  auto parts = Split(token, '.');
  std::string payload;
  ASSERT_TRUE(Base64Decode(parts[1], &payload));
  const auto pos = payload.find("builder");
  ASSERT_NE(pos, std::string::npos);
  payload.replace(pos, 7, "admin00");
  std::string b64 = Base64Encode(payload);
  while (!b64.empty() && b64.back() == '=') b64.pop_back();
  for (char& ch : b64) ch = ch == '+' ? '-' : ch == '/' ? '_' : ch;
  auto c = t->Verify(parts[0] + "." + b64 + "." + parts[2], {}, kNow);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().message, "invalid signature");
}

TEST(SaToken, TokenFromAnotherKeyFailsTheSignature) {
  auto mine = Tokens(NewKey());
  auto theirs = Tokens(NewKey());
  auto c = mine->Verify(*theirs->Issue(PodClaims()), {}, kNow);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().message, "invalid signature");
}

TEST(SaToken, AudienceMustIntersectTheAcceptedOnes) {
  auto t = Tokens(NewKey());
  auto claims = PodClaims();
  claims.audiences = {"vault"};
  auto token = *t->Issue(claims);
  EXPECT_TRUE(t->Verify(token, {"other", "vault"}, kNow).ok());
  auto c = t->Verify(token, {}, kNow);  // empty: the issuer is the audience
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().message,
            R"(token audiences ["vault"] is invalid for the target audiences ["https://kubernetes.default.svc.cluster.local"])");
}

TEST(SaToken, ForeignIssuerIsRejected) {
  auto kp = NewKey();
  auto a = *ServiceAccountTokens::Create(kp.private_pem, {}, "https://a");
  auto b = *ServiceAccountTokens::Create(kp.private_pem, {}, "https://b");
  auto claims = PodClaims();
  claims.audiences = {"x"};
  auto c = b->Verify(*a->Issue(claims), {"x"}, kNow);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message.find("issuer"), std::string::npos);
}

TEST(SaToken, MalformedTokensSayWhy) {
  auto t = Tokens(NewKey());
  for (const char* bad : {"", "abc", "a.b", "a.b.c.d", "!!.??.**", "e30.e30.AAAA"}) {
    auto c = t->Verify(bad, {}, kNow);
    ASSERT_FALSE(c.ok()) << bad;
    EXPECT_EQ(c.error().code, ErrorCode::kUnauthorized);
  }
  EXPECT_NE(t->Verify("a.b", {}, kNow).error().message.find("malformed token"), std::string::npos);
  // alg none is never accepted.
  auto token = *t->Issue(PodClaims());
  auto parts = Split(token, '.');
  std::string none = Base64Encode(R"({"alg":"none"})");
  while (!none.empty() && none.back() == '=') none.pop_back();
  EXPECT_NE(t->Verify(none + "." + parts[1] + ".", {}, kNow).error().message.find("algorithm"), std::string::npos);
}

TEST(SaToken, IssueRejectsIncompleteClaims) {
  auto t = Tokens(NewKey());
  auto c = PodClaims();
  c.expires_at = 0;
  EXPECT_EQ(t->Issue(c).error().code, ErrorCode::kInvalid);
  c = PodClaims();
  c.audiences.clear();
  EXPECT_EQ(t->Issue(c).error().code, ErrorCode::kInvalid);
  c = PodClaims();
  c.namespace_.clear();
  EXPECT_EQ(t->Issue(c).error().code, ErrorCode::kInvalid);
}

TEST(SaToken, NonP256KeysAreRefused) {
  auto rsa = NewKey("RSA");
  auto t = ServiceAccountTokens::Create(rsa.private_pem, {});
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().code, ErrorCode::kInvalid);
  EXPECT_FALSE(ServiceAccountTokens::Create("not a key", {}).ok());
  EXPECT_FALSE(ServiceAccountTokens::Create("", {}).ok());
}

TEST(SaToken, UserInfoHasServiceAccountGroupsAndExtras) {
  auto c = PodClaims();
  c.jti = "abc";
  auto u = UserInfoFromClaims(c);
  EXPECT_EQ(u.name, "system:serviceaccount:default:builder");
  EXPECT_EQ(u.uid, "sa-uid");
  EXPECT_EQ(u.groups, (std::vector<std::string>{"system:serviceaccounts", "system:serviceaccounts:default",
                                                "system:authenticated"}));
  EXPECT_EQ(u.extra.at("authentication.kubernetes.io/pod-name"), std::vector<std::string>{"web-0"});
  EXPECT_EQ(u.extra.at("authentication.kubernetes.io/pod-uid"), std::vector<std::string>{"pod-uid"});
  EXPECT_EQ(u.extra.at("authentication.kubernetes.io/node-name"), std::vector<std::string>{"node1"});
  EXPECT_EQ(u.extra.at("authentication.kubernetes.io/credential-id"), std::vector<std::string>{"JTI=abc"});
}

TEST(SaToken, ServiceAccountUserNamesSplitIntoNamespaceAndName) {
  std::string ns, name;
  ASSERT_TRUE(SplitServiceAccountUserName("system:serviceaccount:kube-system:coredns", &ns, &name));
  EXPECT_EQ(ns, "kube-system");
  EXPECT_EQ(name, "coredns");
  EXPECT_FALSE(SplitServiceAccountUserName("system:serviceaccount:x", &ns, &name));
  EXPECT_FALSE(SplitServiceAccountUserName("bob", &ns, &name));
  EXPECT_FALSE(SplitServiceAccountUserName("system:serviceaccount:a:b:c", &ns, &name));
}

TEST(SaToken, JwksListsThePublicKey) {
  auto t = Tokens(NewKey());
  auto jwks = boost::json::parse(t->JwksJson()).as_object();
  const auto& key = jwks.at("keys").as_array().at(0).as_object();
  EXPECT_EQ(key.at("kty").as_string(), "EC");
  EXPECT_EQ(key.at("crv").as_string(), "P-256");
  EXPECT_EQ(key.at("kid").as_string(), t->key_id());
  EXPECT_EQ(key.at("x").as_string().size(), 43u);
  EXPECT_EQ(key.at("y").as_string().size(), 43u);
}

}  // namespace
}  // namespace k1s::auth
