// Durable databases: checkpoints of the catalog and of every object's state, recovery on Open
// (with fallback to older checkpoints), CHECKPOINT and RESTORE FROM CHECKPOINT.

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "columnar/value.h"
#include "common/error_code.h"
#include "common/file_system.h"
#include "laminar/laminardb.h"
#include "storage/wal/wal_format.h"

namespace laminar {
namespace {

class DurabilityTest : public ::testing::Test {
 public:
  void SetUp() override {
    char pattern[] = "/tmp/laminar-durability-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<LaminarDB> Open() {
    Config config;
    config.data_dir = dir_;
    auto db = LaminarDB::Open(config);
    EXPECT_TRUE(db.ok()) << db.status();
    return db.ok() ? std::move(*db) : nullptr;
  }

  static void Run(LaminarDB& db, std::string_view sql) {
    auto result = db.Execute(sql);
    ASSERT_TRUE(result.ok()) << result.status() << "\n" << sql;
  }

  /// The rows of an ad-hoc query, sorted, as "v1|v2".
  static std::vector<std::string> Rows(LaminarDB& db, std::string_view sql) {
    auto result = db.Execute(sql);
    EXPECT_TRUE(result.ok()) << result.status() << "\n" << sql;
    std::vector<std::string> rows;
    if (!result.ok() || !result->rows) return rows;
    const Batch& batch = *result->rows;
    for (int64_t r = 0; r < batch.num_rows(); ++r) {
      std::string text;
      for (int c = 0; c < batch.num_columns(); ++c) {
        if (c > 0) text += "|";
        text += batch.column(c).GetValue(r).ToString();
      }
      rows.push_back(text);
    }
    std::sort(rows.begin(), rows.end());
    return rows;
  }

  std::string dir_;
};

TEST_F(DurabilityTest, CatalogTablesAndViewsSurviveARestart) {
  {
    auto db = Open();
    ASSERT_NE(db, nullptr);
    Run(*db, "CREATE SOURCE orders (id BIGINT, currency VARCHAR, amount DOUBLE)");
    Run(*db, "CREATE TABLE rates (currency VARCHAR PRIMARY KEY, rate DOUBLE)");
    Run(*db, "INSERT INTO rates VALUES ('EUR', 1.08), ('GBP', 1.27)");
    Run(*db, "CREATE MATERIALIZED VIEW big AS SELECT id, amount FROM orders WHERE amount > 10");
    Run(*db, "INSERT INTO orders VALUES (1, 'EUR', 5), (2, 'EUR', 50), (3, 'GBP', 500)");
    ASSERT_TRUE(db->Shutdown().ok());
  }
  auto db = Open();
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(Rows(*db, "SELECT * FROM rates"), (std::vector<std::string>{"EUR|1.08", "GBP|1.27"}));
  EXPECT_EQ(Rows(*db, "SELECT * FROM big"), (std::vector<std::string>{"2|50", "3|500"}));
  // The source is still open and the view keeps going.
  Run(*db, "INSERT INTO orders VALUES (4, 'GBP', 40)");
  EXPECT_EQ(Rows(*db, "SELECT * FROM big"), (std::vector<std::string>{"2|50", "3|500", "4|40"}));
  Run(*db, "DROP MATERIALIZED VIEW big");
  ASSERT_TRUE(db->Shutdown().ok());
  db = Open();
  ASSERT_NE(db, nullptr);
  EXPECT_FALSE(db->Execute("SELECT * FROM big").ok());
  EXPECT_EQ(Rows(*db, "SELECT currency FROM rates"), (std::vector<std::string>{"EUR", "GBP"}));
}

TEST_F(DurabilityTest, StatementsAreDurableWithoutShutdown) {
  {
    auto db = Open();
    Run(*db, "CREATE TABLE t (k BIGINT PRIMARY KEY, v VARCHAR)");
    Run(*db, "INSERT INTO t VALUES (1, 'a'), (2, 'b')");
    Run(*db, "UPDATE t SET v = 'z' WHERE k = 2");
    db->SimulateCrash();
  }
  auto db = Open();
  EXPECT_EQ(Rows(*db, "SELECT * FROM t"), (std::vector<std::string>{"1|a", "2|z"}));
}

TEST_F(DurabilityTest, CheckpointStatementAndApi) {
  auto db = Open();
  Run(*db, "CREATE TABLE t (k BIGINT PRIMARY KEY)");
  auto first = db->Execute("CHECKPOINT");
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->tag.rfind("CHECKPOINT ", 0), 0u);
  auto id = db->Checkpoint();
  ASSERT_TRUE(id.ok()) << id.status();
  ASSERT_TRUE(id->has_value());
  EXPECT_EQ(fmt::format("CHECKPOINT {}", **id - 1), first->tag);

  auto memory = LaminarDB::Open();
  ASSERT_TRUE(memory.ok());
  auto none = (*memory)->Checkpoint();
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  auto statement = (*memory)->Execute("CHECKPOINT");
  EXPECT_EQ(statement.status().code(), ErrorCode::kInvalidConfiguration);
}

TEST_F(DurabilityTest, RestoreFromCheckpointGoesBack) {
  auto db = Open();
  Run(*db, "CREATE TABLE t (k BIGINT PRIMARY KEY)");
  Run(*db, "INSERT INTO t VALUES (1)");
  auto id = db->Checkpoint();
  ASSERT_TRUE(id.ok() && id->has_value());
  Run(*db, "INSERT INTO t VALUES (2)");
  Run(*db, "CREATE TABLE u (x BIGINT)");
  EXPECT_EQ(Rows(*db, "SELECT * FROM t"), (std::vector<std::string>{"1", "2"}));
  Run(*db, fmt::format("RESTORE FROM CHECKPOINT {}", **id));
  EXPECT_EQ(Rows(*db, "SELECT * FROM t"), (std::vector<std::string>{"1"}));
  EXPECT_FALSE(db->Execute("SELECT * FROM u").ok());
  // The restored state is what a restart finds.
  ASSERT_TRUE(db->Shutdown().ok());
  db = Open();
  EXPECT_EQ(Rows(*db, "SELECT * FROM t"), (std::vector<std::string>{"1"}));
  auto missing = db->Execute("RESTORE FROM CHECKPOINT 999");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), ErrorCode::kFileNotFound);
  EXPECT_NE(std::string(missing.status().message()).find("checkpoints kept"), std::string::npos);
}

