#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "common/check.h"
#include "common/clock.h"
#include "common/result.h"
#include "common/status.h"
#include "stream/ring_buffer.h"

namespace laminar::stream {

/// What a producer does when the channel is full (seed 004 §5.4).
enum class Backpressure {
  /// Wait, per the wait strategy, until the consumer makes room. The default: nothing is lost.
  kBlock,
  /// Discard the oldest unread item to make room, counting it in Channel::dropped(). The
  /// producer never waits for the consumer (only, briefly, for a slot another thread is
  /// finishing with).
  kDropOldest,
  /// Fail at once with kQueueFull (LDB-3009), counting it in Channel::rejected().
  kReject,
};

/// How a thread waits for the other side (a consumer for data, a blocked producer for room).
enum class WaitKind {
  /// Busy-spin with CPU pause hints (backing off exponentially to 32 pauses between polls):
  /// lowest latency, one core fully used while waiting.
  kSpin,
  /// Spin `spin_limit` times, then call std::this_thread::yield() between attempts.
  kSpinYield,
  /// Spin briefly, then sleep on a condition variable until the other side signals: no CPU
  /// used while waiting, at the price of one atomic read-modify-write per push and per pop (or
  /// popped batch) to check whether anyone sleeps, and a system call to wake a sleeper.
  kPark,
};

/// A wait strategy: a kind and, for kSpinYield, how many spins come before yielding.
struct WaitStrategy {
  WaitKind kind = WaitKind::kSpinYield;
  uint32_t spin_limit = 100;

  static constexpr WaitStrategy Spin() { return {WaitKind::kSpin, 0}; }
  static constexpr WaitStrategy SpinYield(uint32_t spin_limit) {
    return {WaitKind::kSpinYield, spin_limit};
  }
  static constexpr WaitStrategy Park() { return {WaitKind::kPark, 0}; }

  friend bool operator==(const WaitStrategy&, const WaitStrategy&) = default;
};

/// Configuration of one channel. Validated by ValidateChannelOptions (seed 004 §6.3).
struct ChannelOptions {
  /// Number of slots. A power of two in [kMinRingCapacity, kMaxRingCapacity].
  size_t capacity = 65536;
  Backpressure backpressure = Backpressure::kBlock;
  /// Seed 004 default: SpinYield(100).
  WaitStrategy wait_strategy = WaitStrategy::SpinYield(100);
  /// Where PopWithTimeout reads time. Never null; must outlive the channel.
  Clock* clock = Clock::System();
};

/// OK, or kInvalidConfiguration (LDB-2007) with a message naming the offending value.
Status ValidateChannelOptions(const ChannelOptions& options);

std::string_view BackpressureName(Backpressure backpressure);

/// A CPU hint that the caller is spinning ("pause" on x86), which frees pipeline resources for
/// the sibling hyper-thread and avoids a memory-order mis-speculation penalty on loop exit.
inline void CpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield" ::: "memory");
#endif
}

/// Where threads of one side of a channel sleep under WaitKind::kPark.
///
/// Lost wake-ups are prevented by a handshake on `parked_`, which both sides update with a
/// read-modify-write (a read-modify-write always reads the latest value in the variable's
/// modification order): a sleeper increments `parked_` and only then re-checks its condition;
/// a notifier first makes the new state visible (e.g. publishes an item) and then reads
/// `parked_` with an acq_rel fetch_add(0). If the notifier's RMW comes first in the order, the
/// sleeper's increment reads from it, synchronises with it, and so sees the new state and does
/// not sleep; otherwise the notifier reads the increment and wakes the sleeper. The sleeper holds
/// `mutex_` from its increment until the condition variable releases it, and the notifier takes
/// `mutex_` before notifying, so the notification cannot fall between the sleeper's check and its
/// wait. (A pair of seq_cst fences would do the same, but ThreadSanitizer does not model fences.)
///
/// Thread-safety: all methods from any thread. `mutex_` guards only the sleep/wake handshake
/// (no data); it is taken only by threads that sleep or wake sleepers, never on the fast path.
class ParkingSpot {
 public:
  static constexpr int64_t kNoTimeout = std::numeric_limits<int64_t>::max();

