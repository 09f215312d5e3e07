#include "server/controllers/resourcequota/resourcequota_logic.h"

#include "lib/api/json_util.h"

namespace k1s::controllers::resourcequota {

namespace quota = api::quota;

namespace {

json::object ObjectOr(const json::value* v) { return v && v->is_object() ? v->as_object() : json::object(); }

}  // namespace

bool NeedsSync(const json::object* old_quota, const json::object& q) {
  json::object hard = ObjectOr(api::ValueAt(q, {"spec", "hard"}));
  if (old_quota && ObjectOr(api::ValueAt(*old_quota, {"spec", "hard"})) != hard) return true;
  const json::value* status_hard = api::ValueAt(q, {"status", "hard"});
  const json::value* used = api::ValueAt(q, {"status", "used"});
  return status_hard == nullptr || used == nullptr || !status_hard->is_object() ||
         quota::ResourceListAt(q, {"status", "hard"}) != quota::ResourceListAt(q, {"spec", "hard"}) ||
         quota::ResourceListAt(q, {"status", "hard"}).size() != hard.size();
}

bool UsageChanged(const GroupResource& gr, const json::object& old_obj, const json::object& new_obj, TimePoint now) {
  return quota::Usage(gr, old_obj, now) != quota::Usage(gr, new_obj, now);
}

std::optional<json::object> NextStatus(const json::object& q,
                                       const std::map<GroupResource, std::vector<const json::object*>>& objects,
                                       TimePoint now) {
  quota::ResourceList used = quota::CalculateUsage(q, objects, now);
  json::object hard = ObjectOr(api::ValueAt(q, {"spec", "hard"}));
  const json::value* cur_hard = api::ValueAt(q, {"status", "hard"});
  const json::value* cur_used = api::ValueAt(q, {"status", "used"});
  bool same = cur_hard && cur_hard->is_object() && cur_hard->as_object() == hard && cur_used && cur_used->is_object() &&
              quota::ResourceListAt(q, {"status", "used"}) == used &&
              cur_used->as_object().size() == used.size();
  if (same) return std::nullopt;
  return json::object{{"hard", std::move(hard)}, {"used", quota::ToJson(used)}};
}

}  // namespace k1s::controllers::resourcequota
