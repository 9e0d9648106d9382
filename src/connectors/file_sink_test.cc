#include "connectors/file_sink.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <limits>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "columnar/column_builder.h"
#include "columnar/json_format.h"
#include "columnar/temporal.h"
#include "common/error_code.h"
#include "common/memory_file_system.h"
#include "connectors/sink_connector.h"

namespace laminar::connectors {
namespace {

#define ASSERT_OK(expression)                                \
  do {                                                       \
    const ::laminar::Status assert_ok_status = (expression); \
    ASSERT_TRUE(assert_ok_status.ok()) << assert_ok_status;  \
  } while (false)

constexpr char kDirectory[] = "/out";

std::shared_ptr<const Schema> RowSchema() {
  return Schema::Make({{"id", DataType::BigInt()}, {"name", DataType::Varchar()}});
}

// Row i of a deterministic stream: names with commas, quotes and line breaks now and then,
// and a NULL every seventh row.
std::vector<Value> StreamRow(int64_t i) {
  static const char* const kNames[] = {"plain", "a,b", "say \"hi\"", "two\nlines", "", "x"};
  Value name = i % 7 == 3 ? Value::Null(DataType::Varchar())
                          : Value::Varchar(fmt::format("{}-{}", kNames[i % 6], i));
  return {Value::BigInt(i), std::move(name)};
}

Batch MakeBatch(const std::shared_ptr<const Schema>& schema,
                const std::vector<std::vector<Value>>& rows) {
  BatchBuilder builder(schema);
  for (const std::vector<Value>& row : rows) EXPECT_TRUE(builder.AppendRow(row).ok());
  Result<Batch> batch = builder.Finish();
  EXPECT_TRUE(batch.ok()) << batch.status();
  return *batch;
}

// Rows [first, first + count) of the stream.
Batch StreamRows(int64_t first, int64_t count) {
  std::vector<std::vector<Value>> rows;
  for (int64_t i = first; i < first + count; ++i) rows.push_back(StreamRow(i));
  return MakeBatch(RowSchema(), rows);
}

std::string JsonLine(int64_t i) {
  const std::vector<Value> row = StreamRow(i);
  std::string line = fmt::format("{{\"id\":{},\"name\":", i);
  if (row[1].is_null()) {
    line += "null";
  } else {
    AppendJsonString(line, row[1].string());
  }
  return line + "}\n";
}

std::string JsonLines(int64_t first, int64_t count) {
  std::string lines;
  for (int64_t i = first; i < first + count; ++i) lines += JsonLine(i);
  return lines;
}

std::vector<std::string> ListNames(FileSystem* fs, const std::string& directory) {
  Result<std::vector<std::string>> names = fs->ListDirectory(directory);
  EXPECT_TRUE(names.ok()) << names.status();
  return names.ok() ? *names : std::vector<std::string>{};
}

std::string ReadOrDie(FileSystem* fs, const std::string& path) {
  Result<std::string> contents = fs->ReadFile(path);
  EXPECT_TRUE(contents.ok()) << contents.status();
  return contents.ok() ? *contents : "";
}

// The published output: every part file, in epoch order, concatenated. With
// `strip_headers`, each file's first line (the CSV header) is left out.
std::string PublishedOutput(FileSystem* fs, bool strip_headers = false) {
  std::string output;
  for (const std::string& name : ListNames(fs, kDirectory)) {
    if (name.rfind("part-", 0) != 0) continue;
    std::string contents = ReadOrDie(fs, JoinPath(kDirectory, name));
    EXPECT_FALSE(contents.empty()) << name << " is empty";
    if (strip_headers) contents.erase(0, contents.find('\n') + 1);
    output += contents;
  }
  return output;
}

std::vector<std::string> PartNames(FileSystem* fs) {
  std::vector<std::string> parts;
  for (const std::string& name : ListNames(fs, kDirectory)) {
    if (name.rfind("part-", 0) == 0) parts.push_back(name);
  }
  return parts;
}

std::unique_ptr<FileSink> MakeSink(FileSystem* fs, FileSinkFormat format = FileSinkFormat::kJson,
                                   std::shared_ptr<const Schema> schema = RowSchema()) {
  return std::make_unique<FileSink>(FileSinkOptions{kDirectory, format}, std::move(schema), fs);
}

std::string PartPath(uint64_t epoch) {
  return JoinPath(kDirectory, FileSinkPartName(epoch, FileSinkFormat::kJson));
}

const std::string kPendingDirectory = JoinPath(kDirectory, ".pending");

// ---------------------------------------------------------------------------------------------
// A FileSystem that fails chosen operations: the Nth of a kind fails with a chosen code, and
// (when sticky) so does every later operation, as after a crash. Its errors deliberately do
// not name the path, so that tests see whether the sink does.

enum class FaultOperation { kAny, kCreate, kAppend, kSync, kRename, kDelete, kSyncDirectory };

class FaultyFileSystem final : public FileSystem {
 public:
  explicit FaultyFileSystem(FileSystem* base) : base_(base) {}

  /// The `nth` (from 1) next operation of kind `operation` fails with `code`.
  void FailNth(FaultOperation operation, int nth, ErrorCode code, bool sticky) {
    operation_ = operation;
    countdown_ = nth;
    code_ = code;
    sticky_ = sticky;
    tripped_ = false;
  }
  void Heal() {
    countdown_ = 0;
    tripped_ = false;
  }
  bool tripped() const { return tripped_; }

