#include "storage/local_object_store.h"

#include <fmt/format.h>

#include <algorithm>
#include <mutex>
#include <random>

#include "common/check.h"
#include "common/error_code.h"

namespace laminar::storage {
namespace {

// Marks the name of an unfinished Put's file: ".<name>.tmp-<instance>-<sequence>".
constexpr std::string_view kTemporaryMarker = ".tmp-";

enum class EntryKind { kAbsent, kFile, kDirectory };

Result<EntryKind> KindOf(FileSystem& file_system, const std::string& path) {
  Result<bool> is_directory = file_system.IsDirectory(path);
  if (!is_directory.ok()) {
    if (is_directory.status().code() == ErrorCode::kFileNotFound) return EntryKind::kAbsent;
    return is_directory.status();
  }
  return *is_directory ? EntryKind::kDirectory : EntryKind::kFile;
}

uint64_t RandomInstanceId() {
  std::random_device device;
  return (uint64_t{device()} << 32) ^ uint64_t { device() };
}

bool IsTemporaryName(std::string_view name) {
  return !name.empty() && name.front() == '.' && name.find(kTemporaryMarker) != name.npos;
}

}  // namespace

LocalObjectStore::LocalObjectStore(FileSystem* file_system, std::string root)
    : file_system_(file_system), root_(std::move(root)), instance_id_(RandomInstanceId()) {}

Result<std::unique_ptr<LocalObjectStore>> LocalObjectStore::Open(FileSystem* file_system,
                                                                 std::string root) {
  LAMINAR_CHECK(file_system != nullptr);
  if (root.empty()) {
    return Status::Error(ErrorCode::kInvalidArgument, "local object store: root is empty");
  }
  while (root.size() > 1 && root.back() == '/') root.pop_back();
  std::unique_ptr<LocalObjectStore> store(new LocalObjectStore(file_system, std::move(root)));
  LAMINAR_RETURN_IF_ERROR(store->CreateDirectoriesDurably(store->root_));
  LAMINAR_ASSIGN_OR_RETURN(const EntryKind kind, KindOf(*file_system, store->root_));
  if (kind != EntryKind::kDirectory) {
    return Status::Error(ErrorCode::kFileExists, "local object store: '{}' is not a directory",
                         store->root_);
  }
  return store;
}

std::string LocalObjectStore::Describe() const {
  return fmt::format("local object store '{}'", root_);
}

std::string LocalObjectStore::PathOf(std::string_view key) const { return JoinPath(root_, key); }

Status LocalObjectStore::NotFound(std::string_view key) const {
  return Status::Error(ErrorCode::kFileNotFound, "object '{}' not found in {}", key, Describe());
}

Status LocalObjectStore::CreateDirectoriesDurably(const std::string& directory) {
  // Find the deepest ancestor that exists: every directory below it is new, and each new one
  // is an entry in its parent that must be synced to survive a crash.
  std::vector<std::string> missing;
  std::string current = directory;
  while (!current.empty()) {
    LAMINAR_ASSIGN_OR_RETURN(const EntryKind kind, KindOf(*file_system_, current));
    if (kind == EntryKind::kDirectory) break;
    if (kind == EntryKind::kFile) {
      return Status::Error(ErrorCode::kFileExists,
                           "{}: '{}' is an object, so it cannot also be a key prefix", Describe(),
                           current);
    }
    missing.push_back(current);
    const std::string parent = ParentPath(current);
    if (parent == current) break;
    current = parent;
  }
  if (missing.empty()) return Status::Ok();
  LAMINAR_RETURN_IF_ERROR(file_system_->CreateDirectories(directory));
  for (const std::string& created : missing) {
    const std::string parent = ParentPath(created);
    if (parent.empty() || parent == created) continue;
    LAMINAR_RETURN_IF_ERROR(file_system_->SyncDirectory(parent));
  }
  return Status::Ok();
}

Status LocalObjectStore::Put(std::string_view key, std::string_view bytes) {
  LAMINAR_RETURN_IF_ERROR(ValidateObjectKey(key));
  const std::string path = PathOf(key);
  const std::string directory = ParentPath(path);
  const std::string name = path.substr(directory.empty() ? 0 : directory.size() + 1);
  const std::string temporary =
      JoinPath(directory, fmt::format(".{}{}{:016x}-{}", name, kTemporaryMarker, instance_id_,
                                      next_temporary_id_.fetch_add(1, std::memory_order_relaxed)));

  std::shared_lock lock(directory_mutex_);
  LAMINAR_RETURN_IF_ERROR(CreateDirectoriesDurably(directory));
  auto publish = [&]() -> Status {
    LAMINAR_ASSIGN_OR_RETURN(auto file, file_system_->NewWritableFile(temporary));
    LAMINAR_RETURN_IF_ERROR(file->Append(bytes));
    LAMINAR_RETURN_IF_ERROR(file->Sync());
    LAMINAR_RETURN_IF_ERROR(file->Close());
    LAMINAR_ASSIGN_OR_RETURN(const EntryKind kind, KindOf(*file_system_, path));
    if (kind == EntryKind::kDirectory) {
      return Status::Error(ErrorCode::kFileExists,
                           "{}: '{}' is a key prefix, so it cannot also be an object", Describe(),
                           key);
    }
    return file_system_->RenameFile(temporary, path);
  };
  Status status = publish();
  if (!status.ok()) {
    // Best effort: if this fails too, the file stays hidden until RemoveTemporaryFiles.
    (void)file_system_->DeleteFile(temporary);
    return std::move(status).WithContext(fmt::format("put '{}'", key));
  }
  // The rename is durable only once the directory is synced.
  return file_system_->SyncDirectory(directory.empty() ? "/" : directory);
}

Result<std::string> LocalObjectStore::Get(std::string_view key) {
  LAMINAR_RETURN_IF_ERROR(ValidateObjectKey(key));
  const std::string path = PathOf(key);
  Result<std::string> contents = file_system_->ReadFile(path);
  if (contents.ok()) return contents;
  if (contents.status().code() == ErrorCode::kFileNotFound) return NotFound(key);
  // Reading a directory fails with an I/O error; for the store it is a missing object.
  LAMINAR_ASSIGN_OR_RETURN(const EntryKind kind, KindOf(*file_system_, path));
  if (kind != EntryKind::kFile) return NotFound(key);
  return std::move(contents).status().WithContext(fmt::format("get '{}'", key));
}

Result<ObjectInfo> LocalObjectStore::Head(std::string_view key) {
  LAMINAR_RETURN_IF_ERROR(ValidateObjectKey(key));
  const std::string path = PathOf(key);
  LAMINAR_ASSIGN_OR_RETURN(const EntryKind kind, KindOf(*file_system_, path));
  if (kind != EntryKind::kFile) return NotFound(key);
  Result<uint64_t> size = file_system_->GetFileSize(path);
  if (!size.ok()) {
    if (size.status().code() == ErrorCode::kFileNotFound) return NotFound(key);
    return std::move(size).status().WithContext(fmt::format("head '{}'", key));
  }
  return ObjectInfo{std::string(key), *size};
}

Status LocalObjectStore::ListBelow(const std::string& directory, const std::string& relative,
                                   std::string_view prefix, std::vector<std::string>& keys) {
  Result<std::vector<std::string>> names = file_system_->ListDirectory(directory);
  if (!names.ok()) {
    // A directory that vanished (another store's Delete) simply holds nothing.
    if (names.status().code() == ErrorCode::kFileNotFound) return Status::Ok();
    return names.status();
  }
  for (const std::string& name : *names) {
    if (name.front() == '.') continue;  // Temporary files and other reserved names.
    const std::string key = relative.empty() ? name : relative + "/" + name;
    const std::string path = JoinPath(directory, name);
    LAMINAR_ASSIGN_OR_RETURN(const EntryKind kind, KindOf(*file_system_, path));
    if (kind == EntryKind::kFile) {
      if (key.starts_with(prefix)) keys.push_back(key);
    } else if (kind == EntryKind::kDirectory) {
      // Descend only where keys can still start with the prefix.
      const std::string below = key + "/";
      if (below.starts_with(prefix) || prefix.starts_with(below)) {
        LAMINAR_RETURN_IF_ERROR(ListBelow(path, key, prefix, keys));
      }
    }
  }
  return Status::Ok();
}

Result<std::vector<std::string>> LocalObjectStore::List(std::string_view prefix) {
  // Start at the deepest directory the prefix names completely: "a/b/c" starts at "a/b".
  const size_t slash = prefix.rfind('/');
  const std::string relative =
      slash == std::string_view::npos ? std::string() : std::string(prefix.substr(0, slash));
  std::vector<std::string> keys;
  std::shared_lock lock(directory_mutex_);
  const std::string start = relative.empty() ? root_ : PathOf(relative);
  LAMINAR_ASSIGN_OR_RETURN(const EntryKind kind, KindOf(*file_system_, start));
  if (kind == EntryKind::kDirectory) {
    Status status = ListBelow(start, relative, prefix, keys);
    if (!status.ok()) {
      return std::move(status).WithContext(fmt::format("list '{}' in {}", prefix, Describe()));
    }
  }
  std::sort(keys.begin(), keys.end());
  return keys;
}

Status LocalObjectStore::Delete(std::string_view key) {
  LAMINAR_RETURN_IF_ERROR(ValidateObjectKey(key));
  const std::string path = PathOf(key);
  LAMINAR_ASSIGN_OR_RETURN(const EntryKind kind, KindOf(*file_system_, path));
  if (kind != EntryKind::kFile) return Status::Ok();
  Status status = file_system_->DeleteFile(path);
  if (!status.ok() && status.code() != ErrorCode::kFileNotFound) {
    return std::move(status).WithContext(fmt::format("delete '{}'", key));
  }
  std::unique_lock lock(directory_mutex_);
  return RemoveEmptyDirectories(ParentPath(path));
}

Status LocalObjectStore::RemoveEmptyDirectories(std::string directory) {
  // `directory` lost an entry; walk up while directories are empty, then make the last change
  // durable by syncing the directory that still exists.
  while (directory.size() > root_.size() && directory.starts_with(root_)) {
    Result<std::vector<std::string>> names = file_system_->ListDirectory(directory);
    if (!names.ok()) {
      if (names.status().code() != ErrorCode::kFileNotFound) return names.status();
    } else if (!names->empty()) {
      break;
    } else {
      LAMINAR_RETURN_IF_ERROR(file_system_->DeleteRecursively(directory));
    }
    directory = ParentPath(directory);
  }
  return file_system_->SyncDirectory(directory.empty() ? "/" : directory);
}

Status LocalObjectStore::RemoveTemporaryFilesBelow(const std::string& directory, size_t& removed) {
  LAMINAR_ASSIGN_OR_RETURN(const auto names, file_system_->ListDirectory(directory));
  for (const std::string& name : names) {
    const std::string path = JoinPath(directory, name);
    LAMINAR_ASSIGN_OR_RETURN(const EntryKind kind, KindOf(*file_system_, path));
    if (kind == EntryKind::kDirectory) {
      LAMINAR_RETURN_IF_ERROR(RemoveTemporaryFilesBelow(path, removed));
    } else if (kind == EntryKind::kFile && IsTemporaryName(name)) {
      LAMINAR_RETURN_IF_ERROR(file_system_->DeleteFile(path));
      ++removed;
    }
  }
  return Status::Ok();
}

Result<size_t> LocalObjectStore::RemoveTemporaryFiles() {
  std::unique_lock lock(directory_mutex_);
  size_t removed = 0;
  LAMINAR_RETURN_IF_ERROR(RemoveTemporaryFilesBelow(root_, removed));
  return removed;
}

}  // namespace laminar::storage
