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
  version_.fetch_add(1, std::memory_order_acq_rel);
  for (std::vector<Value>& row : decoded) LAMINAR_RETURN_IF_ERROR(InsertLocked(std::move(row)));
  return Status::Ok();
}

namespace {

/// Whether `value` passes `value OP constant` (NULL never does).
bool PassesFilter(const Value& value, const exec::LookupFilter& filter) {
  if (value.is_null() || filter.constant.is_null()) return false;
  if (value.type().id() != filter.constant.type().id()) return false;
  const int order = CompareValues(value, filter.constant);
  if (filter.op == "=") return order == 0;
  if (filter.op == "<>") return order != 0;
  if (filter.op == "<") return order < 0;
  if (filter.op == "<=") return order <= 0;
  if (filter.op == ">") return order > 0;
  if (filter.op == ">=") return order >= 0;
  return false;
}

}  // namespace

Result<exec::LookupResult> TableStore::Lookup(const exec::LookupRequest& request) const {
  const int64_t probes = request.keys.num_rows();
  std::vector<Value> probe_row(schema_->fields().size());
  exec::LookupResult result;
  BatchBuilder builder(schema_);
  std::lock_guard<std::mutex> lock(mutex_);
  for (int64_t p = 0; p < probes; ++p) {
    bool null_key = false;
    for (size_t k = 0; k < key_columns_.size(); ++k) {
      Value value = request.keys.column(static_cast<int>(k)).GetValue(p);
      null_key = null_key || value.is_null();
      probe_row[static_cast<size_t>(key_columns_[k])] = std::move(value);
    }
    if (null_key) continue;  // NULL equals nothing.
    auto it = index_.find(KeyOf(probe_row));
    if (it == index_.end()) continue;
    const std::vector<Value>& row = rows_[it->second];
    bool passes = true;
    for (const exec::LookupFilter& filter : request.filters) {
      passes = passes && PassesFilter(row[static_cast<size_t>(filter.column)], filter);
    }
    if (!passes) continue;
    LAMINAR_RETURN_IF_ERROR(builder.AppendRow(row));
    result.probe.push_back(static_cast<int32_t>(p));
  }
  LAMINAR_ASSIGN_OR_RETURN(result.rows, builder.Finish());
  return result;
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
  version_.fetch_add(1, std::memory_order_acq_rel);
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
