// The only file that includes Boost.Beast and Asio's SSL for serving (slow to compile: keep it so).
#include "lib/net/http_server.h"

#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "lib/base/log.h"

namespace k1s::net {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

std::string HttpRequest::Header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? "" : it->second;
}
std::string HttpRequest::Query(const std::string& name) const {
  for (const auto& [k, v] : query)
    if (k == name) return v;
  return "";
}
bool HttpRequest::HasQuery(const std::string& name) const {
  for (const auto& [k, v] : query)
    if (k == name) return true;
  return false;
}

std::string PercentDecode(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

namespace {

constexpr char kComponent[] = "http";
using SslStream = ssl::stream<tcp::socket>;

class Responder final : public HttpResponder {
 public:
  Responder(SslStream& stream, bool keep_alive, int fd, const std::atomic<bool>* stopped)
      : stream_(stream), keep_alive_(keep_alive), fd_(fd), stopped_(stopped) {}

  bool Alive() override {
    if (!ok_ || (stopped_ && stopped_->load())) return false;
    pollfd p{fd_, POLLRDHUP, 0};
    if (::poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR))) return false;
    return true;
  }

  bool Send(const HttpResponse& r) override {
    if (used_) return false;
    used_ = true;
    http::response<http::string_body> res{static_cast<http::status>(r.status), 11};
    res.set(http::field::content_type, r.content_type);
    for (const auto& [k, v] : r.headers) res.set(k, v);
    res.keep_alive(keep_alive_);
    res.body() = r.body;
    res.prepare_payload();
    beast::error_code ec;
    http::write(stream_, res, ec);
    ok_ = !ec;
    return ok_;
  }

  bool StartStream(int status, const std::string& content_type,
                   const std::vector<std::pair<std::string, std::string>>& headers) override {
    if (used_) return false;
    used_ = true;
    streaming_ = true;
    std::string head = "HTTP/1.1 " + std::to_string(status) + " " +
                       std::string(http::obsolete_reason(static_cast<http::status>(status))) +
                       "\r\nContent-Type: " + content_type + "\r\nTransfer-Encoding: chunked\r\n";
    for (const auto& [k, v] : headers) head += k + ": " + v + "\r\n";
    head += keep_alive_ ? "\r\n" : "Connection: close\r\n\r\n";
    return Raw(head);
  }

  bool WriteChunk(std::string_view data) override {
    if (!streaming_ || !ok_ || data.empty()) return ok_;
    char size[32];
    std::snprintf(size, sizeof size, "%zx\r\n", data.size());
    std::string chunk = size;
    chunk.append(data);
    chunk += "\r\n";
    return Raw(chunk);
  }

  // Ends a stream (zero-length chunk). Returns whether the connection is still usable.
  bool Finish() {
    if (streaming_ && ok_) Raw("0\r\n\r\n");
    return ok_;
  }
  bool used() const { return used_; }

 private:
  bool Raw(std::string_view data) {
    if (!ok_) return false;
    beast::error_code ec;
    asio::write(stream_, asio::buffer(data.data(), data.size()), ec);
    if (ec) ok_ = false;
    return ok_;
  }

  SslStream& stream_;
  bool keep_alive_;
  int fd_;
  const std::atomic<bool>* stopped_;
  bool used_ = false;
  bool streaming_ = false;
  bool ok_ = true;
};

void ParseTarget(HttpRequest& req) {
  auto q = req.target.find('?');
  req.path = PercentDecode(req.target.substr(0, q), false);
  if (q == std::string::npos) return;
  std::string_view rest(req.target);
  rest.remove_prefix(q + 1);
  while (!rest.empty()) {
    auto amp = rest.find('&');
    std::string_view part = rest.substr(0, amp);
    auto eq = part.find('=');
    if (!part.empty()) {
      req.query.emplace_back(PercentDecode(part.substr(0, eq), true),
                             eq == std::string_view::npos ? "" : PercentDecode(part.substr(eq + 1), true));
    }
    if (amp == std::string_view::npos) break;
    rest.remove_prefix(amp + 1);
  }
}

void ReadClientCert(SslStream& stream, HttpRequest& req) {
  SSL* ssl = stream.native_handle();
  X509* cert = SSL_get1_peer_certificate(ssl);
  if (cert == nullptr) return;
  if (SSL_get_verify_result(ssl) == X509_V_OK) {
    req.client_cert_verified = true;
    X509_NAME* name = X509_get_subject_name(cert);
    for (int i = 0; i < X509_NAME_entry_count(name); ++i) {
      X509_NAME_ENTRY* e = X509_NAME_get_entry(name, i);
      int nid = OBJ_obj2nid(X509_NAME_ENTRY_get_object(e));
      ASN1_STRING* s = X509_NAME_ENTRY_get_data(e);
      std::string v(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)), static_cast<size_t>(ASN1_STRING_length(s)));
      if (nid == NID_commonName) req.client_common_name = v;
      if (nid == NID_organizationName) req.client_organizations.push_back(v);
    }
  }
  X509_free(cert);
}

