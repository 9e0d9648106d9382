#include "functions/type_coercion.h"

#include <gtest/gtest.h>

#include <vector>

namespace laminar::functions {
namespace {

DataType Decimal(int precision, int scale) { return *DataType::Decimal(precision, scale); }

// The type, or the error as text.
std::string TypeOrError(const Result<DataType>& type) {
  return type.ok() ? type->ToString() : type.status().ToString();
}

ArgumentInfo Typed(DataType type) { return ArgumentInfo{.type = type}; }
ArgumentInfo StringLiteral() {
  return ArgumentInfo{.type = DataType::Varchar(), .is_string_literal = true};
}
ArgumentInfo NullLiteral() {
  return ArgumentInfo{.type = DataType::Null(), .is_null_literal = true};
}

TEST(TypeCoercionTest, IntegersWidenImplicitly) {
  EXPECT_TRUE(CanCastImplicitly(DataType::TinyInt(), DataType::SmallInt()));
  EXPECT_TRUE(CanCastImplicitly(DataType::SmallInt(), DataType::Integer()));
  EXPECT_TRUE(CanCastImplicitly(DataType::Integer(), DataType::BigInt()));
  EXPECT_TRUE(CanCastImplicitly(DataType::TinyInt(), DataType::BigInt()));
  EXPECT_FALSE(CanCastImplicitly(DataType::BigInt(), DataType::Integer()));
  EXPECT_FALSE(CanCastImplicitly(DataType::Integer(), DataType::SmallInt()));
}

TEST(TypeCoercionTest, IntegersConvertToDecimalsWideEnough) {
  EXPECT_TRUE(CanCastImplicitly(DataType::Integer(), Decimal(10, 0)));
  EXPECT_FALSE(CanCastImplicitly(DataType::Integer(), Decimal(9, 0)));
  EXPECT_TRUE(CanCastImplicitly(DataType::BigInt(), Decimal(21, 2)));
  EXPECT_FALSE(CanCastImplicitly(DataType::BigInt(), Decimal(20, 2)));
  EXPECT_TRUE(CanCastImplicitly(Decimal(5, 2), Decimal(7, 3)));
  EXPECT_FALSE(CanCastImplicitly(Decimal(5, 2), Decimal(5, 3)));  // Loses an integral digit.
  EXPECT_FALSE(CanCastImplicitly(Decimal(5, 2), Decimal(5, 1)));  // Loses a fraction digit.
  EXPECT_FALSE(CanCastImplicitly(Decimal(5, 2), DataType::BigInt()));
}

TEST(TypeCoercionTest, ExactNumbersConvertToFloatsAndRealToDouble) {
  EXPECT_TRUE(CanCastImplicitly(DataType::BigInt(), DataType::Double()));
  EXPECT_TRUE(CanCastImplicitly(Decimal(38, 10), DataType::Real()));
  EXPECT_TRUE(CanCastImplicitly(DataType::Real(), DataType::Double()));
  EXPECT_FALSE(CanCastImplicitly(DataType::Double(), DataType::Real()));
  EXPECT_FALSE(CanCastImplicitly(DataType::Double(), Decimal(38, 10)));
}

TEST(TypeCoercionTest, DateTimesWidenImplicitly) {
  EXPECT_TRUE(CanCastImplicitly(DataType::Date(), DataType::Timestamp()));
  EXPECT_TRUE(CanCastImplicitly(DataType::Timestamp(), DataType::TimestampTz()));
  EXPECT_TRUE(CanCastImplicitly(DataType::Date(), DataType::TimestampTz()));
  EXPECT_FALSE(CanCastImplicitly(DataType::Timestamp(), DataType::Date()));
  EXPECT_FALSE(CanCastImplicitly(DataType::Interval(), DataType::Timestamp()));
}

TEST(TypeCoercionTest, VarcharConvertsImplicitlyToNothingButNullConvertsToEverything) {
  EXPECT_FALSE(CanCastImplicitly(DataType::Varchar(), DataType::Timestamp()));
  EXPECT_FALSE(CanCastImplicitly(DataType::Varchar(), DataType::Integer()));
  EXPECT_FALSE(CanCastImplicitly(DataType::Integer(), DataType::Varchar()));
  EXPECT_FALSE(CanCastImplicitly(DataType::Varchar(), DataType::Bytea()));
  EXPECT_FALSE(CanCastImplicitly(DataType::Boolean(), DataType::Integer()));
  EXPECT_TRUE(CanCastImplicitly(DataType::Varchar(), DataType::Varchar()));
  EXPECT_TRUE(CanCastImplicitly(DataType::Null(), DataType::Varchar()));
  EXPECT_TRUE(CanCastImplicitly(DataType::Null(), Decimal(3, 1)));
  EXPECT_TRUE(CanCastImplicitly(DataType::Null(), DataType::Interval()));
}

TEST(TypeCoercionTest, ImplicitCastDistanceCountsLatticeSteps) {
  EXPECT_EQ(ImplicitCastDistance(DataType::Integer(), DataType::Integer()), 0);
  EXPECT_EQ(ImplicitCastDistance(DataType::Integer(), DataType::BigInt()), 1);
  EXPECT_EQ(ImplicitCastDistance(DataType::BigInt(), Decimal(3, 1)), 1);
  EXPECT_EQ(ImplicitCastDistance(DataType::Integer(), DataType::Double()), 4);
  EXPECT_EQ(ImplicitCastDistance(Decimal(10, 2), Decimal(38, 0)), 0);
  EXPECT_EQ(ImplicitCastDistance(DataType::Date(), DataType::TimestampTz()), 2);
  EXPECT_EQ(ImplicitCastDistance(DataType::Null(), DataType::Boolean()), 0);
  EXPECT_EQ(ImplicitCastDistance(DataType::Double(), DataType::BigInt()), -1);
  EXPECT_EQ(ImplicitCastDistance(DataType::Varchar(), DataType::Date()), -1);
}

TEST(TypeCoercionTest, ExplicitCastMatrix) {
  EXPECT_TRUE(CanCast(DataType::Double(), DataType::TinyInt()));
  EXPECT_TRUE(CanCast(Decimal(38, 10), DataType::Integer()));
  EXPECT_TRUE(CanCast(DataType::Interval(), DataType::Varchar()));
  EXPECT_TRUE(CanCast(DataType::Bytea(), DataType::Varchar()));
  EXPECT_TRUE(CanCast(DataType::Varchar(), DataType::Bytea()));
  EXPECT_TRUE(CanCast(DataType::Varchar(), DataType::TimestampTz()));
  EXPECT_TRUE(CanCast(DataType::Varchar(), DataType::Boolean()));
  EXPECT_TRUE(CanCast(DataType::Boolean(), DataType::Integer()));
  EXPECT_TRUE(CanCast(DataType::BigInt(), DataType::Boolean()));
  EXPECT_TRUE(CanCast(DataType::TimestampTz(), DataType::Date()));
  EXPECT_TRUE(CanCast(DataType::Timestamp(), DataType::Date()));
  EXPECT_TRUE(CanCast(DataType::Null(), DataType::Date()));

  EXPECT_FALSE(CanCast(DataType::Boolean(), DataType::Date()));
  EXPECT_FALSE(CanCast(DataType::Boolean(), DataType::Double()));
  EXPECT_FALSE(CanCast(DataType::BigInt(), DataType::Timestamp()));
  EXPECT_FALSE(CanCast(DataType::Timestamp(), DataType::BigInt()));
  EXPECT_FALSE(CanCast(DataType::Interval(), DataType::BigInt()));
  EXPECT_FALSE(CanCast(DataType::Interval(), DataType::Timestamp()));
  EXPECT_FALSE(CanCast(DataType::Bytea(), DataType::Integer()));
  EXPECT_FALSE(CanCast(DataType::Integer(), DataType::Bytea()));
  EXPECT_FALSE(CanCast(DataType::Integer(), DataType::Null()));
}

TEST(TypeCoercionTest, StringLiteralsBecomeAnyTypeButNull) {
  EXPECT_TRUE(CanCoerceStringLiteral(DataType::Timestamp()));
  EXPECT_TRUE(CanCoerceStringLiteral(DataType::Interval()));
  EXPECT_TRUE(CanCoerceStringLiteral(Decimal(10, 2)));
  EXPECT_FALSE(CanCoerceStringLiteral(DataType::Null()));
}

TEST(TypeCoercionTest, CommonSupertypeOfNumbers) {
  EXPECT_EQ(TypeOrError(CommonSupertype(DataType::Integer(), DataType::BigInt())), "BIGINT");
  EXPECT_EQ(TypeOrError(CommonSupertype(DataType::SmallInt(), DataType::TinyInt())), "SMALLINT");
  EXPECT_EQ(TypeOrError(CommonSupertype(DataType::BigInt(), Decimal(4, 3))), "DECIMAL(22,3)");
  EXPECT_EQ(TypeOrError(CommonSupertype(Decimal(24, 3), DataType::Integer())), "DECIMAL(24,3)");
  EXPECT_EQ(TypeOrError(CommonSupertype(Decimal(10, 2), Decimal(5, 4))), "DECIMAL(12,4)");
  // Capped at 38 by giving up fraction digits, never integral ones.
  EXPECT_EQ(TypeOrError(CommonSupertype(Decimal(38, 30), DataType::BigInt())), "DECIMAL(38,19)");
  EXPECT_EQ(TypeOrError(CommonSupertype(Decimal(38, 2), DataType::Real())), "REAL");
  EXPECT_EQ(TypeOrError(CommonSupertype(DataType::Real(), DataType::Double())), "DOUBLE");
  EXPECT_EQ(TypeOrError(CommonSupertype(DataType::BigInt(), DataType::Double())), "DOUBLE");
}

TEST(TypeCoercionTest, CommonSupertypeOfOtherTypes) {
  EXPECT_EQ(TypeOrError(CommonSupertype(DataType::Date(), DataType::Timestamp())), "TIMESTAMP");
  EXPECT_EQ(TypeOrError(CommonSupertype(DataType::TimestampTz(), DataType::Date())),
            "TIMESTAMP WITH TIME ZONE");
  EXPECT_EQ(TypeOrError(CommonSupertype(DataType::Null(), DataType::Interval())), "INTERVAL");
  EXPECT_EQ(TypeOrError(CommonSupertype(DataType::Varchar(), DataType::Null())), "VARCHAR");
  EXPECT_EQ(TypeOrError(CommonSupertype(DataType::Boolean(), DataType::Boolean())), "BOOLEAN");
}

TEST(TypeCoercionTest, NoCommonSupertypeIsATypeMismatchNamingBothTypes) {
  Result<DataType> result = CommonSupertype(DataType::Varchar(), DataType::Integer());
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), ErrorCode::kTypeMismatch);
  EXPECT_EQ(result.status().message(), "types varchar and integer cannot be matched");

