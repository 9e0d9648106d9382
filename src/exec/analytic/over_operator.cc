#include "exec/analytic/over_operator.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>

#include "columnar/column_builder.h"
#include "storage/state_io.h"

namespace laminar::exec {
namespace {

constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();
constexpr int64_t kInt64Min = std::numeric_limits<int64_t>::min();

}  // namespace

OverOperator::OverOperator(OverDefinition definition)
    : def_(std::move(definition)), encoder_(def_.partition_types) {}

OverOperator::Partition& OverOperator::Find(std::string_view key) {
  auto it = partitions_.find(key);
  if (it == partitions_.end()) {
    it = partitions_.try_emplace(std::string(key)).first;
    it->second.running.resize(def_.calls.size());
  }
  return it->second;
}

Status OverOperator::Process(int /*port*/, const ChangeBatch& batch, OperatorOutput& out) {
  const int64_t rows = batch.num_rows();
  if (rows == 0) return Status::Ok();
  if (!batch.append_only() && !def_.input_changelog) {
    for (int64_t row = 0; row < rows; ++row) {
      if (batch.weight(row) < 0) {
        return Status::Error(ErrorCode::kInternal, "OVER received a retraction");
      }
    }
  }
  metrics_.rows_in += rows;
  std::vector<Column> partition_columns;
  for (const ExpressionEvaluator& evaluator : def_.partition_by) {
    LAMINAR_ASSIGN_OR_RETURN(Column column, evaluator.Evaluate(batch.rows));
    partition_columns.push_back(std::move(column));
  }
  std::vector<Column> order_columns;
  for (const ExpressionEvaluator& evaluator : def_.order_by) {
    LAMINAR_ASSIGN_OR_RETURN(Column column, evaluator.Evaluate(batch.rows));
    order_columns.push_back(std::move(column));
  }
  std::vector<std::optional<Column>> arguments(def_.calls.size());
  std::vector<std::optional<Column>> defaults(def_.calls.size());
  for (size_t c = 0; c < def_.calls.size(); ++c) {
    if (def_.calls[c].argument) {
      LAMINAR_ASSIGN_OR_RETURN(arguments[c], def_.calls[c].argument->Evaluate(batch.rows));
    }
    if (def_.calls[c].default_value) {
      LAMINAR_ASSIGN_OR_RETURN(defaults[c], def_.calls[c].default_value->Evaluate(batch.rows));
    }
  }
  if (!partition_columns.empty()) encoder_.Encode(partition_columns, {}, {});
  const Column* time = def_.time_column >= 0 ? &batch.rows.column(def_.time_column) : nullptr;
  for (int64_t row = 0; row < rows; ++row) {
    Row stored;
    if (time != nullptr) {
      if (time->IsNull(row) || time->GetValue(row).integer() < watermark_) {
        ++metrics_.late_rows;
        continue;
      }
      stored.time = time->GetValue(row).integer();
    }
    Partition& partition = Find(partition_columns.empty() ? std::string_view()
                                                          : encoder_.key(static_cast<size_t>(row)));
    stored.values.reserve(static_cast<size_t>(def_.input_columns) + def_.calls.size());
    for (int c = 0; c < def_.input_columns; ++c) {
      stored.values.push_back(batch.rows.column(c).GetValue(row));
    }
    for (const Column& column : order_columns) stored.order.push_back(column.GetValue(row));
    if (!stored.order.empty()) {
      const Value& first = stored.order[0];
      if (first.is_null()) {
        stored.range_key = def_.directions[0].nulls_first ? kInt64Min : kInt64Max;
      } else if (first.type().IsInteger() || first.type().IsTemporal()) {
        stored.range_key = def_.directions[0].descending ? -first.integer() : first.integer();
      }
    }
    for (size_t c = 0; c < def_.calls.size(); ++c) {
      stored.arguments.push_back(arguments[c] ? arguments[c]->GetValue(row)
                                              : Value::Null(def_.calls[c].type));
      stored.defaults.push_back(defaults[c] ? defaults[c]->GetValue(row)
                                            : Value::Null(def_.calls[c].type));
    }
    stored.sequence = next_sequence_++;
    if (def_.input_changelog) {
      Apply(partition, std::move(stored), batch.weight(row));
      continue;
    }
    partition.unreleased.push_back(std::move(stored));
    ++metrics_.buffered_rows;
    if (!partition.active) {
      partition.active = true;
      active_.push_back(&partition);
    }
  }
  if (!def_.input_changelog) return Status::Ok();
  std::vector<std::vector<Value>> output;
  std::vector<int8_t> weights;
  for (Partition* partition : dirty_) {
    partition->dirty = false;
    LAMINAR_RETURN_IF_ERROR(Recompute(*partition, output, weights));
  }
  dirty_.clear();
  return Flush(output, weights, out);
}

void OverOperator::Apply(Partition& partition, Row row, int weight) {
  auto first = std::lower_bound(
      partition.live.begin(), partition.live.end(), row, [&](const Row& existing, const Row& key) {
        return CompareSortKeys(existing.order, key.order, def_.directions) < 0;
      });
  auto last =
      std::upper_bound(first, partition.live.end(), row, [&](const Row& key, const Row& existing) {
        return CompareSortKeys(key.order, existing.order, def_.directions) < 0;
      });
  if (weight > 0) {
    partition.live.insert(last, std::move(row));
    ++metrics_.live_rows;
  } else {
    // The newest live row equal to it (identical rows are interchangeable).
    auto found = partition.live.end();
    for (auto it = first; it != last; ++it) {
      if (SameData(it->values, row.values)) found = it;
    }
    if (found == partition.live.end()) {
      ++metrics_.unmatched_retractions;
      return;
    }
    partition.live.erase(found);
    --metrics_.live_rows;
  }
  if (!partition.dirty) {
    partition.dirty = true;
    dirty_.push_back(&partition);
  }
}

Status OverOperator::Recompute(Partition& partition, std::vector<std::vector<Value>>& output,
                               std::vector<int8_t>& weights) {
  partition.history.assign(partition.live.begin(), partition.live.end());
  partition.base = 0;
  partition.dense_rank = 0;
  partition.running.assign(def_.calls.size(), Accumulation{});
  std::unordered_map<uint64_t, std::vector<Value>> emitted;
  emitted.reserve(partition.live.size());
  for (int64_t index = 0; index < static_cast<int64_t>(partition.history.size()); ++index) {
    Row& row = partition.history[static_cast<size_t>(index)];
    std::vector<Value> line = row.values;
    for (size_t c = 0; c < def_.calls.size(); ++c) {
      LAMINAR_ASSIGN_OR_RETURN(Value value, Compute(partition, c, index));
      line.push_back(std::move(value));
    }
    auto old = partition.emitted.find(row.sequence);
    if (old != partition.emitted.end()) {
      if (SameData(old->second, line)) {
        emitted.emplace(row.sequence, std::move(old->second));
        partition.emitted.erase(old);
        continue;
      }
      output.push_back(std::move(old->second));
      weights.push_back(-1);
      partition.emitted.erase(old);
    }
    output.push_back(line);
    weights.push_back(1);
    emitted.emplace(row.sequence, std::move(line));
  }
  // Rows retracted from the input, oldest first: in an order that does not depend on the
  // hash table's layout, so that a restored operator (Restore) emits them in the same order.
  std::vector<std::pair<uint64_t, std::vector<Value>*>> retracted;
  retracted.reserve(partition.emitted.size());
  for (auto& [sequence, line] : partition.emitted) retracted.emplace_back(sequence, &line);
  std::sort(retracted.begin(), retracted.end());
  for (auto& [sequence, line] : retracted) {
    output.push_back(std::move(*line));
    weights.push_back(-1);
  }
  partition.emitted = std::move(emitted);
  partition.history.clear();
  return Status::Ok();
}

void OverOperator::Release(Partition& partition, int64_t watermark) {
  if (partition.unreleased.empty()) return;
  std::vector<Row> released;
  if (watermark == kMaxWatermark) {
    released = std::move(partition.unreleased);
    partition.unreleased.clear();
  } else {
    std::vector<Row> kept;
    for (Row& row : partition.unreleased) {
      (row.time < watermark ? released : kept).push_back(std::move(row));
    }
    partition.unreleased = std::move(kept);
  }
  if (def_.bounded) {
    std::stable_sort(released.begin(), released.end(), [&](const Row& a, const Row& b) {
      return CompareSortKeys(a.order, b.order, def_.directions) < 0;
    });
  } else {
    std::stable_sort(released.begin(), released.end(),
                     [](const Row& a, const Row& b) { return a.time < b.time; });
  }
  metrics_.buffered_rows -= static_cast<int64_t>(released.size());
  metrics_.kept_rows += static_cast<int64_t>(released.size());
  for (Row& row : released) partition.history.push_back(std::move(row));
}

bool OverOperator::Ready(const Partition& partition, int64_t index) const {
  if (ended_) return true;
  const int64_t released_end = partition.base + static_cast<int64_t>(partition.history.size());
  for (const OverCallDefinition& call : def_.calls) {
    switch (call.kind) {
      case OverCallDefinition::Kind::kLag:
      case OverCallDefinition::Kind::kRowNumber:
      case OverCallDefinition::Kind::kRank:
      case OverCallDefinition::Kind::kDenseRank:
        break;
      case OverCallDefinition::Kind::kLead:
        if (index + call.offset >= released_end) return false;
        break;
      default:
        if (call.end_unbounded) return false;
        if (call.frame_kind == sql::FrameKind::kRows) {
          if (call.end > 0 && index + call.end >= released_end) return false;
        } else if (call.end > 0 &&
                   SaturatingAdd(At(partition, index).range_key, call.end) >= watermark_) {
          // Rows up to time + end are all released once the watermark is past it.
          return false;
        }
        break;
    }
  }
  return true;
}

int64_t OverOperator::LowerIndex(const Partition& partition, int64_t target) const {
  auto it = std::partition_point(partition.history.begin(), partition.history.end(),
                                 [&](const Row& row) { return row.range_key < target; });
  return partition.base + (it - partition.history.begin());
}

int64_t OverOperator::UpperIndex(const Partition& partition, int64_t target) const {
  auto it = std::partition_point(partition.history.begin(), partition.history.end(),
                                 [&](const Row& row) { return row.range_key <= target; });
  return partition.base + (it - partition.history.begin()) - 1;
}

int64_t OverOperator::PeerStart(const Partition& partition, int64_t index) const {
  const Row& row = At(partition, index);
  while (index > partition.base &&
         CompareSortKeys(At(partition, index - 1).order, row.order, def_.directions) == 0) {
    --index;
  }
  return index;
}

int64_t OverOperator::PeerEnd(const Partition& partition, int64_t index) const {
  const Row& row = At(partition, index);
  const int64_t last = partition.base + static_cast<int64_t>(partition.history.size()) - 1;
  while (index < last &&
         CompareSortKeys(At(partition, index + 1).order, row.order, def_.directions) == 0) {
    ++index;
  }
  return index;
}

namespace {

/// Folds one argument into a running aggregate (min and max only for MIN and MAX).
Status Fold(OverCallDefinition::Kind kind, const Value& value, bool count_all, int64_t* count,
            int64_t* integer_sum, double* double_sum, Value* min, Value* max) {
  if (count_all) {
    ++*count;
    return Status::Ok();
  }
  if (value.is_null()) return Status::Ok();
  ++*count;
  if (kind != OverCallDefinition::Kind::kSum && kind != OverCallDefinition::Kind::kAvg) {
    // COUNT needs only the count; MIN and MAX compare below.
  } else if (value.type().IsInteger()) {
    if (__builtin_add_overflow(*integer_sum, value.integer(), integer_sum)) {
      return Status::Error(ErrorCode::kNumericOverflow, "sum over a window frame overflows");
    }
    *double_sum += static_cast<double>(value.integer());
  } else if (value.type().id() == TypeId::kDouble || value.type().id() == TypeId::kReal) {
    *double_sum += value.floating();
  }
  if (kind == OverCallDefinition::Kind::kMin &&
      (min->is_null() || CompareValues(value, *min) < 0)) {
    *min = value;
  }
  if (kind == OverCallDefinition::Kind::kMax &&
      (max->is_null() || CompareValues(value, *max) > 0)) {
    *max = value;
  }
  return Status::Ok();
}

Value Finish(const OverCallDefinition& call, int64_t count, int64_t integer_sum, double double_sum,
             const Value& min, const Value& max) {
  switch (call.kind) {
    case OverCallDefinition::Kind::kCount:
      return Value::BigInt(count);
    case OverCallDefinition::Kind::kSum:
      if (count == 0) return Value::Null(call.type);
      return call.type.IsInteger() ? Value::BigInt(integer_sum) : Value::Double(double_sum);
    case OverCallDefinition::Kind::kAvg:
      if (count == 0) return Value::Null(call.type);
      return Value::Double(double_sum / static_cast<double>(count));
    case OverCallDefinition::Kind::kMin:
      return min.is_null() ? Value::Null(call.type) : min;
    case OverCallDefinition::Kind::kMax:
      return max.is_null() ? Value::Null(call.type) : max;
    default:
      return Value::Null(call.type);
  }
}

}  // namespace

Result<Value> OverOperator::Compute(Partition& partition, size_t index_of_call, int64_t index) {
  const OverCallDefinition& call = def_.calls[index_of_call];
  const int64_t released_end = partition.base + static_cast<int64_t>(partition.history.size());
  const Row& row = At(partition, index);
  if (call.kind == OverCallDefinition::Kind::kLag) {
    const int64_t source = index - call.offset;
    if (source < 0) return row.defaults[index_of_call];
    return At(partition, source).arguments[index_of_call];
  }
  if (call.kind == OverCallDefinition::Kind::kLead) {
    const int64_t source = index + call.offset;
    if (source >= released_end) return row.defaults[index_of_call];
    return At(partition, source).arguments[index_of_call];
  }
  if (call.kind == OverCallDefinition::Kind::kRowNumber) return Value::BigInt(index + 1);
  if (call.kind == OverCallDefinition::Kind::kRank) {
    return Value::BigInt(PeerStart(partition, index) + 1);
  }
  if (call.kind == OverCallDefinition::Kind::kDenseRank) {
    if (index == 0 ||
        CompareSortKeys(At(partition, index - 1).order, row.order, def_.directions) != 0) {
      ++partition.dense_rank;
    }
    return Value::BigInt(partition.dense_rank);
  }
  int64_t low = 0;
  int64_t high = released_end - 1;
  if (call.frame_kind == sql::FrameKind::kRows) {
    if (!call.start_unbounded) low = std::max<int64_t>(0, index + call.start);
    if (!call.end_unbounded) high = std::min(high, index + call.end);
  } else {
    if (!call.start_unbounded) {
      low = call.start == 0 ? PeerStart(partition, index)
                            : LowerIndex(partition, SaturatingAdd(row.range_key, call.start));
    }
    if (!call.end_unbounded) {
      high = call.end == 0 ? PeerEnd(partition, index)
                           : UpperIndex(partition, SaturatingAdd(row.range_key, call.end));
    }
  }
  const bool count_all = !call.argument.has_value();
  if (call.start_unbounded) {
    Accumulation& running = partition.running[index_of_call];
    for (; running.folded_to <= high; ++running.folded_to) {
      LAMINAR_RETURN_IF_ERROR(Fold(
          call.kind, At(partition, running.folded_to).arguments[index_of_call], count_all,
          &running.count, &running.integer_sum, &running.double_sum, &running.min, &running.max));
    }
    return Finish(call, running.count, running.integer_sum, running.double_sum, running.min,
                  running.max);
  }
  int64_t count = 0;
  int64_t integer_sum = 0;
  double double_sum = 0;
  Value min;
  Value max;
  for (int64_t i = std::max(low, partition.base); i <= high; ++i) {
    LAMINAR_RETURN_IF_ERROR(Fold(call.kind, At(partition, i).arguments[index_of_call], count_all,
                                 &count, &integer_sum, &double_sum, &min, &max));
  }
  return Finish(call, count, integer_sum, double_sum, min, max);
}

Status OverOperator::EmitReady(Partition& partition, std::vector<std::vector<Value>>& output) {
  const int64_t released_end = partition.base + static_cast<int64_t>(partition.history.size());
  while (partition.next_emit < released_end && Ready(partition, partition.next_emit)) {
    std::vector<Value> values;
    values.reserve(static_cast<size_t>(def_.input_columns) + def_.calls.size());
    for (size_t c = 0; c < def_.calls.size(); ++c) {
      LAMINAR_ASSIGN_OR_RETURN(Value value, Compute(partition, c, partition.next_emit));
      values.push_back(std::move(value));
    }
    Row& row = partition.history[static_cast<size_t>(partition.next_emit - partition.base)];
    std::vector<Value> line = std::move(row.values);
    row.values.clear();
    for (Value& value : values) line.push_back(std::move(value));
    output.push_back(std::move(line));
    ++partition.next_emit;
  }
  if (!def_.bounded) Evict(partition);
  return Status::Ok();
}

void OverOperator::Evict(Partition& partition) {
  const int64_t released_end = partition.base + static_cast<int64_t>(partition.history.size());
  int64_t needed = partition.next_emit;
  const bool next_released = partition.next_emit < released_end;
  // Rows not released yet have a time at or after the watermark.
  const int64_t next_key =
      next_released ? At(partition, partition.next_emit).range_key : watermark_;
  for (size_t c = 0; c < def_.calls.size(); ++c) {
    const OverCallDefinition& call = def_.calls[c];
    if (call.kind == OverCallDefinition::Kind::kLag) {
      needed = std::min(needed, partition.next_emit - call.offset);
    } else if (call.kind == OverCallDefinition::Kind::kLead ||
               call.kind == OverCallDefinition::Kind::kRowNumber ||
               call.kind == OverCallDefinition::Kind::kRank ||
               call.kind == OverCallDefinition::Kind::kDenseRank) {
      continue;
    } else if (call.start_unbounded) {
      needed = std::min(needed, partition.running[c].folded_to);
    } else if (call.frame_kind == sql::FrameKind::kRows) {
      needed = std::min(needed, partition.next_emit + call.start);
    } else if (call.start != 0) {
      needed = std::min(needed, LowerIndex(partition, SaturatingAdd(next_key, call.start)));
    } else if (next_released) {
      needed = std::min(needed, PeerStart(partition, partition.next_emit));
    }
  }
  while (partition.base < needed && !partition.history.empty()) {
    partition.history.pop_front();
    ++partition.base;
    --metrics_.kept_rows;
  }
}

Status OverOperator::Flush(std::vector<std::vector<Value>>& output, std::vector<int8_t>& weights,
                           OperatorOutput& out) {
  if (output.empty()) return Status::Ok();
  const Schema& schema = *def_.output_schema;
  std::vector<ColumnBuilder> builders;
  for (int c = 0; c < schema.num_fields(); ++c) {
    builders.emplace_back(schema.field(c).type);
    builders.back().Reserve(static_cast<int64_t>(output.size()));
  }
  for (const std::vector<Value>& line : output) {
    for (size_t c = 0; c < builders.size(); ++c) {
      LAMINAR_RETURN_IF_ERROR(AppendTyped(builders[c], line[c]));
    }
  }
  std::vector<Column> columns;
  for (ColumnBuilder& builder : builders) columns.push_back(builder.Finish());
  metrics_.rows_out += static_cast<int64_t>(output.size());
  output.clear();
  ChangeBatch batch;
  LAMINAR_ASSIGN_OR_RETURN(batch.rows, Batch::Make(def_.output_schema, std::move(columns)));
  batch.weights = std::move(weights);
  weights.clear();
  return out.Emit(batch);
}

Status OverOperator::OnWatermark(int /*port*/, int64_t watermark, OperatorOutput& out) {
  if (watermark <= watermark_) return Status::Ok();
  if (def_.bounded && watermark != kMaxWatermark) return Status::Ok();
  if (def_.input_changelog) {
    // Rows are emitted as they change: the input's watermark holds for the output.
    watermark_ = watermark;
    emitted_watermark_ = watermark;
    return out.EmitWatermark(watermark);
  }
  watermark_ = watermark;
  ended_ = watermark == kMaxWatermark;
  std::vector<std::vector<Value>> output;
  int64_t held = watermark;
  std::vector<Partition*> still_active;
  for (Partition* partition : active_) {
    Release(*partition, watermark);
    LAMINAR_RETURN_IF_ERROR(EmitReady(*partition, output));
    const int64_t released_end = partition->base + static_cast<int64_t>(partition->history.size());
    const bool pending = partition->next_emit < released_end;
    if (pending && !def_.bounded) held = std::min(held, At(*partition, partition->next_emit).time);
    if (pending || !partition->unreleased.empty()) {
      still_active.push_back(partition);
    } else {
      partition->active = false;
    }
  }
  active_ = std::move(still_active);
  std::vector<int8_t> no_weights;
  LAMINAR_RETURN_IF_ERROR(Flush(output, no_weights, out));
  if (held > emitted_watermark_) {
    emitted_watermark_ = held;
    return out.EmitWatermark(held);
  }
  return Status::Ok();
}

std::string OverOperator::Describe() const {
  return fmt::format("Over {} calls ({} partition keys{})", def_.calls.size(),
                     def_.partition_by.size(),
                     def_.bounded           ? ", bounded"
                     : def_.input_changelog ? ", changelog input"
                                            : "");
}

std::string OverOperator::MetricsText() const {
  std::string text = fmt::format(
      "rows in {}; late rows {}; rows out {}; buffered rows {}; kept rows {}", metrics_.rows_in,
      metrics_.late_rows, metrics_.rows_out, metrics_.buffered_rows, metrics_.kept_rows);
  if (def_.input_changelog) {
    text += fmt::format("; live rows {}; unmatched retractions {}", metrics_.live_rows,
                        metrics_.unmatched_retractions);
  }
  return text;
}

// ---------------------------------------------------------------------------------------------
// Checkpoints (format: docs/formats/operator-state.md, "OVER operator").
//
// Every mutable member, and how it comes back on Restore:
// - partitions_: per partition its key (the KeyEncoder bytes), unreleased rows, history rows,
//   base, next_emit, running accumulations, dense_rank, live rows (changelog input) and the
//   output row emitted for each live row (by sequence): all written. Rows are written value
//   by value: a history row already emitted has given its values to the output (EmitReady
//   moves them out), so the rows of one partition do not share a shape. Each row's range key
//   and time are written as they are (the range key follows from the ORDER BY value, the time
//   from the time column, but writing them costs less than deriving).
// - active_: the active partitions in order (OnWatermark emits them in that order);
//   Partition::active is derived from it.
// - dirty_ and Partition::dirty: empty / false between calls (Process recomputes and clears
//   them; checked).
// - watermark_, emitted_watermark_, ended_, next_sequence_ and metrics_: written.
// - encoder_: scratch of one call.

namespace {

constexpr uint32_t kOverStateVersion = 1;

void WriteValues(storage::StateWriter& writer, const std::vector<Value>& values) {
  writer.VarU64(values.size());
  for (const Value& value : values) writer.ValueOf(value);
}

std::vector<Value> ReadValues(storage::StateReader& reader) {
  std::vector<Value> values(reader.Count(2));
  for (Value& value : values) value = reader.ValueOf();
  return values;
}

}  // namespace

void OverOperator::WriteRow(storage::StateWriter& writer, const Row& row) const {
  WriteValues(writer, row.values);
  WriteValues(writer, row.order);
  WriteValues(writer, row.arguments);
  WriteValues(writer, row.defaults);
  writer.VarI64(row.range_key);
  writer.VarI64(row.time);
  writer.VarU64(row.sequence);
}

OverOperator::Row OverOperator::ReadRow(storage::StateReader& reader) const {
  Row row;
  row.values = ReadValues(reader);
  row.order = ReadValues(reader);
  row.arguments = ReadValues(reader);
  row.defaults = ReadValues(reader);
  row.range_key = reader.VarI64();
  row.time = reader.VarI64();
  row.sequence = reader.VarU64();
  // Compute and Ready index these by call and ORDER BY key: a row of another shape is corrupt.
  if (reader.ok() &&
      (row.order.size() != def_.order_by.size() || row.arguments.size() != def_.calls.size() ||
       row.defaults.size() != def_.calls.size() ||
       (!row.values.empty() && row.values.size() != static_cast<size_t>(def_.input_columns)))) {
    reader.Fail("a row of another shape than the OVER operator's");
  }
  return row;
}

Status OverOperator::Snapshot(storage::StateWriter& writer) const {
  if (!dirty_.empty()) {
    return Status::Error(ErrorCode::kInternal, "{}: snapshot inside a call", Describe());
  }
  writer.WriteVersion(kOverStateVersion);
  writer.I64(watermark_);
  writer.I64(emitted_watermark_);
  writer.Bool(ended_);
  writer.VarU64(next_sequence_);
  for (const int64_t counter :
       {metrics_.rows_in, metrics_.late_rows, metrics_.rows_out, metrics_.buffered_rows,
        metrics_.kept_rows, metrics_.live_rows, metrics_.unmatched_retractions}) {
    writer.VarI64(counter);
  }
  std::unordered_map<const Partition*, size_t> index_of;
  writer.VarU64(partitions_.size());
  for (const auto& [key, partition] : partitions_) {
    index_of.emplace(&partition, index_of.size());
    writer.Bytes(key);
    writer.VarU64(partition.unreleased.size());
    for (const Row& row : partition.unreleased) WriteRow(writer, row);
    writer.VarU64(partition.history.size());
    for (const Row& row : partition.history) WriteRow(writer, row);
    writer.VarI64(partition.base);
    writer.VarI64(partition.next_emit);
    writer.VarU64(partition.running.size());
    for (const Accumulation& running : partition.running) {
      writer.VarI64(running.count);
      writer.VarI64(running.integer_sum);
      writer.F64(running.double_sum);
      writer.ValueOf(running.min);
      writer.ValueOf(running.max);
      writer.VarI64(running.folded_to);
    }
    writer.VarI64(partition.dense_rank);
    writer.VarU64(partition.live.size());
    for (const Row& row : partition.live) WriteRow(writer, row);
    // By sequence: the map's own order depends on its history.
    std::vector<std::pair<uint64_t, const std::vector<Value>*>> emitted;
    emitted.reserve(partition.emitted.size());
    for (const auto& [sequence, line] : partition.emitted) emitted.emplace_back(sequence, &line);
    std::sort(emitted.begin(), emitted.end());
    writer.VarU64(emitted.size());
    for (const auto& [sequence, line] : emitted) {
      writer.VarU64(sequence);
      WriteValues(writer, *line);
    }
  }
  writer.VarU64(active_.size());
  for (const Partition* partition : active_) writer.VarU64(index_of.at(partition));
  return Status::Ok();
}

Status OverOperator::Restore(storage::StateReader& reader) {
  reader.ReadVersion(kOverStateVersion);
  watermark_ = reader.I64();
  emitted_watermark_ = reader.I64();
  ended_ = reader.Bool();
  next_sequence_ = reader.VarU64();
  for (int64_t* counter :
       {&metrics_.rows_in, &metrics_.late_rows, &metrics_.rows_out, &metrics_.buffered_rows,
        &metrics_.kept_rows, &metrics_.live_rows, &metrics_.unmatched_retractions}) {
    *counter = reader.VarI64();
  }
  std::vector<Partition*> by_index(reader.Count(8));
  for (Partition*& slot : by_index) {
    std::string key = reader.Bytes();
    if (!reader.ok()) return reader.status();
    auto [it, inserted] = partitions_.try_emplace(std::move(key));
    if (!inserted) {
      reader.Fail("a partition key repeated");
      return reader.status();
    }
    Partition& partition = it->second;
    slot = &partition;
    partition.unreleased.resize(reader.Count(7));
    for (Row& row : partition.unreleased) row = ReadRow(reader);
    const size_t history = reader.Count(7);
    for (size_t i = 0; i < history && reader.ok(); ++i)
      partition.history.push_back(ReadRow(reader));
    partition.base = reader.VarI64();
    partition.next_emit = reader.VarI64();
    const size_t running = reader.Count(13);
    if (reader.ok() && running != def_.calls.size()) reader.Fail("running aggregates per call");
    partition.running.resize(running);
    for (Accumulation& accumulation : partition.running) {
      accumulation.count = reader.VarI64();
      accumulation.integer_sum = reader.VarI64();
      accumulation.double_sum = reader.F64();
      accumulation.min = reader.ValueOf();
      accumulation.max = reader.ValueOf();
      accumulation.folded_to = reader.VarI64();
    }
    partition.dense_rank = reader.VarI64();
    partition.live.resize(reader.Count(7));
    for (Row& row : partition.live) row = ReadRow(reader);
    const size_t emitted = reader.Count(2);
    for (size_t i = 0; i < emitted && reader.ok(); ++i) {
      const uint64_t sequence = reader.VarU64();
      std::vector<Value> line = ReadValues(reader);
      if (reader.ok() && !partition.emitted.emplace(sequence, std::move(line)).second) {
        reader.Fail("an output row repeated");
      }
    }
    if (!reader.ok()) return reader.status();
    // The absolute indexes At() and Compute() use must fall on the history. (A changelog
    // input's Recompute resets the history, indexes and aggregates before using them.)
    if (def_.input_changelog) continue;
    const int64_t end = partition.base + static_cast<int64_t>(partition.history.size());
    bool consistent =
        partition.base >= 0 && partition.next_emit >= partition.base && partition.next_emit <= end;
    // Running aggregates fold on from their row; LAG and ROWS frames reach back from the next
    // row to emit: those rows are kept.
    for (size_t c = 0; c < def_.calls.size() && consistent; ++c) {
      const OverCallDefinition& call = def_.calls[c];
      using Kind = OverCallDefinition::Kind;
      const bool aggregate = call.kind != Kind::kLag && call.kind != Kind::kLead &&
                             call.kind != Kind::kRowNumber && call.kind != Kind::kRank &&
                             call.kind != Kind::kDenseRank;
      int64_t reach = partition.next_emit;
      if (call.kind == Kind::kLag) {
        reach = SaturatingAdd(partition.next_emit, -call.offset);
      } else if (aggregate && call.start_unbounded) {
        const int64_t folded_to = partition.running[c].folded_to;
        consistent = folded_to >= partition.base && folded_to <= end;
      } else if (aggregate && call.frame_kind == sql::FrameKind::kRows) {
        reach = SaturatingAdd(partition.next_emit, call.start);
      }
      consistent = consistent && partition.base <= std::max<int64_t>(0, reach);
    }
    if (!consistent) {
      reader.Fail("partition indexes outside its rows");
      return reader.status();
    }
  }
  const size_t active = reader.Count(1);
  for (size_t i = 0; i < active && reader.ok(); ++i) {
    const uint64_t index = reader.VarU64();
    if (!reader.ok()) break;
    if (index >= by_index.size() || by_index[index]->active) {
      reader.Fail("an active partition index out of range or repeated");
      break;
    }
    by_index[index]->active = true;
    active_.push_back(by_index[index]);
  }
  return reader.status();
}

}  // namespace laminar::exec
