#include "server/registry/strategy.h"

#include <sys/stat.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <climits>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "lib/api/go_format.h"
#include "lib/api/json_util.h"
#include "lib/api/meta.h"
#include "lib/api/quantity.h"
#include "lib/base/strings.h"

namespace k1s::registry {

namespace json = boost::json;
using api::ArrAt;
using api::EnsureObj;
using api::ObjAt;
using api::Quantity;
using api::StrAt;

namespace {

// ---------------------------------------------------------------------------------------------
// JSON shape helpers. Defaulting never replaces a value of the wrong type; validation reports it.

bool Missing(const json::object& o, std::string_view k) {
  auto* v = o.if_contains(k);
  return v == nullptr || v->is_null();
}

std::optional<int64_t> IntOf(const json::value& v) {
  if (v.is_int64()) return v.get_int64();
  if (v.is_uint64()) return v.get_uint64() > static_cast<uint64_t>(INT64_MAX) ? INT64_MAX : static_cast<int64_t>(v.get_uint64());
  return std::nullopt;
}

std::optional<int64_t> Int(const json::object& o, std::string_view k) {
  auto* v = o.if_contains(k);
  return v ? IntOf(*v) : std::nullopt;
}

void SetIfMissing(json::object& o, std::string_view k, json::value v) {
  if (Missing(o, k)) o[k] = std::move(v);
}

// Go treats "" like unset for string enums.
void DefaultStr(json::object& o, std::string_view k, std::string_view v) {
  auto* cur = o.if_contains(k);
  if (cur == nullptr || cur->is_null() || (cur->is_string() && cur->get_string().empty())) o[k] = v;
}

template <typename F>
void ForEachObj(json::object& o, std::string_view k, F f) {
  if (auto* a = ArrAt(o, k)) {
    for (auto& item : *a) {
      if (auto* io = item.if_object()) f(*io);
    }
  }
}

std::map<std::string, std::string> StringMap(const json::value* v) {
  std::map<std::string, std::string> out;
  if (v == nullptr || !v->is_object()) return out;
  for (const auto& [k, val] : v->get_object()) {
    if (val.is_string()) out[std::string(k)] = std::string(val.get_string());
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Error construction, worded like k8s.io/apimachinery's field errors.


// How a bad JSON value prints after "Invalid value: ".
std::string Repr(const json::value& v) {
  if (v.is_string()) return api::GoQuote(v.get_string());
  if (v.is_null()) return "\"null\"";
  return json::serialize(v);
}

std::string Child(const std::string& path, std::string_view k) {
  return path.empty() ? std::string(k) : path + "." + std::string(k);
}
std::string Index(const std::string& path, size_t i) { return path + "[" + std::to_string(i) + "]"; }
std::string Key(const std::string& path, std::string_view k) { return path + "[" + std::string(k) + "]"; }

class Errs {
 public:
  void Required(const std::string& f, const std::string& detail = "") {
    Add(f, "FieldValueRequired", detail.empty() ? "Required value" : "Required value: " + detail);
  }
  void Invalid(const std::string& f, const std::string& repr, const std::string& detail) {
    Add(f, "FieldValueInvalid", "Invalid value: " + repr + (detail.empty() ? "" : ": " + detail));
  }
  void NotSupported(const std::string& f, const std::string& repr, const std::vector<std::string>& valid) {
    std::string detail;
    for (const auto& v : valid) detail += (detail.empty() ? "" : ", ") + api::GoQuote(v);
    Add(f, "FieldValueNotSupported",
        "Unsupported value: " + repr + (valid.empty() ? "" : ": supported values: " + detail));
  }
  void Duplicate(const std::string& f, const std::string& repr) {
    Add(f, "FieldValueDuplicate", "Duplicate value: " + repr);
  }
  void Forbidden(const std::string& f, const std::string& detail) {
    Add(f, "FieldValueForbidden", "Forbidden: " + detail);
  }
  void NotFound(const std::string& f, const std::string& repr) { Add(f, "FieldValueNotFound", "Not found: " + repr); }
  void TooLong(const std::string& f, int64_t max) {
    Add(f, "FieldValueTooLong", "Too long: may not be more than " + std::to_string(max) + " bytes");
  }
  void Type(const std::string& f, const json::value& v, const char* want) {
    Add(f, "FieldValueTypeInvalid", "Invalid value: " + Repr(v) + ": must be of type " + want);
  }
  void Nonnegative(const std::string& f, int64_t v) {
    if (v < 0) Invalid(f, std::to_string(v), "must be greater than or equal to 0");
  }
  void Add(std::string f, std::string reason, std::string message) {
    list.push_back({std::move(f), std::move(reason), std::move(message)});
  }
  std::vector<FieldError> list;
};

// Typed reads for validation: a wrong type is reported at path and read as absent.
const json::object* GetObj(const json::object& o, std::string_view k, const std::string& path, Errs& e) {
  auto* v = o.if_contains(k);
  if (v == nullptr || v->is_null()) return nullptr;
  if (!v->is_object()) e.Type(path, *v, "object");
  return v->if_object();
}
const json::array* GetArr(const json::object& o, std::string_view k, const std::string& path, Errs& e) {
  auto* v = o.if_contains(k);
  if (v == nullptr || v->is_null()) return nullptr;
  if (!v->is_array()) e.Type(path, *v, "array");
  return v->if_array();
}
std::optional<std::string> GetStr(const json::object& o, std::string_view k, const std::string& path, Errs& e) {
  auto* v = o.if_contains(k);
  if (v == nullptr || v->is_null()) return std::nullopt;
  if (!v->is_string()) {
    e.Type(path, *v, "string");
    return std::nullopt;
  }
  return std::string(v->get_string());
}
std::optional<int64_t> GetInt(const json::object& o, std::string_view k, const std::string& path, Errs& e) {
  auto* v = o.if_contains(k);
  if (v == nullptr || v->is_null()) return std::nullopt;
  auto i = IntOf(*v);
  if (!i) e.Type(path, *v, "integer");
  return i;
}
// Elements of an array that must be objects; others are reported.
template <typename F>
void EachObj(const json::array* a, const std::string& path, Errs& e, F f) {
  if (a == nullptr) return;
  for (size_t i = 0; i < a->size(); ++i) {
    const auto& item = (*a)[i];
    if (!item.is_object()) {
      e.Type(Index(path, i), item, "object");
      continue;
    }
    f(i, item.get_object(), Index(path, i));
  }
}

// ---------------------------------------------------------------------------------------------
// Go-style renderings of values that upstream prints with %#v.

std::string GoStringMap(const json::value* v) {
  if (v == nullptr || !v->is_object()) return "map[string]string(nil)";
  auto m = StringMap(v);
  std::string out = "map[string]string{";
  bool first = true;
  for (const auto& [k, val] : m) {
    out += (first ? "" : ", ") + api::GoQuote(k) + ":" + api::GoQuote(val);
    first = false;
  }
  return out + "}";
}

std::string GoLabelSelector(const json::value* v) {
  const json::object* sel = v ? v->if_object() : nullptr;
  std::string out = "v1.LabelSelector{MatchLabels:" + GoStringMap(sel ? sel->if_contains("matchLabels") : nullptr);
  const json::array* exprs = sel ? ArrAt(*sel, "matchExpressions") : nullptr;
  if (exprs == nullptr || exprs->empty()) {
    out += ", MatchExpressions:[]v1.LabelSelectorRequirement(nil)}";
    return out;
  }
  out += ", MatchExpressions:[]v1.LabelSelectorRequirement{";
  for (size_t i = 0; i < exprs->size(); ++i) {
    const json::object* r = (*exprs)[i].if_object();
    if (i) out += ", ";
    out += "v1.LabelSelectorRequirement{Key:" + api::GoQuote(r ? StrAt(*r, "key") : "") +
           ", Operator:" + api::GoQuote(r ? StrAt(*r, "operator") : "") + ", Values:";
    const json::array* vals = r ? ArrAt(*r, "values") : nullptr;
    if (vals == nullptr) {
      out += "[]string(nil)}";
      continue;
    }
    out += "[]string{";
    for (size_t j = 0; j < vals->size(); ++j) {
      out += (j ? ", " : "") + api::GoQuote((*vals)[j].is_string() ? std::string((*vals)[j].get_string()) : "");
    }
    out += "}}";
  }
  return out + "}}";
}

// ---------------------------------------------------------------------------------------------
// Name rules (k8s.io/apimachinery/pkg/util/validation), with upstream's messages.

bool IsAlnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }

const char kQualifiedNameMsg[] =
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric "
    "character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
    "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

bool MatchesQualifiedName(std::string_view s) {
  if (s.empty() || !IsAlnum(s.front()) || !IsAlnum(s.back())) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return IsAlnum(c) || c == '-' || c == '_' || c == '.'; });
}

std::vector<std::string> QualifiedNameErrors(std::string_view value) {
  std::vector<std::string> errs;
  std::string_view name = value;
  size_t slashes = std::count(value.begin(), value.end(), '/');
  if (slashes > 1) {
    errs.push_back(std::string("a qualified name ") + kQualifiedNameMsg +
                   " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')");
    return errs;
  }
  if (slashes == 1) {
    size_t slash = value.find('/');
    std::string_view prefix = value.substr(0, slash);
    name = value.substr(slash + 1);
    if (prefix.empty()) {
      errs.push_back("prefix part must be non-empty");
    } else if (auto why = api::ValidateDns1123Subdomain(prefix); !why.empty()) {
      errs.push_back("prefix part " + why);
    }
  }
  if (name.empty()) {
    errs.push_back("name part must be non-empty");
  } else if (name.size() > 63) {
    errs.push_back("name part must be no more than 63 characters");
  }
  if (!MatchesQualifiedName(name)) errs.push_back(std::string("name part ") + kQualifiedNameMsg);
  return errs;
}

std::vector<std::string> LabelValueErrors(std::string_view value) {
  std::vector<std::string> errs;
  if (value.size() > 63) errs.push_back("must be no more than 63 characters");
  if (!value.empty() && !MatchesQualifiedName(value)) {
    errs.push_back(
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must "
        "start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for "
        "validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')");
  }
  return errs;
}

std::vector<std::string> PortNameErrors(std::string_view port) { return api::ValidatePortName(port); }

const char kPortRange[] = "must be between 1 and 65535, inclusive";

void ValidateLabels(const json::object& parent, std::string_view k, const std::string& path, Errs& e) {
  const json::object* labels = GetObj(parent, k, path, e);
  if (labels == nullptr) return;
  for (const auto& [key, val] : *labels) {
    for (const auto& msg : QualifiedNameErrors(key)) e.Invalid(path, api::GoQuote(key), msg);
    if (!val.is_string()) {
      e.Type(Key(path, key), val, "string");
      continue;
    }
    for (const auto& msg : LabelValueErrors(val.get_string())) e.Invalid(path, api::GoQuote(val.get_string()), msg);
  }
}

void ValidateAnnotations(const json::object& parent, std::string_view k, const std::string& path, Errs& e) {
  const json::object* ann = GetObj(parent, k, path, e);
  if (ann == nullptr) return;
  size_t total = 0;
  for (const auto& [key, val] : *ann) {
    std::string lower(key);
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    for (const auto& msg : QualifiedNameErrors(lower)) e.Invalid(path, api::GoQuote(key), msg);
    total += key.size();
    if (!val.is_string()) {
      e.Type(Key(path, key), val, "string");
      continue;
    }
    total += val.get_string().size();
  }
  constexpr int64_t kLimit = 256 * 1024;
  if (static_cast<int64_t>(total) > kLimit) e.TooLong(path, kLimit);
}

// ---------------------------------------------------------------------------------------------
// Label selectors (metav1.LabelSelector as JSON).

struct Selector {
  bool nothing = false;  // a missing selector matches nothing
  bool valid = true;
  std::map<std::string, std::string> match_labels;
  struct Expr {
    std::string key, op;
    std::set<std::string> values;
  };
  std::vector<Expr> exprs;

