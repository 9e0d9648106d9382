#pragma once

// Conversions between the text forms of DATE, TIMESTAMP, TIMESTAMPTZ and INTERVAL and their
// physical values. The text forms follow PostgreSQL's defaults (DateStyle ISO, IntervalStyle
// postgres, TimeZone UTC) so that results compare equal to PostgreSQL's output.
//
// Physical representations (the Arrow layouts, see data_type.h):
// - DATE: int32_t days since 1970-01-01 in the proleptic Gregorian calendar.
// - TIMESTAMP: int64_t microseconds since 1970-01-01 00:00:00, no time zone.
// - TIMESTAMPTZ: int64_t microseconds since 1970-01-01 00:00:00 UTC.
// - INTERVAL: the Interval struct below.
//
// Every function here is pure and thread-safe, never has undefined behaviour whatever its
// input (all arithmetic is checked), and reports bad input as an error Status, never an assert.
//
// Years before 1 AD follow PostgreSQL: there is no year 0, so the proleptic year 0 is printed
// as "0001 ... BC", year -1 as "0002 ... BC", and so on. The parsers accept the same " BC"
// suffix, so every formatted value parses back to itself.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace laminar {

/// An INTERVAL value: a number of months, days and microseconds, kept apart because none of
/// them has a fixed length in terms of the next (a month has 28..31 days; a day has 23..25 hours
/// across a daylight saving change). Laid out like Arrow's month_day_nano interval, except that
/// the last field counts microseconds instead of nanoseconds.
///
/// The fields may have different signs ("1 mon -2 days") and are never normalized.
struct Interval {
  int32_t months = 0;
  int32_t days = 0;
  int64_t micros = 0;

  friend bool operator==(const Interval&, const Interval&) = default;
};
static_assert(sizeof(Interval) == 16, "Interval must match Arrow's 16-byte interval layout");

inline constexpr int64_t kMicrosPerSecond = 1'000'000;
inline constexpr int64_t kMicrosPerMinute = 60 * kMicrosPerSecond;
inline constexpr int64_t kMicrosPerHour = 60 * kMicrosPerMinute;
inline constexpr int64_t kMicrosPerDay = 24 * kMicrosPerHour;

/// Days since 1970-01-01 of the proleptic Gregorian date year-month-day, where year 0 is 1 BC.
/// Uses Howard Hinnant's days_from_civil algorithm. Never overflows: the arithmetic is done in
/// 128 bits and a result outside int64_t saturates to INT64_MIN or INT64_MAX.
/// REQUIRES (for a meaningful result): 1 <= month <= 12 and 1 <= day <= DaysInMonth(year, month).
/// Out-of-range months and days give an unspecified (but defined) result.
int64_t DaysFromCivil(int64_t year, unsigned month, unsigned day);

/// The proleptic Gregorian date of `days` since 1970-01-01 (Hinnant's civil_from_days). Defined
/// for every int64_t; year 0 is 1 BC, year -1 is 2 BC.
void CivilFromDays(int64_t days, int64_t* year, unsigned* month, unsigned* day);

/// True for Gregorian leap years (year 0, i.e. 1 BC, is a leap year).
bool IsLeapYear(int64_t year);

/// The number of days in the month, 28..31. REQUIRES: 1 <= month <= 12 (otherwise returns 0).
unsigned DaysInMonth(int64_t year, unsigned month);

/// "2015-07-15". Years are zero-padded to four digits and grow beyond four when needed
/// ("10000-01-01"); dates before 0001-01-01 print as PostgreSQL does, "0001-12-31 BC".
/// Defined for every int32_t.
std::string FormatDate(int32_t days);

/// "2015-07-15 00:00:00", with a fraction of a second only when it is non-zero, trailing zeros
/// trimmed ("2015-07-15 00:00:05.1"), and " BC" for years before 1 AD. Negative values count
/// backwards from the epoch with floor semantics: -1 is "1969-12-31 23:59:59.999999".
/// Defined for every int64_t: INT64_MIN is "290309-12-21 19:59:05.224192 BC" and INT64_MAX is
/// "294247-01-10 04:00:54.775807".
std::string FormatTimestamp(int64_t micros);

/// Like FormatTimestamp followed by the UTC offset "+00", e.g. "2015-07-15 00:00:00+00"; for
/// years before 1 AD the " BC" goes after the offset, as in PostgreSQL.
std::string FormatTimestampTz(int64_t micros);

