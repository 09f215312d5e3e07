#include "lib/net/http_client.h"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "lib/net/http_server.h"
#include "lib/net/pki.h"

namespace k1s::net {
namespace {

using std::chrono::milliseconds;

std::string ThreadId() {
  std::ostringstream s;
  s << std::this_thread::get_id();
  return s.str();
}

// A server on 127.0.0.1 with a certificate for localhost/127.0.0.1 from its own CA, and a client CA.
class HttpClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ca_ = *CreateSelfSignedCa("server-ca", 10);
    client_ca_ = *CreateSelfSignedCa("client-ca", 10);
    CertRequest serving;
    serving.common_name = "k1s";
    serving.dns_names = {"localhost"};
    serving.ip_addresses = {"127.0.0.1"};
    serving_ = *IssueCertificate(ca_, serving);
    StartServer(0);
  }
  void TearDown() override {
    if (server_) server_->Stop();
  }

  void StartServer(int port) {
    HttpServerOptions o;
    o.bind_address = "127.0.0.1";
    o.port = port;
    o.cert_pem = serving_.cert_pem;
    o.key_pem = serving_.key_pem;
    o.client_ca_pem = client_ca_.cert_pem;
    o.max_body_bytes = 4 << 20;
    auto s = HttpServer::Start(o, [this](HttpRequest& req, HttpResponder& resp) { Handle(req, resp); });
    ASSERT_TRUE(s.ok()) << s.error().ToString();
    server_ = std::move(*s);
  }

  void Handle(HttpRequest& req, HttpResponder& resp) {
    if (req.path == "/thread") {
      resp.Send({200, "text/plain", {}, ThreadId()});
    } else if (req.path == "/slow") {
      std::this_thread::sleep_for(milliseconds(std::atoi(req.Query("ms").c_str())));
      resp.Send({200, "text/plain", {}, ThreadId()});
    } else if (req.path == "/big") {
      resp.Send({200, "text/plain", {}, std::string(1 << 20, 'x')});
    } else if (req.path == "/stream") {
      resp.StartStream(200, "application/json");
      resp.WriteChunk("{\"n\":0}\n{\"n\":");  // a line split across chunks
      resp.WriteChunk("1}\n");
      std::this_thread::sleep_for(milliseconds(300));
      resp.WriteChunk("{\"n\":2}\nlast");
    } else if (req.path == "/hold") {
      resp.StartStream(200, "application/json");
      resp.WriteChunk("first\n");
      for (int i = 0; i < 100 && resp.Alive(); ++i) std::this_thread::sleep_for(milliseconds(50));
    } else if (req.path == "/missing") {
      resp.Send({404, "application/json", {}, R"({"kind":"Status","code":404})"});
    } else {
      std::string who = req.client_cert_verified ? req.client_common_name : "anonymous";
      resp.Send({200, "text/plain", {{"X-Echo", "yes"}},
                 req.method + " " + req.target + " auth=" + req.Header("authorization") + " type=" +
                     req.Header("content-type") + " who=" + who + " body=" + req.body});
    }
  }

  HttpClientOptions Options() const {
    HttpClientOptions o;
    o.server = "https://127.0.0.1:" + std::to_string(server_->port());
    o.ca_pem = ca_.cert_pem;
    return o;
  }
  std::unique_ptr<HttpClient> NewClient(const HttpClientOptions& o) {
    auto c = HttpClient::Create(o);
    EXPECT_TRUE(c.ok()) << c.error().ToString();
    return c.ok() ? std::move(*c) : nullptr;
  }

  CertBundle ca_, client_ca_, serving_;
  std::unique_ptr<HttpServer> server_;
};

TEST_F(HttpClientTest, SendsMethodTargetBodyAndBearerToken) {
  auto o = Options();
  o.bearer_token = "K10abc::server:secret";
  auto c = NewClient(o);
  ClientRequest r;
  r.method = "POST";
  r.target = "/api/v1/x?a=b";
  r.content_type = "application/merge-patch+json";
  r.body = "{}";
  auto res = c->Do(r);
  ASSERT_TRUE(res.ok()) << res.error().ToString();
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->Header("x-echo"), "yes");
  EXPECT_EQ(res->body,
            "POST /api/v1/x?a=b auth=Bearer K10abc::server:secret type=application/merge-patch+json who=anonymous body={}");
}

