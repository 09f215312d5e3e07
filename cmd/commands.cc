// The subcommands' actions. Flags live in server_flags.cc and flags.cc; start-up wiring of the
// server and agent will live in server/server.cc and agent/agent.cc.
#include "cmd/commands.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <iostream>

#include "agent/sim/simulator.h"
#include "cmd/flags.h"
#include "cmd/server_flags.h"
#include "datastore/sqlite/sqlite_store.h"
#include "lib/base/files.h"
#include "lib/base/log.h"
#include "lib/base/process.h"
#include "server/server.h"
#include "version.h"

namespace k1s::cmd {

std::string DefaultDataDir() { return ::geteuid() == 0 ? "/var/lib/k1s" : HomeDir() + "/.k1s"; }
std::string DefaultKubeconfig() { return ::geteuid() == 0 ? "/etc/k1s/k1s.yaml" : HomeDir() + "/.k1s/k1s.yaml"; }

namespace {

int NotBuiltYet(const std::string& command, const std::string& what) {
  std::cerr << command << ": not built yet: " << what << " (see the status table in README.md)\n";
  return 2;
}

std::string Hostname() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0 || buf[0] == '\0') return "k1s";
  std::string name(buf);
  for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return name.substr(0, name.find('.'));
}

std::string DbPath(const std::string& data_dir) { return data_dir + "/server/db/state.db"; }

std::string HumanBytes(uintmax_t n) {
  char buf[32];
  if (n >= (1u << 20)) {
    std::snprintf(buf, sizeof buf, "%.1f MB", static_cast<double>(n) / (1 << 20));
  } else if (n >= 1024) {
    std::snprintf(buf, sizeof buf, "%.1f KB", static_cast<double>(n) / 1024);
  } else {
    std::snprintf(buf, sizeof buf, "%ju B", n);
  }
  return buf;
}

}  // namespace

int RunVersion(int, char**) {
  std::cout << "k1s version " << K1S_VERSION << " (" << kGitCommit << ")\n";
  return 0;
}

int RunServer(int argc, char** argv) {
  CLI::App app("Run the k1s server: API server, controllers, datastore and (unless disabled) a node", "k1s server");
  ServerConfig cfg;
  AddServerFlags(app, cfg);
  auto parsed = ParseFlags(app, "k1s server", argc, argv);
  if (parsed.exit) return parsed.code;
  if (cfg.print_config) {
    std::cout << DescribeServerConfig(cfg);
    return 0;
  }
  if (auto level = ParseLogLevel(cfg.log_level); level.ok()) SetLogLevel(*level);
  if (!cfg.log_file.empty()) {
    if (auto s = SetLogFile(cfg.log_file); !s.ok()) {
      std::cerr << "k1s server: " << s.error().message << "\n";
      return 1;
    }
  }
  if (!cfg.disable_agent) {
    K1S_LOG(kWarn, "server") << "the node agent is not built yet: running the control plane only (as --disable-agent)";
  }
  server::ServerOptions o;
  o.data_dir = cfg.data_dir;
  o.bind_address = cfg.bind_address;
  o.https_listen_port = cfg.https_listen_port;
  o.advertise_address = cfg.advertise_address;
  o.write_kubeconfig = cfg.write_kubeconfig.empty() ? DefaultKubeconfig() : cfg.write_kubeconfig;
  o.write_kubeconfig_mode = static_cast<int>(std::strtol(cfg.write_kubeconfig_mode.c_str(), nullptr, 8));
  o.tls_san = cfg.tls_san;
  o.service_cidr = cfg.service_cidr;
  o.service_node_port_range = cfg.service_node_port_range;
  o.cluster_domain = cfg.cluster_domain;
  o.token = cfg.token;
  o.synchronous_full = cfg.datastore_sync == "full";
  o.kube_controller_manager_args = cfg.kube_controller_manager_arg;
  o.kube_scheduler_args = cfg.kube_scheduler_arg;
  o.version = K1S_VERSION;
  o.git_commit = kGitCommit;
  return server::Run(o);
}

int RunAgent(int argc, char** argv) {
  CLI::App app("Run a k1s agent (a node) and join it to a server", "k1s agent");
  AgentConfig cfg;
  AddAgentFlags(app, cfg);
  auto parsed = ParseFlags(app, "k1s agent", argc, argv);
  if (parsed.exit) return parsed.code;
  if (cfg.server.empty()) {
    std::cerr << "k1s agent: --server (or K1S_URL) is required, e.g. --server https://HOST:6443\n";
    return 1;
  }
  if (auto level = ParseLogLevel(cfg.log_level); level.ok()) SetLogLevel(*level);
  if (cfg.simulate > 0) {
    if (cfg.token.empty()) {
      std::cerr << "k1s agent: --token (or K1S_TOKEN) is required: the server's token, from "
                   "<data-dir>/server/token on the server\n";
      return 1;
    }
    agent::sim::SimulatorOptions o;
    o.nodes = cfg.simulate;
    o.name_prefix = cfg.node_name.empty() ? Hostname() : cfg.node_name;
    for (const auto& label : cfg.node_label) {
      auto eq = label.find('=');
      if (eq == std::string::npos || eq == 0) {
        std::cerr << "k1s agent: --node-label wants key=value, got \"" << label << "\"\n";
        return 1;
      }
      o.labels[label.substr(0, eq)] = label.substr(eq + 1);
    }
    o.taints = cfg.node_taint;
    o.kubelet_version = std::string(K1S_VERSION) + "-sim";
    return agent::sim::Run(cfg.server, cfg.token, o);
  }
  return NotBuiltYet("k1s agent", "the node agent (kubelet) lands after the API server; "
                                  "--simulate N runs simulated nodes meanwhile");
}

