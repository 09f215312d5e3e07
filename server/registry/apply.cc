#include "server/registry/apply.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <optional>
#include <set>

#include "lib/api/go_format.h"
#include "lib/api/json_util.h"
#include "lib/api/meta.h"
#include "lib/api/status.h"

namespace k1s::registry {

namespace {

using api::BoolAt;
using api::ObjAt;
using api::StrAt;
using api::ValueKind;
using Node = FieldSet::Node;

constexpr char kObjectMetaType[] = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";
constexpr char kBeforeFirstApply[] = "before-first-apply";

// ---- types: what a position in an object is ----

// A position in the schema: a built-in value type (with the field that holds it, for list facts), a
// node of an OpenAPI v3 schema, or nothing known (deduced from the value).
struct TypeRef {
  enum class Source { kDeduced, kBuiltin, kOpenApi } source = Source::kDeduced;
  ValueKind kind = ValueKind::kAny;
  const api::SchemaType* named = nullptr;
  const api::ValueType* element = nullptr;
  const api::SchemaField* field = nullptr;
  const json::object* js = nullptr;
  bool root = false;
};

enum class Shape { kScalar, kMap, kList };

struct Resolved {
  Shape shape = Shape::kScalar;
  bool atomic = false;
  bool set = false;                // a list of scalars keyed by value
  std::vector<std::string> keys;   // a list of objects keyed by these fields
};

TypeRef FromValueType(const api::ValueType& vt, const api::SchemaField* field) {
  TypeRef t;
  t.source = TypeRef::Source::kBuiltin;
  t.kind = vt.kind;
  t.named = vt.named;
  t.element = vt.element;
  t.field = field;
  return t;
}

TypeRef ObjectMetaType() {
  TypeRef t;
  if (const api::SchemaType* meta = api::BuiltinSchema()->Type(kObjectMetaType)) {
    t.source = TypeRef::Source::kBuiltin;
    t.kind = ValueKind::kObject;
    t.named = meta;
  }
  return t;
}

TypeRef RootType(const FieldSchema& schema) {
  TypeRef t;
  if (schema.builtin) {
    t.source = TypeRef::Source::kBuiltin;
    t.kind = ValueKind::kObject;
    t.named = schema.builtin;
  } else if (schema.openapi_v3) {
    t.source = TypeRef::Source::kOpenApi;
    t.js = schema.openapi_v3;
  }
  t.root = true;
  return t;
}

Resolved ResolveDeduced(const json::value* v) {
  Resolved r;
  if (v && v->is_object()) {
    r.shape = Shape::kMap;
  } else if (v && v->is_array()) {
    r.shape = Shape::kList;
    r.atomic = true;
  }
  return r;
}

// The shape of t; the value decides where the schema leaves it open.
Resolved ResolveType(const TypeRef& t, const json::value* v) {
  Resolved r;
  switch (t.source) {
    case TypeRef::Source::kDeduced:
      return ResolveDeduced(v);
    case TypeRef::Source::kBuiltin:
      switch (t.kind) {
        case ValueKind::kAny:
          return ResolveDeduced(v);
        case ValueKind::kObject:
          r.shape = Shape::kMap;
          r.atomic = t.named && t.named->atomic;
          return r;
        case ValueKind::kMap:
          r.shape = Shape::kMap;
          return r;
        case ValueKind::kArray: {
          r.shape = Shape::kList;
          r.atomic = true;
          const api::SchemaField* f = t.field;
          if (!f) return r;
          const bool merge = f->patch_strategy.find("merge") != std::string::npos;
          if (f->list_type == "map" && !f->list_map_keys.empty()) {
            r.atomic = false;
            r.keys = f->list_map_keys;
          } else if (f->list_type == "set") {
            r.atomic = false;
            r.set = true;
          } else if (f->list_type.empty() && merge) {
            r.atomic = false;
            if (f->patch_merge_key.empty()) {
              r.set = true;
            } else {
              r.keys = {f->patch_merge_key};
            }
          }
          return r;
        }
        default:
          return r;  // scalars
      }
    case TypeRef::Source::kOpenApi: {
      const json::object* js = t.js;
      std::string type = StrAt(js, "type");
      if (BoolAt(js, "x-kubernetes-int-or-string")) return r;
      if (type == "array" || (type.empty() && ObjAt(js, "items"))) {
        r.shape = Shape::kList;
        r.atomic = true;
        std::string list_type = StrAt(js, "x-kubernetes-list-type");
        if (list_type == "set") {
          r.atomic = false;
          r.set = true;
        } else if (list_type == "map") {
          auto it = js->find("x-kubernetes-list-map-keys");
          if (it != js->end() && it->value().is_array()) {
            for (const auto& k : it->value().as_array())
              if (k.is_string()) r.keys.emplace_back(k.as_string());
          }
          if (!r.keys.empty()) r.atomic = false;
        }
        return r;
      }
      if (type == "object" || (type.empty() && (ObjAt(js, "properties") || ObjAt(js, "additionalProperties")))) {
        r.shape = Shape::kMap;
        r.atomic = StrAt(js, "x-kubernetes-map-type") == "atomic";
        return r;
      }
      if (type.empty()) return ResolveDeduced(v);
      return r;
    }
  }
  return r;
}

// Like ResolveType, but a value that does not fit the schema (a string where an object belongs) is
// treated as a scalar leaf.
Resolved ResolveFor(const TypeRef& t, const json::value* v) {
  Resolved r = ResolveType(t, v);
  if (!v || v->is_null()) return r;
  if (r.shape == Shape::kMap && !v->is_object()) return Resolved{};
  if (r.shape == Shape::kList && !v->is_array()) return Resolved{};
  return r;
}

bool IsRootMetaField(const TypeRef& t, std::string_view key) {
  return t.root && (key == "metadata" || key == "apiVersion" || key == "kind");
}

TypeRef ChildType(const TypeRef& t, std::string_view key) {
  if (t.root && key == "metadata") return ObjectMetaType();
  switch (t.source) {
    case TypeRef::Source::kDeduced:
      return TypeRef{};
    case TypeRef::Source::kBuiltin:
      if (t.kind == ValueKind::kObject && t.named) {
        if (const api::SchemaField* f = t.named->Field(key)) return FromValueType(f->type, f);
      } else if (t.kind == ValueKind::kMap && t.element) {
        return FromValueType(*t.element, nullptr);
      }
      return TypeRef{};
    case TypeRef::Source::kOpenApi: {
      TypeRef c;
      c.source = TypeRef::Source::kOpenApi;
      if (const json::object* props = ObjAt(t.js, "properties")) {
        if (const json::object* p = ObjAt(props, key)) {
          c.js = p;
          return c;
        }
      }
      if (const json::object* extra = ObjAt(t.js, "additionalProperties")) {
        c.js = extra;
        return c;
      }
      return TypeRef{};
    }
  }
  return TypeRef{};
}

// Named fields (of a struct) are owned through their leaves; keys of a map are owned themselves.
bool IsNamedField(const TypeRef& t, std::string_view key) {
  if (IsRootMetaField(t, key)) return true;
  switch (t.source) {
    case TypeRef::Source::kDeduced:
      return false;
    case TypeRef::Source::kBuiltin:
      return t.kind == ValueKind::kObject && t.named && t.named->Field(key);
    case TypeRef::Source::kOpenApi: {
      const json::object* props = ObjAt(t.js, "properties");
      return props && props->contains(key);
    }
  }
  return false;
}

TypeRef ElementType(const TypeRef& t) {
  switch (t.source) {
    case TypeRef::Source::kDeduced:
      return TypeRef{};
    case TypeRef::Source::kBuiltin:
      if (t.kind == ValueKind::kArray && t.element) return FromValueType(*t.element, nullptr);
      return TypeRef{};
    case TypeRef::Source::kOpenApi:
      if (const json::object* items = ObjAt(t.js, "items")) {
        TypeRef c;
        c.source = TypeRef::Source::kOpenApi;
        c.js = items;
        return c;
      }
      return TypeRef{};
  }
  return TypeRef{};
}

// The default of a list key field an item left out (upstream reads it from the schema; among the
// built-in keyed lists only the port protocols have one).
std::optional<json::value> KeyDefault(const TypeRef& list, const std::string& key) {
  if (list.source == TypeRef::Source::kBuiltin) {
    if (key == "protocol") return json::value("TCP");
    return std::nullopt;
  }
  if (list.source == TypeRef::Source::kOpenApi) {
    const json::object* props = ObjAt(ObjAt(list.js, "items"), "properties");
    if (const json::object* p = ObjAt(props, key)) {
      if (auto it = p->find("default"); it != p->end()) return it->value();
    }
  }
  return std::nullopt;
}

// ---- path elements ----

std::string CanonicalJson(const json::value& v);

std::string CanonicalObject(const json::object& o) {
  std::vector<std::pair<std::string_view, const json::value*>> items;
  for (const auto& kv : o) items.emplace_back(kv.key(), &kv.value());
  std::sort(items.begin(), items.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string out = "{";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += ',';
    out += json::serialize(json::value(json::string(items[i].first)));
    out += ':';
    out += CanonicalJson(*items[i].second);
  }
  return out + "}";
}

std::string CanonicalJson(const json::value& v) {
  if (v.is_object()) return CanonicalObject(v.as_object());
  if (v.is_array()) {
    std::string out = "[";
    bool first = true;
    for (const auto& e : v.as_array()) {
      if (!first) out += ',';
      first = false;
      out += CanonicalJson(e);
    }
    return out + "]";
  }
  if (v.is_double()) {
    double d = v.as_double();
    if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9e15) return std::to_string(static_cast<int64_t>(d));
  }
  return json::serialize(v);
}

// The path element of a list item: "k:{...}" for keyed lists, "v:..." for sets. "" with *error set when
// the item cannot be keyed.
std::string ItemElement(const TypeRef& list, const Resolved& r, const json::value& item, std::string* error) {
  if (!r.keys.empty()) {
    if (!item.is_object()) {
      *error = item.is_null() ? "associative list with keys may not have a null element"
                              : "associative list with keys may not have non-map elements";
      return "";
    }
    json::object key;
    const json::object& o = item.as_object();
    for (const auto& k : r.keys) {
      if (auto it = o.find(k); it != o.end()) {
        key[k] = it->value();
      } else if (auto def = KeyDefault(list, k)) {
        key[k] = *def;
      }
    }
    if (key.empty()) {
      std::string names;
      for (const auto& k : r.keys) names += (names.empty() ? "\"" : " \"") + k + "\"";
      *error = "associative list with keys has an element that omits all key fields [" + names + "]";
      return "";
    }
    return "k:" + CanonicalObject(key);
  }
  if (item.is_object()) {
    *error = "associative list without keys has an element that's a map type";
    return "";
  }
  if (item.is_array()) {
    *error = "not supported: associative list with lists as elements";
    return "";
  }
  return "v:" + CanonicalJson(item);
}


std::string GoFloat(double d) {
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, d);
  return std::string(buf, res.ptr);
}

