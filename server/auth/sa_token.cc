#include "server/auth/sa_token.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <ctime>

#include "lib/api/meta.h"
#include "lib/base/strings.h"

namespace k1s::auth {

namespace json = boost::json;

namespace {

constexpr int64_t kLeewaySeconds = 60;
constexpr size_t kCoordinateBytes = 32;  // P-256

template <typename T, void (*F)(T*)>
struct Deleter {
  void operator()(T* p) const { F(p); }
};
using Pkey = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX, EVP_MD_CTX_free>>;
using EcdsaSig = std::unique_ptr<ECDSA_SIG, Deleter<ECDSA_SIG, ECDSA_SIG_free>>;
using Bignum = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>>;

int NoPassphrase(char*, int, int, void*) { return -1; }

std::string SslReason() {
  char buf[256] = {0};
  unsigned long e = ERR_get_error();
  if (e) ERR_error_string_n(e, buf, sizeof buf);
  ERR_clear_error();
  return e ? std::string(": ") + buf : std::string();
}

Unexpected Unauthorized(const std::string& msg) { return Fail(ErrorCode::kUnauthorized, msg); }

std::string Base64Url(std::string_view bytes) {
  std::string s = Base64Encode(bytes);
  while (!s.empty() && s.back() == '=') s.pop_back();
  for (char& c : s) {
    if (c == '+') c = '-';
    else if (c == '/') c = '_';
  }
  return s;
}

bool Base64UrlDecode(std::string_view in, std::string* out) {
  for (char c : in) {
    if (c == '+' || c == '/' || c == '=') return false;  // JWTs use the unpadded URL alphabet only
  }
  return Base64Decode(in, out);
}

Status CheckP256(EVP_PKEY* key, const char* what) {
  char group[64] = {0};
  size_t len = 0;
  if (!EVP_PKEY_is_a(key, "EC") || !EVP_PKEY_get_group_name(key, group, sizeof group, &len) ||
      std::string_view(group, len) != "prime256v1") {
    return Fail(ErrorCode::kInvalid, std::string("service-account ") + what + " is not an EC P-256 key");
  }
  return OkStatus();
}

Result<std::string> PublicDer(EVP_PKEY* key) {
  unsigned char* der = nullptr;
  int n = i2d_PUBKEY(key, &der);
  if (n <= 0) return Fail(ErrorCode::kInternal, "encoding the service-account public key" + SslReason());
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(n));
  OPENSSL_free(der);
  return out;
}

std::string KeyIdOf(const std::string& der) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(der.data()), der.size(), digest);
  return Base64Url(std::string_view(reinterpret_cast<char*>(digest), sizeof digest));
}

std::string BnBytes(const BIGNUM* bn) {
  std::string out(kCoordinateBytes, '\0');
  BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out.data()), kCoordinateBytes);
  return out;
}

json::array AudienceArray(const std::vector<std::string>& auds) {
  json::array a;
  for (const auto& s : auds) a.emplace_back(s);
  return a;
}

// Go's %q of a []string: ["a" "b"].
std::string GoQuotedList(const std::vector<std::string>& list) {
  std::string out = "[";
  for (size_t i = 0; i < list.size(); ++i) {
    if (i) out += " ";
    out += "\"" + list[i] + "\"";
  }
  return out + "]";
}

json::object Ref(const BoundObject& o) { return json::object{{"name", o.name}, {"uid", o.uid}}; }

std::optional<BoundObject> ReadRef(const json::object& k8s, std::string_view field) {
  auto it = k8s.find(field);
  if (it == k8s.end() || !it->value().is_object()) return std::nullopt;
  BoundObject b;
  const auto& o = it->value().as_object();
  if (auto n = o.find("name"); n != o.end() && n->value().is_string()) b.name = std::string(n->value().as_string());
  if (auto u = o.find("uid"); u != o.end() && u->value().is_string()) b.uid = std::string(u->value().as_string());
  return b;
}

bool ReadInt(const json::object& o, std::string_view field, int64_t* out) {
  auto it = o.find(field);
  if (it == o.end()) return false;
  if (it->value().is_int64()) *out = it->value().as_int64();
  else if (it->value().is_uint64()) *out = static_cast<int64_t>(it->value().as_uint64());
  else if (it->value().is_double()) *out = static_cast<int64_t>(it->value().as_double());
  else return false;
  return true;
}

std::string ReadString(const json::object& o, std::string_view field) {
  auto it = o.find(field);
  return it != o.end() && it->value().is_string() ? std::string(it->value().as_string()) : std::string();
}

}  // namespace

