#include "server/registry/registry.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <algorithm>
#include <deque>
#include <map>
#include <mutex>
#include <shared_mutex>

#include "lib/api/go_format.h"
#include "lib/api/meta.h"
#include "lib/api/patch.h"
#include "lib/api/status.h"
#include "lib/base/log.h"
#include "lib/base/strings.h"
#include "lib/api/patch_schema.h"
#include "lib/api/schema.h"
#include "server/registry/apply.h"
#include "server/registry/conversion.h"
#include "server/registry/crd.h"
#include "server/registry/priority_admission.h"
#include "server/registry/quota_admission.h"
#include "server/registry/tables.h"
#include "server/openapi/field_validation.h"
#include "server/openapi/type_check.h"
#include "server/registry/services.h"
#include "server/registry/strategy.h"
#include "server/registry/watch_cache.h"

namespace k1s::registry {

using datastore::KeyValue;
using datastore::Revision;

namespace {

constexpr char kComponent[] = "registry";
constexpr auto kConsistentReadWait = std::chrono::seconds(3);

// How long a list may wait for the watch cache: kConsistentReadWait, or less when the request's
// deadline comes sooner.
std::chrono::milliseconds ListWait(const ListOptions& o) {
  auto now = std::chrono::steady_clock::now();
  if (o.deadline >= now + kConsistentReadWait) return kConsistentReadWait;
  if (o.deadline <= now) return std::chrono::milliseconds(0);
  return std::chrono::ceil<std::chrono::milliseconds>(o.deadline - now);
}
constexpr auto kBookmarkInterval = std::chrono::seconds(30);

// Parses the stored JSON and sets metadata.resourceVersion from the datastore revision.
json::object Decode(const KeyValue& kv, Revision rv = 0) {
  boost::system::error_code ec;
  json::value v = json::parse(kv.value, ec);
  json::object obj = (!ec && v.is_object()) ? std::move(v.as_object()) : json::object();
  api::Metadata(obj)["resourceVersion"] = std::to_string(rv ? rv : kv.mod_revision);
  return obj;
}

// Per-kind defaults and validation (strategy.h).
void StrategyDefaults(const ResourceInfo& r, json::object& obj) { ApplyDefaults(r, obj); }
std::vector<FieldError> StrategyValidate(const ResourceInfo& r, const json::object& obj, const json::object* old) {
  return Validate(r, obj, old);
}

// Kinds whose metadata.generation counts spec changes upstream: workloads and the other kinds with a
// spec that controllers observe (status.observedGeneration), CRDs and custom resources.
bool HasGeneration(const ResourceInfo& r) {
  static const char* const kGroups[] = {"apps", "batch", "autoscaling", "policy", "networking.k8s.io",
                                        "apiextensions.k8s.io", "storage.k8s.io", "scheduling.k8s.io"};
  if (r.custom) return true;
  for (const char* g : kGroups)
    if (r.group == g) return !(r.group == "storage.k8s.io" || r.group == "scheduling.k8s.io");
  return false;
}

// What the API's Go types would drop on the way out (omitempty): empty label, annotation and
// finalizer lists, so `kubectl label x app-` leaves no `labels: {}` behind.
void DropEmptyMetadata(json::object& obj) {
  auto& meta = api::Metadata(obj);
  for (const char* f : {"labels", "annotations"}) {
    auto it = meta.find(f);
    if (it != meta.end() && (it->value().is_null() || (it->value().is_object() && it->value().as_object().empty()))) meta.erase(it);
  }
  for (const char* f : {"finalizers", "ownerReferences", "managedFields"}) {
    auto it = meta.find(f);
    if (it != meta.end() && (it->value().is_null() || (it->value().is_array() && it->value().as_array().empty()))) meta.erase(it);
  }
}

// Secrets: stringData is a write-only convenience merged into data (base64), as upstream does.
void MergeStringData(json::object& secret) {
  auto sd = secret.find("stringData");
  if (sd == secret.end()) return;
  json::value string_data = sd->value();
  secret.erase("stringData");
  if (!string_data.is_object()) return;
  json::object data = secret.contains("data") && secret["data"].is_object() ? secret["data"].as_object() : json::object();
  static const char kB64Std[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (const auto& [k, v] : string_data.as_object()) {
    if (!v.is_string()) continue;
    std::string in(v.as_string()), out;
    size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
      uint32_t n = (uint32_t(uint8_t(in[i])) << 16) | (uint32_t(uint8_t(in[i + 1])) << 8) | uint8_t(in[i + 2]);
      for (int shift : {18, 12, 6, 0}) out += kB64Std[(n >> shift) & 63];
    }
    if (i + 1 == in.size()) {
      uint32_t n = uint32_t(uint8_t(in[i])) << 16;
      out += kB64Std[(n >> 18) & 63];
      out += kB64Std[(n >> 12) & 63];
      out += "==";
    } else if (i + 2 == in.size()) {
      uint32_t n = (uint32_t(uint8_t(in[i])) << 16) | (uint32_t(uint8_t(in[i + 1])) << 8);
      out += kB64Std[(n >> 18) & 63];
      out += kB64Std[(n >> 12) & 63];
      out += kB64Std[(n >> 6) & 63];
      out += '=';
    }
    data[k] = out;
  }
  secret["data"] = std::move(data);
}

bool IsService(const ResourceInfo& r) { return r.group.empty() && r.plural == "services"; }
bool IsPod(const ResourceInfo& r) { return r.group.empty() && r.plural == "pods"; }
bool IsNamespace(const ResourceInfo& r) { return r.group.empty() && r.plural == "namespaces"; }

Error NotFound(const ResourceInfo& r, const std::string& name) { return api::NotFoundError(r.plural, r.group, name); }
Error Conflict(const ResourceInfo& r, const std::string& name) { return api::ConflictError(r.plural, r.group, name); }
Error AlreadyExists(const ResourceInfo& r, const std::string& name) {
  return api::AlreadyExistsError(r.plural, r.group, name);
}
Error Invalid(const ResourceInfo& r, const std::string& name, const std::vector<FieldError>& errs) {
  std::vector<api::FieldCause> causes;
  for (const auto& e : errs) causes.push_back({e.field, e.reason, e.message});
  return api::InvalidError(r.kind, r.group, name, causes);
}
Error BadRequest(std::string message) { return Error{ErrorCode::kBadRequest, std::move(message)}; }

// Maps a datastore error on one object to the Status a client expects.
Error StoreError(const Error& e, const ResourceInfo& r, const std::string& name) {
  if (e.code == ErrorCode::kNotFound) return NotFound(r, name);
  if (e.code == ErrorCode::kConflict) return Conflict(r, name);
  if (e.code == ErrorCode::kAlreadyExists) return AlreadyExists(r, name);
  return e;
}

const json::object* Field(const json::object& obj, const char* name) {
  auto it = obj.find(name);
  return it != obj.end() && it->value().is_object() ? &it->value().as_object() : nullptr;
}

// A namespace's spec.finalizers ("kubernetes": the namespace controller empties it first).
bool HasSpecFinalizers(const json::object& obj) {
  const auto* spec = Field(obj, "spec");
  if (!spec) return false;
  auto f = spec->find("finalizers");
  return f != spec->end() && f->value().is_array() && !f->value().as_array().empty();
}

bool HasFinalizers(const json::object& obj) {
  const auto* m = Field(obj, "metadata");
  if (!m) return false;
  auto f = m->find("finalizers");
  return f != m->end() && f->value().is_array() && !f->value().as_array().empty();
}

std::string PrefixEnd(std::string prefix) {
  while (!prefix.empty()) {
    unsigned char c = static_cast<unsigned char>(prefix.back());
    if (c < 0xff) {
      prefix.back() = static_cast<char>(c + 1);
      return prefix;
    }
    prefix.pop_back();
  }
  return "";
}

// Continue tokens: "<revision>/<last key>" base64url-encoded; they stay valid until the revision is
// compacted.
const char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
std::string Base64Url(const std::string& in) {
  std::string out;
  uint32_t buf = 0;
  int bits = 0;
  for (unsigned char c : in) {
    buf = (buf << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += kB64[(buf >> bits) & 63];
    }
  }
  if (bits) out += kB64[(buf << (6 - bits)) & 63];
  return out;
}
Result<std::string> UnBase64Url(const std::string& in) {
  std::string out;
  uint32_t buf = 0;
  int bits = 0;
  for (char c : in) {
    const char* p = std::strchr(kB64, c);
    if (!p || !c) return Fail(ErrorCode::kBadRequest, "invalid continue token");
    buf = (buf << 6) | static_cast<uint32_t>(p - kB64);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buf >> bits) & 0xff);
    }
  }
  return out;
}
std::string EncodeContinue(Revision rev, const std::string& last_key) {
  return Base64Url("k1s1/" + std::to_string(rev) + "/" + last_key);
}
Result<std::pair<Revision, std::string>> DecodeContinue(const std::string& token) {
  auto raw = UnBase64Url(token);
  auto bad = [] { return Fail(ErrorCode::kBadRequest, "invalid continue token"); };
  if (!raw.ok() || raw->rfind("k1s1/", 0) != 0) return bad();
  auto slash = raw->find('/', 5);
  if (slash == std::string::npos) return bad();
  char* end = nullptr;
  long long rev = std::strtoll(raw->c_str() + 5, &end, 10);
  if (end != raw->c_str() + slash || rev <= 0) return bad();
  return std::make_pair(static_cast<Revision>(rev), raw->substr(slash + 1));
}

// Removes the field at a path like `spec.containers[0].imagee` (as field validation reports it).
void RemovePath(json::object& obj, const std::string& path) {
  json::value* cur = nullptr;
  json::object* o = &obj;
  size_t pos = 0;
  std::string last;
  json::object* parent = nullptr;
  while (pos <= path.size()) {
    size_t dot = path.find('.', pos);
    std::string part = path.substr(pos, dot == std::string::npos ? std::string::npos : dot - pos);
    pos = dot == std::string::npos ? path.size() + 1 : dot + 1;
    std::vector<size_t> indexes;
    while (!part.empty() && part.back() == ']') {
      auto open = part.rfind('[');
      if (open == std::string::npos) return;
      indexes.insert(indexes.begin(), static_cast<size_t>(std::atoll(part.substr(open + 1).c_str())));
      part.resize(open);
    }
    if (!o) return;
    if (pos > path.size() && indexes.empty()) {
      parent = o;
      last = part;
      break;
    }
    auto it = o->find(part);
    if (it == o->end()) return;
    cur = &it->value();
    for (size_t idx : indexes) {
      if (!cur->is_array() || idx >= cur->as_array().size()) return;
      cur = &cur->as_array()[idx];
    }
    o = cur->is_object() ? &cur->as_object() : nullptr;
  }
  if (parent) parent->erase(last);
}

// ---- selectors ----

