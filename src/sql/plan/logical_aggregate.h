#pragma once

#include <optional>
#include <string>
#include <vector>

#include "functions/function_registry.h"
#include "sql/plan/bound_expression.h"
#include "sql/plan/logical_node.h"
#include "sql/plan/window_assignment.h"

namespace laminar::sql {

/// One aggregate function call: `count(DISTINCT bidder) FILTER (WHERE price > 100)`.
struct AggregateCall {
  std::string function;
  functions::FunctionId function_id = functions::FunctionId::kCountStar;
  std::vector<BoundExprPtr> arguments;  // Bound over the aggregate's input.
  bool distinct = false;
  BoundExprPtr filter;  // May be null.
  DataType type;        // Result type.
  std::string name;     // Output column name.
  SourcePosition position;

  std::string ToString() const;
  /// Same function, DISTINCT flag, arguments and FILTER (names and positions ignored).
  bool SameCall(const AggregateCall& other) const;
};

/// When a grouped result is emitted (the EMIT clause).
enum class EmitStrategy : uint8_t {
  kOnWindowClose,  // One final row per window once the watermark passes its end (+ lateness).
  kChanges,        // A changelog: each update as a retraction (-1) and an insertion (+1).
  kOnUpdate,       // A new row per input that changes a result.
  kPeriodic,       // Snapshots of changed results every `period`.
};

struct EmitSpec {
  EmitStrategy strategy = EmitStrategy::kOnWindowClose;
  int64_t period_micros = 0;  // kPeriodic only.
  /// Written by the user (false: the default for the query shape).
  bool explicit_clause = false;
  SourcePosition position;
};

/// GROUP BY with aggregates, optionally per event-time window.
///
/// Output columns: for a window aggregate written in the seed form `GROUP BY tumble(ts, ...)`,
/// first window_start and window_end; then the group keys; then the aggregates. A window
/// aggregate over a window table function groups by its window_start/window_end columns like
/// any key; `window` is set in both cases.
class LogicalAggregate final : public LogicalNode {
 public:
  struct Options {
    std::optional<WindowAssignment> window;
    /// True when the window comes from a GROUP BY window call (adds window_start/window_end).
    bool window_in_group_by = false;
    /// For table-function windows: indexes of window_start/window_end among the group keys.
    int window_start_key = -1;
    int window_end_key = -1;
    EmitSpec emit;
    int64_t allowed_lateness_micros = 0;
    std::optional<std::string> late_data_target;
    std::optional<int64_t> state_ttl_micros;
  };

  static LogicalNodePtr Make(LogicalNodePtr input, std::vector<BoundExprPtr> group_keys,
                             std::vector<std::string> group_names,
                             std::vector<AggregateCall> aggregates, Options options,
                             SourcePosition position);

  const std::vector<BoundExprPtr> group_keys;
  const std::vector<AggregateCall> aggregates;
  const Options options;

  bool is_windowed() const { return options.window.has_value(); }

  std::string Describe() const override;

  LogicalAggregate(LogicalNodePtr input, std::shared_ptr<const Schema> schema,
                   StreamProperties properties, std::vector<BoundExprPtr> group_keys,
                   std::vector<AggregateCall> aggregates, Options options, SourcePosition position)
      : LogicalNode(LogicalNodeKind::kAggregate, std::move(schema), std::move(properties),
                    {std::move(input)}, position),
        group_keys(std::move(group_keys)),
        aggregates(std::move(aggregates)),
        options(std::move(options)) {}
};

}  // namespace laminar::sql
