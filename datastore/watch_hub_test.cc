#include "datastore/watch_hub.h"

#include <gtest/gtest.h>

#include <map>

namespace k1s::datastore {
namespace {

using namespace std::chrono_literals;

Event MakeEvent(Revision rev, std::string key) {
  Event e;
  e.revision = rev;
  e.kv.key = std::move(key);
  e.kv.mod_revision = rev;
  return e;
}

// A log held in memory, standing in for the store's table.
struct FakeLog {
  std::map<Revision, Event> events;
  int reads = 0;
  HistoryReader Reader() {
    return [this](const std::string& prefix, Revision from, Revision to, int limit) -> Result<std::vector<Event>> {
      ++reads;
      std::vector<Event> out;
      for (auto it = events.lower_bound(from); it != events.end() && it->first <= to; ++it) {
        if (it->second.kv.key.rfind(prefix, 0) != 0) continue;
        out.push_back(it->second);
        if (static_cast<int>(out.size()) >= limit) break;
      }
      return out;
    };
  }
  void Add(Revision rev, std::string key) { events[rev] = MakeEvent(rev, std::move(key)); }
};

std::vector<Revision> Revisions(const std::vector<Event>& events) {
  std::vector<Revision> out;
  for (auto& e : events) out.push_back(e.revision);
  return out;
}

TEST(WatchHubTest, LiveEventsAreFilteredByPrefix) {
  FakeLog log;
  std::atomic<Revision> compacted{0};
  WatchHub hub(log.Reader(), 100, 0);
  auto w = hub.Watch("/a/", 0, &compacted);
  hub.Publish({MakeEvent(1, "/a/x"), MakeEvent(2, "/b/y"), MakeEvent(3, "/a/z")}, 3);
  auto got = w->Next(1s);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(Revisions(*got), (std::vector<Revision>{1, 3}));
  EXPECT_EQ(log.reads, 0);
}

TEST(WatchHubTest, PastStartReadsTheLogThenSwitchesToLive) {
  FakeLog log;
  for (Revision r = 1; r <= 5; ++r) log.Add(r, "/k");
  std::atomic<Revision> compacted{0};
  WatchHub hub(log.Reader(), 100, 5);
  auto w = hub.Watch("/", 3, &compacted);
  hub.Publish({MakeEvent(6, "/k")}, 6);
  std::vector<Revision> all;
  while (all.size() < 4) {
    auto got = w->Next(1s);
    ASSERT_TRUE(got.ok() && !got->empty());
    for (auto r : Revisions(*got)) all.push_back(r);
  }
  EXPECT_EQ(all, (std::vector<Revision>{3, 4, 5, 6}));
}

TEST(WatchHubTest, OverflowFallsBackToTheLogWithoutLosingEvents) {
  FakeLog log;
  std::atomic<Revision> compacted{0};
  WatchHub hub(log.Reader(), 3, 0);
  auto w = hub.Watch("/", 0, &compacted);
  for (Revision r = 1; r <= 10; ++r) {
    log.Add(r, "/k");
    hub.Publish({MakeEvent(r, "/k")}, r);
  }
  std::vector<Revision> all;
  while (all.size() < 10) {
    auto got = w->Next(1s);
    ASSERT_TRUE(got.ok() && !got->empty());
    for (auto r : Revisions(*got)) all.push_back(r);
  }
  for (Revision r = 1; r <= 10; ++r) EXPECT_EQ(all[r - 1], r);
  EXPECT_GT(log.reads, 0);
}

TEST(WatchHubTest, CompactedCatchUpFailsWithGone) {
  FakeLog log;
  for (Revision r = 1; r <= 5; ++r) log.Add(r, "/k");
  std::atomic<Revision> compacted{0};
  WatchHub hub(log.Reader(), 100, 5);
  auto w = hub.Watch("/", 2, &compacted);
  compacted = 3;
  auto got = w->Next(1s);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().code, ErrorCode::kGone);
}

TEST(WatchHubTest, ShutdownEndsStreamsAndDroppedStreamsAreForgotten) {
  FakeLog log;
  std::atomic<Revision> compacted{0};
  WatchHub hub(log.Reader(), 100, 0);
  auto w1 = hub.Watch("/", 0, &compacted);
  {
    auto w2 = hub.Watch("/", 0, &compacted);
    EXPECT_EQ(hub.WatcherCountForTest(), 2u);
  }
  EXPECT_EQ(hub.WatcherCountForTest(), 1u);
  hub.Shutdown();
  EXPECT_EQ(w1->Next(1s).error().code, ErrorCode::kServiceUnavailable);
}

}  // namespace
}  // namespace k1s::datastore
