// API server benchmark: starts the real k1s binary (--disable-agent) on a free port and a temp data
// dir and drives it over HTTPS with the admin client certificate: start-up time, idle RSS, ConfigMap
// create/get/patch at 1/8/32 clients, LIST of 1k and 10k objects, 100 concurrent watchers, RSS with
// 10k objects -- beside the datastore's own durable write rate at 32 writers measured in the same run
// (the ceiling for creates). Not a test: run bench/run.sh apiserver.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "datastore/sqlite/sqlite_store.h"
#include "lib/base/files.h"
#include "lib/base/log.h"

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;
using namespace std::chrono;

namespace {

double g_seconds = 3;
std::string g_dir;
int g_port = 0;

double Since(steady_clock::time_point t) { return duration<double, std::milli>(steady_clock::now() - t).count(); }

struct Lat {
  std::vector<double> ms;
  double Pct(double p) {
    if (ms.empty()) return 0;
    std::sort(ms.begin(), ms.end());
    return ms[std::min(ms.size() - 1, static_cast<size_t>(p * ms.size()))];
  }
};

ssl::context MakeTls() {
  ssl::context ctx(ssl::context::tls_client);
  ctx.load_verify_file(g_dir + "/data/server/tls/server-ca.crt");
  ctx.use_certificate_chain_file(g_dir + "/data/server/tls/client-admin.crt");
  ctx.use_private_key_file(g_dir + "/data/server/tls/client-admin.key", ssl::context::pem);
  ctx.set_verify_mode(ssl::verify_peer);
  return ctx;
}

// One keep-alive HTTPS connection.
class Conn {
 public:
  explicit Conn(ssl::context& tls) : stream_(io_, tls) {
    tcp::resolver resolver(io_);
    asio::connect(stream_.next_layer(), resolver.resolve("127.0.0.1", std::to_string(g_port)));
    stream_.next_layer().set_option(tcp::no_delay(true));
    stream_.handshake(ssl::stream_base::client);
  }
  int Do(http::verb verb, const std::string& target, const std::string& body = "",
         const std::string& type = "application/json", std::string* out = nullptr,
         const std::string& accept = "application/json") {
    http::request<http::string_body> req{verb, target, 11};
    req.set(http::field::host, "127.0.0.1");
    req.set(http::field::accept, accept);
    if (!body.empty()) {
      req.set(http::field::content_type, type);
      req.body() = body;
    }
    req.prepare_payload();
    http::write(stream_, req);
    http::response_parser<http::string_body> parser;
    parser.body_limit(1ull << 31);
    http::read(stream_, buf_, parser);
    if (out) *out = std::move(parser.get().body());
    return parser.get().result_int();
  }
  ssl::stream<tcp::socket>& stream() { return stream_; }

 private:
  asio::io_context io_;
  ssl::stream<tcp::socket> stream_;
  beast::flat_buffer buf_;
};

long RssKb(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
  return -1;
}

int FreePort() {
  asio::io_context io;
  tcp::acceptor a(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  return a.local_endpoint().port();
}

std::string CmBody(const std::string& name, size_t size = 1024) {
  return R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":")" + name + R"("},"data":{"v":")" +
         std::string(size, 'x') + "\"}}";
}

struct Result {
  double rate;
  Lat lat;
};

// `clients` connections each running op(conn, thread, i) for g_seconds.
template <typename Op>
Result Run(ssl::context& tls, int clients, Op op) {
  std::vector<Lat> per(clients);
  std::atomic<long> total{0};
  auto start = steady_clock::now();
  auto deadline = start + duration<double>(g_seconds);
  std::vector<std::thread> ts;
  for (int t = 0; t < clients; ++t) {
    ts.emplace_back([&, t] {
      Conn c(tls);
      for (int i = 0; steady_clock::now() < deadline; ++i) {
        auto t0 = steady_clock::now();
        if (!op(c, t, i)) {
          std::fprintf(stderr, "request failed\n");
          std::exit(1);
        }
        per[t].ms.push_back(Since(t0));
        total++;
      }
    });
  }
  for (auto& t : ts) t.join();
  Result r;
  r.rate = total / (Since(start) / 1000);
  for (auto& p : per) r.lat.ms.insert(r.lat.ms.end(), p.ms.begin(), p.ms.end());
  return r;
}

double DatastoreCeiling() {
  k1s::datastore::SqliteOptions o;
  o.path = g_dir + "/ceiling/state.db";
  auto store = k1s::datastore::SqliteStore::Open(o);
  if (!store.ok()) return 0;
  std::atomic<long> total{0};
  auto start = steady_clock::now();
  auto deadline = start + duration<double>(g_seconds);
  std::vector<std::thread> ts;
  std::string value = CmBody("x");
  for (int t = 0; t < 32; ++t) {
    ts.emplace_back([&, t] {
      for (int i = 0; steady_clock::now() < deadline; ++i) {
        (void)(*store)->Create("/registry/configmaps/default/c-" + std::to_string(t) + "-" + std::to_string(i), value);
        total++;
      }
    });
  }
  for (auto& t : ts) t.join();
  double rate = total / (Since(start) / 1000);
  (*store)->Close();
  return rate;
}

}  // namespace

