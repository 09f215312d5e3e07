#include "server/apiserver/apiserver.h"

#include <optional>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <ctime>

#include "lib/api/meta.h"
#include "lib/api/patch.h"
#include "lib/api/protobuf.h"
#include "lib/base/log.h"
#include "lib/base/strings.h"
#include "server/registry/services.h"

namespace k1s::apiserver {

namespace json = boost::json;
using datastore::KeyValue;
using datastore::Revision;
using registry::ResourceInfo;

namespace {

constexpr char kComponent[] = "apiserver";
constexpr char kTableType[] = "application/json;as=Table;v=v1;g=meta.k8s.io";

// An API error with the Status details kubectl prints.
struct ApiError {
  int code;
  std::string reason;
  std::string message;
  std::string name;
  std::string kind;  // the resource (plural), as upstream
  std::string group;
  json::array causes;
};

std::string StatusBody(const ApiError& e) {
  json::object s{{"kind", "Status"}, {"apiVersion", "v1"}, {"metadata", json::object()}, {"status", "Failure"},
                 {"message", e.message}, {"reason", e.reason}, {"code", e.code}};
  if (!e.name.empty() || !e.kind.empty() || !e.causes.empty()) {
    json::object d;
    if (!e.name.empty()) d["name"] = e.name;
    d["group"] = e.group;
    if (!e.kind.empty()) d["kind"] = e.kind;
    if (!e.causes.empty()) d["causes"] = e.causes;
    s["details"] = std::move(d);
  }
  return json::serialize(s);
}

ApiError FromError(const Error& err, const ResourceInfo* r = nullptr, const std::string& name = "") {
  ApiError e{HttpStatus(err.code), std::string(ErrorCodeName(err.code)), err.message, name,
             r ? r->plural : "", r ? r->group : "", {}};
  return e;
}

std::string Qualified(const ResourceInfo& r) { return r.group.empty() ? r.plural : r.plural + "." + r.group; }

ApiError NotFound(const ResourceInfo& r, const std::string& name) {
  return {404, "NotFound", Qualified(r) + " \"" + name + "\" not found", name, r.plural, r.group, {}};
}

std::string HumanAge(const std::string& ts) {
  std::tm tm{};
  if (ts.size() < 19 || !strptime(ts.c_str(), "%Y-%m-%dT%H:%M:%S", &tm)) return "<unknown>";
  int64_t secs = std::time(nullptr) - timegm(&tm);
  if (secs < 0) secs = 0;
  // As kubectl's duration.HumanDuration.
  if (secs < 120) return std::to_string(secs) + "s";
  int64_t m = secs / 60;
  if (m < 10) return std::to_string(m) + "m" + (secs % 60 ? std::to_string(secs % 60) + "s" : "");
  if (m < 180) return std::to_string(m) + "m";
  int64_t h = secs / 3600;
  if (h < 8) return std::to_string(h) + "h" + (m % 60 ? std::to_string(m % 60) + "m" : "");
  if (h < 48) return std::to_string(h) + "h";
  int64_t d = h / 24;
  if (h < 24 * 8) return std::to_string(d) + "d" + (h % 24 ? std::to_string(h % 24) + "h" : "");
  if (d < 365 * 2) return std::to_string(d) + "d";
  return std::to_string(d / 365) + "y";
}

// Parses the stored JSON and sets metadata.resourceVersion from the datastore revision.
json::object Decode(const KeyValue& kv, Revision rv = 0) {
  boost::system::error_code ec;
  json::value v = json::parse(kv.value, ec);
  json::object obj = (!ec && v.is_object()) ? std::move(v.as_object()) : json::object();
  api::Metadata(obj)["resourceVersion"] = std::to_string(rv ? rv : kv.mod_revision);
  return obj;
}

bool AcceptsTable(const net::HttpRequest& req) { return req.Header("accept").find("as=Table") != std::string::npos; }

int64_t CountMap(const json::object& obj, const char* field) {
  auto it = obj.find(field);
  return it != obj.end() && it->value().is_object() ? static_cast<int64_t>(it->value().as_object().size()) : 0;
}

}  // namespace

struct ApiServer::Impl {
  datastore::Store& store;
  std::vector<ResourceInfo> resources;
  ApiServerOptions options;

  std::optional<registry::ServiceAllocator> services;
  // Requests being served (watches excluded); beyond kMaxInflight the answer is 429 + Retry-After.
  static constexpr int kMaxInflight = 400;
  std::atomic<int> inflight{0};

  Impl(datastore::Store& s, std::vector<ResourceInfo> r, ApiServerOptions o)
      : store(s), resources(std::move(r)), options(std::move(o)) {
    auto alloc = registry::ServiceAllocator::Make(store, options.service_cidr, options.service_node_port_range);
    if (alloc.ok()) {
      services.emplace(std::move(*alloc));
    } else {
      K1S_LOG(kError, kComponent) << "services will not get cluster IPs: " << alloc.error().message;
    }
  }

  static bool IsService(const ResourceInfo& r) { return r.group.empty() && r.plural == "services"; }

  // 422 Invalid with one cause per field error, worded as upstream.
  static ApiError InvalidError(const ResourceInfo& r, const std::string& name,
                              const std::vector<registry::FieldError>& errs) {
    json::array causes;
    std::vector<std::string> parts;
    for (const auto& e : errs) {
      causes.push_back(json::object{{"reason", e.reason}, {"message", e.message}, {"field", e.field}});
      parts.push_back(e.field + ": " + e.message);
    }
    std::string joined = parts.size() == 1 ? parts[0] : "[" + Join(parts, ", ") + "]";
    return {422, "Invalid", r.kind + " \"" + name + "\" is invalid: " + joined, name, r.kind, r.group, causes};
  }

  const ResourceInfo* Find(const std::string& group, const std::string& version, const std::string& plural) {
    for (const auto& r : resources)
      if (r.group == group && r.version == version && r.plural == plural) return &r;
    return nullptr;
  }
  const ResourceInfo* Namespaces() { return Find("", "v1", "namespaces"); }

  std::string Key(const ResourceInfo& r, const std::string& ns, const std::string& name) {
    return r.KeyPrefix() + (r.namespaced ? ns + "/" : "") + name;
  }

  // ---- responses ----
  static void SendJson(net::HttpResponder& resp, int code, const json::value& body,
                       const std::string& type = "application/json") {
    resp.Send({code, type, {}, json::serialize(body)});
  }
  static void SendError(net::HttpResponder& resp, const ApiError& e) {
    resp.Send({e.code, "application/json", {}, StatusBody(e)});
  }

