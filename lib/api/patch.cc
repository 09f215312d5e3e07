#include "lib/api/patch.h"

#include <algorithm>
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

// The merge key of a list field, by field name ("" when the list is replaced as a whole). `ports` is
// keyed by containerPort in containers and by port in Services: the elements tell which.
std::string MergeKey(std::string_view field, const json::array& sample) {
  if (field == "containers" || field == "initContainers" || field == "ephemeralContainers" || field == "env" ||
      field == "volumes" || field == "imagePullSecrets")
    return "name";
  if (field == "volumeMounts") return "mountPath";
  if (field == "volumeDevices") return "devicePath";
  if (field == "hostAliases") return "ip";
  if (field == "conditions") return "type";
  if (field == "ownerReferences") return "uid";
  if (field == "topologySpreadConstraints") return "topologyKey";
  if (field == "ports") {
    for (const auto& e : sample)
      if (e.is_object() && e.as_object().contains("containerPort")) return "containerPort";
    return "port";
  }
  return "";
}

bool SameKey(const json::value& a, const json::value& b, const std::string& key) {
  if (!a.is_object() || !b.is_object()) return false;
  auto x = a.as_object().find(key), y = b.as_object().find(key);
  return x != a.as_object().end() && y != b.as_object().end() && x->value() == y->value();
}

void Strategic(json::value& target, const json::value& patch);

void StrategicList(json::array& target, const json::array& patch, const std::string& key) {
  for (const auto& p : patch) {
    if (!p.is_object()) continue;
    const auto& po = p.as_object();
    auto directive = po.find("$patch");
    auto it = std::find_if(target.begin(), target.end(), [&](const json::value& t) { return SameKey(t, p, key); });
    if (directive != po.end() && directive->value() == "delete") {
      if (it != target.end()) target.erase(it);
      continue;
    }
    if (it != target.end()) {
      Strategic(*it, p);
    } else {
      json::value fresh = json::object();
      Strategic(fresh, p);
      target.push_back(std::move(fresh));
    }
  }
}

// Orders list by the keys in `order` (elements not named keep their relative order, after).
void Reorder(json::array& list, const json::array& order, const std::string& key) {
  json::array out;
  std::vector<bool> used(list.size(), false);
  for (const auto& o : order) {
    for (size_t i = 0; i < list.size(); ++i) {
      if (!used[i] && (key.empty() ? list[i] == o : SameKey(list[i], o, key))) {
        out.push_back(list[i]);
        used[i] = true;
        break;
      }
    }
  }
  for (size_t i = 0; i < list.size(); ++i)
    if (!used[i]) out.push_back(list[i]);
  list = std::move(out);
}

void Strategic(json::value& target, const json::value& patch) {
  if (!patch.is_object()) {
    target = patch;
    return;
  }
  const auto& po = patch.as_object();
  if (auto d = po.find("$patch"); d != po.end() && d->value() == "replace") {
    json::object copy = po;
    copy.erase("$patch");
    target = std::move(copy);
    return;
  }
  if (!target.is_object()) target = json::object();
  auto& t = target.as_object();
  if (auto rk = po.find("$retainKeys"); rk != po.end() && rk->value().is_array()) {
    std::vector<std::string> drop;
    for (const auto& kv : t) {
      bool keep = false;
      for (const auto& k : rk->value().as_array()) keep |= k.is_string() && k.as_string() == kv.key();
      if (!keep) drop.emplace_back(kv.key());
    }
    for (const auto& k : drop) t.erase(k);
  }
  for (const auto& kv : po) {
    std::string_view k = kv.key();
    if (k == "$patch" || k == "$retainKeys" || k.rfind("$setElementOrder/", 0) == 0) continue;
    if (k.rfind("$deleteFromPrimitiveList/", 0) == 0) {
      std::string field(k.substr(25));
      auto it = t.find(field);
      if (it != t.end() && it->value().is_array() && kv.value().is_array()) {
        auto& arr = it->value().as_array();
        for (const auto& v : kv.value().as_array()) {
          auto pos = std::find(arr.begin(), arr.end(), v);
          if (pos != arr.end()) arr.erase(pos);
        }
      }
      continue;
    }
    if (kv.value().is_null()) {
      t.erase(k);
      continue;
    }
    if (kv.value().is_array()) {
      const auto& parr = kv.value().as_array();
      auto cur = t.find(k);
      std::string key = MergeKey(k, parr);
      if (key.empty() && cur != t.end() && cur->value().is_array()) key = MergeKey(k, cur->value().as_array());
      if (!key.empty() && cur != t.end() && cur->value().is_array()) {
        StrategicList(cur->value().as_array(), parr, key);
      } else if (!key.empty()) {
        json::array fresh;
        StrategicList(fresh, parr, key);
        t[k] = std::move(fresh);
      } else {
        t[k] = kv.value();
      }
      continue;
    }
    Strategic(t[k], kv.value());
  }
  // $setElementOrder after the merge.
  for (const auto& kv : po) {
    std::string_view k = kv.key();
    if (k.rfind("$setElementOrder/", 0) != 0 || !kv.value().is_array()) continue;
    std::string field(k.substr(17));
    auto it = t.find(field);
    if (it == t.end() || !it->value().is_array()) continue;
    Reorder(it->value().as_array(), kv.value().as_array(), MergeKey(field, it->value().as_array()));
  }
}

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

void ApplyStrategicMergePatch(json::value& target, const json::value& patch) { Strategic(target, patch); }

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
