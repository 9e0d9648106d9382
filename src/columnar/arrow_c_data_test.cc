// Tests of the Arrow C Data Interface: export, import, round trips and streams.
//
// Import tests build their ArrowArray and ArrowSchema structures by hand, exactly as the Arrow
// specification lays them out, so they check the importer against the specification rather
// than against LaminarDB's own exporter. Every malformed-input test checks the specific error
// code and that the input was released (the ASan build runs with leak detection).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cerrno>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "columnar/arrow_c_abi.h"
#include "columnar/arrow_export.h"
#include "columnar/arrow_import.h"
#include "columnar/column_builder.h"

namespace laminar {
namespace {

using ::testing::HasSubstr;

// ---------------------------------------------------------------------------------------------
// Hand-built producers. Their memory belongs to the test; `release` only counts calls (and
// releases children, as the specification requires of a parent).

void CountingArrayRelease(ArrowArray* array) {
  for (int64_t i = 0; array->children != nullptr && i < array->n_children; ++i) {
    ArrowArray* child = array->children[i];
    if (child != nullptr && child->release != nullptr) child->release(child);
  }
  ++*static_cast<int*>(array->private_data);
  array->release = nullptr;
}

void CountingSchemaRelease(ArrowSchema* schema) {
  for (int64_t i = 0; schema->children != nullptr && i < schema->n_children; ++i) {
    ArrowSchema* child = schema->children[i];
    if (child != nullptr && child->release != nullptr) child->release(child);
  }
  ++*static_cast<int*>(schema->private_data);
  schema->release = nullptr;
}

// An ArrowArray over test-owned buffers. Not movable: the C struct points into it.
class HandArray {
 public:
  HandArray(int64_t length, int64_t null_count, int64_t offset, std::vector<const void*> buffers)
      : buffers_(std::move(buffers)) {
    array_ = ArrowArray{};
    array_.length = length;
    array_.null_count = null_count;
    array_.offset = offset;
    array_.n_buffers = static_cast<int64_t>(buffers_.size());
    array_.buffers = buffers_.empty() ? nullptr : buffers_.data();
    array_.release = &CountingArrayRelease;
    array_.private_data = &release_calls_;
  }
  HandArray(const HandArray&) = delete;
  HandArray& operator=(const HandArray&) = delete;

  void AddChild(HandArray* child) {
    children_.push_back(child->c());
    array_.n_children = static_cast<int64_t>(children_.size());
    array_.children = children_.data();
  }

  ArrowArray* c() { return &array_; }
  int release_calls() const { return release_calls_; }

 private:
  std::vector<const void*> buffers_;
  std::vector<ArrowArray*> children_;
  ArrowArray array_;
  int release_calls_ = 0;
};

// An ArrowSchema over test-owned strings. Not movable.
class HandSchema {
 public:
  HandSchema(std::string format, std::string name, int64_t flags = ARROW_FLAG_NULLABLE)
      : format_(std::move(format)), name_(std::move(name)) {
    schema_ = ArrowSchema{};
    schema_.format = format_.c_str();
    schema_.name = name_.c_str();
    schema_.flags = flags;
    schema_.release = &CountingSchemaRelease;
    schema_.private_data = &release_calls_;
  }
  HandSchema(const HandSchema&) = delete;
  HandSchema& operator=(const HandSchema&) = delete;

  void AddChild(HandSchema* child) {
    children_.push_back(child->c());
    schema_.n_children = static_cast<int64_t>(children_.size());
    schema_.children = children_.data();
  }

  ArrowSchema* c() { return &schema_; }
  int release_calls() const { return release_calls_; }

