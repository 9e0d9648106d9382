#pragma once

#include <optional>
#include <string>
#include <vector>

#include "sql/plan/bound_expression.h"
#include "sql/plan/logical_node.h"

namespace laminar::sql {

enum class FrameKind : uint8_t { kRows, kRange };

/// One end of a frame: UNBOUNDED PRECEDING, n PRECEDING, CURRENT ROW, n FOLLOWING, ...
struct FrameEdge {
  enum class Kind : uint8_t {
    kUnboundedPreceding,
    kPreceding,
    kCurrentRow,
    kFollowing,
    kUnboundedFollowing
  };
  Kind kind = Kind::kCurrentRow;
  /// Rows for ROWS frames; microseconds (or the ORDER BY column's units) for RANGE frames.
  int64_t offset = 0;
};

struct Frame {
  FrameKind kind = FrameKind::kRows;
  FrameEdge start{FrameEdge::Kind::kUnboundedPreceding, 0};
  FrameEdge end{FrameEdge::Kind::kCurrentRow, 0};
};

struct SortKey {
  BoundExprPtr expr;
  bool descending = false;
  bool nulls_first = false;
};

/// One analytic call: `lag(price, 1) OVER (PARTITION BY symbol ORDER BY ts)`.
struct OverCall {
  std::string function;
  std::vector<BoundExprPtr> arguments;
  std::vector<BoundExprPtr> partition_by;
  std::vector<SortKey> order_by;
  std::optional<Frame> frame;
  DataType type;
  std::string name;
  SourcePosition position;

  std::string ToString() const;
  /// Same function, arguments, partitioning, ordering and frame.
  bool SameCall(const OverCall& other) const;
  /// Same PARTITION BY and ORDER BY (the calls see the same partitions in the same order).
  bool SameWindow(const OverCall& other) const;
};

/// Analytic functions over partitions: appends one column per call to each input row.
class LogicalOver final : public LogicalNode {
 public:
  static LogicalNodePtr Make(LogicalNodePtr input, std::vector<OverCall> calls,
                             SourcePosition position);

  const std::vector<OverCall> calls;

  std::string Describe() const override;

  LogicalOver(LogicalNodePtr input, std::shared_ptr<const Schema> schema,
              StreamProperties properties, std::vector<OverCall> calls, SourcePosition position)
      : LogicalNode(LogicalNodeKind::kOver, std::move(schema), std::move(properties),
                    {std::move(input)}, position),
        calls(std::move(calls)) {}
};

}  // namespace laminar::sql
