// PKI for k1s: EC P-256 keys, self-signed CAs, certificates issued by them, certificate parsing and
// verification, and the k3s-format server token. Pure functions over PEM strings (OpenSSL 3 inside);
// safe from any thread. The server's start-up wiring (issue 3) decides which files to create.
#pragma once

#include <string>
#include <vector>

#include "lib/base/result.h"

namespace k1s::net {

struct CertBundle {
  std::string cert_pem;
  std::string key_pem;
};

enum class CertUsage { kServer, kClient, kBoth };

struct CertRequest {
  std::string common_name;
  std::vector<std::string> organizations;  // O=; for client certs the Kubernetes groups
  std::vector<std::string> dns_names;
  std::vector<std::string> ip_addresses;   // IPv4 or IPv6 text
  CertUsage usage = CertUsage::kServer;
  int validity_days = 365;
};

struct CertInfo {
  std::string common_name;
  std::vector<std::string> organizations;
  std::vector<std::string> dns_names;
  std::vector<std::string> ip_addresses;
  bool is_ca = false;
  int64_t not_after_unix = 0;
};

// A new EC P-256 private key, PEM (PKCS#8).
Result<std::string> GenerateEcKeyPem();
// A self-signed CA certificate and its key.
Result<CertBundle> CreateSelfSignedCa(const std::string& common_name, int validity_days);
// A certificate for req signed by ca, with a new key.
Result<CertBundle> IssueCertificate(const CertBundle& ca, const CertRequest& req);
Result<CertInfo> ParseCertificate(const std::string& cert_pem);
// OK if cert_pem chains to ca_pem and is currently valid; kUnauthorized with the reason otherwise.
Status VerifyCertificate(const std::string& ca_pem, const std::string& cert_pem);

// Random bytes as lowercase hex (2*bytes characters).
std::string RandomHex(int bytes);
std::string Sha256Hex(std::string_view data);

// The k3s token format: K10<sha256 hex of the CA bundle file's bytes>::server:<secret>.
std::string FormatServerToken(const std::string& ca_pem, const std::string& secret);
struct ParsedToken {
  std::string ca_hash;   // empty for the short form (just the secret)
  std::string username;  // "server" for server tokens
  std::string password;
};
Result<ParsedToken> ParseToken(const std::string& token);

}  // namespace k1s::net
