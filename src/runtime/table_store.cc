#include "runtime/table_store.h"

#include "columnar/column_builder.h"

namespace laminar::runtime {

TableStore::TableStore(std::string name, std::shared_ptr<const Schema> schema,
                       std::vector<int> key_columns)
    : name_(std::move(name)), schema_(std::move(schema)), key_columns_(std::move(key_columns)) {}

std::string TableStore::KeyOf(std::span<const Value> row) const {
  // Length-prefixed text of each key value: unambiguous for any mix of types.
  std::string key;
  for (int column : key_columns_) {
    const std::string text = row[static_cast<size_t>(column)].ToString();
    key += std::to_string(text.size());
    key += ':';
    key += text;
  }
  return key;
}

Status TableStore::InsertLocked(std::vector<Value> row) {
  if (key_columns_.empty()) {
    rows_.push_back(std::move(row));
    return Status::Ok();
  }
  for (int column : key_columns_) {
    if (row[static_cast<size_t>(column)].is_null()) {
      return Status::Error(ErrorCode::kNullViolation,
                           "NULL in PRIMARY KEY column \"{}\" of table \"{}\"",
                           schema_->field(column).name, name_);
    }
  }
  std::string key = KeyOf(row);
  auto [it, inserted] = index_.emplace(std::move(key), rows_.size());
  if (inserted) {
    rows_.push_back(std::move(row));
  } else {
    rows_[it->second] = std::move(row);
  }
  return Status::Ok();
}

Status TableStore::Insert(const Batch& rows) {
  std::vector<std::vector<Value>> decoded(static_cast<size_t>(rows.num_rows()));
  for (int64_t r = 0; r < rows.num_rows(); ++r) {
    for (int c = 0; c < rows.num_columns(); ++c) decoded[r].push_back(rows.column(c).GetValue(r));
    for (int column : key_columns_) {
      if (decoded[r][static_cast<size_t>(column)].is_null()) {
        return Status::Error(ErrorCode::kNullViolation,
                             "NULL in PRIMARY KEY column \"{}\" of table \"{}\"",
                             schema_->field(column).name, name_);
      }
    }
  }
  // Checked first, so a bad row inserts nothing.
  std::lock_guard<std::mutex> lock(mutex_);
  for (std::vector<Value>& row : decoded) LAMINAR_RETURN_IF_ERROR(InsertLocked(std::move(row)));
  return Status::Ok();
}

Result<Batch> TableStore::Snapshot() const {
  std::lock_guard<std::mutex> lock(mutex_);
  BatchBuilder builder(schema_);
  for (const std::vector<Value>& row : rows_) LAMINAR_RETURN_IF_ERROR(builder.AppendRow(row));
  return builder.Finish();
}

Status TableStore::Replace(const Batch& rows) {
  std::vector<std::vector<Value>> decoded(static_cast<size_t>(rows.num_rows()));
  for (int64_t r = 0; r < rows.num_rows(); ++r) {
    for (int c = 0; c < rows.num_columns(); ++c) decoded[r].push_back(rows.column(c).GetValue(r));
  }
  std::lock_guard<std::mutex> lock(mutex_);
  rows_.clear();
  index_.clear();
  for (std::vector<Value>& row : decoded) LAMINAR_RETURN_IF_ERROR(InsertLocked(std::move(row)));
  return Status::Ok();
}

size_t TableStore::size() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return rows_.size();
}

}  // namespace laminar::runtime
