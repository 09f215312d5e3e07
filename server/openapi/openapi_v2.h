// The OpenAPI v2 (Swagger 2.0) document served at GET /openapi/v2: `definitions` for every built-in kind
// the schema describes and every type they reference, named as upstream, with the extensions kubectl
// reads (group-version-kind, patch merge key/strategy, list type/map keys). kubectl fetches it as
// protobuf (gnostic's openapi_v2.Document) for `explain --output=plaintext-openapiv2`, client-side
// validation and strategic-merge patch computation; anything else gets JSON. Built once per set of
// served resources and immutable: the API server caches it in a shared_ptr; any thread may read it.
#pragma once

#include <boost/json/object.hpp>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "lib/api/schema.h"
#include "server/registry/resources.h"

namespace k1s::openapi {

class OpenApiV2 {
 public:
  // The Content-Type of the protobuf form (the dotted spelling: the "@v1.0" kubectl puts in Accept is not
  // a valid media type for Go's mime parser).
  static constexpr std::string_view kProtobufContentType =
      "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";

  // `resources` are the served rows; custom resources are skipped (kubectl explains them through v3 and
  // falls back to JSON merge patch for kinds it has no Go type for), as are kinds the schema does not
  // describe (a free-form definition would make kubectl compute strategic-merge patches without merge
  // keys instead of using its compiled-in types). `version` is info.version, the /version gitVersion.
  OpenApiV2(const std::vector<registry::ResourceInfo>& resources, std::string_view version,
            std::shared_ptr<const api::Schema> schema = api::BuiltinSchema());

  const std::string& Json() const { return json_; }
  const std::string& Protobuf() const { return protobuf_; }
  // Upper-case hex SHA-512 of the JSON body; the ETag of both forms' content.
  const std::string& Hash() const { return hash_; }

  // Whether an Accept header asks for the protobuf form: the first media range that names the protobuf
  // type (either spelling), application/json or a wildcard decides; JSON when none does.
  static bool WantsProtobuf(std::string_view accept);

  // The protobuf encoding (gnostic openapi_v2.Document) of a Swagger 2.0 document given as JSON. Keys
  // it does not model (paths' operations, enum, default, ...) are dropped; vendor extensions ("x-...")
  // become NamedAny with their value as YAML text (JSON, which YAML reads the same).
  static std::string EncodeProtobuf(const boost::json::object& doc);

 private:
  std::string json_;
  std::string protobuf_;
  std::string hash_;
};

}  // namespace k1s::openapi
