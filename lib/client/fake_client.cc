#include "lib/client/fake_client.h"

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <set>

#include "lib/api/meta.h"
#include "lib/api/patch.h"
#include "lib/api/status.h"
#include "lib/base/strings.h"

namespace k1s::client {

namespace {

using ObjectPtr = std::shared_ptr<const json::object>;

// Resources whose status is written only through the status subresource (as the API server's table).
bool HasStatusSubresource(const Resource& r) {
  static const std::set<std::string> kWithStatus = {
      "namespaces", "pods", "services", "nodes", "resourcequotas", "persistentvolumes", "persistentvolumeclaims",
      "replicationcontrollers", "deployments.apps", "replicasets.apps", "statefulsets.apps", "daemonsets.apps",
      "jobs.batch", "cronjobs.batch", "horizontalpodautoscalers.autoscaling", "poddisruptionbudgets.policy",
      "ingresses.networking.k8s.io", "certificatesigningrequests.certificates.k8s.io",
      "customresourcedefinitions.apiextensions.k8s.io"};
  return kWithStatus.count(r.GroupResource()) > 0;
}

std::string ResourceKey(const Resource& r) { return r.group + "/" + r.plural; }

// The value at a dotted path as a string ("" when missing; numbers and booleans as JSON text).
std::string FieldValue(const json::object& obj, std::string_view path) {
  const json::value* cur = nullptr;
  const json::object* o = &obj;
  for (const auto& part : Split(path, '.')) {
    if (!o) return "";
    auto it = o->find(part);
    if (it == o->end()) return "";
    cur = &it->value();
    o = cur->is_object() ? &cur->as_object() : nullptr;
  }
  if (!cur || cur->is_null()) return "";
  if (cur->is_string()) return std::string(cur->as_string());
  return json::serialize(*cur);
}

struct FieldReq {
  std::string path, value;
  bool negate = false;
};

Result<std::vector<FieldReq>> ParseFieldSelector(std::string_view text) {
  std::vector<FieldReq> out;
  if (Trim(text).empty()) return out;
  for (const auto& term : Split(text, ',')) {
    FieldReq req;
    auto pos = term.find("!=");
    size_t op_len = 2;
    if (pos != std::string::npos) {
      req.negate = true;
    } else if ((pos = term.find("==")) != std::string::npos) {
    } else if ((pos = term.find('=')) != std::string::npos) {
      op_len = 1;
    } else {
      return Fail(ErrorCode::kBadRequest, "invalid field selector: '" + term + "': no operator");
    }
    req.path = std::string(Trim(std::string_view(term).substr(0, pos)));
    req.value = std::string(Trim(std::string_view(term).substr(pos + op_len)));
    if (req.path.empty()) return Fail(ErrorCode::kBadRequest, "invalid field selector: '" + term + "'");
    out.push_back(std::move(req));
  }
  return out;
}

// What a list or watch selects.
struct Filter {
  std::string ns;    // "" = all
  std::string name;  // "" = all
  api::LabelSelector labels;
  std::vector<FieldReq> fields;

