#include "lib/client/https_client.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <random>

#include "lib/api/meta.h"

namespace k1s::client {

namespace {

constexpr auto kJsonType = "application/json";

class Query {
 public:
  void Add(std::string_view key, std::string_view value) {
    text_ += text_.empty() ? '?' : '&';
    text_.append(key);
    text_ += '=';
    text_ += net::PercentEncode(value);
  }
  void AddIf(std::string_view key, const std::string& value) {
    if (!value.empty()) Add(key, value);
  }
  const std::string& str() const { return text_; }

 private:
  std::string text_;
};

void AddWriteOptions(Query& q, const WriteOptions& o) {
  q.AddIf("fieldManager", o.field_manager);
  if (o.dry_run) q.Add("dryRun", "All");
}

void AddListOptions(Query& q, const ListOptions& o) {
  q.AddIf("labelSelector", o.label_selector);
  q.AddIf("fieldSelector", o.field_selector);
  if (o.limit > 0) q.Add("limit", std::to_string(o.limit));
  q.AddIf("continue", o.continue_token);
  q.AddIf("resourceVersion", o.resource_version);
  q.AddIf("resourceVersionMatch", o.resource_version_match);
}

std::string StringField(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  return it != o.end() && it->value().is_string() ? std::string(it->value().as_string()) : "";
}

// Upstream leaves kind/apiVersion off list items; callers of a typed Client expect them.
void FillTypeMeta(const Resource& r, json::object& obj) {
  if (obj.find("kind") == obj.end()) obj["kind"] = r.kind;
  if (obj.find("apiVersion") == obj.end()) obj["apiVersion"] = r.GroupVersion();
}

ErrorCode CodeForHttpStatus(int status, std::string_view reason) {
  switch (status) {
    case 400: return ErrorCode::kBadRequest;
    case 401: return ErrorCode::kUnauthorized;
    case 403: return ErrorCode::kForbidden;
    case 404: return ErrorCode::kNotFound;
    case 405: return ErrorCode::kMethodNotAllowed;
    case 406: return ErrorCode::kNotAcceptable;
    case 409: return reason == "AlreadyExists" ? ErrorCode::kAlreadyExists : ErrorCode::kConflict;
    case 410: return ErrorCode::kGone;
    case 413: return ErrorCode::kRequestEntityTooLarge;
    case 415: return ErrorCode::kUnsupportedMediaType;
    case 422: return ErrorCode::kInvalid;
    case 429: return ErrorCode::kTooManyRequests;
    case 500: return ErrorCode::kInternal;
    case 503: return ErrorCode::kServiceUnavailable;
    case 504: return ErrorCode::kTimeout;
    default: return status >= 500 ? ErrorCode::kInternal : ErrorCode::kBadRequest;
  }
}

Error ErrorFromStatusObject(int http_status, const json::object& st) {
  Error e;
  e.code = CodeForHttpStatus(http_status, StringField(st, "reason"));
  e.message = StringField(st, "message");
  if (auto d = st.find("details"); d != st.end() && d->value().is_object()) e.details = json::serialize(d->value());
  if (e.message.empty()) e.message = StringField(st, "reason");
  return e;
}

Result<json::object> ParseJson(const std::string& body) {
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec || !v.is_object()) {
    return Fail(ErrorCode::kInternal, "the server sent a body that is not a JSON object: " + body.substr(0, 200));
  }
  return std::move(v.as_object());
}

Result<json::object> ObjectFrom(const Result<net::ClientResponse>& res) {
  if (!res.ok()) return Fail(res.error());
  if (res->status < 200 || res->status >= 300) return Fail(ErrorFromResponse(res->status, res->body));
  return ParseJson(res->body);
}

Result<ObjectList> ListFrom(const Resource& r, const Result<net::ClientResponse>& res) {
  K1S_ASSIGN_OR_RETURN(auto body, ObjectFrom(res));
  ObjectList out;
  if (auto m = body.find("metadata"); m != body.end() && m->value().is_object()) {
    out.resource_version = StringField(m->value().as_object(), "resourceVersion");
    out.continue_token = StringField(m->value().as_object(), "continue");
  }
  if (auto items = body.find("items"); items != body.end() && items->value().is_array()) {
    for (auto& item : items->value().as_array()) {
      if (!item.is_object()) continue;
      out.items.push_back(std::move(item.as_object()));
      FillTypeMeta(r, out.items.back());
    }
  }
  return out;
}

json::object DeleteOptionsBody(const DeleteOptions& o) {
  json::object body{{"kind", "DeleteOptions"}, {"apiVersion", "v1"}};
  if (o.dry_run) body["dryRun"] = json::array{"All"};
  if (o.grace_period_seconds) body["gracePeriodSeconds"] = *o.grace_period_seconds;
  if (!o.propagation_policy.empty()) body["propagationPolicy"] = o.propagation_policy;
  if (!o.precondition_uid.empty() || !o.precondition_resource_version.empty()) {
    json::object pre;
    if (!o.precondition_uid.empty()) pre["uid"] = o.precondition_uid;
    if (!o.precondition_resource_version.empty()) pre["resourceVersion"] = o.precondition_resource_version;
    body["preconditions"] = std::move(pre);
  }
  return body;
}

const char* PatchContentType(PatchType t) {
  switch (t) {
    case PatchType::kJson: return "application/json-patch+json";
    case PatchType::kMerge: return "application/merge-patch+json";
    case PatchType::kStrategicMerge: return "application/strategic-merge-patch+json";
  }
  return "application/merge-patch+json";
}

// One watch: a streamed GET whose body is one JSON event per line.
class HttpsWatch final : public client::Watch {
 public:
  HttpsWatch(Resource r, std::unique_ptr<net::ResponseStream> stream) : r_(std::move(r)), stream_(std::move(stream)) {}
  ~HttpsWatch() override { stream_->Cancel(); }