TEST_F(DurabilityTest, FallsBackToAnOlderCheckpointWhenTheNewestIsDamaged) {
  uint64_t newest = 0;
  {
    auto db = Open();
    Run(*db, "CREATE TABLE t (k BIGINT PRIMARY KEY)");
    Run(*db, "INSERT INTO t VALUES (1)");
    Run(*db, "INSERT INTO t VALUES (2)");
    auto id = db->Checkpoint();
    newest = **id;
    db->SimulateCrash();
  }
  // Flip a byte in the newest checkpoint's state.
  const std::string state = fmt::format("{}/checkpoints/{:020}/state.bin", dir_, newest);
  auto bytes = FileSystem::Posix()->ReadFile(state);
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  (*bytes)[bytes->size() / 2] ^= 0x40;
  ASSERT_TRUE(FileSystem::Posix()->WriteFile(state, *bytes, true).ok());
  auto db = Open();
  ASSERT_NE(db, nullptr);
  // The checkpoint before it (taken after the second INSERT) is the same state.
  EXPECT_EQ(Rows(*db, "SELECT * FROM t"), (std::vector<std::string>{"1", "2"}));
}

TEST_F(DurabilityTest, OpenFailsWhenNoCheckpointCanBeRestored) {
  {
    auto db = Open();
    Run(*db, "CREATE TABLE t (k BIGINT PRIMARY KEY)");
    db->SimulateCrash();
  }
  for (const auto& entry : std::filesystem::directory_iterator(dir_ + "/checkpoints")) {
    ASSERT_TRUE(FileSystem::Posix()
                    ->WriteFile(entry.path().string() + "/MANIFEST.json", "{garbage", true)
                    .ok());
  }
  Config config;
  config.data_dir = dir_;
  auto db = LaminarDB::Open(config);
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), ErrorCode::kCorruption);
}

TEST_F(DurabilityTest, ADataDirectoryHasOneOwner) {
  auto db = Open();
  Config config;
  config.data_dir = dir_;
  auto second = LaminarDB::Open(config);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), ErrorCode::kFileExists);
}

TEST_F(DurabilityTest, StreamsOfStreamsKeepWatermarksAcrossARestart) {
  {
    auto db = Open();
    Run(*db,
        "CREATE SOURCE s (id BIGINT, ts TIMESTAMP, WATERMARK FOR ts AS ts - INTERVAL '1' SECOND)");
    Run(*db, "CREATE STREAM a AS SELECT id, ts FROM s WHERE id > 0");
    Run(*db, "CREATE STREAM b AS SELECT id * 10 AS x, ts FROM a");
    Run(*db, "INSERT INTO s VALUES (1, TIMESTAMP '2024-01-01 00:00:10')");
    ASSERT_TRUE(db->Sync().ok());
    ASSERT_TRUE(db->Shutdown().ok());
  }
  auto db = Open();
  auto watermark = db->CurrentWatermark("b");
  ASSERT_TRUE(watermark.ok()) << watermark.status();
  EXPECT_EQ(FormatTimestamp(*watermark), "2024-01-01 00:00:09");
  auto source = db->DescribeSource("s");
  ASSERT_TRUE(source.ok());
  EXPECT_EQ(source->rows, 1);
}

TEST_F(DurabilityTest, ASyncWalKeepsEveryAcknowledgedPushAcrossACrash) {
  {
    auto db = Open();
    Run(*db,
        "CREATE SOURCE s (id BIGINT, tag VARCHAR) WITH (wal_mode = 'sync', "
        "checkpoint_interval = '1 hour')");
    Run(*db, "CREATE MATERIALIZED VIEW seen AS SELECT id, tag FROM s");
    ASSERT_TRUE(db->Start().ok());
    auto source = db->Source("s");
    ASSERT_TRUE(source.ok());
    ASSERT_TRUE(source->Push({Value::BigInt(1), Value::Varchar("a")}).ok());
    ASSERT_TRUE(db->Checkpoint().ok());
    ASSERT_TRUE(source->Push({Value::BigInt(2), Value::Varchar("b")}).ok());
    auto clone = source->Clone();
    ASSERT_TRUE(clone.Push({Value::BigInt(3), Value::Varchar("c")}).ok());
    Run(*db, "INSERT INTO s VALUES (4, 'd')");
    ASSERT_TRUE(source->Watermark(5).ok());
    // Pushed after the checkpoint, never checkpointed: only the WAL has 2, 3 and 4.
    db->SimulateCrash();
  }
  auto db = Open();
  EXPECT_EQ(Rows(*db, "SELECT * FROM seen"),
            (std::vector<std::string>{"1|a", "2|b", "3|c", "4|d"}));
  auto status = db->DescribeSource("s");
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->rows, 4);
  // And again: the replayed rows are not replayed twice after the next crash.
  Run(*db, "INSERT INTO s VALUES (5, 'e')");
  db->SimulateCrash();
  db.reset();
  db = Open();
  EXPECT_EQ(Rows(*db, "SELECT * FROM seen"),
            (std::vector<std::string>{"1|a", "2|b", "3|c", "4|d", "5|e"}));
}

