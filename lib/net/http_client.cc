// The only file that includes Boost.Beast and Asio's SSL for the client side (slow to compile: keep it so).
// Each pooled connection owns an io_context that only the thread using the connection runs, so every
// wait is bounded with run_one_for and nothing needs a background thread.
#include "lib/net/http_client.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <mutex>

#include "lib/base/log.h"
#include "lib/net/pki.h"

namespace k1s::net {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;
using SteadyTime = std::chrono::steady_clock::time_point;

std::string ClientResponse::Header(std::string_view lower_name) const {
  for (const auto& [k, v] : headers)
    if (k == lower_name) return v;
  return "";
}

std::string PercentEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

namespace {

constexpr char kComponent[] = "http-client";
constexpr auto kMaxIdleAge = std::chrono::seconds(240);  // the server closes idle connections at 300 s
using SslStream = ssl::stream<tcp::socket>;

struct Connection {
  asio::io_context io{1};
  std::unique_ptr<SslStream> stream;
  beast::flat_buffer buffer;
  SteadyTime idle_since;
  std::mutex fd_mu;  // guards closing the socket against Cancel's shutdown from another thread
  bool closed = false;

  int fd() { return stream ? static_cast<int>(beast::get_lowest_layer(*stream).native_handle()) : -1; }

  // Closes the socket (ending any pending operation) and runs the aborted handlers so nothing refers
  // to a caller's state afterwards.
  void Close() {
    if (!stream) return;
    {
      std::lock_guard lock(fd_mu);
      if (!closed) {
        beast::error_code ec;
        beast::get_lowest_layer(*stream).close(ec);
        closed = true;
      }
    }
    io.restart();
    io.run();
  }
  ~Connection() { Close(); }

  // Runs the io_context until *done or the deadline. On the deadline the socket is closed (the
  // operation ends with an error, its handler runs) and false comes back.
  bool RunUntil(const bool& done, SteadyTime deadline) {
    while (!done) {
      if (io.stopped()) io.restart();
      auto now = std::chrono::steady_clock::now();
      if (now >= deadline) {
        Close();
        return false;
      }
      io.run_one_for(deadline - now);
    }
    return true;
  }

  // An idle connection the server has closed (or that sent something unasked) is not reusable.
  bool LooksAlive() {
    int f = fd();
    if (f < 0 || closed) return false;
    pollfd p{f, POLLIN | POLLRDHUP, 0};
    return ::poll(&p, 1, 0) == 0;
  }
};

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

bool IsLiteralIp(const std::string& host) {
  beast::error_code ec;
  asio::ip::make_address(host, ec);
  return !ec;
}

std::string TlsFailure(SslStream& stream, const beast::error_code& ec) {
  long v = SSL_get_verify_result(stream.native_handle());
  if (v != X509_V_OK) return std::string("certificate verification failed: ") + X509_verify_cert_error_string(v);
  return ec.message();
}

class StreamImpl;

class ClientImpl final : public HttpClient {
 public:
  explicit ClientImpl(HttpClientOptions options) : options_(std::move(options)), tls_(ssl::context::tls_client) {}
  ~ClientImpl() override {
    std::lock_guard lock(mu_);
    idle_.clear();
  }