// How upstream prints a value inside a path.
std::string ValueString(const json::value& v) {
  switch (v.kind()) {
    case json::kind::null: return "null";
    case json::kind::bool_: return v.as_bool() ? "true" : "false";
    case json::kind::int64: return std::to_string(v.as_int64());
    case json::kind::uint64: return std::to_string(v.as_uint64());
    case json::kind::double_: return GoFloat(v.as_double());
    case json::kind::string: return api::GoQuote(v.as_string());
    case json::kind::array: {
      std::string out = "[";
      bool first = true;
      for (const auto& e : v.as_array()) {
        if (!first) out += ',';
        first = false;
        out += ValueString(e);
      }
      return out + "]";
    }
    case json::kind::object: {
      std::string out;
      for (const auto& kv : v.as_object()) out += std::string(kv.key()) + "=" + ValueString(kv.value());
      return out;
    }
  }
  return "";
}

// ---- field set node algebra ----

void Prune(Node& n) {
  for (auto it = n.children.begin(); it != n.children.end();) {
    Prune(it->second);
    it = it->second.Empty() ? n.children.erase(it) : std::next(it);
  }
}

Node UnionNodes(const Node& a, const Node& b) {
  Node r = a;
  r.member = a.member || b.member;
  for (const auto& [k, c] : b.children) {
    auto it = r.children.find(k);
    if (it == r.children.end()) {
      r.children.emplace(k, c);
    } else {
      it->second = UnionNodes(it->second, c);
    }
  }
  return r;
}

Node DifferenceNodes(const Node& a, const Node& b) {
  Node r;
  r.member = a.member && !b.member;
  for (const auto& [k, c] : a.children) {
    auto it = b.children.find(k);
    Node d = it == b.children.end() ? c : DifferenceNodes(c, it->second);
    if (!d.Empty()) r.children.emplace(k, std::move(d));
  }
  return r;
}

Node IntersectionNodes(const Node& a, const Node& b) {
  Node r;
  r.member = a.member && b.member;
  for (const auto& [k, c] : a.children) {
    auto it = b.children.find(k);
    if (it == b.children.end()) continue;
    Node i = IntersectionNodes(c, it->second);
    if (!i.Empty()) r.children.emplace(k, std::move(i));
  }
  return r;
}