  /// Sleeps until notified or `timeout_nanos` elapse (kNoTimeout: no limit), unless `ready()`
  /// already holds. Callers loop: a return says nothing about `ready()`.
  template <typename Ready>
  void Park(const Ready& ready, int64_t timeout_nanos) {
    std::unique_lock<std::mutex> lock(mutex_);
    parked_.fetch_add(1, std::memory_order_acq_rel);
    if (!ready()) {
      if (timeout_nanos == kNoTimeout) {
        condition_.wait(lock);
      } else {
        condition_.wait_for(lock, std::chrono::nanoseconds(timeout_nanos));
      }
    }
    parked_.fetch_sub(1, std::memory_order_relaxed);
  }

  /// Wakes the sleepers, if any. Call after making the state a sleeper waits for visible.
  /// Costs one uncontended read-modify-write when nobody sleeps.
  void NotifyIfParked() {
    if (parked_.fetch_add(0, std::memory_order_acq_rel) != 0) [[unlikely]] {
      WakeAll();
    }
  }

  /// Wakes every sleeper unconditionally (used by Close()).
  void WakeAll();

  /// How many threads sleep here now (for tests and metrics).
  uint32_t parked() const { return parked_.load(std::memory_order_acquire); }

 private:
  std::atomic<uint32_t> parked_{0};
  std::mutex mutex_;  // Guards the sleep/wake handshake only.
  std::condition_variable condition_;
};

/// Waits, per `strategy`, until `ready()` holds (true) or the clock passes `deadline_nanos`
/// (false; ParkingSpot::kNoTimeout means no deadline). Under kPark it sleeps in `spot`, which
/// the other side must signal with NotifyIfParked after changing what `ready` reads.
template <typename Ready>
bool AwaitReady(const WaitStrategy& strategy, ParkingSpot& spot, const Clock& clock,
                int64_t deadline_nanos, const Ready& ready) {
  // Under kPark a few spins first catch the common case of the other side being mid-operation,
  // without a system call.
  constexpr uint32_t kParkSpinLimit = 64;
  // Spins back off exponentially, from one pause between polls up to kMaxPauses (a few hundred
  // nanoseconds). Polling reads the cache line the other side is writing; polling it flat out
  // forces a line transfer for nearly every item and can slow the other side down several
  // times over, locking a consumer that keeps up into item-by-item hand-offs.
  constexpr uint32_t kMaxPauses = 32;
  uint32_t attempts = 0;
  uint32_t pauses = 1;
  auto back_off = [&pauses] {
    for (uint32_t i = 0; i < pauses; ++i) CpuRelax();
    if (pauses < kMaxPauses) pauses *= 2;
  };
  for (;;) {
    if (ready()) return true;
    int64_t remaining = ParkingSpot::kNoTimeout;
    if (deadline_nanos != ParkingSpot::kNoTimeout) {
      remaining = deadline_nanos - clock.MonotonicNanos();
      if (remaining <= 0) return false;
    }
    switch (strategy.kind) {
      case WaitKind::kSpin:
        back_off();
        break;
      case WaitKind::kSpinYield:
        if (attempts < strategy.spin_limit) {
          ++attempts;
          back_off();
        } else {
          std::this_thread::yield();
        }
        break;
      case WaitKind::kPark:
        if (attempts < kParkSpinLimit) {
          ++attempts;
          back_off();
        } else {
          spot.Park(ready, remaining);
        }
        break;
    }
  }
}

template <typename T>
class ChannelProducer;

