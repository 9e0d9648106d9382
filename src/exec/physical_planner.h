#pragma once

#include <memory>

#include "common/result.h"
#include "exec/dataflow.h"
#include "exec/expression_evaluator.h"
#include "sql/plan/logical_node.h"

namespace laminar::exec {

/// Translates the logical plan of a continuous query (CREATE STREAM / SINK) into a Dataflow,
/// one translation per logical node kind:
///   - Scan of a source or stream: an input of the dataflow;
///   - Filter and Project: a step of a fused PipelineOperator (consecutive steps share one);
///   - Union: a UnionOperator;
///   - Sink: the dataflow's output.
/// Every other node (windows, aggregates, joins, OVER, Top-N) is not executable yet and fails
/// closed with LDB-2001 naming the clause and its position, so CREATE rejects the statement
/// instead of running something else. Scans of a TABLE and of upsert (PRIMARY KEY) sources in
/// a continuous query are rejected the same way.
///
/// `options.clock` is where now() and proctime() read time (the database's injected clock).
Result<std::unique_ptr<Dataflow>> PlanContinuousQuery(const sql::LogicalNode& root,
                                                      const EvaluatorOptions& options = {});

}  // namespace laminar::exec
