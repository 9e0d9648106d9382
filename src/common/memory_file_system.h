#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "common/file_system.h"

namespace laminar {

/// A FileSystem held in memory, for tests. It follows POSIX semantics where they matter to
/// LaminarDB: a file's parent directory must exist, rename replaces atomically, appended data
/// becomes visible to readers at Flush, and each file remembers how much of it was synced so
/// that crash simulations can drop what was not (`DropUnsyncedData`).
///
/// Paths are normalised: repeated and trailing slashes are removed; "" and "/" are the root,
/// which always exists. Relative and absolute paths are distinct names.
///
/// Thread-safety: all methods are thread-safe (one mutex guards the whole tree).
class MemoryFileSystem final : public FileSystem {
 public:
  MemoryFileSystem();
  ~MemoryFileSystem() override;

  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) override;
  Result<std::unique_ptr<WritableFile>> NewAppendableFile(const std::string& path) override;
  /// A null file unless set_direct_writes(true); then a file that refuses (kInvalidArgument)
  /// any Append whose address or size is not a multiple of kDirectWriteAlignment, so tests
  /// check that callers keep to the contract.
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

  /// Whether NewDirectWritableFile hands out files (off by default, as on a file system without
  /// O_DIRECT).
  void set_direct_writes(bool enabled) { direct_writes_ = enabled; }

  /// Simulates a power loss: every file shrinks back to the bytes that were synced, and
  /// writers opened before it fail from then on (their buffered data is lost).
  void DropUnsyncedData();

  struct FileData;  // Shared between the tree and open file objects.

 private:
  Result<std::unique_ptr<WritableFile>> OpenForWrite(const std::string& path, bool truncate,
                                                     bool direct = false);
  // REQUIRES: mutex_ held.
  Status CheckParentExists(const std::string& normalized) const;

  mutable std::mutex mutex_;
  std::map<std::string, std::shared_ptr<FileData>> files_;  // Guarded by mutex_.
  std::set<std::string> directories_;                       // Guarded by mutex_.
  std::atomic<bool> direct_writes_{false};
};

}  // namespace laminar