// Field selectors: metadata.name and metadata.namespace for every kind, plus the fields upstream
// supports for each kind.
// The field selectors a kind supports beyond metadata.name/namespace (nullptr: none).
const std::vector<std::string>* OwnFieldSelectors(const ResourceInfo& r) {
  static const std::vector<std::pair<std::string, std::vector<std::string>>> kFields = {
      {"/pods",
       {"spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName", "spec.hostNetwork",
        "status.phase", "status.podIP", "status.nominatedNodeName"}},
      {"/events",
       {"involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid",
        "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath", "reason",
        "reportingComponent", "source", "type"}},
      {"events.k8s.io/events",
       {"regarding.kind", "regarding.namespace", "regarding.name", "regarding.uid", "regarding.apiVersion",
        "reason", "reportingController", "type"}},
      {"/secrets", {"type"}},
      {"/namespaces", {"status.phase"}},
      {"/nodes", {"spec.unschedulable"}},
      {"apps/replicasets", {"status.replicas"}},
      {"batch/jobs", {"status.successful"}},
      {"certificates.k8s.io/certificatesigningrequests", {"spec.signerName"}},
  };
  std::string id = r.group + "/" + r.plural;
  for (const auto& [k, fields] : kFields)
    if (k == id) return &fields;
  return nullptr;
}

bool FieldSupported(const ResourceInfo& r, const std::string& field) {
  if (field == "metadata.name" || field == "metadata.namespace") return true;
  const auto* own = OwnFieldSelectors(r);
  return own && std::find(own->begin(), own->end(), field) != own->end();
}

// The value of a dotted field path as a selector compares it ("" when missing).
std::string FieldValue(const json::object& obj, const std::string& path) {
  if (path == "source") {  // core Event: source.component
    const auto* s = Field(obj, "source");
    if (!s) return "";
    auto c = s->find("component");
    return c != s->end() && c->value().is_string() ? std::string(c->value().as_string()) : "";
  }
  const json::value* cur = nullptr;
  const json::object* o = &obj;
  for (const auto& part : Split(path, '.')) {
    if (!o) return "";
    auto it = o->find(part);
    if (it == o->end()) return "";
    cur = &it->value();
    o = cur->is_object() ? &cur->as_object() : nullptr;
  }
  if (!cur) return "";
  if (cur->is_string()) return std::string(cur->as_string());
  if (cur->is_bool()) return cur->as_bool() ? "true" : "false";
  if (cur->is_int64()) return std::to_string(cur->as_int64());
  return "";
}

struct Filter {
  api::LabelSelector labels;
  std::vector<std::tuple<std::string, std::string, bool>> fields;  // field, value, negated

  bool Matches(const json::object& obj) const {
    if (!labels.Matches(api::Labels(obj))) return false;
    for (const auto& [field, value, negate] : fields) {
      if ((FieldValue(obj, field) == value) == negate) return false;
    }
    return true;
  }
  bool Empty() const { return labels.Empty() && fields.empty(); }
};

Result<Filter> ParseFilter(const ResourceInfo& r, const ListOptions& o) {
  Filter f;
  K1S_ASSIGN_OR_RETURN(f.labels, api::LabelSelector::Parse(o.label_selector));
  for (auto& part : Split(o.field_selector, ',')) {
    if (part.empty()) continue;
    auto ne = part.find("!=");
    auto eq = part.find('=');
    std::string key, value;
    bool negate = false;
    if (ne != std::string::npos) {
      key = part.substr(0, ne);
      value = part.substr(ne + 2);
      negate = true;
    } else if (eq != std::string::npos) {
      key = part.substr(0, eq);
      value = part.substr(eq + (part.compare(eq, 2, "==") == 0 ? 2 : 1));
    } else {
      return Fail(ErrorCode::kBadRequest, "invalid selector: '" + part + "'; can't understand '" + part + "'");
    }
    key = std::string(Trim(key));
    if (!FieldSupported(r, key)) {
      // Kinds with field selectors of their own word it as their conversion does; the rest as the
      // generic check does.
      if (!OwnFieldSelectors(r)) {
        return Fail(ErrorCode::kBadRequest, "\"" + key + "\" is not a known field selector: only \"metadata.name\", "
                                            "\"metadata.namespace\"");
      }
      return Fail(ErrorCode::kBadRequest, "field label not supported: " + key);
    }
    f.fields.emplace_back(key, std::string(Trim(value)), negate);
  }
  if (!o.name.empty()) f.fields.emplace_back("metadata.name", o.name, false);
  return f;
}

}  // namespace

// ---- watches ----

namespace {

// Turns datastore events into API watch events: decodes, filters (an object that stops matching is
// DELETED for this watcher, one that starts matching is ADDED, as upstream), bookmarks.
class EventTranslator {
 public:
  EventTranslator(const ResourceInfo& r, Filter filter, bool bookmarks)
      : kind_(r.kind), api_version_(r.GroupVersion()), filter_(std::move(filter)), bookmarks_(bookmarks) {}

  void Translate(const datastore::Event& ev, std::vector<WatchEvent>* out) {
    Translate(ev.type, ev.revision, ev.kv, ev.prev ? &*ev.prev : nullptr, out);
  }
  void Translate(const WatchCache::CachedEvent& ev, std::vector<WatchEvent>* out) {
    Translate(ev.type, ev.revision, *ev.kv, ev.prev.get(), out);
  }
  void Translate(datastore::Event::Type type, Revision revision, const datastore::KeyValue& kv,
                 const datastore::KeyValue* prev, std::vector<WatchEvent>* out) {
    using T = datastore::Event::Type;
    if (type == T::kDelete) {
      if (!prev) return;
      json::object obj = Decode(*prev, revision);
      if (filter_.Matches(obj)) out->push_back({"DELETED", std::move(obj)});
      return;
    }
    json::object obj = Decode(kv);
    bool now = filter_.Matches(obj);
    if (type == T::kCreate) {
      if (now) out->push_back({"ADDED", std::move(obj)});
      return;
    }
    if (filter_.Empty()) {
      out->push_back({"MODIFIED", std::move(obj)});
      return;
    }
    bool before = prev && filter_.Matches(Decode(*prev));
    if (now && before) out->push_back({"MODIFIED", std::move(obj)});
    if (now && !before) out->push_back({"ADDED", std::move(obj)});
    if (!now && before) {
      json::object old = Decode(*prev, revision);
      out->push_back({"DELETED", std::move(old)});
    }
  }

  // A BOOKMARK at rev when the watch has been quiet for a while.
  void MaybeBookmark(Revision rev, std::vector<WatchEvent>* out, bool force = false,
                     bool initial_events_end = false) {
    if (!bookmarks_) return;
    auto now = std::chrono::steady_clock::now();
    if (!force && now - last_bookmark_ < kBookmarkInterval) return;
    last_bookmark_ = now;
    json::object meta{{"resourceVersion", std::to_string(rev)}};
    if (initial_events_end) meta["annotations"] = json::object{{"k8s.io/initial-events-end", "true"}};
    out->push_back({"BOOKMARK", json::object{{"kind", kind_}, {"apiVersion", api_version_}, {"metadata", meta}}});
  }
  void Seen() { last_bookmark_ = std::chrono::steady_clock::now(); }

  const Filter& filter() const { return filter_; }

 private:
  std::string kind_, api_version_;
  Filter filter_;
  bool bookmarks_;
  std::chrono::steady_clock::time_point last_bookmark_ = std::chrono::steady_clock::now();
};

class CacheWatch : public Watch {
 public:
  CacheWatch(WatchCache::Cursor cursor, EventTranslator tr, std::vector<WatchEvent> initial)
      : cursor_(std::move(cursor)), tr_(std::move(tr)), pending_(std::move(initial)) {}
  Result<std::vector<WatchEvent>> Next(std::chrono::milliseconds timeout) override {
    if (!pending_.empty()) return std::exchange(pending_, {});
    K1S_ASSIGN_OR_RETURN(auto events, cursor_.Next(timeout));
    std::vector<WatchEvent> out;
    for (const auto& ev : events) tr_.Translate(*ev, &out);
    if (out.empty()) {
      tr_.MaybeBookmark(cursor_.Position(), &out);
    } else {
      tr_.Seen();
    }
    return out;
  }

 private:
  WatchCache::Cursor cursor_;
  EventTranslator tr_;
  std::vector<WatchEvent> pending_;
};

class StoreWatch : public Watch {
 public:
  StoreWatch(std::unique_ptr<datastore::WatchStream> stream, EventTranslator tr, std::vector<WatchEvent> initial)
      : stream_(std::move(stream)), tr_(std::move(tr)), pending_(std::move(initial)) {}
  ~StoreWatch() override { stream_->Close(); }
  Result<std::vector<WatchEvent>> Next(std::chrono::milliseconds timeout) override {
    if (!pending_.empty()) return std::exchange(pending_, {});
    K1S_ASSIGN_OR_RETURN(auto events, stream_->Next(timeout));
    std::vector<WatchEvent> out;
    for (const auto& ev : events) tr_.Translate(ev, &out);
    if (out.empty()) {
      tr_.MaybeBookmark(stream_->LastRevision(), &out);
    } else {
      tr_.Seen();
    }
    return out;
  }

 private:
  std::unique_ptr<datastore::WatchStream> stream_;
  EventTranslator tr_;
  std::vector<WatchEvent> pending_;
};

}  // namespace

// ---- the registry ----

struct Registry::Impl {
  datastore::Store& store;
  RegistryOptions options;
  std::optional<ServiceAllocator> services;
  std::unique_ptr<WatchCache> cache;
  QuotaAdmission quota_admission{store};  // ResourceQuota admission of creates and updates
  PriorityAdmission priority_admission{store};  // Priority admission (pods) and PriorityClass rules

  // The resource table. Rows are never removed (a deleted CRD's rows stop being served), so
  // pointers handed out stay valid; res_mu guards the table, the snapshot and the custom map.
  struct Custom {
    json::object crd;
    std::map<std::string, std::shared_ptr<const CrSchema>> schemas;  // by version
  };
  mutable std::shared_mutex res_mu;
  std::deque<ResourceInfo> table;
  std::vector<bool> served;
  std::shared_ptr<const std::vector<ResourceInfo>> snapshot;
  std::map<std::string, Custom> customs;  // by "<plural>.<group>" (the CRD's name)
  std::atomic<uint64_t> generation{1};

  Impl(datastore::Store& s, std::vector<ResourceInfo> r, RegistryOptions o) : store(s), options(std::move(o)) {
    for (auto& info : r) {
      table.push_back(std::move(info));
      served.push_back(true);
    }
    RebuildSnapshot();
  }

  void RebuildSnapshot() {  // caller holds res_mu exclusively (or is the constructor)
    auto v = std::make_shared<std::vector<ResourceInfo>>();
    for (size_t i = 0; i < table.size(); ++i)
      if (served[i]) v->push_back(table[i]);
    snapshot = std::move(v);
    ++generation;
  }

