// Planning of joins against versions of another relation: lookup joins (a TABLE read by key),
// temporal joins (FOR SYSTEM_TIME AS OF) and ASOF joins. Each planner checks what its operator
// executes and refuses the rest with LDB-2001 naming the clause.

#include <fmt/format.h>

#include "exec/lookup_source.h"
#include "exec/planning.h"
#include "exec/versioned/asof_join_operator.h"
#include "exec/versioned/lookup_join_operator.h"
#include "exec/versioned/temporal_join_operator.h"
#include "sql/object_kind.h"
#include "sql/plan/logical_scan.h"

namespace laminar::exec {

namespace {

using sql::BoundExpressionKind;
using sql::BoundExprPtr;
using sql::JoinKind;
using sql::LogicalJoin;
using sql::LogicalNodeKind;
using sql::LogicalScan;

// The equi keys of a join mapped onto the right side's PRIMARY KEY.
struct PrimaryKeyMapping {
  // One left expression per key column (in key order), cast to the key column's type.
  std::vector<BoundExprPtr> left_keys;
  // The equalities that are not on a key column, over left ++ right.
  std::vector<BoundExprPtr> other_equalities;
};

Result<PrimaryKeyMapping> MapToPrimaryKey(const LogicalJoin& join,
                                          const std::vector<int>& key_columns,
                                          const Schema& right_schema, std::string_view what) {
  const int left_width = join.inputs()[0]->schema()->num_fields();
  PrimaryKeyMapping mapping;
  mapping.left_keys.resize(key_columns.size());
  for (const auto& [left, right] : join.options.equi_keys) {
    bool mapped = false;
    if (right->kind == BoundExpressionKind::kColumn) {
      for (size_t k = 0; k < key_columns.size(); ++k) {
        if (key_columns[k] != right->column_index || mapping.left_keys[k]) continue;
        const DataType& type = right_schema.field(key_columns[k]).type;
        mapping.left_keys[k] = left->type == type ? left : sql::MakeCast(left, type);
        mapped = true;
        break;
      }
    }
    if (!mapped) {
      mapping.other_equalities.push_back(sql::MakeCall(
          "=", DataType::Boolean(), {left, sql::ShiftColumns(right, left_width)}, left->position));
    }
  }
  for (size_t k = 0; k < key_columns.size(); ++k) {
    if (!mapping.left_keys[k]) {
      return NotExecutable(
          join, fmt::format("{} whose equalities do not determine the whole PRIMARY KEY (column "
                            "{} of the right side has none)",
                            what, right_schema.field(key_columns[k]).name));
    }
  }
  return mapping;
}

// The value of an expression without column references, or nullopt when it reads columns or
// cannot be evaluated once.
std::optional<Value> ConstantValue(const BoundExprPtr& expression,
                                   const EvaluatorOptions& options) {
  if (!sql::ReferencedColumns(*expression).empty()) return std::nullopt;
  if (expression->kind == BoundExpressionKind::kConstant) return expression->constant;
  if (expression->kind != BoundExpressionKind::kCast) return std::nullopt;
  Result<ExpressionEvaluator> evaluator = ExpressionEvaluator::Make(expression, options);
  if (!evaluator.ok()) return std::nullopt;
  Result<Column> column = evaluator->Evaluate(Batch::MakeWithoutColumns(Schema::Make({}), 1));
  if (!column.ok()) return std::nullopt;
  return column->GetValue(0);
}

std::string MirroredComparison(const std::string& op) {
  if (op == "<") return ">";
  if (op == "<=") return ">=";
  if (op == ">") return "<";
  if (op == ">=") return "<=";
  return op;
}

// Splits the residual condition into filters the source applies (right column OP constant)
// and the rest.
void SplitPushdown(const std::vector<BoundExprPtr>& conjuncts, int left_width,
                   const Schema& right_schema, const EvaluatorOptions& options,
                   std::vector<LookupFilter>* filters, std::vector<BoundExprPtr>* rest) {
  for (const BoundExprPtr& conjunct : conjuncts) {
    const bool comparison =
        conjunct->kind == BoundExpressionKind::kCall && conjunct->children.size() == 2 &&
        (conjunct->name == "=" || conjunct->name == "<>" || conjunct->name == "<" ||
         conjunct->name == "<=" || conjunct->name == ">" || conjunct->name == ">=");
    bool pushed = false;
    if (comparison) {
      for (int side = 0; side < 2 && !pushed; ++side) {
        const BoundExprPtr& column = conjunct->children[static_cast<size_t>(side)];
        const BoundExprPtr& other = conjunct->children[static_cast<size_t>(1 - side)];
        if (column->kind != BoundExpressionKind::kColumn || column->column_index < left_width) {
          continue;
        }
        std::optional<Value> constant = ConstantValue(other, options);
        const int right_column = column->column_index - left_width;
        if (!constant || constant->is_null() ||
            constant->type() != right_schema.field(right_column).type) {
          continue;
        }
        filters->push_back(LookupFilter{
            right_column, side == 0 ? conjunct->name : MirroredComparison(conjunct->name),
            std::move(*constant)});
        pushed = true;
      }
    }
    if (!pushed) rest->push_back(conjunct);
  }
}

bool IsTableScan(const sql::LogicalNode& node) {
  if (node.kind() != LogicalNodeKind::kScan) return false;
  const auto& scan = static_cast<const LogicalScan&>(node);
  return scan.object_kind == sql::ObjectKind::kTable ||
         scan.object_kind == sql::ObjectKind::kLookupTable;
}

Status CheckKind(const LogicalJoin& join, std::string_view what) {
  if (join.options.kind == JoinKind::kInner || join.options.kind == JoinKind::kLeft) {
    return Status::Ok();
  }
  return NotExecutable(join, fmt::format("a {} {} join (only INNER and LEFT are executed)",
                                         sql::JoinKindName(join.options.kind), what));
}

Result<PlannedOperator> PlanTableJoin(const LogicalJoin& join, const EvaluatorOptions& options,
                                      const PlanOptions& plan, std::string_view what,
                                      std::string note) {
  LAMINAR_RETURN_IF_ERROR(CheckKind(join, what));
  const sql::LogicalNode& left = *join.inputs()[0];
  const auto& scan = static_cast<const LogicalScan&>(*join.inputs()[1]);
  if (left.properties().mode != sql::ChangelogMode::kAppendOnly) {
    return NotExecutable(join, fmt::format("a {} join of a changelog (its left side takes back "
                                           "rows)",
                                           what));
  }
  if (plan.lookups == nullptr) {
    return NotExecutable(join, fmt::format("a {} join here (no table can be read by key)", what));
  }
  LAMINAR_ASSIGN_OR_RETURN(std::shared_ptr<LookupSource> source,
                           plan.lookups->FindLookupSource(scan.object_name));
  const Schema& right_schema = *source->schema();
  if (source->key_columns().empty()) {
    return NotExecutable(join,
                         fmt::format("a {} join with {} \"{}\", which has no PRIMARY KEY", what,
                                     sql::ObjectKindKeyword(scan.object_kind), scan.object_name));
  }
  LAMINAR_ASSIGN_OR_RETURN(PrimaryKeyMapping mapping,
                           MapToPrimaryKey(join, source->key_columns(), right_schema, what));
  LookupJoinDefinition definition;
  definition.kind = join.options.kind;
  definition.source = source;
  definition.key_expressions = std::move(mapping.left_keys);
  std::vector<BoundExprPtr> rest = std::move(mapping.other_equalities);
  SplitPushdown(sql::SplitConjuncts(join.options.condition), left.schema()->num_fields(),
                right_schema, options, &definition.filters, &rest);
  definition.residual = sql::CombineConjuncts(std::move(rest));
  definition.output_schema = join.schema();
  definition.note = std::move(note);
  LAMINAR_ASSIGN_OR_RETURN(std::unique_ptr<LookupJoinOperator> op,
                           LookupJoinOperator::Make(std::move(definition), options));
  PlannedOperator planned;
  planned.op = std::move(op);
  planned.inputs.push_back(PlannedInput{&left, false});
  return planned;
}

}  // namespace

Result<PlannedOperator> PlanLookupJoin(const LogicalJoin& join, const EvaluatorOptions& options,
                                       const PlanOptions& plan) {
  if (!IsTableScan(*join.inputs()[1])) {
    return NotExecutable(join, "a lookup join whose right side is not a TABLE");
  }
  return PlanTableJoin(join, options, plan, "lookup", "");
}

Result<PlannedOperator> PlanTemporalJoin(const LogicalJoin& join, const EvaluatorOptions& options,
                                         const PlanOptions& plan) {
  const sql::LogicalNode& right = *join.inputs()[1];
  if (IsTableScan(right)) {
    return PlanTableJoin(join, options, plan, "FOR SYSTEM_TIME AS OF",
                         "as of processing time: TABLE has no version history");
  }
  return PlanUpsertTemporalJoin(join, options, plan);
}

// PlanAsofJoin is in asof_join_operator.cc, beside its operator.

}  // namespace laminar::exec
