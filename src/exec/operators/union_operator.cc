#include "exec/operators/union_operator.h"

#include <fmt/format.h>

#include <algorithm>

#include "storage/state_io.h"

namespace laminar::exec {

UnionOperator::UnionOperator(int num_inputs, std::shared_ptr<const Schema> output_schema)
    : output_schema_(std::move(output_schema)),
      watermarks_(static_cast<size_t>(num_inputs), kMinWatermark),
      emitted_(kMinWatermark) {}

Status UnionOperator::Process(int /*port*/, const ChangeBatch& batch, OperatorOutput& out) {
  if (batch.rows.schema_ptr() == output_schema_ || batch.rows.schema() == *output_schema_) {
    return out.Emit(batch);
  }
  // Same column types (the binder made them so), other names: relabel without copying data.
  ChangeBatch relabelled;
  if (batch.rows.num_columns() == 0) {
    relabelled.rows = Batch::MakeWithoutColumns(output_schema_, batch.num_rows());
  } else {
    LAMINAR_ASSIGN_OR_RETURN(relabelled.rows, Batch::Make(output_schema_, batch.rows.columns()));
  }
  relabelled.weights = batch.weights;
  return out.Emit(relabelled);
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

Status UnionOperator::Snapshot(storage::StateWriter& writer) const {
  writer.WriteVersion(1);
  writer.VarU64(watermarks_.size());
  for (int64_t watermark : watermarks_) writer.I64(watermark);
  writer.I64(emitted_);
  return Status::Ok();
}

Status UnionOperator::Restore(storage::StateReader& reader) {
  reader.ReadVersion(1);
  if (reader.Count(8) != watermarks_.size()) reader.Fail("union input count differs");
  for (int64_t& watermark : watermarks_) watermark = reader.I64();
  emitted_ = reader.I64();
  return reader.status();
}

}  // namespace laminar::exec
