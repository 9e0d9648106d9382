#pragma once

// Scalar kernels: one small op struct per function or operator, written once and instantiated
// for every physical type the function supports. The expression evaluator (src/exec/) runs them
// in tight loops over raw column arrays; it owns NULL handling, selection vectors and error
// messages, so an op only computes one value from non-NULL inputs.
//
// Op contract: `KernelFlags Call(inputs..., Out* out) const` writes the result and returns 0, or
// returns one of the kKernel* flags below (the output is then unspecified but initialized). An
// op must be defined for every bit pattern of its inputs, because the evaluator also runs it on
// the slots of NULL rows (whose payload is arbitrary) and only reports flags of valid rows.
// Ops never allocate, never throw and never have undefined behaviour.
//
// Thread-safety: ops are immutable values; any number of threads may call them.

#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

#include "columnar/decimal.h"
#include "columnar/temporal.h"

namespace laminar::functions {

/// What went wrong in one row; flags of several rows may be OR-ed together.
using KernelFlags = uint8_t;
inline constexpr KernelFlags kKernelOk = 0;
inline constexpr KernelFlags kKernelOverflow = 1;        // kNumericOverflow.
inline constexpr KernelFlags kKernelDivisionByZero = 2;  // kDivisionByZero.
inline constexpr KernelFlags kKernelInvalidInput = 4;    // kInvalidCast / kInvalidArgument.

// ---------------------------------------------------------------------------------------------
// Arithmetic on integers and floating point. Integer overflow is reported. Floating point
// follows PostgreSQL (float.h): a finite result from infinite inputs is fine, but an infinite
// result from finite inputs is an overflow, a zero product or quotient of non-zero finite
// inputs is an underflow (both LDB-3001), and division and modulo by zero are errors.

/// PostgreSQL's float8 overflow and underflow checks for a result of `a op b`.
template <typename T>
inline KernelFlags FloatRangeCheck(T result, T a, T b, bool check_underflow) {
  const bool overflow = std::isinf(result) && !std::isinf(a) && !std::isinf(b);
  const bool underflow = check_underflow && result == T{0} && a != T{0} && b != T{0} &&
                         !std::isinf(a) && !std::isinf(b);
  return (overflow || underflow) ? kKernelOverflow : kKernelOk;
}

struct AddOp {
  template <typename T>
  KernelFlags Call(T a, T b, T* out) const {
    if constexpr (std::is_floating_point_v<T>) {
      *out = a + b;
      return FloatRangeCheck(*out, a, b, false);
    } else {
      return __builtin_add_overflow(a, b, out) ? kKernelOverflow : kKernelOk;
    }
  }
};

struct SubtractOp {
  template <typename T>
  KernelFlags Call(T a, T b, T* out) const {
    if constexpr (std::is_floating_point_v<T>) {
      *out = a - b;
      return FloatRangeCheck(*out, a, b, false);
    } else {
      return __builtin_sub_overflow(a, b, out) ? kKernelOverflow : kKernelOk;
    }
  }
};

struct MultiplyOp {
  template <typename T>
  KernelFlags Call(T a, T b, T* out) const {
    if constexpr (std::is_floating_point_v<T>) {
      *out = a * b;
      return FloatRangeCheck(*out, a, b, true);
    } else {
      return __builtin_mul_overflow(a, b, out) ? kKernelOverflow : kKernelOk;
    }
  }
};

/// Integer division truncates toward zero, as in PostgreSQL.
struct DivideOp {
  template <typename T>
  KernelFlags Call(T a, T b, T* out) const {
    if (b == 0) {
      *out = 0;
      return kKernelDivisionByZero;
    }
    if constexpr (std::is_floating_point_v<T>) {
      *out = a / b;
      // Dividing by infinity may give zero; only a finite divisor can underflow.
      return FloatRangeCheck(*out, a, std::isinf(b) ? T{0} : b, !std::isinf(b));
    } else {
      if (b == -1) return __builtin_sub_overflow(T{0}, a, out) ? kKernelOverflow : kKernelOk;
      *out = static_cast<T>(a / b);
    }
    return kKernelOk;
  }
};

/// The remainder has the sign of the dividend, as in PostgreSQL.
struct ModuloOp {
  template <typename T>
  KernelFlags Call(T a, T b, T* out) const {
    if (b == 0) {
      *out = 0;
      return kKernelDivisionByZero;
    }
    if constexpr (std::is_floating_point_v<T>) {
      *out = std::fmod(a, b);
    } else {
      *out = b == -1 ? T{0} : static_cast<T>(a % b);
    }
    return kKernelOk;
  }
};

struct NegateOp {
  template <typename T>
  KernelFlags Call(T a, T* out) const {
    if constexpr (std::is_floating_point_v<T>) {
      *out = -a;
      return kKernelOk;
    } else {
      return __builtin_sub_overflow(T{0}, a, out) ? kKernelOverflow : kKernelOk;
    }
  }
};

// ---------------------------------------------------------------------------------------------
// DECIMAL arithmetic. Operands keep their own scales; the op brings them to a common exact
// scale, computes in 128 bits with overflow checks, rounds half away from zero to the result
// scale and checks the result precision.

/// `value / divisor` rounded half away from zero. REQUIRES: divisor > 0.
inline Decimal128 DecimalRoundDivide(Decimal128 value, Decimal128 divisor) {
  Decimal128 quotient = value / divisor;
  Decimal128 remainder = value % divisor;
  if (remainder < 0) remainder = -remainder;
  if (remainder >= divisor - remainder) quotient += value < 0 ? -1 : 1;
  return quotient;
}

/// 10^exponent for 0 <= exponent <= 38, without the checks of PowerOfTen (hot loops).
inline Decimal128 DecimalPowerOfTen(int exponent) {
  Decimal128 result = 1;
  for (int i = 0; i < exponent; ++i) result *= 10;
  return result;
}

/// Precomputed scale factors of one DECIMAL operation, built once when the evaluator is made.
struct DecimalScales {
  Decimal128 left_multiplier = 1;   // Brings the left operand to the exact scale.
  Decimal128 right_multiplier = 1;  // Brings the right operand to the exact scale.
  Decimal128 result_divisor = 1;    // From the exact scale to the result scale (rounding).
  Decimal128 result_limit = 1;      // 10^result precision: |result| must stay below.
};

/// + and - (`subtract` chooses).
struct DecimalAddOp {
  DecimalScales scales;
  bool subtract = false;
  KernelFlags Call(Decimal128 a, Decimal128 b, Decimal128* out) const {
    Decimal128 left;
    Decimal128 right;
    if (__builtin_mul_overflow(a, scales.left_multiplier, &left) ||
        __builtin_mul_overflow(b, scales.right_multiplier, &right)) {
      return kKernelOverflow;
    }
    Decimal128 exact;
    bool overflow = subtract ? __builtin_sub_overflow(left, right, &exact)
                             : __builtin_add_overflow(left, right, &exact);
    if (overflow) return kKernelOverflow;
    return Finish(exact, out);
  }
  KernelFlags Finish(Decimal128 exact, Decimal128* out) const {
    if (scales.result_divisor != 1) exact = DecimalRoundDivide(exact, scales.result_divisor);
    *out = exact;
    return (exact < scales.result_limit && exact > -scales.result_limit) ? kKernelOk
                                                                         : kKernelOverflow;
  }
};

struct DecimalMultiplyOp {
  DecimalScales scales;  // Multipliers unused: the exact scale is s1 + s2.
  KernelFlags Call(Decimal128 a, Decimal128 b, Decimal128* out) const {
    Decimal128 exact;
    if (__builtin_mul_overflow(a, b, &exact)) return kKernelOverflow;
    DecimalAddOp finisher{scales, false};
    return finisher.Finish(exact, out);
  }
};

/// a / b at the result scale: a * 10^(s - s1 + s2) / b (left_multiplier), or a / (b * 10^k)
/// when that exponent is negative (right_multiplier), rounded half away from zero.
struct DecimalDivideOp {
  DecimalScales scales;
  KernelFlags Call(Decimal128 a, Decimal128 b, Decimal128* out) const {
    *out = 0;
    if (b == 0) return kKernelDivisionByZero;
    Decimal128 numerator;
    Decimal128 denominator;
    if (__builtin_mul_overflow(a, scales.left_multiplier, &numerator) ||
        __builtin_mul_overflow(b, scales.right_multiplier, &denominator)) {
      return kKernelOverflow;
    }
    if (denominator < 0) {
      if (__builtin_sub_overflow(Decimal128{0}, denominator, &denominator) ||
          __builtin_sub_overflow(Decimal128{0}, numerator, &numerator)) {
        return kKernelOverflow;
      }
    }
    Decimal128 result = DecimalRoundDivide(numerator, denominator);
    *out = result;
    return (result < scales.result_limit && result > -scales.result_limit) ? kKernelOk
                                                                           : kKernelOverflow;
  }
};

struct DecimalModuloOp {
  DecimalScales scales;
  KernelFlags Call(Decimal128 a, Decimal128 b, Decimal128* out) const {
    *out = 0;
    Decimal128 left;
    Decimal128 right;
    if (__builtin_mul_overflow(a, scales.left_multiplier, &left) ||
        __builtin_mul_overflow(b, scales.right_multiplier, &right)) {
      return kKernelOverflow;
    }
    if (right == 0) return kKernelDivisionByZero;
    DecimalAddOp finisher{scales, false};
    return finisher.Finish(left % right, out);
  }
};

struct DecimalNegateOp {
  KernelFlags Call(Decimal128 a, Decimal128* out) const {
    return __builtin_sub_overflow(Decimal128{0}, a, out) ? kKernelOverflow : kKernelOk;
  }
};

// ---------------------------------------------------------------------------------------------
// Numeric functions (abs, round, floor, ceil, trunc, sign, sqrt, exp, ln, log, power), with
// PostgreSQL's domains: the logarithm of zero or of a negative number, the square root of a
// negative number, zero to a negative power and a negative number to a fractional power are
// invalid arguments; a finite argument whose result is infinite or underflows to zero is out of
// range (PostgreSQL reports underflow as an error too).

/// abs: integers check the one value without a positive counterpart (INT64_MIN and friends).
struct AbsOp {
  template <typename T>
  KernelFlags Call(T a, T* out) const {
    if constexpr (std::is_floating_point_v<T>) {
      *out = std::fabs(a);
      return kKernelOk;
    } else {
      *out = a;
      if (a >= 0) return kKernelOk;
      return __builtin_sub_overflow(T{0}, a, out) ? kKernelOverflow : kKernelOk;
    }
  }
};

/// sign: -1, 0 or 1 in the argument's type (NaN gives 0, as in PostgreSQL).
struct SignOp {
  template <typename T>
  KernelFlags Call(T a, T* out) const {
    *out = a > 0 ? T{1} : (a < 0 ? T{-1} : T{0});
    return kKernelOk;
  }
};

/// How a value is brought to fewer digits.
enum class Rounding : uint8_t {
  kHalfEven,          // round(double): PostgreSQL's rint().
  kHalfAwayFromZero,  // round(decimal), round(double, n).
  kFloor,
  kCeil,
  kTruncate,
};

/// round/floor/ceil/trunc of a DOUBLE or REAL to an integral value.
struct FloatRoundOp {
  Rounding rounding = Rounding::kHalfEven;
  template <typename T>
  KernelFlags Call(T a, T* out) const {
    switch (rounding) {
      case Rounding::kHalfEven:
        *out = std::nearbyint(a);
        break;
      case Rounding::kHalfAwayFromZero:
        *out = std::round(a);
        break;
      case Rounding::kFloor:
        *out = std::floor(a);
        break;
      case Rounding::kCeil:
        *out = std::ceil(a);
        break;
      case Rounding::kTruncate:
        *out = std::trunc(a);
        break;
    }
    return kKernelOk;
  }
};

/// round(double, n) (half away from zero) and trunc(double, n) to n digits after the point (n
/// may be negative: round(1234.5, -2) is 1200).
struct FloatRoundDigitsOp {
  Rounding rounding = Rounding::kHalfAwayFromZero;
  KernelFlags Call(double a, int32_t digits, double* out) const;
};

/// 10^exponent as a Decimal128 from a table. REQUIRES: 0 <= exponent <= 38.
Decimal128 DecimalPowerOfTenTable(int exponent);

/// value / divisor brought to an integer with `rounding` (kHalfEven is not used for DECIMAL).
/// REQUIRES: divisor > 0.
Decimal128 DecimalDivideRounding(Decimal128 value, Decimal128 divisor, Rounding rounding);

/// round/floor/ceil/trunc of DECIMAL(p,s) to scale 0: value / 10^s rounded, within the result
/// precision (`limit` = 10^precision).
struct DecimalRoundOp {
  Decimal128 divisor = 1;
  Decimal128 limit = 1;
  Rounding rounding = Rounding::kHalfAwayFromZero;
  KernelFlags Call(Decimal128 a, Decimal128* out) const {
    *out = DecimalDivideRounding(a, divisor, rounding);
    return (*out<limit&& * out> - limit) ? kKernelOk : kKernelOverflow;
  }
};

/// round(DECIMAL(p,s), n) and trunc(DECIMAL(p,s), n): the value rounded to n digits after the
/// point, keeping the scale s (round(1.25, 1) is 1.30 for DECIMAL(3,2)).
struct DecimalRoundDigitsOp {
  int scale = 0;
  Decimal128 limit = 1;
  Rounding rounding = Rounding::kHalfAwayFromZero;
  KernelFlags Call(Decimal128 a, int32_t digits, Decimal128* out) const {
    *out = a;
    if (digits >= scale) return kKernelOk;
    int64_t drop = int64_t{scale} - digits;  // Digits to clear, > 0.
    if (drop > kMaxDecimalPrecision) {
      *out = 0;
      return kKernelOk;
    }
    Decimal128 unit = DecimalPowerOfTenTable(static_cast<int>(drop));
    Decimal128 rounded = DecimalDivideRounding(a, unit, rounding);
    if (__builtin_mul_overflow(rounded, unit, out)) return kKernelOverflow;
    return (*out<limit&& * out> - limit) ? kKernelOk : kKernelOverflow;
  }
};

/// sign(DECIMAL) as DECIMAL(1,0).
struct DecimalSignOp {
  KernelFlags Call(Decimal128 a, Decimal128* out) const {
    *out = a > 0 ? 1 : (a < 0 ? -1 : 0);
    return kKernelOk;
  }
};

/// The DOUBLE functions with a restricted domain.
enum class MathFunction : uint8_t { kSqrt, kExp, kLn, kLog10 };

struct MathOp {
  MathFunction function = MathFunction::kSqrt;
  KernelFlags Call(double a, double* out) const;
};

/// log(base, x): ln(x) / ln(base). A base of 1 is a division by zero, as in PostgreSQL.
struct LogBaseOp {
  KernelFlags Call(double base, double x, double* out) const;
};

/// power(x, y), also x ^ y.
struct PowerOp {
  KernelFlags Call(double x, double y, double* out) const;
};

// ---------------------------------------------------------------------------------------------
// Comparisons. Floating point uses PostgreSQL's total order: NaN equals NaN and sorts above
// every other value, so comparisons never depend on IEEE unordered results.

/// -1, 0 or 1.
template <typename T>
int CompareValues(const T& a, const T& b) {
  if constexpr (std::is_floating_point_v<T>) {
    bool a_nan = std::isnan(a);
    bool b_nan = std::isnan(b);
    if (a_nan || b_nan) return a_nan == b_nan ? 0 : (a_nan ? 1 : -1);
  }
  return a < b ? -1 : (b < a ? 1 : 0);
}

/// INTERVAL values compare by their span with PostgreSQL's conventions (a month is 30 days, a
/// day 24 hours), so '1 mon' = '30 days'. Computed in 128 bits: never overflows.
inline __int128 IntervalSpan(const Interval& value) {
  return static_cast<__int128>(value.months) * 30 * kMicrosPerDay +
         static_cast<__int128>(value.days) * kMicrosPerDay + value.micros;
}

inline int CompareValues(const Interval& a, const Interval& b) {
  return CompareValues(IntervalSpan(a), IntervalSpan(b));
}

enum class Comparison : uint8_t { kEqual, kNotEqual, kLess, kLessEqual, kGreater, kGreaterEqual };

template <Comparison kComparison>
struct CompareOp {
  template <typename T>
  KernelFlags Call(const T& a, const T& b, bool* out) const {
    if constexpr (!std::is_floating_point_v<T> && !std::is_same_v<T, Interval>) {
      if constexpr (kComparison == Comparison::kEqual) *out = a == b;
      if constexpr (kComparison == Comparison::kNotEqual) *out = a != b;
      if constexpr (kComparison == Comparison::kLess) *out = a < b;
      if constexpr (kComparison == Comparison::kLessEqual) *out = a <= b;
      if constexpr (kComparison == Comparison::kGreater) *out = a > b;
      if constexpr (kComparison == Comparison::kGreaterEqual) *out = a >= b;
    } else {
      int order = CompareValues(a, b);
      if constexpr (kComparison == Comparison::kEqual) *out = order == 0;
      if constexpr (kComparison == Comparison::kNotEqual) *out = order != 0;
      if constexpr (kComparison == Comparison::kLess) *out = order < 0;
      if constexpr (kComparison == Comparison::kLessEqual) *out = order <= 0;
      if constexpr (kComparison == Comparison::kGreater) *out = order > 0;
      if constexpr (kComparison == Comparison::kGreaterEqual) *out = order >= 0;
    }
    return kKernelOk;
  }
};

// ---------------------------------------------------------------------------------------------
// Numeric casts. Narrowing is range-checked; floating point to integer rounds half to even
// (PostgreSQL's rint); DECIMAL scale reduction rounds half away from zero.

template <typename From, typename To>
struct NumericCastOp {
  KernelFlags Call(From value, To* out) const {
    if constexpr (std::is_same_v<To, bool>) {
      *out = value != 0;
      return kKernelOk;
    } else if constexpr (std::is_same_v<From, bool>) {
      *out = value ? To{1} : To{0};
      return kKernelOk;
    } else if constexpr (std::is_floating_point_v<To>) {
      *out = static_cast<To>(value);
      if constexpr (std::is_floating_point_v<From> && sizeof(To) < sizeof(From)) {
        if (std::isinf(*out) && !std::isinf(value)) return kKernelOverflow;
      }
      return kKernelOk;
    } else if constexpr (std::is_floating_point_v<From>) {
      *out = 0;
      From rounded = std::nearbyint(value);
      // 2^(bits-1) is exactly representable; the valid range is [-2^(bits-1), 2^(bits-1)).
      constexpr From kLimit =
          static_cast<From>(static_cast<double>(std::numeric_limits<To>::max()) + 1.0);
      if (!(rounded >= -kLimit && rounded < kLimit)) return kKernelOverflow;
      *out = static_cast<To>(rounded);
      return kKernelOk;
    } else {
      if (!std::in_range<To>(value)) {
        *out = 0;
        return kKernelOverflow;
      }
      *out = static_cast<To>(value);
      return kKernelOk;
    }
  }
};

/// An integer (or BOOLEAN) to DECIMAL: value * 10^scale within the precision.
template <typename From>
struct IntegerToDecimalOp {
  Decimal128 multiplier = 1;
  Decimal128 limit = 1;
  KernelFlags Call(From value, Decimal128* out) const {
    if (__builtin_mul_overflow(static_cast<Decimal128>(value), multiplier, out)) {
      return kKernelOverflow;
    }
    return (*out<limit&& * out> - limit) ? kKernelOk : kKernelOverflow;
  }
};

/// DECIMAL to DECIMAL (any scales), or DECIMAL to an integer type (To != Decimal128).
template <typename To>
struct DecimalRescaleOp {
  Decimal128 multiplier = 1;  // When the scale grows.
  Decimal128 divisor = 1;     // When the scale shrinks (rounding).
  Decimal128 limit = 1;       // 10^precision for DECIMAL targets.
  KernelFlags Call(Decimal128 value, To* out) const {
    *out = 0;
    Decimal128 scaled;
    if (__builtin_mul_overflow(value, multiplier, &scaled)) return kKernelOverflow;
    if (divisor != 1) scaled = DecimalRoundDivide(scaled, divisor);
    if constexpr (std::is_same_v<To, Decimal128>) {
      *out = scaled;
      return (scaled < limit && scaled > -limit) ? kKernelOk : kKernelOverflow;
    } else {
      if (scaled < std::numeric_limits<To>::min() || scaled > std::numeric_limits<To>::max()) {
        return kKernelOverflow;
      }
      *out = static_cast<To>(scaled);
      return kKernelOk;
    }
  }
};

template <typename To>
struct DecimalToFloatOp {
  double divisor = 1;
  KernelFlags Call(Decimal128 value, To* out) const {
    *out = static_cast<To>(static_cast<double>(value) / divisor);
    return kKernelOk;
  }
};

template <typename From>
struct FloatToDecimalOp {
  double multiplier = 1;
  Decimal128 limit = 1;
  KernelFlags Call(From value, Decimal128* out) const {
    *out = 0;
    double scaled = std::round(static_cast<double>(value) * multiplier);
    if (!(scaled > -1e38 && scaled < 1e38)) return kKernelOverflow;
    *out = static_cast<Decimal128>(scaled);
    return (*out<limit&& * out> - limit) ? kKernelOk : kKernelOverflow;
  }
};

// ---------------------------------------------------------------------------------------------
// Date and time.

/// DATE to TIMESTAMP: midnight of the day.
struct DateToTimestampOp {
  KernelFlags Call(int32_t days, int64_t* out) const {
    return __builtin_mul_overflow(int64_t{days}, kMicrosPerDay, out) ? kKernelOverflow : kKernelOk;
  }
};

/// TIMESTAMP to DATE: the day, rounding toward minus infinity.
struct TimestampToDateOp {
  KernelFlags Call(int64_t micros, int32_t* out) const {
    int64_t days = micros / kMicrosPerDay;
    if (micros % kMicrosPerDay < 0) --days;
    *out = static_cast<int32_t>(days);
    return kKernelOk;
  }
};

/// Splits microseconds since the epoch into days and the time of day (0 <= time < a day).
inline void SplitTimestamp(int64_t micros, int64_t* days, int64_t* time_of_day) {
  *days = micros / kMicrosPerDay;
  *time_of_day = micros % kMicrosPerDay;
  if (*time_of_day < 0) {
    *time_of_day += kMicrosPerDay;
    *days -= 1;
  }
}

/// timestamp + interval (or - with `subtract`): months by civil arithmetic (the day of month is
/// clamped to the end of the target month, as in PostgreSQL), then days and microseconds.
struct TimestampAddIntervalOp {
  bool subtract = false;
  KernelFlags Call(int64_t micros, const Interval& interval, int64_t* out) const;
  KernelFlags Call(const Interval& interval, int64_t micros, int64_t* out) const {
    return Call(micros, interval, out);
  }
};

/// timestamp - timestamp: PostgreSQL's result, whole days plus the remaining time, both with
/// the sign of the difference ("1 day 03:00:00").
struct TimestampDifferenceOp {
  KernelFlags Call(int64_t a, int64_t b, Interval* out) const {
    *out = Interval{};
    int64_t difference;
    if (__builtin_sub_overflow(a, b, &difference)) return kKernelOverflow;
    out->days = static_cast<int32_t>(difference / kMicrosPerDay);
    out->micros = difference % kMicrosPerDay;
    return kKernelOk;
  }
};

/// date + interval (or - with `subtract`): the date's midnight plus the interval, a TIMESTAMP.
struct DateAddIntervalOp {
  bool subtract = false;
  KernelFlags Call(int32_t date, const Interval& interval, int64_t* out) const {
    int64_t midnight;
    if (__builtin_mul_overflow(int64_t{date}, kMicrosPerDay, &midnight)) {
      *out = 0;
      return kKernelOverflow;
    }
    return TimestampAddIntervalOp{subtract}.Call(midnight, interval, out);
  }
  KernelFlags Call(const Interval& interval, int32_t date, int64_t* out) const {
    return Call(date, interval, out);
  }
};

struct IntervalNegateOp {
  KernelFlags Call(const Interval& a, Interval* out) const {
    bool overflow = __builtin_sub_overflow(int32_t{0}, a.months, &out->months) ||
                    __builtin_sub_overflow(int32_t{0}, a.days, &out->days) ||
                    __builtin_sub_overflow(int64_t{0}, a.micros, &out->micros);
    return overflow ? kKernelOverflow : kKernelOk;
  }
};

/// interval * factor and interval / divisor (`divide`), with PostgreSQL's cascade: the
/// fractional part of the months becomes days (30 per month), the fractional part of the days
/// becomes time (24 hours per day), rounded to microseconds. A NaN, infinite or out-of-range
/// result is an overflow; dividing by zero is a division by zero.
struct IntervalMultiplyOp {
  bool divide = false;
  KernelFlags Call(const Interval& interval, double factor, Interval* out) const;
  KernelFlags Call(double factor, const Interval& interval, Interval* out) const {
    return Call(interval, factor, out);
  }
};

/// Fields of date_part/EXTRACT and date_trunc units, and the field functions (hour(ts), ...).
enum class TemporalField : uint8_t {
  kMicrosecond,
  kMillisecond,
  kSecond,
  kMinute,
  kHour,
  kDay,
  kWeek,  // ISO 8601 week (Monday first; week 1 holds the year's first Thursday).
  kMonth,
  kQuarter,
  kYear,
  kDecade,
  kCentury,
  kMillennium,
  kDayOfWeek,         // dow: 0 (Sunday) to 6 (Saturday).
  kIsoDayOfWeek,      // isodow: 1 (Monday) to 7 (Sunday).
  kDayOfWeekFromOne,  // The dayofweek() function: 1 (Sunday) to 7 (Saturday), as in Flink.
  kDayOfYear,         // doy: 1 to 366.
  kIsoYear,           // The ISO 8601 week-numbering year.
  kEpoch,             // Seconds since 1970-01-01 00:00:00 (with the fraction).
  kTimezone,          // The UTC offset in seconds: always 0 (the engine runs in UTC).
};

/// The field of a date_part or date_trunc unit, case-insensitive, with PostgreSQL's plurals and
/// aliases ("hours", "dayofweek" for dow, "timezone_hour", ...); nullopt when unknown.
std::optional<TemporalField> ParseTemporalField(std::string_view unit);

/// The canonical unit name ("hour"), for plans and messages.
std::string_view TemporalFieldName(TemporalField field);

/// An integral field of a TIMESTAMP as BIGINT, as PostgreSQL's EXTRACT computes it: year
/// without year 0 (1 BC is -1), second without its fraction, microsecond as the seconds field
/// times 10^6 plus the fraction, decade/century/millennium counted PostgreSQL's way.
/// REQUIRES: field is not kMillisecond or kEpoch (those are DECIMALs).
struct ExtractFieldOp {
  TemporalField field = TemporalField::kYear;
  KernelFlags Call(int64_t micros, int64_t* out) const;
};

/// The DECIMAL fields of a TIMESTAMP: second as DECIMAL(8,6), millisecond as DECIMAL(8,3) (both
/// have the unscaled value "microseconds within the minute") and epoch as DECIMAL(24,6).
struct ExtractDecimalFieldOp {
  TemporalField field = TemporalField::kSecond;
  KernelFlags Call(int64_t micros, Decimal128* out) const {
    if (field == TemporalField::kEpoch) {
      *out = micros;
    } else {
      int64_t days;
      int64_t time_of_day;
      SplitTimestamp(micros, &days, &time_of_day);
      *out = time_of_day % kMicrosPerMinute;
    }
    return kKernelOk;
  }
};

/// Whether EXTRACT(field FROM interval) exists (PostgreSQL has no week, dow, doy, isodow,
/// isoyear or timezone for intervals).
bool IsIntervalField(TemporalField field);

/// An integral field of an INTERVAL as BIGINT, from PostgreSQL's split: years and months of the
/// months, days, then hours, minutes and seconds of the time (C truncation, so every field
/// keeps the sign of its part). REQUIRES: IsIntervalField(field), not kMillisecond/kEpoch.
struct ExtractIntervalFieldOp {
  TemporalField field = TemporalField::kYear;
  KernelFlags Call(const Interval& interval, int64_t* out) const;
};

/// The epoch of an INTERVAL in microseconds (a year is 365.25 days, a month 30 days). Never
/// overflows.
__int128 IntervalEpochMicros(const Interval& interval);

/// second, millisecond and epoch of an INTERVAL as DECIMALs (scales 6, 3 and 6). The epoch
/// counts a year as 365.25 days and a month as 30 days, as PostgreSQL does.
struct ExtractIntervalDecimalFieldOp {
  TemporalField field = TemporalField::kSecond;
  KernelFlags Call(const Interval& interval, Decimal128* out) const;
};

/// date_part(unit, value) with a unit that is not a literal: the unit is parsed per row and the
/// result is a DOUBLE. Unknown units (and units an interval does not have) are invalid.
struct DatePartDoubleOp {
  KernelFlags Call(std::string_view unit, int64_t micros, double* out) const;
  KernelFlags Call(std::string_view unit, const Interval& interval, double* out) const;
};

/// Whether date_trunc accepts the unit for a TIMESTAMP (not dow, doy, isodow, isoyear, epoch,
/// timezone or the dayofweek() field).
bool IsTruncationField(TemporalField field);

/// date_trunc of a TIMESTAMP: to a fixed unit (microsecond to day), the Monday of the ISO week,
/// or the first instant of the month, quarter, year, decade, century or millennium (counted
/// PostgreSQL's way: the 21st century starts in 2001). REQUIRES: IsTruncationField(field).
struct DateTruncOp {
  TemporalField field = TemporalField::kDay;
  KernelFlags Call(int64_t micros, int64_t* out) const;
};

/// date_trunc of an INTERVAL: clears the fields below the unit (no weeks: months have no whole
/// number of them). REQUIRES: IsTruncationField(field) and field != kWeek.
struct IntervalTruncOp {
  TemporalField field = TemporalField::kDay;
  KernelFlags Call(const Interval& interval, Interval* out) const;
};

/// Calendar parts of a TIMESTAMP, for formatting.
struct CivilTimestamp {
  int64_t days = 0;         // Since 1970-01-01.
  int64_t time_of_day = 0;  // Microseconds, 0 <= time_of_day < a day.
  int64_t year = 0;         // Proleptic: 0 is 1 BC.
  unsigned month = 1;
  unsigned day = 1;
};
CivilTimestamp ToCivilTimestamp(int64_t micros);

/// 1 (Monday) to 7 (Sunday) of days since 1970-01-01.
int64_t IsoDayOfWeek(int64_t days);

/// The ISO 8601 week-numbering year and week (1 to 53) of days since 1970-01-01.
void IsoWeek(int64_t days, int64_t* iso_year, int64_t* week);

/// to_timestamp(seconds since the epoch): rounded to microseconds; NaN is invalid, an infinite
/// or out-of-range value an overflow.
struct EpochSecondsToTimestampOp {
  KernelFlags Call(double seconds, int64_t* out) const;
};

// ---------------------------------------------------------------------------------------------
// Strings. Text is UTF-8; lower/upper change ASCII letters only.

/// Number of UTF-8 characters (bytes that are not continuation bytes).
int64_t Utf8Length(std::string_view text);

/// SQL LIKE (or ILIKE with `case_insensitive`, ASCII case folding): `%` matches any run of
/// characters, `_` exactly one character, and `escape` (when not 0) makes the next pattern
/// character literal. Returns false for a pattern ending in the escape character and sets
/// *malformed then. Iterative with backtracking to the last `%`: O(text * pattern) worst case,
/// no allocation.
bool LikeMatch(std::string_view text, std::string_view pattern, char escape, bool case_insensitive,
               bool* malformed);

/// The bytes of substring(text FROM start [FOR length]) in characters, with PostgreSQL's rules
/// for starts before 1. `length` < 0 means "to the end" here; the caller rejects negative
/// lengths given by the user.
std::string_view Utf8Substring(std::string_view text, int64_t start, int64_t length);

/// split_part(text, delimiter, n): field n (1-based, negative counts from the end) or "".
/// REQUIRES: n != 0.
std::string_view SplitPart(std::string_view text, std::string_view delimiter, int64_t n);

/// Non-overlapping occurrences of `needle` in `text` (0 for an empty needle).
int64_t CountOccurrences(std::string_view text, std::string_view needle);

/// reverse(text): the characters in reverse order (the bytes of each UTF-8 character stay in
/// order). The result is written into *scratch.
std::string_view Utf8Reverse(std::string_view text, std::string* scratch);

/// trim/ltrim/rtrim(text, characters): removes every character (UTF-8 character) that occurs in
/// `characters` from the start (`leading`) and/or the end (`trailing`) of `text`.
std::string_view TrimCharacters(std::string_view text, std::string_view characters, bool leading,
                                bool trailing);

/// replace(text, from, to): every non-overlapping occurrence of `from`, left to right; an empty
/// `from` leaves the text as it is. The result is `text` itself or written into *scratch.
std::string_view ReplaceAll(std::string_view text, std::string_view from, std::string_view to,
                            std::string* scratch);

/// The 1-based character position of the first occurrence of `needle` in `haystack`, 0 when
/// there is none and 1 for an empty needle (position() and strpos()).
int64_t Utf8Position(std::string_view haystack, std::string_view needle);

/// left(text, n): the first n characters; for a negative n all but the last |n|.
std::string_view Utf8Left(std::string_view text, int64_t n);

/// right(text, n): the last n characters; for a negative n all but the first |n|.
std::string_view Utf8Right(std::string_view text, int64_t n);

/// The largest string lpad and rpad build (PostgreSQL's limit is 1 GB as well).
inline constexpr int64_t kMaxPaddedBytes = int64_t{1} << 30;

/// lpad/rpad(text, length, fill): `text` brought to `length` characters, by repeating `fill` on
/// the left (`left`) or right, or by cutting characters off its end. A length <= 0 gives '', an
/// empty fill leaves a short text as it is. Returns false (with *out empty) when the result
/// would exceed kMaxPaddedBytes.
bool Utf8Pad(std::string_view text, int64_t length, std::string_view fill, bool left,
             std::string* scratch, std::string_view* out);

/// Parses SQL boolean text: true/false, t/f, yes/no, y/n, on/off, 1/0 (any case, surrounding
/// whitespace ignored).
bool ParseBooleanText(std::string_view text, bool* out);

/// Parses an integer the way CAST(text AS integer) does: optional whitespace and sign, digits.
bool ParseInt64Text(std::string_view text, int64_t* out);

/// Parses floating point text: decimal or exponent form, "NaN", "Infinity", "-Infinity".
bool ParseDoubleText(std::string_view text, double* out);

}  // namespace laminar::functions
