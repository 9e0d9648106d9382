#include "server/latency_samples.h"

#include <gtest/gtest.h>

namespace laminar::server {
namespace {

TEST(LatencySamplesTest, PercentilesAreNearestRankInMicroseconds) {
  LatencySamples samples;
  // 1 .. 100 microseconds, added out of order.
  for (int i = 100; i >= 1; --i) samples.Add(int64_t{i} * 1000);
  EXPECT_EQ(samples.count(), 100u);
  EXPECT_DOUBLE_EQ(*samples.PercentileMicros(50), 50.0);
  EXPECT_DOUBLE_EQ(*samples.PercentileMicros(99), 99.0);
  EXPECT_DOUBLE_EQ(*samples.PercentileMicros(100), 100.0);
  EXPECT_DOUBLE_EQ(*samples.PercentileMicros(0.1), 1.0);
}

TEST(LatencySamplesTest, OneSampleIsEveryPercentile) {
  LatencySamples samples;
  samples.Add(1500);
  EXPECT_DOUBLE_EQ(*samples.PercentileMicros(50), 1.5);
  EXPECT_DOUBLE_EQ(*samples.PercentileMicros(99), 1.5);
}

TEST(LatencySamplesTest, NoSamplesGiveNoPercentile) {
  LatencySamples samples;
  EXPECT_FALSE(samples.PercentileMicros(50).has_value());
}

}  // namespace
}  // namespace laminar::server
