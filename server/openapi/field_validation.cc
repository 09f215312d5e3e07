// Unknown and duplicate field detection, walking objects alongside lib/api/schema.h or a CRD's schema.
#include "server/openapi/field_validation.h"

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/object.hpp>
#include <set>

namespace k1s::openapi {

namespace json = boost::json;

namespace {

constexpr std::string_view kObjectMeta = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";

std::string Join(std::string_view path, std::string_view key) {
  if (path.empty()) return std::string(key);
  std::string out;
  out.reserve(path.size() + 1 + key.size());
  out.append(path).push_back('.');
  out.append(key);
  return out;
}

std::string Unknown(std::string_view path) { return "unknown field \"" + std::string(path) + "\""; }

void WalkType(const json::value& v, const api::ValueType& t, const std::string& path, std::vector<std::string>& out);

void WalkObject(const json::object& obj, const api::SchemaType& type, const std::string& path,
                std::vector<std::string>& out) {
  for (const auto& kv : obj) {
    std::string child = Join(path, kv.key());
    const api::SchemaField* f = type.Field(kv.key());
    if (f == nullptr) {
      out.push_back(Unknown(child));
      continue;
    }
    WalkType(kv.value(), f->type, child, out);
  }
}

void WalkType(const json::value& v, const api::ValueType& t, const std::string& path, std::vector<std::string>& out) {
  switch (t.kind) {
    case api::ValueKind::kObject:
      if (const json::object* o = v.if_object(); o != nullptr && t.named != nullptr) WalkObject(*o, *t.named, path, out);
      return;
    case api::ValueKind::kArray:
      if (const json::array* a = v.if_array()) {
        for (size_t i = 0; i < a->size(); ++i) {
          WalkType((*a)[i], *t.element, path + "[" + std::to_string(i) + "]", out);
        }
      }
      return;
    case api::ValueKind::kMap:
      if (const json::object* o = v.if_object()) {
        for (const auto& kv : *o) WalkType(kv.value(), *t.element, path, out);
      }
      return;
    default:
      return;  // scalars and free-form values
  }
}

bool IsTrue(const json::object& s, std::string_view key) {
  const json::value* v = s.if_contains(key);
  return v != nullptr && v->is_bool() && v->get_bool();
}

void WalkCustom(const json::value& v, const json::value* schema_value, const std::string& path,
                const api::Schema& schema, std::vector<std::string>& out) {
  const json::object* s = schema_value == nullptr ? nullptr : schema_value->if_object();
  if (s == nullptr) return;  // no schema here: nothing to check against
  if (const json::object* obj = v.if_object()) {
    const json::value* props_value = s->if_contains("properties");
    const json::object* props = props_value == nullptr ? nullptr : props_value->if_object();
    const json::value* additional = s->if_contains("additionalProperties");
    bool preserve = IsTrue(*s, "x-kubernetes-preserve-unknown-fields");
    bool embedded = IsTrue(*s, "x-kubernetes-embedded-resource");
    const api::SchemaType* meta = schema.Type(kObjectMeta);
    for (const auto& kv : *obj) {
      std::string child = Join(path, kv.key());
      if (embedded && (kv.key() == "apiVersion" || kv.key() == "kind")) continue;
      if (embedded && kv.key() == "metadata") {
        if (meta != nullptr && kv.value().is_object()) WalkObject(kv.value().get_object(), *meta, child, out);
        continue;
      }
      if (props != nullptr) {
        if (const json::value* p = props->if_contains(kv.key())) {
          WalkCustom(kv.value(), p, child, schema, out);
          continue;
        }
      }
      if (additional != nullptr && additional->is_object()) {
        WalkCustom(kv.value(), additional, child, schema, out);
      } else if (!preserve && !(additional != nullptr && additional->is_bool() && additional->get_bool())) {
        out.push_back(Unknown(child));
      }
    }
    return;
  }
  if (const json::array* a = v.if_array()) {
    const json::value* items = s->if_contains("items");
    for (size_t i = 0; i < a->size(); ++i) {
      WalkCustom((*a)[i], items, path + "[" + std::to_string(i) + "]", schema, out);
    }
  }
}

// Events of boost::json::basic_parser, tracking the keys of each open object.
class DuplicateHandler {
 public:
  static constexpr std::size_t max_object_size = std::size_t(-1);
  static constexpr std::size_t max_array_size = std::size_t(-1);
  static constexpr std::size_t max_key_size = std::size_t(-1);
  static constexpr std::size_t max_string_size = std::size_t(-1);

  std::vector<std::string> duplicates;