int RunToken(int argc, char** argv) {
  CLI::App app("Manage join tokens", "k1s token");
  auto parsed = ParseFlags(app, "k1s token", argc, argv);
  if (parsed.exit) return parsed.code;
  return NotBuiltYet("k1s token", "join tokens land with the server's join endpoints");
}

int RunKubectl(int argc, char** argv) {
  std::string kubectl = FindInPath("kubectl");
  // Do not run ourselves when k1s is installed as the `kubectl` symlink.
  std::string self = SelfExePath();
  if (!kubectl.empty() && !self.empty()) {
    std::error_code ec;
    if (std::filesystem::equivalent(kubectl, self, ec)) {
      kubectl.clear();
      const char* path = std::getenv("PATH");
      std::string rest;
      for (const auto& dir : std::vector<std::string>{"/usr/bin", "/usr/local/bin", "/bin"}) {
        std::string candidate = dir + "/kubectl";
        if (::access(candidate.c_str(), X_OK) == 0 && !std::filesystem::equivalent(candidate, self, ec)) {
          kubectl = candidate;
          break;
        }
      }
      (void)path;
    }
  }
  if (kubectl.empty()) {
    std::cerr << "k1s kubectl: kubectl is not installed (not found in PATH); install it, e.g. "
                 "'apt-get install kubectl' from the Kubernetes apt repository\n";
    return 1;
  }
  if (const char* kc = std::getenv("KUBECONFIG"); kc == nullptr || *kc == '\0') {
    ::setenv("KUBECONFIG", DefaultKubeconfig().c_str(), 1);
  }
  std::vector<std::string> args = {kubectl};
  for (int i = 1; i < argc; ++i) args.emplace_back(argv[i]);
  auto s = ExecReplace(args);
  std::cerr << "k1s kubectl: " << s.error().message << "\n";
  return 1;
}

int RunEtcdSnapshot(int argc, char** argv) {
  CLI::App app("Save, list and restore snapshots of the datastore", "k1s etcd-snapshot");
  std::string config_file;
  std::string data_dir = DefaultDataDir();
  AddConfigFlag(app, &config_file);
  app.add_option("--data-dir,-d", data_dir, "Folder holding the server's state")
      ->envname("K1S_DATA_DIR")
      ->capture_default_str();
  app.require_subcommand(1);
  app.fallthrough();  // --data-dir may come after the subcommand
  std::string name = "on-demand", dir, file;
  auto* save = app.add_subcommand("save", "Take a snapshot now (safe while the server runs)");
  save->add_option("--name", name, "Snapshot name prefix")->capture_default_str();
  save->add_option("--dir", dir, "Directory for snapshots (default <data-dir>/server/db/snapshots)");
  auto* ls = app.add_subcommand("ls", "List snapshots")->alias("list");
  ls->add_option("--dir", dir, "Directory for snapshots");
  auto* restore = app.add_subcommand("restore", "Replace the datastore with a snapshot (server stopped)");
  restore->add_option("file", file, "Snapshot file")->required();
  auto parsed = ParseFlags(app, "k1s etcd-snapshot", argc, argv);
  if (parsed.exit) return parsed.code;
  if (dir.empty()) dir = data_dir + "/server/db/snapshots";
  const std::string db = DbPath(data_dir);

  if (save->parsed()) {
    std::string out = dir + "/" + name + "-" + std::to_string(std::time(nullptr)) + ".db";
    auto s = datastore::SaveSnapshot(db, out);
    if (!s.ok()) {
      std::cerr << "k1s etcd-snapshot save: " << s.error().message << "\n";
      return 1;
    }
    std::error_code ec;
    std::cout << "Snapshot saved to " << out << " (" << HumanBytes(std::filesystem::file_size(out, ec)) << ")\n";
    return 0;
  }
  if (ls->parsed()) {
    std::error_code ec;
    std::vector<std::filesystem::directory_entry> entries;
    for (auto& e : std::filesystem::directory_iterator(dir, ec)) {
      if (e.is_regular_file() && e.path().extension() == ".db") entries.push_back(e);
    }
    std::sort(entries.begin(), entries.end(), [](auto& a, auto& b) { return a.path() < b.path(); });
    std::printf("%-60s %12s\n", "SNAPSHOT", "SIZE");
    for (auto& e : entries) std::printf("%-60s %12s\n", e.path().c_str(), HumanBytes(e.file_size(ec)).c_str());
    if (entries.empty()) std::cout << "(no snapshots in " << dir << ")\n";
    return 0;
  }
  if (restore->parsed()) {
    auto s = datastore::RestoreSnapshot(file, db);
    if (!s.ok()) {
      std::cerr << "k1s etcd-snapshot restore: " << s.error().message << "\n";
      return 1;
    }
    std::cout << "Restored " << db << " from " << file << "; the previous database is kept at " << db
              << ".before-restore; start the server with 'k1s server'\n";
    return 0;
  }
  return 1;
}

}  // namespace k1s::cmd
