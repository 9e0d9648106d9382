#include "exec/joins/stream_join_operator.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <type_traits>

#include "columnar/column_builder.h"
#include "columnar/take.h"
#include "columnar/value.h"
#include "sql/plan/window_assignment.h"
#include "storage/state_io.h"

namespace laminar::exec {

namespace {

/// The NULL time of a row: never inside a band; its row is evicted at the next eviction.
constexpr int64_t kNullTime = std::numeric_limits<int64_t>::min();

/// Appends row `row` of `column` to `builder` (same type). The fixed-width types take an
/// inlined copy; ColumnBuilder::AppendFrom handles the rest.
Status AppendCell(ColumnBuilder& builder, const Column& column, int64_t row) {
  if (column.IsNull(row)) {
    builder.AppendNull();
    return Status::Ok();
  }
  switch (column.type().id()) {
    case TypeId::kBigInt:
    case TypeId::kDouble:
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
      builder.AppendFixed<int64_t>(column.Values<int64_t>()[row]);
      return Status::Ok();
    case TypeId::kInteger:
    case TypeId::kReal:
    case TypeId::kDate:
      builder.AppendFixed<int32_t>(column.Values<int32_t>()[row]);
      return Status::Ok();
    default:
      return builder.AppendFrom(column, row);
  }
}

/// Appends rows `rows` of `column` to `builder` (same type), in order.
Status AppendRows(ColumnBuilder& builder, const Column& column, const std::vector<uint32_t>& rows) {
  builder.Reserve(static_cast<int64_t>(rows.size()));
  if (column.values_buffer() == nullptr) {
    // Not a column this loop reads (empty): the checked path.
    for (const uint32_t row : rows) LAMINAR_RETURN_IF_ERROR(AppendCell(builder, column, row));
    return Status::Ok();
  }
  auto append = [&](auto width_tag) {
    using T = decltype(width_tag);
    const T* values = column.Values<T>();
    if (column.null_count() == 0) {
      for (const uint32_t row : rows) builder.AppendFixed<T>(values[row]);
      return;
    }
    for (const uint32_t row : rows) {
      if (column.IsNull(row)) {
        builder.AppendNull();
      } else {
        builder.AppendFixed<T>(values[row]);
      }
    }
  };
  switch (column.type().id()) {
    case TypeId::kBigInt:
    case TypeId::kDouble:
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
      append(int64_t{});
      return Status::Ok();
    case TypeId::kInteger:
    case TypeId::kReal:
    case TypeId::kDate:
      append(int32_t{});
      return Status::Ok();
    default:
      for (const uint32_t row : rows) LAMINAR_RETURN_IF_ERROR(AppendCell(builder, column, row));
      return Status::Ok();
  }
}

/// Starts loading the values of row `row` of a kept batch: partners live in older batches, so
/// copying them out misses the cache on every column unless the loads overlap.
void PrefetchRow(const Batch& batch, int64_t row) {
  for (const Column& column : batch.columns()) {
    const int width = column.type().ByteWidth();
    if (width > 0 && column.values_buffer() != nullptr) {
      __builtin_prefetch(column.values_buffer()->data() + (column.offset() + row) * width);
    }
  }
}

}  // namespace

StreamJoinOperator::StreamJoinOperator(StreamJoinDefinition definition)
    : def_(std::move(definition)), encoder_(def_.key_types) {
  for (const Field& field : def_.output_schema->fields()) {
    output_columns_.emplace_back(field.type);
  }
  for (int side = 0; side < 2; ++side) {
    const Schema& schema = side == 0 ? *def_.left_schema : *def_.right_schema;
    Side& s = sides_[side];
    int inlined = 0;
    for (const Field& field : schema.fields()) {
      const bool fits = field.type.ByteWidth() > 0 && field.type.ByteWidth() <= 8 && inlined < 64;
      s.inline_index.push_back(fits ? inlined++ : -1);
    }
    s.inline_stride = inlined == 0 ? 0 : inlined + 1;
    s.inline_values = ChunkedArray<uint64_t, false>(static_cast<size_t>(s.inline_stride));
  }
}

bool StreamJoinOperator::Padded(int side) const {
  using sql::JoinKind;
  if (def_.kind == JoinKind::kFull) return true;
  return side == 0 ? def_.kind == JoinKind::kLeft : def_.kind == JoinKind::kRight;
}

bool StreamJoinOperator::KeepsRight() const {
  return def_.kind != sql::JoinKind::kSemi && def_.kind != sql::JoinKind::kAnti;
}

std::string StreamJoinOperator::Describe() const {
  std::string text = fmt::format("{} {} keys={}", interval() ? "IntervalJoin" : "RegularJoin",
                                 sql::JoinKindName(def_.kind), def_.key_types.size());
  if (def_.condition) text += " residual";
  if (def_.time_bound) {
    text += fmt::format(" time_bound=[{}, {}]", sql::FormatDurationMicros(def_.time_bound->lower),
                        sql::FormatDurationMicros(def_.time_bound->upper));
  }
  if (def_.state_ttl_micros) {
    text += fmt::format(" state_ttl={} (expired keys are forgotten without retraction)",
                        sql::FormatDurationMicros(*def_.state_ttl_micros));
  }
  return text;
}

std::string StreamJoinOperator::MetricsText() const {
  return fmt::format(
      "rows in left {}; rows in right {}; rows out {}; late rows {}; late rows dropped {}; "
      "evicted rows {}; expired rows {}; unmatched retractions {}; live rows left {}; live rows "
      "right {}; live keys {}",
      metrics_.rows_in[0], metrics_.rows_in[1], metrics_.rows_out, metrics_.late_rows,
      metrics_.dropped_late_rows, metrics_.evicted_rows, metrics_.expired_rows,
      metrics_.unmatched_retractions, sides_[0].live_rows, sides_[1].live_rows, keys_.size());
}

// ---------------------------------------------------------------------------------------------
// State

Status StreamJoinOperator::ComputeKeys(int side, const Batch& batch, std::vector<uint32_t>* keys,
                                       bool insert) {
  const int64_t num_rows = batch.num_rows();
  keys->assign(static_cast<size_t>(num_rows), kNone);
  const std::vector<ExpressionEvaluator>& evaluators = side == 0 ? def_.left_keys : def_.right_keys;
  auto slot_of = [&](std::string_view key, uint64_t hash) {
    if (!insert) return keys_.Find(key, hash);
    bool inserted = false;
    const uint32_t slot = keys_.FindOrInsert(key, hash, &inserted);
    if (inserted) {
      if (snapshot_ != nullptr && slot < snapshot_->key_capacity &&
          snapshot_->key_marks[slot] == 0) {
        snapshot_->key_marks[slot] = 2;  // A key since the barrier.
      }
      if (slot >= key_states_.size()) key_states_.Resize(slot + 1);
      // A reused slot may still have an entry in expiry_: it stays queued.
      const bool expiry_queued = key_states_[slot].expiry_queued;
      key_states_[slot] = KeyState{};
      key_states_[slot].expiry_queued = expiry_queued;
    }
    return slot;
  };
  if (evaluators.empty()) {
    const uint64_t hash = state::GroupTable::Hash({});
    const uint32_t slot = slot_of({}, hash);
    std::fill(keys->begin(), keys->end(), slot);
    return Status::Ok();
  }
  std::vector<Column> columns;
  columns.reserve(evaluators.size());
  bool any_null = false;
  for (const ExpressionEvaluator& evaluator : evaluators) {
    LAMINAR_ASSIGN_OR_RETURN(Column column, evaluator.Evaluate(batch));
    any_null = any_null || column.null_count() > 0;
    columns.push_back(std::move(column));
  }
  std::vector<uint32_t> rows;
  if (any_null) {
    for (int64_t row = 0; row < num_rows; ++row) {
      bool has_null = false;
      for (const Column& column : columns) has_null = has_null || column.IsNull(row);
      if (!has_null) rows.push_back(static_cast<uint32_t>(row));
    }
    if (rows.empty()) return Status::Ok();
  }
  encoder_.Encode(columns, rows, {});
  const size_t encoded = encoder_.size();
  constexpr size_t kPrefetchDistance = 8;
  for (size_t i = 0; i < encoded; ++i) {
    if (i + kPrefetchDistance < encoded) keys_.Prefetch(encoder_.hash(i + kPrefetchDistance));
    const size_t row = rows.empty() ? i : rows[i];
    (*keys)[row] = slot_of(encoder_.key(i), encoder_.hash(i));
  }
  return Status::Ok();
}

uint32_t StreamJoinOperator::StoreBatch(int side, const Batch& batch) {
  Side& s = sides_[side];
  uint32_t id;
  if (!s.free_batches.empty()) {
    id = s.free_batches.back();
    s.free_batches.pop_back();
    s.batches[id] = StoredBatch{batch, 0};
  } else {
    id = static_cast<uint32_t>(s.batches.size());
    s.batches.push_back(StoredBatch{batch, 0});
  }
  return id;
}

uint32_t StreamJoinOperator::StoreRow(int side, uint32_t batch, uint32_t row, uint32_t key,
                                      int64_t time) {
  Side& s = sides_[side];
  uint32_t id;
  if (!s.free_rows.empty()) {
    id = s.free_rows.back();
    if (snapshot_ != nullptr) [[unlikely]] {
      // The first pop of a position below the barrier's free ids keeps its id for the snapshot.
      SideSnapshot& saving = snapshot_->sides[side];
      const size_t position = s.free_rows.size() - 1;
      if (position < saving.free_low) {
        saving.free_saved.push_back(id);
        saving.free_low = position;
      }
      if (id < saving.row_capacity && saving.row_marks[id] == 0) saving.row_marks[id] = 2;
    }
    s.free_rows.pop_back();
  } else {
    id = static_cast<uint32_t>(s.rows.size());
    s.rows.Resize(id + 1);
  }
  StoredRow& stored = s.rows[id];
  stored = StoredRow{batch, row, key, kNone, kNone, time, 0};
  if (key != kNone) {
    SaveKeyBeforeChange(key);
    uint32_t& head = key_states_[key].head[side];
    stored.next = head;
    if (head != kNone) s.rows[head].previous = id;
    head = id;
  }
  ++s.batches[batch].live;
  ++s.live_rows;
  return id;
}

void StreamJoinOperator::UnlinkRow(int side, uint32_t id) {
  Side& s = sides_[side];
  StoredRow& stored = s.rows[id];
  if (stored.key == kNone) return;
  SaveBeforeChange(side, id);
  if (stored.previous != kNone) {
    SaveBeforeChange(side, stored.previous);
    s.rows[stored.previous].next = stored.next;
  } else {
    SaveKeyBeforeChange(stored.key);
    key_states_[stored.key].head[side] = stored.next;
  }
  if (stored.next != kNone) s.rows[stored.next].previous = stored.previous;
  stored.previous = kNone;
  stored.next = kNone;
}

void StreamJoinOperator::FreeRow(int side, uint32_t id) {
  SaveBeforeChange(side, id);
  Side& s = sides_[side];
  StoredBatch& batch = s.batches[s.rows[id].batch];
  if (--batch.live == 0) {
    batch.rows = Batch();
    s.free_batches.push_back(s.rows[id].batch);
  }
  s.rows[id].batch = kNone;
  s.free_rows.push_back(id);
  --s.live_rows;
}

void StreamJoinOperator::ReleaseKeyIfEmpty(uint32_t key) {
  if (key == kNone || !keys_.IsLive(key)) return;
  const KeyState& state = key_states_[key];
  if (state.head[0] == kNone && state.head[1] == kNone) keys_.Erase(key);
}

uint32_t StreamJoinOperator::FindEqualRow(int side, uint32_t key, const Batch& batch,
                                          uint32_t row) const {
  const Side& s = sides_[side];
  for (uint32_t id = key_states_[key].head[side]; id != kNone; id = s.rows[id].next) {
    const StoredRow& stored = s.rows[id];
    const Batch& kept = s.batches[stored.batch].rows;
    bool equal = true;
    for (int c = 0; c < batch.num_columns() && equal; ++c) {
      equal = SameDatum(kept.column(c).GetValue(stored.row), batch.column(c).GetValue(row));
    }
    if (equal) return id;
  }
  return kNone;
}

void StreamJoinOperator::StoreInlineValues(int side, uint32_t batch_id, const Batch& batch,
                                           const std::vector<uint32_t>& ids) {
  Side& s = sides_[side];
  if (s.inline_stride == 0) return;
  s.inline_values.Resize(s.rows.size());
  // The rows still stored: one removed again later in the batch has lost its id (which a later
  // row may have taken).
  std::vector<uint32_t>& rows = inline_rows_scratch_;
  rows.clear();
  for (size_t row = 0; row < ids.size(); ++row) {
    if (ids[row] == kNone) continue;
    const StoredRow& stored = s.rows[ids[row]];
    if (stored.batch != batch_id || stored.row != row) continue;
    rows.push_back(static_cast<uint32_t>(row));
    s.inline_values.Record(ids[row])[0] = 0;
  }
  // Column by column: the column's width and NULLs are looked at once, not once per row.
  for (int c = 0; c < batch.num_columns(); ++c) {
    const int index = s.inline_index[c];
    if (index < 0) continue;
    const Column& column = batch.column(c);
    const bool has_nulls = column.null_count() > 0;
    const uint64_t null_bit = uint64_t{1} << index;
    auto store = [&](auto width_tag) {
      using Unsigned = std::make_unsigned_t<decltype(width_tag)>;
      // A column of NULLs only may have no values buffer.
      const Unsigned* values =
          column.values_buffer() != nullptr ? column.Values<Unsigned>() : nullptr;
      for (const uint32_t row : rows) {
        uint64_t* record = s.inline_values.Record(ids[row]);
        if (has_nulls && column.IsNull(static_cast<int64_t>(row))) {
          record[0] |= null_bit;
          record[1 + index] = 0;
        } else {
          record[1 + index] = values[row];  // Zero-extended.
        }
      }
    };
    switch (column.type().ByteWidth()) {
      case 1:
        store(int8_t{});
        break;
      case 2:
        store(int16_t{});
        break;
      case 4:
        store(int32_t{});
        break;
      default:
        store(int64_t{});
        break;
    }
  }
}

Status StreamJoinOperator::AppendStoredColumn(ColumnBuilder& builder, int side, int column,
                                              const std::vector<uint32_t>& ids) const {
  const Side& s = sides_[side];
  const int index = s.inline_index[column];
  if (index < 0) {
    for (const uint32_t id : ids) {
      const RowReference reference = Reference(side, id);
      LAMINAR_RETURN_IF_ERROR(AppendCell(builder, reference.batch->column(column), reference.row));
    }
    return Status::Ok();
  }
  builder.Reserve(static_cast<int64_t>(ids.size()));
  const uint64_t null_bit = uint64_t{1} << index;
  auto append = [&](auto width_tag) {
    using T = decltype(width_tag);
    for (const uint32_t id : ids) {
      const uint64_t* record = s.inline_values.Record(id);
      if (record[0] & null_bit) {
        builder.AppendNull();
      } else {
        builder.AppendFixed<T>(static_cast<T>(record[1 + index]));
      }
    }
  };
  const Schema& schema = side == 0 ? *def_.left_schema : *def_.right_schema;
  switch (schema.field(column).type.ByteWidth()) {
    case 1:
      append(int8_t{});
      break;
    case 2:
      append(int16_t{});
      break;
    case 4:
      append(int32_t{});
      break;
    default:
      append(int64_t{});
      break;
  }
  return Status::Ok();
}

StreamJoinOperator::RowReference StreamJoinOperator::Reference(int side, uint32_t id) const {
  const StoredRow& stored = sides_[side].rows[id];
  return RowReference{&sides_[side].batches[stored.batch].rows, stored.row};
}

// ---------------------------------------------------------------------------------------------
// Output

Status StreamJoinOperator::AppendOutput(RowReference left, RowReference right, int weight) {
  const int left_width = def_.left_schema->num_fields();
  for (int c = 0; c < left_width; ++c) {
    if (left.batch != nullptr) {
      LAMINAR_RETURN_IF_ERROR(AppendCell(output_columns_[c], left.batch->column(c), left.row));
    } else {
      output_columns_[c].AppendNull();
    }
  }
  if (KeepsRight()) {
    const int right_width = def_.right_schema->num_fields();
    for (int c = 0; c < right_width; ++c) {
      ColumnBuilder& builder = output_columns_[left_width + c];
      if (right.batch != nullptr) {
        LAMINAR_RETURN_IF_ERROR(AppendCell(builder, right.batch->column(c), right.row));
      } else {
        builder.AppendNull();
      }
    }
  }
  output_weights_.push_back(static_cast<int8_t>(weight));
  output_all_positive_ = output_all_positive_ && weight > 0;
  return Status::Ok();
}

Status StreamJoinOperator::FlushOutput(OperatorOutput& out) {
  if (output_weights_.empty()) return Status::Ok();
  std::vector<Column> columns;
  columns.reserve(output_columns_.size());
  for (ColumnBuilder& builder : output_columns_) columns.push_back(builder.Finish());
  ChangeBatch batch;
  if (columns.empty()) {
    batch.rows =
        Batch::MakeWithoutColumns(def_.output_schema, static_cast<int64_t>(output_weights_.size()));
  } else {
    LAMINAR_ASSIGN_OR_RETURN(batch.rows, Batch::Make(def_.output_schema, std::move(columns)));
  }
  if (!output_all_positive_) batch.weights = std::move(output_weights_);
  output_weights_.clear();
  output_all_positive_ = true;
  metrics_.rows_out += batch.num_rows();
  return out.Emit(batch);
}

// ---------------------------------------------------------------------------------------------
// Processing

Status StreamJoinOperator::Process(int port, const ChangeBatch& batch, OperatorOutput& out) {
  const int side = port;
  const int other = 1 - port;
  const int64_t num_rows = batch.num_rows();
  metrics_.rows_in[side] += num_rows;
  if (num_rows == 0) return Status::Ok();
  if (interval() && !batch.append_only()) {
    return Status::Error(ErrorCode::kInternal, "an interval join received a retraction");
  }
  // Keys past their TTL go first, whenever the timer would have fired.
  if (def_.state_ttl_micros) LAMINAR_RETURN_IF_ERROR(ExpireKeys(def_.clock->NowMicros()));
  const uint32_t batch_id = StoreBatch(side, batch.rows);
  const Batch& kept = sides_[side].batches[batch_id].rows;
  // Pinned while this call reads it: a retraction may free a row the batch itself added.
  ++sides_[side].batches[batch_id].live;

  // The per-batch arrays live in scratch_ to save their allocations: Process is not re-entered.
  std::vector<uint32_t>& keys = scratch_.keys;
  LAMINAR_RETURN_IF_ERROR(ComputeKeys(side, kept, &keys, true));

  // Event times of the band's column (interval joins).
  std::vector<int64_t>& times = scratch_.times;
  if (interval()) {
    const int column =
        side == 0 ? def_.time_bound->left_time_column : def_.time_bound->right_time_column;
    const Column& time_column = kept.column(column);
    const int64_t* values = time_column.Values<int64_t>();
    times.resize(static_cast<size_t>(num_rows));
    for (int64_t row = 0; row < num_rows; ++row) {
      times[row] = time_column.IsNull(row) ? kNullTime : values[row];
      if (times[row] < sides_[side].watermark) ++metrics_.late_rows;
    }
  }
  const bool keep_unkeyed =
      interval() && (Padded(side) || (side == 0 && def_.kind == sql::JoinKind::kAnti));
  const int64_t now = def_.state_ttl_micros ? def_.clock->NowMicros() : 0;

  // Phase 1, in row order: store added rows, remove retracted ones.
  std::vector<uint8_t>& skipped = scratch_.skipped;
  skipped.assign(static_cast<size_t>(num_rows), 0);
  std::vector<uint32_t>& stored_ids = scratch_.stored_ids;
  stored_ids.assign(static_cast<size_t>(num_rows), kNone);
  constexpr int64_t kKeyPrefetchDistance = 8;
  bool dropped_rows = false;  // A late row was dropped: its key may be left without rows.
  for (int64_t row = 0; row < num_rows; ++row) {
    // Two stages: the key state of a later row, then (its state loaded by now) the row that
    // StoreRow links the new one in front of.
    if (row + 2 * kKeyPrefetchDistance < num_rows &&
        keys[row + 2 * kKeyPrefetchDistance] != kNone) {
      __builtin_prefetch(&key_states_[keys[row + 2 * kKeyPrefetchDistance]]);
    }
    if (row + kKeyPrefetchDistance < num_rows && keys[row + kKeyPrefetchDistance] != kNone) {
      const uint32_t head = key_states_[keys[row + kKeyPrefetchDistance]].head[side];
      if (head != kNone) __builtin_prefetch(&sides_[side].rows[head]);
    }
    const uint32_t key = keys[row];
    const int64_t time = interval() ? times[row] : 0;
    if (batch.weight(row) > 0) {
      if (interval() && time != kNullTime && time < output_watermark_) {
        skipped[row] = 1;
        ++metrics_.dropped_late_rows;
        dropped_rows = true;
        continue;
      }
      if (key == kNone && !keep_unkeyed) continue;
      const uint32_t id = StoreRow(side, batch_id, static_cast<uint32_t>(row), key, time);
      stored_ids[row] = id;
      if (interval()) {
        sides_[side].eviction.Push(EvictionTime(side, time), id);
      }
    } else if (key != kNone) {
      const uint32_t id = FindEqualRow(side, key, kept, static_cast<uint32_t>(row));
      if (id == kNone) {
        skipped[row] = 1;
        ++metrics_.unmatched_retractions;
        continue;
      }
      UnlinkRow(side, id);
      FreeRow(side, id);
    }
    if (def_.state_ttl_micros && key != kNone) {
      SaveKeyBeforeChange(key);
      key_states_[key].touched = now;
      if (!key_states_[key].expiry_queued) {
        key_states_[key].expiry_queued = true;
        expiry_.emplace(SaturatingAdd(now, *def_.state_ttl_micros), key);
      }
    }
  }

  StoreInlineValues(side, batch_id, kept, stored_ids);

  // Phase 2: candidate pairs (row of this batch, stored row of the other side).
  std::vector<uint32_t>& pair_rows = scratch_.pair_rows;
  std::vector<uint32_t>& pair_partners = scratch_.pair_partners;
  pair_rows.clear();
  pair_partners.clear();
  const Side& partners = sides_[other];
  for (int64_t row = 0; row < num_rows; ++row) {
    // The key states are in cache from phase 1; the first partner of a later row is not.
    if (row + kKeyPrefetchDistance < num_rows && keys[row + kKeyPrefetchDistance] != kNone) {
      const uint32_t head = key_states_[keys[row + kKeyPrefetchDistance]].head[other];
      if (head != kNone) __builtin_prefetch(&partners.rows[head]);
    }
    const uint32_t key = keys[row];
    if (key == kNone || skipped[row]) continue;
    for (uint32_t id = key_states_[key].head[other]; id != kNone; id = partners.rows[id].next) {
      if (interval()) {
        const int64_t time = times[row];
        const int64_t partner_time = partners.rows[id].time;
        if (time == kNullTime || partner_time == kNullTime) continue;
        const __int128 left_time = side == 0 ? time : partner_time;
        const __int128 right_time = side == 0 ? partner_time : time;
        const __int128 difference = right_time - left_time;
        if (difference < def_.time_bound->lower || difference > def_.time_bound->upper) continue;
      }
      pair_rows.push_back(static_cast<uint32_t>(row));
      pair_partners.push_back(id);
      if (partners.inline_stride > 0) {
        __builtin_prefetch(partners.inline_values.Record(id));
      }
    }
  }

  // The residual condition over the pairs, in one evaluation.
  SelectionVector selection;
  std::optional<Batch> pairs;
  if (def_.condition && !pair_rows.empty()) {
    SelectionVector own(pair_rows);
    LAMINAR_ASSIGN_OR_RETURN(Batch own_columns, Take(kept, own));
    const Schema& partner_schema = side == 0 ? *def_.right_schema : *def_.left_schema;
    std::vector<Column> partner_columns;
    for (int c = 0; c < partner_schema.num_fields(); ++c) {
      ColumnBuilder builder(partner_schema.field(c).type);
      builder.Reserve(static_cast<int64_t>(pair_partners.size()));
      LAMINAR_RETURN_IF_ERROR(AppendStoredColumn(builder, other, c, pair_partners));
      partner_columns.push_back(builder.Finish());
    }
    std::vector<Column> columns;
    std::vector<Field> fields;
    const std::vector<Column>& first = side == 0 ? own_columns.columns() : partner_columns;
    const std::vector<Column>& second = side == 0 ? partner_columns : own_columns.columns();
    for (const Column& column : first) columns.push_back(column);
    for (const Column& column : second) columns.push_back(column);
    for (const Field& field : def_.left_schema->fields()) fields.push_back(field);
    for (const Field& field : def_.right_schema->fields()) fields.push_back(field);
    for (Field& field : fields) field.nullable = true;
    LAMINAR_ASSIGN_OR_RETURN(Batch pair_batch,
                             Batch::Make(Schema::Make(std::move(fields)), std::move(columns)));
    LAMINAR_RETURN_IF_ERROR(def_.condition->FilterAll(pair_batch, &selection));
    pairs = std::move(pair_batch);
  } else {
    selection = SelectionVector::Identity(static_cast<int64_t>(pair_rows.size()));
  }

  // Phase 3: outputs of the matching pairs and of the partners' match counts.
  using sql::JoinKind;
  const JoinKind kind = def_.kind;
  std::vector<int64_t> matches(static_cast<size_t>(num_rows), 0);
  const int left_width = def_.left_schema->num_fields();
  // When the pairs are the only outputs here (no padded partner rows come and go, no semi or
  // anti rows), the output columns are gathered one at a time.
  const bool columnwise = KeepsRight() && (interval() || !Padded(other));
  if (columnwise && !selection.empty()) {
    std::vector<uint32_t>& selected = scratch_.selected;
    selected.resize(static_cast<size_t>(selection.size()));
    for (int64_t i = 0; i < selection.size(); ++i) selected[i] = selection[i];
    if (pairs) {
      // The pairs are already materialised: gather from the condition's input.
      for (int c = 0; c < pairs->num_columns(); ++c) {
        LAMINAR_RETURN_IF_ERROR(AppendRows(output_columns_[c], pairs->column(c), selected));
      }
    } else {
      std::vector<uint32_t>& own_rows = scratch_.own_rows;
      std::vector<uint32_t>& partner_ids = scratch_.partner_ids;
      own_rows.resize(selected.size());
      partner_ids.resize(selected.size());
      for (size_t i = 0; i < selected.size(); ++i) {
        own_rows[i] = pair_rows[selected[i]];
        partner_ids[i] = pair_partners[selected[i]];
      }
      const int own_start = side == 0 ? 0 : left_width;
      const int partner_start = side == 0 ? left_width : 0;
      for (int c = 0; c < kept.num_columns(); ++c) {
        LAMINAR_RETURN_IF_ERROR(
            AppendRows(output_columns_[own_start + c], kept.column(c), own_rows));
      }
      const Schema& partner_schema = side == 0 ? *def_.right_schema : *def_.left_schema;
      for (int c = 0; c < partner_schema.num_fields(); ++c) {
        LAMINAR_RETURN_IF_ERROR(
            AppendStoredColumn(output_columns_[partner_start + c], other, c, partner_ids));
      }
    }
    for (const uint32_t pair : selected) {
      const int weight = batch.weight(pair_rows[pair]);
      output_weights_.push_back(static_cast<int8_t>(weight));
      output_all_positive_ = output_all_positive_ && weight > 0;
    }
  }
  // Inner joins never read match counts (no padded, semi or anti rows): nothing is left to do
  // for the pairs, nor for this batch's rows.
  const bool counts_matches = kind != JoinKind::kInner;
  constexpr int64_t kPrefetchDistance = 8;
  for (int64_t i = 0; i < (counts_matches ? selection.size() : 0); ++i) {
    if (!columnwise && !pairs && i + kPrefetchDistance < selection.size()) {
      const StoredRow& ahead = sides_[other].rows[pair_partners[selection[i + kPrefetchDistance]]];
      PrefetchRow(sides_[other].batches[ahead.batch].rows, ahead.row);
    }
    const uint32_t pair = selection[i];
    const uint32_t row = pair_rows[pair];
    const uint32_t partner = pair_partners[pair];
    const int weight = batch.weight(row);
    const RowReference own{&kept, row};
    const RowReference partner_reference = columnwise ? RowReference{} : Reference(other, partner);
    if (KeepsRight() && !columnwise) {
      if (pairs) {
        // The pair is already materialised: copy it from the condition's input.
        for (int c = 0; c < pairs->num_columns(); ++c) {
          LAMINAR_RETURN_IF_ERROR(AppendCell(output_columns_[c], pairs->column(c), pair));
        }
        output_weights_.push_back(static_cast<int8_t>(weight));
        output_all_positive_ = output_all_positive_ && weight > 0;
      } else if (side == 0) {
        LAMINAR_RETURN_IF_ERROR(AppendOutput(own, partner_reference, weight));
      } else {
        LAMINAR_RETURN_IF_ERROR(AppendOutput(partner_reference, own, weight));
      }
    }
    ++matches[row];
    SaveBeforeChange(other, partner);
    StoredRow& stored = sides_[other].rows[partner];
    const int64_t before = stored.matches;
    stored.matches += weight;
    const bool first = before == 0 && stored.matches > 0;
    const bool last = before > 0 && stored.matches == 0;
    // Columnwise: none of the outputs below can occur (see `columnwise`).
    if (!interval() && Padded(other) && (first || last)) {
      const RowReference none;
      LAMINAR_RETURN_IF_ERROR(other == 0 ? AppendOutput(partner_reference, none, first ? -1 : 1)
                                         : AppendOutput(none, partner_reference, first ? -1 : 1));
    }
    if (other == 0 && kind == JoinKind::kSemi && (first || (last && !interval()))) {
      LAMINAR_RETURN_IF_ERROR(AppendOutput(partner_reference, RowReference{}, first ? 1 : -1));
    }
    if (other == 0 && kind == JoinKind::kAnti && !interval() && (first || last)) {
      LAMINAR_RETURN_IF_ERROR(AppendOutput(partner_reference, RowReference{}, first ? -1 : 1));
    }
  }
  (void)left_width;

  // Phase 4: outputs of this batch's rows themselves.
  for (int64_t row = 0; row < (counts_matches ? num_rows : 0); ++row) {
    if (skipped[row]) continue;
    const int weight = batch.weight(row);
    const int64_t count = matches[row];
    // (A row stored by this batch: no snapshot in progress holds it.)
    if (stored_ids[row] != kNone) sides_[side].rows[stored_ids[row]].matches = count;
    const RowReference own{&kept, static_cast<uint32_t>(row)};
    if (!interval() && Padded(side) && count == 0) {
      LAMINAR_RETURN_IF_ERROR(side == 0 ? AppendOutput(own, RowReference{}, weight)
                                        : AppendOutput(RowReference{}, own, weight));
    }
    if (side == 0 && kind == JoinKind::kSemi && count > 0) {
      LAMINAR_RETURN_IF_ERROR(AppendOutput(own, RowReference{}, weight));
    }
    if (side == 0 && kind == JoinKind::kAnti && !interval() && count == 0) {
      LAMINAR_RETURN_IF_ERROR(AppendOutput(own, RowReference{}, weight));
    }
  }

  // Keys left without rows, and the batch when none of its rows stayed. Without retractions
  // or dropped late rows every keyed row of the batch is stored, so no key of the batch can be
  // empty.
  if (!batch.append_only() || dropped_rows) {
    for (int64_t row = 0; row < num_rows; ++row) ReleaseKeyIfEmpty(keys[row]);
  }
  StoredBatch& stored_batch = sides_[side].batches[batch_id];
  if (--stored_batch.live == 0) {
    stored_batch.rows = Batch();
    sides_[side].free_batches.push_back(batch_id);
  }
  if (interval()) LAMINAR_RETURN_IF_ERROR(Evict(out));
  return FlushOutput(out);
}

Status StreamJoinOperator::Evict(OperatorOutput& out) {
  for (int side = 0; side < 2; ++side) {
    Side& s = sides_[side];
    const int64_t watermark = sides_[1 - side].watermark;
    // Collected first (in eviction order), so that the rows and their keys' states, scattered
    // over the state, can be loaded a few rows ahead.
    std::vector<uint32_t>& expired = eviction_scratch_;
    expired.clear();
    while (!s.eviction.Empty() &&
           (watermark == kMaxWatermark || s.eviction.Top().first < watermark)) {
      const auto [entry, from_fifo] = s.eviction.PopTop();
      expired.push_back(entry.second);
      if (from_fifo && snapshot_ != nullptr) [[unlikely]] {
        // An entry of the barrier's FIFO the snapshot has yet to write waits for it.
        SideSnapshot& saving = snapshot_->sides[side];
        const uint64_t number = s.eviction.in_order_popped() - 1;
        if (number >= saving.fifo_cursor && number < saving.fifo_end) {
          saving.fifo_saved.emplace_back(number, entry.second);
        }
      }
    }
    constexpr size_t kPrefetchDistance = 8;
    for (size_t i = 0; i < expired.size(); ++i) {
      if (i + 2 * kPrefetchDistance < expired.size()) {
        __builtin_prefetch(&s.rows[expired[i + 2 * kPrefetchDistance]]);
      }
      if (i + kPrefetchDistance < expired.size()) {
        const StoredRow& ahead = s.rows[expired[i + kPrefetchDistance]];
        if (ahead.key != kNone) __builtin_prefetch(&key_states_[ahead.key]);
        if (ahead.previous != kNone) __builtin_prefetch(&s.rows[ahead.previous]);
        if (ahead.next != kNone) __builtin_prefetch(&s.rows[ahead.next]);
      }
      const uint32_t id = expired[i];
      const StoredRow& stored = s.rows[id];
      if (stored.matches == 0) {
        const RowReference reference = Reference(side, id);
        if (Padded(side)) {
          LAMINAR_RETURN_IF_ERROR(side == 0 ? AppendOutput(reference, RowReference{}, 1)
                                            : AppendOutput(RowReference{}, reference, 1));
        } else if (side == 0 && def_.kind == sql::JoinKind::kAnti) {
          LAMINAR_RETURN_IF_ERROR(AppendOutput(reference, RowReference{}, 1));
        }
      }
      const uint32_t key = stored.key;
      UnlinkRow(side, id);
      FreeRow(side, id);
      ReleaseKeyIfEmpty(key);
      ++metrics_.evicted_rows;
    }
  }
  (void)out;
  return Status::Ok();
}

Status StreamJoinOperator::OnWatermark(int port, int64_t watermark, OperatorOutput& out) {
  Side& s = sides_[port];
  s.watermark = std::max(s.watermark, watermark);
  if (interval()) LAMINAR_RETURN_IF_ERROR(Evict(out));
  LAMINAR_RETURN_IF_ERROR(FlushOutput(out));
  return EmitWatermark(out);
}

Status StreamJoinOperator::EmitWatermark(OperatorOutput& out) {
  int64_t watermark = std::min(sides_[0].watermark, sides_[1].watermark);
  if (interval()) {
    // A row still in state may yet be emitted (paired or padded) with its own time.
    if (!sides_[0].eviction.Empty()) {
      watermark = std::min(watermark,
                           SaturatingAdd(sides_[0].eviction.Top().first, -def_.time_bound->upper));
    }
    if (!sides_[1].eviction.Empty()) {
      watermark = std::min(watermark,
                           SaturatingAdd(sides_[1].eviction.Top().first, def_.time_bound->lower));
    }
  }
  if (watermark <= output_watermark_) return Status::Ok();
  output_watermark_ = watermark;
  return out.EmitWatermark(watermark);
}

int64_t StreamJoinOperator::NextTimerMicros() const {
  return expiry_.empty() ? kMaxWatermark : expiry_.top().first;
}

Status StreamJoinOperator::OnTimer(int64_t now_micros, OperatorOutput& out) {
  (void)out;
  return ExpireKeys(now_micros);
}

Status StreamJoinOperator::ExpireKeys(int64_t now) {
  if (!def_.state_ttl_micros) return Status::Ok();
  while (!expiry_.empty() && expiry_.top().first <= now) {
    const uint32_t key = expiry_.top().second;
    expiry_.pop();
    KeyState& state = key_states_[key];
    state.expiry_queued = false;
    if (!keys_.IsLive(key)) continue;
    const int64_t expires = SaturatingAdd(state.touched, *def_.state_ttl_micros);
    if (expires > now) {
      state.expiry_queued = true;
      expiry_.emplace(expires, key);
      continue;
    }
    SaveKeyBeforeChange(key);
    for (int side = 0; side < 2; ++side) {
      uint32_t id = state.head[side];
      while (id != kNone) {
        const uint32_t next = sides_[side].rows[id].next;
        FreeRow(side, id);
        ++metrics_.expired_rows;
        id = next;
      }
      state.head[side] = kNone;
    }
    keys_.Erase(key);
  }
  return Status::Ok();
}

int64_t StreamJoinOperator::EvictionTime(int side, int64_t time) const {
  if (time == kNullTime) return kNullTime;
  return side == 0 ? SaturatingAdd(time, def_.time_bound->upper)
                   : SaturatingAdd(time, -def_.time_bound->lower);
}

// ---------------------------------------------------------------------------------------------
// Checkpoints (format: docs/formats/operator-state.md, "Stream join operator").
//
// Every mutable member, and how it comes back on Restore:
// - sides_[s].rows, .batches, .inline_values: the live rows, written column by column in
//   chunks (rebuilt into fresh kept batches and inline records), each with its id, its match
//   count and its successor in its key's list (whose order is the order partners are output
//   in). StoredRow::time is recomputed from the row's time column, StoredRow::key from the key
//   expressions, previous and each key's head from the successors. free_batches: derived
//   (fresh batches).
// - sides_[s].free_rows: written, in order. Which id the next row takes decides the order of
//   rows with equal eviction times in the heap part of the eviction queue.
// - sides_[s].eviction: the ids of its FIFO part in order; its heap part holds every other
//   live row (its order is that of (time, id)); the eviction times are recomputed from the
//   rows' times.
// - sides_[s].watermark: written; live_rows: derived (the rows read); inline_stride and
//   inline_index: fixed by the definition.
// - keys_, key_states_[k].head: rebuilt from the rows' keys. touched (state_ttl): written per
//   live key; expiry_queued and expiry_: one entry per live key at touched + TTL. Entries of
//   the original heap may be earlier (a key is queued at its first touch and requeued lazily)
//   or name erased keys, but ExpireKeys(now) forgets exactly the keys with touched + TTL <= now
//   either way, and forgetting emits nothing; only NextTimerMicros may name a later time.
// - output_watermark_ and metrics_: written.
// - output_columns_, output_weights_, output_all_positive_: empty between calls (checked);
//   encoder_, scratch_, inline_rows_scratch_, eviction_scratch_, key_null_scratch_: scratch
//   of one call.

namespace {
/// 2: rows in any order (in id order at the barrier), each with its list successor, so that an
/// incremental snapshot can write them a slice at a time. 1 (still read): each key's rows in
/// list order, from its tail to its head, without successors.
constexpr uint32_t kStreamJoinStateVersion = 2;
/// Rows per written chunk at the barrier: restored rows are kept in batches of this many,
/// released as a whole once all of their rows have left.
constexpr size_t kSnapshotChunkRows = size_t{1} << 16;
/// Rows per chunk of an incremental snapshot (and of its rows written aside).
constexpr size_t kSliceChunkRows = 4096;
/// Budget units of ContinueSnapshot: a row written costs this many, an id or queue entry one.
constexpr size_t kUnitsPerRow = 8;
/// An incremental snapshot is returned in pieces of about this size.
constexpr size_t kPieceBytes = size_t{1} << 20;
}  // namespace

void StreamJoinOperator::WriteRowChunk(storage::StateWriter& writer, const Batch& rows,
                                       const std::vector<RowMeta>& meta) {
  writer.BatchOf(rows);
  for (const RowMeta& row : meta) {
    writer.VarU64(row.id);
    writer.VarI64(row.matches);
    writer.VarU64(row.next == kNone ? 0 : uint64_t{row.next} + 1);
  }
}

Status StreamJoinOperator::AppendSnapshotRows(int side, const std::vector<uint32_t>& ids,
                                              std::vector<ColumnBuilder>& columns,
                                              std::vector<RowMeta>& meta) const {
  for (size_t c = 0; c < columns.size(); ++c) {
    LAMINAR_RETURN_IF_ERROR(AppendStoredColumn(columns[c], side, static_cast<int>(c), ids));
  }
  const Side& s = sides_[side];
  for (const uint32_t id : ids) meta.push_back(RowMeta{id, s.rows[id].matches, s.rows[id].next});
  return Status::Ok();
}

Result<Batch> StreamJoinOperator::FinishColumns(int side, std::vector<ColumnBuilder>& columns,
                                                int64_t rows) const {
  const std::shared_ptr<const Schema>& schema = side == 0 ? def_.left_schema : def_.right_schema;
  if (columns.empty()) return Batch::MakeWithoutColumns(schema, rows);
  std::vector<Column> finished;
  finished.reserve(columns.size());
  for (ColumnBuilder& builder : columns) finished.push_back(builder.Finish());
  return Batch::Make(schema, std::move(finished));
}

namespace {
std::vector<ColumnBuilder> BuildersFor(const Schema& schema) {
  std::vector<ColumnBuilder> builders;
  builders.reserve(static_cast<size_t>(schema.num_fields()));
  for (const Field& field : schema.fields()) builders.emplace_back(field.type);
  return builders;
}
}  // namespace

Status StreamJoinOperator::SnapshotSide(int side, storage::StateWriter& writer) const {
  const Side& s = sides_[side];
  writer.I64(s.watermark);
  writer.VarU64(s.free_rows.size());
  for (const uint32_t id : s.free_rows) writer.VarU64(id);
  // The live rows in id order, in chunks.
  writer.VarU64(static_cast<uint64_t>(s.live_rows));
  const Schema& schema = side == 0 ? *def_.left_schema : *def_.right_schema;
  std::vector<uint32_t> chunk;
  std::vector<RowMeta> meta;
  auto write_chunk = [&]() -> Status {
    std::vector<ColumnBuilder> columns = BuildersFor(schema);
    meta.clear();
    LAMINAR_RETURN_IF_ERROR(AppendSnapshotRows(side, chunk, columns, meta));
    LAMINAR_ASSIGN_OR_RETURN(Batch rows,
                             FinishColumns(side, columns, static_cast<int64_t>(chunk.size())));
    WriteRowChunk(writer, rows, meta);
    chunk.clear();
    return Status::Ok();
  };
  for (uint32_t id = 0; id < s.rows.size(); ++id) {
    if (s.rows[id].batch == kNone) continue;
    chunk.push_back(id);
    if (chunk.size() == kSnapshotChunkRows) LAMINAR_RETURN_IF_ERROR(write_chunk());
  }
  if (!chunk.empty()) LAMINAR_RETURN_IF_ERROR(write_chunk());
  if (interval()) {
    // The FIFO part; the heap part holds every other live row.
    const auto& in_order = s.eviction.in_order();
    writer.VarU64(in_order.size());
    for (const auto& [time, id] : in_order) writer.VarU64(id);
  }
  return Status::Ok();
}

Result<bool> StreamJoinOperator::BeginSnapshot() {
  if (snapshot_ != nullptr) {
    return Status::Error(ErrorCode::kInternal, "{}: a snapshot is already in progress", Describe());
  }
  if (!output_weights_.empty()) {
    return Status::Error(ErrorCode::kInternal, "{}: snapshot with unflushed output", Describe());
  }
  auto snapshot = std::make_unique<JoinSnapshot>();
  for (int side = 0; side < 2; ++side) {
    const Side& s = sides_[side];
    SideSnapshot& saving = snapshot->sides[side];
    saving.watermark = s.watermark;
    saving.free_count = saving.free_low = s.free_rows.size();
    saving.live = s.live_rows;
    saving.row_capacity = static_cast<uint32_t>(s.rows.size());
    saving.row_marks.assign(s.rows.size(), 0);
    saving.saved_columns = BuildersFor(side == 0 ? *def_.left_schema : *def_.right_schema);
    if (interval()) {
      saving.fifo_cursor = s.eviction.in_order_popped();
      saving.fifo_end = saving.fifo_cursor + s.eviction.in_order().size();
    }
  }
  if (def_.state_ttl_micros) {
    snapshot->key_capacity = static_cast<uint32_t>(key_states_.size());
    snapshot->key_marks.assign(key_states_.size(), 0);
  }
  storage::StateWriter tail;
  WriteTail(tail);
  snapshot->tail = tail.Release();
  // Room for a whole piece: no slice copies a grown buffer.
  snapshot->writer.Reserve(2 * kPieceBytes);
  snapshot->writer.WriteVersion(kStreamJoinStateVersion);
  snapshot_ = std::move(snapshot);
  return true;
}

void StreamJoinOperator::SaveRow(int side, uint32_t id) {
  JoinSnapshot& snapshot = *snapshot_;
  SideSnapshot& saving = snapshot.sides[side];
  if (id >= saving.row_capacity || id < saving.row_cursor || saving.row_marks[id] != 0) return;
  saving.row_marks[id] = 1;
  if (sides_[side].rows[id].batch == kNone) return;  // Free at the barrier.
  std::vector<uint32_t>& ids = snapshot.chunk_ids;   // Empty between ContinueSnapshot calls.
  ids.assign(1, id);
  Status saved = AppendSnapshotRows(side, ids, saving.saved_columns, saving.saved_meta);
  ids.clear();
  if (saved.ok() && saving.saved_meta.size() >= kSliceChunkRows) {
    Result<Batch> rows =
        FinishColumns(side, saving.saved_columns, static_cast<int64_t>(saving.saved_meta.size()));
    if (rows.ok()) {
      saving.saved_chunks.emplace_back(std::move(*rows), std::move(saving.saved_meta));
      saving.saved_meta.clear();
    } else {
      saved = rows.status();
    }
  }
  if (!saved.ok() && snapshot.failed.ok()) snapshot.failed = std::move(saved);
}

std::optional<StreamJoinOperator::NamedKey> StreamJoinOperator::NameKey(uint32_t key) const {
  if (!keys_.IsLive(key)) return std::nullopt;
  const KeyState& state = key_states_[key];
  const int side = state.head[0] != kNone ? 0 : 1;
  if (state.head[side] == kNone) return std::nullopt;
  return NamedKey{side, state.head[side], state.touched};
}

void StreamJoinOperator::SaveKey(uint32_t key) {
  JoinSnapshot& snapshot = *snapshot_;
  if (key >= snapshot.key_capacity || key < snapshot.key_cursor || snapshot.key_marks[key] != 0) {
    return;
  }
  snapshot.key_marks[key] = 1;
  if (std::optional<NamedKey> named = NameKey(key)) snapshot.saved_keys.push_back(*named);
}

Status StreamJoinOperator::FlushRowChunk(int side) {
  JoinSnapshot& snapshot = *snapshot_;
  if (snapshot.chunk_meta.empty()) return Status::Ok();
  LAMINAR_ASSIGN_OR_RETURN(Batch rows,
                           FinishColumns(side, snapshot.chunk_columns,
                                         static_cast<int64_t>(snapshot.chunk_meta.size())));
  WriteRowChunk(snapshot.writer, rows, snapshot.chunk_meta);
  snapshot.chunk_meta.clear();
  return Status::Ok();
}

Status StreamJoinOperator::ContinueSide(size_t& budget) {
  JoinSnapshot& snapshot = *snapshot_;
  const int side = snapshot.side;
  SideSnapshot& saving = snapshot.sides[side];
  const Side& s = sides_[side];
  storage::StateWriter& writer = snapshot.writer;
  using Phase = JoinSnapshot::Phase;
  switch (snapshot.phase) {
    case Phase::kHead:
      writer.I64(saving.watermark);
      writer.VarU64(saving.free_count);
      snapshot.phase = Phase::kFree;
      break;
    case Phase::kFree:
      while (budget > 0 && saving.free_cursor < saving.free_count) {
        const size_t position = saving.free_cursor++;
        writer.VarU64(position < saving.free_low
                          ? s.free_rows[position]
                          : saving.free_saved[saving.free_count - 1 - position]);
        --budget;
      }
      if (saving.free_cursor == saving.free_count) {
        writer.VarU64(static_cast<uint64_t>(saving.live));
        snapshot.chunk_columns = BuildersFor(side == 0 ? *def_.left_schema : *def_.right_schema);
        snapshot.phase = Phase::kRows;
      }
      break;
    case Phase::kRows: {
      // Rows as at the barrier: not written aside, not stored since.
      std::vector<uint32_t>& ids = snapshot.chunk_ids;
      ids.clear();
      while (budget >= kUnitsPerRow && saving.row_cursor < saving.row_capacity &&
             snapshot.chunk_meta.size() + ids.size() < kSliceChunkRows) {
        const uint32_t id = saving.row_cursor++;
        --budget;
        if (saving.row_marks[id] != 0 || s.rows[id].batch == kNone) continue;
        ids.push_back(id);
        budget -= kUnitsPerRow - 1;
      }
      if (budget < kUnitsPerRow) budget = 0;
      const Status appended =
          AppendSnapshotRows(side, ids, snapshot.chunk_columns, snapshot.chunk_meta);
      ids.clear();
      LAMINAR_RETURN_IF_ERROR(appended);
      const bool done = saving.row_cursor == saving.row_capacity;
      if (done || snapshot.chunk_meta.size() >= kSliceChunkRows) {
        LAMINAR_RETURN_IF_ERROR(FlushRowChunk(side));
      }
      if (done) {
        if (!saving.saved_meta.empty()) {
          LAMINAR_ASSIGN_OR_RETURN(Batch rows,
                                   FinishColumns(side, saving.saved_columns,
                                                 static_cast<int64_t>(saving.saved_meta.size())));
          saving.saved_chunks.emplace_back(std::move(rows), std::move(saving.saved_meta));
          saving.saved_meta.clear();
        }
        snapshot.phase = Phase::kSaved;
      }
      break;
    }
    case Phase::kSaved:
      if (saving.saved_written < saving.saved_chunks.size()) {
        auto& [rows, meta] = saving.saved_chunks[saving.saved_written++];
        WriteRowChunk(writer, rows, meta);
        budget -= std::min(budget, meta.size() * kUnitsPerRow);
        rows = Batch();
        meta = {};
        break;
      }
      if (interval()) {
        writer.VarU64(saving.fifo_end - saving.fifo_cursor);
        snapshot.phase = Phase::kFifo;
      } else {
        snapshot.side = side + 1;
        snapshot.phase = Phase::kHead;
      }
      break;
    case Phase::kFifo:
      while (budget > 0 && saving.fifo_cursor < saving.fifo_end) {
        const uint64_t number = saving.fifo_cursor++;
        uint32_t id;
        if (!saving.fifo_saved.empty() && saving.fifo_saved.front().first == number) {
          id = saving.fifo_saved.front().second;
          saving.fifo_saved.pop_front();
        } else {
          const uint64_t popped = s.eviction.in_order_popped();
          if (number < popped || number - popped >= s.eviction.in_order().size()) {
            return Status::Error(ErrorCode::kInternal, "{}: eviction entry {} of the snapshot lost",
                                 Describe(), number);
          }
          id = s.eviction.in_order()[number - popped].second;
        }
        writer.VarU64(id);
        --budget;
      }
      if (saving.fifo_cursor == saving.fifo_end) {
        snapshot.side = side + 1;
        snapshot.phase = Phase::kHead;
      }
      break;
  }
  return Status::Ok();
}

Result<std::optional<StatePieces>> StreamJoinOperator::ContinueSnapshot(size_t max_entries) {
  if (snapshot_ == nullptr) {
    return Status::Error(ErrorCode::kInternal, "{}: no snapshot in progress", Describe());
  }
  JoinSnapshot& snapshot = *snapshot_;
  size_t budget = std::max<size_t>(max_entries, 1) * kUnitsPerRow;
  while (budget > 0 && snapshot.side < 2 && snapshot.failed.ok()) {
    Status status = ContinueSide(budget);
    if (!status.ok()) {
      snapshot_.reset();
      return status;
    }
  }
  if (snapshot.side == 2 && !def_.state_ttl_micros) snapshot.side = 3;
  if (snapshot.side == 2 && budget > 0) {
    // The keys' TTL entries, a chunk per call: those as at the barrier, then those written
    // aside; an empty chunk ends them.
    std::vector<NamedKey> chunk;
    while (budget > 0 && snapshot.key_cursor < snapshot.key_capacity) {
      const uint32_t key = snapshot.key_cursor++;
      --budget;
      if (snapshot.key_marks[key] != 0) continue;
      if (std::optional<NamedKey> named = NameKey(key)) chunk.push_back(*named);
    }
    // Then those written aside (no more are once the cursor has passed every key).
    while (budget > 0 && snapshot.key_cursor == snapshot.key_capacity &&
           snapshot.saved_keys_written < snapshot.saved_keys.size()) {
      chunk.push_back(snapshot.saved_keys[snapshot.saved_keys_written++]);
      --budget;
    }
    const bool done = snapshot.key_cursor == snapshot.key_capacity &&
                      snapshot.saved_keys_written == snapshot.saved_keys.size();
    storage::StateWriter& writer = snapshot.writer;
    if (!chunk.empty()) {
      writer.VarU64(chunk.size());
      for (const NamedKey& named : chunk) {
        writer.U8(static_cast<uint8_t>(named.side));
        writer.VarU64(named.id);
        writer.VarI64(named.touched);
      }
    }
    if (done) {
      writer.VarU64(0);
      snapshot.side = 3;
    }
  }
  if (!snapshot.failed.ok()) {
    Status failed = std::move(snapshot.failed);
    snapshot_.reset();
    return failed;
  }
  if (snapshot.side < 3) {
    snapshot.writer.SetAsidePieceIfFull(snapshot.pieces, kPieceBytes);
    return std::optional<StatePieces>();
  }
  snapshot.writer.Raw(snapshot.tail);
  StatePieces pieces = snapshot.writer.TakePieces(snapshot.pieces);
  snapshot_.reset();
  return std::optional<StatePieces>(std::move(pieces));
}

void StreamJoinOperator::CancelSnapshot() { snapshot_.reset(); }

Status StreamJoinOperator::Snapshot(storage::StateWriter& writer) const {
  if (!output_weights_.empty()) {
    return Status::Error(ErrorCode::kInternal, "{}: snapshot with unflushed output", Describe());
  }
  writer.WriteVersion(kStreamJoinStateVersion);
  for (int side = 0; side < 2; ++side) LAMINAR_RETURN_IF_ERROR(SnapshotSide(side, writer));
  if (def_.state_ttl_micros) {
    // One row of each live key names it (NameKey); one chunk of entries, then an empty one.
    std::vector<NamedKey> named;
    named.reserve(keys_.size());
    for (uint32_t key = 0; key < key_states_.size(); ++key) {
      if (std::optional<NamedKey> entry = NameKey(key)) named.push_back(*entry);
    }
    writer.VarU64(named.size());
    for (const NamedKey& entry : named) {
      writer.U8(static_cast<uint8_t>(entry.side));
      writer.VarU64(entry.id);
      writer.VarI64(entry.touched);
    }
    if (!named.empty()) writer.VarU64(0);
  }
  WriteTail(writer);
  return Status::Ok();
}

void StreamJoinOperator::WriteTail(storage::StateWriter& writer) const {
  writer.I64(output_watermark_);
  const StreamJoinMetrics& m = metrics_;
  for (const int64_t counter :
       {m.rows_in[0], m.rows_in[1], m.late_rows, m.dropped_late_rows, m.evicted_rows,
        m.expired_rows, m.unmatched_retractions, m.rows_out}) {
    writer.VarI64(counter);
  }
}

Status StreamJoinOperator::RestoreSide(int side, storage::StateReader& reader, uint32_t version) {
  Side& s = sides_[side];
  s.watermark = reader.I64();
  std::vector<uint32_t> free_rows(reader.Count(1));
  for (uint32_t& id : free_rows) {
    id = static_cast<uint32_t>(std::min<uint64_t>(reader.VarU64(), kNone));
  }
  const size_t live = reader.Count(2);
  if (!reader.ok()) return reader.status();
  const size_t capacity = free_rows.size() + live;
  if (capacity >= kNone) {
    reader.Fail("too many rows");
    return reader.status();
  }
  s.rows.Resize(capacity);
  std::vector<uint8_t> seen(capacity, 0);
  for (const uint32_t id : free_rows) {
    if (id >= capacity || seen[id]) {
      reader.Fail(fmt::format("free row id {} out of range or repeated", id));
      return reader.status();
    }
    seen[id] = 1;
  }
  s.free_rows = std::move(free_rows);
  const std::shared_ptr<const Schema>& schema = side == 0 ? def_.left_schema : def_.right_schema;
  const bool keep_unkeyed =
      interval() && (Padded(side) || (side == 0 && def_.kind == sql::JoinKind::kAnti));
  std::vector<uint32_t> keys;
  std::vector<uint32_t> ids;
  size_t restored = 0;
  while (restored < live && reader.ok()) {
    const Batch read = reader.BatchOf();
    if (!reader.ok()) break;
    const size_t rows = static_cast<size_t>(read.num_rows());
    bool same_types = read.num_columns() == schema->num_fields();
    for (int c = 0; c < read.num_columns() && same_types; ++c) {
      same_types = read.column(c).type() == schema->field(c).type;
    }
    if (!same_types || rows == 0 || rows > live - restored) {
      reader.Fail("a chunk of stored rows does not fit the join's input");
      break;
    }
    Result<Batch> made = read.num_columns() == 0
                             ? Result<Batch>(Batch::MakeWithoutColumns(schema, read.num_rows()))
                             : Batch::Make(schema, read.columns());
    if (!made.ok()) {
      reader.Fail(made.status().message());
      break;
    }
    const Batch chunk = std::move(*made);
    const uint32_t batch_id = StoreBatch(side, chunk);
    const Status computed = ComputeKeys(side, chunk, &keys, true);
    if (!computed.ok()) {
      reader.Fail(computed.message());
      break;
    }
    const Batch& kept = s.batches[batch_id].rows;
    const Column* time_column = interval()
                                    ? &kept.column(side == 0 ? def_.time_bound->left_time_column
                                                             : def_.time_bound->right_time_column)
                                    : nullptr;
    ids.assign(rows, kNone);
    for (size_t row = 0; row < rows && reader.ok(); ++row) {
      const uint64_t id = reader.VarU64();
      const int64_t matches = reader.VarI64();
      const uint64_t next = version >= 2 ? reader.VarU64() : 0;  // Successor + 1; 0: none.
      if (!reader.ok()) break;
      if (id >= capacity || seen[id]) {
        reader.Fail(fmt::format("stored row id {} out of range or repeated", id));
        break;
      }
      if (next > capacity) {
        reader.Fail(fmt::format("successor {} of stored row {} out of range", next - 1, id));
        break;
      }
      const uint32_t key = keys[row];
      if (key == kNone && !keep_unkeyed) {
        reader.Fail("a stored row without a key where none is kept");
        break;
      }
      seen[id] = 1;
      ids[row] = static_cast<uint32_t>(id);
      int64_t time = 0;
      if (time_column != nullptr) {
        time = time_column->IsNull(static_cast<int64_t>(row)) ? kNullTime
                                                              : time_column->Values<int64_t>()[row];
      }
      StoredRow& stored = s.rows[id];
      stored = StoredRow{batch_id, static_cast<uint32_t>(row), key, kNone, kNone, time, matches};
      if (version >= 2) {
        // Linked once every row is read (LinkRestoredRows).
        stored.next = next == 0 ? kNone : static_cast<uint32_t>(next - 1);
      } else if (key != kNone) {
        // Version 1: each key's rows from its list's tail to its head.
        uint32_t& head = key_states_[key].head[side];
        stored.next = head;
        if (head != kNone) s.rows[head].previous = static_cast<uint32_t>(id);
        head = static_cast<uint32_t>(id);
      }
      ++s.batches[batch_id].live;
      ++s.live_rows;
    }
    if (s.batches[batch_id].live == 0) {
      s.batches[batch_id].rows = Batch();
      s.free_batches.push_back(batch_id);
    }
    StoreInlineValues(side, batch_id, kept, ids);
    restored += rows;
  }
  if (version >= 2 && reader.ok()) LinkRestoredRows(side, reader);
  if (!interval() || !reader.ok()) return reader.status();
  // Every live row is in the eviction queue exactly once.
  std::vector<uint8_t> queued(capacity, 0);
  size_t queued_count = 0;
  auto next_row = [&]() -> uint32_t {
    const uint64_t id = reader.VarU64();
    if (!reader.ok()) return kNone;
    if (id >= capacity || s.rows[id].batch == kNone || queued[id]) {
      reader.Fail(fmt::format("eviction entry for row {}: not a live row, or repeated", id));
      return kNone;
    }
    queued[id] = 1;
    ++queued_count;
    return static_cast<uint32_t>(id);
  };
  const size_t in_order = reader.Count(1);
  int64_t last_time = std::numeric_limits<int64_t>::min();
  for (size_t i = 0; i < in_order && reader.ok(); ++i) {
    const uint32_t id = next_row();
    if (id == kNone) break;
    const int64_t time = EvictionTime(side, s.rows[id].time);
    if (time < last_time) {
      reader.Fail("eviction queue out of order");
      break;
    }
    last_time = time;
    s.eviction.AppendInOrder(time, id);
  }
  if (version >= 2) {
    // The heap part: every live row not in the FIFO part.
    for (uint32_t id = 0; id < capacity && reader.ok(); ++id) {
      if (s.rows[id].batch != kNone && !queued[id]) {
        s.eviction.AddOutOfOrder(EvictionTime(side, s.rows[id].time), id);
      }
    }
    return reader.status();
  }
  const size_t out_of_order = reader.Count(1);
  for (size_t i = 0; i < out_of_order && reader.ok(); ++i) {
    const uint32_t id = next_row();
    if (id == kNone) break;
    s.eviction.AddOutOfOrder(EvictionTime(side, s.rows[id].time), id);
  }
  if (reader.ok() && queued_count != live)
    reader.Fail("a stored row missing from the eviction queue");
  return reader.status();
}

void StreamJoinOperator::LinkRestoredRows(int side, storage::StateReader& reader) {
  Side& s = sides_[side];
  const uint32_t capacity = static_cast<uint32_t>(s.rows.size());
  // Each successor is a live row of the same key with no other predecessor.
  size_t keyed = 0;
  for (uint32_t id = 0; id < capacity; ++id) {
    const StoredRow& row = s.rows[id];
    if (row.batch == kNone) continue;
    if (row.key == kNone) {
      if (row.next != kNone) {
        reader.Fail(fmt::format("stored row {} without a key has a successor", id));
        return;
      }
      continue;
    }
    ++keyed;
    if (row.next == kNone) continue;
    StoredRow& next = s.rows[row.next];
    if (row.next == id || next.batch == kNone || next.key != row.key || next.previous != kNone) {
      reader.Fail(fmt::format("successor {} of stored row {}: not a row of its key, or shared",
                              row.next, id));
      return;
    }
    next.previous = id;
  }
  // One list per key, starting at its only row without a predecessor, reaching all of them
  // (rows on a cycle would have none).
  size_t linked = 0;
  for (uint32_t id = 0; id < capacity; ++id) {
    const StoredRow& row = s.rows[id];
    if (row.batch == kNone || row.key == kNone || row.previous != kNone) continue;
    uint32_t& head = key_states_[row.key].head[side];
    if (head != kNone) {
      reader.Fail(fmt::format("two lists of stored rows for the key of row {}", id));
      return;
    }
    head = id;
    for (uint32_t at = id; at != kNone && linked <= keyed; at = s.rows[at].next) ++linked;
  }
  if (linked != keyed) reader.Fail("stored rows on a cycle of successors");
}

Status StreamJoinOperator::Restore(storage::StateReader& reader) {
  const uint32_t version = reader.ReadVersion(kStreamJoinStateVersion);
  for (int side = 0; side < 2 && reader.ok(); ++side) {
    LAMINAR_RETURN_IF_ERROR(RestoreSide(side, reader, version));
  }
  // Version 1: one chunk of entries; 2: chunks until an empty one.
  for (bool more = def_.state_ttl_micros.has_value(); more && reader.ok();) {
    const size_t named = reader.Count(3);
    more = version >= 2 && named > 0;
    for (size_t i = 0; i < named && reader.ok(); ++i) {
      const uint8_t side = reader.U8();
      const uint64_t id = reader.VarU64();
      const int64_t touched = reader.VarI64();
      if (!reader.ok()) break;
      if (side > 1 || id >= sides_[side].rows.size() || sides_[side].rows[id].batch == kNone ||
          sides_[side].rows[id].key == kNone ||
          key_states_[sides_[side].rows[id].key].expiry_queued) {
        reader.Fail(
            fmt::format("key named by row {} of side {}: no such live key, or repeated", id, side));
        break;
      }
      const uint32_t key = sides_[side].rows[id].key;
      key_states_[key].touched = touched;
      key_states_[key].expiry_queued = true;
      expiry_.emplace(SaturatingAdd(touched, *def_.state_ttl_micros), key);
    }
  }
  if (def_.state_ttl_micros && reader.ok() && expiry_.size() != keys_.size()) {
    reader.Fail("a live key without a TTL");
  }
  output_watermark_ = reader.I64();
  StreamJoinMetrics& m = metrics_;
  for (int64_t* counter :
       {&m.rows_in[0], &m.rows_in[1], &m.late_rows, &m.dropped_late_rows, &m.evicted_rows,
        &m.expired_rows, &m.unmatched_retractions, &m.rows_out}) {
    *counter = reader.VarI64();
  }
  return reader.status();
}

}  // namespace laminar::exec