  Result<std::vector<WatchEvent>> Next(std::chrono::milliseconds timeout) override {
    if (failed_) return Fail(*failed_);
    std::vector<WatchEvent> out;
    std::string line;
    // Wait for the first event, then take whatever else is already here.
    auto wait = timeout;
    while (out.size() < 1000) {
      auto read = stream_->ReadLine(wait, &line);
      if (!read.ok()) {
        failed_ = MakeError(ErrorCode::kServiceUnavailable, r_.GroupResource() + " watch: " + read.error().message);
        break;
      }
      if (*read == net::StreamRead::kTimeout) break;
      if (*read == net::StreamRead::kEnd) {
        failed_ = MakeError(ErrorCode::kTimeout, r_.GroupResource() + " watch: the server closed the stream");
        break;
      }
      if (line.empty()) continue;
      auto ev = ParseJson(line);
      if (!ev.ok()) {
        failed_ = MakeError(ErrorCode::kInternal, r_.GroupResource() + " watch: " + ev.error().message);
        break;
      }
      std::string type = StringField(*ev, "type");
      auto obj = ev->find("object");
      if (type.empty() || obj == ev->end() || !obj->value().is_object()) {
        failed_ = MakeError(ErrorCode::kInternal, r_.GroupResource() + " watch: malformed event: " + line.substr(0, 200));
        break;
      }
      if (type == "ERROR") {
        const auto& st = obj->value().as_object();
        int code = 500;
        if (auto c = st.find("code"); c != st.end() && c->value().is_int64()) code = static_cast<int>(c->value().as_int64());
        failed_ = ErrorFromStatusObject(code, st);
        break;
      }
      WatchEvent e{std::move(type), std::move(obj->value().as_object())};
      FillTypeMeta(r_, e.object);
      out.push_back(std::move(e));
      wait = std::chrono::milliseconds(0);
    }
    if (out.empty() && failed_) return Fail(*failed_);
    return out;
  }

 private:
  Resource r_;
  std::unique_ptr<net::ResponseStream> stream_;
  std::optional<Error> failed_;
};

}  // namespace

