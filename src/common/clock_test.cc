#include "common/clock.h"

#include <gtest/gtest.h>

namespace laminar {
namespace {

TEST(ClockTest, SystemClockIsNearRealTimeAndMonotonic) {
  Clock* clock = Clock::System();
  // After 2020-01-01 and before 2100-01-01.
  EXPECT_GT(clock->NowMicros(), int64_t{1'577'836'800'000'000});
  EXPECT_LT(clock->NowMicros(), int64_t{4'102'444'800'000'000});
  const int64_t first = clock->MonotonicNanos();
  EXPECT_LE(first, clock->MonotonicNanos());
}

TEST(ClockTest, ManualClockMovesOnlyWhenTold) {
  ManualClock clock(1'000);
  EXPECT_EQ(clock.NowMicros(), 1'000);
  EXPECT_EQ(clock.MonotonicNanos(), 0);
  clock.AdvanceMicros(500);
  EXPECT_EQ(clock.NowMicros(), 1'500);
  EXPECT_EQ(clock.MonotonicNanos(), 500'000);
}

TEST(ClockTest, ManualWallClockMayGoBackButMonotonicDoesNot) {
  ManualClock clock(10'000);
  clock.SetNowMicros(4'000);
  EXPECT_EQ(clock.NowMicros(), 4'000);
  EXPECT_EQ(clock.MonotonicNanos(), 0);
  clock.SetNowMicros(5'000);
  EXPECT_EQ(clock.MonotonicNanos(), 1'000'000);
}

}  // namespace
}  // namespace laminar
