#include "common/memory_file_system.h"

#include <algorithm>
#include <cstring>

namespace laminar {

struct MemoryFileSystem::FileData {
  std::mutex mutex;
  std::string contents;      // Guarded by mutex. What readers see (flushed data).
  uint64_t synced_size = 0;  // Guarded by mutex. Prefix of contents that survives a power loss.
  uint64_t generation = 0;   // Guarded by mutex. Bumped by a simulated crash.
};

namespace {

std::string Normalize(std::string_view path) {
  std::string normalized;
  normalized.reserve(path.size());
  for (const char c : path) {
    if (c == '/' && !normalized.empty() && normalized.back() == '/') continue;
    normalized += c;
  }
  while (normalized.size() > 1 && normalized.back() == '/') normalized.pop_back();
  if (normalized == "/") normalized.clear();
  return normalized;
}

bool IsBelow(const std::string& path, const std::string& directory) {
  if (directory.empty()) return true;
  return path.size() > directory.size() && path.compare(0, directory.size(), directory) == 0 &&
         path[directory.size()] == '/';
}

Status NotFound(std::string_view operation, const std::string& path) {
  return Status::Error(ErrorCode::kFileNotFound, "{} '{}': no such file or directory", operation,
                       path);
}

using FileData = MemoryFileSystem::FileData;

class MemoryWritableFile final : public WritableFile {
 public:
  MemoryWritableFile(std::string path, std::shared_ptr<FileData> data, uint64_t size,
                     uint64_t generation, bool direct)
      : path_(std::move(path)),
        data_(std::move(data)),
        size_(size),
        generation_(generation),
        direct_(direct) {}
  ~MemoryWritableFile() override {
    if (!closed_) (void)Close();
  }

  Status Append(std::string_view data) override {
    if (closed_) return ClosedError();
    LAMINAR_RETURN_IF_ERROR(CheckGeneration());
    if (direct_ && (reinterpret_cast<uintptr_t>(data.data()) % kDirectWriteAlignment != 0 ||
                    data.size() % kDirectWriteAlignment != 0)) {
      return Status::Error(ErrorCode::kInvalidArgument,
                           "file '{}': a direct write of {} bytes from an address {} past a "
                           "multiple of {}",
                           path_, data.size(),
                           reinterpret_cast<uintptr_t>(data.data()) % kDirectWriteAlignment,
                           kDirectWriteAlignment);
    }
    pending_.append(data);
    size_ += data.size();
    return Status::Ok();
  }

  Status Flush() override {
    if (closed_) return ClosedError();
    return FlushPending();
  }

  Status Sync() override {
    if (closed_) return ClosedError();
    // Flushing and marking as synced happen under one lock, so a simulated crash cannot fall
    // between them and leave data counted as synced that the crash dropped.
    std::lock_guard lock(data_->mutex);
    LAMINAR_RETURN_IF_ERROR(FlushPendingLocked());
    data_->synced_size = data_->contents.size();
    return Status::Ok();
  }

  Status Close() override {
    if (closed_) return ClosedError();
    closed_ = true;
    return FlushPending();
  }

  uint64_t Size() const override { return size_; }

 private:
  Status ClosedError() const {
    return Status::Error(ErrorCode::kClosed, "file '{}' is closed", path_);
  }

  // A writer opened before a simulated crash belongs to the process that "died": what it
  // still buffers is lost, and it cannot write any more.
  Status CheckGeneration() {
    std::lock_guard lock(data_->mutex);
    if (data_->generation == generation_) return Status::Ok();
    pending_.clear();
    return Status::Error(ErrorCode::kIoError, "file '{}' was lost in a simulated crash", path_);
  }

  Status FlushPending() {
    std::lock_guard lock(data_->mutex);
    return FlushPendingLocked();
  }

  // REQUIRES: data_->mutex held.
  Status FlushPendingLocked() {
    if (data_->generation != generation_) {
      pending_.clear();
      return Status::Error(ErrorCode::kIoError, "file '{}' was lost in a simulated crash", path_);
    }
    data_->contents.append(pending_);
    pending_.clear();
    return Status::Ok();
  }

