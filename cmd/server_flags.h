// ServerConfig: the settings of `k1s server`, filled from flags, K1S_* variables and the config file
// (cmd/flags.h). Plain data, built once on the main thread and handed to the server's wiring.
#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace k1s::cmd {

struct ServerConfig {
  std::string config_file;
  std::string data_dir;
  int https_listen_port = 6443;
  std::string bind_address = "0.0.0.0";
  std::string advertise_address;
  std::string write_kubeconfig;
  std::string write_kubeconfig_mode = "0600";
  std::vector<std::string> tls_san;
  std::string service_cidr = "10.43.0.0/16";
  std::string cluster_cidr = "10.42.0.0/16";
  std::string service_node_port_range = "30000-32767";
  std::string cluster_domain = "cluster.local";
  std::string cluster_dns = "10.43.0.10";
  std::string token;
  bool disable_agent = false;
  std::string node_name;
  std::vector<std::string> node_label;
  std::vector<std::string> node_taint;
  std::vector<std::string> disable;
  std::vector<std::string> kube_controller_manager_arg;
  std::vector<std::string> kube_scheduler_arg;
  std::string log_level = "info";
  std::string log_file;
  std::string datastore_sync = "full";
  bool print_config = false;
};

// Registers every server flag on app, bound to cfg.
void AddServerFlags(CLI::App& app, ServerConfig& cfg);
// "key: value" lines of the resolved configuration (for --print-config and the start-up log).
std::string DescribeServerConfig(const ServerConfig& cfg);

struct AgentConfig {
  std::string config_file;
  std::string server;
  std::string token;
  std::string data_dir;
  std::string node_name;
  std::vector<std::string> node_label;
  std::vector<std::string> node_taint;
  std::string log_level = "info";
  int simulate = 0;  // > 0: run that many simulated nodes instead of a real kubelet
};

void AddAgentFlags(CLI::App& app, AgentConfig& cfg);

}  // namespace k1s::cmd