  // ---- discovery ----
  json::array ResourceList(const std::string& group, const std::string& version) {
    json::array out;
    for (const auto& r : resources) {
      if (r.group != group || r.version != version) continue;
      json::array verbs, shorts, cats;
      for (auto& v : r.verbs) verbs.push_back(json::string(v));
      json::object o{{"name", r.plural}, {"singularName", r.singular}, {"namespaced", r.namespaced},
                     {"kind", r.kind}, {"verbs", verbs}};
      for (auto& s : r.short_names) shorts.push_back(json::string(s));
      for (auto& c : r.categories) cats.push_back(json::string(c));
      if (!shorts.empty()) o["shortNames"] = shorts;
      if (!cats.empty()) o["categories"] = cats;
      out.push_back(std::move(o));
    }
    return out;
  }

  // Served API groups in table order, each with its version.
  std::vector<std::pair<std::string, std::string>> Groups() {
    std::vector<std::pair<std::string, std::string>> groups;
    for (const auto& r : resources) {
      if (r.group.empty()) continue;
      bool seen = false;
      for (auto& g : groups) seen |= g.first == r.group;
      if (!seen) groups.emplace_back(r.group, r.version);
    }
    return groups;
  }

  // The aggregated discovery document (apidiscovery.k8s.io v2 or v2beta1) for /api or /apis.
  json::object AggregatedDiscovery(bool core, const std::string& api_version) {
    json::array items;
    auto versions_for = [&](const std::string& group, const std::string& version) {
      json::array res;
      for (const auto& r : resources) {
        if (r.group != group || r.version != version) continue;
        json::array verbs, shorts, cats;
        for (auto& v : r.verbs) verbs.push_back(json::string(v));
        for (auto& x : r.short_names) shorts.push_back(json::string(x));
        for (auto& c : r.categories) cats.push_back(json::string(c));
        json::object o{{"resource", r.plural},
                       {"responseKind", json::object{{"group", r.group}, {"version", r.version}, {"kind", r.kind}}},
                       {"scope", r.namespaced ? "Namespaced" : "Cluster"},
                       {"singularResource", r.singular},
                       {"verbs", verbs}};
        if (!shorts.empty()) o["shortNames"] = shorts;
        if (!cats.empty()) o["categories"] = cats;
        res.push_back(std::move(o));
      }
      return json::array{json::object{{"version", version}, {"resources", res}, {"freshness", "Current"}}};
    };
    if (core) {
      items.push_back(json::object{{"metadata", json::object()}, {"versions", versions_for("", "v1")}});
    } else {
      for (const auto& [g, v] : Groups()) {
        items.push_back(json::object{{"metadata", json::object{{"name", g}}}, {"versions", versions_for(g, v)}});
      }
    }
    return json::object{{"kind", "APIGroupDiscoveryList"}, {"apiVersion", api_version},
                        {"metadata", json::object()}, {"items", items}};
  }

  void Discovery(const std::vector<std::string>& parts, const net::HttpRequest& req, net::HttpResponder& resp) {
    // Aggregated discovery when the client asks for it (kubectl does, first choice v2).
    std::string accept = req.Header("accept");
    if (parts.size() == 1 && accept.find("as=APIGroupDiscoveryList") != std::string::npos) {
      bool v2 = accept.find("g=apidiscovery.k8s.io;v=v2;") != std::string::npos ||
                accept.find("g=apidiscovery.k8s.io;v=v2,") != std::string::npos;
      std::string version = v2 ? "v2" : "v2beta1";
      if (v2 || accept.find("v=v2beta1") != std::string::npos) {
        SendJson(resp, 200, AggregatedDiscovery(parts[0] == "api", "apidiscovery.k8s.io/" + version),
                 "application/json;g=apidiscovery.k8s.io;v=" + version + ";as=APIGroupDiscoveryList");
        return;
      }
    }
    if (parts.size() == 1 && parts[0] == "api") {
      SendJson(resp, 200,
               json::object{{"kind", "APIVersions"},
                            {"versions", json::array{"v1"}},
                            {"serverAddressByClientCIDRs",
                             json::array{json::object{{"clientCIDR", "0.0.0.0/0"}, {"serverAddress", ""}}}}});
      return;
    }
    if (parts.size() == 2 && parts[0] == "api" && parts[1] == "v1") {
      SendJson(resp, 200, json::object{{"kind", "APIResourceList"}, {"groupVersion", "v1"},
                                       {"resources", ResourceList("", "v1")}});
      return;
    }
    if (parts.size() == 1 && parts[0] == "apis") {
      json::array groups;
      for (const auto& [g, v] : Groups()) {
        json::object gv{{"groupVersion", g + "/" + v}, {"version", v}};
        groups.push_back(json::object{{"name", g}, {"versions", json::array{gv}}, {"preferredVersion", gv}});
      }
      SendJson(resp, 200, json::object{{"kind", "APIGroupList"}, {"apiVersion", "v1"}, {"groups", groups}});
      return;
    }
    if (parts.size() == 2 && parts[0] == "apis") {
      for (const auto& [g, v] : Groups()) {
        if (g != parts[1]) continue;
        json::object gv{{"groupVersion", g + "/" + v}, {"version", v}};
        SendJson(resp, 200, json::object{{"kind", "APIGroup"}, {"apiVersion", "v1"}, {"name", g},
                                         {"versions", json::array{gv}}, {"preferredVersion", gv}});
        return;
      }
    }
    if (parts.size() == 3 && parts[0] == "apis") {
      auto list = ResourceList(parts[1], parts[2]);
      if (!list.empty()) {
        SendJson(resp, 200, json::object{{"kind", "APIResourceList"}, {"apiVersion", "v1"},
                                         {"groupVersion", parts[1] + "/" + parts[2]}, {"resources", list}});
        return;
      }
    }
    NotFoundPath(resp);
  }

  static void NotFoundPath(net::HttpResponder& resp) {
    SendError(resp, {404, "NotFound", "the server could not find the requested resource", "", "", "", {}});
  }

  // ---- tables ----
  json::array Columns(const ResourceInfo& r) {
    auto col = [](const char* name, const char* type, const char* desc, const char* format = "") {
      return json::object{{"name", name}, {"type", type}, {"format", format}, {"description", desc}, {"priority", 0}};
    };
    json::array cols{col("Name", "string", "Name must be unique within a namespace.", "name")};
    if (r.plural == "namespaces") cols.push_back(col("Status", "string", "The status of the namespace"));
    if (r.plural == "secrets") cols.push_back(col("Type", "string", "The type of the secret"));
    if (r.plural == "configmaps" || r.plural == "secrets")
      cols.push_back(col("Data", "string", "Number of items in the data"));
    if (r.plural == "serviceaccounts") cols.push_back(col("Secrets", "string", "Number of secrets"));
    if (IsService(r)) {
      cols.push_back(col("Type", "string", "The type of the service"));
      cols.push_back(col("Cluster-IP", "string", "The cluster IP of the service"));
      cols.push_back(col("External-IP", "string", "The external IPs of the service"));
      cols.push_back(col("Port(s)", "string", "The ports of the service"));
    }
    cols.push_back(col("Age", "string", "CreationTimestamp is a timestamp of when the object was created."));
    return cols;
  }

