#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <tuple>
#include <vector>

#include "columnar/schema.h"
#include "columnar/selection_vector.h"
#include "common/clock.h"
#include "exec/aggregate/accumulator.h"
#include "exec/expression_evaluator.h"
#include "exec/operators/barrier_ids.h"
#include "exec/operators/operator.h"
#include "exec/operators/ordered_set_snapshot.h"
#include "sql/plan/logical_aggregate.h"
#include "sql/plan/window_assignment.h"
#include "state/group_table.h"
#include "state/key_encoder.h"
#include "state/ordered_index.h"
#include "storage/state_io.h"

namespace laminar::exec {

/// One aggregate call of an aggregation: its accumulator's spec, the evaluators of its column
/// arguments and of its FILTER (WHERE ...).
struct AggregateCallDefinition {
  AggregateSpec spec;
  std::vector<ExpressionEvaluator> arguments;
  std::optional<ExpressionEvaluator> filter;
  std::string text;  // For Describe.
};

/// Where an output column of the aggregation comes from.
struct AggregateOutputColumn {
  enum class Kind : uint8_t { kWindowStart, kWindowEnd, kKey, kAggregate };
  Kind kind = Kind::kKey;
  int index = 0;  // kKey: group key; kAggregate: call.
};

/// Everything an aggregation computes, fixed at planning time.
struct AggregateDefinition {
  /// Event-time window; absent for an unbounded GROUP BY. window->time_column indexes the
  /// operator's input.
  std::optional<sql::WindowAssignment> window;
  std::vector<ExpressionEvaluator> keys;
  std::vector<DataType> key_types;
  std::vector<AggregateCallDefinition> calls;
  std::vector<AggregateOutputColumn> output_columns;
  std::shared_ptr<const Schema> output_schema;
  sql::EmitStrategy emit = sql::EmitStrategy::kOnWindowClose;
  int64_t emit_period_micros = 0;
  int64_t allowed_lateness_micros = 0;
  /// Rows later than the allowed lateness go to side output 0 (LATE DATA TO) when set, and are
  /// counted either way.
  bool late_side_output = false;
  /// Unbounded GROUP BY: a group not updated for this long (engine clock) is forgotten, its
  /// last emitted row retracted.
  std::optional<int64_t> state_ttl_micros;
  /// The input carries retractions (weights).
  bool input_changelog = false;
  /// A group key column whose value closes the group once the watermark passes it (a
  /// window_end produced by an earlier window, or a grouped watermarked time column): -1 when
  /// none. Only for aggregations without `window`.
  int closing_key = -1;
  /// The window's time column is proctime(): windows close by the engine clock (a timer, and
  /// before each batch), not by the input's event-time watermark, which only ends the input
  /// (+infinity).
  bool processing_time = false;
  const Clock* clock = Clock::System();
};

/// Counters an aggregation keeps (visible through DESCRIBE and tests).
struct AggregateMetrics {
  int64_t rows_in = 0;
  int64_t late_rows = 0;       // Later than the allowed lateness: dropped or side output.
  int64_t windows_closed = 0;  // Windows (or closing groups) emitted and freed.
  int64_t groups_expired = 0;  // Groups forgotten by state_ttl.
  int64_t live_groups = 0;     // (window or pane, key) states held now.
  int64_t state_bytes = 0;     // Accumulators, group table and indexes.
};

/// GROUP BY with aggregates, incrementally, over an event-time window or none.
///
/// Windows:
/// - tumble, hop and cumulate are pane-based: a row updates exactly one pane (of length
///   gcd(size, slide) for hop, `step` for cumulate, `size` for tumble) and a window's result
///   merges its panes when it is emitted, so the cost per row does not grow with size/slide;
/// - session windows are per key, half-open [first row, last row + gap), and merge
///   (Accumulator::Merge) when a row overlaps two of them.
///
/// A window closes when the watermark reaches its end plus the allowed lateness; its state is
/// freed then. A row whose every window has closed is late (for sessions: a row behind the
/// watermark minus the lateness): it goes to the LATE DATA TO side output when declared, and is
/// counted (metrics().late_rows) always.
///
/// EMIT (see sql::EmitStrategy):
/// - ON WINDOW CLOSE: one row per window and key when it closes (append-only output);
/// - CHANGES: after each input batch, each changed result as a retraction of the row emitted
///   before (weight -1) and the new row (+1); a group whose rows were all retracted is only
///   retracted;
/// - ON UPDATE: after each input batch, the new row of each changed result (+1 only);
/// - EVERY period: on the engine clock, the current rows of the results changed since the
///   previous emission (+1 only), fired by a processing-time timer (OnTimer); a batch arriving
///   once the period has passed comes after that snapshot.
/// Results of one batch are consolidated: two updates of one group in the same batch emit once.
///
/// Thread-safety: one thread (the owning reactor).
class AggregateOperator final : public Operator {
 public:
  /// Builds the accumulators. Errors: LDB-2001 for a call that cannot run as asked.
  static Result<std::unique_ptr<AggregateOperator>> Make(AggregateDefinition definition);
  ~AggregateOperator() override;