struct ServiceAccountTokens::Keys {
  Pkey signing;
  struct Verifier {
    Pkey key;
    std::string kid;
    std::string x, y;  // raw coordinates, for the JWKS
  };
  std::vector<Verifier> verifiers;
};

ServiceAccountTokens::~ServiceAccountTokens() = default;

Result<std::shared_ptr<const ServiceAccountTokens>> ServiceAccountTokens::Create(
    const std::string& private_key_pem, const std::vector<std::string>& public_key_pems, std::string issuer) {
  std::shared_ptr<ServiceAccountTokens> t(new ServiceAccountTokens());
  t->issuer_ = std::move(issuer);
  t->keys_ = std::make_unique<Keys>();
  std::vector<Pkey> publics;
  if (!private_key_pem.empty()) {
    BioPtr bio(BIO_new_mem_buf(private_key_pem.data(), static_cast<int>(private_key_pem.size())));
    Pkey key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, NoPassphrase, nullptr) : nullptr);
    if (!key) return Fail(ErrorCode::kInvalid, "reading the service-account private key" + SslReason());
    K1S_TRY(CheckP256(key.get(), "private key"));
    EVP_PKEY_up_ref(key.get());
    publics.emplace_back(key.get());
    t->keys_->signing = std::move(key);
  }
  for (const auto& pem : public_key_pems) {
    BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    Pkey key(bio ? PEM_read_bio_PUBKEY(bio.get(), nullptr, NoPassphrase, nullptr) : nullptr);
    if (!key) return Fail(ErrorCode::kInvalid, "reading a service-account public key" + SslReason());
    K1S_TRY(CheckP256(key.get(), "public key"));
    publics.push_back(std::move(key));
  }
  if (publics.empty()) return Fail(ErrorCode::kInvalid, "no service-account key given");
  for (auto& key : publics) {
    K1S_ASSIGN_OR_RETURN(std::string der, PublicDer(key.get()));
    Keys::Verifier v;
    v.kid = KeyIdOf(der);
    bool seen = false;
    for (const auto& other : t->keys_->verifiers) seen = seen || other.kid == v.kid;
    if (seen) continue;
    BIGNUM* x = nullptr;
    BIGNUM* y = nullptr;
    if (EVP_PKEY_get_bn_param(key.get(), OSSL_PKEY_PARAM_EC_PUB_X, &x) &&
        EVP_PKEY_get_bn_param(key.get(), OSSL_PKEY_PARAM_EC_PUB_Y, &y)) {
      v.x = BnBytes(x);
      v.y = BnBytes(y);
    }
    BN_free(x);
    BN_free(y);
    ERR_clear_error();
    v.key = std::move(key);
    t->keys_->verifiers.push_back(std::move(v));
  }
  t->key_id_ = t->keys_->verifiers.front().kid;  // the signing key's when there is one
  return std::shared_ptr<const ServiceAccountTokens>(std::move(t));
}

Result<std::string> ServiceAccountTokens::Issue(ServiceAccountClaims c) const {
  if (!keys_->signing) return Fail(ErrorCode::kInternal, "no service-account signing key");
  if (c.namespace_.empty() || c.service_account_name.empty()) {
    return Fail(ErrorCode::kInvalid, "a service-account token needs a namespace and a service account name");
  }
  if (c.audiences.empty()) return Fail(ErrorCode::kInvalid, "a service-account token needs at least one audience");
  if (c.expires_at == 0) return Fail(ErrorCode::kInvalid, "a service-account token needs an expiry");
  if (c.issuer.empty()) c.issuer = issuer_;
  if (c.issued_at == 0) c.issued_at = static_cast<int64_t>(std::time(nullptr));
  if (c.not_before == 0) c.not_before = c.issued_at;
  if (c.jti.empty()) c.jti = api::NewUid();

  json::object k8s{{"namespace", c.namespace_}};
  if (c.node) k8s["node"] = Ref(*c.node);
  if (c.pod) k8s["pod"] = Ref(*c.pod);
  if (c.secret) k8s["secret"] = Ref(*c.secret);
  k8s["serviceaccount"] = Ref(BoundObject{c.service_account_name, c.service_account_uid});
  if (c.warn_after) k8s["warnafter"] = c.warn_after;
  // Keys in the order upstream's tokens have them (alphabetical).
  json::object payload{{"aud", AudienceArray(c.audiences)},
                       {"exp", c.expires_at},
                       {"iat", c.issued_at},
                       {"iss", c.issuer},
                       {"jti", c.jti},
                       {"kubernetes.io", std::move(k8s)},
                       {"nbf", c.not_before},
                       {"sub", c.Subject()}};
  json::object header{{"alg", "ES256"}, {"kid", key_id_}};
  const std::string signing_input = Base64Url(json::serialize(header)) + "." + Base64Url(json::serialize(payload));

  MdCtx ctx(EVP_MD_CTX_new());
  size_t der_len = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, keys_->signing.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &der_len, reinterpret_cast<const unsigned char*>(signing_input.data()),
                     signing_input.size()) != 1) {
    return Fail(ErrorCode::kInternal, "signing a service-account token" + SslReason());
  }
  std::string der(der_len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(der.data()), &der_len,
                     reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size()) != 1) {
    return Fail(ErrorCode::kInternal, "signing a service-account token" + SslReason());
  }
  // JWS wants the raw r||s, not OpenSSL's DER ECDSA-Sig-Value.
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  EcdsaSig sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der_len)));
  if (!sig) return Fail(ErrorCode::kInternal, "decoding an ECDSA signature" + SslReason());
  const std::string raw = BnBytes(ECDSA_SIG_get0_r(sig.get())) + BnBytes(ECDSA_SIG_get0_s(sig.get()));
  return signing_input + "." + Base64Url(raw);
}

