#include "server/apiserver/apiserver.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>

#include "lib/api/meta.h"
#include "lib/api/patch.h"
#include "lib/api/protobuf.h"
#include "lib/api/status.h"
#include "lib/base/clock.h"
#include "lib/base/log.h"
#include "lib/base/strings.h"
#include "server/apiserver/discovery.h"
#include "server/apiserver/request_decoding.h"
#include "server/auth/reviews.h"
#include "server/openapi/field_validation.h"
#include "server/openapi/openapi.h"
#include "server/openapi/openapi_v2.h"
#include "server/openapi/type_check.h"
#include "server/registry/apply.h"
#include "server/registry/crd.h"
#include "server/registry/tables.h"

namespace k1s::apiserver {

namespace json = boost::json;
using registry::ResourceInfo;

namespace {

constexpr char kComponent[] = "apiserver";
constexpr char kTableType[] = "application/json;as=Table;v=v1;g=meta.k8s.io";

bool AcceptsTable(const net::HttpRequest& req) { return req.Header("accept").find("as=Table") != std::string::npos; }

void SendJson(net::HttpResponder& resp, int code, const json::value& body, const std::string& type = "application/json") {
  resp.Send({code, type, {}, json::serialize(body)});
}
void SendError(net::HttpResponder& resp, const Error& e) {
  resp.Send({HttpStatus(e.code), "application/json", {}, api::StatusJson(e)});
}
void NotFoundPath(net::HttpResponder& resp) {
  SendError(resp, Error{ErrorCode::kNotFound, "the server could not find the requested resource"});
}
void MethodNotAllowed(net::HttpResponder& resp) {
  SendError(resp, Error{ErrorCode::kMethodNotAllowed, "the server does not allow this method on the requested resource"});
}

// One Table row: the cells, and the object as PartialObjectMetadata (or whole with includeObject=Object).
json::object Row(const registry::Registry& reg, const ResourceInfo& r, const json::object& obj, bool full_object) {
  json::object row{{"cells", reg.TableCells(r, obj)}};
  if (full_object) {
    row["object"] = obj;
  } else {
    auto m = obj.find("metadata");
    row["object"] = json::object{{"kind", "PartialObjectMetadata"}, {"apiVersion", "meta.k8s.io/v1"},
                                 {"metadata", m != obj.end() ? m->value() : json::object()}};
  }
  return row;
}

json::object Table(const registry::Registry& reg, const ResourceInfo& r, json::object meta, json::array rows) {
  return json::object{{"kind", "Table"}, {"apiVersion", "meta.k8s.io/v1"}, {"metadata", std::move(meta)},
                      {"columnDefinitions", reg.TableColumns(r)}, {"rows", std::move(rows)}};
}

bool DryRun(const net::HttpRequest& req) { return req.Query("dryRun") == "All"; }

registry::WriteOptions WriteOptionsOf(const net::HttpRequest& req) {
  registry::WriteOptions o;
  o.dry_run = DryRun(req);
  o.field_manager = req.Query("fieldManager");
  o.force = req.Query("force") == "true";
  if (o.field_manager.empty()) {
    // As upstream: the manager of a write without fieldManager is the client's name from User-Agent.
    std::string agent = req.Header("user-agent");
    o.field_manager = agent.substr(0, agent.find('/'));
  }
  return o;
}

registry::ListOptions ListOptionsOf(const net::HttpRequest& req) {
  registry::ListOptions o;
  o.label_selector = req.Query("labelSelector");
  o.field_selector = req.Query("fieldSelector");
  o.limit = ParseInt64(req.Query("limit")).value_or(0);
  o.continue_token = req.Query("continue");
  o.resource_version = req.Query("resourceVersion");
  o.resource_version_match = req.Query("resourceVersionMatch");
  o.allow_bookmarks = QueryBool(req, "allowWatchBookmarks").value_or(false);
  o.send_initial_events = QueryBool(req, "sendInitialEvents").value_or(false);
  return o;
}

// DeleteOptions from the query and the body (the body wins, as upstream).
Result<registry::DeleteOptions> DeleteOptionsOf(const net::HttpRequest& req) {
  registry::DeleteOptions o;
  // The values as sent, validated below as upstream's ValidateDeleteOptions does.
  std::vector<std::string> dry_run;
  std::optional<std::string> policy;
  if (auto d = req.Query("dryRun"); !d.empty()) dry_run.push_back(d);
  if (auto g = req.Query("gracePeriodSeconds"); !g.empty()) {
    o.grace_period_seconds = ParseInt64(g);
    if (!o.grace_period_seconds) {
      return Fail(ErrorCode::kBadRequest, "strconv.ParseInt: parsing \"" + g + "\": invalid syntax");
    }
  }
  if (auto p = req.Query("propagationPolicy"); !p.empty()) policy = p;
  if (!req.body.empty()) {
    K1S_ASSIGN_OR_RETURN(auto body, api::ParseObject(req.body));
    if (auto d = body.find("dryRun"); d != body.end() && d->value().is_array()) {
      dry_run.clear();
      for (const auto& v : d->value().as_array()) dry_run.push_back(v.is_string() ? std::string(v.get_string()) : "");
    }
    if (auto g = body.find("gracePeriodSeconds"); g != body.end() && g->value().is_int64()) o.grace_period_seconds = g->value().as_int64();
    if (auto p = body.find("propagationPolicy"); p != body.end() && p->value().is_string()) policy = std::string(p->value().as_string());
    if (auto pc = body.find("preconditions"); pc != body.end() && pc->value().is_object()) {
      const auto& po = pc->value().as_object();
      if (auto v = po.find("resourceVersion"); v != po.end() && v->value().is_string()) o.precondition_resource_version = v->value().as_string();
      if (auto v = po.find("uid"); v != po.end() && v->value().is_string()) o.precondition_uid = v->value().as_string();
    }
  }
  K1S_TRY(registry::ValidateDeleteOptions(dry_run, policy));
  o.dry_run = !dry_run.empty();
  o.propagation_policy = policy.value_or("");
  return o;
}

// A create/update body as a JSON object: JSON (also without a Content-Type), YAML, or protobuf for
// built-in kinds; 415 for other media types. kind: the type expected, named in decode errors.
Result<json::object> ParseBody(const net::HttpRequest& req, std::string_view kind = "", bool custom = false) {
  auto format = NegotiateBodyFormat(req.Header("content-type"), custom);
  if (!format.ok()) return Fail(format.error());
  if (*format == BodyFormat::kProtobuf) {
    auto obj = api::DecodeProtobufObject(req.body);
    if (!obj.ok() && obj.error().code == ErrorCode::kUnsupportedMediaType) {
      return Fail(ErrorCode::kUnsupportedMediaType,
                  "the body of the request was in an unknown format - accepted media types include: "
                  "application/json, application/yaml (" + obj.error().message + ")");
    }
    return obj;
  }
  return DecodeTextBody(*format, req.body, kind);
}

// A PATCH body by its Content-Type (the four patch types; custom resources take no strategic merge).
Result<std::pair<registry::PatchType, json::value>> ParsePatch(const net::HttpRequest& req, bool custom = false) {
  auto type = NegotiatePatchType(req.Header("content-type"), custom);
  if (!type.ok()) return Fail(type.error());
  const registry::PatchType t = *type;
  if (t == registry::PatchType::kApply) {
    auto config = registry::ParseApplyBody(req.body);
    if (!config.ok()) return Fail(config.error());
    return std::make_pair(registry::PatchType::kApply, json::value(std::move(*config)));
  }
  boost::system::error_code ec;
  json::value patch = json::parse(req.body, ec);
  bool json_patch = t == registry::PatchType::kJson;
  if (ec || (!json_patch && !patch.is_object()) || (json_patch && !patch.is_array())) {
    return Fail(ErrorCode::kBadRequest, std::string("error decoding patch: ") +
                                            (ec ? ec.message() : "unexpected JSON type for this patch type"));
  }
  return std::make_pair(t, std::move(patch));
}

}  // namespace

struct ApiServer::Impl {
  registry::Registry& reg;
  Security& security;
  ApiServerOptions options;
  // OpenAPI documents, rebuilt when CRDs change the served resources.
  std::mutex openapi_mu;
  std::shared_ptr<const openapi::OpenApi> openapi_doc;
  uint64_t openapi_generation = 0;
  std::shared_ptr<const openapi::OpenApiV2> openapi_v2;
  uint64_t openapi_v2_generation = 0;
  // Requests being served (watches excluded); beyond kMaxInflight the answer is 429 + Retry-After.
  static constexpr int kMaxInflight = 400;
  // The longest a short (not long-running) request may take; ?timeout= may only shorten it.
  static constexpr std::chrono::seconds kRequestTimeout{60};
  std::atomic<int> inflight{0};

