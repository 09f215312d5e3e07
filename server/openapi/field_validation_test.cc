#include "server/openapi/field_validation.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace k1s::openapi {
namespace {

namespace json = boost::json;
using Strings = std::vector<std::string>;

registry::ResourceInfo Info(std::string group, std::string version, std::string kind) {
  registry::ResourceInfo info;
  info.group = std::move(group);
  info.version = std::move(version);
  info.kind = std::move(kind);
  return info;
}

Strings Unknown(std::string_view group, std::string_view kind, std::string_view body) {
  return UnknownFields(Info(std::string(group), "v1", std::string(kind)), json::parse(body), *api::BuiltinSchema());
}

TEST(FieldValidation, AValidPodHasNoUnknownFields) {
  EXPECT_EQ(Unknown("", "Pod", R"({"apiVersion":"v1","kind":"Pod",
      "metadata":{"name":"p","labels":{"any-key":"v"},"annotations":{"a/b":"c"},
                  "ownerReferences":[{"apiVersion":"v1","kind":"X","name":"x","uid":"u"}]},
      "spec":{"containers":[{"name":"c","image":"busybox","command":["sh"],
                              "env":[{"name":"A","valueFrom":{"fieldRef":{"fieldPath":"metadata.name"}}}],
                              "ports":[{"containerPort":80,"protocol":"TCP"}],
                              "resources":{"limits":{"cpu":"100m","memory":"1Gi"}},
                              "livenessProbe":{"httpGet":{"path":"/","port":"http"}}}],
              "volumes":[{"name":"v","emptyDir":{}},{"name":"w","configMap":{"name":"cm","items":[{"key":"k","path":"p"}]}}],
              "tolerations":[{"key":"k","operator":"Exists"}],
              "affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[
                  {"matchExpressions":[{"key":"k","operator":"In","values":["a"]}]}]}}}},
      "status":{"phase":"Running","conditions":[{"type":"Ready","status":"True"}]}})"),
            Strings{});
}

TEST(FieldValidation, UnknownFieldsInAPodContainerAreReportedWithTheirListIndex) {
  EXPECT_EQ(Unknown("", "Pod", R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},
      "spec":{"bogusField":1,"containers":[{"name":"a","image":"x"},{"name":"b","imagee":"x"}]}})"),
            (Strings{"unknown field \"spec.bogusField\"", "unknown field \"spec.containers[1].imagee\""}));
}

TEST(FieldValidation, UnknownFieldsDeepInsideADeploymentTemplateAreFound) {
  EXPECT_EQ(Unknown("apps", "Deployment", R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},
      "spec":{"replicas":1,"selector":{"matchLabels":{"app":"d"}},
              "strategy":{"rollingUpdate":{"maxUnaivailable":1}},
              "template":{"metadata":{"labels":{"app":"d"}},
                          "spec":{"containers":[{"name":"c","image":"x",
                                                 "env":[{"name":"A","value":"1"},{"name":"B","valueFrom":{"bogus":{}}}]}]}}}})"),
            (Strings{"unknown field \"spec.strategy.rollingUpdate.maxUnaivailable\"",
                     "unknown field \"spec.template.spec.containers[0].env[1].valueFrom.bogus\""}));
}

TEST(FieldValidation, UnknownFieldsInServicePortsAndMetadataAreFound) {
  EXPECT_EQ(Unknown("", "Service", R"({"apiVersion":"v1","kind":"Service","metadata":{"name":"s","app":"x"},
      "spec":{"selector":{"app":"x"},"ports":[{"port":80,"targetPort":8080,"nodeport":30000}]}})"),
            (Strings{"unknown field \"metadata.app\"", "unknown field \"spec.ports[0].nodeport\""}));
}

TEST(FieldValidation, FreeFormMapsAcceptAnyKeyButTheObjectsKeysAreChecked) {
  EXPECT_EQ(Unknown("", "ConfigMap", R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},
      "data":{"anything":"x","more.keys":"y"},"datas":{}})"),
            Strings{"unknown field \"datas\""});
  EXPECT_EQ(Unknown("", "Secret", R"({"kind":"Secret","stringData":{"k":"v"},"data":{"k":"dg=="},"type":"Opaque"})"),
            Strings{});
}

TEST(FieldValidation, RawExtensionsAndManagedFieldsAcceptAnything) {
  EXPECT_EQ(Unknown("apps", "ControllerRevision", R"({"kind":"ControllerRevision","revision":1,
      "data":{"spec":{"whatever":{"deep":[1,2]}}},
      "metadata":{"managedFields":[{"manager":"m","fieldsType":"FieldsV1","fieldsV1":{"f:spec":{}}}]}})"),
            Strings{});
}

TEST(FieldValidation, KindsWithoutASchemaReportNothing) {
  EXPECT_EQ(UnknownFields(Info("example.com", "v1", "Thing"), json::parse(R"({"x":1})"), *api::BuiltinSchema()),
            Strings{});
}

