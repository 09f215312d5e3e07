#include "lib/api/schema.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace k1s::api {
namespace {

const SchemaField* FieldAt(const Schema& s, std::string_view type, std::string_view field) {
  const SchemaType* t = s.Type(type);
  return t == nullptr ? nullptr : t->Field(field);
}

TEST(Schema, BuiltinTextParses) {
  auto parsed = Schema::Parse(BuiltinSchemaText());
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_GT((*parsed)->Types().size(), 300u);
}

TEST(Schema, CommonKindsAreDescribedUnderTheirUpstreamNames) {
  auto s = BuiltinSchema();
  struct K {
    const char* group;
    const char* version;
    const char* kind;
    const char* name;
  };
  for (const K& k : {K{"", "v1", "Pod", "io.k8s.api.core.v1.Pod"},
                     K{"apps", "v1", "Deployment", "io.k8s.api.apps.v1.Deployment"},
                     K{"", "v1", "Event", "io.k8s.api.core.v1.Event"},
                     K{"events.k8s.io", "v1", "Event", "io.k8s.api.events.v1.Event"},
                     K{"apiextensions.k8s.io", "v1", "CustomResourceDefinition",
                       "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition"},
                     K{"autoscaling", "v2", "HorizontalPodAutoscaler",
                       "io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler"}}) {
    const SchemaType* t = s->ForKind(k.group, k.version, k.kind);
    ASSERT_NE(t, nullptr) << k.kind;
    EXPECT_EQ(t->name, k.name);
    ASSERT_EQ(t->kinds.size(), 1u);
    EXPECT_EQ(t->kinds[0].group, k.group);
    EXPECT_FALSE(t->description.empty()) << k.kind;
  }
  EXPECT_EQ(s->ForKind("", "v1", "Deployment"), nullptr);
}

TEST(Schema, KindsImplyApiVersionKindAndHaveObjectMeta) {
  auto s = BuiltinSchema();
  const SchemaType* pod = s->ForKind("", "v1", "Pod");
  ASSERT_NE(pod, nullptr);
  ASSERT_NE(pod->Field("apiVersion"), nullptr);
  EXPECT_EQ(pod->Field("kind")->type.kind, ValueKind::kString);
  const SchemaField* meta = pod->Field("metadata");
  ASSERT_NE(meta, nullptr);
  EXPECT_EQ(meta->type.kind, ValueKind::kObject);
  EXPECT_EQ(meta->type.named->name, "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta");
}

TEST(Schema, ContainersListCarriesStrategicMergeFacts) {
  auto s = BuiltinSchema();
  const SchemaField* f = FieldAt(*s, "io.k8s.api.core.v1.PodSpec", "containers");
  ASSERT_NE(f, nullptr);
  EXPECT_TRUE(f->required);
  EXPECT_EQ(f->type.kind, ValueKind::kArray);
  EXPECT_EQ(f->type.element->named->name, "io.k8s.api.core.v1.Container");
  EXPECT_EQ(f->patch_merge_key, "name");
  EXPECT_EQ(f->patch_strategy, "merge");
  EXPECT_EQ(f->list_type, "map");
  EXPECT_EQ(f->list_map_keys, std::vector<std::string>{"name"});

  const SchemaField* ports = FieldAt(*s, "io.k8s.api.core.v1.Container", "ports");
  ASSERT_NE(ports, nullptr);
  EXPECT_EQ(ports->patch_merge_key, "containerPort");
  EXPECT_EQ(ports->list_map_keys, (std::vector<std::string>{"containerPort", "protocol"}));
  const SchemaField* volumes = FieldAt(*s, "io.k8s.api.core.v1.PodSpec", "volumes");
  EXPECT_EQ(volumes->patch_strategy, "merge,retainKeys");
  const SchemaField* finalizers = FieldAt(*s, "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta", "finalizers");
  EXPECT_EQ(finalizers->list_type, "set");
}

TEST(Schema, ScalarsKeepTheirFormats) {
  auto s = BuiltinSchema();
  EXPECT_EQ(FieldAt(*s, "io.k8s.api.core.v1.ContainerPort", "containerPort")->type.kind, ValueKind::kInt32);
  EXPECT_EQ(FieldAt(*s, "io.k8s.api.core.v1.PodSpec", "terminationGracePeriodSeconds")->type.kind,
            ValueKind::kInt64);
  EXPECT_EQ(FieldAt(*s, "io.k8s.api.core.v1.ServicePort", "targetPort")->type.kind, ValueKind::kIntOrString);
  EXPECT_EQ(FieldAt(*s, "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta", "creationTimestamp")->type.kind,
            ValueKind::kTime);
  const SchemaField* binary = FieldAt(*s, "io.k8s.api.core.v1.ConfigMap", "binaryData");
  EXPECT_EQ(binary->type.kind, ValueKind::kMap);
  EXPECT_EQ(binary->type.element->kind, ValueKind::kBytes);
  const SchemaField* limits = FieldAt(*s, "io.k8s.api.core.v1.ResourceRequirements", "limits");
  ASSERT_EQ(limits->type.kind, ValueKind::kMap);
  EXPECT_EQ(limits->type.element->kind, ValueKind::kQuantity);
  EXPECT_EQ(limits->type.element->named->name, "io.k8s.apimachinery.pkg.api.resource.Quantity");
  EXPECT_EQ(FieldAt(*s, "io.k8s.api.apps.v1.ControllerRevision", "data")->type.kind, ValueKind::kAny);
}

TEST(Schema, StatusTypesAreDescribedToo) {
  auto s = BuiltinSchema();
  EXPECT_NE(FieldAt(*s, "io.k8s.api.core.v1.PodStatus", "containerStatuses"), nullptr);
  EXPECT_NE(FieldAt(*s, "io.k8s.api.core.v1.NodeStatus", "allocatable"), nullptr);
  EXPECT_EQ(FieldAt(*s, "io.k8s.api.apps.v1.DeploymentStatus", "conditions")->patch_merge_key, "type");
}

TEST(Schema, ReachableFollowsArraysAndMaps) {
  auto s = BuiltinSchema();
  auto types = s->Reachable({s->ForKind("apps", "v1", "Deployment")});
  auto has = [&](std::string_view name) {
    return std::any_of(types.begin(), types.end(), [&](const SchemaType* t) { return t->name == name; });
  };
  EXPECT_EQ(types.front()->name, "io.k8s.api.apps.v1.Deployment");
  EXPECT_TRUE(has("io.k8s.api.core.v1.Container"));
  EXPECT_TRUE(has("io.k8s.apimachinery.pkg.api.resource.Quantity"));
  EXPECT_TRUE(has("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"));
  EXPECT_FALSE(has("io.k8s.api.core.v1.NodeStatus"));
}

TEST(Schema, SelfReferencingTypesResolve) {
  auto s = BuiltinSchema();
  const SchemaField* props =
      FieldAt(*s, "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps", "properties");
  ASSERT_NE(props, nullptr);
  EXPECT_EQ(props->type.element->named, s->Type("io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps"));
}

TEST(Schema, ParseAcceptsTheDocumentedSyntax) {
  auto parsed = Schema::Parse(R"(
# a comment
package example.com.v1
type Name = any "free"
kind Widget example.com/v1 "A widget."
  spec WidgetSpec
type WidgetSpec atomic
  parts! []Part key=id strategy=merge list=map(id,kind) "The parts."
  labels {}string
  extra Name
type Part
  id int32
  kind string
)");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  const Schema& s = **parsed;
  const SchemaType* w = s.ForKind("example.com", "v1", "Widget");
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->description, "A widget.");
  const SchemaType* spec = s.Type("example.com.v1.WidgetSpec");
  ASSERT_NE(spec, nullptr);
  EXPECT_TRUE(spec->atomic);
  const SchemaField* parts = spec->Field("parts");
  EXPECT_TRUE(parts->required);
  EXPECT_EQ(parts->description, "The parts.");
  EXPECT_EQ(parts->list_map_keys, (std::vector<std::string>{"id", "kind"}));
  EXPECT_EQ(spec->Field("extra")->type.kind, ValueKind::kAny);
  EXPECT_EQ(spec->Field("extra")->type.named, s.Type("example.com.v1.Name"));
}

TEST(Schema, ParseErrorsNameTheLine) {
  auto unknown = Schema::Parse("package a\ntype T\n  x Missing\n");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().message.find("line 3"), std::string::npos) << unknown.error().message;
  EXPECT_NE(unknown.error().message.find("Missing"), std::string::npos);
  auto option = Schema::Parse("package a\ntype T\n  x string bogus=1\n");
  ASSERT_FALSE(option.ok());
  EXPECT_NE(option.error().message.find("bogus"), std::string::npos);
  EXPECT_FALSE(Schema::Parse("type T\n").ok());
  EXPECT_FALSE(Schema::Parse("package a\n  x string\n").ok());
  EXPECT_FALSE(Schema::Parse("package a\ntype T\ntype T\n").ok());
}

}  // namespace
}  // namespace k1s::api
