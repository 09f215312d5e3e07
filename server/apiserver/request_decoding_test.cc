#include "server/apiserver/request_decoding.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "lib/api/status.h"

namespace k1s::apiserver {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

net::HttpRequest Request(std::string method, std::vector<std::pair<std::string, std::string>> query) {
  net::HttpRequest req;
  req.method = std::move(method);
  req.query = std::move(query);
  return req;
}

registry::ResourceInfo Resource(std::string group, std::string version, std::string kind) {
  registry::ResourceInfo r;
  r.group = std::move(group);
  r.version = std::move(version);
  r.kind = std::move(kind);
  return r;
}

std::vector<registry::ResourceInfo> Table() {
  return {Resource("", "v1", "ConfigMap"), Resource("", "v1", "Secret"), Resource("apps", "v1", "Deployment"),
          Resource("autoscaling", "v1", "HorizontalPodAutoscaler"),
          Resource("autoscaling", "v2", "HorizontalPodAutoscaler")};
}

std::string CheckKind(const std::string& body, const registry::ResourceInfo& r) {
  auto s = CheckBodyKind(json::parse(body).as_object(), r, Table());
  return s.ok() ? "ok" : s.error().message;
}

TEST(RequestDecodingTest, BodyFormatFollowsTheMediaTypeAndDefaultsToJson) {
  EXPECT_EQ(*NegotiateBodyFormat("", false), BodyFormat::kJson);
  EXPECT_EQ(*NegotiateBodyFormat("application/json; charset=utf-8", false), BodyFormat::kJson);
  EXPECT_EQ(*NegotiateBodyFormat("Application/YAML", false), BodyFormat::kYaml);
  EXPECT_EQ(*NegotiateBodyFormat("application/vnd.kubernetes.protobuf", false), BodyFormat::kProtobuf);
}

TEST(RequestDecodingTest, UnknownBodyMediaTypeIsUnsupported) {
  auto f = NegotiateBodyFormat("text/plain", false);
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.error().code, ErrorCode::kUnsupportedMediaType);
  EXPECT_EQ(f.error().message,
            "the body of the request was in an unknown format - accepted media types include: application/json, "
            "application/yaml, application/vnd.kubernetes.protobuf");
  auto custom = NegotiateBodyFormat("application/vnd.kubernetes.protobuf", true);
  ASSERT_FALSE(custom.ok());
  EXPECT_EQ(custom.error().message,
            "the body of the request was in an unknown format - accepted media types include: application/json, "
            "application/yaml");
}

TEST(RequestDecodingTest, YamlBodyBecomesJson) {
  auto obj = DecodeTextBody(BodyFormat::kYaml, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  num: '1'\n",
                            "ConfigMap");
  ASSERT_TRUE(obj.ok()) << obj.error().message;
  EXPECT_EQ(json::serialize(*obj), R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"},"data":{"num":"1"}})");
}

TEST(RequestDecodingTest, MalformedYamlIsUnrecognizedWithTheBodyInHex) {
  auto obj = DecodeTextBody(BodyFormat::kYaml, "a: [1\n", "ConfigMap");
  ASSERT_FALSE(obj.ok());
  EXPECT_EQ(obj.error().code, ErrorCode::kBadRequest);
  EXPECT_EQ(obj.error().message.rfind("the object provided is unrecognized (must be of type ConfigMap): error "
                                      "converting YAML to JSON: yaml: line ", 0),
            0u)
      << obj.error().message;
  EXPECT_NE(obj.error().message.find("(613a205b310a)"), std::string::npos) << obj.error().message;
}

TEST(RequestDecodingTest, SameKindAndVersionOrEmptyIsAccepted) {
  auto cm = Resource("", "v1", "ConfigMap");
  EXPECT_EQ(CheckKind(R"({"metadata":{}})", cm), "ok");
  EXPECT_EQ(CheckKind(R"({"apiVersion":"v1","kind":"ConfigMap"})", cm), "ok");
  EXPECT_EQ(CheckKind(R"({"kind":"ConfigMap"})", cm), "ok");
  EXPECT_EQ(CheckKind(R"({"apiVersion":"v1"})", cm), "ok");
}

TEST(RequestDecodingTest, OtherVersionOfTheKindDoesNotMatchTheExpectedVersion) {
  EXPECT_EQ(CheckKind(R"({"apiVersion":"autoscaling/v2","kind":"HorizontalPodAutoscaler"})",
                      Resource("autoscaling", "v1", "HorizontalPodAutoscaler")),
            "the API version in the data (autoscaling/v2) does not match the expected API version (autoscaling/v1)");
}

