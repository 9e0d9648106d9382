#pragma once

#include <memory>
#include <string>
#include <vector>

#include "columnar/schema.h"
#include "exec/operators/operator.h"

namespace laminar::exec {

/// UNION ALL: forwards the batches of every input (the binder has cast the inputs to one row
/// type), relabelled with the union's column names (the first input's), and holds the output
/// watermark at the minimum of the inputs' watermarks, so a fast input cannot declare rows of a
/// slow one late.
///
/// Thread-safety: one thread at a time.
class UnionOperator final : public Operator {
 public:
  UnionOperator(int num_inputs, std::shared_ptr<const Schema> output_schema);

  int num_inputs() const override { return static_cast<int>(watermarks_.size()); }
  Status Process(int port, const ChangeBatch& batch, OperatorOutput& out) override;
  Status OnWatermark(int port, int64_t watermark, OperatorOutput& out) override;
  std::string Describe() const override;
  Status Snapshot(storage::StateWriter& writer) const override;
  Status Restore(storage::StateReader& reader) override;

  /// The watermark emitted so far (kMinWatermark before the first).
  int64_t watermark() const { return emitted_; }

 private:
  std::shared_ptr<const Schema> output_schema_;
  std::vector<int64_t> watermarks_;  // Per input.
  int64_t emitted_;
};

}  // namespace laminar::exec
