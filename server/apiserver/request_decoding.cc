#include "server/apiserver/request_decoding.h"

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>
#include <cctype>
#include <cstdio>

#include "lib/api/go_format.h"
#include "lib/api/meta.h"
#include "lib/api/status.h"
#include "server/registry/apply.h"

namespace k1s::apiserver {

namespace json = boost::json;

namespace {

constexpr char kBodyMediaTypes[] = "application/json, application/yaml, application/vnd.kubernetes.protobuf";
constexpr char kCustomBodyMediaTypes[] = "application/json, application/yaml";
// Where upstream's scheme of built-in kinds was created; its not-registered errors name it.
constexpr char kSchemeName[] = "pkg/api/legacyscheme/scheme.go:30";

Error UnsupportedMediaType(std::string_view accepted) {
  return Error{ErrorCode::kUnsupportedMediaType,
               "the body of the request was in an unknown format - accepted media types include: " +
                   std::string(accepted)};
}

std::string_view TrimSpace(std::string_view s) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

// Go's hex.EncodeToString.
std::string Hex(std::string_view s) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(s.size() * 2);
  for (unsigned char c : s) {
    out += kDigits[c >> 4];
    out += kDigits[c & 0xf];
  }
  return out;
}

// How upstream quotes a body it could not decode: JSON as text, anything else in hex, cut at max bytes.
std::string SummarizeBody(std::string_view body, size_t max) {
  if (body.empty()) return "<empty>";
  const bool cut = body.size() > max;
  std::string_view head = cut ? body.substr(0, max) : body;
  std::string out = body[0] == '{' ? std::string(head) : Hex(head);
  return cut ? out + " ..." : out;
}

// The Go package holding a group's internal (hub) types: core for the legacy group (and the
// events.k8s.io Event, which shares core's), else the group's first label (rbac, apps, batch, ...).
std::string InternalPackage(const std::string& group, const std::string& kind) {
  if (group.empty() || (group == "events.k8s.io" && kind == "Event")) return "core";
  return group.substr(0, group.find('.'));
}

std::string StringField(const json::object& o, const char* key) {
  auto it = o.find(key);
  return it != o.end() && it->value().is_string() ? std::string(it->value().as_string()) : "";
}

// Go's strconv.ParseInt(s, 10, 64) with its error text.
Result<int64_t> GoParseInt(std::string_view s) {
  auto fail = [&](const char* why) {
    return Fail(ErrorCode::kBadRequest, "strconv.ParseInt: parsing " + api::GoQuote(s) + ": " + why);
  };
  size_t i = 0;
  bool negative = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    i = 1;
  }
  if (i == s.size()) return fail("invalid syntax");
  uint64_t n = 0;
  constexpr uint64_t kCutoff = UINT64_MAX / 10 + 1;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return fail("invalid syntax");
    if (n >= kCutoff) return fail("value out of range");
    uint64_t next = n * 10 + static_cast<uint64_t>(s[i] - '0');
    if (next < n) return fail("value out of range");
    n = next;
  }
  if (!negative && n > static_cast<uint64_t>(INT64_MAX)) return fail("value out of range");
  if (negative && n > static_cast<uint64_t>(INT64_MAX) + 1) return fail("value out of range");
  return negative ? static_cast<int64_t>(0 - n) : static_cast<int64_t>(n);
}

// Go's time package quoting: bytes outside printable ASCII as \xNN.
std::string TimeQuote(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c >= 0x80 || c < ' ') {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      if (c == '"' || c == '\\') out += '\\';
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

// The options kind whose validation a write's query goes through.
std::string OptionsKind(const std::string& method) {
  if (method == "POST") return "CreateOptions";
  if (method == "PUT") return "UpdateOptions";
  return "PatchOptions";
}

// The code point starting at s[i] (UTF-8; an invalid byte reads as U+FFFD) and its length.
std::pair<uint32_t, size_t> DecodeRune(std::string_view s, size_t i) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) return {c, 1};
  size_t len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 0;
  if (len == 0 || i + len > s.size()) return {0xfffd, 1};
  uint32_t r = c & (0x3f >> (len - 1));
  for (size_t k = 1; k < len; ++k) {
    unsigned char cc = static_cast<unsigned char>(s[i + k]);
    if ((cc & 0xc0) != 0x80) return {0xfffd, 1};
    r = (r << 6) | (cc & 0x3f);
  }
  return {r, len};
}

}  // namespace

