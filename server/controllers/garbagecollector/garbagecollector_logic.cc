#include "server/controllers/garbagecollector/garbagecollector_logic.h"

#include <boost/json/array.hpp>

#include "lib/api/meta.h"

namespace k1s::controllers::garbagecollector {

namespace {

std::string Str(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  return it != o.end() && it->value().is_string() ? std::string(it->value().as_string()) : "";
}
bool Bool(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  return it != o.end() && it->value().is_bool() && it->value().as_bool();
}
// "apps" of "apps/v1", "" of "v1".
std::string GroupOf(const std::string& api_version) {
  auto slash = api_version.find('/');
  return slash == std::string::npos ? "" : api_version.substr(0, slash);
}

}  // namespace

std::vector<OwnerRef> OwnerRefs(const json::object& obj) {
  std::vector<OwnerRef> out;
  auto md = obj.find("metadata");
  if (md == obj.end() || !md->value().is_object()) return out;
  auto refs = md->value().as_object().find("ownerReferences");
  if (refs == md->value().as_object().end() || !refs->value().is_array()) return out;
  for (const auto& v : refs->value().as_array()) {
    if (!v.is_object()) continue;
    const auto& r = v.as_object();
    OwnerRef ref{Str(r, "apiVersion"), Str(r, "kind"), Str(r, "name"), Str(r, "uid"), Bool(r, "controller"),
                 Bool(r, "blockOwnerDeletion")};
    if (ref.uid.empty() || ref.kind.empty() || ref.name.empty()) continue;
    out.push_back(std::move(ref));
  }
  return out;
}

bool HasFinalizer(const json::object& obj, const std::string& finalizer) {
  auto md = obj.find("metadata");
  if (md == obj.end() || !md->value().is_object()) return false;
  auto f = md->value().as_object().find("finalizers");
  if (f == md->value().as_object().end() || !f->value().is_array()) return false;
  for (const auto& v : f->value().as_array()) {
    if (v.is_string() && v.as_string() == finalizer) return true;
  }
  return false;
}

bool IsBeingDeleted(const json::object& obj) { return !api::MetaString(obj, "deletionTimestamp").empty(); }

json::object WithoutFinalizer(json::object obj, const std::string& finalizer) {
  json::object& md = api::Metadata(obj);
  auto f = md.find("finalizers");
  if (f == md.end() || !f->value().is_array()) return obj;
  json::array kept;
  for (const auto& v : f->value().as_array()) {
    if (!(v.is_string() && v.as_string() == finalizer)) kept.push_back(v);
  }
  if (kept.empty()) {
    md.erase("finalizers");
  } else {
    f->value() = std::move(kept);
  }
  return obj;
}

json::object WithoutOwnerRefs(json::object obj, const std::set<std::string>& uids) {
  json::object& md = api::Metadata(obj);
  auto refs = md.find("ownerReferences");
  if (refs == md.end() || !refs->value().is_array()) return obj;
  json::array kept;
  for (const auto& v : refs->value().as_array()) {
    if (v.is_object() && uids.count(Str(v.as_object(), "uid"))) continue;
    kept.push_back(v);
  }
  if (kept.empty()) {
    md.erase("ownerReferences");
  } else {
    refs->value() = std::move(kept);
  }
  return obj;
}

std::optional<client::Resource> ResourceForRef(const std::vector<client::Resource>& resources,
                                               const std::string& api_version, const std::string& kind) {
  std::string group = GroupOf(api_version);
  for (const auto& r : resources) {
    if (r.group == group && r.kind == kind) return r;
  }
  return std::nullopt;
}

OwnerState ClassifyOwner(const OwnerRef& ref, const json::object* owner) {
  if (!owner || api::MetaString(*owner, "uid") != ref.uid) return OwnerState::kDangling;
  if (IsBeingDeleted(*owner) && HasFinalizer(*owner, kForegroundFinalizer)) return OwnerState::kWaiting;
  return OwnerState::kSolid;
}

Decision DecideForDependent(const std::vector<std::pair<OwnerRef, OwnerState>>& owners, bool has_dependents) {
  Decision d;
  bool solid = false, waiting = false;
  std::set<std::string> not_solid;
  for (const auto& [ref, state] : owners) {
    if (state == OwnerState::kSolid) {
      solid = true;
    } else {
      not_solid.insert(ref.uid);
      waiting = waiting || state == OwnerState::kWaiting;
    }
  }
  if (not_solid.empty()) return d;
  if (solid) {
    d.kind = Decision::Kind::kRemoveOwnerRefs;
    d.remove_uids = std::move(not_solid);
    return d;
  }
  d.kind = Decision::Kind::kDelete;
  d.propagation = waiting && has_dependents ? "Foreground" : "Background";
  return d;
}

size_t BlockingDependents(const std::string& owner_uid, const std::vector<std::shared_ptr<const json::object>>& deps) {
  size_t n = 0;
  for (const auto& dep : deps) {
    if (!dep) continue;
    for (const auto& ref : OwnerRefs(*dep)) {
      if (ref.uid == owner_uid && ref.block_owner_deletion) {
        ++n;
        break;
      }
    }
  }
  return n;
}

}  // namespace k1s::controllers::garbagecollector