class ServerImpl final : public HttpServer {
 public:
  ServerImpl(HttpServerOptions options, HttpHandler handler)
      : options_(std::move(options)), handler_(std::move(handler)), tls_(ssl::context::tls_server), acceptor_(io_) {}
  ~ServerImpl() override { Stop(); }

  Status Init() {
    try {
      tls_.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                       ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
      tls_.use_certificate_chain(asio::buffer(options_.cert_pem));
      tls_.use_private_key(asio::buffer(options_.key_pem), ssl::context::pem);
      if (!options_.client_ca_pem.empty()) {
        tls_.add_certificate_authority(asio::buffer(options_.client_ca_pem));
        // Ask for a client certificate but let clients without one in (they are anonymous or bearer).
        SSL_CTX_set_verify(tls_.native_handle(), SSL_VERIFY_PEER, [](int, X509_STORE_CTX*) { return 1; });
        // Advertise the client CA so kubectl picks the right certificate.
        BIO* bio = BIO_new_mem_buf(options_.client_ca_pem.data(), static_cast<int>(options_.client_ca_pem.size()));
        STACK_OF(X509_NAME)* names = sk_X509_NAME_new_null();
        while (X509* ca = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)) {
          sk_X509_NAME_push(names, X509_NAME_dup(X509_get_subject_name(ca)));
          X509_free(ca);
        }
        BIO_free(bio);
        SSL_CTX_set_client_CA_list(tls_.native_handle(), names);
      }
      tcp::endpoint ep(asio::ip::make_address(options_.bind_address), static_cast<unsigned short>(options_.port));
      acceptor_.open(ep.protocol());
      acceptor_.set_option(asio::socket_base::reuse_address(true));
      acceptor_.bind(ep);
      acceptor_.listen(asio::socket_base::max_listen_connections);
      port_ = acceptor_.local_endpoint().port();
    } catch (const boost::system::system_error& e) {
      return Fail(ErrorCode::kInternal, "cannot listen on " + options_.bind_address + ":" +
                                            std::to_string(options_.port) + ": " + e.code().message());
    } catch (const std::exception& e) {
      return Fail(ErrorCode::kInternal, std::string("TLS set-up failed: ") + e.what());
    }
    accept_thread_ = std::thread([this] { AcceptLoop(); });
    watchdog_thread_ = std::thread([this] { Watchdog(); });
    return OkStatus();
  }

  int port() const override { return port_; }

  void Stop() override {
    if (stopped_.exchange(true)) return;
    beast::error_code ec;
    ::shutdown(acceptor_.native_handle(), SHUT_RDWR);
    acceptor_.close(ec);
    if (accept_thread_.joinable()) accept_thread_.join();
    watchdog_cv_.notify_all();
    if (watchdog_thread_.joinable()) watchdog_thread_.join();
    std::vector<std::thread> threads;
    {
      std::lock_guard lock(mu_);
      for (const auto& [fd, deadline] : open_fds_) ::shutdown(fd, SHUT_RDWR);
      threads.swap(threads_);
    }
    for (auto& t : threads)
      if (t.joinable()) t.join();
  }

 private:
  void AcceptLoop() {
    while (!stopped_) {
      tcp::socket socket(io_);
      beast::error_code ec;
      acceptor_.accept(socket, ec);
      if (ec) {
        if (stopped_) return;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        continue;
      }
      std::lock_guard lock(mu_);
      // Reap finished connection threads.
      for (auto it = finished_.begin(); it != finished_.end(); ++it) {
        auto t = std::find_if(threads_.begin(), threads_.end(), [&](std::thread& th) { return th.get_id() == *it; });
        if (t != threads_.end()) {
          t->join();
          threads_.erase(t);
        }
      }
      finished_.clear();
      if (static_cast<int>(open_fds_.size()) >= options_.max_connections) {
        K1S_LOG(kWarn, kComponent) << "too many connections (" << open_fds_.size() << "); refusing one";
        socket.close(ec);
        continue;
      }
      int fd = socket.native_handle();
      auto deadline = std::make_shared<std::atomic<int64_t>>(
          Ticks(std::chrono::steady_clock::now() + std::chrono::milliseconds(options_.handshake_timeout_ms)));
      open_fds_[fd] = deadline;
      threads_.emplace_back(
          [this, s = std::move(socket), fd, deadline]() mutable { Serve(std::move(s), fd, *deadline); });
    }
  }

  // Shuts down connections that have been reading for longer than their deadline.
  void Watchdog() {
    auto period = std::chrono::milliseconds(std::clamp(options_.handshake_timeout_ms / 3, 10, 1000));
    std::unique_lock lock(mu_);
    while (!stopped_) {
      watchdog_cv_.wait_for(lock, period);
      int64_t now = Ticks(std::chrono::steady_clock::now());
      for (auto& [fd, deadline] : open_fds_) {
        if (deadline->load(std::memory_order_relaxed) > now) continue;
        deadline->store(kNoDeadline, std::memory_order_relaxed);  // once
        K1S_LOG(kDebug, kComponent) << "closing a connection that sent nothing in time (TLS handshake or request)";
        ::shutdown(fd, SHUT_RDWR);
      }
    }
  }

  static int64_t Ticks(std::chrono::steady_clock::time_point t) { return t.time_since_epoch().count(); }
  static constexpr int64_t kNoDeadline = INT64_MAX;

  void Serve(tcp::socket socket, int fd, std::atomic<int64_t>& deadline) {
    // Asio's blocking reads poll without a timeout (SO_RCVTIMEO does not reach them): the watchdog
    // thread shuts down the socket of a connection whose read deadline passed. The deadline is an
    // atomic of this connection, so setting it takes no lock.
    auto read_deadline = [&deadline](int ms) {
      deadline.store(ms < 0 ? kNoDeadline : Ticks(std::chrono::steady_clock::now() + std::chrono::milliseconds(ms)),
                     std::memory_order_relaxed);
    };
    // A response is written as several TLS records; without NODELAY, Nagle holds the last one until
    // the client's delayed ACK (~40 ms).
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    std::string remote;
    beast::error_code ec;
    auto ep = socket.remote_endpoint(ec);
    if (!ec) remote = ep.address().to_string();
    SslStream stream(std::move(socket), tls_);
    stream.handshake(ssl::stream_base::server, ec);
    if (!ec) {
      beast::flat_buffer buffer;
      for (;;) {
        http::request_parser<http::string_body> parser;
        parser.body_limit(options_.max_body_bytes);
        parser.header_limit(64 * 1024);
        read_deadline(options_.read_timeout_ms);
        http::read(stream, buffer, parser, ec);
        read_deadline(-1);
        if (ec == http::error::body_limit) {
          Responder r(stream, false, fd, &stopped_);
          r.Send({413, "application/json", {},
                  std::string(R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",)") +
                      "\"message\":\"the request body is too large: the limit is " +
                      std::to_string(options_.max_body_bytes) +
                      R"( bytes","reason":"RequestEntityTooLarge","code":413})"});
          break;
        }
        if (ec) break;
        auto& msg = parser.get();
        HttpRequest req;
        req.method = std::string(msg.method_string());
        req.target = std::string(msg.target());
        for (const auto& f : msg) {
          std::string name(f.name_string());
          std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
          auto& slot = req.headers[name];
          slot = slot.empty() ? std::string(f.value()) : slot + "," + std::string(f.value());
        }
        req.body = std::move(msg.body());
        req.remote_address = remote;
        ParseTarget(req);
        ReadClientCert(stream, req);
        bool keep_alive = msg.keep_alive() && !stopped_;
        Responder responder(stream, keep_alive, fd, &stopped_);
        try {
          handler_(req, responder);
        } catch (const std::exception& e) {
          K1S_LOG(kError, kComponent) << "handler threw for " << req.method << " " << req.path << ": " << e.what();
        }
        if (!responder.used()) {
          responder.Send({500, "application/json", {},
                          R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"internal error: no response","reason":"InternalError","code":500})"});
        }
        if (!responder.Finish() || !keep_alive) break;
      }
      stream.shutdown(ec);
    }
    beast::get_lowest_layer(stream).close(ec);
    std::lock_guard lock(mu_);
    open_fds_.erase(fd);
    finished_.push_back(std::this_thread::get_id());
  }

  HttpServerOptions options_;
  HttpHandler handler_;
  asio::io_context io_;
  ssl::context tls_;
  tcp::acceptor acceptor_;
  int port_ = 0;
  std::atomic<bool> stopped_{false};
  std::thread accept_thread_;
  std::mutex mu_;
  std::condition_variable watchdog_cv_;
  std::thread watchdog_thread_;
  // Open connections and the time by which each must have read what it waits for (max: not reading).
  std::map<int, std::shared_ptr<std::atomic<int64_t>>> open_fds_;
  std::vector<std::thread> threads_;
  std::vector<std::thread::id> finished_;
};

}  // namespace

Result<std::unique_ptr<HttpServer>> HttpServer::Start(const HttpServerOptions& options, HttpHandler handler) {
  auto server = std::make_unique<ServerImpl>(options, std::move(handler));
  K1S_TRY(server->Init());
  return std::unique_ptr<HttpServer>(std::move(server));
}

}  // namespace k1s::net
