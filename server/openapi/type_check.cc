// Type checking of built-in kinds' bodies, worded as Go's JSON decoder and unstructured converter word it.
#include "server/openapi/type_check.h"

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string_view>
#include <vector>

#include "lib/api/go_format.h"
#include "lib/api/quantity.h"
#include "lib/api/status.h"

namespace k1s::openapi {

namespace json = boost::json;

namespace {

// Fields whose Go type is a named type rather than the plain scalar, list or map the schema describes
// (`type Protocol string`, `type ResourceList map[ResourceName]resource.Quantity`). Only the names in
// error messages depend on this; a field missing here is checked all the same.
struct GoNamedField {
  std::string_view field;  // "<schema type full name>.<json name>"
  std::string_view go_type;
};
constexpr GoNamedField kGoNamedFields[] = {
    {"io.k8s.api.core.v1.Container.imagePullPolicy", "v1.PullPolicy"},
    {"io.k8s.api.core.v1.Container.terminationMessagePolicy", "v1.TerminationMessagePolicy"},
    {"io.k8s.api.core.v1.Container.restartPolicy", "v1.ContainerRestartPolicy"},
    {"io.k8s.api.core.v1.EphemeralContainer.imagePullPolicy", "v1.PullPolicy"},
    {"io.k8s.api.core.v1.EphemeralContainer.terminationMessagePolicy", "v1.TerminationMessagePolicy"},
    {"io.k8s.api.core.v1.ContainerPort.protocol", "v1.Protocol"},
    {"io.k8s.api.core.v1.ServicePort.protocol", "v1.Protocol"},
    {"io.k8s.api.core.v1.EndpointPort.protocol", "v1.Protocol"},
    {"io.k8s.api.discovery.v1.EndpointPort.protocol", "v1.Protocol"},
    {"io.k8s.api.networking.v1.NetworkPolicyPort.protocol", "v1.Protocol"},
    {"io.k8s.api.core.v1.PodSpec.restartPolicy", "v1.RestartPolicy"},
    {"io.k8s.api.core.v1.PodSpec.dnsPolicy", "v1.DNSPolicy"},
    {"io.k8s.api.core.v1.PodSpec.preemptionPolicy", "v1.PreemptionPolicy"},
    {"io.k8s.api.core.v1.PodSpec.overhead", "v1.ResourceList"},
    {"io.k8s.api.core.v1.PodStatus.phase", "v1.PodPhase"},
    {"io.k8s.api.core.v1.PodStatus.qosClass", "v1.PodQOSClass"},
    {"io.k8s.api.core.v1.PodCondition.type", "v1.PodConditionType"},
    {"io.k8s.api.core.v1.PodCondition.status", "v1.ConditionStatus"},
    {"io.k8s.api.core.v1.NodeCondition.type", "v1.NodeConditionType"},
    {"io.k8s.api.core.v1.NodeCondition.status", "v1.ConditionStatus"},
    {"io.k8s.api.core.v1.NodeStatus.capacity", "v1.ResourceList"},
    {"io.k8s.api.core.v1.NodeStatus.allocatable", "v1.ResourceList"},
    {"io.k8s.api.core.v1.NodeStatus.phase", "v1.NodePhase"},
    {"io.k8s.api.core.v1.NodeAddress.type", "v1.NodeAddressType"},
    {"io.k8s.api.core.v1.ServiceSpec.type", "v1.ServiceType"},
    {"io.k8s.api.core.v1.ServiceSpec.sessionAffinity", "v1.ServiceAffinity"},
    {"io.k8s.api.core.v1.ServiceSpec.externalTrafficPolicy", "v1.ServiceExternalTrafficPolicy"},
    {"io.k8s.api.core.v1.ServiceSpec.internalTrafficPolicy", "v1.ServiceInternalTrafficPolicy"},
    {"io.k8s.api.core.v1.ServiceSpec.ipFamilies", "[]v1.IPFamily"},
    {"io.k8s.api.core.v1.ServiceSpec.ipFamilyPolicy", "v1.IPFamilyPolicy"},
    {"io.k8s.api.core.v1.ResourceRequirements.limits", "v1.ResourceList"},
    {"io.k8s.api.core.v1.ResourceRequirements.requests", "v1.ResourceList"},
    {"io.k8s.api.core.v1.VolumeResourceRequirements.limits", "v1.ResourceList"},
    {"io.k8s.api.core.v1.VolumeResourceRequirements.requests", "v1.ResourceList"},
    {"io.k8s.api.core.v1.ResourceQuotaSpec.hard", "v1.ResourceList"},
    {"io.k8s.api.core.v1.ResourceQuotaStatus.hard", "v1.ResourceList"},
    {"io.k8s.api.core.v1.ResourceQuotaStatus.used", "v1.ResourceList"},
    {"io.k8s.api.core.v1.LimitRangeItem.type", "v1.LimitType"},
    {"io.k8s.api.core.v1.LimitRangeItem.max", "v1.ResourceList"},
    {"io.k8s.api.core.v1.LimitRangeItem.min", "v1.ResourceList"},
    {"io.k8s.api.core.v1.LimitRangeItem.default", "v1.ResourceList"},
    {"io.k8s.api.core.v1.LimitRangeItem.defaultRequest", "v1.ResourceList"},
    {"io.k8s.api.core.v1.LimitRangeItem.maxLimitRequestRatio", "v1.ResourceList"},
    {"io.k8s.api.core.v1.PersistentVolumeSpec.capacity", "v1.ResourceList"},
    {"io.k8s.api.core.v1.PersistentVolumeSpec.accessModes", "[]v1.PersistentVolumeAccessMode"},
    {"io.k8s.api.core.v1.PersistentVolumeSpec.persistentVolumeReclaimPolicy", "v1.PersistentVolumeReclaimPolicy"},
    {"io.k8s.api.core.v1.PersistentVolumeClaimSpec.accessModes", "[]v1.PersistentVolumeAccessMode"},
    {"io.k8s.api.core.v1.PersistentVolumeClaimStatus.accessModes", "[]v1.PersistentVolumeAccessMode"},
    {"io.k8s.api.core.v1.PersistentVolumeClaimStatus.capacity", "v1.ResourceList"},
    {"io.k8s.api.core.v1.PersistentVolumeClaimStatus.phase", "v1.PersistentVolumeClaimPhase"},
    {"io.k8s.api.core.v1.Capabilities.add", "[]v1.Capability"},
    {"io.k8s.api.core.v1.Capabilities.drop", "[]v1.Capability"},
    {"io.k8s.api.core.v1.Toleration.operator", "v1.TolerationOperator"},
    {"io.k8s.api.core.v1.Toleration.effect", "v1.TaintEffect"},
    {"io.k8s.api.core.v1.Taint.effect", "v1.TaintEffect"},
    {"io.k8s.api.core.v1.NodeSelectorRequirement.operator", "v1.NodeSelectorOperator"},
    {"io.k8s.api.core.v1.NamespaceSpec.finalizers", "[]v1.FinalizerName"},
    {"io.k8s.api.core.v1.NamespaceStatus.phase", "v1.NamespacePhase"},
    {"io.k8s.api.core.v1.Secret.type", "v1.SecretType"},
    {"io.k8s.api.core.v1.HTTPGetAction.scheme", "v1.URIScheme"},
    {"io.k8s.api.core.v1.HostPathVolumeSource.type", "v1.HostPathType"},
    {"io.k8s.api.core.v1.EmptyDirVolumeSource.medium", "v1.StorageMedium"},
    {"io.k8s.api.core.v1.EmptyDirVolumeSource.sizeLimit", "resource.Quantity"},
    {"io.k8s.api.core.v1.VolumeMount.mountPropagation", "v1.MountPropagationMode"},
    {"io.k8s.api.apps.v1.DeploymentStrategy.type", "v1.DeploymentStrategyType"},
    {"io.k8s.api.apps.v1.DaemonSetUpdateStrategy.type", "v1.DaemonSetUpdateStrategyType"},
    {"io.k8s.api.apps.v1.StatefulSetUpdateStrategy.type", "v1.StatefulSetUpdateStrategyType"},
    {"io.k8s.api.apps.v1.StatefulSetSpec.podManagementPolicy", "v1.PodManagementPolicyType"},
    {"io.k8s.api.apps.v1.DeploymentCondition.type", "v1.DeploymentConditionType"},
    {"io.k8s.api.apps.v1.DeploymentCondition.status", "v1.ConditionStatus"},
    {"io.k8s.api.batch.v1.JobSpec.completionMode", "v1.CompletionMode"},
    {"io.k8s.api.batch.v1.JobCondition.type", "v1.JobConditionType"},
    {"io.k8s.api.batch.v1.JobCondition.status", "v1.ConditionStatus"},
    {"io.k8s.api.batch.v1.CronJobSpec.concurrencyPolicy", "v1.ConcurrencyPolicy"},
    {"io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta.uid", "types.UID"},
    {"io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference.uid", "types.UID"},
    {"io.k8s.apimachinery.pkg.apis.meta.v1.ManagedFieldsEntry.operation", "v1.ManagedFieldsOperationType"},
    {"io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelectorRequirement.operator", "v1.LabelSelectorOperator"},
    {"io.k8s.apimachinery.pkg.apis.meta.v1.Condition.status", "v1.ConditionStatus"},
};

std::string_view NamedGoType(const api::SchemaType& owner, std::string_view field) {
  for (const auto& n : kGoNamedFields) {
    std::string_view f = n.field;
    if (f.size() == owner.name.size() + 1 + field.size() && f.starts_with(owner.name) &&
        f[owner.name.size()] == '.' && f.ends_with(field)) {
      return n.go_type;
    }
  }
  return {};
}

// The Go package name of a schema package: its last segment ("io.k8s.api.apps.v1" -> "v1").
std::string_view GoPackage(std::string_view package) {
  size_t dot = package.rfind('.');
  return dot == std::string_view::npos ? package : package.substr(dot + 1);
}

std::string GoTypeName(const api::ValueType& t) {
  switch (t.kind) {
    case api::ValueKind::kString: return "string";
    case api::ValueKind::kInt32: return "int32";
    case api::ValueKind::kInt64: return "int64";
    case api::ValueKind::kDouble: return "float64";
    case api::ValueKind::kBoolean: return "bool";
    case api::ValueKind::kBytes: return "[]uint8";
    case api::ValueKind::kQuantity: return "resource.Quantity";
    case api::ValueKind::kIntOrString: return "intstr.IntOrString";
    case api::ValueKind::kTime: return "v1.Time";
    case api::ValueKind::kMicroTime: return "v1.MicroTime";
    case api::ValueKind::kAny: return "interface {}";
    case api::ValueKind::kObject:
      if (t.named == nullptr) return "struct {}";
      return std::string(GoPackage(t.named->package)) + "." + t.named->short_name;
    case api::ValueKind::kArray: return "[]" + (t.element ? GoTypeName(*t.element) : std::string("interface {}"));
    case api::ValueKind::kMap:
      return "map[string]" + (t.element ? GoTypeName(*t.element) : std::string("interface {}"));
  }
  return "interface {}";
}

// A value's schema type and, when Go names it differently from the schema's shape, its Go type name.
struct Typed {
  const api::ValueType* type;
  std::string go;  // "" = GoTypeName(*type)

