#include "exec/physical_planner.h"

#include <fmt/format.h>

#include <vector>

#include "exec/operators/aggregate_operator.h"
#include "exec/operators/pipeline_operator.h"
#include "exec/operators/union_operator.h"
#include "exec/operators/window_table_function_operator.h"
#include "sql/object_kind.h"
#include "sql/plan/logical_aggregate.h"
#include "sql/plan/logical_filter.h"
#include "sql/plan/logical_join.h"
#include "sql/plan/logical_over.h"
#include "sql/plan/logical_project.h"
#include "sql/plan/logical_scan.h"
#include "sql/plan/logical_sink.h"
#include "sql/plan/logical_top_n.h"
#include "sql/plan/logical_window_table_function.h"

namespace laminar::exec {

Status NotExecutable(const sql::LogicalNode& node, std::string_view what) {
  return Status::Error(ErrorCode::kNotSupported,
                       "{} is not executable in a continuous query yet (the plan node is: {})",
                       what, node.Describe())
      .WithPosition(node.position());
}

bool IsProcessingTime(const sql::LogicalNode& node, int column) {
  switch (node.kind()) {
    case sql::LogicalNodeKind::kFilter:
      return IsProcessingTime(*node.inputs()[0], column);
    case sql::LogicalNodeKind::kProject: {
      const sql::BoundExpression& expr =
          *static_cast<const sql::LogicalProject&>(node).expressions[static_cast<size_t>(column)];
      if (expr.kind == sql::BoundExpressionKind::kCall && expr.name == "proctime") return true;
      if (expr.kind == sql::BoundExpressionKind::kColumn) {
        return IsProcessingTime(*node.inputs()[0], expr.column_index);
      }
      return false;
    }
    default:
      return false;
  }
}

Result<PlannedOperator> PlanJoin(const sql::LogicalJoin& join, const EvaluatorOptions& options,
                                 const PlanOptions& plan) {
  if (join.options.asof) return PlanAsofJoin(join, options, plan);
  if (plan.bounded) return PlanStreamJoin(join, options, plan);
  if (join.options.system_time) return PlanTemporalJoin(join, options, plan);
  if (join.options.lookup) return PlanLookupJoin(join, options, plan);
  return PlanStreamJoin(join, options, plan);
}

namespace {

using sql::LogicalNode;
using sql::LogicalNodeKind;

std::string_view ClauseName(LogicalNodeKind kind) {
  switch (kind) {
    case LogicalNodeKind::kWindowTableFunction:
      return "a window table function (TUMBLE/HOP/SESSION/CUMULATE)";
    case LogicalNodeKind::kAggregate:
      return "aggregation (GROUP BY or an aggregate function)";
    case LogicalNodeKind::kJoin:
      return "a join";
    case LogicalNodeKind::kOver:
      return "an OVER window function";
    case LogicalNodeKind::kTopN:
      return "Top-N (ORDER BY ... LIMIT, or ROW_NUMBER() filtered by rank)";
    case LogicalNodeKind::kSort:
      return "ORDER BY";
    case LogicalNodeKind::kLimit:
      return "LIMIT";
    case LogicalNodeKind::kValues:
      return "VALUES in a continuous query";
    default:
      return "this clause";
  }
}

bool ReadsColumnsFrom(const sql::BoundExpression& expr, int first_column) {
  for (const int column : sql::ReferencedColumns(expr)) {
    if (column >= first_column) return true;
  }
  return false;
}

class Translator {
 public:
  Translator(Dataflow* flow, const EvaluatorOptions& options, const PlanOptions& plan)
      : flow_(flow), options_(options), plan_(plan) {}

