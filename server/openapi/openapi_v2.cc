// The OpenAPI v2 document: a walk of lib/api/schema.h into Swagger 2.0 JSON, then a small protobuf
// writer that encodes that JSON as gnostic's openapi_v2.Document (field numbers from OpenAPIv2.proto).
#include "server/openapi/openapi_v2.h"

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>
#include <cctype>
#include <cstdint>
#include <map>
#include <set>

#include "server/openapi/openapi.h"

namespace k1s::openapi {

namespace json = boost::json;

namespace {

constexpr std::string_view kDefinitionRef = "#/definitions/";
constexpr std::string_view kListMeta = "io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta";
constexpr std::string_view kMetaRoots[] = {
    "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta", kListMeta,
    "io.k8s.apimachinery.pkg.apis.meta.v1.Status", "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions"};

// ---- Swagger 2.0 JSON from the schema ----

json::object Ref(std::string_view name) {
  json::object o;
  o["$ref"] = std::string(kDefinitionRef) + std::string(name);
  return o;
}

json::array GvkList(const std::vector<api::GroupVersionKind>& kinds) {
  json::array a;
  for (const auto& k : kinds) a.push_back(json::object{{"group", k.group}, {"kind", k.kind}, {"version", k.version}});
  return a;
}


json::object ValueSchema(const api::ValueType& v) {
  if (v.named != nullptr) return Ref(v.named->name);
  if (v.kind == api::ValueKind::kArray) return json::object{{"type", "array"}, {"items", ValueSchema(*v.element)}};
  if (v.kind == api::ValueKind::kMap) {
    return json::object{{"type", "object"}, {"additionalProperties", ValueSchema(*v.element)}};
  }
  return ScalarTypeSchema(v.kind);
}

// Unlike v3, a v2 property that names a type carries its description beside the $ref (no allOf), as
// upstream's v2 does and kubectl's v2 parser expects.
json::object PropertySchema(const api::SchemaField& f) {
  json::object p = ValueSchema(f.type);
  if (!f.description.empty()) p["description"] = f.description;
  if (!f.list_type.empty()) p["x-kubernetes-list-type"] = f.list_type;
  if (!f.list_map_keys.empty()) {
    json::array keys;
    for (const auto& k : f.list_map_keys) keys.emplace_back(k);
    p["x-kubernetes-list-map-keys"] = std::move(keys);
  }
  if (!f.patch_merge_key.empty()) p["x-kubernetes-patch-merge-key"] = f.patch_merge_key;
  if (!f.patch_strategy.empty()) p["x-kubernetes-patch-strategy"] = f.patch_strategy;
  return p;
}

// A copy of o with its keys in name order (upstream's documents are sorted, and stable output makes a
// stable hash).
json::object Sorted(json::object o) {
  std::map<std::string, json::value> sorted;
  for (auto& kv : o) sorted.emplace(std::string(kv.key()), std::move(kv.value()));
  json::object out;
  out.reserve(sorted.size());
  for (auto& [k, v] : sorted) out[k] = std::move(v);
  return out;
}

json::object TypeSchema(const api::SchemaType& t) {
  json::object o;
  if (!t.description.empty()) o["description"] = t.description;
  if (t.kind != api::ValueKind::kObject) {
    for (auto& [k, v] : ScalarTypeSchema(t.kind)) o[k] = v;
    // The apiextensions JSON holders may be any JSON value, not only objects.
    if (t.kind == api::ValueKind::kAny && t.package.find("apiextensions") != std::string::npos) o.erase("type");
    return o;
  }
  o["type"] = "object";
  json::object props;
  json::array required;
  for (const auto& f : t.fields) {
    props[f.name] = PropertySchema(f);
    if (f.required) required.emplace_back(f.name);
  }
  if (!props.empty()) o["properties"] = Sorted(std::move(props));
  if (!required.empty()) o["required"] = std::move(required);
  if (!t.kinds.empty()) o["x-kubernetes-group-version-kind"] = GvkList(t.kinds);
  if (t.atomic) o["x-kubernetes-map-type"] = "atomic";
  return o;
}

json::object ListSchema(const registry::ResourceInfo& info, const std::string& item_name) {
  json::object str{{"type", "string"}};
  json::object props;
  json::object api_version = str;
  api_version["description"] = "The group/version of this object's schema.";
  props["apiVersion"] = std::move(api_version);
  props["items"] = json::object{{"type", "array"}, {"items", Ref(item_name)},
                                {"description", "List of " + info.plural + "."}};
  json::object kind = str;
  kind["description"] = "The kind of object, in CamelCase.";
  props["kind"] = std::move(kind);
  json::object meta = Ref(kListMeta);
  meta["description"] = "Standard list metadata.";
  props["metadata"] = std::move(meta);
  json::object o;
  o["description"] = info.kind + "List is a list of " + info.kind + " objects.";
  o["type"] = "object";
  o["properties"] = std::move(props);
  o["required"] = json::array{"items"};
  o["x-kubernetes-group-version-kind"] = GvkList({{info.group, info.version, info.kind + "List"}});
  return o;
}

// ---- protobuf writer (gnostic OpenAPIv2.proto) ----

class PbWriter {
 public:
  void String(int field, std::string_view s) {
    Tag(field, 2);
    Varint(s.size());
    out_.append(s);
  }
  void Bool(int field, bool b) {
    Tag(field, 0);
    Varint(b ? 1 : 0);
  }
  void Message(int field, const PbWriter& m) { String(field, m.out_); }
  const std::string& Bytes() const { return out_; }
  std::string Take() { return std::move(out_); }

