// FakeClient: an in-memory Client for unit tests of control loops. Objects live in a map with one
// revision counter; every write is logged so watches see the events after their resourceVersion
// (label selectors, field selectors on any string field such as metadata.name, metadata.namespace,
// spec.nodeName, status.phase; objects entering or leaving a selector are ADDED/DELETED as upstream).
// It imitates the API server's metadata handling (uid, generation, resourceVersion, finalizers,
// status subresources) but no per-kind defaults or validation: it proves nothing about the server.
// Thread-safe: one mutex; watches wait on its condition variable.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lib/client/client.h"

namespace k1s::client {

class FakeClient final : public Client {
 public:
  // One call the fake served, for tests that check what a controller wrote.
  struct Action {
    std::string verb;         // get, list, watch, create, update, patch, delete, deletecollection, post
    std::string resource;     // plural ("pods")
    std::string ns, name;
    std::string subresource;  // "status", "binding", ...
  };
  // Called before each call; an Error fails the call instead (verb as in Action). Runs under the
  // fake's lock: it must not call the fake.
  using ErrorHook = std::function<std::optional<Error>(const std::string& verb, const Resource& r,
                                                       const std::string& ns, const std::string& name)>;

  FakeClient();
  ~FakeClient() override;

  using Client::Create;
  using Client::Delete;
  using Client::List;
  using Client::Patch;
  using Client::Update;

  Result<json::object> Get(const Resource& r, const std::string& ns, const std::string& name) override;
  Result<ObjectList> List(const Resource& r, const std::string& ns, const ListOptions& options) override;
  Result<std::unique_ptr<client::Watch>> Watch(const Resource& r, const std::string& ns,
                                               const ListOptions& options) override;
  Result<json::object> Create(const Resource& r, const std::string& ns, json::object obj,
                              const WriteOptions& options) override;
  Result<json::object> Update(const Resource& r, const std::string& ns, const std::string& name, json::object obj,
                              const WriteOptions& options, const std::string& subresource) override;
  Result<json::object> Patch(const Resource& r, const std::string& ns, const std::string& name, PatchType type,
                             const json::value& patch, const WriteOptions& options,
                             const std::string& subresource) override;
  Result<json::object> Delete(const Resource& r, const std::string& ns, const std::string& name,
                              const DeleteOptions& options, bool* gone) override;
  Result<ObjectList> DeleteCollection(const Resource& r, const std::string& ns, const ListOptions& list,
                                      const DeleteOptions& options) override;
  // pods/binding sets spec.nodeName (kConflict if already bound); pods/eviction deletes the pod;
  // anything else is recorded and answered with the body (serviceaccounts/token gets status.token).
  Result<json::object> Post(const Resource& r, const std::string& ns, const std::string& name,
                            const std::string& subresource, const json::object& body) override;

  // Stores an object as is, bypassing metadata handling except resourceVersion (test set-up).
  json::object Seed(const Resource& r, json::object obj);
  // The current revision (the resourceVersion of the last write; 1 before any, as etcd).
  int64_t Revision() const;
  // Forgets the event log up to now: watches from an older resourceVersion get kGone; every open
  // watch fails with kGone on its next Next (as a watcher that fell too far behind).
  void ExpireWatches();
  // While paused, open watches deliver nothing (events queue up until resumed or expired).
  void PauseWatches(bool paused);
  // Number of watches currently open.
  int OpenWatches() const;

  void SetErrorHook(ErrorHook hook);
  std::vector<Action> Actions() const;
  void ClearActions();

 private:
  struct State;
  class FakeWatch;
  std::shared_ptr<State> state_;
};

}  // namespace k1s::client
