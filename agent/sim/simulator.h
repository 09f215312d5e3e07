// Simulator: `k1s agent --simulate N` -- N pretend nodes in one process, for scale tests of the control
// plane without containers. Registers the Nodes, renews a Lease per node (every 10 s) and the Ready
// heartbeat (every 60 s), and plays the kubelet's part for pods bound to its nodes: Pending -> Running,
// exiting containers -> Succeeded/Failed, graceful deletion -> deleted. Nothing is ever run or contacted:
// addresses are strings from documentation/benchmark ranges.
// WATCHES pods with spec.nodeName set (one informer for all nodes). WRITES nodes, nodes/status, leases,
// pods/status, pod deletions. INVARIANT: a pod on one of its nodes is Running once started unless its
// containers exit; a terminating pod is gone within min(grace, 1 s).
// Threads: one informer thread, a few pod workers, one heartbeat thread that fans lease renewals out to
// a few short-lived helpers. Owned by cmd's RunAgent; Stop (or the destructor) joins them all.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "lib/base/clock.h"
#include "lib/client/client.h"
#include "lib/client/informer.h"
#include "lib/client/workqueue.h"
#include "lib/net/http_client.h"

namespace k1s::agent::sim {

struct SimulatorOptions {
  std::string name_prefix = "k1s";  // nodes are <prefix>-sim-<i>, i from 0
  int nodes = 1;
  std::map<std::string, std::string> labels;  // added to every node (--node-label)
  std::vector<std::string> taints;            // key[=value]:Effect (--node-taint)
  std::string kubelet_version = "v1.31.0-k1s-sim";
  int lease_duration_seconds = 40;
  std::chrono::milliseconds lease_interval{10000};
  std::chrono::milliseconds status_interval{60000};
  std::chrono::milliseconds start_delay{500};     // bound pod -> Running
  std::chrono::milliseconds run_duration{1000};   // Running -> exited, for pods whose containers exit
  std::chrono::milliseconds max_delete_delay{1000};
  int workers = 4;      // pod workers
  int parallelism = 8;  // concurrent requests for registration and lease rounds
};

// The exit code the containers of pod would exit with, or nullopt when they keep running. Only pods
// with restartPolicy Never or OnFailure exit: annotation k1s.io/simulate-exit: "<code>" decides;
// without it, every container's command+args must be one of ["true"], ["false"] (1),
// ["sh"|"/bin/sh", "-c", "exit N"] or ["sh", "-c", "true"].
std::optional<int> SimulatedExitCode(const client::json::object& pod);

// The Node object registered for node i.
client::json::object NodeObject(const SimulatorOptions& o, int index, std::chrono::system_clock::time_point now);
// pod's status (as a merge patch body {"status": ...}) once its containers run / have exited.
client::json::object RunningStatusPatch(const client::json::object& pod, const std::string& pod_ip,
                                        const std::string& host_ip, std::chrono::system_clock::time_point now);
client::json::object ExitedStatusPatch(const client::json::object& pod, int exit_code,
                                       std::chrono::system_clock::time_point now);
std::string NodeName(const SimulatorOptions& o, int index);
std::string HostIp(int index);       // 198.18.0.0/15 (RFC 2544 benchmarking), one per node
std::string PodIpPrefix(int index);  // "10.42.<i>." for i < 256, then 10.100.0.x onwards

class Simulator {
 public:
  Simulator(client::Client& client, SimulatorOptions options, Clock& clock = SystemClock());
  ~Simulator();  // Stop
  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;

  // Registers the nodes and their leases (in parallel), then starts the pod informer, the workers and
  // the heartbeat. Fails if no node could be registered.
  Status Start();
  // Stops every thread. Nodes and leases stay: the node lifecycle controller marks them NotReady when
  // the leases expire.
  void Stop();

  // One lease-renewal round over all nodes (the heartbeat thread calls it); the count renewed.
  int RenewLeases();
  // One node-status heartbeat round; the count updated.
  int UpdateNodeStatuses();
  // Pods this simulator has started and not yet seen finish or go.
  int RunningPods() const;
  int registered_nodes() const { return registered_.load(); }

 private:
  struct PodState {
    std::string uid;
    std::chrono::steady_clock::time_point first_seen;
    std::optional<std::chrono::steady_clock::time_point> running_since;
    std::optional<std::chrono::steady_clock::time_point> deleting_since;
    int node = -1;
    int ip_octet = 0;
    bool started = false, exited = false, deleted = false;
  };
  struct NodeState {
    std::string name;
    std::string host_ip;
    std::string pod_prefix;
    std::vector<bool> used_octets = std::vector<bool>(256, false);
    int next_octet = 2;
  };

  Status RegisterNode(int index);
  Status EnsureLease(int index);
  Status RenewLease(int index);
  Status ReconcilePod(const std::string& key);
  int AllocateIp(int node_index);
  void ReleaseIp(int node_index, int octet);
  void Enqueue(const client::ObjectPtr& pod);
  void HeartbeatLoop();
  // Runs fn(i) for i in [0, n) on `parallelism` threads; returns how many returned ok.
  int ParallelFor(int n, const std::function<Status(int)>& fn);

  client::Client& client_;
  const SimulatorOptions options_;
  Clock& clock_;
  std::vector<NodeState> nodes_;  // fixed after construction; used_octets guarded by mu_
  std::unordered_map<std::string, int> node_index_;
  std::atomic<int> registered_{0};

  std::unique_ptr<client::SharedInformer> pods_;
  client::WorkQueue queue_;
  std::thread worker_thread_;
  std::thread heartbeat_thread_;

  mutable std::mutex mu_;
  std::unordered_map<std::string, PodState> pod_states_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
  bool started_ = false;
};

// Joins a server the way a k3s agent does, for the simulator: parses the K10<hash>::<user>:<secret>
// token, fetches https://server/cacerts without verification, checks its SHA-256 against the token's
// hash (over the bytes served, as k3s; the DER of the first certificate is accepted too), and returns
// options that verify the server with that CA and authenticate with the whole token as a bearer token.
Result<net::HttpClientOptions> JoinOptions(const std::string& server_url, const std::string& token);

// `k1s agent --simulate N`: joins server_url with token, runs a Simulator until SIGINT or SIGTERM
// (blocked in the calling thread before any thread starts), stops it. Returns the exit code.
int Run(const std::string& server_url, const std::string& token, SimulatorOptions options);

}  // namespace k1s::agent::sim
