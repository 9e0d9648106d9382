#include "sql/plan/logical_union.h"

#include <fmt/format.h>

namespace laminar::sql {

LogicalNodePtr LogicalUnion::Make(std::vector<LogicalNodePtr> inputs, SourcePosition position) {
  std::vector<Field> fields = inputs[0]->schema()->fields();
  StreamProperties properties;
  properties.bounded = true;
  for (const auto& input : inputs) {
    const StreamProperties& in = input->properties();
    if (in.mode == ChangelogMode::kChangelog) properties.mode = ChangelogMode::kChangelog;
    properties.bounded = properties.bounded && in.bounded;
    properties.unbounded_state = properties.unbounded_state || in.unbounded_state;
    for (int c = 0; c < static_cast<int>(fields.size()); ++c) {
      if (input->schema()->field(c).nullable) fields[c].nullable = true;
    }
  }
  for (const int column : inputs[0]->properties().watermark_columns) {
    bool everywhere = true;
    for (const auto& input : inputs)
      everywhere = everywhere && input->properties().HasWatermark(column);
    if (everywhere) properties.watermark_columns.push_back(column);
  }
  return std::make_shared<LogicalUnion>(std::move(inputs), Schema::Make(std::move(fields)),
                                        std::move(properties), position);
}

std::string LogicalUnion::Describe() const {
  return fmt::format("UnionAll {} inputs", inputs().size());
}

}  // namespace laminar::sql
