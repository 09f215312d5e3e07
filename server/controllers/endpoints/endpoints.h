// The Endpoints and EndpointSlice controllers: publish which pods back each Service. Owned by the
// controller manager; handlers run on informer threads and only enqueue service keys; Reconcile runs
// on the worker threads.
// WATCHES: services, pods (endpointslices for the slice controller, endpoints for the other).
// WRITES:  endpoints (same name as the service) / endpointslices (generateName "<service>-").
// INVARIANT: every managed Service (selector set, not ExternalName, not default/kubernetes) has
//   Endpoints / slices listing exactly its selected pods with an IP; services without selector are
//   left alone.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "lib/client/workqueue.h"
#include "server/controllers/controller.h"

namespace k1s::controllers::endpoints {

class EndpointsController final : public Controller {
 public:
  explicit EndpointsController(const ControllerContext& ctx);
  ~EndpointsController() override;
  std::string Name() const override { return "endpoints-controller"; }
  void Start(int workers) override;
  void Stop() override;
  // One service key ("ns/name"): brings its Endpoints up to date (or deletes them with the service).
  Status Reconcile(const std::string& key);

 private:
  void EnqueueServicesForPod(const client::ObjectPtr& pod);

  ControllerContext ctx_;
  client::SharedInformer& services_;
  client::SharedInformer& pods_;
  client::SharedInformer& endpoints_;
  client::WorkQueue queue_;
  std::thread runner_;
};

class EndpointSliceController final : public Controller {
 public:
  explicit EndpointSliceController(const ControllerContext& ctx, size_t max_endpoints_per_slice = 100);
  ~EndpointSliceController() override;
  std::string Name() const override { return "endpointslice-controller"; }
  void Start(int workers) override;
  void Stop() override;
  // One service key: creates, updates and deletes its managed slices to match its pods.
  Status Reconcile(const std::string& key);

 private:
  void EnqueueServicesForPod(const client::ObjectPtr& pod);
  // True when the slice cache has not yet seen this controller's last writes for the service
  // (creating from a stale cache would duplicate slices).
  bool CacheIsBehind(const std::string& key);
  void Expect(const std::string& key, const std::string& name, const std::string& rv);

  ControllerContext ctx_;
  const size_t max_per_slice_;
  client::SharedInformer& services_;
  client::SharedInformer& pods_;
  client::SharedInformer& slices_;
  client::WorkQueue queue_;
  std::thread runner_;
  // service key -> slice name -> resourceVersion written ("" = deleted), with when it was written.
  struct Expectations {
    std::map<std::string, std::string> slices;
    std::chrono::steady_clock::time_point at;
  };
  std::mutex mu_;
  std::map<std::string, Expectations> expectations_;
};

}  // namespace k1s::controllers::endpoints
