// PKI for k1s: EC P-256 keys, self-signed CAs, certificates issued by them (SHA-256 signatures),
// certificate parsing and verification, and the k3s-format server token. Pure functions over PEM
// strings (OpenSSL 3 EVP/X509 inside); safe from any thread. OpenSSL failures come back as
// kInternal errors carrying OpenSSL's own reason. The files `k1s server` keeps are in server_pki.h.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "lib/base/result.h"

namespace k1s::net {

struct CertBundle {
  std::string cert_pem;
  std::string key_pem;  // PKCS#8 "PRIVATE KEY" PEM for keys we generate
};

enum class CertUsage { kServer, kClient, kBoth };

struct CertRequest {
  std::string common_name;                 // CN=; for client certs the Kubernetes user name
  std::vector<std::string> organizations;  // O=; for client certs the Kubernetes groups
  std::vector<std::string> dns_names;
  std::vector<std::string> ip_addresses;   // IPv4 or IPv6 text
  CertUsage usage = CertUsage::kServer;
  int validity_days = 365;
};

struct CertInfo {
  std::string common_name;
  std::vector<std::string> organizations;
  std::string issuer_common_name;
  std::vector<std::string> dns_names;
  std::vector<std::string> ip_addresses;  // canonical text (inet_ntop)
  bool is_ca = false;
  bool server_auth = false;  // extendedKeyUsage serverAuth
  bool client_auth = false;  // extendedKeyUsage clientAuth
  int64_t not_before_unix = 0;
  int64_t not_after_unix = 0;
};

// A new EC P-256 private key, PEM (PKCS#8).
Result<std::string> GenerateEcKeyPem();
// The public half of a private key, as a "PUBLIC KEY" (SubjectPublicKeyInfo) PEM.
Result<std::string> PublicKeyPem(const std::string& private_key_pem);
// A self-signed CA: basicConstraints CA:TRUE, keyUsage keyCertSign|cRLSign|digitalSignature (both
// critical), subjectKeyIdentifier; random 128-bit serial; valid from an hour ago (clock skew).
Result<CertBundle> CreateSelfSignedCa(const std::string& common_name, int validity_days);
// A certificate for req with a new EC P-256 key, signed by ca (whose key may be EC or RSA):
// CA:FALSE, extendedKeyUsage from req.usage, authorityKeyIdentifier, subjectAltName.
// kInvalid if req has no common name, a bad IP address or a non-positive validity.
Result<CertBundle> IssueCertificate(const CertBundle& ca, const CertRequest& req);
Result<CertInfo> ParseCertificate(const std::string& cert_pem);
// OK if cert_pem chains to one of the certificates in ca_pem (a bundle) and is currently valid;
// kUnauthorized with OpenSSL's reason otherwise.
Status VerifyCertificate(const std::string& ca_pem, const std::string& cert_pem);
// OK if key_pem is the private key of cert_pem; kInvalid otherwise.
Status CheckKeyMatchesCertificate(const std::string& cert_pem, const std::string& key_pem);

// True for IPv4 or IPv6 text.
bool IsIpAddress(const std::string& s);
// Random bytes from OpenSSL's CSPRNG as lowercase hex (2*bytes characters). Aborts if the CSPRNG
// fails: a predictable secret is worse than no server.
std::string RandomHex(int bytes);
std::string Sha256Hex(std::string_view data);

// The k3s token format: K10<sha256 hex of the CA bundle file's bytes>::server:<secret>. The hash is
// over the PEM text exactly as served at /cacerts (k3s hashes the bundle bytes, not the DER), so an
// agent can pin the CA with nothing but sha256 over what it downloaded.
std::string FormatServerToken(const std::string& ca_pem, const std::string& secret);
struct ParsedToken {
  std::string ca_hash;   // 64 lowercase hex; empty for the short form (no CA pinning)
  std::string username;  // "server" for server tokens, "node" for agent tokens; empty for the short form
  std::string password;
};
// Accepts the full form K10<hash>::<user>:<password> (also k3s's K10::<user>:<password> without a
// hash) and the short form (the password alone). Surrounding whitespace is ignored. kInvalid otherwise.
Result<ParsedToken> ParseToken(std::string_view token);

}  // namespace k1s::net
