#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>

#include "common/check.h"
#include "common/status.h"

namespace laminar::stream {

/// The size of a cache line on the targets LaminarDB runs on (x86-64, aarch64). Producer and
/// consumer state live on separate lines so that one side's writes never invalidate the line
/// the other side is reading (false sharing).
inline constexpr size_t kCacheLineSize = 64;

/// The smallest and largest ring capacities accepted. A ring of one slot cannot tell "free" from
/// "full" with per-slot sequence numbers; 2^24 slots is far beyond any sensible queue depth (a
/// channel of batches holds a few thousand) and keeps a misconfigured buffer from reserving
/// gigabytes.
inline constexpr size_t kMinRingCapacity = 2;
inline constexpr size_t kMaxRingCapacity = size_t{1} << 24;

/// OK when `capacity` is a power of two in [kMinRingCapacity, kMaxRingCapacity]; otherwise
/// kInvalidConfiguration (LDB-2007) naming the offending value.
Status ValidateRingCapacity(size_t capacity);

/// Who consumes from a ring, which decides how consumed slots are handed back to producers.
enum class ConsumerMode {
  /// One consumer thread. It advances the consumer position once per consumed batch, after
  /// moving the items out; producers test for room against (a cached copy of) that position.
  /// The consumer never writes to the slots, so a slot's cache line travels producer → consumer
  /// only, and the consumer's release costs one store per batch.
  kExclusive,
  /// The consumer and, for DropOldest, producers that discard the oldest item. Each claims
  /// items with a CAS on the consumer position and releases each slot individually by writing
  /// its sequence number, because claims may finish out of order.
  kShared,
};

/// A bounded ring of `capacity` slots (a power of two, so `position & mask` replaces a modulo)
/// with lock-free claim/publish/consume primitives. It is the storage and synchronisation core
/// of Channel; policies (backpressure, waiting, closing, counting) live in Channel.
///
/// Positions are 64-bit counters that only grow (they never wrap in practice: 2^64 items at
/// 10^9 items/s take 584 years). Position p lives in slot `p & mask`. Each slot carries a
/// sequence number; `sequence == p + 1` means "the item of position p is published", and only
/// the producer of p ever writes p + 1. Producers publish with a release store of the slot
/// sequence, the consumer acquires it. Publication is the same whether the producer claimed p
/// with a plain store (single producer) or a CAS (multiple producers), so the consumer never
/// needs to know how many producers there are, and with several producers an item claimed but
/// not yet published simply stops the consumer at that position until it is.
///
/// How a producer learns that the slot of position p is free depends on the ConsumerMode:
///   - kExclusive: p is free once `p < head + capacity`, where head is the consumer position,
///     stored (release) by the consumer after it moved the items out. Producers keep a cached
///     copy of head (the consumer's position as last seen) and re-read the real one only when
///     the cached copy says "full", so in steady state a producer reads no cache line the
///     consumer writes except the slots; symmetrically the consumer reads only the slot
///     sequences, never the producer position.
///   - kShared (D. Vyukov's bounded-queue scheme): whoever consumed p writes
///     `sequence = p + capacity`, meaning "free for the producer of p + capacity"; a producer
///     claims p only when `sequence == p`. (Sequences start at the slot index: free for p = i.)
///
/// Producer state (position and the cached consumer position) and the consumer position are
/// each on their own cache line.
///
/// Thread-safety: TryPushSingleProducer by one thread at a time and never concurrently with
/// TryPushMultiProducer; TryPushMultiProducer by any number of threads. Consume by one thread
/// at a time. DiscardOldest (kShared only) by any number of threads. Accessors from any thread.
template <typename T>
class RingBuffer {
  static_assert(std::is_nothrow_move_constructible_v<T>,
                "ring items must be nothrow move-constructible");

 public:
  /// REQUIRES: ValidateRingCapacity(capacity).ok() (callers validate user input first).
  RingBuffer(size_t capacity, ConsumerMode mode)
      : capacity_(capacity),
        mask_(capacity - 1),
        shared_(mode == ConsumerMode::kShared),
        slots_(std::make_unique<Slot[]>(capacity)) {
    LAMINAR_CHECK(ValidateRingCapacity(capacity).ok());
    for (size_t i = 0; i < capacity; ++i) {
      slots_[i].sequence.store(i, std::memory_order_relaxed);
    }
  }

