#include "server/openapi/type_check.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace k1s::openapi {
namespace {

namespace json = boost::json;

const api::SchemaType& Kind(std::string_view group, std::string_view version, std::string_view kind) {
  const api::SchemaType* t = api::BuiltinSchema()->ForKind(group, version, kind);
  EXPECT_NE(t, nullptr) << kind;
  return *t;
}

std::string Decode(std::string_view group, std::string_view kind, std::string_view body) {
  auto err = DecodeTypeError(Kind(group, "v1", kind), json::parse(body));
  return err ? *err : "";
}

std::string Convert(std::string_view group, std::string_view kind, std::string_view body) {
  auto err = ConvertTypeError(Kind(group, "v1", kind), json::parse(body));
  return err ? *err : "";
}

registry::ResourceInfo Info(std::string group, std::string kind) {
  registry::ResourceInfo info;
  info.group = std::move(group);
  info.version = "v1";
  info.kind = std::move(kind);
  return info;
}

TEST(TypeCheck, AWellTypedPodPasses) {
  EXPECT_EQ(Decode("", "Pod", R"({"apiVersion":"v1","kind":"Pod",
      "metadata":{"name":"p","labels":{"a":"b"},"creationTimestamp":null,"ownerReferences":[{"apiVersion":"v1",
                  "kind":"X","name":"x","uid":"u","controller":true}],"managedFields":[{"fieldsV1":{"f:x":{}}}]},
      "spec":{"containers":[{"name":"c","image":"busybox","ports":[{"containerPort":80,"protocol":"TCP"}],
                              "resources":{"limits":{"cpu":"100m","memory":1073741824}},
                              "livenessProbe":{"httpGet":{"path":"/","port":"http"},"periodSeconds":3}}],
              "terminationGracePeriodSeconds":30,"nodeSelector":null,"volumes":[{"name":"v","emptyDir":{}}]},
      "status":{"phase":"Running","startTime":"2024-01-01T00:00:00Z"}})"),
            "");
}

TEST(TypeCheck, ABoolInAMapOfStringsNamesTheMapField) {
  EXPECT_EQ(Decode("", "ConfigMap", R"({"kind":"ConfigMap","metadata":{"name":"x"},"data":{"x":true}})"),
            "json: cannot unmarshal bool into Go struct field ConfigMap.data of type string");
}

TEST(TypeCheck, NestedFieldsNameTheInnermostStructAndTheWholePathWithoutIndices) {
  EXPECT_EQ(Decode("apps", "Deployment", R"({"spec":{"replicas":"three"}})"),
            "json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32");
  EXPECT_EQ(Decode("", "Pod", R"({"spec":{"containers":[{"name":"c"},{"name":"d","ports":[{"containerPort":"80"}]}]}})"),
            "json: cannot unmarshal string into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32");
}

TEST(TypeCheck, ContainersOfTheWrongShapeNameTheGoTypes) {
  EXPECT_EQ(Decode("", "Pod", R"({"spec":{"containers":{"name":"c"}}})"),
            "json: cannot unmarshal object into Go struct field PodSpec.spec.containers of type []v1.Container");
  EXPECT_EQ(Decode("", "Pod", R"({"spec":"x"})"),
            "json: cannot unmarshal string into Go struct field Pod.spec of type v1.PodSpec");
  EXPECT_EQ(Decode("", "Pod", R"({"metadata":{"finalizers":[1]}})"),
            "json: cannot unmarshal number into Go struct field ObjectMeta.metadata.finalizers of type string");
  EXPECT_EQ(Decode("", "Pod", R"({"metadata":{"labels":["a"]}})"),
            "json: cannot unmarshal array into Go struct field ObjectMeta.metadata.labels of type map[string]string");
  EXPECT_EQ(Decode("", "Pod", R"({"spec":{"containers":[{"name":"c","imagePullPolicy":1}]}})"),
            "json: cannot unmarshal number into Go struct field Container.spec.containers.imagePullPolicy of type v1.PullPolicy");
}

TEST(TypeCheck, FractionalAndOverflowingIntegersAreRefused) {
  EXPECT_EQ(Decode("apps", "Deployment", R"({"spec":{"replicas":1.5}})"),
            "json: cannot unmarshal number 1.5 into Go struct field DeploymentSpec.spec.replicas of type int32");
  EXPECT_EQ(Decode("apps", "Deployment", R"({"spec":{"replicas":3000000000}})"),
            "json: cannot unmarshal number 3000000000 into Go struct field DeploymentSpec.spec.replicas of type int32");
  EXPECT_EQ(Decode("apps", "Deployment", R"({"spec":{"replicas":3,"revisionHistoryLimit":null}})"), "");
}

TEST(TypeCheck, TheFirstMismatchInDocumentOrderWins) {
  EXPECT_EQ(Decode("", "ConfigMap", R"({"immutable":"yes","data":{"x":1}})"),
            "json: cannot unmarshal string into Go struct field ConfigMap.immutable of type bool");
}