TEST(RequestDecodingTest, KindTheDataVersionDoesNotServeIsNotRegistered) {
  EXPECT_EQ(CheckKind(R"({"apiVersion":"apps/v1","kind":"ConfigMap"})", Resource("", "v1", "ConfigMap")),
            "ConfigMap in version \"v1\" cannot be handled as a ConfigMap: no kind \"ConfigMap\" is registered for "
            "version \"apps/v1\" in scheme \"pkg/api/legacyscheme/scheme.go:30\"");
}

TEST(RequestDecodingTest, AnotherKindCannotBeConverted) {
  EXPECT_EQ(CheckKind(R"({"apiVersion":"v1","kind":"Secret"})", Resource("", "v1", "ConfigMap")),
            "Secret in version \"v1\" cannot be handled as a ConfigMap: converting (v1.Secret) to (core.ConfigMap): "
            "unknown conversion");
  EXPECT_EQ(CheckKind(R"({"apiVersion":"apps/v1","kind":"Deployment"})", Resource("", "v1", "ConfigMap")),
            "Deployment in version \"v1\" cannot be handled as a ConfigMap: converting (v1.Deployment) to "
            "(core.ConfigMap): unknown conversion");
}

TEST(RequestDecodingTest, CustomResourceComparesOnlyTheVersion) {
  auto r = Resource("example.com", "v1", "Widget");
  r.custom = true;
  EXPECT_EQ(CheckKind(R"({"apiVersion":"example.com/v1","kind":"Widget"})", r), "ok");
  EXPECT_EQ(CheckKind(R"({"apiVersion":"v1","kind":"Widget"})", r),
            "the API version in the data (v1) does not match the expected API version (example.com/v1)");
}

TEST(RequestDecodingTest, PatchTypesMatchExactly) {
  EXPECT_EQ(*NegotiatePatchType("application/merge-patch+json; charset=utf-8", false), registry::PatchType::kMerge);
  EXPECT_EQ(*NegotiatePatchType("application/apply-patch+yaml", true), registry::PatchType::kApply);
  auto p = NegotiatePatchType("application/json", false);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().code, ErrorCode::kUnsupportedMediaType);
  EXPECT_EQ(p.error().message,
            "the body of the request was in an unknown format - accepted media types include: "
            "application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json, "
            "application/apply-patch+yaml");
  EXPECT_FALSE(NegotiatePatchType("application/strategic-merge-patch+json", true).ok());
}

TEST(RequestDecodingTest, GoDurations) {
  EXPECT_EQ(*ParseGoDuration("32s"), 32s);
  EXPECT_EQ(*ParseGoDuration("1h30m"), 90min);
  EXPECT_EQ(*ParseGoDuration("1.5s"), 1500ms);
  EXPECT_EQ(*ParseGoDuration("0"), 0s);
  EXPECT_EQ(*ParseGoDuration("-2ms"), -2ms);
  EXPECT_EQ(ParseGoDuration("abc").error().message, "time: invalid duration \"abc\"");
  EXPECT_EQ(ParseGoDuration("5").error().message, "time: missing unit in duration \"5\"");
  EXPECT_EQ(ParseGoDuration("5x").error().message, "time: unknown unit \"x\" in duration \"5x\"");
  EXPECT_EQ(ParseGoDuration("").error().message, "time: invalid duration \"\"");
  EXPECT_EQ(ParseGoDuration("99999999999h").error().message, "time: invalid duration \"99999999999h\"");
}

TEST(RequestDecodingTest, RequestTimeoutIsCappedAndBadOnesAreRejected) {
  EXPECT_EQ(*RequestTimeout(Request("GET", {}), 60s), 60s);
  EXPECT_EQ(*RequestTimeout(Request("GET", {{"timeout", "5s"}}), 60s), 5s);
  EXPECT_EQ(*RequestTimeout(Request("GET", {{"timeout", "10m"}}), 60s), 60s);
  EXPECT_EQ(*RequestTimeout(Request("GET", {{"timeout", "0s"}}), 60s), 60s);
  auto bad = RequestTimeout(Request("GET", {{"timeout", "soon"}}), 60s);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kBadRequest);
  EXPECT_EQ(bad.error().message, "invalid timeout specified in the request URL - time: invalid duration \"soon\"");
}