  /// Translates `node`, whose output goes to operator `parent` at `port`.
  Status Translate(const LogicalNode& node, int parent, int port) {
    switch (node.kind()) {
      case LogicalNodeKind::kSink:
        return Translate(*node.inputs()[0], parent, port);
      case LogicalNodeKind::kScan:
        return TranslateScan(static_cast<const sql::LogicalScan&>(node), parent, port);
      case LogicalNodeKind::kFilter:
      case LogicalNodeKind::kProject:
        return TranslatePipeline(node, parent, port);
      case LogicalNodeKind::kUnion:
        return TranslateUnion(node, parent, port);
      case LogicalNodeKind::kAggregate:
        return TranslateAggregate(static_cast<const sql::LogicalAggregate&>(node), parent, port);
      case LogicalNodeKind::kWindowTableFunction:
        return TranslateWindowTableFunction(
            static_cast<const sql::LogicalWindowTableFunction&>(node), parent, port);
      case LogicalNodeKind::kJoin:
        return TranslateJoin(static_cast<const sql::LogicalJoin&>(node), parent, port);
      case LogicalNodeKind::kOver: {
        LAMINAR_ASSIGN_OR_RETURN(
            PlannedOperator planned,
            PlanOver(static_cast<const sql::LogicalOver&>(node), options_, plan_));
        return TranslatePlanned(std::move(planned), parent, port);
      }
      case LogicalNodeKind::kTopN: {
        LAMINAR_ASSIGN_OR_RETURN(
            PlannedOperator planned,
            PlanTopN(static_cast<const sql::LogicalTopN&>(node), options_, plan_));
        return TranslatePlanned(std::move(planned), parent, port);
      }
      default:
        return NotExecutable(node, ClauseName(node.kind()));
    }
  }

 private:
  Status TranslateJoin(const sql::LogicalJoin& join, int parent, int port) {
    LAMINAR_ASSIGN_OR_RETURN(PlannedOperator planned, PlanJoin(join, options_, plan_));
    return TranslatePlanned(std::move(planned), parent, port);
  }

  /// Adds a planned operator and translates the node feeding each of its ports.
  Status TranslatePlanned(PlannedOperator planned, int parent, int port) {
    const int index = flow_->AddOperator(std::move(planned.op), parent, port);
    for (size_t i = 0; i < planned.inputs.size(); ++i) {
      const PlannedInput& input = planned.inputs[i];
      if (input.versioned && input.node->kind() == LogicalNodeKind::kScan) {
        const auto& scan = static_cast<const sql::LogicalScan&>(*input.node);
        if (scan.object_kind == sql::ObjectKind::kSource) {
          flow_->AddInput(Dataflow::Input{scan.object_name, index, static_cast<int>(i)});
          continue;
        }
      }
      LAMINAR_RETURN_IF_ERROR(Translate(*input.node, index, static_cast<int>(i)));
    }
    return Status::Ok();
  }

  Status TranslateScan(const sql::LogicalScan& scan, int parent, int port) {
    if (scan.object_kind == sql::ObjectKind::kTable ||
        scan.object_kind == sql::ObjectKind::kLookupTable) {
      return NotExecutable(scan,
                           fmt::format("reading {} \"{}\" (tables are joined, as lookup "
                                       "or temporal joins)",
                                       sql::ObjectKindKeyword(scan.object_kind), scan.object_name));
    }
    if (scan.object_kind == sql::ObjectKind::kMaterializedView) {
      return NotExecutable(
          scan, fmt::format("reading MATERIALIZED VIEW \"{}\" as a stream", scan.object_name));
    }
    // A stream defined by a query that retracts rows (GROUP BY, outer joins, Top-N) is read as
    // the changelog it is: its batches carry their weights to the operators reading them. An
    // upsert source's rows are new versions of their key, not a changelog with retractions:
    // only joins that read versions accept them (PlannedInput::versioned).
    if (scan.properties().mode == sql::ChangelogMode::kChangelog &&
        scan.object_kind != sql::ObjectKind::kStream) {
      return NotExecutable(scan,
                           fmt::format("reading the changelog of {} \"{}\" (an upsert "
                                       "source with PRIMARY KEY, or a changelog stream)",
                                       sql::ObjectKindKeyword(scan.object_kind), scan.object_name));
    }
    flow_->AddInput(Dataflow::Input{scan.object_name, parent, port});
    return Status::Ok();
  }

