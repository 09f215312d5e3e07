// Randomized test: many concurrent writers, watchers and readers against one SqliteStore, checked
// against a model built from the acknowledged writes. Every committed write is acknowledged, so the
// acknowledged writes sorted by revision must be the whole history: revisions 1..N with no gap; every
// watcher must see exactly that history (filtered by its prefix, from its start) in order; every List
// at revision R must equal the model's state at R.
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <thread>

#include "datastore/sqlite/sqlite_store.h"
#include "tests/testutil/temp_dir.h"

namespace k1s::datastore {
namespace {

using namespace std::chrono_literals;

struct Applied {
  Revision revision = 0;
  Event::Type type = Event::Type::kCreate;
  std::string key;
  std::string value;
};

struct ListCheck {
  Revision revision;
  std::string prefix;
  std::vector<KeyValue> items;
};

struct WatchRecord {
  std::string prefix;
  Revision start = 0;  // first revision the watcher may see
  std::vector<Event> events;
  std::string error;
};

// The live keys and values after applying history up to and including revision.
std::map<std::string, std::string> StateAt(const std::vector<Applied>& history, Revision revision) {
  std::map<std::string, std::string> state;
  for (const auto& a : history) {
    if (a.revision > revision) break;
    if (a.type == Event::Type::kDelete) {
      state.erase(a.key);
    } else {
      state[a.key] = a.value;
    }
  }
  return state;
}

void RunModel(uint32_t seed, size_t watch_queue_limit) {
  testutil::TempDir dir("k1s-model");
  SqliteOptions opts;
  opts.path = dir.File("state.db");
  opts.synchronous_full = false;
  opts.compact_retain_revisions = 0;
  opts.watch_queue_limit = watch_queue_limit;
  auto opened = SqliteStore::Open(opts);
  ASSERT_TRUE(opened.ok()) << opened.error().ToString();
  auto& store = **opened;

  constexpr int kWriters = 8, kOpsEach = 250, kKeys = 24;
  const std::vector<std::string> prefixes = {"/m/", "/m/a/", "/m/b/"};
  auto key_name = [&](int k) { return std::string(k % 2 ? "/m/a/" : "/m/b/") + std::to_string(k); };

  std::mutex mu;
  std::vector<Applied> applied;
  std::vector<ListCheck> lists;
  std::atomic<bool> writing{true};

  // Watchers that start before any write, from revision 1 and from "now".
  std::vector<std::unique_ptr<WatchRecord>> records;
  std::vector<std::unique_ptr<WatchStream>> streams;
  auto add_watch = [&](const std::string& prefix, Revision from) {
    auto w = store.Watch(prefix, from);
    ASSERT_TRUE(w.ok()) << w.error().ToString();
    auto rec = std::make_unique<WatchRecord>();
    rec->prefix = prefix;
    rec->start = (*w)->LastRevision() + 1;
    std::lock_guard lock(mu);
    records.push_back(std::move(rec));
    streams.push_back(std::move(*w));
  };
  add_watch("/m/", 1);
  add_watch("/m/a/", 0);
  add_watch("/", 0);

  std::vector<std::thread> threads;
  for (int t = 0; t < kWriters; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 rng(seed * 1000 + t);
      for (int i = 0; i < kOpsEach; ++i) {
        std::string key = key_name(static_cast<int>(rng() % kKeys));
        std::string value = "w" + std::to_string(t) + "-" + std::to_string(i);
        int op = static_cast<int>(rng() % 10);
        Result<KeyValue> r = Fail(ErrorCode::kInternal, "");
        Event::Type type = Event::Type::kCreate;
        if (op < 3) {
          r = store.Create(key, value);
        } else {
          auto cur = store.Get(key);
          Revision expected = cur.ok() ? cur->mod_revision : 1;
          if (rng() % 8 == 0) expected = std::max<Revision>(1, expected - 1);  // sometimes stale
          if (op < 8) {
            type = Event::Type::kUpdate;
            r = store.Update(key, value, expected);
          } else {
            type = Event::Type::kDelete;
            r = store.Delete(key, expected);
          }
        }
        if (r.ok()) {
          std::lock_guard lock(mu);
          applied.push_back({r->mod_revision, type, key, type == Event::Type::kDelete ? "" : value});
        } else {
          auto code = r.error().code;
          ASSERT_TRUE(code == ErrorCode::kAlreadyExists || code == ErrorCode::kNotFound ||
                      code == ErrorCode::kConflict)
              << r.error().ToString();
        }
      }
    });
  }
  // A reader listing at past and present revisions while writes go on.
  std::thread reader([&] {
    std::mt19937 rng(seed);
    while (writing.load()) {
      Revision cur = store.CurrentRevision();
      ListOptions o;
      o.prefix = prefixes[rng() % prefixes.size()];
      o.revision = cur > 0 ? 1 + static_cast<Revision>(rng() % cur) : 0;
      auto l = store.List(o);
      ASSERT_TRUE(l.ok()) << l.error().ToString();
      std::lock_guard lock(mu);
      lists.push_back({l->revision, o.prefix, l->items});
    }
  });
  // A watcher that starts in the middle, from a past revision.
  std::this_thread::sleep_for(20ms);
  add_watch("/m/b/", std::max<Revision>(1, store.CurrentRevision() / 2));

