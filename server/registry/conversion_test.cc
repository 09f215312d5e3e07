#include "server/registry/conversion.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace k1s::registry {
namespace {

namespace json = boost::json;

json::object Parse(const char* text) { return json::parse(text).as_object(); }

ResourceInfo HpaRow(const std::string& version, const std::string& storage) {
  ResourceInfo r;
  r.group = "autoscaling";
  r.version = version;
  r.kind = "HorizontalPodAutoscaler";
  r.plural = "horizontalpodautoscalers";
  r.storage_version = storage;
  return r;
}

TEST(Conversion, OnlyConvertedRowsHaveAConversion) {
  EXPECT_EQ(FindConversion(HpaRow("v2", "")), nullptr);
  const VersionConversion* c = FindConversion(HpaRow("v1", "v2"));
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->storage_version, "v2");
}

TEST(Conversion, V1TargetCpuBecomesAV2ResourceMetric) {
  auto v2 = HpaV1ToV2(Parse(R"({"apiVersion":"autoscaling/v1","kind":"HorizontalPodAutoscaler",
      "metadata":{"name":"web"},"spec":{"scaleTargetRef":{"kind":"Deployment","name":"web","apiVersion":"apps/v1"},
      "maxReplicas":3,"targetCPUUtilizationPercentage":50}})"));
  ASSERT_TRUE(v2.ok());
  EXPECT_EQ(v2->at("apiVersion"), "autoscaling/v2");
  const auto& spec = v2->at("spec").as_object();
  EXPECT_FALSE(spec.contains("targetCPUUtilizationPercentage"));
  EXPECT_EQ(json::serialize(spec.at("metrics")),
            R"([{"type":"Resource","resource":{"name":"cpu","target":{"type":"Utilization","averageUtilization":50}}}])");
}

TEST(Conversion, V1WithoutTargetGetsTheDefaultEightyPercent) {
  auto v2 = HpaV1ToV2(Parse(R"({"metadata":{"name":"web"},"spec":{"maxReplicas":3,
      "scaleTargetRef":{"kind":"Deployment","name":"web"}}})"));
  ASSERT_TRUE(v2.ok());
  EXPECT_EQ(v2->at("spec").at("metrics").at(0).at("resource").at("target").at("averageUtilization"), 80);
}

TEST(Conversion, V2OnlyFieldsRoundTripThroughV1Annotations) {
  const char* text = R"({"apiVersion":"autoscaling/v2","kind":"HorizontalPodAutoscaler",
      "metadata":{"name":"web","annotations":{"keep":"me"}},
      "spec":{"scaleTargetRef":{"kind":"Deployment","name":"web"},"minReplicas":1,"maxReplicas":5,
        "metrics":[{"type":"Resource","resource":{"name":"memory","target":{"type":"AverageValue","averageValue":"100Mi"}}},
                   {"type":"Resource","resource":{"name":"cpu","target":{"type":"Utilization","averageUtilization":70}}}],
        "behavior":{"scaleDown":{"stabilizationWindowSeconds":60,"policies":[{"type":"Pods","value":1,"periodSeconds":30}]}}},
      "status":{"currentReplicas":2,"desiredReplicas":2,
        "currentMetrics":[{"type":"Resource","resource":{"name":"cpu","current":{"averageUtilization":40,"averageValue":"10m"}}}],
        "conditions":[{"type":"AbleToScale","status":"True","reason":"ReadyForNewScale"}]}})";
  json::object v1 = HpaV2ToV1(Parse(text));
  EXPECT_EQ(v1.at("apiVersion"), "autoscaling/v1");
  EXPECT_EQ(v1.at("spec").at("targetCPUUtilizationPercentage"), 70);
  EXPECT_EQ(v1.at("status").at("currentCPUUtilizationPercentage"), 40);
  const auto& ann = v1.at("metadata").at("annotations").as_object();
  EXPECT_EQ(ann.at("keep"), "me");
  EXPECT_EQ(ann.at("autoscaling.alpha.kubernetes.io/metrics"),
            R"([{"type":"Resource","resource":{"name":"memory","targetAverageValue":"100Mi"}}])");
  EXPECT_EQ(ann.at("autoscaling.alpha.kubernetes.io/behavior"),
            R"({"ScaleUp":null,"ScaleDown":{"StabilizationWindowSeconds":60,"SelectPolicy":null,)"
            R"("Policies":[{"Type":"Pods","Value":1,"PeriodSeconds":30}]}})");
  EXPECT_TRUE(ann.contains("autoscaling.alpha.kubernetes.io/conditions"));
  EXPECT_TRUE(ann.contains("autoscaling.alpha.kubernetes.io/current-metrics"));

  auto back = HpaV1ToV2(v1);
  ASSERT_TRUE(back.ok());
  json::object want = Parse(text);
  EXPECT_EQ(back->at("spec"), want.at("spec")) << json::serialize(back->at("spec"));
  EXPECT_EQ(back->at("status").at("conditions"), want.at("status").at("conditions"));
  EXPECT_EQ(back->at("status").at("currentMetrics"), want.at("status").at("currentMetrics"));
  EXPECT_EQ(back->at("metadata"), want.at("metadata"));
}

TEST(Conversion, V1ViewOfAnObjectWithoutStatusShowsZeroReplicas) {
  json::object v1 = HpaV2ToV1(Parse(R"({"metadata":{"name":"web"},"spec":{"maxReplicas":2,
      "scaleTargetRef":{"kind":"Deployment","name":"web"}}})"));
  EXPECT_EQ(json::serialize(v1.at("status")), R"({"currentReplicas":0,"desiredReplicas":0})");
  EXPECT_FALSE(v1.at("metadata").as_object().contains("annotations"));
}

TEST(Conversion, MalformedRoundTripAnnotationIsABadRequest) {
  auto v2 = HpaV1ToV2(Parse(R"({"metadata":{"name":"web","annotations":{
      "autoscaling.alpha.kubernetes.io/metrics":"{not json"}},"spec":{"maxReplicas":2}})"));
  ASSERT_FALSE(v2.ok());
  EXPECT_EQ(v2.error().code, ErrorCode::kBadRequest);
}

}  // namespace
}  // namespace k1s::registry
