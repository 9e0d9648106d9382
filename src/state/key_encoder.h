#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "columnar/column.h"
#include "columnar/column_builder.h"
#include "columnar/data_type.h"
#include "common/result.h"

namespace laminar::state {

/// Encodes the group-key columns of a batch into one byte string per row, so that equal
/// key tuples (SQL NULL equal to NULL, as GROUP BY requires) give equal bytes, and computes
/// each row's hash. An optional leading int64 per row (a window start or pane id) is encoded
/// first. Decoding turns stored keys back into columns for output.
///
/// The encoding of one row, in native (little-endian) byte order; it lives in memory only:
/// - the prefix: 8 bytes, when the row has one;
/// - with two or more key columns, a NULL bitmap of ceil(columns / 8) bytes, bit c (least
///   significant first) set when column c is NULL;
/// - each column's value in order: a fixed-width value in its width (BOOLEAN 1 byte, 0 or 1;
///   NULL type 0 bytes), all zero when NULL; a VARCHAR or BYTEA value as a 4-byte length and
///   its bytes, length 0 when NULL.
/// With a single key column there is no bitmap; a NULL value is then encoded as nothing at all,
/// which no non-NULL value is (every one takes at least one byte). So a BIGINT key encodes
/// in 8 bytes, which GroupTable compares inline.
/// REAL and DOUBLE are canonicalised first: -0.0 encodes as 0.0 and every NaN as one quiet NaN.
/// INTERVAL compares field by field (as Interval's operator== does): '1 mon' and '30 days' are
/// different groups.
///
/// Thread-safety: one thread. The encoder reuses its buffers from batch to batch.
class KeyEncoder {
 public:
  explicit KeyEncoder(std::vector<DataType> key_types);

  /// Encodes rows `rows` (empty: all rows) of `key_columns` (one per key type), each prefixed
  /// with prefix[i] when `prefix` is non-empty. Results in key(i) / hash(i), i < size().
  /// REQUIRES: the columns have the key types; prefix is empty or has one value per encoded
  /// row. With no key columns and no `rows`, one key per prefix value is encoded.
  void Encode(std::span<const Column> key_columns, std::span<const uint32_t> rows,
              std::span<const int64_t> prefix);
  /// The key of encoded row i; valid until the next Encode.
  std::string_view key(size_t i) const {
    return constant_stride_
               ? std::string_view(bytes_.data() + i * stride_, stride_)
               : std::string_view(bytes_.data() + offsets_[i], offsets_[i + 1] - offsets_[i]);
  }
  /// GroupTable::Hash(key(i)).
  uint64_t hash(size_t i) const { return hashes_[i]; }
  size_t size() const { return hashes_.size(); }

  /// Appends the key columns decoded from `key` (prefixed or not, as it was encoded) to
  /// `builders` (one per key type); returns the prefix when there was one (0 otherwise).
  /// Fails only when a string column would exceed the 2 GiB column limit (kInvalidArgument).
  /// REQUIRES: `key` was produced by an encoder of the same key types.
  Result<int64_t> Decode(std::string_view key, bool has_prefix,
                         std::span<ColumnBuilder> builders) const;

  /// Whether `key` (without a prefix) is a key Encode can produce: every column in its
  /// encoded size, zeros under NULLs and in the bitmap's unused bits, booleans 0 or 1, REAL and
  /// DOUBLE values canonical. Checkpoint restore checks
  /// the keys it reads with it, so that Decode never reads past a key and no two stored keys
  /// stand for the same key tuple.
  bool IsCanonical(std::string_view key) const;

 private:
  /// Writes column `column`'s values of every encoded row (see Encode) through `cursor`.
  template <typename Cursor>
  void EncodeColumn(const Column& column, const uint32_t* rows, Cursor& cursor) const;
  /// Sets the NULL bits of column `index` in every row's bitmap.
  void EncodeNullBits(const Column& column, size_t index, const uint32_t* rows,
                      size_t prefix_bytes);
  size_t RowStart(size_t i) const { return constant_stride_ ? i * stride_ : offsets_[i]; }

  std::vector<DataType> key_types_;
  size_t bitmap_bytes_ = 0;  // 0 with fewer than two key columns.
  bool all_fixed_width_ = true;
  size_t fixed_bytes_ = 0;  // Sum of the fixed-width columns' widths.

  bool constant_stride_ = false;  // Every row has stride_ bytes; offsets_ unused.
  size_t stride_ = 0;
  std::vector<char> bytes_;
  std::vector<size_t> offsets_;  // size() + 1 row starts, when !constant_stride_.
  std::vector<size_t> cursors_;  // Per row: where the next column's value goes.
  std::vector<uint64_t> hashes_;
};

}  // namespace laminar::state
