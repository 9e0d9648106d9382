#include "common/fault_injection_file_system.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <memory>

#include "common/memory_file_system.h"

namespace laminar {
namespace {

class FaultInjectionFileSystemTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(fs_.CreateDirectories("/d").ok()); }

  std::string Read(const std::string& path) {
    auto contents = fs_.ReadFile(path);
    EXPECT_TRUE(contents.ok()) << contents.status();
    return contents.ok() ? *contents : std::string();
  }

  MemoryFileSystem memory_;
  FaultInjectionFileSystem fs_{&memory_};
};

TEST_F(FaultInjectionFileSystemTest, ForwardsWithoutFaults) {
  ASSERT_TRUE(fs_.WriteFile("/d/a", "hello", /*sync=*/true).ok());
  EXPECT_EQ(Read("/d/a"), "hello");
  EXPECT_EQ(fs_.faults_fired(), 0u);
}

TEST_F(FaultInjectionFileSystemTest, NthAppendFailsWithNoSpaceAndFileStaysFailed) {
  fs_.InjectFault(FaultRule::At(FaultOperation::kAppend, FaultKind::kNoSpace, 2));
  auto file = fs_.NewWritableFile("/d/a");
  ASSERT_TRUE(file.ok());
  EXPECT_TRUE((*file)->Append("one").ok());
  const Status failed = (*file)->Append("two");
  EXPECT_EQ(failed.code(), ErrorCode::kNoSpace);
  EXPECT_NE(failed.message().find("/d/a"), std::string_view::npos);
  EXPECT_EQ((*file)->Append("three").code(), ErrorCode::kNoSpace);
  EXPECT_EQ((*file)->Sync().code(), ErrorCode::kNoSpace);
  EXPECT_EQ(fs_.faults_fired(), 1u);
}

TEST_F(FaultInjectionFileSystemTest, SyncFailsWithIoError) {
  fs_.InjectFault(FaultRule::At(FaultOperation::kSync, FaultKind::kIoError));
  auto file = fs_.NewWritableFile("/d/a");
  ASSERT_TRUE(file.ok());
  EXPECT_TRUE((*file)->Append("data").ok());
  EXPECT_EQ((*file)->Sync().code(), ErrorCode::kIoError);
}

TEST_F(FaultInjectionFileSystemTest, PathPatternRestrictsTheRule) {
  fs_.InjectFault(
      FaultRule::At(FaultOperation::kAppend, FaultKind::kIoError).OnPath("wal-").Repeating());
  ASSERT_TRUE(fs_.WriteFile("/d/other", "x", /*sync=*/false).ok());
  EXPECT_EQ(fs_.WriteFile("/d/wal-1", "x", /*sync=*/false).code(), ErrorCode::kIoError);
  EXPECT_EQ(fs_.WriteFile("/d/wal-2", "x", /*sync=*/false).code(), ErrorCode::kIoError);
  fs_.ClearFaults();
  EXPECT_TRUE(fs_.WriteFile("/d/wal-3", "x", /*sync=*/false).ok());
}

TEST_F(FaultInjectionFileSystemTest, RenameAndCreateFaults) {
  fs_.InjectFault(FaultRule::At(FaultOperation::kCreate, FaultKind::kNoSpace));
  EXPECT_EQ(fs_.NewWritableFile("/d/a").status().code(), ErrorCode::kNoSpace);
  ASSERT_TRUE(fs_.WriteFile("/d/a", "x", /*sync=*/true).ok());
  fs_.InjectFault(FaultRule::At(FaultOperation::kRename, FaultKind::kIoError));
  EXPECT_EQ(fs_.RenameFile("/d/a", "/d/b").code(), ErrorCode::kIoError);
  EXPECT_TRUE(fs_.RenameFile("/d/a", "/d/b").ok());
}

