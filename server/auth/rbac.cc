#include "server/auth/rbac.h"

#include <algorithm>
#include <mutex>
#include <utility>

#include "lib/api/meta.h"

namespace k1s::auth {

namespace json = boost::json;

namespace {

constexpr std::string_view kAll = "*";

std::vector<std::string> StringList(const json::object& obj, std::string_view field) {
  std::vector<std::string> out;
  auto it = obj.find(field);
  if (it == obj.end() || !it->value().is_array()) return out;
  for (const auto& v : it->value().as_array()) {
    if (v.is_string()) out.emplace_back(v.as_string());
  }
  return out;
}

std::string StringField(const json::object& obj, std::string_view field) {
  auto it = obj.find(field);
  if (it == obj.end() || !it->value().is_string()) return "";
  return std::string(it->value().as_string());
}

const json::object* ObjectField(const json::object& obj, std::string_view field) {
  auto it = obj.find(field);
  if (it == obj.end() || !it->value().is_object()) return nullptr;
  return &it->value().as_object();
}

bool Contains(const std::vector<std::string>& list, std::string_view s) {
  return std::find(list.begin(), list.end(), s) != list.end();
}

json::array ToArray(const std::vector<std::string>& list) {
  json::array a;
  for (const auto& s : list) a.emplace_back(s);
  return a;
}

// Go's %q for the strings that appear in these messages (names, verbs, paths).
std::string Quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

bool VerbMatches(const PolicyRule& r, std::string_view verb) {
  for (const auto& v : r.verbs) {
    if (v == kAll || v == verb) return true;
  }
  return false;
}

bool ApiGroupMatches(const PolicyRule& r, std::string_view group) {
  for (const auto& g : r.api_groups) {
    if (g == kAll || g == group) return true;
  }
  return false;
}

bool ResourceMatches(const PolicyRule& r, const std::string& combined, std::string_view subresource) {
  for (const auto& res : r.resources) {
    if (res == kAll || res == combined) return true;
    // "*/scale" covers the scale subresource of every resource.
    if (!subresource.empty() && res.size() == subresource.size() + 2 && res.compare(0, 2, "*/") == 0 &&
        std::string_view(res).substr(2) == subresource) {
      return true;
    }
  }
  return false;
}

bool ResourceNameMatches(const PolicyRule& r, std::string_view name) {
  if (r.resource_names.empty()) return true;
  for (const auto& n : r.resource_names) {
    if (n == name) return true;
  }
  return false;
}

bool NonResourceUrlMatches(const PolicyRule& r, std::string_view path) {
  for (const auto& u : r.non_resource_urls) {
    if (u == kAll || u == path) return true;
    if (!u.empty() && u.back() == '*' && path.substr(0, u.size() - 1) == std::string_view(u).substr(0, u.size() - 1)) {
      return true;  // "/apis/*" covers everything under "/apis/"
    }
  }
  return false;
}

// A metav1.LabelSelector from an aggregationRule's clusterRoleSelectors.
struct Selector {
  struct Expr {
    std::string key, op;
    std::vector<std::string> values;
  };
  std::map<std::string, std::string> match_labels;
  std::vector<Expr> exprs;

  static Selector FromJson(const json::object& obj) {
    Selector s;
    if (const auto* ml = ObjectField(obj, "matchLabels")) {
      for (const auto& kv : *ml) {
        if (kv.value().is_string()) s.match_labels[std::string(kv.key())] = std::string(kv.value().as_string());
      }
    }
    auto it = obj.find("matchExpressions");
    if (it != obj.end() && it->value().is_array()) {
      for (const auto& e : it->value().as_array()) {
        if (!e.is_object()) continue;
        s.exprs.push_back(Expr{StringField(e.as_object(), "key"), StringField(e.as_object(), "operator"),
                               StringList(e.as_object(), "values")});
      }
    }
    return s;
  }

