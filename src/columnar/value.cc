#include "columnar/value.h"

#include <cmath>

#include <fmt/format.h>

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

}  // namespace laminar
