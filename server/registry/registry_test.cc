#include "server/registry/registry.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "lib/api/meta.h"
#include "server/registry/testing.h"

namespace k1s::registry {
namespace {

using namespace std::chrono_literals;

json::object Obj(const char* text) { return boost::json::parse(text).as_object(); }

class RegistryTest : public RegistryFixture {};

TEST_F(RegistryTest, CreateSetsMetadataAndGetReturnsIt) {
  auto cm = reg_->Create(R("", "configmaps"), "default", Obj(R"({"metadata":{"name":"a"},"data":{"k":"v"}})"), {});
  ASSERT_TRUE(cm.ok()) << cm.error().message;
  EXPECT_EQ(api::MetaString(*cm, "namespace"), "default");
  EXPECT_FALSE(api::MetaString(*cm, "uid").empty());
  auto got = reg_->Get(R("", "configmaps"), "default", "a");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(api::MetaString(*got, "resourceVersion"), api::MetaString(*cm, "resourceVersion"));
  auto missing = reg_->Get(R("", "configmaps"), "default", "b");
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(missing.error().message, "configmaps \"b\" not found");
}

TEST_F(RegistryTest, CreateIntoAMissingNamespaceIsNotFound) {
  auto cm = reg_->Create(R("", "configmaps"), "nope", Obj(R"({"metadata":{"name":"a"}})"), {});
  ASSERT_FALSE(cm.ok());
  EXPECT_EQ(cm.error().message, "namespaces \"nope\" not found");
}

TEST_F(RegistryTest, MainResourceUpdatesKeepStatusAndStatusUpdatesKeepSpec) {
  const auto& deps = R("apps", "deployments");
  auto d = reg_->Create(deps, "default",
                        Obj(R"({"metadata":{"name":"d"},"spec":{"replicas":1,"selector":{"matchLabels":{"a":"b"}},"template":{"metadata":{"labels":{"a":"b"}},"spec":{"containers":[{"name":"c","image":"i"}]}}}})"), {});
  ASSERT_TRUE(d.ok()) << d.error().message;
  auto st = reg_->Patch(deps, "default", "d", PatchType::kMerge, Obj(R"({"status":{"replicas":1},"spec":{"replicas":5}})"),
                        {}, "status");
  ASSERT_TRUE(st.ok()) << st.error().message;
  EXPECT_EQ(st->at("status").at("replicas").as_int64(), 1);
  EXPECT_EQ(st->at("spec").at("replicas").as_int64(), 1);
  auto spec = reg_->Patch(deps, "default", "d", PatchType::kMerge, Obj(R"({"status":{"replicas":7},"spec":{"replicas":3}})"), {});
  ASSERT_TRUE(spec.ok());
  EXPECT_EQ(spec->at("status").at("replicas").as_int64(), 1);
  EXPECT_EQ(spec->at("spec").at("replicas").as_int64(), 3);
  EXPECT_EQ(spec->at("metadata").at("generation").as_int64(), 2);
}

TEST_F(RegistryTest, ScaleReadsAndWritesReplicas) {
  const auto& rs = R("apps", "replicasets");
  ASSERT_TRUE(reg_->Create(rs, "default",
                           Obj(R"({"metadata":{"name":"r"},"spec":{"replicas":2,"selector":{"matchLabels":{"app":"x"}},"template":{"metadata":{"labels":{"app":"x"}},"spec":{"containers":[{"name":"c","image":"i"}]}}}})"),
                           {}).ok());
  auto scale = reg_->GetScale(rs, "default", "r");
  ASSERT_TRUE(scale.ok());
  EXPECT_EQ(scale->at("spec").at("replicas").as_int64(), 2);
  EXPECT_EQ(scale->at("status").at("selector").as_string(), "app=x");
  auto updated = reg_->UpdateScale(rs, "default", "r", Obj(R"({"spec":{"replicas":4}})"), {});
  ASSERT_TRUE(updated.ok()) << updated.error().message;
  EXPECT_EQ(updated->at("spec").at("replicas").as_int64(), 4);
  auto negative = reg_->UpdateScale(rs, "default", "r", Obj(R"({"spec":{"replicas":-1}})"), {});
  EXPECT_EQ(negative.error().code, ErrorCode::kInvalid);
}

TEST_F(RegistryTest, BindingAssignsANodeOnce) {
  const auto& pods = R("", "pods");
  ASSERT_TRUE(reg_->Create(pods, "default", Obj(R"({"metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"i"}]}})"), {}).ok());
  ASSERT_TRUE(reg_->Bind("default", "p", Obj(R"({"target":{"kind":"Node","name":"n1"}})"), {}).ok());
  auto pod = reg_->Get(pods, "default", "p");
  ASSERT_TRUE(pod.ok());
  EXPECT_EQ(pod->at("spec").at("nodeName").as_string(), "n1");
  EXPECT_EQ(pod->at("status").at("conditions").as_array()[0].at("type").as_string(), "PodScheduled");
  auto again = reg_->Bind("default", "p", Obj(R"({"target":{"kind":"Node","name":"n2"}})"), {});
  EXPECT_EQ(again.error().code, ErrorCode::kConflict);
}

