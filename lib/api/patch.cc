#include "lib/api/patch.h"

#include <algorithm>
#include <charconv>
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

// The merge key of a list field guessed by field name, for patches without a schema ("" when the list
// is replaced as a whole). `ports` is keyed by containerPort in containers and by port in Services: the
// elements tell which.
std::string GuessMergeKey(std::string_view field, const json::array& sample) {
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

constexpr std::string_view kSetElementOrder = "$setElementOrder/";
constexpr std::string_view kDeleteFromPrimitiveList = "$deleteFromPrimitiveList/";

bool StartsWith(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

// One strategic merge, with or without a schema. Errors are collected only in strict (schema) mode;
// the guessing mode keeps going as the old behaviour did.
class Merger {
 public:
  explicit Merger(const PatchSchema* schema) : schema_(schema) {}

  Status MergeValue(json::value& target, const json::value& patch, const void* type) {
    if (!patch.is_object()) {
      target = patch;
      return OkStatus();
    }
    return MergeObject(target, patch.as_object(), type);
  }

 private:
  // The facts of field `name` under `type`; `sample` lets the fallback tell Service ports from
  // container ports.
  PatchField FieldOf(const void* type, std::string_view name, const json::array* sample1, const json::array* sample2) {
    if (schema_ != nullptr) return schema_->Field(type, name);
    PatchField f;
    std::string key;
    if (sample1 != nullptr) key = GuessMergeKey(name, *sample1);
    if (key.empty() && sample2 != nullptr) key = GuessMergeKey(name, *sample2);
    if (key.empty() && sample1 == nullptr && sample2 == nullptr) key = GuessMergeKey(name, json::array());
    f.merge_key = key;
    f.merge = !key.empty();
    return f;
  }

  Status Invalid(std::string message) {
    if (schema_ == nullptr) return OkStatus();
    return Fail(ErrorCode::kInvalid, "invalid strategic merge patch: " + std::move(message));
  }

  Status MergeObject(json::value& target, const json::object& patch, const void* type) {
    if (auto d = patch.find("$patch"); d != patch.end()) {
      if (d->value() == "replace") {
        json::object copy = patch;
        copy.erase("$patch");
        target = std::move(copy);
        return OkStatus();
      }
      if (d->value() == "delete") {
        target = json::object();
        return OkStatus();
      }
      if (d->value() != "merge") return Invalid("unknown $patch directive " + json::serialize(d->value()));
    }
    if (!target.is_object()) target = json::object();
    auto& t = target.as_object();
    if (auto rk = patch.find("$retainKeys"); rk != patch.end()) {
      if (!rk->value().is_array()) return Invalid("$retainKeys must be a list");
      std::vector<std::string> drop;
      for (const auto& kv : t) {
        bool keep = false;
        for (const auto& k : rk->value().as_array()) keep |= k.is_string() && k.as_string() == kv.key();
        if (!keep) drop.emplace_back(kv.key());
      }
      for (const auto& k : drop) t.erase(k);
    }
    // $deleteFromPrimitiveList first (upstream removes before merging the same list).
    for (const auto& kv : patch) {
      std::string_view k = kv.key();
      if (!StartsWith(k, kDeleteFromPrimitiveList)) continue;
      if (!kv.value().is_array()) return Invalid(std::string(k) + " must be a list");
      auto it = t.find(k.substr(kDeleteFromPrimitiveList.size()));
      if (it == t.end() || !it->value().is_array()) continue;
      auto& arr = it->value().as_array();
      for (const auto& v : kv.value().as_array())
        arr.erase(std::remove(arr.begin(), arr.end(), v), arr.end());
    }
    for (const auto& kv : patch) {
      std::string_view k = kv.key();
      if (k == "$patch" || k == "$retainKeys" || StartsWith(k, kSetElementOrder) || StartsWith(k, kDeleteFromPrimitiveList))
        continue;
      if (kv.value().is_null()) {
        t.erase(k);
        continue;
      }
      auto cur = t.find(k);
      if (kv.value().is_array()) {
        const json::array* current = cur != t.end() && cur->value().is_array() ? &cur->value().as_array() : nullptr;
        PatchField f = FieldOf(type, k, &kv.value().as_array(), current);
        json::array merged = current != nullptr ? *current : json::array();
        K1S_TRY(MergeList(merged, kv.value().as_array(), f, k));
        t[k] = std::move(merged);
        continue;
      }
      if (kv.value().is_object()) {
        PatchField f = FieldOf(type, k, nullptr, nullptr);
        const auto& po = kv.value().as_object();
        if (auto d = po.find("$patch"); d != po.end() && d->value() == "delete") {
          t.erase(k);
          continue;
        }
        K1S_TRY(MergeObject(t[k], po, f.type));
        continue;
      }
      t[k] = kv.value();
    }
    // $setElementOrder after the merge: the patch's order for the elements it names, the others kept
    // where they were relative to them.
    for (const auto& kv : patch) {
      std::string_view k = kv.key();
      if (!StartsWith(k, kSetElementOrder)) continue;
      if (!kv.value().is_array()) return Invalid(std::string(k) + " must be a list");
      std::string_view field = k.substr(kSetElementOrder.size());
      auto it = t.find(field);
      if (it == t.end() || !it->value().is_array()) continue;
      PatchField f = FieldOf(type, field, &it->value().as_array(), nullptr);
      if (schema_ != nullptr && !f.merge) continue;  // a replaced list is already in the patch's order
      Reorder(it->value().as_array(), kv.value().as_array(), f.merge_key);
    }
    return OkStatus();
  }

  static bool SameKey(const json::value& a, const json::value& b, const std::string& key) {
    if (!a.is_object() || !b.is_object()) return false;
    auto x = a.as_object().find(key), y = b.as_object().find(key);
    return x != a.as_object().end() && y != b.as_object().end() && x->value() == y->value();
  }

  Status MergeList(json::array& target, const json::array& patch, const PatchField& f, std::string_view field) {
    bool objects = false;
    for (const auto& p : patch) objects |= p.is_object();
    // {"$patch": "replace"} in a list replaces the whole list with the other elements.
    for (const auto& p : patch) {
      if (p.is_object() && p.as_object().size() == 1 && p.as_object().contains("$patch") &&
          p.as_object().at("$patch") == "replace") {
        json::array out;
        for (const auto& q : patch)
          if (&q != &p) out.push_back(StripDirectives(q));
        target = std::move(out);
        return OkStatus();
      }
    }
    if (!f.merge) {
      json::array out;
      for (const auto& q : patch) out.push_back(StripDirectives(q));
      target = std::move(out);
      return OkStatus();
    }
    if (!objects || f.merge_key.empty()) {
      // A set of scalars: the union, first occurrence kept.
      if (objects && schema_ != nullptr)
        return Invalid("list " + std::string(field) + " has patchStrategy merge but no merge key");
      for (const auto& p : patch)
        if (std::find(target.begin(), target.end(), p) == target.end()) target.push_back(p);
      return OkStatus();
    }
    for (const auto& p : patch) {
      if (!p.is_object()) return Invalid("list " + std::string(field) + " mixes objects and scalars");
      const auto& po = p.as_object();
      if (!po.contains(f.merge_key) && schema_ != nullptr) {
        return Invalid("an element of " + std::string(field) + " does not contain its merge key " + f.merge_key);
      }
      auto directive = po.find("$patch");
      if (directive != po.end() && directive->value() == "delete") {
        target.erase(std::remove_if(target.begin(), target.end(),
                                    [&](const json::value& t) { return SameKey(t, p, f.merge_key); }),
                     target.end());
        continue;
      }
      auto it = std::find_if(target.begin(), target.end(), [&](const json::value& t) { return SameKey(t, p, f.merge_key); });
      if (it != target.end()) {
        K1S_TRY(MergeObject(*it, po, f.element));
      } else {
        json::value fresh = json::object();
        K1S_TRY(MergeObject(fresh, po, f.element));
        target.push_back(std::move(fresh));
      }
    }
    return OkStatus();
  }

  // An element of a replaced list, without a $patch directive of its own.
  static json::value StripDirectives(const json::value& v) {
    if (!v.is_object() || !v.as_object().contains("$patch")) return v;
    json::object copy = v.as_object();
    copy.erase("$patch");
    return copy;
  }

  // Orders `list` by $setElementOrder `order`: the elements it names come in its order, and each other
  // element keeps its position relative to them from the list as it was.
  static void Reorder(json::array& list, const json::array& order, const std::string& key) {
    auto index_in = [&](const json::array& arr, const json::value& v) -> long {
      for (size_t i = 0; i < arr.size(); ++i)
        if (key.empty() ? arr[i] == v : SameKey(arr[i], v, key)) return static_cast<long>(i);
      return -1;
    };
    std::vector<std::pair<long, json::value>> named;  // (position in order, element)
    std::vector<json::value> others;
    for (const auto& e : list) {
      long pos = index_in(order, e);
      if (pos >= 0) {
        named.emplace_back(pos, e);
      } else {
        others.push_back(e);
      }
    }
    std::stable_sort(named.begin(), named.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    // Interleave: an unnamed element goes before a named one when it came first in the old list.
    json::array old = list, out;
    size_t i = 0, j = 0;
    while (i < others.size() || j < named.size()) {
      if (j >= named.size()) {
        out.push_back(others[i++]);
      } else if (i >= others.size()) {
        out.push_back(named[j++].second);
      } else {
        long a = index_in(old, others[i]), b = index_in(old, named[j].second);
        if (a >= 0 && b >= 0 && a < b) {
          out.push_back(others[i++]);
        } else {
          out.push_back(named[j++].second);
        }
      }
    }
    list = std::move(out);
  }

  const PatchSchema* schema_;
};

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
  // An index too large for size_t is past the end of any array: the same answer as any missing index.
  auto [end, ec] = std::from_chars(tok.data(), tok.data() + tok.size(), *index, 10);
  if (ec != std::errc() || end != tok.data() + tok.size()) return false;
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

Status ApplyStrategicMergePatch(json::value& target, const json::value& patch, const PatchSchema& schema) {
  json::value work = target;
  K1S_TRY(Merger(&schema).MergeValue(work, patch, schema.Root()));
  target = std::move(work);
  return OkStatus();
}

void ApplyStrategicMergePatch(json::value& target, const json::value& patch) {
  Status ignored = Merger(nullptr).MergeValue(target, patch, nullptr);
  (void)ignored;  // the guessing mode never fails
}

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