void CollectPaths(const Node& n, FieldPath& path, std::vector<FieldPath>& out) {
  if (n.member && !path.empty()) out.push_back(path);
  for (const auto& [k, c] : n.children) {
    path.push_back(k);
    CollectPaths(c, path, out);
    path.pop_back();
  }
}

json::object NodeToJson(const Node& n, bool include_self) {
  json::object o;
  if (include_self && n.member && !n.children.empty()) o["."] = json::object();
  for (const auto& [k, c] : n.children) o[k] = NodeToJson(c, true);
  return o;
}

Result<std::string> CanonicalElement(std::string_view key) {
  if (key.size() < 2 || key[1] != ':') return Fail(ErrorCode::kBadRequest, "invalid path element \"" + std::string(key) + "\"");
  const char type = key[0];
  if (type == 'f' || type == 'i') return std::string(key);
  if (type == 'k' || type == 'v') {
    boost::system::error_code ec;
    json::value v = json::parse(key.substr(2), ec);
    if (ec || (type == 'k' && !v.is_object())) {
      return Fail(ErrorCode::kBadRequest, "invalid path element \"" + std::string(key) + "\"");
    }
    return std::string(1, type) + ":" + CanonicalJson(v);
  }
  return Fail(ErrorCode::kBadRequest, "unknown path element type in \"" + std::string(key) + "\"");
}

Status NodeFromJson(const json::value& v, Node& n) {
  if (!v.is_object()) return Fail(ErrorCode::kBadRequest, "fieldsV1 must be a JSON object");
  for (const auto& kv : v.as_object()) {
    if (kv.key() == ".") {
      n.member = true;
      continue;
    }
    K1S_ASSIGN_OR_RETURN(std::string key, CanonicalElement(kv.key()));
    Node& c = n.children[key];
    K1S_TRY(NodeFromJson(kv.value(), c));
    if (kv.value().is_object() && kv.value().as_object().empty()) c.member = true;
  }
  return OkStatus();
}

// ---- walking objects ----

struct Walk {
  bool strict = false;  // report items that cannot be keyed (the applied configuration)
  std::string error;

  void Report(const FieldPath& path, const std::string& message) {
    if (strict && error.empty()) error = (path.empty() ? "" : FieldSet::PathString(path) + ": ") + message;
  }
};

struct ListItem {
  std::string element;
  const json::value* value;
};

// Keys every item of a granular list; items that cannot be keyed get a private "i:" element so they are
// kept but never match.
std::vector<ListItem> KeyItems(const TypeRef& t, const Resolved& r, const json::array& items, FieldPath& path,
                               Walk& walk) {
  std::vector<ListItem> out;
  for (size_t i = 0; i < items.size(); ++i) {
    std::string err;
    std::string pe = ItemElement(t, r, items[i], &err);
    if (pe.empty()) {
      walk.Report(path, "element " + std::to_string(i) + ": " + err);
      pe = "i:" + std::to_string(i);
    }
    out.push_back({std::move(pe), &items[i]});
  }
  return out;
}

// The fields v sets, into `here` (the node at v's path); the caller marks membership of map entries.
void CollectFields(const json::value& v, const TypeRef& t, FieldPath& path, Node& here, Walk& walk) {
  Resolved r = ResolveFor(t, &v);
  if (r.shape == Shape::kScalar || r.atomic) {
    here.member = true;
    return;
  }
  if (r.shape == Shape::kList) {
    if (!v.is_array()) return;
    auto items = KeyItems(t, r, v.as_array(), path, walk);
    std::map<std::string, int> count;
    for (const auto& it : items) ++count[it.element];
    TypeRef elem = ElementType(t);
    for (const auto& it : items) {
      if (it.element[0] == 'i') continue;
      Node& c = here.children[it.element];
      if (count[it.element] > 1) {
        if (r.keys.size() || r.set) walk.Report(path, "duplicate entries for key " + FieldSet::PathString({it.element}));
        c.member = true;
        continue;
      }
      path.push_back(it.element);
      CollectFields(*it.value, elem, path, c, walk);
      path.pop_back();
      c.member = true;
    }
    return;
  }
  if (!v.is_object()) return;
  for (const auto& kv : v.as_object()) {
    std::string pe = "f:" + std::string(kv.key());
    Node& c = here.children[pe];
    path.push_back(pe);
    CollectFields(kv.value(), ChildType(t, kv.key()), path, c, walk);
    path.pop_back();
    const json::value& val = kv.value();
    if (val.is_null() || (val.is_object() && val.as_object().empty()) || !IsNamedField(t, kv.key())) c.member = true;
  }
}

FieldSet FieldsOfLenient(const json::value& v, const TypeRef& root) {
  FieldSet s;
  Walk walk;
  FieldPath path;
  CollectFields(v, root, path, s.root(), walk);
  s.root().member = false;
  Prune(s.root());
  return s;
}

bool EmptyOrNull(const json::value* v) {
  if (!v || v->is_null()) return true;
  if (v->is_object()) return v->as_object().empty();
  if (v->is_array()) return v->as_array().empty();
  return false;
}

// Whether l and r are compared/merged as one leaf rather than field by field.
bool IsLeaf(const TypeRef& t, const json::value* l, const json::value* r, Resolved* out) {
  Resolved rl = l ? ResolveFor(t, l) : Resolved{};
  Resolved rr = r ? ResolveFor(t, r) : Resolved{};
  if (l && r && rl.shape != rr.shape) return true;
  Resolved s = r ? rr : rl;
  *out = s;
  if (s.shape == Shape::kScalar || s.atomic) return true;
  return EmptyOrNull(l) && EmptyOrNull(r);
}

struct Comparison {
  FieldSet added, modified, removed;
};