  // An empty selector matches everything, as upstream's LabelSelectorAsSelector.
  bool Matches(const std::map<std::string, std::string>& labels) const {
    for (const auto& [k, v] : match_labels) {
      auto it = labels.find(k);
      if (it == labels.end() || it->second != v) return false;
    }
    for (const auto& e : exprs) {
      auto it = labels.find(e.key);
      const bool has = it != labels.end();
      if (e.op == "In") {
        if (!has || !Contains(e.values, it->second)) return false;
      } else if (e.op == "NotIn") {
        if (has && Contains(e.values, it->second)) return false;
      } else if (e.op == "Exists") {
        if (!has) return false;
      } else if (e.op == "DoesNotExist") {
        if (has) return false;
      } else {
        return false;  // an unknown operator selects nothing
      }
    }
    return true;
  }
};

std::vector<PolicyRule> RulesOf(const json::object& obj) {
  std::vector<PolicyRule> out;
  auto it = obj.find("rules");
  if (it == obj.end() || !it->value().is_array()) return out;
  for (const auto& r : it->value().as_array()) {
    if (r.is_object()) out.push_back(RuleFromJson(r.as_object()));
  }
  return out;
}

void AppendUnique(std::vector<PolicyRule>& out, const std::vector<PolicyRule>& rules) {
  for (const auto& r : rules) {
    if (std::find(out.begin(), out.end(), r) == out.end()) out.push_back(r);
  }
}

}  // namespace

PolicyRule RuleFromJson(const json::object& rule) {
  PolicyRule r;
  r.verbs = StringList(rule, "verbs");
  r.api_groups = StringList(rule, "apiGroups");
  r.resources = StringList(rule, "resources");
  r.resource_names = StringList(rule, "resourceNames");
  r.non_resource_urls = StringList(rule, "nonResourceURLs");
  return r;
}

json::object RuleToJson(const PolicyRule& r) {
  json::object o;
  if (!r.api_groups.empty()) o["apiGroups"] = ToArray(r.api_groups);
  if (!r.non_resource_urls.empty()) o["nonResourceURLs"] = ToArray(r.non_resource_urls);
  if (!r.resource_names.empty()) o["resourceNames"] = ToArray(r.resource_names);
  if (!r.resources.empty()) o["resources"] = ToArray(r.resources);
  o["verbs"] = ToArray(r.verbs);
  return o;
}

bool RuleAllows(const PolicyRule& rule, const RequestAttributes& a) {
  if (!VerbMatches(rule, a.verb)) return false;
  if (!a.resource_request) return NonResourceUrlMatches(rule, a.path);
  const std::string combined = a.subresource.empty() ? a.resource : a.resource + "/" + a.subresource;
  return ApiGroupMatches(rule, a.api_group) && ResourceMatches(rule, combined, a.subresource) &&
         ResourceNameMatches(rule, a.name);
}

std::string ForbiddenMessage(const RequestAttributes& a) {
  std::string msg = "User " + Quote(a.user.name) + " cannot " + a.verb;
  if (!a.resource_request) return msg + " path " + Quote(a.path);
  const std::string resource = a.subresource.empty() ? a.resource : a.resource + "/" + a.subresource;
  msg += " resource " + Quote(resource) + " in API group " + Quote(a.api_group);
  if (!a.namespace_.empty()) return msg + " in the namespace " + Quote(a.namespace_);
  return msg + " at the cluster scope";
}

std::string ForbiddenStatusMessage(const RequestAttributes& a, const std::string& reason) {
  std::string detail;
  for (char c : ForbiddenMessage(a)) {  // the API server HTML-escapes these three
    if (c == '&') detail += "&amp;";
    else if (c == '<') detail += "&lt;";
    else if (c == '>') detail += "&gt;";
    else detail += c;
  }
  if (!reason.empty()) detail += ": " + reason;
  if (!a.resource_request || a.resource.empty()) return "forbidden: " + detail;
  const std::string qualified = a.api_group.empty() ? a.resource : a.resource + "." + a.api_group;
  if (a.name.empty()) return qualified + " is forbidden: " + detail;
  return qualified + " " + Quote(a.name) + " is forbidden: " + detail;
}

// ---------------------------------------------------------------------------------------------

struct RbacAuthorizer::State {
  struct ClusterRole {
    std::vector<PolicyRule> own_rules;
    std::map<std::string, std::string> labels;
    bool aggregated = false;
    std::vector<Selector> selectors;
    std::vector<PolicyRule> effective;  // aggregated roles: the union, recomputed on every change
  };
  struct Subject {
    std::string kind, name, ns;
    std::string key;  // "u:<user>" or "g:<group>"; "" when it can never match
  };
  struct Binding {
    std::string ns, name, role_kind, role_name;
    std::vector<Subject> subjects;
  };

