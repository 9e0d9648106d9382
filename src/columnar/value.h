#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "columnar/data_type.h"
#include "columnar/decimal.h"
#include "columnar/temporal.h"
#include "common/result.h"

namespace laminar {

/// One typed SQL value, possibly NULL: what a row pushed through the API, a literal in a plan
/// or a cell printed by the shell is made of. Not for hot loops, which work on columns.
///
/// Physical payload by type: BOOLEAN → bool; TINYINT..BIGINT, DATE, TIMESTAMP, TIMESTAMPTZ →
/// int64_t; REAL, DOUBLE → double; DECIMAL → Decimal128; INTERVAL → Interval; VARCHAR,
/// BYTEA → std::string.
class Value {
 public:
  /// NULL of type NULL.
  Value() = default;

  static Value Null(DataType type) { return Value(type, std::monostate{}); }
  static Value Boolean(bool value) { return Value(DataType::Boolean(), value); }
  static Value TinyInt(int8_t value) { return Value(DataType::TinyInt(), int64_t{value}); }
  static Value SmallInt(int16_t value) { return Value(DataType::SmallInt(), int64_t{value}); }
  static Value Integer(int32_t value) { return Value(DataType::Integer(), int64_t{value}); }
  static Value BigInt(int64_t value) { return Value(DataType::BigInt(), value); }
  static Value Real(float value) { return Value(DataType::Real(), double{value}); }
  static Value Double(double value) { return Value(DataType::Double(), value); }
  /// REQUIRES: type is a DECIMAL type; `unscaled` is the value times 10^scale.
  static Value Decimal(Decimal128 unscaled, DataType type) { return Value(type, unscaled); }
  static Value Varchar(std::string value) { return Value(DataType::Varchar(), std::move(value)); }
  static Value Bytea(std::string value) { return Value(DataType::Bytea(), std::move(value)); }
  static Value Date(int32_t days) { return Value(DataType::Date(), int64_t{days}); }
  static Value Timestamp(int64_t micros) { return Value(DataType::Timestamp(), micros); }
  static Value TimestampTz(int64_t micros) { return Value(DataType::TimestampTz(), micros); }
  static Value FromInterval(const Interval& value) { return Value(DataType::Interval(), value); }

  const DataType& type() const { return type_; }
  bool is_null() const { return std::holds_alternative<std::monostate>(payload_); }

  /// Accessors. REQUIRES: !is_null() and the type stores that payload (see the class comment).
  bool boolean() const { return std::get<bool>(payload_); }
  int64_t integer() const { return std::get<int64_t>(payload_); }
  double floating() const { return std::get<double>(payload_); }
  Decimal128 decimal() const { return std::get<Decimal128>(payload_); }
  const Interval& interval() const { return std::get<Interval>(payload_); }
  std::string_view string() const { return std::get<std::string>(payload_); }

  /// The text the shell prints: NULL as "NULL", strings unquoted, BYTEA as \x hex,
  /// temporal values in PostgreSQL's output format.
  std::string ToString() const;

  /// Same type and same payload (NULL equals NULL here: this is identity, not SQL `=`).
  friend bool operator==(const Value& a, const Value& b) {
    return a.type_ == b.type_ && a.payload_ == b.payload_;
  }

 private:
  using Payload =
      std::variant<std::monostate, bool, int64_t, double, Decimal128, Interval, std::string>;
  template <typename T>
  Value(DataType type, T payload) : type_(type), payload_(std::move(payload)) {}

  DataType type_;
  Payload payload_;
};

/// Appends non-NULL `value` of `type` (value.type() == type) to `builder` in its column's
/// physical representation: AppendBoolean(bool); AppendFixed with int8_t, int16_t, int32_t
/// (INTEGER, DATE), int64_t (BIGINT, timestamps), float, double, Decimal128 or Interval; or
/// AppendString(std::string_view), whose result is returned (`ok` otherwise). A NULL-typed
/// column gets AppendNull(). One switch for the builders of columns and of row records.
template <typename Builder, typename R>
R AppendPhysicalValue(Builder& builder, const Value& value, const DataType& type, R ok) {
  switch (type.id()) {
    case TypeId::kNull:
      builder.AppendNull();
      break;
    case TypeId::kBoolean:
      builder.AppendBoolean(value.boolean());
      break;
    case TypeId::kTinyInt:
      builder.AppendFixed(static_cast<int8_t>(value.integer()));
      break;
    case TypeId::kSmallInt:
      builder.AppendFixed(static_cast<int16_t>(value.integer()));
      break;
    case TypeId::kInteger:
    case TypeId::kDate:
      builder.AppendFixed(static_cast<int32_t>(value.integer()));
      break;
    case TypeId::kBigInt:
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
      builder.AppendFixed(value.integer());
      break;
    case TypeId::kReal:
      builder.AppendFixed(static_cast<float>(value.floating()));
      break;
    case TypeId::kDouble:
      builder.AppendFixed(value.floating());
      break;
    case TypeId::kDecimal:
      builder.AppendFixed(value.decimal());
      break;
    case TypeId::kInterval:
      builder.AppendFixed(value.interval());
      break;
    case TypeId::kVarchar:
    case TypeId::kBytea:
      return builder.AppendString(value.string());
  }
  return ok;
}

/// PostgreSQL's text form of a float: the shortest text that reads back to the same value,
/// with NaN, Infinity and -Infinity spelled out. `real` formats as a 4-byte float.
std::string FormatFloatingPoint(double value, bool real = false);

/// PostgreSQL's BYTEA input: the hex form `\x0102ff` (pairs of hex digits, whitespace allowed
/// between pairs) or the escape form (`\\` for a backslash, `\nnn` for an octal byte, other
/// characters as they are). kInvalidCast naming the problem otherwise.
Result<std::string> ParseByteaText(std::string_view text);

/// Orders two non-NULL values of one type as SQL does (-1, 0, 1): numbers by value (NaN above
/// every other double, as in PostgreSQL), strings and BYTEA bytewise, intervals as if a month
/// had 30 days, temporal values by time.
int CompareValues(const Value& a, const Value& b);

/// Whether `a` and `b` are the same datum: operator== except that a NaN is the same as a NaN.
/// Operators use it to find the stored row a retraction takes back (a row holding NaN must be
/// found like any other).
bool SameDatum(const Value& a, const Value& b);
/// SameDatum for each pair of two rows of equal width.
bool SameData(const std::vector<Value>& a, const std::vector<Value>& b);

}  // namespace laminar
