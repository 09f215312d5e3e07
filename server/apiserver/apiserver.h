// ApiServer: the HTTP face of the Kubernetes API. Routes requests (/api, /apis, resources and their
// subresources, /version, health, OpenAPI), authenticates and authorizes them, decodes bodies (JSON,
// protobuf, patches), calls the Registry, and encodes answers: objects, lists, server-side tables,
// watch streams, and Status errors. Handle() runs on the HTTP server's connection threads, many at
// once; the ApiServer holds no per-request state. Owned by server/server.cc.
#pragma once

#include <memory>
#include <string>

#include "lib/net/http_server.h"
#include "server/apiserver/security.h"
#include "server/registry/registry.h"

namespace k1s::apiserver {

struct ApiServerOptions {
  std::string git_commit;
  std::string version;  // k1s version, e.g. v0.1.0
  std::string ca_bundle_pem;  // served at /cacerts (the server CA, which the join token pins)
};

class ApiServer {
 public:
  ApiServer(registry::Registry& registry, Security& security, ApiServerOptions options);
  ~ApiServer();
  void Handle(net::HttpRequest& req, net::HttpResponder& resp);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace k1s::apiserver
