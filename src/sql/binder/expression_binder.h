#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "functions/function_registry.h"
#include "sql/binder/scope.h"
#include "sql/parser/ast.h"
#include "sql/plan/bound_expression.h"
#include "sql/plan/logical_aggregate.h"
#include "sql/plan/logical_over.h"
#include "sql/plan/window_assignment.h"

namespace laminar::sql {

/// What a grouped query level has bound so far: its keys, its window and the aggregates found
/// in the select list and HAVING. Expressions of a grouped level may only use these.
struct GroupingContext {
  /// Group keys bound over the input scope, and their output names.
  std::vector<BoundExprPtr> keys;
  std::vector<std::string> key_names;
  /// A GROUP BY window call (seed form): outputs window_start and window_end first.
  std::optional<WindowAssignment> window;
  /// The arguments of the GROUP BY window call as bound (time column, then durations), to
  /// check that select-list window calls (tumble_end(...)) refer to the same window.
  std::vector<BoundExprPtr> window_arguments;
  std::vector<AggregateCall> aggregates;

  int window_columns() const { return window ? 2 : 0; }
  int key_column(int key) const { return window_columns() + key; }
  int aggregate_column(int aggregate) const {
    return window_columns() + static_cast<int>(keys.size()) + aggregate;
  }
};

/// Analytic (OVER) calls found while binding a select list; each becomes an output column of a
/// LogicalOver appended after the input's columns.
struct OverContext {
  int input_width = 0;
  std::vector<OverCall> calls;
};

/// Binds expressions of one query level against a scope.
///
/// In grouped mode (a GroupingContext is given) an expression must be built from group keys,
/// aggregates (which the binder adds to the context) and constants; any other column
/// reference is kInvalidGrouping. With an OverContext, OVER calls are allowed and collected.
/// `clause` names where the expression appears ("WHERE", "GROUP BY", ...) for messages.
class ExpressionBinder {
 public:
  /// REQUIRES: `clause` outlives the binder (callers pass literals).
  ExpressionBinder(functions::FunctionResolver& resolver, const Scope& scope,
                   std::string_view clause, GroupingContext* grouping = nullptr,
                   OverContext* over = nullptr);

  Result<BoundExprPtr> Bind(const Expression& expr);

  /// Binds a condition: the result must be BOOLEAN (or NULL, which becomes a BOOLEAN NULL).
  Result<BoundExprPtr> BindCondition(const Expression& expr);

  /// The name an unaliased select item gets: the column name, the function name, or "?column?".
  static std::string DefaultName(const Expression& expr);

 private:
  Result<BoundExprPtr> BindUngrouped(const Expression& expr);
  Result<BoundExprPtr> BindGrouped(const Expression& expr);
  Result<BoundExprPtr> BindLiteral(const LiteralExpression& literal);
  Result<BoundExprPtr> BindInterval(const IntervalLiteralExpression& literal);
  Result<BoundExprPtr> BindTypedLiteral(const TypedLiteralExpression& literal);
  Result<BoundExprPtr> BindColumn(const ColumnRefExpression& column);
  Result<BoundExprPtr> BindUnary(const UnaryExpression& unary);
  Result<BoundExprPtr> BindBinary(const BinaryExpression& binary);
  Result<BoundExprPtr> BindLogical(const LogicalExpression& logical);
  Result<BoundExprPtr> BindIs(const IsExpression& is);
  Result<BoundExprPtr> BindBetween(const BetweenExpression& between);
  Result<BoundExprPtr> BindLike(const LikeExpression& like);
  Result<BoundExprPtr> BindInList(const InListExpression& in);
  Result<BoundExprPtr> BindCase(const CaseExpression& case_expr);
  Result<BoundExprPtr> BindCast(const CastExpression& cast);
  Result<BoundExprPtr> BindFunction(const FunctionCallExpression& call);
  Result<BoundExprPtr> BindAggregate(const FunctionCallExpression& call, std::string_view name);
  Result<BoundExprPtr> BindOver(const FunctionCallExpression& call, std::string_view name);
  Result<BoundExprPtr> BindWindowAssignmentReference(const FunctionCallExpression& call,
                                                     std::string_view name);
  Result<BoundExprPtr> BindExtract(const ExtractExpression& extract);
  Result<BoundExprPtr> BindSubstring(const SubstringExpression& substring);

  /// Resolves a scalar call (functions and operators) and casts the arguments to the chosen
  /// signature's parameter types. `literal_sources` are the argument ASTs (for literal flags),
  /// or null entries for arguments the binder made up.
  Result<BoundExprPtr> ResolveScalar(std::string_view name, std::vector<BoundExprPtr> arguments,
                                     std::span<const Expression* const> literal_sources,
                                     SourcePosition position);

  functions::FunctionResolver& resolver_;
  const Scope& scope_;
  std::string_view clause_;
  GroupingContext* grouping_;
  OverContext* over_;
};

/// Whether an AST expression calls an aggregate function (outside OVER and subqueries).
bool ContainsAggregate(const functions::FunctionRegistry& registry, const Expression* expr);

/// Converts `expr` to `target`: unchanged when the types are equal, a typed NULL for a NULL
/// constant, a folded constant for a string literal (parsed now, so a bad literal is reported
/// at its position with kInvalidLiteral), otherwise a CAST node.
Result<BoundExprPtr> CoerceExpression(BoundExprPtr expr, const DataType& target);

/// Resolves a scalar function or operator over already-bound arguments (no literal flags) and
/// casts them to the chosen signature, e.g. the `=` of a JOIN ... USING column.
Result<BoundExprPtr> ResolveScalarCall(functions::FunctionResolver& resolver, std::string_view name,
                                       std::vector<BoundExprPtr> arguments,
                                       SourcePosition position);

/// The microseconds of a constant INTERVAL expression without months, for window sizes,
/// watermark delays and time bounds. kInvalidWindow naming `what` otherwise.
Result<int64_t> ConstantIntervalMicros(const BoundExpression& expr, std::string_view what);

/// A constant integer (for LIMIT, OFFSET, ntile, lag offsets). kInvalidArgument otherwise.
Result<int64_t> ConstantInteger(const BoundExpression& expr, std::string_view what);

}  // namespace laminar::sql
