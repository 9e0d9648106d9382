#pragma once

#include <algorithm>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <queue>
#include <string>
#include <utility>
#include <vector>

#include "columnar/batch.h"
#include "columnar/column_builder.h"
#include "columnar/schema.h"
#include "common/clock.h"
#include "common/result.h"
#include "exec/expression_evaluator.h"
#include "exec/operators/operator.h"
#include "sql/plan/logical_join.h"
#include "state/group_table.h"
#include "state/key_encoder.h"
#include "storage/state_io.h"

namespace laminar::exec {

/// What a StreamJoinOperator executes, fixed at construction.
struct StreamJoinDefinition {
  sql::JoinKind kind = sql::JoinKind::kInner;
  /// Equality keys: left_keys[i] over the left input equals right_keys[i] over the right input.
  /// Empty: every row of one side is a candidate partner of every row of the other.
  std::vector<ExpressionEvaluator> left_keys;
  std::vector<ExpressionEvaluator> right_keys;
  std::vector<DataType> key_types;
  /// The residual condition over the left columns followed by the right columns; empty: TRUE.
  std::optional<ExpressionEvaluator> condition;
  std::shared_ptr<const Schema> left_schema;
  std::shared_ptr<const Schema> right_schema;
  /// The join's output schema (left columns, then right columns unless semi/anti).
  std::shared_ptr<const Schema> output_schema;
  /// Set: an interval (or window) join whose state is evicted by watermarks; outputs stay
  /// append-only. Unset: a regular join whose outputs are a changelog.
  std::optional<sql::JoinTimeBound> time_bound;
  /// Regular joins: a key no row of either side has touched (added or retracted) for this long
  /// on `clock` is forgotten: its rows leave the state without any output (as in Flink).
  std::optional<int64_t> state_ttl_micros;
  const Clock* clock = Clock::System();
};

/// Counters for DESCRIBE.
struct StreamJoinMetrics {
  int64_t rows_in[2] = {0, 0};
  /// Rows behind their own input's watermark when they arrived.
  int64_t late_rows = 0;
  /// Interval joins: late rows whose time was behind the watermark the join had already
  /// emitted; any output of theirs would be behind it too, so they are dropped (counted here).
  int64_t dropped_late_rows = 0;
  int64_t evicted_rows = 0;
  int64_t expired_rows = 0;
  /// Retractions whose row is no longer in state (forgotten by state_ttl): dropped.
  int64_t unmatched_retractions = 0;
  int64_t rows_out = 0;
};

/// Joins two streams (port 0: left, port 1: right), keeping the rows of each side per equality
/// key. A new row probes the other side's rows of its key; the candidate pairs are checked with
/// the residual condition in one vectorized evaluation per batch. Rows whose key has a NULL
/// never match (SQL), but still appear padded in outer joins.
///
/// Interval joins (time_bound set; append-only inputs): a left row is evicted once the right
/// watermark passes left.t + upper, a right row once the left watermark passes right.t - lower.
/// Outer rows are emitted padded with NULLs, and anti rows, when they are evicted without ever
/// having matched; a semi row on its first match: the output is append-only. A late row (one
/// behind its own input's watermark) is still joined with the rows that remain in state, and
/// when its band has already closed it is evicted right after its batch (padded if it found no
/// partner); it is counted in "late rows". A row whose time is behind the output watermark
/// already emitted is dropped instead (counted in "late rows dropped"): whatever it produced
/// would be behind that watermark, and a downstream window would silently discard it. The output
/// watermark is the minimum of both input watermarks and of the earliest time column of a row still
/// in state, never decreasing.
///
/// Regular joins (no time_bound): inputs may be changelogs. The output is a changelog: a pair
/// carries the product of the weights; a padded outer row is emitted while its row has no
/// partner, retracted when the first partner arrives and emitted again when the last one is
/// retracted; semi and anti rows likewise. With state_ttl, a key untouched for the TTL is
/// forgotten without retractions. The output watermark is the minimum of the input ones.
///
/// Thread-safety: one thread (the owning reactor).
class StreamJoinOperator final : public Operator {
 public:
  /// REQUIRES: key evaluators pairwise of equal types (key_types); schemas set.
  explicit StreamJoinOperator(StreamJoinDefinition definition);

