#pragma once

#include <optional>
#include <vector>

#include "sql/plan/bound_expression.h"
#include "sql/plan/logical_node.h"
#include "sql/plan/logical_over.h"

namespace laminar::sql {

enum class RankFunction : uint8_t { kRowNumber, kRank, kDenseRank };

/// The first `limit` rows per partition in `order_by` order, kept up to date as rows arrive:
/// a row that falls out of the top is retracted. Produced by ORDER BY ... LIMIT on a stream and
/// by `QUALIFY ROW_NUMBER() OVER (PARTITION BY ... ORDER BY ...) <= n` (and its subquery form).
/// With limit 1 and ORDER BY time it is deduplication (keep first or last row).
class LogicalTopN final : public LogicalNode {
 public:
  struct Options {
    std::vector<BoundExprPtr> partition_by;
    std::vector<SortKey> order_by;
    int64_t limit = 0;
    int64_t offset = 0;
    RankFunction rank_function = RankFunction::kRowNumber;
    /// Name of the rank column appended to the output, if the query selects it.
    std::optional<std::string> rank_column;
    std::optional<int64_t> state_ttl_micros;
  };

  static LogicalNodePtr Make(LogicalNodePtr input, Options options, SourcePosition position);

  const Options options;

  std::string Describe() const override;

  LogicalTopN(LogicalNodePtr input, std::shared_ptr<const Schema> schema,
              StreamProperties properties, Options options, SourcePosition position)
      : LogicalNode(LogicalNodeKind::kTopN, std::move(schema), std::move(properties),
                    {std::move(input)}, position),
        options(std::move(options)) {}
};

}  // namespace laminar::sql
