#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <thread>

#include "columnar/arrow_export.h"
#include "columnar/column_builder.h"
#include "columnar/row_record_test_support.h"
#include "columnar/temporal.h"
#include "laminar/laminardb.h"
#include "runtime/outlet.h"
#include "runtime/source_log.h"
#include "storage/state_io.h"

namespace laminar {
namespace {

std::unique_ptr<LaminarDB> OpenDatabase() {
  auto db = LaminarDB::Open();
  EXPECT_TRUE(db.ok()) << db.status();
  return std::move(*db);
}

void MustExecute(LaminarDB& db, std::string_view sql) {
  auto result = db.Execute(sql);
  ASSERT_TRUE(result.ok()) << result.status() << "\n" << sql;
}

/// Every row of every batch received so far, as "v1|v2|...[weight]".
std::vector<std::string> Drain(Subscription& subscription) {
  std::vector<std::string> rows;
  while (auto batch = subscription.Poll()) {
    for (int64_t r = 0; r < batch->num_rows(); ++r) {
      std::string text;
      for (int c = 0; c < batch->rows.num_columns(); ++c) {
        if (c > 0) text += "|";
        text += batch->rows.column(c).GetValue(r).ToString();
      }
      if (!batch->append_only()) text += fmt::format(" ({:+d})", batch->weight(r));
      rows.push_back(text);
    }
  }
  return rows;
}

constexpr std::string_view kTrades =
    "CREATE SOURCE trades (symbol VARCHAR NOT NULL, price DOUBLE, volume BIGINT, ts TIMESTAMP, "
    "WATERMARK FOR ts AS ts - INTERVAL '1' SECOND)";

TEST(LaminarDBTest, FilterProjectStreamDeliversMatchingRows) {
  auto db = OpenDatabase();
  MustExecute(*db, kTrades);
  MustExecute(*db,
              "CREATE STREAM big AS SELECT symbol, price * 2 AS doubled FROM trades "
              "WHERE price > 100");
  auto subscription = db->Subscribe("big");
  ASSERT_TRUE(subscription.ok()) << subscription.status();
  ASSERT_TRUE(db->Start().ok());
  auto source = db->Source("trades");
  ASSERT_TRUE(source.ok()) << source.status();
  const int64_t ts = *ParseTimestamp("2024-01-01 00:00:00");
  ASSERT_TRUE(source
                  ->Push({Value::Varchar("AAPL"), Value::Double(150), Value::BigInt(10),
                          Value::Timestamp(ts)})
                  .ok());
  ASSERT_TRUE(source
                  ->Push({Value::Varchar("MSFT"), Value::Double(50), Value::BigInt(10),
                          Value::Timestamp(ts)})
                  .ok());
  ASSERT_TRUE(source
                  ->Push({Value::Varchar("GOOG"), Value::Double(101), Value::Integer(7),
                          Value::Timestamp(ts + 5)})
                  .ok());
  ASSERT_TRUE(db->Sync().ok());
  EXPECT_EQ(Drain(*subscription), (std::vector<std::string>{"AAPL|300", "GOOG|202"}));
}

// Rows pushed one by one travel as flat records (RowRecord): every type, NULLs, converted
// values and rows too long to fit inside the channel slot arrive as pushed, whichever way they
// were pushed.
TEST(LaminarDBTest, PushedRowsOfEveryTypeArriveAsPushed) {
  auto db = OpenDatabase();
  MustExecute(*db,
              "CREATE SOURCE s (b BOOLEAN, i INT, l BIGINT NOT NULL, d DOUBLE, m DECIMAL(10, 2), "
              "day DATE, ts TIMESTAMP, v VARCHAR, y BYTEA); "
              "CREATE STREAM t AS SELECT * FROM s");
  auto subscription = db->Subscribe("t");
  ASSERT_TRUE(subscription.ok()) << subscription.status();
  auto source = db->Source("s");
  ASSERT_TRUE(source.ok());
  const std::string long_text(1000, 'q');
  const DataType decimal = *DataType::Decimal(10, 2);
  ASSERT_TRUE(source
                  ->Push({Value::Boolean(true), Value::Integer(-7), Value::BigInt(1),
                          Value::Double(2.5), Value::Decimal(Decimal128{12345}, decimal),
                          Value::Date(19000), Value::Timestamp(1'700'000'000'000'000),
                          Value::Varchar("short"), Value::Bytea(std::string("\0\xff", 2))})
                  .ok());
  // Past the slot's inline bytes; INT widened into BIGINT, DATE into TIMESTAMP.
  ASSERT_TRUE(
      source
          ->TryPush(std::vector<Value>{
              Value::Null(DataType::Boolean()), Value::Null(DataType::Integer()), Value::Integer(2),
              Value::Null(DataType::Double()), Value::Null(decimal), Value::Null(DataType::Date()),
              Value::Date(1), Value::Varchar(long_text), Value::Null(DataType::Bytea())})
          .ok());
  ASSERT_TRUE(source
                  ->PushBatch(std::vector<std::vector<Value>>{
                      {Value::Boolean(false), Value::Integer(0), Value::BigInt(3), Value::Double(0),
                       Value::Decimal(Decimal128{-1}, decimal), Value::Date(0), Value::Timestamp(0),
                       Value::Varchar(""), Value::Bytea("")}})
                  .ok());
  ASSERT_TRUE(db->Sync().ok());
  EXPECT_EQ(Drain(*subscription),
            (std::vector<std::string>{
                "true|-7|1|2.5|123.45|2022-01-08|2023-11-14 22:13:20|short|\\x00ff",
                "NULL|NULL|2|NULL|NULL|NULL|1970-01-02 00:00:00|" + long_text + "|NULL",
                "false|0|3|0|-0.01|1970-01-01|1970-01-01 00:00:00||\\x"}));
}

// One-row batches reuse the source's arena once nothing holds the previous one, and a
// subscription moves a batch out when it holds the last reference: batches kept by the
// application, or still queued for another subscription, must keep their rows.
TEST(LaminarDBTest, KeptBatchesSurviveLaterOneRowPushesWithOneOrTwoSubscribers) {
  auto db = OpenDatabase();
  MustExecute(*db,
              "CREATE SOURCE s (name VARCHAR, x BIGINT); "
              "CREATE STREAM t AS SELECT name, x * 10 AS y FROM s WHERE x % 2 = 1");
  auto first = db->Subscribe("t");
  auto subscribed = db->Subscribe("t");
  ASSERT_TRUE(first.ok() && subscribed.ok());
  std::optional<Subscription> second(std::move(*subscribed));
  ASSERT_TRUE(db->Start().ok());
  auto source = db->Source("s");
  ASSERT_TRUE(source.ok());
  // Pushes the odd rows first..last one at a time, keeping each batch `first` receives, and
  // checks them once all are in.
  auto push_and_keep = [&](int64_t from, int64_t to) {
    std::vector<ChangeBatch> kept;
    for (int64_t i = from; i <= to; i += 2) {
      ASSERT_TRUE(source->Push({Value::Varchar(fmt::format("row-{}", i)), Value::BigInt(i)}).ok());
      ASSERT_TRUE(db->Sync().ok());
      std::optional<ChangeBatch> batch = first->Poll();
      ASSERT_TRUE(batch.has_value());
      kept.push_back(std::move(*batch));
    }
    for (size_t k = 0; k < kept.size(); ++k) {
      const int64_t i = from + static_cast<int64_t>(2 * k);
      ASSERT_EQ(kept[k].num_rows(), 1);
      EXPECT_EQ(kept[k].rows.column(0).GetValue(0), Value::Varchar(fmt::format("row-{}", i)));
      EXPECT_EQ(kept[k].rows.column(1).GetValue(0), Value::BigInt(i * 10));
    }
  };
  push_and_keep(1, 9);
  EXPECT_EQ(Drain(*second),
            (std::vector<std::string>{"row-1|10", "row-3|30", "row-5|50", "row-7|70", "row-9|90"}));
  // With one subscription left and nothing kept, the arena and the batches are recycled.
  second.reset();
  for (int64_t i = 11; i <= 15; i += 2) {
    ASSERT_TRUE(source->Push({Value::Varchar(fmt::format("row-{}", i)), Value::BigInt(i)}).ok());
    ASSERT_TRUE(db->Sync().ok());
    EXPECT_EQ(Drain(*first), (std::vector<std::string>{fmt::format("row-{}|{}", i, i * 10)}));
  }
  // One subscription (its batches travel inside the queue's items) keeping every batch: the
  // source's prepared arenas are all held, so each batch gets memory of its own.
  push_and_keep(17, 25);
}

// An outlet with one subscription hands it the batch inside the queue's item; with several,
// one shared batch, moved out by the last subscription to take it.
TEST(OutletTest, OneSubscriptionGetsTheBatchInsideTheItemSeveralShareOne) {
  auto schema = Schema::Make({{"x", DataType::BigInt()}});
  runtime::Outlet outlet("s", schema, false);
  auto batch_of = [&](int64_t x) {
    BatchBuilder builder(schema);
    EXPECT_TRUE(builder.AppendRow(std::vector<Value>{Value::BigInt(x)}).ok());
    return exec::ChangeBatch{*builder.Finish(), {}};
  };
  stream::ChannelOptions options;
  auto first = outlet.Subscribe(options);
  ASSERT_TRUE(first.ok());
  outlet.PublishBatch(batch_of(1));
  std::optional<runtime::StreamItem> item = first->TryPop();
  ASSERT_TRUE(item && item->has_batch());
  EXPECT_TRUE(item->own.has_value());
  EXPECT_EQ(item->batch, nullptr);
  EXPECT_EQ(runtime::TakeStreamBatch(*item).rows.column(0).GetValue(0), Value::BigInt(1));
  // A batch the caller keeps is copied into the item.
  const exec::ChangeBatch kept = batch_of(2);
  outlet.PublishBatch(kept);
  item = first->TryPop();
  ASSERT_TRUE(item && item->own.has_value());
  EXPECT_EQ(item->own->rows.column(0).GetValue(0), Value::BigInt(2));
  EXPECT_EQ(kept.rows.column(0).GetValue(0), Value::BigInt(2));

  auto second = outlet.Subscribe(options);
  ASSERT_TRUE(second.ok());
  outlet.PublishBatch(batch_of(3));
  std::optional<runtime::StreamItem> a = first->TryPop();
  std::optional<runtime::StreamItem> b = second->TryPop();
  ASSERT_TRUE(a && b && a->has_batch() && b->has_batch());
  EXPECT_FALSE(a->own.has_value());
  EXPECT_EQ(a->batch, b->batch) << "one batch shared by both";
  exec::ChangeBatch copied = runtime::TakeStreamBatch(*a);
  a.reset();
  exec::ChangeBatch moved = runtime::TakeStreamBatch(*b);
  EXPECT_EQ(copied.rows.column(0).GetValue(0), Value::BigInt(3));
  EXPECT_EQ(moved.rows.column(0).GetValue(0), Value::BigInt(3));
  // A watermark is an item without a batch.
  outlet.PublishWatermark(42);
  item = first->TryPop();
  ASSERT_TRUE(item.has_value());
  EXPECT_FALSE(item->has_batch());
  EXPECT_EQ(item->watermark, 42);
}

// A pushed row's WAL record is written straight from its RowRecord, byte for byte as the
// record format writes the row's Values (docs/formats/wal.md), and reads back as them.
TEST(SourceLogTest, ARowRecordIsLoggedAsItsValues) {
  auto schema = test_support::AllTypesSchema();
  const std::vector<std::vector<Value>> rows = test_support::AllTypesRows();
  for (const std::vector<Value>& row : rows) {
    runtime::SourceMessage message;
    message.kind = runtime::SourceMessage::Kind::kRow;
    message.producer = 9;
    message.row = test_support::EncodeForTest(*schema, row);
    storage::StateWriter expected;
    expected.U8(1);
    expected.U8(static_cast<uint8_t>(runtime::SourceMessage::Kind::kRow));
    expected.U32(9);
    expected.VarU64(row.size());
    for (const Value& value : row) expected.ValueOf(value);
    const std::string logged = runtime::EncodeSourceMessage(message, *schema);
    EXPECT_EQ(logged, expected.data());
    auto read = runtime::DecodeSourceMessage(logged, schema, "test");
    ASSERT_TRUE(read.ok()) << read.status();
    EXPECT_EQ(test_support::RecordValues(read->row, *schema), row);
  }
}

// A push appends its record gathered: the batch's column buffers are referred to where they
// lie, not copied into the record first, and the parts back to back are the record.
TEST(SourceLogTest, AGatheredRecordIsTheRecordAndRefersToTheBatchBuffers) {
  auto schema = test_support::AllTypesSchema();
  BatchBuilder builder(schema);
  for (int i = 0; i < 100; ++i) {
    for (const std::vector<Value>& row : test_support::AllTypesRows()) {
      ASSERT_TRUE(builder.AppendRow(row).ok());
    }
  }
  const Batch whole = *builder.Finish();
  const auto joined = [](const std::vector<std::string_view>& parts) {
    std::string record;
    for (const std::string_view part : parts) record.append(part);
    return record;
  };
  storage::StateWriter writer;
  std::vector<std::string_view> parts;
  // The whole batch, and a slice of it (columns at an offset, strings whose offsets do not
  // start at zero).
  for (const Batch& batch : {whole, whole.Slice(7, whole.num_rows() - 20)}) {
    runtime::SourceMessage message;
    message.kind = runtime::SourceMessage::Kind::kBatch;
    message.batch = std::make_shared<const Batch>(batch);
    runtime::EncodeSourceMessage(message, *schema, writer, parts);
    EXPECT_TRUE(joined(parts) == runtime::EncodeSourceMessage(message, *schema));
    // The BIGINT column's values are one of the parts, read from the batch itself.
    const Column& bigints = batch.column(4);  // "l", BIGINT NOT NULL.
    const char* values = bigints.values_buffer()->data_as<char>() + bigints.offset() * 8;
    EXPECT_TRUE(std::any_of(parts.begin(), parts.end(), [&](std::string_view part) {
      return part.data() == values && part.size() == static_cast<size_t>(batch.num_rows()) * 8;
    }));
  }
  // The writer is emptied for the next record and keeps its memory.
  const size_t capacity = writer.capacity();
  runtime::SourceMessage watermark;
  watermark.kind = runtime::SourceMessage::Kind::kWatermark;
  watermark.watermark = 42;
  runtime::EncodeSourceMessage(watermark, *schema, writer, parts);
  EXPECT_EQ(joined(parts), runtime::EncodeSourceMessage(watermark, *schema));
  EXPECT_EQ(writer.capacity(), capacity);
}

// The reactor appends rows without checking them again: a WAL record whose row does not fit
// the source's schema fails the replay instead of reaching it.
TEST(SourceLogTest, ARowThatDoesNotFitTheSchemaFailsToDecode) {
  auto schema = Schema::Make({{"name", DataType::Varchar()}, {"x", DataType::BigInt(), false}});
  // A row record as EncodeSourceMessage writes it (docs/formats/wal.md), of any values.
  auto record = [](std::vector<Value> row) {
    storage::StateWriter writer;
    writer.U8(1);  // Record version.
    writer.U8(static_cast<uint8_t>(runtime::SourceMessage::Kind::kRow));
    writer.U32(7);  // Producer.
    writer.VarU64(row.size());
    for (const Value& value : row) writer.ValueOf(value);
    return writer.Release();
  };
  auto fits = runtime::DecodeSourceMessage(
      record({Value::Null(DataType::Varchar()), Value::BigInt(1)}), schema, "test");
  ASSERT_TRUE(fits.ok()) << fits.status();
  EXPECT_EQ(fits->producer, 7u);
  EXPECT_EQ(test_support::RecordValues(fits->row, *schema),
            (std::vector<Value>{Value::Null(DataType::Varchar()), Value::BigInt(1)}));
  auto mistyped =
      runtime::DecodeSourceMessage(record({Value::BigInt(7), Value::BigInt(1)}), schema, "test");
  ASSERT_FALSE(mistyped.ok());
  EXPECT_EQ(mistyped.status().code(), ErrorCode::kCorruption);
  EXPECT_NE(mistyped.status().message().find("column \"name\""), std::string::npos)
      << mistyped.status();
  auto null = runtime::DecodeSourceMessage(
      record({Value::Varchar("a"), Value::Null(DataType::BigInt())}), schema, "test");
  ASSERT_FALSE(null.ok());
  EXPECT_NE(null.status().message().find("BIGINT NOT NULL"), std::string::npos) << null.status();
}

TEST(LaminarDBTest, RowsPushedBeforeStartAreProcessedAfterStart) {
  auto db = OpenDatabase();
  MustExecute(*db, "CREATE SOURCE s (x BIGINT); CREATE STREAM t AS SELECT x + 1 AS y FROM s");
  auto subscription = db->Subscribe("t");
  ASSERT_TRUE(subscription.ok());
  auto source = db->Source("s");
  ASSERT_TRUE(source->Push({Value::BigInt(1)}).ok());
  ASSERT_TRUE(db->Start().ok());
  auto batch = subscription->RecvTimeout(std::chrono::seconds(10));
  ASSERT_TRUE(batch.ok()) << batch.status();
  EXPECT_EQ(batch->rows.column(0).GetValue(0), Value::BigInt(2));
}

TEST(LaminarDBTest, InsertIntoSourceAndStreamOfStream) {
  auto db = OpenDatabase();
  MustExecute(*db,
              "CREATE SOURCE s (x BIGINT, tag VARCHAR);"
              "CREATE STREAM a AS SELECT x, tag FROM s WHERE x % 2 = 0;"
              "CREATE STREAM b AS SELECT x * 10 AS x10 FROM a WHERE tag <> 'skip'");
  auto a = db->Subscribe("a");
  auto b = db->Subscribe("b");
  auto b2 = db->Subscribe("b");
  ASSERT_TRUE(a.ok() && b.ok() && b2.ok());
  ASSERT_TRUE(db->Start().ok());
  MustExecute(*db, "INSERT INTO s VALUES (1, 'x'), (2, 'y'), (4, 'skip'), (6, NULL)");
  ASSERT_TRUE(db->Sync().ok());
  EXPECT_EQ(Drain(*a), (std::vector<std::string>{"2|y", "4|skip", "6|NULL"}));
  // NULL <> 'skip' is NULL: the row is filtered out.
  EXPECT_EQ(Drain(*b), (std::vector<std::string>{"20"}));
  EXPECT_EQ(Drain(*b2), (std::vector<std::string>{"20"}));
}

TEST(LaminarDBTest, UnionAllMergesInputsAndHoldsTheMinimumWatermark) {
  auto db = OpenDatabase();
  MustExecute(*db,
              "CREATE SOURCE l (v BIGINT, ts TIMESTAMP, WATERMARK FOR ts);"
              "CREATE SOURCE r (v BIGINT, ts TIMESTAMP, WATERMARK FOR ts);"
              "CREATE STREAM u AS SELECT v, ts FROM l UNION ALL SELECT v + 100, ts FROM r");
  auto u = db->Subscribe("u");
  ASSERT_TRUE(u.ok());
  auto left = db->Source("l");
  auto right = db->Source("r");
  ASSERT_TRUE(db->Start().ok());
  ASSERT_TRUE(left->Push({Value::BigInt(1), Value::Timestamp(10)}).ok());
  ASSERT_TRUE(right->Push({Value::BigInt(2), Value::Timestamp(20)}).ok());
  ASSERT_TRUE(left->Watermark(1000).ok());
  ASSERT_TRUE(db->Sync().ok());
  auto rows = Drain(*u);
  std::sort(rows.begin(), rows.end());
  EXPECT_EQ(rows.size(), 2u);
  EXPECT_EQ(u->watermark(), exec::kMinWatermark);  // r has no watermark yet.
  ASSERT_TRUE(right->Watermark(500).ok());
  ASSERT_TRUE(db->Sync().ok());
  Drain(*u);
  EXPECT_EQ(u->watermark(), 500);
}

TEST(LaminarDBTest, UnionRowsCarryTheUnionsColumnNames) {
  auto db = OpenDatabase();
  MustExecute(*db,
              "CREATE SOURCE l (v BIGINT); CREATE SOURCE r (w BIGINT);"
              "CREATE STREAM u AS SELECT v FROM l UNION ALL SELECT w FROM r");
  auto u = db->Subscribe("u");
  MustExecute(*db, "INSERT INTO r VALUES (1)");
  ASSERT_TRUE(db->Sync().ok());
  auto batch = u->Poll();
  ASSERT_TRUE(batch.has_value());
  EXPECT_EQ(batch->rows.schema().field(0).name, "v");
}

TEST(LaminarDBTest, ScriptCallbackMayCallBackIntoTheDatabase) {
  auto db = OpenDatabase();
  std::vector<Subscription> subscriptions;
  Status status = db->ExecuteScript(
      "CREATE SOURCE s (x BIGINT); CREATE STREAM t AS SELECT x FROM s; INSERT INTO s VALUES (7)",
      [&](int, const QueryResult& result) {
        if (result.tag == "CREATE STREAM") {
          auto subscription = db->Subscribe(result.object_name);
          if (!subscription.ok()) return subscription.status();
          subscriptions.push_back(std::move(*subscription));
        }
        return db->Sync();
      });
  ASSERT_TRUE(status.ok()) << status;
  ASSERT_EQ(subscriptions.size(), 1u);
  EXPECT_EQ(Drain(subscriptions[0]), (std::vector<std::string>{"7"}));
}

TEST(LaminarDBTest, WatermarkFollowsEventTimeMinusDelay) {
  auto db = OpenDatabase();
  MustExecute(*db, kTrades);
  MustExecute(*db, "CREATE STREAM t AS SELECT symbol, ts FROM trades");
  auto subscription = db->Subscribe("t");
  auto source = db->Source("trades");
  ASSERT_TRUE(db->Start().ok());
  ASSERT_TRUE(source
                  ->Push({Value::Varchar("A"), Value::Double(1), Value::BigInt(1),
                          Value::Timestamp(5'000'000)})
                  .ok());
  ASSERT_TRUE(db->Sync().ok());
  Drain(*subscription);
  EXPECT_EQ(subscription->watermark(), 4'000'000);
  EXPECT_EQ(*db->CurrentWatermark("trades"), 4'000'000);
  ASSERT_TRUE(db->CloseSources("trades").ok());
  ASSERT_TRUE(db->Sync().ok());
  Drain(*subscription);
  EXPECT_EQ(subscription->watermark(), exec::kMaxWatermark);
}

TEST(LaminarDBTest, BadRowsAreRejectedAndEarlierRowsStayIntact) {
  auto db = OpenDatabase();
  MustExecute(*db, kTrades);
  MustExecute(*db, "CREATE STREAM t AS SELECT symbol FROM trades");
  auto subscription = db->Subscribe("t");
  auto source = db->Source("trades");
  ASSERT_TRUE(
      source
          ->Push({Value::Varchar("GOOD"), Value::Double(1), Value::BigInt(1), Value::Timestamp(1)})
          .ok());
  // Wrong arity.
  EXPECT_EQ(source->Push({Value::Varchar("X")}).code(), ErrorCode::kSchemaMismatch);
  // Wrong type.
  EXPECT_EQ(source
                ->Push({Value::Varchar("X"), Value::Varchar("cheap"), Value::BigInt(1),
                        Value::Timestamp(1)})
                .code(),
            ErrorCode::kSchemaMismatch);
  // NULL into NOT NULL.
  EXPECT_EQ(source
                ->Push({Value::Null(DataType::Varchar()), Value::Double(1), Value::BigInt(1),
                        Value::Timestamp(1)})
                .code(),
            ErrorCode::kNullViolation);
  // Same through SQL: the statement fails and inserts nothing.
  auto insert = db->Execute("INSERT INTO trades VALUES (NULL, 1.0, 1, TIMESTAMP '2024-01-01')");
  EXPECT_EQ(insert.status().code(), ErrorCode::kNullViolation) << insert.status();
  // Unknown source.
  EXPECT_EQ(db->Source("nope").status().code(), ErrorCode::kUnknownObject);
  EXPECT_EQ(db->Source("t").status().code(), ErrorCode::kWrongObjectKind);
  ASSERT_TRUE(db->Start().ok());
  ASSERT_TRUE(db->Sync().ok());
  EXPECT_EQ(Drain(*subscription), (std::vector<std::string>{"GOOD"}));
  // After shutdown pushes fail and the subscription ends.
  ASSERT_TRUE(db->Shutdown().ok());
  EXPECT_EQ(
      source
          ->Push({Value::Varchar("LATE"), Value::Double(1), Value::BigInt(1), Value::Timestamp(1)})
          .code(),
      ErrorCode::kClosed);
  EXPECT_EQ(subscription->Recv().status().code(), ErrorCode::kClosed);
  EXPECT_EQ(db->Execute("SHOW SOURCES").status().code(), ErrorCode::kClosed);
}

TEST(LaminarDBTest, ClauseNotExecutableYetFailsAtCreate) {
  auto db = OpenDatabase();
  MustExecute(*db, kTrades);
  auto result = db->Execute(
      "CREATE STREAM counts AS\nSELECT symbol, ntile(4) OVER (PARTITION BY symbol ORDER BY ts)\n"
      "FROM trades");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), ErrorCode::kNotSupported) << result.status();
  EXPECT_EQ(result.status().position().line, 2u) << result.status();
  // Nothing was registered.
  EXPECT_EQ(db->Subscribe("counts").status().code(), ErrorCode::kUnknownObject);
}

TEST(LaminarDBTest, RuntimeErrorStopsTheQueryAndReachesSubscribers) {
  auto db = OpenDatabase();
  MustExecute(*db, "CREATE SOURCE s (x BIGINT); CREATE STREAM q AS SELECT 10 / x AS y FROM s");
  auto subscription = db->Subscribe("q");
  ASSERT_TRUE(db->Start().ok());
  MustExecute(*db, "INSERT INTO s VALUES (5)");
  MustExecute(*db, "INSERT INTO s VALUES (0)");
  ASSERT_TRUE(db->Sync().ok());
  auto first = subscription->Recv();
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->rows.column(0).GetValue(0), Value::BigInt(2));
  auto failed = subscription->Recv();
  EXPECT_EQ(failed.status().code(), ErrorCode::kDivisionByZero) << failed.status();
}

