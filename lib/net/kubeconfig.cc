#include "lib/net/kubeconfig.h"

#include "lib/base/files.h"
#include "lib/base/strings.h"

namespace k1s::net {

std::string RenderKubeconfig(const std::string& server_url, const std::string& ca_pem,
                             const std::string& client_cert_pem, const std::string& client_key_pem) {
  return "apiVersion: v1\n"
         "kind: Config\n"
         "clusters:\n"
         "- cluster:\n"
         "    certificate-authority-data: " + Base64Encode(ca_pem) + "\n"
         "    server: " + server_url + "\n"
         "  name: default\n"
         "contexts:\n"
         "- context:\n"
         "    cluster: default\n"
         "    user: default\n"
         "  name: default\n"
         "current-context: default\n"
         "preferences: {}\n"
         "users:\n"
         "- name: default\n"
         "  user:\n"
         "    client-certificate-data: " + Base64Encode(client_cert_pem) + "\n"
         "    client-key-data: " + Base64Encode(client_key_pem) + "\n";
}

Status WriteKubeconfig(const std::string& path, const std::string& yaml, int mode) {
  K1S_TRY(MakeDirs(DirName(path), 0755));
  return WriteFileAtomic(path, yaml, mode);
}

}  // namespace k1s::net
