// Pure functions of the garbage collector: reading ownerReferences and finalizers, classifying a
// dependent's owners, and deciding what happens to it. No I/O; any thread.
#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "lib/client/client.h"

namespace k1s::controllers::garbagecollector {

namespace json = boost::json;

inline constexpr const char* kForegroundFinalizer = "foregroundDeletion";
inline constexpr const char* kOrphanFinalizer = "orphan";

struct OwnerRef {
  std::string api_version, kind, name, uid;
  bool controller = false;
  bool block_owner_deletion = false;
};

// metadata.ownerReferences (malformed entries skipped).
std::vector<OwnerRef> OwnerRefs(const json::object& obj);
bool HasFinalizer(const json::object& obj, const std::string& finalizer);
bool IsBeingDeleted(const json::object& obj);
// obj without the finalizer / without the ownerReferences to the given uids.
json::object WithoutFinalizer(json::object obj, const std::string& finalizer);
json::object WithoutOwnerRefs(json::object obj, const std::set<std::string>& uids);
// The resource an ownerReference names (same group and kind; any version), or nullopt.
std::optional<client::Resource> ResourceForRef(const std::vector<client::Resource>& resources,
                                               const std::string& api_version, const std::string& kind);

// What the collector found an owner to be.
enum class OwnerState {
  kSolid,      // exists and is not being deleted in the foreground
  kDangling,   // gone (or replaced by an object with another uid)
  kWaiting,    // being deleted with the foregroundDeletion finalizer: waits for its dependents
};
// The owner's state from the live or cached object (nullptr = not found).
OwnerState ClassifyOwner(const OwnerRef& ref, const json::object* owner);

struct Decision {
  enum class Kind { kNothing, kDelete, kRemoveOwnerRefs };
  Kind kind = Kind::kNothing;
  std::string propagation;              // kDelete: "Background" or "Foreground"
  std::set<std::string> remove_uids;    // kRemoveOwnerRefs
};
// A dependent whose every owner is dangling or waiting is deleted (in the foreground when a waiting
// owner is involved and it has dependents of its own, so they go first); one with a solid owner only
// loses its references to the others.
Decision DecideForDependent(const std::vector<std::pair<OwnerRef, OwnerState>>& owners, bool has_dependents);

// How many of deps hold an ownerReference to owner_uid with blockOwnerDeletion: a foreground
// deletion waits for them.
size_t BlockingDependents(const std::string& owner_uid, const std::vector<std::shared_ptr<const json::object>>& deps);

}  // namespace k1s::controllers::garbagecollector
