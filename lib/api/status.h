// Kubernetes Status objects: the one mapping from an Error to the HTTP code and the Status JSON the
// API server answers with, and constructors for the errors worded as upstream words them
// (`configmaps "x" not found`, `Operation cannot be fulfilled on ...`). Pure; any thread.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <string>

#include "lib/base/error.h"

namespace k1s::api {

struct StatusDetails {
  std::string name;
  std::string group;
  std::string kind;            // the resource (plural), as upstream puts it
  boost::json::array causes;   // [{reason, message, field}]
};

Error StatusError(ErrorCode code, std::string message, const StatusDetails& details);
// The Status object for err (kind Status, status Failure, reason, code, message, details).
boost::json::object StatusObject(const Error& err);
std::string StatusJson(const Error& err);
// A success Status ({"status":"Success", details}) as DELETE answers.
boost::json::object SuccessStatus(const StatusDetails& details);

// `plural.group` (or plural for core): how upstream names a resource in messages.
std::string QualifiedResource(const std::string& plural, const std::string& group);
Error NotFoundError(const std::string& plural, const std::string& group, const std::string& name);
Error AlreadyExistsError(const std::string& plural, const std::string& group, const std::string& name);
// The optimistic-concurrency conflict ("the object has been modified; ...").
Error ConflictError(const std::string& plural, const std::string& group, const std::string& name);
struct FieldCause {
  std::string field, reason, message;
};
// 422 Invalid: `Kind "name" is invalid: field: message` (several as a bracketed list), one cause each.
Error InvalidError(const std::string& kind, const std::string& group, const std::string& name,
                   const std::vector<FieldCause>& causes);

}  // namespace k1s::api