  Status Check(FaultOperation operation) {
    if (tripped_ && sticky_) return Injected();
    if (countdown_ == 0 || (operation_ != FaultOperation::kAny && operation_ != operation)) {
      return Status::Ok();
    }
    if (--countdown_ > 0) return Status::Ok();
    tripped_ = true;
    return Injected();
  }

  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) override;
  Result<std::unique_ptr<WritableFile>> NewAppendableFile(const std::string& path) override {
    LAMINAR_RETURN_IF_ERROR(Check(FaultOperation::kCreate));
    return base_->NewAppendableFile(path);
  }
  Result<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(const std::string& path) override {
    return base_->NewRandomAccessFile(path);
  }
  Result<bool> Exists(const std::string& path) override { return base_->Exists(path); }
  Result<bool> IsDirectory(const std::string& path) override { return base_->IsDirectory(path); }
  Result<uint64_t> GetFileSize(const std::string& path) override {
    return base_->GetFileSize(path);
  }
  Result<std::vector<std::string>> ListDirectory(const std::string& path) override {
    return base_->ListDirectory(path);
  }
  Status CreateDirectories(const std::string& path) override {
    LAMINAR_RETURN_IF_ERROR(Check(FaultOperation::kCreate));
    return base_->CreateDirectories(path);
  }
  Status DeleteFile(const std::string& path) override {
    LAMINAR_RETURN_IF_ERROR(Check(FaultOperation::kDelete));
    return base_->DeleteFile(path);
  }
  Status DeleteRecursively(const std::string& path) override {
    LAMINAR_RETURN_IF_ERROR(Check(FaultOperation::kDelete));
    return base_->DeleteRecursively(path);
  }
  Status RenameFile(const std::string& from, const std::string& to) override {
    LAMINAR_RETURN_IF_ERROR(Check(FaultOperation::kRename));
    return base_->RenameFile(from, to);
  }
  Status Truncate(const std::string& path, uint64_t size) override {
    LAMINAR_RETURN_IF_ERROR(Check(FaultOperation::kAppend));
    return base_->Truncate(path, size);
  }
  Status SyncDirectory(const std::string& path) override {
    LAMINAR_RETURN_IF_ERROR(Check(FaultOperation::kSyncDirectory));
    return base_->SyncDirectory(path);
  }

 private:
  Status Injected() const { return Status::Error(code_, "injected fault"); }

  FileSystem* base_;
  FaultOperation operation_ = FaultOperation::kAny;
  int countdown_ = 0;
  ErrorCode code_ = ErrorCode::kIoError;
  bool sticky_ = false;
  bool tripped_ = false;
};

class FaultyWritableFile final : public WritableFile {
 public:
  FaultyWritableFile(FaultyFileSystem* fs, std::unique_ptr<WritableFile> base)
      : fs_(fs), base_(std::move(base)) {}

  Status Append(std::string_view data) override {
    LAMINAR_RETURN_IF_ERROR(fs_->Check(FaultOperation::kAppend));
    return base_->Append(data);
  }
  Status Flush() override {
    LAMINAR_RETURN_IF_ERROR(fs_->Check(FaultOperation::kSync));
    return base_->Flush();
  }
  Status Sync() override {
    LAMINAR_RETURN_IF_ERROR(fs_->Check(FaultOperation::kSync));
    return base_->Sync();
  }
  Status Close() override { return base_->Close(); }
  uint64_t Size() const override { return base_->Size(); }

 private:
  FaultyFileSystem* fs_;
  std::unique_ptr<WritableFile> base_;
};

Result<std::unique_ptr<WritableFile>> FaultyFileSystem::NewWritableFile(const std::string& path) {
  LAMINAR_RETURN_IF_ERROR(Check(FaultOperation::kCreate));
  LAMINAR_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> file, base_->NewWritableFile(path));
  return std::unique_ptr<WritableFile>(std::make_unique<FaultyWritableFile>(this, std::move(file)));
}

// ---------------------------------------------------------------------------------------------

TEST(FileSinkTest, PreCommittedEpochsStayInvisibleUntilCommitted) {
  MemoryFileSystem fs;
  auto sink = MakeSink(&fs);
  ASSERT_OK(sink->Open(1));
  ASSERT_OK(sink->Write(StreamRows(0, 3), {}));
  ASSERT_OK(sink->PreCommit(1));
  ASSERT_OK(sink->Write(StreamRows(3, 2), {}));
  ASSERT_OK(sink->Write(StreamRows(5, 1), {}));
  ASSERT_OK(sink->PreCommit(2));
  EXPECT_TRUE(PartNames(&fs).empty());
  EXPECT_EQ(ListNames(&fs, kPendingDirectory),
            (std::vector<std::string>{"epoch-00000000000000000001.json",
                                      "epoch-00000000000000000002.json"}));

  ASSERT_OK(sink->Commit(1));
  EXPECT_EQ(PartNames(&fs), std::vector<std::string>{"part-00000000000000000001.json"});
  EXPECT_EQ(ReadOrDie(&fs, PartPath(1)), JsonLines(0, 3));

  ASSERT_OK(sink->Commit(2));
  EXPECT_EQ(PartNames(&fs), (std::vector<std::string>{"part-00000000000000000001.json",
                                                      "part-00000000000000000002.json"}));
  EXPECT_EQ(ReadOrDie(&fs, PartPath(2)), JsonLines(3, 3));
  EXPECT_TRUE(ListNames(&fs, kPendingDirectory).empty());
}

