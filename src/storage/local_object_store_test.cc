#include "storage/local_object_store.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "common/error_code.h"
#include "common/memory_file_system.h"

namespace laminar::storage {
namespace {

using Keys = std::vector<std::string>;

TEST(ObjectKeyTest, AcceptsSlashSeparatedSegments) {
  EXPECT_TRUE(ValidateObjectKey("a").ok());
  EXPECT_TRUE(ValidateObjectKey("checkpoints/000042/operator-3.state").ok());
  EXPECT_TRUE(ValidateObjectKey("with space/é+=~").ok());
  EXPECT_TRUE(ValidateObjectKey(std::string(kMaxObjectKeySize, 'k')).ok());
}

TEST(ObjectKeyTest, RejectsEmptySegmentsReservedNamesAndOversizedKeys) {
  for (const std::string key : {"", "/a", "a/", "a//b", ".hidden", "a/./b", "a/../b", "a/.tmp"}) {
    EXPECT_EQ(ValidateObjectKey(key).code(), ErrorCode::kInvalidArgument) << "'" << key << "'";
  }
  EXPECT_EQ(ValidateObjectKey(std::string("a\0b", 3)).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(ValidateObjectKey(std::string(kMaxObjectKeySize + 1, 'k')).code(),
            ErrorCode::kInvalidArgument);
}

// Delegates to another FileSystem and fails chosen operations, to interrupt Put at each step.
class FaultInjectingFileSystem final : public FileSystem {
 public:
  explicit FaultInjectingFileSystem(FileSystem* target) : target_(target) {}

  // Every RenameFile fails.
  std::atomic<bool> fail_rename{false};
  // RenameFile fails and so does every operation after it, as if the process had died just
  // before the rename: nothing is cleaned up.
  std::atomic<bool> crash_at_rename{false};
  std::atomic<bool> crashed{false};

  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) override {
    LAMINAR_RETURN_IF_ERROR(Check());
    return target_->NewWritableFile(path);
  }
  Result<std::unique_ptr<WritableFile>> NewAppendableFile(const std::string& path) override {
    LAMINAR_RETURN_IF_ERROR(Check());
    return target_->NewAppendableFile(path);
  }
  Result<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(const std::string& path) override {
    LAMINAR_RETURN_IF_ERROR(Check());
    return target_->NewRandomAccessFile(path);
  }
  Result<bool> Exists(const std::string& path) override {
    LAMINAR_RETURN_IF_ERROR(Check());
    return target_->Exists(path);
  }
  Result<bool> IsDirectory(const std::string& path) override {
    LAMINAR_RETURN_IF_ERROR(Check());
    return target_->IsDirectory(path);
  }
  Result<uint64_t> GetFileSize(const std::string& path) override {
    LAMINAR_RETURN_IF_ERROR(Check());
    return target_->GetFileSize(path);
  }
  Result<std::vector<std::string>> ListDirectory(const std::string& path) override {
    LAMINAR_RETURN_IF_ERROR(Check());
    return target_->ListDirectory(path);
  }
  Status CreateDirectories(const std::string& path) override {
    LAMINAR_RETURN_IF_ERROR(Check());
    return target_->CreateDirectories(path);
  }
  Status DeleteFile(const std::string& path) override {
    LAMINAR_RETURN_IF_ERROR(Check());
    return target_->DeleteFile(path);
  }
  Status DeleteRecursively(const std::string& path) override {
    LAMINAR_RETURN_IF_ERROR(Check());
    return target_->DeleteRecursively(path);
  }
  Status RenameFile(const std::string& from, const std::string& to) override {
    LAMINAR_RETURN_IF_ERROR(Check());
    if (crash_at_rename) crashed = true;
    LAMINAR_RETURN_IF_ERROR(Check());
    if (fail_rename) return Status::Error(ErrorCode::kIoError, "injected rename failure");
    return target_->RenameFile(from, to);
  }
  Status Truncate(const std::string& path, uint64_t size) override {
    LAMINAR_RETURN_IF_ERROR(Check());
    return target_->Truncate(path, size);
  }
  Status SyncDirectory(const std::string& path) override {
    LAMINAR_RETURN_IF_ERROR(Check());
    return target_->SyncDirectory(path);
  }

 private:
  Status Check() const {
    if (crashed) return Status::Error(ErrorCode::kIoError, "injected crash");
    return Status::Ok();
  }

  FileSystem* target_;
};

std::unique_ptr<LocalObjectStore> OpenStore(FileSystem* file_system, const std::string& root) {
  auto store = LocalObjectStore::Open(file_system, root);
  EXPECT_TRUE(store.ok()) << store.status();
  return std::move(store).value();
}

class LocalObjectStoreTest : public ::testing::Test {
 protected:
  MemoryFileSystem file_system_;
  std::unique_ptr<LocalObjectStore> store_ = OpenStore(&file_system_, "/data/objects");
};

TEST_F(LocalObjectStoreTest, PutThenGetReturnsTheBytes) {
  const std::string bytes("binary\0data\xff", 12);
  ASSERT_TRUE(store_->Put("checkpoints/1/state", bytes).ok());
  auto got = store_->Get("checkpoints/1/state");
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(*got, bytes);
  EXPECT_EQ(*file_system_.ReadFile("/data/objects/checkpoints/1/state"), bytes);
  EXPECT_TRUE(store_->AtomicPut());
}

TEST_F(LocalObjectStoreTest, PutReplacesTheObject) {
  ASSERT_TRUE(store_->Put("k", "first version").ok());
  ASSERT_TRUE(store_->Put("k", "2").ok());
  EXPECT_EQ(*store_->Get("k"), "2");
  EXPECT_EQ(store_->Head("k")->size, 1u);
}

TEST_F(LocalObjectStoreTest, EmptyObjectRoundTrips) {
  ASSERT_TRUE(store_->Put("empty", "").ok());
  EXPECT_EQ(*store_->Get("empty"), "");
  EXPECT_EQ(store_->Head("empty")->size, 0u);
}

TEST_F(LocalObjectStoreTest, MissingObjectIsFileNotFound) {
  ASSERT_TRUE(store_->Put("a/b", "x").ok());
  for (const char* key : {"missing", "a", "a/b/c", "a/c"}) {
    EXPECT_EQ(store_->Get(key).status().code(), ErrorCode::kFileNotFound) << key;
    EXPECT_EQ(store_->Head(key).status().code(), ErrorCode::kFileNotFound) << key;
    EXPECT_FALSE(*store_->Exists(key)) << key;
  }
  EXPECT_TRUE(*store_->Exists("a/b"));
}

TEST_F(LocalObjectStoreTest, HeadReportsTheSize) {
  ASSERT_TRUE(store_->Put("dir/object", std::string(1000, 'z')).ok());
  auto info = store_->Head("dir/object");
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->key, "dir/object");
  EXPECT_EQ(info->size, 1000u);
}

TEST_F(LocalObjectStoreTest, ListReturnsSortedKeysStartingWithThePrefix) {
  for (const char* key : {"b", "a/2", "a/10", "a/1/x", "ab", "a/1y", "c/d/e/f"}) {
    ASSERT_TRUE(store_->Put(key, key).ok());
  }
  EXPECT_EQ(*store_->List(""), (Keys{"a/1/x", "a/10", "a/1y", "a/2", "ab", "b", "c/d/e/f"}));
  EXPECT_EQ(*store_->List("a/"), (Keys{"a/1/x", "a/10", "a/1y", "a/2"}));
  // A prefix need not end at a segment boundary.
  EXPECT_EQ(*store_->List("a/1"), (Keys{"a/1/x", "a/10", "a/1y"}));
  EXPECT_EQ(*store_->List("a"), (Keys{"a/1/x", "a/10", "a/1y", "a/2", "ab"}));
  EXPECT_EQ(*store_->List("c/d/"), (Keys{"c/d/e/f"}));
  EXPECT_EQ(*store_->List("a/1/x"), (Keys{"a/1/x"}));
  EXPECT_TRUE(store_->List("zzz")->empty());
  EXPECT_TRUE(store_->List("q/r/")->empty());
}

TEST_F(LocalObjectStoreTest, DeleteRemovesTheObjectAndEmptiedDirectories) {
  ASSERT_TRUE(store_->Put("x/y/z", "1").ok());
  ASSERT_TRUE(store_->Put("x/keep", "2").ok());
  ASSERT_TRUE(store_->Delete("x/y/z").ok());
  EXPECT_EQ(store_->Get("x/y/z").status().code(), ErrorCode::kFileNotFound);
  EXPECT_EQ(*store_->List(""), (Keys{"x/keep"}));
  EXPECT_FALSE(*file_system_.Exists("/data/objects/x/y"));
  ASSERT_TRUE(store_->Delete("x/keep").ok());
  EXPECT_FALSE(*file_system_.Exists("/data/objects/x"));
  // The root stays.
  EXPECT_TRUE(*file_system_.IsDirectory("/data/objects"));
  // The directory can be used again.
  ASSERT_TRUE(store_->Put("x/y/z", "3").ok());
  EXPECT_EQ(*store_->Get("x/y/z"), "3");
}

TEST_F(LocalObjectStoreTest, DeletingAnAbsentKeySucceeds) {
  EXPECT_TRUE(store_->Delete("never/written").ok());
  ASSERT_TRUE(store_->Put("p/q", "1").ok());
  EXPECT_TRUE(store_->Delete("p").ok());  // A prefix, not an object.
  EXPECT_EQ(*store_->Get("p/q"), "1");
}

TEST_F(LocalObjectStoreTest, InvalidKeysAreRejected) {
  EXPECT_EQ(store_->Put("/abs", "x").code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(store_->Put("a/../b", "x").code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(store_->Get("").status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(store_->Delete("a//b").code(), ErrorCode::kInvalidArgument);
}

TEST_F(LocalObjectStoreTest, AKeyCannotBeBothAnObjectAndAPrefix) {
  ASSERT_TRUE(store_->Put("a", "object").ok());
  EXPECT_EQ(store_->Put("a/b", "x").code(), ErrorCode::kFileExists);
  ASSERT_TRUE(store_->Put("c/d", "object").ok());
  EXPECT_EQ(store_->Put("c", "x").code(), ErrorCode::kFileExists);
  EXPECT_EQ(*store_->List(""), (Keys{"a", "c/d"}));
}

TEST(LocalObjectStoreAtomicityTest, FailedPublicationKeepsTheOldObject) {
  MemoryFileSystem memory;
  FaultInjectingFileSystem faulty(&memory);
  auto store = OpenStore(&faulty, "/objects");
  ASSERT_TRUE(store->Put("dir/k", "old").ok());
  faulty.fail_rename = true;
  const Status status = store->Put("dir/k", "new contents");
  EXPECT_EQ(status.code(), ErrorCode::kIoError);
  EXPECT_NE(status.message().find("dir/k"), std::string_view::npos) << status;
  EXPECT_EQ(*store->Get("dir/k"), "old");
  // The temporary file was removed.
  EXPECT_EQ(*memory.ListDirectory("/objects/dir"), (Keys{"k"}));
}

TEST(LocalObjectStoreAtomicityTest, TemporaryFileOfACrashedPutNeverAppearsAsTheObject) {
  MemoryFileSystem memory;
  FaultInjectingFileSystem faulty(&memory);
  {
    auto store = OpenStore(&faulty, "/objects");
    ASSERT_TRUE(store->Put("dir/k", "old").ok());
    // The process dies right before the rename: the clean-up fails too, so the complete,
    // synced temporary file stays behind.
    faulty.crash_at_rename = true;
    ASSERT_FALSE(store->Put("dir/k", "new contents").ok());
    faulty.crashed = false;  // The same again for a new key.
    ASSERT_FALSE(store->Put("fresh", "never published").ok());
  }
  ASSERT_EQ(memory.ListDirectory("/objects/dir")->size(), 2u);
  // Then the power fails as well: whatever was not synced is gone.
  memory.DropUnsyncedData();

  // The restarted process sees the old object and nothing else.
  auto reopened = OpenStore(&memory, "/objects");
  EXPECT_EQ(*reopened->Get("dir/k"), "old");
  EXPECT_EQ(reopened->Head("dir/k")->size, 3u);
  EXPECT_EQ(*reopened->List(""), (Keys{"dir/k"}));
  EXPECT_EQ(reopened->Get("fresh").status().code(), ErrorCode::kFileNotFound);
  EXPECT_FALSE(*reopened->Exists("fresh"));
  auto removed = reopened->RemoveTemporaryFiles();
  ASSERT_TRUE(removed.ok()) << removed.status();
  EXPECT_EQ(*removed, 2u);
  EXPECT_EQ(*memory.ListDirectory("/objects/dir"), (Keys{"k"}));
  EXPECT_EQ(*memory.ListDirectory("/objects"), (Keys{"dir"}));
}

TEST(LocalObjectStoreAtomicityTest, PublishedObjectSurvivesAPowerLoss) {
  MemoryFileSystem memory;
  auto store = OpenStore(&memory, "/objects");
  const std::string bytes(100'000, 'p');
  ASSERT_TRUE(store->Put("a/b/c", bytes).ok());
  memory.DropUnsyncedData();
  EXPECT_EQ(*store->Get("a/b/c"), bytes);
}

TEST(LocalObjectStoreAtomicityTest, ConcurrentPutsOfOneKeyLeaveOneWholeValue) {
  MemoryFileSystem memory;
  auto store = OpenStore(&memory, "/objects");
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&store, t] {
      const std::string value(1000 + t, static_cast<char>('a' + t));
      for (int i = 0; i < 50; ++i) ASSERT_TRUE(store->Put("shared/key", value).ok());
    });
  }
  for (auto& thread : threads) thread.join();
  const std::string value = *store->Get("shared/key");
  ASSERT_GE(value.size(), 1000u);
  EXPECT_EQ(value, std::string(value.size(), value.front()));
  EXPECT_EQ(*memory.ListDirectory("/objects/shared"), (Keys{"key"}));
}

// The same behaviour on the real file system, in a fresh temporary directory.
class PosixLocalObjectStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern =
        std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/laminar-object-store-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    root_ = pattern;
    store_ = OpenStore(FileSystem::Posix(), root_ + "/objects");
  }
  void TearDown() override {
    if (!root_.empty()) {
      EXPECT_TRUE(FileSystem::Posix()->DeleteRecursively(root_).ok());
    }
  }