  int num_inputs() const override { return 2; }
  Status Process(int port, const ChangeBatch& batch, OperatorOutput& out) override;
  Status OnWatermark(int port, int64_t watermark, OperatorOutput& out) override;
  std::string Describe() const override;
  Status Snapshot(storage::StateWriter& writer) const override;
  Status Restore(storage::StateReader& reader) override;
  /// Incremental snapshots (Operator::BeginSnapshot): the rows of each side are written in id
  /// order a slice at a time; a row about to change (its match count or list successor) or
  /// leave before the snapshot reaches it is written aside first, with its values; the free
  /// ids, the eviction queue's FIFO part and (state_ttl) the keys' entries likewise.
  Result<bool> BeginSnapshot() override;
  Result<std::optional<StatePieces>> ContinueSnapshot(size_t max_entries) override;
  void CancelSnapshot() override;
  int64_t NextTimerMicros() const override;
  Status OnTimer(int64_t now_micros, OperatorOutput& out) override;
  std::string MetricsText() const override;

  const StreamJoinMetrics& metrics() const { return metrics_; }
  /// Rows kept in state for side 0 (left) or 1 (right).
  int64_t live_rows(int side) const { return sides_[side].live_rows; }

 private:
  static constexpr uint32_t kNone = UINT32_MAX;

  /// An array of records of `width` elements each, held in chunks of 2^kChunkBits records.
  /// Growing never moves a full chunk: the memory of a large state is written once (a vector
  /// would copy everything on each doubling and touch twice the pages). The first chunk grows
  /// as needed, so a small state stays small; later chunks are reserved whole but only touched
  /// as they fill. kOneElement: records of one T (width known at compile time).
  template <typename T, bool kOneElement = true>
  class ChunkedArray {
   public:
    static constexpr int kChunkBits = 16;
    explicit ChunkedArray(size_t width = 1) : width_(kOneElement ? 1 : width) {}
    size_t size() const { return size_; }
    /// The first element of record `index`. REQUIRES: index < size().
    T* Record(size_t index) {
      const size_t width = kOneElement ? 1 : width_;
      return chunks_[index >> kChunkBits].data() + (index & kChunkMask) * width;
    }
    const T* Record(size_t index) const {
      const size_t width = kOneElement ? 1 : width_;
      return chunks_[index >> kChunkBits].data() + (index & kChunkMask) * width;
    }
    T& operator[](size_t index) { return *Record(index); }
    const T& operator[](size_t index) const { return *Record(index); }
    /// Grows to at least `size` records; new records are value-initialized.
    void Resize(size_t size) {
      while (size_ < size) {
        if (chunks_.empty() || chunks_.back().size() == kChunkRecords * width_) {
          chunks_.emplace_back();
          if (chunks_.size() > 1) chunks_.back().reserve(kChunkRecords * width_);
        }
        std::vector<T>& last = chunks_.back();
        const size_t added = std::min(size - size_, kChunkRecords - last.size() / width_);
        last.resize(last.size() + added * width_);
        size_ += added;
      }
    }

   private:
    static constexpr size_t kChunkRecords = size_t{1} << kChunkBits;
    static constexpr size_t kChunkMask = kChunkRecords - 1;
    size_t width_;
    size_t size_ = 0;
    std::vector<std::vector<T>> chunks_;
  };

  /// One kept row: a row of a kept input batch, linked into its key's list.
  struct StoredRow {
    uint32_t batch = kNone;
    uint32_t row = 0;
    uint32_t key = kNone;  // GroupTable slot; kNone: a NULL key (never matches).
    uint32_t previous = kNone;
    uint32_t next = kNone;
    int64_t time = 0;     // The band's time column (interval joins).
    int64_t matches = 0;  // Partners found so far (weighted).
  };
  struct StoredBatch {
    Batch rows;
    int64_t live = 0;
  };
  /// Rows by eviction time, earliest first. Rows mostly arrive in time order: those go to a
  /// FIFO (O(1), sequential); the few out of order go to a min-heap.
  class EvictionQueue {
   public:
    using Entry = std::pair<int64_t, uint32_t>;  // (eviction time, row)
    bool Empty() const { return in_order_.empty() && out_of_order_.empty(); }
    /// REQUIRES: !Empty().
    const Entry& Top() const {
      if (out_of_order_.empty()) return in_order_.front();
      if (in_order_.empty() || out_of_order_.top().first < in_order_.front().first) {
        return out_of_order_.top();
      }
      return in_order_.front();
    }
    void Push(int64_t time, uint32_t row) {
      if (in_order_.empty() || time >= in_order_.back().first) {
        in_order_.emplace_back(time, row);
      } else {
        out_of_order_.emplace(time, row);
      }
    }

