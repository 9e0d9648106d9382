#include "columnar/temporal.h"

#include <fmt/format.h>

#include <array>
#include <limits>

namespace laminar {
namespace {

constexpr int64_t kDaysPerEra = 146097;       // Days in 400 Gregorian years.
constexpr int64_t kEpochShift = 719468;       // Days from 0000-03-01 to 1970-01-01.
constexpr int kMaxYearDigits = 9;             // Far beyond any representable year; no overflow.
constexpr size_t kMaxQuotedInputLength = 80;  // Longer inputs are cut in error messages.

// Floor division and modulo. REQUIRES: divisor > 0 (so neither can overflow).
int64_t FloorDiv(int64_t value, int64_t divisor) {
  int64_t quotient = value / divisor;
  if (value % divisor < 0) --quotient;
  return quotient;
}

int64_t FloorMod(int64_t value, int64_t divisor) {
  int64_t remainder = value % divisor;
  if (remainder < 0) remainder += divisor;
  return remainder;
}

bool CheckedAdd(int64_t a, int64_t b, int64_t* out) { return !__builtin_add_overflow(a, b, out); }
bool CheckedMul(int64_t a, int64_t b, int64_t* out) { return !__builtin_mul_overflow(a, b, out); }

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
char ToLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string_view Trim(std::string_view text) {
  while (!text.empty() && IsSpace(text.front())) text.remove_prefix(1);
  while (!text.empty() && IsSpace(text.back())) text.remove_suffix(1);
  return text;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (ToLower(a[i]) != ToLower(b[i])) return false;
  }
  return true;
}

// The user's text as shown inside quotes in an error message, cut when very long.
std::string Quoted(std::string_view text) {
  if (text.size() <= kMaxQuotedInputLength) return std::string(text);
  return fmt::format("{}...", text.substr(0, kMaxQuotedInputLength));
}

Status InvalidLiteral(std::string_view type_name, std::string_view text, std::string_view reason) {
  return Status::Error(ErrorCode::kInvalidLiteral, "invalid {} literal '{}': {}", type_name,
                       Quoted(text), reason);
}

Status OutOfRange(std::string_view type_name, std::string_view text) {
  return Status::Error(ErrorCode::kNumericOverflow, "{} literal '{}' is out of range", type_name,
                       Quoted(text));
}

// A read position in the text being parsed.
class Cursor {
 public:
  explicit Cursor(std::string_view text) : text_(text) {}

  bool AtEnd() const { return position_ >= text_.size(); }
  char Peek(size_t ahead = 0) const {
    return position_ + ahead < text_.size() ? text_[position_ + ahead] : '\0';
  }
  void Advance(size_t count = 1) { position_ += count; }
  bool Consume(char c) {
    if (Peek() != c || AtEnd()) return false;
    ++position_;
    return true;
  }
  void SkipSpaces() {
    while (!AtEnd() && IsSpace(Peek())) ++position_;
  }
  size_t position() const { return position_; }
  void set_position(size_t position) { position_ = position; }

  // Consumes a run of at most `max_digits` decimal digits (a longer run is left partly
  // unconsumed, which makes the caller's next expectation fail). Returns the digit count.
  int ConsumeDigits(int max_digits, int64_t* value) {
    int count = 0;
    *value = 0;
    while (count < max_digits && IsDigit(Peek()) && !AtEnd()) {
      *value = *value * 10 + (Peek() - '0');
      ++position_;
      ++count;
    }
    return count;
  }

  // Consumes a word of ASCII letters.
  std::string_view ConsumeWord() {
    size_t start = position_;
    while (!AtEnd() && IsAlpha(Peek())) ++position_;
    return text_.substr(start, position_ - start);
  }

