#include "lib/api/protobuf.h"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

namespace k1s::api {
namespace {

std::string Hex(const char* hex) {
  std::string out;
  for (size_t i = 0; hex[i] && hex[i + 1]; i += 2) out += static_cast<char>(std::stoi(std::string(hex + i, 2), nullptr, 16));
  return out;
}

// Bodies captured from `kubectl create configmap|secret|namespace|deployment` (kubectl 1.32).
TEST(ProtobufTest, DecodesConfigMapFromKubectl) {
  auto obj = DecodeProtobufObject(Hex(
      "6b3873000a0f0a0276311209436f6e6669674d6170122c0a1a0a0370636d12001a0764656661756c7422002a0032003800420012060a01"
      "6112016212060a01631201641a002200"));
  ASSERT_TRUE(obj.ok()) << obj.error().ToString();
  EXPECT_EQ(boost::json::serialize(*obj),
            R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"pcm","namespace":"default"},"data":{"a":"b","c":"d"}})");
}

TEST(ProtobufTest, DecodesSecretDataAsBase64) {
  auto obj = DecodeProtobufObject(Hex(
      "6b3873000a0c0a027631120653656372657412360a140a047073656312001a0022002a0032003800420012060a016b1201761a166b756265"
      "726e657465732e696f2f6f70617175652d781a002200"));
  ASSERT_TRUE(obj.ok()) << obj.error().ToString();
  EXPECT_EQ(boost::json::serialize(*obj),
            R"({"apiVersion":"v1","kind":"Secret","metadata":{"name":"psec"},"data":{"k":"dg=="},"type":"kubernetes.io/opaque-x"})");
}

TEST(ProtobufTest, DecodesNamespace) {
  auto obj = DecodeProtobufObject(
      Hex("6b3873000a0f0a02763112094e616d657370616365121b0a130a03706e7312001a0022002a0032003800420012001a020a001a002200"));
  ASSERT_TRUE(obj.ok()) << obj.error().ToString();
  EXPECT_EQ(boost::json::serialize(*obj), R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":"pns"}})");
}

TEST(ProtobufTest, RejectsGarbageAndUnknownKinds) {
  EXPECT_EQ(DecodeProtobufObject("not protobuf").error().code, ErrorCode::kBadRequest);
  EXPECT_EQ(DecodeProtobufObject(std::string("k8s\0\x0a\x05", 6)).error().code, ErrorCode::kBadRequest);
  // An envelope for batch/v1 Job (not described yet).
  auto r = DecodeProtobufObject(std::string("k8s\0", 4) + std::string("\x0a\x0f\x0a\x08", 4) + "batch/v1" +
                                std::string("\x12\x03", 2) + "Job" + std::string("\x12\x00", 2));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUnsupportedMediaType);
  EXPECT_NE(r.error().message.find("batch/v1 Job"), std::string::npos) << r.error().message;
}

}  // namespace
}  // namespace k1s::api