void CompareValues(const json::value* l, const json::value* r, const TypeRef& t, FieldPath& path, Comparison& cmp,
                   Walk& walk) {
  Resolved s;
  if (IsLeaf(t, l, r, &s)) {
    if (!l) {
      cmp.added.Insert(path);
    } else if (!r) {
      cmp.removed.Insert(path);
    } else if (*l != *r) {
      cmp.modified.Insert(path);
    }
    return;
  }
  if (s.shape == Shape::kList) {
    static const json::array kEmpty;
    auto litems = KeyItems(t, s, l && l->is_array() ? l->as_array() : kEmpty, path, walk);
    auto ritems = KeyItems(t, s, r && r->is_array() ? r->as_array() : kEmpty, path, walk);
    std::vector<std::string> order;
    std::map<std::string, std::vector<const json::value*>> lmap, rmap;
    for (const auto& it : litems) {
      if (lmap[it.element].empty()) order.push_back(it.element);
      lmap[it.element].push_back(it.value);
    }
    for (const auto& it : ritems) {
      if (rmap[it.element].empty() && !lmap.contains(it.element)) order.push_back(it.element);
      rmap[it.element].push_back(it.value);
    }
    TypeRef elem = ElementType(t);
    for (const auto& pe : order) {
      const auto& ll = lmap[pe];
      const auto& rl = rmap[pe];
      path.push_back(pe);
      if (ll.size() <= 1 && rl.size() <= 1) {
        CompareValues(ll.empty() ? nullptr : ll[0], rl.empty() ? nullptr : rl[0], elem, path, cmp, walk);
      } else if (ll.size() >= 2 && rl.size() >= 2) {
        bool same = ll.size() == rl.size();
        for (size_t i = 0; same && i < ll.size(); ++i) same = *ll[i] == *rl[i];
        if (!same) cmp.modified.Insert(path);
      } else if (ll.size() >= 2) {
        if (!rl.empty()) CompareValues(nullptr, rl[0], elem, path, cmp, walk);
        cmp.removed.Insert(path);
      } else {
        if (!ll.empty()) CompareValues(ll[0], nullptr, elem, path, cmp, walk);
        cmp.added.Insert(path);
      }
      path.pop_back();
    }
  } else {
    const json::object* lo = l && l->is_object() ? &l->as_object() : nullptr;
    const json::object* ro = r && r->is_object() ? &r->as_object() : nullptr;
    if (lo) {
      for (const auto& kv : *lo) {
        path.push_back("f:" + std::string(kv.key()));
        const json::value* rv = ro ? ro->if_contains(kv.key()) : nullptr;
        CompareValues(&kv.value(), rv, ChildType(t, kv.key()), path, cmp, walk);
        path.pop_back();
      }
    }
    if (ro) {
      for (const auto& kv : *ro) {
        if (lo && lo->contains(kv.key())) continue;
        path.push_back("f:" + std::string(kv.key()));
        CompareValues(nullptr, &kv.value(), ChildType(t, kv.key()), path, cmp, walk);
        path.pop_back();
      }
    }
  }
  if (!path.empty()) {
    if (!l) {
      cmp.added.Insert(path);
    } else if (!r) {
      cmp.removed.Insert(path);
    }
  }
}

Comparison Compare(const json::value& l, const json::value& r, const TypeRef& root) {
  Comparison cmp;
  Walk walk;
  FieldPath path;
  CompareValues(&l, &r, root, path, cmp, walk);
  return cmp;
}

// Merges r (the applied configuration) into l (the live object): r wins on leaves, keyed lists merge by
// key in an order that respects both, maps merge by key. nullopt when the result is empty.
std::optional<json::value> MergeValues(const json::value* l, const json::value* r, const TypeRef& t, FieldPath& path,
                                       Walk& walk) {
  Resolved s;
  if (IsLeaf(t, l, r, &s)) return r ? *r : *l;
  if (s.shape == Shape::kList) {
    static const json::array kEmpty;
    static const json::value kNull;
    const json::array& la = l && l->is_array() ? l->as_array() : kEmpty;
    auto litems = KeyItems(t, s, la, path, walk);
    auto ritems = KeyItems(t, s, r && r->is_array() ? r->as_array() : kEmpty, path, walk);
    std::map<std::string, const json::value*> lseen, rseen;
    for (const auto& it : litems) {
      auto [pos, fresh] = lseen.emplace(it.element, it.value);
      if (!fresh) pos->second = &kNull;  // duplicated in the live object: not merged item by item
    }
    for (const auto& it : ritems) {
      if (!rseen.emplace(it.element, it.value).second) {
        walk.Report(path, "duplicate entries for key " + FieldSet::PathString({it.element}));
      }
    }
    std::vector<std::string> shared;
    for (const auto& it : ritems)
      if (lseen.contains(it.element)) shared.push_back(it.element);
    size_t next_shared = 0;
    auto shared_is = [&](const std::string& pe) { return next_shared < shared.size() && shared[next_shared] == pe; };
    auto advance_shared = [&]() {
      if (next_shared < shared.size()) ++next_shared;
    };
    std::set<std::string> merged_r;
    TypeRef elem = ElementType(t);
    json::array out;
    auto merge_item = [&](const std::string& pe, const json::value* lc, const json::value* rc) {
      path.push_back(pe);
      if (auto m = MergeValues(lc, rc, elem, path, walk)) out.push_back(std::move(*m));
      path.pop_back();
    };
    auto find = [](const std::map<std::string, const json::value*>& m, const std::string& k) -> const json::value* {
      auto it = m.find(k);
      return it == m.end() ? nullptr : it->second;
    };
    size_t li = 0, ri = 0;
    const size_t ln = litems.size(), rn = ritems.size();
    while (li < ln || ri < rn) {
      if (li < ln && ri < rn) {
        const std::string& pe = litems[li].element;
        if (pe == ritems[ri].element) {
          merged_r.insert(pe);
          merge_item(pe, find(lseen, pe), find(rseen, pe));
          ++li;
          ++ri;
          advance_shared();
          continue;
        }
        if (rseen.contains(pe) && next_shared < shared.size() && !shared_is(pe)) {
          ++li;  // shared with r, but its turn comes later
          continue;
        }
      }
      if (li < ln) {
        const std::string& pe = litems[li].element;
        if (!rseen.contains(pe)) {
          merge_item(pe, litems[li].value, nullptr);
          ++li;
          continue;
        }
        if (merged_r.contains(pe)) ++li;
      }
      if (ri < rn) {
        const std::string& pe = ritems[ri].element;
        merged_r.insert(pe);
        merge_item(pe, find(lseen, pe), find(rseen, pe));
        ++ri;
        if (shared_is(pe)) advance_shared();
      }
    }
    if (out.empty()) return std::nullopt;
    return json::value(std::move(out));
  }
  json::object out;
  const json::object* lo = l && l->is_object() ? &l->as_object() : nullptr;
  const json::object* ro = r && r->is_object() ? &r->as_object() : nullptr;
  if (lo) {
    for (const auto& kv : *lo) {
      path.push_back("f:" + std::string(kv.key()));
      const json::value* rv = ro ? ro->if_contains(kv.key()) : nullptr;
      if (auto m = MergeValues(&kv.value(), rv, ChildType(t, kv.key()), path, walk)) out[kv.key()] = std::move(*m);
      path.pop_back();
    }
  }
  if (ro) {
    for (const auto& kv : *ro) {
      if (lo && lo->contains(kv.key())) continue;
      path.push_back("f:" + std::string(kv.key()));
      if (auto m = MergeValues(nullptr, &kv.value(), ChildType(t, kv.key()), path, walk)) out[kv.key()] = std::move(*m);
      path.pop_back();
    }
  }
  if (out.empty()) return std::nullopt;
  return json::value(std::move(out));
}

