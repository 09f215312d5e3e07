#include "server/server.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <set>

#include "datastore/sqlite/sqlite_store.h"
#include "lib/base/files.h"
#include "lib/base/log.h"
#include "lib/base/strings.h"
#include "lib/net/http_server.h"
#include "lib/net/kubeconfig.h"
#include "lib/net/pki.h"
#include "server/apiserver/apiserver.h"
#include "server/registry/resources.h"

namespace k1s::server {
namespace {

constexpr char kComponent[] = "server";

Result<std::string> FirstServiceIpImpl(const std::string& cidr) {
  auto slash = cidr.find('/');
  in_addr addr{};
  if (slash == std::string::npos || inet_pton(AF_INET, cidr.substr(0, slash).c_str(), &addr) != 1) {
    return Fail(ErrorCode::kInvalid, "service CIDR \"" + cidr + "\" is not an IPv4 CIDR");
  }
  uint32_t ip = ntohl(addr.s_addr) + 1;
  addr.s_addr = htonl(ip);
  char buf[INET_ADDRSTRLEN];
  inet_ntop(AF_INET, &addr, buf, sizeof buf);
  return std::string(buf);
}

bool IsIp(const std::string& s) {
  unsigned char buf[16];
  return inet_pton(AF_INET, s.c_str(), buf) == 1 || inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

std::vector<std::string> HostIps() {
  std::vector<std::string> out;
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return out;
  for (ifaddrs* a = list; a; a = a->ifa_next) {
    if (!a->ifa_addr) continue;
    char buf[INET6_ADDRSTRLEN];
    if (a->ifa_addr->sa_family == AF_INET) {
      inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(a->ifa_addr)->sin_addr, buf, sizeof buf);
    } else if (a->ifa_addr->sa_family == AF_INET6) {
      auto* in6 = reinterpret_cast<sockaddr_in6*>(a->ifa_addr);
      if (IN6_IS_ADDR_LINKLOCAL(&in6->sin6_addr)) continue;
      inet_ntop(AF_INET6, &in6->sin6_addr, buf, sizeof buf);
    } else {
      continue;
    }
    out.emplace_back(buf);
  }
  freeifaddrs(list);
  return out;
}

struct Pki {
  net::CertBundle server_ca, client_ca, serving, admin;
  std::string token;
};

Result<net::CertBundle> LoadOrCreateCa(const std::string& dir, const std::string& name, const std::string& cn) {
  std::string crt = dir + "/" + name + ".crt", key = dir + "/" + name + ".key";
  if (PathExists(crt) && PathExists(key)) {
    net::CertBundle b;
    K1S_ASSIGN_OR_RETURN(b.cert_pem, ReadFile(crt));
    K1S_ASSIGN_OR_RETURN(b.key_pem, ReadFile(key));
    return b;
  }
  K1S_ASSIGN_OR_RETURN(net::CertBundle b, net::CreateSelfSignedCa(cn + "@" + std::to_string(std::time(nullptr)), 3650));
  K1S_TRY(WriteFileAtomic(key, b.key_pem, 0600));
  K1S_TRY(WriteFileAtomic(crt, b.cert_pem, 0644));
  K1S_LOG(kInfo, kComponent) << "generated " << crt;
  return b;
}

// Issues dir/name.crt unless it exists with the same subject alternative names.
Result<net::CertBundle> LoadOrIssue(const std::string& dir, const std::string& name, const net::CertBundle& ca,
                                    const net::CertRequest& req) {
  std::string crt = dir + "/" + name + ".crt", key = dir + "/" + name + ".key";
  if (PathExists(crt) && PathExists(key)) {
    net::CertBundle b;
    K1S_ASSIGN_OR_RETURN(b.cert_pem, ReadFile(crt));
    K1S_ASSIGN_OR_RETURN(b.key_pem, ReadFile(key));
    auto info = net::ParseCertificate(b.cert_pem);
    std::set<std::string> want(req.dns_names.begin(), req.dns_names.end()), have;
    want.insert(req.ip_addresses.begin(), req.ip_addresses.end());
    if (info.ok()) {
      have.insert(info->dns_names.begin(), info->dns_names.end());
      have.insert(info->ip_addresses.begin(), info->ip_addresses.end());
    }
    if (info.ok() && have == want && net::VerifyCertificate(ca.cert_pem, b.cert_pem).ok()) return b;
    K1S_LOG(kInfo, kComponent) << "re-issuing " << crt << " (names changed or it expired)";
  }
  K1S_ASSIGN_OR_RETURN(net::CertBundle b, net::IssueCertificate(ca, req));
  K1S_TRY(WriteFileAtomic(key, b.key_pem, 0600));
  K1S_TRY(WriteFileAtomic(crt, b.cert_pem, 0644));
  return b;
}

Result<Pki> EnsurePki(const ServerOptions& o) {
  std::string tls = o.data_dir + "/server/tls";
  K1S_TRY(MakeDirs(tls, 0700));
  Pki pki;
  K1S_ASSIGN_OR_RETURN(pki.server_ca, LoadOrCreateCa(tls, "server-ca", "k1s-server-ca"));
  K1S_ASSIGN_OR_RETURN(pki.client_ca, LoadOrCreateCa(tls, "client-ca", "k1s-client-ca"));
  if (!PathExists(tls + "/service.key")) {
    K1S_ASSIGN_OR_RETURN(std::string sa_key, net::GenerateEcKeyPem());
    K1S_TRY(WriteFileAtomic(tls + "/service.key", sa_key, 0600));
  }
  net::CertRequest serving;
  serving.common_name = "kube-apiserver";
  char host[256] = {0};
  ::gethostname(host, sizeof host - 1);
  std::vector<std::string> dns = {"localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc",
                                  "kubernetes.default.svc." + o.cluster_domain};
  if (host[0]) dns.emplace_back(host);
  std::vector<std::string> ips = {"127.0.0.1", "::1"};
  K1S_ASSIGN_OR_RETURN(std::string service_ip, FirstServiceIpImpl(o.service_cidr));
  ips.push_back(service_ip);
  for (const auto& ip : HostIps()) ips.push_back(ip);
  if (!o.advertise_address.empty()) ips.push_back(o.advertise_address);
  for (const auto& san : o.tls_san) (IsIp(san) ? ips : dns).push_back(san);
  std::sort(dns.begin(), dns.end());
  dns.erase(std::unique(dns.begin(), dns.end()), dns.end());
  std::sort(ips.begin(), ips.end());
  ips.erase(std::unique(ips.begin(), ips.end()), ips.end());
  serving.dns_names = dns;
  serving.ip_addresses = ips;
  serving.validity_days = 365;
  K1S_ASSIGN_OR_RETURN(pki.serving, LoadOrIssue(tls, "serving-kube-apiserver", pki.server_ca, serving));
  net::CertRequest admin;
  admin.common_name = "system:admin";
  admin.organizations = {"system:masters"};
  admin.usage = net::CertUsage::kClient;
  admin.validity_days = 365;
  K1S_ASSIGN_OR_RETURN(pki.admin, LoadOrIssue(tls, "client-admin", pki.client_ca, admin));

  // The server token, k3s style; a different --token than the stored one is refused.
  std::string token_path = o.data_dir + "/server/token";
  if (PathExists(token_path)) {
    K1S_ASSIGN_OR_RETURN(std::string stored, ReadFile(token_path));
    pki.token = std::string(Trim(stored));
    if (!o.token.empty()) {
      auto given = net::ParseToken(o.token);
      auto have = net::ParseToken(pki.token);
      if (!given.ok() || !have.ok() || given->password != have->password) {
        return Fail(ErrorCode::kInvalid, "--token does not match the token this server was started with (" +
                                             token_path + "); use the stored token or a new --data-dir");
      }
    }
  } else {
    std::string secret = o.token.empty() ? net::RandomHex(16) : o.token;
    if (auto parsed = net::ParseToken(secret); parsed.ok()) secret = parsed->password;
    pki.token = net::FormatServerToken(pki.server_ca.cert_pem, secret);
    K1S_TRY(WriteFileAtomic(token_path, pki.token + "\n", 0600));
  }
  return pki;
}

}  // namespace

Result<std::string> FirstServiceIp(const std::string& cidr) { return FirstServiceIpImpl(cidr); }

int Run(const ServerOptions& o) {
  auto t0 = std::chrono::steady_clock::now();
  // Signals are taken by sigwait() below; block them before any thread starts.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  ::signal(SIGPIPE, SIG_IGN);

  K1S_LOG(kInfo, kComponent) << "starting k1s " << o.version << " (" << o.git_commit << "), data dir " << o.data_dir;
  if (auto s = MakeDirs(o.data_dir + "/server/db", 0700); !s.ok()) {
    K1S_LOG(kError, kComponent) << "cannot create the data dir: " << s.error().message;
    return 1;
  }
  auto pki = EnsurePki(o);
  if (!pki.ok()) {
    K1S_LOG(kError, kComponent) << "certificates: " << pki.error().message;
    return 1;
  }
  datastore::SqliteOptions so;
  so.path = o.data_dir + "/server/db/state.db";
  so.synchronous_full = o.synchronous_full;
  auto store = datastore::SqliteStore::Open(so);
  if (!store.ok()) {
    K1S_LOG(kError, kComponent) << store.error().message;
    return 1;
  }
  apiserver::ApiServerOptions ao;
  ao.version = o.version;
  ao.git_commit = o.git_commit;
  ao.service_cidr = o.service_cidr;
  ao.service_node_port_range = o.service_node_port_range;
  ao.https_port = o.https_listen_port;
  apiserver::ApiServer api(**store, registry::BuiltinResources(), ao);
  if (auto s = api.EnsureSystemNamespaces(); !s.ok()) {
    K1S_LOG(kError, kComponent) << "creating system namespaces: " << s.error().message;
    return 1;
  }
  net::HttpServerOptions ho;
  ho.bind_address = o.bind_address;
  ho.port = o.https_listen_port;
  ho.cert_pem = pki->serving.cert_pem + pki->server_ca.cert_pem;
  ho.key_pem = pki->serving.key_pem;
  ho.client_ca_pem = pki->client_ca.cert_pem;
  auto http = net::HttpServer::Start(ho, [&api](net::HttpRequest& req, net::HttpResponder& resp) { api.Handle(req, resp); });
  if (!http.ok()) {
    K1S_LOG(kError, kComponent) << http.error().message;
    (*store)->Close();
    return 1;
  }
  std::string url = "https://127.0.0.1:" + std::to_string((*http)->port());
  std::string kubeconfig = o.write_kubeconfig;
  auto written = net::WriteKubeconfig(
      kubeconfig, net::RenderKubeconfig(url, pki->server_ca.cert_pem, pki->admin.cert_pem, pki->admin.key_pem),
      o.write_kubeconfig_mode);
  if (!written.ok()) {
    K1S_LOG(kError, kComponent) << "writing the kubeconfig: " << written.error().message;
    (*http)->Stop();
    (*store)->Close();
    return 1;
  }
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
  K1S_LOG(kInfo, kComponent) << "API server listening on https://" << o.bind_address << ":" << (*http)->port();
  K1S_LOG(kInfo, kComponent) << "ready in " << ms << " ms; admin kubeconfig written to " << kubeconfig;
  K1S_LOG(kInfo, kComponent) << "try: kubectl --kubeconfig " << kubeconfig << " get namespaces   (or: k1s kubectl get ns)";
  K1S_LOG(kInfo, kComponent) << "node join token is in " << o.data_dir << "/server/token";

  int sig = 0;
  sigwait(&signals, &sig);
  K1S_LOG(kInfo, kComponent) << "received " << (sig == SIGINT ? "SIGINT" : "SIGTERM") << ", shutting down";
  (*http)->Stop();
  (*store)->Close();
  K1S_LOG(kInfo, kComponent) << "stopped";
  return 0;
}

}  // namespace k1s::server
