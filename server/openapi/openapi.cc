// OpenAPI v3 documents generated from lib/api/schema.h and custom resources' schemas.
#include "server/openapi/openapi.h"

#include <openssl/evp.h>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <cctype>

namespace k1s::openapi {

namespace json = boost::json;

namespace {

constexpr std::string_view kSchemaRef = "#/components/schemas/";
constexpr std::string_view kObjectMeta = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";
constexpr std::string_view kListMeta = "io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta";
constexpr std::string_view kStatus = "io.k8s.apimachinery.pkg.apis.meta.v1.Status";
constexpr std::string_view kDeleteOptions = "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions";

json::object Ref(std::string_view name) {
  json::object o;
  o["$ref"] = std::string(kSchemaRef) + std::string(name);
  return o;
}

json::object Gvk(std::string_view group, std::string_view version, std::string_view kind) {
  json::object o;
  o["group"] = group;
  o["kind"] = kind;
  o["version"] = version;
  return o;
}

// v3 marks free-form objects as such; v2 has no such extension.
json::object ScalarSchema(api::ValueKind kind) {
  json::object o = ScalarTypeSchema(kind);
  if (o.at("type") == "object") o["x-kubernetes-preserve-unknown-fields"] = true;
  return o;
}

json::object ValueSchema(const api::ValueType& v) {
  if (v.named != nullptr) return Ref(v.named->name);
  if (v.kind == api::ValueKind::kArray) {
    json::object o;
    o["type"] = "array";
    o["items"] = ValueSchema(*v.element);
    return o;
  }
  if (v.kind == api::ValueKind::kMap) {
    json::object o;
    o["type"] = "object";
    o["additionalProperties"] = ValueSchema(*v.element);
    return o;
  }
  return ScalarSchema(v.kind);
}

json::object PropertySchema(const api::SchemaField& f) {
  json::object p;
  if (f.type.named != nullptr && !f.description.empty()) {
    p["allOf"] = json::array{Ref(f.type.named->name)};
  } else {
    p = ValueSchema(f.type);
  }
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

json::object TypeSchema(const api::SchemaType& t) {
  json::object o;
  if (!t.description.empty()) o["description"] = t.description;
  if (t.kind != api::ValueKind::kObject) {
    for (auto& [k, v] : ScalarSchema(t.kind)) o[k] = v;
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
  if (!props.empty()) o["properties"] = std::move(props);
  if (!required.empty()) o["required"] = std::move(required);
  if (!t.kinds.empty()) {
    json::array gvks;
    for (const auto& k : t.kinds) gvks.push_back(Gvk(k.group, k.version, k.kind));
    o["x-kubernetes-group-version-kind"] = std::move(gvks);
  }
  if (t.atomic) o["x-kubernetes-map-type"] = "atomic";
  return o;
}

std::string Pascal(std::string_view s) {
  std::string out;
  bool up = true;
  for (char c : s) {
    if (c == '.' || c == '-') {
      up = true;
      continue;
    }
    out.push_back(up ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c);
    up = false;
  }
  return out;
}

std::string GroupPascal(std::string_view group) {
  if (group.empty()) return "Core";
  if (group.ends_with(".k8s.io")) group.remove_suffix(7);
  return Pascal(group);
}

json::object Param(std::string_view name, std::string_view in, std::string_view description, bool required = false,
                   std::string_view type = "string") {
  json::object p;
  p["name"] = name;
  p["in"] = in;
  p["description"] = description;
  if (required) p["required"] = true;
  json::object schema;
  schema["type"] = type;
  schema["uniqueItems"] = true;
  p["schema"] = std::move(schema);
  return p;
}

json::object JsonContent(json::object schema, std::initializer_list<std::string_view> types) {
  json::object content;
  for (auto t : types) {
    json::object media;
    media["schema"] = schema;
    content[t] = std::move(media);
  }
  return content;
}

json::object Responses(std::string_view schema_name, std::initializer_list<std::string_view> codes) {
  json::object r;
  for (auto code : codes) {
    json::object resp;
    resp["description"] = code == "201" ? "Created" : code == "202" ? "Accepted" : "OK";
    resp["content"] = JsonContent(Ref(schema_name), {"application/json", "application/yaml",
                                                      "application/vnd.kubernetes.protobuf"});
    r[code] = std::move(resp);
  }
  json::object unauthorized;
  unauthorized["description"] = "Unauthorized";
  r["401"] = std::move(unauthorized);
  return r;
}

json::array WriteParams(bool patch) {
  json::array a;
  a.push_back(Param("dryRun", "query", "When All, the request is validated and admitted but not persisted."));
  a.push_back(Param("fieldManager", "query", "The name of the actor making the change, for field ownership."));
  a.push_back(Param("fieldValidation", "query",
                    "What to do with unknown or duplicate fields: Ignore, Warn (the default) or Strict."));
  if (patch) {
    a.push_back(Param("force", "query", "Apply patches only: take ownership of conflicting fields.", false,
                      "boolean"));
  }
  return a;
}

// One group/version's document under construction.
struct DocBuilder {
  std::string group;
  std::string version;
  json::object paths;
  json::object schemas;
  std::vector<const api::SchemaType*> roots;
};

void AddPaths(DocBuilder& doc, const registry::ResourceInfo& info, const std::string& schema_name,
              const std::string& list_name) {
  std::string prefix = info.group.empty() ? "/api/" + info.version : "/apis/" + info.group + "/" + info.version;
  std::string coll = prefix + (info.namespaced ? "/namespaces/{namespace}/" : "/") + info.plural;
  std::string item = coll + "/{name}";
  std::string id_kind = GroupPascal(info.group) + Pascal(info.version) + (info.namespaced ? "Namespaced" : "") +
                        info.kind;
  auto op = [&](std::string_view verb, std::string_view action, std::string_view summary) {
    json::object o;
    o["description"] = summary;
    o["operationId"] = std::string(verb) + id_kind;
    o["x-kubernetes-action"] = action;
    o["x-kubernetes-group-version-kind"] = Gvk(info.group, info.version, info.kind);
    return o;
  };
  json::object ns_param = Param("namespace", "path", "The object's namespace.", true);
  json::object name_param = Param("name", "path", "The object's name.", true);
  json::object pretty = Param("pretty", "query", "When true, the output is indented.");

  json::object coll_path;
  {
    json::array params;
    if (info.namespaced) params.push_back(ns_param);
    params.push_back(pretty);
    coll_path["parameters"] = std::move(params);
    json::object list = op("list", "list", "List or watch objects of this kind.");
    json::array lp;
    for (auto n : {"labelSelector", "fieldSelector", "resourceVersion", "continue"}) {
      lp.push_back(Param(n, "query", "List option (see the API conventions)."));
    }
    lp.push_back(Param("limit", "query", "The most objects to return in one page.", false, "integer"));
    lp.push_back(Param("watch", "query", "Stream changes instead of returning a list.", false, "boolean"));
    list["parameters"] = std::move(lp);
    list["responses"] = Responses(list_name, {"200"});
    coll_path["get"] = std::move(list);
    json::object create = op("create", "post", "Create an object.");
    create["parameters"] = WriteParams(false);
    json::object body;
    body["required"] = true;
    body["content"] = JsonContent(Ref(schema_name), {"*/*"});
    create["requestBody"] = body;
    create["responses"] = Responses(schema_name, {"200", "201", "202"});
    coll_path["post"] = std::move(create);
  }
  json::object item_path;
  {
    json::array params;
    params.push_back(name_param);
    if (info.namespaced) params.push_back(ns_param);
    params.push_back(pretty);
    item_path["parameters"] = std::move(params);
    json::object read = op("read", "get", "Read the named object.");
    read["responses"] = Responses(schema_name, {"200"});
    item_path["get"] = std::move(read);

    json::object replace = op("replace", "put", "Replace the named object.");
    replace["parameters"] = WriteParams(false);
    json::object body;
    body["required"] = true;
    body["content"] = JsonContent(Ref(schema_name), {"*/*"});
    replace["requestBody"] = body;
    replace["responses"] = Responses(schema_name, {"200", "201"});
    item_path["put"] = std::move(replace);

    json::object patch = op("patch", "patch", "Partially update the named object.");
    patch["parameters"] = WriteParams(true);
    json::object patch_schema;
    patch_schema["type"] = "object";
    patch_schema["description"] = "A patch in the format the Content-Type names.";
    json::object patch_body;
    patch_body["required"] = true;
    patch_body["content"] =
        JsonContent(patch_schema, {"application/apply-patch+yaml", "application/json-patch+json",
                                   "application/merge-patch+json", "application/strategic-merge-patch+json"});
    patch["requestBody"] = std::move(patch_body);
    patch["responses"] = Responses(schema_name, {"200", "201"});
    item_path["patch"] = std::move(patch);

    json::object del = op("delete", "delete", "Delete the named object.");
    json::array dp;
    dp.push_back(Param("dryRun", "query", "When All, the deletion is validated but not persisted."));
    dp.push_back(Param("gracePeriodSeconds", "query", "Seconds before the object is deleted.", false, "integer"));
    dp.push_back(Param("propagationPolicy", "query", "Orphan, Background or Foreground deletion of dependents."));
    del["parameters"] = std::move(dp);
    json::object del_body;
    del_body["content"] = JsonContent(Ref(kDeleteOptions), {"*/*"});
    del["requestBody"] = std::move(del_body);
    del["responses"] = Responses(kStatus, {"200", "202"});
    item_path["delete"] = std::move(del);
  }
  doc.paths[coll] = std::move(coll_path);
  doc.paths[item] = std::move(item_path);
  if (info.namespaced) {
    json::object all;
    json::object list = op("list", "list", "List or watch objects of this kind in all namespaces.");
    list["operationId"] = "list" + GroupPascal(info.group) + Pascal(info.version) + info.kind + "ForAllNamespaces";
    list["responses"] = Responses(list_name, {"200"});
    all["get"] = std::move(list);
    doc.paths[prefix + "/" + info.plural] = std::move(all);
  }
}

json::object ListSchema(const registry::ResourceInfo& info, const std::string& item_name) {
  json::object o;
  o["description"] = "A list of " + info.kind + " objects.";
  o["type"] = "object";
  json::object props;
  json::object str;
  str["type"] = "string";
  props["apiVersion"] = str;
  json::object items;
  items["type"] = "array";
  items["items"] = Ref(item_name);
  props["items"] = std::move(items);
  props["kind"] = str;
  props["metadata"] = Ref(kListMeta);
  o["properties"] = std::move(props);
  o["required"] = json::array{"items"};
  o["x-kubernetes-group-version-kind"] = json::array{Gvk(info.group, info.version, info.kind + "List")};
  return o;
}

json::object CustomSchema(const CustomResource& cr) {
  json::object o;
  if (const json::object* given = cr.schema.if_object()) o = *given;
  if (!o.contains("type")) o["type"] = "object";
  json::object props;
  if (const json::value* p = o.if_contains("properties"); p != nullptr && p->is_object()) props = p->get_object();
  if (props.empty() && !o.contains("x-kubernetes-preserve-unknown-fields")) {
    o["x-kubernetes-preserve-unknown-fields"] = true;
  }
  json::object str;
  str["type"] = "string";
  props["apiVersion"] = str;
  props["kind"] = str;
  props["metadata"] = Ref(kObjectMeta);
  o["properties"] = std::move(props);
  o["x-kubernetes-group-version-kind"] = json::array{Gvk(cr.info.group, cr.info.version, cr.info.kind)};
  return o;
}

// A copy of o with its keys in name order.
json::object Sorted(const json::object& o) {
  std::map<std::string_view, const json::value*> sorted;
  for (const auto& kv : o) sorted.emplace(kv.key(), &kv.value());
  json::object out;
  out.reserve(o.size());
  for (const auto& [k, v] : sorted) out[k] = *v;
  return out;
}

std::string DocPath(std::string_view group, std::string_view version) {
  return group.empty() ? "api/" + std::string(version) : "apis/" + std::string(group) + "/" + std::string(version);
}

}  // namespace

std::string OpenApi::CustomSchemaName(std::string_view group, std::string_view version, std::string_view kind) {
  std::string reversed;
  while (!group.empty()) {
    size_t dot = group.rfind('.');
    std::string_view label = dot == std::string_view::npos ? group : group.substr(dot + 1);
    if (!reversed.empty()) reversed.push_back('.');
    reversed.append(label);
    group = dot == std::string_view::npos ? std::string_view() : group.substr(0, dot);
  }
  return reversed + "." + std::string(version) + "." + std::string(kind);
}

OpenApi::OpenApi(const std::vector<registry::ResourceInfo>& resources, const std::vector<CustomResource>& custom,
                 std::shared_ptr<const api::Schema> schema) {
  std::map<std::string, DocBuilder> builders;
  auto builder = [&](const registry::ResourceInfo& info) -> DocBuilder& {
    DocBuilder& b = builders[DocPath(info.group, info.version)];
    b.group = info.group;
    b.version = info.version;
    return b;
  };
  auto add_meta_roots = [&](DocBuilder& b) {
    for (std::string_view n : {kObjectMeta, kListMeta, kStatus, kDeleteOptions}) {
      if (const api::SchemaType* t = schema->Type(n)) b.roots.push_back(t);
    }
  };
  for (const auto& info : resources) {
    DocBuilder& b = builder(info);
    const api::SchemaType* t = schema->ForKind(info.group, info.version, info.kind);
    std::string name;
    if (t != nullptr) {
      name = t->name;
      b.roots.push_back(t);
    } else {
      // Not described yet: a free-form object, so the paths (and the validation probe) still work.
      name = CustomSchemaName(info.group.empty() ? "core" : info.group, info.version, info.kind);
      json::object o;
      o["type"] = "object";
      o["x-kubernetes-preserve-unknown-fields"] = true;
      o["x-kubernetes-group-version-kind"] = json::array{Gvk(info.group, info.version, info.kind)};
      b.schemas[name] = std::move(o);
    }
    std::string list_name = name + "List";
    b.schemas[list_name] = ListSchema(info, name);
    AddPaths(b, info, name, list_name);
    add_meta_roots(b);
  }
  for (const auto& cr : custom) {
    DocBuilder& b = builder(cr.info);
    std::string name = CustomSchemaName(cr.info.group, cr.info.version, cr.info.kind);
    b.schemas[name] = CustomSchema(cr);
    std::string list_name = name + "List";
    b.schemas[list_name] = ListSchema(cr.info, name);
    AddPaths(b, cr.info, name, list_name);
    add_meta_roots(b);
  }

  json::object root_paths;
  for (auto& [path, b] : builders) {
    for (const api::SchemaType* t : schema->Reachable(b.roots)) b.schemas[t->name] = TypeSchema(*t);
    // Paths and components in name order, like upstream, so documents are stable whatever the input order.
    json::object schemas = Sorted(b.schemas);
    json::object doc;
    doc["openapi"] = "3.0.0";
    json::object info;
    info["title"] = "Kubernetes";
    info["version"] = "unversioned";
    doc["info"] = std::move(info);
    doc["paths"] = Sorted(b.paths);
    json::object components;
    components["schemas"] = std::move(schemas);
    doc["components"] = std::move(components);
    Document d;
    d.body = json::serialize(doc);
    d.hash = UpperHexSha512(d.body);
    json::object entry;
    entry["serverRelativeURL"] = "/openapi/v3/" + path + "?hash=" + d.hash;
    root_paths[path] = std::move(entry);
    docs_.emplace(path, std::move(d));
  }
  json::object root;
  root["paths"] = std::move(root_paths);
  root_ = json::serialize(root);
}

const OpenApi::Document* OpenApi::V3(std::string_view gv_path) const {
  while (gv_path.starts_with('/')) gv_path.remove_prefix(1);
  auto it = docs_.find(gv_path);
  return it == docs_.end() ? nullptr : &it->second;
}

std::vector<std::string> OpenApi::V3Paths() const {
  std::vector<std::string> out;
  for (const auto& [path, doc] : docs_) out.push_back(path);
  return out;
}

json::object ScalarTypeSchema(api::ValueKind kind) {
  json::object o;
  switch (kind) {
    case api::ValueKind::kString: o["type"] = "string"; break;
    case api::ValueKind::kInt32: o["type"] = "integer"; o["format"] = "int32"; break;
    case api::ValueKind::kInt64: o["type"] = "integer"; o["format"] = "int64"; break;
    case api::ValueKind::kDouble: o["type"] = "number"; o["format"] = "double"; break;
    case api::ValueKind::kBoolean: o["type"] = "boolean"; break;
    case api::ValueKind::kBytes: o["type"] = "string"; o["format"] = "byte"; break;
    case api::ValueKind::kQuantity: o["type"] = "string"; break;
    case api::ValueKind::kIntOrString: o["type"] = "string"; o["format"] = "int-or-string"; break;
    case api::ValueKind::kTime:
    case api::ValueKind::kMicroTime: o["type"] = "string"; o["format"] = "date-time"; break;
    case api::ValueKind::kAny:
    case api::ValueKind::kObject:
    case api::ValueKind::kArray:
    case api::ValueKind::kMap: o["type"] = "object"; break;
  }
  return o;
}

std::string UpperHexSha512(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha512(), nullptr);
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(len * 2);
  for (unsigned int i = 0; i < len; ++i) {
    out.push_back(kHex[md[i] >> 4]);
    out.push_back(kHex[md[i] & 15]);
  }
  return out;
}

}  // namespace k1s::openapi
