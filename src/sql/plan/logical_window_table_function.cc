#include "sql/plan/logical_window_table_function.h"

namespace laminar::sql {

LogicalNodePtr LogicalWindowTableFunction::Make(LogicalNodePtr input, WindowAssignment assignment,
                                                SourcePosition position) {
  std::vector<Field> fields;
  fields.reserve(input->schema()->fields().size() + 2);
  fields = input->schema()->fields();
  const DataType time_type = fields[assignment.time_column].type;
  fields.push_back(Field{"window_start", time_type, false});
  fields.push_back(Field{"window_end", time_type, false});
  StreamProperties properties = input->properties();
  properties.unique_keys.clear();  // A hop window repeats rows.
  if (properties.HasWatermark(assignment.time_column)) {
    properties.watermark_columns.push_back(static_cast<int>(fields.size()) - 2);
    properties.watermark_columns.push_back(static_cast<int>(fields.size()) - 1);
  }
  return std::make_shared<LogicalWindowTableFunction>(
      std::move(input), Schema::Make(std::move(fields)), std::move(properties),
      std::move(assignment), position);
}

std::string LogicalWindowTableFunction::Describe() const {
  return "WindowTableFunction " + assignment.ToString();
}

}  // namespace laminar::sql