  json::object Row(const ResourceInfo& r, const json::object& obj, bool full_object) {
    json::array cells{json::string(api::MetaString(obj, "name"))};
    if (r.plural == "namespaces") {
      std::string phase = "Active";
      if (auto s = obj.find("status"); s != obj.end() && s->value().is_object()) {
        if (auto p = s->value().as_object().find("phase"); p != s->value().as_object().end() && p->value().is_string())
          phase = std::string(p->value().as_string());
      }
      cells.push_back(json::string(phase));
    }
    if (r.plural == "secrets") {
      auto t = obj.find("type");
      cells.push_back(t != obj.end() && t->value().is_string() ? t->value() : json::value("Opaque"));
    }
    if (r.plural == "configmaps") cells.push_back(CountMap(obj, "data") + CountMap(obj, "binaryData"));
    if (r.plural == "secrets") cells.push_back(CountMap(obj, "data"));
    if (r.plural == "serviceaccounts") {
      auto s = obj.find("secrets");
      cells.push_back(s != obj.end() && s->value().is_array() ? static_cast<int64_t>(s->value().as_array().size()) : 0);
    }
    if (IsService(r)) {
      json::object spec;
      if (auto it = obj.find("spec"); it != obj.end() && it->value().is_object()) spec = it->value().as_object();
      auto str = [&](const char* f, const char* dflt) {
        auto it = spec.find(f);
        return it != spec.end() && it->value().is_string() && !it->value().as_string().empty()
                   ? std::string(it->value().as_string()) : std::string(dflt);
      };
      std::vector<std::string> ports;
      if (auto it = spec.find("ports"); it != spec.end() && it->value().is_array()) {
        for (const auto& p : it->value().as_array()) {
          if (!p.is_object()) continue;
          const auto& po = p.as_object();
          auto num = [&](const char* f) {
            auto x = po.find(f);
            return x != po.end() && x->value().is_int64() ? x->value().as_int64() : 0;
          };
          std::string proto = po.contains("protocol") && po.at("protocol").is_string() ? std::string(po.at("protocol").as_string()) : "TCP";
          ports.push_back(std::to_string(num("port")) + (num("nodePort") ? ":" + std::to_string(num("nodePort")) : "") + "/" + proto);
        }
      }
      cells.push_back(json::string(str("type", "ClusterIP")));
      cells.push_back(json::string(str("clusterIP", "<none>")));
      cells.push_back(json::string(str("type", "") == "ExternalName" ? str("externalName", "<none>") : "<none>"));
      cells.push_back(json::string(ports.empty() ? "<none>" : Join(ports, ",")));
    }
    cells.push_back(json::string(HumanAge(api::MetaString(obj, "creationTimestamp"))));
    json::object row{{"cells", cells}};
    if (full_object) {
      row["object"] = obj;
    } else {
      auto m = obj.find("metadata");
      row["object"] = json::object{{"kind", "PartialObjectMetadata"}, {"apiVersion", "meta.k8s.io/v1"},
                                   {"metadata", m != obj.end() ? m->value() : json::object()}};
    }
    return row;
  }

  // ---- selectors ----
  struct Filter {
    api::LabelSelector labels;
    std::vector<std::pair<std::string, std::string>> fields;  // field -> value (= only), "!" prefix for !=
    bool Matches(const json::object& obj) const {
      if (!labels.Matches(api::Labels(obj))) return false;
      for (const auto& [field, value] : fields) {
        bool negate = !field.empty() && field[0] == '!';
        std::string f = negate ? field.substr(1) : field;
        std::string actual = f == "metadata.name" ? api::MetaString(obj, "name")
                             : f == "metadata.namespace" ? api::MetaString(obj, "namespace")
                                                         : "";
        if ((actual == value) == negate) return false;
      }
      return true;
    }
  };

  Result<Filter> ParseFilter(const net::HttpRequest& req) {
    Filter f;
    K1S_ASSIGN_OR_RETURN(f.labels, api::LabelSelector::Parse(req.Query("labelSelector")));
    for (auto& part : Split(req.Query("fieldSelector"), ',')) {
      if (part.empty()) continue;
      auto ne = part.find("!=");
      auto eq = part.find('=');
      if (ne != std::string::npos) {
        f.fields.emplace_back("!" + part.substr(0, ne), part.substr(ne + 2));
      } else if (eq != std::string::npos) {
        std::string key = part.substr(0, eq);
        size_t skip = part.compare(eq, 2, "==") == 0 ? 2 : 1;
        f.fields.emplace_back(key, part.substr(eq + skip));
      } else {
        return Fail(ErrorCode::kBadRequest, "invalid field selector \"" + part + "\"");
      }
      std::string key = f.fields.back().first;
      if (key[0] == '!') key = key.substr(1);
      if (key != "metadata.name" && key != "metadata.namespace") {
        return Fail(ErrorCode::kBadRequest, "field label not supported: " + key);
      }
    }
    return f;
  }

  // ---- verbs ----
  void List(const ResourceInfo& r, const std::string& ns, const net::HttpRequest& req, net::HttpResponder& resp) {
    auto filter = ParseFilter(req);
    if (!filter.ok()) return SendError(resp, FromError(filter.error(), &r));
    datastore::ListOptions o;
    o.prefix = r.KeyPrefix() + (r.namespaced && !ns.empty() ? ns + "/" : "");
    if (auto limit = req.Query("limit"); !limit.empty()) o.limit = std::atoll(limit.c_str());
    o.continue_token = req.Query("continue");
    auto list = store.List(o);
    if (!list.ok()) {
      auto e = FromError(list.error(), &r);
      if (list.error().code == ErrorCode::kGone) {
        e.message = "The provided continue parameter is too old to display a consistent list result. You can start "
                    "a new list without the continue parameter.";
      }
      if (list.error().code == ErrorCode::kBadRequest) e.message = "invalid continue token";
      return SendError(resp, e);
    }
    json::object meta{{"resourceVersion", std::to_string(list->revision)}};
    if (list->more) meta["continue"] = list->continue_token;
    bool table = AcceptsTable(req);
    bool full = req.Query("includeObject") == "Object";
    json::array items;
    for (const auto& kv : list->items) {
      json::object obj = Decode(kv);
      if (!filter->Matches(obj)) continue;
      items.push_back(table ? json::value(Row(r, obj, full)) : json::value(std::move(obj)));
    }
    if (table) {
      SendJson(resp, 200,
               json::object{{"kind", "Table"}, {"apiVersion", "meta.k8s.io/v1"}, {"metadata", meta},
                            {"columnDefinitions", Columns(r)}, {"rows", items}},
               kTableType);
      return;
    }
    SendJson(resp, 200,
             json::object{{"kind", r.kind + "List"}, {"apiVersion", r.GroupVersion()}, {"metadata", meta},
                          {"items", items}});
  }

