#pragma once

#include <cstddef>
#include <optional>
#include <set>

#include "common/result.h"

namespace laminar::exec {

/// An incremental snapshot of a std::set that keeps changing while it is written (Operator::
/// BeginSnapshot): the entries the set had at the barrier are written in order, a slice at a
/// time, from a cursor. Meanwhile the owner inserts through NoteInserted (entries added since
/// the barrier are skipped) and erases through Erase (a barrier entry the cursor has not passed
/// is kept aside, node and all, and written in its place).
///
/// Thread-safety: the owner's thread.
template <typename Key>
class OrderedSetSnapshot {
 public:
  using Set = std::set<Key>;

  /// At the barrier.
  explicit OrderedSetSnapshot(const Set& live) : count_(live.size()) {
    if (!live.empty()) last_ = *live.rbegin();
  }

  size_t count() const { return count_; }
  /// Whether `key` may be a barrier entry not written yet (the barrier's largest bounds them).
  bool Pending(const Key& key) const {
    return last_.has_value() && !(*last_ < key) && !(cursor_.has_value() && !(*cursor_ < key));
  }
  /// After an insert into `live` added `key`.
  void NoteInserted(const Key& key) {
    if (Pending(key)) added_.insert(key);
  }
  /// Erases `entry` from `live`, keeping it if the snapshot still owes it. Returns the next.
  typename Set::iterator Erase(Set& live, typename Set::iterator entry) {
    if (!Pending(*entry) || added_.count(*entry) != 0) return live.erase(entry);
    auto next = std::next(entry);
    saved_.insert(live.extract(entry));  // The node moves: nothing is copied.
    return next;
  }

  /// Writes the next entries through `write(const Key&)`, each costing `cost` of `budget` (an
  /// entry added since the barrier and passed over costs 1); true once all are written.
  /// kInternal if barrier entries went missing (an erase that bypassed Erase).
  template <typename Write>
  Result<bool> Continue(const Set& live, size_t& budget, size_t cost, Write&& write) {
    auto next_live = cursor_ ? live.upper_bound(*cursor_) : live.begin();
    auto next_saved = cursor_ ? saved_.upper_bound(*cursor_) : saved_.begin();
    const Key* passed = nullptr;  // The last entry written or passed over.
    while (written_ < count_ && budget > 0) {
      if (next_live != live.end() && added_.count(*next_live) != 0 &&
          (next_saved == saved_.end() || *next_live < *next_saved)) {
        passed = &*next_live++;
        --budget;
        continue;
      }
      budget = budget >= cost ? budget - cost : 0;
      const bool from_saved =
          next_saved != saved_.end() && (next_live == live.end() || !(*next_live < *next_saved));
      if (from_saved) {
        // The same entry in `live` was added since the barrier: the barrier's is written.
        if (next_live != live.end() && !(*next_saved < *next_live)) ++next_live;
        passed = &*next_saved++;
      } else if (next_live != live.end()) {
        passed = &*next_live++;
      } else {
        return Status::Error(ErrorCode::kInternal, "{} entries of a snapshot are gone",
                             count_ - written_);
      }
      write(*passed);
      ++written_;
    }
    if (passed != nullptr) {
      cursor_ = *passed;
      // What the cursor passed needs keeping no more.
      saved_.erase(saved_.begin(), saved_.upper_bound(*cursor_));
      added_.erase(added_.begin(), added_.upper_bound(*cursor_));
    }
    return written_ == count_;
  }

 private:
  size_t count_;
  size_t written_ = 0;
  std::optional<Key> cursor_;
  std::optional<Key> last_;
  Set saved_;
  Set added_;
};

}  // namespace laminar::exec