  Impl(registry::Registry& r, Security& s, ApiServerOptions o)
      : reg(r), security(s), options(std::move(o)) {}

  std::shared_ptr<const openapi::OpenApi> OpenApiDocs() {
    std::lock_guard lock(openapi_mu);
    uint64_t gen = reg.ResourcesGeneration();
    if (!openapi_doc || gen != openapi_generation) {
      std::vector<registry::ResourceInfo> builtin;
      std::vector<openapi::CustomResource> custom;
      std::vector<json::object> crds = reg.CustomResourceDefinitions();
      for (const auto& r : *reg.Resources()) {
        if (!r.custom) {
          builtin.push_back(r);
          continue;
        }
        for (const auto& crd : crds) {
          if (api::MetaString(crd, "name") != r.plural + "." + r.group) continue;
          if (const json::object* schema = registry::CrdSchemaFor(crd, r.version)) custom.push_back({r, *schema});
        }
      }
      openapi_doc = std::make_shared<const openapi::OpenApi>(builtin, custom);
      openapi_generation = gen;
    }
    return openapi_doc;
  }

  // GET /openapi/v2: protobuf when Accept names it (kubectl), JSON otherwise; built-in kinds only.
  void OpenApiV2(const net::HttpRequest& req, net::HttpResponder& resp) {
    std::shared_ptr<const openapi::OpenApiV2> doc;
    {
      std::lock_guard lock(openapi_mu);
      uint64_t gen = reg.ResourcesGeneration();
      if (!openapi_v2 || gen != openapi_v2_generation) {
        openapi_v2 = std::make_shared<const openapi::OpenApiV2>(*reg.Resources(), "v1.32.0+k1s-" + options.version);
        openapi_v2_generation = gen;
      }
      doc = openapi_v2;
    }
    std::vector<std::pair<std::string, std::string>> headers{{"Etag", "\"" + doc->Hash() + "\""}};
    if (openapi::OpenApiV2::WantsProtobuf(req.Header("accept"))) {
      resp.Send({200, std::string(openapi::OpenApiV2::kProtobufContentType), std::move(headers), doc->Protobuf()});
    } else {
      resp.Send({200, "application/json", std::move(headers), doc->Json()});
    }
  }

