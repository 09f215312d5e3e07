// Server-side apply and metadata.managedFields, as pure functions: field sets in the FieldsV1 format,
// Apply (merge an applied configuration into the live object, prune what the manager stopped applying,
// detect conflicts with other managers), the ownership bookkeeping every other write does, and parsing
// of application/apply-patch+yaml bodies. Semantics follow upstream's structured-merge-diff and
// fieldmanager. Owned by the registry; no state, so any thread.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "lib/api/schema.h"
#include "lib/base/result.h"

namespace k1s::registry {

namespace json = boost::json;

// Where apply learns the shape of an object: which lists are maps keyed by some fields, sets, or atomic,
// and which objects are atomic. Either a built-in kind's type, or a CRD version's openAPIV3Schema
// (x-kubernetes-list-type, -list-map-keys, -map-type), or neither: then lists are atomic and objects
// granular. metadata is always described by the built-in ObjectMeta. The pointees must outlive calls.
struct FieldSchema {
  const api::SchemaType* builtin = nullptr;
  const json::object* openapi_v3 = nullptr;
};

// The schema of a built-in kind (empty when the kind is not described).
FieldSchema BuiltinFieldSchema(std::string_view group, std::string_view version, std::string_view kind);

// A path into an object, one element per step, spelled as FieldsV1 spells them: "f:spec" (a field or map
// key), "k:{\"name\":\"nginx\"}" (an item of a keyed list), "v:\"a\"" (an item of a set), "i:0".
using FieldPath = std::vector<std::string>;

// A set of field paths (what one manager owns). A path may be a member and also have children: then
// FieldsV1 marks it with a "." entry.
class FieldSet {
 public:
  // Parses FieldsV1 JSON; kBadRequest when malformed.
  static Result<FieldSet> FromJson(const json::value& fields_v1);
  json::object ToJson() const;

  bool Empty() const { return root_.Empty(); }
  void Insert(const FieldPath& path);
  bool Has(const FieldPath& path) const;
  FieldSet Union(const FieldSet& other) const;
  FieldSet Difference(const FieldSet& other) const;
  FieldSet Intersection(const FieldSet& other) const;
  // Drops the path and everything under it.
  void EraseSubtree(const FieldPath& path);
  // Every member path, in order.
  std::vector<FieldPath> Paths() const;
  bool operator==(const FieldSet& other) const { return root_ == other.root_; }

  // How upstream prints a path in conflicts: .spec.containers[name="nginx"].image
  static std::string PathString(const FieldPath& path);

  struct Node {
    bool member = false;
    std::map<std::string, Node> children;
    bool Empty() const { return !member && children.empty(); }
    bool operator==(const Node& other) const = default;
  };
  const Node& root() const { return root_; }
  Node& root() { return root_; }

 private:
  Node root_;
};

// The fields obj sets, as upstream's apply records them (kBadRequest for a keyed-list item without keys
// or a duplicate key).
Result<FieldSet> FieldsOf(const json::value& obj, const FieldSchema& schema);

// Options shared by Apply and UpdateManagedFields.
struct ManagedFieldsOptions {
  std::string subresource;                 // "" or e.g. "status": recorded on the entry
  std::vector<std::string> ignored_fields;  // top-level fields nobody owns here ("status" on the main
                                            // resource of kinds with a status subresource)
  std::string now;                          // RFC 3339 timestamp for entries; "" = the current time
};

struct ApplyResult {
  json::object object;   // the merged object with metadata.managedFields updated
  bool created = false;  // there was no live object
  bool changed = false;  // object differs from the live object (beyond managedFields)
};

// Server-side apply by `manager`. live is the stored object (nullptr: the apply creates it); config is
// the applied configuration (ParseApplyBody). Fields the manager applied before but no longer applies
// are removed unless another manager owns them; keyed lists merge by key, atomic lists are replaced.
// Changing a field another manager owns to a different value fails with 409 Conflict (causes of reason
// FieldManagerConflict) unless force, which takes the fields over. kBadRequest for a malformed config.
// An object without managedFields first gets them under "before-first-apply".
Result<ApplyResult> Apply(const json::object* live, const json::object& config, std::string_view manager,
                          bool force, const FieldSchema& schema, const ManagedFieldsOptions& options = {});

// The bookkeeping of every non-apply write (create, update, patch; operation "Update"): obj is the object
// about to be stored, old the stored one (nullptr on create). manager (the fieldManager parameter, or a
// default such as "kubectl-edit") becomes owner of the fields it changed, which leave other managers'
// sets; empty entries are dropped. managedFields sent in obj replace the stored ones (a list holding one
// empty entry clears them); an existing object without managedFields is left untracked, as upstream.
// Sets obj's metadata.managedFields; never fails on odd stored data (it resets the bookkeeping instead).
void UpdateManagedFields(const json::object* old, json::object& obj, std::string_view manager,
                         const FieldSchema& schema, const ManagedFieldsOptions& options = {});

// Parses an application/apply-patch+yaml body (YAML or JSON) into a JSON object, with the scalar types
// YAML 1.1 implies as Kubernetes reads it (ints, floats, bools incl. yes/no/on/off, null; quoted scalars
// stay strings). kBadRequest naming the line for bad YAML, or when the body is not a mapping.
Result<json::object> ParseApplyBody(std::string_view body);

}  // namespace k1s::registry
