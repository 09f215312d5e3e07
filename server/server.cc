#include "server/server.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <random>

#include "datastore/sqlite/sqlite_store.h"
#include "lib/base/files.h"
#include "lib/base/log.h"
#include "lib/base/strings.h"
#include "lib/net/http_server.h"
#include "lib/net/kubeconfig.h"
#include "lib/net/pki.h"
#include "lib/net/server_pki.h"
#include "server/apiserver/apiserver.h"
#include "server/apiserver/endpoint_reconciler.h"
#include "server/controllers/component_args.h"
#include "server/controllers/manager.h"
#include "server/local_client.h"
#include "server/registry/registry.h"
#include "server/registry/resources.h"

namespace k1s::server {
namespace {
constexpr char kComponent[] = "server";

// Set when a component lost its leader-election Lease: the server then exits with status 1.
std::atomic<bool> g_leadership_lost{false};

// "<hostname>_<id>": the id is made once and kept in <data-dir>/server/identity, so this server is
// the same candidate after a restart (and takes its own Lease back without waiting for it to expire).
Result<std::string> ServerIdentity(const std::string& data_dir) {
  std::string path = data_dir + "/server/identity";
  std::string id;
  if (PathExists(path)) {
    K1S_ASSIGN_OR_RETURN(id, ReadFile(path));
    id = std::string(Trim(id));
  }
  if (id.empty()) {
    std::random_device rd;
    std::string bytes;
    for (int i = 0; i < 8; ++i) bytes.push_back(static_cast<char>(rd() & 0xff));
    id = HexEncode(bytes);
    K1S_TRY(WriteFileAtomic(path, id + "\n", 0600));
  }
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0 || host[0] == '\0') std::snprintf(host, sizeof host, "k1s");
  return std::string(host) + "_" + id;
}
}  // namespace

Result<std::string> FirstServiceIp(const std::string& cidr) { return net::FirstServiceIp(cidr); }

