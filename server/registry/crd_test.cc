#include "server/registry/crd.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "server/registry/strategy.h"
#include "server/registry/tables.h"

namespace k1s::registry {
namespace {

namespace json = boost::json;

json::object Parse(std::string_view text) {
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  EXPECT_FALSE(ec) << ec.message() << " in " << text;
  return v.is_object() ? v.get_object() : json::object();
}

// The CronTab example of the Kubernetes documentation, with a few more of the features people use.
json::object CronTabCrd() {
  return Parse(R"({
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "metadata": {"name": "crontabs.stable.example.com"},
    "spec": {
      "group": "stable.example.com",
      "scope": "Namespaced",
      "names": {"plural": "crontabs", "singular": "crontab", "kind": "CronTab", "shortNames": ["ct"],
                "categories": ["all"]},
      "versions": [{
        "name": "v1", "served": true, "storage": true,
        "schema": {"openAPIV3Schema": {
          "type": "object",
          "properties": {
            "spec": {
              "type": "object",
              "required": ["cronSpec"],
              "properties": {
                "cronSpec": {"type": "string", "pattern": "^(\\d+|\\*)(/\\d+)?(\\s+(\\d+|\\*)(/\\d+)?){4}$"},
                "image": {"type": "string", "maxLength": 20, "minLength": 2},
                "replicas": {"type": "integer", "minimum": 1, "maximum": 10, "default": 1},
                "policy": {"type": "string", "enum": ["Allow", "Forbid"], "default": "Allow"},
                "ratio": {"type": "number", "exclusiveMaximum": true, "maximum": 1},
                "port": {"x-kubernetes-int-or-string": true},
                "suspend": {"type": "boolean"},
                "startAt": {"type": "string", "format": "date-time"},
                "tags": {"type": "array", "maxItems": 3, "minItems": 1, "items": {"type": "string"}},
                "env": {"type": "object", "additionalProperties": {"type": "string"}, "maxProperties": 2},
                "extra": {"type": "object", "x-kubernetes-preserve-unknown-fields": true},
                "template": {"type": "object", "x-kubernetes-embedded-resource": true,
                             "x-kubernetes-preserve-unknown-fields": true},
                "containers": {"type": "array", "items": {
                  "type": "object", "required": ["name"],
                  "properties": {"name": {"type": "string"}, "ports": {"type": "array", "items": {"type": "integer"}}}}},
                "limits": {"type": "object", "default": {},
                           "properties": {"cpu": {"type": "string", "default": "100m"}, "note": {"type": "string"}}},
                "nullableNote": {"type": "string", "nullable": true}
              }
            },
            "status": {"type": "object", "properties": {
              "replicas": {"type": "integer"},
              "selector": {"type": "string"},
              "conditions": {"type": "array", "items": {"type": "object", "properties": {
                "type": {"type": "string"}, "status": {"type": "string"}}}}}}
          }
        }},
        "subresources": {"status": {}, "scale": {"specReplicasPath": ".spec.replicas",
                          "statusReplicasPath": ".status.replicas", "labelSelectorPath": ".status.selector"}},
        "additionalPrinterColumns": [
          {"name": "Spec", "type": "string", "jsonPath": ".spec.cronSpec"},
          {"name": "Replicas", "type": "integer", "jsonPath": ".spec.replicas"},
          {"name": "Ready", "type": "string", "jsonPath": ".status.conditions[?(@.type==\"Ready\")].status"},
          {"name": "Ratio", "type": "number", "jsonPath": ".spec.ratio", "priority": 1},
          {"name": "Suspended", "type": "boolean", "jsonPath": ".spec.suspend"},
          {"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"}
        ]
      }]
    }
  })");
}

// The minimal CRD of the docs, without columns or subresources.
json::object MinimalCrd() {
  return Parse(R"({
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "metadata": {"name": "widgets.example.com"},
    "spec": {
      "group": "example.com",
      "scope": "Cluster",
      "names": {"plural": "widgets", "kind": "Widget"},
      "versions": [
        {"name": "v1beta1", "served": true, "storage": false,
         "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}},
        {"name": "v1", "served": true, "storage": true,
         "schema": {"openAPIV3Schema": {"type": "object", "properties": {"spec": {"type": "object",
           "properties": {"size": {"type": "integer"}}}}}}},
        {"name": "v0", "served": false, "storage": false,
         "schema": {"openAPIV3Schema": {"type": "object"}}}
      ]
    }
  })");
}

json::value ParseValue(std::string_view text) {
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  EXPECT_FALSE(ec) << ec.message() << " in " << text;
  return v;
}

std::vector<std::string> Printed(const std::vector<FieldError>& errs) {
  std::vector<std::string> out;
  for (const auto& e : errs) out.push_back(FormatFieldError(e));
  return out;
}

std::string Joined(const std::vector<FieldError>& errs) {
  std::string s;
  for (const auto& p : Printed(errs)) s += p + "\n";
  return s;
}

bool HasError(const std::vector<FieldError>& errs, const std::string& printed) {
  for (const auto& p : Printed(errs))
    if (p == printed) return true;
  return false;
}

json::object& Version0(json::object& crd) { return crd["spec"].as_object()["versions"].as_array()[0].as_object(); }
json::object& Schema0(json::object& crd) {
  return Version0(crd)["schema"].as_object()["openAPIV3Schema"].as_object();
}

std::shared_ptr<const CrSchema> CronTabSchema() {
  auto crd = CronTabCrd();
  auto s = CrSchema::Build(*CrdSchemaFor(crd, "v1"));
  EXPECT_TRUE(s.ok());
  return *s;
}

json::object CronTab(std::string_view spec) {
  return Parse(std::string(R"({"apiVersion": "stable.example.com/v1", "kind": "CronTab",
                               "metadata": {"name": "my-new-cron-object", "namespace": "default"}, "spec": )") +
               std::string(spec) + "}");
}

// ---- DefaultCrd ----

TEST(DefaultCrd, FillsSingularListKindConversionAndStoredVersions) {
  auto crd = MinimalCrd();
  DefaultCrd(crd);
  const auto& names = crd["spec"].as_object()["names"].as_object();
  EXPECT_EQ(names.at("singular"), "widget");
  EXPECT_EQ(names.at("listKind"), "WidgetList");
  EXPECT_EQ(crd["spec"].as_object()["conversion"], json::value(json::object{{"strategy", "None"}}));
  EXPECT_EQ(crd["status"].as_object()["storedVersions"], json::value(json::array{"v1"}));
}

TEST(DefaultCrd, KeepsWhatIsSetAndIsIdempotent) {
  auto crd = CronTabCrd();
  crd["spec"].as_object()["names"].as_object()["listKind"] = "CronTabCollection";
  DefaultCrd(crd);
  auto once = crd;
  DefaultCrd(crd);
  EXPECT_EQ(crd, once);
  EXPECT_EQ(crd["spec"].as_object()["names"].as_object()["listKind"], "CronTabCollection");
  EXPECT_EQ(crd["spec"].as_object()["names"].as_object()["singular"], "crontab");
}

TEST(DefaultCrd, AppendsANewStorageVersionToStoredVersions) {
  auto crd = MinimalCrd();
  crd["status"] = json::object{{"storedVersions", json::array{"v1beta1"}}};
  DefaultCrd(crd);
  EXPECT_EQ(crd["status"].as_object()["storedVersions"], json::value(json::array{"v1beta1", "v1"}));
}

TEST(DefaultCrd, DefaultsTheWebhookServicePort) {
  auto crd = MinimalCrd();
  crd["spec"].as_object()["conversion"] = Parse(R"({"strategy": "Webhook", "webhook": {
      "conversionReviewVersions": ["v1"], "clientConfig": {"service": {"name": "conv", "namespace": "ns"}}}})");
  DefaultCrd(crd);
  EXPECT_EQ(crd["spec"].as_object()["conversion"].as_object()["webhook"].as_object()["clientConfig"]
                .as_object()["service"].as_object()["port"],
            443);
  EXPECT_TRUE(ValidateCrd(crd, nullptr).empty()) << Joined(ValidateCrd(crd, nullptr));
}

