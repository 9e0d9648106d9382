#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace laminar::exec {

/// The ids of a table (an aggregate's group slots or session keys, an ASOF join's keys) that an
/// incremental snapshot (Operator::BeginSnapshot) writes in id order from a cursor: the table's
/// capacity at the barrier and a bit per id below it, set once the id is written, or when it
/// was taken after the barrier (then it is not part of the snapshot). The owner calls TakeOwed
/// before it changes an entry, or gives a free id to a new one, and keeps a copy of the entry
/// when the snapshot still owed it.
///
/// Thread-safety: the owner's thread.
struct BarrierIds {
  uint32_t capacity = 0;
  uint32_t cursor = 0;  // Ids below it are written, or were free at the barrier.
  std::vector<uint64_t> done_bits;

  void Begin(uint32_t table_capacity) {
    capacity = table_capacity;
    cursor = 0;
    done_bits.assign((size_t{capacity} + 63) / 64, 0);
  }
  bool done(uint32_t id) const { return ((done_bits[id >> 6] >> (id & 63)) & 1) != 0; }
  void mark_done(uint32_t id) { done_bits[id >> 6] |= uint64_t{1} << (id & 63); }
  /// Marks `id` done; true if the snapshot still owed it (an id of the barrier's table).
  bool TakeOwed(uint32_t id) {
    if (id >= capacity || done(id)) return false;
    mark_done(id);
    return true;
  }
  bool finished() const { return cursor >= capacity; }
  /// The next ids from the cursor that were live at the barrier and are not written yet:
  /// those not done and `is_live` now. Each costs 8 units of `budget`, a done or free id 1.
  template <typename IsLive>
  std::vector<uint32_t> Next(size_t& budget, const IsLive& is_live) {
    std::vector<uint32_t> ids;
    while (cursor < capacity && budget > 0) {
      const uint32_t id = cursor++;
      if (done(id)) {
        --budget;
        continue;
      }
      mark_done(id);
      if (is_live(id)) {
        ids.push_back(id);
        budget -= std::min<size_t>(budget, 8);
      } else {
        --budget;
      }
    }
    return ids;
  }
};

/// The entries an incremental snapshot owes of a list that, between compactions, is only
/// appended to (a join's rows waiting for the other side's watermark): the `count` it had at
/// the barrier, written in order. They stay the list's first entries until its first
/// compaction since the barrier; the owner calls Take just before that, which copies the ones
/// not written yet, and the rest are written from the copies.
///
/// Thread-safety: the owner's thread.
template <typename T>
class BarrierPrefix {
 public:
  void Begin(size_t count) {
    count_ = count;
    written_ = 0;
    copies_.reset();
  }
  /// Before the list is first compacted since the barrier: copies the entries not written yet
  /// and returns them (for the owner to retain what they refer to), or null when there is
  /// nothing to copy (already copied, or all written).
  const std::vector<T>* Take(const std::vector<T>& list) {
    if (copies_.has_value() || written_ == count_) return nullptr;
    copies_.emplace(list.begin() + static_cast<std::ptrdiff_t>(written_),
                    list.begin() + static_cast<std::ptrdiff_t>(count_));
    return &*copies_;
  }
  bool finished() const { return written_ == count_; }
  size_t written() const { return written_; }
  size_t left() const { return count_ - written_; }
  bool copied() const { return copies_.has_value(); }
  /// Entry `i` (written() <= i < written() + left()) as of the barrier.
  const T& at(const std::vector<T>& list, size_t i) const {
    return copies_ ? (*copies_)[i - (count_ - copies_->size())] : list[i];
  }
  /// Marks the next `n` entries written; `release` is called with each of them that is a copy
  /// (which it may change: it is written).
  template <typename Release>
  void Advance(size_t n, const Release& release) {
    if (copies_) {
      for (size_t i = written_; i < written_ + n; ++i) {
        release((*copies_)[i - (count_ - copies_->size())]);
      }
    }
    written_ += n;
  }
  /// Calls `release` with each copy not written yet (the snapshot is abandoned).
  template <typename Release>
  void ReleaseUnwritten(const Release& release) {
    if (copies_) {
      for (size_t i = written_; i < count_; ++i)
        release((*copies_)[i - (count_ - copies_->size())]);
    }
  }

 private:
  size_t count_ = 0;
  size_t written_ = 0;
  std::optional<std::vector<T>> copies_;  // Entries [count_ - size, count_) as of the barrier.
};

}  // namespace laminar::exec
