#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "exec/expression_evaluator.h"
#include "exec/operators/operator.h"
#include "exec/planning.h"
#include "exec/versioned/join_rows.h"
#include "sql/plan/logical_join.h"

namespace laminar::exec {

/// What a temporal join against an upsert source executes.
struct TemporalJoinDefinition {
  sql::JoinKind kind = sql::JoinKind::kInner;  // kInner or kLeft.
  /// Over the left input, one per PRIMARY KEY column of the right source (cast to its type).
  std::vector<sql::BoundExprPtr> left_keys;
  /// The right source's PRIMARY KEY columns, as column expressions over the right input.
  std::vector<sql::BoundExprPtr> right_keys;
  /// The rest of the condition over left ++ right; null when none.
  sql::BoundExprPtr residual;
  std::shared_ptr<const Schema> output_schema;
  /// Number of left columns (the output's first ones); the rest are the right input's.
  int left_width = 0;
  /// Event time: a left row is joined with the version valid at its time column
  /// `left_time_column` (the AS OF column), versions ordered by `right_time_column`.
  /// Processing time (both -1): with the latest version received so far.
  int left_time_column = -1;
  int right_time_column = -1;
};

/// FOR SYSTEM_TIME AS OF against an upsert source (PRIMARY KEY): port 0 is the probe side,
/// port 1 the versions (each row replaces its key's version).
///
/// Event time: per key, versions ordered by the right time column (equal times: the later
/// arrival wins). A left row with time t waits until the right watermark passes t (no version
/// at or before t can arrive any more), then meets the latest version with time <= t; with
/// none, an inner join drops it and a left join pads it. Left rows below the left watermark
/// (late) are counted and dropped: the versions they would need may be gone. Per key, the
/// versions older than the newest one at or below the left watermark are evicted (no future
/// left row can choose them); a watermark visits only the keys with two versions or more. A version
/// below the right watermark (late) is still kept: rows already emitted stay as they were, later
/// rows may choose it. The output watermark is the left watermark held back by the waiting rows.
///
/// Processing time: a left row meets the latest version received so far, at once; one version
/// per key is kept (state grows with the number of keys of the source, as the source itself).
///
/// Thread-safety: one thread (the owning reactor).
class TemporalJoinOperator final : public Operator {
 public:
  static Result<std::unique_ptr<TemporalJoinOperator>> Make(TemporalJoinDefinition definition,
                                                            const EvaluatorOptions& options);

  int num_inputs() const override { return 2; }
  Status Process(int port, const ChangeBatch& batch, OperatorOutput& out) override;
  Status OnWatermark(int port, int64_t watermark, OperatorOutput& out) override;
  std::string Describe() const override;
  Status Snapshot(storage::StateWriter& writer) const override;
  Status Restore(storage::StateReader& reader) override;
  /// Incremental snapshots (Operator::BeginSnapshot): the barrier captures the watermarks and
  /// counters; the keys' versions are then written a few keys at a time in key id order
  /// (keys are never erased, so the ids below the barrier's count are its keys), then the
  /// waiting left rows in their order. A key's versions are copied before a version arrives
  /// for it or eviction drops some, and the barrier's waiting rows not written yet before the
  /// right watermark first releases waiting rows (which visits every waiting row anyway).
  Result<bool> BeginSnapshot() override;
  Result<std::optional<StatePieces>> ContinueSnapshot(size_t max_entries) override;
  void CancelSnapshot() override;
  std::string MetricsText() const override;
  ~TemporalJoinOperator() override;

 private:
  struct Version {
    int64_t time;
    std::vector<Value> row;
  };
  struct Waiting {
    int64_t time;
    std::string key;
    bool null_key;
    std::shared_ptr<const Batch> batch;
    int64_t row;
  };

  struct IncrementalSnapshot;

  TemporalJoinOperator(TemporalJoinDefinition definition, JoinKeyEvaluator left_keys,
                       JoinKeyEvaluator right_keys, std::optional<ExpressionEvaluator> residual);
  bool event_time() const { return def_.left_time_column >= 0; }
  /// Adds the output row(s) of one left row to `builder`.
  void Join(const Batch* left, int64_t row, int64_t time, std::string_view key, bool null_key,
            JoinOutputBuilder& builder);
  Status Flush(JoinOutputBuilder& builder, OperatorOutput& out);
  Status ReleaseWaiting(OperatorOutput& out);
  void Evict();
  Status AdvanceOutputWatermark(OperatorOutput& out);
  /// The id of `key`'s versions, added (with none) if it has none yet.
  uint32_t KeyId(std::string_view key);
  /// During an incremental snapshot: before key `id`'s versions change, copies them if the
  /// snapshot still owes them.
  void SaveVersions(uint32_t id) {
    if (snapshot_ != nullptr) [[unlikely]]
      SaveOwedVersions(id);
  }
  void SaveOwedVersions(uint32_t id);
  /// During an incremental snapshot: before waiting rows are released, copies the barrier's
  /// waiting rows not written yet.
  void SaveWaitingRows();
  /// Checkpoints: one key (its bytes, then its versions); a chunk of waiting rows.
  static void WriteKey(storage::StateWriter& writer, std::string_view key,
                       const std::vector<Version>& versions);
  Status WriteWaiting(storage::StateWriter& writer, const std::vector<const Waiting*>& rows) const;
  /// Restore: one key; a chunk of waiting rows.
  void ReadKey(storage::StateReader& reader);
  void ReadWaiting(storage::StateReader& reader);

  TemporalJoinDefinition def_;
  JoinKeyEvaluator left_keys_;
  JoinKeyEvaluator right_keys_;
  std::optional<ExpressionEvaluator> residual_;
  // Per key id, versions in time order (processing time: just the latest). Keys are never
  // erased (a key keeps at least its newest version).
  std::unordered_map<std::string, uint32_t, JoinKeyHash, std::equal_to<>> key_ids_;
  std::vector<const std::string*> key_names_;   // By id: the key in key_ids_ (nodes are stable).
  std::vector<std::vector<Version>> versions_;  // By id.
  /// Event time: exactly the keys with two versions or more, the only ones eviction can
  /// shorten (it keeps at least one), in any order; so a watermark visits those, not every key.
  std::vector<uint32_t> evictable_keys_;
  size_t version_count_ = 0;
  std::vector<Waiting> waiting_;
  int64_t left_watermark_ = kMinWatermark;
  int64_t right_watermark_ = kMinWatermark;
  int64_t output_watermark_ = kMinWatermark;
  uint64_t late_rows_ = 0;
  uint64_t rows_out_ = 0;
  uint64_t versions_evicted_ = 0;
  std::unique_ptr<IncrementalSnapshot> snapshot_;  // Null when none is in progress.
};

/// Plans a FOR SYSTEM_TIME AS OF join whose right side is an upsert source (port 1 reads its
/// versions). REQUIRES: join.options.system_time is set.
Result<PlannedOperator> PlanUpsertTemporalJoin(const sql::LogicalJoin& join,
                                               const EvaluatorOptions& options,
                                               const PlanOptions& plan);

}  // namespace laminar::exec
