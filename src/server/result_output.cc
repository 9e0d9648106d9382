#include "server/result_output.h"

#include <fmt/format.h>

#include <cmath>
#include <vector>

#include "columnar/column_builder.h"
#include "columnar/table_printer.h"

namespace laminar::server {
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

std::string JsonEmissionLines(std::string_view stream, const Schema& schema,
                              const exec::ChangeBatch& batch) {
  std::string prefix = "{\"stream\":";
  AppendJsonString(prefix, stream);
  std::string out;
  for (int64_t r = 0; r < batch.num_rows(); ++r) {
    out += prefix;
    out += fmt::format(",\"weight\":{},\"row\":", batch.weight(r));
    out += JsonRow(schema, batch.rows, r);
    out += "}\n";
  }
  return out;
}

std::string JsonQueryLines(int query_number, const Batch& rows) {
  std::string out;
  for (int64_t r = 0; r < rows.num_rows(); ++r) {
    out += fmt::format("{{\"query\":{},\"row\":", query_number);
    out += JsonRow(rows.schema(), rows, r);
    out += "}\n";
  }
  return out;
}

std::string TableEmission(std::string_view stream, const Schema& schema, bool changelog,
                          std::span<const exec::ChangeBatch> batches) {
  int64_t inserted = 0;
  int64_t retracted = 0;
  for (const exec::ChangeBatch& batch : batches) {
    for (int64_t r = 0; r < batch.num_rows(); ++r) {
      (batch.weight(r) < 0 ? retracted : inserted) += 1;
    }
  }
  if (inserted + retracted == 0) return "";
  std::string counts;
  if (inserted > 0) counts = fmt::format("+{}", inserted);
  if (retracted > 0) counts += fmt::format("{}-{}", counts.empty() ? "" : " ", retracted);
  std::string out = fmt::format("-- stream {} ({} row{})\n", stream, counts,
                                inserted + retracted == 1 ? "" : "s");

  TableFormatOptions options;
  options.show_row_count = false;
  std::vector<Batch> tables;
  if (!changelog) {
    for (const exec::ChangeBatch& batch : batches) tables.push_back(batch.rows);
    out += FormatTable(schema, tables, options);
    return out;
  }
  std::vector<Field> fields = schema.fields();
  fields.push_back({"weight", DataType::TinyInt(), false});
  auto with_weight = Schema::Make(std::move(fields));
  for (const exec::ChangeBatch& batch : batches) {
    ColumnBuilder weights(DataType::TinyInt());
    for (int64_t r = 0; r < batch.num_rows(); ++r) {
      weights.AppendFixed(static_cast<int8_t>(batch.weight(r)));
    }
    std::vector<Column> columns = batch.rows.columns();
    columns.push_back(weights.Finish());
    Result<Batch> table = Batch::Make(with_weight, std::move(columns));
    // Cannot fail: the columns are the batch's own plus one of the same length.
    if (table.ok()) tables.push_back(std::move(*table));
  }
  out += FormatTable(*with_weight, tables, options);
  return out;
}

}  // namespace laminar::server
