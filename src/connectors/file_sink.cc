#include "connectors/file_sink.h"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

#include "columnar/json_format.h"
#include "columnar/value.h"
#include "common/error_code.h"

namespace laminar::connectors {
namespace {

constexpr std::string_view kPendingDirectoryName = ".pending";
constexpr std::string_view kPartPrefix = "part-";
constexpr std::string_view kEpochPrefix = "epoch-";
constexpr std::string_view kTemporarySuffix = ".tmp";
constexpr size_t kEpochDigits = 20;  // UINT64_MAX has 20 digits, so names sort by epoch.

std::string EpochDigits(uint64_t epoch) { return fmt::format("{:020}", epoch); }

std::string AsciiUpper(std::string_view text) {
  std::string upper(text);
  for (char& c : upper) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return upper;
}

/// What a file name of the sink's layout says: `<prefix><20 digits>.<json|csv>[.tmp]`.
struct EpochFileName {
  uint64_t epoch = 0;
  bool temporary = false;
};

std::optional<EpochFileName> ParseEpochFileName(std::string_view name, std::string_view prefix,
                                                bool allow_temporary) {
  if (name.substr(0, prefix.size()) != prefix) return std::nullopt;
  name.remove_prefix(prefix.size());
  if (name.size() < kEpochDigits) return std::nullopt;
  EpochFileName parsed;
  for (size_t i = 0; i < kEpochDigits; ++i) {
    const char c = name[i];
    if (c < '0' || c > '9') return std::nullopt;
    const uint64_t digit = static_cast<uint64_t>(c - '0');
    if (parsed.epoch > (UINT64_MAX - digit) / 10) return std::nullopt;
    parsed.epoch = parsed.epoch * 10 + digit;
  }
  name.remove_prefix(kEpochDigits);
  if (allow_temporary && name.size() >= kTemporarySuffix.size() &&
      name.substr(name.size() - kTemporarySuffix.size()) == kTemporarySuffix) {
    parsed.temporary = true;
    name.remove_suffix(kTemporarySuffix.size());
  }
  if (name != ".json" && name != ".csv") return std::nullopt;
  return parsed;
}

/// RFC 4180: a field holding a comma, a quote or a line break is quoted, with its quotes
/// doubled. The empty string is quoted too, so that it differs from NULL (an empty field), as
/// in PostgreSQL's COPY ... CSV.
void AppendCsvField(std::string& out, std::string_view text) {
  if (!text.empty() && text.find_first_of(",\"\r\n") == std::string_view::npos) {
    out += text;
    return;
  }
  out += '"';
  for (const char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

Status ProtocolError(std::string message) {
  return Status(ErrorCode::kInvariantViolation, "files sink: " + message);
}

}  // namespace

Result<FileSinkOptions> ParseFileSinkOptions(const std::map<std::string, std::string>& options,
                                             const std::string& format) {
  FileSinkOptions parsed;
  for (const auto& [key, value] : options) {
    if (key != "path") {
      return Status::Error(ErrorCode::kInvalidOption,
                           "unknown option {} for the FILES sink; it takes path", key);
    }
    parsed.path = value;
  }
  if (parsed.path.empty()) {
    return Status::Error(ErrorCode::kInvalidOption,
                         "the FILES sink needs path = '<directory>' (a non-empty path)");
  }
  const std::string upper = AsciiUpper(format);
  if (upper.empty() || upper == "JSON") {
    parsed.format = FileSinkFormat::kJson;
  } else if (upper == "CSV") {
    parsed.format = FileSinkFormat::kCsv;
  } else {
    return Status::Error(ErrorCode::kInvalidOption,
                         "the FILES sink writes FORMAT JSON or FORMAT CSV, not {}", format);
  }
  return parsed;
}

std::string_view FileSinkExtension(FileSinkFormat format) {
  return format == FileSinkFormat::kCsv ? "csv" : "json";
}

std::string FileSinkPartName(uint64_t epoch, FileSinkFormat format) {
  return fmt::format("{}{}.{}", kPartPrefix, EpochDigits(epoch), FileSinkExtension(format));
}

FileSink::FileSink(FileSinkOptions options, std::shared_ptr<const Schema> schema, FileSystem* fs)
    : options_(std::move(options)), schema_(std::move(schema)), fs_(fs) {}

// The open epoch's temporary file closes with its WritableFile; it is left for Recover or Open
// to delete, because a destructor cannot report a failed deletion.
FileSink::~FileSink() = default;

std::string FileSink::PendingDirectory() const {
  return JoinPath(options_.path, kPendingDirectoryName);
}

std::string FileSink::TemporaryPath(uint64_t epoch) const {
  return PendingPath(epoch) + std::string(kTemporarySuffix);
}

std::string FileSink::PendingPath(uint64_t epoch) const {
  return JoinPath(PendingDirectory(), fmt::format("{}{}.{}", kEpochPrefix, EpochDigits(epoch),
                                                  FileSinkExtension(options_.format)));
}

Status FileSink::CreateDirectories() {
  const std::string pending = PendingDirectory();
  LAMINAR_ASSIGN_OR_RETURN(const bool exists, fs_->Exists(pending));
  if (exists) return Status::Ok();
  LAMINAR_RETURN_IF_ERROR(fs_->CreateDirectories(pending).WithContext(
      fmt::format("files sink: creating the directory '{}'", pending)));
  // The new entries must survive a power loss before any file in them is called durable.
  LAMINAR_RETURN_IF_ERROR(fs_->SyncDirectory(options_.path));
  const std::string parent = ParentPath(options_.path);
  if (!parent.empty()) LAMINAR_RETURN_IF_ERROR(fs_->SyncDirectory(parent));
  return Status::Ok();
}

Result<std::vector<FileSink::EpochFile>> FileSink::ListEpochFiles(const std::string& directory,
                                                                  std::string_view prefix,
                                                                  bool allow_temporary) {
  Result<std::vector<std::string>> names = fs_->ListDirectory(directory);
  if (!names.ok()) {
    if (names.status().code() == ErrorCode::kFileNotFound) return std::vector<EpochFile>{};
    return std::move(names).status().WithContext(
        fmt::format("files sink: listing the directory '{}'", directory));
  }
  std::vector<EpochFile> files;
  for (std::string& name : *names) {
    const std::optional<EpochFileName> parsed = ParseEpochFileName(name, prefix, allow_temporary);
    if (parsed) files.push_back({std::move(name), parsed->epoch, parsed->temporary});
  }
  // The names sort by epoch already (fixed-width digits); keep it explicit.
  std::stable_sort(files.begin(), files.end(),
                   [](const EpochFile& a, const EpochFile& b) { return a.epoch < b.epoch; });
  return files;
}

Status FileSink::Settle(uint64_t epoch, bool discard_above) {
  const std::string pending_directory = PendingDirectory();
  LAMINAR_ASSIGN_OR_RETURN(const std::vector<EpochFile> entries,
                           ListEpochFiles(pending_directory, kEpochPrefix,
                                          /*allow_temporary=*/true));
  bool published = false;
  bool deleted = false;
  for (const EpochFile& entry : entries) {
    const std::string from = JoinPath(pending_directory, entry.name);
    if (entry.temporary || entry.epoch > epoch) {
      // A temporary file is an open epoch: the current one (left alone by Commit) or one that
      // a crash interrupted.
      if (!discard_above) continue;
      LAMINAR_RETURN_IF_ERROR(
          fs_->DeleteFile(from).WithContext(fmt::format("files sink: discarding '{}'", from)));
      deleted = true;
      continue;
    }
    // "epoch-N.ext" becomes "part-N.ext", keeping the extension it was written with.
    const std::string to =
        JoinPath(options_.path, std::string(kPartPrefix) + entry.name.substr(kEpochPrefix.size()));
    LAMINAR_RETURN_IF_ERROR(fs_->RenameFile(from, to).WithContext(
        fmt::format("files sink: publishing '{}' as '{}'", from, to)));
    published = true;
  }
  // A rename changes both directories; sync the target first, so that a power loss leaves
  // the file under at least one of its names (Recover finishes the job under the old one).
  if (published) {
    LAMINAR_RETURN_IF_ERROR(
        fs_->SyncDirectory(options_.path)
            .WithContext(fmt::format("files sink: syncing the directory '{}'", options_.path)));
  }
  if (published || deleted) {
    LAMINAR_RETURN_IF_ERROR(
        fs_->SyncDirectory(pending_directory)
            .WithContext(fmt::format("files sink: syncing the directory '{}'", pending_directory)));
  }
  return Status::Ok();
}

void FileSink::Encode(const Batch& rows, std::string& out) const {
  if (options_.format == FileSinkFormat::kJson) {
    for (int64_t r = 0; r < rows.num_rows(); ++r) {
      out += JsonRow(*schema_, rows, r);
      out += '\n';
    }
    return;
  }
  for (int64_t r = 0; r < rows.num_rows(); ++r) {
    for (int c = 0; c < rows.num_columns(); ++c) {
      if (c > 0) out += ',';
      const Value value = rows.column(c).GetValue(r);
      if (!value.is_null()) AppendCsvField(out, value.ToString());
    }
    out += '\n';
  }
}

Status FileSink::FailOpenEpoch(Status status) {
  open_error_ = std::move(status);
  return open_error_;
}

Status FileSink::DiscardOpenEpoch() {
  if (open_file_ != nullptr) {
    (void)open_file_->Close();  // Its contents are being thrown away; only the name matters.
    open_file_.reset();
  }
  if (!open_path_.empty()) {
    LAMINAR_ASSIGN_OR_RETURN(const bool exists, fs_->Exists(open_path_));
    if (exists) {
      LAMINAR_RETURN_IF_ERROR(
          fs_->DeleteFile(open_path_)
              .WithContext(fmt::format("files sink: discarding '{}'", open_path_)));
    }
    open_path_.clear();
  }
  open_error_ = Status::Ok();
  return Status::Ok();
}

Status FileSink::Open(uint64_t first_epoch) {
  if (opened_) return ProtocolError("Open called twice");
  if (first_epoch == 0) return ProtocolError("epochs start at 1, Open(0) is not valid");
  if (recovered_epoch_) {
    if (first_epoch <= *recovered_epoch_) {
      return ProtocolError(fmt::format("Open({}) after Recover({}): epochs must grow", first_epoch,
                                       *recovered_epoch_));
    }
  } else {
    // A fresh start: nothing was committed, so whatever an earlier run left pending goes, and
    // output that the new epochs would overwrite is refused.
    LAMINAR_RETURN_IF_ERROR(CreateDirectories());
    LAMINAR_ASSIGN_OR_RETURN(const std::vector<EpochFile> published,
                             ListEpochFiles(options_.path, kPartPrefix, /*allow_temporary=*/false));
    for (const EpochFile& file : published) {
      if (file.epoch >= first_epoch) {
        return Status::Error(ErrorCode::kFileExists,
                             "files sink: '{}' already holds {}, which a new run from epoch {} "
                             "could overwrite; use an empty directory",
                             options_.path, file.name, first_epoch);
      }
    }
    LAMINAR_RETURN_IF_ERROR(Settle(0, /*discard_above=*/true));
  }
  opened_ = true;
  open_epoch_ = first_epoch;
  return Status::Ok();
}

Status FileSink::Write(const Batch& rows, std::span<const int8_t> weights) {
  if (!opened_) return ProtocolError("Write before Open");
  if (!open_error_.ok()) return open_error_;
  if (rows.num_columns() != schema_->num_fields()) {
    return Status::Error(ErrorCode::kSchemaMismatch,
                         "files sink '{}': a batch of {} columns for the schema {}", options_.path,
                         rows.num_columns(), schema_->ToString());
  }
  if (!weights.empty()) {
    if (weights.size() != static_cast<size_t>(rows.num_rows())) {
      return ProtocolError(fmt::format("{} weights for {} rows", weights.size(), rows.num_rows()));
    }
    for (size_t r = 0; r < weights.size(); ++r) {
      if (weights[r] < 0) {
        return Status::Error(ErrorCode::kConnectorConfig,
                             "the FILES sink at '{}' only appends, but its input retracts a row "
                             "(weight {}); files cannot take back what they published",
                             options_.path, weights[r]);
      }
      if (weights[r] != 1) return ProtocolError(fmt::format("row weight {}", weights[r]));
    }
  }
  if (rows.num_rows() == 0) return Status::Ok();

  std::string text;
  if (open_file_ == nullptr) {
    // The first row of the epoch creates its file, so that an epoch without rows leaves none.
    const std::string path = TemporaryPath(open_epoch_);
    Result<std::unique_ptr<WritableFile>> file = fs_->NewWritableFile(path);
    if (!file.ok()) {
      return FailOpenEpoch(
          std::move(file).status().WithContext(fmt::format("files sink: creating '{}'", path)));
    }
    open_file_ = std::move(*file);
    open_path_ = path;
    if (options_.format == FileSinkFormat::kCsv) {
      for (int c = 0; c < schema_->num_fields(); ++c) {
        if (c > 0) text += ',';
        AppendCsvField(text, schema_->field(c).name);
      }
      text += '\n';
    }
  }
  Encode(rows, text);
  Status appended = open_file_->Append(text);
  if (!appended.ok()) {
    return FailOpenEpoch(
        std::move(appended).WithContext(fmt::format("files sink: writing '{}'", open_path_)));
  }
  return Status::Ok();
}

Status FileSink::PreCommit(uint64_t epoch) {
  if (!opened_) return ProtocolError("PreCommit before Open");
  if (epoch < open_epoch_) {
    return ProtocolError(fmt::format("PreCommit({}) but the open epoch is {}: epochs must grow",
                                     epoch, open_epoch_));
  }
  if (!open_error_.ok()) return open_error_;
  if (open_file_ != nullptr) {
    const std::string pending = PendingPath(epoch);
    Status status = open_file_->Sync();
    if (status.ok()) status = open_file_->Close();
    if (!status.ok()) {
      return FailOpenEpoch(std::move(status).WithContext(
          fmt::format("files sink: pre-committing epoch {} to '{}'", epoch, open_path_)));
    }
    status = fs_->RenameFile(open_path_, pending);
    if (status.ok()) status = fs_->SyncDirectory(PendingDirectory());
    if (!status.ok()) {
      return FailOpenEpoch(std::move(status).WithContext(
          fmt::format("files sink: pre-committing epoch {} as '{}'", epoch, pending)));
    }
    open_file_.reset();
    open_path_.clear();
  }
  open_epoch_ = epoch + 1;
  return Status::Ok();
}

Status FileSink::Commit(uint64_t epoch) {
  if (opened_ && epoch >= open_epoch_) {
    return ProtocolError(
        fmt::format("Commit({}) but epoch {} is still open: only pre-committed "
                    "epochs can be published",
                    epoch, open_epoch_));
  }
  return Settle(epoch, /*discard_above=*/false);
}

Status FileSink::Rollback(uint64_t epoch) {
  const bool open_epoch = opened_ && epoch >= open_epoch_;
  if (open_epoch) LAMINAR_RETURN_IF_ERROR(DiscardOpenEpoch());
  // A pending file: a pre-committed epoch, or the open one when its PreCommit failed after
  // the rename.
  const std::string pending = PendingPath(epoch);
  LAMINAR_ASSIGN_OR_RETURN(const bool pending_exists, fs_->Exists(pending));
  if (pending_exists) {
    LAMINAR_RETURN_IF_ERROR(
        fs_->DeleteFile(pending).WithContext(fmt::format("files sink: discarding '{}'", pending)));
    return fs_->SyncDirectory(PendingDirectory())
        .WithContext(fmt::format("files sink: syncing the directory '{}'", PendingDirectory()));
  }
  if (!open_epoch) {
    const std::string part = JoinPath(options_.path, FileSinkPartName(epoch, options_.format));
    LAMINAR_ASSIGN_OR_RETURN(const bool published, fs_->Exists(part));
    if (published) {
      return ProtocolError(
          fmt::format("Rollback({}) but the epoch is already published as '{}'", epoch, part));
    }
  }
  return Status::Ok();  // Rolled back already, or an epoch without rows.
}

Status FileSink::Recover(uint64_t committed_epoch) {
  if (opened_) return ProtocolError("Recover after Open");
  LAMINAR_RETURN_IF_ERROR(CreateDirectories());
  LAMINAR_ASSIGN_OR_RETURN(const std::vector<EpochFile> published,
                           ListEpochFiles(options_.path, kPartPrefix, /*allow_temporary=*/false));
  for (const EpochFile& file : published) {
    if (file.epoch > committed_epoch) {
      return Status::Error(
          ErrorCode::kCorruption,
          "files sink: '{}' holds {}, published after epoch {} of the restored checkpoint: "
          "replay would write its rows again. Remove the file or restore a newer checkpoint",
          options_.path, file.name, committed_epoch);
    }
  }
  LAMINAR_RETURN_IF_ERROR(Settle(committed_epoch, /*discard_above=*/true));
  recovered_epoch_ = committed_epoch;
  return Status::Ok();
}

std::string FileSink::Describe() const {
  return fmt::format("files (path = '{}') FORMAT {}, exactly once", options_.path,
                     options_.format == FileSinkFormat::kCsv ? "CSV" : "JSON");
}

}  // namespace laminar::connectors