  Status Process(int port, const ChangeBatch& batch, OperatorOutput& out) override;
  Status OnWatermark(int port, int64_t watermark, OperatorOutput& out) override;
  std::string Describe() const override;
  Status Snapshot(storage::StateWriter& writer) const override;
  Status Restore(storage::StateReader& reader) override;
  /// Incremental for unbounded GROUP BY (with or without state_ttl or a closing key), and for
  /// tumble, hop and cumulate windows under EMIT ON WINDOW CLOSE, CHANGES, ON UPDATE or EVERY
  /// (the per-group states, the ordered indexes, the pane index and the results are then the
  /// whole size of the state): the groups are written in slot order, and a group a batch is
  /// about to update, or a group about to be freed, is written first; then the ordered
  /// indexes as they were at the barrier (copy-on-write blocks); then the pane index, a pane
  /// about to be freed first; then the changed and the last emitted results, a result's
  /// barrier row kept before it changes; for session windows, then each key with its
  /// sessions, a key copied before a batch or a closing window changes them. False (a
  /// snapshot at the barrier) only in states no call leaves behind: a merge in progress, or
  /// windows under CHANGES / ON UPDATE with changes not emitted yet.
  Result<bool> BeginSnapshot() override;
  Result<std::optional<StatePieces>> ContinueSnapshot(size_t max_entries) override;
  void CancelSnapshot() override;

  const AggregateMetrics& metrics();
  /// "rows in N; late rows N; windows closed N; groups expired N; live groups N; state bytes N".
  std::string MetricsText() const override;
  /// EMIT EVERY, processing-time windows and state_ttl act on the engine clock even when no
  /// input arrives.
  int64_t NextTimerMicros() const override;
  Status OnTimer(int64_t now_micros, OperatorOutput& out) override;
  /// Bytes of the group tables, accumulators, per-slot counts and last updates, and of the
  /// rows kept to retract (aggregations without a window; not the indexes, nor the rows kept
  /// per window result).
  size_t StateBytes() const;
  /// How many groups hold their last emitted row as values (aggregations without a window).
  size_t ExplicitEmittedRows() const { return emitted_rows_.size() - free_emitted_rows_.size(); }

 private:
  explicit AggregateOperator(AggregateDefinition definition);

  struct Inputs;
  struct Session {
    int64_t start = 0;
    int64_t end = 0;  // Last row's time + gap.
    uint32_t slot = 0;
  };
  /// A result row: its window (zeros without one) and its encoded group key.
  struct ResultKey {
    int64_t window_start = 0;
    int64_t window_end = 0;
    std::string key;
    bool operator<(const ResultKey& other) const {
      return std::tie(window_end, window_start, key) <
             std::tie(other.window_end, other.window_start, other.key);
    }
  };
  /// A row to emit: its window, key (encoded, without prefix), the slot holding its state.
  struct PendingRow {
    int64_t window_start = 0;
    int64_t window_end = 0;
    std::string key;
    uint32_t slot = 0;
    int8_t weight = 1;
  };

  Status Evaluate(const ChangeBatch& batch, Inputs& inputs) const;
  /// Advances the operator's watermark (event time, or the clock for processing-time windows):
  /// closes windows, emits the output watermark.
  Status AdvanceTime(int64_t watermark, OperatorOutput& out);
  /// The encoded group key of row `row` of the last Encode (without a prefix), and its hash.
  std::string_view RowKey(size_t row) const;
  uint64_t RowHash(size_t row) const;
  Status ApplyUpdates(const Inputs& inputs, std::span<const uint32_t> rows,
                      std::span<const uint32_t> slots, const int8_t* weights);