std::string ResourcePath(const Resource& r, const std::string& ns, const std::string& name,
                         const std::string& subresource) {
  std::string path = r.group.empty() ? "/api/" + r.version : "/apis/" + r.group + "/" + r.version;
  if (r.namespaced && !ns.empty()) path += "/namespaces/" + net::PercentEncode(ns);
  path += "/" + r.plural;
  if (!name.empty()) path += "/" + net::PercentEncode(name);
  if (!subresource.empty()) path += "/" + subresource;
  return path;
}

Error ErrorFromResponse(int http_status, const std::string& body) {
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (!ec && v.is_object() && StringField(v.as_object(), "kind") == "Status") {
    Error e = ErrorFromStatusObject(http_status, v.as_object());
    if (!e.message.empty()) return e;
  }
  Error e;
  e.code = CodeForHttpStatus(http_status, "");
  std::string text = body.substr(0, 300);
  e.message = "the server responded with HTTP " + std::to_string(http_status) +
              (text.empty() ? "" : ": " + std::string(text));
  return e;
}

HttpsClient::HttpsClient(std::shared_ptr<net::HttpClient> http, HttpsClientOptions options)
    : http_(std::move(http)), options_(options) {}
HttpsClient::~HttpsClient() = default;

Result<std::unique_ptr<HttpsClient>> HttpsClient::New(const net::HttpClientOptions& http, HttpsClientOptions options) {
  K1S_ASSIGN_OR_RETURN(auto c, net::HttpClient::Create(http));
  return std::make_unique<HttpsClient>(std::shared_ptr<net::HttpClient>(std::move(c)), options);
}

Result<json::object> HttpsClient::Get(const Resource& r, const std::string& ns, const std::string& name) {
  K1S_ASSIGN_OR_RETURN(auto obj, ObjectFrom(http_->Do({.method = "GET", .target = ResourcePath(r, ns, name)})));
  FillTypeMeta(r, obj);
  return obj;
}

Result<ObjectList> HttpsClient::List(const Resource& r, const std::string& ns, const ListOptions& options) {
  Query q;
  AddListOptions(q, options);
  return ListFrom(r, http_->Do({.method = "GET", .target = ResourcePath(r, ns) + q.str()}));
}

Result<std::unique_ptr<client::Watch>> HttpsClient::Watch(const Resource& r, const std::string& ns,
                                                          const ListOptions& options) {
  Query q;
  q.Add("watch", "true");
  q.AddIf("labelSelector", options.label_selector);
  std::string fields = options.field_selector;
  if (!options.name.empty()) fields = "metadata.name=" + options.name + (fields.empty() ? "" : "," + fields);
  q.AddIf("fieldSelector", fields);
  q.AddIf("resourceVersion", options.resource_version);
  if (options.allow_bookmarks) q.Add("allowWatchBookmarks", "true");
  if (options.send_initial_events) {
    q.Add("sendInitialEvents", "true");
    q.Add("resourceVersionMatch",
          options.resource_version_match.empty() ? "NotOlderThan" : options.resource_version_match);
  } else {
    q.AddIf("resourceVersionMatch", options.resource_version_match);
  }
  if (options_.watch_timeout_seconds > 0) {
    thread_local std::mt19937 rng{std::random_device{}()};
    int min = options_.watch_timeout_seconds;
    q.Add("timeoutSeconds", std::to_string(std::uniform_int_distribution<int>(min, 2 * min - 1)(rng)));
  }
  K1S_ASSIGN_OR_RETURN(auto stream, http_->Stream({.method = "GET", .target = ResourcePath(r, ns) + q.str()}));
  if (stream->status() < 200 || stream->status() >= 300) {
    std::string body;
    for (;;) {
      auto read = stream->ReadSome(std::chrono::milliseconds(10000), &body);
      if (!read.ok() || *read != net::StreamRead::kData) break;
    }
    return Fail(ErrorFromResponse(stream->status(), body));
  }
  return std::unique_ptr<client::Watch>(std::make_unique<HttpsWatch>(r, std::move(stream)));
}