  void Get(const ResourceInfo& r, const std::string& ns, const std::string& name, const net::HttpRequest& req,
           net::HttpResponder& resp) {
    auto kv = store.Get(Key(r, ns, name));
    if (!kv.ok()) {
      if (kv.error().code == ErrorCode::kNotFound) return SendError(resp, NotFound(r, name));
      return SendError(resp, FromError(kv.error(), &r, name));
    }
    json::object obj = Decode(*kv);
    if (AcceptsTable(req)) {
      SendJson(resp, 200,
               json::object{{"kind", "Table"}, {"apiVersion", "meta.k8s.io/v1"},
                            {"metadata", json::object{{"resourceVersion", std::to_string(kv->mod_revision)}}},
                            {"columnDefinitions", Columns(r)},
                            {"rows", json::array{Row(r, obj, req.Query("includeObject") == "Object")}}},
               kTableType);
      return;
    }
    SendJson(resp, 200, obj);
  }

  // Checks that ns exists and is not terminating (for writes into it).
  std::optional<ApiError> CheckNamespace(const ResourceInfo& r, const std::string& ns, const std::string& name) {
    if (!r.namespaced) return std::nullopt;
    auto kv = store.Get(Key(*Namespaces(), "", ns));
    if (!kv.ok()) return NotFound(*Namespaces(), ns);
    json::object obj = Decode(*kv);
    if (auto s = obj.find("status"); s != obj.end() && s->value().is_object()) {
      auto p = s->value().as_object().find("phase");
      if (p != s->value().as_object().end() && p->value() == "Terminating") {
        return ApiError{403, "Forbidden",
                        Qualified(r) + " \"" + name + "\" is forbidden: unable to create new content in namespace " +
                            ns + " because it is being terminated",
                        name, r.plural, r.group, {}};
      }
    }
    return std::nullopt;
  }

  // Validates and completes an object for create; the error is ready to send.
  std::optional<ApiError> PrepareCreate(const ResourceInfo& r, const std::string& ns, json::object& obj) {
    // Validate the kind before touching the object; insert top-level fields before holding a
    // reference into metadata (an insert may move the object's storage).
    if (auto kind = obj.find("kind"); kind != obj.end() && kind->value().is_string() && kind->value().as_string() != r.kind) {
      return ApiError{400, "BadRequest",
                      "the kind of the provided object (" + std::string(kind->value().as_string()) +
                          ") does not match the resource (" + r.kind + ")",
                      "", "", "", {}};
    }
    obj["kind"] = r.kind;
    obj["apiVersion"] = r.GroupVersion();
    if (r.plural == "namespaces") {
      obj["spec"] = json::object{{"finalizers", json::array{"kubernetes"}}};
      obj["status"] = json::object{{"phase", "Active"}};
    }
    if (r.plural == "secrets" && obj.find("type") == obj.end()) obj["type"] = "Opaque";
    auto& meta = api::Metadata(obj);
    std::string name = api::MetaString(obj, "name");
    std::string generate = api::MetaString(obj, "generateName");
    if (name.empty() && !generate.empty()) {
      name = generate + api::RandomSuffix(5);
      meta["name"] = name;
    }
    auto invalid = [&](const std::string& field, const std::string& detail, const std::string& shown) {
      json::array causes{json::object{{"reason", "FieldValueInvalid"}, {"message", "Invalid value: \"" + shown + "\": " + detail},
                                      {"field", field}}};
      return ApiError{422, "Invalid",
                      r.kind + " \"" + shown + "\" is invalid: " + field + ": Invalid value: \"" + shown + "\": " + detail,
                      shown, r.kind, r.group, causes};
    };
    if (name.empty()) {
      json::array causes{json::object{{"reason", "FieldValueRequired"}, {"message", "Required value: name or generateName is required"},
                                      {"field", "metadata.name"}}};
      return ApiError{422, "Invalid", r.kind + " \"\" is invalid: metadata.name: Required value: name or generateName is required",
                      "", r.kind, r.group, causes};
    }
    std::string why = r.label_names ? api::ValidateDns1123Label(name) : api::ValidateDns1123Subdomain(name);
    if (!why.empty()) return invalid("metadata.name", why, name);
    std::string body_ns = api::MetaString(obj, "namespace");
    if (r.namespaced) {
      if (!body_ns.empty() && body_ns != ns) {
        return ApiError{400, "BadRequest",
                        "the namespace of the provided object does not match the namespace sent on the request", "",
                        "", "", {}};
      }
      meta["namespace"] = ns;
    } else {
      meta.erase("namespace");
    }
    meta["uid"] = api::NewUid();
    meta["creationTimestamp"] = api::NowRfc3339();
    meta["generation"] = 1;
    meta.erase("resourceVersion");
    meta.erase("deletionTimestamp");
    if (r.plural == "namespaces") {
      auto& labels = meta["labels"];
      if (!labels.is_object()) labels = json::object();
      labels.as_object()["kubernetes.io/metadata.name"] = name;
    }
    return std::nullopt;
  }

  bool DryRun(const net::HttpRequest& req) { return req.Query("dryRun") == "All"; }

  static bool HasFinalizers(const json::object& obj) {
    auto m = obj.find("metadata");
    if (m == obj.end() || !m->value().is_object()) return false;
    auto f = m->value().as_object().find("finalizers");
    return f != m->value().as_object().end() && f->value().is_array() && !f->value().as_array().empty();
  }

