#include "server/registry/services.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "datastore/sqlite/sqlite_store.h"
#include "tests/testutil/temp_dir.h"

namespace k1s::registry {
namespace {

namespace json = boost::json;

// An update without a spec, of a headless Service, when inserting "spec" fills the object: PrepareUpdate
// held a reference to the spec across DefaultAndValidate, whose svc["spec"] (Boost.JSON 1.81 reserves
// room even for an existing key) moved svc's storage. Caught by AddressSanitizer before the fix.
TEST(ServiceAllocatorTest, UpdateWithoutSpecWhenTheSpecFillsTheObject) {
  testutil::TempDir dir;
  datastore::SqliteOptions o;
  o.path = dir.File("state.db");
  o.synchronous_full = false;
  auto store = datastore::SqliteStore::Open(o);
  ASSERT_TRUE(store.ok()) << store.error().message;
  auto alloc = ServiceAllocator::Make(**store, "10.96.0.0/12", "30000-32767");
  ASSERT_TRUE(alloc.ok()) << alloc.error().message;

  json::object current = json::parse(R"({"kind":"Service","metadata":{"name":"h","namespace":"default"},
      "spec":{"type":"ClusterIP","clusterIP":"None","sessionAffinity":"None"}})").as_object();
  json::object svc{{"kind", "Service"}, {"metadata", json::object{{"name", "h"}, {"namespace", "default"}}}};
  int n = 0;
  do {
    svc["x-filler-" + std::to_string(n++)] = 0;
  } while (svc.size() < svc.capacity());
  svc.erase("x-filler-" + std::to_string(n - 1));
  ASSERT_EQ(svc.size() + 1, svc.capacity());  // room for "spec" only

  auto errs = alloc->PrepareUpdate(svc, current, "default/h");
  ASSERT_TRUE(errs.ok()) << errs.error().message;
  EXPECT_TRUE(errs->empty());
  ASSERT_TRUE(svc.contains("spec"));
  EXPECT_EQ(svc.at("spec").at("clusterIP"), "None");
  EXPECT_EQ(svc.at("spec").at("type"), "ClusterIP");
  (*store)->Close();
}

TEST(ServiceAllocatorTest, TargetPortsAndPortNamesAreValidatedLikeUpstream) {
  testutil::TempDir dir;
  datastore::SqliteOptions o;
  o.path = dir.File("state.db");
  o.synchronous_full = false;
  auto store = datastore::SqliteStore::Open(o);
  ASSERT_TRUE(store.ok()) << store.error().message;
  auto alloc = ServiceAllocator::Make(**store, "10.96.0.0/12", "30000-32767");
  ASSERT_TRUE(alloc.ok()) << alloc.error().message;
  auto validate = [&](const char* ports) {
    json::object svc = json::parse(std::string(R"({"metadata":{"name":"s"},"spec":{"ports":)") + ports + "}}").as_object();
    std::vector<std::string> out;
    for (const auto& e : alloc->DefaultAndValidate(svc)) out.push_back(e.field + ": " + e.message);
    return out;
  };
  EXPECT_EQ(validate(R"([{"port":80,"targetPort":"99999999999999999999"}])"),
            (std::vector<std::string>{
                "spec.ports[0].targetPort: Invalid value: \"99999999999999999999\": must be no more than 15 characters",
                "spec.ports[0].targetPort: Invalid value: \"99999999999999999999\": must contain at least one letter (a-z)"}));
  EXPECT_EQ(validate(R"([{"port":80,"targetPort":70000}])"),
            (std::vector<std::string>{"spec.ports[0].targetPort: Invalid value: 70000: must be between 1 and 65535, inclusive"}));
  EXPECT_EQ(validate(R"([{"port":80,"targetPort":-1}])").size(), 1u);
  EXPECT_EQ(validate(R"([{"port":80,"name":"Web_1"}])").size(), 1u);
  EXPECT_TRUE(validate(R"([{"port":80,"targetPort":"http"}])").empty());
  EXPECT_TRUE(validate(R"([{"port":80,"targetPort":0}])").empty());   // defaults to the port
  EXPECT_TRUE(validate(R"([{"port":80,"targetPort":""}])").empty());  // likewise
  // An ExternalName Service needs no ports, but the ports it lists are checked too.
  json::object external = json::parse(R"({"metadata":{"name":"e"},"spec":{"type":"ExternalName","externalName":"x.example",
      "ports":[{"port":80,"targetPort":"99999999999999999999"}]}})").as_object();
  EXPECT_EQ(alloc->DefaultAndValidate(external).size(), 2u);
  json::object no_ports = json::parse(R"({"metadata":{"name":"e"},"spec":{"type":"ExternalName","externalName":"x.example"}})").as_object();
  EXPECT_TRUE(alloc->DefaultAndValidate(no_ports).empty());
  (*store)->Close();
}

}  // namespace
}  // namespace k1s::registry
