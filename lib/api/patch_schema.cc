#include "lib/api/patch_schema.h"

#include <utility>

namespace k1s::api {

SchemaPatchSchema::SchemaPatchSchema(std::shared_ptr<const Schema> schema, const SchemaType* kind)
    : schema_(std::move(schema)), root_{ValueKind::kObject, kind, nullptr} {}

// Contexts are `const ValueType*`: an object type (kObject with `named`) or a map (kMap with `element`).
PatchField SchemaPatchSchema::Field(const void* type, std::string_view name) const {
  PatchField out;
  const auto* value = static_cast<const ValueType*>(type);
  if (value == nullptr) return out;
  const ValueType* field_type = nullptr;
  if (value->kind == ValueKind::kMap) {
    field_type = value->element;  // any key of a map names one of its entries
  } else if (value->kind == ValueKind::kObject && value->named != nullptr) {
    const SchemaField* field = value->named->Field(name);
    if (field == nullptr) return out;
    field_type = &field->type;
    out.merge_key = field->patch_merge_key;
    std::string_view strategy = field->patch_strategy;
    for (size_t start = 0; start <= strategy.size();) {
      size_t comma = strategy.find(',', start);
      std::string_view part = strategy.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
      if (part == "merge") out.merge = true;
      if (part == "retainKeys") out.retain_keys = true;
      if (comma == std::string_view::npos) break;
      start = comma + 1;
    }
  }
  if (field_type == nullptr) return out;
  out.type = field_type;
  if (field_type->kind == ValueKind::kArray || field_type->kind == ValueKind::kMap) out.element = field_type->element;
  return out;
}

std::unique_ptr<PatchSchema> PatchSchemaFor(std::shared_ptr<const Schema> schema, std::string_view group,
                                            std::string_view version, std::string_view kind) {
  if (schema == nullptr) return nullptr;
  const SchemaType* type = schema->ForKind(group, version, kind);
  if (type == nullptr) return nullptr;
  return std::make_unique<SchemaPatchSchema>(std::move(schema), type);
}

}  // namespace k1s::api
