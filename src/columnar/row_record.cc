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
  LAMINAR_CHECK(schema.num_fields() == num_columns_ && complete());
  std::vector<Value> values;
  values.reserve(static_cast<size_t>(num_columns_));
  const uint8_t* at = data() + BytesForBits(num_columns_);
  auto fixed = [&at]<typename T>(T value) {
    std::memcpy(&value, at, sizeof(T));
    at += sizeof(T);
    return value;
  };
  for (int i = 0; i < num_columns_; ++i) {
    const DataType& type = schema.field(i).type;
    if (IsNull(i)) {
      values.push_back(Value::Null(type));
      continue;
    }
    switch (type.id()) {
      case TypeId::kNull:
        values.push_back(Value::Null(type));
        break;
      case TypeId::kBoolean:
        values.push_back(Value::Boolean(*at++ != 0));
        break;
      case TypeId::kTinyInt:
        values.push_back(Value::TinyInt(fixed(int8_t{})));
        break;
      case TypeId::kSmallInt:
        values.push_back(Value::SmallInt(fixed(int16_t{})));
        break;
      case TypeId::kInteger:
        values.push_back(Value::Integer(fixed(int32_t{})));
        break;
      case TypeId::kDate:
        values.push_back(Value::Date(fixed(int32_t{})));
        break;
      case TypeId::kBigInt:
        values.push_back(Value::BigInt(fixed(int64_t{})));
        break;
      case TypeId::kTimestamp:
        values.push_back(Value::Timestamp(fixed(int64_t{})));
        break;
      case TypeId::kTimestampTz:
        values.push_back(Value::TimestampTz(fixed(int64_t{})));
        break;
      case TypeId::kReal:
        values.push_back(Value::Real(fixed(float{})));
        break;
      case TypeId::kDouble:
        values.push_back(Value::Double(fixed(double{})));
        break;
      case TypeId::kDecimal:
        values.push_back(Value::Decimal(fixed(Decimal128{}), type));
        break;
      case TypeId::kInterval:
        values.push_back(Value::FromInterval(fixed(Interval{})));
        break;
      case TypeId::kVarchar:
      case TypeId::kBytea: {
        const uint32_t length = fixed(uint32_t{});
        std::string bytes(reinterpret_cast<const char*>(at), length);
        at += length;
        values.push_back(type.id() == TypeId::kVarchar ? Value::Varchar(std::move(bytes))
                                                       : Value::Bytea(std::move(bytes)));
        break;
      }
    }
  }
  return values;
}

}  // namespace laminar
