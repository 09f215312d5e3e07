// Pure parts of the resourcequota controller: when a quota needs a recount, when an object's change
// gives usage back, and the status a recount writes (status.hard = spec.hard, status.used from the
// objects, via lib/api/quota.h). Any thread.
#pragma once

#include <boost/json/object.hpp>
#include <map>
#include <optional>
#include <vector>

#include "lib/api/quota.h"

namespace k1s::controllers::resourcequota {

namespace json = boost::json;
using api::quota::GroupResource;
using api::quota::TimePoint;

// A quota event that calls for a recount: its spec.hard changed, or its status does not yet show
// spec.hard and a used value (status-only writes, such as admission's charges, do not).
bool NeedsSync(const json::object* old_quota, const json::object& quota);
// An update of a tracked object that changes what it is charged (a pod reaching a terminal phase, a
// service changing type, a claim growing): the namespace's quotas are recounted.
bool UsageChanged(const GroupResource& gr, const json::object& old_obj, const json::object& new_obj, TimePoint now);
// The status a recount writes, or nullopt when the quota already shows it.
std::optional<json::object> NextStatus(const json::object& quota,
                                       const std::map<GroupResource, std::vector<const json::object*>>& objects,
                                       TimePoint now);

}  // namespace k1s::controllers::resourcequota
