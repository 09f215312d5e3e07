// UserInfo: who a request comes from, as an authenticator (x509 client certificate, service-account
// token, bootstrap token, anonymous) established it, plus the well-known user and group names.
// Owned by server/auth; a plain value, copied freely between request threads.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace k1s::auth {

struct UserInfo {
  std::string name, uid;
  std::vector<std::string> groups;
  std::map<std::string, std::vector<std::string>> extra;

  bool InGroup(std::string_view group) const {
    for (const auto& g : groups) {
      if (g == group) return true;
    }
    return false;
  }
};

inline constexpr std::string_view kSystemMasters = "system:masters";
inline constexpr std::string_view kAllAuthenticated = "system:authenticated";
inline constexpr std::string_view kAllUnauthenticated = "system:unauthenticated";
inline constexpr std::string_view kAnonymousUser = "system:anonymous";
inline constexpr std::string_view kNodesGroup = "system:nodes";
inline constexpr std::string_view kServiceAccountsGroup = "system:serviceaccounts";
inline constexpr std::string_view kServiceAccountUserPrefix = "system:serviceaccount:";

// "system:serviceaccount:<ns>:<name>": the user name of a service account.
inline std::string ServiceAccountUserName(std::string_view ns, std::string_view name) {
  return std::string(kServiceAccountUserPrefix) + std::string(ns) + ":" + std::string(name);
}

}  // namespace k1s::auth