  Status ProcessPanes(const ChangeBatch& batch, Inputs& inputs, OperatorOutput& out);
  Status ProcessSessions(const ChangeBatch& batch, Inputs& inputs, OperatorOutput& out);
  Status ProcessGroups(const ChangeBatch& batch, Inputs& inputs, OperatorOutput& out);

  Status ClosePaneWindows(int64_t watermark, OperatorOutput& out);
  Status CloseSessions(int64_t watermark, OperatorOutput& out);
  Status CloseKeyedGroups(int64_t watermark, OperatorOutput& out);
  Status ExpireGroups(OperatorOutput& out);
  Status EmitPeriodic(OperatorOutput& out, bool force);
  Status EmitChanged(OperatorOutput& out);
  /// EmitChanged for aggregations without a window: changed groups are tracked by slot.
  Status EmitChangedGroups(OperatorOutput& out);
  void MarkDirty(uint32_t slot);
  Status EmitLate(const ChangeBatch& batch, const std::vector<uint32_t>& rows, OperatorOutput& out);

  // Pane windows (tumble, hop, cumulate).
  int64_t PaneOf(int64_t time) const;
  /// The end of the last window that contains pane `pane`.
  int64_t LastWindowEndOfPane(int64_t pane) const;
  /// The windows (start, end) containing `pane` that have not closed.
  void WindowsOfPane(int64_t pane, std::vector<std::pair<int64_t, int64_t>>& windows) const;
  /// The smallest window end greater than `time`.
  int64_t FirstWindowEndAfter(int64_t time) const;
  int64_t WindowStartFor(int64_t end) const;
  /// Merges the panes of window [start, end) per key into temporary slots, appending (key,
  /// slot) to `results`; only the keys in sorted `only` when non-null.
  Status MergeWindow(int64_t start, int64_t end, const std::vector<std::string>* only,
                     std::vector<std::pair<std::string, uint32_t>>& results);
  Status MergeSlot(uint32_t target, uint32_t source);

  // Slots.
  uint32_t AcquireSlot(std::string_view key, uint64_t hash, bool* inserted);
  uint32_t TemporarySlot();
  void ReleaseTemporarySlots();
  void FreeSlot(uint32_t slot);
  /// Live groups, less those freed but kept for the snapshot in progress.
  size_t LiveGroups() const;
  /// Frees the groups of `slots` (just written) that were kept for the snapshot in progress.
  void FreeParked(std::span<const uint32_t> slots);
  void EnsureSlots(uint32_t count);

