#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "columnar/schema.h"
#include "exec/analytic/analytic_rows.h"
#include "exec/expression_evaluator.h"
#include "exec/operators/operator.h"
#include "sql/plan/logical_over.h"
#include "state/key_encoder.h"

namespace laminar::exec {

/// One analytic call of an OVER operator, fixed at planning time.
struct OverCallDefinition {
  enum class Kind : uint8_t {
    kLag,
    kLead,
    kCount,
    kSum,
    kAvg,
    kMin,
    kMax,
    /// Ranking functions: bounded inputs only (a stream needs them as a Top-N filter).
    kRowNumber,
    kRank,
    kDenseRank
  };
  Kind kind = Kind::kLag;
  /// The value argument; absent for count(*).
  std::optional<ExpressionEvaluator> argument;
  /// LAG/LEAD: how many rows back or ahead, and the value when there is no such row (NULL
  /// when absent).
  int64_t offset = 1;
  std::optional<ExpressionEvaluator> default_value;
  /// Aggregates: the frame, offsets signed (PRECEDING negative, FOLLOWING positive), in rows
  /// or in ORDER BY units (RANGE).
  sql::FrameKind frame_kind = sql::FrameKind::kRows;
  bool start_unbounded = true;
  int64_t start = 0;
  bool end_unbounded = false;
  int64_t end = 0;
  /// The output type (a BIGINT or DOUBLE sum, a DOUBLE average, the argument's type).
  DataType type;
};

/// Everything an OVER operator computes, fixed at planning time. Every call shares the
/// partitioning and the ordering.
struct OverDefinition {
  std::vector<ExpressionEvaluator> partition_by;
  std::vector<DataType> partition_types;
  std::vector<ExpressionEvaluator> order_by;
  std::vector<SortDirection> directions;
  std::vector<OverCallDefinition> calls;
  int input_columns = 0;
  std::shared_ptr<const Schema> output_schema;
  /// Ad-hoc query: every row is processed when the input ends, in full ORDER BY order.
  bool bounded = false;
  /// Streaming: the single ORDER BY key is this input column, a watermarked time, ascending.
  int time_column = -1;
  /// Streaming over a changelog (retractions): each batch recomputes the partitions it touched
  /// over their live rows and emits the rows whose values changed (the old row retracted, the
  /// new one inserted). The output is a changelog.
  bool input_changelog = false;
};

/// Counters of an OVER operator (DESCRIBE and tests).
struct OverMetrics {
  int64_t rows_in = 0;
  int64_t late_rows = 0;  // Behind the watermark (or with a NULL time) on arrival: dropped.
  int64_t rows_out = 0;
  int64_t buffered_rows = 0;          // Waiting for the watermark.
  int64_t kept_rows = 0;              // Released, kept for frames, LAG and LEAD.
  int64_t live_rows = 0;              // Changelog input: the live rows of every partition.
  int64_t unmatched_retractions = 0;  // Changelog input: retractions of rows never seen.
};

/// LAG, LEAD and aggregates over ROWS and RANGE frames, per partition, appending one column
/// per call to each input row.
///
/// Streaming (append-only input ordered by a watermarked time column, ascending): a row waits
/// until the watermark passes its time, then rows are processed in time order (ties in arrival
/// order), so each row is emitted once, with its final values, and the output is append-only.
/// A row needing later rows (LEAD, a frame ending FOLLOWING) waits until those rows are
/// released, or until the input ends (then LEAD gives its default). A row behind the watermark
/// on arrival is late: dropped and counted. The output watermark is held back to the oldest
/// row not emitted yet. Per partition the operator keeps only the rows a frame, LAG or LEAD
/// can still reach.
///
/// Bounded (ad-hoc queries): rows are processed when the input ends, in full ORDER BY order.
///
/// Changelog input (e.g. a GROUP BY result, Nexmark q6): the operator keeps every live row of
/// every partition (state grows with the live rows); each batch recomputes the touched
/// partitions in ORDER BY order (ties by arrival) and emits, for every row whose values
/// changed, a retraction of its old output row and its new one. LEAD and frames reaching
/// FOLLOWING rows use the rows present so far, and are corrected when later rows arrive.
///
/// Thread-safety: one thread (the owning reactor).
class OverOperator final : public Operator {
 public:
  explicit OverOperator(OverDefinition definition);

  Status Process(int port, const ChangeBatch& batch, OperatorOutput& out) override;
  Status OnWatermark(int port, int64_t watermark, OperatorOutput& out) override;
  std::string Describe() const override;
  Status Snapshot(storage::StateWriter& writer) const override;
  Status Restore(storage::StateReader& reader) override;
  /// Incremental snapshots (Operator::BeginSnapshot; not for bounded queries, which are not
  /// checkpointed): the barrier captures the watermarks and counters; partitions (never
  /// erased) are then written in creation order, a few hundred rows per call (a large
  /// partition over several calls). A partition is copied before it first changes: before a
  /// changelog row is applied to it, and before a watermark releases, emits or evicts its
  /// rows (work that visits its rows anyway); the partition being written is copied then too,
  /// and its writing goes on from the copy. A row appended to a partition not written yet is
  /// not copied: the snapshot notes how many unreleased rows the partition had, and writes
  /// only those.
  Result<bool> BeginSnapshot() override;
  Result<std::optional<StatePieces>> ContinueSnapshot(size_t max_entries) override;
  void CancelSnapshot() override;
  ~OverOperator() override;
  /// "rows in N; late rows N; rows out N; buffered rows N; kept rows N", and for a changelog
  /// input "; live rows N; unmatched retractions N".
  std::string MetricsText() const override;