// ---- ValidateCrd ----

TEST(ValidateCrd, AcceptsTheCronTabExample) {
  auto crd = CronTabCrd();
  DefaultCrd(crd);
  auto errs = ValidateCrd(crd, nullptr);
  EXPECT_TRUE(errs.empty()) << Joined(errs);
  auto minimal = MinimalCrd();
  DefaultCrd(minimal);
  EXPECT_TRUE(ValidateCrd(minimal, nullptr).empty()) << Joined(ValidateCrd(minimal, nullptr));
}

TEST(ValidateCrd, NameMustBePluralDotGroup) {
  auto crd = CronTabCrd();
  crd["metadata"].as_object()["name"] = "crontab.stable.example.com";
  DefaultCrd(crd);
  auto errs = ValidateCrd(crd, nullptr);
  EXPECT_TRUE(HasError(errs, "metadata.name: Invalid value: \"crontab.stable.example.com\": must be "
                             "spec.names.plural+\".\"+spec.group"))
      << Joined(errs);
}

TEST(ValidateCrd, GroupNeedsADot) {
  auto crd = MinimalCrd();
  crd["spec"].as_object()["group"] = "example";
  crd["metadata"].as_object()["name"] = "widgets.example";
  DefaultCrd(crd);
  auto errs = ValidateCrd(crd, nullptr);
  EXPECT_EQ(Printed(errs), std::vector<std::string>{"spec.group: Invalid value: \"example\": should be a domain "
                                                    "with at least one dot"});
  crd["spec"].as_object().erase("group");
  EXPECT_TRUE(HasError(ValidateCrd(crd, nullptr), "spec.group: Required value"));
}

TEST(ValidateCrd, ScopeMustBeNamespacedOrCluster) {
  auto crd = MinimalCrd();
  crd["spec"].as_object()["scope"] = "Global";
  DefaultCrd(crd);
  EXPECT_EQ(Printed(ValidateCrd(crd, nullptr)),
            std::vector<std::string>{"spec.scope: Unsupported value: \"Global\": supported values: \"Cluster\", "
                                     "\"Namespaced\""});
  crd["spec"].as_object().erase("scope");
  EXPECT_EQ(Printed(ValidateCrd(crd, nullptr)), std::vector<std::string>{"spec.scope: Required value"});
}

TEST(ValidateCrd, NamesFollowDns1035AndKindDiffersFromListKind) {
  auto crd = CronTabCrd();
  auto& names = crd["spec"].as_object()["names"].as_object();
  names["singular"] = "Cron_Tab";
  names["listKind"] = "CronTab";
  names["shortNames"] = json::array{"ct", "1ct"};
  names["categories"] = json::array{"All"};
  DefaultCrd(crd);
  auto errs = ValidateCrd(crd, nullptr);
  const std::string dns1035 =
      "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic "
      "character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation "
      "is '[a-z]([-a-z0-9]*[a-z0-9])?')";
  EXPECT_TRUE(HasError(errs, "spec.names.singular: Invalid value: \"Cron_Tab\": " + dns1035)) << Joined(errs);
  EXPECT_TRUE(HasError(errs, "spec.names.shortNames[1]: Invalid value: \"1ct\": " + dns1035)) << Joined(errs);
  EXPECT_TRUE(HasError(errs, "spec.names.categories[0]: Invalid value: \"All\": " + dns1035)) << Joined(errs);
  EXPECT_TRUE(HasError(errs, "spec.names.listKind: Invalid value: \"CronTab\": kind and listKind may not be the same"))
      << Joined(errs);
}

TEST(ValidateCrd, KindWithBadCharactersSaysMixedCaseIsFine) {
  auto crd = MinimalCrd();
  crd["spec"].as_object()["names"].as_object()["kind"] = "Wid.get";
  crd["spec"].as_object()["names"].as_object()["singular"] = "widget";
  crd["spec"].as_object()["names"].as_object()["listKind"] = "WidgetList";
  DefaultCrd(crd);
  auto errs = ValidateCrd(crd, nullptr);
  ASSERT_EQ(errs.size(), 1u) << Joined(errs);
  EXPECT_EQ(errs[0].field, "spec.names.kind");
  EXPECT_NE(errs[0].message.find("may have mixed case, but should otherwise match: a DNS-1035 label"),
            std::string::npos);
}

TEST(ValidateCrd, RequiresPluralAndKind) {
  auto crd = MinimalCrd();
  crd["spec"].as_object()["names"] = json::object();
  crd["metadata"].as_object()["name"] = ".example.com";
  DefaultCrd(crd);
  auto errs = ValidateCrd(crd, nullptr);
  EXPECT_TRUE(HasError(errs, "spec.names.plural: Required value")) << Joined(errs);
  EXPECT_TRUE(HasError(errs, "spec.names.singular: Required value")) << Joined(errs);
  EXPECT_TRUE(HasError(errs, "spec.names.kind: Required value")) << Joined(errs);
  EXPECT_TRUE(HasError(errs, "spec.names.listKind: Required value")) << Joined(errs);
}

TEST(ValidateCrd, VersionsNeedOneStorageVersionAndUniqueNames) {
  auto crd = MinimalCrd();
  auto& versions = crd["spec"].as_object()["versions"].as_array();
  versions[0].as_object()["storage"] = true;
  versions[2].as_object()["name"] = "v1";
  DefaultCrd(crd);
  auto errs = ValidateCrd(crd, nullptr);
  bool unique = false, storage = false;
  for (const auto& e : errs) {
    if (e.field == "spec.versions" && e.message.ends_with(": must contain unique version names")) unique = true;
    if (e.field == "spec.versions" && e.message.ends_with(": must have exactly one version marked as storage version"))
      storage = true;
  }
  EXPECT_TRUE(unique) << Joined(errs);
  EXPECT_TRUE(storage) << Joined(errs);

  auto none = MinimalCrd();
  none["spec"].as_object()["versions"] = json::array();
  EXPECT_TRUE(HasError(ValidateCrd(none, nullptr), "spec.versions: Invalid value: []: must have exactly one version "
                                                   "marked as storage version"));
}

