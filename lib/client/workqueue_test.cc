#include "lib/client/workqueue.h"

#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

namespace k1s::client {
namespace {

using std::chrono::milliseconds;

TEST(WorkQueue, AddingAQueuedKeyTwiceQueuesItOnce) {
  WorkQueue q;
  q.Add("a");
  q.Add("b");
  q.Add("a");
  EXPECT_EQ(q.Len(), 2u);
  EXPECT_EQ(q.Get(), "a");
  EXPECT_EQ(q.Get(), "b");
  EXPECT_EQ(q.Len(), 0u);
}

TEST(WorkQueue, AKeyBeingProcessedIsHandedOutAgainOnlyAfterDone) {
  WorkQueue q;
  q.Add("a");
  auto first = q.Get();
  ASSERT_EQ(first, "a");
  q.Add("a");  // changed while being processed
  q.Add("a");
  EXPECT_EQ(q.Len(), 0u);
  EXPECT_EQ(q.Get(milliseconds(20)), std::nullopt);
  q.Done("a");
  EXPECT_EQ(q.Len(), 1u);
  EXPECT_EQ(q.Get(), "a");
  q.Done("a");
  EXPECT_EQ(q.Len(), 0u);
}

TEST(WorkQueue, AddAfterHandsTheKeyOutLater) {
  WorkQueue q;
  auto start = std::chrono::steady_clock::now();
  q.AddAfter("a", milliseconds(30));
  EXPECT_EQ(q.Len(), 0u);
  EXPECT_EQ(q.Get(milliseconds(10000)), "a");
  EXPECT_GE(std::chrono::steady_clock::now() - start, milliseconds(30));
}

TEST(WorkQueue, AddAfterKeepsTheEarliestOfSeveralDelays) {
  WorkQueue q;
  q.AddAfter("a", std::chrono::hours(1));
  q.AddAfter("a", milliseconds(1));
  EXPECT_EQ(q.Get(milliseconds(10000)), "a");
  q.Done("a");
  EXPECT_EQ(q.Get(milliseconds(20)), std::nullopt);
}

TEST(WorkQueue, AddRateLimitedCountsFailuresAndForgetResetsThem) {
  WorkQueue q(WorkQueueOptions{"test", milliseconds(1), milliseconds(4)});
  for (int i = 0; i < 5; ++i) {
    q.AddRateLimited("a");
    EXPECT_EQ(q.Get(milliseconds(10000)), "a");
    q.Done("a");
  }
  EXPECT_EQ(q.NumRequeues("a"), 5);
  q.Forget("a");
  EXPECT_EQ(q.NumRequeues("a"), 0);
}

TEST(WorkQueue, AddRateLimitedDelaysByTheBackoff) {
  WorkQueue q(WorkQueueOptions{"test", std::chrono::hours(1), std::chrono::hours(2)});
  q.AddRateLimited("slow");
  EXPECT_EQ(q.Get(milliseconds(20)), std::nullopt);
  q.Add("slow");  // a real change still runs at once
  EXPECT_EQ(q.Get(milliseconds(10000)), "slow");
}

TEST(WorkQueue, ShutDownWakesBlockedWorkersAndRefusesKeys) {
  WorkQueue q;
  std::atomic<int> woke{0};
  std::vector<std::thread> workers;
  for (int i = 0; i < 3; ++i) {
    workers.emplace_back([&] {
      if (!q.Get().has_value()) ++woke;
    });
  }
  std::this_thread::sleep_for(milliseconds(20));
  q.ShutDown();
  for (auto& t : workers) t.join();
  EXPECT_EQ(woke, 3);
  q.Add("late");
  EXPECT_EQ(q.Len(), 0u);
  EXPECT_TRUE(q.ShuttingDown());
}

TEST(WorkQueue, ConcurrentWorkersNeverProcessOneKeyAtOnce) {
  WorkQueue q;
  std::mutex mu;
  std::set<std::string> busy;
  std::atomic<bool> overlap{false};
  std::atomic<int> processed{0};
  std::thread runner([&] {
    RunWorkers(q, 4, [&](const std::string& key) -> Status {
      {
        std::lock_guard<std::mutex> lock(mu);
        if (!busy.insert(key).second) overlap = true;
      }
      std::this_thread::sleep_for(std::chrono::microseconds(200));
      {
        std::lock_guard<std::mutex> lock(mu);
        busy.erase(key);
      }
      ++processed;
      return OkStatus();
    });
  });
  for (int i = 0; i < 300; ++i) q.Add("k" + std::to_string(i % 3));
  for (int i = 0; i < 1000 && q.Len() > 0; ++i) std::this_thread::sleep_for(milliseconds(5));
  std::this_thread::sleep_for(milliseconds(20));
  q.ShutDown();
  runner.join();
  EXPECT_FALSE(overlap);
  EXPECT_GE(processed, 3);
}

TEST(WorkQueue, RunWorkersRetriesFailedKeysUntilTheySucceed) {
  WorkQueue q(WorkQueueOptions{"test", milliseconds(1), milliseconds(10)});
  std::atomic<int> calls{0};
  std::atomic<bool> done{false};
  std::thread runner([&] {
    RunWorkers(q, 2, [&](const std::string&) -> Status {
      if (++calls < 3) return Fail(ErrorCode::kConflict, "try again");
      done = true;
      return OkStatus();
    });
  });
  q.Add("a");
  for (int i = 0; i < 1000 && !done; ++i) std::this_thread::sleep_for(milliseconds(5));
  EXPECT_TRUE(done);
  q.ShutDown();
  runner.join();
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(q.NumRequeues("a"), 0);  // forgotten after success
}

TEST(WorkQueue, RunWorkersSurvivesAThrowingSyncAndRetriesTheKeyWithBackoff) {
  WorkQueue q(WorkQueueOptions{"thrower", milliseconds(1), milliseconds(10)});
  std::atomic<int> bad_calls{0};
  std::atomic<bool> good_done{false};
  std::thread runner([&] {
    RunWorkers(q, 1, [&](const std::string& key) -> Status {
      if (key == "bad") {
        ++bad_calls;
        throw std::out_of_range("stoll");
      }
      good_done = true;
      return OkStatus();
    });
  });
  q.Add("bad");
  q.Add("good");
  for (int i = 0; i < 1000 && (!good_done || bad_calls < 3); ++i) std::this_thread::sleep_for(milliseconds(5));
  EXPECT_TRUE(good_done);
  EXPECT_GE(bad_calls, 3);               // retried, not dropped
  EXPECT_GE(q.NumRequeues("bad"), 2);    // with backoff
  q.ShutDown();
  runner.join();
}

}  // namespace
}  // namespace k1s::client