 private:
  void Tag(int field, int wire_type) { Varint(static_cast<uint64_t>(field) << 3 | static_cast<uint64_t>(wire_type)); }
  void Varint(uint64_t v) {
    while (v >= 0x80) {
      out_.push_back(static_cast<char>(v | 0x80));
      v >>= 7;
    }
    out_.push_back(static_cast<char>(v));
  }
  std::string out_;
};

// Schema fields.
enum : int {
  kSchemaRef = 1,
  kSchemaFormat = 2,
  kSchemaTitle = 3,
  kSchemaDescription = 4,
  kSchemaRequired = 19,
  kSchemaAdditionalProperties = 21,
  kSchemaType = 22,
  kSchemaItems = 23,
  kSchemaAllOf = 24,
  kSchemaProperties = 25,
  kSchemaReadOnly = 27,
  kSchemaVendorExtension = 31,
};

// NamedAny{name = 1, value = Any{yaml = 2}}.
PbWriter NamedAny(std::string_view name, const json::value& v) {
  PbWriter any;
  any.String(2, json::serialize(v));
  PbWriter named;
  named.String(1, name);
  named.Message(2, any);
  return named;
}

PbWriter EncodeSchema(const json::object& s);

// NamedSchema{name = 1, value = 2} entries of a Definitions or Properties message (both field 1).
PbWriter EncodeNamedSchemas(const json::object& m) {
  PbWriter out;
  for (const auto& kv : m) {
    if (!kv.value().is_object()) continue;
    PbWriter named;
    named.String(1, kv.key());
    named.Message(2, EncodeSchema(kv.value().get_object()));
    out.Message(1, named);
  }
  return out;
}

PbWriter EncodeSchema(const json::object& s) {
  PbWriter w;
  auto str = [&](std::string_view key, int field) {
    if (const json::value* v = s.if_contains(key); v != nullptr && v->is_string()) w.String(field, v->get_string());
  };
  str("$ref", kSchemaRef);
  str("format", kSchemaFormat);
  str("title", kSchemaTitle);
  str("description", kSchemaDescription);
  if (const json::value* v = s.if_contains("required"); v != nullptr && v->is_array()) {
    for (const auto& r : v->get_array()) {
      if (r.is_string()) w.String(kSchemaRequired, r.get_string());
    }
  }
  if (const json::value* v = s.if_contains("additionalProperties")) {
    PbWriter item;  // AdditionalPropertiesItem{oneof schema = 1 | boolean = 2}
    if (v->is_object()) item.Message(1, EncodeSchema(v->get_object()));
    if (v->is_bool()) item.Bool(2, v->get_bool());
    w.Message(kSchemaAdditionalProperties, item);
  }
  if (const json::value* v = s.if_contains("type")) {
    PbWriter type;  // TypeItem{repeated string value = 1}
    if (v->is_string()) type.String(1, v->get_string());
    if (v->is_array()) {
      for (const auto& t : v->get_array()) {
        if (t.is_string()) type.String(1, t.get_string());
      }
    }
    w.Message(kSchemaType, type);
  }
  if (const json::value* v = s.if_contains("items")) {
    PbWriter items;  // ItemsItem{repeated Schema schema = 1}
    if (v->is_object()) items.Message(1, EncodeSchema(v->get_object()));
    if (v->is_array()) {
      for (const auto& i : v->get_array()) {
        if (i.is_object()) items.Message(1, EncodeSchema(i.get_object()));
      }
    }
    w.Message(kSchemaItems, items);
  }
  if (const json::value* v = s.if_contains("allOf"); v != nullptr && v->is_array()) {
    for (const auto& a : v->get_array()) {
      if (a.is_object()) w.Message(kSchemaAllOf, EncodeSchema(a.get_object()));
    }
  }
  if (const json::value* v = s.if_contains("properties"); v != nullptr && v->is_object()) {
    w.Message(kSchemaProperties, EncodeNamedSchemas(v->get_object()));
  }
  if (const json::value* v = s.if_contains("readOnly"); v != nullptr && v->is_bool() && v->get_bool()) {
    w.Bool(kSchemaReadOnly, true);
  }
  for (const auto& kv : s) {
    if (kv.key().starts_with("x-")) w.Message(kSchemaVendorExtension, NamedAny(kv.key(), kv.value()));
  }
  return w;
}

}  // namespace

std::string OpenApiV2::EncodeProtobuf(const json::object& doc) {
  PbWriter w;  // Document
  if (const json::value* v = doc.if_contains("swagger"); v != nullptr && v->is_string()) {
    w.String(1, v->get_string());
  }
  if (const json::value* v = doc.if_contains("info"); v != nullptr && v->is_object()) {
    PbWriter info;  // Info{title = 1, version = 2, description = 3}
    const json::object& i = v->get_object();
    int field = 1;
    for (std::string_view key : {"title", "version", "description"}) {
      if (const json::value* s = i.if_contains(key); s != nullptr && s->is_string()) info.String(field, s->get_string());
      ++field;
    }
    w.Message(2, info);
  }
  if (doc.contains("paths")) w.Message(8, PbWriter());  // Paths: operations are not modelled here
  if (const json::value* v = doc.if_contains("definitions"); v != nullptr && v->is_object()) {
    w.Message(9, EncodeNamedSchemas(v->get_object()));  // Definitions{repeated NamedSchema = 1}
  }
  for (const auto& kv : doc) {
    if (kv.key().starts_with("x-")) w.Message(16, NamedAny(kv.key(), kv.value()));
  }
  return w.Take();
}

OpenApiV2::OpenApiV2(const std::vector<registry::ResourceInfo>& resources, std::string_view version,
                     std::shared_ptr<const api::Schema> schema) {
  std::vector<const api::SchemaType*> roots;
  json::object definitions;
  for (std::string_view n : kMetaRoots) {
    if (const api::SchemaType* t = schema->Type(n)) roots.push_back(t);
  }
  for (const auto& info : resources) {
    if (info.custom) continue;
    const api::SchemaType* t = schema->ForKind(info.group, info.version, info.kind);
    if (t == nullptr) continue;
    roots.push_back(t);
    std::string list_name = t->name + "List";
    if (schema->Type(list_name) == nullptr && !definitions.contains(list_name)) {
      definitions[list_name] = ListSchema(info, t->name);
    }
  }
  for (const api::SchemaType* t : schema->Reachable(roots)) definitions[t->name] = TypeSchema(*t);

  json::object doc;
  doc["swagger"] = "2.0";
  doc["info"] = json::object{{"title", "Kubernetes"}, {"version", version}};
  doc["paths"] = json::object();
  doc["definitions"] = Sorted(std::move(definitions));
  json_ = json::serialize(doc);
  hash_ = UpperHexSha512(json_);
  protobuf_ = EncodeProtobuf(doc);
}

bool OpenApiV2::WantsProtobuf(std::string_view accept) {
  while (!accept.empty()) {
    size_t comma = accept.find(',');
    std::string_view range = accept.substr(0, comma);
    accept = comma == std::string_view::npos ? std::string_view() : accept.substr(comma + 1);
    std::string_view params;
    if (size_t semi = range.find(';'); semi != std::string_view::npos) {
      params = range.substr(semi + 1);
      range = range.substr(0, semi);
    }
    while (!range.empty() && std::isspace(static_cast<unsigned char>(range.front()))) range.remove_prefix(1);
    while (!range.empty() && std::isspace(static_cast<unsigned char>(range.back()))) range.remove_suffix(1);
    // q=0 means "not acceptable".
    std::string p(params);
    std::erase_if(p, [](char c) { return std::isspace(static_cast<unsigned char>(c)); });
    if (p.find("q=0") != std::string::npos && p.find("q=0.") == std::string::npos) continue;
    if (range == "application/com.github.proto-openapi.spec.v2@v1.0+protobuf" ||
        range == "application/com.github.proto-openapi.spec.v2.v1.0+protobuf") {
      return true;
    }
    if (range == "application/json" || range == "application/*" || range == "*/*") return false;
  }
  return false;
}

}  // namespace k1s::openapi
