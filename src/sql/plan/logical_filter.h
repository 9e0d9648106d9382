#pragma once

#include "sql/plan/bound_expression.h"
#include "sql/plan/logical_node.h"

namespace laminar::sql {

/// Keeps the rows for which `predicate` is TRUE (not FALSE, not NULL). Passes retractions of
/// a changelog through unchanged, so its properties are its input's.
class LogicalFilter final : public LogicalNode {
 public:
  /// REQUIRES: predicate is BOOLEAN and bound over the input's columns.
  static LogicalNodePtr Make(LogicalNodePtr input, BoundExprPtr predicate, SourcePosition position);

  const BoundExprPtr predicate;

  std::string Describe() const override;

  LogicalFilter(LogicalNodePtr input, BoundExprPtr predicate, SourcePosition position)
      : LogicalNode(LogicalNodeKind::kFilter, input->schema(), input->properties(), {input},
                    position),
        predicate(std::move(predicate)) {}
};

}  // namespace laminar::sql