TEST(FileSinkTest, AnEpochWithoutRowsLeavesNoFile) {
  MemoryFileSystem fs;
  auto sink = MakeSink(&fs);
  ASSERT_OK(sink->Open(1));
  ASSERT_OK(sink->PreCommit(1));
  ASSERT_OK(sink->Write(StreamRows(0, 0), {}));  // An empty batch opens no file either.
  ASSERT_OK(sink->PreCommit(2));
  ASSERT_OK(sink->Write(StreamRows(0, 1), {}));
  ASSERT_OK(sink->PreCommit(3));
  ASSERT_OK(sink->Commit(1));
  ASSERT_OK(sink->Commit(3));
  EXPECT_EQ(PartNames(&fs), std::vector<std::string>{"part-00000000000000000003.json"});
}

TEST(FileSinkTest, CommitIsIdempotent) {
  MemoryFileSystem fs;
  auto sink = MakeSink(&fs);
  ASSERT_OK(sink->Open(1));
  ASSERT_OK(sink->Write(StreamRows(0, 4), {}));
  ASSERT_OK(sink->PreCommit(1));
  ASSERT_OK(sink->Commit(1));
  ASSERT_OK(sink->Commit(1));
  ASSERT_OK(sink->Write(StreamRows(4, 1), {}));
  ASSERT_OK(sink->PreCommit(2));
  ASSERT_OK(sink->Commit(1));  // Repeating an old commit does not publish a newer epoch.
  EXPECT_EQ(PartNames(&fs), std::vector<std::string>{"part-00000000000000000001.json"});
  ASSERT_OK(sink->Commit(2));
  ASSERT_OK(sink->Commit(2));
  EXPECT_EQ(PublishedOutput(&fs), JsonLines(0, 5));

  // After a restart the runtime may repeat the commit of the restored epoch.
  sink.reset();
  auto restarted = MakeSink(&fs);
  ASSERT_OK(restarted->Recover(2));
  ASSERT_OK(restarted->Commit(2));
  ASSERT_OK(restarted->Open(3));
  ASSERT_OK(restarted->Commit(2));
  EXPECT_EQ(PublishedOutput(&fs), JsonLines(0, 5));
}

TEST(FileSinkTest, CommitPublishesEarlierEpochsWhoseCheckpointFailed) {
  MemoryFileSystem fs;
  auto sink = MakeSink(&fs);
  ASSERT_OK(sink->Open(1));
  ASSERT_OK(sink->Write(StreamRows(0, 2), {}));
  ASSERT_OK(sink->PreCommit(1));  // Checkpoint 1 fails elsewhere: no Commit(1).
  ASSERT_OK(sink->Write(StreamRows(2, 2), {}));
  ASSERT_OK(sink->PreCommit(3));  // Ids may skip.
  ASSERT_OK(sink->Commit(3));
  EXPECT_EQ(PartNames(&fs), (std::vector<std::string>{"part-00000000000000000001.json",
                                                      "part-00000000000000000003.json"}));
  EXPECT_EQ(PublishedOutput(&fs), JsonLines(0, 4));
}

TEST(FileSinkTest, PowerLossAfterPreCommitThenRecoverAtThatEpochPublishesIt) {
  MemoryFileSystem fs;
  auto sink = MakeSink(&fs);
  ASSERT_OK(sink->Open(1));
  ASSERT_OK(sink->Write(StreamRows(0, 3), {}));
  ASSERT_OK(sink->PreCommit(1));
  ASSERT_OK(sink->Write(StreamRows(3, 2), {}));  // Epoch 2, never synced.
  sink.reset();
  fs.DropUnsyncedData();

  // Checkpoint 1 was published before the crash, but Commit(1) never ran.
  auto restarted = MakeSink(&fs);
  ASSERT_OK(restarted->Recover(1));
  EXPECT_EQ(PartNames(&fs), std::vector<std::string>{"part-00000000000000000001.json"});
  EXPECT_EQ(ReadOrDie(&fs, PartPath(1)), JsonLines(0, 3));
  EXPECT_TRUE(ListNames(&fs, kPendingDirectory).empty());  // Epoch 2's leftover is gone.

  // Replay continues after the checkpoint's rows.
  ASSERT_OK(restarted->Open(2));
  ASSERT_OK(restarted->Write(StreamRows(3, 2), {}));
  ASSERT_OK(restarted->PreCommit(2));
  ASSERT_OK(restarted->Commit(2));
  EXPECT_EQ(PublishedOutput(&fs), JsonLines(0, 5));
}

