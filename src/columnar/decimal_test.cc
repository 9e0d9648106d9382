#include "columnar/decimal.h"

#include <gtest/gtest.h>

#include <string>

namespace laminar {
namespace {

// GoogleTest cannot print __int128, so values are compared through their text.
std::string Text(Decimal128 value) { return FormatDecimal(value, 0); }

// The parsed unscaled value as text, or the error.
std::string Parsed(std::string_view text, int precision, int scale) {
  Result<Decimal128> value = ParseDecimal(text, precision, scale);
  if (!value.ok()) return value.status().ToString();
  return FormatDecimal(*value, scale);
}

std::string Rescaled(Decimal128 value, int from_scale, int to_scale, int to_precision) {
  Result<Decimal128> result = RescaleDecimal(value, from_scale, to_scale, to_precision);
  if (!result.ok()) return result.status().ToString();
  return FormatDecimal(*result, to_scale);
}

// 10^38 - 1 and its negation: the extremes of DECIMAL(38, s).
Decimal128 MaxPrecision38() { return PowerOfTen(38) - 1; }

constexpr std::string_view kThirtyEightNines = "99999999999999999999999999999999999999";

Decimal128 Int128Max() { return static_cast<Decimal128>(~static_cast<unsigned __int128>(0) >> 1); }
Decimal128 Int128Min() { return -Int128Max() - 1; }

TEST(DecimalTest, PowersOfTenCoverThePrecisionRange) {
  EXPECT_EQ(Text(PowerOfTen(0)), "1");
  EXPECT_EQ(Text(PowerOfTen(1)), "10");
  EXPECT_EQ(Text(PowerOfTen(19)), "10000000000000000000");
  EXPECT_EQ(Text(PowerOfTen(38)), "1" + std::string(38, '0'));
}

TEST(DecimalTest, FitsPrecisionComparesDigitCount) {
  EXPECT_TRUE(DecimalFitsPrecision(0, 1));
  EXPECT_TRUE(DecimalFitsPrecision(9, 1));
  EXPECT_TRUE(DecimalFitsPrecision(-9, 1));
  EXPECT_FALSE(DecimalFitsPrecision(10, 1));
  EXPECT_FALSE(DecimalFitsPrecision(-10, 1));
  EXPECT_TRUE(DecimalFitsPrecision(MaxPrecision38(), 38));
  EXPECT_TRUE(DecimalFitsPrecision(-MaxPrecision38(), 38));
  EXPECT_FALSE(DecimalFitsPrecision(PowerOfTen(38), 38));
  EXPECT_FALSE(DecimalFitsPrecision(Int128Min(), 38));
  EXPECT_FALSE(DecimalFitsPrecision(Int128Max(), 38));
}

TEST(DecimalTest, FormatsWithScale) {
  EXPECT_EQ(FormatDecimal(-12345, 2), "-123.45");
  EXPECT_EQ(FormatDecimal(5, 2), "0.05");
  EXPECT_EQ(FormatDecimal(-5, 2), "-0.05");
  EXPECT_EQ(FormatDecimal(100, 0), "100");
  EXPECT_EQ(FormatDecimal(150, 2), "1.50");
  EXPECT_EQ(FormatDecimal(0, 0), "0");
  EXPECT_EQ(FormatDecimal(0, 3), "0.000");
  EXPECT_EQ(FormatDecimal(1, 38), "0." + std::string(37, '0') + "1");
}

TEST(DecimalTest, FormatsFullPrecisionExtremes) {
  EXPECT_EQ(FormatDecimal(MaxPrecision38(), 0), kThirtyEightNines);
  EXPECT_EQ(FormatDecimal(-MaxPrecision38(), 0), "-" + std::string(kThirtyEightNines));
  EXPECT_EQ(FormatDecimal(MaxPrecision38(), 38), "0." + std::string(kThirtyEightNines));
  EXPECT_EQ(FormatDecimal(-MaxPrecision38(), 10), "-9999999999999999999999999999.9999999999");
  // Values wider than 38 digits still format (they cannot come from a valid DECIMAL column).
  EXPECT_EQ(FormatDecimal(Int128Max(), 0), "170141183460469231731687303715884105727");
  EXPECT_EQ(FormatDecimal(Int128Min(), 0), "-170141183460469231731687303715884105728");
  EXPECT_EQ(FormatDecimal(Int128Min(), 38), "-1.70141183460469231731687303715884105728");
}

TEST(DecimalTest, FormatsAcrossTheSixtyFourBitChunkBoundary) {
  const Decimal128 ten_to_19 = PowerOfTen(19);
  EXPECT_EQ(Text(ten_to_19 - 1), "9999999999999999999");
  EXPECT_EQ(Text(ten_to_19 + 1), "10000000000000000001");
  EXPECT_EQ(Text(ten_to_19 * 7 + 42), "70000000000000000042");
}

TEST(DecimalTest, ParsesPlainNumbers) {
  EXPECT_EQ(Parsed("-12.5", 5, 2), "-12.50");
  EXPECT_EQ(Parsed("+3", 5, 2), "3.00");
  EXPECT_EQ(Parsed(".5", 5, 2), "0.50");
  EXPECT_EQ(Parsed("5.", 5, 2), "5.00");
  EXPECT_EQ(Parsed("  42  ", 5, 0), "42");
  EXPECT_EQ(Parsed("000123.4500", 5, 2), "123.45");
  EXPECT_EQ(Parsed("-0", 5, 2), "0.00");
  EXPECT_EQ(Parsed("0.000", 1, 0), "0");
}

TEST(DecimalTest, ParsesExponents) {
  EXPECT_EQ(Parsed("1e3", 10, 0), "1000");
  EXPECT_EQ(Parsed("1.5E-2", 10, 3), "0.015");
  EXPECT_EQ(Parsed("-2.5e+1", 10, 1), "-25.0");
  EXPECT_EQ(Parsed("123e-5", 10, 2), "0.00");
  EXPECT_EQ(Parsed("1e-999999999999", 10, 2), "0.00");
  EXPECT_EQ(Parsed("0e999999999999", 10, 2), "0.00");
}

TEST(DecimalTest, RoundsExtraDigitsHalfAwayFromZero) {
  EXPECT_EQ(Parsed("0.125", 5, 2), "0.13");
  EXPECT_EQ(Parsed("-0.125", 5, 2), "-0.13");
  EXPECT_EQ(Parsed("0.124999", 5, 2), "0.12");
  EXPECT_EQ(Parsed("2.5", 5, 0), "3");
  EXPECT_EQ(Parsed("-2.5", 5, 0), "-3");
  EXPECT_EQ(Parsed("0.5", 5, 0), "1");
  EXPECT_EQ(Parsed("0.05", 5, 0), "0");
  EXPECT_EQ(Parsed("0.0049", 5, 2), "0.00");
  EXPECT_EQ(Parsed("9.995", 4, 2), "10.00");
}

TEST(DecimalTest, ParsesFullPrecisionExtremes) {
  Result<Decimal128> max = ParseDecimal(kThirtyEightNines, 38, 0);
  ASSERT_TRUE(max.ok()) << max.status();
  EXPECT_TRUE(*max == MaxPrecision38());
  Result<Decimal128> min = ParseDecimal("-" + std::string(kThirtyEightNines), 38, 0);
  ASSERT_TRUE(min.ok()) << min.status();
  EXPECT_TRUE(*min == -MaxPrecision38());
  EXPECT_EQ(Parsed("0." + std::string(kThirtyEightNines), 38, 38),
            "0." + std::string(kThirtyEightNines));
  EXPECT_EQ(Parsed("1e37", 38, 0), "1" + std::string(37, '0'));
}

TEST(DecimalTest, FormatThenParseRoundTrips) {
  const struct {
    Decimal128 value;
    int precision;
    int scale;
  } kCases[] = {
      {-12345, 5, 2},
      {5, 3, 2},
      {100, 3, 0},
      {0, 1, 0},
      {0, 10, 4},
      {MaxPrecision38(), 38, 0},
      {-MaxPrecision38(), 38, 38},
      {-MaxPrecision38(), 38, 17},
      {PowerOfTen(37), 38, 5},
  };
  for (const auto& test_case : kCases) {
    const std::string text = FormatDecimal(test_case.value, test_case.scale);
    Result<Decimal128> parsed = ParseDecimal(text, test_case.precision, test_case.scale);
    ASSERT_TRUE(parsed.ok()) << text << ": " << parsed.status();
    EXPECT_TRUE(*parsed == test_case.value) << text;
    EXPECT_EQ(FormatDecimal(*parsed, test_case.scale), text);
  }
}

TEST(DecimalTest, RejectsMalformedText) {
  for (const char* text : {"", " ", "abc", "-", "+", ".", "-.", "1.2.3", "1e", "1e+", "e5", "1 2",
                           "12a", "--1", "NaN", "Infinity", "0x10", "1,5"}) {
    EXPECT_EQ(ParseDecimal(text, 10, 2).status().code(), ErrorCode::kInvalidLiteral) << text;
  }
  EXPECT_EQ(ParseDecimal("abc", 10, 2).status().message(),
            "invalid DECIMAL literal 'abc': expected a number such as -12.5, .5 or 1e3");
}

TEST(DecimalTest, RejectsValuesThatNeedMoreDigitsThanThePrecision) {
  EXPECT_EQ(ParseDecimal("1000", 5, 2).status().code(), ErrorCode::kNumericOverflow);
  EXPECT_EQ(ParseDecimal("-1000", 5, 2).status().code(), ErrorCode::kNumericOverflow);
  EXPECT_EQ(ParseDecimal("999.995", 5, 2).status().code(), ErrorCode::kNumericOverflow);
  EXPECT_EQ(ParseDecimal("1" + std::string(38, '0'), 38, 0).status().code(),
            ErrorCode::kNumericOverflow);
  EXPECT_EQ(ParseDecimal("1e38", 38, 0).status().code(), ErrorCode::kNumericOverflow);
  EXPECT_EQ(ParseDecimal("1e999999999999", 38, 0).status().code(), ErrorCode::kNumericOverflow);
  EXPECT_EQ(ParseDecimal(std::string(1000, '9'), 38, 0).status().code(),
            ErrorCode::kNumericOverflow);
  EXPECT_EQ(ParseDecimal("1", 2, 2).status().code(), ErrorCode::kNumericOverflow);
}

TEST(DecimalTest, RejectsInvalidPrecisionOrScale) {
  EXPECT_EQ(ParseDecimal("1", 0, 0).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(ParseDecimal("1", 39, 0).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(ParseDecimal("1", 10, -1).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(ParseDecimal("1", 10, 39).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(RescaleDecimal(1, -1, 0, 10).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(RescaleDecimal(1, 0, 39, 38).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(RescaleDecimal(1, 0, 0, 0).status().code(), ErrorCode::kInvalidArgument);
}

TEST(DecimalTest, RescaleUpMultipliesAndChecksPrecision) {
  EXPECT_EQ(Rescaled(12345, 2, 4, 10), "123.4500");
  EXPECT_EQ(Rescaled(-5, 0, 3, 4), "-5.000");
  EXPECT_EQ(Rescaled(1, 0, 37, 38), "1." + std::string(37, '0'));
  EXPECT_EQ(RescaleDecimal(12345, 2, 4, 6).status().code(), ErrorCode::kNumericOverflow);
  EXPECT_EQ(RescaleDecimal(MaxPrecision38(), 0, 1, 38).status().code(),
            ErrorCode::kNumericOverflow);
  // The multiplication itself would overflow 128 bits.
  EXPECT_EQ(RescaleDecimal(Int128Max(), 0, 38, 38).status().code(), ErrorCode::kNumericOverflow);
  EXPECT_EQ(RescaleDecimal(Int128Min(), 0, 1, 38).status().code(), ErrorCode::kNumericOverflow);
}

TEST(DecimalTest, RescaleDownRoundsHalfAwayFromZero) {
  EXPECT_EQ(Rescaled(125, 2, 1, 5), "1.3");
  EXPECT_EQ(Rescaled(-125, 2, 1, 5), "-1.3");
  EXPECT_EQ(Rescaled(124, 2, 1, 5), "1.2");
  EXPECT_EQ(Rescaled(-124, 2, 1, 5), "-1.2");
  EXPECT_EQ(Rescaled(12345, 2, 0, 5), "123");
  EXPECT_EQ(Rescaled(99950, 3, 1, 4), "100.0");  // 99.950 rounds up to 100.0.
  EXPECT_EQ(RescaleDecimal(99950, 3, 1, 3).status().code(), ErrorCode::kNumericOverflow);
  EXPECT_EQ(Rescaled(MaxPrecision38(), 38, 0, 1), "1");
  EXPECT_EQ(Rescaled(-MaxPrecision38(), 38, 0, 1), "-1");
  EXPECT_EQ(Rescaled(PowerOfTen(37) * 5 - 1, 38, 0, 1), "0");
  EXPECT_EQ(Rescaled(Int128Min(), 38, 0, 1), "-2");
  EXPECT_EQ(Rescaled(Int128Max(), 38, 0, 1), "2");
  EXPECT_EQ(Rescaled(Int128Min(), 1, 0, 38), "-17014118346046923173168730371588410573");
}

TEST(DecimalTest, RescaleToSameScaleOnlyChecksPrecision) {
  EXPECT_EQ(Rescaled(12345, 2, 2, 5), "123.45");
  EXPECT_EQ(RescaleDecimal(12345, 2, 2, 4).status().code(), ErrorCode::kNumericOverflow);
  EXPECT_EQ(RescaleDecimal(Int128Min(), 0, 0, 38).status().code(), ErrorCode::kNumericOverflow);
}

}  // namespace
}  // namespace laminar