    /// Pops the earliest entry, like Pop; returns it, and whether it left the FIFO part.
    /// REQUIRES: !Empty().
    std::pair<Entry, bool> PopTop() {
      if (!out_of_order_.empty() &&
          (in_order_.empty() || out_of_order_.top().first < in_order_.front().first)) {
        const Entry top = out_of_order_.top();
        out_of_order_.pop();
        return {top, false};
      }
      const Entry top = in_order_.front();
      in_order_.pop_front();
      ++in_order_popped_;
      return {top, true};
    }
    /// How many entries have left the FIFO part so far: the FIFO's first entry is number
    /// in_order_popped() of all that ever entered it.
    uint64_t in_order_popped() const { return in_order_popped_; }

    /// Checkpoints: the FIFO part in order (the heap part holds every other stored row).
    const std::deque<Entry>& in_order() const { return in_order_; }
    /// Restore: appends to the FIFO part (REQUIRES: `time` not below its last entry's), or
    /// adds to the heap part.
    void AppendInOrder(int64_t time, uint32_t row) { in_order_.emplace_back(time, row); }
    void AddOutOfOrder(int64_t time, uint32_t row) { out_of_order_.emplace(time, row); }

   private:
    std::deque<Entry> in_order_;
    std::priority_queue<Entry, std::vector<Entry>, std::greater<>> out_of_order_;
    uint64_t in_order_popped_ = 0;
  };
  /// The state of one input.
  struct Side {
    std::vector<StoredBatch> batches;
    std::vector<uint32_t> free_batches;
    ChunkedArray<StoredRow> rows;
    std::vector<uint32_t> free_rows;
    /// Copies of the fixed-width (at most 8 bytes) columns of every stored row, so that a probe
    /// gathers a partner from one record instead of one cache line per column of an old batch.
    /// The record of row `id` has inline_stride words: a NULL mask (bit i: inline column i is
    /// NULL), then the inline columns' values, zero-extended. inline_stride is 0 when no column
    /// is inlined (nothing is stored then).
    ChunkedArray<uint64_t, false> inline_values;
    int inline_stride = 0;
    /// Per column: its index among the inline columns, or -1 (read from the kept batch).
    std::vector<int> inline_index;
    /// Interval joins: when each row leaves (once the other side's watermark passes it).
    EvictionQueue eviction;
    int64_t watermark = kMinWatermark;
    int64_t live_rows = 0;
  };
  /// Per key (GroupTable slot): the head of each side's list, and when it was last touched.
  struct KeyState {
    uint32_t head[2] = {kNone, kNone};
    int64_t touched = 0;
    /// Regular joins with state_ttl: whether `expiry_` holds an entry for the key.
    bool expiry_queued = false;
  };
  /// A row to output: a row of a batch, or none (NULL padding).
  struct RowReference {
    const Batch* batch = nullptr;
    uint32_t row = 0;
  };

  bool interval() const { return def_.time_bound.has_value(); }
  bool Padded(int side) const;
  /// Whether the output holds the right side's columns (not semi/anti).
  bool KeepsRight() const;

