#pragma once

#include <cstdint>
#include <string>

#include "common/result.h"

namespace laminar {

/// The logical types of LaminarDB columns. Each has exactly one physical layout, the Apache
/// Arrow layout named beside it, so batches cross the Arrow C Data Interface without copies
/// (INTERVAL is the one exception: Arrow counts nanoseconds, LaminarDB microseconds).
enum class TypeId : uint8_t {
  kNull,         // Arrow null: no buffers; every value is NULL (the type of a bare NULL literal).
  kBoolean,      // Arrow bool: bit-packed values, least significant bit first.
  kTinyInt,      // int8_t
  kSmallInt,     // int16_t
  kInteger,      // int32_t
  kBigInt,       // int64_t
  kReal,         // float
  kDouble,       // double
  kDecimal,      // Arrow decimal128: __int128, two's complement, scaled by 10^scale.
  kVarchar,      // Arrow utf8: int32_t offsets + UTF-8 bytes.
  kBytea,        // Arrow binary: int32_t offsets + bytes.
  kDate,         // Arrow date32: int32_t days since 1970-01-01.
  kTimestamp,    // Arrow timestamp[us]: int64_t microseconds since the epoch, no zone.
  kTimestampTz,  // Arrow timestamp[us, UTC]: int64_t microseconds since the epoch, UTC.
  kInterval,     // struct Interval {int32_t months; int32_t days; int64_t micros;}.
};

/// A column's type: a TypeId plus precision and scale for DECIMAL. Small, copyable, immutable.
class DataType {
 public:
  constexpr DataType() = default;
  constexpr explicit DataType(TypeId id) : id_(id) {}

  static constexpr DataType Null() { return DataType(TypeId::kNull); }
  static constexpr DataType Boolean() { return DataType(TypeId::kBoolean); }
  static constexpr DataType TinyInt() { return DataType(TypeId::kTinyInt); }
  static constexpr DataType SmallInt() { return DataType(TypeId::kSmallInt); }
  static constexpr DataType Integer() { return DataType(TypeId::kInteger); }
  static constexpr DataType BigInt() { return DataType(TypeId::kBigInt); }
  static constexpr DataType Real() { return DataType(TypeId::kReal); }
  static constexpr DataType Double() { return DataType(TypeId::kDouble); }
  static constexpr DataType Varchar() { return DataType(TypeId::kVarchar); }
  static constexpr DataType Bytea() { return DataType(TypeId::kBytea); }
  static constexpr DataType Date() { return DataType(TypeId::kDate); }
  static constexpr DataType Timestamp() { return DataType(TypeId::kTimestamp); }
  static constexpr DataType TimestampTz() { return DataType(TypeId::kTimestampTz); }
  static constexpr DataType Interval() { return DataType(TypeId::kInterval); }
  /// DECIMAL(precision, scale) with 1 <= precision <= 38 and 0 <= scale <= precision;
  /// anything else is kInvalidTypeDefinition.
  static Result<DataType> Decimal(int precision, int scale);

  constexpr TypeId id() const { return id_; }
  /// Meaningful for DECIMAL only (0 otherwise).
  constexpr int precision() const { return precision_; }
  constexpr int scale() const { return scale_; }

  /// Bytes per value in the values buffer: 1..16 for fixed-width types, 0 for BOOLEAN (bits),
  /// NULL (no buffer) and the variable-width VARCHAR and BYTEA.
  int ByteWidth() const;
  bool IsVariableWidth() const { return id_ == TypeId::kVarchar || id_ == TypeId::kBytea; }
  bool IsInteger() const;
  bool IsNumeric() const;   // Integers, REAL, DOUBLE, DECIMAL.
  bool IsTemporal() const;  // DATE, TIMESTAMP, TIMESTAMPTZ, INTERVAL.

  /// The SQL spelling: "BIGINT", "DECIMAL(10,2)", "TIMESTAMP WITH TIME ZONE", ...
  std::string ToString() const;

  friend constexpr bool operator==(const DataType&, const DataType&) = default;

 private:
  constexpr DataType(TypeId id, uint8_t precision, uint8_t scale)
      : id_(id), precision_(precision), scale_(scale) {}

  TypeId id_ = TypeId::kNull;
  uint8_t precision_ = 0;
  uint8_t scale_ = 0;
};

}  // namespace laminar
