#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "columnar/batch.h"
#include "columnar/value.h"
#include "common/result.h"
#include "exec/change_batch.h"
#include "state/group_table.h"
#include "state/key_encoder.h"

namespace laminar::runtime {

/// The result table of a MATERIALIZED VIEW: the view query's changelog applied row by row.
///
/// With a unique key (the GROUP BY keys of an aggregation, window bounds included), the table
/// holds one row per key: +1 upserts it, -1 removes it. Without one, rows form a bag with a
/// count per distinct row. Ad-hoc queries read a Snapshot, which is consistent as of the
/// watermark it reports: every batch the view's query emitted up to that watermark is applied
/// entirely or not at all.
///
/// Memory: one std::vector<Value> per row plus its encoded key (documented in
/// docs/architecture.md).
///
/// Thread-safety: Apply and AdvanceWatermark from the reactor; Snapshot from any thread (one
/// mutex; a batch is applied under it).
class ViewStore {
 public:
  /// `key_columns` empty: a bag of rows.
  ViewStore(std::shared_ptr<const Schema> schema, std::vector<int> key_columns);
  ~ViewStore();

  Status Apply(const exec::ChangeBatch& batch);
  void AdvanceWatermark(int64_t watermark);

  struct Snapshot {
    Batch rows;
    int64_t watermark = exec::kMinWatermark;
  };
  Result<Snapshot> Read() const;

  /// Checkpoints: the rows with their counts and the watermark, in a versioned format.
  Result<std::string> SaveState() const;
  /// Replaces the contents with what SaveState wrote. kCorruption on malformed state.
  Status LoadState(std::string_view state, std::string_view context);

  /// Incremental checkpoints, on the thread that applies batches: BeginSnapshot at the
  /// barrier, then ContinueSnapshot (about `max_rows` rows per call, in key order) until it
  /// returns the state, as pieces whose concatenation LoadState reads and which equals in
  /// meaning what SaveState would have written at the barrier. Meanwhile Apply writes aside a
  /// row it is about to change or remove before the snapshot reaches it, and marks the keys it
  /// adds, which the snapshot skips. CancelSnapshot drops one in progress.
  void BeginSnapshot();
  Result<std::optional<std::vector<std::string>>> ContinueSnapshot(size_t max_rows);
  void CancelSnapshot();

 private:
  struct Entry {
    std::vector<Value> row;
    int64_t count = 0;
  };
  struct IncrementalSnapshot;

  /// Apply, while a snapshot is in progress: before entry `it` changes or goes.
  void SaveBeforeChange(std::map<std::string, Entry>::iterator it);
  /// Apply, while a snapshot is in progress: key `key` was just inserted.
  void NoteAdded(const std::string& key);
  /// Whether the snapshot in progress has yet to write `key`.
  bool Unwritten(const std::string& key) const;

  const std::shared_ptr<const Schema> schema_;
  const std::vector<int> key_columns_;
  state::KeyEncoder encoder_;
  mutable std::mutex mutex_;  // Guards rows_ and watermark_.
  std::map<std::string, Entry> rows_;
  int64_t watermark_ = exec::kMinWatermark;
  std::unique_ptr<IncrementalSnapshot> snapshot_;  // Guarded by mutex_.
};

}  // namespace laminar::runtime
