#include "lib/net/pki.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "lib/base/files.h"
#include "lib/base/process.h"
#include "lib/net/kubeconfig.h"
#include "tests/testutil/temp_dir.h"

namespace k1s::net {
namespace {

TEST(PkiTest, IssuedCertificateVerifiesAgainstItsCaOnly) {
  auto ca = CreateSelfSignedCa("k1s-server-ca@1", 3650);
  ASSERT_TRUE(ca.ok()) << ca.error().ToString();
  auto other = CreateSelfSignedCa("other-ca", 10);
  ASSERT_TRUE(other.ok());
  CertRequest req;
  req.common_name = "kube-apiserver";
  req.dns_names = {"localhost", "kubernetes.default.svc"};
  req.ip_addresses = {"127.0.0.1", "10.43.0.1", "::1"};
  auto cert = IssueCertificate(*ca, req);
  ASSERT_TRUE(cert.ok()) << cert.error().ToString();
  EXPECT_TRUE(VerifyCertificate(ca->cert_pem, cert->cert_pem).ok());
  auto wrong = VerifyCertificate(other->cert_pem, cert->cert_pem);
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code, ErrorCode::kUnauthorized);
}

TEST(PkiTest, SubjectAndSansRoundTrip) {
  auto ca = CreateSelfSignedCa("client-ca", 3650);
  ASSERT_TRUE(ca.ok());
  CertRequest req;
  req.common_name = "system:admin";
  req.organizations = {"system:masters"};
  req.usage = CertUsage::kClient;
  req.ip_addresses = {"192.0.2.7"};
  req.dns_names = {"node1"};
  auto cert = IssueCertificate(*ca, req);
  ASSERT_TRUE(cert.ok());
  auto info = ParseCertificate(cert->cert_pem);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->common_name, "system:admin");
  EXPECT_EQ(info->organizations, std::vector<std::string>{"system:masters"});
  EXPECT_EQ(info->dns_names, std::vector<std::string>{"node1"});
  EXPECT_EQ(info->ip_addresses, std::vector<std::string>{"192.0.2.7"});
  EXPECT_FALSE(info->is_ca);
  EXPECT_TRUE(ParseCertificate(ca->cert_pem)->is_ca);
}

TEST(PkiTest, BadInputIsAnErrorNotACrash) {
  EXPECT_FALSE(ParseCertificate("not a pem").ok());
  auto ca = CreateSelfSignedCa("ca", 1);
  CertRequest req;
  req.common_name = "x";
  req.ip_addresses = {"999.1.1.1"};
  auto cert = IssueCertificate(*ca, req);
  ASSERT_FALSE(cert.ok());
  EXPECT_EQ(cert.error().code, ErrorCode::kInvalid);
}

TEST(PkiTest, ServerTokenHasK3sFormat) {
  std::string ca = "-----BEGIN CERTIFICATE-----\nabc\n-----END CERTIFICATE-----\n";
  std::string token = FormatServerToken(ca, "s3cret");
  EXPECT_EQ(token.substr(0, 3), "K10");
  auto parsed = ParseToken(token);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->ca_hash, Sha256Hex(ca));
  EXPECT_EQ(parsed->username, "server");
  EXPECT_EQ(parsed->password, "s3cret");
  auto short_form = ParseToken("justasecret");
  ASSERT_TRUE(short_form.ok());
  EXPECT_EQ(short_form->password, "justasecret");
  EXPECT_TRUE(short_form->ca_hash.empty());
  EXPECT_FALSE(ParseToken("K10abc::server:x").ok());
  EXPECT_FALSE(ParseToken("").ok());
  EXPECT_EQ(RandomHex(16).size(), 32u);
}

TEST(PkiTest, OpensslCliAgreesWithOurCertificates) {
  if (FindInPath("openssl").empty()) GTEST_SKIP() << "openssl CLI not installed";
  testutil::TempDir dir;
  auto ca = CreateSelfSignedCa("k1s-server-ca", 3650);
  CertRequest req;
  req.common_name = "kube-apiserver";
  req.dns_names = {"localhost"};
  req.ip_addresses = {"127.0.0.1"};
  auto cert = IssueCertificate(*ca, req);
  ASSERT_TRUE(cert.ok());
  ASSERT_TRUE(WriteFileAtomic(dir.File("ca.crt"), ca->cert_pem).ok());
  ASSERT_TRUE(WriteFileAtomic(dir.File("server.crt"), cert->cert_pem).ok());
  ASSERT_TRUE(WriteFileAtomic(dir.File("server.key"), cert->key_pem).ok());
  std::string cmd = "openssl verify -purpose sslserver -CAfile " + dir.File("ca.crt") + " " + dir.File("server.crt") +
                    " >/dev/null && openssl pkey -in " + dir.File("server.key") + " -noout";
  EXPECT_EQ(std::system(cmd.c_str()), 0);
}

}  // namespace
}  // namespace k1s::net

namespace k1s::net {
namespace {

TEST(KubeconfigTest, RealKubectlReadsOurKubeconfig) {
  testutil::TempDir dir;
  auto ca = CreateSelfSignedCa("ca", 10);
  CertRequest req;
  req.common_name = "system:admin";
  req.organizations = {"system:masters"};
  req.usage = CertUsage::kClient;
  auto admin = IssueCertificate(*ca, req);
  ASSERT_TRUE(admin.ok());
  std::string path = dir.File("etc/k1s/k1s.yaml");
  ASSERT_TRUE(WriteKubeconfig(path, RenderKubeconfig("https://127.0.0.1:6443", ca->cert_pem, admin->cert_pem,
                                                     admin->key_pem), 0600)
                  .ok());
  if (FindInPath("kubectl").empty()) GTEST_SKIP() << "kubectl not installed";
  std::string out = dir.File("out.txt");
  std::string cmd = "kubectl config view --kubeconfig " + path +
                    " --raw -o jsonpath='{.clusters[0].cluster.server} {.current-context}' > " + out;
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  EXPECT_EQ(*ReadFile(out), "https://127.0.0.1:6443 default");
}

}  // namespace
}  // namespace k1s::net
