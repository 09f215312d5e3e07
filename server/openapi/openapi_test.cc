#include "server/openapi/openapi.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <algorithm>
#include <functional>

namespace k1s::openapi {
namespace {

namespace json = boost::json;

std::string S(const json::value& v) { return v.is_string() ? std::string(v.as_string()) : json::serialize(v); }

const OpenApi& Builtin() {
  static const OpenApi api(registry::BuiltinResources(), {});
  return api;
}

json::object Doc(const OpenApi& api, std::string_view path) {
  const OpenApi::Document* d = api.V3(path);
  EXPECT_NE(d, nullptr) << path;
  return d == nullptr ? json::object() : json::parse(d->body).as_object();
}

// What kubectl's validation probe looks for: a PATCH operation for the GVK with a fieldValidation query
// parameter.
bool SupportsFieldValidation(const json::object& doc, std::string_view group, std::string_view version,
                             std::string_view kind) {
  for (const auto& path : doc.at("paths").as_object()) {
    const json::value* patch = path.value().as_object().if_contains("patch");
    if (patch == nullptr) continue;
    const json::object& gvk = patch->at("x-kubernetes-group-version-kind").as_object();
    if (gvk.at("group").as_string() != group || gvk.at("version").as_string() != version ||
        gvk.at("kind").as_string() != kind) {
      continue;
    }
    for (const auto& p : patch->at("parameters").as_array()) {
      if (p.at("name") == "fieldValidation" && p.at("in") == "query") return true;
    }
  }
  return false;
}

TEST(OpenApi, EveryBuiltinResourceHasASchema) {
  auto schema = api::BuiltinSchema();
  for (const auto& r : registry::BuiltinResources()) {
    if (r.review) continue;  // reviews are answered, never stored: not described yet
    EXPECT_NE(schema->ForKind(r.group, r.version, r.kind), nullptr) << r.GroupVersion() << " " << r.kind;
  }
}

TEST(OpenApi, RootListsEveryGroupVersionWithAHashedUrl) {
  json::object root = json::parse(Builtin().V3Root()).as_object();
  const json::object& paths = root.at("paths").as_object();
  for (const auto& r : registry::BuiltinResources()) {
    std::string path = r.group.empty() ? "api/" + r.version : "apis/" + r.group + "/" + r.version;
    ASSERT_TRUE(paths.contains(path)) << path;
    const OpenApi::Document* d = Builtin().V3(path);
    ASSERT_NE(d, nullptr);
    EXPECT_EQ(S(paths.at(path).at("serverRelativeURL")), "/openapi/v3/" + path + "?hash=" + d->hash);
    EXPECT_EQ(d->hash.size(), 128u);
    EXPECT_EQ(d->ETag(), "\"" + d->hash + "\"");
  }
  EXPECT_EQ(paths.size(), Builtin().V3Paths().size());
}

TEST(OpenApi, EveryBuiltinKindPassesKubectlsValidationProbe) {
  for (const auto& r : registry::BuiltinResources()) {
    std::string path = r.group.empty() ? "api/" + r.version : "apis/" + r.group + "/" + r.version;
    EXPECT_TRUE(SupportsFieldValidation(Doc(Builtin(), path), r.group, r.version, r.kind)) << r.kind;
  }
}

TEST(OpenApi, DocumentsHaveTheUpstreamShape) {
  json::object doc = Doc(Builtin(), "/api/v1");
  EXPECT_EQ(S(doc.at("openapi")), "3.0.0");
  EXPECT_TRUE(doc.contains("info"));
  const json::object& paths = doc.at("paths").as_object();
  ASSERT_TRUE(paths.contains("/api/v1/namespaces/{namespace}/pods/{name}"));
  ASSERT_TRUE(paths.contains("/api/v1/namespaces/{namespace}/pods"));
  ASSERT_TRUE(paths.contains("/api/v1/pods"));
  ASSERT_TRUE(paths.contains("/api/v1/nodes/{name}"));
  const json::object& item = paths.at("/api/v1/namespaces/{namespace}/pods/{name}").as_object();
  for (auto verb : {"get", "put", "patch", "delete"}) EXPECT_TRUE(item.contains(verb)) << verb;
  EXPECT_EQ(S(item.at("patch").at("x-kubernetes-action")), "patch");
  EXPECT_EQ(S(item.at("patch").at("operationId")), "patchCoreV1NamespacedPod");
  EXPECT_TRUE(item.at("patch").at("requestBody").at("content").as_object().contains(
      "application/strategic-merge-patch+json"));
  EXPECT_EQ(S(Doc(Builtin(), "apis/rbac.authorization.k8s.io/v1")
                .at("paths").at("/apis/rbac.authorization.k8s.io/v1/clusterroles/{name}").at("patch").at("operationId")),
            "patchRbacAuthorizationV1ClusterRole");
}

TEST(OpenApi, TopLevelSchemasCarryTheirGroupVersionKind) {
  json::object doc = Doc(Builtin(), "apis/apps/v1");
  const json::object& schemas = doc.at("components").at("schemas").as_object();
  const json::object& deploy = schemas.at("io.k8s.api.apps.v1.Deployment").as_object();
  const json::object& gvk = deploy.at("x-kubernetes-group-version-kind").as_array()[0].as_object();
  EXPECT_EQ(S(gvk.at("group")), "apps");
  EXPECT_EQ(S(gvk.at("version")), "v1");
  EXPECT_EQ(S(gvk.at("kind")), "Deployment");
  EXPECT_EQ(S(deploy.at("type")), "object");
  EXPECT_TRUE(schemas.contains("io.k8s.api.apps.v1.DeploymentList"));
  EXPECT_TRUE(schemas.contains("io.k8s.api.core.v1.PodSpec"));
  EXPECT_TRUE(schemas.contains("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"));
  EXPECT_FALSE(schemas.contains("io.k8s.api.core.v1.NodeStatus"));
}

TEST(OpenApi, FieldsCarryFormatsAndStrategicMergeExtensions) {
  json::object doc = Doc(Builtin(), "api/v1");
  const json::object& schemas = doc.at("components").at("schemas").as_object();
  const json::object& spec = schemas.at("io.k8s.api.core.v1.PodSpec").at("properties").as_object();
  const json::object& containers = spec.at("containers").as_object();
  EXPECT_EQ(S(containers.at("type")), "array");
  EXPECT_EQ(S(containers.at("items").at("$ref")), "#/components/schemas/io.k8s.api.core.v1.Container");
  EXPECT_EQ(S(containers.at("x-kubernetes-patch-merge-key")), "name");
  EXPECT_EQ(S(containers.at("x-kubernetes-patch-strategy")), "merge");
  EXPECT_EQ(S(containers.at("x-kubernetes-list-type")), "map");
  EXPECT_EQ(S(containers.at("x-kubernetes-list-map-keys").as_array()[0]), "name");
  EXPECT_TRUE(schemas.at("io.k8s.api.core.v1.PodSpec").at("required").as_array().size() == 1);
  const json::object& port = schemas.at("io.k8s.api.core.v1.ContainerPort").at("properties").as_object();
  EXPECT_EQ(S(port.at("containerPort").at("format")), "int32");
  EXPECT_EQ(S(schemas.at("io.k8s.apimachinery.pkg.util.intstr.IntOrString").at("format")), "int-or-string");
  EXPECT_EQ(S(schemas.at("io.k8s.apimachinery.pkg.apis.meta.v1.Time").at("format")), "date-time");
  // A described field that refers to a type wraps the $ref in allOf so its description is kept.
  const json::object& pod = schemas.at("io.k8s.api.core.v1.Pod").at("properties").as_object();
  EXPECT_EQ(S(pod.at("spec").at("allOf").as_array()[0].at("$ref")), "#/components/schemas/io.k8s.api.core.v1.PodSpec");
  EXPECT_FALSE(pod.at("spec").at("description").as_string().empty());
}

void CollectRefs(const json::value& v, std::vector<std::string>& out) {
  if (const json::object* o = v.if_object()) {
    for (const auto& kv : *o) {
      if (kv.key() == "$ref" && kv.value().is_string()) out.emplace_back(kv.value().as_string());
      CollectRefs(kv.value(), out);
    }
  } else if (const json::array* a = v.if_array()) {
    for (const auto& x : *a) CollectRefs(x, out);
  }
}

TEST(OpenApi, EveryRefResolvesWithinItsDocument) {
  for (const auto& path : Builtin().V3Paths()) {
    json::object doc = Doc(Builtin(), path);
    const json::object& schemas = doc.at("components").at("schemas").as_object();
    std::vector<std::string> refs;
    CollectRefs(doc, refs);
    EXPECT_FALSE(refs.empty());
    for (const auto& ref : refs) {
      ASSERT_TRUE(ref.starts_with("#/components/schemas/")) << ref;
      EXPECT_TRUE(schemas.contains(ref.substr(21))) << path << ": " << ref;
    }
  }
}

registry::ResourceInfo CronTabs() {
  registry::ResourceInfo info;
  info.group = "stable.example.com";
  info.version = "v1";
  info.kind = "CronTab";
  info.plural = "crontabs";
  info.singular = "crontab";
  return info;
}

TEST(OpenApi, CustomResourcesGetTheirOwnDocument) {
  CustomResource cr{CronTabs(), json::parse(R"({"type":"object","properties":{"spec":{"type":"object",
      "properties":{"cronSpec":{"type":"string"}}}}})")};
  OpenApi api(registry::BuiltinResources(), {cr});
  json::object root = json::parse(api.V3Root()).as_object();
  ASSERT_TRUE(root.at("paths").as_object().contains("apis/stable.example.com/v1"));
  json::object doc = Doc(api, "apis/stable.example.com/v1");
  EXPECT_TRUE(SupportsFieldValidation(doc, "stable.example.com", "v1", "CronTab"));
  const json::object& schemas = doc.at("components").at("schemas").as_object();
  const json::object& ct = schemas.at("com.example.stable.v1.CronTab").as_object();
  EXPECT_EQ(S(ct.at("properties").at("metadata").at("$ref")),
            "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta");
  EXPECT_EQ(S(ct.at("properties").at("spec").at("properties").at("cronSpec").at("type")), "string");
  EXPECT_EQ(S(ct.at("x-kubernetes-group-version-kind").as_array()[0].at("kind")), "CronTab");
  EXPECT_TRUE(schemas.contains("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"));
  std::vector<std::string> refs;
  CollectRefs(doc, refs);
  for (const auto& ref : refs) EXPECT_TRUE(schemas.contains(ref.substr(21))) << ref;
  // Built-in documents are unchanged by custom resources.
  EXPECT_EQ(api.V3("api/v1")->hash, Builtin().V3("api/v1")->hash);
}

