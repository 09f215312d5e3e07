// Tests of the Job logic (pure) and of JobController against FakeClient.
#include "server/controllers/job/job.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "lib/client/fake_client.h"

namespace k1s::controllers {
namespace {

using namespace std::chrono_literals;

class TestClock final : public Clock {
 public:
  TimePoint Now() const override { return TimePoint(std::chrono::seconds(now_s_.load())); }
  std::chrono::steady_clock::time_point Monotonic() const override {
    return std::chrono::steady_clock::time_point(std::chrono::seconds(now_s_.load()));
  }
  void Advance(int64_t s) { now_s_ += s; }
  std::atomic<int64_t> now_s_{1'800'000'000};
};

json::object MakeJob(int64_t completions, int64_t parallelism) {
  return json::parse(R"({"apiVersion":"batch/v1","kind":"Job",
    "metadata":{"name":"pi","namespace":"default","uid":"job-uid-1"},
    "spec":{"completions":)" + std::to_string(completions) + R"(,"parallelism":)" + std::to_string(parallelism) +
                     R"(,"backoffLimit":2,"completionMode":"NonIndexed",
      "template":{"metadata":{"labels":{"batch.kubernetes.io/controller-uid":"job-uid-1","batch.kubernetes.io/job-name":"pi"}},
        "spec":{"restartPolicy":"Never","containers":[{"name":"c","image":"busybox"}]}}}})")
      .as_object();
}

std::shared_ptr<const json::object> Pod(const std::string& name, const std::string& phase, bool ready = false,
                                        std::optional<int> index = std::nullopt) {
  json::object p{{"metadata", json::object{{"name", name}, {"namespace", "default"},
                                           {"creationTimestamp", "2027-01-01T00:00:00Z"}}},
                 {"status", json::object{{"phase", phase}}}};
  if (index)
    p["metadata"].as_object()["annotations"] =
        json::object{{job::kCompletionIndexAnnotation, std::to_string(*index)}};
  if (ready)
    p["status"].as_object()["conditions"] = json::array{json::object{{"type", "Ready"}, {"status", "True"}}};
  return std::make_shared<const json::object>(std::move(p));
}

TimePoint T0() { return TimePoint(std::chrono::seconds(1'800'000'000)); }

TEST(JobLogic, NewJobCreatesParallelismPodsAndSetsStartTime) {
  auto plan = job::PlanJob(MakeJob(5, 2), {}, T0());
  EXPECT_EQ(plan.create_count, 2);
  EXPECT_EQ(plan.status.at("active").as_int64(), 2);
  EXPECT_EQ(plan.status.at("startTime").as_string(), TimeString(T0()));
}

TEST(JobLogic, CreatesOnlyWhatRemainingCompletionsNeed) {
  auto plan = job::PlanJob(MakeJob(3, 3), {Pod("a", "Succeeded"), Pod("b", "Succeeded"), Pod("c", "Running")}, T0());
  EXPECT_EQ(plan.create_count, 0);
  EXPECT_EQ(plan.status.at("succeeded").as_int64(), 2);
  EXPECT_EQ(plan.status.at("active").as_int64(), 1);
}

TEST(JobLogic, ReachingCompletionsSetsSuccessCriteriaMetThenComplete) {
  auto plan = job::PlanJob(MakeJob(2, 1), {Pod("a", "Succeeded"), Pod("b", "Succeeded")}, T0());
  EXPECT_EQ(plan.finished, "Complete");
  json::object j = MakeJob(2, 1);
  j["status"] = plan.status;
  EXPECT_TRUE(job::IsFinished(j));
  const json::object* c = FindCondition(j, "SuccessCriteriaMet");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(StrAt(*c, "reason"), "CompletionsReached");
  EXPECT_EQ(plan.status.at("completionTime").as_string(), TimeString(T0()));
}

TEST(JobLogic, CompleteWaitsForTerminatingPods) {
  json::object term = *Pod("t", "Running");
  term["metadata"].as_object()["deletionTimestamp"] = "2027-01-01T00:00:00Z";
  auto plan = job::PlanJob(MakeJob(1, 2), {Pod("a", "Succeeded"), std::make_shared<const json::object>(term)}, T0());
  EXPECT_EQ(plan.finished, "");
  json::object j = MakeJob(1, 2);
  j["status"] = plan.status;
  EXPECT_NE(FindCondition(j, "SuccessCriteriaMet"), nullptr);
  EXPECT_EQ(FindCondition(j, "Complete"), nullptr);
}

TEST(JobLogic, TooManyFailuresFailsWithBackoffLimitExceeded) {
  auto plan = job::PlanJob(MakeJob(5, 1), {Pod("a", "Failed"), Pod("b", "Failed"), Pod("c", "Failed")}, T0());
  EXPECT_EQ(plan.finished, "Failed");
  EXPECT_EQ(plan.failure_reason, "BackoffLimitExceeded");
  EXPECT_EQ(plan.create_count, 0);
  EXPECT_EQ(plan.status.at("failed").as_int64(), 3);
}

TEST(JobLogic, FailureWithinLimitWaitsForBackoffBeforeReplacing) {
  auto plan = job::PlanJob(MakeJob(1, 1), {Pod("a", "Failed")}, TimePoint(std::chrono::seconds(1'798'761'605)));
  // The failed pod was created at 2027-01-01T00:00:00Z = 1798761600: 5 s of the 10 s backoff have passed.
  EXPECT_EQ(plan.create_count, 0);
  ASSERT_TRUE(plan.requeue_after);
  EXPECT_EQ(*plan.requeue_after, 5000ms);
  auto later = job::PlanJob(MakeJob(1, 1), {Pod("a", "Failed")}, TimePoint(std::chrono::seconds(1'798'761'611)));
  EXPECT_EQ(later.create_count, 1);
}

TEST(JobLogic, ActiveDeadlineExceededDeletesPodsAndFails) {
  json::object j = MakeJob(1, 1);
  j["spec"].as_object()["activeDeadlineSeconds"] = 30;
  j["status"] = json::object{{"startTime", TimeString(T0())}};
  auto early = job::PlanJob(j, {Pod("a", "Running")}, T0() + 10s);
  EXPECT_EQ(early.finished, "");
  ASSERT_TRUE(early.requeue_after);
  EXPECT_EQ(*early.requeue_after, 20000ms);
  auto late = job::PlanJob(j, {Pod("a", "Running")}, T0() + 31s);
  EXPECT_EQ(late.delete_pods, std::vector<std::string>{"a"});
  EXPECT_EQ(late.finished, "");  // waits for the pod to go
  auto gone = job::PlanJob(j, {}, T0() + 32s);
  EXPECT_EQ(gone.finished, "Failed");
  EXPECT_EQ(gone.failure_reason, "DeadlineExceeded");
}

TEST(JobLogic, SuspendDeletesActivePodsAndSetsCondition) {
  json::object j = MakeJob(3, 2);
  j["spec"].as_object()["suspend"] = true;
  auto plan = job::PlanJob(j, {Pod("a", "Running"), Pod("b", "Pending")}, T0());
  EXPECT_EQ(plan.delete_pods.size(), 2u);
  EXPECT_EQ(plan.create_count, 0);
  j["status"] = plan.status;
  const json::object* c = FindCondition(j, "Suspended");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(StrAt(*c, "status"), "True");
}

TEST(JobLogic, IndexedJobCreatesMissingIndexesAndTracksCompletedOnes) {
  json::object j = MakeJob(4, 2);
  j["spec"].as_object()["completionMode"] = "Indexed";
  auto plan = job::PlanJob(j, {Pod("a", "Succeeded", false, 0), Pod("b", "Running", true, 2)}, T0());
  EXPECT_EQ(plan.create_indexes, std::vector<int>{1});
  EXPECT_EQ(plan.status.at("completedIndexes").as_string(), "0");
  EXPECT_EQ(plan.status.at("ready").as_int64(), 1);
}

TEST(JobLogic, IndexedPodHasIndexAnnotationHostnameAndEnv) {
  json::object j = MakeJob(4, 2);
  auto pod = job::NewJobPod(j, 3);
  EXPECT_EQ(pod.at("metadata").at("generateName").as_string(), "pi-3-");
  EXPECT_EQ(pod.at("metadata").at("annotations").at(job::kCompletionIndexAnnotation).as_string(), "3");
  EXPECT_EQ(pod.at("spec").at("hostname").as_string(), "pi-3");
  EXPECT_EQ(pod.at("spec").at("containers").at(0).at("env").at(0).at("name").as_string(), "JOB_COMPLETION_INDEX");
  EXPECT_EQ(pod.at("metadata").at("ownerReferences").at(0).at("kind").as_string(), "Job");
  EXPECT_TRUE(pod.at("metadata").at("ownerReferences").at(0).at("controller").as_bool());
}

TEST(JobLogic, IndexRangesRoundTrip) {
  EXPECT_EQ(job::FormatIndexes({0, 1, 2, 4, 6, 7}), "0-2,4,6-7");
  EXPECT_EQ(job::ParseIndexes("0-2,4,6-7"), (std::set<int>{0, 1, 2, 4, 6, 7}));
  EXPECT_EQ(job::FormatIndexes({}), "");
}

TEST(JobLogic, TtlExpiryCountsFromCompletionTime) {
  json::object j = MakeJob(1, 1);
  j["spec"].as_object()["ttlSecondsAfterFinished"] = 100;
  auto plan = job::PlanJob(j, {Pod("a", "Succeeded")}, T0());
  j["status"] = plan.status;
  ASSERT_TRUE(job::TtlExpiry(j));
  EXPECT_EQ(*job::TtlExpiry(j), T0() + 100s);
}

TEST(JobLogic, HugeDeadlinesAndTtlsMeanFarInTheFutureWithoutOverflow) {
  json::object j = MakeJob(1, 1);
  j["spec"].as_object()["activeDeadlineSeconds"] = INT64_MAX;
  j["status"] = json::object{{"startTime", TimeString(T0())}};
  auto plan = job::PlanJob(j, {Pod("a", "Running")}, T0() + 10s);
  EXPECT_EQ(plan.finished, "");
  ASSERT_TRUE(plan.requeue_after);
  EXPECT_GT(*plan.requeue_after, std::chrono::hours(24 * 365));
  json::object done = MakeJob(1, 1);
  done["spec"].as_object()["ttlSecondsAfterFinished"] = INT64_MAX;
  done["status"] = job::PlanJob(done, {Pod("a", "Succeeded")}, T0()).status;
  ASSERT_TRUE(job::TtlExpiry(done));
  EXPECT_GT(*job::TtlExpiry(done), T0() + std::chrono::hours(24 * 365 * 50));
}

TEST(SelectorLogic, MatchLabelsAndExpressions) {
  json::object sel = json::parse(R"({"matchLabels":{"app":"a"},
    "matchExpressions":[{"key":"tier","operator":"In","values":["x","y"]},{"key":"gone","operator":"DoesNotExist"}]})")
                         .as_object();
  EXPECT_TRUE(SelectorMatches(sel, {{"app", "a"}, {"tier", "y"}}));
  EXPECT_FALSE(SelectorMatches(sel, {{"app", "a"}, {"tier", "z"}}));
  EXPECT_FALSE(SelectorMatches(sel, {{"app", "a"}, {"tier", "x"}, {"gone", "1"}}));
  EXPECT_TRUE(SelectorMatches(json::object(), {}));
}

// ---- controller against FakeClient ----

template <typename F>
bool WaitFor(F pred) {
  for (int i = 0; i < 400; ++i) {
    if (pred()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return false;
}

struct JobFixture : ::testing::Test {
  client::FakeClient fake;
  client::SharedInformerFactory factory{fake, client::InformerOptions{.poll_interval = 50ms}};
  client::EventRecorder events{fake, "job-controller"};
  TestClock clock;
  JobController ctl{ControllerContext{fake, factory, events}, clock};
  void SetUp() override {
    factory.Start();
    ASSERT_TRUE(factory.WaitForSync(5s));
  }
  std::vector<json::object> JobPods() {
    auto l = fake.List(client::kPods, "default");
    return l.ok() ? l->items : std::vector<json::object>{};
  }
  void SetPhase(const std::string& name, const std::string& phase, bool ready) {
    auto p = fake.Get(client::kPods, "default", name);
    ASSERT_TRUE(p.ok());
    json::object pod = *p;
    json::object st{{"phase", phase}};
    st["conditions"] = json::array{json::object{{"type", "Ready"}, {"status", ready ? "True" : "False"}}};
    pod["status"] = st;
    ASSERT_TRUE(fake.UpdateStatus(client::kPods, "default", name, pod).ok());
  }
  // Reconciles once the informer caches show the fake's current revision.
  void Sync() {
    std::string rv = std::to_string(fake.Revision());
    ASSERT_TRUE(WaitFor([&] {
      auto a = factory.For(client::kPods).LastSyncResourceVersion();
      auto b = factory.For(client::kJobs).LastSyncResourceVersion();
      return std::stoll(a.empty() ? "0" : a) >= std::stoll(rv) || std::stoll(b.empty() ? "0" : b) >= std::stoll(rv);
    }));
    std::this_thread::sleep_for(60ms);
    ASSERT_TRUE(ctl.Reconcile("default/pi").ok());
  }
  json::object GetJob() { return *fake.Get(client::kJobs, "default", "pi"); }
};

TEST_F(JobFixture, RunsPodsToCompletionAndRecordsEvents) {
  ASSERT_TRUE(fake.Create(client::kJobs, "default", MakeJob(2, 1)).ok());
  Sync();
  auto pods = JobPods();
  ASSERT_EQ(pods.size(), 1u);
  EXPECT_EQ(pods[0].at("metadata").at("generateName").as_string(), "pi-");
  Sync();  // nothing new while the pod runs
  EXPECT_EQ(JobPods().size(), 1u);
  SetPhase(MetaString(pods[0], "name"), "Succeeded", false);
  Sync();
  ASSERT_EQ(JobPods().size(), 2u);
  EXPECT_EQ(GetJob().at("status").at("succeeded").as_int64(), 1);
  for (const auto& p : JobPods())
    if (PodPhase(p) != "Succeeded") SetPhase(MetaString(p, "name"), "Succeeded", false);
  Sync();
  json::object j = GetJob();
  EXPECT_TRUE(job::IsFinished(j));
  EXPECT_EQ(j.at("status").at("succeeded").as_int64(), 2);
  events.Flush();
  auto evs = fake.List(client::kEvents, "default");
  ASSERT_TRUE(evs.ok());
  std::set<std::string> reasons;
  for (const auto& e : evs->items) reasons.insert(StrAt(e, "reason"));
  EXPECT_TRUE(reasons.count("SuccessfulCreate"));
  EXPECT_TRUE(reasons.count("Completed"));
}

TEST_F(JobFixture, FailedPodsBeyondBackoffLimitFailTheJob) {
  ASSERT_TRUE(fake.Create(client::kJobs, "default", MakeJob(1, 1)).ok());
  for (int round = 0; round < 3; ++round) {
    Sync();
    for (const auto& p : JobPods())
      if (PodPhase(p) != "Failed") SetPhase(MetaString(p, "name"), "Failed", false);
    clock.Advance(400);  // past the failure backoff
  }
  Sync();
  json::object j = GetJob();
  const json::object* failed = FindCondition(j, "Failed");
  ASSERT_NE(failed, nullptr);
  EXPECT_EQ(StrAt(*failed, "reason"), "BackoffLimitExceeded");
  EXPECT_EQ(j.at("status").at("failed").as_int64(), 3);
}

TEST_F(JobFixture, FinishedJobIsDeletedAfterTtl) {
  json::object j = MakeJob(1, 1);
  j["spec"].as_object()["ttlSecondsAfterFinished"] = 60;
  ASSERT_TRUE(fake.Create(client::kJobs, "default", j).ok());
  Sync();
  SetPhase(MetaString(JobPods().at(0), "name"), "Succeeded", false);
  Sync();
  ASSERT_TRUE(job::IsFinished(GetJob()));
  Sync();
  EXPECT_TRUE(fake.Get(client::kJobs, "default", "pi").ok());
  clock.Advance(61);
  Sync();
  EXPECT_FALSE(fake.Get(client::kJobs, "default", "pi").ok());
}

}  // namespace
}  // namespace k1s::controllers