// v without the paths that are members of rm (and their contents); nullopt when nothing is left.
std::optional<json::value> RemoveItems(const json::value& v, const Node& rm, const TypeRef& t) {
  Resolved s = ResolveFor(t, &v);
  if (s.shape == Shape::kScalar || s.atomic || EmptyOrNull(&v)) return v;
  if (s.shape == Shape::kList) {
    json::array out;
    TypeRef elem = ElementType(t);
    for (const auto& item : v.as_array()) {
      std::string err;
      std::string pe = ItemElement(t, s, item, &err);
      auto it = pe.empty() ? rm.children.end() : rm.children.find(pe);
      if (it == rm.children.end()) {
        out.push_back(item);
      } else if (!it->second.member) {
        if (auto kept = RemoveItems(item, it->second, elem)) out.push_back(std::move(*kept));
      }
    }
    if (out.empty()) return std::nullopt;
    return json::value(std::move(out));
  }
  json::object out;
  for (const auto& kv : v.as_object()) {
    auto it = rm.children.find("f:" + std::string(kv.key()));
    if (it == rm.children.end()) {
      out[kv.key()] = kv.value();
    } else if (!it->second.member) {
      if (auto kept = RemoveItems(kv.value(), it->second, ChildType(t, kv.key()))) out[kv.key()] = std::move(*kept);
    }
  }
  if (out.empty()) return std::nullopt;
  return json::value(std::move(out));
}

json::value RemoveAll(const json::value& v, const FieldSet& rm, const TypeRef& root) {
  auto kept = RemoveItems(v, rm.root(), root);
  return kept ? std::move(*kept) : json::value(json::object());
}

// Named fields with owned contents become members themselves (so pruning can drop a whole struct).
Node EnsureNamedFieldsAreMembers(const Node& n, const TypeRef& t) {
  Node r;
  r.member = n.member;
  const bool is_map = ResolveType(t, nullptr).shape == Shape::kMap || t.source == TypeRef::Source::kDeduced;
  for (const auto& [k, c] : n.children) {
    const bool field = k.starts_with("f:");
    std::string_view name = std::string_view(k).substr(2);
    Node rc = EnsureNamedFieldsAreMembers(c, field ? ChildType(t, name) : ElementType(t));
    if (field && is_map && IsNamedField(t, name)) rc.member = true;
    r.children.emplace(k, std::move(rc));
  }
  return r;
}

FieldSet Named(const FieldSet& s, const TypeRef& root) {
  FieldSet out;
  out.root() = EnsureNamedFieldsAreMembers(s.root(), root);
  out.root().member = false;
  return out;
}

// Drops null-valued fields where the schema says the field is typed (Kubernetes does not store them).
void DropNulls(json::value& v, const TypeRef& t) {
  Resolved s = ResolveFor(t, &v);
  if (s.shape == Shape::kScalar || v.is_null()) return;
  if (s.shape == Shape::kList) {
    if (!v.is_array()) return;
    TypeRef elem = ElementType(t);
    for (auto& item : v.as_array()) DropNulls(item, elem);
    return;
  }
  if (!v.is_object()) return;
  json::object& o = v.as_object();
  for (auto it = o.begin(); it != o.end();) {
    TypeRef c = ChildType(t, it->key());
    const bool typed = c.source == TypeRef::Source::kBuiltin ||
                       (c.source == TypeRef::Source::kOpenApi && !BoolAt(c.js, "nullable"));
    if (it->value().is_null() && typed && !(c.source == TypeRef::Source::kBuiltin && c.kind == ValueKind::kAny)) {
      it = o.erase(it);
    } else {
      DropNulls(it->value(), c);
      ++it;
    }
  }
}

// ---- managers ----

struct Entry {
  std::string manager, operation, api_version, time, subresource;
  FieldSet set;
};

bool SameManager(const Entry& e, std::string_view manager, std::string_view operation, std::string_view api_version,
                 std::string_view subresource) {
  return e.manager == manager && e.operation == operation && e.subresource == subresource &&
         (operation == "Apply" || e.api_version == api_version);
}

// The managers recorded on obj (empty when there are none).
Result<std::vector<Entry>> DecodeManagers(const json::object& obj) {
  std::vector<Entry> out;
  const json::object* meta = ObjAt(&obj, "metadata");
  if (!meta) return out;
  auto it = meta->find("managedFields");
  if (it == meta->end() || it->value().is_null()) return out;
  if (!it->value().is_array()) return Fail(ErrorCode::kBadRequest, "metadata.managedFields must be a list");
  for (const auto& ev : it->value().as_array()) {
    if (!ev.is_object()) return Fail(ErrorCode::kBadRequest, "a managedFields entry must be an object");
    const json::object& eo = ev.as_object();
    Entry e{StrAt(eo, "manager"), StrAt(eo, "operation"), StrAt(eo, "apiVersion"),
            StrAt(eo, "time"), StrAt(eo, "subresource"), {}};
    std::string type = StrAt(eo, "fieldsType");
    if (auto f = eo.find("fieldsV1"); f != eo.end() && !f->value().is_null()) {
      if (type != "FieldsV1") return Fail(ErrorCode::kBadRequest, "invalid fieldsType \"" + type + "\" in managedFields");
      K1S_ASSIGN_OR_RETURN(e.set, FieldSet::FromJson(f->value()));
    }
    auto same = std::find_if(out.begin(), out.end(), [&](const Entry& o) {
      return SameManager(o, e.manager, e.operation, e.api_version, e.subresource);
    });
    if (same != out.end()) {
      same->set = same->set.Union(e.set);
    } else {
      out.push_back(std::move(e));
    }
  }
  return out;
}

void EncodeManagers(json::object& obj, std::vector<Entry> managers) {
  std::sort(managers.begin(), managers.end(), [](const Entry& a, const Entry& b) {
    return std::tie(a.operation, a.time, a.manager, a.api_version, a.subresource) <
           std::tie(b.operation, b.time, b.manager, b.api_version, b.subresource);
  });
  json::array list;
  for (const auto& e : managers) {
    json::object o;
    o["manager"] = e.manager;
    o["operation"] = e.operation;
    o["apiVersion"] = e.api_version;
    if (!e.time.empty()) o["time"] = e.time;
    o["fieldsType"] = "FieldsV1";
    o["fieldsV1"] = e.set.ToJson();
    if (!e.subresource.empty()) o["subresource"] = e.subresource;
    list.push_back(std::move(o));
  }
  auto& meta = api::Metadata(obj);
  if (list.empty()) {
    meta.erase("managedFields");
  } else {
    meta["managedFields"] = std::move(list);
  }
}

