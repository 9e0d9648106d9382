#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "exec/expression_evaluator.h"
#include "exec/operators/operator.h"
#include "exec/versioned/join_rows.h"
#include "sql/plan/logical_join.h"

namespace laminar::exec {

/// What an ASOF join executes (built by PlanAsofJoin).
struct AsofJoinDefinition {
  sql::JoinKind kind = sql::JoinKind::kInner;  // kInner or kLeft.
  std::vector<sql::BoundExprPtr> left_keys;    // Over the left input.
  std::vector<sql::BoundExprPtr> right_keys;   // Over the right input, same types.
  /// int64 time columns (TIMESTAMP, TIMESTAMPTZ or BIGINT) of each input.
  int left_time_column = -1;
  int right_time_column = -1;
  sql::AsofComparison comparison = sql::AsofComparison::kGreaterEqual;
  std::optional<int64_t> tolerance_micros;
  std::shared_ptr<const Schema> output_schema;  // Left columns, then right columns.
  int left_width = 0;                           // Number of left columns.
};

/// ASOF join of two append-only streams (port 0 left, port 1 right): each left row with time
/// t meets at most one right row of its key, the one whose time is closest on the allowed side:
/// - `>=` / `>`: the latest right row with time <= t / < t;
/// - `<=` / `<`: the earliest right row with time >= t / > t;
/// - NEAREST: the right row with the smallest |time - t|; a tie between a row before and a
///   row after t goes to the one before (the earlier right row).
/// With a tolerance, a right row further than it from t is not chosen. Among right rows with
/// equal times, the one that arrived last is chosen (a later row at the same time is a
/// correction). NULL keys and NULL times never match. A LEFT ASOF join pads a left row that
/// meets nothing.
///
/// When a left row is decided (emitted), with Wr the right watermark (no right row with time
/// below Wr follows):
/// - `>=`: Wr > t; `>`: Wr >= t (all right rows before t are known);
/// - `<=` / `<`: the first qualifying right row r is known and Wr > r.time (nothing can come
///   between t and r, and no later row at r.time can correct it), or, with a tolerance,
///   Wr > t + tolerance (nothing in range can come);
/// - NEAREST: Wr > t, and the best row after t is certain (Wr past it), or Wr > t + (t - the
///   time of the best row before t) (a later row would be further), or Wr > t + tolerance.
/// At the end of the right input (Wr = +infinity) every left row is decided. Undecided left
/// rows wait; the output watermark is the left watermark held back by the earliest waiting
/// row, and the output is append-only.
///
/// Late rows (time below their side's watermark) are counted and dropped: a late left row's
/// right rows may be evicted, a late right row could change rows already emitted.
///
/// State: per key, the right rows in time order (references into the right batches, which
/// are kept while one of their rows is) and the number of its waiting left rows; the waiting
/// left rows. With T the lowest time a waiting or future left row can have (min of the left
/// watermark and the waiting rows), a right row is evicted once no such row can choose it: for
/// `>=`, `>` and NEAREST every row before T except the last one; for `<=` and `<` every row
/// before T; with a tolerance also every row before T - tolerance. (So with `>=`, `>` or
/// NEAREST and no tolerance, the latest right row of each key stays: a later left row may
/// choose it.)
///
/// A key has state only while it has right rows or waiting left rows: a left row that is
/// decided at once looks its key up without adding it, and a key is erased when its last right
/// row is evicted and its last waiting row decided. Eviction visits only the keys with
/// evictable rows, those of which some later T evicts a row: with at least two right rows for
/// `>=`, `>` and NEAREST without a tolerance (the last row before T stays), else with at least
/// one. An unordered list holds exactly those keys: a key joins when an insertion gives it that
/// many rows and leaves at the eviction that takes it below. (An index ordered by the time at
/// which each key next evicts would skip listed keys not yet due too, but costs an update per
/// right row, which measured dearer than visiting them; keys that keep only their latest row,
/// the bulk of a high-cardinality `>=` join, are not visited either way.) So state is
/// proportional to the live rows and waiting rows (ids of erased keys are reused, so the
/// per-id vectors keep their peak length: 40 bytes a key, no heap memory), and a watermark
/// costs in proportion to the keys with evictable rows.
///
/// Thread-safety: one thread (the owning reactor).
class AsofJoinOperator final : public Operator {
 public:
  ~AsofJoinOperator() override;
  static Result<std::unique_ptr<AsofJoinOperator>> Make(AsofJoinDefinition definition,
                                                        const EvaluatorOptions& options);

  int num_inputs() const override { return 2; }
  Status Process(int port, const ChangeBatch& batch, OperatorOutput& out) override;
  Status OnWatermark(int port, int64_t watermark, OperatorOutput& out) override;
  std::string Describe() const override;
  Status Snapshot(storage::StateWriter& writer) const override;
  Status Restore(storage::StateReader& reader) override;
  /// Incremental snapshots (Operator::BeginSnapshot): the barrier captures the watermarks and
  /// counters; the keys' right rows are then written a few keys at a time in key id order,
  /// then the waiting left rows in their order. A key's rows are copied (references to the
  /// retained batches, which are kept for the copy) before a batch or an eviction first
  /// changes them, and the barrier's waiting rows not written yet before the right watermark
  /// first releases waiting rows (which visits every waiting row anyway).
  Result<bool> BeginSnapshot() override;
  Result<std::optional<StatePieces>> ContinueSnapshot(size_t max_entries) override;
  void CancelSnapshot() override;
  std::string MetricsText() const override;

