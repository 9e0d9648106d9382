#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string_view>

#include "columnar/buffer.h"
#include "columnar/data_type.h"
#include "columnar/decimal.h"
#include "columnar/temporal.h"
#include "common/status.h"

namespace laminar {

class Value;

/// One column of a batch, in the Apache Arrow memory layout:
/// - `validity`: a bitmap, bit i set when row i is not NULL; may be absent when no row is NULL;
/// - `values`: fixed-width values (or bit-packed booleans), or, for VARCHAR and BYTEA, the
///   `length + 1` int32 offsets into `data`;
/// - `data`: the bytes of VARCHAR and BYTEA values.
/// A column may view a window of its buffers: logical row i is physical slot `offset + i` of
/// every buffer (the bitmap counts bits). Slicing shares the buffers and copies nothing.
///
/// Columns are immutable values that are cheap to copy (a few shared pointers). Any number of
/// threads may read a column concurrently.
class Column {
 public:
  /// Marks a null count that has not been computed yet.
  static constexpr int64_t kUnknownNullCount = -1;

  /// An empty column of type NULL.
  Column() = default;

  /// Assembles a column from buffers. Cheap and unchecked; call Validate() on buffers that come
  /// from outside LaminarDB. `null_count` may be kUnknownNullCount; it is then counted on first
  /// use. REQUIRES: for NULL columns, every buffer is null.
  Column(DataType type, int64_t length, std::shared_ptr<const Buffer> validity,
         std::shared_ptr<const Buffer> values, std::shared_ptr<const Buffer> data = nullptr,
         int64_t null_count = kUnknownNullCount, int64_t offset = 0);

  Column(const Column& other);
  Column& operator=(const Column& other);
  // Inline: columns are moved through every level of expression evaluation.
  Column(Column&& other) noexcept
      : type_(other.type_),
        length_(other.length_),
        offset_(other.offset_),
        null_count_(other.null_count_.load(std::memory_order_relaxed)),
        validity_(std::move(other.validity_)),
        values_(std::move(other.values_)),
        data_(std::move(other.data_)) {}
  Column& operator=(Column&& other) noexcept {
    if (this != &other) {
      type_ = other.type_;
      length_ = other.length_;
      offset_ = other.offset_;
      null_count_.store(other.null_count_.load(std::memory_order_relaxed),
                        std::memory_order_relaxed);
      validity_ = std::move(other.validity_);
      values_ = std::move(other.values_);
      data_ = std::move(other.data_);
    }
    return *this;
  }

  /// A column of `length` NULLs of the given type.
  static Column Nulls(DataType type, int64_t length);

  const DataType& type() const { return type_; }
  int64_t length() const { return length_; }
  /// Slot of logical row 0 in the buffers.
  int64_t offset() const { return offset_; }
  int64_t null_count() const;

  const std::shared_ptr<const Buffer>& validity_buffer() const { return validity_; }
  const std::shared_ptr<const Buffer>& values_buffer() const { return values_; }
  const std::shared_ptr<const Buffer>& data_buffer() const { return data_; }

  bool IsNull(int64_t row) const {
    if (type_.id() == TypeId::kNull) return true;
    return validity_ != nullptr && !GetBit(validity_->data(), offset_ + row);
  }
  bool IsValid(int64_t row) const { return !IsNull(row); }

  /// Values of a fixed-width column, already adjusted for the offset: `Values<int64_t>()[row]`.
  /// REQUIRES: sizeof(T) == type().ByteWidth().
  template <typename T>
  const T* Values() const {
    return values_->data_as<T>() + offset_;
  }
  /// REQUIRES: BOOLEAN.
  bool BooleanValue(int64_t row) const { return GetBit(values_->data(), offset_ + row); }
  /// int32 offsets of a VARCHAR/BYTEA column, adjusted for the offset: the value of row i is
  /// bytes [Offsets()[i], Offsets()[i + 1]) of the data buffer.
  const int32_t* Offsets() const { return values_->data_as<int32_t>() + offset_; }
  /// REQUIRES: VARCHAR or BYTEA. The bytes of a NULL row are empty.
  std::string_view StringValue(int64_t row) const {
    const int32_t* offsets = Offsets();
    const char* bytes = data_ ? data_->data_as<char>() : nullptr;
    return std::string_view(bytes + offsets[row],
                            static_cast<size_t>(offsets[row + 1] - offsets[row]));
  }

  /// The value of one row as a scalar (slow path: for tests, printing and control code).
  Value GetValue(int64_t row) const;

  /// Rows [offset, offset + length) sharing the same buffers. REQUIRES: the range is inside.
  Column Slice(int64_t offset, int64_t length) const;

  /// Checks that the buffers are large enough for offset + length, that offsets are monotonic
  /// and inside the data buffer, and that the null count matches the bitmap. Errors are
  /// kArrowInvalidArray / kArrowMissingBuffer / kArrowOffsetsOutOfRange.
  Status Validate() const;

 private:
  DataType type_;
  int64_t length_ = 0;
  int64_t offset_ = 0;
  mutable std::atomic<int64_t> null_count_{0};  // kUnknownNullCount until counted.
  std::shared_ptr<const Buffer> validity_;
  std::shared_ptr<const Buffer> values_;
  std::shared_ptr<const Buffer> data_;
};

}  // namespace laminar
