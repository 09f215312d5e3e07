// HttpsClient: the Client over the network (the agent's, and tests' against a running server). Each call
// is one HTTPS request on net::HttpClient's keep-alive pool: JSON bodies, options as query parameters,
// Status bodies turned back into Errors; Watch is a streamed GET read one JSON event per line
// (reconnecting is the informer's job). Thread-safe like net::HttpClient; a Watch has one consumer.
#pragma once

#include <memory>
#include <string>

#include "lib/client/client.h"
#include "lib/net/http_client.h"

namespace k1s::client {

struct HttpsClientOptions {
  // The server side of the list watches: timeoutSeconds is drawn from [min, 2*min) per watch as
  // client-go does, so many watchers do not reconnect at the same moment. 0: not sent.
  int watch_timeout_seconds = 300;
};

class HttpsClient final : public Client {
 public:
  explicit HttpsClient(std::shared_ptr<net::HttpClient> http, HttpsClientOptions options = {});
  // A client with its own connection pool.
  static Result<std::unique_ptr<HttpsClient>> New(const net::HttpClientOptions& http, HttpsClientOptions options = {});
  ~HttpsClient() override;

  using Client::Create;
  using Client::Delete;
  using Client::List;
  using Client::Patch;
  using Client::Update;

  Result<json::object> Get(const Resource& r, const std::string& ns, const std::string& name) override;
  Result<ObjectList> List(const Resource& r, const std::string& ns, const ListOptions& options) override;
  Result<std::unique_ptr<client::Watch>> Watch(const Resource& r, const std::string& ns,
                                               const ListOptions& options) override;
  Result<json::object> Create(const Resource& r, const std::string& ns, json::object obj,
                              const WriteOptions& options) override;
  Result<json::object> Update(const Resource& r, const std::string& ns, const std::string& name, json::object obj,
                              const WriteOptions& options, const std::string& subresource) override;
  Result<json::object> Patch(const Resource& r, const std::string& ns, const std::string& name, PatchType type,
                             const json::value& patch, const WriteOptions& options,
                             const std::string& subresource) override;
  Result<json::object> Delete(const Resource& r, const std::string& ns, const std::string& name,
                              const DeleteOptions& options, bool* gone) override;
  Result<ObjectList> DeleteCollection(const Resource& r, const std::string& ns, const ListOptions& list,
                                      const DeleteOptions& options) override;
  Result<json::object> Post(const Resource& r, const std::string& ns, const std::string& name,
                            const std::string& subresource, const json::object& body) override;

  net::HttpClient& http() { return *http_; }

 private:
  std::shared_ptr<net::HttpClient> http_;
  HttpsClientOptions options_;
};

// The URL path of a resource: /api/v1[/namespaces/NS]/PLURAL[/NAME[/SUB]] or /apis/G/V/... (ns is
// ignored for cluster-scoped resources; "" for a namespaced one means all namespaces).
std::string ResourcePath(const Resource& r, const std::string& ns, const std::string& name = "",
                         const std::string& subresource = "");
// The Error a non-2xx answer stands for: the code from the HTTP status (409 split by the Status reason
// into AlreadyExists or Conflict), the message and details from the Status body when there is one.
Error ErrorFromResponse(int http_status, const std::string& body);

}  // namespace k1s::client
