#include "exec/dataflow.h"

#include "common/check.h"

namespace laminar::exec {

/// Forwards an operator's output to its parent in the tree.
class Dataflow::NodeOutput final : public OperatorOutput {
 public:
  NodeOutput(Dataflow* flow, int parent, int port) : flow_(flow), parent_(parent), port_(port) {}
  Status Emit(const ChangeBatch& batch) override { return flow_->Deliver(parent_, port_, batch); }
  Status EmitWatermark(int64_t watermark) override {
    return flow_->DeliverWatermark(parent_, port_, watermark);
  }

 private:
  Dataflow* flow_;
  int parent_;
  int port_;
};

int Dataflow::AddOperator(std::unique_ptr<Operator> op, int parent, int parent_port) {
  nodes_.push_back(Node{std::move(op), parent, parent_port});
  return static_cast<int>(nodes_.size()) - 1;
}

Status Dataflow::Push(int input, const ChangeBatch& batch) {
  const Input& leaf = inputs_[static_cast<size_t>(input)];
  return Deliver(leaf.node, leaf.port, batch);
}

Status Dataflow::Watermark(int input, int64_t watermark) {
  const Input& leaf = inputs_[static_cast<size_t>(input)];
  return DeliverWatermark(leaf.node, leaf.port, watermark);
}

Status Dataflow::Deliver(int node, int port, const ChangeBatch& batch) {
  if (node < 0) {
    LAMINAR_CHECK(sink_ != nullptr);
    return sink_->OnBatch(batch);
  }
  Node& target = nodes_[static_cast<size_t>(node)];
  NodeOutput out(this, target.parent, target.parent_port);
  return target.op->Process(port, batch, out);
}

Status Dataflow::DeliverWatermark(int node, int port, int64_t watermark) {
  if (node < 0) {
    LAMINAR_CHECK(sink_ != nullptr);
    return sink_->OnWatermark(watermark);
  }
  Node& target = nodes_[static_cast<size_t>(node)];
  NodeOutput out(this, target.parent, target.parent_port);
  return target.op->OnWatermark(port, watermark, out);
}

}  // namespace laminar::exec