  /// Right rows held (for tests).
  size_t right_rows() const { return right_row_count_; }
  size_t waiting_rows() const { return waiting_.size(); }
  /// Keys with state: right rows or waiting left rows (for tests).
  size_t live_keys() const { return key_ids_.size(); }
  /// Keys with rows that a later watermark can evict: those eviction visits (for tests).
  size_t evictable_keys() const { return evictable_keys_.size(); }
  /// Input batches kept because some of their rows are (for tests).
  size_t retained_batches() const { return left_batches_.size() + right_batches_.size(); }

 private:
  struct RightRow {
    int64_t time;
    uint32_t batch;
    uint32_t row;
  };
  struct KeyState {
    std::vector<RightRow> rows;  // Live rows are [head, size), in time order.
    uint32_t head = 0;
    uint32_t waiting = 0;  // Waiting left rows of the key.
    size_t live() const { return rows.size() - head; }
  };
  struct Waiting {
    int64_t time;
    uint32_t key;
    uint32_t batch;
    uint32_t row;
  };
  /// Batches kept while some of their rows are: ids increase, the oldest released first.
  class RetainedBatches {
   public:
    uint32_t Add(Batch batch);
    const Batch& Get(uint32_t id) const { return batches_[id - first_id_].batch; }
    void Retain(uint32_t id) { ++batches_[id - first_id_].live; }
    void Release(uint32_t id);
    size_t size() const { return batches_.size(); }

   private:
    struct Retained {
      Batch batch;
      int64_t live = 0;
    };
    std::deque<Retained> batches_;
    uint32_t first_id_ = 0;
  };

  struct IncrementalSnapshot;

  AsofJoinOperator(AsofJoinDefinition definition, JoinKeyEvaluator left_keys,
                   JoinKeyEvaluator right_keys);
  /// Adds state (no rows, no waiting rows) for `key`, which has none, and returns its id.
  uint32_t AddKey(std::string_view key);
  /// Erases the state of a key with no right rows and no waiting left rows.
  void EraseKey(uint32_t id);
  /// Whether a left row at `time` of `key` can be decided now; then `*match` is its right
  /// row (null for none).
  bool Decide(int64_t time, const KeyState& key, const RightRow** match) const;
  void AddOutput(const Batch* left, int64_t left_row, const RightRow* match,
                 JoinOutputBuilder& builder);
  Status Flush(JoinOutputBuilder& builder, OperatorOutput& out);
  Status ReleaseWaiting(OperatorOutput& out);
  void Evict(int64_t horizon);
  /// Evicts the rows of key `id` that no left row at or after `horizon` can choose; erases
  /// the key if nothing is left.
  void EvictKey(uint32_t id, int64_t horizon);
  Status AdvanceOutputWatermark(OperatorOutput& out);

  /// During an incremental snapshot: before key `id`'s right rows change, copies them if the
  /// snapshot still owes them. Rows change only through a right batch and eviction, and both
  /// call this first, so an id's rows are the barrier's until then. That covers ids that go
  /// and come back: a key erased has no rows left (eviction saved them first), and an id free
  /// at the barrier had none, which is what its first change saves.
  void SaveKeyRows(uint32_t id) {
    if (snapshot_ != nullptr) [[unlikely]]
      SaveOwedKeyRows(id);
  }
  void SaveOwedKeyRows(uint32_t id);
  /// During an incremental snapshot: before waiting rows are released, copies the barrier's
  /// waiting rows not written yet.
  void SaveWaitingRows();
  /// Checkpoints: a chunk of rows (its count, then the rows as one batch of `schema`).
  Status WriteRows(storage::StateWriter& writer, const std::shared_ptr<const Schema>& schema,
                   const std::vector<BatchRow>& rows) const;
  /// Restore: adds kept right rows (port 1) or waiting left rows (port 0).
  Status RestoreRows(int port, const Batch& rows, storage::StateReader& reader);

  AsofJoinDefinition def_;
  JoinKeyEvaluator left_keys_;
  JoinKeyEvaluator right_keys_;
  std::unordered_map<std::string, uint32_t, JoinKeyHash, std::equal_to<>> key_ids_;
  std::vector<KeyState> keys_;                 // By id; ids of erased keys are in free_ids_.
  std::vector<const std::string*> key_names_;  // By id: the key in key_ids_ (nodes are stable).
  std::vector<uint32_t> free_ids_;
  const KeyState no_rows_;  // What Decide sees for a key without state.
  /// A key has evictable rows when a later horizon can evict some: at least
  /// evictable_from_ live rows (2 for `>=`, `>`, NEAREST without a tolerance, which keep the
  /// last row before the horizon; else 1).
  size_t evictable_from_ = 1;
  std::vector<uint32_t> evictable_keys_;  // Exactly the keys with evictable rows, any order.
  static constexpr uint32_t kNoKey = std::numeric_limits<uint32_t>::max();
  std::vector<uint32_t> right_key_ids_;  // Scratch for Process: key ids by right row.
  RetainedBatches left_batches_;
  RetainedBatches right_batches_;
  std::vector<Waiting> waiting_;
  size_t right_row_count_ = 0;
  int64_t left_watermark_ = kMinWatermark;
  int64_t right_watermark_ = kMinWatermark;
  int64_t output_watermark_ = kMinWatermark;
  int64_t evicted_below_ = kMinWatermark;
  uint64_t rows_out_ = 0;
  uint64_t late_left_rows_ = 0;
  uint64_t late_right_rows_ = 0;
  uint64_t right_rows_evicted_ = 0;
  std::unique_ptr<IncrementalSnapshot> snapshot_;  // Null when none is in progress.
};

}  // namespace laminar::exec
