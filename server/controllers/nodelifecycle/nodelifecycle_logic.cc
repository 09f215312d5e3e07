#include "server/controllers/nodelifecycle/nodelifecycle_logic.h"

#include <algorithm>

#include "lib/base/clock.h"
#include "lib/client/client.h"

namespace k1s::controllers::nodelifecycle {

namespace {

constexpr const char* kNoSchedule = "NoSchedule";
constexpr const char* kNoExecute = "NoExecute";

std::optional<TimePoint> TimeAt(const json::object& o, std::string_view key) {
  std::string s = StringAt(o, key);
  if (s.empty()) return std::nullopt;
  return client::ParseMicroTime(s);
}

json::object MakeTaint(std::string_view key, std::string_view effect, TimePoint now) {
  json::object t{{"key", key}, {"effect", effect}};
  if (effect == kNoExecute) t["timeAdded"] = client::FormatTime(now);
  return t;
}

bool ConditionTrue(const json::object& node, std::string_view type) {
  const json::object* c = FindCondition(node, type);
  return c && StringAt(*c, "status") == "True";
}

}  // namespace

const json::object* ObjectAt(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  return it != o.end() && it->value().is_object() ? &it->value().as_object() : nullptr;
}

const json::array* ArrayAt(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  return it != o.end() && it->value().is_array() ? &it->value().as_array() : nullptr;
}

std::string StringAt(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  return it != o.end() && it->value().is_string() ? std::string(it->value().as_string()) : std::string();
}

std::string MetaString(const json::object& o, std::string_view field) {
  const json::object* m = ObjectAt(o, "metadata");
  return m ? StringAt(*m, field) : std::string();
}

const json::object* FindCondition(const json::object& obj, std::string_view type) {
  const json::object* status = ObjectAt(obj, "status");
  const json::array* conds = status ? ArrayAt(*status, "conditions") : nullptr;
  if (!conds) return nullptr;
  for (const auto& c : *conds)
    if (c.is_object() && StringAt(c.as_object(), "type") == type) return &c.as_object();
  return nullptr;
}

Probe UpdateProbe(const std::optional<Probe>& previous, const json::object& node, const json::object* lease,
                  TimePoint now) {
  Probe p;
  const json::object* ready = FindCondition(node, "Ready");
  p.ready_heartbeat = ready ? StringAt(*ready, "lastHeartbeatTime") : "";
  p.ready_status = ReadyStatus(node);
  if (lease)
    if (const json::object* spec = ObjectAt(*lease, "spec")) p.lease_renew_time = StringAt(*spec, "renewTime");
  if (!previous) {
    p.observed = now;
    if (!ready)
      if (auto created = client::ParseMicroTime(MetaString(node, "creationTimestamp")))
        p.observed = std::min(now, *created);
    return p;
  }
  bool changed = p.ready_heartbeat != previous->ready_heartbeat ||
                 (!p.lease_renew_time.empty() && p.lease_renew_time != previous->lease_renew_time);
  p.observed = changed ? now : previous->observed;
  return p;
}

std::string ReadyStatus(const json::object& node) {
  const json::object* c = FindCondition(node, "Ready");
  std::string s = c ? StringAt(*c, "status") : "";
  return s == "True" || s == "False" ? s : "Unknown";
}

bool IsStale(const Probe& probe, const json::object& node, TimePoint now, std::chrono::milliseconds grace,
             std::chrono::milliseconds startup_grace) {
  auto limit = FindCondition(node, "Ready") ? grace : startup_grace;
  return now - probe.observed > limit;
}

std::optional<json::array> UnknownConditions(const json::object& node, TimePoint now) {
  json::array conds;
  if (const json::object* status = ObjectAt(node, "status"))
    if (const json::array* a = ArrayAt(*status, "conditions")) conds = *a;
  bool changed = false;
  const std::string now_text = client::FormatTime(now);
  for (std::string_view type : {"Ready", "MemoryPressure", "DiskPressure", "PIDPressure"}) {
    bool found = false;
    for (auto& v : conds) {
      if (!v.is_object() || StringAt(v.as_object(), "type") != type) continue;
      found = true;
      json::object& c = v.as_object();
      if (StringAt(c, "status") == "Unknown") break;
      c["status"] = "Unknown";
      c["reason"] = kReasonStatusUnknown;
      c["message"] = kMessageStatusUnknown;
      c["lastTransitionTime"] = now_text;
      changed = true;
      break;
    }
    if (!found) {
      conds.push_back(json::object{{"type", type},
                                   {"status", "Unknown"},
                                   {"reason", kReasonNeverUpdated},
                                   {"message", kMessageNeverUpdated},
                                   {"lastHeartbeatTime", MetaString(node, "creationTimestamp")},
                                   {"lastTransitionTime", now_text}});
      changed = true;
    }
  }
  if (!changed) return std::nullopt;
  return conds;
}

json::array DesiredTaints(const json::object& node, TimePoint now) {
  const std::string ready = ReadyStatus(node);
  const json::object* spec = ObjectAt(node, "spec");
  const bool unschedulable = spec && spec->contains("unschedulable") && spec->at("unschedulable").is_bool() &&
                             spec->at("unschedulable").as_bool();
  // (key, effect) pairs this controller owns, and whether each should be present.
  struct Owned {
    const char* key;
    const char* effect;
    bool want;
  };
  const Owned owned[] = {
      {kTaintNotReady, kNoSchedule, ready == "False"},
      {kTaintNotReady, kNoExecute, ready == "False"},
      {kTaintUnreachable, kNoSchedule, ready == "Unknown"},
      {kTaintUnreachable, kNoExecute, ready == "Unknown"},
      {kTaintMemoryPressure, kNoSchedule, ConditionTrue(node, "MemoryPressure")},
      {kTaintDiskPressure, kNoSchedule, ConditionTrue(node, "DiskPressure")},
      {kTaintPIDPressure, kNoSchedule, ConditionTrue(node, "PIDPressure")},
      {kTaintUnschedulable, kNoSchedule, unschedulable},
  };
  auto owned_entry = [&](const json::object& t) -> const Owned* {
    for (const auto& o : owned)
      if (StringAt(t, "key") == o.key && StringAt(t, "effect") == o.effect) return &o;
    return nullptr;
  };
  json::array out;
  const json::array* current = spec ? ArrayAt(*spec, "taints") : nullptr;
  std::vector<const Owned*> present;
  if (current) {
    for (const auto& v : *current) {
      if (!v.is_object()) continue;
      const Owned* o = owned_entry(v.as_object());
      if (o && !o->want) continue;  // drop what no longer applies
      if (o) {
        if (std::find(present.begin(), present.end(), o) != present.end()) continue;  // duplicate
        present.push_back(o);
      }
      out.push_back(v);
    }
  }
  for (const auto& o : owned)
    if (o.want && std::find(present.begin(), present.end(), &o) == present.end())
      out.push_back(MakeTaint(o.key, o.effect, now));
  return out;
}

bool Tolerates(const json::object& toleration, const json::object& taint) {
  std::string effect = StringAt(toleration, "effect");
  if (!effect.empty() && effect != StringAt(taint, "effect")) return false;
  std::string key = StringAt(toleration, "key");
  std::string op = StringAt(toleration, "operator");
  if (op.empty()) op = "Equal";
  if (key.empty()) return op == "Exists";  // an empty key with Exists matches every taint
  if (key != StringAt(taint, "key")) return false;
  if (op == "Exists") return true;
  return op == "Equal" && StringAt(toleration, "value") == StringAt(taint, "value");
}

std::optional<TimePoint> EvictionTime(const json::object& pod, const json::array& node_taints, TimePoint now) {
  const json::object* spec = ObjectAt(pod, "spec");
  const json::array* tolerations = spec ? ArrayAt(*spec, "tolerations") : nullptr;
  std::optional<TimePoint> earliest;
  for (const auto& tv : node_taints) {
    if (!tv.is_object() || StringAt(tv.as_object(), "effect") != kNoExecute) continue;
    const json::object& taint = tv.as_object();
    TimePoint added = TimeAt(taint, "timeAdded").value_or(now);
    bool tolerated = false;
    std::optional<int64_t> min_seconds;  // smallest tolerationSeconds among matching tolerations
    if (tolerations)
      for (const auto& v : *tolerations) {
        if (!v.is_object() || !Tolerates(v.as_object(), taint)) continue;
        tolerated = true;
        auto it = v.as_object().find("tolerationSeconds");
        if (it == v.as_object().end() || !it->value().is_number()) continue;  // forever
        // A uint64 or double beyond int64 (which would be undefined to cast) waits as long as the largest.
        double d = it->value().to_number<double>();
        int64_t s = it->value().is_int64() ? it->value().as_int64()
                    : d >= 9.2e18          ? INT64_MAX
                    : d <= -9.2e18         ? INT64_MIN
                                           : static_cast<int64_t>(d);
        min_seconds = min_seconds ? std::min(*min_seconds, s) : s;
      }
    TimePoint at;
    if (!tolerated) {
      at = now;
    } else if (min_seconds) {
      at = *min_seconds <= 0 ? now : added + ClampedSeconds(*min_seconds);
    } else {
      continue;  // tolerated forever
    }
    earliest = earliest ? std::min(*earliest, at) : at;
  }
  return earliest;
}

std::optional<json::object> NotReadyPodStatus(const json::object& pod, TimePoint now) {
  const json::object* status = ObjectAt(pod, "status");
  if (!status) return std::nullopt;
  json::object out = *status;
  auto it = out.find("conditions");
  if (it == out.end() || !it->value().is_array()) return std::nullopt;
  for (auto& v : it->value().as_array()) {
    if (!v.is_object() || StringAt(v.as_object(), "type") != "Ready") continue;
    json::object& c = v.as_object();
    if (StringAt(c, "status") == "False") return std::nullopt;
    c["status"] = "False";
    c["lastTransitionTime"] = client::FormatTime(now);
    return out;
  }
  return std::nullopt;
}

json::object DisruptionTargetStatus(const json::object& pod, TimePoint now) {
  json::object out;
  if (const json::object* status = ObjectAt(pod, "status")) out = *status;
  json::array conds;
  if (const json::array* a = ArrayAt(out, "conditions")) conds = *a;
  json::object cond{{"type", "DisruptionTarget"},
                    {"status", "True"},
                    {"reason", "DeletionByTaintManager"},
                    {"message", "Taint manager: deleting due to NoExecute taint"},
                    {"lastTransitionTime", client::FormatTime(now)}};
  bool replaced = false;
  for (auto& v : conds)
    if (v.is_object() && StringAt(v.as_object(), "type") == "DisruptionTarget") {
      v = cond;
      replaced = true;
    }
  if (!replaced) conds.push_back(std::move(cond));
  out["conditions"] = std::move(conds);
  return out;
}

}  // namespace k1s::controllers::nodelifecycle