  std::string path_;
  std::shared_ptr<FileData> data_;
  std::string pending_;
  uint64_t size_;
  uint64_t generation_;
  bool direct_;  // Opened by NewDirectWritableFile: appends must be aligned.
  bool closed_ = false;
};

class MemoryRandomAccessFile final : public RandomAccessFile {
 public:
  explicit MemoryRandomAccessFile(std::shared_ptr<FileData> data) : data_(std::move(data)) {}

  Result<size_t> ReadAt(uint64_t offset, std::span<char> out) const override {
    std::lock_guard lock(data_->mutex);
    if (offset >= data_->contents.size()) return size_t{0};
    const size_t count = std::min<size_t>(out.size(), data_->contents.size() - offset);
    std::memcpy(out.data(), data_->contents.data() + offset, count);
    return count;
  }

  Result<uint64_t> Size() const override {
    std::lock_guard lock(data_->mutex);
    return static_cast<uint64_t>(data_->contents.size());
  }

 private:
  std::shared_ptr<FileData> data_;
};

}  // namespace

MemoryFileSystem::MemoryFileSystem() = default;
MemoryFileSystem::~MemoryFileSystem() = default;

Status MemoryFileSystem::CheckParentExists(const std::string& normalized) const {
  const std::string parent = Normalize(ParentPath(normalized));
  if (parent.empty() || directories_.count(parent) > 0) return Status::Ok();
  return NotFound("open", normalized);
}

Result<std::unique_ptr<WritableFile>> MemoryFileSystem::OpenForWrite(const std::string& path,
                                                                     bool truncate, bool direct) {
  const std::string name = Normalize(path);
  std::lock_guard lock(mutex_);
  if (name.empty() || directories_.count(name) > 0) {
    return Status::Error(ErrorCode::kIoError, "open '{}': is a directory", path);
  }
  LAMINAR_RETURN_IF_ERROR(CheckParentExists(name));
  auto& data = files_[name];
  if (!data) data = std::make_shared<FileData>();
  uint64_t size = 0;
  uint64_t generation = 0;
  {
    std::lock_guard file_lock(data->mutex);
    if (truncate) {
      data->contents.clear();
      data->synced_size = 0;
    }
    size = data->contents.size();
    generation = data->generation;
  }
  return std::unique_ptr<WritableFile>(
      std::make_unique<MemoryWritableFile>(name, data, size, generation, direct));
}

Result<std::unique_ptr<WritableFile>> MemoryFileSystem::NewWritableFile(const std::string& path) {
  return OpenForWrite(path, /*truncate=*/true);
}

Result<std::unique_ptr<WritableFile>> MemoryFileSystem::NewAppendableFile(const std::string& path) {
  return OpenForWrite(path, /*truncate=*/false);
}

Result<std::unique_ptr<WritableFile>> MemoryFileSystem::NewDirectWritableFile(
    const std::string& path) {
  if (!direct_writes_) return std::unique_ptr<WritableFile>();
  return OpenForWrite(path, /*truncate=*/true, /*direct=*/true);
}

Result<std::unique_ptr<RandomAccessFile>> MemoryFileSystem::NewRandomAccessFile(
    const std::string& path) {
  const std::string name = Normalize(path);
  std::lock_guard lock(mutex_);
  const auto it = files_.find(name);
  if (it == files_.end()) {
    if (name.empty() || directories_.count(name) > 0) {
      return Status::Error(ErrorCode::kIoError, "open '{}': is a directory", path);
    }
    return NotFound("open", path);
  }
  return std::unique_ptr<RandomAccessFile>(std::make_unique<MemoryRandomAccessFile>(it->second));
}

Result<bool> MemoryFileSystem::Exists(const std::string& path) {
  const std::string name = Normalize(path);
  std::lock_guard lock(mutex_);
  return name.empty() || files_.count(name) > 0 || directories_.count(name) > 0;
}

Result<bool> MemoryFileSystem::IsDirectory(const std::string& path) {
  const std::string name = Normalize(path);
  std::lock_guard lock(mutex_);
  if (name.empty() || directories_.count(name) > 0) return true;
  if (files_.count(name) > 0) return false;
  return NotFound("stat", path);
}

Result<uint64_t> MemoryFileSystem::GetFileSize(const std::string& path) {
  const std::string name = Normalize(path);
  std::lock_guard lock(mutex_);
  const auto it = files_.find(name);
  if (it == files_.end()) {
    if (name.empty() || directories_.count(name) > 0) return uint64_t{0};
    return NotFound("stat", path);
  }
  std::lock_guard file_lock(it->second->mutex);
  return static_cast<uint64_t>(it->second->contents.size());
}

Result<std::vector<std::string>> MemoryFileSystem::ListDirectory(const std::string& path) {
  const std::string name = Normalize(path);
  std::lock_guard lock(mutex_);
  if (!name.empty() && directories_.count(name) == 0) return NotFound("opendir", path);
  std::vector<std::string> names;
  const size_t prefix = name.empty() ? 0 : name.size() + 1;
  auto add_child = [&](const std::string& entry) {
    if (!IsBelow(entry, name)) return;
    const std::string_view rest = std::string_view(entry).substr(prefix);
    if (rest.empty() || rest.find('/') != std::string_view::npos) return;
    names.emplace_back(rest);
  };
  for (const auto& [file, data] : files_) add_child(file);
  for (const auto& directory : directories_) add_child(directory);
  std::sort(names.begin(), names.end());
  return names;
}

Status MemoryFileSystem::CreateDirectories(const std::string& path) {
  const std::string name = Normalize(path);
  std::lock_guard lock(mutex_);
  std::vector<std::string> chain;
  for (std::string current = name; !current.empty(); current = Normalize(ParentPath(current))) {
    if (files_.count(current) > 0) {
      return Status::Error(ErrorCode::kFileExists, "mkdir '{}': a file of that name exists",
                           current);
    }
    chain.push_back(current);
    if (ParentPath(current) == current) break;
  }
  for (const auto& directory : chain) directories_.insert(directory);
  return Status::Ok();
}

Status MemoryFileSystem::DeleteFile(const std::string& path) {
  const std::string name = Normalize(path);
  std::lock_guard lock(mutex_);
  if (files_.erase(name) > 0) return Status::Ok();
  if (name.empty() || directories_.count(name) > 0) {
    return Status::Error(ErrorCode::kIoError, "unlink '{}': is a directory", path);
  }
  return NotFound("unlink", path);
}

Status MemoryFileSystem::DeleteRecursively(const std::string& path) {
  const std::string name = Normalize(path);
  std::lock_guard lock(mutex_);
  files_.erase(name);
  directories_.erase(name);
  std::erase_if(files_, [&](const auto& entry) { return IsBelow(entry.first, name); });
  std::erase_if(directories_, [&](const auto& entry) { return IsBelow(entry, name); });
  return Status::Ok();
}

Status MemoryFileSystem::RenameFile(const std::string& from, const std::string& to) {
  const std::string source = Normalize(from);
  const std::string target = Normalize(to);
  std::lock_guard lock(mutex_);
  const auto it = files_.find(source);
  if (it == files_.end()) return NotFound("rename", from);
  if (directories_.count(target) > 0) {
    return Status::Error(ErrorCode::kIoError, "rename to '{}': is a directory", to);
  }
  LAMINAR_RETURN_IF_ERROR(CheckParentExists(target));
  if (source == target) return Status::Ok();
  auto data = std::move(it->second);
  files_.erase(it);
  files_[target] = std::move(data);
  return Status::Ok();
}

Status MemoryFileSystem::Truncate(const std::string& path, uint64_t size) {
  const std::string name = Normalize(path);
  std::lock_guard lock(mutex_);
  const auto it = files_.find(name);
  if (it == files_.end()) return NotFound("truncate", path);
  std::lock_guard file_lock(it->second->mutex);
  it->second->contents.resize(size, '\0');
  it->second->synced_size = std::min<uint64_t>(it->second->synced_size, size);
  return Status::Ok();
}

Status MemoryFileSystem::SyncDirectory(const std::string& path) {
  const std::string name = Normalize(path);
  std::lock_guard lock(mutex_);
  if (!name.empty() && directories_.count(name) == 0) return NotFound("open directory", path);
  return Status::Ok();
}

void MemoryFileSystem::DropUnsyncedData() {
  std::lock_guard lock(mutex_);
  for (auto& [name, data] : files_) {
    std::lock_guard file_lock(data->mutex);
    data->contents.resize(data->synced_size);
    ++data->generation;
  }
}

}  // namespace laminar