TEST(FileSinkTest, PowerLossAfterPreCommitThenRecoverAtThePreviousEpochRollsItBack) {
  MemoryFileSystem fs;
  auto sink = MakeSink(&fs);
  ASSERT_OK(sink->Open(1));
  ASSERT_OK(sink->Write(StreamRows(0, 3), {}));
  ASSERT_OK(sink->PreCommit(1));
  ASSERT_OK(sink->Commit(1));
  ASSERT_OK(sink->Write(StreamRows(3, 2), {}));
  ASSERT_OK(sink->PreCommit(2));  // The crash comes before checkpoint 2 is published.
  sink.reset();
  fs.DropUnsyncedData();

  auto restarted = MakeSink(&fs);
  ASSERT_OK(restarted->Recover(1));
  EXPECT_EQ(PartNames(&fs), std::vector<std::string>{"part-00000000000000000001.json"});
  EXPECT_TRUE(ListNames(&fs, kPendingDirectory).empty());
  ASSERT_OK(restarted->Open(3));  // Checkpoint ids are not reused.
  ASSERT_OK(restarted->Write(StreamRows(3, 2), {}));
  ASSERT_OK(restarted->PreCommit(3));
  ASSERT_OK(restarted->Commit(3));
  EXPECT_EQ(PartNames(&fs), (std::vector<std::string>{"part-00000000000000000001.json",
                                                      "part-00000000000000000003.json"}));
  EXPECT_EQ(PublishedOutput(&fs), JsonLines(0, 5));
}

TEST(FileSinkTest, RecoverWithNothingCommittedDiscardsEverything) {
  MemoryFileSystem fs;
  auto sink = MakeSink(&fs);
  ASSERT_OK(sink->Open(1));
  ASSERT_OK(sink->Write(StreamRows(0, 3), {}));
  ASSERT_OK(sink->PreCommit(1));
  ASSERT_OK(sink->Write(StreamRows(3, 3), {}));
  ASSERT_OK(fs.WriteFile(JoinPath(kPendingDirectory, "notes.txt"), "not the sink's", true));
  sink.reset();

  auto restarted = MakeSink(&fs);
  ASSERT_OK(restarted->Recover(0));
  EXPECT_TRUE(PartNames(&fs).empty());
  // Files the sink did not name are left alone.
  EXPECT_EQ(ListNames(&fs, kPendingDirectory), std::vector<std::string>{"notes.txt"});
}

TEST(FileSinkTest, RollbackDiscardsTheOpenAndPreCommittedEpochs) {
  MemoryFileSystem fs;
  auto sink = MakeSink(&fs);
  ASSERT_OK(sink->Open(1));
  ASSERT_OK(sink->Write(StreamRows(0, 1), {}));
  ASSERT_OK(sink->PreCommit(1));
  ASSERT_OK(sink->Commit(1));
  ASSERT_OK(sink->Write(StreamRows(1, 2), {}));
  ASSERT_OK(sink->PreCommit(2));
  ASSERT_OK(sink->Write(StreamRows(3, 2), {}));

  ASSERT_OK(sink->Rollback(3));  // The open epoch.
  ASSERT_OK(sink->Rollback(2));  // Pre-committed, not published.
  ASSERT_OK(sink->Rollback(2));  // Idempotent.
  EXPECT_TRUE(ListNames(&fs, kPendingDirectory).empty());

  Status published = sink->Rollback(1);
  EXPECT_EQ(published.code(), ErrorCode::kInvariantViolation) << published;

  // The rolled-back rows come again and are published once.
  ASSERT_OK(sink->Write(StreamRows(1, 4), {}));
  ASSERT_OK(sink->PreCommit(3));
  ASSERT_OK(sink->Commit(3));
  EXPECT_EQ(PublishedOutput(&fs), JsonLines(0, 5));
}

TEST(FileSinkTest, RetractionsAreRefusedNamingThePath) {
  MemoryFileSystem fs;
  auto sink = MakeSink(&fs);
  EXPECT_FALSE(sink->accepts_retractions());
  EXPECT_EQ(sink->guarantee(), DeliveryGuarantee::kExactlyOnce);
  ASSERT_OK(sink->Open(1));
  const std::vector<int8_t> inserts = {1, 1};
  ASSERT_OK(sink->Write(StreamRows(0, 2), inserts));
  const std::vector<int8_t> changelog = {1, -1};
  Status status = sink->Write(StreamRows(2, 2), changelog);
  EXPECT_EQ(status.code(), ErrorCode::kConnectorConfig) << status;
  EXPECT_NE(status.message().find(kDirectory), std::string_view::npos) << status;
  // Nothing of the refused batch was written; the epoch goes on.
  ASSERT_OK(sink->PreCommit(1));
  ASSERT_OK(sink->Commit(1));
  EXPECT_EQ(PublishedOutput(&fs), JsonLines(0, 2));
}

TEST(FileSinkTest, CallsOutOfProtocolOrderFail) {
  MemoryFileSystem fs;
  auto sink = MakeSink(&fs);
  EXPECT_EQ(sink->Write(StreamRows(0, 1), {}).code(), ErrorCode::kInvariantViolation);
  EXPECT_EQ(sink->PreCommit(1).code(), ErrorCode::kInvariantViolation);
  EXPECT_EQ(sink->Open(0).code(), ErrorCode::kInvariantViolation);
  ASSERT_OK(sink->Open(5));
  EXPECT_EQ(sink->Open(6).code(), ErrorCode::kInvariantViolation);
  EXPECT_EQ(sink->PreCommit(4).code(), ErrorCode::kInvariantViolation);
  EXPECT_EQ(sink->Commit(5).code(), ErrorCode::kInvariantViolation);  // Still open.
  EXPECT_EQ(sink->Recover(4).code(), ErrorCode::kInvariantViolation);
  const std::vector<int8_t> short_weights = {1};
  EXPECT_EQ(sink->Write(StreamRows(0, 2), short_weights).code(), ErrorCode::kInvariantViolation);
  Batch one_column = MakeBatch(Schema::Make({{"id", DataType::BigInt()}}), {{Value::BigInt(1)}});
  EXPECT_EQ(sink->Write(one_column, {}).code(), ErrorCode::kSchemaMismatch);

  auto recovered = MakeSink(&fs);
  ASSERT_OK(recovered->Recover(3));
  EXPECT_EQ(recovered->Open(3).code(), ErrorCode::kInvariantViolation);
}

