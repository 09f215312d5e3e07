// Patches applied to JSON objects: JSON merge patch (RFC 7386), strategic merge patch (merge keys by
// field name, a close approximation of the per-kind keys upstream) and JSON patch (RFC 6902). Pure
// functions; any thread.
#pragma once

#include <boost/json/value.hpp>
#include <string_view>

#include "lib/base/result.h"

namespace k1s::api {

// Applies a merge patch to target in place: objects merge recursively, null deletes, else replace.
void ApplyMergePatch(boost::json::value& target, const boost::json::value& patch);
// Applies a strategic merge patch (what kubectl apply/edit/patch send for built-in kinds): like a merge
// patch, but lists of objects with a known merge key (containers by name, ports by port, env by name,
// ...) merge element by element, and the directives $patch (delete/replace), $setElementOrder/<list>,
// $deleteFromPrimitiveList/<list> and $retainKeys are honoured. Lists without a merge key are replaced.
void ApplyStrategicMergePatch(boost::json::value& target, const boost::json::value& patch);
// Applies a JSON patch document (an array of operations) to target in place. kInvalid names the
// failing operation; target is unchanged on failure.
Status ApplyJsonPatch(boost::json::value& target, const boost::json::value& patch);

}  // namespace k1s::api