  /// Collects the run of Filter/Project nodes starting at `top` (outermost first) into one
  /// fused pipeline, innermost step first.
  Status TranslatePipeline(const LogicalNode& top, int parent, int port) {
    std::vector<const LogicalNode*> chain;
    const LogicalNode* node = &top;
    while (node->kind() == LogicalNodeKind::kFilter || node->kind() == LogicalNodeKind::kProject) {
      chain.push_back(node);
      node = node->inputs()[0].get();
    }
    std::vector<PipelineStep> steps;
    for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
      LAMINAR_ASSIGN_OR_RETURN(PipelineStep step, MakePipelineStep(**it, options_));
      steps.push_back(std::move(step));
    }
    const int index = flow_->AddOperator(
        std::make_unique<PipelineOperator>(std::move(steps), top.schema()), parent, port);
    return Translate(*node, index, 0);
  }

  Status TranslateUnion(const LogicalNode& node, int parent, int port) {
    const int inputs = static_cast<int>(node.inputs().size());
    const int index =
        flow_->AddOperator(std::make_unique<UnionOperator>(inputs, node.schema()), parent, port);
    for (int i = 0; i < inputs; ++i) {
      LAMINAR_RETURN_IF_ERROR(Translate(*node.inputs()[static_cast<size_t>(i)], index, i));
    }
    return Status::Ok();
  }

  Status TranslateAggregate(const sql::LogicalAggregate& aggregate, int parent, int port) {
    LAMINAR_ASSIGN_OR_RETURN(PlannedAggregate planned, PlanAggregate(aggregate, options_, plan_));
    const int index = flow_->AddOperator(std::move(planned.op), parent, port);
    if (aggregate.options.late_data_target) {
      flow_->AddSideOutput(Dataflow::SideOutput{*aggregate.options.late_data_target,
                                                planned.input->schema(), index, 0});
    }
    if (!planned.filters.empty()) {
      std::vector<PipelineStep> steps;
      for (auto it = planned.filters.rbegin(); it != planned.filters.rend(); ++it) {
        LAMINAR_ASSIGN_OR_RETURN(PipelineStep step, MakePipelineStep(**it, options_));
        steps.push_back(std::move(step));
      }
      const int pipeline = flow_->AddOperator(
          std::make_unique<PipelineOperator>(std::move(steps), planned.input->schema()), index, 0);
      return Translate(*planned.input, pipeline, 0);
    }
    return Translate(*planned.input, index, 0);
  }

  Status TranslateWindowTableFunction(const sql::LogicalWindowTableFunction& node, int parent,
                                      int port) {
    if (node.assignment.kind == sql::WindowKind::kSession) {
      return NotExecutable(node, "SESSION as a table function without an aggregation over it");
    }
    const int index = flow_->AddOperator(
        std::make_unique<WindowTableFunctionOperator>(node.assignment, node.schema()), parent,
        port);
    return Translate(*node.inputs()[0], index, 0);
  }

  Dataflow* flow_;
  const EvaluatorOptions& options_;
  const PlanOptions& plan_;
};

}  // namespace