TEST(OpenApi, HashesAreStableAndFollowContent) {
  auto resources = registry::BuiltinResources();
  std::reverse(resources.begin(), resources.end());
  OpenApi reversed(resources, {});
  EXPECT_EQ(reversed.V3Root(), Builtin().V3Root());
  OpenApi with_crd(registry::BuiltinResources(), {CustomResource{CronTabs(), json::value()}});
  OpenApi other_crd(registry::BuiltinResources(),
                    {CustomResource{CronTabs(), json::parse(R"({"type":"object","properties":{"a":{"type":"string"}}})")}});
  EXPECT_NE(with_crd.V3("apis/stable.example.com/v1")->hash, other_crd.V3("apis/stable.example.com/v1")->hash);
}

TEST(OpenApi, UnknownDocumentsAreNotFound) {
  EXPECT_EQ(Builtin().V3("apis/nope/v1"), nullptr);
  EXPECT_EQ(Builtin().V3(""), nullptr);
  EXPECT_NE(Builtin().V3("/apis/apps/v1"), nullptr);
}

TEST(OpenApi, CustomSchemaNamesReverseTheGroup) {
  EXPECT_EQ(OpenApi::CustomSchemaName("stable.example.com", "v1", "CronTab"), "com.example.stable.v1.CronTab");
  EXPECT_EQ(OpenApi::CustomSchemaName("single", "v1beta1", "X"), "single.v1beta1.X");
}


}  // namespace
}  // namespace k1s::openapi