  void Create(const ResourceInfo& r, const std::string& ns, net::HttpRequest& req, net::HttpResponder& resp) {
    auto parsed = ParseBody(r, req);
    if (!parsed.ok()) return SendError(resp, FromError(parsed.error(), &r));
    json::object obj = std::move(*parsed);
    if (auto e = PrepareCreate(r, ns, obj)) return SendError(resp, *e);
    std::string name = api::MetaString(obj, "name");
    if (auto e = CheckNamespace(r, ns, name)) return SendError(resp, *e);
    std::string key = Key(r, ns, name);
    if (IsService(r) && services) {
      auto errs = services->DefaultAndValidate(obj);
      if (!errs.empty()) return SendError(resp, InvalidError(r, name, errs));
    }
    if (DryRun(req)) {
      if (store.Get(key).ok()) {
        return SendError(resp, {409, "AlreadyExists", Qualified(r) + " \"" + name + "\" already exists", name, r.plural,
                                r.group, {}});
      }
      return SendJson(resp, 201, obj);
    }
    datastore::WriteOptions wo;
    if (r.plural == "events") wo.lease_ttl_seconds = options.event_ttl_seconds;
    if (IsService(r) && services) {
      if (store.Get(key).ok()) {
        return SendError(resp, {409, "AlreadyExists", Qualified(r) + " \"" + name + "\" already exists", name, r.plural,
                                r.group, {}});
      }
      auto errs = services->Allocate(obj, ns + "/" + name);
      if (!errs.ok()) return SendError(resp, FromError(errs.error(), &r, name));
      if (!errs->empty()) return SendError(resp, InvalidError(r, name, *errs));
    }
    auto created = store.Create(key, json::serialize(obj), wo);
    if (!created.ok() && IsService(r) && services) services->Release(obj);
    if (!created.ok()) {
      if (created.error().code == ErrorCode::kAlreadyExists) {
        return SendError(resp, {409, "AlreadyExists", Qualified(r) + " \"" + name + "\" already exists", name, r.plural,
                                r.group, {}});
      }
      return SendError(resp, FromError(created.error(), &r, name));
    }
    api::Metadata(obj)["resourceVersion"] = std::to_string(created->mod_revision);
    SendJson(resp, 201, obj);
  }

  Result<json::object> ParseBody(const ResourceInfo& r, const net::HttpRequest& req) {
    std::string type = req.Header("content-type");
    if (type.find("application/vnd.kubernetes.protobuf") == 0) {
      auto obj = api::DecodeProtobufObject(req.body);
      if (!obj.ok() && obj.error().code == ErrorCode::kUnsupportedMediaType) {
        return Fail(ErrorCode::kUnsupportedMediaType,
                    "the body of the request was in an unknown format - accepted media types include: "
                    "application/json, application/yaml (" + obj.error().message + ")");
      }
      return obj;
    }
    (void)r;
    return api::ParseObject(req.body);
  }

  ApiError ConflictError(const ResourceInfo& r, const std::string& name) {
    return {409, "Conflict",
            "Operation cannot be fulfilled on " + Qualified(r) + " \"" + name +
                "\": the object has been modified; please apply your changes to the latest version and try again",
            name, r.plural, r.group, {}};
  }

  // Writes obj over the current object; keeps identity fields; checks the body's resourceVersion.
  void Replace(const ResourceInfo& r, const std::string& ns, const std::string& name, json::object obj,
               const KeyValue& current, const net::HttpRequest& req, net::HttpResponder& resp) {
    json::object cur = Decode(current);
    std::string rv = api::MetaString(obj, "resourceVersion");
    if (!rv.empty() && rv != std::to_string(current.mod_revision)) return SendError(resp, ConflictError(r, name));
    if (!api::MetaString(obj, "name").empty() && api::MetaString(obj, "name") != name) {
      return SendError(resp, {400, "BadRequest", "the name of the object (" + api::MetaString(obj, "name") +
                                                     ") does not match the name on the URL (" + name + ")",
                              "", "", "", {}});
    }
    obj["kind"] = r.kind;
    obj["apiVersion"] = r.GroupVersion();
    auto& meta = api::Metadata(obj);
    meta["name"] = name;
    if (r.namespaced) meta["namespace"] = ns;
    meta["uid"] = api::MetaString(cur, "uid");
    meta["creationTimestamp"] = api::MetaString(cur, "creationTimestamp");
    meta.erase("resourceVersion");
    // deletionTimestamp is set only by a delete and cannot be changed by writes.
    const std::string deleting = api::MetaString(cur, "deletionTimestamp");
    if (deleting.empty()) {
      meta.erase("deletionTimestamp");
    } else {
      meta["deletionTimestamp"] = deleting;
    }
    // generation counts changes to the desired state (spec, or data for kinds without spec).
    int64_t generation = 1;
    if (auto m = cur.find("metadata"); m != cur.end() && m->value().is_object()) {
      if (auto g = m->value().as_object().find("generation"); g != m->value().as_object().end() && g->value().is_int64())
        generation = g->value().as_int64();
    }
    auto spec_of = [](const json::object& o) {
      auto it = o.find("spec");
      return it == o.end() ? json::value() : it->value();
    };
    if (spec_of(obj) != spec_of(cur)) ++generation;
    meta["generation"] = generation;
    if (IsService(r) && services) {
      auto errs = services->PrepareUpdate(obj, cur, ns + "/" + name);
      if (!errs.ok()) return SendError(resp, FromError(errs.error(), &r, name));
      if (!errs->empty()) return SendError(resp, InvalidError(r, name, *errs));
    }
    auto& meta2 = api::Metadata(obj);
    if (DryRun(req)) {
      meta2["resourceVersion"] = std::to_string(current.mod_revision);
      return SendJson(resp, 200, obj);
    }
    if (!deleting.empty() && !HasFinalizers(obj)) {
      // The last finalizer is gone from an object being deleted: it goes now.
      auto deleted = store.Delete(Key(r, ns, name), current.mod_revision);
      if (!deleted.ok()) {
        if (deleted.error().code == ErrorCode::kConflict) return SendError(resp, ConflictError(r, name));
        if (deleted.error().code == ErrorCode::kNotFound) return SendError(resp, NotFound(r, name));
        return SendError(resp, FromError(deleted.error(), &r, name));
      }
      if (IsService(r) && services) services->Release(obj);
      meta2["resourceVersion"] = std::to_string(deleted->mod_revision);
      return SendJson(resp, 200, obj);
    }
    datastore::WriteOptions wo;
    if (r.plural == "events") wo.lease_ttl_seconds = options.event_ttl_seconds;
    auto updated = store.Update(Key(r, ns, name), json::serialize(obj), current.mod_revision, wo);
    if (!updated.ok()) {
      if (updated.error().code == ErrorCode::kConflict) return SendError(resp, ConflictError(r, name));
      if (updated.error().code == ErrorCode::kNotFound) return SendError(resp, NotFound(r, name));
      return SendError(resp, FromError(updated.error(), &r, name));
    }
    meta2["resourceVersion"] = std::to_string(updated->mod_revision);
    SendJson(resp, 200, obj);
  }

  void Update(const ResourceInfo& r, const std::string& ns, const std::string& name, net::HttpRequest& req,
              net::HttpResponder& resp) {
    auto parsed = ParseBody(r, req);
    if (!parsed.ok()) return SendError(resp, FromError(parsed.error(), &r));
    auto current = store.Get(Key(r, ns, name));
    if (!current.ok()) {
      if (current.error().code == ErrorCode::kNotFound) return SendError(resp, NotFound(r, name));
      return SendError(resp, FromError(current.error(), &r, name));
    }
    Replace(r, ns, name, std::move(*parsed), *current, req, resp);
  }

