#include "server/auth/reviews.h"

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include "lib/api/meta.h"

namespace k1s::auth {

namespace json = boost::json;

namespace {

constexpr const char* kAuthorizationV1 = "authorization.k8s.io/v1";
constexpr const char* kAuthenticationV1 = "authentication.k8s.io/v1";

std::string Str(const json::object& o, std::string_view field) {
  auto it = o.find(field);
  return it != o.end() && it->value().is_string() ? std::string(it->value().as_string()) : std::string();
}

const json::object* Obj(const json::object& o, std::string_view field) {
  auto it = o.find(field);
  return it != o.end() && it->value().is_object() ? &it->value().as_object() : nullptr;
}

json::array Array(const std::vector<std::string>& list) {
  json::array a;
  for (const auto& s : list) a.emplace_back(s);
  return a;
}

// The response skeleton: the request with apiVersion/kind defaulted and metadata kept.
json::object Response(const json::object& request, const char* api_version, const char* kind) {
  json::object out = request;
  if (Str(out, "apiVersion").empty()) out["apiVersion"] = api_version;
  if (Str(out, "kind").empty()) out["kind"] = kind;
  json::object& meta = api::Metadata(out);
  if (!meta.contains("creationTimestamp")) meta["creationTimestamp"] = nullptr;
  return out;
}

// "<Kind>.<group> "<name>" is invalid: <field>: Invalid value: <value>: <detail>"
Unexpected Invalid(const json::object& request, const char* kind, const char* group, const std::string& field,
                   const std::string& value, const std::string& detail) {
  return Fail(ErrorCode::kInvalid, std::string(kind) + "." + group + " \"" + api::MetaString(request, "name") +
                                       "\" is invalid: " + field + ": Invalid value: " + value + ": " + detail);
}

Result<const json::object*> Spec(const json::object& request) {
  auto it = request.find("spec");
  if (it == request.end() || it->value().is_null()) {
    static const json::object kEmpty;
    return &kEmpty;
  }
  if (!it->value().is_object()) return Fail(ErrorCode::kBadRequest, "spec must be an object");
  return &it->value().as_object();
}

// Fills attrs from spec.resourceAttributes / nonResourceAttributes (exactly one).
Status ReadAttributes(const json::object& request, const json::object& spec, const char* kind,
                      RequestAttributes* attrs) {
  const json::object* res = Obj(spec, "resourceAttributes");
  const json::object* non = Obj(spec, "nonResourceAttributes");
  if (res && non) {
    return Invalid(request, kind, "authorization.k8s.io", "spec.nonResourceAttributes", json::serialize(*non),
                   "cannot be specified in combination with resourceAttributes");
  }
  if (!res && !non) {
    return Invalid(request, kind, "authorization.k8s.io", "spec.resourceAttributes", "\"null\"",
                   "exactly one of nonResourceAttributes or resourceAttributes must be specified");
  }
  if (res) {
    attrs->resource_request = true;
    attrs->namespace_ = Str(*res, "namespace");
    attrs->verb = Str(*res, "verb");
    attrs->api_group = Str(*res, "group");
    attrs->resource = Str(*res, "resource");
    attrs->subresource = Str(*res, "subresource");
    attrs->name = Str(*res, "name");
  } else {
    attrs->resource_request = false;
    attrs->path = Str(*non, "path");
    attrs->verb = Str(*non, "verb");
  }
  return OkStatus();
}

json::object AccessStatus(const Decision& d) {
  json::object status{{"allowed", d.allowed}};
  if (!d.reason.empty()) status["reason"] = d.reason;
  return status;
}

UserInfo UserFromSpec(const json::object& spec) {
  UserInfo u;
  u.name = Str(spec, "user");
  u.uid = Str(spec, "uid");
  if (auto it = spec.find("groups"); it != spec.end() && it->value().is_array()) {
    for (const auto& g : it->value().as_array()) {
      if (g.is_string()) u.groups.emplace_back(g.as_string());
    }
  }
  if (const json::object* extra = Obj(spec, "extra")) {
    for (const auto& kv : *extra) {
      auto& values = u.extra[std::string(kv.key())];
      if (!kv.value().is_array()) continue;
      for (const auto& v : kv.value().as_array()) {
        if (v.is_string()) values.emplace_back(v.as_string());
      }
    }
  }
  return u;
}

Result<json::object> AccessReview(const json::object& request, const UserInfo& user, const char* kind,
                                  const Authorizer& authorizer, RequestAttributes attrs) {
  attrs.user = user;
  json::object out = Response(request, kAuthorizationV1, kind);
  out["status"] = AccessStatus(authorizer.Authorize(attrs));
  return out;
}

}  // namespace

json::object UserInfoJson(const UserInfo& u) {
  json::object o{{"username", u.name}};
  if (!u.uid.empty()) o["uid"] = u.uid;
  if (!u.groups.empty()) o["groups"] = Array(u.groups);
  if (!u.extra.empty()) {
    json::object extra;
    for (const auto& [k, v] : u.extra) extra[k] = Array(v);
    o["extra"] = std::move(extra);
  }
  return o;
}

Result<json::object> SelfSubjectAccessReview(const json::object& request, const UserInfo& caller,
                                             const Authorizer& authorizer) {
  K1S_ASSIGN_OR_RETURN(const json::object* spec, Spec(request));
  RequestAttributes attrs;
  K1S_TRY(ReadAttributes(request, *spec, "SelfSubjectAccessReview", &attrs));
  return AccessReview(request, caller, "SelfSubjectAccessReview", authorizer, std::move(attrs));
}

Result<json::object> SubjectAccessReview(const json::object& request, const Authorizer& authorizer) {
  K1S_ASSIGN_OR_RETURN(const json::object* spec, Spec(request));
  RequestAttributes attrs;
  K1S_TRY(ReadAttributes(request, *spec, "SubjectAccessReview", &attrs));
  UserInfo user = UserFromSpec(*spec);
  if (user.name.empty() && user.groups.empty()) {
    return Invalid(request, "SubjectAccessReview", "authorization.k8s.io", "spec.user", "\"\"",
                   "at least one of user or group must be specified");
  }
  return AccessReview(request, user, "SubjectAccessReview", authorizer, std::move(attrs));
}

Result<json::object> LocalSubjectAccessReview(const json::object& request, const std::string& ns,
                                              const Authorizer& authorizer) {
  K1S_ASSIGN_OR_RETURN(const json::object* spec, Spec(request));
  if (Obj(*spec, "nonResourceAttributes")) {
    return Invalid(request, "LocalSubjectAccessReview", "authorization.k8s.io", "spec.nonResourceAttributes",
                   json::serialize(spec->at("nonResourceAttributes")), "disallowed on this kind of request");
  }
  RequestAttributes attrs;
  K1S_TRY(ReadAttributes(request, *spec, "LocalSubjectAccessReview", &attrs));
  if (attrs.namespace_.empty()) attrs.namespace_ = ns;
  if (attrs.namespace_ != ns) {
    return Fail(ErrorCode::kBadRequest, "spec.resourceAttributes.namespace must match namespace: " + ns);
  }
  UserInfo user = UserFromSpec(*spec);
  if (user.name.empty() && user.groups.empty()) {
    return Invalid(request, "LocalSubjectAccessReview", "authorization.k8s.io", "spec.user", "\"\"",
                   "at least one of user or group must be specified");
  }
  json::object req = request;
  json::object& out_spec = req["spec"].as_object();
  out_spec["resourceAttributes"].as_object()["namespace"] = ns;
  return AccessReview(req, user, "LocalSubjectAccessReview", authorizer, std::move(attrs));
}

Result<json::object> SelfSubjectRulesReview(const json::object& request, const UserInfo& caller,
                                            const Authorizer& authorizer) {
  K1S_ASSIGN_OR_RETURN(const json::object* spec, Spec(request));
  const std::string ns = Str(*spec, "namespace");
  if (ns.empty()) return Fail(ErrorCode::kBadRequest, "no namespace on request");
  RulesForResult rules = authorizer.RulesFor(caller, ns);
  json::array resource_rules, non_resource_rules;
  for (const auto& r : rules.resource_rules) {
    json::object o{{"verbs", Array(r.verbs)}};
    if (!r.api_groups.empty()) o["apiGroups"] = Array(r.api_groups);
    if (!r.resources.empty()) o["resources"] = Array(r.resources);
    if (!r.resource_names.empty()) o["resourceNames"] = Array(r.resource_names);
    resource_rules.push_back(std::move(o));
  }
  for (const auto& r : rules.non_resource_rules) {
    non_resource_rules.push_back(json::object{{"verbs", Array(r.verbs)}, {"nonResourceURLs", Array(r.non_resource_urls)}});
  }
  json::object status{{"resourceRules", std::move(resource_rules)},
                      {"nonResourceRules", std::move(non_resource_rules)},
                      {"incomplete", rules.incomplete}};
  if (!rules.evaluation_error.empty()) status["evaluationError"] = rules.evaluation_error;
  json::object out = Response(request, kAuthorizationV1, "SelfSubjectRulesReview");
  out["status"] = std::move(status);
  return out;
}

Result<json::object> TokenReview(const json::object& request, const TokenVerifier& verify) {
  K1S_ASSIGN_OR_RETURN(const json::object* spec, Spec(request));
  const std::string token = Str(*spec, "token");
  if (token.empty()) return Fail(ErrorCode::kBadRequest, "token is required for TokenReview in authentication");
  std::vector<std::string> audiences;
  if (auto it = spec->find("audiences"); it != spec->end() && it->value().is_array()) {
    for (const auto& a : it->value().as_array()) {
      if (a.is_string()) audiences.emplace_back(a.as_string());
    }
  }
  json::object status;
  auto result = verify(token, audiences);
  if (result.ok()) {
    status["authenticated"] = true;
    status["user"] = UserInfoJson(result->user);
    if (!result->audiences.empty()) status["audiences"] = Array(result->audiences);
  } else {
    status["user"] = json::object();
    status["error"] = result.error().message;
  }
  json::object out = Response(request, kAuthenticationV1, "TokenReview");
  out["status"] = std::move(status);
  return out;
}

Result<json::object> SelfSubjectReview(const json::object& request, const UserInfo& caller) {
  json::object out = Response(request, kAuthenticationV1, "SelfSubjectReview");
  api::Metadata(out)["creationTimestamp"] = api::NowRfc3339();
  out["status"] = json::object{{"userInfo", UserInfoJson(caller)}};
  return out;
}

}  // namespace k1s::auth
