#include "lib/net/http_server.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>

#include "lib/base/files.h"
#include "lib/base/process.h"
#include "lib/net/pki.h"
#include "tests/testutil/temp_dir.h"

namespace k1s::net {
namespace {

// Runs curl against the server; returns its stdout.
std::string Curl(const std::string& args) {
  std::string out;
  FILE* p = ::popen(("curl -sS " + args + " 2>&1").c_str(), "r");
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  ::pclose(p);
  return out;
}

class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (FindInPath("curl").empty()) GTEST_SKIP() << "curl not installed";
    auto server_ca = CreateSelfSignedCa("server-ca", 10);
    auto client_ca = CreateSelfSignedCa("client-ca", 10);
    CertRequest serving;
    serving.common_name = "k1s";
    serving.dns_names = {"localhost"};
    serving.ip_addresses = {"127.0.0.1"};
    auto cert = IssueCertificate(*server_ca, serving);
    CertRequest admin;
    admin.common_name = "system:admin";
    admin.organizations = {"system:masters"};
    admin.usage = CertUsage::kClient;
    auto admin_cert = IssueCertificate(*client_ca, admin);
    ASSERT_TRUE(cert.ok() && admin_cert.ok());
    ASSERT_TRUE(WriteFileAtomic(dir_.File("ca.crt"), server_ca->cert_pem).ok());
    ASSERT_TRUE(WriteFileAtomic(dir_.File("admin.crt"), admin_cert->cert_pem).ok());
    ASSERT_TRUE(WriteFileAtomic(dir_.File("admin.key"), admin_cert->key_pem).ok());
    HttpServerOptions o;
    o.bind_address = "127.0.0.1";
    o.cert_pem = cert->cert_pem;
    o.key_pem = cert->key_pem;
    o.client_ca_pem = client_ca->cert_pem;
    o.max_body_bytes = 1000;
    auto s = HttpServer::Start(o, [](HttpRequest& req, HttpResponder& resp) {
      if (req.path == "/stream") {
        resp.StartStream(200, "application/json");
        for (int i = 0; i < 3; ++i) resp.WriteChunk("{\"n\":" + std::to_string(i) + "}\n");
        return;
      }
      std::string who = req.client_cert_verified ? req.client_common_name : "anonymous";
      for (auto& o : req.client_organizations) who += "+" + o;
      resp.Send({200, "text/plain", {{"X-Test", "1"}},
                 req.method + " " + req.path + " q=" + req.Query("a b") + " who=" + who + " body=" + req.body});
    });
    ASSERT_TRUE(s.ok()) << s.error().ToString();
    server_ = std::move(*s);
    base_ = "https://127.0.0.1:" + std::to_string(server_->port());
    tls_ = "--cacert " + dir_.File("ca.crt") + " ";
    client_ = tls_ + "--cert " + dir_.File("admin.crt") + " --key " + dir_.File("admin.key") + " ";
  }
  void TearDown() override {
    if (server_) server_->Stop();
  }
  testutil::TempDir dir_;
  std::unique_ptr<HttpServer> server_;
  std::string base_, tls_, client_;
};

TEST_F(HttpServerTest, ServesRequestsWithDecodedPathAndQuery) {
  EXPECT_EQ(Curl(tls_ + "'" + base_ + "/api/v1%2Fx?a+b=c%20d'"), "GET /api/v1/x q=c d who=anonymous body=");
  EXPECT_EQ(Curl(tls_ + "-X POST --data-binary hello " + base_ + "/p"), "POST /p q= who=anonymous body=hello");
}

TEST_F(HttpServerTest, VerifiedClientCertificateNamesTheUserAndGroups) {
  EXPECT_EQ(Curl(client_ + base_ + "/"), "GET / q= who=system:admin+system:masters body=");
}

TEST_F(HttpServerTest, StreamsChunks) {
  EXPECT_EQ(Curl(tls_ + base_ + "/stream"), "{\"n\":0}\n{\"n\":1}\n{\"n\":2}\n");
}

TEST_F(HttpServerTest, OversizedBodyGets413Status) {
  std::string big(5000, 'x');
  ASSERT_TRUE(WriteFileAtomic(dir_.File("big"), big).ok());
  std::string out = Curl(tls_ + "-w ' %{http_code}' --data-binary @" + dir_.File("big") + " " + base_ + "/p");
  EXPECT_NE(out.find("RequestEntityTooLarge"), std::string::npos) << out;
  EXPECT_NE(out.find(" 413"), std::string::npos) << out;
}

TEST_F(HttpServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  std::string out = Curl(tls_ + base_ + "/a " + base_ + "/b");
  EXPECT_EQ(out, "GET /a q= who=anonymous body=GET /b q= who=anonymous body=");
}

TEST_F(HttpServerTest, BusyPortIsAClearError) {
  HttpServerOptions o;
  o.bind_address = "127.0.0.1";
  o.port = server_->port();
  auto ca = CreateSelfSignedCa("x", 1);
  o.cert_pem = ca->cert_pem;
  o.key_pem = ca->key_pem;
  auto second = HttpServer::Start(o, [](HttpRequest&, HttpResponder&) {});
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.error().message.find("cannot listen on 127.0.0.1"), std::string::npos) << second.error().message;
}

}  // namespace
}  // namespace k1s::net