TEST_F(HttpClientTest, NonSuccessStatusIsAResponseNotAnError) {
  auto c = NewClient(Options());
  auto res = c->Do({.target = "/missing"});
  ASSERT_TRUE(res.ok()) << res.error().ToString();
  EXPECT_EQ(res->status, 404);
  EXPECT_EQ(res->body, R"({"kind":"Status","code":404})");
}

TEST_F(HttpClientTest, PresentsTheClientCertificate) {
  CertRequest admin;
  admin.common_name = "system:admin";
  admin.organizations = {"system:masters"};
  admin.usage = CertUsage::kClient;
  auto cert = *IssueCertificate(client_ca_, admin);
  auto o = Options();
  o.client_cert_pem = cert.cert_pem;
  o.client_key_pem = cert.key_pem;
  auto res = NewClient(o)->Do({.target = "/"});
  ASSERT_TRUE(res.ok()) << res.error().ToString();
  EXPECT_NE(res->body.find("who=system:admin"), std::string::npos) << res->body;
}

TEST_F(HttpClientTest, ServerCertificateFromAnotherCaIsRejected) {
  auto o = Options();
  o.ca_pem = CreateSelfSignedCa("other", 1)->cert_pem;
  auto res = NewClient(o)->Do({.target = "/"});
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.error().code, ErrorCode::kUnauthorized) << res.error().ToString();
  EXPECT_NE(res.error().message.find("certificate verification failed"), std::string::npos) << res.error().message;

  o.ca_pem.clear();
  o.insecure_skip_verify = true;
  auto insecure = NewClient(o)->Do({.target = "/"});
  ASSERT_TRUE(insecure.ok()) << insecure.error().ToString();
  EXPECT_EQ(insecure->status, 200);
}

TEST_F(HttpClientTest, ServerCertificateForAnotherNameIsRejected) {
  server_->Stop();
  CertRequest serving;
  serving.common_name = "k1s";
  serving.dns_names = {"example.test"};
  serving_ = *IssueCertificate(ca_, serving);
  StartServer(0);
  auto res = NewClient(Options())->Do({.target = "/"});
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.error().code, ErrorCode::kUnauthorized) << res.error().ToString();
}

TEST_F(HttpClientTest, KeepAliveReusesOneConnection) {
  auto c = NewClient(Options());
  auto a = c->Do({.target = "/thread"});
  auto b = c->Do({.target = "/thread"});
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->body, b->body);  // the server runs one thread per connection
  EXPECT_EQ(c->IdleConnections(), 1);
}

TEST_F(HttpClientTest, ParallelRequestsUseSeparateConnections) {
  auto c = NewClient(Options());
  std::mutex mu;
  std::set<std::string> threads;
  std::atomic<int> ok{0};
  auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> workers;
  for (int i = 0; i < 4; ++i) {
    workers.emplace_back([&] {
      auto r = c->Do({.target = "/slow?ms=400"});
      if (!r.ok()) return;
      ++ok;
      std::lock_guard lock(mu);
      threads.insert(r->body);
    });
  }
  for (auto& t : workers) t.join();
  EXPECT_EQ(ok, 4);
  EXPECT_EQ(threads.size(), 4u);
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(1500));
  EXPECT_EQ(c->IdleConnections(), 4);
}

TEST_F(HttpClientTest, ReadsLargeBodies) {
  auto res = NewClient(Options())->Do({.target = "/big"});
  ASSERT_TRUE(res.ok()) << res.error().ToString();
  EXPECT_EQ(res->body.size(), size_t{1} << 20);
}

TEST_F(HttpClientTest, SlowResponseTimesOut) {
  auto c = NewClient(Options());
  ClientRequest r{.target = "/slow?ms=1500"};
  r.timeout = milliseconds(200);
  auto start = std::chrono::steady_clock::now();
  auto res = c->Do(r);
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.error().code, ErrorCode::kTimeout) << res.error().ToString();
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(1000));
  EXPECT_EQ(c->IdleConnections(), 0);  // a timed-out connection is not reused
}