  bool Matches(const json::object& obj) const {
    if (!ns.empty() && api::MetaString(obj, "namespace") != ns) return false;
    if (!name.empty() && api::MetaString(obj, "name") != name) return false;
    if (!labels.Empty() && !labels.Matches(api::Labels(obj))) return false;
    for (const auto& f : fields) {
      if ((FieldValue(obj, f.path) == f.value) == f.negate) return false;
    }
    return true;
  }
};

Result<Filter> MakeFilter(const Resource& r, const std::string& ns, const ListOptions& o) {
  Filter f;
  f.ns = r.namespaced ? ns : "";
  f.name = o.name;
  K1S_ASSIGN_OR_RETURN(f.labels, api::LabelSelector::Parse(o.label_selector));
  K1S_ASSIGN_OR_RETURN(f.fields, ParseFieldSelector(o.field_selector));
  return f;
}

struct LogEntry {
  int64_t rev;
  std::string rkey;
  std::string type;  // ADDED, MODIFIED, DELETED
  ObjectPtr obj;
  ObjectPtr prev;    // MODIFIED: the object before
};

json::object WithoutMetaAndStatus(json::object o) {
  o.erase("metadata");
  o.erase("status");
  return o;
}

bool HasFinalizers(const json::object& obj) {
  auto m = obj.find("metadata");
  if (m == obj.end() || !m->value().is_object()) return false;
  auto f = m->value().as_object().find("finalizers");
  return f != m->value().as_object().end() && f->value().is_array() && !f->value().as_array().empty();
}

}  // namespace

struct FakeClient::State {
  mutable std::mutex mu;
  std::condition_variable cv;
  int64_t rev = 1;        // like etcd: an empty store is at revision 1, the first write gets 2
  int64_t compacted = 0;  // events at or below this revision are forgotten
  int64_t epoch = 0;      // bumped by ExpireWatches
  bool paused = false;
  int open_watches = 0;
  // resource key -> object key (ns/name) -> object
  std::map<std::string, std::map<std::string, ObjectPtr>> objects;
  std::deque<LogEntry> log;
  std::vector<Action> actions;
  ErrorHook hook;

  std::optional<Error> Begin(const std::string& verb, const Resource& r, const std::string& ns,
                             const std::string& name, const std::string& sub) {
    actions.push_back({verb, r.plural, r.namespaced ? ns : "", name, sub});
    if (hook) return hook(verb, r, ns, name);
    return std::nullopt;
  }

  ObjectPtr Find(const Resource& r, const std::string& ns, const std::string& name) {
    auto rit = objects.find(ResourceKey(r));
    if (rit == objects.end()) return nullptr;
    auto it = rit->second.find(MakeKey(r.namespaced ? ns : "", name));
    return it == rit->second.end() ? nullptr : it->second;
  }

  // Stores obj at the next revision and logs the event.
  json::object Write(const Resource& r, json::object obj, const std::string& type, ObjectPtr prev) {
    ++rev;
    api::Metadata(obj)["resourceVersion"] = std::to_string(rev);
    auto ptr = std::make_shared<const json::object>(std::move(obj));
    auto& bucket = objects[ResourceKey(r)];
    std::string key = KeyOf(*ptr);
    if (type == "DELETED") {
      bucket.erase(key);
    } else {
      bucket[key] = ptr;
    }
    log.push_back({rev, ResourceKey(r), type, ptr, std::move(prev)});
    cv.notify_all();
    return *ptr;
  }

