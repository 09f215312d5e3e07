// API discovery documents generated from the resource table: the legacy /api, /apis, /api/v1 and
// /apis/G/V lists and the aggregated apidiscovery.k8s.io v2/v2beta1 documents kubectl asks for first,
// with verbs, short names, categories and subresources. Pure functions; any thread.
#pragma once

#include <boost/json/value.hpp>
#include <optional>
#include <string>
#include <vector>

#include "server/registry/resources.h"

namespace k1s::apiserver {

struct DiscoveryAnswer {
  std::string content_type;
  boost::json::value body;
};

// The document for a discovery path (split into parts: {"api"}, {"apis", "apps", "v1"}, ...) and the
// request's Accept header; nullopt for a path that is not a discovery document.
std::optional<DiscoveryAnswer> Discover(const std::vector<registry::ResourceInfo>& resources,
                                        const std::vector<std::string>& parts, const std::string& accept);

}  // namespace k1s::apiserver
