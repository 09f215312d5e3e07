// Patches applied to JSON objects: JSON merge patch (RFC 7386), strategic merge patch (list merge keys
// and strategies from the kind's schema through PatchSchema, or guessed by field name without one) and
// JSON patch (RFC 6902). Owned by the API layer; pure functions, any thread.
#pragma once

#include <boost/json/value.hpp>
#include <string>
#include <string_view>

#include "lib/base/result.h"

namespace k1s::api {

// Applies a merge patch to target in place: objects merge recursively, null deletes, else replace.
void ApplyMergePatch(boost::json::value& target, const boost::json::value& patch);

// What strategic merge patch needs to know about one field: its x-kubernetes-patch-strategy and
// -patch-merge-key, and where to look up the fields of its value. Type contexts are opaque handles
// that only the PatchSchema that made them understands; nullptr means free-form (lists replace).
struct PatchField {
  const void* type = nullptr;     // the field's value (an object, or a map whose entries are `element`)
  const void* element = nullptr;  // a list's (or map's) elements
  std::string merge_key;          // "name", "containerPort", ... ("" when none)
  bool merge = false;             // patchStrategy includes "merge"
  bool retain_keys = false;       // patchStrategy includes "retainKeys"
};

// The schema facts of one kind (patch_schema.h adapts api::Schema). Implementations are immutable.
class PatchSchema {
 public:
  virtual ~PatchSchema() = default;
  // The context of the kind's top-level object.
  virtual const void* Root() const = 0;
  // The field `name` of a value whose context is `type` (an object's field, or any key of a map).
  // Unknown fields and a nullptr type give a default PatchField (replace lists, free-form value).
  virtual PatchField Field(const void* type, std::string_view name) const = 0;
};

// Applies a strategic merge patch (what kubectl apply/edit/patch send for built-in kinds) as upstream
// does: objects merge recursively and null deletes; a list merges element by element on its merge key
// only where the schema says patchStrategy=merge (a list of scalars with merge is a set union), and is
// replaced otherwise. Directives: $patch (replace/merge/delete, on a map or a list element),
// $retainKeys, $setElementOrder/<list>, $deleteFromPrimitiveList/<list>. kInvalid for a malformed
// directive (an unknown $patch, a list element without its merge key); target is unchanged on failure.
Status ApplyStrategicMergePatch(boost::json::value& target, const boost::json::value& patch, const PatchSchema& schema);
// The same without a schema: merge keys are guessed by field name (containers/env/volumes by name,
// ports by containerPort or port, ...), for callers that do not know the kind's schema. Malformed
// directives are skipped.
void ApplyStrategicMergePatch(boost::json::value& target, const boost::json::value& patch);

// Applies a JSON patch document (an array of operations) to target in place. kInvalid names the
// failing operation; target is unchanged on failure.
Status ApplyJsonPatch(boost::json::value& target, const boost::json::value& patch);

}  // namespace k1s::api