// A power loss can leave the WAL's last group persisted out of order: a hole, with later
// records of that unsynced group intact after it. The database opens: what came before the
// hole is replayed, the rest of the group is cut away (an async WAL never promised it), and the
// source goes on.
TEST_F(DurabilityTest, AWalGroupPersistedOutOfOrderIsCutAwayAndTheDatabaseOpens) {
  using storage::wal::Frame;
  constexpr int64_t kRows = 1000;
  // The timer may end a group just before the last push: then the last group holds one record
  // and there is no later record to keep, so the run is repeated.
  for (int attempt = 0;; ++attempt) {
    ASSERT_LT(attempt, 5) << "the WAL's last group never held two records after others";
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    {
      auto db = Open();
      Run(*db,
          "CREATE SOURCE s (id BIGINT) WITH (wal_mode = 'async', checkpoint_interval = '1 hour')");
      Run(*db, "CREATE MATERIALIZED VIEW seen AS SELECT id FROM s");
      ASSERT_TRUE(db->Start().ok());
      auto source = db->Source("s");
      ASSERT_TRUE(source.ok());
      for (int64_t id = 1; id <= kRows; ++id) {
        ASSERT_TRUE(source->Push({Value::BigInt(id)}).ok());
        // The first half goes out in earlier groups (the flush interval is 5 ms).
        if (id == kRows / 2) std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
      db->SimulateCrash();
    }  // The WAL's writer writes what was pending, then a closing marker.
    std::string newest;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(dir_ + "/wal")) {
      if (entry.path().extension() == ".log") newest = std::max(newest, entry.path().string());
    }
    ASSERT_FALSE(newest.empty());
    auto read = FileSystem::Posix()->ReadFile(newest);
    ASSERT_TRUE(read.ok()) << read.status();
    std::string contents = *read;
    // The frames: the log ends with the closing marker (then padding, around the page cache).
    std::vector<std::tuple<size_t, Frame::Kind, uint64_t>> frames;  // Offset, kind, marker LSN.
    for (size_t offset = storage::wal::kSegmentHeaderSize; offset < contents.size();) {
      const Frame frame = storage::wal::ParseFrame(contents, offset);
      ASSERT_NE(frame.kind, Frame::Kind::kBad) << newest << " offset " << offset;
      if (frame.kind != Frame::Kind::kPadding) {
        frames.emplace_back(offset, frame.kind, frame.marker_lsn);
      }
      offset += frame.size;
    }
    ASSERT_GE(frames.size(), 3u);
    ASSERT_EQ(std::get<1>(frames.back()), Frame::Kind::kGroupMarker);
    // A power loss before that marker: the last group is the one after the marker before it.
    contents.resize(std::get<0>(frames.back()));
    frames.pop_back();
    size_t group = frames.size();
    while (group > 0 && std::get<1>(frames[group - 1]) != Frame::Kind::kGroupMarker) --group;
    ASSERT_GT(group, 0u);
    // (A loaded machine may also have kept the flusher from writing the first half early.)
    if (frames.size() - group < 2 || std::get<2>(frames[group - 1]) == 1) continue;
    // Its first record never reached the device; the later ones did. (A push of one row is one
    // record, LSN = the row's id.)
    const uint64_t first_lost = std::get<2>(frames[group - 1]);
    const size_t hole = std::get<0>(frames[group]);
    std::fill(contents.begin() + static_cast<ptrdiff_t>(hole),
              contents.begin() + static_cast<ptrdiff_t>(hole + storage::wal::kRecordHeaderSize),
              '\0');
    ASSERT_TRUE(FileSystem::Posix()->WriteFile(newest, contents, /*sync=*/true).ok());

    auto db = Open();
    ASSERT_NE(db, nullptr);
    const std::vector<std::string> seen = Rows(*db, "SELECT id FROM seen");
    EXPECT_EQ(seen.size(), first_lost - 1);
    std::vector<int64_t> ids;
    for (const std::string& row : seen) ids.push_back(std::stoll(row));
    std::sort(ids.begin(), ids.end());
    for (size_t i = 0; i < ids.size(); ++i) ASSERT_EQ(ids[i], static_cast<int64_t>(i + 1));
    Run(*db, "INSERT INTO s VALUES (5000)");
    ASSERT_TRUE(db->Sync().ok());
    EXPECT_EQ(Rows(*db, "SELECT id FROM seen WHERE id = 5000"), std::vector<std::string>{"5000"});
    return;
  }
}

/// The WAL directories under DIR/wal.
std::vector<std::string> WalDirectories(const std::string& dir) {
  std::vector<std::string> names;
  if (!std::filesystem::exists(dir + "/wal")) return names;
  for (const auto& entry : std::filesystem::directory_iterator(dir + "/wal")) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

TEST_F(DurabilityTest, SetWalModeAndTheWalDirectoryFollowTheSource) {
  {
    auto db = Open();
    Run(*db, "SET wal_mode = 'sync'");
    auto mode = db->Execute("SHOW wal_mode");
    ASSERT_TRUE(mode.ok());
    EXPECT_EQ(mode->rows->column(0).GetValue(0), Value::Varchar("sync"));
    Run(*db, "CREATE SOURCE s (id BIGINT)");
    ASSERT_EQ(WalDirectories(dir_).size(), 1u);
    EXPECT_EQ(WalDirectories(dir_)[0].rfind("s-", 0), 0u);
    Run(*db, "CREATE MATERIALIZED VIEW seen AS SELECT id FROM s");
    Run(*db, "INSERT INTO s VALUES (7)");
    // The WAL came from the session's default, which the CREATE statement does not say: the
    // checkpoint records it, so recovery reopens the log and replays the row.
    db->SimulateCrash();
  }
  {
    auto db = Open();
    EXPECT_EQ(Rows(*db, "SELECT * FROM seen"), (std::vector<std::string>{"7"}));
    Run(*db, "DROP SOURCE s CASCADE");
    EXPECT_TRUE(WalDirectories(dir_).empty());
  }
  auto db = Open();
  auto refused = db->Execute(
      "CREATE SOURCE r (id BIGINT) WITH (wal_mode = 'sync', checkpoint_interval = '1 hour', "
      "backpressure = 'drop_oldest')");
  EXPECT_EQ(refused.status().code(), ErrorCode::kInvalidConfiguration);
  auto memory = LaminarDB::Open();
  EXPECT_EQ((*memory)->Execute("SET wal_mode = 'sync'").status().code(),
            ErrorCode::kInvalidConfiguration);
}

TEST_F(DurabilityTest, ARejectedPushIsNotLoggedAndClosedSourcesRefusePushes) {
  {
    Config config;
    config.data_dir = dir_;
    config.buffer_size = 4;
    auto db = LaminarDB::Open(config);
    ASSERT_TRUE(db.ok()) << db.status();
    Run(**db,
        "CREATE SOURCE s (id BIGINT) WITH (wal_mode = 'sync', checkpoint_interval = "
        "'1 hour', backpressure = 'reject')");
    Run(**db, "CREATE MATERIALIZED VIEW seen AS SELECT id FROM s");
    auto source = (*db)->Source("s");  // The reactor is not started: the channel fills up.
    ASSERT_TRUE(source.ok());
    int accepted = 0;
    for (int i = 0; i < 10; ++i) {
      Status pushed = source->Push({Value::BigInt(i)});
      if (pushed.ok()) {
        ++accepted;
      } else {
        EXPECT_EQ(pushed.code(), ErrorCode::kQueueFull);
      }
    }
    EXPECT_LT(accepted, 10);
    ASSERT_TRUE((*db)->Shutdown().ok());
    // After a durable shutdown the source takes nothing more.
    EXPECT_EQ(source->Push({Value::BigInt(99)}).code(), ErrorCode::kClosed);
    (*db)->SimulateCrash();
    db->reset();
    auto reopened = Open();
    // Exactly the accepted rows: none of the refused ones came back from the WAL.
    EXPECT_EQ(Rows(*reopened, "SELECT count(*) FROM seen"),
              (std::vector<std::string>{std::to_string(accepted)}));
  }
}

TEST_F(DurabilityTest, ProducersOfThePreviousRunDoNotHoldTheWatermarkBack) {
  {
    auto db = Open();
    Run(*db,
        "CREATE SOURCE s (id BIGINT, ts TIMESTAMP, WATERMARK FOR ts AS ts - INTERVAL '1' "
        "SECOND) WITH (wal_mode = 'sync', checkpoint_interval = '1 hour')");
    auto first = db->Source("s");
    ASSERT_TRUE(first.ok());
    auto second = first->Clone();
    ASSERT_TRUE(first->Watermark(10'000'000).ok());
    ASSERT_TRUE(second.Watermark(20'000'000).ok());
    ASSERT_TRUE(db->Sync().ok());
    EXPECT_EQ(db->DescribeSource("s")->watermark, 10'000'000);
    db->SimulateCrash();
  }
  auto db = Open();
  ASSERT_TRUE(db->Start().ok());
  EXPECT_EQ(db->DescribeSource("s")->watermark, 10'000'000);
  auto handle = db->Source("s");
  ASSERT_TRUE(handle.ok());
  ASSERT_TRUE(handle->Watermark(50'000'000).ok());
  ASSERT_TRUE(db->Sync().ok());
  EXPECT_EQ(db->DescribeSource("s")->watermark, 50'000'000);
}

TEST_F(DurabilityTest, AFailedOpenWritesNoCheckpoint) {
  {
    auto db = Open();
    Run(*db, "CREATE TABLE t (k BIGINT PRIMARY KEY)");
    Run(*db, "INSERT INTO t VALUES (1)");
    db->SimulateCrash();
  }
  // Every manifest unreadable: Open fails...
  std::map<std::string, std::string> saved;
  for (const auto& entry : std::filesystem::directory_iterator(dir_ + "/checkpoints")) {
    const std::string manifest = entry.path().string() + "/MANIFEST.json";
    saved[manifest] = *FileSystem::Posix()->ReadFile(manifest);
    ASSERT_TRUE(FileSystem::Posix()->WriteFile(manifest, "{garbage", true).ok());
  }
  for (int attempt = 0; attempt < 4; ++attempt) {
    Config config;
    config.data_dir = dir_;
    EXPECT_FALSE(LaminarDB::Open(config).ok());
  }
  // ...and leaves the checkpoints as they were: repaired, they open with the table.
  size_t count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir_ + "/checkpoints")) {
    (void)entry;
    ++count;
  }
  EXPECT_EQ(count, saved.size());
  for (const auto& [path, text] : saved) {
    ASSERT_TRUE(FileSystem::Posix()->WriteFile(path, text, true).ok());
  }
  auto db = Open();
  EXPECT_EQ(Rows(*db, "SELECT * FROM t"), (std::vector<std::string>{"1"}));
}

