// The default RBAC policy a Kubernetes 1.32 API server creates at start-up: ClusterRoles (with the
// aggregated admin/edit/view), ClusterRoleBindings, and the Roles/RoleBindings in kube-system and
// kube-public, including the system:controller:* roles of the controllers. Owned by server/auth; pure
// functions returning complete JSON objects (apiVersion, kind, metadata with the rbac-defaults label
// and the autoupdate annotation, rules/aggregationRule or roleRef/subjects); any thread.
#pragma once

#include <boost/json/object.hpp>
#include <vector>

namespace k1s::auth {

std::vector<boost::json::object> BootstrapClusterRoles();         // incl. system:controller:*
std::vector<boost::json::object> BootstrapClusterRoleBindings();  // incl. system:controller:*
std::vector<boost::json::object> BootstrapRoles();                // namespaced (metadata.namespace set)
std::vector<boost::json::object> BootstrapRoleBindings();         // namespaced (metadata.namespace set)

}  // namespace k1s::auth