  // The update path shared by Update, Patch and finalizer removal. obj is the whole new object.
  Result<json::object> UpdateLocked(const Resource& r, const std::string& ns, const std::string& name, json::object obj,
                                    bool dry_run, const std::string& sub) {
    ObjectPtr cur = Find(r, ns, name);
    if (!cur) return Fail(api::NotFoundError(r.plural, r.group, name));
    std::string want_rv = api::MetaString(obj, "resourceVersion");
    if (!want_rv.empty() && want_rv != api::MetaString(*cur, "resourceVersion")) {
      return Fail(api::ConflictError(r.plural, r.group, name));
    }
    std::string want_uid = api::MetaString(obj, "uid");
    if (!want_uid.empty() && want_uid != api::MetaString(*cur, "uid")) {
      return Fail(api::ConflictError(r.plural, r.group, name));
    }
    std::string obj_name = api::MetaString(obj, "name");
    if (!obj_name.empty() && obj_name != name) {
      return Fail(ErrorCode::kBadRequest, "the name of the object (" + obj_name +
                                              ") does not match the name on the URL (" + name + ")");
    }
    json::object next;
    if (sub == "status") {
      next = *cur;
      if (auto s = obj.find("status"); s != obj.end()) {
        next["status"] = s->value();
      } else {
        next.erase("status");
      }
    } else if (sub.empty()) {
      next = std::move(obj);
      next["apiVersion"] = r.GroupVersion();
      next["kind"] = r.kind;
      if (HasStatusSubresource(r)) {
        if (auto s = cur->find("status"); s != cur->end()) {
          next["status"] = s->value();
        } else {
          next.erase("status");
        }
      }
      json::object& meta = api::Metadata(next);  // no top-level insertions below
      const json::object& old_meta = cur->at("metadata").as_object();
      for (const char* f : {"uid", "creationTimestamp", "namespace", "name", "deletionTimestamp",
                            "deletionGracePeriodSeconds", "generation"}) {
        if (auto it = old_meta.find(f); it != old_meta.end()) {
          meta[f] = it->value();
        } else {
          meta.erase(f);
        }
      }
      if (WithoutMetaAndStatus(next) != WithoutMetaAndStatus(*cur)) {
        auto g = old_meta.find("generation");
        int64_t gen = g != old_meta.end() && g->value().is_int64() ? g->value().as_int64() : 0;
        meta["generation"] = gen + 1;
      }
    } else {
      return Fail(ErrorCode::kNotFound, "the server could not find the requested resource (" + r.plural + "/" +
                                            sub + ")");
    }
    api::Metadata(next)["resourceVersion"] = api::MetaString(*cur, "resourceVersion");
    if (next == *cur) return next;  // no-op writes keep the revision and send no event
    if (dry_run) return next;
    if (!api::MetaString(next, "deletionTimestamp").empty() && !HasFinalizers(next)) {
      return Write(r, std::move(next), "DELETED", nullptr);
    }
    return Write(r, std::move(next), "MODIFIED", cur);
  }

  Result<json::object> DeleteLocked(const Resource& r, const std::string& ns, const std::string& name,
                                    const DeleteOptions& o, bool* gone) {
    if (gone) *gone = false;
    ObjectPtr cur = Find(r, ns, name);
    if (!cur) return Fail(api::NotFoundError(r.plural, r.group, name));
    if (!o.precondition_uid.empty() && o.precondition_uid != api::MetaString(*cur, "uid")) {
      return Fail(api::StatusError(ErrorCode::kConflict,
                                   "Precondition failed: UID in precondition: " + o.precondition_uid +
                                       ", UID in object meta: " + api::MetaString(*cur, "uid"),
                                   {name, r.group, r.plural, {}}));
    }
    if (!o.precondition_resource_version.empty() &&
        o.precondition_resource_version != api::MetaString(*cur, "resourceVersion")) {
      return Fail(api::StatusError(ErrorCode::kConflict,
                                   "Precondition failed: ResourceVersion in precondition: " +
                                       o.precondition_resource_version + ", ResourceVersion in object meta: " +
                                       api::MetaString(*cur, "resourceVersion"),
                                   {name, r.group, r.plural, {}}));
    }
    json::object next = *cur;
    json::object& meta = api::Metadata(next);
    if (o.propagation_policy == "Foreground" || o.propagation_policy == "Orphan") {
      std::string fin = o.propagation_policy == "Foreground" ? "foregroundDeletion" : "orphan";
      auto& fins = meta["finalizers"];
      if (!fins.is_array()) fins = json::array();
      bool present = false;
      for (const auto& f : fins.as_array()) present = present || (f.is_string() && f.as_string() == fin);
      if (!present) fins.as_array().push_back(json::value(fin));
    }
    bool graceful = r == kPods && o.grace_period_seconds.value_or(0) > 0 &&
                    !FieldValue(*cur, "spec.nodeName").empty();
    if (HasFinalizers(next) || graceful) {
      if (!meta.contains("deletionTimestamp")) {
        meta["deletionTimestamp"] = api::NowRfc3339();
        meta["deletionGracePeriodSeconds"] = o.grace_period_seconds.value_or(0);
      }
      if (o.dry_run) return next;
      api::Metadata(next)["resourceVersion"] = api::MetaString(*cur, "resourceVersion");
      if (next == *cur) return next;
      return Write(r, std::move(next), "MODIFIED", cur);
    }
    if (gone) *gone = true;
    if (o.dry_run) return next;
    return Write(r, std::move(next), "DELETED", nullptr);
  }
};

class FakeClient::FakeWatch final : public client::Watch {
 public:
  FakeWatch(std::shared_ptr<State> state, std::string rkey, Filter filter, int64_t cursor, bool bookmarks,
            std::vector<WatchEvent> initial, std::string kind, std::string api_version)
      : state_(std::move(state)),
        rkey_(std::move(rkey)),
        filter_(std::move(filter)),
        cursor_(cursor),
        delivered_(cursor),
        bookmarks_(bookmarks),
        epoch_(state_->epoch),
        pending_(std::move(initial)),
        kind_(std::move(kind)),
        api_version_(std::move(api_version)) {
    ++state_->open_watches;  // constructed under the state's lock
  }
  ~FakeWatch() override {
    std::lock_guard<std::mutex> lock(state_->mu);
    --state_->open_watches;
  }