TEST(RequestDecodingTest, QueryBoolsReadAsTheParameterCodecReadsThem) {
  EXPECT_EQ(QueryBool(Request("GET", {}), "watch"), std::nullopt);
  EXPECT_EQ(QueryBool(Request("GET", {{"watch", "true"}}), "watch"), true);
  EXPECT_EQ(QueryBool(Request("GET", {{"watch", "1"}}), "watch"), true);
  EXPECT_EQ(QueryBool(Request("GET", {{"watch", "abc"}}), "watch"), true);
  EXPECT_EQ(QueryBool(Request("GET", {{"watch", "False"}}), "watch"), false);
  EXPECT_EQ(QueryBool(Request("GET", {{"watch", "0"}}), "watch"), false);
  EXPECT_EQ(QueryBool(Request("GET", {{"watch", "F"}}), "watch"), false);
}

TEST(RequestDecodingTest, QueryIntegersReportStrconvErrors) {
  EXPECT_EQ(**QueryInt64(Request("GET", {{"limit", " 5 "}}), "limit"), 5);
  EXPECT_FALSE(QueryInt64(Request("GET", {{"limit", ""}}), "limit")->has_value());
  EXPECT_EQ(QueryInt64(Request("GET", {{"limit", "abc"}}), "limit").error().message,
            "strconv.ParseInt: parsing \"abc\": invalid syntax");
  EXPECT_EQ(QueryInt64(Request("GET", {{"limit", "99999999999999999999"}}), "limit").error().message,
            "strconv.ParseInt: parsing \"99999999999999999999\": value out of range");
  EXPECT_EQ(**QueryInt64(Request("GET", {{"limit", "-9223372036854775808"}}), "limit"), INT64_MIN);
}

TEST(RequestDecodingTest, ListQueryIsCheckedInFieldOrder) {
  EXPECT_TRUE(CheckListQuery(Request("GET", {{"limit", "500"}, {"timeoutSeconds", "30"}})).ok());
  auto s = CheckListQuery(Request("GET", {{"limit", "x"}, {"timeoutSeconds", "y"}}));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kBadRequest);
  EXPECT_EQ(s.error().message, "strconv.ParseInt: parsing \"y\": invalid syntax");
}

TEST(RequestDecodingTest, FieldManagerIsLimitedTo128PrintableBytes) {
  EXPECT_TRUE(CheckFieldManager(Request("POST", {{"fieldManager", std::string(128, 'm')}}), false).ok());
  auto s = CheckFieldManager(Request("POST", {{"fieldManager", std::string(129, 'm')}}), false);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kInvalid);
  EXPECT_EQ(s.error().message,
            "CreateOptions.meta.k8s.io \"\" is invalid: fieldManager: Too long: may not be more than 128 bytes");
  auto ctl = CheckFieldManager(Request("PUT", {{"fieldManager", "a\tb"}}), false);
  ASSERT_FALSE(ctl.ok());
  EXPECT_EQ(ctl.error().message,
            "UpdateOptions.meta.k8s.io \"\" is invalid: fieldManager: Invalid value: \"a\\tb\": invalid character "
            "U+0009 (at position 1)");
}

TEST(RequestDecodingTest, ApplyNeedsAFieldManagerAndOnlyApplyTakesForce) {
  auto apply = CheckFieldManager(Request("PATCH", {}), true);
  ASSERT_FALSE(apply.ok());
  EXPECT_EQ(apply.error().message,
            "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch");
  auto force = CheckFieldManager(Request("PATCH", {{"force", "true"}}), false);
  ASSERT_FALSE(force.ok());
  EXPECT_EQ(force.error().message,
            "PatchOptions.meta.k8s.io \"\" is invalid: force: Forbidden: may not be specified for non-apply patch");
  EXPECT_TRUE(CheckFieldManager(Request("PATCH", {{"fieldManager", "kubectl"}, {"force", "true"}}), true).ok());
}

TEST(RequestDecodingTest, TooManyRequestsSaysWhenToRetry) {
  auto status = api::StatusObject(TooManyRequests(1));
  EXPECT_EQ(json::serialize(status),
            R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",)"
            R"("message":"Too many requests, please try again later.","reason":"TooManyRequests","code":429,)"
            R"("details":{"retryAfterSeconds":1}})");
}

TEST(RequestDecodingTest, TimedOutRequestIsA504Timeout) {
  auto e = RequestTimedOut();
  EXPECT_EQ(e.code, ErrorCode::kTimeout);
  EXPECT_EQ(e.message, "Timeout: request did not complete within requested timeout - context deadline exceeded");
}

}  // namespace
}  // namespace k1s::apiserver
