#pragma once

// Date/time templates: the patterns of to_char, to_timestamp and to_date (PostgreSQL's
// template patterns, 'YYYY-MM-DD HH24:MI:SS') and of date_format (Java's pattern letters, as in
// Flink: 'yyyy-MM-dd HH:mm:ss'). A template is compiled once (when the evaluator is made, for a
// literal pattern) into a list of elements; formatting and parsing then walk that list.
//
// PostgreSQL templates (see "Template Patterns for Date/Time Formatting" in its manual):
// YYYY YYY YY Y Y,YYY IYYY IYY IY I, MM Month MONTH month Mon MON mon RM rm, DD DDD D ID,
// Day DAY day Dy DY dy, HH HH12 HH24 MI SS MS US FF1..FF6 SSSS SSSSS, AM PM A.M. P.M. (and
// lower case), BC AD B.C. A.D. (and lower case), Q WW IW W CC J, TZ tz OF TZH TZM; the FM
// prefix drops padding (FMMonth, FMDD), TM, TH and FX are accepted and ignored; "quoted text"
// is literal, a backslash makes the next character literal, and any other character is copied
// as it is. Numeric patterns also match in lower case (yyyy, mm, dd, hh24, mi, ss), as in
// PostgreSQL. Names are English.
//
// Java patterns (date_format): G y M L d D E u a H k K h m s S z Z X with Java's counts (M: 1 or
// 2 digits, 3 an abbreviation, 4 the full name; E: 1-3 an abbreviation, 4 the full name; y: 2
// the last two digits; S: that many digits of the fraction of a second), 'quoted text', '' for a
// quote. Other letters are errors, as in Java.
//
// Time is UTC: TZ prints "UTC" for TIMESTAMPTZ (nothing for TIMESTAMP), OF "+00".
//
// Thread-safety: a compiled template is immutable; any number of threads may use it.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "columnar/temporal.h"
#include "common/result.h"
#include "functions/scalar_kernels.h"

namespace laminar::functions {

/// What one template element stands for.
enum class TemplateField : uint8_t {
  kLiteral,
  kYear,            // The year (BC years count up from 1), at least `width` digits.
  kYearLastDigits,  // The last `width` digits of the year.
  kYearWithComma,   // "2,024".
  kIsoYear,         // The ISO week-numbering year, at least `width` digits.
  kIsoYearLastDigits,
  kMonth,      // 1-12.
  kMonthName,  // "January"; `width` 9 pads with blanks to 9 characters.
  kMonthAbbreviation,
  kRomanMonth,  // "IV"; `width` 4 pads with blanks.
  kDay,         // Day of the month.
  kDayOfYear,
  kDayOfWeek,     // 1 (Sunday) to 7.
  kIsoDayOfWeek,  // 1 (Monday) to 7.
  kDayName,       // "Monday"; `width` 9 pads with blanks.
  kDayAbbreviation,
  kHour24,
  kHour12,
  kHour24FromOne,   // Java's k: 1-24.
  kHour12FromZero,  // Java's K: 0-11.
  kMinute,
  kSecond,
  kFraction,  // The first `width` digits of the fraction of a second (MS is 3, US 6).
  kSecondsOfDay,
  kMeridiem,  // AM / PM.
  kEra,       // AD / BC.
  kQuarter,
  kWeekOfYear,  // WW: (day of year - 1) / 7 + 1.
  kIsoWeek,
  kWeekOfMonth,  // W: (day - 1) / 7 + 1.
  kCentury,
  kJulianDay,
  kTimeZoneName,     // "UTC".
  kTimeZoneOffset,   // "+00" (PostgreSQL OF), "+0000" (Java Z), "Z" (Java X).
  kTimeZoneMinutes,  // "00" (TZM).
};

/// How the letters of a name or marker are written.
enum class TextCase : uint8_t { kUpper, kCapitalized, kLower };

struct TemplateElement {
  TemplateField field = TemplateField::kLiteral;
  /// Digits a number is padded to with zeros (the number of digits for kYearLastDigits and
  /// kFraction); characters a name is padded to with blanks (0: none).
  uint8_t width = 0;
  /// PostgreSQL's FM prefix: no padding, and to_timestamp reads the number whole.
  bool fill_mode = false;
  TextCase text_case = TextCase::kUpper;
  /// A.M., B.C. instead of AM, BC; Java's Z ("+0000") for kTimeZoneOffset; for kLiteral, text
  /// that was quoted (to_timestamp skips as many characters instead of matching separators).
  bool dotted = false;
  /// Java's X ("Z") for kTimeZoneOffset, Java's z (always "UTC") for kTimeZoneName; for
  /// kLiteral, the ordinal suffix (TH/th) of the number before it.
  bool java_iso = false;
  std::string literal;  // kLiteral only.
};

/// A compiled template.
struct DateTimeTemplate {
  std::vector<TemplateElement> elements;
};

/// Compiles a PostgreSQL template. Never fails: characters that are no pattern are literal.
DateTimeTemplate CompilePostgresTemplate(std::string_view pattern);

/// Compiles a Java pattern. Errors: kInvalidArgument for a letter that is no pattern or an
/// unterminated quote, naming it.
Result<DateTimeTemplate> CompileJavaPattern(std::string_view pattern);

/// Appends `micros` (a TIMESTAMP, or a TIMESTAMPTZ when `with_time_zone`) formatted by the
/// template to *out.
void FormatTimestampWithTemplate(const DateTimeTemplate& format, int64_t micros,
                                 bool with_time_zone, std::string* out);

/// Whether every element has a meaning for an INTERVAL (years, months, days, hours, minutes,
/// seconds and their fractions; no names, weeks or zones).
bool CanFormatInterval(const DateTimeTemplate& format);

/// Appends the interval formatted by the template: YYYY the years of the months, MM the months
/// left, DD the days, HH24 all the hours of the time (beyond 24), HH12 those hours modulo 12;
/// negative parts keep their sign ("-01"). REQUIRES: CanFormatInterval(format).
void FormatIntervalWithTemplate(const DateTimeTemplate& format, const Interval& interval,
                                std::string* out);

/// Whether to_timestamp/to_date can read every element (not D, ID, IW, WW, W, CC, the ISO
/// year, time zones or Roman months).
bool CanParse(const DateTimeTemplate& format);

/// Reads `text` by the template as PostgreSQL's to_timestamp does: a number followed by a
/// separator or the end is read whole, one followed by another number has exactly its width;
/// a separator in the template matches any one separator of the text or nothing; letters in
/// quoted text skip as many characters; names match in any case; a YYY, YY or Y year of fewer
/// than four digits is taken nearest to 2020. Missing fields are 1 (January, the 1st) or 0; text
/// left over at the end is ignored. Returns kKernelInvalidInput for text that does not match or a
/// field out of range (month 13, 30 February), kKernelOverflow for a timestamp outside the
/// int64_t range. REQUIRES: CanParse(format).
KernelFlags ParseTimestampWithTemplate(const DateTimeTemplate& format, std::string_view text,
                                       int64_t* micros);

}  // namespace laminar::functions
