#include "functions/scalar_kernels.h"

#include <array>
#include <cctype>
#include <charconv>
#include <cstring>

namespace laminar::functions {

KernelFlags TimestampAddIntervalOp::Call(int64_t micros, const Interval& interval,
                                         int64_t* out) const {
  *out = 0;
  int64_t result = micros;
  int64_t months = subtract ? -int64_t{interval.months} : int64_t{interval.months};
  if (months != 0) {
    int64_t days;
    int64_t time_of_day;
    SplitTimestamp(micros, &days, &time_of_day);
    int64_t year;
    unsigned month;
    unsigned day;
    CivilFromDays(days, &year, &month, &day);
    int64_t month_index = year * 12 + (month - 1) + months;
    int64_t new_year = month_index / 12;
    int64_t new_month = month_index % 12;
    if (new_month < 0) {
      new_month += 12;
      new_year -= 1;
    }
    unsigned last_day = DaysInMonth(new_year, static_cast<unsigned>(new_month + 1));
    int64_t new_days = DaysFromCivil(new_year, static_cast<unsigned>(new_month + 1),
                                     day < last_day ? day : last_day);
    if (__builtin_mul_overflow(new_days, kMicrosPerDay, &result) ||
        __builtin_add_overflow(result, time_of_day, &result)) {
      return kKernelOverflow;
    }
  }
  int64_t day_micros;
  if (__builtin_mul_overflow(int64_t{interval.days}, kMicrosPerDay, &day_micros)) {
    return kKernelOverflow;
  }
  int64_t delta;
  if (__builtin_add_overflow(day_micros, interval.micros, &delta)) return kKernelOverflow;
  bool overflow = subtract ? __builtin_sub_overflow(result, delta, &result)
                           : __builtin_add_overflow(result, delta, &result);
  if (overflow) return kKernelOverflow;
  *out = result;
  return kKernelOk;
}

// ----- Numeric functions. -----

KernelFlags FloatRoundDigitsOp::Call(double a, int32_t digits, double* out) const {
  *out = a;
  if (!std::isfinite(a)) return kKernelOk;
  // A double has at most 17 significant digits and 10^308 is the largest finite power: more
  // digits after the point change nothing, more before it leave nothing.
  if (digits > 308) return kKernelOk;
  if (digits < -308) {
    *out = std::copysign(0.0, a);
    return kKernelOk;
  }
  auto apply = [&](double value) {
    return rounding == Rounding::kTruncate ? std::trunc(value) : std::round(value);
  };
  if (digits >= 0) {
    double scale = std::pow(10.0, digits);
    double scaled = a * scale;
    if (!std::isfinite(scaled)) return kKernelOk;  // Too large to have a fraction to round.
    *out = apply(scaled) / scale;
  } else {
    double scale = std::pow(10.0, -digits);
    *out = apply(a / scale) * scale;
    if (!std::isfinite(*out)) return kKernelOverflow;
  }
  return kKernelOk;
}

Decimal128 DecimalPowerOfTenTable(int exponent) {
  static const auto kPowers = [] {
    std::array<Decimal128, kMaxDecimalPrecision + 1> powers{};
    Decimal128 value = 1;
    for (int i = 0; i <= kMaxDecimalPrecision; ++i) {
      powers[static_cast<size_t>(i)] = value;
      if (i < kMaxDecimalPrecision) value *= 10;
    }
    return powers;
  }();
  return kPowers[static_cast<size_t>(exponent)];
}

Decimal128 DecimalDivideRounding(Decimal128 value, Decimal128 divisor, Rounding rounding) {
  Decimal128 quotient = value / divisor;
  Decimal128 remainder = value % divisor;
  if (remainder == 0) return quotient;
  switch (rounding) {
    case Rounding::kHalfEven:
    case Rounding::kHalfAwayFromZero: {
      Decimal128 magnitude = remainder < 0 ? -remainder : remainder;
      if (magnitude >= divisor - magnitude) quotient += value < 0 ? -1 : 1;
      return quotient;
    }
    case Rounding::kFloor:
      return value < 0 ? quotient - 1 : quotient;
    case Rounding::kCeil:
      return value > 0 ? quotient + 1 : quotient;
    case Rounding::kTruncate:
      return quotient;
  }
  return quotient;
}

KernelFlags MathOp::Call(double a, double* out) const {
  *out = a;
  if (std::isnan(a)) return kKernelOk;
  switch (function) {
    case MathFunction::kSqrt:
      if (a < 0) return kKernelInvalidInput;  // "cannot take square root of a negative number".
      *out = std::sqrt(a);
      return kKernelOk;
    case MathFunction::kExp:
      if (std::isinf(a)) {
        *out = a > 0 ? a : 0.0;
        return kKernelOk;
      }
      *out = std::exp(a);
      // exp of a finite number is never 0 or infinite unless it is out of range.
      return (std::isinf(*out) || *out == 0.0) ? kKernelOverflow : kKernelOk;
    case MathFunction::kLn:
    case MathFunction::kLog10:
      if (a <= 0) return kKernelInvalidInput;  // "cannot take logarithm of zero/negative".
      *out = function == MathFunction::kLn ? std::log(a) : std::log10(a);
      return kKernelOk;
  }
  return kKernelOk;
}

KernelFlags LogBaseOp::Call(double base, double x, double* out) const {
  *out = 0;
  if (std::isnan(base) || std::isnan(x)) {
    *out = std::numeric_limits<double>::quiet_NaN();
    return kKernelOk;
  }
  if (base <= 0 || x <= 0) return kKernelInvalidInput;
  double denominator = std::log(base);
  if (denominator == 0) return kKernelDivisionByZero;
  *out = std::log(x) / denominator;
  return kKernelOk;
}

KernelFlags PowerOp::Call(double x, double y, double* out) const {
  *out = 0;
  if (x == 0 && y < 0) return kKernelInvalidInput;  // "zero raised to a negative power".
  if (x < 0 && std::isfinite(x) && std::isfinite(y) && std::trunc(y) != y) {
    return kKernelInvalidInput;  // "a negative number raised to a non-integer power".
  }
  *out = std::pow(x, y);
  if (std::isfinite(x) && std::isfinite(y)) {
    if (std::isinf(*out)) return kKernelOverflow;
    if (*out == 0 && x != 0) return kKernelOverflow;  // Underflow, an error in PostgreSQL too.
  }
  return kKernelOk;
}

// ----- Intervals. -----

namespace {

// PostgreSQL's TSROUND: rounding to microsecond precision of a number of days or seconds.
double RoundToMicros(double value) { return std::nearbyint(value * 1e6) / 1e6; }

bool FitsInt32(double value) { return value >= -2147483648.0 && value <= 2147483647.0; }
bool FitsInt64(double value) {
  return value >= -9223372036854775808.0 && value < 9223372036854775808.0;
}

}  // namespace

KernelFlags IntervalMultiplyOp::Call(const Interval& interval, double factor, Interval* out) const {
  *out = Interval{};
  if (divide && factor == 0) return kKernelDivisionByZero;
  auto apply = [&](double value) { return divide ? value / factor : value * factor; };
  double months = apply(interval.months);
  double days = apply(interval.days);
  if (!FitsInt32(months) || !FitsInt32(days)) return kKernelOverflow;  // Also NaN.
  int32_t result_months = static_cast<int32_t>(months);
  int32_t result_days = static_cast<int32_t>(days);
  double month_remainder_days = RoundToMicros((months - result_months) * 30.0);
  double second_remainder = RoundToMicros(
      (days - result_days + month_remainder_days - std::trunc(month_remainder_days)) * 86400.0);
  int32_t carried_days = 0;
  if (std::fabs(second_remainder) >= 86400.0) {
    carried_days = static_cast<int32_t>(second_remainder / 86400.0);
    second_remainder -= carried_days * 86400.0;
  }
  if (__builtin_add_overflow(result_days, carried_days, &result_days) ||
      __builtin_add_overflow(result_days, static_cast<int32_t>(month_remainder_days),
                             &result_days)) {
    return kKernelOverflow;
  }
  double micros =
      std::nearbyint(apply(static_cast<double>(interval.micros)) + second_remainder * 1e6);
  if (!FitsInt64(micros)) return kKernelOverflow;
  *out = Interval{result_months, result_days, static_cast<int64_t>(micros)};
  return kKernelOk;
}

// ----- Date and time fields. -----

std::optional<TemporalField> ParseTemporalField(std::string_view unit) {
  std::array<char, 16> lower{};
  if (unit.size() > lower.size()) return std::nullopt;
  for (size_t i = 0; i < unit.size(); ++i) {
    lower[i] = static_cast<char>(std::tolower(static_cast<unsigned char>(unit[i])));
  }
  std::string_view name(lower.data(), unit.size());
  struct Alias {
    std::string_view name;
    TemporalField field;
  };
  static constexpr Alias kAliases[] = {
      {"microsecond", TemporalField::kMicrosecond},
      {"microseconds", TemporalField::kMicrosecond},
      {"millisecond", TemporalField::kMillisecond},
      {"milliseconds", TemporalField::kMillisecond},
      {"second", TemporalField::kSecond},
      {"seconds", TemporalField::kSecond},
      {"minute", TemporalField::kMinute},
      {"minutes", TemporalField::kMinute},
      {"hour", TemporalField::kHour},
      {"hours", TemporalField::kHour},
      {"day", TemporalField::kDay},
      {"days", TemporalField::kDay},
      {"week", TemporalField::kWeek},
      {"weeks", TemporalField::kWeek},
      {"month", TemporalField::kMonth},
      {"months", TemporalField::kMonth},
      {"quarter", TemporalField::kQuarter},
      {"quarters", TemporalField::kQuarter},
      {"year", TemporalField::kYear},
      {"years", TemporalField::kYear},
      {"decade", TemporalField::kDecade},
      {"decades", TemporalField::kDecade},
      {"century", TemporalField::kCentury},
      {"centuries", TemporalField::kCentury},
      {"millennium", TemporalField::kMillennium},
      {"millennia", TemporalField::kMillennium},
      {"dow", TemporalField::kDayOfWeek},
      {"dayofweek", TemporalField::kDayOfWeek},
      {"isodow", TemporalField::kIsoDayOfWeek},
      {"doy", TemporalField::kDayOfYear},
      {"dayofyear", TemporalField::kDayOfYear},
      {"isoyear", TemporalField::kIsoYear},
      {"epoch", TemporalField::kEpoch},
      {"timezone", TemporalField::kTimezone},
      {"timezone_hour", TemporalField::kTimezone},
      {"timezone_minute", TemporalField::kTimezone},
  };
  for (const Alias& alias : kAliases) {
    if (alias.name == name) return alias.field;
  }
  return std::nullopt;
}

std::string_view TemporalFieldName(TemporalField field) {
  switch (field) {
    case TemporalField::kMicrosecond:
      return "microsecond";
    case TemporalField::kMillisecond:
      return "millisecond";
    case TemporalField::kSecond:
      return "second";
    case TemporalField::kMinute:
      return "minute";
    case TemporalField::kHour:
      return "hour";
    case TemporalField::kDay:
      return "day";
    case TemporalField::kWeek:
      return "week";
    case TemporalField::kMonth:
      return "month";
    case TemporalField::kQuarter:
      return "quarter";
    case TemporalField::kYear:
      return "year";
    case TemporalField::kDecade:
      return "decade";
    case TemporalField::kCentury:
      return "century";
    case TemporalField::kMillennium:
      return "millennium";
    case TemporalField::kDayOfWeek:
      return "dow";
    case TemporalField::kIsoDayOfWeek:
      return "isodow";
    case TemporalField::kDayOfWeekFromOne:
      return "dayofweek";
    case TemporalField::kDayOfYear:
      return "doy";
    case TemporalField::kIsoYear:
      return "isoyear";
    case TemporalField::kEpoch:
      return "epoch";
    case TemporalField::kTimezone:
      return "timezone";
  }
  return "?";
}

CivilTimestamp ToCivilTimestamp(int64_t micros) {
  CivilTimestamp civil;
  SplitTimestamp(micros, &civil.days, &civil.time_of_day);
  CivilFromDays(civil.days, &civil.year, &civil.month, &civil.day);
  return civil;
}

int64_t IsoDayOfWeek(int64_t days) {
  int64_t weekday = (days + 3) % 7;  // 1970-01-01 was a Thursday.
  if (weekday < 0) weekday += 7;
  return weekday + 1;
}

void IsoWeek(int64_t days, int64_t* iso_year, int64_t* week) {
  // The ISO week belongs to the year of its Thursday.
  int64_t thursday = days - IsoDayOfWeek(days) + 4;
  unsigned month;
  unsigned day;
  CivilFromDays(thursday, iso_year, &month, &day);
  *week = (thursday - DaysFromCivil(*iso_year, 1, 1)) / 7 + 1;
}

namespace {

// PostgreSQL's decade, century and millennium of a proleptic year (0 is 1 BC).
int64_t DecadeOf(int64_t year) { return year >= 0 ? year / 10 : -((8 - (year - 1)) / 10); }
int64_t CenturyOf(int64_t year) {
  return year > 0 ? (year + 99) / 100 : -((99 - (year - 1)) / 100);
}
int64_t MillenniumOf(int64_t year) {
  return year > 0 ? (year + 999) / 1000 : -((999 - (year - 1)) / 1000);
}

}  // namespace

KernelFlags ExtractFieldOp::Call(int64_t micros, int64_t* out) const {
  int64_t days;
  int64_t time_of_day;
  SplitTimestamp(micros, &days, &time_of_day);
  switch (field) {
    case TemporalField::kMicrosecond:
      *out = time_of_day % kMicrosPerMinute;
      return kKernelOk;
    case TemporalField::kMillisecond:
      *out = time_of_day % kMicrosPerMinute / 1000;
      return kKernelOk;
    case TemporalField::kSecond:
      *out = time_of_day / kMicrosPerSecond % 60;
      return kKernelOk;
    case TemporalField::kMinute:
      *out = time_of_day / kMicrosPerMinute % 60;
      return kKernelOk;
    case TemporalField::kHour:
      *out = time_of_day / kMicrosPerHour;
      return kKernelOk;
    case TemporalField::kDayOfWeek:
      *out = IsoDayOfWeek(days) % 7;
      return kKernelOk;
    case TemporalField::kIsoDayOfWeek:
      *out = IsoDayOfWeek(days);
      return kKernelOk;
    case TemporalField::kDayOfWeekFromOne:
      *out = IsoDayOfWeek(days) % 7 + 1;
      return kKernelOk;
    case TemporalField::kWeek:
    case TemporalField::kIsoYear: {
      int64_t iso_year;
      int64_t week;
      IsoWeek(days, &iso_year, &week);
      if (field == TemporalField::kWeek) {
        *out = week;
      } else {
        *out = iso_year > 0 ? iso_year : iso_year - 1;
      }
      return kKernelOk;
    }
    case TemporalField::kEpoch:
      // Whole seconds, rounding toward minus infinity (the DECIMAL op keeps the fraction).
      *out = micros / kMicrosPerSecond - (micros % kMicrosPerSecond < 0 ? 1 : 0);
      return kKernelOk;
    case TemporalField::kTimezone:
      *out = 0;
      return kKernelOk;
    default:
      break;
  }
  int64_t year;
  unsigned month;
  unsigned day;
  CivilFromDays(days, &year, &month, &day);
  switch (field) {
    case TemporalField::kDay:
      *out = day;
      break;
    case TemporalField::kMonth:
      *out = month;
      break;
    case TemporalField::kQuarter:
      *out = (month - 1) / 3 + 1;
      break;
    case TemporalField::kDayOfYear:
      *out = days - DaysFromCivil(year, 1, 1) + 1;
      break;
    case TemporalField::kDecade:
      *out = DecadeOf(year);
      break;
    case TemporalField::kCentury:
      *out = CenturyOf(year);
      break;
    case TemporalField::kMillennium:
      *out = MillenniumOf(year);
      break;
    default:                              // kYear.
      *out = year > 0 ? year : year - 1;  // No year 0: 1 BC is -1, as in PostgreSQL.
      break;
  }
  return kKernelOk;
}

bool IsIntervalField(TemporalField field) {
  switch (field) {
    case TemporalField::kWeek:
    case TemporalField::kDayOfWeek:
    case TemporalField::kIsoDayOfWeek:
    case TemporalField::kDayOfWeekFromOne:
    case TemporalField::kDayOfYear:
    case TemporalField::kIsoYear:
    case TemporalField::kTimezone:
      return false;
    default:
      return true;
  }
}

KernelFlags ExtractIntervalFieldOp::Call(const Interval& interval, int64_t* out) const {
  int64_t years = interval.months / 12;
  int64_t months = interval.months % 12;
  switch (field) {
    case TemporalField::kMicrosecond:
      *out = interval.micros % kMicrosPerMinute;
      break;
    case TemporalField::kMillisecond:
      *out = interval.micros % kMicrosPerMinute / 1000;
      break;
    case TemporalField::kSecond:
      *out = interval.micros % kMicrosPerMinute / kMicrosPerSecond;
      break;
    case TemporalField::kMinute:
      *out = interval.micros % kMicrosPerHour / kMicrosPerMinute;
      break;
    case TemporalField::kHour:
      *out = interval.micros / kMicrosPerHour;
      break;
    case TemporalField::kDay:
      *out = interval.days;
      break;
    case TemporalField::kMonth:
      *out = months;
      break;
    case TemporalField::kQuarter:
      *out = months / 3 + 1;
      break;
    case TemporalField::kYear:
      *out = years;
      break;
    case TemporalField::kDecade:
      *out = years / 10;
      break;
    case TemporalField::kCentury:
      *out = years / 100;
      break;
    case TemporalField::kMillennium:
      *out = years / 1000;
      break;
    case TemporalField::kEpoch: {
      __int128 micros = IntervalEpochMicros(interval);
      __int128 seconds = micros / kMicrosPerSecond - (micros % kMicrosPerSecond < 0 ? 1 : 0);
      *out = static_cast<int64_t>(seconds);
      break;
    }
    default:
      *out = 0;
      return kKernelInvalidInput;
  }
  return kKernelOk;
}

__int128 IntervalEpochMicros(const Interval& interval) {
  // PostgreSQL: a year is 365.25 days (31,557,600 seconds), a month 30 days.
  constexpr __int128 kMicrosPerYear = __int128{31'557'600} * kMicrosPerSecond;
  return static_cast<__int128>(interval.months / 12) * kMicrosPerYear +
         static_cast<__int128>(interval.months % 12) * 30 * kMicrosPerDay +
         static_cast<__int128>(interval.days) * kMicrosPerDay + interval.micros;
}

KernelFlags ExtractIntervalDecimalFieldOp::Call(const Interval& interval, Decimal128* out) const {
  if (field == TemporalField::kEpoch) {
    *out = IntervalEpochMicros(interval);
  } else {
    *out = interval.micros % kMicrosPerMinute;
  }
  return kKernelOk;
}

KernelFlags DatePartDoubleOp::Call(std::string_view unit, int64_t micros, double* out) const {
  *out = 0;
  std::optional<TemporalField> field = ParseTemporalField(unit);
  if (!field) return kKernelInvalidInput;
  int64_t days;
  int64_t time_of_day;
  SplitTimestamp(micros, &days, &time_of_day);
  switch (*field) {
    case TemporalField::kSecond:
      *out = static_cast<double>(time_of_day % kMicrosPerMinute) / 1e6;
      return kKernelOk;
    case TemporalField::kMillisecond:
      *out = static_cast<double>(time_of_day % kMicrosPerMinute) / 1e3;
      return kKernelOk;
    case TemporalField::kEpoch:
      *out = static_cast<double>(micros) / 1e6;
      return kKernelOk;
    default: {
      int64_t value;
      KernelFlags flags = ExtractFieldOp{*field}.Call(micros, &value);
      *out = static_cast<double>(value);
      return flags;
    }
  }
}

KernelFlags DatePartDoubleOp::Call(std::string_view unit, const Interval& interval,
                                   double* out) const {
  *out = 0;
  std::optional<TemporalField> field = ParseTemporalField(unit);
  if (!field || !IsIntervalField(*field)) return kKernelInvalidInput;
  switch (*field) {
    case TemporalField::kSecond:
      *out = static_cast<double>(interval.micros % kMicrosPerMinute) / 1e6;
      return kKernelOk;
    case TemporalField::kMillisecond:
      *out = static_cast<double>(interval.micros % kMicrosPerMinute) / 1e3;
      return kKernelOk;
    case TemporalField::kEpoch:
      *out = static_cast<double>(IntervalEpochMicros(interval)) / 1e6;
      return kKernelOk;
    default: {
      int64_t value;
      KernelFlags flags = ExtractIntervalFieldOp{*field}.Call(interval, &value);
      *out = static_cast<double>(value);
      return flags;
    }
  }
}

bool IsTruncationField(TemporalField field) {
  switch (field) {
    case TemporalField::kDayOfWeek:
    case TemporalField::kIsoDayOfWeek:
    case TemporalField::kDayOfWeekFromOne:
    case TemporalField::kDayOfYear:
    case TemporalField::kIsoYear:
    case TemporalField::kEpoch:
    case TemporalField::kTimezone:
      return false;
    default:
      return true;
  }
}

KernelFlags DateTruncOp::Call(int64_t micros, int64_t* out) const {
  *out = micros;
  int64_t days;
  int64_t time_of_day;
  SplitTimestamp(micros, &days, &time_of_day);
  int64_t unit = 0;
  switch (field) {
    case TemporalField::kMicrosecond:
      return kKernelOk;
    case TemporalField::kMillisecond:
      unit = 1000;
      break;
    case TemporalField::kSecond:
      unit = kMicrosPerSecond;
      break;
    case TemporalField::kMinute:
      unit = kMicrosPerMinute;
      break;
    case TemporalField::kHour:
      unit = kMicrosPerHour;
      break;
    case TemporalField::kDay:
      unit = kMicrosPerDay;
      break;
    case TemporalField::kWeek: {
      int64_t monday = days - (IsoDayOfWeek(days) - 1);
      *out = 0;
      return __builtin_mul_overflow(monday, kMicrosPerDay, out) ? kKernelOverflow : kKernelOk;
    }
    default: {
      int64_t year;
      unsigned month;
      unsigned day;
      CivilFromDays(days, &year, &month, &day);
      // PostgreSQL's first years: the 21st century starts in 2001, the 2020s in 2020.
      switch (field) {
        case TemporalField::kMillennium:
          year =
              year > 0 ? (year + 999) / 1000 * 1000 - 999 : -((999 - (year - 1)) / 1000) * 1000 + 1;
          month = 1;
          break;
        case TemporalField::kCentury:
          year = year > 0 ? (year + 99) / 100 * 100 - 99 : -((99 - (year - 1)) / 100) * 100 + 1;
          month = 1;
          break;
        case TemporalField::kDecade:
          year = year > 0 ? year / 10 * 10 : -((8 - (year - 1)) / 10) * 10;
          month = 1;
          break;
        case TemporalField::kYear:
          month = 1;
          break;
        case TemporalField::kQuarter:
          month = (month - 1) / 3 * 3 + 1;
          break;
        default:  // kMonth.
          break;
      }
      int64_t first = DaysFromCivil(year, month, 1);
      *out = 0;
      return __builtin_mul_overflow(first, kMicrosPerDay, out) ? kKernelOverflow : kKernelOk;
    }
  }
  // Truncation moves back in time, below INT64_MIN for the first hours of the range.
  return __builtin_sub_overflow(micros, time_of_day % unit, out) ? kKernelOverflow : kKernelOk;
}

KernelFlags IntervalTruncOp::Call(const Interval& interval, Interval* out) const {
  int64_t years = interval.months / 12;
  int64_t months = interval.months % 12;
  int64_t days = interval.days;
  int64_t hours = interval.micros / kMicrosPerHour;
  int64_t minutes = interval.micros % kMicrosPerHour / kMicrosPerMinute;
  int64_t seconds = interval.micros % kMicrosPerMinute / kMicrosPerSecond;
  int64_t fraction = interval.micros % kMicrosPerSecond;
  // Each unit clears everything below it (PostgreSQL's fall-through).
  switch (field) {
    case TemporalField::kMillennium:
      years = years / 1000 * 1000;
      [[fallthrough]];
    case TemporalField::kCentury:
      years = years / 100 * 100;
      [[fallthrough]];
    case TemporalField::kDecade:
      years = years / 10 * 10;
      [[fallthrough]];
    case TemporalField::kYear:
      months = 0;
      [[fallthrough]];
    case TemporalField::kQuarter:
      months = months / 3 * 3;
      [[fallthrough]];
    case TemporalField::kMonth:
      days = 0;
      [[fallthrough]];
    case TemporalField::kDay:
      hours = 0;
      [[fallthrough]];
    case TemporalField::kHour:
      minutes = 0;
      [[fallthrough]];
    case TemporalField::kMinute:
      seconds = 0;
      [[fallthrough]];
    case TemporalField::kSecond:
      fraction = 0;
      break;
    case TemporalField::kMillisecond:
      fraction = fraction / 1000 * 1000;
      break;
    default:
      break;
  }
  // The parts came from the same value, so the sums stay in range.
  out->months = static_cast<int32_t>(years * 12 + months);
  out->days = static_cast<int32_t>(days);
  out->micros =
      hours * kMicrosPerHour + minutes * kMicrosPerMinute + seconds * kMicrosPerSecond + fraction;
  return kKernelOk;
}

KernelFlags EpochSecondsToTimestampOp::Call(double seconds, int64_t* out) const {
  *out = 0;
  if (std::isnan(seconds)) return kKernelInvalidInput;  // "timestamp cannot be NaN".
  double micros = std::nearbyint(seconds * 1e6);
  if (!FitsInt64(micros)) return kKernelOverflow;
  *out = static_cast<int64_t>(micros);
  return kKernelOk;
}

int64_t Utf8Length(std::string_view text) {
  int64_t count = 0;
  for (char c : text) count += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return count;
}

namespace {

size_t Utf8CharWidth(std::string_view text, size_t position) {
  size_t width = 1;
  while (position + width < text.size() &&
         (static_cast<unsigned char>(text[position + width]) & 0xC0) == 0x80) {
    ++width;
  }
  return width;
}

char FoldCase(char c, bool case_insensitive) {
  if (case_insensitive && c >= 'A' && c <= 'Z') return static_cast<char>(c - 'A' + 'a');
  return c;
}

}  // namespace

bool LikeMatch(std::string_view text, std::string_view pattern, char escape, bool case_insensitive,
               bool* malformed) {
  *malformed = false;
  size_t t = 0;
  size_t p = 0;
  size_t star_pattern = std::string_view::npos;  // Pattern position after the last '%'.
  size_t star_text = 0;
  while (t < text.size()) {
    if (p < pattern.size()) {
      char c = pattern[p];
      if (c == '%' && c != escape) {
        star_pattern = ++p;
        star_text = t;
        continue;
      }
      if (c == '_' && c != escape) {
        t += Utf8CharWidth(text, t);
        ++p;
        continue;
      }
      size_t literal = p;
      if (escape != 0 && c == escape) {
        if (p + 1 >= pattern.size()) {
          *malformed = true;
          return false;
        }
        literal = p + 1;
      }
      if (FoldCase(pattern[literal], case_insensitive) == FoldCase(text[t], case_insensitive)) {
        p = literal + 1;
        ++t;
        continue;
      }
    }
    if (star_pattern == std::string_view::npos) return false;
    p = star_pattern;
    star_text += Utf8CharWidth(text, star_text);
    t = star_text;
  }
  while (p < pattern.size() && pattern[p] == '%' && pattern[p] != escape) ++p;
  if (p < pattern.size() && escape != 0 && pattern[p] == escape && p + 1 >= pattern.size()) {
    *malformed = true;
  }
  return p == pattern.size();
}

std::string_view Utf8Substring(std::string_view text, int64_t start, int64_t length) {
  // Characters [start, start + length) with 1-based start; positions before 1 count but
  // select nothing.
  int64_t first = start < 1 ? 1 : start;
  int64_t end = std::numeric_limits<int64_t>::max();
  if (length >= 0 && !__builtin_add_overflow(start, length, &end)) {
    if (end <= first) return {};
  }
  size_t position = 0;
  for (int64_t character = 1; character < first && position < text.size(); ++character) {
    position += Utf8CharWidth(text, position);
  }
  size_t begin = position;
  for (int64_t character = first; character < end && position < text.size(); ++character) {
    position += Utf8CharWidth(text, position);
  }
  return text.substr(begin, position - begin);
}

std::string_view SplitPart(std::string_view text, std::string_view delimiter, int64_t n) {
  if (delimiter.empty()) return (n == 1 || n == -1) ? text : std::string_view();
  if (n > 0) {
    size_t begin = 0;
    for (int64_t field = 1;; ++field) {
      size_t found = text.find(delimiter, begin);
      if (field == n)
        return text.substr(begin, found == std::string_view::npos ? found : found - begin);
      if (found == std::string_view::npos) return {};
      begin = found + delimiter.size();
    }
  }
  size_t end = text.size();
  for (int64_t field = -1;; --field) {
    size_t found = end < delimiter.size() ? std::string_view::npos
                                          : text.rfind(delimiter, end - delimiter.size());
    size_t begin = found == std::string_view::npos ? 0 : found + delimiter.size();
    if (field == n) return text.substr(begin, end - begin);
    if (found == std::string_view::npos) return {};
    end = found;
  }
}

int64_t CountOccurrences(std::string_view text, std::string_view needle) {
  if (needle.empty()) return 0;
  int64_t count = 0;
  for (size_t position = text.find(needle); position != std::string_view::npos;
       position = text.find(needle, position + needle.size())) {
    ++count;
  }
  return count;
}

std::string_view Utf8Reverse(std::string_view text, std::string* scratch) {
  scratch->resize(text.size());
  size_t position = 0;
  size_t end = text.size();
  while (position < text.size()) {
    size_t width = Utf8CharWidth(text, position);
    end -= width;
    std::memcpy(scratch->data() + end, text.data() + position, width);
    position += width;
  }
  return *scratch;
}

namespace {

// Whether the UTF-8 character at text[position] (of `width` bytes) is one of `characters`.
bool ContainsCharacter(std::string_view characters, std::string_view character) {
  if (character.size() == 1) return characters.find(character[0]) != std::string_view::npos;
  for (size_t position = 0; position < characters.size();) {
    size_t width = Utf8CharWidth(characters, position);
    if (characters.substr(position, width) == character) return true;
    position += width;
  }
  return false;
}

// The start of the UTF-8 character that ends at `end` (exclusive).
size_t PreviousCharacterStart(std::string_view text, size_t end) {
  size_t start = end - 1;
  while (start > 0 && (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80) --start;
  return start;
}

}  // namespace

std::string_view TrimCharacters(std::string_view text, std::string_view characters, bool leading,
                                bool trailing) {
  size_t begin = 0;
  size_t end = text.size();
  if (leading) {
    while (begin < end) {
      size_t width = Utf8CharWidth(text, begin);
      if (!ContainsCharacter(characters, text.substr(begin, width))) break;
      begin += width;
    }
  }
  if (trailing) {
    while (end > begin) {
      size_t start = PreviousCharacterStart(text, end);
      if (start < begin) start = begin;
      if (!ContainsCharacter(characters, text.substr(start, end - start))) break;
      end = start;
    }
  }
  return text.substr(begin, end - begin);
}

std::string_view ReplaceAll(std::string_view text, std::string_view from, std::string_view to,
                            std::string* scratch) {
  if (from.empty()) return text;
  size_t found = text.find(from);
  if (found == std::string_view::npos) return text;
  scratch->clear();
  size_t position = 0;
  while (found != std::string_view::npos) {
    scratch->append(text.substr(position, found - position));
    scratch->append(to);
    position = found + from.size();
    found = text.find(from, position);
  }
  scratch->append(text.substr(position));
  return *scratch;
}

int64_t Utf8Position(std::string_view haystack, std::string_view needle) {
  size_t found = haystack.find(needle);
  if (found == std::string_view::npos) return 0;
  return Utf8Length(haystack.substr(0, found)) + 1;
}

namespace {

// The byte offset after the first `count` characters (the whole text when it has fewer).
size_t Utf8Advance(std::string_view text, int64_t count) {
  size_t position = 0;
  for (int64_t character = 0; character < count && position < text.size(); ++character) {
    position += Utf8CharWidth(text, position);
  }
  return position;
}

}  // namespace

std::string_view Utf8Left(std::string_view text, int64_t n) {
  if (n >= 0) return text.substr(0, Utf8Advance(text, n));
  int64_t keep = Utf8Length(text) + n;  // n > INT64_MIN + length: lengths are < 2^31.
  if (keep <= 0) return {};
  return text.substr(0, Utf8Advance(text, keep));
}

std::string_view Utf8Right(std::string_view text, int64_t n) {
  int64_t length = Utf8Length(text);
  int64_t skip = n >= 0 ? (n >= length ? 0 : length - n) : (n < -length ? length : -n);
  return text.substr(Utf8Advance(text, skip));
}

bool Utf8Pad(std::string_view text, int64_t length, std::string_view fill, bool left,
             std::string* scratch, std::string_view* out) {
  *out = {};
  if (length <= 0) return true;
  int64_t text_length = Utf8Length(text);
  if (text_length >= length || fill.empty()) {
    *out = text.substr(0, Utf8Advance(text, length));
    return true;
  }
  // The padding: whole copies of the fill, then the first characters of one more.
  int64_t missing = length - text_length;
  int64_t fill_length = Utf8Length(fill);
  int64_t copies = missing / fill_length;
  size_t partial = Utf8Advance(fill, missing % fill_length);
  __int128 bytes = static_cast<__int128>(copies) * static_cast<__int128>(fill.size()) +
                   static_cast<__int128>(partial) + static_cast<__int128>(text.size());
  if (bytes > kMaxPaddedBytes) return false;
  scratch->clear();
  scratch->reserve(static_cast<size_t>(bytes));
  if (!left) scratch->append(text);
  for (int64_t i = 0; i < copies; ++i) scratch->append(fill);
  scratch->append(fill.substr(0, partial));
  if (left) scratch->append(text);
  *out = *scratch;
  return true;
}

namespace {

std::string_view TrimSpace(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  return text;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

}  // namespace

bool ParseBooleanText(std::string_view text, bool* out) {
  text = TrimSpace(text);
  for (std::string_view word : {"true", "t", "yes", "y", "on", "1"}) {
    if (EqualsIgnoreCase(text, word)) {
      *out = true;
      return true;
    }
  }
  for (std::string_view word : {"false", "f", "no", "n", "off", "0"}) {
    if (EqualsIgnoreCase(text, word)) {
      *out = false;
      return true;
    }
  }
  return false;
}

bool ParseInt64Text(std::string_view text, int64_t* out) {
  text = TrimSpace(text);
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  if (text.empty() || text.front() == '+') return false;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return error == std::errc() && end == text.data() + text.size();
}

bool ParseDoubleText(std::string_view text, double* out) {
  text = TrimSpace(text);
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  if (text.empty() || text.front() == '+') return false;
  if (EqualsIgnoreCase(text, "nan")) {
    *out = std::numeric_limits<double>::quiet_NaN();
    return true;
  }
  if (EqualsIgnoreCase(text, "infinity") || EqualsIgnoreCase(text, "-infinity")) {
    *out = text.front() == '-' ? -std::numeric_limits<double>::infinity()
                               : std::numeric_limits<double>::infinity();
    return true;
  }
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), *out);
  if (end != text.data() + text.size()) return false;
  // Out-of-range text is an error, as in PostgreSQL; from_chars reports it as result_out_of_range.
  return error == std::errc();
}

}  // namespace laminar::functions
