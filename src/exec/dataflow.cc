#include "exec/dataflow.h"

#include <algorithm>

#include "common/check.h"

namespace laminar::exec {

/// Forwards an operator's output to its parent in the tree.
class Dataflow::NodeOutput final : public OperatorOutput {
 public:
  NodeOutput(Dataflow* flow, int node, int parent, int port)
      : flow_(flow), node_(node), parent_(parent), port_(port) {}
  Status Emit(const ChangeBatch& batch) override { return flow_->Deliver(parent_, port_, batch); }
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
  nodes_.push_back(Node{std::move(op), parent, parent_port,
                        std::vector<int64_t>(inputs, kMinWatermark), kMinWatermark});
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
  NodeOutput out(this, node, target.parent, target.parent_port);
  return target.op->Process(port, batch, out);
}

Status Dataflow::DeliverWatermark(int node, int port, int64_t watermark) {
  if (node < 0) {
    LAMINAR_CHECK(sink_ != nullptr);
    return sink_->OnWatermark(watermark);
  }
  Node& target = nodes_[static_cast<size_t>(node)];
  if (static_cast<size_t>(port) < target.input_watermarks.size()) {
    target.input_watermarks[static_cast<size_t>(port)] = watermark;
  }
  NodeOutput out(this, node, target.parent, target.parent_port);
  return target.op->OnWatermark(port, watermark, out);
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
