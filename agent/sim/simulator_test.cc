#include "agent/sim/simulator.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <functional>
#include <thread>

#include "lib/client/fake_client.h"
#include "lib/net/http_server.h"
#include "lib/net/pki.h"

namespace k1s::agent::sim {
namespace {

using client::json::object;
using std::chrono::milliseconds;

object ParseObj(const char* text) { return boost::json::parse(text).as_object(); }

bool WaitFor(const std::function<bool()>& cond, milliseconds timeout = milliseconds(5000)) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (cond()) return true;
    std::this_thread::sleep_for(milliseconds(20));
  }
  return cond();
}

object Pod(const std::string& name, const std::string& node, const std::string& extra_spec = "") {
  std::string text = R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":")" + name +
                     R"(","namespace":"default"},"spec":{)" + (node.empty() ? "" : "\"nodeName\":\"" + node + "\",") +
                     extra_spec +
                     (extra_spec.find("\"containers\"") == std::string::npos
                          ? R"("containers":[{"name":"c","image":"busybox"}])"
                          : "") +
                     R"(},"status":{"phase":"Pending"}})";
  return boost::json::parse(text).as_object();
}

std::string Phase(const object& pod) {
  auto s = pod.find("status");
  if (s == pod.end() || !s->value().is_object()) return "";
  auto p = s->value().as_object().find("phase");
  return p == s->value().as_object().end() ? "" : std::string(p->value().as_string());
}

TEST(SimulatedExitCodeTest, OnlyPodsThatDoNotRestartExit) {
  auto pod = [](const char* policy, const char* container, const char* annotations = "{}") {
    return boost::json::parse(std::string(R"({"metadata":{"annotations":)") + annotations +
                              R"(},"spec":{"restartPolicy":")" + policy + R"(","containers":[)" + container + "]}}")
        .as_object();
  };
  EXPECT_EQ(SimulatedExitCode(pod("Never", R"({"name":"c","command":["true"]})")), 0);
  EXPECT_EQ(SimulatedExitCode(pod("OnFailure", R"({"name":"c","command":["sh","-c","exit 3"]})")), 3);
  EXPECT_EQ(SimulatedExitCode(pod("Never", R"({"name":"c","command":["/bin/sh"],"args":["-c","true"]})")), 0);
  EXPECT_EQ(SimulatedExitCode(pod("Never", R"({"name":"c","command":["false"]})")), 1);
  EXPECT_EQ(SimulatedExitCode(pod("Never", R"({"name":"c","command":["sleep","3600"]})")), std::nullopt);
  EXPECT_EQ(SimulatedExitCode(pod("Never", R"({"name":"c"})")), std::nullopt);
  EXPECT_EQ(SimulatedExitCode(pod("Always", R"({"name":"c","command":["true"]})")), std::nullopt);
  EXPECT_EQ(SimulatedExitCode(pod("Never", R"({"name":"c"})", R"({"k1s.io/simulate-exit":"2"})")), 2);
  // Every container must exit.
  EXPECT_EQ(SimulatedExitCode(pod("Never", R"({"name":"a","command":["true"]},{"name":"b"})")), std::nullopt);
}

TEST(SimulatorAddressesTest, HostAndPodRangesAreDistinctPerNode) {
  EXPECT_EQ(HostIp(0), "198.18.0.1");
  EXPECT_EQ(HostIp(999), "198.18.3.232");
  EXPECT_EQ(PodIpPrefix(7), "10.42.7.");
  EXPECT_EQ(PodIpPrefix(256), "10.100.0.");
  EXPECT_EQ(PodIpPrefix(999), "10.102.231.");
}

class SimulatorTest : public ::testing::Test {
 protected:
  SimulatorOptions Options(int nodes) {
    SimulatorOptions o;
    o.name_prefix = "t";
    o.nodes = nodes;
    o.labels = {{"zone", "a"}};
    o.taints = {"dedicated=sim:NoSchedule"};
    o.start_delay = milliseconds(50);
    o.run_duration = milliseconds(50);
    o.max_delete_delay = milliseconds(100);
    o.lease_interval = milliseconds(100000);
    o.status_interval = milliseconds(100000);
    return o;
  }
  object Get(const client::Resource& r, const std::string& ns, const std::string& name) {
    auto o = fake_.Get(r, ns, name);
    return o.ok() ? *o : object{};
  }
  client::FakeClient fake_;
};