  RingBuffer(const RingBuffer&) = delete;
  RingBuffer& operator=(const RingBuffer&) = delete;

  /// Destroys the items still queued. REQUIRES: no concurrent access.
  ~RingBuffer() {
    uint64_t position = head_.value.load(std::memory_order_relaxed);
    for (;;) {
      Slot& slot = slots_[position & mask_];
      if (slot.sequence.load(std::memory_order_acquire) != position + 1) break;
      slot.Item()->~T();
      ++position;
    }
  }

  size_t capacity() const { return capacity_; }
  ConsumerMode mode() const { return shared_ ? ConsumerMode::kShared : ConsumerMode::kExclusive; }

  /// Pushes with a plain load and store of the producer position: no read-modify-write.
  /// Moves from `value` only on success; returns false when the ring is full.
  /// REQUIRES: the calling thread is the only producer (see class comment).
  bool TryPushSingleProducer(T& value) {
    const uint64_t position = producer_.tail.load(std::memory_order_relaxed);
    if (!SlotIsFree(position)) return false;
    Slot& slot = slots_[position & mask_];
    ::new (slot.storage) T(std::move(value));
    slot.sequence.store(position + 1, std::memory_order_release);
    producer_.tail.store(position + 1, std::memory_order_release);
    return true;
  }

  /// Pushes after claiming the position with a compare-and-swap, so any number of producers
  /// may push concurrently. Moves from `value` only on success; false when full.
  bool TryPushMultiProducer(T& value) {
    uint64_t position = producer_.tail.load(std::memory_order_relaxed);
    for (;;) {
      if (shared_) {
        const uint64_t sequence = slots_[position & mask_].sequence.load(std::memory_order_acquire);
        const int64_t difference = static_cast<int64_t>(sequence - position);
        if (difference < 0) return false;  // Still holds the item of position - capacity.
        if (difference > 0) {              // Another producer claimed `position` already.
          position = producer_.tail.load(std::memory_order_relaxed);
          continue;
        }
      } else if (!SlotIsFree(position)) {
        // Full, unless `position` is stale (another producer moved on): then the consumer
        // position may be ahead of it and the test is meaningless, so re-read and retry.
        const uint64_t current = producer_.tail.load(std::memory_order_relaxed);
        if (current == position) return false;
        position = current;
        continue;
      }
      // The slot is free for `position`, and stays free: only its producer can fill it.
      // On failure `position` is reloaded.
      if (producer_.tail.compare_exchange_weak(position, position + 1, std::memory_order_relaxed)) {
        break;
      }
    }
    Slot& slot = slots_[position & mask_];
    ::new (slot.storage) T(std::move(value));
    slot.sequence.store(position + 1, std::memory_order_release);
    return true;
  }

  /// Pushes the longest prefix of `items[0, count)` that fits, moving from those items, and
  /// returns its length (0 when full). Claims all positions first and publishes the first
  /// slot last, so the consumer sees the whole run at once instead of chasing the producer
  /// slot by slot (which would bounce each slot's cache line between the two cores).
  /// `multi_producer` claims the run with one compare-and-swap of the producer position, as
  /// TryPushMultiProducer claims one position. kShared rings push item by item: there a slot
  /// is free only when its own sequence says so.
  /// REQUIRES: as TryPushSingleProducer when !multi_producer, as TryPushMultiProducer otherwise.
  size_t TryPushRun(T* items, size_t count, bool multi_producer) {
    if (shared_ || count == 0) {
      size_t pushed = 0;
      while (pushed < count && (multi_producer ? TryPushMultiProducer(items[pushed])
                                               : TryPushSingleProducer(items[pushed]))) {
        ++pushed;
      }
      return pushed;
    }
    uint64_t position = producer_.tail.load(std::memory_order_relaxed);
    size_t run = 0;
    for (;;) {
      run = std::min(count, FreeSlotsFrom(position, count));
      if (run == 0) {
        if (!multi_producer) return 0;
        // As in TryPushMultiProducer: full, unless `position` is stale.
        const uint64_t current = producer_.tail.load(std::memory_order_relaxed);
        if (current == position) return 0;
        position = current;
        continue;
      }
      // A single producer moves the tail after publishing, as TryPushSingleProducer does.
      if (!multi_producer) break;
      if (producer_.tail.compare_exchange_weak(position, position + run,
                                               std::memory_order_relaxed)) {
        break;
      }
    }
    for (size_t i = 0; i < run; ++i) {
      ::new (slots_[(position + i) & mask_].storage) T(std::move(items[i]));
    }
    for (size_t i = 1; i < run; ++i) {
      slots_[(position + i) & mask_].sequence.store(position + i + 1, std::memory_order_release);
    }
    // Release: a consumer that sees the first slot published also sees the rest of the run.
    slots_[position & mask_].sequence.store(position + 1, std::memory_order_release);
    if (!multi_producer) producer_.tail.store(position + run, std::memory_order_release);
    return run;
  }

