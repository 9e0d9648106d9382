#include "stream/channel.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <latch>
#include <memory>
#include <span>
#include <string>
#include <thread>
#include <vector>

namespace laminar::stream {
namespace {

#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
constexpr uint64_t kStressItemsPerProducer = 50'000;
#else
constexpr uint64_t kStressItemsPerProducer = 200'000;
#endif

/// An item that says who pushed it and in which order: producer id in the high 32 bits.
uint64_t MakeItem(uint64_t producer, uint64_t sequence) { return (producer << 32) | sequence; }
uint64_t ProducerOf(uint64_t item) { return item >> 32; }
uint64_t SequenceOf(uint64_t item) { return item & 0xffffffffu; }

std::unique_ptr<Channel<uint64_t>> MakeChannel(size_t capacity, Backpressure backpressure,
                                               WaitStrategy wait = WaitStrategy::SpinYield(100)) {
  ChannelOptions options;
  options.capacity = capacity;
  options.backpressure = backpressure;
  options.wait_strategy = wait;
  auto channel = Channel<uint64_t>::Create(options);
  EXPECT_TRUE(channel.ok()) << channel.status();
  return std::move(channel).value();
}

/// Waits (yielding) until `condition` holds. For states another thread reaches by itself.
template <typename Condition>
void YieldUntil(const Condition& condition) {
  while (!condition()) std::this_thread::yield();
}

/// Checks that `received` holds, per producer, exactly 0..count-1 in order.
void ExpectEveryItemOnceInProducerOrder(const std::vector<uint64_t>& received, uint64_t producers,
                                        uint64_t count) {
  ASSERT_EQ(received.size(), producers * count);
  std::vector<uint64_t> next(producers, 0);
  for (uint64_t item : received) {
    const uint64_t producer = ProducerOf(item);
    ASSERT_LT(producer, producers);
    ASSERT_EQ(SequenceOf(item), next[producer]) << "producer " << producer;
    ++next[producer];
  }
  for (uint64_t producer = 0; producer < producers; ++producer) {
    EXPECT_EQ(next[producer], count);
  }
}

TEST(ChannelTest, CreateRejectsCapacityThatIsNotAPowerOfTwo) {
  ChannelOptions options;
  options.capacity = 1000;
  auto channel = Channel<uint64_t>::Create(options);
  ASSERT_FALSE(channel.ok());
  EXPECT_EQ(channel.status().code(), ErrorCode::kInvalidConfiguration);
  EXPECT_NE(channel.status().message().find("1000"), std::string_view::npos);
}

TEST(ChannelTest, CreateRejectsCapacityAboveTheMaximum) {
  ChannelOptions options;
  options.capacity = kMaxRingCapacity << 1;
  EXPECT_EQ(Channel<uint64_t>::Create(options).status().code(), ErrorCode::kInvalidConfiguration);
  options.capacity = 65536;
  options.clock = nullptr;
  EXPECT_EQ(Channel<uint64_t>::Create(options).status().code(), ErrorCode::kInvalidConfiguration);
}

TEST(ChannelTest, PopsInFifoOrder) {
  auto channel = MakeChannel(16, Backpressure::kBlock);
  auto producer = channel->CreateProducer();
  for (uint64_t i = 0; i < 10; ++i) ASSERT_TRUE(producer.Push(uint64_t{i}).ok());
  for (uint64_t i = 0; i < 10; ++i) {
    std::optional<uint64_t> item = channel->TryPop();
    ASSERT_TRUE(item.has_value());
    EXPECT_EQ(*item, i);
  }
  EXPECT_FALSE(channel->TryPop().has_value());
}

TEST(ChannelTest, WrapsAroundManyTimesKeepingOrder) {
  auto channel = MakeChannel(4, Backpressure::kReject);
  auto producer = channel->CreateProducer();
  uint64_t next_in = 0;
  uint64_t next_out = 0;
  std::vector<uint64_t> batch;
  for (int round = 0; round < 20'000; ++round) {
    for (int i = 0; i < 1 + round % 4; ++i) ASSERT_TRUE(producer.Push(uint64_t{next_in++}).ok());
    batch.clear();
    channel->PopBatch(batch, 4);
    for (uint64_t item : batch) ASSERT_EQ(item, next_out++);
  }
  EXPECT_EQ(next_in, next_out);
  EXPECT_EQ(channel->pushed(), next_in);
  EXPECT_EQ(channel->popped(), next_out);
}

TEST(ChannelTest, FullAndEmptyEdges) {
  auto channel = MakeChannel(4, Backpressure::kReject);
  auto producer = channel->CreateProducer();
  EXPECT_EQ(channel->size(), 0u);
  EXPECT_FALSE(channel->TryPop().has_value());
  for (uint64_t i = 0; i < 4; ++i) ASSERT_TRUE(producer.Push(uint64_t{i}).ok());
  EXPECT_EQ(channel->size(), 4u);
  EXPECT_EQ(producer.TryPush(4).code(), ErrorCode::kQueueFull);
  EXPECT_EQ(channel->TryPop(), 0u);
  EXPECT_TRUE(producer.TryPush(4).ok());
  EXPECT_EQ(channel->size(), 4u);
  uint64_t out[8] = {};
  EXPECT_EQ(channel->PopBatch(out, 8), 4u);
  EXPECT_EQ(out[0], 1u);
  EXPECT_EQ(out[3], 4u);
  EXPECT_EQ(channel->size(), 0u);
  EXPECT_EQ(channel->capacity(), 4u);
}

TEST(ChannelTest, PopBatchTakesAtMostMax) {
  auto channel = MakeChannel(64, Backpressure::kBlock);
  auto producer = channel->CreateProducer();
  for (uint64_t i = 0; i < 50; ++i) ASSERT_TRUE(producer.Push(uint64_t{i}).ok());
  std::vector<uint64_t> out;
  EXPECT_EQ(channel->PopBatch(out, 32), 32u);
  EXPECT_EQ(channel->PopBatch(out, 32), 18u);
  EXPECT_EQ(channel->PopBatch(out, 32), 0u);
  ASSERT_EQ(out.size(), 50u);
  for (uint64_t i = 0; i < 50; ++i) EXPECT_EQ(out[i], i);
}

TEST(ChannelTest, RejectPolicyFailsWithQueueFullAndCounts) {
  auto channel = MakeChannel(2, Backpressure::kReject);
  auto producer = channel->CreateProducer();
  ASSERT_TRUE(producer.Push(1).ok());
  ASSERT_TRUE(producer.Push(2).ok());
  Status status = producer.Push(3);
  EXPECT_EQ(status.code(), ErrorCode::kQueueFull);
  EXPECT_EQ(status.ToString().substr(0, 8), "LDB-3009");
  EXPECT_EQ(channel->rejected(), 1u);
  EXPECT_EQ(channel->pushed(), 2u);
  EXPECT_EQ(channel->TryPop(), 1u);
  EXPECT_EQ(channel->TryPop(), 2u);
}

TEST(ChannelTest, RejectedPushLeavesTheValueWithTheCaller) {
  ChannelOptions options;
  options.capacity = 2;
  options.backpressure = Backpressure::kReject;
  auto channel = std::move(Channel<std::string>::Create(options)).value();
  auto producer = channel->CreateProducer();
  ASSERT_TRUE(producer.Push("a").ok());
  ASSERT_TRUE(producer.Push("b").ok());
  std::string value = "keep me";
  EXPECT_EQ(producer.Push(std::move(value)).code(), ErrorCode::kQueueFull);
  EXPECT_EQ(value, "keep me");
}

TEST(ChannelTest, DropOldestKeepsTheNewestItemsAndCountsDrops) {
  auto channel = MakeChannel(4, Backpressure::kDropOldest);
  auto producer = channel->CreateProducer();
  for (uint64_t i = 0; i < 10; ++i) ASSERT_TRUE(producer.Push(uint64_t{i}).ok());
  EXPECT_EQ(channel->dropped(), 6u);
  std::vector<uint64_t> out;
  channel->PopBatch(out, 10);
  EXPECT_EQ(out, (std::vector<uint64_t>{6, 7, 8, 9}));
  EXPECT_EQ(channel->pushed(), 10u);
  EXPECT_EQ(channel->popped(), 4u);
}

TEST(ChannelTest, DropOldestDestroysDroppedItems) {
  ChannelOptions options;
  options.capacity = 2;
  options.backpressure = Backpressure::kDropOldest;
  auto channel = std::move(Channel<std::shared_ptr<int>>::Create(options)).value();
  auto producer = channel->CreateProducer();
  auto first = std::make_shared<int>(1);
  std::weak_ptr<int> watch = first;
  ASSERT_TRUE(producer.Push(std::move(first)).ok());
  ASSERT_TRUE(producer.Push(std::make_shared<int>(2)).ok());
  ASSERT_TRUE(producer.Push(std::make_shared<int>(3)).ok());
  EXPECT_TRUE(watch.expired());
  EXPECT_EQ(channel->dropped(), 1u);
}

TEST(ChannelTest, DropOldestUnderConcurrencyLosesOnlyCountedItems) {
  auto channel = MakeChannel(16, Backpressure::kDropOldest);
  auto first = channel->CreateProducer();
  auto second = first.Clone();
  const uint64_t count = kStressItemsPerProducer / 4;
  std::vector<std::thread> threads;
  std::vector<ChannelProducer<uint64_t>> producers;
  producers.push_back(std::move(first));
  producers.push_back(std::move(second));
  for (uint64_t id = 0; id < 2; ++id) {
    threads.emplace_back([&producers, id, count] {
      for (uint64_t i = 0; i < count; ++i) {
        ASSERT_TRUE(producers[id].Push(MakeItem(id, i)).ok());
      }
    });
  }
  std::vector<uint64_t> received;
  std::vector<uint64_t> batch;
  auto drain = [&] {
    batch.clear();
    channel->PopBatch(batch, 7);
    received.insert(received.end(), batch.begin(), batch.end());
  };
  std::atomic<bool> producers_done{false};
  std::thread joiner([&] {
    for (std::thread& thread : threads) thread.join();
    producers_done.store(true);
  });
  while (!producers_done.load()) drain();
  joiner.join();
  while (channel->size() > 0) drain();

  // Per producer: strictly increasing (no duplicates, order kept); total = pushed - dropped.
  std::vector<int64_t> last(2, -1);
  for (uint64_t item : received) {
    const uint64_t producer = ProducerOf(item);
    ASSERT_LT(producer, 2u);
    ASSERT_GT(static_cast<int64_t>(SequenceOf(item)), last[producer]);
    last[producer] = static_cast<int64_t>(SequenceOf(item));
  }
  EXPECT_EQ(channel->pushed(), 2 * count);
  EXPECT_EQ(received.size() + channel->dropped(), 2 * count);
  EXPECT_EQ(channel->popped(), received.size());
}

TEST(ChannelTest, BlockPolicyProducerWaitsUntilTheConsumerMakesRoom) {
  auto channel = MakeChannel(2, Backpressure::kBlock, WaitStrategy::Park());
  auto producer = channel->CreateProducer();
  ASSERT_TRUE(producer.Push(0).ok());
  ASSERT_TRUE(producer.Push(1).ok());
  std::atomic<bool> third_pushed{false};
  std::thread thread([&] {
    ASSERT_TRUE(producer.Push(2).ok());
    third_pushed.store(true);
  });
  YieldUntil([&] { return channel->parked_producers() == 1; });
  EXPECT_FALSE(third_pushed.load()) << "the producer cannot finish while the channel is full";
  EXPECT_EQ(channel->TryPop(), 0u);
  thread.join();
  EXPECT_TRUE(third_pushed.load());
  EXPECT_EQ(channel->TryPop(), 1u);
  EXPECT_EQ(channel->TryPop(), 2u);
}

TEST(ChannelTest, PopWaitsForAnItemFromAnotherThread) {
  for (WaitStrategy wait :
       {WaitStrategy::Spin(), WaitStrategy::SpinYield(10), WaitStrategy::Park()}) {
    auto channel = MakeChannel(8, Backpressure::kBlock, wait);
    auto producer = channel->CreateProducer();
    std::thread thread([&] {
      for (uint64_t i = 0; i < 1000; ++i) ASSERT_TRUE(producer.Push(uint64_t{i}).ok());
    });
    for (uint64_t i = 0; i < 1000; ++i) {
      Result<uint64_t> item = channel->Pop();
      ASSERT_TRUE(item.ok()) << item.status();
      ASSERT_EQ(*item, i);
    }
    thread.join();
  }
}

TEST(ChannelTest, AwaitItemsThenPopBatchDrainsEverythingThenReportsClosed) {
  for (WaitStrategy wait : {WaitStrategy::SpinYield(10), WaitStrategy::Park()}) {
    auto channel = MakeChannel(64, Backpressure::kBlock, wait);
    auto producer = channel->CreateProducer();
    const uint64_t count = kStressItemsPerProducer / 4;
    std::thread thread([&] {
      for (uint64_t i = 0; i < count; ++i) ASSERT_TRUE(producer.Push(uint64_t{i}).ok());
      channel->Close();  // From the producer thread, after its last push: nothing is lost.
    });
    std::vector<uint64_t> received;
    Status status;
    while ((status = channel->AwaitItems()).ok()) {
      EXPECT_GT(channel->PopBatch(received, 4096), 0u) << "AwaitItems promised an item";
    }
    EXPECT_EQ(status.code(), ErrorCode::kClosed);
    thread.join();
    ASSERT_EQ(received.size(), count);
    for (uint64_t i = 0; i < count; ++i) ASSERT_EQ(received[i], i);
  }
}

TEST(ChannelTest, PopWithTimeoutTimesOutOnTheChannelClock) {
  ManualClock clock;
  ChannelOptions options;
  options.capacity = 4;
  options.wait_strategy = WaitStrategy::Spin();
  options.clock = &clock;
  auto channel = std::move(Channel<uint64_t>::Create(options)).value();
  EXPECT_EQ(channel->PopWithTimeout(std::chrono::nanoseconds(0)).status().code(),
            ErrorCode::kTimedOut);
  std::latch started(1);
  std::thread thread([&] {
    started.count_down();
    Result<uint64_t> item = channel->PopWithTimeout(std::chrono::milliseconds(5));
    EXPECT_EQ(item.status().code(), ErrorCode::kTimedOut);
  });
  started.wait();
  clock.AdvanceMicros(10'000);
  thread.join();
}

TEST(ChannelTest, PopWithTimeoutReturnsAnAvailableItem) {
  auto channel = MakeChannel(4, Backpressure::kBlock, WaitStrategy::Park());
  auto producer = channel->CreateProducer();
  ASSERT_TRUE(producer.Push(42).ok());
  Result<uint64_t> item = channel->PopWithTimeout(std::chrono::nanoseconds(0));
  ASSERT_TRUE(item.ok());
  EXPECT_EQ(*item, 42u);
  // A parked wait with a real timeout ends with kTimedOut, not a hang.
  EXPECT_EQ(channel->PopWithTimeout(std::chrono::microseconds(100)).status().code(),
            ErrorCode::kTimedOut);
}

TEST(ChannelTest, CloseDrainsPendingItemsThenReportsClosed) {
  auto channel = MakeChannel(8, Backpressure::kBlock);
  auto producer = channel->CreateProducer();
  ASSERT_TRUE(producer.Push(1).ok());
  ASSERT_TRUE(producer.Push(2).ok());
  channel->Close();
  EXPECT_TRUE(channel->closed());
  EXPECT_EQ(*channel->Pop(), 1u);
  EXPECT_EQ(*channel->Pop(), 2u);
  EXPECT_EQ(channel->Pop().status().code(), ErrorCode::kClosed);
  EXPECT_EQ(channel->PopWithTimeout(std::chrono::seconds(1)).status().code(), ErrorCode::kClosed);
}

TEST(ChannelTest, PushAfterCloseFailsWithClosed) {
  for (Backpressure policy :
       {Backpressure::kBlock, Backpressure::kDropOldest, Backpressure::kReject}) {
    auto channel = MakeChannel(8, policy);
    auto producer = channel->CreateProducer();
    channel->Close();
    Status status = producer.Push(1);
    EXPECT_EQ(status.code(), ErrorCode::kClosed) << BackpressureName(policy);
    EXPECT_EQ(status.ToString().substr(0, 8), "LDB-3010");
    EXPECT_EQ(producer.TryPush(1).code(), ErrorCode::kClosed);
    EXPECT_EQ(channel->pushed(), 0u);
  }
}

TEST(ChannelTest, CloseWakesABlockedConsumer) {
  for (WaitStrategy wait : {WaitStrategy::SpinYield(10), WaitStrategy::Park()}) {
    auto channel = MakeChannel(8, Backpressure::kBlock, wait);
    std::latch started(1);
    std::thread thread([&] {
      started.count_down();
      EXPECT_EQ(channel->Pop().status().code(), ErrorCode::kClosed);
    });
    started.wait();
    if (wait.kind == WaitKind::kPark) {
      YieldUntil([&] { return channel->parked_consumers() == 1; });
    }
    channel->Close();
    thread.join();
  }
}

TEST(ChannelTest, CloseWakesABlockedProducer) {
  for (WaitStrategy wait : {WaitStrategy::SpinYield(10), WaitStrategy::Park()}) {
    auto channel = MakeChannel(2, Backpressure::kBlock, wait);
    auto producer = channel->CreateProducer();
    ASSERT_TRUE(producer.Push(0).ok());
    ASSERT_TRUE(producer.Push(1).ok());
    std::latch started(1);
    std::thread thread([&] {
      started.count_down();
      EXPECT_EQ(producer.Push(2).code(), ErrorCode::kClosed);
    });
    started.wait();
    if (wait.kind == WaitKind::kPark) {
      YieldUntil([&] { return channel->parked_producers() == 1; });
    }
    channel->Close();
    thread.join();
    // What was queued before the close is still delivered.
    EXPECT_EQ(*channel->Pop(), 0u);
    EXPECT_EQ(*channel->Pop(), 1u);
    EXPECT_EQ(channel->Pop().status().code(), ErrorCode::kClosed);
  }
}

TEST(ChannelTest, CloneSwitchesToMultiProducerAndKeepsQueuedItems) {
  auto channel = MakeChannel(16, Backpressure::kBlock);
  auto first = channel->CreateProducer();
  ASSERT_TRUE(first.Push(1).ok());
  ASSERT_TRUE(first.Push(2).ok());
  EXPECT_FALSE(channel->multi_producer());
  EXPECT_FALSE(first.multi_producer());
  {
    auto second = first.Clone();
    EXPECT_TRUE(channel->multi_producer());
    EXPECT_TRUE(first.multi_producer());
    EXPECT_TRUE(second.multi_producer());
    EXPECT_EQ(channel->producer_count(), 2u);
    ASSERT_TRUE(second.Push(3).ok());
    ASSERT_TRUE(first.Push(4).ok());
  }
  EXPECT_EQ(channel->producer_count(), 1u);
  EXPECT_TRUE(channel->multi_producer()) << "the switch is never undone";
  std::vector<uint64_t> out;
  channel->PopBatch(out, 16);
  EXPECT_EQ(out, (std::vector<uint64_t>{1, 2, 3, 4}));
}

TEST(ChannelTest, UpgradeWhileItemsAreQueuedLosesNothingAndKeepsProducerOrder) {
  // The first producer pushes from its own thread and clones mid-stream, handing the clone to
  // a second thread; a consumer drains concurrently the whole time.
  auto channel = MakeChannel(64, Backpressure::kBlock);
  auto first = channel->CreateProducer();
  const uint64_t count = kStressItemsPerProducer / 4;
  std::vector<uint64_t> received;
  std::thread consumer([&] {
    while (received.size() < 2 * count) {
      Result<uint64_t> item = channel->Pop();
      ASSERT_TRUE(item.ok());
      received.push_back(*item);
    }
  });
  std::thread second_thread;
  std::thread first_thread([&] {
    for (uint64_t i = 0; i < count; ++i) {
      if (i == count / 2) {
        // Items are queued at this point (the channel is rarely empty under load).
        ChannelProducer<uint64_t> second = first.Clone();
        second_thread = std::thread([second = std::move(second), count]() mutable {
          for (uint64_t j = 0; j < count; ++j) ASSERT_TRUE(second.Push(MakeItem(1, j)).ok());
        });
      }
      ASSERT_TRUE(first.Push(MakeItem(0, i)).ok());
    }
  });
  first_thread.join();
  second_thread.join();
  consumer.join();
  ExpectEveryItemOnceInProducerOrder(received, 2, count);
  EXPECT_TRUE(channel->multi_producer());
}

// Producers push item by item when `max_run` is 1, otherwise with PushBatch in runs of
// 1..max_run items.
void RunStress(WaitStrategy wait, size_t capacity, uint64_t producers, uint64_t count,
               uint64_t max_run = 1) {
  auto channel = MakeChannel(capacity, Backpressure::kBlock, wait);
  std::vector<ChannelProducer<uint64_t>> handles;
  handles.push_back(channel->CreateProducer());
  for (uint64_t id = 1; id < producers; ++id) handles.push_back(handles[0].Clone());
  std::latch start(static_cast<std::ptrdiff_t>(producers + 1));
  std::vector<std::thread> threads;
  for (uint64_t id = 0; id < producers; ++id) {
    threads.emplace_back([&, id] {
      start.arrive_and_wait();
      if (max_run == 1) {
        for (uint64_t i = 0; i < count; ++i) {
          ASSERT_TRUE(handles[id].Push(MakeItem(id, i)).ok());
        }
        return;
      }
      std::vector<uint64_t> run;
      for (uint64_t i = 0; i < count;) {
        run.clear();
        const uint64_t length = std::min(count - i, 1 + (i * 7 + id) % max_run);
        for (uint64_t j = 0; j < length; ++j) run.push_back(MakeItem(id, i + j));
        ASSERT_EQ(handles[id].PushBatch(std::span<uint64_t>(run)), length);
        i += length;
      }
    });
  }
  std::vector<uint64_t> received;
  received.reserve(producers * count);
  std::vector<uint64_t> batch;
  batch.reserve(4096);
  start.arrive_and_wait();
  while (received.size() < producers * count) {
    batch.clear();
    if (channel->PopBatch(batch, 4096) == 0) {
      Result<uint64_t> item = channel->Pop();
      ASSERT_TRUE(item.ok());
      received.push_back(*item);
    }
    received.insert(received.end(), batch.begin(), batch.end());
  }
  for (std::thread& thread : threads) thread.join();
  ExpectEveryItemOnceInProducerOrder(received, producers, count);
  EXPECT_EQ(channel->pushed(), producers * count);
  EXPECT_EQ(channel->popped(), producers * count);
  EXPECT_FALSE(channel->TryPop().has_value());
}

TEST(ChannelTest, StressFourProducersDeliverEveryItemOnceInProducerOrder) {
  RunStress(WaitStrategy::SpinYield(100), 1024, 4, kStressItemsPerProducer);
}

TEST(ChannelTest, StressWithParkingDeliversEveryItemOnce) {
  RunStress(WaitStrategy::Park(), 64, 3, kStressItemsPerProducer / 4);
}

TEST(ChannelTest, StressSingleProducerDeliversEveryItemInOrder) {
  RunStress(WaitStrategy::SpinYield(100), 256, 1, kStressItemsPerProducer);
}

TEST(ChannelTest, StressBatchedPushesFromThreeProducersDeliverEveryItemOnceInOrder) {
  RunStress(WaitStrategy::SpinYield(100), 256, 3, kStressItemsPerProducer, /*max_run=*/100);
}

TEST(ChannelTest, StressBatchedPushesLargerThanTheRingWithParking) {
  RunStress(WaitStrategy::Park(), 16, 1, kStressItemsPerProducer / 4, /*max_run=*/40);
}

TEST(ChannelTest, PushBatchUnderRejectPushesWhatFitsAndCountsTheRest) {
  auto channel = MakeChannel(4, Backpressure::kReject);
  auto producer = channel->CreateProducer();
  std::vector<uint64_t> items = {1, 2, 3, 4, 5, 6};
  EXPECT_EQ(producer.PushBatch(std::span<uint64_t>(items)), 4u);
  EXPECT_EQ(channel->rejected(), 2u);
  std::vector<uint64_t> out;
  channel->PopBatch(out, 10);
  EXPECT_EQ(out, (std::vector<uint64_t>{1, 2, 3, 4}));
}

TEST(ChannelTest, PushBatchUnderDropOldestKeepsTheNewestItems) {
  auto channel = MakeChannel(4, Backpressure::kDropOldest);
  auto producer = channel->CreateProducer();
  std::vector<uint64_t> items = {1, 2, 3, 4, 5, 6};
  EXPECT_EQ(producer.PushBatch(std::span<uint64_t>(items)), 6u);
  EXPECT_EQ(channel->dropped(), 2u);
  std::vector<uint64_t> out;
  channel->PopBatch(out, 10);
  EXPECT_EQ(out, (std::vector<uint64_t>{3, 4, 5, 6}));
}

TEST(ChannelTest, PushBatchStopsWhenTheChannelIsClosed) {
  auto channel = MakeChannel(4, Backpressure::kBlock);
  auto producer = channel->CreateProducer();
  channel->Close();
  std::vector<uint64_t> items = {1, 2};
  EXPECT_EQ(producer.PushBatch(std::span<uint64_t>(items)), 0u);
  EXPECT_EQ(channel->pushed(), 0u);
}

TEST(ChannelTest, QueuedItemsAreDestroyedWithTheChannel) {
  auto payload = std::make_shared<int>(5);
  {
    ChannelOptions options;
    options.capacity = 8;
    auto channel = std::move(Channel<std::shared_ptr<int>>::Create(options)).value();
    auto producer = channel->CreateProducer();
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(producer.Push(std::shared_ptr<int>(payload)).ok());
    EXPECT_EQ(payload.use_count(), 6);
  }
  EXPECT_EQ(payload.use_count(), 1);
}

}  // namespace
}  // namespace laminar::stream
