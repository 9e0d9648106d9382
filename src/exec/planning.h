#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "exec/expression_evaluator.h"
#include "exec/operators/operator.h"
#include "sql/plan/logical_join.h"
#include "sql/plan/logical_node.h"
#include "sql/plan/logical_over.h"
#include "sql/plan/logical_top_n.h"

namespace laminar::exec {

class LookupSourceProvider;

/// How a plan is executed.
struct PlanOptions {
  /// The input is finite (an ad-hoc query over snapshots): every operator emits its final rows
  /// when the input ends (watermark +infinity on every input), whatever its EMIT clause.
  bool bounded = false;
  /// Where lookup and temporal joins find the TABLE / LOOKUP TABLE they read by key (the
  /// database's tables); null when no table can be read (such joins are then refused).
  LookupSourceProvider* lookups = nullptr;
};

/// One input of a planned operator: the logical node whose rows enter the operator's port.
struct PlannedInput {
  const sql::LogicalNode* node = nullptr;
  /// The port reads a versioned relation: an upsert source (PRIMARY KEY) whose rows are new
  /// versions of their key. Its scan is accepted although the source is a changelog; the
  /// operator receives the rows as they were pushed (each row replaces its key's version).
  bool versioned = false;
};

/// An operator ready to run and the logical nodes feeding its ports (port i reads inputs[i]).
struct PlannedOperator {
  std::unique_ptr<Operator> op;
  std::vector<PlannedInput> inputs;
};

/// LDB-2001 "<what> is not executable in a continuous query yet (the plan node is: ...)" at
/// the node's position: the fail-closed answer for a clause no operator executes.
Status NotExecutable(const sql::LogicalNode& node, std::string_view what);

/// Whether column `column` of `node`'s output is proctime() (directly, or passed on by
/// filters and projections).
bool IsProcessingTime(const sql::LogicalNode& node, int column);

/// Per-kind planners, each in the folder of its operators. Every one validates what its
/// operator can execute and refuses the rest with LDB-2001 (or a more specific code) at the
/// clause's position.
///
/// Any join: the planner of its kind below. Over bounded inputs (ad-hoc queries) a table read
/// by key (a lookup join, or AS OF against a TABLE, which has one version) is an ordinary join
/// of two finite inputs, planned by PlanStreamJoin, so every join kind runs.
Result<PlannedOperator> PlanJoin(const sql::LogicalJoin& join, const EvaluatorOptions& options,
                                 const PlanOptions& plan);

/// Stream-stream joins without versioning: interval and window joins (time_bound set) and
/// regular joins of streams or changelogs bounded by state_ttl (exec/joins/).
Result<PlannedOperator> PlanStreamJoin(const sql::LogicalJoin& join,
                                       const EvaluatorOptions& options, const PlanOptions& plan);
/// ASOF joins (join.options.asof) (exec/versioned/).
Result<PlannedOperator> PlanAsofJoin(const sql::LogicalJoin& join, const EvaluatorOptions& options,
                                     const PlanOptions& plan);
/// FOR SYSTEM_TIME AS OF joins (join.options.system_time) (exec/versioned/).
Result<PlannedOperator> PlanTemporalJoin(const sql::LogicalJoin& join,
                                         const EvaluatorOptions& options, const PlanOptions& plan);
/// Lookup joins against a TABLE or LOOKUP TABLE (join.options.lookup) (exec/versioned/).
Result<PlannedOperator> PlanLookupJoin(const sql::LogicalJoin& join,
                                       const EvaluatorOptions& options, const PlanOptions& plan);
/// OVER: LAG/LEAD and aggregates over ROWS/RANGE frames (exec/analytic/).
Result<PlannedOperator> PlanOver(const sql::LogicalOver& over, const EvaluatorOptions& options,
                                 const PlanOptions& plan);
/// Top-N per partition, dedup (exec/analytic/).
Result<PlannedOperator> PlanTopN(const sql::LogicalTopN& top_n, const EvaluatorOptions& options,
                                 const PlanOptions& plan);

}  // namespace laminar::exec
