#include "server/registry/watch_cache.h"

#include <gtest/gtest.h>

#include <thread>

#include "server/registry/testing.h"

namespace k1s::registry {
namespace {

using namespace std::chrono_literals;

class WatchCacheTest : public StoreFixture {};

TEST_F(WatchCacheTest, StartsWithWhatIsStoredAndFollowsWrites) {
  ASSERT_TRUE(store_->Create("/registry/configmaps/a/x", "1").ok());
  auto cache = WatchCache::Start(*store_, "/registry/");
  ASSERT_TRUE(cache.ok());
  EXPECT_EQ((*cache)->Size(), 1u);
  auto created = store_->Create("/registry/configmaps/a/y", "2");
  ASSERT_TRUE(created.ok());
  ASSERT_TRUE((*cache)->WaitFor(created->mod_revision, 2s));
  std::vector<WatchCache::KeyValuePtr> items;
  auto rev = (*cache)->Scan("/registry/configmaps/a/", "", &items);
  EXPECT_EQ(rev, created->mod_revision);
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0]->key, "/registry/configmaps/a/x");
  EXPECT_EQ(items[1]->value, "2");
}

TEST_F(WatchCacheTest, ScanStartsAtTheGivenKeyAndStaysInThePrefix) {
  for (const char* k : {"/registry/pods/a/1", "/registry/pods/a/2", "/registry/pods/b/1", "/registry/podsx/a"})
    ASSERT_TRUE(store_->Create(k, "v").ok());
  auto cache = WatchCache::Start(*store_, "/registry/");
  ASSERT_TRUE(cache.ok());
  std::vector<WatchCache::KeyValuePtr> items;
  (*cache)->Scan("/registry/pods/", "/registry/pods/a/2", &items);
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0]->key, "/registry/pods/a/2");
  EXPECT_EQ(items[1]->key, "/registry/pods/b/1");
}

TEST_F(WatchCacheTest, CursorReplaysFromARevisionThenFollowsLiveEvents) {
  auto cache = WatchCache::Start(*store_, "/registry/");
  ASSERT_TRUE(cache.ok());
  auto a = store_->Create("/registry/cm/a", "1");
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(store_->Create("/registry/other/b", "1").ok());
  ASSERT_TRUE(store_->Update("/registry/cm/a", "2", a->mod_revision).ok());
  ASSERT_TRUE((*cache)->WaitFor(store_->CurrentRevision(), 2s));
  auto cursor = (*cache)->WatchFrom("/registry/cm/", a->mod_revision - 1);
  ASSERT_TRUE(cursor.ok());
  auto events = cursor->Next(1s);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 2u);
  EXPECT_EQ((*events)[0]->type, datastore::Event::Type::kCreate);
  EXPECT_EQ((*events)[1]->type, datastore::Event::Type::kUpdate);
  EXPECT_EQ((*events)[1]->prev->value, "1");
  std::thread writer([&] {
    std::this_thread::sleep_for(50ms);
    (void)store_->Delete("/registry/cm/a", 0);
  });
  auto live = cursor->Next(2s);
  writer.join();
  ASSERT_TRUE(live.ok());
  ASSERT_EQ(live->size(), 1u);
  EXPECT_EQ((*live)[0]->type, datastore::Event::Type::kDelete);
  auto none = cursor->Next(50ms);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST_F(WatchCacheTest, RevisionsOlderThanTheWindowAreGone) {
  WatchCacheOptions o;
  o.event_window = 3;
  auto cache = WatchCache::Start(*store_, "/registry/", o);
  ASSERT_TRUE(cache.ok());
  auto start = (*cache)->Revision();
  auto slow = (*cache)->WatchFrom("/registry/", start);
  ASSERT_TRUE(slow.ok());
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(store_->Create("/registry/k" + std::to_string(i), "v").ok());
  ASSERT_TRUE((*cache)->WaitFor(store_->CurrentRevision(), 2s));
  EXPECT_EQ((*cache)->WatchFrom("/registry/", start).error().code, ErrorCode::kGone);
  EXPECT_EQ(slow->Next(10ms).error().code, ErrorCode::kGone);
  auto recent = (*cache)->WatchFrom("/registry/", store_->CurrentRevision() - 2);
  ASSERT_TRUE(recent.ok());
  auto events = recent->Next(10ms);
  ASSERT_TRUE(events.ok());
  EXPECT_EQ(events->size(), 2u);
}

TEST_F(WatchCacheTest, SnapshotAndCursorTogetherMissNothing) {
  auto cache = WatchCache::Start(*store_, "/registry/");
  ASSERT_TRUE(cache.ok());
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (int i = 0; i < 300 && !stop; ++i) (void)store_->Create("/registry/s/" + std::to_string(1000 + i), "v");
  });
  std::this_thread::sleep_for(5ms);
  std::vector<WatchCache::KeyValuePtr> snapshot;
  auto cursor = (*cache)->WatchWithSnapshot("/registry/s/", &snapshot);
  size_t seen = snapshot.size();
  writer.join();
  while (true) {
    auto events = cursor.Next(200ms);
    ASSERT_TRUE(events.ok());
    if (events->empty()) break;
    seen += events->size();
  }
  EXPECT_EQ(seen, 300u);
}

}  // namespace
}  // namespace k1s::registry
