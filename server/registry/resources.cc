#include "server/registry/resources.h"

namespace k1s::registry {

std::vector<ResourceInfo> BuiltinResources() {
  std::vector<ResourceInfo> r;
  auto add = [&](std::string group, std::string kind, std::string plural, bool namespaced,
                 std::vector<std::string> short_names, std::vector<std::string> categories = {}) {
    ResourceInfo info;
    info.group = std::move(group);
    info.version = "v1";
    info.kind = std::move(kind);
    info.plural = std::move(plural);
    info.singular = info.kind;
    for (auto& c : info.singular) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    info.namespaced = namespaced;
    info.short_names = std::move(short_names);
    info.categories = std::move(categories);
    r.push_back(std::move(info));
    return &r.back();
  };
  add("", "Namespace", "namespaces", false, {"ns"})->label_names = true;
  add("", "ConfigMap", "configmaps", true, {"cm"});
  add("", "Secret", "secrets", true, {});
  add("", "ServiceAccount", "serviceaccounts", true, {"sa"});
  add("", "Event", "events", true, {"ev"});
  add("coordination.k8s.io", "Lease", "leases", true, {});
  return r;
}

}  // namespace k1s::registry
