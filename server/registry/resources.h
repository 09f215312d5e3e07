// The resource table: one row per served resource (group, version, kind, plural, singular, scope,
// short names, categories, verbs). Generic code serves CRUD, list and watch for every row; discovery
// is generated from it. Built once at start-up (BuiltinResources) and read-only afterwards.
#pragma once

#include <string>
#include <vector>

namespace k1s::registry {

struct ResourceInfo {
  std::string group;     // "" for core
  std::string version;   // "v1"
  std::string kind;      // "ConfigMap"
  std::string plural;    // "configmaps"
  std::string singular;  // "configmap"
  bool namespaced = true;
  std::vector<std::string> short_names;
  std::vector<std::string> categories;
  std::vector<std::string> verbs = {"create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"};
  // Names must be DNS-1123 labels (namespaces, services) rather than subdomains.
  bool label_names = false;
  // Names need only be valid path segments (RBAC objects: "system:discovery").
  bool path_segment_names = false;
  // Served from a CustomResourceDefinition (validated, pruned and defaulted by its schema).
  bool custom = false;
  // A review (SelfSubjectAccessReview, TokenReview, ...): create-only, answered at once, never stored.
  bool review = false;
  // Subresources served under /<name>/<sub>: status, scale, binding, eviction, token, ...
  std::vector<std::string> subresources;

  bool HasSubresource(const std::string& sub) const {
    for (const auto& s : subresources)
      if (s == sub) return true;
    return false;
  }

  std::string GroupVersion() const { return group.empty() ? version : group + "/" + version; }
  // Datastore prefix of all objects of this resource: /registry/<group/>plural/
  std::string KeyPrefix() const { return "/registry/" + (group.empty() ? "" : group + "/") + plural + "/"; }
};

// The built-in resources served so far.
std::vector<ResourceInfo> BuiltinResources();

}  // namespace k1s::registry
