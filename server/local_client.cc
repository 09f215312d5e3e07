#include "server/local_client.h"

#include "lib/api/status.h"

namespace k1s::server {

namespace {

registry::ListOptions ToRegistry(const client::ListOptions& o) {
  registry::ListOptions out;
  out.label_selector = o.label_selector;
  out.field_selector = o.field_selector;
  out.limit = o.limit;
  out.continue_token = o.continue_token;
  out.resource_version = o.resource_version;
  out.resource_version_match = o.resource_version_match;
  out.name = o.name;
  out.allow_bookmarks = o.allow_bookmarks;
  out.send_initial_events = o.send_initial_events;
  return out;
}

registry::DeleteOptions ToRegistry(const client::DeleteOptions& o) {
  registry::DeleteOptions out;
  out.dry_run = o.dry_run;
  out.grace_period_seconds = o.grace_period_seconds;
  out.propagation_policy = o.propagation_policy;
  out.precondition_uid = o.precondition_uid;
  out.precondition_resource_version = o.precondition_resource_version;
  return out;
}

client::ObjectList FromRegistry(registry::ObjectList l) {
  return client::ObjectList{std::move(l.items), std::move(l.resource_version), std::move(l.continue_token)};
}

registry::PatchType ToRegistry(client::PatchType t) {
  switch (t) {
    case client::PatchType::kJson: return registry::PatchType::kJson;
    case client::PatchType::kMerge: return registry::PatchType::kMerge;
    case client::PatchType::kStrategicMerge: return registry::PatchType::kStrategicMerge;
  }
  return registry::PatchType::kMerge;
}

// Adapts a registry watch to the client's.
class LocalWatch : public client::Watch {
 public:
  explicit LocalWatch(std::unique_ptr<registry::Watch> w) : w_(std::move(w)) {}
  Result<std::vector<client::WatchEvent>> Next(std::chrono::milliseconds timeout) override {
    K1S_ASSIGN_OR_RETURN(auto events, w_->Next(timeout));
    std::vector<client::WatchEvent> out;
    out.reserve(events.size());
    for (auto& e : events) out.push_back({std::move(e.type), std::move(e.object)});
    return out;
  }

