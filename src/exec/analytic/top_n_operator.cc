#include "exec/analytic/top_n_operator.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <unordered_map>

#include "columnar/column_builder.h"
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
  if (partition_columns.empty()) {
    auto [it, inserted] = partitions_.try_emplace(std::string());
    single = &it->second;
    if (inserted) ++metrics_.live_partitions;
  }
  std::vector<Value> order(order_columns.size());
  for (int64_t row = 0; row < rows; ++row) {
    Partition* partition = single;
    if (partition == nullptr) {
      const std::string_view key = encoder_.key(static_cast<size_t>(row));
      auto it = partitions_.find(key);
      if (it == partitions_.end()) {
        it = partitions_.try_emplace(std::string(key)).first;
        it->second.key = it->first;
        ++metrics_.live_partitions;
      }
      partition = &it->second;
    }
    if (def_.state_ttl_micros) Touch(*partition, now);
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
    partitions_.erase(key);
    --metrics_.live_partitions;
  }
}

void TopNOperator::Touch(Partition& partition, int64_t now) {
  partition.last_touch = now;
  // Lazily: the index keeps the partition's first deadline; expiry checks the last touch.
  if (!partition.in_ttl_index) {
    partition.in_ttl_index = true;
    ttl_index_.emplace(SaturatingAdd(now, *def_.state_ttl_micros), partition.key);
  }
}

