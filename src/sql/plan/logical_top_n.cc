#include "sql/plan/logical_top_n.h"

#include <fmt/format.h>

namespace laminar::sql {

LogicalNodePtr LogicalTopN::Make(LogicalNodePtr input, Options options, SourcePosition position) {
  std::vector<Field> fields;
  fields.reserve(input->schema()->fields().size() + 1);
  fields = input->schema()->fields();
  if (options.rank_column) fields.push_back(Field{*options.rank_column, DataType::BigInt(), false});
  StreamProperties properties;
  properties.bounded = input->properties().bounded;
  properties.mode = properties.bounded ? ChangelogMode::kAppendOnly : ChangelogMode::kChangelog;
  properties.watermark_columns = input->properties().watermark_columns;
  // Without a window around it, a Top-N keeps `limit` rows for every partition ever seen.
  properties.state_ttl_micros = options.state_ttl_micros;
  properties.unbounded_state =
      !properties.bounded && !options.partition_by.empty() && !options.state_ttl_micros;
  return std::make_shared<LogicalTopN>(std::move(input), Schema::Make(std::move(fields)),
                                       std::move(properties), std::move(options), position);
}

std::string LogicalTopN::Describe() const {
  static constexpr const char* kRankNames[] = {"row_number", "rank", "dense_rank"};
  std::string text =
      fmt::format("TopN {} <= {}", kRankNames[static_cast<int>(options.rank_function)],
                  options.limit + options.offset);
  if (options.offset > 0) text += fmt::format(" offset {}", options.offset);
  if (!options.partition_by.empty()) {
    text += " partition by ";
    for (size_t i = 0; i < options.partition_by.size(); ++i) {
      if (i > 0) text += ", ";
      text += options.partition_by[i]->ToString();
    }
  }
  text += " order by ";
  for (size_t i = 0; i < options.order_by.size(); ++i) {
    if (i > 0) text += ", ";
    text += options.order_by[i].expr->ToString();
    if (options.order_by[i].descending) text += " DESC";
  }
  return text;
}

}  // namespace laminar::sql
