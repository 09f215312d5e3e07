#include "datastore/sqlite/sqlite_store.h"

#include <gtest/gtest.h>

#include <thread>

#include "lib/base/files.h"
#include "tests/testutil/temp_dir.h"

namespace k1s::datastore {
namespace {

using namespace std::chrono_literals;

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }
  void Reopen(SqliteOptions opts = {}) {
    if (store_) store_->Close();
    store_.reset();
    opts.path = dir_.File("db/state.db");
    opts.synchronous_full = false;  // these tests check semantics, not durability
    auto s = SqliteStore::Open(opts);
    ASSERT_TRUE(s.ok()) << s.error().ToString();
    store_ = std::move(*s);
  }
  testutil::TempDir dir_;
  std::unique_ptr<SqliteStore> store_;
};

TEST_F(SqliteStoreTest, CreateThenGetReturnsValueAndRevisions) {
  EXPECT_EQ(store_->CurrentRevision(), 0);
  auto a = store_->Create("/a", "1");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->mod_revision, 1);
  EXPECT_EQ(a->create_revision, 1);
  auto b = store_->Create("/b", "2");
  EXPECT_EQ(b->mod_revision, 2);
  auto got = store_->Get("/a");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->value, "1");
  EXPECT_EQ(got->mod_revision, 1);
  EXPECT_EQ(store_->CurrentRevision(), 2);
}

TEST_F(SqliteStoreTest, CreateOfLiveKeyReturnsAlreadyExists) {
  ASSERT_TRUE(store_->Create("/a", "1").ok());
  auto again = store_->Create("/a", "2");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kAlreadyExists);
  EXPECT_EQ(store_->CurrentRevision(), 1);  // a failed write takes no revision
}

TEST_F(SqliteStoreTest, GetOfMissingKeyReturnsNotFound) {
  auto got = store_->Get("/nope");
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().code, ErrorCode::kNotFound);
}

TEST_F(SqliteStoreTest, UpdateWithCurrentRevisionSucceeds) {
  auto a = store_->Create("/a", "1");
  auto u = store_->Update("/a", "2", a->mod_revision);
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->mod_revision, 2);
  EXPECT_EQ(u->create_revision, 1);
  EXPECT_EQ(store_->Get("/a")->value, "2");
}

TEST_F(SqliteStoreTest, UpdateWithStaleRevisionReturnsConflictWithCurrentObject) {
  auto a = store_->Create("/a", "1");
  ASSERT_TRUE(store_->Update("/a", "2", a->mod_revision).ok());
  KeyValue current;
  auto stale = store_->Update("/a", "3", a->mod_revision, {}, &current);
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.error().code, ErrorCode::kConflict);
  EXPECT_EQ(current.value, "2");
  EXPECT_EQ(current.mod_revision, 2);
}

TEST_F(SqliteStoreTest, UpdateWithoutExpectedRevisionAlwaysApplies) {
  ASSERT_TRUE(store_->Create("/a", "1").ok());
  ASSERT_TRUE(store_->Update("/a", "2", 0).ok());
  EXPECT_EQ(store_->Get("/a")->value, "2");
}

TEST_F(SqliteStoreTest, UpdateOrDeleteOfMissingKeyReturnsNotFound) {
  EXPECT_EQ(store_->Update("/x", "1", 0).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->Delete("/x", 0).error().code, ErrorCode::kNotFound);
}

TEST_F(SqliteStoreTest, DeleteReturnsDeletedStateAndKeyCanBeRecreated) {
  auto a = store_->Create("/a", "1");
  auto d = store_->Delete("/a", a->mod_revision);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->value, "1");
  EXPECT_EQ(d->mod_revision, 2);  // the revision of the delete
  EXPECT_EQ(store_->Get("/a").error().code, ErrorCode::kNotFound);
  auto again = store_->Create("/a", "new");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->create_revision, 3);
  EXPECT_EQ(store_->Get("/a")->value, "new");
}