  bool on_document_begin(json::error_code&) { return true; }
  bool on_document_end(json::error_code&) { return true; }
  bool on_object_begin(json::error_code&) { return Open(true); }
  bool on_object_end(std::size_t, json::error_code&) { return Close(); }
  bool on_array_begin(json::error_code&) { return Open(false); }
  bool on_array_end(std::size_t, json::error_code&) { return Close(); }
  bool on_key_part(json::string_view s, std::size_t, json::error_code&) {
    key_.append(s.data(), s.size());
    return true;
  }
  bool on_key(json::string_view s, std::size_t, json::error_code&) {
    key_.append(s.data(), s.size());
    Frame& f = stack_.back();
    if (!f.keys.insert(key_).second) duplicates.push_back("duplicate field \"" + Join(f.path, key_) + "\"");
    f.key = std::move(key_);
    key_.clear();
    return true;
  }
  bool on_string_part(json::string_view, std::size_t, json::error_code&) { return true; }
  bool on_string(json::string_view, std::size_t, json::error_code&) { return Scalar(); }
  bool on_number_part(json::string_view, json::error_code&) { return true; }
  bool on_int64(std::int64_t, json::string_view, json::error_code&) { return Scalar(); }
  bool on_uint64(std::uint64_t, json::string_view, json::error_code&) { return Scalar(); }
  bool on_double(double, json::string_view, json::error_code&) { return Scalar(); }
  bool on_bool(bool, json::error_code&) { return Scalar(); }
  bool on_null(json::error_code&) { return Scalar(); }
  bool on_comment_part(json::string_view, json::error_code&) { return true; }
  bool on_comment(json::string_view, json::error_code&) { return true; }

 private:
  struct Frame {
    bool object = false;
    std::string path;
    std::set<std::string, std::less<>> keys;
    std::string key;  // the key whose value comes next (objects)
    size_t index = 0;  // the next item's index (arrays)
  };

  // The path of the value starting now, and advance the enclosing array's index.
  std::string ValuePath() {
    if (stack_.empty()) return "";
    Frame& f = stack_.back();
    if (f.object) return Join(f.path, f.key);
    return f.path + "[" + std::to_string(f.index++) + "]";
  }
  bool Open(bool object) {
    std::string path = ValuePath();
    stack_.push_back(Frame{object, std::move(path), {}, {}, 0});
    return true;
  }
  bool Close() {
    stack_.pop_back();
    return true;
  }
  bool Scalar() {
    if (!stack_.empty() && !stack_.back().object) stack_.back().index++;
    return true;
  }

  std::vector<Frame> stack_;
  std::string key_;
};

}  // namespace

Result<FieldValidation> ParseFieldValidation(std::string_view value) {
  if (value == "Ignore") return FieldValidation::kIgnore;
  if (value == "Warn" || value.empty()) return FieldValidation::kWarn;
  if (value == "Strict") return FieldValidation::kStrict;
  return Fail(ErrorCode::kBadRequest, "fieldValidation must be one of Ignore, Warn or Strict, not \"" +
                                          std::string(value) + "\"");
}

std::vector<std::string> UnknownFields(const registry::ResourceInfo& info, const json::value& obj,
                                       const api::Schema& schema) {
  std::vector<std::string> out;
  const api::SchemaType* t = schema.ForKind(info.group, info.version, info.kind);
  if (t == nullptr || !obj.is_object()) return out;
  WalkObject(obj.get_object(), *t, "", out);
  return out;
}

std::vector<std::string> UnknownCustomResourceFields(const json::value& obj, const json::value& open_api_v3_schema,
                                                     const api::Schema& schema) {
  std::vector<std::string> out;
  const json::object* o = obj.if_object();
  if (o == nullptr) return out;
  // The root is an embedded resource: apiVersion, kind and metadata (as ObjectMeta) are always known.
  json::object root;
  if (const json::object* s = open_api_v3_schema.if_object()) root = *s;
  root["x-kubernetes-embedded-resource"] = true;
  if (!open_api_v3_schema.is_object()) root["x-kubernetes-preserve-unknown-fields"] = true;
  json::value root_value(std::move(root));
  WalkCustom(obj, &root_value, "", schema, out);
  return out;
}

std::vector<std::string> DuplicateFields(std::string_view raw_json) {
  json::basic_parser<DuplicateHandler> parser(json::parse_options{});
  json::error_code ec;
  parser.write_some(false, raw_json.data(), raw_json.size(), ec);
  if (ec) return {};
  return std::move(parser.handler().duplicates);
}

std::string StrictErrorMessage(const std::vector<std::string>& problems, std::string_view kind,
                               std::string_view version) {
  std::string out;
  if (!kind.empty()) {
    out.append(kind).append(" in version \"").append(version).append("\" cannot be handled as a ");
    out.append(kind).append(": ");
  }
  out.append("strict decoding error: ");
  for (size_t i = 0; i < problems.size(); ++i) {
    if (i > 0) out.append(", ");
    out.append(problems[i]);
  }
  return out;
}

std::string WarningHeader(std::string_view text) {
  std::string out = "299 - \"";
  for (char c : text) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

std::vector<std::string> WarningHeaders(const std::vector<std::string>& problems) {
  std::vector<std::string> out;
  out.reserve(problems.size());
  for (const auto& p : problems) out.push_back(WarningHeader(p));
  return out;
}

}  // namespace k1s::openapi
