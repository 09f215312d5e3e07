// Error: what went wrong, as a code that mirrors Kubernetes' Status reasons plus a message for people.
// Value type, freely copied between threads. ErrorCodeName/HttpStatus give the Status reason and the
// HTTP code the API server answers with; nothing in k1s throws across its own interfaces.
#pragma once

#include <string>
#include <string_view>

namespace k1s {

enum class ErrorCode {
  kBadRequest,             // 400 BadRequest: malformed input (JSON, YAML, protobuf, flags)
  kUnauthorized,           // 401
  kForbidden,              // 403
  kNotFound,               // 404
  kMethodNotAllowed,       // 405
  kNotAcceptable,          // 406
  kAlreadyExists,          // 409
  kConflict,               // 409: stale resourceVersion / revision
  kGone,                   // 410: compacted revision (Expired)
  kRequestEntityTooLarge,  // 413
  kUnsupportedMediaType,   // 415
  kInvalid,                // 422: failed validation
  kTooManyRequests,        // 429
  kInternal,               // 500
  kServiceUnavailable,     // 503
  kTimeout,                // 504
};

// The Kubernetes StatusReason for a code ("NotFound", "AlreadyExists", ...).
std::string_view ErrorCodeName(ErrorCode code);
// The HTTP status code the API server answers with for a code.
int HttpStatus(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
  // Optional: the Kubernetes Status `details` object as JSON text (name, group, kind, causes), set by
  // the API layer (lib/api/status.h) so clients print the error as Kubernetes words it.
  std::string details;

  // "NotFound: configmaps \"x\" not found" -- for logs and tests.
  std::string ToString() const;
};

inline Error MakeError(ErrorCode code, std::string message) { return Error{code, std::move(message)}; }

}  // namespace k1s
