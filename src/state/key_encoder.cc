#include "state/key_encoder.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>

#include "columnar/buffer.h"
#include "common/check.h"
#include "state/group_table.h"

namespace laminar::state {
namespace {

/// Bytes of a fixed-width key value (0 for VARCHAR and BYTEA, whose size varies).
size_t EncodedWidth(const DataType& type) {
  return type.id() == TypeId::kBoolean ? 1 : static_cast<size_t>(type.ByteWidth());
}

/// A column of type NULL has no validity bitmap, yet every row is NULL.
bool MayHaveNulls(const Column& column) {
  return column.type().id() == TypeId::kNull || column.null_count() > 0;
}

/// One representative of each class of equal floating-point values.
template <typename T>
T Canonical(T value) {
  if constexpr (std::is_floating_point_v<T>) {
    if (value == 0) return 0;
    if (std::isnan(value)) return std::numeric_limits<T>::quiet_NaN();
  }
  return value;
}

/// Rows of a constant width: column values land at a fixed distance from each row's start,
/// which moves along by the column's width after each column.
struct StridedCursor {
  char* column_start;
  size_t stride;

  char* Take(size_t i, size_t /*width*/) const { return column_start + i * stride; }
  void FinishColumn(size_t width) { column_start += width; }
};

/// Rows of varying width: each row has its own write position.
struct RowCursors {
  char* bytes;
  size_t* positions;

