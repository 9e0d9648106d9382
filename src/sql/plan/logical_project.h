#pragma once

#include <string>
#include <vector>

#include "sql/plan/bound_expression.h"
#include "sql/plan/logical_node.h"

namespace laminar::sql {

/// Computes one output column per expression. A column passed through unchanged keeps its
/// watermark and unique-key roles; computed columns have neither, except proctime(), whose
/// watermark is the engine clock (processing-time windows use it).
class LogicalProject final : public LogicalNode {
 public:
  /// REQUIRES: expressions.size() == names.size(); expressions bound over the input.
  static LogicalNodePtr Make(LogicalNodePtr input, std::vector<BoundExprPtr> expressions,
                             std::vector<std::string> names, SourcePosition position);

  const std::vector<BoundExprPtr> expressions;

  std::string Describe() const override;

  LogicalProject(LogicalNodePtr input, std::shared_ptr<const Schema> schema,
                 StreamProperties properties, std::vector<BoundExprPtr> expressions,
                 SourcePosition position)
      : LogicalNode(LogicalNodeKind::kProject, std::move(schema), std::move(properties),
                    {std::move(input)}, position),
        expressions(std::move(expressions)) {}
};

}  // namespace laminar::sql
