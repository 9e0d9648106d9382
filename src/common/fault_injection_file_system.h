#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/file_system.h"
#include "common/memory_file_system.h"

namespace laminar {

/// Which file operation a fault rule matches.
enum class FaultOperation {
  kAppend,         // WritableFile::Append.
  kSync,           // WritableFile::Flush and WritableFile::Sync.
  kRename,         // FileSystem::RenameFile (matched against the source path).
  kCreate,         // FileSystem::NewWritableFile, NewAppendableFile, NewDirectWritableFile.
  kSyncDirectory,  // FileSystem::SyncDirectory.
};

/// What an injected fault does.
enum class FaultKind {
  kNoSpace,    // The operation fails with kNoSpace (ENOSPC); nothing of it reaches the file.
  kIoError,    // The operation fails with kIoError (EIO); nothing of it reaches the file.
  kTornWrite,  // Only for kAppend: the first `torn_bytes` bytes of the data reach the file and
               // are made durable (as a disk that persisted part of a write before power loss),
               // then the Append fails with kIoError.
};

/// A fault to inject: the `nth` matching operation (counting from 1, from when the rule is
/// added) fails. With `repeat`, every matching operation after it fails too (a full disk stays
/// full). `path_contains` restricts the rule to paths containing that text ("" matches all).
///
/// Built fluently: `FaultRule::At(FaultOperation::kSync, FaultKind::kIoError, 3).OnPath("wal-")`.
struct FaultRule {
  static FaultRule At(FaultOperation operation, FaultKind kind, uint64_t nth = 1) {
    FaultRule rule;
    rule.operation = operation;
    rule.kind = kind;
    rule.nth = nth;
    return rule;
  }
  FaultRule OnPath(std::string pattern) && {
    path_contains = std::move(pattern);
    return std::move(*this);
  }
  FaultRule Repeating() && {
    repeat = true;
    return std::move(*this);
  }
  FaultRule KeepingBytes(size_t bytes) && {
    torn_bytes = bytes;
    return std::move(*this);
  }

  FaultOperation operation = FaultOperation::kAppend;
  FaultKind kind = FaultKind::kIoError;
  uint64_t nth = 1;
  std::string path_contains;
  bool repeat = false;
  /// For kTornWrite: how many bytes of the failing Append reach the file (clamped to its size).
  size_t torn_bytes = 0;
};

/// A FileSystem that forwards to another one and injects faults on request: ENOSPC and EIO at
/// the Nth append, sync, rename, create or directory sync (optionally only for paths matching a
/// pattern), torn appends, and simulated crashes.
///
/// A crash (`SimulateCrash`) loses what a power failure would lose: data that was not synced
/// (through MemoryFileSystem::DropUnsyncedData) and directory entries created or renamed since
/// the last SyncDirectory of their directory. Deletions are treated as immediately durable.
/// Crash simulation needs the wrapped file system to be a MemoryFileSystem; fault injection
/// works over any FileSystem.
///
/// A WritableFile whose operation failed through an injected fault stays failed, like a real
/// one: every later call returns the same error.
///
/// Thread-safety: all methods are thread-safe. Files it hands out are as thread-safe as the
/// wrapped ones.
class FaultInjectionFileSystem final : public FileSystem {
 public:
  /// REQUIRES: `base` outlives this object.
  explicit FaultInjectionFileSystem(FileSystem* base);
  /// Wraps a MemoryFileSystem, so SimulateCrash works. REQUIRES: `base` outlives this object.
  explicit FaultInjectionFileSystem(MemoryFileSystem* base);
  ~FaultInjectionFileSystem() override;

  /// Adds a rule. Rules are independent: each counts its own matching operations.
  void InjectFault(FaultRule rule);
  /// Removes all rules (files already failed stay failed).
  void ClearFaults();
  /// How many faults have fired so far.
  uint64_t faults_fired() const;

  /// Simulates a power loss: unsynced file data and unsynced directory entries disappear, and
  /// files opened before the crash fail from then on. REQUIRES: constructed over a
  /// MemoryFileSystem (otherwise returns kNotSupported).
  Status SimulateCrash();
  /// Same as SimulateCrash; named after LevelDB's and MemoryFileSystem's method.
  Status DropUnsyncedData() { return SimulateCrash(); }

  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) override;
  Result<std::unique_ptr<WritableFile>> NewAppendableFile(const std::string& path) override;
  /// The base's direct file (null if it has none), with the faults of any other file.
  Result<std::unique_ptr<WritableFile>> NewDirectWritableFile(const std::string& path) override;
  Result<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(const std::string& path) override;
  Result<bool> Exists(const std::string& path) override;
  Result<bool> IsDirectory(const std::string& path) override;
  Result<uint64_t> GetFileSize(const std::string& path) override;
  Result<std::vector<std::string>> ListDirectory(const std::string& path) override;
  Status CreateDirectories(const std::string& path) override;
  Status DeleteFile(const std::string& path) override;
  Status DeleteRecursively(const std::string& path) override;
  Status RenameFile(const std::string& from, const std::string& to) override;
  Status Truncate(const std::string& path, uint64_t size) override;
  Status SyncDirectory(const std::string& path) override;

  /// Consults the rules for one operation on `path`. Returns the rule that fires, if any.
  /// Used by the files this object hands out; not meant for other callers.
  std::optional<FaultRule> CheckFault(FaultOperation operation, const std::string& path);

 private:
  struct ArmedRule {
    FaultRule rule;
    uint64_t seen = 0;
    bool done = false;
  };
  enum class WritableKind { kNew, kAppendable, kDirect };
  Result<std::unique_ptr<WritableFile>> OpenWritable(const std::string& path, WritableKind kind);
  Status FaultStatus(const FaultRule& rule, std::string_view operation, const std::string& path);
  void RememberCreated(const std::string& path);

  FileSystem* base_;
  MemoryFileSystem* memory_base_;  // Null unless constructed over a MemoryFileSystem.

  mutable std::mutex mutex_;
  std::vector<ArmedRule> rules_;  // Guarded by mutex_.
  uint64_t faults_fired_ = 0;     // Guarded by mutex_.
  // Files whose directory entry is not durable yet (created, or the target of a rename, since
  // their directory was last synced), mapped to the name they had durably before a rename
  // ("" if they were created). Guarded by mutex_.
  std::map<std::string, std::string> unsynced_entries_;
};

}  // namespace laminar
