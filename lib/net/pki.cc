#include "lib/net/pki.h"

#include <arpa/inet.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdlib>
#include <ctime>
#include <memory>

#include "lib/base/log.h"
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
using BignumPtr = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>>;
using StorePtr = std::unique_ptr<X509_STORE, Deleter<X509_STORE, X509_STORE_free>>;
using StoreCtxPtr = std::unique_ptr<X509_STORE_CTX, Deleter<X509_STORE_CTX, X509_STORE_CTX_free>>;
using GeneralNamesPtr = std::unique_ptr<GENERAL_NAMES, Deleter<GENERAL_NAMES, GENERAL_NAMES_free>>;
using GeneralNamePtr = std::unique_ptr<GENERAL_NAME, Deleter<GENERAL_NAME, GENERAL_NAME_free>>;

// An Error for a failed OpenSSL call, with the first reason on OpenSSL's error queue (then cleared).
Unexpected SslFail(const std::string& what) {
  char buf[256] = {0};
  unsigned long e = ERR_get_error();
  if (e) ERR_error_string_n(e, buf, sizeof buf);
  ERR_clear_error();
  return Fail(ErrorCode::kInternal, "pki: " + what + (e ? std::string(": ") + buf : std::string()));
}

// Never prompt on a terminal for a passphrase: encrypted keys are simply an error.
int NoPassphrase(char*, int, int, void*) { return -1; }

Result<Pkey> NewEcKey() {
  Pkey key(EVP_EC_gen("P-256"));
  if (!key) return SslFail("generating an EC P-256 key");
  return key;
}

std::string BioContents(BIO* bio) {
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  return n > 0 ? std::string(data, static_cast<size_t>(n)) : std::string();
}

Result<std::string> KeyToPem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || !PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr)) {
    return SslFail("encoding private key");
  }
  return BioContents(bio.get());
}

Result<std::string> CertToPem(X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || !PEM_write_bio_X509(bio.get(), cert)) return SslFail("encoding certificate");
  return BioContents(bio.get());
}

Result<Pkey> KeyFromPem(const std::string& pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  Pkey key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, NoPassphrase, nullptr) : nullptr);
  if (!key) return SslFail("reading private key (an unencrypted PEM key was expected)");
  return key;
}

Result<X509Ptr> CertFromPem(const std::string& pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  X509Ptr cert(bio ? PEM_read_bio_X509(bio.get(), nullptr, NoPassphrase, nullptr) : nullptr);
  if (!cert) return SslFail("reading certificate (a PEM certificate was expected)");
  return cert;
}

// Every certificate of a PEM bundle, in order.
Result<std::vector<X509Ptr>> CertsFromPem(const std::string& pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return SslFail("reading certificate bundle");
  std::vector<X509Ptr> out;
  while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, NoPassphrase, nullptr)) out.emplace_back(cert);
  ERR_clear_error();  // the read past the last certificate leaves "no start line" behind
  if (out.empty()) return Fail(ErrorCode::kInvalid, "pki: no PEM certificate in the CA bundle");
  return out;
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