std::string MediaTypeOf(std::string_view content_type) {
  std::string_view t = TrimSpace(content_type.substr(0, content_type.find(';')));
  std::string out(t);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

Result<BodyFormat> NegotiateBodyFormat(std::string_view content_type, bool custom_resource) {
  std::string type = MediaTypeOf(content_type);
  if (TrimSpace(content_type).empty() || type == "application/json") return BodyFormat::kJson;
  if (type == "application/yaml") return BodyFormat::kYaml;
  if (type == "application/vnd.kubernetes.protobuf" && !custom_resource) return BodyFormat::kProtobuf;
  return Fail(UnsupportedMediaType(custom_resource ? kCustomBodyMediaTypes : kBodyMediaTypes));
}

Result<json::object> DecodeTextBody(BodyFormat format, std::string_view body, std::string_view kind) {
  if (format != BodyFormat::kYaml) return api::ParseObject(body);
  auto unrecognized = [&](const std::string& why) {
    return Fail(ErrorCode::kBadRequest, "the object provided is unrecognized (must be of type " + std::string(kind) +
                                            "): " + why + " (" + SummarizeBody(body, 30) + ")");
  };
  if (TrimSpace(body).empty()) return json::object();  // YAML's null: an empty object, as upstream reads it
  auto obj = registry::ParseApplyBody(body);
  if (obj.ok()) return obj;
  const std::string& msg = obj.error().message;
  if (msg.rfind("error converting YAML to JSON", 0) == 0) return unrecognized(msg);
  if (msg == "the apply body is empty") return json::object();
  // A list or a scalar: what Go's JSON decoder says when reading apiVersion and kind from it.
  std::string what = msg.find("list") != std::string::npos ? "array" : "string";
  return unrecognized("couldn't get version/kind; json parse error: json: cannot unmarshal " + what +
                      " into Go value of type struct { APIVersion string \"json:\\\"apiVersion,omitempty\\\"\"; "
                      "Kind string \"json:\\\"kind,omitempty\\\"\" }");
}

Status CheckBodyKind(const json::object& body, const registry::ResourceInfo& r,
                     const std::vector<registry::ResourceInfo>& resources) {
  const std::string api_version = StringField(body, "apiVersion");
  const std::string data_kind = StringField(body, "kind");
  if (api_version.empty() && data_kind.empty()) return OkStatus();
  const std::string expected = r.GroupVersion();
  std::string group = r.group, version = r.version;
  if (!api_version.empty()) {
    auto slash = api_version.find('/');
    group = slash == std::string::npos ? "" : api_version.substr(0, slash);
    version = slash == std::string::npos ? api_version : api_version.substr(slash + 1);
  }
  const std::string kind = data_kind.empty() ? r.kind : data_kind;
  const std::string data_gv = group.empty() ? version : group + "/" + version;
  auto version_mismatch = [&] {
    return Fail(ErrorCode::kBadRequest, "the API version in the data (" + data_gv +
                                            ") does not match the expected API version (" + expected + ")");
  };
  if (r.custom) {
    // Custom resources are decoded as unstructured objects: only the version is compared here (the
    // kind is the registry's to check).
    if (data_gv != expected) return version_mismatch();
    return OkStatus();
  }
  if (group == r.group && version == r.version && kind == r.kind) return OkStatus();
  bool served = false;
  for (const auto& other : resources) {
    if (other.group == group && other.version == version && other.kind == kind && !other.custom) served = true;
  }
  const std::string prefix = kind + " in version " + api::GoQuote(version) + " cannot be handled as a " + r.kind + ": ";
  if (!served) {
    return Fail(ErrorCode::kBadRequest, prefix + "no kind " + api::GoQuote(kind) + " is registered for version " +
                                            api::GoQuote(data_gv) + " in scheme " + api::GoQuote(kSchemeName));
  }
  if (kind == r.kind && InternalPackage(group, kind) == InternalPackage(r.group, r.kind)) return version_mismatch();
  return Fail(ErrorCode::kBadRequest, prefix + "converting (" + version + "." + kind + ") to (" +
                                          InternalPackage(r.group, r.kind) + "." + r.kind + "): unknown conversion");
}

Result<registry::PatchType> NegotiatePatchType(std::string_view content_type, bool custom_resource) {
  std::string_view type = content_type.substr(0, content_type.find(';'));
  if (type == "application/json-patch+json") return registry::PatchType::kJson;
  if (type == "application/merge-patch+json") return registry::PatchType::kMerge;
  if (type == "application/apply-patch+yaml") return registry::PatchType::kApply;
  if (type == "application/strategic-merge-patch+json" && !custom_resource) return registry::PatchType::kStrategicMerge;
  return Fail(UnsupportedMediaType(custom_resource
                                       ? "application/json-patch+json, application/merge-patch+json, "
                                         "application/apply-patch+yaml"
                                       : "application/json-patch+json, application/merge-patch+json, "
                                         "application/strategic-merge-patch+json, application/apply-patch+yaml"));
}

Result<std::chrono::nanoseconds> ParseGoDuration(std::string_view s) {
  const std::string_view orig = s;
  auto invalid = [&] { return Fail(ErrorCode::kBadRequest, "time: invalid duration " + TimeQuote(orig)); };
  constexpr uint64_t kMax = uint64_t{1} << 63;
  bool negative = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s == "0") return std::chrono::nanoseconds(0);
  if (s.empty()) return invalid();
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  uint64_t total = 0;
  while (!s.empty()) {
    if (!(s[0] == '.' || digit(s[0]))) return invalid();
    // The integer part.
    uint64_t v = 0;
    size_t i = 0;
    for (; i < s.size() && digit(s[i]); ++i) {
      if (v > kMax / 10) return invalid();
      v = v * 10 + static_cast<uint64_t>(s[i] - '0');
      if (v > kMax) return invalid();
    }
    const bool pre = i > 0;
    s.remove_prefix(i);
    // The fraction.
    uint64_t f = 0;
    double scale = 1;
    bool post = false;
    if (!s.empty() && s[0] == '.') {
      s.remove_prefix(1);
      size_t j = 0;
      bool overflow = false;
      for (; j < s.size() && digit(s[j]); ++j) {
        if (overflow) continue;
        if (f > (kMax - 1) / 10) {
          overflow = true;
          continue;
        }
        uint64_t next = f * 10 + static_cast<uint64_t>(s[j] - '0');
        if (next > kMax) {
          overflow = true;
          continue;
        }
        f = next;
        scale *= 10;
      }
      post = j > 0;
      s.remove_prefix(j);
    }
    if (!pre && !post) return invalid();
    // The unit.
    size_t u = 0;
    while (u < s.size() && s[u] != '.' && !digit(s[u])) ++u;
    if (u == 0) return Fail(ErrorCode::kBadRequest, "time: missing unit in duration " + TimeQuote(orig));
    std::string_view unit_name = s.substr(0, u);
    s.remove_prefix(u);
    uint64_t unit = 0;
    if (unit_name == "ns") unit = 1;
    else if (unit_name == "us" || unit_name == "\xc2\xb5s" || unit_name == "\xce\xbcs") unit = 1000;
    else if (unit_name == "ms") unit = 1000000;
    else if (unit_name == "s") unit = 1000000000;
    else if (unit_name == "m") unit = 60ull * 1000000000;
    else if (unit_name == "h") unit = 3600ull * 1000000000;
    else {
      return Fail(ErrorCode::kBadRequest,
                  "time: unknown unit " + TimeQuote(unit_name) + " in duration " + TimeQuote(orig));
    }
    if (v > kMax / unit) return invalid();
    v *= unit;
    if (f > 0) {
      v += static_cast<uint64_t>(static_cast<double>(f) * (static_cast<double>(unit) / scale));
      if (v > kMax) return invalid();
    }
    total += v;
    if (total > kMax) return invalid();
  }
  if (negative) return std::chrono::nanoseconds(static_cast<int64_t>(0 - total));
  if (total > kMax - 1) return invalid();
  return std::chrono::nanoseconds(static_cast<int64_t>(total));
}