  for (auto& t : threads) t.join();
  writing = false;
  reader.join();

  const Revision last = store.CurrentRevision();
  ASSERT_EQ(applied.size(), static_cast<size_t>(last)) << "acknowledged writes must be exactly the history";
  std::vector<Applied> history(static_cast<size_t>(last));
  for (auto& a : applied) {
    ASSERT_GE(a.revision, 1);
    ASSERT_LE(a.revision, last);
    ASSERT_EQ(history[a.revision - 1].revision, 0) << "two writes acknowledged at revision " << a.revision;
    history[a.revision - 1] = a;
  }

  // Watchers: drain, then compare with the history.
  for (size_t i = 0; i < streams.size(); ++i) {
    auto& rec = *records[i];
    std::vector<Event> expected_events;
    for (auto& a : history) {
      if (a.revision >= rec.start && a.key.rfind(rec.prefix, 0) == 0) {
        Event e;
        e.revision = a.revision;
        e.type = a.type;
        e.kv.key = a.key;
        e.kv.value = a.value;
        expected_events.push_back(e);
      }
    }
    while (rec.events.size() < expected_events.size()) {
      auto got = streams[i]->Next(5s);
      ASSERT_TRUE(got.ok()) << got.error().ToString();
      ASSERT_FALSE(got->empty()) << "watcher " << i << " stalled at " << rec.events.size() << "/"
                                 << expected_events.size();
      rec.events.insert(rec.events.end(), got->begin(), got->end());
    }
    ASSERT_EQ(rec.events.size(), expected_events.size()) << "watcher " << i << " got extra events";
    for (size_t j = 0; j < expected_events.size(); ++j) {
      const auto& got = rec.events[j];
      const auto& want = expected_events[j];
      ASSERT_EQ(got.revision, want.revision) << "watcher " << i << " event " << j;
      ASSERT_EQ(got.type, want.type) << "watcher " << i << " revision " << want.revision;
      ASSERT_EQ(got.kv.key, want.kv.key);
      ASSERT_EQ(got.kv.value, want.kv.value);
      // The previous value is the model's value just before.
      auto before = StateAt(history, want.revision - 1);
      if (got.type != Event::Type::kCreate) {
        ASSERT_TRUE(got.prev.has_value()) << "revision " << want.revision;
        ASSERT_EQ(got.prev->value, before.at(want.kv.key));
      } else {
        ASSERT_EQ(before.count(want.kv.key), 0u);
      }
    }
  }

  // Lists: each equals the model at its revision.
  ASSERT_FALSE(lists.empty());
  for (const auto& l : lists) {
    auto state = StateAt(history, l.revision);
    std::vector<std::pair<std::string, std::string>> want, got;
    for (auto& [k, v] : state)
      if (k.rfind(l.prefix, 0) == 0) want.emplace_back(k, v);
    for (auto& kv : l.items) got.emplace_back(kv.key, kv.value);
    ASSERT_EQ(got, want) << "List " << l.prefix << " at revision " << l.revision;
  }
}

TEST(SqliteStoreModelTest, ConcurrentHistoryMatchesModel) { RunModel(1, 10000); }

TEST(SqliteStoreModelTest, ConcurrentHistoryMatchesModelWithTinyWatchQueues) { RunModel(2, 4); }

TEST(SqliteStoreModelTest, ManySeeds) {
  for (uint32_t seed = 3; seed < 6; ++seed) {
    RunModel(seed, seed % 2 ? 8 : 10000);
    if (HasFatalFailure()) return;
  }
}

}  // namespace
}  // namespace k1s::datastore
