#include "lib/api/protobuf.h"

#include <boost/json.hpp>
#include <cstdint>
#include <ctime>
#include <map>
#include <string>
#include <vector>

#include "lib/base/strings.h"

namespace k1s::api {

namespace json = boost::json;

namespace {

// ---- The message descriptions ----

enum class T {
  kString,    // string
  kBytes,     // bytes -> base64 string
  kInt,       // int32/int64 varint
  kBool,      // bool varint
  kMessage,   // nested message (msg names it)
  kMapSS,     // map<string, string>
  kMapSB,     // map<string, bytes> -> base64 values
  kTime,      // meta.v1.Time {seconds=1, nanos=2} -> RFC 3339 string
  kIntOrStr,  // intstr.IntOrString {type=1, intVal=2, strVal=3}
  kQuantity,  // resource.Quantity {string=1}
};

struct Field {
  int number;
  const char* json;
  T type;
  const char* msg = nullptr;  // for kMessage, and for map<string, message> (not needed yet)
  bool repeated = false;
  bool keep_zero = false;     // a pointer field in Go: present even when 0/false
};

using Message = std::vector<Field>;

const std::map<std::string, Message>& Schema() {
  static const std::map<std::string, Message> schema = {
      {"ObjectMeta",
       {{1, "name", T::kString}, {2, "generateName", T::kString}, {3, "namespace", T::kString},
        {4, "selfLink", T::kString}, {5, "uid", T::kString}, {6, "resourceVersion", T::kString},
        {7, "generation", T::kInt}, {8, "creationTimestamp", T::kTime}, {9, "deletionTimestamp", T::kTime},
        {10, "deletionGracePeriodSeconds", T::kInt}, {11, "labels", T::kMapSS}, {12, "annotations", T::kMapSS},
        {13, "ownerReferences", T::kMessage, "OwnerReference", true}, {14, "finalizers", T::kString, nullptr, true}}},
      {"OwnerReference",
       {{1, "kind", T::kString}, {3, "name", T::kString}, {4, "uid", T::kString}, {5, "apiVersion", T::kString},
        {6, "controller", T::kBool, nullptr, false, true}, {7, "blockOwnerDeletion", T::kBool, nullptr, false, true}}},
      {"LabelSelector",
       {{1, "matchLabels", T::kMapSS}, {2, "matchExpressions", T::kMessage, "LabelSelectorRequirement", true}}},
      {"LabelSelectorRequirement",
       {{1, "key", T::kString}, {2, "operator", T::kString}, {3, "values", T::kString, nullptr, true}}},
      {"ObjectReference",
       {{1, "kind", T::kString}, {2, "namespace", T::kString}, {3, "name", T::kString}, {4, "uid", T::kString},
        {5, "apiVersion", T::kString}, {6, "resourceVersion", T::kString}, {7, "fieldPath", T::kString}}},
      {"LocalObjectReference", {{1, "name", T::kString}}},
      // core/v1
      {"ConfigMap",
       {{1, "metadata", T::kMessage, "ObjectMeta"}, {2, "data", T::kMapSS}, {3, "binaryData", T::kMapSB},
        {4, "immutable", T::kBool, nullptr, false, true}}},
      {"Secret",
       {{1, "metadata", T::kMessage, "ObjectMeta"}, {2, "data", T::kMapSB}, {3, "type", T::kString},
        {4, "stringData", T::kMapSS}, {5, "immutable", T::kBool, nullptr, false, true}}},
      {"Namespace",
       {{1, "metadata", T::kMessage, "ObjectMeta"}, {2, "spec", T::kMessage, "NamespaceSpec"},
        {3, "status", T::kMessage, "NamespaceStatus"}}},
      {"NamespaceSpec", {{1, "finalizers", T::kString, nullptr, true}}},
      {"NamespaceStatus", {{1, "phase", T::kString}}},
      {"ServiceAccount",
       {{1, "metadata", T::kMessage, "ObjectMeta"}, {2, "secrets", T::kMessage, "ObjectReference", true},
        {3, "imagePullSecrets", T::kMessage, "LocalObjectReference", true},
        {4, "automountServiceAccountToken", T::kBool, nullptr, false, true}}},
      // apps/v1 Deployment, with the pod template fields `kubectl create deployment` fills in.
      {"Deployment",
       {{1, "metadata", T::kMessage, "ObjectMeta"}, {2, "spec", T::kMessage, "DeploymentSpec"},
        {3, "status", T::kMessage, "DeploymentStatus"}}},
      {"DeploymentSpec",
       {{1, "replicas", T::kInt, nullptr, false, true}, {2, "selector", T::kMessage, "LabelSelector"},
        {3, "template", T::kMessage, "PodTemplateSpec"}, {4, "strategy", T::kMessage, "DeploymentStrategy"},
        {5, "minReadySeconds", T::kInt}, {6, "revisionHistoryLimit", T::kInt, nullptr, false, true},
        {7, "paused", T::kBool}, {9, "progressDeadlineSeconds", T::kInt, nullptr, false, true}}},
      {"DeploymentStrategy", {{1, "type", T::kString}}},
      {"DeploymentStatus", {{1, "observedGeneration", T::kInt}, {2, "replicas", T::kInt}}},
      {"PodTemplateSpec", {{1, "metadata", T::kMessage, "ObjectMeta"}, {2, "spec", T::kMessage, "PodSpec"}}},
      {"PodSpec",
       {{2, "containers", T::kMessage, "Container", true}, {3, "restartPolicy", T::kString},
        {4, "terminationGracePeriodSeconds", T::kInt, nullptr, false, true}, {6, "dnsPolicy", T::kString},
        {7, "nodeSelector", T::kMapSS}, {8, "serviceAccountName", T::kString}, {10, "nodeName", T::kString},
        {11, "hostNetwork", T::kBool}, {20, "initContainers", T::kMessage, "Container", true},
        {19, "schedulerName", T::kString}}},
      {"Container",
       {{1, "name", T::kString}, {2, "image", T::kString}, {3, "command", T::kString, nullptr, true},
        {4, "args", T::kString, nullptr, true}, {5, "workingDir", T::kString},
        {6, "ports", T::kMessage, "ContainerPort", true}, {7, "env", T::kMessage, "EnvVar", true},
        {8, "resources", T::kMessage, "ResourceRequirements"}, {14, "imagePullPolicy", T::kString},
        {13, "terminationMessagePath", T::kString}, {20, "terminationMessagePolicy", T::kString}}},
      {"ContainerPort",
       {{1, "name", T::kString}, {2, "hostPort", T::kInt}, {3, "containerPort", T::kInt}, {4, "protocol", T::kString},
        {5, "hostIP", T::kString}}},
      {"EnvVar", {{1, "name", T::kString}, {2, "value", T::kString}}},
      {"ResourceRequirements", {}},
  };
  return schema;
}

// The top-level message for an envelope's apiVersion and kind.
const char* MessageFor(const std::string& api_version, const std::string& kind) {
  if (api_version == "v1" && (kind == "ConfigMap" || kind == "Secret" || kind == "Namespace" || kind == "ServiceAccount"))
    return kind == "ConfigMap" ? "ConfigMap" : kind == "Secret" ? "Secret" : kind == "Namespace" ? "Namespace" : "ServiceAccount";
  if (api_version == "apps/v1" && kind == "Deployment") return "Deployment";
  return nullptr;
}

// ---- Wire reading ----

struct Reader {
  std::string_view b;
  size_t i = 0;
  bool Done() const { return i >= b.size(); }
  bool Varint(uint64_t* out) {
    uint64_t r = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (i >= b.size()) return false;
      uint8_t c = static_cast<uint8_t>(b[i++]);
      r |= static_cast<uint64_t>(c & 0x7f) << shift;
      if (c < 0x80) {
        *out = r;
        return true;
      }
    }
    return false;
  }
  bool Bytes(std::string_view* out) {
    uint64_t n;
    if (!Varint(&n) || n > b.size() - i) return false;
    *out = b.substr(i, n);
    i += n;
    return true;
  }
  bool Skip(int wire_type) {
    uint64_t v;
    std::string_view s;
    switch (wire_type) {
      case 0: return Varint(&v);
      case 1: if (b.size() - i < 8) return false; i += 8; return true;
      case 2: return Bytes(&s);
      case 5: if (b.size() - i < 4) return false; i += 4; return true;
      default: return false;
    }
  }
};

Unexpected Malformed(const std::string& where) {
  return Fail(ErrorCode::kBadRequest, "invalid protobuf body: malformed " + where);
}

Result<json::object> DecodeMessage(std::string_view bytes, const std::string& name, int depth);

Result<std::pair<std::string, std::string>> DecodeMapEntry(std::string_view bytes, const std::string& where) {
  Reader r{bytes};
  std::pair<std::string, std::string> kv;
  while (!r.Done()) {
    uint64_t key;
    if (!r.Varint(&key)) return Malformed(where);
    std::string_view s;
    if ((key & 7) != 2 || !r.Bytes(&s)) return Malformed(where);
    if ((key >> 3) == 1) kv.first = std::string(s);
    if ((key >> 3) == 2) kv.second = std::string(s);
  }
  return kv;
}

Result<json::value> DecodeTime(std::string_view bytes) {
  Reader r{bytes};
  uint64_t seconds = 0;
  while (!r.Done()) {
    uint64_t key, v;
    if (!r.Varint(&key) || (key & 7) != 0 || !r.Varint(&v)) return Malformed("Time");
    if ((key >> 3) == 1) seconds = v;
  }
  if (seconds == 0) return json::value(nullptr);
  std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return json::value(buf);
}

bool IsEmpty(const json::value& v) {
  if (v.is_null()) return true;
  if (v.is_string()) return v.as_string().empty();
  if (v.is_int64()) return v.as_int64() == 0;
  if (v.is_bool()) return !v.as_bool();
  if (v.is_object()) return v.as_object().empty();
  if (v.is_array()) return v.as_array().empty();
  return false;
}

Result<json::object> DecodeMessage(std::string_view bytes, const std::string& name, int depth) {
  if (depth > 32) return Fail(ErrorCode::kBadRequest, "invalid protobuf body: nested too deeply");
  const auto& schema = Schema();
  auto it = schema.find(name);
  if (it == schema.end()) return Fail(ErrorCode::kUnsupportedMediaType, "protobuf message " + name + " is not supported yet");
  const Message& msg = it->second;
  json::object out;
  Reader r{bytes};
  while (!r.Done()) {
    uint64_t key;
    if (!r.Varint(&key)) return Malformed(name);
    int number = static_cast<int>(key >> 3), wire = static_cast<int>(key & 7);
    const Field* f = nullptr;
    for (const auto& cand : msg)
      if (cand.number == number) f = &cand;
    if (f == nullptr) {
      // Proto2 clients send unset optional fields as empty values: those are harmless to drop.
      size_t before = r.i;
      if (!r.Skip(wire)) return Malformed(name);
      std::string_view raw = bytes.substr(before, r.i - before);
      bool empty = (wire == 0 && raw.size() == 1 && raw[0] == 0) || (wire == 2 && raw.size() == 1 && raw[0] == 0);
      if (!empty) {
        return Fail(ErrorCode::kUnsupportedMediaType, "protobuf field " + std::to_string(number) + " of " + name +
                                                          " is not supported yet; send this object as JSON or YAML");
      }
      continue;
    }
    json::value v;
    uint64_t n = 0;
    std::string_view s;
    switch (f->type) {
      case T::kInt:
      case T::kBool:
        if (wire != 0 || !r.Varint(&n)) return Malformed(name + "." + f->json);
        if (f->type == T::kBool) {
          v = n != 0;
        } else {
          v = static_cast<int64_t>(n);
        }
        break;
      case T::kString:
        if (wire != 2 || !r.Bytes(&s)) return Malformed(name + "." + f->json);
        v = json::string(s);
        break;
      case T::kBytes:
        if (wire != 2 || !r.Bytes(&s)) return Malformed(name + "." + f->json);
        v = Base64Encode(s);
        break;
      case T::kMessage: {
        if (wire != 2 || !r.Bytes(&s)) return Malformed(name + "." + f->json);
        K1S_ASSIGN_OR_RETURN(json::object sub, DecodeMessage(s, f->msg, depth + 1));
        v = std::move(sub);
        if (f->repeated) {
          auto& arr = out[f->json];
          if (!arr.is_array()) arr = json::array();
          arr.as_array().push_back(std::move(v));
          continue;
        }
        break;
      }
      case T::kMapSS:
      case T::kMapSB: {
        if (wire != 2 || !r.Bytes(&s)) return Malformed(name + "." + f->json);
        K1S_ASSIGN_OR_RETURN(auto kv, DecodeMapEntry(s, name + "." + f->json));
        auto& m = out[f->json];
        if (!m.is_object()) m = json::object();
        m.as_object()[kv.first] = f->type == T::kMapSB ? Base64Encode(kv.second) : kv.second;
        continue;
      }
      case T::kTime: {
        if (wire != 2 || !r.Bytes(&s)) return Malformed(name + "." + f->json);
        K1S_ASSIGN_OR_RETURN(v, DecodeTime(s));
        break;
      }
      case T::kIntOrStr:
      case T::kQuantity:
        return Fail(ErrorCode::kUnsupportedMediaType, "protobuf field " + std::string(f->json) + " is not supported yet");
    }
    if (f->repeated) {
      auto& arr = out[f->json];
      if (!arr.is_array()) arr = json::array();
      arr.as_array().push_back(std::move(v));
    } else if (!IsEmpty(v) || f->keep_zero) {
      out[f->json] = std::move(v);
    }
  }
  return out;
}

}  // namespace

