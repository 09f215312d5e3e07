#include "lib/client/https_client.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <mutex>
#include <thread>

#include "lib/net/http_server.h"
#include "lib/net/pki.h"

namespace k1s::client {
namespace {

using std::chrono::milliseconds;

// A scripted API server: answers by method and path, records what it was sent.
class HttpsClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto ca = *net::CreateSelfSignedCa("ca", 1);
    net::CertRequest serving;
    serving.common_name = "k1s";
    serving.ip_addresses = {"127.0.0.1"};
    auto cert = *net::IssueCertificate(ca, serving);
    net::HttpServerOptions o;
    o.bind_address = "127.0.0.1";
    o.cert_pem = cert.cert_pem;
    o.key_pem = cert.key_pem;
    auto s = net::HttpServer::Start(o, [this](net::HttpRequest& req, net::HttpResponder& resp) { Handle(req, resp); });
    ASSERT_TRUE(s.ok()) << s.error().ToString();
    server_ = std::move(*s);
    net::HttpClientOptions co;
    co.server = "https://127.0.0.1:" + std::to_string(server_->port());
    co.ca_pem = ca.cert_pem;
    co.bearer_token = "tok";
    auto c = HttpsClient::New(co, {.watch_timeout_seconds = 0});
    ASSERT_TRUE(c.ok()) << c.error().ToString();
    client_ = std::move(*c);
  }
  void TearDown() override { server_->Stop(); }

  struct Seen {
    std::string method, target, content_type, body, auth;
  };
  Seen Last() {
    std::lock_guard lock(mu_);
    return last_;
  }

  void Handle(net::HttpRequest& req, net::HttpResponder& resp) {
    {
      std::lock_guard lock(mu_);
      last_ = {req.method, req.target, req.Header("content-type"), req.body, req.Header("authorization")};
    }
    const std::string& p = req.path;
    auto send = [&](int code, const std::string& body) { resp.Send({code, "application/json", {}, body}); };
    if (req.Query("watch") == "true") {
      resp.StartStream(200, "application/json");
      resp.WriteChunk(R"({"type":"ADDED","object":{"metadata":{"name":"a","resourceVersion":"5"}}})" "\n"
                      R"({"type":"MODIFIED","object":{"kind":"Pod","metadata":{"name":"a","resourceVersion":"6"}}})" "\n");
      std::this_thread::sleep_for(milliseconds(200));
      if (req.Query("resourceVersion") == "1") {
        resp.WriteChunk(R"js({"type":"ERROR","object":{"kind":"Status","status":"Failure","message":"too old resource version: 1 (6)","reason":"Expired","code":410}})js" "\n");
      }
      return;
    }
    if (p == "/api/v1/namespaces/default/pods/p" && req.method == "GET") {
      return send(200, R"({"kind":"Pod","apiVersion":"v1","metadata":{"name":"p","namespace":"default"}})");
    }
    if (p == "/api/v1/namespaces/default/pods/missing") {
      return send(404, R"({"kind":"Status","apiVersion":"v1","status":"Failure","message":"pods \"missing\" not found","reason":"NotFound","details":{"name":"missing","kind":"pods"},"code":404})");
    }
    if (p == "/api/v1/nodes" && req.method == "POST") {
      return send(409, R"({"kind":"Status","status":"Failure","message":"nodes \"n\" already exists","reason":"AlreadyExists","code":409})");
    }
    if (p == "/api/v1/nodes/n" && req.method == "PUT") {
      return send(409, R"({"kind":"Status","status":"Failure","message":"the object has been modified","reason":"Conflict","code":409})");
    }
    if (p == "/apis/apps/v1/namespaces/ns/deployments" && req.method == "POST") return send(201, req.body);
    if (p == "/apis/apps/v1/namespaces/ns/deployments" && req.method == "GET") {
      return send(200, R"({"kind":"DeploymentList","apiVersion":"apps/v1","metadata":{"resourceVersion":"42","continue":"c1"},"items":[{"metadata":{"name":"d1"}},{"metadata":{"name":"d2"}}]})");
    }
    if (p == "/api/v1/namespaces/ns/pods/p/status" && req.method == "PATCH") {
      return send(200, R"({"kind":"Pod","apiVersion":"v1","metadata":{"name":"p"}})");
    }
    if (p == "/api/v1/namespaces/ns/pods/gone" && req.method == "DELETE") {
      return send(200, R"({"kind":"Status","apiVersion":"v1","status":"Success","details":{"name":"gone"}})");
    }
    if (p == "/api/v1/namespaces/ns/pods/graceful" && req.method == "DELETE") {
      return send(200, R"({"kind":"Pod","apiVersion":"v1","metadata":{"name":"graceful","deletionTimestamp":"2026-01-01T00:00:00Z","deletionGracePeriodSeconds":30}})");
    }
    if (p == "/api/v1/namespaces/ns/pods/p/binding" && req.method == "POST") {
      return send(201, R"({"kind":"Status","status":"Success"})");
    }
    if (p == "/api/v1/plain") {
      resp.Send({503, "text/plain", {}, "overloaded"});
      return;
    }
    send(404, R"({"kind":"Status","status":"Failure","message":"unexpected","reason":"NotFound","code":404})");
  }

  std::unique_ptr<net::HttpServer> server_;
  std::unique_ptr<HttpsClient> client_;
  std::mutex mu_;
  Seen last_;
};

