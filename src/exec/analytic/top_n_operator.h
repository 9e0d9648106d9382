#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "columnar/schema.h"
#include "common/clock.h"
#include "exec/analytic/analytic_rows.h"
#include "exec/expression_evaluator.h"
#include "exec/operators/operator.h"
#include "sql/plan/logical_top_n.h"
#include "state/key_encoder.h"
#include "storage/state_io.h"

namespace laminar::exec {

/// Everything a Top-N computes, fixed at planning time.
struct TopNDefinition {
  std::vector<ExpressionEvaluator> partition_by;
  std::vector<DataType> partition_types;
  std::vector<ExpressionEvaluator> order_by;
  std::vector<SortDirection> directions;
  /// Rows ranked in (offset, offset + limit] are output.
  int64_t limit = 0;
  int64_t offset = 0;
  sql::RankFunction rank_function = sql::RankFunction::kRowNumber;
  /// The rank is appended as a last BIGINT column.
  bool rank_column = false;
  int input_columns = 0;
  std::shared_ptr<const Schema> output_schema;
  /// The input carries retractions: every live row is kept, so that a retracted top row can be
  /// replaced by the next one.
  bool input_changelog = false;
  /// Ad-hoc query: results are computed once, when the input ends.
  bool bounded = false;
  /// A partition not touched for this long (engine clock) is dropped and its rows retracted.
  std::optional<int64_t> state_ttl_micros;
  const Clock* clock = Clock::System();
};

/// Counters of a Top-N (DESCRIBE and tests).
struct TopNMetrics {
  int64_t rows_in = 0;
  int64_t rows_skipped = 0;           // Append-only rows that could not enter the top.
  int64_t unmatched_retractions = 0;  // Retractions of rows the operator did not hold.
  int64_t partitions_expired = 0;
  int64_t live_partitions = 0;
  int64_t stored_rows = 0;
};

/// Top-N per partition: the rows ranked offset + 1 .. offset + limit in ORDER BY order, by
/// ROW_NUMBER (ties by arrival: an earlier row ranks first), RANK or DENSE_RANK (ties share a
/// rank, so more than `limit` rows may be output).
///
/// Output is a changelog, consolidated per input batch: a row entering the top is inserted
/// (+1), a row leaving it is retracted (-1); with the rank column, a row whose rank changed is
/// retracted with its old rank and inserted with the new one.
///
/// State: append-only input keeps only the rows that can still be in the top (a row pushed
/// out can never come back), at most offset + limit rows per partition plus ties. A changelog
/// input keeps every live row of every partition, since a retraction of a top row promotes the
/// next one: state grows with the live rows of the input.
///
/// state_ttl: a partition not touched for the TTL (engine clock) is dropped and its output
/// rows retracted; a later row starts the partition again.
///
/// Thread-safety: one thread (the owning reactor).
class TopNOperator final : public Operator {
 public:
  explicit TopNOperator(TopNDefinition definition);
  ~TopNOperator() override;

  Status Process(int port, const ChangeBatch& batch, OperatorOutput& out) override;
  Status OnWatermark(int port, int64_t watermark, OperatorOutput& out) override;
  std::string Describe() const override;
  Status Snapshot(storage::StateWriter& writer) const override;
  Status Restore(storage::StateReader& reader) override;
  /// Incremental snapshots (Operator::BeginSnapshot): partitions are written whole, a few per
  /// call, in the order they were created, then (state_ttl) the TTL index in its order; a
  /// partition about to change or go before the snapshot reaches it is set aside first (a copy
  /// of its row pointers: the rows themselves are immutable and shared), and so is a TTL entry
  /// about to go.
  Result<bool> BeginSnapshot() override;
  Result<std::optional<StatePieces>> ContinueSnapshot(size_t max_entries) override;
  void CancelSnapshot() override;
  /// "rows in N; rows skipped N; unmatched retractions N; partitions expired N; live partitions
  /// N; stored rows N".
  std::string MetricsText() const override;
  int64_t NextTimerMicros() const override;
  Status OnTimer(int64_t now_micros, OperatorOutput& out) override;

  const TopNMetrics& metrics() const { return metrics_; }

