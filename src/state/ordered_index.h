#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

namespace laminar::state {

/// An ordered multimap from an event time (a window end, a session end, a TTL deadline) to a
/// group table slot. Operators register each group under the time at which it must be emitted
/// or dropped and, when the watermark passes a time, pop every entry up to it.
///
/// Layout: the (time, slot) pairs sorted by time, entries of equal time in insertion order, cut
/// into blocks of at most kBlockCapacity pairs (times and slots in separate arrays); a flat
/// array of each block's last time routes a search to its block by binary search. This is a
/// B+-tree with a single, flat inner level: a search touches the fence array and one block;
/// thousands of slots under one window end are contiguous runs that pop with a few copies;
/// appending at the latest time (the common case) fills blocks completely. Inserting in the
/// middle of a block moves at most one block; a full block splits in two, an emptied block is
/// recycled, and a block that falls under a quarter full merges with a small neighbour.
///
/// Frozen copies (Freeze) share the blocks: taking one copies a pointer per block, and the
/// index copies a block the first time it changes it while a frozen copy still holds it
/// (copy-on-write), so an incremental snapshot writes the index as it was at the barrier while
/// the operator goes on.
///
/// Thread-safety: one thread (the owning reactor), frozen copies included.
class OrderedIndex {
 public:
  static constexpr size_t kBlockCapacity = 256;

  struct Entry {
    int64_t time;
    uint32_t slot;
    friend bool operator==(const Entry&, const Entry&) = default;
  };

  OrderedIndex() = default;
  OrderedIndex(OrderedIndex&&) noexcept = default;
  OrderedIndex& operator=(OrderedIndex&&) noexcept = default;

  /// Adds (time, slot), after every entry with the same time.
  void Insert(int64_t time, uint32_t slot);
  /// Removes the first entry equal to (time, slot); false when there is none. Costs a scan of
  /// the entries sharing `time`.
  bool Erase(int64_t time, uint32_t slot);
  /// Removes every entry with time <= `time` and appends them to `out` in (time, insertion)
  /// order.
  void PopUpTo(int64_t time, std::vector<Entry>* out);
  /// Calls fn(time, slot) for every entry with lo <= time <= hi, in order. REQUIRES: `fn` does
  /// not modify the index.
  template <typename Fn>
  void Range(int64_t lo, int64_t hi, Fn&& fn) const;

  /// The index as it is now, unchanged by what the index does later.
  class Frozen;
  Frozen Freeze() const;

  /// The smallest time held, if any (when the next entry becomes due).
  std::optional<int64_t> MinTime() const;
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  /// Bytes held by the index.
  size_t MemoryBytes() const;

 private:
  struct Block {
    uint32_t count = 0;
    int64_t times[kBlockCapacity];
    uint32_t slots[kBlockCapacity];
  };

  /// Index of the first block whose last time is >= `time` (blocks_.size() if none).
  size_t FirstBlockAtOrAfter(int64_t time) const {
    return static_cast<size_t>(std::lower_bound(last_times_.begin(), last_times_.end(), time) -
                               last_times_.begin());
  }
  std::shared_ptr<Block> NewBlock();
  void RecycleBlock(std::shared_ptr<Block> block);
  /// Block `index`, copied first if a frozen copy shares it.
  Block& Writable(size_t index);
  /// Inserts an empty block at `index` of blocks_ and returns it.
  Block* InsertBlock(size_t index);
  /// Removes entry `position` of block `index`, dropping or merging the block as needed.
  void RemoveAt(size_t index, uint32_t position);
  /// Merges block `index`, when under a quarter full, with a neighbour if both fit in half a
  /// block.
  void MaybeMerge(size_t index);
  /// Removes block `index` from blocks_ and keeps it for reuse.
  void DropBlock(size_t index);

  std::vector<std::shared_ptr<Block>> blocks_;  // Shared only with frozen copies.
  std::vector<int64_t> last_times_;             // last_times_[i]: the last time in blocks_[i].
  std::vector<std::shared_ptr<Block>> spare_blocks_;
  size_t size_ = 0;
};

/// An index as it was when frozen, read in order from a cursor. Releases each block once read.
class OrderedIndex::Frozen {
 public:
  Frozen() = default;
  size_t size() const { return size_; }
  /// Entries read so far.
  size_t read() const { return read_; }
  /// Calls fn(time, slot) for the next `limit` entries at most, in order; returns how many.
  template <typename Fn>
  size_t ReadNext(size_t limit, Fn&& fn);

 private:
  friend class OrderedIndex;
  std::vector<std::shared_ptr<const Block>> blocks_;
  size_t size_ = 0;
  size_t read_ = 0;
  size_t block_ = 0;       // The block of the next entry,
  uint32_t position_ = 0;  // and its position there.
};

template <typename Fn>
void OrderedIndex::Range(int64_t lo, int64_t hi, Fn&& fn) const {
  size_t index = FirstBlockAtOrAfter(lo);
  if (lo > hi || index == blocks_.size()) return;
  const Block* block = blocks_[index].get();
  uint32_t position = static_cast<uint32_t>(
      std::lower_bound(block->times, block->times + block->count, lo) - block->times);
  while (true) {
    for (; position < block->count; ++position) {
      if (block->times[position] > hi) return;
      fn(block->times[position], block->slots[position]);
    }
    if (++index == blocks_.size()) return;
    block = blocks_[index].get();
    position = 0;
  }
}

template <typename Fn>
size_t OrderedIndex::Frozen::ReadNext(size_t limit, Fn&& fn) {
  size_t called = 0;
  while (called < limit && block_ < blocks_.size()) {
    const Block& block = *blocks_[block_];
    for (; position_ < block.count && called < limit; ++position_, ++called) {
      fn(block.times[position_], block.slots[position_]);
    }
    if (position_ == block.count) {
      // Read: the index need not copy it any more before changing it.
      blocks_[block_].reset();
      ++block_;
      position_ = 0;
    }
  }
  read_ += called;
  return called;
}

}  // namespace laminar::state
