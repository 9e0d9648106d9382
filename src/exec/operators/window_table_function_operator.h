#pragma once

#include <memory>
#include <string>

#include "columnar/schema.h"
#include "exec/operators/operator.h"
#include "sql/plan/window_assignment.h"

namespace laminar::exec {

/// TUMBLE, HOP and CUMULATE as table functions on their own (no aggregation over them): each
/// input row is emitted once per window containing it, with window_start and window_end
/// appended. A hop row is emitted size/slide times; an aggregation over the function does not
/// use this operator (the planner gives it the function's input, and it works on panes).
/// Rows with a NULL time belong to no window and are dropped, as in Flink.
///
/// The output watermark is the input's minus the window size: a row arriving later may still
/// open a window that started up to one size before the input watermark.
class WindowTableFunctionOperator final : public Operator {
 public:
  /// REQUIRES: assignment.kind is not kSession; the time column is a TIMESTAMP.
  WindowTableFunctionOperator(sql::WindowAssignment assignment,
                              std::shared_ptr<const Schema> output_schema);

  Status Process(int port, const ChangeBatch& batch, OperatorOutput& out) override;
  Status OnWatermark(int port, int64_t watermark, OperatorOutput& out) override;
  std::string Describe() const override;
  Status Snapshot(storage::StateWriter& writer) const override;
  Status Restore(storage::StateReader& reader) override;

 private:
  sql::WindowAssignment assignment_;
  std::shared_ptr<const Schema> output_schema_;
};

}  // namespace laminar::exec
