// ApiServer: serves the Kubernetes REST API over the datastore for every row of the resource table:
// discovery (/api, /apis, legacy lists), /version and health, get/list/watch/create/update/patch/
// delete with Kubernetes Status errors, server-side tables for kubectl, and the minimal OpenAPI kubectl
// needs to validate manifests. Handle() is called on the HTTP server's connection threads, many at
// once; the ApiServer itself holds no per-request state. Owned by server/server.cc.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "datastore/store.h"
#include "lib/net/http_server.h"
#include "server/registry/resources.h"

namespace k1s::apiserver {

struct ApiServerOptions {
  std::string git_commit;
  std::string version;  // k1s version, e.g. v0.1.0
  int64_t event_ttl_seconds = 3600;
  std::string service_cidr = "10.43.0.0/16";
  std::string service_node_port_range = "30000-32767";
  int https_port = 6443;  // target port of the default/kubernetes Service
};

class ApiServer {
 public:
  ApiServer(datastore::Store& store, std::vector<registry::ResourceInfo> resources, ApiServerOptions options);
  ~ApiServer();
  void Handle(net::HttpRequest& req, net::HttpResponder& resp);
  // Creates default, kube-system, kube-public and kube-node-lease if missing.
  Status EnsureSystemNamespaces();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace k1s::apiserver