TEST_F(DurabilityTest, RestoreDiscardsWhatTheWalHeldAfterTheCheckpoint) {
  uint64_t id = 0;
  {
    auto db = Open();
    Run(*db,
        "CREATE SOURCE s (id BIGINT) WITH (wal_mode = 'sync', checkpoint_interval = '1 hour')");
    Run(*db, "CREATE MATERIALIZED VIEW seen AS SELECT id FROM s");
    Run(*db, "INSERT INTO s VALUES (1)");
    ASSERT_TRUE(db->Sync().ok());
    id = **db->Checkpoint();
    Run(*db, "INSERT INTO s VALUES (2)");
    EXPECT_EQ(Rows(*db, "SELECT * FROM seen"), (std::vector<std::string>{"1", "2"}));
    Run(*db, fmt::format("RESTORE FROM CHECKPOINT {}", id));
    EXPECT_EQ(Rows(*db, "SELECT * FROM seen"), (std::vector<std::string>{"1"}));
    Run(*db, "INSERT INTO s VALUES (3)");
    db->SimulateCrash();
  }
  auto db = Open();
  EXPECT_EQ(Rows(*db, "SELECT * FROM seen"), (std::vector<std::string>{"1", "3"}));
}

/// The lines of every published part file in `dir`, in epoch order.
std::vector<std::string> PartLines(const std::string& dir) {
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().filename().string().rfind("part-", 0) == 0) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<std::string> lines;
  for (const std::string& file : files) {
    auto text = FileSystem::Posix()->ReadFile(file);
    if (!text.ok()) continue;
    size_t start = 0;
    for (size_t end; (end = text->find('\n', start)) != std::string::npos; start = end + 1) {
      lines.push_back(text->substr(start, end - start));
    }
  }
  return lines;
}

TEST_F(DurabilityTest, AnExactlyOnceFileSinkPublishesEachRowOnceAcrossACrash) {
  const std::string out = dir_ + "/out";
  {
    auto db = Open();
    Run(*db,
        "CREATE SOURCE s (id BIGINT) WITH (wal_mode = 'sync', checkpoint_interval = '1 hour')");
    Run(*db, fmt::format("CREATE SINK evens INTO FILES (path = '{}') FORMAT JSON WITH (delivery "
                         "= 'exactly_once') AS SELECT id FROM s WHERE id % 2 = 0",
                         out));
    Run(*db, "INSERT INTO s VALUES (1), (2), (4)");
    ASSERT_TRUE(db->Sync().ok());
    // Delivered to the connector but not committed: invisible until a checkpoint.
    EXPECT_TRUE(PartLines(out).empty());
    ASSERT_TRUE(db->Checkpoint().ok());
    EXPECT_EQ(PartLines(out), (std::vector<std::string>{"{\"id\":2}", "{\"id\":4}"}));
    Run(*db, "INSERT INTO s VALUES (6), (7)");
    ASSERT_TRUE(db->Sync().ok());
    db->SimulateCrash();  // 6 is in the sink's open epoch and in the WAL.
  }
  auto db = Open();
  ASSERT_TRUE(db->Checkpoint().ok());
  EXPECT_EQ(PartLines(out), (std::vector<std::string>{"{\"id\":2}", "{\"id\":4}", "{\"id\":6}"}));
}

TEST_F(DurabilityTest, SinkDeliveryIsCheckedAtCreate) {
  {
    // Exactly once needs sources that can replay: a WAL (or a connector).
    auto durable = Open();
    Run(*durable, "CREATE SOURCE plain (k BIGINT)");
    auto unsafe = durable->Execute(fmt::format(
        "CREATE SINK e INTO FILES (path = '{}/e') WITH (delivery = 'exactly_once') AS SELECT k "
        "FROM plain",
        dir_));
    EXPECT_EQ(unsafe.status().code(), ErrorCode::kInvalidConfiguration);
    EXPECT_NE(unsafe.status().ToString().find("plain"), std::string::npos);
  }
  auto memory = LaminarDB::Open();
  ASSERT_TRUE(memory.ok());
  Run(**memory, "CREATE SOURCE s (k BIGINT, v BIGINT)");
  auto exactly = (*memory)->Execute(fmt::format(
      "CREATE SINK a INTO FILES (path = '{}/a') WITH (delivery = 'exactly_once') AS SELECT k "
      "FROM s",
      dir_));
  EXPECT_EQ(exactly.status().code(), ErrorCode::kInvalidConfiguration);
  auto changelog = (*memory)->Execute(fmt::format(
      "CREATE SINK b INTO FILES (path = '{}/b') AS SELECT k, sum(v) FROM s GROUP BY k", dir_));
  EXPECT_EQ(changelog.status().code(), ErrorCode::kNotSupported);
  Run(**memory, "CREATE STREAM ks AS SELECT k FROM s");
  auto in_process = (*memory)->Execute("CREATE SINK c FROM ks WITH (delivery = 'at_least_once')");
  EXPECT_EQ(in_process.status().code(), ErrorCode::kNotSupported);
  // At least once without checkpoints: what reached the sink is published at every Sync.
  Run(**memory, fmt::format("CREATE SINK d INTO FILES (path = '{}/d') AS SELECT k FROM s", dir_));
  Run(**memory, "INSERT INTO s VALUES (1, 10)");
  ASSERT_TRUE((*memory)->Sync().ok());
  EXPECT_EQ(PartLines(dir_ + "/d"), (std::vector<std::string>{"{\"k\":1}"}));
}