TEST_F(SimulatorTest, RegistersNodesAndLeases) {
  Simulator sim(fake_, Options(3));
  ASSERT_TRUE(sim.Start().ok());
  EXPECT_EQ(sim.registered_nodes(), 3);
  auto nodes = fake_.List(client::kNodes, "");
  ASSERT_TRUE(nodes.ok());
  ASSERT_EQ(nodes->items.size(), 3u);
  auto node = Get(client::kNodes, "", "t-sim-2");
  auto& meta = node["metadata"].as_object();
  EXPECT_EQ(meta["labels"].as_object()["kubernetes.io/hostname"].as_string(), "t-sim-2");
  EXPECT_EQ(meta["labels"].as_object()["node.kubernetes.io/instance-type"].as_string(), "k1s-sim");
  EXPECT_EQ(meta["labels"].as_object()["zone"].as_string(), "a");
  EXPECT_EQ(node["spec"].as_object()["taints"].as_array()[0].as_object()["effect"].as_string(), "NoSchedule");
  auto& status = node["status"].as_object();
  EXPECT_EQ(status["capacity"].as_object()["pods"].as_string(), "110");
  EXPECT_EQ(status["allocatable"].as_object()["memory"].as_string(), "16Gi");
  EXPECT_EQ(status["addresses"].as_array()[0].as_object()["address"].as_string(), "198.18.0.3");
  bool ready = false;
  for (auto& c : status["conditions"].as_array())
    if (c.as_object()["type"] == "Ready") ready = c.as_object()["status"] == "True";
  EXPECT_TRUE(ready);

  auto lease = Get(client::kLeases, "kube-node-lease", "t-sim-0");
  ASSERT_FALSE(lease.empty());
  EXPECT_EQ(lease["spec"].as_object()["holderIdentity"].as_string(), "t-sim-0");
  EXPECT_EQ(lease["spec"].as_object()["leaseDurationSeconds"].as_int64(), 40);
  EXPECT_EQ(lease["metadata"].as_object()["ownerReferences"].as_array()[0].as_object()["kind"].as_string(), "Node");
  std::string renewed = std::string(lease["spec"].as_object()["renewTime"].as_string());

  std::this_thread::sleep_for(milliseconds(5));
  EXPECT_EQ(sim.RenewLeases(), 3);
  auto again = Get(client::kLeases, "kube-node-lease", "t-sim-0");
  EXPECT_NE(again["spec"].as_object()["renewTime"].as_string(), renewed);
  EXPECT_EQ(sim.UpdateNodeStatuses(), 3);
}

TEST_F(SimulatorTest, ReRegistersNodesThatExist) {
  fake_.Seed(client::kNodes, ParseObj(R"({"apiVersion":"v1","kind":"Node","metadata":{"name":"t-sim-0","labels":{"old":"x"}},
      "status":{"conditions":[{"type":"Ready","status":"Unknown"}]}})"));
  fake_.Seed(client::kLeases, ParseObj(R"({"apiVersion":"coordination.k8s.io/v1","kind":"Lease",
      "metadata":{"name":"t-sim-0","namespace":"kube-node-lease"},"spec":{"holderIdentity":"t-sim-0"}})"));
  Simulator sim(fake_, Options(1));
  ASSERT_TRUE(sim.Start().ok());
  auto node = Get(client::kNodes, "", "t-sim-0");
  EXPECT_EQ(node["metadata"].as_object()["labels"].as_object()["zone"].as_string(), "a");
  for (auto& c : node["status"].as_object()["conditions"].as_array()) {
    if (c.as_object()["type"] == "Ready") {
      EXPECT_EQ(c.as_object()["status"].as_string(), "True");
    }
  }
  auto lease = Get(client::kLeases, "kube-node-lease", "t-sim-0");
  EXPECT_TRUE(lease["spec"].as_object().contains("renewTime"));
}