TEST(ResourcePathTest, CoreGroupNamespacesAndSubresources) {
  EXPECT_EQ(ResourcePath(kPods, "", ""), "/api/v1/pods");
  EXPECT_EQ(ResourcePath(kPods, "default", "p", "status"), "/api/v1/namespaces/default/pods/p/status");
  EXPECT_EQ(ResourcePath(kNodes, "ignored", "n1"), "/api/v1/nodes/n1");
  EXPECT_EQ(ResourcePath(kLeases, "kube-node-lease", "n1"), "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/n1");
}

TEST_F(HttpsClientTest, GetSendsTheBearerTokenAndParsesTheObject) {
  auto pod = client_->Get(kPods, "default", "p");
  ASSERT_TRUE(pod.ok()) << pod.error().ToString();
  EXPECT_EQ((*pod)["metadata"].as_object()["name"].as_string(), "p");
  EXPECT_EQ(Last().auth, "Bearer tok");
}

TEST_F(HttpsClientTest, StatusBodiesBecomeErrors) {
  auto missing = client_->Get(kPods, "default", "missing");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(missing.error().message, "pods \"missing\" not found");
  EXPECT_NE(missing.error().details.find("\"name\":\"missing\""), std::string::npos);

  auto exists = client_->Create(kNodes, "", json::object{{"metadata", json::object{{"name", "n"}}}});
  ASSERT_FALSE(exists.ok());
  EXPECT_EQ(exists.error().code, ErrorCode::kAlreadyExists);
  auto conflict = client_->Update(kNodes, "", "n", json::object{{"metadata", json::object{{"name", "n"}}}});
  ASSERT_FALSE(conflict.ok());
  EXPECT_EQ(conflict.error().code, ErrorCode::kConflict);

  auto plain = client_->Get(Resource{"", "v1", "plain", false, "Plain"}, "", "");
  ASSERT_FALSE(plain.ok());
  EXPECT_EQ(plain.error().code, ErrorCode::kServiceUnavailable);
  EXPECT_EQ(plain.error().message, "the server responded with HTTP 503: overloaded");
}

TEST_F(HttpsClientTest, CreateSendsWriteOptionsAndTypeMeta) {
  auto d = client_->Create(kDeployments, "ns", json::object{{"metadata", json::object{{"name", "d"}}}},
                           WriteOptions{.dry_run = true, .field_manager = "k1s sim"});
  ASSERT_TRUE(d.ok()) << d.error().ToString();
  auto seen = Last();
  EXPECT_EQ(seen.target, "/apis/apps/v1/namespaces/ns/deployments?fieldManager=k1s%20sim&dryRun=All");
  EXPECT_EQ(seen.content_type, "application/json");
  EXPECT_EQ((*d)["kind"].as_string(), "Deployment");
  EXPECT_EQ((*d)["apiVersion"].as_string(), "apps/v1");
}

TEST_F(HttpsClientTest, ListSendsOptionsAndFillsItemKinds) {
  ListOptions o;
  o.label_selector = "app=x";
  o.field_selector = "spec.nodeName!=";
  o.limit = 10;
  o.continue_token = "c0";
  o.resource_version = "0";
  auto list = client_->List(kDeployments, "ns", o);
  ASSERT_TRUE(list.ok()) << list.error().ToString();
  EXPECT_EQ(Last().target,
            "/apis/apps/v1/namespaces/ns/deployments?labelSelector=app%3Dx&fieldSelector=spec.nodeName%21%3D&limit=10"
            "&continue=c0&resourceVersion=0");
  EXPECT_EQ(list->resource_version, "42");
  EXPECT_EQ(list->continue_token, "c1");
  ASSERT_EQ(list->items.size(), 2u);
  EXPECT_EQ(list->items[1]["kind"].as_string(), "Deployment");
}

