// Pure functions of the Namespace controller: whether a namespace is waiting for its content to be
// deleted, the status conditions that report the progress, and the finalize request that lets the
// API server delete it. No I/O; any thread.
#pragma once

#include <boost/json/object.hpp>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace k1s::controllers::namespaces {

namespace json = boost::json;

inline constexpr const char* kKubernetesFinalizer = "kubernetes";

// metadata.deletionTimestamp is set.
bool IsBeingDeleted(const json::object& ns);
// spec.finalizers contains "kubernetes".
bool HasKubernetesFinalizer(const json::object& ns);
// The namespace with "kubernetes" removed from spec.finalizers: the body of PUT .../finalize.
json::object WithoutKubernetesFinalizer(json::object ns);

// What one pass over a namespace's content found.
struct ContentSummary {
  std::map<std::string, int> remaining;          // group-resource -> objects still present
  std::map<std::string, int> finalizers;         // finalizer -> objects still carrying it
  std::vector<std::string> failures;             // errors listing or deleting
  bool Done() const { return remaining.empty() && failures.empty(); }
};

// ns with status.phase Terminating and the deletion conditions (NamespaceDeletionDiscoveryFailure,
// NamespaceDeletionGroupVersionParsingFailure, NamespaceDeletionContentFailure,
// NamespaceContentRemaining, NamespaceFinalizersRemaining) set from summary; a condition's
// lastTransitionTime changes only when its status does. nullopt when the status is already so.
std::optional<json::object> StatusWithDeletionConditions(const json::object& ns, const ContentSummary& summary,
                                                         const std::string& now);

}  // namespace k1s::controllers::namespaces
