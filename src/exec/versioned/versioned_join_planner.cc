#include "exec/planning.h"

namespace laminar::exec {

Result<PlannedOperator> PlanAsofJoin(const sql::LogicalJoin& join,
                                     const EvaluatorOptions& /*options*/,
                                     const PlanOptions& /*plan*/) {
  return NotExecutable(join, "an ASOF join");
}

Result<PlannedOperator> PlanTemporalJoin(const sql::LogicalJoin& join,
                                         const EvaluatorOptions& /*options*/,
                                         const PlanOptions& /*plan*/) {
  return NotExecutable(join, "a FOR SYSTEM_TIME AS OF join");
}

Result<PlannedOperator> PlanLookupJoin(const sql::LogicalJoin& join,
                                       const EvaluatorOptions& /*options*/,
                                       const PlanOptions& /*plan*/) {
  return NotExecutable(join, "a lookup join");
}

}  // namespace laminar::exec
