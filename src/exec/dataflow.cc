#include "exec/dataflow.h"

#include <algorithm>
#include <optional>

#include "common/check.h"
#include "common/clock.h"
#include "storage/state_io.h"

namespace laminar::exec {

/// Forwards an operator's output to its parent in the tree.
class Dataflow::NodeOutput final : public OperatorOutput {
 public:
  NodeOutput(Dataflow* flow, int node, int parent, int port)
      : flow_(flow), node_(node), parent_(parent), port_(port) {}
  Status Emit(const ChangeBatch& batch) override { return flow_->Deliver(parent_, port_, batch); }
  Status EmitOwned(ChangeBatch&& batch) override {
    return flow_->DeliverOwned(parent_, port_, std::move(batch));
  }
  Status EmitWatermark(int64_t watermark) override {
    flow_->nodes_[static_cast<size_t>(node_)].output_watermark = watermark;
    return flow_->DeliverWatermark(parent_, port_, watermark);
  }
  Status EmitSide(int side, const ChangeBatch& batch) override {
    return flow_->DeliverSide(node_, side, batch);
  }

 private:
  Dataflow* flow_;
  int node_;
  int parent_;
  int port_;
};

int Dataflow::AddOperator(std::unique_ptr<Operator> op, int parent, int parent_port) {
  const size_t inputs = static_cast<size_t>(op->num_inputs());
  Node node;
  node.op = std::move(op);
  node.parent = parent;
  node.parent_port = parent_port;
  node.input_watermarks.assign(inputs, kMinWatermark);
  nodes_.push_back(std::move(node));
  return static_cast<int>(nodes_.size()) - 1;
}

int Dataflow::AddSideOutput(SideOutput output) {
  side_outputs_.push_back(std::move(output));
  return static_cast<int>(side_outputs_.size()) - 1;
}

Status Dataflow::DeliverSide(int node, int side, const ChangeBatch& batch) {
  for (size_t i = 0; i < side_outputs_.size(); ++i) {
    if (side_outputs_[i].node == node && side_outputs_[i].side == side) {
      LAMINAR_CHECK(sink_ != nullptr);
      return sink_->OnSideBatch(static_cast<int>(i), batch);
    }
  }
  return Status::Error(ErrorCode::kInternal, "operator {} has no side output {}", node, side);
}

Status Dataflow::Push(int input, const ChangeBatch& batch) {
  const Input& leaf = inputs_[static_cast<size_t>(input)];
  return Deliver(leaf.node, leaf.port, batch);
}

Status Dataflow::Watermark(int input, int64_t watermark) {
  const Input& leaf = inputs_[static_cast<size_t>(input)];
  return DeliverWatermark(leaf.node, leaf.port, watermark);
}

int64_t Dataflow::NextTimerMicros() const {
  int64_t next = kMaxWatermark;
  for (const Node& node : nodes_) next = std::min(next, node.op->NextTimerMicros());
  return next;
}

Status Dataflow::FireTimers(int64_t now_micros) {
  for (size_t i = 0; i < nodes_.size(); ++i) {
    Node& node = nodes_[i];
    if (node.op->NextTimerMicros() > now_micros) continue;
    NodeOutput out(this, static_cast<int>(i), node.parent, node.parent_port);
    LAMINAR_RETURN_IF_ERROR(node.op->OnTimer(now_micros, out));
  }
  return Status::Ok();
}

Status Dataflow::Deliver(int node, int port, const ChangeBatch& batch) {
  if (node < 0) {
    LAMINAR_CHECK(sink_ != nullptr);
    return sink_->OnBatch(batch);
  }
  Node& target = nodes_[static_cast<size_t>(node)];
  if (Blocked(target, port)) {
    target.held.push_back(Held{port, false, batch, kMinWatermark});
    return Status::Ok();
  }
  NodeOutput out(this, node, target.parent, target.parent_port);
  return target.op->Process(port, batch, out);
}

Status Dataflow::DeliverOwned(int node, int port, ChangeBatch&& batch) {
  if (node >= 0) return Deliver(node, port, batch);  // Operators read batches in place.
  LAMINAR_CHECK(sink_ != nullptr);
  return sink_->OnOwnedBatch(std::move(batch));
}

Status Dataflow::DeliverWatermark(int node, int port, int64_t watermark) {
  if (node < 0) {
    LAMINAR_CHECK(sink_ != nullptr);
    return sink_->OnWatermark(watermark);
  }
  Node& target = nodes_[static_cast<size_t>(node)];
  if (Blocked(target, port)) {
    target.held.push_back(Held{port, true, ChangeBatch{}, watermark});
    return Status::Ok();
  }
  if (static_cast<size_t>(port) < target.input_watermarks.size()) {
    target.input_watermarks[static_cast<size_t>(port)] = watermark;
  }
  NodeOutput out(this, node, target.parent, target.parent_port);
  return target.op->OnWatermark(port, watermark, out);
}

int Dataflow::OutputPaths() const {
  int paths = 0;
  for (const Node& node : nodes_) paths += node.parent < 0 ? 1 : 0;
  for (const Input& input : inputs_) paths += input.node < 0 ? 1 : 0;
  return paths;
}

Status Dataflow::Barrier(int input, uint64_t epoch) {
  if (epoch < epoch_) return Status::Ok();  // A stale barrier: that epoch is over.
  if (epoch > epoch_) {
    for (const Node& node : nodes_) {
      if (node.barriers_missing > 0 && node.barriers_missing < node.op->num_inputs()) {
        return Status::Error(ErrorCode::kInternal,
                             "checkpoint barrier {} began before barrier {} was aligned", epoch,
                             epoch_);
      }
    }
    // A barrier of a new epoch abandons the incremental snapshots of an earlier one that
    // nobody completed (that checkpoint has failed).
    CancelSnapshot();
    if (OutputPaths() != 1) {
      return Status::Error(ErrorCode::kInternal,
                           "a dataflow with {} paths into its output cannot align barriers",
                           OutputPaths());
    }
    epoch_ = epoch;
    for (Node& node : nodes_) {
      node.barrier_seen.assign(static_cast<size_t>(node.op->num_inputs()), false);
      node.barriers_missing = node.op->num_inputs();
      node.held.clear();
    }
    node_states_.assign(nodes_.size(), std::string());
    output_barriers_missing_ = 1;
    input_barrier_seen_.assign(inputs_.size(), false);
    snapshot_ = DataflowSnapshot();
    barrier_status_ = Status::Ok();
  }
  if (input_barrier_seen_[static_cast<size_t>(input)]) return Status::Ok();
  input_barrier_seen_[static_cast<size_t>(input)] = true;
  const Input& leaf = inputs_[static_cast<size_t>(input)];
  return DeliverBarrier(leaf.node, leaf.port, epoch);
}

Status Dataflow::DeliverBarrier(int node, int port, uint64_t epoch) {
  if (node < 0) {
    if (--output_barriers_missing_ > 0) return Status::Ok();
    LAMINAR_CHECK(sink_ != nullptr);
    if (!barrier_status_.ok()) {
      node_states_.clear();
      CancelSnapshot();
      return sink_->OnBarrier(epoch);
    }
    snapshot_ = DataflowSnapshot();
    snapshot_.epoch_ = epoch;
    snapshot_.parts_.resize(nodes_.size());
    for (size_t i = 0; i < nodes_.size(); ++i) {
      const Node& n = nodes_[i];
      DataflowSnapshot::Part& part = snapshot_.parts_[i];
      part.description = n.op->Describe();
      part.input_watermarks = n.input_watermarks;
      part.output_watermark = n.output_watermark;
      if (!node_states_[i].empty()) part.state.push_back(std::move(node_states_[i]));
    }
    snapshot_.pending_ = incremental_nodes_;
    node_states_.clear();
    return sink_->OnBarrier(epoch);
  }
  Node& target = nodes_[static_cast<size_t>(node)];
  if (target.barrier_seen[static_cast<size_t>(port)]) return Status::Ok();
  target.barrier_seen[static_cast<size_t>(port)] = true;
  if (--target.barriers_missing > 0) return Status::Ok();
  // Aligned: the state now reflects exactly what preceded the barrier on every port.
  Status snapshot;
  if (barrier_status_.ok()) {
    Result<bool> incremental = target.op->BeginSnapshot();
    if (!incremental.ok()) {
      snapshot = incremental.status();
    } else if (*incremental) {
      incremental_nodes_.push_back(node);
    } else {
      storage::StateWriter writer;
      snapshot = target.op->Snapshot(writer);
      if (snapshot.ok()) node_states_[static_cast<size_t>(node)] = writer.Release();
    }
  }
  if (!snapshot.ok()) barrier_status_ = std::move(snapshot);
  LAMINAR_RETURN_IF_ERROR(DeliverBarrier(target.parent, target.parent_port, epoch));
  // What arrived after the barrier on the ports that delivered it early, in arrival order.
  std::vector<Held> held = std::move(target.held);
  target.held.clear();
  for (Held& item : held) {
    LAMINAR_RETURN_IF_ERROR(item.is_watermark ? DeliverWatermark(node, item.port, item.watermark)
                                              : Deliver(node, item.port, item.batch));
  }
  return Status::Ok();
}

Status Dataflow::ContinueSnapshot(DataflowSnapshot& snapshot, int64_t deadline_nanos,
                                  size_t entries_per_call) {
  if (snapshot.complete()) return Status::Ok();
  if (snapshot.epoch_ != epoch_ || snapshot.pending_ != incremental_nodes_) {
    return Status::Error(ErrorCode::kInternal,
                         "the snapshot of checkpoint {} is no longer in progress", snapshot.epoch_);
  }
  for (size_t i = 0; i < snapshot.pending_.size();) {
    const int node = snapshot.pending_[i];
    Operator& op = *nodes_[static_cast<size_t>(node)].op;
    std::optional<StatePieces> state;
    do {
      Result<std::optional<StatePieces>> more = op.ContinueSnapshot(entries_per_call);
      if (!more.ok()) {
        CancelSnapshot();
        snapshot.pending_.clear();
        snapshot.parts_.clear();
        snapshot.failed_ = true;
        return more.status();
      }
      state = std::move(*more);
    } while (!state && Clock::System()->MonotonicNanos() < deadline_nanos);
    if (!state) return Status::Ok();
    snapshot.parts_[static_cast<size_t>(node)].state = std::move(*state);
    snapshot.pending_.erase(snapshot.pending_.begin() + static_cast<std::ptrdiff_t>(i));
    incremental_nodes_.erase(incremental_nodes_.begin() + static_cast<std::ptrdiff_t>(i));
  }
  return Status::Ok();
}

void Dataflow::CancelSnapshot() {
  for (int node : incremental_nodes_) nodes_[static_cast<size_t>(node)].op->CancelSnapshot();
  incremental_nodes_.clear();
}

std::string DataflowSnapshot::Serialize() const {
  LAMINAR_CHECK(complete());
  size_t bytes = 16;
  for (const Part& part : parts_) {
    bytes += part.description.size() + 64;
    for (const std::string& piece : part.state) bytes += piece.size();
  }
  storage::StateWriter writer;
  writer.Reserve(bytes);
  writer.WriteVersion(1);
  writer.VarU64(parts_.size());
  for (const Part& part : parts_) {
    writer.Bytes(part.description);
    writer.VarU64(part.input_watermarks.size());
    for (int64_t watermark : part.input_watermarks) writer.I64(watermark);
    writer.I64(part.output_watermark);
    size_t state_bytes = 0;
    for (const std::string& piece : part.state) state_bytes += piece.size();
    writer.VarU64(state_bytes);  // As StateWriter::Bytes of the concatenation.
    for (const std::string& piece : part.state) writer.Raw(piece);
  }
  return writer.Release();
}

Status Dataflow::Restore(std::string_view state, std::string_view context) {
  storage::StateReader reader(state, std::string(context));
  reader.ReadVersion(1);
  const size_t count = reader.Count(1);
  if (reader.ok() && count != nodes_.size()) {
    reader.Fail(
        fmt::format("the checkpoint has {} operators, the query plans {}", count, nodes_.size()));
  }
  for (size_t i = 0; i < nodes_.size() && reader.ok(); ++i) {
    Node& node = nodes_[i];
    const std::string description = reader.Bytes();
    if (reader.ok() && description != node.op->Describe()) {
      reader.Fail(fmt::format("operator {} was \"{}\" and is now planned as \"{}\"", i, description,
                              node.op->Describe()));
    }
    const size_t ports = reader.Count(8);
    if (reader.ok() && ports != node.input_watermarks.size()) reader.Fail("port count differs");
    for (int64_t& watermark : node.input_watermarks) watermark = reader.I64();
    node.output_watermark = reader.I64();
    const std::string_view op_state = reader.BytesView();
    if (!reader.ok()) break;
    storage::StateReader op_reader(op_state, fmt::format("{}, operator {}", context, i));
    Status restored = node.op->Restore(op_reader);
    if (restored.ok()) restored = op_reader.Finish();
    if (!restored.ok()) return restored;
  }
  return reader.Finish();
}

std::vector<OperatorStatus> Dataflow::OperatorWatermarks() const {
  std::vector<OperatorStatus> statuses;
  for (size_t i = 0; i < nodes_.size(); ++i) {
    const Node& node = nodes_[i];
    statuses.push_back(OperatorStatus{static_cast<int>(i), node.parent, node.op->Describe(),
                                      node.input_watermarks, node.output_watermark,
                                      node.op->MetricsText()});
  }
  return statuses;
}

}  // namespace laminar::exec