  std::map<std::string, std::vector<PolicyRule>> roles;  // "<ns>/<name>"
  std::map<std::string, ClusterRole> cluster_roles;
  std::unordered_map<std::string, Binding> cluster_bindings;  // by name
  std::unordered_map<std::string, Binding> role_bindings;     // "<ns>/<name>"
  // Subject key -> names of the ClusterRoleBindings naming it.
  std::unordered_map<std::string, std::set<std::string>> cluster_index;
  // "<ns>\n<subject key>" -> "<ns>/<name>" of the RoleBindings in ns naming it.
  std::unordered_map<std::string, std::set<std::string>> ns_index;

  static std::string NsKey(const std::string& ns, const std::string& key) { return ns + "\n" + key; }

  const std::vector<PolicyRule>& ClusterRoleRules(const ClusterRole& r) const {
    return r.aggregated ? r.effective : r.own_rules;
  }

  void Index(const Binding& b, bool add) {
    for (const auto& s : b.subjects) {
      if (s.key.empty()) continue;
      const std::string id = b.ns.empty() ? b.name : b.ns + "/" + b.name;
      auto& index = b.ns.empty() ? cluster_index : ns_index;
      const std::string key = b.ns.empty() ? s.key : NsKey(b.ns, s.key);
      if (add) {
        index[key].insert(id);
      } else if (auto it = index.find(key); it != index.end()) {
        it->second.erase(id);
        if (it->second.empty()) index.erase(it);
      }
    }
  }

  std::vector<PolicyRule> Aggregate(const std::string& name, std::set<std::string>& visiting) const {
    auto self = cluster_roles.find(name);
    if (self == cluster_roles.end()) return {};
    if (!self->second.aggregated) return self->second.own_rules;
    if (!visiting.insert(name).second) return {};  // a cycle contributes nothing more
    std::vector<PolicyRule> out;
    for (const auto& [other, role] : cluster_roles) {
      if (other == name) continue;
      bool selected = false;
      for (const auto& sel : self->second.selectors) {
        if (sel.Matches(role.labels)) {
          selected = true;
          break;
        }
      }
      if (selected) AppendUnique(out, Aggregate(other, visiting));
    }
    visiting.erase(name);
    return out;
  }

  void RecomputeAggregation() {
    std::vector<std::pair<std::string, std::vector<PolicyRule>>> updates;
    for (const auto& [name, role] : cluster_roles) {
      if (!role.aggregated) continue;
      std::set<std::string> visiting;
      updates.emplace_back(name, Aggregate(name, visiting));
    }
    for (auto& [name, rules] : updates) cluster_roles[name].effective = std::move(rules);
  }

  // Rules of the role a binding refers to, or nullptr (and an error message) when it does not exist.
  const std::vector<PolicyRule>* BindingRules(const Binding& b, std::string* error) const {
    if (b.role_kind == "Role") {
      auto it = roles.find(b.ns + "/" + b.role_name);
      if (it != roles.end()) return &it->second;
      *error = "role.rbac.authorization.k8s.io " + Quote(b.role_name) + " not found";
      return nullptr;
    }
    if (b.role_kind == "ClusterRole") {
      auto it = cluster_roles.find(b.role_name);
      if (it != cluster_roles.end()) return &ClusterRoleRules(it->second);
      *error = "clusterrole.rbac.authorization.k8s.io " + Quote(b.role_name) + " not found";
      return nullptr;
    }
    *error = "unsupported role reference kind: " + Quote(b.role_kind);
    return nullptr;
  }