  // Checkpoints (aggregate_operator_checkpoint.cc).
  /// A hash of the definition, so that state is never restored into another aggregation.
  uint32_t DefinitionFingerprint() const;
  /// The state is written in three parts (docs/formats/operator-state.md): the head
  /// (counters and the group table's free slots), blocks of groups, the tail (indexes,
  /// windows, what was emitted).
  void WriteHead(storage::StateWriter& writer) const;
  /// One block: the groups of `slots` (ascending) with their keys, counts and accumulators.
  void WriteBlock(storage::StateWriter& writer, std::span<const uint32_t> slots) const;
  Status WriteTail(storage::StateWriter& writer) const;
  /// The tail's parts: the ordered indexes, the pane index (pane windows), the sessions and
  /// the changed results, the last emitted results (in chunks), the rest.
  void WriteIndexes(storage::StateWriter& writer) const;
  void WritePaneIndex(storage::StateWriter& writer) const;
  Status WriteTailAfterPanes(storage::StateWriter& writer) const;
  Status WriteEmitted(storage::StateWriter& writer) const;
  Status WriteEmittedChunk(
      std::span<const std::pair<const ResultKey*, const std::vector<Value>*>> entries,
      storage::StateWriter& writer) const;
  Status WriteTailAfterEmitted(storage::StateWriter& writer) const;
  /// Tumble, hop or cumulate: the state has panes_.
  bool HasPaneIndex() const;
  /// Session windows: the state has session_keys_ and sessions_.
  bool HasSessions() const;
  /// Part 7 (sessions): the key table's capacity and free list; then blocks of keys, each
  /// key with its sessions.
  void WriteSessionHead(storage::StateWriter& writer) const;
  void WriteSessionBlock(storage::StateWriter& writer, std::span<const uint32_t> key_ids) const;
  static void WriteSessionKey(storage::StateWriter& writer, uint32_t key_id, std::string_view key,
                              std::span<const Session> sessions);
  void RestoreBody(storage::StateReader& reader, uint32_t version);
  /// Restore: whether `key` is a group key of this aggregation (with a window, 8 bytes of pane
  /// start or session serial, then) as the key encoder writes it.
  bool IsGroupKey(std::string_view key) const;
  /// The incremental snapshot in progress: writes the groups of `slots` that it still owes,
  /// before their state changes.
  void SaveBeforeChange(std::span<const uint32_t> slots);
  /// Session windows, during an incremental snapshot: key `key_id` was just found (or, when
  /// `inserted`, taken since the barrier), and its sessions are about to change.
  void NoteSessionKey(uint32_t key_id, bool inserted);
  /// Keeps a copy of key `key_id` and its sessions if the snapshot has not written them.
  void SaveSessionKey(uint32_t key_id);
  /// Writes up to `budget` session keys of an incremental snapshot (part 7), less them from
  /// `budget`; true when part 7 is complete.
  bool ContinueSessions(size_t& budget);
  /// The incremental snapshot in progress keeps the barrier slots of pane `start` (the first
  /// pane) if it has not written them yet: the pane is about to be freed.
  void SavePaneBeforeFree(int64_t start, const std::vector<uint32_t>& slots);
  /// Writes up to `budget` entries of the ordered indexes of an incremental snapshot (part
  /// 5), less them from `budget`; true when all three are complete.
  Result<bool> ContinueIndexes(size_t& budget);
  /// Writes up to `budget` slots of the pane index of an incremental snapshot, less them
  /// from `budget`; true when the index is complete.
  Result<bool> ContinuePaneIndex(size_t& budget);
  /// Writes up to `budget` last emitted results of an incremental snapshot, as one chunk,
  /// less them from `budget`; true when all are written.
  Result<bool> ContinueEmitted(size_t& budget);
  /// Removes `result` from last_emitted_, keeping its node for the incremental snapshot in
  /// progress when that still owes its barrier row. Returns the next entry.
  std::map<ResultKey, std::vector<Value>>::iterator EraseEmitted(
      std::map<ResultKey, std::vector<Value>>::iterator result);
  /// Notes a result added since the barrier, which the snapshot in progress must skip.
  void NoteEmittedAdded(const ResultKey& result);
  /// Writes up to `budget` changed results (EMIT EVERY on windows) of an incremental
  /// snapshot, less them from `budget`; true when all are written.
  Result<bool> ContinueChanged(size_t& budget);
  /// Removes `result` from changed_, keeping it for the incremental snapshot in progress when
  /// that has yet to write it. Returns the next entry.
  std::set<ResultKey>::iterator EraseChanged(std::set<ResultKey>::iterator result);
  /// Result rows (of the output schema) as one batch, and back.
  Status WriteRows(const std::vector<const std::vector<Value>*>& rows,
                   storage::StateWriter& writer) const;
  std::vector<std::vector<Value>> ReadRows(storage::StateReader& reader, size_t count) const;
  /// Gives `slots`, whose rows an emission or a restore left implicit (emitted_pending_),
  /// their current results as explicit rows. REQUIRES: their states have not changed since.
  Status MaterializeEmitted(std::span<const uint32_t> slots);
  /// The explicit last emitted row of `slot` (aggregations without a window), or nullptr.
  const std::vector<Value>* EmittedRow(uint32_t slot) const {
    if (slot >= emitted_row_.size() || emitted_row_[slot] == 0) return nullptr;
    return &emitted_rows_[emitted_row_[slot] - 1];
  }
  /// The explicit row of `slot`, made (empty) if it has none. REQUIRES: slot < the size of
  /// emitted_row_.
  std::vector<Value>& SetEmittedRow(uint32_t slot);
  /// Moves the explicit row of `slot` out (empty if it has none); the slot then has none.
  std::vector<Value> TakeEmittedRow(uint32_t slot);

  Status BuildOutput(const std::vector<PendingRow>& rows, ChangeBatch& batch) const;
  Status EmitRows(const std::vector<PendingRow>& rows, OperatorOutput& out);
  Status EmitValueRows(const std::vector<std::vector<Value>>& rows,
                       const std::vector<int8_t>& weights, OperatorOutput& out);