  /// Keys of a batch: one GroupTable slot per row (kNone for a NULL key), inserted when
  /// `insert` (else looked up).
  Status ComputeKeys(int side, const Batch& batch, std::vector<uint32_t>* keys, bool insert);
  uint32_t StoreBatch(int side, const Batch& batch);
  uint32_t StoreRow(int side, uint32_t batch, uint32_t row, uint32_t key, int64_t time);
  void UnlinkRow(int side, uint32_t id);
  void FreeRow(int side, uint32_t id);
  void ReleaseKeyIfEmpty(uint32_t key);
  /// The stored row of `side` under `key` equal to row `row` of `batch`, or kNone.
  uint32_t FindEqualRow(int side, uint32_t key, const Batch& batch, uint32_t row) const;
  RowReference Reference(int side, uint32_t id) const;
  /// Copies the inline columns of each row of `batch` (kept as `batch_id`) stored as
  /// `ids[row]` (kNone: not stored) into its record, unless the row was removed again.
  void StoreInlineValues(int side, uint32_t batch_id, const Batch& batch,
                         const std::vector<uint32_t>& ids);
  /// Appends column `column` of the stored rows `ids` of `side` to `builder`, in order.
  Status AppendStoredColumn(ColumnBuilder& builder, int side, int column,
                            const std::vector<uint32_t>& ids) const;

  /// Appends one output row: left and right references (null batch: NULLs).
  Status AppendOutput(RowReference left, RowReference right, int weight);
  Status FlushOutput(OperatorOutput& out);

  /// The time at which a stored row of `side` with band time `time` leaves (interval joins).
  int64_t EvictionTime(int side, int64_t time) const;
  /// Checkpoints: writes / reads one side's rows, free ids and eviction queue.
  Status SnapshotSide(int side, storage::StateWriter& writer) const;
  Status RestoreSide(int side, storage::StateReader& reader, uint32_t version);
  /// Restore (version 2): links each key's list from the successors read, checking that they
  /// form one chain per key.
  void LinkRestoredRows(int side, storage::StateReader& reader);
  /// Writes the output watermark and the counters (the state's last part).
  void WriteTail(storage::StateWriter& writer) const;
  /// A stored row's part of the state besides its values: id, match count, list successor.
  struct RowMeta {
    uint32_t id = 0;
    int64_t matches = 0;
    uint32_t next = kNone;
  };
  /// Writes a chunk of stored rows: their values as a batch, then each one's RowMeta.
  static void WriteRowChunk(storage::StateWriter& writer, const Batch& rows,
                            const std::vector<RowMeta>& meta);

