#include "runtime/view_store.h"

#include <algorithm>
#include <cstdint>

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

/// 2: the rows in chunks (an incremental snapshot writes one per slice), until an empty one.
/// 1 (still read): one batch of all rows, then their counts.
constexpr uint32_t kViewStateVersion = 2;
/// An incremental snapshot is returned in pieces of about this size.
constexpr size_t kPieceBytes = size_t{1} << 20;
/// The most copies of one row a bag view's state may hold.
constexpr int64_t kMaxBagCount = INT32_MAX;

}  // namespace

/// An incremental snapshot in progress: keys up to `cursor` are written; `saved` holds the
/// barrier entries of unwritten keys changed or removed since, `added` the unwritten keys
/// inserted since (not part of the snapshot, even if removed and inserted again).
struct ViewStore::IncrementalSnapshot {
  std::optional<std::string> cursor;
  std::map<std::string, Entry> saved;
  std::set<std::string> added;
  storage::StateWriter writer;
  std::vector<std::string> pieces;
};

ViewStore::~ViewStore() = default;

bool ViewStore::Unwritten(const std::string& key) const {
  return !snapshot_->cursor || key > *snapshot_->cursor;
}

void ViewStore::SaveBeforeChange(std::map<std::string, Entry>::iterator it) {
  if (!Unwritten(it->first) || snapshot_->added.count(it->first) != 0) return;
  snapshot_->saved.try_emplace(it->first, it->second);  // Kept if already saved.
}

void ViewStore::NoteAdded(const std::string& key) {
  if (Unwritten(key)) snapshot_->added.insert(key);
}

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
        if (snapshot_ != nullptr) NoteAdded(it->first);
        for (int c = 0; c < rows.num_columns(); ++c)
          it->second.row.push_back(rows.column(c).GetValue(i));
      } else if (snapshot_ != nullptr) {
        SaveBeforeChange(it);
      }
      it->second.count += weight;
      if (it->second.count <= 0) rows_.erase(it);
      continue;
    }
    if (weight < 0) {
      auto it = rows_.find(std::string(key));
      if (it != rows_.end()) {
        if (snapshot_ != nullptr) SaveBeforeChange(it);
        rows_.erase(it);
      }
      continue;
    }
    auto [it, inserted] = rows_.try_emplace(std::string(key));
    if (snapshot_ != nullptr) {
      if (inserted) {
        NoteAdded(it->first);
      } else {
        SaveBeforeChange(it);
      }
    }
    Entry& entry = it->second;
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

namespace {

/// Writes one chunk of rows: their number (> 0), the rows as a batch, their counts.
Status WriteChunk(storage::StateWriter& writer, BatchBuilder& builder,
                  std::vector<int64_t>& counts) {
  if (counts.empty()) return Status::Ok();
  LAMINAR_ASSIGN_OR_RETURN(Batch rows, builder.Finish());
  writer.VarU64(counts.size());
  writer.BatchOf(rows);
  for (int64_t count : counts) writer.VarU64(static_cast<uint64_t>(count));
  counts.clear();
  return Status::Ok();
}

}  // namespace

Result<std::string> ViewStore::SaveState() const {
  std::lock_guard<std::mutex> lock(mutex_);
  BatchBuilder builder(schema_);
  std::vector<int64_t> counts;
  counts.reserve(rows_.size());
  for (const auto& [key, entry] : rows_) {
    LAMINAR_RETURN_IF_ERROR(builder.AppendRow(entry.row));
    counts.push_back(entry.count);
  }
  storage::StateWriter writer;
  writer.WriteVersion(kViewStateVersion);
  writer.I64(watermark_);
  LAMINAR_RETURN_IF_ERROR(WriteChunk(writer, builder, counts));
  writer.VarU64(0);
  return writer.Release();
}

void ViewStore::BeginSnapshot() {
  std::lock_guard<std::mutex> lock(mutex_);
  snapshot_ = std::make_unique<IncrementalSnapshot>();
  // Room for a piece (no slice copies a grown buffer), or for a small view's whole state.
  snapshot_->writer.Reserve(std::min(2 * kPieceBytes, 64 * rows_.size() + 64));
  snapshot_->writer.WriteVersion(kViewStateVersion);
  snapshot_->writer.I64(watermark_);
}