TEST(ValidateCrd, VersionNameMustBeADns1035Label) {
  auto crd = MinimalCrd();
  crd["spec"].as_object()["versions"].as_array()[2].as_object()["name"] = "V0";
  DefaultCrd(crd);
  auto errs = ValidateCrd(crd, nullptr);
  ASSERT_EQ(errs.size(), 1u) << Joined(errs);
  EXPECT_EQ(errs[0].field, "spec.versions[2].name");
}

TEST(ValidateCrd, EveryVersionNeedsASchema) {
  auto crd = CronTabCrd();
  Version0(crd).erase("schema");
  DefaultCrd(crd);
  EXPECT_EQ(Printed(ValidateCrd(crd, nullptr)),
            std::vector<std::string>{"spec.versions[0].schema.openAPIV3Schema: Required value"});
}

TEST(ValidateCrd, SchemaMustBeStructural) {
  auto crd = CronTabCrd();
  auto& props = Schema0(crd)["properties"].as_object()["spec"].as_object()["properties"].as_object();
  props["untyped"] = json::object{{"description", "no type"}};
  props["list"] = json::object{{"type", "array"}};
  props["weird"] = json::object{{"type", "tuple"}};
  DefaultCrd(crd);
  auto errs = ValidateCrd(crd, nullptr);
  const std::string p = "spec.versions[0].schema.openAPIV3Schema.properties[spec].properties";
  EXPECT_TRUE(HasError(errs, p + "[untyped].type: Required value: must not be empty for specified object fields"))
      << Joined(errs);
  EXPECT_TRUE(HasError(errs, p + "[list].items: Required value: must be specified")) << Joined(errs);
  EXPECT_TRUE(HasError(errs, p + "[weird].type: Unsupported value: \"tuple\": supported values: \"array\", "
                                 "\"boolean\", \"integer\", \"number\", \"object\", \"string\""))
      << Joined(errs);
}

TEST(ValidateCrd, RootMustBeAnObjectWithoutAdditionalProperties) {
  auto crd = MinimalCrd();
  auto& schema = crd["spec"].as_object()["versions"].as_array()[1].as_object()["schema"].as_object()["openAPIV3Schema"]
                     .as_object();
  schema["type"] = "array";
  schema["items"] = json::object{{"type", "string"}};
  DefaultCrd(crd);
  auto errs = ValidateCrd(crd, nullptr);
  EXPECT_TRUE(HasError(errs, "spec.versions[1].schema.openAPIV3Schema.type: Invalid value: \"array\": must be "
                             "object at the root"))
      << Joined(errs);

  auto crd2 = MinimalCrd();
  auto& schema2 = crd2["spec"].as_object()["versions"].as_array()[1].as_object()["schema"].as_object()
                      ["openAPIV3Schema"].as_object();
  schema2.erase("properties");
  schema2["additionalProperties"] = json::object{{"type", "string"}};
  schema2["nullable"] = true;
  DefaultCrd(crd2);
  errs = ValidateCrd(crd2, nullptr);
  EXPECT_TRUE(HasError(errs, "spec.versions[1].schema.openAPIV3Schema.additionalProperties: Forbidden: must not be "
                             "used at the root"))
      << Joined(errs);
  EXPECT_TRUE(HasError(errs, "spec.versions[1].schema.openAPIV3Schema.nullable: Forbidden: nullable cannot be true "
                             "at the root"))
      << Joined(errs);
}

TEST(ValidateCrd, ForbidsRefsUniqueItemsAndMixedAdditionalProperties) {
  auto crd = CronTabCrd();
  auto& spec = Schema0(crd)["properties"].as_object()["spec"].as_object();
  spec["properties"].as_object()["ref"] = json::object{{"$ref", "#/definitions/x"}, {"type", "object"}};
  spec["properties"].as_object()["tags"].as_object()["uniqueItems"] = true;
  spec["additionalProperties"] = false;
  DefaultCrd(crd);
  auto errs = ValidateCrd(crd, nullptr);
  const std::string p = "spec.versions[0].schema.openAPIV3Schema.properties[spec]";
  EXPECT_TRUE(HasError(errs, p + ".properties[ref].$ref: Forbidden: $ref is not supported")) << Joined(errs);
  EXPECT_TRUE(HasError(errs, p + ".properties[tags].uniqueItems: Forbidden: uniqueItems cannot be set to true since "
                                 "the runtime complexity becomes quadratic"))
      << Joined(errs);
  EXPECT_TRUE(HasError(errs, p + ".additionalProperties: Forbidden: additionalProperties and properties are mutual "
                                 "exclusive"))
      << Joined(errs);
}

TEST(ValidateCrd, MetadataSchemaMayOnlyConstrainNameAndGenerateName) {
  auto crd = CronTabCrd();
  Schema0(crd)["properties"].as_object()["metadata"] =
      Parse(R"({"type": "object", "properties": {"labels": {"type": "object"}}})");
  DefaultCrd(crd);
  auto errs = ValidateCrd(crd, nullptr);
  EXPECT_TRUE(HasError(errs, "spec.versions[0].schema.openAPIV3Schema.properties[metadata]: Forbidden: must not "
                             "specify anything other than name and generateName, but metadata is implicitly "
                             "specified"))
      << Joined(errs);
  Schema0(crd)["properties"].as_object()["metadata"] =
      Parse(R"({"type": "object", "properties": {"name": {"type": "string"}}})");
  EXPECT_TRUE(ValidateCrd(crd, nullptr).empty()) << Joined(ValidateCrd(crd, nullptr));
}

TEST(ValidateCrd, ValueValidationsMustNotCarryTypes) {
  auto crd = CronTabCrd();
  auto& spec = Schema0(crd)["properties"].as_object()["spec"].as_object();
  spec["anyOf"] = ParseValue(R"([{"type": "object", "required": ["image"]}, {"required": ["replicas"]},
                           {"properties": {"ghost": {"minLength": 1}}}])");
  DefaultCrd(crd);
  auto errs = ValidateCrd(crd, nullptr);
  const std::string p = "spec.versions[0].schema.openAPIV3Schema.properties[spec]";
  EXPECT_TRUE(HasError(errs, p + ".anyOf[0].type: Forbidden: must be empty to be structural")) << Joined(errs);
  EXPECT_TRUE(HasError(errs, p + ".properties[ghost]: Required value: because it is defined in " + p +
                                 ".anyOf[2].properties[ghost]"))
      << Joined(errs);
}

TEST(ValidateCrd, IntOrStringAnyOfPatternIsStructural) {
  auto crd = CronTabCrd();
  Schema0(crd)["properties"].as_object()["spec"].as_object()["properties"].as_object()["port"] =
      Parse(R"({"x-kubernetes-int-or-string": true, "anyOf": [{"type": "integer"}, {"type": "string"}]})");
  DefaultCrd(crd);
  EXPECT_TRUE(ValidateCrd(crd, nullptr).empty()) << Joined(ValidateCrd(crd, nullptr));
}

