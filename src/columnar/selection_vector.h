#pragma once

#include <cstdint>
#include <numeric>
#include <vector>

namespace laminar {

/// The rows of a batch that survive a filter, as ascending (or, for reordering operators,
/// arbitrary) row indices. Filters produce a selection instead of copying rows; later
/// operators read through it, and only an operator that must materialise (an emit, a join
/// build side) calls Take.
///
/// Indexes are 32-bit: a batch holds fewer than 2^32 rows (reactors cap batches far lower).
///
/// Thread-safety: not thread-safe; owned by one pipeline.
class SelectionVector {
 public:
  SelectionVector() = default;
  explicit SelectionVector(std::vector<uint32_t> rows) : rows_(std::move(rows)) {}

  /// Rows 0, 1, ..., count - 1.
  static SelectionVector Identity(int64_t count) {
    SelectionVector selection;
    selection.rows_.resize(static_cast<size_t>(count));
    std::iota(selection.rows_.begin(), selection.rows_.end(), 0u);
    return selection;
  }

  int64_t size() const { return static_cast<int64_t>(rows_.size()); }
  bool empty() const { return rows_.empty(); }
  uint32_t operator[](int64_t index) const { return rows_[static_cast<size_t>(index)]; }
  const uint32_t* data() const { return rows_.data(); }

  void Append(uint32_t row) { rows_.push_back(row); }
  void Clear() { rows_.clear(); }
  void Reserve(int64_t count) { rows_.reserve(static_cast<size_t>(count)); }
  /// For kernels that write indices directly: resize, write through mutable_data(), then
  /// Resize again to the count actually written.
  void Resize(int64_t count) { rows_.resize(static_cast<size_t>(count)); }
  uint32_t* mutable_data() { return rows_.data(); }

 private:
  std::vector<uint32_t> rows_;
};

}  // namespace laminar