  std::string Name() const { return go.empty() ? GoTypeName(*type) : go; }
  Typed Element() const {
    std::string_view g = go;
    if (g.starts_with("[]")) return {type->element, std::string(g.substr(2))};
    if (g.starts_with("map[string]")) return {type->element, std::string(g.substr(11))};
    return {type->element, {}};
  }
};

Typed FieldTyped(const api::SchemaType& owner, const api::SchemaField& f) {
  return {&f.type, std::string(NamedGoType(owner, f.name))};
}

// How Go's decoder names a JSON value's kind in errors.
std::string_view JsonKind(const json::value& v) {
  switch (v.kind()) {
    case json::kind::string: return "string";
    case json::kind::bool_: return "bool";
    case json::kind::object: return "object";
    case json::kind::array: return "array";
    case json::kind::null: return "null";
    default: return "number";
  }
}

// A number as its JSON literal is most likely written (integers exactly; floats in shortest form, with
// ".0" kept for integral values so "3.0" reads as written).
std::string NumberLiteral(const json::value& v) {
  if (v.is_int64()) return std::to_string(v.get_int64());
  if (v.is_uint64()) return std::to_string(v.get_uint64());
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, v.get_double());
  std::string s(buf, r.ptr);
  if (s.find_first_of(".eE") == std::string::npos && s.find_first_of("0123456789") != std::string::npos) s += ".0";
  return s;
}

// True if v is a JSON number Go can store in an integer of the kind (int32 or int64) without loss; the
// converter also takes integral floats.
bool FitsInteger(const json::value& v, api::ValueKind kind, bool integral_floats) {
  int64_t lo = kind == api::ValueKind::kInt32 ? std::numeric_limits<int32_t>::min() : std::numeric_limits<int64_t>::min();
  int64_t hi = kind == api::ValueKind::kInt32 ? std::numeric_limits<int32_t>::max() : std::numeric_limits<int64_t>::max();
  if (v.is_int64()) return v.get_int64() >= lo && v.get_int64() <= hi;
  if (v.is_uint64()) return v.get_uint64() <= static_cast<uint64_t>(hi);
  if (v.is_double() && integral_floats) return std::trunc(v.get_double()) == v.get_double();
  return false;
}

// Go's base64.StdEncoding.Decode verdict: the offset of the first illegal byte, or -1 when s decodes.
// Newlines are skipped; padding is required; trailing data after padding is illegal.
int64_t Base64ErrorOffset(std::string_view s) {
  auto value = [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
  };
  auto newline = [](char c) { return c == '\n' || c == '\r'; };
  size_t si = 0;
  const size_t n = s.size();
  for (;;) {
    int j = 0;
    while (j < 4) {
      if (si == n) {
        if (j == 0) return -1;
        return static_cast<int64_t>(si) - j;
      }
      char c = s[si++];
      if (value(c)) {
        ++j;
        continue;
      }
      if (newline(c)) continue;
      if (c != '=') return static_cast<int64_t>(si) - 1;
      if (j < 2) return static_cast<int64_t>(si) - 1;
      if (j == 2) {
        while (si < n && newline(s[si])) ++si;
        if (si == n) return static_cast<int64_t>(n);
        if (s[si] != '=') return static_cast<int64_t>(si) - 1;
        ++si;
      }
      while (si < n && newline(s[si])) ++si;
      if (si < n) return static_cast<int64_t>(si);
      return -1;
    }
  }
}

std::string Base64Error(int64_t offset) { return "illegal base64 data at input byte " + std::to_string(offset); }

// ---- Go's JSON decoder ---------------------------------------------------------------------------------

class Decoder {
 public:
  std::optional<std::string> Run(const api::SchemaType& kind, const json::value& obj) {
    if (const json::object* o = obj.if_object()) Struct(*o, kind, "");
    if (fatal_) return fatal_;
    return saved_;
  }

