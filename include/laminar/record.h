#pragma once

// Typed pushes of user structs: a small declaration maps struct fields to source columns.
//
//   struct Trade { std::string symbol; double price; int64_t volume; laminar::Timestamp ts; };
//   const auto kTrade = laminar::RecordLayout<Trade>()
//                           .Field("symbol", &Trade::symbol)
//                           .Field("price", &Trade::price)
//                           .Field("volume", &Trade::volume)
//                           .Field("ts", &Trade::ts);
//   auto trades = db->Source<Trade>("trades", kTrade).value();
//   trades.Push(Trade{"AAPL", 189.5, 100, laminar::Timestamp{micros}});
//
// Field types: bool, 8- to 64-bit integers, float, double, std::string, std::string_view,
// laminar::Timestamp (microseconds since the epoch), laminar::Date (days since the epoch),
// std::chrono::system_clock::time_point, and std::optional of any of them (nullopt is NULL).
// Columns the layout does not name receive NULL (an error at Source<T>() for NOT NULL columns).

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "columnar/value.h"

namespace laminar {

/// An event time for typed records: microseconds since the Unix epoch (a TIMESTAMP column).
struct Timestamp {
  int64_t micros = 0;
};
/// Days since the Unix epoch (a DATE column).
struct Date {
  int32_t days = 0;
};

namespace record_internal {

inline Value ToValue(bool value) { return Value::Boolean(value); }
inline Value ToValue(int8_t value) { return Value::TinyInt(value); }
inline Value ToValue(int16_t value) { return Value::SmallInt(value); }
inline Value ToValue(int32_t value) { return Value::Integer(value); }
inline Value ToValue(int64_t value) { return Value::BigInt(value); }
inline Value ToValue(long long value) { return Value::BigInt(static_cast<int64_t>(value)); }
inline Value ToValue(float value) { return Value::Real(value); }
inline Value ToValue(double value) { return Value::Double(value); }
inline Value ToValue(const std::string& value) { return Value::Varchar(value); }
inline Value ToValue(std::string_view value) { return Value::Varchar(std::string(value)); }
inline Value ToValue(const char* value) { return Value::Varchar(value); }
inline Value ToValue(Timestamp value) { return Value::Timestamp(value.micros); }
inline Value ToValue(Date value) { return Value::Date(value.days); }
inline Value ToValue(std::chrono::system_clock::time_point value) {
  return Value::Timestamp(
      std::chrono::duration_cast<std::chrono::microseconds>(value.time_since_epoch()).count());
}

/// The SQL type a C++ field type maps to (what NULL of that field is).
template <typename M>
DataType TypeOf() {
  if constexpr (std::is_same_v<M, bool>)
    return DataType::Boolean();
  else if constexpr (std::is_same_v<M, int8_t>)
    return DataType::TinyInt();
  else if constexpr (std::is_same_v<M, int16_t>)
    return DataType::SmallInt();
  else if constexpr (std::is_same_v<M, int32_t>)
    return DataType::Integer();
  else if constexpr (std::is_same_v<M, int64_t> || std::is_same_v<M, long long>)
    return DataType::BigInt();
  else if constexpr (std::is_same_v<M, float>)
    return DataType::Real();
  else if constexpr (std::is_same_v<M, double>)
    return DataType::Double();
  else if constexpr (std::is_same_v<M, Timestamp> ||
                     std::is_same_v<M, std::chrono::system_clock::time_point>)
    return DataType::Timestamp();
  else if constexpr (std::is_same_v<M, Date>)
    return DataType::Date();
  else
    return DataType::Varchar();
}

template <typename M>
struct IsOptional : std::false_type {};
template <typename M>
struct IsOptional<std::optional<M>> : std::true_type {};

template <typename M>
Value FieldValue(const M& member) {
  if constexpr (IsOptional<M>::value) {
    using Inner = typename M::value_type;
    if (!member.has_value()) return Value::Null(TypeOf<Inner>());
    return ToValue(*member);
  } else {
    return ToValue(member);
  }
}

}  // namespace record_internal

/// Which struct field feeds which column. Immutable once built; share one per struct type.
template <typename T>
class RecordLayout {
 public:
  struct FieldBinding {
    std::string column;
    std::function<Value(const T&)> read;
  };

  /// Maps `member` to column `column` (matched case-insensitively as SQL identifiers are).
  template <typename M>
  RecordLayout& Field(std::string column, M T::*member) {
    fields_.push_back(FieldBinding{std::move(column), [member](const T& record) {
                                     return record_internal::FieldValue(record.*member);
                                   }});
    return *this;
  }

  const std::vector<FieldBinding>& fields() const { return fields_; }

 private:
  std::vector<FieldBinding> fields_;
};

}  // namespace laminar
