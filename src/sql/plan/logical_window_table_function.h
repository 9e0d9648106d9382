#pragma once

#include "sql/plan/logical_node.h"
#include "sql/plan/window_assignment.h"

namespace laminar::sql {

/// The Flink table-valued window functions: TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), size)) and
/// HOP, SESSION, CUMULATE. Each input row is assigned to its window(s) and emitted with two
/// more columns, window_start and window_end (a hop window emits a row once per window).
/// An aggregate grouped by window_start and window_end over this node is a window aggregate.
class LogicalWindowTableFunction final : public LogicalNode {
 public:
  /// REQUIRES: the input is append-only and assignment.time_column is a timestamp column.
  static LogicalNodePtr Make(LogicalNodePtr input, WindowAssignment assignment,
                             SourcePosition position);

  const WindowAssignment assignment;
  /// Output indexes of window_start and window_end.
  int window_start_column() const { return schema()->num_fields() - 2; }
  int window_end_column() const { return schema()->num_fields() - 1; }

  std::string Describe() const override;

  LogicalWindowTableFunction(LogicalNodePtr input, std::shared_ptr<const Schema> schema,
                             StreamProperties properties, WindowAssignment assignment,
                             SourcePosition position)
      : LogicalNode(LogicalNodeKind::kWindowTableFunction, std::move(schema), std::move(properties),
                    {std::move(input)}, position),
        assignment(std::move(assignment)) {}
};

}  // namespace laminar::sql
