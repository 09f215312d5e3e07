// Test fixtures shared by the registry's tests: StoreFixture opens a fresh SQLite store in a temporary
// directory; RegistryFixture adds a Registry over it with the built-in resources and the system objects.
// Test-only (gtest); each fixture is owned by its test, on the test's thread.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>

#include "datastore/sqlite/sqlite_store.h"
#include "server/registry/registry.h"
#include "tests/testutil/temp_dir.h"

namespace k1s::registry {

class StoreFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    datastore::SqliteOptions o;
    o.path = dir_.File("state.db");
    o.synchronous_full = false;
    auto s = datastore::SqliteStore::Open(o);
    ASSERT_TRUE(s.ok()) << s.error().message;
    store_ = std::move(*s);
  }
  void TearDown() override { store_->Close(); }

  testutil::TempDir dir_;
  std::unique_ptr<datastore::SqliteStore> store_;
};

class RegistryFixture : public StoreFixture {
 protected:
  void SetUp() override {
    StoreFixture::SetUp();
    if (HasFatalFailure()) return;
    auto r = Registry::Open(*store_, BuiltinResources(), {});
    ASSERT_TRUE(r.ok()) << r.error().message;
    reg_ = std::move(*r);
    ASSERT_TRUE(reg_->EnsureSystemObjects().ok());
  }
  void TearDown() override {
    reg_.reset();
    StoreFixture::TearDown();
  }
  // The built-in resource of that group and plural (aborts when there is none).
  const ResourceInfo& R(const char* group, const char* plural) {
    for (const auto& r : *reg_->Resources())
      if (r.group == group && r.plural == plural) return *reg_->Find(r.group, r.version, r.plural);
    abort();
  }

  std::unique_ptr<Registry> reg_;
};

}  // namespace k1s::registry
