#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/result.h"
#include "common/status.h"
#include "storage/object_store.h"

namespace laminar::storage {

/// One piece of a checkpoint's state: the state of one object (a source, a query, a
/// materialized view, a table or a sink), as the runtime serialised it.
struct CheckpointSection {
  std::string kind;  // "source", "query", "view", "table", "sink".
  std::string name;  // The catalog object.
  std::string bytes;
};

/// Everything one checkpoint records (docs/formats/checkpoint.md).
struct CheckpointData {
  uint64_t id = 0;
  int64_t created_micros = 0;  // Engine clock when it was taken.
  /// The statements that recreate the catalog, in order (CREATE ... and INSERT INTO table).
  std::vector<std::string> catalog;
  std::vector<CheckpointSection> sections;
  /// Per object: the watermark of its output.
  std::map<std::string, int64_t> watermarks;
  /// Per source: where its input resumes (the next WAL record to replay), when it has a WAL.
  std::map<std::string, uint64_t> source_offsets;
  /// Per sink: the epoch whose output this checkpoint commits.
  std::map<std::string, uint64_t> sink_epochs;
  /// Per source with a WAL: its mode ("sync" or "async") and its directory (relative to the
  /// data directory; each incarnation of a source name has its own).
  struct Wal {
    std::string mode;
    std::string directory;
    friend bool operator==(const Wal&, const Wal&) = default;
  };
  std::map<std::string, Wal> wals;

  const CheckpointSection* Find(std::string_view kind, std::string_view name) const;
};

/// Checkpoints in an object store (a local directory, the default, or S3-compatible storage),
/// under the key prefix `checkpoints/`, one prefix per checkpoint id: `state.bin` (every
/// section, back to back) and `MANIFEST.json`, which lists the sections with their offsets,
/// sizes and CRC32C, and carries its own checksum (docs/formats/checkpoint.md).
///
/// Atomic publication: state.bin is put first, the manifest last (object stores make a put
/// visible all or nothing). A checkpoint without a manifest is incomplete: List() ignores it
/// and the next Write() removes it. Retention: after a successful Write, all but the newest
/// `retain` checkpoints are deleted (the manifest first).
///
/// Thread-safety: one writer at a time; Read/List from any thread.
class CheckpointStore {
 public:
  /// `store` must outlive this.
  CheckpointStore(ObjectStore* store, int retain);

  /// Publishes `data` under data.id. REQUIRES: data.id is above every listed id.
  Status Write(const CheckpointData& data);
  /// Ids of the complete checkpoints (with a manifest), ascending.
  Result<std::vector<uint64_t>> List() const;
  /// Reads and verifies checkpoint `id`: kFileNotFound when absent, kChecksumMismatch /
  /// kTornWrite / kCorruption / kUnsupportedFormatVersion when damaged (naming the object).
  Result<CheckpointData> Read(uint64_t id) const;
  /// Only the manifest of checkpoint `id` (no sections): cheap, for bookkeeping such as WAL
  /// truncation. Same errors as Read for the manifest.
  Result<CheckpointData> ReadManifest(uint64_t id) const;
  /// Deletes checkpoint `id` (retention).
  Status Delete(uint64_t id);

  /// The key prefix of checkpoint `id`: "checkpoints/<20 digits>/".
  static std::string PrefixOf(uint64_t id);
  const ObjectStore& store() const { return *store_; }

  static constexpr uint32_t kFormatVersion = 1;

 private:
  Result<CheckpointData> ReadImpl(uint64_t id, bool with_sections) const;
  ObjectStore* const store_;
  const int retain_;
};

}  // namespace laminar::storage
