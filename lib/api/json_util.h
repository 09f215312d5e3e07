// Small accessors over Boost.JSON objects: read one member, or a path of members, of an API object. A
// member that is missing or of another type reads as absent (nullptr, "", false, nullopt); nothing here
// throws or replaces a value of the wrong type (EnsureObj only fills a missing or null member).
// Header-only pure functions; any thread. Metadata has its own helpers in meta.h (MetaString, Labels).
// A braced second argument is a path: StrAt(pod, {"status", "phase"}); a string is one key.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace k1s::api {

namespace json = boost::json;

// A path of object members, outermost first: {"spec", "template", "metadata"}.
using JsonPath = std::initializer_list<std::string_view>;

// ---- one member ----

inline const json::object* ObjAt(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v ? v->if_object() : nullptr;
}
inline const json::array* ArrAt(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v ? v->if_array() : nullptr;
}
// The same, for changing the member in place.
inline json::object* ObjAt(json::object& o, std::string_view key) {
  return const_cast<json::object*>(ObjAt(std::as_const(o), key));
}
inline json::array* ArrAt(json::object& o, std::string_view key) {
  return const_cast<json::array*>(ArrAt(std::as_const(o), key));
}
// "" when missing or not a string.
inline std::string StrAt(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}
// false when missing or not a bool.
inline bool BoolAt(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_bool() && v->get_bool();
}
// A JSON number as an integer: int64, uint64 (cast), double (truncated; beyond int64 clamped, NaN as 0);
// nullopt for anything else.
inline std::optional<int64_t> AsInt(const json::value* v) {
  if (v == nullptr) return std::nullopt;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64()) return static_cast<int64_t>(v->get_uint64());
  if (v->is_double()) {
    double d = v->get_double();  // casting one outside int64's range is undefined behaviour
    if (!(d == d)) return 0;
    if (d >= 9223372036854775807.0) return INT64_MAX;
    if (d <= -9223372036854775808.0) return INT64_MIN;
    return static_cast<int64_t>(d);
  }
  return std::nullopt;
}
inline std::optional<int64_t> IntAt(const json::object& o, std::string_view key) { return AsInt(o.if_contains(key)); }
// The string items of an array member, in order (other items skipped; empty when not an array).
inline std::vector<std::string> StringsAt(const json::object& o, std::string_view key) {
  std::vector<std::string> out;
  if (const json::array* a = ArrAt(o, key)) {
    for (const json::value& v : *a)
      if (v.is_string()) out.emplace_back(v.get_string());
  }
  return out;
}

// The same through a pointer that may be null (a null object reads as empty).
inline const json::object* ObjAt(const json::object* o, std::string_view key) { return o ? ObjAt(*o, key) : nullptr; }
inline const json::array* ArrAt(const json::object* o, std::string_view key) { return o ? ArrAt(*o, key) : nullptr; }
inline std::string StrAt(const json::object* o, std::string_view key) { return o ? StrAt(*o, key) : std::string(); }
inline bool BoolAt(const json::object* o, std::string_view key) { return o && BoolAt(*o, key); }
inline std::vector<std::string> StringsAt(const json::object* o, std::string_view key) {
  return o ? StringsAt(*o, key) : std::vector<std::string>();
}

// key as an object, created when missing or null; nullptr when it holds something else.
inline json::object* EnsureObj(json::object& o, std::string_view key) {
  json::value* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) return &(o[key] = json::object()).get_object();
  return v->if_object();
}

// ---- a path of members: every step but the last must be an object ----

// The value at path (nullptr when a step is missing or not an object, or the path is empty).
inline const json::value* ValueAt(const json::object& o, JsonPath path) {
  const json::object* cur = &o;
  const json::value* v = nullptr;
  for (std::string_view key : path) {
    if (cur == nullptr) return nullptr;
    v = cur->if_contains(key);
    if (v == nullptr) return nullptr;
    cur = v->if_object();
  }
  return v;
}
inline const json::object* ObjAt(const json::object& o, JsonPath path) {
  const json::value* v = ValueAt(o, path);
  return v ? v->if_object() : nullptr;
}
inline const json::array* ArrAt(const json::object& o, JsonPath path) {
  const json::value* v = ValueAt(o, path);
  return v ? v->if_array() : nullptr;
}
// The same, for changing the member in place (also what a non-const object's braced path picks).
inline json::object* ObjAt(json::object& o, JsonPath path) {
  return const_cast<json::object*>(ObjAt(std::as_const(o), path));
}
inline json::array* ArrAt(json::object& o, JsonPath path) {
  return const_cast<json::array*>(ArrAt(std::as_const(o), path));
}
inline std::string StrAt(const json::object& o, JsonPath path) {
  const json::value* v = ValueAt(o, path);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}
inline std::optional<int64_t> IntAt(const json::object& o, JsonPath path) { return AsInt(ValueAt(o, path)); }

// ---- conditions (metav1.Condition and the per-kind condition types) ----

// The item of status["conditions"] whose "type" is `type` (status: the object holding the conditions;
// nullptr when absent or when status is null).
inline const json::object* ConditionAt(const json::object& status, std::string_view type) {
  if (const json::array* conds = ArrAt(status, "conditions")) {
    for (const json::value& c : *conds) {
      if (c.is_object() && StrAt(c.get_object(), "type") == type) return &c.get_object();
    }
  }
  return nullptr;
}
inline const json::object* ConditionAt(const json::object* status, std::string_view type) {
  return status ? ConditionAt(*status, type) : nullptr;
}

}  // namespace k1s::api
