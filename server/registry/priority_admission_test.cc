#include "server/registry/priority_admission.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "lib/api/meta.h"
#include "server/registry/registry.h"
#include "server/registry/testing.h"

namespace k1s::registry {
namespace {

// The message after the kind (how a kind is qualified with its group is the Status helper's business).
::testing::AssertionResult EndsWith(const std::string& message, const std::string& tail) {
  if (message.size() >= tail.size() && message.compare(message.size() - tail.size(), tail.size(), tail) == 0)
    return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "\"" << message << "\" does not end with \"" << tail << "\"";
}

json::object Obj(const std::string& text) { return boost::json::parse(text).as_object(); }

class PriorityAdmissionTest : public RegistryFixture {
 protected:
  const ResourceInfo& Pcs() { return R("scheduling.k8s.io", "priorityclasses"); }
  Result<json::object> CreateClass(const std::string& name, const std::string& rest) {
    return reg_->Create(Pcs(), "", Obj(R"({"metadata":{"name":")" + name + R"("},)" + rest + "}"), {});
  }
  // A pod with the given extra spec fields ("" for none).
  Result<json::object> CreatePod(const std::string& name, const std::string& spec_fields,
                                 const std::string& ns = "default") {
    return reg_->Create(R("", "pods"), ns,
                        Obj(R"({"metadata":{"name":")" + name + R"("},"spec":{)" + spec_fields +
                            (spec_fields.empty() ? "" : ",") + R"("containers":[{"name":"c","image":"nginx"}]}})"),
                        {});
  }
  static std::string Spec(const json::object& pod, const char* field) {
    const json::value* v = pod.at("spec").as_object().if_contains(field);
    return v ? json::serialize(*v) : "<none>";
  }
};

TEST_F(PriorityAdmissionTest, TheBuiltInClassesExistAfterStartUp) {
  auto node = reg_->Get(Pcs(), "", "system-node-critical");
  ASSERT_TRUE(node.ok()) << node.error().message;
  EXPECT_EQ(node->at("value"), 2000001000);
  EXPECT_EQ(node->at("preemptionPolicy"), "PreemptLowerPriority");
  auto cluster = reg_->Get(Pcs(), "", "system-cluster-critical");
  ASSERT_TRUE(cluster.ok()) << cluster.error().message;
  EXPECT_EQ(cluster->at("value"), 2000000000);
  // Running the start-up again changes nothing.
  ASSERT_TRUE(reg_->EnsureSystemObjects().ok());
}

TEST_F(PriorityAdmissionTest, APodTakesItsClassValueAndPreemptionPolicy) {
  ASSERT_TRUE(CreateClass("high", R"("value":1000,"preemptionPolicy":"Never")").ok());
  auto pod = CreatePod("p", R"("priorityClassName":"high")");
  ASSERT_TRUE(pod.ok()) << pod.error().message;
  EXPECT_EQ(Spec(*pod, "priority"), "1000");
  EXPECT_EQ(Spec(*pod, "preemptionPolicy"), "\"Never\"");
}

TEST_F(PriorityAdmissionTest, SystemClassesResolveInAnyNamespace) {
  auto pod = CreatePod("p", R"("priorityClassName":"system-node-critical")");
  ASSERT_TRUE(pod.ok()) << pod.error().message;
  EXPECT_EQ(Spec(*pod, "priority"), "2000001000");
  EXPECT_EQ(Spec(*pod, "preemptionPolicy"), "\"PreemptLowerPriority\"");
}

TEST_F(PriorityAdmissionTest, AnUnknownClassIsForbidden) {
  auto pod = CreatePod("x", R"("priorityClassName":"nope")");
  ASSERT_FALSE(pod.ok());
  EXPECT_EQ(pod.error().code, ErrorCode::kForbidden);
  EXPECT_EQ(pod.error().message, "pods \"x\" is forbidden: no PriorityClass with name nope was found");
}

TEST_F(PriorityAdmissionTest, WithoutAClassAPodGetsZeroOrTheGlobalDefault) {
  auto plain = CreatePod("a", "");
  ASSERT_TRUE(plain.ok()) << plain.error().message;
  EXPECT_EQ(Spec(*plain, "priority"), "0");
  EXPECT_EQ(Spec(*plain, "preemptionPolicy"), "\"PreemptLowerPriority\"");
  EXPECT_EQ(Spec(*plain, "priorityClassName"), "<none>");

  ASSERT_TRUE(CreateClass("dflt", R"("value":7,"globalDefault":true)").ok());
  auto defaulted = CreatePod("b", "");
  ASSERT_TRUE(defaulted.ok()) << defaulted.error().message;
  EXPECT_EQ(Spec(*defaulted, "priority"), "7");
  EXPECT_EQ(Spec(*defaulted, "priorityClassName"), "\"dflt\"");
}

TEST_F(PriorityAdmissionTest, APriorityThatDisagreesWithTheClassIsForbidden) {
  ASSERT_TRUE(CreateClass("high", R"("value":1000)").ok());
  auto pod = CreatePod("x", R"("priorityClassName":"high","priority":5)");
  ASSERT_FALSE(pod.ok());
  EXPECT_EQ(pod.error().code, ErrorCode::kForbidden);
  EXPECT_EQ(pod.error().message,
            "pods \"x\" is forbidden: the integer value of priority (5) must not be provided in pod spec; priority "
            "admission controller computed 1000 from the given PriorityClass name");
  auto policy = CreatePod("y", R"("priorityClassName":"high","preemptionPolicy":"Never")");
  ASSERT_FALSE(policy.ok());
  EXPECT_EQ(policy.error().message,
            "pods \"y\" is forbidden: the string value of PreemptionPolicy (Never) must not be provided in pod spec; "
            "priority admission controller computed PreemptLowerPriority from the given PriorityClass name");
  // The same value is fine.
  EXPECT_TRUE(CreatePod("z", R"("priorityClassName":"high","priority":1000)").ok());
}

TEST_F(PriorityAdmissionTest, AnUpdateWithoutPriorityKeepsTheStoredOne) {
  ASSERT_TRUE(CreateClass("high", R"("value":1000)").ok());
  auto pod = CreatePod("p", R"("priorityClassName":"high")");
  ASSERT_TRUE(pod.ok()) << pod.error().message;
  json::object next = *pod;
  next["spec"].as_object().erase("priority");
  next["spec"].as_object().erase("preemptionPolicy");
  api::Metadata(next)["labels"] = json::object{{"a", "b"}};
  auto updated = reg_->Update(R("", "pods"), "default", "p", next, {});
  ASSERT_TRUE(updated.ok()) << updated.error().message;
  EXPECT_EQ(Spec(*updated, "priority"), "1000");
  EXPECT_EQ(Spec(*updated, "preemptionPolicy"), "\"PreemptLowerPriority\"");
}

TEST_F(PriorityAdmissionTest, ClassesGetDefaultsAndUserValuesAreCapped) {
  auto pc = CreateClass("plain", R"("description":"x")");
  ASSERT_TRUE(pc.ok()) << pc.error().message;
  EXPECT_EQ(pc->at("value"), 0);
  EXPECT_EQ(pc->at("preemptionPolicy"), "PreemptLowerPriority");
  EXPECT_TRUE(CreateClass("max", R"("value":1000000000)").ok());
  auto big = CreateClass("big", R"("value":1000000001)");
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.error().code, ErrorCode::kInvalid);
  EXPECT_TRUE(EndsWith(big.error().message,
                           "\"big\" is invalid: value: Forbidden: maximum allowed value of a user defined priority is "
                           "1000000000"));
  auto bad = CreateClass("bad", R"("value":1,"preemptionPolicy":"Sometimes")");
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(EndsWith(bad.error().message,
                           "\"bad\" is invalid: preemptionPolicy: Unsupported value: \"Sometimes\": supported values: "
                           "\"PreemptLowerPriority\", \"Never\""));
}

TEST_F(PriorityAdmissionTest, SystemPrefixedNamesAreReserved) {
  auto pc = CreateClass("system-mine", R"("value":1000)");
  ASSERT_FALSE(pc.ok());
  EXPECT_EQ(pc.error().code, ErrorCode::kInvalid);
  EXPECT_TRUE(EndsWith(pc.error().message,
                           "\"system-mine\" is invalid: metadata.name: Forbidden: priority class names with 'system-' "
                           "prefix are reserved for system use only. error: system-mine is not a known system priority "
                           "class"));
}

TEST_F(PriorityAdmissionTest, OnlyOneGlobalDefault) {
  ASSERT_TRUE(CreateClass("one", R"("value":1,"globalDefault":true)").ok());
  auto two = CreateClass("two", R"("value":2,"globalDefault":true)");
  ASSERT_FALSE(two.ok());
  EXPECT_EQ(two.error().code, ErrorCode::kForbidden);
  EXPECT_EQ(two.error().message,
            "priorityclasses.scheduling.k8s.io \"two\" is forbidden: PriorityClass one is already marked as default. "
            "Only one default can exist");
  // The default itself may be updated.
  auto one = reg_->Get(Pcs(), "", "one");
  ASSERT_TRUE(one.ok());
  (*one)["description"] = "still the default";
  EXPECT_TRUE(reg_->Update(Pcs(), "", "one", *one, {}).ok());
}

TEST_F(PriorityAdmissionTest, ValueAndPreemptionPolicyAreImmutable) {
  auto pc = CreateClass("high", R"("value":1000)");
  ASSERT_TRUE(pc.ok()) << pc.error().message;
  json::object next = *pc;
  next["value"] = 2000;
  next["preemptionPolicy"] = "Never";
  auto updated = reg_->Update(Pcs(), "", "high", next, {});
  ASSERT_FALSE(updated.ok());
  EXPECT_EQ(updated.error().code, ErrorCode::kInvalid);
  EXPECT_TRUE(EndsWith(updated.error().message,
                           "\"high\" is invalid: [value: Forbidden: may not be changed in an update., preemptionPolicy: "
                           "Invalid value: \"Never\": field is immutable]"));
}

TEST_F(PriorityAdmissionTest, TheBuiltInClassesCannotBeDeleted) {
  auto gone = reg_->Delete(Pcs(), "", "system-cluster-critical", {});
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.error().code, ErrorCode::kForbidden);
  EXPECT_EQ(gone.error().message,
            "priorityclasses.scheduling.k8s.io \"system-cluster-critical\" is forbidden: this is a system priority "
            "class and cannot be deleted");
  ASSERT_TRUE(CreateClass("mine", R"("value":1)").ok());
  EXPECT_TRUE(reg_->Delete(Pcs(), "", "mine", {}).ok());
}

}  // namespace
}  // namespace k1s::registry
