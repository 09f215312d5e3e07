#include "lib/api/patch.h"

#include <boost/json.hpp>
#include <string>
#include <vector>

namespace k1s::api {

namespace json = boost::json;

void ApplyMergePatch(json::value& target, const json::value& patch) {
  if (!patch.is_object()) {
    target = patch;
    return;
  }
  if (!target.is_object()) target = json::object();
  auto& t = target.as_object();
  for (const auto& kv : patch.as_object()) {
    if (kv.value().is_null()) {
      t.erase(kv.key());
    } else {
      ApplyMergePatch(t[kv.key()], kv.value());
    }
  }
}

namespace {

// Splits a JSON pointer ("/a/b~1c") into unescaped tokens.
Result<std::vector<std::string>> ParsePointer(std::string_view ptr) {
  std::vector<std::string> out;
  if (ptr.empty()) return out;
  if (ptr[0] != '/') return Fail(ErrorCode::kInvalid, "JSON pointer \"" + std::string(ptr) + "\" must start with /");
  std::string cur;
  for (size_t i = 1; i <= ptr.size(); ++i) {
    if (i == ptr.size() || ptr[i] == '/') {
      out.push_back(cur);
      cur.clear();
    } else if (ptr[i] == '~' && i + 1 < ptr.size() && (ptr[i + 1] == '0' || ptr[i + 1] == '1')) {
      cur += ptr[i + 1] == '0' ? '~' : '/';
      ++i;
    } else {
      cur += ptr[i];
    }
  }
  return out;
}

bool ParseIndex(const std::string& tok, size_t size, bool allow_end, size_t* index) {
  if (allow_end && tok == "-") {
    *index = size;
    return true;
  }
  if (tok.empty() || tok.find_first_not_of("0123456789") != std::string::npos || (tok.size() > 1 && tok[0] == '0'))
    return false;
  *index = std::stoul(tok);
  return *index < size || (allow_end && *index == size);
}

// The parent container of the pointer's last token.
Result<json::value*> Parent(json::value& root, const std::vector<std::string>& toks, const std::string& path) {
  json::value* cur = &root;
  for (size_t i = 0; i + 1 < toks.size(); ++i) {
    if (cur->is_object()) {
      auto it = cur->as_object().find(toks[i]);
      if (it == cur->as_object().end()) return Fail(ErrorCode::kInvalid, "path " + path + " does not exist");
      cur = &it->value();
    } else if (cur->is_array()) {
      size_t idx;
      if (!ParseIndex(toks[i], cur->as_array().size(), false, &idx))
        return Fail(ErrorCode::kInvalid, "path " + path + " does not exist");
      cur = &cur->as_array()[idx];
    } else {
      return Fail(ErrorCode::kInvalid, "path " + path + " does not exist");
    }
  }
  return cur;
}

Result<json::value> Get(json::value& root, const std::string& path) {
  K1S_ASSIGN_OR_RETURN(auto toks, ParsePointer(path));
  if (toks.empty()) return root;
  K1S_ASSIGN_OR_RETURN(json::value * parent, Parent(root, toks, path));
  if (parent->is_object()) {
    auto it = parent->as_object().find(toks.back());
    if (it == parent->as_object().end()) return Fail(ErrorCode::kInvalid, "path " + path + " does not exist");
    return it->value();
  }
  size_t idx;
  if (!parent->is_array() || !ParseIndex(toks.back(), parent->as_array().size(), false, &idx))
    return Fail(ErrorCode::kInvalid, "path " + path + " does not exist");
  return parent->as_array()[idx];
}

Status Remove(json::value& root, const std::string& path) {
  K1S_ASSIGN_OR_RETURN(auto toks, ParsePointer(path));
  if (toks.empty()) return Fail(ErrorCode::kInvalid, "cannot remove the whole document");
  K1S_ASSIGN_OR_RETURN(json::value * parent, Parent(root, toks, path));
  if (parent->is_object()) {
    if (parent->as_object().erase(toks.back()) == 0)
      return Fail(ErrorCode::kInvalid, "path " + path + " does not exist");
    return OkStatus();
  }
  size_t idx;
  if (!parent->is_array() || !ParseIndex(toks.back(), parent->as_array().size(), false, &idx))
    return Fail(ErrorCode::kInvalid, "path " + path + " does not exist");
  parent->as_array().erase(parent->as_array().begin() + static_cast<long>(idx));
  return OkStatus();
}

Status Add(json::value& root, const std::string& path, json::value v, bool replace) {
  K1S_ASSIGN_OR_RETURN(auto toks, ParsePointer(path));
  if (toks.empty()) {
    root = std::move(v);
    return OkStatus();
  }
  K1S_ASSIGN_OR_RETURN(json::value * parent, Parent(root, toks, path));
  if (parent->is_object()) {
    auto& obj = parent->as_object();
    if (replace && obj.find(toks.back()) == obj.end())
      return Fail(ErrorCode::kInvalid, "path " + path + " does not exist");
    obj[toks.back()] = std::move(v);
    return OkStatus();
  }
  if (!parent->is_array()) return Fail(ErrorCode::kInvalid, "path " + path + " does not exist");
  auto& arr = parent->as_array();
  size_t idx;
  if (!ParseIndex(toks.back(), arr.size(), !replace, &idx))
    return Fail(ErrorCode::kInvalid, "path " + path + " is out of range");
  if (replace) {
    arr[idx] = std::move(v);
  } else {
    arr.insert(arr.begin() + static_cast<long>(idx), std::move(v));
  }
  return OkStatus();
}

}  // namespace

Status ApplyJsonPatch(json::value& target, const json::value& patch) {
  if (!patch.is_array()) return Fail(ErrorCode::kInvalid, "a JSON patch must be an array of operations");
  json::value work = target;
  int n = 0;
  for (const auto& opv : patch.as_array()) {
    ++n;
    std::string where = "operation " + std::to_string(n);
    if (!opv.is_object()) return Fail(ErrorCode::kInvalid, where + " is not an object");
    const auto& op = opv.as_object();
    auto str = [&](const char* f) -> std::string {
      auto it = op.find(f);
      return it != op.end() && it->value().is_string() ? std::string(it->value().as_string()) : "";
    };
    std::string kind = str("op"), path = str("path"), from = str("from");
    auto value = op.find("value");
    Status s;
    if (kind == "add" || kind == "replace") {
      if (value == op.end()) return Fail(ErrorCode::kInvalid, where + " (" + kind + ") has no value");
      s = Add(work, path, value->value(), kind == "replace");
    } else if (kind == "remove") {
      s = Remove(work, path);
    } else if (kind == "move" || kind == "copy") {
      auto got = Get(work, from);
      if (!got.ok()) return Fail(ErrorCode::kInvalid, where + " (" + kind + "): " + got.error().message);
      if (kind == "move") s = Remove(work, from);
      if (s.ok()) s = Add(work, path, *got, false);
    } else if (kind == "test") {
      auto got = Get(work, path);
      if (!got.ok() || value == op.end() || *got != value->value())
        return Fail(ErrorCode::kInvalid, where + " (test) failed at " + path);
    } else {
      return Fail(ErrorCode::kInvalid, where + " has unknown op \"" + kind + "\"");
    }
    if (!s.ok()) return Fail(ErrorCode::kInvalid, where + " (" + kind + "): " + s.error().message);
  }
  target = std::move(work);
  return OkStatus();
}

}  // namespace k1s::api