  bool Empty() const { return !nothing && match_labels.empty() && exprs.empty(); }
  bool Matches(const std::map<std::string, std::string>& labels) const {
    if (nothing) return false;
    for (const auto& [k, v] : match_labels) {
      auto it = labels.find(k);
      if (it == labels.end() || it->second != v) return false;
    }
    for (const auto& x : exprs) {
      auto it = labels.find(x.key);
      bool has = it != labels.end();
      if (x.op == "In" && (!has || !x.values.count(it->second))) return false;
      if (x.op == "NotIn" && has && x.values.count(it->second)) return false;
      if (x.op == "Exists" && !has) return false;
      if (x.op == "DoesNotExist" && has) return false;
    }
    return true;
  }
};

Selector ParseSelector(const json::value* v) {
  Selector s;
  if (v == nullptr || v->is_null()) {
    s.nothing = true;
    return s;
  }
  const json::object* o = v->if_object();
  if (o == nullptr) {
    s.valid = false;
    return s;
  }
  s.match_labels = StringMap(o->if_contains("matchLabels"));
  if (const json::array* exprs = ArrAt(*o, "matchExpressions")) {
    for (const auto& item : *exprs) {
      const json::object* r = item.if_object();
      if (r == nullptr) {
        s.valid = false;
        continue;
      }
      Selector::Expr x{StrAt(*r, "key"), StrAt(*r, "operator"), {}};
      if (const json::array* vals = ArrAt(*r, "values")) {
        for (const auto& val : *vals) {
          if (val.is_string()) x.values.insert(std::string(val.get_string()));
        }
      }
      if (x.op != "In" && x.op != "NotIn" && x.op != "Exists" && x.op != "DoesNotExist") s.valid = false;
      s.exprs.push_back(std::move(x));
    }
  }
  return s;
}

void ValidateSelector(const json::object& sel, const std::string& path, Errs& e) {
  ValidateLabels(sel, "matchLabels", Child(path, "matchLabels"), e);
  EachObj(GetArr(sel, "matchExpressions", Child(path, "matchExpressions"), e), Child(path, "matchExpressions"), e,
          [&](size_t, const json::object& r, const std::string& at) {
            std::string op = StrAt(r, "operator");
            const json::array* vals = ArrAt(r, "values");
            size_t n = vals ? vals->size() : 0;
            if (op == "In" || op == "NotIn") {
              if (n == 0) e.Required(Child(at, "values"), "must be specified when `operator` is 'In' or 'NotIn'");
            } else if (op == "Exists" || op == "DoesNotExist") {
              if (n > 0) e.Forbidden(Child(at, "values"), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'");
            } else {
              e.Invalid(Child(at, "operator"), api::GoQuote(op), "not a valid selector operator");
            }
            for (const auto& msg : QualifiedNameErrors(StrAt(r, "key"))) e.Invalid(Child(at, "key"), api::GoQuote(StrAt(r, "key")), msg);
          });
}

// ---------------------------------------------------------------------------------------------
// Defaults.

// The tag of an image reference ("" with a digest and no tag; "latest" when neither is given).
std::string ImageTag(const std::string& image) {
  if (image.empty()) return "";
  std::string ref = image;
  bool digest = false;
  if (auto at = ref.find('@'); at != std::string::npos) {
    ref = ref.substr(0, at);
    digest = true;
  }
  size_t slash = ref.rfind('/');
  size_t colon = ref.rfind(':');
  if (colon != std::string::npos && (slash == std::string::npos || colon > slash)) return ref.substr(colon + 1);
  return digest ? "" : "latest";
}

// Rewrites each valid quantity of a resource list in canonical form, rounded up to milli units.
void CanonicalizeResourceList(json::object& parent, std::string_view k) {
  json::object* list = ObjAt(parent, k);
  if (list == nullptr) return;
  for (auto& [name, val] : *list) {
    auto q = Quantity::FromJson(val);
    if (!q.ok()) continue;
    (void)q->RoundUp(-3);
    val = q->String();
  }
}

void DefaultHandler(json::object& h) {
  if (json::object* get = ObjAt(h, "httpGet")) {
    DefaultStr(*get, "path", "/");
    DefaultStr(*get, "scheme", "HTTP");
  }
}

void DefaultProbe(json::object& c, std::string_view k) {
  json::object* p = ObjAt(c, k);
  if (p == nullptr) return;
  for (auto [field, v] : {std::pair{"timeoutSeconds", 1}, {"periodSeconds", 10}, {"successThreshold", 1},
                          {"failureThreshold", 3}}) {
    auto cur = Int(*p, field);
    if (Missing(*p, field) || (cur && *cur == 0)) (*p)[field] = v;
  }
  DefaultHandler(*p);
}

void DefaultFieldRef(json::object& holder) {
  if (json::object* ref = ObjAt(holder, "fieldRef")) DefaultStr(*ref, "apiVersion", "v1");
}

void DefaultContainer(json::object& c, bool is_pod) {
  if (Missing(c, "imagePullPolicy") || StrAt(c, "imagePullPolicy").empty()) {
    c["imagePullPolicy"] = ImageTag(StrAt(c, "image")) == "latest" ? "Always" : "IfNotPresent";
  }
  DefaultStr(c, "terminationMessagePath", "/dev/termination-log");
  DefaultStr(c, "terminationMessagePolicy", "File");
  ForEachObj(c, "ports", [](json::object& p) { DefaultStr(p, "protocol", "TCP"); });
  ForEachObj(c, "env", [](json::object& env) {
    if (json::object* from = ObjAt(env, "valueFrom")) DefaultFieldRef(*from);
  });
  for (const char* probe : {"livenessProbe", "readinessProbe", "startupProbe"}) DefaultProbe(c, probe);
  if (json::object* lc = ObjAt(c, "lifecycle")) {
    for (const char* h : {"postStart", "preStop"}) {
      if (json::object* ho = ObjAt(*lc, h)) DefaultHandler(*ho);
    }
  }
  json::object* res = EnsureObj(c, "resources");
  if (res == nullptr) return;
  CanonicalizeResourceList(*res, "limits");
  CanonicalizeResourceList(*res, "requests");
  if (is_pod) {
    // A Pod (not a template) requests what it limits unless it says otherwise.
    // Insert "requests" before taking a pointer to "limits": an insert may move res's storage.
    if (ObjAt(*res, "limits") != nullptr && EnsureObj(*res, "requests") != nullptr) {
      const json::object* limits = ObjAt(*res, "limits");
      json::object* requests = ObjAt(*res, "requests");
      if (limits != nullptr && requests != nullptr) {
        for (const auto& [name, val] : *limits) {
          if (!requests->contains(name)) (*requests)[name] = val;
        }
      }
    }
  }
}

void DefaultPvcSpec(json::object& spec) {
  DefaultStr(spec, "volumeMode", "Filesystem");
  if (json::object* res = ObjAt(spec, "resources")) {
    CanonicalizeResourceList(*res, "requests");
    CanonicalizeResourceList(*res, "limits");
  }
}

void DefaultVolume(json::object& v) {
  bool has_source = false;
  for (const auto& [k, val] : v) {
    if (k != "name" && !val.is_null()) has_source = true;
  }
  if (!has_source) v["emptyDir"] = json::object();
  for (const char* src : {"secret", "configMap", "downwardAPI", "projected"}) {
    if (json::object* s = ObjAt(v, src)) SetIfMissing(*s, "defaultMode", 420);
  }
  if (json::object* d = ObjAt(v, "downwardAPI")) ForEachObj(*d, "items", DefaultFieldRef);
  if (json::object* h = ObjAt(v, "hostPath")) SetIfMissing(*h, "type", "");
  if (json::object* p = ObjAt(v, "projected")) {
    ForEachObj(*p, "sources", [](json::object& s) {
      if (json::object* t = ObjAt(s, "serviceAccountToken")) SetIfMissing(*t, "expirationSeconds", 3600);
      if (json::object* d = ObjAt(s, "downwardAPI")) ForEachObj(*d, "items", DefaultFieldRef);
    });
  }
  if (json::object* eph = ObjAt(v, "ephemeral")) {
    if (json::object* tmpl = ObjAt(*eph, "volumeClaimTemplate")) {
      if (json::object* spec = ObjAt(*tmpl, "spec")) DefaultPvcSpec(*spec);
    }
  }
}

void DefaultPodSpec(json::object& spec, bool is_pod) {
  DefaultStr(spec, "dnsPolicy", "ClusterFirst");
  DefaultStr(spec, "restartPolicy", "Always");
  SetIfMissing(spec, "securityContext", json::object());
  SetIfMissing(spec, "terminationGracePeriodSeconds", 30);
  DefaultStr(spec, "schedulerName", "default-scheduler");
  // serviceAccount is the deprecated alias of serviceAccountName; the API keeps both in step.
  if (StrAt(spec, "serviceAccountName").empty() && !StrAt(spec, "serviceAccount").empty()) {
    spec["serviceAccountName"] = StrAt(spec, "serviceAccount");
  }
  if (is_pod) DefaultStr(spec, "serviceAccountName", "default");  // the ServiceAccount admission plugin
  if (!StrAt(spec, "serviceAccountName").empty()) spec["serviceAccount"] = StrAt(spec, "serviceAccountName");
  for (const char* list : {"containers", "initContainers", "ephemeralContainers"}) {
    ForEachObj(spec, list, [&](json::object& c) { DefaultContainer(c, is_pod && std::string_view(list) != "ephemeralContainers"); });
  }
  ForEachObj(spec, "volumes", DefaultVolume);
  if (!is_pod) return;
  SetIfMissing(spec, "enableServiceLinks", true);
  auto* host_network = spec.if_contains("hostNetwork");
  if (host_network && host_network->is_bool() && host_network->get_bool()) {
    for (const char* list : {"containers", "initContainers"}) {
      ForEachObj(spec, list, [](json::object& c) {
        ForEachObj(c, "ports", [](json::object& p) {
          auto host = Int(p, "hostPort");
          if ((Missing(p, "hostPort") || (host && *host == 0)) && !Missing(p, "containerPort")) {
            // Copy before inserting "hostPort": the insert may move p's storage (and containerPort with it).
            json::value port = p.at("containerPort");
            p["hostPort"] = std::move(port);
          }
        });
      });
    }
  }
  // spec.priority and spec.preemptionPolicy come from the Priority admission plugin (the stored
  // PriorityClasses): priority_admission.h.
  // The DefaultTolerationSeconds admission plugin.
  if (Missing(spec, "tolerations")) spec["tolerations"] = json::array();
  if (json::array* tols = ArrAt(spec, "tolerations")) {
    bool not_ready = false, unreachable = false;
    for (const auto& t : *tols) {
      const json::object* to = t.if_object();
      if (to == nullptr) continue;
      std::string key = StrAt(*to, "key"), effect = StrAt(*to, "effect");
      bool no_exec = effect.empty() || effect == "NoExecute";
      if (no_exec && (key.empty() || key == "node.kubernetes.io/not-ready")) not_ready = true;
      if (no_exec && (key.empty() || key == "node.kubernetes.io/unreachable")) unreachable = true;
    }
    for (auto [present, key] : {std::pair{not_ready, "node.kubernetes.io/not-ready"},
                                {unreachable, "node.kubernetes.io/unreachable"}}) {
      if (!present) {
        tols->push_back(json::object{{"key", key}, {"operator", "Exists"}, {"effect", "NoExecute"},
                                     {"tolerationSeconds", 300}});
      }
    }
    if (tols->empty()) spec.erase("tolerations");
  }
}

void DefaultTemplate(json::object& holder) {
  if (json::object* tmpl = ObjAt(holder, "template")) {
    if (json::object* spec = ObjAt(*tmpl, "spec")) DefaultPodSpec(*spec, false);
  }
}

// The QoS class of a pod spec (requests and limits of cpu and memory across its containers).
std::string QosClass(const json::object& spec) {
  std::map<std::string, Quantity> requests, limits;
  bool guaranteed = true;
  for (const char* list : {"containers", "initContainers"}) {
    const json::array* cs = ArrAt(spec, list);
    if (cs == nullptr) continue;
    for (const auto& cv : *cs) {
      const json::object* c = cv.if_object();
      const json::object* res = c ? ObjAt(*c, "resources") : nullptr;
      std::set<std::string> limit_found;
      for (auto [kind, total] : {std::pair{"requests", &requests}, {"limits", &limits}}) {
        const json::object* rl = res ? ObjAt(*res, kind) : nullptr;
        if (rl == nullptr) continue;
        for (const auto& [name, val] : *rl) {
          if (name != "cpu" && name != "memory") continue;
          auto q = Quantity::FromJson(val);
          if (!q.ok() || q->Sign() <= 0) continue;
          if (std::string_view(kind) == "limits") limit_found.insert(std::string(name));
          (*total)[std::string(name)].Add(*q);
        }
      }
      if (!limit_found.count("cpu") || !limit_found.count("memory")) guaranteed = false;
    }
  }
  if (requests.empty() && limits.empty()) return "BestEffort";
  if (guaranteed) {
    for (const auto& [name, req] : requests) {
      auto it = limits.find(name);
      if (it == limits.end() || it->second != req) guaranteed = false;
    }
  }
  return guaranteed && requests.size() == limits.size() ? "Guaranteed" : "Burstable";
}

void DefaultPod(json::object& pod) {
  json::object* spec = ObjAt(pod, "spec");
  if (spec == nullptr) return;
  DefaultPodSpec(*spec, true);
  // Read the spec before inserting "status": an insert may move pod's storage (and spec with it).
  std::string qos = QosClass(*spec);
  json::object* status = EnsureObj(pod, "status");
  if (status == nullptr) return;
  DefaultStr(*status, "phase", "Pending");
  DefaultStr(*status, "qosClass", qos);
}

void DefaultIntOrString(json::object& o, std::string_view k, json::value v) { SetIfMissing(o, k, std::move(v)); }

void DefaultDeployment(json::object& spec) {
  SetIfMissing(spec, "replicas", 1);
  json::object* strategy = EnsureObj(spec, "strategy");
  if (strategy != nullptr) {
    DefaultStr(*strategy, "type", "RollingUpdate");
    if (StrAt(*strategy, "type") == "RollingUpdate") {
      if (json::object* ru = EnsureObj(*strategy, "rollingUpdate")) {
        DefaultIntOrString(*ru, "maxUnavailable", "25%");
        DefaultIntOrString(*ru, "maxSurge", "25%");
      }
    }
  }
  SetIfMissing(spec, "revisionHistoryLimit", 10);
  SetIfMissing(spec, "progressDeadlineSeconds", 600);
  DefaultTemplate(spec);
}

void DefaultStatefulSet(json::object& spec) {
  DefaultStr(spec, "podManagementPolicy", "OrderedReady");
  if (json::object* us = EnsureObj(spec, "updateStrategy")) {
    if (StrAt(*us, "type").empty()) {
      (*us)["type"] = "RollingUpdate";
      SetIfMissing(*us, "rollingUpdate", json::object());
    }
    json::object* ru = ObjAt(*us, "rollingUpdate");
    if (StrAt(*us, "type") == "RollingUpdate" && ru != nullptr) SetIfMissing(*ru, "partition", 0);
  }
  if (json::object* policy = EnsureObj(spec, "persistentVolumeClaimRetentionPolicy")) {
    DefaultStr(*policy, "whenDeleted", "Retain");
    DefaultStr(*policy, "whenScaled", "Retain");
  }
  SetIfMissing(spec, "replicas", 1);
  SetIfMissing(spec, "revisionHistoryLimit", 10);
  ForEachObj(spec, "volumeClaimTemplates", [](json::object& pvc) {
    if (json::object* s = ObjAt(pvc, "spec")) DefaultPvcSpec(*s);
    if (json::object* st = EnsureObj(pvc, "status")) DefaultStr(*st, "phase", "Pending");
  });
  DefaultTemplate(spec);
}

void DefaultDaemonSet(json::object& spec) {
  if (json::object* us = EnsureObj(spec, "updateStrategy")) {
    DefaultStr(*us, "type", "RollingUpdate");
    if (StrAt(*us, "type") == "RollingUpdate") {
      if (json::object* ru = EnsureObj(*us, "rollingUpdate")) {
        DefaultIntOrString(*ru, "maxUnavailable", 1);
        DefaultIntOrString(*ru, "maxSurge", 0);
      }
    }
  }
  SetIfMissing(spec, "revisionHistoryLimit", 10);
  DefaultTemplate(spec);
}

constexpr char kControllerUidLabel[] = "batch.kubernetes.io/controller-uid";
constexpr char kJobNameLabel[] = "batch.kubernetes.io/job-name";
constexpr char kLegacyControllerUidLabel[] = "controller-uid";
constexpr char kLegacyJobNameLabel[] = "job-name";

void DefaultJob(json::object& job) {
  json::object* spec = ObjAt(job, "spec");
  if (spec == nullptr) return;
  if (Missing(*spec, "completions") && Missing(*spec, "parallelism")) {
    (*spec)["completions"] = 1;
    (*spec)["parallelism"] = 1;
  }
  SetIfMissing(*spec, "parallelism", 1);
  SetIfMissing(*spec, "backoffLimit", Missing(*spec, "backoffLimitPerIndex") ? 6 : INT32_MAX);
  DefaultStr(*spec, "completionMode", "NonIndexed");
  SetIfMissing(*spec, "suspend", false);
  DefaultStr(*spec, "podReplacementPolicy", Missing(*spec, "podFailurePolicy") ? "TerminatingOrFailed" : "Failed");
  SetIfMissing(*spec, "manualSelector", false);
  DefaultTemplate(*spec);
  // The job strategy: unless the selector is manual, select the pods by this job's uid.
  auto* manual = spec->if_contains("manualSelector");
  bool is_manual = manual && manual->is_bool() && manual->get_bool();
  json::object* tmpl = ObjAt(*spec, "template");
  std::string uid = api::MetaString(job, "uid"), name = api::MetaString(job, "name");
  if (!is_manual && tmpl != nullptr && !uid.empty()) {
    json::object* meta = EnsureObj(*tmpl, "metadata");
    json::object* labels = meta ? EnsureObj(*meta, "labels") : nullptr;
    if (labels != nullptr) {
      for (const char* k : {kLegacyJobNameLabel, kJobNameLabel}) {
        if (!labels->contains(k)) (*labels)[k] = name;
      }
      for (const char* k : {kLegacyControllerUidLabel, kControllerUidLabel}) {
        if (!labels->contains(k)) (*labels)[k] = uid;
      }
    }
    json::object* sel = EnsureObj(*spec, "selector");
    json::object* ml = sel ? EnsureObj(*sel, "matchLabels") : nullptr;
    if (ml != nullptr && !ml->contains(kControllerUidLabel)) (*ml)[kControllerUidLabel] = uid;
    tmpl = ObjAt(*spec, "template");  // the insert of "selector" may have moved spec's storage
  }
  // A job without labels takes its pod template's.
  if (tmpl != nullptr) {
    const json::object* tmeta = ObjAt(*tmpl, "metadata");
    const json::object* tlabels = tmeta ? ObjAt(*tmeta, "labels") : nullptr;
    json::object& meta = api::Metadata(job);
    const json::object* labels = ObjAt(meta, "labels");
    if (tlabels != nullptr && (labels == nullptr || labels->empty()) && Missing(meta, "labels") == (labels == nullptr)) {
      meta["labels"] = *tlabels;
    }
  }
}

void DefaultCronJob(json::object& spec) {
  DefaultStr(spec, "concurrencyPolicy", "Allow");
  SetIfMissing(spec, "suspend", false);
  SetIfMissing(spec, "successfulJobsHistoryLimit", 3);
  SetIfMissing(spec, "failedJobsHistoryLimit", 1);
  if (json::object* jt = ObjAt(spec, "jobTemplate")) {
    if (json::object* js = ObjAt(*jt, "spec")) DefaultTemplate(*js);
  }
}

void DefaultLimitRange(json::object& spec) {
  ForEachObj(spec, "limits", [](json::object& item) {
    if (StrAt(item, "type") != "Container") return;
    // Insert both before taking pointers: an insert may move item's storage.
    if (EnsureObj(item, "default") == nullptr || EnsureObj(item, "defaultRequest") == nullptr) return;
    json::object* dflt = ObjAt(item, "default");
    json::object* dreq = ObjAt(item, "defaultRequest");
    if (dflt == nullptr || dreq == nullptr) return;
    if (const json::object* max = ObjAt(item, "max")) {
      for (const auto& [k, v] : *max) {
        if (!dflt->contains(k)) (*dflt)[k] = v;
      }
    }
    for (const auto& [k, v] : *dflt) {
      if (!dreq->contains(k)) (*dreq)[k] = v;
    }
    if (const json::object* min = ObjAt(item, "min")) {
      for (const auto& [k, v] : *min) {
        if (!dreq->contains(k)) (*dreq)[k] = v;
      }
    }
  });
}

bool Is(const ResourceInfo& r, std::string_view group, std::string_view kind) { return r.group == group && r.kind == kind; }

// ---------------------------------------------------------------------------------------------
// Pod spec validation.

const std::set<std::string> kVolumeSources = {
    "hostPath", "emptyDir", "gcePersistentDisk", "awsElasticBlockStore", "gitRepo", "secret", "nfs", "iscsi",
    "glusterfs", "persistentVolumeClaim", "rbd", "flexVolume", "cinder", "cephfs", "flocker", "downwardAPI", "fc",
    "azureFile", "configMap", "vsphereVolume", "quobyte", "azureDisk", "photonPersistentDisk", "projected",
    "portworxVolume", "scaleIO", "storageos", "csi", "ephemeral", "image"};

std::set<std::string> ValidateVolumes(const json::object& spec, const std::string& path, Errs& e) {
  std::set<std::string> names;
  EachObj(GetArr(spec, "volumes", path, e), path, e, [&](size_t, const json::object& v, const std::string& at) {
    size_t before = e.list.size();
    int sources = 0;
    for (const auto& [k, val] : v) {
      if (!kVolumeSources.count(std::string(k)) || val.is_null()) continue;
      if (++sources > 1) e.Forbidden(Child(at, k), "may not specify more than 1 volume type");
    }
    if (sources == 0) e.Required(at, "must specify a volume type");
    if (const json::object* cm = ObjAt(v, "configMap"); cm && StrAt(*cm, "name").empty()) {
      e.Required(Child(Child(at, "configMap"), "name"));
    }
    if (const json::object* s = ObjAt(v, "secret"); s && StrAt(*s, "secretName").empty()) {
      e.Required(Child(Child(at, "secret"), "secretName"));
    }
    if (const json::object* c = ObjAt(v, "persistentVolumeClaim"); c && StrAt(*c, "claimName").empty()) {
      e.Required(Child(Child(at, "persistentVolumeClaim"), "claimName"));
    }
    if (const json::object* h = ObjAt(v, "hostPath"); h && StrAt(*h, "path").empty()) {
      e.Required(Child(Child(at, "hostPath"), "path"));
    }
    std::string name = GetStr(v, "name", Child(at, "name"), e).value_or("");
    if (name.empty()) {
      e.Required(Child(at, "name"));
    } else if (auto why = api::ValidateDns1123Label(name); !why.empty()) {
      e.Invalid(Child(at, "name"), api::GoQuote(name), why);
    }
    if (names.count(name)) e.Duplicate(Child(at, "name"), api::GoQuote(name));
    if (e.list.size() == before) names.insert(name);
  });
  return names;
}

bool IsNativeResource(const std::string& name) {
  return name.find('/') == std::string::npos || name.find("kubernetes.io/") != std::string::npos;
}
bool IsHugePages(const std::string& name) { return name.rfind("hugepages-", 0) == 0; }

void ValidateResources(const json::object& c, const std::string& path, Errs& e) {
  const json::object* res = GetObj(c, "resources", path, e);
  if (res == nullptr) return;
  const std::string lim_path = Child(path, "limits"), req_path = Child(path, "requests");
  std::map<std::string, Quantity> limits;
  bool cpu_or_memory = false, hugepages = false;
  auto check = [&](const std::string& name, const json::value& val, const std::string& at) -> std::optional<Quantity> {
    for (const auto& msg : QualifiedNameErrors(name)) e.Invalid(at, api::GoQuote(name), msg);
    if (name.find('/') == std::string::npos) {
      if (name != "cpu" && name != "memory" && name != "ephemeral-storage" && !IsHugePages(name)) {
        e.Invalid(at, api::GoQuote(name), "must be a standard resource for containers");
      }
    } else if (!IsNativeResource(name) && (name.rfind("requests.", 0) == 0 || !QualifiedNameErrors("requests." + name).empty())) {
      e.Invalid(at, api::GoQuote(name), "doesn't follow extended resource name standard");
    }
    auto q = Quantity::FromJson(val);
    if (!q.ok()) {
      e.Invalid(at, Repr(val), q.error().message);
      return std::nullopt;
    }
    if (q->Sign() < 0) e.Invalid(at, api::GoQuote(q->String()), "must be greater than or equal to 0");
    if (!IsNativeResource(name) && q->MilliValue() % 1000 != 0) e.Invalid(at, api::GoQuote(q->String()), "must be an integer");
    if (name == "cpu" || name == "memory") cpu_or_memory = true;
    if (IsHugePages(name)) hugepages = true;
    return *q;
  };
  if (const json::object* l = GetObj(*res, "limits", lim_path, e)) {
    for (const auto& [k, v] : *l) {
      if (auto q = check(std::string(k), v, Key(lim_path, k))) limits[std::string(k)] = *q;
    }
  }
  if (const json::object* r = GetObj(*res, "requests", req_path, e)) {
    for (const auto& [k, v] : *r) {
      std::string name(k);
      auto q = check(name, v, Key(req_path, k));
      if (!q) continue;
      bool overcommit = IsNativeResource(name) && !IsHugePages(name);
      auto it = limits.find(name);
      if (it != limits.end()) {
        if (*q != it->second && !overcommit) {
          e.Invalid(req_path, api::GoQuote(q->String()), "must be equal to " + name + " limit of " + it->second.String());
        } else if (*q > it->second) {
          e.Invalid(req_path, api::GoQuote(q->String()),
                    "must be less than or equal to " + name + " limit of " + it->second.String());
        }
      } else if (!overcommit) {
        e.Required(lim_path, "Limit must be set for non overcommitable resources");
      }
    }
  }
  if (hugepages && !cpu_or_memory) e.Forbidden(path, "HugePages require cpu or memory");
}

void ValidateContainerList(const json::object& spec, std::string_view list, const std::string& path,
                           const std::set<std::string>& volumes, std::set<std::string>& all_names, bool is_pod,
                           bool required, Errs& e) {
  const json::array* cs = GetArr(spec, list, path, e);
  if (required && (cs == nullptr || cs->empty())) {
    if (cs != nullptr || spec.if_contains(list) == nullptr || spec.at(list).is_null()) e.Required(path);
    return;
  }
  std::set<std::string> host_ports;
  EachObj(cs, path, e, [&](size_t, const json::object& c, const std::string& at) {
    std::string name = GetStr(c, "name", Child(at, "name"), e).value_or("");
    if (name.empty()) {
      e.Required(Child(at, "name"));
    } else if (auto why = api::ValidateDns1123Label(name); !why.empty()) {
      e.Invalid(Child(at, "name"), api::GoQuote(name), why);
    }
    if (all_names.count(name)) {
      e.Duplicate(Child(at, "name"), api::GoQuote(name));
    } else if (!name.empty() || list == "containers") {
      all_names.insert(name);
    }
    std::string image = GetStr(c, "image", Child(at, "image"), e).value_or("");
    if (image.empty()) e.Required(Child(at, "image"));
    if (is_pod && !image.empty() && (std::isspace(static_cast<unsigned char>(image.front())) ||
                                     std::isspace(static_cast<unsigned char>(image.back())))) {
      e.Invalid(Child(at, "image"), api::GoQuote(image), "must not have leading or trailing whitespace");
    }
    // Ports.
    std::set<std::string> port_names;
    EachObj(GetArr(c, "ports", Child(at, "ports"), e), Child(at, "ports"), e,
            [&](size_t, const json::object& p, const std::string& pat) {
              std::string pname = GetStr(p, "name", Child(pat, "name"), e).value_or("");
              if (!pname.empty()) {
                auto msgs = PortNameErrors(pname);
                for (const auto& m : msgs) e.Invalid(Child(pat, "name"), api::GoQuote(pname), m);
                if (msgs.empty() && !port_names.insert(pname).second) e.Duplicate(Child(pat, "name"), api::GoQuote(pname));
              }
              auto cp = GetInt(p, "containerPort", Child(pat, "containerPort"), e);
              if (!cp || *cp == 0) {
                if (!cp && !Missing(p, "containerPort")) {
                  // type error already reported
                } else {
                  e.Required(Child(pat, "containerPort"));
                }
              } else if (*cp < 1 || *cp > 65535) {
                e.Invalid(Child(pat, "containerPort"), std::to_string(*cp), kPortRange);
              }
              auto hp = GetInt(p, "hostPort", Child(pat, "hostPort"), e);
              if (hp && *hp != 0 && (*hp < 1 || *hp > 65535)) e.Invalid(Child(pat, "hostPort"), std::to_string(*hp), kPortRange);
              std::string proto = GetStr(p, "protocol", Child(pat, "protocol"), e).value_or("");
              if (proto.empty()) {
                e.Required(Child(pat, "protocol"));
              } else if (proto != "TCP" && proto != "UDP" && proto != "SCTP") {
                e.NotSupported(Child(pat, "protocol"), api::GoQuote(proto), {"SCTP", "TCP", "UDP"});
              }
              if (hp && *hp != 0) {
                std::string key = proto + "/" + StrAt(p, "hostIP") + "/" + std::to_string(*hp);
                if (!host_ports.insert(key).second) e.Duplicate(Child(pat, "hostPort"), api::GoQuote(key));
              }
            });
    // Environment.
    EachObj(GetArr(c, "env", Child(at, "env"), e), Child(at, "env"), e,
            [&](size_t, const json::object& ev, const std::string& eat) {
              std::string ename = GetStr(ev, "name", Child(eat, "name"), e).value_or("");
              if (ename.empty()) {
                e.Required(Child(eat, "name"));
                e.Invalid(Child(eat, "name"), api::GoQuote(ename), "environment variable name must be non-empty");
              } else if (!std::all_of(ename.begin(), ename.end(), [](char ch) { return ch >= ' ' && ch <= '~' && ch != '='; })) {
                e.Invalid(Child(eat, "name"), api::GoQuote(ename),
                          "a valid environment variable name must consist only of printable ASCII characters other "
                          "than '='");
              }
            });
    // Volume mounts.
    std::set<std::string> mount_paths;
    EachObj(GetArr(c, "volumeMounts", Child(at, "volumeMounts"), e), Child(at, "volumeMounts"), e,
            [&](size_t, const json::object& m, const std::string& mat) {
              std::string mname = GetStr(m, "name", Child(mat, "name"), e).value_or("");
              if (mname.empty()) {
                e.Required(Child(mat, "name"));
              } else if (!volumes.count(mname)) {
                e.NotFound(Child(mat, "name"), api::GoQuote(mname));
              }
              std::string mpath = GetStr(m, "mountPath", Child(mat, "mountPath"), e).value_or("");
              if (mpath.empty()) e.Required(Child(mat, "mountPath"));
              if (!mpath.empty() && !mount_paths.insert(mpath).second) {
                e.Invalid(Child(mat, "mountPath"), api::GoQuote(mpath), "must be unique");
              }
            });
    // Pull policy, termination message policy, resources.
    std::string pull = GetStr(c, "imagePullPolicy", Child(at, "imagePullPolicy"), e).value_or("");
    if (pull.empty()) {
      e.Required(Child(at, "imagePullPolicy"));
    } else if (pull != "Always" && pull != "IfNotPresent" && pull != "Never") {
      e.NotSupported(Child(at, "imagePullPolicy"), api::GoQuote(pull), {"Always", "IfNotPresent", "Never"});
    }
    std::string tmp = GetStr(c, "terminationMessagePolicy", Child(at, "terminationMessagePolicy"), e).value_or("");
    if (tmp.empty()) {
      e.Required(Child(at, "terminationMessagePolicy"), "must be 'File' or 'FallbackToLogsOnError'");
    } else if (tmp != "File" && tmp != "FallbackToLogsOnError") {
      e.Invalid(Child(at, "terminationMessagePolicy"), api::GoQuote(tmp), "must be 'File' or 'FallbackToLogsOnError'");
    }
    if (const json::object* lp = GetObj(c, "livenessProbe", Child(at, "livenessProbe"), e)) {
      auto st = Int(*lp, "successThreshold");
      if (st && *st != 1) e.Invalid(Child(Child(at, "livenessProbe"), "successThreshold"), std::to_string(*st), "must be 1");
    }
    ValidateResources(c, Child(at, "resources"), e);
  });
}

void ValidateTolerations(const json::object& spec, const std::string& path, Errs& e) {
  EachObj(GetArr(spec, "tolerations", path, e), path, e, [&](size_t, const json::object& t, const std::string& at) {
    std::string key = StrAt(t, "key"), op = StrAt(t, "operator"), value = StrAt(t, "value"), effect = StrAt(t, "effect");
    if (!key.empty()) {
      for (const auto& msg : QualifiedNameErrors(key)) e.Invalid(Child(at, "key"), api::GoQuote(key), msg);
    }
    if (key.empty() && op != "Exists") {
      e.Invalid(Child(at, "operator"), api::GoQuote(op),
                "operator must be Exists when `key` is empty, which means \"match all values and all keys\"");
    }
    if (!Missing(t, "tolerationSeconds") && effect != "NoExecute") {
      e.Invalid(Child(at, "effect"), api::GoQuote(effect), "effect must be 'NoExecute' when `tolerationSeconds` is set");
    }
    if (op == "Equal" || op.empty()) {
      auto errs = LabelValueErrors(value);
      std::string joined;
      for (const auto& m : errs) joined += (joined.empty() ? "" : ";") + m;
      if (!errs.empty()) e.Invalid(Child(at, "operator"), api::GoQuote(value), joined);
    } else if (op == "Exists") {
      if (!value.empty()) e.Invalid(Child(at, "operator"), api::GoQuote(value), "value must be empty when `operator` is 'Exists'");
    } else {
      e.NotSupported(Child(at, "operator"), api::GoQuote(op), {"Equal", "Exists"});
    }
    if (!effect.empty() && effect != "NoSchedule" && effect != "PreferNoSchedule" && effect != "NoExecute") {
      e.NotSupported(Child(at, "effect"), api::GoQuote(effect), {"NoSchedule", "PreferNoSchedule", "NoExecute"});
    }
  });
}

void ValidatePodSpec(const json::object& spec, const std::string& path, bool is_pod, Errs& e) {
  std::set<std::string> volumes = ValidateVolumes(spec, Child(path, "volumes"), e);
  std::set<std::string> names;
  ValidateContainerList(spec, "containers", Child(path, "containers"), volumes, names, is_pod, true, e);
  ValidateContainerList(spec, "initContainers", Child(path, "initContainers"), volumes, names, is_pod, false, e);
  std::string restart = GetStr(spec, "restartPolicy", Child(path, "restartPolicy"), e).value_or("");
  if (restart.empty()) {
    e.Required(Child(path, "restartPolicy"));
  } else if (restart != "Always" && restart != "OnFailure" && restart != "Never") {
    e.NotSupported(Child(path, "restartPolicy"), api::GoQuote(restart), {"Always", "OnFailure", "Never"});
  }
  std::string dns = GetStr(spec, "dnsPolicy", Child(path, "dnsPolicy"), e).value_or("");
  if (dns.empty()) {
    e.Required(Child(path, "dnsPolicy"));
  } else if (dns != "ClusterFirstWithHostNet" && dns != "ClusterFirst" && dns != "Default" && dns != "None") {
    e.NotSupported(Child(path, "dnsPolicy"), api::GoQuote(dns), {"ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"});
  } else if (dns == "None" && Missing(spec, "dnsConfig")) {
    e.Required(Child(path, "dnsConfig"), "must provide `dnsConfig` when `dnsPolicy` is None");
  }
  ValidateLabels(spec, "nodeSelector", Child(path, "nodeSelector"), e);
  if (auto sa = GetStr(spec, "serviceAccountName", Child(path, "serviceAccountName"), e); sa && !sa->empty()) {
    if (auto why = api::ValidateDns1123Subdomain(*sa); !why.empty()) e.Invalid(Child(path, "serviceAccountName"), api::GoQuote(*sa), why);
  }
  if (auto node = GetStr(spec, "nodeName", Child(path, "nodeName"), e); node && !node->empty()) {
    if (auto why = api::ValidateDns1123Subdomain(*node); !why.empty()) e.Invalid(Child(path, "nodeName"), api::GoQuote(*node), why);
  }
  if (auto ads = GetInt(spec, "activeDeadlineSeconds", Child(path, "activeDeadlineSeconds"), e)) {
    if (*ads < 1 || *ads > INT32_MAX) {
      e.Invalid(Child(path, "activeDeadlineSeconds"), std::to_string(*ads), "must be between 1 and 2147483647, inclusive");
    }
  }
  for (const char* f : {"hostname", "subdomain"}) {
    if (auto v = GetStr(spec, f, Child(path, f), e); v && !v->empty()) {
      if (auto why = api::ValidateDns1123Label(*v); !why.empty()) e.Invalid(Child(path, f), api::GoQuote(*v), why);
    }
  }
  ValidateTolerations(spec, Child(path, "tolerations"), e);
  if (auto pc = GetStr(spec, "priorityClassName", Child(path, "priorityClassName"), e); pc && !pc->empty()) {
    if (auto why = api::ValidateDns1123Subdomain(*pc); !why.empty()) e.Invalid(Child(path, "priorityClassName"), api::GoQuote(*pc), why);
  }
  (void)GetObj(spec, "securityContext", Child(path, "securityContext"), e);
  (void)GetInt(spec, "terminationGracePeriodSeconds", Child(path, "terminationGracePeriodSeconds"), e);
}

void ValidatePodTemplate(const json::object& holder, const std::string& path, Errs& e) {
  const json::object* tmpl = GetObj(holder, "template", path, e);
  if (tmpl == nullptr) {
    if (Missing(holder, "template")) e.Required(path);
    return;
  }
  if (const json::object* meta = GetObj(*tmpl, "metadata", Child(path, "metadata"), e)) {
    ValidateLabels(*meta, "labels", Child(path, "labels"), e);
    ValidateAnnotations(*meta, "annotations", Child(path, "annotations"), e);
  }
  const json::object* spec = GetObj(*tmpl, "spec", Child(path, "spec"), e);
  static const json::object kEmpty;
  ValidatePodSpec(spec ? *spec : kEmpty, Child(path, "spec"), false, e);
}

const json::value* TemplateLabels(const json::object& spec) {
  const json::object* tmpl = ObjAt(spec, "template");
  const json::object* meta = tmpl ? ObjAt(*tmpl, "metadata") : nullptr;
  return meta ? meta->if_contains("labels") : nullptr;
}

std::string TemplateSpecStr(const json::object& spec, std::string_view field) {
  const json::object* tmpl = ObjAt(spec, "template");
  const json::object* ps = tmpl ? ObjAt(*tmpl, "spec") : nullptr;
  return ps ? StrAt(*ps, field) : "";
}
bool TemplateSpecHas(const json::object& spec, std::string_view field) {
  const json::object* tmpl = ObjAt(spec, "template");
  const json::object* ps = tmpl ? ObjAt(*tmpl, "spec") : nullptr;
  return ps && !Missing(*ps, field);
}

// selector required and non-empty, template labels matching it.
void ValidateSelectorAndTemplate(const json::object& spec, const std::string& kind_word, Errs& e) {
  const json::value* sel_v = spec.if_contains("selector");
  const json::object* sel = GetObj(spec, "selector", "spec.selector", e);
  if (sel_v == nullptr || sel_v->is_null()) {
    e.Required("spec.selector");
  } else if (sel != nullptr) {
    ValidateSelector(*sel, "spec.selector", e);
    const json::object* ml = ObjAt(*sel, "matchLabels");
    const json::array* me = ArrAt(*sel, "matchExpressions");
    if ((ml ? ml->size() : 0) + (me ? me->size() : 0) == 0) {
      e.Invalid("spec.selector", GoLabelSelector(sel_v), "empty selector is invalid for " + kind_word);
    }
  }
  Selector s = ParseSelector(sel_v);
  if (s.valid && !s.Empty() && !s.Matches(StringMap(TemplateLabels(spec)))) {
    e.Invalid("spec.template.metadata.labels", GoStringMap(TemplateLabels(spec)), "`selector` does not match template `labels`");
  }
}

void ValidateAlwaysRestart(const json::object& spec, const std::string& kind, Errs& e) {
  std::string restart = TemplateSpecStr(spec, "restartPolicy");
  if (restart != "Always") e.NotSupported("spec.template.spec.restartPolicy", api::GoQuote(restart), {"Always"});
  if (TemplateSpecHas(spec, "activeDeadlineSeconds")) {
    const json::object& ps = spec.at("template").as_object().at("spec").as_object();
    e.Invalid("spec.template.spec.activeDeadlineSeconds", Repr(ps.at("activeDeadlineSeconds")),
              "activeDeadlineSeconds in " + kind + " is not Supported");
  }
}

// intstr.IntOrString for maxSurge/maxUnavailable: non-negative integer or "N%".
std::optional<int64_t> ValidateIntOrPercent(const json::object& o, std::string_view k, const std::string& path, Errs& e,
                                            bool* is_percent) {
  const json::value* v = o.if_contains(k);
  *is_percent = false;
  if (v == nullptr || v->is_null()) return std::nullopt;
  if (auto i = IntOf(*v)) {
    e.Nonnegative(path, *i);
    return *i;
  }
  if (!v->is_string()) {
    e.Invalid(path, Repr(*v), "must be an integer or percentage (e.g '5%')");
    return std::nullopt;
  }
  std::string s(v->get_string());
  bool ok = s.size() >= 2 && s.back() == '%' &&
            std::all_of(s.begin(), s.end() - 1, [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
  if (!ok) {
    e.Invalid(path, s,
              "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', "
              "regex used for validation is '[0-9]+%')");
    return std::nullopt;
  }
  *is_percent = true;
  return std::stoll(s.substr(0, std::min<size_t>(s.size() - 1, 18)));
}

void NonnegativeInt(const json::object& spec, std::string_view k, const std::string& path, Errs& e) {
  if (auto v = GetInt(spec, k, path, e)) e.Nonnegative(path, *v);
}

void ValidateDeploymentSpec(const json::object& spec, Errs& e) {
  NonnegativeInt(spec, "replicas", "spec.replicas", e);
  ValidateSelectorAndTemplate(spec, "deployment", e);
  ValidatePodTemplate(spec, "spec.template", e);
  ValidateAlwaysRestart(spec, "ReplicaSet", e);
  if (const json::object* st = GetObj(spec, "strategy", "spec.strategy", e)) {
    std::string type = StrAt(*st, "type");
    if (type == "Recreate") {
      if (!Missing(*st, "rollingUpdate")) {
        e.Forbidden("spec.strategy.rollingUpdate", "may not be specified when strategy `type` is 'Recreate'");
      }
    } else if (type == "RollingUpdate") {
      const json::object* ru = GetObj(*st, "rollingUpdate", "spec.strategy.rollingUpdate", e);
      if (ru == nullptr) {
        e.Required("spec.strategy.rollingUpdate", "this should be defaulted and never be nil");
      } else {
        bool pu = false, ps = false;
        auto mu = ValidateIntOrPercent(*ru, "maxUnavailable", "spec.strategy.rollingUpdate.maxUnavailable", e, &pu);
        auto ms = ValidateIntOrPercent(*ru, "maxSurge", "spec.strategy.rollingUpdate.maxSurge", e, &ps);
        if (mu.value_or(0) == 0 && ms.value_or(0) == 0) {
          const json::value* v = ru->if_contains("maxUnavailable");
          e.Invalid("spec.strategy.rollingUpdate.maxUnavailable",
                    v && v->is_string() ? std::string(v->get_string()) : std::to_string(mu.value_or(0)),
                    "may not be 0 when `maxSurge` is 0");
        }
        if (pu && mu.value_or(0) > 100) {
          e.Invalid("spec.strategy.rollingUpdate.maxUnavailable", std::to_string(*mu) + "%", "must not be greater than 100%");
        }
      }
    } else {
      e.NotSupported("spec.strategy",
                     "apps.DeploymentStrategy{Type:" + api::GoQuote(type) + ", RollingUpdate:(*apps.RollingUpdateDeployment)" +
                         (Missing(*st, "rollingUpdate") ? "(nil)" : "(0xc000000000)") + "}",
                     {"Recreate", "RollingUpdate"});
    }
  }
  NonnegativeInt(spec, "minReadySeconds", "spec.minReadySeconds", e);
  NonnegativeInt(spec, "revisionHistoryLimit", "spec.revisionHistoryLimit", e);
  if (auto pds = GetInt(spec, "progressDeadlineSeconds", "spec.progressDeadlineSeconds", e)) {
    e.Nonnegative("spec.progressDeadlineSeconds", *pds);
    if (*pds <= Int(spec, "minReadySeconds").value_or(0)) {
      e.Invalid("spec.progressDeadlineSeconds", std::to_string(*pds), "must be greater than minReadySeconds");
    }
  }
}

void ValidateReplicaSetSpec(const json::object& spec, Errs& e) {
  NonnegativeInt(spec, "replicas", "spec.replicas", e);
  NonnegativeInt(spec, "minReadySeconds", "spec.minReadySeconds", e);
  ValidateSelectorAndTemplate(spec, "deployment", e);
  ValidatePodTemplate(spec, "spec.template", e);
  ValidateAlwaysRestart(spec, "ReplicaSet", e);
}

void ValidateStatefulSetSpec(const json::object& spec, Errs& e) {
  std::string pmp = GetStr(spec, "podManagementPolicy", "spec.podManagementPolicy", e).value_or("");
  if (pmp.empty()) {
    e.Required("spec.podManagementPolicy");
  } else if (pmp != "OrderedReady" && pmp != "Parallel") {
    e.Invalid("spec.podManagementPolicy", api::GoQuote(pmp), "must be 'OrderedReady' or 'Parallel'");
  }
  const json::object* us = GetObj(spec, "updateStrategy", "spec.updateStrategy", e);
  std::string type = us ? StrAt(*us, "type") : "";
  if (type.empty()) {
    e.Required("spec.updateStrategy");
  } else if (type == "OnDelete") {
    if (!Missing(*us, "rollingUpdate")) {
      e.Invalid("spec.updateStrategy.rollingUpdate", Repr(us->at("rollingUpdate")), "only allowed for updateStrategy 'RollingUpdate'");
    }
  } else if (type == "RollingUpdate") {
    if (const json::object* ru = GetObj(*us, "rollingUpdate", "spec.updateStrategy.rollingUpdate", e)) {
      NonnegativeInt(*ru, "partition", "spec.updateStrategy.rollingUpdate.partition", e);
    }
  } else {
    e.Invalid("spec.updateStrategy", api::GoQuote(type), "must be 'RollingUpdate' or 'OnDelete'");
  }
  if (const json::object* p = GetObj(spec, "persistentVolumeClaimRetentionPolicy", "spec.persistentVolumeClaimRetentionPolicy", e)) {
    for (const char* f : {"whenDeleted", "whenScaled"}) {
      std::string v = StrAt(*p, f);
      if (v != "Retain" && v != "Delete") {
        e.NotSupported(Child("spec.persistentVolumeClaimRetentionPolicy", f), api::GoQuote(v), {"Retain", "Delete"});
      }
    }
  }
  NonnegativeInt(spec, "replicas", "spec.replicas", e);
  NonnegativeInt(spec, "minReadySeconds", "spec.minReadySeconds", e);
  ValidateSelectorAndTemplate(spec, "statefulset", e);
  ValidatePodTemplate(spec, "spec.template", e);
  ValidateAlwaysRestart(spec, "StatefulSet", e);
}

void ValidateDaemonSetSpec(const json::object& spec, Errs& e) {
  ValidateSelectorAndTemplate(spec, "daemonset", e);
  ValidatePodTemplate(spec, "spec.template", e);
  ValidateAlwaysRestart(spec, "DaemonSet", e);
  NonnegativeInt(spec, "minReadySeconds", "spec.minReadySeconds", e);
  NonnegativeInt(spec, "revisionHistoryLimit", "spec.revisionHistoryLimit", e);
  const json::object* us = GetObj(spec, "updateStrategy", "spec.updateStrategy", e);
  if (us == nullptr) return;
  std::string type = StrAt(*us, "type");
  if (type == "OnDelete") return;
  if (type != "RollingUpdate") {
    e.NotSupported("spec.updateStrategy",
                   "apps.DaemonSetUpdateStrategy{Type:" + api::GoQuote(type) + ", RollingUpdate:(*apps.RollingUpdateDaemonSet)" +
                       (Missing(*us, "rollingUpdate") ? "(nil)" : "(0xc000000000)") + "}",
                   {"RollingUpdate", "OnDelete"});
    return;
  }
  const json::object* ru = GetObj(*us, "rollingUpdate", "spec.updateStrategy.rollingUpdate", e);
  if (ru == nullptr) {
    e.Required("spec.updateStrategy.rollingUpdate");
    return;
  }
  bool pu = false, ps = false;
  auto mu = ValidateIntOrPercent(*ru, "maxUnavailable", "spec.updateStrategy.rollingUpdate.maxUnavailable", e, &pu);
  auto ms = ValidateIntOrPercent(*ru, "maxSurge", "spec.updateStrategy.rollingUpdate.maxSurge", e, &ps);
  if (pu && mu.value_or(0) > 100) {
    e.Invalid("spec.updateStrategy.rollingUpdate.maxUnavailable", std::to_string(*mu) + "%", "must not be greater than 100%");
  }
  if (ps && ms.value_or(0) > 100) {
    e.Invalid("spec.updateStrategy.rollingUpdate.maxSurge", std::to_string(*ms) + "%", "must not be greater than 100%");
  }
  bool has_unavailable = mu.value_or(0) != 0, has_surge = ms.value_or(0) != 0;
  if (has_unavailable && has_surge) {
    e.Invalid("spec.updateStrategy.rollingUpdate.maxSurge", ps ? std::to_string(*ms) + "%" : std::to_string(*ms),
              "may not be set when maxUnavailable is non-zero");
  } else if (!has_unavailable && !has_surge) {
    e.Required("spec.updateStrategy.rollingUpdate.maxUnavailable", "cannot be 0 when maxSurge is 0");
  }
}

// Job spec at path ("spec" for a Job, "spec.jobTemplate.spec" for a CronJob).
void ValidateJobSpec(const json::object& spec, const std::string& path, Errs& e) {
  for (const char* f : {"parallelism", "completions", "activeDeadlineSeconds", "backoffLimit", "ttlSecondsAfterFinished"}) {
    NonnegativeInt(spec, f, Child(path, f), e);
  }
  if (auto mode = GetStr(spec, "completionMode", Child(path, "completionMode"), e)) {
    if (*mode != "NonIndexed" && *mode != "Indexed") {
      e.NotSupported(Child(path, "completionMode"), api::GoQuote(*mode), {"NonIndexed", "Indexed"});
    } else if (*mode == "Indexed" && Missing(spec, "completions")) {
      e.Required(Child(path, "completions"), "when completion mode is Indexed");
    }
  }
  if (auto prp = GetStr(spec, "podReplacementPolicy", Child(path, "podReplacementPolicy"), e)) {
    if (*prp != "TerminatingOrFailed" && *prp != "Failed") {
      e.NotSupported(Child(path, "podReplacementPolicy"), api::GoQuote(*prp), {"TerminatingOrFailed", "Failed"});
    }
  }
  ValidatePodTemplate(spec, Child(path, "template"), e);
  std::string restart = TemplateSpecStr(spec, "restartPolicy");
  if (restart != "OnFailure" && restart != "Never") {
    e.NotSupported(Child(path, "template.spec.restartPolicy"), api::GoQuote(restart), {"OnFailure", "Never"});
  }
}

void ValidateJob(const json::object& job, const json::object& spec, Errs& e) {
  const json::value* sel_v = spec.if_contains("selector");
  if (sel_v == nullptr || sel_v->is_null()) {
    e.Required("spec.selector");
  } else if (const json::object* sel = GetObj(spec, "selector", "spec.selector", e)) {
    ValidateSelector(*sel, "spec.selector", e);
  }
  Selector s = ParseSelector(sel_v);
  if (s.valid && !s.nothing && !s.Matches(StringMap(TemplateLabels(spec)))) {
    e.Invalid("spec.template.metadata.labels", GoStringMap(TemplateLabels(spec)), "`selector` does not match template `labels`");
  }
  // Generated selectors must be exactly the job's uid, and its pods must carry the job's labels.
  auto* manual = spec.if_contains("manualSelector");
  bool is_manual = manual && manual->is_bool() && manual->get_bool();
  if (!is_manual && sel_v != nullptr && !sel_v->is_null() && TemplateLabels(spec) != nullptr) {
    std::string uid = api::MetaString(job, "uid"), name = api::MetaString(job, "name");
    if (uid.empty()) e.Required("metadata.uid");
    auto labels = StringMap(TemplateLabels(spec));
    for (auto [k, want] : {std::pair<const char*, std::string>{kLegacyControllerUidLabel, uid}, {kLegacyJobNameLabel, name},
                           {kControllerUidLabel, uid}, {kJobNameLabel, name}}) {
      auto it = labels.find(k);
      std::string at = std::string("spec.template.metadata.labels[") + k + "]";
      if (it == labels.end()) {
        e.Required(at, "must be '" + want + "'");
      } else if (it->second != want) {
        e.Invalid(at, GoStringMap(TemplateLabels(spec)), "must be '" + want + "'");
      }
    }
    bool generated = s.valid && s.exprs.empty() && s.match_labels.size() == 1 &&
                     s.match_labels.count(kControllerUidLabel) && s.match_labels.at(kControllerUidLabel) == uid;
    if (!generated) e.Invalid("spec.selector", GoLabelSelector(sel_v), "`selector` not auto-generated");
  }
  ValidateJobSpec(spec, "spec", e);
}

// ---------------------------------------------------------------------------------------------
// Cron schedules (the syntax of github.com/robfig/cron/v3's standard parser) and time zones.

std::string GoAtoi(const std::string& s, int64_t* out) {
  std::string_view d = s;
  bool neg = false;
  if (!d.empty() && (d[0] == '+' || d[0] == '-')) {
    neg = d[0] == '-';
    d.remove_prefix(1);
  }
  if (d.empty() || !std::all_of(d.begin(), d.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
    return "strconv.Atoi: parsing " + api::GoQuote(s) + ": invalid syntax";
  }
  int64_t v = 0;
  for (char c : d) {
    if (v > (INT64_MAX - (c - '0')) / 10) return "strconv.Atoi: parsing " + api::GoQuote(s) + ": value out of range";
    v = v * 10 + (c - '0');
  }
  *out = neg ? -v : v;
  return "";
}

std::string ParseCronInt(const std::string& expr, int64_t* out) {
  auto err = GoAtoi(expr, out);
  if (!err.empty()) return "failed to parse int from " + expr + ": " + err;
  if (*out < 0) return "negative number (" + std::to_string(*out) + ") not allowed: " + expr;
  return "";
}

struct CronBounds {
  int64_t min, max;
  std::vector<std::string> names;  // names[i] means min+i... only months and days of week have names
  int64_t name_base;
};

std::string CronRange(const std::string& expr, const CronBounds& b) {
  auto split = [](const std::string& s, char sep) {
    std::vector<std::string> parts;
    size_t start = 0;
    while (true) {
      size_t p = s.find(sep, start);
      parts.push_back(s.substr(start, p == std::string::npos ? std::string::npos : p - start));
      if (p == std::string::npos) break;
      start = p + 1;
    }
    return parts;
  };
  auto range_and_step = split(expr, '/');
  auto low_high = split(range_and_step[0], '-');
  bool single = low_high.size() == 1;
  int64_t start = 0, end = 0, step = 1;
  auto parse_name_or_int = [&](const std::string& s, int64_t* v) -> std::string {
    std::string lower(s);
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    for (size_t i = 0; i < b.names.size(); ++i) {
      if (b.names[i] == lower) {
        *v = b.name_base + static_cast<int64_t>(i);
        return "";
      }
    }
    return ParseCronInt(s, v);
  };
  if (low_high[0] == "*" || low_high[0] == "?") {
    start = b.min;
    end = b.max;
  } else {
    if (auto err = parse_name_or_int(low_high[0], &start); !err.empty()) return err;
    if (low_high.size() == 1) {
      end = start;
    } else if (low_high.size() == 2) {
      if (auto err = parse_name_or_int(low_high[1], &end); !err.empty()) return err;
    } else {
      return "too many hyphens: " + expr;
    }
  }
  if (range_and_step.size() == 2) {
    if (auto err = ParseCronInt(range_and_step[1], &step); !err.empty()) return err;
    if (single) end = b.max;
  } else if (range_and_step.size() > 2) {
    return "too many slashes: " + expr;
  }
  if (start < b.min) return "beginning of range (" + std::to_string(start) + ") below minimum (" + std::to_string(b.min) + "): " + expr;
  if (end > b.max) return "end of range (" + std::to_string(end) + ") above maximum (" + std::to_string(b.max) + "): " + expr;
  if (start > end) return "beginning of range (" + std::to_string(start) + ") beyond end of range (" + std::to_string(end) + "): " + expr;
  if (step == 0) return "step of range should be a positive number: " + expr;
  return "";
}

std::string ParseGoDuration(const std::string& s) {
  // time.ParseDuration: [-+]?([0-9]*(\.[0-9]*)?[a-z]+)+ or "0".
  const std::string quoted = api::GoQuote(s);
  std::string_view d = s;
  if (!d.empty() && (d[0] == '-' || d[0] == '+')) d.remove_prefix(1);
  if (d == "0") return "";
  if (d.empty()) return "time: invalid duration " + quoted;
  static const std::set<std::string> kUnits = {"ns", "us", "\xc2\xb5s", "\xce\xbcs", "ms", "s", "m", "h"};
  while (!d.empty()) {
    size_t i = 0;
    bool digits = false;
    while (i < d.size() && std::isdigit(static_cast<unsigned char>(d[i]))) { ++i; digits = true; }
    if (i < d.size() && d[i] == '.') {
      ++i;
      while (i < d.size() && std::isdigit(static_cast<unsigned char>(d[i]))) { ++i; digits = true; }
    }
    if (!digits) return "time: invalid duration " + quoted;
    size_t u = i;
    while (u < d.size() && d[u] != '.' && !std::isdigit(static_cast<unsigned char>(d[u]))) ++u;
    if (u == i) return "time: missing unit in duration " + quoted;
    std::string unit(d.substr(i, u - i));
    if (!kUnits.count(unit)) return "time: unknown unit " + api::GoQuote(unit) + " in duration " + quoted;
    d.remove_prefix(u);
  }
  return "";
}

bool ZoneinfoAvailable() {
  struct stat st{};
  return stat("/usr/share/zoneinfo", &st) == 0 && S_ISDIR(st.st_mode);
}

// "" when the zone is known (or cannot be checked here), else Go's time.LoadLocation message.
std::string LoadLocationError(const std::string& tz) {
  if (tz.empty() || tz == "UTC" || tz == "Local" || !ZoneinfoAvailable()) return "";
  if (tz.find("..") != std::string::npos || tz.front() == '/') return "unknown time zone " + tz;
  struct stat st{};
  if (stat(("/usr/share/zoneinfo/" + tz).c_str(), &st) == 0 && S_ISREG(st.st_mode)) return "";
  return "unknown time zone " + tz;
}

void ValidateTimeZone(const json::object& spec, const std::string& path, Errs& e) {
  auto tz = GetStr(spec, "timeZone", path, e);
  if (!tz) return;
  if (tz->empty()) {
    e.Invalid(path, api::GoQuote(*tz), "timeZone must be nil or non-empty string");
    return;
  }
  size_t start = 0;
  while (true) {
    size_t slash = tz->find('/', start);
    std::string part = tz->substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    bool chars_ok = !part.empty() && part.size() <= 14 && std::all_of(part.begin(), part.end(), [](char c) {
      return IsAlnum(c) || c == '.' || c == '-' || c == '_' || c == '+';
    });
    if (part == "." || part == ".." || (!part.empty() && part[0] == '-') || !chars_ok) {
      e.Invalid(path, api::GoQuote(*tz), "unknown time zone " + *tz);
      return;
    }
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  std::string lower(*tz);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  if (lower == "local") {
    e.Invalid(path, api::GoQuote(*tz), "timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones");
  }
  if (auto err = LoadLocationError(*tz); !err.empty()) e.Invalid(path, api::GoQuote(*tz), err);
}

void ValidateCronJobSpec(const json::object& spec, const json::object* old_spec, Errs& e) {
  std::string schedule = GetStr(spec, "schedule", "spec.schedule", e).value_or("");
  if (schedule.empty()) {
    e.Required("spec.schedule");
  } else {
    if (auto err = ValidateCronSchedule(schedule); !err.empty()) e.Invalid("spec.schedule", api::GoQuote(schedule), err);
    bool allow_tz = old_spec != nullptr && StrAt(*old_spec, "schedule").find("TZ") != std::string::npos;
    bool has_tz = schedule.find("TZ") != std::string::npos;
    if (allow_tz && has_tz && !Missing(spec, "timeZone")) {
      e.Invalid("spec.schedule", api::GoQuote(schedule), "cannot use both timeZone field and TZ or CRON_TZ in schedule");
    } else if (!allow_tz && has_tz) {
      e.Invalid("spec.schedule", api::GoQuote(schedule), "cannot use TZ or CRON_TZ in schedule, use timeZone field instead");
    }
  }
  NonnegativeInt(spec, "startingDeadlineSeconds", "spec.startingDeadlineSeconds", e);
  auto tz_of = [](const json::object* s) -> std::optional<std::string> {
    if (s == nullptr || Missing(*s, "timeZone")) return std::nullopt;
    return StrAt(*s, "timeZone");
  };
  if (old_spec == nullptr || tz_of(old_spec) != tz_of(&spec)) ValidateTimeZone(spec, "spec.timeZone", e);
  std::string cp = GetStr(spec, "concurrencyPolicy", "spec.concurrencyPolicy", e).value_or("");
  if (cp.empty()) {
    e.Required("spec.concurrencyPolicy");
  } else if (cp != "Allow" && cp != "Forbid" && cp != "Replace") {
    e.NotSupported("spec.concurrencyPolicy", api::GoQuote(cp), {"Allow", "Forbid", "Replace"});
  }
  const json::object* jt = GetObj(spec, "jobTemplate", "spec.jobTemplate", e);
  const json::object* js = jt ? GetObj(*jt, "spec", "spec.jobTemplate.spec", e) : nullptr;
  static const json::object kEmpty;
  if (jt != nullptr) {
    if (const json::object* meta = GetObj(*jt, "metadata", "spec.jobTemplate.metadata", e)) {
      ValidateLabels(*meta, "labels", "spec.jobTemplate.metadata.labels", e);
      ValidateAnnotations(*meta, "annotations", "spec.jobTemplate.metadata.annotations", e);
    }
  }
  ValidateJobSpec(js ? *js : kEmpty, "spec.jobTemplate.spec", e);
  NonnegativeInt(spec, "successfulJobsHistoryLimit", "spec.successfulJobsHistoryLimit", e);
  NonnegativeInt(spec, "failedJobsHistoryLimit", "spec.failedJobsHistoryLimit", e);
}

// ---------------------------------------------------------------------------------------------
// PersistentVolumeClaims.

void ValidatePvcSpec(const json::object& spec, const std::string& path, Errs& e) {
  const json::array* modes = GetArr(spec, "accessModes", Child(path, "accessModes"), e);
  if (modes == nullptr || modes->empty()) {
    e.Required(Child(path, "accessModes"), "at least 1 access mode is required");
  } else {
    for (const auto& m : *modes) {
      std::string mode = m.is_string() ? std::string(m.get_string()) : "";
      if (mode != "ReadOnlyMany" && mode != "ReadWriteMany" && mode != "ReadWriteOnce" && mode != "ReadWriteOncePod") {
        e.NotSupported(Child(path, "accessModes"), m.is_string() ? api::GoQuote(mode) : Repr(m),
                       {"ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"});
      }
    }
  }
  const json::object* res = GetObj(spec, "resources", Child(path, "resources"), e);
  const json::object* req = res ? GetObj(*res, "requests", Child(path, "resources.requests"), e) : nullptr;
  const json::value* storage = req ? req->if_contains("storage") : nullptr;
  const std::string at = Key(Child(path, "resources"), "storage");
  if (storage == nullptr) {
    e.Required(at);
  } else if (auto q = Quantity::FromJson(*storage); !q.ok()) {
    e.Invalid(at, Repr(*storage), q.error().message);
  } else if (q->Sign() <= 0) {
    e.Invalid(at, api::GoQuote(q->String()), "must be greater than zero");
  }
  if (auto vm = GetStr(spec, "volumeMode", Child(path, "volumeMode"), e)) {
    if (*vm != "Block" && *vm != "Filesystem") e.NotSupported(Child(path, "volumeMode"), api::GoQuote(*vm), {"Block", "Filesystem"});
  }
}

// ---------------------------------------------------------------------------------------------
// Update rules.

const json::value kNull;

const json::value& At(const json::object* o, std::string_view k) {
  if (o == nullptr) return kNull;
  auto* v = o->if_contains(k);
  return v ? *v : kNull;
}

// Equality that treats a missing field like null.
bool SameJson(const json::value& a, const json::value& b) {
  if (a.is_object() && b.is_object()) {
    const auto& ao = a.get_object();
    const auto& bo = b.get_object();
    for (const auto& [k, v] : ao) {
      if (!SameJson(v, At(&bo, k))) return false;
    }
    for (const auto& [k, v] : bo) {
      if (!ao.contains(k) && !v.is_null()) return false;
    }
    return true;
  }
  return a == b;
}

void Immutable(const json::value& now, const json::value& before, const std::string& path, const std::string& repr, Errs& e) {
  if (!SameJson(now, before)) e.Invalid(path, repr, "field is immutable");
}

void ValidatePodUpdate(const json::object& pod, const json::object& old, Errs& e) {
  const json::object* spec = ObjAt(pod, "spec");
  const json::object* old_spec = ObjAt(old, "spec");
  if (spec == nullptr || old_spec == nullptr) return;
  // activeDeadlineSeconds may only shrink, and not be removed.
  auto ads = Int(*spec, "activeDeadlineSeconds");
  auto old_ads = Int(*old_spec, "activeDeadlineSeconds");
  if (ads) {
    if (*ads < 0 || *ads > INT32_MAX) {
      e.Invalid("spec.activeDeadlineSeconds", std::to_string(*ads), "must be between 0 and 2147483647, inclusive");
      return;
    }
    if (old_ads && *old_ads < *ads) {
      e.Invalid("spec.activeDeadlineSeconds", std::to_string(*ads), "must be less than or equal to previous value");
      return;
    }
  } else if (old_ads) {
    e.Invalid("spec.activeDeadlineSeconds", "\"null\"", "must not update from a positive integer to nil value");
  }
  // Tolerations: existing ones stay (their tolerationSeconds may change); new ones may be added.
  auto strip_seconds = [](const json::value& t) {
    json::value c = t;
    if (auto* o = c.if_object()) o->erase("tolerationSeconds");
    return c;
  };
  if (const json::array* old_tols = ArrAt(*old_spec, "tolerations")) {
    const json::array* tols = ArrAt(*spec, "tolerations");
    for (const auto& ot : *old_tols) {
      bool found = false;
      for (size_t i = 0; tols && i < tols->size() && !found; ++i) found = SameJson(strip_seconds(ot), strip_seconds((*tols)[i]));
      if (!found) {
        e.Forbidden("spec.tolerations", "existing toleration can not be modified except its tolerationSeconds");
        break;
      }
    }
  }
  // Scheduling gates may only be removed.
  std::set<std::string> old_gates;
  if (const json::array* g = ArrAt(*old_spec, "schedulingGates")) {
    for (const auto& x : *g) {
      if (const json::object* xo = x.if_object()) old_gates.insert(StrAt(*xo, "name"));
    }
  }
  bool gates_ok = true;
  if (const json::array* g = ArrAt(*spec, "schedulingGates")) {
    for (const auto& x : *g) {
      const json::object* xo = x.if_object();
      std::string n = xo ? StrAt(*xo, "name") : "";
      if (!old_gates.count(n)) {
        e.Forbidden("spec.schedulingGates", "only deletion is allowed, but found new scheduling gate '" + n + "'");
        gates_ok = false;
      }
    }
  }
  // Everything else is fixed: compare the specs with the mutable fields taken from the old one.
  json::object munged = *spec;
  for (const char* list : {"containers", "initContainers"}) {
    json::array* cs = ArrAt(munged, list);
    const json::array* ocs = ArrAt(*old_spec, list);
    if (cs == nullptr || ocs == nullptr || cs->size() != ocs->size()) continue;
    for (size_t i = 0; i < cs->size(); ++i) {
      json::object* c = (*cs)[i].if_object();
      const json::object* oc = (*ocs)[i].if_object();
      if (c == nullptr || oc == nullptr) continue;
      const std::string image = StrAt(*c, "image");
      if (!image.empty()) {
        if (oc->contains("image")) {
          (*c)["image"] = oc->at("image");
        } else {
          c->erase("image");
        }
      }
    }
  }
  for (const char* f : {"activeDeadlineSeconds", "tolerations", "ephemeralContainers"}) {
    if (old_spec->contains(f)) {
      munged[f] = old_spec->at(f);
    } else {
      munged.erase(f);
    }
  }
  if (gates_ok) {
    if (old_spec->contains("schedulingGates")) {
      munged["schedulingGates"] = old_spec->at("schedulingGates");
    } else {
      munged.erase("schedulingGates");
    }
  }
  auto tgps = Int(*spec, "terminationGracePeriodSeconds");
  auto old_tgps = Int(*old_spec, "terminationGracePeriodSeconds");
  if (tgps && old_tgps && *old_tgps < 0 && *tgps == 1) munged["terminationGracePeriodSeconds"] = *old_tgps;
  if (!SameJson(munged, *old_spec)) {
    std::vector<std::string> changed;
    for (const auto& [k, v] : munged) {
      if (!SameJson(v, At(old_spec, k))) changed.push_back(std::string(k));
    }
    for (const auto& [k, v] : *old_spec) {
      if (!munged.contains(k) && !v.is_null()) changed.push_back(std::string(k));
    }
    std::string detail =
        "pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,"
        "`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),"
        "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)";
    std::string fields;
    for (const auto& c : changed) fields += (fields.empty() ? "" : ", ") + ("spec." + c);
    if (!fields.empty()) detail += "\n  changed: " + fields;
    e.Forbidden("spec", detail);
  }
}

void ValidateSelectorImmutable(const json::object& spec, const json::object& old_spec, Errs& e) {
  Immutable(At(&spec, "selector"), At(&old_spec, "selector"), "spec.selector", GoLabelSelector(spec.if_contains("selector")), e);
}

void ValidateStatefulSetUpdate(const json::object& spec, const json::object& old_spec, Errs& e) {
  json::object a = spec, b = old_spec;
  for (const char* f : {"replicas", "ordinals", "template", "updateStrategy", "revisionHistoryLimit",
                        "persistentVolumeClaimRetentionPolicy", "minReadySeconds"}) {
    a.erase(f);
    b.erase(f);
  }
  if (!SameJson(a, b)) {
    e.Forbidden("spec",
                "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', "
                "'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and "
                "'minReadySeconds' are forbidden");
  }
}

void ValidateJobUpdate(const json::object& job, const json::object& spec, const json::object& old, const json::object& old_spec, Errs& e) {
  ValidateSelectorImmutable(spec, old_spec, e);
  // The pod template is fixed, except scheduling directives of a suspended job that never started.
  json::value tmpl = At(&spec, "template"), old_tmpl = At(&old_spec, "template");
  auto* suspend = spec.if_contains("suspend");
  const json::object* old_status = ObjAt(old, "status");
  bool never_started = old_status == nullptr || Missing(*old_status, "startTime");
  if (suspend && suspend->is_bool() && suspend->get_bool() && never_started && tmpl.is_object() && old_tmpl.is_object()) {
    json::object& ot = old_tmpl.get_object();
    const json::object& nt = tmpl.get_object();
    for (const char* f : {"nodeSelector", "tolerations", "affinity", "schedulingGates"}) {
      json::object* ots = ObjAt(ot, "spec");
      const json::object* nts = ObjAt(nt, "spec");
      if (ots == nullptr || nts == nullptr) continue;
      if (nts->contains(f)) {
        (*ots)[f] = nts->at(f);
      } else {
        ots->erase(f);
      }
    }
    json::object* om = EnsureObj(ot, "metadata");
    const json::object* nm = ObjAt(nt, "metadata");
    for (const char* f : {"labels", "annotations"}) {
      if (om == nullptr) break;
      if (nm && nm->contains(f)) {
        (*om)[f] = nm->at(f);
      } else {
        om->erase(f);
      }
    }
  }
  Immutable(tmpl, old_tmpl, "spec.template", "core.PodTemplateSpec" + json::serialize(At(&spec, "template")), e);
  Immutable(At(&spec, "completionMode"), At(&old_spec, "completionMode"), "spec.completionMode", Repr(At(&spec, "completionMode")), e);
  Immutable(At(&spec, "podFailurePolicy"), At(&old_spec, "podFailurePolicy"), "spec.podFailurePolicy", json::serialize(At(&spec, "podFailurePolicy")), e);
  Immutable(At(&spec, "backoffLimitPerIndex"), At(&old_spec, "backoffLimitPerIndex"), "spec.backoffLimitPerIndex", Repr(At(&spec, "backoffLimitPerIndex")), e);
  // Completions: fixed, except for Indexed jobs that change it together with parallelism.
  const json::value& c = At(&spec, "completions");
  if (!SameJson(c, At(&old_spec, "completions"))) {
    bool indexed = StrAt(spec, "completionMode") == "Indexed";
    if (!indexed) {
      e.Invalid("spec.completions", Repr(c), "field is immutable");
    } else if (!c.is_null() && IntOf(c) != Int(spec, "parallelism")) {
      e.Invalid("spec.completions", Repr(c), "can only be modified in tandem with spec.parallelism");
    }
  }
  (void)job;
}

void ValidatePvcUpdate(const json::object& pvc, const json::object& old, Errs& e) {
  json::object spec = ObjAt(pvc, "spec") ? *ObjAt(pvc, "spec") : json::object();
  json::object old_spec = ObjAt(old, "spec") ? *ObjAt(old, "spec") : json::object();
  if (StrAt(old_spec, "volumeName").empty()) {
    if (spec.contains("volumeName")) {
      old_spec["volumeName"] = spec["volumeName"];
    } else {
      old_spec.erase("volumeName");
    }
  }
  const json::object* status = ObjAt(old, "status");
  bool bound = status != nullptr && StrAt(*status, "phase") == "Bound";
  auto storage_of = [](const json::object& s) -> std::optional<Quantity> {
    const json::object* res = ObjAt(s, "resources");
    const json::object* req = res ? ObjAt(*res, "requests") : nullptr;
    const json::value* v = req ? req->if_contains("storage") : nullptr;
    if (v == nullptr) return std::nullopt;
    auto q = Quantity::FromJson(*v);
    if (!q.ok()) return std::nullopt;
    return *q;
  };
  auto new_size = storage_of(spec), old_size = storage_of(old_spec);
  if (bound) {
    json::object* res = ObjAt(spec, "resources");
    json::object* req = res ? ObjAt(*res, "requests") : nullptr;
    const json::object* ores = ObjAt(old_spec, "resources");
    const json::object* oreq = ores ? ObjAt(*ores, "requests") : nullptr;
    if (req != nullptr && oreq != nullptr && oreq->contains("storage")) (*req)["storage"] = oreq->at("storage");
  }
  if (!SameJson(spec, old_spec)) {
    e.Forbidden("spec", "spec is immutable after creation except resources.requests for bound claims");
  }
  if (new_size && old_size && *new_size < *old_size) {
    e.Forbidden("spec.resources.requests.storage", "field can not be less than previous value");
  }
}

// ---------------------------------------------------------------------------------------------
// admissionregistration, apiregistration, flowcontrol and node: stored, lightly defaulted and
// validated (k1s calls no webhooks, evaluates no admission policies and has no priority and
// fairness yet; these objects are accepted so tools that manage them work).

void DefaultMatchResources(json::object& m) {
  DefaultStr(m, "matchPolicy", "Equivalent");
  SetIfMissing(m, "namespaceSelector", json::object());
  SetIfMissing(m, "objectSelector", json::object());
  for (const char* rules : {"resourceRules", "excludeResourceRules"})
    ForEachObj(m, rules, [](json::object& rule) { DefaultStr(rule, "scope", "*"); });
}

void DefaultWebhooks(json::object& obj, bool mutating) {
  ForEachObj(obj, "webhooks", [mutating](json::object& w) {
    DefaultStr(w, "failurePolicy", "Fail");
    DefaultStr(w, "matchPolicy", "Equivalent");
    SetIfMissing(w, "namespaceSelector", json::object());
    SetIfMissing(w, "objectSelector", json::object());
    SetIfMissing(w, "timeoutSeconds", 10);
    if (mutating) DefaultStr(w, "reinvocationPolicy", "Never");
    ForEachObj(w, "rules", [](json::object& rule) { DefaultStr(rule, "scope", "*"); });
    if (json::object* cc = ObjAt(w, "clientConfig")) {
      if (json::object* svc = ObjAt(*cc, "service")) SetIfMissing(*svc, "port", 443);
    }
  });
}

// autoscaling/v2 HorizontalPodAutoscaler (also what autoscaling/v1 writes, stored as v2): minReplicas 1,
// 80% average CPU utilization when no metric is given, and upstream's scaling rules for the parts of
// a behavior that are left out.
void DefaultScalingRules(json::object& behavior, const char* which, bool up) {
  if (Missing(behavior, which)) behavior[which] = json::object();
  json::object* rules = ObjAt(behavior, which);
  if (rules == nullptr) return;
  if (up) {
    SetIfMissing(*rules, "stabilizationWindowSeconds", 0);
  } else {
    SetIfMissing(*rules, "stabilizationWindowSeconds", 300);
  }
  DefaultStr(*rules, "selectPolicy", "Max");
  if (Missing(*rules, "policies")) {
    json::array policies;
    if (up) {
      policies.push_back(json::object{{"type", "Pods"}, {"value", 4}, {"periodSeconds", 15}});
    }
    policies.push_back(json::object{{"type", "Percent"}, {"value", 100}, {"periodSeconds", 15}});
    (*rules)["policies"] = std::move(policies);
  }
}

void DefaultHorizontalPodAutoscaler(json::object& spec) {
  SetIfMissing(spec, "minReplicas", 1);
  const json::array* metrics = ArrAt(spec, "metrics");
  if (Missing(spec, "metrics") || (metrics && metrics->empty())) {
    spec["metrics"] = json::array{json::object{
        {"type", "Resource"},
        {"resource", json::object{{"name", "cpu"},
                                  {"target", json::object{{"type", "Utilization"}, {"averageUtilization", 80}}}}}}};
  }
  if (json::object* behavior = ObjAt(spec, "behavior")) {
    DefaultScalingRules(*behavior, "scaleUp", true);
    DefaultScalingRules(*behavior, "scaleDown", false);
  }
}

void DefaultPriorityLevel(json::object& spec) {
  json::object* limited = ObjAt(spec, "limited");
  if (limited == nullptr) return;
  SetIfMissing(*limited, "nominalConcurrencyShares", 30);
  SetIfMissing(*limited, "lendablePercent", 0);
  json::object* response = ObjAt(*limited, "limitResponse");
  if (response == nullptr || StrAt(*response, "type") != "Queue") return;
  if (json::object* q = EnsureObj(*response, "queuing")) {
    SetIfMissing(*q, "queues", 64);
    SetIfMissing(*q, "handSize", 8);
    SetIfMissing(*q, "queueLengthLimit", 50);
  }
}

void ValidateWebhooks(const json::object& obj, Errs& e) {
  const json::array* hooks = ArrAt(obj, "webhooks");
  if (hooks == nullptr) return;
  std::set<std::string> names;
  for (size_t i = 0; i < hooks->size(); ++i) {
    const json::object* w = (*hooks)[i].if_object();
    if (w == nullptr) continue;
    std::string path = Index("webhooks", i);
    std::string name = StrAt(*w, "name");
    if (name.empty()) {
      e.Required(Child(path, "name"));
    } else if (!names.insert(name).second) {
      e.Duplicate(Child(path, "name"), api::GoQuote(name));
    }
    const json::array* versions = ArrAt(*w, "admissionReviewVersions");
    if (versions == nullptr || versions->empty()) {
      e.Required(Child(path, "admissionReviewVersions"),
                 "must specify one of \"v1\", \"v1beta1\"");
    }
    std::string side = StrAt(*w, "sideEffects");
    if (side.empty()) {
      e.Required(Child(path, "sideEffects"), "must specify one of None, NoneOnDryRun");
    } else if (side != "None" && side != "NoneOnDryRun") {
      e.NotSupported(Child(path, "sideEffects"), api::GoQuote(side), {"None", "NoneOnDryRun"});
    }
    const json::object* cc = ObjAt(*w, "clientConfig");
    bool url = cc && !StrAt(*cc, "url").empty(), service = cc && ObjAt(*cc, "service");
    if (url == service) e.Required(Child(path, "clientConfig"), "exactly one of url or service is required");
  }
}

// The bytes a ConfigMap's or Secret's data map holds: string values as they are, base64 values decoded.
int64_t DataBytes(const json::object& obj, std::string_view k, bool base64) {
  int64_t total = 0;
  const json::object* data = ObjAt(obj, k);
  if (data == nullptr) return 0;
  for (const auto& [key, val] : *data) {
    if (!val.is_string()) continue;
    std::string decoded;
    total += static_cast<int64_t>(base64 && Base64Decode(val.get_string(), &decoded) ? decoded.size()
                                                                                 : val.get_string().size());
  }
  return total;
}

// ConfigMaps (data + binaryData) and Secrets (data) hold at most 1 MiB, as upstream's MaxSecretSize.
constexpr int64_t kMaxDataBytes = 1024 * 1024;

void ValidateNewKinds(const ResourceInfo& r, const json::object& obj, Errs& e) {
  const json::object* spec = ObjAt(obj, "spec");
  static const json::object kEmpty;
  const json::object& sp = spec ? *spec : kEmpty;
  if (Is(r, "", "ConfigMap")) {
    // Upstream reports this on the whole object, whose field path prints as "[]".
    if (DataBytes(obj, "data", false) + DataBytes(obj, "binaryData", true) > kMaxDataBytes) e.TooLong("[]", kMaxDataBytes);
  } else if (Is(r, "", "Secret")) {
    if (DataBytes(obj, "data", true) > kMaxDataBytes) e.TooLong("data", kMaxDataBytes);
  } else if (Is(r, "admissionregistration.k8s.io", "ValidatingWebhookConfiguration") ||
      Is(r, "admissionregistration.k8s.io", "MutatingWebhookConfiguration")) {
    ValidateWebhooks(obj, e);
  } else if (Is(r, "admissionregistration.k8s.io", "ValidatingAdmissionPolicy")) {
    if (!ObjAt(sp, "matchConstraints")) e.Required("spec.matchConstraints");
    const json::array* v = ArrAt(sp, "validations");
    const json::array* a = ArrAt(sp, "auditAnnotations");
    if ((v == nullptr || v->empty()) && (a == nullptr || a->empty())) {
      e.Required("spec.validations", "validations or auditAnnotations must contain at least one item");
    }
  } else if (Is(r, "admissionregistration.k8s.io", "ValidatingAdmissionPolicyBinding")) {
    if (StrAt(sp, "policyName").empty()) e.Required("spec.policyName");
    const json::array* actions = ArrAt(sp, "validationActions");
    if (actions == nullptr || actions->empty()) {
      e.Required("spec.validationActions", "at least one validation action is required");
    } else {
      for (size_t i = 0; i < actions->size(); ++i) {
        std::string a = (*actions)[i].is_string() ? std::string((*actions)[i].get_string()) : "";
        if (a != "Deny" && a != "Warn" && a != "Audit") {
          e.NotSupported(Index("spec.validationActions", i), api::GoQuote(a), {"Audit", "Deny", "Warn"});
        }
      }
    }
  } else if (Is(r, "apiregistration.k8s.io", "APIService")) {
    for (const char* f : {"groupPriorityMinimum", "versionPriority"}) {
      auto v = Int(sp, f);
      if (!v || *v <= 0) e.Invalid(Child("spec", f), std::to_string(v.value_or(0)), "must be positive and less than 1000000");
    }
  } else if (Is(r, "flowcontrol.apiserver.k8s.io", "FlowSchema")) {
    const json::object* pl = ObjAt(sp, "priorityLevelConfiguration");
    if (pl == nullptr || StrAt(*pl, "name").empty()) e.Required("spec.priorityLevelConfiguration.name", "must reference a priority level");
    if (auto p = Int(sp, "matchingPrecedence"); p && (*p <= 0 || *p > 10000)) {
      e.Invalid("spec.matchingPrecedence", std::to_string(*p), "must be between 1 and 10000, inclusive");
    }
  } else if (Is(r, "flowcontrol.apiserver.k8s.io", "PriorityLevelConfiguration")) {
    std::string type = StrAt(sp, "type");
    if (type != "Exempt" && type != "Limited") {
      e.NotSupported("spec.type", api::GoQuote(type), {"Exempt", "Limited"});
    } else if (type == "Limited" && !ObjAt(sp, "limited")) {
      e.Required("spec.limited", "must not be empty when type is Limited");
    }
  } else if (Is(r, "node.k8s.io", "RuntimeClass")) {
    std::string handler = StrAt(obj, "handler");
    if (handler.empty()) {
      e.Required("handler");
    } else if (auto why = api::ValidateDns1123Label(handler); !why.empty()) {
      e.Invalid("handler", api::GoQuote(handler), why);
    }
  }
}

bool IsBuiltinGroup(const std::string& g) {
  static const std::set<std::string> kGroups = {
      "", "apps", "batch", "autoscaling", "policy", "networking.k8s.io", "storage.k8s.io",
      "rbac.authorization.k8s.io", "scheduling.k8s.io", "coordination.k8s.io", "discovery.k8s.io",
      "events.k8s.io", "certificates.k8s.io", "apiextensions.k8s.io", "admissionregistration.k8s.io",
      "node.k8s.io", "flowcontrol.apiserver.k8s.io", "apiregistration.k8s.io", "resource.k8s.io"};
  return kGroups.count(g) > 0;
}

}  // namespace

// ---------------------------------------------------------------------------------------------

std::string ValidateCronSchedule(const std::string& schedule) {
  if (schedule.empty()) return "empty spec string";
  std::string spec = schedule;
  if (spec.rfind("TZ=", 0) == 0 || spec.rfind("CRON_TZ=", 0) == 0) {
    size_t eq = spec.find('=');
    size_t sp = spec.find(' ');
    if (sp == std::string::npos) return "provided bad location " + spec.substr(eq + 1) + ": unknown time zone " + spec.substr(eq + 1);
    std::string loc = spec.substr(eq + 1, sp - eq - 1);
    if (auto err = LoadLocationError(loc); !err.empty()) return "provided bad location " + loc + ": " + err;
    spec = spec.substr(sp);
    size_t b = spec.find_first_not_of(" \t\n\r\v\f");
    spec = b == std::string::npos ? "" : spec.substr(b);
    while (!spec.empty() && std::isspace(static_cast<unsigned char>(spec.back()))) spec.pop_back();
  }
  if (!spec.empty() && spec[0] == '@') {
    static const std::set<std::string> kDescriptors = {"@yearly", "@annually", "@monthly", "@weekly",
                                                        "@daily",  "@midnight", "@hourly"};
    if (kDescriptors.count(spec)) return "";
    const std::string every = "@every ";
    if (spec.rfind(every, 0) == 0) {
      if (auto err = ParseGoDuration(spec.substr(every.size())); !err.empty()) {
        return "failed to parse duration " + spec + ": " + err;
      }
      return "";
    }
    return "unrecognized descriptor: " + spec;
  }
  std::vector<std::string> fields;
  std::istringstream in(spec);
  for (std::string f; in >> f;) fields.push_back(f);
  if (fields.size() != 5) {
    std::string list;
    for (const auto& f : fields) list += (list.empty() ? "" : " ") + f;
    return "expected exactly 5 fields, found " + std::to_string(fields.size()) + ": [" + list + "]";
  }
  static const CronBounds kBounds[] = {
      {0, 59, {}, 0},
      {0, 23, {}, 0},
      {1, 31, {}, 0},
      {1, 12, {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}, 1},
      {0, 6, {"sun", "mon", "tue", "wed", "thu", "fri", "sat"}, 0}};
  for (size_t i = 0; i < 5; ++i) {
    size_t start = 0;
    const std::string& f = fields[i];
    while (start <= f.size()) {
      size_t comma = f.find(',', start);
      std::string expr = f.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      if (!expr.empty()) {
        if (auto err = CronRange(expr, kBounds[i]); !err.empty()) return err;
      }
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  return "";
}

std::string FormatFieldError(const FieldError& e) { return e.field + ": " + e.message; }

void ApplyDefaults(const ResourceInfo& r, json::object& obj) {
  json::object* spec = ObjAt(obj, "spec");
  if (Is(r, "", "Pod")) {
    DefaultPod(obj);
  } else if (Is(r, "apps", "Deployment")) {
    if (spec) DefaultDeployment(*spec);
  } else if (Is(r, "apps", "ReplicaSet")) {
    if (spec) {
      SetIfMissing(*spec, "replicas", 1);
      DefaultTemplate(*spec);
    }
  } else if (Is(r, "apps", "StatefulSet")) {
    if (spec) DefaultStatefulSet(*spec);
  } else if (Is(r, "apps", "DaemonSet")) {
    if (spec) DefaultDaemonSet(*spec);
  } else if (Is(r, "batch", "Job")) {
    DefaultJob(obj);
  } else if (Is(r, "batch", "CronJob")) {
    if (spec) DefaultCronJob(*spec);
  } else if (Is(r, "", "PersistentVolumeClaim")) {
    if (spec) DefaultPvcSpec(*spec);
    if (json::object* st = EnsureObj(obj, "status")) DefaultStr(*st, "phase", "Pending");
  } else if (Is(r, "", "PersistentVolume")) {
    if (spec) {
      DefaultStr(*spec, "persistentVolumeReclaimPolicy", "Retain");
      DefaultStr(*spec, "volumeMode", "Filesystem");
      CanonicalizeResourceList(*spec, "capacity");
    }
    if (json::object* st = EnsureObj(obj, "status")) DefaultStr(*st, "phase", "Pending");
  } else if (Is(r, "", "Node")) {
    if (json::object* st = ObjAt(obj, "status")) {
      if (Missing(*st, "allocatable") && ObjAt(*st, "capacity")) {
        json::value capacity = st->at("capacity");  // a copy: inserting "allocatable" may move st's storage
        (*st)["allocatable"] = std::move(capacity);
      }
    }
  } else if (Is(r, "", "Endpoints")) {
    ForEachObj(obj, "subsets", [](json::object& ss) {
      ForEachObj(ss, "ports", [](json::object& p) { DefaultStr(p, "protocol", "TCP"); });
    });
  } else if (Is(r, "", "Secret")) {
    DefaultStr(obj, "type", "Opaque");
  } else if (Is(r, "", "LimitRange")) {
    if (spec) DefaultLimitRange(*spec);
  } else if (Is(r, "", "ResourceQuota")) {
    if (spec) CanonicalizeResourceList(*spec, "hard");
  } else if (Is(r, "autoscaling", "HorizontalPodAutoscaler") && r.storage_version.empty()) {
    if (spec) DefaultHorizontalPodAutoscaler(*spec);
  } else if (Is(r, "admissionregistration.k8s.io", "ValidatingWebhookConfiguration")) {
    DefaultWebhooks(obj, false);
  } else if (Is(r, "admissionregistration.k8s.io", "MutatingWebhookConfiguration")) {
    DefaultWebhooks(obj, true);
  } else if (Is(r, "admissionregistration.k8s.io", "ValidatingAdmissionPolicy")) {
    if (spec) {
      DefaultStr(*spec, "failurePolicy", "Fail");
      if (json::object* m = ObjAt(*spec, "matchConstraints")) DefaultMatchResources(*m);
    }
  } else if (Is(r, "admissionregistration.k8s.io", "ValidatingAdmissionPolicyBinding")) {
    if (json::object* m = spec ? ObjAt(*spec, "matchResources") : nullptr) DefaultMatchResources(*m);
  } else if (Is(r, "flowcontrol.apiserver.k8s.io", "FlowSchema")) {
    if (spec) SetIfMissing(*spec, "matchingPrecedence", 1000);
  } else if (Is(r, "flowcontrol.apiserver.k8s.io", "PriorityLevelConfiguration")) {
    if (spec) DefaultPriorityLevel(*spec);
  }
}

std::vector<FieldError> Validate(const ResourceInfo& r, const json::object& obj, const json::object* old) {
  Errs e;
  if (!IsBuiltinGroup(r.group)) return e.list;
  if (const json::object* meta = GetObj(obj, "metadata", "metadata", e)) {
    ValidateLabels(*meta, "labels", "metadata.labels", e);
    ValidateAnnotations(*meta, "annotations", "metadata.annotations", e);
  }
  static const json::object kEmpty;
  auto spec_or_empty = [&](const char* kind_needs_spec) -> const json::object& {
    const json::object* s = GetObj(obj, "spec", "spec", e);
    if (s == nullptr && Missing(obj, "spec") && kind_needs_spec) e.Required("spec");
    return s ? *s : kEmpty;
  };
  const json::object* old_spec = old ? ObjAt(*old, "spec") : nullptr;
  if (Is(r, "", "Pod")) {
    const json::object& spec = spec_or_empty(nullptr);
    ValidatePodSpec(spec, "spec", true, e);
    if (old) ValidatePodUpdate(obj, *old, e);
  } else if (Is(r, "apps", "Deployment")) {
    const json::object& spec = spec_or_empty(nullptr);
    ValidateDeploymentSpec(spec, e);
    if (old_spec) ValidateSelectorImmutable(spec, *old_spec, e);
  } else if (Is(r, "apps", "ReplicaSet")) {
    const json::object& spec = spec_or_empty(nullptr);
    ValidateReplicaSetSpec(spec, e);
    if (old_spec) ValidateSelectorImmutable(spec, *old_spec, e);
  } else if (Is(r, "apps", "StatefulSet")) {
    const json::object& spec = spec_or_empty(nullptr);
    ValidateStatefulSetSpec(spec, e);
    if (old_spec) ValidateStatefulSetUpdate(spec, *old_spec, e);
  } else if (Is(r, "apps", "DaemonSet")) {
    const json::object& spec = spec_or_empty(nullptr);
    ValidateDaemonSetSpec(spec, e);
    if (old_spec) ValidateSelectorImmutable(spec, *old_spec, e);
  } else if (Is(r, "batch", "Job")) {
    const json::object& spec = spec_or_empty(nullptr);
    ValidateJob(obj, spec, e);
    if (old && old_spec) ValidateJobUpdate(obj, spec, *old, *old_spec, e);
  } else if (Is(r, "batch", "CronJob")) {
    const json::object& spec = spec_or_empty(nullptr);
    ValidateCronJobSpec(spec, old_spec, e);
  } else if (Is(r, "", "PersistentVolumeClaim")) {
    const json::object& spec = spec_or_empty(nullptr);
    ValidatePvcSpec(spec, "spec", e);
    if (old) ValidatePvcUpdate(obj, *old, e);
  } else {
    ValidateNewKinds(r, obj, e);
  }
  return e.list;
}

}  // namespace k1s::registry
