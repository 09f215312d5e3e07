// The `k1s server` role: explicit start-up wiring of the data dir, certificates, datastore, API server
// and HTTPS listener, in that order, and their shutdown in reverse. Runs on the main thread until
// SIGINT or SIGTERM.
#pragma once

#include <string>
#include <vector>

#include "lib/base/result.h"

namespace k1s::server {

struct ServerOptions {
  std::string data_dir;
  std::string bind_address = "0.0.0.0";
  int https_listen_port = 6443;
  std::string advertise_address;
  std::string write_kubeconfig;   // admin kubeconfig path
  int write_kubeconfig_mode = 0600;
  std::vector<std::string> tls_san;
  std::string service_cidr = "10.43.0.0/16";
  std::string service_node_port_range = "30000-32767";
  std::string cluster_domain = "cluster.local";
  std::string token;
  bool synchronous_full = true;
  // "key=value" arguments of the in-process components (k3s's --kube-controller-manager-arg and
  // --kube-scheduler-arg); see server/controllers/component_args.h for the keys.
  std::vector<std::string> kube_controller_manager_args;
  std::vector<std::string> kube_scheduler_args;
  std::string version;
  std::string git_commit;
};

// Runs the server until a signal asks it to stop. Returns the process exit code.
int Run(const ServerOptions& options);

// The first usable address of an IPv4 CIDR ("10.43.0.0/16" -> "10.43.0.1"), used as the kubernetes
// service IP.
Result<std::string> FirstServiceIp(const std::string& cidr);

}  // namespace k1s::server
