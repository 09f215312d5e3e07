#include "lib/net/server_pki.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include "lib/base/files.h"
#include "lib/base/process.h"
#include "lib/net/kubeconfig.h"
#include "tests/testutil/temp_dir.h"

namespace k1s::net {
namespace {

bool Contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

int Mode(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? static_cast<int>(st.st_mode & 0777) : -1;
}

ServerPkiOptions Options(const testutil::TempDir& dir) {
  ServerPkiOptions o;
  o.data_dir = dir.File("data");
  o.node_name = "Test-Node";
  return o;
}

TEST(FirstServiceIpTest, IsTheNetworkAddressPlusOne) {
  EXPECT_EQ(*FirstServiceIp("10.43.0.0/16"), "10.43.0.1");
  EXPECT_EQ(*FirstServiceIp("10.43.5.7/16"), "10.43.0.1");
  EXPECT_EQ(*FirstServiceIp("192.168.1.0/24"), "192.168.1.1");
  EXPECT_EQ(*FirstServiceIp("172.16.0.0/12"), "172.16.0.1");
  EXPECT_EQ(*FirstServiceIp("10.0.0.0/30"), "10.0.0.1");
  EXPECT_EQ(*FirstServiceIp("2001:cafe:43::/112"), "2001:cafe:43::1");
  EXPECT_EQ(*FirstServiceIp("fd00:1:2:3:4:5:6:ffff/64"), "fd00:1:2:3::1");
}

TEST(FirstServiceIpTest, RejectsTextThatIsNotAUsableCidr) {
  for (const char* bad : {"10.43.0.0", "10.43.0.0/", "10.43.0.0/33", "10.43.0.0/31", "10.43.0.0/-1",
                          "10.43.0.0/1x", "banana/16", "", "2001:db8::/127"}) {
    auto r = FirstServiceIp(bad);
    EXPECT_FALSE(r.ok()) << bad << " gave " << (r.ok() ? *r : "");
    if (!r.ok()) {
      EXPECT_EQ(r.error().code, ErrorCode::kInvalid);
    }
  }
}

TEST(ServerPkiTest, ServingRequestHasTheKubernetesNamesAndSortsTlsSans) {
  testutil::TempDir dir;
  ServerPkiOptions o = Options(dir);
  o.add_host_addresses = false;
  o.service_cidr = "10.43.0.0/16,2001:cafe:43::/112";
  o.cluster_domain = "corp.local";
  o.tls_sans = {"203.0.113.9", "API.Example.com", "2001:db8::0:1", " ", "api.example.com"};
  auto req = ServingCertRequest(o);
  ASSERT_TRUE(req.ok()) << req.error().ToString();
  EXPECT_EQ(req->common_name, "kube-apiserver");
  EXPECT_EQ(req->usage, CertUsage::kServer);
  EXPECT_EQ(req->dns_names, (std::vector<std::string>{"api.example.com", "kubernetes", "kubernetes.default",
                                                      "kubernetes.default.svc", "kubernetes.default.svc.corp.local",
                                                      "localhost", "test-node"}));
  EXPECT_EQ(req->ip_addresses, (std::vector<std::string>{"10.43.0.1", "127.0.0.1", "2001:cafe:43::1", "2001:db8::1",
                                                         "203.0.113.9", "::1"}));
  o.service_cidr = "nonsense";
  EXPECT_FALSE(ServingCertRequest(o).ok());
}

TEST(ServerPkiTest, HostAddressesLeaveOutLoopback) {
  for (const auto& ip : HostAddresses()) {
    EXPECT_TRUE(IsIpAddress(ip)) << ip;
    EXPECT_NE(ip, "127.0.0.1");
    EXPECT_NE(ip, "::1");
  }
}

TEST(ServerPkiTest, FirstStartCreatesTheK3sLayout) {
  testutil::TempDir dir;
  auto pki = EnsureServerPki(Options(dir));
  ASSERT_TRUE(pki.ok()) << pki.error().ToString();
  const ServerPkiPaths& p = pki->paths;
  EXPECT_EQ(p.tls_dir, dir.File("data/server/tls"));
  EXPECT_EQ(Mode(p.tls_dir), 0700);
  for (const auto& key : {p.server_ca_key, p.client_ca_key, p.serving_key, p.admin_key, p.service_key}) {
    EXPECT_EQ(Mode(key), 0600) << key;
  }
  for (const auto& crt : {p.server_ca_cert, p.client_ca_cert, p.serving_cert, p.admin_cert, p.service_pub}) {
    EXPECT_EQ(Mode(crt), 0644) << crt;
  }
  EXPECT_EQ(Mode(p.token), 0600);
  EXPECT_EQ(pki->written.size(), 11u);  // 4 key/cert pairs, service.key, service.pub, token

  auto server_ca = ParseCertificate(pki->server_ca.cert_pem);
  ASSERT_TRUE(server_ca.ok());
  EXPECT_TRUE(server_ca->is_ca);
  EXPECT_EQ(server_ca->common_name.rfind("k1s-server-ca@", 0), 0u) << server_ca->common_name;
  EXPECT_EQ(ParseCertificate(pki->client_ca.cert_pem)->common_name.rfind("k1s-client-ca@", 0), 0u);
  EXPECT_EQ(*ReadFile(p.server_ca_cert), pki->server_ca.cert_pem);

  EXPECT_TRUE(VerifyCertificate(pki->server_ca.cert_pem, pki->serving.cert_pem).ok());
  EXPECT_FALSE(VerifyCertificate(pki->client_ca.cert_pem, pki->serving.cert_pem).ok());
  auto serving = ParseCertificate(pki->serving.cert_pem);
  ASSERT_TRUE(serving.ok());
  EXPECT_TRUE(serving->server_auth);
  EXPECT_FALSE(serving->client_auth);
  for (const char* dns : {"localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc",
                          "kubernetes.default.svc.cluster.local", "test-node"}) {
    EXPECT_TRUE(Contains(serving->dns_names, dns)) << dns;
  }
  for (const char* ip : {"127.0.0.1", "::1", "10.43.0.1"}) EXPECT_TRUE(Contains(serving->ip_addresses, ip)) << ip;
  for (const auto& ip : HostAddresses()) EXPECT_TRUE(Contains(serving->ip_addresses, ip)) << ip;

  EXPECT_TRUE(VerifyCertificate(pki->client_ca.cert_pem, pki->admin.cert_pem).ok());
  auto admin = ParseCertificate(pki->admin.cert_pem);
  ASSERT_TRUE(admin.ok());
  EXPECT_EQ(admin->common_name, "system:admin");
  EXPECT_EQ(admin->organizations, std::vector<std::string>{"system:masters"});
  EXPECT_TRUE(admin->client_auth);
  EXPECT_FALSE(admin->server_auth);

  EXPECT_EQ(*PublicKeyPem(pki->service_key_pem), pki->service_pub_pem);
  EXPECT_EQ(*ReadFile(p.service_pub), pki->service_pub_pem);

  // The token pins the CA by the sha256 of server-ca.crt's bytes, as an agent downloads them from /cacerts.
  EXPECT_EQ(*ReadFile(p.token), pki->token + "\n");
  auto token = ParseToken(pki->token);
  ASSERT_TRUE(token.ok());
  EXPECT_EQ(token->ca_hash, Sha256Hex(*ReadFile(p.server_ca_cert)));
  EXPECT_EQ(token->username, "server");
  EXPECT_EQ(token->password.size(), 32u);
  EXPECT_EQ(*ReadFile(p.node_token), pki->token + "\n");  // through the symlink
}

TEST(ServerPkiTest, SecondStartReusesEverything) {
  testutil::TempDir dir;
  auto first = EnsureServerPki(Options(dir));
  ASSERT_TRUE(first.ok()) << first.error().ToString();
  auto second = EnsureServerPki(Options(dir));
  ASSERT_TRUE(second.ok()) << second.error().ToString();
  EXPECT_TRUE(second->written.empty()) << second->written.front();
  EXPECT_EQ(second->server_ca.cert_pem, first->server_ca.cert_pem);
  EXPECT_EQ(second->server_ca.key_pem, first->server_ca.key_pem);
  EXPECT_EQ(second->client_ca.cert_pem, first->client_ca.cert_pem);
  EXPECT_EQ(second->serving.cert_pem, first->serving.cert_pem);
  EXPECT_EQ(second->admin.cert_pem, first->admin.cert_pem);
  EXPECT_EQ(second->service_key_pem, first->service_key_pem);
  EXPECT_EQ(second->token, first->token);
}

TEST(ServerPkiTest, NewTlsSanReissuesOnlyTheServingCertificate) {
  testutil::TempDir dir;
  auto first = EnsureServerPki(Options(dir));
  ASSERT_TRUE(first.ok());
  ServerPkiOptions o = Options(dir);
  o.tls_sans = {"k1s.example.com", "198.51.100.4"};
  auto second = EnsureServerPki(o);
  ASSERT_TRUE(second.ok()) << second.error().ToString();
  EXPECT_EQ(second->written, (std::vector<std::string>{first->paths.serving_key, first->paths.serving_cert}));
  EXPECT_NE(second->serving.cert_pem, first->serving.cert_pem);
  EXPECT_EQ(second->server_ca.cert_pem, first->server_ca.cert_pem);
  EXPECT_EQ(second->admin.cert_pem, first->admin.cert_pem);
  EXPECT_EQ(second->token, first->token);
  EXPECT_TRUE(VerifyCertificate(first->server_ca.cert_pem, second->serving.cert_pem).ok());
  auto info = ParseCertificate(second->serving.cert_pem);
  ASSERT_TRUE(info.ok());
  EXPECT_TRUE(Contains(info->dns_names, "k1s.example.com"));
  EXPECT_TRUE(Contains(info->ip_addresses, "198.51.100.4"));
  EXPECT_TRUE(Contains(info->dns_names, "kubernetes.default.svc"));

  auto third = EnsureServerPki(o);  // same SANs again: nothing to do
  ASSERT_TRUE(third.ok());
  EXPECT_TRUE(third->written.empty());
}

TEST(ServerPkiTest, CertificateNearExpiryIsReissued) {
  testutil::TempDir dir;
  auto first = EnsureServerPki(Options(dir));
  ASSERT_TRUE(first.ok());
  CertRequest admin;
  admin.common_name = "system:admin";
  admin.organizations = {"system:masters"};
  admin.usage = CertUsage::kClient;
  admin.validity_days = 30;
  auto short_lived = IssueCertificate(first->client_ca, admin);
  ASSERT_TRUE(short_lived.ok());
  ASSERT_TRUE(WriteFileAtomic(first->paths.admin_cert, short_lived->cert_pem, 0644).ok());
  ASSERT_TRUE(WriteFileAtomic(first->paths.admin_key, short_lived->key_pem, 0600).ok());
  auto second = EnsureServerPki(Options(dir));
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->written, (std::vector<std::string>{first->paths.admin_key, first->paths.admin_cert}));
  EXPECT_GT(ParseCertificate(second->admin.cert_pem)->not_after_unix, std::time(nullptr) + 300 * 86400);
}

TEST(ServerPkiTest, TokenGivenOnFirstStartIsKeptAndADifferentOneLaterIsRefused) {
  testutil::TempDir dir;
  ServerPkiOptions o = Options(dir);
  o.token = "my-secret";
  auto first = EnsureServerPki(o);
  ASSERT_TRUE(first.ok()) << first.error().ToString();
  EXPECT_EQ(first->token, FormatServerToken(first->server_ca.cert_pem, "my-secret"));

  auto same_short = EnsureServerPki(o);
  ASSERT_TRUE(same_short.ok());
  o.token = first->token;  // the full form works too
  ASSERT_TRUE(EnsureServerPki(o).ok());
  o.token = "";  // and so does none
  ASSERT_TRUE(EnsureServerPki(o).ok());

  o.token = "another-secret";
  auto refused = EnsureServerPki(o);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kInvalid);
  EXPECT_NE(refused.error().message.find("--token does not match"), std::string::npos) << refused.error().message;
  EXPECT_NE(refused.error().message.find(first->paths.token), std::string::npos);

