#pragma once

#include <string_view>

#include "columnar/batch.h"
#include "common/result.h"
#include "exec/expression_evaluator.h"
#include "exec/planning.h"
#include "sql/plan/logical_node.h"

namespace laminar::exec {

/// Gives an ad-hoc query the current contents of a table (or, later, a materialized view).
class SnapshotProvider {
 public:
  virtual ~SnapshotProvider() = default;
  /// A consistent snapshot of `name`'s rows in its catalog schema.
  virtual Result<Batch> Snapshot(std::string_view name) = 0;
};

/// Runs a bounded (ad-hoc) query to completion and returns all its rows: VALUES, scans of
/// tables, filters, projections, UNION ALL, ORDER BY and LIMIT/OFFSET, aggregation, and the
/// operators of planning.h (joins, OVER, Top-N) fed their whole inputs and then ended; a
/// changelog they emit is consolidated into the rows it leaves. Lookup joins read tables
/// through `lookups`. What a planner refuses fails closed with its code and position.
Result<Batch> ExecuteBoundedQuery(const sql::LogicalNode& root, SnapshotProvider& snapshots,
                                  const EvaluatorOptions& options = {},
                                  LookupSourceProvider* lookups = nullptr);

/// Evaluates the rows of a VALUES node (constant expressions) into one batch.
Result<Batch> EvaluateValues(const sql::LogicalNode& values, const EvaluatorOptions& options = {});

/// Concatenates batches of one schema into one.
Result<Batch> ConcatenateBatches(std::shared_ptr<const Schema> schema,
                                 const std::vector<Batch>& batches);

}  // namespace laminar::exec
