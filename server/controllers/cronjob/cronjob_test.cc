// Tests of the CronJob logic (schedules, time zones, plans) and CronJobController against FakeClient.
#include "server/controllers/cronjob/cronjob.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "lib/base/strings.h"
#include "lib/client/fake_client.h"

namespace k1s::controllers {
namespace {

using namespace std::chrono_literals;

TimePoint At(const char* rfc3339) { return *ParseTime(rfc3339); }

TEST(CronSchedule, EveryFiveMinutes) {
  auto s = cronjob::Schedule::Parse("*/5 * * * *");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(TimeString(*s->Next(At("2027-03-01T10:02:30Z"), cronjob::TimeZone::Utc())), "2027-03-01T10:05:00Z");
  EXPECT_EQ(TimeString(*s->Next(At("2027-03-01T10:05:00Z"), cronjob::TimeZone::Utc())), "2027-03-01T10:10:00Z");
}

TEST(CronSchedule, MacrosNamesAndRanges) {
  auto hourly = cronjob::Schedule::Parse("@hourly");
  ASSERT_TRUE(hourly.ok());
  EXPECT_EQ(TimeString(*hourly->Next(At("2027-03-01T10:02:00Z"), cronjob::TimeZone::Utc())), "2027-03-01T11:00:00Z");
  auto weekdays = cronjob::Schedule::Parse("30 8 * JAN-MAR mon-fri");
  ASSERT_TRUE(weekdays.ok());
  // 2027-03-06 is a Saturday: next is Monday the 8th.
  EXPECT_EQ(TimeString(*weekdays->Next(At("2027-03-05T09:00:00Z"), cronjob::TimeZone::Utc())), "2027-03-08T08:30:00Z");
  // Out of the months: next January.
  EXPECT_EQ(TimeString(*weekdays->Next(At("2027-03-31T09:00:00Z"), cronjob::TimeZone::Utc())), "2028-01-03T08:30:00Z");
}

TEST(CronSchedule, DayOfMonthOrDayOfWeekWhenBothRestricted) {
  auto s = cronjob::Schedule::Parse("0 0 13 * 5");  // the 13th or any Friday
  ASSERT_TRUE(s.ok());
  // 2027-03-05 is a Friday.
  EXPECT_EQ(TimeString(*s->Next(At("2027-03-01T00:00:00Z"), cronjob::TimeZone::Utc())), "2027-03-05T00:00:00Z");
  EXPECT_EQ(TimeString(*s->Next(At("2027-03-12T00:00:00Z"), cronjob::TimeZone::Utc())), "2027-03-13T00:00:00Z");
}

TEST(CronSchedule, RejectsMalformedSchedules) {
  EXPECT_FALSE(cronjob::Schedule::Parse("* * * *").ok());
  EXPECT_FALSE(cronjob::Schedule::Parse("61 * * * *").ok());
  EXPECT_FALSE(cronjob::Schedule::Parse("@fortnightly").ok());
  EXPECT_FALSE(cronjob::Schedule::Parse("*/0 * * * *").ok());
}

TEST(CronTimeZone, NewYorkFollowsDaylightSaving) {
  auto tz = cronjob::TimeZone::Load("America/New_York");
  ASSERT_TRUE(tz.ok()) << tz.error().ToString();
  EXPECT_EQ(tz->OffsetAt(At("2027-01-15T12:00:00Z")), -5h);
  EXPECT_EQ(tz->OffsetAt(At("2027-07-15T12:00:00Z")), -4h);
  auto s = cronjob::Schedule::Parse("0 9 * * *");
  EXPECT_EQ(TimeString(*s->Next(At("2027-01-15T00:00:00Z"), *tz)), "2027-01-15T14:00:00Z");
  EXPECT_EQ(TimeString(*s->Next(At("2027-07-15T00:00:00Z"), *tz)), "2027-07-15T13:00:00Z");
  EXPECT_FALSE(cronjob::TimeZone::Load("Mars/Olympus").ok());
  EXPECT_FALSE(cronjob::TimeZone::Load("../etc/passwd").ok());
}

json::object MakeCronJob(const std::string& policy = "Allow") {
  return json::parse(R"({"apiVersion":"batch/v1","kind":"CronJob",
    "metadata":{"name":"tick","namespace":"default","uid":"cj-uid","creationTimestamp":"2027-03-01T10:00:30Z"},
    "spec":{"schedule":"*/5 * * * *","concurrencyPolicy":")" + policy + R"(","suspend":false,
      "successfulJobsHistoryLimit":1,"failedJobsHistoryLimit":1,
      "jobTemplate":{"metadata":{"labels":{"team":"a"}},"spec":{"template":{"spec":{"restartPolicy":"OnFailure",
        "containers":[{"name":"c","image":"busybox"}]}}}}}})")
      .as_object();
}

std::shared_ptr<const json::object> OwnedJob(const std::string& name, const std::string& finished,
                                             const std::string& start = "2027-03-01T10:00:00Z") {
  json::object j{{"metadata", json::object{{"name", name}, {"namespace", "default"}, {"uid", name + "-uid"}}},
                 {"status", json::object{{"startTime", start}}}};
  if (!finished.empty()) {
    j["status"].as_object()["conditions"] =
        json::array{json::object{{"type", finished}, {"status", "True"}, {"lastTransitionTime", start}}};
    if (finished == "Complete") j["status"].as_object()["completionTime"] = start;
  }
  return std::make_shared<const json::object>(std::move(j));
}

TEST(CronPlanTest, CreatesTheJobForTheLatestDueTimeAndRequeuesForTheNext) {
  auto s = *cronjob::Schedule::Parse("*/5 * * * *");
  auto plan = cronjob::PlanCronJob(MakeCronJob(), {}, s, cronjob::TimeZone::Utc(), At("2027-03-01T10:11:00Z"));
  ASSERT_TRUE(plan.create_for);
  EXPECT_EQ(TimeString(*plan.create_for), "2027-03-01T10:10:00Z");
  EXPECT_EQ(plan.status.at("lastScheduleTime").as_string(), "2027-03-01T10:10:00Z");
  ASSERT_TRUE(plan.requeue_after);
  EXPECT_EQ(*plan.requeue_after, 4min);
  json::object job = cronjob::NewJob(MakeCronJob(), *plan.create_for);
  EXPECT_EQ(MetaString(job, "name"), "tick-" + std::to_string(std::chrono::duration_cast<std::chrono::minutes>(
                                                           plan.create_for->time_since_epoch()).count()));
  EXPECT_EQ(job.at("metadata").at("labels").at("team").as_string(), "a");
  EXPECT_EQ(job.at("metadata").at("ownerReferences").at(0).at("kind").as_string(), "CronJob");
}

TEST(CronPlanTest, NothingDueMeansOnlyARequeue) {
  auto s = *cronjob::Schedule::Parse("*/5 * * * *");
  auto plan = cronjob::PlanCronJob(MakeCronJob(), {}, s, cronjob::TimeZone::Utc(), At("2027-03-01T10:03:00Z"));
  EXPECT_FALSE(plan.create_for);
  EXPECT_EQ(*plan.requeue_after, 2min);
}

TEST(CronPlanTest, ForbidSkipsWhileAJobRunsAndReplaceDeletesIt) {
  auto s = *cronjob::Schedule::Parse("*/5 * * * *");
  PodList running{OwnedJob("tick-1", "")};
  auto forbid = cronjob::PlanCronJob(MakeCronJob("Forbid"), running, s, cronjob::TimeZone::Utc(), At("2027-03-01T10:06:00Z"));
  EXPECT_FALSE(forbid.create_for);
  ASSERT_EQ(forbid.events.size(), 1u);
  EXPECT_EQ(forbid.events[0].reason, "JobAlreadyActive");
  EXPECT_EQ(forbid.status.at("active").as_array().size(), 1u);
  auto replace = cronjob::PlanCronJob(MakeCronJob("Replace"), running, s, cronjob::TimeZone::Utc(), At("2027-03-01T10:06:00Z"));
  EXPECT_TRUE(replace.create_for);
  EXPECT_EQ(replace.delete_active, std::vector<std::string>{"tick-1"});
}

TEST(CronPlanTest, StartingDeadlinePassedMissesTheSchedule) {
  auto s = *cronjob::Schedule::Parse("*/5 * * * *");
  json::object cj = MakeCronJob();
  cj["spec"].as_object()["startingDeadlineSeconds"] = 30;
  auto plan = cronjob::PlanCronJob(cj, {}, s, cronjob::TimeZone::Utc(), At("2027-03-01T10:06:00Z"));
  EXPECT_FALSE(plan.create_for);
  auto ok = cronjob::PlanCronJob(cj, {}, s, cronjob::TimeZone::Utc(), At("2027-03-01T10:05:20Z"));
  EXPECT_TRUE(ok.create_for);
}

TEST(CronPlanTest, SuspendCreatesNothing) {
  auto s = *cronjob::Schedule::Parse("*/5 * * * *");
  json::object cj = MakeCronJob();
  cj["spec"].as_object()["suspend"] = true;
  auto plan = cronjob::PlanCronJob(cj, {}, s, cronjob::TimeZone::Utc(), At("2027-03-01T10:11:00Z"));
  EXPECT_FALSE(plan.create_for);
}

TEST(CronPlanTest, HistoryLimitsDeleteTheOldestFinishedJobs) {
  auto s = *cronjob::Schedule::Parse("*/5 * * * *");
  PodList jobs{OwnedJob("old-ok", "Complete", "2027-03-01T09:00:00Z"), OwnedJob("new-ok", "Complete", "2027-03-01T09:30:00Z"),
               OwnedJob("old-bad", "Failed", "2027-03-01T09:00:00Z"), OwnedJob("new-bad", "Failed", "2027-03-01T09:30:00Z")};
  auto plan = cronjob::PlanCronJob(MakeCronJob(), jobs, s, cronjob::TimeZone::Utc(), At("2027-03-01T10:03:00Z"));
  EXPECT_EQ(plan.delete_history, (std::vector<std::string>{"old-ok", "old-bad"}));
  EXPECT_EQ(plan.status.at("lastSuccessfulTime").as_string(), "2027-03-01T09:30:00Z");
}

class TestClock final : public Clock {
 public:
  TimePoint Now() const override { return TimePoint(std::chrono::seconds(now_s_.load())); }
  std::chrono::steady_clock::time_point Monotonic() const override { return {}; }
  std::atomic<int64_t> now_s_{0};
};

TEST(CronJobControllerTest, CreatesOneJobPerDueTime) {
  client::FakeClient fake;
  client::SharedInformerFactory factory{fake, client::InformerOptions{.poll_interval = 50ms}};
  client::EventRecorder events{fake, "cronjob-controller"};
  TestClock clock;
  CronJobController ctl{ControllerContext{fake, factory, events}, clock};
  factory.Start();
  ASSERT_TRUE(factory.WaitForSync(5s));
  auto created = fake.Create(client::kCronJobs, "default", MakeCronJob());
  ASSERT_TRUE(created.ok());
  // The fake stamps creationTimestamp with the real time: run the test clock from there.
  clock.now_s_ = std::chrono::duration_cast<std::chrono::seconds>(
                     ParseTime(MetaString(*created, "creationTimestamp"))->time_since_epoch()).count() + 600;
  auto wait_cache = [&] {
    int64_t rv = fake.Revision();
    for (int i = 0; i < 300; ++i) {
      auto a = factory.For(client::kCronJobs).LastSyncResourceVersion();
      auto b = factory.For(client::kJobs).LastSyncResourceVersion();
      if ((!a.empty() && std::stoll(a) >= rv) || (!b.empty() && std::stoll(b) >= rv)) break;
      std::this_thread::sleep_for(10ms);
    }
    std::this_thread::sleep_for(60ms);
  };
  wait_cache();
  ASSERT_TRUE(ctl.Reconcile("default/tick").ok());
  wait_cache();
  ASSERT_TRUE(ctl.Reconcile("default/tick").ok());  // the same due time: no second job
  auto jobs = fake.List(client::kJobs, "default");
  ASSERT_EQ(jobs->items.size(), 1u);
  EXPECT_TRUE(StartsWith(MetaString(jobs->items[0], "name"), "tick-"));
  json::object cj = *fake.Get(client::kCronJobs, "default", "tick");
  EXPECT_EQ(cj.at("status").at("active").as_array().size(), 1u);
  EXPECT_FALSE(StrAt(cj.at("status").as_object(), "lastScheduleTime").empty());
}

}  // namespace
}  // namespace k1s::controllers
