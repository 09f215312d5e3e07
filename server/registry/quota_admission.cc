#include "server/registry/quota_admission.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "lib/api/meta.h"
#include "lib/api/status.h"
#include "lib/base/log.h"

namespace k1s::registry {

namespace quota = api::quota;

namespace {

constexpr const char* kLog = "quota-admission";
constexpr int kAttempts = 8;

std::string QuotaPrefix(const std::string& ns) { return "/registry/resourcequotas/" + ns + "/"; }

struct StoredQuota {
  std::string key;
  datastore::Revision revision = 0;
  json::object obj;  // as stored (no resourceVersion)
};

Result<std::vector<StoredQuota>> ListQuotas(datastore::Store& store, const std::string& ns) {
  datastore::ListOptions o;
  o.prefix = QuotaPrefix(ns);
  auto list = store.List(o);
  if (!list.ok()) return Fail(list.error());
  std::vector<StoredQuota> out;
  for (auto& kv : list->items) {
    auto obj = api::ParseObject(kv.value);
    if (!obj.ok()) continue;
    out.push_back({kv.key, kv.mod_revision, std::move(*obj)});
  }
  return out;
}

// Rewrites status.used of a stored quota (a copy: inserting may move the object's storage).
std::string WithUsed(json::object obj, const quota::ResourceList& used) {
  json::object status;
  if (auto it = obj.find("status"); it != obj.end() && it->value().is_object()) status = it->value().as_object();
  status["used"] = quota::ToJson(used);
  obj["status"] = std::move(status);
  return json::serialize(obj);
}

}  // namespace

std::mutex& QuotaAdmission::NamespaceMutex(const std::string& ns) {
  std::lock_guard lock(mu_);
  auto& m = ns_mu_[ns];
  if (!m) m = std::make_unique<std::mutex>();
  return *m;
}

Result<QuotaCharge> QuotaAdmission::Admit(const ResourceInfo& r, const std::string& ns, const json::object& obj,
                                          const json::object* old, bool dry_run) {
  QuotaCharge charge{ns, {}};
  const quota::GroupResource gr{r.group, r.plural};
  if (ns.empty() || !r.namespaced || r.review || !quota::Tracked(gr)) return charge;
  if (old && !quota::ChargesUpdates(gr)) return charge;
  if (may_have_keys && !may_have_keys(QuotaPrefix(ns))) return charge;

  std::lock_guard ns_lock(NamespaceMutex(ns));
  std::set<std::string> pending;  // quotas still to charge after a conflict (all when empty)
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    K1S_ASSIGN_OR_RETURN(auto stored, ListQuotas(store_, ns));
    if (attempt > 0) {
      std::erase_if(stored, [&](const StoredQuota& q) { return !pending.count(api::MetaString(q.obj, "name")); });
    }
    if (stored.empty()) return charge;
    std::vector<json::object> quotas;
    for (const auto& q : stored) quotas.push_back(q.obj);
    auto decision = quota::CheckRequest(quotas, quota::Request{gr, &obj, old}, std::chrono::system_clock::now());
    if (!decision.ok()) {
      std::string name = api::MetaString(obj, "name");
      return Fail(api::StatusError(ErrorCode::kForbidden,
                                   api::QualifiedResource(r.plural, r.group) + " \"" + name +
                                       "\" is forbidden: " + decision.error().message,
                                   {name, r.group, r.plural, {}}));
    }
    if (dry_run) return charge;
    pending.clear();
    Error last{ErrorCode::kInternal, ""};
    for (size_t i = 0; i < stored.size(); ++i) {
      const auto& next = (*decision)[i];
      if (!next) continue;
      const std::string name = api::MetaString(stored[i].obj, "name");
      quota::ResourceList before = quota::ResourceListAt(stored[i].obj, {"status", "used"});
      auto written = store_.Update(stored[i].key, WithUsed(stored[i].obj, *next), stored[i].revision);
      if (!written.ok()) {
        pending.insert(name);
        last = written.error();
        continue;
      }
      charge.charged[name] = quota::SubtractNonNegative(*next, before);
    }
    if (pending.empty()) return charge;
    if (last.code != ErrorCode::kConflict && last.code != ErrorCode::kNotFound) {
      Release(charge);
      return Fail(last);
    }
  }
  Release(charge);
  return Fail(api::StatusError(ErrorCode::kConflict,
                               "Operation cannot be fulfilled on resourcequotas: the quota changed too often; "
                               "please try again",
                               {"", "", "resourcequotas", {}}));
}

void QuotaAdmission::Release(const QuotaCharge& charge) {
  if (charge.empty()) return;
  std::lock_guard ns_lock(NamespaceMutex(charge.ns));
  for (const auto& [name, amount] : charge.charged) {
    const std::string key = QuotaPrefix(charge.ns) + name;
    for (int attempt = 0; attempt < kAttempts; ++attempt) {
      auto kv = store_.Get(key);
      if (!kv.ok()) break;
      auto obj = api::ParseObject(kv->value);
      if (!obj.ok()) break;
      quota::ResourceList used = quota::ResourceListAt(*obj, {"status", "used"});
      quota::ResourceList next = used;
      for (const auto& [k, v] : quota::SubtractNonNegative(quota::Mask(used, quota::Names(amount)), amount))
        next[k] = v;
      if (next == used) break;
      auto written = store_.Update(key, WithUsed(std::move(*obj), next), kv->mod_revision);
      if (written.ok()) break;
      if (written.error().code != ErrorCode::kConflict) {
        K1S_LOG(kWarn, kLog) << "releasing quota " << charge.ns << "/" << name << ": " << written.error().message;
        break;
      }
    }
  }
}

}  // namespace k1s::registry
