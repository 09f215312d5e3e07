#include "lib/api/quota.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace k1s::api::quota {
namespace {

json::object Obj(const char* text) { return boost::json::parse(text).as_object(); }
const GroupResource kPods{"", "pods"};
const GroupResource kServices{"", "services"};
const GroupResource kClaims{"", "persistentvolumeclaims"};
const TimePoint kNow = std::chrono::system_clock::from_time_t(1717236000);  // 2024-06-01T10:00:00Z

std::string Text(const ResourceList& l) { return PrettyPrint(l); }

json::object Pod(const char* requests, const char* limits, const char* extra = "") {
  std::string text = std::string(R"({"metadata":{"name":"p"},"spec":{)") + extra +
                     R"("containers":[{"name":"c","resources":{"requests":)" + requests + R"(,"limits":)" + limits +
                     "}}]}}";
  return boost::json::parse(text).as_object();
}

json::object Quota(const char* hard, const char* used, const char* spec_extra = "") {
  std::string text = std::string(R"({"metadata":{"name":"q"},"spec":{)") + spec_extra + R"("hard":)" + hard +
                     R"(},"status":{"hard":)" + hard + R"(,"used":)" + used + "}}";
  return boost::json::parse(text).as_object();
}

TEST(Quota, PodUsageCountsRequestsLimitsAndThePod) {
  auto pod = Pod(R"({"cpu":"250m","memory":"64Mi"})", R"({"cpu":"500m","memory":"128Mi"})");
  EXPECT_EQ(Text(Usage(kPods, pod, kNow)),
            "count/pods=1,cpu=250m,limits.cpu=500m,limits.memory=128Mi,memory=64Mi,pods=1,requests.cpu=250m,"
            "requests.memory=64Mi");
}

TEST(Quota, TerminalPodsOnlyCountAsObjects) {
  auto pod = Pod(R"({"cpu":"1"})", "{}");
  pod["status"] = json::object{{"phase", "Succeeded"}};
  EXPECT_EQ(Text(Usage(kPods, pod, kNow)), "count/pods=1");
}

TEST(Quota, PodsPastTheirDeletionGraceAreNotCharged) {
  auto pod = Pod(R"({"cpu":"1"})", "{}");
  pod["metadata"].as_object()["deletionTimestamp"] = "2024-06-01T09:00:00Z";
  pod["metadata"].as_object()["deletionGracePeriodSeconds"] = 30;
  EXPECT_EQ(Text(Usage(kPods, pod, kNow)), "count/pods=1");
  pod["metadata"].as_object()["deletionTimestamp"] = "2024-06-01T09:59:50Z";
  EXPECT_EQ(Usage(kPods, pod, kNow).count("pods"), 1u);
}

TEST(Quota, PodsWithTheLargestGracePeriodStayChargedWithoutOverflow) {
  auto pod = Pod(R"({"cpu":"1"})", "{}");
  pod["metadata"].as_object()["deletionTimestamp"] = "2024-06-01T09:00:00Z";
  pod["metadata"].as_object()["deletionGracePeriodSeconds"] = INT64_MAX;
  EXPECT_EQ(Usage(kPods, pod, kNow).count("pods"), 1u);
  pod["metadata"].as_object()["deletionGracePeriodSeconds"] = INT64_MIN;
  EXPECT_EQ(Text(Usage(kPods, pod, kNow)), "count/pods=1");
}

TEST(Quota, InitContainersAndSidecarsRaiseRequests) {
  auto pod = Obj(R"({"spec":{
    "initContainers":[{"name":"i","resources":{"requests":{"cpu":"2"}}},
                      {"name":"s","restartPolicy":"Always","resources":{"requests":{"cpu":"100m"}}}],
    "containers":[{"name":"a","resources":{"requests":{"cpu":"500m"}}},{"name":"b","resources":{"requests":{"cpu":"500m"}}}],
    "overhead":{"cpu":"10m"}}})");
  EXPECT_EQ(Text(PodRequests(pod)), "cpu=2010m");
  auto small = Obj(R"({"spec":{
    "initContainers":[{"name":"s","restartPolicy":"Always","resources":{"requests":{"cpu":"100m"}}}],
    "containers":[{"name":"a","resources":{"requests":{"cpu":"500m"}}}]}})");
  EXPECT_EQ(Text(PodRequests(small)), "cpu=600m");
}

TEST(Quota, BestEffortMeansNoCpuOrMemoryAnywhere) {
  EXPECT_TRUE(IsBestEffort(Pod("{}", "{}")));
  EXPECT_TRUE(IsBestEffort(Pod(R"({"ephemeral-storage":"1Gi"})", "{}")));
  EXPECT_FALSE(IsBestEffort(Pod(R"({"memory":"1Mi"})", "{}")));
}