void StripManagedFields(json::object& obj) {
  if (auto it = obj.find("metadata"); it != obj.end() && it->value().is_object()) {
    it->value().as_object().erase("managedFields");
  }
}

// Fields the server sets, which nobody owns (upstream's stripped set: members only).
const FieldSet& StripSet() {
  static const FieldSet kSet = [] {
    FieldSet s;
    s.Insert({"f:apiVersion"});
    s.Insert({"f:kind"});
    s.Insert({"f:metadata"});
    for (const char* f : {"name", "namespace", "creationTimestamp", "selfLink", "uid", "clusterName", "generation",
                          "managedFields", "resourceVersion"}) {
      s.Insert({"f:metadata", std::string("f:") + f});
    }
    return s;
  }();
  return kSet;
}

FieldSet Tracked(const FieldSet& s, const ManagedFieldsOptions& options) {
  FieldSet out = s.Difference(StripSet());
  for (const auto& f : options.ignored_fields) out.EraseSubtree({"f:" + f});
  return out;
}

void IgnoreFields(Comparison& cmp, const ManagedFieldsOptions& options) {
  for (const auto& f : options.ignored_fields) {
    cmp.added.EraseSubtree({"f:" + f});
    cmp.modified.EraseSubtree({"f:" + f});
    cmp.removed.EraseSubtree({"f:" + f});
  }
}

std::string ApiVersionOf(const json::object& obj) { return StrAt(obj, "apiVersion"); }

std::string PrintManager(const Entry& e) {
  std::string s = api::GoQuote(e.manager);
  if (!e.subresource.empty()) s += " with subresource " + api::GoQuote(e.subresource);
  if (e.operation == "Update") s += " using " + e.api_version;
  return s;
}

Error ConflictErrorFor(const std::vector<std::pair<const Entry*, FieldSet>>& conflicts) {
  json::array causes;
  size_t count = 0;
  std::string listing;
  std::string single;
  for (const auto& [e, set] : conflicts) {
    const std::string who = PrintManager(*e);
    listing += (listing.empty() ? "" : "\n") + std::string("conflicts with ") + who + ":";
    for (const auto& p : set.Paths()) {
      ++count;
      const std::string field = FieldSet::PathString(p);
      causes.push_back(json::object{{"reason", "FieldManagerConflict"}, {"message", "conflict with " + who}, {"field", field}});
      listing += "\n- " + field;
      single = "conflict with " + who + ": " + field;
    }
  }
  std::string message = count == 1 ? "Apply failed with 1 conflict: " + single
                                   : "Apply failed with " + std::to_string(count) + " conflicts: " + listing;
  return api::StatusError(ErrorCode::kConflict, std::move(message), {"", "", "", std::move(causes)});
}

// Upstream's prune: drop what the manager applied last time, no longer applies, and nobody else owns.
json::value PruneValue(const json::value& merged, const std::vector<Entry>& managers, const FieldSet& last,
                       const TypeRef& root) {
  if (last.Empty()) return merged;
  FieldSet last_named = Named(last, root);
  json::value pruned = RemoveAll(merged, last_named, root);
  FieldSet managed;
  for (const auto& e : managers) managed = managed.Union(e.set);
  FieldSet merged_set = Named(FieldsOfLenient(merged, root), root);
  FieldSet pruned_set = Named(FieldsOfLenient(pruned, root), root);
  pruned = RemoveAll(merged, merged_set.Difference(pruned_set.Union(Named(managed, root))), root);
  pruned_set = Named(FieldsOfLenient(pruned, root), root);
  return RemoveAll(merged, merged_set.Difference(pruned_set).Intersection(last_named), root);
}

std::string NowOr(const ManagedFieldsOptions& options) { return options.now.empty() ? api::NowRfc3339() : options.now; }

}  // namespace

// ---- FieldSet ----

Result<FieldSet> FieldSet::FromJson(const json::value& fields_v1) {
  FieldSet s;
  K1S_TRY(NodeFromJson(fields_v1, s.root_));
  s.root_.member = false;
  Prune(s.root_);
  return s;
}

json::object FieldSet::ToJson() const { return NodeToJson(root_, false); }

void FieldSet::Insert(const FieldPath& path) {
  Node* n = &root_;
  for (const auto& pe : path) n = &n->children[pe];
  if (!path.empty()) n->member = true;
}

bool FieldSet::Has(const FieldPath& path) const {
  const Node* n = &root_;
  for (const auto& pe : path) {
    auto it = n->children.find(pe);
    if (it == n->children.end()) return false;
    n = &it->second;
  }
  return !path.empty() && n->member;
}

FieldSet FieldSet::Union(const FieldSet& other) const {
  FieldSet s;
  s.root_ = UnionNodes(root_, other.root_);
  return s;
}
FieldSet FieldSet::Difference(const FieldSet& other) const {
  FieldSet s;
  s.root_ = DifferenceNodes(root_, other.root_);
  return s;
}
FieldSet FieldSet::Intersection(const FieldSet& other) const {
  FieldSet s;
  s.root_ = IntersectionNodes(root_, other.root_);
  return s;
}

void FieldSet::EraseSubtree(const FieldPath& path) {
  if (path.empty()) {
    root_ = Node{};
    return;
  }
  Node* n = &root_;
  for (size_t i = 0; i + 1 < path.size(); ++i) {
    auto it = n->children.find(path[i]);
    if (it == n->children.end()) return;
    n = &it->second;
  }
  n->children.erase(path.back());
  Prune(root_);
}

std::vector<FieldPath> FieldSet::Paths() const {
  std::vector<FieldPath> out;
  FieldPath path;
  CollectPaths(root_, path, out);
  return out;
}

std::string FieldSet::PathString(const FieldPath& path) {
  std::string out;
  for (const auto& pe : path) {
    if (pe.size() < 2) continue;
    std::string_view body = std::string_view(pe).substr(2);
    switch (pe[0]) {
      case 'f':
        out += "." + std::string(body);
        break;
      case 'i':
        out += "[" + std::string(body) + "]";
        break;
      case 'k':
      case 'v': {
        boost::system::error_code ec;
        json::value v = json::parse(body, ec);
        if (ec) {
          out += "[" + std::string(body) + "]";
        } else if (pe[0] == 'v') {
          out += "[=" + ValueString(v) + "]";
        } else {
          std::string parts;
          if (v.is_object()) {
            for (const auto& kv : v.as_object())
              parts += (parts.empty() ? "" : ",") + std::string(kv.key()) + "=" + ValueString(kv.value());
          }
          out += "[" + parts + "]";
        }
        break;
      }
      default:
        out += pe;
    }
  }
  return out;
}

