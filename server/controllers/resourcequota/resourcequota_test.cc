// Tests of the resourcequota controller's logic (pure) and of the controller against FakeClient.
#include "server/controllers/resourcequota/resourcequota.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <thread>

#include "lib/client/fake_client.h"

namespace k1s::controllers {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;
using resourcequota::GroupResource;

json::object Obj(const std::string& text) { return json::parse(text).as_object(); }
const auto kNow = std::chrono::system_clock::from_time_t(1717236000);

json::object Pod(const std::string& name, const std::string& cpu, const std::string& phase = "Running") {
  return Obj(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":")" + name +
             R"(","namespace":"default"},"spec":{"containers":[{"name":"c","resources":{"requests":{"cpu":")" + cpu +
             R"("}}}]},"status":{"phase":")" + phase + R"("}})");
}

TEST(ResourceQuotaLogic, NeedsSyncOnSpecChangesAndMissingStatusOnly) {
  auto fresh = Obj(R"({"spec":{"hard":{"pods":"2"}}})");
  EXPECT_TRUE(resourcequota::NeedsSync(nullptr, fresh));
  auto synced = Obj(R"({"spec":{"hard":{"pods":"2"}},"status":{"hard":{"pods":"2"},"used":{"pods":"0"}}})");
  EXPECT_FALSE(resourcequota::NeedsSync(&synced, synced));
  auto charged = Obj(R"({"spec":{"hard":{"pods":"2"}},"status":{"hard":{"pods":"2"},"used":{"pods":"1"}}})");
  EXPECT_FALSE(resourcequota::NeedsSync(&synced, charged));
  auto raised = Obj(R"({"spec":{"hard":{"pods":"3"}},"status":{"hard":{"pods":"2"},"used":{"pods":"1"}}})");
  EXPECT_TRUE(resourcequota::NeedsSync(&charged, raised));
}

TEST(ResourceQuotaLogic, UsageChangesWhenAPodFinishes) {
  EXPECT_TRUE(resourcequota::UsageChanged({"", "pods"}, Pod("a", "1"), Pod("a", "1", "Succeeded"), kNow));
  EXPECT_FALSE(resourcequota::UsageChanged({"", "pods"}, Pod("a", "1", "Pending"), Pod("a", "1"), kNow));
}

TEST(ResourceQuotaLogic, NextStatusMirrorsHardAndRecounts) {
  auto q = Obj(R"({"spec":{"hard":{"pods":"2","requests.cpu":"1","count/jobs.batch":"1"}}})");
  auto a = Pod("a", "250m"), b = Pod("b", "250m", "Failed");
  std::map<GroupResource, std::vector<const json::object*>> objects{{{"", "pods"}, {&a, &b}}, {{"batch", "jobs"}, {}}};
  auto st = resourcequota::NextStatus(q, objects, kNow);
  ASSERT_TRUE(st.has_value());
  EXPECT_EQ(json::serialize(*st),
            R"({"hard":{"pods":"2","requests.cpu":"1","count/jobs.batch":"1"},)"
            R"("used":{"count/jobs.batch":"0","pods":"1","requests.cpu":"250m"}})");
  q["status"] = *st;
  EXPECT_FALSE(resourcequota::NextStatus(q, objects, kNow).has_value());
}

class ResourceQuotaControllerTest : public ::testing::Test {
 protected:
  ResourceQuotaControllerTest()
      : informers_(client_, client::InformerOptions{.poll_interval = 50ms}),
        events_(client_, "resourcequota-controller") {}
  void TearDown() override {
    if (controller_) controller_->Stop();
    informers_.Stop();
  }
  void StartController() {
    controller_ = std::make_unique<ResourceQuotaController>(
        ControllerContext{client_, informers_, events_},
        std::vector<client::Resource>{client::kPods, client::kConfigMaps, client::kResourceQuotas});
    informers_.Start();
    controller_->Start(1);
  }
  std::string Used(const std::string& name) {
    auto q = client_.Get(client::kResourceQuotas, "default", name);
    if (!q.ok()) return "?";
    auto st = q->find("status");
    if (st == q->end()) return "";
    auto used = st->value().as_object().find("used");
    return used == st->value().as_object().end() ? "" : json::serialize(used->value());
  }
  bool WaitFor(const std::function<bool()>& cond) {
    for (int i = 0; i < 200; ++i) {
      if (cond()) return true;
      std::this_thread::sleep_for(20ms);
    }
    return cond();
  }
  client::FakeClient client_;
  client::SharedInformerFactory informers_;
  client::EventRecorder events_;
  std::unique_ptr<ResourceQuotaController> controller_;
};