  const ResourceInfo* Find(const std::string& group, const std::string& version, const std::string& plural) const {
    std::shared_lock lock(res_mu);
    for (size_t i = 0; i < table.size(); ++i) {
      const auto& r = table[i];
      if (served[i] && r.group == group && r.version == version && r.plural == plural) return &r;
    }
    return nullptr;
  }

  std::shared_ptr<const CrSchema> SchemaOf(const ResourceInfo& r) const {
    std::shared_lock lock(res_mu);
    auto it = customs.find(r.plural + "." + r.group);
    if (it == customs.end()) return nullptr;
    auto s = it->second.schemas.find(r.version);
    return s == it->second.schemas.end() ? nullptr : s->second;
  }
  std::optional<json::object> CrdOf(const ResourceInfo& r) const {
    std::shared_lock lock(res_mu);
    auto it = customs.find(r.plural + "." + r.group);
    if (it == customs.end()) return std::nullopt;
    return it->second.crd;
  }

  // Serves (or updates, or with crd == nullptr stops serving) the resources of the CRD `name`.
  void RegisterCrd(const std::string& name, const json::object* crd) {
    std::vector<ResourceInfo> rows;
    Custom custom;
    if (crd) {
      auto infos = ResourceFromCrd(*crd);
      if (!infos.ok()) {
        K1S_LOG(kWarn, kComponent) << "not serving CRD " << name << ": " << infos.error().message;
      } else {
        rows = std::move(*infos);
        custom.crd = *crd;
        for (auto& row : rows) {
          row.custom = true;
          if (const json::object* schema = CrdSchemaFor(*crd, row.version)) {
            auto built = CrSchema::Build(*schema);
            if (built.ok()) custom.schemas[row.version] = std::move(*built);
          }
        }
      }
    }
    std::unique_lock lock(res_mu);
    // Stop serving the CRD's old rows; reuse a row's slot when it comes back identical.
    for (size_t i = 0; i < table.size(); ++i) {
      if (table[i].custom && table[i].plural + "." + table[i].group == name) served[i] = false;
    }
    for (auto& row : rows) {
      bool reused = false;
      for (size_t i = 0; i < table.size() && !reused; ++i) {
        const auto& t = table[i];
        if (t.custom && t.group == row.group && t.version == row.version && t.plural == row.plural &&
            t.kind == row.kind && t.namespaced == row.namespaced && t.subresources == row.subresources &&
            t.short_names == row.short_names && t.categories == row.categories) {
          served[i] = true;
          reused = true;
        }
      }
      if (!reused) {
        table.push_back(std::move(row));
        served.push_back(true);
      }
    }
    if (crd && !rows.empty()) {
      customs[name] = std::move(custom);
    } else {
      customs.erase(name);
    }
    RebuildSnapshot();
  }

  void LoadCrds() {
    const ResourceInfo* crds = Find("apiextensions.k8s.io", "v1", "customresourcedefinitions");
    datastore::ListOptions o;
    o.prefix = crds->KeyPrefix();
    auto list = store.List(o);
    if (!list.ok()) return;
    for (const auto& kv : list->items) {
      json::object crd = Decode(kv);
      RegisterCrd(api::MetaString(crd, "name"), &crd);
    }
  }

  static bool IsCrd(const ResourceInfo& r) { return r.group == "apiextensions.k8s.io" && r.plural == "customresourcedefinitions"; }

  // Custom resources: unknown fields pruned (reported as for built-in kinds), defaults, schema checks.
  Status PrepareCustom(const ResourceInfo& r, json::object& obj, const WriteOptions& o, const std::string& name) {
    auto schema = SchemaOf(r);
    if (!schema) return OkStatus();
    auto pruned = schema->Prune(obj);
    if (!pruned.empty()) {
      std::vector<std::string> unknown;
      for (const auto& p : pruned) unknown.push_back("unknown field \"" + p + "\"");
      if (o.unknown_fields) o.unknown_fields->insert(o.unknown_fields->end(), unknown.begin(), unknown.end());
      if (o.strict) return Fail(BadRequest("strict decoding error: " + Join(unknown, ", ")));
    }
    schema->ApplyDefaults(obj);
    if (auto errs = schema->ValidateObject(obj); !errs.empty()) return Fail(Invalid(r, name, errs));
    return OkStatus();
  }
  const ResourceInfo& Namespaces() const { return *Find("", "v1", "namespaces"); }

  static std::string Key(const ResourceInfo& r, const std::string& ns, const std::string& name) {
    return r.KeyPrefix() + (r.namespaced ? ns + "/" : "") + name;
  }
  static std::string Prefix(const ResourceInfo& r, const std::string& ns) {
    return r.KeyPrefix() + (r.namespaced && !ns.empty() ? ns + "/" : "");
  }

  Result<KeyValue> GetKv(const ResourceInfo& r, const std::string& ns, const std::string& name) {
    auto kv = store.Get(Key(r, ns, name));
    if (!kv.ok()) return Fail(StoreError(kv.error(), r, name));
    return kv;
  }

  // ---- create ----

  // Checks that ns exists and is not terminating (for writes into it).
  Status CheckNamespace(const ResourceInfo& r, const std::string& ns, const std::string& name) {
    if (!r.namespaced) return OkStatus();
    auto kv = store.Get(Key(Namespaces(), "", ns));
    if (!kv.ok()) return Fail(NotFound(Namespaces(), ns));
    json::object obj = Decode(*kv);
    const auto* status = Field(obj, "status");
    if (status) {
      auto p = status->find("phase");
      if (p != status->end() && p->value() == "Terminating") {
        return Fail(api::StatusError(ErrorCode::kForbidden,
                                     api::QualifiedResource(r.plural, r.group) + " \"" + name +
                                         "\" is forbidden: unable to create new content in namespace " + ns +
                                         " because it is being terminated",
                                     {name, r.group, r.plural, {}}));
      }
    }
    return OkStatus();
  }

  // Validates and completes the metadata of an object for create.
  Status PrepareCreate(const ResourceInfo& r, const std::string& ns, json::object& obj) {
    // Check the kind before touching the object; insert top-level fields before holding a reference
    // into metadata (an insert may move the object's storage).
    if (auto kind = obj.find("kind"); kind != obj.end() && kind->value().is_string() && kind->value().as_string() != r.kind) {
      return Fail(BadRequest("the kind of the provided object (" + std::string(kind->value().as_string()) +
                             ") does not match the resource (" + r.kind + ")"));
    }
    obj["kind"] = r.kind;
    obj["apiVersion"] = r.GroupVersion();
    if (IsNamespace(r)) {
      obj["spec"] = json::object{{"finalizers", json::array{"kubernetes"}}};
      obj["status"] = json::object{{"phase", "Active"}};
    }
    if (r.group.empty() && r.plural == "secrets" && obj.find("type") == obj.end()) obj["type"] = "Opaque";
    auto& meta = api::Metadata(obj);
    std::string name = api::MetaString(obj, "name");
    std::string generate = api::MetaString(obj, "generateName");
    if (name.empty() && !generate.empty()) {
      name = generate + api::RandomSuffix(5);
      meta["name"] = name;
    }
    if (name.empty()) {
      return Fail(Invalid(r, "", {{"metadata.name", "FieldValueRequired", "Required value: name or generateName is required"}}));
    }
    std::string why = r.path_segment_names ? api::ValidatePathSegmentName(name)
                      : r.dns1035_names    ? api::ValidateDns1035Label(name)
                      : r.label_names      ? api::ValidateDns1123Label(name)
                                           : api::ValidateDns1123Subdomain(name);
    if (!why.empty()) {
      return Fail(Invalid(r, name, {{"metadata.name", "FieldValueInvalid", "Invalid value: \"" + name + "\": " + why}}));
    }
    std::string body_ns = api::MetaString(obj, "namespace");
    if (r.namespaced) {
      if (!body_ns.empty() && body_ns != ns) {
        return Fail(BadRequest("the namespace of the provided object does not match the namespace sent on the request"));
      }
      meta["namespace"] = ns;
    } else {
      meta.erase("namespace");
    }
    meta["uid"] = api::NewUid();
    meta["creationTimestamp"] = api::NowRfc3339();
    if (HasGeneration(r)) {
      meta["generation"] = 1;
    } else {
      meta.erase("generation");
    }
    meta.erase("resourceVersion");
    meta.erase("deletionTimestamp");
    meta.erase("deletionGracePeriodSeconds");
    if (IsNamespace(r)) {
      auto& labels = meta["labels"];
      if (!labels.is_object()) labels = json::object();
      labels.as_object()["kubernetes.io/metadata.name"] = name;
    }
    return OkStatus();
  }

  datastore::WriteOptions StoreWriteOptions(const ResourceInfo& r) const {
    datastore::WriteOptions wo;
    if (r.plural == "events") wo.lease_ttl_seconds = options.event_ttl_seconds;
    return wo;
  }

  // Drops fields the kind's schema does not have, reporting them (see WriteOptions).
  Status DropUnknownFields(const ResourceInfo& r, json::object& obj, const WriteOptions& o) {
    auto unknown = openapi::UnknownFields(r, obj, *api::BuiltinSchema());
    if (unknown.empty()) return OkStatus();
    for (const auto& u : unknown) {
      auto first = u.find('"'), last = u.rfind('"');
      if (u.rfind("unknown field", 0) == 0 && first != std::string::npos && last > first)
        RemovePath(obj, u.substr(first + 1, last - first - 1));
    }
    if (o.unknown_fields) o.unknown_fields->insert(o.unknown_fields->end(), unknown.begin(), unknown.end());
    if (o.strict) return Fail(BadRequest("strict decoding error: " + Join(unknown, ", ")));
    return OkStatus();
  }

