// EndpointReconciler: the API server's own entry in the default/kubernetes Service, as upstream's
// apiserver endpoint reconciler keeps it. The endpoints controller skips that Service (it has no
// selector); this writes its Endpoints and EndpointSlice directly through the registry.
// WRITES: endpoints default/kubernetes (one subset: this server's address, port "https"/TCP; label
//   endpointslice.kubernetes.io/skip-mirror=true) and endpointslices default/kubernetes (the same
//   endpoint, ready; label kubernetes.io/service-name=kubernetes; addressType IPv4 or IPv6).
// INVARIANT: both name exactly this server's advertise address and HTTPS port; a deleted or edited
//   object is put back within one interval (10 s, upstream's endpoint reconcile interval).
// Owned by server.cc; Start() does a first pass on the caller's thread, then runs on a thread of its own.
#pragma once

#include <boost/json/object.hpp>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "lib/base/result.h"
#include "server/registry/registry.h"

namespace k1s::apiserver {

namespace json = boost::json;

struct EndpointReconcilerOptions {
  std::string ip;  // the advertise address (AdvertiseAddress below)
  int port = 6443;
  std::chrono::milliseconds interval{10000};
};

class EndpointReconciler {
 public:
  EndpointReconciler(registry::Registry& registry, EndpointReconcilerOptions options);
  ~EndpointReconciler();  // Stop()

  // Creates or repairs both objects now (errors are also logged), then keeps them every interval.
  Status Start();
  void Stop();
  // One pass: creates what is missing, rewrites what differs. Idempotent.
  Status ReconcileOnce();

 private:
  Status ReconcileEndpoints();
  Status ReconcileSlice();
  void Loop();

  registry::Registry& registry_;
  EndpointReconcilerOptions options_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

// The address the API server advertises: --advertise-address when set; else the bind address when it
// is a specific address (127.0.0.1 for a loopback-only server); else the host's primary IPv4 (the
// source address of its default route, as k3s picks the node IP), else its first non-loopback IPv4,
// else 127.0.0.1.
std::string AdvertiseAddress(const std::string& advertise_address, const std::string& bind_address);

// The objects as they should be (pure; for tests and the reconciler).
json::object DesiredEndpoints(const std::string& ip, int port);
json::object DesiredEndpointSlice(const std::string& ip, int port);
// current with what differs from desired put right (subsets and the skip-mirror label; for slices:
// endpoints, ports and labels); nullopt when nothing differs. Other metadata is kept.
std::optional<json::object> RepairEndpoints(const json::object& current, const json::object& desired);
std::optional<json::object> RepairEndpointSlice(const json::object& current, const json::object& desired);

}  // namespace k1s::apiserver
