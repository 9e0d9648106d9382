#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
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

}  // namespace laminar::exec
