// Escalation checks: rule breakdown, coverage, compaction and the error text.
#include "server/auth/escalation.h"

#include <algorithm>
#include <boost/json/array.hpp>
#include <map>
#include <set>
#include <tuple>

#include "lib/api/go_format.h"

namespace k1s::auth {

namespace json = boost::json;

namespace {

bool Has(const std::vector<std::string>& set, std::string_view s) {
  return std::find(set.begin(), set.end(), s) != set.end();
}

bool HasAll(const std::vector<std::string>& set, const std::vector<std::string>& wanted) {
  for (const auto& w : wanted) {
    if (!Has(set, w)) return false;
  }
  return true;
}

bool ResourcesCovered(const std::vector<std::string>& owner, const std::vector<std::string>& wanted) {
  if (Has(owner, "*") || HasAll(owner, wanted)) return true;
  for (const auto& w : wanted) {
    if (Has(owner, w)) continue;
    size_t slash = w.find('/');
    if (slash != std::string::npos && Has(owner, "*" + w.substr(slash))) continue;
    return false;
  }
  return true;
}

bool UrlCovered(const std::string& owner, const std::string& path) {
  if (owner == path) return true;
  if (owner.empty() || owner.back() != '*') return false;
  std::string_view prefix = owner;
  while (!prefix.empty() && prefix.back() == '*') prefix.remove_suffix(1);
  return std::string_view(path).starts_with(prefix);
}

bool UrlsCovered(const std::vector<std::string>& owner, const std::vector<std::string>& wanted) {
  for (const auto& path : wanted) {
    bool covered = false;
    for (const auto& o : owner) {
      if (UrlCovered(o, path)) {
        covered = true;
        break;
      }
    }
    if (!covered) return false;
  }
  return true;
}

// Go's %q of a []string: ["a" "b"].
std::string QuotedList(const std::vector<std::string>& list) {
  std::string out = "[";
  for (size_t i = 0; i < list.size(); ++i) {
    if (i) out += ' ';
    out += api::GoQuote(list[i]);
  }
  out += ']';
  return out;
}

json::object WithoutGcFields(const json::object& obj) {
  json::object copy = obj;
  if (auto* meta = copy.if_contains("metadata"); meta != nullptr && meta->is_object()) {
    json::object& m = meta->get_object();
    for (const char* f : {"ownerReferences", "finalizers", "selfLink", "managedFields", "resourceVersion"}) m.erase(f);
  }
  return copy;
}

}  // namespace

std::vector<PolicyRule> BreakdownRules(const std::vector<PolicyRule>& rules) {
  std::vector<PolicyRule> out;
  for (const auto& rule : rules) {
    for (const auto& group : rule.api_groups) {
      for (const auto& resource : rule.resources) {
        for (const auto& verb : rule.verbs) {
          if (rule.resource_names.empty()) {
            PolicyRule r;
            r.api_groups = {group};
            r.resources = {resource};
            r.verbs = {verb};
            out.push_back(std::move(r));
            continue;
          }
          for (const auto& name : rule.resource_names) {
            PolicyRule r;
            r.api_groups = {group};
            r.resources = {resource};
            r.verbs = {verb};
            r.resource_names = {name};
            out.push_back(std::move(r));
          }
        }
      }
    }
    for (const auto& url : rule.non_resource_urls) {
      for (const auto& verb : rule.verbs) {
        PolicyRule r;
        r.non_resource_urls = {url};
        r.verbs = {verb};
        out.push_back(std::move(r));
      }
    }
  }
  return out;
}

bool RuleCovers(const PolicyRule& owner, const PolicyRule& sub) {
  bool verbs = Has(owner.verbs, "*") || HasAll(owner.verbs, sub.verbs);
  bool groups = Has(owner.api_groups, "*") || HasAll(owner.api_groups, sub.api_groups);
  bool resources = ResourcesCovered(owner.resources, sub.resources);
  bool urls = UrlsCovered(owner.non_resource_urls, sub.non_resource_urls);
  bool names = sub.resource_names.empty() ? owner.resource_names.empty()
                                          : owner.resource_names.empty() || HasAll(owner.resource_names, sub.resource_names);
  return verbs && groups && resources && urls && names;
}

std::vector<PolicyRule> UncoveredRules(const std::vector<PolicyRule>& owner, const std::vector<PolicyRule>& wanted) {
  std::vector<PolicyRule> out;
  for (auto& sub : BreakdownRules(wanted)) {
    bool covered = std::any_of(owner.begin(), owner.end(), [&](const PolicyRule& o) { return RuleCovers(o, sub); });
    if (!covered) out.push_back(std::move(sub));
  }
  return out;
}

std::vector<PolicyRule> CompactRules(const std::vector<PolicyRule>& rules) {
  std::vector<PolicyRule> out;
  // (group, resource, has a name, name) -> index in out of the rule collecting verbs.
  std::map<std::tuple<std::string, std::string, bool, std::string>, size_t> simple;
  for (const auto& rule : rules) {
    bool is_simple = rule.resource_names.size() <= 1 && rule.non_resource_urls.empty() && rule.api_groups.size() == 1 &&
                     rule.resources.size() == 1;
    if (!is_simple) {
      out.push_back(rule);
      continue;
    }
    auto key = std::make_tuple(rule.api_groups[0], rule.resources[0], !rule.resource_names.empty(),
                               rule.resource_names.empty() ? std::string() : rule.resource_names[0]);
    auto it = simple.find(key);
    if (it == simple.end()) {
      simple.emplace(std::move(key), out.size());
      out.push_back(rule);
      continue;
    }
    auto& verbs = out[it->second].verbs;
    for (const auto& v : rule.verbs) {
      if (!Has(verbs, v)) verbs.push_back(v);
    }
  }
  return out;
}

std::string CompactString(const PolicyRule& r) {
  std::vector<std::string> parts;
  if (!r.api_groups.empty()) parts.push_back("APIGroups:" + QuotedList(r.api_groups));
  if (!r.resources.empty()) parts.push_back("Resources:" + QuotedList(r.resources));
  if (!r.non_resource_urls.empty()) parts.push_back("NonResourceURLs:" + QuotedList(r.non_resource_urls));
  if (!r.resource_names.empty()) parts.push_back("ResourceNames:" + QuotedList(r.resource_names));
  if (!r.verbs.empty()) parts.push_back("Verbs:" + QuotedList(r.verbs));
  std::string out = "{";
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) out += ", ";
    out += parts[i];
  }
  out += '}';
  return out;
}

std::string EscalationMessage(const UserInfo& user, const std::vector<PolicyRule>& missing,
                              const std::string& resolution_errors) {
  std::set<std::string> lines;
  for (const auto& r : CompactRules(missing)) lines.insert(CompactString(r));
  std::string out = "user " + api::GoQuote(user.name) + " (groups=" + QuotedList(user.groups) +
                    ") is attempting to grant RBAC permissions not currently held:";
  bool first = true;
  out += '\n';
  for (const auto& l : lines) {
    if (!first) out += '\n';
    first = false;
    out += l;
  }
  if (!resolution_errors.empty()) out += "; resolution errors: [" + resolution_errors + "]";
  return out;
}

std::vector<PolicyRule> RulesOf(const json::object& role) {
  std::vector<PolicyRule> out;
  if (const json::value* rules = role.if_contains("rules"); rules != nullptr && rules->is_array()) {
    for (const auto& r : rules->get_array()) {
      if (r.is_object()) out.push_back(RuleFromJson(r.get_object()));
    }
  }
  return out;
}

bool IsOnlyMutatingGcFields(const json::object& obj, const json::object& old) {
  return WithoutGcFields(obj) == WithoutGcFields(old);
}

}  // namespace k1s::auth