  char* Take(size_t i, size_t width) {
    char* at = bytes + positions[i];
    positions[i] += width;
    return at;
  }
  void FinishColumn(size_t /*width*/) {}
};

/// Writes get(row) as a T for every encoded row; NULL rows get zeros, or nothing when
/// `omit_nulls` (a single key column).
template <typename T, typename Cursor, typename Get>
void EncodeFixed(const Column& column, const uint32_t* rows, size_t count, bool omit_nulls,
                 Cursor& cursor, Get get) {
  if (!MayHaveNulls(column)) {
    if (rows == nullptr) {
      for (size_t i = 0; i < count; ++i) {
        T value = get(static_cast<int64_t>(i));
        std::memcpy(cursor.Take(i, sizeof(T)), &value, sizeof(T));
      }
    } else {
      for (size_t i = 0; i < count; ++i) {
        T value = get(rows[i]);
        std::memcpy(cursor.Take(i, sizeof(T)), &value, sizeof(T));
      }
    }
  } else {
    for (size_t i = 0; i < count; ++i) {
      int64_t row = rows == nullptr ? static_cast<int64_t>(i) : rows[i];
      if (column.IsNull(row)) {
        if (!omit_nulls) std::memset(cursor.Take(i, sizeof(T)), 0, sizeof(T));
      } else {
        T value = get(row);
        std::memcpy(cursor.Take(i, sizeof(T)), &value, sizeof(T));
      }
    }
  }
  cursor.FinishColumn(sizeof(T));
}

template <typename T, typename Cursor>
void EncodeValues(const Column& column, const uint32_t* rows, size_t count, bool omit_nulls,
                  Cursor& cursor) {
  const T* values = column.Values<T>();
  EncodeFixed<T>(column, rows, count, omit_nulls, cursor,
                 [values](int64_t row) { return Canonical(values[row]); });
}

void EncodeStrings(const Column& column, const uint32_t* rows, size_t count, bool omit_nulls,
                   RowCursors& cursor) {
  const bool may_have_nulls = MayHaveNulls(column);
  for (size_t i = 0; i < count; ++i) {
    int64_t row = rows == nullptr ? static_cast<int64_t>(i) : rows[i];
    if (may_have_nulls && column.IsNull(row)) {
      if (!omit_nulls) std::memset(cursor.Take(i, sizeof(uint32_t)), 0, sizeof(uint32_t));
      continue;
    }
    std::string_view value = column.StringValue(row);
    uint32_t length = static_cast<uint32_t>(value.size());
    char* at = cursor.Take(i, sizeof(uint32_t) + value.size());
    std::memcpy(at, &length, sizeof(length));
    // An empty string's data may be null (a column of empty strings has no data buffer).
    if (length > 0) std::memcpy(at + sizeof(length), value.data(), value.size());
  }
}

template <typename T>
void DecodeFixed(const char*& at, bool is_null, bool single, ColumnBuilder& builder) {
  if (is_null) {
    builder.AppendNull();
    if (!single) at += sizeof(T);
    return;
  }
  T value;
  std::memcpy(&value, at, sizeof(T));
  at += sizeof(T);
  builder.AppendFixed(value);
}

/// Reads a T at `at` if it fits before `end` and is what Encode writes for it.
template <typename T>
bool CanonicalFixed(const char*& at, const char* end, bool is_null, bool single) {
  if (is_null && single) return true;  // Encoded as nothing.
  if (static_cast<size_t>(end - at) < sizeof(T)) return false;
  T value;
  std::memcpy(&value, at, sizeof(T));
  at += sizeof(T);
  T expected = is_null ? T{} : Canonical(value);
  return std::memcmp(&value, &expected, sizeof(T)) == 0;
}

}  // namespace

KeyEncoder::KeyEncoder(std::vector<DataType> key_types) : key_types_(std::move(key_types)) {
  if (key_types_.size() >= 2) bitmap_bytes_ = (key_types_.size() + 7) / 8;
  for (const DataType& type : key_types_) {
    if (type.IsVariableWidth()) {
      all_fixed_width_ = false;
    } else {
      fixed_bytes_ += EncodedWidth(type);
    }
  }
}

template <typename Cursor>
void KeyEncoder::EncodeColumn(const Column& column, const uint32_t* rows, Cursor& cursor) const {
  const size_t count = hashes_.size();
  const bool omit_nulls = key_types_.size() == 1;
  switch (column.type().id()) {
    case TypeId::kNull:
      return;
    case TypeId::kBoolean:
      return EncodeFixed<uint8_t>(column, rows, count, omit_nulls, cursor, [&](int64_t row) {
        return static_cast<uint8_t>(column.BooleanValue(row));
      });
    case TypeId::kTinyInt:
      return EncodeValues<int8_t>(column, rows, count, omit_nulls, cursor);
    case TypeId::kSmallInt:
      return EncodeValues<int16_t>(column, rows, count, omit_nulls, cursor);
    case TypeId::kInteger:
    case TypeId::kDate:
      return EncodeValues<int32_t>(column, rows, count, omit_nulls, cursor);
    case TypeId::kBigInt:
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
      return EncodeValues<int64_t>(column, rows, count, omit_nulls, cursor);
    case TypeId::kReal:
      return EncodeValues<float>(column, rows, count, omit_nulls, cursor);
    case TypeId::kDouble:
      return EncodeValues<double>(column, rows, count, omit_nulls, cursor);
    case TypeId::kDecimal:
      return EncodeValues<Decimal128>(column, rows, count, omit_nulls, cursor);
    case TypeId::kInterval:
      return EncodeValues<Interval>(column, rows, count, omit_nulls, cursor);
    case TypeId::kVarchar:
    case TypeId::kBytea:
      // Rows with strings never have a constant width, so only RowCursors come here.
      if constexpr (std::is_same_v<Cursor, RowCursors>) {
        EncodeStrings(column, rows, count, omit_nulls, cursor);
      }
      return;
  }
}

void KeyEncoder::EncodeNullBits(const Column& column, size_t index, const uint32_t* rows,
                                size_t prefix_bytes) {
  const size_t bitmap_offset = prefix_bytes + index / 8;
  const auto bit = static_cast<char>(1 << (index % 8));
  for (size_t i = 0; i < hashes_.size(); ++i) {
    int64_t row = rows == nullptr ? static_cast<int64_t>(i) : rows[i];
    if (column.IsNull(row)) bytes_[RowStart(i) + bitmap_offset] |= bit;
  }
}

void KeyEncoder::Encode(std::span<const Column> key_columns, std::span<const uint32_t> rows,
                        std::span<const int64_t> prefix) {
  LAMINAR_DCHECK(key_columns.size() == key_types_.size());
  const size_t count = !rows.empty()          ? rows.size()
                       : !key_columns.empty() ? static_cast<size_t>(key_columns[0].length())
                                              : prefix.size();
  LAMINAR_DCHECK(prefix.empty() || prefix.size() == count);
  const uint32_t* row_ids = rows.empty() ? nullptr : rows.data();
  const size_t prefix_bytes = prefix.empty() ? 0 : sizeof(int64_t);
  const size_t header_bytes = prefix_bytes + bitmap_bytes_;
  const bool single = key_types_.size() == 1;
  hashes_.resize(count);

  constant_stride_ = all_fixed_width_ && (!single || key_types_[0].id() == TypeId::kNull ||
                                          key_columns[0].null_count() == 0);
  if (constant_stride_) {
    stride_ = header_bytes + fixed_bytes_;
    bytes_.resize(count * stride_);
  } else {
    // Row sizes first, then their running sum gives each row's start.
    offsets_.resize(count + 1);
    offsets_[0] = 0;
    std::fill(offsets_.begin() + 1, offsets_.end(), header_bytes + (single ? 0 : fixed_bytes_));
    for (const Column& column : key_columns) {
      const bool variable = column.type().IsVariableWidth();
      if (!variable && !single) continue;
      const bool may_have_nulls = MayHaveNulls(column);
      const size_t width = EncodedWidth(column.type());
      const int32_t* string_offsets = variable ? column.Offsets() : nullptr;
      for (size_t i = 0; i < count; ++i) {
        int64_t row = row_ids == nullptr ? static_cast<int64_t>(i) : row_ids[i];
        if (may_have_nulls && column.IsNull(row)) {
          if (!single) offsets_[i + 1] += sizeof(uint32_t);
        } else if (variable) {
          offsets_[i + 1] +=
              sizeof(uint32_t) + static_cast<size_t>(string_offsets[row + 1] - string_offsets[row]);
        } else {
          offsets_[i + 1] += width;
        }
      }
    }
    for (size_t i = 0; i < count; ++i) offsets_[i + 1] += offsets_[i];
    bytes_.resize(offsets_[count]);
  }

  if (header_bytes > 0) {
    for (size_t i = 0; i < count; ++i) {
      char* row = bytes_.data() + RowStart(i);
      if (!prefix.empty()) std::memcpy(row, &prefix[i], sizeof(int64_t));
      std::memset(row + prefix_bytes, 0, bitmap_bytes_);
    }
  }
  if (constant_stride_) {
    StridedCursor cursor{bytes_.data() + header_bytes, stride_};
    for (const Column& column : key_columns) EncodeColumn(column, row_ids, cursor);
  } else {
    cursors_.resize(count);
    for (size_t i = 0; i < count; ++i) cursors_[i] = offsets_[i] + header_bytes;
    RowCursors cursor{bytes_.data(), cursors_.data()};
    for (const Column& column : key_columns) EncodeColumn(column, row_ids, cursor);
  }
  if (bitmap_bytes_ > 0) {
    for (size_t index = 0; index < key_columns.size(); ++index) {
      if (MayHaveNulls(key_columns[index])) {
        EncodeNullBits(key_columns[index], index, row_ids, prefix_bytes);
      }
    }
  }
  for (size_t i = 0; i < count; ++i) hashes_[i] = GroupTable::Hash(key(i));
}

Result<int64_t> KeyEncoder::Decode(std::string_view key, bool has_prefix,
                                   std::span<ColumnBuilder> builders) const {
  LAMINAR_DCHECK(builders.size() == key_types_.size());
  const char* at = key.data();
  const char* end = at + key.size();
  int64_t prefix = 0;
  if (has_prefix) {
    std::memcpy(&prefix, at, sizeof(prefix));
    at += sizeof(prefix);
  }
  const auto* bitmap = reinterpret_cast<const uint8_t*>(at);
  at += bitmap_bytes_;
  const bool single = key_types_.size() == 1;
  for (size_t index = 0; index < key_types_.size(); ++index) {
    ColumnBuilder& builder = builders[index];
    const bool is_null = single ? at == end : GetBit(bitmap, static_cast<int64_t>(index));
    switch (key_types_[index].id()) {
      case TypeId::kNull:
        builder.AppendNull();
        break;
      case TypeId::kBoolean:
        if (is_null) {
          builder.AppendNull();
        } else {
          builder.AppendBoolean(*at != 0);
        }
        if (!is_null || !single) ++at;
        break;
      case TypeId::kTinyInt:
        DecodeFixed<int8_t>(at, is_null, single, builder);
        break;
      case TypeId::kSmallInt:
        DecodeFixed<int16_t>(at, is_null, single, builder);
        break;
      case TypeId::kInteger:
      case TypeId::kDate:
        DecodeFixed<int32_t>(at, is_null, single, builder);
        break;
      case TypeId::kBigInt:
      case TypeId::kTimestamp:
      case TypeId::kTimestampTz:
        DecodeFixed<int64_t>(at, is_null, single, builder);
        break;
      case TypeId::kReal:
        DecodeFixed<float>(at, is_null, single, builder);
        break;
      case TypeId::kDouble:
        DecodeFixed<double>(at, is_null, single, builder);
        break;
      case TypeId::kDecimal:
        DecodeFixed<Decimal128>(at, is_null, single, builder);
        break;
      case TypeId::kInterval:
        DecodeFixed<Interval>(at, is_null, single, builder);
        break;
      case TypeId::kVarchar:
      case TypeId::kBytea: {
        if (is_null) {
          builder.AppendNull();
          if (!single) at += sizeof(uint32_t);
          break;
        }
        uint32_t length;
        std::memcpy(&length, at, sizeof(length));
        at += sizeof(length);
        LAMINAR_RETURN_IF_ERROR(builder.AppendString(std::string_view(at, length)));
        at += length;
        break;
      }
    }
  }
  LAMINAR_DCHECK(at == end);
  return prefix;
}

bool KeyEncoder::IsCanonical(std::string_view key) const {
  const char* at = key.data();
  const char* end = at + key.size();
  if (key.size() < bitmap_bytes_) return false;
  const auto* bitmap = reinterpret_cast<const uint8_t*>(at);
  const size_t unused_bits = bitmap_bytes_ * 8 - (bitmap_bytes_ > 0 ? key_types_.size() : 0);
  if (unused_bits > 0 && (bitmap[bitmap_bytes_ - 1] >> (8 - unused_bits)) != 0) return false;
  at += bitmap_bytes_;
  const bool single = key_types_.size() == 1;
  for (size_t index = 0; index < key_types_.size(); ++index) {
    const DataType& type = key_types_[index];
    const bool is_null = single ? at == end : GetBit(bitmap, static_cast<int64_t>(index));
    bool ok = true;
    switch (type.id()) {
      case TypeId::kNull:
        ok = is_null;
        break;
      case TypeId::kBoolean: {
        const char* value = at;
        ok = CanonicalFixed<uint8_t>(at, end, is_null, single) &&
             (is_null || static_cast<uint8_t>(*value) <= 1);
        break;
      }
      case TypeId::kTinyInt:
        ok = CanonicalFixed<int8_t>(at, end, is_null, single);
        break;
      case TypeId::kSmallInt:
        ok = CanonicalFixed<int16_t>(at, end, is_null, single);
        break;
      case TypeId::kInteger:
      case TypeId::kDate:
        ok = CanonicalFixed<int32_t>(at, end, is_null, single);
        break;
      case TypeId::kBigInt:
      case TypeId::kTimestamp:
      case TypeId::kTimestampTz:
        ok = CanonicalFixed<int64_t>(at, end, is_null, single);
        break;
      case TypeId::kReal:
        ok = CanonicalFixed<float>(at, end, is_null, single);
        break;
      case TypeId::kDouble:
        ok = CanonicalFixed<double>(at, end, is_null, single);
        break;
      case TypeId::kDecimal:
        ok = CanonicalFixed<Decimal128>(at, end, is_null, single);
        break;
      case TypeId::kInterval:
        ok = CanonicalFixed<Interval>(at, end, is_null, single);
        break;
      case TypeId::kVarchar:
      case TypeId::kBytea: {
        if (is_null && single) break;
        uint32_t length;
        if (static_cast<size_t>(end - at) < sizeof(length)) return false;
        std::memcpy(&length, at, sizeof(length));
        at += sizeof(length);
        ok = length <= static_cast<size_t>(end - at) && (!is_null || length == 0);
        if (ok) at += length;
        break;
      }
    }
    if (!ok) return false;
  }
  return at == end;
}

}  // namespace laminar::state
