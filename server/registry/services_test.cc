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

}  // namespace
}  // namespace k1s::registry
