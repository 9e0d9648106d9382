#include "functions/scalar_kernels.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

namespace laminar::functions {
namespace {

constexpr int64_t kInt64Min = std::numeric_limits<int64_t>::min();
constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();

TEST(ScalarKernelsTest, AbsReportsTheIntegerWithoutAPositiveCounterpart) {
  int64_t out;
  EXPECT_EQ(AbsOp{}.Call(kInt64Min, &out), kKernelOverflow);
  EXPECT_EQ(AbsOp{}.Call(kInt64Min + 1, &out), kKernelOk);
  EXPECT_EQ(out, kInt64Max);
  int16_t small;
  EXPECT_EQ(AbsOp{}.Call(int16_t{-32768}, &small), kKernelOverflow);
  Decimal128 decimal;
  EXPECT_EQ(AbsOp{}.Call(Decimal128{-5}, &decimal), kKernelOk);
  EXPECT_EQ(decimal, 5);
  double real;
  EXPECT_EQ(AbsOp{}.Call(-0.0, &real), kKernelOk);
  EXPECT_FALSE(std::signbit(real));
}

TEST(ScalarKernelsTest, DecimalDivideRoundingModes) {
  EXPECT_EQ(DecimalDivideRounding(25, 10, Rounding::kHalfAwayFromZero), 3);
  EXPECT_EQ(DecimalDivideRounding(-25, 10, Rounding::kHalfAwayFromZero), -3);
  EXPECT_EQ(DecimalDivideRounding(24, 10, Rounding::kHalfAwayFromZero), 2);
  EXPECT_EQ(DecimalDivideRounding(-21, 10, Rounding::kFloor), -3);
  EXPECT_EQ(DecimalDivideRounding(21, 10, Rounding::kFloor), 2);
  EXPECT_EQ(DecimalDivideRounding(-21, 10, Rounding::kCeil), -2);
  EXPECT_EQ(DecimalDivideRounding(21, 10, Rounding::kCeil), 3);
  EXPECT_EQ(DecimalDivideRounding(-29, 10, Rounding::kTruncate), -2);
  EXPECT_EQ(DecimalDivideRounding(-30, 10, Rounding::kFloor), -3);
}

TEST(ScalarKernelsTest, DecimalRoundDigitsAtTheEdgesOfPrecision) {
  Decimal128 limit = DecimalPowerOfTenTable(38);
  Decimal128 nines = limit - 1;  // 38 nines at scale 0.
  DecimalRoundDigitsOp round{0, limit, Rounding::kHalfAwayFromZero};
  Decimal128 out;
  EXPECT_EQ(round.Call(nines, -1, &out), kKernelOverflow);  // Would need 39 digits.
  EXPECT_EQ(round.Call(nines, -40, &out), kKernelOk);       // Everything cleared.
  EXPECT_EQ(out, 0);
  EXPECT_EQ(round.Call(nines, std::numeric_limits<int32_t>::min(), &out), kKernelOk);
  EXPECT_EQ(out, 0);
  EXPECT_EQ(round.Call(nines, std::numeric_limits<int32_t>::max(), &out), kKernelOk);
  EXPECT_EQ(out, nines);
  DecimalRoundDigitsOp trunc{2, DecimalPowerOfTenTable(5), Rounding::kTruncate};
  EXPECT_EQ(trunc.Call(-12399, 1, &out), kKernelOk);  // -123.99 -> -123.90.
  EXPECT_EQ(out, -12390);
}

TEST(ScalarKernelsTest, FloatRoundDigitsHandlesExtremes) {
  FloatRoundDigitsOp round{Rounding::kHalfAwayFromZero};
  double out;
  EXPECT_EQ(round.Call(1e308, 5, &out), kKernelOk);
  EXPECT_EQ(out, 1e308);
  EXPECT_EQ(round.Call(1.7e308, -308, &out), kKernelOverflow);
  EXPECT_EQ(round.Call(5.5, -320, &out), kKernelOk);
  EXPECT_EQ(out, 0.0);
  EXPECT_EQ(round.Call(5.5, 320, &out), kKernelOk);
  EXPECT_EQ(out, 5.5);
  EXPECT_EQ(round.Call(-5.5, -400, &out), kKernelOk);
  EXPECT_EQ(out, 0.0);
  EXPECT_TRUE(std::signbit(out));
  EXPECT_EQ(round.Call(std::nan(""), 2, &out), kKernelOk);
  EXPECT_TRUE(std::isnan(out));
  EXPECT_EQ(round.Call(2.5, 0, &out), kKernelOk);
  EXPECT_EQ(out, 3.0);
}

TEST(ScalarKernelsTest, MathDomains) {
  double out;
  EXPECT_EQ((MathOp{MathFunction::kSqrt}.Call(-1, &out)), kKernelInvalidInput);
  EXPECT_EQ((MathOp{MathFunction::kSqrt}.Call(-0.0, &out)), kKernelOk);
  EXPECT_EQ((MathOp{MathFunction::kLn}.Call(0, &out)), kKernelInvalidInput);
  EXPECT_EQ((MathOp{MathFunction::kLn}.Call(std::nan(""), &out)), kKernelOk);
  EXPECT_EQ((MathOp{MathFunction::kExp}.Call(-std::numeric_limits<double>::infinity(), &out)),
            kKernelOk);
  EXPECT_EQ(out, 0.0);
  EXPECT_EQ((MathOp{MathFunction::kExp}.Call(710, &out)), kKernelOverflow);
  EXPECT_EQ(PowerOp{}.Call(0, -1, &out), kKernelInvalidInput);
  EXPECT_EQ(PowerOp{}.Call(-8, 1.0 / 3, &out), kKernelInvalidInput);
  EXPECT_EQ(PowerOp{}.Call(-2, 3, &out), kKernelOk);
  EXPECT_EQ(out, -8);
  EXPECT_EQ(PowerOp{}.Call(10, -400, &out), kKernelOverflow);  // Underflow.
  EXPECT_EQ(PowerOp{}.Call(std::numeric_limits<double>::infinity(), 2, &out), kKernelOk);
  EXPECT_EQ(LogBaseOp{}.Call(1, 5, &out), kKernelDivisionByZero);
  EXPECT_EQ(LogBaseOp{}.Call(-2, 5, &out), kKernelInvalidInput);
}

TEST(ScalarKernelsTest, IntervalMultiplyCascadesLikePostgres) {
  Interval out;
  EXPECT_EQ(IntervalMultiplyOp{}.Call(Interval{1, 0, 0}, 1.5, &out), kKernelOk);
  EXPECT_EQ(out, (Interval{1, 15, 0}));
  EXPECT_EQ(IntervalMultiplyOp{}.Call(Interval{0, 1, 0}, 1.5, &out), kKernelOk);
  EXPECT_EQ(out, (Interval{0, 1, 12 * kMicrosPerHour}));
  EXPECT_EQ(IntervalMultiplyOp{true}.Call(Interval{0, 0, kMicrosPerHour}, 3, &out), kKernelOk);
  EXPECT_EQ(out, (Interval{0, 0, 20 * kMicrosPerMinute}));
  EXPECT_EQ(IntervalMultiplyOp{true}.Call(Interval{1, 0, 0}, 0, &out), kKernelDivisionByZero);
  EXPECT_EQ(IntervalMultiplyOp{}.Call(Interval{1, 0, 0}, std::nan(""), &out), kKernelOverflow);
  EXPECT_EQ(IntervalMultiplyOp{}.Call(Interval{0, 0, kInt64Max}, 2, &out), kKernelOverflow);
  EXPECT_EQ(IntervalMultiplyOp{}.Call(Interval{INT32_MAX, 0, 0}, 2, &out), kKernelOverflow);
}

TEST(ScalarKernelsTest, TemporalFieldsAroundTheEpochAndBeforeYearOne) {
  int64_t out;
  int64_t before_epoch = -1;  // 1969-12-31 23:59:59.999999.
  EXPECT_EQ(ExtractFieldOp{TemporalField::kYear}.Call(before_epoch, &out), kKernelOk);
  EXPECT_EQ(out, 1969);
  ExtractFieldOp{TemporalField::kEpoch}.Call(before_epoch, &out);
  EXPECT_EQ(out, -1);
  ExtractFieldOp{TemporalField::kMicrosecond}.Call(before_epoch, &out);
  EXPECT_EQ(out, 59'999'999);
  // 0001-01-01 is a Monday; year 0 (1 BC) is the 1st century BC and decade 0.
  int64_t year_one = DaysFromCivil(1, 1, 1) * kMicrosPerDay;
  ExtractFieldOp{TemporalField::kIsoDayOfWeek}.Call(year_one, &out);
  EXPECT_EQ(out, 1);
  ExtractFieldOp{TemporalField::kCentury}.Call(year_one, &out);
  EXPECT_EQ(out, 1);
  int64_t one_bc = DaysFromCivil(0, 6, 1) * kMicrosPerDay;
  ExtractFieldOp{TemporalField::kYear}.Call(one_bc, &out);
  EXPECT_EQ(out, -1);
  ExtractFieldOp{TemporalField::kCentury}.Call(one_bc, &out);
  EXPECT_EQ(out, -1);
  ExtractFieldOp{TemporalField::kMillennium}.Call(one_bc, &out);
  EXPECT_EQ(out, -1);
  // Every int64_t is a valid input.
  for (int64_t micros : {kInt64Min, kInt64Max}) {
    for (int field = 0; field <= static_cast<int>(TemporalField::kTimezone); ++field) {
      if (field == static_cast<int>(TemporalField::kMillisecond)) continue;
      ExtractFieldOp{static_cast<TemporalField>(field)}.Call(micros, &out);
    }
  }
}

TEST(ScalarKernelsTest, DateTruncNearTheEndsOfTheRangeOverflowsInsteadOfWrapping) {
  int64_t out;
  EXPECT_EQ(DateTruncOp{TemporalField::kYear}.Call(kInt64Min, &out), kKernelOverflow);
  EXPECT_EQ(DateTruncOp{TemporalField::kWeek}.Call(kInt64Min, &out), kKernelOverflow);
  EXPECT_EQ(DateTruncOp{TemporalField::kHour}.Call(kInt64Min, &out), kKernelOverflow);
  EXPECT_EQ(DateTruncOp{TemporalField::kMicrosecond}.Call(kInt64Min, &out), kKernelOk);
  EXPECT_EQ(DateTruncOp{TemporalField::kHour}.Call(kInt64Max, &out), kKernelOk);
  EXPECT_EQ(DateTruncOp{TemporalField::kYear}.Call(kInt64Max, &out), kKernelOk);
}

TEST(ScalarKernelsTest, TemporalFieldNames) {
  EXPECT_EQ(ParseTemporalField("HOURS"), TemporalField::kHour);
  EXPECT_EQ(ParseTemporalField("dayofweek"), TemporalField::kDayOfWeek);
  EXPECT_EQ(ParseTemporalField("timezone_minute"), TemporalField::kTimezone);
  EXPECT_FALSE(ParseTemporalField("fortnight").has_value());
  EXPECT_FALSE(ParseTemporalField("a very long unit name").has_value());
  EXPECT_EQ(TemporalFieldName(TemporalField::kIsoDayOfWeek), "isodow");
}

TEST(ScalarKernelsTest, IntervalEpochCountsYearsAsPostgresDoes) {
  EXPECT_EQ(IntervalEpochMicros(Interval{12, 0, 0}), __int128{31'557'600} * kMicrosPerSecond);
  EXPECT_EQ(IntervalEpochMicros(Interval{1, 1, 1}), 31 * kMicrosPerDay + 1);
  Decimal128 out;
  ExtractIntervalDecimalFieldOp{TemporalField::kEpoch}.Call(
      Interval{INT32_MAX, INT32_MAX, kInt64Max}, &out);
  EXPECT_LT(out, DecimalPowerOfTenTable(24));  // Fits DECIMAL(24,6).
}

TEST(ScalarKernelsTest, EpochSecondsToTimestamp) {
  int64_t out;
  EXPECT_EQ(EpochSecondsToTimestampOp{}.Call(-1.25, &out), kKernelOk);
  EXPECT_EQ(out, -1'250'000);
  EXPECT_EQ(EpochSecondsToTimestampOp{}.Call(std::nan(""), &out), kKernelInvalidInput);
  EXPECT_EQ(EpochSecondsToTimestampOp{}.Call(1e12, &out), kKernelOk);
  EXPECT_EQ(EpochSecondsToTimestampOp{}.Call(1e13, &out), kKernelOverflow);
}

TEST(ScalarKernelsTest, Utf8StringFunctions) {
  std::string scratch;
  EXPECT_EQ(Utf8Reverse("añb€", &scratch), "€bña");
  EXPECT_EQ(Utf8Reverse("", &scratch), "");
  EXPECT_EQ(TrimCharacters("xxabcxx", "x", true, true), "abc");
  EXPECT_EQ(TrimCharacters("€a€", "€", true, false), "a€");
  EXPECT_EQ(TrimCharacters("€a€", "€", false, true), "€a");
  EXPECT_EQ(TrimCharacters("ééé", "é", true, true), "");
  EXPECT_EQ(TrimCharacters("abc", "", true, true), "abc");
  EXPECT_EQ(ReplaceAll("aaa", "aa", "b", &scratch), "ba");
  EXPECT_EQ(ReplaceAll("abc", "", "x", &scratch), "abc");
  EXPECT_EQ(Utf8Position("a€b€", "b"), 3);
  EXPECT_EQ(Utf8Position("abc", "d"), 0);
  EXPECT_EQ(Utf8Left("a€bc", 2), "a€");
  EXPECT_EQ(Utf8Left("abc", kInt64Min), "");
  EXPECT_EQ(Utf8Left("abc", kInt64Max), "abc");
  EXPECT_EQ(Utf8Right("a€bc", 3), "€bc");
  EXPECT_EQ(Utf8Right("abc", kInt64Min), "");
  EXPECT_EQ(Utf8Right("abc", -1), "bc");
}

TEST(ScalarKernelsTest, PadBuildsExactlyTheRequestedLength) {
  std::string scratch;
  std::string_view out;
  ASSERT_TRUE(Utf8Pad("ab", 7, "€x", true, &scratch, &out));
  EXPECT_EQ(out, "€x€x€ab");
  ASSERT_TRUE(Utf8Pad("ab", 5, "€x", false, &scratch, &out));
  EXPECT_EQ(out, "ab€x€");
  ASSERT_TRUE(Utf8Pad("a€bc", 2, "x", true, &scratch, &out));
  EXPECT_EQ(out, "a€");
  ASSERT_TRUE(Utf8Pad("abc", kInt64Min, "x", true, &scratch, &out));
  EXPECT_EQ(out, "");
  EXPECT_FALSE(Utf8Pad("abc", kInt64Max, "x", true, &scratch, &out));
  EXPECT_FALSE(Utf8Pad("", kMaxPaddedBytes + 1, "x", true, &scratch, &out));
}

}  // namespace
}  // namespace laminar::functions
