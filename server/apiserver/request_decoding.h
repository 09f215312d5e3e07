// How the API server reads a request before it reaches the registry, worded as upstream's handlers
// word their refusals: which body formats (Content-Type) a write accepts, YAML bodies, the
// apiVersion/kind a body may carry, query parameters converted as Go's parameter codec converts them
// (limit, timeoutSeconds, watch, ...), the ?timeout= request deadline, and the fieldManager limits.
// Used by ApiServer (apiserver.cc) on its connection threads; pure functions, any thread.
#pragma once

#include <boost/json/object.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lib/base/result.h"
#include "lib/net/http_server.h"
#include "server/registry/registry.h"
#include "server/registry/resources.h"

namespace k1s::apiserver {

// The media type of a Content-Type header: type/subtype lower-cased, parameters (charset) dropped.
std::string MediaTypeOf(std::string_view content_type);

enum class BodyFormat { kJson, kYaml, kProtobuf };

// The decoder for a create/update body: JSON when there is no Content-Type (as upstream defaults to
// its first serializer), YAML, or protobuf (built-in kinds only). Anything else is 415
// UnsupportedMediaType listing the accepted media types.
Result<BodyFormat> NegotiateBodyFormat(std::string_view content_type, bool custom_resource);

// The body as a JSON object. kind names the expected type in decode errors ("the object provided is
// unrecognized (must be of type ConfigMap): error converting YAML to JSON: yaml: line 2: ...").
// Protobuf is not decoded here (the caller has the protobuf registry).
Result<boost::json::object> DecodeTextBody(BodyFormat format, std::string_view body, std::string_view kind);

// Checks the apiVersion and kind a create/update body carries against the resource it was sent to
// (empty ones are defaulted from the URL). As upstream's decoder: another version of the same kind is
// "the API version in the data (...) does not match the expected API version (...)"; a kind that the
// data's version does not serve, or another kind, "X in version "v" cannot be handled as a Kind: ...".
// All 400 BadRequest. resources: the served resource table (which kinds each group/version has).
Status CheckBodyKind(const boost::json::object& body, const registry::ResourceInfo& r,
                     const std::vector<registry::ResourceInfo>& resources);

// The patch type of a PATCH's Content-Type (parameters dropped, exact match as upstream); 415 with
// the accepted patch types otherwise. Custom resources take no strategic merge patch.
Result<registry::PatchType> NegotiatePatchType(std::string_view content_type, bool custom_resource);

// A Go time.ParseDuration, with its error texts (`time: invalid duration "abc"`,
// `time: missing unit in duration "5"`, `time: unknown unit "x" in duration "5x"`).
Result<std::chrono::nanoseconds> ParseGoDuration(std::string_view s);

// ?timeout= of a short (not long-running) request: the deadline's length, capped by max_timeout and
// max_timeout when absent or zero. A bad value is 400 "invalid timeout specified in the request URL - ...".
Result<std::chrono::nanoseconds> RequestTimeout(const net::HttpRequest& req, std::chrono::nanoseconds max_timeout);
// The 504 a request gets when it outlives its deadline.
Error RequestTimedOut();
// The 429 of a server at its in-flight limit; details.retryAfterSeconds repeats the Retry-After header.
Error TooManyRequests(int retry_after_seconds);

// A query value as the parameter codec reads a bool: false for "0", "f", "false" (any case), true
// for anything else present (even "" and "abc"); absent is nullopt.
std::optional<bool> QueryBool(const net::HttpRequest& req, const std::string& name);
// A query value as the parameter codec reads an int64 (spaces trimmed; absent or blank is nullopt);
// 400 `strconv.ParseInt: parsing "abc": invalid syntax` (or `value out of range`).
Result<std::optional<int64_t>> QueryInt64(const net::HttpRequest& req, const std::string& name);
// Whether a GET is a watch (?watch= read as a bool).
bool IsWatchQuery(const net::HttpRequest& req);

// The ListOptions query of a list, watch or deletecollection converted as upstream does, in its
// field order (timeoutSeconds, then limit): the first unparsable value as a 400 BadRequest.
Status CheckListQuery(const net::HttpRequest& req);

// The fieldManager of a write (method POST, PUT or PATCH): at most 128 bytes, printable characters
// only, and required for server-side apply. 422 Invalid `CreateOptions.meta.k8s.io "" is invalid:
// fieldManager: Too long: may not be more than 128 bytes` (UpdateOptions, PatchOptions).
Status CheckFieldManager(const net::HttpRequest& req, bool apply);

}  // namespace k1s::apiserver
