#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

#include "common/result.h"
#include "common/status.h"
#include "stream/channel.h"

namespace laminar::stream {

template <typename T>
class BroadcastSubscription;

/// One publisher, any number of subscribers, each reading every item at its own pace: the
/// channel of a stream output that several queries or subscriptions read (seed 004 §5.1,
/// "N consumers → Broadcast").
///
/// Design: every subscriber owns a private Channel<T>, and Publish() copies the item into each
/// subscriber's channel (single-producer mode: the publisher is its only producer). T should
/// therefore be cheap to copy: a `std::shared_ptr<const Batch>` (one reference-count increment
/// per subscriber, no allocation) or a small trivially copyable message. Per-subscriber
/// channels make per-subscriber backpressure fall out directly, as each subscriber picks its
/// own ChannelOptions:
///   - kBlock: the slowest such subscriber bounds the publisher, which waits for its room;
///   - kDropOldest: a subscriber that falls behind loses its own oldest items (counted in its
///     dropped()), and nobody else is affected;
///   - kReject: a subscriber that is full misses the newest item (counted in its rejected()).
/// The price is memory (each subscriber has its own ring) and one push per subscriber per item;
/// a shared ring with per-subscriber cursors would save the memory but couple every subscriber
/// to the slowest one's cursor, which DropOldest must not do.
///
/// Subscribing and unsubscribing while the publisher runs: the subscriber list lives in a
/// registry guarded by a mutex (control operations only). The publisher keeps its own copy of
/// the list and refreshes it, under the mutex, only when the registry's version number changed,
/// so a steady-state Publish takes no lock and does not allocate. A subscriber sees exactly the
/// items of the Publish calls that begin after its Subscribe() returned (plus, possibly, some of
/// one call running concurrently with Subscribe). Unsubscribing closes the subscriber's channel,
/// which also wakes the publisher if it was blocked on that subscriber; the publisher then drops
/// it from its list.
///
/// Thread-safety: Publish() from one thread at a time (the publisher). Subscribe(), Close() and
/// the accessors from any thread. Each BroadcastSubscription from one thread at a time.
/// Ownership: subscriptions share their channel with the broadcast, so either may go first.
template <typename T>
class Broadcast {
  static_assert(std::is_copy_constructible_v<T>, "broadcast items are copied per subscriber");

 public:
  Broadcast() = default;
  Broadcast(const Broadcast&) = delete;
  Broadcast& operator=(const Broadcast&) = delete;

  /// Closes every subscription: subscribers drain what they have, then see kClosed.
  ~Broadcast() { Close(); }

  /// Adds a subscriber whose channel is configured by `options` (validated: LDB-2007). It sees
  /// the items published after this call returns. kClosed after Close().
  Result<BroadcastSubscription<T>> Subscribe(const ChannelOptions& options) {
    LAMINAR_ASSIGN_OR_RETURN(std::unique_ptr<Channel<T>> channel, Channel<T>::Create(options));
    auto subscriber = std::make_shared<Subscriber>();
    subscriber->channel = std::shared_ptr<Channel<T>>(std::move(channel));
    subscriber->producer = subscriber->channel->CreateProducer();
    std::shared_ptr<Channel<T>> subscriber_channel = subscriber->channel;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (closed_.load(std::memory_order_acquire)) {
        return Status(ErrorCode::kClosed, "broadcast is closed");
      }
      PruneClosedLocked();
      registry_.push_back(std::move(subscriber));
      // Release: the publisher's acquire load of the version makes the new entry (and its
      // producer handle) visible to it before its first push to the new channel.
      registry_version_.fetch_add(1, std::memory_order_release);
    }
    return BroadcastSubscription<T>(std::move(subscriber_channel));
  }

  /// Copies `item` to every current subscriber, per each subscriber's backpressure policy (so
  /// this may wait for a Block subscriber). OK, or kClosed when the broadcast is closed.
  /// With no subscribers the item goes nowhere. REQUIRES: called by one thread at a time.
  Status Publish(const T& item) { return PublishImpl(item); }

  /// Publish for an item the caller no longer needs: the last subscriber gets it moved, not
  /// copied.
  Status Publish(T&& item) { return PublishImpl(std::move(item)); }

 private:
  template <typename Item>
  Status PublishImpl(Item&& item) {
    if (closed_.load(std::memory_order_acquire)) [[unlikely]] {
      return Status(ErrorCode::kClosed, "broadcast is closed");
    }
    if (registry_version_.load(std::memory_order_acquire) != view_version_) [[unlikely]] {
      RefreshView();
    }
    bool saw_closed_subscriber = false;
    const size_t count = view_.size();
    for (size_t i = 0; i < count; ++i) {
      Subscriber& subscriber = *view_[i];
      Status status;
      if constexpr (std::is_same_v<Item, T>) {
        // An rvalue: every subscriber but the last gets a copy, the last the item itself.
        status = i + 1 == count ? subscriber.producer.Push(std::move(item))
                                : subscriber.producer.Push(T(item));
      } else {
        status = subscriber.producer.Push(T(item));
      }
      if (status.code() == ErrorCode::kClosed) [[unlikely]] {
        saw_closed_subscriber = true;
      }
      // kQueueFull from a Reject subscriber is counted by its channel; others still get it.
    }
    published_.store(published_.load(std::memory_order_relaxed) + 1, std::memory_order_release);
    if (saw_closed_subscriber) [[unlikely]] {
      if (closed_.load(std::memory_order_acquire)) {
        return Status(ErrorCode::kClosed, "broadcast is closed");
      }
      // A subscriber left: forget it now rather than pushing into its closed channel forever.
      std::lock_guard<std::mutex> lock(mutex_);
      PruneClosedLocked();
      registry_version_.fetch_add(1, std::memory_order_release);
    }
    return Status::Ok();
  }