Result<json::object> HttpsClient::Create(const Resource& r, const std::string& ns, json::object obj,
                                         const WriteOptions& options) {
  std::string target_ns = ns;
  if (target_ns.empty() && r.namespaced) target_ns = api::MetaString(obj, "namespace");
  FillTypeMeta(r, obj);
  Query q;
  AddWriteOptions(q, options);
  K1S_ASSIGN_OR_RETURN(auto out, ObjectFrom(http_->Do({.method = "POST",
                                                         .target = ResourcePath(r, target_ns) + q.str(),
                                                         .content_type = kJsonType,
                                                         .body = json::serialize(obj)})));
  FillTypeMeta(r, out);
  return out;
}

Result<json::object> HttpsClient::Update(const Resource& r, const std::string& ns, const std::string& name,
                                         json::object obj, const WriteOptions& options, const std::string& subresource) {
  FillTypeMeta(r, obj);
  Query q;
  AddWriteOptions(q, options);
  K1S_ASSIGN_OR_RETURN(auto out, ObjectFrom(http_->Do({.method = "PUT",
                                                         .target = ResourcePath(r, ns, name, subresource) + q.str(),
                                                         .content_type = kJsonType,
                                                         .body = json::serialize(obj)})));
  FillTypeMeta(r, out);
  return out;
}

Result<json::object> HttpsClient::Patch(const Resource& r, const std::string& ns, const std::string& name,
                                        PatchType type, const json::value& patch, const WriteOptions& options,
                                        const std::string& subresource) {
  Query q;
  AddWriteOptions(q, options);
  K1S_ASSIGN_OR_RETURN(auto out, ObjectFrom(http_->Do({.method = "PATCH",
                                                         .target = ResourcePath(r, ns, name, subresource) + q.str(),
                                                         .content_type = PatchContentType(type),
                                                         .body = json::serialize(patch)})));
  FillTypeMeta(r, out);
  return out;
}

Result<json::object> HttpsClient::Delete(const Resource& r, const std::string& ns, const std::string& name,
                                         const DeleteOptions& options, bool* gone) {
  auto res = http_->Do({.method = "DELETE",
                        .target = ResourcePath(r, ns, name),
                        .content_type = kJsonType,
                        .body = json::serialize(DeleteOptionsBody(options))});
  K1S_ASSIGN_OR_RETURN(auto out, ObjectFrom(res));
  bool deleted = true;
  if (res->status == 202) {
    deleted = false;
  } else if (StringField(out, "kind") != "Status") {
    // The object came back: still there if it waits for finalizers or a grace period.
    const json::object* meta = nullptr;
    if (auto m = out.find("metadata"); m != out.end() && m->value().is_object()) meta = &m->value().as_object();
    if (meta != nullptr && meta->contains("deletionTimestamp")) {
      bool finalizers = false;
      if (auto f = meta->find("finalizers"); f != meta->end() && f->value().is_array()) {
        finalizers = !f->value().as_array().empty();
      }
      bool grace = false;
      if (auto g = meta->find("deletionGracePeriodSeconds"); g != meta->end() && g->value().is_int64()) {
        grace = g->value().as_int64() > 0;
      }
      deleted = !finalizers && !grace;
    }
    FillTypeMeta(r, out);
  }
  if (gone != nullptr) *gone = deleted;
  return out;
}

Result<ObjectList> HttpsClient::DeleteCollection(const Resource& r, const std::string& ns, const ListOptions& list,
                                                 const DeleteOptions& options) {
  Query q;
  AddListOptions(q, list);
  return ListFrom(r, http_->Do({.method = "DELETE",
                                .target = ResourcePath(r, ns) + q.str(),
                                .content_type = kJsonType,
                                .body = json::serialize(DeleteOptionsBody(options))}));
}

Result<json::object> HttpsClient::Post(const Resource& r, const std::string& ns, const std::string& name,
                                       const std::string& subresource, const json::object& body) {
  return ObjectFrom(http_->Do({.method = "POST",
                               .target = ResourcePath(r, ns, name, subresource),
                               .content_type = kJsonType,
                               .body = json::serialize(body)}));
}

}  // namespace k1s::client
