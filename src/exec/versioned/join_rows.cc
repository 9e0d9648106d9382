#include "exec/versioned/join_rows.h"

#include "columnar/column_builder.h"
#include "columnar/take.h"

namespace laminar::exec {

Result<JoinKeyEvaluator> JoinKeyEvaluator::Make(const std::vector<sql::BoundExprPtr>& keys,
                                                const EvaluatorOptions& options) {
  std::vector<ExpressionEvaluator> evaluators;
  std::vector<DataType> types;
  for (const sql::BoundExprPtr& key : keys) {
    LAMINAR_ASSIGN_OR_RETURN(ExpressionEvaluator evaluator,
                             ExpressionEvaluator::Make(key, options));
    types.push_back(evaluator.type());
    evaluators.push_back(std::move(evaluator));
  }
  return JoinKeyEvaluator(std::move(evaluators), std::move(types));
}

Status JoinKeyEvaluator::Evaluate(const Batch& batch) {
  columns_.clear();
  for (const ExpressionEvaluator& evaluator : evaluators_) {
    LAMINAR_ASSIGN_OR_RETURN(Column column, evaluator.Evaluate(batch));
    columns_.push_back(std::move(column));
  }
  if (!columns_.empty()) encoder_.Encode(columns_, {}, {});
  return Status::Ok();
}

Result<Batch> GatherRows(const std::shared_ptr<const Schema>& schema,
                         const std::vector<BatchRow>& rows) {
  if (schema->num_fields() == 0) {
    return Batch::MakeWithoutColumns(schema, static_cast<int64_t>(rows.size()));
  }
  std::vector<Column> columns;
  columns.reserve(static_cast<size_t>(schema->num_fields()));
  for (int c = 0; c < schema->num_fields(); ++c) {
    ColumnBuilder builder(schema->field(c).type);
    builder.Reserve(static_cast<int64_t>(rows.size()));
    for (const BatchRow& row : rows) {
      LAMINAR_RETURN_IF_ERROR(builder.AppendFrom(row.batch->column(c), row.row));
    }
    columns.push_back(builder.Finish());
  }
  return Batch::Make(schema, std::move(columns));
}

bool HasColumnTypes(const Batch& batch, const Schema& schema) {
  if (batch.num_columns() != schema.num_fields()) return false;
  for (int c = 0; c < batch.num_columns(); ++c) {
    if (batch.column(c).type() != schema.field(c).type) return false;
  }
  return true;
}

Result<Batch> JoinOutputBuilder::Build(const std::vector<Record>& records) const {
  const int left_width = schema_->num_fields() - right_width_;
  std::vector<Column> columns;
  columns.reserve(static_cast<size_t>(schema_->num_fields()));
  const int64_t rows = static_cast<int64_t>(records.size());
  for (int c = 0; c < left_width; ++c) {
    ColumnBuilder builder(schema_->field(c).type);
    builder.Reserve(rows);
    for (const Record& record : records) {
      LAMINAR_RETURN_IF_ERROR(builder.AppendFrom(record.left->column(c), record.left_row));
    }
    columns.push_back(builder.Finish());
  }
  for (int c = 0; c < right_width_; ++c) {
    ColumnBuilder builder(schema_->field(left_width + c).type);
    builder.Reserve(rows);
    for (const Record& record : records) {
      if (record.right != nullptr) {
        LAMINAR_RETURN_IF_ERROR(builder.AppendFrom(record.right->column(c), record.right_row));
      } else if (record.values != nullptr) {
        LAMINAR_RETURN_IF_ERROR(builder.AppendValue((*record.values)[static_cast<size_t>(c)]));
      } else {
        builder.AppendNull();
      }
    }
    columns.push_back(builder.Finish());
  }
  return Batch::Make(schema_, std::move(columns));
}

Result<Batch> JoinOutputBuilder::Finish(const ExpressionEvaluator* residual, sql::JoinKind kind) {
  std::vector<Record> records = std::move(records_);
  records_.clear();
  LAMINAR_ASSIGN_OR_RETURN(Batch candidates, Build(records));
  if (residual == nullptr) return candidates;
  SelectionVector selection;
  for (size_t i = 0; i < records.size(); ++i) {
    if (records[i].matched()) selection.Append(static_cast<uint32_t>(i));
  }
  const int64_t matched = selection.size();
  LAMINAR_RETURN_IF_ERROR(residual->Filter(candidates, &selection));
  if (kind != sql::JoinKind::kLeft) {
    if (selection.size() == candidates.num_rows()) return candidates;
    return Take(candidates, selection);
  }
  if (selection.size() == matched) return candidates;
  // Left join: matched rows failing the condition keep their left row, padded.
  std::vector<bool> passes(records.size(), false);
  for (int64_t i = 0; i < selection.size(); ++i) passes[selection[i]] = true;
  for (size_t i = 0; i < records.size(); ++i) {
    if (!passes[i]) {
      records[i].right = nullptr;
      records[i].values = nullptr;
    }
  }
  return Build(records);
}

}  // namespace laminar::exec