TEST(FileSinkTest, AFreshStartRefusesToOverwritePublishedFiles) {
  MemoryFileSystem fs;
  auto sink = MakeSink(&fs);
  ASSERT_OK(sink->Open(1));
  ASSERT_OK(sink->Write(StreamRows(0, 1), {}));
  ASSERT_OK(sink->PreCommit(1));
  ASSERT_OK(sink->Commit(1));
  sink.reset();

  auto fresh = MakeSink(&fs);
  Status status = fresh->Open(1);
  EXPECT_EQ(status.code(), ErrorCode::kFileExists) << status;
  EXPECT_NE(status.message().find("part-00000000000000000001.json"), std::string_view::npos);
  auto later = MakeSink(&fs);
  ASSERT_OK(later->Open(2));  // Epochs above the published ones overwrite nothing.
}

TEST(FileSinkTest, RecoverRefusesOutputPublishedAfterTheRestoredCheckpoint) {
  MemoryFileSystem fs;
  auto sink = MakeSink(&fs);
  ASSERT_OK(sink->Open(1));
  ASSERT_OK(sink->Write(StreamRows(0, 1), {}));
  ASSERT_OK(sink->PreCommit(1));
  ASSERT_OK(sink->Commit(1));
  ASSERT_OK(sink->Write(StreamRows(1, 1), {}));
  ASSERT_OK(sink->PreCommit(2));
  ASSERT_OK(sink->Commit(2));
  sink.reset();

  auto restarted = MakeSink(&fs);
  Status status = restarted->Recover(1);  // An older checkpoint than the published output.
  EXPECT_EQ(status.code(), ErrorCode::kCorruption) << status;
  EXPECT_NE(status.message().find("part-00000000000000000002.json"), std::string_view::npos);
  EXPECT_EQ(PublishedOutput(&fs), JsonLines(0, 2));
}

// ENOSPC and EIO while pre-committing: the error names the file, published files stay as they
// were, the failed epoch is not published, and after a rollback the sink goes on.
struct PreCommitFault {
  FaultOperation operation;
  ErrorCode code;
  const char* path_in_message;  // Relative to kPendingDirectory.
};

class FileSinkPreCommitFaultTest : public testing::TestWithParam<PreCommitFault> {};

TEST_P(FileSinkPreCommitFaultTest, FailsNamingThePathAndLeavesPublishedFilesAlone) {
  const PreCommitFault fault = GetParam();
  MemoryFileSystem memory;
  FaultyFileSystem fs(&memory);
  auto sink = MakeSink(&fs);
  ASSERT_OK(sink->Open(1));
  ASSERT_OK(sink->Write(StreamRows(0, 3), {}));
  ASSERT_OK(sink->PreCommit(1));
  ASSERT_OK(sink->Commit(1));
  const std::string published = ReadOrDie(&fs, PartPath(1));

  ASSERT_OK(sink->Write(StreamRows(3, 2), {}));
  fs.FailNth(fault.operation, 1, fault.code, /*sticky=*/false);
  Status status = sink->PreCommit(2);
  EXPECT_TRUE(fs.tripped());
  EXPECT_EQ(status.code(), fault.code) << status;
  EXPECT_NE(status.message().find(JoinPath(kPendingDirectory, fault.path_in_message)),
            std::string_view::npos)
      << status;
  // The failed epoch stays failed until rolled back.
  EXPECT_EQ(sink->PreCommit(2).code(), fault.code);
  EXPECT_EQ(sink->Write(StreamRows(5, 1), {}).code(), fault.code);
  EXPECT_EQ(PartNames(&fs), std::vector<std::string>{"part-00000000000000000001.json"});
  EXPECT_EQ(ReadOrDie(&fs, PartPath(1)), published);

  ASSERT_OK(sink->Rollback(2));
  EXPECT_TRUE(ListNames(&fs, kPendingDirectory).empty());
  ASSERT_OK(sink->Write(StreamRows(3, 2), {}));
  ASSERT_OK(sink->PreCommit(2));
  ASSERT_OK(sink->Commit(2));
  EXPECT_EQ(PublishedOutput(&fs), JsonLines(0, 5));
}

TEST_P(FileSinkPreCommitFaultTest, RecoverAfterTheFailureKeepsOnlyCommittedOutput) {
  const PreCommitFault fault = GetParam();
  MemoryFileSystem memory;
  FaultyFileSystem fs(&memory);
  auto sink = MakeSink(&fs);
  ASSERT_OK(sink->Open(1));
  ASSERT_OK(sink->Write(StreamRows(0, 3), {}));
  ASSERT_OK(sink->PreCommit(1));
  ASSERT_OK(sink->Commit(1));
  ASSERT_OK(sink->Write(StreamRows(3, 2), {}));
  fs.FailNth(fault.operation, 1, fault.code, /*sticky=*/false);
  EXPECT_EQ(sink->PreCommit(2).code(), fault.code);
  sink.reset();
  memory.DropUnsyncedData();

  auto restarted = MakeSink(&fs);
  ASSERT_OK(restarted->Recover(1));
  EXPECT_TRUE(ListNames(&fs, kPendingDirectory).empty());
  EXPECT_EQ(PublishedOutput(&fs), JsonLines(0, 3));
}