 private:
  // The decoding context: the innermost struct's Go name and the JSON field names from the root.
  struct Ctx {
    std::string_view struct_name;
    const std::string& path;
  };

  std::string TypeError(std::string_view value, const std::string& go_type, const Ctx& c) const {
    if (c.path.empty()) return "json: cannot unmarshal " + std::string(value) + " into Go value of type " + go_type;
    return "json: cannot unmarshal " + std::string(value) + " into Go struct field " + std::string(c.struct_name) + "." +
           c.path + " of type " + go_type;
  }
  void Save(std::string e) {
    if (!saved_) saved_ = std::move(e);
  }
  // A decoder of its own (UnmarshalJSON) failed: Go stops decoding with this error.
  void Fatal(std::string e) { fatal_ = std::move(e); }

  // Returns false once decoding stopped.
  bool Struct(const json::object& obj, const api::SchemaType& type, const std::string& path) {
    for (const auto& kv : obj) {
      const api::SchemaField* f = type.Field(kv.key());
      if (f == nullptr) continue;  // unknown fields are field validation's business
      std::string child = path.empty() ? std::string(kv.key()) : path + "." + std::string(kv.key());
      if (!Value(kv.value(), FieldTyped(type, *f), Ctx{type.short_name, child})) return false;
    }
    return true;
  }

