#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "columnar/batch.h"
#include "columnar/buffer.h"
#include "columnar/column.h"
#include "columnar/row_record.h"
#include "columnar/value.h"
#include "common/check.h"
#include "common/status.h"

namespace laminar {

/// Builds one column row by row. Appends are amortised O(1) and inline; the validity bitmap is
/// only allocated once the first NULL arrives, so columns without NULLs have none.
///
/// Typed appends (AppendFixed, AppendBoolean, AppendString) trust the caller to use the
/// builder's type (checked in debug builds); AppendValue checks and reports kSchemaMismatch.
/// Thread-safety: not thread-safe.
class ColumnBuilder {
 public:
  explicit ColumnBuilder(DataType type);
  ColumnBuilder(ColumnBuilder&&) noexcept = default;
  ColumnBuilder& operator=(ColumnBuilder&&) noexcept = default;

  const DataType& type() const { return type_; }
  int64_t length() const { return length_; }
  /// Whether AppendString(value of `size` bytes) would stay within the 2 GiB limit.
  bool HasRoomForString(size_t size) const {
    return size <= static_cast<size_t>(std::numeric_limits<int32_t>::max()) - data_.size();
  }

  /// Makes room for `rows` more rows (and `data_bytes` more string bytes).
  void Reserve(int64_t rows, int64_t data_bytes = 0);

  void AppendNull();
  void AppendNulls(int64_t count);

  /// REQUIRES: BOOLEAN.
  void AppendBoolean(bool value) {
    LAMINAR_DCHECK(type_.id() == TypeId::kBoolean);
    if ((length_ & 7) == 0) values_.Resize(values_.size() + 1);
    if (value) SetBit(values_.data(), length_);
    MarkValid();
  }

  /// REQUIRES: a fixed-width type with sizeof(T) == type().ByteWidth(): int8_t..int64_t,
  /// float, double, Decimal128, Interval, int32_t for DATE, int64_t for TIMESTAMP(TZ).
  template <typename T>
  void AppendFixed(T value) {
    LAMINAR_DCHECK(static_cast<int>(sizeof(T)) == type_.ByteWidth());
    values_.AppendValue(value);
    MarkValid();
  }

  /// REQUIRES: VARCHAR or BYTEA. Fails with kInvalidArgument when the column's bytes would
  /// exceed 2 GiB (the limit of 32-bit offsets); the builder is unchanged then.
  [[nodiscard]] Status AppendString(std::string_view value) {
    LAMINAR_DCHECK(type_.IsVariableWidth());
    if (!HasRoomForString(value.size())) [[unlikely]] {
      return StringTooLarge(value.size());
    }
    AppendCheckedString(value);
    return Status::Ok();
  }

  /// AppendString for a value known to fit (HasRoomForString(value.size())).
  void AppendCheckedString(std::string_view value) {
    LAMINAR_DCHECK(type_.IsVariableWidth() && HasRoomForString(value.size()));
    data_.Append(value.data(), value.size());
    values_.AppendValue(static_cast<int32_t>(data_.size()));
    MarkValid();
  }

  /// Appends a value given as its kWidth raw bytes (the physical type's, unaligned).
  /// REQUIRES: a fixed-width type with ByteWidth() == kWidth.
  template <size_t kWidth>
  void AppendFixedBytes(const uint8_t* bytes) {
    LAMINAR_DCHECK(static_cast<int>(kWidth) == type_.ByteWidth());
    values_.Append(bytes, kWidth);
    MarkValid();
  }

  /// Appends a scalar. NULL of any type is accepted; otherwise the value's type must equal the
  /// builder's (kSchemaMismatch names both).
  [[nodiscard]] Status AppendValue(const Value& value);

  /// Appends row `row` of `column`, which must have this builder's type.
  [[nodiscard]] Status AppendFrom(const Column& column, int64_t row);

  /// Returns the column built so far and resets the builder to empty. The buffers are handed
  /// over without copying; the builder starts again with no memory.
  Column Finish();

  /// Bytes (each buffer rounded up to kBufferAlignment) and number of buffers FinishInto needs.
  /// Inline: BatchBuilder::Finish sums them over every column of each batch.
  size_t ArenaBytes() const {
    if (type_.id() == TypeId::kNull) return 0;
    size_t bytes = RoundUpToAlignment(values_.size());
    if (has_validity_) bytes += RoundUpToAlignment(validity_.size());
    if (type_.IsVariableWidth()) bytes += RoundUpToAlignment(data_.size());
    return bytes;
  }
  int ArenaBuffers() const {
    if (type_.id() == TypeId::kNull) return 0;
    return 1 + (has_validity_ ? 1 : 0) + (type_.IsVariableWidth() ? 1 : 0);
  }
  /// Like Finish, but copies the buffers into `arena` and keeps this builder's memory for the
  /// next rows: for small batches, where an allocation per buffer costs more than the copy.
  /// Each buffer keeps a reference to the arena from `references` (taken ahead of time).
  /// REQUIRES: `arena` has room for ArenaBytes() and ArenaBuffers().
  Column FinishInto(const std::shared_ptr<BufferArena>& arena, ArenaReferences& references);

