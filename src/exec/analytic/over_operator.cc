#include "exec/analytic/over_operator.h"

#include <fmt/format.h>

#include <algorithm>
#include <deque>
#include <limits>

#include "columnar/column_builder.h"
#include "exec/operators/barrier_ids.h"
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
    it->second.id = static_cast<uint32_t>(partition_list_.size());
    partition_list_.push_back(&it->second);
    partition_keys_.push_back(&it->first);
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
      SavePartition(partition);
      Apply(partition, std::move(stored), batch.weight(row));
      continue;
    }
    if (snapshot_ != nullptr) [[unlikely]]
      NoteAppend(partition);
    partition.unreleased.push_back(std::move(stored));
    ++metrics_.buffered_rows;
    if (!partition.active) {
      partition.active = true;
      partition.activation = next_activation_++;
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
  if (snapshot_ != nullptr && (watermark == kMaxWatermark ||
                               std::any_of(partition.unreleased.begin(), partition.unreleased.end(),
                                           [&](const Row& row) { return row.time < watermark; }))) {
    SaveOwedPartition(partition);
  }
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
    SavePartition(partition);
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
  if (partition.base < needed && !partition.history.empty()) SavePartition(partition);
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
      // Nothing pending, nothing unreleased: a release or an emission in this call emptied
      // it (and saved it first, during a snapshot).
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
// - partitions_: per partition its key (the KeyEncoder bytes), whether it is active and its
//   activation, unreleased rows, history rows, base, next_emit, running accumulations,
//   dense_rank, live rows (changelog input) and the output row emitted for each live row (by
//   sequence): all written, partitions in chunks in any order. Rows are written value by
//   value: a history row already emitted has given its values to the output (EmitReady moves
//   them out), so the rows of one partition do not share a shape. Each row's range key and
//   time are written as they are (the range key follows from the ORDER BY value, the time
//   from the time column, but writing them costs less than deriving). Partition ids, and
//   partition_list_ and partition_keys_: given afresh in the order read.
// - active_: derived: the active partitions by ascending activation (see Partition).
// - dirty_ and Partition::dirty: empty / false between calls (Process recomputes and clears
//   them; checked).
// - watermark_, emitted_watermark_, ended_, next_sequence_, next_activation_ and metrics_:
//   written.
// - encoder_: scratch of one call. snapshot_: an incremental snapshot in progress, not state.

namespace {

/// 2: the head, then partitions in chunks (each with whether it is active and its
/// activation), until an empty chunk. 1 (still read): the number of partitions and every
/// partition, then the active partitions' indexes in order.
constexpr uint32_t kOverStateVersion = 2;
/// A chunk of a snapshot at the barrier closes once it holds this many rows or more.
constexpr size_t kChunkRows = size_t{1} << 16;
/// Budget units of ContinueSnapshot (8 per entry it may write): a partition costs this many,
/// and each of its rows as many again.
constexpr size_t kUnitsPerPartition = 4;
constexpr size_t kUnitsPerRow = 4;
/// An incremental snapshot is returned in pieces of about this size.
constexpr size_t kPieceBytes = size_t{1} << 20;

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

/// An incremental snapshot in progress: the head is written at the barrier; then partitions
/// copied before they changed (`saved`), and those not written yet in id order from the
/// cursor of `partitions`. A partition noted (rows appended since the barrier, nothing else
/// changed) is written with the unreleased rows, activity and activation it had then.
struct OverOperator::IncrementalSnapshot {
  struct Noted {
    size_t unreleased = 0;
    bool active = false;
    uint64_t activation = 0;
  };
  /// The partition being written: from `source` (a live partition, a copy in `saved`, or
  /// `copy` once the live one was about to change), with the unreleased rows, activity and
  /// activation it had at the barrier; `phase` 0 to write the head, then 1, 2, 3 the
  /// unreleased, history and live rows from `index`.
  struct Current {
    const Partition* source = nullptr;
    size_t unreleased = 0;
    bool active = false;
    uint64_t activation = 0;
    int phase = 0;
    size_t index = 0;
    bool from_saved = false;
    std::unique_ptr<Partition> copy;
  };
  BarrierIds partitions;
  std::vector<uint64_t> noted_bits;
  std::unordered_map<uint32_t, Noted> noted;
  std::deque<Partition> saved;  // Copies as of the barrier (ids in Partition::id); stable.
  size_t saved_written = 0;     // Those begun.
  Current current;
  storage::StateWriter writer;
  StatePieces pieces;

  bool is_noted(uint32_t id) const { return ((noted_bits[id >> 6] >> (id & 63)) & 1) != 0; }
};

OverOperator::~OverOperator() = default;

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

void OverOperator::WritePartition(storage::StateWriter& writer, const Partition& partition,
                                  size_t unreleased, bool active, uint64_t activation) const {
  WritePartitionHead(writer, partition, unreleased, active, activation);
  for (size_t i = 0; i < unreleased; ++i) WriteRow(writer, partition.unreleased[i]);
  writer.VarU64(partition.history.size());
  for (const Row& row : partition.history) WriteRow(writer, row);
  WritePartitionMiddle(writer, partition);
  for (const Row& row : partition.live) WriteRow(writer, row);
  WritePartitionTail(writer, partition);
}

void OverOperator::WritePartitionHead(storage::StateWriter& writer, const Partition& partition,
                                      size_t unreleased, bool active, uint64_t activation) const {
  writer.Bytes(*partition_keys_[partition.id]);
  writer.Bool(active);
  writer.VarU64(activation);
  writer.VarU64(unreleased);
}

/// After the history rows: the indexes, the running aggregates, the number of live rows.
void OverOperator::WritePartitionMiddle(storage::StateWriter& writer,
                                        const Partition& partition) const {
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
}

/// After the live rows: the output rows emitted for them.
void OverOperator::WritePartitionTail(storage::StateWriter& writer,
                                      const Partition& partition) const {
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

namespace {

void WriteHead(storage::StateWriter& writer, int64_t watermark, int64_t emitted_watermark,
               bool ended, uint64_t next_sequence, uint64_t next_activation,
               const OverMetrics& metrics) {
  writer.WriteVersion(kOverStateVersion);
  writer.I64(watermark);
  writer.I64(emitted_watermark);
  writer.Bool(ended);
  writer.VarU64(next_sequence);
  writer.VarU64(next_activation);
  for (const int64_t counter :
       {metrics.rows_in, metrics.late_rows, metrics.rows_out, metrics.buffered_rows,
        metrics.kept_rows, metrics.live_rows, metrics.unmatched_retractions}) {
    writer.VarI64(counter);
  }
}

size_t RowsOf(size_t unreleased, size_t history, size_t live, size_t emitted) {
  return unreleased + history + live + emitted;
}

}  // namespace

Status OverOperator::Snapshot(storage::StateWriter& writer) const {
  if (!dirty_.empty()) {
    return Status::Error(ErrorCode::kInternal, "{}: snapshot inside a call", Describe());
  }
  WriteHead(writer, watermark_, emitted_watermark_, ended_, next_sequence_, next_activation_,
            metrics_);
  size_t begin = 0;
  while (begin < partition_list_.size()) {
    size_t end = begin;
    size_t rows = 0;
    while (end < partition_list_.size() && rows < kChunkRows) {
      const Partition& partition = *partition_list_[end++];
      rows += 1 + RowsOf(partition.unreleased.size(), partition.history.size(),
                         partition.live.size(), partition.emitted.size());
    }
    writer.VarU64(end - begin);
    for (size_t id = begin; id < end; ++id) {
      const Partition& partition = *partition_list_[id];
      WritePartition(writer, partition, partition.unreleased.size(), partition.active,
                     partition.activation);
    }
    begin = end;
  }
  writer.VarU64(0);
  return Status::Ok();
}

Result<bool> OverOperator::BeginSnapshot() {
  // Bounded (ad-hoc) queries are not checkpointed; dirty partitions exist only inside a call.
  if (def_.bounded || !dirty_.empty()) return false;
  if (snapshot_ != nullptr) {
    return Status::Error(ErrorCode::kInternal, "{}: a snapshot is already in progress", Describe());
  }
  auto snapshot = std::make_unique<IncrementalSnapshot>();
  const auto count = static_cast<uint32_t>(partition_list_.size());
  snapshot->partitions.Begin(count);
  snapshot->noted_bits.assign((size_t{count} + 63) / 64, 0);
  snapshot->writer.Reserve(kPieceBytes);
  WriteHead(snapshot->writer, watermark_, emitted_watermark_, ended_, next_sequence_,
            next_activation_, metrics_);
  snapshot_ = std::move(snapshot);
  return true;
}

void OverOperator::NoteAppend(const Partition& partition) {
  IncrementalSnapshot& snapshot = *snapshot_;
  const uint32_t id = partition.id;
  if (id >= snapshot.partitions.capacity || snapshot.partitions.done(id) || snapshot.is_noted(id)) {
    return;
  }
  snapshot.noted_bits[id >> 6] |= uint64_t{1} << (id & 63);
  snapshot.noted.emplace(id, IncrementalSnapshot::Noted{partition.unreleased.size(),
                                                        partition.active, partition.activation});
}

void OverOperator::SaveOwedPartition(Partition& partition) {
  IncrementalSnapshot& snapshot = *snapshot_;
  if (snapshot.current.source == &partition) {
    // Being written, unchanged so far: the rest is written from a copy.
    snapshot.current.copy = std::make_unique<Partition>(partition);
    snapshot.current.source = snapshot.current.copy.get();
    return;
  }
  if (!snapshot.partitions.TakeOwed(partition.id)) return;
  snapshot.saved.push_back(partition);
  Partition& copy = snapshot.saved.back();
  if (snapshot.is_noted(partition.id)) {
    const IncrementalSnapshot::Noted& noted = snapshot.noted.at(partition.id);
    copy.unreleased.resize(noted.unreleased);
    copy.active = noted.active;
    copy.activation = noted.activation;
  }
}

Result<std::optional<StatePieces>> OverOperator::ContinueSnapshot(size_t max_entries) {
  if (snapshot_ == nullptr) {
    return Status::Error(ErrorCode::kInternal, "{}: no snapshot in progress", Describe());
  }
  IncrementalSnapshot& snapshot = *snapshot_;
  IncrementalSnapshot::Current& current = snapshot.current;
  storage::StateWriter& writer = snapshot.writer;
  size_t budget = std::max<size_t>(max_entries, 1) * 8;
  // Writes rows [index, count) of `rows` while the budget lasts; true once all are.
  // The rows' values are separate allocations, scattered over the heap: load a few rows
  // ahead (their vectors' data) so the misses overlap.
  constexpr size_t kPrefetchDistance = 4;
  auto write_rows = [&](const auto& rows, size_t count) {
    for (; current.index < count && budget > 0; ++current.index) {
      if (current.index + kPrefetchDistance < count) {
        const Row& ahead = rows[current.index + kPrefetchDistance];
        __builtin_prefetch(ahead.values.data());
        __builtin_prefetch(ahead.order.data());
        __builtin_prefetch(ahead.arguments.data());
        __builtin_prefetch(ahead.defaults.data());
      }
      WriteRow(writer, rows[current.index]);
      budget -= std::min(budget, kUnitsPerRow);
    }
    return current.index == count;
  };
  while (budget > 0) {
    if (current.source == nullptr) {
      // The next partition: the copies first, then partitions from the cursor (one not
      // written yet has not changed since the barrier but for the rows appended to it).
      if (snapshot.saved_written < snapshot.saved.size()) {
        const Partition& copy = snapshot.saved[snapshot.saved_written++];
        current.source = &copy;
        current.unreleased = copy.unreleased.size();
        current.active = copy.active;
        current.activation = copy.activation;
        current.from_saved = true;
      } else if (!snapshot.partitions.finished()) {
        const uint32_t id = snapshot.partitions.cursor++;
        if (snapshot.partitions.done(id)) {
          --budget;
          continue;
        }
        snapshot.partitions.mark_done(id);
        const Partition& partition = *partition_list_[id];
        current.source = &partition;
        current.unreleased = partition.unreleased.size();
        current.active = partition.active;
        current.activation = partition.activation;
        if (snapshot.is_noted(id)) {
          const IncrementalSnapshot::Noted& noted = snapshot.noted.at(id);
          current.unreleased = noted.unreleased;
          current.active = noted.active;
          current.activation = noted.activation;
        }
        current.from_saved = false;
      } else {
        break;
      }
      current.phase = 0;
      current.index = 0;
    }
    const Partition& partition = *current.source;
    if (current.phase == 0) {
      writer.VarU64(1);  // A chunk of one partition.
      WritePartitionHead(writer, partition, current.unreleased, current.active, current.activation);
      budget -= std::min(budget, kUnitsPerPartition);
      current.phase = 1;
    }
    if (current.phase == 1) {
      if (!write_rows(partition.unreleased, current.unreleased)) break;
      writer.VarU64(partition.history.size());
      current.phase = 2;
      current.index = 0;
    }
    if (current.phase == 2) {
      if (!write_rows(partition.history, partition.history.size())) break;
      WritePartitionMiddle(writer, partition);
      current.phase = 3;
      current.index = 0;
    }
    if (!write_rows(partition.live, partition.live.size())) break;
    WritePartitionTail(writer, partition);
    budget -= std::min(budget, kUnitsPerRow * partition.emitted.size());
    // Written: copies are needed no more.
    if (current.from_saved) snapshot.saved[snapshot.saved_written - 1] = Partition();
    current = IncrementalSnapshot::Current();
  }
  // Every id below the barrier's count is done once the cursor is through: nothing more can
  // be copied then.
  if (current.source == nullptr && snapshot.partitions.finished() &&
      snapshot.saved_written == snapshot.saved.size()) {
    writer.VarU64(0);
    StatePieces pieces = writer.TakePieces(snapshot.pieces);
    snapshot_.reset();
    return std::optional<StatePieces>(std::move(pieces));
  }
  writer.SetAsidePieceIfFull(snapshot.pieces, kPieceBytes);
  return std::optional<StatePieces>();
}

void OverOperator::CancelSnapshot() { snapshot_.reset(); }

void OverOperator::ReadPartitionBody(storage::StateReader& reader, Partition& partition) {
  partition.unreleased.resize(reader.Count(7));
  for (Row& row : partition.unreleased) row = ReadRow(reader);
  const size_t history = reader.Count(7);
  for (size_t i = 0; i < history && reader.ok(); ++i) partition.history.push_back(ReadRow(reader));
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
  if (!reader.ok()) return;
  // A row gives its input values to the output when it is emitted: only history rows before
  // the next to emit may have none (a changelog input's live rows never do).
  const auto input_columns = static_cast<size_t>(def_.input_columns);
  auto complete = [&](const Row& row) { return row.values.size() == input_columns; };
  bool shaped = std::all_of(partition.unreleased.begin(), partition.unreleased.end(), complete) &&
                std::all_of(partition.live.begin(), partition.live.end(), complete);
  for (size_t i = 0; i < partition.history.size() && shaped && !def_.input_changelog; ++i) {
    shaped = complete(partition.history[i]) ||
             partition.base + static_cast<int64_t>(i) < partition.next_emit;
  }
  if (!shaped) {
    reader.Fail("a row to be emitted without its values");
    return;
  }
  // The absolute indexes At() and Compute() use must fall on the history. (A changelog
  // input's Recompute resets the history, indexes and aggregates before using them.)
  if (def_.input_changelog) return;
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
  if (!consistent) reader.Fail("partition indexes outside its rows");
}

Status OverOperator::Restore(storage::StateReader& reader) {
  const uint32_t version = reader.ReadVersion(kOverStateVersion);
  watermark_ = reader.I64();
  emitted_watermark_ = reader.I64();
  ended_ = reader.Bool();
  next_sequence_ = reader.VarU64();
  if (version >= 2) next_activation_ = reader.VarU64();
  for (int64_t* counter :
       {&metrics_.rows_in, &metrics_.late_rows, &metrics_.rows_out, &metrics_.buffered_rows,
        &metrics_.kept_rows, &metrics_.live_rows, &metrics_.unmatched_retractions}) {
    *counter = reader.VarI64();
  }
  // Reads one partition (version 2: with its activity) and adds it.
  auto read_partition = [&]() -> Partition* {
    std::string key = reader.Bytes();
    bool active = false;
    uint64_t activation = 0;
    if (version >= 2) {
      active = reader.Bool();
      activation = reader.VarU64();
    }
    if (!reader.ok()) return nullptr;
    if (partitions_.count(key) != 0) {
      reader.Fail("a partition key repeated");
      return nullptr;
    }
    Partition& partition = Find(key);
    partition.active = active;
    partition.activation = activation;
    ReadPartitionBody(reader, partition);
    return reader.ok() ? &partition : nullptr;
  };
  if (version == 1) {
    std::vector<Partition*> by_index(reader.Count(8));
    for (Partition*& slot : by_index) {
      slot = read_partition();
      if (slot == nullptr) return reader.status();
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
      by_index[index]->activation = next_activation_++;
      active_.push_back(by_index[index]);
    }
    return reader.status();
  }
  for (;;) {
    const size_t count = reader.Count(8);
    if (!reader.ok() || count == 0) break;
    for (size_t i = 0; i < count; ++i) {
      if (read_partition() == nullptr) return reader.status();
    }
  }
  if (!reader.ok()) return reader.status();
  for (Partition* partition : partition_list_) {
    if (partition->active) active_.push_back(partition);
  }
  std::sort(active_.begin(), active_.end(),
            [](const Partition* a, const Partition* b) { return a->activation < b->activation; });
  for (size_t i = 0; i < active_.size(); ++i) {
    if (active_[i]->activation >= next_activation_ ||
        (i > 0 && active_[i]->activation == active_[i - 1]->activation)) {
      reader.Fail("an active partition's activation repeated or not yet given");
      break;
    }
  }
  return reader.status();
}

}  // namespace laminar::exec
