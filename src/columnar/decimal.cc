#include "columnar/decimal.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstdint>

#include "common/check.h"

namespace laminar {
namespace {

using UnsignedDecimal128 = unsigned __int128;

constexpr size_t kMaxQuotedInputLength = 80;       // Longer inputs are cut in error messages.
constexpr int64_t kExponentLimit = 1'000'000'000;  // Larger exponents saturate (no overflow).

// 10^0 .. 10^38; 10^38 < 2^127 so every entry fits.
constexpr std::array<Decimal128, kMaxDecimalPrecision + 1> kPowersOfTen = [] {
  std::array<Decimal128, kMaxDecimalPrecision + 1> powers{};
  powers[0] = 1;
  for (size_t i = 1; i < powers.size(); ++i) powers[i] = powers[i - 1] * 10;
  return powers;
}();

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

std::string_view Trim(std::string_view text) {
  while (!text.empty() && IsSpace(text.front())) text.remove_prefix(1);
  while (!text.empty() && IsSpace(text.back())) text.remove_suffix(1);
  return text;
}

std::string Quoted(std::string_view text) {
  if (text.size() <= kMaxQuotedInputLength) return std::string(text);
  return fmt::format("{}...", text.substr(0, kMaxQuotedInputLength));
}

UnsignedDecimal128 Magnitude(Decimal128 value) {
  // Unsigned negation is defined for the minimum value too.
  return value < 0 ? UnsignedDecimal128{0} - static_cast<UnsignedDecimal128>(value)
                   : static_cast<UnsignedDecimal128>(value);
}

Status CheckPrecisionAndScale(int precision, int scale) {
  if (precision < 1 || precision > kMaxDecimalPrecision) {
    return Status::Error(ErrorCode::kInvalidArgument, "DECIMAL precision {} must be 1..{}",
                         precision, kMaxDecimalPrecision);
  }
  if (scale < 0 || scale > kMaxDecimalPrecision) {
    return Status::Error(ErrorCode::kInvalidArgument, "DECIMAL scale {} must be 0..{}", scale,
                         kMaxDecimalPrecision);
  }
  return Status::Ok();
}

// The syntax of decimal text, found by one scan: where the mantissa digits are and what the
// exponent says.
struct DecimalText {
  bool negative = false;
  std::string_view mantissa;    // Digits and at most one '.'.
  int64_t fraction_digits = 0;  // Digits after the '.'.
  int64_t exponent = 0;         // Saturated to +-kExponentLimit.
};

bool ScanDecimalText(std::string_view text, DecimalText* scanned) {
  size_t position = 0;
  if (position < text.size() && (text[position] == '+' || text[position] == '-')) {
    scanned->negative = text[position] == '-';
    ++position;
  }
  const size_t mantissa_start = position;
  int64_t digits = 0;
  bool seen_point = false;
  while (position < text.size()) {
    const char c = text[position];
    if (IsDigit(c)) {
      ++digits;
      if (seen_point) ++scanned->fraction_digits;
    } else if (c == '.' && !seen_point) {
      seen_point = true;
    } else {
      break;
    }
    ++position;
  }
  if (digits == 0) return false;
  scanned->mantissa = text.substr(mantissa_start, position - mantissa_start);
  if (position < text.size() && (text[position] == 'e' || text[position] == 'E')) {
    ++position;
    bool exponent_negative = false;
    if (position < text.size() && (text[position] == '+' || text[position] == '-')) {
      exponent_negative = text[position] == '-';
      ++position;
    }
    int64_t exponent = 0;
    int exponent_digits = 0;
    while (position < text.size() && IsDigit(text[position])) {
      exponent = std::min(exponent * 10 + (text[position] - '0'), kExponentLimit);
      ++exponent_digits;
      ++position;
    }
    if (exponent_digits == 0) return false;
    scanned->exponent = exponent_negative ? -exponent : exponent;
  }
  return position == text.size();
}

}  // namespace

Decimal128 PowerOfTen(int exponent) {
  LAMINAR_CHECK(exponent >= 0 && exponent <= kMaxDecimalPrecision);
  return kPowersOfTen[static_cast<size_t>(exponent)];
}

bool DecimalFitsPrecision(Decimal128 value, int precision) {
  const Decimal128 limit = PowerOfTen(precision);
  return value < limit && value > -limit;
}

std::string FormatDecimal(Decimal128 value, int scale) {
  LAMINAR_CHECK(scale >= 0 && scale <= kMaxDecimalPrecision);
  // Digits, least significant first. A 128-bit magnitude has at most 39 digits, and at most
  // scale + 1 <= 39 are needed when the value is small, so 40 is enough.
  std::array<char, 40> digits{};
  size_t count = 0;
  UnsignedDecimal128 magnitude = Magnitude(value);
  // Peel off 19 digits at a time so that most of the work is 64-bit division.
  constexpr uint64_t kChunk = 10'000'000'000'000'000'000ULL;
  while (magnitude >= kChunk) {
    uint64_t chunk = static_cast<uint64_t>(magnitude % kChunk);
    magnitude /= kChunk;
    for (int i = 0; i < 19; ++i) {
      digits[count++] = static_cast<char>('0' + chunk % 10);
      chunk /= 10;
    }
  }
  auto rest = static_cast<uint64_t>(magnitude);
  do {
    digits[count++] = static_cast<char>('0' + rest % 10);
    rest /= 10;
  } while (rest != 0);
  while (count < static_cast<size_t>(scale) + 1) digits[count++] = '0';

  std::string text;
  text.reserve(count + 2);
  if (value < 0) text.push_back('-');
  for (size_t i = count; i > 0; --i) {
    if (i == static_cast<size_t>(scale)) text.push_back('.');
    text.push_back(digits[i - 1]);
  }
  return text;
}

Result<Decimal128> ParseDecimal(std::string_view text, int precision, int scale) {
  LAMINAR_RETURN_IF_ERROR(CheckPrecisionAndScale(precision, scale));
  DecimalText scanned;
  if (!ScanDecimalText(Trim(text), &scanned)) {
    return Status::Error(ErrorCode::kInvalidLiteral,
                         "invalid DECIMAL literal '{}': expected a number such as -12.5, .5 or "
                         "1e3",
                         Quoted(text));
  }
  // The value is significant_digits * 10^(exponent - fraction_digits); the result is that times
  // 10^scale, i.e. the significant digits shifted left by `shift` places.
  std::string_view mantissa = scanned.mantissa;
  while (!mantissa.empty() && (mantissa.front() == '0' || mantissa.front() == '.')) {
    mantissa.remove_prefix(1);
  }
  int64_t significant_digits = 0;
  for (char c : mantissa) significant_digits += IsDigit(c) ? 1 : 0;
  if (significant_digits == 0) return Decimal128{0};
  const int64_t shift = scanned.exponent - scanned.fraction_digits + scale;
  // The number of integer digits of the result before rounding; a leading digit is non-zero.
  const int64_t result_digits = significant_digits + shift;
  if (result_digits > precision) {
    return Status::Error(ErrorCode::kNumericOverflow,
                         "DECIMAL literal '{}' does not fit DECIMAL({},{}): it needs more than {} "
                         "digits",
                         Quoted(text), precision, scale, precision);
  }
  if (result_digits < 0) return Decimal128{0};  // Below half a unit of the last place.
  Decimal128 result = 0;
  int64_t taken = 0;
  bool round_up = false;
  for (char c : mantissa) {
    if (!IsDigit(c)) continue;
    if (taken < result_digits) {
      result = result * 10 + (c - '0');  // At most 38 digits: cannot overflow.
    } else {
      round_up = c >= '5';  // The first dropped digit decides; half rounds away from zero.
      break;
    }
    ++taken;
  }
  if (shift > 0) result *= PowerOfTen(static_cast<int>(shift));  // result_digits <= 38.
  if (round_up) ++result;
  if (!DecimalFitsPrecision(result, precision)) {  // Rounding can carry: 99.95 -> 100.0.
    return Status::Error(ErrorCode::kNumericOverflow,
                         "DECIMAL literal '{}' does not fit DECIMAL({},{}) after rounding",
                         Quoted(text), precision, scale);
  }
  return scanned.negative ? -result : result;
}

Result<Decimal128> RescaleDecimal(Decimal128 value, int from_scale, int to_scale,
                                  int to_precision) {
  LAMINAR_RETURN_IF_ERROR(CheckPrecisionAndScale(to_precision, to_scale));
  if (from_scale < 0 || from_scale > kMaxDecimalPrecision) {
    return Status::Error(ErrorCode::kInvalidArgument, "DECIMAL scale {} must be 0..{}", from_scale,
                         kMaxDecimalPrecision);
  }
  Decimal128 result = 0;
  bool overflow = false;
  if (to_scale >= from_scale) {
    overflow = __builtin_mul_overflow(value, PowerOfTen(to_scale - from_scale), &result);
  } else {
    const auto divisor = static_cast<UnsignedDecimal128>(PowerOfTen(from_scale - to_scale));
    const UnsignedDecimal128 magnitude = Magnitude(value);
    UnsignedDecimal128 quotient = magnitude / divisor;
    const UnsignedDecimal128 remainder = magnitude % divisor;
    if (remainder >= divisor - remainder) ++quotient;  // Half away from zero.
    // quotient <= 2^127 / 10 + 1, so it fits the signed type.
    result = value < 0 ? -static_cast<Decimal128>(quotient) : static_cast<Decimal128>(quotient);
  }
  if (overflow || !DecimalFitsPrecision(result, to_precision)) {
    return Status::Error(ErrorCode::kNumericOverflow,
                         "DECIMAL value {} does not fit DECIMAL({},{})",
                         FormatDecimal(value, from_scale), to_precision, to_scale);
  }
  return result;
}

}  // namespace laminar
