#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/status.h"

namespace laminar {

/// The alignment of the address and size of every Append to a file from
/// FileSystem::NewDirectWritableFile: a page, which every Linux file system and block device
/// accepts for O_DIRECT.
inline constexpr size_t kDirectWriteAlignment = 4096;

/// A file being written sequentially. Data passes through three stages: appended (in this
/// object's buffers), flushed (handed to the operating system, survives a process crash) and
/// synced (on stable storage, survives a power loss). Only Sync() promises durability.
///
/// A failed Append, Flush or Sync leaves the file failed: every later call returns the same
/// error, because what reached the device is unknown.
///
/// Thread-safety: not thread-safe; one writer owns it.
class WritableFile {
 public:
  virtual ~WritableFile() = default;

  virtual Status Append(std::string_view data) = 0;
  /// Hands buffered data to the operating system.
  virtual Status Flush() = 0;
  /// Flushes, then waits until the data is on stable storage (fdatasync).
  virtual Status Sync() = 0;
  /// Flushes and closes. Further calls fail with kClosed. The destructor closes too, but
  /// ignores errors, so call Close() when the outcome matters.
  virtual Status Close() = 0;
  /// Bytes appended so far, including data not yet flushed.
  virtual uint64_t Size() const = 0;
};

/// A file read at arbitrary offsets. Thread-safety: ReadAt may be called from several threads.
class RandomAccessFile {
 public:
  virtual ~RandomAccessFile() = default;

  /// Reads up to `out.size()` bytes at `offset` into `out`; returns how many were read, which
  /// is less than asked only at the end of the file.
  virtual Result<size_t> ReadAt(uint64_t offset, std::span<char> out) const = 0;
  virtual Result<uint64_t> Size() const = 0;
};

/// Every file operation of LaminarDB goes through this interface, so tests can run on memory
/// and simulate crashes (MemoryFileSystem drops unsynced data; FaultInjectionFileSystem adds
/// torn writes, ENOSPC, EIO and lost directory entries). Paths use '/' as the
/// separator. Errors carry kFileNotFound, kFileExists, kNoSpace, kPermissionDenied or kIoError
/// and name the path.
///
/// Thread-safety: implementations must allow concurrent calls from several threads.
class FileSystem {
 public:
  virtual ~FileSystem() = default;

  /// Creates or truncates `path`. The parent directory must exist.
  virtual Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) = 0;
  /// Opens `path` for appending, creating it if absent. The parent directory must exist.
  virtual Result<std::unique_ptr<WritableFile>> NewAppendableFile(const std::string& path) = 0;
  /// Creates or truncates `path` for writing around the operating system's page cache
  /// (O_DIRECT): the device reads each Append straight from the caller's memory, so the data
  /// is not copied into the kernel first. Every Append must pass a buffer whose address and
  /// size are multiples of kDirectWriteAlignment (so every write lands at an aligned offset);
  /// Flush and Sync behave as for any file. Returns a null file, not an error, when this file
  /// system cannot write that way (the default); `path` may then exist, empty, and callers
  /// open it with NewWritableFile.
  virtual Result<std::unique_ptr<WritableFile>> NewDirectWritableFile(const std::string& path) {
    (void)path;
    return std::unique_ptr<WritableFile>();
  }
  virtual Result<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(
      const std::string& path) = 0;

  virtual Result<bool> Exists(const std::string& path) = 0;
  virtual Result<bool> IsDirectory(const std::string& path) = 0;
  virtual Result<uint64_t> GetFileSize(const std::string& path) = 0;
  /// Names (not paths) of the entries of a directory, sorted, without "." and "..".
  virtual Result<std::vector<std::string>> ListDirectory(const std::string& path) = 0;
  /// Creates the directory and any missing parents. Succeeds if it already exists.
  virtual Status CreateDirectories(const std::string& path) = 0;
  virtual Status DeleteFile(const std::string& path) = 0;
  /// Deletes a directory and everything below it. Succeeds if it does not exist.
  virtual Status DeleteRecursively(const std::string& path) = 0;
  /// Atomically replaces `to` with `from` (rename(2) semantics).
  virtual Status RenameFile(const std::string& from, const std::string& to) = 0;
  /// Shortens or extends a file to `size` bytes.
  virtual Status Truncate(const std::string& path, uint64_t size) = 0;
  /// Makes the directory's entries (creations, renames, deletions) durable.
  virtual Status SyncDirectory(const std::string& path) = 0;

  /// Reads a whole file.
  Result<std::string> ReadFile(const std::string& path);
  /// Writes a whole file (create or truncate), then syncs it if `sync` is true.
  Status WriteFile(const std::string& path, std::string_view contents, bool sync);

  /// The process-wide POSIX file system. Never null.
  static FileSystem* Posix();
};

/// Joins two path parts with exactly one '/' between them.
std::string JoinPath(std::string_view directory, std::string_view name);
/// The directory part of a path ("a/b/c" → "a/b", "c" → "", "/c" → "/").
std::string ParentPath(std::string_view path);

}  // namespace laminar
