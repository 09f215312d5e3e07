#include "server/controllers/component_args.h"

#include <gtest/gtest.h>

namespace k1s::controllers {
namespace {

using std::chrono::milliseconds;

TEST(ParseGoDuration, ReadsGoDurations) {
  EXPECT_EQ(*ParseGoDuration("40s"), milliseconds(40000));
  EXPECT_EQ(*ParseGoDuration("1m30s"), milliseconds(90000));
  EXPECT_EQ(*ParseGoDuration("500ms"), milliseconds(500));
  EXPECT_EQ(*ParseGoDuration("1.5h"), milliseconds(5400000));
  EXPECT_EQ(*ParseGoDuration("0"), milliseconds(0));
  for (const char* bad : {"", "40", "s", "10 s", "-5s", "5x"}) EXPECT_FALSE(ParseGoDuration(bad).ok()) << bad;
}

TEST(ComponentArgs, AppliesControllerManagerArgs) {
  ControllerManagerOptions o;
  ASSERT_TRUE(ApplyControllerManagerArgs({"node-monitor-grace-period=20s", "--node-monitor-period=1s",
                                          "node-startup-grace-period=30s", "terminated-pod-gc-threshold=10",
                                          "concurrent-syncs=4", "leader-elect=false",
                                          "leader-elect-lease-duration=30s"},
                                         &o)
                  .ok());
  EXPECT_EQ(o.node_lifecycle.grace_period, milliseconds(20000));
  EXPECT_EQ(o.node_lifecycle.monitor_period, milliseconds(1000));
  EXPECT_EQ(o.node_lifecycle.startup_grace_period, milliseconds(30000));
  EXPECT_EQ(o.pod_gc.terminated_pod_threshold, 10);
  EXPECT_EQ(o.workers, 4);
  EXPECT_FALSE(o.controller_manager_election.enabled);
  EXPECT_EQ(o.controller_manager_election.lease_duration, milliseconds(30000));
  EXPECT_TRUE(o.scheduler_election.enabled);  // untouched
}

TEST(ComponentArgs, RefusesUnknownKeysAndBadValuesNamingThem) {
  ControllerManagerOptions o;
  auto r = ApplyControllerManagerArgs({"pod-eviction-timeout=30s"}, &o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("\"pod-eviction-timeout\" is not supported; k1s accepts: node-monitor-period"),
            std::string::npos)
      << r.error().message;
  r = ApplyControllerManagerArgs({"node-monitor-grace-period=soon"}, &o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("node-monitor-grace-period: invalid duration \"soon\""), std::string::npos)
      << r.error().message;
  EXPECT_FALSE(ApplyControllerManagerArgs({"leader-elect"}, &o).ok());  // no value
  EXPECT_FALSE(ApplyControllerManagerArgs({"leader-elect=maybe"}, &o).ok());
  EXPECT_FALSE(ApplyControllerManagerArgs({"concurrent-syncs=0"}, &o).ok());
  EXPECT_TRUE(ApplySchedulerArgs({"leader-elect=false"}, &o).ok());
  EXPECT_FALSE(o.scheduler_election.enabled);
  r = ApplySchedulerArgs({"node-monitor-period=1s"}, &o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("--kube-scheduler-arg \"node-monitor-period\" is not supported"), std::string::npos);
}

}  // namespace
}  // namespace k1s::controllers