uint64_t NewestCheckpoint(const std::string& dir) {
  uint64_t newest = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir + "/checkpoints")) {
    if (std::filesystem::exists(entry.path() / "MANIFEST.json")) {
      newest = std::max<uint64_t>(newest, std::stoull(entry.path().filename().string()));
    }
  }
  return newest;
}

TEST_F(DurabilityTest, PeriodicCheckpointsFollowTheShortestInterval) {
  auto db = Open();
  Run(*db, "CREATE SOURCE s (x BIGINT) WITH (checkpoint_interval = '20 milliseconds')");
  const uint64_t first = NewestCheckpoint(dir_);
  for (int i = 0; i < 500 && NewestCheckpoint(dir_) < first + 2; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_GE(NewestCheckpoint(dir_), first + 2);
}

/// Pushes `rows` rows (`make_row(i)`, in batches of 500) into source `s` of the started `db`
/// from another thread in five parts, while this one takes four checkpoints: part c starts
/// once checkpoint c has been requested and trickles in, a batch every 100 µs, so that
/// batches keep changing the state while each checkpoint writes it, the last one included
/// (recovery starts from it). Then crashes the database. Some checkpoint must have been
/// incremental (more than the barrier's reactor turn).
void IngestWhileCheckpointing(LaminarDB& db, int64_t rows,
                              const std::function<std::vector<Value>(int64_t)>& make_row) {
  constexpr int kCheckpoints = 4;
  auto source = db.Source("s");
  ASSERT_TRUE(source.ok());
  std::atomic<int> started = 0;
  Status pushed;
  std::thread producer([&] {
    std::vector<std::vector<Value>> batch;
    for (int part = 0; part <= kCheckpoints && pushed.ok(); ++part) {
      while (started.load() < part) std::this_thread::yield();
      const int64_t end = rows * (part + 1) / (kCheckpoints + 1);
      for (int64_t i = rows * part / (kCheckpoints + 1); i < end && pushed.ok(); ++i) {
        batch.push_back(make_row(i));
        if (batch.size() == 500 || i + 1 == end) {
          pushed = source->PushBatch(batch);
          batch.clear();
          // A trickle: the batches of a part reach the reactor over ~10 ms, while its
          // checkpoint's slices run, not all before its barrier.
          std::this_thread::sleep_for(std::chrono::microseconds(100));
        }
      }
    }
  });
  int64_t most_turns = 0;
  for (int checkpoint = 1; checkpoint <= kCheckpoints; ++checkpoint) {
    started = checkpoint;
    auto id = db.Checkpoint();
    EXPECT_TRUE(id.ok()) << id.status();
    most_turns = std::max(most_turns, db.LastCheckpoint().reactor_turns);
  }
  producer.join();
  ASSERT_TRUE(pushed.ok()) << pushed;
  // Some state was written in slices: the barrier's turn, then at least one slice (a
  // checkpoint at the barrier alone takes one turn). Which operators snapshot incrementally,
  // and exactly, their own tests check.
  EXPECT_GE(most_turns, 2);
  db.SimulateCrash();
}

/// After a crash that followed IngestWhileCheckpointing: recovery used the newest checkpoint
/// (had it failed to apply, recovery would have fallen back to an older one plus the WAL,
/// and the results alone would not show it).
void ExpectRecoveredFromNewest(LaminarDB& db, const std::string& dir) {
  EXPECT_EQ(db.RecoveredCheckpoint(), std::optional<uint64_t>(NewestCheckpoint(dir)));
}

/// After recovery: pushes `row` into source `s` of a started database (a row far ahead, whose
/// watermark releases what waits) and waits for it to be processed.
void PushAndSync(LaminarDB& db, std::vector<Value> row) {
  auto source = db.Source("s");
  ASSERT_TRUE(source.ok()) << source.status();
  ASSERT_TRUE(source->Push(std::move(row)).ok());
  ASSERT_TRUE(db.Sync().ok());
}

/// Runs `query`, which must return one row of BIGINTs, and compares it with `expected`.
void ExpectOneRow(LaminarDB& db, std::string_view query, const std::vector<int64_t>& expected) {
  auto result = db.Execute(query);
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_TRUE(result->rows.has_value());
  ASSERT_EQ(result->rows->num_rows(), 1);
  ASSERT_EQ(result->rows->num_columns(), static_cast<int>(expected.size()));
  for (size_t c = 0; c < expected.size(); ++c) {
    EXPECT_EQ(result->rows->column(static_cast<int>(c)).GetValue(0).integer(), expected[c])
        << query << ", column " << c;
  }
}

/// Compares rows of `batch` (key columns first, then count and sum) with `expected`.
void ExpectCountsAndSums(
    const Batch& batch, int key_columns,
    const std::map<std::vector<int64_t>, std::pair<int64_t, int64_t>>& expected) {
  ASSERT_EQ(batch.num_rows(), static_cast<int64_t>(expected.size()));
  int64_t wrong = 0;
  for (int64_t r = 0; r < batch.num_rows(); ++r) {
    std::vector<int64_t> key;
    for (int c = 0; c < key_columns; ++c) key.push_back(batch.column(c).GetValue(r).integer());
    auto it = expected.find(key);
    if (it == expected.end() ||
        batch.column(key_columns).GetValue(r).integer() != it->second.first ||
        batch.column(key_columns + 1).GetValue(r).integer() != it->second.second) {
      ++wrong;
    }
  }
  EXPECT_EQ(wrong, 0);
}

// The WAL is cut behind checkpoints: once the oldest kept checkpoint (of 3) has consumed a
// segment's records, the segment is deleted; what a kept checkpoint still needs stays, and a
// restart recovers every row.
TEST_F(DurabilityTest, WalSegmentsBehindTheKeptCheckpointsAreDeleted) {
  for (const std::string_view mode : {"sync", "async"}) {
    SCOPED_TRACE(mode);
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    Config config;
    config.data_dir = dir_;
    config.wal_segment_size = 64 << 10;
    auto list_segments = [this] {
      std::vector<std::string> segments;
      for (const auto& entry : std::filesystem::recursive_directory_iterator(dir_ + "/wal")) {
        if (entry.path().extension() == ".log") segments.push_back(entry.path().filename());
      }
      std::sort(segments.begin(), segments.end());
      return segments;
    };
    constexpr int kRounds = 6;
    constexpr int kRowsPerRound = 2000;  // About 100 KiB of WAL a round: a segment or two.
    {
      auto opened = LaminarDB::Open(config);
      ASSERT_TRUE(opened.ok()) << opened.status();
      auto& db = **opened;
      Run(db, fmt::format("CREATE SOURCE s (k BIGINT, pad VARCHAR) WITH (wal_mode = '{}', "
                          "checkpoint_interval = '1 hour')",
                          mode));
      Run(db, "CREATE MATERIALIZED VIEW totals AS SELECT count(*) AS n, sum(k) AS total FROM s");
      ASSERT_TRUE(db.Start().ok());
      auto source = db.Source("s");
      ASSERT_TRUE(source.ok()) << source.status();
      std::vector<std::string> before_last_rounds;
      for (int round = 0; round < kRounds; ++round) {
        std::vector<std::vector<Value>> rows;
        for (int i = 0; i < kRowsPerRound; ++i) {
          rows.push_back(
              {Value::BigInt(round * kRowsPerRound + i), Value::Varchar(std::string(40, 'p'))});
          if (rows.size() == 100) {
            ASSERT_TRUE(source->PushBatch(rows).ok());
            rows.clear();
          }
        }
        ASSERT_TRUE(db.Sync().ok());
        auto id = db.Checkpoint();
        ASSERT_TRUE(id.ok()) << id.status();
        if (round == 1) before_last_rounds = list_segments();
      }
      const std::vector<std::string> after = list_segments();
      // Segments were made, and those of the first two rounds, behind all 3 kept checkpoints
      // (rounds 4 to 6), are gone; what the kept checkpoints need (about three rounds, two
      // segments each) stays.
      ASSERT_GE(before_last_rounds.size(), 3u);
      for (const std::string& segment : before_last_rounds) {
        EXPECT_EQ(std::count(after.begin(), after.end(), segment), 0) << segment << " was kept";
      }
      EXPECT_GE(after.size(), 3u);
      EXPECT_LE(after.size(), 10u);
      // One more round after the last checkpoint: recovery needs it from the WAL.
      std::vector<std::vector<Value>> rows;
      for (int i = 0; i < 100; ++i) {
        rows.push_back({Value::BigInt(kRounds * kRowsPerRound + i), Value::Varchar("late")});
      }
      ASSERT_TRUE(source->PushBatch(rows).ok());
      ASSERT_TRUE(db.Sync().ok());
    }
    auto reopened = LaminarDB::Open(config);
    ASSERT_TRUE(reopened.ok()) << reopened.status();
    const int64_t n = kRounds * kRowsPerRound + 100;
    EXPECT_EQ(Rows(**reopened, "SELECT n, total FROM totals"),
              std::vector<std::string>{fmt::format("{}|{}", n, n * (n - 1) / 2)});
  }
}

// Checkpoints taken while a producer keeps pushing into a GROUP BY of many keys: the
// aggregation writes its groups incrementally, between batches, while batches keep updating
// them. After a crash, the newest checkpoint plus the WAL must give exactly every row once.
TEST_F(DurabilityTest, CheckpointsDuringIngestionRecoverEveryRowOnce) {
  constexpr int64_t kKeys = 40'000;
  constexpr int64_t kRows = 240'000;
  std::map<std::vector<int64_t>, std::pair<int64_t, int64_t>> expected;  // k -> (count, sum).
  {
    auto db = Open();
    Run(*db,
        "CREATE SOURCE s (k BIGINT, v BIGINT) WITH (wal_mode = 'async', checkpoint_interval = "
        "'1 hour')");
    Run(*db,
        "CREATE MATERIALIZED VIEW totals AS SELECT k, count(*) AS n, sum(v) AS total FROM s "
        "GROUP BY k");
    ASSERT_TRUE(db->Start().ok());
    IngestWhileCheckpointing(*db, kRows, [](int64_t i) {
      return std::vector<Value>{Value::BigInt((i * 7919) % kKeys), Value::BigInt(i)};
    });
    if (HasFatalFailure()) return;
    for (int64_t i = 0; i < kRows; ++i) {
      auto& [count, sum] = expected[{(i * 7919) % kKeys}];
      ++count;
      sum += i;
    }
  }
  auto db = Open();
  ExpectRecoveredFromNewest(*db, dir_);
  auto result = db->Execute("SELECT k, n, total FROM totals");
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_TRUE(result->rows.has_value());
  ExpectCountsAndSums(*result->rows, 1, expected);
}

// The same for a tumbling window: windows close, and their panes are freed, while checkpoints
// write the groups, the pane index and (EMIT CHANGES) the last emitted results in slices.
// After the crash, the view must hold every closed window's rows exactly once, and under EMIT
// CHANGES the open window's current rows too.
void ExpectWindowsRecoverExactly(DurabilityTest& test, std::string_view emit) {
  SCOPED_TRACE(emit);
  // Each key has two rows in each window, so batches update the groups of the open window as
  // well as adding new ones.
  constexpr int64_t kKeys = 20'000;
  constexpr int64_t kRows = 240'000;
  constexpr int64_t kBase = 1'704'067'200'000'000;  // 2024-01-01.
  constexpr int64_t kStep = 50;                     // Microseconds: 20,000 rows per second.
  constexpr int64_t kWindow = 2'000'000;
  const bool changes = !emit.empty();
  std::map<std::vector<int64_t>, std::pair<int64_t, int64_t>> expected;  // (k, window) -> ...
  {
    auto db = test.Open();
    test.Run(*db,
             "CREATE SOURCE s (k BIGINT, v BIGINT, ts TIMESTAMP, WATERMARK FOR ts AS ts) WITH "
             "(wal_mode = 'async', checkpoint_interval = '1 hour')");
    test.Run(*db, fmt::format("CREATE STREAM windows AS SELECT k, window_start AS w, count(*) "
                              "AS n, sum(v) AS total FROM s GROUP BY k, tumble(ts, INTERVAL "
                              "'2' SECOND) {}",
                              emit));
    test.Run(*db, "CREATE MATERIALIZED VIEW totals AS SELECT k, w, n, total FROM windows");
    // Sums over the changelog: a retraction of a row other than the one emitted shows here
    // (the view above replaces rows by key).
    test.Run(*db,
             "CREATE MATERIALIZED VIEW grand AS SELECT count(*) AS results, sum(n) AS n, "
             "sum(total) AS total FROM windows");
    ASSERT_TRUE(db->Start().ok());
    IngestWhileCheckpointing(*db, kRows, [](int64_t i) {
      return std::vector<Value>{Value::BigInt((i * 7919) % kKeys), Value::BigInt(i),
                                Value::Timestamp(kBase + i * kStep)};
    });
    if (::testing::Test::HasFatalFailure()) return;
    // The watermark ends at the last row's time: the windows ending by then have closed.
    const int64_t watermark = kBase + (kRows - 1) * kStep;
    for (int64_t i = 0; i < kRows; ++i) {
      const int64_t start = kBase + (i * kStep) / kWindow * kWindow;
      if (!changes && start + kWindow > watermark) continue;
      auto& [count, sum] = expected[{(i * 7919) % kKeys, start}];
      ++count;
      sum += i;
    }
  }
  auto db = test.Open();
  ExpectRecoveredFromNewest(*db, test.dir_);
  auto result = db->Execute("SELECT k, w, n, total FROM totals");
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_TRUE(result->rows.has_value());
  ExpectCountsAndSums(*result->rows, 2, expected);
  int64_t rows = 0;
  int64_t total = 0;
  for (const auto& [key, count_and_sum] : expected) {
    rows += count_and_sum.first;
    total += count_and_sum.second;
  }
  auto grand = db->Execute("SELECT results, n, total FROM grand");
  ASSERT_TRUE(grand.ok()) << grand.status();
  ASSERT_TRUE(grand->rows.has_value());
  ASSERT_EQ(grand->rows->num_rows(), 1);
  EXPECT_EQ(grand->rows->column(0).GetValue(0).integer(), static_cast<int64_t>(expected.size()));
  EXPECT_EQ(grand->rows->column(1).GetValue(0).integer(), rows);
  EXPECT_EQ(grand->rows->column(2).GetValue(0).integer(), total);
}

TEST_F(DurabilityTest, CheckpointsOfWindowsDuringIngestionRecoverEveryWindowOnce) {
  ExpectWindowsRecoverExactly(*this, "");
}

TEST_F(DurabilityTest, CheckpointsOfWindowChangesDuringIngestionRecoverEveryResultOnce) {
  ExpectWindowsRecoverExactly(*this, "EMIT CHANGES");
}

// Session windows, checkpointed while rows stream in: every key has a row a second within
// stretches of 2.4 seconds, separated by three seconds without rows, so sessions grow while
// the snapshots write them (and their keys) and close, a stretch at a time, as the watermark
// passes their end. A stretch is what IngestWhileCheckpointing pushes after each checkpoint
// request, so each snapshot also sees new sessions open. After the crash, a row far ahead
// closes every session the recovered state holds: the view must then hold every session once,
// with every row of it.
TEST_F(DurabilityTest, CheckpointsOfSessionsDuringIngestionRecoverEverySessionOnce) {
  constexpr int64_t kKeys = 20'000;
  constexpr int64_t kRows = 240'000;
  constexpr int64_t kStretch = kRows / 5;           // Rows: 2.4 seconds, a part.
  constexpr int64_t kBase = 1'704'067'200'000'000;  // 2024-01-01.
  constexpr int64_t kStep = 50;                     // Microseconds: 20,000 rows per second.
  auto time_of = [](int64_t i) { return kBase + i * kStep + (i / kStretch) * 3'000'000; };
  std::map<std::vector<int64_t>, std::pair<int64_t, int64_t>> expected;  // (k, start) -> ...
  {
    auto db = Open();
    Run(*db,
        "CREATE SOURCE s (k BIGINT, v BIGINT, ts TIMESTAMP, WATERMARK FOR ts AS ts) WITH "
        "(wal_mode = 'async', checkpoint_interval = '1 hour')");
    Run(*db,
        "CREATE STREAM sessions AS SELECT k, window_start AS w, count(*) AS n, sum(v) AS total "
        "FROM s GROUP BY k, session(ts, INTERVAL '1.5' SECOND)");
    Run(*db, "CREATE MATERIALIZED VIEW totals AS SELECT k, w, n, total FROM sessions");
    ASSERT_TRUE(db->Start().ok());
    IngestWhileCheckpointing(*db, kRows, [&](int64_t i) {
      return std::vector<Value>{Value::BigInt((i * 7919) % kKeys), Value::BigInt(i),
                                Value::Timestamp(time_of(i))};
    });
    if (HasFatalFailure()) return;
    // A key's session of a stretch starts at its first row there.
    struct Session {
      int64_t first = -1, last = 0, count = 0, sum = 0;
    };
    std::map<std::pair<int64_t, int64_t>, Session> sessions;  // (k, stretch) -> its rows.
    for (int64_t i = 0; i < kRows; ++i) {
      Session& session = sessions[{(i * 7919) % kKeys, i / kStretch}];
      if (session.first < 0) session.first = i;
      session.last = i;
      ++session.count;
      session.sum += i;
    }
    for (const auto& [key_stretch, session] : sessions) {
      expected[{key_stretch.first, time_of(session.first)}] = {session.count, session.sum};
    }
    ASSERT_EQ(expected.size(), static_cast<size_t>(5 * kKeys));
  }
  auto db = Open();
  ExpectRecoveredFromNewest(*db, dir_);
  ASSERT_TRUE(db->Start().ok());
  // Key -1, a minute after the last row: its own session stays open.
  PushAndSync(*db, {Value::BigInt(-1), Value::BigInt(0),
                    Value::Timestamp(time_of(kRows - 1) + 60'000'000)});
  if (HasFatalFailure()) return;
  auto result = db->Execute("SELECT k, w, n, total FROM totals");
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_TRUE(result->rows.has_value());
  ExpectCountsAndSums(*result->rows, 2, expected);
}

enum class JoinUnderTest { kRegular, kInterval, kAsof };

// A join of the even rows with the odd rows of each key, checkpointed while rows stream in:
// the join writes its stored rows in slices while batches add rows, match stored ones and
// (interval and ASOF joins) evict them. After the crash, a count and sums over every pair ever
// emitted must equal those of the pairs of all rows: none lost, none twice.
void ExpectJoinRecoversExactly(DurabilityTest& test, JoinUnderTest join) {
  const bool interval = join == JoinUnderTest::kInterval;
  const bool asof = join == JoinUnderTest::kAsof;
  SCOPED_TRACE(interval ? "interval join" : asof ? "ASOF join" : "regular join");
  // An odd number of keys: the rows of a key, 19,999 apart, alternate between even and odd.
  constexpr int64_t kKeys = 19'999;
  constexpr int64_t kRows = 240'000;
  constexpr int64_t kBase = 1'704'067'200'000'000;  // 2024-01-01.
  constexpr int64_t kStep = 50;                     // Microseconds between rows.
  constexpr int64_t kBand = 1'000'000;              // Interval join: b.ts - a.ts in [0, 1 s].
  {
    auto db = test.Open();
    test.Run(*db,
             "CREATE SOURCE s (k BIGINT, v BIGINT, ts TIMESTAMP, WATERMARK FOR ts AS ts) WITH "
             "(wal_mode = 'async', checkpoint_interval = '1 hour')");
    test.Run(*db, "CREATE STREAM evens AS SELECT k, v, ts FROM s WHERE v % 2 = 0");
    test.Run(*db, "CREATE STREAM odds AS SELECT k, v, ts FROM s WHERE v % 2 = 1");
    // The regular join keeps every row: nothing expires within the test. In the ASOF join each
    // even row waits (about a second) for the next odd row of its key and the watermark past
    // it; the odd rows stay until no waiting row can choose them.
    if (asof) {
      test.Run(*db,
               "CREATE STREAM pairs AS SELECT a.k, a.v AS av, b.v AS bv FROM evens a ASOF JOIN "
               "odds b ON a.k = b.k AND a.ts <= b.ts");
    } else {
      test.Run(*db, fmt::format(
                        "CREATE STREAM pairs {}AS SELECT a.k, a.v AS av, b.v AS bv FROM "
                        "evens a JOIN odds b ON a.k = b.k{}",
                        interval ? "" : "WITH (state_ttl = '1 hour') ",
                        interval ? " AND b.ts BETWEEN a.ts AND a.ts + INTERVAL '1' SECOND" : ""));
    }
    test.Run(*db,
             "CREATE MATERIALIZED VIEW grand AS SELECT count(*) AS pairs, sum(av) AS a, "
             "sum(bv) AS b FROM pairs");
    ASSERT_TRUE(db->Start().ok());
    IngestWhileCheckpointing(*db, kRows, [](int64_t i) {
      return std::vector<Value>{Value::BigInt((i * 7919) % kKeys), Value::BigInt(i),
                                Value::Timestamp(kBase + i * kStep)};
    });
    if (::testing::Test::HasFatalFailure()) return;
  }
  // The pairs of all rows: row i has key (i * 7919) % kKeys, so the rows of a key are those
  // congruent to one row modulo kKeys. (ASOF: an even row's first odd row of its key at or
  // after it is the row kKeys after it, odd since kKeys is.)
  int64_t pairs = 0;
  int64_t sum_a = 0;
  int64_t sum_b = 0;
  for (int64_t a = 0; a < kRows; a += 2) {
    if (asof) {
      if (a + kKeys < kRows) {
        ++pairs;
        sum_a += a;
        sum_b += a + kKeys;
      }
      continue;
    }
    for (int64_t b = a % kKeys; b < kRows; b += kKeys) {
      if (b % 2 == 0) continue;
      if (interval && (b < a || (b - a) * kStep > kBand)) continue;
      ++pairs;
      sum_a += a;
      sum_b += b;
    }
  }
  ASSERT_GT(pairs, 100'000);
  auto db = test.Open();
  ExpectRecoveredFromNewest(*db, test.dir_);
  if (asof) {
    // An odd row of a key of its own, a minute later: the watermark passes every even row.
    ASSERT_TRUE(db->Start().ok());
    PushAndSync(*db, {Value::BigInt(-1), Value::BigInt(kRows + 1),
                      Value::Timestamp(kBase + kRows * kStep + 60'000'000)});
    if (::testing::Test::HasFatalFailure()) return;
  }
  ExpectOneRow(*db, "SELECT pairs, a, b FROM grand", {pairs, sum_a, sum_b});
}

TEST_F(DurabilityTest, CheckpointsOfARegularJoinDuringIngestionRecoverEveryPairOnce) {
  ExpectJoinRecoversExactly(*this, JoinUnderTest::kRegular);
}

TEST_F(DurabilityTest, CheckpointsOfAnIntervalJoinDuringIngestionRecoverEveryPairOnce) {
  ExpectJoinRecoversExactly(*this, JoinUnderTest::kInterval);
}

TEST_F(DurabilityTest, CheckpointsOfAnAsofJoinDuringIngestionRecoverEveryPairOnce) {
  ExpectJoinRecoversExactly(*this, JoinUnderTest::kAsof);
}

// OVER with a ROWS frame per key, checkpointed while rows stream in: partitions are written
// in slices while batches append rows and watermarks release, emit and evict them. After the
// crash (and a row far ahead that releases every row), each row must have been emitted once,
// with the sum of its value and its key's two rows before.
TEST_F(DurabilityTest, CheckpointsOfOverDuringIngestionRecoverEveryRowOnce) {
  constexpr int64_t kKeys = 19'999;
  constexpr int64_t kRows = 240'000;
  constexpr int64_t kBase = 1'704'067'200'000'000;  // 2024-01-01.
  constexpr int64_t kStep = 50;                     // Microseconds between rows.
  {
    auto db = Open();
    Run(*db,
        "CREATE SOURCE s (k BIGINT, v BIGINT, ts TIMESTAMP, WATERMARK FOR ts AS ts) WITH "
        "(wal_mode = 'async', checkpoint_interval = '1 hour')");
    Run(*db,
        "CREATE STREAM windowed AS SELECT k, v, sum(v) OVER (PARTITION BY k ORDER BY ts ROWS "
        "BETWEEN 2 PRECEDING AND CURRENT ROW) AS w FROM s");
    Run(*db,
        "CREATE MATERIALIZED VIEW grand AS SELECT count(*) AS n, sum(v) AS v, sum(w) AS w FROM "
        "windowed");
    ASSERT_TRUE(db->Start().ok());
    IngestWhileCheckpointing(*db, kRows, [](int64_t i) {
      return std::vector<Value>{Value::BigInt((i * 7919) % kKeys), Value::BigInt(i),
                                Value::Timestamp(kBase + i * kStep)};
    });
    if (HasFatalFailure()) return;
  }
  // The rows of a key are those congruent modulo kKeys: row i's two before are i - kKeys and
  // i - 2 kKeys.
  int64_t sum_v = 0;
  int64_t sum_w = 0;
  for (int64_t i = 0; i < kRows; ++i) {
    sum_v += i;
    sum_w += i + (i >= kKeys ? i - kKeys : 0) + (i >= 2 * kKeys ? i - 2 * kKeys : 0);
  }
  auto db = Open();
  ExpectRecoveredFromNewest(*db, dir_);
  ASSERT_TRUE(db->Start().ok());
  // Key -1, a minute later: the watermark passes every row (the row itself stays unreleased).
  PushAndSync(*db, {Value::BigInt(-1), Value::BigInt(0),
                    Value::Timestamp(kBase + kRows * kStep + 60'000'000)});
  if (HasFatalFailure()) return;
  ExpectOneRow(*db, "SELECT n, v, w FROM grand", {kRows, sum_v, sum_w});
}

}  // namespace
}  // namespace laminar
