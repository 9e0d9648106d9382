#include "columnar/value.h"

#include <fmt/format.h>

#include <cmath>

namespace laminar {

std::string Value::ToString() const {
  if (is_null()) return "NULL";
  switch (type_.id()) {
    case TypeId::kNull:
      return "NULL";
    case TypeId::kBoolean:
      return boolean() ? "true" : "false";
    case TypeId::kTinyInt:
    case TypeId::kSmallInt:
    case TypeId::kInteger:
    case TypeId::kBigInt:
      return fmt::format("{}", integer());
    case TypeId::kReal:
      return FormatFloatingPoint(floating(), /*real=*/true);
    case TypeId::kDouble:
      return FormatFloatingPoint(floating());
    case TypeId::kDecimal:
      return FormatDecimal(decimal(), type_.scale());
    case TypeId::kVarchar:
      return std::string(string());
    case TypeId::kBytea: {
      std::string text = "\\x";
      for (const unsigned char byte : string()) text += fmt::format("{:02x}", byte);
      return text;
    }
    case TypeId::kDate:
      return FormatDate(static_cast<int32_t>(integer()));
    case TypeId::kTimestamp:
      return FormatTimestamp(integer());
    case TypeId::kTimestampTz:
      return FormatTimestampTz(integer());
    case TypeId::kInterval:
      return FormatInterval(interval());
  }
  return "?";
}

std::string FormatFloatingPoint(double value, bool real) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "Infinity" : "-Infinity";
  return real ? fmt::format("{}", static_cast<float>(value)) : fmt::format("{}", value);
}

namespace {

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

Result<std::string> ParseByteaText(std::string_view text) {
  std::string bytes;
  if (text.size() >= 2 && text[0] == '\\' && (text[1] == 'x' || text[1] == 'X')) {
    size_t i = 2;
    while (i < text.size()) {
      const char c = text[i];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        ++i;
        continue;
      }
      const int high = HexDigit(c);
      if (high < 0) {
        return Status::Error(ErrorCode::kInvalidCast, "invalid hexadecimal digit \"{}\" in BYTEA",
                             std::string(1, c));
      }
      if (i + 1 >= text.size() || HexDigit(text[i + 1]) < 0) {
        return Status::Error(ErrorCode::kInvalidCast,
                             "invalid hexadecimal data in BYTEA: odd number of digits");
      }
      bytes.push_back(static_cast<char>(high * 16 + HexDigit(text[i + 1])));
      i += 2;
    }
    return bytes;
  }
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\') {
      bytes.push_back(text[i]);
      continue;
    }
    if (i + 1 < text.size() && text[i + 1] == '\\') {
      bytes.push_back('\\');
      ++i;
      continue;
    }
    if (i + 3 < text.size() + 0 && text[i + 1] >= '0' && text[i + 1] <= '3' && text[i + 2] >= '0' &&
        text[i + 2] <= '7' && text[i + 3] >= '0' && text[i + 3] <= '7') {
      bytes.push_back(static_cast<char>((text[i + 1] - '0') * 64 + (text[i + 2] - '0') * 8 +
                                        (text[i + 3] - '0')));
      i += 3;
      continue;
    }
    return Status::Error(ErrorCode::kInvalidCast,
                         "invalid input syntax for type BYTEA: a backslash must start \\\\, "
                         "\\nnn or, at the beginning, \\x");
  }
  return bytes;
}

int CompareValues(const Value& a, const Value& b) {
  switch (a.type().id()) {
    case TypeId::kBoolean:
      return static_cast<int>(a.boolean()) - static_cast<int>(b.boolean());
    case TypeId::kReal:
    case TypeId::kDouble: {
      const double x = a.floating();
      const double y = b.floating();
      // PostgreSQL order: NaN sorts above every other value.
      if (std::isnan(x) || std::isnan(y)) return std::isnan(x) - std::isnan(y);
      return x < y ? -1 : (x > y ? 1 : 0);
    }
    case TypeId::kDecimal: {
      const Decimal128 x = a.decimal();
      const Decimal128 y = b.decimal();
      return x < y ? -1 : (x > y ? 1 : 0);
    }
    case TypeId::kVarchar:
    case TypeId::kBytea: {
      const int c = a.string().compare(b.string());
      return c < 0 ? -1 : (c > 0 ? 1 : 0);
    }
    case TypeId::kInterval: {
      const Interval& x = a.interval();
      const Interval& y = b.interval();
      // PostgreSQL compares intervals as if a month had 30 days.
      const __int128 xs =
          (static_cast<__int128>(x.months) * 30 + x.days) * 86'400'000'000LL + x.micros;
      const __int128 ys =
          (static_cast<__int128>(y.months) * 30 + y.days) * 86'400'000'000LL + y.micros;
      return xs < ys ? -1 : (xs > ys ? 1 : 0);
    }
    default: {
      const int64_t x = a.integer();
      const int64_t y = b.integer();
      return x < y ? -1 : (x > y ? 1 : 0);
    }
  }
}

bool SameDatum(const Value& a, const Value& b) {
  if (!a.is_null() && !b.is_null() && a.type() == b.type() &&
      (a.type().id() == TypeId::kDouble || a.type().id() == TypeId::kReal) &&
      std::isnan(a.floating()) && std::isnan(b.floating())) {
    return true;
  }
  return a == b;
}

bool SameData(const std::vector<Value>& a, const std::vector<Value>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (!SameDatum(a[i], b[i])) return false;
  }
  return true;
}

}  // namespace laminar
