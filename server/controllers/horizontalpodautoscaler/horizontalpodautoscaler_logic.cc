#include "server/controllers/horizontalpodautoscaler/horizontalpodautoscaler_logic.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "lib/api/quantity.h"
#include "lib/base/clock.h"
#include "server/controllers/replicaset/replicaset_logic.h"

namespace k1s::controllers::hpa {

using api::ObjAt;
using api::StrAt;
using replicaset::IntAt;

namespace {

std::string Join(const std::vector<std::string>& parts, const std::string& sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? sep : "") + parts[i];
  return out;
}

// upstream GetResourceUtilizationRatio over the pods in `usage` (pod -> usage) with their requests.
Result<std::pair<double, Proposal>> UtilizationRatio(const std::map<std::string, int64_t>& usage,
                                                     const std::map<std::string, int64_t>& requests,
                                                     int32_t target_utilization) {
  int64_t metrics_total = 0, requests_total = 0, entries = 0;
  for (const auto& [name, value] : usage) {
    auto r = requests.find(name);
    if (r == requests.end()) continue;
    metrics_total += value;
    requests_total += r->second;
    ++entries;
  }
  if (requests_total == 0) return Fail(ErrorCode::kInternal, "no metrics returned matched known pods");
  Proposal p;
  p.utilization = static_cast<int32_t>((metrics_total * 100) / requests_total);
  p.raw_average = metrics_total / entries;
  return std::make_pair(static_cast<double>(p.utilization) / static_cast<double>(target_utilization), p);
}

}  // namespace

// ---- The target's scale ----

Result<client::Resource> TargetResource(const json::object& hpa) {
  const std::string api_version = StrAt(hpa, {"spec", "scaleTargetRef", "apiVersion"});
  const std::string kind = StrAt(hpa, {"spec", "scaleTargetRef", "kind"});
  std::string group = api_version.find('/') == std::string::npos ? "" : api_version.substr(0, api_version.find('/'));
  for (const client::Resource* r :
       {&client::kDeployments, &client::kReplicaSets, &client::kStatefulSets, &client::kReplicationControllers}) {
    if (r->kind == kind && r->group == group) return *r;
  }
  if (group == "extensions" && (kind == "Deployment" || kind == "ReplicaSet")) {
    return kind == "Deployment" ? client::kDeployments : client::kReplicaSets;
  }
  return Fail(ErrorCode::kNotFound, "no matches for kind \"" + kind + "\" in group \"" + group + "\"");
}

