#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/result.h"
#include "functions/function_registry.h"
#include "sql/binder/expression_binder.h"
#include "sql/binder/scope.h"
#include "sql/catalog/catalog.h"
#include "sql/parser/ast.h"
#include "sql/plan/logical_aggregate.h"
#include "sql/plan/logical_join.h"
#include "sql/plan/logical_node.h"

namespace laminar::sql {

/// A bound query or FROM item: its plan and the names its columns are visible by.
struct BoundRelation {
  BoundRelation() = default;
  BoundRelation(LogicalNodePtr node, Scope scope)
      : node(std::move(node)), scope(std::move(scope)) {}

  LogicalNodePtr node;
  Scope scope;
  /// For an ungrouped SELECT: the scope its select list was bound in and the projected
  /// expressions, so that ORDER BY may name FROM-clause columns it selects (`ORDER BY w.x`).
  std::shared_ptr<const Scope> select_input_scope;
  std::vector<BoundExprPtr> select_expressions;
};

/// Settings from CREATE STREAM ... WITH (...) that shape the plan.
struct QueryOptions {
  std::optional<int64_t> state_ttl_micros;
  std::optional<int64_t> allowed_lateness_micros;
};

/// Binds queries to logical plans. `continuous` queries (CREATE STREAM / MATERIALIZED VIEW /
/// SINK AS) read sources and streams without end; ad-hoc queries read bounded snapshots of
/// tables and materialized views.
///
/// Streaming rules enforced here (each with the clause's position):
/// - a window aggregate needs a watermark on its time column (kWatermarkRequired);
/// - EMIT ON WINDOW CLOSE needs a window or a watermarked GROUP BY key (kWatermarkRequired);
///   EMIT / ALLOWED_LATENESS / LATE DATA TO without an aggregate they apply to
///   (kInvalidEmitMode);
/// - ORDER BY on a stream needs LIMIT (kUnboundedSort), which makes it a Top-N;
/// - a stream-stream join needs an event-time band or a state TTL (kUnboundedState);
/// - ranking functions on a stream need a Top-N filter (kNotSupported);
/// - anything parsed but not executable yet is kNotSupported.
class QueryBinder {
 public:
  QueryBinder(const Catalog& catalog, functions::FunctionResolver& resolver, bool continuous,
              QueryOptions options);

  Result<BoundRelation> BindQuery(const Query& query);

  /// Checks rules that only the finished plan shows (ranking functions left without a Top-N).
  Status ValidateContinuousPlan(const LogicalNode& node) const;

  /// Objects the bound queries read, in first-use order (a stream's dependencies).
  const std::vector<std::string>& dependencies() const { return dependencies_; }

 private:
  struct StreamingClauses {
    std::optional<EmitSpec> emit;
    int64_t allowed_lateness_micros = 0;
    bool has_allowed_lateness = false;
    std::optional<std::string> late_data_target;
    SourcePosition position;
    int aggregates_applied = 0;
  };

  Result<BoundRelation> BindBody(const QueryBody& body);
  Result<BoundRelation> BindSelect(const SelectBody& select);
  Result<BoundRelation> BindValues(const ValuesBody& values);
  Result<BoundRelation> BindSetOperation(const SetOperationBody& operation);
  /// FROM and WHERE together: WHERE conjuncts that relate two inner-joined inputs become their
  /// join condition (so `FROM a, b WHERE a.id = b.id` and time bounds in WHERE bound the join).
  Result<BoundRelation> BindFromWhere(const SelectBody& select);
  Result<BoundRelation> BindTableRef(const TableRef& ref);
  Result<BoundRelation> BindNamed(const NamedTableRef& ref);
  Result<BoundRelation> BindTableFunction(const TableFunctionRef& ref);
  /// The checks and the node shared by every window table function once its window is known.
  Result<BoundRelation> FinishWindowTableFunction(const TableFunctionRef& ref,
                                                  const BoundRelation& input,
                                                  const WindowAssignment& assignment,
                                                  const ScopeColumn& time);
  Result<BoundRelation> BindJoin(const JoinTableRef& join);
  Result<BoundRelation> MakeJoin(BoundRelation left, BoundRelation right, JoinKind kind,
                                 BoundExprPtr condition, BoundExprPtr match_condition,
                                 BoundExprPtr system_time, SourcePosition position);
  Result<BoundRelation> BindGroupedSelect(const SelectBody& select, BoundRelation input);
  Result<WindowAssignment> BindWindowCall(const FunctionCallExpression& call, const Scope& scope,
                                          std::vector<BoundExprPtr>* arguments);
  Result<BoundRelation> ApplyOrderAndLimit(const Query& query, BoundRelation relation);
  void AddDependency(const std::string& name);

  const Catalog& catalog_;
  functions::FunctionResolver& resolver_;
  const bool continuous_;
  const QueryOptions options_;
  std::vector<std::map<std::string, BoundRelation>> ctes_;  // Innermost WITH last.
  std::vector<StreamingClauses> clauses_;                   // Innermost query last.
  std::vector<std::string> dependencies_;
};

}  // namespace laminar::sql