TEST(ValidateCrd, InvalidPatternIsReported) {
  auto crd = CronTabCrd();
  Schema0(crd)["properties"].as_object()["spec"].as_object()["properties"].as_object()["image"].as_object()["pattern"] =
      "([a-z";
  DefaultCrd(crd);
  auto errs = ValidateCrd(crd, nullptr);
  ASSERT_EQ(errs.size(), 1u) << Joined(errs);
  EXPECT_EQ(errs[0].field, "spec.versions[0].schema.openAPIV3Schema.properties[spec].properties[image].pattern");
  EXPECT_NE(errs[0].message.find("must be a valid regular expression, but isn't: "), std::string::npos);
}

TEST(ValidateCrd, DefaultsMustValidateAgainstTheirSchema) {
  auto crd = CronTabCrd();
  auto& props = Schema0(crd)["properties"].as_object()["spec"].as_object()["properties"].as_object();
  props["replicas"].as_object()["default"] = "three";
  props["limits"].as_object()["default"] = json::object{{"unknown", 1}};
  DefaultCrd(crd);
  auto errs = ValidateCrd(crd, nullptr);
  const std::string p = "spec.versions[0].schema.openAPIV3Schema.properties[spec].properties";
  EXPECT_TRUE(HasError(errs, p + "[replicas].default: Invalid value: \"string\": in body must be of type integer: "
                                 "\"string\""))
      << Joined(errs);
  EXPECT_TRUE(HasError(errs, p + "[limits].default: Invalid value: {\"unknown\":1}: must not have unknown fields"))
      << Joined(errs);
}

TEST(ValidateCrd, DefaultsAreForbiddenInTopLevelMetadata) {
  auto crd = CronTabCrd();
  Schema0(crd)["properties"].as_object()["metadata"] =
      Parse(R"({"type": "object", "properties": {"name": {"type": "string", "default": "x"}}})");
  DefaultCrd(crd);
  auto errs = ValidateCrd(crd, nullptr);
  EXPECT_TRUE(HasError(errs, "spec.versions[0].schema.openAPIV3Schema.properties[metadata].properties[name].default: "
                             "Forbidden: in top-level metadata"))
      << Joined(errs);
}

TEST(ValidateCrd, StatusSubresourceRestrictsTheRootSchema) {
  auto crd = CronTabCrd();
  Schema0(crd)["nullable"] = false;  // zero values are fine
  Schema0(crd)["x-kubernetes-embedded-resource"] = false;
  DefaultCrd(crd);
  EXPECT_TRUE(ValidateCrd(crd, nullptr).empty()) << Joined(ValidateCrd(crd, nullptr));
  Schema0(crd)["anyOf"] = ParseValue(R"([{"required": ["spec"]}])");
  auto errs = ValidateCrd(crd, nullptr);
  ASSERT_FALSE(errs.empty());
  EXPECT_EQ(errs[0].field, "spec.versions[0].schema.openAPIV3Schema");
  EXPECT_NE(errs[0].message.find("fields are allowed at the root of the schema if the status subresource is enabled"),
            std::string::npos);
}

TEST(ValidateCrd, ScalePathsMustBeUnderSpecAndStatus) {
  auto crd = CronTabCrd();
  Version0(crd)["subresources"].as_object()["scale"] =
      Parse(R"({"specReplicasPath": ".status.replicas", "statusReplicasPath": "status.replicas",
                "labelSelectorPath": ".metadata.labels"})");
  DefaultCrd(crd);
  EXPECT_EQ(Printed(ValidateCrd(crd, nullptr)),
            (std::vector<std::string>{
                "spec.versions[0].subresources.scale.specReplicasPath: Invalid value: \".status.replicas\": should be "
                "a json path under .spec",
                "spec.versions[0].subresources.scale.statusReplicasPath: Invalid value: \"status.replicas\": must be "
                "a simple json path starting with .",
                "spec.versions[0].subresources.scale.labelSelectorPath: Invalid value: \".metadata.labels\": should "
                "be a json path under either .spec or .status"}));
  Version0(crd)["subresources"].as_object()["scale"] = json::object();
  EXPECT_EQ(Printed(ValidateCrd(crd, nullptr)),
            (std::vector<std::string>{"spec.versions[0].subresources.scale.specReplicasPath: Required value",
                                      "spec.versions[0].subresources.scale.statusReplicasPath: Required value"}));
}

TEST(ValidateCrd, PrinterColumnsNeedNameTypeAndJsonPath) {
  auto crd = CronTabCrd();
  Version0(crd)["additionalPrinterColumns"] =
      ParseValue(R"([{"jsonPath": "spec.x", "type": "text", "format": "weird"}, {"name": "X"}])");
  DefaultCrd(crd);
  EXPECT_EQ(Printed(ValidateCrd(crd, nullptr)),
            (std::vector<std::string>{
                "spec.versions[0].additionalPrinterColumns[0].name: Required value",
                "spec.versions[0].additionalPrinterColumns[0].type: Invalid value: \"text\": must be one of "
                "boolean,date,integer,number,string",
                "spec.versions[0].additionalPrinterColumns[0].format: Invalid value: \"weird\": must be one of "
                "byte,date,date-time,double,float,int32,int64,password",
                "spec.versions[0].additionalPrinterColumns[0].JSONPath: Invalid value: \"spec.x\": must be a simple "
                "json path starting with .",
                "spec.versions[0].additionalPrinterColumns[1].type: Required value: must be one of "
                "boolean,date,integer,number,string",
                "spec.versions[0].additionalPrinterColumns[1].JSONPath: Required value"}));
}

TEST(ValidateCrd, ConversionStrategyAndWebhookRules) {
  auto crd = MinimalCrd();
  crd["spec"].as_object()["conversion"] = json::object{{"strategy", "Magic"}};
  DefaultCrd(crd);
  EXPECT_EQ(Printed(ValidateCrd(crd, nullptr)),
            std::vector<std::string>{"spec.conversion.strategy: Unsupported value: \"Magic\": supported values: "
                                     "\"None\", \"Webhook\""});
  crd["spec"].as_object()["conversion"] = json::object{{"strategy", "Webhook"}};
  EXPECT_EQ(Printed(ValidateCrd(crd, nullptr)),
            (std::vector<std::string>{
                "spec.conversion.webhookClientConfig: Required value: required when strategy is set to Webhook",
                "spec.conversion.conversionReviewVersions: Required value"}));
}

TEST(ValidateCrd, PreserveUnknownFieldsTrueIsRejectedOnCreate) {
  auto crd = MinimalCrd();
  crd["spec"].as_object()["preserveUnknownFields"] = true;
  DefaultCrd(crd);
  EXPECT_TRUE(HasError(ValidateCrd(crd, nullptr),
                       "spec.preserveUnknownFields: Invalid value: true: cannot set to true, set "
                       "x-kubernetes-preserve-unknown-fields to true in spec.versions[*].schema instead"));
}

TEST(ValidateCrd, GroupAndPluralAreImmutable) {
  auto old = CronTabCrd();
  DefaultCrd(old);
  auto crd = old;
  crd["spec"].as_object()["group"] = "other.example.com";
  crd["spec"].as_object()["names"].as_object()["plural"] = "crons";
  auto errs = ValidateCrd(crd, &old);
  EXPECT_TRUE(HasError(errs, "spec.group: Invalid value: \"other.example.com\": field is immutable")) << Joined(errs);
  EXPECT_TRUE(HasError(errs, "spec.names.plural: Invalid value: \"crons\": field is immutable")) << Joined(errs);
}