Result<std::optional<std::vector<std::string>>> ViewStore::ContinueSnapshot(size_t max_rows) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (snapshot_ == nullptr) {
    return Status::Error(ErrorCode::kInternal, "no snapshot of the view in progress");
  }
  IncrementalSnapshot& snapshot = *snapshot_;
  // The next rows in key order: the table's, except keys added since the barrier, merged with
  // the barrier rows written aside (which replace the table's of the same key).
  auto live = snapshot.cursor ? rows_.upper_bound(*snapshot.cursor) : rows_.begin();
  BatchBuilder builder(schema_);
  std::vector<int64_t> counts;
  bool done = false;
  // A row written and a key skipped count alike against the budget.
  for (size_t work = 0; work < std::max<size_t>(max_rows, 1); ++work) {
    auto saved = snapshot.saved.begin();  // Saved keys below the cursor are gone.
    if (live != rows_.end() && snapshot.added.count(live->first) != 0) {
      // Added since the barrier: not in the snapshot. Once the saved rows below it are
      // written, nothing unwritten comes before it, so the cursor may pass it.
      if (saved == snapshot.saved.end() || saved->first > live->first) {
        snapshot.cursor = live->first;
        ++live;
        continue;
      }
    }
    const bool from_saved =
        saved != snapshot.saved.end() && (live == rows_.end() || saved->first <= live->first);
    if (!from_saved && live == rows_.end()) {
      done = true;
      break;
    }
    const std::string& key = from_saved ? saved->first : live->first;
    const Entry& entry = from_saved ? saved->second : live->second;
    Status appended = builder.AppendRow(entry.row);
    if (!appended.ok()) {
      snapshot_.reset();
      return appended;
    }
    counts.push_back(entry.count);
    snapshot.cursor = key;
    if (live != rows_.end() && live->first == key) ++live;
    if (from_saved) snapshot.saved.erase(saved);
  }
  // Keys added since the barrier that the cursor passed are of no more interest.
  if (snapshot.cursor) {
    snapshot.added.erase(snapshot.added.begin(), snapshot.added.upper_bound(*snapshot.cursor));
  }
  Status written = WriteChunk(snapshot.writer, builder, counts);
  if (!written.ok()) {
    snapshot_.reset();
    return written;
  }
  if (!done) {
    snapshot.writer.SetAsidePieceIfFull(snapshot.pieces, kPieceBytes);
    return std::optional<std::vector<std::string>>();
  }
  snapshot.writer.VarU64(0);
  std::vector<std::string> pieces = snapshot.writer.TakePieces(snapshot.pieces);
  snapshot_.reset();
  return std::optional<std::vector<std::string>>(std::move(pieces));
}

void ViewStore::CancelSnapshot() {
  std::lock_guard<std::mutex> lock(mutex_);
  snapshot_.reset();
}

Status ViewStore::LoadState(std::string_view state, std::string_view context) {
  storage::StateReader reader(state, std::string(context));
  const uint32_t version = reader.ReadVersion(kViewStateVersion);
  const int64_t watermark = reader.I64();
  // Version 1: one batch of all rows; 2: chunks of rows until an empty one.
  std::vector<Batch> chunks;
  std::vector<int64_t> counts;
  for (bool more = reader.ok(); more && reader.ok();) {
    const size_t chunk = version >= 2 ? reader.Count(2) : 0;
    if (version >= 2 && chunk == 0) break;
    more = version >= 2;
    const Batch rows = reader.BatchOf();
    if (reader.ok() && version >= 2 && static_cast<size_t>(rows.num_rows()) != chunk) {
      reader.Fail(fmt::format("a chunk of {} rows holds {}", chunk, rows.num_rows()));
    }
    for (int64_t i = 0; i < rows.num_rows() && reader.ok(); ++i) {
      counts.push_back(static_cast<int64_t>(reader.VarU64()));
      // A bag row's multiplicity is bounded too: a read materialises every copy.
      if (reader.ok() && (counts.back() <= 0 || counts.back() > kMaxBagCount ||
                          (!key_columns_.empty() && counts.back() != 1))) {
        reader.Fail(fmt::format("row count {}", counts.back()));
      }
    }
    if (reader.ok() && rows.num_columns() != schema_->num_fields()) {
      reader.Fail(
          fmt::format("{} columns, the view has {}", rows.num_columns(), schema_->num_fields()));
    }
    for (int c = 0; c < rows.num_columns() && reader.ok(); ++c) {
      if (rows.column(c).type() != schema_->field(c).type) {
        reader.Fail(fmt::format("column {} is {}, the view's is {}", c,
                                rows.column(c).type().ToString(),
                                schema_->field(c).type.ToString()));
      }
    }
    chunks.push_back(rows);
  }
  LAMINAR_RETURN_IF_ERROR(reader.Finish());
  std::lock_guard<std::mutex> lock(mutex_);
  rows_.clear();
  size_t next_count = 0;
  for (const Batch& rows : chunks) {
    std::vector<Column> keys;
    if (key_columns_.empty()) {
      keys = rows.columns();
    } else {
      for (int c : key_columns_) keys.push_back(rows.column(c));
    }
    encoder_.Encode(keys, {}, {});
    for (int64_t i = 0; i < rows.num_rows(); ++i) {
      auto [it, inserted] = rows_.try_emplace(std::string(encoder_.key(static_cast<size_t>(i))));
      if (!inserted) {
        rows_.clear();
        return Status::Error(ErrorCode::kCorruption, "{}: a row of the view twice", context);
      }
      Entry& entry = it->second;
      for (int c = 0; c < rows.num_columns(); ++c) entry.row.push_back(rows.column(c).GetValue(i));
      entry.count = counts[next_count++];
    }
  }
  watermark_ = watermark;
  return Status::Ok();
}

}  // namespace laminar::runtime
