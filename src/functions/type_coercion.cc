#include "functions/type_coercion.h"

#include <algorithm>
#include <cctype>

#include "columnar/decimal.h"
#include "common/check.h"

namespace laminar::functions {
namespace {

// Position in the numeric lattice TINYINT -> ... -> DOUBLE, or -1 for non-numeric types.
int NumericRank(TypeId id) {
  switch (id) {
    case TypeId::kTinyInt:
      return 0;
    case TypeId::kSmallInt:
      return 1;
    case TypeId::kInteger:
      return 2;
    case TypeId::kBigInt:
      return 3;
    case TypeId::kDecimal:
      return 4;
    case TypeId::kReal:
      return 5;
    case TypeId::kDouble:
      return 6;
    default:
      return -1;
  }
}

// Position in DATE -> TIMESTAMP -> TIMESTAMPTZ, or -1.
int DateTimeRank(TypeId id) {
  switch (id) {
    case TypeId::kDate:
      return 0;
    case TypeId::kTimestamp:
      return 1;
    case TypeId::kTimestampTz:
      return 2;
    default:
      return -1;
  }
}

// Digits of the widest value of an integer type.
int IntegerDigits(TypeId id) {
  switch (id) {
    case TypeId::kTinyInt:
      return 3;
    case TypeId::kSmallInt:
      return 5;
    case TypeId::kInteger:
      return 10;
    case TypeId::kBigInt:
      return 19;
    default:
      return 0;
  }
}

// REQUIRES: 1 <= precision <= 38 and 0 <= scale <= precision (programmer error otherwise).
DataType MakeDecimal(int precision, int scale) {
  Result<DataType> type = DataType::Decimal(precision, scale);
  LAMINAR_CHECK_MSG(type.ok(), "decimal type rules produced an invalid precision or scale");
  return *type;
}

Status NoCommonType(const DataType& a, const DataType& b, std::string_view context) {
  if (context.empty()) {
    return Status::Error(ErrorCode::kTypeMismatch, "types {} and {} cannot be matched",
                         TypeNameForMessage(a), TypeNameForMessage(b));
  }
  return Status::Error(ErrorCode::kTypeMismatch, "{} types {} and {} cannot be matched", context,
                       TypeNameForMessage(a), TypeNameForMessage(b));
}

Result<DataType> CommonSupertypeIn(const DataType& a, const DataType& b, std::string_view context) {
  if (a == b) return a;
  if (a.id() == TypeId::kNull) return b;
  if (b.id() == TypeId::kNull) return a;
  int numeric_a = NumericRank(a.id());
  int numeric_b = NumericRank(b.id());
  if (numeric_a >= 0 && numeric_b >= 0) {
    if (a.id() == TypeId::kDouble || b.id() == TypeId::kDouble) return DataType::Double();
    if (a.id() == TypeId::kReal || b.id() == TypeId::kReal) return DataType::Real();
    if (a.id() == TypeId::kDecimal || b.id() == TypeId::kDecimal) {
      DataType left = DecimalTypeForInteger(a);
      DataType right = DecimalTypeForInteger(b);
      int integral = std::max(left.precision() - left.scale(), right.precision() - right.scale());
      int scale = std::max(left.scale(), right.scale());
      scale = std::min(scale, kMaxDecimalPrecision - integral);
      return MakeDecimal(std::max(integral + scale, 1), scale);
    }
    return numeric_a > numeric_b ? a : b;
  }
  int temporal_a = DateTimeRank(a.id());
  int temporal_b = DateTimeRank(b.id());
  if (temporal_a >= 0 && temporal_b >= 0) return temporal_a > temporal_b ? a : b;
  return NoCommonType(a, b, context);
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

std::string TypeNameForMessage(const DataType& type) {
  std::string name = type.ToString();
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return name;
}

int ImplicitCastDistance(const DataType& from, const DataType& to) {
  if (from.id() == to.id() || from.id() == TypeId::kNull) return 0;
  int numeric_from = NumericRank(from.id());
  int numeric_to = NumericRank(to.id());
  if (numeric_from >= 0 && numeric_to > numeric_from) return numeric_to - numeric_from;
  int temporal_from = DateTimeRank(from.id());
  int temporal_to = DateTimeRank(to.id());
  if (temporal_from >= 0 && temporal_to > temporal_from) return temporal_to - temporal_from;
  return -1;
}

bool CanCastImplicitly(const DataType& from, const DataType& to) {
  if (from.id() == TypeId::kNull) return true;
  if (to.id() == TypeId::kDecimal) {
    if (from.id() == TypeId::kDecimal) {
      return to.scale() >= from.scale() &&
             to.precision() - to.scale() >= from.precision() - from.scale();
    }
    if (from.IsInteger()) return to.precision() - to.scale() >= IntegerDigits(from.id());
    return false;
  }
  return ImplicitCastDistance(from, to) >= 0;
}

bool CanCast(const DataType& from, const DataType& to) {
  if (from.id() == TypeId::kNull) return true;
  if (to.id() == TypeId::kNull) return false;
  if (from.id() == to.id()) return true;
  if (from.IsNumeric() && to.IsNumeric()) return true;
  if (to.id() == TypeId::kVarchar || from.id() == TypeId::kVarchar) return true;
  if (from.id() == TypeId::kBoolean) return to.IsInteger();
  if (to.id() == TypeId::kBoolean) return from.IsInteger();
  return DateTimeRank(from.id()) >= 0 && DateTimeRank(to.id()) >= 0;
}

bool CanCoerceStringLiteral(const DataType& to) { return to.id() != TypeId::kNull; }

Result<DataType> CommonSupertype(const DataType& a, const DataType& b) {
  return CommonSupertypeIn(a, b, /*context=*/{});
}

Result<DataType> CommonSupertype(std::span<const ArgumentInfo> values, std::string_view context) {
  DataType result = DataType::Null();
  bool any_typed = false;
  bool any_string_literal = false;
  for (const ArgumentInfo& value : values) {
    if (value.is_string_literal) {
      any_string_literal = true;
      continue;
    }
    if (value.is_null_literal || value.type.id() == TypeId::kNull) continue;
    if (!any_typed) {
      result = value.type;
      any_typed = true;
      continue;
    }
    LAMINAR_ASSIGN_OR_RETURN(result, CommonSupertypeIn(result, value.type, context));
  }
  if (!any_typed) return any_string_literal ? DataType::Varchar() : DataType::Null();
  if (any_string_literal && !CanCoerceStringLiteral(result)) {
    return NoCommonType(DataType::Varchar(), result, context);
  }
  return result;
}

DataType DecimalTypeForInteger(const DataType& type) {
  if (type.id() == TypeId::kDecimal) return type;
  int digits = IntegerDigits(type.id());
  LAMINAR_CHECK_MSG(digits > 0, "DecimalTypeForInteger needs an integer or DECIMAL type");
  return MakeDecimal(digits, 0);
}

DataType DecimalArithmeticType(ArithmeticOperator op, const DataType& left, const DataType& right) {
  DataType a = DecimalTypeForInteger(left);
  DataType b = DecimalTypeForInteger(right);
  int p1 = a.precision();
  int s1 = a.scale();
  int p2 = b.precision();
  int s2 = b.scale();
  int precision = 0;
  int scale = 0;
  switch (op) {
    case ArithmeticOperator::kAdd:
    case ArithmeticOperator::kSubtract:
      scale = std::max(s1, s2);
      precision = std::max(p1 - s1, p2 - s2) + scale + 1;
      break;
    case ArithmeticOperator::kMultiply:
      scale = s1 + s2;
      precision = p1 + p2 + 1;
      break;
    case ArithmeticOperator::kDivide:
      scale = std::max(6, s1 + p2 + 1);
      precision = p1 - s1 + s2 + scale;
      break;
    case ArithmeticOperator::kModulo:
      scale = std::max(s1, s2);
      precision = std::min(p1 - s1, p2 - s2) + scale;
      break;
  }
  if (precision > kMaxDecimalPrecision) {
    int integral = precision - scale;
    scale = std::max(kMaxDecimalPrecision - integral, std::min(scale, 6));
    precision = kMaxDecimalPrecision;
  }
  precision = std::max(precision, 1);
  return MakeDecimal(precision, std::min(scale, precision));
}

Result<DataType> IntegerLiteralType(std::string_view digits) {
  if (digits.empty() || !std::all_of(digits.begin(), digits.end(), IsDigit)) {
    return Status::Error(ErrorCode::kInvalidLiteral, "invalid integer literal \"{}\"", digits);
  }
  size_t first = digits.find_first_not_of('0');
  std::string_view significant =
      first == std::string_view::npos ? std::string_view("0") : digits.substr(first);
  // Same-length digit strings compare like the numbers they spell.
  auto fits = [&](std::string_view max) {
    return significant.size() < max.size() ||
           (significant.size() == max.size() && significant <= max);
  };
  if (fits("2147483647")) return DataType::Integer();
  if (fits("9223372036854775807")) return DataType::BigInt();
  if (significant.size() <= static_cast<size_t>(kMaxDecimalPrecision)) {
    return MakeDecimal(static_cast<int>(significant.size()), 0);
  }
  return Status::Error(ErrorCode::kNumericOverflow,
                       "integer literal {} is out of range: it has more than {} digits", digits,
                       kMaxDecimalPrecision);
}

Result<DataType> DecimalLiteralType(std::string_view text) {
  auto invalid = [&]() {
    return Status::Error(ErrorCode::kInvalidLiteral, "invalid numeric literal \"{}\"", text);
  };
  size_t position = 0;
  size_t integral_begin = position;
  while (position < text.size() && IsDigit(text[position])) ++position;
  std::string_view integral_digits = text.substr(integral_begin, position - integral_begin);
  std::string_view fraction_digits;
  if (position < text.size() && text[position] == '.') {
    ++position;
    size_t fraction_begin = position;
    while (position < text.size() && IsDigit(text[position])) ++position;
    fraction_digits = text.substr(fraction_begin, position - fraction_begin);
  }
  if (integral_digits.empty() && fraction_digits.empty()) return invalid();
  // The exponent, clamped: anything beyond +-100000 is far outside every type anyway.
  int64_t exponent = 0;
  if (position < text.size() && (text[position] == 'e' || text[position] == 'E')) {
    ++position;
    bool negative = false;
    if (position < text.size() && (text[position] == '+' || text[position] == '-')) {
      negative = text[position] == '-';
      ++position;
    }
    if (position == text.size()) return invalid();
    while (position < text.size() && IsDigit(text[position])) {
      exponent = std::min<int64_t>(exponent * 10 + (text[position] - '0'), 100000);
      ++position;
    }
    if (negative) exponent = -exponent;
  }
  if (position != text.size()) return invalid();

  // Significant digits of the mantissa (integral and fraction digits written together).
  int64_t significant = 0;
  bool leading = true;
  for (std::string_view part : {integral_digits, fraction_digits}) {
    for (char c : part) {
      if (leading && c == '0') continue;
      leading = false;
      ++significant;
    }
  }
  int64_t scale = static_cast<int64_t>(fraction_digits.size()) - exponent;
  int64_t integral = 0;
  if (scale <= 0) {
    integral = significant == 0 ? 1 : significant - scale;
    scale = 0;
  } else {
    integral = std::max<int64_t>(1, significant - scale);
  }
  if (significant > 0 && integral > 309) {
    return Status::Error(ErrorCode::kNumericOverflow, "numeric literal {} is out of range", text);
  }
  if (integral + scale > kMaxDecimalPrecision) return DataType::Double();
  return MakeDecimal(static_cast<int>(integral + scale), static_cast<int>(scale));
}

}  // namespace laminar::functions
