#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/status.h"

namespace laminar::storage {

/// What Head() reports about a stored object.
struct ObjectInfo {
  std::string key;
  uint64_t size = 0;
};

/// A flat map from keys to immutable byte strings: where checkpoints are written. The two
/// implementations are LocalObjectStore (a directory under data_dir, through the injected
/// FileSystem) and S3ObjectStore (an S3-compatible service). The format of keys, the atomicity
/// promise and the layout conventions are specified in docs/formats/object-store.md.
///
/// Keys are '/'-separated strings: non-empty segments that are not "." or "..", that do not
/// begin with '.' (names beginning with '.' are reserved for the stores' temporary files), with
/// no NUL byte, at most 1024 bytes in all (ValidateObjectKey). A key names an object, never a
/// "directory": portable layouts do not use one key as a prefix segment of another ("a" and
/// "a/b" cannot both exist in a LocalObjectStore).
///
/// Every method returns an error naming the key; a missing object is kFileNotFound, a refused
/// credential kPermissionDenied, a service that stayed unavailable through every retry
/// kObjectStoreUnavailable (transient: try again later).
///
/// Thread-safety: implementations are thread-safe; any method may be called from any thread.
class ObjectStore {
 public:
  virtual ~ObjectStore() = default;

  /// Stores `bytes` under `key`, replacing any previous object. When it returns OK the object
  /// is durable and visible to every later Get/List. If AtomicPut() is true a reader (including
  /// one after a crash) sees either the whole old object or the whole new one, never a prefix
  /// of it. REQUIRES: ValidateObjectKey(key) is OK (otherwise kInvalidArgument).
  virtual Status Put(std::string_view key, std::string_view bytes) = 0;

  /// The whole object. kFileNotFound when absent.
  virtual Result<std::string> Get(std::string_view key) = 0;

  /// The object's size without reading it. kFileNotFound when absent.
  virtual Result<ObjectInfo> Head(std::string_view key) = 0;

  /// Whether the object exists (Head, with kFileNotFound mapped to false).
  Result<bool> Exists(std::string_view key);

  /// Every key that starts with `prefix` (any string, not only whole segments; "" lists
  /// everything), sorted bytewise ascending. Pagination, where the service has it, is handled
  /// inside: the result is complete.
  virtual Result<std::vector<std::string>> List(std::string_view prefix) = 0;

  /// Removes the object. Deleting an absent key succeeds (S3 semantics), so a cleanup that
  /// was interrupted can simply be repeated.
  virtual Status Delete(std::string_view key) = 0;

  /// Whether Put publishes all-or-nothing (see Put). True for both implementations here;
  /// a checkpoint protocol that relies on it should check.
  virtual bool AtomicPut() const = 0;

  /// Where the objects live, for messages: "file:///data/objects", "s3://bucket/prefix".
  virtual std::string Describe() const = 0;
};

/// Longest key accepted, in bytes (S3's limit, including any configured prefix).
inline constexpr size_t kMaxObjectKeySize = 1024;

/// OK if `key` is a valid object key (see ObjectStore), else kInvalidArgument naming the fault.
Status ValidateObjectKey(std::string_view key);

}  // namespace laminar::storage
