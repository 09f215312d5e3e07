// Version conversion: a kind served in several versions of its group is stored in one of them (its
// storage version) and the other rows of the resource table are converted views of the same objects
// (ResourceInfo::storage_version names the stored version). Each such pair is one entry of a constant
// table: two pure functions, stored -> served and served -> stored. The registry calls them at its
// boundary (objects in, objects out, watch events, table rows); nothing else sees a stored object in
// a served version's shape. Today: autoscaling/v1 HorizontalPodAutoscaler over the stored v2 (as
// upstream, the v2 fields v1 cannot express ride in autoscaling.alpha.kubernetes.io/* annotations).
// Pure functions; any thread.
#pragma once

#include <boost/json/object.hpp>
#include <string>

#include "lib/base/result.h"
#include "server/registry/resources.h"

namespace k1s::registry {

struct VersionConversion {
  std::string group;
  std::string kind;
  std::string served_version;   // the version a client reads and writes ("v1")
  std::string storage_version;  // the version objects are stored in ("v2")
  // Served -> stored. kBadRequest when the object cannot be converted (a malformed round-trip
  // annotation, say).
  Result<boost::json::object> (*to_storage)(boost::json::object served);
  // Stored -> served. Never fails: what the served version cannot hold is dropped or annotated.
  boost::json::object (*from_storage)(boost::json::object stored);
};

// The conversion behind row r, or nullptr when r is stored as served (no storage_version).
const VersionConversion* FindConversion(const ResourceInfo& r);

// The autoscaling/v1 <-> autoscaling/v2 HorizontalPodAutoscaler pair (exposed for tests).
Result<boost::json::object> HpaV1ToV2(boost::json::object v1);
boost::json::object HpaV2ToV1(boost::json::object v2);

}  // namespace k1s::registry
