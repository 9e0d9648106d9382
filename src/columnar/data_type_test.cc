#include "columnar/data_type.h"

#include <gtest/gtest.h>

namespace laminar {
namespace {

TEST(DataTypeTest, ByteWidthsFollowTheArrowLayout) {
  EXPECT_EQ(DataType::TinyInt().ByteWidth(), 1);
  EXPECT_EQ(DataType::SmallInt().ByteWidth(), 2);
  EXPECT_EQ(DataType::Integer().ByteWidth(), 4);
  EXPECT_EQ(DataType::Date().ByteWidth(), 4);
  EXPECT_EQ(DataType::BigInt().ByteWidth(), 8);
  EXPECT_EQ(DataType::Timestamp().ByteWidth(), 8);
  EXPECT_EQ(DataType::Interval().ByteWidth(), 16);
  EXPECT_EQ(DataType::Decimal(10, 2)->ByteWidth(), 16);
  EXPECT_EQ(DataType::Boolean().ByteWidth(), 0);
  EXPECT_EQ(DataType::Varchar().ByteWidth(), 0);
  EXPECT_TRUE(DataType::Bytea().IsVariableWidth());
}

TEST(DataTypeTest, DecimalValidatesPrecisionAndScale) {
  auto type = DataType::Decimal(38, 10);
  ASSERT_TRUE(type.ok());
  EXPECT_EQ(type->precision(), 38);
  EXPECT_EQ(type->scale(), 10);
  EXPECT_EQ(type->ToString(), "DECIMAL(38,10)");
  EXPECT_EQ(DataType::Decimal(39, 0).status().code(), ErrorCode::kInvalidTypeDefinition);
  EXPECT_EQ(DataType::Decimal(0, 0).status().code(), ErrorCode::kInvalidTypeDefinition);
  EXPECT_EQ(DataType::Decimal(5, 6).status().code(), ErrorCode::kInvalidTypeDefinition);
  EXPECT_EQ(DataType::Decimal(5, -1).status().code(), ErrorCode::kInvalidTypeDefinition);
}

TEST(DataTypeTest, EqualityIncludesDecimalParameters) {
  EXPECT_EQ(*DataType::Decimal(10, 2), *DataType::Decimal(10, 2));
  EXPECT_NE(*DataType::Decimal(10, 2), *DataType::Decimal(10, 3));
  EXPECT_NE(DataType::Timestamp(), DataType::TimestampTz());
}

TEST(DataTypeTest, SqlNames) {
  EXPECT_EQ(DataType::TimestampTz().ToString(), "TIMESTAMP WITH TIME ZONE");
  EXPECT_EQ(DataType::Integer().ToString(), "INTEGER");
  EXPECT_EQ(DataType::Null().ToString(), "NULL");
}

}  // namespace
}  // namespace laminar
