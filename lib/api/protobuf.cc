#include "lib/api/protobuf.h"

#include <boost/json.hpp>
#include <cstdint>
#include <cstring>
#include <ctime>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "lib/base/strings.h"

namespace k1s::api {

namespace json = boost::json;

namespace {

// ---- The message descriptions ----
//
// One line per message (kMessageTable below): its qualified name ("core.v1.PodSpec") and its fields as
// `json=number:TYPE[FLAGS]`. TYPE is a scalar code, `@Message` (a name without a package is in the
// line's package), `[]TYPE` for a repeated field or `{TYPE}` for map<string, TYPE>. Scalar codes:
//   s string, b bytes (base64 in JSON), i int32/int64, t bool, q resource.Quantity, x intstr.IntOrString,
//   T meta.v1.Time, M meta.v1.MicroTime, r runtime.RawExtension / FieldsV1 (embedded JSON),
//   X ExtraValue (a message wrapping a list of strings, a plain array in JSON).
// FLAGS: `?` keeps a zero value that was sent (a Go pointer, or a field JSON never omits); `^` inlines the
// message's fields into the parent (a Go embedded struct, such as Volume's VolumeSource).
// The facts (field numbers, JSON names, pointer-ness) are those of the published k8s.io/api types.

enum class T { kString, kBytes, kInt, kBool, kQuantity, kIntOrStr, kTime, kMicroTime, kRaw, kStringList, kMessage };

struct Field {
  int number = 0;
  std::string json;
  T type = T::kString;
  std::string msg;  // for kMessage: the qualified message name
  bool repeated = false;
  bool map = false;  // map<string, type>
  bool keep_zero = false;
  bool inline_fields = false;
};

struct Message {
  std::vector<Field> fields;
  const Field* ByNumber(int number) const {
    for (const auto& f : fields)
      if (f.number == number) return &f;
    return nullptr;
  }
};

using MessageTable = std::map<std::string, Message, std::less<>>;

extern const char kMessageTable[];

bool ParseType(std::string_view code, const std::string& package, Field* f) {
  if (code.size() >= 2 && code.front() == '{' && code.back() == '}') {
    f->map = true;
    code = code.substr(1, code.size() - 2);
  } else if (code.substr(0, 2) == "[]") {
    f->repeated = true;
    code = code.substr(2);
  }
  if (!code.empty() && code[0] == '@') {
    f->type = T::kMessage;
    std::string name(code.substr(1));
    f->msg = name.find('.') == std::string::npos ? package + "." + name : name;
    return true;
  }
  if (code.size() != 1) return false;
  switch (code[0]) {
    case 's': f->type = T::kString; return true;
    case 'b': f->type = T::kBytes; return true;
    case 'i': f->type = T::kInt; return true;
    case 't': f->type = T::kBool; return true;
    case 'q': f->type = T::kQuantity; return true;
    case 'x': f->type = T::kIntOrStr; return true;
    case 'T': f->type = T::kTime; return true;
    case 'M': f->type = T::kMicroTime; return true;
    case 'r': f->type = T::kRaw; return true;
    case 'X': f->type = T::kStringList; return true;
    default: return false;
  }
}

// Parses kMessageTable once. A malformed table is a programming error the unit tests catch; such
// lines are left out (and their messages then report "not supported").
MessageTable ParseTable() {
  MessageTable table;
  for (std::string_view line : Split(kMessageTable, '\n')) {
    std::vector<std::string> tokens;
    for (std::string& tok : Split(line, ' '))
      if (!tok.empty()) tokens.push_back(std::move(tok));
    if (tokens.empty()) continue;
    std::string name(tokens[0]);
    std::string package = name.substr(0, name.rfind('.'));
    Message msg;
    bool ok = true;
    for (size_t i = 1; i < tokens.size() && ok; ++i) {
      std::string_view tok = tokens[i];
      size_t eq = tok.find('='), colon = tok.find(':');
      if (eq == std::string_view::npos || colon == std::string_view::npos || colon < eq) {
        ok = false;
        break;
      }
      Field f;
      f.json = std::string(tok.substr(0, eq));
      f.number = std::atoi(std::string(tok.substr(eq + 1, colon - eq - 1)).c_str());
      std::string_view code = tok.substr(colon + 1);
      while (!code.empty() && (code.back() == '?' || code.back() == '^')) {
        (code.back() == '?' ? f.keep_zero : f.inline_fields) = true;
        code.remove_suffix(1);
      }
      ok = f.number > 0 && ParseType(code, package, &f);
      msg.fields.push_back(std::move(f));
    }
    if (ok) table[name] = std::move(msg);
  }
  return table;
}

const MessageTable& Table() {
  static const MessageTable table = ParseTable();
  return table;
}

// The top-level message for an envelope's apiVersion and kind: "<first label of the group>.<version>.
// <Kind>" ("rbac.authorization.k8s.io/v1" Role is rbac.v1.Role, "v1" ConfigMap is core.v1.ConfigMap),
// when the table has it and it is an object with metadata.
const Message* MessageFor(const std::string& api_version, const std::string& kind, std::string* name) {
  size_t slash = api_version.find('/');
  std::string group = slash == std::string::npos ? "core" : api_version.substr(0, slash);
  std::string version = slash == std::string::npos ? api_version : api_version.substr(slash + 1);
  group = group.substr(0, group.find('.'));
  if (group.empty() || version.empty() || kind.empty()) return nullptr;
  *name = group + "." + version + "." + kind;
  auto it = Table().find(*name);
  if (it == Table().end()) return nullptr;
  const Field* meta = it->second.ByNumber(1);
  if (meta == nullptr || meta->msg != "meta.v1.ObjectMeta") return nullptr;
  return &it->second;
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

// Reads the fields of a small fixed message into numbered slots: varints into ints, bytes into strs.
bool ReadSimple(std::string_view bytes, std::map<int, uint64_t>* ints, std::map<int, std::string_view>* strs) {
  Reader r{bytes};
  while (!r.Done()) {
    uint64_t key;
    if (!r.Varint(&key)) return false;
    int number = static_cast<int>(key >> 3), wire = static_cast<int>(key & 7);
    if (wire == 0) {
      uint64_t v;
      if (!r.Varint(&v)) return false;
      (*ints)[number] = v;
    } else if (wire == 2) {
      std::string_view s;
      if (!r.Bytes(&s)) return false;
      (*strs)[number] = s;
    } else if (!r.Skip(wire)) {
      return false;
    }
  }
  return true;
}

// meta.v1.Time {seconds=1, nanos=2} as RFC 3339 (whole seconds, as Time's JSON form), or MicroTime
// with microseconds; null for the zero time.
Result<json::value> DecodeTime(std::string_view bytes, bool micro) {
  std::map<int, uint64_t> ints;
  std::map<int, std::string_view> strs;
  if (!ReadSimple(bytes, &ints, &strs)) return Malformed("Time");
  int64_t seconds = static_cast<int64_t>(ints[1]);
  int64_t nanos = static_cast<int64_t>(ints[2]);
  if (seconds == 0 && nanos == 0) return json::value(nullptr);
  std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[48];
  size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  if (micro) n += static_cast<size_t>(std::snprintf(buf + n, sizeof buf - n, ".%06d", static_cast<int>(nanos / 1000)));
  std::snprintf(buf + n, sizeof buf - n, "Z");
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

Result<json::object> DecodeMessage(std::string_view bytes, const std::string& name, int depth);

// One value of field f (a map's value, a repeated element or a singular field) from its wire form.
Result<json::value> DecodeValue(const Field& f, int wire, Reader& r, const std::string& where, int depth) {
  uint64_t n = 0;
  std::string_view s;
  if (f.type == T::kInt || f.type == T::kBool) {
    if (wire != 0 || !r.Varint(&n)) return Malformed(where);
    if (f.type == T::kBool) return json::value(n != 0);
    return json::value(static_cast<int64_t>(n));  // int32 negatives are sign-extended to 64 bits
  }
  if (wire != 2 || !r.Bytes(&s)) return Malformed(where);
  switch (f.type) {
    case T::kString: return json::value(json::string(s));
    case T::kBytes: return json::value(Base64Encode(s));
    case T::kMessage: {
      K1S_ASSIGN_OR_RETURN(json::object sub, DecodeMessage(s, f.msg, depth + 1));
      return json::value(std::move(sub));
    }
    case T::kQuantity: {
      std::map<int, uint64_t> ints;
      std::map<int, std::string_view> strs;
      if (!ReadSimple(s, &ints, &strs)) return Malformed(where);
      return json::value(json::string(strs[1]));
    }
    case T::kIntOrStr: {
      std::map<int, uint64_t> ints;
      std::map<int, std::string_view> strs;
      if (!ReadSimple(s, &ints, &strs)) return Malformed(where);
      if (ints[1] == 1) return json::value(json::string(strs[3]));
      return json::value(static_cast<int64_t>(static_cast<int32_t>(ints[2])));
    }
    case T::kTime:
    case T::kMicroTime: return DecodeTime(s, f.type == T::kMicroTime);
    case T::kRaw: {
      std::map<int, uint64_t> ints;
      std::map<int, std::string_view> strs;
      if (!ReadSimple(s, &ints, &strs)) return Malformed(where);
      if (strs[1].empty()) return json::value(nullptr);
      boost::system::error_code ec;
      json::value v = json::parse(strs[1], ec);
      if (ec) return Fail(ErrorCode::kBadRequest, "invalid protobuf body: " + where + " is not JSON");
      return v;
    }
    case T::kStringList: {
      json::array items;
      Reader lr{s};
      while (!lr.Done()) {
        uint64_t key;
        std::string_view item;
        if (!lr.Varint(&key)) return Malformed(where);
        if ((key >> 3) == 1 && (key & 7) == 2) {
          if (!lr.Bytes(&item)) return Malformed(where);
          items.emplace_back(json::string(item));
        } else if (!lr.Skip(static_cast<int>(key & 7))) {
          return Malformed(where);
        }
      }
      return json::value(std::move(items));
    }
    default: return Malformed(where);
  }
}

// A map<string, V> entry {key=1, value=2}.
Result<std::pair<std::string, json::value>> DecodeMapEntry(const Field& f, std::string_view bytes,
                                                           const std::string& where, int depth) {
  Reader r{bytes};
  std::pair<std::string, json::value> kv;
  Field value_field = f;
  value_field.map = false;
  bool have_value = false;
  while (!r.Done()) {
    uint64_t key;
    if (!r.Varint(&key)) return Malformed(where);
    int number = static_cast<int>(key >> 3), wire = static_cast<int>(key & 7);
    if (number == 1) {
      std::string_view s;
      if (wire != 2 || !r.Bytes(&s)) return Malformed(where);
      kv.first = std::string(s);
    } else if (number == 2) {
      K1S_ASSIGN_OR_RETURN(kv.second, DecodeValue(value_field, wire, r, where, depth));
      have_value = true;
    } else if (!r.Skip(wire)) {
      return Malformed(where);
    }
  }
  if (!have_value) {
    // An absent value is the type's zero value.
    switch (f.type) {
      case T::kString: case T::kBytes: case T::kQuantity: kv.second = ""; break;
      case T::kMessage: kv.second = json::object(); break;
      case T::kStringList: kv.second = json::array(); break;
      case T::kInt: kv.second = 0; break;
      case T::kBool: kv.second = false; break;
      default: kv.second = nullptr;
    }
  }
  return kv;
}

Result<json::object> DecodeMessage(std::string_view bytes, const std::string& name, int depth) {
  if (depth > 48) return Fail(ErrorCode::kBadRequest, "invalid protobuf body: nested too deeply");
  auto it = Table().find(name);
  if (it == Table().end()) return Fail(ErrorCode::kUnsupportedMediaType, "protobuf message " + name + " is not supported yet");
  const Message& msg = it->second;
  json::object out;
  Reader r{bytes};
  while (!r.Done()) {
    uint64_t key;
    if (!r.Varint(&key)) return Malformed(name);
    int number = static_cast<int>(key >> 3), wire = static_cast<int>(key & 7);
    const Field* f = msg.ByNumber(number);
    if (f == nullptr) {
      // Go's proto2 marshalling sends unset non-pointer fields as empty values: those are harmless to drop.
      size_t before = r.i;
      if (!r.Skip(wire)) return Malformed(name);
      std::string_view raw = bytes.substr(before, r.i - before);
      bool empty = (wire == 0 || wire == 2) && raw.size() == 1 && raw[0] == 0;
      if (!empty) {
        return Fail(ErrorCode::kUnsupportedMediaType, "protobuf field " + std::to_string(number) + " of " + name +
                                                          " is not supported yet; send this object as JSON or YAML");
      }
      continue;
    }
    std::string where = name + "." + f->json;
    if (f->map) {
      std::string_view entry;
      if (wire != 2 || !r.Bytes(&entry)) return Malformed(where);
      K1S_ASSIGN_OR_RETURN(auto kv, DecodeMapEntry(*f, entry, where, depth));
      auto& m = out[f->json];
      if (!m.is_object()) m = json::object();
      m.as_object()[kv.first] = std::move(kv.second);
      continue;
    }
    if (f->repeated && wire == 2 && (f->type == T::kInt || f->type == T::kBool)) {
      // A packed repeated scalar.
      std::string_view packed;
      if (!r.Bytes(&packed)) return Malformed(where);
      Reader pr{packed};
      auto& arr = out[f->json];
      if (!arr.is_array()) arr = json::array();
      while (!pr.Done()) {
        K1S_ASSIGN_OR_RETURN(json::value v, DecodeValue(*f, 0, pr, where, depth));
        arr.as_array().push_back(std::move(v));
      }
      continue;
    }
    K1S_ASSIGN_OR_RETURN(json::value v, DecodeValue(*f, wire, r, where, depth));
    if (f->repeated) {
      auto& arr = out[f->json];
      if (!arr.is_array()) arr = json::array();
      arr.as_array().push_back(std::move(v));
    } else if (f->inline_fields && v.is_object()) {
      for (auto& kv : v.as_object()) out[kv.key()] = std::move(kv.value());
    } else if (v.is_null()) {
      out.erase(f->json);
    } else if (!IsEmpty(v) || f->keep_zero) {
      out[f->json] = std::move(v);
    } else {
      out.erase(f->json);  // a later zero value of the same field overrides an earlier one
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
    } else if ((key >> 3) == 3 && !s.empty()) {
      return Fail(ErrorCode::kUnsupportedMediaType, "protobuf bodies with contentEncoding " + std::string(s) +
                                                        " are not supported");
    }
  }
  std::string name;
  const Message* msg = MessageFor(api_version, kind, &name);
  if (msg == nullptr) {
    return Fail(ErrorCode::kUnsupportedMediaType,
                "protobuf bodies for " + api_version + " " + kind +
                    " are not supported yet; send JSON or YAML (e.g. kubectl create -f FILE)");
  }
  K1S_ASSIGN_OR_RETURN(json::object obj, DecodeMessage(raw, name, 0));
  json::object out{{"apiVersion", api_version}, {"kind", kind}};
  for (auto& kv : obj) out[kv.key()] = std::move(kv.value());
  return out;
}

bool ProtobufKindSupported(std::string_view api_version, std::string_view kind) {
  std::string name;
  return MessageFor(std::string(api_version), std::string(kind), &name) != nullptr;
}

Status CheckProtobufTable() {
  size_t lines = 0;
  for (const std::string& line : Split(kMessageTable, '\n'))
    if (!line.empty()) ++lines;
  if (lines != Table().size()) {
    return Fail(ErrorCode::kInternal, "protobuf message table: " + std::to_string(lines - Table().size()) +
                                          " lines do not parse (or repeat a name)");
  }
  for (const auto& [name, msg] : Table()) {
    for (const auto& f : msg.fields) {
      if (f.type == T::kMessage && Table().find(f.msg) == Table().end())
        return Fail(ErrorCode::kInternal, "protobuf message table: " + name + "." + f.json + " names " + f.msg);
    }
  }
  return OkStatus();
}

namespace {

// Generated from the k8s.io/api v0.35 types (field facts only); see the format above.
// clang-format off
const char kMessageTable[] =
    "meta.v1.Condition type=1:s? status=2:s? observedGeneration=3:i lastTransitionTime=4:T? reason=5:s?"
    " message=6:s?\n"
    "meta.v1.DeleteOptions gracePeriodSeconds=1:i? preconditions=2:@Preconditions? orphanDependents=3:t?"
    " propagationPolicy=4:s? dryRun=5:[]s ignoreStoreReadErrorWithClusterBreakingPotential=6:t?\n"
    "meta.v1.FieldSelectorRequirement key=1:s? operator=2:s? values=3:[]s\n"
    "meta.v1.LabelSelector matchLabels=1:{s} matchExpressions=2:[]@LabelSelectorRequirement\n"
    "meta.v1.LabelSelectorRequirement key=1:s? operator=2:s? values=3:[]s\n"
    "meta.v1.ManagedFieldsEntry manager=1:s operation=2:s apiVersion=3:s time=4:T? fieldsType=6:s fieldsV1=7:r?"
    " subresource=8:s\n"
    "meta.v1.ObjectMeta name=1:s generateName=2:s namespace=3:s selfLink=4:s uid=5:s resourceVersion=6:s"
    " generation=7:i creationTimestamp=8:T deletionTimestamp=9:T? deletionGracePeriodSeconds=10:i? labels=11:{s}"
    " annotations=12:{s} ownerReferences=13:[]@OwnerReference finalizers=14:[]s"
    " managedFields=17:[]@ManagedFieldsEntry\n"
    "meta.v1.OwnerReference kind=1:s? name=3:s? uid=4:s? apiVersion=5:s? controller=6:t? blockOwnerDeletion=7:t?\n"
    "meta.v1.Preconditions uid=1:s? resourceVersion=2:s?\n"
    "apps.v1.ControllerRevision metadata=1:@meta.v1.ObjectMeta data=2:r revision=3:i?\n"
    "apps.v1.DaemonSet metadata=1:@meta.v1.ObjectMeta spec=2:@DaemonSetSpec status=3:@DaemonSetStatus\n"
    "apps.v1.DaemonSetCondition type=1:s? status=2:s? lastTransitionTime=3:T reason=4:s message=5:s\n"
    "apps.v1.DaemonSetSpec selector=1:@meta.v1.LabelSelector? template=2:@core.v1.PodTemplateSpec"
    " updateStrategy=3:@DaemonSetUpdateStrategy minReadySeconds=4:i revisionHistoryLimit=6:i?\n"
    "apps.v1.DaemonSetStatus currentNumberScheduled=1:i? numberMisscheduled=2:i? desiredNumberScheduled=3:i?"
    " numberReady=4:i? observedGeneration=5:i updatedNumberScheduled=6:i numberAvailable=7:i"
    " numberUnavailable=8:i collisionCount=9:i? conditions=10:[]@DaemonSetCondition\n"
    "apps.v1.DaemonSetUpdateStrategy type=1:s rollingUpdate=2:@RollingUpdateDaemonSet?\n"
    "apps.v1.Deployment metadata=1:@meta.v1.ObjectMeta spec=2:@DeploymentSpec status=3:@DeploymentStatus\n"
    "apps.v1.DeploymentCondition type=1:s? status=2:s? reason=4:s message=5:s lastUpdateTime=6:T"
    " lastTransitionTime=7:T\n"
    "apps.v1.DeploymentSpec replicas=1:i? selector=2:@meta.v1.LabelSelector? template=3:@core.v1.PodTemplateSpec"
    " strategy=4:@DeploymentStrategy minReadySeconds=5:i revisionHistoryLimit=6:i? paused=7:t"
    " progressDeadlineSeconds=9:i?\n"
    "apps.v1.DeploymentStatus observedGeneration=1:i replicas=2:i updatedReplicas=3:i availableReplicas=4:i"
    " unavailableReplicas=5:i conditions=6:[]@DeploymentCondition readyReplicas=7:i collisionCount=8:i?"
    " terminatingReplicas=9:i?\n"
    "apps.v1.DeploymentStrategy type=1:s rollingUpdate=2:@RollingUpdateDeployment?\n"
    "apps.v1.ReplicaSet metadata=1:@meta.v1.ObjectMeta spec=2:@ReplicaSetSpec status=3:@ReplicaSetStatus\n"
    "apps.v1.ReplicaSetCondition type=1:s? status=2:s? lastTransitionTime=3:T reason=4:s message=5:s\n"
    "apps.v1.ReplicaSetSpec replicas=1:i? selector=2:@meta.v1.LabelSelector? template=3:@core.v1.PodTemplateSpec"
    " minReadySeconds=4:i\n"
    "apps.v1.ReplicaSetStatus replicas=1:i? fullyLabeledReplicas=2:i observedGeneration=3:i readyReplicas=4:i"
    " availableReplicas=5:i conditions=6:[]@ReplicaSetCondition terminatingReplicas=7:i?\n"
    "apps.v1.RollingUpdateDaemonSet maxUnavailable=1:x? maxSurge=2:x?\n"
    "apps.v1.RollingUpdateDeployment maxUnavailable=1:x? maxSurge=2:x?\n"
    "apps.v1.RollingUpdateStatefulSetStrategy partition=1:i? maxUnavailable=2:x?\n"
    "apps.v1.StatefulSet metadata=1:@meta.v1.ObjectMeta spec=2:@StatefulSetSpec status=3:@StatefulSetStatus\n"
    "apps.v1.StatefulSetCondition type=1:s? status=2:s? lastTransitionTime=3:T reason=4:s message=5:s\n"
    "apps.v1.StatefulSetOrdinals start=1:i?\n"
    "apps.v1.StatefulSetPersistentVolumeClaimRetentionPolicy whenDeleted=1:s whenScaled=2:s\n"
    "apps.v1.StatefulSetSpec replicas=1:i? selector=2:@meta.v1.LabelSelector?"
    " template=3:@core.v1.PodTemplateSpec volumeClaimTemplates=4:[]@core.v1.PersistentVolumeClaim"
    " serviceName=5:s? podManagementPolicy=6:s updateStrategy=7:@StatefulSetUpdateStrategy"
    " revisionHistoryLimit=8:i? minReadySeconds=9:i"
    " persistentVolumeClaimRetentionPolicy=10:@StatefulSetPersistentVolumeClaimRetentionPolicy?"
    " ordinals=11:@StatefulSetOrdinals?\n"
    "apps.v1.StatefulSetStatus observedGeneration=1:i replicas=2:i? readyReplicas=3:i currentReplicas=4:i"
    " updatedReplicas=5:i currentRevision=6:s updateRevision=7:s collisionCount=9:i?"
    " conditions=10:[]@StatefulSetCondition availableReplicas=11:i?\n"
    "apps.v1.StatefulSetUpdateStrategy type=1:s rollingUpdate=2:@RollingUpdateStatefulSetStrategy?\n"
    "authentication.v1.BoundObjectReference kind=1:s apiVersion=2:s name=3:s uid=4:s\n"
    "authentication.v1.SelfSubjectReview metadata=1:@meta.v1.ObjectMeta status=2:@SelfSubjectReviewStatus\n"
    "authentication.v1.SelfSubjectReviewStatus userInfo=1:@UserInfo\n"
    "authentication.v1.TokenRequest metadata=1:@meta.v1.ObjectMeta spec=2:@TokenRequestSpec"
    " status=3:@TokenRequestStatus\n"
    "authentication.v1.TokenRequestSpec audiences=1:[]s boundObjectRef=3:@BoundObjectReference?"
    " expirationSeconds=4:i?\n"
    "authentication.v1.TokenRequestStatus token=1:s? expirationTimestamp=2:T?\n"
    "authentication.v1.TokenReview metadata=1:@meta.v1.ObjectMeta spec=2:@TokenReviewSpec"
    " status=3:@TokenReviewStatus\n"
    "authentication.v1.TokenReviewSpec token=1:s audiences=2:[]s\n"
    "authentication.v1.TokenReviewStatus authenticated=1:t user=2:@UserInfo error=3:s audiences=4:[]s\n"
    "authentication.v1.UserInfo username=1:s uid=2:s groups=3:[]s extra=4:{X}\n"
    "authorization.v1.FieldSelectorAttributes rawSelector=1:s requirements=2:[]@meta.v1.FieldSelectorRequirement\n"
    "authorization.v1.LabelSelectorAttributes rawSelector=1:s requirements=2:[]@meta.v1.LabelSelectorRequirement\n"
    "authorization.v1.LocalSubjectAccessReview metadata=1:@meta.v1.ObjectMeta spec=2:@SubjectAccessReviewSpec"
    " status=3:@SubjectAccessReviewStatus\n"
    "authorization.v1.NonResourceAttributes path=1:s verb=2:s\n"
    "authorization.v1.NonResourceRule verbs=1:[]s nonResourceURLs=2:[]s\n"
    "authorization.v1.ResourceAttributes namespace=1:s verb=2:s group=3:s version=4:s resource=5:s"
    " subresource=6:s name=7:s fieldSelector=8:@FieldSelectorAttributes?"
    " labelSelector=9:@LabelSelectorAttributes?\n"
    "authorization.v1.ResourceRule verbs=1:[]s apiGroups=2:[]s resources=3:[]s resourceNames=4:[]s\n"
    "authorization.v1.SelfSubjectAccessReview metadata=1:@meta.v1.ObjectMeta spec=2:@SelfSubjectAccessReviewSpec"
    " status=3:@SubjectAccessReviewStatus\n"
    "authorization.v1.SelfSubjectAccessReviewSpec resourceAttributes=1:@ResourceAttributes?"
    " nonResourceAttributes=2:@NonResourceAttributes?\n"
    "authorization.v1.SelfSubjectRulesReview metadata=1:@meta.v1.ObjectMeta spec=2:@SelfSubjectRulesReviewSpec"
    " status=3:@SubjectRulesReviewStatus\n"
    "authorization.v1.SelfSubjectRulesReviewSpec namespace=1:s\n"
    "authorization.v1.SubjectAccessReview metadata=1:@meta.v1.ObjectMeta spec=2:@SubjectAccessReviewSpec"
    " status=3:@SubjectAccessReviewStatus\n"
    "authorization.v1.SubjectAccessReviewSpec resourceAttributes=1:@ResourceAttributes?"
    " nonResourceAttributes=2:@NonResourceAttributes? user=3:s groups=4:[]s extra=5:{X} uid=6:s\n"
    "authorization.v1.SubjectAccessReviewStatus allowed=1:t? reason=2:s evaluationError=3:s denied=4:t\n"
    "authorization.v1.SubjectRulesReviewStatus resourceRules=1:[]@ResourceRule"
    " nonResourceRules=2:[]@NonResourceRule incomplete=3:t? evaluationError=4:s\n"
    "autoscaling.v1.CrossVersionObjectReference kind=1:s? name=2:s? apiVersion=3:s\n"
    "autoscaling.v1.HorizontalPodAutoscaler metadata=1:@meta.v1.ObjectMeta spec=2:@HorizontalPodAutoscalerSpec"
    " status=3:@HorizontalPodAutoscalerStatus\n"
    "autoscaling.v1.HorizontalPodAutoscalerSpec scaleTargetRef=1:@CrossVersionObjectReference minReplicas=2:i?"
    " maxReplicas=3:i? targetCPUUtilizationPercentage=4:i?\n"
    "autoscaling.v1.HorizontalPodAutoscalerStatus observedGeneration=1:i? lastScaleTime=2:T?"
    " currentReplicas=3:i? desiredReplicas=4:i? currentCPUUtilizationPercentage=5:i?\n"
    "autoscaling.v1.Scale metadata=1:@meta.v1.ObjectMeta spec=2:@ScaleSpec status=3:@ScaleStatus\n"
    "autoscaling.v1.ScaleSpec replicas=1:i\n"
    "autoscaling.v1.ScaleStatus replicas=1:i? selector=2:s\n"
    "autoscaling.v2.ContainerResourceMetricSource name=1:s? target=2:@MetricTarget container=3:s?\n"
    "autoscaling.v2.ContainerResourceMetricStatus name=1:s? current=2:@MetricValueStatus container=3:s?\n"
    "autoscaling.v2.CrossVersionObjectReference kind=1:s? name=2:s? apiVersion=3:s\n"
    "autoscaling.v2.ExternalMetricSource metric=1:@MetricIdentifier target=2:@MetricTarget\n"
    "autoscaling.v2.ExternalMetricStatus metric=1:@MetricIdentifier current=2:@MetricValueStatus\n"
    "autoscaling.v2.HPAScalingPolicy type=1:s? value=2:i? periodSeconds=3:i?\n"
    "autoscaling.v2.HPAScalingRules selectPolicy=1:s? policies=2:[]@HPAScalingPolicy"
    " stabilizationWindowSeconds=3:i? tolerance=4:q?\n"
    "autoscaling.v2.HorizontalPodAutoscaler metadata=1:@meta.v1.ObjectMeta spec=2:@HorizontalPodAutoscalerSpec"
    " status=3:@HorizontalPodAutoscalerStatus\n"
    "autoscaling.v2.HorizontalPodAutoscalerBehavior scaleUp=1:@HPAScalingRules? scaleDown=2:@HPAScalingRules?\n"
    "autoscaling.v2.HorizontalPodAutoscalerCondition type=1:s? status=2:s? lastTransitionTime=3:T reason=4:s"
    " message=5:s\n"
    "autoscaling.v2.HorizontalPodAutoscalerSpec scaleTargetRef=1:@CrossVersionObjectReference minReplicas=2:i?"
    " maxReplicas=3:i? metrics=4:[]@MetricSpec behavior=5:@HorizontalPodAutoscalerBehavior?\n"
    "autoscaling.v2.HorizontalPodAutoscalerStatus observedGeneration=1:i? lastScaleTime=2:T? currentReplicas=3:i"
    " desiredReplicas=4:i? currentMetrics=5:[]@MetricStatus conditions=6:[]@HorizontalPodAutoscalerCondition\n"
    "autoscaling.v2.MetricIdentifier name=1:s? selector=2:@meta.v1.LabelSelector?\n"
    "autoscaling.v2.MetricSpec type=1:s? object=2:@ObjectMetricSource? pods=3:@PodsMetricSource?"
    " resource=4:@ResourceMetricSource? external=5:@ExternalMetricSource?"
    " containerResource=7:@ContainerResourceMetricSource?\n"
    "autoscaling.v2.MetricStatus type=1:s? object=2:@ObjectMetricStatus? pods=3:@PodsMetricStatus?"
    " resource=4:@ResourceMetricStatus? external=5:@ExternalMetricStatus?"
    " containerResource=7:@ContainerResourceMetricStatus?\n"
    "autoscaling.v2.MetricTarget type=1:s? value=2:q? averageValue=3:q? averageUtilization=4:i?\n"
    "autoscaling.v2.MetricValueStatus value=1:q? averageValue=2:q? averageUtilization=3:i?\n"
    "autoscaling.v2.ObjectMetricSource describedObject=1:@CrossVersionObjectReference target=2:@MetricTarget"
    " metric=3:@MetricIdentifier\n"
    "autoscaling.v2.ObjectMetricStatus metric=1:@MetricIdentifier current=2:@MetricValueStatus"
    " describedObject=3:@CrossVersionObjectReference\n"
    "autoscaling.v2.PodsMetricSource metric=1:@MetricIdentifier target=2:@MetricTarget\n"
    "autoscaling.v2.PodsMetricStatus metric=1:@MetricIdentifier current=2:@MetricValueStatus\n"
    "autoscaling.v2.ResourceMetricSource name=1:s? target=2:@MetricTarget\n"
    "autoscaling.v2.ResourceMetricStatus name=1:s? current=2:@MetricValueStatus\n"
    "batch.v1.CronJob metadata=1:@meta.v1.ObjectMeta spec=2:@CronJobSpec status=3:@CronJobStatus\n"
    "batch.v1.CronJobSpec schedule=1:s? startingDeadlineSeconds=2:i? concurrencyPolicy=3:s suspend=4:t?"
    " jobTemplate=5:@JobTemplateSpec successfulJobsHistoryLimit=6:i? failedJobsHistoryLimit=7:i? timeZone=8:s?\n"
    "batch.v1.CronJobStatus active=1:[]@core.v1.ObjectReference lastScheduleTime=4:T? lastSuccessfulTime=5:T?\n"
    "batch.v1.Job metadata=1:@meta.v1.ObjectMeta spec=2:@JobSpec status=3:@JobStatus\n"
    "batch.v1.JobCondition type=1:s? status=2:s? lastProbeTime=3:T lastTransitionTime=4:T reason=5:s message=6:s\n"
    "batch.v1.JobSpec parallelism=1:i? completions=2:i? activeDeadlineSeconds=3:i?"
    " selector=4:@meta.v1.LabelSelector? manualSelector=5:t? template=6:@core.v1.PodTemplateSpec"
    " backoffLimit=7:i? ttlSecondsAfterFinished=8:i? completionMode=9:s? suspend=10:t?"
    " podFailurePolicy=11:@PodFailurePolicy? backoffLimitPerIndex=12:i? maxFailedIndexes=13:i?"
    " podReplacementPolicy=14:s? managedBy=15:s? successPolicy=16:@SuccessPolicy?\n"
    "batch.v1.JobStatus conditions=1:[]@JobCondition startTime=2:T? completionTime=3:T? active=4:i succeeded=5:i"
    " failed=6:i completedIndexes=7:s uncountedTerminatedPods=8:@UncountedTerminatedPods? ready=9:i?"
    " failedIndexes=10:s? terminating=11:i?\n"
    "batch.v1.JobTemplateSpec metadata=1:@meta.v1.ObjectMeta spec=2:@JobSpec\n"
    "batch.v1.PodFailurePolicy rules=1:[]@PodFailurePolicyRule\n"
    "batch.v1.PodFailurePolicyOnExitCodesRequirement containerName=1:s? operator=2:s? values=3:[]i\n"
    "batch.v1.PodFailurePolicyOnPodConditionsPattern type=1:s? status=2:s?\n"
    "batch.v1.PodFailurePolicyRule action=1:s? onExitCodes=2:@PodFailurePolicyOnExitCodesRequirement?"
    " onPodConditions=3:[]@PodFailurePolicyOnPodConditionsPattern\n"
    "batch.v1.SuccessPolicy rules=1:[]@SuccessPolicyRule\n"
    "batch.v1.SuccessPolicyRule succeededIndexes=1:s? succeededCount=2:i?\n"
    "batch.v1.UncountedTerminatedPods succeeded=1:[]s failed=2:[]s\n"
    "certificates.v1.CertificateSigningRequest metadata=1:@meta.v1.ObjectMeta"
    " spec=2:@CertificateSigningRequestSpec status=3:@CertificateSigningRequestStatus\n"
    "certificates.v1.CertificateSigningRequestCondition type=1:s? reason=2:s message=3:s lastUpdateTime=4:T"
    " lastTransitionTime=5:T status=6:s?\n"
    "certificates.v1.CertificateSigningRequestSpec request=1:b? username=2:s uid=3:s groups=4:[]s usages=5:[]s"
    " extra=6:{X} signerName=7:s? expirationSeconds=8:i?\n"
    "certificates.v1.CertificateSigningRequestStatus conditions=1:[]@CertificateSigningRequestCondition"
    " certificate=2:b\n"
    "coordination.v1.Lease metadata=1:@meta.v1.ObjectMeta spec=2:@LeaseSpec\n"
    "coordination.v1.LeaseSpec holderIdentity=1:s? leaseDurationSeconds=2:i? acquireTime=3:M? renewTime=4:M?"
    " leaseTransitions=5:i? strategy=6:s? preferredHolder=7:s?\n"
    "core.v1.AWSElasticBlockStoreVolumeSource volumeID=1:s? fsType=2:s partition=3:i readOnly=4:t\n"
    "core.v1.Affinity nodeAffinity=1:@NodeAffinity? podAffinity=2:@PodAffinity?"
    " podAntiAffinity=3:@PodAntiAffinity?\n"
    "core.v1.AppArmorProfile type=1:s? localhostProfile=2:s?\n"
    "core.v1.AttachedVolume name=1:s? devicePath=2:s?\n"
    "core.v1.AzureDiskVolumeSource diskName=1:s? diskURI=2:s? cachingMode=3:s? fsType=4:s? readOnly=5:t?"
    " kind=6:s?\n"
    "core.v1.AzureFilePersistentVolumeSource secretName=1:s? shareName=2:s? readOnly=3:t secretNamespace=4:s?\n"
    "core.v1.AzureFileVolumeSource secretName=1:s? shareName=2:s? readOnly=3:t\n"
    "core.v1.Binding metadata=1:@meta.v1.ObjectMeta target=2:@ObjectReference\n"
    "core.v1.CSIPersistentVolumeSource driver=1:s? volumeHandle=2:s? readOnly=3:t fsType=4:s"
    " volumeAttributes=5:{s} controllerPublishSecretRef=6:@SecretReference?"
    " nodeStageSecretRef=7:@SecretReference? nodePublishSecretRef=8:@SecretReference?"
    " controllerExpandSecretRef=9:@SecretReference? nodeExpandSecretRef=10:@SecretReference?\n"
    "core.v1.CSIVolumeSource driver=1:s? readOnly=2:t? fsType=3:s? volumeAttributes=4:{s}"
    " nodePublishSecretRef=5:@LocalObjectReference?\n"
    "core.v1.Capabilities add=1:[]s drop=2:[]s\n"
    "core.v1.CephFSPersistentVolumeSource monitors=1:[]s path=2:s user=3:s secretFile=4:s"
    " secretRef=5:@SecretReference? readOnly=6:t\n"
    "core.v1.CephFSVolumeSource monitors=1:[]s path=2:s user=3:s secretFile=4:s"
    " secretRef=5:@LocalObjectReference? readOnly=6:t\n"
    "core.v1.CinderPersistentVolumeSource volumeID=1:s? fsType=2:s readOnly=3:t secretRef=4:@SecretReference?\n"
    "core.v1.CinderVolumeSource volumeID=1:s? fsType=2:s readOnly=3:t secretRef=4:@LocalObjectReference?\n"
    "core.v1.ClientIPConfig timeoutSeconds=1:i?\n"
    "core.v1.ClusterTrustBundleProjection name=1:s? signerName=2:s? labelSelector=3:@meta.v1.LabelSelector?"
    " path=4:s? optional=5:t?\n"
    "core.v1.ConfigMap metadata=1:@meta.v1.ObjectMeta data=2:{s} binaryData=3:{b} immutable=4:t?\n"
    "core.v1.ConfigMapEnvSource localObjectReference=1:@LocalObjectReference^ optional=2:t?\n"
    "core.v1.ConfigMapKeySelector localObjectReference=1:@LocalObjectReference^ key=2:s? optional=3:t?\n"
    "core.v1.ConfigMapNodeConfigSource namespace=1:s? name=2:s? uid=3:s resourceVersion=4:s"
    " kubeletConfigKey=5:s?\n"
    "core.v1.ConfigMapProjection localObjectReference=1:@LocalObjectReference^ items=2:[]@KeyToPath"
    " optional=4:t?\n"
    "core.v1.ConfigMapVolumeSource localObjectReference=1:@LocalObjectReference^ items=2:[]@KeyToPath"
    " defaultMode=3:i? optional=4:t?\n"
    "core.v1.Container name=1:s? image=2:s command=3:[]s args=4:[]s workingDir=5:s ports=6:[]@ContainerPort"
    " env=7:[]@EnvVar resources=8:@ResourceRequirements volumeMounts=9:[]@VolumeMount livenessProbe=10:@Probe?"
    " readinessProbe=11:@Probe? lifecycle=12:@Lifecycle? terminationMessagePath=13:s imagePullPolicy=14:s"
    " securityContext=15:@SecurityContext? stdin=16:t stdinOnce=17:t tty=18:t envFrom=19:[]@EnvFromSource"
    " terminationMessagePolicy=20:s volumeDevices=21:[]@VolumeDevice startupProbe=22:@Probe?"
    " resizePolicy=23:[]@ContainerResizePolicy restartPolicy=24:s? restartPolicyRules=25:[]@ContainerRestartRule\n"
    "core.v1.ContainerExtendedResourceRequest containerName=1:s? resourceName=2:s? requestName=3:s?\n"
    "core.v1.ContainerImage names=1:[]s sizeBytes=2:i\n"
    "core.v1.ContainerPort name=1:s hostPort=2:i containerPort=3:i? protocol=4:s hostIP=5:s\n"
    "core.v1.ContainerResizePolicy resourceName=1:s? restartPolicy=2:s?\n"
    "core.v1.ContainerRestartRule action=1:s exitCodes=2:@ContainerRestartRuleOnExitCodes?\n"
    "core.v1.ContainerRestartRuleOnExitCodes operator=1:s values=2:[]i\n"
    "core.v1.ContainerState waiting=1:@ContainerStateWaiting? running=2:@ContainerStateRunning?"
    " terminated=3:@ContainerStateTerminated?\n"
    "core.v1.ContainerStateRunning startedAt=1:T\n"
    "core.v1.ContainerStateTerminated exitCode=1:i? signal=2:i reason=3:s message=4:s startedAt=5:T"
    " finishedAt=6:T containerID=7:s\n"
    "core.v1.ContainerStateWaiting reason=1:s message=2:s\n"
    "core.v1.ContainerStatus name=1:s? state=2:@ContainerState lastState=3:@ContainerState ready=4:t?"
    " restartCount=5:i? image=6:s? imageID=7:s? containerID=8:s started=9:t? allocatedResources=10:{q}"
    " resources=11:@ResourceRequirements? volumeMounts=12:[]@VolumeMountStatus user=13:@ContainerUser?"
    " allocatedResourcesStatus=14:[]@ResourceStatus stopSignal=15:s?\n"
    "core.v1.ContainerUser linux=1:@LinuxContainerUser?\n"
    "core.v1.DaemonEndpoint Port=1:i?\n"
    "core.v1.DownwardAPIProjection items=1:[]@DownwardAPIVolumeFile\n"
    "core.v1.DownwardAPIVolumeFile path=1:s? fieldRef=2:@ObjectFieldSelector?"
    " resourceFieldRef=3:@ResourceFieldSelector? mode=4:i?\n"
    "core.v1.DownwardAPIVolumeSource items=1:[]@DownwardAPIVolumeFile defaultMode=2:i?\n"
    "core.v1.EmptyDirVolumeSource medium=1:s sizeLimit=2:q?\n"
    "core.v1.EndpointAddress ip=1:s? targetRef=2:@ObjectReference? hostname=3:s nodeName=4:s?\n"
    "core.v1.EndpointPort name=1:s port=2:i? protocol=3:s appProtocol=4:s?\n"
    "core.v1.EndpointSubset addresses=1:[]@EndpointAddress notReadyAddresses=2:[]@EndpointAddress"
    " ports=3:[]@EndpointPort\n"
    "core.v1.Endpoints metadata=1:@meta.v1.ObjectMeta subsets=2:[]@EndpointSubset\n"
    "core.v1.EnvFromSource prefix=1:s configMapRef=2:@ConfigMapEnvSource? secretRef=3:@SecretEnvSource?\n"
    "core.v1.EnvVar name=1:s? value=2:s valueFrom=3:@EnvVarSource?\n"
    "core.v1.EnvVarSource fieldRef=1:@ObjectFieldSelector? resourceFieldRef=2:@ResourceFieldSelector?"
    " configMapKeyRef=3:@ConfigMapKeySelector? secretKeyRef=4:@SecretKeySelector? fileKeyRef=5:@FileKeySelector?\n"
    "core.v1.EphemeralContainer ephemeralContainerCommon=1:@EphemeralContainerCommon^ targetContainerName=2:s\n"
    "core.v1.EphemeralContainerCommon name=1:s? image=2:s command=3:[]s args=4:[]s workingDir=5:s"
    " ports=6:[]@ContainerPort env=7:[]@EnvVar resources=8:@ResourceRequirements volumeMounts=9:[]@VolumeMount"
    " livenessProbe=10:@Probe? readinessProbe=11:@Probe? lifecycle=12:@Lifecycle? terminationMessagePath=13:s"
    " imagePullPolicy=14:s securityContext=15:@SecurityContext? stdin=16:t stdinOnce=17:t tty=18:t"
    " envFrom=19:[]@EnvFromSource terminationMessagePolicy=20:s volumeDevices=21:[]@VolumeDevice"
    " startupProbe=22:@Probe? resizePolicy=23:[]@ContainerResizePolicy restartPolicy=24:s?"
    " restartPolicyRules=25:[]@ContainerRestartRule\n"
    "core.v1.EphemeralVolumeSource volumeClaimTemplate=1:@PersistentVolumeClaimTemplate?\n"
    "core.v1.Event metadata=1:@meta.v1.ObjectMeta involvedObject=2:@ObjectReference reason=3:s message=4:s"
    " source=5:@EventSource firstTimestamp=6:T lastTimestamp=7:T count=8:i type=9:s eventTime=10:M"
    " series=11:@EventSeries? action=12:s related=13:@ObjectReference? reportingComponent=14:s?"
    " reportingInstance=15:s?\n"
    "core.v1.EventSeries count=1:i lastObservedTime=2:M\n"
    "core.v1.EventSource component=1:s host=2:s\n"
    "core.v1.ExecAction command=1:[]s\n"
    "core.v1.FCVolumeSource targetWWNs=1:[]s lun=2:i? fsType=3:s readOnly=4:t wwids=5:[]s\n"
    "core.v1.FileKeySelector volumeName=1:s? path=2:s? key=3:s? optional=4:t?\n"
    "core.v1.FlexPersistentVolumeSource driver=1:s? fsType=2:s secretRef=3:@SecretReference? readOnly=4:t"
    " options=5:{s}\n"
    "core.v1.FlexVolumeSource driver=1:s? fsType=2:s secretRef=3:@LocalObjectReference? readOnly=4:t"
    " options=5:{s}\n"
    "core.v1.FlockerVolumeSource datasetName=1:s datasetUUID=2:s\n"
    "core.v1.GCEPersistentDiskVolumeSource pdName=1:s? fsType=2:s partition=3:i readOnly=4:t\n"
    "core.v1.GRPCAction port=1:i? service=2:s?\n"
    "core.v1.GitRepoVolumeSource repository=1:s? revision=2:s directory=3:s\n"
    "core.v1.GlusterfsPersistentVolumeSource endpoints=1:s? path=2:s? readOnly=3:t endpointsNamespace=4:s?\n"
    "core.v1.GlusterfsVolumeSource endpoints=1:s? path=2:s? readOnly=3:t\n"
    "core.v1.HTTPGetAction path=1:s port=2:x? host=3:s scheme=4:s httpHeaders=5:[]@HTTPHeader\n"
    "core.v1.HTTPHeader name=1:s? value=2:s?\n"
    "core.v1.HostAlias ip=1:s? hostnames=2:[]s\n"
    "core.v1.HostIP ip=1:s?\n"
    "core.v1.HostPathVolumeSource path=1:s? type=2:s?\n"
    "core.v1.ISCSIPersistentVolumeSource targetPortal=1:s? iqn=2:s? lun=3:i? iscsiInterface=4:s fsType=5:s"
    " readOnly=6:t portals=7:[]s chapAuthDiscovery=8:t secretRef=10:@SecretReference? chapAuthSession=11:t"
    " initiatorName=12:s?\n"
    "core.v1.ISCSIVolumeSource targetPortal=1:s? iqn=2:s? lun=3:i? iscsiInterface=4:s fsType=5:s readOnly=6:t"
    " portals=7:[]s chapAuthDiscovery=8:t secretRef=10:@LocalObjectReference? chapAuthSession=11:t"
    " initiatorName=12:s?\n"
    "core.v1.ImageVolumeSource reference=1:s pullPolicy=2:s\n"
    "core.v1.KeyToPath key=1:s? path=2:s? mode=3:i?\n"
    "core.v1.Lifecycle postStart=1:@LifecycleHandler? preStop=2:@LifecycleHandler? stopSignal=3:s?\n"
    "core.v1.LifecycleHandler exec=1:@ExecAction? httpGet=2:@HTTPGetAction? tcpSocket=3:@TCPSocketAction?"
    " sleep=4:@SleepAction?\n"
    "core.v1.LimitRange metadata=1:@meta.v1.ObjectMeta spec=2:@LimitRangeSpec\n"
    "core.v1.LimitRangeItem type=1:s? max=2:{q} min=3:{q} default=4:{q} defaultRequest=5:{q}"
    " maxLimitRequestRatio=6:{q}\n"
    "core.v1.LimitRangeSpec limits=1:[]@LimitRangeItem\n"
    "core.v1.LinuxContainerUser uid=1:i? gid=2:i? supplementalGroups=3:[]i\n"
    "core.v1.LoadBalancerIngress ip=1:s hostname=2:s ipMode=3:s? ports=4:[]@PortStatus\n"
    "core.v1.LoadBalancerStatus ingress=1:[]@LoadBalancerIngress\n"
    "core.v1.LocalObjectReference name=1:s\n"
    "core.v1.LocalVolumeSource path=1:s? fsType=2:s?\n"
    "core.v1.ModifyVolumeStatus targetVolumeAttributesClassName=1:s status=2:s?\n"
    "core.v1.NFSVolumeSource server=1:s? path=2:s? readOnly=3:t\n"
    "core.v1.Namespace metadata=1:@meta.v1.ObjectMeta spec=2:@NamespaceSpec status=3:@NamespaceStatus\n"
    "core.v1.NamespaceCondition type=1:s? status=2:s? lastTransitionTime=4:T reason=5:s message=6:s\n"
    "core.v1.NamespaceSpec finalizers=1:[]s\n"
    "core.v1.NamespaceStatus phase=1:s conditions=2:[]@NamespaceCondition\n"
    "core.v1.Node metadata=1:@meta.v1.ObjectMeta spec=2:@NodeSpec status=3:@NodeStatus\n"
    "core.v1.NodeAddress type=1:s? address=2:s?\n"
    "core.v1.NodeAffinity requiredDuringSchedulingIgnoredDuringExecution=1:@NodeSelector?"
    " preferredDuringSchedulingIgnoredDuringExecution=2:[]@PreferredSchedulingTerm\n"
    "core.v1.NodeCondition type=1:s? status=2:s? lastHeartbeatTime=3:T lastTransitionTime=4:T reason=5:s"
    " message=6:s\n"
    "core.v1.NodeConfigSource configMap=2:@ConfigMapNodeConfigSource?\n"
    "core.v1.NodeConfigStatus assigned=1:@NodeConfigSource? active=2:@NodeConfigSource?"
    " lastKnownGood=3:@NodeConfigSource? error=4:s\n"
    "core.v1.NodeDaemonEndpoints kubeletEndpoint=1:@DaemonEndpoint\n"
    "core.v1.NodeFeatures supplementalGroupsPolicy=1:t?\n"
    "core.v1.NodeRuntimeHandler name=1:s? features=2:@NodeRuntimeHandlerFeatures?\n"
    "core.v1.NodeRuntimeHandlerFeatures recursiveReadOnlyMounts=1:t? userNamespaces=2:t?\n"
    "core.v1.NodeSelector nodeSelectorTerms=1:[]@NodeSelectorTerm\n"
    "core.v1.NodeSelectorRequirement key=1:s? operator=2:s? values=3:[]s\n"
    "core.v1.NodeSelectorTerm matchExpressions=1:[]@NodeSelectorRequirement"
    " matchFields=2:[]@NodeSelectorRequirement\n"
    "core.v1.NodeSpec podCIDR=1:s externalID=2:s providerID=3:s unschedulable=4:t taints=5:[]@Taint"
    " configSource=6:@NodeConfigSource? podCIDRs=7:[]s\n"
    "core.v1.NodeStatus capacity=1:{q} allocatable=2:{q} phase=3:s conditions=4:[]@NodeCondition"
    " addresses=5:[]@NodeAddress daemonEndpoints=6:@NodeDaemonEndpoints nodeInfo=7:@NodeSystemInfo"
    " images=8:[]@ContainerImage volumesInUse=9:[]s volumesAttached=10:[]@AttachedVolume"
    " config=11:@NodeConfigStatus? runtimeHandlers=12:[]@NodeRuntimeHandler features=13:@NodeFeatures?"
    " declaredFeatures=14:[]s\n"
    "core.v1.NodeSwapStatus capacity=1:i?\n"
    "core.v1.NodeSystemInfo machineID=1:s? systemUUID=2:s? bootID=3:s? kernelVersion=4:s? osImage=5:s?"
    " containerRuntimeVersion=6:s? kubeletVersion=7:s? kubeProxyVersion=8:s? operatingSystem=9:s?"
    " architecture=10:s? swap=11:@NodeSwapStatus?\n"
    "core.v1.ObjectFieldSelector apiVersion=1:s fieldPath=2:s?\n"
    "core.v1.ObjectReference kind=1:s namespace=2:s name=3:s uid=4:s apiVersion=5:s resourceVersion=6:s"
    " fieldPath=7:s\n"
    "core.v1.PersistentVolume metadata=1:@meta.v1.ObjectMeta spec=2:@PersistentVolumeSpec"
    " status=3:@PersistentVolumeStatus\n"
    "core.v1.PersistentVolumeClaim metadata=1:@meta.v1.ObjectMeta spec=2:@PersistentVolumeClaimSpec"
    " status=3:@PersistentVolumeClaimStatus\n"
    "core.v1.PersistentVolumeClaimCondition type=1:s? status=2:s? lastProbeTime=3:T lastTransitionTime=4:T"
    " reason=5:s message=6:s\n"
    "core.v1.PersistentVolumeClaimSpec accessModes=1:[]s resources=2:@VolumeResourceRequirements volumeName=3:s"
    " selector=4:@meta.v1.LabelSelector? storageClassName=5:s? volumeMode=6:s?"
    " dataSource=7:@TypedLocalObjectReference? dataSourceRef=8:@TypedObjectReference?"
    " volumeAttributesClassName=9:s?\n"
    "core.v1.PersistentVolumeClaimStatus phase=1:s accessModes=2:[]s capacity=3:{q}"
    " conditions=4:[]@PersistentVolumeClaimCondition allocatedResources=5:{q} allocatedResourceStatuses=7:{s}"
    " currentVolumeAttributesClassName=8:s? modifyVolumeStatus=9:@ModifyVolumeStatus?\n"
    "core.v1.PersistentVolumeClaimTemplate metadata=1:@meta.v1.ObjectMeta spec=2:@PersistentVolumeClaimSpec\n"
    "core.v1.PersistentVolumeClaimVolumeSource claimName=1:s? readOnly=2:t\n"
    "core.v1.PersistentVolumeSource gcePersistentDisk=1:@GCEPersistentDiskVolumeSource?"
    " awsElasticBlockStore=2:@AWSElasticBlockStoreVolumeSource? hostPath=3:@HostPathVolumeSource?"
    " glusterfs=4:@GlusterfsPersistentVolumeSource? nfs=5:@NFSVolumeSource? rbd=6:@RBDPersistentVolumeSource?"
    " iscsi=7:@ISCSIPersistentVolumeSource? cinder=8:@CinderPersistentVolumeSource?"
    " cephfs=9:@CephFSPersistentVolumeSource? fc=10:@FCVolumeSource? flocker=11:@FlockerVolumeSource?"
    " flexVolume=12:@FlexPersistentVolumeSource? azureFile=13:@AzureFilePersistentVolumeSource?"
    " vsphereVolume=14:@VsphereVirtualDiskVolumeSource? quobyte=15:@QuobyteVolumeSource?"
    " azureDisk=16:@AzureDiskVolumeSource? photonPersistentDisk=17:@PhotonPersistentDiskVolumeSource?"
    " portworxVolume=18:@PortworxVolumeSource? scaleIO=19:@ScaleIOPersistentVolumeSource?"
    " local=20:@LocalVolumeSource? storageos=21:@StorageOSPersistentVolumeSource?"
    " csi=22:@CSIPersistentVolumeSource?\n"
    "core.v1.PersistentVolumeSpec capacity=1:{q} persistentVolumeSource=2:@PersistentVolumeSource^"
    " accessModes=3:[]s claimRef=4:@ObjectReference? persistentVolumeReclaimPolicy=5:s storageClassName=6:s"
    " mountOptions=7:[]s volumeMode=8:s? nodeAffinity=9:@VolumeNodeAffinity? volumeAttributesClassName=10:s?\n"
    "core.v1.PersistentVolumeStatus phase=1:s message=2:s reason=3:s lastPhaseTransitionTime=4:T?\n"
    "core.v1.PhotonPersistentDiskVolumeSource pdID=1:s? fsType=2:s\n"
    "core.v1.Pod metadata=1:@meta.v1.ObjectMeta spec=2:@PodSpec status=3:@PodStatus\n"
    "core.v1.PodAffinity requiredDuringSchedulingIgnoredDuringExecution=1:[]@PodAffinityTerm"
    " preferredDuringSchedulingIgnoredDuringExecution=2:[]@WeightedPodAffinityTerm\n"
    "core.v1.PodAffinityTerm labelSelector=1:@meta.v1.LabelSelector? namespaces=2:[]s topologyKey=3:s?"
    " namespaceSelector=4:@meta.v1.LabelSelector? matchLabelKeys=5:[]s mismatchLabelKeys=6:[]s\n"
    "core.v1.PodAntiAffinity requiredDuringSchedulingIgnoredDuringExecution=1:[]@PodAffinityTerm"
    " preferredDuringSchedulingIgnoredDuringExecution=2:[]@WeightedPodAffinityTerm\n"
    "core.v1.PodCertificateProjection signerName=1:s keyType=2:s maxExpirationSeconds=3:i?"
    " credentialBundlePath=4:s keyPath=5:s certificateChainPath=6:s userAnnotations=7:{s}\n"
    "core.v1.PodCondition type=1:s? status=2:s? lastProbeTime=3:T lastTransitionTime=4:T reason=5:s message=6:s"
    " observedGeneration=7:i\n"
    "core.v1.PodDNSConfig nameservers=1:[]s searches=2:[]s options=3:[]@PodDNSConfigOption\n"
    "core.v1.PodDNSConfigOption name=1:s value=2:s?\n"
    "core.v1.PodExtendedResourceClaimStatus requestMappings=1:[]@ContainerExtendedResourceRequest"
    " resourceClaimName=2:s?\n"
    "core.v1.PodIP ip=1:s?\n"
    "core.v1.PodOS name=1:s?\n"
    "core.v1.PodReadinessGate conditionType=1:s?\n"
    "core.v1.PodResourceClaim name=1:s? resourceClaimName=3:s? resourceClaimTemplateName=4:s?\n"
    "core.v1.PodResourceClaimStatus name=1:s? resourceClaimName=2:s?\n"
    "core.v1.PodSchedulingGate name=1:s?\n"
    "core.v1.PodSecurityContext seLinuxOptions=1:@SELinuxOptions? runAsUser=2:i? runAsNonRoot=3:t?"
    " supplementalGroups=4:[]i fsGroup=5:i? runAsGroup=6:i? sysctls=7:[]@Sysctl"
    " windowsOptions=8:@WindowsSecurityContextOptions? fsGroupChangePolicy=9:s?"
    " seccompProfile=10:@SeccompProfile? appArmorProfile=11:@AppArmorProfile? supplementalGroupsPolicy=12:s?"
    " seLinuxChangePolicy=13:s?\n"
    "core.v1.PodSpec volumes=1:[]@Volume containers=2:[]@Container restartPolicy=3:s"
    " terminationGracePeriodSeconds=4:i? activeDeadlineSeconds=5:i? dnsPolicy=6:s nodeSelector=7:{s}"
    " serviceAccountName=8:s serviceAccount=9:s nodeName=10:s hostNetwork=11:t hostPID=12:t hostIPC=13:t"
    " securityContext=14:@PodSecurityContext? imagePullSecrets=15:[]@LocalObjectReference hostname=16:s"
    " subdomain=17:s affinity=18:@Affinity? schedulerName=19:s initContainers=20:[]@Container"
    " automountServiceAccountToken=21:t? tolerations=22:[]@Toleration hostAliases=23:[]@HostAlias"
    " priorityClassName=24:s priority=25:i? dnsConfig=26:@PodDNSConfig? shareProcessNamespace=27:t?"
    " readinessGates=28:[]@PodReadinessGate runtimeClassName=29:s? enableServiceLinks=30:t?"
    " preemptionPolicy=31:s? overhead=32:{q} topologySpreadConstraints=33:[]@TopologySpreadConstraint"
    " ephemeralContainers=34:[]@EphemeralContainer setHostnameAsFQDN=35:t? os=36:@PodOS? hostUsers=37:t?"
    " schedulingGates=38:[]@PodSchedulingGate resourceClaims=39:[]@PodResourceClaim"
    " resources=40:@ResourceRequirements? hostnameOverride=41:s? workloadRef=42:@WorkloadReference?\n"
    "core.v1.PodStatus phase=1:s conditions=2:[]@PodCondition message=3:s reason=4:s hostIP=5:s podIP=6:s"
    " startTime=7:T? containerStatuses=8:[]@ContainerStatus qosClass=9:s"
    " initContainerStatuses=10:[]@ContainerStatus nominatedNodeName=11:s podIPs=12:[]@PodIP"
    " ephemeralContainerStatuses=13:[]@ContainerStatus resize=14:s"
    " resourceClaimStatuses=15:[]@PodResourceClaimStatus hostIPs=16:[]@HostIP observedGeneration=17:i"
    " extendedResourceClaimStatus=18:@PodExtendedResourceClaimStatus? allocatedResources=19:{q}"
    " resources=20:@ResourceRequirements?\n"
    "core.v1.PodTemplate metadata=1:@meta.v1.ObjectMeta template=2:@PodTemplateSpec\n"
    "core.v1.PodTemplateSpec metadata=1:@meta.v1.ObjectMeta spec=2:@PodSpec\n"
    "core.v1.PortStatus port=1:i? protocol=2:s? error=3:s?\n"
    "core.v1.PortworxVolumeSource volumeID=1:s? fsType=2:s readOnly=3:t\n"
    "core.v1.PreferredSchedulingTerm weight=1:i? preference=2:@NodeSelectorTerm\n"
    "core.v1.Probe handler=1:@ProbeHandler^ initialDelaySeconds=2:i timeoutSeconds=3:i periodSeconds=4:i"
    " successThreshold=5:i failureThreshold=6:i terminationGracePeriodSeconds=7:i?\n"
    "core.v1.ProbeHandler exec=1:@ExecAction? httpGet=2:@HTTPGetAction? tcpSocket=3:@TCPSocketAction?"
    " grpc=4:@GRPCAction?\n"
    "core.v1.ProjectedVolumeSource sources=1:[]@VolumeProjection defaultMode=2:i?\n"
    "core.v1.QuobyteVolumeSource registry=1:s? volume=2:s? readOnly=3:t user=4:s group=5:s tenant=6:s\n"
    "core.v1.RBDPersistentVolumeSource monitors=1:[]s image=2:s? fsType=3:s pool=4:s user=5:s keyring=6:s"
    " secretRef=7:@SecretReference? readOnly=8:t\n"
    "core.v1.RBDVolumeSource monitors=1:[]s image=2:s? fsType=3:s pool=4:s user=5:s keyring=6:s"
    " secretRef=7:@LocalObjectReference? readOnly=8:t\n"
    "core.v1.ReplicationController metadata=1:@meta.v1.ObjectMeta spec=2:@ReplicationControllerSpec"
    " status=3:@ReplicationControllerStatus\n"
    "core.v1.ReplicationControllerCondition type=1:s? status=2:s? lastTransitionTime=3:T reason=4:s message=5:s\n"
    "core.v1.ReplicationControllerSpec replicas=1:i? selector=2:{s} template=3:@PodTemplateSpec?"
    " minReadySeconds=4:i\n"
    "core.v1.ReplicationControllerStatus replicas=1:i? fullyLabeledReplicas=2:i observedGeneration=3:i"
    " readyReplicas=4:i availableReplicas=5:i conditions=6:[]@ReplicationControllerCondition\n"
    "core.v1.ResourceClaim name=1:s? request=2:s\n"
    "core.v1.ResourceFieldSelector containerName=1:s resource=2:s? divisor=3:q\n"
    "core.v1.ResourceHealth resourceID=1:s? health=2:s\n"
    "core.v1.ResourceQuota metadata=1:@meta.v1.ObjectMeta spec=2:@ResourceQuotaSpec"
    " status=3:@ResourceQuotaStatus\n"
    "core.v1.ResourceQuotaSpec hard=1:{q} scopes=2:[]s scopeSelector=3:@ScopeSelector?\n"
    "core.v1.ResourceQuotaStatus hard=1:{q} used=2:{q}\n"
    "core.v1.ResourceRequirements limits=1:{q} requests=2:{q} claims=3:[]@ResourceClaim\n"
    "core.v1.ResourceStatus name=1:s? resources=2:[]@ResourceHealth\n"
    "core.v1.SELinuxOptions user=1:s role=2:s type=3:s level=4:s\n"
    "core.v1.ScaleIOPersistentVolumeSource gateway=1:s? system=2:s? secretRef=3:@SecretReference? sslEnabled=4:t"
    " protectionDomain=5:s storagePool=6:s storageMode=7:s volumeName=8:s fsType=9:s readOnly=10:t\n"
    "core.v1.ScaleIOVolumeSource gateway=1:s? system=2:s? secretRef=3:@LocalObjectReference? sslEnabled=4:t"
    " protectionDomain=5:s storagePool=6:s storageMode=7:s volumeName=8:s fsType=9:s readOnly=10:t\n"
    "core.v1.ScopeSelector matchExpressions=1:[]@ScopedResourceSelectorRequirement\n"
    "core.v1.ScopedResourceSelectorRequirement scopeName=1:s? operator=2:s? values=3:[]s\n"
    "core.v1.SeccompProfile type=1:s? localhostProfile=2:s?\n"
    "core.v1.Secret metadata=1:@meta.v1.ObjectMeta data=2:{b} type=3:s stringData=4:{s} immutable=5:t?\n"
    "core.v1.SecretEnvSource localObjectReference=1:@LocalObjectReference^ optional=2:t?\n"
    "core.v1.SecretKeySelector localObjectReference=1:@LocalObjectReference^ key=2:s? optional=3:t?\n"
    "core.v1.SecretProjection localObjectReference=1:@LocalObjectReference^ items=2:[]@KeyToPath optional=4:t?\n"
    "core.v1.SecretReference name=1:s namespace=2:s\n"
    "core.v1.SecretVolumeSource secretName=1:s items=2:[]@KeyToPath defaultMode=3:i? optional=4:t?\n"
    "core.v1.SecurityContext capabilities=1:@Capabilities? privileged=2:t? seLinuxOptions=3:@SELinuxOptions?"
    " runAsUser=4:i? runAsNonRoot=5:t? readOnlyRootFilesystem=6:t? allowPrivilegeEscalation=7:t? runAsGroup=8:i?"
    " procMount=9:s? windowsOptions=10:@WindowsSecurityContextOptions? seccompProfile=11:@SeccompProfile?"
    " appArmorProfile=12:@AppArmorProfile?\n"
    "core.v1.Service metadata=1:@meta.v1.ObjectMeta spec=2:@ServiceSpec status=3:@ServiceStatus\n"
    "core.v1.ServiceAccount metadata=1:@meta.v1.ObjectMeta secrets=2:[]@ObjectReference"
    " imagePullSecrets=3:[]@LocalObjectReference automountServiceAccountToken=4:t?\n"
    "core.v1.ServiceAccountTokenProjection audience=1:s expirationSeconds=2:i? path=3:s?\n"
    "core.v1.ServicePort name=1:s protocol=2:s port=3:i? targetPort=4:x nodePort=5:i appProtocol=6:s?\n"
    "core.v1.ServiceSpec ports=1:[]@ServicePort selector=2:{s} clusterIP=3:s type=4:s externalIPs=5:[]s"
    " sessionAffinity=7:s loadBalancerIP=8:s loadBalancerSourceRanges=9:[]s externalName=10:s"
    " externalTrafficPolicy=11:s healthCheckNodePort=12:i publishNotReadyAddresses=13:t"
    " sessionAffinityConfig=14:@SessionAffinityConfig? ipFamilyPolicy=17:s? clusterIPs=18:[]s ipFamilies=19:[]s"
    " allocateLoadBalancerNodePorts=20:t? loadBalancerClass=21:s? internalTrafficPolicy=22:s?"
    " trafficDistribution=23:s?\n"
    "core.v1.ServiceStatus loadBalancer=1:@LoadBalancerStatus conditions=2:[]@meta.v1.Condition\n"
    "core.v1.SessionAffinityConfig clientIP=1:@ClientIPConfig?\n"
    "core.v1.SleepAction seconds=1:i?\n"
    "core.v1.StorageOSPersistentVolumeSource volumeName=1:s volumeNamespace=2:s fsType=3:s readOnly=4:t"
    " secretRef=5:@ObjectReference?\n"
    "core.v1.StorageOSVolumeSource volumeName=1:s volumeNamespace=2:s fsType=3:s readOnly=4:t"
    " secretRef=5:@LocalObjectReference?\n"
    "core.v1.Sysctl name=1:s? value=2:s?\n"
    "core.v1.TCPSocketAction port=1:x? host=2:s\n"
    "core.v1.Taint key=1:s? value=2:s effect=3:s? timeAdded=4:T?\n"
    "core.v1.Toleration key=1:s operator=2:s value=3:s effect=4:s tolerationSeconds=5:i?\n"
    "core.v1.TopologySelectorLabelRequirement key=1:s? values=2:[]s\n"
    "core.v1.TopologySelectorTerm matchLabelExpressions=1:[]@TopologySelectorLabelRequirement\n"
    "core.v1.TopologySpreadConstraint maxSkew=1:i? topologyKey=2:s? whenUnsatisfiable=3:s?"
    " labelSelector=4:@meta.v1.LabelSelector? minDomains=5:i? nodeAffinityPolicy=6:s? nodeTaintsPolicy=7:s?"
    " matchLabelKeys=8:[]s\n"
    "core.v1.TypedLocalObjectReference apiGroup=1:s? kind=2:s? name=3:s?\n"
    "core.v1.TypedObjectReference apiGroup=1:s? kind=2:s? name=3:s? namespace=4:s?\n"
    "core.v1.Volume name=1:s? volumeSource=2:@VolumeSource^\n"
    "core.v1.VolumeDevice name=1:s? devicePath=2:s?\n"
    "core.v1.VolumeMount name=1:s? readOnly=2:t mountPath=3:s? subPath=4:s mountPropagation=5:s? subPathExpr=6:s"
    " recursiveReadOnly=7:s?\n"
    "core.v1.VolumeMountStatus name=1:s? mountPath=2:s? readOnly=3:t recursiveReadOnly=4:s?\n"
    "core.v1.VolumeNodeAffinity required=1:@NodeSelector?\n"
    "core.v1.VolumeProjection secret=1:@SecretProjection? downwardAPI=2:@DownwardAPIProjection?"
    " configMap=3:@ConfigMapProjection? serviceAccountToken=4:@ServiceAccountTokenProjection?"
    " clusterTrustBundle=5:@ClusterTrustBundleProjection? podCertificate=6:@PodCertificateProjection?\n"
    "core.v1.VolumeResourceRequirements limits=1:{q} requests=2:{q}\n"
    "core.v1.VolumeSource hostPath=1:@HostPathVolumeSource? emptyDir=2:@EmptyDirVolumeSource?"
    " gcePersistentDisk=3:@GCEPersistentDiskVolumeSource?"
    " awsElasticBlockStore=4:@AWSElasticBlockStoreVolumeSource? gitRepo=5:@GitRepoVolumeSource?"
    " secret=6:@SecretVolumeSource? nfs=7:@NFSVolumeSource? iscsi=8:@ISCSIVolumeSource?"
    " glusterfs=9:@GlusterfsVolumeSource? persistentVolumeClaim=10:@PersistentVolumeClaimVolumeSource?"
    " rbd=11:@RBDVolumeSource? flexVolume=12:@FlexVolumeSource? cinder=13:@CinderVolumeSource?"
    " cephfs=14:@CephFSVolumeSource? flocker=15:@FlockerVolumeSource? downwardAPI=16:@DownwardAPIVolumeSource?"
    " fc=17:@FCVolumeSource? azureFile=18:@AzureFileVolumeSource? configMap=19:@ConfigMapVolumeSource?"
    " vsphereVolume=20:@VsphereVirtualDiskVolumeSource? quobyte=21:@QuobyteVolumeSource?"
    " azureDisk=22:@AzureDiskVolumeSource? photonPersistentDisk=23:@PhotonPersistentDiskVolumeSource?"
    " portworxVolume=24:@PortworxVolumeSource? scaleIO=25:@ScaleIOVolumeSource?"
    " projected=26:@ProjectedVolumeSource? storageos=27:@StorageOSVolumeSource? csi=28:@CSIVolumeSource?"
    " ephemeral=29:@EphemeralVolumeSource? image=30:@ImageVolumeSource?\n"
    "core.v1.VsphereVirtualDiskVolumeSource volumePath=1:s? fsType=2:s storagePolicyName=3:s storagePolicyID=4:s\n"
    "core.v1.WeightedPodAffinityTerm weight=1:i? podAffinityTerm=2:@PodAffinityTerm\n"
    "core.v1.WindowsSecurityContextOptions gmsaCredentialSpecName=1:s? gmsaCredentialSpec=2:s?"
    " runAsUserName=3:s? hostProcess=4:t?\n"
    "core.v1.WorkloadReference name=1:s? podGroup=2:s? podGroupReplicaKey=3:s\n"
    "discovery.v1.Endpoint addresses=1:[]s conditions=2:@EndpointConditions hostname=3:s?"
    " targetRef=4:@core.v1.ObjectReference? deprecatedTopology=5:{s} nodeName=6:s? zone=7:s?"
    " hints=8:@EndpointHints?\n"
    "discovery.v1.EndpointConditions ready=1:t? serving=2:t? terminating=3:t?\n"
    "discovery.v1.EndpointHints forZones=1:[]@ForZone forNodes=2:[]@ForNode\n"
    "discovery.v1.EndpointPort name=1:s? protocol=2:s? port=3:i? appProtocol=4:s?\n"
    "discovery.v1.EndpointSlice metadata=1:@meta.v1.ObjectMeta endpoints=2:[]@Endpoint ports=3:[]@EndpointPort"
    " addressType=4:s?\n"
    "discovery.v1.ForNode name=1:s?\n"
    "discovery.v1.ForZone name=1:s?\n"
    "networking.v1.HTTPIngressPath path=1:s backend=2:@IngressBackend pathType=3:s?\n"
    "networking.v1.HTTPIngressRuleValue paths=1:[]@HTTPIngressPath\n"
    "networking.v1.IPBlock cidr=1:s? except=2:[]s\n"
    "networking.v1.Ingress metadata=1:@meta.v1.ObjectMeta spec=2:@IngressSpec status=3:@IngressStatus\n"
    "networking.v1.IngressBackend resource=3:@core.v1.TypedLocalObjectReference?"
    " service=4:@IngressServiceBackend?\n"
    "networking.v1.IngressClass metadata=1:@meta.v1.ObjectMeta spec=2:@IngressClassSpec\n"
    "networking.v1.IngressClassParametersReference apiGroup=1:s? kind=2:s? name=3:s? scope=4:s? namespace=5:s?\n"
    "networking.v1.IngressClassSpec controller=1:s parameters=2:@IngressClassParametersReference?\n"
    "networking.v1.IngressLoadBalancerIngress ip=1:s hostname=2:s ports=4:[]@IngressPortStatus\n"
    "networking.v1.IngressLoadBalancerStatus ingress=1:[]@IngressLoadBalancerIngress\n"
    "networking.v1.IngressPortStatus port=1:i? protocol=2:s? error=3:s?\n"
    "networking.v1.IngressRule host=1:s ingressRuleValue=2:@IngressRuleValue^\n"
    "networking.v1.IngressRuleValue http=1:@HTTPIngressRuleValue?\n"
    "networking.v1.IngressServiceBackend name=1:s? port=2:@ServiceBackendPort\n"
    "networking.v1.IngressSpec defaultBackend=1:@IngressBackend? tls=2:[]@IngressTLS rules=3:[]@IngressRule"
    " ingressClassName=4:s?\n"
    "networking.v1.IngressStatus loadBalancer=1:@IngressLoadBalancerStatus\n"
    "networking.v1.IngressTLS hosts=1:[]s secretName=2:s\n"
    "networking.v1.NetworkPolicy metadata=1:@meta.v1.ObjectMeta spec=2:@NetworkPolicySpec\n"
    "networking.v1.NetworkPolicyEgressRule ports=1:[]@NetworkPolicyPort to=2:[]@NetworkPolicyPeer\n"
    "networking.v1.NetworkPolicyIngressRule ports=1:[]@NetworkPolicyPort from=2:[]@NetworkPolicyPeer\n"
    "networking.v1.NetworkPolicyPeer podSelector=1:@meta.v1.LabelSelector?"
    " namespaceSelector=2:@meta.v1.LabelSelector? ipBlock=3:@IPBlock?\n"
    "networking.v1.NetworkPolicyPort protocol=1:s? port=2:x? endPort=3:i?\n"
    "networking.v1.NetworkPolicySpec podSelector=1:@meta.v1.LabelSelector ingress=2:[]@NetworkPolicyIngressRule"
    " egress=3:[]@NetworkPolicyEgressRule policyTypes=4:[]s\n"
    "networking.v1.ServiceBackendPort name=1:s number=2:i\n"
    "policy.v1.Eviction metadata=1:@meta.v1.ObjectMeta deleteOptions=2:@meta.v1.DeleteOptions?\n"
    "policy.v1.PodDisruptionBudget metadata=1:@meta.v1.ObjectMeta spec=2:@PodDisruptionBudgetSpec"
    " status=3:@PodDisruptionBudgetStatus\n"
    "policy.v1.PodDisruptionBudgetSpec minAvailable=1:x? selector=2:@meta.v1.LabelSelector? maxUnavailable=3:x?"
    " unhealthyPodEvictionPolicy=4:s?\n"
    "policy.v1.PodDisruptionBudgetStatus observedGeneration=1:i disruptedPods=2:{T} disruptionsAllowed=3:i?"
    " currentHealthy=4:i? desiredHealthy=5:i? expectedPods=6:i? conditions=7:[]@meta.v1.Condition\n"
    "rbac.v1.AggregationRule clusterRoleSelectors=1:[]@meta.v1.LabelSelector\n"
    "rbac.v1.ClusterRole metadata=1:@meta.v1.ObjectMeta rules=2:[]@PolicyRule"
    " aggregationRule=3:@AggregationRule?\n"
    "rbac.v1.ClusterRoleBinding metadata=1:@meta.v1.ObjectMeta subjects=2:[]@Subject roleRef=3:@RoleRef\n"
    "rbac.v1.PolicyRule verbs=1:[]s apiGroups=2:[]s resources=3:[]s resourceNames=4:[]s nonResourceURLs=5:[]s\n"
    "rbac.v1.Role metadata=1:@meta.v1.ObjectMeta rules=2:[]@PolicyRule\n"
    "rbac.v1.RoleBinding metadata=1:@meta.v1.ObjectMeta subjects=2:[]@Subject roleRef=3:@RoleRef\n"
    "rbac.v1.RoleRef apiGroup=1:s? kind=2:s? name=3:s?\n"
    "rbac.v1.Subject kind=1:s? apiGroup=2:s name=3:s? namespace=4:s\n"
    "scheduling.v1.PriorityClass metadata=1:@meta.v1.ObjectMeta value=2:i? globalDefault=3:t description=4:s"
    " preemptionPolicy=5:s?\n"
    "storage.v1.StorageClass metadata=1:@meta.v1.ObjectMeta provisioner=2:s? parameters=3:{s} reclaimPolicy=4:s?"
    " mountOptions=5:[]s allowVolumeExpansion=6:t? volumeBindingMode=7:s?"
    " allowedTopologies=8:[]@core.v1.TopologySelectorTerm\n";
// clang-format on

}  // namespace

}  // namespace k1s::api