  Result<json::object> Create(const ResourceInfo& r, const std::string& ns, json::object obj, const WriteOptions& o) {
    if (!r.custom) K1S_TRY(DropUnknownFields(r, obj, o));
    K1S_TRY(PrepareCreate(r, ns, obj));
    std::string name = api::MetaString(obj, "name");
    K1S_TRY(CheckNamespace(r, ns, name));
    if (r.custom) K1S_TRY(PrepareCustom(r, obj, o, name));
    if (r.group.empty() && r.plural == "secrets") MergeStringData(obj);
    DropEmptyMetadata(obj);
    if (IsCrd(r)) {
      DefaultCrd(obj);
      if (auto errs = ValidateCrd(obj, nullptr); !errs.empty()) return Fail(Invalid(r, name, errs));
      SetCrdEstablished(obj, api::NowRfc3339());
    }
    StrategyDefaults(r, obj);
    K1S_TRY(priority_admission.Admit(r, ns, obj, nullptr));
    if (IsService(r) && services) {
      auto errs = services->DefaultAndValidate(obj);
      if (!errs.empty()) return Fail(Invalid(r, name, errs));
    }
    if (auto errs = StrategyValidate(r, obj, nullptr); !errs.empty()) return Fail(Invalid(r, name, errs));
    TrackManagedFields(r, nullptr, obj, o, "");
    std::string key = Key(r, ns, name);
    if (o.dry_run) {
      if (store.Get(key).ok()) return Fail(AlreadyExists(r, name));
      K1S_TRY(quota_admission.Admit(r, ns, obj, nullptr, true));
      return obj;
    }
    if (IsService(r) && services) {
      if (store.Get(key).ok()) return Fail(AlreadyExists(r, name));
      auto errs = services->Allocate(obj, ns + "/" + name);
      if (!errs.ok()) return Fail(StoreError(errs.error(), r, name));
      if (!errs->empty()) return Fail(Invalid(r, name, *errs));
    }
    auto charge = quota_admission.Admit(r, ns, obj, nullptr, false);
    if (!charge.ok()) {
      if (IsService(r) && services) services->Release(obj);
      return Fail(charge.error());
    }
    auto created = store.Create(key, json::serialize(obj), StoreWriteOptions(r));
    if (!created.ok()) {
      quota_admission.Release(*charge);
      if (IsService(r) && services) services->Release(obj);
      return Fail(StoreError(created.error(), r, name));
    }
    api::Metadata(obj)["resourceVersion"] = std::to_string(created->mod_revision);
    if (IsCrd(r)) RegisterCrd(name, &obj);
    return obj;
  }

  // ---- update ----

  // Writes obj over current (both whole objects): keeps identity fields, splits spec and status for
  // kinds with a status subresource, bumps generation, checks the resourceVersion precondition.
  Result<json::object> Replace(const ResourceInfo& r, const std::string& ns, const std::string& name, json::object obj,
                               const KeyValue& current, const WriteOptions& o, const std::string& sub) {
    json::object cur = Decode(current);
    std::string rv = api::MetaString(obj, "resourceVersion");
    if (!rv.empty() && rv != std::to_string(current.mod_revision)) return Fail(Conflict(r, name));
    if (!api::MetaString(obj, "name").empty() && api::MetaString(obj, "name") != name) {
      return Fail(BadRequest("the name of the object (" + api::MetaString(obj, "name") +
                             ") does not match the name on the URL (" + name + ")"));
    }
    if (r.namespaced && !api::MetaString(obj, "namespace").empty() && api::MetaString(obj, "namespace") != ns) {
      return Fail(BadRequest("the namespace of the provided object does not match the namespace sent on the request"));
    }
    if (auto kind = obj.find("kind"); kind != obj.end() && kind->value().is_string() && !kind->value().as_string().empty() &&
                                      kind->value().as_string() != r.kind) {
      return Fail(BadRequest("the kind of the provided object (" + std::string(kind->value().as_string()) +
                             ") does not match the resource (" + r.kind + ")"));
    }
    if (sub == "finalize") {
      // namespaces/finalize: only spec.finalizers changes.
      json::object next = cur;
      json::array finalizers;
      if (const auto* spec = Field(obj, "spec")) {
        if (auto f = spec->find("finalizers"); f != spec->end() && f->value().is_array()) finalizers = f->value().as_array();
      }
      json::object spec = next.contains("spec") && next["spec"].is_object() ? next["spec"].as_object() : json::object();
      spec["finalizers"] = std::move(finalizers);
      next["spec"] = std::move(spec);
      obj = std::move(next);
    } else if (sub == "status") {
      // Only the status changes: everything else comes from the stored object.
      json::object next = cur;
      if (auto s = obj.find("status"); s != obj.end()) {
        next["status"] = s->value();
      } else {
        next.erase("status");
      }
      obj = std::move(next);
    } else if (r.HasSubresource("status") && !IsNamespace(r)) {
      // The status is written through /status only.
      if (auto s = cur.find("status"); s != cur.end()) {
        obj["status"] = s->value();
      } else {
        obj.erase("status");
      }
    } else if (IsNamespace(r)) {
      obj["status"] = cur["status"];
      obj["spec"] = cur["spec"];
    }
    obj["kind"] = r.kind;
    obj["apiVersion"] = r.GroupVersion();
    {
      auto& meta = api::Metadata(obj);
      meta["name"] = name;
      if (r.namespaced) {
        meta["namespace"] = ns;
      } else {
        meta.erase("namespace");
      }
      meta["uid"] = api::MetaString(cur, "uid");
      meta["creationTimestamp"] = api::MetaString(cur, "creationTimestamp");
      meta.erase("resourceVersion");
      meta.erase("selfLink");
    }
    // deletionTimestamp is set only by a delete and cannot be changed by writes.
    const json::object* cur_meta = Field(cur, "metadata");
    {
      auto& meta = api::Metadata(obj);
      meta.erase("deletionTimestamp");
      meta.erase("deletionGracePeriodSeconds");
      if (cur_meta) {
        for (const char* f : {"deletionTimestamp", "deletionGracePeriodSeconds"})
          if (auto it = cur_meta->find(f); it != cur_meta->end()) meta[f] = it->value();
      }
    }
    const bool deleting = !api::MetaString(cur, "deletionTimestamp").empty();
    if (r.custom) {
      K1S_TRY(PrepareCustom(r, obj, o, name));
    } else {
      K1S_TRY(DropUnknownFields(r, obj, o));
    }
    if (IsCrd(r) && sub.empty()) {
      DefaultCrd(obj);
      if (auto errs = ValidateCrd(obj, &cur); !errs.empty()) return Fail(Invalid(r, name, errs));
      if (auto st = cur.find("status"); st != cur.end()) obj["status"] = st->value();
    }
    if (sub.empty()) StrategyDefaults(r, obj);
    if (sub.empty()) K1S_TRY(priority_admission.Admit(r, ns, obj, &cur));
    // generation counts changes to the desired state (spec, or everything but metadata and status
    // for kinds without spec).
    int64_t generation = 1;
    if (cur_meta) {
      if (auto g = cur_meta->find("generation"); g != cur_meta->end() && g->value().is_int64()) generation = g->value().as_int64();
    }
    auto desired = [](const json::object& o) {
      if (auto it = o.find("spec"); it != o.end()) return it->value();
      json::object rest = o;
      rest.erase("metadata");
      rest.erase("status");
      return json::value(std::move(rest));
    };
    if (desired(obj) != desired(cur)) ++generation;
    if (HasGeneration(r)) {
      api::Metadata(obj)["generation"] = generation;
    } else {
      api::Metadata(obj).erase("generation");
    }
    if (r.group.empty() && r.plural == "secrets") MergeStringData(obj);
    DropEmptyMetadata(obj);
    if (sub.empty()) {
      if (IsService(r) && services) {
        auto errs = services->PrepareUpdate(obj, cur, ns + "/" + name);
        if (!errs.ok()) return Fail(StoreError(errs.error(), r, name));
        if (!errs->empty()) return Fail(Invalid(r, name, *errs));
      }
      if (auto errs = StrategyValidate(r, obj, &cur); !errs.empty()) return Fail(Invalid(r, name, errs));
    }
    TrackManagedFields(r, &cur, obj, o, sub);
    api::Metadata(obj)["resourceVersion"] = std::to_string(current.mod_revision);
    // Nothing changed: nothing is written and the resourceVersion stays, as upstream does.
    if (obj == cur) return obj;
    QuotaCharge charge;
    if (sub.empty()) {
      K1S_ASSIGN_OR_RETURN(charge, quota_admission.Admit(r, ns, obj, &cur, o.dry_run));
    }
    if (o.dry_run) return obj;
    api::Metadata(obj).erase("resourceVersion");
    if (deleting && !HasFinalizers(obj) && !(IsPod(r) && GracefulPending(obj)) &&
        !(IsNamespace(r) && HasSpecFinalizers(obj))) {
      // The last finalizer is gone from an object being deleted: it goes now.
      auto deleted = store.Delete(Key(r, ns, name), current.mod_revision);
      if (!deleted.ok()) return Fail(StoreError(deleted.error(), r, name));
      if (IsService(r) && services) services->Release(obj);
      api::Metadata(obj)["resourceVersion"] = std::to_string(deleted->mod_revision);
      return obj;
    }
    auto updated = store.Update(Key(r, ns, name), json::serialize(obj), current.mod_revision, StoreWriteOptions(r));
    if (!updated.ok()) {
      quota_admission.Release(charge);
      return Fail(StoreError(updated.error(), r, name));
    }
    api::Metadata(obj)["resourceVersion"] = std::to_string(updated->mod_revision);
    if (IsCrd(r)) RegisterCrd(name, &obj);
    return obj;
  }

  // A pod marked for graceful deletion waits for its node to confirm (delete with grace 0).
  static bool GracefulPending(const json::object& pod) {
    const auto* m = Field(pod, "metadata");
    if (!m) return false;
    auto g = m->find("deletionGracePeriodSeconds");
    return g != m->end() && g->value().is_int64() && g->value().as_int64() > 0;
  }

  Result<json::object> Update(const ResourceInfo& r, const std::string& ns, const std::string& name, json::object obj,
                              const WriteOptions& o, const std::string& sub) {
    K1S_ASSIGN_OR_RETURN(auto current, GetKv(r, ns, name));
    return Replace(r, ns, name, std::move(obj), current, o, sub);
  }

  Result<json::object> Patch(const ResourceInfo& r, const std::string& ns, const std::string& name, PatchType type,
                             const json::value& patch, const WriteOptions& o, const std::string& sub) {
    // A resourceVersion in the patch is a precondition; otherwise the patch applies to the latest
    // object, retried when a concurrent write got there first.
    if (type == PatchType::kApply) return ServerSideApply(r, ns, name, patch.as_object(), o, sub);
    if (type == PatchType::kStrategicMerge && r.custom) {
      return Fail(Error{ErrorCode::kUnsupportedMediaType,
                        "the body of the request was in an unknown format - accepted media types include: "
                        "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml"});
    }
    std::string rv = patch.is_object() ? api::MetaString(patch.as_object(), "resourceVersion") : "";
    for (int attempt = 0;; ++attempt) {
      K1S_ASSIGN_OR_RETURN(auto current, GetKv(r, ns, name));
      json::value target = Decode(current);
      if (type == PatchType::kJson) {
        if (auto s = api::ApplyJsonPatch(target, patch); !s.ok()) {
          return Fail(Error{ErrorCode::kInvalid,
                            "the server rejected our request due to an error in our request: " + s.error().message});
        }
        if (!target.is_object()) return Fail(Error{ErrorCode::kInvalid, "the patched object is not a JSON object"});
      } else if (type == PatchType::kStrategicMerge) {
        if (auto ps = api::PatchSchemaFor(api::BuiltinSchema(), r.group, r.version, r.kind)) {
          if (auto st = api::ApplyStrategicMergePatch(target, patch, *ps); !st.ok()) return Fail(st.error());
        } else {
          api::ApplyStrategicMergePatch(target, patch);
        }
      } else {
        api::ApplyMergePatch(target, patch);
      }
      if (!target.is_object()) return Fail(BadRequest("the patched object is not a JSON object"));
      // The patched object must decode into the kind's type, as upstream's patch handler requires.
      K1S_TRY(openapi::CheckPatchedTypes(r, type == PatchType::kStrategicMerge, patch, target, *api::BuiltinSchema()));
      std::string target_rv = api::MetaString(target.as_object(), "resourceVersion");
      bool pinned = !rv.empty() || (type == PatchType::kJson && target_rv != std::to_string(current.mod_revision));
      if (!pinned) api::Metadata(target.as_object()).erase("resourceVersion");
      auto result = Replace(r, ns, name, std::move(target.as_object()), current, o, sub);
      if (!result.ok() && result.error().code == ErrorCode::kConflict && !pinned && attempt < 5) continue;
      return result;
    }
  }