  const OverMetrics& metrics() const { return metrics_; }

 private:
  struct Row {
    std::vector<Value> values;
    std::vector<Value> order;
    std::vector<Value> arguments;  // One per call (NULL for count(*)).
    std::vector<Value> defaults;   // One per call.
    int64_t range_key = 0;         // The ORDER BY key as a number, ascending in processing order.
    int64_t time = 0;              // Streaming: the time column.
    uint64_t sequence = 0;
  };
  /// The running aggregate of a frame starting UNBOUNDED PRECEDING.
  struct Accumulation {
    int64_t count = 0;
    int64_t integer_sum = 0;
    double double_sum = 0;
    Value min;
    Value max;
    int64_t folded_to = 0;  // Absolute index: rows before it are folded in.
  };
  struct Partition {
    std::vector<Row> unreleased;
    std::deque<Row> history;
    int64_t base = 0;       // Absolute index of history.front().
    int64_t next_emit = 0;  // Absolute index of the first row not emitted.
    std::vector<Accumulation> running;
    int64_t dense_rank = 0;  // DENSE_RANK of the last emitted row.
    /// Changelog input: the live rows in ORDER BY order (ties by sequence), and the output row
    /// emitted for each (by sequence).
    std::vector<Row> live;
    std::unordered_map<uint64_t, std::vector<Value>> emitted;
    bool dirty = false;
    bool active = false;
    /// Creation order (partition_list_), and when it last became active: active_ is in
    /// ascending activation order (partitions are appended as they become active, and leave
    /// it in place).
    uint32_t id = 0;
    uint64_t activation = 0;
  };
  struct IncrementalSnapshot;

  Partition& Find(std::string_view key);
  /// Moves the rows released by `watermark` (all of them at +infinity) into the history.
  void Release(Partition& partition, int64_t watermark);
  /// Emits the partition's rows whose frames are complete, then evicts rows no frame reaches.
  Status EmitReady(Partition& partition, std::vector<std::vector<Value>>& output);
  bool Ready(const Partition& partition, int64_t index) const;
  Result<Value> Compute(Partition& partition, size_t call, int64_t index);
  /// Absolute index of the first released row whose range key is >= target.
  int64_t LowerIndex(const Partition& partition, int64_t target) const;
  /// Absolute index of the last released row whose range key is <= target.
  int64_t UpperIndex(const Partition& partition, int64_t target) const;
  /// First and last absolute index of the peers of row `index` (equal ORDER BY keys).
  int64_t PeerStart(const Partition& partition, int64_t index) const;
  int64_t PeerEnd(const Partition& partition, int64_t index) const;
  const Row& At(const Partition& partition, int64_t index) const {
    return partition.history[static_cast<size_t>(index - partition.base)];
  }
  void Evict(Partition& partition);
  /// Emits `output` (weights: empty for all +1, else one per row).
  Status Flush(std::vector<std::vector<Value>>& output, std::vector<int8_t>& weights,
               OperatorOutput& out);
  /// Changelog input: applies one row to its partition's live rows.
  void Apply(Partition& partition, Row row, int weight);
  /// Changelog input: recomputes the partition and appends the changed output rows.
  Status Recompute(Partition& partition, std::vector<std::vector<Value>>& output,
                   std::vector<int8_t>& weights);

  /// Checkpoints: one row, value by value.
  void WriteRow(storage::StateWriter& writer, const Row& row) const;
  Row ReadRow(storage::StateReader& reader) const;
  /// Checkpoints: one partition, with its first `unreleased` unreleased rows, and `active` and
  /// `activation` in place of its own; WritePartition whole, or in the three parts around
  /// its lists of rows (unreleased, history, live).
  void WritePartition(storage::StateWriter& writer, const Partition& partition, size_t unreleased,
                      bool active, uint64_t activation) const;
  void WritePartitionHead(storage::StateWriter& writer, const Partition& partition,
                          size_t unreleased, bool active, uint64_t activation) const;
  void WritePartitionMiddle(storage::StateWriter& writer, const Partition& partition) const;
  void WritePartitionTail(storage::StateWriter& writer, const Partition& partition) const;
  /// Restore: a partition's rows, indexes and aggregates (what WritePartition writes after the
  /// key and the activation), checked.
  void ReadPartitionBody(storage::StateReader& reader, Partition& partition);
  /// During an incremental snapshot: before `partition` changes, copies it if the snapshot
  /// still owes it; before a row is appended to its unreleased rows, notes what it had.
  void SavePartition(Partition& partition) {
    if (snapshot_ != nullptr) [[unlikely]]
      SaveOwedPartition(partition);
  }
  void SaveOwedPartition(Partition& partition);
  void NoteAppend(const Partition& partition);

  OverDefinition def_;
  state::KeyEncoder encoder_;
  std::unordered_map<std::string, Partition, PartitionKeyHash, std::equal_to<>> partitions_;
  std::vector<Partition*> active_;
  std::vector<Partition*> partition_list_;          // By id (creation order).
  std::vector<const std::string*> partition_keys_;  // By id: the key in partitions_.
  uint64_t next_activation_ = 0;
  std::vector<Partition*> dirty_;
  int64_t watermark_ = kMinWatermark;
  int64_t emitted_watermark_ = kMinWatermark;
  bool ended_ = false;
  uint64_t next_sequence_ = 0;
  OverMetrics metrics_;
  std::unique_ptr<IncrementalSnapshot> snapshot_;  // Null when none is in progress.
};

}  // namespace laminar::exec
