#include "functions/datetime_template.h"

#include <gtest/gtest.h>

#include <string>

namespace laminar::functions {
namespace {

int64_t Micros(std::string_view text) { return *laminar::ParseTimestamp(text); }

std::string Format(std::string_view pattern, std::string_view timestamp, bool tz = false) {
  std::string out;
  FormatTimestampWithTemplate(CompilePostgresTemplate(pattern), Micros(timestamp), tz, &out);
  return out;
}

std::string FormatJava(std::string_view pattern, std::string_view timestamp) {
  auto format = CompileJavaPattern(pattern);
  EXPECT_TRUE(format.ok()) << format.status();
  std::string out;
  FormatTimestampWithTemplate(*format, Micros(timestamp), false, &out);
  return out;
}

std::string Parse(std::string_view text, std::string_view pattern) {
  DateTimeTemplate format = CompilePostgresTemplate(pattern);
  EXPECT_TRUE(CanParse(format)) << pattern;
  int64_t micros;
  KernelFlags flags = ParseTimestampWithTemplate(format, text, &micros);
  if (flags == kKernelInvalidInput) return "invalid";
  if (flags == kKernelOverflow) return "overflow";
  return laminar::FormatTimestamp(micros);
}

TEST(DateTimeTemplateTest, PostgresNumericPatterns) {
  EXPECT_EQ(Format("YYYY-MM-DD HH24:MI:SS.US", "2024-05-01 09:03:04.000567"),
            "2024-05-01 09:03:04.000567");
  EXPECT_EQ(Format("yyyy/mm/dd hh12", "2024-05-01 00:30:00"), "2024/05/01 12");
  EXPECT_EQ(Format("Y,YYY YYY YY Y", "2024-05-01 00:00:00"), "2,024 024 24 4");
  EXPECT_EQ(Format("FF1 FF3 MS", "2024-05-01 00:00:00.987654"), "9 987 987");
  EXPECT_EQ(Format("SSSS", "2024-05-01 01:00:01"), "3601");
  EXPECT_EQ(Format("IYYY-IW-ID", "2021-01-03 00:00:00"), "2020-53-7");
  EXPECT_EQ(Format("WW W CC", "2024-05-15 00:00:00"), "20 3 21");
  EXPECT_EQ(Format("FMMM/FMDD FMYY FMMonth|", "2024-05-01 00:00:00"), "5/1 24 May|");
  EXPECT_EQ(Format("FMYY", "2005-05-01 00:00:00"), "5");
  EXPECT_EQ(Format("YYYY", "10000-01-01 00:00:00"), "10000");
}

TEST(DateTimeTemplateTest, PostgresNamesAndMarkers) {
  EXPECT_EQ(Format("Month|MONTH|month|Mon|MON|mon", "2024-09-01 00:00:00"),
            "September|SEPTEMBER|september|Sep|SEP|sep");
  EXPECT_EQ(Format("Day|DY|dy", "2024-05-05 00:00:00"), "Sunday   |SUN|sun");
  EXPECT_EQ(Format("HH AM a.m. P.M.", "2024-05-05 13:00:00"), "01 PM p.m. P.M.");
  EXPECT_EQ(Format("YYYY AD b.c.", "0001-05-05 00:00:00 BC"), "0001 BC b.c.");
  EXPECT_EQ(Format("RM|rm", "2024-04-01 00:00:00"), "IV  |iv  ");
  EXPECT_EQ(Format("DDTH FMDDth", "2024-04-02 00:00:00"), "02ND 2nd");
  EXPECT_EQ(Format("\"YYYY\" \\M YYYY", "2024-04-02 00:00:00"), "YYYY M 2024");
  EXPECT_EQ(Format("TZ", "2024-04-02 00:00:00"), "");
  EXPECT_EQ(Format("TZ tz OF", "2024-04-02 00:00:00", true), "UTC utc +00");
  EXPECT_EQ(Format("at: ", "2024-04-02 00:00:00"), "at: ");
  EXPECT_EQ(Format("W", "2024-04-02 00:00:00"), "1");  // A pattern, as in PostgreSQL.
}

TEST(DateTimeTemplateTest, JavaPatterns) {
  EXPECT_EQ(FormatJava("yyyy-MM-dd HH:mm:ss", "2024-05-01 09:03:04"), "2024-05-01 09:03:04");
  EXPECT_EQ(FormatJava("yy M d H m s", "2024-05-01 09:03:04"), "24 5 1 9 3 4");
  EXPECT_EQ(FormatJava("MMM MMMM E EEEE", "2024-05-01 00:00:00"), "May May Wed Wednesday");
  EXPECT_EQ(FormatJava("h a k K", "2024-05-01 00:15:00"), "12 AM 24 0");
  EXPECT_EQ(FormatJava("S SSS SSSSSS", "2024-05-01 00:00:00.123456"), "1 123 123456");
  EXPECT_EQ(FormatJava("D u G", "2024-05-01 00:00:00"), "122 3 AD");
  EXPECT_EQ(FormatJava("'at' HH 'o''clock' '' z Z X", "2024-05-01 07:00:00"),
            "at 07 o'clock ' UTC +0000 Z");
  EXPECT_EQ(CompileJavaPattern("yyyy-MM-dd B").status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(CompileJavaPattern("'open").status().code(), ErrorCode::kInvalidArgument);
}

TEST(DateTimeTemplateTest, Intervals) {
  DateTimeTemplate format = CompilePostgresTemplate("YYYY MM DD HH24 HH12 MI SS.MS SSSS");
  ASSERT_TRUE(CanFormatInterval(format));
  std::string out;
  FormatIntervalWithTemplate(format, Interval{14, 3, 27 * kMicrosPerHour + 500'000}, &out);
  EXPECT_EQ(out, "0001 02 03 27 03 00 00.500 97200");
  EXPECT_FALSE(CanFormatInterval(CompilePostgresTemplate("Day")));
  EXPECT_FALSE(CanFormatInterval(CompilePostgresTemplate("DDth")));
}

TEST(DateTimeTemplateTest, ParsingFollowsPostgresRules) {
  EXPECT_EQ(Parse("2024-05-01 09:30:15", "YYYY-MM-DD HH24:MI:SS"), "2024-05-01 09:30:15");
  EXPECT_EQ(Parse("2024/05/01", "YYYY-MM-DD"), "2024-05-01 00:00:00");  // Any separator.
  EXPECT_EQ(Parse("2024 05 01", "YYYY MM DD"), "2024-05-01 00:00:00");
  EXPECT_EQ(Parse("20240501093015", "YYYYMMDDHH24MISS"), "2024-05-01 09:30:15");
  EXPECT_EQ(Parse("5 SEPTEMBER 2024", "DD Month YYYY"), "2024-09-05 00:00:00");
  EXPECT_EQ(Parse("Thu 5 sep 24", "Dy DD Mon YY"), "2024-09-05 00:00:00");
  EXPECT_EQ(Parse("12:15 am", "HH12:MI AM"), "0001-01-01 00:15:00");
  EXPECT_EQ(Parse("12:15 P.M.", "HH12:MI AM"), "0001-01-01 12:15:00");
  EXPECT_EQ(Parse("44 BC", "YYYY BC"), "0044-01-01 00:00:00 BC");
  EXPECT_EQ(Parse("2024-05-01 10:00:00.5", "YYYY-MM-DD HH24:MI:SS.MS"), "2024-05-01 10:00:00.5");
  EXPECT_EQ(Parse("2460432", "J"), "2024-05-01 00:00:00");
  EXPECT_EQ(Parse("2024-05-01T10", "YYYY-MM-DD\"T\"HH24"), "2024-05-01 10:00:00");
  EXPECT_EQ(Parse("2024-05-01 and more", "YYYY-MM-DD"), "2024-05-01 00:00:00");
  EXPECT_EQ(Parse("2024", "YYYY-MM-DD"), "2024-01-01 00:00:00");
  EXPECT_EQ(Parse("1,999", "Y,YYY"), "1999-01-01 00:00:00");
  EXPECT_EQ(Parse("2023-02-29", "YYYY-MM-DD"), "invalid");
  EXPECT_EQ(Parse("2024-13-01", "YYYY-MM-DD"), "invalid");
  EXPECT_EQ(Parse("13:00 PM", "HH12:MI AM"), "invalid");
  EXPECT_EQ(Parse("24:00", "HH24:MI"), "invalid");
  EXPECT_EQ(Parse("abc", "YYYY"), "invalid");
  EXPECT_EQ(Parse("May", "MM"), "invalid");
  EXPECT_EQ(Parse("2024-366", "YYYY-DDD"), "2024-12-31 00:00:00");
  EXPECT_EQ(Parse("2023-366", "YYYY-DDD"), "invalid");
  EXPECT_EQ(Parse("999999999999999999", "YYYY"), "overflow");
  EXPECT_EQ(Parse("9999999999999", "J"), "overflow");
  EXPECT_FALSE(CanParse(CompilePostgresTemplate("YYYY TZ")));
  EXPECT_FALSE(CanParse(CompilePostgresTemplate("IYYY-IW")));
}

}  // namespace
}  // namespace laminar::functions