/// A bounded, lock-free queue from one or more producers to one consumer, for Ring 0 ↔ Ring 1
/// traffic and between operators (batches, control messages).
///
/// Producers push through ChannelProducer handles. The channel starts in single-producer mode
/// (SPSC: a push is a few plain loads and two release stores, no read-modify-write) and switches
/// once and for all to multi-producer mode (MPSC: the producer position is claimed by a CAS)
/// when ChannelProducer::Clone() creates a second handle (seed 004 §5.2). Queued items are
/// untouched by the switch, and the consumer does not know or care which mode is active: in
/// both modes an item becomes visible through its slot's sequence number (see RingBuffer).
/// Producers test for room against a cached copy of the consumer position and the consumer
/// reads only slot sequences, so neither side reads a line the other writes in steady state,
/// except the slots themselves. (Under DropOldest producers may consume too, so the ring runs
/// in ConsumerMode::kShared: slots are released one by one, see RingBuffer.)
///
/// Backpressure (Block, DropOldest, Reject) and the wait strategy (Spin, SpinYield, Park) are
/// fixed at creation. Close() ends the channel: later pushes fail with kClosed (LDB-3010),
/// every waiting thread wakes up, and pops return what is left before they report kClosed.
///
/// Thread-safety: each ChannelProducer is used by one thread at a time; distinct handles may
/// push concurrently. The consumer methods (TryPop, PopBatch, Pop, PopWithTimeout) are called
/// by one thread at a time (the consumer may change threads through a happens-before edge).
/// Close() and the accessors may be called from any thread.
///
/// A push that runs concurrently with Close() either fails with kClosed or succeeds; an item
/// from such a racing push may arrive after the consumer has already seen kClosed, and is then
/// destroyed with the channel. For a lossless shutdown, close from a producer thread after its
/// last push, or after the producers have stopped (joined).
///
/// Ownership: the channel must outlive its producer handles (checked in the destructor).
/// Steady-state pushes and pops do not allocate (T's move constructor aside).
template <typename T>
class Channel {
 public:
  /// Validates `options` (kInvalidConfiguration, LDB-2007) and allocates the ring.
  static Result<std::unique_ptr<Channel>> Create(const ChannelOptions& options) {
    LAMINAR_RETURN_IF_ERROR(ValidateChannelOptions(options));
    return std::make_unique<Channel>(ConstructionKey{}, options);
  }

  /// Use Create(), which validates the options. The key keeps this constructor private in
  /// effect while letting std::make_unique call it.
  struct ConstructionKey {
   private:
    friend class Channel;
    ConstructionKey() = default;
  };
  Channel(ConstructionKey, const ChannelOptions& options)
      : options_(options),
        // DropOldest producers consume too (they discard the oldest item), so only then do
        // consumers need to share the consumer position.
        ring_(options.capacity, options.backpressure == Backpressure::kDropOldest
                                    ? ConsumerMode::kShared
                                    : ConsumerMode::kExclusive),
        park_(options.wait_strategy.kind == WaitKind::kPark),
        notify_producers_(park_ && options.backpressure == Backpressure::kBlock) {}

  Channel(const Channel&) = delete;
  Channel& operator=(const Channel&) = delete;

  /// Destroys the items still queued. REQUIRES: no producer handle is left.
  ~Channel() { LAMINAR_CHECK_MSG(producer_count() == 0, "channel outlived by a producer"); }

  /// The channel's first producer handle. More handles come from ChannelProducer::Clone(),
  /// which is what switches the channel to multi-producer mode.
  /// REQUIRES: called at most once per channel.
  ChannelProducer<T> CreateProducer() {
    LAMINAR_CHECK_MSG(!producer_created_.exchange(true, std::memory_order_relaxed),
                      "CreateProducer called twice; use ChannelProducer::Clone");
    producer_count_.fetch_add(1, std::memory_order_relaxed);
    return ChannelProducer<T>(this, /*multi_producer=*/false);
  }

  // ---- Consumer side (one thread at a time) ----

  /// The oldest item, or nothing when no item is ready (whether or not the channel is closed).
  std::optional<T> TryPop() {
    std::optional<T> result;
    Consume(1, [&result](T&& item) { result.emplace(std::move(item)); });
    return result;
  }

  /// Appends up to `max` ready items to `out`, oldest first, and returns how many; never waits.
  /// This is how a reactor drains a batch per wake-up. Reserve `out` to avoid allocation.
  size_t PopBatch(std::vector<T>& out, size_t max) {
    return Consume(max, [&out](T&& item) { out.push_back(std::move(item)); });
  }

  /// Move-assigns up to `max` ready items to out[0..), oldest first; returns how many.
  /// REQUIRES: `out` has room for `max` items.
  size_t PopBatch(T* out, size_t max) {
    size_t index = 0;
    return Consume(max, [out, &index](T&& item) { out[index++] = std::move(item); });
  }

  /// The oldest item, waiting per the wait strategy while the channel is empty. kClosed once
  /// the channel is closed and drained.
  Result<T> Pop() { return PopUntil(ParkingSpot::kNoTimeout); }

  /// Waits per the wait strategy until an item is ready (OK) without taking it, or reports
  /// kClosed once the channel is closed and drained. A reactor's loop is
  /// `while (channel.AwaitItems().ok()) { channel.PopBatch(batch, 4096); ... }`: one wait, then
  /// a whole batch, rather than waiting for items one by one.
  Status AwaitItems() {
    for (;;) {
      if (ring_.HasReadable()) return Status::Ok();
      if (closed_.load(std::memory_order_acquire)) {
        if (ring_.HasReadable()) return Status::Ok();
        return ClosedError();
      }
      AwaitReady(options_.wait_strategy, not_empty_, *options_.clock, ParkingSpot::kNoTimeout,
                 [this] { return ring_.HasReadable() || closed_.load(std::memory_order_acquire); });
    }
  }