 private:
  void MarkValid() {
    if (has_validity_) [[unlikely]] {
      if ((length_ & 7) == 0) validity_.Resize(validity_.size() + 1);
      SetBit(validity_.data(), length_);
    }
    ++length_;
  }
  void StartValidity();
  void Reset();
  /// Reset, keeping the memory.
  void Clear();
  Status StringTooLarge(size_t size) const;

  DataType type_;
  int64_t length_ = 0;
  int64_t null_count_ = 0;
  bool has_validity_ = false;
  BufferBuilder validity_;
  BufferBuilder values_;  // Values, bits, or int32 offsets (starting with 0).
  BufferBuilder data_;    // String bytes.
};

/// Builds a batch of a given schema row by row (slow path: shells, tests, INSERT VALUES) or
/// column by column through column().
class BatchBuilder {
 public:
  explicit BatchBuilder(std::shared_ptr<const Schema> schema);

  /// Appends one row. Checks arity (kSchemaMismatch), types (kSchemaMismatch), NOT NULL
  /// (kNullViolation) and the 2 GiB string limit (kInvalidArgument) before appending anything,
  /// so on error nothing is appended.
  [[nodiscard]] Status AppendRow(std::span<const Value> row);

  /// Whether AppendRecord(record) stays within the 2 GiB of string bytes a column of one batch
  /// holds. Rows are pushed one by one; a reader that finds no room delivers what it has and
  /// appends the row to the next batch.
  bool HasRoomFor(const RowRecord& record) const {
    for (int column : string_columns_) {
      if (!builders_[column].HasRoomForString(record.string_bytes())) return HasRoomForEach(record);
    }
    return true;
  }

  /// Appends a row that an encoder checked against this builder's schema (RowRecord).
  /// REQUIRES: `record` is complete for this schema and HasRoomFor(record).
  void AppendRecord(const RowRecord& record);

  /// Direct access to a column's builder. The caller then answers for the batch: Finish checks
  /// it (Batch::Make) from then on, while rows appended through AppendRow and AppendRecord
  /// alone are known to fit the schema and are not checked again.
  ColumnBuilder& column(int index) {
    columns_accessed_ = true;
    return builders_[index];
  }
  int64_t num_rows() const {
    return builders_.empty() ? rows_without_columns_ : builders_[0].length();
  }

  /// Returns the batch built so far and resets the builder. A batch of at most
  /// kArenaBatchBytes has all its buffers copied into one BufferArena, which is refilled for a
  /// later batch once nobody holds anything of this one (a one-row batch then allocates only
  /// its column vector); a larger batch takes the builders' buffers without copying.
  Result<Batch> Finish();

  /// Readies the arena of the next small batch now rather than in Finish: the last one is reset
  /// when nothing of its batch is held any more, otherwise a new one of its size is made (the
  /// old one lives on with its readers). For a caller with time to spare between batches (the
  /// reactor, once a batch is published): Finish then finds the arena ready in this thread's
  /// cache instead of reading a reference count that a reader on another core released.
  void PrepareArena();

  /// Batches up to this many bytes of buffers are built in an arena (see Finish).
  static constexpr size_t kArenaBatchBytes = 16 * 1024;

 private:
  // How AppendRecord reads a column's value: kRecordBoolean, kRecordString, the ByteWidth, or
  // kRecordNull for a NULL-typed column (whose values are all NULL: nothing to read).
  static constexpr int8_t kRecordBoolean = -1;
  static constexpr int8_t kRecordString = -2;
  static constexpr int8_t kRecordNull = -3;
  // The batch of `columns` (at least one), checked by Batch::Make only if column() was used.
  Result<Batch> MakeBatch(std::vector<Column> columns) const;
  // HasRoomFor, string by string (the record's total did not fit somewhere).
  bool HasRoomForEach(const RowRecord& record) const;

  std::shared_ptr<const Schema> schema_;
  std::vector<ColumnBuilder> builders_;
  std::vector<int8_t> record_widths_;  // Per column, for AppendRecord.
  std::vector<int> string_columns_;    // The VARCHAR and BYTEA columns.
  bool columns_accessed_ = false;      // column() was called: Finish checks the batch.
  int64_t rows_without_columns_ = 0;
  // The arena of the last small batch, refilled when this is its only reference.
  std::shared_ptr<BufferArena> arena_;
  // The arena before arena_ (PrepareArena alternates between the two).
  std::shared_ptr<BufferArena> spare_;
  // arena_ is empty and referenced only here (PrepareArena).
  bool arena_ready_ = false;
  // References to arena_ for the next batch's buffers, taken by PrepareArena.
  ArenaReferences references_;
  // Buffers of the last small batch: how many references PrepareArena takes.
  size_t last_buffers_ = 0;
};

}  // namespace laminar
