// HttpClient: the HTTPS/1.1 client of the agent and of tests: TLS verified against a CA bundle (or, only
// for fetching /cacerts before the CA is pinned, not verified), an optional client certificate, a bearer
// token, per-request timeouts, a keep-alive connection pool, and streamed responses for watches.
// Thread-safe: any number of threads may call Do/Stream at once; each request takes its own pooled
// connection. A ResponseStream has one reader thread; Cancel may come from any thread.
// Beast/Asio stay inside http_client.cc so nothing else pays their compile time.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lib/base/result.h"

namespace k1s::net {

struct HttpClientOptions {
  // "https://host:port" (a path after it is ignored; the port defaults to 443). IPv6 as [::1].
  std::string server;
  // PEM bundle the server certificate must chain to; its name or IP is checked against the host.
  std::string ca_pem;
  // Skip verification entirely. Only for fetching /cacerts before the CA is pinned by the token hash.
  bool insecure_skip_verify = false;
  // Optional client certificate (chain) and its key, PEM.
  std::string client_cert_pem;
  std::string client_key_pem;
  // Sent as "Authorization: Bearer <token>" unless empty.
  std::string bearer_token;
  std::string user_agent = "k1s";
  std::chrono::milliseconds connect_timeout{10000};  // TCP connect plus TLS handshake
  std::chrono::milliseconds request_timeout{60000};  // whole exchange of Do(); a stream's headers
  int max_idle_connections = 32;                     // kept in the pool beyond that are closed
  size_t max_response_bytes = size_t{1} << 30;
};

struct ClientRequest {
  std::string method = "GET";
  std::string target;  // path and query, already percent-encoded ("/api/v1/pods?limit=5")
  std::vector<std::pair<std::string, std::string>> headers;
  std::string content_type;  // sent when the body is non-empty (or the method is POST/PUT/PATCH)
  std::string body;
  std::chrono::milliseconds timeout{0};  // 0: the client's request_timeout
};

struct ClientResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;
  std::string Header(std::string_view lower_name) const;  // "" when absent
};

// What one read of a stream gave.
enum class StreamRead { kData, kTimeout, kEnd };

// A response whose body arrives over time (chunked watch streams). The connection belongs to the
// stream; destroying it closes the connection.
class ResponseStream {
 public:
  virtual ~ResponseStream() = default;
  virtual int status() const = 0;
  virtual std::string Header(std::string_view lower_name) const = 0;
  // The next line without its '\n' into *line. kTimeout when no complete line arrived in time (a
  // partial line stays buffered), kEnd when the body ended (a last unterminated line is returned
  // first as kData). An error: the connection failed or the stream was cancelled.
  virtual Result<StreamRead> ReadLine(std::chrono::milliseconds timeout, std::string* line) = 0;
  // Whatever body bytes are buffered or arrive within timeout, appended to *data.
  virtual Result<StreamRead> ReadSome(std::chrono::milliseconds timeout, std::string* data) = 0;
  // Ends the stream: a blocked or later read returns an error. Any thread; idempotent.
  virtual void Cancel() = 0;
};

class HttpClient {
 public:
  // Parses the server URL and loads the TLS material; connects lazily. kInvalid for a bad URL, a
  // scheme other than https, or unreadable PEM.
  static Result<std::unique_ptr<HttpClient>> Create(const HttpClientOptions& options);
  virtual ~HttpClient() = default;

  // One request and its whole response (any status; only transport failures are errors:
  // kServiceUnavailable for connection/TLS failures, kUnauthorized when the server certificate does not
  // verify, kTimeout past the deadline). A reused keep-alive connection that turns out to be closed is
  // replaced transparently.
  virtual Result<ClientResponse> Do(const ClientRequest& request) = 0;
  // Sends the request and returns once the response headers arrived; the body is read from the stream.
  virtual Result<std::unique_ptr<ResponseStream>> Stream(const ClientRequest& request) = 0;

  // Connections currently idle in the pool (for tests).
  virtual int IdleConnections() const = 0;
  // The options' server as "host:port".
  virtual std::string HostPort() const = 0;
};

// Percent-encodes a query value or path segment (RFC 3986 unreserved characters stay).
std::string PercentEncode(std::string_view s);

}  // namespace k1s::net