TEST_F(SqliteStoreTest, DeleteWithStaleRevisionReturnsConflict) {
  auto a = store_->Create("/a", "1");
  ASSERT_TRUE(store_->Update("/a", "2", 0).ok());
  KeyValue current;
  auto d = store_->Delete("/a", a->mod_revision, &current);
  EXPECT_EQ(d.error().code, ErrorCode::kConflict);
  EXPECT_EQ(current.mod_revision, 2);
}

TEST_F(SqliteStoreTest, GetAtRevisionSeesHistory) {
  ASSERT_TRUE(store_->Create("/a", "v1").ok());          // 1
  ASSERT_TRUE(store_->Update("/a", "v2", 0).ok());       // 2
  ASSERT_TRUE(store_->Delete("/a", 0).ok());             // 3
  EXPECT_EQ(store_->Get("/a", 1)->value, "v1");
  EXPECT_EQ(store_->Get("/a", 2)->value, "v2");
  EXPECT_EQ(store_->Get("/a", 3).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store_->Get("/a", 99).error().code, ErrorCode::kInvalid);
}

TEST_F(SqliteStoreTest, ListByPrefixIsOrderedAndExcludesDeleted) {
  for (auto k : {"/r/b", "/r/a", "/r/c", "/s/x", "/r"}) ASSERT_TRUE(store_->Create(k, k).ok());
  ASSERT_TRUE(store_->Delete("/r/c", 0).ok());
  ListOptions o;
  o.prefix = "/r/";
  auto l = store_->List(o);
  ASSERT_TRUE(l.ok());
  ASSERT_EQ(l->items.size(), 2u);
  EXPECT_EQ(l->items[0].key, "/r/a");
  EXPECT_EQ(l->items[1].key, "/r/b");
  EXPECT_EQ(l->revision, 6);
  EXPECT_FALSE(l->more);
  EXPECT_EQ(*store_->Count("/r/"), 2);
}

TEST_F(SqliteStoreTest, ListByRangeIsHalfOpen) {
  for (auto k : {"a", "b", "c", "d"}) ASSERT_TRUE(store_->Create(k, k).ok());
  ListOptions o;
  o.start = "b";
  o.end = "d";
  auto l = store_->List(o);
  ASSERT_EQ(l->items.size(), 2u);
  EXPECT_EQ(l->items[0].key, "b");
  EXPECT_EQ(l->items[1].key, "c");
}

TEST_F(SqliteStoreTest, ListAtRevisionSeesThePast) {
  ASSERT_TRUE(store_->Create("/p/a", "1").ok());  // 1
  ASSERT_TRUE(store_->Create("/p/b", "1").ok());  // 2
  ASSERT_TRUE(store_->Update("/p/a", "2", 0).ok());  // 3
  ASSERT_TRUE(store_->Delete("/p/b", 0).ok());  // 4
  ListOptions o;
  o.prefix = "/p/";
  o.revision = 2;
  auto l = store_->List(o);
  ASSERT_EQ(l->items.size(), 2u);
  EXPECT_EQ(l->items[0].value, "1");
  EXPECT_EQ(l->revision, 2);
  o.revision = 0;
  l = store_->List(o);
  ASSERT_EQ(l->items.size(), 1u);
  EXPECT_EQ(l->items[0].value, "2");
}

