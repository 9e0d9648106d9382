#include "exec/bounded_executor.h"

#include <fmt/format.h>

#include <algorithm>
#include <numeric>

#include "columnar/column_builder.h"
#include "columnar/take.h"
#include "exec/change_batch.h"
#include "exec/expression_evaluator.h"
#include "exec/operators/pipeline_operator.h"
#include "exec/physical_planner.h"
#include "sql/plan/logical_aggregate.h"
#include "sql/plan/logical_over.h"
#include "sql/plan/logical_scan.h"
#include "sql/plan/logical_sort.h"
#include "sql/plan/logical_values.h"

namespace laminar::exec {
namespace {

using sql::LogicalNode;
using sql::LogicalNodeKind;

Status NotExecutable(const LogicalNode& node, std::string_view what) {
  return Status::Error(ErrorCode::kNotSupported,
                       "{} is not executable in an ad-hoc query yet (the plan node is: {})", what,
                       node.Describe())
      .WithPosition(node.position());
}

/// Orders two non-NULL values of one type.
int CompareValues(const Value& a, const Value& b) {
  switch (a.type().id()) {
    case TypeId::kBoolean:
      return static_cast<int>(a.boolean()) - static_cast<int>(b.boolean());
    case TypeId::kReal:
    case TypeId::kDouble: {
      const double x = a.floating();
      const double y = b.floating();
      // PostgreSQL order: NaN sorts above every other value.
      if (std::isnan(x) || std::isnan(y)) return std::isnan(x) - std::isnan(y);
      return x < y ? -1 : (x > y ? 1 : 0);
    }
    case TypeId::kDecimal: {
      const Decimal128 x = a.decimal();
      const Decimal128 y = b.decimal();
      return x < y ? -1 : (x > y ? 1 : 0);
    }
    case TypeId::kVarchar:
    case TypeId::kBytea: {
      const int c = a.string().compare(b.string());
      return c < 0 ? -1 : (c > 0 ? 1 : 0);
    }
    case TypeId::kInterval: {
      const Interval& x = a.interval();
      const Interval& y = b.interval();
      // PostgreSQL compares intervals as if a month had 30 days.
      const __int128 xs =
          (static_cast<__int128>(x.months) * 30 + x.days) * 86'400'000'000LL + x.micros;
      const __int128 ys =
          (static_cast<__int128>(y.months) * 30 + y.days) * 86'400'000'000LL + y.micros;
      return xs < ys ? -1 : (xs > ys ? 1 : 0);
    }
    default: {
      const int64_t x = a.integer();
      const int64_t y = b.integer();
      return x < y ? -1 : (x > y ? 1 : 0);
    }
  }
}

Result<Batch> RunFilterOrProject(const LogicalNode& node, Batch input,
                                 const EvaluatorOptions& options) {
  LAMINAR_ASSIGN_OR_RETURN(PipelineStep step, MakePipelineStep(node, options));
  std::vector<PipelineStep> steps;
  steps.push_back(std::move(step));
  PipelineOperator pipeline(std::move(steps), node.schema());
  LAMINAR_ASSIGN_OR_RETURN(ChangeBatch result, pipeline.Run(ChangeBatch{std::move(input), {}}));
  return std::move(result.rows);
}

Result<Batch> RunSort(const sql::LogicalSort& sort, const Batch& input,
                      const EvaluatorOptions& options) {
  const int64_t rows = input.num_rows();
  std::vector<std::vector<Value>> keys(sort.keys.size());
  for (size_t k = 0; k < sort.keys.size(); ++k) {
    auto evaluator = ExpressionEvaluator::Make(sort.keys[k].expr, options);
    if (!evaluator.ok()) {
      return std::move(evaluator).status().WithPositionIfMissing(sort.keys[k].expr->position);
    }
    LAMINAR_ASSIGN_OR_RETURN(Column column, evaluator->Evaluate(input));
    keys[k].reserve(static_cast<size_t>(rows));
    for (int64_t row = 0; row < rows; ++row) keys[k].push_back(column.GetValue(row));
  }
  std::vector<uint32_t> order(static_cast<size_t>(rows));
  std::iota(order.begin(), order.end(), 0u);
  std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    for (size_t k = 0; k < keys.size(); ++k) {
      const Value& x = keys[k][a];
      const Value& y = keys[k][b];
      const sql::SortKey& key = sort.keys[k];
      if (x.is_null() || y.is_null()) {
        if (x.is_null() && y.is_null()) continue;
        // NULLS LAST by default for ASC, as in PostgreSQL (NULL is the largest value).
        const bool nulls_first = key.nulls_first;
        return x.is_null() ? nulls_first : !nulls_first;
      }
      int c = CompareValues(x, y);
      if (key.descending) c = -c;
      if (c != 0) return c < 0;
    }
    return false;
  });
  return Take(input, SelectionVector(std::move(order)));
}

