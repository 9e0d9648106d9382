#include "sql/plan/logical_sort.h"

#include <fmt/format.h>

namespace laminar::sql {

LogicalNodePtr LogicalSort::Make(LogicalNodePtr input, std::vector<SortKey> keys,
                                 SourcePosition position) {
  return std::make_shared<LogicalSort>(std::move(input), std::move(keys), position);
}

std::string LogicalSort::Describe() const {
  std::string text = "Sort ";
  for (size_t i = 0; i < keys.size(); ++i) {
    if (i > 0) text += ", ";
    text += keys[i].expr->ToString();
    if (keys[i].descending) text += " DESC";
  }
  return text;
}

LogicalNodePtr LogicalLimit::Make(LogicalNodePtr input, int64_t limit, int64_t offset,
                                  SourcePosition position) {
  return std::make_shared<LogicalLimit>(std::move(input), limit, offset, position);
}

std::string LogicalLimit::Describe() const {
  if (limit < 0) return fmt::format("Limit offset {}", offset);
  if (offset > 0) return fmt::format("Limit {} offset {}", limit, offset);
  return fmt::format("Limit {}", limit);
}

}  // namespace laminar::sql
