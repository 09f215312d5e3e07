#include "server/apiserver/security.h"

#include <boost/json/serialize.hpp>
#include <chrono>
#include <ctime>

#include "lib/api/meta.h"
#include "lib/api/status.h"
#include "lib/base/log.h"
#include "server/auth/bootstrap_policy.h"
#include "server/auth/escalation.h"
#include "server/auth/reviews.h"

namespace k1s::apiserver {

namespace json = boost::json;

namespace {

constexpr char kComponent[] = "auth";
constexpr int64_t kDefaultTokenSeconds = 3600;
constexpr int64_t kMinTokenSeconds = 600;

const registry::ResourceInfo* Rbac(registry::Registry& reg, const char* plural) {
  return reg.Find("rbac.authorization.k8s.io", "v1", plural);
}

std::string Rfc3339(int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

constexpr char kRbacGroup[] = "rbac.authorization.k8s.io";

std::string StringOf(const json::object* obj, std::string_view key) {
  const json::value* v = obj == nullptr ? nullptr : obj->if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
}

bool HasAggregationRule(const json::object* role) {
  if (role == nullptr) return false;
  const json::value* a = role->if_contains("aggregationRule");
  return a != nullptr && !a->is_null();
}

Error Unauthorized(const std::string& why) {
  K1S_LOG(kDebug, kComponent) << "rejected a bearer token: " << why;
  return Error{ErrorCode::kUnauthorized, "Unauthorized"};
}

}  // namespace

Result<std::unique_ptr<Security>> Security::Start(registry::Registry& registry, const SecurityOptions& options) {
  auto tokens = auth::ServiceAccountTokens::Create(options.service_key_pem, {options.service_pub_pem});
  if (!tokens.ok()) return Fail(ErrorCode::kInternal, "service-account signing key: " + tokens.error().message);
  std::unique_ptr<Security> s(new Security(registry, std::move(*tokens)));
  s->server_token_ = options.server_token;
  if (auto pos = options.server_token.find("::server:"); pos != std::string::npos) {
    s->server_secret_ = options.server_token.substr(pos + 9);
  }
  for (const char* plural : {"clusterroles", "clusterrolebindings", "roles", "rolebindings"}) {
    const auto* r = Rbac(registry, plural);
    K1S_ASSIGN_OR_RETURN(auto list, registry.List(*r, "", {}));
    for (const auto& obj : list.items) s->rbac_.Upsert(plural, obj);
    s->followers_.emplace_back([p = s.get(), r, rv = list.resource_version] { p->Follow(r, rv); });
  }
  K1S_LOG(kInfo, kComponent) << "RBAC loaded " << s->rbac_.RoleCount() << " roles and " << s->rbac_.BindingCount()
                             << " bindings";
  return s;
}

Security::~Security() {
  stopping_ = true;
  for (auto& t : followers_) t.join();
}

void Security::Follow(const registry::ResourceInfo* r, std::string rv) {
  while (!stopping_) {
    registry::ListOptions o;
    o.resource_version = rv;
    auto watch = registry_.WatchObjects(*r, "", o);
    if (!watch.ok()) {
      // Too old (or a hiccup): start over from a fresh list.
      auto list = registry_.List(*r, "", {});
      if (!list.ok()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        continue;
      }
      rbac_.Clear();
      // Clear forgets every RBAC resource: reload them all, not only this one.
      for (const char* plural : {"clusterroles", "clusterrolebindings", "roles", "rolebindings"}) {
        auto all = registry_.List(*Rbac(registry_, plural), "", {});
        if (all.ok())
          for (const auto& obj : all->items) rbac_.Upsert(plural, obj);
      }
      rv = list->resource_version;
      continue;
    }
    if (r->plural == "clusterroles") WriteAggregatedRules();
    while (!stopping_) {
      auto events = (*watch)->Next(std::chrono::milliseconds(300));
      if (!events.ok()) break;
      bool changed = false;
      for (const auto& ev : *events) {
        if (ev.type == "BOOKMARK") continue;
        rv = api::MetaString(ev.object, "resourceVersion");
        changed = true;
        if (ev.type == "DELETED") {
          rbac_.Remove(r->plural, api::MetaString(ev.object, "namespace"), api::MetaString(ev.object, "name"));
        } else {
          rbac_.Upsert(r->plural, ev.object);
        }
      }
      if (changed && r->plural == "clusterroles") WriteAggregatedRules();
    }
  }
}

// The ClusterRole aggregation controller: a ClusterRole with an aggregationRule gets, in .rules, the
// union of the rules of the ClusterRoles its selectors match (so `kubectl get clusterrole admin -o
// yaml` shows them). Writing only what differs ends the loop its own writes start.
void Security::WriteAggregatedRules() {
  const auto* r = Rbac(registry_, "clusterroles");
  auto list = registry_.List(*r, "", {});
  if (!list.ok()) return;
  for (const auto& role : list->items) {
    if (!role.contains("aggregationRule")) continue;
    std::string name = api::MetaString(role, "name");
    auto rules = rbac_.AggregatedRules(name);
    if (!rules) continue;
    const json::value* have = role.if_contains("rules");
    if (have && *have == json::value(*rules)) continue;
    json::object patch{{"rules", *rules}};
    auto updated = registry_.Patch(*r, "", name, registry::PatchType::kMerge, patch, {});
    if (!updated.ok()) {
      K1S_LOG(kWarn, kComponent) << "aggregating clusterrole " << name << ": " << updated.error().message;
    }
  }
}

Result<auth::TokenAuthResult> Security::VerifyToken(const std::string& token,
                                                    const std::vector<std::string>& audiences) const {
  auto claims = tokens_->Verify(token, audiences);
  if (!claims.ok()) return Fail(Unauthorized(claims.error().message));
  // The service account, and the object the token is bound to, must still exist with the same uid.
  auto exists = [&](const char* plural, const std::string& ns, const auth::BoundObject& o) {
    const auto* r = registry_.Find("", "v1", plural);
    auto obj = registry_.Get(*r, ns, o.name);
    return obj.ok() && (o.uid.empty() || api::MetaString(*obj, "uid") == o.uid);
  };
  if (!exists("serviceaccounts", claims->namespace_, {claims->service_account_name, claims->service_account_uid})) {
    return Fail(Unauthorized("service account " + claims->namespace_ + "/" + claims->service_account_name +
                             " no longer exists"));
  }
  if (claims->pod && !exists("pods", claims->namespace_, *claims->pod)) {
    return Fail(Unauthorized("pod " + claims->pod->name + " no longer exists"));
  }
  if (claims->secret && !exists("secrets", claims->namespace_, *claims->secret)) {
    return Fail(Unauthorized("secret " + claims->secret->name + " no longer exists"));
  }
  return auth::TokenAuthResult{auth::UserInfoFromClaims(*claims), claims->audiences};
}

Result<auth::UserInfo> Security::Authenticate(const net::HttpRequest& req) const {
  std::string authz = req.Header("authorization");
  if (authz.rfind("Bearer ", 0) == 0) {
    std::string token = authz.substr(7);
    if (!server_token_.empty() &&
        (token == server_token_ || (!server_secret_.empty() && (token == server_secret_ || token == "server:" + server_secret_)))) {
      auth::UserInfo agent;
      agent.name = "k1s:agent";
      agent.groups = {std::string(auth::kNodesGroup), std::string(auth::kSystemMasters),
                      std::string(auth::kAllAuthenticated)};
      return agent;
    }
    if (!auth::LooksLikeJwt(token)) return Fail(Unauthorized("not a JWT"));
    K1S_ASSIGN_OR_RETURN(auto result, VerifyToken(token, {}));
    return result.user;
  }
  if (req.client_cert_verified) {
    auth::UserInfo u;
    u.name = req.client_common_name;
    u.groups = req.client_organizations;
    u.groups.emplace_back(auth::kAllAuthenticated);
    return u;
  }
  auth::UserInfo anonymous;
  anonymous.name = std::string(auth::kAnonymousUser);
  anonymous.groups = {std::string(auth::kAllUnauthenticated)};
  return anonymous;
}

Result<json::object> Security::RequestToken(const std::string& ns, const std::string& name,
                                            const json::object& request) const {
  const auto* sas = registry_.Find("", "v1", "serviceaccounts");
  K1S_ASSIGN_OR_RETURN(auto sa, registry_.Get(*sas, ns, name));
  auth::ServiceAccountClaims c;
  c.namespace_ = ns;
  c.service_account_name = name;
  c.service_account_uid = api::MetaString(sa, "uid");
  int64_t seconds = kDefaultTokenSeconds;
  json::object spec;
  if (auto it = request.find("spec"); it != request.end() && it->value().is_object()) spec = it->value().as_object();
  if (auto a = spec.find("audiences"); a != spec.end() && a->value().is_array()) {
    for (const auto& v : a->value().as_array())
      if (v.is_string()) c.audiences.emplace_back(v.as_string());
  }
  if (c.audiences.empty()) c.audiences = {tokens_->issuer()};
  if (auto e = spec.find("expirationSeconds"); e != spec.end() && e->value().is_int64()) seconds = e->value().as_int64();
  if (seconds < kMinTokenSeconds) {
    return Fail(api::InvalidError("TokenRequest", "authentication.k8s.io", name,
                                  {{"spec.expirationSeconds", "FieldValueInvalid",
                                    "Invalid value: " + std::to_string(seconds) +
                                        ": may not specify a duration less than 10 minutes"}}));
  }
  if (auto b = spec.find("boundObjectRef"); b != spec.end() && b->value().is_object()) {
    const auto& bo = b->value().as_object();
    std::string kind = bo.contains("kind") && bo.at("kind").is_string() ? std::string(bo.at("kind").as_string()) : "";
    std::string bname = bo.contains("name") && bo.at("name").is_string() ? std::string(bo.at("name").as_string()) : "";
    const char* plural = kind == "Pod" ? "pods" : kind == "Secret" ? "secrets" : nullptr;
    if (!plural) {
      return Fail(api::InvalidError("TokenRequest", "authentication.k8s.io", name,
                                    {{"spec.boundObjectRef.kind", "FieldValueNotSupported",
                                      "Unsupported value: \"" + kind + "\": supported values: \"Pod\", \"Secret\""}}));
    }
    K1S_ASSIGN_OR_RETURN(auto bound, registry_.Get(*registry_.Find("", "v1", plural), ns, bname));
    auth::BoundObject ref{bname, api::MetaString(bound, "uid")};
    if (kind == "Pod") c.pod = ref;
    else c.secret = ref;
  }
  int64_t now = std::time(nullptr);
  c.issued_at = now;
  c.expires_at = now + seconds;
  K1S_ASSIGN_OR_RETURN(auto token, tokens_->Issue(c));
  json::object out = request;
  out["kind"] = "TokenRequest";
  out["apiVersion"] = "authentication.k8s.io/v1";
  auto& meta = api::Metadata(out);
  meta["name"] = name;
  meta["namespace"] = ns;
  meta["creationTimestamp"] = nullptr;
  spec["audiences"] = json::array(c.audiences.begin(), c.audiences.end());
  spec["expirationSeconds"] = seconds;
  out["spec"] = spec;
  out["status"] = json::object{{"token", token}, {"expirationTimestamp", Rfc3339(c.expires_at)}};
  return out;
}

Status Security::EnsureBootstrapPolicy(registry::Registry& reg) {
  auto ensure = [&](const char* plural, json::object obj) -> Status {
    const auto* r = Rbac(reg, plural);
    std::string ns = api::MetaString(obj, "namespace");
    std::string name = api::MetaString(obj, "name");
    auto current = reg.Get(*r, ns, name);
    if (!current.ok()) {
      auto created = reg.Create(*r, ns, std::move(obj), {});
      if (!created.ok() && created.error().code != ErrorCode::kAlreadyExists) return Fail(created.error());
      return OkStatus();
    }
    // Kept current unless an administrator turned autoupdate off, as upstream does.
    const auto* meta = current->at("metadata").if_object();
    const json::value* ann = meta ? meta->if_contains("annotations") : nullptr;
    const json::value* auto_update = ann && ann->is_object() ? ann->as_object().if_contains(
                                                                   "rbac.authorization.kubernetes.io/autoupdate")
                                                             : nullptr;
    if (auto_update && *auto_update == "false") return OkStatus();
    bool same = true;
    for (const char* f : {"rules", "subjects", "roleRef", "aggregationRule"}) {
      const json::value* want = obj.if_contains(f);
      const json::value* have = current->if_contains(f);
      if ((want == nullptr) != (have == nullptr) || (want && *want != *have)) same = false;
    }
    if (same) return OkStatus();
    for (const char* f : {"rules", "subjects", "roleRef", "aggregationRule"}) {
      if (const json::value* want = obj.if_contains(f)) (*current)[f] = *want;
    }
    api::Metadata(*current).erase("resourceVersion");
    auto updated = reg.Update(*r, ns, name, std::move(*current), {});
    if (!updated.ok()) return Fail(updated.error());
    return OkStatus();
  };
  for (auto& o : auth::BootstrapClusterRoles()) K1S_TRY(ensure("clusterroles", std::move(o)));
  for (auto& o : auth::BootstrapClusterRoleBindings()) {
    // Kubelets authenticate as system:node:<name> in group system:nodes; k1s has no Node authorizer,
    // so the system:node role is bound to that group (upstream leaves this binding empty).
    if (api::MetaString(o, "name") == "system:node") {
      o["subjects"] = json::array{json::object{
          {"apiGroup", "rbac.authorization.k8s.io"}, {"kind", "Group"}, {"name", std::string(auth::kNodesGroup)}}};
    }
    K1S_TRY(ensure("clusterrolebindings", std::move(o)));
  }
  for (auto& o : auth::BootstrapRoles()) K1S_TRY(ensure("roles", std::move(o)));
  for (auto& o : auth::BootstrapRoleBindings()) K1S_TRY(ensure("rolebindings", std::move(o)));
  return OkStatus();
}

bool Security::GuardsEscalation(const registry::ResourceInfo& r) {
  return r.group == kRbacGroup && (r.plural == "roles" || r.plural == "clusterroles" || r.plural == "rolebindings" ||
                                   r.plural == "clusterrolebindings");
}

Status Security::CheckEscalation(const auth::UserInfo& user, const registry::ResourceInfo& r, const std::string& ns,
                                 const std::string& name, const json::object& obj, const json::object* old) const {
  if (!GuardsEscalation(r) || user.InGroup(auth::kSystemMasters)) return OkStatus();
  const bool role = r.plural == "roles" || r.plural == "clusterroles";
  const std::string scope = r.namespaced ? ns : "";
  std::string obj_name = api::MetaString(obj, "name");
  if (obj_name.empty()) obj_name = name;
  auto forbidden = [&](const std::string& why) {
    return Fail(api::StatusError(ErrorCode::kForbidden,
                                 api::QualifiedResource(r.plural, r.group) + " \"" + obj_name + "\" is forbidden: " + why,
                                 {obj_name, r.group, r.plural, {}}));
  };
  auto allowed = [&](const std::string& verb, const std::string& group, const std::string& resource,
                     const std::string& resource_name) {
    auth::RequestAttributes a;
    a.user = user;
    a.verb = verb;
    a.api_group = group;
    a.resource = resource;
    a.namespace_ = scope;
    a.name = resource_name;
    return rbac_.Authorize(a).allowed;
  };
  auto owner = rbac_.RulesFor(user, scope);
  std::vector<auth::PolicyRule> held = owner.resource_rules;
  held.insert(held.end(), owner.non_resource_rules.begin(), owner.non_resource_rules.end());
  auto confirm = [&](const std::vector<auth::PolicyRule>& wanted) -> Status {
    auto missing = auth::UncoveredRules(held, wanted);
    if (missing.empty()) return OkStatus();
    return forbidden(auth::EscalationMessage(user, missing, owner.evaluation_error));
  };

  if (role) {
    if (old != nullptr && auth::IsOnlyMutatingGcFields(obj, *old)) return OkStatus();
    if (allowed("escalate", r.group, r.plural, name)) return OkStatus();
    K1S_TRY(confirm(auth::RulesOf(obj)));
    if (r.plural == "clusterroles" && (HasAggregationRule(&obj) || HasAggregationRule(old))) {
      auth::PolicyRule all_resources{{"*"}, {"*"}, {"*"}, {}, {}};
      auth::PolicyRule all_urls{{"*"}, {}, {}, {}, {"*"}};
      if (!auth::UncoveredRules(held, {all_resources, all_urls}).empty()) {
        return forbidden("must have cluster-admin privileges to use the aggregationRule");
      }
    }
    return OkStatus();
  }

  if (old != nullptr && auth::IsOnlyMutatingGcFields(obj, *old)) return OkStatus();
  const json::value* ref_value = obj.if_contains("roleRef");
  const json::object* ref = ref_value == nullptr ? nullptr : ref_value->if_object();
  std::string ref_kind = StringOf(ref, "kind");
  std::string ref_name = StringOf(ref, "name");
  std::string ref_group = StringOf(ref, "apiGroup");
  if (ref_kind != "Role" && ref_kind != "ClusterRole") return OkStatus();  // validation refuses it
  const char* ref_plural = ref_kind == "Role" ? "roles" : "clusterroles";
  if (allowed("bind", ref_group, ref_plural, ref_name)) return OkStatus();
  const registry::ResourceInfo* ref_info = Rbac(registry_, ref_plural);
  if (ref_info == nullptr) return OkStatus();
  K1S_ASSIGN_OR_RETURN(auto referenced, registry_.Get(*ref_info, ref_kind == "Role" ? scope : "", ref_name));
  std::vector<auth::PolicyRule> wanted = auth::RulesOf(referenced);
  if (wanted.empty()) {
    if (auto aggregated = rbac_.AggregatedRules(ref_name); aggregated && ref_kind == "ClusterRole") {
      json::object view{{"rules", std::move(*aggregated)}};
      wanted = auth::RulesOf(view);
    }
  }
  return confirm(wanted);
}

}  // namespace k1s::apiserver