TEST_F(SqliteStoreTest, ListPagesWithContinueTokensAtOneRevision) {
  for (int i = 0; i < 25; ++i) ASSERT_TRUE(store_->Create("/k/" + std::to_string(100 + i), "v").ok());
  ListOptions o;
  o.prefix = "/k/";
  o.limit = 10;
  auto p1 = store_->List(o);
  ASSERT_TRUE(p1.ok());
  EXPECT_EQ(p1->items.size(), 10u);
  EXPECT_TRUE(p1->more);
  // Writes after the first page do not show up in later pages: they are read at the first revision.
  ASSERT_TRUE(store_->Create("/k/999", "late").ok());
  ASSERT_TRUE(store_->Delete("/k/124", 0).ok());
  o.continue_token = p1->continue_token;
  auto p2 = store_->List(o);
  ASSERT_TRUE(p2.ok());
  EXPECT_EQ(p2->items.front().key, "/k/110");
  EXPECT_EQ(p2->revision, p1->revision);
  o.continue_token = p2->continue_token;
  auto p3 = store_->List(o);
  ASSERT_EQ(p3->items.size(), 5u);
  EXPECT_FALSE(p3->more);
  EXPECT_EQ(p3->items.back().key, "/k/124");
}

TEST_F(SqliteStoreTest, InvalidContinueTokenIsBadRequest) {
  ListOptions o;
  o.prefix = "/";
  o.continue_token = "!!!";
  EXPECT_EQ(store_->List(o).error().code, ErrorCode::kBadRequest);
}

TEST_F(SqliteStoreTest, KeysOnlyListOmitsValues) {
  ASSERT_TRUE(store_->Create("/a", "value").ok());
  ListOptions o;
  o.prefix = "/";
  o.keys_only = true;
  auto l = store_->List(o);
  ASSERT_EQ(l->items.size(), 1u);
  EXPECT_EQ(l->items[0].value, "");
  EXPECT_EQ(l->items[0].mod_revision, 1);
}

TEST_F(SqliteStoreTest, StateAndRevisionsSurviveReopen) {
  ASSERT_TRUE(store_->Create("/a", "1").ok());
  ASSERT_TRUE(store_->Update("/a", "2", 0).ok());
  ASSERT_TRUE(store_->Create("/b", "x").ok());
  ASSERT_TRUE(store_->Delete("/b", 0).ok());
  Reopen();
  EXPECT_EQ(store_->CurrentRevision(), 4);
  EXPECT_EQ(store_->Get("/a")->value, "2");
  EXPECT_EQ(store_->Get("/a", 1)->value, "1");
  EXPECT_EQ(store_->Create("/c", "y")->mod_revision, 5);
}

TEST_F(SqliteStoreTest, SecondOpenOfSameDatabaseIsRefused) {
  SqliteOptions opts;
  opts.path = dir_.File("db/state.db");
  auto second = SqliteStore::Open(opts);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, ErrorCode::kConflict);
  EXPECT_NE(second.error().message.find("in use"), std::string::npos);
}

TEST_F(SqliteStoreTest, WatchFromZeroSeesOnlyLaterWritesWithPrevValues) {
  ASSERT_TRUE(store_->Create("/w/a", "old").ok());
  auto w = store_->Watch("/w/", 0);
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE(store_->Update("/w/a", "new", 0).ok());
  ASSERT_TRUE(store_->Create("/other", "x").ok());
  ASSERT_TRUE(store_->Delete("/w/a", 0).ok());
  std::vector<Event> got;
  while (got.size() < 2) {
    auto ev = (*w)->Next(2s);
    ASSERT_TRUE(ev.ok());
    ASSERT_FALSE(ev->empty()) << "timed out";
    got.insert(got.end(), ev->begin(), ev->end());
  }
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].type, Event::Type::kUpdate);
  EXPECT_EQ(got[0].kv.value, "new");
  ASSERT_TRUE(got[0].prev);
  EXPECT_EQ(got[0].prev->value, "old");
  EXPECT_EQ(got[1].type, Event::Type::kDelete);
  EXPECT_EQ(got[1].revision, 4);
  ASSERT_TRUE(got[1].prev);
  EXPECT_EQ(got[1].prev->value, "new");
}

