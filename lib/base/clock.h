// Clock: the one seam for time, so code that waits or expires can be tested with a FakeClock
// (tests/fakes/fake_clock.h). RealClock is stateless and safe from any thread.
#pragma once

#include <chrono>
#include <cstdint>

namespace k1s {

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time (for timestamps, expiry stored on disk).
  virtual std::chrono::system_clock::time_point Now() const = 0;
  // Monotonic time (for intervals and timeouts).
  virtual std::chrono::steady_clock::time_point Monotonic() const = 0;
  int64_t NowUnixMillis() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Now().time_since_epoch()).count();
  }
};

class RealClock final : public Clock {
 public:
  std::chrono::system_clock::time_point Now() const override { return std::chrono::system_clock::now(); }
  std::chrono::steady_clock::time_point Monotonic() const override { return std::chrono::steady_clock::now(); }
};

// The process's real clock, for code that has no injected one.
Clock& SystemClock();

}  // namespace k1s
