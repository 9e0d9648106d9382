#include "columnar/column.h"

#include <gtest/gtest.h>

#include "columnar/column_builder.h"
#include "columnar/value.h"

namespace laminar {
namespace {

TEST(ColumnBuilderTest, BuildsFixedWidthWithoutValidityWhenNoNulls) {
  ColumnBuilder builder(DataType::BigInt());
  for (int64_t i = 0; i < 1000; ++i) builder.AppendFixed(i * 3);
  Column column = builder.Finish();
  EXPECT_EQ(column.length(), 1000);
  EXPECT_EQ(column.null_count(), 0);
  EXPECT_EQ(column.validity_buffer(), nullptr);
  EXPECT_EQ(column.Values<int64_t>()[999], 2997);
  EXPECT_TRUE(column.Validate().ok());
  EXPECT_EQ(builder.length(), 0) << "Finish resets the builder";
}

TEST(ColumnBuilderTest, FirstNullBackfillsValidity) {
  ColumnBuilder builder(DataType::Integer());
  for (int32_t i = 0; i < 20; ++i) builder.AppendFixed(i);
  builder.AppendNull();
  builder.AppendFixed(int32_t{7});
  Column column = builder.Finish();
  ASSERT_EQ(column.length(), 22);
  EXPECT_EQ(column.null_count(), 1);
  for (int i = 0; i < 20; ++i) EXPECT_TRUE(column.IsValid(i)) << i;
  EXPECT_TRUE(column.IsNull(20));
  EXPECT_EQ(column.Values<int32_t>()[21], 7);
  EXPECT_TRUE(column.Validate().ok());
}

TEST(ColumnBuilderTest, BooleansAreBitPacked) {
  ColumnBuilder builder(DataType::Boolean());
  for (int i = 0; i < 19; ++i) builder.AppendBoolean(i % 3 == 0);
  builder.AppendNull();
  Column column = builder.Finish();
  ASSERT_EQ(column.length(), 20);
  EXPECT_EQ(column.values_buffer()->size(), 3u);
  EXPECT_EQ(column.values_buffer()->data()[0], 0b01001001);
  EXPECT_TRUE(column.BooleanValue(18));
  EXPECT_FALSE(column.BooleanValue(17));
  EXPECT_TRUE(column.IsNull(19));
  EXPECT_TRUE(column.Validate().ok());
}

TEST(ColumnBuilderTest, StringsUseInt32OffsetsStartingAtZero) {
  ColumnBuilder builder(DataType::Varchar());
  ASSERT_TRUE(builder.AppendString("ab").ok());
  builder.AppendNull();
  ASSERT_TRUE(builder.AppendString("").ok());
  ASSERT_TRUE(builder.AppendString("cde").ok());
  Column column = builder.Finish();
  ASSERT_EQ(column.length(), 4);
  const int32_t* offsets = column.Offsets();
  EXPECT_EQ(offsets[0], 0);
  EXPECT_EQ(offsets[1], 2);
  EXPECT_EQ(offsets[2], 2) << "a NULL takes no bytes";
  EXPECT_EQ(offsets[3], 2);
  EXPECT_EQ(offsets[4], 5);
  EXPECT_EQ(column.StringValue(3), "cde");
  EXPECT_EQ(column.StringValue(2), "");
  EXPECT_TRUE(column.IsNull(1));
  EXPECT_TRUE(column.Validate().ok());
}

TEST(ColumnBuilderTest, AppendValueChecksType) {
  ColumnBuilder builder(DataType::Integer());
  EXPECT_TRUE(builder.AppendValue(Value::Integer(5)).ok());
  EXPECT_TRUE(builder.AppendValue(Value::Null(DataType::Varchar())).ok()) << "NULL fits anywhere";
  Status status = builder.AppendValue(Value::Varchar("x"));
  EXPECT_EQ(status.code(), ErrorCode::kSchemaMismatch);
  EXPECT_EQ(builder.length(), 2);
}

TEST(ColumnBuilderTest, EveryTypeRoundTripsThroughGetValue) {
  const DataType decimal = *DataType::Decimal(20, 3);
  const std::vector<Value> values = {
      Value::Boolean(true),
      Value::TinyInt(-5),
      Value::SmallInt(300),
      Value::Integer(-70000),
      Value::BigInt(int64_t{1} << 40),
      Value::Real(1.5f),
      Value::Double(-2.25),
      Value::Decimal(static_cast<Decimal128>(-123456789012345LL) * 1000, decimal),
      Value::Varchar("héllo"),
      Value::Bytea(std::string("\x00\x01\xff", 3)),
      Value::Date(16631),
      Value::Timestamp(1'436'918'400'000'000),
      Value::TimestampTz(-1),
      Value::FromInterval(Interval{1, 2, 3'000'000}),
  };
  for (const Value& value : values) {
    ColumnBuilder builder(value.type());
    ASSERT_TRUE(builder.AppendValue(value).ok()) << value.type().ToString();
    builder.AppendNull();
    ASSERT_TRUE(builder.AppendValue(value).ok());
    Column column = builder.Finish();
    ASSERT_TRUE(column.Validate().ok()) << column.Validate();
    EXPECT_EQ(column.GetValue(0), value) << value.type().ToString();
    EXPECT_EQ(column.GetValue(1), Value::Null(value.type()));
    EXPECT_EQ(column.GetValue(2), value);
  }
}

TEST(ColumnTest, SliceSharesBuffersAndShiftsRows) {
  ColumnBuilder builder(DataType::Varchar());
  for (int i = 0; i < 100; ++i) {
    if (i % 10 == 0) {
      builder.AppendNull();
    } else {
      ASSERT_TRUE(builder.AppendString(std::to_string(i)).ok());
    }
  }
  Column column = builder.Finish();
  Column slice = column.Slice(15, 20);
  EXPECT_EQ(slice.length(), 20);
  EXPECT_EQ(slice.offset(), 15);
  EXPECT_EQ(slice.values_buffer(), column.values_buffer()) << "zero-copy";
  EXPECT_EQ(slice.StringValue(0), "15");
  EXPECT_TRUE(slice.IsNull(5));
  EXPECT_EQ(slice.null_count(), 2);  // Rows 20 and 30.
  Column nested = slice.Slice(5, 10);
  EXPECT_EQ(nested.offset(), 20);
  EXPECT_TRUE(nested.IsNull(0));
  EXPECT_EQ(nested.null_count(), 1);
  EXPECT_TRUE(nested.Validate().ok());
}

TEST(ColumnTest, NullsColumnOfEveryShape) {
  for (const DataType& type :
       {DataType::Null(), DataType::Boolean(), DataType::BigInt(), DataType::Varchar()}) {
    Column column = Column::Nulls(type, 9);
    EXPECT_EQ(column.null_count(), 9) << type.ToString();
    EXPECT_TRUE(column.IsNull(8));
    EXPECT_TRUE(column.Validate().ok()) << type.ToString() << column.Validate();
  }
}

TEST(ColumnTest, ValidateRejectsInconsistentBuffers) {
  auto values = Buffer::Copy("\x01\x00\x00\x00", 4);
  Column too_short(DataType::BigInt(), 1, nullptr, values);
  EXPECT_EQ(too_short.Validate().code(), ErrorCode::kArrowInvalidArray);

  Column missing(DataType::BigInt(), 3, nullptr, nullptr);
  EXPECT_EQ(missing.Validate().code(), ErrorCode::kArrowMissingBuffer);

  const int32_t offsets[] = {0, 4, 2};
  Column decreasing(DataType::Varchar(), 2, nullptr, Buffer::Copy(offsets, sizeof(offsets)),
                    Buffer::Copy("abcd", 4));
  EXPECT_EQ(decreasing.Validate().code(), ErrorCode::kArrowOffsetsOutOfRange);

  const int32_t past_end[] = {0, 9};
  Column overflow(DataType::Varchar(), 1, nullptr, Buffer::Copy(past_end, sizeof(past_end)),
                  Buffer::Copy("abcd", 4));
  EXPECT_EQ(overflow.Validate().code(), ErrorCode::kArrowOffsetsOutOfRange);

  const uint8_t bits[] = {0b00000001};
  Column wrong_count(DataType::TinyInt(), 2, Buffer::Copy(bits, 1), Buffer::Copy("ab", 2), nullptr,
                     /*null_count=*/0);
  EXPECT_EQ(wrong_count.Validate().code(), ErrorCode::kArrowInvalidArray);
}

}  // namespace
}  // namespace laminar
