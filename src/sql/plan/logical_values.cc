#include "sql/plan/logical_values.h"

#include <fmt/format.h>

namespace laminar::sql {

LogicalNodePtr LogicalValues::Make(std::shared_ptr<const Schema> schema,
                                   std::vector<std::vector<BoundExprPtr>> rows,
                                   SourcePosition position) {
  StreamProperties properties;
  properties.bounded = true;
  return std::make_shared<LogicalValues>(std::move(schema), std::move(properties), std::move(rows),
                                         position);
}

std::string LogicalValues::Describe() const {
  return fmt::format("Values {} row{} {}", rows.size(), rows.size() == 1 ? "" : "s",
                     schema()->ToString());
}

}  // namespace laminar::sql
