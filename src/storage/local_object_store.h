#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/file_system.h"
#include "storage/object_store.h"

namespace laminar::storage {

/// An ObjectStore in a directory of the injected FileSystem: key "a/b/c" is the file
/// "<root>/a/b/c". The default checkpoint store (a directory under data_dir).
///
/// Put is atomic and durable: it writes a temporary file ".<name>.tmp-<id>" beside the target,
/// syncs it, renames it over the target and syncs the directory (and, for new directories, the
/// parents that gained an entry). A crash at any point leaves either the old object or the new
/// one; the temporary file it may leave behind is never listed or returned (key segments
/// beginning with '.' are reserved) and RemoveTemporaryFiles() deletes it.
///
/// Delete removes the file, syncs its directory, and removes directories it leaves empty.
///
/// Thread-safety: thread-safe. Within one LocalObjectStore, Put, Get, Head and List run
/// concurrently; removing emptied directories after a Delete briefly excludes them. Two stores
/// (or processes) on the same directory are safe for Put/Get/List but a Delete of one may race
/// with a Put of the other into the same directory.
class LocalObjectStore final : public ObjectStore {
 public:
  /// Opens (creating if needed) the store rooted at `root`. `file_system` is borrowed and must
  /// outlive the store. REQUIRES: file_system != nullptr.
  static Result<std::unique_ptr<LocalObjectStore>> Open(FileSystem* file_system, std::string root);

  Status Put(std::string_view key, std::string_view bytes) override;
  Result<std::string> Get(std::string_view key) override;
  Result<ObjectInfo> Head(std::string_view key) override;
  Result<std::vector<std::string>> List(std::string_view prefix) override;
  Status Delete(std::string_view key) override;
  bool AtomicPut() const override { return true; }
  std::string Describe() const override;

  /// Deletes the temporary files of Puts that a crash interrupted; returns how many.
  /// REQUIRES: no Put is running on this directory (call it at startup).
  Result<size_t> RemoveTemporaryFiles();

  const std::string& root() const { return root_; }

 private:
  LocalObjectStore(FileSystem* file_system, std::string root);

  std::string PathOf(std::string_view key) const;
  Status NotFound(std::string_view key) const;
  // Creates `directory` and its missing parents and syncs every directory that gained an entry.
  Status CreateDirectoriesDurably(const std::string& directory);
  // Appends to `keys` the objects below `directory` (relative name `relative`) that start with
  // `prefix`.
  Status ListBelow(const std::string& directory, const std::string& relative,
                   std::string_view prefix, std::vector<std::string>& keys);
  // Removes `directory` and its ancestors below the root while they are empty.
  // REQUIRES: directory_mutex_ held exclusively.
  Status RemoveEmptyDirectories(std::string directory);
  Status RemoveTemporaryFilesBelow(const std::string& directory, size_t& removed);

  FileSystem* const file_system_;  // Not owned.
  const std::string root_;
  const uint64_t instance_id_;  // Makes temporary names unique across stores and processes.
  std::atomic<uint64_t> next_temporary_id_{0};
  // Held shared by every operation that creates or walks directories, exclusively while
  // emptied directories are removed, so a Put never sees its directory vanish.
  mutable std::shared_mutex directory_mutex_;
};

}  // namespace laminar::storage