  Status Init() {
    std::string_view url = options_.server;
    if (!url.starts_with("https://")) {
      return Fail(ErrorCode::kInvalid, "server URL must start with https:// (got \"" + options_.server + "\")");
    }
    url.remove_prefix(8);
    std::string_view authority = url.substr(0, url.find('/'));
    std::string_view port_text;
    if (authority.starts_with("[")) {
      auto close = authority.find(']');
      if (close == std::string_view::npos) return Fail(ErrorCode::kInvalid, "bad IPv6 host in " + options_.server);
      host_ = std::string(authority.substr(1, close - 1));
      if (close + 1 < authority.size() && authority[close + 1] == ':') port_text = authority.substr(close + 2);
    } else {
      auto colon = authority.rfind(':');
      host_ = std::string(authority.substr(0, colon));
      if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
    }
    if (host_.empty()) return Fail(ErrorCode::kInvalid, "no host in server URL \"" + options_.server + "\"");
    port_ = port_text.empty() ? "443" : std::string(port_text);
    if (port_.find_first_not_of("0123456789") != std::string::npos || port_.size() > 5 || std::stoi(port_) > 65535) {
      return Fail(ErrorCode::kInvalid, "bad port in server URL \"" + options_.server + "\"");
    }
    host_header_ = (host_.find(':') != std::string::npos ? "[" + host_ + "]" : host_) + ":" + port_;
    ip_host_ = IsLiteralIp(host_);

    beast::error_code ec;
    tls_.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                         ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1,
                     ec);
    if (!options_.insecure_skip_verify) {
      if (options_.ca_pem.empty()) {
        return Fail(ErrorCode::kInvalid, "no CA bundle to verify " + host_header_ + " with");
      }
      tls_.add_certificate_authority(asio::buffer(options_.ca_pem), ec);
      if (ec) return Fail(ErrorCode::kInvalid, "cannot load the CA bundle: " + ec.message());
      tls_.set_verify_mode(ssl::verify_peer, ec);
    } else {
      tls_.set_verify_mode(ssl::verify_none, ec);
    }
    if (!options_.client_cert_pem.empty()) {
      tls_.use_certificate_chain(asio::buffer(options_.client_cert_pem), ec);
      if (ec) return Fail(ErrorCode::kInvalid, "cannot load the client certificate: " + ec.message());
      tls_.use_private_key(asio::buffer(options_.client_key_pem), ssl::context::pem, ec);
      if (ec) return Fail(ErrorCode::kInvalid, "cannot load the client key: " + ec.message());
    }
    return OkStatus();
  }

  Result<ClientResponse> Do(const ClientRequest& request) override {
    const auto timeout = request.timeout.count() > 0 ? request.timeout : options_.request_timeout;
    const SteadyTime deadline = std::chrono::steady_clock::now() + timeout;
    auto msg = BuildRequest(request);
    for (int attempt = 0;; ++attempt) {
      bool reused = false;
      K1S_ASSIGN_OR_RETURN(auto conn, Acquire(deadline, attempt == 0, &reused));
      auto sent = Write(*conn, msg, deadline, request);
      if (!sent.ok()) {
        if (reused) continue;  // the server closed it while idle: a fresh connection
        return Fail(sent.error());
      }
      http::response_parser<http::string_body> parser;
      parser.body_limit(options_.max_response_bytes);
      parser.header_limit(64 * 1024);
      bool done = false;
      beast::error_code ec;
      http::async_read(*conn->stream, conn->buffer, parser, [&](beast::error_code e, size_t) {
        ec = e;
        done = true;
      });
      if (!conn->RunUntil(done, deadline)) return TimedOut(request, timeout);
      if (ec) {
        if (reused && !parser.got_some()) continue;
        return Fail(ErrorCode::kServiceUnavailable, Describe(request) + ": reading the response failed: " + ec.message());
      }
      auto& res = parser.get();
      ClientResponse out;
      out.status = static_cast<int>(res.result_int());
      for (const auto& f : res) out.headers.emplace_back(Lower(f.name_string()), std::string(f.value()));
      out.body = std::move(res.body());
      if (res.keep_alive()) Release(std::move(conn));
      return out;
    }
  }

  Result<std::unique_ptr<ResponseStream>> Stream(const ClientRequest& request) override;

  int IdleConnections() const override {
    std::lock_guard lock(mu_);
    return static_cast<int>(idle_.size());
  }
  std::string HostPort() const override { return host_header_; }

  // Used by StreamImpl.
  const HttpClientOptions& options() const { return options_; }

  std::string Describe(const ClientRequest& r) const {
    return r.method + " https://" + host_header_ + r.target.substr(0, r.target.find('?'));
  }
  Unexpected TimedOut(const ClientRequest& r, std::chrono::milliseconds timeout) const {
    return Fail(ErrorCode::kTimeout, Describe(r) + ": no response within " + std::to_string(timeout.count()) + " ms");
  }