  /// Consumes up to `max` published items in order, calling `sink(T&&)` for each, and returns
  /// how many. REQUIRES: one consumer thread at a time.
  template <typename Sink>
  size_t Consume(size_t max, Sink&& sink) {
    return shared_ ? ConsumeShared(max, sink) : ConsumeExclusive(max, sink);
  }

  /// What DiscardOldest did.
  enum class DiscardOutcome {
    kDiscarded,  // The oldest unread item was destroyed and its slot released.
    kNotFull,    // The slot at `observed_tail` is held by an item already claimed by a
                 // consumer that is still moving it out: retrying the push will succeed soon.
    kContended,  // The head moved or is not yet published (an in-flight producer): retry.
  };

  /// Destroys the oldest unread item so that a producer that found the ring full at
  /// `observed_tail` can make room (DropOldest). Claims the item with the same CAS on the
  /// consumer position that the consumer uses in kShared mode, so the consumer and the
  /// dropping producers can never both take the same item, and no item is lost without the
  /// caller knowing. REQUIRES: mode() == kShared.
  DiscardOutcome DiscardOldest(uint64_t observed_tail) {
    LAMINAR_DCHECK(shared_);
    uint64_t head = head_.value.load(std::memory_order_acquire);
    if (static_cast<int64_t>(observed_tail - head) < static_cast<int64_t>(capacity_)) {
      // Fewer than `capacity` positions are unclaimed, so the slot the producer wants is held
      // by an item that some consumer already owns: dropping another would be a needless loss.
      return DiscardOutcome::kNotFull;
    }
    Slot& slot = slots_[head & mask_];
    if (slot.sequence.load(std::memory_order_acquire) != head + 1) {
      return DiscardOutcome::kContended;
    }
    if (!head_.value.compare_exchange_strong(head, head + 1, std::memory_order_acq_rel,
                                             std::memory_order_acquire)) {
      return DiscardOutcome::kContended;
    }
    slot.Item()->~T();
    slot.sequence.store(head + capacity_, std::memory_order_release);
    return DiscardOutcome::kDiscarded;
  }

  /// The producer position: the number of positions claimed so far (pushes, including ones in
  /// flight under multiple producers).
  uint64_t tail() const { return producer_.tail.load(std::memory_order_acquire); }
  /// The consumer position: the number of items consumed (or, kShared, claimed) so far.
  uint64_t head() const { return head_.value.load(std::memory_order_acquire); }

  /// True when the item at the consumer position is published. Any thread; a hint when other
  /// threads consume concurrently.
  bool HasReadable() const {
    const uint64_t head = head_.value.load(std::memory_order_acquire);
    return slots_[head & mask_].sequence.load(std::memory_order_acquire) == head + 1;
  }

  /// True when the slot at the producer position is free (or the position moved on). A hint.
  bool HasSpace() const {
    const uint64_t tail = producer_.tail.load(std::memory_order_acquire);
    if (!shared_) {
      const uint64_t head = head_.value.load(std::memory_order_acquire);
      return static_cast<int64_t>(tail - head) < static_cast<int64_t>(capacity_);
    }
    const uint64_t sequence = slots_[tail & mask_].sequence.load(std::memory_order_acquire);
    return static_cast<int64_t>(sequence - tail) >= 0;
  }

  /// The number of queued items, exact when no thread pushes or pops concurrently.
  size_t SizeApprox() const {
    const uint64_t head = head_.value.load(std::memory_order_acquire);
    const uint64_t tail = producer_.tail.load(std::memory_order_acquire);
    const int64_t size = static_cast<int64_t>(tail - head);
    if (size <= 0) return 0;
    return size > static_cast<int64_t>(capacity_) ? capacity_ : static_cast<size_t>(size);
  }

