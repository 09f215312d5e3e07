#include "lib/api/status.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <vector>

namespace k1s::api {

namespace json = boost::json;

Error StatusError(ErrorCode code, std::string message, const StatusDetails& details) {
  json::object d;
  if (!details.name.empty()) d["name"] = details.name;
  d["group"] = details.group;
  if (!details.kind.empty()) d["kind"] = details.kind;
  if (!details.causes.empty()) d["causes"] = details.causes;
  return Error{code, std::move(message), json::serialize(d)};
}

json::object StatusObject(const Error& err) {
  json::object s{{"kind", "Status"},       {"apiVersion", "v1"},          {"metadata", json::object()},
                 {"status", "Failure"},    {"message", err.message},     {"reason", std::string(ErrorCodeName(err.code))},
                 {"code", HttpStatus(err.code)}};
  if (!err.details.empty()) {
    boost::system::error_code ec;
    json::value d = json::parse(err.details, ec);
    if (!ec && d.is_object() && !d.as_object().empty()) s["details"] = std::move(d);
  }
  return s;
}

std::string StatusJson(const Error& err) { return json::serialize(StatusObject(err)); }

json::object SuccessStatus(const StatusDetails& details) {
  json::object d{{"name", details.name}, {"group", details.group}, {"kind", details.kind}};
  return json::object{{"kind", "Status"}, {"apiVersion", "v1"}, {"metadata", json::object()},
                      {"status", "Success"}, {"details", std::move(d)}};
}

std::string QualifiedResource(const std::string& plural, const std::string& group) {
  return group.empty() ? plural : plural + "." + group;
}

Error NotFoundError(const std::string& plural, const std::string& group, const std::string& name) {
  return StatusError(ErrorCode::kNotFound, QualifiedResource(plural, group) + " \"" + name + "\" not found",
                     {name, group, plural, {}});
}

Error AlreadyExistsError(const std::string& plural, const std::string& group, const std::string& name) {
  return StatusError(ErrorCode::kAlreadyExists, QualifiedResource(plural, group) + " \"" + name + "\" already exists",
                     {name, group, plural, {}});
}

Error ConflictError(const std::string& plural, const std::string& group, const std::string& name) {
  return StatusError(ErrorCode::kConflict,
                     "Operation cannot be fulfilled on " + QualifiedResource(plural, group) + " \"" + name +
                         "\": the object has been modified; please apply your changes to the latest version and try "
                         "again",
                     {name, group, plural, {}});
}

Error InvalidError(const std::string& kind, const std::string& group, const std::string& name,
                   const std::vector<FieldCause>& causes) {
  json::array list;
  std::string joined;
  for (size_t i = 0; i < causes.size(); ++i) {
    const auto& c = causes[i];
    list.push_back(json::object{{"reason", c.reason}, {"message", c.message}, {"field", c.field}});
    if (i) joined += ", ";
    joined += c.field + ": " + c.message;
  }
  if (causes.size() > 1) joined = "[" + joined + "]";
  // The message names the qualified kind as upstream's GroupKind.String() does ("Deployment.apps");
  // details.kind stays the bare kind, which kubectl prints ("The Deployment "x" is invalid").
  std::string qualified = group.empty() ? kind : kind + "." + group;
  return StatusError(ErrorCode::kInvalid, qualified + " \"" + name + "\" is invalid: " + joined, {name, group, kind, list});
}

}  // namespace k1s::api
