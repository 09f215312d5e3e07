// Clock: the one seam for time, so code that waits or expires can be tested with a FakeClock
// (tests/fakes/fake_clock.h). RealClock is stateless and safe from any thread.
#pragma once

#include <chrono>
#include <cstdint>

namespace k1s {

// The longest span ClampedSeconds gives: 100 years, "effectively forever" for any timeout or grace period.
inline constexpr std::chrono::seconds kClampedSecondsMax{int64_t{100} * 365 * 24 * 3600};

// A count of seconds taken from an API object or request (gracePeriodSeconds, activeDeadlineSeconds,
// tolerationSeconds, ...) as a duration clamped to +-kClampedSecondsMax, so that converting it to
// nanoseconds or adding it to any clock's now cannot overflow. Use it instead of std::chrono::seconds(n)
// whenever n came from a user.
inline std::chrono::seconds ClampedSeconds(int64_t seconds) {
  const int64_t max = kClampedSecondsMax.count();
  return std::chrono::seconds(seconds > max ? max : seconds < -max ? -max : seconds);
}

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
