#include "server/registry/crd.h"

#include <algorithm>
#include <boost/json.hpp>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <map>
#include <regex>
#include <set>

#include "lib/api/go_format.h"
#include "lib/api/json_util.h"
#include "lib/api/meta.h"
#include "server/registry/tables.h"

namespace k1s::registry {

namespace json = boost::json;
using api::ArrAt;
using api::BoolAt;
using api::ObjAt;
using api::StrAt;
using api::StringsAt;

namespace {

// ---------------------------------------------------------------------------------------------
// JSON helpers.

bool Has(const json::object* o, std::string_view k) {
  if (o == nullptr) return false;
  auto* v = o->if_contains(k);
  return v != nullptr && !v->is_null();
}
std::optional<double> Num(const json::value& v) {
  if (v.is_int64()) return static_cast<double>(v.get_int64());
  if (v.is_uint64()) return static_cast<double>(v.get_uint64());
  if (v.is_double()) return v.get_double();
  return std::nullopt;
}
std::optional<int64_t> IntOf(const json::value* v) {
  if (v == nullptr) return std::nullopt;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64()) return v->get_uint64() > static_cast<uint64_t>(INT64_MAX) ? INT64_MAX
                                                                                 : static_cast<int64_t>(v->get_uint64());
  if (v->is_double() && std::floor(v->get_double()) == v->get_double() && std::fabs(v->get_double()) < 9e18)
    return static_cast<int64_t>(v->get_double());
  return std::nullopt;
}
std::string Lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Go's %v of a float64: shortest representation, exponent form outside [1e-4, 1e21).
std::string GoFloat(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "+Inf" : "-Inf";
  if (d == std::floor(d) && std::fabs(d) < 1e21) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.0f", d);
    return buf;
  }
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);
  std::string s(buf, ec == std::errc() ? end : buf);
  double a = std::fabs(d);
  if (a < 1e-4 || a >= 1e21) {
    // to_chars may have chosen fixed form; Go prints e.g. 1e-05 with a two-digit exponent.
    std::to_chars_result r = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
    s.assign(buf, r.ptr);
    auto e = s.find('e');
    if (e != std::string::npos) {
      std::string mant = s.substr(0, e), exp = s.substr(e + 1);
      char sign = '+';
      if (!exp.empty() && (exp[0] == '-' || exp[0] == '+')) {
        sign = exp[0];
        exp = exp.substr(1);
      }
      while (exp.size() > 1 && exp[0] == '0') exp = exp.substr(1);
      if (exp.size() < 2) exp = "0" + exp;
      s = mant + "e" + sign + exp;
    }
  }
  return s;
}


// How a value prints after "Invalid value: " (apimachinery's field.Error).
std::string Repr(const json::value& v) {
  if (v.is_string()) return api::GoQuote(v.get_string());
  if (v.is_null()) return "\"null\"";
  if (v.is_double()) return GoFloat(v.get_double());
  return json::serialize(v);
}

// The JSON type name kube-openapi reports for a value.
const char* TypeName(const json::value& v) {
  switch (v.kind()) {
    case json::kind::string: return "string";
    case json::kind::int64:
    case json::kind::uint64: return "integer";
    case json::kind::double_: return "number";
    case json::kind::bool_: return "boolean";
    case json::kind::array: return "array";
    case json::kind::object: return "object";
    default: return "null";
  }
}

// Numeric-aware JSON equality (1 == 1.0), as Go compares decoded JSON after normalization.
bool JsonEqual(const json::value& a, const json::value& b) {
  auto na = Num(a), nb = Num(b);
  if (na && nb) return *na == *nb;
  if (a.kind() != b.kind()) return false;
  if (a.is_array()) {
    const auto &x = a.get_array(), &y = b.get_array();
    if (x.size() != y.size()) return false;
    for (size_t i = 0; i < x.size(); ++i)
      if (!JsonEqual(x[i], y[i])) return false;
    return true;
  }
  if (a.is_object()) {
    const auto &x = a.get_object(), &y = b.get_object();
    if (x.size() != y.size()) return false;
    for (const auto& [k, v] : x) {
      auto* w = y.if_contains(k);
      if (w == nullptr || !JsonEqual(v, *w)) return false;
    }
    return true;
  }
  return a == b;
}

std::string Child(const std::string& path, std::string_view k) {
  return path.empty() ? std::string(k) : path + "." + std::string(k);
}
std::string Index(const std::string& path, size_t i) { return path + "[" + std::to_string(i) + "]"; }
std::string Key(const std::string& path, std::string_view k) { return path + "[" + std::string(k) + "]"; }

