#include "columnar/value.h"

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
      return fmt::format("{}", static_cast<float>(floating()));
    case TypeId::kDouble:
      return fmt::format("{}", floating());
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

}  // namespace laminar
