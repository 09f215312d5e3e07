// Kubeconfig files: the admin kubeconfig `k1s server` writes (/etc/k1s/k1s.yaml), k3s style: one
// cluster, context and user all named "default", with the CA and client certificate inline.
// Pure functions plus one file write; any thread.
#pragma once

#include <string>

#include "lib/base/result.h"

namespace k1s::net {

// The cluster and its context are both named cluster_name; the user is named user.
std::string RenderKubeconfig(const std::string& server_url, const std::string& ca_pem,
                             const std::string& client_cert_pem, const std::string& client_key_pem,
                             const std::string& cluster_name = "default", const std::string& user = "default");
// Writes the kubeconfig atomically with the given mode, creating parent directories.
Status WriteKubeconfig(const std::string& path, const std::string& yaml, int mode);

}  // namespace k1s::net