TEST(ValidateCrd, ScopeAndKindAreImmutableOnceEstablished) {
  auto old = CronTabCrd();
  DefaultCrd(old);
  auto crd = old;
  crd["spec"].as_object()["scope"] = "Cluster";
  crd["spec"].as_object()["names"].as_object()["kind"] = "Cron";
  crd["spec"].as_object()["names"].as_object()["listKind"] = "CronList";
  EXPECT_TRUE(ValidateCrd(crd, &old).empty()) << Joined(ValidateCrd(crd, &old));
  SetCrdEstablished(old, "2024-05-01T10:00:00Z");
  auto errs = ValidateCrd(crd, &old);
  EXPECT_EQ(Printed(errs), (std::vector<std::string>{
                               "spec.scope: Invalid value: \"Cluster\": field is immutable",
                               "spec.names.kind: Invalid value: \"Cron\": field is immutable"}));
}

TEST(ValidateCrd, StoredVersionsMustRemainInSpec) {
  auto old = MinimalCrd();
  DefaultCrd(old);
  auto crd = old;
  auto& versions = crd["spec"].as_object()["versions"].as_array();
  versions.erase(versions.begin() + 1);  // drop v1, the stored version
  versions[0].as_object()["storage"] = true;
  DefaultCrd(crd);
  auto errs = ValidateCrd(crd, &old);
  EXPECT_TRUE(HasError(errs, "status.storedVersions[0]: Invalid value: \"v1\": missing from spec.versions; v1 was "
                             "previously a storage version, and must remain in spec.versions until a storage "
                             "migration ensures no data remains persisted in v1 and removes v1 from "
                             "status.storedVersions"))
      << Joined(errs);
}

// ---- ResourceFromCrd and accessors ----

TEST(ResourceFromCrd, OneRowPerServedVersion) {
  auto crd = MinimalCrd();
  DefaultCrd(crd);
  auto rows = ResourceFromCrd(crd);
  ASSERT_TRUE(rows.ok()) << rows.error().ToString();
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].version, "v1beta1");
  EXPECT_EQ((*rows)[1].version, "v1");
  const ResourceInfo& r = (*rows)[1];
  EXPECT_EQ(r.group, "example.com");
  EXPECT_EQ(r.kind, "Widget");
  EXPECT_EQ(r.plural, "widgets");
  EXPECT_EQ(r.singular, "widget");
  EXPECT_FALSE(r.namespaced);
  EXPECT_TRUE(r.subresources.empty());
  EXPECT_EQ(r.KeyPrefix(), "/registry/example.com/widgets/");
}

TEST(ResourceFromCrd, CarriesNamesScopeAndSubresources) {
  auto crd = CronTabCrd();
  DefaultCrd(crd);
  auto rows = ResourceFromCrd(crd);
  ASSERT_TRUE(rows.ok()) << rows.error().ToString();
  ASSERT_EQ(rows->size(), 1u);
  const ResourceInfo& r = (*rows)[0];
  EXPECT_EQ(r.GroupVersion(), "stable.example.com/v1");
  EXPECT_TRUE(r.namespaced);
  EXPECT_EQ(r.short_names, std::vector<std::string>{"ct"});
  EXPECT_EQ(r.categories, std::vector<std::string>{"all"});
  EXPECT_TRUE(r.HasSubresource("status"));
  EXPECT_TRUE(r.HasSubresource("scale"));
}

TEST(ResourceFromCrd, RejectsAnInvalidCrd) {
  auto crd = MinimalCrd();
  crd["spec"].as_object().erase("scope");
  DefaultCrd(crd);
  auto rows = ResourceFromCrd(crd);
  ASSERT_FALSE(rows.ok());
  EXPECT_EQ(rows.error().code, ErrorCode::kInvalid);
}

TEST(CrdAccessors, StorageVersionStatusAndScale) {
  auto crd = CronTabCrd();
  EXPECT_EQ(StorageVersion(crd), "v1");
  EXPECT_TRUE(CrdHasStatus(crd, "v1"));
  EXPECT_FALSE(CrdHasStatus(crd, "v2"));
  auto scale = CrdScaleFor(crd, "v1");
  ASSERT_TRUE(scale.has_value());
  EXPECT_EQ(scale->spec_replicas_path, ".spec.replicas");
  EXPECT_EQ(scale->status_replicas_path, ".status.replicas");
  EXPECT_EQ(scale->label_selector_path, ".status.selector");
  auto minimal = MinimalCrd();
  EXPECT_EQ(StorageVersion(minimal), "v1");
  EXPECT_FALSE(CrdHasStatus(minimal, "v1"));
  EXPECT_FALSE(CrdScaleFor(minimal, "v1").has_value());
  EXPECT_NE(CrdSchemaFor(minimal, "v1beta1"), nullptr);
  EXPECT_EQ(CrdSchemaFor(minimal, "v9"), nullptr);
}

TEST(SetCrdEstablished, SetsAcceptedNamesAndConditionsOnce) {
  auto crd = CronTabCrd();
  SetCrdEstablished(crd, "2024-05-01T10:00:00Z");
  SetCrdEstablished(crd, "2024-05-01T11:00:00Z");
  const auto& status = crd["status"].as_object();
  EXPECT_EQ(status.at("acceptedNames").as_object().at("kind"), "CronTab");
  const auto& conds = status.at("conditions").as_array();
  ASSERT_EQ(conds.size(), 2u);
  EXPECT_EQ(conds[1].as_object().at("type"), "Established");
  EXPECT_EQ(conds[1].as_object().at("status"), "True");
  EXPECT_EQ(conds[1].as_object().at("lastTransitionTime"), "2024-05-01T10:00:00Z");
}

// ---- CrSchema: validation ----

TEST(CrSchema, AcceptsAValidCronTab) {
  auto s = CronTabSchema();
  auto obj = CronTab(R"({"cronSpec": "* * * * */5", "image": "my-awesome-cron-image", "replicas": 3})");
  obj["spec"].as_object()["image"] = "cron-image";
  auto errs = s->ValidateObject(obj);
  EXPECT_TRUE(errs.empty()) << Joined(errs);
}

TEST(CrSchema, WrongTypeIsWordedAsUpstream) {
  auto s = CronTabSchema();
  auto errs = s->ValidateObject(CronTab(R"({"cronSpec": "* * * * *", "replicas": "three"})"));
  EXPECT_EQ(Printed(errs), std::vector<std::string>{"spec.replicas: Invalid value: \"string\": spec.replicas in body "
                                                    "must be of type integer: \"string\""});
  EXPECT_EQ(errs[0].reason, "FieldValueTypeInvalid");
}

