// Source watermarks: one watermark per producer (handle, clone, statement channel) and their
// minimum, producers that end or turn idle, the future-skew guard, and lateness that does not
// depend on how rows were batched.

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <optional>
#include <random>

#include "columnar/column_builder.h"
#include "columnar/temporal.h"
#include "laminar/laminardb.h"

namespace laminar {
namespace {

constexpr int64_t kSecond = 1'000'000;
/// 2024-01-01 00:00:00 UTC: where the manual clock of these tests starts.
constexpr int64_t kStart = 1'704'067'200'000'000;

class SourceWatermarkTest : public ::testing::Test {
 protected:
  void Open(std::string_view source_sql) {
    auto db = LaminarDB::Builder().WithClock(&clock_).Open();
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = std::move(*db);
    auto created = db_->Execute(source_sql);
    ASSERT_TRUE(created.ok()) << created.status();
    auto handle = db_->Source("s");
    ASSERT_TRUE(handle.ok()) << handle.status();
    first_.emplace(std::move(*handle));
  }

  /// Pushes (v, ts) through `handle`; ts in seconds after kStart.
  static void Push(SourceHandle& handle, int64_t v, int64_t seconds) {
    ASSERT_TRUE(handle.Push({Value::BigInt(v), Value::Timestamp(kStart + seconds * kSecond)}).ok());
  }

  /// The source's watermark in seconds after kStart, once everything pushed was processed.
  int64_t WatermarkSeconds() {
    EXPECT_TRUE(db_->Sync().ok());
    const int64_t watermark = *db_->CurrentWatermark("s");
    if (watermark == exec::kMinWatermark || watermark == exec::kMaxWatermark) return watermark;
    return (watermark - kStart) / kSecond;
  }

  SourceStatus Status() {
    EXPECT_TRUE(db_->Sync().ok());
    auto status = db_->DescribeSource("s");
    EXPECT_TRUE(status.ok()) << status.status();
    return status.ok() ? *status : SourceStatus{};
  }