  // Calls visit(binding, subject, rules) for every binding that applies to user in ns ("" = cluster
  // bindings only); stops when visit returns true. Missing roles are collected in errors.
  template <typename Visit>
  bool VisitBindings(const UserInfo& user, const std::string& ns, std::set<std::string>& errors,
                     Visit&& visit) const {
    std::vector<std::string> keys;
    keys.reserve(user.groups.size() + 1);
    keys.push_back("u:" + user.name);
    for (const auto& g : user.groups) keys.push_back("g:" + g);
    auto visit_binding = [&](const Binding& b, const std::string& key) {
      std::string error;
      const auto* rules = BindingRules(b, &error);
      if (!rules) {
        errors.insert(error);
        return false;
      }
      const Subject* subject = nullptr;
      for (const auto& s : b.subjects) {
        if (s.key == key) {
          subject = &s;
          break;
        }
      }
      return visit(b, *subject, *rules);
    };
    for (const auto& key : keys) {
      auto it = cluster_index.find(key);
      if (it == cluster_index.end()) continue;
      for (const auto& name : it->second) {
        if (visit_binding(cluster_bindings.at(name), key)) return true;
      }
    }
    if (ns.empty()) return false;
    for (const auto& key : keys) {
      auto it = ns_index.find(NsKey(ns, key));
      if (it == ns_index.end()) continue;
      for (const auto& id : it->second) {
        if (visit_binding(role_bindings.at(id), key)) return true;
      }
    }
    return false;
  }
};

namespace {

std::string DescribeSubject(const std::string& kind, const std::string& name, const std::string& ns) {
  if (kind == "ServiceAccount") return kind + " " + Quote(ns + "/" + name);
  return kind + " " + Quote(name);
}

std::string AggregateErrors(const std::set<std::string>& errors) {
  if (errors.empty()) return "";
  if (errors.size() == 1) return "RBAC: " + *errors.begin();
  std::string out = "RBAC: [";
  bool first = true;
  for (const auto& e : errors) {
    if (!first) out += ", ";
    out += e;
    first = false;
  }
  return out + "]";
}

}  // namespace

RbacAuthorizer::RbacAuthorizer() : state_(std::make_unique<State>()) {}
RbacAuthorizer::~RbacAuthorizer() = default;

void RbacAuthorizer::Upsert(std::string_view resource, const json::object& obj) {
  const std::string name = api::MetaString(obj, "name");
  const std::string ns = api::MetaString(obj, "namespace");
  if (name.empty()) return;
  std::unique_lock lock(mu_);
  State& s = *state_;
  if (resource == "roles") {
    s.roles[ns + "/" + name] = RulesOf(obj);
  } else if (resource == "clusterroles") {
    State::ClusterRole role;
    role.own_rules = RulesOf(obj);
    role.labels = api::Labels(obj);
    if (const auto* agg = ObjectField(obj, "aggregationRule")) {
      role.aggregated = true;
      auto it = agg->find("clusterRoleSelectors");
      if (it != agg->end() && it->value().is_array()) {
        for (const auto& sel : it->value().as_array()) {
          if (sel.is_object()) role.selectors.push_back(Selector::FromJson(sel.as_object()));
        }
      }
    }
    s.cluster_roles[name] = std::move(role);
    s.RecomputeAggregation();
  } else if (resource == "rolebindings" || resource == "clusterrolebindings") {
    const bool cluster = resource == "clusterrolebindings";
    State::Binding b;
    b.ns = cluster ? "" : ns;
    b.name = name;
    if (const auto* ref = ObjectField(obj, "roleRef")) {
      b.role_kind = StringField(*ref, "kind");
      b.role_name = StringField(*ref, "name");
    }
    auto it = obj.find("subjects");
    if (it != obj.end() && it->value().is_array()) {
      for (const auto& v : it->value().as_array()) {
        if (!v.is_object()) continue;
        State::Subject sub{StringField(v.as_object(), "kind"), StringField(v.as_object(), "name"),
                           StringField(v.as_object(), "namespace"), ""};
        if (sub.kind == "User") {
          sub.key = "u:" + sub.name;
        } else if (sub.kind == "Group") {
          sub.key = "g:" + sub.name;
        } else if (sub.kind == "ServiceAccount") {
          if (sub.ns.empty()) sub.ns = b.ns;  // RoleBindings default to their own namespace
          if (!sub.ns.empty()) sub.key = "u:" + ServiceAccountUserName(sub.ns, sub.name);
        }
        b.subjects.push_back(std::move(sub));
      }
    }
    auto& table = cluster ? s.cluster_bindings : s.role_bindings;
    const std::string id = cluster ? name : ns + "/" + name;
    if (auto old = table.find(id); old != table.end()) {
      s.Index(old->second, false);
      table.erase(old);
    }
    s.Index(b, true);
    table.emplace(id, std::move(b));
  }
}

void RbacAuthorizer::Remove(std::string_view resource, const std::string& ns, const std::string& name) {
  std::unique_lock lock(mu_);
  State& s = *state_;
  if (resource == "roles") {
    s.roles.erase(ns + "/" + name);
  } else if (resource == "clusterroles") {
    if (s.cluster_roles.erase(name)) s.RecomputeAggregation();
  } else if (resource == "rolebindings" || resource == "clusterrolebindings") {
    const bool cluster = resource == "clusterrolebindings";
    auto& table = cluster ? s.cluster_bindings : s.role_bindings;
    auto it = table.find(cluster ? name : ns + "/" + name);
    if (it == table.end()) return;
    s.Index(it->second, false);
    table.erase(it);
  }
}

void RbacAuthorizer::Clear() {
  std::unique_lock lock(mu_);
  state_ = std::make_unique<State>();
}

Decision RbacAuthorizer::Authorize(const RequestAttributes& attrs) const {
  if (attrs.user.InGroup(kSystemMasters)) return Decision{true, ""};
  std::shared_lock lock(mu_);
  std::set<std::string> errors;
  Decision d;
  const std::string ns = attrs.resource_request ? attrs.namespace_ : "";
  state_->VisitBindings(attrs.user, ns, errors,
                        [&](const State::Binding& b, const State::Subject& subject, const std::vector<PolicyRule>& rules) {
                          for (const auto& r : rules) {
                            if (!RuleAllows(r, attrs)) continue;
                            d.allowed = true;
                            d.reason = "RBAC: allowed by " +
                                       (b.ns.empty() ? "ClusterRoleBinding " + Quote(b.name)
                                                     : "RoleBinding " + Quote(b.name + "/" + b.ns)) +
                                       " of " + b.role_kind + " " + Quote(b.role_name) + " to " +
                                       DescribeSubject(subject.kind, subject.name, subject.ns);
                            return true;
                          }
                          return false;
                        });
  if (!d.allowed) d.reason = AggregateErrors(errors);
  return d;
}

RulesForResult RbacAuthorizer::RulesFor(const UserInfo& user, const std::string& ns) const {
  std::shared_lock lock(mu_);
  std::set<std::string> errors;
  RulesForResult out;
  state_->VisitBindings(user, ns, errors,
                        [&](const State::Binding&, const State::Subject&, const std::vector<PolicyRule>& rules) {
                          for (const auto& r : rules) {
                            if (!r.resources.empty()) out.resource_rules.push_back(r);
                            if (!r.non_resource_urls.empty()) out.non_resource_rules.push_back(r);
                          }
                          return false;
                        });
  if (!errors.empty()) {
    out.incomplete = true;
    out.evaluation_error = AggregateErrors(errors);
  }
  return out;
}

std::optional<json::array> RbacAuthorizer::AggregatedRules(const std::string& cluster_role) const {
  std::shared_lock lock(mu_);
  auto it = state_->cluster_roles.find(cluster_role);
  if (it == state_->cluster_roles.end() || !it->second.aggregated) return std::nullopt;
  json::array out;
  for (const auto& r : it->second.effective) out.push_back(RuleToJson(r));
  return out;
}

size_t RbacAuthorizer::RoleCount() const {
  std::shared_lock lock(mu_);
  return state_->roles.size() + state_->cluster_roles.size();
}

size_t RbacAuthorizer::BindingCount() const {
  std::shared_lock lock(mu_);
  return state_->role_bindings.size() + state_->cluster_bindings.size();
}

}  // namespace k1s::auth