Status TopNOperator::ExpireUpTo(int64_t now, OperatorOutput& out) {
  std::vector<Change> changes;
  while (!ttl_index_.empty() && ttl_index_.begin()->first <= now) {
    const std::string key = ttl_index_.begin()->second;
    ttl_index_.erase(ttl_index_.begin());
    auto it = partitions_.find(key);
    if (it == partitions_.end()) continue;
    Partition& partition = it->second;
    const int64_t deadline = SaturatingAdd(partition.last_touch, *def_.state_ttl_micros);
    if (deadline > now) {
      // Touched since it was indexed: indexed again at its real deadline.
      ttl_index_.emplace(deadline, key);
      continue;
    }
    if (partition.dirty) {
      // Bounded inputs have no TTL; a streaming partition is never dirty between batches.
      dirty_.erase(std::remove(dirty_.begin(), dirty_.end(), &partition), dirty_.end());
    }
    for (const RankedRow& row : partition.emitted) changes.push_back(Change{row.row, row.rank, -1});
    metrics_.stored_rows -= static_cast<int64_t>(partition.rows.size());
    partitions_.erase(it);
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
//   ties by arrival) are written in order, column by column across all partitions in chunks:
//   the input columns, then the ORDER BY values (as computed when the row arrived), then each
//   row's sequence. emitted: per row, its index among the partition's rows and its rank
//   (between calls every emitted row is one of the partition's rows: checked); the restored
//   entries point to the restored rows, so the identity Diff compares by is kept.
// - dirty_ (bounded queries, before the end of the input): the dirty partitions in order
//   (their order is the order of the final output); Partition::dirty is derived from it.
// - ttl_index_: every (deadline, key) entry, including those of partitions already gone
//   (NextTimerMicros still names them).
// - next_sequence_ and metrics_: written.
// - encoder_: scratch of one call.

namespace {
constexpr uint32_t kTopNStateVersion = 1;
constexpr size_t kTopNChunkRows = size_t{1} << 16;
}  // namespace

Status TopNOperator::Snapshot(storage::StateWriter& writer) const {
  writer.WriteVersion(kTopNStateVersion);
  writer.VarU64(next_sequence_);
  for (const int64_t counter :
       {metrics_.rows_in, metrics_.rows_skipped, metrics_.unmatched_retractions,
        metrics_.partitions_expired, metrics_.live_partitions, metrics_.stored_rows}) {
    writer.VarI64(counter);
  }
  std::vector<const Partition*> order;
  order.reserve(partitions_.size());
  std::unordered_map<const Partition*, size_t> index_of;
  size_t total_rows = 0;
  for (const auto& [key, partition] : partitions_) {
    index_of.emplace(&partition, order.size());
    order.push_back(&partition);
    total_rows += partition.rows.size();
  }
  writer.VarU64(order.size());
  for (const Partition* partition : order) {
    writer.Bytes(partition->key);
    writer.VarU64(partition->rows.size());
    writer.Bool(partition->full);
    writer.VarI64(partition->last_touch);
    writer.Bool(partition->in_ttl_index);
    // The output rows are the partition's first rows (ranks up to offset + limit, and ties):
    // found by a short scan; a map over all rows only when one is further.
    const size_t scan = std::min(partition->rows.size(), 2 * partition->emitted.size() + 64);
    std::unordered_map<const StoredRow*, size_t> row_index;
    writer.VarU64(partition->emitted.size());
    for (const RankedRow& ranked : partition->emitted) {
      size_t index = 0;
      while (index < scan && partition->rows[index] != ranked.row) ++index;
      if (index == scan) {
        if (row_index.empty()) {
          for (size_t i = 0; i < partition->rows.size(); ++i) {
            row_index.emplace(partition->rows[i].get(), i);
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
  }
  writer.VarU64(dirty_.size());
  for (const Partition* partition : dirty_) writer.VarU64(index_of.at(partition));
  writer.VarU64(ttl_index_.size());
  for (const auto& [deadline, key] : ttl_index_) {
    writer.VarI64(deadline);
    writer.Bytes(key);
  }
  // The rows, partition after partition, in chunks: input columns, then ORDER BY values.
  writer.VarU64(total_rows);
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
  std::vector<const StoredRow*> chunk;
  auto flush = [&]() -> Status {
    if (chunk.empty()) return Status::Ok();
    // Row by row into every column: each stored row (its own allocation) is visited once.
    std::vector<ColumnBuilder> builders;
    for (int c = 0; c < schema->num_fields(); ++c) {
      builders.emplace_back(schema->field(c).type);
      builders.back().Reserve(static_cast<int64_t>(chunk.size()));
    }
    const size_t input_columns = static_cast<size_t>(def_.input_columns);
    constexpr size_t kPrefetchDistance = 8;
    for (size_t i = 0; i < chunk.size(); ++i) {
      // The rows are scattered over the heap: load a few ahead (the row, then its values).
      if (i + 2 * kPrefetchDistance < chunk.size())
        __builtin_prefetch(chunk[i + 2 * kPrefetchDistance]);
      if (i + kPrefetchDistance < chunk.size()) {
        __builtin_prefetch(chunk[i + kPrefetchDistance]->values.data());
        __builtin_prefetch(chunk[i + kPrefetchDistance]->order.data());
      }
      const StoredRow* row = chunk[i];
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
      writer.BatchOf(Batch::MakeWithoutColumns(schema, static_cast<int64_t>(chunk.size())));
    } else {
      LAMINAR_ASSIGN_OR_RETURN(Batch batch, Batch::Make(schema, std::move(columns)));
      writer.BatchOf(batch);
    }
    for (const StoredRow* row : chunk) writer.VarU64(row->sequence);
    chunk.clear();
    return Status::Ok();
  };
  for (const Partition* partition : order) {
    for (const RowPointer& row : partition->rows) {
      chunk.push_back(row.get());
      if (chunk.size() == kTopNChunkRows) LAMINAR_RETURN_IF_ERROR(flush());
    }
  }
  return flush();
}

Status TopNOperator::Restore(storage::StateReader& reader) {
  reader.ReadVersion(kTopNStateVersion);
  next_sequence_ = reader.VarU64();
  for (int64_t* counter :
       {&metrics_.rows_in, &metrics_.rows_skipped, &metrics_.unmatched_retractions,
        &metrics_.partitions_expired, &metrics_.live_partitions, &metrics_.stored_rows}) {
    *counter = reader.VarI64();
  }
  struct Pending {
    Partition* partition;
    size_t rows;
    std::vector<std::pair<size_t, int64_t>> emitted;  // (row index, rank)
  };
  std::vector<Pending> pending(reader.Count(6));
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
      if (reader.ok() && index >= entry.rows) reader.Fail("an output row index out of range");
    }
    if (!reader.ok()) return reader.status();
    auto [it, inserted] = partitions_.try_emplace(key);
    if (!inserted) {
      reader.Fail("a partition key repeated");
      return reader.status();
    }
    Partition& partition = it->second;
    partition.key = std::move(key);
    partition.full = full;
    partition.last_touch = last_touch;
    partition.in_ttl_index = in_ttl_index;
    partition.rows.reserve(entry.rows);
    entry.partition = &partition;
    expected_rows += entry.rows;
  }
  const size_t dirty = reader.Count(1);
  for (size_t i = 0; i < dirty && reader.ok(); ++i) {
    const uint64_t index = reader.VarU64();
    if (!reader.ok()) break;
    if (index >= pending.size() || pending[index].partition->dirty) {
      reader.Fail("a dirty partition index out of range or repeated");
      break;
    }
    pending[index].partition->dirty = true;
    dirty_.push_back(pending[index].partition);
  }
  const size_t ttl_entries = reader.Count(2);
  for (size_t i = 0; i < ttl_entries && reader.ok(); ++i) {
    const int64_t deadline = reader.VarI64();
    std::string key = reader.Bytes();
    if (reader.ok()) ttl_index_.emplace(deadline, std::move(key));
  }
  const uint64_t total_rows = reader.VarU64();
  if (reader.ok() && total_rows != expected_rows) reader.Fail("row count differs from partitions'");
  if (!reader.ok()) return reader.status();
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