TEST_F(RegistryTest, BoundPodsTerminateGracefully) {
  const auto& pods = R("", "pods");
  ASSERT_TRUE(reg_->Create(pods, "default", Obj(R"({"metadata":{"name":"p"},"spec":{"nodeName":"n1","containers":[{"name":"c","image":"i"}]}})"), {}).ok());
  bool gone = true;
  auto marked = reg_->Delete(pods, "default", "p", {}, &gone);
  ASSERT_TRUE(marked.ok());
  EXPECT_FALSE(gone);
  EXPECT_FALSE(api::MetaString(*marked, "deletionTimestamp").empty());
  EXPECT_EQ(marked->at("metadata").at("deletionGracePeriodSeconds").as_int64(), 30);
  DeleteOptions now;
  now.grace_period_seconds = 0;
  ASSERT_TRUE(reg_->Delete(pods, "default", "p", now, &gone).ok());
  EXPECT_TRUE(gone);
  EXPECT_EQ(reg_->Get(pods, "default", "p").error().code, ErrorCode::kNotFound);
}

TEST_F(RegistryTest, EvictionRespectsDisruptionBudgets) {
  const auto& pods = R("", "pods");
  ASSERT_TRUE(reg_->Create(pods, "default", Obj(R"({"metadata":{"name":"p","labels":{"app":"x"}},"spec":{"containers":[{"name":"c","image":"i"}]}})"), {}).ok());
  ASSERT_TRUE(reg_->Create(R("policy", "poddisruptionbudgets"), "default",
                           Obj(R"({"metadata":{"name":"b"},"spec":{"minAvailable":1,"selector":{"matchLabels":{"app":"x"}}}})"), {}).ok());
  auto refused = reg_->Evict("default", "p", Obj("{}"));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kTooManyRequests);
  ASSERT_TRUE(reg_->Patch(R("policy", "poddisruptionbudgets"), "default", "b", PatchType::kMerge,
                          Obj(R"({"status":{"disruptionsAllowed":1}})"), {}, "status").ok());
  ASSERT_TRUE(reg_->Evict("default", "p", Obj("{}")).ok());
  EXPECT_EQ(reg_->Get(pods, "default", "p").error().code, ErrorCode::kNotFound);
}

TEST_F(RegistryTest, ListPagesStayConsistentAcrossWrites) {
  const auto& cms = R("", "configmaps");
  for (int i = 0; i < 25; ++i) {
    ASSERT_TRUE(reg_->Create(cms, "default", Obj(("{\"metadata\":{\"name\":\"c" + std::to_string(100 + i) + "\"}}").c_str()), {}).ok());
  }
  ListOptions o;
  o.limit = 10;
  auto first = reg_->List(cms, "default", o);
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->items.size(), 10u);
  ASSERT_FALSE(first->continue_token.empty());
  ASSERT_TRUE(reg_->Create(cms, "default", Obj(R"({"metadata":{"name":"c999"}})"), {}).ok());
  size_t total = first->items.size();
  std::string token = first->continue_token;
  while (!token.empty()) {
    o.continue_token = token;
    auto page = reg_->List(cms, "default", o);
    ASSERT_TRUE(page.ok()) << page.error().message;
    EXPECT_EQ(page->resource_version, first->resource_version);
    total += page->items.size();
    token = page->continue_token;
  }
  EXPECT_EQ(total, 25u);
  o.continue_token = "garbage";
  EXPECT_EQ(reg_->List(cms, "default", o).error().code, ErrorCode::kBadRequest);
}

