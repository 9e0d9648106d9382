#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "exec/change_batch.h"
#include "exec/operators/operator.h"

namespace laminar::exec {

/// Receives what a continuous query produces: the stream's outlet in the runtime, or a
/// collector in tests.
class DataflowSink {
 public:
  virtual ~DataflowSink() = default;
  virtual Status OnBatch(const ChangeBatch& batch) = 0;
  /// OnBatch for a batch nobody else needs, which the sink may keep without copying.
  /// Default: OnBatch.
  virtual Status OnOwnedBatch(ChangeBatch&& batch) { return OnBatch(batch); }
  virtual Status OnWatermark(int64_t watermark) = 0;
  /// Rows of side output `index` (Dataflow::side_outputs()).
  virtual Status OnSideBatch(int index, const ChangeBatch& batch) {
    (void)index;
    (void)batch;
    return Status::Ok();
  }
  /// Checkpoint barrier `epoch` passed the whole dataflow: every operator's state as of the
  /// barrier is in Dataflow::TakeSnapshot(), and what follows belongs to the next epoch.
  virtual Status OnBarrier(uint64_t epoch) {
    (void)epoch;
    return Status::Ok();
  }
};

/// The last watermarks an operator of a running dataflow received and emitted (DESCRIBE).
struct OperatorStatus {
  int node = 0;
  int parent = -1;                        // -1: the query output.
  std::string description;                // Operator::Describe().
  std::vector<int64_t> input_watermarks;  // Per port; kMinWatermark until one arrives.
  int64_t output_watermark = kMinWatermark;
  std::string metrics;  // Operator::MetricsText().
};

/// The state of a dataflow at a checkpoint barrier (Dataflow::TakeSnapshot). Operators that
/// snapshot incrementally (Operator::BeginSnapshot) fill in their part after the barrier has
/// passed, while the dataflow keeps running, as Dataflow::ContinueSnapshot is called.
class DataflowSnapshot {
 public:
  /// Every operator's part is there.
  bool complete() const { return pending_.empty() && !failed_; }
  /// The versioned bytes Dataflow::Restore reads (docs/formats/checkpoint.md). Copies every
  /// part once: call it off the reactor. REQUIRES: complete().
  std::string Serialize() const;

 private:
  friend class Dataflow;
  struct Part {
    std::string description;
    std::vector<int64_t> input_watermarks;
    int64_t output_watermark = kMinWatermark;
    StatePieces state;  // Concatenated, the operator's state.
  };
  uint64_t epoch_ = 0;
  std::vector<Part> parts_;
  std::vector<int> pending_;  // Nodes still writing their state.
  bool failed_ = false;       // An operator's snapshot failed: never complete.
};

/// One continuous query as a tree of operators (the physical plan). Its leaves read catalog
/// objects (sources, streams): the runtime pushes each object's batches and watermarks into
/// every input that reads it, and the root's output goes to the sink given at Attach.
///
/// Thread-safety: owned and run by one reactor; definitions are immutable after planning.
class Dataflow {
 public:
  /// A leaf: batches of `object` enter operator `node` at `port` (node -1: straight to the
  /// output, for `SELECT * FROM source`).
  struct Input {
    std::string object;
    int node = -1;
    int port = 0;
  };

  /// A side output of an operator (LATE DATA TO): its rows go to the catalog object `object`.
  struct SideOutput {
    std::string object;
    std::shared_ptr<const Schema> schema;
    int node = -1;
    int side = 0;
  };

  Dataflow() = default;
  Dataflow(const Dataflow&) = delete;
  Dataflow& operator=(const Dataflow&) = delete;

  /// Planner interface: adds an operator whose output goes to `parent` at `parent_port`
  /// (parent -1: the query output). Returns its index.
  int AddOperator(std::unique_ptr<Operator> op, int parent, int parent_port);
  void AddInput(Input input) { inputs_.push_back(std::move(input)); }
  /// Routes side output `side` of operator `node` to the side output list; returns its index.
  int AddSideOutput(SideOutput output);
  const std::vector<SideOutput>& side_outputs() const { return side_outputs_; }

  /// Where the output goes. REQUIRES: called before the first Push; `sink` outlives this.
  void Attach(DataflowSink* sink) { sink_ = sink; }

  const std::vector<Input>& inputs() const { return inputs_; }

  /// Runs a batch of input `input` through the operators to the sink.
  Status Push(int input, const ChangeBatch& batch);
  /// Advances input `input`'s watermark.
  Status Watermark(int input, int64_t watermark);
  /// The earliest processing-time timer of any operator (kMaxWatermark: none).
  int64_t NextTimerMicros() const;
  /// Fires the timers due at `now_micros`.
  Status FireTimers(int64_t now_micros);
  /// Every operator with the last watermark delivered to each input and emitted on its output.
  std::vector<OperatorStatus> OperatorWatermarks() const;