// subjectAltName built from values, not from a config string, so no name can inject another.
Status AddSubjectAltNames(X509* cert, const std::vector<std::string>& dns_names,
                          const std::vector<std::string>& ip_addresses) {
  if (dns_names.empty() && ip_addresses.empty()) return OkStatus();
  GeneralNamesPtr names(sk_GENERAL_NAME_new_null());
  if (!names) return SslFail("allocating subjectAltName");
  for (const auto& dns : dns_names) {
    if (dns.empty() || dns.find_first_of(" ,\t\r\n") != std::string::npos ||
        dns.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_*") !=
            std::string::npos) {
      return Fail(ErrorCode::kInvalid, "pki: \"" + dns + "\" is not a DNS name");
    }
    GeneralNamePtr name(GENERAL_NAME_new());
    ASN1_IA5STRING* value = ASN1_IA5STRING_new();
    if (!name || !value || !ASN1_STRING_set(value, dns.data(), static_cast<int>(dns.size()))) {
      ASN1_IA5STRING_free(value);
      return SslFail("encoding DNS name " + dns);
    }
    GENERAL_NAME_set0_value(name.get(), GEN_DNS, value);
    if (!sk_GENERAL_NAME_push(names.get(), name.get())) return SslFail("adding DNS name " + dns);
    name.release();
  }
  for (const auto& ip : ip_addresses) {
    unsigned char buf[16];
    int len = 0;
    if (inet_pton(AF_INET, ip.c_str(), buf) == 1) {
      len = 4;
    } else if (inet_pton(AF_INET6, ip.c_str(), buf) == 1) {
      len = 16;
    } else {
      return Fail(ErrorCode::kInvalid, "pki: \"" + ip + "\" is not an IP address");
    }
    GeneralNamePtr name(GENERAL_NAME_new());
    ASN1_OCTET_STRING* value = ASN1_OCTET_STRING_new();
    if (!name || !value || !ASN1_OCTET_STRING_set(value, buf, len)) {
      ASN1_OCTET_STRING_free(value);
      return SslFail("encoding IP address " + ip);
    }
    GENERAL_NAME_set0_value(name.get(), GEN_IPADD, value);
    if (!sk_GENERAL_NAME_push(names.get(), name.get())) return SslFail("adding IP address " + ip);
    name.release();
  }
  if (X509_add1_ext_i2d(cert, NID_subject_alt_name, names.get(), 0, X509V3_ADD_DEFAULT) != 1) {
    return SslFail("adding subjectAltName");
  }
  return OkStatus();
}

Status AddNameEntry(X509_NAME* name, const char* field, const std::string& value) {
  if (!X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(value.c_str()),
                                  static_cast<int>(value.size()), -1, 0)) {
    return SslFail(std::string("setting subject ") + field + "=" + value);
  }
  return OkStatus();
}

// A certificate skeleton: v3, random positive 128-bit serial, validity, subject, public key.
Result<X509Ptr> NewCert(EVP_PKEY* key, const std::string& cn, const std::vector<std::string>& orgs, int days) {
  if (cn.empty()) return Fail(ErrorCode::kInvalid, "pki: a certificate needs a common name");
  if (days <= 0) return Fail(ErrorCode::kInvalid, "pki: validity must be at least one day");
  X509Ptr cert(X509_new());
  if (!cert || !X509_set_version(cert.get(), X509_VERSION_3)) return SslFail("allocating certificate");
  unsigned char serial[16];
  if (RAND_bytes(serial, sizeof serial) != 1) return SslFail("drawing a serial number");
  serial[0] &= 0x7f;  // positive
  serial[0] |= 0x01;  // and never zero
  BignumPtr bn(BN_bin2bn(serial, sizeof serial, nullptr));
  if (!bn || !BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert.get()))) return SslFail("setting serial");
  if (!X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60 * 60) ||  // tolerate a little clock skew
      !X509_gmtime_adj(X509_getm_notAfter(cert.get()), static_cast<long>(days) * 24 * 60 * 60)) {
    return SslFail("setting validity");
  }
  X509_NAME* name = X509_get_subject_name(cert.get());
  for (const auto& o : orgs) K1S_TRY(AddNameEntry(name, "O", o));
  K1S_TRY(AddNameEntry(name, "CN", cn));
  if (!X509_set_pubkey(cert.get(), key)) return SslFail("setting public key");
  return cert;
}

std::string Asn1Text(const ASN1_STRING* s) {
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)), static_cast<size_t>(ASN1_STRING_length(s)));
}

int64_t Asn1TimeToUnix(const ASN1_TIME* t) {
  struct tm tm {};
  if (!t || !ASN1_TIME_to_tm(t, &tm)) return 0;
  return static_cast<int64_t>(timegm(&tm));
}

}  // namespace

Result<std::string> GenerateEcKeyPem() {
  K1S_ASSIGN_OR_RETURN(Pkey key, NewEcKey());
  return KeyToPem(key.get());
}