 private:
  std::unique_ptr<registry::Watch> w_;
};

}  // namespace

LocalClient::LocalClient(registry::Registry& registry, const apiserver::Security& security, auth::UserInfo user,
                         std::string field_manager)
    : registry_(registry), security_(security), user_(std::move(user)), field_manager_(std::move(field_manager)) {}

Result<const registry::ResourceInfo*> LocalClient::Check(const client::Resource& r, const std::string& verb,
                                                         const std::string& ns, const std::string& name,
                                                         const std::string& subresource) {
  const registry::ResourceInfo* info = registry_.Find(r.group, r.version, r.plural);
  if (!info) {
    return Fail(ErrorCode::kNotFound, "the server could not find the requested resource (" + r.plural + ")");
  }
  auth::RequestAttributes a;
  a.user = user_;
  a.verb = verb;
  a.api_group = r.group;
  a.resource = r.plural;
  a.subresource = subresource;
  a.namespace_ = ns;
  a.name = name;
  auto decision = security_.Authorize(a);
  if (!decision.allowed) {
    return Fail(api::StatusError(ErrorCode::kForbidden, auth::ForbiddenStatusMessage(a, decision.reason),
                                 {name, r.group, r.plural, {}}));
  }
  return info;
}

registry::WriteOptions LocalClient::Options(const client::WriteOptions& o) const {
  registry::WriteOptions out;
  out.dry_run = o.dry_run;
  out.field_manager = o.field_manager.empty() ? field_manager_ : o.field_manager;
  return out;
}

Result<json::object> LocalClient::Get(const client::Resource& r, const std::string& ns, const std::string& name) {
  K1S_ASSIGN_OR_RETURN(auto info, Check(r, "get", ns, name));
  return registry_.Get(*info, ns, name);
}

Result<client::ObjectList> LocalClient::List(const client::Resource& r, const std::string& ns,
                                             const client::ListOptions& o) {
  K1S_ASSIGN_OR_RETURN(auto info, Check(r, "list", ns, ""));
  K1S_ASSIGN_OR_RETURN(auto list, registry_.List(*info, ns, ToRegistry(o)));
  return FromRegistry(std::move(list));
}

Result<std::unique_ptr<client::Watch>> LocalClient::Watch(const client::Resource& r, const std::string& ns,
                                                          const client::ListOptions& o) {
  K1S_ASSIGN_OR_RETURN(auto info, Check(r, "watch", ns, o.name));
  K1S_ASSIGN_OR_RETURN(auto w, registry_.WatchObjects(*info, ns, ToRegistry(o)));
  return std::unique_ptr<client::Watch>(new LocalWatch(std::move(w)));
}

Result<json::object> LocalClient::Create(const client::Resource& r, const std::string& ns, json::object obj,
                                         const client::WriteOptions& o) {
  K1S_ASSIGN_OR_RETURN(auto info, Check(r, "create", ns, ""));
  if (apiserver::Security::GuardsEscalation(*info)) K1S_TRY(security_.CheckEscalation(user_, *info, ns, "", obj, nullptr));
  return registry_.Create(*info, ns, std::move(obj), Options(o));
}

Result<json::object> LocalClient::Update(const client::Resource& r, const std::string& ns, const std::string& name,
                                         json::object obj, const client::WriteOptions& o,
                                         const std::string& subresource) {
  K1S_ASSIGN_OR_RETURN(auto info, Check(r, "update", ns, name, subresource));
  if (apiserver::Security::GuardsEscalation(*info) && !user_.InGroup(auth::kSystemMasters)) {
    auto current = registry_.Get(*info, ns, name);
    K1S_TRY(security_.CheckEscalation(user_, *info, ns, name, obj, current.ok() ? &*current : nullptr));
  }
  return registry_.Update(*info, ns, name, std::move(obj), Options(o), subresource);
}

Result<json::object> LocalClient::Patch(const client::Resource& r, const std::string& ns, const std::string& name,
                                        client::PatchType type, const json::value& patch,
                                        const client::WriteOptions& o, const std::string& subresource) {
  K1S_ASSIGN_OR_RETURN(auto info, Check(r, "patch", ns, name, subresource));
  if (apiserver::Security::GuardsEscalation(*info) && !user_.InGroup(auth::kSystemMasters)) {
    // Checked against what the patch would store: a dry run of it.
    auto dry = Options(o);
    dry.dry_run = true;
    K1S_ASSIGN_OR_RETURN(auto preview, registry_.Patch(*info, ns, name, ToRegistry(type), patch, dry, subresource));
    auto current = registry_.Get(*info, ns, name);
    K1S_TRY(security_.CheckEscalation(user_, *info, ns, name, preview, current.ok() ? &*current : nullptr));
  }
  return registry_.Patch(*info, ns, name, ToRegistry(type), patch, Options(o), subresource);
}

Result<json::object> LocalClient::Delete(const client::Resource& r, const std::string& ns, const std::string& name,
                                         const client::DeleteOptions& o, bool* gone) {
  K1S_ASSIGN_OR_RETURN(auto info, Check(r, "delete", ns, name));
  return registry_.Delete(*info, ns, name, ToRegistry(o), gone);
}

Result<client::ObjectList> LocalClient::DeleteCollection(const client::Resource& r, const std::string& ns,
                                                         const client::ListOptions& list,
                                                         const client::DeleteOptions& o) {
  K1S_ASSIGN_OR_RETURN(auto info, Check(r, "deletecollection", ns, ""));
  K1S_ASSIGN_OR_RETURN(auto out, registry_.DeleteCollection(*info, ns, ToRegistry(list), ToRegistry(o)));
  return FromRegistry(std::move(out));
}

Result<json::object> LocalClient::Post(const client::Resource& r, const std::string& ns, const std::string& name,
                                       const std::string& subresource, const json::object& body) {
  K1S_ASSIGN_OR_RETURN(auto info, Check(r, "create", ns, name, subresource));
  if (info->group.empty() && info->plural == "pods" && subresource == "binding") {
    return registry_.Bind(ns, name, body, Options({}));
  }
  if (info->group.empty() && info->plural == "pods" && subresource == "eviction") return registry_.Evict(ns, name, body);
  if (info->group.empty() && info->plural == "serviceaccounts" && subresource == "token") {
    return security_.RequestToken(ns, name, body);
  }
  return Fail(ErrorCode::kNotFound, "the server could not find the requested resource (post " + r.plural + "/" +
                                        subresource + ")");
}

}  // namespace k1s::server