  void SendObject(const ResourceInfo& r, const net::HttpRequest& req, net::HttpResponder& resp, int code,
                  const json::object& obj) {
    if (AcceptsTable(req) && obj.contains("metadata")) {
      json::object meta{{"resourceVersion", api::MetaString(obj, "resourceVersion")}};
      return SendJson(resp, code, Table(reg, r, std::move(meta), json::array{Row(reg, r, obj, req.Query("includeObject") == "Object")}),
                      kTableType);
    }
    SendJson(resp, code, obj);
  }

  // deadline: the request's (?timeout=, capped); a list still waiting for the watch cache then is a 504.
  void List(const ResourceInfo& r, const std::string& ns, const net::HttpRequest& req, net::HttpResponder& resp,
            std::chrono::steady_clock::time_point deadline) {
    auto o = ListOptionsOf(req);
    o.deadline = deadline;
    auto list = reg.List(r, ns, o);
    if (std::chrono::steady_clock::now() >= deadline) return SendError(resp, RequestTimedOut());
    if (!list.ok()) return SendError(resp, list.error());
    json::object meta{{"resourceVersion", list->resource_version}};
    if (!list->continue_token.empty()) meta["continue"] = list->continue_token;
    json::array items;
    items.reserve(list->items.size());
    if (AcceptsTable(req)) {
      bool full = req.Query("includeObject") == "Object";
      for (const auto& obj : list->items) items.push_back(Row(reg, r, obj, full));
      return SendJson(resp, 200, Table(reg, r, std::move(meta), std::move(items)), kTableType);
    }
    for (auto& obj : list->items) items.push_back(std::move(obj));
    SendJson(resp, 200,
             json::object{{"kind", r.kind + "List"}, {"apiVersion", r.GroupVersion()}, {"metadata", meta},
                          {"items", std::move(items)}});
  }

  void Watch(const ResourceInfo& r, const std::string& ns, const std::string& name, const net::HttpRequest& req,
             net::HttpResponder& resp) {
    auto o = ListOptionsOf(req);
    o.name = name;
    int64_t timeout = ParseInt64(req.Query("timeoutSeconds")).value_or(0);
    if (timeout <= 0) timeout = 1800;
    auto deadline = std::chrono::steady_clock::now() + ClampedSeconds(timeout);
    auto watch = reg.WatchObjects(r, ns, o);
    bool table = AcceptsTable(req);
    if (!watch.ok() && watch.error().code != ErrorCode::kGone) return SendError(resp, watch.error());
    if (!resp.StartStream(200, table ? kTableType : "application/json")) return;
    auto send_error = [&](const Error& e) {
      boost::system::error_code ec;
      resp.WriteChunk(json::serialize(json::object{{"type", "ERROR"}, {"object", api::StatusObject(e)}}) + "\n");
    };
    if (!watch.ok()) return send_error(watch.error());
    while (std::chrono::steady_clock::now() < deadline && resp.Alive()) {
      auto events = (*watch)->Next(std::chrono::milliseconds(500));
      if (!events.ok()) return send_error(events.error());
      std::string chunk;
      for (auto& ev : *events) {
        json::value body = std::move(ev.object);
        if (table && ev.type != "BOOKMARK") {
          const auto& obj = body.as_object();
          body = Table(reg, r, json::object{{"resourceVersion", api::MetaString(obj, "resourceVersion")}},
                       json::array{Row(reg, r, obj, false)});
        }
        chunk += json::serialize(json::object{{"type", ev.type}, {"object", std::move(body)}});
        chunk += "\n";
      }
      if (!chunk.empty() && !resp.WriteChunk(chunk)) return;
    }
  }

  void Delete(const ResourceInfo& r, const std::string& ns, const std::string& name, const net::HttpRequest& req,
              net::HttpResponder& resp) {
    auto o = DeleteOptionsOf(req);
    if (!o.ok()) return SendError(resp, o.error());
    bool gone = false;
    auto obj = reg.Delete(r, ns, name, *o, &gone);
    if (!obj.ok()) return SendError(resp, obj.error());
    if (!gone) return SendJson(resp, 200, *obj);
    // Gone at once: a Success Status, as upstream answers for most kinds.
    json::object st = api::SuccessStatus({name, r.group, r.plural, {}});
    st["details"].as_object()["uid"] = api::MetaString(*obj, "uid");
    SendJson(resp, 200, st);
  }