  bool Value(const json::value& v, const Typed& t, const Ctx& c) {
    if (v.is_null()) return true;  // null leaves the zero value
    using K = api::ValueKind;
    switch (t.type->kind) {
      case K::kAny:
        return true;
      case K::kString:
        if (!v.is_string()) Save(TypeError(JsonKind(v), t.Name(), c));
        return true;
      case K::kBoolean:
        if (!v.is_bool()) Save(TypeError(JsonKind(v), t.Name(), c));
        return true;
      case K::kDouble:
        if (!v.is_number()) Save(TypeError(JsonKind(v), t.Name(), c));
        return true;
      case K::kInt32:
      case K::kInt64:
        if (!v.is_number()) {
          Save(TypeError(JsonKind(v), t.Name(), c));
        } else if (!FitsInteger(v, t.type->kind, false)) {
          Save(TypeError("number " + NumberLiteral(v), t.Name(), c));
        }
        return true;
      case K::kBytes:
        if (const json::string* s = v.if_string()) {
          if (int64_t at = Base64ErrorOffset(*s); at >= 0) Save(Base64Error(at));
        } else if (const json::array* a = v.if_array()) {
          for (const auto& item : *a) {
            if (item.is_null()) continue;
            if (!item.is_number()) {
              Save(TypeError(JsonKind(item), "uint8", c));
            } else if (!(item.is_int64() && item.get_int64() >= 0 && item.get_int64() <= 255)) {
              Save(TypeError("number " + NumberLiteral(item), "uint8", c));
            }
          }
        } else {
          Save(TypeError(JsonKind(v), t.Name(), c));
        }
        return true;
      case K::kQuantity:
        if (v.is_string() || v.is_number()) {
          if (auto q = api::Quantity::FromJson(v); !q.ok()) {
            Fatal(q.error().message);
            return false;
          }
          return true;
        }
        Fatal(std::string(api::Quantity::kErrFormatWrong));
        return false;
      case K::kIntOrString:
        if (v.is_string()) return true;
        if (!v.is_number()) {
          Fatal(TypeError(JsonKind(v), "int32", c));
          return false;
        }
        if (!FitsInteger(v, K::kInt32, false)) {
          Fatal(TypeError("number " + NumberLiteral(v), "int32", c));
          return false;
        }
        return true;
      case K::kTime:
      case K::kMicroTime:
        if (v.is_string()) return true;
        Fatal(TypeError(JsonKind(v), "string", c));
        return false;
      case K::kObject:
        if (const json::object* o = v.if_object()) {
          if (t.type->named == nullptr) return true;
          return Struct(*o, *t.type->named, c.path);
        }
        Save(TypeError(JsonKind(v), t.Name(), c));
        return true;
      case K::kArray:
        if (const json::array* a = v.if_array()) {
          Typed e = t.Element();
          for (const auto& item : *a) {
            if (!Value(item, e, c)) return false;
          }
          return true;
        }
        Save(TypeError(JsonKind(v), t.Name(), c));
        return true;
      case K::kMap:
        if (const json::object* o = v.if_object()) {
          Typed e = t.Element();
          for (const auto& kv : *o) {
            if (!Value(kv.value(), e, c)) return false;
          }
          return true;
        }
        Save(TypeError(JsonKind(v), t.Name(), c));
        return true;
    }
    return true;
  }