  // Server-side apply: merges the applied configuration (owned by o.field_manager), creating the
  // object when it does not exist; conflicts with other managers fail unless o.force.
  Result<json::object> ServerSideApply(const ResourceInfo& r, const std::string& ns, const std::string& name,
                                       const json::object& config, const WriteOptions& o, const std::string& sub) {
    if (o.field_manager.empty()) {
      return Fail(api::InvalidError("PatchOptions", "meta.k8s.io", "",
                                    {{"fieldManager", "FieldValueRequired", "Required value: is required for apply patch"}}));
    }
    std::string cfg_name = api::MetaString(config, "name");
    if (!cfg_name.empty() && cfg_name != name) {
      return Fail(BadRequest("the name of the object (" + cfg_name + ") does not match the name on the URL (" + name + ")"));
    }
    if (auto kind = config.find("kind"); kind == config.end() || !kind->value().is_string() || kind->value().as_string() != r.kind) {
      return Fail(BadRequest("invalid object type: " + r.GroupVersion() + ", Kind=" +
                             (kind != config.end() && kind->value().is_string() ? std::string(kind->value().as_string()) : "")));
    }
    FieldSchema schema = BuiltinFieldSchema(r.group, r.version, r.kind);
    std::optional<json::object> crd = r.custom ? CrdOf(r) : std::nullopt;
    if (crd) schema = FieldSchema{nullptr, CrdSchemaFor(*crd, r.version)};
    ManagedFieldsOptions mo;
    mo.subresource = sub;
    if (sub == "status") mo.ignored_fields = {"spec", "metadata"};
    else if (r.HasSubresource("status")) mo.ignored_fields = {"status"};
    WriteOptions wo = o;
    wo.managed_fields_done = true;
    for (int attempt = 0;; ++attempt) {
      auto current = store.Get(Key(r, ns, name));
      if (!current.ok() && current.error().code != ErrorCode::kNotFound) return Fail(StoreError(current.error(), r, name));
      std::optional<json::object> live;
      if (current.ok()) live = Decode(*current);
      json::object cfg = config;
      if (live && !api::MetaString(cfg, "resourceVersion").empty() &&
          api::MetaString(cfg, "resourceVersion") != std::to_string(current->mod_revision)) {
        return Fail(Conflict(r, name));
      }
      auto applied = Apply(live ? &*live : nullptr, cfg, o.field_manager, o.force, schema, mo);
      if (!applied.ok()) return Fail(applied.error());
      if (!live) {
        if (!sub.empty()) return Fail(NotFound(r, name));
        auto created = Create(r, ns, std::move(applied->object), wo);
        if (!created.ok() && created.error().code == ErrorCode::kAlreadyExists && attempt < 5) continue;
        return created;
      }
      api::Metadata(applied->object).erase("resourceVersion");
      auto result = Replace(r, ns, name, std::move(applied->object), *current, wo, sub);
      if (!result.ok() && result.error().code == ErrorCode::kConflict && attempt < 5) continue;
      return result;
    }
  }

  // managedFields bookkeeping for a write that is not an apply.
  void TrackManagedFields(const ResourceInfo& r, const json::object* old, json::object& obj, const WriteOptions& o,
                          const std::string& sub) {
    if (o.managed_fields_done || o.field_manager.empty()) return;
    ManagedFieldsOptions mo;
    mo.subresource = sub;
    if (sub == "status") mo.ignored_fields = {"spec", "metadata"};
    else if (r.HasSubresource("status")) mo.ignored_fields = {"status"};
    std::optional<json::object> crd = r.custom ? CrdOf(r) : std::nullopt;
    FieldSchema schema = crd ? FieldSchema{nullptr, CrdSchemaFor(*crd, r.version)}
                             : BuiltinFieldSchema(r.group, r.version, r.kind);
    UpdateManagedFields(old, obj, o.field_manager, schema, mo);
  }

  // ---- delete ----

  // A delete without preconditions retries when a concurrent write (a controller updating status)
  // changed the object between the read and the write, as upstream's storage does; with
  // preconditions the conflict is the caller's to see.
  Result<json::object> Delete(const ResourceInfo& r, const std::string& ns, const std::string& name,
                              const DeleteOptions& o, bool* gone) {
    const bool retry = o.precondition_resource_version.empty() && o.precondition_uid.empty();
    for (int attempt = 0;; ++attempt) {
      auto result = DeleteOnce(r, ns, name, o, gone);
      if (result.ok() || !retry || attempt >= 9 || result.error().code != ErrorCode::kConflict) return result;
    }
  }

  Result<json::object> DeleteOnce(const ResourceInfo& r, const std::string& ns, const std::string& name,
                                  const DeleteOptions& o, bool* gone) {
    if (gone) *gone = false;
    if (IsNamespace(r) && (name == "default" || name == "kube-system" || name == "kube-public")) {
      return Fail(api::StatusError(ErrorCode::kForbidden,
                                   "namespaces \"" + name + "\" is forbidden: this namespace may not be deleted",
                                   {name, "", "namespaces", {}}));
    }
    std::string key = Key(r, ns, name);
    K1S_ASSIGN_OR_RETURN(auto current, GetKv(r, ns, name));
    json::object obj = Decode(current);
    const bool rv_mismatch = !o.precondition_resource_version.empty() &&
                             o.precondition_resource_version != std::to_string(current.mod_revision);
    const bool uid_mismatch = !o.precondition_uid.empty() && o.precondition_uid != api::MetaString(obj, "uid");
    if (rv_mismatch || uid_mismatch) {
      return Fail(api::StatusError(ErrorCode::kConflict,
                                   "Operation cannot be fulfilled on " + api::QualifiedResource(r.plural, r.group) +
                                       " \"" + name + "\": the precondition on " +
                                       (uid_mismatch ? "UID" : "ResourceVersion") + " does not match the object",
                                   {name, r.group, r.plural, {}}));
    }
    // Pods bound to a node terminate gracefully: marked now, removed when the node confirms.
    int64_t grace = 0;
    if (IsPod(r)) {
      const auto* spec = Field(obj, "spec");
      bool bound = spec && spec->contains("nodeName") && spec->at("nodeName").is_string() &&
                   !spec->at("nodeName").as_string().empty();
      grace = 30;
      if (spec) {
        if (auto t = spec->find("terminationGracePeriodSeconds"); t != spec->end() && t->value().is_int64())
          grace = t->value().as_int64();
      }
      if (o.grace_period_seconds) grace = *o.grace_period_seconds;
      if (grace < 0) grace = 1;  // as upstream: a negative grace period is treated as 1 s
      const auto* status = Field(obj, "status");
      std::string phase = status && status->contains("phase") && status->at("phase").is_string()
                              ? std::string(status->at("phase").as_string()) : "";
      if (!bound || phase == "Succeeded" || phase == "Failed") grace = 0;
    }
    // Foreground and Orphan deletion hold the object with a finalizer the garbage collector removes
    // once the dependents are gone (Foreground) or released (Orphan).
    if ((o.propagation_policy == "Foreground" || o.propagation_policy == "Orphan") && options.garbage_collector &&
        !IsNamespace(r)) {
      std::string fin = o.propagation_policy == "Foreground" ? "foregroundDeletion" : "orphan";
      auto& meta = api::Metadata(obj);
      auto& list = meta["finalizers"];
      if (!list.is_array()) list = json::array();
      bool present = false;
      for (const auto& f : list.as_array()) present |= f == fin.c_str();
      if (!present) list.as_array().push_back(json::string(fin));
    }
    if (IsNamespace(r) && options.namespace_controller) {
      // Terminating: the namespace controller empties it, then finalizes it away.
      if (!api::MetaString(obj, "deletionTimestamp").empty() || o.dry_run) return obj;
      api::Metadata(obj)["deletionTimestamp"] = api::NowRfc3339();
      api::Metadata(obj).erase("resourceVersion");
      json::object status = obj.contains("status") && obj["status"].is_object() ? obj["status"].as_object() : json::object();
      status["phase"] = "Terminating";
      obj["status"] = std::move(status);
      auto updated = store.Update(key, json::serialize(obj), current.mod_revision, StoreWriteOptions(r));
      if (!updated.ok()) return Fail(StoreError(updated.error(), r, name));
      api::Metadata(obj)["resourceVersion"] = std::to_string(updated->mod_revision);
      return obj;
    }
    const bool marking = HasFinalizers(obj) || grace > 0;
    if (marking && !IsNamespace(r)) {
      auto& meta = api::Metadata(obj);
      bool already = !api::MetaString(obj, "deletionTimestamp").empty();
      int64_t existing = meta.contains("deletionGracePeriodSeconds") && meta.at("deletionGracePeriodSeconds").is_int64()
                             ? meta.at("deletionGracePeriodSeconds").as_int64() : -1;
      // A second delete may only shorten the grace period.
      if (already && existing >= 0 && grace >= existing) return obj;
      if (o.dry_run) return obj;
      if (!already) meta["deletionTimestamp"] = api::NowRfc3339();
      meta["deletionGracePeriodSeconds"] = grace;
      meta.erase("resourceVersion");
      if (!HasFinalizers(obj) && grace == 0) {
        // Shortened to zero and nothing holds it: remove now.
      } else {
        auto updated = store.Update(key, json::serialize(obj), current.mod_revision, StoreWriteOptions(r));
        if (!updated.ok()) return Fail(StoreError(updated.error(), r, name));
        api::Metadata(obj)["resourceVersion"] = std::to_string(updated->mod_revision);
        return obj;
      }
    }
    if (o.dry_run) {
      if (gone) *gone = true;
      return obj;
    }
    if (IsNamespace(r)) DeleteNamespaceContents(name);
    if (IsCrd(r)) DeleteCustomObjects(obj);
    auto deleted = store.Delete(key, current.mod_revision);
    if (!deleted.ok()) return Fail(StoreError(deleted.error(), r, name));
    if (IsService(r) && services) services->Release(Decode(*deleted));
    if (IsCrd(r)) RegisterCrd(name, nullptr);
    api::Metadata(obj)["resourceVersion"] = std::to_string(deleted->mod_revision);
    if (gone) *gone = true;
    return obj;
  }