TEST_F(SqliteStoreTest, WatchFromPastRevisionReplaysHistoryThenFollows) {
  ASSERT_TRUE(store_->Create("/w/a", "1").ok());  // 1
  ASSERT_TRUE(store_->Update("/w/a", "2", 0).ok());  // 2
  ASSERT_TRUE(store_->Create("/w/b", "1").ok());  // 3
  auto w = store_->Watch("/w/", 2);
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE(store_->Delete("/w/a", 0).ok());  // 4
  std::vector<Revision> revs;
  while (revs.size() < 3) {
    auto ev = (*w)->Next(2s);
    ASSERT_TRUE(ev.ok() && !ev->empty());
    for (auto& e : *ev) revs.push_back(e.revision);
  }
  EXPECT_EQ(revs, (std::vector<Revision>{2, 3, 4}));
  EXPECT_EQ((*w)->LastRevision(), 4);
}

TEST_F(SqliteStoreTest, WatchNextTimesOutEmptyAndCloseUnblocks) {
  auto w = store_->Watch("/", 0);
  ASSERT_TRUE(w.ok());
  auto ev = (*w)->Next(20ms);
  ASSERT_TRUE(ev.ok());
  EXPECT_TRUE(ev->empty());
  std::thread closer([&] {
    std::this_thread::sleep_for(20ms);
    (*w)->Close();
  });
  ev = (*w)->Next(10s);
  closer.join();
  ASSERT_TRUE(ev.ok());
  EXPECT_TRUE(ev->empty());
}

TEST_F(SqliteStoreTest, WatchNotifyIsCalledOnNewEvents) {
  auto w = store_->Watch("/", 0);
  std::atomic<int> calls{0};
  (*w)->SetNotify([&] { calls++; });
  ASSERT_TRUE(store_->Create("/a", "1").ok());
  EXPECT_GE(calls.load(), 1);
}

TEST_F(SqliteStoreTest, SlowWatcherIsCaughtUpFromTheLog) {
  SqliteOptions opts;
  opts.watch_queue_limit = 5;
  Reopen(opts);
  auto w = store_->Watch("/s/", 0);
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(store_->Create("/s/" + std::to_string(i), "v").ok());
  std::vector<Revision> revs;
  while (revs.size() < 50) {
    auto ev = (*w)->Next(2s);
    ASSERT_TRUE(ev.ok());
    ASSERT_FALSE(ev->empty());
    for (auto& e : *ev) revs.push_back(e.revision);
  }
  for (int i = 0; i < 50; ++i) EXPECT_EQ(revs[i], i + 1);
}

TEST_F(SqliteStoreTest, CompactMakesOldRevisionsGone) {
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(store_->Update("/a", std::to_string(i), 0).ok() || store_->Create("/a", "0").ok());
  Revision cur = store_->CurrentRevision();
  ASSERT_TRUE(store_->Compact(cur - 2).ok());
  EXPECT_EQ(store_->CompactedRevision(), cur - 2);
  EXPECT_EQ(store_->Get("/a", cur - 3).error().code, ErrorCode::kGone);
  EXPECT_TRUE(store_->Get("/a", cur - 2).ok());  // the compaction revision itself stays readable
  ListOptions o;
  o.prefix = "/";
  o.revision = 1;
  EXPECT_EQ(store_->List(o).error().code, ErrorCode::kGone);
  EXPECT_EQ(store_->Watch("/", cur - 2).error().code, ErrorCode::kGone);
  EXPECT_TRUE(store_->Watch("/", cur - 1).ok());
  EXPECT_EQ(store_->Compact(cur - 3).error().code, ErrorCode::kGone);
  EXPECT_EQ(store_->Compact(cur + 5).error().code, ErrorCode::kInvalid);
  ASSERT_TRUE(store_->FinishCompactionForTest().ok());
  EXPECT_GT(store_->Stats().compacted_rows, 0);
  Reopen();
  EXPECT_EQ(store_->CompactedRevision(), cur - 2);
  EXPECT_EQ(store_->CurrentRevision(), cur);
}