Result<std::string> PublicKeyPem(const std::string& private_key_pem) {
  K1S_ASSIGN_OR_RETURN(Pkey key, KeyFromPem(private_key_pem));
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || !PEM_write_bio_PUBKEY(bio.get(), key.get())) return SslFail("encoding public key");
  return BioContents(bio.get());
}

Result<CertBundle> CreateSelfSignedCa(const std::string& common_name, int validity_days) {
  K1S_ASSIGN_OR_RETURN(Pkey key, NewEcKey());
  K1S_ASSIGN_OR_RETURN(X509Ptr cert, NewCert(key.get(), common_name, {}, validity_days));
  if (!X509_set_issuer_name(cert.get(), X509_get_subject_name(cert.get()))) return SslFail("setting issuer");
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
  if (X509_check_private_key(ca_cert.get(), ca_key.get()) != 1) {
    ERR_clear_error();
    return Fail(ErrorCode::kInvalid, "pki: the CA key does not belong to the CA certificate");
  }
  K1S_ASSIGN_OR_RETURN(Pkey key, NewEcKey());
  K1S_ASSIGN_OR_RETURN(X509Ptr cert, NewCert(key.get(), req.common_name, req.organizations, req.validity_days));
  if (!X509_set_issuer_name(cert.get(), X509_get_subject_name(ca_cert.get()))) return SslFail("setting issuer");
  K1S_TRY(AddExt(cert.get(), ca_cert.get(), NID_basic_constraints, "critical,CA:FALSE"));
  K1S_TRY(AddExt(cert.get(), ca_cert.get(), NID_key_usage, "critical,digitalSignature,keyEncipherment"));
  const char* eku = req.usage == CertUsage::kServer   ? "serverAuth"
                    : req.usage == CertUsage::kClient ? "clientAuth"
                                                      : "serverAuth,clientAuth";
  K1S_TRY(AddExt(cert.get(), ca_cert.get(), NID_ext_key_usage, eku));
  K1S_TRY(AddExt(cert.get(), ca_cert.get(), NID_authority_key_identifier, "keyid:always"));
  K1S_TRY(AddSubjectAltNames(cert.get(), req.dns_names, req.ip_addresses));
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
    if (nid == NID_commonName) info.common_name = Asn1Text(X509_NAME_ENTRY_get_data(e));
    if (nid == NID_organizationName) info.organizations.push_back(Asn1Text(X509_NAME_ENTRY_get_data(e)));
  }
  X509_NAME* issuer = X509_get_issuer_name(cert.get());
  if (int i = X509_NAME_get_index_by_NID(issuer, NID_commonName, -1); i >= 0) {
    info.issuer_common_name = Asn1Text(X509_NAME_ENTRY_get_data(X509_NAME_get_entry(issuer, i)));
  }
  GeneralNamesPtr names(
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert.get(), NID_subject_alt_name, nullptr, nullptr)));
  for (int i = 0; names && i < sk_GENERAL_NAME_num(names.get()); ++i) {
    GENERAL_NAME* g = sk_GENERAL_NAME_value(names.get(), i);
    if (g->type == GEN_DNS) {
      info.dns_names.push_back(Asn1Text(g->d.dNSName));
    } else if (g->type == GEN_IPADD) {
      char buf[INET6_ADDRSTRLEN];
      int len = ASN1_STRING_length(g->d.iPAddress);
      if ((len == 4 || len == 16) &&
          inet_ntop(len == 4 ? AF_INET : AF_INET6, ASN1_STRING_get0_data(g->d.iPAddress), buf, sizeof buf)) {
        info.ip_addresses.emplace_back(buf);
      }
    }
  }
  info.is_ca = X509_check_ca(cert.get()) > 0;
  if (X509_get_extension_flags(cert.get()) & EXFLAG_XKUSAGE) {
    uint32_t xku = X509_get_extended_key_usage(cert.get());
    info.server_auth = xku & XKU_SSL_SERVER;
    info.client_auth = xku & XKU_SSL_CLIENT;
  } else {  // no extendedKeyUsage: any use
    info.server_auth = info.client_auth = true;
  }
  info.not_before_unix = Asn1TimeToUnix(X509_get0_notBefore(cert.get()));
  info.not_after_unix = Asn1TimeToUnix(X509_get0_notAfter(cert.get()));
  ERR_clear_error();
  return info;
}

