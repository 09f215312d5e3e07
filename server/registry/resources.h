// The resource table: one row per served resource (group, version, kind, plural, singular, scope,
// short names, categories, verbs). Generic code serves CRUD, list and watch for every row; discovery
// is generated from it. Built once at start-up (BuiltinResources) and read-only afterwards.
#pragma once

#include <boost/json/object.hpp>
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
  // Names must be DNS-1123 labels (namespaces) rather than subdomains.
  bool label_names = false;
  // Names must be DNS-1035 labels: labels that start with a letter (services).
  bool dns1035_names = false;
  // Names need only be valid path segments (RBAC objects: "system:discovery").
  bool path_segment_names = false;
  // Served from a CustomResourceDefinition (validated, pruned and defaulted by its schema).
  bool custom = false;
  // A review (SelfSubjectAccessReview, TokenReview, ...): create-only, answered at once, never stored.
  bool review = false;
  // Subresources served under /<name>/<sub>: status, scale, binding, eviction, token, ...
  std::vector<std::string> subresources;
  // Set when this row is a converted view of objects stored in another version of the same group and
  // kind (autoscaling/v1 HorizontalPodAutoscalers are stored as v2): the stored version. Both rows
  // share one key prefix; conversion.h converts at the registry's boundary.
  std::string storage_version;

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

// The local APIService objects (apiregistration.k8s.io/v1) upstream's aggregator keeps for every
// built-in group/version the server serves: named "<version>.<group>" ("v1." for core), no
// spec.service, upstream's group and version priorities, status Available=True (reason Local).
// Custom resources' groups are left out. now: the RFC 3339 time of the condition.
std::vector<boost::json::object> LocalApiServices(const std::vector<ResourceInfo>& resources, const std::string& now);

}  // namespace k1s::registry