 private:
  std::string format_;
  std::string name_;
  std::vector<ArrowSchema*> children_;
  ArrowSchema schema_;
  int release_calls_ = 0;
};

// ---------------------------------------------------------------------------------------------
// LaminarDB-side helpers

Column MakeColumn(DataType type, const std::vector<Value>& values) {
  ColumnBuilder builder(type);
  for (const Value& value : values) EXPECT_TRUE(builder.AppendValue(value).ok());
  return builder.Finish();
}

void ExpectSameValues(const Column& actual, const Column& expected) {
  ASSERT_EQ(actual.type(), expected.type());
  ASSERT_EQ(actual.length(), expected.length());
  EXPECT_EQ(actual.null_count(), expected.null_count());
  for (int64_t row = 0; row < expected.length(); ++row) {
    EXPECT_EQ(actual.GetValue(row), expected.GetValue(row))
        << expected.type().ToString() << " row " << row;
  }
  EXPECT_TRUE(actual.Validate().ok()) << actual.Validate();
}

void ExpectSameBatches(const Batch& actual, const Batch& expected) {
  ASSERT_EQ(actual.schema(), expected.schema());
  ASSERT_EQ(actual.num_rows(), expected.num_rows());
  ASSERT_EQ(actual.num_columns(), expected.num_columns());
  for (int i = 0; i < expected.num_columns(); ++i) {
    SCOPED_TRACE(expected.schema().field(i).name);
    ExpectSameValues(actual.column(i), expected.column(i));
  }
}

DataType Decimal38() { return *DataType::Decimal(38, 10); }

Decimal128 LargestDecimal38() { return PowerOfTen(38) - 1; }

// One row per test value of each of the 15 types, with NULLs in rows 1 and 4.
std::vector<std::pair<Field, std::vector<Value>>> EveryTypeColumns() {
  const DataType decimal = Decimal38();
  auto n = [](DataType type) { return Value::Null(type); };
  return {
      {{"null", DataType::Null(), true},
       {n(DataType::Null()), n(DataType::Null()), n(DataType::Null()), n(DataType::Null()),
        n(DataType::Null())}},
      {{"boolean", DataType::Boolean(), true},
       {Value::Boolean(true), n(DataType::Boolean()), Value::Boolean(false), Value::Boolean(true),
        n(DataType::Boolean())}},
      {{"tinyint", DataType::TinyInt(), true},
       {Value::TinyInt(-128), n(DataType::TinyInt()), Value::TinyInt(127), Value::TinyInt(0),
        n(DataType::TinyInt())}},
      {{"smallint", DataType::SmallInt(), true},
       {Value::SmallInt(-32768), n(DataType::SmallInt()), Value::SmallInt(32767),
        Value::SmallInt(1), n(DataType::SmallInt())}},
      {{"integer", DataType::Integer(), true},
       {Value::Integer(std::numeric_limits<int32_t>::min()), n(DataType::Integer()),
        Value::Integer(std::numeric_limits<int32_t>::max()), Value::Integer(42),
        n(DataType::Integer())}},
      {{"bigint", DataType::BigInt(), true},
       {Value::BigInt(std::numeric_limits<int64_t>::min()), n(DataType::BigInt()),
        Value::BigInt(std::numeric_limits<int64_t>::max()), Value::BigInt(-7),
        n(DataType::BigInt())}},
      {{"real", DataType::Real(), true},
       {Value::Real(1.5f), n(DataType::Real()), Value::Real(-0.25f), Value::Real(3e38f),
        n(DataType::Real())}},
      {{"double", DataType::Double(), true},
       {Value::Double(2.5), n(DataType::Double()), Value::Double(-1e300), Value::Double(0),
        n(DataType::Double())}},
      {{"decimal", decimal, true},
       {Value::Decimal(LargestDecimal38(), decimal), n(decimal),
        Value::Decimal(-LargestDecimal38(), decimal), Value::Decimal(12345, decimal), n(decimal)}},
      {{"varchar", DataType::Varchar(), true},
       {Value::Varchar("héllo"), n(DataType::Varchar()), Value::Varchar(""),
        Value::Varchar("a longer string value"), n(DataType::Varchar())}},
      {{"bytea", DataType::Bytea(), true},
       {Value::Bytea(std::string("\0\x01\xff", 3)), n(DataType::Bytea()), Value::Bytea("x"),
        Value::Bytea(""), n(DataType::Bytea())}},
      {{"date", DataType::Date(), true},
       {Value::Date(0), n(DataType::Date()), Value::Date(-719162), Value::Date(20000),
        n(DataType::Date())}},
      {{"timestamp", DataType::Timestamp(), true},
       {Value::Timestamp(1'700'000'000'000'000), n(DataType::Timestamp()), Value::Timestamp(-1),
        Value::Timestamp(0), n(DataType::Timestamp())}},
      {{"timestamptz", DataType::TimestampTz(), true},
       {Value::TimestampTz(1'700'000'000'123'456), n(DataType::TimestampTz()),
        Value::TimestampTz(-5), Value::TimestampTz(7), n(DataType::TimestampTz())}},
      {{"interval", DataType::Interval(), true},
       {Value::FromInterval(Interval{14, -3, 3'600'000'000}), n(DataType::Interval()),
        Value::FromInterval(Interval{0, 0, -1}), Value::FromInterval(Interval{-1, 30, 0}),
        n(DataType::Interval())}},
  };
}

Batch EveryTypeBatch() {
  std::vector<Field> fields;
  std::vector<Column> columns;
  for (auto& [field, values] : EveryTypeColumns()) {
    fields.push_back(field);
    columns.push_back(MakeColumn(field.type, values));
  }
  auto batch = Batch::Make(Schema::Make(std::move(fields)), std::move(columns));
  EXPECT_TRUE(batch.ok()) << batch.status();
  return *batch;
}

Batch TradeBatch() {
  auto schema = Schema::Make({{"symbol", DataType::Varchar(), false},
                              {"price", DataType::Double(), true},
                              {"ts", DataType::Timestamp(), false}});
  BatchBuilder builder(schema);
  for (int i = 0; i < 10; ++i) {
    Value price = i % 3 == 0 ? Value::Null(DataType::Double()) : Value::Double(100.0 + i);
    EXPECT_TRUE(builder
                    .AppendRow(std::vector<Value>{Value::Varchar("SYM" + std::to_string(i)), price,
                                                  Value::Timestamp(1000 * i)})
                    .ok());
  }
  return *builder.Finish();
}

// Export `batch` with its schema and import both back.
Result<Batch> RoundTrip(const Batch& batch) {
  ArrowSchema schema;
  ArrowArray array;
  LAMINAR_RETURN_IF_ERROR(ExportSchema(batch.schema(), &schema));
  Status status = ExportBatch(batch, &array);
  if (!status.ok()) {
    schema.release(&schema);
    return status;
  }
  return ImportBatch(&array, &schema);
}

// Little-endian bitmap from a string of '0'/'1', bit 0 first.
std::vector<uint8_t> Bits(std::string_view bits) {
  std::vector<uint8_t> bytes((bits.size() + 7) / 8 + 8, 0);  // Padded, as Arrow recommends.
  for (size_t i = 0; i < bits.size(); ++i) {
    if (bits[i] == '1') bytes[i / 8] |= static_cast<uint8_t>(1u << (i % 8));
  }
  return bytes;
}

// ---------------------------------------------------------------------------------------------
// Export

TEST(ArrowExportTest, FormatStringsFollowTheSpecification) {
  EXPECT_EQ(ArrowFormatString(DataType::Null()), "n");
  EXPECT_EQ(ArrowFormatString(DataType::Boolean()), "b");
  EXPECT_EQ(ArrowFormatString(DataType::TinyInt()), "c");
  EXPECT_EQ(ArrowFormatString(DataType::SmallInt()), "s");
  EXPECT_EQ(ArrowFormatString(DataType::Integer()), "i");
  EXPECT_EQ(ArrowFormatString(DataType::BigInt()), "l");
  EXPECT_EQ(ArrowFormatString(DataType::Real()), "f");
  EXPECT_EQ(ArrowFormatString(DataType::Double()), "g");
  EXPECT_EQ(ArrowFormatString(*DataType::Decimal(38, 10)), "d:38,10");
  EXPECT_EQ(ArrowFormatString(*DataType::Decimal(5, 0)), "d:5,0");
  EXPECT_EQ(ArrowFormatString(DataType::Varchar()), "u");
  EXPECT_EQ(ArrowFormatString(DataType::Bytea()), "z");
  EXPECT_EQ(ArrowFormatString(DataType::Date()), "tdD");
  EXPECT_EQ(ArrowFormatString(DataType::Timestamp()), "tsu:");
  EXPECT_EQ(ArrowFormatString(DataType::TimestampTz()), "tsu:UTC");
  EXPECT_EQ(ArrowFormatString(DataType::Interval()), "tin");
}

TEST(ArrowExportTest, FieldHasFormatNameAndNullableFlag) {
  ArrowSchema schema;
  ASSERT_TRUE(ExportField({"price", *DataType::Decimal(10, 2), true}, &schema).ok());
  EXPECT_STREQ(schema.format, "d:10,2");
  EXPECT_STREQ(schema.name, "price");
  EXPECT_EQ(schema.metadata, nullptr);
  EXPECT_EQ(schema.flags, ARROW_FLAG_NULLABLE);
  EXPECT_EQ(schema.n_children, 0);
  EXPECT_EQ(schema.dictionary, nullptr);
  schema.release(&schema);
  EXPECT_EQ(schema.release, nullptr);

  ASSERT_TRUE(ExportField({"id", DataType::BigInt(), false}, &schema).ok());
  EXPECT_EQ(schema.flags, 0);
  schema.release(&schema);
}

TEST(ArrowExportTest, SchemaIsStructWithOneChildPerField) {
  ArrowSchema schema;
  ASSERT_TRUE(ExportSchema(TradeBatch().schema(), &schema).ok());
  EXPECT_STREQ(schema.format, "+s");
  EXPECT_STREQ(schema.name, "");
  ASSERT_EQ(schema.n_children, 3);
  EXPECT_STREQ(schema.children[0]->format, "u");
  EXPECT_STREQ(schema.children[0]->name, "symbol");
  EXPECT_EQ(schema.children[0]->flags, 0);
  EXPECT_STREQ(schema.children[1]->format, "g");
  EXPECT_EQ(schema.children[1]->flags, ARROW_FLAG_NULLABLE);
  EXPECT_STREQ(schema.children[2]->format, "tsu:");
  schema.release(&schema);
  EXPECT_EQ(schema.release, nullptr);
}

TEST(ArrowExportTest, ColumnIsZeroCopy) {
  Column column = MakeColumn(DataType::BigInt(),
                             {Value::BigInt(1), Value::Null(DataType::BigInt()), Value::BigInt(3)});
  ArrowArray array;
  ASSERT_TRUE(ExportColumn(column, &array).ok());
  EXPECT_EQ(array.length, 3);
  EXPECT_EQ(array.null_count, 1);
  EXPECT_EQ(array.offset, 0);
  ASSERT_EQ(array.n_buffers, 2);
  EXPECT_EQ(array.n_children, 0);
  EXPECT_EQ(array.buffers[0], column.validity_buffer()->data());
  EXPECT_EQ(array.buffers[1], column.values_buffer()->data());
  array.release(&array);
  EXPECT_EQ(array.release, nullptr);
}

TEST(ArrowExportTest, ExportedBuffersOutliveTheColumn) {
  ArrowArray array;
  {
    Column column = MakeColumn(DataType::Varchar(), {Value::Varchar("abc"), Value::Varchar("de")});
    ASSERT_TRUE(ExportColumn(column, &array).ok());
  }
  ASSERT_EQ(array.n_buffers, 3);
  EXPECT_EQ(array.buffers[0], nullptr) << "no NULLs, no bitmap";
  const auto* offsets = static_cast<const int32_t*>(array.buffers[1]);
  const auto* data = static_cast<const char*>(array.buffers[2]);
  EXPECT_EQ(offsets[0], 0);
  EXPECT_EQ(offsets[1], 3);
  EXPECT_EQ(offsets[2], 5);
  EXPECT_EQ(std::string(data, 5), "abcde");
  array.release(&array);
}

TEST(ArrowExportTest, SlicedColumnExportsItsOffset) {
  Column column = MakeColumn(
      DataType::Integer(),
      {Value::Integer(1), Value::Integer(2), Value::Null(DataType::Integer()), Value::Integer(4)});
  ArrowArray array;
  ASSERT_TRUE(ExportColumn(column.Slice(1, 3), &array).ok());
  EXPECT_EQ(array.offset, 1);
  EXPECT_EQ(array.length, 3);
  EXPECT_EQ(array.null_count, 1);
  EXPECT_EQ(static_cast<const int32_t*>(array.buffers[1])[array.offset], 2);
  array.release(&array);
}

TEST(ArrowExportTest, NullColumnHasNoBuffers) {
  ArrowArray array;
  ASSERT_TRUE(ExportColumn(Column::Nulls(DataType::Null(), 4), &array).ok());
  EXPECT_EQ(array.n_buffers, 0);
  EXPECT_EQ(array.length, 4);
  EXPECT_EQ(array.null_count, 4);
  array.release(&array);
}

TEST(ArrowExportTest, EmptyColumnsHaveNonNullBuffers) {
  for (DataType type :
       {DataType::BigInt(), DataType::Boolean(), DataType::Varchar(), DataType::Interval()}) {
    ArrowArray array;
    ASSERT_TRUE(ExportColumn(ColumnBuilder(type).Finish(), &array).ok());
    EXPECT_EQ(array.length, 0);
    for (int64_t i = 1; i < array.n_buffers; ++i) {
      EXPECT_NE(array.buffers[i], nullptr) << type.ToString() << " buffer " << i;
    }
    if (type.IsVariableWidth()) {
      EXPECT_EQ(static_cast<const int32_t*>(array.buffers[1])[0], 0);
    }
    array.release(&array);
  }
}

TEST(ArrowExportTest, IntervalMicrosBecomeNanos) {
  Column column =
      MakeColumn(DataType::Interval(),
                 {Value::FromInterval(Interval{1, 2, 3}), Value::Null(DataType::Interval()),
                  Value::FromInterval(Interval{-4, -5, -6'000'000})});
  ArrowArray array;
  ASSERT_TRUE(ExportColumn(column.Slice(0, 3), &array).ok());
  ASSERT_EQ(array.n_buffers, 2);
  EXPECT_EQ(array.null_count, 1);
  const auto* bytes = static_cast<const uint8_t*>(array.buffers[1]) + array.offset * 16;
  int32_t months;
  int32_t days;
  int64_t nanos;
  std::memcpy(&months, bytes, 4);
  std::memcpy(&days, bytes + 4, 4);
  std::memcpy(&nanos, bytes + 8, 8);
  EXPECT_EQ(months, 1);
  EXPECT_EQ(days, 2);
  EXPECT_EQ(nanos, 3000);
  std::memcpy(&nanos, bytes + 32 + 8, 8);
  EXPECT_EQ(nanos, -6'000'000'000);
  EXPECT_FALSE(GetBit(static_cast<const uint8_t*>(array.buffers[0]), array.offset + 1));
  array.release(&array);
}

TEST(ArrowExportTest, IntervalOverflowingNanosIsNumericOverflowNamingTheRow) {
  Column column =
      MakeColumn(DataType::Interval(), {Value::FromInterval(Interval{0, 0, 1}),
                                        Value::FromInterval(Interval{0, 0, INT64_MAX / 10})});
  ArrowArray array{};
  Status status = ExportColumn(column, &array);
  EXPECT_EQ(status.code(), ErrorCode::kNumericOverflow);
  EXPECT_THAT(std::string(status.message()), HasSubstr("row 1"));
  EXPECT_EQ(array.release, nullptr) << "output untouched on error";

  Batch batch = *Batch::Make(Schema::Make({{"i", DataType::Interval(), true}}), {column});
  status = ExportBatch(batch, &array);
  EXPECT_EQ(status.code(), ErrorCode::kNumericOverflow);
  EXPECT_THAT(std::string(status.message()), HasSubstr("\"i\""));
  EXPECT_EQ(array.release, nullptr);
}

TEST(ArrowExportTest, BatchIsStructWithNullValidityBuffer) {
  Batch batch = TradeBatch();
  ArrowArray array;
  ASSERT_TRUE(ExportBatch(batch, &array).ok());
  EXPECT_EQ(array.length, 10);
  EXPECT_EQ(array.null_count, 0);
  EXPECT_EQ(array.offset, 0);
  ASSERT_EQ(array.n_buffers, 1);
  EXPECT_EQ(array.buffers[0], nullptr);
  ASSERT_EQ(array.n_children, 3);
  EXPECT_EQ(array.children[1]->null_count, 4);
  EXPECT_EQ(array.children[1]->buffers[1], batch.column(1).values_buffer()->data());
  array.release(&array);
  EXPECT_EQ(array.release, nullptr);
}

TEST(ArrowExportTest, ConsumerCanMoveArrayAndSchemaAndReleaseLater) {
  ArrowArray moved_array;
  ArrowSchema moved_schema;
  {
    Batch batch = TradeBatch();
    ArrowArray array;
    ArrowSchema schema;
    ASSERT_TRUE(ExportBatch(batch, &array).ok());
    ASSERT_TRUE(ExportSchema(batch.schema(), &schema).ok());
    std::memcpy(&moved_array, &array, sizeof(array));
    array.release = nullptr;
    std::memcpy(&moved_schema, &schema, sizeof(schema));
    schema.release = nullptr;
  }
  auto imported = ImportBatch(&moved_array, &moved_schema);
  ASSERT_TRUE(imported.ok()) << imported.status();
  ExpectSameBatches(*imported, TradeBatch());
}

TEST(ArrowExportTest, ChildrenMovedOutCanBeReleasedSeparately) {
  Batch batch = TradeBatch();
  ArrowArray array;
  ArrowSchema schema;
  ASSERT_TRUE(ExportBatch(batch, &array).ok());
  ASSERT_TRUE(ExportSchema(batch.schema(), &schema).ok());
  ArrowArray child_array;
  ArrowSchema child_schema;
  std::memcpy(&child_array, array.children[0], sizeof(ArrowArray));
  array.children[0]->release = nullptr;
  std::memcpy(&child_schema, schema.children[0], sizeof(ArrowSchema));
  schema.children[0]->release = nullptr;

  // Releasing the parents first must leave the moved children intact.
  array.release(&array);
  schema.release(&schema);
  auto field = ImportField(&child_schema);
  ASSERT_TRUE(field.ok()) << field.status();
  EXPECT_EQ(field->name, "symbol");
  auto column = ImportColumn(&child_array, field->type);
  ASSERT_TRUE(column.ok()) << column.status();
  ExpectSameValues(*column, batch.column(0));
}

TEST(ArrowExportTest, ReleasingMovedChildBeforeParentWorks) {
  ArrowArray array;
  ASSERT_TRUE(ExportBatch(TradeBatch(), &array).ok());
  ArrowArray child;
  std::memcpy(&child, array.children[2], sizeof(ArrowArray));
  array.children[2]->release = nullptr;
  child.release(&child);
  EXPECT_EQ(child.release, nullptr);
  array.release(&array);
}

// ---------------------------------------------------------------------------------------------
// Round trips

TEST(ArrowRoundTripTest, EveryTypeWithNulls) {
  Batch batch = EveryTypeBatch();
  ASSERT_EQ(batch.num_columns(), 15);
  auto imported = RoundTrip(batch);
  ASSERT_TRUE(imported.ok()) << imported.status();
  ExpectSameBatches(*imported, batch);
}

TEST(ArrowRoundTripTest, EveryTypeAsSingleColumns) {
  for (auto& [field, values] : EveryTypeColumns()) {
    SCOPED_TRACE(field.type.ToString());
    Column column = MakeColumn(field.type, values);
    ArrowSchema schema;
    ArrowArray array;
    ASSERT_TRUE(ExportField(field, &schema).ok());
    ASSERT_TRUE(ExportColumn(column, &array).ok());
    auto imported_field = ImportField(&schema);
    ASSERT_TRUE(imported_field.ok()) << imported_field.status();
    EXPECT_EQ(*imported_field, field);
    auto imported = ImportColumn(&array, imported_field->type);
    ASSERT_TRUE(imported.ok()) << imported.status();
    EXPECT_EQ(array.release, nullptr);
    ExpectSameValues(*imported, column);
  }
}

TEST(ArrowRoundTripTest, ImportIsZeroCopy) {
  Batch batch = TradeBatch();
  auto imported = RoundTrip(batch);
  ASSERT_TRUE(imported.ok()) << imported.status();
  for (int i = 0; i < batch.num_columns(); ++i) {
    EXPECT_EQ(imported->column(i).values_buffer()->data(), batch.column(i).values_buffer()->data());
    EXPECT_FALSE(imported->column(i).values_buffer()->owns_memory());
  }
  EXPECT_EQ(imported->column(0).data_buffer()->data(), batch.column(0).data_buffer()->data());
}

TEST(ArrowRoundTripTest, SlicedBatchKeepsItsOffsets) {
  Batch batch = EveryTypeBatch().Slice(1, 3);
  ArrowArray array;
  ASSERT_TRUE(ExportBatch(batch, &array).ok());
  EXPECT_EQ(array.children[2]->offset, 1) << "TINYINT child shares the buffers";
  EXPECT_EQ(array.children[9]->offset, 1) << "VARCHAR child shares the buffers";
  auto imported = ImportBatch(&array, batch.schema_ptr());
  ASSERT_TRUE(imported.ok()) << imported.status();
  ExpectSameBatches(*imported, batch);
  EXPECT_EQ(imported->column(2).offset(), 1);
}

TEST(ArrowRoundTripTest, SlicedColumnsAtEveryOffset) {
  Batch batch = EveryTypeBatch();
  for (int64_t offset = 0; offset <= batch.num_rows(); ++offset) {
    for (int64_t length = 0; offset + length <= batch.num_rows(); ++length) {
      SCOPED_TRACE(testing::Message() << "offset " << offset << " length " << length);
      Batch slice = batch.Slice(offset, length);
      auto imported = RoundTrip(slice);
      ASSERT_TRUE(imported.ok()) << imported.status();
      ExpectSameBatches(*imported, slice);
    }
  }
}

TEST(ArrowRoundTripTest, EmptyBatch) {
  Batch batch = Batch::Empty(EveryTypeBatch().schema_ptr());
  auto imported = RoundTrip(batch);
  ASSERT_TRUE(imported.ok()) << imported.status();
  EXPECT_EQ(imported->num_rows(), 0);
  ExpectSameBatches(*imported, batch);
}

TEST(ArrowRoundTripTest, BatchWithZeroColumnsKeepsItsRowCount) {
  Batch batch = Batch::MakeWithoutColumns(Schema::Make({}), 7);
  auto imported = RoundTrip(batch);
  ASSERT_TRUE(imported.ok()) << imported.status();
  EXPECT_EQ(imported->num_columns(), 0);
  EXPECT_EQ(imported->num_rows(), 7);

  auto empty = RoundTrip(Batch());
  ASSERT_TRUE(empty.ok()) << empty.status();
  EXPECT_EQ(empty->num_rows(), 0);
}

TEST(ArrowRoundTripTest, NotNullFieldsStayNotNull) {
  Batch batch = TradeBatch();
  auto imported = RoundTrip(batch);
  ASSERT_TRUE(imported.ok()) << imported.status();
  EXPECT_FALSE(imported->schema().field(0).nullable);
  EXPECT_TRUE(imported->schema().field(1).nullable);
}

TEST(ArrowRoundTripTest, DecimalPrecision38Extremes) {
  const DataType type = *DataType::Decimal(38, 0);
  Column column = MakeColumn(
      type, {Value::Decimal(LargestDecimal38(), type), Value::Decimal(-LargestDecimal38(), type),
             Value::Null(type), Value::Decimal(0, type)});
  ArrowSchema schema;
  ArrowArray array;
  ASSERT_TRUE(ExportField({"d", type, true}, &schema).ok());
  EXPECT_STREQ(schema.format, "d:38,0");
  ASSERT_TRUE(ExportColumn(column, &array).ok());
  auto field = ImportField(&schema);
  ASSERT_TRUE(field.ok());
  auto imported = ImportColumn(&array, field->type);
  ASSERT_TRUE(imported.ok()) << imported.status();
  ExpectSameValues(*imported, column);
}

// ---------------------------------------------------------------------------------------------
// Import of hand-built arrays

TEST(ArrowImportTest, Int32WithValidityBitmapAndOffset) {
  // Physical slots: [99, 1, NULL, 3]; the array starts at slot 1.
  std::vector<int32_t> values = {99, 1, 0, 3};
  std::vector<uint8_t> validity = Bits("1101");
  HandArray hand(3, 1, 1, {validity.data(), values.data()});
  auto column = ImportColumn(hand.c(), DataType::Integer());
  ASSERT_TRUE(column.ok()) << column.status();
  EXPECT_EQ(hand.c()->release, nullptr) << "moved from";
  EXPECT_EQ(column->length(), 3);
  EXPECT_EQ(column->offset(), 1);
  EXPECT_EQ(column->null_count(), 1);
  EXPECT_EQ(column->GetValue(0), Value::Integer(1));
  EXPECT_TRUE(column->IsNull(1));
  EXPECT_EQ(column->GetValue(2), Value::Integer(3));
  EXPECT_EQ(column->Values<int32_t>(), values.data() + 1) << "zero-copy";
  EXPECT_EQ(hand.release_calls(), 0);
  column = Status(ErrorCode::kInternal, "drop the column");
  EXPECT_EQ(hand.release_calls(), 1);
}

TEST(ArrowImportTest, Utf8WithOffsetsAndData) {
  // ["ab", NULL, "", "cde"] sliced to the last three rows.
  std::vector<int32_t> offsets = {0, 2, 2, 2, 5};
  std::string data = "abcde";
  std::vector<uint8_t> validity = Bits("1011");
  HandArray hand(3, 1, 1, {validity.data(), offsets.data(), data.data()});
  auto column = ImportColumn(hand.c(), DataType::Varchar());
  ASSERT_TRUE(column.ok()) << column.status();
  EXPECT_TRUE(column->IsNull(0));
  EXPECT_EQ(column->GetValue(1), Value::Varchar(""));
  EXPECT_EQ(column->GetValue(2), Value::Varchar("cde"));
  EXPECT_EQ(column->StringValue(2).data(), data.data() + 2) << "zero-copy";
}

TEST(ArrowImportTest, BooleanIsBitPacked) {
  // Ten values 1,0,1,1,0,0,0,1,1,0; the array starts at slot 3, crossing a byte boundary.
  std::vector<uint8_t> values = Bits("1011000110");
  HandArray hand(7, 0, 3, {nullptr, values.data()});
  auto column = ImportColumn(hand.c(), DataType::Boolean());
  ASSERT_TRUE(column.ok()) << column.status();
  const bool expected[] = {true, false, false, false, true, true, false};
  for (int64_t row = 0; row < 7; ++row) {
    EXPECT_EQ(column->GetValue(row), Value::Boolean(expected[row])) << row;
  }
  EXPECT_EQ(column->null_count(), 0);
}

TEST(ArrowImportTest, StructOfHandBuiltChildren) {
  // Struct of (id int32, name utf8, flag bool) with 4 physical rows; the struct starts at row 1.
  std::vector<int32_t> ids = {10, 20, 30, 40};
  std::vector<int32_t> offsets = {0, 1, 3, 3, 6};
  std::string names = "abbccc";
  std::vector<uint8_t> name_validity = Bits("1101");
  std::vector<uint8_t> flags = Bits("0110");
  HandArray id_array(4, 0, 0, {nullptr, ids.data()});
  HandArray name_array(4, 1, 0, {name_validity.data(), offsets.data(), names.data()});
  HandArray flag_array(4, 0, 0, {nullptr, flags.data()});
  HandArray struct_array(3, 0, 1, {nullptr});
  struct_array.AddChild(&id_array);
  struct_array.AddChild(&name_array);
  struct_array.AddChild(&flag_array);

  HandSchema id_schema("i", "id", 0);
  HandSchema name_schema("u", "name");
  HandSchema flag_schema("b", "flag");
  HandSchema struct_schema("+s", "", 0);
  struct_schema.AddChild(&id_schema);
  struct_schema.AddChild(&name_schema);
  struct_schema.AddChild(&flag_schema);

  auto batch = ImportBatch(struct_array.c(), struct_schema.c());
  ASSERT_TRUE(batch.ok()) << batch.status();
  EXPECT_EQ(struct_schema.release_calls(), 1);
  EXPECT_EQ(name_schema.release_calls(), 1);
  EXPECT_EQ(struct_schema.c()->release, nullptr);
  EXPECT_EQ(batch->schema(), *Schema::Make({{"id", DataType::Integer(), false},
                                            {"name", DataType::Varchar(), true},
                                            {"flag", DataType::Boolean(), true}}));
  ASSERT_EQ(batch->num_rows(), 3);
  EXPECT_EQ(batch->column(0).GetValue(0), Value::Integer(20));
  EXPECT_EQ(batch->column(0).GetValue(2), Value::Integer(40));
  EXPECT_EQ(batch->column(1).GetValue(0), Value::Varchar("bb"));
  EXPECT_TRUE(batch->column(1).IsNull(1));
  EXPECT_EQ(batch->column(1).GetValue(2), Value::Varchar("ccc"));
  EXPECT_EQ(batch->column(2).GetValue(0), Value::Boolean(true));
  EXPECT_EQ(batch->column(2).GetValue(2), Value::Boolean(false));
  EXPECT_EQ(struct_array.release_calls(), 0);
  batch = Status(ErrorCode::kInternal, "drop the batch");
  EXPECT_EQ(struct_array.release_calls(), 1);
  EXPECT_EQ(id_array.release_calls(), 1) << "children released by their parent";
  EXPECT_EQ(flag_array.release_calls(), 1);
}

TEST(ArrowImportTest, ReleaseIsCalledOnceWhenTheLastCopyOrSliceIsGone) {
  std::vector<int64_t> values = {1, 2, 3, 4};
  HandArray child(4, 0, 0, {nullptr, values.data()});
  HandArray parent(4, 0, 0, {nullptr});
  parent.AddChild(&child);
  auto batch = ImportBatch(parent.c(), Schema::Make({{"x", DataType::BigInt(), true}}));
  ASSERT_TRUE(batch.ok()) << batch.status();

  Column copy = batch->column(0);
  Column slice = batch->column(0).Slice(2, 2);
  Batch batch_slice = batch->Slice(1, 1);
  batch = Status(ErrorCode::kInternal, "drop the batch");
  EXPECT_EQ(parent.release_calls(), 0);
  copy = Column();
  EXPECT_EQ(parent.release_calls(), 0);
  EXPECT_EQ(slice.GetValue(1), Value::BigInt(4));
  slice = Column();
  EXPECT_EQ(parent.release_calls(), 0);
  EXPECT_EQ(batch_slice.column(0).GetValue(0), Value::BigInt(2));
  batch_slice = Batch();
  EXPECT_EQ(parent.release_calls(), 1);
  EXPECT_EQ(child.release_calls(), 1);
}

TEST(ArrowImportTest, ExportedBatchIsReleasedWhenImportedBatchIsDropped) {
  Batch batch = TradeBatch();
  std::weak_ptr<const Buffer> values = batch.column(1).values_buffer();
  ArrowArray array;
  ASSERT_TRUE(ExportBatch(batch, &array).ok());
  batch = Batch();
  EXPECT_FALSE(values.expired()) << "kept alive by the export";
  auto imported = ImportBatch(&array, TradeBatch().schema_ptr());
  ASSERT_TRUE(imported.ok()) << imported.status();
  EXPECT_FALSE(values.expired());
  imported = Status(ErrorCode::kInternal, "drop the batch");
  EXPECT_TRUE(values.expired()) << "release ran and freed the buffers";
}

TEST(ArrowImportTest, NullCountMinusOneIsComputedFromTheBitmap) {
  std::vector<int64_t> values = {1, 2, 3};
  std::vector<uint8_t> validity = Bits("101");
  HandArray hand(3, -1, 0, {validity.data(), values.data()});
  auto column = ImportColumn(hand.c(), DataType::BigInt());
  ASSERT_TRUE(column.ok()) << column.status();
  EXPECT_EQ(column->null_count(), 1);
  EXPECT_TRUE(column->IsNull(1));
}

TEST(ArrowImportTest, BitmapIsIgnoredWhenNullCountIsZero) {
  std::vector<int64_t> values = {1, 2};
  std::vector<uint8_t> validity = Bits("11");
  HandArray hand(2, 0, 0, {validity.data(), values.data()});
  auto column = ImportColumn(hand.c(), DataType::BigInt());
  ASSERT_TRUE(column.ok()) << column.status();
  EXPECT_EQ(column->validity_buffer(), nullptr);
}

TEST(ArrowImportTest, NullArrayHasNoBuffers) {
  HandArray hand(5, 5, 0, {});
  auto column = ImportColumn(hand.c(), DataType::Null());
  ASSERT_TRUE(column.ok()) << column.status();
  EXPECT_EQ(column->length(), 5);
  EXPECT_EQ(column->null_count(), 5);
  EXPECT_EQ(hand.release_calls(), 1) << "nothing to keep alive";
}

TEST(ArrowImportTest, AllEmptyStringsMayHaveNullDataBuffer) {
  std::vector<int32_t> offsets = {0, 0, 0};
  HandArray hand(2, 0, 0, {nullptr, offsets.data(), nullptr});
  auto column = ImportColumn(hand.c(), DataType::Bytea());
  ASSERT_TRUE(column.ok()) << column.status();
  EXPECT_EQ(column->GetValue(1), Value::Bytea(""));
}

TEST(ArrowImportTest, EmptyArrayMayHaveNullBuffers) {
  HandArray hand(0, 0, 0, {nullptr, nullptr, nullptr});
  auto column = ImportColumn(hand.c(), DataType::Varchar());
  ASSERT_TRUE(column.ok()) << column.status();
  EXPECT_EQ(column->length(), 0);
  EXPECT_TRUE(column->Validate().ok());
}

TEST(ArrowImportTest, DecimalHandBuilt) {
  std::vector<Decimal128> values = {12345, -LargestDecimal38()};
  HandArray hand(2, 0, 0, {nullptr, values.data()});
  HandSchema schema("d:38,2", "amount");
  auto field = ImportField(schema.c());
  ASSERT_TRUE(field.ok()) << field.status();
  EXPECT_EQ(field->type, *DataType::Decimal(38, 2));
  auto column = ImportColumn(hand.c(), field->type);
  ASSERT_TRUE(column.ok()) << column.status();
  EXPECT_EQ(column->GetValue(1), Value::Decimal(-LargestDecimal38(), field->type));
  EXPECT_FALSE(column->values_buffer()->owns_memory()) << "aligned: zero-copy";
}

TEST(ArrowImportTest, DecimalWithExplicitBitWidth128) {
  HandSchema schema("d:10,3,128", "x");
  auto field = ImportField(schema.c());
  ASSERT_TRUE(field.ok()) << field.status();
  EXPECT_EQ(field->type, *DataType::Decimal(10, 3));
}

TEST(ArrowImportTest, UnalignedDecimalBufferIsCopied) {
  alignas(16) uint8_t storage[16 * 3 + 8] = {};
  uint8_t* unaligned = storage + 8;
  const Decimal128 values[] = {7, -LargestDecimal38(), 42};
  std::memcpy(unaligned, values, sizeof(values));
  HandArray hand(2, 0, 1, {nullptr, unaligned});
  auto column = ImportColumn(hand.c(), *DataType::Decimal(38, 0));
  ASSERT_TRUE(column.ok()) << column.status();
  EXPECT_TRUE(column->values_buffer()->owns_memory()) << "copied into an aligned buffer";
  EXPECT_EQ(reinterpret_cast<uintptr_t>(column->values_buffer()->data()) % 16, 0u);
  EXPECT_EQ(column->GetValue(0), Value::Decimal(-LargestDecimal38(), *DataType::Decimal(38, 0)));
  EXPECT_EQ(column->GetValue(1), Value::Decimal(42, *DataType::Decimal(38, 0)));
  EXPECT_EQ(hand.release_calls(), 1) << "nothing borrowed, so released at once";
}

struct MonthDayNano {
  int32_t months;
  int32_t days;
  int64_t nanos;
};

TEST(ArrowImportTest, UnalignedInt64BufferIsCopied) {
  alignas(8) uint8_t storage[8 * 2 + 4] = {};
  const int64_t values[] = {-1, 1LL << 40};
  std::memcpy(storage + 4, values, sizeof(values));
  HandArray hand(2, 0, 0, {nullptr, storage + 4});
  auto column = ImportColumn(hand.c(), DataType::BigInt());
  ASSERT_TRUE(column.ok()) << column.status();
  EXPECT_EQ(column->GetValue(1), Value::BigInt(1LL << 40));
  EXPECT_TRUE(column->values_buffer()->owns_memory()) << "misaligned values must be copied";
  EXPECT_EQ(reinterpret_cast<uintptr_t>(column->values_buffer()->data()) % alignof(int64_t), 0u);
  column = Status::Error(ErrorCode::kInternal, "drop the column");
  EXPECT_EQ(hand.release_calls(), 1);
}

TEST(ArrowImportTest, IntervalNullCountContradictingBitmapIsRejected) {
  std::vector<MonthDayNano> values = {{0, 0, 1000}, {0, 0, 2000}};
  std::vector<uint8_t> validity = Bits("11");
  HandArray hand(2, /*null_count=*/1, /*offset=*/0, {validity.data(), values.data()});
  auto column = ImportColumn(hand.c(), DataType::Interval());
  EXPECT_EQ(column.status().code(), ErrorCode::kArrowInvalidArray);
  EXPECT_EQ(hand.release_calls(), 1);
}

TEST(ArrowImportTest, DecimalBeyondDeclaredPrecisionIsRejected) {
  std::vector<Decimal128> values = {99999, static_cast<Decimal128>(1) << 100};
  HandArray hand(2, 0, 0, {nullptr, values.data()});
  auto column = ImportColumn(hand.c(), *DataType::Decimal(5, 2));
  EXPECT_EQ(column.status().code(), ErrorCode::kArrowInvalidArray);
  EXPECT_THAT(std::string(column.status().message()), HasSubstr("row 1"));
  EXPECT_EQ(hand.release_calls(), 1);
}

TEST(ArrowImportTest, IntervalNanosBecomeMicros) {
  std::vector<MonthDayNano> values = {{9, 9, 9}, {1, 2, 3000}, {0, 0, 7}, {-1, -2, -5'000'000}};
  std::vector<uint8_t> validity = Bits("0101");
  HandArray hand(3, 1, 1, {validity.data(), values.data()});
  auto column = ImportColumn(hand.c(), DataType::Interval());
  ASSERT_TRUE(column.ok()) << column.status();
  EXPECT_EQ(column->GetValue(0), Value::FromInterval(Interval{1, 2, 3}));
  EXPECT_TRUE(column->IsNull(1)) << "NULL slots may hold any value, even 7 ns";
  EXPECT_EQ(column->GetValue(2), Value::FromInterval(Interval{-1, -2, -5000}));
  EXPECT_EQ(column->null_count(), 1);
}

TEST(ArrowImportTest, IntervalWithFractionOfMicrosecondIsRejected) {
  std::vector<MonthDayNano> values = {{0, 0, 1000}, {0, 0, 1500}};
  HandArray hand(2, 0, 0, {nullptr, values.data()});
  auto column = ImportColumn(hand.c(), DataType::Interval());
  EXPECT_EQ(column.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_THAT(std::string(column.status().message()), HasSubstr("row 1"));
  EXPECT_EQ(hand.release_calls(), 1);
}

TEST(ArrowImportTest, TimestampWithoutZoneIsTimestamp) {
  HandSchema schema("tsu:", "t");
  auto field = ImportField(schema.c());
  ASSERT_TRUE(field.ok()) << field.status();
  EXPECT_EQ(field->type, DataType::Timestamp());
}

TEST(ArrowImportTest, TimestampWithAnyZoneIsTimestampTz) {
  for (const char* format : {"tsu:UTC", "tsu:America/New_York", "tsu:+01:00"}) {
    HandSchema schema(format, "t");
    auto field = ImportField(schema.c());
    ASSERT_TRUE(field.ok()) << field.status();
    EXPECT_EQ(field->type, DataType::TimestampTz()) << format;
    EXPECT_EQ(schema.release_calls(), 1);
  }
}

TEST(ArrowImportTest, FieldWithoutNameOrNullableFlag) {
  ArrowSchema schema{};
  int release_calls = 0;
  schema.format = "l";
  schema.name = nullptr;
  schema.release = &CountingSchemaRelease;
  schema.private_data = &release_calls;
  auto field = ImportField(&schema);
  ASSERT_TRUE(field.ok()) << field.status();
  EXPECT_EQ(field->name, "");
  EXPECT_FALSE(field->nullable);
  EXPECT_EQ(release_calls, 1);
}

TEST(ArrowImportTest, DataTypeFromEveryFormat) {
  for (auto& [field, values] : EveryTypeColumns()) {
    auto type = DataTypeFromArrowFormat(ArrowFormatString(field.type));
    ASSERT_TRUE(type.ok()) << type.status();
    EXPECT_EQ(*type, field.type);
  }
}

// ----- Malformed input: one test per case, each checking the code and that the input was
// released.

void ExpectFieldError(const std::string& format, ErrorCode code, std::string_view mention = "") {
  SCOPED_TRACE(format);
  HandSchema schema(format, "f");
  auto field = ImportField(schema.c());
  EXPECT_EQ(field.status().code(), code) << field.status();
  EXPECT_THAT(std::string(field.status().message()), HasSubstr(std::string(mention)));
  EXPECT_EQ(schema.c()->release, nullptr);
  EXPECT_EQ(schema.release_calls(), 1);
}

TEST(ArrowImportTest, ReleasedArrayIsArrowReleased) {
  ArrowArray array{};
  auto column = ImportColumn(&array, DataType::BigInt());
  EXPECT_EQ(column.status().code(), ErrorCode::kArrowReleased);
  auto batch = ImportBatch(&array, Schema::Make({}));
  EXPECT_EQ(batch.status().code(), ErrorCode::kArrowReleased);
}

TEST(ArrowImportTest, ReleasedSchemaIsArrowReleased) {
  ArrowSchema schema{};
  EXPECT_EQ(ImportField(&schema).status().code(), ErrorCode::kArrowReleased);
  EXPECT_EQ(ImportSchema(&schema).status().code(), ErrorCode::kArrowReleased);
}

TEST(ArrowImportTest, ReleasedSchemaStillReleasesTheArray) {
  HandArray array(0, 0, 0, {nullptr});
  ArrowSchema schema{};
  auto batch = ImportBatch(array.c(), &schema);
  EXPECT_EQ(batch.status().code(), ErrorCode::kArrowReleased);
  EXPECT_EQ(array.release_calls(), 1);
}

TEST(ArrowImportTest, ReleasedArrayStillReleasesTheSchema) {
  ArrowArray array{};
  HandSchema schema("+s", "", 0);
  auto batch = ImportBatch(&array, schema.c());
  EXPECT_EQ(batch.status().code(), ErrorCode::kArrowReleased);
  EXPECT_EQ(schema.release_calls(), 1);
}

TEST(ArrowImportTest, ReleasedChildIsArrowReleased) {
  std::vector<int64_t> values = {1};
  HandArray child(1, 0, 0, {nullptr, values.data()});
  HandArray parent(1, 0, 0, {nullptr});
  parent.AddChild(&child);
  child.c()->release = nullptr;  // As if a consumer had moved it out.
  auto batch = ImportBatch(parent.c(), Schema::Make({{"x", DataType::BigInt(), true}}));
  EXPECT_EQ(batch.status().code(), ErrorCode::kArrowReleased);
  EXPECT_EQ(parent.release_calls(), 1);
}

TEST(ArrowImportTest, MalformedDecimalFormatIsInvalidFormat) {
  ExpectFieldError("d:abc", ErrorCode::kArrowInvalidFormat, "d:abc");
}

TEST(ArrowImportTest, DecimalPrecisionAbove38IsInvalidFormat) {
  ExpectFieldError("d:39,2", ErrorCode::kArrowInvalidFormat, "d:39,2");
}

TEST(ArrowImportTest, DecimalWithMissingScaleIsInvalidFormat) {
  ExpectFieldError("d:10", ErrorCode::kArrowInvalidFormat);
  ExpectFieldError("d:10,", ErrorCode::kArrowInvalidFormat);
  ExpectFieldError("d:10,2,128,1", ErrorCode::kArrowInvalidFormat);
  ExpectFieldError("d:0,0", ErrorCode::kArrowInvalidFormat);
}

TEST(ArrowImportTest, UnknownFormatIsInvalidFormat) {
  ExpectFieldError("x", ErrorCode::kArrowInvalidFormat, "'x'");
  ExpectFieldError("", ErrorCode::kArrowInvalidFormat);
  ExpectFieldError("tsx:", ErrorCode::kArrowInvalidFormat);
  ExpectFieldError("tsu", ErrorCode::kArrowInvalidFormat);
  ExpectFieldError("+q", ErrorCode::kArrowInvalidFormat);
}

TEST(ArrowImportTest, MissingFormatIsInvalidFormat) {
  HandSchema schema("l", "f");
  schema.c()->format = nullptr;
  EXPECT_EQ(ImportField(schema.c()).status().code(), ErrorCode::kArrowInvalidFormat);
  EXPECT_EQ(schema.release_calls(), 1);
}

TEST(ArrowImportTest, OtherTimestampUnitsAreUnsupported) {
  ExpectFieldError("tss:", ErrorCode::kArrowUnsupportedType, "tsu:");
  ExpectFieldError("tsm:UTC", ErrorCode::kArrowUnsupportedType, "tsu:");
  ExpectFieldError("tsn:", ErrorCode::kArrowUnsupportedType, "tsu:");
}

TEST(ArrowImportTest, LargeTypesAreUnsupported) {
  ExpectFieldError("U", ErrorCode::kArrowUnsupportedType, "'u'");
  ExpectFieldError("Z", ErrorCode::kArrowUnsupportedType, "'z'");
}

TEST(ArrowImportTest, OtherPrimitiveTypesAreUnsupported) {
  for (const char* format : {"C", "S", "I", "L", "e", "vu", "vz", "tdm", "tts", "ttn", "tDu", "tiM",
                             "tiD", "w:16", "d:40,2,256", "d:9,2,32", "d:5,-2", "d:2,5"}) {
    ExpectFieldError(format, ErrorCode::kArrowUnsupportedType);
  }
}

TEST(ArrowImportTest, NestedFieldIsUnsupported) {
  ExpectFieldError("+l", ErrorCode::kArrowUnsupportedType, "nested");
  ExpectFieldError("+s", ErrorCode::kArrowUnsupportedType, "nested");
  ExpectFieldError("+w:3", ErrorCode::kArrowUnsupportedType, "nested");
  ExpectFieldError("+ud:1,2", ErrorCode::kArrowUnsupportedType, "nested");
}

TEST(ArrowImportTest, NestedFieldInsideSchemaIsUnsupported) {
  HandSchema item("l", "item");
  HandSchema list("+l", "list");
  list.AddChild(&item);
  HandSchema top("+s", "", 0);
  top.AddChild(&list);
  auto schema = ImportSchema(top.c());
  EXPECT_EQ(schema.status().code(), ErrorCode::kArrowUnsupportedType);
  EXPECT_EQ(top.release_calls(), 1);
  EXPECT_EQ(item.release_calls(), 1);
}

TEST(ArrowImportTest, DictionaryFieldIsUnsupported) {
  HandSchema values("u", "");
  HandSchema indices("i", "color");
  indices.c()->dictionary = values.c();
  auto field = ImportField(indices.c());
  EXPECT_EQ(field.status().code(), ErrorCode::kArrowUnsupportedType);
  EXPECT_THAT(std::string(field.status().message()), HasSubstr("dictionary"));
  EXPECT_EQ(indices.release_calls(), 1);
  values.c()->release(values.c());  // Our hand-built release does not own the dictionary.
}

TEST(ArrowImportTest, PrimitiveFieldWithChildrenIsInvalid) {
  HandSchema child("i", "c");
  HandSchema field("l", "f");
  field.AddChild(&child);
  EXPECT_EQ(ImportField(field.c()).status().code(), ErrorCode::kArrowInvalidArray);
  EXPECT_EQ(field.release_calls(), 1);
}

TEST(ArrowImportTest, NonStructTopLevelSchemaIsUnsupported) {
  HandSchema schema("l", "");
  EXPECT_EQ(ImportSchema(schema.c()).status().code(), ErrorCode::kArrowUnsupportedType);
  EXPECT_EQ(schema.release_calls(), 1);
}

TEST(ArrowImportTest, StructSchemaWithNullChildrenTableIsInvalid) {
  HandSchema schema("+s", "", 0);
  schema.c()->n_children = 2;
  EXPECT_EQ(ImportSchema(schema.c()).status().code(), ErrorCode::kArrowInvalidArray);
  EXPECT_EQ(schema.release_calls(), 1);
}

TEST(ArrowImportTest, WrongBufferCountIsReported) {
  std::vector<int32_t> values = {1, 2};
  HandArray hand(2, 0, 0, {nullptr, values.data(), nullptr});
  EXPECT_EQ(ImportColumn(hand.c(), DataType::Integer()).status().code(),
            ErrorCode::kArrowWrongBufferCount);
  EXPECT_EQ(hand.release_calls(), 1);
}

TEST(ArrowImportTest, WrongBufferCountForStringsIsReported) {
  std::vector<int32_t> offsets = {0, 1};
  HandArray hand(1, 0, 0, {nullptr, offsets.data()});
  EXPECT_EQ(ImportColumn(hand.c(), DataType::Varchar()).status().code(),
            ErrorCode::kArrowWrongBufferCount);
  EXPECT_EQ(hand.release_calls(), 1);
}

TEST(ArrowImportTest, WrongBufferCountForStructIsReported) {
  HandArray hand(0, 0, 0, {});
  EXPECT_EQ(ImportBatch(hand.c(), Schema::Make({})).status().code(),
            ErrorCode::kArrowWrongBufferCount);
  EXPECT_EQ(hand.release_calls(), 1);
}

TEST(ArrowImportTest, WrongBufferCountForNullIsReported) {
  HandArray hand(1, 1, 0, {nullptr});
  EXPECT_EQ(ImportColumn(hand.c(), DataType::Null()).status().code(),
            ErrorCode::kArrowWrongBufferCount);
  EXPECT_EQ(hand.release_calls(), 1);
}

TEST(ArrowImportTest, MissingDataBufferIsReported) {
  HandArray hand(2, 0, 0, {nullptr, nullptr});
  EXPECT_EQ(ImportColumn(hand.c(), DataType::Double()).status().code(),
            ErrorCode::kArrowMissingBuffer);
  EXPECT_EQ(hand.release_calls(), 1);
}

TEST(ArrowImportTest, MissingOffsetsBufferIsReported) {
  std::string data = "abc";
  HandArray hand(1, 0, 0, {nullptr, nullptr, data.data()});
  EXPECT_EQ(ImportColumn(hand.c(), DataType::Varchar()).status().code(),
            ErrorCode::kArrowMissingBuffer);
  EXPECT_EQ(hand.release_calls(), 1);
}

TEST(ArrowImportTest, MissingStringDataBufferIsReported) {
  std::vector<int32_t> offsets = {0, 3};
  HandArray hand(1, 0, 0, {nullptr, offsets.data(), nullptr});
  EXPECT_EQ(ImportColumn(hand.c(), DataType::Varchar()).status().code(),
            ErrorCode::kArrowMissingBuffer);
  EXPECT_EQ(hand.release_calls(), 1);
}

TEST(ArrowImportTest, MissingValidityBitmapWithNullsIsReported) {
  std::vector<int64_t> values = {1, 2};
  HandArray hand(2, 1, 0, {nullptr, values.data()});
  EXPECT_EQ(ImportColumn(hand.c(), DataType::BigInt()).status().code(),
            ErrorCode::kArrowMissingBuffer);
  EXPECT_EQ(hand.release_calls(), 1);
}

TEST(ArrowImportTest, MissingBufferTableIsReported) {
  HandArray hand(2, 0, 0, {nullptr, nullptr});
  hand.c()->buffers = nullptr;
  EXPECT_EQ(ImportColumn(hand.c(), DataType::BigInt()).status().code(),
            ErrorCode::kArrowMissingBuffer);
  EXPECT_EQ(hand.release_calls(), 1);
}

TEST(ArrowImportTest, NegativeLengthIsInvalid) {
  std::vector<int64_t> values = {1};
  HandArray hand(-1, 0, 0, {nullptr, values.data()});
  EXPECT_EQ(ImportColumn(hand.c(), DataType::BigInt()).status().code(),
            ErrorCode::kArrowInvalidArray);
  EXPECT_EQ(hand.release_calls(), 1);
}

TEST(ArrowImportTest, NegativeOffsetIsInvalid) {
  std::vector<int64_t> values = {1};
  HandArray hand(1, 0, -1, {nullptr, values.data()});
  EXPECT_EQ(ImportColumn(hand.c(), DataType::BigInt()).status().code(),
            ErrorCode::kArrowInvalidArray);
  EXPECT_EQ(hand.release_calls(), 1);
}

TEST(ArrowImportTest, HugeOffsetIsInvalid) {
  std::vector<int64_t> values = {1};
  HandArray hand(1, 0, std::numeric_limits<int64_t>::max(), {nullptr, values.data()});
  EXPECT_EQ(ImportColumn(hand.c(), DataType::BigInt()).status().code(),
            ErrorCode::kArrowInvalidArray);
  EXPECT_EQ(hand.release_calls(), 1);
}

TEST(ArrowImportTest, NullCountBelowMinusOneIsInvalid) {
  std::vector<int64_t> values = {1};
  HandArray hand(1, -2, 0, {nullptr, values.data()});
  EXPECT_EQ(ImportColumn(hand.c(), DataType::BigInt()).status().code(),
            ErrorCode::kArrowInvalidArray);
  EXPECT_EQ(hand.release_calls(), 1);
}

TEST(ArrowImportTest, NullCountAboveLengthIsInvalid) {
  std::vector<int64_t> values = {1};
  std::vector<uint8_t> validity = Bits("0");
  HandArray hand(1, 2, 0, {validity.data(), values.data()});
  EXPECT_EQ(ImportColumn(hand.c(), DataType::BigInt()).status().code(),
            ErrorCode::kArrowInvalidArray);
  EXPECT_EQ(hand.release_calls(), 1);
}

TEST(ArrowImportTest, NullCountDisagreeingWithBitmapIsInvalid) {
  std::vector<int64_t> values = {1, 2};
  std::vector<uint8_t> validity = Bits("10");
  HandArray hand(2, 2, 0, {validity.data(), values.data()});
  EXPECT_EQ(ImportColumn(hand.c(), DataType::BigInt()).status().code(),
            ErrorCode::kArrowInvalidArray);
  EXPECT_EQ(hand.release_calls(), 1);
}

TEST(ArrowImportTest, ChildrenOnPrimitiveArrayAreInvalid) {
  std::vector<int64_t> values = {1};
  HandArray child(1, 0, 0, {nullptr, values.data()});
  HandArray hand(1, 0, 0, {nullptr, values.data()});
  hand.AddChild(&child);
  EXPECT_EQ(ImportColumn(hand.c(), DataType::BigInt()).status().code(),
            ErrorCode::kArrowInvalidArray);
  EXPECT_EQ(hand.release_calls(), 1);
  EXPECT_EQ(child.release_calls(), 1);
}

TEST(ArrowImportTest, DictionaryArrayIsUnsupported) {
  std::vector<int32_t> indices = {0};
  std::vector<int32_t> offsets = {0, 1};
  std::string data = "a";
  HandArray dictionary(1, 0, 0, {nullptr, offsets.data(), data.data()});
  HandArray hand(1, 0, 0, {nullptr, indices.data()});
  hand.c()->dictionary = dictionary.c();
  EXPECT_EQ(ImportColumn(hand.c(), DataType::Integer()).status().code(),
            ErrorCode::kArrowUnsupportedType);
  EXPECT_EQ(hand.release_calls(), 1);
  dictionary.c()->release(dictionary.c());  // Our hand-built release does not own it.
}

TEST(ArrowImportTest, NegativeFirstOffsetIsOutOfRange) {
  std::vector<int32_t> offsets = {-1, 2};
  std::string data = "abc";
  HandArray hand(1, 0, 0, {nullptr, offsets.data(), data.data()});
  EXPECT_EQ(ImportColumn(hand.c(), DataType::Varchar()).status().code(),
            ErrorCode::kArrowOffsetsOutOfRange);
  EXPECT_EQ(hand.release_calls(), 1);
}

TEST(ArrowImportTest, DecreasingOffsetsAreOutOfRange) {
  std::vector<int32_t> offsets = {0, 3, 1, 4};
  std::string data = "abcd";
  HandArray hand(3, 0, 0, {nullptr, offsets.data(), data.data()});
  EXPECT_EQ(ImportColumn(hand.c(), DataType::Varchar()).status().code(),
            ErrorCode::kArrowOffsetsOutOfRange);
  EXPECT_EQ(hand.release_calls(), 1);
}

TEST(ArrowImportTest, LastOffsetBeforeFirstIsOutOfRange) {
  std::vector<int32_t> offsets = {5, 2};
  std::string data = "abcdef";
  HandArray hand(1, 0, 0, {nullptr, offsets.data(), data.data()});
  EXPECT_EQ(ImportColumn(hand.c(), DataType::Bytea()).status().code(),
            ErrorCode::kArrowOffsetsOutOfRange);
  EXPECT_EQ(hand.release_calls(), 1);
}

TEST(ArrowImportTest, StructWithNullRowsIsInvalid) {
  std::vector<int64_t> values = {1, 2};
  std::vector<uint8_t> struct_validity = Bits("10");
  HandArray child(2, 0, 0, {nullptr, values.data()});
  HandArray parent(2, 1, 0, {struct_validity.data()});
  parent.AddChild(&child);
  auto batch = ImportBatch(parent.c(), Schema::Make({{"x", DataType::BigInt(), true}}));
  EXPECT_EQ(batch.status().code(), ErrorCode::kArrowInvalidArray);
  EXPECT_EQ(parent.release_calls(), 1);
  EXPECT_EQ(child.release_calls(), 1);
}

TEST(ArrowImportTest, StructWithUncountedNullRowsIsInvalid) {
  std::vector<int64_t> values = {1, 2};
  std::vector<uint8_t> struct_validity = Bits("01");
  HandArray child(2, 0, 0, {nullptr, values.data()});
  HandArray parent(2, -1, 0, {struct_validity.data()});
  parent.AddChild(&child);
  auto batch = ImportBatch(parent.c(), Schema::Make({{"x", DataType::BigInt(), true}}));
  EXPECT_EQ(batch.status().code(), ErrorCode::kArrowInvalidArray);
  EXPECT_EQ(parent.release_calls(), 1);
}

TEST(ArrowImportTest, SchemaAndArrayChildCountMismatchIsInvalid) {
  std::vector<int64_t> values = {1};
  HandArray child(1, 0, 0, {nullptr, values.data()});
  HandArray parent(1, 0, 0, {nullptr});
  parent.AddChild(&child);
  HandSchema a("l", "a");
  HandSchema b("l", "b");
  HandSchema top("+s", "", 0);
  top.AddChild(&a);
  top.AddChild(&b);
  auto batch = ImportBatch(parent.c(), top.c());
  EXPECT_EQ(batch.status().code(), ErrorCode::kArrowInvalidArray);
  EXPECT_EQ(parent.release_calls(), 1);
  EXPECT_EQ(top.release_calls(), 1);
}

TEST(ArrowImportTest, StructChildShorterThanStructIsInvalid) {
  std::vector<int64_t> values = {1, 2};
  HandArray child(2, 0, 0, {nullptr, values.data()});
  HandArray parent(2, 0, 1, {nullptr});  // Needs 3 child rows.
  parent.AddChild(&child);
  auto batch = ImportBatch(parent.c(), Schema::Make({{"x", DataType::BigInt(), true}}));
  EXPECT_EQ(batch.status().code(), ErrorCode::kArrowInvalidArray);
  EXPECT_THAT(std::string(batch.status().message()), HasSubstr("\"x\""));
  EXPECT_EQ(parent.release_calls(), 1);
}

TEST(ArrowImportTest, ChildErrorNamesTheColumn) {
  HandArray child(1, 0, 0, {nullptr, nullptr});
  HandArray parent(1, 0, 0, {nullptr});
  parent.AddChild(&child);
  auto batch = ImportBatch(parent.c(), Schema::Make({{"price", DataType::Double(), true}}));
  EXPECT_EQ(batch.status().code(), ErrorCode::kArrowMissingBuffer);
  EXPECT_THAT(std::string(batch.status().message()), HasSubstr("\"price\""));
  EXPECT_EQ(parent.release_calls(), 1);
}

TEST(ArrowImportTest, NullsInNotNullFieldAreNullViolation) {
  std::vector<int64_t> values = {1, 2};
  std::vector<uint8_t> validity = Bits("01");
  HandArray child(2, 1, 0, {validity.data(), values.data()});
  HandArray parent(2, 0, 0, {nullptr});
  parent.AddChild(&child);
  HandSchema field("l", "id", 0);  // No ARROW_FLAG_NULLABLE.
  HandSchema top("+s", "", 0);
  top.AddChild(&field);
  auto batch = ImportBatch(parent.c(), top.c());
  EXPECT_EQ(batch.status().code(), ErrorCode::kNullViolation);
  EXPECT_EQ(parent.release_calls(), 1);
  EXPECT_EQ(top.release_calls(), 1);
}

// ---------------------------------------------------------------------------------------------
// Streams

std::vector<Batch> ThreeTradeBatches() {
  Batch batch = TradeBatch();
  return {batch.Slice(0, 4), batch.Slice(4, 0), batch.Slice(4, 6)};
}

TEST(ArrowStreamTest, ExportedStreamYieldsSchemaThenBatchesThenEnd) {
  ArrowArrayStream stream;
  ASSERT_TRUE(ExportBatchStream(TradeBatch().schema_ptr(), ThreeTradeBatches(), &stream).ok());
  ArrowSchema schema;
  ASSERT_EQ(stream.get_schema(&stream, &schema), 0);
  EXPECT_STREQ(schema.format, "+s");
  EXPECT_EQ(schema.n_children, 3);
  schema.release(&schema);
  const int64_t expected_rows[] = {4, 0, 6};
  for (int64_t rows : expected_rows) {
    ArrowArray array;
    ASSERT_EQ(stream.get_next(&stream, &array), 0);
    ASSERT_NE(array.release, nullptr);
    EXPECT_EQ(array.length, rows);
    array.release(&array);
  }
  ArrowArray end;
  ASSERT_EQ(stream.get_next(&stream, &end), 0);
  EXPECT_EQ(end.release, nullptr);
  EXPECT_EQ(stream.get_last_error(&stream), nullptr);
  stream.release(&stream);
  EXPECT_EQ(stream.release, nullptr);
}

TEST(ArrowStreamTest, ImportStreamRoundTrip) {
  ArrowArrayStream stream;
  std::vector<Batch> batches = ThreeTradeBatches();
  ASSERT_TRUE(ExportBatchStream(TradeBatch().schema_ptr(), batches, &stream).ok());
  auto imported = ImportStream(&stream);
  ASSERT_TRUE(imported.ok()) << imported.status();
  EXPECT_EQ(stream.release, nullptr);
  ASSERT_EQ(imported->size(), 3u);
  for (size_t i = 0; i < batches.size(); ++i) ExpectSameBatches((*imported)[i], batches[i]);
}

TEST(ArrowStreamTest, ReaderReturnsBatchesThenNullopt) {
  ArrowArrayStream stream;
  ASSERT_TRUE(ExportBatchStream(TradeBatch().schema_ptr(), ThreeTradeBatches(), &stream).ok());
  auto reader = ArrowStreamReader::Open(&stream);
  ASSERT_TRUE(reader.ok()) << reader.status();
  EXPECT_EQ(stream.release, nullptr) << "moved into the reader";
  EXPECT_EQ(*reader->schema(), TradeBatch().schema());
  int batches = 0;
  while (true) {
    auto next = reader->Next();
    ASSERT_TRUE(next.ok()) << next.status();
    if (!next->has_value()) break;
    ++batches;
  }
  EXPECT_EQ(batches, 3);
  auto again = reader->Next();
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->has_value());
}

TEST(ArrowStreamTest, EmptyStream) {
  ArrowArrayStream stream;
  ASSERT_TRUE(ExportBatchStream(TradeBatch().schema_ptr(), {}, &stream).ok());
  auto imported = ImportStream(&stream);
  ASSERT_TRUE(imported.ok()) << imported.status();
  EXPECT_TRUE(imported->empty());
}

TEST(ArrowStreamTest, ReleasingStreamWithUnreadBatchesFreesThem) {
  ArrowArrayStream stream;
  std::weak_ptr<const Buffer> values;
  {
    std::vector<Batch> batches = ThreeTradeBatches();
    values = batches[0].column(1).values_buffer();
    ASSERT_TRUE(ExportBatchStream(TradeBatch().schema_ptr(), std::move(batches), &stream).ok());
  }
  EXPECT_FALSE(values.expired());
  stream.release(&stream);
  EXPECT_TRUE(values.expired());
}

TEST(ArrowStreamTest, ArraysOutliveTheStream) {
  ArrowArrayStream stream;
  ASSERT_TRUE(ExportBatchStream(TradeBatch().schema_ptr(), ThreeTradeBatches(), &stream).ok());
  ArrowArray array;
  ASSERT_EQ(stream.get_next(&stream, &array), 0);
  stream.release(&stream);
  auto batch = ImportBatch(&array, TradeBatch().schema_ptr());
  ASSERT_TRUE(batch.ok()) << batch.status();
  ExpectSameBatches(*batch, ThreeTradeBatches()[0]);
}

TEST(ArrowStreamTest, ExportRejectsBatchesOfAnotherSchema) {
  ArrowArrayStream stream{};
  Status status = ExportBatchStream(Schema::Make({{"x", DataType::BigInt(), true}}),
                                    ThreeTradeBatches(), &stream);
  EXPECT_EQ(status.code(), ErrorCode::kSchemaMismatch);
  EXPECT_EQ(stream.release, nullptr);
}

TEST(ArrowStreamTest, ProducerErrorIsReportedWithItsMessage) {
  struct FailingProducer {
    int release_calls = 0;
    int schema_calls = 0;
  };
  ArrowArrayStream stream{};
  FailingProducer producer;
  stream.private_data = &producer;
  stream.get_schema = [](ArrowArrayStream* self, ArrowSchema* out) {
    ++static_cast<FailingProducer*>(self->private_data)->schema_calls;
    return ExportSchema(Schema(), out).ok() ? 0 : EINVAL;
  };
  stream.get_next = [](ArrowArrayStream*, ArrowArray*) { return EIO; };
  stream.get_last_error = [](ArrowArrayStream*) -> const char* { return "disk on fire"; };
  stream.release = [](ArrowArrayStream* self) {
    ++static_cast<FailingProducer*>(self->private_data)->release_calls;
    self->release = nullptr;
  };
  auto batches = ImportStream(&stream);
  EXPECT_EQ(batches.status().code(), ErrorCode::kIoError);
  EXPECT_THAT(std::string(batches.status().message()), HasSubstr("disk on fire"));
  EXPECT_EQ(producer.schema_calls, 1);
  EXPECT_EQ(producer.release_calls, 1);
  EXPECT_EQ(stream.release, nullptr);
}

TEST(ArrowStreamTest, ReleasedStreamIsArrowReleased) {
  ArrowArrayStream stream{};
  EXPECT_EQ(ImportStream(&stream).status().code(), ErrorCode::kArrowReleased);
}

TEST(ArrowStreamTest, ConsumerCanMoveTheStream) {
  ArrowArrayStream moved;
  {
    ArrowArrayStream stream;
    ASSERT_TRUE(ExportBatchStream(TradeBatch().schema_ptr(), ThreeTradeBatches(), &stream).ok());
    std::memcpy(&moved, &stream, sizeof(stream));
    stream.release = nullptr;
  }
  auto imported = ImportStream(&moved);
  ASSERT_TRUE(imported.ok()) << imported.status();
  EXPECT_EQ(imported->size(), 3u);
}

}  // namespace
}  // namespace laminar