  void Patch(const ResourceInfo& r, const std::string& ns, const std::string& name, net::HttpRequest& req,
             net::HttpResponder& resp) {
    std::string type = req.Header("content-type");
    bool strategic = type.find("application/strategic-merge-patch+json") == 0;
    bool merge = strategic || type.find("application/merge-patch+json") == 0;
    bool json_patch = type.find("application/json-patch+json") == 0;
    if (!merge && !json_patch) {
      return SendError(resp, {415, "UnsupportedMediaType",
                              "the body of the request was in an unknown format - accepted media types include: "
                              "application/json-patch+json, application/merge-patch+json, "
                              "application/strategic-merge-patch+json",
                              "", "", "", {}});
    }
    boost::system::error_code ec;
    json::value patch = json::parse(req.body, ec);
    if (ec || (merge && !patch.is_object()) || (json_patch && !patch.is_array())) {
      return SendError(resp, {400, "BadRequest", std::string("error decoding patch: ") +
                                                     (ec ? ec.message() : "unexpected JSON type for this patch type"),
                              "", "", "", {}});
    }
    auto current = store.Get(Key(r, ns, name));
    if (!current.ok()) {
      if (current.error().code == ErrorCode::kNotFound) return SendError(resp, NotFound(r, name));
      return SendError(resp, FromError(current.error(), &r, name));
    }
    json::value target = Decode(*current);
    if (json_patch) {
      if (auto s = api::ApplyJsonPatch(target, patch); !s.ok()) {
        return SendError(resp, {422, "Invalid", "the server rejected our request due to an error in our request: " +
                                                    s.error().message, "", "", "", {}});
      }
      if (!target.is_object()) {
        return SendError(resp, {422, "Invalid", "the patched object is not a JSON object", name, r.plural, r.group, {}});
      }
    } else if (strategic) {
      api::ApplyStrategicMergePatch(target, patch);
    } else {
      api::ApplyMergePatch(target, patch);
    }
    // A resourceVersion in the patch is a precondition; otherwise the patch applies to the current object.
    std::string rv = patch.is_object() ? api::MetaString(patch.as_object(), "resourceVersion") : "";
    if (rv.empty() && !json_patch) api::Metadata(target.as_object()).erase("resourceVersion");
    Replace(r, ns, name, std::move(target.as_object()), *current, req, resp);
  }

  void Delete(const ResourceInfo& r, const std::string& ns, const std::string& name, net::HttpRequest& req,
              net::HttpResponder& resp) {
    bool dry_run = DryRun(req);
    std::string precondition_rv, precondition_uid;
    if (!req.body.empty()) {
      auto opts = api::ParseObject(req.body);
      if (!opts.ok()) return SendError(resp, FromError(opts.error(), &r, name));
      if (auto d = opts->find("dryRun"); d != opts->end() && d->value().is_array() && !d->value().as_array().empty()) {
        dry_run = true;
      }
      if (auto pc = opts->find("preconditions"); pc != opts->end() && pc->value().is_object()) {
        const auto& po = pc->value().as_object();
        if (auto v = po.find("resourceVersion"); v != po.end() && v->value().is_string()) precondition_rv = v->value().as_string();
        if (auto v = po.find("uid"); v != po.end() && v->value().is_string()) precondition_uid = v->value().as_string();
      }
    }
    if (r.plural == "namespaces" && (name == "default" || name == "kube-system" || name == "kube-public")) {
      return SendError(resp, {403, "Forbidden",
                              "namespaces \"" + name + "\" is forbidden: this namespace may not be deleted", name,
                              "namespaces", "", {}});
    }
    std::string key = Key(r, ns, name);
    auto current = store.Get(key);
    if (!current.ok()) {
      if (current.error().code == ErrorCode::kNotFound) return SendError(resp, NotFound(r, name));
      return SendError(resp, FromError(current.error(), &r, name));
    }
    json::object obj = Decode(*current);
    if ((!precondition_rv.empty() && precondition_rv != std::to_string(current->mod_revision)) ||
        (!precondition_uid.empty() && precondition_uid != api::MetaString(obj, "uid"))) {
      return SendError(resp, {409, "Conflict",
                              "Operation cannot be fulfilled on " + Qualified(r) + " \"" + name +
                                  "\": the precondition on " + (precondition_rv.empty() ? "UID" : "ResourceVersion") +
                                  " does not match the object",
                              name, r.plural, r.group, {}});
    }
    // Finalizers hold an object: the delete only marks it; it goes when the last finalizer is removed.
    if (r.plural != "namespaces" && HasFinalizers(obj)) {
      if (!api::MetaString(obj, "deletionTimestamp").empty() || dry_run) return SendJson(resp, 200, obj);
      auto& meta = api::Metadata(obj);
      meta["deletionTimestamp"] = api::NowRfc3339();
      meta["deletionGracePeriodSeconds"] = 0;
      meta.erase("resourceVersion");
      auto updated = store.Update(key, json::serialize(obj), current->mod_revision);
      if (!updated.ok()) {
        if (updated.error().code == ErrorCode::kConflict) return SendError(resp, ConflictError(r, name));
        return SendError(resp, FromError(updated.error(), &r, name));
      }
      api::Metadata(obj)["resourceVersion"] = std::to_string(updated->mod_revision);
      return SendJson(resp, 200, obj);
    }
    if (!dry_run) {
      if (r.plural == "namespaces") DeleteNamespaceContents(name);
      auto deleted = store.Delete(key, 0);
      if (!deleted.ok()) {
        if (deleted.error().code == ErrorCode::kNotFound) return SendError(resp, NotFound(r, name));
        return SendError(resp, FromError(deleted.error(), &r, name));
      }
      if (IsService(r) && services) services->Release(Decode(*deleted));
    }
    SendJson(resp, 200,
             json::object{{"kind", "Status"}, {"apiVersion", "v1"}, {"metadata", json::object()}, {"status", "Success"},
                          {"details", json::object{{"name", name}, {"group", r.group}, {"kind", r.plural},
                                                   {"uid", api::MetaString(obj, "uid")}}}});
  }

