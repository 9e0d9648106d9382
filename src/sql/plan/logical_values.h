#pragma once

#include <vector>

#include "sql/plan/bound_expression.h"
#include "sql/plan/logical_node.h"

namespace laminar::sql {

/// VALUES (...), (...): a bounded, append-only set of rows of constant expressions.
class LogicalValues final : public LogicalNode {
 public:
  /// REQUIRES: every row has schema->num_fields() expressions of the field types.
  static LogicalNodePtr Make(std::shared_ptr<const Schema> schema,
                             std::vector<std::vector<BoundExprPtr>> rows, SourcePosition position);

  const std::vector<std::vector<BoundExprPtr>> rows;

  std::string Describe() const override;

  LogicalValues(std::shared_ptr<const Schema> schema, StreamProperties properties,
                std::vector<std::vector<BoundExprPtr>> rows, SourcePosition position)
      : LogicalNode(LogicalNodeKind::kValues, std::move(schema), std::move(properties), {},
                    position),
        rows(std::move(rows)) {}
};

}  // namespace laminar::sql