  void DeleteCollection(const ResourceInfo& r, const std::string& ns, const net::HttpRequest& req,
                        net::HttpResponder& resp) {
    auto o = DeleteOptionsOf(req);
    if (!o.ok()) return SendError(resp, o.error());
    auto list = reg.DeleteCollection(r, ns, ListOptionsOf(req), *o);
    if (!list.ok()) return SendError(resp, list.error());
    json::array items;
    for (auto& obj : list->items) items.push_back(std::move(obj));
    SendJson(resp, 200,
             json::object{{"kind", r.kind + "List"}, {"apiVersion", r.GroupVersion()},
                          {"metadata", json::object{{"resourceVersion", list->resource_version}}}, {"items", items}});
  }

  // /<name>/<sub> requests.
  void Subresource(const ResourceInfo& r, const std::string& ns, const std::string& name, const std::string& sub,
                   net::HttpRequest& req, net::HttpResponder& resp) {
    const std::string& m = req.method;
    if (!r.HasSubresource(sub)) return NotFoundPath(resp);
    if (sub == "status") {
      if (m == "GET") {
        auto obj = reg.Get(r, ns, name);
        return obj.ok() ? SendObject(r, req, resp, 200, *obj) : SendError(resp, obj.error());
      }
      if (m == "PUT") {
        if (auto f = NegotiateBodyFormat(req.Header("content-type"), r.custom); !f.ok()) return SendError(resp, f.error());
        if (auto fm = CheckFieldManager(req, false); !fm.ok()) return SendError(resp, fm.error());
        auto body = ParseBody(req, r.kind, r.custom);
        if (!body.ok()) return SendError(resp, body.error());
        if (auto k = CheckBodyKind(*body, r, *reg.Resources()); !k.ok()) return SendError(resp, k.error());
        if (auto typed = openapi::CheckBodyTypes(r, *body, *api::BuiltinSchema()); !typed.ok()) {
          return SendError(resp, typed.error());
        }
        auto obj = reg.Update(r, ns, name, std::move(*body), WriteOptionsOf(req), "status");
        return obj.ok() ? SendJson(resp, 200, *obj) : SendError(resp, obj.error());
      }
      if (m == "PATCH") {
        auto type = NegotiatePatchType(req.Header("content-type"), r.custom);
        if (!type.ok()) return SendError(resp, type.error());
        if (auto fm = CheckFieldManager(req, *type == registry::PatchType::kApply); !fm.ok()) return SendError(resp, fm.error());
        auto patch = ParsePatch(req, r.custom);
        if (!patch.ok()) return SendError(resp, patch.error());
        auto obj = reg.Patch(r, ns, name, patch->first, patch->second, WriteOptionsOf(req), "status");
        return obj.ok() ? SendJson(resp, 200, *obj) : SendError(resp, obj.error());
      }
      return MethodNotAllowed(resp);
    }
    if (sub == "finalize") {
      if (m != "PUT") return MethodNotAllowed(resp);
      auto body = ParseBody(req, r.kind);
      if (!body.ok()) return SendError(resp, body.error());
      auto obj = reg.Update(r, ns, name, std::move(*body), WriteOptionsOf(req), "finalize");
      return obj.ok() ? SendJson(resp, 200, *obj) : SendError(resp, obj.error());
    }
    if (sub == "scale") {
      if (m == "GET") {
        auto s = reg.GetScale(r, ns, name);
        if (!s.ok()) return SendError(resp, s.error());
        if (AcceptsTable(req)) {  // the Scale printer's columns, not the scaled kind's
          json::object row{{"cells", registry::ScaleTableCells(*s)},
                           {"object", json::object{{"kind", "PartialObjectMetadata"}, {"apiVersion", "meta.k8s.io/v1"},
                                                   {"metadata", s->at("metadata")}}}};
          if (req.Query("includeObject") == "Object") row["object"] = *s;
          json::object table{{"kind", "Table"}, {"apiVersion", "meta.k8s.io/v1"},
                             {"metadata", json::object{{"resourceVersion", api::MetaString(*s, "resourceVersion")}}},
                             {"columnDefinitions", registry::ScaleTableColumns()}, {"rows", json::array{row}}};
          return SendJson(resp, 200, table, kTableType);
        }
        return SendJson(resp, 200, *s);
      }
      json::object scale;
      if (m == "PUT") {
        auto body = ParseBody(req, "Scale");
        if (!body.ok()) return SendError(resp, body.error());
        scale = std::move(*body);
      } else if (m == "PATCH") {
        auto patch = ParsePatch(req, r.custom);
        if (!patch.ok()) return SendError(resp, patch.error());
        auto current = reg.GetScale(r, ns, name);
        if (!current.ok()) return SendError(resp, current.error());
        json::value target = std::move(*current);
        if (patch->first == registry::PatchType::kJson) {
          if (auto s = api::ApplyJsonPatch(target, patch->second); !s.ok()) return SendError(resp, s.error());
        } else {
          api::ApplyMergePatch(target, patch->second);
        }
        if (!target.is_object()) return SendError(resp, Error{ErrorCode::kBadRequest, "the patched Scale is not an object"});
        scale = std::move(target.as_object());
        api::Metadata(scale).erase("resourceVersion");
      } else {
        return MethodNotAllowed(resp);
      }
      auto s = reg.UpdateScale(r, ns, name, scale, WriteOptionsOf(req));
      return s.ok() ? SendJson(resp, 200, *s) : SendError(resp, s.error());
    }
    if (m != "POST") return MethodNotAllowed(resp);
    auto body = ParseBody(req, sub == "binding" ? "Binding" : "Eviction");
    if (!body.ok()) return SendError(resp, body.error());
    Result<json::object> out = Fail(ErrorCode::kNotFound, "the server could not find the requested resource");
    if (sub == "binding") out = reg.Bind(ns, name, *body, WriteOptionsOf(req));
    if (sub == "eviction") out = reg.Evict(ns, name, *body);
    if (!out.ok()) return SendError(resp, out.error());
    SendJson(resp, 201, *out);
  }