int Run(const ServerOptions& o) {
  auto t0 = std::chrono::steady_clock::now();
  // Signals are taken by sigwait() below; block them before any thread starts.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  ::signal(SIGPIPE, SIG_IGN);

  controllers::ControllerManagerOptions cmo;
  if (auto s = controllers::ApplyControllerManagerArgs(o.kube_controller_manager_args, &cmo); !s.ok()) {
    K1S_LOG(kError, kComponent) << s.error().message;
    return 1;
  }
  if (auto s = controllers::ApplySchedulerArgs(o.kube_scheduler_args, &cmo); !s.ok()) {
    K1S_LOG(kError, kComponent) << s.error().message;
    return 1;
  }

  K1S_LOG(kInfo, kComponent) << "starting k1s " << o.version << " (" << o.git_commit << "), data dir " << o.data_dir;
  if (auto s = MakeDirs(o.data_dir + "/server/db", 0700); !s.ok()) {
    K1S_LOG(kError, kComponent) << "cannot create the data dir: " << s.error().message;
    return 1;
  }
  net::ServerPkiOptions po;
  po.data_dir = o.data_dir;
  po.tls_sans = o.tls_san;
  po.service_cidr = o.service_cidr;
  po.cluster_domain = o.cluster_domain;
  po.advertise_address = o.advertise_address;
  po.token = o.token;
  auto pki = net::EnsureServerPki(po);
  if (!pki.ok()) {
    K1S_LOG(kError, kComponent) << "certificates: " << pki.error().message;
    return 1;
  }
  for (const auto& file : pki->written) K1S_LOG(kInfo, kComponent) << "wrote " << file;
  datastore::SqliteOptions so;
  so.path = o.data_dir + "/server/db/state.db";
  so.synchronous_full = o.synchronous_full;
  auto store = datastore::SqliteStore::Open(so);
  if (!store.ok()) {
    K1S_LOG(kError, kComponent) << store.error().message;
    return 1;
  }
  registry::RegistryOptions ro;
  ro.service_cidr = o.service_cidr;
  ro.service_node_port_range = o.service_node_port_range;
  ro.https_port = o.https_listen_port;
  // The controller manager below runs the namespace controller and the garbage collector.
  ro.namespace_controller = true;
  ro.garbage_collector = true;
  auto reg = registry::Registry::Open(**store, registry::BuiltinResources(), ro);
  if (!reg.ok()) {
    K1S_LOG(kError, kComponent) << "starting the registry: " << reg.error().message;
    (*store)->Close();
    return 1;
  }
  if (auto s = (*reg)->EnsureSystemObjects(); !s.ok()) {
    K1S_LOG(kError, kComponent) << "creating system namespaces: " << s.error().message;
    return 1;
  }
  if (auto s = apiserver::Security::EnsureBootstrapPolicy(**reg); !s.ok()) {
    K1S_LOG(kError, kComponent) << "creating the default RBAC roles and bindings: " << s.error().message;
    return 1;
  }
  apiserver::SecurityOptions sec;
  sec.service_key_pem = pki->service_key_pem;
  sec.service_pub_pem = pki->service_pub_pem;
  sec.server_token = pki->token;
  auto security = apiserver::Security::Start(**reg, sec);
  if (!security.ok()) {
    K1S_LOG(kError, kComponent) << "authentication: " << security.error().message;
    return 1;
  }
  apiserver::ApiServerOptions ao;
  ao.version = o.version;
  ao.git_commit = o.git_commit;
  ao.ca_bundle_pem = pki->server_ca.cert_pem;
  apiserver::ApiServer api(**reg, **security, ao);
  net::HttpServerOptions ho;
  ho.bind_address = o.bind_address;
  ho.port = o.https_listen_port;
  ho.cert_pem = pki->serving.cert_pem + pki->server_ca.cert_pem;
  ho.key_pem = pki->serving.key_pem;
  ho.client_ca_pem = pki->client_ca.cert_pem;
  auto http = net::HttpServer::Start(ho, [&api](net::HttpRequest& req, net::HttpResponder& resp) { api.Handle(req, resp); });
  if (!http.ok()) {
    K1S_LOG(kError, kComponent) << http.error().message;
    (*store)->Close();
    return 1;
  }
  // The default/kubernetes Service's Endpoints and EndpointSlice name this server (errors are logged
  // and retried every 10 s).
  apiserver::EndpointReconciler endpoints(
      **reg, {apiserver::AdvertiseAddress(o.advertise_address, o.bind_address), (*http)->port()});
  (void)endpoints.Start();
  // The control loops, in process: each component is its own identity (in system:masters for now)
  // and goes through RBAC like a request.
  auth::UserInfo cm_user{"system:kube-controller-manager", "", {"system:masters", "system:authenticated"}, {}};
  auth::UserInfo sched_user{"system:kube-scheduler", "", {"system:masters", "system:authenticated"}, {}};
  LocalClient cm_client(**reg, **security, cm_user, "kube-controller-manager");
  LocalClient sched_client(**reg, **security, sched_user, "default-scheduler");
  auto identity = ServerIdentity(o.data_dir);
  if (!identity.ok()) {
    K1S_LOG(kError, kComponent) << "server identity: " << identity.error().message;
    return 1;
  }
  cmo.identity = *identity;
  cmo.on_leadership_lost = [](const std::string&) {
    g_leadership_lost = true;
    ::kill(::getpid(), SIGTERM);  // wakes the sigwait below
  };
  cmo.ca_bundle_pem = pki->server_ca.cert_pem;
  for (const auto& r : *(*reg)->Resources()) {
    if (r.review || r.custom) continue;
    cmo.resources.push_back(client::Resource{r.group, r.version, r.plural, r.namespaced, r.kind});
  }
  controllers::ControllerManager manager(cm_client, sched_client, cmo);
  manager.Start();
  std::string url = "https://127.0.0.1:" + std::to_string((*http)->port());
  std::string kubeconfig = o.write_kubeconfig;
  auto written = net::WriteKubeconfig(
      kubeconfig, net::RenderKubeconfig(url, pki->server_ca.cert_pem, pki->admin.cert_pem, pki->admin.key_pem),
      o.write_kubeconfig_mode);
  if (!written.ok()) {
    K1S_LOG(kError, kComponent) << "writing the kubeconfig: " << written.error().message;
    (*http)->Stop();
    (*store)->Close();
    return 1;
  }
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
  K1S_LOG(kInfo, kComponent) << "API server listening on https://" << o.bind_address << ":" << (*http)->port();
  K1S_LOG(kInfo, kComponent) << "ready in " << ms << " ms; admin kubeconfig written to " << kubeconfig;
  K1S_LOG(kInfo, kComponent) << "try: kubectl --kubeconfig " << kubeconfig << " get namespaces   (or: k1s kubectl get ns)";
  K1S_LOG(kInfo, kComponent) << "node join token is in " << o.data_dir << "/server/token";

  int sig = 0;
  sigwait(&signals, &sig);
  if (g_leadership_lost) {
    K1S_LOG(kError, kComponent) << "a leader-election Lease was lost (another server took it, or the datastore "
                                   "stalled for longer than the renew deadline); shutting down";
  } else {
    K1S_LOG(kInfo, kComponent) << "received " << (sig == SIGINT ? "SIGINT" : "SIGTERM") << ", shutting down";
  }
  manager.Stop();
  endpoints.Stop();
  (*http)->Stop();
  security->reset();
  reg->reset();
  (*store)->Close();
  K1S_LOG(kInfo, kComponent) << "stopped";
  return g_leadership_lost ? 1 : 0;
}

}  // namespace k1s::server
