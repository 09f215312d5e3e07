#include "lib/net/pki.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "lib/base/files.h"
#include "lib/base/process.h"
#include "tests/testutil/temp_dir.h"

namespace k1s::net {
namespace {

CertBundle MustCa(const std::string& cn) {
  auto ca = CreateSelfSignedCa(cn, 3650);
  EXPECT_TRUE(ca.ok()) << ca.error().ToString();
  return ca.ok() ? *ca : CertBundle{};
}

TEST(PkiTest, IssuedCertificateVerifiesAgainstItsCaOnly) {
  CertBundle ca = MustCa("k1s-server-ca@1");
  CertBundle other = MustCa("other-ca");
  CertRequest req;
  req.common_name = "kube-apiserver";
  req.dns_names = {"localhost", "kubernetes.default.svc"};
  req.ip_addresses = {"127.0.0.1", "10.43.0.1", "::1"};
  auto cert = IssueCertificate(ca, req);
  ASSERT_TRUE(cert.ok()) << cert.error().ToString();
  EXPECT_TRUE(VerifyCertificate(ca.cert_pem, cert->cert_pem).ok());
  auto wrong = VerifyCertificate(other.cert_pem, cert->cert_pem);
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code, ErrorCode::kUnauthorized);
  EXPECT_NE(wrong.error().message.find("not trusted"), std::string::npos) << wrong.error().message;
}

TEST(PkiTest, VerificationAcceptsACaBundleHoldingTheIssuer) {
  CertBundle ca = MustCa("ca-a");
  CertBundle other = MustCa("ca-b");
  CertRequest req;
  req.common_name = "leaf";
  auto cert = IssueCertificate(ca, req);
  ASSERT_TRUE(cert.ok());
  EXPECT_TRUE(VerifyCertificate(other.cert_pem + ca.cert_pem, cert->cert_pem).ok());
  auto empty = VerifyCertificate("no pem here", cert->cert_pem);
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().code, ErrorCode::kInvalid);
}

TEST(PkiTest, SubjectSansAndUsageRoundTripThroughParse) {
  CertBundle ca = MustCa("client-ca");
  CertRequest req;
  req.common_name = "system:admin";
  req.organizations = {"system:masters", "k1s:extra"};
  req.usage = CertUsage::kClient;
  req.ip_addresses = {"192.0.2.7", "2001:db8:0:0::1"};
  req.dns_names = {"node1", "*.apps.example.com"};
  auto cert = IssueCertificate(ca, req);
  ASSERT_TRUE(cert.ok()) << cert.error().ToString();
  auto info = ParseCertificate(cert->cert_pem);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->common_name, "system:admin");
  EXPECT_EQ(info->organizations, (std::vector<std::string>{"system:masters", "k1s:extra"}));
  EXPECT_EQ(info->issuer_common_name, "client-ca");
  EXPECT_EQ(info->dns_names, (std::vector<std::string>{"node1", "*.apps.example.com"}));
  EXPECT_EQ(info->ip_addresses, (std::vector<std::string>{"192.0.2.7", "2001:db8::1"}));
  EXPECT_FALSE(info->is_ca);
  EXPECT_TRUE(info->client_auth);
  EXPECT_FALSE(info->server_auth);
  int64_t now = std::time(nullptr);
  EXPECT_LE(info->not_before_unix, now);
  EXPECT_NEAR(static_cast<double>(info->not_after_unix), static_cast<double>(now + 365 * 86400), 120.0);

  auto ca_info = ParseCertificate(ca.cert_pem);
  ASSERT_TRUE(ca_info.ok());
  EXPECT_TRUE(ca_info->is_ca);
  EXPECT_EQ(ca_info->common_name, "client-ca");
  EXPECT_EQ(ca_info->issuer_common_name, "client-ca");
}

TEST(PkiTest, BothUsageSetsServerAndClientAuth) {
  CertBundle ca = MustCa("ca");
  CertRequest req;
  req.common_name = "node";
  req.usage = CertUsage::kBoth;
  auto info = ParseCertificate(IssueCertificate(ca, req)->cert_pem);
  ASSERT_TRUE(info.ok());
  EXPECT_TRUE(info->server_auth);
  EXPECT_TRUE(info->client_auth);
}

