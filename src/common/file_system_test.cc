#include "common/file_system.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <memory>

#include "common/memory_file_system.h"

namespace laminar {
namespace {

// Each implementation runs the same behavioural tests under its own root directory.
class PosixFixture {
 public:
  PosixFixture() {
    char pattern[] = "/tmp/laminar_fs_test_XXXXXX";
    const char* created = ::mkdtemp(pattern);
    root_ = created ? created : "";
  }
  ~PosixFixture() { (void)FileSystem::Posix()->DeleteRecursively(root_); }
  FileSystem* fs() { return FileSystem::Posix(); }
  const std::string& root() const { return root_; }

 private:
  std::string root_;
};

class MemoryFixture {
 public:
  MemoryFixture() { (void)fs_.CreateDirectories(root_); }
  FileSystem* fs() { return &fs_; }
  const std::string& root() const { return root_; }

 private:
  MemoryFileSystem fs_;
  std::string root_ = "/data";
};

template <typename Fixture>
class FileSystemTest : public ::testing::Test {
 protected:
  FileSystem* fs() { return fixture_.fs(); }
  std::string Path(std::string_view name) { return JoinPath(fixture_.root(), name); }

  Fixture fixture_;
};

using Implementations = ::testing::Types<PosixFixture, MemoryFixture>;
class ImplementationNames {
 public:
  template <typename T>
  static std::string GetName(int) {
    return std::is_same_v<T, PosixFixture> ? "Posix" : "Memory";
  }
};
TYPED_TEST_SUITE(FileSystemTest, Implementations, ImplementationNames);

TYPED_TEST(FileSystemTest, WriteThenReadWholeFile) {
  ASSERT_TRUE(this->fs()->WriteFile(this->Path("a.txt"), "hello", /*sync=*/true).ok());
  auto contents = this->fs()->ReadFile(this->Path("a.txt"));
  ASSERT_TRUE(contents.ok()) << contents.status();
  EXPECT_EQ(*contents, "hello");
  EXPECT_EQ(*this->fs()->GetFileSize(this->Path("a.txt")), 5u);
}

TYPED_TEST(FileSystemTest, AppendableFileKeepsExistingData) {
  ASSERT_TRUE(this->fs()->WriteFile(this->Path("log"), "ab", false).ok());
  auto file = this->fs()->NewAppendableFile(this->Path("log"));
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_EQ((*file)->Size(), 2u);
  ASSERT_TRUE((*file)->Append("cd").ok());
  ASSERT_TRUE((*file)->Close().ok());
  EXPECT_EQ(*this->fs()->ReadFile(this->Path("log")), "abcd");
}

TYPED_TEST(FileSystemTest, LargeAppendsAreWrittenCompletely) {
  std::string big(300'000, 'x');
  for (size_t i = 0; i < big.size(); i += 7) big[i] = static_cast<char>('a' + i % 26);
  auto file = this->fs()->NewWritableFile(this->Path("big"));
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE((*file)->Append(std::string_view(big).substr(0, 1000)).ok());
  ASSERT_TRUE((*file)->Append(std::string_view(big).substr(1000)).ok());
  ASSERT_TRUE((*file)->Sync().ok());
  ASSERT_TRUE((*file)->Close().ok());
  EXPECT_EQ(*this->fs()->ReadFile(this->Path("big")), big);
}

TYPED_TEST(FileSystemTest, ReadAtReturnsShortCountAtEnd) {
  ASSERT_TRUE(this->fs()->WriteFile(this->Path("f"), "0123456789", false).ok());
  auto file = this->fs()->NewRandomAccessFile(this->Path("f"));
  ASSERT_TRUE(file.ok());
  char buffer[8];
  auto read = (*file)->ReadAt(6, std::span<char>(buffer, 8));
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(*read, 4u);
  EXPECT_EQ(std::string_view(buffer, 4), "6789");
  EXPECT_EQ(*(*file)->ReadAt(100, std::span<char>(buffer, 8)), 0u);
}

TYPED_TEST(FileSystemTest, MissingFileIsFileNotFound) {
  EXPECT_EQ(this->fs()->ReadFile(this->Path("missing")).status().code(), ErrorCode::kFileNotFound);
  EXPECT_EQ(this->fs()->DeleteFile(this->Path("missing")).code(), ErrorCode::kFileNotFound);
  EXPECT_EQ(this->fs()->GetFileSize(this->Path("missing")).status().code(),
            ErrorCode::kFileNotFound);
  EXPECT_FALSE(*this->fs()->Exists(this->Path("missing")));
}

TYPED_TEST(FileSystemTest, ParentDirectoryMustExist) {
  auto file = this->fs()->NewWritableFile(this->Path("no/such/dir/f"));
  EXPECT_EQ(file.status().code(), ErrorCode::kFileNotFound);
  ASSERT_TRUE(this->fs()->CreateDirectories(this->Path("no/such/dir")).ok());
  EXPECT_TRUE(this->fs()->NewWritableFile(this->Path("no/such/dir/f")).ok());
  EXPECT_TRUE(this->fs()->CreateDirectories(this->Path("no/such/dir")).ok()) << "idempotent";
}

TYPED_TEST(FileSystemTest, ListDirectoryIsSortedAndShallow) {
  ASSERT_TRUE(this->fs()->CreateDirectories(this->Path("d/sub")).ok());
  ASSERT_TRUE(this->fs()->WriteFile(this->Path("d/b"), "", false).ok());
  ASSERT_TRUE(this->fs()->WriteFile(this->Path("d/a"), "", false).ok());
  ASSERT_TRUE(this->fs()->WriteFile(this->Path("d/sub/deep"), "", false).ok());
  auto names = this->fs()->ListDirectory(this->Path("d"));
  ASSERT_TRUE(names.ok()) << names.status();
  EXPECT_EQ(*names, (std::vector<std::string>{"a", "b", "sub"}));
  EXPECT_TRUE(*this->fs()->IsDirectory(this->Path("d/sub")));
  EXPECT_FALSE(*this->fs()->IsDirectory(this->Path("d/a")));
}

TYPED_TEST(FileSystemTest, RenameReplacesTarget) {
  ASSERT_TRUE(this->fs()->WriteFile(this->Path("new"), "new", false).ok());
  ASSERT_TRUE(this->fs()->WriteFile(this->Path("current"), "old", false).ok());
  ASSERT_TRUE(this->fs()->RenameFile(this->Path("new"), this->Path("current")).ok());
  EXPECT_EQ(*this->fs()->ReadFile(this->Path("current")), "new");
  EXPECT_FALSE(*this->fs()->Exists(this->Path("new")));
  EXPECT_EQ(this->fs()->RenameFile(this->Path("new"), this->Path("x")).code(),
            ErrorCode::kFileNotFound);
}

TYPED_TEST(FileSystemTest, TruncateShortensFile) {
  ASSERT_TRUE(this->fs()->WriteFile(this->Path("t"), "abcdef", false).ok());
  ASSERT_TRUE(this->fs()->Truncate(this->Path("t"), 2).ok());
  EXPECT_EQ(*this->fs()->ReadFile(this->Path("t")), "ab");
}

TYPED_TEST(FileSystemTest, DeleteRecursivelyRemovesTree) {
  ASSERT_TRUE(this->fs()->CreateDirectories(this->Path("tree/x/y")).ok());
  ASSERT_TRUE(this->fs()->WriteFile(this->Path("tree/x/y/z"), "z", false).ok());
  ASSERT_TRUE(this->fs()->WriteFile(this->Path("tree/top"), "t", false).ok());
  ASSERT_TRUE(this->fs()->DeleteRecursively(this->Path("tree")).ok());
  EXPECT_FALSE(*this->fs()->Exists(this->Path("tree")));
  EXPECT_FALSE(*this->fs()->Exists(this->Path("tree/x/y/z")));
  EXPECT_TRUE(this->fs()->DeleteRecursively(this->Path("tree")).ok()) << "absent is fine";
}

TYPED_TEST(FileSystemTest, ClosedFileRejectsWrites) {
  auto file = this->fs()->NewWritableFile(this->Path("c"));
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE((*file)->Close().ok());
  EXPECT_EQ((*file)->Append("x").code(), ErrorCode::kClosed);
  EXPECT_EQ((*file)->Sync().code(), ErrorCode::kClosed);
}

TYPED_TEST(FileSystemTest, SyncDirectoryOfExistingDirectorySucceeds) {
  EXPECT_TRUE(this->fs()->SyncDirectory(this->Path("")).ok());
  EXPECT_EQ(this->fs()->SyncDirectory(this->Path("absent")).code(), ErrorCode::kFileNotFound);
}

TEST(MemoryFileSystemTest, DropUnsyncedDataKeepsOnlySyncedPrefix) {
  MemoryFileSystem fs;
  auto file = fs.NewWritableFile("wal");
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE((*file)->Append("synced|").ok());
  ASSERT_TRUE((*file)->Sync().ok());
  ASSERT_TRUE((*file)->Append("flushed").ok());
  ASSERT_TRUE((*file)->Flush().ok());
  EXPECT_EQ(*fs.ReadFile("wal"), "synced|flushed");
  fs.DropUnsyncedData();
  EXPECT_EQ(*fs.ReadFile("wal"), "synced|");
}

TEST(MemoryFileSystemTest, AppendedDataIsInvisibleUntilFlushed) {
  MemoryFileSystem fs;
  auto file = fs.NewWritableFile("f");
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE((*file)->Append("abc").ok());
  EXPECT_EQ(*fs.ReadFile("f"), "");
  ASSERT_TRUE((*file)->Flush().ok());
  EXPECT_EQ(*fs.ReadFile("f"), "abc");
}

TEST(PathTest, JoinAndParent) {
  EXPECT_EQ(JoinPath("a", "b"), "a/b");
  EXPECT_EQ(JoinPath("a/", "/b"), "a/b");
  EXPECT_EQ(JoinPath("", "b"), "b");
  EXPECT_EQ(ParentPath("a/b/c"), "a/b");
  EXPECT_EQ(ParentPath("c"), "");
  EXPECT_EQ(ParentPath("/c"), "/");
  EXPECT_EQ(ParentPath("a/b/"), "a");
}

}  // namespace
}  // namespace laminar

namespace laminar {
namespace {

TEST(PosixFileSystemTest, FailedWriteLeavesFileFailed) {
  // /dev/full accepts open(2) and fails every write with ENOSPC.
  auto file = FileSystem::Posix()->NewAppendableFile("/dev/full");
  ASSERT_TRUE(file.ok()) << file.status();
  ASSERT_TRUE((*file)->Append("12345678").ok()) << "buffered, not yet written";
  EXPECT_EQ((*file)->Flush().code(), ErrorCode::kNoSpace);
  EXPECT_EQ((*file)->Flush().code(), ErrorCode::kNoSpace) << "the failure is sticky";
  EXPECT_EQ((*file)->Append("more").code(), ErrorCode::kNoSpace);
  EXPECT_EQ((*file)->Sync().code(), ErrorCode::kNoSpace);
}

// A direct file takes whole aligned blocks straight from the caller's memory; an unaligned
// write, which O_DIRECT refuses, is written through the page cache instead (the file falls
// back for good), and every byte lands in order.
TEST(PosixFileSystemTest, DirectFilesKeepAlignedAndUnalignedWritesInOrder) {
  PosixFixture fixture;
  const std::string path = JoinPath(fixture.root(), "direct");
  auto file = FileSystem::Posix()->NewDirectWritableFile(path);
  ASSERT_TRUE(file.ok()) << file.status();
  if (*file == nullptr) {
    // No O_DIRECT on this file system (tmpfs, say): the caller uses an ordinary file.
    GTEST_SKIP() << "the file system under " << fixture.root() << " has no O_DIRECT";
  }
  auto* block =
      static_cast<char*>(std::aligned_alloc(kDirectWriteAlignment, 2 * kDirectWriteAlignment));
  for (size_t i = 0; i < 2 * kDirectWriteAlignment; ++i) block[i] = static_cast<char>('a' + i % 26);
  EXPECT_TRUE((*file)->Append(std::string_view(block, 2 * kDirectWriteAlignment)).ok());
  EXPECT_TRUE((*file)->Append(std::string_view(block + 1, 100)).ok()) << "unaligned: falls back";
  EXPECT_TRUE((*file)->Append("tail").ok());
  EXPECT_TRUE((*file)->Sync().ok());
  EXPECT_TRUE((*file)->Close().ok());
  const std::string expected =
      std::string(block, 2 * kDirectWriteAlignment) + std::string(block + 1, 100) + "tail";
  std::free(block);
  EXPECT_EQ(*FileSystem::Posix()->ReadFile(path), expected);
}

TEST(MemoryFileSystemTest, DirectFilesRefuseUnalignedWrites) {
  MemoryFileSystem fs;
  auto none = fs.NewDirectWritableFile("log");
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, nullptr) << "off by default, as on a file system without O_DIRECT";
  fs.set_direct_writes(true);
  auto file = fs.NewDirectWritableFile("log");
  ASSERT_TRUE(file.ok());
  ASSERT_NE(*file, nullptr);
  auto* block =
      static_cast<char*>(std::aligned_alloc(kDirectWriteAlignment, kDirectWriteAlignment));
  std::memset(block, 'x', kDirectWriteAlignment);
  EXPECT_TRUE((*file)->Append(std::string_view(block, kDirectWriteAlignment)).ok());
  EXPECT_EQ((*file)->Append(std::string_view(block, 100)).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ((*file)->Append(std::string_view(block + 8, 4088)).code(), ErrorCode::kInvalidArgument);
  std::free(block);
  EXPECT_TRUE((*file)->Sync().ok());
  EXPECT_EQ(fs.ReadFile("log")->size(), kDirectWriteAlignment);
}

TEST(MemoryFileSystemTest, WritersFromBeforeACrashCannotResurrectData) {
  MemoryFileSystem fs;
  auto file = fs.NewWritableFile("wal");
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE((*file)->Append("synced|").ok());
  ASSERT_TRUE((*file)->Sync().ok());
  ASSERT_TRUE((*file)->Append("lost").ok());
  fs.DropUnsyncedData();
  EXPECT_EQ((*file)->Flush().code(), ErrorCode::kIoError);
  file->reset();  // The destructor must not flush "lost" either.
  EXPECT_EQ(*fs.ReadFile("wal"), "synced|");
  auto reopened = fs.NewAppendableFile("wal");
  ASSERT_TRUE(reopened.ok());
  EXPECT_TRUE((*reopened)->Append("after").ok()) << "a new writer works";
}

TEST(MemoryFileSystemTest, ErrorCodesMatchPosix) {
  MemoryFileSystem fs;
  ASSERT_TRUE(fs.CreateDirectories("d").ok());
  ASSERT_TRUE(fs.WriteFile("f", "x", false).ok());
  EXPECT_EQ(fs.DeleteFile("d").code(), ErrorCode::kIoError);
  EXPECT_EQ(fs.RenameFile("f", "d").code(), ErrorCode::kIoError);
}

}  // namespace
}  // namespace laminar
