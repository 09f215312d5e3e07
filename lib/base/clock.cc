#include "lib/base/clock.h"

namespace k1s {
Clock& SystemClock() {
  static RealClock clock;
  return clock;
}
}  // namespace k1s