TEST(PkiTest, BadInputIsAnErrorNotACrash) {
  EXPECT_FALSE(ParseCertificate("not a pem").ok());
  CertBundle ca = MustCa("ca");
  CertRequest req;
  req.common_name = "x";
  req.ip_addresses = {"999.1.1.1"};
  auto cert = IssueCertificate(ca, req);
  ASSERT_FALSE(cert.ok());
  EXPECT_EQ(cert.error().code, ErrorCode::kInvalid);

  CertRequest injected;
  injected.common_name = "x";
  injected.dns_names = {"good.example,IP:1.2.3.4"};
  auto bad_dns = IssueCertificate(ca, injected);
  ASSERT_FALSE(bad_dns.ok());
  EXPECT_EQ(bad_dns.error().code, ErrorCode::kInvalid);

  CertRequest no_name;
  auto unnamed = IssueCertificate(ca, no_name);
  ASSERT_FALSE(unnamed.ok());
  EXPECT_EQ(unnamed.error().code, ErrorCode::kInvalid);

  CertBundle mismatched{ca.cert_pem, MustCa("other").key_pem};
  auto wrong_key = IssueCertificate(mismatched, req);
  ASSERT_FALSE(wrong_key.ok());
  EXPECT_NE(wrong_key.error().message.find("does not belong"), std::string::npos);

  auto garbage_key = IssueCertificate(CertBundle{ca.cert_pem, "garbage"}, req);
  ASSERT_FALSE(garbage_key.ok());
  EXPECT_NE(garbage_key.error().message.find("reading private key"), std::string::npos)
      << garbage_key.error().message;
}

TEST(PkiTest, KeysAreP256AndPublicHalvesMatch) {
  auto key = GenerateEcKeyPem();
  ASSERT_TRUE(key.ok());
  EXPECT_NE(key->find("-----BEGIN PRIVATE KEY-----"), std::string::npos);
  auto pub = PublicKeyPem(*key);
  ASSERT_TRUE(pub.ok());
  EXPECT_NE(pub->find("-----BEGIN PUBLIC KEY-----"), std::string::npos);
  EXPECT_EQ(*PublicKeyPem(*key), *pub);
  EXPECT_NE(*PublicKeyPem(*GenerateEcKeyPem()), *pub);

  CertBundle ca = MustCa("ca");
  EXPECT_TRUE(CheckKeyMatchesCertificate(ca.cert_pem, ca.key_pem).ok());
  auto mismatch = CheckKeyMatchesCertificate(ca.cert_pem, *key);
  ASSERT_FALSE(mismatch.ok());
  EXPECT_EQ(mismatch.error().code, ErrorCode::kInvalid);
}

TEST(PkiTest, ServerTokenHasK3sFormatWithTheHashOfTheCaFileBytes) {
  std::string ca = "-----BEGIN CERTIFICATE-----\nabc\n-----END CERTIFICATE-----\n";
  std::string token = FormatServerToken(ca, "s3cret");
  // sha256 of the PEM text itself, as k3s hashes the /cacerts bundle bytes.
  EXPECT_EQ(token, "K10" + Sha256Hex(ca) + "::server:s3cret");
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  auto parsed = ParseToken(token);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->ca_hash, Sha256Hex(ca));
  EXPECT_EQ(parsed->username, "server");
  EXPECT_EQ(parsed->password, "s3cret");
}

TEST(PkiTest, ParseTokenAcceptsShortAndFullFormsAndRejectsMalformedOnes) {
  auto short_form = ParseToken("justasecret\n");
  ASSERT_TRUE(short_form.ok());
  EXPECT_EQ(short_form->password, "justasecret");
  EXPECT_TRUE(short_form->ca_hash.empty());
  EXPECT_TRUE(short_form->username.empty());

  std::string hash(64, 'a');
  auto node = ParseToken("K10" + hash + "::node:pw:with:colons");
  ASSERT_TRUE(node.ok());
  EXPECT_EQ(node->username, "node");
  EXPECT_EQ(node->password, "pw:with:colons");

  auto no_hash = ParseToken("K10::server:pw");
  ASSERT_TRUE(no_hash.ok());
  EXPECT_TRUE(no_hash->ca_hash.empty());
  EXPECT_EQ(no_hash->password, "pw");

  for (const std::string& bad : {std::string(""), std::string("  "), std::string("K10abc::server:x"),
                                "K10" + hash, "K10" + hash + "::nocolon", "K10" + hash + "::server:",
                                "K10" + hash + "::" + ":pw", "K10" + std::string(64, 'G') + "::server:x"}) {
    auto r = ParseToken(bad);
    EXPECT_FALSE(r.ok()) << "accepted \"" << bad << "\"";
    if (!r.ok()) {
      EXPECT_EQ(r.error().code, ErrorCode::kInvalid);
    }
  }
}

