#pragma once

// An order-independent checksum of what a stream emits, so that two runs of a query (another
// batch size, another input mode, another engine version) can be compared by one number
// without keeping the output.

#include <cstdint>
#include <string>

#include "exec/change_batch.h"

namespace laminar::server {

/// Accumulates the checksum of a multiset of rows with weights: the output of a stream, in any
/// order and any batching.
///
/// Definition: each row's hash is computed from its values column by column (the column's type
/// and the value's canonical binary form: integers of every width as int64, -0.0 as 0.0 and
/// every NaN alike, DECIMAL by unscaled value and scale, strings by their bytes, NULL as a mark
/// of its own), so the same values in the same columns always hash alike; the checksum is the
/// sum, modulo 2^64, of `weight * Finalize(row hash)` over the rows. A sum does not depend on
/// the order of its terms, and a retraction (-1) cancels the insertion (+1) of an equal row,
/// so a changelog's checksum is that of the rows it leaves. Equal multisets give equal
/// checksums; different ones collide with probability about 2^-64.
///
/// Thread-safety: one thread at a time.
class OutputChecksum {
 public:
  /// Adds every row of `batch` with its weight. REQUIRES: the batches added to one checksum
  /// have the same column types.
  void Add(const exec::ChangeBatch& batch);

  /// The checksum of the rows added so far (0 for none).
  uint64_t value() const { return sum_; }
  /// The checksum as 16 lower-case hex digits.
  std::string Hex() const;
  /// Rows added, each counted by its weight: the size of the multiset they leave.
  int64_t net_rows() const { return net_rows_; }
  /// Rows added, insertions and retractions alike.
  int64_t changes() const { return changes_; }

 private:
  uint64_t sum_ = 0;
  int64_t net_rows_ = 0;
  int64_t changes_ = 0;
};

}  // namespace laminar::server