TEST(Quota, ServiceUsageCountsNodePortsAndLoadBalancers) {
  auto svc = Obj(R"({"spec":{"type":"LoadBalancer","ports":[{"port":80},{"port":443}]}})");
  EXPECT_EQ(Text(Usage(kServices, svc, kNow)),
            "count/services=1,services=1,services.loadbalancers=1,services.nodeports=2");
  auto cip = Obj(R"({"spec":{"type":"ClusterIP","ports":[{"port":80}]}})");
  EXPECT_EQ(Text(Usage(kServices, cip, kNow)),
            "count/services=1,services=1,services.loadbalancers=0,services.nodeports=0");
}

TEST(Quota, ClaimUsageRoundsStorageAndChargesTheStorageClass) {
  auto pvc = Obj(R"({"spec":{"storageClassName":"gold","resources":{"requests":{"storage":"1.5"}}}})");
  EXPECT_EQ(Text(Usage(kClaims, pvc, kNow)),
            "count/persistentvolumeclaims=1,gold.storageclass.storage.k8s.io/persistentvolumeclaims=1,"
            "gold.storageclass.storage.k8s.io/requests.storage=2,persistentvolumeclaims=1,requests.storage=2");
}

TEST(Quota, ObjectCountsUseCountNamesAndLegacyAliases) {
  EXPECT_EQ(Text(Usage({"apps", "deployments"}, Obj("{}"), kNow)), "count/deployments.apps=1");
  EXPECT_EQ(Text(Usage({"", "configmaps"}, Obj("{}"), kNow)), "configmaps=1,count/configmaps=1");
  EXPECT_FALSE(Tracked({"", "events"}));
  EXPECT_TRUE(Tracked({"batch", "jobs"}));
}

TEST(Quota, ResourcesToCountMapsNamesToKinds) {
  auto m = ResourcesToCount({"pods", "requests.cpu", "services.nodeports", "count/jobs.batch", "secrets",
                             "requests.storage", "unknown"});
  ASSERT_EQ(m.size(), 5u);
  EXPECT_EQ(m[kPods], (std::set<std::string>{"pods", "requests.cpu"}));
  EXPECT_EQ(m[kServices], (std::set<std::string>{"services.nodeports"}));
  EXPECT_EQ(m[kClaims], (std::set<std::string>{"requests.storage"}));
  EXPECT_EQ((m[{"batch", "jobs"}]), (std::set<std::string>{"count/jobs.batch"}));
  EXPECT_EQ((m[{"", "secrets"}]), (std::set<std::string>{"secrets"}));
}

TEST(Quota, ConstraintsNameTheMissingResourcesPerContainer) {
  auto pod = Obj(R"({"spec":{"containers":[{"name":"b"},{"name":"a","resources":{"requests":{"cpu":"1"}}}]}})");
  EXPECT_EQ(Constraints(kPods, {"pods", "requests.cpu", "limits.memory"}, pod),
            "must specify limits.memory for: a,b; requests.cpu for: b");
  EXPECT_EQ(Constraints(kPods, {"pods", "requests.storage"}, pod), "");
}

TEST(Quota, CheckRequestChargesTheMatchingQuota) {
  std::vector<json::object> quotas = {Quota(R"({"pods":"2","requests.cpu":"1"})", R"({"pods":"1","requests.cpu":"500m"})"),
                                      Quota(R"({"services":"1"})", R"({"services":"0"})")};
  auto pod = Pod(R"({"cpu":"500m"})", "{}");
  auto r = CheckRequest(quotas, Request{kPods, &pod, nullptr}, kNow);
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_TRUE((*r)[0].has_value());
  EXPECT_EQ(Text(*(*r)[0]), "pods=2,requests.cpu=1");
  EXPECT_FALSE((*r)[1].has_value());
}

TEST(Quota, CheckRequestRefusesWithUpstreamsWording) {
  std::vector<json::object> quotas = {Quota(R"({"pods":"2","requests.cpu":"1"})", R"({"pods":"2","requests.cpu":"500m"})")};
  auto pod = Pod(R"({"cpu":"750m"})", "{}");
  auto r = CheckRequest(quotas, Request{kPods, &pod, nullptr}, kNow);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kForbidden);
  EXPECT_EQ(r.error().message,
            "exceeded quota: q, requested: pods=1,requests.cpu=750m, used: pods=2,requests.cpu=500m, "
            "limited: pods=2,requests.cpu=1");
}

TEST(Quota, CheckRequestNeedsRequestsWhenCpuIsTracked) {
  std::vector<json::object> quotas = {Quota(R"({"pods":"2","limits.cpu":"1"})", R"({"pods":"0","limits.cpu":"0"})")};
  auto pod = Pod("{}", "{}");
  auto r = CheckRequest(quotas, Request{kPods, &pod, nullptr}, kNow);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "failed quota: q: must specify limits.cpu for: c");
}