  o.token = "K10" + std::string(64, '0') + "::server:my-secret";
  auto wrong_ca = EnsureServerPki(o);
  ASSERT_FALSE(wrong_ca.ok());
  EXPECT_NE(wrong_ca.error().message.find("CA hash"), std::string::npos) << wrong_ca.error().message;
  EXPECT_EQ(*ReadFile(first->paths.token), first->token + "\n");
}

TEST(ServerPkiTest, CaCertificateWithoutItsKeyIsAnErrorNotANewCa) {
  testutil::TempDir dir;
  auto first = EnsureServerPki(Options(dir));
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(::unlink(first->paths.server_ca_key.c_str()), 0);
  auto r = EnsureServerPki(Options(dir));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalid);
  EXPECT_NE(r.error().message.find("server-ca.key is missing"), std::string::npos) << r.error().message;
  EXPECT_EQ(*ReadFile(first->paths.server_ca_cert), first->server_ca.cert_pem);
}

TEST(ServerPkiTest, NewServerCaReissuesServingCertificateAndRewritesTokenHash) {
  testutil::TempDir dir;
  auto first = EnsureServerPki(Options(dir));
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(::unlink(first->paths.server_ca_cert.c_str()), 0);  // as after a crash before the cert was written
  auto second = EnsureServerPki(Options(dir));
  ASSERT_TRUE(second.ok()) << second.error().ToString();
  EXPECT_NE(second->server_ca.cert_pem, first->server_ca.cert_pem);
  EXPECT_TRUE(VerifyCertificate(second->server_ca.cert_pem, second->serving.cert_pem).ok());
  EXPECT_EQ(second->admin.cert_pem, first->admin.cert_pem);  // other CA, untouched
  EXPECT_EQ(ParseToken(second->token)->password, ParseToken(first->token)->password);
  EXPECT_EQ(ParseToken(second->token)->ca_hash, Sha256Hex(*ReadFile(second->paths.server_ca_cert)));
}

