#include "server/controllers/horizontalpodautoscaler/horizontalpodautoscaler.h"

#include <algorithm>

#include "lib/api/meta.h"
#include "lib/api/quantity.h"
#include "lib/base/log.h"
#include "server/controllers/replicaset/replicaset_logic.h"

namespace k1s::controllers {

using api::ObjAt;
using api::StrAt;
using client::ObjectPtr;
using replicaset::IntAt;

namespace {

constexpr const char* kLog = "horizontal-pod-autoscaler";

json::object StatusOf(const json::object& hpa) {
  const json::object* st = ObjAt(hpa, {"status"});
  return st ? *st : json::object();
}

// upstream setStatus / setCurrentReplicasAndMetricsInStatus: the replica counts and the metric statuses
// (an empty list is left out).
void SetReplicas(json::object& status, int32_t current, int32_t desired, const json::array& metrics) {
  status["currentReplicas"] = current;
  status["desiredReplicas"] = desired;
  if (metrics.empty()) {
    status.erase("currentMetrics");
  } else {
    status["currentMetrics"] = metrics;
  }
}

// How upstream prints a metric selector (*metav1.LabelSelector with %+v): nil when unset.
std::string MetricSelectorText(const json::object& metric) {
  return ObjAt(metric, {"selector"}) ? "&LabelSelector{" + hpa::SelectorString(metric.at("selector")) + "}" : "nil";
}

}  // namespace

HorizontalPodAutoscalerController::HorizontalPodAutoscalerController(const ControllerContext& ctx,
                                                                     HorizontalPodAutoscalerOptions options)
    : ctx_(ctx),
      options_(std::move(options)),
      clock_(options_.clock ? *options_.clock : SystemClock()),
      metrics_(options_.metrics ? options_.metrics : std::make_shared<hpa::NoMetricsSource>()),
      hpas_(ctx.informers.For(client::kHorizontalPodAutoscalers)),
      pods_(ctx.informers.For(client::kPods)),
      queue_(client::WorkQueueOptions{.name = "horizontalpodautoscaler"}) {
  hpas_.AddEventHandler(client::EventHandlers{
      .on_add = [this](const ObjectPtr& h) { queue_.Add(client::KeyOf(*h)); },
      .on_update =
          [this](const ObjectPtr& old_h, const ObjectPtr& h) {
            // Spec changes sync at once; the controller's own status writes wait for the next period.
            if (IntAt(*old_h, {"metadata", "generation"}) != IntAt(*h, {"metadata", "generation"})) {
              queue_.Add(client::KeyOf(*h));
            }
          },
      .on_delete =
          [this](const ObjectPtr& h) {
            std::lock_guard lock(mu_);
            recommendations_.erase(client::KeyOf(*h));
          },
  });
}

HorizontalPodAutoscalerController::~HorizontalPodAutoscalerController() { Stop(); }

void HorizontalPodAutoscalerController::Start(int workers) {
  if (runner_.joinable()) return;
  runner_ = std::thread([this, workers] {
    while (!queue_.ShuttingDown()) {
      if (hpas_.WaitForSync(std::chrono::milliseconds(100)) && pods_.WaitForSync(std::chrono::milliseconds(100))) break;
    }
    K1S_LOG(kInfo, kLog) << "started with " << workers << " workers, sync period " << options_.sync_period.count()
                         << " ms";
    client::RunWorkers(queue_, std::max(1, workers), [this](const std::string& key) {
      Status s = Reconcile(key);
      if (hpas_.Get(key)) queue_.AddAfter(key, options_.sync_period);  // every HPA, every period
      return s;
    });
  });
}

void HorizontalPodAutoscalerController::Stop() {
  queue_.ShutDown();
  if (runner_.joinable()) runner_.join();
}

Status HorizontalPodAutoscalerController::WriteStatusIfChanged(const json::object& hpa, const json::object& status) {
  if (const json::object* old = ObjAt(hpa, {"status"}); old && *old == status) return OkStatus();
  json::object next = hpa;
  next["status"] = status;
  auto r = ctx_.client.UpdateStatus(client::kHorizontalPodAutoscalers, api::MetaString(hpa, "namespace"),
                                    api::MetaString(hpa, "name"), std::move(next));
  if (!r.ok() && !client::IsNotFound(r.error())) return Fail(r.error());
  return OkStatus();
}

Result<hpa::Proposal> HorizontalPodAutoscalerController::ResourceReplicas(
    const std::string& ns, const std::string& resource, const std::string& container, int32_t current,
    int32_t target_utilization, int64_t average_value_milli, const api::LabelSelector& selector) {
  auto metrics = metrics_->ResourceMetric(resource, ns, selector, container);
  if (!metrics.ok()) {
    return Fail(metrics.error().code, "unable to get metrics for resource " + resource + ": " + metrics.error().message);
  }
  const auto now = clock_.Now();
  std::vector<hpa::PodSample> samples;
  for (const auto& pod : pods_.ListNamespace(ns)) {
    if (!selector.Matches(api::Labels(*pod))) continue;
    hpa::PodSample s;
    s.name = api::MetaString(*pod, "name");
    auto m = metrics->find(s.name);
    const bool has = m != metrics->end();
    s.state = hpa::ClassifyPod(*pod, has, resource == "cpu", has ? m->second.timestamp : now,
                               has ? m->second.window : std::chrono::seconds(0), now);
    if (has) s.usage_milli = m->second.milli;
    if (average_value_milli > 0) {
      s.request_milli = average_value_milli;  // an average-value target: usage against the target itself
    } else {
      K1S_ASSIGN_OR_RETURN(s.request_milli, hpa::PodRequestMilli(*pod, resource, container));
    }
    samples.push_back(std::move(s));
  }
  return hpa::ReplicasForUtilization(current, average_value_milli > 0 ? 100 : target_utilization, samples,
                                     options_.tolerance);
}

HorizontalPodAutoscalerController::MetricProposal HorizontalPodAutoscalerController::ComputeReplicasForMetric(
    const json::object& hpa, const json::object& spec, const json::object& regarding, const hpa::Scale& scale,
    const api::LabelSelector& selector) {
  MetricProposal out;
  const std::string ns = api::MetaString(hpa, "namespace");
  const std::string type = StrAt(spec, {"type"});
  auto fail = [&](const std::string& reason, const std::string& inner, const std::string& outer) {
    ctx_.events.Event(regarding, "Warning", reason, inner);
    out.reason = reason;
    out.condition_message = "the HPA was unable to compute the replica count: " + inner;
    out.error = outer;
    return out;
  };
  if (type == "Resource" || type == "ContainerResource") {
    const bool container_metric = type == "ContainerResource";
    const json::object* src = ObjAt(spec, {container_metric ? "containerResource" : "resource"});
    const json::object empty;
    if (!src) src = &empty;
    const std::string resource = StrAt(*src, {"name"});
    const std::string container = container_metric ? StrAt(*src, {"container"}) : "";
    const json::object* target = ObjAt(*src, {"target"});
    const std::string reason = container_metric ? "FailedGetContainerResourceMetric" : "FailedGetResourceMetric";
    const std::string outer_prefix = container_metric ? "failed to get " + container + " container metric value: "
                                                      : "failed to get " + resource + " resource metric value: ";
    int64_t average_value = 0;
    if (target && target->contains("averageValue")) {
      auto q = api::Quantity::FromJson(target->at("averageValue"));
      if (q.ok()) average_value = q->MilliValue();
    }
    const json::value* utilization = nullptr;
    if (target) {
      if (auto it = target->find("averageUtilization"); it != target->end() && it->value().is_int64()) {
        utilization = &it->value();
      }
    }
    const bool has_utilization = utilization != nullptr;
    if (average_value <= 0 && !has_utilization) {
      std::string msg =
          "invalid resource metric source: neither an average utilization target nor an average value (usage) "
          "target was set";
      return fail(reason, msg, outer_prefix + msg);
    }
    const int32_t target_utilization = has_utilization ? static_cast<int32_t>(utilization->as_int64()) : 0;
    auto p = ResourceReplicas(ns, resource, container, scale.spec_replicas, target_utilization, average_value,
                              selector);
    if (!p.ok()) {
      std::string inner = (average_value > 0 ? "failed to get " + resource + " usage: "
                                             : "failed to get " + resource + " utilization: ") +
                          p.error().message;
      return fail(reason, inner, outer_prefix + inner);
    }
    out.replicas = p->replicas;
    json::object current{{"averageValue", api::Quantity::FromMilli(p->raw_average).String()}};
    if (average_value > 0) {
      out.metric = resource + " resource";
    } else {
      out.metric = resource + " resource utilization (percentage of request)";
      current["averageUtilization"] = p->utilization;
    }
    json::object src_status{{"name", resource}, {"current", std::move(current)}};
    if (container_metric) src_status["container"] = container;
    out.status = json::object{{"type", type}, {container_metric ? "containerResource" : "resource", src_status}};
    return out;
  }
  const std::string custom = metrics_->CustomMetricsError();
  if (type == "Pods") {
    const std::string name = StrAt(spec, {"pods", "metric", "name"});
    std::string inner = "unable to get metric " + name + ": " + custom;
    return fail("FailedGetPodsMetric", inner, "failed to get pods metric value: " + inner);
  }
  if (type == "Object") {
    const std::string name = StrAt(spec, {"object", "metric", "name"});
    // upstream's format string shifts its arguments; the text reads as it does there
    std::string inner = "unable to get metric " + name + ": " + StrAt(spec, {"object", "describedObject", "kind"}) +
                        " on " + ns + " " + StrAt(spec, {"object", "describedObject", "name"}) + "/" + custom;
    return fail("FailedGetObjectMetric", inner, "failed to get object metric value: " + inner);
  }
  if (type == "External") {
    const std::string name = StrAt(spec, {"external", "metric", "name"});
    const json::object* metric = ObjAt(spec, {"external", "metric"});
    std::string inner = "unable to get external metric " + ns + "/" + name + "/" +
                        (metric ? MetricSelectorText(*metric) : std::string("nil")) + ": " +
                        "unable to fetch metrics from external metrics API: no external metrics API "
                        "(external.metrics.k8s.io) registered";
    return fail("FailedGetExternalMetric", inner, "failed to get " + name + " external metric value: " + inner);
  }
  std::string msg = "unknown metric source type \"" + type + "\"";
  return fail("InvalidMetricSourceType", msg, msg);
}

HorizontalPodAutoscalerController::MetricsOutcome HorizontalPodAutoscalerController::ComputeReplicasForMetrics(
    const json::object& hpa, json::object& status, const json::object& regarding, const hpa::Scale& scale) {
  MetricsOutcome out;
  const auto now = clock_.Now();
  if (scale.selector.empty()) {
    ctx_.events.Event(regarding, "Warning", "SelectorRequired", "selector is required");
    hpa::SetCondition(status, "ScalingActive", "False", "InvalidSelector", "the HPA target's scale is missing a selector",
                      now);
    out.error = "selector is required";
    return out;
  }
  auto selector = api::LabelSelector::Parse(scale.selector);
  if (!selector.ok()) {
    std::string msg = "couldn't convert selector into a corresponding internal selector object: " +
                      selector.error().message;
    ctx_.events.Event(regarding, "Warning", "InvalidSelector", msg);
    hpa::SetCondition(status, "ScalingActive", "False", "InvalidSelector", msg, now);
    out.error = msg;
    return out;
  }
  const json::array specs = hpa::MetricSpecs(hpa);
  int invalid = 0;
  MetricProposal first_invalid;
  int32_t replicas = 0;
  std::string metric;
  for (const auto& s : specs) {
    if (!s.is_object()) continue;
    MetricProposal p = ComputeReplicasForMetric(hpa, s.as_object(), regarding, scale, *selector);
    if (!p.error.empty()) {
      if (invalid == 0) first_invalid = p;
      ++invalid;
      out.statuses.push_back(json::object{{"type", ""}});
      continue;
    }
    out.statuses.push_back(p.status);
    if (replicas == 0 || p.replicas > replicas) {
      replicas = p.replicas;
      metric = p.metric;
    }
  }
  if (invalid > 0) {
    out.error = "invalid metrics (" + std::to_string(invalid) + " invalid out of " + std::to_string(specs.size()) +
                "), first error is: " + first_invalid.error;
  }
  if (invalid >= static_cast<int>(specs.size()) || (invalid > 0 && replicas < scale.spec_replicas)) {
    hpa::SetCondition(status, "ScalingActive", "False", first_invalid.reason, first_invalid.condition_message, now);
    out.replicas = -1;
    return out;
  }
  hpa::SetCondition(status, "ScalingActive", "True", "ValidMetricFound",
                    "the HPA was able to successfully calculate a replica count from " + metric, now);
  out.replicas = replicas;
  out.metric = metric;
  return out;
}

int32_t HorizontalPodAutoscalerController::Normalize(const std::string& key, const json::object& hpa,
                                                     json::object& status, int32_t current, int32_t desired) {
  const auto now = clock_.Now();
  int32_t stabilized;
  {
    std::lock_guard lock(mu_);
    stabilized = hpa::Stabilize(recommendations_[key], desired, clock_.Monotonic(), hpa::DownscaleWindow(hpa));
  }
  if (stabilized != desired) {
    hpa::SetCondition(status, "AbleToScale", "True", "ScaleDownStabilized",
                      "recent recommendations were higher than current one, applying the highest recent recommendation",
                      now);
  } else {
    hpa::SetCondition(status, "AbleToScale", "True", "ReadyForNewScale", "recommended size matches current size", now);
  }
  hpa::Normalized n = hpa::NormalizeReplicas(current, stabilized, hpa::MinReplicas(hpa), hpa::MaxReplicas(hpa));
  hpa::SetCondition(status, "ScalingLimited", n.replicas == stabilized ? "False" : "True", n.reason, n.message, now);
  return n.replicas;
}

Status HorizontalPodAutoscalerController::Reconcile(const std::string& key) {
  ObjectPtr cached = hpas_.Get(key);
  if (!cached) {
    std::lock_guard lock(mu_);
    recommendations_.erase(key);
    return OkStatus();
  }
  const json::object& hpa = *cached;
  const json::object regarding = client::Regarding(hpa, client::kHorizontalPodAutoscalers);
  const std::string ns = api::MetaString(hpa, "namespace");
  const std::string target_kind = StrAt(hpa, {"spec", "scaleTargetRef", "kind"});
  const std::string target_name = StrAt(hpa, {"spec", "scaleTargetRef", "name"});
  const std::string reference = target_kind + "/" + ns + "/" + target_name;
  const auto now = clock_.Now();
  json::object status = StatusOf(hpa);

  // The target's scale.
  std::optional<client::Resource> resource;
  Result<json::object> target = Fail(ErrorCode::kInternal, "");
  if (auto r = hpa::TargetResource(hpa); r.ok()) {
    resource = *r;
    target = ctx_.client.Get(*resource, ns, target_name);
  } else {
    target = Fail(r.error());
  }
  if (!target.ok()) {
    const std::string& msg = target.error().message;
    ctx_.events.Event(regarding, "Warning", "FailedGetScale", msg);
    hpa::SetCondition(status, "AbleToScale", "False", "FailedGetScale",
                      "the HPA controller was unable to get the target's current scale: " + msg, now);
    K1S_TRY(WriteStatusIfChanged(hpa, status));
    K1S_LOG(kWarn, kLog) << "failed to query scale subresource for " << reference << ": " << msg;
    return OkStatus();
  }
  hpa::SetCondition(status, "AbleToScale", "True", "SucceededGetScale",
                    "the HPA controller was able to get the target's current scale", now);
  const hpa::Scale scale = hpa::ScaleOf(*target);
  const int32_t current = scale.spec_replicas;
  {
    std::lock_guard lock(mu_);
    auto& recs = recommendations_[key];
    if (recs.empty()) recs.push_back({current, clock_.Monotonic()});  // upstream recordInitialRecommendation
  }
  const int32_t min = hpa::MinReplicas(hpa);
  const int32_t max = hpa::MaxReplicas(hpa);

  int32_t desired = 0;
  bool rescale = true;
  std::string reason;
  json::array metric_statuses;
  const hpa::BoundsDecision bounds = hpa::DecideBounds(current, min, max);
  switch (bounds.kind) {
    case hpa::BoundsDecision::kScalingDisabled:
      rescale = false;
      hpa::SetCondition(status, "ScalingActive", "False", "ScalingDisabled",
                        "scaling is disabled since the replica count of the target is zero", now);
      break;
    case hpa::BoundsDecision::kAboveMax:
    case hpa::BoundsDecision::kBelowMin:
      desired = bounds.desired;
      reason = bounds.reason;
      break;
    case hpa::BoundsDecision::kWithinBounds: {
      MetricsOutcome m = ComputeReplicasForMetrics(hpa, status, regarding, scale);
      if (m.replicas == -1) {
        SetReplicas(status, current, static_cast<int32_t>(IntAt(status, {"desiredReplicas"})), json::array());
        K1S_TRY(WriteStatusIfChanged(hpa, status));
        if (m.error) {
          ctx_.events.Event(regarding, "Warning", "FailedComputeMetricsReplicas", *m.error);
          K1S_LOG(kDebug, kLog) << "failed to compute desired number of replicas based on listed metrics for "
                                << reference << ": " << *m.error;
        }
        return OkStatus();
      }
      metric_statuses = std::move(m.statuses);
      std::string rescale_metric;
      if (m.replicas > desired) {
        desired = m.replicas;
        rescale_metric = m.metric;
      }
      if (desired > current) reason = rescale_metric + " above target";
      if (desired < current) reason = "All metrics below target";
      desired = Normalize(key, hpa, status, current, desired);
      rescale = desired != current;
      break;
    }
  }

  if (rescale) {
    json::object patch{{"metadata", json::object{{"resourceVersion", api::MetaString(*target, "resourceVersion")}}},
                       {"spec", json::object{{"replicas", desired}}}};
    auto r = ctx_.client.Patch(*resource, ns, target_name, client::PatchType::kMerge, patch);
    if (!r.ok()) {
      const std::string& msg = r.error().message;
      ctx_.events.Event(regarding, "Warning", "FailedRescale",
                        "New size: " + std::to_string(desired) + "; reason: " + reason + "; error: " + msg);
      hpa::SetCondition(status, "AbleToScale", "False", "FailedUpdateScale",
                        "the HPA controller was unable to update the target scale: " + msg, now);
      SetReplicas(status, current, static_cast<int32_t>(IntAt(status, {"desiredReplicas"})), metric_statuses);
      K1S_TRY(WriteStatusIfChanged(hpa, status));
      return Fail(r.error().code, "failed to rescale " + reference + ": " + msg);
    }
    hpa::SetCondition(status, "AbleToScale", "True", "SucceededRescale",
                      "the HPA controller was able to update the target scale to " + std::to_string(desired), now);
    ctx_.events.Event(regarding, "Normal", "SuccessfulRescale",
                      "New size: " + std::to_string(desired) + "; reason: " + reason);
    K1S_LOG(kInfo, kLog) << "rescaled " << reference << " from " << current << " to " << desired << ": " << reason;
    status["lastScaleTime"] = client::FormatTime(now);
  } else {
    desired = current;
  }
  SetReplicas(status, current, desired, metric_statuses);
  return WriteStatusIfChanged(hpa, status);
}

}  // namespace k1s::controllers
