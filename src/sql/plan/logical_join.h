#pragma once

#include <optional>
#include <string>
#include <vector>

#include "sql/plan/bound_expression.h"
#include "sql/plan/logical_node.h"

namespace laminar::sql {

enum class JoinKind : uint8_t { kInner, kLeft, kRight, kFull, kSemi, kAnti, kCross };

/// A band on event time between the two inputs of an interval join:
/// `lower <= right.time - left.time <= upper` (microseconds). It bounds the join's state: a
/// row can be evicted once the other side's watermark passes its band.
struct JoinTimeBound {
  int left_time_column = -1;   // Index in the left input.
  int right_time_column = -1;  // Index in the right input.
  int64_t lower = 0;
  int64_t upper = 0;
};

enum class AsofComparison : uint8_t { kGreaterEqual, kGreater, kLessEqual, kLess, kNearest };

/// ASOF: each left row meets the one right row whose time is closest on the allowed side.
struct AsofSpec {
  int left_time_column = -1;
  int right_time_column = -1;
  AsofComparison comparison = AsofComparison::kGreaterEqual;
  std::optional<int64_t> tolerance_micros;
};

/// Joins two inputs. `condition` (may be null for CROSS) is bound over the concatenation of the
/// left columns followed by the right columns; `equi_keys` are its top-level equality conjuncts
/// as (expression over the left input, expression over the right input), the keys the join
/// partitions on (any expression, not only columns: `mod(b.auction, 10000) = s.key`).
class LogicalJoin final : public LogicalNode {
 public:
  struct Options {
    JoinKind kind = JoinKind::kInner;
    BoundExprPtr condition;
    std::vector<std::pair<BoundExprPtr, BoundExprPtr>> equi_keys;
    std::optional<JoinTimeBound> time_bound;
    std::optional<AsofSpec> asof;
    /// FOR SYSTEM_TIME AS OF: the right side is a versioned table read as of this left
    /// expression (event time when it is a watermarked column, processing time otherwise).
    BoundExprPtr system_time;
    /// The right side is a TABLE or LOOKUP TABLE read by key (an enrichment join).
    bool lookup = false;
    std::optional<int64_t> state_ttl_micros;
  };

  static LogicalNodePtr Make(LogicalNodePtr left, LogicalNodePtr right, Options options,
                             SourcePosition position);

  const Options options;

  std::string Describe() const override;

  LogicalJoin(LogicalNodePtr left, LogicalNodePtr right, std::shared_ptr<const Schema> schema,
              StreamProperties properties, Options options, SourcePosition position)
      : LogicalNode(LogicalNodeKind::kJoin, std::move(schema), std::move(properties),
                    {std::move(left), std::move(right)}, position),
        options(std::move(options)) {}
};

std::string_view JoinKindName(JoinKind kind);

}  // namespace laminar::sql
