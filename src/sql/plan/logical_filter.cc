#include "sql/plan/logical_filter.h"

namespace laminar::sql {

LogicalNodePtr LogicalFilter::Make(LogicalNodePtr input, BoundExprPtr predicate,
                                   SourcePosition position) {
  return std::make_shared<LogicalFilter>(std::move(input), std::move(predicate), position);
}

std::string LogicalFilter::Describe() const { return "Filter " + predicate->ToString(); }

}  // namespace laminar::sql
