#include "server/registry/quota_admission.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <thread>

#include "lib/api/meta.h"
#include "server/registry/registry.h"
#include "server/registry/testing.h"

namespace k1s::registry {
namespace {

json::object Obj(const std::string& text) { return boost::json::parse(text).as_object(); }

class QuotaAdmissionTest : public RegistryFixture {
 protected:
  // A quota as the controller leaves it: status.hard = spec.hard, status.used as given.
  void MakeQuota(const std::string& name, const std::string& hard, const std::string& used) {
    auto q = reg_->Create(R("", "resourcequotas"), "default",
                          Obj(R"({"metadata":{"name":")" + name + R"("},"spec":{"hard":)" + hard + "}}"), {});
    ASSERT_TRUE(q.ok()) << q.error().message;
    json::object st = *q;
    st["status"] = Obj(R"({"hard":)" + hard + R"(,"used":)" + used + "}");
    auto u = reg_->Update(R("", "resourcequotas"), "default", name, st, {}, "status");
    ASSERT_TRUE(u.ok()) << u.error().message;
  }
  std::string Used(const std::string& name) {
    auto q = reg_->Get(R("", "resourcequotas"), "default", name);
    if (!q.ok()) return "?";
    return json::serialize(q->at("status").as_object().at("used"));
  }
  Result<json::object> CreatePod(const std::string& name, const std::string& resources = R"({"requests":{"cpu":"100m"}})") {
    return reg_->Create(R("", "pods"), "default",
                        Obj(R"({"metadata":{"name":")" + name +
                            R"("},"spec":{"containers":[{"name":"c","image":"nginx","resources":)" + resources + "}]}}"),
                        {});
  }
};

TEST_F(QuotaAdmissionTest, CreatesChargeTheQuotaUntilItIsFull) {
  MakeQuota("q", R"({"pods":"2","requests.cpu":"1"})", R"({"pods":"0","requests.cpu":"0"})");
  ASSERT_TRUE(CreatePod("a").ok());
  EXPECT_EQ(Used("q"), R"({"pods":"1","requests.cpu":"100m"})");
  ASSERT_TRUE(CreatePod("b").ok());
  auto refused = CreatePod("c");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kForbidden);
  EXPECT_EQ(refused.error().message,
            "pods \"c\" is forbidden: exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2");
  EXPECT_EQ(Used("q"), R"({"pods":"2","requests.cpu":"200m"})");
}

TEST_F(QuotaAdmissionTest, PodsWithoutRequestsAreRefusedWhenCpuIsTracked) {
  MakeQuota("q", R"({"pods":"2","requests.cpu":"1","limits.memory":"1Gi"})",
            R"({"pods":"0","requests.cpu":"0","limits.memory":"0"})");
  auto refused = CreatePod("x", "{}");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().message,
            "pods \"x\" is forbidden: failed quota: q: must specify limits.memory for: c; requests.cpu for: c");
}

TEST_F(QuotaAdmissionTest, DryRunChecksWithoutCharging) {
  MakeQuota("q", R"({"configmaps":"1"})", R"({"configmaps":"0"})");
  WriteOptions dry;
  dry.dry_run = true;
  auto cm = reg_->Create(R("", "configmaps"), "default", Obj(R"({"metadata":{"name":"a"}})"), dry);
  ASSERT_TRUE(cm.ok()) << cm.error().message;
  EXPECT_EQ(Used("q"), R"({"configmaps":"0"})");
}

TEST_F(QuotaAdmissionTest, AFailedCreateGivesItsChargeBack) {
  MakeQuota("q", R"({"count/configmaps":"2"})", R"({"count/configmaps":"0"})");
  ASSERT_TRUE(reg_->Create(R("", "configmaps"), "default", Obj(R"({"metadata":{"name":"a"}})"), {}).ok());
  auto again = reg_->Create(R("", "configmaps"), "default", Obj(R"({"metadata":{"name":"a"}})"), {});
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kAlreadyExists);
  EXPECT_EQ(Used("q"), R"({"count/configmaps":"1"})");
}

TEST_F(QuotaAdmissionTest, ServiceTypeChangesChargeNodePorts) {
  MakeQuota("q", R"({"services.nodeports":"1"})", R"({"services.nodeports":"0"})");
  auto svc = reg_->Create(R("", "services"), "default",
                          Obj(R"({"metadata":{"name":"s"},"spec":{"ports":[{"port":80}],"selector":{"a":"b"}}})"), {});
  ASSERT_TRUE(svc.ok()) << svc.error().message;
  EXPECT_EQ(Used("q"), R"({"services.nodeports":"0"})");
  json::object np = *svc;
  np["spec"].as_object()["type"] = "NodePort";
  auto updated = reg_->Update(R("", "services"), "default", "s", np, {});
  ASSERT_TRUE(updated.ok()) << updated.error().message;
  EXPECT_EQ(Used("q"), R"({"services.nodeports":"1"})");
}

TEST_F(QuotaAdmissionTest, ConcurrentCreatesCannotOvercommit) {
  MakeQuota("q", R"({"count/configmaps":"5"})", R"({"count/configmaps":"0"})");
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 5; ++i) {
        std::string name = "cm-" + std::to_string(t) + "-" + std::to_string(i);
        if (reg_->Create(R("", "configmaps"), "default", Obj(R"({"metadata":{"name":")" + name + R"("}})"), {}).ok())
          ++ok;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), 5);
  EXPECT_EQ(Used("q"), R"({"count/configmaps":"5"})");
}

TEST_F(QuotaAdmissionTest, QuotasWithoutStatusDoNotApplyYet) {
  auto q = reg_->Create(R("", "resourcequotas"), "default", Obj(R"({"metadata":{"name":"q"},"spec":{"hard":{"pods":"0"}}})"), {});
  ASSERT_TRUE(q.ok());
  EXPECT_TRUE(CreatePod("a").ok());
}

}  // namespace
}  // namespace k1s::registry