TEST_F(RegistryTest, FieldSelectorsFilterAndUnsupportedFieldsAreRejected) {
  const auto& pods = R("", "pods");
  ASSERT_TRUE(reg_->Create(pods, "default", Obj(R"({"metadata":{"name":"a"},"spec":{"nodeName":"n1","containers":[{"name":"c","image":"i"}]}})"), {}).ok());
  ASSERT_TRUE(reg_->Create(pods, "default", Obj(R"({"metadata":{"name":"b"},"spec":{"containers":[{"name":"c","image":"i"}]}})"), {}).ok());
  ListOptions o;
  o.field_selector = "spec.nodeName=n1";
  auto list = reg_->List(pods, "", o);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->items.size(), 1u);
  o.field_selector = "spec.nodeName!=n1";
  EXPECT_EQ(reg_->List(pods, "", o)->items.size(), 1u);
  o.field_selector = "spec.bogus=x";
  auto bad = reg_->List(pods, "", o);
  EXPECT_EQ(bad.error().message, "field label not supported: spec.bogus");
}

TEST_F(RegistryTest, WatchWithASelectorSeesObjectsEnterAndLeave) {
  const auto& cms = R("", "configmaps");
  auto created = reg_->Create(cms, "default", Obj(R"({"metadata":{"name":"w","labels":{"k":"no"}}})"), {});
  ASSERT_TRUE(created.ok());
  ListOptions o;
  o.label_selector = "k=yes";
  o.resource_version = api::MetaString(*created, "resourceVersion");
  auto watch = reg_->WatchObjects(cms, "default", o);
  ASSERT_TRUE(watch.ok());
  ASSERT_TRUE(reg_->Patch(cms, "default", "w", PatchType::kMerge, Obj(R"({"metadata":{"labels":{"k":"yes"}}})"), {}).ok());
  ASSERT_TRUE(reg_->Patch(cms, "default", "w", PatchType::kMerge, Obj(R"({"data":{"a":"b"}})"), {}).ok());
  ASSERT_TRUE(reg_->Patch(cms, "default", "w", PatchType::kMerge, Obj(R"({"metadata":{"labels":{"k":"no"}}})"), {}).ok());
  std::vector<std::string> types;
  while (types.size() < 3) {
    auto events = (*watch)->Next(2s);
    ASSERT_TRUE(events.ok());
    ASSERT_FALSE(events->empty());
    for (const auto& e : *events) types.push_back(e.type);
  }
  EXPECT_EQ(types, (std::vector<std::string>{"ADDED", "MODIFIED", "DELETED"}));
}

TEST_F(RegistryTest, WatchFromZeroStartsWithTheCurrentObjects) {
  const auto& cms = R("", "configmaps");
  ASSERT_TRUE(reg_->Create(cms, "default", Obj(R"({"metadata":{"name":"x"}})"), {}).ok());
  ListOptions o;
  o.resource_version = "0";
  o.name = "x";
  auto watch = reg_->WatchObjects(cms, "default", o);
  ASSERT_TRUE(watch.ok());
  auto events = (*watch)->Next(1s);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ((*events)[0].type, "ADDED");
}

TEST_F(RegistryTest, FinalizersHoldDeletionUntilRemoved) {
  const auto& cms = R("", "configmaps");
  ASSERT_TRUE(reg_->Create(cms, "default", Obj(R"({"metadata":{"name":"f","finalizers":["x/y"]}})"), {}).ok());
  bool gone = true;
  ASSERT_TRUE(reg_->Delete(cms, "default", "f", {}, &gone).ok());
  EXPECT_FALSE(gone);
  ASSERT_TRUE(reg_->Get(cms, "default", "f").ok());
  ASSERT_TRUE(reg_->Patch(cms, "default", "f", PatchType::kMerge, Obj(R"({"metadata":{"finalizers":null}})"), {}).ok());
  EXPECT_EQ(reg_->Get(cms, "default", "f").error().code, ErrorCode::kNotFound);
}