// ---- public functions ----

FieldSchema BuiltinFieldSchema(std::string_view group, std::string_view version, std::string_view kind) {
  return FieldSchema{api::BuiltinSchema()->ForKind(group, version, kind), nullptr};
}

Result<FieldSet> FieldsOf(const json::value& obj, const FieldSchema& schema) {
  FieldSet s;
  Walk walk;
  walk.strict = true;
  FieldPath path;
  CollectFields(obj, RootType(schema), path, s.root(), walk);
  if (!walk.error.empty()) return Fail(ErrorCode::kBadRequest, walk.error);
  s.root().member = false;
  Prune(s.root());
  return s;
}

Result<ApplyResult> Apply(const json::object* live, const json::object& config, std::string_view manager, bool force,
                          const FieldSchema& schema, const ManagedFieldsOptions& options) {
  const TypeRef root = RootType(schema);
  if (const json::object* meta = ObjAt(&config, "metadata")) {
    if (auto it = meta->find("managedFields"); it != meta->end() && !it->value().is_null()) {
      return Fail(ErrorCode::kBadRequest, "metadata.managedFields must be nil");
    }
  }
  const std::string now = NowOr(options);
  json::object live_obj = live ? *live : json::object();
  auto decoded = DecodeManagers(live_obj);
  std::vector<Entry> managers = decoded.ok() ? std::move(*decoded) : std::vector<Entry>{};
  StripManagedFields(live_obj);
  const json::value lv(live_obj);

  // An object nobody tracked yet: its current fields belong to "before-first-apply", so the apply
  // conflicts with values it would change.
  if (live && managers.empty()) {
    Comparison cmp = Compare(json::value(json::object()), lv, root);
    IgnoreFields(cmp, options);
    FieldSet existing = Tracked(cmp.added.Union(cmp.modified), options);
    if (!existing.Empty()) {
      managers.push_back(Entry{kBeforeFirstApply, "Update", ApiVersionOf(live_obj), now, options.subresource, existing});
    }
  }

  Walk walk;
  walk.strict = true;
  FieldPath path;
  const json::value cv(config);
  std::optional<json::value> merged = MergeValues(&lv, &cv, root, path, walk);
  if (!walk.error.empty()) return Fail(ErrorCode::kBadRequest, "failed to merge the applied configuration: " + walk.error);
  K1S_ASSIGN_OR_RETURN(FieldSet applied, FieldsOf(cv, schema));
  applied = Tracked(applied, options);

  std::string api_version = ApiVersionOf(config);
  if (api_version.empty()) api_version = ApiVersionOf(live_obj);
  auto mine = std::find_if(managers.begin(), managers.end(), [&](const Entry& e) {
    return SameManager(e, manager, "Apply", api_version, options.subresource);
  });
  FieldSet last;
  std::string previous_time;
  if (mine == managers.end()) {
    managers.push_back(Entry{std::string(manager), "Apply", api_version, "", options.subresource, {}});
    mine = std::prev(managers.end());
  } else {
    last = mine->set;
    previous_time = mine->time;
  }
  mine->set = applied;
  mine->api_version = api_version;
  const size_t mine_index = static_cast<size_t>(mine - managers.begin());

  json::value result = PruneValue(merged ? *merged : json::value(json::object()), managers, last, root);

  Comparison cmp = Compare(lv, result, root);
  IgnoreFields(cmp, options);
  const FieldSet changed = cmp.modified.Union(cmp.added);
  std::vector<std::pair<const Entry*, FieldSet>> conflicts;
  std::vector<size_t> conflict_index;
  for (size_t i = 0; i < managers.size(); ++i) {
    if (i == mine_index) continue;
    FieldSet c = managers[i].set.Intersection(changed);
    if (!c.Empty()) {
      conflicts.emplace_back(&managers[i], std::move(c));
      conflict_index.push_back(i);
    }
  }
  if (!conflicts.empty() && !force) {
    std::sort(conflicts.begin(), conflicts.end(), [](const auto& a, const auto& b) {
      return std::tie(a.first->manager, a.first->operation, a.first->api_version) <
             std::tie(b.first->manager, b.first->operation, b.first->api_version);
    });
    return Fail(ConflictErrorFor(conflicts));
  }
  for (size_t n = 0; n < conflicts.size(); ++n) {
    Entry& e = managers[conflict_index[n]];
    e.set = e.set.Difference(conflicts[n].second);
  }
  for (size_t i = 0; i < managers.size(); ++i) {
    if (i != mine_index) managers[i].set = Tracked(managers[i].set.Difference(cmp.removed), options);
  }

  DropNulls(result, root);
  if (!result.is_object()) result = json::object();
  ApplyResult out;
  out.created = live == nullptr;
  out.changed = out.created || result != lv;
  managers[mine_index].time = (out.changed || previous_time.empty()) ? now : previous_time;
  std::erase_if(managers, [](const Entry& e) { return e.set.Empty(); });
  out.object = std::move(result.as_object());
  EncodeManagers(out.object, std::move(managers));
  return out;
}

void UpdateManagedFields(const json::object* old, json::object& obj, std::string_view manager,
                         const FieldSchema& schema, const ManagedFieldsOptions& options) {
  const TypeRef root = RootType(schema);
  json::object old_obj = old ? *old : json::object();
  std::vector<Entry> managers;
  bool from_new = false;
  if (options.subresource.empty()) {
    auto sent = DecodeManagers(obj);
    if (sent.ok() && !sent->empty()) {
      managers = std::move(*sent);
      from_new = true;
    }
  }
  if (!from_new) {
    auto stored = DecodeManagers(old_obj);
    if (!stored.ok()) {
      StripManagedFields(obj);  // garbage in the stored object: start over untracked
      return;
    }
    managers = std::move(*stored);
  }
  if (managers.empty() && old) {
    StripManagedFields(obj);  // an existing untracked object stays untracked
    return;
  }
  StripManagedFields(old_obj);
  StripManagedFields(obj);
  Comparison cmp = Compare(json::value(old_obj), json::value(obj), root);
  IgnoreFields(cmp, options);
  const FieldSet changed = cmp.modified.Union(cmp.added);
  for (auto& e : managers) e.set = Tracked(e.set.Difference(changed).Difference(cmp.removed), options);
  std::erase_if(managers, [](const Entry& e) { return e.set.Empty(); });
  FieldSet mine = Tracked(changed, options);
  if (!mine.Empty()) {
    const std::string api_version = ApiVersionOf(obj);
    auto it = std::find_if(managers.begin(), managers.end(), [&](const Entry& e) {
      return SameManager(e, manager, "Update", api_version, options.subresource);
    });
    if (it == managers.end()) {
      managers.push_back(Entry{std::string(manager), "Update", api_version, NowOr(options), options.subresource, mine});
    } else {
      it->set = it->set.Union(mine);
      it->time = NowOr(options);
    }
  }
  EncodeManagers(obj, std::move(managers));
}

