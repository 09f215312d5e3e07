// CustomResourceDefinitions as pure functions, after apiextensions-apiserver: CRD defaulting and
// validation (names, versions, structural schemas, subresources, printer columns), the resource-table
// rows a CRD serves, and CrSchema -- one version's openAPIV3Schema compiled once to validate, prune and
// default custom resources with upstream's field paths and wording. Also the server-side table of a
// custom resource (additionalPrinterColumns). Owned by the registry; pure functions and immutable
// values, any thread (a CrSchema is shared read-only between request threads).
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lib/base/result.h"
#include "server/registry/field_error.h"
#include "server/registry/resources.h"

namespace k1s::registry {

// ---- CustomResourceDefinition objects (apiextensions.k8s.io/v1) ----

// The defaults upstream sets: spec.names.singular (lowercase kind), spec.names.listKind (kind+"List"),
// spec.conversion {strategy: None}, webhook service port 443; and the storage version appended to
// status.storedVersions when missing (as upstream's defaulting and update preparation do). Idempotent;
// fields of the wrong JSON type are left for ValidateCrd to report.
void DefaultCrd(boost::json::object& crd);

// Field errors of a CRD (after DefaultCrd); old is the stored CRD on update (nullptr on create), then
// spec.group and spec.names.plural are immutable, and spec.scope and spec.names.kind once old is
// Established. Checks metadata.name == <plural>.<group> on create; DNS rules of the name itself are
// checked elsewhere. Empty when valid.
std::vector<FieldError> ValidateCrd(const boost::json::object& crd, const boost::json::object* old);

// One ResourceInfo per served version, in spec.versions order (the storage version's row is not
// special): group, version, kind, plural, singular, scope, short names, categories, and subresources
// "status"/"scale" when that version declares them. kInvalid when the CRD does not validate.
Result<std::vector<ResourceInfo>> ResourceFromCrd(const boost::json::object& crd);

// The name of the version marked storage: true ("" when none).
std::string StorageVersion(const boost::json::object& crd);

// Whether version declares subresources.status.
bool CrdHasStatus(const boost::json::object& crd, const std::string& version);

// subresources.scale of one version: JSON paths in upstream's simple dot form (".spec.replicas").
struct CrdScale {
  std::string spec_replicas_path;
  std::string status_replicas_path;
  std::string label_selector_path;  // "" when not declared
};
std::optional<CrdScale> CrdScaleFor(const boost::json::object& crd, const std::string& version);

// schema.openAPIV3Schema of one version (nullptr when absent).
const boost::json::object* CrdSchemaFor(const boost::json::object& crd, const std::string& version);

// Marks a CRD served: status.acceptedNames = spec.names and the NamesAccepted and Established
// conditions True (lastTransitionTime now_rfc3339 when a condition changes), as upstream's naming and
// establishing controllers do when there is no conflict.
void SetCrdEstablished(boost::json::object& crd, const std::string& now_rfc3339);

// ---- custom resources ----

// One version's openAPIV3Schema, compiled. Immutable after Build; share it with shared_ptr.
class CrSchema {
 public:
  // kInvalid when schema cannot be compiled (e.g. a pattern that is not a regular expression).
  static Result<std::shared_ptr<const CrSchema>> Build(const boost::json::object& open_api_v3_schema);
  ~CrSchema();

  // Field errors of a custom resource (after Prune and ApplyDefaults), worded like upstream's
  // ("spec.replicas: Invalid value: \"string\": spec.replicas in body must be of type integer:
  // \"string\""). Embedded resources need apiVersion and kind. Empty when valid.
  std::vector<FieldError> ValidateObject(const boost::json::object& obj) const;
  // Field errors of any value against the schema, errors named from path ("" = the root).
  std::vector<FieldError> ValidateValue(const boost::json::value& v, const std::string& path) const;

  // Drops the fields the schema does not specify (except under x-kubernetes-preserve-unknown-fields,
  // apiVersion/kind/metadata at the root and in embedded resources); metadata at the root and in
  // embedded resources keeps ObjectMeta's fields only. Returns the dropped paths ("spec.foo",
  // "spec.items[0].bar", "metadata.foo") for fieldValidation warnings: unknown field "spec.foo".
  std::vector<std::string> Prune(boost::json::object& obj) const;

  // Sets `default` values of properties that are missing (or null where not nullable), recursing into
  // what is present -- including objects just defaulted -- as upstream does.
  void ApplyDefaults(boost::json::object& obj) const;

  struct Node;

 private:
  CrSchema();
  std::unique_ptr<Node> root_;
};

// ---- tables (kubectl get) ----

// columnDefinitions of a custom resource of version: Name, then additionalPrinterColumns (format,
// description, priority as declared), or Name and Age when the version declares none.
boost::json::array TableColumnsFor(const boost::json::object& crd, const std::string& version);
// The cells of obj's row in the order of TableColumnsFor: name, then each column's JSONPath value
// converted by column type (integer, number, boolean, string, date as an age); null when absent.
boost::json::array TableCellsFor(const boost::json::object& crd, const std::string& version,
                                 const boost::json::object& obj);
// TableCellsFor as of now_unix (seconds since the epoch): for tests.
boost::json::array TableCellsForAt(const boost::json::object& crd, const std::string& version,
                                   const boost::json::object& obj, int64_t now_unix);

// Evaluates a kubectl JSONPath of the forms printer columns use (".spec.replicas", ".a[0].b",
// ".a[*].b", ".a[?(@.type==\"Ready\")].status", ".metadata.labels['k8s.io/x']") against v; the
// first result, or nullopt when nothing matches or the path cannot be parsed.
std::optional<boost::json::value> EvalJsonPath(const boost::json::value& v, const std::string& path);

}  // namespace k1s::registry
