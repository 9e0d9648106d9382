#include "columnar/batch.h"

#include "common/check.h"

namespace laminar {

Batch::Batch() {
  static const std::shared_ptr<const Schema> empty = std::make_shared<const Schema>();
  schema_ = empty;
}

Result<Batch> Batch::Make(std::shared_ptr<const Schema> schema, std::vector<Column> columns) {
  if (static_cast<int>(columns.size()) != schema->num_fields()) {
    return Status::Error(ErrorCode::kSchemaMismatch, "batch has {} columns but schema {} has {}",
                         columns.size(), schema->ToString(), schema->num_fields());
  }
  const int64_t num_rows = columns.empty() ? 0 : columns[0].length();
  for (int i = 0; i < schema->num_fields(); ++i) {
    const Field& field = schema->field(i);
    const Column& column = columns[i];
    if (column.type() != field.type) {
      return Status::Error(ErrorCode::kSchemaMismatch, "column \"{}\" is {} but holds {}",
                           field.name, field.type.ToString(), column.type().ToString());
    }
    if (column.length() != num_rows) {
      return Status::Error(ErrorCode::kSchemaMismatch,
                           "column \"{}\" has {} rows but column \"{}\" has {}", field.name,
                           column.length(), schema->field(0).name, num_rows);
    }
    if (!field.nullable && column.null_count() > 0) {
      return Status::Error(ErrorCode::kNullViolation,
                           "column \"{}\" is NOT NULL but holds {} NULLs", field.name,
                           column.null_count());
    }
  }
  return Batch(std::move(schema), std::move(columns), num_rows);
}

Batch Batch::MakeWithoutColumns(std::shared_ptr<const Schema> schema, int64_t num_rows) {
  LAMINAR_CHECK(schema->num_fields() == 0);
  return Batch(std::move(schema), {}, num_rows);
}

Batch Batch::Empty(std::shared_ptr<const Schema> schema) {
  std::vector<Column> columns;
  columns.reserve(schema->num_fields());
  for (const Field& field : schema->fields()) columns.push_back(Column::Nulls(field.type, 0));
  return Batch(std::move(schema), std::move(columns), 0);
}

Batch Batch::Slice(int64_t offset, int64_t length) const {
  LAMINAR_CHECK(offset >= 0 && length >= 0 && offset + length <= num_rows_);
  std::vector<Column> columns;
  columns.reserve(columns_.size());
  for (const Column& column : columns_) columns.push_back(column.Slice(offset, length));
  return Batch(schema_, std::move(columns), length);
}

Status Batch::Validate() const {
  for (int i = 0; i < num_columns(); ++i) {
    Status status = columns_[i].Validate();
    if (!status.ok()) {
      return std::move(status).WithContext(fmt::format("column \"{}\"", schema_->field(i).name));
    }
  }
  LAMINAR_ASSIGN_OR_RETURN(Batch checked, Make(schema_, columns_));
  if (checked.num_rows() != num_rows_ && !columns_.empty()) {
    return Status::Error(ErrorCode::kSchemaMismatch, "batch says {} rows but columns hold {}",
                         num_rows_, checked.num_rows());
  }
  return Status::Ok();
}

}  // namespace laminar
