// Datastore benchmark: durable write throughput and latency of SqliteStore at 1/8/32/128 writers,
// updates, List of 10k keys, watch fan-out to 100 watchers and file size under churn -- each printed
// beside raw SQLite durable single-row transactions on the same disk, measured in the same run (the
// ceiling without batching), so the ratio holds on a noisy machine. Not a test: run bench/run.sh.
#include <sqlite3.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "datastore/sqlite/sqlite_store.h"
#include "lib/base/files.h"
#include "lib/base/log.h"

using namespace std::chrono;
using k1s::datastore::Revision;
using k1s::datastore::SqliteOptions;
using k1s::datastore::SqliteStore;

namespace {

double g_seconds = 3;

struct Latencies {
  std::vector<double> ms;
  double Pct(double p) {
    if (ms.empty()) return 0;
    std::sort(ms.begin(), ms.end());
    return ms[std::min(ms.size() - 1, static_cast<size_t>(p * ms.size()))];
  }
  double Max() { return ms.empty() ? 0 : *std::max_element(ms.begin(), ms.end()); }
};

double Since(steady_clock::time_point t) { return duration<double, std::milli>(steady_clock::now() - t).count(); }

// Raw SQLite: one INSERT per transaction, one thread.
std::pair<double, Latencies> RawSqlite(const std::string& dir, bool full) {
  std::string path = dir + (full ? "/raw-full.db" : "/raw-normal.db");
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  sqlite3_exec(db, "PRAGMA journal_mode=WAL", nullptr, nullptr, nullptr);
  sqlite3_exec(db, full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL", nullptr, nullptr, nullptr);
  sqlite3_exec(db, "CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, value BLOB)", nullptr, nullptr, nullptr);
  sqlite3_stmt* ins = nullptr;
  sqlite3_prepare_v2(db, "INSERT INTO t(name, value) VALUES(?, ?)", -1, &ins, nullptr);
  std::string value(1024, 'v');
  Latencies lat;
  auto start = steady_clock::now();
  int n = 0;
  while (Since(start) < g_seconds * 1000) {
    auto t = steady_clock::now();
    sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
    std::string name = "/registry/raw/" + std::to_string(n++);
    sqlite3_bind_text(ins, 1, name.data(), static_cast<int>(name.size()), SQLITE_TRANSIENT);
    sqlite3_bind_blob(ins, 2, value.data(), static_cast<int>(value.size()), SQLITE_STATIC);
    sqlite3_step(ins);
    sqlite3_reset(ins);
    sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
    lat.ms.push_back(Since(t));
  }
  double rate = n / (Since(start) / 1000);
  sqlite3_finalize(ins);
  sqlite3_close(db);
  return {rate, lat};
}

std::unique_ptr<SqliteStore> OpenStore(const std::string& path, bool full, int64_t retain = 0,
                                       milliseconds interval = minutes(5)) {
  SqliteOptions o;
  o.path = path;
  o.synchronous_full = full;
  o.compact_retain_revisions = retain;
  o.compact_interval = interval;
  auto s = SqliteStore::Open(o);
  if (!s.ok()) {
    std::fprintf(stderr, "open %s: %s\n", path.c_str(), s.error().message.c_str());
    std::exit(1);
  }
  return std::move(*s);
}

struct WriteResult {
  double rate = 0;
  Latencies lat;
  double batch = 0;
};

// `threads` writers creating (or updating) their own keys for g_seconds.
WriteResult Writers(SqliteStore& store, int threads, bool update) {
  std::string value(1024, 'v');
  std::vector<Latencies> per(threads);
  std::atomic<int64_t> total{0};
  auto before = store.Stats();
  auto start = steady_clock::now();
  auto deadline = start + duration<double>(g_seconds);
  std::vector<std::thread> ts;
  for (int t = 0; t < threads; ++t) {
    ts.emplace_back([&, t] {
      std::vector<std::pair<std::string, Revision>> mine;
      if (update) {
        for (int i = 0; i < 16; ++i) {
          std::string key = "/registry/configmaps/upd/" + std::to_string(t) + "-" + std::to_string(i);
          auto r = store.Create(key, value);
          mine.emplace_back(key, r.ok() ? r->mod_revision : 0);
        }
      }
      static std::atomic<int64_t> seq{0};
      for (int i = 0; steady_clock::now() < deadline; ++i) {
        auto t0 = steady_clock::now();
        bool ok;
        if (update) {
          auto& [key, rev] = mine[i % mine.size()];
          auto r = store.Update(key, value, rev);
          ok = r.ok();
          if (ok) rev = r->mod_revision;
        } else {
          ok = store.Create("/registry/configmaps/ns/name-" + std::to_string(seq++), value).ok();
        }
        if (!ok) {
          std::fprintf(stderr, "write failed\n");
          std::exit(1);
        }
        per[t].ms.push_back(Since(t0));
        total++;
      }
    });
  }
  for (auto& t : ts) t.join();
  WriteResult r;
  r.rate = total / (Since(start) / 1000);
  for (auto& p : per) r.lat.ms.insert(r.lat.ms.end(), p.ms.begin(), p.ms.end());
  auto after = store.Stats();
  r.batch = after.batches > before.batches
                ? static_cast<double>(after.writes - before.writes) / (after.batches - before.batches)
                : 0;
  return r;
}

std::string FsType(const std::string& dir) {
  struct statfs s {};
  if (statfs(dir.c_str(), &s) != 0) return "?";
  switch (s.f_type) {
    case 0xEF53: return "ext4";
    case 0x01021994: return "tmpfs";
    case 0x58465342: return "xfs";
    case 0x9123683E: return "btrfs";
    case 0x794c7630: return "overlayfs";
    default: {
      char buf[32];
      std::snprintf(buf, sizeof buf, "0x%lx", static_cast<unsigned long>(s.f_type));
      return buf;
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir;
  bool quick = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--dir" && i + 1 < argc) dir = argv[++i];
    else if (a == "--seconds" && i + 1 < argc) g_seconds = std::atof(argv[++i]);
    else if (a == "--quick") quick = true;
    else {
      std::fprintf(stderr, "usage: datastore_bench [--dir DIR] [--seconds S] [--quick]\n");
      return 2;
    }
  }
  if (quick) g_seconds = 0.5;
  k1s::SetLogLevel(k1s::LogLevel::kWarn);
  bool own_dir = dir.empty();
  if (own_dir) {
    setenv("TMPDIR", "/var/tmp", 0);
    dir = *k1s::MakeTempDir("k1s-bench");
  }
  std::printf("k1s datastore benchmark: %ld cores, dir %s (%s), SQLite %s, %.1f s per measurement\n\n",
              sysconf(_SC_NPROCESSORS_ONLN), dir.c_str(), FsType(dir).c_str(), sqlite3_libversion(), g_seconds);

  // 1. The references.
  auto [raw_full, raw_full_lat] = RawSqlite(dir, true);
  auto [raw_normal, raw_normal_lat] = RawSqlite(dir, false);
  std::printf("%-44s %10s %8s %8s %8s %7s %7s\n", "durable writes (1 KiB values)", "writes/s", "p50 ms", "p99 ms",
              "max ms", "x raw", "batch");
  std::printf("%-44s %10.0f %8.2f %8.2f %8.2f %7s %7s\n", "raw SQLite 1 row/txn, synchronous=FULL", raw_full,
              raw_full_lat.Pct(0.5), raw_full_lat.Pct(0.99), raw_full_lat.Max(), "1.0", "1");
  std::printf("%-44s %10.0f %8.2f %8.2f %8.2f %7.1f %7s\n", "raw SQLite 1 row/txn, synchronous=NORMAL", raw_normal,
              raw_normal_lat.Pct(0.5), raw_normal_lat.Pct(0.99), raw_normal_lat.Max(), raw_normal / raw_full, "1");

  // 2. Creates at 1..128 writers, FULL.
  WriteResult at32;
  {
    auto store = OpenStore(dir + "/creates.db", true);
    for (int threads : {1, 8, 32, 128}) {
      auto r = Writers(*store, threads, false);
      if (threads == 32) at32 = r;
      char label[64];
      std::snprintf(label, sizeof label, "SqliteStore Create, %d writer%s, FULL", threads, threads > 1 ? "s" : "");
      std::printf("%-44s %10.0f %8.2f %8.2f %8.2f %7.1f %7.1f\n", label, r.rate, r.lat.Pct(0.5), r.lat.Pct(0.99),
                  r.lat.Max(), r.rate / raw_full, r.batch);
    }
    store->Close();
    // 3. Updates with expected revision, on a fresh database (the creates left ~400 MB behind).
    store = OpenStore(dir + "/updates.db", true);
    auto u = Writers(*store, 32, true);
    std::printf("%-44s %10.0f %8.2f %8.2f %8.2f %7.1f %7.1f\n", "SqliteStore Update (CAS), 32 writers, FULL", u.rate,
                u.lat.Pct(0.5), u.lat.Pct(0.99), u.lat.Max(), u.rate / raw_full, u.batch);
    store->Close();
  }
  bool target = at32.rate >= 5 * raw_full && at32.lat.Pct(0.99) < 10;
  std::printf("target (32 writers >= 5x raw FULL rate, p99 < 10 ms): %s (%.1fx, p99 %.2f ms)\n\n",
              target ? "PASS" : "MISS", at32.rate / raw_full, at32.lat.Pct(0.99));

  // 4. List of 10k keys.
  {
    auto store = OpenStore(dir + "/list.db", false);
    std::string value(1024, 'l');
    const int kKeys = quick ? 2000 : 10000;
    std::vector<std::thread> ts;
    for (int t = 0; t < 8; ++t) {
      ts.emplace_back([&, t] {
        for (int i = t; i < kKeys; i += 8) (void)store->Create("/registry/configmaps/big/cm-" + std::to_string(i), value);
        for (int i = t; i < kKeys / 3; i += 8) (void)store->Update("/registry/configmaps/big/cm-" + std::to_string(i), value, 0);
      });
    }
    for (auto& t : ts) t.join();
    k1s::datastore::ListOptions o;
    o.prefix = "/registry/configmaps/big/";
    std::vector<double> full_ms;
    size_t n = 0;
    for (int i = 0; i < 5; ++i) {
      auto t0 = steady_clock::now();
      auto l = store->List(o);
      full_ms.push_back(Since(t0));
      n = l->items.size();
    }
    std::sort(full_ms.begin(), full_ms.end());
    auto t0 = steady_clock::now();
    o.limit = 500;
    size_t paged = 0;
    for (;;) {
      auto l = store->List(o);
      paged += l->items.size();
      if (!l->more) break;
      o.continue_token = l->continue_token;
    }
    double paged_ms = Since(t0);
    Latencies get;
    for (int i = 0; i < 5000; ++i) {
      auto g0 = steady_clock::now();
      (void)store->Get("/registry/configmaps/big/cm-" + std::to_string(i * 7 % kKeys));
      get.ms.push_back(Since(g0));
    }
    std::printf("List of %zu keys (1 KiB, with history): full %.1f ms (median of 5), paged by 500: %.1f ms (%zu keys); "
                "Get p50 %.3f ms p99 %.3f ms\n\n",
                n, full_ms[2], paged_ms, paged, get.Pct(0.5), get.Pct(0.99));
    store->Close();
  }

  // 5. Watch fan-out.
  {
    auto store = OpenStore(dir + "/watch.db", true);
    const int kWatchers = 100, kWrites = quick ? 2000 : 10000;
    std::atomic<int> done{0};
    std::vector<std::thread> ws;
    std::vector<Latencies> delays(kWatchers);
    std::atomic<bool> order_ok{true};
    std::mutex ack_mu;
    std::map<Revision, steady_clock::time_point> acked;
    std::vector<std::unique_ptr<k1s::datastore::WatchStream>> streams;
    for (int i = 0; i < kWatchers; ++i) streams.push_back(std::move(*store->Watch("/w/", 0)));
    auto start = steady_clock::now();
    for (int i = 0; i < kWatchers; ++i) {
      ws.emplace_back([&, i] {
        Revision expect = 1;
        while (expect <= kWrites) {
          auto ev = streams[i]->Next(seconds(10));
          if (!ev.ok() || ev->empty()) {
            order_ok = false;
            break;
          }
          auto now = steady_clock::now();
          for (auto& e : *ev) {
            if (e.revision != expect) order_ok = false;
            expect = e.revision + 1;
            std::lock_guard lock(ack_mu);
            auto it = acked.find(e.revision);
            if (it != acked.end()) delays[i].ms.push_back(duration<double, std::milli>(now - it->second).count());
          }
        }
        done++;
      });
    }
    std::vector<std::thread> writers;
    std::atomic<int> seq{0};
    for (int t = 0; t < 8; ++t) {
      writers.emplace_back([&] {
        for (int i; (i = seq++) < kWrites;) {
          auto r = store->Create("/w/" + std::to_string(i), "x");
          auto now = steady_clock::now();
          std::lock_guard lock(ack_mu);
          if (r.ok()) acked[r->mod_revision] = now;
        }
      });
    }
    for (auto& t : writers) t.join();
    for (auto& t : ws) t.join();
    double total_ms = Since(start);
    Latencies all;
    for (auto& d : delays) all.ms.insert(all.ms.end(), d.ms.begin(), d.ms.end());
    std::printf("Watch fan-out: %d writes from 8 writers to %d watchers: all delivered in %.0f ms, %.0f events/s "
                "delivered; ack->receipt p50 %.2f ms p99 %.2f ms\n",
                kWrites, kWatchers, total_ms, kWrites * static_cast<double>(kWatchers) / (total_ms / 1000),
                all.Pct(0.5), all.Pct(0.99));
    std::printf("every watcher saw every revision once, in order: %s\n\n", order_ok ? "yes" : "NO");
    store->Close();
    if (!order_ok) return 1;
  }

  // 6. Churn with automatic compaction: the file stops growing.
  {
    auto store = OpenStore(dir + "/churn.db", true, 1000, milliseconds(200));
    const int kOps = quick ? 4000 : 20000;
    std::string value(1024, 'c');
    std::atomic<int> seq{0};
    std::atomic<double> max_ms{0};
    std::printf("Churn (create+delete, 8 writers, retain 1000 revisions, compaction every 200 ms):\n");
    auto report = [&](int ops) {
      auto st = store->Stats();
      std::printf("  after %6d ops: db %7.2f MB + wal %6.2f MB, %lld rows compacted\n", ops, st.db_bytes / 1048576.0,
                  st.wal_bytes / 1048576.0, static_cast<long long>(st.compacted_rows));
    };
    report(0);
    for (int phase = 0; phase < 4; ++phase) {
      std::vector<std::thread> ts;
      for (int t = 0; t < 8; ++t) {
        ts.emplace_back([&] {
          for (int i; (i = seq++) < kOps * (phase + 1) / 4;) {
            std::string key = "/churn/" + std::to_string(i);
            auto t0 = steady_clock::now();
            (void)store->Create(key, value);
            (void)store->Delete(key, 0);
            double ms = Since(t0) / 2;
            double prev = max_ms.load();
            while (ms > prev && !max_ms.compare_exchange_weak(prev, ms)) {
            }
          }
        });
      }
      for (auto& t : ts) t.join();
      std::this_thread::sleep_for(milliseconds(300));
      report(kOps * (phase + 1) / 4);
    }
    std::printf("  max write latency during churn and compaction: %.2f ms\n", max_ms.load());
    store->Close();
  }
  if (own_dir) (void)k1s::RemoveAll(dir);
  return 0;
}
