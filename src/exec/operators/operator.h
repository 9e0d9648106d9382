#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "common/status.h"
#include "exec/change_batch.h"

namespace laminar::storage {
class StateReader;
class StateWriter;
}  // namespace laminar::storage

namespace laminar::exec {

/// A state written in pieces (an incremental snapshot): their concatenation.
using StatePieces = std::vector<std::string>;

/// Where an operator sends what it produces. The dataflow that owns the operator implements it
/// and forwards to the next operator (or to the query's output).
class OperatorOutput {
 public:
  virtual ~OperatorOutput() = default;
  virtual Status Emit(const ChangeBatch& batch) = 0;
  /// Emit for a batch the operator no longer needs: where it ends up stored (a subscriber's
  /// queue), it is moved there instead of copied. Default: Emit.
  virtual Status EmitOwned(ChangeBatch&& batch) { return Emit(batch); }
  /// No row with event time below `watermark` follows on this output.
  virtual Status EmitWatermark(int64_t watermark) = 0;
  /// Sends rows to the operator's side output `side` (LATE DATA TO): rows that leave the
  /// query's main result but must not vanish. Default: the operator has no side outputs.
  virtual Status EmitSide(int side, const ChangeBatch& batch) {
    (void)batch;
    return Status::Error(ErrorCode::kInternal, "no side output {}", side);
  }
};

/// The operator contract (ARCHITECTURE.md "Operator contract"): push-based. The dataflow calls
/// Process for each batch arriving on one of the operator's inputs (`port`), and OnWatermark
/// when an input's watermark advances; the operator answers through `out`, synchronously.
/// Control messages travel in-band: a watermark is delivered after every batch that preceded
/// it on the same input.
///
/// An operator's definition (expressions, schemas) is fixed at construction; the mutable state
/// it keeps belongs to the one reactor that runs it. Stateless operators (filter, project,
/// union) keep none beyond per-input watermarks.
///
/// Errors: a failing Process or OnWatermark (e.g. LDB-3002 division by zero for one row) stops
/// the query; the runtime reports the status to the query's subscribers.
///
/// Thread-safety: one thread at a time (the owning reactor).
class Operator {
 public:
  virtual ~Operator() = default;

  /// Number of inputs (ports 0 .. num_inputs() - 1).
  virtual int num_inputs() const { return 1; }

  virtual Status Process(int port, const ChangeBatch& batch, OperatorOutput& out) = 0;

  /// Default: forwards the watermark of a single-input operator unchanged.
  virtual Status OnWatermark(int port, int64_t watermark, OperatorOutput& out) {
    return out.EmitWatermark(watermark);
  }

  /// One line for EXPLAIN of the physical plan, e.g. "Pipeline [filter, project 3]".
  virtual std::string Describe() const = 0;

  /// Processing-time timers: the engine-clock time (microseconds since the epoch) at which
  /// the operator wants OnTimer called, kMaxWatermark for none. The runtime checks it when it
  /// has run input, when it is idle (bounding its sleep by the earliest timer) and when a
  /// statement waits for processing (Sync).
  virtual int64_t NextTimerMicros() const { return kMaxWatermark; }
  virtual Status OnTimer(int64_t now_micros, OperatorOutput& out) {
    (void)now_micros;
    (void)out;
    return Status::Ok();
  }

  /// Checkpoints (ARCHITECTURE.md "Operator contract"). Snapshot writes the operator's mutable
  /// state: its format version first (StateWriter::WriteVersion), then everything Process,
  /// OnWatermark and OnTimer depend on, so that an operator of the same definition that
  /// Restores it behaves exactly as this one would on the same following input. Restore is
  /// called on a freshly constructed operator, before any input; it reads what Snapshot wrote
  /// and fails with the reader's kCorruption / kUnsupportedFormatVersion on malformed state.
  /// Both are pure: every operator says what it keeps (stateless ones write only a version),
  /// so a checkpoint can never be silently incomplete. Called on the reactor thread between
  /// batches, when the dataflow's checkpoint barrier reaches the operator.
  virtual Status Snapshot(storage::StateWriter& writer) const = 0;
  virtual Status Restore(storage::StateReader& reader) = 0;

  /// Incremental snapshots, for state too large to write within one reactor turn. When the
  /// barrier aligns, the dataflow calls BeginSnapshot first: an operator that returns true
  /// has captured what is small (counters, indexes) and writes the rest piece by piece, as the
  /// dataflow calls ContinueSnapshot between batches, until it returns the whole state (the
  /// bytes Restore reads, equal in meaning to what Snapshot would have written at the
  /// barrier). Meanwhile Process, OnWatermark and OnTimer run as usual: the operator saves
  /// what they are about to change before changing it (copy-on-write at the granularity of
  /// its entries), so the snapshot stays the state as of the barrier. Snapshot is not called
  /// for that barrier. CancelSnapshot drops one in progress (the checkpoint was abandoned).
  /// Defaults: no incremental snapshots (false); the others are never called then.
  virtual Result<bool> BeginSnapshot() { return false; }
  /// Writes at most about `max_entries` more entries; the state once it is complete, as
  /// pieces whose concatenation is what Restore reads (no reactor turn copies the whole).
  virtual Result<std::optional<StatePieces>> ContinueSnapshot(size_t max_entries) {
    (void)max_entries;
    return Status::Error(ErrorCode::kInternal, "{}: no incremental snapshot", Describe());
  }
  virtual void CancelSnapshot() {}

  /// Counters of a stateful operator for DESCRIBE, e.g. "late rows 3; live groups 12"; empty
  /// for stateless operators.
  virtual std::string MetricsText() const { return {}; }
};

}  // namespace laminar::exec
