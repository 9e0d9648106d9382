#include "exec/planning.h"

namespace laminar::exec {

Result<PlannedOperator> PlanOver(const sql::LogicalOver& over, const EvaluatorOptions& /*options*/,
                                 const PlanOptions& /*plan*/) {
  return NotExecutable(over, "an OVER window function");
}

Result<PlannedOperator> PlanTopN(const sql::LogicalTopN& top_n, const EvaluatorOptions& /*options*/,
                                 const PlanOptions& /*plan*/) {
  return NotExecutable(top_n, "Top-N (ORDER BY ... LIMIT, or ROW_NUMBER() filtered by rank)");
}

}  // namespace laminar::exec
