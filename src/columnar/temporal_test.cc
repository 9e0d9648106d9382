#include "columnar/temporal.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

// Expected strings were checked against PostgreSQL 15 (DateStyle ISO, IntervalStyle postgres,
// TimeZone UTC).

namespace laminar {
namespace {

constexpr int64_t kInt64Min = std::numeric_limits<int64_t>::min();
constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();

int64_t Micros(int64_t seconds, int64_t micros = 0) { return seconds * 1'000'000 + micros; }

Interval MakeInterval(int32_t months, int32_t days, int64_t micros) {
  return Interval{months, days, micros};
}

std::string ParseAndFormatInterval(std::string_view text) {
  Result<Interval> interval = ParseInterval(text);
  if (!interval.ok()) return interval.status().ToString();
  return FormatInterval(*interval);
}

std::string QualifiedInterval(std::string_view amount, std::string_view unit) {
  Result<Interval> interval = IntervalFromQualifier(amount, unit);
  if (!interval.ok()) return interval.status().ToString();
  return FormatInterval(*interval);
}

// --- Calendar arithmetic --------------------------------------------------------------------

TEST(TemporalTest, CivilConversionsAgreeOnKnownDates) {
  EXPECT_EQ(DaysFromCivil(1970, 1, 1), 0);
  EXPECT_EQ(DaysFromCivil(2015, 7, 15), 16631);
  EXPECT_EQ(DaysFromCivil(2000, 2, 29), 11016);
  EXPECT_EQ(DaysFromCivil(1900, 3, 1), -25508);
  EXPECT_EQ(DaysFromCivil(1, 1, 1), -719162);
  EXPECT_EQ(DaysFromCivil(0, 12, 31), -719163);  // 0001-12-31 BC.
}

TEST(TemporalTest, CivilConversionsRoundTripAcrossFourHundredYearsAndTheEpoch) {
  // Every day from 1800 through 2200 (a full Gregorian cycle with all leap-year rules).
  int64_t expected_days = DaysFromCivil(1800, 1, 1);
  for (int64_t year = 1800; year <= 2200; ++year) {
    for (unsigned month = 1; month <= 12; ++month) {
      for (unsigned day = 1; day <= DaysInMonth(year, month); ++day) {
        ASSERT_EQ(DaysFromCivil(year, month, day), expected_days);
        int64_t back_year = 0;
        unsigned back_month = 0;
        unsigned back_day = 0;
        CivilFromDays(expected_days, &back_year, &back_month, &back_day);
        ASSERT_EQ(back_year, year);
        ASSERT_EQ(back_month, month);
        ASSERT_EQ(back_day, day);
        ++expected_days;
      }
    }
  }
}

TEST(TemporalTest, LeapYearsFollowGregorianRules) {
  EXPECT_TRUE(IsLeapYear(2000));
  EXPECT_TRUE(IsLeapYear(2024));
  EXPECT_FALSE(IsLeapYear(1900));
  EXPECT_FALSE(IsLeapYear(2023));
  EXPECT_TRUE(IsLeapYear(0));   // 1 BC.
  EXPECT_TRUE(IsLeapYear(-4));  // 5 BC.
  EXPECT_EQ(DaysInMonth(2024, 2), 29u);
  EXPECT_EQ(DaysInMonth(2100, 2), 28u);
  EXPECT_EQ(DaysInMonth(2023, 4), 30u);
  EXPECT_EQ(DaysInMonth(2023, 13), 0u);
}

TEST(TemporalTest, CivilConversionsAreDefinedAtInt64Extremes) {
  int64_t year = 0;
  unsigned month = 0;
  unsigned day = 0;
  CivilFromDays(kInt64Max, &year, &month, &day);
  EXPECT_GT(year, int64_t{25'000'000'000'000'000});
  EXPECT_TRUE(month >= 1 && month <= 12 && day >= 1 && day <= 31);
  CivilFromDays(kInt64Min, &year, &month, &day);
  EXPECT_LT(year, int64_t{-25'000'000'000'000'000});
  EXPECT_TRUE(month >= 1 && month <= 12 && day >= 1 && day <= 31);
  // Years whose day count does not fit int64_t saturate instead of overflowing.
  EXPECT_EQ(DaysFromCivil(kInt64Max, 12, 31), kInt64Max);
  EXPECT_EQ(DaysFromCivil(kInt64Min, 1, 1), kInt64Min);
}

// --- DATE -------------------------------------------------------------------------------------

TEST(TemporalTest, FormatsDatesInIsoForm) {
  EXPECT_EQ(FormatDate(0), "1970-01-01");
  EXPECT_EQ(FormatDate(16631), "2015-07-15");
  EXPECT_EQ(FormatDate(-1), "1969-12-31");
  EXPECT_EQ(FormatDate(11016), "2000-02-29");
  EXPECT_EQ(FormatDate(-719162), "0001-01-01");
  EXPECT_EQ(FormatDate(2932897), "10000-01-01");
}

TEST(TemporalTest, FormatsDatesBeforeYearOneWithBcSuffix) {
  EXPECT_EQ(FormatDate(-719163), "0001-12-31 BC");
  EXPECT_EQ(FormatDate(-719528), "0001-01-01 BC");
  EXPECT_EQ(FormatDate(-719529), "0002-12-31 BC");
}

TEST(TemporalTest, FormatsExtremeDates) {
  EXPECT_EQ(FormatDate(std::numeric_limits<int32_t>::max()), "5881580-07-11");
  EXPECT_EQ(FormatDate(std::numeric_limits<int32_t>::min()), "5877642-06-23 BC");
}

TEST(TemporalTest, ParsesDates) {
  EXPECT_EQ(*ParseDate("2015-07-15"), 16631);
  EXPECT_EQ(*ParseDate("  2015-7-5 "), DaysFromCivil(2015, 7, 5));
  EXPECT_EQ(*ParseDate("2000-02-29"), 11016);
  EXPECT_EQ(*ParseDate("0001-12-31 BC"), -719163);
  EXPECT_EQ(*ParseDate("0001-12-31 bc"), -719163);
}

TEST(TemporalTest, DateRoundTripsThroughText) {
  for (const char* text :
       {"1970-01-01", "1969-12-31", "2015-07-15", "2000-02-29", "1900-02-28", "0001-01-01",
        "0001-12-31 BC", "4713-01-01 BC", "10000-01-01", "5881580-07-11", "5877642-06-23 BC"}) {
    Result<int32_t> days = ParseDate(text);
    ASSERT_TRUE(days.ok()) << text << ": " << days.status();
    EXPECT_EQ(FormatDate(*days), text);
  }
}

TEST(TemporalTest, RejectsImpossibleDates) {
  Result<int32_t> bad_month = ParseDate("2015-13-01");
  ASSERT_EQ(bad_month.status().code(), ErrorCode::kInvalidLiteral);
  EXPECT_EQ(bad_month.status().message(), "invalid DATE literal '2015-13-01': month must be 1..12");
  EXPECT_EQ(ParseDate("2015-00-10").status().code(), ErrorCode::kInvalidLiteral);
  EXPECT_EQ(ParseDate("2015-02-29").status().code(), ErrorCode::kInvalidLiteral);
  EXPECT_EQ(ParseDate("1900-02-29").status().code(), ErrorCode::kInvalidLiteral);
  EXPECT_EQ(ParseDate("2015-04-31").status().code(), ErrorCode::kInvalidLiteral);
  EXPECT_EQ(ParseDate("2015-04-00").status().code(), ErrorCode::kInvalidLiteral);
  EXPECT_EQ(ParseDate("0000-01-01").status().code(), ErrorCode::kInvalidLiteral);
  EXPECT_NE(ParseDate("2015-02-29").status().message().find("day must be 1..28"),
            std::string_view::npos);
}

TEST(TemporalTest, RejectsMalformedDates) {
  for (const char* text :
       {"", "   ", "2015", "15-07-15", "2015/07/15", "2015-07", "2015-07-15x", "2015-07-155",
        "2015-007-15", "2015-07-15 12:00", "-2015-07-15", "2015-07-15 AD", "1234567890-01-01"}) {
    EXPECT_EQ(ParseDate(text).status().code(), ErrorCode::kInvalidLiteral) << text;
  }
}

TEST(TemporalTest, RejectsDatesOutsideInt32Days) {
  EXPECT_EQ(ParseDate("5881580-07-12").status().code(), ErrorCode::kNumericOverflow);
  EXPECT_EQ(ParseDate("5877642-06-22 BC").status().code(), ErrorCode::kNumericOverflow);
  EXPECT_EQ(ParseDate("999999999-01-01").status().code(), ErrorCode::kNumericOverflow);
}

TEST(TemporalTest, CutsVeryLongInputsInErrorMessages) {
  const std::string text = "2015-" + std::string(500, '1');
  Result<int32_t> result = ParseDate(text);
  ASSERT_EQ(result.status().code(), ErrorCode::kInvalidLiteral);
  EXPECT_LT(result.status().message().size(), 200u);
}

// --- TIMESTAMP and TIMESTAMPTZ ----------------------------------------------------------------

TEST(TemporalTest, FormatsTimestampsWithTrimmedFractions) {
  EXPECT_EQ(FormatTimestamp(0), "1970-01-01 00:00:00");
  const int64_t midnight = DaysFromCivil(2015, 7, 15) * kMicrosPerDay;
  EXPECT_EQ(FormatTimestamp(midnight), "2015-07-15 00:00:00");
  EXPECT_EQ(FormatTimestamp(midnight + Micros(5, 100'000)), "2015-07-15 00:00:05.1");
  EXPECT_EQ(FormatTimestamp(midnight + Micros(5, 123'456)), "2015-07-15 00:00:05.123456");
  EXPECT_EQ(FormatTimestamp(midnight + Micros(5, 1)), "2015-07-15 00:00:05.000001");
  EXPECT_EQ(FormatTimestamp(midnight + Micros(3600 * 23 + 60 * 59 + 59)), "2015-07-15 23:59:59");
}

TEST(TemporalTest, FormatsTimestampsBeforeEpochWithFloorSemantics) {
  EXPECT_EQ(FormatTimestamp(-1), "1969-12-31 23:59:59.999999");
  EXPECT_EQ(FormatTimestamp(-kMicrosPerDay), "1969-12-31 00:00:00");
  EXPECT_EQ(FormatTimestamp(-kMicrosPerDay - 1), "1969-12-30 23:59:59.999999");
  EXPECT_EQ(FormatTimestamp(DaysFromCivil(0, 12, 31) * kMicrosPerDay + Micros(86399, 500'000)),
            "0001-12-31 23:59:59.5 BC");
}

TEST(TemporalTest, FormatsInt64ExtremeTimestamps) {
  EXPECT_EQ(FormatTimestamp(kInt64Max), "294247-01-10 04:00:54.775807");
  EXPECT_EQ(FormatTimestamp(kInt64Min), "290309-12-21 19:59:05.224192 BC");
  EXPECT_EQ(FormatTimestampTz(kInt64Max), "294247-01-10 04:00:54.775807+00");
  EXPECT_EQ(FormatTimestampTz(kInt64Min), "290309-12-21 19:59:05.224192+00 BC");
}

TEST(TemporalTest, FormatsTimestampTzWithUtcOffset) {
  EXPECT_EQ(FormatTimestampTz(0), "1970-01-01 00:00:00+00");
  EXPECT_EQ(FormatTimestampTz(Micros(1, 500'000)), "1970-01-01 00:00:01.5+00");
  EXPECT_EQ(FormatTimestampTz(DaysFromCivil(0, 12, 31) * kMicrosPerDay),
            "0001-12-31 00:00:00+00 BC");
}

TEST(TemporalTest, ParsesTimestampForms) {
  const int64_t midnight = DaysFromCivil(2015, 7, 15) * kMicrosPerDay;
  EXPECT_EQ(*ParseTimestamp("2015-07-15"), midnight);
  EXPECT_EQ(*ParseTimestamp("2015-07-15 12:00"), midnight + 12 * kMicrosPerHour);
  EXPECT_EQ(*ParseTimestamp("2015-07-15 12:34:56"), midnight + Micros(45296));
  EXPECT_EQ(*ParseTimestamp("2015-07-15T12:34:56.5"), midnight + Micros(45296, 500'000));
  EXPECT_EQ(*ParseTimestamp("2015-07-15 1:02:03.000001"), midnight + Micros(3723, 1));
  EXPECT_EQ(*ParseTimestamp(" 2015-07-15   12:00:00 "), midnight + 12 * kMicrosPerHour);
  EXPECT_EQ(*ParseTimestamp("1969-12-31 23:59:59.999999"), -1);
}

TEST(TemporalTest, ConvertsUtcOffsetsToUtc) {
  const int64_t noon = DaysFromCivil(2015, 7, 15) * kMicrosPerDay + 12 * kMicrosPerHour;
  EXPECT_EQ(*ParseTimestamp("2015-07-15T12:00:00Z"), noon);
  EXPECT_EQ(*ParseTimestamp("2015-07-15 12:00:00 UTC"), noon);
  EXPECT_EQ(*ParseTimestamp("2015-07-15 12:00:00+00"), noon);
  EXPECT_EQ(*ParseTimestamp("2015-07-15 12:00:00+02"), noon - 2 * kMicrosPerHour);
  EXPECT_EQ(*ParseTimestamp("2015-07-15 12:00:00 -05:30"),
            noon + 5 * kMicrosPerHour + 30 * kMicrosPerMinute);
  EXPECT_EQ(*ParseTimestamp("2015-07-15 12:00:00+0530"),
            noon - 5 * kMicrosPerHour - 30 * kMicrosPerMinute);
  // The offset can move the date.
  EXPECT_EQ(FormatTimestampTz(*ParseTimestamp("2015-07-15 01:00:00+02")), "2015-07-14 23:00:00+00");
}

TEST(TemporalTest, RoundsExtraFractionDigitsToEven) {
  const int64_t base = DaysFromCivil(2000, 1, 1) * kMicrosPerDay;
  EXPECT_EQ(*ParseTimestamp("2000-01-01 00:00:00.1234567"), base + 123'457);
  EXPECT_EQ(*ParseTimestamp("2000-01-01 00:00:00.0000005"), base);
  EXPECT_EQ(*ParseTimestamp("2000-01-01 00:00:00.0000015"), base + 2);
  EXPECT_EQ(*ParseTimestamp("2000-01-01 00:00:00.00000051"), base + 1);
  EXPECT_EQ(*ParseTimestamp("2000-01-01 00:00:59.9999999"), base + Micros(60));
}

TEST(TemporalTest, TimestampRoundTripsThroughText) {
  for (const char* text : {"1970-01-01 00:00:00", "2015-07-15 00:00:05.1",
                           "2015-07-15 00:00:05.123456", "1969-12-31 23:59:59.999999",
                           "2000-02-29 12:30:00", "0001-01-01 00:00:00", "0001-12-31 23:59:59.5 BC",
                           "294247-01-10 04:00:54.775807", "290309-12-21 19:59:05.224192 BC"}) {
    Result<int64_t> micros = ParseTimestamp(text);
    ASSERT_TRUE(micros.ok()) << text << ": " << micros.status();
    EXPECT_EQ(FormatTimestamp(*micros), text);
  }
  for (const char* text :
       {"2015-07-15 10:00:00+00", "0001-12-31 00:00:00+00 BC", "294247-01-10 04:00:54.775807+00"}) {
    Result<int64_t> micros = ParseTimestamp(text);
    ASSERT_TRUE(micros.ok()) << text << ": " << micros.status();
    EXPECT_EQ(FormatTimestampTz(*micros), text);
  }
}

TEST(TemporalTest, RejectsMalformedTimestamps) {
  for (const char* text :
       {"", "2015-07-15 12", "2015-07-15 12:", "2015-07-15 12:3", "2015-07-15 12:00:0",
        "2015-07-15 12:00:00.", "2015-07-15T", "2015-07-15 12:00:00 +", "2015-07-15 12:00:00+2:3",
        "2015-07-15 12:00:00 PST", "2015-07-15 12:00:00 junk", "2015-07-15 123:00:00",
        "2015-07-15 12:00:00+02:00:00", "epoch"}) {
    EXPECT_EQ(ParseTimestamp(text).status().code(), ErrorCode::kInvalidLiteral) << text;
  }
}

TEST(TemporalTest, RejectsOutOfRangeTimeFields) {
  Result<int64_t> bad_hour = ParseTimestamp("2015-07-15 24:00:00");
  ASSERT_EQ(bad_hour.status().code(), ErrorCode::kInvalidLiteral);
  EXPECT_EQ(bad_hour.status().message(),
            "invalid TIMESTAMP literal '2015-07-15 24:00:00': hour must be 0..23");
  EXPECT_EQ(ParseTimestamp("2015-07-15 12:60:00").status().code(), ErrorCode::kInvalidLiteral);
  EXPECT_EQ(ParseTimestamp("2015-07-15 12:00:60").status().code(), ErrorCode::kInvalidLiteral);
  EXPECT_EQ(ParseTimestamp("2015-07-15 12:00:00+16").status().code(), ErrorCode::kInvalidLiteral);
  EXPECT_EQ(ParseTimestamp("2015-02-30 12:00:00").status().code(), ErrorCode::kInvalidLiteral);
}

TEST(TemporalTest, RejectsTimestampsOutsideInt64Micros) {
  EXPECT_EQ(ParseTimestamp("294247-01-10 04:00:54.775808").status().code(),
            ErrorCode::kNumericOverflow);
  EXPECT_EQ(ParseTimestamp("290309-12-21 19:59:05.224191 BC").status().code(),
            ErrorCode::kNumericOverflow);
  EXPECT_EQ(ParseTimestamp("999999999-01-01").status().code(), ErrorCode::kNumericOverflow);
  // The offset decides whether an instant near the limits is in range.
  EXPECT_EQ(ParseTimestamp("290309-12-21 19:59:05.224192+01 BC").status().code(),
            ErrorCode::kNumericOverflow);
  EXPECT_EQ(FormatTimestampTz(*ParseTimestamp("290309-12-21 19:00:00-01 BC")),
            "290309-12-21 20:00:00+00 BC");
  EXPECT_EQ(ParseTimestamp("294247-01-10 04:00:54.775807-01").status().code(),
            ErrorCode::kNumericOverflow);
}

// --- INTERVAL ---------------------------------------------------------------------------------

TEST(TemporalTest, FormatsIntervalsInPostgresStyle) {
  EXPECT_EQ(FormatInterval(Interval{}), "00:00:00");
  EXPECT_EQ(FormatInterval(MakeInterval(14, 3, Micros(4 * 3600 + 5 * 60 + 6, 500'000))),
            "1 year 2 mons 3 days 04:05:06.5");
  EXPECT_EQ(FormatInterval(MakeInterval(0, -1, 0)), "-1 days");
  EXPECT_EQ(FormatInterval(MakeInterval(0, 1, 0)), "1 day");
  EXPECT_EQ(FormatInterval(MakeInterval(0, 0, 100'000)), "00:00:00.1");
  EXPECT_EQ(FormatInterval(MakeInterval(0, 0, -Micros(5))), "-00:00:05");
  EXPECT_EQ(FormatInterval(MakeInterval(12, 0, 0)), "1 year");
  EXPECT_EQ(FormatInterval(MakeInterval(-13, 0, 0)), "-1 years -1 mons");
  EXPECT_EQ(FormatInterval(MakeInterval(0, 0, 25 * kMicrosPerHour)), "25:00:00");
}

TEST(TemporalTest, FormatsMixedSignIntervalsWithExplicitPlus) {
  EXPECT_EQ(FormatInterval(MakeInterval(-14, 3, 0)), "-1 years -2 mons +3 days");
  EXPECT_EQ(FormatInterval(MakeInterval(0, -1, 2 * kMicrosPerHour)), "-1 days +02:00:00");
  EXPECT_EQ(FormatInterval(MakeInterval(0, 1, -2 * kMicrosPerHour)), "1 day -02:00:00");
  EXPECT_EQ(FormatInterval(MakeInterval(1, -1, 2 * kMicrosPerHour)), "1 mon -1 days +02:00:00");
  EXPECT_EQ(FormatInterval(MakeInterval(-1, 1, 0)), "-1 mons +1 day");
}

TEST(TemporalTest, FormatsExtremeIntervals) {
  EXPECT_EQ(FormatInterval(MakeInterval(0, 0, kInt64Max)), "2562047788:00:54.775807");
  EXPECT_EQ(FormatInterval(MakeInterval(0, 0, kInt64Min)), "-2562047788:00:54.775808");
  EXPECT_EQ(FormatInterval(MakeInterval(std::numeric_limits<int32_t>::min(),
                                        std::numeric_limits<int32_t>::min(), kInt64Min)),
            "-178956970 years -8 mons -2147483648 days -2562047788:00:54.775808");
}

TEST(TemporalTest, ParsesIntervalUnitForms) {
  EXPECT_EQ(*ParseInterval("100ms"), MakeInterval(0, 0, 100'000));
  EXPECT_EQ(*ParseInterval("100 ms"), MakeInterval(0, 0, 100'000));
  EXPECT_EQ(*ParseInterval("1 minute"), MakeInterval(0, 0, kMicrosPerMinute));
  EXPECT_EQ(*ParseInterval("10 seconds"), MakeInterval(0, 0, Micros(10)));
  EXPECT_EQ(*ParseInterval("5 s"), MakeInterval(0, 0, Micros(5)));
  EXPECT_EQ(*ParseInterval("2 hours 30 minutes"), MakeInterval(0, 0, Micros(9000)));
  EXPECT_EQ(*ParseInterval("1 day"), MakeInterval(0, 1, 0));
  EXPECT_EQ(*ParseInterval("3 mons"), MakeInterval(3, 0, 0));
  EXPECT_EQ(*ParseInterval("3 months"), MakeInterval(3, 0, 0));
  EXPECT_EQ(*ParseInterval("1 year"), MakeInterval(12, 0, 0));
  EXPECT_EQ(*ParseInterval("1 week"), MakeInterval(0, 7, 0));
  EXPECT_EQ(*ParseInterval("-5 seconds"), MakeInterval(0, 0, -Micros(5)));
  EXPECT_EQ(*ParseInterval("+5 SECONDS"), MakeInterval(0, 0, Micros(5)));
  EXPECT_EQ(*ParseInterval("1 millennium 1 century 1 decade"), MakeInterval(13320, 0, 0));
}

TEST(TemporalTest, AcceptsEveryDocumentedUnitSpelling) {
  const struct {
    const char* units;
    Interval one;
  } kCases[] = {
      {"us usec usecs microsecond microseconds", MakeInterval(0, 0, 1)},
      {"ms msec msecs millisecond milliseconds", MakeInterval(0, 0, 1000)},
      {"s sec secs second seconds", MakeInterval(0, 0, kMicrosPerSecond)},
      {"m min mins minute minutes", MakeInterval(0, 0, kMicrosPerMinute)},
      {"h hr hrs hour hours", MakeInterval(0, 0, kMicrosPerHour)},
      {"d day days", MakeInterval(0, 1, 0)},
      {"w week weeks", MakeInterval(0, 7, 0)},
      {"mon mons month months", MakeInterval(1, 0, 0)},
      {"y yr yrs year years", MakeInterval(12, 0, 0)},
  };
  for (const auto& test_case : kCases) {
    std::string_view units = test_case.units;
    while (!units.empty()) {
      const size_t space = units.find(' ');
      const std::string_view unit = units.substr(0, space);
      units = space == std::string_view::npos ? std::string_view() : units.substr(space + 1);
      const std::string text = "1 " + std::string(unit);
      Result<Interval> interval = ParseInterval(text);
      ASSERT_TRUE(interval.ok()) << text << ": " << interval.status();
      EXPECT_EQ(*interval, test_case.one) << text;
      EXPECT_EQ(*ParseInterval("1" + std::string(unit)), test_case.one) << unit;
    }
  }
}

TEST(TemporalTest, ParsesIntervalTimeForms) {
  EXPECT_EQ(*ParseInterval("01:02:03"), MakeInterval(0, 0, Micros(3723)));
  EXPECT_EQ(*ParseInterval("1:30"), MakeInterval(0, 0, Micros(5400)));
  EXPECT_EQ(*ParseInterval("1 day 02:00:00"), MakeInterval(0, 1, 2 * kMicrosPerHour));
  EXPECT_EQ(*ParseInterval("1 day -02:00:00"), MakeInterval(0, 1, -2 * kMicrosPerHour));
  EXPECT_EQ(*ParseInterval("100:00:00.25"), MakeInterval(0, 0, Micros(360000, 250'000)));
  EXPECT_EQ(*ParseInterval("5"), MakeInterval(0, 0, Micros(5)));
  EXPECT_EQ(*ParseInterval("1 day ago"), MakeInterval(0, -1, 0));
  EXPECT_EQ(*ParseInterval("1 mon 2 days 03:00:00 ago"), MakeInterval(-1, -2, -3 * kMicrosPerHour));
}

TEST(TemporalTest, CascadesFractionalAmountsLikePostgres) {
  EXPECT_EQ(ParseAndFormatInterval("1.5 seconds"), "00:00:01.5");
  EXPECT_EQ(ParseAndFormatInterval(".5 minutes"), "00:00:30");
  EXPECT_EQ(ParseAndFormatInterval("1.5 months"), "1 mon 15 days");
  EXPECT_EQ(ParseAndFormatInterval("1.5 years"), "1 year 6 mons");
  EXPECT_EQ(ParseAndFormatInterval("1.01 year"), "1 year");
  EXPECT_EQ(ParseAndFormatInterval("0.375 year"), "4 mons");
  EXPECT_EQ(ParseAndFormatInterval("1.5 weeks"), "10 days 12:00:00");
  EXPECT_EQ(ParseAndFormatInterval("1.5 days"), "1 day 12:00:00");
  EXPECT_EQ(ParseAndFormatInterval("-1.5 days"), "-1 days -12:00:00");
  // The fraction alone is rounded, ties to even, so half a microsecond always rounds down.
  EXPECT_EQ(ParseAndFormatInterval("1.5 us"), "00:00:00.000001");
  EXPECT_EQ(ParseAndFormatInterval("-1.5 us"), "-00:00:00.000001");
  EXPECT_EQ(ParseAndFormatInterval("0.5 us"), "00:00:00");
  EXPECT_EQ(ParseAndFormatInterval("0.0025 ms"), "00:00:00.000002");
  EXPECT_EQ(ParseAndFormatInterval("0.123456789123456789123 s"), "00:00:00.123457");
}

TEST(TemporalTest, IntervalRoundTripsThroughText) {
  for (const char* text :
       {"00:00:00", "1 year 2 mons 3 days 04:05:06.5", "-1 days", "00:00:00.1", "1 day",
        "-1 years -2 mons +3 days", "-1 days +02:00:00", "1 day -02:00:00", "-00:00:05", "25:00:00",
        "2562047788:00:54.775807", "-2562047788:00:54.775808", "7 days",
        "178956970 years 7 mons 2147483647 days"}) {
    EXPECT_EQ(ParseAndFormatInterval(text), text);
  }
}

TEST(TemporalTest, RejectsMalformedIntervals) {
  for (const char* text :
       {"", "  ", "ago", "seconds", "5 parsecs", "1 day junk", "1.2.3 s", "- s", "1:2", "1:60",
        "1:00:60", "1:00:00.", "1:00:00:00", "5 ago ago", "5 s ago 1 day", "1 day, 2 hours"}) {
    EXPECT_EQ(ParseInterval(text).status().code(), ErrorCode::kInvalidLiteral) << text;
  }
  Result<Interval> unknown_unit = ParseInterval("5 parsecs");
  EXPECT_EQ(unknown_unit.status().message(),
            "invalid INTERVAL literal '5 parsecs': unknown unit 'parsecs'");
}

TEST(TemporalTest, RejectsIntervalsWhoseFieldsOverflow) {
  EXPECT_EQ(ParseInterval("2147483648 mons").status().code(), ErrorCode::kNumericOverflow);
  EXPECT_EQ(ParseInterval("178956971 years").status().code(), ErrorCode::kNumericOverflow);
  EXPECT_EQ(ParseInterval("2147483648 days").status().code(), ErrorCode::kNumericOverflow);
  EXPECT_EQ(ParseInterval("9223372036854775808 us").status().code(), ErrorCode::kNumericOverflow);
  EXPECT_EQ(ParseInterval("9223372036854775807 us 1 us").status().code(),
            ErrorCode::kNumericOverflow);
  EXPECT_EQ(ParseInterval("2562047789 hours").status().code(), ErrorCode::kNumericOverflow);
  EXPECT_EQ(ParseInterval("2562047789:00:00").status().code(), ErrorCode::kNumericOverflow);
  EXPECT_EQ(ParseInterval("-9223372036854775807 us -1 us ago").status().code(),
            ErrorCode::kNumericOverflow);
  EXPECT_EQ(*ParseInterval("-9223372036854775807 us -1 us"), MakeInterval(0, 0, kInt64Min));
  EXPECT_EQ(*ParseInterval("-2147483648 days"),
            MakeInterval(0, std::numeric_limits<int32_t>::min(), 0));
}

TEST(TemporalTest, BuildsIntervalsFromSqlQualifiers) {
  EXPECT_EQ(*IntervalFromQualifier("1", "SECOND"), MakeInterval(0, 0, Micros(1)));
  EXPECT_EQ(*IntervalFromQualifier("10", "MINUTE"), MakeInterval(0, 0, Micros(600)));
  EXPECT_EQ(*IntervalFromQualifier("2", "hour"), MakeInterval(0, 0, 2 * kMicrosPerHour));
  EXPECT_EQ(*IntervalFromQualifier("3", "DAY"), MakeInterval(0, 3, 0));
  EXPECT_EQ(*IntervalFromQualifier("1", "WEEK"), MakeInterval(0, 7, 0));
  EXPECT_EQ(*IntervalFromQualifier("3", "MONTH"), MakeInterval(3, 0, 0));
  EXPECT_EQ(*IntervalFromQualifier("2", "YEAR"), MakeInterval(24, 0, 0));
  EXPECT_EQ(*IntervalFromQualifier("250", "MILLISECOND"), MakeInterval(0, 0, 250'000));
  EXPECT_EQ(*IntervalFromQualifier("7", "MICROSECOND"), MakeInterval(0, 0, 7));
  EXPECT_EQ(*IntervalFromQualifier(" -5 ", "SECOND"), MakeInterval(0, 0, -Micros(5)));
}

TEST(TemporalTest, QualifierTruncatesToItsUnitLikePostgres) {
  EXPECT_EQ(QualifiedInterval("1.5", "SECOND"), "00:00:01.5");
  EXPECT_EQ(QualifiedInterval("1.5", "MINUTE"), "00:01:00");
  EXPECT_EQ(QualifiedInterval("90", "MINUTE"), "01:30:00");
  EXPECT_EQ(QualifiedInterval("1.5", "HOUR"), "01:00:00");
  EXPECT_EQ(QualifiedInterval("-1.5", "HOUR"), "-01:00:00");
  EXPECT_EQ(QualifiedInterval("1.5", "DAY"), "1 day");
  EXPECT_EQ(QualifiedInterval("-0.5", "DAY"), "00:00:00");
  EXPECT_EQ(QualifiedInterval("1.5", "MONTH"), "1 mon");
  EXPECT_EQ(QualifiedInterval("1.5", "YEAR"), "1 year");
}

TEST(TemporalTest, RejectsBadQualifiedIntervals) {
  EXPECT_EQ(IntervalFromQualifier("", "SECOND").status().code(), ErrorCode::kInvalidLiteral);
  EXPECT_EQ(IntervalFromQualifier("1 day", "DAY").status().code(), ErrorCode::kInvalidLiteral);
  EXPECT_EQ(IntervalFromQualifier("abc", "SECOND").status().code(), ErrorCode::kInvalidLiteral);
  EXPECT_EQ(IntervalFromQualifier("1", "FORTNIGHT").status().code(), ErrorCode::kInvalidLiteral);
  EXPECT_EQ(IntervalFromQualifier("2147483648", "DAY").status().code(),
            ErrorCode::kNumericOverflow);
  EXPECT_EQ(IntervalFromQualifier("99999999999999999999", "SECOND").status().code(),
            ErrorCode::kNumericOverflow);
}

TEST(TemporalTest, FixedMicrosCountsDaysAsTwentyFourHours) {
  EXPECT_EQ(IntervalFixedMicros(MakeInterval(0, 0, 1500)), 1500);
  EXPECT_EQ(IntervalFixedMicros(MakeInterval(0, 1, 1)), kMicrosPerDay + 1);
  EXPECT_EQ(IntervalFixedMicros(MakeInterval(0, -1, 0)), -kMicrosPerDay);
  EXPECT_EQ(IntervalFixedMicros(Interval{}), 0);
}

TEST(TemporalTest, FixedMicrosIsUndefinedForMonthsAndOverflow) {
  EXPECT_EQ(IntervalFixedMicros(MakeInterval(1, 0, 0)), std::nullopt);
  EXPECT_EQ(IntervalFixedMicros(MakeInterval(-1, 5, 0)), std::nullopt);
  EXPECT_EQ(IntervalFixedMicros(MakeInterval(0, std::numeric_limits<int32_t>::max(), 0)),
            std::nullopt);
  EXPECT_EQ(IntervalFixedMicros(MakeInterval(0, 1, kInt64Max)), std::nullopt);
  EXPECT_EQ(IntervalFixedMicros(MakeInterval(0, -1, kInt64Min)), std::nullopt);
}

}  // namespace
}  // namespace laminar