  std::string root_;
  std::unique_ptr<LocalObjectStore> store_;
};

TEST_F(PosixLocalObjectStoreTest, PutGetListDelete) {
  ASSERT_TRUE(store_->Put("checkpoints/7/manifest", "m").ok());
  ASSERT_TRUE(store_->Put("checkpoints/7/op-1", std::string(70'000, 'x')).ok());
  ASSERT_TRUE(store_->Put("checkpoints/8/manifest", "m8").ok());
  ASSERT_TRUE(store_->Put("checkpoints/8/manifest", "m8'").ok());
  EXPECT_EQ(*store_->Get("checkpoints/8/manifest"), "m8'");
  EXPECT_EQ(store_->Head("checkpoints/7/op-1")->size, 70'000u);
  EXPECT_EQ(*store_->List("checkpoints/7/"),
            (Keys{"checkpoints/7/manifest", "checkpoints/7/op-1"}));
  EXPECT_EQ(store_->Get("checkpoints/9/manifest").status().code(), ErrorCode::kFileNotFound);
  EXPECT_EQ(store_->Get("checkpoints/7").status().code(), ErrorCode::kFileNotFound);
  ASSERT_TRUE(store_->Delete("checkpoints/7/manifest").ok());
  ASSERT_TRUE(store_->Delete("checkpoints/7/op-1").ok());
  EXPECT_EQ(*store_->List(""), (Keys{"checkpoints/8/manifest"}));
  EXPECT_FALSE(*FileSystem::Posix()->Exists(root_ + "/objects/checkpoints/7"));
  EXPECT_EQ(*FileSystem::Posix()->ListDirectory(root_ + "/objects/checkpoints/8"),
            (Keys{"manifest"}));
}

TEST_F(PosixLocalObjectStoreTest, ConcurrentPutsAndDeletesInSharedDirectories) {
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 30; ++i) {
        const std::string key = "d" + std::to_string(i % 3) + "/t" + std::to_string(t);
        if (!store_->Put(key, key).ok()) ++failures;
        if (i % 2 == 1 && !store_->Delete(key).ok()) ++failures;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  for (const std::string& key : *store_->List("")) EXPECT_EQ(*store_->Get(key), key);
}

}  // namespace
}  // namespace laminar::storage
