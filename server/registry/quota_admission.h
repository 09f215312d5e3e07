// QuotaAdmission: the ResourceQuota admission step of creates and updates, as upstream's
// ResourceQuota admission plugin. Before an object is stored, every ResourceQuota of its namespace is
// read from the datastore; the request is refused (403, upstream's wording) if it would exceed one or
// breaks its constraints, otherwise the charged quotas' status.used is written first, with the quota's
// revision as precondition, so two concurrent creates cannot both take the last unit. The usage
// arithmetic is lib/api/quota.h; the resourcequota controller later recounts from the objects.
// Owned by the Registry; thread-safe (admissions of one namespace are serialized by a mutex).
#pragma once

#include <boost/json/object.hpp>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "datastore/store.h"
#include "lib/api/quota.h"
#include "lib/base/result.h"
#include "server/registry/resources.h"

namespace k1s::registry {

namespace json = boost::json;

// What one admitted write charged, so a write that then fails can give it back.
struct QuotaCharge {
  std::string ns;
  std::map<std::string, api::quota::ResourceList> charged;  // quota name -> amount added to status.used
  bool empty() const { return charged.empty(); }
};

class QuotaAdmission {
 public:
  explicit QuotaAdmission(datastore::Store& store) : store_(store) {}

  // Checks a create (old == nullptr) or update of `obj` (defaulted and validated, with its final name)
  // in `ns` against the namespace's quotas and, unless dry_run, charges them. kForbidden with
  // `<resource> "<name>" is forbidden: exceeded quota: ...` when refused.
  Result<QuotaCharge> Admit(const ResourceInfo& r, const std::string& ns, const json::object& obj,
                            const json::object* old, bool dry_run);
  // Gives back what Admit charged (the write it admitted failed). Best effort: the controller's recount
  // corrects whatever this misses.
  void Release(const QuotaCharge& charge);

  // A cheap check that a datastore prefix may hold keys (the registry answers from its watch cache):
  // when it says a namespace has no quotas, Admit returns at once without taking the namespace's lock
  // or reading the datastore. Like upstream's lister-based check, a quota created a moment earlier may
  // be missed by one request. Set once, before requests are served.
  std::function<bool(const std::string& prefix)> may_have_keys;

 private:
  std::mutex& NamespaceMutex(const std::string& ns);

  datastore::Store& store_;
  std::mutex mu_;  // guards ns_mu_
  std::map<std::string, std::unique_ptr<std::mutex>> ns_mu_;
};

}  // namespace k1s::registry
