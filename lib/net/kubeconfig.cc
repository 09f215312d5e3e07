#include "lib/net/kubeconfig.h"

#include <string_view>

#include "lib/base/files.h"
#include "lib/base/strings.h"

namespace k1s::net {

std::string RenderKubeconfig(const std::string& server_url, const std::string& ca_pem,
                             const std::string& client_cert_pem, const std::string& client_key_pem,
                             const std::string& cluster_name, const std::string& user) {
  // Plain names stay plain (k3s's exact output); anything else becomes a double-quoted YAML scalar.
  auto quote = [](const std::string& s) {
    static constexpr char kAlnum[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    if (!s.empty() && std::string_view(kAlnum).find(s.front()) != std::string_view::npos && s.back() != ':' &&
        s.find_first_not_of(std::string(kAlnum) + "._-/@:") == std::string::npos) {
      return s;
    }
    std::string out = "\"";
    for (char c : s) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    return out + "\"";
  };
  std::string cluster = quote(cluster_name), user_name = quote(user);
  return "apiVersion: v1\n"
         "kind: Config\n"
         "clusters:\n"
         "- cluster:\n"
         "    certificate-authority-data: " + Base64Encode(ca_pem) + "\n"
         "    server: " + quote(server_url) + "\n"
         "  name: " + cluster + "\n"
         "contexts:\n"
         "- context:\n"
         "    cluster: " + cluster + "\n"
         "    user: " + user_name + "\n"
         "  name: " + cluster + "\n"
         "current-context: " + cluster + "\n"
         "preferences: {}\n"
         "users:\n"
         "- name: " + user_name + "\n"
         "  user:\n"
         "    client-certificate-data: " + Base64Encode(client_cert_pem) + "\n"
         "    client-key-data: " + Base64Encode(client_key_pem) + "\n";
}

Status WriteKubeconfig(const std::string& path, const std::string& yaml, int mode) {
  K1S_TRY(MakeDirs(DirName(path), 0755));
  return WriteFileAtomic(path, yaml, mode);
}

}  // namespace k1s::net