  /// Like Pop(), but fails with kTimedOut (LDB-3011) when no item arrives within `timeout`, as
  /// measured by the channel's clock. A timeout of zero or less just tries once. Spinning
  /// strategies re-read the clock while they spin (so a ManualClock advanced by another thread
  /// ends the wait); under kPark a sleep lasts at most the remaining time, read off the
  /// channel's clock, in real time.
  Result<T> PopWithTimeout(std::chrono::nanoseconds timeout) {
    const int64_t now = options_.clock->MonotonicNanos();
    const int64_t limit = ParkingSpot::kNoTimeout - 1 - now;
    const int64_t deadline = now + (timeout.count() < limit ? timeout.count() : limit);
    return PopUntil(deadline);
  }

  // ---- Control (any thread) ----

  /// Closes the channel and wakes every waiting producer and consumer. Idempotent.
  void Close() {
    closed_.store(true, std::memory_order_seq_cst);
    not_empty_.WakeAll();
    not_full_.WakeAll();
  }

  bool closed() const { return closed_.load(std::memory_order_acquire); }

  // ---- Introspection (any thread; exact only when the channel is quiescent) ----

  size_t capacity() const { return ring_.capacity(); }
  /// Items queued now (approximate while others push or pop).
  size_t size() const { return ring_.SizeApprox(); }
  /// Successful pushes so far (DropOldest: including items later dropped).
  uint64_t pushed() const { return ring_.tail(); }
  /// Items handed to the consumer so far.
  uint64_t popped() const { return popped_.value.load(std::memory_order_acquire); }
  /// Items discarded by DropOldest.
  uint64_t dropped() const { return dropped_.load(std::memory_order_acquire); }
  /// Pushes refused with kQueueFull.
  uint64_t rejected() const { return rejected_.load(std::memory_order_acquire); }
  /// True once a second producer handle has been cloned; never goes back.
  bool multi_producer() const { return multi_producer_.load(std::memory_order_acquire); }
  /// Live producer handles.
  uint32_t producer_count() const { return producer_count_.load(std::memory_order_acquire); }
  /// Threads sleeping under WaitKind::kPark (for tests and metrics).
  uint32_t parked_consumers() const { return not_empty_.parked(); }
  uint32_t parked_producers() const { return not_full_.parked(); }

  const ChannelOptions& options() const { return options_; }

 private:
  friend class ChannelProducer<T>;

  struct alignas(kCacheLineSize) ConsumerCounter {
    std::atomic<uint64_t> value{0};
  };

  bool TryPushOnce(T& value, bool multi_producer) {
    return multi_producer ? ring_.TryPushMultiProducer(value) : ring_.TryPushSingleProducer(value);
  }

  void AfterPush() {
    if (park_) not_empty_.NotifyIfParked();
  }

  Status ClosedError() const { return Status(ErrorCode::kClosed, "channel is closed"); }

  /// Push per the backpressure policy. Moves from `value` only on success.
  Status Push(T& value, bool multi_producer) {
    if (closed_.load(std::memory_order_relaxed)) [[unlikely]] {
      return ClosedError();
    }
    if (TryPushOnce(value, multi_producer)) [[likely]] {
      AfterPush();
      return Status::Ok();
    }
    return PushWhenFull(value, multi_producer);
  }

  /// Push that never waits and never drops. Moves from `value` only on success.
  Status TryPush(T& value, bool multi_producer) {
    if (closed_.load(std::memory_order_relaxed)) [[unlikely]] {
      return ClosedError();
    }
    if (TryPushOnce(value, multi_producer)) [[likely]] {
      AfterPush();
      return Status::Ok();
    }
    return RejectFull();
  }