INSTANTIATE_TEST_SUITE_P(
    Faults, FileSinkPreCommitFaultTest,
    testing::Values(PreCommitFault{FaultOperation::kSync, ErrorCode::kNoSpace,
                                   "epoch-00000000000000000002.json.tmp"},
                    PreCommitFault{FaultOperation::kSync, ErrorCode::kIoError,
                                   "epoch-00000000000000000002.json.tmp"},
                    PreCommitFault{FaultOperation::kRename, ErrorCode::kIoError,
                                   "epoch-00000000000000000002.json"},
                    PreCommitFault{FaultOperation::kSyncDirectory, ErrorCode::kIoError,
                                   "epoch-00000000000000000002.json"}));

TEST(FileSinkTest, NoSpaceWhileWritingFailsTheEpochNamingThePath) {
  MemoryFileSystem memory;
  FaultyFileSystem fs(&memory);
  auto sink = MakeSink(&fs);
  ASSERT_OK(sink->Open(1));
  ASSERT_OK(sink->Write(StreamRows(0, 1), {}));
  fs.FailNth(FaultOperation::kAppend, 1, ErrorCode::kNoSpace, /*sticky=*/false);
  Status status = sink->Write(StreamRows(1, 1), {});
  EXPECT_EQ(status.code(), ErrorCode::kNoSpace) << status;
  EXPECT_NE(status.message().find("/out/.pending/epoch-00000000000000000001.json.tmp"),
            std::string_view::npos)
      << status;
  EXPECT_EQ(sink->PreCommit(1).code(), ErrorCode::kNoSpace);
  ASSERT_OK(sink->Rollback(1));
  ASSERT_OK(sink->Write(StreamRows(0, 2), {}));
  ASSERT_OK(sink->PreCommit(1));
  ASSERT_OK(sink->Commit(1));
  EXPECT_EQ(PublishedOutput(&fs), JsonLines(0, 2));
}

TEST(FileSinkTest, CommitFailureIsRepairedByRepeatingIt) {
  MemoryFileSystem memory;
  FaultyFileSystem fs(&memory);
  auto sink = MakeSink(&fs);
  ASSERT_OK(sink->Open(1));
  ASSERT_OK(sink->Write(StreamRows(0, 2), {}));
  ASSERT_OK(sink->PreCommit(1));
  fs.FailNth(FaultOperation::kRename, 1, ErrorCode::kIoError, /*sticky=*/false);
  Status status = sink->Commit(1);
  EXPECT_EQ(status.code(), ErrorCode::kIoError) << status;
  EXPECT_NE(status.message().find("/out/part-00000000000000000001.json"), std::string_view::npos)
      << status;
  EXPECT_TRUE(PartNames(&fs).empty());
  ASSERT_OK(sink->Commit(1));
  EXPECT_EQ(PublishedOutput(&fs), JsonLines(0, 2));
}

// ---------------------------------------------------------------------------------------------
// Formats

TEST(FileSinkTest, CsvHasAHeaderAndQuotesPerRfc4180) {
  MemoryFileSystem fs;
  auto schema = Schema::Make({{"id", DataType::BigInt()},
                              {"text", DataType::Varchar()},
                              {"odd, \"name\"", DataType::Double()}});
  auto sink = MakeSink(&fs, FileSinkFormat::kCsv, schema);
  ASSERT_OK(sink->Open(1));
  ASSERT_OK(sink->Write(
      MakeBatch(
          schema,
          {{Value::BigInt(1), Value::Varchar("plain"), Value::Double(1.5)},
           {Value::BigInt(2), Value::Varchar("a,b"), Value::Double(-0.25)},
           {Value::BigInt(3), Value::Varchar("say \"hi\""), Value::Null(DataType::Double())},
           {Value::BigInt(4), Value::Varchar("two\nlines\r\n"), Value::Double(0)},
           {Value::BigInt(5), Value::Varchar(""), Value::Double(2)},
           {Value::BigInt(6), Value::Null(DataType::Varchar()), Value::Double(std::nan(""))}}),
      {}));
  ASSERT_OK(sink->PreCommit(1));
  ASSERT_OK(sink->Commit(1));
  EXPECT_EQ(PartNames(&fs), std::vector<std::string>{"part-00000000000000000001.csv"});
  EXPECT_EQ(ReadOrDie(&fs, "/out/part-00000000000000000001.csv"),
            "id,text,\"odd, \"\"name\"\"\"\n"
            "1,plain,1.5\n"
            "2,\"a,b\",-0.25\n"
            "3,\"say \"\"hi\"\"\",\n"
            "4,\"two\nlines\r\n\",0\n"
            "5,\"\",2\n"  // The empty string is quoted; NULL is an empty field.
            "6,,NaN\n");
}

