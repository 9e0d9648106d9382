#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "columnar/batch.h"
#include "columnar/column.h"
#include "columnar/value.h"
#include "common/result.h"
#include "exec/expression_evaluator.h"
#include "sql/plan/bound_expression.h"
#include "sql/plan/logical_join.h"
#include "state/key_encoder.h"

namespace laminar::exec {

/// Evaluates a join's equi-key expressions over a batch of one side and encodes each row's key
/// tuple into bytes (state::KeyEncoder), so rows of both sides with equal keys get equal
/// bytes. A row with a NULL in any key column never matches (SQL `=`); HasNull tells.
/// With no key expressions every row has the empty key (one group).
///
/// Thread-safety: one thread; the encoded keys are valid until the next Evaluate.
class JoinKeyEvaluator {
 public:
  /// REQUIRES: the expressions are bound over the side's columns.
  static Result<JoinKeyEvaluator> Make(const std::vector<sql::BoundExprPtr>& keys,
                                       const EvaluatorOptions& options);

  Status Evaluate(const Batch& batch);
  bool HasNull(int64_t row) const {
    for (const Column& column : columns_) {
      if (column.IsNull(row)) return true;
    }
    return false;
  }
  std::string_view key(int64_t row) const {
    return columns_.empty() ? std::string_view() : encoder_.key(static_cast<size_t>(row));
  }
  /// The evaluated key columns of the last batch.
  const std::vector<Column>& columns() const { return columns_; }
  const std::vector<DataType>& types() const { return types_; }

 private:
  JoinKeyEvaluator(std::vector<ExpressionEvaluator> evaluators, std::vector<DataType> types)
      : evaluators_(std::move(evaluators)), types_(types), encoder_(std::move(types)) {}

  std::vector<ExpressionEvaluator> evaluators_;
  std::vector<DataType> types_;
  state::KeyEncoder encoder_;
  std::vector<Column> columns_;
};

/// Hash of encoded join keys held as std::string, looked up by std::string_view without a copy
/// (with std::equal_to<>).
struct JoinKeyHash {
  using is_transparent = void;
  size_t operator()(std::string_view key) const { return std::hash<std::string_view>{}(key); }
};

/// A row of a kept batch.
struct BatchRow {
  const Batch* batch;
  int64_t row;
};

/// Copies `rows` (each of a batch of `schema`'s column types) into one batch of `schema`,
/// column by column: how the versioned joins write the rows they keep into a checkpoint.
Result<Batch> GatherRows(const std::shared_ptr<const Schema>& schema,
                         const std::vector<BatchRow>& rows);

/// Whether `batch` has `schema`'s column types (restored state must before it is used).
bool HasColumnTypes(const Batch& batch, const Schema& schema);

/// Collects the output rows of a join (a left row and its right row, or the left row alone,
/// padded with NULLs) and builds the output batch column by column. The residual condition
/// (over left ++ right columns) is applied to the matched rows at Finish: an inner join drops
/// the rows that fail it, a left join pads them.
///
/// The right row comes from a batch or from a row of Values (a cached lookup). Thread-safety:
/// one thread. REQUIRES: the batches and value rows passed stay alive until Finish.
class JoinOutputBuilder {
 public:
  /// `schema`: left columns followed by right columns. `right_width`: number of right columns.
  JoinOutputBuilder(std::shared_ptr<const Schema> schema, int right_width)
      : schema_(std::move(schema)), right_width_(right_width) {}

  void AddMatch(const Batch* left, int64_t left_row, const Batch* right, int64_t right_row) {
    records_.push_back({left, left_row, right, right_row, nullptr});
  }
  void AddMatch(const Batch* left, int64_t left_row, const std::vector<Value>* right) {
    records_.push_back({left, left_row, nullptr, 0, right});
  }
  void AddPadded(const Batch* left, int64_t left_row) {
    records_.push_back({left, left_row, nullptr, 0, nullptr});
  }
  bool empty() const { return records_.empty(); }
  size_t size() const { return records_.size(); }

  /// Builds the rows collected so far (and resets the builder). `residual` may be null.
  Result<Batch> Finish(const ExpressionEvaluator* residual, sql::JoinKind kind);

 private:
  struct Record {
    const Batch* left;
    int64_t left_row;
    const Batch* right;  // Null: the right row is `values` (or NULLs when that is null too).
    int64_t right_row;
    const std::vector<Value>* values;
    bool matched() const { return right != nullptr || values != nullptr; }
  };
  Result<Batch> Build(const std::vector<Record>& records) const;

  std::shared_ptr<const Schema> schema_;
  int right_width_;
  std::vector<Record> records_;
};

}  // namespace laminar::exec
