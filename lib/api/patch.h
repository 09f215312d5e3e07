// Patches applied to JSON objects: JSON merge patch (RFC 7386) and JSON patch (RFC 6902). Pure
// functions; any thread. Strategic merge patch (merge keys per built-in kind) is not here yet: the
// API server treats it as a merge patch, which is exact for maps and differs for keyed lists.
#pragma once

#include <boost/json/value.hpp>
#include <string_view>

#include "lib/base/result.h"

namespace k1s::api {

// Applies a merge patch to target in place: objects merge recursively, null deletes, else replace.
void ApplyMergePatch(boost::json::value& target, const boost::json::value& patch);
// Applies a JSON patch document (an array of operations) to target in place. kInvalid names the
// failing operation; target is unchanged on failure.
Status ApplyJsonPatch(boost::json::value& target, const boost::json::value& patch);

}  // namespace k1s::api