TEST_F(HttpsClientTest, PatchUsesThePatchContentType) {
  for (auto [type, ct] : std::vector<std::pair<PatchType, std::string>>{
           {PatchType::kJson, "application/json-patch+json"},
           {PatchType::kMerge, "application/merge-patch+json"},
           {PatchType::kStrategicMerge, "application/strategic-merge-patch+json"}}) {
    auto p = client_->Patch(kPods, "ns", "p", type, json::object{{"status", json::object{}}}, WriteOptions{}, "status");
    ASSERT_TRUE(p.ok()) << p.error().ToString();
    EXPECT_EQ(Last().content_type, ct);
    EXPECT_EQ(Last().body, R"({"status":{}})");
  }
}

TEST_F(HttpsClientTest, DeleteTellsWhetherTheObjectIsGone) {
  bool gone = false;
  DeleteOptions o;
  o.grace_period_seconds = 0;
  o.precondition_uid = "u1";
  auto st = client_->Delete(kPods, "ns", "gone", o, &gone);
  ASSERT_TRUE(st.ok()) << st.error().ToString();
  EXPECT_TRUE(gone);
  auto body = boost::json::parse(Last().body).as_object();
  EXPECT_EQ(body["gracePeriodSeconds"].as_int64(), 0);
  EXPECT_EQ(body["preconditions"].as_object()["uid"].as_string(), "u1");

  auto pod = client_->Delete(kPods, "ns", "graceful", DeleteOptions{}, &gone);
  ASSERT_TRUE(pod.ok()) << pod.error().ToString();
  EXPECT_FALSE(gone);
}

TEST_F(HttpsClientTest, PostToASubresource) {
  auto st = client_->Post(kPods, "ns", "p", "binding", json::object{{"kind", "Binding"}});
  ASSERT_TRUE(st.ok()) << st.error().ToString();
  EXPECT_EQ(Last().target, "/api/v1/namespaces/ns/pods/p/binding");
}

TEST_F(HttpsClientTest, WatchParsesEventsAndEndsWithTheServersError) {
  ListOptions o;
  o.resource_version = "1";
  o.allow_bookmarks = true;
  o.field_selector = "spec.nodeName=n1";
  auto w = client_->Watch(kPods, "", o);
  ASSERT_TRUE(w.ok()) << w.error().ToString();
  EXPECT_EQ(Last().target,
            "/api/v1/pods?watch=true&fieldSelector=spec.nodeName%3Dn1&resourceVersion=1&allowWatchBookmarks=true");
  std::vector<WatchEvent> events;
  Error last;
  for (int i = 0; i < 20; ++i) {
    auto batch = (*w)->Next(milliseconds(500));
    if (!batch.ok()) {
      last = batch.error();
      break;
    }
    for (auto& e : *batch) events.push_back(std::move(e));
  }
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].type, "ADDED");
  EXPECT_EQ(events[0].object["kind"].as_string(), "Pod");
  EXPECT_EQ(events[1].type, "MODIFIED");
  EXPECT_EQ(last.code, ErrorCode::kGone);
  EXPECT_EQ(last.message, "too old resource version: 1 (6)");
}

TEST_F(HttpsClientTest, WatchOfOneObjectSelectsItsName) {
  ListOptions o;
  o.name = "a";
  auto w = client_->Watch(kPods, "ns", o);
  ASSERT_TRUE(w.ok()) << w.error().ToString();
  EXPECT_EQ(Last().target, "/api/v1/namespaces/ns/pods?watch=true&fieldSelector=metadata.name%3Da");
  auto batch = (*w)->Next(milliseconds(2000));
  ASSERT_TRUE(batch.ok());
  EXPECT_EQ(batch->size(), 2u);
  // The stream then ends: the watch reports it so the informer watches again.
  Result<std::vector<WatchEvent>> end = std::vector<WatchEvent>{};
  for (int i = 0; i < 10 && end.ok(); ++i) end = (*w)->Next(milliseconds(500));
  ASSERT_FALSE(end.ok());
  EXPECT_NE(end.error().code, ErrorCode::kGone);
}

}  // namespace
}  // namespace k1s::client
