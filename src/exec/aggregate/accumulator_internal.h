#pragma once

// Pieces shared by the accumulator families (accumulator_numeric.cc, accumulator_ordered.cc,
// accumulator_sketch.cc, accumulator.cc): the loop over the entries of an Update call, typed
// access to column values by physical type, an exact total order and a hash for values, and
// the factory of each family. Not part of the accumulator interface.

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>

#include "columnar/buffer.h"
#include "columnar/column.h"
#include "columnar/column_builder.h"
#include "columnar/temporal.h"
#include "common/hash.h"
#include "common/result.h"
#include "exec/aggregate/accumulator.h"
#include "functions/scalar_kernels.h"
#include "storage/state_io.h"

namespace laminar::exec::aggregate_internal {

/// The SQL spelling of the call for error messages: "sum(BIGINT)", "count(*)",
/// "count(DISTINCT VARCHAR)".
std::string CallName(const AggregateSpec& spec);

/// LDB-3007: a changelog retracted a row the slot's state does not hold. The input is then not
/// a consistent changelog (or an operator fed rows to the wrong slot); the state cannot know
/// which row was meant, so the update fails instead of inventing a result.
Status RetractionError(const AggregateSpec& spec);
/// LDB-3001 naming the call.
Status OverflowError(const AggregateSpec& spec);
/// LDB-9001: a weight -1 reached an accumulator made without spec.retractions (a planner bug).
Status UnexpectedRetractionError(const AggregateSpec& spec);

/// Calls add(slot, row) for every entry of an Update call whose argument is not NULL and whose
/// weight is +1, and retract(slot, row) for weight -1. `column` null: no argument (count(*)).
/// The common case (all rows, no NULLs, no weights) is a loop the compiler can keep tight once
/// `add` is inlined.
template <typename Add, typename Retract>
inline void ForEachEntry(const Column* column, std::span<const uint32_t> rows,
                         std::span<const uint32_t> slots, const int8_t* weights, Add&& add,
                         Retract&& retract) {
  const uint8_t* validity = nullptr;
  int64_t offset = 0;
  if (column != nullptr && column->null_count() > 0) {
    validity = column->validity_buffer()->data();
    offset = column->offset();
  }
  size_t count = slots.size();
  if (validity == nullptr && weights == nullptr) {
    if (rows.empty()) {
      for (size_t i = 0; i < count; ++i) add(slots[i], static_cast<int64_t>(i));
    } else {
      for (size_t i = 0; i < count; ++i) add(slots[i], static_cast<int64_t>(rows[i]));
    }
    return;
  }
  for (size_t i = 0; i < count; ++i) {
    int64_t row = rows.empty() ? static_cast<int64_t>(i) : static_cast<int64_t>(rows[i]);
    if (validity != nullptr && !GetBit(validity, offset + row)) continue;
    if (weights != nullptr && weights[i] < 0) {
      retract(slots[i], row);
    } else {
      add(slots[i], row);
    }
  }
}

/// Reads values of physical type T (bool, int8_t..int64_t, float, double, Decimal128,
/// Interval, std::string_view for VARCHAR/BYTEA) from a column, by logical row.
template <typename T>
class ValueReader {
 public:
  explicit ValueReader(const Column& column) : values_(column.Values<T>()) {}
  T operator()(int64_t row) const { return values_[row]; }

 private:
  const T* values_;
};

template <>
class ValueReader<bool> {
 public:
  explicit ValueReader(const Column& column)
      : bits_(column.values_buffer()->data()), offset_(column.offset()) {}
  bool operator()(int64_t row) const { return GetBit(bits_, offset_ + row); }

 private:
  const uint8_t* bits_;
  int64_t offset_;
};

template <>
class ValueReader<std::string_view> {
 public:
  explicit ValueReader(const Column& column) : column_(&column) {}
  std::string_view operator()(int64_t row) const { return column_->StringValue(row); }

