// Eventually: polls a condition every 20 ms until it holds or the timeout passes, then gives it one last
// look; for tests of asynchronous code (controllers, informers). Header-only; the calling test's thread.
#pragma once

#include <chrono>
#include <thread>

namespace k1s::testutil {

template <typename Pred>
bool Eventually(Pred pred, std::chrono::milliseconds timeout = std::chrono::milliseconds(5000)) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return pred();
}

}  // namespace k1s::testutil
