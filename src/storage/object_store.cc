#include "storage/object_store.h"

#include "common/error_code.h"

namespace laminar::storage {

Result<bool> ObjectStore::Exists(std::string_view key) {
  Result<ObjectInfo> info = Head(key);
  if (info.ok()) return true;
  if (info.status().code() == ErrorCode::kFileNotFound) return false;
  return info.status();
}

Status ValidateObjectKey(std::string_view key) {
  if (key.empty()) return Status::Error(ErrorCode::kInvalidArgument, "object key is empty");
  if (key.size() > kMaxObjectKeySize) {
    return Status::Error(ErrorCode::kInvalidArgument, "object key of {} bytes exceeds {} bytes",
                         key.size(), kMaxObjectKeySize);
  }
  if (key.find('\0') != std::string_view::npos) {
    return Status::Error(ErrorCode::kInvalidArgument, "object key contains a NUL byte");
  }
  size_t start = 0;
  while (true) {
    const size_t end = key.find('/', start);
    const std::string_view segment =
        key.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    if (segment.empty()) {
      return Status::Error(ErrorCode::kInvalidArgument,
                           "object key '{}' has an empty segment (leading, trailing or doubled "
                           "'/')",
                           key);
    }
    if (segment.front() == '.') {
      return Status::Error(ErrorCode::kInvalidArgument,
                           "object key '{}': segment '{}' begins with '.' (reserved)", key,
                           segment);
    }
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return Status::Ok();
}

}  // namespace laminar::storage