TEST_F(ResourceQuotaControllerTest, ANewQuotaShowsExistingUsage) {
  ASSERT_TRUE(client_.Create(client::kPods, "default", Pod("a", "500m")).ok());
  ASSERT_TRUE(client_.Create(client::kConfigMaps, "default", Obj(R"({"metadata":{"name":"cm"}})")).ok());
  StartController();
  ASSERT_TRUE(client_.Create(client::kResourceQuotas, "default",
                             Obj(R"({"metadata":{"name":"q"},"spec":{"hard":{"pods":"3","requests.cpu":"2","configmaps":"5"}}})"))
                  .ok());
  EXPECT_TRUE(WaitFor([&] { return Used("q") == R"({"configmaps":"1","pods":"1","requests.cpu":"500m"})"; }))
      << Used("q");
}

TEST_F(ResourceQuotaControllerTest, DeletingAnObjectReleasesItsUsage) {
  ASSERT_TRUE(client_.Create(client::kPods, "default", Pod("a", "500m")).ok());
  ASSERT_TRUE(client_.Create(client::kPods, "default", Pod("b", "500m")).ok());
  StartController();
  ASSERT_TRUE(client_.Create(client::kResourceQuotas, "default",
                             Obj(R"({"metadata":{"name":"q"},"spec":{"hard":{"pods":"3"}}})"))
                  .ok());
  ASSERT_TRUE(WaitFor([&] { return Used("q") == R"({"pods":"2"})"; })) << Used("q");
  ASSERT_TRUE(client_.Delete(client::kPods, "default", "a").ok());
  EXPECT_TRUE(WaitFor([&] { return Used("q") == R"({"pods":"1"})"; })) << Used("q");
  // A pod reaching a terminal phase gives its usage back too.
  auto b = client_.Get(client::kPods, "default", "b");
  ASSERT_TRUE(b.ok());
  (*b)["status"] = json::object{{"phase", "Succeeded"}};
  ASSERT_TRUE(client_.UpdateStatus(client::kPods, "default", "b", *b).ok());
  EXPECT_TRUE(WaitFor([&] { return Used("q") == R"({"pods":"0"})"; })) << Used("q");
}

TEST_F(ResourceQuotaControllerTest, CountsCustomResourcesOfCrdsMadeAfterStart) {
  StartController();
  ASSERT_TRUE(client_.Create(client::kCustomResourceDefinitions, "",
                             Obj(R"({"metadata":{"name":"foos.example.com"},"spec":{"group":"example.com","scope":"Namespaced",
                                 "names":{"plural":"foos","kind":"Foo"},
                                 "versions":[{"name":"v1beta1","served":true,"storage":false},
                                             {"name":"v1","served":true,"storage":true}]}})"))
                  .ok());
  const client::Resource foos{"example.com", "v1", "foos", true, "Foo"};
  ASSERT_TRUE(client_.Create(foos, "default", Obj(R"({"apiVersion":"example.com/v1","kind":"Foo","metadata":{"name":"a"}})")).ok());
  ASSERT_TRUE(client_.Create(client::kResourceQuotas, "default",
                             Obj(R"({"metadata":{"name":"q"},"spec":{"hard":{"count/foos.example.com":"3","count/bars.example.com":"1"}}})"))
                  .ok());
  EXPECT_TRUE(WaitFor([&] { return Used("q") == R"({"count/bars.example.com":"0","count/foos.example.com":"1"})"; }))
      << Used("q");
  ASSERT_TRUE(client_.Delete(foos, "default", "a").ok());
  EXPECT_TRUE(WaitFor([&] { return Used("q") == R"({"count/bars.example.com":"0","count/foos.example.com":"0"})"; }))
      << Used("q");
}

}  // namespace
}  // namespace k1s::controllers