 public:
  /// Whether a Publish now would reach anyone: lets the publisher skip building an item nobody
  /// reads. Lock-free unless subscribers changed since the last call. REQUIRES: called by the
  /// publisher thread.
  bool HasSubscribers() { return SubscriberCount() != 0; }

  /// How many subscribers a Publish now would reach (HasSubscribers' count). REQUIRES: called
  /// by the publisher thread.
  size_t SubscriberCount() {
    if (registry_version_.load(std::memory_order_acquire) != view_version_) [[unlikely]] {
      RefreshView();
    }
    return view_.size();
  }

  /// Closes the broadcast and every subscriber channel, waking a blocked publisher and waiting
  /// subscribers. Later Publish and Subscribe calls fail with kClosed. Idempotent.
  void Close() {
    std::lock_guard<std::mutex> lock(mutex_);
    closed_.store(true, std::memory_order_release);
    for (const std::shared_ptr<Subscriber>& subscriber : registry_) {
      subscriber->channel->Close();
    }
  }

  bool closed() const { return closed_.load(std::memory_order_acquire); }

  /// Subscribers registered and not known to have left (takes the registry mutex).
  size_t subscriber_count() const {
    std::lock_guard<std::mutex> lock(mutex_);
    size_t count = 0;
    for (const std::shared_ptr<Subscriber>& subscriber : registry_) {
      if (!subscriber->channel->closed()) ++count;
    }
    return count;
  }

  /// Publish calls completed so far.
  uint64_t published() const { return published_.load(std::memory_order_acquire); }

 private:
  struct Subscriber {
    // Declared first so that it is destroyed after the producer handle that points into it.
    std::shared_ptr<Channel<T>> channel;
    ChannelProducer<T> producer;  // Used by the publisher thread only.
  };

  void RefreshView() {
    std::lock_guard<std::mutex> lock(mutex_);
    view_ = registry_;
    view_version_ = registry_version_.load(std::memory_order_relaxed);
  }

  /// REQUIRES: mutex_ held.
  void PruneClosedLocked() {
    std::erase_if(registry_, [](const std::shared_ptr<Subscriber>& subscriber) {
      return subscriber->channel->closed();
    });
  }

  mutable std::mutex mutex_;  // Guards registry_; never taken by a steady-state Publish.
  std::vector<std::shared_ptr<Subscriber>> registry_;  // Guarded by mutex_.
  std::atomic<uint64_t> registry_version_{0};          // Bumped under mutex_ on every change.
  std::atomic<bool> closed_{false};

  // Publisher-thread state.
  std::vector<std::shared_ptr<Subscriber>> view_;
  uint64_t view_version_ = 0;
  std::atomic<uint64_t> published_{0};  // Written by the publisher only.
};

/// A subscriber's end of a Broadcast: the consumer side of its private channel. Movable.
/// Destroying it (or calling Unsubscribe()) leaves the broadcast.
///
/// Thread-safety: one thread at a time; the accessors from any thread.
template <typename T>
class BroadcastSubscription {
 public:
  BroadcastSubscription(BroadcastSubscription&&) noexcept = default;
  BroadcastSubscription& operator=(BroadcastSubscription&& other) noexcept {
    if (this != &other) {
      Unsubscribe();
      channel_ = std::move(other.channel_);
    }
    return *this;
  }
  BroadcastSubscription(const BroadcastSubscription&) = delete;
  BroadcastSubscription& operator=(const BroadcastSubscription&) = delete;

  ~BroadcastSubscription() { Unsubscribe(); }

  /// See Channel::TryPop, PopBatch, Pop, AwaitItems and PopWithTimeout. kClosed after the broadcast
  /// closed (once drained) or after Unsubscribe().
  std::optional<T> TryPop() { return channel_->TryPop(); }
  size_t PopBatch(std::vector<T>& out, size_t max) { return channel_->PopBatch(out, max); }
  Result<T> Pop() { return channel_->Pop(); }
  Status AwaitItems() { return channel_->AwaitItems(); }
  Result<T> PopWithTimeout(std::chrono::nanoseconds timeout) {
    return channel_->PopWithTimeout(timeout);
  }

  /// Leaves the broadcast: closes this subscriber's channel, so the publisher stops sending
  /// to it (and stops waiting for it). Idempotent.
  void Unsubscribe() {
    if (channel_ != nullptr) channel_->Close();
  }

  /// This subscriber's channel, for its counters (dropped, rejected, popped, size).
  const Channel<T>& channel() const { return *channel_; }

 private:
  friend class Broadcast<T>;

  explicit BroadcastSubscription(std::shared_ptr<Channel<T>> channel)
      : channel_(std::move(channel)) {}

  std::shared_ptr<Channel<T>> channel_;  // Shared with the broadcast's registry.
};

}  // namespace laminar::stream
