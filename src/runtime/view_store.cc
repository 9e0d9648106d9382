#include "runtime/view_store.h"

#include "columnar/column_builder.h"
#include "storage/state_io.h"

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

Result<std::string> ViewStore::SaveState() const {
  std::lock_guard<std::mutex> lock(mutex_);
  BatchBuilder builder(schema_);
  std::vector<int64_t> counts;
  counts.reserve(rows_.size());
  for (const auto& [key, entry] : rows_) {
    LAMINAR_RETURN_IF_ERROR(builder.AppendRow(entry.row));
    counts.push_back(entry.count);
  }
  LAMINAR_ASSIGN_OR_RETURN(Batch rows, builder.Finish());
  storage::StateWriter writer;
  writer.WriteVersion(1);
  writer.I64(watermark_);
  writer.BatchOf(rows);
  for (int64_t count : counts) writer.VarU64(static_cast<uint64_t>(count));
  return writer.Release();
}

Status ViewStore::LoadState(std::string_view state, std::string_view context) {
  storage::StateReader reader(state, std::string(context));
  reader.ReadVersion(1);
  const int64_t watermark = reader.I64();
  const Batch rows = reader.BatchOf();
  std::vector<int64_t> counts;
  for (int64_t i = 0; i < rows.num_rows() && reader.ok(); ++i) {
    counts.push_back(static_cast<int64_t>(reader.VarU64()));
    if (reader.ok() && (counts.back() <= 0 || (!key_columns_.empty() && counts.back() != 1))) {
      reader.Fail(fmt::format("row count {}", counts.back()));
    }
  }
  LAMINAR_RETURN_IF_ERROR(reader.Finish());
  if (rows.num_columns() != schema_->num_fields()) {
    return Status::Error(ErrorCode::kCorruption, "{}: {} columns, the view has {}", context,
                         rows.num_columns(), schema_->num_fields());
  }
  std::vector<Column> keys;
  if (key_columns_.empty()) {
    keys = rows.columns();
  } else {
    for (int c : key_columns_) keys.push_back(rows.column(c));
  }
  std::lock_guard<std::mutex> lock(mutex_);
  rows_.clear();
  encoder_.Encode(keys, {}, {});
  for (int64_t i = 0; i < rows.num_rows(); ++i) {
    Entry& entry = rows_[std::string(encoder_.key(static_cast<size_t>(i)))];
    for (int c = 0; c < rows.num_columns(); ++c) entry.row.push_back(rows.column(c).GetValue(i));
    entry.count = counts[static_cast<size_t>(i)];
  }
  watermark_ = watermark;
  return Status::Ok();
}

}  // namespace laminar::runtime