TEST(FileSinkTest, JsonWritesEveryType) {
  MemoryFileSystem fs;
  const DataType decimal = *DataType::Decimal(10, 2);
  auto schema = Schema::Make({{"b", DataType::Boolean()},
                              {"ti", DataType::TinyInt()},
                              {"si", DataType::SmallInt()},
                              {"i", DataType::Integer()},
                              {"bi", DataType::BigInt()},
                              {"r", DataType::Real()},
                              {"d", DataType::Double()},
                              {"dec", decimal},
                              {"v", DataType::Varchar()},
                              {"bytes", DataType::Bytea()},
                              {"day", DataType::Date()},
                              {"ts", DataType::Timestamp()},
                              {"tstz", DataType::TimestampTz()},
                              {"iv", DataType::Interval()}});
  std::vector<Value> values = {Value::Boolean(true),
                               Value::TinyInt(-7),
                               Value::SmallInt(300),
                               Value::Integer(-70000),
                               Value::BigInt(9007199254740993),
                               Value::Real(0.1f),
                               Value::Double(std::numeric_limits<double>::infinity()),
                               Value::Decimal(-5, decimal),
                               Value::Varchar("tab\there \"q\""),
                               Value::Bytea(std::string("\x01\xab", 2)),
                               Value::Date(*ParseDate("2024-05-01")),
                               Value::Timestamp(*ParseTimestamp("2024-05-01 09:30:00.25")),
                               Value::TimestampTz(*ParseTimestamp("2024-05-01 09:30:00")),
                               Value::FromInterval(*ParseInterval("1 day 02:00:00"))};
  std::vector<Value> nulls;
  for (const Field& field : schema->fields()) nulls.push_back(Value::Null(field.type));
  auto sink = MakeSink(&fs, FileSinkFormat::kJson, schema);
  ASSERT_OK(sink->Open(1));
  ASSERT_OK(sink->Write(MakeBatch(schema, {values, nulls}), {}));
  ASSERT_OK(sink->PreCommit(1));
  ASSERT_OK(sink->Commit(1));
  EXPECT_EQ(ReadOrDie(&fs, PartPath(1)),
            "{\"b\":true,\"ti\":-7,\"si\":300,\"i\":-70000,\"bi\":9007199254740993,\"r\":0.1,"
            "\"d\":\"Infinity\",\"dec\":-0.05,\"v\":\"tab\\there \\\"q\\\"\","
            "\"bytes\":\"\\\\x01ab\",\"day\":\"2024-05-01\",\"ts\":\"2024-05-01 09:30:00.25\","
            "\"tstz\":\"2024-05-01 09:30:00+00\",\"iv\":\"1 day 02:00:00\"}\n"
            "{\"b\":null,\"ti\":null,\"si\":null,\"i\":null,\"bi\":null,\"r\":null,\"d\":null,"
            "\"dec\":null,\"v\":null,\"bytes\":null,\"day\":null,\"ts\":null,\"tstz\":null,"
            "\"iv\":null}\n");
}

// ---------------------------------------------------------------------------------------------
// Options and the registry

TEST(FileSinkTest, OptionsNeedAPathAndAKnownFormat) {
  Result<FileSinkOptions> parsed = ParseFileSinkOptions({{"path", "/archive"}}, "");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->path, "/archive");
  EXPECT_EQ(parsed->format, FileSinkFormat::kJson);
  parsed = ParseFileSinkOptions({{"path", "/archive"}}, "csv");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->format, FileSinkFormat::kCsv);
  EXPECT_EQ(ParseFileSinkOptions({{"path", "/archive"}}, "JSON")->format, FileSinkFormat::kJson);

  EXPECT_EQ(ParseFileSinkOptions({}, "").status().code(), ErrorCode::kInvalidOption);
  EXPECT_EQ(ParseFileSinkOptions({{"path", ""}}, "").status().code(), ErrorCode::kInvalidOption);
  EXPECT_EQ(ParseFileSinkOptions({{"path", "/a"}, {"topic", "t"}}, "").status().code(),
            ErrorCode::kInvalidOption);
  EXPECT_EQ(ParseFileSinkOptions({{"path", "/a"}}, "AVRO").status().code(),
            ErrorCode::kInvalidOption);
}

TEST(FileSinkTest, TheRegistryCreatesTheFilesSink) {
  MemoryFileSystem fs;
  EXPECT_EQ(AvailableSinkConnectors().count("files"), 1u);
  Result<std::unique_ptr<SinkConnector>> sink =
      CreateSinkConnector("files", {{"path", "/archive"}}, "CSV", RowSchema(), &fs);
  ASSERT_TRUE(sink.ok()) << sink.status();
  EXPECT_EQ((*sink)->Describe(), "files (path = '/archive') FORMAT CSV, exactly once");
  EXPECT_EQ((*sink)->guarantee(), DeliveryGuarantee::kExactlyOnce);
  EXPECT_EQ(CreateSinkConnector("kafka", {}, "", RowSchema(), &fs).status().code(),
            ErrorCode::kNotSupported);
  EXPECT_EQ(CreateSinkConnector("files", {}, "", RowSchema(), &fs).status().code(),
            ErrorCode::kInvalidOption);
}

TEST(FileSinkTest, WorksOnThePosixFileSystem) {
  char pattern[] = "/tmp/laminar_file_sink_test_XXXXXX";
  ASSERT_NE(::mkdtemp(pattern), nullptr);
  const std::string root = pattern;
  FileSystem* fs = FileSystem::Posix();
  const std::string directory = JoinPath(root, "nested/out");
  FileSink sink(FileSinkOptions{directory, FileSinkFormat::kJson}, RowSchema(), fs);
  ASSERT_OK(sink.Open(1));
  ASSERT_OK(sink.Write(StreamRows(0, 3), {}));
  ASSERT_OK(sink.PreCommit(1));
  ASSERT_OK(sink.Commit(1));
  EXPECT_EQ(ReadOrDie(fs, JoinPath(directory, "part-00000000000000000001.json")), JsonLines(0, 3));
  ASSERT_OK(fs->DeleteRecursively(root));
}