  ManualClock clock_{kStart};
  std::unique_ptr<LaminarDB> db_;
  std::optional<SourceHandle> first_;
};

constexpr std::string_view kDelayed =
    "CREATE SOURCE s (v BIGINT, ts TIMESTAMP, WATERMARK FOR ts AS ts - INTERVAL '1' SECOND)";

TEST_F(SourceWatermarkTest, SourceWatermarkIsTheMinimumOverProducers) {
  Open(kDelayed);
  SourceHandle clone = first_->Clone();
  Push(*first_, 1, 5);
  Push(clone, 2, 20);
  EXPECT_EQ(WatermarkSeconds(), 4);
  Push(*first_, 3, 30);
  EXPECT_EQ(WatermarkSeconds(), 19);
  Push(clone, 4, 40);
  EXPECT_EQ(WatermarkSeconds(), 29);
  const SourceStatus status = Status();
  EXPECT_EQ(status.producers, 2);
  EXPECT_EQ(status.idle_producers, 0);
  EXPECT_EQ(status.rows, 4);
  EXPECT_EQ(status.late_rows, 0);
}

TEST_F(SourceWatermarkTest, AProducerJoiningLateDoesNotMoveTheWatermarkBack) {
  Open(kDelayed);
  Push(*first_, 1, 20);
  EXPECT_EQ(WatermarkSeconds(), 19);
  SourceHandle clone = first_->Clone();
  Push(clone, 2, 5);  // Late: the source's watermark never goes back.
  EXPECT_EQ(WatermarkSeconds(), 19);
  EXPECT_EQ(Status().late_rows, 1);
  // The clone now holds the minimum: the first producer alone cannot move it.
  Push(*first_, 3, 50);
  EXPECT_EQ(WatermarkSeconds(), 19);
  Push(clone, 4, 30);
  EXPECT_EQ(WatermarkSeconds(), 29);
}

TEST_F(SourceWatermarkTest, ExplicitWatermarksArePerProducer) {
  Open("CREATE SOURCE s (v BIGINT, ts TIMESTAMP, WATERMARK FOR ts)");
  SourceHandle clone = first_->Clone();
  ASSERT_TRUE(clone.Watermark(kStart + 50 * kSecond).ok());
  ASSERT_TRUE(first_->Watermark(kStart + 100 * kSecond).ok());
  EXPECT_EQ(WatermarkSeconds(), 50);
  ASSERT_TRUE(first_->Watermark(kStart + 200 * kSecond).ok());
  EXPECT_EQ(WatermarkSeconds(), 50);
  ASSERT_TRUE(clone.Watermark(kStart + 150 * kSecond).ok());
  EXPECT_EQ(WatermarkSeconds(), 150);
  // Rows alone give a producer no watermark on such a source: they do not hold it back.
  SourceHandle rows_only = first_->Clone();
  Push(rows_only, 1, 10);
  ASSERT_TRUE(first_->Watermark(kStart + 300 * kSecond).ok());
  ASSERT_TRUE(clone.Watermark(kStart + 300 * kSecond).ok());
  EXPECT_EQ(WatermarkSeconds(), 300);
}

TEST_F(SourceWatermarkTest, InsertStatementsAreAProducerOfTheirOwn) {
  Open(kDelayed);
  ASSERT_TRUE(db_->Execute("INSERT INTO s VALUES (1, TIMESTAMP '2024-01-01 00:00:05')").ok());
  EXPECT_EQ(WatermarkSeconds(), 4);
  Push(*first_, 2, 20);
  EXPECT_EQ(WatermarkSeconds(), 4);
  ASSERT_TRUE(db_->Execute("INSERT INTO s VALUES (3, TIMESTAMP '2024-01-01 00:01:00')").ok());
  EXPECT_EQ(WatermarkSeconds(), 19);
}

TEST_F(SourceWatermarkTest, ADestroyedHandleStopsHoldingTheWatermark) {
  Open(kDelayed);
  {
    SourceHandle clone = first_->Clone();
    Push(clone, 1, 5);
    Push(*first_, 2, 20);
    EXPECT_EQ(WatermarkSeconds(), 4);
    Push(clone, 3, 6);  // Pushed before the handle goes: it still counts under its watermark.
  }
  EXPECT_EQ(WatermarkSeconds(), 19);
  EXPECT_EQ(Status().producers, 1);
  EXPECT_EQ(Status().rows, 3);
  // The first handle too: afterwards a new handle is a new producer.
  first_.reset();
  EXPECT_EQ(Status().producers, 0);
  EXPECT_EQ(WatermarkSeconds(), 19);
  auto again = db_->Source("s");
  ASSERT_TRUE(again.ok()) << again.status();
  Push(*again, 4, 10);  // Late for the source: its watermark stays.
  EXPECT_EQ(WatermarkSeconds(), 19);
  Push(*again, 5, 25);
  EXPECT_EQ(WatermarkSeconds(), 24);
}

TEST_F(SourceWatermarkTest, IdleProducersAreLeftOutOfTheMinimum) {
  Open(
      "CREATE SOURCE s (v BIGINT, ts TIMESTAMP, WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) "
      "WITH (idle_timeout = '5 seconds')");
  SourceHandle clone = first_->Clone();
  Push(*first_, 1, 5);
  Push(clone, 2, 20);
  EXPECT_EQ(WatermarkSeconds(), 4);
  clock_.AdvanceMicros(3 * kSecond);
  Push(clone, 3, 21);
  EXPECT_EQ(WatermarkSeconds(), 4);
  // The first producer has been silent for 5 s of engine time: the clone's watermark rules.
  clock_.AdvanceMicros(2 * kSecond);
  EXPECT_EQ(WatermarkSeconds(), 20);
  SourceStatus status = Status();
  EXPECT_EQ(status.producers, 2);
  EXPECT_EQ(status.idle_producers, 1);
  // Pushing again brings it back; its row is late, and the minimum cannot go back.
  Push(*first_, 4, 7);
  EXPECT_EQ(WatermarkSeconds(), 20);
  EXPECT_EQ(Status().idle_producers, 0);
  EXPECT_EQ(Status().late_rows, 1);
  Push(clone, 5, 40);
  EXPECT_EQ(WatermarkSeconds(), 20);  // Held by the first producer (6 s) again.
  Push(*first_, 6, 30);
  EXPECT_EQ(WatermarkSeconds(), 29);
  // When every producer is idle, the watermark stays where it is.
  clock_.AdvanceMicros(60 * kSecond);
  EXPECT_EQ(WatermarkSeconds(), 29);
  EXPECT_EQ(Status().idle_producers, 2);
  // A watermark call is activity too.
  ASSERT_TRUE(clone.Watermark(kStart + 100 * kSecond).ok());
  EXPECT_EQ(WatermarkSeconds(), 100);
}

TEST_F(SourceWatermarkTest, IdleTimeoutIsNoticedByARunningReactor) {
  Open(
      "CREATE SOURCE s (v BIGINT, ts TIMESTAMP, WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) "
      "WITH (idle_timeout = '1 second')");
  ASSERT_TRUE(db_->Start().ok());
  SourceHandle clone = first_->Clone();
  Push(*first_, 1, 5);
  Push(clone, 2, 20);
  EXPECT_EQ(WatermarkSeconds(), 4);
  clock_.AdvanceMicros(2 * kSecond);
  Push(clone, 3, 21);  // Wakes the reactor; the first producer is idle by now.
  EXPECT_EQ(WatermarkSeconds(), 20);
}

TEST_F(SourceWatermarkTest, RowsFarAheadOfTheClockDoNotAdvanceTheWatermark) {
  Open(kDelayed);  // The default guard: one day.
  Push(*first_, 1, 10);
  EXPECT_EQ(WatermarkSeconds(), 9);
  Push(*first_, 2, 2 * 86'400);  // Two days ahead of the clock: delivered, counted, ignored.
  EXPECT_EQ(WatermarkSeconds(), 9);
  EXPECT_EQ(Status().future_rows, 1);
  EXPECT_EQ(Status().rows, 2);
  Push(*first_, 3, 3600);
  EXPECT_EQ(WatermarkSeconds(), 3599);
}

TEST_F(SourceWatermarkTest, FutureSkewIsConfigurableAndCanBeTurnedOff) {
  Open(
      "CREATE SOURCE s (v BIGINT, ts TIMESTAMP, WATERMARK FOR ts AS ts - INTERVAL '1' SECOND) "
      "WITH (max_future_skew = '1 minute')");
  Push(*first_, 1, 120);
  EXPECT_EQ(WatermarkSeconds(), exec::kMinWatermark);
  EXPECT_EQ(Status().future_rows, 1);
  clock_.AdvanceMicros(120 * kSecond);
  Push(*first_, 2, 150);  // Within a minute of the clock now.
  EXPECT_EQ(WatermarkSeconds(), 149);

  auto none = db_->Execute(
      "CREATE SOURCE off (v BIGINT, ts TIMESTAMP, WATERMARK FOR ts AS ts) "
      "WITH (max_future_skew = 'none')");
  ASSERT_TRUE(none.ok()) << none.status();
  auto off = db_->Source("off");
  ASSERT_TRUE(off.ok());
  Push(*off, 1, 10 * 86'400);
  ASSERT_TRUE(db_->Sync().ok());
  EXPECT_EQ(*db_->CurrentWatermark("off"), kStart + 10 * 86'400 * kSecond);
}

TEST_F(SourceWatermarkTest, BadOptionsFailAtCreateAndRegisterNothing) {
  Open(kDelayed);
  for (std::string_view sql : {
           "CREATE SOURCE bad (ts TIMESTAMP, WATERMARK FOR ts AS ts) WITH (idle_timeout = '0s')",
           "CREATE SOURCE bad (ts TIMESTAMP, WATERMARK FOR ts AS ts) WITH (idle_timeout = 'x')",
           "CREATE SOURCE bad (ts TIMESTAMP, WATERMARK FOR ts AS ts) "
           "WITH (max_future_skew = '1 month')",
       }) {
    auto result = db_->Execute(sql);
    ASSERT_FALSE(result.ok()) << sql;
    EXPECT_GT(result.status().position().line, 0) << result.status();
    EXPECT_EQ(db_->DescribeSource("bad").status().code(), ErrorCode::kUnknownObject);
  }
}

// --- Lateness does not depend on batching ---------------------------------------------------

/// What a subscriber of the stream saw for each row: "v ok" when the row was at or above the
/// last watermark before it, "v late@W" otherwise; then the final watermark.
std::vector<std::string> Observe(Subscription& subscription) {
  std::vector<std::string> seen;
  while (auto batch = subscription.Poll()) {
    const int64_t watermark = subscription.watermark();
    for (int64_t r = 0; r < batch->num_rows(); ++r) {
      const int64_t v = batch->rows.column(0).GetValue(r).integer();
      const Value ts = batch->rows.column(1).GetValue(r);
      const bool late = !ts.is_null() && ts.integer() < watermark;
      seen.push_back(late ? fmt::format("{} late@{}", v, (watermark - kStart) / kSecond)
                          : fmt::format("{} ok", v));
    }
  }
  seen.push_back(fmt::format("final {}", (subscription.watermark() - kStart) / kSecond));
  return seen;
}

/// Event times in seconds (nullopt: NULL) of rows 0, 1, 2, ... under a 2 s delay: in order,
/// disordered within the bound, and late.
const std::vector<std::optional<int64_t>> kEventTimes = {1,  5, 3,  10, 4,  12, 9, 11, std::nullopt,
                                                         20, 2, 21, 19, 30, 27, 1, 31};

std::vector<Value> Row(size_t i) {
  const std::optional<int64_t>& seconds = kEventTimes[i];
  return {
      Value::BigInt(static_cast<int64_t>(i)),
      seconds ? Value::Timestamp(kStart + *seconds * kSecond) : Value::Null(DataType::Timestamp())};
}

enum class Split { kOneRowPerSync, kGatheredRows, kOneBatch, kRandomBatches, kSmallBatchCap };

std::vector<std::string> RunWithSplit(Split split, uint32_t seed) {
  ManualClock clock(kStart);
  auto db = *LaminarDB::Builder().WithClock(&clock).Open();
  EXPECT_TRUE(db->Execute("CREATE SOURCE s (v BIGINT, ts TIMESTAMP, WATERMARK FOR ts AS ts - "
                          "INTERVAL '2' SECOND);"
                          "CREATE STREAM t AS SELECT v, ts FROM s WHERE v >= 0")
                  .ok());
  if (split == Split::kSmallBatchCap) {
    EXPECT_TRUE(db->Execute("SET max_batch_rows = 3").ok());
  }
  auto subscription = db->Subscribe("t");
  EXPECT_TRUE(subscription.ok());
  auto handle = db->Source("s");
  EXPECT_TRUE(handle.ok());
  std::mt19937 random(seed);
  size_t i = 0;
  while (i < kEventTimes.size()) {
    size_t count = 1;
    switch (split) {
      case Split::kOneRowPerSync:
        EXPECT_TRUE(handle->Push(Row(i)).ok());
        EXPECT_TRUE(db->Sync().ok());
        break;
      case Split::kGatheredRows:  // Single-row pushes gathered into one batch by the reactor.
      case Split::kSmallBatchCap:
        EXPECT_TRUE(handle->Push(Row(i)).ok());
        break;
      case Split::kOneBatch:
      case Split::kRandomBatches: {
        count = split == Split::kOneBatch ? kEventTimes.size() : 1 + random() % 5;
        count = std::min(count, kEventTimes.size() - i);
        std::vector<std::vector<Value>> rows;
        for (size_t k = 0; k < count; ++k) rows.push_back(Row(i + k));
        EXPECT_TRUE(handle->PushBatch(std::span<const std::vector<Value>>(rows)).ok());
        break;
      }
    }
    i += count;
  }
  EXPECT_TRUE(db->Sync().ok());
  std::vector<std::string> seen = Observe(*subscription);
  auto status = db->DescribeSource("s");
  EXPECT_TRUE(status.ok());
  seen.push_back(fmt::format("late rows {}", status->late_rows));
  return seen;
}

TEST(SourceWatermarkDeterminismTest, LatenessDependsOnRowOrderNotOnBatching) {
  // One row per push and Sync: each row sees the watermark of all rows before it.
  const std::vector<std::string> expected = RunWithSplit(Split::kOneRowPerSync, 0);
  EXPECT_EQ(expected, (std::vector<std::string>{"0 ok", "1 ok", "2 ok", "3 ok", "4 late@8", "5 ok",
                                                "6 late@10", "7 ok", "8 ok", "9 ok", "10 late@18",
                                                "11 ok", "12 ok", "13 ok", "14 late@28",
                                                "15 late@28", "16 ok", "final 29", "late rows 5"}));
  EXPECT_EQ(RunWithSplit(Split::kGatheredRows, 0), expected);
  EXPECT_EQ(RunWithSplit(Split::kSmallBatchCap, 0), expected);
  EXPECT_EQ(RunWithSplit(Split::kOneBatch, 0), expected);
  for (uint32_t seed = 1; seed <= 20; ++seed) {
    EXPECT_EQ(RunWithSplit(Split::kRandomBatches, seed), expected) << "seed " << seed;
  }
}

TEST(SourceWatermarkDeterminismTest, OperatorsReportTheirWatermarksInDescribe) {
  ManualClock clock(kStart);
  auto db = *LaminarDB::Builder().WithClock(&clock).Open();
  ASSERT_TRUE(db->Execute("CREATE SOURCE s (v BIGINT, ts TIMESTAMP, WATERMARK FOR ts);"
                          "CREATE STREAM t AS SELECT v FROM s WHERE v > 0")
                  .ok());
  auto handle = db->Source("s");
  ASSERT_TRUE(handle->Watermark(kStart + 5 * kSecond).ok());
  ASSERT_TRUE(db->Sync().ok());
  auto describe = db->Execute("DESCRIBE t");
  ASSERT_TRUE(describe.ok()) << describe.status();
  const Batch& rows = *describe->rows;
  ASSERT_EQ(rows.num_rows(), 2);
  EXPECT_EQ(rows.column(0).GetValue(1).ToString(), "(operator 0)");
  EXPECT_EQ(rows.column(3).GetValue(1).ToString(),
            "watermark in: 2024-01-01 00:00:05; out: 2024-01-01 00:00:05");
}

}  // namespace
}  // namespace laminar
