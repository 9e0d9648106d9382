#include "exec/operators/pipeline_operator.h"

#include <fmt/format.h>

#include "columnar/take.h"
#include "sql/plan/logical_filter.h"
#include "sql/plan/logical_project.h"
#include "storage/state_io.h"

namespace laminar::exec {
namespace {

std::vector<int8_t> GatherWeights(const std::vector<int8_t>& weights,
                                  const SelectionVector& selection) {
  if (weights.empty()) return {};
  std::vector<int8_t> gathered(static_cast<size_t>(selection.size()));
  for (int64_t i = 0; i < selection.size(); ++i) gathered[i] = weights[selection[i]];
  return gathered;
}

}  // namespace

Result<PipelineStep> MakePipelineStep(const sql::LogicalNode& node,
                                      const EvaluatorOptions& options) {
  PipelineStep step;
  if (node.kind() == sql::LogicalNodeKind::kFilter) {
    const auto& filter = static_cast<const sql::LogicalFilter&>(node);
    step.kind = PipelineStep::Kind::kFilter;
    auto predicate = ExpressionEvaluator::Make(filter.predicate, options);
    if (!predicate.ok()) {
      return std::move(predicate).status().WithPositionIfMissing(filter.predicate->position);
    }
    step.predicate.emplace(std::move(*predicate));
    step.text = fmt::format("filter {}", filter.predicate->ToString());
    return step;
  }
  const auto& project = static_cast<const sql::LogicalProject&>(node);
  step.kind = PipelineStep::Kind::kProject;
  step.output_schema = project.schema();
  for (const sql::BoundExprPtr& expression : project.expressions) {
    auto evaluator = ExpressionEvaluator::Make(expression, options);
    if (!evaluator.ok()) {
      return std::move(evaluator).status().WithPositionIfMissing(expression->position);
    }
    step.projections.push_back(std::move(*evaluator));
    step.pass_through.push_back(
        expression->kind == sql::BoundExpressionKind::kColumn ? expression->column_index : -1);
  }
  step.text = fmt::format("project {}", project.expressions.size());
  return step;
}

PipelineOperator::PipelineOperator(std::vector<PipelineStep> steps,
                                   std::shared_ptr<const Schema> output_schema)
    : steps_(std::move(steps)), output_schema_(std::move(output_schema)) {}

Result<ChangeBatch> PipelineOperator::Run(const ChangeBatch& input) {
  const Batch* current = &input.rows;
  const std::vector<int8_t>* weights = &input.weights;
  ChangeBatch owned;
  bool selected = false;  // `selection_` narrows `current` when true.
  for (const PipelineStep& step : steps_) {
    if (step.kind == PipelineStep::Kind::kFilter) {
      if (selected) {
        LAMINAR_RETURN_IF_ERROR(step.predicate->Filter(*current, &selection_));
      } else {
        LAMINAR_RETURN_IF_ERROR(step.predicate->FilterAll(*current, &selection_));
        selected = true;
      }
      if (selection_.empty()) return ChangeBatch{Batch::Empty(output_schema_), {}};
      continue;
    }
    const bool all_rows = !selected || selection_.size() == current->num_rows();
    std::vector<Column> columns;
    columns.reserve(step.projections.size());
    for (size_t i = 0; i < step.projections.size(); ++i) {
      const int source = step.pass_through[i];
      if (source >= 0 && all_rows) {
        columns.push_back(current->column(source));
      } else if (source >= 0) {
        LAMINAR_ASSIGN_OR_RETURN(Column column, Take(current->column(source), selection_));
        columns.push_back(std::move(column));
      } else {
        LAMINAR_ASSIGN_OR_RETURN(Column column, step.projections[i].Evaluate(
                                                    *current, all_rows ? nullptr : &selection_));
        columns.push_back(std::move(column));
      }
    }
    const int64_t rows = all_rows ? current->num_rows() : selection_.size();
    std::vector<int8_t> new_weights = all_rows ? *weights : GatherWeights(*weights, selection_);
    if (columns.empty()) {
      owned.rows = Batch::MakeWithoutColumns(step.output_schema, rows);
    } else {
      LAMINAR_ASSIGN_OR_RETURN(owned.rows, Batch::Make(step.output_schema, std::move(columns)));
    }
    owned.weights = std::move(new_weights);
    current = &owned.rows;
    weights = &owned.weights;
    selected = false;
  }
  if (selected && selection_.size() != current->num_rows()) {
    LAMINAR_ASSIGN_OR_RETURN(Batch taken, Take(*current, selection_));
    return ChangeBatch{std::move(taken), GatherWeights(*weights, selection_)};
  }
  if (current == &input.rows) return input;
  return owned;
}

Status PipelineOperator::Process(int /*port*/, const ChangeBatch& batch, OperatorOutput& out) {
  LAMINAR_ASSIGN_OR_RETURN(ChangeBatch result, Run(batch));
  if (result.num_rows() == 0) return Status::Ok();
  return out.EmitOwned(std::move(result));
}

std::string PipelineOperator::Describe() const {
  std::string text = "Pipeline";
  for (const PipelineStep& step : steps_) {
    text += fmt::format(" | {}", step.text);
  }
  return text;
}

Status PipelineOperator::Snapshot(storage::StateWriter& writer) const {
  writer.WriteVersion(1);  // Stateless: only the version.
  return Status::Ok();
}

Status PipelineOperator::Restore(storage::StateReader& reader) {
  reader.ReadVersion(1);
  return reader.status();
}

}  // namespace laminar::exec