  result = CommonSupertype(DataType::Boolean(), DataType::BigInt());
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), ErrorCode::kTypeMismatch);
  EXPECT_EQ(CommonSupertype(DataType::Interval(), DataType::Timestamp()).status().code(),
            ErrorCode::kTypeMismatch);
}

TEST(TypeCoercionTest, CommonSupertypeOfExpressionListsTreatsLiteralsAsUnknown) {
  std::vector<ArgumentInfo> case_branches = {StringLiteral(), Typed(DataType::Timestamp()),
                                             NullLiteral()};
  EXPECT_EQ(TypeOrError(CommonSupertype(case_branches, "CASE")), "TIMESTAMP");

  std::vector<ArgumentInfo> in_list = {Typed(DataType::BigInt()), Typed(DataType::Integer()),
                                       Typed(Decimal(5, 2))};
  EXPECT_EQ(TypeOrError(CommonSupertype(in_list, "IN")), "DECIMAL(21,2)");

  std::vector<ArgumentInfo> only_literals = {StringLiteral(), NullLiteral(), StringLiteral()};
  EXPECT_EQ(TypeOrError(CommonSupertype(only_literals, "CASE")), "VARCHAR");

  std::vector<ArgumentInfo> only_nulls = {NullLiteral(), NullLiteral()};
  EXPECT_EQ(TypeOrError(CommonSupertype(only_nulls, "COALESCE")), "NULL");

  std::vector<ArgumentInfo> mismatch = {Typed(DataType::Varchar()), Typed(DataType::Integer())};
  Result<DataType> result = CommonSupertype(mismatch, "CASE");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), ErrorCode::kTypeMismatch);
  EXPECT_EQ(result.status().message(), "CASE types varchar and integer cannot be matched");
}