int main(int argc, char** argv) {
  std::string k1s = "build/bench/cmd/k1s";
  bool quick = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--k1s" && i + 1 < argc) k1s = argv[++i];
    else if (a == "--seconds" && i + 1 < argc) g_seconds = std::atof(argv[++i]);
    else if (a == "--quick") quick = true;
    else {
      std::fprintf(stderr, "usage: apiserver_bench [--k1s PATH] [--seconds S] [--quick]\n");
      return 2;
    }
  }
  if (quick) g_seconds = 0.5;
  k1s::SetLogLevel(k1s::LogLevel::kWarn);
  setenv("TMPDIR", "/var/tmp", 0);
  g_dir = *k1s::MakeTempDir("k1s-apibench");
  g_port = FreePort();
  std::printf("k1s API server benchmark: %ld cores, %s, %.1f s per measurement\n\n", sysconf(_SC_NPROCESSORS_ONLN),
              k1s.c_str(), g_seconds);

  // The ceiling first, while the machine is quiet.
  double ceiling = DatastoreCeiling();

  auto t0 = steady_clock::now();
  pid_t pid = fork();
  if (pid == 0) {
    std::string port = std::to_string(g_port), data = g_dir + "/data", kc = g_dir + "/kc.yaml";
    execl(k1s.c_str(), k1s.c_str(), "server", "--config", "/dev/null", "--disable-agent", "--bind-address",
          "127.0.0.1", "--https-listen-port", port.c_str(), "--data-dir", data.c_str(), "--write-kubeconfig",
          kc.c_str(), "--log-level", "warn", (char*)nullptr);
    _exit(127);
  }
  // Ready = the first successful GET /readyz over TLS with the admin certificate.
  double startup_ms = -1;
  for (int i = 0; i < 20000; ++i) {
    try {
      if (k1s::PathExists(g_dir + "/data/server/tls/client-admin.key")) {
        ssl::context tls = MakeTls();
        Conn c(tls);
        if (c.Do(http::verb::get, "/readyz") == 200) {
          startup_ms = Since(t0);
          break;
        }
      }
    } catch (const std::exception&) {
    }
    std::this_thread::sleep_for(microseconds(500));
  }
  if (startup_ms < 0) {
    std::fprintf(stderr, "server did not start\n");
    kill(pid, SIGKILL);
    return 1;
  }
  std::this_thread::sleep_for(seconds(1));
  long idle_rss = RssKb(pid);
  std::printf("start-up to ready (fork+exec to first 200 on /readyz, fresh data dir): %.0f ms\n", startup_ms);
  std::printf("idle RSS: %.1f MB\n\n", idle_rss / 1024.0);

  ssl::context tls = MakeTls();
  std::printf("%-42s %9s %8s %8s %9s\n", "ConfigMaps over HTTPS (1 KiB data)", "req/s", "p50 ms", "p99 ms", "x ceiling");
  std::printf("%-42s %9.0f %8s %8s %9s\n", "datastore Create, 32 writers (ceiling)", ceiling, "", "", "1.00");
  std::atomic<long> seq{0};
  double create32 = 0;
  for (int clients : {1, 8, 32}) {
    auto r = Run(tls, clients, [&](Conn& c, int, int) {
      return c.Do(http::verb::post, "/api/v1/namespaces/default/configmaps", CmBody("cm-" + std::to_string(seq++))) == 201;
    });
    if (clients == 32) create32 = r.rate;
    char label[64];
    std::snprintf(label, sizeof label, "create, %d client%s", clients, clients > 1 ? "s" : "");
    std::printf("%-42s %9.0f %8.2f %8.2f %9.2f\n", label, r.rate, r.lat.Pct(0.5), r.lat.Pct(0.99), r.rate / ceiling);
  }
  long created = seq.load();
  auto get = Run(tls, 8, [&](Conn& c, int t, int i) {
    return c.Do(http::verb::get, "/api/v1/namespaces/default/configmaps/cm-" + std::to_string((t * 7919 + i * 31) % created)) == 200;
  });
  std::printf("%-42s %9.0f %8.2f %8.2f\n", "get, 8 clients", get.rate, get.lat.Pct(0.5), get.lat.Pct(0.99));
  auto patch = Run(tls, 8, [&](Conn& c, int t, int i) {
    return c.Do(http::verb::patch, "/api/v1/namespaces/default/configmaps/cm-" + std::to_string((t * 7919 + i * 31) % created),
                R"({"data":{"p":")" + std::to_string(i) + "\"}}", "application/merge-patch+json") == 200;
  });
  std::printf("%-42s %9.0f %8.2f %8.2f\n", "merge patch, 8 clients", patch.rate, patch.lat.Pct(0.5), patch.lat.Pct(0.99));
  std::printf("target: creates at 32 clients >= 50%% of the ceiling: %s (%.0f%%)\n\n",
              create32 >= 0.5 * ceiling ? "PASS" : "MISS", 100 * create32 / ceiling);

  // LIST of 1k and 10k.
  for (int n : {1000, quick ? 2000 : 10000}) {
    std::string ns = "list" + std::to_string(n);
    {
      Conn c(tls);
      c.Do(http::verb::post, "/api/v1/namespaces", R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":")" + ns + "\"}}");
    }
    std::atomic<int> next{0};
    std::vector<std::thread> ts;
    for (int t = 0; t < 16; ++t) {
      ts.emplace_back([&] {
        Conn c(tls);
        for (int i; (i = next++) < n;) c.Do(http::verb::post, "/api/v1/namespaces/" + ns + "/configmaps", CmBody("c" + std::to_string(i)));
      });
    }
    for (auto& t : ts) t.join();
    Conn c(tls);
    std::vector<double> json_ms, table_ms;
    size_t bytes = 0;
    for (int i = 0; i < 5; ++i) {
      std::string body;
      auto s = steady_clock::now();
      c.Do(http::verb::get, "/api/v1/namespaces/" + ns + "/configmaps", "", "", &body);
      json_ms.push_back(Since(s));
      bytes = body.size();
      s = steady_clock::now();
      c.Do(http::verb::get, "/api/v1/namespaces/" + ns + "/configmaps?limit=500", "", "", &body,
           "application/json;as=Table;v=v1;g=meta.k8s.io,application/json");
      table_ms.push_back(Since(s));
    }
    std::sort(json_ms.begin(), json_ms.end());
    std::sort(table_ms.begin(), table_ms.end());
    std::printf("LIST %5d ConfigMaps: full JSON %.1f ms (%.1f MB), first Table page of 500 %.1f ms (median of 5)%s\n", n,
                json_ms[2], bytes / 1048576.0, table_ms[2],
                n == 10000 ? (json_ms[2] < 200 ? "  target < 200 ms: PASS" : "  target < 200 ms: MISS") : "");
  }
  std::printf("RSS with %ld ConfigMaps stored: %.1f MB\n\n", created + 11000, RssKb(pid) / 1024.0);

  // 100 watchers.
  {
    const int kWatchers = 100, kEvents = quick ? 200 : 1000;
    {
      Conn c(tls);
      c.Do(http::verb::post, "/api/v1/namespaces", R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":"watch"}})");
    }
    std::string rv;
    {
      Conn c(tls);
      std::string body;
      c.Do(http::verb::get, "/api/v1/namespaces/watch/configmaps", "", "", &body);
      auto p = body.find("\"resourceVersion\":\"");
      rv = body.substr(p + 19, body.find('"', p + 19) - p - 19);
    }
    std::atomic<int> ready{0}, done{0};
    std::vector<std::thread> ws;
    for (int w = 0; w < kWatchers; ++w) {
      ws.emplace_back([&] {
        Conn c(tls);
        std::string req = "GET /api/v1/namespaces/watch/configmaps?watch=true&resourceVersion=" + rv +
                          " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\n\r\n";
        asio::write(c.stream(), asio::buffer(req));
        ready++;
        int seen = 0;
        std::string carry;
        char buf[65536];
        while (seen < kEvents) {
          boost::system::error_code ec;
          size_t n = c.stream().read_some(asio::buffer(buf), ec);
          if (ec) break;
          carry.append(buf, n);
          size_t pos;
          while ((pos = carry.find("\"type\":\"ADDED\"")) != std::string::npos) {
            seen++;
            carry.erase(0, pos + 14);
          }
          if (carry.size() > 32) carry.erase(0, carry.size() - 32);
        }
        done++;
      });
    }
    while (ready < kWatchers) std::this_thread::sleep_for(milliseconds(1));
    std::this_thread::sleep_for(milliseconds(200));
    auto s = steady_clock::now();
    std::atomic<int> next{0};
    std::vector<std::thread> writers;
    for (int t = 0; t < 8; ++t) {
      writers.emplace_back([&] {
        Conn c(tls);
        for (int i; (i = next++) < kEvents;) c.Do(http::verb::post, "/api/v1/namespaces/watch/configmaps", CmBody("w" + std::to_string(i), 100));
      });
    }
    for (auto& t : writers) t.join();
    double writes_ms = Since(s);
    for (auto& t : ws) t.join();
    double all_ms = Since(s);
    std::printf("%d watchers x %d creates: writes took %.0f ms, every watcher had every event after %.0f ms "
                "(%.0f events/s delivered), %d/%d watchers complete\n",
                kWatchers, kEvents, writes_ms, all_ms, kWatchers * kEvents / (all_ms / 1000), done.load(), kWatchers);
  }
  std::printf("RSS at the end: %.1f MB\n", RssKb(pid) / 1024.0);
  // K1S_BENCH_HOLD=1: keep the loaded server 90 s longer, to look at it (gdb, heaptrack, /proc/PID/smaps).
  if (getenv("K1S_BENCH_HOLD")) { std::printf("holding pid %d\n", pid); std::fflush(stdout); sleep(90); }
  kill(pid, SIGTERM);
  int status = 0;
  waitpid(pid, &status, 0);
  (void)k1s::RemoveAll(g_dir);
  return 0;
}