  // ---- reviews (create-only, never stored) ----
  void Review(const ResourceInfo& r, const std::string& ns, const auth::UserInfo& user, net::HttpRequest& req,
              net::HttpResponder& resp) {
    auto body = ParseBody(req, r.kind);
    if (!body.ok()) return SendError(resp, body.error());
    const auto& authz = security.authorizer();
    Result<json::object> out = Fail(ErrorCode::kNotFound, "the server could not find the requested resource");
    if (r.plural == "selfsubjectaccessreviews") out = auth::SelfSubjectAccessReview(*body, user, authz);
    if (r.plural == "subjectaccessreviews") out = auth::SubjectAccessReview(*body, authz);
    if (r.plural == "localsubjectaccessreviews") out = auth::LocalSubjectAccessReview(*body, ns, authz);
    if (r.plural == "selfsubjectrulesreviews") out = auth::SelfSubjectRulesReview(*body, user, authz);
    if (r.plural == "selfsubjectreviews") out = auth::SelfSubjectReview(*body, user);
    if (r.plural == "tokenreviews") {
      out = auth::TokenReview(*body, [this](const std::string& token, const std::vector<std::string>& audiences) {
        return security.VerifyToken(token, audiences);
      });
    }
    if (!out.ok()) return SendError(resp, out.error());
    SendJson(resp, 201, *out);
  }

  // Impersonate-User / Impersonate-Group (kubectl --as/--as-group): the requester needs the
  // impersonate verb on users (or serviceaccounts) and groups; the request then runs as that user.
  std::optional<Error> Impersonate(const net::HttpRequest& req, auth::UserInfo& user) {
    std::string as = req.Header("impersonate-user");
    std::string group = req.Header("impersonate-group");
    if (as.empty() && group.empty()) return std::nullopt;
    if (as.empty()) return Error{ErrorCode::kBadRequest, "requested impersonation of groups without impersonating a user"};
    auto check = [&](const std::string& resource, const std::string& ns, const std::string& name) -> std::optional<Error> {
      auth::RequestAttributes a;
      a.user = user;
      a.verb = "impersonate";
      a.resource = resource;
      a.namespace_ = ns;
      a.name = name;
      if (security.Authorize(a).allowed) return std::nullopt;
      return api::StatusError(ErrorCode::kForbidden,
                              resource + " \"" + name + "\" is forbidden: User \"" + user.name +
                                  "\" cannot impersonate resource \"" + resource + "\" in API group \"\"" +
                                  (ns.empty() ? " at the cluster scope" : " in the namespace \"" + ns + "\""),
                              {name, "", resource, {}});
    };
    std::string sa_ns, sa_name;
    auth::UserInfo next;
    next.name = as;
    if (auth::SplitServiceAccountUserName(as, &sa_ns, &sa_name)) {
      if (auto e = check("serviceaccounts", sa_ns, sa_name)) return e;
      next.groups = {std::string(auth::kServiceAccountsGroup), std::string(auth::kServiceAccountsGroup) + ":" + sa_ns};
    } else if (auto e = check("users", "", as)) {
      return e;
    }
    if (!group.empty()) {
      for (auto& g : Split(group, ',')) {
        std::string name(Trim(g));
        if (name.empty()) continue;
        if (auto e = check("groups", "", name)) return e;
        next.groups.push_back(name);
      }
    }
    if (as != auth::kAnonymousUser) next.groups.emplace_back(auth::kAllAuthenticated);
    user = std::move(next);
    return std::nullopt;
  }

  // ---- OpenAPI ----
  void OpenApiV3(const std::vector<std::string>& parts, const net::HttpRequest& req, net::HttpResponder& resp) {
    auto openapi = OpenApiDocs();
    if (parts.size() == 2) {
      resp.Send({200, "application/json", {}, openapi->V3Root()});
      return;
    }
    std::string path;
    for (size_t k = 2; k < parts.size(); ++k) path += (k > 2 ? "/" : "") + parts[k];
    const auto* doc = openapi->V3(path);
    if (!doc) return NotFoundPath(resp);
    std::vector<std::pair<std::string, std::string>> headers{{"Etag", "\"" + doc->hash + "\""}};
    // The hashed URL never changes content: clients may cache it for good.
    headers.emplace_back("Cache-Control",
                         req.Query("hash") == doc->hash ? "public, immutable" : "no-cache, private");
    resp.Send({200, "application/json", std::move(headers), doc->body});
  }