TEST(TypeCoercionTest, DecimalAdditionAndSubtraction) {
  EXPECT_EQ(DecimalArithmeticType(ArithmeticOperator::kAdd, Decimal(10, 2), Decimal(5, 3)),
            Decimal(12, 3));
  EXPECT_EQ(
      DecimalArithmeticType(ArithmeticOperator::kSubtract, Decimal(12, 2), DataType::Integer()),
      Decimal(13, 2));
  // Capped: 39 integral digits leave no room for the scale, which stops at min(10, 6).
  EXPECT_EQ(DecimalArithmeticType(ArithmeticOperator::kAdd, Decimal(38, 0), Decimal(38, 10)),
            Decimal(38, 6));
}

TEST(TypeCoercionTest, DecimalMultiplicationOfQ1) {
  // 0.908 * price with a BIGINT price.
  EXPECT_EQ(DecimalArithmeticType(ArithmeticOperator::kMultiply, Decimal(4, 3), DataType::BigInt()),
            Decimal(24, 3));
  EXPECT_EQ(DecimalArithmeticType(ArithmeticOperator::kMultiply, Decimal(20, 10), Decimal(20, 10)),
            Decimal(38, 17));
  EXPECT_EQ(DecimalArithmeticType(ArithmeticOperator::kMultiply, Decimal(38, 10), Decimal(38, 10)),
            Decimal(38, 6));
}

