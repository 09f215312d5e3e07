// Decoding of Kubernetes protobuf request bodies (application/vnd.kubernetes.protobuf): the "k8s\0"
// envelope (runtime.Unknown with apiVersion/kind and the raw message) and the built-in messages that
// typed clients (kubectl create/autoscale/auth can-i/drain, ...) send, into the same JSON objects a JSON
// body would give. Field numbers and JSON names come from one table of message descriptions (in
// protobuf.cc). Owned by the API layer; pure, any thread.
#pragma once

#include <boost/json/object.hpp>
#include <string_view>

#include "lib/base/result.h"

namespace k1s::api {

// kBadRequest for a malformed body; kUnsupportedMediaType for a kind (or a non-empty field) the table
// does not describe, naming it.
Result<boost::json::object> DecodeProtobufObject(std::string_view body);

// Whether DecodeProtobufObject knows the top-level kind ("apps/v1", "Deployment").
bool ProtobufKindSupported(std::string_view api_version, std::string_view kind);

// Verifies the compiled-in message table: every line parses and every message a field names is
// described. kInternal naming the first problem (for the unit tests).
Status CheckProtobufTable();

}  // namespace k1s::api