  /// Checkpoint barrier `epoch` on input `input` (Chandy-Lamport, aligned): an operator
  /// snapshots its state once the barrier has arrived on every one of its ports, then passes
  /// it on. Until then, what arrives on a port that already delivered the barrier (rows and
  /// watermarks of the next epoch) is held back, and released in order after the snapshot.
  /// A barrier repeated on a port that already delivered it is ignored. When the barrier
  /// reaches the output, the sink's OnBarrier is called and TakeSnapshot() holds the state.
  /// REQUIRES: epochs increase; one epoch completes before the next begins.
  Status Barrier(int input, uint64_t epoch);
  /// The state captured when the last barrier passed: every operator's Snapshot with its
  /// description and watermarks. Incomplete while operators snapshot incrementally: then
  /// ContinueSnapshot completes it, and no new barrier may begin before that (or
  /// CancelSnapshot).
  DataflowSnapshot TakeSnapshot() { return std::move(snapshot_); }
  /// Lets the operators that snapshot incrementally write more of `snapshot` (what
  /// TakeSnapshot returned), one after the other, in calls of about `entries_per_call`
  /// entries, until `deadline_nanos` (Clock::System()->MonotonicNanos()) has passed (after at
  /// least one call) or it is complete. An operator's failure fails the checkpoint (the
  /// snapshot is then never complete), not the query.
  Status ContinueSnapshot(DataflowSnapshot& snapshot, int64_t deadline_nanos,
                          size_t entries_per_call = 256);
  /// Abandons the incremental snapshots in progress (the checkpoint failed or was dropped).
  void CancelSnapshot();
  /// Whether an operator is still writing an incremental snapshot.
  bool snapshot_in_progress() const { return !incremental_nodes_.empty(); }
  /// Why the last barrier's snapshot is missing (an operator's Snapshot failed); OK otherwise.
  /// A failed snapshot fails the checkpoint, never the query: the barrier still passes and
  /// held input is released, so processing continues.
  const Status& barrier_status() const { return barrier_status_; }
  /// Restores what TakeSnapshot returned into this freshly planned dataflow. kCorruption when
  /// the state does not match the plan (a different number or kind of operators).
  Status Restore(std::string_view state, std::string_view context);

 private:
  /// An item that arrived on a port after its barrier, before the operator aligned.
  struct Held {
    int port = 0;
    bool is_watermark = false;
    ChangeBatch batch;
    int64_t watermark = kMinWatermark;
  };
  struct Node {
    std::unique_ptr<Operator> op;
    int parent = -1;
    int parent_port = 0;
    std::vector<int64_t> input_watermarks;  // Last delivered, per port.
    int64_t output_watermark = kMinWatermark;
    std::vector<bool> barrier_seen;  // Per port, for the epoch in progress.
    int barriers_missing = 0;        // Ports still to deliver the barrier; 0: not aligning.
    std::vector<Held> held;
  };
  class NodeOutput;

  Status Deliver(int node, int port, const ChangeBatch& batch);
  /// Deliver for a batch its emitter no longer needs (OperatorOutput::EmitOwned).
  Status DeliverOwned(int node, int port, ChangeBatch&& batch);
  Status DeliverWatermark(int node, int port, int64_t watermark);
  Status DeliverSide(int node, int side, const ChangeBatch& batch);
  Status DeliverBarrier(int node, int port, uint64_t epoch);
  /// Whether `port` of `node` already delivered the barrier of the epoch in progress.
  bool Blocked(const Node& node, int port) const {
    return node.barriers_missing > 0 && node.barrier_seen[static_cast<size_t>(port)];
  }
  /// Paths into the query output: roots plus inputs wired straight to it.
  int OutputPaths() const;

  std::vector<Node> nodes_;
  std::vector<Input> inputs_;
  std::vector<SideOutput> side_outputs_;
  DataflowSink* sink_ = nullptr;
  // Checkpoints.
  uint64_t epoch_ = 0;                    // The epoch in progress or last completed.
  std::vector<std::string> node_states_;  // Per node, written when it aligned.
  std::vector<int> incremental_nodes_;    // Nodes whose BeginSnapshot started one.
  int output_barriers_missing_ = 0;       // Paths into the output still to deliver the barrier.
  std::vector<bool> input_barrier_seen_;  // Per input: the epoch's barrier arrived.
  DataflowSnapshot snapshot_;
  Status barrier_status_;
};

}  // namespace laminar::exec