TEST(CrSchema, IntegerAcceptsIntsOnlyAndNumberAcceptsBoth) {
  auto s = CronTabSchema();
  EXPECT_EQ(Printed(s->ValidateObject(CronTab(R"({"cronSpec": "* * * * *", "replicas": 2.5})"))),
            std::vector<std::string>{"spec.replicas: Invalid value: \"number\": spec.replicas in body must be of type "
                                     "integer: \"number\""});
  EXPECT_TRUE(s->ValidateObject(CronTab(R"({"cronSpec": "* * * * *", "ratio": 0})")).empty());
  EXPECT_TRUE(s->ValidateObject(CronTab(R"({"cronSpec": "* * * * *", "ratio": 0.5})")).empty());
  EXPECT_EQ(Printed(s->ValidateObject(CronTab(R"({"cronSpec": "* * * * *", "suspend": "yes"})"))),
            std::vector<std::string>{"spec.suspend: Invalid value: \"string\": spec.suspend in body must be of type "
                                     "boolean: \"string\""});
}

TEST(CrSchema, RequiredFieldsAreReported) {
  auto s = CronTabSchema();
  EXPECT_EQ(Printed(s->ValidateObject(CronTab(R"({"image": "nginx"})"))),
            std::vector<std::string>{"spec.cronSpec: Required value"});
  EXPECT_EQ(Printed(s->ValidateObject(CronTab(R"({"cronSpec": "* * * * *", "containers": [{"ports": [80]}]})"))),
            std::vector<std::string>{"spec.containers[0].name: Required value"});
}

TEST(CrSchema, EnumListsTheSupportedValues) {
  auto s = CronTabSchema();
  auto errs = s->ValidateObject(CronTab(R"({"cronSpec": "* * * * *", "policy": "Replace"})"));
  EXPECT_EQ(Printed(errs), std::vector<std::string>{"spec.policy: Unsupported value: \"Replace\": supported values: "
                                                    "\"Allow\", \"Forbid\""});
}

TEST(CrSchema, NumericBounds) {
  auto s = CronTabSchema();
  EXPECT_EQ(Printed(s->ValidateObject(CronTab(R"({"cronSpec": "* * * * *", "replicas": 0})"))),
            std::vector<std::string>{"spec.replicas: Invalid value: 0: spec.replicas in body should be greater than "
                                     "or equal to 1"});
  EXPECT_EQ(Printed(s->ValidateObject(CronTab(R"({"cronSpec": "* * * * *", "replicas": 11})"))),
            std::vector<std::string>{"spec.replicas: Invalid value: 11: spec.replicas in body should be less than or "
                                     "equal to 10"});
  EXPECT_EQ(Printed(s->ValidateObject(CronTab(R"({"cronSpec": "* * * * *", "ratio": 1})"))),
            std::vector<std::string>{"spec.ratio: Invalid value: 1: spec.ratio in body should be less than 1"});
}

TEST(CrSchema, StringLengthsAndPattern) {
  auto s = CronTabSchema();
  EXPECT_EQ(Printed(s->ValidateObject(CronTab(R"({"cronSpec": "* * * * *", "image": "a"})"))),
            std::vector<std::string>{"spec.image: Invalid value: \"a\": spec.image in body should be at least 2 chars "
                                     "long"});
  auto errs = s->ValidateObject(CronTab(R"({"cronSpec": "* * * * *", "image": "a-very-long-image-name-indeed"})"));
  EXPECT_EQ(Printed(errs), std::vector<std::string>{"spec.image: Too long: may not be more than 20 bytes"});
  EXPECT_EQ(errs[0].reason, "FieldValueTooLong");
  EXPECT_EQ(Printed(s->ValidateObject(CronTab(R"({"cronSpec": "every minute"})"))),
            std::vector<std::string>{
                "spec.cronSpec: Invalid value: \"every minute\": spec.cronSpec in body should match "
                "'^(\\d+|\\*)(/\\d+)?(\\s+(\\d+|\\*)(/\\d+)?){4}$'"});
}

TEST(CrSchema, ArrayAndObjectSizes) {
  auto s = CronTabSchema();
  EXPECT_EQ(Printed(s->ValidateObject(CronTab(R"({"cronSpec": "* * * * *", "tags": ["a","b","c","d"]})"))),
            std::vector<std::string>{"spec.tags: Too many: 4: must have at most 3 items"});
  EXPECT_EQ(Printed(s->ValidateObject(CronTab(R"({"cronSpec": "* * * * *", "tags": []})"))),
            std::vector<std::string>{"spec.tags: Invalid value: 0: spec.tags in body should have at least 1 items"});
  EXPECT_EQ(Printed(s->ValidateObject(CronTab(R"({"cronSpec": "* * * * *", "tags": ["a", 1]})"))),
            std::vector<std::string>{"spec.tags[1]: Invalid value: \"integer\": spec.tags[1] in body must be of type "
                                     "string: \"integer\""});
  EXPECT_EQ(Printed(s->ValidateObject(CronTab(R"({"cronSpec": "* * * * *", "env": {"A": "1", "B": "2", "C": "3"}})"))),
            std::vector<std::string>{"spec.env: Too many: 3: must have at most 2 items"});
  EXPECT_EQ(Printed(s->ValidateObject(CronTab(R"({"cronSpec": "* * * * *", "env": {"A": 1}})"))),
            std::vector<std::string>{"spec.env.A: Invalid value: \"integer\": spec.env.A in body must be of type "
                                     "string: \"integer\""});
}

TEST(CrSchema, UniqueItemsAndMinProperties) {
  auto built = CrSchema::Build(Parse(R"({"type": "object", "properties": {
      "set": {"type": "array", "uniqueItems": true, "items": {"type": "integer"}},
      "labels": {"type": "object", "minProperties": 2, "additionalProperties": {"type": "string"}}}})"));
  ASSERT_TRUE(built.ok());
  auto errs = (*built)->ValidateObject(Parse(R"({"set": [1, 2, 1], "labels": {"a": "b"}})"));
  EXPECT_EQ(Printed(errs), (std::vector<std::string>{
                               "set: Invalid value: \"\": set in body shouldn't contain duplicates",
                               "labels: Invalid value: 2: labels in body should have at least 2 properties"}));
}

TEST(CrSchema, FormatsAreChecked) {
  auto s = CronTabSchema();
  EXPECT_TRUE(s->ValidateObject(CronTab(R"({"cronSpec": "* * * * *", "startAt": "2024-05-01T10:00:00Z"})")).empty());
  EXPECT_EQ(Printed(s->ValidateObject(CronTab(R"({"cronSpec": "* * * * *", "startAt": "tomorrow"})"))),
            std::vector<std::string>{"spec.startAt: Invalid value: \"tomorrow\": spec.startAt in body must be of type "
                                     "date-time: \"tomorrow\""});
  auto built = CrSchema::Build(Parse(R"({"type": "object", "properties": {
      "ip": {"type": "string", "format": "ipv4"}, "id": {"type": "string", "format": "uuid"},
      "n": {"type": "integer", "format": "int32"}, "cidr": {"type": "string", "format": "cidr"},
      "d": {"type": "string", "format": "duration"}, "b": {"type": "string", "format": "byte"}}})"));
  ASSERT_TRUE(built.ok());
  EXPECT_TRUE((*built)->ValidateObject(Parse(R"({"ip": "10.0.0.1", "id": "123e4567-e89b-12d3-a456-426614174000",
      "n": 99999999999, "cidr": "10.0.0.0/8", "d": "1h30m", "b": "aGVsbG8="})")).empty());
  auto errs = (*built)->ValidateObject(Parse(R"({"ip": "10.0.0.256", "id": "nope", "cidr": "10.0.0.0", "d": "soon",
                                                 "b": "a"})"));
  EXPECT_EQ(errs.size(), 5u) << Joined(errs);
}

