#include "exec/operators/window_table_function_operator.h"

#include <fmt/format.h>

#include "columnar/column_builder.h"
#include "columnar/selection_vector.h"
#include "columnar/take.h"
#include "storage/state_io.h"

namespace laminar::exec {
WindowTableFunctionOperator::WindowTableFunctionOperator(
    sql::WindowAssignment assignment, std::shared_ptr<const Schema> output_schema)
    : assignment_(std::move(assignment)), output_schema_(std::move(output_schema)) {}

Status WindowTableFunctionOperator::Process(int /*port*/, const ChangeBatch& batch,
                                            OperatorOutput& out) {
  const Column& time = batch.rows.column(assignment_.time_column);
  const int64_t* times = time.Values<int64_t>();
  SelectionVector rows;
  std::vector<int64_t> starts;
  std::vector<int64_t> ends;
  for (int64_t i = 0; i < batch.num_rows(); ++i) {
    if (time.IsNull(i)) continue;
    const int64_t t = times[i];
    auto emit = [&](int64_t start, int64_t end) {
      rows.Append(static_cast<uint32_t>(i));
      starts.push_back(start);
      ends.push_back(end);
    };
    switch (assignment_.kind) {
      case sql::WindowKind::kTumble: {
        const int64_t start = sql::FloorAlign(t, assignment_.offset, assignment_.size);
        emit(start, start + assignment_.size);
        break;
      }
      case sql::WindowKind::kHop: {
        // Every window start in (t - size, t] on the slide grid.
        const int64_t last = sql::FloorAlign(t, assignment_.offset, assignment_.slide);
        for (int64_t start = last; start > t - assignment_.size; start -= assignment_.slide) {
          emit(start, start + assignment_.size);
        }
        break;
      }
      case sql::WindowKind::kCumulate: {
        // Windows [base, base + k * step) that contain t.
        const int64_t base = sql::FloorAlign(t, assignment_.offset, assignment_.size);
        for (int64_t end =
                 sql::FloorAlign(t, assignment_.offset, assignment_.slide) + assignment_.slide;
             end <= base + assignment_.size; end += assignment_.slide) {
          emit(base, end);
        }
        break;
      }
      case sql::WindowKind::kSession:
        return Status::Error(ErrorCode::kInternal, "session windows need an aggregation");
    }
  }
  if (rows.empty()) return Status::Ok();
  LAMINAR_ASSIGN_OR_RETURN(Batch taken, Take(batch.rows, rows));
  std::vector<Column> columns = taken.columns();
  const DataType time_type = time.type();
  for (const std::vector<int64_t>* values : {&starts, &ends}) {
    ColumnBuilder builder(time_type);
    builder.Reserve(static_cast<int64_t>(values->size()));
    for (int64_t value : *values) builder.AppendFixed<int64_t>(value);
    columns.push_back(builder.Finish());
  }
  ChangeBatch result;
  LAMINAR_ASSIGN_OR_RETURN(result.rows, Batch::Make(output_schema_, std::move(columns)));
  if (!batch.append_only()) {
    for (int64_t i = 0; i < rows.size(); ++i) result.weights.push_back(batch.weights[rows[i]]);
  }
  return out.Emit(result);
}

Status WindowTableFunctionOperator::OnWatermark(int /*port*/, int64_t watermark,
                                                OperatorOutput& out) {
  if (watermark == kMaxWatermark || watermark == kMinWatermark) {
    return out.EmitWatermark(watermark);
  }
  int64_t shifted = 0;
  if (__builtin_sub_overflow(watermark, assignment_.size, &shifted)) shifted = kMinWatermark;
  return out.EmitWatermark(shifted);
}

std::string WindowTableFunctionOperator::Describe() const {
  return fmt::format("WindowTableFunction {}", assignment_.ToString());
}

Status WindowTableFunctionOperator::Snapshot(storage::StateWriter& writer) const {
  writer.WriteVersion(1);  // Stateless: only the version.
  return Status::Ok();
}

Status WindowTableFunctionOperator::Restore(storage::StateReader& reader) {
  reader.ReadVersion(1);
  return reader.status();
}

}  // namespace laminar::exec
