#include "server/controllers/podgc/podgc_logic.h"

#include <algorithm>
#include <tuple>

#include "lib/client/client.h"

namespace k1s::controllers::podgc {

namespace {

const json::object* ObjectAt(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  return it != o.end() && it->value().is_object() ? &it->value().as_object() : nullptr;
}

std::string StringAt(const json::object* o, std::string_view key) {
  if (!o) return "";
  auto it = o->find(key);
  return it != o->end() && it->value().is_string() ? std::string(it->value().as_string()) : std::string();
}

std::string Meta(const json::object& o, std::string_view field) { return StringAt(ObjectAt(o, "metadata"), field); }

Collect Make(const json::object& pod, Reason r) {
  return Collect{Meta(pod, "namespace"), Meta(pod, "name"), Meta(pod, "uid"), r};
}

bool NodeReady(const json::object& node) {
  const json::object* status = ObjectAt(node, "status");
  auto it = status ? status->find("conditions") : nullptr;
  if (!status || it == status->end() || !it->value().is_array()) return false;
  for (const auto& c : it->value().as_array())
    if (c.is_object() && StringAt(&c.as_object(), "type") == "Ready") return StringAt(&c.as_object(), "status") == "True";
  return false;
}

bool HasTaint(const json::object& node, std::string_view key, std::string_view effect) {
  const json::object* spec = ObjectAt(node, "spec");
  auto it = spec ? spec->find("taints") : nullptr;
  if (!spec || it == spec->end() || !it->value().is_array()) return false;
  for (const auto& t : it->value().as_array())
    if (t.is_object() && StringAt(&t.as_object(), "key") == key &&
        (effect.empty() || StringAt(&t.as_object(), "effect") == effect))
      return true;
  return false;
}

}  // namespace

std::string_view ReasonText(Reason r) {
  switch (r) {
    case Reason::kTerminatedOverThreshold: return "terminated pods over the threshold";
    case Reason::kOrphaned: return "node no longer exists";
    case Reason::kUnscheduledTerminating: return "terminating and not scheduled";
    case Reason::kOutOfService: return "terminating on an out-of-service node";
  }
  return "";
}

bool IsTerminated(const json::object& pod) {
  std::string phase = StringAt(ObjectAt(pod, "status"), "phase");
  return phase == "Succeeded" || phase == "Failed";
}

bool IsTerminating(const json::object& pod) {
  const json::object* m = ObjectAt(pod, "metadata");
  return m && m->contains("deletionTimestamp") && !m->at("deletionTimestamp").is_null();
}

std::string NodeNameOf(const json::object& pod) { return StringAt(ObjectAt(pod, "spec"), "nodeName"); }

std::vector<Collect> TerminatedOverThreshold(const PodList& pods, int threshold) {
  if (threshold <= 0) return {};
  std::vector<const json::object*> terminated;
  for (const auto& p : pods)
    if (IsTerminated(*p)) terminated.push_back(p.get());
  if (terminated.size() <= static_cast<size_t>(threshold)) return {};
  auto sort_key = [](const json::object* p) {
    bool evicted = StringAt(ObjectAt(*p, "status"), "reason") == "Evicted";
    auto created = client::ParseMicroTime(Meta(*p, "creationTimestamp"));
    return std::make_tuple(!evicted, created.value_or(TimePoint{}), Meta(*p, "namespace"), Meta(*p, "name"));
  };
  std::sort(terminated.begin(), terminated.end(),
            [&](const json::object* a, const json::object* b) { return sort_key(a) < sort_key(b); });
  std::vector<Collect> out;
  for (size_t i = 0; i < terminated.size() - static_cast<size_t>(threshold); ++i)
    out.push_back(Make(*terminated[i], Reason::kTerminatedOverThreshold));
  return out;
}

std::set<std::string> MissingNodes(const PodList& pods, const std::set<std::string>& nodes) {
  std::set<std::string> out;
  for (const auto& p : pods) {
    std::string n = NodeNameOf(*p);
    if (!n.empty() && !nodes.count(n)) out.insert(n);
  }
  return out;
}

std::set<std::string> UpdateQuarantine(std::map<std::string, TimePoint>& missing_since,
                                       const std::set<std::string>& missing, std::chrono::milliseconds quarantine,
                                       TimePoint now) {
  for (auto it = missing_since.begin(); it != missing_since.end();)
    it = missing.count(it->first) ? std::next(it) : missing_since.erase(it);
  std::set<std::string> out;
  for (const auto& n : missing) {
    auto [it, inserted] = missing_since.emplace(n, now);
    if (!inserted && now - it->second >= quarantine) out.insert(n);
  }
  return out;
}

std::vector<Collect> Orphaned(const PodList& pods, const std::set<std::string>& gone_nodes) {
  std::vector<Collect> out;
  for (const auto& p : pods)
    if (std::string n = NodeNameOf(*p); !n.empty() && gone_nodes.count(n)) out.push_back(Make(*p, Reason::kOrphaned));
  return out;
}

std::vector<Collect> UnscheduledTerminating(const PodList& pods) {
  std::vector<Collect> out;
  for (const auto& p : pods)
    if (IsTerminating(*p) && NodeNameOf(*p).empty()) out.push_back(Make(*p, Reason::kUnscheduledTerminating));
  return out;
}

std::vector<Collect> OutOfServiceTerminating(const PodList& pods,
                                             const std::map<std::string, std::shared_ptr<const json::object>>& nodes) {
  std::vector<Collect> out;
  for (const auto& p : pods) {
    if (!IsTerminating(*p)) continue;
    auto it = nodes.find(NodeNameOf(*p));
    if (it == nodes.end() || !it->second) continue;
    if (!NodeReady(*it->second) && HasTaint(*it->second, kTaintOutOfService, ""))
      out.push_back(Make(*p, Reason::kOutOfService));
  }
  return out;
}

std::optional<json::object> FailedStatus(const json::object& pod, Reason reason, TimePoint now) {
  if (IsTerminated(pod)) return std::nullopt;
  json::object status;
  if (const json::object* s = ObjectAt(pod, "status")) status = *s;
  status["phase"] = "Failed";
  if (reason == Reason::kOrphaned || reason == Reason::kOutOfService) {
    json::array conds;
    if (auto it = status.find("conditions"); it != status.end() && it->value().is_array()) conds = it->value().as_array();
    json::object cond{{"type", "DisruptionTarget"},
                      {"status", "True"},
                      {"reason", "DeletionByPodGC"},
                      {"message", reason == Reason::kOrphaned ? "PodGC: node no longer exists"
                                                              : "PodGC: node is out of service"},
                      {"lastTransitionTime", client::FormatTime(now)}};
    bool replaced = false;
    for (auto& c : conds)
      if (c.is_object() && StringAt(&c.as_object(), "type") == "DisruptionTarget") {
        c = cond;
        replaced = true;
      }
    if (!replaced) conds.push_back(std::move(cond));
    status["conditions"] = std::move(conds);
  }
  return status;
}

}  // namespace k1s::controllers::podgc