TEST(TypeCoercionTest, DecimalDivisionAndModulo) {
  EXPECT_EQ(DecimalArithmeticType(ArithmeticOperator::kDivide, Decimal(10, 2), Decimal(5, 0)),
            Decimal(16, 8));
  EXPECT_EQ(DecimalArithmeticType(ArithmeticOperator::kDivide, Decimal(5, 0), Decimal(5, 0)),
            Decimal(11, 6));
  EXPECT_EQ(DecimalArithmeticType(ArithmeticOperator::kDivide, Decimal(38, 2), Decimal(10, 2)),
            Decimal(38, 6));
  EXPECT_EQ(DecimalArithmeticType(ArithmeticOperator::kModulo, Decimal(10, 2), Decimal(5, 3)),
            Decimal(5, 3));
  EXPECT_EQ(DecimalArithmeticType(ArithmeticOperator::kModulo, DataType::BigInt(), Decimal(4, 1)),
            Decimal(4, 1));
}

TEST(TypeCoercionTest, DecimalTypeForIntegerHoldsEveryValue) {
  EXPECT_EQ(DecimalTypeForInteger(DataType::TinyInt()), Decimal(3, 0));
  EXPECT_EQ(DecimalTypeForInteger(DataType::SmallInt()), Decimal(5, 0));
  EXPECT_EQ(DecimalTypeForInteger(DataType::Integer()), Decimal(10, 0));
  EXPECT_EQ(DecimalTypeForInteger(DataType::BigInt()), Decimal(19, 0));
  EXPECT_EQ(DecimalTypeForInteger(Decimal(7, 2)), Decimal(7, 2));
}