  Result<std::vector<WatchEvent>> Next(std::chrono::milliseconds timeout) override {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    std::unique_lock<std::mutex> lock(state_->mu);
    for (;;) {
      if (epoch_ != state_->epoch) {
        return Fail(ErrorCode::kGone, "too old resource version: " + std::to_string(cursor_) + " (" +
                                          std::to_string(state_->compacted) + ")");
      }
      std::vector<WatchEvent> out;
      out.swap(pending_);
      if (!state_->paused) Scan(&out);
      if (!out.empty()) {
        delivered_ = cursor_;
        return out;
      }
      if (state_->cv.wait_until(lock, deadline) == std::cv_status::timeout) {
        if (epoch_ != state_->epoch) continue;
        if (!state_->paused) Scan(&out);
        if (out.empty() && bookmarks_ && cursor_ > delivered_) {
          json::object meta{{"resourceVersion", std::to_string(cursor_)}};
          out.push_back({"BOOKMARK", json::object{{"kind", kind_}, {"apiVersion", api_version_}, {"metadata", meta}}});
        }
        delivered_ = cursor_;
        return out;
      }
    }
  }

 private:
  void Scan(std::vector<WatchEvent>* out) {
    auto& log = state_->log;
    auto it = std::upper_bound(log.begin(), log.end(), cursor_,
                               [](int64_t rev, const LogEntry& e) { return rev < e.rev; });
    for (; it != log.end(); ++it) {
      cursor_ = it->rev;
      if (it->rkey != rkey_) continue;
      bool now = filter_.Matches(*it->obj);
      if (it->type == "MODIFIED") {
        bool before = it->prev && filter_.Matches(*it->prev);
        if (now && before) {
          out->push_back({"MODIFIED", *it->obj});
        } else if (now) {
          out->push_back({"ADDED", *it->obj});
        } else if (before) {
          out->push_back({"DELETED", *it->obj});
        }
      } else if (now) {
        out->push_back({it->type, *it->obj});
      }
    }
    cursor_ = std::max(cursor_, state_->rev);
  }

