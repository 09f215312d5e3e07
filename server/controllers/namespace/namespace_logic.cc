#include "server/controllers/namespace/namespace_logic.h"

#include <boost/json/array.hpp>

#include "lib/api/meta.h"

namespace k1s::controllers::namespaces {

namespace {

const json::array* SpecFinalizers(const json::object& ns) {
  auto spec = ns.find("spec");
  if (spec == ns.end() || !spec->value().is_object()) return nullptr;
  auto f = spec->value().as_object().find("finalizers");
  return f != spec->value().as_object().end() && f->value().is_array() ? &f->value().as_array() : nullptr;
}

struct Cond {
  const char* type;
  bool status;
  std::string reason, message;
};

std::string Counts(const std::map<std::string, int>& m, const char* what) {
  std::string out;
  for (const auto& [k, n] : m) {
    if (!out.empty()) out += ", ";
    out += k + " has " + std::to_string(n) + " " + what;
  }
  return out;
}

}  // namespace

bool IsBeingDeleted(const json::object& ns) { return !api::MetaString(ns, "deletionTimestamp").empty(); }

bool HasKubernetesFinalizer(const json::object& ns) {
  const json::array* f = SpecFinalizers(ns);
  if (!f) return false;
  for (const auto& v : *f) {
    if (v.is_string() && v.as_string() == kKubernetesFinalizer) return true;
  }
  return false;
}

json::object WithoutKubernetesFinalizer(json::object ns) {
  auto spec = ns.find("spec");
  if (spec == ns.end() || !spec->value().is_object()) return ns;
  auto f = spec->value().as_object().find("finalizers");
  if (f == spec->value().as_object().end() || !f->value().is_array()) return ns;
  json::array kept;
  for (const auto& v : f->value().as_array()) {
    if (!(v.is_string() && v.as_string() == kKubernetesFinalizer)) kept.push_back(v);
  }
  f->value() = std::move(kept);
  return ns;
}

std::optional<json::object> StatusWithDeletionConditions(const json::object& ns, const ContentSummary& summary,
                                                         const std::string& now) {
  std::string failures;
  for (const auto& f : summary.failures) failures += (failures.empty() ? "" : "; ") + f;
  std::vector<Cond> want = {
      {"NamespaceDeletionDiscoveryFailure", false, "ResourcesDiscovered", "All resources successfully discovered"},
      {"NamespaceDeletionGroupVersionParsingFailure", false, "ParsedGroupVersions",
       "All legacy kube types successfully parsed"},
      summary.failures.empty()
          ? Cond{"NamespaceDeletionContentFailure", false, "ContentDeleted", "All content successfully deleted, may be waiting on finalization"}
          : Cond{"NamespaceDeletionContentFailure", true, "ContentDeletionFailed", "Failed to delete all resource types: " + failures},
      summary.remaining.empty()
          ? Cond{"NamespaceContentRemaining", false, "ContentRemoved", "All content successfully removed"}
          : Cond{"NamespaceContentRemaining", true, "SomeResourcesRemain",
                 "Some resources are remaining: " + Counts(summary.remaining, "resource instances")},
      summary.finalizers.empty()
          ? Cond{"NamespaceFinalizersRemaining", false, "ContentHasNoFinalizers", "All content-preserving finalizers finished"}
          : Cond{"NamespaceFinalizersRemaining", true, "SomeFinalizersRemain",
                 "Some content in the namespace has finalizers remaining: " +
                     Counts(summary.finalizers, "resource instances")},
  };
  json::object status;
  if (auto s = ns.find("status"); s != ns.end() && s->value().is_object()) status = s->value().as_object();
  json::array old_conds;
  if (auto c = status.find("conditions"); c != status.end() && c->value().is_array()) old_conds = c->value().as_array();
  json::array conds;
  // Conditions of other types are kept as they are.
  for (const auto& c : old_conds) {
    bool ours = false;
    for (const auto& w : want) {
      ours = ours || (c.is_object() && c.as_object().contains("type") && c.as_object().at("type") == w.type);
    }
    if (!ours) conds.push_back(c);
  }
  for (const auto& w : want) {
    const json::object* old = nullptr;
    for (const auto& c : old_conds) {
      if (c.is_object() && c.as_object().contains("type") && c.as_object().at("type") == w.type) old = &c.as_object();
    }
    std::string st = w.status ? "True" : "False";
    std::string when = now;
    if (old && old->contains("status") && old->at("status") == st.c_str() && old->contains("lastTransitionTime")) {
      when = old->at("lastTransitionTime").is_string() ? std::string(old->at("lastTransitionTime").as_string()) : now;
    }
    conds.push_back(json::object{{"type", w.type},
                                 {"status", st},
                                 {"lastTransitionTime", when},
                                 {"reason", w.reason},
                                 {"message", w.message}});
  }
  json::object next_status = status;
  next_status["phase"] = "Terminating";
  next_status["conditions"] = std::move(conds);
  if (next_status == status) return std::nullopt;
  json::object next = ns;
  next["status"] = std::move(next_status);
  return next;
}

}  // namespace k1s::controllers::namespaces