TEST_F(SqliteStoreTest, CompactionKeepsEverythingNeededAboveIt) {
  // Keys with histories straddling the compaction point.
  ASSERT_TRUE(store_->Create("/a", "a1").ok());   // 1
  ASSERT_TRUE(store_->Create("/b", "b1").ok());   // 2
  ASSERT_TRUE(store_->Update("/a", "a2", 0).ok());  // 3
  ASSERT_TRUE(store_->Delete("/b", 0).ok());      // 4
  ASSERT_TRUE(store_->Update("/a", "a3", 0).ok());  // 5
  ASSERT_TRUE(store_->Create("/b", "b2").ok());   // 6
  ASSERT_TRUE(store_->Compact(4).ok());
  ASSERT_TRUE(store_->FinishCompactionForTest().ok());
  ListOptions o;
  o.prefix = "/";
  o.revision = 4;
  auto at4 = store_->List(o);
  ASSERT_TRUE(at4.ok());
  ASSERT_EQ(at4->items.size(), 1u);
  EXPECT_EQ(at4->items[0].value, "a2");
  auto w = store_->Watch("/", 5);
  ASSERT_TRUE(w.ok());
  auto ev = (*w)->Next(2s);
  ASSERT_TRUE(ev.ok());
  ASSERT_EQ(ev->size(), 2u);
  EXPECT_EQ((*ev)[0].prev->value, "a2");
  EXPECT_EQ((*ev)[1].type, Event::Type::kCreate);
}

TEST_F(SqliteStoreTest, AutomaticCompactionKeepsTheRetentionWindow) {
  SqliteOptions opts;
  opts.compact_retain_revisions = 20;
  opts.compact_interval = 10ms;
  Reopen(opts);
  ASSERT_TRUE(store_->Create("/a", "0").ok());
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(store_->Update("/a", std::to_string(i), 0).ok());
  for (int i = 0; i < 200 && store_->CompactedRevision() < 81; ++i) {
    std::this_thread::sleep_for(10ms);
    (void)store_->Create("/tick" + std::to_string(i), "x");
  }
  EXPECT_GE(store_->CompactedRevision(), 81);
  EXPECT_LE(store_->CompactedRevision(), store_->CurrentRevision() - 20);
}

TEST_F(SqliteStoreTest, FileStopsGrowingUnderCreateDeleteChurn) {
  SqliteOptions opts;
  opts.compact_retain_revisions = 500;
  opts.compact_interval = std::chrono::milliseconds(5);
  Reopen(opts);
  const std::string value(2000, 'v');
  std::vector<int64_t> sizes;
  for (int round = 0; round < 24; ++round) {
    for (int i = 0; i < 300; ++i) {
      std::string key = "/churn/" + std::to_string(i);
      ASSERT_TRUE(store_->Create(key, value).ok());
    }
    for (int i = 0; i < 300; ++i) ASSERT_TRUE(store_->Delete("/churn/" + std::to_string(i), 0).ok());
    // Let background compaction catch up with this round before measuring.
    for (int i = 0; i < 500 && store_->CompactedRevision() < store_->CurrentRevision() - 600; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    ASSERT_TRUE(store_->FinishCompactionForTest().ok());
    auto st = store_->Stats();
    sizes.push_back(st.db_bytes + st.wal_bytes);
  }
  // 24 rounds wrote ~29 MB of values; the file holds only the retention window.
  EXPECT_LE(sizes.back(), sizes[7] * 5 / 4) << "size after round 8: " << sizes[7] << ", at end: " << sizes.back();
  EXPECT_LT(sizes.back(), 24 << 20);
  EXPECT_GT(store_->Stats().compacted_rows, 10000);
}

TEST_F(SqliteStoreTest, LeasedKeysExpire) {
  ASSERT_TRUE(store_->Create("/ev/a", "x", WriteOptions{1}).ok());
  ASSERT_TRUE(store_->Create("/ev/keep", "x").ok());
  auto w = store_->Watch("/ev/", 0);
  auto a = store_->Get("/ev/a");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->lease_ttl_seconds, 1);
  bool deleted = false;
  for (int i = 0; i < 40 && !deleted; ++i) {
    auto ev = (*w)->Next(100ms);
    ASSERT_TRUE(ev.ok());
    for (auto& e : *ev) deleted |= e.type == Event::Type::kDelete && e.kv.key == "/ev/a";
  }
  EXPECT_TRUE(deleted);
  EXPECT_EQ(store_->Get("/ev/a").error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(store_->Get("/ev/keep").ok());
}

TEST_F(SqliteStoreTest, LeasesSurviveReopen) {
  ASSERT_TRUE(store_->Create("/ev/a", "x", WriteOptions{1}).ok());
  Reopen();
  for (int i = 0; i < 40 && store_->Get("/ev/a").ok(); ++i) std::this_thread::sleep_for(100ms);
  EXPECT_EQ(store_->Get("/ev/a").error().code, ErrorCode::kNotFound);
}

TEST_F(SqliteStoreTest, ConcurrentWritersGetDistinctContiguousRevisions) {
  constexpr int kThreads = 16, kEach = 50;
  std::vector<std::thread> threads;
  std::mutex mu;
  std::vector<Revision> revs;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        auto r = store_->Create("/c/" + std::to_string(t) + "/" + std::to_string(i), "v");
        ASSERT_TRUE(r.ok());
        std::lock_guard lock(mu);
        revs.push_back(r->mod_revision);
      }
    });
  }
  for (auto& t : threads) t.join();
  std::sort(revs.begin(), revs.end());
  for (size_t i = 0; i < revs.size(); ++i) EXPECT_EQ(revs[i], static_cast<Revision>(i + 1));
  EXPECT_LT(store_->Stats().batches, kThreads * kEach);  // group commit batched some writes
}

