// FieldError: one validation failure (field path, reason, message), as a cause of a Kubernetes 422
// Invalid Status. Plain value type; any thread.
#pragma once

#include <string>

namespace k1s::registry {

struct FieldError {
  std::string field;    // "spec.containers[0].image"
  std::string reason;   // FieldValueRequired, FieldValueInvalid, FieldValueNotSupported, FieldValueDuplicate,
                        // FieldValueForbidden, FieldValueTooLong
  std::string message;  // "Required value", "Invalid value: 0: must be between 1 and 65535, inclusive"
};

}  // namespace k1s::registry