  /// An incremental snapshot in progress: what each side was at the barrier, and where the
  /// writing is.
  struct SideSnapshot {
    int64_t watermark = 0;
    /// Free ids (a stack): its size at the barrier, the lowest size since, and the ids popped
    /// from below that mark (the first pop of each position), highest position first. Position
    /// i still holds its barrier id while i < free_low.
    size_t free_count = 0;
    size_t free_low = 0;
    std::vector<uint32_t> free_saved;
    size_t free_cursor = 0;
    /// Rows: ids below row_cursor are written; marks, per id below row_capacity: 0 as at the
    /// barrier, 1 written aside (saved), 2 stored since the barrier (a free id taken again).
    int64_t live = 0;
    uint32_t row_capacity = 0;
    uint32_t row_cursor = 0;
    std::vector<uint8_t> row_marks;
    /// Saved rows: finished chunks, and the one being filled.
    std::vector<std::pair<Batch, std::vector<RowMeta>>> saved_chunks;
    std::vector<ColumnBuilder> saved_columns;
    std::vector<RowMeta> saved_meta;
    size_t saved_written = 0;
    /// The FIFO part of the eviction queue: entries number [fifo_cursor, fifo_end) of it are
    /// still to be written; those popped meanwhile wait in fifo_saved (number, row id).
    uint64_t fifo_end = 0;
    uint64_t fifo_cursor = 0;
    std::deque<std::pair<uint64_t, uint32_t>> fifo_saved;
  };
  /// A key's state-TTL entry: one of its rows (the head of its left list, else of its right
  /// one) and when it was last touched.
  struct NamedKey {
    int side = 0;
    uint32_t id = 0;
    int64_t touched = 0;
  };
  struct JoinSnapshot {
    SideSnapshot sides[2];
    /// With state_ttl, after both sides: the keys in slot order; slots below key_cursor are
    /// written; marks as for rows (1: the key's entry written aside, or it had none; 2: a key
    /// inserted since the barrier).
    uint32_t key_capacity = 0;
    uint32_t key_cursor = 0;
    std::vector<uint8_t> key_marks;
    std::vector<NamedKey> saved_keys;
    size_t saved_keys_written = 0;
    /// 0, 1: the sides; 2: the keys (state_ttl); 3: done.
    int side = 0;
    enum class Phase { kHead, kFree, kRows, kSaved, kFifo } phase = Phase::kHead;
    /// The chunk of rows being filled by the rows phase.
    std::vector<uint32_t> chunk_ids;
    std::vector<RowMeta> chunk_meta;
    std::vector<ColumnBuilder> chunk_columns;
    /// The output watermark and counters, captured at the barrier.
    std::string tail;
    storage::StateWriter writer;
    StatePieces pieces;
    /// A failure while saving a row (from a call that cannot fail), reported by the next
    /// ContinueSnapshot.
    Status failed;
  };
  /// Before a stored row of `side` changes (match count, successor) or is freed: writes it
  /// aside when the snapshot in progress has yet to reach it.
  void SaveBeforeChange(int side, uint32_t id) {
    if (snapshot_ != nullptr) [[unlikely]] {
      SaveRow(side, id);
    }
  }
  void SaveRow(int side, uint32_t id);
  /// Before a key's head or last touch changes, or it is erased (state_ttl).
  void SaveKeyBeforeChange(uint32_t key) {
    if (snapshot_ != nullptr) [[unlikely]] {
      SaveKey(key);
    }
  }
  void SaveKey(uint32_t key);
  /// The key's state-TTL entry, if it has rows.
  std::optional<NamedKey> NameKey(uint32_t key) const;
  /// Appends the rows of `ids` (their values now, which are their values at the barrier) to
  /// the builders `columns`, and their RowMeta to `meta`.
  Status AppendSnapshotRows(int side, const std::vector<uint32_t>& ids,
                            std::vector<ColumnBuilder>& columns, std::vector<RowMeta>& meta) const;
  /// Finishes `columns` as a batch of `side`'s schema.
  Result<Batch> FinishColumns(int side, std::vector<ColumnBuilder>& columns, int64_t rows) const;
  /// One step of ContinueSnapshot: writes up to `budget` units of the current phase.
  Status ContinueSide(size_t& budget);
  Status FlushRowChunk(int side);

  Status Evict(OperatorOutput& out);
  Status ExpireKeys(int64_t now);
  Status EmitWatermark(OperatorOutput& out);

  StreamJoinDefinition def_;
  state::KeyEncoder encoder_;
  state::GroupTable keys_;
  ChunkedArray<KeyState> key_states_;
  Side sides_[2];
  /// Regular joins with state_ttl: (expiry time, key) as a min-heap, checked lazily against the
  /// key's last touch.
  std::priority_queue<std::pair<int64_t, uint32_t>, std::vector<std::pair<int64_t, uint32_t>>,
                      std::greater<>>
      expiry_;
  int64_t output_watermark_ = kMinWatermark;
  StreamJoinMetrics metrics_;
  std::unique_ptr<JoinSnapshot> snapshot_;

  /// Output under construction.
  std::vector<ColumnBuilder> output_columns_;
  std::vector<int8_t> output_weights_;
  bool output_all_positive_ = true;
  std::vector<uint8_t> key_null_scratch_;
  /// Process: per-row and per-pair arrays of the batch being processed, kept between calls.
  struct ProcessScratch {
    std::vector<uint32_t> keys;
    std::vector<int64_t> times;
    std::vector<uint8_t> skipped;
    std::vector<uint32_t> stored_ids;
    std::vector<uint32_t> pair_rows;
    std::vector<uint32_t> pair_partners;
    std::vector<uint32_t> selected;
    std::vector<uint32_t> own_rows;
    std::vector<uint32_t> partner_ids;
  };
  ProcessScratch scratch_;
  /// StoreInlineValues: the rows of the batch still stored.
  std::vector<uint32_t> inline_rows_scratch_;
  /// Evict: the rows leaving in one call.
  std::vector<uint32_t> eviction_scratch_;
};

}  // namespace laminar::exec
