#include "server/controllers/component_args.h"

#include <cmath>
#include <cstdlib>
#include <map>

namespace k1s::controllers {

Result<std::chrono::milliseconds> ParseGoDuration(const std::string& text) {
  static const std::map<std::string, double> kUnitMs = {{"ns", 1e-6}, {"us", 1e-3}, {"µs", 1e-3}, {"ms", 1},
                                                        {"s", 1e3},   {"m", 6e4},   {"h", 3.6e6}};
  auto bad = [&] { return Fail(ErrorCode::kBadRequest, "invalid duration \"" + text + "\" (e.g. 40s, 1m30s, 500ms)"); };
  if (text == "0") return std::chrono::milliseconds(0);
  if (text.empty()) return bad();
  double total = 0;
  size_t i = 0;
  while (i < text.size()) {
    size_t start = i;
    while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) ++i;
    if (i == start) return bad();
    double number = std::strtod(text.substr(start, i - start).c_str(), nullptr);
    size_t unit_start = i;
    while (i < text.size() && !std::isdigit(static_cast<unsigned char>(text[i])) && text[i] != '.') ++i;
    auto unit = kUnitMs.find(text.substr(unit_start, i - unit_start));
    if (unit == kUnitMs.end()) return bad();
    total += number * unit->second;
  }
  return std::chrono::milliseconds(static_cast<int64_t>(std::llround(total)));
}

namespace {

struct KeyValue {
  std::string key, value;
};

Result<KeyValue> Split(const std::string& arg, const char* flag) {
  std::string a = arg.rfind("--", 0) == 0 ? arg.substr(2) : arg;
  auto eq = a.find('=');
  if (eq == std::string::npos || eq == 0) {
    return Fail(ErrorCode::kBadRequest,
                std::string("--") + flag + " \"" + arg + "\": expected key=value, e.g. node-monitor-grace-period=20s");
  }
  return KeyValue{a.substr(0, eq), a.substr(eq + 1)};
}

Result<bool> ParseBool(const KeyValue& kv, const char* flag) {
  if (kv.value == "true" || kv.value == "1") return true;
  if (kv.value == "false" || kv.value == "0") return false;
  return Fail(ErrorCode::kBadRequest,
              std::string("--") + flag + " " + kv.key + "=" + kv.value + ": expected true or false");
}

Result<std::chrono::milliseconds> Duration(const KeyValue& kv, const char* flag) {
  auto d = ParseGoDuration(kv.value);
  if (!d.ok()) return Fail(ErrorCode::kBadRequest, std::string("--") + flag + " " + kv.key + ": " + d.error().message);
  return *d;
}

// The leader-election keys both components share; false when key is not one of them.
Result<bool> ApplyLeaderElection(const KeyValue& kv, const char* flag, LeaderElectionOptions* le) {
  if (kv.key == "leader-elect") {
    K1S_ASSIGN_OR_RETURN(le->enabled, ParseBool(kv, flag));
  } else if (kv.key == "leader-elect-lease-duration") {
    K1S_ASSIGN_OR_RETURN(le->lease_duration, Duration(kv, flag));
  } else if (kv.key == "leader-elect-renew-deadline") {
    K1S_ASSIGN_OR_RETURN(le->renew_deadline, Duration(kv, flag));
  } else if (kv.key == "leader-elect-retry-period") {
    K1S_ASSIGN_OR_RETURN(le->retry_period, Duration(kv, flag));
  } else {
    return false;
  }
  return true;
}

}  // namespace

Status ApplyControllerManagerArgs(const std::vector<std::string>& args, ControllerManagerOptions* o) {
  constexpr const char* kFlag = "kube-controller-manager-arg";
  for (const auto& arg : args) {
    K1S_ASSIGN_OR_RETURN(auto kv, Split(arg, kFlag));
    K1S_ASSIGN_OR_RETURN(bool done, ApplyLeaderElection(kv, kFlag, &o->controller_manager_election));
    if (done) continue;
    if (kv.key == "node-monitor-period") {
      K1S_ASSIGN_OR_RETURN(o->node_lifecycle.monitor_period, Duration(kv, kFlag));
    } else if (kv.key == "node-monitor-grace-period") {
      K1S_ASSIGN_OR_RETURN(o->node_lifecycle.grace_period, Duration(kv, kFlag));
    } else if (kv.key == "node-startup-grace-period") {
      K1S_ASSIGN_OR_RETURN(o->node_lifecycle.startup_grace_period, Duration(kv, kFlag));
    } else if (kv.key == "terminated-pod-gc-threshold" || kv.key == "concurrent-syncs") {
      char* end = nullptr;
      long n = std::strtol(kv.value.c_str(), &end, 10);
      if (kv.value.empty() || *end != '\0' || (kv.key == "concurrent-syncs" && (n < 1 || n > 64))) {
        return Fail(ErrorCode::kBadRequest, std::string("--") + kFlag + " " + kv.key + "=" + kv.value +
                                                     ": expected " + (kv.key == "concurrent-syncs" ? "1..64" : "an integer"));
      }
      if (kv.key == "concurrent-syncs") o->workers = static_cast<int>(n);
      else o->pod_gc.terminated_pod_threshold = static_cast<int>(n);
    } else {
      return Fail(ErrorCode::kBadRequest,
                  std::string("--") + kFlag + " \"" + kv.key + "\" is not supported; k1s accepts: node-monitor-period, "
                  "node-monitor-grace-period, node-startup-grace-period, terminated-pod-gc-threshold, concurrent-syncs, "
                  "leader-elect, leader-elect-lease-duration, leader-elect-renew-deadline, leader-elect-retry-period");
    }
  }
  return OkStatus();
}

Status ApplySchedulerArgs(const std::vector<std::string>& args, ControllerManagerOptions* o) {
  constexpr const char* kFlag = "kube-scheduler-arg";
  for (const auto& arg : args) {
    K1S_ASSIGN_OR_RETURN(auto kv, Split(arg, kFlag));
    K1S_ASSIGN_OR_RETURN(bool done, ApplyLeaderElection(kv, kFlag, &o->scheduler_election));
    if (!done) {
      return Fail(ErrorCode::kBadRequest,
                  std::string("--") + kFlag + " \"" + kv.key + "\" is not supported; k1s accepts: leader-elect, "
                  "leader-elect-lease-duration, leader-elect-renew-deadline, leader-elect-retry-period");
    }
  }
  return OkStatus();
}

}  // namespace k1s::controllers