  // A deleted CRD takes its objects with it (upstream's customresourcecleanup finalizer).
  void DeleteCustomObjects(const json::object& crd) {
    const auto* spec = Field(crd, "spec");
    if (!spec) return;
    const auto* names = Field(*spec, "names");
    std::string group = spec->contains("group") && spec->at("group").is_string() ? std::string(spec->at("group").as_string()) : "";
    std::string plural = names && names->contains("plural") && names->at("plural").is_string()
                             ? std::string(names->at("plural").as_string()) : "";
    if (group.empty() || plural.empty()) return;
    datastore::ListOptions o;
    o.prefix = "/registry/" + group + "/" + plural + "/";
    o.keys_only = true;
    auto list = store.List(o);
    if (!list.ok()) return;
    for (const auto& kv : list->items) (void)store.Delete(kv.key, 0);
  }

  // Namespaces are deleted with what they hold (the namespace controller's job upstream).
  void DeleteNamespaceContents(const std::string& ns) {
    std::shared_ptr<const std::vector<ResourceInfo>> resources;
    {
      std::shared_lock lock(res_mu);
      resources = snapshot;
    }
    for (const auto& r : *resources) {
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

  // ---- list ----

  Result<ObjectList> List(const ResourceInfo& r, const std::string& ns, const ListOptions& o) {
    K1S_ASSIGN_OR_RETURN(auto filter, ParseFilter(r, o));
    std::string prefix = Prefix(r, ns);
    Revision at = 0;
    std::string start;
    if (!o.continue_token.empty()) {
      auto cont = DecodeContinue(o.continue_token);
      if (!cont.ok()) return Fail(cont.error());
      at = cont->first;
      start = cont->second + std::string(1, '\0');
      if (start.compare(0, prefix.size(), prefix) != 0) return Fail(BadRequest("invalid continue token"));
    } else if (!o.resource_version.empty() && o.resource_version != "0") {
      char* end = nullptr;
      long long n = std::strtoll(o.resource_version.c_str(), &end, 10);
      if (*end != '\0' || n < 0) return Fail(BadRequest("invalid resource version \"" + o.resource_version + "\""));
      if (o.resource_version_match == "Exact") at = n;
      else if (cache && !cache->WaitFor(n, ListWait(o))) {
        return Fail(Error{ErrorCode::kTimeout, "Too large resource version: " + o.resource_version +
                                                   ", current: " + std::to_string(cache->Revision())});
      }
    }
    ObjectList out;
    std::string last_key;
    auto take = [&](const KeyValue& kv, Revision rev) -> bool {  // false: page is full
      json::object obj = Decode(kv);
      if (!filter.Matches(obj)) return true;
      if (o.limit > 0 && static_cast<int64_t>(out.items.size()) >= o.limit) {
        out.continue_token = EncodeContinue(rev, last_key);
        return false;
      }
      last_key = kv.key;
      out.items.push_back(std::move(obj));
      return true;
    };
    // First pages come from the cache once it has caught up; later pages (a past revision) and Exact
    // reads from the datastore at that revision.
    bool from_cache = cache && at == 0;
    if (from_cache && o.resource_version != "0") from_cache = cache->WaitFor(store.CurrentRevision(), ListWait(o));
    if (from_cache) {
      std::vector<WatchCache::KeyValuePtr> items;
      Revision rev = cache->Scan(prefix, "", &items);
      out.resource_version = std::to_string(rev);
      for (const auto& kv : items)
        if (!take(*kv, rev)) break;
      return out;
    }
    datastore::ListOptions so;
    so.start = start.empty() ? prefix : start;
    so.end = PrefixEnd(prefix);
    so.revision = at;
    so.limit = o.limit > 0 && filter.Empty() ? o.limit + 1 : 0;
    auto list = store.List(so);
    if (!list.ok()) {
      if (list.error().code == ErrorCode::kGone && !o.continue_token.empty()) {
        return Fail(Error{ErrorCode::kGone,
                          "The provided continue parameter is too old to display a consistent list result. You can "
                          "start a new list without the continue parameter."});
      }
      if (list.error().code == ErrorCode::kGone) {
        return Fail(Error{ErrorCode::kGone, "too old resource version: " + std::to_string(at) + " (" +
                                                std::to_string(store.CompactedRevision()) + ")"});
      }
      return Fail(list.error());
    }
    out.resource_version = std::to_string(list->revision);
    for (const auto& kv : list->items)
      if (!take(kv, list->revision)) break;
    return out;
  }

  // ---- watch ----

  Result<std::unique_ptr<Watch>> WatchObjects(const ResourceInfo& r, const std::string& ns, const ListOptions& o) {
    K1S_ASSIGN_OR_RETURN(auto filter, ParseFilter(r, o));
    std::string prefix = Prefix(r, ns);
    EventTranslator tr(r, std::move(filter), o.allow_bookmarks);
    const std::string& rv = o.resource_version;
    bool initial = rv.empty() || rv == "0" || o.send_initial_events;
    Revision from = 0;
    if (!rv.empty() && rv != "0") {
      char* end = nullptr;
      long long n = std::strtoll(rv.c_str(), &end, 10);
      if (*end != '\0' || n < 0) return Fail(BadRequest("invalid resource version \"" + rv + "\""));
      from = n;
    }
    auto initial_events = [&](const std::vector<WatchCache::KeyValuePtr>& items, Revision at) {
      std::vector<WatchEvent> events;
      for (const auto& kv : items) {
        json::object obj = Decode(*kv);
        if (tr.filter().Matches(obj)) events.push_back({"ADDED", std::move(obj)});
      }
      if (o.send_initial_events) tr.MaybeBookmark(at, &events, true, true);
      return events;
    };
    if (cache) {
      if (initial) {
        if (rv.empty()) cache->WaitFor(store.CurrentRevision(), kConsistentReadWait);
        std::vector<WatchCache::KeyValuePtr> items;
        auto cursor = cache->WatchWithSnapshot(prefix, &items);
        auto events = initial_events(items, cursor.Position());
        return std::unique_ptr<Watch>(new CacheWatch(std::move(cursor), std::move(tr), std::move(events)));
      }
      auto cursor = cache->WatchFrom(prefix, from);
      if (cursor.ok()) return std::unique_ptr<Watch>(new CacheWatch(std::move(*cursor), std::move(tr), {}));
    }
    // From the datastore: a revision older than the cache's window (or no cache).
    std::vector<WatchEvent> events;
    if (initial) {
      datastore::ListOptions lo;
      lo.prefix = prefix;
      K1S_ASSIGN_OR_RETURN(auto list, store.List(lo));
      std::vector<WatchCache::KeyValuePtr> items;
      for (auto& kv : list.items) items.push_back(std::make_shared<const KeyValue>(std::move(kv)));
      events = initial_events(items, list.revision);
      from = list.revision;
    }
    auto stream = store.Watch(prefix, from + 1);
    if (!stream.ok()) {
      if (stream.error().code == ErrorCode::kGone) {
        return Fail(Error{ErrorCode::kGone, "too old resource version: " + rv + " (" +
                                                std::to_string(store.CompactedRevision()) + ")"});
      }
      return Fail(stream.error());
    }
    return std::unique_ptr<Watch>(new StoreWatch(std::move(*stream), std::move(tr), std::move(events)));
  }
};

// ---- version conversion (conversion.h) ----
//
// A row that is a converted view (storage_version set) shares its key prefix with the stored row:
// the Impl works on stored objects only, and the public methods below convert at the boundary.

namespace {

// A watch on a converted row: every object leaves in the served version.
class ConvertingWatch : public Watch {
 public:
  ConvertingWatch(std::unique_ptr<Watch> inner, const VersionConversion& c) : inner_(std::move(inner)), c_(c) {}
  Result<std::vector<WatchEvent>> Next(std::chrono::milliseconds timeout) override {
    K1S_ASSIGN_OR_RETURN(auto events, inner_->Next(timeout));
    for (auto& ev : events)
      if (ev.type != "BOOKMARK") ev.object = c_.from_storage(std::move(ev.object));
    return events;
  }

 private:
  std::unique_ptr<Watch> inner_;
  const VersionConversion& c_;
};

// A JSON, merge or strategic merge patch applied to a served object (as Impl::Patch does).
Status PatchServedObject(const ResourceInfo& r, json::value& target, PatchType type, const json::value& patch) {
  if (type == PatchType::kJson) {
    if (auto st = api::ApplyJsonPatch(target, patch); !st.ok()) {
      return Fail(Error{ErrorCode::kInvalid,
                        "the server rejected our request due to an error in our request: " + st.error().message});
    }
  } else if (type == PatchType::kStrategicMerge) {
    if (auto ps = api::PatchSchemaFor(api::BuiltinSchema(), r.group, r.version, r.kind)) {
      K1S_TRY(api::ApplyStrategicMergePatch(target, patch, *ps));
    } else {
      api::ApplyStrategicMergePatch(target, patch);
    }
  } else {
    api::ApplyMergePatch(target, patch);
  }
  if (!target.is_object()) return Fail(BadRequest("the patched object is not a JSON object"));
  return openapi::CheckPatchedTypes(r, type == PatchType::kStrategicMerge, patch, target, *api::BuiltinSchema());
}

Error NoStorageRow(const ResourceInfo& r) {
  return Error{ErrorCode::kInternal, "no stored version of " + r.plural + "." + r.group + " is served"};
}

}  // namespace

// ---- public ----

Result<std::unique_ptr<Registry>> Registry::Open(datastore::Store& store, std::vector<ResourceInfo> resources,
                                                 RegistryOptions options) {
  auto impl = std::make_unique<Impl>(store, std::move(resources), std::move(options));
  auto alloc = ServiceAllocator::Make(store, impl->options.service_cidr, impl->options.service_node_port_range);
  if (!alloc.ok()) return Fail(ErrorCode::kInvalid, "services: " + alloc.error().message);
  impl->services.emplace(std::move(*alloc));
  impl->LoadCrds();
  if (impl->options.watch_cache) {
    K1S_ASSIGN_OR_RETURN(impl->cache, WatchCache::Start(store, "/registry/"));
    impl->quota_admission.may_have_keys = [cache = impl->cache.get()](const std::string& prefix) {
      std::vector<WatchCache::KeyValuePtr> found;
      cache->Scan(prefix, "", &found);
      return !found.empty();
    };
    impl->priority_admission.cached_values = [cache = impl->cache.get()](const std::string& prefix) {
      std::vector<WatchCache::KeyValuePtr> found;
      cache->Scan(prefix, "", &found);
      std::vector<std::string> values;
      for (const auto& kv : found) values.push_back(kv->value);
      return values;
    };
    K1S_LOG(kInfo, kComponent) << "watch cache loaded " << impl->cache->Size() << " objects";
  }
  return std::unique_ptr<Registry>(new Registry(std::move(impl)));
}

Registry::Registry(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Registry::~Registry() {
  if (impl_->cache) impl_->cache->Stop();
}

std::shared_ptr<const std::vector<ResourceInfo>> Registry::Resources() const {
  std::shared_lock lock(impl_->res_mu);
  return impl_->snapshot;
}
uint64_t Registry::ResourcesGeneration() const { return impl_->generation.load(); }
std::vector<json::object> Registry::CustomResourceDefinitions() const {
  std::shared_lock lock(impl_->res_mu);
  std::vector<json::object> out;
  for (const auto& [name, c] : impl_->customs) out.push_back(c.crd);
  return out;
}
json::array Registry::TableColumns(const ResourceInfo& r) const {
  if (r.custom) {
    if (auto crd = impl_->CrdOf(r)) return TableColumnsFor(*crd, r.version);
  }
  return registry::TableColumns(r);
}
json::array Registry::TableCells(const ResourceInfo& r, const json::object& obj) const {
  if (r.custom) {
    if (auto crd = impl_->CrdOf(r)) return TableCellsFor(*crd, r.version, obj);
  }
  if (const auto* c = FindConversion(r)) {  // printed from the stored shape, as upstream prints internal types
    const ResourceInfo* s = impl_->Find(r.group, c->storage_version, r.plural);
    if (auto stored = c->to_storage(obj); s && stored.ok()) return registry::TableCells(*s, *stored);
  }
  return registry::TableCells(r, obj);
}
const ResourceInfo* Registry::Find(const std::string& group, const std::string& version,
                                   const std::string& plural) const {
  return impl_->Find(group, version, plural);
}
datastore::Store& Registry::store() { return impl_->store; }

Result<json::object> Registry::Get(const ResourceInfo& r, const std::string& ns, const std::string& name) {
  K1S_ASSIGN_OR_RETURN(auto kv, impl_->GetKv(r, ns, name));
  if (const auto* c = FindConversion(r)) return c->from_storage(Decode(kv));
  return Decode(kv);
}
Result<ObjectList> Registry::List(const ResourceInfo& r, const std::string& ns, const ListOptions& o) {
  K1S_ASSIGN_OR_RETURN(auto list, impl_->List(r, ns, o));
  if (const auto* c = FindConversion(r))
    for (auto& item : list.items) item = c->from_storage(std::move(item));
  return list;
}
Result<std::unique_ptr<Watch>> Registry::WatchObjects(const ResourceInfo& r, const std::string& ns,
                                                      const ListOptions& o) {
  K1S_ASSIGN_OR_RETURN(auto watch, impl_->WatchObjects(r, ns, o));
  if (const auto* c = FindConversion(r)) return std::unique_ptr<Watch>(new ConvertingWatch(std::move(watch), *c));
  return watch;
}
Result<json::object> Registry::Create(const ResourceInfo& r, const std::string& ns, json::object obj,
                                      const WriteOptions& o) {
  if (const auto* c = FindConversion(r)) {
    const ResourceInfo* s = impl_->Find(r.group, c->storage_version, r.plural);
    if (!s) return Fail(NoStorageRow(r));
    K1S_TRY(impl_->DropUnknownFields(r, obj, o));  // checked against the served version's schema
    K1S_ASSIGN_OR_RETURN(auto stored, c->to_storage(std::move(obj)));
    K1S_ASSIGN_OR_RETURN(auto out, impl_->Create(*s, ns, std::move(stored), o));
    return c->from_storage(std::move(out));
  }
  return impl_->Create(r, ns, std::move(obj), o);
}
Result<json::object> Registry::Update(const ResourceInfo& r, const std::string& ns, const std::string& name,
                                      json::object obj, const WriteOptions& o, const std::string& sub) {
  if (const auto* c = FindConversion(r)) {
    const ResourceInfo* s = impl_->Find(r.group, c->storage_version, r.plural);
    if (!s) return Fail(NoStorageRow(r));
    K1S_TRY(impl_->DropUnknownFields(r, obj, o));
    K1S_ASSIGN_OR_RETURN(auto stored, c->to_storage(std::move(obj)));
    K1S_ASSIGN_OR_RETURN(auto out, impl_->Update(*s, ns, name, std::move(stored), o, sub));
    return c->from_storage(std::move(out));
  }
  return impl_->Update(r, ns, name, std::move(obj), o, sub);
}
Result<json::object> Registry::Patch(const ResourceInfo& r, const std::string& ns, const std::string& name,
                                     PatchType type, const json::value& patch, const WriteOptions& o,
                                     const std::string& sub) {
  const auto* c = FindConversion(r);
  if (!c) return impl_->Patch(r, ns, name, type, patch, o, sub);
  const ResourceInfo* s = impl_->Find(r.group, c->storage_version, r.plural);
  if (!s) return Fail(NoStorageRow(r));
  if (type == PatchType::kApply) {  // the applied configuration is converted like a whole object
    K1S_ASSIGN_OR_RETURN(auto config, c->to_storage(patch.as_object()));
    K1S_ASSIGN_OR_RETURN(auto out, impl_->Patch(*s, ns, name, type, config, o, sub));
    return c->from_storage(std::move(out));
  }
  // Other patches apply to the served shape, then write back through Update (which converts),
  // retried when a concurrent write got there first, unless the patch pins a resourceVersion.
  std::string rv = patch.is_object() ? api::MetaString(patch.as_object(), "resourceVersion") : "";
  for (int attempt = 0;; ++attempt) {
    K1S_ASSIGN_OR_RETURN(auto current, Get(r, ns, name));
    std::string current_rv = api::MetaString(current, "resourceVersion");
    json::value target = std::move(current);
    K1S_TRY(PatchServedObject(r, target, type, patch));
    bool pinned = !rv.empty() ||
                  (type == PatchType::kJson && api::MetaString(target.as_object(), "resourceVersion") != current_rv);
    if (!pinned) api::Metadata(target.as_object())["resourceVersion"] = current_rv;
    auto result = Update(r, ns, name, std::move(target.as_object()), o, sub);
    if (!result.ok() && result.error().code == ErrorCode::kConflict && !pinned && attempt < 5) continue;
    return result;
  }
}
Result<json::object> Registry::Delete(const ResourceInfo& r, const std::string& ns, const std::string& name,
                                      const DeleteOptions& o, bool* gone) {
  K1S_TRY(PriorityAdmission::AdmitDelete(r, name));  // the built-in PriorityClasses stay
  K1S_ASSIGN_OR_RETURN(auto out, impl_->Delete(r, ns, name, o, gone));
  if (const auto* c = FindConversion(r)) return c->from_storage(std::move(out));
  return out;
}

Result<ObjectList> Registry::DeleteCollection(const ResourceInfo& r, const std::string& ns, const ListOptions& list,
                                              const DeleteOptions& o) {
  if (IsNamespace(r)) return Fail(Error{ErrorCode::kMethodNotAllowed, "namespaces cannot be deleted in bulk"});
  ListOptions lo = list;
  lo.limit = 0;
  lo.continue_token.clear();
  K1S_ASSIGN_OR_RETURN(auto objects, impl_->List(r, ns, lo));
  ObjectList out;
  out.resource_version = objects.resource_version;
  for (auto& obj : objects.items) {
    std::string obj_ns = api::MetaString(obj, "namespace");
    auto deleted = impl_->Delete(r, obj_ns, api::MetaString(obj, "name"), o, nullptr);
    if (deleted.ok()) out.items.push_back(std::move(*deleted));
  }
  if (const auto* c = FindConversion(r))
    for (auto& item : out.items) item = c->from_storage(std::move(item));
  return out;
}

// ---- subresources ----

Result<json::object> Registry::GetScale(const ResourceInfo& r, const std::string& ns, const std::string& name) {
  if (!r.HasSubresource("scale")) return Fail(NotFound(r, name));
  K1S_ASSIGN_OR_RETURN(auto obj, Get(r, ns, name));
  const auto* spec = Field(obj, "spec");
  const auto* status = Field(obj, "status");
  int64_t want = 1, have = 0;
  if (spec && spec->contains("replicas") && spec->at("replicas").is_int64()) want = spec->at("replicas").as_int64();
  if (status && status->contains("replicas") && status->at("replicas").is_int64()) have = status->at("replicas").as_int64();
  // The selector as a string (matchLabels and matchExpressions), as upstream's Scale shows it.
  std::string selector;
  if (spec) {
    if (const auto* sel = Field(*spec, "selector")) {
      std::vector<std::string> parts;
      if (const auto* ml = Field(*sel, "matchLabels"))
        for (const auto& [k, v] : *ml)
          if (v.is_string()) parts.push_back(std::string(k) + "=" + std::string(v.as_string()));
      if (auto me = sel->find("matchExpressions"); me != sel->end() && me->value().is_array()) {
        for (const auto& e : me->value().as_array()) {
          if (!e.is_object()) continue;
          const auto& eo = e.as_object();
          std::string key = eo.contains("key") && eo.at("key").is_string() ? std::string(eo.at("key").as_string()) : "";
          std::string op = eo.contains("operator") && eo.at("operator").is_string() ? std::string(eo.at("operator").as_string()) : "";
          std::vector<std::string> vals;
          if (eo.contains("values") && eo.at("values").is_array())
            for (const auto& v : eo.at("values").as_array())
              if (v.is_string()) vals.push_back(std::string(v.as_string()));
          if (op == "In") parts.push_back(key + " in (" + Join(vals, ",") + ")");
          if (op == "NotIn") parts.push_back(key + " notin (" + Join(vals, ",") + ")");
          if (op == "Exists") parts.push_back(key);
          if (op == "DoesNotExist") parts.push_back("!" + key);
        }
      }
      selector = Join(parts, ",");
    }
  }
  const auto& m = obj["metadata"].as_object();
  json::object meta;
  for (const char* f : {"name", "namespace", "uid", "resourceVersion", "creationTimestamp"})
    if (auto it = m.find(f); it != m.end()) meta[f] = it->value();
  json::object st{{"replicas", have}};
  if (!selector.empty()) st["selector"] = selector;
  return json::object{{"kind", "Scale"}, {"apiVersion", "autoscaling/v1"}, {"metadata", meta},
                      {"spec", json::object{{"replicas", want}}}, {"status", st}};
}

Result<json::object> Registry::UpdateScale(const ResourceInfo& r, const std::string& ns, const std::string& name,
                                           const json::object& scale, const WriteOptions& o) {
  if (!r.HasSubresource("scale")) return Fail(NotFound(r, name));
  const auto* spec = Field(scale, "spec");
  if (!spec || !spec->contains("replicas") || !spec->at("replicas").is_int64()) {
    return Fail(api::InvalidError("Scale", "autoscaling", name,
                                  {{"spec.replicas", "FieldValueRequired", "Required value"}}));
  }
  int64_t replicas = spec->at("replicas").as_int64();
  if (replicas < 0) {
    return Fail(api::InvalidError("Scale", "autoscaling", name,
                                  {{"spec.replicas", "FieldValueInvalid",
                                    "Invalid value: " + std::to_string(replicas) +
                                        ": must be greater than or equal to 0"}}));
  }
  std::string rv = api::MetaString(scale, "resourceVersion");
  json::object patch{{"spec", json::object{{"replicas", replicas}}}};
  if (!rv.empty()) patch["metadata"] = json::object{{"resourceVersion", rv}};
  K1S_TRY(impl_->Patch(r, ns, name, PatchType::kMerge, patch, o, ""));
  if (o.dry_run) {
    K1S_ASSIGN_OR_RETURN(auto s, GetScale(r, ns, name));
    s["spec"].as_object()["replicas"] = replicas;
    return s;
  }
  return GetScale(r, ns, name);
}

Result<json::object> Registry::Bind(const std::string& ns, const std::string& name, const json::object& binding,
                                    const WriteOptions& o) {
  const ResourceInfo& pods = *impl_->Find("", "v1", "pods");
  const auto* target = Field(binding, "target");
  std::string node = target && target->contains("name") && target->at("name").is_string()
                         ? std::string(target->at("name").as_string()) : "";
  if (node.empty()) {
    return Fail(api::InvalidError("Binding", "", name, {{"target.name", "FieldValueRequired", "Required value"}}));
  }
  for (int attempt = 0; attempt < 5; ++attempt) {
    K1S_ASSIGN_OR_RETURN(auto current, impl_->GetKv(pods, ns, name));
    json::object pod = Decode(current);
    if (!api::MetaString(pod, "deletionTimestamp").empty()) {
      return Fail(api::StatusError(ErrorCode::kConflict, "pod " + name + " is being deleted, cannot be assigned to a host",
                                   {name, "", "pods", {}}));
    }
    auto& spec = pod["spec"];
    if (!spec.is_object()) spec = json::object();
    auto& so = spec.as_object();
    if (so.contains("nodeName") && so["nodeName"].is_string() && !so["nodeName"].as_string().empty()) {
      return Fail(api::StatusError(ErrorCode::kConflict,
                                   "pod " + name + " is already assigned to node \"" +
                                       std::string(so["nodeName"].as_string()) + "\"",
                                   {name, "", "pods", {}}));
    }
    so["nodeName"] = node;
    // PodScheduled=True, as the binding storage sets it.
    auto& status = pod["status"];
    if (!status.is_object()) status = json::object();
    auto& conds = status.as_object()["conditions"];
    if (!conds.is_array()) conds = json::array();
    json::array kept;
    for (auto& c : conds.as_array())
      if (!(c.is_object() && c.as_object().contains("type") && c.as_object().at("type") == "PodScheduled")) kept.push_back(c);
    kept.push_back(json::object{{"type", "PodScheduled"}, {"status", "True"}, {"lastProbeTime", nullptr},
                                {"lastTransitionTime", api::NowRfc3339()}});
    conds = std::move(kept);
    if (o.dry_run) break;
    api::Metadata(pod).erase("resourceVersion");
    auto updated = impl_->store.Update(impl_->Key(pods, ns, name), json::serialize(pod), current.mod_revision);
    if (updated.ok()) break;
    if (updated.error().code != ErrorCode::kConflict) return Fail(StoreError(updated.error(), pods, name));
  }
  return api::SuccessStatus({name, "", "pods", {}});
}

Result<json::object> Registry::Evict(const std::string& ns, const std::string& name, const json::object& eviction) {
  const ResourceInfo& pods = *impl_->Find("", "v1", "pods");
  const ResourceInfo* pdbs = impl_->Find("policy", "v1", "poddisruptionbudgets");
  K1S_ASSIGN_OR_RETURN(auto pod, Get(pods, ns, name));
  DeleteOptions o;
  if (const auto* d = Field(eviction, "deleteOptions")) {
    if (auto g = d->find("gracePeriodSeconds"); g != d->end() && g->value().is_int64()) o.grace_period_seconds = g->value().as_int64();
    if (auto dr = d->find("dryRun"); dr != d->end() && dr->value().is_array() && !dr->value().as_array().empty()) o.dry_run = true;
  }
  const auto* status = Field(pod, "status");
  std::string phase = status && status->contains("phase") && status->at("phase").is_string()
                          ? std::string(status->at("phase").as_string()) : "";
  bool terminal = phase == "Succeeded" || phase == "Failed";
  if (pdbs && !terminal && api::MetaString(pod, "deletionTimestamp").empty()) {
    auto list = impl_->List(*pdbs, ns, {});
    if (list.ok()) {
      auto labels = api::Labels(pod);
      for (auto& pdb : list->items) {
        const auto* spec = Field(pdb, "spec");
        // policy/v1: a missing selector selects no pods, the empty one every pod of the namespace.
        const auto* sel = spec ? Field(*spec, "selector") : nullptr;
        if (!sel || !api::LabelSelectorMatches(*sel, labels)) continue;
        const auto* pst = Field(pdb, "status");
        int64_t allowed = pst && pst->contains("disruptionsAllowed") && pst->at("disruptionsAllowed").is_int64()
                              ? pst->at("disruptionsAllowed").as_int64() : 0;
        std::string pdb_name = api::MetaString(pdb, "name");
        if (allowed <= 0) {
          return Fail(api::StatusError(ErrorCode::kTooManyRequests,
                                       "Cannot evict pod as it would violate the pod's disruption budget.",
                                       {name, "policy", "poddisruptionbudgets",
                                        json::array{json::object{{"reason", "DisruptionBudget"},
                                                                 {"message", "The disruption budget " + pdb_name +
                                                                                 " needs " + "more healthy pods"}}}}));
        }
        if (!o.dry_run) {
          json::object patch{{"status", json::object{{"disruptionsAllowed", allowed - 1}}}};
          (void)impl_->Patch(*pdbs, ns, pdb_name, PatchType::kMerge, patch, {}, "status");
        }
      }
    }
  }
  K1S_TRY(impl_->Delete(pods, ns, name, o, nullptr));
  return api::SuccessStatus({name, "", "pods", {}});
}

Status Registry::EnsureSystemObjects() {
  const ResourceInfo& ns = impl_->Namespaces();
  for (const char* name : {"default", "kube-system", "kube-public", "kube-node-lease"}) {
    if (impl_->store.Get(impl_->Key(ns, "", name)).ok()) continue;
    json::object obj{{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", json::object{{"name", name}}}};
    auto created = impl_->Create(ns, "", obj, {});
    if (!created.ok() && created.error().code != ErrorCode::kAlreadyExists) return Fail(created.error());
  }
  // The default/kubernetes Service, on the first address of the service range.
  const ResourceInfo* svc = impl_->Find("", "v1", "services");
  if (svc && impl_->services && !impl_->store.Get(impl_->Key(*svc, "default", "kubernetes")).ok()) {
    json::object obj{
        {"apiVersion", "v1"},
        {"kind", "Service"},
        {"metadata", json::object{{"name", "kubernetes"},
                                  {"labels", json::object{{"component", "apiserver"}, {"provider", "kubernetes"}}}}},
        {"spec", json::object{{"clusterIP", impl_->services->FirstIp()},
                              {"ports", json::array{json::object{{"name", "https"},
                                                                 {"port", 443},
                                                                 {"protocol", "TCP"},
                                                                 {"targetPort", impl_->options.https_port}}}}}}};
    auto created = impl_->Create(*svc, "default", obj, {});
    if (!created.ok() && created.error().code != ErrorCode::kAlreadyExists) return Fail(created.error());
  }
  // The built-in PriorityClasses, as upstream's scheduling bootstrap hook creates them.
  if (const ResourceInfo* pcs = impl_->Find("scheduling.k8s.io", "v1", "priorityclasses")) {
    for (auto& obj : SystemPriorityClasses()) {
      if (impl_->store.Get(impl_->Key(*pcs, "", api::MetaString(obj, "name"))).ok()) continue;
      auto created = impl_->Create(*pcs, "", std::move(obj), {});
      if (!created.ok() && created.error().code != ErrorCode::kAlreadyExists) return Fail(created.error());
    }
  }
  // The local APIServices (one per served built-in group/version), as upstream's aggregator keeps.
  if (const ResourceInfo* apis = impl_->Find("apiregistration.k8s.io", "v1", "apiservices")) {
    for (auto& obj : LocalApiServices(*Resources(), api::NowRfc3339())) {
      if (impl_->store.Get(impl_->Key(*apis, "", api::MetaString(obj, "name"))).ok()) continue;
      auto created = impl_->Create(*apis, "", std::move(obj), {});
      if (!created.ok() && created.error().code != ErrorCode::kAlreadyExists) return Fail(created.error());
    }
  }
  return OkStatus();
}

Status ValidateDeleteOptions(const std::vector<std::string>& dry_run, const std::optional<std::string>& propagation_policy) {
  json::array causes;
  std::string joined;
  auto add = [&](const std::string& field, const std::string& message) {
    causes.push_back(json::object{{"reason", "FieldValueNotSupported"}, {"message", message}, {"field", field}});
    joined += (joined.empty() ? "" : ", ") + field + ": " + message;
  };
  if (propagation_policy && *propagation_policy != "Foreground" && *propagation_policy != "Background" &&
      *propagation_policy != "Orphan") {
    add("propagationPolicy", "Unsupported value: " + api::GoQuote(*propagation_policy) +
                                 ": supported values: \"Foreground\", \"Background\", \"Orphan\", \"nil\"");
  }
  if (std::any_of(dry_run.begin(), dry_run.end(), [](const std::string& v) { return v != "All"; })) {
    std::string list;  // Go's %#v of a []string
    for (const auto& v : dry_run) list += (list.empty() ? "" : ", ") + api::GoQuote(v);
    add("dryRun", "Unsupported value: []string{" + list + "}: supported values: \"All\"");
  }
  if (causes.empty()) return OkStatus();
  if (causes.size() > 1) joined = "[" + joined + "]";
  return Fail(api::StatusError(ErrorCode::kInvalid, "DeleteOptions.meta.k8s.io \"\" is invalid: " + joined,
                               {"", "meta.k8s.io", "DeleteOptions", std::move(causes)}));
}

}  // namespace k1s::registry