 private:
  struct StoredRow {
    std::vector<Value> order;
    std::vector<Value> values;
    uint64_t sequence = 0;
  };
  using RowPointer = std::shared_ptr<const StoredRow>;
  struct RankedRow {
    RowPointer row;
    int64_t rank = 0;
  };
  struct Partition {
    std::string key;
    /// Sorted by (order, sequence).
    std::vector<RowPointer> rows;
    /// The rows output now, in rank order.
    std::vector<RankedRow> emitted;
    /// Append-only input: every rank up to offset + limit is taken, so a row after the last
    /// stored one cannot enter.
    bool full = false;
    bool dirty = false;
    int64_t last_touch = 0;
    bool in_ttl_index = false;
    /// Creation order, oldest first: incremental snapshots walk the partitions in it and stop
    /// at those created after their barrier (serial at or above the barrier's next one).
    Partition* older = nullptr;
    Partition* newer = nullptr;
    uint64_t serial = 0;
    /// The incremental snapshot (its id) that has written this partition or set it aside.
    uint64_t snapshot_mark = 0;
  };
  struct IncrementalSnapshot;
  using TtlEntry = std::pair<int64_t, std::string>;
  struct Change {
    RowPointer row;
    int64_t rank = 0;
    int8_t weight = 1;
  };

  /// True when `order` sorts after the stored row (as a newer row would: peers after).
  bool SortsAfter(const std::vector<Value>& order, const StoredRow& row) const {
    return CompareSortKeys(order, row.order, def_.directions) >= 0;
  }
  /// Compares row `row` of the ORDER BY columns with a stored row's keys, as CompareSortKeys.
  int CompareWithStored(const std::vector<Column>& order_columns, int64_t row,
                        const std::vector<Value>& stored) const;
  /// Recomputes the partition's top, appends the difference to `changes`, evicts rows that
  /// cannot return (append-only input).
  void Refresh(Partition& partition, std::vector<Change>& changes);
  /// Ranks the partition's rows into `top` (when not null); for an append-only input, drops the
  /// rows ranked beyond offset + limit and sets `full`.
  void Rank(Partition& partition, std::vector<RankedRow>* top);
  /// Appends the difference between the emitted rows and `top` to `changes`; `top` becomes the
  /// emitted rows.
  void Diff(Partition& partition, std::vector<RankedRow> top, std::vector<Change>& changes);
  void Touch(Partition& partition, int64_t now);
  Status ExpireUpTo(int64_t now, OperatorOutput& out);
  Status EmitChanges(std::vector<Change>& changes, OperatorOutput& out);
  Status RefreshDirty(OperatorOutput& out);

  /// The partition of `key`, created (and linked as the newest, counted live) if missing.
  /// REQUIRES for Create: no partition of `key`; it links it but leaves the counters alone.
  Partition& FindOrCreate(std::string_view key);
  Partition& Create(std::string key);
  /// Erases a partition (unlinking it; an incremental snapshot's cursor moves past it).
  void ErasePartition(const std::string& key);
  /// Before a partition changes or goes: the incremental snapshot in progress sets it aside if
  /// it has not written it yet.
  void SaveBeforeChange(Partition& partition) {
    if (snapshot_ != nullptr) [[unlikely]] {
      SavePartition(partition);
    }
  }
  void SavePartition(Partition& partition);
  /// The TTL index while an incremental snapshot is in progress: an entry added since the
  /// barrier is noted (the snapshot skips it); one erased before the snapshot wrote it is kept.
  void NoteTtlAdded(const TtlEntry& entry);
  std::set<TtlEntry>::iterator EraseTtl(std::set<TtlEntry>::iterator entry);
  /// Checkpoints: one partition's header (key, row count, flags, output rows as indexes), and
  /// a chunk of whole partitions (their headers, then all their rows as one batch).
  Status WritePartitionHeader(storage::StateWriter& writer, const Partition& partition) const;
  Status WriteChunk(storage::StateWriter& writer,
                    const std::vector<const Partition*>& partitions) const;
  /// Restore: the partitions of one chunk (version 2), or of the whole state (version 1).
  Status ReadPartitions(storage::StateReader& reader, size_t count, uint32_t version,
                        std::vector<Partition*>* order);
  /// Restore: the dirty partitions (indexes into `order`) and the TTL index.
  Status ReadDirtyAndTtl(storage::StateReader& reader, const std::vector<Partition*>& order);

  TopNDefinition def_;
  state::KeyEncoder encoder_;
  std::unordered_map<std::string, Partition, PartitionKeyHash, std::equal_to<>> partitions_;
  std::vector<Partition*> dirty_;
  /// (deadline, partition key) of every partition, when state_ttl is set. A deadline may be
  /// earlier than the partition's real one (touches do not update the index); expiry checks.
  std::set<TtlEntry> ttl_index_;
  uint64_t next_sequence_ = 0;
  TopNMetrics metrics_;
  Partition* oldest_ = nullptr;
  Partition* newest_ = nullptr;
  uint64_t next_serial_ = 0;
  uint64_t snapshots_begun_ = 0;
  std::unique_ptr<IncrementalSnapshot> snapshot_;
};

}  // namespace laminar::exec
