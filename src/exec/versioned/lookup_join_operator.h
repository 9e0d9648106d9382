#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "exec/expression_evaluator.h"
#include "exec/lookup_source.h"
#include "exec/operators/operator.h"
#include "exec/versioned/join_rows.h"
#include "exec/versioned/lookup_cache.h"
#include "sql/plan/logical_join.h"

namespace laminar::exec {

/// What a lookup join executes (built by PlanLookupJoin / PlanTemporalJoin).
struct LookupJoinDefinition {
  sql::JoinKind kind = sql::JoinKind::kInner;  // kInner or kLeft.
  std::shared_ptr<LookupSource> source;
  /// One expression over the left input per key column of the source, in key_columns()
  /// order, of that column's type.
  std::vector<sql::BoundExprPtr> key_expressions;
  /// `right_column OP constant` conjuncts of the condition, applied by the source.
  std::vector<LookupFilter> filters;
  /// The rest of the condition, over left ++ right columns; null when there is none.
  sql::BoundExprPtr residual;
  std::shared_ptr<const Schema> output_schema;
  size_t cache_capacity_bytes = LookupCache::kDefaultCapacityBytes;
  /// Appended to Describe, e.g. why a temporal join reads the current version.
  std::string note;
};

/// Joins each left row with the row of a TABLE or LOOKUP TABLE whose PRIMARY KEY equals the
/// row's key, as the table is when the row is processed (an enrichment join). One output row
/// per left row and matching right row; a LEFT join pads the left row with NULLs when there is
/// none. NULL keys match nothing. Reads go through a LookupCache (hits and misses cached,
/// dropped when the table's version changes); the misses of a batch are looked up in one
/// request. Output is append-only; the left watermark passes through.
///
/// Thread-safety: one thread (the owning reactor); the source synchronises itself.
class LookupJoinOperator final : public Operator {
 public:
  static Result<std::unique_ptr<LookupJoinOperator>> Make(LookupJoinDefinition definition,
                                                          const EvaluatorOptions& options);

  Status Process(int port, const ChangeBatch& batch, OperatorOutput& out) override;
  std::string Describe() const override;
  Status Snapshot(storage::StateWriter& writer) const override;
  Status Restore(storage::StateReader& reader) override;
  std::string MetricsText() const override;

  const LookupCache& cache() const { return cache_; }

 private:
  LookupJoinOperator(LookupJoinDefinition definition, JoinKeyEvaluator keys,
                     std::optional<ExpressionEvaluator> residual);

  LookupJoinDefinition def_;
  JoinKeyEvaluator keys_;
  std::optional<ExpressionEvaluator> residual_;
  LookupCache cache_;
  int right_width_;
  uint64_t rows_in_ = 0;
  uint64_t rows_out_ = 0;
  uint64_t source_requests_ = 0;
};

}  // namespace laminar::exec