TEST_F(HttpClientTest, RefusedConnectionIsServiceUnavailable) {
  auto o = Options();
  server_->Stop();
  auto res = NewClient(o)->Do({.target = "/"});
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.error().code, ErrorCode::kServiceUnavailable) << res.error().ToString();
  EXPECT_NE(res.error().message.find("cannot connect to https://127.0.0.1:"), std::string::npos);
}

TEST_F(HttpClientTest, ConnectionClosedWhileIdleIsReplaced) {
  auto c = NewClient(Options());
  ASSERT_TRUE(c->Do({.target = "/thread"}).ok());
  int port = server_->port();
  server_->Stop();
  StartServer(port);
  auto res = c->Do({.target = "/thread"});
  ASSERT_TRUE(res.ok()) << res.error().ToString();
  EXPECT_EQ(res->status, 200);
}

TEST_F(HttpClientTest, StreamDeliversLinesAsTheyArrive) {
  auto c = NewClient(Options());
  auto s = c->Stream({.target = "/stream"});
  ASSERT_TRUE(s.ok()) << s.error().ToString();
  auto& stream = **s;
  EXPECT_EQ(stream.status(), 200);
  EXPECT_EQ(stream.Header("content-type"), "application/json");
  std::string line;
  ASSERT_EQ(*stream.ReadLine(milliseconds(2000), &line), StreamRead::kData);
  EXPECT_EQ(line, "{\"n\":0}");
  ASSERT_EQ(*stream.ReadLine(milliseconds(2000), &line), StreamRead::kData);
  EXPECT_EQ(line, "{\"n\":1}");
  // The next line comes 300 ms later.
  EXPECT_EQ(*stream.ReadLine(milliseconds(50), &line), StreamRead::kTimeout);
  ASSERT_EQ(*stream.ReadLine(milliseconds(2000), &line), StreamRead::kData);
  EXPECT_EQ(line, "{\"n\":2}");
  ASSERT_EQ(*stream.ReadLine(milliseconds(2000), &line), StreamRead::kData);
  EXPECT_EQ(line, "last");
  EXPECT_EQ(*stream.ReadLine(milliseconds(2000), &line), StreamRead::kEnd);
}

TEST_F(HttpClientTest, CancelEndsABlockedRead) {
  auto c = NewClient(Options());
  auto s = c->Stream({.target = "/hold"});
  ASSERT_TRUE(s.ok()) << s.error().ToString();
  std::string line;
  ASSERT_EQ(*(*s)->ReadLine(milliseconds(2000), &line), StreamRead::kData);
  EXPECT_EQ(line, "first");
  auto start = std::chrono::steady_clock::now();
  std::thread canceller([&] {
    std::this_thread::sleep_for(milliseconds(100));
    (*s)->Cancel();
  });
  auto r = (*s)->ReadLine(milliseconds(10000), &line);
  canceller.join();
  EXPECT_FALSE(r.ok());
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(2000));
}

TEST_F(HttpClientTest, StreamAndRequestsShareTheClient) {
  auto c = NewClient(Options());
  auto s = c->Stream({.target = "/hold"});
  ASSERT_TRUE(s.ok());
  auto res = c->Do({.target = "/thread"});  // needs a second connection while the stream holds one
  ASSERT_TRUE(res.ok()) << res.error().ToString();
  s->reset();  // closing the stream mid-body must not hang
}

TEST(HttpClientCreate, RejectsBadUrls) {
  EXPECT_FALSE(HttpClient::Create({.server = "http://x:1", .insecure_skip_verify = true}).ok());
  EXPECT_FALSE(HttpClient::Create({.server = "https://:1", .insecure_skip_verify = true}).ok());
  EXPECT_FALSE(HttpClient::Create({.server = "https://x:99999", .insecure_skip_verify = true}).ok());
  EXPECT_FALSE(HttpClient::Create({.server = "https://x:1"}).ok());  // no CA and not insecure
  auto ok = HttpClient::Create({.server = "https://[::1]:6443/", .insecure_skip_verify = true});
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ((*ok)->HostPort(), "[::1]:6443");
}

TEST(PercentEncode, KeepsUnreservedCharacters) {
  EXPECT_EQ(PercentEncode("spec.nodeName!=,a=b c/~"), "spec.nodeName%21%3D%2Ca%3Db%20c%2F~");
}

}  // namespace
}  // namespace k1s::net