  AggregateDefinition def_;
  std::vector<std::unique_ptr<Accumulator>> accumulators_;
  state::KeyEncoder encoder_;
  state::GroupTable groups_;
  const uint64_t empty_key_hash_;
  uint32_t slot_capacity_ = 0;
  /// Net rows per slot (weights summed): a changelog group with none left disappears.
  std::vector<int64_t> row_counts_;

  int64_t watermark_ = kMinWatermark;
  int64_t emitted_watermark_ = kMinWatermark;
  bool emitted_empty_global_ = false;

  /// Pane windows: every window with end <= this has been emitted and freed.
  int64_t closed_up_to_ = kMinWatermark;
  int64_t pane_length_ = 0;
  bool single_pane_ = false;
  /// Pane windows: the distinct keys (without pane prefix) as ids, with the number of pane
  /// slots holding each, each key's latest pane and its slot (rows find their state through
  /// these), each pane slot's key id, and a scratch map id -> merged result.
  state::GroupTable pane_keys_;
  std::vector<uint32_t> key_refs_;
  std::vector<int64_t> key_pane_;
  std::vector<uint32_t> key_pane_slot_;
  std::vector<uint32_t> slot_key_id_;
  std::vector<uint32_t> merge_target_;
  /// Pane start -> slots of its (pane, key) states, in first-seen order.
  std::map<int64_t, std::vector<uint32_t>> panes_;

  /// Sessions: key -> its open sessions ordered by start.
  state::GroupTable session_keys_;
  std::vector<std::vector<Session>> sessions_;  // By session_keys_ slot.
  /// Session end -> slots (stale entries, whose session grew or merged, are skipped).
  state::OrderedIndex session_ends_;
  std::vector<int64_t> slot_session_end_;
  std::vector<uint32_t> slot_session_key_;
  int64_t next_session_serial_ = 0;
  /// A lower bound of the open sessions' starts, and the watermark when it was computed.
  int64_t min_open_start_ = kMinWatermark;
  int64_t min_start_scanned_at_ = kMinWatermark;

  /// Groups closed by a watermarked key: closing time -> slots.
  state::OrderedIndex closing_;
  /// state_ttl: deadline -> slots (lazy: a slot's real deadline is last_update_ + TTL).
  state::OrderedIndex ttl_index_;
  std::vector<int64_t> last_update_;

  /// Window aggregates under CHANGES / ON UPDATE / EVERY: results changed since the last emission,
  /// and the row last emitted per result (to retract it, or to skip repeating it).
  std::set<ResultKey> changed_;
  std::map<ResultKey, std::vector<Value>> last_emitted_;
  int64_t next_periodic_emit_ = 0;
  /// The same for aggregations without a window, by slot: changed slots (listed once, flagged)
  /// and each slot's last emitted row when it is explicit. Only changed groups have one
  /// (below), so the rows are a pool indexed from the slots: emitted_row_[slot] is 0 (none,
  /// or implicit) or 1 + the row's index in emitted_rows_, whose unused rows are listed in
  /// free_emitted_rows_ (and reused).
  std::vector<uint32_t> dirty_slots_;
  std::vector<uint8_t> dirty_;
  std::vector<uint32_t> emitted_row_;
  std::vector<std::vector<Value>> emitted_rows_;
  std::vector<uint32_t> free_emitted_rows_;
  /// The slots whose last emitted row is their current result, kept implicit instead of
  /// explicit: every group emitted and not changed since (set by the emission, and by Restore
  /// for every live slot not dirty, see WriteTail; a checkpoint stores no such row). The row
  /// is computed from the state (MaterializeEmitted) before the slot's state next changes or
  /// its row is retracted, so a group has an explicit row only while it is dirty. Sized with
  /// dirty_ and emitted_row_.
  std::vector<uint8_t> emitted_pending_;

  std::vector<uint32_t> temporary_slots_;
  AggregateMetrics metrics_;

