// The k1s subcommands. Each Run* function parses its own flags (cmd/flags.h) and returns the process
// exit code. Called from main() on the main thread; nothing here outlives the call.
#pragma once

#include <string>
#include <vector>

namespace k1s::cmd {

int RunServer(int argc, char** argv);
int RunAgent(int argc, char** argv);
int RunKubectl(int argc, char** argv);
int RunEtcdSnapshot(int argc, char** argv);
int RunToken(int argc, char** argv);
int RunVersion(int argc, char** argv);

// Default data directory: /var/lib/k1s as root, ~/.k1s otherwise (like k3s' rootless layout).
std::string DefaultDataDir();
// Default admin kubeconfig: /etc/k1s/k1s.yaml as root, ~/.k1s/k1s.yaml otherwise.
std::string DefaultKubeconfig();

}  // namespace k1s::cmd
