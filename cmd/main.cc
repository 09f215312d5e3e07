// k1s: one binary, many roles. main() picks the subcommand (or acts as kubectl when invoked through a
// `kubectl` symlink) and returns its exit code. Only cmd/ decides exit codes and prints usage.
#include <cstring>
#include <iostream>
#include <string>

#include "cmd/commands.h"

namespace {

void PrintUsage() {
  std::cout << "k1s: a Kubernetes distribution in one binary\n\n"
               "Usage: k1s COMMAND [flags]\n\n"
               "Commands:\n"
               "  server          Run the API server, controllers and datastore (and a node unless --disable-agent)\n"
               "  agent           Run a node and join it to a server (--server https://HOST:6443 --token T)\n"
               "  kubectl         Run kubectl against this cluster (KUBECONFIG defaults to the admin kubeconfig)\n"
               "  etcd-snapshot   Save, list and restore datastore snapshots\n"
               "  token           Manage join tokens\n"
               "  version         Print the version\n"
               "  help            Show this help\n\n"
               "Run 'k1s COMMAND --help' for a command's flags. Flags can also be set with K1S_* environment\n"
               "variables and in /etc/k1s/config.yaml (keys are flag names).\n";
}

}  // namespace

int main(int argc, char** argv) {
  std::string self = argv[0];
  std::string base = self.substr(self.find_last_of('/') == std::string::npos ? 0 : self.find_last_of('/') + 1);
  if (base == "kubectl") return k1s::cmd::RunKubectl(argc, argv);
  if (argc < 2) {
    PrintUsage();
    return 0;
  }
  std::string command = argv[1];
  // Subcommands see argv starting at their own name.
  int sub_argc = argc - 1;
  char** sub_argv = argv + 1;
  if (command == "help" || command == "--help" || command == "-h") {
    PrintUsage();
    return 0;
  }
  if (command == "version" || command == "--version" || command == "-v") return k1s::cmd::RunVersion(sub_argc, sub_argv);
  if (command == "server") return k1s::cmd::RunServer(sub_argc, sub_argv);
  if (command == "agent") return k1s::cmd::RunAgent(sub_argc, sub_argv);
  if (command == "kubectl") return k1s::cmd::RunKubectl(sub_argc, sub_argv);
  if (command == "etcd-snapshot") return k1s::cmd::RunEtcdSnapshot(sub_argc, sub_argv);
  if (command == "token") return k1s::cmd::RunToken(sub_argc, sub_argv);
  std::cerr << "k1s: unknown command \"" << command << "\"; run 'k1s help'\n";
  return 2;
}
