#include "server/result_output.h"

#include <fmt/format.h>

#include <vector>

#include "columnar/column_builder.h"
#include "columnar/table_printer.h"

namespace laminar::server {

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