  std::optional<std::string> saved_;
  std::optional<std::string> fatal_;
};

// ---- runtime.DefaultUnstructuredConverter --------------------------------------------------------------

// The Go type of a value of the unstructured map (int64 for integers, float64 for the rest).
std::string_view UnstructuredType(const json::value& v) {
  switch (v.kind()) {
    case json::kind::string: return "string";
    case json::kind::bool_: return "bool";
    case json::kind::int64:
    case json::kind::uint64: return "int64";
    case json::kind::double_: return "float64";
    case json::kind::object: return "map[string]interface {}";
    case json::kind::array: return "[]interface {}";
    default: return "<nil>";
  }
}

// reflect.Kind's name of the same.
std::string_view UnstructuredKind(const json::value& v) {
  switch (v.kind()) {
    case json::kind::object: return "map";
    case json::kind::array: return "slice";
    default: return UnstructuredType(v);
  }
}

// The reflect.Kind of a scalar Go type.
std::string_view ScalarKindName(api::ValueKind k) {
  switch (k) {
    case api::ValueKind::kString: return "string";
    case api::ValueKind::kBoolean: return "bool";
    case api::ValueKind::kInt32: return "int32";
    case api::ValueKind::kInt64: return "int64";
    case api::ValueKind::kDouble: return "float64";
    default: return "struct";
  }
}

// A value standing alone (json.Unmarshal inside an UnmarshalJSON method): no field context.
std::string StandaloneTypeError(std::string_view value, std::string_view go_type) {
  return "json: cannot unmarshal " + std::string(value) + " into Go value of type " + std::string(go_type);
}

// The JSON literal json.Marshal writes for a number of the unstructured map.
std::string MarshalledNumber(const json::value& v) {
  if (!v.is_double()) return NumberLiteral(v);
  double d = v.get_double();
  if (std::trunc(d) == d && std::fabs(d) < 1e21) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.0f", d);
    return buf;
  }
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, d);
  return std::string(buf, r.ptr);
}

