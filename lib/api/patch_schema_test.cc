#include "lib/api/patch_schema.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace k1s::api {
namespace {

std::string Patched(std::string_view group, std::string_view kind, const char* doc, const char* patch) {
  auto schema = PatchSchemaFor(BuiltinSchema(), group, "v1", kind);
  if (schema == nullptr) return "no schema";
  auto v = boost::json::parse(doc);
  auto s = ApplyStrategicMergePatch(v, boost::json::parse(patch), *schema);
  if (!s.ok()) return "error: " + s.error().message;
  return boost::json::serialize(v);
}

TEST(PatchSchemaTest, PodContainersMergeByNameAndTolerationsAreReplaced) {
  EXPECT_EQ(Patched("", "Pod",
                    R"({"spec":{"containers":[{"name":"a","image":"x","env":[{"name":"A","value":"1"}]},{"name":"b","image":"y"}],)"
                    R"("tolerations":[{"key":"k","operator":"Exists"}]}})",
                    R"({"spec":{"containers":[{"name":"a","env":[{"name":"B","value":"2"}]}],"tolerations":[{"key":"t"}]}})"),
            R"({"spec":{"containers":[{"name":"a","image":"x","env":[{"name":"A","value":"1"},{"name":"B","value":"2"}]},)"
            R"({"name":"b","image":"y"}],"tolerations":[{"key":"t"}]}})");
}

TEST(PatchSchemaTest, PodVolumesMergeByNameWithRetainKeys) {
  EXPECT_EQ(Patched("", "Pod", R"({"spec":{"volumes":[{"name":"v","hostPath":{"path":"/x"}}]}})",
                    R"({"spec":{"volumes":[{"name":"v","$retainKeys":["emptyDir","name"],"emptyDir":{}}]}})"),
            R"({"spec":{"volumes":[{"name":"v","emptyDir":{}}]}})");
}

TEST(PatchSchemaTest, ServicePortsMergeByPort) {
  EXPECT_EQ(Patched("", "Service", R"({"spec":{"ports":[{"port":80,"targetPort":8080},{"port":443}]}})",
                    R"({"spec":{"ports":[{"port":80,"targetPort":9090}]}})"),
            R"({"spec":{"ports":[{"port":80,"targetPort":9090},{"port":443}]}})");
}

TEST(PatchSchemaTest, DeploymentTemplateReachesThePodSpecAndFinalizersAreASet) {
  EXPECT_EQ(Patched("apps", "Deployment",
                    R"({"metadata":{"finalizers":["a"]},"spec":{"template":{"spec":{"containers":[{"name":"c","image":"1"}]}}}})",
                    R"({"metadata":{"finalizers":["b"]},"spec":{"template":{"spec":{"containers":[{"name":"d","image":"2"}]}}}})"),
            R"({"metadata":{"finalizers":["a","b"]},"spec":{"template":{"spec":{"containers":[{"name":"c","image":"1"},)"
            R"({"name":"d","image":"2"}]}}}})");
}

TEST(PatchSchemaTest, UnknownKindsHaveNoPatchSchema) {
  EXPECT_EQ(PatchSchemaFor(BuiltinSchema(), "example.com", "v1", "Widget"), nullptr);
}

}  // namespace
}  // namespace k1s::api
