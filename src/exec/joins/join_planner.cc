#include <memory>

#include "exec/joins/stream_join_operator.h"
#include "exec/planning.h"

namespace laminar::exec {

Result<PlannedOperator> PlanStreamJoin(const sql::LogicalJoin& join,
                                       const EvaluatorOptions& options, const PlanOptions& plan) {
  using sql::JoinKind;
  const sql::LogicalJoin::Options& spec = join.options;
  const sql::LogicalNode& left = *join.inputs()[0];
  const sql::LogicalNode& right = *join.inputs()[1];
  const bool changelog_input = left.properties().mode == sql::ChangelogMode::kChangelog ||
                               right.properties().mode == sql::ChangelogMode::kChangelog;
  const bool bounded_input = left.properties().bounded || right.properties().bounded;

  StreamJoinDefinition def;
  def.kind = spec.kind;
  def.clock = options.clock;
  def.left_schema = left.schema();
  def.right_schema = right.schema();
  def.output_schema = join.schema();
  if (plan.bounded) {
    // Every input arrives before watermark +infinity: a band still bounds nothing useful, and a
    // regular join over finite inputs is exact; processing-time expiry does not apply.
    if (spec.time_bound && !changelog_input) def.time_bound = spec.time_bound;
  } else {
    if (spec.kind == JoinKind::kCross) return NotExecutable(join, "a CROSS JOIN of streams");
    if (spec.equi_keys.empty() && !spec.time_bound) {
      return NotExecutable(join,
                           "a join of streams without an equality condition between the two "
                           "inputs or a band on their event times");
    }
    if (spec.time_bound) {
      if (spec.state_ttl_micros) {
        return NotExecutable(join,
                             "state_ttl on an interval or window join (the watermarks already "
                             "bound its state)");
      }
      if (changelog_input) {
        return NotExecutable(join, "an interval or window join of a changelog input");
      }
      def.time_bound = spec.time_bound;
    } else if (!spec.state_ttl_micros && !bounded_input) {
      return NotExecutable(join, "a regular join of streams without state_ttl");
    }
    def.state_ttl_micros = spec.state_ttl_micros;
  }
  for (const auto& [left_key, right_key] : spec.equi_keys) {
    if (left_key->type != right_key->type) {
      return NotExecutable(join,
                           fmt::format("a join key comparing {} with {}", left_key->type.ToString(),
                                       right_key->type.ToString()));
    }
    LAMINAR_ASSIGN_OR_RETURN(ExpressionEvaluator l, ExpressionEvaluator::Make(left_key, options));
    LAMINAR_ASSIGN_OR_RETURN(ExpressionEvaluator r, ExpressionEvaluator::Make(right_key, options));
    def.left_keys.push_back(std::move(l));
    def.right_keys.push_back(std::move(r));
    def.key_types.push_back(left_key->type);
  }
  if (spec.condition) {
    LAMINAR_ASSIGN_OR_RETURN(ExpressionEvaluator condition,
                             ExpressionEvaluator::Make(spec.condition, options));
    def.condition = std::move(condition);
  }
  if (def.time_bound) {
    // The band's columns are read as int64 microseconds.
    const TypeId left_type = def.left_schema->field(def.time_bound->left_time_column).type.id();
    const TypeId right_type = def.right_schema->field(def.time_bound->right_time_column).type.id();
    const auto is_time = [](TypeId id) {
      return id == TypeId::kTimestamp || id == TypeId::kTimestampTz || id == TypeId::kBigInt;
    };
    if (!is_time(left_type) || !is_time(right_type)) {
      return NotExecutable(join, "a time band on columns that are not timestamps");
    }
  }
  PlannedOperator planned;
  planned.op = std::make_unique<StreamJoinOperator>(std::move(def));
  planned.inputs = {PlannedInput{&left}, PlannedInput{&right}};
  return planned;
}

}  // namespace laminar::exec