TEST(TypeCoercionTest, IntegerLiteralsTakeTheSmallestFittingType) {
  EXPECT_EQ(TypeOrError(IntegerLiteralType("0")), "INTEGER");
  EXPECT_EQ(TypeOrError(IntegerLiteralType("123")), "INTEGER");
  EXPECT_EQ(TypeOrError(IntegerLiteralType("2147483647")), "INTEGER");
  EXPECT_EQ(TypeOrError(IntegerLiteralType("0002147483647")), "INTEGER");
  EXPECT_EQ(TypeOrError(IntegerLiteralType("2147483648")), "BIGINT");
  EXPECT_EQ(TypeOrError(IntegerLiteralType("9223372036854775807")), "BIGINT");
  EXPECT_EQ(TypeOrError(IntegerLiteralType("9223372036854775808")), "DECIMAL(19,0)");
  EXPECT_EQ(TypeOrError(IntegerLiteralType(std::string(38, '9'))), "DECIMAL(38,0)");
}

TEST(TypeCoercionTest, IntegerLiteralErrors) {
  Result<DataType> too_long = IntegerLiteralType("1" + std::string(38, '0'));
  ASSERT_FALSE(too_long.ok());
  EXPECT_EQ(too_long.status().code(), ErrorCode::kNumericOverflow);
  EXPECT_EQ(IntegerLiteralType("").status().code(), ErrorCode::kInvalidLiteral);
  EXPECT_EQ(IntegerLiteralType("12a").status().code(), ErrorCode::kInvalidLiteral);
  EXPECT_EQ(IntegerLiteralType("-1").status().code(), ErrorCode::kInvalidLiteral);
}

TEST(TypeCoercionTest, DecimalLiteralsKeepExactlyTheirDigits) {
  EXPECT_EQ(TypeOrError(DecimalLiteralType("0.908")), "DECIMAL(4,3)");
  EXPECT_EQ(TypeOrError(DecimalLiteralType("12.5")), "DECIMAL(3,1)");
  EXPECT_EQ(TypeOrError(DecimalLiteralType("1.50")), "DECIMAL(3,2)");
  EXPECT_EQ(TypeOrError(DecimalLiteralType(".5")), "DECIMAL(2,1)");
  EXPECT_EQ(TypeOrError(DecimalLiteralType("12.")), "DECIMAL(2,0)");
  EXPECT_EQ(TypeOrError(DecimalLiteralType("007.25")), "DECIMAL(3,2)");
  EXPECT_EQ(TypeOrError(DecimalLiteralType("0.0")), "DECIMAL(2,1)");
  EXPECT_EQ(TypeOrError(DecimalLiteralType("1e3")), "DECIMAL(4,0)");
  EXPECT_EQ(TypeOrError(DecimalLiteralType("1.5E-2")), "DECIMAL(4,3)");
  EXPECT_EQ(TypeOrError(DecimalLiteralType("2.5e+1")), "DECIMAL(2,0)");
  EXPECT_EQ(TypeOrError(DecimalLiteralType("1.25e1")), "DECIMAL(3,1)");
}

TEST(TypeCoercionTest, DecimalLiteralsBeyondPrecision38AreDoubles) {
  EXPECT_EQ(TypeOrError(DecimalLiteralType("1e-50")), "DOUBLE");
  EXPECT_EQ(TypeOrError(DecimalLiteralType("6.02e40")), "DOUBLE");
  EXPECT_EQ(TypeOrError(DecimalLiteralType("0." + std::string(40, '1'))), "DOUBLE");
  EXPECT_EQ(TypeOrError(DecimalLiteralType("0." + std::string(37, '1'))), "DECIMAL(38,37)");
}

TEST(TypeCoercionTest, DecimalLiteralErrors) {
  EXPECT_EQ(DecimalLiteralType("1e400").status().code(), ErrorCode::kNumericOverflow);
  EXPECT_EQ(DecimalLiteralType("").status().code(), ErrorCode::kInvalidLiteral);
  EXPECT_EQ(DecimalLiteralType(".").status().code(), ErrorCode::kInvalidLiteral);
  EXPECT_EQ(DecimalLiteralType("1e").status().code(), ErrorCode::kInvalidLiteral);
  EXPECT_EQ(DecimalLiteralType("1.2.3").status().code(), ErrorCode::kInvalidLiteral);
  EXPECT_EQ(DecimalLiteralType("abc").status().code(), ErrorCode::kInvalidLiteral);
}

}  // namespace
}  // namespace laminar::functions
