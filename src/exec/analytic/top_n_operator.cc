#include "exec/analytic/top_n_operator.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <unordered_map>

#include "columnar/column_builder.h"
#include "exec/operators/ordered_set_snapshot.h"
#include "storage/state_io.h"

namespace laminar::exec {
TopNOperator::TopNOperator(TopNDefinition definition)
    : def_(std::move(definition)), encoder_(def_.partition_types) {}

Status TopNOperator::Process(int /*port*/, const ChangeBatch& batch, OperatorOutput& out) {
  const int64_t now = def_.state_ttl_micros ? def_.clock->NowMicros() : 0;
  if (def_.state_ttl_micros) LAMINAR_RETURN_IF_ERROR(ExpireUpTo(now, out));
  const int64_t rows = batch.num_rows();
  if (rows == 0) return Status::Ok();
  metrics_.rows_in += rows;
  std::vector<Column> partition_columns;
  for (const ExpressionEvaluator& evaluator : def_.partition_by) {
    LAMINAR_ASSIGN_OR_RETURN(Column column, evaluator.Evaluate(batch.rows));
    partition_columns.push_back(std::move(column));
  }
  std::vector<Column> order_columns;
  for (const ExpressionEvaluator& evaluator : def_.order_by) {
    LAMINAR_ASSIGN_OR_RETURN(Column column, evaluator.Evaluate(batch.rows));
    order_columns.push_back(std::move(column));
  }
  if (!partition_columns.empty()) encoder_.Encode(partition_columns, {}, {});
  Partition* single = nullptr;
  if (partition_columns.empty()) single = &FindOrCreate(std::string_view());
  std::vector<Value> order(order_columns.size());
  for (int64_t row = 0; row < rows; ++row) {
    Partition* partition = single;
    if (partition == nullptr) partition = &FindOrCreate(encoder_.key(static_cast<size_t>(row)));
    if (def_.state_ttl_micros) {
      SaveBeforeChange(*partition);  // Its last touch changes.
      Touch(*partition, now);
    }
    const int weight = batch.weight(row);
    if (weight > 0 && !def_.input_changelog && partition->full && !partition->rows.empty()) {
      // Most rows of a full partition cannot enter: compared in place, without making values.
      const int c = CompareWithStored(order_columns, row, partition->rows.back()->order);
      const bool ties_enter = def_.rank_function != sql::RankFunction::kRowNumber;
      if (c > 0 || (c == 0 && !ties_enter)) {
        ++metrics_.rows_skipped;
        continue;
      }
    }
    SaveBeforeChange(*partition);  // Its rows change.
    for (size_t k = 0; k < order_columns.size(); ++k) order[k] = order_columns[k].GetValue(row);
    if (weight > 0) {
      auto stored = std::make_shared<StoredRow>();
      stored->order = order;
      stored->values.reserve(static_cast<size_t>(def_.input_columns));
      for (int c = 0; c < def_.input_columns; ++c) {
        stored->values.push_back(batch.rows.column(c).GetValue(row));
      }
      stored->sequence = next_sequence_++;
      auto position =
          std::upper_bound(partition->rows.begin(), partition->rows.end(), order,
                           [&](const std::vector<Value>& key, const RowPointer& existing) {
                             return CompareSortKeys(key, existing->order, def_.directions) < 0;
                           });
      partition->rows.insert(position, std::move(stored));
      ++metrics_.stored_rows;
      // Rows that cannot return are dropped as they pile up (an ad-hoc query gets its whole
      // input in one batch, and is ranked only at its end).
      if (!def_.input_changelog &&
          static_cast<int64_t>(partition->rows.size()) > 2 * (def_.offset + def_.limit) + 64) {
        Rank(*partition, nullptr);
      }
    } else {
      // Retracts the newest stored row equal to it (identical rows are interchangeable).
      auto first =
          std::lower_bound(partition->rows.begin(), partition->rows.end(), order,
                           [&](const RowPointer& existing, const std::vector<Value>& key) {
                             return CompareSortKeys(existing->order, key, def_.directions) < 0;
                           });
      auto found = partition->rows.end();
      for (auto it = first; it != partition->rows.end() &&
                            CompareSortKeys((*it)->order, order, def_.directions) == 0;
           ++it) {
        bool equal = true;
        for (int c = 0; c < def_.input_columns && equal; ++c) {
          equal =
              SameDatum((*it)->values[static_cast<size_t>(c)], batch.rows.column(c).GetValue(row));
        }
        if (equal) found = it;
      }
      if (found == partition->rows.end()) {
        ++metrics_.unmatched_retractions;
        continue;
      }
      partition->rows.erase(found);
      --metrics_.stored_rows;
    }
    if (!partition->dirty) {
      partition->dirty = true;
      dirty_.push_back(partition);
    }
  }
  if (def_.bounded) return Status::Ok();
  return RefreshDirty(out);
}

int TopNOperator::CompareWithStored(const std::vector<Column>& order_columns, int64_t row,
                                    const std::vector<Value>& stored) const {
  for (size_t k = 0; k < order_columns.size(); ++k) {
    const Column& column = order_columns[k];
    const SortDirection& direction = def_.directions[k];
    const TypeId type = column.type().id();
    const bool wide_integer =
        type == TypeId::kBigInt || type == TypeId::kTimestamp || type == TypeId::kTimestampTz;
    if (!wide_integer || column.IsNull(row) || stored[k].is_null()) {
      const int c = CompareSortKeys({column.GetValue(row)}, {stored[k]}, {direction});
      if (c != 0) return c;
      continue;
    }
    const int64_t x = column.Values<int64_t>()[row];
    const int64_t y = stored[k].integer();
    if (x != y) return (x < y) == direction.descending ? 1 : -1;
  }
  return 0;
}

TopNOperator::Partition& TopNOperator::FindOrCreate(std::string_view key) {
  auto it = partitions_.find(key);
  if (it != partitions_.end()) return it->second;
  ++metrics_.live_partitions;
  return Create(std::string(key));
}

TopNOperator::Partition& TopNOperator::Create(std::string key) {
  auto it = partitions_.try_emplace(std::move(key)).first;
  Partition& partition = it->second;
  partition.key = it->first;
  partition.serial = next_serial_++;
  partition.older = newest_;
  (newest_ != nullptr ? newest_->newer : oldest_) = &partition;
  newest_ = &partition;
  return partition;
}

Status TopNOperator::RefreshDirty(OperatorOutput& out) {
  std::vector<Change> changes;
  for (Partition* partition : dirty_) {
    partition->dirty = false;
    Refresh(*partition, changes);
  }
  dirty_.clear();
  // Partitions left without rows are forgotten (unless the TTL index still names them; the
  // expiry then finds nothing).
  return EmitChanges(changes, out);
}

void TopNOperator::Refresh(Partition& partition, std::vector<Change>& changes) {
  std::vector<RankedRow> top;
  Rank(partition, &top);
  Diff(partition, std::move(top), changes);
}

void TopNOperator::Rank(Partition& partition, std::vector<RankedRow>* top) {
  const int64_t bound = def_.offset + def_.limit;
  int64_t rank = 0;
  int64_t distinct = 0;
  size_t kept = 0;  // Rows that can still be in the top (append-only eviction).
  for (size_t i = 0; i < partition.rows.size(); ++i) {
    // ROW_NUMBER needs no peers: no comparison.
    const bool peer = def_.rank_function != sql::RankFunction::kRowNumber && i > 0 &&
                      CompareSortKeys(partition.rows[i]->order, partition.rows[i - 1]->order,
                                      def_.directions) == 0;
    if (!peer) ++distinct;
    switch (def_.rank_function) {
      case sql::RankFunction::kRowNumber:
        rank = static_cast<int64_t>(i) + 1;
        break;
      case sql::RankFunction::kRank:
        if (!peer) rank = static_cast<int64_t>(i) + 1;
        break;
      case sql::RankFunction::kDenseRank:
        rank = distinct;
        break;
    }
    if (rank > bound) break;
    kept = i + 1;
    if (rank > def_.offset && top != nullptr) top->push_back(RankedRow{partition.rows[i], rank});
  }
  if (!def_.input_changelog) {
    metrics_.stored_rows -= static_cast<int64_t>(partition.rows.size() - kept);
    partition.rows.resize(kept);
    const int64_t taken =
        def_.rank_function == sql::RankFunction::kDenseRank ? distinct : static_cast<int64_t>(kept);
    partition.full = taken >= bound;
  }
}

void TopNOperator::Diff(Partition& partition, std::vector<RankedRow> top,
                        std::vector<Change>& changes) {
  // The difference between the old and the new top. Rows match by identity, and by rank when
  // the rank is output.
  auto same = [&](const RankedRow& a, const RankedRow& b) {
    return a.row == b.row && (!def_.rank_column || a.rank == b.rank);
  };
  std::vector<bool> still(partition.emitted.size(), false);
  std::vector<bool> fresh(top.size(), true);
  if (partition.emitted.size() * top.size() <= 1024) {
    for (size_t i = 0; i < partition.emitted.size(); ++i) {
      for (size_t j = 0; j < top.size(); ++j) {
        if (fresh[j] && same(partition.emitted[i], top[j])) {
          still[i] = true;
          fresh[j] = false;
          break;
        }
      }
    }
  } else {
    std::unordered_map<const StoredRow*, size_t> index;
    for (size_t j = 0; j < top.size(); ++j) index.emplace(top[j].row.get(), j);
    for (size_t i = 0; i < partition.emitted.size(); ++i) {
      auto it = index.find(partition.emitted[i].row.get());
      if (it != index.end() && same(partition.emitted[i], top[it->second])) {
        still[i] = true;
        fresh[it->second] = false;
      }
    }
  }
  for (size_t i = 0; i < partition.emitted.size(); ++i) {
    if (!still[i])
      changes.push_back(Change{partition.emitted[i].row, partition.emitted[i].rank, -1});
  }
  for (size_t j = 0; j < top.size(); ++j) {
    if (fresh[j]) changes.push_back(Change{top[j].row, top[j].rank, 1});
  }
  partition.emitted = std::move(top);
  if (partition.rows.empty() && !def_.state_ttl_micros) {
    const std::string key = partition.key;  // The partition (and its key) dies in erase.
    ErasePartition(key);
    --metrics_.live_partitions;
  }
}

void TopNOperator::Touch(Partition& partition, int64_t now) {
  partition.last_touch = now;
  // Lazily: the index keeps the partition's first deadline; expiry checks the last touch.
  if (!partition.in_ttl_index) {
    partition.in_ttl_index = true;
    auto [entry, inserted] =
        ttl_index_.emplace(SaturatingAdd(now, *def_.state_ttl_micros), partition.key);
    if (inserted) NoteTtlAdded(*entry);
  }
}

Status TopNOperator::ExpireUpTo(int64_t now, OperatorOutput& out) {
  std::vector<Change> changes;
  while (!ttl_index_.empty() && ttl_index_.begin()->first <= now) {
    const std::string key = ttl_index_.begin()->second;
    EraseTtl(ttl_index_.begin());
    auto it = partitions_.find(key);
    if (it == partitions_.end()) continue;
    Partition& partition = it->second;
    const int64_t deadline = SaturatingAdd(partition.last_touch, *def_.state_ttl_micros);
    if (deadline > now) {
      // Touched since it was indexed: indexed again at its real deadline.
      auto [entry, inserted] = ttl_index_.emplace(deadline, key);
      if (inserted) NoteTtlAdded(*entry);
      continue;
    }
    if (partition.dirty) {
      // Bounded inputs have no TTL; a streaming partition is never dirty between batches.
      dirty_.erase(std::remove(dirty_.begin(), dirty_.end(), &partition), dirty_.end());
    }
    for (const RankedRow& row : partition.emitted) changes.push_back(Change{row.row, row.rank, -1});
    metrics_.stored_rows -= static_cast<int64_t>(partition.rows.size());
    SaveBeforeChange(partition);
    ErasePartition(key);
    --metrics_.live_partitions;
    ++metrics_.partitions_expired;
  }
  return EmitChanges(changes, out);
}

Status TopNOperator::EmitChanges(std::vector<Change>& changes, OperatorOutput& out) {
  if (changes.empty()) return Status::Ok();
  const Schema& schema = *def_.output_schema;
  bool any_retraction = false;
  for (const Change& change : changes) any_retraction = any_retraction || change.weight < 0;
  std::vector<ColumnBuilder> builders;
  for (int c = 0; c < schema.num_fields(); ++c) {
    builders.emplace_back(schema.field(c).type);
    builders.back().Reserve(static_cast<int64_t>(changes.size()));
  }
  // Row by row: each stored row is visited once.
  for (const Change& change : changes) {
    for (int c = 0; c < def_.input_columns; ++c) {
      LAMINAR_RETURN_IF_ERROR(AppendTyped(builders[static_cast<size_t>(c)],
                                          change.row->values[static_cast<size_t>(c)]));
    }
    if (def_.rank_column) builders.back().AppendFixed<int64_t>(change.rank);
  }
  std::vector<Column> columns;
  for (ColumnBuilder& builder : builders) columns.push_back(builder.Finish());
  ChangeBatch batch;
  LAMINAR_ASSIGN_OR_RETURN(batch.rows, Batch::Make(def_.output_schema, std::move(columns)));
  if (any_retraction) {
    batch.weights.reserve(changes.size());
    for (const Change& change : changes) batch.weights.push_back(change.weight);
  }
  changes.clear();
  return out.Emit(batch);
}

Status TopNOperator::OnWatermark(int /*port*/, int64_t watermark, OperatorOutput& out) {
  if (def_.bounded && watermark == kMaxWatermark) LAMINAR_RETURN_IF_ERROR(RefreshDirty(out));
  return out.EmitWatermark(watermark);
}

int64_t TopNOperator::NextTimerMicros() const {
  if (!def_.state_ttl_micros || ttl_index_.empty()) return kMaxWatermark;
  return ttl_index_.begin()->first;
}

Status TopNOperator::OnTimer(int64_t now_micros, OperatorOutput& out) {
  if (!def_.state_ttl_micros) return Status::Ok();
  return ExpireUpTo(now_micros, out);
}

std::string TopNOperator::Describe() const {
  static constexpr const char* kRankNames[] = {"row_number", "rank", "dense_rank"};
  std::string text = fmt::format("TopN {} <= {}", kRankNames[static_cast<int>(def_.rank_function)],
                                 def_.offset + def_.limit);
  if (def_.offset > 0) text += fmt::format(" offset {}", def_.offset);
  text += fmt::format(" ({} partition keys, {} order keys{}{})", def_.partition_by.size(),
                      def_.order_by.size(), def_.input_changelog ? ", changelog input" : "",
                      def_.state_ttl_micros ? ", state ttl" : "");
  return text;
}

std::string TopNOperator::MetricsText() const {
  return fmt::format(
      "rows in {}; rows skipped {}; unmatched retractions {}; partitions expired {}; live "
      "partitions {}; stored rows {}",
      metrics_.rows_in, metrics_.rows_skipped, metrics_.unmatched_retractions,
      metrics_.partitions_expired, metrics_.live_partitions, metrics_.stored_rows);
}

// ---------------------------------------------------------------------------------------------
// Checkpoints (format: docs/formats/operator-state.md, "Top-N operator").
//
// Every mutable member, and how it comes back on Restore:
// - partitions_: each partition's key (the KeyEncoder bytes, as the map and the TTL index
//   hold it), full, last_touch and in_ttl_index are written; its rows (sorted by ORDER BY,
//   ties by arrival) are written in order, column by column in chunks of whole partitions:
//   the input columns, then the ORDER BY values (as computed when the row arrived), then each
//   row's sequence. emitted: per row, its index among the partition's rows and its rank
//   (between calls every emitted row is one of the partition's rows: checked); the restored
//   entries point to the restored rows, so the identity Diff compares by is kept. The
//   creation order (older/newer, serial) is the order written; snapshot_mark is derived.
//   An incremental snapshot writes the partitions in creation order and, after them, copies
//   of those set aside before they changed (their row pointers: rows are immutable).
// - dirty_ (bounded queries, before the end of the input): the dirty partitions in order
//   (their order is the order of the final output); Partition::dirty is derived from it.
// - ttl_index_: every (deadline, key) entry, including those of partitions already gone
//   (NextTimerMicros still names them).
// - next_sequence_ and metrics_: written.
// - encoder_: scratch of one call.

namespace {
/// 2: partitions in chunks of whole partitions (each its headers, then all its rows as one
/// batch), until an empty one; then the dirty partitions and the TTL index. 1 (still read):
/// every header, the dirty partitions, the TTL index, then the rows in chunks of 65536.
constexpr uint32_t kTopNStateVersion = 2;
/// A chunk of a snapshot at the barrier closes once it holds this many rows or more.
constexpr size_t kTopNChunkRows = size_t{1} << 16;
/// Budget units of ContinueSnapshot (8 per entry it may write): a partition costs this many,
/// and each of its rows as many again.
constexpr size_t kUnitsPerPartition = 4;
constexpr size_t kUnitsPerRow = 4;
/// An incremental snapshot is returned in pieces of about this size.
constexpr size_t kPieceBytes = size_t{1} << 20;
}  // namespace

/// An incremental snapshot in progress: partitions created before the barrier are written in
/// creation order from `cursor`; those set aside (copies, as of the barrier) after them.
struct TopNOperator::IncrementalSnapshot {
  uint64_t id = 0;              // Partitions marked with it are written or set aside.
  uint64_t barrier_serial = 0;  // Partitions from this serial on were created since.
  Partition* cursor = nullptr;  // The next partition to write, in creation order.
  bool live_done = false;
  std::vector<Partition> saved;
  size_t saved_written = 0;
  /// The TTL index (state_ttl), written after the partitions in its order.
  std::optional<OrderedSetSnapshot<TtlEntry>> ttl;
  bool ttl_begun = false;
  size_t saved_freed = 0;  // Copies written and released.
  storage::StateWriter writer;
  StatePieces pieces;
};

void TopNOperator::ErasePartition(const std::string& key) {
  auto it = partitions_.find(key);
  if (it == partitions_.end()) return;
  Partition& partition = it->second;
  if (snapshot_ != nullptr && snapshot_->cursor == &partition) snapshot_->cursor = partition.newer;
  (partition.older != nullptr ? partition.older->newer : oldest_) = partition.newer;
  (partition.newer != nullptr ? partition.newer->older : newest_) = partition.older;
  partitions_.erase(it);
}

void TopNOperator::SavePartition(Partition& partition) {
  IncrementalSnapshot& snapshot = *snapshot_;
  if (partition.serial >= snapshot.barrier_serial || partition.snapshot_mark == snapshot.id) {
    return;
  }
  partition.snapshot_mark = snapshot.id;
  snapshot.saved.push_back(partition);  // Its row pointers: the rows are shared, immutable.
}

void TopNOperator::NoteTtlAdded(const TtlEntry& entry) {
  if (snapshot_ != nullptr) snapshot_->ttl->NoteInserted(entry);
}

std::set<TopNOperator::TtlEntry>::iterator TopNOperator::EraseTtl(
    std::set<TtlEntry>::iterator entry) {
  if (snapshot_ == nullptr) return ttl_index_.erase(entry);
  return snapshot_->ttl->Erase(ttl_index_, entry);
}

Status TopNOperator::WritePartitionHeader(storage::StateWriter& writer,
                                          const Partition& partition) const {
  writer.Bytes(partition.key);
  writer.VarU64(partition.rows.size());
  writer.Bool(partition.full);
  writer.VarI64(partition.last_touch);
  writer.Bool(partition.in_ttl_index);
  // The output rows are the partition's first rows (ranks up to offset + limit, and ties):
  // found by a short scan; a map over all rows only when one is further.
  const size_t scan = std::min(partition.rows.size(), 2 * partition.emitted.size() + 64);
  std::unordered_map<const StoredRow*, size_t> row_index;
  writer.VarU64(partition.emitted.size());
  for (const RankedRow& ranked : partition.emitted) {
    size_t index = 0;
    while (index < scan && partition.rows[index] != ranked.row) ++index;
    if (index == scan) {
      if (row_index.empty()) {
        for (size_t i = 0; i < partition.rows.size(); ++i) {
          row_index.emplace(partition.rows[i].get(), i);
        }
      }
      auto it = row_index.find(ranked.row.get());
      if (it == row_index.end()) {
        return Status::Error(ErrorCode::kInternal, "{}: an output row is not in its partition",
                             Describe());
      }
      index = it->second;
    }
    writer.VarU64(index);
    writer.VarI64(ranked.rank);
  }
  return Status::Ok();
}

Status TopNOperator::WriteChunk(storage::StateWriter& writer,
                                const std::vector<const Partition*>& partitions) const {
  writer.VarU64(partitions.size());
  size_t total_rows = 0;
  for (const Partition* partition : partitions) {
    LAMINAR_RETURN_IF_ERROR(WritePartitionHeader(writer, *partition));
    total_rows += partition->rows.size();
  }
  // Their rows, partition after partition: input columns, then ORDER BY values.
  writer.VarU64(total_rows);
  if (total_rows == 0) return Status::Ok();
  const Schema& output = *def_.output_schema;
  std::vector<Field> fields;
  for (int c = 0; c < def_.input_columns; ++c) {
    fields.push_back(output.field(c));
    fields.back().nullable = true;
  }
  for (size_t k = 0; k < def_.order_by.size(); ++k) {
    fields.push_back(Field{fmt::format("order_{}", k), def_.order_by[k].type(), true});
  }
  const std::shared_ptr<const Schema> schema = Schema::Make(std::move(fields));
  std::vector<const StoredRow*> rows;
  rows.reserve(total_rows);
  for (const Partition* partition : partitions) {
    for (const RowPointer& row : partition->rows) rows.push_back(row.get());
  }
  // Row by row into every column: each stored row (its own allocation) is visited once.
  std::vector<ColumnBuilder> builders;
  for (int c = 0; c < schema->num_fields(); ++c) {
    builders.emplace_back(schema->field(c).type);
    builders.back().Reserve(static_cast<int64_t>(rows.size()));
  }
  const size_t input_columns = static_cast<size_t>(def_.input_columns);
  constexpr size_t kPrefetchDistance = 8;
  for (size_t i = 0; i < rows.size(); ++i) {
    // The rows are scattered over the heap: load a few ahead (the row, then its values).
    if (i + 2 * kPrefetchDistance < rows.size())
      __builtin_prefetch(rows[i + 2 * kPrefetchDistance]);
    if (i + kPrefetchDistance < rows.size()) {
      __builtin_prefetch(rows[i + kPrefetchDistance]->values.data());
      __builtin_prefetch(rows[i + kPrefetchDistance]->order.data());
    }
    const StoredRow* row = rows[i];
    for (size_t c = 0; c < input_columns; ++c) {
      LAMINAR_RETURN_IF_ERROR(AppendTyped(builders[c], row->values[c]));
    }
    for (size_t k = 0; k < row->order.size(); ++k) {
      LAMINAR_RETURN_IF_ERROR(AppendTyped(builders[input_columns + k], row->order[k]));
    }
  }
  std::vector<Column> columns;
  for (ColumnBuilder& builder : builders) columns.push_back(builder.Finish());
  if (columns.empty()) {
    writer.BatchOf(Batch::MakeWithoutColumns(schema, static_cast<int64_t>(rows.size())));
  } else {
    LAMINAR_ASSIGN_OR_RETURN(Batch batch, Batch::Make(schema, std::move(columns)));
    writer.BatchOf(batch);
  }
  for (const StoredRow* row : rows) writer.VarU64(row->sequence);
  return Status::Ok();
}

namespace {
void WriteHeadOfState(storage::StateWriter& writer, uint64_t next_sequence,
                      const TopNMetrics& metrics) {
  writer.WriteVersion(kTopNStateVersion);
  writer.VarU64(next_sequence);
  for (const int64_t counter :
       {metrics.rows_in, metrics.rows_skipped, metrics.unmatched_retractions,
        metrics.partitions_expired, metrics.live_partitions, metrics.stored_rows}) {
    writer.VarI64(counter);
  }
}
}  // namespace

Status TopNOperator::Snapshot(storage::StateWriter& writer) const {
  WriteHeadOfState(writer, next_sequence_, metrics_);
  std::unordered_map<const Partition*, size_t> index_of;
  std::vector<const Partition*> chunk;
  size_t chunk_rows = 0;
  for (const Partition* partition = oldest_; partition != nullptr; partition = partition->newer) {
    index_of.emplace(partition, index_of.size());
    chunk.push_back(partition);
    chunk_rows += partition->rows.size();
    if (chunk_rows >= kTopNChunkRows) {
      LAMINAR_RETURN_IF_ERROR(WriteChunk(writer, chunk));
      chunk.clear();
      chunk_rows = 0;
    }
  }
  if (!chunk.empty()) LAMINAR_RETURN_IF_ERROR(WriteChunk(writer, chunk));
  writer.VarU64(0);
  writer.VarU64(dirty_.size());
  for (const Partition* partition : dirty_) writer.VarU64(index_of.at(partition));
  writer.VarU64(ttl_index_.size());
  for (const auto& [deadline, key] : ttl_index_) {
    writer.VarI64(deadline);
    writer.Bytes(key);
  }
  return Status::Ok();
}

Result<bool> TopNOperator::BeginSnapshot() {
  // Dirty partitions exist only in bounded (ad-hoc) queries, which are not checkpointed: such
  // a state is written at the barrier, as it always was.
  if (def_.bounded || !dirty_.empty()) return false;
  if (snapshot_ != nullptr) {
    return Status::Error(ErrorCode::kInternal, "{}: a snapshot is already in progress", Describe());
  }
  auto snapshot = std::make_unique<IncrementalSnapshot>();
  snapshot->id = ++snapshots_begun_;
  snapshot->barrier_serial = next_serial_;
  snapshot->cursor = oldest_;
  snapshot->ttl.emplace(ttl_index_);
  snapshot->writer.Reserve(std::min(2 * kPieceBytes, 256 * partitions_.size() + 64));
  WriteHeadOfState(snapshot->writer, next_sequence_, metrics_);
  snapshot_ = std::move(snapshot);
  return true;
}

Result<std::optional<StatePieces>> TopNOperator::ContinueSnapshot(size_t max_entries) {
  if (snapshot_ == nullptr) {
    return Status::Error(ErrorCode::kInternal, "{}: no snapshot in progress", Describe());
  }
  IncrementalSnapshot& snapshot = *snapshot_;
  size_t budget = std::max<size_t>(max_entries, 1) * 8;
  auto charge = [&](const Partition& partition) {
    budget -= std::min(budget, kUnitsPerPartition + kUnitsPerRow * partition.rows.size());
  };
  std::vector<const Partition*> chunk;
  // The partitions as they were at the barrier and still are, in creation order.
  while (!snapshot.live_done && budget > 0) {
    Partition* partition = snapshot.cursor;
    if (partition == nullptr || partition->serial >= snapshot.barrier_serial) {
      snapshot.live_done = true;
      break;
    }
    snapshot.cursor = partition->newer;
    if (partition->snapshot_mark == snapshot.id) {  // Set aside: written below.
      --budget;
      continue;
    }
    partition->snapshot_mark = snapshot.id;
    chunk.push_back(partition);
    charge(*partition);
  }
  // Then those set aside, as they were at the barrier.
  while (snapshot.live_done && budget > 0 && snapshot.saved_written < snapshot.saved.size()) {
    const Partition& partition = snapshot.saved[snapshot.saved_written++];
    chunk.push_back(&partition);
    charge(partition);
  }
  Status written = chunk.empty() ? Status::Ok() : WriteChunk(snapshot.writer, chunk);
  if (!written.ok()) {
    snapshot_.reset();
    return written;
  }
  // Rows set aside and written are needed no more.
  for (; snapshot.saved_freed < snapshot.saved_written; ++snapshot.saved_freed) {
    snapshot.saved[snapshot.saved_freed] = Partition();
  }
  if (!snapshot.live_done || snapshot.saved_written < snapshot.saved.size()) {
    snapshot.writer.SetAsidePieceIfFull(snapshot.pieces, kPieceBytes);
    return std::optional<StatePieces>();
  }
  if (!snapshot.ttl_begun) {
    // No more partitions; no dirty partitions (see BeginSnapshot); the TTL index.
    snapshot.writer.VarU64(0);
    snapshot.writer.VarU64(0);
    snapshot.writer.VarU64(snapshot.ttl->count());
    snapshot.ttl_begun = true;
  }
  // The TTL index in its order, an entry a unit.
  storage::StateWriter& writer = snapshot.writer;
  Result<bool> ttl_done =
      snapshot.ttl->Continue(ttl_index_, budget, 1, [&writer](const TtlEntry& entry) {
        writer.VarI64(entry.first);
        writer.Bytes(entry.second);
      });
  if (!ttl_done.ok()) {
    snapshot_.reset();
    return Status::Error(ErrorCode::kInternal, "{}: TTL index: {}", Describe(),
                         ttl_done.status().message());
  }
  if (!*ttl_done) {
    snapshot.writer.SetAsidePieceIfFull(snapshot.pieces, kPieceBytes);
    return std::optional<StatePieces>();
  }
  StatePieces pieces = snapshot.writer.TakePieces(snapshot.pieces);
  snapshot_.reset();
  return std::optional<StatePieces>(std::move(pieces));
}

void TopNOperator::CancelSnapshot() { snapshot_.reset(); }

TopNOperator::~TopNOperator() = default;

Status TopNOperator::Restore(storage::StateReader& reader) {
  const uint32_t version = reader.ReadVersion(kTopNStateVersion);
  next_sequence_ = reader.VarU64();
  for (int64_t* counter :
       {&metrics_.rows_in, &metrics_.rows_skipped, &metrics_.unmatched_retractions,
        &metrics_.partitions_expired, &metrics_.live_partitions, &metrics_.stored_rows}) {
    *counter = reader.VarI64();
  }
  if (!reader.ok()) return reader.status();
  std::vector<Partition*> order;  // Every partition, in the order written.
  if (version == 1) {
    LAMINAR_RETURN_IF_ERROR(ReadPartitions(reader, reader.Count(6), version, &order));
  } else {
    for (;;) {
      const size_t count = reader.Count(6);
      if (!reader.ok()) return reader.status();
      if (count == 0) break;
      LAMINAR_RETURN_IF_ERROR(ReadPartitions(reader, count, version, &order));
    }
    LAMINAR_RETURN_IF_ERROR(ReadDirtyAndTtl(reader, order));
  }
  return reader.status();
}

Status TopNOperator::ReadDirtyAndTtl(storage::StateReader& reader,
                                     const std::vector<Partition*>& order) {
  const size_t dirty = reader.Count(1);
  for (size_t i = 0; i < dirty && reader.ok(); ++i) {
    const uint64_t index = reader.VarU64();
    if (!reader.ok()) break;
    if (index >= order.size() || order[index]->dirty) {
      reader.Fail("a dirty partition index out of range or repeated");
      break;
    }
    order[index]->dirty = true;
    dirty_.push_back(order[index]);
  }
  const size_t ttl_entries = reader.Count(2);
  for (size_t i = 0; i < ttl_entries && reader.ok(); ++i) {
    const int64_t deadline = reader.VarI64();
    std::string key = reader.Bytes();
    if (reader.ok()) ttl_index_.emplace(deadline, std::move(key));
  }
  return reader.status();
}

Status TopNOperator::ReadPartitions(storage::StateReader& reader, size_t count, uint32_t version,
                                    std::vector<Partition*>* order) {
  struct Pending {
    Partition* partition;
    size_t rows;
    std::vector<std::pair<size_t, int64_t>> emitted;  // (row index, rank)
  };
  std::vector<Pending> pending(count);
  size_t expected_rows = 0;
  for (Pending& entry : pending) {
    std::string key = reader.Bytes();
    entry.rows = reader.Count(1);
    const bool full = reader.Bool();
    const int64_t last_touch = reader.VarI64();
    const bool in_ttl_index = reader.Bool();
    entry.emitted.resize(reader.Count(2));
    for (auto& [index, rank] : entry.emitted) {
      index = reader.VarU64();
      rank = reader.VarI64();
      if (reader.ok() && (index >= entry.rows || rank < 1)) {
        reader.Fail("an output row index out of range, or a rank below 1");
      }
    }
    // Each output row is a distinct row of the partition.
    std::vector<size_t> indexes;
    for (const auto& [index, rank] : entry.emitted) indexes.push_back(index);
    std::sort(indexes.begin(), indexes.end());
    if (reader.ok() && std::adjacent_find(indexes.begin(), indexes.end()) != indexes.end()) {
      reader.Fail("an output row twice");
    }
    if (!reader.ok()) return reader.status();
    if (partitions_.count(key) != 0) {
      reader.Fail("a partition key repeated");
      return reader.status();
    }
    // Created as the newest, as Process creates them (the counters are the state's).
    Partition& partition = Create(std::move(key));
    partition.full = full;
    partition.last_touch = last_touch;
    partition.in_ttl_index = in_ttl_index;
    entry.partition = &partition;
    order->push_back(&partition);
    expected_rows += entry.rows;
  }
  // Version 1: the dirty partitions and the TTL index come between the headers and the rows.
  if (version == 1) LAMINAR_RETURN_IF_ERROR(ReadDirtyAndTtl(reader, *order));
  const uint64_t total_rows = reader.VarU64();
  // Every row takes at least its sequence's byte: a count beyond the bytes left is malformed
  // (and is not reserved).
  if (reader.ok() && (total_rows != expected_rows || total_rows > reader.remaining())) {
    reader.Fail("row count differs from partitions', or exceeds the state");
  }
  if (!reader.ok()) return reader.status();
  for (Pending& entry : pending) entry.partition->rows.reserve(entry.rows);
  const Schema& output = *def_.output_schema;
  const size_t order_keys = def_.order_by.size();
  size_t partition_index = 0;
  size_t restored = 0;
  while (restored < total_rows) {
    const Batch chunk = reader.BatchOf();
    if (!reader.ok()) return reader.status();
    bool fits = chunk.num_columns() == def_.input_columns + static_cast<int>(order_keys) &&
                chunk.num_rows() > 0 &&
                static_cast<uint64_t>(chunk.num_rows()) <= total_rows - restored;
    for (int c = 0; c < chunk.num_columns() && fits; ++c) {
      fits = chunk.column(c).type() == (c < def_.input_columns
                                            ? output.field(c).type
                                            : def_.order_by[c - def_.input_columns].type());
    }
    if (!fits) {
      reader.Fail("a chunk of rows does not fit the Top-N's input");
      return reader.status();
    }
    for (int64_t row = 0; row < chunk.num_rows(); ++row) {
      auto stored = std::make_shared<StoredRow>();
      stored->values.reserve(static_cast<size_t>(def_.input_columns));
      for (int c = 0; c < def_.input_columns; ++c) {
        stored->values.push_back(chunk.column(c).GetValue(row));
      }
      stored->order.reserve(order_keys);
      for (size_t k = 0; k < order_keys; ++k) {
        stored->order.push_back(
            chunk.column(def_.input_columns + static_cast<int>(k)).GetValue(row));
      }
      stored->sequence = reader.VarU64();
      while (pending[partition_index].partition->rows.size() == pending[partition_index].rows) {
        ++partition_index;
      }
      pending[partition_index].partition->rows.push_back(std::move(stored));
    }
    if (!reader.ok()) return reader.status();
    restored += static_cast<size_t>(chunk.num_rows());
  }
  for (Pending& entry : pending) {
    for (const auto& [index, rank] : entry.emitted) {
      entry.partition->emitted.push_back(RankedRow{entry.partition->rows[index], rank});
    }
  }
  return reader.status();
}

}  // namespace laminar::exec
