#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "columnar/data_type.h"
#include "columnar/value.h"
#include "common/status.h"

namespace laminar::sql {

struct BoundExpression;
/// Bound expressions are immutable once built and shared between plan nodes.
using BoundExprPtr = std::shared_ptr<const BoundExpression>;

enum class BoundExpressionKind : uint8_t {
  kConstant,  // A literal or folded constant.
  kColumn,    // Column `column_index` of the node's input (of the join's combined input).
  kCall,      // A scalar function or operator, resolved by the function registry.
  kCast,      // CAST to `type`; `try_cast` yields NULL instead of an error.
  kAnd,       // SQL three-valued AND over two or more children.
  kOr,        // SQL three-valued OR over two or more children.
  kNot,
  kIsNull,  // children[0] IS NULL (IS NOT NULL is kNot around it).
  kCase,    // Searched CASE: children are cond1, result1, cond2, result2, ..., [else].
  kInList,  // children[0] IN (children[1..]): SQL semantics with NULLs.
};

/// A typed expression whose names are resolved to column indexes and whose functions are
/// resolved to a registry entry with exact parameter types (implicit casts are explicit kCast
/// nodes). This is what the planner and the vectorized evaluator consume.
struct BoundExpression {
  BoundExpressionKind kind = BoundExpressionKind::kConstant;
  DataType type;
  /// Where the expression was written; invalid for expressions the binder made up.
  SourcePosition position;

  Value constant;         // kConstant.
  int column_index = -1;  // kColumn.
  std::string name;       // kColumn: the column name; kCall: the function name.
  bool has_else = false;  // kCase: the last child is the ELSE result.
  bool try_cast = false;  // kCast.
  std::vector<BoundExprPtr> children;

  /// SQL-like text for EXPLAIN, e.g. `(auction % 123) = 0`, `CAST(price AS DOUBLE)`.
  std::string ToString() const;
};

BoundExprPtr MakeConstant(Value value, SourcePosition position = {});
BoundExprPtr MakeColumn(int index, std::string_view name, DataType type,
                        SourcePosition position = {});
BoundExprPtr MakeCall(std::string function, DataType type, std::vector<BoundExprPtr> arguments,
                      SourcePosition position = {});
BoundExprPtr MakeCast(BoundExprPtr operand, DataType type, bool try_cast = false);
BoundExprPtr MakeLogical(BoundExpressionKind kind, std::vector<BoundExprPtr> children,
                         SourcePosition position = {});

/// Structural equality: same kind, type, constant, column, function and children (positions
/// are ignored). How the binder matches select items to GROUP BY keys and merges duplicate
/// aggregates, without building strings.
bool SameExpression(const BoundExpression& a, const BoundExpression& b);

/// The indexes of the input columns the expression reads, ascending and without duplicates.
std::vector<int> ReferencedColumns(const BoundExpression& expr);

/// The conjuncts of an AND chain (the expression itself when it is not an AND; none for null).
std::vector<BoundExprPtr> SplitConjuncts(const BoundExprPtr& expr);

/// AND of the given conjuncts; null for none, the conjunct itself for one.
BoundExprPtr CombineConjuncts(std::vector<BoundExprPtr> conjuncts);

/// `expr` with every column index moved by `shift` (e.g. from the right input of a join to the
/// concatenation of both inputs); `expr` itself when the shift is 0.
BoundExprPtr ShiftColumns(const BoundExprPtr& expr, int shift);

}  // namespace laminar::sql
