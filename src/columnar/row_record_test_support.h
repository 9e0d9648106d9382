#pragma once

// Test support: a schema with a column of every type and rows that exercise each encoding of a
// RowRecord (every value, every NULL, edge values, a row too long to stay inline), shared by
// the columnar tests and the source log tests.

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "columnar/row_record.h"
#include "columnar/schema.h"
#include "columnar/value.h"

namespace laminar::test_support {

inline DataType AllTypesDecimal() { return *DataType::Decimal(20, 4); }

/// One nullable column of every type ("l" BIGINT is NOT NULL), NULL-typed "n" last.
inline std::shared_ptr<const Schema> AllTypesSchema() {
  return Schema::Make({{"b", DataType::Boolean()},
                       {"t", DataType::TinyInt()},
                       {"s", DataType::SmallInt()},
                       {"i", DataType::Integer()},
                       {"l", DataType::BigInt(), false},
                       {"r", DataType::Real()},
                       {"d", DataType::Double()},
                       {"m", AllTypesDecimal()},
                       {"day", DataType::Date()},
                       {"ts", DataType::Timestamp()},
                       {"tz", DataType::TimestampTz()},
                       {"iv", DataType::Interval()},
                       {"v", DataType::Varchar()},
                       {"y", DataType::Bytea()},
                       {"n", DataType::Null()}});
}

/// Rows of AllTypesSchema(): values, NULLs where allowed, edge values with a row past the
/// record's inline bytes.
inline std::vector<std::vector<Value>> AllTypesRows() {
  const DataType decimal = AllTypesDecimal();
  return {{Value::Boolean(true), Value::TinyInt(-8), Value::SmallInt(1234), Value::Integer(-56789),
           Value::BigInt(INT64_MIN), Value::Real(1.5F), Value::Double(-2.25),
           Value::Decimal(Decimal128{123456789}, decimal), Value::Date(19000),
           Value::Timestamp(1'700'000'000'000'000), Value::TimestampTz(-1),
           Value::FromInterval(Interval{1, 2, 3}), Value::Varchar("https://example.com/a/b?c=d"),
           Value::Bytea(std::string("\0\1\2", 3)), Value::Null(DataType::Null())},
          {Value::Null(DataType::Boolean()), Value::Null(DataType::TinyInt()),
           Value::Null(DataType::SmallInt()), Value::Null(DataType::Integer()), Value::BigInt(0),
           Value::Null(DataType::Real()), Value::Null(DataType::Double()), Value::Null(decimal),
           Value::Null(DataType::Date()), Value::Null(DataType::Timestamp()),
           Value::Null(DataType::TimestampTz()), Value::Null(DataType::Interval()),
           Value::Null(DataType::Varchar()), Value::Null(DataType::Bytea()),
           Value::Null(DataType::Null())},
          {Value::Boolean(false), Value::TinyInt(127), Value::SmallInt(-1), Value::Integer(0),
           Value::BigInt(INT64_MAX), Value::Real(-0.0F), Value::Double(1e300),
           Value::Decimal(Decimal128{-1}, decimal), Value::Date(-1), Value::Timestamp(0),
           Value::TimestampTz(42), Value::FromInterval(Interval{-1, 0, -5}), Value::Varchar(""),
           Value::Bytea(std::string(300, 'x')), Value::Null(DataType::Null())}};
}

/// `row` encoded for `schema` (whose types it has), as a source's encoder would.
inline RowRecord EncodeForTest(const Schema& schema, const std::vector<Value>& row) {
  RowRecord record;
  record.Start(schema.num_fields());
  for (int c = 0; c < schema.num_fields(); ++c) {
    if (!record.AppendValue(row[static_cast<size_t>(c)], schema.field(c).type)) std::abort();
  }
  return record;
}

/// `record`'s values, read back with the column types of `schema`, the schema it was encoded
/// for.
inline std::vector<Value> RecordValues(const RowRecord& record, const Schema& schema) {
  std::vector<Value> values;
  values.reserve(static_cast<size_t>(schema.num_fields()));
  record.ForEachValue(schema, [&values](const DataType& type, const RowRecord::ValueBytes& value) {
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

}  // namespace laminar::test_support