 private:
  const Column* column_;
};

/// What a state keeps of a value of physical type T: the value itself, an owned string, or a
/// byte for BOOLEAN (so that vectors of kept values are plain arrays, not std::vector<bool>).
template <typename T>
using Stored = std::conditional_t<std::is_same_v<T, std::string_view>, std::string,
                                  std::conditional_t<std::is_same_v<T, bool>, uint8_t, T>>;

/// Appends a kept value to a result column of the matching type.
template <typename T>
inline Status AppendStored(ColumnBuilder& out, const T& value) {
  if constexpr (std::is_same_v<T, uint8_t>) {  // BOOLEAN; TINYINT is int8_t.
    out.AppendBoolean(value != 0);
  } else if constexpr (std::is_same_v<T, std::string>) {
    return out.AppendString(value);
  } else {
    out.AppendFixed<T>(value);
  }
  return Status::Ok();
}

/// Calls visitor.template operator()<T>() with the physical type of `type`; returns what it
/// returns. REQUIRES: a type other than NULL.
template <typename Visitor>
inline auto VisitPhysicalType(TypeId type, Visitor&& visitor) {
  switch (type) {
    case TypeId::kBoolean:
      return visitor.template operator()<bool>();
    case TypeId::kTinyInt:
      return visitor.template operator()<int8_t>();
    case TypeId::kSmallInt:
      return visitor.template operator()<int16_t>();
    case TypeId::kInteger:
    case TypeId::kDate:
      return visitor.template operator()<int32_t>();
    case TypeId::kBigInt:
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
      return visitor.template operator()<int64_t>();
    case TypeId::kReal:
      return visitor.template operator()<float>();
    case TypeId::kDouble:
      return visitor.template operator()<double>();
    case TypeId::kDecimal:
      return visitor.template operator()<Decimal128>();
    case TypeId::kInterval:
      return visitor.template operator()<Interval>();
    case TypeId::kVarchar:
    case TypeId::kBytea:
    case TypeId::kNull:
      break;
  }
  return visitor.template operator()<std::string_view>();
}

/// SQL equality made exact: -0.0 becomes 0.0 and every NaN the one quiet NaN, so that values
/// SQL calls equal have equal bytes (DISTINCT, hashing).
template <typename T>
inline T Canonical(T value) {
  if constexpr (std::is_floating_point_v<T>) {
    if (value == 0) return T{0};
    if (std::isnan(value)) return std::numeric_limits<T>::quiet_NaN();
  }
  return value;
}

/// A strict total order that refines SQL's: floating point with NaN above everything and
/// -0.0 equal to 0.0 (PostgreSQL's order), INTERVAL by span and then field by field (so
/// '1 mon' and '30 days', equal in SQL, stay distinct values), strings bytewise.
template <typename T>
struct ExactLess {
  using is_transparent = void;
  bool operator()(const T& a, const T& b) const {
    if constexpr (std::is_same_v<T, Interval>) {
      int order = functions::CompareValues(a, b);
      if (order != 0) return order < 0;
      if (a.months != b.months) return a.months < b.months;
      if (a.days != b.days) return a.days < b.days;
      return a.micros < b.micros;
    } else {
      return functions::CompareValues(a, b) < 0;
    }
  }
  // Lookups in string-keyed containers by view, without building a string.
  template <typename U = T, typename = std::enable_if_t<std::is_same_v<U, std::string>>>
  bool operator()(std::string_view a, const std::string& b) const {
    return a < std::string_view(b);
  }
  template <typename U = T, typename = std::enable_if_t<std::is_same_v<U, std::string>>>
  bool operator()(const std::string& a, std::string_view b) const {
    return std::string_view(a) < b;
  }
};

/// Exact equality under ExactLess.
template <typename T>
inline bool ExactEqual(const T& a, const T& b) {
  ExactLess<T> less;
  return !less(a, b) && !less(b, a);
}

/// A 64-bit hash of bytes: 8-byte words chained through Mix64, the length mixed in first.
inline uint64_t HashBytes(std::string_view bytes) {
  uint64_t hash = Mix64(0x9e3779b97f4a7c15ULL ^ bytes.size());
  size_t i = 0;
  for (; i + 8 <= bytes.size(); i += 8) {
    uint64_t word;
    std::memcpy(&word, bytes.data() + i, 8);
    hash = Mix64(hash ^ word);
  }
  if (i < bytes.size()) {
    uint64_t word = 0;
    std::memcpy(&word, bytes.data() + i, bytes.size() - i);
    hash = Mix64(hash ^ word);
  }
  return hash;
}

/// A well-mixed 64-bit hash of a value of physical type T, equal for SQL-equal values (see
/// Canonical).
template <typename T>
inline uint64_t HashValue(const T& value) {
  if constexpr (std::is_same_v<T, std::string_view>) {
    return HashBytes(value);
  } else if constexpr (std::is_same_v<T, bool>) {
    return Mix64(value ? 0x51afd7ed558ccd1dULL : 0xc4ceb9fe1a85ec53ULL);
  } else {
    T canonical = Canonical(value);
    return HashBytes(
        std::string_view(reinterpret_cast<const char*>(&canonical), sizeof(canonical)));
  }
}

/// The bytes a value of `column` at `row` is kept as in DISTINCT sets: the canonical fixed-
/// width value (`scratch` holds it), one byte for BOOLEAN, the string itself for VARCHAR/BYTEA.
std::string_view ValueBytes(const Column& column, int64_t row, char (&scratch)[16]);
/// Appends a value kept by ValueBytes to a builder of the column's type.
Status AppendValueBytes(ColumnBuilder& out, std::string_view bytes);

/// Approximate heap bytes of a std::string's buffer (none while it fits the inline buffer).
inline size_t StringHeapBytes(const std::string& value) {
  return value.capacity() > 15 ? value.capacity() + 1 : 0;
}
/// Approximate heap bytes of one node of a std::map / std::multimap holding `Entry`.
template <typename Entry>
inline constexpr size_t kTreeNodeBytes = 32 + sizeof(Entry);

// ----- Checkpoints (docs/formats/operator-state.md, "Accumulator states"). -----

/// Writes a kept value: integers (and the fields of INTERVAL, the halves of DECIMAL) as zig-zag
/// varints, REAL and DOUBLE as their exact bits, BOOLEAN as one byte, strings with their length.
template <typename S>
inline void WriteStored(storage::StateWriter& writer, const S& value) {
  if constexpr (std::is_same_v<S, std::string>) {
    writer.Bytes(value);
  } else if constexpr (std::is_same_v<S, uint8_t>) {  // BOOLEAN.
    writer.U8(value);
  } else if constexpr (std::is_same_v<S, float>) {
    uint32_t bits;
    std::memcpy(&bits, &value, sizeof(bits));
    writer.U32(bits);
  } else if constexpr (std::is_same_v<S, double>) {
    writer.F64(value);
  } else if constexpr (std::is_same_v<S, __int128>) {
    writer.VarI64(static_cast<int64_t>(static_cast<uint64_t>(value)));
    writer.VarI64(static_cast<int64_t>(value >> 64));
  } else if constexpr (std::is_same_v<S, Interval>) {
    writer.VarI64(value.months);
    writer.VarI64(value.days);
    writer.VarI64(value.micros);
  } else {
    static_assert(std::is_integral_v<S>);
    writer.VarI64(static_cast<int64_t>(value));
  }
}

/// Reads what WriteStored wrote; an out-of-range integer or boolean fails the reader.
template <typename S>
inline S ReadStored(storage::StateReader& reader) {
  if constexpr (std::is_same_v<S, std::string>) {
    return reader.Bytes();
  } else if constexpr (std::is_same_v<S, uint8_t>) {
    return reader.Bool() ? 1 : 0;
  } else if constexpr (std::is_same_v<S, float>) {
    const uint32_t bits = reader.U32();
    float value;
    std::memcpy(&value, &bits, sizeof(value));
    return value;
  } else if constexpr (std::is_same_v<S, double>) {
    return reader.F64();
  } else if constexpr (std::is_same_v<S, __int128>) {
    const auto low = static_cast<uint64_t>(reader.VarI64());
    const int64_t high = reader.VarI64();
    return static_cast<__int128>((static_cast<unsigned __int128>(high) << 64) | low);
  } else if constexpr (std::is_same_v<S, Interval>) {
    Interval value;
    value.months = ReadStored<int32_t>(reader);
    value.days = ReadStored<int32_t>(reader);
    value.micros = reader.VarI64();
    return value;
  } else {
    static_assert(std::is_integral_v<S>);
    const int64_t value = reader.VarI64();
    if (value < std::numeric_limits<S>::min() || value > std::numeric_limits<S>::max()) {
      reader.Fail("integer out of range in an aggregate state");
      return S{};
    }
    return static_cast<S>(value);
  }
}

/// Writes `count` bits as a bitmap, bit i = bit(i), least significant first.
template <typename Bit>
inline void WriteBits(storage::StateWriter& writer, size_t count, Bit&& bit) {
  uint8_t byte = 0;
  for (size_t i = 0; i < count; ++i) {
    if (bit(i)) byte = static_cast<uint8_t>(byte | (1u << (i & 7)));
    if ((i & 7) == 7) {
      writer.U8(byte);
      byte = 0;
    }
  }
  if ((count & 7) != 0) writer.U8(byte);
}

/// Reads a bitmap of `count` bits written by WriteBits, calling set(i, bit) for each.
template <typename Set>
inline void ReadBits(storage::StateReader& reader, size_t count, Set&& set) {
  const std::string_view bits = reader.Raw((count + 7) / 8);
  if (!reader.ok()) return;
  for (size_t i = 0; i < count; ++i) {
    set(i, ((static_cast<uint8_t>(bits[i >> 3]) >> (i & 7)) & 1) != 0);
  }
}

/// Writes flags[slot] != 0 of each slot in `slots` as a bitmap (bit i for slots[i]).
inline void WriteSlotFlags(storage::StateWriter& writer, std::span<const uint32_t> slots,
                           const uint8_t* flags) {
  WriteBits(writer, slots.size(), [&](size_t i) { return flags[slots[i]] != 0; });
}

/// Reads a bitmap written by WriteSlotFlags into flags[slots[i]] (0 or 1).
inline void ReadSlotFlags(storage::StateReader& reader, std::span<const uint32_t> slots,
                          uint8_t* flags) {
  ReadBits(reader, slots.size(), [&](size_t i, bool bit) { flags[slots[i]] = bit ? 1 : 0; });
}

// The families. Each returns null when it has no accumulator for the spec's function and
// argument type (MakeAccumulator then reports LDB-2001). The spec is already validated.
std::unique_ptr<Accumulator> MakeNumericAccumulator(const AggregateSpec& spec);
std::unique_ptr<Accumulator> MakeOrderedAccumulator(const AggregateSpec& spec);
std::unique_ptr<Accumulator> MakeSketchAccumulator(const AggregateSpec& spec);

}  // namespace laminar::exec::aggregate_internal
