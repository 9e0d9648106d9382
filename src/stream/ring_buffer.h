#pragma once

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

/// A bounded ring of `capacity` slots (a power of two, so `position & mask` replaces a modulo)
/// with lock-free claim/publish/consume primitives. It is the storage and synchronisation core
/// of Channel; policies (backpressure, waiting, closing, counting) live in Channel.
///
/// Positions are 64-bit counters that only grow (they never wrap in practice: 2^64 items at
/// 10^9 items/s take 584 years). Position p lives in slot `p & mask`. Each slot carries a
/// sequence number that encodes its state for the position that maps to it:
///
///   sequence == p              the slot is free for the producer that claims position p;
///   sequence == p + 1          the item at position p is published and may be consumed;
///   sequence == p + capacity   the item at p was consumed; the slot is free for p + capacity.
///
/// (This is D. Vyukov's bounded-queue scheme.) Producers publish with a release store of the
/// slot sequence and consumers acquire it, so neither side ever reads the other side's
/// position counter on the fast path: each side reads only the sequence of the slot it is about
/// to touch anyway, which plays the role of the "cached opposite position" of a classic
/// head/tail SPSC ring without its extra cache-line transfers.
///
/// Producer position (`tail`) and consumer position (`head`) are each on their own cache line.
///
/// Thread-safety: TryPushSingleProducer may be used by one thread at a time and never
/// concurrently with TryPushMultiProducer; TryPushMultiProducer by any number of threads.
/// ConsumeExclusive by one thread at a time; ConsumeShared and DiscardOldest by any number of
/// threads, but never concurrently with ConsumeExclusive. Size and counters from any thread.
template <typename T>
class RingBuffer {
  static_assert(std::is_nothrow_move_constructible_v<T>,
                "ring items must be nothrow move-constructible");