TEST_F(SqliteStoreTest, WritesAfterCloseFailCleanly) {
  auto w = store_->Watch("/", 0);
  store_->Close();
  EXPECT_EQ(store_->Create("/a", "1").error().code, ErrorCode::kServiceUnavailable);
  EXPECT_EQ((*w)->Next(10ms).error().code, ErrorCode::kServiceUnavailable);
}

TEST_F(SqliteStoreTest, SnapshotSaveAndRestoreRoundTrip) {
  ASSERT_TRUE(store_->Create("/a", "1").ok());
  ASSERT_TRUE(store_->Create("/b", "2").ok());
  std::string snap = dir_.File("snap.db");
  ASSERT_TRUE(SaveSnapshot(dir_.File("db/state.db"), snap).ok());  // online, server still running
  EXPECT_EQ(SaveSnapshot(dir_.File("db/state.db"), snap).error().code, ErrorCode::kAlreadyExists);
  ASSERT_TRUE(store_->Create("/c", "after-snapshot").ok());
  // Restore refuses while the store holds the database.
  EXPECT_EQ(RestoreSnapshot(snap, dir_.File("db/state.db")).error().code, ErrorCode::kConflict);
  store_->Close();
  store_.reset();
  ASSERT_TRUE(RestoreSnapshot(snap, dir_.File("db/state.db")).ok());
  EXPECT_TRUE(PathExists(dir_.File("db/state.db.before-restore")));
  Reopen();
  EXPECT_EQ(store_->CurrentRevision(), 2);
  EXPECT_EQ(store_->Get("/b")->value, "2");
  EXPECT_EQ(store_->Get("/c").error().code, ErrorCode::kNotFound);
}

TEST_F(SqliteStoreTest, RestoreRejectsFilesThatAreNotSnapshots) {
  std::string junk = dir_.File("junk.db");
  ASSERT_TRUE(WriteFileAtomic(junk, std::string(8192, 'x')).ok());
  store_->Close();
  auto s = RestoreSnapshot(junk, dir_.File("db/state.db"));
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(RestoreSnapshot(dir_.File("missing.db"), dir_.File("db/state.db")).error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace k1s::datastore
