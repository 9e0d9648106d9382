// The POSIX implementation of FileSystem. Writes are buffered in user space (64 KiB) and
// handed to the kernel on Flush/Sync/Close; Sync uses fdatasync.

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "common/file_system.h"

namespace laminar {
namespace {

ErrorCode CodeForErrno(int error) {
  switch (error) {
    case ENOENT:
    case ENOTDIR:
      return ErrorCode::kFileNotFound;
    case EEXIST:
    case ENOTEMPTY:
      return ErrorCode::kFileExists;
    case ENOSPC:
    case EDQUOT:
      return ErrorCode::kNoSpace;
    case EACCES:
    case EPERM:
    case EROFS:
      return ErrorCode::kPermissionDenied;
    default:
      return ErrorCode::kIoError;
  }
}

Status ErrnoStatus(std::string_view operation, const std::string& path, int error) {
  return Status::Error(CodeForErrno(error), "{} '{}': {}", operation, path, std::strerror(error));
}

class PosixWritableFile final : public WritableFile {
 public:
  PosixWritableFile(std::string path, int fd, uint64_t size, bool direct = false)
      : path_(std::move(path)), fd_(fd), size_(size), direct_(direct) {
    if (!direct_) buffer_.reserve(kBufferSize);
  }
  ~PosixWritableFile() override {
    if (fd_ >= 0) (void)Close();
  }

  Status Append(std::string_view data) override {
    if (fd_ < 0) return ClosedError();
    if (!error_.ok()) return error_;
    size_ += data.size();
    if (direct_) return WriteAll(data);  // Never buffered; see WriteAll for a refusal.
    if (buffer_.size() + data.size() <= kBufferSize) {
      buffer_.append(data);
      return Status::Ok();
    }
    LAMINAR_RETURN_IF_ERROR(FlushBuffer());
    if (data.size() >= kBufferSize) return WriteAll(data);
    buffer_.append(data);
    return Status::Ok();
  }

  Status Flush() override {
    if (fd_ < 0) return ClosedError();
    return FlushBuffer();
  }

  Status Sync() override {
    if (fd_ < 0) return ClosedError();
    LAMINAR_RETURN_IF_ERROR(FlushBuffer());
    if (::fdatasync(fd_) != 0) return Fail(ErrnoStatus("fdatasync", path_, errno));
    return Status::Ok();
  }

  Status Close() override {
    if (fd_ < 0) return ClosedError();
    Status status = FlushBuffer();
    if (::close(fd_) != 0 && status.ok()) status = ErrnoStatus("close", path_, errno);
    fd_ = -1;
    return status;
  }

  uint64_t Size() const override { return size_; }

 private:
  static constexpr size_t kBufferSize = 64 * 1024;

  Status ClosedError() const {
    return Status::Error(ErrorCode::kClosed, "file '{}' is closed", path_);
  }

  Status FlushBuffer() {
    if (!error_.ok()) return error_;
    if (buffer_.empty()) return Status::Ok();
    Status status = WriteAll(buffer_);
    buffer_.clear();
    return status;
  }

  // After a failed write the file's contents are unknown (a prefix may have been written), so
  // the file stays failed: every later call returns the first error instead of pretending that
  // later data follows earlier data.
  Status Fail(Status status) {
    if (error_.ok()) error_ = status;
    return status;
  }

  // Writes all of `data`, going on after short writes and EINTR. A file opened with O_DIRECT
  // writes aligned data straight from the caller's memory; if the file system refuses such a
  // write (EINVAL: it wants another alignment, or a short write left an unaligned rest), the
  // file goes back to the page cache for good and the write goes on there.
  Status WriteAll(std::string_view data) {
    if (!error_.ok()) return error_;
    while (!data.empty()) {
      const ssize_t written = ::write(fd_, data.data(), data.size());
      if (written >= 0) {
        data.remove_prefix(static_cast<size_t>(written));
        continue;
      }
      if (errno == EINTR) continue;
      if (errno != EINVAL || !direct_) return Fail(ErrnoStatus("write", path_, errno));
      const int flags = ::fcntl(fd_, F_GETFL);
      if (flags < 0 || ::fcntl(fd_, F_SETFL, flags & ~O_DIRECT) != 0) {
        return Fail(ErrnoStatus("fcntl", path_, errno));
      }
      direct_ = false;
    }
    return Status::Ok();
  }

  std::string path_;
  int fd_;
  uint64_t size_;
  std::string buffer_;
  bool direct_;   // O_DIRECT: appends are aligned and written at once, never buffered.
  Status error_;  // The first write or sync failure; sticky.
};

class PosixRandomAccessFile final : public RandomAccessFile {
 public:
  PosixRandomAccessFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~PosixRandomAccessFile() override { ::close(fd_); }

  Result<size_t> ReadAt(uint64_t offset, std::span<char> out) const override {
    size_t total = 0;
    while (total < out.size()) {
      const ssize_t read =
          ::pread(fd_, out.data() + total, out.size() - total, static_cast<off_t>(offset + total));
      if (read < 0) {
        if (errno == EINTR) continue;
        return ErrnoStatus("read", path_, errno);
      }
      if (read == 0) break;
      total += static_cast<size_t>(read);
    }
    return total;
  }

  Result<uint64_t> Size() const override {
    struct stat info {};
    if (::fstat(fd_, &info) != 0) return ErrnoStatus("stat", path_, errno);
    return static_cast<uint64_t>(info.st_size);
  }

 private:
  std::string path_;
  int fd_;
};

class PosixFileSystem final : public FileSystem {
 public:
  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) override {
    return OpenForWrite(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC);
  }

