#include "server/apiserver/discovery.h"

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

namespace k1s::apiserver {

namespace json = boost::json;
using registry::ResourceInfo;

namespace {

json::array Strings(const std::vector<std::string>& v) {
  json::array a;
  for (const auto& s : v) a.push_back(json::string(s));
  return a;
}

// Verbs of a subresource, as upstream serves them.
std::vector<std::string> SubresourceVerbs(const std::string& sub) {
  if (sub == "binding" || sub == "eviction" || sub == "token") return {"create"};
  if (sub == "finalize") return {"update"};
  return {"get", "patch", "update"};
}

// The kind a subresource answers with: (group, version, kind).
std::vector<std::string> SubresourceKind(const ResourceInfo& r, const std::string& sub) {
  if (sub == "scale") return {"autoscaling", "v1", "Scale"};
  if (sub == "binding") return {"", "v1", "Binding"};
  if (sub == "eviction") return {"policy", "v1", "Eviction"};
  if (sub == "token") return {"authentication.k8s.io", "v1", "TokenRequest"};
  return {r.group, r.version, r.kind};
}

json::array ResourceList(const std::vector<ResourceInfo>& resources, const std::string& group,
                         const std::string& version) {
  json::array out;
  for (const auto& r : resources) {
    if (r.group != group || r.version != version) continue;
    json::object o{{"name", r.plural}, {"singularName", r.singular}, {"namespaced", r.namespaced},
                   {"kind", r.kind}, {"verbs", Strings(r.verbs)}};
    if (!r.short_names.empty()) o["shortNames"] = Strings(r.short_names);
    if (!r.categories.empty()) o["categories"] = Strings(r.categories);
    out.push_back(std::move(o));
    for (const auto& sub : r.subresources) {
      auto k = SubresourceKind(r, sub);
      json::object s{{"name", r.plural + "/" + sub}, {"singularName", ""}, {"namespaced", r.namespaced},
                     {"kind", k[2]}, {"verbs", Strings(SubresourceVerbs(sub))}};
      if (k[0] != r.group || k[1] != r.version) {
        s["group"] = k[0];
        s["version"] = k[1];
      }
      out.push_back(std::move(s));
    }
  }
  return out;
}

// Served API groups in table order, each with its versions in table order (the first is preferred).
std::vector<std::pair<std::string, std::vector<std::string>>> Groups(const std::vector<ResourceInfo>& resources) {
  std::vector<std::pair<std::string, std::vector<std::string>>> groups;
  for (const auto& r : resources) {
    if (r.group.empty()) continue;
    auto g = std::find_if(groups.begin(), groups.end(), [&](const auto& x) { return x.first == r.group; });
    if (g == groups.end()) {
      groups.push_back({r.group, {r.version}});
    } else if (std::find(g->second.begin(), g->second.end(), r.version) == g->second.end()) {
      g->second.push_back(r.version);
    }
  }
  return groups;
}

// The aggregated discovery document (apidiscovery.k8s.io v2 or v2beta1) for /api or /apis.
json::object Aggregated(const std::vector<ResourceInfo>& resources, bool core, const std::string& api_version) {
  auto versions_for = [&](const std::string& group, const std::string& version) {
    json::array res;
    for (const auto& r : resources) {
      if (r.group != group || r.version != version) continue;
      json::object o{{"resource", r.plural},
                     {"responseKind", json::object{{"group", r.group}, {"version", r.version}, {"kind", r.kind}}},
                     {"scope", r.namespaced ? "Namespaced" : "Cluster"},
                     {"singularResource", r.singular},
                     {"verbs", Strings(r.verbs)}};
      if (!r.short_names.empty()) o["shortNames"] = Strings(r.short_names);
      if (!r.categories.empty()) o["categories"] = Strings(r.categories);
      if (!r.subresources.empty()) {
        json::array subs;
        for (const auto& sub : r.subresources) {
          auto k = SubresourceKind(r, sub);
          subs.push_back(json::object{{"subresource", sub},
                                      {"responseKind", json::object{{"group", k[0]}, {"version", k[1]}, {"kind", k[2]}}},
                                      {"verbs", Strings(SubresourceVerbs(sub))}});
        }
        o["subresources"] = std::move(subs);
      }
      res.push_back(std::move(o));
    }
    return json::object{{"version", version}, {"resources", res}, {"freshness", "Current"}};
  };
  json::array items;
  if (core) {
    items.push_back(json::object{{"metadata", json::object()}, {"versions", json::array{versions_for("", "v1")}}});
  } else {
    for (const auto& [g, versions] : Groups(resources)) {
      json::array vs;
      for (const auto& v : versions) vs.push_back(versions_for(g, v));
      items.push_back(json::object{{"metadata", json::object{{"name", g}}}, {"versions", std::move(vs)}});
    }
  }
  return json::object{{"kind", "APIGroupDiscoveryList"}, {"apiVersion", api_version}, {"metadata", json::object()},
                      {"items", items}};
}

}  // namespace

std::optional<DiscoveryAnswer> Discover(const std::vector<ResourceInfo>& resources,
                                        const std::vector<std::string>& parts, const std::string& accept) {
  const std::string kJson = "application/json";
  // Aggregated discovery when the client asks for it (kubectl does, first choice v2).
  if (parts.size() == 1 && (parts[0] == "api" || parts[0] == "apis") &&
      accept.find("as=APIGroupDiscoveryList") != std::string::npos) {
    bool v2 = accept.find("g=apidiscovery.k8s.io;v=v2;") != std::string::npos ||
              accept.find("g=apidiscovery.k8s.io;v=v2,") != std::string::npos;
    if (v2 || accept.find("v=v2beta1") != std::string::npos) {
      std::string version = v2 ? "v2" : "v2beta1";
      return DiscoveryAnswer{"application/json;g=apidiscovery.k8s.io;v=" + version + ";as=APIGroupDiscoveryList",
                             Aggregated(resources, parts[0] == "api", "apidiscovery.k8s.io/" + version)};
    }
  }
  if (parts.size() == 1 && parts[0] == "api") {
    return DiscoveryAnswer{kJson, json::object{{"kind", "APIVersions"},
                                               {"versions", json::array{"v1"}},
                                               {"serverAddressByClientCIDRs",
                                                json::array{json::object{{"clientCIDR", "0.0.0.0/0"},
                                                                         {"serverAddress", ""}}}}}};
  }
  if (parts.size() == 2 && parts[0] == "api" && parts[1] == "v1") {
    return DiscoveryAnswer{kJson, json::object{{"kind", "APIResourceList"},
                                               {"groupVersion", "v1"},
                                               {"resources", ResourceList(resources, "", "v1")}}};
  }
  if (parts.size() == 1 && parts[0] == "apis") {
    json::array groups;
    for (const auto& [g, versions] : Groups(resources)) {
      json::array vs;
      for (const auto& v : versions) vs.push_back(json::object{{"groupVersion", g + "/" + v}, {"version", v}});
      groups.push_back(json::object{{"name", g}, {"versions", vs}, {"preferredVersion", vs.front()}});
    }
    return DiscoveryAnswer{kJson, json::object{{"kind", "APIGroupList"}, {"apiVersion", "v1"}, {"groups", groups}}};
  }
  if (parts.size() == 2 && parts[0] == "apis") {
    for (const auto& [g, versions] : Groups(resources)) {
      if (g != parts[1]) continue;
      json::array vs;
      for (const auto& v : versions) vs.push_back(json::object{{"groupVersion", g + "/" + v}, {"version", v}});
      return DiscoveryAnswer{kJson, json::object{{"kind", "APIGroup"}, {"apiVersion", "v1"}, {"name", g},
                                                 {"versions", vs}, {"preferredVersion", vs.front()}}};
    }
  }
  if (parts.size() == 3 && parts[0] == "apis") {
    auto list = ResourceList(resources, parts[1], parts[2]);
    if (!list.empty()) {
      return DiscoveryAnswer{kJson, json::object{{"kind", "APIResourceList"}, {"apiVersion", "v1"},
                                                 {"groupVersion", parts[1] + "/" + parts[2]}, {"resources", list}}};
    }
  }
  return std::nullopt;
}

}  // namespace k1s::apiserver