TEST(CrSchema, NullIsRejectedUnlessNullable) {
  auto s = CronTabSchema();
  EXPECT_TRUE(s->ValidateObject(CronTab(R"({"cronSpec": "* * * * *", "nullableNote": null})")).empty());
  EXPECT_EQ(Printed(s->ValidateObject(CronTab(R"({"cronSpec": "* * * * *", "image": null})"))),
            std::vector<std::string>{"spec.image: Invalid value: \"null\": spec.image in body must be of type string: "
                                     "\"null\""});
}

TEST(CrSchema, IntOrStringAcceptsBoth) {
  auto s = CronTabSchema();
  EXPECT_TRUE(s->ValidateObject(CronTab(R"({"cronSpec": "* * * * *", "port": 80})")).empty());
  EXPECT_TRUE(s->ValidateObject(CronTab(R"({"cronSpec": "* * * * *", "port": "http"})")).empty());
  EXPECT_EQ(Printed(s->ValidateObject(CronTab(R"({"cronSpec": "* * * * *", "port": true})"))),
            std::vector<std::string>{"spec.port: Invalid value: \"boolean\": spec.port in body must be of type "
                                     "integer,string: \"boolean\""});
}

TEST(CrSchema, EmbeddedResourcesNeedApiVersionAndKind) {
  auto s = CronTabSchema();
  EXPECT_TRUE(s->ValidateObject(CronTab(R"({"cronSpec": "* * * * *", "template": {"apiVersion": "v1",
                                          "kind": "Pod", "spec": {"containers": []}}})"))
                  .empty());
  EXPECT_EQ(Printed(s->ValidateObject(CronTab(R"({"cronSpec": "* * * * *", "template": {"spec": {}}})"))),
            (std::vector<std::string>{"spec.template.apiVersion: Required value", "spec.template.kind: Required value"}));
}

TEST(CrSchema, AnyOfOneOfAndNot) {
  auto built = CrSchema::Build(Parse(R"({"type": "object", "properties": {"spec": {"type": "object",
      "properties": {"a": {"type": "string"}, "b": {"type": "string"}},
      "oneOf": [{"required": ["a"]}, {"required": ["b"]}],
      "not": {"required": ["c"]}}}})"));
  ASSERT_TRUE(built.ok());
  EXPECT_TRUE((*built)->ValidateObject(Parse(R"({"spec": {"a": "x"}})")).empty());
  auto errs = (*built)->ValidateObject(Parse(R"({"spec": {"a": "x", "b": "y"}})"));
  EXPECT_EQ(Printed(errs), std::vector<std::string>{"<nil>: Invalid value: \"\": \"spec\" must validate one and only "
                                                    "one schema (oneOf). Found 2 valid alternatives"});
  auto any = CrSchema::Build(Parse(R"({"type": "object", "properties": {"spec": {"type": "object",
      "properties": {"a": {"type": "string"}, "b": {"type": "integer"}},
      "anyOf": [{"required": ["a"]}, {"required": ["b"]}]}}})"));
  ASSERT_TRUE(any.ok());
  EXPECT_TRUE((*any)->ValidateObject(Parse(R"({"spec": {"b": 1}})")).empty());
  errs = (*any)->ValidateObject(Parse(R"({"spec": {}})"));
  EXPECT_TRUE(HasError(errs, "<nil>: Invalid value: \"\": \"spec\" must validate at least one schema (anyOf)"))
      << Joined(errs);
}

TEST(CrSchema, MetadataNameConstraintsApply) {
  auto built = CrSchema::Build(Parse(R"({"type": "object", "properties": {
      "metadata": {"type": "object", "properties": {"name": {"type": "string", "maxLength": 5}}}}})"));
  ASSERT_TRUE(built.ok());
  auto errs = (*built)->ValidateObject(Parse(R"({"apiVersion": "x/v1", "kind": "X", "metadata": {"name": "toolong"}})"));
  EXPECT_EQ(Printed(errs), std::vector<std::string>{"metadata.name: Too long: may not be more than 5 bytes"});
}

// ---- CrSchema: pruning ----

TEST(CrSchema, PruneDropsUnknownFieldsAndReportsTheirPaths) {
  auto s = CronTabSchema();
  auto obj = CronTab(R"({"cronSpec": "* * * * *", "foo": 1, "containers": [{"name": "a", "bar": true}],
                         "extra": {"anything": {"goes": 1}}, "env": {"A": "x"},
                         "template": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "bogus": 1},
                                      "spec": {"x": 1}}})");
  obj["metadata"].as_object()["color"] = "blue";
  obj["status"] = json::object{{"replicas", 1}, {"phase", "Running"}};
  obj["topLevel"] = 1;
  auto removed = s->Prune(obj);
  std::sort(removed.begin(), removed.end());
  EXPECT_EQ(removed, (std::vector<std::string>{"metadata.color", "spec.containers[0].bar", "spec.foo",
                                               "spec.template.metadata.bogus", "status.phase", "topLevel"}));
  const auto& spec = obj["spec"].as_object();
  EXPECT_FALSE(spec.contains("foo"));
  EXPECT_TRUE(spec.at("extra").as_object().contains("anything"));
  EXPECT_TRUE(spec.at("env").as_object().contains("A"));
  EXPECT_TRUE(spec.at("template").as_object().at("spec").as_object().contains("x"));
  EXPECT_EQ(obj["apiVersion"], "stable.example.com/v1");
  EXPECT_EQ(obj["metadata"].as_object()["name"], "my-new-cron-object");
  EXPECT_FALSE(obj["status"].as_object().contains("phase"));
}

TEST(CrSchema, PreserveUnknownFieldsAtTheRootKeepsEverything) {
  auto crd = MinimalCrd();
  auto s = CrSchema::Build(*CrdSchemaFor(crd, "v1beta1"));
  ASSERT_TRUE(s.ok());
  auto obj = Parse(R"({"apiVersion": "example.com/v1beta1", "kind": "Widget", "metadata": {"name": "w"},
                       "spec": {"anything": [1, 2]}})");
  auto copy = obj;
  EXPECT_TRUE((*s)->Prune(obj).empty());
  EXPECT_EQ(obj, copy);
}

// ---- CrSchema: defaulting ----

TEST(CrSchema, ApplyDefaultsFillsMissingFieldsAndCreatedObjects) {
  auto s = CronTabSchema();
  auto obj = CronTab(R"({"cronSpec": "* * * * *", "image": null})");
  s->ApplyDefaults(obj);
  const auto& spec = obj["spec"].as_object();
  EXPECT_EQ(spec.at("replicas"), 1);
  EXPECT_EQ(spec.at("policy"), "Allow");
  EXPECT_EQ(spec.at("limits"), json::value(json::object{{"cpu", "100m"}}));  // created {} then defaulted inside
  EXPECT_TRUE(spec.at("image").is_null());                                  // no default: left for validation
  auto again = obj;
  s->ApplyDefaults(obj);
  EXPECT_EQ(obj, again);
}