std::string SelectorString(const json::value& selector) {
  if (!selector.is_object()) return "";
  const json::object& sel = selector.as_object();
  std::vector<std::pair<std::string, std::string>> reqs;  // key, text (sorted by key as upstream)
  bool labeled = sel.contains("matchLabels") || sel.contains("matchExpressions");
  if (!labeled) {
    for (const auto& [k, v] : sel) {  // a plain map (ReplicationController)
      if (v.is_string()) reqs.emplace_back(std::string(k), std::string(k) + "=" + std::string(v.as_string()));
    }
  }
  if (const json::object* ml = ObjAt(sel, {"matchLabels"})) {
    for (const auto& [k, v] : *ml) {
      if (v.is_string()) reqs.emplace_back(std::string(k), std::string(k) + "=" + std::string(v.as_string()));
    }
  }
  if (auto it = sel.find("matchExpressions"); it != sel.end() && it->value().is_array()) {
    for (const auto& e : it->value().as_array()) {
      if (!e.is_object()) continue;
      std::string key = StrAt(e.as_object(), {"key"});
      std::string op = StrAt(e.as_object(), {"operator"});
      std::vector<std::string> values = api::StringsAt(e.as_object(), "values");
      std::sort(values.begin(), values.end());
      if (op == "In") reqs.emplace_back(key, key + " in (" + Join(values, ",") + ")");
      if (op == "NotIn") reqs.emplace_back(key, key + " notin (" + Join(values, ",") + ")");
      if (op == "Exists") reqs.emplace_back(key, key);
      if (op == "DoesNotExist") reqs.emplace_back(key, "!" + key);
    }
  }
  std::stable_sort(reqs.begin(), reqs.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> parts;
  for (auto& r : reqs) parts.push_back(std::move(r.second));
  return Join(parts, ",");
}

Scale ScaleOf(const json::object& target) {
  Scale s;
  s.spec_replicas = static_cast<int32_t>(IntAt(target, {"spec", "replicas"}, 1));
  s.status_replicas = static_cast<int32_t>(IntAt(target, {"status", "replicas"}));
  if (const json::object* spec = ObjAt(target, {"spec"})) {
    if (auto it = spec->find("selector"); it != spec->end()) s.selector = SelectorString(it->value());
  }
  return s;
}

// ---- Bounds and normalisation ----

int32_t MinReplicas(const json::object& hpa) {
  return static_cast<int32_t>(IntAt(hpa, {"spec", "minReplicas"}, 1));
}
int32_t MaxReplicas(const json::object& hpa) { return static_cast<int32_t>(IntAt(hpa, {"spec", "maxReplicas"})); }

BoundsDecision DecideBounds(int32_t current, int32_t min, int32_t max) {
  if (current == 0 && min != 0) return {BoundsDecision::kScalingDisabled, 0, ""};
  if (current > max) return {BoundsDecision::kAboveMax, max, "Current number of replicas above Spec.MaxReplicas"};
  if (current < min) return {BoundsDecision::kBelowMin, min, "Current number of replicas below Spec.MinReplicas"};
  return {BoundsDecision::kWithinBounds, current, ""};
}

int32_t ScaleUpLimit(int32_t current) {
  return static_cast<int32_t>(std::max(2.0 * static_cast<double>(current), 4.0));
}

Normalized NormalizeReplicas(int32_t current, int32_t desired, int32_t min, int32_t max) {
  int32_t limit = ScaleUpLimit(current);
  int32_t maximum = max;
  Normalized limited{0, "TooManyReplicas", "the desired replica count is more than the maximum replica count"};
  if (max > limit) {
    maximum = limit;
    limited = {0, "ScaleUpLimit", "the desired replica count is increasing faster than the maximum scale rate"};
  }
  if (desired < min) {
    return {min, "TooFewReplicas", "the desired replica count is less than the minimum replica count"};
  }
  if (desired > maximum) {
    limited.replicas = maximum;
    return limited;
  }
  return {desired, "DesiredWithinRange", "the desired count is within the acceptable range"};
}

int32_t Stabilize(std::vector<Recommendation>& recs, int32_t recommendation, std::chrono::steady_clock::time_point now,
                  std::chrono::steady_clock::duration window) {
  const auto cutoff = now - window;
  std::erase_if(recs, [&](const Recommendation& r) { return r.at < cutoff; });
  int32_t highest = recommendation;
  for (const auto& r : recs) highest = std::max(highest, r.replicas);
  recs.push_back({recommendation, now});
  return highest;
}

std::chrono::steady_clock::duration DownscaleWindow(const json::object& hpa) {
  const json::object* down = ObjAt(hpa, {"spec", "behavior", "scaleDown"});
  if (down) {
    if (auto it = down->find("stabilizationWindowSeconds"); it != down->end() && it->value().is_int64()) {
      return ClampedSeconds(it->value().as_int64());
    }
  }
  return kDownscaleStabilization;
}

// ---- Replicas from a resource utilization ----

Result<Proposal> ReplicasForUtilization(int32_t current, int32_t target_utilization, const std::vector<PodSample>& pods,
                                        double tolerance) {
  if (pods.empty()) return Fail(ErrorCode::kInternal, "no pods returned by selector while calculating replica count");
  if (target_utilization <= 0) return Fail(ErrorCode::kInvalid, "invalid utilization target");
  std::map<std::string, int64_t> usage, requests;
  std::set<std::string> unready, missing;
  int64_t ready = 0;
  for (const auto& p : pods) {
    requests[p.name] = p.request_milli;
    switch (p.state) {
      case PodSample::State::kReady:
        usage[p.name] = p.usage_milli;
        ++ready;
        break;
      case PodSample::State::kUnready:
        unready.insert(p.name);
        break;
      case PodSample::State::kMissing:
        missing.insert(p.name);
        break;
      case PodSample::State::kIgnored:
        break;
    }
  }
  if (usage.empty()) {
    return Fail(ErrorCode::kInternal, "did not receive metrics for targeted pods (pods might be unready)");
  }
  K1S_ASSIGN_OR_RETURN(auto first, UtilizationRatio(usage, requests, target_utilization));
  const double ratio = first.first;
  Proposal out = first.second;

  const bool scale_up_with_unready = !unready.empty() && ratio > 1.0;
  if (!scale_up_with_unready && missing.empty()) {
    out.replicas = std::abs(1.0 - ratio) <= tolerance ? current
                                                      : static_cast<int32_t>(std::ceil(ratio * static_cast<double>(ready)));
    return out;
  }
  if (!missing.empty()) {
    if (ratio < 1.0) {
      // scale-down: missing pods count as using their whole request (or the target above 100%)
      const int64_t fallback = std::max<int64_t>(100, target_utilization);
      for (const auto& name : missing) usage[name] = requests[name] * fallback / 100;
    } else if (ratio > 1.0) {
      for (const auto& name : missing) usage[name] = 0;  // scale-up: missing pods count as idle
    }
  }
  if (scale_up_with_unready) {
    for (const auto& name : unready) usage[name] = 0;
  }
  K1S_ASSIGN_OR_RETURN(auto second, UtilizationRatio(usage, requests, target_utilization));
  const double new_ratio = second.first;
  if (std::abs(1.0 - new_ratio) <= tolerance || (ratio < 1.0 && new_ratio > 1.0) || (ratio > 1.0 && new_ratio < 1.0)) {
    out.replicas = current;  // too small a change, or the direction flipped
    return out;
  }
  int32_t replicas = static_cast<int32_t>(std::ceil(new_ratio * static_cast<double>(usage.size())));
  if ((new_ratio < 1.0 && replicas > current) || (new_ratio > 1.0 && replicas < current)) replicas = current;
  out.replicas = replicas;
  return out;
}

PodSample::State ClassifyPod(const json::object& pod, bool has_metric, bool is_cpu, TimePoint metric_time,
                             std::chrono::seconds metric_window, TimePoint now) {
  const std::string phase = StrAt(pod, {"status", "phase"});
  if (replicaset::IsBeingDeleted(pod) || phase == "Failed") return PodSample::State::kIgnored;
  if (phase == "Pending") return PodSample::State::kUnready;
  if (!has_metric) return PodSample::State::kMissing;
  if (!is_cpu) return PodSample::State::kReady;
  const json::object* ready = api::ConditionAt(ObjAt(pod, {"status"}), "Ready");
  auto start = replicaset::ParseTime(StrAt(pod, {"status", "startTime"}));
  if (!ready || !start) return PodSample::State::kUnready;
  const bool is_false = StrAt(*ready, {"status"}) == "False";
  const TimePoint transition =
      replicaset::ParseTime(StrAt(*ready, {"lastTransitionTime"})).value_or(TimePoint{});
  bool unready;
  if (*start + kCpuInitializationPeriod > now) {
    unready = is_false || metric_time < transition + metric_window;
  } else {
    unready = is_false && *start + kDelayOfInitialReadinessStatus > transition;
  }
  return unready ? PodSample::State::kUnready : PodSample::State::kReady;
}

Result<int64_t> PodRequestMilli(const json::object& pod, const std::string& resource, const std::string& container) {
  std::vector<const json::object*> containers;
  if (auto* spec = ObjAt(pod, {"spec"})) {
    if (auto it = spec->find("containers"); it != spec->end() && it->value().is_array()) {
      for (const auto& c : it->value().as_array()) {
        if (c.is_object()) containers.push_back(&c.as_object());
      }
    }
    if (auto it = spec->find("initContainers"); it != spec->end() && it->value().is_array()) {
      for (const auto& c : it->value().as_array()) {  // sidecars (restartable init containers) count
        if (c.is_object() && StrAt(c.as_object(), {"restartPolicy"}) == "Always") containers.push_back(&c.as_object());
      }
    }
  }
  int64_t sum = 0;
  for (const json::object* c : containers) {
    const std::string name = StrAt(*c, {"name"});
    if (!container.empty() && container != name) continue;
    int64_t milli = 0;
    if (const json::object* req = ObjAt(*c, {"resources", "requests"})) {
      if (auto it = req->find(resource); it != req->end()) {
        auto q = api::Quantity::FromJson(it->value());
        if (q.ok()) milli = q->MilliValue();
      }
    }
    if (milli == 0) {
      return Fail(ErrorCode::kInvalid, "missing request for " + resource + " in container " + name + " of Pod " +
                                           api::MetaString(pod, "name"));
    }
    sum += milli;
  }
  return sum;
}

// ---- Metrics ----

Result<PodMetrics> NoMetricsSource::ResourceMetric(const std::string&, const std::string&, const api::LabelSelector&,
                                                   const std::string&) {
  return Fail(ErrorCode::kNotFound,
              "unable to fetch metrics from resource metrics API: the server could not find the requested resource "
              "(get pods.metrics.k8s.io)");
}

std::string NoMetricsSource::CustomMetricsError() const {
  return "unable to fetch metrics from custom metrics API: no custom metrics API (custom.metrics.k8s.io) registered";
}

json::array MetricSpecs(const json::object& hpa) {
  if (const json::object* spec = ObjAt(hpa, {"spec"})) {
    if (auto it = spec->find("metrics"); it != spec->end() && it->value().is_array() && !it->value().as_array().empty()) {
      return it->value().as_array();
    }
  }
  return json::array{json::object{
      {"type", "Resource"},
      {"resource", json::object{{"name", "cpu"},
                                {"target", json::object{{"type", "Utilization"},
                                                        {"averageUtilization", kDefaultCpuUtilization}}}}}}};
}

// ---- Status ----

void SetCondition(json::object& status, const std::string& type, const std::string& cond_status,
                  const std::string& reason, const std::string& message, TimePoint now) {
  json::array list;
  if (auto it = status.find("conditions"); it != status.end() && it->value().is_array()) list = it->value().as_array();
  json::object* existing = nullptr;
  for (auto& c : list) {
    if (c.is_object() && StrAt(c.as_object(), {"type"}) == type) {
      existing = &c.as_object();
      break;
    }
  }
  if (!existing) {
    list.push_back(json::object{{"type", type}});
    existing = &list.back().as_object();
  }
  if (StrAt(*existing, {"status"}) != cond_status) (*existing)["lastTransitionTime"] = client::FormatTime(now);
  (*existing)["status"] = cond_status;
  (*existing)["reason"] = reason;
  (*existing)["message"] = message;
  status["conditions"] = std::move(list);
}

}  // namespace k1s::controllers::hpa
