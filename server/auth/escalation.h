// RBAC privilege-escalation prevention, as upstream's RBAC storage does it: a Role or ClusterRole may be
// written only by someone who already holds every permission in it (or may `escalate` it), a binding only
// by someone who holds every permission of the role it references (or may `bind` it). Pure functions over
// rules; the API server (server/apiserver/security.h) supplies the requester's rules and the referenced
// role. Any thread.
#pragma once

#include <boost/json/object.hpp>
#include <string>
#include <vector>

#include "server/auth/rbac.h"
#include "server/auth/user.h"

namespace k1s::auth {

// Each rule broken into single (group, resource, verb[, resourceName]) and (nonResourceURL, verb) rules.
std::vector<PolicyRule> BreakdownRules(const std::vector<PolicyRule>& rules);
// Whether one owner rule covers a broken-down rule ("*" verbs, groups and resources; "*/sub" covers
// "x/sub"; an owner without resourceNames covers any; trailing-"*" nonResourceURLs cover their prefix).
bool RuleCovers(const PolicyRule& owner, const PolicyRule& subrule);
// The broken-down rules of `wanted` no rule of `owner` covers (empty when owner covers wanted).
std::vector<PolicyRule> UncoveredRules(const std::vector<PolicyRule>& owner, const std::vector<PolicyRule>& wanted);
// Merges rules with one group, one resource and at most one resource name that differ only in verbs.
std::vector<PolicyRule> CompactRules(const std::vector<PolicyRule>& rules);
// `{APIGroups:[""], Resources:["pods"], Verbs:["get" "list"]}`: the rule as escalation errors print it.
std::string CompactString(const PolicyRule& rule);

// The error text upstream gives when `missing` is not held, sorted and compacted:
//   user "bob" (groups=["system:authenticated"]) is attempting to grant RBAC permissions not currently held:
//   {APIGroups:[""], Resources:["secrets"], Verbs:["get"]}
// with `; resolution errors: [<errors>]` appended when the requester's rules could not all be resolved.
std::string EscalationMessage(const UserInfo& user, const std::vector<PolicyRule>& missing,
                              const std::string& resolution_errors);

// The rules of a Role or ClusterRole object (its .rules).
std::vector<PolicyRule> RulesOf(const boost::json::object& role);
// Whether an update changes nothing but the fields the garbage collector writes (ownerReferences,
// finalizers; selfLink, managedFields and resourceVersion are ignored too): such updates skip the check.
bool IsOnlyMutatingGcFields(const boost::json::object& obj, const boost::json::object& old);

}  // namespace k1s::auth