class Executor {
 public:
  Executor(SnapshotProvider& snapshots, const EvaluatorOptions& options)
      : snapshots_(snapshots), options_(options) {}

  Result<Batch> Run(const LogicalNode& node) {
    switch (node.kind()) {
      case LogicalNodeKind::kValues:
        return EvaluateValues(node, options_);
      case LogicalNodeKind::kScan: {
        const auto& scan = static_cast<const sql::LogicalScan&>(node);
        auto snapshot = snapshots_.Snapshot(scan.object_name);
        if (!snapshot.ok())
          return std::move(snapshot).status().WithPositionIfMissing(node.position());
        return std::move(*snapshot);
      }
      case LogicalNodeKind::kFilter:
      case LogicalNodeKind::kProject: {
        LAMINAR_ASSIGN_OR_RETURN(Batch input, Run(*node.inputs()[0]));
        return RunFilterOrProject(node, std::move(input), options_);
      }
      case LogicalNodeKind::kUnion: {
        std::vector<Batch> parts;
        for (const sql::LogicalNodePtr& input : node.inputs()) {
          LAMINAR_ASSIGN_OR_RETURN(Batch part, Run(*input));
          parts.push_back(std::move(part));
        }
        return ConcatenateBatches(node.schema(), parts);
      }
      case LogicalNodeKind::kSort: {
        LAMINAR_ASSIGN_OR_RETURN(Batch input, Run(*node.inputs()[0]));
        return RunSort(static_cast<const sql::LogicalSort&>(node), input, options_);
      }
      case LogicalNodeKind::kLimit: {
        const auto& limit = static_cast<const sql::LogicalLimit&>(node);
        LAMINAR_ASSIGN_OR_RETURN(Batch input, Run(*node.inputs()[0]));
        const int64_t offset = std::min(std::max<int64_t>(limit.offset, 0), input.num_rows());
        int64_t length = input.num_rows() - offset;
        if (limit.limit >= 0) length = std::min(length, limit.limit);
        return input.Slice(offset, length);
      }
      case LogicalNodeKind::kAggregate:
        return RunAggregate(static_cast<const sql::LogicalAggregate&>(node));
      case LogicalNodeKind::kJoin:
        return NotExecutable(node, "a join");
      case LogicalNodeKind::kOver:
        return NotExecutable(node, "an OVER window function");
      case LogicalNodeKind::kTopN:
        return NotExecutable(node, "Top-N");
      case LogicalNodeKind::kWindowTableFunction:
        return NotExecutable(node, "a window table function");
      case LogicalNodeKind::kSink:
        return NotExecutable(node, "a sink");
    }
    return NotExecutable(node, "this clause");
  }

 private:
  /// Collects what an operator emits.
  class Collector final : public OperatorOutput {
   public:
    Status Emit(const ChangeBatch& batch) override {
      batches.push_back(batch.rows);
      return Status::Ok();
    }
    Status EmitWatermark(int64_t /*watermark*/) override { return Status::Ok(); }
    Status EmitSide(int /*side*/, const ChangeBatch& /*batch*/) override { return Status::Ok(); }
    std::vector<Batch> batches;
  };

