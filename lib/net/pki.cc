#include "lib/net/pki.h"

#include <arpa/inet.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

#include "lib/base/strings.h"

namespace k1s::net {
namespace {

template <typename T, void (*F)(T*)>
struct Deleter {
  void operator()(T* p) const { F(p); }
};
using Pkey = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;

Unexpected SslFail(const std::string& what) {
  char buf[256] = {0};
  unsigned long e = ERR_get_error();
  if (e) ERR_error_string_n(e, buf, sizeof buf);
  ERR_clear_error();
  return Fail(ErrorCode::kInternal, "pki: " + what + (e ? std::string(": ") + buf : std::string()));
}

Result<Pkey> NewEcKey() {
  Pkey key(EVP_EC_gen("P-256"));
  if (!key) return SslFail("generating an EC P-256 key");
  return key;
}

Result<std::string> KeyToPem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr)) return SslFail("encoding key");
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(n));
}

Result<std::string> CertToPem(X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!PEM_write_bio_X509(bio.get(), cert)) return SslFail("encoding certificate");
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(n));
}

Result<Pkey> KeyFromPem(const std::string& pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  Pkey key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!key) return SslFail("reading private key");
  return key;
}

Result<X509Ptr> CertFromPem(const std::string& pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cert) return SslFail("reading certificate");
  return cert;
}

Status AddExt(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  if (!ext) return SslFail("building extension " + value);
  int ok = X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
  if (!ok) return SslFail("adding extension " + value);
  return OkStatus();
}

// A certificate skeleton: serial, validity, subject, public key.
Result<X509Ptr> NewCert(EVP_PKEY* key, const std::string& cn, const std::vector<std::string>& orgs, int days) {
  X509Ptr cert(X509_new());
  X509_set_version(cert.get(), 2);
  unsigned char serial[16];
  RAND_bytes(serial, sizeof serial);
  serial[0] &= 0x7f;
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
  BN_free(bn);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60 * 60);  // tolerate a little clock skew
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), static_cast<long>(days) * 24 * 60 * 60);
  X509_NAME* name = X509_get_subject_name(cert.get());
  for (const auto& o : orgs) {
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(o.c_str()), -1, -1, 0);
  }
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  if (!X509_set_pubkey(cert.get(), key)) return SslFail("setting public key");
  return cert;
}

}  // namespace

Result<std::string> GenerateEcKeyPem() {
  K1S_ASSIGN_OR_RETURN(Pkey key, NewEcKey());
  return KeyToPem(key.get());
}

Result<CertBundle> CreateSelfSignedCa(const std::string& common_name, int validity_days) {
  K1S_ASSIGN_OR_RETURN(Pkey key, NewEcKey());
  K1S_ASSIGN_OR_RETURN(X509Ptr cert, NewCert(key.get(), common_name, {}, validity_days));
  X509_set_issuer_name(cert.get(), X509_get_subject_name(cert.get()));
  K1S_TRY(AddExt(cert.get(), cert.get(), NID_basic_constraints, "critical,CA:TRUE"));
  K1S_TRY(AddExt(cert.get(), cert.get(), NID_key_usage, "critical,digitalSignature,keyCertSign,cRLSign"));
  K1S_TRY(AddExt(cert.get(), cert.get(), NID_subject_key_identifier, "hash"));
  if (!X509_sign(cert.get(), key.get(), EVP_sha256())) return SslFail("signing CA certificate");
  CertBundle out;
  K1S_ASSIGN_OR_RETURN(out.cert_pem, CertToPem(cert.get()));
  K1S_ASSIGN_OR_RETURN(out.key_pem, KeyToPem(key.get()));
  return out;
}

Result<CertBundle> IssueCertificate(const CertBundle& ca, const CertRequest& req) {
  K1S_ASSIGN_OR_RETURN(X509Ptr ca_cert, CertFromPem(ca.cert_pem));
  K1S_ASSIGN_OR_RETURN(Pkey ca_key, KeyFromPem(ca.key_pem));
  K1S_ASSIGN_OR_RETURN(Pkey key, NewEcKey());
  K1S_ASSIGN_OR_RETURN(X509Ptr cert, NewCert(key.get(), req.common_name, req.organizations, req.validity_days));
  X509_set_issuer_name(cert.get(), X509_get_subject_name(ca_cert.get()));
  K1S_TRY(AddExt(cert.get(), ca_cert.get(), NID_basic_constraints, "critical,CA:FALSE"));
  K1S_TRY(AddExt(cert.get(), ca_cert.get(), NID_key_usage, "critical,digitalSignature,keyEncipherment"));
  const char* eku = req.usage == CertUsage::kServer   ? "serverAuth"
                    : req.usage == CertUsage::kClient ? "clientAuth"
                                                      : "serverAuth,clientAuth";
  K1S_TRY(AddExt(cert.get(), ca_cert.get(), NID_ext_key_usage, eku));
  K1S_TRY(AddExt(cert.get(), ca_cert.get(), NID_authority_key_identifier, "keyid:always"));
  std::vector<std::string> sans;
  for (const auto& d : req.dns_names) sans.push_back("DNS:" + d);
  for (const auto& ip : req.ip_addresses) {
    unsigned char buf[16];
    if (inet_pton(AF_INET, ip.c_str(), buf) != 1 && inet_pton(AF_INET6, ip.c_str(), buf) != 1) {
      return Fail(ErrorCode::kInvalid, "pki: \"" + ip + "\" is not an IP address");
    }
    sans.push_back("IP:" + ip);
  }
  if (!sans.empty()) K1S_TRY(AddExt(cert.get(), ca_cert.get(), NID_subject_alt_name, Join(sans, ",")));
  if (!X509_sign(cert.get(), ca_key.get(), EVP_sha256())) return SslFail("signing certificate");
  CertBundle out;
  K1S_ASSIGN_OR_RETURN(out.cert_pem, CertToPem(cert.get()));
  K1S_ASSIGN_OR_RETURN(out.key_pem, KeyToPem(key.get()));
  return out;
}

