// The OpenAPI documents kubectl downloads: /openapi/v3 (a root listing one document per group/version)
// and /openapi/v3/<gv>, generated from lib/api/schema.h for the built-in kinds and from the
// openAPIV3Schema of each custom resource. Built once and immutable: the API server holds it in a
// shared_ptr and builds a new one when CustomResourceDefinitions change; any thread may read it.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "lib/api/schema.h"
#include "server/registry/resources.h"

namespace k1s::openapi {

// A served custom resource and the openAPIV3Schema of its served version.
struct CustomResource {
  registry::ResourceInfo info;
  boost::json::value schema;
};

class OpenApi {
 public:
  // One serialized document and its content hash (upper-case hex SHA-512, as upstream).
  struct Document {
    std::string body;  // application/json
    std::string hash;
    std::string ETag() const { return "\"" + hash + "\""; }
  };

  // Resources the schema does not describe still get paths (with a free-form object schema), so the
  // validation probe finds their PATCH operation.
  OpenApi(const std::vector<registry::ResourceInfo>& resources, const std::vector<CustomResource>& custom,
          std::shared_ptr<const api::Schema> schema = api::BuiltinSchema());

  // Body of GET /openapi/v3: {"paths": {"api/v1": {"serverRelativeURL": "/openapi/v3/api/v1?hash=H"}, ...}}.
  const std::string& V3Root() const { return root_; }
  // The document of one group/version: "api/v1" or "apis/apps/v1" (a leading '/' is ignored); nullptr
  // when nothing is served there.
  const Document* V3(std::string_view gv_path) const;
  // Paths of all v3 documents ("api/v1", "apis/apps/v1", ...).
  std::vector<std::string> V3Paths() const;

  // The schema name of a custom resource kind, as upstream spells it: the group reversed, then version
  // and kind ("stable.example.com", "v1", "CronTab" -> "com.example.stable.v1.CronTab").
  static std::string CustomSchemaName(std::string_view group, std::string_view version, std::string_view kind);

 private:
  std::string root_;
  std::map<std::string, Document, std::less<>> docs_;
};

// The OpenAPI type and format of a scalar value kind ("integer"/"int64", "string"/"date-time", ...;
// "object" for free-form kinds), shared by the v2 and v3 documents.
boost::json::object ScalarTypeSchema(api::ValueKind kind);

// The SHA-512 of a document in upper-case hex: the hash both OpenAPI versions publish (v3 index
// entries, v2 Etag).
std::string UpperHexSha512(std::string_view data);

}  // namespace k1s::openapi
