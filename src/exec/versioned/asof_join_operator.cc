#include "exec/versioned/asof_join_operator.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>

#include "exec/operators/barrier_ids.h"
#include "exec/planning.h"
#include "storage/state_io.h"

namespace laminar::exec {

namespace {

using sql::AsofComparison;

uint64_t Distance(int64_t a, int64_t b) {
  return a >= b ? static_cast<uint64_t>(a) - static_cast<uint64_t>(b)
                : static_cast<uint64_t>(b) - static_cast<uint64_t>(a);
}

std::string_view ComparisonText(AsofComparison comparison) {
  switch (comparison) {
    case AsofComparison::kGreaterEqual:
      return ">=";
    case AsofComparison::kGreater:
      return ">";
    case AsofComparison::kLessEqual:
      return "<=";
    case AsofComparison::kLess:
      return "<";
    case AsofComparison::kNearest:
      return "NEAREST";
  }
  return "?";
}

}  // namespace

/// An incremental snapshot in progress. The head (version, watermarks, counters) is written at
/// the barrier. Then the right rows: the keys' rows copied before they changed (`saved`), and
/// the keys not written yet in id order from the cursor of `keys`; an empty chunk. Then the
/// barrier's waiting rows (`waiting`: the first ones of waiting_ until a release, then copies
/// whose left batches are retained for them); an empty chunk.
struct AsofJoinOperator::IncrementalSnapshot {
  BarrierIds keys;
  /// Live right rows of keys as of the barrier; their batches are retained for them.
  std::vector<std::vector<RightRow>> saved;
  size_t saved_written = 0;
  bool right_done = false;
  BarrierPrefix<Waiting> waiting;
  std::shared_ptr<const Schema> right_schema;
  std::shared_ptr<const Schema> left_schema;
  storage::StateWriter writer;
  StatePieces pieces;
};

uint32_t AsofJoinOperator::RetainedBatches::Add(Batch batch) {
  batches_.push_back(Retained{std::move(batch), 0});
  return first_id_ + static_cast<uint32_t>(batches_.size() - 1);
}

void AsofJoinOperator::RetainedBatches::Release(uint32_t id) {
  --batches_[id - first_id_].live;
  while (!batches_.empty() && batches_.front().live == 0) {
    batches_.pop_front();
    ++first_id_;
  }
}

Result<std::unique_ptr<AsofJoinOperator>> AsofJoinOperator::Make(AsofJoinDefinition definition,
                                                                 const EvaluatorOptions& options) {
  LAMINAR_ASSIGN_OR_RETURN(JoinKeyEvaluator left_keys,
                           JoinKeyEvaluator::Make(definition.left_keys, options));
  LAMINAR_ASSIGN_OR_RETURN(JoinKeyEvaluator right_keys,
                           JoinKeyEvaluator::Make(definition.right_keys, options));
  return std::unique_ptr<AsofJoinOperator>(
      new AsofJoinOperator(std::move(definition), std::move(left_keys), std::move(right_keys)));
}

AsofJoinOperator::AsofJoinOperator(AsofJoinDefinition definition, JoinKeyEvaluator left_keys,
                                   JoinKeyEvaluator right_keys)
    : def_(std::move(definition)),
      left_keys_(std::move(left_keys)),
      right_keys_(std::move(right_keys)) {
  const bool keep_before = def_.comparison == AsofComparison::kGreaterEqual ||
                           def_.comparison == AsofComparison::kGreater ||
                           def_.comparison == AsofComparison::kNearest;
  evictable_from_ = keep_before && !def_.tolerance_micros ? 2 : 1;
}

uint32_t AsofJoinOperator::AddKey(std::string_view key) {
  uint32_t id = 0;
  if (free_ids_.empty()) {
    id = static_cast<uint32_t>(keys_.size());
    keys_.emplace_back();
    key_names_.emplace_back();
  } else {
    id = free_ids_.back();
    free_ids_.pop_back();
  }
  key_names_[id] = &key_ids_.emplace(std::string(key), id).first->first;
  return id;
}

void AsofJoinOperator::EraseKey(uint32_t id) {
  key_ids_.erase(key_ids_.find(*key_names_[id]));
  keys_[id] = KeyState{};  // Frees the rows.
  key_names_[id] = nullptr;
  free_ids_.push_back(id);
}

bool AsofJoinOperator::Decide(int64_t t, const KeyState& key, const RightRow** match) const {
  const int64_t wr = right_watermark_;
  const bool ended = wr == kMaxWatermark;
  const RightRow* begin = key.rows.data() + key.head;
  const RightRow* end = key.rows.data() + key.rows.size();
  auto lower = [&](int64_t time) {
    return std::lower_bound(begin, end, time,
                            [](const RightRow& row, int64_t x) { return row.time < x; });
  };
  auto upper = [&](int64_t time) {
    return std::upper_bound(begin, end, time,
                            [](int64_t x, const RightRow& row) { return x < row.time; });
  };
  // Among rows at one time, the last arrival.
  auto last_of_time = [&](const RightRow* row) { return upper(row->time) - 1; };
  const std::optional<int64_t>& tolerance = def_.tolerance_micros;
  const RightRow* candidate = nullptr;
  switch (def_.comparison) {
    case AsofComparison::kGreaterEqual: {
      if (!ended && wr <= t) return false;
      const RightRow* after = upper(t);
      if (after != begin) candidate = after - 1;
      break;
    }
    case AsofComparison::kGreater: {
      if (!ended && wr < t) return false;
      const RightRow* at = lower(t);
      if (at != begin) candidate = at - 1;
      break;
    }
    case AsofComparison::kLessEqual:
    case AsofComparison::kLess: {
      const RightRow* first = def_.comparison == AsofComparison::kLessEqual ? lower(t) : upper(t);
      if (first != end) candidate = last_of_time(first);
      const bool decided = ended || (candidate != nullptr && wr > candidate->time) ||
                           (tolerance && wr > SaturatingAdd(t, *tolerance));
      if (!decided) return false;
      break;
    }
    case AsofComparison::kNearest: {
      if (!ended && wr <= t) return false;
      const RightRow* after_t = upper(t);
      const RightRow* before = after_t != begin ? after_t - 1 : nullptr;
      const RightRow* after = after_t != end ? last_of_time(after_t) : nullptr;
      const bool decided =
          ended || (after != nullptr && wr > after->time) ||
          (before != nullptr &&
           wr > SaturatingAdd(t, static_cast<int64_t>(Distance(t, before->time)))) ||
          (tolerance && wr > SaturatingAdd(t, *tolerance));
      if (!decided) return false;
      if (before != nullptr &&
          (after == nullptr || Distance(t, before->time) <= Distance(after->time, t))) {
        candidate = before;
      } else {
        candidate = after;
      }
      break;
    }
  }
  if (candidate != nullptr && tolerance &&
      Distance(t, candidate->time) > static_cast<uint64_t>(*tolerance)) {
    candidate = nullptr;
  }
  *match = candidate;
  return true;
}

void AsofJoinOperator::AddOutput(const Batch* left, int64_t left_row, const RightRow* match,
                                 JoinOutputBuilder& builder) {
  if (match != nullptr) {
    builder.AddMatch(left, left_row, &right_batches_.Get(match->batch), match->row);
  } else if (def_.kind == sql::JoinKind::kLeft) {
    builder.AddPadded(left, left_row);
  }
}

Status AsofJoinOperator::Flush(JoinOutputBuilder& builder, OperatorOutput& out) {
  if (builder.empty()) return Status::Ok();
  LAMINAR_ASSIGN_OR_RETURN(Batch output, builder.Finish(nullptr, def_.kind));
  rows_out_ += static_cast<uint64_t>(output.num_rows());
  if (output.num_rows() == 0) return Status::Ok();
  return out.Emit(ChangeBatch{std::move(output), {}});
}

Status AsofJoinOperator::Process(int port, const ChangeBatch& batch, OperatorOutput& out) {
  for (int8_t weight : batch.weights) {
    if (weight < 0) {
      return Status::Error(ErrorCode::kNotSupported, "an ASOF join takes no retractions");
    }
  }
  const Batch& rows = batch.rows;
  const int64_t count = rows.num_rows();
  if (port == 1) {
    LAMINAR_RETURN_IF_ERROR(right_keys_.Evaluate(rows));
    const Column& times = rows.column(def_.right_time_column);
    const int64_t* time_values = times.Values<int64_t>();
    // First the key of every row that is kept, prefetching its last row: the lookups are
    // independent, so their cache misses overlap, and the insertions below then hit.
    right_key_ids_.assign(static_cast<size_t>(count), kNoKey);
    for (int64_t r = 0; r < count; ++r) {
      if (times.IsNull(r) || right_keys_.HasNull(r)) continue;
      if (time_values[r] < right_watermark_) {
        ++late_right_rows_;
        continue;
      }
      const std::string_view key_text = right_keys_.key(r);
      const auto found = key_ids_.find(key_text);
      const uint32_t id = found != key_ids_.end() ? found->second : AddKey(key_text);
      right_key_ids_[static_cast<size_t>(r)] = id;
      const KeyState& key = keys_[id];
      if (!key.rows.empty()) __builtin_prefetch(&key.rows.back());
    }
    bool stored = false;
    uint32_t batch_id = 0;
    for (int64_t r = 0; r < count; ++r) {
      const uint32_t key_id = right_key_ids_[static_cast<size_t>(r)];
      if (key_id == kNoKey) continue;
      const int64_t time = time_values[r];
      if (!stored) {
        batch_id = right_batches_.Add(rows);
        stored = true;
      }
      right_batches_.Retain(batch_id);
      SaveKeyRows(key_id);
      KeyState& key = keys_[key_id];
      const RightRow row{time, batch_id, static_cast<uint32_t>(r)};
      if (key.rows.size() == key.head || key.rows.back().time <= time) {
        key.rows.push_back(row);
      } else {
        auto after = std::upper_bound(
            key.rows.begin() + static_cast<std::ptrdiff_t>(key.head), key.rows.end(), time,
            [](int64_t x, const RightRow& existing) { return x < existing.time; });
        key.rows.insert(after, row);
      }
      if (key.live() == evictable_from_) evictable_keys_.push_back(key_id);
      ++right_row_count_;
    }
    return Status::Ok();
  }
  if (port != 0) return Status::Error(ErrorCode::kInternal, "ASOF join has two inputs");
  LAMINAR_RETURN_IF_ERROR(left_keys_.Evaluate(rows));
  const Column& times = rows.column(def_.left_time_column);
  const int64_t* time_values = times.Values<int64_t>();
  JoinOutputBuilder builder(def_.output_schema, def_.output_schema->num_fields() - def_.left_width);
  bool stored = false;
  uint32_t batch_id = 0;
  for (int64_t r = 0; r < count; ++r) {
    if (times.IsNull(r) || left_keys_.HasNull(r)) {
      AddOutput(&rows, r, nullptr, builder);
      continue;
    }
    const int64_t time = time_values[r];
    if (time < left_watermark_) {
      ++late_left_rows_;
      continue;
    }
    // Find only: a row decided at once needs no state for its key.
    const std::string_view key_text = left_keys_.key(r);
    const auto found = key_ids_.find(key_text);
    const RightRow* match = nullptr;
    if (Decide(time, found != key_ids_.end() ? keys_[found->second] : no_rows_, &match)) {
      AddOutput(&rows, r, match, builder);
      continue;
    }
    const uint32_t key = found != key_ids_.end() ? found->second : AddKey(key_text);
    ++keys_[key].waiting;
    if (!stored) {
      batch_id = left_batches_.Add(rows);
      stored = true;
    }
    left_batches_.Retain(batch_id);
    waiting_.push_back(Waiting{time, key, batch_id, static_cast<uint32_t>(r)});
  }
  return Flush(builder, out);
}

Status AsofJoinOperator::ReleaseWaiting(OperatorOutput& out) {
  if (waiting_.empty()) return Status::Ok();
  if (snapshot_ != nullptr) SaveWaitingRows();
  JoinOutputBuilder builder(def_.output_schema, def_.output_schema->num_fields() - def_.left_width);
  // The keys' rows are found by independent loads: prefetch them so their misses overlap.
  for (const Waiting& waiting : waiting_) {
    const KeyState& key = keys_[waiting.key];
    if (key.head < key.rows.size()) __builtin_prefetch(&key.rows[key.head]);
  }
  std::vector<uint32_t> released;
  size_t kept = 0;
  for (size_t i = 0; i < waiting_.size(); ++i) {
    const Waiting& waiting = waiting_[i];
    const RightRow* match = nullptr;
    KeyState& key = keys_[waiting.key];
    if (Decide(waiting.time, key, &match)) {
      AddOutput(&left_batches_.Get(waiting.batch), waiting.row, match, builder);
      released.push_back(waiting.batch);
      // The output refers to the right batches, not to the key: it may go.
      if (--key.waiting == 0 && key.head == key.rows.size()) EraseKey(waiting.key);
    } else {
      waiting_[kept++] = waiting;
    }
  }
  waiting_.resize(kept);
  // The builder points into the retained batches: build before releasing them.
  LAMINAR_RETURN_IF_ERROR(Flush(builder, out));
  for (uint32_t id : released) left_batches_.Release(id);
  return Status::Ok();
}

void AsofJoinOperator::Evict(int64_t horizon) {
  if (horizon <= evicted_below_) return;
  evicted_below_ = horizon;
  size_t kept = 0;
  for (size_t i = 0; i < evictable_keys_.size(); ++i) {
    const uint32_t id = evictable_keys_[i];
    EvictKey(id, horizon);
    if (keys_[id].live() >= evictable_from_) evictable_keys_[kept++] = id;
  }
  evictable_keys_.resize(kept);
}

void AsofJoinOperator::EvictKey(uint32_t id, int64_t horizon) {
  const bool keep_before = def_.comparison == AsofComparison::kGreaterEqual ||
                           def_.comparison == AsofComparison::kGreater ||
                           def_.comparison == AsofComparison::kNearest;
  KeyState& key = keys_[id];
  auto begin = key.rows.begin() + static_cast<std::ptrdiff_t>(key.head);
  if (begin->time >= horizon) return;  // Nothing before the horizon (rows are live here).
  auto keep = std::lower_bound(begin, key.rows.end(), horizon,
                               [](const RightRow& row, int64_t x) { return row.time < x; });
  if (keep_before && keep != begin) --keep;
  if (def_.tolerance_micros) {
    const int64_t reach = SaturatingAdd(horizon, -*def_.tolerance_micros);
    auto in_reach = std::lower_bound(begin, key.rows.end(), reach,
                                     [](const RightRow& row, int64_t x) { return row.time < x; });
    keep = std::max(keep, in_reach);
  }
  if (keep == begin) return;
  SaveKeyRows(id);
  for (auto it = begin; it != keep; ++it) right_batches_.Release(it->batch);
  const auto dropped = static_cast<size_t>(keep - begin);
  right_row_count_ -= dropped;
  right_rows_evicted_ += dropped;
  key.head += static_cast<uint32_t>(dropped);
  if (key.head == key.rows.size()) {
    if (key.waiting == 0) {
      EraseKey(id);
      return;
    }
    key.rows.clear();
    key.head = 0;
  } else if (key.head > 32 && key.head * 2 > key.rows.size()) {
    key.rows.erase(key.rows.begin(), key.rows.begin() + static_cast<std::ptrdiff_t>(key.head));
    key.head = 0;
  }
}

Status AsofJoinOperator::AdvanceOutputWatermark(OperatorOutput& out) {
  int64_t watermark = left_watermark_;
  for (const Waiting& waiting : waiting_) watermark = std::min(watermark, waiting.time);
  Evict(watermark);
  if (watermark <= output_watermark_) return Status::Ok();
  output_watermark_ = watermark;
  return out.EmitWatermark(watermark);
}

Status AsofJoinOperator::OnWatermark(int port, int64_t watermark, OperatorOutput& out) {
  if (port == 0) {
    if (watermark <= left_watermark_) return Status::Ok();
    left_watermark_ = watermark;
  } else {
    if (watermark <= right_watermark_) return Status::Ok();
    right_watermark_ = watermark;
    LAMINAR_RETURN_IF_ERROR(ReleaseWaiting(out));
  }
  return AdvanceOutputWatermark(out);
}

std::string AsofJoinOperator::Describe() const {
  std::string text = fmt::format(
      "AsofJoin {} ({} key column{}) left time {} {} right time {}", sql::JoinKindName(def_.kind),
      def_.left_keys.size(), def_.left_keys.size() == 1 ? "" : "s",
      def_.output_schema->field(def_.left_time_column).name, ComparisonText(def_.comparison),
      def_.output_schema->field(def_.left_width + def_.right_time_column).name);
  if (def_.tolerance_micros) text += fmt::format(" within {} us", *def_.tolerance_micros);
  return text;
}

std::string AsofJoinOperator::MetricsText() const {
  return fmt::format(
      "rows out {}; waiting left rows {}; right rows {}; right rows evicted {}; live keys {}; "
      "late left rows {}; late right rows {}",
      rows_out_, waiting_.size(), right_row_count_, right_rows_evicted_, key_ids_.size(),
      late_left_rows_, late_right_rows_);
}

Result<PlannedOperator> PlanAsofJoin(const sql::LogicalJoin& join, const EvaluatorOptions& options,
                                     const PlanOptions& plan) {
  const sql::LogicalNode& left = *join.inputs()[0];
  const sql::LogicalNode& right = *join.inputs()[1];
  const sql::AsofSpec& asof = *join.options.asof;
  if (join.options.kind != sql::JoinKind::kInner && join.options.kind != sql::JoinKind::kLeft) {
    return NotExecutable(join, "an ASOF join other than INNER or LEFT");
  }
  if (join.options.condition) {
    return NotExecutable(join, fmt::format("an ASOF join with a condition besides key equalities "
                                           "and the match condition ({})",
                                           join.options.condition->ToString()));
  }
  if (left.properties().mode != sql::ChangelogMode::kAppendOnly ||
      right.properties().mode != sql::ChangelogMode::kAppendOnly) {
    return NotExecutable(join, "an ASOF join of a changelog");
  }
  const DataType& left_type = left.schema()->field(asof.left_time_column).type;
  const DataType& right_type = right.schema()->field(asof.right_time_column).type;
  auto int64_time = [](const DataType& type) {
    return type.id() == TypeId::kTimestamp || type.id() == TypeId::kTimestampTz ||
           type.id() == TypeId::kBigInt;
  };
  if (!int64_time(left_type) || left_type.id() != right_type.id()) {
    return NotExecutable(join, fmt::format("an ASOF join on time columns of types {} and {} (both "
                                           "TIMESTAMP, TIMESTAMPTZ or BIGINT)",
                                           left_type.ToString(), right_type.ToString()));
  }
  if (!plan.bounded && (!left.properties().HasWatermark(asof.left_time_column) ||
                        !right.properties().HasWatermark(asof.right_time_column))) {
    return NotExecutable(join,
                         "an ASOF join whose time columns do not both have a WATERMARK "
                         "(rows could never be decided or evicted)");
  }
  AsofJoinDefinition definition;
  definition.kind = join.options.kind;
  for (const auto& [l, r] : join.options.equi_keys) {
    if (l->type != r->type) {
      return NotExecutable(join, "an ASOF join key whose sides have different types");
    }
    definition.left_keys.push_back(l);
    definition.right_keys.push_back(r);
  }
  definition.left_time_column = asof.left_time_column;
  definition.right_time_column = asof.right_time_column;
  definition.comparison = asof.comparison;
  definition.tolerance_micros = asof.tolerance_micros;
  definition.output_schema = join.schema();
  definition.left_width = left.schema()->num_fields();
  LAMINAR_ASSIGN_OR_RETURN(std::unique_ptr<AsofJoinOperator> op,
                           AsofJoinOperator::Make(std::move(definition), options));
  PlannedOperator planned;
  planned.op = std::move(op);
  planned.inputs.push_back(PlannedInput{&left, false});
  planned.inputs.push_back(PlannedInput{&right, false});
  return planned;
}

// ---------------------------------------------------------------------------------------------
// Checkpoints (format: docs/formats/operator-state.md, "ASOF join operator").
//
// Every mutable member, and how it comes back on Restore:
// - keys_[k].rows[head, size): the live right rows, written column by column in chunks (each
//   key's rows together and in its order: time, then arrival; keys in any order). Restore
//   re-evaluates each row's key and time and appends it to its key, so each key's order is
//   kept. Rows before `head` are evicted: not written (head restarts at 0).
// - waiting_: the waiting left rows in order, column by column in chunks; their key and time
//   are re-evaluated. keys_[k].waiting: derived (counted).
// - key_ids_, keys_, key_names_, free_ids_: rebuilt, key ids afresh (ids name keys inside
//   the operator only; nothing output depends on them). no_rows_ and evictable_from_: fixed.
// - evictable_keys_: derived (the keys with at least evictable_from_ live rows; its order
//   only decides the order keys are visited in, each independently).
// - left_batches_ and right_batches_: rebuilt (a batch per chunk, retained per row).
// - right_row_count_: derived. right_key_ids_: scratch of one call.
// - left_watermark_, right_watermark_, output_watermark_, evicted_below_, rows_out_,
//   late_left_rows_, late_right_rows_, right_rows_evicted_: written.
// - snapshot_: an incremental snapshot in progress, not state.

namespace {

/// 2: the right rows and then the waiting rows in chunks, each list ended by an empty chunk.
/// 1 (still read): the right rows as one batch, then the waiting rows as one batch.
constexpr uint32_t kAsofStateVersion = 2;
/// A chunk of a snapshot at the barrier closes once it holds this many rows or more.
constexpr size_t kChunkRows = size_t{1} << 16;
/// Budget units of ContinueSnapshot (8 per entry it may write): a key costs this many, and
/// each of its rows as many again; a waiting row twice as many.
constexpr size_t kUnitsPerKey = 4;
constexpr size_t kUnitsPerRow = 4;
/// An incremental snapshot is returned in pieces of about this size.
constexpr size_t kPieceBytes = size_t{1} << 20;

std::shared_ptr<const Schema> SchemaPart(const Schema& schema, int begin, int end) {
  std::vector<Field> fields;
  for (int c = begin; c < end; ++c) {
    fields.push_back(schema.field(c));
    fields.back().nullable = true;
  }
  return Schema::Make(std::move(fields));
}

}  // namespace

AsofJoinOperator::~AsofJoinOperator() = default;

Status AsofJoinOperator::WriteRows(storage::StateWriter& writer,
                                   const std::shared_ptr<const Schema>& schema,
                                   const std::vector<BatchRow>& rows) const {
  writer.VarU64(rows.size());
  if (rows.empty()) return Status::Ok();
  LAMINAR_ASSIGN_OR_RETURN(Batch batch, GatherRows(schema, rows));
  writer.BatchOf(batch);
  return Status::Ok();
}

namespace {
void WriteHead(storage::StateWriter& writer, std::initializer_list<int64_t> watermarks,
               std::initializer_list<uint64_t> counters) {
  writer.WriteVersion(kAsofStateVersion);
  for (const int64_t watermark : watermarks) writer.I64(watermark);
  for (const uint64_t counter : counters) writer.VarU64(counter);
}
}  // namespace

Status AsofJoinOperator::Snapshot(storage::StateWriter& writer) const {
  WriteHead(writer, {left_watermark_, right_watermark_, output_watermark_, evicted_below_},
            {rows_out_, late_left_rows_, late_right_rows_, right_rows_evicted_});
  const Schema& output = *def_.output_schema;
  const std::shared_ptr<const Schema> right_schema =
      SchemaPart(output, def_.left_width, output.num_fields());
  std::vector<BatchRow> chunk;
  for (const auto& [key, id] : key_ids_) {
    const KeyState& state = keys_[id];
    for (size_t i = state.head; i < state.rows.size(); ++i) {
      chunk.push_back(BatchRow{&right_batches_.Get(state.rows[i].batch), state.rows[i].row});
    }
    if (chunk.size() >= kChunkRows) {
      LAMINAR_RETURN_IF_ERROR(WriteRows(writer, right_schema, chunk));
      chunk.clear();
    }
  }
  if (!chunk.empty()) LAMINAR_RETURN_IF_ERROR(WriteRows(writer, right_schema, chunk));
  writer.VarU64(0);
  const std::shared_ptr<const Schema> left_schema = SchemaPart(output, 0, def_.left_width);
  for (size_t begin = 0; begin < waiting_.size(); begin += kChunkRows) {
    chunk.clear();
    for (size_t i = begin; i < std::min(waiting_.size(), begin + kChunkRows); ++i) {
      chunk.push_back(BatchRow{&left_batches_.Get(waiting_[i].batch), waiting_[i].row});
    }
    LAMINAR_RETURN_IF_ERROR(WriteRows(writer, left_schema, chunk));
  }
  writer.VarU64(0);
  return Status::Ok();
}

Result<bool> AsofJoinOperator::BeginSnapshot() {
  if (snapshot_ != nullptr) {
    return Status::Error(ErrorCode::kInternal, "{}: a snapshot is already in progress", Describe());
  }
  auto snapshot = std::make_unique<IncrementalSnapshot>();
  snapshot->keys.Begin(static_cast<uint32_t>(keys_.size()));
  snapshot->waiting.Begin(waiting_.size());
  const Schema& output = *def_.output_schema;
  snapshot->right_schema = SchemaPart(output, def_.left_width, output.num_fields());
  snapshot->left_schema = SchemaPart(output, 0, def_.left_width);
  snapshot->writer.Reserve(std::min(2 * kPieceBytes, 64 * (right_row_count_ + waiting_.size())));
  WriteHead(snapshot->writer,
            {left_watermark_, right_watermark_, output_watermark_, evicted_below_},
            {rows_out_, late_left_rows_, late_right_rows_, right_rows_evicted_});
  snapshot_ = std::move(snapshot);
  return true;
}

void AsofJoinOperator::SaveOwedKeyRows(uint32_t id) {
  if (!snapshot_->keys.TakeOwed(id)) return;
  const KeyState& key = keys_[id];
  if (key.live() == 0) return;
  std::vector<RightRow> rows(key.rows.begin() + static_cast<std::ptrdiff_t>(key.head),
                             key.rows.end());
  for (const RightRow& row : rows) right_batches_.Retain(row.batch);
  snapshot_->saved.push_back(std::move(rows));
}

void AsofJoinOperator::SaveWaitingRows() {
  const std::vector<Waiting>* copies = snapshot_->waiting.Take(waiting_);
  if (copies == nullptr) return;
  for (const Waiting& waiting : *copies) left_batches_.Retain(waiting.batch);
}

Result<std::optional<StatePieces>> AsofJoinOperator::ContinueSnapshot(size_t max_entries) {
  if (snapshot_ == nullptr) {
    return Status::Error(ErrorCode::kInternal, "{}: no snapshot in progress", Describe());
  }
  IncrementalSnapshot& snapshot = *snapshot_;
  size_t budget = std::max<size_t>(max_entries, 1) * 8;
  std::vector<BatchRow> chunk;
  auto fail = [&](Status status) {
    CancelSnapshot();
    return status;
  };
  if (!snapshot.right_done) {
    // The copies first (their batches are released once written), then keys from the cursor:
    // one not written yet, live now, was live at the barrier and has not changed since.
    const size_t saved_begin = snapshot.saved_written;
    while (budget > 0 && snapshot.saved_written < snapshot.saved.size()) {
      const std::vector<RightRow>& rows = snapshot.saved[snapshot.saved_written++];
      for (const RightRow& row : rows) {
        chunk.push_back(BatchRow{&right_batches_.Get(row.batch), row.row});
      }
      budget -= std::min(budget, kUnitsPerKey + kUnitsPerRow * rows.size());
    }
    BarrierIds& keys = snapshot.keys;
    while (budget > 0 && !keys.finished()) {
      const uint32_t id = keys.cursor++;
      if (keys.done(id) || key_names_[id] == nullptr) {
        --budget;
        continue;
      }
      keys.mark_done(id);
      const KeyState& key = keys_[id];
      for (size_t i = key.head; i < key.rows.size(); ++i) {
        chunk.push_back(BatchRow{&right_batches_.Get(key.rows[i].batch), key.rows[i].row});
      }
      budget -= std::min(budget, kUnitsPerKey + kUnitsPerRow * key.live());
    }
    if (!chunk.empty()) {
      Status written = WriteRows(snapshot.writer, snapshot.right_schema, chunk);
      if (!written.ok()) {
        // The copies taken in this call are not written: CancelSnapshot releases them.
        snapshot.saved_written = saved_begin;
        return fail(written);
      }
      chunk.clear();
    }
    for (size_t i = saved_begin; i < snapshot.saved_written; ++i) {
      for (const RightRow& row : snapshot.saved[i]) right_batches_.Release(row.batch);
      std::vector<RightRow>().swap(snapshot.saved[i]);
    }
    // Every id below the barrier's capacity is done now: nothing more can be saved.
    if (keys.finished() && snapshot.saved_written == snapshot.saved.size()) {
      snapshot.writer.VarU64(0);
      snapshot.right_done = true;
    }
  }
  if (snapshot.right_done && budget > 0) {
    BarrierPrefix<Waiting>& waiting = snapshot.waiting;
    const size_t rows =
        std::min(waiting.left(), (budget + 2 * kUnitsPerRow - 1) / (2 * kUnitsPerRow));
    for (size_t i = waiting.written(); i < waiting.written() + rows; ++i) {
      const Waiting& row = waiting.at(waiting_, i);
      chunk.push_back(BatchRow{&left_batches_.Get(row.batch), row.row});
    }
    if (!chunk.empty()) {
      Status written = WriteRows(snapshot.writer, snapshot.left_schema, chunk);
      if (!written.ok()) return fail(written);
    }
    waiting.Advance(rows, [&](const Waiting& row) { left_batches_.Release(row.batch); });
    if (waiting.finished()) {
      snapshot.writer.VarU64(0);
      StatePieces pieces = snapshot.writer.TakePieces(snapshot.pieces);
      snapshot_.reset();
      return std::optional<StatePieces>(std::move(pieces));
    }
  }
  snapshot.writer.SetAsidePieceIfFull(snapshot.pieces, kPieceBytes);
  return std::optional<StatePieces>();
}

void AsofJoinOperator::CancelSnapshot() {
  if (snapshot_ == nullptr) return;
  IncrementalSnapshot& snapshot = *snapshot_;
  for (size_t i = snapshot.saved_written; i < snapshot.saved.size(); ++i) {
    for (const RightRow& row : snapshot.saved[i]) right_batches_.Release(row.batch);
  }
  snapshot.waiting.ReleaseUnwritten([&](const Waiting& row) { left_batches_.Release(row.batch); });
  snapshot_.reset();
}

Status AsofJoinOperator::RestoreRows(int port, const Batch& rows, storage::StateReader& reader) {
  const bool right = port == 1;
  JoinKeyEvaluator& keys = right ? right_keys_ : left_keys_;
  const Status evaluated = keys.Evaluate(rows);
  if (!evaluated.ok()) {
    reader.Fail(evaluated.message());
    return reader.status();
  }
  RetainedBatches& batches = right ? right_batches_ : left_batches_;
  const uint32_t batch_id = batches.Add(rows);
  const Column& times = rows.column(right ? def_.right_time_column : def_.left_time_column);
  for (int64_t r = 0; r < rows.num_rows(); ++r) {
    if (times.IsNull(r) || keys.HasNull(r)) {
      reader.Fail(right ? "a kept right row with a NULL key or time"
                        : "a waiting left row with a NULL key or time");
      return reader.status();
    }
    const std::string_view key_text = keys.key(r);
    const auto found = key_ids_.find(key_text);
    const uint32_t id = found != key_ids_.end() ? found->second : AddKey(key_text);
    KeyState& key = keys_[id];
    const int64_t time = times.Values<int64_t>()[r];
    if (right) {
      if (!key.rows.empty() && key.rows.back().time > time) {
        reader.Fail("a key's right rows out of time order");
        return reader.status();
      }
      key.rows.push_back(RightRow{time, batch_id, static_cast<uint32_t>(r)});
      ++right_row_count_;
    } else {
      ++key.waiting;
      waiting_.push_back(Waiting{time, id, batch_id, static_cast<uint32_t>(r)});
    }
    batches.Retain(batch_id);
  }
  return Status::Ok();
}

Status AsofJoinOperator::Restore(storage::StateReader& reader) {
  const uint32_t version = reader.ReadVersion(kAsofStateVersion);
  for (int64_t* watermark :
       {&left_watermark_, &right_watermark_, &output_watermark_, &evicted_below_}) {
    *watermark = reader.I64();
  }
  for (uint64_t* counter :
       {&rows_out_, &late_left_rows_, &late_right_rows_, &right_rows_evicted_}) {
    *counter = reader.VarU64();
  }
  const Schema& output = *def_.output_schema;
  const std::shared_ptr<const Schema> right_schema =
      SchemaPart(output, def_.left_width, output.num_fields());
  const std::shared_ptr<const Schema> left_schema = SchemaPart(output, 0, def_.left_width);
  // Reads the chunks of one list, the right rows (port 1) or the waiting rows (port 0), and
  // restores each (version 1: a single batch).
  auto read_rows = [&](int port) -> Status {
    const Schema& schema = port == 1 ? *right_schema : *left_schema;
    const char* what = port == 1 ? "right rows" : "waiting rows";
    for (;;) {
      if (!reader.ok()) return reader.status();
      size_t count = 0;
      if (version >= 2) {
        count = reader.Count(1);
        if (count == 0) return reader.status();
      }
      const Batch rows = reader.BatchOf();
      if (!reader.ok()) return reader.status();
      if (!HasColumnTypes(rows, schema)) {
        reader.Fail(fmt::format("kept {} of other column types than the join's input", what));
        return reader.status();
      }
      if (version >= 2 && static_cast<size_t>(rows.num_rows()) != count) {
        reader.Fail(fmt::format("a chunk of {} {} holding {}", count, what, rows.num_rows()));
        return reader.status();
      }
      if (rows.num_rows() > 0) LAMINAR_RETURN_IF_ERROR(RestoreRows(port, rows, reader));
      if (version < 2) return reader.status();
    }
  };
  LAMINAR_RETURN_IF_ERROR(read_rows(1));
  LAMINAR_RETURN_IF_ERROR(read_rows(0));
  for (const auto& [key, id] : key_ids_) {
    if (keys_[id].live() >= evictable_from_) evictable_keys_.push_back(id);
  }
  return reader.status();
}

}  // namespace laminar::exec
