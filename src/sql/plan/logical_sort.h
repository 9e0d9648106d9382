#pragma once

#include <vector>

#include "sql/plan/logical_node.h"
#include "sql/plan/logical_over.h"

namespace laminar::sql {

/// ORDER BY over a bounded input (an ad-hoc query on a table or materialized view). On an
/// unbounded stream ORDER BY needs LIMIT and becomes a LogicalTopN instead.
class LogicalSort final : public LogicalNode {
 public:
  /// REQUIRES: input->properties().bounded.
  static LogicalNodePtr Make(LogicalNodePtr input, std::vector<SortKey> keys,
                             SourcePosition position);

  const std::vector<SortKey> keys;

  std::string Describe() const override;

  LogicalSort(LogicalNodePtr input, std::vector<SortKey> keys, SourcePosition position)
      : LogicalNode(LogicalNodeKind::kSort, input->schema(), input->properties(), {input},
                    position),
        keys(std::move(keys)) {}
};

/// LIMIT / OFFSET over a bounded input.
class LogicalLimit final : public LogicalNode {
 public:
  /// REQUIRES: input->properties().bounded. `limit` < 0 means no limit.
  static LogicalNodePtr Make(LogicalNodePtr input, int64_t limit, int64_t offset,
                             SourcePosition position);

  const int64_t limit;
  const int64_t offset;

  std::string Describe() const override;

  LogicalLimit(LogicalNodePtr input, int64_t limit, int64_t offset, SourcePosition position)
      : LogicalNode(LogicalNodeKind::kLimit, input->schema(), input->properties(), {input},
                    position),
        limit(limit),
        offset(offset) {}
};

}  // namespace laminar::sql
