#include "stream/ring_buffer.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace laminar::stream {
namespace {

TEST(RingBufferTest, CapacityThatIsNotAPowerOfTwoIsInvalidAndNamed) {
  Status status = ValidateRingCapacity(1000);
  EXPECT_EQ(status.code(), ErrorCode::kInvalidConfiguration);
  EXPECT_NE(status.message().find("1000"), std::string_view::npos) << status;
}

TEST(RingBufferTest, CapacityOutsideTheSupportedRangeIsInvalid) {
  EXPECT_EQ(ValidateRingCapacity(0).code(), ErrorCode::kInvalidConfiguration);
  EXPECT_EQ(ValidateRingCapacity(1).code(), ErrorCode::kInvalidConfiguration);
  EXPECT_EQ(ValidateRingCapacity(kMaxRingCapacity * 2).code(), ErrorCode::kInvalidConfiguration);
  EXPECT_TRUE(ValidateRingCapacity(2).ok());
  EXPECT_TRUE(ValidateRingCapacity(kMaxRingCapacity).ok());
}

TEST(RingBufferTest, PositionsAreCacheLinePadded) {
  RingBuffer<uint64_t> ring(4, ConsumerMode::kExclusive);
  EXPECT_GE(sizeof(ring), 3 * kCacheLineSize);
}

class RingBufferModeTest : public ::testing::TestWithParam<ConsumerMode> {};

TEST_P(RingBufferModeTest, FullAndEmptyEdges) {
  RingBuffer<uint64_t> ring(4, GetParam());
  std::vector<uint64_t> out;
  auto sink = [&out](uint64_t&& item) { out.push_back(item); };
  EXPECT_FALSE(ring.HasReadable());
  EXPECT_EQ(ring.Consume(10, sink), 0u);
  for (uint64_t i = 0; i < 4; ++i) {
    uint64_t value = i;
    ASSERT_TRUE(ring.TryPushSingleProducer(value));
  }
  EXPECT_FALSE(ring.HasSpace());
  EXPECT_EQ(ring.SizeApprox(), 4u);
  uint64_t extra = 99;
  EXPECT_FALSE(ring.TryPushSingleProducer(extra));
  EXPECT_FALSE(ring.TryPushMultiProducer(extra));
  EXPECT_EQ(ring.Consume(1, sink), 1u);
  EXPECT_TRUE(ring.HasSpace());
  EXPECT_TRUE(ring.TryPushMultiProducer(extra));
  EXPECT_FALSE(ring.TryPushMultiProducer(extra));
  EXPECT_EQ(ring.Consume(10, sink), 4u);
  EXPECT_EQ(out, (std::vector<uint64_t>{0, 1, 2, 3, 99}));
  EXPECT_EQ(ring.SizeApprox(), 0u);
  EXPECT_FALSE(ring.HasReadable());
}

TEST_P(RingBufferModeTest, FifoAcrossManyWrapAroundsInBothProducerModes) {
  RingBuffer<uint64_t> ring(8, GetParam());
  uint64_t next_in = 0;
  uint64_t next_out = 0;
  auto sink = [&next_out](uint64_t&& item) { ASSERT_EQ(item, next_out++); };
  for (int round = 0; round < 10'000; ++round) {
    const int pushes = 1 + round % 8;
    for (int i = 0; i < pushes; ++i) {
      uint64_t value = next_in;
      if ((round & 1) == 0 ? ring.TryPushSingleProducer(value) : ring.TryPushMultiProducer(value)) {
        ++next_in;
      }
    }
    ring.Consume(1 + round % 5, sink);
  }
  ring.Consume(8, sink);
  EXPECT_EQ(next_in, next_out);
  EXPECT_GT(next_out, 8u * 1000) << "wrapped around many times";
}

TEST_P(RingBufferModeTest, RunsPushTheLongestPrefixThatFits) {
  RingBuffer<std::string> ring(4, GetParam());
  std::vector<std::string> items = {"a", "b", "c"};
  EXPECT_EQ(ring.TryPushRun(items.data(), items.size(), /*multi_producer=*/false), 3u);
  EXPECT_TRUE(items[0].empty()) << "moved into the ring";
  std::vector<std::string> more = {"d", "e", "f"};
  EXPECT_EQ(ring.TryPushRun(more.data(), more.size(), /*multi_producer=*/true), 1u);
  EXPECT_EQ(more[1], "e") << "items that did not fit stay with the caller";
  EXPECT_EQ(ring.TryPushRun(more.data() + 1, 2, /*multi_producer=*/false), 0u);
  std::vector<std::string> out;
  EXPECT_EQ(ring.Consume(2, [&out](std::string&& item) { out.push_back(item); }), 2u);
  EXPECT_EQ(ring.TryPushRun(more.data() + 1, 2, /*multi_producer=*/true), 2u);
  ring.Consume(10, [&out](std::string&& item) { out.push_back(item); });
  EXPECT_EQ(out, (std::vector<std::string>{"a", "b", "c", "d", "e", "f"}));
}

TEST_P(RingBufferModeTest, RunsKeepFifoOrderAcrossWrapArounds) {
  RingBuffer<uint64_t> ring(8, GetParam());
  uint64_t next_in = 0;
  uint64_t next_out = 0;
  auto sink = [&next_out](uint64_t&& item) { ASSERT_EQ(item, next_out++); };
  std::vector<uint64_t> run;
  for (int round = 0; round < 10'000; ++round) {
    run.clear();
    for (int i = 0; i < 1 + round % 11; ++i) run.push_back(next_in + i);
    next_in += ring.TryPushRun(run.data(), run.size(), /*multi_producer=*/(round & 1) != 0);
    ring.Consume(1 + round % 7, sink);
  }
  ring.Consume(8, sink);
  EXPECT_EQ(next_in, next_out);
  EXPECT_GT(next_out, 8u * 1000) << "wrapped around many times";
}

INSTANTIATE_TEST_SUITE_P(BothConsumerModes, RingBufferModeTest,
                         ::testing::Values(ConsumerMode::kExclusive, ConsumerMode::kShared));

TEST(RingBufferTest, DiscardOldestMakesRoomOnlyWhenFull) {
  RingBuffer<uint64_t> ring(2, ConsumerMode::kShared);
  uint64_t value = 1;
  ASSERT_TRUE(ring.TryPushSingleProducer(value));
  using Outcome = RingBuffer<uint64_t>::DiscardOutcome;
  EXPECT_EQ(ring.DiscardOldest(ring.tail()), Outcome::kNotFull);
  value = 2;
  ASSERT_TRUE(ring.TryPushSingleProducer(value));
  EXPECT_EQ(ring.DiscardOldest(ring.tail()), Outcome::kDiscarded);
  value = 3;
  ASSERT_TRUE(ring.TryPushSingleProducer(value));
  std::vector<uint64_t> out;
  EXPECT_EQ(ring.Consume(10, [&out](uint64_t&& item) { out.push_back(item); }), 2u);
  EXPECT_EQ(out, (std::vector<uint64_t>{2, 3}));
}

TEST(RingBufferTest, QueuedItemsAreDestroyedWithTheRing) {
  auto payload = std::make_shared<int>(7);
  {
    RingBuffer<std::shared_ptr<int>> ring(4, ConsumerMode::kExclusive);
    for (int i = 0; i < 3; ++i) {
      std::shared_ptr<int> copy = payload;
      ASSERT_TRUE(ring.TryPushSingleProducer(copy));
      EXPECT_EQ(copy, nullptr) << "moved into the ring";
    }
    ring.Consume(1, [](std::shared_ptr<int>&&) {});
    EXPECT_EQ(payload.use_count(), 3);
  }
  EXPECT_EQ(payload.use_count(), 1);
}

TEST(RingBufferTest, FailedPushLeavesTheValueUntouched) {
  RingBuffer<std::string> ring(2, ConsumerMode::kExclusive);
  std::string a = "a", b = "b", c = "c";
  ASSERT_TRUE(ring.TryPushSingleProducer(a));
  ASSERT_TRUE(ring.TryPushSingleProducer(b));
  EXPECT_FALSE(ring.TryPushSingleProducer(c));
  EXPECT_EQ(c, "c");
}

}  // namespace
}  // namespace laminar::stream