  http::request<http::string_body> BuildRequest(const ClientRequest& r) const {
    http::request<http::string_body> msg;
    msg.version(11);
    msg.method_string(r.method);
    msg.target(r.target.empty() ? "/" : r.target);
    msg.set(http::field::host, host_header_);
    msg.set(http::field::user_agent, options_.user_agent);
    bool has_accept = false;
    for (const auto& [k, v] : r.headers) {
      msg.set(k, v);
      if (Lower(k) == "accept") has_accept = true;
    }
    if (!has_accept) msg.set(http::field::accept, "application/json");
    if (!options_.bearer_token.empty()) msg.set(http::field::authorization, "Bearer " + options_.bearer_token);
    if (!r.body.empty() || r.method == "POST" || r.method == "PUT" || r.method == "PATCH") {
      msg.set(http::field::content_type, r.content_type.empty() ? "application/json" : r.content_type);
    }
    msg.body() = r.body;
    msg.keep_alive(true);
    msg.prepare_payload();
    return msg;
  }

  Status Write(Connection& conn, http::request<http::string_body>& msg, SteadyTime deadline, const ClientRequest& r) {
    bool done = false;
    beast::error_code ec;
    http::async_write(*conn.stream, msg, [&](beast::error_code e, size_t) {
      ec = e;
      done = true;
    });
    auto timeout = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (!conn.RunUntil(done, deadline)) return TimedOut(r, std::max(timeout, std::chrono::milliseconds(0)));
    if (ec) return Fail(ErrorCode::kServiceUnavailable, Describe(r) + ": sending the request failed: " + ec.message());
    return OkStatus();
  }

  // A pooled connection when one is alive (and allowed), else a new one.
  Result<std::unique_ptr<Connection>> Acquire(SteadyTime deadline, bool allow_pooled, bool* reused) {
    if (allow_pooled) {
      std::vector<std::unique_ptr<Connection>> stale;  // closed outside the lock
      std::unique_ptr<Connection> found;
      {
        std::lock_guard lock(mu_);
        auto now = std::chrono::steady_clock::now();
        while (!idle_.empty()) {
          auto c = std::move(idle_.back());
          idle_.pop_back();
          if (now - c->idle_since < kMaxIdleAge && c->LooksAlive()) {
            found = std::move(c);
            break;
          }
          stale.push_back(std::move(c));
        }
      }
      if (found) {
        *reused = true;
        return found;
      }
    }
    *reused = false;
    return Connect(deadline);
  }

  void Release(std::unique_ptr<Connection> conn) {
    conn->idle_since = std::chrono::steady_clock::now();
    std::unique_ptr<Connection> evicted;
    std::lock_guard lock(mu_);
    idle_.push_back(std::move(conn));
    if (static_cast<int>(idle_.size()) > options_.max_idle_connections) {
      evicted = std::move(idle_.front());
      idle_.erase(idle_.begin());
    }
  }

