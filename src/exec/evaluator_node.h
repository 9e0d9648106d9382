#pragma once

// Internal to the expression evaluator: the node interface and the vector a node produces.

#include <cstdint>
#include <optional>
#include <string>

#include "columnar/batch.h"
#include "columnar/column.h"
#include "columnar/selection_vector.h"
#include "common/result.h"

namespace laminar::exec {

/// What one evaluation of a batch reads: the batch, and the values that are fixed for the whole
/// batch. The clock is read once per Evaluate/Filter call of the ExpressionEvaluator, so that
/// every row of a batch sees the same now().
struct EvaluationInput {
  const Batch& batch;
  /// Microseconds since the epoch from the evaluator's Clock; 0 when the expression reads no
  /// clock.
  int64_t now_micros = 0;
};

/// The result of one node for one batch: a column with one value per evaluated row, or, when
/// `scalar` is set, a one-row column standing for the same value in every row (constants are
/// never broadcast).
///
/// A vector owns its column (a computed result) or borrows one that outlives the evaluation: a
/// column of the input batch or a constant's column, which the node tree holds. Borrowing
/// keeps the reference counts of the input's buffers untouched, which for small batches is a
/// good part of an expression's cost. REQUIRES: a borrowed vector does not outlive the
/// EvaluationInput's batch and the node tree it came from; take_column() before keeping it.
class Vector {
 public:
  Vector() = default;
  Vector(Column column, bool is_scalar)
      : scalar(is_scalar), owned_(std::move(column)), borrowed_(nullptr) {}
  /// A vector viewing `column`, which must outlive it (see above).
  static Vector Borrow(const Column& column, bool is_scalar) { return Vector(&column, is_scalar); }

  const Column& column() const { return borrowed_ != nullptr ? *borrowed_ : *owned_; }
  /// The column as a value that may be kept: moved out when owned, copied when borrowed.
  Column take_column() && { return borrowed_ != nullptr ? *borrowed_ : std::move(*owned_); }

  bool scalar = false;

 private:
  Vector(const Column* borrowed, bool is_scalar)
      : scalar(is_scalar), owned_(std::nullopt), borrowed_(borrowed) {}
  static const Column& EmptyColumn() {
    static const Column empty;
    return empty;
  }

  // Exactly one is set. A default-constructed vector borrows a shared empty column, so that
  // arrays of vectors filled by assignment construct no Column first. Moving a borrowed vector
  // moves no Column.
  std::optional<Column> owned_;
  const Column* borrowed_ = &EmptyColumn();
};

/// Sets `selection` to the rows among 0..count-1 where `result` (a BOOLEAN vector of `count`
/// rows, or scalar) is TRUE.
void CollectTrueRows(const Vector& result, int64_t count, SelectionVector* selection);

/// One compiled expression node. Immutable after construction; Evaluate is const and
/// thread-safe.
class EvaluatorNode {
 public:
  EvaluatorNode(DataType type, std::string text) : type_(type), text_(std::move(text)) {}
  virtual ~EvaluatorNode() = default;

  /// Evaluates the node for `count` rows of `input`: the rows listed in `rows`, or rows
  /// 0..count-1 when `rows` is null. The result has `count` values (or is scalar).
  virtual Result<Vector> Evaluate(const EvaluationInput& input, const uint32_t* rows,
                                  int64_t count) const = 0;

  /// Keeps the entries of `selection` for which this BOOLEAN node is TRUE.
  virtual Status Filter(const EvaluationInput& input, SelectionVector* selection) const;

  /// Sets `selection` to the rows among 0..count-1 (count > 0) for which this BOOLEAN node is
  /// TRUE. The base evaluates the node and collects its TRUE bits; boolean kernels test row by
  /// row instead, without a boolean column.
  virtual Status FilterAll(const EvaluationInput& input, int64_t count,
                           SelectionVector* selection) const;

  virtual std::string Describe() const = 0;
  virtual bool IsConstant() const { return false; }

  const DataType& type() const { return type_; }
  /// The SQL text of the expression, for error messages.
  const std::string& text() const { return text_; }

 private:
  DataType type_;
  std::string text_;
};

}  // namespace laminar::exec
