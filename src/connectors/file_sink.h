#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "columnar/batch.h"
#include "columnar/schema.h"
#include "common/file_system.h"
#include "connectors/sink_connector.h"

namespace laminar::connectors {

/// How the files sink writes rows.
enum class FileSinkFormat : uint8_t {
  /// JSON lines: one object per row, column names as keys (columnar/json_format.h). ".json".
  kJson,
  /// CSV: a header line of column names, then one line per row; RFC 4180 quoting. ".csv".
  kCsv,
};

/// What `INTO FILES (path = 'dir') [FORMAT JSON | CSV]` asks for.
struct FileSinkOptions {
  /// The output directory; created if missing.
  std::string path;
  FileSinkFormat format = FileSinkFormat::kJson;
};

/// Checks the options (only `path`, required and non-empty) and the format (JSON, the
/// default, or CSV, any case). LDB-1109 otherwise.
Result<FileSinkOptions> ParseFileSinkOptions(const std::map<std::string, std::string>& options,
                                             const std::string& format);

/// The file extension of a format, without the dot: "json" or "csv".
std::string_view FileSinkExtension(FileSinkFormat format);

/// The name of the file that publishes `epoch`: "part-<epoch as 20 digits>.<extension>".
std::string FileSinkPartName(uint64_t epoch, FileSinkFormat format);

/// The exactly-once files sink (`INTO FILES`, docs/formats/file-sink.md). Each epoch with rows
/// becomes one file:
///
///   <path>/.pending/epoch-<epoch>.<ext>.tmp   the open epoch, written as rows arrive
///   <path>/.pending/epoch-<epoch>.<ext>       pre-committed: synced, invisible
///   <path>/part-<epoch>.<ext>                 published
///
/// PreCommit syncs the temporary file and renames it into its pending name (then syncs the
/// directory); Commit renames pending files to their part names (then syncs the directories).
/// Readers consider only part files, so a file is either fully published or absent. An epoch
/// without rows leaves no file. The sink appends only: a retraction is an error (LDB-5002).
///
/// Recover(c) refuses (LDB-4006) when a part file above c exists: that output was published
/// for a checkpoint the database no longer has, and replay would write its rows again. Open
/// on a fresh start refuses (LDB-4003) when a part file at or above the first epoch exists,
/// rather than overwrite it.
///
/// Thread-safety: see SinkConnector (one calling thread). The file system is borrowed.
class FileSink final : public SinkConnector {
 public:
  /// REQUIRES: `fs` outlives the sink; `schema` is the schema of the rows written.
  FileSink(FileSinkOptions options, std::shared_ptr<const Schema> schema, FileSystem* fs);
  ~FileSink() override;

  DeliveryGuarantee guarantee() const override { return DeliveryGuarantee::kExactlyOnce; }
  bool accepts_retractions() const override { return false; }

  Status Open(uint64_t first_epoch) override;
  Status Write(const Batch& rows, std::span<const int8_t> weights) override;
  Status PreCommit(uint64_t epoch) override;
  Status Commit(uint64_t epoch) override;
  Status Rollback(uint64_t epoch) override;
  Status Recover(uint64_t committed_epoch) override;
  std::string Describe() const override;

 private:
  /// A file of the sink's layout in one of its directories, by what its name says.
  struct EpochFile {
    std::string name;
    uint64_t epoch = 0;
    bool temporary = false;  // "….tmp": an epoch that was never pre-committed.
  };

  std::string PendingDirectory() const;
  std::string TemporaryPath(uint64_t epoch) const;
  std::string PendingPath(uint64_t epoch) const;
  // Creates the output and pending directories if missing.
  Status CreateDirectories();
  // The files of `directory` named `<prefix><epoch>.<json|csv>` (and `….tmp` when
  // `allow_temporary`), oldest epoch first; other files are not the sink's and are left alone.
  // A missing directory has none.
  Result<std::vector<EpochFile>> ListEpochFiles(const std::string& directory,
                                                std::string_view prefix, bool allow_temporary);
  // Renames the pending files of epochs <= `epoch` to their part names, oldest first, and
  // deletes the others when `discard_above`; temporary files too. Syncs what it changed.
  Status Settle(uint64_t epoch, bool discard_above);
  // Appends every row of `rows` to `out` in the sink's format.
  void Encode(const Batch& rows, std::string& out) const;
  // Closes and deletes the open epoch's temporary file, if any.
  Status DiscardOpenEpoch();
  // Fails the open epoch with `status` (with context) and returns it.
  Status FailOpenEpoch(Status status);

  const FileSinkOptions options_;
  const std::shared_ptr<const Schema> schema_;
  FileSystem* const fs_;

  bool opened_ = false;
  std::optional<uint64_t> recovered_epoch_;  // Set by Recover.
  uint64_t open_epoch_ = 0;                  // The lowest id the open epoch can have.
  std::unique_ptr<WritableFile> open_file_;  // Null until the open epoch's first row.
  std::string open_path_;                    // The temporary file's path, when open_file_.
  Status open_error_;  // Not OK once a Write or PreCommit of the open epoch failed.
};

}  // namespace laminar::connectors