  // DELETE on a collection: deletes every object matching the selectors (finalizers respected).
  void DeleteCollection(const ResourceInfo& r, const std::string& ns, net::HttpRequest& req, net::HttpResponder& resp) {
    auto filter = ParseFilter(req);
    if (!filter.ok()) return SendError(resp, FromError(filter.error(), &r));
    datastore::ListOptions o;
    o.prefix = r.KeyPrefix() + (r.namespaced && !ns.empty() ? ns + "/" : "");
    auto list = store.List(o);
    if (!list.ok()) return SendError(resp, FromError(list.error(), &r));
    json::array items;
    for (const auto& kv : list->items) {
      json::object obj = Decode(kv);
      if (!filter->Matches(obj)) continue;
      if (r.plural == "namespaces") continue;  // never in bulk
      if (DryRun(req)) {
        items.push_back(std::move(obj));
        continue;
      }
      if (HasFinalizers(obj)) {
        if (api::MetaString(obj, "deletionTimestamp").empty()) {
          api::Metadata(obj)["deletionTimestamp"] = api::NowRfc3339();
          api::Metadata(obj).erase("resourceVersion");
          (void)store.Update(kv.key, json::serialize(obj), kv.mod_revision);
        }
      } else if (auto deleted = store.Delete(kv.key, kv.mod_revision); deleted.ok() && IsService(r) && services) {
        services->Release(obj);
      }
      items.push_back(std::move(obj));
    }
    SendJson(resp, 200,
             json::object{{"kind", r.kind + "List"}, {"apiVersion", r.GroupVersion()},
                          {"metadata", json::object{{"resourceVersion", std::to_string(store.CurrentRevision())}}},
                          {"items", items}});
  }

  // Namespaces are deleted with what they hold (the namespace controller's job upstream).
  void DeleteNamespaceContents(const std::string& ns) {
    for (const auto& r : resources) {
      if (!r.namespaced) continue;
      datastore::ListOptions o;
      o.prefix = r.KeyPrefix() + ns + "/";
      o.keys_only = !IsService(r);
      auto list = store.List(o);
      if (!list.ok()) continue;
      for (const auto& kv : list->items) {
        auto deleted = store.Delete(kv.key, 0);
        if (deleted.ok() && IsService(r) && services) services->Release(Decode(*deleted));
      }
    }
  }

  void Watch(const ResourceInfo& r, const std::string& ns, const std::string& single_name, const net::HttpRequest& req,
             net::HttpResponder& resp) {
    auto filter = ParseFilter(req);
    if (!filter.ok()) return SendError(resp, FromError(filter.error(), &r));
    if (!single_name.empty()) filter->fields.emplace_back("metadata.name", single_name);
    std::string prefix = r.KeyPrefix() + (r.namespaced && !ns.empty() ? ns + "/" : "");
    std::string rv = req.Query("resourceVersion");
    bool table = AcceptsTable(req);
    int64_t timeout = std::atoll(req.Query("timeoutSeconds").c_str());
    if (timeout <= 0) timeout = 1800;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout);

    std::vector<json::object> initial;
    Revision from = 0;
    if (rv.empty() || rv == "0") {
      datastore::ListOptions o;
      o.prefix = prefix;
      auto list = store.List(o);
      if (!list.ok()) return SendError(resp, FromError(list.error(), &r));
      for (const auto& kv : list->items) {
        json::object obj = Decode(kv);
        if (filter->Matches(obj)) initial.push_back(std::move(obj));
      }
      from = list->revision + 1;
    } else {
      char* end = nullptr;
      long long n = std::strtoll(rv.c_str(), &end, 10);
      if (*end != '\0' || n < 0) {
        return SendError(resp, {400, "BadRequest", "invalid resource version \"" + rv + "\"", "", "", "", {}});
      }
      from = n + 1;
    }
    auto stream = store.Watch(prefix, from);
    if (!resp.StartStream(200, table ? kTableType : "application/json")) return;
    auto send = [&](const char* type, const json::object& obj) {
      json::value body = obj;
      if (table) {
        body = json::object{{"kind", "Table"}, {"apiVersion", "meta.k8s.io/v1"},
                            {"metadata", json::object{{"resourceVersion", api::MetaString(obj, "resourceVersion")}}},
                            {"columnDefinitions", Columns(r)}, {"rows", json::array{Row(r, obj, false)}}};
      }
      return resp.WriteChunk(json::serialize(json::object{{"type", type}, {"object", body}}) + "\n");
    };
    if (!stream.ok()) {
      ApiError e = FromError(stream.error(), &r);
      if (stream.error().code == ErrorCode::kGone) {
        e = {410, "Expired", "too old resource version: " + rv + " (" + std::to_string(store.CompactedRevision()) + ")",
             "", "", "", {}};
      }
      boost::system::error_code ec;
      resp.WriteChunk(json::serialize(json::object{{"type", "ERROR"}, {"object", json::parse(StatusBody(e), ec)}}) + "\n");
      return;
    }
    for (const auto& obj : initial)
      if (!send("ADDED", obj)) return;
    while (std::chrono::steady_clock::now() < deadline && resp.Alive()) {
      auto events = (*stream)->Next(std::chrono::milliseconds(500));
      if (!events.ok()) {
        ApiError e = FromError(events.error(), &r);
        if (events.error().code == ErrorCode::kGone) e.reason = "Expired";
        boost::system::error_code ec;
        resp.WriteChunk(json::serialize(json::object{{"type", "ERROR"}, {"object", json::parse(StatusBody(e), ec)}}) +
                        "\n");
        return;
      }
      for (const auto& ev : *events) {
        const char* type = ev.type == datastore::Event::Type::kCreate   ? "ADDED"
                           : ev.type == datastore::Event::Type::kUpdate ? "MODIFIED"
                                                                        : "DELETED";
        json::object obj = ev.type == datastore::Event::Type::kDelete && ev.prev ? Decode(*ev.prev, ev.revision)
                                                                                   : Decode(ev.kv);
        if (!filter->Matches(obj)) continue;
        if (!send(type, obj)) return;
      }
    }
  }