TEST(PkiTest, RandomHexHasTheRequestedLengthAndVaries) {
  EXPECT_EQ(RandomHex(16).size(), 32u);
  EXPECT_EQ(RandomHex(16).find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_NE(RandomHex(16), RandomHex(16));
  EXPECT_EQ(RandomHex(0), "");
  EXPECT_TRUE(IsIpAddress("10.0.0.1"));
  EXPECT_TRUE(IsIpAddress("fe80::1"));
  EXPECT_FALSE(IsIpAddress("example.com"));
}

// Runs a shell command, returning its exit code and stdout.
std::pair<int, std::string> RunShell(const std::string& cmd, const testutil::TempDir& dir) {
  std::string out = dir.File("cmd.out");
  int rc = std::system((cmd + " > " + out + " 2>&1").c_str());
  auto text = ReadFile(out);
  return {rc, text.ok() ? *text : ""};
}

TEST(PkiTest, OpensslCliAgreesWithOurCertificates) {
  if (FindInPath("openssl").empty()) GTEST_SKIP() << "openssl CLI not installed";
  testutil::TempDir dir;
  CertBundle ca = MustCa("k1s-server-ca");
  CertBundle other = MustCa("other-ca");
  CertRequest req;
  req.common_name = "kube-apiserver";
  req.dns_names = {"localhost", "kubernetes.default.svc.cluster.local"};
  req.ip_addresses = {"127.0.0.1", "10.43.0.1", "::1"};
  auto cert = IssueCertificate(ca, req);
  ASSERT_TRUE(cert.ok());
  ASSERT_TRUE(WriteFileAtomic(dir.File("ca.crt"), ca.cert_pem).ok());
  ASSERT_TRUE(WriteFileAtomic(dir.File("other.crt"), other.cert_pem).ok());
  ASSERT_TRUE(WriteFileAtomic(dir.File("server.crt"), cert->cert_pem).ok());
  ASSERT_TRUE(WriteFileAtomic(dir.File("server.key"), cert->key_pem).ok());

  auto [rc, out] = RunShell("openssl verify -purpose sslserver -CAfile " + dir.File("ca.crt") + " " + dir.File("server.crt"),
                       dir);
  EXPECT_EQ(rc, 0) << out;
  auto [rc_other, out_other] = RunShell("openssl verify -CAfile " + dir.File("other.crt") + " " + dir.File("server.crt"), dir);
  EXPECT_NE(rc_other, 0) << out_other;
  auto [rc_client, out_client] =
      RunShell("openssl verify -purpose sslclient -CAfile " + dir.File("ca.crt") + " " + dir.File("server.crt"), dir);
  EXPECT_NE(rc_client, 0) << "a server-only certificate passed as a client certificate";
  EXPECT_EQ(RunShell("openssl pkey -in " + dir.File("server.key") + " -noout", dir).first, 0);

  auto [rc_text, text] = RunShell("openssl x509 -noout -text -in " + dir.File("server.crt"), dir);
  ASSERT_EQ(rc_text, 0) << text;
  for (const char* want : {"ecdsa-with-SHA256", "prime256v1", "CA:FALSE", "TLS Web Server Authentication",
                           "DNS:localhost", "DNS:kubernetes.default.svc.cluster.local", "IP Address:127.0.0.1",
                           "IP Address:10.43.0.1", "IP Address:0:0:0:0:0:0:0:1", "X509v3 Authority Key Identifier",
                           "Subject: CN = kube-apiserver", "Issuer: CN = k1s-server-ca"}) {
    EXPECT_NE(text.find(want), std::string::npos) << "missing " << want << " in\n" << text;
  }
  auto [rc_ca, ca_text] = RunShell("openssl x509 -noout -text -in " + dir.File("ca.crt"), dir);
  ASSERT_EQ(rc_ca, 0) << ca_text;
  for (const char* want : {"X509v3 Basic Constraints: critical", "CA:TRUE", "X509v3 Key Usage: critical",
                           "Digital Signature, Certificate Sign, CRL Sign", "X509v3 Subject Key Identifier"}) {
    EXPECT_NE(ca_text.find(want), std::string::npos) << "missing " << want << " in\n" << ca_text;
  }
}

}  // namespace
}  // namespace k1s::net