Result<ServiceAccountClaims> ServiceAccountTokens::Verify(std::string_view token,
                                                          const std::vector<std::string>& accepted_audiences,
                                                          int64_t now) const {
  auto malformed = [](const std::string& why) { return Unauthorized("malformed token: " + why); };
  const size_t dot1 = token.find('.');
  const size_t dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) {
    return malformed("a JWT has three dot-separated parts");
  }
  std::string header_text, payload_text, raw_sig;
  if (!Base64UrlDecode(token.substr(0, dot1), &header_text) ||
      !Base64UrlDecode(token.substr(dot1 + 1, dot2 - dot1 - 1), &payload_text) ||
      !Base64UrlDecode(token.substr(dot2 + 1), &raw_sig)) {
    return malformed("invalid base64url");
  }
  auto header = api::ParseObject(header_text);
  auto payload = api::ParseObject(payload_text);
  if (!header.ok()) return malformed("the header is not a JSON object");
  if (!payload.ok()) return malformed("the payload is not a JSON object");
  const std::string alg = ReadString(*header, "alg");
  if (alg != "ES256") return Unauthorized("unsupported token signing algorithm \"" + alg + "\" (ES256 expected)");
  if (raw_sig.size() != 2 * kCoordinateBytes) return Unauthorized("invalid signature");

  // Signature first: nothing in an unverified payload is believed.
  Bignum r(BN_bin2bn(reinterpret_cast<const unsigned char*>(raw_sig.data()), kCoordinateBytes, nullptr));
  Bignum s(BN_bin2bn(reinterpret_cast<const unsigned char*>(raw_sig.data()) + kCoordinateBytes, kCoordinateBytes, nullptr));
  EcdsaSig sig(ECDSA_SIG_new());
  if (!r || !s || !sig || ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1) {
    return Fail(ErrorCode::kInternal, "building an ECDSA signature" + SslReason());
  }
  r.release();
  s.release();
  unsigned char* der = nullptr;
  const int der_len = i2d_ECDSA_SIG(sig.get(), &der);
  if (der_len <= 0) return Fail(ErrorCode::kInternal, "encoding an ECDSA signature" + SslReason());
  std::string der_sig(reinterpret_cast<char*>(der), static_cast<size_t>(der_len));
  OPENSSL_free(der);
  const std::string kid = ReadString(*header, "kid");
  const std::string_view signing_input = token.substr(0, dot2);
  bool verified = false;
  for (const auto& v : keys_->verifiers) {
    if (!kid.empty() && kid != v.kid) continue;
    MdCtx ctx(EVP_MD_CTX_new());
    if (ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, v.key.get()) == 1 &&
        EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(der_sig.data()), der_sig.size(),
                         reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size()) == 1) {
      verified = true;
      break;
    }
  }
  ERR_clear_error();
  if (!verified) return Unauthorized("invalid signature");

  ServiceAccountClaims c;
  const json::object& p = *payload;
  c.issuer = ReadString(p, "iss");
  if (c.issuer != issuer_) return Unauthorized("token issuer \"" + c.issuer + "\" is not accepted");
  if (auto it = p.find("aud"); it != p.end()) {
    if (it->value().is_string()) c.audiences.emplace_back(it->value().as_string());
    if (it->value().is_array()) {
      for (const auto& a : it->value().as_array()) {
        if (a.is_string()) c.audiences.emplace_back(a.as_string());
      }
    }
  }
  if (!ReadInt(p, "exp", &c.expires_at)) return malformed("no exp claim");
  ReadInt(p, "iat", &c.issued_at);
  ReadInt(p, "nbf", &c.not_before);
  c.jti = ReadString(p, "jti");
  if (now - kLeewaySeconds > c.expires_at) return Unauthorized("service account token has expired");
  if (c.not_before && now + kLeewaySeconds < c.not_before) return Unauthorized("service account token is not valid yet");
  if (c.issued_at && now + kLeewaySeconds < c.issued_at) {
    return Unauthorized("service account token is issued in the future");
  }
  const std::vector<std::string> accepted = accepted_audiences.empty() ? std::vector<std::string>{issuer_}
                                                                       : accepted_audiences;
  bool audience_ok = false;
  for (const auto& a : c.audiences) {
    for (const auto& b : accepted) audience_ok = audience_ok || a == b;
  }
  if (!audience_ok) {
    return Unauthorized("token audiences " + GoQuotedList(c.audiences) + " is invalid for the target audiences " +
                        GoQuotedList(accepted));
  }

  auto k8s_it = p.find("kubernetes.io");
  if (k8s_it == p.end() || !k8s_it->value().is_object()) return malformed("no kubernetes.io claim");
  const json::object& k8s = k8s_it->value().as_object();
  c.namespace_ = ReadString(k8s, "namespace");
  auto sa = ReadRef(k8s, "serviceaccount");
  if (c.namespace_.empty() || !sa || sa->name.empty()) return malformed("no namespace or service account");
  c.service_account_name = sa->name;
  c.service_account_uid = sa->uid;
  c.pod = ReadRef(k8s, "pod");
  c.secret = ReadRef(k8s, "secret");
  c.node = ReadRef(k8s, "node");
  ReadInt(k8s, "warnafter", &c.warn_after);
  if (ReadString(p, "sub") != c.Subject()) return malformed("sub does not name the service account");
  return c;
}