class Converter {
 public:
  std::optional<std::string> Run(const api::SchemaType& kind, const json::value& obj) {
    if (const json::object* o = obj.if_object()) Struct(*o, kind);
    return error_;
  }

 private:
  bool Fail(std::string e) {
    error_ = std::move(e);
    return false;
  }

  // Fields in the type's order, as the converter walks a struct's fields.
  bool Struct(const json::object& obj, const api::SchemaType& type) {
    for (const auto& f : type.fields) {
      auto it = obj.find(f.name);
      if (it == obj.end()) continue;
      if (!Value(it->value(), FieldTyped(type, f))) return false;
    }
    return true;
  }

  bool Value(const json::value& v, const Typed& t) {
    if (v.is_null()) return true;
    using K = api::ValueKind;
    const K k = t.type->kind;
    switch (k) {
      case K::kAny:
        return true;
      case K::kString:
      case K::kBoolean:
      case K::kInt32:
      case K::kInt64:
      case K::kDouble: {
        const bool integer = k == K::kInt32 || k == K::kInt64;
        if (v.is_string()) {
          if (k == K::kString) return true;
        } else if (v.is_bool()) {
          if (k == K::kBoolean) return true;
        } else if (v.is_int64() || v.is_uint64()) {
          if (integer || k == K::kDouble) return true;
          if (k == K::kString) return Fail("cannot convert int64 to " + t.Name());
        } else if (v.is_double()) {
          if (k == K::kDouble) return true;
          if (integer) {
            if (std::trunc(v.get_double()) == v.get_double()) return true;
            return Fail("cannot convert float64 to " + t.Name());
          }
        }
        return Fail("unrecognized type: " + std::string(ScalarKindName(k)));
      }
      case K::kBytes:
        if (const json::string* s = v.if_string()) {
          if (int64_t at = Base64ErrorOffset(*s); at >= 0) return Fail("error decoding from json: " + Base64Error(at));
          return true;
        }
        if (const json::array* a = v.if_array()) {
          for (const auto& item : *a) {
            if (item.is_null() || item.is_int64() || item.is_uint64()) continue;
            if (item.is_double() && std::trunc(item.get_double()) == item.get_double()) continue;
            return Fail(item.is_double() ? "cannot convert float64 to uint8" : "unrecognized type: uint8");
          }
          return true;
        }
        return Fail("cannot restore slice from " + std::string(UnstructuredKind(v)));
      case K::kQuantity:
        if (v.is_string() || v.is_number()) {
          if (auto q = api::Quantity::FromJson(v); !q.ok()) return Fail(q.error().message);
          return true;
        }
        return Fail(std::string(api::Quantity::kErrFormatWrong));
      case K::kIntOrString:
        if (v.is_string()) return true;
        if (!v.is_number()) return Fail(StandaloneTypeError(JsonKind(v), "int32"));
        if (v.is_double() && std::trunc(v.get_double()) == v.get_double() && std::fabs(v.get_double()) <= 2147483647.0) {
          return true;
        }
        if (!FitsInteger(v, K::kInt32, false)) return Fail(StandaloneTypeError("number " + MarshalledNumber(v), "int32"));
        return true;
      case K::kTime:
      case K::kMicroTime:
        if (v.is_string()) return true;
        return Fail(StandaloneTypeError(JsonKind(v), "string"));
      case K::kObject:
        if (const json::object* o = v.if_object()) {
          if (t.type->named == nullptr) return true;
          return Struct(*o, *t.type->named);
        }
        return Fail("cannot restore struct from: " + std::string(UnstructuredKind(v)));
      case K::kArray:
        if (const json::array* a = v.if_array()) {
          Typed e = t.Element();
          for (const auto& item : *a) {
            if (!Value(item, e)) return false;
          }
          return true;
        }
        return Fail("cannot restore slice from " + std::string(UnstructuredKind(v)));
      case K::kMap:
        if (const json::object* o = v.if_object()) {
          Typed e = t.Element();
          for (const auto& kv : *o) {
            if (!Value(kv.value(), e)) return false;
          }
          return true;
        }
        return Fail("cannot restore map from " + std::string(UnstructuredKind(v)));
    }
    return true;
  }