TEST(TypeCheck, QuantitiesTakeStringsAndNumbersAndStopDecodingOnAnythingElse) {
  EXPECT_EQ(Decode("", "Pod", R"({"spec":{"containers":[{"name":"c","resources":{"requests":{"cpu":0.5,"memory":"1Gi"}}}]}})"), "");
  EXPECT_EQ(Decode("", "Pod", R"({"metadata":{"name":7},"spec":{"containers":[{"resources":{"limits":{"cpu":true}}}]}})"),
            "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
}

TEST(TypeCheck, IntOrStringTakesBothButNotBoolsOrFractions) {
  EXPECT_EQ(Decode("", "Service", R"({"spec":{"ports":[{"port":80,"targetPort":"http"},{"port":81,"targetPort":8080}]}})"), "");
  EXPECT_EQ(Decode("", "Service", R"({"spec":{"ports":[{"port":80,"targetPort":true}]}})"),
            "json: cannot unmarshal bool into Go struct field ServicePort.spec.ports.targetPort of type int32");
  EXPECT_EQ(Decode("", "Service", R"({"spec":{"ports":[{"port":80,"targetPort":1.5}]}})"),
            "json: cannot unmarshal number 1.5 into Go struct field ServicePort.spec.ports.targetPort of type int32");
}

TEST(TypeCheck, TimesMustBeStrings) {
  EXPECT_EQ(Decode("", "ConfigMap", R"({"metadata":{"creationTimestamp":5}})"),
            "json: cannot unmarshal number into Go struct field ObjectMeta.metadata.creationTimestamp of type string");
}

TEST(TypeCheck, BytesMustBeBase64) {
  EXPECT_EQ(Decode("", "Secret", R"({"data":{"a":"aGVsbG8=","b":"aGVs\nbG8="}})"), "");
  EXPECT_EQ(Decode("", "Secret", R"({"data":{"a":"hello!"}})"), "illegal base64 data at input byte 5");
  EXPECT_EQ(Decode("", "Secret", R"({"data":{"a":"aGVsbG8"}})"), "illegal base64 data at input byte 4");
  EXPECT_EQ(Decode("", "Secret", R"({"data":{"a":5}})"),
            "json: cannot unmarshal number into Go struct field Secret.data of type []uint8");
}

TEST(TypeCheck, FreeFormValuesAcceptAnything) {
  EXPECT_EQ(Decode("", "Pod", R"({"metadata":{"managedFields":[{"fieldsV1":[1,"x",true]}]}})"), "");
}

TEST(TypeCheck, TheConverterWordsMismatchesByKind) {
  EXPECT_EQ(Convert("apps", "Deployment", R"({"spec":{"replicas":"three"}})"), "unrecognized type: int32");
  EXPECT_EQ(Convert("apps", "Deployment", R"({"spec":{"replicas":3.0}})"), "");
  EXPECT_EQ(Convert("apps", "Deployment", R"({"spec":{"replicas":3.5}})"), "cannot convert float64 to int32");
  EXPECT_EQ(Convert("", "ConfigMap", R"({"data":{"x":true}})"), "unrecognized type: string");
  EXPECT_EQ(Convert("", "ConfigMap", R"({"data":{"x":1}})"), "cannot convert int64 to string");
  EXPECT_EQ(Convert("", "Pod", R"({"spec":{"containers":"x"}})"), "cannot restore slice from string");
  EXPECT_EQ(Convert("", "Pod", R"({"spec":[1]})"), "cannot restore struct from: slice");
}

TEST(TypeCheck, CreateAndUpdateBodiesAreBadRequests) {
  auto st = CheckBodyTypes(Info("", "ConfigMap"), json::parse(R"({"data":{"x":true}})"), *api::BuiltinSchema());
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kBadRequest);
  EXPECT_EQ(st.error().message,
            "ConfigMap in version \"v1\" cannot be handled as a ConfigMap: json: cannot unmarshal bool into Go struct "
            "field ConfigMap.data of type string");
  auto custom = Info("example.com", "Widget");
  custom.custom = true;
  EXPECT_TRUE(CheckBodyTypes(custom, json::parse(R"({"spec":1})"), *api::BuiltinSchema()).ok());
}

TEST(TypeCheck, PatchResultsAreInvalidNamingThePatch) {
  auto patched = json::parse(R"({"spec":{"replicas":"three"},"kind":"Deployment"})");
  auto st = CheckPatchedTypes(Info("apps", "Deployment"), false, json::parse(R"({"spec":{"replicas":"three"}})"),
                              patched, *api::BuiltinSchema());
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kInvalid);
  EXPECT_EQ(st.error().message,
            " \"\" is invalid: patch: Invalid value: \"{\\\"kind\\\":\\\"Deployment\\\",\\\"spec\\\":{\\\"replicas\\\":"
            "\\\"three\\\"}}\": json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type "
            "int32");
  st = CheckPatchedTypes(Info("apps", "Deployment"), true, json::parse(R"({"spec":{"replicas":"three","paused":null}})"),
                         patched, *api::BuiltinSchema());
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().message,
            " \"\" is invalid: patch: Invalid value: \"map[spec:map[paused:<nil> replicas:three]]\": unrecognized type: int32");
}

TEST(TypeCheck, GoFormatPrintsLikePercentV) {
  EXPECT_EQ(GoFormatValue(json::parse(R"({"b":[1,2.5,"x"],"a":{"c":true},"d":1e6,"e":100000.0})")),
            "map[a:map[c:true] b:[1 2.5 x] d:1e+06 e:100000]");
}

}  // namespace
}  // namespace k1s::openapi
