// Wrongly typed values in bodies of built-in kinds, refused as upstream's typed decode refuses them: a
// string where the Go field is an int32, a bool in a map of strings, an object where a list belongs.
// Walks JSON alongside lib/api/schema.h and words the first problem as Go does, both for the JSON
// decoder (create, update, JSON and merge patches) and for the unstructured converter (strategic merge
// patches). Pure functions over immutable schemas; any thread. Called by the API server's write handlers
// and by the registry's patch path; custom resources are not checked here (their CRD schema is).
#pragma once

#include <boost/json/value.hpp>
#include <optional>
#include <string>

#include "lib/api/schema.h"
#include "lib/base/result.h"
#include "server/registry/resources.h"

namespace k1s::openapi {

// The error Go's encoding/json (as sigs.k8s.io/json) returns decoding `obj` into the kind's type, or
// nullopt: `json: cannot unmarshal bool into Go struct field ConfigMap.data of type string`. Field paths
// join JSON names from the root without list indices or map keys; the struct is the innermost one. Type
// mismatches are reported in document order (the first wins) unless a value with its own decoder
// (Quantity, IntOrString, Time) fails, which stops decoding at once, as in Go. null is always accepted.
std::optional<std::string> DecodeTypeError(const api::SchemaType& kind, const boost::json::value& obj);
// The error runtime.DefaultUnstructuredConverter returns converting the (patched) object into the kind's
// type, or nullopt: `unrecognized type: int32`, `cannot convert float64 to int32`, `cannot restore slice
// from string`. Integral floats are accepted where integers belong, as upstream does.
std::optional<std::string> ConvertTypeError(const api::SchemaType& kind, const boost::json::value& obj);

// A create or update body: 400 BadRequest `Pod in version "v1" cannot be handled as a Pod: <decode error>`.
// OK for kinds the schema does not describe and for custom resources.
Status CheckBodyTypes(const registry::ResourceInfo& info, const boost::json::value& body, const api::Schema& schema);
// A patched object before it is written: 422 Invalid ` "" is invalid: patch: Invalid value: "<v>": <error>`.
// For JSON and merge patches <v> is the patched object (compact JSON, keys sorted, as Go marshals a map)
// and <error> the decode error; for strategic merge patches <v> is the patch printed as Go's %+v prints a
// map and <error> the converter's. Server-side apply is not checked here.
Status CheckPatchedTypes(const registry::ResourceInfo& info, bool strategic, const boost::json::value& patch,
                         const boost::json::value& patched, const api::Schema& schema);

// Go's fmt %+v of a decoded JSON value: map[a:1 b:[x y]] (keys sorted), <nil> for null.
std::string GoFormatValue(const boost::json::value& v);
// Compact JSON with object keys sorted (Go's json.Marshal of map[string]interface{}).
std::string SortedJson(const boost::json::value& v);

}  // namespace k1s::openapi
