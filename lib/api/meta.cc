#include "lib/api/meta.h"

#include <openssl/rand.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <chrono>
#include <cstdio>
#include <ctime>

#include "lib/base/strings.h"

namespace k1s::api {

json::object& Metadata(json::object& obj) {
  auto& v = obj["metadata"];
  if (!v.is_object()) v = json::object();
  return v.as_object();
}

std::string MetaString(const json::object& obj, std::string_view field) {
  auto m = obj.find("metadata");
  if (m == obj.end() || !m->value().is_object()) return "";
  auto f = m->value().as_object().find(field);
  if (f == m->value().as_object().end() || !f->value().is_string()) return "";
  return std::string(f->value().as_string());
}

std::map<std::string, std::string> Labels(const json::object& obj) {
  std::map<std::string, std::string> out;
  auto m = obj.find("metadata");
  if (m == obj.end() || !m->value().is_object()) return out;
  auto l = m->value().as_object().find("labels");
  if (l == m->value().as_object().end() || !l->value().is_object()) return out;
  for (const auto& kv : l->value().as_object()) {
    if (kv.value().is_string()) out[std::string(kv.key())] = std::string(kv.value().as_string());
  }
  return out;
}

Result<json::object> ParseObject(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec) return Fail(ErrorCode::kBadRequest, "invalid JSON in the request body: " + ec.message());
  if (!v.is_object()) return Fail(ErrorCode::kBadRequest, "the request body must be a JSON object");
  return std::move(v.as_object());
}

namespace {
bool IsAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
}  // namespace

std::string ValidateDns1123Label(std::string_view name) {
  const std::string msg =
      "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and "
      "end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
      "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
  if (name.empty()) return msg;
  if (name.size() > 63) return "must be no more than 63 characters";
  if (!IsAlnum(name.front()) || !IsAlnum(name.back())) return msg;
  for (char c : name)
    if (!IsAlnum(c) && c != '-') return msg;
  return "";
}

std::string ValidateDns1035Label(std::string_view name) {
  const std::string msg =
      "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic "
      "character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for "
      "validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
  if (name.empty()) return msg;
  if (name.size() > 63) return "must be no more than 63 characters";
  if (name.front() < 'a' || name.front() > 'z' || !IsAlnum(name.back())) return msg;
  for (char c : name)
    if (!IsAlnum(c) && c != '-') return msg;
  return "";
}