 private:
  std::string_view text_;
  size_t position_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Dates and timestamps.

struct DateFields {
  int64_t year = 0;  // As written: always >= 1; " BC" is applied later.
  int64_t month = 0;
  int64_t day = 0;
};

// Reads `YYYY-MM-DD` (year of 4..9 digits, month and day of 1..2 digits).
Status ParseDateFields(Cursor* cursor, std::string_view type_name, std::string_view text,
                       DateFields* fields) {
  constexpr std::string_view kExpected = "expected YYYY-MM-DD";
  if (cursor->ConsumeDigits(kMaxYearDigits, &fields->year) < 4 || IsDigit(cursor->Peek()) ||
      !cursor->Consume('-') || cursor->ConsumeDigits(2, &fields->month) == 0 ||
      !cursor->Consume('-') || cursor->ConsumeDigits(2, &fields->day) == 0 ||
      IsDigit(cursor->Peek())) {
    return InvalidLiteral(type_name, text, kExpected);
  }
  return Status::Ok();
}

// Consumes an optional " BC" (after optional spaces). Returns whether it was there.
bool ConsumeEra(Cursor* cursor) {
  size_t start = cursor->position();
  cursor->SkipSpaces();
  if (ToLower(cursor->Peek()) == 'b' && ToLower(cursor->Peek(1)) == 'c' &&
      !IsAlpha(cursor->Peek(2))) {
    cursor->Advance(2);
    return true;
  }
  cursor->set_position(start);
  return false;
}

// Validates the fields and converts them to days since the epoch.
Status ResolveDate(const DateFields& fields, bool before_christ, std::string_view type_name,
                   std::string_view text, int64_t* days) {
  if (fields.year == 0) {
    return InvalidLiteral(type_name, text,
                          "year 0 does not exist (the year before 0001 is 0001 BC)");
  }
  if (fields.month < 1 || fields.month > 12) {
    return InvalidLiteral(type_name, text, "month must be 1..12");
  }
  // Astronomical year numbering: 1 BC is year 0, 2 BC is year -1.
  const int64_t year = before_christ ? 1 - fields.year : fields.year;
  const auto month = static_cast<unsigned>(fields.month);
  const unsigned last_day = DaysInMonth(year, month);
  if (fields.day < 1 || fields.day > last_day) {
    return InvalidLiteral(type_name, text,
                          fmt::format("day must be 1..{} for month {} of year {}{}", last_day,
                                      month, fields.year, before_christ ? " BC" : ""));
  }
  *days = DaysFromCivil(year, month, static_cast<unsigned>(fields.day));
  return Status::Ok();
}

// Reads fraction digits as microseconds, rounding the digits beyond the sixth half to even
// (as PostgreSQL does). REQUIRES: the '.' has been consumed. Returns false when no digit follows.
bool ConsumeFractionMicros(Cursor* cursor, int64_t* micros) {
  int64_t value = 0;
  int digits = 0;
  int64_t scale = kMicrosPerSecond;
  int first_dropped = 0;       // The seventh digit.
  bool later_nonzero = false;  // Any non-zero digit after the seventh.
  while (IsDigit(cursor->Peek()) && !cursor->AtEnd()) {
    const int digit = cursor->Peek() - '0';
    if (digits < 6) {
      scale /= 10;
      value += digit * scale;
    } else if (digits == 6) {
      first_dropped = digit;
    } else if (digit != 0) {
      later_nonzero = true;
    }
    ++digits;
    cursor->Advance();
  }
  const bool round_up =
      first_dropped > 5 || (first_dropped == 5 && (later_nonzero || value % 2 == 1));
  *micros = value + (round_up ? 1 : 0);
  return digits > 0;
}

// Reads `HH:MM[:SS[.f]]` as microseconds since midnight.
Status ParseTimeOfDay(Cursor* cursor, std::string_view text, int64_t* micros) {
  int64_t hour = 0;
  int64_t minute = 0;
  int64_t second = 0;
  int64_t fraction = 0;
  constexpr std::string_view kExpected = "expected a time HH:MM[:SS[.ffffff]] after the date";
  if (cursor->ConsumeDigits(2, &hour) == 0 || !cursor->Consume(':') ||
      cursor->ConsumeDigits(2, &minute) != 2) {
    return InvalidLiteral("TIMESTAMP", text, kExpected);
  }
  if (cursor->Consume(':')) {
    if (cursor->ConsumeDigits(2, &second) != 2) {
      return InvalidLiteral("TIMESTAMP", text, kExpected);
    }
    if (cursor->Consume('.') && !ConsumeFractionMicros(cursor, &fraction)) {
      return InvalidLiteral("TIMESTAMP", text, "expected digits after the decimal point");
    }
  }
  if (IsDigit(cursor->Peek())) return InvalidLiteral("TIMESTAMP", text, kExpected);
  if (hour > 23) return InvalidLiteral("TIMESTAMP", text, "hour must be 0..23");
  if (minute > 59) return InvalidLiteral("TIMESTAMP", text, "minute must be 0..59");
  if (second > 59) return InvalidLiteral("TIMESTAMP", text, "second must be 0..59");
  *micros =
      hour * kMicrosPerHour + minute * kMicrosPerMinute + second * kMicrosPerSecond + fraction;
  return Status::Ok();
}

// Reads an optional UTC offset: `Z`, `UTC`, `+HH`, `+HHMM`, `+HH:MM` or the same with '-'.
// Sets `offset_micros` to the signed offset (local time minus UTC).
Status ParseUtcOffset(Cursor* cursor, std::string_view text, int64_t* offset_micros) {
  *offset_micros = 0;
  size_t start = cursor->position();
  cursor->SkipSpaces();
  const char first = cursor->Peek();
  if ((first == 'Z' || first == 'z') && !IsAlpha(cursor->Peek(1))) {
    cursor->Advance();
    return Status::Ok();
  }
  if (ToLower(first) == 'u' && ToLower(cursor->Peek(1)) == 't' && ToLower(cursor->Peek(2)) == 'c' &&
      !IsAlpha(cursor->Peek(3))) {
    cursor->Advance(3);
    return Status::Ok();
  }
  if (first != '+' && first != '-') {
    cursor->set_position(start);
    return Status::Ok();
  }
  cursor->Advance();
  constexpr std::string_view kExpected = "expected a UTC offset +HH, +HHMM or +HH:MM";
  int64_t hours = 0;
  int64_t minutes = 0;
  const int hour_digits = cursor->ConsumeDigits(2, &hours);
  if (hour_digits == 0) return InvalidLiteral("TIMESTAMP", text, kExpected);
  if (cursor->Consume(':')) {
    if (cursor->ConsumeDigits(2, &minutes) != 2)
      return InvalidLiteral("TIMESTAMP", text, kExpected);
  } else if (hour_digits == 2 && IsDigit(cursor->Peek())) {
    if (cursor->ConsumeDigits(2, &minutes) != 2)
      return InvalidLiteral("TIMESTAMP", text, kExpected);
  }
  if (IsDigit(cursor->Peek())) return InvalidLiteral("TIMESTAMP", text, kExpected);
  if (hours > 15 || minutes > 59) {
    return InvalidLiteral("TIMESTAMP", text, "UTC offset must be within -15:59..+15:59");
  }
  const int64_t magnitude = hours * kMicrosPerHour + minutes * kMicrosPerMinute;
  *offset_micros = first == '-' ? -magnitude : magnitude;
  return Status::Ok();
}

// Appends "YYYY-MM-DD" for the given date, with the year shown as PostgreSQL shows it (the
// caller appends " BC" when `before_christ` is set).
void AppendDate(int64_t days, fmt::memory_buffer* out, bool* before_christ) {
  int64_t year = 0;
  unsigned month = 0;
  unsigned day = 0;
  CivilFromDays(days, &year, &month, &day);
  *before_christ = year <= 0;
  const int64_t shown_year = *before_christ ? 1 - year : year;
  fmt::format_to(std::back_inserter(*out), "{:04}-{:02}-{:02}", shown_year, month, day);
}

// Appends ".ffffff" with trailing zeros trimmed, or nothing for zero.
void AppendFraction(int64_t fraction_micros, fmt::memory_buffer* out) {
  if (fraction_micros == 0) return;
  std::array<char, 7> digits{};
  digits[0] = '.';
  int64_t value = fraction_micros;
  for (int i = 6; i >= 1; --i) {
    digits[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  size_t length = 7;
  while (digits[length - 1] == '0') --length;
  out->append(digits.data(), digits.data() + length);
}

std::string FormatTimestampImpl(int64_t micros, bool with_offset) {
  fmt::memory_buffer out;
  bool before_christ = false;
  AppendDate(FloorDiv(micros, kMicrosPerDay), &out, &before_christ);
  const int64_t time = FloorMod(micros, kMicrosPerDay);
  fmt::format_to(std::back_inserter(out), " {:02}:{:02}:{:02}", time / kMicrosPerHour,
                 time / kMicrosPerMinute % 60, time / kMicrosPerSecond % 60);
  AppendFraction(time % kMicrosPerSecond, &out);
  if (with_offset) out.append(std::string_view("+00"));
  if (before_christ) out.append(std::string_view(" BC"));
  return fmt::to_string(out);
}

// ---------------------------------------------------------------------------------------------
// Intervals.

constexpr std::string_view kIntervalName = "INTERVAL";

// How an interval unit adds to the three fields.
enum class UnitKind : uint8_t {
  kMicros,  // factor = microseconds per unit.
  kDays,    // factor = days per unit; fractions become microseconds.
  kMonth,   // One month; fractions become 30-day days, then microseconds.
  kYears,   // factor = months per unit; fractions become whole months (rounded).
};

struct IntervalUnit {
  std::string_view name;
  UnitKind kind;
  int64_t factor;
};

constexpr std::array kIntervalUnits = {
    IntervalUnit{"us", UnitKind::kMicros, 1},
    IntervalUnit{"usec", UnitKind::kMicros, 1},
    IntervalUnit{"usecs", UnitKind::kMicros, 1},
    IntervalUnit{"microsecond", UnitKind::kMicros, 1},
    IntervalUnit{"microseconds", UnitKind::kMicros, 1},
    IntervalUnit{"ms", UnitKind::kMicros, 1000},
    IntervalUnit{"msec", UnitKind::kMicros, 1000},
    IntervalUnit{"msecs", UnitKind::kMicros, 1000},
    IntervalUnit{"millisecond", UnitKind::kMicros, 1000},
    IntervalUnit{"milliseconds", UnitKind::kMicros, 1000},
    IntervalUnit{"s", UnitKind::kMicros, kMicrosPerSecond},
    IntervalUnit{"sec", UnitKind::kMicros, kMicrosPerSecond},
    IntervalUnit{"secs", UnitKind::kMicros, kMicrosPerSecond},
    IntervalUnit{"second", UnitKind::kMicros, kMicrosPerSecond},
    IntervalUnit{"seconds", UnitKind::kMicros, kMicrosPerSecond},
    IntervalUnit{"m", UnitKind::kMicros, kMicrosPerMinute},
    IntervalUnit{"min", UnitKind::kMicros, kMicrosPerMinute},
    IntervalUnit{"mins", UnitKind::kMicros, kMicrosPerMinute},
    IntervalUnit{"minute", UnitKind::kMicros, kMicrosPerMinute},
    IntervalUnit{"minutes", UnitKind::kMicros, kMicrosPerMinute},
    IntervalUnit{"h", UnitKind::kMicros, kMicrosPerHour},
    IntervalUnit{"hr", UnitKind::kMicros, kMicrosPerHour},
    IntervalUnit{"hrs", UnitKind::kMicros, kMicrosPerHour},
    IntervalUnit{"hour", UnitKind::kMicros, kMicrosPerHour},
    IntervalUnit{"hours", UnitKind::kMicros, kMicrosPerHour},
    IntervalUnit{"d", UnitKind::kDays, 1},
    IntervalUnit{"day", UnitKind::kDays, 1},
    IntervalUnit{"days", UnitKind::kDays, 1},
    IntervalUnit{"w", UnitKind::kDays, 7},
    IntervalUnit{"week", UnitKind::kDays, 7},
    IntervalUnit{"weeks", UnitKind::kDays, 7},
    IntervalUnit{"mon", UnitKind::kMonth, 1},
    IntervalUnit{"mons", UnitKind::kMonth, 1},
    IntervalUnit{"month", UnitKind::kMonth, 1},
    IntervalUnit{"months", UnitKind::kMonth, 1},
    IntervalUnit{"y", UnitKind::kYears, 12},
    IntervalUnit{"yr", UnitKind::kYears, 12},
    IntervalUnit{"yrs", UnitKind::kYears, 12},
    IntervalUnit{"year", UnitKind::kYears, 12},
    IntervalUnit{"years", UnitKind::kYears, 12},
    IntervalUnit{"decade", UnitKind::kYears, 120},
    IntervalUnit{"decades", UnitKind::kYears, 120},
    IntervalUnit{"century", UnitKind::kYears, 1200},
    IntervalUnit{"centuries", UnitKind::kYears, 1200},
    IntervalUnit{"millennium", UnitKind::kYears, 12000},
    IntervalUnit{"millennia", UnitKind::kYears, 12000},
};

const IntervalUnit* FindIntervalUnit(std::string_view name) {
  for (const IntervalUnit& unit : kIntervalUnits) {
    if (EqualsIgnoreCase(unit.name, name)) return &unit;
  }
  return nullptr;
}

// A decimal amount: whole + fraction_numerator / 10^fraction_digits, with a sign.
// At most 17 fraction digits are kept (later ones are ignored), so that the numerator times 30
// days per month still fits uint64_t.
struct Amount {
  bool negative = false;
  int64_t whole = 0;
  uint64_t fraction_numerator = 0;
  int fraction_digits = 0;
};
constexpr int kMaxFractionDigits = 17;

// Reads `[+-]? (digits [. digits*] | . digits)`. Returns kInvalidLiteral when there is no
// number here and kNumericOverflow when the whole part exceeds int64_t.
Status ParseAmount(Cursor* cursor, std::string_view text, Amount* amount) {
  *amount = Amount{};
  if (cursor->Consume('-')) {
    amount->negative = true;
  } else {
    (void)cursor->Consume('+');
  }
  int digits = 0;
  while (IsDigit(cursor->Peek()) && !cursor->AtEnd()) {
    if (!CheckedMul(amount->whole, 10, &amount->whole) ||
        !CheckedAdd(amount->whole, cursor->Peek() - '0', &amount->whole)) {
      return OutOfRange(kIntervalName, text);
    }
    ++digits;
    cursor->Advance();
  }
  if (cursor->Consume('.')) {
    while (IsDigit(cursor->Peek()) && !cursor->AtEnd()) {
      if (amount->fraction_digits < kMaxFractionDigits) {
        amount->fraction_numerator =
            amount->fraction_numerator * 10 + static_cast<uint64_t>(cursor->Peek() - '0');
        ++amount->fraction_digits;
      }
      ++digits;
      cursor->Advance();
    }
  }
  if (digits == 0) return InvalidLiteral(kIntervalName, text, "expected a number");
  return Status::Ok();
}

uint64_t PowerOfTen64(int exponent) {
  uint64_t result = 1;
  for (int i = 0; i < exponent; ++i) result *= 10;
  return result;
}

// round(numerator * factor / 10^digits) with ties to even, like PostgreSQL's rint(). All values
// are non-negative. REQUIRES: numerator < 10^digits <= 10^17 and 0 <= factor < 2^63, so the
// product fits 128 bits and the result fits int64_t.
int64_t ScaleFraction(uint64_t numerator, int digits, int64_t factor) {
  const unsigned __int128 denominator = PowerOfTen64(digits);
  const unsigned __int128 product =
      static_cast<unsigned __int128>(numerator) * static_cast<uint64_t>(factor);
  auto quotient = static_cast<int64_t>(product / denominator);
  const unsigned __int128 twice_remainder = product % denominator * 2;
  if (twice_remainder > denominator || (twice_remainder == denominator && quotient % 2 == 1)) {
    ++quotient;
  }
  return quotient;
}

// The running total of an interval being parsed, wider than Interval so that range checks
// happen once at the end.
struct IntervalSum {
  int64_t months = 0;
  int64_t days = 0;
  int64_t micros = 0;
};

// Adds a non-negative delta, negated when `negative`. Returns false on overflow.
bool AddSigned(int64_t* total, int64_t delta, bool negative) {
  return CheckedAdd(*total, negative ? -delta : delta, total);
}

// Adds `amount` of `unit` to `sum`. Returns false on overflow.
bool AddAmount(const Amount& amount, const IntervalUnit& unit, IntervalSum* sum) {
  int64_t months = 0;
  int64_t days = 0;
  int64_t micros = 0;
  const uint64_t denominator = PowerOfTen64(amount.fraction_digits);
  switch (unit.kind) {
    case UnitKind::kMicros:
      if (!CheckedMul(amount.whole, unit.factor, &micros) ||
          !CheckedAdd(micros,
                      ScaleFraction(amount.fraction_numerator, amount.fraction_digits, unit.factor),
                      &micros)) {
        return false;
      }
      break;
    case UnitKind::kDays:
    case UnitKind::kMonth: {
      // A fraction of a month counts 30 days, as in PostgreSQL. The whole days of the fraction
      // go to days, the rest to microseconds.
      const bool is_month = unit.kind == UnitKind::kMonth;
      const int64_t days_per_unit = is_month ? 30 : unit.factor;
      if (is_month) {
        months = amount.whole;
      } else if (!CheckedMul(amount.whole, unit.factor, &days)) {
        return false;
      }
      const uint64_t scaled = amount.fraction_numerator * static_cast<uint64_t>(days_per_unit);
      if (!CheckedAdd(days, static_cast<int64_t>(scaled / denominator), &days)) return false;
      micros = ScaleFraction(scaled % denominator, amount.fraction_digits, kMicrosPerDay);
      break;
    }
    case UnitKind::kYears:
      if (!CheckedMul(amount.whole, unit.factor, &months) ||
          !CheckedAdd(months,
                      ScaleFraction(amount.fraction_numerator, amount.fraction_digits, unit.factor),
                      &months)) {
        return false;
      }
      break;
  }
  return AddSigned(&sum->months, months, amount.negative) &&
         AddSigned(&sum->days, days, amount.negative) &&
         AddSigned(&sum->micros, micros, amount.negative);
}

// Reads `[+-]H+:MM[:SS[.f]]` and adds it to `sum`.
Status ParseIntervalTime(Cursor* cursor, std::string_view text, IntervalSum* sum) {
  bool negative = false;
  if (cursor->Consume('-')) {
    negative = true;
  } else {
    (void)cursor->Consume('+');
  }
  constexpr std::string_view kExpected = "expected a time H:MM[:SS[.ffffff]]";
  int64_t hours = 0;
  int64_t minutes = 0;
  int64_t seconds = 0;
  int64_t fraction = 0;
  int hour_digits = 0;
  while (IsDigit(cursor->Peek()) && !cursor->AtEnd()) {
    if (!CheckedMul(hours, 10, &hours) || !CheckedAdd(hours, cursor->Peek() - '0', &hours)) {
      return OutOfRange(kIntervalName, text);
    }
    ++hour_digits;
    cursor->Advance();
  }
  if (hour_digits == 0 || !cursor->Consume(':') || cursor->ConsumeDigits(2, &minutes) != 2) {
    return InvalidLiteral(kIntervalName, text, kExpected);
  }
  if (cursor->Consume(':')) {
    if (cursor->ConsumeDigits(2, &seconds) != 2) {
      return InvalidLiteral(kIntervalName, text, kExpected);
    }
    if (cursor->Consume('.') && !ConsumeFractionMicros(cursor, &fraction)) {
      return InvalidLiteral(kIntervalName, text, "expected digits after the decimal point");
    }
  }
  if (IsDigit(cursor->Peek()) || cursor->Peek() == ':' || cursor->Peek() == '.') {
    return InvalidLiteral(kIntervalName, text, kExpected);
  }
  if (minutes > 59) return InvalidLiteral(kIntervalName, text, "minutes must be 0..59");
  if (seconds > 59) return InvalidLiteral(kIntervalName, text, "seconds must be 0..59");
  // Build the signed value directly so that the most negative time (-2562047788:00:54.775808)
  // does not overflow as a positive magnitude first.
  const int64_t rest = minutes * kMicrosPerMinute + seconds * kMicrosPerSecond + fraction;
  int64_t micros = 0;
  if (!CheckedMul(hours, negative ? -kMicrosPerHour : kMicrosPerHour, &micros) ||
      !CheckedAdd(micros, negative ? -rest : rest, &micros) ||
      !CheckedAdd(sum->micros, micros, &sum->micros)) {
    return OutOfRange(kIntervalName, text);
  }
  return Status::Ok();
}

Result<Interval> NarrowInterval(const IntervalSum& sum, std::string_view text) {
  constexpr int64_t kMin = std::numeric_limits<int32_t>::min();
  constexpr int64_t kMax = std::numeric_limits<int32_t>::max();
  if (sum.months < kMin || sum.months > kMax || sum.days < kMin || sum.days > kMax) {
    return OutOfRange(kIntervalName, text);
  }
  return Interval{static_cast<int32_t>(sum.months), static_cast<int32_t>(sum.days), sum.micros};
}

// Appends one "N unit(s)" part of the postgres interval style (PostgreSQL's AddPostgresIntPart).
void AppendIntervalPart(int64_t value, std::string_view unit, fmt::memory_buffer* out,
                        bool* is_zero, bool* is_before) {
  if (value == 0) return;
  fmt::format_to(std::back_inserter(*out), "{}{}{} {}{}", *is_zero ? "" : " ",
                 (*is_before && value > 0) ? "+" : "", value, unit, value != 1 ? "s" : "");
  // Each non-zero part decides whether the next positive part shows a '+'.
  *is_before = value < 0;
  *is_zero = false;
}

}  // namespace

int64_t DaysFromCivil(int64_t year, unsigned month, unsigned day) {
  using Wide = __int128;
  const Wide shifted_year = Wide{year} - (month <= 2 ? 1 : 0);
  const Wide era = (shifted_year >= 0 ? shifted_year : shifted_year - 399) / 400;
  const Wide year_of_era = shifted_year - era * 400;                                // [0, 399]
  const unsigned month_from_march = month > 2 ? month - 3 : month + 9;              // [0, 11]
  const Wide day_of_year = (153 * Wide{month_from_march} + 2) / 5 + Wide{day} - 1;  // [0, 365]
  const Wide day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  const Wide days = era * kDaysPerEra + day_of_era - kEpochShift;
  if (days > std::numeric_limits<int64_t>::max()) return std::numeric_limits<int64_t>::max();
  if (days < std::numeric_limits<int64_t>::min()) return std::numeric_limits<int64_t>::min();
  return static_cast<int64_t>(days);
}

void CivilFromDays(int64_t days, int64_t* year, unsigned* month, unsigned* day) {
  // Split before shifting to 0000-03-01 so that no step can overflow.
  int64_t era = FloorDiv(days, kDaysPerEra);
  int64_t day_of_era = FloorMod(days, kDaysPerEra) + kEpochShift;
  era += day_of_era / kDaysPerEra;
  day_of_era %= kDaysPerEra;  // [0, 146096]
  const int64_t year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  const int64_t day_of_year =
      day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const int64_t month_from_march = (5 * day_of_year + 2) / 153;  // [0, 11]
  *day = static_cast<unsigned>(day_of_year - (153 * month_from_march + 2) / 5 + 1);
  *month =
      static_cast<unsigned>(month_from_march < 10 ? month_from_march + 3 : month_from_march - 9);
  *year = year_of_era + era * 400 + (*month <= 2 ? 1 : 0);
}

bool IsLeapYear(int64_t year) { return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0); }

unsigned DaysInMonth(int64_t year, unsigned month) {
  constexpr std::array<unsigned, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12) return 0;
  return month == 2 && IsLeapYear(year) ? 29 : kDays[month - 1];
}

std::string FormatDate(int32_t days) {
  fmt::memory_buffer out;
  bool before_christ = false;
  AppendDate(days, &out, &before_christ);
  if (before_christ) out.append(std::string_view(" BC"));
  return fmt::to_string(out);
}

std::string FormatTimestamp(int64_t micros) { return FormatTimestampImpl(micros, false); }

std::string FormatTimestampTz(int64_t micros) { return FormatTimestampImpl(micros, true); }

std::string FormatInterval(const Interval& interval) {
  fmt::memory_buffer out;
  bool is_zero = true;
  bool is_before = false;
  AppendIntervalPart(interval.months / 12, "year", &out, &is_zero, &is_before);
  AppendIntervalPart(interval.months % 12, "mon", &out, &is_zero, &is_before);
  AppendIntervalPart(interval.days, "day", &out, &is_zero, &is_before);
  if (is_zero || interval.micros != 0) {
    const bool minus = interval.micros < 0;
    // The magnitude in unsigned arithmetic, which is defined even for INT64_MIN.
    const uint64_t magnitude =
        minus ? 0 - static_cast<uint64_t>(interval.micros) : static_cast<uint64_t>(interval.micros);
    const uint64_t hours = magnitude / kMicrosPerHour;
    const uint64_t minutes = magnitude / kMicrosPerMinute % 60;
    const uint64_t seconds = magnitude / kMicrosPerSecond % 60;
    fmt::format_to(std::back_inserter(out), "{}{}{:02}:{:02}:{:02}", is_zero ? "" : " ",
                   minus ? "-" : (is_before ? "+" : ""), hours, minutes, seconds);
    AppendFraction(static_cast<int64_t>(magnitude % kMicrosPerSecond), &out);
  }
  return fmt::to_string(out);
}

Result<int32_t> ParseDate(std::string_view text) {
  constexpr std::string_view kTypeName = "DATE";
  Cursor cursor(Trim(text));
  DateFields fields;
  LAMINAR_RETURN_IF_ERROR(ParseDateFields(&cursor, kTypeName, text, &fields));
  const bool before_christ = ConsumeEra(&cursor);
  if (!cursor.AtEnd()) return InvalidLiteral(kTypeName, text, "unexpected text after the date");
  int64_t days = 0;
  LAMINAR_RETURN_IF_ERROR(ResolveDate(fields, before_christ, kTypeName, text, &days));
  if (days < std::numeric_limits<int32_t>::min() || days > std::numeric_limits<int32_t>::max()) {
    return OutOfRange(kTypeName, text);
  }
  return static_cast<int32_t>(days);
}

Result<int64_t> ParseTimestamp(std::string_view text) {
  constexpr std::string_view kTypeName = "TIMESTAMP";
  Cursor cursor(Trim(text));
  DateFields fields;
  LAMINAR_RETURN_IF_ERROR(ParseDateFields(&cursor, kTypeName, text, &fields));
  int64_t time_micros = 0;
  if (cursor.Peek() == 'T' || cursor.Peek() == 't') {
    cursor.Advance();
    LAMINAR_RETURN_IF_ERROR(ParseTimeOfDay(&cursor, text, &time_micros));
  } else if (IsSpace(cursor.Peek())) {
    cursor.SkipSpaces();
    if (IsDigit(cursor.Peek())) {
      LAMINAR_RETURN_IF_ERROR(ParseTimeOfDay(&cursor, text, &time_micros));
    }
  }
  int64_t offset_micros = 0;
  LAMINAR_RETURN_IF_ERROR(ParseUtcOffset(&cursor, text, &offset_micros));
  const bool before_christ = ConsumeEra(&cursor);
  if (!cursor.AtEnd()) {
    return InvalidLiteral(kTypeName, text,
                          "expected YYYY-MM-DD[ HH:MM[:SS[.ffffff]]][Z|+HH[:MM]|-HH[:MM]]");
  }
  int64_t days = 0;
  LAMINAR_RETURN_IF_ERROR(ResolveDate(fields, before_christ, kTypeName, text, &days));
  // Sum in 128 bits: the day's start alone may be out of range when the final instant is not
  // (INT64_MIN is in the middle of a day).
  const __int128 micros = static_cast<__int128>(days) * kMicrosPerDay + time_micros - offset_micros;
  if (micros < std::numeric_limits<int64_t>::min() ||
      micros > std::numeric_limits<int64_t>::max()) {
    return OutOfRange(kTypeName, text);
  }
  return static_cast<int64_t>(micros);
}

Result<Interval> ParseInterval(std::string_view text) {
  Cursor cursor(Trim(text));
  IntervalSum sum;
  bool any_part = false;
  bool ago = false;
  while (true) {
    cursor.SkipSpaces();
    if (cursor.AtEnd()) break;
    if (IsAlpha(cursor.Peek())) {
      const std::string_view word = cursor.ConsumeWord();
      cursor.SkipSpaces();
      if (EqualsIgnoreCase(word, "ago") && any_part && cursor.AtEnd()) {
        ago = true;
        break;
      }
      return InvalidLiteral(kIntervalName, text,
                            fmt::format("expected a number before '{}'", Quoted(word)));
    }
    // A number followed by ':' starts a time; otherwise it is an amount followed by a unit.
    const size_t start = cursor.position();
    (void)(cursor.Consume('-') || cursor.Consume('+'));
    while (IsDigit(cursor.Peek()) && !cursor.AtEnd()) cursor.Advance();
    const bool is_time = cursor.Peek() == ':';
    cursor.set_position(start);
    any_part = true;
    if (is_time) {
      LAMINAR_RETURN_IF_ERROR(ParseIntervalTime(&cursor, text, &sum));
      continue;
    }
    Amount amount;
    LAMINAR_RETURN_IF_ERROR(ParseAmount(&cursor, text, &amount));
    cursor.SkipSpaces();
    const IntervalUnit* unit = nullptr;
    if (cursor.AtEnd()) {
      unit = FindIntervalUnit("second");  // A bare number at the end counts seconds.
    } else {
      const std::string_view word = cursor.ConsumeWord();
      if (word.empty()) {
        return InvalidLiteral(kIntervalName, text,
                              "expected a unit such as 'seconds', 'minutes' or 'days' after a "
                              "number");
      }
      unit = FindIntervalUnit(word);
      if (unit == nullptr) {
        return InvalidLiteral(kIntervalName, text, fmt::format("unknown unit '{}'", Quoted(word)));
      }
    }
    if (!AddAmount(amount, *unit, &sum)) return OutOfRange(kIntervalName, text);
  }
  if (!any_part) {
    return InvalidLiteral(kIntervalName, text, "expected an amount and a unit, e.g. '5 minutes'");
  }
  if (ago && (__builtin_sub_overflow(0, sum.months, &sum.months) ||
              __builtin_sub_overflow(0, sum.days, &sum.days) ||
              __builtin_sub_overflow(0, sum.micros, &sum.micros))) {
    return OutOfRange(kIntervalName, text);
  }
  return NarrowInterval(sum, text);
}

Result<Interval> IntervalFromQualifier(std::string_view amount, std::string_view unit) {
  const std::string_view amount_text = Trim(amount);
  Cursor cursor(amount_text);
  Amount parsed;
  LAMINAR_RETURN_IF_ERROR(ParseAmount(&cursor, amount, &parsed));
  if (!cursor.AtEnd()) {
    return InvalidLiteral(kIntervalName, amount,
                          fmt::format("expected a number for INTERVAL '...' {}", Quoted(unit)));
  }
  const IntervalUnit* found = FindIntervalUnit(Trim(unit));
  if (found == nullptr) {
    return InvalidLiteral(kIntervalName, amount,
                          fmt::format("unknown interval unit '{}'", Quoted(unit)));
  }
  IntervalSum sum;
  if (!AddAmount(parsed, *found, &sum)) return OutOfRange(kIntervalName, amount);
  // Like PostgreSQL, keep only the precision of the qualifier: INTERVAL '1.5' HOUR is 01:00:00.
  // Truncation is toward zero, and only SECOND and finer units keep fractions.
  switch (found->kind) {
    case UnitKind::kMicros:
      if (found->factor > kMicrosPerSecond) sum.micros -= sum.micros % found->factor;
      break;
    case UnitKind::kDays:
      sum.micros = 0;
      break;
    case UnitKind::kMonth:
      sum.days = 0;
      sum.micros = 0;
      break;
    case UnitKind::kYears:
      sum.months -= sum.months % 12;
      sum.days = 0;
      sum.micros = 0;
      break;
  }
  return NarrowInterval(sum, amount);
}

std::optional<int64_t> IntervalFixedMicros(const Interval& interval) {
  if (interval.months != 0) return std::nullopt;
  int64_t micros = 0;
  if (!CheckedMul(interval.days, kMicrosPerDay, &micros) ||
      !CheckedAdd(micros, interval.micros, &micros)) {
    return std::nullopt;
  }
  return micros;
}

}  // namespace laminar