TEST_F(SimulatorTest, BoundPodsStartRunningAndOthersAreLeftAlone) {
  Simulator sim(fake_, Options(2));
  ASSERT_TRUE(sim.Start().ok());
  ASSERT_TRUE(fake_.Create(client::kPods, "default", Pod("mine", "t-sim-1")).ok());
  ASSERT_TRUE(fake_.Create(client::kPods, "default", Pod("other", "elsewhere")).ok());
  ASSERT_TRUE(fake_.Create(client::kPods, "default", Pod("unbound", "")).ok());
  ASSERT_TRUE(WaitFor([&] { return Phase(Get(client::kPods, "default", "mine")) == "Running"; }));
  auto pod = Get(client::kPods, "default", "mine");
  auto& st = pod["status"].as_object();
  EXPECT_EQ(st["hostIP"].as_string(), "198.18.0.2");
  EXPECT_EQ(st["podIP"].as_string(), "10.42.1.2");
  EXPECT_TRUE(st.contains("startTime"));
  auto& cs = st["containerStatuses"].as_array()[0].as_object();
  EXPECT_EQ(cs["ready"].as_bool(), true);
  EXPECT_TRUE(cs["state"].as_object().contains("running"));
  int true_conditions = 0;
  for (auto& c : st["conditions"].as_array())
    if (c.as_object()["status"] == "True") ++true_conditions;
  EXPECT_EQ(true_conditions, 5);
  EXPECT_EQ(sim.RunningPods(), 1);

  // A second pod on the same node gets the next address.
  ASSERT_TRUE(fake_.Create(client::kPods, "default", Pod("mine2", "t-sim-1")).ok());
  ASSERT_TRUE(WaitFor([&] { return Phase(Get(client::kPods, "default", "mine2")) == "Running"; }));
  EXPECT_EQ(Get(client::kPods, "default", "mine2")["status"].as_object()["podIP"].as_string(), "10.42.1.3");

  std::this_thread::sleep_for(milliseconds(200));
  EXPECT_EQ(Phase(Get(client::kPods, "default", "other")), "Pending");
  EXPECT_EQ(Phase(Get(client::kPods, "default", "unbound")), "Pending");
}

TEST_F(SimulatorTest, ExitingContainersFinishThePod) {
  Simulator sim(fake_, Options(1));
  ASSERT_TRUE(sim.Start().ok());
  ASSERT_TRUE(fake_.Create(client::kPods, "default",
                           Pod("ok", "t-sim-0", R"("restartPolicy":"Never","containers":[{"name":"c","image":"x","command":["true"]}])"))
                  .ok());
  ASSERT_TRUE(fake_.Create(client::kPods, "default",
                           Pod("bad", "t-sim-0", R"("restartPolicy":"Never","containers":[{"name":"c","image":"x","command":["sh","-c","exit 3"]}])"))
                  .ok());
  ASSERT_TRUE(WaitFor([&] { return Phase(Get(client::kPods, "default", "ok")) == "Succeeded"; }));
  ASSERT_TRUE(WaitFor([&] { return Phase(Get(client::kPods, "default", "bad")) == "Failed"; }));
  auto bad = Get(client::kPods, "default", "bad");
  auto& term = bad["status"].as_object()["containerStatuses"].as_array()[0].as_object()["state"].as_object()["terminated"].as_object();
  EXPECT_EQ(term["exitCode"].as_int64(), 3);
  EXPECT_EQ(term["reason"].as_string(), "Error");
  EXPECT_TRUE(WaitFor([&] { return sim.RunningPods() == 0; }));
}

TEST_F(SimulatorTest, TerminatingPodsAreDeleted) {
  Simulator sim(fake_, Options(1));
  ASSERT_TRUE(sim.Start().ok());
  ASSERT_TRUE(fake_.Create(client::kPods, "default", Pod("p", "t-sim-0")).ok());
  ASSERT_TRUE(WaitFor([&] { return Phase(Get(client::kPods, "default", "p")) == "Running"; }));
  client::DeleteOptions del;
  del.grace_period_seconds = 30;
  bool gone = true;
  ASSERT_TRUE(fake_.Delete(client::kPods, "default", "p", del, &gone).ok());
  ASSERT_FALSE(gone);  // marked, waiting for the kubelet
  auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(WaitFor([&] { return !fake_.Get(client::kPods, "default", "p").ok(); }));
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(3000));
  EXPECT_TRUE(WaitFor([&] { return sim.RunningPods() == 0; }));

  // The address is free again for the next pod.
  ASSERT_TRUE(fake_.Create(client::kPods, "default", Pod("q", "t-sim-0")).ok());
  ASSERT_TRUE(WaitFor([&] { return Phase(Get(client::kPods, "default", "q")) == "Running"; }));
}

