#include <fmt/format.h>

#include <algorithm>

#include "exec/analytic/over_operator.h"
#include "exec/analytic/top_n_operator.h"
#include "exec/planning.h"

namespace laminar::exec {
namespace {

using sql::FrameEdge;

Result<ExpressionEvaluator> MakeEvaluator(const sql::BoundExprPtr& expr,
                                          const EvaluatorOptions& options) {
  auto evaluator = ExpressionEvaluator::Make(expr, options);
  if (!evaluator.ok()) return std::move(evaluator).status().WithPositionIfMissing(expr->position);
  return std::move(*evaluator);
}

Status NotSupportedAt(const SourcePosition& position, std::string message) {
  return Status::Error(ErrorCode::kNotSupported, "{}", message).WithPosition(position);
}

/// The frame of an aggregate call in signed offsets.
Status SetFrame(const sql::OverCall& call, bool bounded, OverCallDefinition& definition) {
  sql::Frame frame;
  if (call.frame) {
    frame = *call.frame;
  } else if (call.order_by.empty()) {
    frame.kind = sql::FrameKind::kRows;
    frame.end = FrameEdge{FrameEdge::Kind::kUnboundedFollowing, 0};
  } else {
    // The SQL default: RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW (peers included).
    frame.kind = sql::FrameKind::kRange;
  }
  definition.frame_kind = frame.kind;
  switch (frame.start.kind) {
    case FrameEdge::Kind::kUnboundedPreceding:
      definition.start_unbounded = true;
      break;
    case FrameEdge::Kind::kPreceding:
      definition.start_unbounded = false;
      definition.start = -frame.start.offset;
      break;
    case FrameEdge::Kind::kCurrentRow:
      definition.start_unbounded = false;
      definition.start = 0;
      break;
    case FrameEdge::Kind::kFollowing:
      definition.start_unbounded = false;
      definition.start = frame.start.offset;
      break;
    case FrameEdge::Kind::kUnboundedFollowing:
      return NotSupportedAt(call.position, "a frame starting at UNBOUNDED FOLLOWING");
  }
  switch (frame.end.kind) {
    case FrameEdge::Kind::kUnboundedPreceding:
      return NotSupportedAt(call.position, "a frame ending at UNBOUNDED PRECEDING");
    case FrameEdge::Kind::kPreceding:
      definition.end = -frame.end.offset;
      break;
    case FrameEdge::Kind::kCurrentRow:
      definition.end = 0;
      break;
    case FrameEdge::Kind::kFollowing:
      definition.end = frame.end.offset;
      break;
    case FrameEdge::Kind::kUnboundedFollowing:
      if (!bounded) {
        return NotSupportedAt(call.position,
                              fmt::format("{} over a stream with a frame reaching UNBOUNDED "
                                          "FOLLOWING (the end of the stream) is not supported",
                                          call.ToString()));
      }
      definition.end_unbounded = true;
      break;
  }
  const bool offsets = (!definition.start_unbounded && definition.start != 0) ||
                       (!definition.end_unbounded && definition.end != 0);
  if (frame.kind == sql::FrameKind::kRange && offsets) {
    const DataType& key = call.order_by[0].expr->type;
    if (key.id() != TypeId::kTimestamp && key.id() != TypeId::kTimestampTz) {
      return NotSupportedAt(call.position,
                            fmt::format("a RANGE frame with an offset over ORDER BY {} "
                                        "(only a TIMESTAMP column is supported)",
                                        key.ToString()));
    }
  }
  return Status::Ok();
}

}  // namespace

Result<PlannedOperator> PlanOver(const sql::LogicalOver& over, const EvaluatorOptions& options,
                                 const PlanOptions& plan) {
  const sql::LogicalNode& input = *over.inputs()[0];
  if (over.calls.empty()) return NotExecutable(over, "an OVER node without calls");
  const sql::OverCall& first = over.calls[0];
  for (const sql::OverCall& call : over.calls) {
    if (!call.SameWindow(first)) {
      return NotSupportedAt(call.position,
                            "OVER calls with different PARTITION BY or ORDER BY in one query are "
                            "not supported yet; compute them in separate subqueries");
    }
  }
  OverDefinition definition;
  definition.bounded = plan.bounded;
  definition.input_columns = input.schema()->num_fields();
  definition.output_schema = over.schema();
  definition.input_changelog =
      !plan.bounded && input.properties().mode == sql::ChangelogMode::kChangelog;
  if (!plan.bounded && !definition.input_changelog) {
    const auto& watermarks = input.properties().watermark_columns;
    const bool time_order = first.order_by.size() == 1 && !first.order_by[0].descending &&
                            first.order_by[0].expr->kind == sql::BoundExpressionKind::kColumn &&
                            std::find(watermarks.begin(), watermarks.end(),
                                      first.order_by[0].expr->column_index) != watermarks.end();
    if (!time_order) {
      return NotSupportedAt(first.position,
                            "OVER over a stream needs ORDER BY one watermarked time column, "
                            "ascending (a column of a source with WATERMARK FOR it)");
    }
    definition.time_column = first.order_by[0].expr->column_index;
  }
  for (const sql::BoundExprPtr& key : first.partition_by) {
    LAMINAR_ASSIGN_OR_RETURN(ExpressionEvaluator evaluator, MakeEvaluator(key, options));
    definition.partition_by.push_back(std::move(evaluator));
    definition.partition_types.push_back(key->type);
  }
  for (const sql::SortKey& key : first.order_by) {
    LAMINAR_ASSIGN_OR_RETURN(ExpressionEvaluator evaluator, MakeEvaluator(key.expr, options));
    definition.order_by.push_back(std::move(evaluator));
    definition.directions.push_back(SortDirection{key.descending, key.nulls_first});
  }
  for (const sql::OverCall& call : over.calls) {
    OverCallDefinition call_definition;
    call_definition.type = call.type;
    const std::string& name = call.function;
    using Kind = OverCallDefinition::Kind;
    if (name == "lag" || name == "lead") {
      call_definition.kind = name == "lag" ? Kind::kLag : Kind::kLead;
      if (call.arguments.empty()) return NotSupportedAt(call.position, name + "() without value");
      if (call.arguments.size() >= 2) {
        const sql::BoundExpression& offset = *call.arguments[1];
        if (offset.kind != sql::BoundExpressionKind::kConstant || offset.constant.is_null() ||
            !offset.constant.type().IsInteger() || offset.constant.integer() < 0) {
          return NotSupportedAt(
              offset.position,
              fmt::format("the offset of {}() must be a constant integer >= 0", name));
        }
        call_definition.offset = offset.constant.integer();
      }
      if (call.arguments.size() >= 3) {
        LAMINAR_ASSIGN_OR_RETURN(ExpressionEvaluator evaluator,
                                 MakeEvaluator(call.arguments[2], options));
        call_definition.default_value = std::move(evaluator);
      }
    } else if (name == "count" || name == "sum" || name == "avg" || name == "min" ||
               name == "max") {
      call_definition.kind = name == "count" ? Kind::kCount
                             : name == "sum" ? Kind::kSum
                             : name == "avg" ? Kind::kAvg
                             : name == "min" ? Kind::kMin
                                             : Kind::kMax;
      if ((name == "sum" || name == "avg") && !call.arguments.empty()) {
        const DataType& type = call.arguments[0]->type;
        const bool integral = type.IsInteger();
        const bool floating = type.id() == TypeId::kDouble || type.id() == TypeId::kReal;
        const bool result_ok = call.type.IsInteger() || call.type.id() == TypeId::kDouble;
        if ((!integral && !floating) || !result_ok) {
          return NotSupportedAt(
              call.position,
              fmt::format("{}({}) OVER (...)", name, type.ToString()) + " is not supported yet");
        }
      }
      // Over a changelog every live row is kept: a frame may reach the last row so far.
      LAMINAR_RETURN_IF_ERROR(
          SetFrame(call, plan.bounded || definition.input_changelog, call_definition));
    } else if (plan.bounded && (name == "row_number" || name == "rank" || name == "dense_rank")) {
      call_definition.kind = name == "row_number" ? Kind::kRowNumber
                             : name == "rank"     ? Kind::kRank
                                                  : Kind::kDenseRank;
    } else {
      return NotSupportedAt(
          call.position,
          fmt::format("{}() OVER (...) is not executable in a continuous query yet{}", name,
                      name == "row_number" || name == "rank" || name == "dense_rank"
                          ? " (over a stream, a ranking function needs a filter on the rank: "
                            "QUALIFY ... <= n, or WHERE rank <= n around a subquery)"
                          : ""));
    }
    if (!call.arguments.empty() && call_definition.kind != Kind::kRowNumber) {
      LAMINAR_ASSIGN_OR_RETURN(ExpressionEvaluator evaluator,
                               MakeEvaluator(call.arguments[0], options));
      call_definition.argument = std::move(evaluator);
    }
    definition.calls.push_back(std::move(call_definition));
  }
  PlannedOperator planned;
  planned.op = std::make_unique<OverOperator>(std::move(definition));
  planned.inputs.push_back(PlannedInput{&input, false});
  return planned;
}

Result<PlannedOperator> PlanTopN(const sql::LogicalTopN& top_n, const EvaluatorOptions& options,
                                 const PlanOptions& plan) {
  const sql::LogicalNode& input = *top_n.inputs()[0];
  const sql::LogicalTopN::Options& spec = top_n.options;
  if (spec.limit < 0 || spec.offset < 0) {
    return NotExecutable(top_n, "a Top-N with a negative limit or offset");
  }
  TopNDefinition definition;
  for (const sql::BoundExprPtr& key : spec.partition_by) {
    LAMINAR_ASSIGN_OR_RETURN(ExpressionEvaluator evaluator, MakeEvaluator(key, options));
    definition.partition_by.push_back(std::move(evaluator));
    definition.partition_types.push_back(key->type);
  }
  for (const sql::SortKey& key : spec.order_by) {
    LAMINAR_ASSIGN_OR_RETURN(ExpressionEvaluator evaluator, MakeEvaluator(key.expr, options));
    definition.order_by.push_back(std::move(evaluator));
    definition.directions.push_back(SortDirection{key.descending, key.nulls_first});
  }
  definition.limit = spec.limit;
  definition.offset = spec.offset;
  definition.rank_function = spec.rank_function;
  definition.rank_column = spec.rank_column.has_value();
  definition.input_columns = input.schema()->num_fields();
  definition.output_schema = top_n.schema();
  definition.input_changelog = input.properties().mode == sql::ChangelogMode::kChangelog;
  definition.bounded = plan.bounded;
  if (!plan.bounded) definition.state_ttl_micros = spec.state_ttl_micros;
  definition.clock = options.clock;
  PlannedOperator planned;
  planned.op = std::make_unique<TopNOperator>(std::move(definition));
  planned.inputs.push_back(PlannedInput{&input, false});
  return planned;
}

}  // namespace laminar::exec