Status VerifyCertificate(const std::string& ca_pem, const std::string& cert_pem) {
  K1S_ASSIGN_OR_RETURN(std::vector<X509Ptr> cas, CertsFromPem(ca_pem));
  K1S_ASSIGN_OR_RETURN(X509Ptr cert, CertFromPem(cert_pem));
  StorePtr store(X509_STORE_new());
  if (!store) return SslFail("allocating certificate store");
  for (auto& ca : cas) {
    if (!X509_STORE_add_cert(store.get(), ca.get())) return SslFail("adding CA certificate to store");
  }
  StoreCtxPtr ctx(X509_STORE_CTX_new());
  if (!ctx || !X509_STORE_CTX_init(ctx.get(), store.get(), cert.get(), nullptr)) {
    return SslFail("preparing certificate verification");
  }
  int ok = X509_verify_cert(ctx.get());
  int err = X509_STORE_CTX_get_error(ctx.get());
  ERR_clear_error();
  if (ok != 1) {
    return Fail(ErrorCode::kUnauthorized, std::string("certificate not trusted: ") + X509_verify_cert_error_string(err));
  }
  return OkStatus();
}

Status CheckKeyMatchesCertificate(const std::string& cert_pem, const std::string& key_pem) {
  K1S_ASSIGN_OR_RETURN(X509Ptr cert, CertFromPem(cert_pem));
  K1S_ASSIGN_OR_RETURN(Pkey key, KeyFromPem(key_pem));
  int ok = X509_check_private_key(cert.get(), key.get());
  ERR_clear_error();
  if (ok != 1) return Fail(ErrorCode::kInvalid, "pki: the private key does not belong to the certificate");
  return OkStatus();
}

bool IsIpAddress(const std::string& s) {
  unsigned char buf[16];
  return inet_pton(AF_INET, s.c_str(), buf) == 1 || inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

std::string RandomHex(int bytes) {
  std::string raw(static_cast<size_t>(bytes > 0 ? bytes : 0), '\0');
  if (!raw.empty() && RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(raw.size())) != 1) {
    char buf[256] = {0};
    ERR_error_string_n(ERR_get_error(), buf, sizeof buf);
    K1S_LOG(kError, "pki") << "OpenSSL's random generator failed (" << buf << "); refusing to continue";
    std::abort();
  }
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

Result<ParsedToken> ParseToken(std::string_view token) {
  token = Trim(token);
  ParsedToken out;
  if (token.empty()) return Fail(ErrorCode::kInvalid, "token is empty");
  if (!StartsWith(token, "K10")) {
    out.password = std::string(token);  // short form: the secret alone
    return out;
  }
  auto bad = [] {
    return Fail(ErrorCode::kInvalid, "token is not in the form K10<ca-hash>::<user>:<secret> (or just <secret>)");
  };
  auto sep = token.find("::");
  if (sep == std::string_view::npos) return bad();
  out.ca_hash = std::string(token.substr(3, sep - 3));
  std::string_view cred = token.substr(sep + 2);
  auto colon = cred.find(':');
  if ((!out.ca_hash.empty() && out.ca_hash.size() != 64) ||
      out.ca_hash.find_first_not_of("0123456789abcdef") != std::string::npos || colon == std::string_view::npos ||
      colon == 0 || colon + 1 == cred.size()) {
    return bad();
  }
  out.username = std::string(cred.substr(0, colon));
  out.password = std::string(cred.substr(colon + 1));
  return out;
}

}  // namespace k1s::net