  /// Feeds the whole input to the aggregation, then ends it: every group emits its final row.
  Result<Batch> RunAggregate(const sql::LogicalAggregate& aggregate) {
    PlanOptions plan;
    plan.bounded = true;
    LAMINAR_ASSIGN_OR_RETURN(PlannedAggregate planned, PlanAggregate(aggregate, options_, plan));
    LAMINAR_ASSIGN_OR_RETURN(Batch input, Run(*planned.input));
    for (auto it = planned.filters.rbegin(); it != planned.filters.rend(); ++it) {
      LAMINAR_ASSIGN_OR_RETURN(input, RunFilterOrProject(**it, std::move(input), options_));
    }
    Collector collector;
    if (input.num_rows() > 0) {
      LAMINAR_RETURN_IF_ERROR(planned.op->Process(0, ChangeBatch{std::move(input), {}}, collector));
    }
    LAMINAR_RETURN_IF_ERROR(planned.op->OnWatermark(0, kMaxWatermark, collector));
    return ConcatenateBatches(aggregate.schema(), collector.batches);
  }

  SnapshotProvider& snapshots_;
  const EvaluatorOptions& options_;
};

}  // namespace

Result<Batch> EvaluateValues(const LogicalNode& node, const EvaluatorOptions& options) {
  const auto& values = static_cast<const sql::LogicalValues&>(node);
  // Each expression is evaluated over a one-row batch without columns (they are constants).
  const auto no_columns = std::make_shared<const Schema>();
  const Batch one_row = Batch::MakeWithoutColumns(no_columns, 1);
  std::vector<ColumnBuilder> builders;
  for (const Field& field : node.schema()->fields()) builders.emplace_back(field.type);
  for (const std::vector<sql::BoundExprPtr>& row : values.rows) {
    for (size_t i = 0; i < row.size(); ++i) {
      auto evaluator = ExpressionEvaluator::Make(row[i], options);
      if (!evaluator.ok())
        return std::move(evaluator).status().WithPositionIfMissing(row[i]->position);
      auto column = evaluator->Evaluate(one_row);
      if (!column.ok()) return std::move(column).status().WithPositionIfMissing(row[i]->position);
      LAMINAR_RETURN_IF_ERROR(builders[i].AppendFrom(*column, 0));
    }
  }
  if (builders.empty()) {
    return Batch::MakeWithoutColumns(node.schema(), static_cast<int64_t>(values.rows.size()));
  }
  std::vector<Column> columns;
  for (ColumnBuilder& builder : builders) columns.push_back(builder.Finish());
  return Batch::Make(node.schema(), std::move(columns));
}

Result<Batch> ConcatenateBatches(std::shared_ptr<const Schema> schema,
                                 const std::vector<Batch>& batches) {
  if (batches.size() == 1) return batches[0];
  int64_t total = 0;
  for (const Batch& batch : batches) total += batch.num_rows();
  if (schema->num_fields() == 0) return Batch::MakeWithoutColumns(schema, total);
  std::vector<Column> columns;
  for (int c = 0; c < schema->num_fields(); ++c) {
    ColumnBuilder builder(schema->field(c).type);
    builder.Reserve(total);
    for (const Batch& batch : batches) {
      for (int64_t row = 0; row < batch.num_rows(); ++row) {
        LAMINAR_RETURN_IF_ERROR(builder.AppendFrom(batch.column(c), row));
      }
    }
    columns.push_back(builder.Finish());
  }
  return Batch::Make(std::move(schema), std::move(columns));
}

Result<Batch> ExecuteBoundedQuery(const LogicalNode& root, SnapshotProvider& snapshots,
                                  const EvaluatorOptions& options) {
  Executor executor(snapshots, options);
  return executor.Run(root);
}

}  // namespace laminar::exec
