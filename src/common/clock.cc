#include "common/clock.h"

#include <ctime>

#include "common/check.h"

namespace laminar {
namespace {

int64_t ReadClock(clockid_t id, int64_t divisor) {
  timespec ts{};
  clock_gettime(id, &ts);
  return (static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec) / divisor;
}

}  // namespace

Clock* Clock::System() {
  static SystemClock clock;
  return &clock;
}

int64_t SystemClock::NowMicros() const { return ReadClock(CLOCK_REALTIME, 1000); }

int64_t SystemClock::MonotonicNanos() const { return ReadClock(CLOCK_MONOTONIC, 1); }

void ManualClock::AdvanceMicros(int64_t micros) {
  LAMINAR_CHECK(micros >= 0);
  now_micros_.fetch_add(micros, std::memory_order_acq_rel);
  monotonic_nanos_.fetch_add(micros * 1000, std::memory_order_acq_rel);
}

void ManualClock::SetNowMicros(int64_t micros) {
  const int64_t before = now_micros_.exchange(micros, std::memory_order_acq_rel);
  if (micros > before) {
    monotonic_nanos_.fetch_add((micros - before) * 1000, std::memory_order_acq_rel);
  }
}

}  // namespace laminar
