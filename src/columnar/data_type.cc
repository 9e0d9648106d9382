#include "columnar/data_type.h"

#include <fmt/format.h>

#include "columnar/decimal.h"

namespace laminar {

Result<DataType> DataType::Decimal(int precision, int scale) {
  if (precision < 1 || precision > kMaxDecimalPrecision) {
    return Status::Error(ErrorCode::kInvalidTypeDefinition,
                         "DECIMAL precision {} must be between 1 and {}", precision,
                         kMaxDecimalPrecision);
  }
  if (scale < 0 || scale > precision) {
    return Status::Error(ErrorCode::kInvalidTypeDefinition,
                         "DECIMAL scale {} must be between 0 and the precision {}", scale,
                         precision);
  }
  return DataType(TypeId::kDecimal, static_cast<uint8_t>(precision), static_cast<uint8_t>(scale));
}

int DataType::ByteWidth() const {
  switch (id_) {
    case TypeId::kTinyInt:
      return 1;
    case TypeId::kSmallInt:
      return 2;
    case TypeId::kInteger:
    case TypeId::kReal:
    case TypeId::kDate:
      return 4;
    case TypeId::kBigInt:
    case TypeId::kDouble:
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
      return 8;
    case TypeId::kDecimal:
    case TypeId::kInterval:
      return 16;
    case TypeId::kNull:
    case TypeId::kBoolean:
    case TypeId::kVarchar:
    case TypeId::kBytea:
      return 0;
  }
  return 0;
}

bool DataType::IsInteger() const {
  return id_ == TypeId::kTinyInt || id_ == TypeId::kSmallInt || id_ == TypeId::kInteger ||
         id_ == TypeId::kBigInt;
}

bool DataType::IsNumeric() const {
  return IsInteger() || id_ == TypeId::kReal || id_ == TypeId::kDouble || id_ == TypeId::kDecimal;
}

bool DataType::IsTemporal() const {
  return id_ == TypeId::kDate || id_ == TypeId::kTimestamp || id_ == TypeId::kTimestampTz ||
         id_ == TypeId::kInterval;
}

std::string DataType::ToString() const {
  switch (id_) {
    case TypeId::kNull:
      return "NULL";
    case TypeId::kBoolean:
      return "BOOLEAN";
    case TypeId::kTinyInt:
      return "TINYINT";
    case TypeId::kSmallInt:
      return "SMALLINT";
    case TypeId::kInteger:
      return "INTEGER";
    case TypeId::kBigInt:
      return "BIGINT";
    case TypeId::kReal:
      return "REAL";
    case TypeId::kDouble:
      return "DOUBLE";
    case TypeId::kDecimal:
      return fmt::format("DECIMAL({},{})", precision_, scale_);
    case TypeId::kVarchar:
      return "VARCHAR";
    case TypeId::kBytea:
      return "BYTEA";
    case TypeId::kDate:
      return "DATE";
    case TypeId::kTimestamp:
      return "TIMESTAMP";
    case TypeId::kTimestampTz:
      return "TIMESTAMP WITH TIME ZONE";
    case TypeId::kInterval:
      return "INTERVAL";
  }
  return "UNKNOWN";
}

}  // namespace laminar
