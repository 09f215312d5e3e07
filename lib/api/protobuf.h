// Decoding of Kubernetes protobuf request bodies (application/vnd.kubernetes.protobuf): the "k8s\0"
// envelope (runtime.Unknown with apiVersion/kind and the raw message) and the built-in messages that
// kubectl's typed clients send, into the same JSON objects a JSON body would give. Field numbers and
// JSON names come from one table of message descriptions (protobuf_schema.cc). Pure; any thread.
#pragma once

#include <boost/json/object.hpp>
#include <string_view>

#include "lib/base/result.h"

namespace k1s::api {

// kBadRequest for a malformed body; kUnsupportedMediaType for a kind (or a non-empty field) the table
// does not describe yet, naming it.
Result<boost::json::object> DecodeProtobufObject(std::string_view body);

}  // namespace k1s::api
