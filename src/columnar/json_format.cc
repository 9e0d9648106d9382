#include "columnar/json_format.h"

#include <fmt/format.h>

#include <cmath>

#include "columnar/decimal.h"

namespace laminar {
namespace {

std::string JsonFloatingPoint(double value, bool single_precision) {
  if (std::isnan(value)) return "\"NaN\"";
  if (std::isinf(value)) return value > 0 ? "\"Infinity\"" : "\"-Infinity\"";
  // fmt prints the shortest text that reads back to the same value ("0.1", "1e+20"), which is
  // valid JSON; a REAL is printed as a float so that 0.1f stays "0.1".
  return single_precision ? fmt::format("{}", static_cast<float>(value)) : fmt::format("{}", value);
}

}  // namespace

void AppendJsonString(std::string& out, std::string_view text) {
  out += '"';
  for (const char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

std::string JsonValue(const Value& value) {
  if (value.is_null()) return "null";
  switch (value.type().id()) {
    case TypeId::kNull:
      return "null";
    case TypeId::kBoolean:
      return value.boolean() ? "true" : "false";
    case TypeId::kTinyInt:
    case TypeId::kSmallInt:
    case TypeId::kInteger:
    case TypeId::kBigInt:
      return fmt::format("{}", value.integer());
    case TypeId::kReal:
      return JsonFloatingPoint(value.floating(), /*single_precision=*/true);
    case TypeId::kDouble:
      return JsonFloatingPoint(value.floating(), /*single_precision=*/false);
    case TypeId::kDecimal:
      // "-0.05", "12.50": always a digit before the point, so a valid JSON number.
      return FormatDecimal(value.decimal(), value.type().scale());
    case TypeId::kVarchar:
    case TypeId::kBytea:
    case TypeId::kDate:
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
    case TypeId::kInterval: {
      std::string out;
      AppendJsonString(out, value.ToString());
      return out;
    }
  }
  return "null";
}

std::string JsonRow(const Schema& schema, const Batch& batch, int64_t row) {
  std::string out = "{";
  for (int c = 0; c < batch.num_columns(); ++c) {
    if (c > 0) out += ',';
    AppendJsonString(out, schema.field(c).name);
    out += ':';
    out += JsonValue(batch.column(c).GetValue(row));
  }
  out += '}';
  return out;
}

}  // namespace laminar
