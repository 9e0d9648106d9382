#include "common/fault_injection_file_system.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>

#include "common/check.h"

namespace laminar {

namespace {

// Collapses repeated slashes and drops a trailing one, so that the names this file system
// remembers compare equal however the caller spelled them.
std::string Normalize(std::string_view path) {
  std::string normalized;
  normalized.reserve(path.size());
  for (const char c : path) {
    if (c == '/' && !normalized.empty() && normalized.back() == '/') continue;
    normalized += c;
  }
  while (normalized.size() > 1 && normalized.back() == '/') normalized.pop_back();
  return normalized;
}

class FaultInjectionWritableFile final : public WritableFile {
 public:
  FaultInjectionWritableFile(FaultInjectionFileSystem* file_system, std::string path,
                             std::unique_ptr<WritableFile> base, bool direct = false)
      : file_system_(file_system),
        path_(std::move(path)),
        base_(std::move(base)),
        direct_(direct) {}

  Status Append(std::string_view data) override {
    LAMINAR_RETURN_IF_ERROR(failure_);
    if (const auto rule = file_system_->CheckFault(FaultOperation::kAppend, path_)) {
      if (rule->kind == FaultKind::kTornWrite) {
        // The prefix reaches stable storage; whatever the base file still buffers goes with it.
        const size_t kept = std::min(rule->torn_bytes, data.size());
        Status written;
        if (direct_) {
          // A direct write reaches the device block by block: the blocks after the tear read
          // as zeros (the file's unwritten extent), and the write keeps its aligned size.
          std::unique_ptr<char, decltype(&std::free)> zeroed(
              static_cast<char*>(AlignedAllocOrDie(kDirectWriteAlignment, data.size())),
              &std::free);
          std::memcpy(zeroed.get(), data.data(), kept);
          std::memset(zeroed.get() + kept, 0, data.size() - kept);
          written = base_->Append(std::string_view(zeroed.get(), data.size()));
        } else {
          written = base_->Append(data.substr(0, kept));
        }
        if (written.ok()) written = base_->Sync();
        failure_ = Status::Error(ErrorCode::kIoError,
                                 "write '{}': torn write, {} of {} bytes reached the file "
                                 "(injected fault)",
                                 path_, kept, data.size());
        return failure_;
      }
      return Fail(*rule, "write");
    }
    return base_->Append(data);
  }

  Status Flush() override {
    LAMINAR_RETURN_IF_ERROR(failure_);
    if (const auto rule = file_system_->CheckFault(FaultOperation::kSync, path_)) {
      return Fail(*rule, "flush");
    }
    return base_->Flush();
  }

  Status Sync() override {
    LAMINAR_RETURN_IF_ERROR(failure_);
    if (const auto rule = file_system_->CheckFault(FaultOperation::kSync, path_)) {
      return Fail(*rule, "fdatasync");
    }
    return base_->Sync();
  }

  Status Close() override {
    if (!failure_.ok()) {
      // The data of the failed call never reached the base file; what it buffered from earlier
      // calls may reach the file, unsynced, as it may on a real device.
      (void)base_->Close();
      return failure_;
    }
    return base_->Close();
  }

  uint64_t Size() const override { return base_->Size(); }

 private:
  Status Fail(const FaultRule& rule, std::string_view operation) {
    const ErrorCode code =
        rule.kind == FaultKind::kNoSpace ? ErrorCode::kNoSpace : ErrorCode::kIoError;
    failure_ = Status::Error(
        code, "{} '{}': {} (injected fault)", operation, path_,
        code == ErrorCode::kNoSpace ? "No space left on device" : "Input/output error");
    return failure_;
  }

