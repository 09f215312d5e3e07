#include "lib/net/server_pki.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <set>

#include "lib/base/files.h"
#include "lib/base/log.h"
#include "lib/base/strings.h"

namespace k1s::net {
namespace {

constexpr char kComponent[] = "pki";
constexpr int64_t kDay = 24 * 60 * 60;

void SortUnique(std::vector<std::string>& v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
}

// "::0001" -> "::1"; unchanged if it is not an address.
std::string CanonicalIp(const std::string& ip) {
  unsigned char buf[16];
  char out[INET6_ADDRSTRLEN];
  if (inet_pton(AF_INET, ip.c_str(), buf) == 1 && inet_ntop(AF_INET, buf, out, sizeof out)) return out;
  if (inet_pton(AF_INET6, ip.c_str(), buf) == 1 && inet_ntop(AF_INET6, buf, out, sizeof out)) return out;
  return ip;
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string HostName() {
  char host[256] = {0};
  if (::gethostname(host, sizeof host - 1) != 0) return "";
  return host;
}

// Reads a cert/key pair; missing files are reported as kNotFound.
Result<CertBundle> ReadBundle(const std::string& crt, const std::string& key) {
  CertBundle b;
  K1S_ASSIGN_OR_RETURN(b.cert_pem, ReadFile(crt));
  K1S_ASSIGN_OR_RETURN(b.key_pem, ReadFile(key));
  return b;
}

// Key first, then certificate: a crash in between leaves a key without a certificate, which the next
// start treats as missing, never a certificate without its key.
Status WriteBundle(const std::string& crt, const std::string& key, const CertBundle& b,
                   std::vector<std::string>& written) {
  K1S_TRY(WriteFileAtomic(key, b.key_pem, 0600));
  K1S_TRY(WriteFileAtomic(crt, b.cert_pem, 0644));
  written.push_back(key);
  written.push_back(crt);
  return OkStatus();
}

Result<CertBundle> LoadOrCreateCa(const std::string& crt, const std::string& key, const std::string& cn_prefix,
                                  std::vector<std::string>& written) {
  if (PathExists(crt)) {
    if (!PathExists(key)) {
      return Fail(ErrorCode::kInvalid, crt + " exists but its key " + key +
                                           " is missing; restore the key (a new CA would invalidate every "
                                           "certificate and join token it signed)");
    }
    K1S_ASSIGN_OR_RETURN(CertBundle b, ReadBundle(crt, key));
    if (auto s = CheckKeyMatchesCertificate(b.cert_pem, b.key_pem); !s.ok()) {
      return Fail(ErrorCode::kInvalid, key + " does not belong to " + crt + ": " + s.error().message);
    }
    if (auto info = ParseCertificate(b.cert_pem); info.ok() && info->not_after_unix - std::time(nullptr) <
                                                                    kRenewWithinDays * kDay) {
      K1S_LOG(kWarn, kComponent) << crt << " expires within " << kRenewWithinDays
                                 << " days; CAs are not rotated automatically";
    }
    return b;
  }
  K1S_ASSIGN_OR_RETURN(CertBundle b,
                       CreateSelfSignedCa(cn_prefix + "@" + std::to_string(std::time(nullptr)), kCaValidityDays));
  K1S_TRY(WriteBundle(crt, key, b, written));
  K1S_LOG(kInfo, kComponent) << "generated " << crt;
  return b;
}

// Why an existing leaf certificate must be re-issued for req, or "" when it is still good.
std::string StaleReason(const CertBundle& ca, const CertBundle& have, const CertRequest& req) {
  auto info = ParseCertificate(have.cert_pem);
  if (!info.ok()) return "it does not parse (" + info.error().message + ")";
  if (!CheckKeyMatchesCertificate(have.cert_pem, have.key_pem).ok()) return "its key does not match";
  if (auto s = VerifyCertificate(ca.cert_pem, have.cert_pem); !s.ok()) return s.error().message;
  if (info->not_after_unix - std::time(nullptr) < kRenewWithinDays * kDay) {
    return "it expires within " + std::to_string(kRenewWithinDays) + " days";
  }
  if (info->common_name != req.common_name) return "its common name changed";
  auto orgs = req.organizations, have_orgs = info->organizations;
  SortUnique(orgs);
  SortUnique(have_orgs);
  if (orgs != have_orgs) return "its organizations changed";
  bool want_server = req.usage != CertUsage::kClient, want_client = req.usage != CertUsage::kServer;
  if (info->server_auth != want_server || info->client_auth != want_client) return "its usage changed";
  std::vector<std::string> dns, have_dns = info->dns_names, ips, have_ips = info->ip_addresses;
  for (const auto& d : req.dns_names) dns.push_back(Lower(d));
  for (auto& d : have_dns) d = Lower(d);
  for (const auto& ip : req.ip_addresses) ips.push_back(CanonicalIp(ip));
  SortUnique(dns);
  SortUnique(have_dns);
  SortUnique(ips);
  SortUnique(have_ips);
  if (dns != have_dns || ips != have_ips) return "its subject alternative names changed";
  return "";
}

Result<CertBundle> LoadOrIssue(const std::string& crt, const std::string& key, const CertBundle& ca,
                               const CertRequest& req, std::vector<std::string>& written) {
  if (PathExists(crt) && PathExists(key)) {
    K1S_ASSIGN_OR_RETURN(CertBundle have, ReadBundle(crt, key));
    std::string reason = StaleReason(ca, have, req);
    if (reason.empty()) return have;
    K1S_LOG(kInfo, kComponent) << "re-issuing " << crt << ": " << reason;
  }
  K1S_ASSIGN_OR_RETURN(CertBundle b, IssueCertificate(ca, req));
  K1S_TRY(WriteBundle(crt, key, b, written));
  K1S_LOG(kInfo, kComponent) << "issued " << crt;
  return b;
}

Status EnsureServiceAccountKey(const ServerPkiPaths& p, ServerPki& out) {
  if (PathExists(p.service_key)) {
    K1S_ASSIGN_OR_RETURN(out.service_key_pem, ReadFile(p.service_key));
  } else {
    K1S_ASSIGN_OR_RETURN(out.service_key_pem, GenerateEcKeyPem());
    K1S_TRY(WriteFileAtomic(p.service_key, out.service_key_pem, 0600));
    out.written.push_back(p.service_key);
    K1S_LOG(kInfo, kComponent) << "generated " << p.service_key;
  }
  auto pub = PublicKeyPem(out.service_key_pem);
  if (!pub.ok()) return Fail(ErrorCode::kInvalid, p.service_key + ": " + pub.error().message);
  out.service_pub_pem = *pub;
  auto stored = PathExists(p.service_pub) ? ReadFile(p.service_pub) : Result<std::string>(std::string());
  if (!stored.ok() || *stored != out.service_pub_pem) {
    K1S_TRY(WriteFileAtomic(p.service_pub, out.service_pub_pem, 0644));
    out.written.push_back(p.service_pub);
  }
  return OkStatus();
}

Status EnsureToken(const ServerPkiOptions& o, const ServerPkiPaths& p, ServerPki& out) {
  const std::string ca_hash = Sha256Hex(out.server_ca.cert_pem);
  ParsedToken given;
  if (!o.token.empty()) {
    auto parsed = ParseToken(o.token);
    if (!parsed.ok()) return Fail(ErrorCode::kInvalid, "--token: " + parsed.error().message);
    given = *parsed;
    if (!given.ca_hash.empty() && given.ca_hash != ca_hash) {
      return Fail(ErrorCode::kInvalid, "--token pins a CA hash that does not match this server's CA (" +
                                           p.server_ca_cert + ", sha256 " + ca_hash + ")");
    }
  }
  bool write = true;
  if (PathExists(p.token)) {
    K1S_ASSIGN_OR_RETURN(std::string stored_text, ReadFile(p.token));
    auto stored = ParseToken(stored_text);
    if (!stored.ok()) return Fail(ErrorCode::kInvalid, p.token + ": " + stored.error().message);
    if (!o.token.empty() && given.password != stored->password) {
      return Fail(ErrorCode::kInvalid, "--token does not match the token this server was first started with (" +
                                           p.token + "); start without --token or with the stored one, or use "
                                                     "a new --data-dir");
    }
    out.token = FormatServerToken(out.server_ca.cert_pem, stored->password);
    write = std::string(Trim(stored_text)) != out.token;
    if (write) {
      K1S_LOG(kWarn, kComponent) << "rewriting " << p.token << " for the current server CA";
    }
  } else {
    out.token = FormatServerToken(out.server_ca.cert_pem, o.token.empty() ? RandomHex(16) : given.password);
  }
  if (write) {
    K1S_TRY(WriteFileAtomic(p.token, out.token + "\n", 0600));
    out.written.push_back(p.token);
  }
  // k3s users look for node-token; keep it as a relative link to token.
  struct stat st {};
  if (::lstat(p.node_token.c_str(), &st) != 0) {
    if (::symlink("token", p.node_token.c_str()) != 0) {
      return Fail(ErrorCode::kInternal, "cannot create " + p.node_token + ": " + std::strerror(errno));
    }
  }
  return OkStatus();
}

}  // namespace

ServerPkiPaths ServerPkiPathsFor(const std::string& data_dir) {
  ServerPkiPaths p;
  p.tls_dir = data_dir + "/server/tls";
  auto tls = [&](const char* name) { return p.tls_dir + "/" + name; };
  p.server_ca_cert = tls("server-ca.crt");
  p.server_ca_key = tls("server-ca.key");
  p.client_ca_cert = tls("client-ca.crt");
  p.client_ca_key = tls("client-ca.key");
  p.serving_cert = tls("serving-kube-apiserver.crt");
  p.serving_key = tls("serving-kube-apiserver.key");
  p.admin_cert = tls("client-admin.crt");
  p.admin_key = tls("client-admin.key");
  p.service_key = tls("service.key");
  p.service_pub = tls("service.pub");
  p.token = data_dir + "/server/token";
  p.node_token = data_dir + "/server/node-token";
  return p;
}

Result<std::string> FirstServiceIp(const std::string& cidr) {
  auto bad = [&](const std::string& why) {
    return Fail(ErrorCode::kInvalid, "service CIDR \"" + cidr + "\" " + why);
  };
  auto slash = cidr.find('/');
  if (slash == std::string::npos) return bad("has no /prefix length");
  std::string addr = std::string(Trim(std::string_view(cidr).substr(0, slash)));
  std::string prefix_text = std::string(Trim(std::string_view(cidr).substr(slash + 1)));
  unsigned char buf[16];
  int family = AF_INET, bytes = 4;
  if (inet_pton(AF_INET, addr.c_str(), buf) != 1) {
    if (inet_pton(AF_INET6, addr.c_str(), buf) != 1) return bad("is not an IPv4 or IPv6 CIDR");
    family = AF_INET6;
    bytes = 16;
  }
  if (prefix_text.empty() || prefix_text.size() > 3 || prefix_text.find_first_not_of("0123456789") != std::string::npos) {
    return bad("has a bad prefix length");
  }
  int prefix = std::stoi(prefix_text);
  if (prefix > bytes * 8) return bad("has a prefix length longer than the address");
  if (prefix > bytes * 8 - 2) return bad("is too small to hold a service IP");
  for (int i = 0; i < bytes; ++i) {  // clear the host bits
    int keep = std::clamp(prefix - i * 8, 0, 8);
    buf[i] &= static_cast<unsigned char>(0xff << (8 - keep));
  }
  for (int i = bytes - 1; i >= 0; --i) {  // + 1, with carry (a /0 network starts at all zeros)
    if (++buf[i] != 0) break;
  }
  char out[INET6_ADDRSTRLEN];
  if (!inet_ntop(family, buf, out, sizeof out)) return bad("cannot be formatted");
  return std::string(out);
}

std::vector<std::string> HostAddresses() {
  std::vector<std::string> out;
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return out;
  for (ifaddrs* a = list; a; a = a->ifa_next) {
    if (!a->ifa_addr || !(a->ifa_flags & IFF_UP) || (a->ifa_flags & IFF_LOOPBACK)) continue;
    char buf[INET6_ADDRSTRLEN];
    if (a->ifa_addr->sa_family == AF_INET) {
      auto* in4 = reinterpret_cast<sockaddr_in*>(a->ifa_addr);
      if ((ntohl(in4->sin_addr.s_addr) >> 24) == 127) continue;
      if (!inet_ntop(AF_INET, &in4->sin_addr, buf, sizeof buf)) continue;
    } else if (a->ifa_addr->sa_family == AF_INET6) {
      auto* in6 = reinterpret_cast<sockaddr_in6*>(a->ifa_addr);
      if (IN6_IS_ADDR_LINKLOCAL(&in6->sin6_addr) || IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr)) continue;
      if (!inet_ntop(AF_INET6, &in6->sin6_addr, buf, sizeof buf)) continue;
    } else {
      continue;
    }
    out.emplace_back(buf);
  }
  freeifaddrs(list);
  SortUnique(out);
  return out;
}

Result<CertRequest> ServingCertRequest(const ServerPkiOptions& o) {
  CertRequest req;
  req.common_name = "kube-apiserver";
  req.usage = CertUsage::kServer;
  req.validity_days = kLeafValidityDays;
  std::string domain = o.cluster_domain.empty() ? "cluster.local" : o.cluster_domain;
  req.dns_names = {"localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc",
                   "kubernetes.default.svc." + domain};
  std::string node = Lower(o.node_name.empty() ? HostName() : o.node_name);
  if (!node.empty()) req.dns_names.push_back(node);
  req.ip_addresses = {"127.0.0.1", "::1"};
  for (const auto& cidr : Split(o.service_cidr, ',')) {
    if (Trim(cidr).empty()) continue;
    K1S_ASSIGN_OR_RETURN(std::string ip, FirstServiceIp(std::string(Trim(cidr))));
    req.ip_addresses.push_back(ip);
  }
  if (o.add_host_addresses) {
    for (auto& ip : HostAddresses()) req.ip_addresses.push_back(std::move(ip));
  }
  if (!o.advertise_address.empty()) {
    if (!IsIpAddress(o.advertise_address)) {
      return Fail(ErrorCode::kInvalid, "--advertise-address \"" + o.advertise_address + "\" is not an IP address");
    }
    req.ip_addresses.push_back(o.advertise_address);
  }
  for (const auto& raw : o.tls_sans) {
    std::string san(Trim(raw));
    if (san.empty()) continue;
    if (IsIpAddress(san)) {
      req.ip_addresses.push_back(san);
    } else {
      req.dns_names.push_back(Lower(san));
    }
  }
  for (auto& ip : req.ip_addresses) ip = CanonicalIp(ip);
  SortUnique(req.dns_names);
  SortUnique(req.ip_addresses);
  return req;
}

Result<ServerPki> EnsureServerPki(const ServerPkiOptions& o) {
  if (o.data_dir.empty()) return Fail(ErrorCode::kInvalid, "pki: no data dir");
  ServerPki out;
  out.paths = ServerPkiPathsFor(o.data_dir);
  const ServerPkiPaths& p = out.paths;
  K1S_TRY(MakeDirs(p.tls_dir, 0700));

  K1S_ASSIGN_OR_RETURN(out.server_ca, LoadOrCreateCa(p.server_ca_cert, p.server_ca_key, "k1s-server-ca", out.written));
  K1S_ASSIGN_OR_RETURN(out.client_ca, LoadOrCreateCa(p.client_ca_cert, p.client_ca_key, "k1s-client-ca", out.written));

  K1S_ASSIGN_OR_RETURN(CertRequest serving, ServingCertRequest(o));
  K1S_ASSIGN_OR_RETURN(out.serving, LoadOrIssue(p.serving_cert, p.serving_key, out.server_ca, serving, out.written));

  CertRequest admin;
  admin.common_name = "system:admin";
  admin.organizations = {"system:masters"};
  admin.usage = CertUsage::kClient;
  admin.validity_days = kLeafValidityDays;
  K1S_ASSIGN_OR_RETURN(out.admin, LoadOrIssue(p.admin_cert, p.admin_key, out.client_ca, admin, out.written));

  K1S_TRY(EnsureServiceAccountKey(p, out));
  K1S_TRY(EnsureToken(o, p, out));
  return out;
}

}  // namespace k1s::net
