#include "sql/plan/logical_project.h"

#include <fmt/format.h>

#include <algorithm>

namespace laminar::sql {

LogicalNodePtr LogicalProject::Make(LogicalNodePtr input, std::vector<BoundExprPtr> expressions,
                                    std::vector<std::string> names, SourcePosition position) {
  std::vector<Field> fields;
  fields.reserve(expressions.size());
  // Where each input column reappears unchanged in the output (first occurrence).
  std::vector<int> output_of_input(input->schema()->num_fields(), -1);
  std::vector<int> processing_time_columns;
  for (size_t i = 0; i < expressions.size(); ++i) {
    const BoundExpression& expr = *expressions[i];
    bool nullable = true;
    if (expr.kind == BoundExpressionKind::kColumn) {
      nullable = input->schema()->field(expr.column_index).nullable;
      if (output_of_input[expr.column_index] < 0) {
        output_of_input[expr.column_index] = static_cast<int>(i);
      }
    } else if (expr.kind == BoundExpressionKind::kConstant) {
      nullable = expr.constant.is_null();
    } else if (expr.kind == BoundExpressionKind::kCall && expr.name == "proctime") {
      // Processing time: its watermark is the engine clock itself.
      nullable = false;
      processing_time_columns.push_back(static_cast<int>(i));
    }
    fields.push_back(Field{std::move(names[i]), expr.type, nullable});
  }
  const StreamProperties& in = input->properties();
  StreamProperties properties;
  properties.mode = in.mode;
  properties.bounded = in.bounded;
  properties.unbounded_state = in.unbounded_state;
  properties.state_ttl_micros = in.state_ttl_micros;
  for (const int column : in.watermark_columns) {
    if (output_of_input[column] >= 0)
      properties.watermark_columns.push_back(output_of_input[column]);
  }
  for (const int column : processing_time_columns) properties.watermark_columns.push_back(column);
  std::sort(properties.watermark_columns.begin(), properties.watermark_columns.end());
  for (const auto& key : in.unique_keys) {
    std::vector<int> mapped;
    for (const int column : key) {
      if (output_of_input[column] < 0) break;
      mapped.push_back(output_of_input[column]);
    }
    if (mapped.size() == key.size()) properties.unique_keys.push_back(std::move(mapped));
  }
  return std::make_shared<LogicalProject>(std::move(input), Schema::Make(std::move(fields)),
                                          std::move(properties), std::move(expressions), position);
}

std::string LogicalProject::Describe() const {
  std::string text = "Project ";
  for (size_t i = 0; i < expressions.size(); ++i) {
    if (i > 0) text += ", ";
    const std::string expr_text = expressions[i]->ToString();
    const std::string& name = schema()->field(static_cast<int>(i)).name;
    text += expr_text == name ? name : fmt::format("{} AS {}", expr_text, name);
  }
  return text;
}

}  // namespace laminar::sql