Result<std::chrono::nanoseconds> RequestTimeout(const net::HttpRequest& req, std::chrono::nanoseconds max_timeout) {
  std::string value = req.Query("timeout");
  if (value.empty()) return max_timeout;
  auto d = ParseGoDuration(value);
  if (!d.ok()) {
    return Fail(ErrorCode::kBadRequest, "invalid timeout specified in the request URL - " + d.error().message);
  }
  if (d->count() > 0 && *d < max_timeout) return *d;
  return max_timeout;
}

Error RequestTimedOut() {
  return Error{ErrorCode::kTimeout,
               "Timeout: request did not complete within requested timeout - context deadline exceeded"};
}

Error TooManyRequests(int retry_after_seconds) {
  return Error{ErrorCode::kTooManyRequests, "Too many requests, please try again later.",
               json::serialize(json::object{{"retryAfterSeconds", retry_after_seconds}})};
}

std::optional<bool> QueryBool(const net::HttpRequest& req, const std::string& name) {
  if (!req.HasQuery(name)) return std::nullopt;
  std::string v = req.Query(name);
  for (auto& c : v) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return !(v == "0" || v == "f" || v == "false");
}

Result<std::optional<int64_t>> QueryInt64(const net::HttpRequest& req, const std::string& name) {
  const std::string raw = req.Query(name);
  std::string_view v = TrimSpace(raw);
  if (v.empty()) return std::optional<int64_t>();
  K1S_ASSIGN_OR_RETURN(int64_t n, GoParseInt(v));
  return std::optional<int64_t>(n);
}

