#include "exec/operators/union_operator.h"

#include <fmt/format.h>

#include <algorithm>

namespace laminar::exec {

UnionOperator::UnionOperator(int num_inputs)
    : watermarks_(static_cast<size_t>(num_inputs), kMinWatermark), emitted_(kMinWatermark) {}

Status UnionOperator::Process(int /*port*/, const ChangeBatch& batch, OperatorOutput& out) {
  return out.Emit(batch);
}

Status UnionOperator::OnWatermark(int port, int64_t watermark, OperatorOutput& out) {
  int64_t& slot = watermarks_[static_cast<size_t>(port)];
  if (watermark <= slot) return Status::Ok();
  slot = watermark;
  const int64_t minimum = *std::min_element(watermarks_.begin(), watermarks_.end());
  if (minimum <= emitted_) return Status::Ok();
  emitted_ = minimum;
  return out.EmitWatermark(minimum);
}

std::string UnionOperator::Describe() const {
  return fmt::format("UnionAll ({} inputs)", watermarks_.size());
}

}  // namespace laminar::exec