// Direct files: a base without them answers first (no fault counted, so a rule fires on the
// ordinary open that follows); a failed direct open leaves no file; a torn direct write keeps
// its aligned size, zeros after the tear.
TEST_F(FaultInjectionFileSystemTest, DirectFilesTakeFaultsLikeOthers) {
  fs_.InjectFault(FaultRule::At(FaultOperation::kCreate, FaultKind::kNoSpace));
  auto none = fs_.NewDirectWritableFile("/d/a");
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_EQ(*none, nullptr);
  EXPECT_EQ(fs_.faults_fired(), 0u);
  EXPECT_EQ(fs_.NewWritableFile("/d/a").status().code(), ErrorCode::kNoSpace);

  memory_.set_direct_writes(true);
  fs_.InjectFault(FaultRule::At(FaultOperation::kCreate, FaultKind::kIoError));
  EXPECT_EQ(fs_.NewDirectWritableFile("/d/b").status().code(), ErrorCode::kIoError);
  EXPECT_FALSE(*fs_.Exists("/d/b")) << "a failed open creates nothing";

  fs_.InjectFault(FaultRule::At(FaultOperation::kAppend, FaultKind::kTornWrite).KeepingBytes(5));
  auto file = fs_.NewDirectWritableFile("/d/c");
  ASSERT_TRUE(file.ok()) << file.status();
  ASSERT_NE(*file, nullptr);
  std::unique_ptr<char, decltype(&std::free)> block(
      static_cast<char*>(std::aligned_alloc(kDirectWriteAlignment, kDirectWriteAlignment)),
      &std::free);
  std::memset(block.get(), 'x', kDirectWriteAlignment);
  EXPECT_EQ((*file)->Append(std::string_view(block.get(), kDirectWriteAlignment)).code(),
            ErrorCode::kIoError);
  EXPECT_EQ(Read("/d/c"), std::string(5, 'x') + std::string(kDirectWriteAlignment - 5, '\0'));
}

TEST_F(FaultInjectionFileSystemTest, TornWriteKeepsOnlyAPrefixEvenAfterACrash) {
  fs_.InjectFault(FaultRule::At(FaultOperation::kAppend, FaultKind::kTornWrite, 2).KeepingBytes(3));
  {
    auto file = fs_.NewWritableFile("/d/a");
    ASSERT_TRUE(file.ok());
    ASSERT_TRUE((*file)->Append("first|").ok());
    EXPECT_EQ((*file)->Append("second").code(), ErrorCode::kIoError);
  }
  ASSERT_TRUE(fs_.SyncDirectory("/d").ok());
  ASSERT_TRUE(fs_.SimulateCrash().ok());
  EXPECT_EQ(Read("/d/a"), "first|sec");
}

TEST_F(FaultInjectionFileSystemTest, CrashDropsUnsyncedDataAndFailsOpenWriters) {
  auto file = fs_.NewWritableFile("/d/a");
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE((*file)->Append("durable").ok());
  ASSERT_TRUE((*file)->Sync().ok());
  ASSERT_TRUE(fs_.SyncDirectory("/d").ok());
  ASSERT_TRUE((*file)->Append("-lost").ok());
  ASSERT_TRUE((*file)->Flush().ok());
  ASSERT_TRUE(fs_.SimulateCrash().ok());
  EXPECT_EQ(Read("/d/a"), "durable");
  EXPECT_EQ((*file)->Append("more").code(), ErrorCode::kIoError);
}

TEST_F(FaultInjectionFileSystemTest, CrashRemovesEntriesWhoseDirectoryWasNotSynced) {
  ASSERT_TRUE(fs_.WriteFile("/d/kept", "k", /*sync=*/true).ok());
  ASSERT_TRUE(fs_.SyncDirectory("/d").ok());
  ASSERT_TRUE(fs_.WriteFile("/d/created", "c", /*sync=*/true).ok());
  ASSERT_TRUE(fs_.WriteFile("/d/tmp", "t", /*sync=*/true).ok());
  ASSERT_TRUE(fs_.SyncDirectory("/d").ok());
  ASSERT_TRUE(fs_.RenameFile("/d/tmp", "/d/renamed").ok());
  ASSERT_TRUE(fs_.SimulateCrash().ok());
  EXPECT_TRUE(*fs_.Exists("/d/kept"));
  EXPECT_TRUE(*fs_.Exists("/d/created"));
  EXPECT_FALSE(*fs_.Exists("/d/renamed"));
  EXPECT_EQ(Read("/d/tmp"), "t");

  ASSERT_TRUE(fs_.WriteFile("/d/new", "n", /*sync=*/true).ok());
  ASSERT_TRUE(fs_.SimulateCrash().ok());
  EXPECT_FALSE(*fs_.Exists("/d/new"));
}

TEST_F(FaultInjectionFileSystemTest, CrashNeedsAMemoryFileSystem) {
  FaultInjectionFileSystem over_any(static_cast<FileSystem*>(&memory_));
  EXPECT_EQ(over_any.SimulateCrash().code(), ErrorCode::kNotSupported);
}

}  // namespace
}  // namespace laminar