TEST(ServerPkiTest, RealOpensslAndKubectlAcceptTheGeneratedFiles) {
  if (FindInPath("openssl").empty()) GTEST_SKIP() << "openssl CLI not installed";
  testutil::TempDir dir;
  ServerPkiOptions o = Options(dir);
  o.tls_sans = {"k1s.example.com"};
  auto pki = EnsureServerPki(o);
  ASSERT_TRUE(pki.ok());
  const ServerPkiPaths& p = pki->paths;
  std::string out = dir.File("out.txt");
  auto run = [&](const std::string& cmd) { return std::system((cmd + " > " + out + " 2>&1").c_str()); };
  EXPECT_EQ(run("openssl verify -purpose sslserver -CAfile " + p.server_ca_cert + " " + p.serving_cert), 0)
      << *ReadFile(out);
  EXPECT_EQ(run("openssl verify -purpose sslclient -CAfile " + p.client_ca_cert + " " + p.admin_cert), 0)
      << *ReadFile(out);
  EXPECT_NE(run("openssl verify -CAfile " + p.client_ca_cert + " " + p.serving_cert), 0);
  ASSERT_EQ(run("openssl x509 -noout -text -in " + p.serving_cert), 0);
  std::string text = *ReadFile(out);
  EXPECT_NE(text.find("DNS:k1s.example.com"), std::string::npos) << text;
  EXPECT_NE(text.find("IP Address:10.43.0.1"), std::string::npos) << text;
  ASSERT_EQ(run("openssl pkey -pubin -in " + p.service_pub + " -noout -text"), 0) << *ReadFile(out);
  EXPECT_NE(ReadFile(out)->find("P-256"), std::string::npos) << *ReadFile(out);

  if (FindInPath("kubectl").empty()) GTEST_SKIP() << "kubectl not installed";
  std::string kubeconfig = dir.File("k1s.yaml");
  ASSERT_TRUE(WriteKubeconfig(kubeconfig,
                              RenderKubeconfig("https://127.0.0.1:6443", pki->server_ca.cert_pem,
                                               pki->admin.cert_pem, pki->admin.key_pem),
                              0600)
                  .ok());
  ASSERT_EQ(std::system(("kubectl config view --kubeconfig " + kubeconfig +
                         " --raw -o jsonpath='{.clusters[0].cluster.server}' > " + out)
                            .c_str()),
            0);
  EXPECT_EQ(*ReadFile(out), "https://127.0.0.1:6443");
}

}  // namespace
}  // namespace k1s::net
