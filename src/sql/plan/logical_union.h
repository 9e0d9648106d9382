#pragma once

#include <vector>

#include "sql/plan/logical_node.h"

namespace laminar::sql {

/// UNION ALL of inputs with identical column types (the binder casts them first). A column is
/// a watermark column of the union when it is one in every input: the union's watermark is the
/// minimum of its inputs'.
class LogicalUnion final : public LogicalNode {
 public:
  /// REQUIRES: at least two inputs with equal column types; the first input names the columns.
  static LogicalNodePtr Make(std::vector<LogicalNodePtr> inputs, SourcePosition position);

  std::string Describe() const override;

  LogicalUnion(std::vector<LogicalNodePtr> inputs, std::shared_ptr<const Schema> schema,
               StreamProperties properties, SourcePosition position)
      : LogicalNode(LogicalNodeKind::kUnion, std::move(schema), std::move(properties),
                    std::move(inputs), position) {}
};

}  // namespace laminar::sql