  std::optional<std::string> error_;
};

std::vector<const json::key_value_pair*> SortedMembers(const json::object& o) {
  std::vector<const json::key_value_pair*> out;
  out.reserve(o.size());
  for (const auto& kv : o) out.push_back(&kv);
  std::sort(out.begin(), out.end(), [](auto* a, auto* b) { return a->key() < b->key(); });
  return out;
}

// Go's %v of a float64: %g with the shortest digits, exponent form below 1e-4 and from 1e6 (strconv's
// precision-6 rule for shortest formatting).
std::string GoFloat(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "+Inf" : "-Inf";
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
  std::string sci(buf, r.ptr);  // d.ddde[+-]XX
  size_t e = sci.find('e');
  int exp = std::stoi(sci.substr(e + 1));
  if (exp < -4 || exp >= 6) {
    std::string mant = sci.substr(0, e);
    std::string digits = std::to_string(std::abs(exp));
    if (digits.size() < 2) digits = "0" + digits;
    return mant + "e" + (exp < 0 ? "-" : "+") + digits;
  }
  r = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::fixed);
  return std::string(buf, r.ptr);
}

void AppendGoFormat(const json::value& v, std::string& out) {
  switch (v.kind()) {
    case json::kind::null: out += "<nil>"; return;
    case json::kind::bool_: out += v.get_bool() ? "true" : "false"; return;
    case json::kind::int64: out += std::to_string(v.get_int64()); return;
    case json::kind::uint64: out += std::to_string(v.get_uint64()); return;
    case json::kind::double_: out += GoFloat(v.get_double()); return;
    case json::kind::string: out.append(v.get_string().data(), v.get_string().size()); return;
    case json::kind::array: {
      out += '[';
      bool first = true;
      for (const auto& item : v.get_array()) {
        if (!first) out += ' ';
        first = false;
        AppendGoFormat(item, out);
      }
      out += ']';
      return;
    }
    case json::kind::object: {
      out += "map[";
      bool first = true;
      for (const auto* kv : SortedMembers(v.get_object())) {
        if (!first) out += ' ';
        first = false;
        out.append(kv->key().data(), kv->key().size());
        out += ':';
        AppendGoFormat(kv->value(), out);
      }
      out += ']';
      return;
    }
  }
}

