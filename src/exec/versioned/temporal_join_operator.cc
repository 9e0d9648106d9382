#include "exec/versioned/temporal_join_operator.h"

#include <fmt/format.h>

#include <algorithm>

#include "exec/operators/barrier_ids.h"
#include "sql/object_kind.h"
#include "sql/plan/logical_scan.h"
#include "storage/state_io.h"

namespace laminar::exec {

Result<std::unique_ptr<TemporalJoinOperator>> TemporalJoinOperator::Make(
    TemporalJoinDefinition definition, const EvaluatorOptions& options) {
  if (definition.left_width <= 0 ||
      definition.left_width >= definition.output_schema->num_fields()) {
    return Status::Error(ErrorCode::kInternal, "temporal join: {} left columns of {}",
                         definition.left_width, definition.output_schema->num_fields());
  }
  LAMINAR_ASSIGN_OR_RETURN(JoinKeyEvaluator left_keys,
                           JoinKeyEvaluator::Make(definition.left_keys, options));
  LAMINAR_ASSIGN_OR_RETURN(JoinKeyEvaluator right_keys,
                           JoinKeyEvaluator::Make(definition.right_keys, options));
  std::optional<ExpressionEvaluator> residual;
  if (definition.residual) {
    LAMINAR_ASSIGN_OR_RETURN(residual, ExpressionEvaluator::Make(definition.residual, options));
  }
  return std::unique_ptr<TemporalJoinOperator>(new TemporalJoinOperator(
      std::move(definition), std::move(left_keys), std::move(right_keys), std::move(residual)));
}

TemporalJoinOperator::TemporalJoinOperator(TemporalJoinDefinition definition,
                                           JoinKeyEvaluator left_keys, JoinKeyEvaluator right_keys,
                                           std::optional<ExpressionEvaluator> residual)
    : def_(std::move(definition)),
      left_keys_(std::move(left_keys)),
      right_keys_(std::move(right_keys)),
      residual_(std::move(residual)) {}

namespace {

int64_t TimeAt(const Batch& batch, int column, int64_t row, bool* is_null) {
  const Column& values = batch.column(column);
  *is_null = values.IsNull(row);
  return *is_null ? 0 : values.Values<int64_t>()[row];
}

}  // namespace

void TemporalJoinOperator::Join(const Batch* left, int64_t row, int64_t time, std::string_view key,
                                bool null_key, JoinOutputBuilder& builder) {
  const std::vector<Value>* match = nullptr;
  if (!null_key) {
    auto it = key_ids_.find(key);
    if (it != key_ids_.end() && !versions_[it->second].empty()) {
      const std::vector<Version>& versions = versions_[it->second];
      if (!event_time()) {
        match = &versions.back().row;
      } else {
        // The last version with version.time <= time.
        auto after =
            std::upper_bound(versions.begin(), versions.end(), time,
                             [](int64_t t, const Version& version) { return t < version.time; });
        if (after != versions.begin()) match = &std::prev(after)->row;
      }
    }
  }
  if (match != nullptr) {
    builder.AddMatch(left, row, match);
  } else if (def_.kind == sql::JoinKind::kLeft) {
    builder.AddPadded(left, row);
  }
}

Status TemporalJoinOperator::Flush(JoinOutputBuilder& builder, OperatorOutput& out) {
  if (builder.empty()) return Status::Ok();
  LAMINAR_ASSIGN_OR_RETURN(Batch output,
                           builder.Finish(residual_ ? &*residual_ : nullptr, def_.kind));
  rows_out_ += static_cast<uint64_t>(output.num_rows());
  if (output.num_rows() == 0) return Status::Ok();
  return out.Emit(ChangeBatch{std::move(output), {}});
}

Status TemporalJoinOperator::Process(int port, const ChangeBatch& batch, OperatorOutput& out) {
  for (int8_t weight : batch.weights) {
    if (weight < 0) {
      return Status::Error(ErrorCode::kNotSupported,
                           "a temporal join takes no retractions (an upsert source's rows are "
                           "versions)");
    }
  }
  const Batch& rows = batch.rows;
  if (port == 1) {
    LAMINAR_RETURN_IF_ERROR(right_keys_.Evaluate(rows));
    for (int64_t r = 0; r < rows.num_rows(); ++r) {
      if (right_keys_.HasNull(r)) continue;
      bool null_time = false;
      const int64_t time = event_time() ? TimeAt(rows, def_.right_time_column, r, &null_time) : 0;
      if (null_time) continue;  // A version valid from no time is never chosen.
      Version version{time, {}};
      version.row.reserve(static_cast<size_t>(rows.num_columns()));
      for (int c = 0; c < rows.num_columns(); ++c)
        version.row.push_back(rows.column(c).GetValue(r));
      const uint32_t id = KeyId(right_keys_.key(r));
      SaveVersions(id);
      std::vector<Version>& versions = versions_[id];
      if (!event_time()) {
        if (versions.empty()) {
          versions.push_back(std::move(version));
          ++version_count_;
        } else {
          versions.back() = std::move(version);
        }
        continue;
      }
      // Equal times: the later arrival goes after, so it wins.
      auto after =
          std::upper_bound(versions.begin(), versions.end(), time,
                           [](int64_t t, const Version& existing) { return t < existing.time; });
      versions.insert(after, std::move(version));
      ++version_count_;
      if (versions.size() == 2) evictable_keys_.push_back(id);
    }
    return Status::Ok();
  }
  if (port != 0) return Status::Error(ErrorCode::kInternal, "temporal join has two inputs");
  LAMINAR_RETURN_IF_ERROR(left_keys_.Evaluate(rows));
  JoinOutputBuilder builder(def_.output_schema, def_.output_schema->num_fields() - def_.left_width);
  std::shared_ptr<const Batch> shared;
  for (int64_t r = 0; r < rows.num_rows(); ++r) {
    const bool null_key = left_keys_.HasNull(r);
    if (!event_time()) {
      Join(&rows, r, 0, left_keys_.key(r), null_key, builder);
      continue;
    }
    bool null_time = false;
    const int64_t time = TimeAt(rows, def_.left_time_column, r, &null_time);
    if (null_time) {
      // AS OF an unknown time finds no version.
      if (def_.kind == sql::JoinKind::kLeft) builder.AddPadded(&rows, r);
      continue;
    }
    if (time < left_watermark_) {
      ++late_rows_;
      continue;
    }
    if (right_watermark_ > time) {
      Join(&rows, r, time, left_keys_.key(r), null_key, builder);
      continue;
    }
    if (!shared) shared = std::make_shared<const Batch>(rows);
    waiting_.push_back(Waiting{time, std::string(left_keys_.key(r)), null_key, shared, r});
  }
  return Flush(builder, out);
}

uint32_t TemporalJoinOperator::KeyId(std::string_view key) {
  const auto found = key_ids_.find(key);
  if (found != key_ids_.end()) return found->second;
  const auto id = static_cast<uint32_t>(versions_.size());
  key_names_.push_back(&key_ids_.emplace(std::string(key), id).first->first);
  versions_.emplace_back();
  return id;
}

Status TemporalJoinOperator::ReleaseWaiting(OperatorOutput& out) {
  if (waiting_.empty()) return Status::Ok();
  if (snapshot_ != nullptr) SaveWaitingRows();
  JoinOutputBuilder builder(def_.output_schema, def_.output_schema->num_fields() - def_.left_width);
  std::vector<Waiting> still;
  for (Waiting& waiting : waiting_) {
    if (right_watermark_ > waiting.time) {
      Join(waiting.batch.get(), waiting.row, waiting.time, waiting.key, waiting.null_key, builder);
    } else {
      still.push_back(std::move(waiting));
    }
  }
  // The builder points into waiting_'s batches: build before they are released.
  LAMINAR_RETURN_IF_ERROR(Flush(builder, out));
  waiting_ = std::move(still);
  return Status::Ok();
}

void TemporalJoinOperator::Evict() {
  if (!event_time()) return;
  size_t kept = 0;
  for (const uint32_t id : evictable_keys_) {
    std::vector<Version>& versions = versions_[id];
    // Keep the newest version at or below the left watermark and everything after it.
    auto after =
        std::upper_bound(versions.begin(), versions.end(), left_watermark_,
                         [](int64_t t, const Version& version) { return t < version.time; });
    if (after - versions.begin() > 1) {
      SaveVersions(id);
      const auto drop = (after - versions.begin()) - 1;
      versions.erase(versions.begin(), versions.begin() + drop);
      version_count_ -= static_cast<size_t>(drop);
      versions_evicted_ += static_cast<uint64_t>(drop);
    }
    if (versions.size() >= 2) evictable_keys_[kept++] = id;
  }
  evictable_keys_.resize(kept);
}

Status TemporalJoinOperator::AdvanceOutputWatermark(OperatorOutput& out) {
  int64_t watermark = left_watermark_;
  for (const Waiting& waiting : waiting_) watermark = std::min(watermark, waiting.time);
  if (watermark <= output_watermark_) return Status::Ok();
  output_watermark_ = watermark;
  return out.EmitWatermark(watermark);
}

Status TemporalJoinOperator::OnWatermark(int port, int64_t watermark, OperatorOutput& out) {
  if (port == 0) {
    left_watermark_ = std::max(left_watermark_, watermark);
    if (!event_time()) return AdvanceOutputWatermark(out);
  } else {
    right_watermark_ = std::max(right_watermark_, watermark);
    if (!event_time()) return Status::Ok();
    LAMINAR_RETURN_IF_ERROR(ReleaseWaiting(out));
  }
  // Waiting rows are at or above the left watermark... unless they arrived before it moved;
  // keep the versions they need: evict below the lowest time still to be joined.
  const int64_t saved = left_watermark_;
  int64_t horizon = left_watermark_;
  for (const Waiting& waiting : waiting_) horizon = std::min(horizon, waiting.time);
  left_watermark_ = horizon;
  Evict();
  left_watermark_ = saved;
  return AdvanceOutputWatermark(out);
}

std::string TemporalJoinOperator::Describe() const {
  return fmt::format("TemporalJoin {} ({} key column{}) as of {}{}", sql::JoinKindName(def_.kind),
                     def_.left_keys.size(), def_.left_keys.size() == 1 ? "" : "s",
                     event_time() ? "event time: versions ordered by the right time column"
                                  : "processing time: the latest version received",
                     def_.residual ? "; residual " + def_.residual->ToString() : "");
}

std::string TemporalJoinOperator::MetricsText() const {
  return fmt::format(
      "rows out {}; late rows {}; waiting rows {}; keys {}; versions {}; versions "
      "evicted {}",
      rows_out_, late_rows_, waiting_.size(), key_ids_.size(), version_count_, versions_evicted_);
}

Result<PlannedOperator> PlanUpsertTemporalJoin(const sql::LogicalJoin& join,
                                               const EvaluatorOptions& options,
                                               const PlanOptions& /*plan*/) {
  const sql::LogicalNode& left = *join.inputs()[0];
  const sql::LogicalNode& right = *join.inputs()[1];
  if (join.options.kind != sql::JoinKind::kInner && join.options.kind != sql::JoinKind::kLeft) {
    return NotExecutable(join, fmt::format("a {} FOR SYSTEM_TIME AS OF join (only INNER and "
                                           "LEFT are executed)",
                                           sql::JoinKindName(join.options.kind)));
  }
  if (right.kind() != sql::LogicalNodeKind::kScan ||
      static_cast<const sql::LogicalScan&>(right).object_kind != sql::ObjectKind::kSource ||
      right.properties().unique_keys.empty()) {
    return NotExecutable(join,
                         "FOR SYSTEM_TIME AS OF a relation other than a TABLE or an "
                         "upsert SOURCE (PRIMARY KEY)");
  }
  if (left.properties().mode != sql::ChangelogMode::kAppendOnly) {
    return NotExecutable(join, "a FOR SYSTEM_TIME AS OF join of a changelog");
  }
  const int left_width = left.schema()->num_fields();
  const std::vector<int>& key_columns = right.properties().unique_keys.front();
  TemporalJoinDefinition definition;
  definition.kind = join.options.kind;
  definition.output_schema = join.schema();
  definition.left_width = left_width;
  definition.left_keys.resize(key_columns.size());
  std::vector<sql::BoundExprPtr> rest;
  for (const auto& [l, r] : join.options.equi_keys) {
    bool mapped = false;
    if (r->kind == sql::BoundExpressionKind::kColumn) {
      for (size_t k = 0; k < key_columns.size(); ++k) {
        if (key_columns[k] != r->column_index || definition.left_keys[k]) continue;
        const DataType& type = right.schema()->field(key_columns[k]).type;
        definition.left_keys[k] = l->type == type ? l : sql::MakeCast(l, type);
        mapped = true;
        break;
      }
    }
    if (!mapped) {
      rest.push_back(
          sql::MakeCall("=", DataType::Boolean(), {l, sql::ShiftColumns(r, left_width)}));
    }
  }
  for (size_t k = 0; k < key_columns.size(); ++k) {
    if (!definition.left_keys[k]) {
      return NotExecutable(join,
                           "a FOR SYSTEM_TIME AS OF join whose equalities do not "
                           "determine the source's whole PRIMARY KEY");
    }
    const Field& field = right.schema()->field(key_columns[k]);
    definition.right_keys.push_back(sql::MakeColumn(key_columns[k], field.name, field.type));
  }
  for (sql::BoundExprPtr& conjunct : sql::SplitConjuncts(join.options.condition)) {
    rest.push_back(std::move(conjunct));
  }
  definition.residual = sql::CombineConjuncts(std::move(rest));

  const sql::BoundExprPtr& as_of = join.options.system_time;
  const bool watermarked_column = as_of->kind == sql::BoundExpressionKind::kColumn &&
                                  left.properties().HasWatermark(as_of->column_index);
  if (watermarked_column) {
    const std::vector<int>& right_times = right.properties().watermark_columns;
    if (right_times.empty()) {
      return NotExecutable(join,
                           "FOR SYSTEM_TIME AS OF an event-time column against a source "
                           "without a WATERMARK (its versions have no time to order by)");
    }
    const DataType& left_type = left.schema()->field(as_of->column_index).type;
    const DataType& right_type = right.schema()->field(right_times.front()).type;
    if (left_type.ByteWidth() != 8 || right_type.ByteWidth() != 8 ||
        left_type.id() != right_type.id()) {
      return NotExecutable(join, "FOR SYSTEM_TIME AS OF with time columns of different types");
    }
    definition.left_time_column = as_of->column_index;
    definition.right_time_column = right_times.front();
  }
  // Processing time: proctime() itself, or a column that carries it; rows are joined with the
  // version current when they are processed. Anything else (another column, an expression of
  // event time) has no reading here: refused rather than run as processing time.
  const bool processing_time =
      (as_of->kind == sql::BoundExpressionKind::kCall && as_of->name == "proctime") ||
      (as_of->kind == sql::BoundExpressionKind::kColumn &&
       IsProcessingTime(left, as_of->column_index));
  if (!watermarked_column && !processing_time) {
    return NotExecutable(join,
                         "FOR SYSTEM_TIME AS OF an expression that is neither a watermarked "
                         "column of the left input (event time) nor proctime() (processing "
                         "time)");
  }
  LAMINAR_ASSIGN_OR_RETURN(std::unique_ptr<TemporalJoinOperator> op,
                           TemporalJoinOperator::Make(std::move(definition), options));
  PlannedOperator planned;
  planned.op = std::move(op);
  planned.inputs.push_back(PlannedInput{&left, false});
  planned.inputs.push_back(PlannedInput{&right, true});
  return planned;
}

// ---------------------------------------------------------------------------------------------
// Checkpoints (format: docs/formats/operator-state.md, "Temporal join operator").
//
// Every mutable member, and how it comes back on Restore:
// - versions_ (by key id) with key_ids_ and key_names_: per key, its encoded key
//   (JoinKeyEvaluator's bytes) and its versions in order (time, then arrival: the order decides
//   which of equal times wins), each version's row value by value (the versions are kept as
//   Values, one row at a time, and the right input's schema is not part of the definition);
//   keys in chunks, in any order. Key ids are given afresh (they name keys inside the operator
//   only). version_count_ and evictable_keys_: derived (counted; the keys with two versions
//   or more, in the order read).
// - waiting_: the waiting left rows in order, column by column in chunks; each row's key,
//   NULL-key flag and time are re-evaluated from it.
// - left_watermark_, right_watermark_, output_watermark_, late_rows_, rows_out_,
//   versions_evicted_: written.
// - snapshot_: an incremental snapshot in progress, not state.

namespace {
/// 2: keys in chunks, then the waiting rows in chunks, each list ended by an empty chunk.
/// 1 (still read): the number of keys and every key, then a flag and one batch of waiting rows.
constexpr uint32_t kTemporalStateVersion = 2;
/// A chunk of a snapshot at the barrier closes once it holds this many versions or rows.
constexpr size_t kChunkEntries = size_t{1} << 16;
/// Budget units of ContinueSnapshot (8 per entry it may write): a key costs this many, and
/// each of its versions as many again; a waiting row twice as many.
constexpr size_t kUnitsPerKey = 4;
constexpr size_t kUnitsPerEntry = 4;
/// An incremental snapshot is returned in pieces of about this size.
constexpr size_t kPieceBytes = size_t{1} << 20;

void WriteHead(storage::StateWriter& writer, std::initializer_list<int64_t> watermarks,
               std::initializer_list<uint64_t> counters) {
  writer.WriteVersion(kTemporalStateVersion);
  for (const int64_t watermark : watermarks) writer.I64(watermark);
  for (const uint64_t counter : counters) writer.VarU64(counter);
}
}  // namespace

/// An incremental snapshot in progress. The head is written at the barrier. Then the keys: the
/// ones copied before they changed (`saved`), and those not written yet in id order from the
/// cursor of `keys`; an empty chunk. Then the barrier's waiting rows (`waiting`: the first ones
/// of waiting_ until a release, then copies, which share their batches); an empty chunk.
struct TemporalJoinOperator::IncrementalSnapshot {
  BarrierIds keys;
  std::vector<std::pair<uint32_t, std::vector<Version>>> saved;  // Key ids and versions.
  size_t saved_written = 0;
  bool keys_done = false;
  BarrierPrefix<Waiting> waiting;
  storage::StateWriter writer;
  StatePieces pieces;
};

TemporalJoinOperator::~TemporalJoinOperator() = default;

void TemporalJoinOperator::WriteKey(storage::StateWriter& writer, std::string_view key,
                                    const std::vector<Version>& versions) {
  writer.Bytes(key);
  writer.VarU64(versions.size());
  for (const Version& version : versions) {
    writer.VarI64(version.time);
    writer.VarU64(version.row.size());
    for (const Value& value : version.row) writer.ValueOf(value);
  }
}

Status TemporalJoinOperator::WriteWaiting(storage::StateWriter& writer,
                                          const std::vector<const Waiting*>& rows) const {
  writer.VarU64(rows.size());
  if (rows.empty()) return Status::Ok();
  std::vector<BatchRow> batch_rows;
  batch_rows.reserve(rows.size());
  for (const Waiting* waiting : rows)
    batch_rows.push_back(BatchRow{waiting->batch.get(), waiting->row});
  std::vector<Field> fields = rows.front()->batch->schema().fields();
  for (Field& field : fields) field.nullable = true;
  LAMINAR_ASSIGN_OR_RETURN(Batch batch, GatherRows(Schema::Make(std::move(fields)), batch_rows));
  writer.BatchOf(batch);
  return Status::Ok();
}

Status TemporalJoinOperator::Snapshot(storage::StateWriter& writer) const {
  WriteHead(writer, {left_watermark_, right_watermark_, output_watermark_},
            {late_rows_, rows_out_, versions_evicted_});
  // Keys in chunks of whole keys.
  size_t begin = 0;
  while (begin < versions_.size()) {
    size_t end = begin;
    size_t entries = 0;
    while (end < versions_.size() && entries < kChunkEntries)
      entries += 1 + versions_[end++].size();
    writer.VarU64(end - begin);
    for (size_t id = begin; id < end; ++id) WriteKey(writer, *key_names_[id], versions_[id]);
    begin = end;
  }
  writer.VarU64(0);
  std::vector<const Waiting*> chunk;
  for (size_t first = 0; first < waiting_.size(); first += kChunkEntries) {
    chunk.clear();
    for (size_t i = first; i < std::min(waiting_.size(), first + kChunkEntries); ++i) {
      chunk.push_back(&waiting_[i]);
    }
    LAMINAR_RETURN_IF_ERROR(WriteWaiting(writer, chunk));
  }
  writer.VarU64(0);
  return Status::Ok();
}

Result<bool> TemporalJoinOperator::BeginSnapshot() {
  if (snapshot_ != nullptr) {
    return Status::Error(ErrorCode::kInternal, "{}: a snapshot is already in progress", Describe());
  }
  auto snapshot = std::make_unique<IncrementalSnapshot>();
  snapshot->keys.Begin(static_cast<uint32_t>(versions_.size()));
  snapshot->waiting.Begin(waiting_.size());
  snapshot->writer.Reserve(std::min(2 * kPieceBytes, 64 * (version_count_ + waiting_.size())));
  WriteHead(snapshot->writer, {left_watermark_, right_watermark_, output_watermark_},
            {late_rows_, rows_out_, versions_evicted_});
  snapshot_ = std::move(snapshot);
  return true;
}

void TemporalJoinOperator::SaveOwedVersions(uint32_t id) {
  if (!snapshot_->keys.TakeOwed(id)) return;
  snapshot_->saved.emplace_back(id, versions_[id]);
}

void TemporalJoinOperator::SaveWaitingRows() { snapshot_->waiting.Take(waiting_); }

Result<std::optional<StatePieces>> TemporalJoinOperator::ContinueSnapshot(size_t max_entries) {
  if (snapshot_ == nullptr) {
    return Status::Error(ErrorCode::kInternal, "{}: no snapshot in progress", Describe());
  }
  IncrementalSnapshot& snapshot = *snapshot_;
  storage::StateWriter& writer = snapshot.writer;
  size_t budget = std::max<size_t>(max_entries, 1) * 8;
  if (!snapshot.keys_done) {
    // The copies first (freed once written), then keys from the cursor: one not written yet
    // has not changed since the barrier. Each key's place in the chunk is collected first:
    // the chunk starts with its count.
    std::vector<std::pair<uint32_t, const std::vector<Version>*>> chunk;
    const size_t saved_begin = snapshot.saved_written;
    while (budget > 0 && snapshot.saved_written < snapshot.saved.size()) {
      const auto& [id, versions] = snapshot.saved[snapshot.saved_written++];
      chunk.emplace_back(id, &versions);
      budget -= std::min(budget, kUnitsPerKey + kUnitsPerEntry * versions.size());
    }
    BarrierIds& keys = snapshot.keys;
    while (budget > 0 && !keys.finished()) {
      const uint32_t id = keys.cursor++;
      if (keys.done(id)) {
        --budget;
        continue;
      }
      keys.mark_done(id);
      chunk.emplace_back(id, &versions_[id]);
      budget -= std::min(budget, kUnitsPerKey + kUnitsPerEntry * versions_[id].size());
    }
    if (!chunk.empty()) {
      writer.VarU64(chunk.size());
      for (const auto& [id, versions] : chunk) WriteKey(writer, *key_names_[id], *versions);
    }
    for (size_t i = saved_begin; i < snapshot.saved_written; ++i) {
      std::vector<Version>().swap(snapshot.saved[i].second);
    }
    // Every id below the barrier's count is done now: nothing more can be copied.
    if (keys.finished() && snapshot.saved_written == snapshot.saved.size()) {
      writer.VarU64(0);
      snapshot.keys_done = true;
      std::vector<std::pair<uint32_t, std::vector<Version>>>().swap(snapshot.saved);
    }
  }
  if (snapshot.keys_done && budget > 0) {
    BarrierPrefix<Waiting>& waiting = snapshot.waiting;
    const size_t rows =
        std::min(waiting.left(), (budget + 2 * kUnitsPerEntry - 1) / (2 * kUnitsPerEntry));
    std::vector<const Waiting*> chunk;
    for (size_t i = waiting.written(); i < waiting.written() + rows; ++i) {
      chunk.push_back(&waiting.at(waiting_, i));
    }
    if (!chunk.empty()) {
      Status written = WriteWaiting(writer, chunk);
      if (!written.ok()) {
        snapshot_.reset();
        return written;
      }
    }
    // Written copies let their batches go.
    waiting.Advance(rows, [](Waiting& row) { row.batch.reset(); });
    if (waiting.finished()) {
      writer.VarU64(0);
      StatePieces pieces = writer.TakePieces(snapshot.pieces);
      snapshot_.reset();
      return std::optional<StatePieces>(std::move(pieces));
    }
  }
  writer.SetAsidePieceIfFull(snapshot.pieces, kPieceBytes);
  return std::optional<StatePieces>();
}

void TemporalJoinOperator::CancelSnapshot() { snapshot_.reset(); }

void TemporalJoinOperator::ReadKey(storage::StateReader& reader) {
  const Schema& output = *def_.output_schema;
  std::string key = reader.Bytes();
  std::vector<Version> versions(reader.Count(2));
  for (Version& version : versions) {
    version.time = reader.VarI64();
    version.row.resize(reader.Count(2));
    for (Value& value : version.row) value = reader.ValueOf();
    if (!reader.ok()) return;
    // The output takes the version's values as the right columns, by type.
    const int left_width = def_.left_width;
    bool fits = static_cast<int>(version.row.size()) == output.num_fields() - left_width;
    for (size_t c = 0; c < version.row.size() && fits; ++c) {
      const Value& value = version.row[c];
      fits = value.is_null() || value.type() == output.field(left_width + static_cast<int>(c)).type;
    }
    if (!fits) {
      reader.Fail("a version of other column types than the join's right input");
      return;
    }
  }
  if (!reader.ok()) return;
  for (size_t i = 1; i < versions.size(); ++i) {
    if (versions[i].time < versions[i - 1].time) {
      reader.Fail("versions out of time order");
      return;
    }
  }
  if (key_ids_.count(key) != 0) {
    reader.Fail("a key repeated");
    return;
  }
  version_count_ += versions.size();
  const uint32_t id = KeyId(key);
  if (event_time() && versions.size() >= 2) evictable_keys_.push_back(id);
  versions_[id] = std::move(versions);
}

void TemporalJoinOperator::ReadWaiting(storage::StateReader& reader) {
  auto batch = std::make_shared<const Batch>(reader.BatchOf());
  if (!reader.ok()) return;
  // The left columns come first in the output, and the time column is an int64 one.
  const Schema& output = *def_.output_schema;
  bool fits = batch->num_columns() == def_.left_width && batch->num_rows() > 0;
  for (int c = 0; c < batch->num_columns() && fits; ++c) {
    fits = batch->column(c).type() == output.field(c).type;
  }
  fits = fits && (!event_time() || (def_.left_time_column < batch->num_columns() &&
                                    batch->column(def_.left_time_column).type().ByteWidth() == 8));
  if (!fits) {
    reader.Fail("waiting rows of other column types than the join's left input");
    return;
  }
  const Status evaluated = left_keys_.Evaluate(*batch);
  if (!evaluated.ok()) {
    reader.Fail(evaluated.message());
    return;
  }
  for (int64_t r = 0; r < batch->num_rows(); ++r) {
    bool null_time = false;
    const int64_t time = event_time() ? TimeAt(*batch, def_.left_time_column, r, &null_time) : 0;
    if (null_time) {
      reader.Fail("a waiting row with a NULL time");
      return;
    }
    waiting_.push_back(
        Waiting{time, std::string(left_keys_.key(r)), left_keys_.HasNull(r), batch, r});
  }
}

Status TemporalJoinOperator::Restore(storage::StateReader& reader) {
  const uint32_t version = reader.ReadVersion(kTemporalStateVersion);
  for (int64_t* watermark : {&left_watermark_, &right_watermark_, &output_watermark_}) {
    *watermark = reader.I64();
  }
  for (uint64_t* counter : {&late_rows_, &rows_out_, &versions_evicted_}) {
    *counter = reader.VarU64();
  }
  if (version == 1) {
    const size_t keys = reader.Count(2);
    for (size_t k = 0; k < keys && reader.ok(); ++k) ReadKey(reader);
    if (reader.Bool()) ReadWaiting(reader);
    return reader.status();
  }
  for (;;) {
    const size_t keys = reader.Count(2);
    if (!reader.ok() || keys == 0) break;
    for (size_t k = 0; k < keys && reader.ok(); ++k) ReadKey(reader);
  }
  for (;;) {
    const size_t rows = reader.Count(2);
    if (!reader.ok() || rows == 0) break;
    const size_t before = waiting_.size();
    ReadWaiting(reader);
    if (reader.ok() && waiting_.size() - before != rows) {
      reader.Fail(
          fmt::format("a chunk of {} waiting rows holding {}", rows, waiting_.size() - before));
    }
  }
  return reader.status();
}

}  // namespace laminar::exec