TEST(LaminarDBTest, ClonedHandlesPushFromSeveralThreads) {
  auto db = OpenDatabase();
  MustExecute(*db, "CREATE SOURCE s (producer INT, n BIGINT); CREATE STREAM t AS SELECT * FROM s");
  auto subscription = db->Subscribe("t");
  auto source = db->Source("s");
  ASSERT_TRUE(source.ok());
  // A second Source() call while the first handle lives says to clone.
  EXPECT_EQ(db->Source("s").status().code(), ErrorCode::kInvalidArgument);
  ASSERT_TRUE(db->Start().ok());
  constexpr int kRows = 20000;
  std::vector<std::thread> threads;
  for (int p = 0; p < 3; ++p) {
    SourceHandle handle = source->Clone();
    threads.emplace_back([p, handle = std::move(handle)]() mutable {
      for (int i = 0; i < kRows; ++i) {
        ASSERT_TRUE(handle.Push({Value::Integer(p), Value::BigInt(i)}).ok());
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  ASSERT_TRUE(db->Sync().ok());
  std::vector<int64_t> next(3, 0);
  int64_t total = 0;
  while (auto batch = subscription->Poll()) {
    for (int64_t r = 0; r < batch->num_rows(); ++r) {
      const int p = static_cast<int>(batch->rows.column(0).GetValue(r).integer());
      // Each producer's rows arrive in its own order.
      EXPECT_EQ(batch->rows.column(1).GetValue(r).integer(), next[p]);
      ++next[p];
      ++total;
    }
  }
  EXPECT_EQ(total, 3 * kRows);
}

TEST(LaminarDBTest, PushBatchAndArrow) {
  auto db = OpenDatabase();
  MustExecute(*db,
              "CREATE SOURCE s (x BIGINT NOT NULL, name VARCHAR); "
              "CREATE STREAM t AS SELECT name FROM s WHERE x > 1");
  auto subscription = db->Subscribe("t");
  auto source = db->Source("s");
  std::vector<std::vector<Value>> rows = {{Value::BigInt(1), Value::Varchar("a")},
                                          {Value::BigInt(2), Value::Varchar("b")}};
  ASSERT_TRUE(source->PushBatch(rows).ok());
  // A bad row anywhere rejects the whole batch.
  std::vector<std::vector<Value>> bad = {{Value::BigInt(3), Value::Varchar("c")},
                                         {Value::Null(DataType::BigInt()), Value::Varchar("d")}};
  EXPECT_EQ(source->PushBatch(bad).code(), ErrorCode::kNullViolation);

  BatchBuilder builder(
      Schema::Make({{"a", DataType::BigInt(), false}, {"b", DataType::Varchar(), true}}));
  ASSERT_TRUE(
      builder.AppendRow(std::vector<Value>{Value::BigInt(5), Value::Varchar("arrow")}).ok());
  Batch batch = *builder.Finish();
  ArrowArray array;
  ArrowSchema schema;
  ASSERT_TRUE(ExportBatch(batch, &array).ok());
  ASSERT_TRUE(ExportSchema(batch.schema(), &schema).ok());
  ASSERT_TRUE(source->PushArrow(&array, &schema).ok());
  ASSERT_TRUE(db->Sync().ok());
  EXPECT_EQ(Drain(*subscription), (std::vector<std::string>{"b", "arrow"}));
}

TEST(LaminarDBTest, RejectBackpressureFailsWhenFull) {
  auto db = OpenDatabase();
  MustExecute(*db, "CREATE SOURCE s (x BIGINT) WITH (buffer_size = 2, backpressure = 'reject')");
  auto source = db->Source("s");
  ASSERT_TRUE(source->Push({Value::BigInt(1)}).ok());
  ASSERT_TRUE(source->Push({Value::BigInt(2)}).ok());
  EXPECT_FALSE(source->HasCapacity());
  EXPECT_EQ(source->Push({Value::BigInt(3)}).code(), ErrorCode::kQueueFull);
  EXPECT_EQ(source->TryPush({Value::BigInt(3)}).code(), ErrorCode::kQueueFull);
}

TEST(LaminarDBTest, TablesSupportInsertUpdateDeleteAndAdHocSelect) {
  auto db = OpenDatabase();
  MustExecute(*db,
              "CREATE TABLE instruments (symbol VARCHAR, name VARCHAR, lot INT, "
              "PRIMARY KEY (symbol))");
  MustExecute(*db,
              "INSERT INTO instruments VALUES ('AAPL', 'Apple', 100), ('MSFT', 'Microsoft', 50)");
  // Upsert by key.
  MustExecute(*db, "INSERT INTO instruments VALUES ('AAPL', 'Apple Inc.', 10)");
  auto rows = db->Execute("SELECT symbol, name FROM instruments ORDER BY symbol");
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->rows->num_rows(), 2);
  EXPECT_EQ(rows->rows->column(1).GetValue(0), Value::Varchar("Apple Inc."));
  auto update = db->Execute("UPDATE instruments SET lot = lot * 2 WHERE symbol = 'MSFT'");
  ASSERT_TRUE(update.ok()) << update.status();
  EXPECT_EQ(update->rows_affected, 1);
  auto lot = db->Execute("SELECT lot FROM instruments WHERE symbol = 'MSFT'");
  EXPECT_EQ(lot->rows->column(0).GetValue(0), Value::Integer(100));
  auto key_update = db->Execute("UPDATE instruments SET symbol = 'X'");
  EXPECT_EQ(key_update.status().code(), ErrorCode::kNotSupported);
  MustExecute(*db, "DELETE FROM instruments WHERE lot > 50");
  auto left = db->Execute("SELECT * FROM instruments");
  EXPECT_EQ(left->rows->num_rows(), 1);
  EXPECT_EQ(db->Execute("INSERT INTO instruments VALUES (NULL, 'x', 1)").status().code(),
            ErrorCode::kNullViolation);
  // Ad-hoc SELECT over a stream is refused with a pointer to CREATE STREAM.
  MustExecute(*db, "CREATE SOURCE s (x BIGINT)");
  EXPECT_EQ(db->Execute("SELECT * FROM s").status().code(), ErrorCode::kNotSupported);
}

TEST(LaminarDBTest, ShowDescribeExplainAndSettings) {
  auto db = OpenDatabase();
  MustExecute(*db, kTrades);
  auto show = db->Execute("SHOW SOURCES");
  ASSERT_TRUE(show.ok()) << show.status();
  EXPECT_EQ(show->rows->num_rows(), 1);
  auto describe = db->Execute("DESCRIBE trades");
  ASSERT_TRUE(describe.ok()) << describe.status();
  EXPECT_EQ(describe->rows->num_rows(), 5);  // Four columns and the current watermark.
  auto create = db->Execute("SHOW CREATE SOURCE trades");
  ASSERT_TRUE(create.ok()) << create.status();
  EXPECT_EQ(create->rows->column(0).GetValue(0), Value::Varchar(std::string(kTrades)));
  auto explain = db->Execute("EXPLAIN SELECT 1 + 1");
  ASSERT_TRUE(explain.ok()) << explain.status();
  MustExecute(*db, "SET max_batch_rows = 16");
  auto setting = db->Execute("SHOW max_batch_rows");
  ASSERT_TRUE(setting.ok()) << setting.status();
  EXPECT_EQ(setting->rows->column(0).GetValue(0), Value::Varchar("16"));
  EXPECT_EQ(db->Execute("SET nonsense = 1").status().code(), ErrorCode::kInvalidOption);
  // An in-memory database has nowhere to write a checkpoint.
  EXPECT_EQ(db->Execute("CHECKPOINT").status().code(), ErrorCode::kInvalidConfiguration);
  auto select = db->Execute("SELECT 1 + 2 AS three, 'x' || 'y' AS xy");
  ASSERT_TRUE(select.ok()) << select.status();
  EXPECT_EQ(select->rows->column(0).GetValue(0), Value::Integer(3));
}

TEST(LaminarDBTest, DropClosesSubscriptionsAndCascades) {
  auto db = OpenDatabase();
  MustExecute(*db, "CREATE SOURCE s (x BIGINT); CREATE STREAM t AS SELECT x FROM s");
  auto subscription = db->Subscribe("t");
  auto source = db->Source("s");
  EXPECT_EQ(db->Execute("DROP SOURCE s").status().code(), ErrorCode::kDependentObjects);
  MustExecute(*db, "DROP SOURCE s CASCADE");
  EXPECT_EQ(subscription->Recv().status().code(), ErrorCode::kClosed);
  EXPECT_EQ(source->Push({Value::BigInt(1)}).code(), ErrorCode::kClosed);
  // The name can be reused.
  MustExecute(*db, "CREATE SOURCE s (y VARCHAR)");
}

TEST(LaminarDBTest, ConfigValidation) {
  Config config;
  config.buffer_size = 1000;
  EXPECT_EQ(LaminarDB::Open(config).status().code(), ErrorCode::kInvalidConfiguration);
  config = Config();
  config.wal_mode = WalMode::kSync;
  EXPECT_EQ(LaminarDB::Open(config).status().code(), ErrorCode::kInvalidConfiguration);
  char pattern[] = "/tmp/laminar-config-XXXXXX";
  ASSERT_NE(::mkdtemp(pattern), nullptr);
  config.data_dir = pattern;
  EXPECT_EQ(LaminarDB::Open(config).status().code(), ErrorCode::kInvalidConfiguration);
  config.checkpoint_interval = std::chrono::seconds(1);
  {
    auto durable = LaminarDB::Open(config);  // A valid durable configuration.
    EXPECT_TRUE(durable.ok()) << durable.status();
  }
  std::filesystem::remove_all(pattern);
  config = Config();
  config.checkpoint_s3 = S3Location{};  // Never ignored: without a data_dir it is refused.
  EXPECT_EQ(LaminarDB::Open(config).status().code(), ErrorCode::kInvalidConfiguration);
  auto built = LaminarDB::Builder().BufferSize(1024).MaxBatchRows(64).Open();
  EXPECT_TRUE(built.ok()) << built.status();
  config = Config();
  config.wal_segment_size = 1000;
  auto small = LaminarDB::Open(config);
  EXPECT_EQ(small.status().code(), ErrorCode::kInvalidConfiguration);
  EXPECT_NE(small.status().message().find("wal_segment_size"), std::string::npos) << small.status();
}

TEST(LaminarDBTest, CallbackSubscriptionAndIteration) {
  auto db = OpenDatabase();
  MustExecute(*db, "CREATE SOURCE s (x BIGINT); CREATE STREAM t AS SELECT x FROM s");
  std::atomic<int64_t> seen{0};
  auto callback =
      db->Subscribe("t", [&seen](const ChangeBatch& batch) { seen.fetch_add(batch.num_rows()); });
  ASSERT_TRUE(callback.ok()) << callback.status();
  auto iterated = db->Subscribe("t");
  ASSERT_TRUE(db->Start().ok());
  MustExecute(*db, "INSERT INTO s VALUES (1), (2), (3)");
  ASSERT_TRUE(db->Shutdown().ok());
  int64_t rows = 0;
  for (ChangeBatch& batch : *iterated) rows += batch.num_rows();
  EXPECT_EQ(rows, 3);
  for (int i = 0; i < 500 && seen.load() < 3; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(seen.load(), 3);
}

}  // namespace
}  // namespace laminar

namespace laminar {
namespace {

struct Trade {
  std::string symbol;
  double price = 0;
  int32_t volume = 0;  // Widened to the BIGINT column.
  std::optional<std::string> venue;
  Timestamp ts;
};

TEST(TypedSourceTest, PushesStructsThroughALayout) {
  auto db = OpenDatabase();
  MustExecute(*db,
              "CREATE SOURCE trades (symbol VARCHAR NOT NULL, price DOUBLE, volume BIGINT, "
              "venue VARCHAR, ts TIMESTAMP, note VARCHAR); "
              "CREATE STREAM t AS SELECT * FROM trades");
  const auto layout = RecordLayout<Trade>()
                          .Field("symbol", &Trade::symbol)
                          .Field("price", &Trade::price)
                          .Field("VOLUME", &Trade::volume)
                          .Field("venue", &Trade::venue)
                          .Field("ts", &Trade::ts);
  auto subscription = db->Subscribe("t");
  auto trades = db->Source<Trade>("trades", layout);
  ASSERT_TRUE(trades.ok()) << trades.status();
  ASSERT_TRUE(trades->Push(Trade{"AAPL", 1.5, 10, "XNAS", Timestamp{1'000'000}}).ok());
  std::vector<Trade> more = {Trade{"MSFT", 2.5, 20, std::nullopt, Timestamp{2'000'000}}};
  ASSERT_TRUE(trades->PushBatch(more).ok());
  ASSERT_TRUE(db->Sync().ok());
  EXPECT_EQ(Drain(*subscription),
            (std::vector<std::string>{"AAPL|1.5|10|XNAS|1970-01-01 00:00:01|NULL",
                                      "MSFT|2.5|20|NULL|1970-01-01 00:00:02|NULL"}));
}

TEST(TypedSourceTest, LayoutErrorsAreReportedAtSource) {
  auto db = OpenDatabase();
  MustExecute(*db, "CREATE SOURCE trades (symbol VARCHAR NOT NULL, price DOUBLE)");
  const auto unknown =
      RecordLayout<Trade>().Field("symbol", &Trade::symbol).Field("px", &Trade::price);
  EXPECT_EQ(db->Source<Trade>("trades", unknown).status().code(), ErrorCode::kUnknownColumn);
  const auto missing = RecordLayout<Trade>().Field("price", &Trade::price);
  EXPECT_EQ(db->Source<Trade>("trades", missing).status().code(), ErrorCode::kNullViolation);
}

}  // namespace
}  // namespace laminar

#include "nexmark/generator.h"

namespace laminar {
namespace {

constexpr std::string_view kBidColumns =
    "(auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR, url VARCHAR, "
    "date_time TIMESTAMP, extra VARCHAR, WATERMARK FOR date_time AS date_time - INTERVAL '4' "
    "SECOND)";

TEST(NexmarkSourceTest, GeneratesTheTableAndEndsTheInput) {
  auto db = OpenDatabase();
  MustExecute(*db, fmt::format("CREATE SOURCE bid {} FROM NEXMARK (table = 'bid', events = "
                               "'100000', seed = '3')",
                               kBidColumns));
  MustExecute(*db, "CREATE STREAM q2 AS SELECT auction, price FROM bid WHERE auction % 123 = 0");
  SubscribeOptions options;
  options.capacity = 1 << 16;
  auto subscription = db->Subscribe("q2", options);
  ASSERT_TRUE(subscription.ok());
  ASSERT_TRUE(db->Start().ok());
  ASSERT_TRUE(db->WaitForConnectors().ok());
  ASSERT_TRUE(db->Sync().ok());
  int64_t rows = 0;
  while (auto batch = subscription->Poll()) rows += batch->num_rows();

  nexmark::NexmarkConfig config;
  config.seed = 3;
  Batch expected = *nexmark::GenerateTable(config, nexmark::NexmarkTable::kBid, 0, 100000);
  int64_t matching = 0;
  for (int64_t r = 0; r < expected.num_rows(); ++r) {
    matching += expected.column(0).Values<int64_t>()[r] % 123 == 0;
  }
  EXPECT_GT(matching, 0);
  EXPECT_EQ(rows, matching);
  EXPECT_EQ(subscription->watermark(), exec::kMaxWatermark);
}

// A source may declare some of the table's columns, by name, in any order (the SQL-DIALECT
// example declares three of bid's seven).
TEST(NexmarkSourceTest, ASourceMayDeclareSomeOfTheColumns) {
  auto db = OpenDatabase();
  MustExecute(*db,
              "CREATE SOURCE bid (price BIGINT, auction BIGINT, date_time TIMESTAMP) FROM NEXMARK "
              "(table = 'bid', events = '1000', rate = '1000', seed = '1')");
  SubscribeOptions options;
  options.capacity = 1 << 12;
  auto subscription = db->Subscribe("bid", options);
  ASSERT_TRUE(subscription.ok());
  ASSERT_TRUE(db->Start().ok());
  ASSERT_TRUE(db->WaitForConnectors().ok());
  ASSERT_TRUE(db->Sync().ok());
  std::vector<Batch> batches;
  while (auto batch = subscription->Poll()) batches.push_back(batch->rows);
  nexmark::NexmarkConfig config;
  config.seed = 1;
  config.rate = 1000;
  Batch expected = *nexmark::GenerateTable(config, nexmark::NexmarkTable::kBid, 0, 1000);
  int64_t row = 0;
  for (const Batch& batch : batches) {
    ASSERT_EQ(batch.num_columns(), 3);
    for (int64_t r = 0; r < batch.num_rows(); ++r, ++row) {
      EXPECT_EQ(batch.column(0).Values<int64_t>()[r], expected.column(2).Values<int64_t>()[row]);
      EXPECT_EQ(batch.column(1).Values<int64_t>()[r], expected.column(0).Values<int64_t>()[row]);
      EXPECT_EQ(batch.column(2).Values<int64_t>()[r], expected.column(5).Values<int64_t>()[row]);
    }
  }
  EXPECT_EQ(row, expected.num_rows());
}

TEST(NexmarkSourceTest, OptionsAndSchemaAreCheckedAtCreate) {
  auto db = OpenDatabase();
  EXPECT_EQ(
      db->Execute(fmt::format("CREATE SOURCE bid {} FROM NEXMARK (events = '10')", kBidColumns))
          .status()
          .code(),
      ErrorCode::kInvalidOption);
  EXPECT_EQ(db->Execute(fmt::format("CREATE SOURCE bid {} FROM NEXMARK (table = 'bid', "
                                    "speed = 'fast')",
                                    kBidColumns))
                .status()
                .code(),
            ErrorCode::kInvalidOption);
  EXPECT_EQ(db->Execute("CREATE SOURCE bid (auction BIGINT, price DOUBLE) FROM NEXMARK "
                        "(table = 'bid')")
                .status()
                .code(),
            ErrorCode::kSchemaMismatch);
  EXPECT_EQ(db->Execute("CREATE SOURCE bid (auction BIGINT, cost BIGINT) FROM NEXMARK "
                        "(table = 'bid')")
                .status()
                .code(),
            ErrorCode::kSchemaMismatch);
  // Nothing was registered by the failed statements.
  MustExecute(*db, fmt::format("CREATE SOURCE bid {} FROM NEXMARK (table = 'bid', events = "
                               "'50')",
                               kBidColumns));
}

}  // namespace
}  // namespace laminar
