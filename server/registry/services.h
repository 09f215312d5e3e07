// Services: defaulting and validation of a Service's spec, and allocation of its ClusterIP (from
// --service-cidr) and NodePorts (from --service-node-port-range). Every allocation is a datastore key
// (/registry/ranges/serviceips/<ip>, /registry/ranges/nodeports/<port>) made with Create, so concurrent
// requests never hand out the same address or port. Thread-safe (all state is in the store).
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "datastore/store.h"
#include "lib/base/result.h"
#include "server/registry/field_error.h"

namespace k1s::registry {

class ServiceAllocator {
 public:
  // cidr like 10.43.0.0/16; port_range like 30000-32767.
  static Result<ServiceAllocator> Make(datastore::Store& store, const std::string& cidr, const std::string& port_range);

  // Defaults and validates spec of a new Service; returns the field errors (empty when valid).
  std::vector<FieldError> DefaultAndValidate(boost::json::object& svc) const;
  // Allocates the ClusterIP and NodePorts a valid new Service needs, writing them into svc. On failure
  // nothing stays allocated; a taken or out-of-range requested value is a FieldError.
  Result<std::vector<FieldError>> Allocate(boost::json::object& svc, const std::string& owner);
  // For an update: carries clusterIP(s) and nodePorts over from current where the new object omits them,
  // and refuses changing clusterIP (immutable). New node ports are allocated.
  Result<std::vector<FieldError>> PrepareUpdate(boost::json::object& svc, const boost::json::object& current,
                                                const std::string& owner);
  // Frees what svc holds (after the Service is deleted).
  void Release(const boost::json::object& svc);
  // The first address of the range (the kubernetes service).
  std::string FirstIp() const;

 private:
  ServiceAllocator(datastore::Store& store, uint32_t base, uint32_t size, int port_lo, int port_hi)
      : store_(&store), base_(base), size_(size), port_lo_(port_lo), port_hi_(port_hi) {}
  Result<bool> Claim(const std::string& key, const std::string& owner);
  datastore::Store* store_;
  uint32_t base_, size_;
  int port_lo_, port_hi_;
};

}  // namespace k1s::registry
