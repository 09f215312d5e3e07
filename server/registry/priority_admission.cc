#include "server/registry/priority_admission.h"

#include <boost/json/serialize.hpp>
#include <optional>

#include "lib/api/go_format.h"
#include "lib/api/meta.h"
#include "lib/api/status.h"

namespace k1s::registry {

namespace {

constexpr char kClassPrefix[] = "/registry/scheduling.k8s.io/priorityclasses/";
constexpr char kPreemptLowerPriority[] = "PreemptLowerPriority";
constexpr char kPreemptNever[] = "Never";
constexpr char kSystemPrefix[] = "system-";

struct SystemClass {
  const char* name;
  int64_t value;
  const char* description;
};
constexpr SystemClass kSystemClasses[] = {
    {"system-node-critical", kSystemCriticalPriority + 1000,
     "Used for system critical pods that must not be moved from their current node."},
    {"system-cluster-critical", kSystemCriticalPriority,
     "Used for system critical pods that must run in the cluster, but can be moved to another node if necessary."},
};

bool IsPods(const ResourceInfo& r) { return r.group.empty() && r.plural == "pods"; }
bool IsPriorityClasses(const ResourceInfo& r) { return r.group == "scheduling.k8s.io" && r.plural == "priorityclasses"; }

// Present and not null.
bool Has(const json::object& o, std::string_view k) {
  const json::value* v = o.if_contains(k);
  return v != nullptr && !v->is_null();
}
std::optional<int64_t> IntField(const json::object& o, std::string_view k) {
  const json::value* v = o.if_contains(k);
  if (v == nullptr) return std::nullopt;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64() && v->get_uint64() <= static_cast<uint64_t>(INT64_MAX)) return static_cast<int64_t>(v->get_uint64());
  return std::nullopt;
}
std::string StrField(const json::object& o, std::string_view k) {
  const json::value* v = o.if_contains(k);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

int64_t ClassValue(const json::object& pc) { return IntField(pc, "value").value_or(0); }
std::string ClassPolicy(const json::object& pc) {
  std::string p = StrField(pc, "preemptionPolicy");
  return p.empty() ? kPreemptLowerPriority : p;  // classes stored before defaulting
}
bool ClassIsDefault(const json::object& pc) {
  const json::value* v = pc.if_contains("globalDefault");
  return v && v->is_bool() && v->get_bool();
}

Error Forbidden(const ResourceInfo& r, const std::string& name, const std::string& why) {
  return api::StatusError(ErrorCode::kForbidden,
                          api::QualifiedResource(r.plural, r.group) + " \"" + name + "\" is forbidden: " + why,
                          {name, r.group, r.plural, {}});
}

// The class among stored values (each a PriorityClass JSON text) named `name`.
Result<std::optional<json::object>> FindClass(const std::vector<std::string>& values, const std::string& name) {
  for (const auto& v : values) {
    auto obj = api::ParseObject(v);
    if (!obj.ok()) return Fail(ErrorCode::kInternal, "PriorityClass " + name + ": " + obj.error().message);
    if (api::MetaString(*obj, "name") == name) return std::optional<json::object>(std::move(*obj));
  }
  return std::optional<json::object>();
}

// The globalDefault class; with several (a race between two writes), the one of lowest value, as
// upstream picks.
std::optional<json::object> DefaultClass(const std::vector<std::string>& values) {
  std::optional<json::object> best;
  for (const auto& v : values) {
    auto obj = api::ParseObject(v);
    if (!obj.ok() || !ClassIsDefault(*obj)) continue;
    if (!best || ClassValue(*obj) < ClassValue(*best)) best = std::move(*obj);
  }
  return best;
}

// "" when pc is one of the built-in classes as they are defined, else why not (upstream's wording).
std::string KnownSystemClassError(const std::string& name, int64_t value, bool global_default) {
  for (const auto& s : kSystemClasses) {
    if (name != s.name) continue;
    if (value != s.value) return "value of " + name + " PriorityClass must be " + std::to_string(s.value);
    if (global_default) return "globalDefault of " + name + " PriorityClass must be false";
    return "";
  }
  return name + " is not a known system priority class";
}

}  // namespace

std::vector<json::object> SystemPriorityClasses() {
  std::vector<json::object> out;
  for (const auto& s : kSystemClasses) {
    out.push_back(json::object{{"apiVersion", "scheduling.k8s.io/v1"},
                               {"kind", "PriorityClass"},
                               {"metadata", json::object{{"name", s.name}}},
                               {"value", s.value},
                               {"description", s.description},
                               {"preemptionPolicy", kPreemptLowerPriority}});
  }
  return out;
}

Result<std::vector<std::string>> PriorityAdmission::ClassValues(const std::string& prefix) {
  if (cached_values) return cached_values(prefix);
  datastore::ListOptions o;
  o.prefix = prefix;
  auto list = store_.List(o);
  if (!list.ok()) return Fail(list.error());
  std::vector<std::string> out;
  for (auto& kv : list->items) out.push_back(std::move(kv.value));
  return out;
}

Status PriorityAdmission::Admit(const ResourceInfo& r, const std::string& /*ns*/, json::object& obj,
                                const json::object* old) {
  if (IsPods(r)) return AdmitPod(r, obj, old);
  if (IsPriorityClasses(r)) return AdmitPriorityClass(r, obj, old);
  return OkStatus();
}

Status PriorityAdmission::AdmitDelete(const ResourceInfo& r, const std::string& name) {
  if (!IsPriorityClasses(r)) return OkStatus();
  for (const auto& s : kSystemClasses) {
    if (name == s.name) return Fail(Forbidden(r, name, "this is a system priority class and cannot be deleted"));
  }
  return OkStatus();
}

Status PriorityAdmission::AdmitPod(const ResourceInfo& r, json::object& pod, const json::object* old) {
  json::value* spec_value = pod.if_contains("spec");
  if (spec_value == nullptr || !spec_value->is_object()) return OkStatus();  // validation reports it
  json::object& spec = spec_value->get_object();
  if (old) {
    // Set on create; a body that leaves them out keeps them (validation refuses any other change).
    const json::value* old_spec = old->if_contains("spec");
    if (old_spec == nullptr || !old_spec->is_object()) return OkStatus();
    for (const char* f : {"priority", "preemptionPolicy"}) {
      if (Has(spec, f)) continue;
      if (const json::value* v = old_spec->get_object().if_contains(f); v && !v->is_null()) {
        json::value copy = *v;
        spec[f] = std::move(copy);
      }
    }
    return OkStatus();
  }

  const std::string name = api::MetaString(pod, "name");
  std::string class_name = StrField(spec, "priorityClassName");
  int64_t priority = 0;
  std::string policy = kPreemptLowerPriority;
  if (class_name.empty()) {
    K1S_ASSIGN_OR_RETURN(auto values, ClassValues(kClassPrefix));
    auto dpc = DefaultClass(values);
    if (dpc) {
      priority = ClassValue(*dpc);
      policy = ClassPolicy(*dpc);
      spec["priorityClassName"] = api::MetaString(*dpc, "name");
    }
  } else {
    K1S_ASSIGN_OR_RETURN(auto values, ClassValues(kClassPrefix + class_name));
    K1S_ASSIGN_OR_RETURN(auto pc, FindClass(values, class_name));
    if (!pc) return Fail(Forbidden(r, name, "no PriorityClass with name " + class_name + " was found"));
    priority = ClassValue(*pc);
    policy = ClassPolicy(*pc);
  }
  if (auto given = IntField(spec, "priority"); given && *given != priority) {
    return Fail(Forbidden(r, name,
                          "the integer value of priority (" + std::to_string(*given) +
                              ") must not be provided in pod spec; priority admission controller computed " +
                              std::to_string(priority) + " from the given PriorityClass name"));
  }
  spec["priority"] = priority;
  if (std::string given = StrField(spec, "preemptionPolicy"); !given.empty() && given != policy) {
    return Fail(Forbidden(r, name,
                          "the string value of PreemptionPolicy (" + given +
                              ") must not be provided in pod spec; priority admission controller computed " + policy +
                              " from the given PriorityClass name"));
  }
  spec["preemptionPolicy"] = policy;
  return OkStatus();
}

Status PriorityAdmission::AdmitPriorityClass(const ResourceInfo& r, json::object& pc, const json::object* old) {
  // Defaults (value is a plain int32 upstream: absent reads as 0).
  if (!Has(pc, "value")) pc["value"] = 0;
  if (!Has(pc, "preemptionPolicy")) pc["preemptionPolicy"] = kPreemptLowerPriority;

  const std::string name = api::MetaString(pc, "name");
  std::vector<api::FieldCause> errs;
  const json::value& value_field = pc.at("value");
  auto value = IntField(pc, "value");
  if (!value) {
    errs.push_back({"value", "FieldValueTypeInvalid",
                    "Invalid value: " + json::serialize(value_field) + ": must be of type int32"});
  }
  const json::value& policy_field = pc.at("preemptionPolicy");
  if (old == nullptr) {
    if (name.rfind(kSystemPrefix, 0) == 0) {
      if (std::string why = KnownSystemClassError(name, value.value_or(0), ClassIsDefault(pc)); !why.empty()) {
        errs.push_back({"metadata.name", "FieldValueForbidden",
                        std::string("Forbidden: priority class names with '") + kSystemPrefix +
                            "' prefix are reserved for system use only. error: " + why});
      }
    } else if (value && *value > kHighestUserDefinablePriority) {
      errs.push_back({"value", "FieldValueForbidden",
                      "Forbidden: maximum allowed value of a user defined priority is " +
                          std::to_string(kHighestUserDefinablePriority)});
    }
    if (!policy_field.is_string()) {
      errs.push_back({"preemptionPolicy", "FieldValueTypeInvalid",
                      "Invalid value: " + json::serialize(policy_field) + ": must be of type string"});
    } else if (policy_field.get_string().empty()) {
      errs.push_back({"preemptionPolicy", "FieldValueRequired", "Required value"});
    } else if (policy_field.get_string() != kPreemptLowerPriority && policy_field.get_string() != kPreemptNever) {
      errs.push_back({"preemptionPolicy", "FieldValueNotSupported",
                      "Unsupported value: " + api::GoQuote(policy_field.get_string()) + ": supported values: \"" +
                          kPreemptLowerPriority + "\", \"" + kPreemptNever + "\""});
    }
  } else {
    if (value && *value != ClassValue(*old)) {
      errs.push_back({"value", "FieldValueForbidden", "Forbidden: may not be changed in an update."});
    }
    std::string policy = policy_field.is_string() ? std::string(policy_field.get_string()) : "";
    if (policy != ClassPolicy(*old)) {
      errs.push_back({"preemptionPolicy", "FieldValueInvalid",
                      "Invalid value: " + (policy_field.is_string() ? api::GoQuote(policy) : json::serialize(policy_field)) +
                          ": field is immutable"});
    }
  }
  if (!errs.empty()) return Fail(api::InvalidError(r.kind, r.group, name, errs));

  // Only one default (the validating half of the admission plugin).
  if (ClassIsDefault(pc)) {
    K1S_ASSIGN_OR_RETURN(auto values, ClassValues(kClassPrefix));
    auto dpc = DefaultClass(values);
    if (dpc && (old == nullptr || api::MetaString(*dpc, "name") != name)) {
      return Fail(Forbidden(r, name,
                            "PriorityClass " + api::MetaString(*dpc, "name") +
                                " is already marked as default. Only one default can exist"));
    }
  }
  return OkStatus();
}

}  // namespace k1s::registry
