// Server-side field validation (the fieldValidation=Strict|Warn|Ignore query parameter): finds fields an
// object's schema does not describe and fields a JSON body repeats, worded as the upstream API server
// words them, and formats the Strict error and the Warn headers. Pure functions over immutable schemas;
// any thread. Called by the API server's create/update/patch handlers.
#pragma once

#include <boost/json/value.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "lib/api/schema.h"
#include "lib/base/result.h"
#include "server/registry/resources.h"

namespace k1s::openapi {

enum class FieldValidation { kIgnore, kWarn, kStrict };

// The query parameter's value: "Ignore", "Warn", "Strict"; "" means Warn (upstream's default).
// kBadRequest for anything else.
Result<FieldValidation> ParseFieldValidation(std::string_view value);

// Problems as upstream words them, in document order: `unknown field "spec.containers[0].imagee"`.
// Paths join field names with '.', and add "[i]" for list items; map keys are not part of the path of a
// field inside a map value. Free-form values (labels, annotations, data, RawExtension, FieldsV1) accept
// anything. Kinds the schema does not describe report nothing.
std::vector<std::string> UnknownFields(const registry::ResourceInfo& info, const boost::json::value& obj,
                                       const api::Schema& schema);
// The same for a custom resource, walking its openAPIV3Schema: x-kubernetes-preserve-unknown-fields
// accepts any field at that level, x-kubernetes-embedded-resource allows apiVersion/kind/metadata;
// metadata at the root is checked as ObjectMeta.
std::vector<std::string> UnknownCustomResourceFields(const boost::json::value& obj,
                                                     const boost::json::value& open_api_v3_schema,
                                                     const api::Schema& schema);
// Keys repeated within one JSON object of the raw body (Boost.JSON keeps only one copy), worded
// `duplicate field "metadata.name"`, in document order. Nothing for a body that does not parse.
std::vector<std::string> DuplicateFields(std::string_view raw_json);

// The 400 BadRequest message under Strict. For create and update upstream prefixes the decoding
// context: `Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "x",
// duplicate field "y"`; pass an empty kind for patches, which carry just `strict decoding error: ...`.
std::string StrictErrorMessage(const std::vector<std::string>& problems, std::string_view kind = {},
                               std::string_view version = {});
// One HTTP Warning header value per problem under Warn: `299 - "unknown field \"spec.x\""`.
std::vector<std::string> WarningHeaders(const std::vector<std::string>& problems);
// Quotes a warning text as an HTTP quoted-string with the 299 code (RFC 7234 warn-code, agent "-").
std::string WarningHeader(std::string_view text);

}  // namespace k1s::openapi
