#pragma once

#include <memory>
#include <vector>

#include "common/result.h"
#include "exec/dataflow.h"
#include "exec/expression_evaluator.h"
#include "exec/operators/aggregate_operator.h"
#include "exec/planning.h"
#include "sql/plan/logical_aggregate.h"
#include "sql/plan/logical_node.h"

namespace laminar::exec {

/// Translates the logical plan of a continuous query (CREATE STREAM / SINK) into a Dataflow,
/// one translation per logical node kind:
///   - Scan of a source or stream: an input of the dataflow;
///   - Filter and Project: a step of a fused PipelineOperator (consecutive steps share one);
///   - Union: a UnionOperator;
///   - Aggregate: an AggregateOperator (windowed or not); over a window table function the
///     aggregate reads the function's input itself (pane-based, no row expansion);
///   - a window table function on its own: a WindowTableFunctionOperator;
///   - Sink: the dataflow's output.
///   - Join, Over, TopN: the operator of the per-kind planner (planning.h);
/// Every other node fails closed with LDB-2001 naming the clause and its position, so CREATE
/// rejects the statement instead of running something else. Scans of a TABLE and of upsert
/// (PRIMARY KEY) sources in a continuous query are rejected the same way, except where a
/// planner reads them as versions (PlannedInput::versioned).
///
/// `options.clock` is where now() and proctime() read time (the database's injected clock).
/// Joins, OVER and Top-N are planned by the per-kind planners of planning.h; their inputs are
/// translated like any other node.
/// An aggregation ready to run: its operator, the node whose rows it reads, and the filters
/// (outermost first) to apply to those rows before it.
struct PlannedAggregate {
  std::unique_ptr<AggregateOperator> op;
  const sql::LogicalNode* input = nullptr;
  std::vector<const sql::LogicalNode*> filters;
};

/// Plans one aggregation (continuous, or over a bounded input when `plan.bounded`).
Result<PlannedAggregate> PlanAggregate(const sql::LogicalAggregate& aggregate,
                                       const EvaluatorOptions& options, const PlanOptions& plan);

Result<std::unique_ptr<Dataflow>> PlanContinuousQuery(const sql::LogicalNode& root,
                                                      const EvaluatorOptions& options = {},
                                                      const PlanOptions& plan = {});

}  // namespace laminar::exec
