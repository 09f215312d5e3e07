// Object metadata helpers over Boost.JSON documents: every API object is a JSON object, and these read
// and write its apiVersion/kind/metadata the way the Kubernetes API server does. Also name validation
// (DNS-1123) and label selectors. Pure functions; any thread.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "lib/base/result.h"

namespace k1s::api {

namespace json = boost::json;

// metadata, created if missing (or replaced if not an object).
json::object& Metadata(json::object& obj);
// A string field of metadata ("" when missing or not a string).
std::string MetaString(const json::object& obj, std::string_view field);
std::map<std::string, std::string> Labels(const json::object& obj);
// Whether labels match a metav1.LabelSelector (matchLabels and matchExpressions with In, NotIn,
// Exists, DoesNotExist), as upstream's LabelSelectorAsSelector: the empty selector matches
// everything; a malformed one (or an unknown operator) matches nothing.
bool LabelSelectorMatches(const json::object& selector, const std::map<std::string, std::string>& labels);

// Parses a JSON object; kBadRequest with the parser's message otherwise.
Result<json::object> ParseObject(std::string_view text);

// "" when valid, else the reason (Kubernetes' wording).
std::string ValidateDns1123Subdomain(std::string_view name);  // names of most objects, <= 253
std::string ValidateDns1123Label(std::string_view name);      // namespaces, <= 63
std::string ValidateDns1035Label(std::string_view name);      // services: a label starting with a letter, <= 63
std::string ValidatePathSegmentName(std::string_view name);   // RBAC objects: not "." or "..", no '/' or '%'
// An IANA service name (a named port): every reason it is not one, in upstream's order; empty when valid.
std::vector<std::string> ValidatePortName(std::string_view port);

// An RFC 3339 UTC timestamp ("2026-11-25T10:00:00Z") for now.
std::string NowRfc3339();
// A random UUID (version 4).
std::string NewUid();
// n random characters from Kubernetes' generateName alphabet.
std::string RandomSuffix(int n);

// A parsed label selector: requirements joined by AND.
class LabelSelector {
 public:
  static Result<LabelSelector> Parse(std::string_view text);
  bool Matches(const std::map<std::string, std::string>& labels) const;
  bool Empty() const { return reqs_.empty(); }

 private:
  struct Req {
    std::string key;
    enum class Op { kEq, kNotEq, kIn, kNotIn, kExists, kNotExists } op;
    std::vector<std::string> values;
  };
  std::vector<Req> reqs_;
};

}  // namespace k1s::api
