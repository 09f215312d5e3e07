// HttpServer: the HTTPS listener shared by the API server (and later the kubelet API). TLS 1.2+,
// HTTP/1.1 with keep-alive, optional client certificates verified against a client CA, a request body
// limit, and streamed (chunked) responses for watches.
// Threads: one accept thread plus one thread per connection; the handler runs on the connection's
// thread and may block (a watch blocks for as long as it streams). Beast/Asio stay inside
// http_server.cc so nothing else pays their compile time. Owned by the server's start-up wiring.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lib/base/result.h"

namespace k1s::net {

struct HttpRequest {
  std::string method;   // "GET", "POST", ...
  std::string target;   // raw request target: path and query
  std::string path;     // percent-decoded path
  std::vector<std::pair<std::string, std::string>> query;  // decoded, in order
  std::map<std::string, std::string> headers;              // names lower-cased
  std::string body;
  std::string remote_address;
  // The TLS client certificate, when one was presented and verified against the client CA.
  bool client_cert_verified = false;
  std::string client_common_name;
  std::vector<std::string> client_organizations;

  std::string Header(const std::string& lower_name) const;
  std::string Query(const std::string& name) const;  // "" when absent
  bool HasQuery(const std::string& name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

// How a handler answers: either Send() once, or StartStream() then WriteChunk()s. Calls after the
// client went away return false.
class HttpResponder {
 public:
  virtual ~HttpResponder() = default;
  virtual bool Send(const HttpResponse& response) = 0;
  virtual bool StartStream(int status, const std::string& content_type,
                           const std::vector<std::pair<std::string, std::string>>& headers = {}) = 0;
  virtual bool WriteChunk(std::string_view data) = 0;
  // False once the client has closed the connection or the server is stopping: long-running handlers
  // (watches) poll it between events.
  virtual bool Alive() = 0;
};

using HttpHandler = std::function<void(HttpRequest&, HttpResponder&)>;

struct HttpServerOptions {
  std::string bind_address = "0.0.0.0";
  int port = 0;                  // 0: pick a free port (see HttpServer::port())
  std::string cert_pem;          // serving certificate (chain)
  std::string key_pem;
  std::string client_ca_pem;     // empty: client certificates are not requested
  size_t max_body_bytes = 3 << 20;
  int max_connections = 2000;
  // A client that has not finished the TLS handshake in handshake_timeout_ms, or that sends nothing
  // for read_timeout_ms in the middle of a request or between keep-alive requests, is disconnected
  // (so stalled or trickling clients cannot hold connection threads). Streaming responses (watches)
  // are not affected: only reads from the client are timed.
  int handshake_timeout_ms = 10000;
  int read_timeout_ms = 120000;
};

class HttpServer {
 public:
  // Binds and starts accepting. Fails with a clear message if the address is in use.
  static Result<std::unique_ptr<HttpServer>> Start(const HttpServerOptions& options, HttpHandler handler);
  virtual ~HttpServer() = default;
  virtual int port() const = 0;
  // Stops accepting, closes every connection and joins the threads. Idempotent.
  virtual void Stop() = 0;
};

// Percent-decoding for paths and query values ('+' is a space only in queries).
std::string PercentDecode(std::string_view s, bool plus_is_space);

}  // namespace k1s::net