  std::shared_ptr<State> state_;
  std::string rkey_;
  Filter filter_;
  int64_t cursor_;     // every event up to here has been looked at
  int64_t delivered_;  // the revision the consumer knows about (last events or bookmark)
  bool bookmarks_;
  int64_t epoch_;
  std::vector<WatchEvent> pending_;
  std::string kind_, api_version_;
};

FakeClient::FakeClient() : state_(std::make_shared<State>()) {}
FakeClient::~FakeClient() = default;

Result<json::object> FakeClient::Get(const Resource& r, const std::string& ns, const std::string& name) {
  std::lock_guard<std::mutex> lock(state_->mu);
  if (auto e = state_->Begin("get", r, ns, name, "")) return Fail(*e);
  ObjectPtr cur = state_->Find(r, ns, name);
  if (!cur) return Fail(api::NotFoundError(r.plural, r.group, name));
  return *cur;
}

Result<ObjectList> FakeClient::List(const Resource& r, const std::string& ns, const ListOptions& options) {
  K1S_ASSIGN_OR_RETURN(Filter filter, MakeFilter(r, ns, options));
  std::lock_guard<std::mutex> lock(state_->mu);
  if (auto e = state_->Begin("list", r, ns, "", "")) return Fail(*e);
  ObjectList out;
  out.resource_version = std::to_string(state_->rev);
  auto rit = state_->objects.find(ResourceKey(r));
  if (rit == state_->objects.end()) return out;
  for (const auto& [key, obj] : rit->second) {
    if (filter.Matches(*obj)) out.items.push_back(*obj);
  }
  return out;
}

Result<std::unique_ptr<client::Watch>> FakeClient::Watch(const Resource& r, const std::string& ns,
                                                         const ListOptions& options) {
  K1S_ASSIGN_OR_RETURN(Filter filter, MakeFilter(r, ns, options));
  std::lock_guard<std::mutex> lock(state_->mu);
  if (auto e = state_->Begin("watch", r, ns, options.name, "")) return Fail(*e);
  std::vector<WatchEvent> initial;
  int64_t cursor = state_->rev;
  const std::string& rv = options.resource_version;
  if (rv.empty() || rv == "0") {
    auto rit = state_->objects.find(ResourceKey(r));
    if (rit != state_->objects.end()) {
      for (const auto& [key, obj] : rit->second) {
        if (filter.Matches(*obj)) initial.push_back({"ADDED", *obj});
      }
    }
    if (options.send_initial_events) {
      json::object meta{{"resourceVersion", std::to_string(cursor)},
                        {"annotations", json::object{{"k8s.io/initial-events-end", "true"}}}};
      initial.push_back(
          {"BOOKMARK", json::object{{"kind", r.kind}, {"apiVersion", r.GroupVersion()}, {"metadata", meta}}});
    }
  } else {
    char* end = nullptr;
    long long parsed = std::strtoll(rv.c_str(), &end, 10);
    if (end == rv.c_str() || *end != '\0' || parsed < 0) {
      return Fail(ErrorCode::kBadRequest, "invalid resourceVersion: " + rv);
    }
    if (parsed < state_->compacted) {
      return Fail(ErrorCode::kGone, "too old resource version: " + rv + " (" + std::to_string(state_->compacted) + ")");
    }
    cursor = parsed;
  }
  return std::unique_ptr<client::Watch>(new FakeWatch(state_, ResourceKey(r), std::move(filter), cursor,
                                                      options.allow_bookmarks, std::move(initial), r.kind,
                                                      r.GroupVersion()));
}

Result<json::object> FakeClient::Create(const Resource& r, const std::string& ns, json::object obj,
                                        const WriteOptions& options) {
  std::lock_guard<std::mutex> lock(state_->mu);
  obj["apiVersion"] = r.GroupVersion();
  obj["kind"] = r.kind;
  json::object& meta = api::Metadata(obj);  // no top-level insertions below: the reference stays valid
  std::string name = api::MetaString(obj, "name");
  if (name.empty()) {
    std::string gen = api::MetaString(obj, "generateName");
    if (gen.empty()) {
      state_->Begin("create", r, ns, "", "");
      return Fail(api::InvalidError(r.kind, r.group, "",
                                    {{"metadata.name", "FieldValueRequired", "name or generateName is required"}}));
    }
    do {
      name = gen + api::RandomSuffix(5);
    } while (state_->Find(r, ns, name));
    meta["name"] = name;
  }
  if (auto e = state_->Begin("create", r, ns, name, "")) return Fail(*e);
  std::string obj_ns = api::MetaString(obj, "namespace");
  std::string use_ns;
  if (r.namespaced) {
    if (!ns.empty() && !obj_ns.empty() && ns != obj_ns) {
      return Fail(ErrorCode::kBadRequest,
                  "the namespace of the provided object does not match the namespace sent on the request");
    }
    use_ns = ns.empty() ? obj_ns : ns;
    if (use_ns.empty()) return Fail(ErrorCode::kBadRequest, "a namespace is required for " + r.plural);
    meta["namespace"] = use_ns;
  } else {
    meta.erase("namespace");
  }
  if (state_->Find(r, use_ns, name)) return Fail(api::AlreadyExistsError(r.plural, r.group, name));
  meta["uid"] = api::NewUid();
  meta["creationTimestamp"] = api::NowRfc3339();
  meta["generation"] = 1;
  meta.erase("deletionTimestamp");
  meta.erase("deletionGracePeriodSeconds");
  if (options.dry_run) return obj;
  return state_->Write(r, std::move(obj), "ADDED", nullptr);
}

Result<json::object> FakeClient::Update(const Resource& r, const std::string& ns, const std::string& name,
                                        json::object obj, const WriteOptions& options, const std::string& subresource) {
  std::lock_guard<std::mutex> lock(state_->mu);
  if (auto e = state_->Begin("update", r, ns, name, subresource)) return Fail(*e);
  return state_->UpdateLocked(r, ns, name, std::move(obj), options.dry_run, subresource);
}

Result<json::object> FakeClient::Patch(const Resource& r, const std::string& ns, const std::string& name,
                                       PatchType type, const json::value& patch, const WriteOptions& options,
                                       const std::string& subresource) {
  std::lock_guard<std::mutex> lock(state_->mu);
  if (auto e = state_->Begin("patch", r, ns, name, subresource)) return Fail(*e);
  ObjectPtr cur = state_->Find(r, ns, name);
  if (!cur) return Fail(api::NotFoundError(r.plural, r.group, name));
  json::value target = *cur;
  switch (type) {
    case PatchType::kJson:
      K1S_TRY(api::ApplyJsonPatch(target, patch));
      break;
    case PatchType::kMerge:
      if (!patch.is_object()) return Fail(ErrorCode::kBadRequest, "a merge patch must be a JSON object");
      api::ApplyMergePatch(target, patch);
      break;
    case PatchType::kStrategicMerge:
      if (!patch.is_object()) return Fail(ErrorCode::kBadRequest, "a strategic merge patch must be a JSON object");
      api::ApplyStrategicMergePatch(target, patch);
      break;
  }
  if (!target.is_object()) return Fail(ErrorCode::kBadRequest, "the patched object is not a JSON object");
  return state_->UpdateLocked(r, ns, name, std::move(target.as_object()), options.dry_run, subresource);
}

Result<json::object> FakeClient::Delete(const Resource& r, const std::string& ns, const std::string& name,
                                        const DeleteOptions& options, bool* gone) {
  std::lock_guard<std::mutex> lock(state_->mu);
  if (auto e = state_->Begin("delete", r, ns, name, "")) return Fail(*e);
  return state_->DeleteLocked(r, ns, name, options, gone);
}

Result<ObjectList> FakeClient::DeleteCollection(const Resource& r, const std::string& ns, const ListOptions& list,
                                                const DeleteOptions& options) {
  K1S_ASSIGN_OR_RETURN(Filter filter, MakeFilter(r, ns, list));
  std::lock_guard<std::mutex> lock(state_->mu);
  if (auto e = state_->Begin("deletecollection", r, ns, "", "")) return Fail(*e);
  std::vector<ObjectPtr> victims;
  if (auto rit = state_->objects.find(ResourceKey(r)); rit != state_->objects.end()) {
    for (const auto& [key, obj] : rit->second) {
      if (filter.Matches(*obj)) victims.push_back(obj);
    }
  }
  ObjectList out;
  for (const auto& v : victims) {
    auto res = state_->DeleteLocked(r, api::MetaString(*v, "namespace"), api::MetaString(*v, "name"), options, nullptr);
    if (res.ok()) out.items.push_back(std::move(*res));
  }
  out.resource_version = std::to_string(state_->rev);
  return out;
}

Result<json::object> FakeClient::Post(const Resource& r, const std::string& ns, const std::string& name,
                                      const std::string& subresource, const json::object& body) {
  std::lock_guard<std::mutex> lock(state_->mu);
  if (auto e = state_->Begin("post", r, ns, name, subresource)) return Fail(*e);
  api::StatusDetails details{name, r.group, r.plural, {}};
  if (r == kPods && subresource == "binding") {
    std::string node = FieldValue(body, "target.name");
    if (node.empty()) {
      return Fail(api::InvalidError("Binding", "", name, {{"target.name", "FieldValueRequired", "Required value"}}));
    }
    ObjectPtr cur = state_->Find(r, ns, name);
    if (!cur) return Fail(api::NotFoundError(r.plural, r.group, name));
    std::string bound = FieldValue(*cur, "spec.nodeName");
    if (!bound.empty()) {
      return Fail(api::StatusError(ErrorCode::kConflict,
                                   "pod " + name + " is already assigned to node \"" + bound + "\"", details));
    }
    json::object pod = *cur;
    auto& spec = pod["spec"];
    if (!spec.is_object()) spec = json::object();
    spec.as_object()["nodeName"] = node;
    state_->Write(r, std::move(pod), "MODIFIED", cur);
    return api::SuccessStatus(details);
  }
  if (r == kPods && subresource == "eviction") {
    DeleteOptions opts;
    if (auto d = body.find("deleteOptions"); d != body.end() && d->value().is_object()) {
      const auto& dobj = d->value().as_object();
      if (auto g = dobj.find("gracePeriodSeconds"); g != dobj.end() && g->value().is_int64()) {
        opts.grace_period_seconds = g->value().as_int64();
      }
    }
    K1S_TRY(state_->DeleteLocked(r, ns, name, opts, nullptr));
    return api::SuccessStatus(details);
  }
  if (r == kServiceAccounts && subresource == "token") {
    if (!state_->Find(r, ns, name)) return Fail(api::NotFoundError(r.plural, r.group, name));
    json::object out = body;
    out["status"] = json::object{{"token", "fake-token." + ns + "." + name},
                                 {"expirationTimestamp", FormatTime(std::chrono::system_clock::now() +
                                                                    std::chrono::hours(1))}};
    return out;
  }
  return body;
}

json::object FakeClient::Seed(const Resource& r, json::object obj) {
  std::lock_guard<std::mutex> lock(state_->mu);
  if (!r.namespaced) api::Metadata(obj).erase("namespace");
  ObjectPtr prev = state_->Find(r, api::MetaString(obj, "namespace"), api::MetaString(obj, "name"));
  return state_->Write(r, std::move(obj), prev ? "MODIFIED" : "ADDED", prev);
}

int64_t FakeClient::Revision() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->rev;
}

void FakeClient::ExpireWatches() {
  std::lock_guard<std::mutex> lock(state_->mu);
  state_->compacted = state_->rev;
  state_->log.clear();
  ++state_->epoch;
  state_->cv.notify_all();
}

void FakeClient::PauseWatches(bool paused) {
  std::lock_guard<std::mutex> lock(state_->mu);
  state_->paused = paused;
  state_->cv.notify_all();
}

int FakeClient::OpenWatches() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->open_watches;
}

void FakeClient::SetErrorHook(ErrorHook hook) {
  std::lock_guard<std::mutex> lock(state_->mu);
  state_->hook = std::move(hook);
}

std::vector<FakeClient::Action> FakeClient::Actions() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->actions;
}

void FakeClient::ClearActions() {
  std::lock_guard<std::mutex> lock(state_->mu);
  state_->actions.clear();
}

}  // namespace k1s::client