size_t RuneCount(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

class Errs {
 public:
  void Required(const std::string& f, const std::string& detail = "") {
    Add(f, "FieldValueRequired", detail.empty() ? "Required value" : "Required value: " + detail);
  }
  void Invalid(const std::string& f, const std::string& repr, const std::string& detail) {
    Add(f, "FieldValueInvalid", "Invalid value: " + repr + (detail.empty() ? "" : ": " + detail));
  }
  void TypeInvalid(const std::string& f, const std::string& repr, const std::string& detail) {
    Add(f, "FieldValueTypeInvalid", "Invalid value: " + repr + ": " + detail);
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
  void TooLong(const std::string& f, int64_t max) {
    Add(f, "FieldValueTooLong", "Too long: may not be more than " + std::to_string(max) + " bytes");
  }
  void TooMany(const std::string& f, int64_t actual, int64_t max) {
    Add(f, "FieldValueTooMany",
        "Too many: " + std::to_string(actual) + ": must have at most " + std::to_string(max) + " items");
  }
  void Immutable(const std::string& f, const json::value& v) { Invalid(f, Repr(v), "field is immutable"); }
  void Add(std::string f, std::string reason, std::string message) {
    list.push_back({std::move(f), std::move(reason), std::move(message)});
  }
  std::vector<FieldError> list;
};

// IsDNS1035Label's messages joined with "," as upstream does.
std::string Dns1035(std::string_view s) {
  const std::string regex_msg =
      "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic "
      "character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for "
      "validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
  std::vector<std::string> errs;
  if (s.size() > 63) errs.push_back("must be no more than 63 characters");
  bool ok = !s.empty() && s.front() >= 'a' && s.front() <= 'z' &&
            ((s.back() >= 'a' && s.back() <= 'z') || (s.back() >= '0' && s.back() <= '9'));
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) ok = false;
  if (!ok) errs.push_back(regex_msg);
  std::string out;
  for (const auto& e : errs) out += (out.empty() ? "" : ",") + e;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Regular expressions: upstream uses Go's RE2; std::regex ECMAScript after rewriting the RE2-only
// spellings people use ((?i) prefix, \A, \z, (?P<name>...)).

std::optional<std::regex> CompileRegex(const std::string& pattern, std::string* error) {
  std::string p = pattern;
  auto flags = std::regex::ECMAScript;
  if (p.rfind("(?i)", 0) == 0) {
    p = p.substr(4);
    flags |= std::regex::icase;
  }
  std::string q;
  for (size_t i = 0; i < p.size(); ++i) {
    if (p[i] == '\\' && i + 1 < p.size()) {
      if (p[i + 1] == 'A') { q += '^'; ++i; continue; }
      if (p[i + 1] == 'z') { q += '$'; ++i; continue; }
      q += p[i];
      q += p[i + 1];
      ++i;
      continue;
    }
    if (p.compare(i, 4, "(?P<") == 0) {
      auto close = p.find('>', i);
      if (close != std::string::npos) {
        q += '(';
        i = close;
        continue;
      }
    }
    q += p[i];
  }
  try {
    return std::regex(q, flags);
  } catch (const std::regex_error& e) {
    if (error) *error = e.what();
    return std::nullopt;
  }
}

bool RegexSearch(const std::regex& re, const std::string& s) {
  try {
    return std::regex_search(s, re);
  } catch (const std::regex_error&) {
    return true;  // too complex to decide: do not reject the value
  }
}

// ---------------------------------------------------------------------------------------------
// Formats (kube-openapi's strfmt registry, the ones people use; int32/int64/float/double are
// stripped by upstream and never checked).

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

bool IsIpv4(std::string_view s) {
  int parts = 0;
  size_t start = 0;
  while (true) {
    size_t dot = s.find('.', start);
    std::string_view part = s.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (!AllDigits(part) || part.size() > 3 || std::stoi(std::string(part)) > 255) return false;
    if (part.size() > 1 && part[0] == '0') return false;
    ++parts;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return parts == 4;
}

bool IsHex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }

bool IsIpv6(std::string_view s) {
  if (s.find(':') == std::string_view::npos) return false;
  // Embedded IPv4 tail.
  int groups_for_v4 = 0;
  auto last_colon = s.rfind(':');
  if (s.substr(last_colon + 1).find('.') != std::string_view::npos) {
    if (!IsIpv4(s.substr(last_colon + 1))) return false;
    s = s.substr(0, last_colon + 1);
    if (s.size() >= 2 && s.substr(s.size() - 2) == "::") {
    } else {
      s = s.substr(0, s.size() - 1);
    }
    groups_for_v4 = 2;
  }
  auto dbl = s.find("::");
  if (dbl != std::string_view::npos && s.find("::", dbl + 1) != std::string_view::npos) return false;
  auto count_groups = [](std::string_view part, int& n) {
    if (part.empty()) return true;
    size_t start = 0;
    while (true) {
      size_t c = part.find(':', start);
      std::string_view g = part.substr(start, c == std::string_view::npos ? std::string_view::npos : c - start);
      if (g.empty() || g.size() > 4) return false;
      for (char ch : g)
        if (!IsHex(ch)) return false;
      ++n;
      if (c == std::string_view::npos) return true;
      start = c + 1;
    }
  };
  int n = groups_for_v4;
  if (dbl == std::string_view::npos) {
    if (!count_groups(s, n)) return false;
    return n == 8;
  }
  if (!count_groups(s.substr(0, dbl), n) || !count_groups(s.substr(dbl + 2), n)) return false;
  return n < 8;
}

bool IsCidr(std::string_view s) {
  auto slash = s.find('/');
  if (slash == std::string_view::npos) return false;
  auto ip = s.substr(0, slash), bits = s.substr(slash + 1);
  if (!AllDigits(bits) || bits.size() > 3) return false;
  int b = std::stoi(std::string(bits));
  if (IsIpv4(ip)) return b <= 32;
  if (IsIpv6(ip)) return b <= 128;
  return false;
}

bool IsMac(std::string_view s) {
  // 6, 8 or 20 octets separated by ':' or '-', or dotted groups of four hex digits.
  for (char sep : {':', '-'}) {
    if (s.find(sep) == std::string_view::npos) continue;
    size_t n = 0, start = 0;
    while (true) {
      size_t c = s.find(sep, start);
      auto g = s.substr(start, c == std::string_view::npos ? std::string_view::npos : c - start);
      if (g.size() != 2 || !IsHex(g[0]) || !IsHex(g[1])) return false;
      ++n;
      if (c == std::string_view::npos) break;
      start = c + 1;
    }
    return n == 6 || n == 8 || n == 20;
  }
  return false;
}

bool IsUuid(std::string_view s, char version) {
  std::string hex;
  for (char c : s) {
    if (c == '-') continue;
    if (!IsHex(c)) return false;
    hex += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (hex.size() != 32) return false;
  if (s.size() == 36 && (s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-')) return false;
  if (s.size() != 32 && s.size() != 36) return false;
  if (version != 0) {
    if (hex[12] != version) return false;
    if (version != '3' && std::string("89ab").find(hex[16]) == std::string::npos) return false;
  }
  return true;
}

bool IsBase64(std::string_view s) {
  if (s.size() % 4 != 0) return false;
  size_t pad = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '=') {
      ++pad;
      if (i < s.size() - 2) return false;
      continue;
    }
    if (pad > 0) return false;
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/')) return false;
  }
  return pad <= 2;
}

bool IsHostname(std::string_view s) {
  if (s.empty() || s.size() > 255) return false;
  if (s.back() == '.') s.remove_suffix(1);
  size_t start = 0;
  while (true) {
    size_t d = s.find('.', start);
    auto l = s.substr(start, d == std::string_view::npos ? std::string_view::npos : d - start);
    if (l.empty() || l.size() > 63 || l.front() == '-' || l.back() == '-') return false;
    for (char c : l)
      if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_')) return false;
    if (d == std::string_view::npos) return true;
    start = d + 1;
  }
}

bool IsDate(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  if (!AllDigits(s.substr(0, 4)) || !AllDigits(s.substr(5, 2)) || !AllDigits(s.substr(8, 2))) return false;
  int m = std::stoi(std::string(s.substr(5, 2))), d = std::stoi(std::string(s.substr(8, 2)));
  return m >= 1 && m <= 12 && d >= 1 && d <= 31;
}

bool IsGoDuration(std::string_view s) {
  if (s.empty()) return false;
  size_t i = 0;
  if (s[0] == '+' || s[0] == '-') ++i;
  if (s.substr(i) == "0") return true;
  if (i == s.size()) return false;
  static const char* kUnits[] = {"ns", "us", "µs", "μs", "ms", "s", "m", "h"};
  while (i < s.size()) {
    size_t start = i;
    while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) ++i;
    if (i == start) return false;
    bool found = false;
    for (const char* u : kUnits) {
      std::string_view us(u);
      if (s.substr(i, us.size()) == us) {
        // Prefer the longest unit ("ms" over "m").
        if (us == "m" && s.substr(i, 2) == "ms") continue;
        i += us.size();
        found = true;
        break;
      }
    }
    if (!found) return false;
  }
  return true;
}

bool IsDuration(std::string_view s) {
  if (IsGoDuration(s)) return true;
  // Scala-style "3 days", "20 ns".
  static const std::regex re(
      R"(^\s*(\d+)\s*(ns|nano|nanos|nanosecond|nanoseconds|us|micro|micros|microsecond|microseconds|ms|milli|millis|millisecond|milliseconds|s|sec|secs|second|seconds|m|min|mins|minute|minutes|h|hr|hrs|hour|hours|d|day|days|w|wk|wks|week|weeks)\s*$)");
  return std::regex_match(std::string(s), re);
}

bool IsEmail(std::string_view s) {
  auto at = s.rfind('@');
  if (at == std::string_view::npos || at == 0 || at + 1 >= s.size()) return false;
  for (char c : s)
    if (c == ' ' || c == '\n') return false;
  return true;
}

bool IsUri(std::string_view s) {
  // Go's url.ParseRequestURI: an absolute URI or an absolute path.
  if (s.empty()) return false;
  if (s[0] == '/') return true;
  auto colon = s.find(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  if (!std::isalpha(static_cast<unsigned char>(s[0]))) return false;
  for (size_t i = 0; i < colon; ++i) {
    char c = s[i];
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.')) return false;
  }
  return true;
}

// Whether s is valid for format; formats unknown to upstream pass.
bool FormatValid(const std::string& format, const std::string& s) {
  if (format == "date-time" || format == "datetime") return ParseRfc3339(s).has_value();
  if (format == "date") return IsDate(s);
  if (format == "byte") return IsBase64(s);
  if (format == "uuid") return IsUuid(s, 0);
  if (format == "uuid3") return IsUuid(s, '3');
  if (format == "uuid4") return IsUuid(s, '4');
  if (format == "uuid5") return IsUuid(s, '5');
  if (format == "ipv4") return IsIpv4(s);
  if (format == "ipv6") return IsIpv6(s);
  if (format == "cidr") return IsCidr(s);
  if (format == "mac") return IsMac(s);
  if (format == "hostname") return IsHostname(s);
  if (format == "email") return IsEmail(s);
  if (format == "uri") return IsUri(s);
  if (format == "duration") return IsDuration(s);
  if (format == "k8s-short-name") return api::ValidateDns1123Label(s).empty();
  if (format == "k8s-long-name") return api::ValidateDns1123Subdomain(s).empty();
  return true;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// CrSchema

struct CrSchema::Node {
  std::string type;
  std::string format;
  bool nullable = false;
  bool int_or_string = false;
  bool preserve_unknown = false;
  bool embedded = false;
  std::map<std::string, std::unique_ptr<Node>> properties;
  std::unique_ptr<Node> items;
  bool has_additional = false;
  bool additional_allows = false;
  std::unique_ptr<Node> additional;
  std::vector<std::string> required;
  std::optional<json::array> enum_values;
  std::optional<json::value> default_value;
  std::optional<double> minimum, maximum, multiple_of;
  bool exclusive_minimum = false, exclusive_maximum = false;
  std::optional<int64_t> min_length, max_length, min_items, max_items, min_properties, max_properties;
  std::string pattern;
  std::optional<std::regex> pattern_re;
  bool unique_items = false;
  std::vector<std::unique_ptr<Node>> all_of, any_of, one_of;
  std::unique_ptr<Node> not_;
};

namespace {

using Node = CrSchema::Node;

void ParseNode(const json::object& o, Node& n) {
  n.type = StrAt(&o, "type");
  n.format = StrAt(&o, "format");
  n.nullable = BoolAt(&o, "nullable");
  n.int_or_string = BoolAt(&o, "x-kubernetes-int-or-string");
  n.preserve_unknown = BoolAt(&o, "x-kubernetes-preserve-unknown-fields");
  n.embedded = BoolAt(&o, "x-kubernetes-embedded-resource");
  if (auto* props = ObjAt(o, "properties")) {
    for (const auto& [k, v] : *props) {
      auto child = std::make_unique<Node>();
      if (v.is_object()) ParseNode(v.get_object(), *child);
      n.properties[std::string(k)] = std::move(child);
    }
  }
  if (auto* items = o.if_contains("items")) {
    n.items = std::make_unique<Node>();
    if (items->is_object()) ParseNode(items->get_object(), *n.items);
    else if (items->is_array() && !items->get_array().empty() && items->get_array()[0].is_object())
      ParseNode(items->get_array()[0].get_object(), *n.items);
  }
  if (auto* ap = o.if_contains("additionalProperties")) {
    if (ap->is_bool()) {
      n.has_additional = true;
      n.additional_allows = ap->get_bool();
    } else if (ap->is_object()) {
      n.has_additional = true;
      n.additional_allows = true;
      n.additional = std::make_unique<Node>();
      ParseNode(ap->get_object(), *n.additional);
    }
  }
  n.required = StringsAt(&o, "required");
  if (auto* e = ArrAt(o, "enum")) n.enum_values = *e;
  if (auto* d = o.if_contains("default"); d && !d->is_null()) n.default_value = *d;
  if (auto* v = o.if_contains("minimum")) n.minimum = Num(*v);
  if (auto* v = o.if_contains("maximum")) n.maximum = Num(*v);
  if (auto* v = o.if_contains("multipleOf")) n.multiple_of = Num(*v);
  n.exclusive_minimum = BoolAt(&o, "exclusiveMinimum");
  n.exclusive_maximum = BoolAt(&o, "exclusiveMaximum");
  n.min_length = IntOf(o.if_contains("minLength"));
  n.max_length = IntOf(o.if_contains("maxLength"));
  n.min_items = IntOf(o.if_contains("minItems"));
  n.max_items = IntOf(o.if_contains("maxItems"));
  n.min_properties = IntOf(o.if_contains("minProperties"));
  n.max_properties = IntOf(o.if_contains("maxProperties"));
  n.pattern = StrAt(&o, "pattern");
  if (!n.pattern.empty()) n.pattern_re = CompileRegex(n.pattern, nullptr);  // uncompilable: unchecked
  n.unique_items = BoolAt(&o, "uniqueItems");
  auto list = [&](std::string_view k, std::vector<std::unique_ptr<Node>>& out) {
    if (auto* a = ArrAt(o, k)) {
      for (const auto& v : *a) {
        auto child = std::make_unique<Node>();
        if (v.is_object()) ParseNode(v.get_object(), *child);
        out.push_back(std::move(child));
      }
    }
  };
  list("allOf", n.all_of);
  list("anyOf", n.any_of);
  list("oneOf", n.one_of);
  if (auto* v = ObjAt(o, "not")) {
    n.not_ = std::make_unique<Node>();
    ParseNode(*v, *n.not_);
  }
}

// ---- validation (kube-openapi's validators, messages as apiextensions-apiserver converts them) ----

void ValidateNode(const Node& s, const json::value& v, const std::string& path, Errs& e);

std::string In(const std::string& path) { return path.empty() ? "in body" : path + " in body"; }

// The "<nil>" field upstream prints for errors that are not field errors (anyOf, oneOf, not).
void Composite(Errs& e, const std::string& message) { e.Invalid("<nil>", "\"\"", message); }

bool TypeMatches(const Node& s, const json::value& v) {
  if (s.int_or_string) {
    return v.is_string() || v.is_int64() || v.is_uint64() ||
           (v.is_double() && std::floor(v.get_double()) == v.get_double());
  }
  const std::string& t = s.type;
  if (t.empty()) return true;
  if (t == "string") return v.is_string();
  if (t == "boolean") return v.is_bool();
  if (t == "object") return v.is_object();
  if (t == "array") return v.is_array();
  if (t == "number") return v.is_number();
  if (t == "integer") {
    return v.is_int64() || v.is_uint64() || (v.is_double() && std::floor(v.get_double()) == v.get_double() &&
                                             std::isfinite(v.get_double()));
  }
  return true;  // unknown types are rejected when the CRD is validated
}

std::string TypeList(const Node& s) { return s.int_or_string && s.type.empty() ? "integer,string" : s.type; }

void ValidateNode(const Node& s, const json::value& v, const std::string& path, Errs& e) {
  if (v.is_null()) {
    if (!s.nullable && (!s.type.empty() || s.int_or_string)) {
      e.TypeInvalid(path, "\"null\"", In(path) + " must be of type " + TypeList(s) + ": \"null\"");
    }
    return;
  }
  if (!TypeMatches(s, v)) {
    e.TypeInvalid(path, api::GoQuote(TypeName(v)), In(path) + " must be of type " + TypeList(s) + ": " + api::GoQuote(TypeName(v)));
    return;
  }
  if (v.is_string() && !s.format.empty() && !FormatValid(s.format, std::string(v.get_string()))) {
    e.TypeInvalid(path, Repr(v), In(path) + " must be of type " + s.format + ": " + Repr(v));
  }
  if (s.enum_values) {
    bool found = false;
    for (const auto& a : *s.enum_values)
      if (JsonEqual(a, v)) found = true;
    if (!found) {
      std::vector<std::string> values;
      for (const auto& a : *s.enum_values) values.push_back(a.is_string() ? std::string(a.get_string()) : json::serialize(a));
      e.NotSupported(path, Repr(v), values);
    }
  }
  if (v.is_string()) {
    const std::string str(v.get_string());
    size_t n = RuneCount(str);
    if (s.max_length && static_cast<int64_t>(n) > *s.max_length) e.TooLong(path, *s.max_length);
    if (s.min_length && static_cast<int64_t>(n) < *s.min_length) {
      e.Invalid(path, Repr(v), In(path) + " should be at least " + std::to_string(*s.min_length) + " chars long");
    }
    if (s.pattern_re && !RegexSearch(*s.pattern_re, str)) {
      e.Invalid(path, Repr(v), In(path) + " should match '" + s.pattern + "'");
    }
  }
  if (auto num = Num(v)) {
    if (s.maximum && (s.exclusive_maximum ? *num >= *s.maximum : *num > *s.maximum)) {
      e.Invalid(path, Repr(v),
                In(path) + (s.exclusive_maximum ? " should be less than " : " should be less than or equal to ") +
                    GoFloat(*s.maximum));
    }
    if (s.minimum && (s.exclusive_minimum ? *num <= *s.minimum : *num < *s.minimum)) {
      e.Invalid(path, Repr(v),
                In(path) + (s.exclusive_minimum ? " should be greater than " : " should be greater than or equal to ") +
                    GoFloat(*s.minimum));
    }
    if (s.multiple_of && *s.multiple_of > 0) {
      double q = *num / *s.multiple_of;
      if (std::fabs(q - std::round(q)) > 1e-9) {
        e.Invalid(path, Repr(v), In(path) + " should be a multiple of " + GoFloat(*s.multiple_of));
      }
    }
  }
  if (v.is_array()) {
    const auto& a = v.get_array();
    const auto size = static_cast<int64_t>(a.size());
    if (s.min_items && size < *s.min_items) {
      e.Invalid(path, std::to_string(size), In(path) + " should have at least " + std::to_string(*s.min_items) + " items");
    }
    if (s.max_items && size > *s.max_items) e.TooMany(path, size, *s.max_items);
    if (s.unique_items) {
      bool dup = false;
      for (size_t i = 0; i < a.size() && !dup; ++i)
        for (size_t j = i + 1; j < a.size() && !dup; ++j)
          if (JsonEqual(a[i], a[j])) dup = true;
      if (dup) e.Invalid(path, "\"\"", In(path) + " shouldn't contain duplicates");
    }
    if (s.items) {
      for (size_t i = 0; i < a.size(); ++i) ValidateNode(*s.items, a[i], Index(path, i), e);
    }
  }
  if (v.is_object()) {
    const auto& o = v.get_object();
    const auto size = static_cast<int64_t>(o.size());
    if (s.max_properties && size > *s.max_properties) e.TooMany(path, size, *s.max_properties);
    if (s.min_properties && size < *s.min_properties) {
      e.Invalid(path, std::to_string(*s.min_properties),
                In(path) + " should have at least " + std::to_string(*s.min_properties) + " properties");
    }
    for (const auto& r : s.required) {
      if (!o.contains(r)) e.Required(Child(path, r));
    }
    for (const auto& [k, val] : o) {
      const std::string key(k);
      auto it = s.properties.find(key);
      if (it != s.properties.end()) {
        ValidateNode(*it->second, val, Child(path, key), e);
      } else if (s.additional) {
        ValidateNode(*s.additional, val, Child(path, key), e);
      }
    }
    if (s.embedded) {
      if (StrAt(&o, "apiVersion").empty()) e.Required(Child(path, "apiVersion"));
      if (StrAt(&o, "kind").empty()) e.Required(Child(path, "kind"));
    }
  }
  for (const auto& sub : s.all_of) ValidateNode(*sub, v, path, e);
  if (!s.any_of.empty()) {
    bool ok = false;
    std::optional<Errs> best;
    for (const auto& sub : s.any_of) {
      Errs sub_errs;
      ValidateNode(*sub, v, path, sub_errs);
      if (sub_errs.list.empty()) {
        ok = true;
        break;
      }
      if (!best || sub_errs.list.size() < best->list.size()) best = std::move(sub_errs);
    }
    if (!ok) {
      Composite(e, api::GoQuote(path) + " must validate at least one schema (anyOf)");
      for (auto& fe : best->list) e.list.push_back(std::move(fe));
    }
  }
  if (!s.one_of.empty()) {
    int valid = 0;
    for (const auto& sub : s.one_of) {
      Errs sub_errs;
      ValidateNode(*sub, v, path, sub_errs);
      if (sub_errs.list.empty()) ++valid;
    }
    if (valid != 1) {
      Composite(e, api::GoQuote(path) + " must validate one and only one schema (oneOf). " +
                       (valid == 0 ? std::string("Found none valid")
                                   : "Found " + std::to_string(valid) + " valid alternatives"));
    }
  }
  if (s.not_) {
    Errs sub_errs;
    ValidateNode(*s.not_, v, path, sub_errs);
    if (sub_errs.list.empty()) Composite(e, api::GoQuote(path) + " must not validate the schema (not)");
  }
}

// ---- pruning ----

const std::set<std::string, std::less<>>& ObjectMetaFields() {
  static const std::set<std::string, std::less<>> fields = {
      "name",        "generateName",    "namespace",      "selfLink",          "uid",
      "resourceVersion", "generation",  "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds",
      "labels",      "annotations",     "ownerReferences", "finalizers",       "managedFields"};
  return fields;
}

void PruneValue(const Node* s, json::value& v, const std::string& path, bool resource_root,
                std::vector<std::string>& out);

void PruneObject(const Node* s, json::object& o, const std::string& path, bool resource_root,
                 std::vector<std::string>& out) {
  const bool meta_level = resource_root || (s && s->embedded);
  std::vector<std::string> drop;
  for (auto& [k, val] : o) {
    const std::string key(k);
    if (meta_level && (key == "apiVersion" || key == "kind")) continue;
    if (meta_level && key == "metadata") {
      if (auto* m = val.if_object()) {
        std::vector<std::string> meta_drop;
        for (const auto& [mk, mv] : *m)
          if (!ObjectMetaFields().count(mk)) meta_drop.emplace_back(mk);
        for (const auto& mk : meta_drop) {
          out.push_back(Child(Child(path, "metadata"), mk));
          m->stable_erase(mk);
        }
      }
      continue;
    }
    if (s == nullptr) {
      drop.push_back(key);
      continue;
    }
    auto it = s->properties.find(key);
    if (it != s->properties.end()) {
      PruneValue(it->second.get(), val, Child(path, key), false, out);
    } else if (s->additional) {
      PruneValue(s->additional.get(), val, Child(path, key), false, out);
    } else if ((s->has_additional && s->additional_allows) || s->preserve_unknown) {
      continue;
    } else {
      drop.push_back(key);
    }
  }
  for (const auto& k : drop) {
    out.push_back(Child(path, k));
    o.stable_erase(k);
  }
}

void PruneValue(const Node* s, json::value& v, const std::string& path, bool resource_root,
                std::vector<std::string>& out) {
  if (s == nullptr) return;
  if (auto* o = v.if_object()) {
    PruneObject(s, *o, path, resource_root, out);
  } else if (auto* a = v.if_array()) {
    if (!s->items) return;
    for (size_t i = 0; i < a->size(); ++i) PruneValue(s->items.get(), (*a)[i], Index(path, i), false, out);
  }
}

// ---- defaulting ----

bool NonNullableNull(const json::value& v, const Node* s) { return v.is_null() && s && !s->nullable; }

void DefaultValue(json::value& v, const Node* s) {
  if (s == nullptr) return;
  if (auto* o = v.if_object()) {
    for (const auto& [k, prop] : s->properties) {
      if (!prop->default_value) continue;
      auto* cur = o->if_contains(k);
      if (cur == nullptr || NonNullableNull(*cur, prop.get())) (*o)[k] = *prop->default_value;
    }
    for (auto& [k, val] : *o) {
      auto it = s->properties.find(std::string(k));
      if (it != s->properties.end()) {
        DefaultValue(val, it->second.get());
      } else if (s->additional) {
        if (NonNullableNull(val, s->additional.get()) && s->additional->default_value)
          val = *s->additional->default_value;
        DefaultValue(val, s->additional.get());
      }
    }
  } else if (auto* a = v.if_array()) {
    if (!s->items) return;
    for (auto& item : *a) {
      if (NonNullableNull(item, s->items.get()) && s->items->default_value) item = *s->items->default_value;
      DefaultValue(item, s->items.get());
    }
  }
}

}  // namespace

CrSchema::CrSchema() = default;
CrSchema::~CrSchema() = default;

Result<std::shared_ptr<const CrSchema>> CrSchema::Build(const json::object& open_api_v3_schema) {
  std::shared_ptr<CrSchema> s(new CrSchema());
  s->root_ = std::make_unique<Node>();
  ParseNode(open_api_v3_schema, *s->root_);
  return std::shared_ptr<const CrSchema>(std::move(s));
}

std::vector<FieldError> CrSchema::ValidateValue(const json::value& v, const std::string& path) const {
  Errs e;
  ValidateNode(*root_, v, path, e);
  return std::move(e.list);
}

std::vector<FieldError> CrSchema::ValidateObject(const json::object& obj) const {
  // Upstream validates the whole object, metadata included, against the schema.
  return ValidateValue(json::value(obj), "");
}

std::vector<std::string> CrSchema::Prune(json::object& obj) const {
  std::vector<std::string> out;
  PruneObject(root_.get(), obj, "", true, out);
  return out;
}

void CrSchema::ApplyDefaults(json::object& obj) const {
  // Work on a value wrapper: move in, default, move back (no pointers into obj survive).
  json::value v(std::move(obj));
  DefaultValue(v, root_.get());
  obj = std::move(v.as_object());
}

// ---------------------------------------------------------------------------------------------
// CRD defaulting and validation.

namespace {

const json::array* Versions(const json::object& crd) {
  auto* spec = ObjAt(crd, "spec");
  return spec ? ArrAt(*spec, "versions") : nullptr;
}

const json::object* VersionObj(const json::object& crd, const std::string& version) {
  if (auto* vs = Versions(crd)) {
    for (const auto& v : *vs) {
      if (auto* o = v.if_object(); o && StrAt(o, "name") == version) return o;
    }
  }
  return nullptr;
}

bool IsEstablished(const json::object& crd) {
  auto* status = ObjAt(crd, "status");
  if (!status) return false;
  if (auto* conds = ArrAt(*status, "conditions")) {
    for (const auto& c : *conds) {
      auto* co = c.if_object();
      if (co && StrAt(co, "type") == "Established" && StrAt(co, "status") == "True") return true;
    }
  }
  return false;
}

// validateSimpleJSONPath.
bool SimpleJsonPath(const std::string& s, const std::string& path, Errs& e) {
  if (s.empty()) {
    e.Invalid(path, api::GoQuote(s), "must not be empty");
    return false;
  }
  if (s[0] != '.') {
    e.Invalid(path, api::GoQuote(s), "must be a simple json path starting with .");
    return false;
  }
  return true;
}

// ---- schema checks (ValidateCustomResourceDefinitionOpenAPISchema and structural invariants) ----

enum class Level { kRoot, kItem, kField };

bool IsIntOrStringAnyOf(const json::array& any_of) {
  if (any_of.size() != 2) return false;
  auto* a = any_of[0].if_object();
  auto* b = any_of[1].if_object();
  return a && b && a->size() == 1 && b->size() == 1 && StrAt(a, "type") == "integer" && StrAt(b, "type") == "string";
}

// A value validation (inside allOf/anyOf/oneOf/not) must not carry structural information.
void CheckNested(const json::object& v, const std::string& path, Level lvl, bool skip_any_of, Errs& e) {
  if (Has(&v, "type")) e.Forbidden(Child(path, "type"), "must be empty to be structural");
  if (Has(&v, "additionalProperties")) e.Forbidden(Child(path, "additionalProperties"), "must be undefined to be structural");
  if (Has(&v, "default")) e.Forbidden(Child(path, "default"), "must be undefined to be structural");
  if (!StrAt(&v, "title").empty()) e.Forbidden(Child(path, "title"), "must be empty to be structural");
  if (!StrAt(&v, "description").empty()) e.Forbidden(Child(path, "description"), "must be empty to be structural");
  if (BoolAt(&v, "nullable")) e.Forbidden(Child(path, "nullable"), "must be false to be structural");
  if (BoolAt(&v, "x-kubernetes-preserve-unknown-fields"))
    e.Forbidden(Child(path, "x-kubernetes-preserve-unknown-fields"), "must be false to be structural");
  if (BoolAt(&v, "x-kubernetes-embedded-resource"))
    e.Forbidden(Child(path, "x-kubernetes-embedded-resource"), "must be false to be structural");
  if (BoolAt(&v, "x-kubernetes-int-or-string"))
    e.Forbidden(Child(path, "x-kubernetes-int-or-string"), "must be false to be structural");
  if (auto* k = ArrAt(v, "x-kubernetes-list-map-keys"); k && !k->empty())
    e.Forbidden(Child(path, "x-kubernetes-list-map-keys"), "must be empty to be structural");
  if (Has(&v, "x-kubernetes-list-type")) e.Forbidden(Child(path, "x-kubernetes-list-type"), "must be undefined to be structural");
  if (Has(&v, "x-kubernetes-map-type")) e.Forbidden(Child(path, "x-kubernetes-map-type"), "must be undefined to be structural");
  if (auto* xv = ArrAt(v, "x-kubernetes-validations"); xv && !xv->empty())
    e.Forbidden(Child(path, "x-kubernetes-validations"), "must be empty to be structural");
  if (auto* props = ObjAt(v, "properties")) {
    if (props->contains("metadata"))
      e.Forbidden(Key(Child(path, "properties"), "metadata"), "must not be specified in a nested context");
    for (const auto& [k, p] : *props)
      if (auto* po = p.if_object()) CheckNested(*po, Key(Child(path, "properties"), k), Level::kField, false, e);
  }
  if (auto* items = ObjAt(v, "items")) CheckNested(*items, Child(path, "items"), lvl, false, e);
  auto lists = [&](std::string_view k, bool skip) {
    if (skip) return;
    if (auto* a = ArrAt(v, k)) {
      for (size_t i = 0; i < a->size(); ++i)
        if (auto* s = (*a)[i].if_object()) CheckNested(*s, Index(Child(path, k), i), lvl, false, e);
    }
  };
  lists("anyOf", skip_any_of);
  lists("allOf", false);
  lists("oneOf", false);
  if (auto* n = ObjAt(v, "not")) CheckNested(*n, Child(path, "not"), lvl, false, e);
}

// Properties named in value validations must also be specified structurally.
void CheckCompleteness(const json::object& v, const json::object* s, const std::string& spath,
                       const std::string& vpath, Errs& e) {
  if (auto* props = ObjAt(v, "properties")) {
    const json::object* sprops = s ? ObjAt(*s, "properties") : nullptr;
    for (const auto& [k, p] : *props) {
      const json::object* sp = sprops ? ObjAt(*sprops, k) : nullptr;
      if (sp == nullptr) {
        e.Required(Key(Child(spath, "properties"), k), "because it is defined in " + Key(Child(vpath, "properties"), k));
        continue;
      }
      if (auto* po = p.if_object())
        CheckCompleteness(*po, sp, Key(Child(spath, "properties"), k), Key(Child(vpath, "properties"), k), e);
    }
  }
  if (auto* items = ObjAt(v, "items")) {
    const json::object* si = s ? ObjAt(*s, "items") : nullptr;
    if (si == nullptr) {
      e.Required(Child(spath, "items"), "because it is defined in " + Child(vpath, "items"));
    } else {
      CheckCompleteness(*items, si, Child(spath, "items"), Child(vpath, "items"), e);
    }
  }
  for (std::string_view k : {"allOf", "anyOf", "oneOf"}) {
    if (auto* a = ArrAt(v, k)) {
      for (size_t i = 0; i < a->size(); ++i)
        if (auto* sub = (*a)[i].if_object()) CheckCompleteness(*sub, s, spath, Index(Child(vpath, k), i), e);
    }
  }
  if (auto* n = ObjAt(v, "not")) CheckCompleteness(*n, s, spath, Child(vpath, "not"), e);
}

struct SchemaCtx {
  bool inside_meta = false;
  std::string forbidden_defaults;  // reason defaults are not allowed here ("" = allowed)
};

void CheckSchema(const json::object& s, const std::string& path, Level lvl, SchemaCtx ctx, Errs& std_errs,
                 Errs& structural) {
  static const std::vector<std::string> kTypes = {"array", "boolean", "integer", "number", "object", "string"};
  const std::string type = StrAt(&s, "type");
  auto* type_v = s.if_contains("type");
  if (type_v && !type_v->is_string()) {
    std_errs.Invalid(Child(path, "type"), Repr(*type_v), "must be a string");
  }
  // specStandardValidatorV3.validate
  if (!type.empty() && std::find(kTypes.begin(), kTypes.end(), type) == kTypes.end()) {
    std_errs.NotSupported(Child(path, "type"), api::GoQuote(type), kTypes);
  }
  if (Has(&s, "default") && !ctx.forbidden_defaults.empty()) {
    std_errs.Forbidden(Child(path, "default"), ctx.forbidden_defaults);
  }
  if (Has(&s, "id")) std_errs.Forbidden(Child(path, "id"), "id is not supported");
  if (Has(&s, "additionalItems")) std_errs.Forbidden(Child(path, "additionalItems"), "additionalItems is not supported");
  if (Has(&s, "patternProperties")) std_errs.Forbidden(Child(path, "patternProperties"), "patternProperties is not supported");
  if (Has(&s, "definitions")) std_errs.Forbidden(Child(path, "definitions"), "definitions is not supported");
  if (Has(&s, "dependencies")) std_errs.Forbidden(Child(path, "dependencies"), "dependencies is not supported");
  if (Has(&s, "$ref")) std_errs.Forbidden(Child(path, "$ref"), "$ref is not supported");
  if (type == "null") std_errs.Forbidden(Child(path, "type"), "type cannot be set to null, use nullable as an alternative");
  if (auto* items = s.if_contains("items"); items && items->is_array()) {
    std_errs.Forbidden(Child(path, "items"), "items must be a schema object and not an array");
  }
  if (ctx.inside_meta && BoolAt(&s, "x-kubernetes-embedded-resource")) {
    std_errs.Forbidden(Child(path, "x-kubernetes-embedded-resource"), "must not be used inside of resource meta");
  }
  if (BoolAt(&s, "uniqueItems")) {
    std_errs.Forbidden(Child(path, "uniqueItems"), "uniqueItems cannot be set to true since the runtime complexity becomes quadratic");
  }
  auto* props = ObjAt(s, "properties");
  auto* ap = s.if_contains("additionalProperties");
  if (ap && !ap->is_null() && props && !props->empty()) {
    if ((ap->is_bool() && !ap->get_bool()) || ap->is_object()) {
      std_errs.Forbidden(Child(path, "additionalProperties"), "additionalProperties and properties are mutual exclusive");
    }
  }
  if (auto* pu = s.if_contains("x-kubernetes-preserve-unknown-fields"); pu && pu->is_bool() && !pu->get_bool()) {
    std_errs.Invalid(Child(path, "x-kubernetes-preserve-unknown-fields"), "false", "must be true or undefined");
  }
  if (Has(&s, "x-kubernetes-map-type")) {
    if (type.empty()) std_errs.Required(Child(path, "type"), "must be object if x-kubernetes-map-type is specified");
    else if (type != "object") std_errs.Invalid(Child(path, "type"), api::GoQuote(type), "must be object if x-kubernetes-map-type is specified");
    std::string mt = StrAt(&s, "x-kubernetes-map-type");
    if (mt != "atomic" && mt != "granular") std_errs.NotSupported(Child(path, "x-kubernetes-map-type"), api::GoQuote(mt), {"atomic", "granular"});
  }
  const std::string list_type = StrAt(&s, "x-kubernetes-list-type");
  if (Has(&s, "x-kubernetes-list-type")) {
    if (type.empty()) std_errs.Required(Child(path, "type"), "must be array if x-kubernetes-list-type is specified");
    else if (type != "array") std_errs.Invalid(Child(path, "type"), api::GoQuote(type), "must be array if x-kubernetes-list-type is specified");
    if (list_type != "atomic" && list_type != "set" && list_type != "map") {
      std_errs.NotSupported(Child(path, "x-kubernetes-list-type"), api::GoQuote(list_type), {"atomic", "set", "map"});
    }
  }
  auto map_keys = StringsAt(&s, "x-kubernetes-list-map-keys");
  if (!map_keys.empty()) {
    if (!Has(&s, "x-kubernetes-list-type"))
      std_errs.Required(Child(path, "x-kubernetes-list-type"), "must be map if x-kubernetes-list-map-keys is non-empty");
    else if (list_type != "map")
      std_errs.Invalid(Child(path, "x-kubernetes-list-type"), api::GoQuote(list_type), "must be map if x-kubernetes-list-map-keys is non-empty");
  }
  if (list_type == "map") {
    if (map_keys.empty()) std_errs.Required(Child(path, "x-kubernetes-list-map-keys"), "must not be empty if x-kubernetes-list-type is map");
    auto* items = ObjAt(s, "items");
    if (items == nullptr) {
      std_errs.Required(Child(path, "items"), "must have a schema if x-kubernetes-list-type is map");
    } else {
      if (StrAt(items, "type") != "object")
        std_errs.Invalid(Child(Child(path, "items"), "type"), api::GoQuote(StrAt(items, "type")), "must be object if parent array's x-kubernetes-list-type is map");
      auto* iprops = ObjAt(*items, "properties");
      for (const auto& k : map_keys) {
        if (iprops == nullptr || !iprops->contains(k)) {
          std_errs.Invalid(Child(path, "x-kubernetes-list-map-keys"), json::serialize(json::value_from(map_keys)),
                           "entries must all be names of item properties");
          break;
        }
      }
    }
  }
  if (auto* xv = ArrAt(s, "x-kubernetes-validations")) {
    for (size_t i = 0; i < xv->size(); ++i) {
      auto* r = (*xv)[i].if_object();
      if (r && StrAt(r, "rule").empty())
        std_errs.Required(Child(Index(Child(path, "x-kubernetes-validations"), i), "rule"), "rule is not specified");
    }
  }

  // Structural invariants.
  const bool int_or_string = BoolAt(&s, "x-kubernetes-int-or-string");
  const bool preserve = BoolAt(&s, "x-kubernetes-preserve-unknown-fields");
  const bool embedded = BoolAt(&s, "x-kubernetes-embedded-resource");
  if (type == "array" && !s.contains("items")) structural.Required(Child(path, "items"), "must be specified");
  if (ap && !ap->is_null() && lvl == Level::kRoot) {
    structural.Forbidden(Child(path, "additionalProperties"), "must not be used at the root");
  }
  if (int_or_string && preserve) {
    structural.Invalid(Child(path, "x-kubernetes-preserve-unknown-fields"), "true", "must be false if x-kubernetes-int-or-string is true");
  }
  if (int_or_string && embedded) {
    structural.Invalid(Child(path, "x-kubernetes-embedded-resource"), "true", "must be false if x-kubernetes-int-or-string is true");
  }
  if (embedded && type != "object") {
    if (type.empty()) structural.Required(Child(path, "type"), "must be object if x-kubernetes-embedded-resource is true");
    else structural.Invalid(Child(path, "type"), api::GoQuote(type), "must be object if x-kubernetes-embedded-resource is true");
  } else if (type.empty() && !int_or_string && !preserve) {
    structural.Required(Child(path, "type"), lvl == Level::kRoot   ? "must not be empty at the root"
                                             : lvl == Level::kItem ? "must not be empty for specified array items"
                                                                   : "must not be empty for specified object fields");
  }
  if (embedded && ap && !ap->is_null()) {
    structural.Forbidden(Child(path, "additionalProperties"), "must not be used if x-kubernetes-embedded-resource is set");
  }
  if (lvl == Level::kRoot && !type.empty() && type != "object") {
    structural.Invalid(Child(path, "type"), api::GoQuote(type), "must be object at the root");
  }
  const bool check_meta = lvl == Level::kRoot || embedded;
  if (props && check_meta) {
    for (const char* k : {"kind", "apiVersion"}) {
      if (auto* p = ObjAt(*props, k); p && StrAt(p, "type") != "string") {
        structural.Invalid(Child(Key(Child(path, "properties"), k), "type"), api::GoQuote(StrAt(p, "type")), "must be string");
      }
    }
  }
  if (auto* meta = props ? ObjAt(*props, "metadata") : nullptr) {
    const std::string mpath = Key(Child(path, "properties"), "metadata");
    if (check_meta && StrAt(meta, "type") != "object") {
      structural.Invalid(Child(mpath, "type"), api::GoQuote(StrAt(meta, "type")), "must be object");
    }
    if (lvl == Level::kRoot) {
      bool ok = true;
      for (const auto& [k, v] : *meta) {
        if (k == "type" || k == "default") continue;
        if (k == "properties") {
          if (auto* mp = v.if_object()) {
            for (const auto& [pk, pv] : *mp) {
              (void)pv;
              if (pk != "name" && pk != "generateName") ok = false;
            }
            for (const auto& [pk, pv] : *mp) {
              auto* po = pv.if_object();
              if (po && po->size() > (po->contains("type") ? 1u : 0u)) ok = false;
            }
          }
          continue;
        }
        if (v.is_null() || (v.is_bool() && !v.get_bool()) || (v.is_string() && v.get_string().empty())) continue;
        ok = false;
      }
      if (!ok) {
        structural.Forbidden(mpath, "must not specify anything other than name and generateName, but metadata is implicitly specified");
      }
    }
  }
  if (embedded && !preserve && (props == nullptr || props->empty())) {
    structural.Required(Child(path, "properties"), "must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields");
  }
  if (auto pattern = StrAt(&s, "pattern"); !pattern.empty()) {
    std::string err;
    if (!CompileRegex(pattern, &err)) {
      structural.Invalid(Child(path, "pattern"), api::GoQuote(pattern), "must be a valid regular expression, but isn't: " + err);
    }
  }
  // Value validations and their completeness.
  bool skip_any_of = false, skip_first_all_of_any_of = false;
  if (auto* a = ArrAt(s, "anyOf")) skip_any_of = IsIntOrStringAnyOf(*a);
  if (auto* a = ArrAt(s, "allOf"); a && !a->empty()) {
    if (auto* first = (*a)[0].if_object())
      if (auto* fa = ArrAt(*first, "anyOf")) skip_first_all_of_any_of = IsIntOrStringAnyOf(*fa);
  }
  if (!skip_any_of) {
    if (auto* a = ArrAt(s, "anyOf"))
      for (size_t i = 0; i < a->size(); ++i)
        if (auto* v = (*a)[i].if_object()) CheckNested(*v, Index(Child(path, "anyOf"), i), lvl, false, structural);
  }
  if (auto* a = ArrAt(s, "allOf"))
    for (size_t i = 0; i < a->size(); ++i)
      if (auto* v = (*a)[i].if_object())
        CheckNested(*v, Index(Child(path, "allOf"), i), lvl, i == 0 && skip_first_all_of_any_of, structural);
  if (auto* a = ArrAt(s, "oneOf"))
    for (size_t i = 0; i < a->size(); ++i)
      if (auto* v = (*a)[i].if_object()) CheckNested(*v, Index(Child(path, "oneOf"), i), lvl, false, structural);
  if (auto* n = ObjAt(s, "not")) CheckNested(*n, Child(path, "not"), lvl, false, structural);
  for (std::string_view k : {"allOf", "anyOf", "oneOf"}) {
    if (auto* a = ArrAt(s, k))
      for (size_t i = 0; i < a->size(); ++i)
        if (auto* v = (*a)[i].if_object()) CheckCompleteness(*v, &s, path, Index(Child(path, k), i), structural);
  }
  if (auto* n = ObjAt(s, "not")) CheckCompleteness(*n, &s, path, Child(path, "not"), structural);

  // Defaults must validate against their own schema and be pruned.
  if (auto* d = s.if_contains("default"); d && !d->is_null() && ctx.forbidden_defaults.empty()) {
    if (auto built = CrSchema::Build(s); built.ok()) {
      for (auto& fe : (*built)->ValidateValue(*d, "")) {
        FieldError x = fe;
        x.field = fe.field.empty() || fe.field == "<nil>" ? Child(path, "default") : Child(Child(path, "default"), fe.field);
        std_errs.list.push_back(std::move(x));
      }
      if (d->is_object()) {
        json::object copy = d->get_object();
        // Prune as a nested (non-root) value: wrap so apiVersion/kind/metadata are not special.
        json::object wrapper;
        wrapper["v"] = copy;
        json::object schema_wrapper{{"type", "object"}, {"properties", json::object{{"v", s}}}};
        if (auto w = CrSchema::Build(schema_wrapper); w.ok()) {
          json::object pruned = wrapper;
          auto dropped = (*w)->Prune(pruned);
          if (!dropped.empty()) std_errs.Invalid(Child(path, "default"), Repr(*d), "must not have unknown fields");
        }
      }
    }
  }

  // Recurse.
  if (props) {
    for (const auto& [k, p] : *props) {
      auto* po = p.if_object();
      if (po == nullptr) continue;
      SchemaCtx sub = ctx;
      const bool meta_field = k == "metadata" || k == "apiVersion" || k == "kind";
      if ((lvl == Level::kRoot || embedded) && meta_field) {
        sub.inside_meta = true;
        if (lvl == Level::kRoot) sub.forbidden_defaults = "in top-level " + std::string(k);
      }
      CheckSchema(*po, Key(Child(path, "properties"), k), Level::kField, sub, std_errs, structural);
    }
  }
  if (auto* items = ObjAt(s, "items")) CheckSchema(*items, Child(path, "items"), Level::kItem, ctx, std_errs, structural);
  if (ap && ap->is_object()) {
    SchemaCtx sub = ctx;
    if (ctx.inside_meta) sub.forbidden_defaults = "inside additionalProperties applying to object metadata";
    CheckSchema(ap->get_object(), Child(path, "additionalProperties"), Level::kField, sub, std_errs, structural);
  }
}

// Go field names of JSONSchemaProps allowed at the root when the status subresource is enabled.
const std::map<std::string, std::string>& RootAllowed() {
  static const std::map<std::string, std::string> m = {
      {"description", "Description"}, {"type", "Type"}, {"format", "Format"}, {"title", "Title"},
      {"maximum", "Maximum"}, {"exclusiveMaximum", "ExclusiveMaximum"}, {"minimum", "Minimum"},
      {"exclusiveMinimum", "ExclusiveMinimum"}, {"maxLength", "MaxLength"}, {"minLength", "MinLength"},
      {"pattern", "Pattern"}, {"maxItems", "MaxItems"}, {"minItems", "MinItems"}, {"uniqueItems", "UniqueItems"},
      {"multipleOf", "MultipleOf"}, {"required", "Required"}, {"items", "Items"}, {"properties", "Properties"},
      {"externalDocs", "ExternalDocs"}, {"example", "Example"},
      {"x-kubernetes-preserve-unknown-fields", "XPreserveUnknownFields"},
      {"x-kubernetes-validations", "XValidations"}};
  return m;
}

bool IsZero(const json::value& v) {
  if (v.is_null()) return true;
  if (v.is_bool()) return !v.get_bool();
  if (v.is_string()) return v.get_string().empty();
  if (v.is_array()) return v.get_array().empty();
  if (v.is_object()) return v.get_object().empty();
  if (auto n = Num(v)) return *n == 0;
  return false;
}

void ValidateVersionSchema(const json::object& schema, const std::string& path, bool status_enabled, Errs& e) {
  if (status_enabled) {
    for (const auto& [k, v] : schema) {
      if (IsZero(v)) continue;
      const std::string key(k);
      if (key == "type") {
        if (StrAt(&schema, "type") != "object") {
          e.Invalid(Child(path, "type"), Repr(v),
                    "only \"object\" is allowed as the type at the root of the schema if the status subresource is enabled");
          break;
        }
        continue;
      }
      if (!RootAllowed().count(key)) {
        e.Invalid(path, Repr(json::value(schema)),
                  "only [Description Type Format Title Maximum ExclusiveMaximum Minimum ExclusiveMinimum MaxLength "
                  "MinLength Pattern MaxItems MinItems UniqueItems MultipleOf Required Items Properties ExternalDocs "
                  "Example XPreserveUnknownFields XValidations] fields are allowed at the root of the schema if the "
                  "status subresource is enabled");
        break;
      }
    }
  }
  if (BoolAt(&schema, "nullable")) e.Forbidden(Child(path, "nullable"), "nullable cannot be true at the root");
  Errs std_errs, structural;
  CheckSchema(schema, path, Level::kRoot, SchemaCtx{}, std_errs, structural);
  std::sort(structural.list.begin(), structural.list.end(), [](const FieldError& a, const FieldError& b) {
    return a.field + ": " + a.message < b.field + ": " + b.message;
  });
  for (auto& fe : structural.list) e.list.push_back(std::move(fe));
  for (auto& fe : std_errs.list) e.list.push_back(std::move(fe));
}

void ValidateSubresources(const json::object* sub, const std::string& path, Errs& e) {
  if (sub == nullptr) return;
  auto* scale = ObjAt(*sub, "scale");
  if (scale == nullptr) return;
  const std::string spec_path = StrAt(scale, "specReplicasPath");
  const std::string p1 = path + ".scale.specReplicasPath";
  if (spec_path.empty()) {
    e.Required(p1);
  } else if (SimpleJsonPath(spec_path, p1, e) && spec_path.rfind(".spec.", 0) != 0) {
    e.Invalid(p1, api::GoQuote(spec_path), "should be a json path under .spec");
  }
  const std::string status_path = StrAt(scale, "statusReplicasPath");
  const std::string p2 = path + ".scale.statusReplicasPath";
  if (status_path.empty()) {
    e.Required(p2);
  } else if (SimpleJsonPath(status_path, p2, e) && status_path.rfind(".status.", 0) != 0) {
    e.Invalid(p2, api::GoQuote(status_path), "should be a json path under .status");
  }
  const std::string sel = StrAt(scale, "labelSelectorPath");
  const std::string p3 = path + ".scale.labelSelectorPath";
  if (!sel.empty() && SimpleJsonPath(sel, p3, e) && sel.rfind(".spec.", 0) != 0 && sel.rfind(".status.", 0) != 0) {
    e.Invalid(p3, api::GoQuote(sel), "should be a json path under either .spec or .status");
  }
}

void ValidateColumn(const json::object& col, const std::string& path, Errs& e) {
  if (StrAt(&col, "name").empty()) e.Required(Child(path, "name"));
  const std::string type = StrAt(&col, "type");
  static const std::set<std::string> kTypes = {"boolean", "date", "integer", "number", "string"};
  if (type.empty()) {
    e.Required(Child(path, "type"), "must be one of boolean,date,integer,number,string");
  } else if (!kTypes.count(type)) {
    e.Invalid(Child(path, "type"), api::GoQuote(type), "must be one of boolean,date,integer,number,string");
  }
  static const std::set<std::string> kFormats = {"byte", "date", "date-time", "double", "float", "int32", "int64", "password"};
  const std::string format = StrAt(&col, "format");
  if (!format.empty() && !kFormats.count(format)) {
    e.Invalid(Child(path, "format"), api::GoQuote(format), "must be one of byte,date,date-time,double,float,int32,int64,password");
  }
  const std::string jp = StrAt(&col, "jsonPath");
  if (jp.empty()) {
    e.Required(Child(path, "JSONPath"));
  } else {
    SimpleJsonPath(jp, Child(path, "JSONPath"), e);
  }
}

void ValidateNames(const json::object* names, const std::string& path, Errs& e) {
  const std::string plural = StrAt(names, "plural"), singular = StrAt(names, "singular"), kind = StrAt(names, "kind"),
                    list_kind = StrAt(names, "listKind");
  if (!plural.empty()) {
    if (auto why = Dns1035(plural); !why.empty()) e.Invalid(Child(path, "plural"), api::GoQuote(plural), why);
  }
  if (!singular.empty()) {
    if (auto why = Dns1035(singular); !why.empty()) e.Invalid(Child(path, "singular"), api::GoQuote(singular), why);
  }
  if (!kind.empty()) {
    if (auto why = Dns1035(Lower(kind)); !why.empty())
      e.Invalid(Child(path, "kind"), api::GoQuote(kind), "may have mixed case, but should otherwise match: " + why);
  }
  if (!list_kind.empty()) {
    if (auto why = Dns1035(Lower(list_kind)); !why.empty())
      e.Invalid(Child(path, "listKind"), api::GoQuote(list_kind), "may have mixed case, but should otherwise match: " + why);
  }
  auto short_names = StringsAt(names, "shortNames");
  for (size_t i = 0; i < short_names.size(); ++i) {
    if (auto why = Dns1035(short_names[i]); !why.empty())
      e.Invalid(Index(Child(path, "shortNames"), i), api::GoQuote(short_names[i]), why);
  }
  if (!kind.empty() && kind == list_kind) e.Invalid(Child(path, "listKind"), api::GoQuote(list_kind), "kind and listKind may not be the same");
  auto categories = StringsAt(names, "categories");
  for (size_t i = 0; i < categories.size(); ++i) {
    if (auto why = Dns1035(categories[i]); !why.empty())
      e.Invalid(Index(Child(path, "categories"), i), api::GoQuote(categories[i]), why);
  }
}

void ValidateConversion(const json::object* conv, const std::string& path, Errs& e) {
  if (conv == nullptr) return;
  const std::string strategy = StrAt(conv, "strategy");
  if (strategy.empty()) {
    e.Required(Child(path, "strategy"));
  } else if (strategy != "None" && strategy != "Webhook") {
    e.NotSupported(Child(path, "strategy"), api::GoQuote(strategy), {"None", "Webhook"});
  }
  auto* webhook = ObjAt(*conv, "webhook");
  auto* cc = webhook ? ObjAt(*webhook, "clientConfig") : nullptr;
  const json::array* review = webhook ? ArrAt(*webhook, "conversionReviewVersions") : nullptr;
  if (strategy == "Webhook") {
    if (cc == nullptr) {
      e.Required(Child(path, "webhookClientConfig"), "required when strategy is set to Webhook");
    } else if (Has(cc, "url") == Has(cc, "service")) {
      e.Required(Child(path, "webhookClientConfig"), "exactly one of url or service is required");
    } else if (Has(cc, "service")) {
      auto* svc = ObjAt(*cc, "service");
      const std::string sp = Child(Child(path, "webhookClientConfig"), "service");
      if (StrAt(svc, "name").empty()) e.Required(Child(sp, "name"), "service name is required");
      if (StrAt(svc, "namespace").empty()) e.Required(Child(sp, "namespace"), "service namespace is required");
    } else {
      const std::string url = StrAt(cc, "url");
      if (url.rfind("https://", 0) != 0) {
        e.Invalid(Child(Child(path, "webhookClientConfig"), "url"), api::GoQuote(url), "'https' is the only allowed URL scheme");
      }
    }
    const std::string rp = Child(path, "conversionReviewVersions");
    auto versions = StringsAt(webhook, "conversionReviewVersions");
    if (versions.empty()) {
      e.Required(rp);
    } else {
      std::set<std::string> seen;
      bool accepted = false;
      for (size_t i = 0; i < versions.size(); ++i) {
        if (!seen.insert(versions[i]).second) {
          e.Invalid(Index(rp, i), api::GoQuote(versions[i]), "duplicate version");
          continue;
        }
        if (auto why = Dns1035(versions[i]); !why.empty()) e.Invalid(Index(rp, i), api::GoQuote(versions[i]), why);
        if (versions[i] == "v1" || versions[i] == "v1beta1") accepted = true;
      }
      if (!accepted) e.Invalid(rp, json::serialize(*review), "must include at least one of v1, v1beta1");
    }
  } else {
    if (cc != nullptr) e.Forbidden(Child(path, "webhookClientConfig"), "should not be set when strategy is not set to Webhook");
    if (review != nullptr && !review->empty())
      e.Forbidden(Child(path, "conversionReviewVersions"), "should not be set when strategy is not set to Webhook");
  }
}

}  // namespace

void DefaultCrd(json::object& crd) {
  json::object* spec = ObjAt(crd, "spec");
  if (spec == nullptr) return;
  if (json::object* names = ObjAt(*spec, "names")) {
    const std::string kind = StrAt(names, "kind");
    auto* singular = names->if_contains("singular");
    if (singular == nullptr || singular->is_null() || (singular->is_string() && singular->get_string().empty()))
      (*names)["singular"] = Lower(kind);
    auto* list_kind = names->if_contains("listKind");
    if (!kind.empty() &&
        (list_kind == nullptr || list_kind->is_null() || (list_kind->is_string() && list_kind->get_string().empty())))
      (*names)["listKind"] = kind + "List";
  }
  auto* conv = spec->if_contains("conversion");
  if (conv == nullptr || conv->is_null()) {
    (*spec)["conversion"] = json::object{{"strategy", "None"}};
  } else if (auto* co = conv->if_object()) {
    if (auto* wh = ObjAt(*co, "webhook")) {
      if (auto* cc = ObjAt(*wh, "clientConfig")) {
        if (auto* svc = ObjAt(*cc, "service")) {
          if (!Has(svc, "port")) (*svc)["port"] = 443;
        }
      }
    }
  }
  const std::string storage = StorageVersion(crd);
  if (storage.empty()) return;
  auto* st = crd.if_contains("status");
  if (st == nullptr || st->is_null()) {
    crd["status"] = json::object();
    st = crd.if_contains("status");
  }
  json::object* status = st->if_object();
  if (status == nullptr) return;
  auto* sv = status->if_contains("storedVersions");
  if (sv == nullptr || sv->is_null()) {
    (*status)["storedVersions"] = json::array{json::value(storage)};
    return;
  }
  if (auto* arr = sv->if_array()) {
    for (const auto& v : *arr)
      if (v.is_string() && v.get_string() == storage) return;
    arr->emplace_back(storage);
  }
}

std::vector<FieldError> ValidateCrd(const json::object& crd, const json::object* old) {
  Errs e;
  const json::object* spec = ObjAt(crd, "spec");
  static const json::object kEmpty;
  if (spec == nullptr) spec = &kEmpty;
  const json::object* names = ObjAt(*spec, "names");
  const std::string group = StrAt(spec, "group"), plural = StrAt(names, "plural");

  if (old == nullptr) {
    const std::string name = api::MetaString(crd, "name");
    if (name != plural + "." + group) {
      e.Invalid("metadata.name", api::GoQuote(name), "must be spec.names.plural+\".\"+spec.group");
    }
  }
  if (group.empty()) {
    e.Required("spec.group");
  } else if (auto why = api::ValidateDns1123Subdomain(group); !why.empty()) {
    e.Invalid("spec.group", api::GoQuote(group), why);
  } else if (group.find('.') == std::string::npos) {
    e.Invalid("spec.group", api::GoQuote(group), "should be a domain with at least one dot");
  }
  const std::string scope = StrAt(spec, "scope");
  if (scope.empty()) {
    e.Required("spec.scope");
  } else if (scope != "Cluster" && scope != "Namespaced") {
    e.NotSupported("spec.scope", api::GoQuote(scope), {"Cluster", "Namespaced"});
  }

  const json::array* versions = ArrAt(*spec, "versions");
  static const json::array kNoVersions;
  if (versions == nullptr) versions = &kNoVersions;
  int storage = 0;
  bool unique = true;
  std::set<std::string> seen;
  for (size_t i = 0; i < versions->size(); ++i) {
    const std::string vp = Index("spec.versions", i);
    const json::object* v = (*versions)[i].if_object();
    if (v == nullptr) {
      e.Invalid(vp, Repr((*versions)[i]), "must be an object");
      continue;
    }
    if (BoolAt(v, "storage")) ++storage;
    const std::string name = StrAt(v, "name");
    if (!seen.insert(name).second) unique = false;
    if (auto why = Dns1035(name); !why.empty()) e.Invalid(Child(vp, "name"), api::GoQuote(name), why);
    auto* schema_wrap = ObjAt(*v, "schema");
    auto* schema = schema_wrap ? ObjAt(*schema_wrap, "openAPIV3Schema") : nullptr;
    if (schema == nullptr) e.Required(vp + ".schema.openAPIV3Schema");
    // deprecationWarning
    if (auto* dw = v->if_contains("deprecationWarning"); dw && dw->is_string()) {
      const std::string w(dw->get_string());
      if (!BoolAt(v, "deprecated")) {
        e.Invalid(Child(vp, "deprecationWarning"), api::GoQuote(w), "can only be set for deprecated versions");
      } else {
        if (w.size() > 256) e.Invalid(Child(vp, "deprecationWarning"), api::GoQuote(w), "must be <= 256 characters long");
        if (w.empty()) e.Invalid(Child(vp, "deprecationWarning"), api::GoQuote(w), "must not be an empty string");
      }
    }
    auto* subs = ObjAt(*v, "subresources");
    if (schema != nullptr) ValidateVersionSchema(*schema, vp + ".schema.openAPIV3Schema", subs && Has(subs, "status"), e);
    ValidateSubresources(subs, Child(vp, "subresources"), e);
    if (auto* cols = ArrAt(*v, "additionalPrinterColumns")) {
      for (size_t c = 0; c < cols->size(); ++c) {
        if (auto* co = (*cols)[c].if_object()) ValidateColumn(*co, Index(Child(vp, "additionalPrinterColumns"), c), e);
      }
    }
  }
  if (!unique) e.Invalid("spec.versions", json::serialize(*versions), "must contain unique version names");
  if (storage != 1) e.Invalid("spec.versions", json::serialize(*versions), "must have exactly one version marked as storage version");

  if (plural.empty()) e.Required("spec.names.plural");
  if (StrAt(names, "singular").empty()) e.Required("spec.names.singular");
  if (StrAt(names, "kind").empty()) e.Required("spec.names.kind");
  if (StrAt(names, "listKind").empty()) e.Required("spec.names.listKind");
  ValidateNames(names, "spec.names", e);

  const json::object* conv = ObjAt(*spec, "conversion");
  const bool preserve_unknown = BoolAt(spec, "preserveUnknownFields");
  if (conv && StrAt(conv, "strategy") != "None" && !StrAt(conv, "strategy").empty() && preserve_unknown) {
    e.Invalid("spec.conversion.strategy", api::GoQuote(StrAt(conv, "strategy")), "must be None if spec.preserveUnknownFields is true");
  }
  ValidateConversion(conv, "spec.conversion", e);
  if (preserve_unknown && (old == nullptr || !BoolAt(ObjAt(*old, "spec"), "preserveUnknownFields"))) {
    e.Invalid("spec.preserveUnknownFields", "true",
              "cannot set to true, set x-kubernetes-preserve-unknown-fields to true in spec.versions[*].schema instead");
  }

  // status.storedVersions (when present).
  if (auto* status = ObjAt(crd, "status")) {
    if (auto* stored = ArrAt(*status, "storedVersions"); stored && !stored->empty()) {
      std::vector<std::string> sv;
      for (const auto& x : *stored) sv.push_back(x.is_string() ? std::string(x.get_string()) : "");
      std::set<std::string> remaining(sv.begin(), sv.end());
      for (const auto& vv : *versions) {
        auto* v = vv.if_object();
        if (v == nullptr) continue;
        const std::string name = StrAt(v, "name");
        if (BoolAt(v, "storage") && !remaining.count(name) &&
            std::find(sv.begin(), sv.end(), name) == sv.end()) {
          e.Invalid("status.storedVersions", json::serialize(*stored), "must have the storage version " + name);
        }
        remaining.erase(name);
      }
      for (size_t i = 0; i < sv.size(); ++i) {
        if (!remaining.count(sv[i])) continue;
        const std::string& x = sv[i];
        e.Invalid(Index("status.storedVersions", i), api::GoQuote(x),
                  "missing from spec.versions; " + x + " was previously a storage version, and must remain in "
                  "spec.versions until a storage migration ensures no data remains persisted in " + x +
                  " and removes " + x + " from status.storedVersions");
      }
    }
  }

  if (old != nullptr) {
    const json::object* old_spec = ObjAt(*old, "spec");
    const json::object* old_names = old_spec ? ObjAt(*old_spec, "names") : nullptr;
    if (IsEstablished(*old)) {
      if (scope != StrAt(old_spec, "scope")) e.Immutable("spec.scope", json::value(scope));
      if (StrAt(names, "kind") != StrAt(old_names, "kind")) e.Immutable("spec.names.kind", json::value(StrAt(names, "kind")));
    }
    if (group != StrAt(old_spec, "group")) e.Immutable("spec.group", json::value(group));
    if (plural != StrAt(old_names, "plural")) e.Immutable("spec.names.plural", json::value(plural));
  }
  return std::move(e.list);
}

std::string StorageVersion(const json::object& crd) {
  if (auto* vs = Versions(crd)) {
    for (const auto& v : *vs) {
      auto* o = v.if_object();
      if (o && BoolAt(o, "storage")) return StrAt(o, "name");
    }
  }
  return "";
}

bool CrdHasStatus(const json::object& crd, const std::string& version) {
  auto* v = VersionObj(crd, version);
  auto* subs = v ? ObjAt(*v, "subresources") : nullptr;
  return subs && subs->if_contains("status") && subs->at("status").is_object();
}

std::optional<CrdScale> CrdScaleFor(const json::object& crd, const std::string& version) {
  auto* v = VersionObj(crd, version);
  auto* subs = v ? ObjAt(*v, "subresources") : nullptr;
  auto* scale = subs ? ObjAt(*subs, "scale") : nullptr;
  if (scale == nullptr) return std::nullopt;
  return CrdScale{StrAt(scale, "specReplicasPath"), StrAt(scale, "statusReplicasPath"), StrAt(scale, "labelSelectorPath")};
}

const json::object* CrdSchemaFor(const json::object& crd, const std::string& version) {
  auto* v = VersionObj(crd, version);
  auto* schema = v ? ObjAt(*v, "schema") : nullptr;
  return schema ? ObjAt(*schema, "openAPIV3Schema") : nullptr;
}

Result<std::vector<ResourceInfo>> ResourceFromCrd(const json::object& crd) {
  auto errs = ValidateCrd(crd, &crd);  // as stored: skip the create-only name rule
  if (!errs.empty()) {
    return Fail(ErrorCode::kInvalid, "CustomResourceDefinition \"" + api::MetaString(crd, "name") +
                                         "\" is invalid: " + errs[0].field + ": " + errs[0].message);
  }
  const json::object* spec = ObjAt(crd, "spec");
  const json::object* names = ObjAt(*spec, "names");
  std::vector<ResourceInfo> out;
  for (const auto& vv : *ArrAt(*spec, "versions")) {
    const json::object* v = vv.if_object();
    if (!BoolAt(v, "served")) continue;
    ResourceInfo r;
    r.group = StrAt(spec, "group");
    r.version = StrAt(v, "name");
    r.kind = StrAt(names, "kind");
    r.plural = StrAt(names, "plural");
    r.singular = StrAt(names, "singular");
    if (r.singular.empty()) r.singular = Lower(r.kind);
    r.namespaced = StrAt(spec, "scope") == "Namespaced";
    r.short_names = StringsAt(names, "shortNames");
    r.categories = StringsAt(names, "categories");
    if (auto* subs = ObjAt(*v, "subresources")) {
      if (Has(subs, "status")) r.subresources.push_back("status");
      if (Has(subs, "scale")) r.subresources.push_back("scale");
    }
    out.push_back(std::move(r));
  }
  return out;
}

void SetCrdEstablished(json::object& crd, const std::string& now_rfc3339) {
  json::object names;
  if (auto* spec = ObjAt(crd, "spec"))
    if (auto* n = ObjAt(*spec, "names")) names = *n;
  auto* st = crd.if_contains("status");
  if (st == nullptr || !st->is_object()) {
    crd["status"] = json::object();
    st = crd.if_contains("status");
  }
  json::object& status = st->as_object();
  status["acceptedNames"] = std::move(names);
  auto* c = status.if_contains("conditions");
  if (c == nullptr || !c->is_array()) {
    status["conditions"] = json::array();
    c = status.if_contains("conditions");
  }
  json::array& conds = c->as_array();
  auto set = [&](const char* type, const char* reason, const char* message) {
    for (auto& x : conds) {
      auto* o = x.if_object();
      if (o && StrAt(o, "type") == type) {
        if (StrAt(o, "status") != "True") (*o)["lastTransitionTime"] = now_rfc3339;
        (*o)["status"] = "True";
        (*o)["reason"] = reason;
        (*o)["message"] = message;
        return;
      }
    }
    conds.push_back(json::object{{"type", type},
                                 {"status", "True"},
                                 {"lastTransitionTime", now_rfc3339},
                                 {"reason", reason},
                                 {"message", message}});
  };
  set("NamesAccepted", "NoConflicts", "no conflicts found");
  set("Established", "InitialNamesAccepted", "the initial names have been accepted");
}

// ---------------------------------------------------------------------------------------------
// JSONPath (the subset printer columns use) and tables.

namespace {

struct Step {
  enum class Kind { kField, kIndex, kWildcard, kFilter } kind = Kind::kField;
  std::string field;
  int64_t index = 0;
  // Filter: @.<rel> <op> <literal>; op "" means existence.
  std::vector<std::string> rel;
  std::string op;
  json::value literal;
};

bool ParseLiteral(std::string_view s, json::value& out) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  if (s.size() >= 2 && ((s.front() == '"' && s.back() == '"') || (s.front() == '\'' && s.back() == '\''))) {
    out = json::string(s.substr(1, s.size() - 2));
    return true;
  }
  if (s == "true" || s == "false") {
    out = s == "true";
    return true;
  }
  boost::system::error_code ec;
  auto v = json::parse(s, ec);
  if (ec || !v.is_number()) return false;
  out = v;
  return true;
}

std::optional<std::vector<Step>> ParseSteps(std::string p) {
  while (!p.empty() && p.front() == ' ') p.erase(0, 1);
  while (!p.empty() && p.back() == ' ') p.pop_back();
  if (p.size() >= 2 && p.front() == '{' && p.back() == '}') p = p.substr(1, p.size() - 2);
  if (!p.empty() && p[0] == '$') p.erase(0, 1);
  std::vector<Step> steps;
  size_t i = 0;
  while (i < p.size()) {
    if (p[i] == '.') {
      ++i;
      if (i < p.size() && p[i] == '.') return std::nullopt;  // recursive descent: not supported
      if (i < p.size() && p[i] == '*') {
        steps.push_back({Step::Kind::kWildcard});
        ++i;
        continue;
      }
      size_t start = i;
      while (i < p.size() && p[i] != '.' && p[i] != '[') ++i;
      if (i == start) {
        if (i == p.size()) break;  // "." alone: the whole object
        return std::nullopt;
      }
      Step s;
      s.field = p.substr(start, i - start);
      steps.push_back(std::move(s));
      continue;
    }
    if (p[i] == '[') {
      auto close = p.find(']', i);
      if (close == std::string::npos) return std::nullopt;
      std::string inner = p.substr(i + 1, close - i - 1);
      if (inner.rfind("?(", 0) == 0) {
        // Filters may contain ']' inside quotes; find the matching ")]".
        auto end = p.find(")]", i);
        if (end == std::string::npos) return std::nullopt;
        inner = p.substr(i + 3, end - i - 3);
        close = end + 1;
        Step s;
        s.kind = Step::Kind::kFilter;
        size_t op_pos = std::string::npos;
        for (const char* op : {"==", "!=", "<=", ">=", "<", ">"}) {
          op_pos = inner.find(op);
          if (op_pos != std::string::npos) {
            s.op = op;
            break;
          }
        }
        std::string lhs = op_pos == std::string::npos ? inner : inner.substr(0, op_pos);
        while (!lhs.empty() && lhs.back() == ' ') lhs.pop_back();
        if (lhs.rfind("@", 0) != 0) return std::nullopt;
        lhs.erase(0, 1);
        size_t j = 0;
        while (j < lhs.size()) {
          if (lhs[j] != '.') return std::nullopt;
          size_t st = ++j;
          while (j < lhs.size() && lhs[j] != '.') ++j;
          s.rel.push_back(lhs.substr(st, j - st));
        }
        if (!s.op.empty() && !ParseLiteral(std::string_view(inner).substr(op_pos + s.op.size()), s.literal))
          return std::nullopt;
        steps.push_back(std::move(s));
      } else if (inner == "*") {
        steps.push_back({Step::Kind::kWildcard});
      } else if (inner.size() >= 2 && (inner.front() == '\'' || inner.front() == '"') && inner.back() == inner.front()) {
        Step s;
        s.field = inner.substr(1, inner.size() - 2);
        steps.push_back(std::move(s));
      } else {
        Step s;
        s.kind = Step::Kind::kIndex;
        auto [ptr, ec] = std::from_chars(inner.data(), inner.data() + inner.size(), s.index);
        if (ec != std::errc() || ptr != inner.data() + inner.size()) return std::nullopt;
        steps.push_back(std::move(s));
      }
      i = close + 1;
      continue;
    }
    // A leading field without a dot ("spec.replicas").
    if (steps.empty() && i == 0) {
      p = "." + p;
      continue;
    }
    return std::nullopt;
  }
  return steps;
}

bool FilterMatches(const Step& s, const json::value& item) {
  const json::value* cur = &item;
  for (const auto& f : s.rel) {
    auto* o = cur->if_object();
    if (o == nullptr) return false;
    cur = o->if_contains(f);
    if (cur == nullptr) return false;
  }
  if (s.op.empty()) return true;
  auto a = Num(*cur), b = Num(s.literal);
  if (a && b) {
    if (s.op == "==") return *a == *b;
    if (s.op == "!=") return *a != *b;
    if (s.op == "<") return *a < *b;
    if (s.op == ">") return *a > *b;
    if (s.op == "<=") return *a <= *b;
    if (s.op == ">=") return *a >= *b;
    return false;
  }
  if (s.op == "==") return *cur == s.literal;
  if (s.op == "!=") return *cur != s.literal;
  return false;
}

void Eval(const std::vector<Step>& steps, size_t at, const json::value& v, std::vector<const json::value*>& out) {
  if (at == steps.size()) {
    out.push_back(&v);
    return;
  }
  const Step& s = steps[at];
  switch (s.kind) {
    case Step::Kind::kField:
      if (auto* o = v.if_object())
        if (auto* c = o->if_contains(s.field)) Eval(steps, at + 1, *c, out);
      return;
    case Step::Kind::kIndex:
      if (auto* a = v.if_array()) {
        int64_t i = s.index < 0 ? static_cast<int64_t>(a->size()) + s.index : s.index;
        if (i >= 0 && i < static_cast<int64_t>(a->size())) Eval(steps, at + 1, (*a)[static_cast<size_t>(i)], out);
      }
      return;
    case Step::Kind::kWildcard:
      if (auto* a = v.if_array()) {
        for (const auto& x : *a) Eval(steps, at + 1, x, out);
      } else if (auto* o = v.if_object()) {
        for (const auto& [k, x] : *o) {
          (void)k;
          Eval(steps, at + 1, x, out);
        }
      }
      return;
    case Step::Kind::kFilter:
      if (auto* a = v.if_array()) {
        for (const auto& x : *a)
          if (FilterMatches(s, x)) Eval(steps, at + 1, x, out);
      }
      return;
  }
}

// fmt.Fprint of a decoded JSON value, as kubectl's jsonpath prints non-strings.
std::string GoPrint(const json::value& v) {
  switch (v.kind()) {
    case json::kind::string: return std::string(v.get_string());
    case json::kind::int64: return std::to_string(v.get_int64());
    case json::kind::uint64: return std::to_string(v.get_uint64());
    case json::kind::double_: return GoFloat(v.get_double());
    case json::kind::bool_: return v.get_bool() ? "true" : "false";
    case json::kind::null: return "<nil>";
    case json::kind::array: {
      std::string s = "[";
      bool first = true;
      for (const auto& x : v.get_array()) {
        s += (first ? "" : " ") + GoPrint(x);
        first = false;
      }
      return s + "]";
    }
    case json::kind::object: {
      std::vector<std::pair<std::string, std::string>> kv;
      for (const auto& [k, x] : v.get_object()) kv.emplace_back(std::string(k), GoPrint(x));
      std::sort(kv.begin(), kv.end());
      std::string s = "map[";
      bool first = true;
      for (const auto& [k, x] : kv) {
        s += (first ? "" : " ") + k + ":" + x;
        first = false;
      }
      return s + "]";
    }
  }
  return "";
}

json::value Cell(const std::string& type, const json::value& v, int64_t now) {
  if (v.is_null()) return nullptr;
  if (type == "string") return json::value(GoPrint(v));
  if (type == "integer") {
    if (v.is_int64() || v.is_uint64()) return v;
    if (v.is_double()) return static_cast<int64_t>(v.get_double());
    return nullptr;
  }
  if (type == "number") {
    if (auto n = Num(v)) return *n;
    return nullptr;
  }
  if (type == "boolean") return v.is_bool() ? v : json::value(nullptr);
  if (type == "date") {
    if (!v.is_string()) return nullptr;
    if (v.get_string().empty()) return "<unknown>";
    auto t = ParseRfc3339(std::string(v.get_string()));
    if (!t) return "<invalid>";
    return json::value(HumanDuration(now - *t));
  }
  return nullptr;
}

json::array ColumnsOf(const json::object& crd, const std::string& version) {
  auto* v = VersionObj(crd, version);
  const json::array* cols = v ? ArrAt(*v, "additionalPrinterColumns") : nullptr;
  if (cols != nullptr && !cols->empty()) return *cols;
  return json::array{json::object{{"name", "Age"},
                                  {"type", "date"},
                                  {"jsonPath", ".metadata.creationTimestamp"},
                                  {"description", "CreationTimestamp is a timestamp representing the server time when "
                                                  "this object was created."}}};
}

}  // namespace

std::optional<json::value> EvalJsonPath(const json::value& v, const std::string& path) {
  auto steps = ParseSteps(path);
  if (!steps) return std::nullopt;
  std::vector<const json::value*> out;
  Eval(*steps, 0, v, out);
  if (out.empty()) return std::nullopt;
  return *out[0];
}

json::array TableColumnsFor(const json::object& crd, const std::string& version) {
  json::array out;
  out.push_back(json::object{{"name", "Name"},
                             {"type", "string"},
                             {"format", "name"},
                             {"description", "Name must be unique within a namespace. Is required when creating "
                                             "resources, although some resources may allow a client to request the "
                                             "generation of an appropriate name automatically. Name is primarily "
                                             "intended for creation idempotence and configuration definition. Cannot "
                                             "be updated. More info: https://kubernetes.io/docs/concepts/overview/"
                                             "working-with-objects/names#names"},
                             {"priority", 0}});
  for (const auto& c : ColumnsOf(crd, version)) {
    auto* co = c.if_object();
    if (co == nullptr) continue;
    const std::string jp = StrAt(co, "jsonPath");
    std::string desc = StrAt(co, "description");
    if (desc.empty()) desc = "Custom resource definition column (in JSONPath format): " + jp;
    int64_t priority = IntOf(co->if_contains("priority")).value_or(0);
    out.push_back(json::object{{"name", StrAt(co, "name")},
                               {"type", StrAt(co, "type")},
                               {"format", StrAt(co, "format")},
                               {"description", desc},
                               {"priority", priority}});
  }
  return out;
}

json::array TableCellsForAt(const json::object& crd, const std::string& version, const json::object& obj,
                            int64_t now_unix) {
  json::array cells;
  cells.emplace_back(api::MetaString(obj, "name"));
  const json::value whole(obj);
  for (const auto& c : ColumnsOf(crd, version)) {
    auto* co = c.if_object();
    if (co == nullptr) continue;
    auto v = EvalJsonPath(whole, StrAt(co, "jsonPath"));
    cells.push_back(v ? Cell(StrAt(co, "type"), *v, now_unix) : json::value(nullptr));
  }
  return cells;
}

json::array TableCellsFor(const json::object& crd, const std::string& version, const json::object& obj) {
  return TableCellsForAt(crd, version, obj, static_cast<int64_t>(std::time(nullptr)));
}

}  // namespace k1s::registry