// ---------------------------------------------------------------------------------------------
// Randomized crashes: a deterministic stream of rows split into epochs at random points, with
// crashes at random points (between calls, and inside them as a failing file-system
// operation), each followed by a power loss, Recover(the last checkpoint's epoch) and the
// replay of the rows after that checkpoint. The published output must equal a crash-free
// run's, byte for byte.

constexpr int64_t kStreamRows = 120;

struct RunOutcome {
  std::string output;
  int crashes = 0;
};

RunOutcome RunStream(uint64_t seed, FileSinkFormat format, bool crash) {
  std::mt19937_64 random(seed);
  auto chance = [&](int percent) { return static_cast<int>(random() % 100) < percent; };
  MemoryFileSystem memory;
  FaultyFileSystem fs(&memory);

  // The durable checkpoint store: the last published checkpoint's epoch and, per checkpoint,
  // the source position (rows consumed) it recorded.
  uint64_t checkpoint_epoch = 0;
  std::map<uint64_t, int64_t> position_at = {{0, 0}};
  uint64_t highest_epoch =
      0;  // Ids handed out before a crash; the runtime may or may not skip them.
  RunOutcome outcome;
  constexpr int kMaxCrashes = 12;

  for (bool first_start = true;; first_start = false) {
    fs.Heal();
    auto sink = MakeSink(&fs, format);
    const bool may_crash = crash && outcome.crashes < kMaxCrashes;
    if (may_crash && chance(30)) {
      // A crash inside some file-system operation a little later: it fails, and so does
      // everything after it.
      fs.FailNth(FaultOperation::kAny, 1 + static_cast<int>(random() % 12), ErrorCode::kIoError,
                 /*sticky=*/true);
    }
    Status status;
    uint64_t epoch = 1;
    if (first_start) {
      status = sink->Open(epoch);
    } else {
      // The runtime may reuse the ids above the checkpoint or skip them.
      epoch = chance(50) ? checkpoint_epoch + 1 : highest_epoch + 1;
      status = sink->Recover(checkpoint_epoch);
      if (status.ok()) status = sink->Open(epoch);
    }
    int64_t position = position_at[checkpoint_epoch];  // Replay starts after the checkpoint.
    bool finished = false;
    while (status.ok()) {
      highest_epoch = std::max(highest_epoch, epoch);
      if (may_crash && chance(4)) break;  // A crash between two calls.
      if (position < kStreamRows && chance(65)) {
        const int64_t count =
            std::min<int64_t>(kStreamRows - position, 1 + static_cast<int64_t>(random() % 7));
        status = sink->Write(StreamRows(position, count), {});
        position += count;
        continue;
      }
      // The barrier of `epoch` reaches the sink.
      status = sink->PreCommit(epoch);
      if (!status.ok()) break;
      if (position == kStreamRows || chance(80)) {
        // The checkpoint is published: its manifest records the sink's epoch and the source's
        // position, atomically.
        checkpoint_epoch = epoch;
        position_at[epoch] = position;
        if (may_crash && chance(10)) break;  // Published, but Commit never ran.
        status = sink->Commit(epoch);
        if (status.ok() && position == kStreamRows) finished = true;
      }  // Otherwise the checkpoint failed elsewhere; a later one publishes this epoch too.
      epoch += 1 + (chance(20) ? random() % 3 : 0);
      if (finished) break;
    }
    if (finished) break;
    // A crash, injected (then every operation fails from there on) or between two calls.
    if (!status.ok()) {
      EXPECT_TRUE(fs.tripped()) << status;
    }
    ++outcome.crashes;
    if (outcome.crashes > kMaxCrashes + 5) {
      ADD_FAILURE() << "no progress after " << outcome.crashes << " crashes";
      break;
    }
    // The process dies, then the power goes: only what was synced survives.
    sink.reset();
    memory.DropUnsyncedData();
  }
  memory.DropUnsyncedData();
  EXPECT_TRUE(ListNames(&memory, kPendingDirectory).empty());
  outcome.output = PublishedOutput(&memory, /*strip_headers=*/format == FileSinkFormat::kCsv);
  return outcome;
}

TEST(FileSinkTest, RandomCrashesPublishExactlyTheCrashFreeOutput) {
  int total_crashes = 0;
  for (uint64_t seed = 1; seed <= 300; ++seed) {
    const FileSinkFormat format = seed % 3 == 0 ? FileSinkFormat::kCsv : FileSinkFormat::kJson;
    const RunOutcome expected = RunStream(seed, format, /*crash=*/false);
    const RunOutcome crashed = RunStream(seed, format, /*crash=*/true);
    ASSERT_EQ(crashed.output, expected.output) << "seed " << seed;
    if (format == FileSinkFormat::kJson) {
      ASSERT_EQ(expected.output, JsonLines(0, kStreamRows)) << "seed " << seed;
    }
    total_crashes += crashed.crashes;
  }
  EXPECT_GT(total_crashes, 300);  // The test does crash, often.
}

}  // namespace
}  // namespace laminar::connectors
