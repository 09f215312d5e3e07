#include "cmd/server_flags.h"

#include <sstream>

#include "cmd/commands.h"
#include "cmd/flags.h"

namespace k1s::cmd {
namespace {

// Adds an option whose environment variable follows the K1S_ naming rule.
template <typename T>
CLI::Option* Opt(CLI::App& app, const std::string& names, T& target, const std::string& help) {
  std::string first = names.substr(0, names.find(','));
  return app.add_option(names, target, help)->envname(EnvNameFor(first.substr(2)));
}

CLI::Option* Flag(CLI::App& app, const std::string& names, bool& target, const std::string& help) {
  std::string first = names.substr(0, names.find(','));
  return app.add_flag(names, target, help)->envname(EnvNameFor(first.substr(2)));
}

}  // namespace

void AddServerFlags(CLI::App& app, ServerConfig& cfg) {
  cfg.data_dir = DefaultDataDir();
  AddConfigFlag(app, &cfg.config_file);
  Opt(app, "--data-dir,-d", cfg.data_dir, "Folder to hold state")->capture_default_str();
  Opt(app, "--https-listen-port", cfg.https_listen_port, "HTTPS listen port")
      ->check(CLI::Range(1, 65535).description("an integer in 1..65535"))
      ->capture_default_str();
  Opt(app, "--bind-address", cfg.bind_address, "Address the API server listens on")
      ->check(CLI::ValidIPV4)
      ->capture_default_str();
  Opt(app, "--advertise-address", cfg.advertise_address, "Address the API server advertises to members");
  Opt(app, "--write-kubeconfig,-o", cfg.write_kubeconfig, "Write the admin kubeconfig to this file");
  Opt(app, "--write-kubeconfig-mode", cfg.write_kubeconfig_mode, "Mode of the kubeconfig file, e.g. 0644")
      ->check(CLI::Validator(
          [](std::string& v) -> std::string {
            if (v.empty() || v.size() > 4 || v.find_first_not_of("01234567") != std::string::npos)
              return "expected an octal file mode like 0600 or 644, got \"" + v + "\"";
            return "";
          },
          "MODE"))
      ->capture_default_str();
  Opt(app, "--tls-san", cfg.tls_san, "Extra hostname or IP as a Subject Alternative Name in the serving certificate")
      ->delimiter(',');
  Opt(app, "--service-cidr", cfg.service_cidr, "IPv4 network CIDR for service IPs")
      ->check(CidrValidator())
      ->capture_default_str();
  Opt(app, "--cluster-cidr", cfg.cluster_cidr, "IPv4 network CIDR for pod IPs")
      ->check(CidrValidator())
      ->capture_default_str();
  Opt(app, "--service-node-port-range", cfg.service_node_port_range, "Port range reserved for NodePort services")
      ->check(PortRangeValidator())
      ->capture_default_str();
  Opt(app, "--cluster-domain", cfg.cluster_domain, "Cluster domain")->capture_default_str();
  Opt(app, "--cluster-dns", cfg.cluster_dns, "Cluster IP of the DNS service")
      ->check(CLI::ValidIPV4)
      ->capture_default_str();
  Opt(app, "--token,-t", cfg.token, "Shared secret used to join agents to the cluster");
  Flag(app, "--disable-agent", cfg.disable_agent, "Do not run a local agent (node)");
  Opt(app, "--node-name", cfg.node_name, "Node name (default: the hostname)");
  Opt(app, "--node-label", cfg.node_label, "Label to register the node with (key=value)");
  Opt(app, "--node-taint", cfg.node_taint, "Taint to register the node with (key=value:Effect)");
  Opt(app, "--disable", cfg.disable, "Do not deploy a packaged component (e.g. coredns)")->delimiter(',');
  Opt(app, "--kube-controller-manager-arg", cfg.kube_controller_manager_arg,
      "Customized flag for the controller manager (key=value, e.g. node-monitor-grace-period=20s)");
  Opt(app, "--kube-scheduler-arg", cfg.kube_scheduler_arg, "Customized flag for the scheduler (key=value)");
  Opt(app, "--log-level", cfg.log_level, "Log level: debug, info, warn, error")
      ->check(CLI::IsMember({"debug", "info", "warn", "error"}))
      ->capture_default_str();
  Opt(app, "--log,-l", cfg.log_file, "Log to this file instead of stderr");
  Opt(app, "--datastore-sync", cfg.datastore_sync,
      "full: every acknowledged write survives power loss; normal: faster, an OS crash may lose the last writes")
      ->check(CLI::IsMember({"full", "normal"}))
      ->capture_default_str();
  app.add_flag("--print-config", cfg.print_config, "Print the resolved configuration and exit")->group("");
}

std::string DescribeServerConfig(const ServerConfig& c) {
  auto list = [](const std::vector<std::string>& v) {
    std::string out = "[";
    for (size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + v[i];
    return out + "]";
  };
  std::ostringstream o;
  o << "data-dir: " << c.data_dir << "\n"
    << "https-listen-port: " << c.https_listen_port << "\n"
    << "bind-address: " << c.bind_address << "\n"
    << "advertise-address: " << c.advertise_address << "\n"
    << "write-kubeconfig: " << c.write_kubeconfig << "\n"
    << "write-kubeconfig-mode: " << c.write_kubeconfig_mode << "\n"
    << "tls-san: " << list(c.tls_san) << "\n"
    << "service-cidr: " << c.service_cidr << "\n"
    << "cluster-cidr: " << c.cluster_cidr << "\n"
    << "service-node-port-range: " << c.service_node_port_range << "\n"
    << "cluster-domain: " << c.cluster_domain << "\n"
    << "cluster-dns: " << c.cluster_dns << "\n"
    << "token: " << (c.token.empty() ? "" : "<set>") << "\n"
    << "disable-agent: " << (c.disable_agent ? "true" : "false") << "\n"
    << "node-name: " << c.node_name << "\n"
    << "node-label: " << list(c.node_label) << "\n"
    << "node-taint: " << list(c.node_taint) << "\n"
    << "disable: " << list(c.disable) << "\n"
    << "kube-controller-manager-arg: " << list(c.kube_controller_manager_arg) << "\n"
    << "kube-scheduler-arg: " << list(c.kube_scheduler_arg) << "\n"
    << "log-level: " << c.log_level << "\n"
    << "log: " << c.log_file << "\n"
    << "datastore-sync: " << c.datastore_sync << "\n";
  return o.str();
}

void AddAgentFlags(CLI::App& app, AgentConfig& cfg) {
  cfg.data_dir = DefaultDataDir();
  AddConfigFlag(app, &cfg.config_file);
  app.add_option("--server,-s", cfg.server, "Server to connect to, e.g. https://HOST:6443")->envname("K1S_URL");
  Opt(app, "--token,-t", cfg.token, "Token to join the cluster");
  Opt(app, "--data-dir,-d", cfg.data_dir, "Folder to hold state")->capture_default_str();
  Opt(app, "--node-name", cfg.node_name, "Node name (default: the hostname)");
  Opt(app, "--node-label", cfg.node_label, "Label to register the node with (key=value)");
  Opt(app, "--node-taint", cfg.node_taint, "Taint to register the node with (key=value:Effect)");
  Opt(app, "--log-level", cfg.log_level, "Log level: debug, info, warn, error")
      ->check(CLI::IsMember({"debug", "info", "warn", "error"}))
      ->capture_default_str();
  Opt(app, "--simulate", cfg.simulate,
      "Run N simulated nodes (no containers: pods are only reported Running) instead of a real node")
      ->check(CLI::Range(0, 100000));
}

}  // namespace k1s::cmd
