#pragma once

// DECIMAL(precision, scale) values and their text form.
//
// A DECIMAL value is stored as its unscaled integer: the number times 10^scale, in a 128-bit
// two's complement integer (the Arrow decimal128 layout), so DECIMAL(5,2) 123.45 is 12345.
// Precision is 1..38 significant digits; scale is the number of digits after the decimal point.
// This module accepts any scale in 0..38 independently of the precision (DataType additionally
// requires scale <= precision); negative scales are not supported.
//
// Every function here is pure and thread-safe and never has undefined behaviour: 128-bit
// arithmetic is checked, and bad text is reported as an error Status.

#include <string>
#include <string_view>

#include "common/result.h"

namespace laminar {

/// The unscaled value of a DECIMAL: two's complement, the Arrow decimal128 value.
using Decimal128 = __int128;

/// The largest DECIMAL precision: 10^38 - 1 is the largest 38-digit value that fits 127 bits.
constexpr int kMaxDecimalPrecision = 38;

/// 10^exponent. REQUIRES: 0 <= exponent <= 38 (checked; a violation aborts).
Decimal128 PowerOfTen(int exponent);

/// True when |value| < 10^precision, i.e. the value has at most `precision` digits.
/// REQUIRES: 1 <= precision <= 38 (checked; a violation aborts).
bool DecimalFitsPrecision(Decimal128 value, int precision);

/// The text of the DECIMAL whose unscaled value is `value`: "-123.45" for (-12345, 2), "0.05" for
/// (5, 2), "100" for (100, 0), "1.50" for (150, 2) (all `scale` digits are shown, as in
/// PostgreSQL). Defined for every 128-bit value, including ones wider than 38 digits.
/// REQUIRES: 0 <= scale <= 38 (checked; a violation aborts).
std::string FormatDecimal(Decimal128 value, int scale);

/// Parses decimal text into the unscaled value of a DECIMAL(precision, scale). Accepts optional
/// surrounding whitespace, an optional sign, digits with an optional decimal point ("12.5",
/// "12.", ".5") and an optional exponent ("1e3", "1.5E-2"). Text with more fraction digits than
/// `scale` is rounded half away from zero ("0.125" to scale 2 is 0.13, "-0.125" is -0.13).
/// Errors: kInvalidLiteral for malformed text (including "NaN" and "Infinity", which a 128-bit
/// DECIMAL cannot hold); kNumericOverflow when the rounded value needs more than `precision`
/// digits; kInvalidArgument when precision is not 1..38 or scale not 0..38.
Result<Decimal128> ParseDecimal(std::string_view text, int precision, int scale);

/// Converts an unscaled value from `from_scale` to `to_scale` and checks that it fits
/// `to_precision` digits. Reducing the scale rounds half away from zero (1.25 to scale 1 is 1.3).
/// Errors: kNumericOverflow when the result does not fit `to_precision` digits; kInvalidArgument
/// when a scale is not 0..38 or to_precision not 1..38.
Result<Decimal128> RescaleDecimal(Decimal128 value, int from_scale, int to_scale, int to_precision);

}  // namespace laminar