  // ---- dispatch ----
  void Handle(net::HttpRequest& req, net::HttpResponder& resp) {
    auto started = std::chrono::steady_clock::now();
    std::vector<std::string> parts;
    for (auto& p : Split(req.path, '/'))
      if (!p.empty()) parts.push_back(p);
    const std::string user = req.client_cert_verified ? req.client_common_name : "system:anonymous";
    bool admin = req.client_cert_verified &&
                 std::find(req.client_organizations.begin(), req.client_organizations.end(), "system:masters") !=
                     req.client_organizations.end();

    if (parts.size() == 1 && (parts[0] == "healthz" || parts[0] == "livez" || parts[0] == "readyz")) {
      std::string body = req.HasQuery("verbose")
                             ? "[+]ping ok\n[+]log ok\n[+]etcd ok\n" + parts[0] + " check passed\n"
                             : "ok";
      resp.Send({200, "text/plain; charset=utf-8", {}, body});
      return;
    }
    if (parts.size() == 1 && parts[0] == "version") {
      SendJson(resp, 200,
               json::object{{"major", "1"}, {"minor", "32"}, {"gitVersion", "v1.32.0+k1s-" + options.version},
                            {"gitCommit", options.git_commit}, {"gitTreeState", "clean"},
                            {"buildDate", "1970-01-01T00:00:00Z"}, {"goVersion", "n/a (C++)"}, {"compiler", "gcc"},
                            {"platform", "linux/amd64"}});
      return;
    }
    if (!admin) {
      // RBAC comes with issue 3; until then only system:masters may use the API.
      std::string verb = req.method == "GET" ? "get" : req.method == "POST" ? "create" : req.method == "DELETE" ? "delete" : "update";
      SendError(resp, {403, "Forbidden",
                       "forbidden: User \"" + user + "\" cannot " + verb + " path \"" + req.path + "\"", "", "", "", {}});
      return;
    }
    if (parts.size() >= 2 && parts[0] == "openapi" && parts[1] == "v2") {
      // The smallest valid OpenAPI v2 document (gnostic protobuf: swagger "2.0"): kubectl's client-side
      // validation then skips the kinds it does not know, and the server validates.
      resp.Send({200, "application/com.github.proto-openapi.spec.v2.v1.0+protobuf", {}, std::string("\x0a\x03" "2.0", 5)});
      return;
    }
    // Resource paths: /api/v1/... or /apis/G/V/...
    std::string group, version;
    size_t i;
    if (parts.size() >= 3 && parts[0] == "api" && parts[1] == "v1") {
      version = "v1";
      i = 2;
    } else if (parts.size() >= 4 && parts[0] == "apis") {
      group = parts[1];
      version = parts[2];
      i = 3;
    } else {
      if (!parts.empty() && (parts[0] == "api" || parts[0] == "apis")) return Discovery(parts, req, resp);
      return NotFoundPath(resp);
    }
    std::vector<std::string> rest(parts.begin() + static_cast<long>(i), parts.end());
    std::string ns, name, sub;
    const ResourceInfo* r = nullptr;
    if (rest.size() >= 3 && rest[0] == "namespaces" && (r = Find(group, version, rest[2])) && r->namespaced) {
      ns = rest[1];
      name = rest.size() >= 4 ? rest[3] : "";
      sub = rest.size() >= 5 ? rest[4] : "";
      if (rest.size() > 5) return NotFoundPath(resp);
    } else {
      r = Find(group, version, rest[0]);
      if (!r) return NotFoundPath(resp);
      name = rest.size() >= 2 ? rest[1] : "";
      sub = rest.size() >= 3 ? rest[2] : "";
      if (rest.size() > 3) return NotFoundPath(resp);
      if (r->namespaced && !name.empty()) return NotFoundPath(resp);
    }
    if (!sub.empty()) return NotFoundPath(resp);
    const std::string& m = req.method;
    bool long_running = m == "GET" && (req.Query("watch") == "true" || req.Query("watch") == "1");
    if (!long_running) {
      if (inflight.fetch_add(1) >= kMaxInflight) {
        inflight.fetch_sub(1);
        resp.Send({429, "application/json", {{"Retry-After", "1"}},
                   StatusBody({429, "TooManyRequests", "Too many requests, please try again later.", "", "", "", {}})});
        return;
      }
    }
    struct Release {
      std::atomic<int>* counter;
      ~Release() {
        if (counter) counter->fetch_sub(1);
      }
    } release{long_running ? nullptr : &inflight};
    if (name.empty()) {
      bool watch = req.Query("watch") == "true" || req.Query("watch") == "1";
      if (m == "GET" && watch) {
        Watch(*r, ns, "", req, resp);
      } else if (m == "GET") {
        List(*r, ns, req, resp);
      } else if (m == "POST") {
        if (r->namespaced && ns.empty()) return NotFoundPath(resp);
        Create(*r, ns, req, resp);
      } else if (m == "DELETE") {
        DeleteCollection(*r, ns, req, resp);
      } else {
        SendError(resp, {405, "MethodNotAllowed", "the server does not allow this method on the requested resource", "",
                         "", "", {}});
      }
    } else if (m == "GET") {
      Get(*r, ns, name, req, resp);
    } else if (m == "PUT") {
      Update(*r, ns, name, req, resp);
    } else if (m == "PATCH") {
      Patch(*r, ns, name, req, resp);
    } else if (m == "DELETE") {
      Delete(*r, ns, name, req, resp);
    } else {
      SendError(resp, {405, "MethodNotAllowed", "the server does not allow this method on the requested resource", "",
                       "", "", {}});
    }
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
    K1S_LOG(kDebug, kComponent) << req.method << " " << req.target << " user=" << user << " " << ms << "ms";
  }
};

ApiServer::ApiServer(datastore::Store& store, std::vector<ResourceInfo> resources, ApiServerOptions options)
    : impl_(std::make_unique<Impl>(store, std::move(resources), std::move(options))) {}
ApiServer::~ApiServer() = default;

void ApiServer::Handle(net::HttpRequest& req, net::HttpResponder& resp) { impl_->Handle(req, resp); }

Status ApiServer::EnsureSystemNamespaces() {
  const ResourceInfo* ns = impl_->Namespaces();
  for (const char* name : {"default", "kube-system", "kube-public", "kube-node-lease"}) {
    json::object obj{{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", json::object{{"name", name}}}};
    if (auto e = impl_->PrepareCreate(*ns, "", obj)) return Fail(ErrorCode::kInternal, e->message);
    auto created = impl_->store.Create(impl_->Key(*ns, "", name), json::serialize(obj));
    if (!created.ok() && created.error().code != ErrorCode::kAlreadyExists) return Fail(created.error());
  }
  // The default/kubernetes Service, on the first address of the service range.
  const ResourceInfo* svc = impl_->Find("", "v1", "services");
  if (svc && impl_->services && !impl_->store.Get(impl_->Key(*svc, "default", "kubernetes")).ok()) {
    json::object obj{{"apiVersion", "v1"}, {"kind", "Service"},
                     {"metadata", json::object{{"name", "kubernetes"}, {"labels", json::object{{"component", "apiserver"}, {"provider", "kubernetes"}}}}},
                     {"spec", json::object{{"clusterIP", impl_->services->FirstIp()},
                                           {"ports", json::array{json::object{{"name", "https"}, {"port", 443},
                                                                              {"protocol", "TCP"}, {"targetPort", impl_->options.https_port}}}}}}};
    if (auto e = impl_->PrepareCreate(*svc, "default", obj)) return Fail(ErrorCode::kInternal, e->message);
    auto errs = impl_->services->DefaultAndValidate(obj);
    if (errs.empty()) {
      auto alloc = impl_->services->Allocate(obj, "default/kubernetes");
      if (!alloc.ok()) return Fail(alloc.error());
      auto created = impl_->store.Create(impl_->Key(*svc, "default", "kubernetes"), json::serialize(obj));
      if (!created.ok() && created.error().code != ErrorCode::kAlreadyExists) return Fail(created.error());
    }
  }
  return OkStatus();
}

}  // namespace k1s::apiserver