  void Handle(net::HttpRequest& req, net::HttpResponder& resp) {
    auto started = std::chrono::steady_clock::now();
    std::vector<std::string> parts;
    for (auto& p : Split(req.path, '/'))
      if (!p.empty()) parts.push_back(p);

    // Supervisor endpoints, before authentication as in k3s: the CA bundle an agent pins by the join
    // token's hash, and a liveness ping.
    if (parts.size() == 1 && parts[0] == "cacerts" && req.method == "GET") {
      resp.Send({200, "text/plain", {}, options.ca_bundle_pem});
      return;
    }
    if (parts.size() == 1 && parts[0] == "ping" && req.method == "GET") {
      resp.Send({200, "text/plain", {}, "pong"});
      return;
    }
    // The deadline of a short request, before authentication as upstream's request-deadline filter:
    // ?timeout= (a Go duration) shortens the server's 60 s; a malformed one is a 400. Watches and
    // streaming subresources are long-running and take none.
    const bool watch_path = (parts.size() > 3 && parts[0] == "api" && parts[2] == "watch") ||
                            (parts.size() > 4 && parts[0] == "apis" && parts[3] == "watch");
    const bool long_running =
        (req.method == "GET" && (watch_path || IsWatchQuery(req))) ||
        (parts.size() >= 5 && (parts.back() == "exec" || parts.back() == "attach" || parts.back() == "portforward" ||
                               parts.back() == "log" || parts.back() == "proxy"));
    auto deadline = std::chrono::steady_clock::time_point::max();
    if (!long_running) {
      auto timeout = RequestTimeout(req, kRequestTimeout);
      if (!timeout.ok()) return SendError(resp, timeout.error());
      deadline = started + std::chrono::duration_cast<std::chrono::steady_clock::duration>(*timeout);
    }
    auto user = security.Authenticate(req);
    if (!user.ok()) return SendError(resp, user.error());
    if (auto e = Impersonate(req, *user)) return SendError(resp, *e);

    // What the request is: a resource (/api/v1/..., /apis/G/V/...) or a plain path.
    auth::RequestAttributes attrs;
    attrs.user = *user;
    attrs.path = req.path;
    std::string group, version;
    size_t i = 0;
    if (parts.size() >= 3 && parts[0] == "api" && parts[1] == "v1") {
      version = "v1";
      i = 2;
    } else if (parts.size() >= 4 && parts[0] == "apis") {
      group = parts[1];
      version = parts[2];
      i = 3;
    }
    // The deprecated watch paths (/api/v1/watch/..., /apis/G/V/watch/...), still served: a watch of
    // what the rest of the path names.
    if (watch_path && (version == "v1" || i == 3) && parts.size() > i + 1) ++i;
    std::string ns, name, sub;
    const ResourceInfo* r = nullptr;
    const std::string& m = req.method;
    const bool watch = m == "GET" && (watch_path || IsWatchQuery(req));
    if (i > 0) {
      std::vector<std::string> rest(parts.begin() + static_cast<long>(i), parts.end());
      if (rest.size() >= 3 && rest[0] == "namespaces" && (r = reg.Find(group, version, rest[2])) && r->namespaced) {
        ns = rest[1];
        name = rest.size() >= 4 ? rest[3] : "";
        sub = rest.size() >= 5 ? rest[4] : "";
        if (rest.size() > 5) r = nullptr;
      } else {
        r = reg.Find(group, version, rest[0]);
        name = rest.size() >= 2 ? rest[1] : "";
        sub = rest.size() >= 3 ? rest[2] : "";
        if (r && (rest.size() > 3 || (r->namespaced && !name.empty()))) r = nullptr;
        // /api/v1/namespaces/<ns> is the namespace itself.
        if (r && r->group.empty() && r->plural == "namespaces") ns = name;
      }
    }
    if (r) {
      attrs.resource_request = true;
      attrs.api_group = r->group;
      attrs.resource = r->plural;
      attrs.subresource = sub;
      attrs.namespace_ = ns;
      attrs.name = name;
      attrs.verb = m == "POST" ? "create" : m == "PUT" ? "update" : m == "PATCH" ? "patch"
                   : m == "DELETE" ? (name.empty() ? "deletecollection" : "delete")
                   : watch ? "watch" : name.empty() ? "list" : "get";
      if (r->group.empty() && r->plural == "namespaces" && !name.empty() && sub.empty() && m == "GET") attrs.verb = "get";
    } else {
      attrs.resource_request = false;
      attrs.verb = m == "GET" || m == "HEAD" ? "get" : m == "POST" ? "post" : m == "PUT" ? "put" : m == "PATCH" ? "patch"
                   : m == "DELETE" ? "delete" : "get";
    }
    auto decision = security.Authorize(attrs);
    if (!decision.allowed) {
      std::string message = auth::ForbiddenStatusMessage(attrs, decision.reason);
      K1S_LOG(kDebug, kComponent) << "forbidden: " << message;
      return SendError(resp, r ? api::StatusError(ErrorCode::kForbidden, message, {name, r->group, r->plural, {}})
                               : Error{ErrorCode::kForbidden, message});
    }

    if (!r) {
      if (parts.size() == 1 && (parts[0] == "healthz" || parts[0] == "livez" || parts[0] == "readyz")) {
        std::string body = req.HasQuery("verbose")
                               ? "[+]ping ok\n[+]log ok\n[+]etcd ok\n" + parts[0] + " check passed\n" : "ok";
        resp.Send({200, "text/plain; charset=utf-8", {}, body});
        return;
      }
      if (parts.size() == 1 && parts[0] == "version") {
        return SendJson(resp, 200,
                        json::object{{"major", "1"}, {"minor", "32"}, {"gitVersion", "v1.32.0+k1s-" + options.version},
                                     {"gitCommit", options.git_commit}, {"gitTreeState", "clean"},
                                     {"buildDate", "1970-01-01T00:00:00Z"}, {"goVersion", "n/a (C++)"},
                                     {"compiler", "gcc"}, {"platform", "linux/amd64"}});
      }
      if (parts.size() == 2 && parts[0] == "openapi" && parts[1] == "v2") return OpenApiV2(req, resp);
      if (parts.size() >= 2 && parts[0] == "openapi" && parts[1] == "v3") return OpenApiV3(parts, req, resp);
      if (!parts.empty() && (parts[0] == "api" || parts[0] == "apis")) {
        if (auto d = Discover(*reg.Resources(), parts, req.Header("accept"))) return SendJson(resp, 200, d->body, d->content_type);
      }
      return NotFoundPath(resp);
    }

    if (watch_path && (m != "GET" || !sub.empty())) return m != "GET" ? MethodNotAllowed(resp) : NotFoundPath(resp);
    if (!watch) {
      if (inflight.fetch_add(1) >= kMaxInflight) {
        inflight.fetch_sub(1);
        resp.Send({429, "application/json", {{"Retry-After", "1"}}, api::StatusJson(TooManyRequests(1))});
        return;
      }
    }
    // List, watch and deletecollection read ListOptions from the query: unparsable numbers are a 400.
    if (!r->review && sub.empty() && (watch || (name.empty() && (m == "GET" || m == "DELETE")))) {
      if (auto s = CheckListQuery(req); !s.ok()) return SendError(resp, s.error());
    }
    struct Release {
      std::atomic<int>* counter;
      ~Release() {
        if (counter) counter->fetch_sub(1);
      }
    } release{watch ? nullptr : &inflight};
    if (r->review) {
      if (m != "POST" || !name.empty()) return MethodNotAllowed(resp);
      Review(*r, ns, *user, req, resp);
    } else if (r->group.empty() && r->plural == "serviceaccounts" && sub == "token") {
      if (m != "POST") return MethodNotAllowed(resp);
      auto body = ParseBody(req, "TokenRequest");
      if (!body.ok()) return SendError(resp, body.error());
      auto out = security.RequestToken(ns, name, *body);
      out.ok() ? SendJson(resp, 201, *out) : SendError(resp, out.error());
    } else if (!sub.empty()) {
      Subresource(*r, ns, name, sub, req, resp);
    } else if (name.empty()) {
      if (watch) {
        Watch(*r, ns, "", req, resp);
      } else if (m == "GET") {
        List(*r, ns, req, resp, deadline);
      } else if (m == "POST") {
        if (r->namespaced && ns.empty()) return NotFoundPath(resp);
        Write(*r, ns, "", *user, req, resp);
      } else if (m == "DELETE") {
        DeleteCollection(*r, ns, req, resp);
      } else {
        MethodNotAllowed(resp);
      }
    } else if (watch) {
      Watch(*r, ns, name, req, resp);
    } else if (m == "GET") {
      auto obj = reg.Get(*r, ns, name);
      obj.ok() ? SendObject(*r, req, resp, 200, *obj) : SendError(resp, obj.error());
    } else if (m == "PUT" || m == "PATCH") {
      Write(*r, ns, name, *user, req, resp);
    } else if (m == "DELETE") {
      Delete(*r, ns, name, req, resp);
    } else {
      MethodNotAllowed(resp);
    }
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
    K1S_LOG(kDebug, kComponent) << req.method << " " << req.target << " user=" << user->name << " " << ms << "ms";
  }