Result<CertInfo> ParseCertificate(const std::string& cert_pem) {
  K1S_ASSIGN_OR_RETURN(X509Ptr cert, CertFromPem(cert_pem));
  CertInfo info;
  X509_NAME* name = X509_get_subject_name(cert.get());
  for (int i = 0; i < X509_NAME_entry_count(name); ++i) {
    X509_NAME_ENTRY* e = X509_NAME_get_entry(name, i);
    int nid = OBJ_obj2nid(X509_NAME_ENTRY_get_object(e));
    ASN1_STRING* s = X509_NAME_ENTRY_get_data(e);
    std::string v(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)), static_cast<size_t>(ASN1_STRING_length(s)));
    if (nid == NID_commonName) info.common_name = v;
    if (nid == NID_organizationName) info.organizations.push_back(v);
  }
  auto* names = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert.get(), NID_subject_alt_name, nullptr, nullptr));
  for (int i = 0; names && i < sk_GENERAL_NAME_num(names); ++i) {
    GENERAL_NAME* g = sk_GENERAL_NAME_value(names, i);
    if (g->type == GEN_DNS) {
      info.dns_names.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(g->d.dNSName)),
                                  static_cast<size_t>(ASN1_STRING_length(g->d.dNSName)));
    } else if (g->type == GEN_IPADD) {
      char buf[64];
      int len = ASN1_STRING_length(g->d.iPAddress);
      const unsigned char* p = ASN1_STRING_get0_data(g->d.iPAddress);
      if (inet_ntop(len == 4 ? AF_INET : AF_INET6, p, buf, sizeof buf)) info.ip_addresses.emplace_back(buf);
    }
  }
  GENERAL_NAMES_free(names);
  info.is_ca = X509_check_ca(cert.get()) > 0;
  struct tm tm {};
  if (ASN1_TIME_to_tm(X509_get0_notAfter(cert.get()), &tm)) info.not_after_unix = timegm(&tm);
  return info;
}

Status VerifyCertificate(const std::string& ca_pem, const std::string& cert_pem) {
  K1S_ASSIGN_OR_RETURN(X509Ptr ca, CertFromPem(ca_pem));
  K1S_ASSIGN_OR_RETURN(X509Ptr cert, CertFromPem(cert_pem));
  X509_STORE* store = X509_STORE_new();
  X509_STORE_add_cert(store, ca.get());
  X509_STORE_CTX* ctx = X509_STORE_CTX_new();
  X509_STORE_CTX_init(ctx, store, cert.get(), nullptr);
  int ok = X509_verify_cert(ctx);
  int err = X509_STORE_CTX_get_error(ctx);
  X509_STORE_CTX_free(ctx);
  X509_STORE_free(store);
  ERR_clear_error();
  if (ok != 1) {
    return Fail(ErrorCode::kUnauthorized, std::string("certificate not trusted: ") + X509_verify_cert_error_string(err));
  }
  return OkStatus();
}

std::string RandomHex(int bytes) {
  std::string raw(static_cast<size_t>(bytes), '\0');
  RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), bytes);
  return HexEncode(raw);
}

std::string Sha256Hex(std::string_view data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  return HexEncode(std::string_view(reinterpret_cast<const char*>(digest), sizeof digest));
}

std::string FormatServerToken(const std::string& ca_pem, const std::string& secret) {
  return "K10" + Sha256Hex(ca_pem) + "::server:" + secret;
}

Result<ParsedToken> ParseToken(const std::string& token) {
  ParsedToken out;
  if (token.empty()) return Fail(ErrorCode::kInvalid, "token is empty");
  if (!StartsWith(token, "K10")) {
    out.password = token;  // short form: the secret alone
    return out;
  }
  auto sep = token.find("::");
  auto bad = Fail(ErrorCode::kInvalid, "token is not in the form K10<ca-hash>::<user>:<secret>");
  if (sep == std::string::npos) return bad;
  out.ca_hash = token.substr(3, sep - 3);
  std::string cred = token.substr(sep + 2);
  auto colon = cred.find(':');
  if (out.ca_hash.size() != 64 || out.ca_hash.find_first_not_of("0123456789abcdef") != std::string::npos ||
      colon == std::string::npos || colon == 0 || colon + 1 == cred.size()) {
    return bad;
  }
  out.username = cred.substr(0, colon);
  out.password = cred.substr(colon + 1);
  return out;
}

}  // namespace k1s::net
