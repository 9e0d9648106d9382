#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "columnar/buffer.h"
#include "columnar/data_type.h"
#include "columnar/schema.h"
#include "columnar/value.h"
#include "common/check.h"

namespace laminar {

/// One row of a known schema in one flat run of bytes, for handing a row from one thread to
/// another: a source's producer encodes what it pushes, and the reactor appends it to the
/// batch it builds (BatchBuilder::AppendRecord) reading a few adjacent cache lines, instead of
/// following a vector of Values to each long string. Rows up to kInlineBytes live inside the
/// record itself (a channel slot), longer ones in one heap block.
///
/// Layout for a schema of n columns (docs/architecture.md, "Pushed rows"): a NULL bitmap of
/// ceil(n / 8) bytes (bit i set: column i is NULL), then each non-NULL value in column order,
/// unaligned: one byte (0 or 1) for BOOLEAN, the column's ByteWidth() bytes for fixed-width
/// types (the physical type: int32 days for DATE, int64 µs for timestamps, ...), and for
/// VARCHAR and BYTEA a u32 length followed by the bytes. The schema is not stored: the reader
/// must be built for the same one (a source's encoder and its batch builder are).
///
/// Writing: Start(n), then exactly one Append* per column in order. A record is only ever
/// filled by an encoder that checked the values against the schema, so the reader trusts it.
///
/// Thread-safety: none; a record is moved between threads through a channel.
class RowRecord {
 public:
  /// Bytes a record holds without a heap block: a row of eight columns with about 60 bytes of
  /// strings (the Nexmark bid, 103 bytes) fits, and a source's message is 192 bytes.
  static constexpr size_t kInlineBytes = 120;
  static_assert(kInlineBytes >= sizeof(uint64_t));

  RowRecord() = default;
  RowRecord(RowRecord&& other) noexcept { MoveFrom(other); }
  RowRecord& operator=(RowRecord&& other) noexcept {
    if (this != &other) MoveFrom(other);
    return *this;
  }
  RowRecord(const RowRecord&) = delete;
  RowRecord& operator=(const RowRecord&) = delete;

  /// Empties the record and starts a row of `num_columns` columns, all of them NULL until
  /// appended.
  void Start(int num_columns) {
    num_columns_ = num_columns;
    next_column_ = 0;
    string_bytes_ = 0;
    size_ = static_cast<uint32_t>(BytesForBits(num_columns));
    Reserve(size_);
    if (size_ <= sizeof(uint64_t)) {
      // Up to 64 columns: one store (there is always room for 8 bytes).
      const uint64_t none = 0;
      std::memcpy(data(), &none, sizeof(none));
    } else {
      std::memset(data(), 0, size_);
    }
  }

  void AppendNull() {
    LAMINAR_DCHECK(next_column_ < num_columns_);
    uint8_t* nulls = data();
    nulls[next_column_ >> 3] |= static_cast<uint8_t>(1u << (next_column_ & 7));
    ++next_column_;
  }
  void AppendBoolean(bool value) {
    LAMINAR_DCHECK(next_column_ < num_columns_);
    const uint8_t byte = value ? 1 : 0;
    AppendBytes(&byte, 1);
    ++next_column_;
  }
  /// REQUIRES: sizeof(T) is the column's ByteWidth().
  template <typename T>
  void AppendFixed(const T& value) {
    LAMINAR_DCHECK(next_column_ < num_columns_);
    AppendBytes(&value, sizeof(T));
    ++next_column_;
  }
  /// Appends a VARCHAR or BYTEA value. False, appending nothing, when it is longer than a
  /// column of one batch holds (kMaxStringBytes) or the row's strings would pass kMaxRowBytes.
  [[nodiscard]] bool AppendString(std::string_view value) {
    LAMINAR_DCHECK(next_column_ < num_columns_);
    if (value.size() > kMaxStringBytes || size_ + sizeof(uint32_t) + value.size() > kMaxRowBytes)
        [[unlikely]] {
      return false;
    }
    const auto length = static_cast<uint32_t>(value.size());
    Reserve(size_ + sizeof(length) + value.size());
    uint8_t* at = data() + size_;
    std::memcpy(at, &length, sizeof(length));
    if (!value.empty()) std::memcpy(at + sizeof(length), value.data(), value.size());
    size_ += static_cast<uint32_t>(sizeof(length) + value.size());
    string_bytes_ += value.size();
    ++next_column_;
    return true;
  }

  /// Appends a value of `type` (the caller checked: NULL, or value.type() == type). False as
  /// AppendString for a string that does not fit.
  [[nodiscard]] bool AppendValue(const Value& value, const DataType& type) {
    if (value.is_null()) {
      AppendNull();
      return true;
    }
    switch (type.id()) {
      case TypeId::kBigInt:
      case TypeId::kTimestamp:
      case TypeId::kTimestampTz:
        AppendFixed(value.integer());
        return true;
      case TypeId::kDouble:
        AppendFixed(value.floating());
        return true;
      case TypeId::kVarchar:
      case TypeId::kBytea:
        return AppendString(value.string());
      default:
        AppendOther(value, type);
        return true;
    }
  }