std::vector<std::string> ValidatePortName(std::string_view port) {
  std::vector<std::string> errs;
  auto lower = [](char c) { return c >= 'a' && c <= 'z'; };
  if (port.size() > 15) errs.push_back("must be no more than 15 characters");
  if (port.empty() || !std::all_of(port.begin(), port.end(), [&](char c) { return IsAlnum(c) || c == '-'; })) {
    errs.push_back("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
  }
  if (std::none_of(port.begin(), port.end(), lower)) errs.push_back("must contain at least one letter (a-z)");
  if (port.find("--") != std::string_view::npos) errs.push_back("must not contain consecutive hyphens");
  if (!port.empty() && (port.front() == '-' || port.back() == '-')) errs.push_back("must not begin or end with a hyphen");
  return errs;
}

std::string ValidateDns1123Subdomain(std::string_view name) {
  const std::string msg =
      "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must "
      "start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
      "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
  if (name.empty()) return msg;
  if (name.size() > 253) return "must be no more than 253 characters";
  for (const auto& part : Split(name, '.')) {
    if (part.empty() || !IsAlnum(part.front()) || !IsAlnum(part.back())) return msg;
    for (char c : part)
      if (!IsAlnum(c) && c != '-') return msg;
  }
  return "";
}

std::string ValidatePathSegmentName(std::string_view name) {
  if (name == "." || name == "..") return "may not be '" + std::string(name) + "'";
  if (name.find('/') != std::string_view::npos) return "may not contain '/'";
  if (name.find('%') != std::string_view::npos) return "may not contain '%'";
  return "";
}

std::string NowRfc3339() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string NewUid() {
  unsigned char b[16];
  RAND_bytes(b, sizeof b);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  char buf[40];
  std::snprintf(buf, sizeof buf, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
                b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
  return buf;
}

std::string RandomSuffix(int n) {
  static const char kAlphabet[] = "bcdfghjklmnpqrstvwxz2456789";  // as Kubernetes: no vowels, no 0/1/3
  std::string out;
  unsigned char b[64];
  RAND_bytes(b, sizeof b);
  for (int i = 0; i < n && i < 64; ++i) out += kAlphabet[b[i] % (sizeof kAlphabet - 1)];
  return out;
}

Result<LabelSelector> LabelSelector::Parse(std::string_view text) {
  LabelSelector sel;
  // Split on commas outside parentheses.
  std::vector<std::string> parts;
  std::string cur;
  int depth = 0;
  for (char c : text) {
    if (c == '(') depth++;
    if (c == ')') depth--;
    if (c == ',' && depth == 0) {
      parts.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) parts.push_back(cur);
  for (auto& raw : parts) {
    std::string p(Trim(raw));
    if (p.empty()) continue;
    Req r;
    auto bad = Fail(ErrorCode::kBadRequest, "unable to parse requirement: invalid label selector \"" + p + "\"");
    size_t pos;
    if (p[0] == '!') {
      r.key = std::string(Trim(p.substr(1)));
      r.op = Req::Op::kNotExists;
    } else if ((pos = p.find(" notin ")) != std::string::npos || (pos = p.find(" in ")) != std::string::npos) {
      bool notin = p.compare(pos, 7, " notin ") == 0;
      r.key = std::string(Trim(p.substr(0, pos)));
      r.op = notin ? Req::Op::kNotIn : Req::Op::kIn;
      std::string rest(Trim(p.substr(pos + (notin ? 7 : 4))));
      if (rest.size() < 2 || rest.front() != '(' || rest.back() != ')') return bad;
      for (auto& v : Split(rest.substr(1, rest.size() - 2), ',')) r.values.emplace_back(Trim(v));
    } else if ((pos = p.find("!=")) != std::string::npos) {
      r.key = std::string(Trim(p.substr(0, pos)));
      r.op = Req::Op::kNotEq;
      r.values.emplace_back(Trim(p.substr(pos + 2)));
    } else if ((pos = p.find("==")) != std::string::npos) {
      r.key = std::string(Trim(p.substr(0, pos)));
      r.op = Req::Op::kEq;
      r.values.emplace_back(Trim(p.substr(pos + 2)));
    } else if ((pos = p.find('=')) != std::string::npos) {
      r.key = std::string(Trim(p.substr(0, pos)));
      r.op = Req::Op::kEq;
      r.values.emplace_back(Trim(p.substr(pos + 1)));
    } else {
      r.key = p;
      r.op = Req::Op::kExists;
    }
    if (r.key.empty()) return bad;
    sel.reqs_.push_back(std::move(r));
  }
  return sel;
}

bool LabelSelector::Matches(const std::map<std::string, std::string>& labels) const {
  for (const auto& r : reqs_) {
    auto it = labels.find(r.key);
    bool has = it != labels.end();
    auto in = [&] { return has && std::find(r.values.begin(), r.values.end(), it->second) != r.values.end(); };
    switch (r.op) {
      case Req::Op::kEq:
      case Req::Op::kIn:
        if (!in()) return false;
        break;
      case Req::Op::kNotEq:
      case Req::Op::kNotIn:
        if (in()) return false;
        break;
      case Req::Op::kExists:
        if (!has) return false;
        break;
      case Req::Op::kNotExists:
        if (has) return false;
        break;
    }
  }
  return true;
}

bool LabelSelectorMatches(const json::object& selector, const std::map<std::string, std::string>& labels) {
  if (auto it = selector.find("matchLabels"); it != selector.end() && !it->value().is_null()) {
    if (!it->value().is_object()) return false;
    for (const auto& [k, v] : it->value().as_object()) {
      auto l = labels.find(std::string(k));
      if (!v.is_string() || l == labels.end() || l->second != v.as_string()) return false;
    }
  }
  if (auto it = selector.find("matchExpressions"); it != selector.end() && !it->value().is_null()) {
    if (!it->value().is_array()) return false;
    for (const auto& e : it->value().as_array()) {
      if (!e.is_object()) return false;
      const auto& expr = e.as_object();
      auto key = expr.find("key");
      auto op = expr.find("operator");
      if (key == expr.end() || !key->value().is_string() || op == expr.end() || !op->value().is_string()) return false;
      auto l = labels.find(std::string(key->value().as_string()));
      bool has = l != labels.end();
      bool in = false;
      if (auto values = expr.find("values"); has && values != expr.end() && values->value().is_array()) {
        for (const auto& v : values->value().as_array())
          if (v.is_string() && v.as_string() == l->second) in = true;
      }
      const auto& o = op->value().as_string();
      if (o == "In" ? !in : o == "NotIn" ? in : o == "Exists" ? !has : o == "DoesNotExist" ? has : true) return false;
    }
  }
  return true;
}

}  // namespace k1s::api