const char* kCronTabSchema = R"({"type":"object","properties":{
  "spec":{"type":"object","properties":{
     "cronSpec":{"type":"string"},
     "replicas":{"type":"integer"},
     "jobs":{"type":"array","items":{"type":"object","properties":{"name":{"type":"string"}}}},
     "env":{"type":"object","additionalProperties":{"type":"object","properties":{"value":{"type":"string"}}}},
     "config":{"type":"object","x-kubernetes-preserve-unknown-fields":true,
               "properties":{"level":{"type":"object","properties":{"n":{"type":"integer"}}}}},
     "template":{"type":"object","x-kubernetes-embedded-resource":true,"properties":{"spec":{"type":"object"}}}}},
  "status":{"type":"object","properties":{"phase":{"type":"string"}}}}})";

Strings UnknownCronTab(std::string_view body) {
  return UnknownCustomResourceFields(json::parse(body), json::parse(kCronTabSchema), *api::BuiltinSchema());
}

TEST(FieldValidation, CustomResourcesAreCheckedAgainstTheirSchema) {
  EXPECT_EQ(UnknownCronTab(R"({"apiVersion":"stable.example.com/v1","kind":"CronTab",
      "metadata":{"name":"x","labels":{"a":"b"}},"spec":{"cronSpec":"* * * * *","replicas":1}})"),
            Strings{});
  EXPECT_EQ(UnknownCronTab(R"({"apiVersion":"stable.example.com/v1","kind":"CronTab","metadata":{"name":"x","app":"y"},
      "spec":{"cronSpec":"*","favoriteColor":"blue","jobs":[{"name":"a"},{"nmae":"b"}]},"extra":1})"),
            (Strings{"unknown field \"metadata.app\"", "unknown field \"spec.favoriteColor\"",
                     "unknown field \"spec.jobs[1].nmae\"", "unknown field \"extra\""}));
}

TEST(FieldValidation, CustomResourceMapsPreservedAndEmbeddedFieldsFollowTheirExtensions) {
  EXPECT_EQ(UnknownCronTab(R"({"kind":"CronTab","spec":{
      "env":{"A":{"value":"1"},"B":{"valeu":"2"}},
      "config":{"free":{"x":1},"level":{"n":1,"m":2}},
      "template":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","bogus":1},"spec":{"anything":1}}}})"),
            (Strings{"unknown field \"spec.env.B.valeu\"", "unknown field \"spec.config.level.m\"",
                     "unknown field \"spec.template.metadata.bogus\"", "unknown field \"spec.template.spec.anything\""}));
}

TEST(FieldValidation, CustomResourcesWithoutASchemaAcceptAnything) {
  EXPECT_EQ(UnknownCustomResourceFields(json::parse(R"({"kind":"X","spec":{"a":1}})"), json::value(),
                                        *api::BuiltinSchema()),
            Strings{});
}

TEST(FieldValidation, DuplicateFieldsAreFoundAtEveryDepth) {
  EXPECT_EQ(DuplicateFields(R"({"kind":"Pod","metadata":{"name":"a","name":"b"},"kind":"Pod",
      "spec":{"containers":[{"name":"c"},{"name":"d","image":"x","image":"y"}],"list":[1,[2],{"a":1,"a":2}]}})"),
            (Strings{"duplicate field \"metadata.name\"", "duplicate field \"kind\"",
                     "duplicate field \"spec.containers[1].image\"", "duplicate field \"spec.list[2].a\""}));
  EXPECT_EQ(DuplicateFields(R"({"metadata":{"labels":{"a":"1","a":"2"}}})"),
            Strings{"duplicate field \"metadata.labels.a\""});
}

TEST(FieldValidation, CleanOrMalformedBodiesHaveNoDuplicates) {
  EXPECT_EQ(DuplicateFields(R"({"a":{"b":1},"c":{"b":2},"d":[{"b":1},{"b":2}]})"), Strings{});
  EXPECT_EQ(DuplicateFields(R"({"a":1,"a":)"), Strings{});
  EXPECT_EQ(DuplicateFields(""), Strings{});
}

TEST(FieldValidation, StrictErrorsAreWordedLikeUpstream) {
  Strings problems = {"unknown field \"spec.bogusField\"", "duplicate field \"metadata.name\""};
  EXPECT_EQ(StrictErrorMessage(problems),
            "strict decoding error: unknown field \"spec.bogusField\", duplicate field \"metadata.name\"");
  EXPECT_EQ(StrictErrorMessage({problems[0]}, "Deployment", "v1"),
            "Deployment in version \"v1\" cannot be handled as a Deployment: strict decoding error: "
            "unknown field \"spec.bogusField\"");
}

TEST(FieldValidation, WarningsAreQuotedHeaderValues) {
  EXPECT_EQ(WarningHeader("unknown field \"spec.bogusField\""), R"(299 - "unknown field \"spec.bogusField\"")");
  EXPECT_EQ(WarningHeaders({"a", "b\\c"}), (Strings{R"(299 - "a")", R"(299 - "b\\c")"}));
}

TEST(FieldValidation, TheQueryParameterIsParsed) {
  EXPECT_EQ(*ParseFieldValidation("Strict"), FieldValidation::kStrict);
  EXPECT_EQ(*ParseFieldValidation("Warn"), FieldValidation::kWarn);
  EXPECT_EQ(*ParseFieldValidation("Ignore"), FieldValidation::kIgnore);
  EXPECT_EQ(*ParseFieldValidation(""), FieldValidation::kWarn);
  auto bad = ParseFieldValidation("strict");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kBadRequest);
}

}  // namespace
}  // namespace k1s::openapi