void AppendSortedJson(const json::value& v, std::string& out) {
  switch (v.kind()) {
    case json::kind::array: {
      out += '[';
      bool first = true;
      for (const auto& item : v.get_array()) {
        if (!first) out += ',';
        first = false;
        AppendSortedJson(item, out);
      }
      out += ']';
      return;
    }
    case json::kind::object: {
      out += '{';
      bool first = true;
      for (const auto* kv : SortedMembers(v.get_object())) {
        if (!first) out += ',';
        first = false;
        out += json::serialize(json::value(kv->key()));
        out += ':';
        AppendSortedJson(kv->value(), out);
      }
      out += '}';
      return;
    }
    case json::kind::double_:
      out += MarshalledNumber(v);
      return;
    default:
      out += json::serialize(v);
      return;
  }
}

}  // namespace

std::optional<std::string> DecodeTypeError(const api::SchemaType& kind, const json::value& obj) {
  return Decoder().Run(kind, obj);
}

std::optional<std::string> ConvertTypeError(const api::SchemaType& kind, const json::value& obj) {
  return Converter().Run(kind, obj);
}

Status CheckBodyTypes(const registry::ResourceInfo& info, const json::value& body, const api::Schema& schema) {
  if (info.custom) return OkStatus();
  const api::SchemaType* t = schema.ForKind(info.group, info.version, info.kind);
  if (t == nullptr) return OkStatus();
  auto err = DecodeTypeError(*t, body);
  if (!err) return OkStatus();
  return Fail(ErrorCode::kBadRequest, info.kind + " in version \"" + info.version + "\" cannot be handled as a " +
                                          info.kind + ": " + *err);
}

Status CheckPatchedTypes(const registry::ResourceInfo& info, bool strategic, const json::value& patch,
                         const json::value& patched, const api::Schema& schema) {
  if (info.custom) return OkStatus();
  const api::SchemaType* t = schema.ForKind(info.group, info.version, info.kind);
  if (t == nullptr) return OkStatus();
  auto err = strategic ? ConvertTypeError(*t, patched) : DecodeTypeError(*t, patched);
  if (!err) return OkStatus();
  std::string value = strategic ? GoFormatValue(patch) : SortedJson(patched);
  return Fail(api::InvalidError("", "", "", {{"patch", "FieldValueInvalid",
                                              "Invalid value: " + api::GoQuote(value) + ": " + *err}}));
}

std::string GoFormatValue(const json::value& v) {
  std::string out;
  AppendGoFormat(v, out);
  return out;
}

std::string SortedJson(const json::value& v) {
  std::string out;
  AppendSortedJson(v, out);
  return out;
}

}  // namespace k1s::openapi