  // POST (create), PUT (update) and PATCH of an object, with server-side field validation
  // (fieldValidation=Strict|Warn|Ignore): unknown and duplicate fields are errors, warnings, or dropped.
  // Roles and bindings are also checked for privilege escalation (Security::CheckEscalation) against
  // what would be stored: the body, or for a patch the result of a dry run of it.
  void Write(const ResourceInfo& r, const std::string& ns, const std::string& name, const auth::UserInfo& user,
             net::HttpRequest& req, net::HttpResponder& resp) {
    // As upstream's handlers: the media type first (415), then the options (fieldManager), then the body.
    std::optional<BodyFormat> format;
    if (req.method == "PATCH") {
      auto type = NegotiatePatchType(req.Header("content-type"), r.custom);
      if (!type.ok()) return SendError(resp, type.error());
      if (auto fm = CheckFieldManager(req, *type == registry::PatchType::kApply); !fm.ok()) return SendError(resp, fm.error());
    } else {
      auto f = NegotiateBodyFormat(req.Header("content-type"), r.custom);
      if (!f.ok()) return SendError(resp, f.error());
      format = *f;
      if (auto fm = CheckFieldManager(req, false); !fm.ok()) return SendError(resp, fm.error());
    }
    auto mode = openapi::ParseFieldValidation(req.Query("fieldValidation"));
    if (!mode.ok()) return SendError(resp, mode.error());
    auto o = WriteOptionsOf(req);
    std::vector<std::string> problems;
    const bool protobuf = format == BodyFormat::kProtobuf;
    // Create and update bodies are decoded into the kind's type first, whatever the field validation:
    // a wrongly typed value is a BadRequest (patched objects are checked by the registry's patch).
    std::optional<Result<json::object>> parsed;
    if (req.method != "PATCH") {
      parsed = ParseBody(req, r.kind, r.custom);
      if (!parsed->ok()) return SendError(resp, parsed->error());
      // apiVersion and kind in the body must name this resource's (empty ones are defaulted).
      if (auto k = CheckBodyKind(**parsed, r, *reg.Resources()); !k.ok()) return SendError(resp, k.error());
      if (!protobuf) {
        if (auto typed = openapi::CheckBodyTypes(r, **parsed, *api::BuiltinSchema()); !typed.ok()) {
          return SendError(resp, typed.error());
        }
      }
    }
    // Duplicate fields are found in JSON text (a YAML body's duplicates are gone once converted).
    if (*mode != openapi::FieldValidation::kIgnore && format == BodyFormat::kJson) {
      problems = openapi::DuplicateFields(req.body);
    }
    o.unknown_fields = *mode == openapi::FieldValidation::kIgnore ? nullptr : &problems;
    // Strict refuses before anything is written.
    o.strict = *mode == openapi::FieldValidation::kStrict;
    if (o.strict && !problems.empty()) {
      return SendError(resp, Error{ErrorCode::kBadRequest, openapi::StrictErrorMessage(problems, r.kind, r.version)});
    }
    Result<json::object> out = Fail(ErrorCode::kInternal, "");
    int code = 200;
    const bool guarded = Security::GuardsEscalation(r) && !user.InGroup(auth::kSystemMasters);
    if (req.method == "PATCH") {
      auto patch = ParsePatch(req, r.custom);
      if (!patch.ok()) return SendError(resp, patch.error());
      if (guarded) {
        auto dry = o;
        dry.dry_run = true;
        dry.unknown_fields = nullptr;
        auto preview = reg.Patch(r, ns, name, patch->first, patch->second, dry);
        if (!preview.ok()) return SendError(resp, preview.error());
        auto current = reg.Get(r, ns, name);
        auto st = security.CheckEscalation(user, r, ns, name, *preview, current.ok() ? &*current : nullptr);
        if (!st.ok()) return SendError(resp, st.error());
      }
      out = reg.Patch(r, ns, name, patch->first, patch->second, o);
    } else {
      auto& body = *parsed;
      if (guarded) {
        std::optional<json::object> current;
        if (req.method == "PUT") {
          if (auto c = reg.Get(r, ns, name); c.ok()) current = std::move(*c);
        }
        auto st = security.CheckEscalation(user, r, ns, name, *body, current ? &*current : nullptr);
        if (!st.ok()) return SendError(resp, st.error());
      }
      if (req.method == "POST") {
        out = reg.Create(r, ns, std::move(*body), o);
        code = 201;
      } else {
        out = reg.Update(r, ns, name, std::move(*body), o);
      }
    }
    if (!out.ok()) {
      if (out.error().code == ErrorCode::kBadRequest && o.strict && !problems.empty()) {
        return SendError(resp, Error{ErrorCode::kBadRequest,
                                     openapi::StrictErrorMessage(problems, req.method == "PATCH" ? "" : r.kind,
                                                                 req.method == "PATCH" ? "" : r.version)});
      }
      return SendError(resp, out.error());
    }
    std::vector<std::pair<std::string, std::string>> headers;
    for (auto& w : openapi::WarningHeaders(problems)) headers.emplace_back("Warning", std::move(w));
    resp.Send({code, "application/json", std::move(headers), json::serialize(*out)});
  }
};

ApiServer::ApiServer(registry::Registry& registry, Security& security, ApiServerOptions options)
    : impl_(std::make_unique<Impl>(registry, security, std::move(options))) {}
ApiServer::~ApiServer() = default;

void ApiServer::Handle(net::HttpRequest& req, net::HttpResponder& resp) { impl_->Handle(req, resp); }

}  // namespace k1s::apiserver
