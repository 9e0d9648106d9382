#include "exec/bounded_executor.h"

#include <fmt/format.h>

#include <algorithm>
#include <numeric>
#include <string>
#include <unordered_map>

#include "columnar/column_builder.h"
#include "columnar/take.h"
#include "exec/analytic/analytic_rows.h"
#include "exec/change_batch.h"
#include "exec/expression_evaluator.h"
#include "exec/operators/pipeline_operator.h"
#include "exec/physical_planner.h"
#include "sql/plan/logical_aggregate.h"
#include "sql/plan/logical_join.h"
#include "sql/plan/logical_over.h"
#include "sql/plan/logical_scan.h"
#include "sql/plan/logical_sort.h"
#include "sql/plan/logical_top_n.h"
#include "sql/plan/logical_values.h"
#include "state/key_encoder.h"

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
  // One tuple of ORDER BY values per row; NULLS LAST by default for ASC, as in PostgreSQL
  // (NULL is the largest value), which the binder sets in each key's nulls_first.
  std::vector<std::vector<Value>> keys(static_cast<size_t>(rows));
  std::vector<SortDirection> directions;
  for (const sql::SortKey& key : sort.keys) {
    auto evaluator = ExpressionEvaluator::Make(key.expr, options);
    if (!evaluator.ok()) {
      return std::move(evaluator).status().WithPositionIfMissing(key.expr->position);
    }
    LAMINAR_ASSIGN_OR_RETURN(Column column, evaluator->Evaluate(input));
    for (int64_t row = 0; row < rows; ++row) keys[row].push_back(column.GetValue(row));
    directions.push_back(SortDirection{key.descending, key.nulls_first});
  }
  std::vector<uint32_t> order(static_cast<size_t>(rows));
  std::iota(order.begin(), order.end(), 0u);
  std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    return CompareSortKeys(keys[a], keys[b], directions) < 0;
  });
  return Take(input, SelectionVector(std::move(order)));
}

class Executor {
 public:
  Executor(SnapshotProvider& snapshots, const EvaluatorOptions& options,
           LookupSourceProvider* lookups)
      : snapshots_(snapshots), options_(options) {
    plan_.bounded = true;
    plan_.lookups = lookups;
  }

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
      case LogicalNodeKind::kJoin: {
        LAMINAR_ASSIGN_OR_RETURN(
            PlannedOperator planned,
            PlanJoin(static_cast<const sql::LogicalJoin&>(node), options_, plan_));
        return RunPlanned(std::move(planned), node);
      }
      case LogicalNodeKind::kOver: {
        LAMINAR_ASSIGN_OR_RETURN(
            PlannedOperator planned,
            PlanOver(static_cast<const sql::LogicalOver&>(node), options_, plan_));
        return RunPlanned(std::move(planned), node);
      }
      case LogicalNodeKind::kTopN: {
        LAMINAR_ASSIGN_OR_RETURN(
            PlannedOperator planned,
            PlanTopN(static_cast<const sql::LogicalTopN&>(node), options_, plan_));
        return RunPlanned(std::move(planned), node);
      }
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
      changes.push_back(batch);
      return Status::Ok();
    }
    Status EmitWatermark(int64_t /*watermark*/) override { return Status::Ok(); }
    Status EmitSide(int /*side*/, const ChangeBatch& /*batch*/) override { return Status::Ok(); }
    std::vector<Batch> batches;
    std::vector<ChangeBatch> changes;
  };

  /// Feeds each port its whole input, ends every input (watermark +infinity) and returns the
  /// rows left after applying the retractions the operator emitted.
  Result<Batch> RunPlanned(PlannedOperator planned, const LogicalNode& node) {
    Collector collector;
    for (size_t port = 0; port < planned.inputs.size(); ++port) {
      LAMINAR_ASSIGN_OR_RETURN(Batch input, Run(*planned.inputs[port].node));
      if (input.num_rows() > 0) {
        LAMINAR_RETURN_IF_ERROR(planned.op->Process(static_cast<int>(port),
                                                    ChangeBatch{std::move(input), {}}, collector));
      }
    }
    for (size_t port = 0; port < planned.inputs.size(); ++port) {
      LAMINAR_RETURN_IF_ERROR(
          planned.op->OnWatermark(static_cast<int>(port), kMaxWatermark, collector));
    }
    return Consolidate(node.schema(), collector.changes);
  }

  /// The rows of a changelog after its retractions: each row's weights are summed and a row is
  /// kept as many times as its net weight.
  static Result<Batch> Consolidate(const std::shared_ptr<const Schema>& schema,
                                   const std::vector<ChangeBatch>& changes) {
    bool append_only = true;
    for (const ChangeBatch& change : changes) append_only = append_only && change.append_only();
    std::vector<Batch> batches;
    for (const ChangeBatch& change : changes) batches.push_back(change.rows);
    LAMINAR_ASSIGN_OR_RETURN(Batch all, ConcatenateBatches(schema, batches));
    if (append_only || schema->num_fields() == 0) return all;
    std::vector<int8_t> weights;
    for (const ChangeBatch& change : changes) {
      for (int64_t row = 0; row < change.num_rows(); ++row) weights.push_back(change.weight(row));
    }
    std::vector<DataType> types;
    for (const Field& field : schema->fields()) types.push_back(field.type);
    state::KeyEncoder encoder(types);
    encoder.Encode(all.columns(), {}, {});
    // Net weight per distinct row, and the row's positions in arrival order.
    std::unordered_map<std::string, std::pair<int64_t, std::vector<uint32_t>>> rows;
    std::vector<std::string> order;
    for (size_t row = 0; row < encoder.size(); ++row) {
      std::string key(encoder.key(row));
      auto [it, inserted] = rows.try_emplace(key);
      if (inserted) order.push_back(key);
      it->second.first += weights[row];
      if (weights[row] > 0) it->second.second.push_back(static_cast<uint32_t>(row));
    }
    std::vector<uint32_t> keep;
    for (const std::string& key : order) {
      const auto& [weight, positions] = rows[key];
      for (int64_t i = 0; i < weight && i < static_cast<int64_t>(positions.size()); ++i) {
        keep.push_back(positions[static_cast<size_t>(i)]);
      }
    }
    std::sort(keep.begin(), keep.end());
    return Take(all, SelectionVector(std::move(keep)));
  }

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
  PlanOptions plan_;
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
                                  const EvaluatorOptions& options, LookupSourceProvider* lookups) {
  Executor executor(snapshots, options, lookups);
  return executor.Run(root);
}

}  // namespace laminar::exec
