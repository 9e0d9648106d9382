#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "columnar/batch.h"
#include "columnar/column.h"
#include "columnar/column_builder.h"

namespace laminar::state {

/// The Ring-0 keyed state store of stateful operators: maps group keys (byte strings) to dense
/// slot numbers, which index the operators' column-wise state arrays (see
/// exec::Accumulator). Open addressing with stored 64-bit hashes; keys live in an arena;
/// erased slots go to a free list and are handed out again.
///
/// Thread-safety: one thread (the owning reactor).
class GroupTable {
 public:
  static constexpr uint32_t kNoSlot = UINT32_MAX;

  GroupTable();

  /// The slot of `key` (hash must be Hash(key)), inserting it when absent. `inserted` tells.
  uint32_t FindOrInsert(std::string_view key, uint64_t hash, bool* inserted);
  /// The slot of `key`, or kNoSlot.
  uint32_t Find(std::string_view key, uint64_t hash) const;
  /// Removes the key of `slot`; the slot number becomes free for reuse.
  void Erase(uint32_t slot);

  /// Whether `slot` currently holds a key.
  bool IsLive(uint32_t slot) const;
  /// The key stored for a live slot.
  std::string_view key(uint32_t slot) const;
  /// Number of live keys.
  size_t size() const;
  /// One past the highest slot number ever handed out (size state arrays with this).
  uint32_t slot_capacity() const;
  /// Bytes held by the table and its keys.
  size_t MemoryBytes() const;

  static uint64_t Hash(std::string_view key);
};

/// Encodes the group-key columns of a batch into one byte string per row, so that equal
/// key tuples (SQL NULL equal to NULL, as GROUP BY requires) give equal bytes, and computes
/// each row's hash. An optional leading int64 per row (a window start or pane id) is encoded
/// first. Decoding turns stored keys back into columns for output.
class KeyEncoder {
 public:
  explicit KeyEncoder(std::vector<DataType> key_types);

  /// Encodes rows `rows` (empty: all rows) of `key_columns` (one per key type), each prefixed
  /// with prefix[i] when `prefix` is non-empty. Results in keys() / hashes().
  void Encode(std::span<const Column> key_columns, std::span<const uint32_t> rows,
              std::span<const int64_t> prefix);
  std::string_view key(size_t i) const;
  uint64_t hash(size_t i) const;
  size_t size() const;

  /// Appends the key columns decoded from `key` (prefixed or not, as it was encoded) to
  /// `builders` (one per key type); returns the prefix when there was one.
  int64_t Decode(std::string_view key, bool has_prefix, std::span<ColumnBuilder> builders) const;
};

}  // namespace laminar::state
