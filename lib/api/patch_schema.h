// The strategic merge patch facts of a built-in kind (PatchSchema, patch.h) read from the API schema
// (schema.h): each field's patch strategy and merge key, and the types of nested values. Part of the
// k1s_api_schema library. Immutable once made; any thread.
#pragma once

#include <memory>
#include <string_view>

#include "lib/api/patch.h"
#include "lib/api/schema.h"

namespace k1s::api {

class SchemaPatchSchema final : public PatchSchema {
 public:
  // `kind` is a type of `schema` (Schema::ForKind); the schema is kept alive.
  SchemaPatchSchema(std::shared_ptr<const Schema> schema, const SchemaType* kind);

  const void* Root() const override { return &root_; }
  PatchField Field(const void* type, std::string_view name) const override;

 private:
  std::shared_ptr<const Schema> schema_;
  ValueType root_;
};

// The patch schema of group/version/kind ("" for the core group), or nullptr when the schema does not
// describe the kind (callers then use the schema-less ApplyStrategicMergePatch).
std::unique_ptr<PatchSchema> PatchSchemaFor(std::shared_ptr<const Schema> schema, std::string_view group,
                                            std::string_view version, std::string_view kind);

}  // namespace k1s::api
