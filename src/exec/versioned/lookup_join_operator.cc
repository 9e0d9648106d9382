#include "exec/versioned/lookup_join_operator.h"

#include <fmt/format.h>

#include <unordered_map>

#include "columnar/take.h"
#include "storage/state_io.h"

namespace laminar::exec {

Result<std::unique_ptr<LookupJoinOperator>> LookupJoinOperator::Make(
    LookupJoinDefinition definition, const EvaluatorOptions& options) {
  LAMINAR_ASSIGN_OR_RETURN(JoinKeyEvaluator keys,
                           JoinKeyEvaluator::Make(definition.key_expressions, options));
  std::optional<ExpressionEvaluator> residual;
  if (definition.residual) {
    LAMINAR_ASSIGN_OR_RETURN(residual, ExpressionEvaluator::Make(definition.residual, options));
  }
  return std::unique_ptr<LookupJoinOperator>(
      new LookupJoinOperator(std::move(definition), std::move(keys), std::move(residual)));
}

LookupJoinOperator::LookupJoinOperator(LookupJoinDefinition definition, JoinKeyEvaluator keys,
                                       std::optional<ExpressionEvaluator> residual)
    : def_(std::move(definition)),
      keys_(std::move(keys)),
      residual_(std::move(residual)),
      cache_(def_.cache_capacity_bytes),
      right_width_(def_.source->schema()->num_fields()) {}

Status LookupJoinOperator::Process(int port, const ChangeBatch& batch, OperatorOutput& out) {
  if (port != 0) return Status::Error(ErrorCode::kInternal, "lookup join has one input");
  for (int8_t weight : batch.weights) {
    if (weight < 0) {
      return Status::Error(ErrorCode::kNotSupported,
                           "a lookup join cannot take back a joined row (retraction on its input)");
    }
  }
  const Batch& left = batch.rows;
  const int64_t rows = left.num_rows();
  rows_in_ += static_cast<uint64_t>(rows);
  LAMINAR_RETURN_IF_ERROR(keys_.Evaluate(left));
  cache_.SyncVersion(def_.source->version());

  // Pass 1: cache hits, and the distinct missing keys. Find never moves entries, so the hit
  // pointers stay valid until the misses are inserted after the output is built.
  constexpr int32_t kNoKey = -1;
  std::vector<const CachedLookup*> hits(static_cast<size_t>(rows), nullptr);
  std::vector<int32_t> miss_of_row(static_cast<size_t>(rows), kNoKey);
  std::unordered_map<std::string_view, int32_t> miss_index;
  SelectionVector miss_rows;  // One left row per distinct missing key.
  for (int64_t r = 0; r < rows; ++r) {
    if (keys_.HasNull(r)) continue;
    const std::string_view key = keys_.key(r);
    auto pending = miss_index.find(key);
    if (pending != miss_index.end()) {
      miss_of_row[static_cast<size_t>(r)] = pending->second;
      continue;
    }
    const CachedLookup* hit = cache_.Find(key);
    if (hit != nullptr) {
      hits[static_cast<size_t>(r)] = hit;
      continue;
    }
    const auto index = static_cast<int32_t>(miss_rows.size());
    miss_index.emplace(key, index);
    miss_of_row[static_cast<size_t>(r)] = index;
    miss_rows.Append(static_cast<uint32_t>(r));
  }

  // Pass 2: one request for all misses.
  LookupResult result;
  std::vector<int32_t> result_of_miss(static_cast<size_t>(miss_rows.size()), kNoKey);
  if (!miss_rows.empty()) {
    std::vector<Column> key_columns;
    std::vector<Field> fields;
    const std::vector<int>& key_indexes = def_.source->key_columns();
    for (size_t k = 0; k < keys_.columns().size(); ++k) {
      LAMINAR_ASSIGN_OR_RETURN(Column column, Take(keys_.columns()[k], miss_rows));
      key_columns.push_back(std::move(column));
      Field field = def_.source->schema()->field(key_indexes[k]);
      field.nullable = true;
      fields.push_back(field);
    }
    LAMINAR_ASSIGN_OR_RETURN(Batch key_batch,
                             Batch::Make(Schema::Make(std::move(fields)), std::move(key_columns)));
    ++source_requests_;
    LAMINAR_ASSIGN_OR_RETURN(
        result, def_.source->Lookup(LookupRequest{std::move(key_batch), def_.filters}));
    for (size_t i = 0; i < result.probe.size(); ++i) {
      result_of_miss[static_cast<size_t>(result.probe[i])] = static_cast<int32_t>(i);
    }
  }

  JoinOutputBuilder builder(def_.output_schema, right_width_);
  for (int64_t r = 0; r < rows; ++r) {
    const CachedLookup* hit = hits[static_cast<size_t>(r)];
    if (hit != nullptr && hit->found) {
      builder.AddMatch(&left, r, &hit->row);
      continue;
    }
    const int32_t miss = miss_of_row[static_cast<size_t>(r)];
    const int32_t found = miss == kNoKey ? kNoKey : result_of_miss[static_cast<size_t>(miss)];
    if (found != kNoKey) {
      builder.AddMatch(&left, r, &result.rows, found);
    } else if (def_.kind == sql::JoinKind::kLeft) {
      builder.AddPadded(&left, r);
    }
  }
  if (!builder.empty()) {
    LAMINAR_ASSIGN_OR_RETURN(Batch output,
                             builder.Finish(residual_ ? &*residual_ : nullptr, def_.kind));
    rows_out_ += static_cast<uint64_t>(output.num_rows());
    if (output.num_rows() > 0)
      LAMINAR_RETURN_IF_ERROR(out.Emit(ChangeBatch{std::move(output), {}}));
  }

  // Cache what the source answered, found or not.
  for (int64_t m = 0; m < miss_rows.size(); ++m) {
    CachedLookup answer;
    const int32_t found = result_of_miss[static_cast<size_t>(m)];
    if (found != kNoKey) {
      answer.found = true;
      for (int c = 0; c < right_width_; ++c) {
        answer.row.push_back(result.rows.column(c).GetValue(found));
      }
    }
    cache_.Insert(keys_.key(miss_rows[m]), std::move(answer));
  }
  return Status::Ok();
}

std::string LookupJoinOperator::Describe() const {
  std::string text = fmt::format("LookupJoin {} {} ({} key column{}", sql::JoinKindName(def_.kind),
                                 def_.source->Describe(), def_.key_expressions.size(),
                                 def_.key_expressions.size() == 1 ? "" : "s");
  for (const LookupFilter& filter : def_.filters) {
    text += fmt::format("; pushed down: {} {} {}", def_.source->schema()->field(filter.column).name,
                        filter.op, filter.constant.ToString());
  }
  if (def_.residual) text += "; residual " + def_.residual->ToString();
  text += ")";
  if (!def_.note.empty()) text += "; " + def_.note;
  return text;
}

std::string LookupJoinOperator::MetricsText() const {
  return fmt::format(
      "rows in {}; rows out {}; cache hits {}; cache misses {}; source requests {}; cache "
      "evictions {}; cache invalidations {}; cache entries {}; cache bytes {} of {}",
      rows_in_, rows_out_, cache_.hits(), cache_.misses(), source_requests_, cache_.evictions(),
      cache_.invalidations(), cache_.entries(), cache_.bytes(), cache_.capacity_bytes());
}

// ---------------------------------------------------------------------------------------------
// Checkpoints (format: docs/formats/operator-state.md, "Lookup join operator").
//
// Every mutable member, and how it comes back on Restore:
// - cache_'s entries: not written; a restored operator starts with an empty cache. The cache
//   holds copies of the table's rows, which the table itself keeps (and checkpoints); it is
//   dropped anyway whenever the table's version changes, and a miss reads the same answer from
//   the source as the hit would have served. So the output is the same, only source requests
//   and hit counts differ. Its counters (hits, misses, evictions, invalidations) are written:
//   DESCRIBE goes on counting from where it was; so is the table version it last saw (a
//   change after the restore still counts as an invalidation).
// - rows_in_, rows_out_, source_requests_: written.
// - keys_: scratch of one call; right_width_: fixed by the definition.
// The lookup join keeps no rows and no watermark of its own (the left watermark passes
// through).

namespace {
constexpr uint32_t kLookupStateVersion = 1;
}  // namespace

Status LookupJoinOperator::Snapshot(storage::StateWriter& writer) const {
  writer.WriteVersion(kLookupStateVersion);
  for (const uint64_t counter : {rows_in_, rows_out_, source_requests_, cache_.hits(),
                                 cache_.misses(), cache_.evictions(), cache_.invalidations()}) {
    writer.VarU64(counter);
  }
  writer.Bool(cache_.version().has_value());
  writer.VarU64(cache_.version().value_or(0));
  return Status::Ok();
}

Status LookupJoinOperator::Restore(storage::StateReader& reader) {
  reader.ReadVersion(kLookupStateVersion);
  rows_in_ = reader.VarU64();
  rows_out_ = reader.VarU64();
  source_requests_ = reader.VarU64();
  const uint64_t hits = reader.VarU64();
  const uint64_t misses = reader.VarU64();
  const uint64_t evictions = reader.VarU64();
  const uint64_t invalidations = reader.VarU64();
  const bool has_version = reader.Bool();
  const uint64_t version = reader.VarU64();
  cache_.RestoreCounters(hits, misses, evictions, invalidations,
                         has_version ? std::optional<uint64_t>(version) : std::nullopt);
  return reader.status();
}

}  // namespace laminar::exec