  FaultInjectionFileSystem* file_system_;
  std::string path_;
  std::unique_ptr<WritableFile> base_;
  bool direct_;  // From NewDirectWritableFile: appends are aligned.
  Status failure_;
};

}  // namespace

FaultInjectionFileSystem::FaultInjectionFileSystem(FileSystem* base)
    : base_(base), memory_base_(nullptr) {}

FaultInjectionFileSystem::FaultInjectionFileSystem(MemoryFileSystem* base)
    : base_(base), memory_base_(base) {}

FaultInjectionFileSystem::~FaultInjectionFileSystem() = default;

void FaultInjectionFileSystem::InjectFault(FaultRule rule) {
  std::lock_guard lock(mutex_);
  ArmedRule armed;
  armed.rule = std::move(rule);
  rules_.push_back(std::move(armed));
}

void FaultInjectionFileSystem::ClearFaults() {
  std::lock_guard lock(mutex_);
  rules_.clear();
}

uint64_t FaultInjectionFileSystem::faults_fired() const {
  std::lock_guard lock(mutex_);
  return faults_fired_;
}

std::optional<FaultRule> FaultInjectionFileSystem::CheckFault(FaultOperation operation,
                                                              const std::string& path) {
  std::lock_guard lock(mutex_);
  std::optional<FaultRule> fired;
  for (auto& armed : rules_) {
    if (armed.done || armed.rule.operation != operation) continue;
    if (!armed.rule.path_contains.empty() &&
        path.find(armed.rule.path_contains) == std::string::npos) {
      continue;
    }
    ++armed.seen;
    if (armed.seen < armed.rule.nth) continue;
    if (!armed.rule.repeat) armed.done = true;
    if (!fired) fired = armed.rule;
  }
  if (fired) ++faults_fired_;
  return fired;
}

Status FaultInjectionFileSystem::FaultStatus(const FaultRule& rule, std::string_view operation,
                                             const std::string& path) {
  const ErrorCode code =
      rule.kind == FaultKind::kNoSpace ? ErrorCode::kNoSpace : ErrorCode::kIoError;
  return Status::Error(
      code, "{} '{}': {} (injected fault)", operation, path,
      code == ErrorCode::kNoSpace ? "No space left on device" : "Input/output error");
}

void FaultInjectionFileSystem::RememberCreated(const std::string& path) {
  const std::string name = Normalize(path);
  std::lock_guard lock(mutex_);
  unsynced_entries_.emplace(name, "");  // Keeps an earlier entry: a rename target stays one.
}

Result<std::unique_ptr<WritableFile>> FaultInjectionFileSystem::OpenWritable(
    const std::string& path, WritableKind kind) {
  LAMINAR_ASSIGN_OR_RETURN(const bool existed, base_->Exists(path));
  std::unique_ptr<WritableFile> file;
  if (kind == WritableKind::kDirect) {
    // Opened first, so that a base without direct files answers before any fault is counted:
    // the caller then opens the file the ordinary way, and that open is the one a rule sees.
    LAMINAR_ASSIGN_OR_RETURN(file, base_->NewDirectWritableFile(path));
    if (file == nullptr) return file;
  }
  if (const auto rule = CheckFault(FaultOperation::kCreate, path)) {
    // A failed open creates nothing: take back the direct file opened above.
    if (file != nullptr) {
      file.reset();
      if (!existed) (void)base_->DeleteFile(path);
    }
    return FaultStatus(*rule, "open", path);
  }
  if (kind == WritableKind::kNew) {
    LAMINAR_ASSIGN_OR_RETURN(file, base_->NewWritableFile(path));
  } else if (kind == WritableKind::kAppendable) {
    LAMINAR_ASSIGN_OR_RETURN(file, base_->NewAppendableFile(path));
  }
  if (!existed) RememberCreated(path);
  return std::unique_ptr<WritableFile>(std::make_unique<FaultInjectionWritableFile>(
      this, path, std::move(file), kind == WritableKind::kDirect));
}

Result<std::unique_ptr<WritableFile>> FaultInjectionFileSystem::NewWritableFile(
    const std::string& path) {
  return OpenWritable(path, WritableKind::kNew);
}

Result<std::unique_ptr<WritableFile>> FaultInjectionFileSystem::NewAppendableFile(
    const std::string& path) {
  return OpenWritable(path, WritableKind::kAppendable);
}

Result<std::unique_ptr<WritableFile>> FaultInjectionFileSystem::NewDirectWritableFile(
    const std::string& path) {
  return OpenWritable(path, WritableKind::kDirect);
}

Result<std::unique_ptr<RandomAccessFile>> FaultInjectionFileSystem::NewRandomAccessFile(
    const std::string& path) {
  return base_->NewRandomAccessFile(path);
}

Result<bool> FaultInjectionFileSystem::Exists(const std::string& path) {
  return base_->Exists(path);
}

Result<bool> FaultInjectionFileSystem::IsDirectory(const std::string& path) {
  return base_->IsDirectory(path);
}

Result<uint64_t> FaultInjectionFileSystem::GetFileSize(const std::string& path) {
  return base_->GetFileSize(path);
}

Result<std::vector<std::string>> FaultInjectionFileSystem::ListDirectory(const std::string& path) {
  return base_->ListDirectory(path);
}

Status FaultInjectionFileSystem::CreateDirectories(const std::string& path) {
  return base_->CreateDirectories(path);
}

Status FaultInjectionFileSystem::DeleteFile(const std::string& path) {
  LAMINAR_RETURN_IF_ERROR(base_->DeleteFile(path));
  std::lock_guard lock(mutex_);
  unsynced_entries_.erase(Normalize(path));
  return Status::Ok();
}

Status FaultInjectionFileSystem::DeleteRecursively(const std::string& path) {
  LAMINAR_RETURN_IF_ERROR(base_->DeleteRecursively(path));
  const std::string name = Normalize(path);
  std::lock_guard lock(mutex_);
  std::erase_if(unsynced_entries_, [&](const auto& entry) {
    return entry.first == name || entry.first.starts_with(name + "/");
  });
  return Status::Ok();
}

Status FaultInjectionFileSystem::RenameFile(const std::string& from, const std::string& to) {
  if (const auto rule = CheckFault(FaultOperation::kRename, from)) {
    return FaultStatus(*rule, "rename", from);
  }
  LAMINAR_RETURN_IF_ERROR(base_->RenameFile(from, to));
  const std::string source = Normalize(from);
  const std::string target = Normalize(to);
  if (source == target) return Status::Ok();
  std::lock_guard lock(mutex_);
  std::string original = source;
  if (const auto it = unsynced_entries_.find(source); it != unsynced_entries_.end()) {
    original = it->second;
    unsynced_entries_.erase(it);
  }
  unsynced_entries_[target] = original;
  return Status::Ok();
}

Status FaultInjectionFileSystem::Truncate(const std::string& path, uint64_t size) {
  return base_->Truncate(path, size);
}

Status FaultInjectionFileSystem::SyncDirectory(const std::string& path) {
  if (const auto rule = CheckFault(FaultOperation::kSyncDirectory, path)) {
    return FaultStatus(*rule, "fsync directory", path);
  }
  LAMINAR_RETURN_IF_ERROR(base_->SyncDirectory(path));
  const std::string directory = Normalize(path);
  std::lock_guard lock(mutex_);
  std::erase_if(unsynced_entries_,
                [&](const auto& entry) { return Normalize(ParentPath(entry.first)) == directory; });
  return Status::Ok();
}

Status FaultInjectionFileSystem::SimulateCrash() {
  if (memory_base_ == nullptr) {
    return Status::Error(ErrorCode::kNotSupported,
                         "simulating a crash needs a MemoryFileSystem underneath");
  }
  std::map<std::string, std::string> lost;
  {
    std::lock_guard lock(mutex_);
    lost.swap(unsynced_entries_);
  }
  memory_base_->DropUnsyncedData();
  for (const auto& [name, original] : lost) {
    // A created file vanishes; a renamed one goes back to its durable name. (The file a rename
    // replaced is not brought back.)
    if (original.empty()) {
      LAMINAR_RETURN_IF_ERROR(memory_base_->DeleteFile(name));
    } else {
      LAMINAR_RETURN_IF_ERROR(memory_base_->RenameFile(name, original));
    }
  }
  return Status::Ok();
}

}  // namespace laminar