/// PostgreSQL's default ("postgres" IntervalStyle) output: "1 year 2 mons 3 days 04:05:06.5",
/// "-1 days", "00:00:00.1", "00:00:00" for a zero interval. Months are shown as years and
/// months; micros as hours (unbounded), minutes and seconds. A positive field after a negative
/// one gets an explicit "+", as in PostgreSQL ("-1 days +02:00:00"). Defined for every value.
std::string FormatInterval(const Interval& interval);

/// Parses a DATE in ISO form: `YYYY-MM-DD` with a year of at least four digits, a month and day
/// of one or two digits, and an optional " BC" suffix. Surrounding whitespace is ignored.
/// Errors: kInvalidLiteral for malformed text or a month/day that does not exist (with leap
/// years), kNumericOverflow for dates outside the int32_t range of days.
Result<int32_t> ParseDate(std::string_view text);

/// Parses a TIMESTAMP or TIMESTAMPTZ: a date as in ParseDate, optionally followed by a time
/// (separated by a space or 'T') `HH:MM`, `HH:MM:SS` or `HH:MM:SS.f` (any number of fraction
/// digits, rounded to microseconds with ties to even, as in PostgreSQL), then an optional UTC
/// offset `Z`, `+HH`, `+HHMM`,
/// `+HH:MM` (or with '-'; hours 0..15), then an optional " BC". An offset is converted to UTC
/// (`... 02:00:00+02` is midnight UTC); without one the time is taken as UTC. Hours are 0..23,
/// minutes and seconds 0..59 (no leap seconds, no "24:00:00"). PostgreSQL's special values
/// ('epoch', 'infinity') are not accepted.
/// Errors: kInvalidLiteral for malformed text or impossible fields, kNumericOverflow when the
/// result does not fit int64_t microseconds.
Result<int64_t> ParseTimestamp(std::string_view text);

/// Parses the text of an INTERVAL literal as SQL users write it inside INTERVAL '...':
/// - a sequence of `<amount> <unit>` pairs, where the amount is a signed decimal number
///   ("-5", "1.5") and the space before the unit is optional ("100ms");
/// - a time `[+-]H:MM`, `[+-]H:MM:SS` or `[+-]H:MM:SS.f` (hours unbounded), e.g. "1 day 02:00:00";
/// - a bare number as the last item, meaning seconds ("5" is 5 seconds);
/// - a trailing "ago", which negates the whole interval.
/// Units (case-insensitive): us/usec/usecs/microsecond(s), ms/msec/msecs/millisecond(s),
/// s/sec/secs/second(s), m/min/mins/minute(s), h/hr/hrs/hour(s), d/day(s), w/week(s),
/// mon/mons/month(s), y/yr/yrs/year(s), decade(s), century/centuries, millennium/millennia.
/// Fractions cascade as in PostgreSQL: fractional years become whole months (rounded),
/// fractional months become 30-day days, fractional weeks and days become microseconds;
/// rounding (to whole months, or to microseconds) is to nearest with ties to even, like
/// PostgreSQL's rint(). Unlike PostgreSQL, repeated units add up ("1 day 2 days" is 3 days).
/// Errors: kInvalidLiteral for malformed text or unknown units, kNumericOverflow when a field
/// does not fit its type.
Result<Interval> ParseInterval(std::string_view text);

/// The interval of the SQL form INTERVAL '<amount>' <unit>, e.g. ("10", "MINUTE"). `amount` is
/// a signed decimal number; `unit` is any unit ParseInterval accepts, case-insensitive (SECOND,
/// MINUTE, HOUR, DAY, WEEK, MONTH, YEAR, MILLISECOND, MICROSECOND, ...). As in PostgreSQL, the
/// result keeps only the precision of the unit, truncating toward zero: '1.5' HOUR is 01:00:00,
/// '1.5' YEAR is 1 year, '1.5' SECOND is 00:00:01.5. Compound qualifiers (HOUR TO MINUTE) and
/// amounts with their own units ('1 day' DAY) are not supported.
/// Errors: kInvalidLiteral for a malformed amount or unknown unit, kNumericOverflow on overflow.
Result<Interval> IntervalFromQualifier(std::string_view amount, std::string_view unit);

/// The exact length of an interval without months, in microseconds (days count 24 hours), for
/// uses such as window sizes that need a fixed duration. Returns nullopt when months != 0 (a
/// month has no fixed length) or when the total does not fit int64_t.
std::optional<int64_t> IntervalFixedMicros(const Interval& interval);

}  // namespace laminar