  Result<std::unique_ptr<WritableFile>> NewAppendableFile(const std::string& path) override {
    return OpenForWrite(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC);
  }

  Result<std::unique_ptr<WritableFile>> NewDirectWritableFile(const std::string& path) override {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return ErrnoStatus("open", path, errno);
    // Set afterwards, so that a file system without O_DIRECT refuses the flag (EINVAL) rather
    // than the open: the caller then opens the same, now empty, file the ordinary way.
    const int flags = ::fcntl(fd, F_GETFL);
    if (flags < 0 || ::fcntl(fd, F_SETFL, flags | O_DIRECT) != 0) {
      ::close(fd);
      return std::unique_ptr<WritableFile>();
    }
    return std::unique_ptr<WritableFile>(
        std::make_unique<PosixWritableFile>(path, fd, 0, /*direct=*/true));
  }

  Result<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(const std::string& path) override {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return ErrnoStatus("open", path, errno);
    struct stat info {};
    if (::fstat(fd, &info) == 0 && S_ISDIR(info.st_mode)) {
      ::close(fd);
      return Status::Error(ErrorCode::kIoError, "open '{}': is a directory", path);
    }
    return std::unique_ptr<RandomAccessFile>(std::make_unique<PosixRandomAccessFile>(path, fd));
  }

  Result<bool> Exists(const std::string& path) override {
    struct stat info {};
    if (::stat(path.c_str(), &info) == 0) return true;
    if (errno == ENOENT || errno == ENOTDIR) return false;
    return ErrnoStatus("stat", path, errno);
  }

  Result<bool> IsDirectory(const std::string& path) override {
    struct stat info {};
    if (::stat(path.c_str(), &info) != 0) return ErrnoStatus("stat", path, errno);
    return S_ISDIR(info.st_mode);
  }

  Result<uint64_t> GetFileSize(const std::string& path) override {
    struct stat info {};
    if (::stat(path.c_str(), &info) != 0) return ErrnoStatus("stat", path, errno);
    return static_cast<uint64_t>(info.st_size);
  }

  Result<std::vector<std::string>> ListDirectory(const std::string& path) override {
    DIR* directory = ::opendir(path.c_str());
    if (directory == nullptr) return ErrnoStatus("opendir", path, errno);
    std::vector<std::string> names;
    errno = 0;
    while (const dirent* entry = ::readdir(directory)) {
      const std::string_view name = entry->d_name;
      if (name != "." && name != "..") names.emplace_back(name);
    }
    const int error = errno;
    ::closedir(directory);
    if (error != 0) return ErrnoStatus("readdir", path, error);
    std::sort(names.begin(), names.end());
    return names;
  }

  Status CreateDirectories(const std::string& path) override {
    if (path.empty() || path == "/") return Status::Ok();
    const std::string parent = ParentPath(path);
    if (!parent.empty() && parent != path) LAMINAR_RETURN_IF_ERROR(CreateDirectories(parent));
    if (::mkdir(path.c_str(), 0755) == 0) return Status::Ok();
    if (errno == EEXIST) {
      LAMINAR_ASSIGN_OR_RETURN(const bool is_directory, IsDirectory(path));
      if (is_directory) return Status::Ok();
      return Status::Error(ErrorCode::kFileExists, "mkdir '{}': a file of that name exists", path);
    }
    return ErrnoStatus("mkdir", path, errno);
  }

  Status DeleteFile(const std::string& path) override {
    if (::unlink(path.c_str()) != 0) return ErrnoStatus("unlink", path, errno);
    return Status::Ok();
  }

  Status DeleteRecursively(const std::string& path) override {
    struct stat info {};
    if (::lstat(path.c_str(), &info) != 0) {
      if (errno == ENOENT) return Status::Ok();
      return ErrnoStatus("stat", path, errno);
    }
    if (!S_ISDIR(info.st_mode)) return DeleteFile(path);
    LAMINAR_ASSIGN_OR_RETURN(const auto names, ListDirectory(path));
    for (const auto& name : names) {
      LAMINAR_RETURN_IF_ERROR(DeleteRecursively(JoinPath(path, name)));
    }
    if (::rmdir(path.c_str()) != 0) return ErrnoStatus("rmdir", path, errno);
    return Status::Ok();
  }

  Status RenameFile(const std::string& from, const std::string& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0) {
      return ErrnoStatus("rename to '" + to + "' of", from, errno);
    }
    return Status::Ok();
  }

  Status Truncate(const std::string& path, uint64_t size) override {
    if (::truncate(path.c_str(), static_cast<off_t>(size)) != 0) {
      return ErrnoStatus("truncate", path, errno);
    }
    return Status::Ok();
  }

  Status SyncDirectory(const std::string& path) override {
    const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return ErrnoStatus("open directory", path, errno);
    Status status;
    if (::fsync(fd) != 0) status = ErrnoStatus("fsync directory", path, errno);
    ::close(fd);
    return status;
  }

 private:
  Result<std::unique_ptr<WritableFile>> OpenForWrite(const std::string& path, int flags) {
    const int fd = ::open(path.c_str(), flags, 0644);
    if (fd < 0) return ErrnoStatus("open", path, errno);
    struct stat info {};
    uint64_t size = 0;
    if ((flags & O_APPEND) != 0 && ::fstat(fd, &info) == 0) size = info.st_size;
    return std::unique_ptr<WritableFile>(std::make_unique<PosixWritableFile>(path, fd, size));
  }
};

}  // namespace

FileSystem* FileSystem::Posix() {
  static PosixFileSystem file_system;
  return &file_system;
}

}  // namespace laminar
