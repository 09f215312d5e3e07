#include "server/registry/conversion.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cctype>
#include <string_view>
#include <utility>

#include "lib/api/json_util.h"

namespace k1s::registry {

namespace json = boost::json;
using api::ArrAt;
using api::ObjAt;
using api::StrAt;

namespace {

// ---- small JSON helpers (values of the wrong shape read as absent; more in lib/api/json_util.h) ----

const json::value* Val(const json::object* o, std::string_view k) {
  if (o == nullptr) return nullptr;
  const json::value* v = o->if_contains(k);
  return v == nullptr || v->is_null() ? nullptr : v;
}
// Copies o[from] to out[to] when present.
void Copy(const json::object* o, std::string_view from, json::object& out, std::string_view to) {
  if (const json::value* v = Val(o, from)) out[to] = *v;
}
void Copy(const json::object* o, std::string_view k, json::object& out) { Copy(o, k, out, k); }
// A Go non-pointer resource.Quantity: "0" when absent.
json::value QuantityOrZero(const json::object* o, std::string_view k) {
  const json::value* v = Val(o, k);
  return v ? *v : json::value("0");
}
// A member found case-insensitively, as Go's encoding/json reads struct fields.
const json::value* ValCI(const json::object* o, std::string_view k) {
  if (o == nullptr) return nullptr;
  for (const auto& kv : *o) {
    std::string_view key = kv.key();
    if (key.size() != k.size()) continue;
    bool same = true;
    for (size_t i = 0; i < k.size() && same; ++i)
      same = std::tolower(static_cast<unsigned char>(key[i])) == std::tolower(static_cast<unsigned char>(k[i]));
    if (same) return kv.value().is_null() ? nullptr : &kv.value();
  }
  return nullptr;
}

// ---- autoscaling: the v2 fields autoscaling/v1 carries in annotations (upstream's names) ----

constexpr char kMetricsAnnotation[] = "autoscaling.alpha.kubernetes.io/metrics";
constexpr char kCurrentMetricsAnnotation[] = "autoscaling.alpha.kubernetes.io/current-metrics";
constexpr char kConditionsAnnotation[] = "autoscaling.alpha.kubernetes.io/conditions";
constexpr char kBehaviorAnnotation[] = "autoscaling.alpha.kubernetes.io/behavior";
constexpr int kDefaultCpuUtilization = 80;

bool IsCpuResource(const json::object& metric) {
  return StrAt(&metric, "type") == "Resource" && StrAt(ObjAt(&metric, "resource"), "name") == "cpu";
}

// v2 MetricSpec -> the v1 MetricSpec of the annotation (the v2beta1 shape: targetAverageValue, ...).
json::object MetricSpecToV1(const json::object& m) {
  std::string type = StrAt(&m, "type");
  json::object out{{"type", type}};
  const json::object* target = nullptr;
  if (type == "Object") {
    const json::object* s = ObjAt(&m, "object");
    target = ObjAt(s, "target");
    json::object o;
    json::object ref;
    const json::object* d = ObjAt(s, "describedObject");
    Copy(d, "kind", ref);
    Copy(d, "name", ref);
    Copy(d, "apiVersion", ref);
    o["target"] = std::move(ref);
    o["metricName"] = StrAt(ObjAt(s, "metric"), "name");
    o["targetValue"] = QuantityOrZero(target, "value");
    Copy(ObjAt(s, "metric"), "selector", o);
    Copy(target, "averageValue", o);
    out["object"] = std::move(o);
  } else if (type == "Pods") {
    const json::object* s = ObjAt(&m, "pods");
    json::object o{{"metricName", StrAt(ObjAt(s, "metric"), "name")},
                   {"targetAverageValue", QuantityOrZero(ObjAt(s, "target"), "averageValue")}};
    Copy(ObjAt(s, "metric"), "selector", o);
    out["pods"] = std::move(o);
  } else if (type == "Resource" || type == "ContainerResource") {
    const char* field = type == "Resource" ? "resource" : "containerResource";
    const json::object* s = ObjAt(&m, field);
    target = ObjAt(s, "target");
    json::object o{{"name", StrAt(s, "name")}};
    if (type == "ContainerResource") o["container"] = StrAt(s, "container");
    Copy(target, "averageUtilization", o, "targetAverageUtilization");
    Copy(target, "averageValue", o, "targetAverageValue");
    out[field] = std::move(o);
  } else if (type == "External") {
    const json::object* s = ObjAt(&m, "external");
    target = ObjAt(s, "target");
    json::object o{{"metricName", StrAt(ObjAt(s, "metric"), "name")}};
    Copy(ObjAt(s, "metric"), "selector", o, "metricSelector");
    Copy(target, "value", o, "targetValue");
    Copy(target, "averageValue", o, "targetAverageValue");
    out["external"] = std::move(o);
  }
  return out;
}

// The v1 MetricSpec of the annotation -> v2 MetricSpec.
json::object MetricSpecFromV1(const json::object& m) {
  std::string type = StrAt(&m, "type");
  json::object out{{"type", type}};
  auto metric_id = [](const json::object* s, const char* name_field, const char* selector_field) {
    json::object id{{"name", StrAt(s, name_field)}};
    Copy(s, selector_field, id, "selector");
    return id;
  };
  if (type == "Object") {
    const json::object* s = ObjAt(&m, "object");
    json::object target{{"type", Val(s, "averageValue") ? "AverageValue" : "Value"}};
    target["value"] = QuantityOrZero(s, "targetValue");
    Copy(s, "averageValue", target);
    json::object ref;
    Copy(ObjAt(s, "target"), "kind", ref);
    Copy(ObjAt(s, "target"), "name", ref);
    Copy(ObjAt(s, "target"), "apiVersion", ref);
    out["object"] = json::object{{"describedObject", std::move(ref)},
                                 {"metric", metric_id(s, "metricName", "selector")},
                                 {"target", std::move(target)}};
  } else if (type == "Pods") {
    const json::object* s = ObjAt(&m, "pods");
    out["pods"] = json::object{
        {"metric", metric_id(s, "metricName", "selector")},
        {"target", json::object{{"type", "AverageValue"}, {"averageValue", QuantityOrZero(s, "targetAverageValue")}}}};
  } else if (type == "Resource" || type == "ContainerResource") {
    const char* field = type == "Resource" ? "resource" : "containerResource";
    const json::object* s = ObjAt(&m, field);
    json::object target{{"type", Val(s, "targetAverageUtilization") ? "Utilization" : "AverageValue"}};
    Copy(s, "targetAverageUtilization", target, "averageUtilization");
    Copy(s, "targetAverageValue", target, "averageValue");
    json::object o{{"name", StrAt(s, "name")}, {"target", std::move(target)}};
    if (type == "ContainerResource") o["container"] = StrAt(s, "container");
    out[field] = std::move(o);
  } else if (type == "External") {
    const json::object* s = ObjAt(&m, "external");
    json::object target{{"type", Val(s, "targetValue") ? "Value" : "AverageValue"}};
    Copy(s, "targetValue", target, "value");
    Copy(s, "targetAverageValue", target, "averageValue");
    out["external"] = json::object{{"metric", metric_id(s, "metricName", "metricSelector")}, {"target", std::move(target)}};
  }
  return out;
}

// v2 MetricStatus -> the v1 MetricStatus of the annotation.
json::object MetricStatusToV1(const json::object& m) {
  std::string type = StrAt(&m, "type");
  json::object out{{"type", type}};
  if (type == "Object") {
    const json::object* s = ObjAt(&m, "object");
    const json::object* cur = ObjAt(s, "current");
    json::object ref;
    Copy(ObjAt(s, "describedObject"), "kind", ref);
    Copy(ObjAt(s, "describedObject"), "name", ref);
    Copy(ObjAt(s, "describedObject"), "apiVersion", ref);
    json::object o{{"target", std::move(ref)}, {"metricName", StrAt(ObjAt(s, "metric"), "name")},
                   {"currentValue", QuantityOrZero(cur, "value")}};
    Copy(ObjAt(s, "metric"), "selector", o);
    Copy(cur, "averageValue", o);
    out["object"] = std::move(o);
  } else if (type == "Pods") {
    const json::object* s = ObjAt(&m, "pods");
    json::object o{{"metricName", StrAt(ObjAt(s, "metric"), "name")},
                   {"currentAverageValue", QuantityOrZero(ObjAt(s, "current"), "averageValue")}};
    Copy(ObjAt(s, "metric"), "selector", o);
    out["pods"] = std::move(o);
  } else if (type == "Resource" || type == "ContainerResource") {
    const char* field = type == "Resource" ? "resource" : "containerResource";
    const json::object* s = ObjAt(&m, field);
    const json::object* cur = ObjAt(s, "current");
    json::object o{{"name", StrAt(s, "name")}};
    if (type == "ContainerResource") o["container"] = StrAt(s, "container");
    Copy(cur, "averageUtilization", o, "currentAverageUtilization");
    o["currentAverageValue"] = QuantityOrZero(cur, "averageValue");
    out[field] = std::move(o);
  } else if (type == "External") {
    const json::object* s = ObjAt(&m, "external");
    const json::object* cur = ObjAt(s, "current");
    json::object o{{"metricName", StrAt(ObjAt(s, "metric"), "name")}, {"currentValue", QuantityOrZero(cur, "value")}};
    Copy(ObjAt(s, "metric"), "selector", o, "metricSelector");
    Copy(cur, "averageValue", o, "currentAverageValue");
    out["external"] = std::move(o);
  }
  return out;
}

// The v1 MetricStatus of the annotation -> v2 MetricStatus.
json::object MetricStatusFromV1(const json::object& m) {
  std::string type = StrAt(&m, "type");
  json::object out{{"type", type}};
  if (type == "Object") {
    const json::object* s = ObjAt(&m, "object");
    json::object cur{{"value", QuantityOrZero(s, "currentValue")}};
    Copy(s, "averageValue", cur);
    json::object ref;
    Copy(ObjAt(s, "target"), "kind", ref);
    Copy(ObjAt(s, "target"), "name", ref);
    Copy(ObjAt(s, "target"), "apiVersion", ref);
    json::object id{{"name", StrAt(s, "metricName")}};
    Copy(s, "selector", id);
    out["object"] = json::object{{"current", std::move(cur)}, {"describedObject", std::move(ref)}, {"metric", std::move(id)}};
  } else if (type == "Pods") {
    const json::object* s = ObjAt(&m, "pods");
    json::object id{{"name", StrAt(s, "metricName")}};
    Copy(s, "selector", id);
    out["pods"] = json::object{{"current", json::object{{"averageValue", QuantityOrZero(s, "currentAverageValue")}}},
                               {"metric", std::move(id)}};
  } else if (type == "Resource" || type == "ContainerResource") {
    const char* field = type == "Resource" ? "resource" : "containerResource";
    const json::object* s = ObjAt(&m, field);
    json::object cur{{"averageValue", QuantityOrZero(s, "currentAverageValue")}};
    Copy(s, "currentAverageUtilization", cur, "averageUtilization");
    json::object o{{"name", StrAt(s, "name")}, {"current", std::move(cur)}};
    if (type == "ContainerResource") o["container"] = StrAt(s, "container");
    out[field] = std::move(o);
  } else if (type == "External") {
    const json::object* s = ObjAt(&m, "external");
    json::object cur{{"value", QuantityOrZero(s, "currentValue")}};
    Copy(s, "currentAverageValue", cur, "averageValue");
    json::object id{{"name", StrAt(s, "metricName")}};
    Copy(s, "metricSelector", id, "selector");
    out["external"] = json::object{{"current", std::move(cur)}, {"metric", std::move(id)}};
  }
  return out;
}

// spec.behavior <-> the behavior annotation, which upstream writes with Go's field names
// ({"ScaleUp":{"StabilizationWindowSeconds":0,"SelectPolicy":"Max","Policies":[{"Type":..}]}}).
json::value RulesToGo(const json::object* rules) {
  if (rules == nullptr) return nullptr;
  json::object out;
  const json::value* w = Val(rules, "stabilizationWindowSeconds");
  out["StabilizationWindowSeconds"] = w ? *w : json::value(nullptr);
  const json::value* sp = Val(rules, "selectPolicy");
  out["SelectPolicy"] = sp ? *sp : json::value(nullptr);
  json::value policies = nullptr;
  if (const json::array* ps = ArrAt(rules, "policies")) {
    json::array list;
    for (const auto& p : *ps) {
      const json::object* po = p.if_object();
      json::object g{{"Type", StrAt(po, "type")}};
      const json::value* v = Val(po, "value");
      g["Value"] = v ? *v : json::value(0);
      const json::value* period = Val(po, "periodSeconds");
      g["PeriodSeconds"] = period ? *period : json::value(0);
      list.push_back(std::move(g));
    }
    policies = std::move(list);
  }
  out["Policies"] = std::move(policies);
  return out;
}

json::value RulesFromGo(const json::value* v) {
  const json::object* rules = v ? v->if_object() : nullptr;
  if (rules == nullptr) return nullptr;
  json::object out;
  if (const json::value* w = ValCI(rules, "StabilizationWindowSeconds")) out["stabilizationWindowSeconds"] = *w;
  if (const json::value* sp = ValCI(rules, "SelectPolicy")) out["selectPolicy"] = *sp;
  if (const json::value* ps = ValCI(rules, "Policies"); ps && ps->is_array()) {
    json::array list;
    for (const auto& p : ps->get_array()) {
      const json::object* po = p.if_object();
      json::object k8s;
      if (const json::value* t = ValCI(po, "Type")) k8s["type"] = *t;
      if (const json::value* val = ValCI(po, "Value")) k8s["value"] = *val;
      if (const json::value* period = ValCI(po, "PeriodSeconds")) k8s["periodSeconds"] = *period;
      list.push_back(std::move(k8s));
    }
    out["policies"] = std::move(list);
  }
  return out;
}

// Parses an annotation's JSON; kBadRequest naming it when it is not JSON of the wanted shape.
Result<json::value> ParseAnnotation(const json::object& annotations, const char* key, bool array) {
  const json::value* v = annotations.if_contains(key);
  if (v == nullptr || !v->is_string()) return json::value(nullptr);
  boost::system::error_code ec;
  json::value parsed = json::parse(v->get_string(), ec);
  if (ec || (array ? !parsed.is_array() : !parsed.is_object())) {
    return Fail(ErrorCode::kBadRequest, std::string("annotation ") + key + ": cannot be decoded as " +
                                            (array ? "a JSON array" : "a JSON object"));
  }
  return parsed;
}

json::object* AnnotationsOf(json::object& obj) {
  auto* meta = obj.if_contains("metadata");
  if (meta == nullptr || !meta->is_object()) return nullptr;
  auto* ann = meta->get_object().if_contains("annotations");
  return ann && ann->is_object() ? &ann->get_object() : nullptr;
}

// Drops the round-trip annotations (and an annotations map left empty).
void DropRoundTripAnnotations(json::object& obj) {
  json::object* ann = AnnotationsOf(obj);
  if (ann == nullptr) return;
  for (const char* k : {kMetricsAnnotation, kCurrentMetricsAnnotation, kConditionsAnnotation, kBehaviorAnnotation})
    ann->erase(k);
  if (ann->empty()) obj["metadata"].get_object().erase("annotations");
}

void SetAnnotation(json::object& obj, const char* key, const json::value& v) {
  if (!obj.contains("metadata") || !obj["metadata"].is_object()) obj["metadata"] = json::object();
  json::object& meta = obj["metadata"].get_object();
  if (!meta.contains("annotations") || !meta["annotations"].is_object()) meta["annotations"] = json::object();
  meta["annotations"].get_object()[key] = json::serialize(v);
}

const VersionConversion kConversions[] = {
    {"autoscaling", "HorizontalPodAutoscaler", "v1", "v2", &HpaV1ToV2, &HpaV2ToV1},
};

}  // namespace

Result<json::object> HpaV1ToV2(json::object v1) {
  json::object out = v1;  // metadata and anything unknown travel as they are
  out["apiVersion"] = "autoscaling/v2";
  // The round-trip annotations hold what v1 cannot say.
  json::value metrics_ann = nullptr, current_ann = nullptr, conditions_ann = nullptr, behavior_ann = nullptr;
  if (const json::object* ann = AnnotationsOf(v1)) {
    K1S_ASSIGN_OR_RETURN(metrics_ann, ParseAnnotation(*ann, kMetricsAnnotation, true));
    K1S_ASSIGN_OR_RETURN(current_ann, ParseAnnotation(*ann, kCurrentMetricsAnnotation, true));
    K1S_ASSIGN_OR_RETURN(conditions_ann, ParseAnnotation(*ann, kConditionsAnnotation, true));
    K1S_ASSIGN_OR_RETURN(behavior_ann, ParseAnnotation(*ann, kBehaviorAnnotation, false));
  }
  DropRoundTripAnnotations(out);

  if (const json::object* spec = ObjAt(&v1, "spec")) {
    json::object s = *spec;
    s.erase("targetCPUUtilizationPercentage");
    json::array metrics;
    if (metrics_ann.is_array()) {
      for (const auto& m : metrics_ann.get_array())
        if (m.is_object()) metrics.push_back(MetricSpecFromV1(m.get_object()));
    }
    if (const json::value* cpu = Val(spec, "targetCPUUtilizationPercentage")) {
      metrics.push_back(json::object{
          {"type", "Resource"},
          {"resource", json::object{{"name", "cpu"},
                                    {"target", json::object{{"type", "Utilization"}, {"averageUtilization", *cpu}}}}}});
    }
    // autoscaling/v1's implicit default, made explicit as upstream's conversion does.
    if (metrics.empty()) {
      metrics.push_back(json::object{
          {"type", "Resource"},
          {"resource", json::object{{"name", "cpu"},
                                    {"target", json::object{{"type", "Utilization"},
                                                            {"averageUtilization", kDefaultCpuUtilization}}}}}});
    }
    s["metrics"] = std::move(metrics);
    if (behavior_ann.is_object()) {
      const json::object& b = behavior_ann.get_object();
      json::object behavior;
      json::value up = RulesFromGo(ValCI(&b, "ScaleUp")), down = RulesFromGo(ValCI(&b, "ScaleDown"));
      if (!up.is_null()) behavior["scaleUp"] = std::move(up);
      if (!down.is_null()) behavior["scaleDown"] = std::move(down);
      s["behavior"] = std::move(behavior);
    }
    out["spec"] = std::move(s);
  }

  const json::object* status = ObjAt(&v1, "status");
  if (status || current_ann.is_array() || conditions_ann.is_array()) {
    json::object st = status ? *status : json::object();
    st.erase("currentCPUUtilizationPercentage");
    if (current_ann.is_array()) {
      json::array current;
      for (const auto& m : current_ann.get_array())
        if (m.is_object()) current.push_back(MetricStatusFromV1(m.get_object()));
      st["currentMetrics"] = std::move(current);
    } else if (const json::value* cpu = Val(status, "currentCPUUtilizationPercentage")) {
      st["currentMetrics"] = json::array{json::object{
          {"type", "Resource"},
          {"resource", json::object{{"name", "cpu"}, {"current", json::object{{"averageUtilization", *cpu}}}}}}};
    }
    if (conditions_ann.is_array()) st["conditions"] = conditions_ann;
    out["status"] = std::move(st);
  }
  return out;
}

json::object HpaV2ToV1(json::object v2) {
  json::object out = v2;
  out["apiVersion"] = "autoscaling/v1";
  DropRoundTripAnnotations(out);

  const json::object* spec = ObjAt(&v2, "spec");
  if (spec) {
    json::object s;
    Copy(spec, "scaleTargetRef", s);
    Copy(spec, "minReplicas", s);
    Copy(spec, "maxReplicas", s);
    json::array others;
    bool cpu_seen = false;
    if (const json::array* metrics = ArrAt(spec, "metrics")) {
      for (const auto& mv : *metrics) {
        const json::object* m = mv.if_object();
        if (m == nullptr) continue;
        const json::value* util = Val(ObjAt(ObjAt(m, "resource"), "target"), "averageUtilization");
        if (IsCpuResource(*m) && !cpu_seen) {
          cpu_seen = true;  // the first cpu resource metric is v1's target, when it is a utilization
          if (util) s["targetCPUUtilizationPercentage"] = *util;
        }
        if (IsCpuResource(*m) && util) continue;
        others.push_back(MetricSpecToV1(*m));
      }
    }
    // Fields of spec v1 does not know (besides metrics and behavior) are left out.
    out["spec"] = std::move(s);
    if (!others.empty()) SetAnnotation(out, kMetricsAnnotation, others);
    if (const json::object* b = ObjAt(spec, "behavior")) {
      SetAnnotation(out, kBehaviorAnnotation,
                    json::object{{"ScaleUp", RulesToGo(ObjAt(b, "scaleUp"))}, {"ScaleDown", RulesToGo(ObjAt(b, "scaleDown"))}});
    }
  }

  const json::object* status = ObjAt(&v2, "status");
  json::object st;
  Copy(status, "observedGeneration", st);
  Copy(status, "lastScaleTime", st);
  const json::value* cur = Val(status, "currentReplicas");
  st["currentReplicas"] = cur ? *cur : json::value(0);
  const json::value* want = Val(status, "desiredReplicas");
  st["desiredReplicas"] = want ? *want : json::value(0);
  if (const json::array* current = ArrAt(status, "currentMetrics")) {
    json::array list;
    for (const auto& mv : *current) {
      const json::object* m = mv.if_object();
      if (m == nullptr) continue;
      if (IsCpuResource(*m)) {
        if (const json::value* u = Val(ObjAt(ObjAt(m, "resource"), "current"), "averageUtilization"))
          st["currentCPUUtilizationPercentage"] = *u;
      }
      list.push_back(MetricStatusToV1(*m));
    }
    if (!list.empty()) SetAnnotation(out, kCurrentMetricsAnnotation, list);
  }
  if (const json::array* conds = ArrAt(status, "conditions"); conds && !conds->empty()) {
    SetAnnotation(out, kConditionsAnnotation, *conds);
  }
  out["status"] = std::move(st);
  return out;
}

const VersionConversion* FindConversion(const ResourceInfo& r) {
  if (r.storage_version.empty()) return nullptr;
  for (const auto& c : kConversions) {
    if (c.group == r.group && c.kind == r.kind && c.served_version == r.version && c.storage_version == r.storage_version)
      return &c;
  }
  return nullptr;
}

}  // namespace k1s::registry
