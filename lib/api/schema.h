// The one description of the built-in kinds and the types they use: for each field its JSON name, value
// type, required-ness and the strategic-merge facts of lists. Written as a small text DSL (kBuiltin text
// in schema.cc) parsed once; OpenAPI documents, field validation and (later) strategic merge patch and
// protobuf decoding walk objects alongside it. Owned by the API layer; immutable after parsing, so any
// thread may read it.
//
// The DSL, one declaration per line ('#' starts a comment line):
//   package io.k8s.api.core.v1                    types below are named <package>.<Name>
//   kind Pod v1 ["description"]                     a top-level kind of group/version (apiVersion and
//                                                   kind fields are implied); "apps/v1" for named groups
//   type PodSpec [atomic] ["description"]           an object type (atomic: x-kubernetes-map-type atomic)
//   type Quantity = quantity ["description"]        a named scalar (see ScalarName below) or any
//     name[!] TYPE [key=K] [strategy=S] [list=atomic|set|map(k1,k2)] ["description"]
//                                                   a field of the type above; ! = required
// TYPE is a scalar, a type name, []TYPE (array) or {}TYPE (map of string to TYPE). A type name resolves
// in the current package, then meta/v1, core/v1, api/resource, util/intstr, runtime; or is fully dotted.
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "lib/base/result.h"

namespace k1s::api {

enum class ValueKind {
  kString,
  kInt32,
  kInt64,
  kDouble,
  kBoolean,
  kBytes,        // base64 string
  kQuantity,     // "100m", "1Gi" (string or number on the wire)
  kIntOrString,  // 80 or "http"
  kTime,         // RFC 3339 date-time string
  kMicroTime,    // RFC 3339 with microseconds
  kAny,          // free-form: RawExtension, FieldsV1, JSON; accepts anything
  kObject,       // a SchemaType with fields
  kArray,
  kMap,          // string -> element
};

// The DSL spelling of a scalar kind ("int32", "quantity", "any", ...); "" for object/array/map.
std::string_view ScalarName(ValueKind kind);

struct SchemaType;

// The type of one value. For kObject and named scalars (Quantity, Time, ...), `named` is the type
// declaration; for kArray and kMap, `element` describes the members.
struct ValueType {
  ValueKind kind = ValueKind::kAny;
  const SchemaType* named = nullptr;
  const ValueType* element = nullptr;
};

struct SchemaField {
  std::string name;  // JSON name
  ValueType type;
  bool required = false;
  std::string description;
  // Strategic merge and list facts (x-kubernetes-patch-merge-key, -patch-strategy, -list-type,
  // -list-map-keys); empty when not set.
  std::string patch_merge_key;
  std::string patch_strategy;  // "merge", "retainKeys", "merge,retainKeys"
  std::string list_type;       // "atomic", "set", "map"
  std::vector<std::string> list_map_keys;
};

struct GroupVersionKind {
  std::string group;  // "" for core
  std::string version;
  std::string kind;
};

struct SchemaType {
  std::string name;        // "io.k8s.api.core.v1.Pod" (the upstream OpenAPI schema name)
  std::string short_name;  // "Pod"
  std::string package;     // "io.k8s.api.core.v1"
  ValueKind kind = ValueKind::kObject;  // kObject, or the scalar kind of a named scalar
  bool atomic = false;                  // x-kubernetes-map-type: atomic
  std::string description;
  std::vector<SchemaField> fields;
  std::vector<GroupVersionKind> kinds;  // the top-level kinds this type describes

  // The field with this JSON name, or nullptr.
  const SchemaField* Field(std::string_view json_name) const;
};

class Schema {
 public:
  // Parses the DSL; kInvalid naming the line on a syntax error or an unresolved type name.
  static Result<std::shared_ptr<const Schema>> Parse(std::string_view text);

  // A type by full name ("io.k8s.api.apps.v1.Deployment"), or nullptr.
  const SchemaType* Type(std::string_view full_name) const;
  // The type of a top-level kind, or nullptr when not described.
  const SchemaType* ForKind(std::string_view group, std::string_view version, std::string_view kind) const;
  // All types in declaration order.
  const std::vector<const SchemaType*>& Types() const { return order_; }
  // Every type reachable from `roots` through fields (roots included), in a stable order.
  std::vector<const SchemaType*> Reachable(const std::vector<const SchemaType*>& roots) const;

  Schema(const Schema&) = delete;
  Schema& operator=(const Schema&) = delete;
  Schema() = default;

 private:
  friend class SchemaParser;
  std::deque<SchemaType> types_;
  std::deque<ValueType> values_;  // array/map elements, pointed to by ValueType::element
  std::vector<const SchemaType*> order_;
  std::map<std::string, const SchemaType*, std::less<>> by_name_;
  std::map<std::string, const SchemaType*, std::less<>> by_gvk_;  // "group/version/Kind"
};

// The DSL text describing the built-in kinds.
std::string_view BuiltinSchemaText();
// The built-in description, parsed on first use (a constant, like a table; thread-safe). Aborts if the
// compiled-in text does not parse, which the unit tests rule out.
std::shared_ptr<const Schema> BuiltinSchema();

}  // namespace k1s::api
