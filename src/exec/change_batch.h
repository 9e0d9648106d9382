#pragma once

#include <cstdint>
#include <vector>

#include "columnar/batch.h"

namespace laminar::exec {

/// A batch of rows flowing through a stream, with the weight of each row: +1 adds the row,
/// -1 retracts an earlier equal row (a Z-set, ARCHITECTURE.md "Changelog"). Append-only
/// streams carry no weights at all, so their batches cost nothing extra.
///
/// Ownership: a value type; the rows share their buffers (copying a ChangeBatch copies only
/// reference counts and, for changelogs, the weights).
struct ChangeBatch {
  Batch rows;
  /// Empty: every row has weight +1. Otherwise one entry (+1 or -1) per row.
  std::vector<int8_t> weights;

  int64_t num_rows() const { return rows.num_rows(); }
  bool append_only() const { return weights.empty(); }
  int weight(int64_t row) const { return weights.empty() ? 1 : weights[static_cast<size_t>(row)]; }
};

/// Event time "no row below this can arrive any more" in microseconds. kMinWatermark: nothing
/// is known yet; kMaxWatermark: the input has ended (a closed source), so everything may be
/// flushed.
inline constexpr int64_t kMinWatermark = INT64_MIN;
inline constexpr int64_t kMaxWatermark = INT64_MAX;

/// Event-time arithmetic that saturates at -infinity / +infinity (kMinWatermark /
/// kMaxWatermark) instead of overflowing: a deadline past the end of time is the end of time.
inline int64_t SaturatingAdd(int64_t a, int64_t b) {
  int64_t result = 0;
  if (__builtin_add_overflow(a, b, &result)) return b > 0 ? kMaxWatermark : kMinWatermark;
  return result;
}
inline int64_t SaturatingSub(int64_t a, int64_t b) {
  int64_t result = 0;
  if (__builtin_sub_overflow(a, b, &result)) return b > 0 ? kMinWatermark : kMaxWatermark;
  return result;
}

}  // namespace laminar::exec