  size_t PushBatch(std::span<T> items, bool multi_producer) {
    size_t pushed = 0;
    while (pushed < items.size()) {
      if (closed_.load(std::memory_order_relaxed)) [[unlikely]] {
        break;
      }
      const size_t run =
          ring_.TryPushRun(items.data() + pushed, items.size() - pushed, multi_producer);
      if (run != 0) [[likely]] {
        pushed += run;
        AfterPush();
        continue;
      }
      // Full: the single-item paths apply the backpressure policy (wait, drop, reject).
      if (options_.backpressure == Backpressure::kReject) {
        rejected_.fetch_add(items.size() - pushed, std::memory_order_relaxed);
        break;
      }
      if (!PushWhenFull(items[pushed], multi_producer).ok()) break;
      ++pushed;
    }
    return pushed;
  }

  Status RejectFull() {
    rejected_.fetch_add(1, std::memory_order_relaxed);
    return Status::Error(ErrorCode::kQueueFull, "channel is full (capacity {})", ring_.capacity());
  }

  [[gnu::noinline]] Status PushWhenFull(T& value, bool multi_producer) {
    switch (options_.backpressure) {
      case Backpressure::kReject:
        return RejectFull();
      case Backpressure::kDropOldest:
        return PushDroppingOldest(value, multi_producer);
      case Backpressure::kBlock:
        break;
    }
    for (;;) {
      AwaitReady(options_.wait_strategy, not_full_, *options_.clock, ParkingSpot::kNoTimeout,
                 [this] { return ring_.HasSpace() || closed_.load(std::memory_order_acquire); });
      if (closed_.load(std::memory_order_acquire)) return ClosedError();
      if (TryPushOnce(value, multi_producer)) {
        AfterPush();
        return Status::Ok();
      }
    }
  }

  /// DropOldest: the producer itself takes the oldest unread item out of the ring, claiming it
  /// with the same CAS on the consumer position that the consumer uses in this mode
  /// (ConsumerMode::kShared, RingBuffer::DiscardOldest), so each item either reaches the
  /// consumer or is counted as dropped, exactly once. The producer waits only while the slot it
  /// needs is held by an item that another thread already claimed and is moving out.
  Status PushDroppingOldest(T& value, bool multi_producer) {
    uint32_t attempts = 0;
    for (;;) {
      if (closed_.load(std::memory_order_acquire)) return ClosedError();
      const uint64_t observed_tail = ring_.tail();
      if (TryPushOnce(value, multi_producer)) {
        AfterPush();
        return Status::Ok();
      }
      if (ring_.DiscardOldest(observed_tail) == RingBuffer<T>::DiscardOutcome::kDiscarded) {
        dropped_.fetch_add(1, std::memory_order_relaxed);
        continue;
      }
      // Another thread is mid-operation on the slot we need; it finishes in a few instructions
      // unless descheduled, so spin briefly, then yield.
      if (++attempts < 64) {
        CpuRelax();
      } else {
        std::this_thread::yield();
      }
    }
  }

  template <typename Sink>
  size_t Consume(size_t max, Sink&& sink) {
    const size_t count = ring_.Consume(max, sink);
    if (count != 0) {
      // Only the consumer writes popped_, so a load and a store suffice (no RMW).
      popped_.value.store(popped_.value.load(std::memory_order_relaxed) + count,
                          std::memory_order_release);
      if (notify_producers_) not_full_.NotifyIfParked();
    }
    return count;
  }

  Result<T> PopUntil(int64_t deadline_nanos) {
    for (;;) {
      if (std::optional<T> item = TryPop()) return std::move(*item);
      if (closed_.load(std::memory_order_acquire)) {
        // Items published before Close() are visible now: drain them before reporting closed.
        if (std::optional<T> item = TryPop()) return std::move(*item);
        return ClosedError();
      }
      const bool ready = AwaitReady(
          options_.wait_strategy, not_empty_, *options_.clock, deadline_nanos,
          [this] { return ring_.HasReadable() || closed_.load(std::memory_order_acquire); });
      if (!ready) {
        if (std::optional<T> item = TryPop()) return std::move(*item);
        return Status::Error(ErrorCode::kTimedOut, "no item arrived within the timeout");
      }
    }
  }

  const ChannelOptions options_;
  RingBuffer<T> ring_;
  const bool park_;
  const bool notify_producers_;

  std::atomic<bool> closed_{false};
  std::atomic<bool> multi_producer_{false};
  std::atomic<bool> producer_created_{false};
  std::atomic<uint32_t> producer_count_{0};
  std::atomic<uint64_t> dropped_{0};   // Slow path only (DropOldest).
  std::atomic<uint64_t> rejected_{0};  // Slow path only (Reject, TryPush).
  ConsumerCounter popped_;             // Written by the consumer only, on its own line.