 private:
  struct Slot {
    std::atomic<uint64_t> sequence{0};
    alignas(T) unsigned char storage[sizeof(T)];

    T* Item() { return std::launder(reinterpret_cast<T*>(storage)); }
  };

  /// Producer-side state, alone on its cache line.
  struct alignas(kCacheLineSize) ProducerState {
    std::atomic<uint64_t> tail{0};
    /// kExclusive: the consumer position as last read by a producer. A lower bound of the real
    /// one (positions only grow, and a stale store only makes it smaller), so trusting it never
    /// overwrites an unconsumed item. Acquire/release so that a producer trusting a value read
    /// by another producer is ordered after the consumer's move-out, transitively.
    std::atomic<uint64_t> cached_head{0};
  };

  /// An atomic position alone on its cache line.
  struct alignas(kCacheLineSize) PaddedPosition {
    std::atomic<uint64_t> value{0};
  };

  /// kExclusive: whether the slot of `position` has been released by the consumer. Reads the
  /// consumer position only when the cached copy says "full".
  bool SlotIsFree(uint64_t position) {
    if (shared_) {
      return slots_[position & mask_].sequence.load(std::memory_order_acquire) == position;
    }
    return FreeSlotsFrom(position, 1) != 0;
  }

  /// kExclusive: how many slots from `position` on are free, re-reading the consumer position
  /// only when the cached copy shows fewer than `wanted`.
  size_t FreeSlotsFrom(uint64_t position, size_t wanted) {
    const int64_t limit = static_cast<int64_t>(capacity_);
    int64_t used =
        static_cast<int64_t>(position - producer_.cached_head.load(std::memory_order_acquire));
    if (limit - used < static_cast<int64_t>(wanted)) {
      // Acquire: the consumer's move-out of the slots' previous items happens before our writes.
      const uint64_t head = head_.value.load(std::memory_order_acquire);
      producer_.cached_head.store(head, std::memory_order_release);
      used = static_cast<int64_t>(position - head);
    }
    return used >= limit ? 0 : static_cast<size_t>(limit - used);
  }

  /// How many items from `first` on (at most `max`) are published, in a row.
  size_t CountPublished(uint64_t first, size_t max) const {
    size_t count = 0;
    while (count < max && slots_[(first + count) & mask_].sequence.load(
                              std::memory_order_acquire) == first + count + 1) {
      ++count;
    }
    return count;
  }

  template <typename Sink>
  size_t ConsumeExclusive(size_t max, Sink& sink) {
    const uint64_t first = head_.value.load(std::memory_order_relaxed);
    size_t count = 0;
    while (count < max) {
      Slot& slot = slots_[(first + count) & mask_];
      if (slot.sequence.load(std::memory_order_acquire) != first + count + 1) break;
      T* item = slot.Item();
      sink(std::move(*item));
      item->~T();
      ++count;
    }
    // One release store hands the whole batch of slots back to the producers: our reads of
    // the items happen before a producer that acquires the new position reuses their slots.
    if (count != 0) head_.value.store(first + count, std::memory_order_release);
    return count;
  }

  template <typename Sink>
  size_t ConsumeShared(size_t max, Sink& sink) {
    uint64_t first = head_.value.load(std::memory_order_acquire);
    for (;;) {
      const size_t count = CountPublished(first, max);
      if (count == 0) return 0;
      // A failed CAS (a producer discarded the head) reloads `first`; rescan from there.
      if (head_.value.compare_exchange_weak(first, first + count, std::memory_order_acq_rel,
                                            std::memory_order_acquire)) {
        for (size_t i = 0; i < count; ++i) {
          const uint64_t position = first + i;
          Slot& slot = slots_[position & mask_];
          T* item = slot.Item();
          sink(std::move(*item));
          item->~T();
          // Release: our reads of the item happen before a producer reuses the slot.
          slot.sequence.store(position + capacity_, std::memory_order_release);
        }
        return count;
      }
    }
  }

  // Read-only after construction; shared by both sides.
  const size_t capacity_;
  const uint64_t mask_;
  const bool shared_;
  const std::unique_ptr<Slot[]> slots_;

  ProducerState producer_;
  PaddedPosition head_;  // Consumer position.
};

}  // namespace laminar::stream