TEST_F(SimulatorTest, PodsWithTheLargestGracePeriodAreDeletedWithoutOverflow) {
  Simulator sim(fake_, Options(1));
  ASSERT_TRUE(sim.Start().ok());
  ASSERT_TRUE(fake_.Create(client::kPods, "default", Pod("p", "t-sim-0")).ok());
  ASSERT_TRUE(WaitFor([&] { return Phase(Get(client::kPods, "default", "p")) == "Running"; }));
  client::DeleteOptions del;
  del.grace_period_seconds = INT64_MAX;  // seconds -> milliseconds overflowed here before (UBSan)
  bool gone = true;
  ASSERT_TRUE(fake_.Delete(client::kPods, "default", "p", del, &gone).ok());
  ASSERT_FALSE(gone);
  EXPECT_TRUE(WaitFor([&] { return !fake_.Get(client::kPods, "default", "p").ok(); }));  // capped by max_delete_delay
}

TEST_F(SimulatorTest, StopLeavesNodesForTheLeaseToExpire) {
  {
    Simulator sim(fake_, Options(2));
    ASSERT_TRUE(sim.Start().ok());
    sim.Stop();
  }
  EXPECT_EQ(fake_.List(client::kNodes, "")->items.size(), 2u);
  EXPECT_EQ(fake_.OpenWatches(), 0);
}

TEST_F(SimulatorTest, ManyNodesRegisterQuickly) {
  auto o = Options(300);
  Simulator sim(fake_, o);
  auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(sim.Start().ok());
  EXPECT_EQ(sim.registered_nodes(), 300);
  EXPECT_EQ(sim.RenewLeases(), 300);
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(20000));
}

// /cacerts and CA pinning against a real HTTPS server.
class JoinTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ca_ = *net::CreateSelfSignedCa("k1s-server-ca", 1);
    net::CertRequest req;
    req.common_name = "k1s";
    req.ip_addresses = {"127.0.0.1"};
    auto cert = *net::IssueCertificate(ca_, req);
    net::HttpServerOptions o;
    o.bind_address = "127.0.0.1";
    o.cert_pem = cert.cert_pem;
    o.key_pem = cert.key_pem;
    auto s = net::HttpServer::Start(o, [this](net::HttpRequest& r, net::HttpResponder& resp) {
      if (r.path == "/cacerts") {
        resp.Send({200, "text/plain", {}, ca_.cert_pem});
      } else {
        resp.Send({200, "application/json", {}, "{\"auth\":\"" + r.Header("authorization") + "\"}"});
      }
    });
    ASSERT_TRUE(s.ok());
    server_ = std::move(*s);
    url_ = "https://127.0.0.1:" + std::to_string(server_->port());
  }
  void TearDown() override { server_->Stop(); }
  net::CertBundle ca_;
  std::unique_ptr<net::HttpServer> server_;
  std::string url_;
};

TEST_F(JoinTest, PinsTheCaByTheTokenHashAndSendsTheToken) {
  std::string token = net::FormatServerToken(ca_.cert_pem, "s3cret");
  auto o = JoinOptions(url_, token);
  ASSERT_TRUE(o.ok()) << o.error().ToString();
  EXPECT_EQ(o->ca_pem, ca_.cert_pem);
  EXPECT_FALSE(o->insecure_skip_verify);
  auto http = net::HttpClient::Create(*o);
  ASSERT_TRUE(http.ok());
  auto res = (*http)->Do({.target = "/version"});
  ASSERT_TRUE(res.ok()) << res.error().ToString();
  EXPECT_EQ(res->body, "{\"auth\":\"Bearer " + token + "\"}");
}

TEST_F(JoinTest, AWrongHashIsRefusedBeforeTheSecretIsSent) {
  std::string token = net::FormatServerToken("another CA", "s3cret");
  auto o = JoinOptions(url_, token);
  ASSERT_FALSE(o.ok());
  EXPECT_EQ(o.error().code, ErrorCode::kUnauthorized);
  EXPECT_NE(o.error().message.find("does not match the token's CA hash"), std::string::npos);
  auto short_token = JoinOptions(url_, "s3cret");
  ASSERT_FALSE(short_token.ok());
  EXPECT_EQ(short_token.error().code, ErrorCode::kInvalid);
}

}  // namespace
}  // namespace k1s::agent::sim