  Result<std::unique_ptr<Connection>> Connect(SteadyTime request_deadline) {
    auto conn = std::make_unique<Connection>();
    const SteadyTime deadline = std::min(request_deadline, std::chrono::steady_clock::now() + options_.connect_timeout);
    const std::string where = "https://" + host_header_;
    beast::error_code ec;
    std::vector<tcp::endpoint> endpoints;
    if (ip_host_) {
      endpoints.emplace_back(asio::ip::make_address(host_, ec), static_cast<unsigned short>(std::stoi(port_)));
    } else {
      // Synchronous on purpose: an asynchronous resolve would start a resolver thread per io_context.
      tcp::resolver resolver(conn->io);
      auto results = resolver.resolve(host_, port_, ec);
      if (ec) return Fail(ErrorCode::kServiceUnavailable, "cannot resolve " + host_ + ": " + ec.message());
      for (const auto& e : results) endpoints.push_back(e.endpoint());
    }
    try {
      conn->stream = std::make_unique<SslStream>(conn->io, tls_);
    } catch (const std::exception& e) {
      return Fail(ErrorCode::kInternal, std::string("TLS set-up failed: ") + e.what());
    }
    bool done = false;
    asio::async_connect(beast::get_lowest_layer(*conn->stream), endpoints, [&](beast::error_code e, const tcp::endpoint&) {
      ec = e;
      done = true;
    });
    if (!conn->RunUntil(done, deadline)) {
      return Fail(ErrorCode::kTimeout, "cannot connect to " + where + ": timed out");
    }
    if (ec) return Fail(ErrorCode::kServiceUnavailable, "cannot connect to " + where + ": " + ec.message());
    int one = 1;
    ::setsockopt(conn->fd(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    SSL* ssl = conn->stream->native_handle();
    if (!ip_host_) SSL_set_tlsext_host_name(ssl, host_.c_str());
    if (!options_.insecure_skip_verify) {
      X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
      if (ip_host_) {
        X509_VERIFY_PARAM_set1_ip_asc(param, host_.c_str());
      } else {
        X509_VERIFY_PARAM_set1_host(param, host_.c_str(), 0);
      }
    }
    done = false;
    conn->stream->async_handshake(ssl::stream_base::client, [&](beast::error_code e) {
      ec = e;
      done = true;
    });
    if (!conn->RunUntil(done, deadline)) {
      return Fail(ErrorCode::kTimeout, "TLS handshake with " + where + " timed out");
    }
    if (ec) {
      long v = SSL_get_verify_result(ssl);
      if (!options_.insecure_skip_verify && v != X509_V_OK) {
        return Fail(ErrorCode::kUnauthorized, "TLS handshake with " + where + ": " + TlsFailure(*conn->stream, ec));
      }
      return Fail(ErrorCode::kServiceUnavailable, "TLS handshake with " + where + " failed: " + ec.message());
    }
    return conn;
  }

 private:
  HttpClientOptions options_;
  ssl::context tls_;
  std::string host_, port_, host_header_;
  bool ip_host_ = false;
  mutable std::mutex mu_;
  std::vector<std::unique_ptr<Connection>> idle_;  // most recently used last
};

class StreamImpl final : public ResponseStream {
 public:
  StreamImpl(std::unique_ptr<Connection> conn, std::unique_ptr<http::response_parser<http::buffer_body>> parser)
      : conn_(std::move(conn)), parser_(std::move(parser)) {
    const auto& res = parser_->get();
    status_ = static_cast<int>(res.result_int());
    for (const auto& f : res) headers_.emplace_back(Lower(f.name_string()), std::string(f.value()));
    ended_ = parser_->is_done();
  }
  ~StreamImpl() override {
    conn_->Close();  // runs a pending read's handler before the members go
  }

  int status() const override { return status_; }
  std::string Header(std::string_view lower_name) const override {
    for (const auto& [k, v] : headers_)
      if (k == lower_name) return v;
    return "";
  }

  Result<StreamRead> ReadLine(std::chrono::milliseconds timeout, std::string* line) override {
    const SteadyTime deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      auto nl = pending_.find('\n', scanned_);
      if (nl != std::string::npos) {
        line->assign(pending_, 0, nl);
        pending_.erase(0, nl + 1);
        scanned_ = 0;
        return StreamRead::kData;
      }
      scanned_ = pending_.size();
      K1S_ASSIGN_OR_RETURN(auto r, Fill(deadline));
      if (r == StreamRead::kTimeout) return r;
      if (r == StreamRead::kEnd) {
        if (pending_.empty()) return r;
        line->swap(pending_);
        pending_.clear();
        scanned_ = 0;
        return StreamRead::kData;
      }
    }
  }

  Result<StreamRead> ReadSome(std::chrono::milliseconds timeout, std::string* data) override {
    if (pending_.empty()) {
      K1S_ASSIGN_OR_RETURN(auto r, Fill(std::chrono::steady_clock::now() + timeout));
      if (r != StreamRead::kData) return r;
    }
    data->append(pending_);
    pending_.clear();
    scanned_ = 0;
    return StreamRead::kData;
  }

  void Cancel() override {
    cancelled_ = true;
    std::lock_guard lock(conn_->fd_mu);
    if (!conn_->closed) ::shutdown(conn_->fd(), SHUT_RDWR);
  }

 private:
  // Reads until some body bytes were appended to pending_ (kData), the body ended, or the deadline.
  Result<StreamRead> Fill(SteadyTime deadline) {
    const size_t before = pending_.size();
    for (;;) {
      if (cancelled_) return Fail(ErrorCode::kServiceUnavailable, "the stream was cancelled");
      if (pending_.size() > before) return StreamRead::kData;
      if (ended_) return StreamRead::kEnd;
      if (error_) {
        if (error_ == http::error::end_of_stream || error_ == asio::error::eof ||
            error_ == ssl::error::stream_truncated) {
          return StreamRead::kEnd;
        }
        return Fail(ErrorCode::kServiceUnavailable, "the stream failed: " + error_.message());
      }
      if (!read_pending_) StartRead();
      if (conn_->io.stopped()) conn_->io.restart();
      auto now = std::chrono::steady_clock::now();
      if (now >= deadline) {
        conn_->io.poll();  // what already arrived still counts
        if (pending_.size() > before || ended_ || error_ || cancelled_) continue;
        return StreamRead::kTimeout;
      }
      conn_->io.run_one_for(deadline - now);
    }
  }

  void StartRead() {
    read_pending_ = true;
    auto& body = parser_->get().body();
    body.data = buf_;
    body.size = sizeof buf_;
    http::async_read_some(*conn_->stream, conn_->buffer, *parser_, [this](beast::error_code ec, size_t) {
      read_pending_ = false;
      if (ec == http::error::need_buffer) ec = {};
      size_t got = sizeof buf_ - parser_->get().body().size;
      pending_.append(buf_, got);
      if (ec) error_ = ec;
      if (parser_->is_done()) ended_ = true;
    });
  }

  std::unique_ptr<Connection> conn_;
  std::unique_ptr<http::response_parser<http::buffer_body>> parser_;
  int status_ = 0;
  std::vector<std::pair<std::string, std::string>> headers_;
  std::string pending_;
  size_t scanned_ = 0;  // pending_[0, scanned_) holds no '\n'
  char buf_[16384];
  bool read_pending_ = false;
  bool ended_ = false;
  beast::error_code error_;
  std::atomic<bool> cancelled_{false};
};

Result<std::unique_ptr<ResponseStream>> ClientImpl::Stream(const ClientRequest& request) {
  const auto timeout = request.timeout.count() > 0 ? request.timeout : options_.request_timeout;
  const SteadyTime deadline = std::chrono::steady_clock::now() + timeout;
  auto msg = BuildRequest(request);
  for (int attempt = 0;; ++attempt) {
    bool reused = false;
    K1S_ASSIGN_OR_RETURN(auto conn, Acquire(deadline, attempt == 0, &reused));
    auto sent = Write(*conn, msg, deadline, request);
    if (!sent.ok()) {
      if (reused) continue;
      return Fail(sent.error());
    }
    auto parser = std::make_unique<http::response_parser<http::buffer_body>>();
    parser->body_limit(boost::none);
    parser->header_limit(64 * 1024);
    bool done = false;
    beast::error_code ec;
    http::async_read_header(*conn->stream, conn->buffer, *parser, [&](beast::error_code e, size_t) {
      ec = e;
      done = true;
    });
    if (!conn->RunUntil(done, deadline)) return TimedOut(request, timeout);
    if (ec) {
      if (reused && !parser->got_some()) continue;
      return Fail(ErrorCode::kServiceUnavailable, Describe(request) + ": reading the response failed: " + ec.message());
    }
    return std::unique_ptr<ResponseStream>(std::make_unique<StreamImpl>(std::move(conn), std::move(parser)));
  }
}

}  // namespace

Result<std::unique_ptr<HttpClient>> HttpClient::Create(const HttpClientOptions& options) {
  auto client = std::make_unique<ClientImpl>(options);
  K1S_TRY(client->Init());
  return std::unique_ptr<HttpClient>(std::move(client));
}

}  // namespace k1s::net