TEST(Quota, CheckRequestRefusesWhileUsageIsUnknown) {
  std::vector<json::object> quotas = {Quota(R"({"pods":"2"})", "{}")};
  auto pod = Pod("{}", "{}");
  auto r = CheckRequest(quotas, Request{kPods, &pod, nullptr}, kNow);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "status unknown for quota: q, resources: pods");
}

TEST(Quota, ScopesSelectWhichPodsAQuotaCharges) {
  std::vector<json::object> quotas = {
      Quota(R"({"pods":"1"})", R"({"pods":"1"})", R"("scopes":["BestEffort"],)"),
      Quota(R"({"pods":"5"})", R"({"pods":"0"})", R"("scopes":["NotBestEffort"],)")};
  auto burstable = Pod(R"({"cpu":"1"})", "{}");
  auto r = CheckRequest(quotas, Request{kPods, &burstable, nullptr}, kNow);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_FALSE((*r)[0].has_value());
  EXPECT_TRUE((*r)[1].has_value());
  auto best_effort = Pod("{}", "{}");
  EXPECT_FALSE(CheckRequest(quotas, Request{kPods, &best_effort, nullptr}, kNow).ok());
  auto terminating = Pod("{}", "{}", R"("activeDeadlineSeconds":30,)");
  std::vector<json::object> t = {Quota(R"({"pods":"0"})", R"({"pods":"0"})", R"("scopes":["NotTerminating"],)")};
  EXPECT_TRUE(CheckRequest(t, Request{kPods, &terminating, nullptr}, kNow).ok());
  auto pc = Pod("{}", "{}", R"("priorityClassName":"high",)");
  std::vector<json::object> sel = {Quota(R"({"pods":"0"})", R"({"pods":"0"})",
      R"("scopeSelector":{"matchExpressions":[{"scopeName":"PriorityClass","operator":"In","values":["high"]}]},)")};
  EXPECT_FALSE(CheckRequest(sel, Request{kPods, &pc, nullptr}, kNow).ok());
  EXPECT_TRUE(CheckRequest(sel, Request{kPods, &best_effort, nullptr}, kNow).ok());
}

TEST(Quota, ServiceUpdatesAreChargedTheDifference) {
  std::vector<json::object> quotas = {Quota(R"({"services":"1","services.nodeports":"1"})",
                                            R"({"services":"1","services.nodeports":"0"})")};
  auto old = Obj(R"({"metadata":{"name":"s","resourceVersion":"5"},"spec":{"type":"ClusterIP","ports":[{"port":80}]}})");
  auto np = Obj(R"({"metadata":{"name":"s"},"spec":{"type":"NodePort","ports":[{"port":80}]}})");
  auto r = CheckRequest(quotas, Request{kServices, &np, &old}, kNow);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(Text(*(*r)[0]), "services=1,services.nodeports=1");
  auto two = Obj(R"({"metadata":{"name":"s"},"spec":{"type":"NodePort","ports":[{"port":80},{"port":81}]}})");
  auto refused = CheckRequest(quotas, Request{kServices, &two, &old}, kNow);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().message,
            "exceeded quota: q, requested: services.nodeports=2, used: services.nodeports=0, limited: services.nodeports=1");
  // Pods are not charged on update.
  auto pod = Pod(R"({"cpu":"1"})", "{}");
  std::vector<json::object> pq = {Quota(R"({"pods":"0"})", R"({"pods":"0"})")};
  EXPECT_TRUE(CheckRequest(pq, Request{kPods, &pod, &pod}, kNow).ok());
}

TEST(Quota, CalculateUsageRecountsTheNamespace) {
  auto q = Quota(R"({"pods":"5","requests.memory":"1Gi","count/deployments.apps":"2","count/foos.example.com":"1"})",
                 R"({"pods":"9","count/foos.example.com":"3"})");
  auto a = Pod(R"({"memory":"128Mi"})", "{}");
  auto b = Pod(R"({"memory":"128Mi"})", "{}");
  auto done = Pod(R"({"memory":"128Mi"})", "{}");
  done["status"] = json::object{{"phase", "Failed"}};
  std::map<GroupResource, std::vector<const json::object*>> objects;
  objects[kPods] = {&a, &b, &done};
  objects[{"apps", "deployments"}] = {};
  EXPECT_EQ(Text(CalculateUsage(q, objects, kNow)),
            "count/deployments.apps=0,count/foos.example.com=3,pods=2,requests.memory=256Mi");
}

}  // namespace
}  // namespace k1s::api::quota
