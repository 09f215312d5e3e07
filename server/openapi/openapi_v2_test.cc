#include "server/openapi/openapi_v2.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <cstdint>
#include <map>
#include <optional>

namespace k1s::openapi {
namespace {

namespace json = boost::json;

const OpenApiV2& Builtin() {
  static const OpenApiV2 doc(registry::BuiltinResources(), "v1.32.0+k1s-test");
  return doc;
}

// A minimal protobuf reader: the fields of one message, in order; length-delimited values as bytes,
// varints as their value.
struct PbField {
  int number = 0;
  uint64_t varint = 0;
  std::string_view bytes;
};

std::optional<uint64_t> ReadVarint(std::string_view& in) {
  uint64_t v = 0;
  for (int shift = 0; shift < 64 && !in.empty(); shift += 7) {
    auto b = static_cast<unsigned char>(in.front());
    in.remove_prefix(1);
    v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) return v;
  }
  return std::nullopt;
}

std::vector<PbField> Fields(std::string_view in) {
  std::vector<PbField> out;
  while (!in.empty()) {
    auto tag = ReadVarint(in);
    EXPECT_TRUE(tag.has_value());
    if (!tag) return out;
    PbField f;
    f.number = static_cast<int>(*tag >> 3);
    int wire = static_cast<int>(*tag & 7);
    if (wire == 0) {
      auto v = ReadVarint(in);
      EXPECT_TRUE(v.has_value());
      f.varint = v.value_or(0);
    } else if (wire == 2) {
      auto len = ReadVarint(in);
      EXPECT_TRUE(len.has_value() && *len <= in.size());
      if (!len || *len > in.size()) return out;
      f.bytes = in.substr(0, *len);
      in.remove_prefix(*len);
    } else {
      ADD_FAILURE() << "unexpected wire type " << wire;
      return out;
    }
    out.push_back(f);
  }
  return out;
}

std::vector<std::string_view> All(std::string_view msg, int number) {
  std::vector<std::string_view> out;
  for (const auto& f : Fields(msg)) {
    if (f.number == number) out.push_back(f.bytes);
  }
  return out;
}

std::string_view One(std::string_view msg, int number) {
  auto all = All(msg, number);
  return all.empty() ? std::string_view() : all.back();
}

// NamedSchema / NamedAny entries (name = 1, value = 2) of repeated field `number`, by name.
std::map<std::string_view, std::string_view> Named(std::string_view msg, int number) {
  std::map<std::string_view, std::string_view> out;
  for (auto entry : All(msg, number)) out[One(entry, 1)] = One(entry, 2);
  return out;
}

// The decoded Schema of one definition.
std::string_view Definition(std::string_view name) {
  std::string_view doc = Builtin().Protobuf();
  auto defs = Named(One(doc, 9), 1);
  auto it = defs.find(name);
  EXPECT_NE(it, defs.end()) << name;
  return it == defs.end() ? std::string_view() : it->second;
}

// A vendor extension's YAML text (NamedAny.value = Any{yaml = 2}).
std::string Extension(std::string_view schema, std::string_view name) {
  auto ext = Named(schema, 31);
  auto it = ext.find(name);
  return it == ext.end() ? "" : std::string(One(it->second, 2));
}

TEST(OpenApiV2, ProtobufDocumentHasSwaggerVersionAndInfo) {
  std::string_view doc = Builtin().Protobuf();
  EXPECT_EQ(One(doc, 1), "2.0");
  std::string_view info = One(doc, 2);
  EXPECT_EQ(One(info, 1), "Kubernetes");
  EXPECT_EQ(One(info, 2), "v1.32.0+k1s-test");
}

TEST(OpenApiV2, PodDefinitionCarriesGroupVersionKindAndFields) {
  std::string_view pod = Definition("io.k8s.api.core.v1.Pod");
  EXPECT_FALSE(One(pod, 4).empty());  // description
  auto types = All(One(pod, 22), 1);
  ASSERT_EQ(types.size(), 1u);
  EXPECT_EQ(types[0], "object");
  json::value gvk = json::parse(Extension(pod, "x-kubernetes-group-version-kind"));
  EXPECT_EQ(gvk, json::parse(R"([{"group":"","kind":"Pod","version":"v1"}])"));
  auto props = Named(One(pod, 25), 1);
  ASSERT_TRUE(props.contains("spec"));
  EXPECT_EQ(One(props["spec"], 1), "#/definitions/io.k8s.api.core.v1.PodSpec");
  ASSERT_TRUE(props.contains("metadata"));
  EXPECT_EQ(One(props["metadata"], 1), "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta");
  EXPECT_TRUE(All(props["metadata"], 22).empty()) << "a $ref must not carry a type";
}

TEST(OpenApiV2, ContainersCarryPatchMergeKeyAndListMapKeys) {
  std::string_view spec = Definition("io.k8s.api.core.v1.PodSpec");
  auto props = Named(One(spec, 25), 1);
  std::string_view containers = props["containers"];
  EXPECT_EQ(All(One(containers, 22), 1), std::vector<std::string_view>{"array"});
  EXPECT_EQ(One(One(One(containers, 23), 1), 1), "#/definitions/io.k8s.api.core.v1.Container");
  EXPECT_EQ(json::parse(Extension(containers, "x-kubernetes-patch-merge-key")), "name");
  EXPECT_EQ(json::parse(Extension(containers, "x-kubernetes-patch-strategy")), "merge");
  EXPECT_EQ(json::parse(Extension(containers, "x-kubernetes-list-type")), "map");
  EXPECT_EQ(json::parse(Extension(containers, "x-kubernetes-list-map-keys")), json::parse(R"(["name"])"));
  auto required = All(spec, 19);
  EXPECT_NE(std::find(required.begin(), required.end(), "containers"), required.end());
}

TEST(OpenApiV2, MapsUseAdditionalPropertiesAndDeploymentHasItsKind) {
  std::string_view meta = Definition("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta");
  std::string_view labels = Named(One(meta, 25), 1)["labels"];
  EXPECT_EQ(All(One(labels, 22), 1), std::vector<std::string_view>{"object"});
  std::string_view value = One(One(labels, 21), 1);  // AdditionalPropertiesItem.schema
  EXPECT_EQ(All(One(value, 22), 1), std::vector<std::string_view>{"string"});

  std::string_view deploy = Definition("io.k8s.api.apps.v1.Deployment");
  EXPECT_EQ(json::parse(Extension(deploy, "x-kubernetes-group-version-kind")),
            json::parse(R"([{"group":"apps","kind":"Deployment","version":"v1"}])"));
  std::string_view list = Definition("io.k8s.api.apps.v1.DeploymentList");
  EXPECT_EQ(json::parse(Extension(list, "x-kubernetes-group-version-kind")),
            json::parse(R"([{"group":"apps","kind":"DeploymentList","version":"v1"}])"));
}

TEST(OpenApiV2, EveryReferenceResolvesToADefinition) {
  json::object doc = json::parse(Builtin().Json()).as_object();
  EXPECT_EQ(doc.at("swagger"), "2.0");
  const json::object& defs = doc.at("definitions").as_object();
  EXPECT_GT(defs.size(), 100u);
  std::function<void(const json::value&)> walk = [&](const json::value& v) {
    if (const json::object* o = v.if_object()) {
      // (JSONSchemaProps has a property named "$ref": only a string is a reference.)
      if (const json::value* ref = o->if_contains("$ref"); ref != nullptr && ref->is_string()) {
        std::string_view r = ref->as_string();
        ASSERT_TRUE(r.starts_with("#/definitions/")) << r;
        EXPECT_TRUE(defs.contains(r.substr(14))) << r;
        EXPECT_FALSE(o->contains("type")) << r;
        EXPECT_FALSE(o->contains("allOf")) << r;
      }
      for (const auto& kv : *o) walk(kv.value());
    } else if (const json::array* a = v.if_array()) {
      for (const auto& e : *a) walk(e);
    }
  };
  walk(doc);
}

TEST(OpenApiV2, AcceptHeaderChoosesTheEncoding) {
  EXPECT_TRUE(OpenApiV2::WantsProtobuf("application/com.github.proto-openapi.spec.v2@v1.0+protobuf"));
  EXPECT_TRUE(OpenApiV2::WantsProtobuf("application/com.github.proto-openapi.spec.v2.v1.0+protobuf"));
  EXPECT_TRUE(OpenApiV2::WantsProtobuf(
      "application/com.github.proto-openapi.spec.v2@v1.0+protobuf;q=0.9, application/json;q=0.5"));
  EXPECT_FALSE(OpenApiV2::WantsProtobuf("application/json, */*"));
  EXPECT_FALSE(OpenApiV2::WantsProtobuf(""));
  EXPECT_FALSE(OpenApiV2::WantsProtobuf("application/com.github.proto-openapi.spec.v2.v1.0+protobuf;q=0, */*"));
}

TEST(OpenApiV2, BuildTimeAndSize) {
  auto start = std::chrono::steady_clock::now();
  OpenApiV2 doc(registry::BuiltinResources(), "v1.32.0");
  auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  std::printf("openapi v2: %zu definitions-doc JSON bytes, %zu protobuf bytes, built in %.1f ms\n",
              doc.Json().size(), doc.Protobuf().size(), ms);
  OpenApiV2 again(registry::BuiltinResources(), "v1.32.0");
  EXPECT_EQ(again.Protobuf(), doc.Protobuf()) << "the document must be stable";
  EXPECT_EQ(again.Hash(), doc.Hash());
}

}  // namespace
}  // namespace k1s::openapi
