#include "lib/net/http_server.h"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <thread>
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
    o.handshake_timeout_ms = 300;
    o.read_timeout_ms = 600;
    auto s = HttpServer::Start(o, [](HttpRequest& req, HttpResponder& resp) {
      if (req.path == "/slowstream") {  // outlasts read_timeout_ms: writing is not timed
        resp.StartStream(200, "application/json");
        resp.WriteChunk("{\"n\":0}\n");
        std::this_thread::sleep_for(std::chrono::milliseconds(1000));
        resp.WriteChunk("{\"n\":1}\n");
        return;
      }
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

// Connects over plain TCP, sends `first`, and returns how long the server took to close the
// connection (-1 if it was still open after 10 s).
double SecondsUntilClosed(int port, const std::string& first) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) return -2;
  if (!first.empty()) (void)!::write(fd, first.data(), first.size());
  timeval tv{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  auto t0 = std::chrono::steady_clock::now();
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) {
  }
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ::close(fd);
  return n == 0 || (n < 0 && errno == ECONNRESET) ? s : -1;
}

TEST_F(HttpServerTest, AClientThatStallsTheHandshakeIsDisconnected) {
  double silent = SecondsUntilClosed(server_->port(), "");
  EXPECT_GE(silent, 0.2);
  EXPECT_LT(silent, 5);
  // Half a ClientHello, then nothing.
  double half = SecondsUntilClosed(server_->port(), std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11));
  EXPECT_GE(half, 0.2);
  EXPECT_LT(half, 5);
  // The server still serves others.
  EXPECT_EQ(Curl(tls_ + base_ + "/a"), "GET /a q= who=anonymous body=");
}

TEST_F(HttpServerTest, AStreamOutlastingTheReadTimeoutIsNotCut) {
  EXPECT_EQ(Curl(tls_ + base_ + "/slowstream"), "{\"n\":0}\n{\"n\":1}\n");
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