Result<json::object> DecodeProtobufObject(std::string_view body) {
  if (body.size() < 4 || body.substr(0, 4) != std::string_view("k8s\0", 4)) {
    return Fail(ErrorCode::kBadRequest, "invalid protobuf body: missing the k8s\\0 prefix");
  }
  Reader r{body.substr(4)};
  std::string api_version, kind;
  std::string_view raw;
  while (!r.Done()) {
    uint64_t key;
    std::string_view s;
    if (!r.Varint(&key) || (key & 7) != 2 || !r.Bytes(&s)) return Malformed("envelope");
    if ((key >> 3) == 1) {
      Reader tm{s};
      while (!tm.Done()) {
        uint64_t k;
        std::string_view v;
        if (!tm.Varint(&k) || (k & 7) != 2 || !tm.Bytes(&v)) return Malformed("envelope type");
        if ((k >> 3) == 1) api_version = std::string(v);
        if ((k >> 3) == 2) kind = std::string(v);
      }
    } else if ((key >> 3) == 2) {
      raw = s;
    }
  }
  const char* msg = MessageFor(api_version, kind);
  if (msg == nullptr) {
    return Fail(ErrorCode::kUnsupportedMediaType,
                "protobuf bodies for " + api_version + " " + kind +
                    " are not supported yet; send JSON or YAML (e.g. kubectl create -f FILE)");
  }
  K1S_ASSIGN_OR_RETURN(json::object obj, DecodeMessage(raw, msg, 0));
  json::object out{{"apiVersion", api_version}, {"kind", kind}};
  for (auto& kv : obj) out[kv.key()] = std::move(kv.value());
  return out;
}

}  // namespace k1s::api
