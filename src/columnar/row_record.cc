#include "columnar/row_record.h"

#include <algorithm>
#include <limits>

#include "common/check.h"

namespace laminar {

void RowRecord::Grow(size_t size) {
  // AppendString refuses a string that takes a row past kMaxRowBytes; fixed-width values add
  // 16 bytes each at most.
  constexpr size_t kLimit = std::numeric_limits<uint32_t>::max();
  LAMINAR_CHECK_MSG(size <= kLimit, "a row of more than 4 GiB");
  const size_t capacity = std::min(std::max(size, static_cast<size_t>(capacity_) * 2), kLimit);
  auto grown = std::make_unique_for_overwrite<uint8_t[]>(capacity);
  std::memcpy(grown.get(), data(), size_);
  heap_ = std::move(grown);
  capacity_ = static_cast<uint32_t>(capacity);
}

void RowRecord::AppendOther(const Value& value, const DataType& type) {
  // AppendValue handled the types whose AppendString result matters.
  const bool appended = AppendPhysicalValue(*this, value, type, true);
  LAMINAR_DCHECK(appended);
  (void)appended;
}

std::vector<Value> RowRecord::ToValues(const Schema& schema) const {
  std::vector<Value> values;
  values.reserve(static_cast<size_t>(num_columns_));
  ForEachValue(schema, [&values](const DataType& type, const ValueBytes& value) {
    if (value.is_null) {
      values.push_back(Value::Null(type));
      return;
    }
    switch (type.id()) {
      case TypeId::kNull:
        values.push_back(Value::Null(type));
        break;
      case TypeId::kBoolean:
        values.push_back(Value::Boolean(value.bytes[0] != 0));
        break;
      case TypeId::kTinyInt:
        values.push_back(Value::TinyInt(value.As<int8_t>()));
        break;
      case TypeId::kSmallInt:
        values.push_back(Value::SmallInt(value.As<int16_t>()));
        break;
      case TypeId::kInteger:
        values.push_back(Value::Integer(value.As<int32_t>()));
        break;
      case TypeId::kDate:
        values.push_back(Value::Date(value.As<int32_t>()));
        break;
      case TypeId::kBigInt:
        values.push_back(Value::BigInt(value.As<int64_t>()));
        break;
      case TypeId::kTimestamp:
        values.push_back(Value::Timestamp(value.As<int64_t>()));
        break;
      case TypeId::kTimestampTz:
        values.push_back(Value::TimestampTz(value.As<int64_t>()));
        break;
      case TypeId::kReal:
        values.push_back(Value::Real(value.As<float>()));
        break;
      case TypeId::kDouble:
        values.push_back(Value::Double(value.As<double>()));
        break;
      case TypeId::kDecimal:
        values.push_back(Value::Decimal(value.As<Decimal128>(), type));
        break;
      case TypeId::kInterval:
        values.push_back(Value::FromInterval(value.As<Interval>()));
        break;
      case TypeId::kVarchar:
        values.push_back(Value::Varchar(std::string(value.string())));
        break;
      case TypeId::kBytea:
        values.push_back(Value::Bytea(std::string(value.string())));
        break;
    }
  });
  return values;
}

}  // namespace laminar