TEST(CrSchema, ApplyDefaultsKeepsSetValuesAndReplacesNonNullableNulls) {
  auto s = CronTabSchema();
  auto obj = CronTab(R"({"cronSpec": "* * * * *", "replicas": 5, "policy": null, "limits": {"note": "x"}})");
  s->ApplyDefaults(obj);
  const auto& spec = obj["spec"].as_object();
  EXPECT_EQ(spec.at("replicas"), 5);
  EXPECT_EQ(spec.at("policy"), "Allow");
  EXPECT_EQ(spec.at("limits"), json::value(json::object{{"note", "x"}, {"cpu", "100m"}}));
}

TEST(CrSchema, ApplyDefaultsDoesNotCreateAMissingParent) {
  auto s = CronTabSchema();
  auto obj = Parse(R"({"apiVersion": "stable.example.com/v1", "kind": "CronTab", "metadata": {"name": "x"}})");
  s->ApplyDefaults(obj);
  EXPECT_FALSE(obj.contains("spec"));
}

TEST(CrSchema, ApplyDefaultsReachesArrayItemsAndMaps) {
  auto built = CrSchema::Build(Parse(R"({"type": "object", "properties": {
      "items": {"type": "array", "items": {"type": "object", "properties": {"port": {"type": "integer", "default": 80}}}},
      "map": {"type": "object", "additionalProperties": {"type": "object",
              "properties": {"on": {"type": "boolean", "default": true}}}}}})"));
  ASSERT_TRUE(built.ok());
  auto obj = Parse(R"({"items": [{}, {"port": 8080}], "map": {"a": {}}})");
  (*built)->ApplyDefaults(obj);
  EXPECT_EQ(obj, Parse(R"({"items": [{"port": 80}, {"port": 8080}], "map": {"a": {"on": true}}})"));
}

// ---- tables ----

TEST(CrdTable, ColumnsFromAdditionalPrinterColumns) {
  auto crd = CronTabCrd();
  auto cols = TableColumnsFor(crd, "v1");
  ASSERT_EQ(cols.size(), 7u);
  EXPECT_EQ(cols[0].as_object().at("name"), "Name");
  EXPECT_EQ(cols[0].as_object().at("format"), "name");
  EXPECT_EQ(cols[1].as_object().at("name"), "Spec");
  EXPECT_EQ(cols[1].as_object().at("description"), "Custom resource definition column (in JSONPath format): "
                                                    ".spec.cronSpec");
  EXPECT_EQ(cols[2].as_object().at("type"), "integer");
  EXPECT_EQ(cols[4].as_object().at("priority"), 1);
  EXPECT_EQ(cols[6].as_object().at("type"), "date");
}

TEST(CrdTable, CellsAreTypedPerColumn) {
  auto crd = CronTabCrd();
  auto obj = CronTab(R"({"cronSpec": "*/5 * * * *", "replicas": 3, "ratio": 1, "suspend": false})");
  obj["metadata"].as_object()["creationTimestamp"] = "2024-05-01T10:00:00Z";
  obj["status"] = Parse(R"({"conditions": [{"type": "Synced", "status": "False"}, {"type": "Ready", "status": "True"}]})");
  const int64_t now = *ParseRfc3339("2024-05-01T10:05:00Z");
  auto cells = TableCellsForAt(crd, "v1", obj, now);
  EXPECT_EQ(cells, (json::array{"my-new-cron-object", "*/5 * * * *", 3, "True", 1.0, false, "5m"}));
  EXPECT_TRUE(cells[4].is_double());
}

TEST(CrdTable, MissingValuesAreNullAndBadDatesInvalid) {
  auto crd = CronTabCrd();
  auto obj = CronTab(R"({"cronSpec": "* * * * *", "replicas": 2.9})");
  obj["metadata"].as_object()["creationTimestamp"] = "yesterday";
  auto cells = TableCellsForAt(crd, "v1", obj, 0);
  EXPECT_EQ(cells, (json::array{"my-new-cron-object", "* * * * *", 2, nullptr, nullptr, nullptr, "<invalid>"}));
}

TEST(CrdTable, DefaultsToNameAndAge) {
  auto crd = MinimalCrd();
  auto cols = TableColumnsFor(crd, "v1");
  ASSERT_EQ(cols.size(), 2u);
  EXPECT_EQ(cols[1].as_object().at("name"), "Age");
  EXPECT_EQ(cols[1].as_object().at("type"), "date");
  auto obj = Parse(R"({"metadata": {"name": "w", "creationTimestamp": "2024-05-01T10:00:00Z"}})");
  EXPECT_EQ(TableCellsForAt(crd, "v1", obj, *ParseRfc3339("2024-05-03T10:00:00Z")), (json::array{"w", "2d"}));
}

TEST(EvalJsonPath, SupportsTheFormsColumnsUse) {
  auto v = json::value(Parse(R"({"spec": {"a": [{"n": 1}, {"n": 2}], "m": {"x": "y"}},
                                 "metadata": {"labels": {"app.kubernetes.io/name": "web"}}})"));
  EXPECT_EQ(*EvalJsonPath(v, ".spec.a[1].n"), 2);
  EXPECT_EQ(*EvalJsonPath(v, ".spec.a[-1].n"), 2);
  EXPECT_EQ(*EvalJsonPath(v, ".spec.a[*].n"), 1);
  EXPECT_EQ(*EvalJsonPath(v, ".spec.a[?(@.n==2)].n"), 2);
  EXPECT_EQ(*EvalJsonPath(v, "{.spec.m.x}"), "y");
  EXPECT_EQ(*EvalJsonPath(v, ".metadata.labels['app.kubernetes.io/name']"), "web");
  EXPECT_FALSE(EvalJsonPath(v, ".spec.nothing").has_value());
  EXPECT_FALSE(EvalJsonPath(v, ".spec..n").has_value());
  EXPECT_FALSE(EvalJsonPath(v, ".spec.a[x").has_value());
}

TEST(CrdTable, StringColumnsPrintStructuredValuesAsGoDoes) {
  auto crd = CronTabCrd();
  Version0(crd)["additionalPrinterColumns"] =
      ParseValue(R"([{"name": "Tags", "type": "string", "jsonPath": ".spec.tags"},
                {"name": "Env", "type": "string", "jsonPath": ".spec.env"},
                {"name": "R", "type": "string", "jsonPath": ".spec.replicas"}])");
  auto obj = CronTab(R"({"tags": ["a", "b"], "env": {"B": "2", "A": "1"}, "replicas": 3})");
  EXPECT_EQ(TableCellsForAt(crd, "v1", obj, 0), (json::array{"my-new-cron-object", "[a b]", "map[A:1 B:2]", "3"}));
}

}  // namespace
}  // namespace k1s::registry
