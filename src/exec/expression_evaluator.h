#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "columnar/batch.h"
#include "columnar/column.h"
#include "columnar/selection_vector.h"
#include "common/clock.h"
#include "common/result.h"
#include "sql/plan/bound_expression.h"

namespace laminar::exec {

class EvaluatorNode;
struct EvaluationInput;

/// How an evaluator is built.
struct EvaluatorOptions {
  /// Where now(), current_timestamp, current_date and proctime() read the time. Not owned: it
  /// must outlive the evaluator. Tests pass a ManualClock.
  const Clock* clock = Clock::System();
};

/// Evaluates one bound expression over batches, vectorized: the expression is compiled once
/// (Make) into a tree of small nodes, each of which runs one kernel loop over raw column arrays
/// per batch. Dispatch on function and types happens at Make time only; the per-row loops have
/// no virtual calls and no switches on types.
///
/// Semantics are SQL's: strict functions give NULL when an input is NULL, AND/OR are
/// three-valued and evaluate their later operands only for the rows still undecided, CASE and
/// COALESCE evaluate each branch only for the rows that reach it. Errors (overflow, division by
/// zero, invalid casts) are reported only for rows that are selected and not NULL, with a
/// message naming the expression.
///
/// Constant subtrees (no column reference, only deterministic functions) are folded into
/// constants by Make; non-deterministic calls (now(), proctime(), ...) are never folded. They
/// read the clock of EvaluatorOptions once per call of Evaluate, Filter or FilterAll, so every
/// row of a batch sees the same time. A
/// constant subtree whose folding fails (e.g. 1/0 inside a CASE branch) is kept and evaluated
/// per batch, so the error only happens if a row reaches it.
///
/// Thread-safety: immutable after Make; Evaluate and Filter are const, keep all scratch state
/// on the stack or in per-call allocations, and may be called from any number of threads at
/// once. An evaluator may therefore be shared between the reactors running copies of a plan.
class ExpressionEvaluator {
 public:
  /// Compiles `expression`. Errors: kNotSupported naming the function or construct that has no
  /// kernel (fail closed: nothing is evaluated approximately); kInvalidRegex for a constant
  /// regular expression that does not compile; kInvalidArgument for a constant argument that no
  /// row could accept (a to_char template, regular expression flags).
  static Result<ExpressionEvaluator> Make(const sql::BoundExprPtr& expression,
                                          const EvaluatorOptions& options = {});

  ExpressionEvaluator(ExpressionEvaluator&&) noexcept;
  ExpressionEvaluator& operator=(ExpressionEvaluator&&) noexcept;
  ~ExpressionEvaluator();

  /// The result type (the bound expression's type).
  const DataType& type() const;

  /// One value per selected row, in selection order (one per input row when `selection` is
  /// null). REQUIRES: the batch has the columns the expression was bound against, and every
  /// selected index is < input.num_rows(). Allocates result and scratch buffers per call (a
  /// column read through a selection is gathered into a new buffer); the only per-row
  /// allocations are in casts of DECIMAL, DATE, TIMESTAMP and INTERVAL to VARCHAR, whose
  /// formatters (decimal.h, temporal.h) return std::string, and in templates (to_char, ...) and
  /// regular expressions that are not literals (compiled per row, or per distinct pattern).
  Result<Column> Evaluate(const Batch& input, const SelectionVector* selection = nullptr) const;

  /// For a BOOLEAN predicate: keeps in `selection` (row indexes of `input`) the rows for which
  /// it is TRUE (not FALSE, not NULL), preserving their order; the selection is refined in
  /// place. REQUIRES: type() is BOOLEAN (checked: kInvalidArgument otherwise).
  Status Filter(const Batch& input, SelectionVector* selection) const;

  /// Like Filter starting from all rows of the batch: `selection` is overwritten.
  Status FilterAll(const Batch& input, SelectionVector* selection) const;

  /// The compiled tree, e.g. "Call(+, Column(#0 a), Constant(3))", for EXPLAIN and tests
  /// (folded constants show as Constant).
  std::string Describe() const;

 private:
  ExpressionEvaluator(std::unique_ptr<const EvaluatorNode> root, const Clock* clock);

  /// The batch with this call's clock reading.
  EvaluationInput MakeInput(const Batch& batch) const;

  std::unique_ptr<const EvaluatorNode> root_;
  /// Null when the expression reads no clock (the common case: no clock call per batch).
  const Clock* clock_ = nullptr;
};

}  // namespace laminar::exec
