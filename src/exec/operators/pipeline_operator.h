#pragma once

#include <memory>
#include <string>
#include <vector>

#include "columnar/schema.h"
#include "columnar/selection_vector.h"
#include "exec/expression_evaluator.h"
#include "exec/operators/operator.h"
#include "sql/plan/logical_node.h"

namespace laminar::exec {

/// One stateless step of a fused pipeline.
struct PipelineStep {
  enum class Kind : uint8_t { kFilter, kProject };
  Kind kind = Kind::kFilter;
  /// kFilter: the BOOLEAN predicate.
  std::optional<ExpressionEvaluator> predicate;
  /// kProject: one evaluator per output column, and for each the input column it passes
  /// through unchanged (-1 when computed), so pass-through columns are shared, not evaluated.
  std::vector<ExpressionEvaluator> projections;
  std::vector<int> pass_through;
  std::shared_ptr<const Schema> output_schema;  // kProject.
  std::string text;                             // For Describe.
};

/// The pipeline step of a logical Filter or Project node: its expressions compiled once. Errors
/// (a function without a kernel: LDB-2001) carry the position of the expression.
Result<PipelineStep> MakePipelineStep(const sql::LogicalNode& node,
                                      const EvaluatorOptions& options);

/// Filters and projections fused into one pass per batch (issue: "filter, project and union
/// all, fused into one pipeline pass per batch"). A filter does not copy rows: it narrows a
/// selection vector, and the next projection evaluates its expressions only over the selected
/// rows; rows are gathered (Take) at most once, at the end, when the last step is a filter.
/// Pass-through columns of a projection without a pending selection are shared zero-copy.
/// Retractions of a changelog pass through with their weights.
///
/// Thread-safety: stateless apart from scratch vectors, one thread at a time.
class PipelineOperator final : public Operator {
 public:
  /// REQUIRES: steps non-empty; each step bound over the previous step's output.
  explicit PipelineOperator(std::vector<PipelineStep> steps,
                            std::shared_ptr<const Schema> output_schema);

  Status Process(int port, const ChangeBatch& batch, OperatorOutput& out) override;
  std::string Describe() const override;
  Status Snapshot(storage::StateWriter& writer) const override;
  Status Restore(storage::StateReader& reader) override;

  /// Runs the steps over `input`; an empty result (no row survives) has zero rows.
  Result<ChangeBatch> Run(const ChangeBatch& input);

 private:
  std::vector<PipelineStep> steps_;
  std::shared_ptr<const Schema> output_schema_;
  SelectionVector selection_;  // Scratch, reused across batches.
};

}  // namespace laminar::exec