TEST_F(RegistryTest, ServiceNamesMustBeDns1035LabelsButOtherKindsKeepTheirRules) {
  auto svc = reg_->Create(R("", "services"), "default",
                          Obj(R"({"metadata":{"name":"9svc"},"spec":{"ports":[{"port":80}]}})"), {});
  ASSERT_FALSE(svc.ok());
  EXPECT_EQ(svc.error().code, ErrorCode::kInvalid);
  EXPECT_NE(svc.error().message.find("metadata.name: Invalid value: \"9svc\": a DNS-1035 label must consist of lower "
                                     "case alphanumeric characters or '-', start with an alphabetic character"),
            std::string::npos)
      << svc.error().message;
  EXPECT_TRUE(reg_->Create(R("", "services"), "default",
                           Obj(R"({"metadata":{"name":"svc9"},"spec":{"ports":[{"port":80}]}})"), {}).ok());
  EXPECT_TRUE(reg_->Create(R("", "configmaps"), "default", Obj(R"({"metadata":{"name":"9cm"}})"), {}).ok());
  EXPECT_TRUE(reg_->Create(R("", "namespaces"), "", Obj(R"({"metadata":{"name":"9ns"}})"), {}).ok());
}

TEST_F(RegistryTest, AServiceWithAHugeNumericTargetPortIsInvalid) {
  auto svc = reg_->Create(R("", "services"), "default",
                          Obj(R"({"metadata":{"name":"s"},"spec":{"ports":[{"port":80,"targetPort":"99999999999999999999"}]}})"), {});
  ASSERT_FALSE(svc.ok());
  EXPECT_EQ(svc.error().code, ErrorCode::kInvalid);
  EXPECT_NE(svc.error().message.find("spec.ports[0].targetPort: Invalid value: \"99999999999999999999\": must be no more "
                                     "than 15 characters"),
            std::string::npos)
      << svc.error().message;
}

TEST_F(RegistryTest, PodsWithTheLargestGracePeriodsDeleteWithoutOverflow) {
  const auto& pods = R("", "pods");
  ASSERT_TRUE(reg_->Create(pods, "default", Obj(R"({"metadata":{"name":"p"},"spec":{"nodeName":"n1",
      "terminationGracePeriodSeconds":9223372036854775807,"containers":[{"name":"c","image":"i"}]}})"), {}).ok());
  bool gone = true;
  auto marked = reg_->Delete(pods, "default", "p", {}, &gone);
  ASSERT_TRUE(marked.ok()) << marked.error().message;
  EXPECT_FALSE(gone);
  EXPECT_EQ(marked->at("metadata").at("deletionGracePeriodSeconds").as_int64(), INT64_MAX);
  DeleteOptions negative;
  negative.grace_period_seconds = -5;  // as upstream: treated as 1 s
  auto shortened = reg_->Delete(pods, "default", "p", negative, &gone);
  ASSERT_TRUE(shortened.ok());
  EXPECT_EQ(shortened->at("metadata").at("deletionGracePeriodSeconds").as_int64(), 1);
}

TEST(DeleteOptionsTest, UnsupportedDryRunAndPropagationValuesAreInvalidAsUpstreamWordsThem) {
  EXPECT_TRUE(ValidateDeleteOptions({}, std::nullopt).ok());
  EXPECT_TRUE(ValidateDeleteOptions({"All"}, std::string("Foreground")).ok());
  EXPECT_TRUE(ValidateDeleteOptions({}, std::string("Orphan")).ok());
  auto dry = ValidateDeleteOptions({"Bogus"}, std::nullopt);
  ASSERT_FALSE(dry.ok());
  EXPECT_EQ(dry.error().code, ErrorCode::kInvalid);
  EXPECT_EQ(dry.error().message,
            "DeleteOptions.meta.k8s.io \"\" is invalid: dryRun: Unsupported value: []string{\"Bogus\"}: supported values: "
            "\"All\"");
  auto policy = ValidateDeleteOptions({}, std::string("Sideways"));
  ASSERT_FALSE(policy.ok());
  EXPECT_EQ(policy.error().message,
            "DeleteOptions.meta.k8s.io \"\" is invalid: propagationPolicy: Unsupported value: \"Sideways\": supported "
            "values: \"Foreground\", \"Background\", \"Orphan\", \"nil\"");
  auto both = ValidateDeleteOptions({"All", "x"}, std::string(""));
  ASSERT_FALSE(both.ok());
  EXPECT_NE(both.error().message.find("is invalid: [propagationPolicy: "), std::string::npos) << both.error().message;
  EXPECT_NE(both.error().message.find("[]string{\"All\", \"x\"}"), std::string::npos) << both.error().message;
  EXPECT_NE(both.error().details.find("\"kind\":\"DeleteOptions\""), std::string::npos) << both.error().details;
}

}  // namespace
}  // namespace k1s::registry
