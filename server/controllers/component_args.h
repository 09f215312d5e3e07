// Component arguments: the `--kube-controller-manager-arg key=value` and `--kube-scheduler-arg
// key=value` flags of `k1s server` (k3s's names), applied to the options of the in-process
// controller manager and scheduler. Only the upstream flags k1s acts on are accepted; any other key
// is an error naming the accepted ones, so a typo never passes silently. Pure functions, any thread.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "lib/base/result.h"
#include "server/controllers/manager.h"

namespace k1s::controllers {

// A Go duration ("300ms", "40s", "1m30s", "2h"): Go's time.ParseDuration for the units people use
// (ns, us, ms, s, m, h; fractions allowed). Negative durations are refused.
Result<std::chrono::milliseconds> ParseGoDuration(const std::string& text);

// Applies "key=value" (a leading "--" is allowed) controller-manager arguments: node-monitor-period,
// node-monitor-grace-period, node-startup-grace-period, terminated-pod-gc-threshold, leader-elect,
// leader-elect-lease-duration, leader-elect-renew-deadline, leader-elect-retry-period, concurrent-syncs
// (worker threads per controller).
Status ApplyControllerManagerArgs(const std::vector<std::string>& args, ControllerManagerOptions* options);
// The same for scheduler arguments: leader-elect and the three leader-elect-* durations.
Status ApplySchedulerArgs(const std::vector<std::string>& args, ControllerManagerOptions* options);

}  // namespace k1s::controllers