// ---- YAML ----

namespace {

bool IsOneOf(std::string_view s, std::initializer_list<std::string_view> list) {
  return std::find(list.begin(), list.end(), s) != list.end();
}

bool LooksLikeFloat(std::string_view s) {
  // [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
  size_t i = 0;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
  size_t digits = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    size_t frac = 0;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++frac;
    if (digits == 0 && frac == 0) return false;
  } else if (digits == 0) {
    return false;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    size_t exp = 0;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++exp;
    if (exp == 0) return false;
  }
  return i == s.size();
}

// An integer as Go's strconv.ParseInt(s, 0, 64) reads it (after YAML 1.1 drops underscores).
std::optional<json::value> ParseYamlInt(std::string s) {
  std::erase(s, '_');
  if (s.empty()) return std::nullopt;
  bool negative = false;
  size_t i = 0;
  if (s[0] == '+' || s[0] == '-') {
    negative = s[0] == '-';
    i = 1;
  }
  int base = 10;
  if (s.size() > i + 1 && s[i] == '0') {
    char p = s[i + 1];
    if (p == 'x' || p == 'X') {
      base = 16;
      i += 2;
    } else if (p == 'b' || p == 'B') {
      base = 2;
      i += 2;
    } else if (p == 'o' || p == 'O') {
      base = 8;
      i += 2;
    } else {
      base = 8;
      i += 1;
    }
  }
  if (i >= s.size()) return std::nullopt;
  uint64_t value = 0;
  auto [ptr, ec] = std::from_chars(s.data() + i, s.data() + s.size(), value, base);
  if (ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  if (negative) {
    if (value > static_cast<uint64_t>(INT64_MAX) + 1) return std::nullopt;
    return json::value(static_cast<int64_t>(0 - value));
  }
  if (value <= static_cast<uint64_t>(INT64_MAX)) return json::value(static_cast<int64_t>(value));
  return json::value(value);
}

// A plain scalar's value under YAML 1.1 rules, as Kubernetes' YAML decoder resolves it.
json::value ResolvePlain(const std::string& s) {
  if (IsOneOf(s, {"", "~", "null", "Null", "NULL"})) return nullptr;
  if (IsOneOf(s, {"y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"})) return true;
  if (IsOneOf(s, {"n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"})) return false;
  const char c = s[0];
  if (std::isdigit(static_cast<unsigned char>(c)) || c == '-' || c == '+' || c == '.') {
    if (auto i = ParseYamlInt(s)) return *i;
    std::string plain = s;
    std::erase(plain, '_');
    if (LooksLikeFloat(plain)) {
      double d = std::strtod(plain.c_str(), nullptr);
      if (std::isfinite(d)) {
        if (d == std::floor(d) && std::fabs(d) < 9e15) return static_cast<int64_t>(d);
        return d;
      }
    }
  }
  return json::value(s);
}

json::value ScalarValue(const YAML::Node& n) {
  const std::string& tag = n.Tag();
  const std::string& text = n.Scalar();
  if (tag == "!" || tag == "tag:yaml.org,2002:str") return json::value(text);
  return ResolvePlain(text);
}

std::string KeyString(const json::value& v) {
  if (v.is_string()) return std::string(v.as_string());
  if (v.is_double()) return GoFloat(v.as_double());
  return json::serialize(v);
}

Result<json::value> YamlToJson(const YAML::Node& n, int depth) {
  if (depth > 1000) return Fail(ErrorCode::kBadRequest, "error converting YAML to JSON: the document is nested too deeply");
  switch (n.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
      return json::value(nullptr);
    case YAML::NodeType::Scalar:
      return ScalarValue(n);
    case YAML::NodeType::Sequence: {
      json::array a;
      for (const auto& item : n) {
        K1S_ASSIGN_OR_RETURN(json::value v, YamlToJson(item, depth + 1));
        a.push_back(std::move(v));
      }
      return json::value(std::move(a));
    }
    case YAML::NodeType::Map: {
      json::object o;
      for (const auto& kv : n) {
        std::string key;
        if (kv.first.IsNull()) {
          key = "null";
        } else if (kv.first.IsScalar()) {
          key = KeyString(ScalarValue(kv.first));
        } else {
          return Fail(ErrorCode::kBadRequest, "error converting YAML to JSON: yaml: line " +
                                                  std::to_string(kv.first.Mark().line + 1) +
                                                  ": a mapping key must be a scalar");
        }
        K1S_ASSIGN_OR_RETURN(json::value v, YamlToJson(kv.second, depth + 1));
        o[key] = std::move(v);
      }
      return json::value(std::move(o));
    }
  }
  return json::value(nullptr);
}

}  // namespace

Result<json::object> ParseApplyBody(std::string_view body) {
  // JSON (what kubectl sends) is read directly; anything else as YAML.
  {
    boost::system::error_code ec;
    json::value v = json::parse(body, ec);
    if (!ec && v.is_object()) return std::move(v.as_object());
  }
  YAML::Node doc;
  try {
    doc = YAML::Load(std::string(body));
  } catch (const YAML::Exception& e) {
    std::string msg = e.msg.empty() ? e.what() : e.msg;
    return Fail(ErrorCode::kBadRequest,
                "error converting YAML to JSON: yaml: line " + std::to_string(e.mark.line + 1) + ": " + msg);
  } catch (const std::exception& e) {
    return Fail(ErrorCode::kBadRequest, std::string("error converting YAML to JSON: ") + e.what());
  }
  Result<json::value> converted = Fail(ErrorCode::kInternal, "");
  try {
    converted = YamlToJson(doc, 0);
  } catch (const std::exception& e) {
    return Fail(ErrorCode::kBadRequest, std::string("error converting YAML to JSON: ") + e.what());
  }
  if (!converted.ok()) return Fail(converted.error());
  if (converted->is_null()) return Fail(ErrorCode::kBadRequest, "the apply body is empty");
  if (!converted->is_object()) {
    return Fail(ErrorCode::kBadRequest, "the apply body must be a YAML or JSON object (a mapping), not a " +
                                            std::string(converted->is_array() ? "list" : "scalar"));
  }
  return std::move(converted->as_object());
}

}  // namespace k1s::registry