Result<PlannedAggregate> PlanAggregate(const sql::LogicalAggregate& aggregate,
                                       const EvaluatorOptions& evaluator_options,
                                       const PlanOptions& plan_options) {
  const sql::LogicalAggregate::Options& options = aggregate.options;
  AggregateDefinition def;
  def.window = options.window;
  def.emit = options.emit.strategy;
  def.emit_period_micros = options.emit.period_micros;
  def.allowed_lateness_micros = options.allowed_lateness_micros;
  def.state_ttl_micros = options.state_ttl_micros;
  def.output_schema = aggregate.schema();
  def.clock = evaluator_options.clock;
  const LogicalNode* input = aggregate.inputs()[0].get();
  def.input_changelog = input->properties().mode == sql::ChangelogMode::kChangelog;
  if (plan_options.bounded) def.emit = sql::EmitStrategy::kOnWindowClose;

  // The window table function form: the aggregate reads the function's input directly (its
  // panes replace the function's row expansion); filters in between run below it.
  std::vector<const LogicalNode*> filters;
  const sql::LogicalWindowTableFunction* table_function = nullptr;
  int input_width = input->schema()->num_fields();
  if (options.window && !options.window_in_group_by) {
    const LogicalNode* node = input;
    while (node->kind() == LogicalNodeKind::kFilter) {
      filters.push_back(node);
      node = node->inputs()[0].get();
    }
    if (node->kind() != LogicalNodeKind::kWindowTableFunction) {
      return NotExecutable(aggregate,
                           "a window aggregate whose window table function is not "
                           "directly below it (only filters may come between)");
    }
    table_function = static_cast<const sql::LogicalWindowTableFunction*>(node);
    input_width = table_function->inputs()[0]->schema()->num_fields();
    for (const LogicalNode* filter : filters) {
      if (ReadsColumnsFrom(*static_cast<const sql::LogicalFilter*>(filter)->predicate,
                           input_width)) {
        return NotExecutable(*filter,
                             "a filter on window_start/window_end between a window "
                             "table function and its aggregate");
      }
    }
  }
  if (def.window) {
    const LogicalNode& time_source =
        table_function != nullptr ? *table_function->inputs()[0] : *input;
    def.processing_time = IsProcessingTime(time_source, def.window->time_column);
  }
  if (def.window && def.state_ttl_micros) {
    return NotExecutable(aggregate,
                         "state_ttl on a window aggregate (windows free their state "
                         "when the watermark closes them; state_ttl applies to "
                         "GROUP BY without a window)");
  }
  if (table_function != nullptr && def.window->kind == sql::WindowKind::kSession &&
      aggregate.group_keys.size() > 2) {
    // SESSION(TABLE t, ...) has sessions over all rows; grouping by more keys would need
    // sessions per key, which is GROUP BY k, session(ts, gap).
    return NotExecutable(aggregate,
                         "the SESSION table function grouped by keys other than "
                         "window_start and window_end (use GROUP BY k, "
                         "session(ts, gap) for sessions per key)");
  }
  if (def.window && def.window->kind == sql::WindowKind::kSession &&
      def.emit != sql::EmitStrategy::kOnWindowClose) {
    return NotExecutable(aggregate,
                         "EMIT CHANGES, ON UPDATE or EVERY on session windows "
                         "(sessions emit ON WINDOW CLOSE)");
  }
  if (def.window) {
    const TypeId time_type =
        (table_function != nullptr ? table_function->inputs()[0]->schema() : input->schema())
            ->field(def.window->time_column)
            .type.id();
    if (time_type != TypeId::kTimestamp && time_type != TypeId::kTimestampTz) {
      return NotExecutable(aggregate, "a window over a column that is not a TIMESTAMP");
    }
  }
  // Output columns.
  int key_output = 0;
  if (options.window && options.window_in_group_by) {
    def.output_columns.push_back({AggregateOutputColumn::Kind::kWindowStart, 0});
    def.output_columns.push_back({AggregateOutputColumn::Kind::kWindowEnd, 0});
    key_output = 2;
  }
  (void)key_output;
  for (size_t i = 0; i < aggregate.group_keys.size(); ++i) {
    const int key = static_cast<int>(i);
    if (table_function != nullptr && key == options.window_start_key) {
      def.output_columns.push_back({AggregateOutputColumn::Kind::kWindowStart, 0});
      continue;
    }
    if (table_function != nullptr && key == options.window_end_key) {
      def.output_columns.push_back({AggregateOutputColumn::Kind::kWindowEnd, 0});
      continue;
    }
    const sql::BoundExprPtr& expr = aggregate.group_keys[i];
    if (table_function != nullptr && ReadsColumnsFrom(*expr, input_width)) {
      return NotExecutable(aggregate, "a group key computed from window_start/window_end");
    }
    if (!def.window && options.emit.strategy == sql::EmitStrategy::kOnWindowClose &&
        !plan_options.bounded && expr->kind == sql::BoundExpressionKind::kColumn &&
        input->properties().HasWatermark(expr->column_index) && def.closing_key < 0) {
      def.closing_key = static_cast<int>(def.keys.size());
    }
    auto evaluator = ExpressionEvaluator::Make(expr, evaluator_options);
    if (!evaluator.ok()) return std::move(evaluator).status().WithPosition(aggregate.position());
    def.output_columns.push_back(
        {AggregateOutputColumn::Kind::kKey, static_cast<int>(def.keys.size())});
    def.key_types.push_back(expr->type);
    def.keys.push_back(std::move(*evaluator));
  }
  if (!def.window && options.emit.strategy == sql::EmitStrategy::kOnWindowClose &&
      !plan_options.bounded && def.closing_key < 0) {
    return NotExecutable(aggregate, "EMIT ON WINDOW CLOSE without a window or watermarked key");
  }
  if (def.closing_key >= 0 && def.state_ttl_micros) {
    return NotExecutable(aggregate,
                         "state_ttl on groups that the watermark closes (EMIT ON "
                         "WINDOW CLOSE over a watermarked key frees them itself)");
  }
  if (def.closing_key >= 0) {
    const TypeId type = def.key_types[static_cast<size_t>(def.closing_key)].id();
    if (type != TypeId::kTimestamp && type != TypeId::kTimestampTz) {
      return NotExecutable(aggregate,
                           "closing groups on a watermarked key that is not a "
                           "TIMESTAMP");
    }
  }
  for (size_t i = 0; i < aggregate.aggregates.size(); ++i) {
    const sql::AggregateCall& call = aggregate.aggregates[i];
    AggregateCallDefinition definition;
    definition.text = call.ToString();
    definition.spec.function = call.function_id;
    definition.spec.result_type = call.type;
    definition.spec.distinct = call.distinct;
    definition.spec.retractions = def.input_changelog;
    size_t column_arguments = call.arguments.size();
    if (call.function_id == functions::FunctionId::kStringAgg ||
        call.function_id == functions::FunctionId::kApproxPercentile) {
      // The delimiter / fraction must be a constant.
      const sql::BoundExprPtr& last = call.arguments.back();
      if (!sql::ReferencedColumns(*last).empty()) {
        return Status::Error(ErrorCode::kNotSupported, "the last argument of {} must be a constant",
                             call.function)
            .WithPosition(call.position);
      }
      LAMINAR_ASSIGN_OR_RETURN(ExpressionEvaluator constant,
                               ExpressionEvaluator::Make(last, evaluator_options));
      LAMINAR_ASSIGN_OR_RETURN(Column value, constant.Evaluate(Batch::MakeWithoutColumns(
                                                 std::make_shared<const Schema>(), 1)));
      definition.spec.constant_arguments.push_back(value.GetValue(0));
      column_arguments -= 1;
    }
    for (size_t a = 0; a < column_arguments; ++a) {
      const sql::BoundExprPtr& argument = call.arguments[a];
      if (table_function != nullptr && ReadsColumnsFrom(*argument, input_width)) {
        return NotExecutable(aggregate, "an aggregate of window_start/window_end");
      }
      auto evaluator = ExpressionEvaluator::Make(argument, evaluator_options);
      if (!evaluator.ok()) return std::move(evaluator).status().WithPosition(call.position);
      definition.spec.argument_types.push_back(argument->type);
      definition.arguments.push_back(std::move(*evaluator));
    }
    if (call.filter) {
      if (table_function != nullptr && ReadsColumnsFrom(*call.filter, input_width)) {
        return NotExecutable(aggregate, "a FILTER on window_start/window_end");
      }
      auto evaluator = ExpressionEvaluator::Make(call.filter, evaluator_options);
      if (!evaluator.ok()) return std::move(evaluator).status().WithPosition(call.position);
      definition.filter = std::move(*evaluator);
    }
    def.output_columns.push_back(
        {AggregateOutputColumn::Kind::kAggregate, static_cast<int>(def.calls.size())});
    def.calls.push_back(std::move(definition));
  }
  def.late_side_output = options.late_data_target.has_value();
  auto made = AggregateOperator::Make(std::move(def));
  if (!made.ok()) return std::move(made).status().WithPosition(aggregate.position());
  PlannedAggregate planned;
  planned.op = std::move(*made);
  planned.input = table_function != nullptr ? table_function->inputs()[0].get() : input;
  planned.filters = std::move(filters);
  return planned;
}

Result<std::unique_ptr<Dataflow>> PlanContinuousQuery(const sql::LogicalNode& root,
                                                      const EvaluatorOptions& options,
                                                      const PlanOptions& plan) {
  auto flow = std::make_unique<Dataflow>();
  Translator translator(flow.get(), options, plan);
  LAMINAR_RETURN_IF_ERROR(translator.Translate(root, -1, 0));
  return flow;
}

}  // namespace laminar::exec
