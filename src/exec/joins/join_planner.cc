#include "exec/planning.h"

namespace laminar::exec {

Result<PlannedOperator> PlanStreamJoin(const sql::LogicalJoin& join,
                                       const EvaluatorOptions& /*options*/,
                                       const PlanOptions& /*plan*/) {
  return NotExecutable(join, "a join");
}

}  // namespace laminar::exec