  ParkingSpot not_empty_;  // The consumer sleeps here (kPark).
  ParkingSpot not_full_;   // Blocked producers sleep here (kPark + kBlock).
};

/// A handle through which one thread pushes into a Channel. Movable, not copyable: a second
/// concurrent producer is made with Clone(), which is what tells the channel to switch to
/// multi-producer mode.
///
/// Thread-safety: one thread at a time per handle. A handle may move to another thread through
/// a happens-before edge (thread start, a mutex, another channel).
/// Ownership: REQUIRES the channel outlives the handle.
template <typename T>
class ChannelProducer {
 public:
  /// An empty handle (valid() is false); only assignment and destruction are allowed.
  ChannelProducer() = default;

  ChannelProducer(ChannelProducer&& other) noexcept
      : channel_(std::exchange(other.channel_, nullptr)), multi_producer_(other.multi_producer_) {}
  ChannelProducer& operator=(ChannelProducer&& other) noexcept {
    if (this != &other) {
      Release();
      channel_ = std::exchange(other.channel_, nullptr);
      multi_producer_ = other.multi_producer_;
    }
    return *this;
  }
  ChannelProducer(const ChannelProducer&) = delete;
  ChannelProducer& operator=(const ChannelProducer&) = delete;

  ~ChannelProducer() { Release(); }

  bool valid() const { return channel_ != nullptr; }

  /// A second handle to the same channel, for another producer thread. The first clone switches
  /// the channel from SPSC to MPSC for good; items already queued stay where they are.
  ///
  /// Why the switch is safe without stopping anything: single-producer pushes store the
  /// producer position without a CAS, which is only correct while no other thread pushes. While
  /// the channel is SPSC, this handle is the only one, and it is used by one thread at a time,
  /// so every single-producer push so far is sequenced before this call. From here on this
  /// handle pushes with CAS, and the new handle can reach another thread only through a
  /// happens-before edge (thread creation, a mutex, a queue) that follows this call, so its
  /// first CAS sees the producer position of the last single-producer push or a later one.
  /// No single-producer store can therefore race with a CAS. The consumer reads items through
  /// the per-slot sequence numbers that both modes publish identically, so it needs no signal.
  /// REQUIRES: valid(); called by the thread that currently uses this handle.
  ChannelProducer Clone() {
    LAMINAR_CHECK(valid());
    multi_producer_ = true;
    channel_->multi_producer_.store(true, std::memory_order_release);
    channel_->producer_count_.fetch_add(1, std::memory_order_relaxed);
    return ChannelProducer(channel_, /*multi_producer=*/true);
  }

  /// Pushes per the channel's backpressure policy: OK; kQueueFull (Reject, when full); kClosed
  /// once the channel is closed (also for a producer blocked when Close() is called). On
  /// failure `value` is left as it was. REQUIRES: valid().
  Status Push(T&& value) { return channel_->Push(value, multi_producer_); }

  /// Pushes only if there is room now, whatever the policy: never waits and never drops.
  /// OK, kQueueFull (counted as rejected) or kClosed; `value` is untouched on failure.
  Status TryPush(T&& value) { return channel_->TryPush(value, multi_producer_); }

  /// Pushes `items` in order, moving from each item pushed, in runs that each cost about what
  /// one Push costs: the fast path for a producer that has several items at hand. Applies the
  /// backpressure policy as Push does (Block waits for room; DropOldest makes room; Reject
  /// stops at the first item that does not fit, counting the rest as rejected) and stops when
  /// the channel is closed. Returns how many items were pushed: a prefix of `items`.
  /// REQUIRES: valid().
  size_t PushBatch(std::span<T> items) { return channel_->PushBatch(items, multi_producer_); }

  /// True when this handle pushes in multi-producer mode.
  bool multi_producer() const { return multi_producer_; }

 private:
  friend class Channel<T>;

  ChannelProducer(Channel<T>* channel, bool multi_producer)
      : channel_(channel), multi_producer_(multi_producer) {}

  void Release() {
    if (channel_ != nullptr) {
      channel_->producer_count_.fetch_sub(1, std::memory_order_acq_rel);
      channel_ = nullptr;
    }
  }

  Channel<T>* channel_ = nullptr;
  // Per-handle copy of the mode: the only handle that exists at the switch is the one being
  // cloned, so no other handle's copy can be stale.
  bool multi_producer_ = false;
};

}  // namespace laminar::stream