  /// An incremental snapshot between BeginSnapshot and the ContinueSnapshot that completes it.
  struct IncrementalSnapshot {
    /// The state so far, in pieces: the first starts with the version, the length and the
    /// head; then blocks of groups.
    StatePieces pieces;
    size_t body_bytes = 0;        // In `pieces`.
    storage::StateWriter writer;  // The piece being written.
    size_t length_offset = 0;     // Of the body length in the first piece, written at the end.
    size_t checked = 0;           // The bytes of `writer` below this are in `crc`.
    uint32_t crc = 0;
    /// The tail after the last emitted results, captured at the barrier (the parts before it
    /// are written after the blocks, in slices like the groups).
    std::string tail_after_emitted;
    /// The last emitted window results (EMIT CHANGES / ON UPDATE) are written in key order:
    /// how many there were at the barrier, how many are written, the last key written; the
    /// barrier rows of results changed or erased before they were written; and the results
    /// added since the barrier, which the cursor skips.
    size_t emitted_count = 0;
    size_t emitted_written = 0;
    bool emitted_begun = false;
    std::optional<ResultKey> emitted_cursor;
    std::optional<ResultKey> emitted_last;  // The largest result at the barrier.
    std::map<ResultKey, std::vector<Value>> emitted_saved;
    std::set<ResultKey> emitted_added;
    /// Whether `key` can be a barrier result the cursor has not passed yet (the largest key
    /// at the barrier bounds them: results of windows opened since sort above it).
    bool EmittedPending(const ResultKey& key) const {
      return emitted_last.has_value() && !(*emitted_last < key) &&
             !(emitted_cursor.has_value() && !(*emitted_cursor < key));
    }
    /// Whether the barrier row of `key`, about to change or go, must be kept first.
    bool OwesEmitted(const ResultKey& key) const {
      return EmittedPending(key) && emitted_added.count(key) == 0 && emitted_saved.count(key) == 0;
    }
    /// The results changed in the current period (EMIT EVERY on windows), written after the
    /// pane index in key order.
    std::optional<OrderedSetSnapshot<ResultKey>> changed;
    bool changed_begun = false;
    bool blocks_done = false;
    /// Part 5's ordered indexes as they were at the barrier (closing keys, state_ttl, session
    /// ends: copy-on-write blocks), written after the groups: the one being written, whether
    /// its count is, and the last time written (times are written as differences).
    std::vector<state::OrderedIndex::Frozen> indexes;
    size_t index = 0;
    bool index_begun = false;
    uint64_t index_previous = 0;
    bool indexes_done = false;
    /// Session windows (part 7): the key table's head at the barrier and its capacity, a bit
    /// per key id below it (written, or taken since the barrier: not part of the snapshot),
    /// the cursor, the keys whose sessions a batch was about to change or remove before the
    /// cursor reached them (copies, written first), and the phase's progress.
    struct SavedSessionKey {
      uint32_t key_id = 0;
      std::string key;
      std::vector<Session> sessions;
    };
    std::string session_head;
    BarrierIds session_keys;
    std::vector<SavedSessionKey> session_saved;
    size_t session_saved_written = 0;  // The first ones of session_saved are written.
    bool session_head_written = false;
    bool sessions_done = true;
    /// Pane windows: each pane's start and number of slots at the barrier (its slots are the
    /// first ones of its list then: lists only grow until the pane is freed), the pane being
    /// written and how many of its slots are, and the barrier slots of the panes freed
    /// before they were written.
    std::vector<std::pair<int64_t, size_t>> panes;
    size_t pane_cursor = 0;
    size_t pane_position = 0;
    std::map<int64_t, std::vector<uint32_t>> freed_panes;
    /// The group slots.
    BarrierIds slots;
    /// Groups freed (their pane's last window closed) before the snapshot wrote them: they
    /// stay in the group table, in no pane, until a slice writes them and frees them then, so
    /// that closing a window during a snapshot costs no more than closing it otherwise.
    std::vector<uint64_t> parked_bits;
    size_t parked = 0;
    bool is_parked(uint32_t slot) const {
      return slot < slots.capacity && ((parked_bits[slot >> 6] >> (slot & 63)) & 1) != 0;
    }
    /// Keeps `slot` if the snapshot has not written it; false when it can be freed now.
    bool Park(uint32_t slot) {
      if (slot >= slots.capacity || slots.done(slot)) return false;
      parked_bits[slot >> 6] |= uint64_t{1} << (slot & 63);
      ++parked;
      return true;
    }
  };
  std::unique_ptr<IncrementalSnapshot> incremental_;
};

}  // namespace laminar::exec
