// LocalClient: the in-process Client the scheduler and controllers use inside `k1s server`. Each call
// is authorized with RBAC as the given identity (as a request would be) and then goes straight to the
// Registry: no TLS, no HTTP, no JSON re-encoding. Thread-safe (the Registry and Security are).
// Owned by the server's start-up wiring; one per component identity.
#pragma once

#include <memory>
#include <string>

#include "lib/client/client.h"
#include "server/apiserver/security.h"
#include "server/auth/user.h"
#include "server/registry/registry.h"

namespace k1s::server {

namespace json = boost::json;

class LocalClient : public client::Client {
 public:
  LocalClient(registry::Registry& registry, const apiserver::Security& security, auth::UserInfo user,
              std::string field_manager);

  using Client::Create;
  using Client::Delete;
  using Client::List;
  using Client::Patch;
  using Client::Update;

  Result<json::object> Get(const client::Resource& r, const std::string& ns, const std::string& name) override;
  Result<client::ObjectList> List(const client::Resource& r, const std::string& ns,
                                  const client::ListOptions& options) override;
  Result<std::unique_ptr<client::Watch>> Watch(const client::Resource& r, const std::string& ns,
                                               const client::ListOptions& options) override;
  Result<json::object> Create(const client::Resource& r, const std::string& ns, json::object obj,
                              const client::WriteOptions& options) override;
  Result<json::object> Update(const client::Resource& r, const std::string& ns, const std::string& name,
                              json::object obj, const client::WriteOptions& options,
                              const std::string& subresource) override;
  Result<json::object> Patch(const client::Resource& r, const std::string& ns, const std::string& name,
                             client::PatchType type, const json::value& patch, const client::WriteOptions& options,
                             const std::string& subresource) override;
  Result<json::object> Delete(const client::Resource& r, const std::string& ns, const std::string& name,
                              const client::DeleteOptions& options, bool* gone) override;
  Result<client::ObjectList> DeleteCollection(const client::Resource& r, const std::string& ns,
                                              const client::ListOptions& list,
                                              const client::DeleteOptions& options) override;
  Result<json::object> Post(const client::Resource& r, const std::string& ns, const std::string& name,
                            const std::string& subresource, const json::object& body) override;

 private:
  // The registry's row for r, after checking that the identity may `verb` it; errors as the API gives.
  Result<const registry::ResourceInfo*> Check(const client::Resource& r, const std::string& verb,
                                              const std::string& ns, const std::string& name,
                                              const std::string& subresource = "");
  registry::WriteOptions Options(const client::WriteOptions& o) const;

  registry::Registry& registry_;
  const apiserver::Security& security_;
  const auth::UserInfo user_;
  const std::string field_manager_;
};

}  // namespace k1s::server