  /// The longest string a record takes: what a column of one batch holds (32-bit offsets).
  static constexpr size_t kMaxStringBytes =
      static_cast<size_t>(std::numeric_limits<int32_t>::max());
  /// What a row's record may hold before a string is appended (3 GiB): AppendString refuses a
  /// string that would take it past this, which leaves room in the u32 size for the
  /// fixed-width values that may follow (16 bytes each at most).
  static constexpr size_t kMaxRowBytes = size_t{3} << 30;

  int num_columns() const { return num_columns_; }
  /// Whether every column has been appended.
  bool complete() const { return next_column_ == num_columns_; }
  /// Total bytes of the row's strings, for a reader's room check.
  uint64_t string_bytes() const { return string_bytes_; }
  std::span<const uint8_t> bytes() const { return {data(), size_}; }
  bool IsNull(int column) const { return GetBit(data(), column); }

  /// One value as ForEachValue hands it out: NULL, or its bytes in the record (the physical
  /// type's for fixed-width types, one byte for BOOLEAN, the bytes of a string).
  struct ValueBytes {
    bool is_null = true;
    const uint8_t* bytes = nullptr;
    size_t size = 0;
    /// REQUIRES: sizeof(T) == size.
    template <typename T>
    T As() const {
      T value;
      std::memcpy(&value, bytes, sizeof(T));
      return value;
    }
    std::string_view string() const { return {reinterpret_cast<const char*>(bytes), size}; }
  };

  /// Calls visit(type, ValueBytes) for each column of `schema`, the schema the record was
  /// encoded for, in order. For the slow paths: the WAL, a batch near its 2 GiB of strings.
  template <typename Visit>
  void ForEachValue(const Schema& schema, Visit&& visit) const {
    LAMINAR_CHECK(schema.num_fields() == num_columns_ && complete());
    const uint8_t* at = data() + BytesForBits(num_columns_);
    for (int i = 0; i < num_columns_; ++i) {
      const DataType& type = schema.field(i).type;
      if (IsNull(i)) {
        visit(type, ValueBytes{});
        continue;
      }
      ValueBytes value{false, at, 0};
      if (type.IsVariableWidth()) {
        uint32_t length;
        std::memcpy(&length, at, sizeof(length));
        value.bytes = at + sizeof(length);
        value.size = length;
        at += sizeof(length) + length;
      } else {
        value.size = type.id() == TypeId::kBoolean ? 1 : static_cast<size_t>(type.ByteWidth());
        at += value.size;
      }
      visit(type, value);
    }
  }

 private:
  uint8_t* data() { return heap_ != nullptr ? heap_.get() : inline_; }
  const uint8_t* data() const { return heap_ != nullptr ? heap_.get() : inline_; }
  void Reserve(size_t size) {
    if (size > capacity_) [[unlikely]] {
      Grow(size);
    }
  }
  void Grow(size_t size);
  // AppendValue for the types without a case of their own there.
  void AppendOther(const Value& value, const DataType& type);
  void AppendBytes(const void* bytes, size_t size) {
    Reserve(size_ + size);
    std::memcpy(data() + size_, bytes, size);
    size_ += static_cast<uint32_t>(size);
  }
  void MoveFrom(RowRecord& other) {
    num_columns_ = other.num_columns_;
    next_column_ = other.next_column_;
    size_ = other.size_;
    string_bytes_ = other.string_bytes_;
    if (other.heap_ != nullptr) {
      heap_ = std::move(other.heap_);
      capacity_ = other.capacity_;
      other.capacity_ = kInlineBytes;
    } else {
      heap_.reset();
      capacity_ = kInlineBytes;
      // All of it, a fixed-size copy of a few vector moves rather than a call for size_ bytes.
      std::memcpy(inline_, other.inline_, kInlineBytes);
    }
    // The moved-from record is empty, as if new (a moved-from heap block is gone).
    other.num_columns_ = 0;
    other.next_column_ = 0;
    other.size_ = 0;
    other.string_bytes_ = 0;
  }

  int32_t num_columns_ = 0;
  int32_t next_column_ = 0;
  uint32_t size_ = 0;
  uint32_t capacity_ = kInlineBytes;
  uint64_t string_bytes_ = 0;
  std::unique_ptr<uint8_t[]> heap_;
  // Zeroed once when the record is made, so the fixed-size copy in MoveFrom never reads
  // indeterminate bytes.
  uint8_t inline_[kInlineBytes] = {};
};

}  // namespace laminar