 public:
  /// REQUIRES: ValidateRingCapacity(capacity).ok() (callers validate user input first).
  explicit RingBuffer(size_t capacity)
      : capacity_(capacity), mask_(capacity - 1), slots_(std::make_unique<Slot[]>(capacity)) {
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

  /// Pushes with a plain load and store of the producer position: no read-modify-write.
  /// Moves from `value` only on success; returns false when the ring is full.
  /// REQUIRES: the calling thread is the only producer (see class comment).
  bool TryPushSingleProducer(T& value) {
    const uint64_t position = tail_.value.load(std::memory_order_relaxed);
    Slot& slot = slots_[position & mask_];
    // Acquire: the consumer's move-out and destruction of the previous occupant happen before
    // we construct into the slot.
    if (slot.sequence.load(std::memory_order_acquire) != position) return false;
    ::new (slot.storage) T(std::move(value));
    slot.sequence.store(position + 1, std::memory_order_release);
    tail_.value.store(position + 1, std::memory_order_release);
    return true;
  }

  /// Pushes after claiming the position with a compare-and-swap, so any number of producers
  /// may push concurrently. Moves from `value` only on success; false when full.
  bool TryPushMultiProducer(T& value) {
    uint64_t position = tail_.value.load(std::memory_order_relaxed);
    Slot* slot;
    for (;;) {
      slot = &slots_[position & mask_];
      const uint64_t sequence = slot->sequence.load(std::memory_order_acquire);
      const int64_t difference = static_cast<int64_t>(sequence - position);
      if (difference == 0) {
        // The slot is free for `position`; claim it. On failure `position` is reloaded.
        if (tail_.value.compare_exchange_weak(position, position + 1,
                                              std::memory_order_relaxed)) {
          break;
        }
      } else if (difference < 0) {
        return false;  // Still holds the item of position - capacity: full.
      } else {
        position = tail_.value.load(std::memory_order_relaxed);  // Another producer won.
      }
    }
    ::new (slot->storage) T(std::move(value));
    slot->sequence.store(position + 1, std::memory_order_release);
    return true;
  }

  /// Consumes up to `max` published items in order, calling `sink(T&&)` for each, and returns
  /// how many. The consumer position is advanced with a plain store.
  /// REQUIRES: the calling thread is the only consumer and no thread calls DiscardOldest.
  template <typename Sink>
  size_t ConsumeExclusive(size_t max, Sink&& sink) {
    const uint64_t first = head_.value.load(std::memory_order_relaxed);
    const size_t count = CountPublished(first, max);
    if (count == 0) return 0;
    head_.value.store(first + count, std::memory_order_release);
    MoveOut(first, count, sink);
    return count;
  }

  /// Like ConsumeExclusive, but claims the items with a compare-and-swap of the consumer
  /// position, so that it is safe against concurrent DiscardOldest calls by producers. Each
  /// item goes to exactly one claimer; slots are released only after their item is moved out.
  template <typename Sink>
  size_t ConsumeShared(size_t max, Sink&& sink) {
    uint64_t first = head_.value.load(std::memory_order_acquire);
    for (;;) {
      const size_t count = CountPublished(first, max);
      if (count == 0) return 0;
      // acq_rel: a failed CAS (a producer discarded the head) reloads `first` and rescans.
      if (head_.value.compare_exchange_weak(first, first + count, std::memory_order_acq_rel,
                                            std::memory_order_acquire)) {
        MoveOut(first, count, sink);
        return count;
      }
    }
  }

  /// What DiscardOldest did.
  enum class DiscardOutcome {
    kDiscarded,   // The oldest unread item was destroyed and its slot released.
    kNotFull,     // The slot at `observed_tail` is held by an item already claimed by a
                  // consumer that is still moving it out: retrying the push will succeed soon.
    kContended,   // The head moved or is not yet published (an in-flight producer): retry.
  };

  /// Destroys the oldest unread item so that a producer that found the ring full at
  /// `observed_tail` can make room (DropOldest). Claims the item with the same CAS on the
  /// consumer position that ConsumeShared uses, so the consumer and the dropping producers can
  /// never both take the same item, and no item is lost without being counted by the caller.
  DiscardOutcome DiscardOldest(uint64_t observed_tail) {
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
  uint64_t tail() const { return tail_.value.load(std::memory_order_acquire); }
  /// The consumer position: the number of items consumed or discarded so far.
  uint64_t head() const { return head_.value.load(std::memory_order_acquire); }

  /// True when the item at the consumer position is published. Any thread; a hint when other
  /// threads consume concurrently.
  bool HasReadable() const {
    const uint64_t head = head_.value.load(std::memory_order_acquire);
    return slots_[head & mask_].sequence.load(std::memory_order_acquire) == head + 1;
  }

  /// True when the slot at the producer position is free (or the position moved on). A hint.
  bool HasSpace() const {
    const uint64_t tail = tail_.value.load(std::memory_order_acquire);
    const uint64_t sequence = slots_[tail & mask_].sequence.load(std::memory_order_acquire);
    return static_cast<int64_t>(sequence - tail) >= 0;
  }

  /// The number of queued items, exact when no thread pushes or pops concurrently.
  size_t SizeApprox() const {
    const uint64_t head = head_.value.load(std::memory_order_acquire);
    const uint64_t tail = tail_.value.load(std::memory_order_acquire);
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

  /// An atomic position alone on its cache line.
  struct alignas(kCacheLineSize) PaddedPosition {
    std::atomic<uint64_t> value{0};
  };

  /// How many items from `first` on (at most `max`) are published, in a row.
  size_t CountPublished(uint64_t first, size_t max) const {
    size_t count = 0;
    while (count < max &&
           slots_[(first + count) & mask_].sequence.load(std::memory_order_acquire) ==
               first + count + 1) {
      ++count;
    }
    return count;
  }

  /// Moves the claimed items [first, first + count) to `sink` and releases their slots.
  template <typename Sink>
  void MoveOut(uint64_t first, size_t count, Sink& sink) {
    for (size_t i = 0; i < count; ++i) {
      const uint64_t position = first + i;
      Slot& slot = slots_[position & mask_];
      T* item = slot.Item();
      sink(std::move(*item));
      item->~T();
      // Release: our reads of the item happen before a producer reuses the slot.
      slot.sequence.store(position + capacity_, std::memory_order_release);
    }
  }

  // Read-only after construction; shared by both sides.
  const size_t capacity_;
  const uint64_t mask_;
  const std::unique_ptr<Slot[]> slots_;

  PaddedPosition tail_;  // Producer position.
  PaddedPosition head_;  // Consumer position.
};

}  // namespace laminar::stream
