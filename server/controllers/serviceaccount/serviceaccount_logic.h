// Pure functions of the ServiceAccount controller and the root CA publisher: which namespaces need a
// "default" ServiceAccount and what the kube-root-ca.crt ConfigMap should hold. No I/O; any thread.
#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <string>

namespace k1s::controllers::serviceaccount {

namespace json = boost::json;

inline constexpr const char* kDefaultServiceAccount = "default";
inline constexpr const char* kRootCaConfigMap = "kube-root-ca.crt";
inline constexpr const char* kRootCaKey = "ca.crt";
inline constexpr const char* kDescriptionAnnotation = "kubernetes.io/description";

// The namespace exists, is not being deleted and is not Terminating: objects may be created in it.
bool NamespaceIsActive(const json::object& ns);
// The ServiceAccount to create in a namespace.
json::object DefaultServiceAccount(const std::string& ns);
// The ConfigMap to create in a namespace.
json::object RootCaConfigMap(const std::string& ns, const std::string& ca_pem);
// current with its data set to exactly {ca.crt} and the description annotation; nullopt if already so.
std::optional<json::object> RootCaConfigMapUpdate(const json::object& current, const std::string& ca_pem);

}  // namespace k1s::controllers::serviceaccount
