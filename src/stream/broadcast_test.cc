#include "stream/broadcast.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <latch>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

namespace laminar::stream {
namespace {

#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
constexpr uint64_t kItems = 5'000;
#else
constexpr uint64_t kItems = 50'000;
#endif

ChannelOptions SubscriberOptions(size_t capacity, Backpressure backpressure,
                                 WaitStrategy wait = WaitStrategy::SpinYield(100)) {
  ChannelOptions options;
  options.capacity = capacity;
  options.backpressure = backpressure;
  options.wait_strategy = wait;
  return options;
}

BroadcastSubscription<uint64_t> MustSubscribe(Broadcast<uint64_t>& broadcast,
                                              const ChannelOptions& options) {
  auto subscription = broadcast.Subscribe(options);
  EXPECT_TRUE(subscription.ok()) << subscription.status();
  return std::move(subscription).value();
}

/// Pops until the subscription reports kClosed.
std::vector<uint64_t> ReadUntilClosed(BroadcastSubscription<uint64_t>& subscription) {
  std::vector<uint64_t> items;
  for (;;) {
    Result<uint64_t> item = subscription.Pop();
    if (!item.ok()) {
      EXPECT_EQ(item.status().code(), ErrorCode::kClosed);
      return items;
    }
    items.push_back(*item);
  }
}

template <typename Condition>
void YieldUntil(const Condition& condition) {
  while (!condition()) std::this_thread::yield();
}

TEST(BroadcastTest, EverySubscriberSeesEveryItemInOrder) {
  Broadcast<uint64_t> broadcast;
  std::vector<BroadcastSubscription<uint64_t>> subscriptions;
  subscriptions.push_back(MustSubscribe(broadcast, SubscriberOptions(64, Backpressure::kBlock)));
  subscriptions.push_back(
      MustSubscribe(broadcast, SubscriberOptions(16, Backpressure::kBlock, WaitStrategy::Park())));
  subscriptions.push_back(MustSubscribe(broadcast, SubscriberOptions(1024, Backpressure::kBlock)));
  std::vector<std::vector<uint64_t>> received(subscriptions.size());
  std::vector<std::thread> readers;
  for (size_t i = 0; i < subscriptions.size(); ++i) {
    readers.emplace_back([&, i] { received[i] = ReadUntilClosed(subscriptions[i]); });
  }
  for (uint64_t i = 0; i < kItems; ++i) ASSERT_TRUE(broadcast.Publish(i).ok());
  broadcast.Close();
  for (std::thread& reader : readers) reader.join();
  for (const std::vector<uint64_t>& items : received) {
    ASSERT_EQ(items.size(), kItems);
    for (uint64_t i = 0; i < kItems; ++i) ASSERT_EQ(items[i], i);
  }
  EXPECT_EQ(broadcast.published(), kItems);
}

TEST(BroadcastTest, SharedPayloadsAreNotCopied) {
  Broadcast<std::shared_ptr<const int>> broadcast;
  auto first = std::move(broadcast.Subscribe(SubscriberOptions(4, Backpressure::kBlock))).value();
  auto second = std::move(broadcast.Subscribe(SubscriberOptions(4, Backpressure::kBlock))).value();
  auto payload = std::make_shared<const int>(7);
  ASSERT_TRUE(broadcast.Publish(payload).ok());
  EXPECT_EQ(first.TryPop()->get(), payload.get());
  EXPECT_EQ(second.TryPop()->get(), payload.get());
}

TEST(BroadcastTest, AnItemPublishedAsAnRvalueIsMovedToTheLastSubscriber) {
  Broadcast<std::vector<int>> broadcast;
  ChannelOptions options = SubscriberOptions(4, Backpressure::kBlock);
  auto first = std::move(broadcast.Subscribe(options)).value();
  auto second = std::move(broadcast.Subscribe(options)).value();
  EXPECT_EQ(broadcast.SubscriberCount(), 2u);
  std::vector<int> item(1000, 7);
  const int* storage = item.data();
  ASSERT_TRUE(broadcast.Publish(std::move(item)).ok());
  std::optional<std::vector<int>> copied = first.TryPop();
  std::optional<std::vector<int>> moved = second.TryPop();
  ASSERT_TRUE(copied && moved);
  EXPECT_EQ(*copied, std::vector<int>(1000, 7));
  EXPECT_NE(copied->data(), storage);
  EXPECT_EQ(moved->data(), storage) << "the last subscriber gets the item itself";
  // An lvalue stays the caller's: every subscriber gets a copy.
  const std::vector<int> kept(3, 1);
  ASSERT_TRUE(broadcast.Publish(kept).ok());
  EXPECT_EQ(*first.TryPop(), kept);
  EXPECT_EQ(*second.TryPop(), kept);
  EXPECT_EQ(kept.size(), 3u);
}

TEST(BroadcastTest, SlowBlockSubscriberBlocksThePublisher) {
  Broadcast<uint64_t> broadcast;
  auto slow =
      MustSubscribe(broadcast, SubscriberOptions(4, Backpressure::kBlock, WaitStrategy::Park()));
  std::atomic<uint64_t> published{0};
  std::thread publisher([&] {
    for (uint64_t i = 0; i < 10; ++i) {
      ASSERT_TRUE(broadcast.Publish(i).ok());
      published.store(i + 1);
    }
  });
  YieldUntil([&] { return slow.channel().parked_producers() == 1; });
  EXPECT_EQ(published.load(), 4u) << "the publisher waits for the full subscriber";
  for (uint64_t i = 0; i < 10; ++i) {
    Result<uint64_t> item = slow.Pop();
    ASSERT_TRUE(item.ok());
    EXPECT_EQ(*item, i);
  }
  publisher.join();
  EXPECT_EQ(published.load(), 10u);
}

TEST(BroadcastTest, SlowDropOldestSubscriberLosesOnlyItsOwnItems) {
  Broadcast<uint64_t> broadcast;
  auto fast = MustSubscribe(broadcast, SubscriberOptions(64, Backpressure::kBlock));
  auto slow = MustSubscribe(broadcast, SubscriberOptions(8, Backpressure::kDropOldest));
  std::vector<uint64_t> fast_items;
  std::thread reader([&] { fast_items = ReadUntilClosed(fast); });
  for (uint64_t i = 0; i < kItems; ++i) ASSERT_TRUE(broadcast.Publish(i).ok());
  broadcast.Close();
  reader.join();
  // The fast subscriber saw everything.
  ASSERT_EQ(fast_items.size(), kItems);
  for (uint64_t i = 0; i < kItems; ++i) ASSERT_EQ(fast_items[i], i);
  // The slow one, which never read, kept the newest 8 and counted the rest as dropped.
  std::vector<uint64_t> slow_items = ReadUntilClosed(slow);
  ASSERT_EQ(slow_items.size(), 8u);
  for (uint64_t i = 0; i < 8; ++i) EXPECT_EQ(slow_items[i], kItems - 8 + i);
  EXPECT_EQ(slow.channel().dropped(), kItems - 8);
  EXPECT_EQ(fast.channel().dropped(), 0u);
}

TEST(BroadcastTest, SubscriberAddedWhileRunningSeesLaterItemsWithoutGaps) {
  Broadcast<uint64_t> broadcast;
  auto early = MustSubscribe(broadcast, SubscriberOptions(256, Backpressure::kBlock));
  std::vector<uint64_t> early_items;
  std::thread early_reader([&] { early_items = ReadUntilClosed(early); });
  // The publisher runs freely, and stops only kItems items after it noticed the late subscriber
  // joined, so the join lands in the middle of a stream however the threads are scheduled.
  std::latch halfway(1);
  std::atomic<bool> late_joined{false};
  std::atomic<uint64_t> total{0};
  std::thread publisher([&] {
    uint64_t stop_at = UINT64_MAX;
    for (uint64_t i = 0; i < stop_at; ++i) {
      if (i == kItems) halfway.count_down();
      if (stop_at == UINT64_MAX && late_joined.load()) stop_at = i + kItems;
      ASSERT_TRUE(broadcast.Publish(i).ok());
    }
    total.store(stop_at);
  });
  halfway.wait();
  auto late = MustSubscribe(broadcast, SubscriberOptions(256, Backpressure::kBlock));
  const uint64_t published_when_joined = broadcast.published();
  late_joined.store(true);
  std::vector<uint64_t> late_items;
  std::thread late_reader([&] { late_items = ReadUntilClosed(late); });
  publisher.join();
  broadcast.Close();
  early_reader.join();
  late_reader.join();

  const uint64_t published = total.load();
  ASSERT_EQ(early_items.size(), published);
  ASSERT_GE(late_items.size(), kItems);
  EXPECT_GE(late_items.front(), kItems) << "nothing from before it joined";
  EXPECT_LE(late_items.front(), published_when_joined + 1);
  for (size_t i = 0; i < late_items.size(); ++i) {
    ASSERT_EQ(late_items[i], late_items.front() + i) << "no gaps after joining";
  }
  EXPECT_EQ(late_items.back(), published - 1);
}

TEST(BroadcastTest, UnsubscribedSubscriberNoLongerBlocksThePublisher) {
  Broadcast<uint64_t> broadcast;
  auto stays = MustSubscribe(broadcast, SubscriberOptions(1024, Backpressure::kBlock));
  auto leaves =
      MustSubscribe(broadcast, SubscriberOptions(4, Backpressure::kBlock, WaitStrategy::Park()));
  EXPECT_EQ(broadcast.subscriber_count(), 2u);
  std::vector<uint64_t> stays_items;
  std::thread reader([&] { stays_items = ReadUntilClosed(stays); });
  std::thread publisher([&] {
    for (uint64_t i = 0; i < kItems; ++i) ASSERT_TRUE(broadcast.Publish(i).ok());
  });
  // `leaves` never reads: the publisher blocks on it until it unsubscribes.
  YieldUntil([&] { return leaves.channel().parked_producers() == 1; });
  leaves.Unsubscribe();
  publisher.join();
  EXPECT_EQ(broadcast.subscriber_count(), 1u);
  broadcast.Close();
  reader.join();
  ASSERT_EQ(stays_items.size(), kItems);
  for (uint64_t i = 0; i < kItems; ++i) ASSERT_EQ(stays_items[i], i);
}

TEST(BroadcastTest, DestroyedSubscriptionLeavesTheBroadcast) {
  Broadcast<uint64_t> broadcast;
  {
    auto subscription = MustSubscribe(broadcast, SubscriberOptions(2, Backpressure::kBlock));
    ASSERT_TRUE(broadcast.Publish(1).ok());
  }
  // A Block subscriber of capacity 2 would otherwise stall the third publish forever.
  for (uint64_t i = 0; i < 10; ++i) ASSERT_TRUE(broadcast.Publish(i).ok());
  EXPECT_EQ(broadcast.subscriber_count(), 0u);
}

TEST(BroadcastTest, CloseEndsSubscriptionsAfterTheyDrain) {
  Broadcast<uint64_t> broadcast;
  auto subscription = MustSubscribe(broadcast, SubscriberOptions(8, Backpressure::kBlock));
  ASSERT_TRUE(broadcast.Publish(1).ok());
  broadcast.Close();
  EXPECT_EQ(broadcast.Publish(2).code(), ErrorCode::kClosed);
  EXPECT_EQ(*subscription.Pop(), 1u);
  EXPECT_EQ(subscription.Pop().status().code(), ErrorCode::kClosed);
  EXPECT_EQ(broadcast.Subscribe(SubscriberOptions(8, Backpressure::kBlock)).status().code(),
            ErrorCode::kClosed);
}

TEST(BroadcastTest, SubscribeValidatesOptions) {
  Broadcast<uint64_t> broadcast;
  EXPECT_EQ(broadcast.Subscribe(SubscriberOptions(100, Backpressure::kBlock)).status().code(),
            ErrorCode::kInvalidConfiguration);
}

}  // namespace
}  // namespace laminar::stream