bool IsWatchQuery(const net::HttpRequest& req) { return QueryBool(req, "watch").value_or(false); }

Status CheckListQuery(const net::HttpRequest& req) {
  for (const char* name : {"timeoutSeconds", "limit"}) {
    auto v = QueryInt64(req, name);
    if (!v.ok()) return Fail(v.error());
  }
  return OkStatus();
}

Status CheckFieldManager(const net::HttpRequest& req, bool apply) {
  constexpr size_t kMaxLength = 128;
  const std::string manager = req.Query("fieldManager");
  std::vector<api::FieldCause> causes;
  if (req.method == "PATCH") {
    if (!apply && req.HasQuery("force")) {
      causes.push_back({"force", "FieldValueForbidden", "Forbidden: may not be specified for non-apply patch"});
    }
    if (apply && manager.empty()) {
      causes.push_back({"fieldManager", "FieldValueRequired", "Required value: is required for apply patch"});
    }
  }
  if (manager.size() > kMaxLength) {
    causes.push_back({"fieldManager", "FieldValueTooLong",
                      "Too long: may not be more than " + std::to_string(kMaxLength) + " bytes"});
  }
  for (size_t i = 0; i < manager.size();) {
    auto [rune, len] = DecodeRune(manager, i);
    if (rune < 0x20 || (rune >= 0x7f && rune < 0xa0)) {
      char buf[64];
      std::snprintf(buf, sizeof buf, "invalid character U+%04X (at position %zu)", rune, i);
      causes.push_back({"fieldManager", "FieldValueInvalid", "Invalid value: " + api::GoQuote(manager) + ": " + buf});
    }
    i += len;
  }
  if (causes.empty()) return OkStatus();
  const std::string kind = OptionsKind(req.method);
  json::array list;
  std::string joined;
  for (size_t i = 0; i < causes.size(); ++i) {
    list.push_back(json::object{{"reason", causes[i].reason}, {"message", causes[i].message}, {"field", causes[i].field}});
    joined += (i ? ", " : "") + causes[i].field + ": " + causes[i].message;
  }
  if (causes.size() > 1) joined = "[" + joined + "]";
  return Fail(api::StatusError(ErrorCode::kInvalid, kind + ".meta.k8s.io \"\" is invalid: " + joined,
                               {"", "meta.k8s.io", kind, std::move(list)}));
}

}  // namespace k1s::apiserver
