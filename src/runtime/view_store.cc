#include "runtime/view_store.h"

#include "columnar/column_builder.h"

namespace laminar::runtime {
namespace {

std::vector<DataType> KeyTypes(const Schema& schema, const std::vector<int>& key_columns) {
  std::vector<DataType> types;
  if (key_columns.empty()) {
    for (int c = 0; c < schema.num_fields(); ++c) types.push_back(schema.field(c).type);
  } else {
    for (int c : key_columns) types.push_back(schema.field(c).type);
  }
  return types;
}

}  // namespace

ViewStore::ViewStore(std::shared_ptr<const Schema> schema, std::vector<int> key_columns)
    : schema_(std::move(schema)),
      key_columns_(std::move(key_columns)),
      encoder_(KeyTypes(*schema_, key_columns_)) {}

Status ViewStore::Apply(const exec::ChangeBatch& batch) {
  const Batch& rows = batch.rows;
  std::vector<Column> keys;
  if (key_columns_.empty()) {
    keys = rows.columns();
  } else {
    for (int c : key_columns_) keys.push_back(rows.column(c));
  }
  std::lock_guard<std::mutex> lock(mutex_);
  encoder_.Encode(keys, {}, {});
  for (int64_t i = 0; i < rows.num_rows(); ++i) {
    const std::string_view key = encoder_.key(static_cast<size_t>(i));
    const int weight = batch.weight(i);
    if (key_columns_.empty()) {
      auto [it, inserted] = rows_.try_emplace(std::string(key));
      if (inserted) {
        for (int c = 0; c < rows.num_columns(); ++c)
          it->second.row.push_back(rows.column(c).GetValue(i));
      }
      it->second.count += weight;
      if (it->second.count <= 0) rows_.erase(it);
      continue;
    }
    if (weight < 0) {
      rows_.erase(std::string(key));
      continue;
    }
    Entry& entry = rows_[std::string(key)];
    entry.row.clear();
    for (int c = 0; c < rows.num_columns(); ++c) entry.row.push_back(rows.column(c).GetValue(i));
    entry.count = 1;
  }
  return Status::Ok();
}

void ViewStore::AdvanceWatermark(int64_t watermark) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (watermark > watermark_) watermark_ = watermark;
}

Result<ViewStore::Snapshot> ViewStore::Read() const {
  std::lock_guard<std::mutex> lock(mutex_);
  BatchBuilder builder(schema_);
  for (const auto& [key, entry] : rows_) {
    for (int64_t n = 0; n < entry.count; ++n) LAMINAR_RETURN_IF_ERROR(builder.AppendRow(entry.row));
  }
  Snapshot snapshot;
  LAMINAR_ASSIGN_OR_RETURN(snapshot.rows, builder.Finish());
  snapshot.watermark = watermark_;
  return snapshot;
}

}  // namespace laminar::runtime