Result<ServiceAccountClaims> ServiceAccountTokens::Verify(std::string_view token,
                                                          const std::vector<std::string>& accepted_audiences) const {
  return Verify(token, accepted_audiences, static_cast<int64_t>(std::time(nullptr)));
}

std::string ServiceAccountTokens::JwksJson() const {
  json::array keys;
  for (const auto& v : keys_->verifiers) {
    keys.push_back(json::object{{"use", "sig"},
                                {"kty", "EC"},
                                {"kid", v.kid},
                                {"crv", "P-256"},
                                {"alg", "ES256"},
                                {"x", Base64Url(v.x)},
                                {"y", Base64Url(v.y)}});
  }
  return json::serialize(json::object{{"keys", std::move(keys)}});
}

UserInfo UserInfoFromClaims(const ServiceAccountClaims& c) {
  UserInfo u;
  u.name = c.Subject();
  u.uid = c.service_account_uid;
  u.groups = {std::string(kServiceAccountsGroup), std::string(kServiceAccountsGroup) + ":" + c.namespace_,
              std::string(kAllAuthenticated)};
  if (c.pod) {
    u.extra["authentication.kubernetes.io/pod-name"] = {c.pod->name};
    u.extra["authentication.kubernetes.io/pod-uid"] = {c.pod->uid};
  }
  if (c.node) {
    u.extra["authentication.kubernetes.io/node-name"] = {c.node->name};
    u.extra["authentication.kubernetes.io/node-uid"] = {c.node->uid};
  }
  if (!c.jti.empty()) u.extra["authentication.kubernetes.io/credential-id"] = {"JTI=" + c.jti};
  return u;
}

bool SplitServiceAccountUserName(std::string_view user, std::string* ns, std::string* name) {
  if (!StartsWith(user, kServiceAccountUserPrefix)) return false;
  std::string_view rest = user.substr(kServiceAccountUserPrefix.size());
  const size_t colon = rest.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == rest.size() ||
      rest.find(':', colon + 1) != std::string_view::npos) {
    return false;
  }
  *ns = std::string(rest.substr(0, colon));
  *name = std::string(rest.substr(colon + 1));
  return true;
}

bool LooksLikeJwt(std::string_view text) {
  if (text.empty()) return false;
  int dots = 0;
  for (char c : text) {
    if (c == '.') ++dots;
    else if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) return false;
  }
  return dots == 2 && text.front() != '.' && text.back() != '.';
}

}  // namespace k1s::auth
