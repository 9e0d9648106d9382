#include "columnar/batch.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "columnar/column_builder.h"
#include "columnar/row_record_test_support.h"

namespace laminar {
namespace {

std::shared_ptr<const Schema> TradeSchema() {
  return Schema::Make({{"symbol", DataType::Varchar(), false},
                       {"price", DataType::Double(), true},
                       {"ts", DataType::Timestamp(), false}});
}

TEST(BatchBuilderTest, AppendsRowsAndFinishes) {
  BatchBuilder builder(TradeSchema());
  ASSERT_TRUE(builder
                  .AppendRow(std::vector<Value>{Value::Varchar("AAPL"), Value::Double(150.5),
                                                Value::Timestamp(1000)})
                  .ok());
  ASSERT_TRUE(
      builder
          .AppendRow(std::vector<Value>{Value::Varchar("MSFT"), Value::Null(DataType::Double()),
                                        Value::Timestamp(2000)})
          .ok());
  auto batch = builder.Finish();
  ASSERT_TRUE(batch.ok()) << batch.status();
  EXPECT_EQ(batch->num_rows(), 2);
  EXPECT_EQ(batch->num_columns(), 3);
  EXPECT_EQ(batch->column(0).GetValue(1), Value::Varchar("MSFT"));
  EXPECT_TRUE(batch->column(1).IsNull(1));
  EXPECT_TRUE(batch->Validate().ok());
  EXPECT_EQ(builder.num_rows(), 0);
}

TEST(BatchBuilderTest, BadRowsAreRejectedAndLeaveEarlierRowsIntact) {
  BatchBuilder builder(TradeSchema());
  ASSERT_TRUE(
      builder
          .AppendRow(std::vector<Value>{Value::Varchar("A"), Value::Double(1), Value::Timestamp(1)})
          .ok());
  EXPECT_EQ(builder.AppendRow(std::vector<Value>{Value::Varchar("A")}).code(),
            ErrorCode::kSchemaMismatch);
  EXPECT_EQ(builder
                .AppendRow(std::vector<Value>{Value::Varchar("A"), Value::Varchar("oops"),
                                              Value::Timestamp(1)})
                .code(),
            ErrorCode::kSchemaMismatch);
  EXPECT_EQ(builder
                .AppendRow(std::vector<Value>{Value::Null(DataType::Varchar()), Value::Double(1),
                                              Value::Timestamp(1)})
                .code(),
            ErrorCode::kNullViolation);
  auto batch = builder.Finish();
  ASSERT_TRUE(batch.ok());
  EXPECT_EQ(batch->num_rows(), 1);
  EXPECT_TRUE(batch->Validate().ok());
}

TEST(BatchTest, MakeChecksColumnsAgainstSchema) {
  ColumnBuilder symbols(DataType::Varchar());
  ASSERT_TRUE(symbols.AppendString("A").ok());
  ColumnBuilder prices(DataType::Double());
  prices.AppendFixed(1.0);
  prices.AppendFixed(2.0);
  ColumnBuilder times(DataType::Timestamp());
  times.AppendFixed(int64_t{5});
  auto batch = Batch::Make(TradeSchema(), {symbols.Finish(), prices.Finish(), times.Finish()});
  EXPECT_EQ(batch.status().code(), ErrorCode::kSchemaMismatch) << "row counts differ";

  auto wrong_arity = Batch::Make(TradeSchema(), {});
  EXPECT_EQ(wrong_arity.status().code(), ErrorCode::kSchemaMismatch);

  auto wrong_type = Batch::Make(Schema::Make({{"x", DataType::BigInt()}}),
                                {Column::Nulls(DataType::Integer(), 1)});
  EXPECT_EQ(wrong_type.status().code(), ErrorCode::kSchemaMismatch);

  auto not_null = Batch::Make(Schema::Make({{"x", DataType::BigInt(), false}}),
                              {Column::Nulls(DataType::BigInt(), 1)});
  EXPECT_EQ(not_null.status().code(), ErrorCode::kNullViolation);
}

TEST(BatchTest, EmptyBatchHasTypedColumns) {
  Batch batch = Batch::Empty(TradeSchema());
  EXPECT_EQ(batch.num_rows(), 0);
  EXPECT_EQ(batch.num_columns(), 3);
  EXPECT_EQ(batch.column(2).type(), DataType::Timestamp());
  EXPECT_TRUE(batch.Validate().ok());
}

/// Appends one trade (symbol, price, time 1).
void AppendTrade(BatchBuilder& builder, std::string_view symbol, double price) {
  ASSERT_TRUE(builder
                  .AppendRow(std::vector<Value>{Value::Varchar(std::string(symbol)),
                                                Value::Double(price), Value::Timestamp(1)})
                  .ok());
}

TEST(BatchBuilderTest, SmallBatchesShareOneArenaThatIsRefilledOnlyOnceReleased) {
  BatchBuilder builder(TradeSchema());
  auto append = [&](std::string_view symbol, double price) { AppendTrade(builder, symbol, price); };
  append("AAPL", 1.5);
  Batch first = *builder.Finish();
  // The first batch is still held: the next one must not overwrite its memory.
  append("MSFT", 2.5);
  Batch second = *builder.Finish();
  EXPECT_EQ(first.column(0).GetValue(0), Value::Varchar("AAPL"));
  EXPECT_EQ(first.column(1).GetValue(0), Value::Double(1.5));
  EXPECT_EQ(second.column(0).GetValue(0), Value::Varchar("MSFT"));
  EXPECT_NE(second.column(0).data_buffer()->data(), first.column(0).data_buffer()->data());
  // A column kept alone keeps its whole arena alive and unchanged.
  Column kept = second.column(1);
  first = Batch();
  second = Batch();
  append("IBM", 3.5);
  append("ORCL", 4.5);
  Batch third = *builder.Finish();
  EXPECT_EQ(kept.GetValue(0), Value::Double(2.5));
  EXPECT_EQ(third.column(0).GetValue(1), Value::Varchar("ORCL"));
  EXPECT_TRUE(third.Validate().ok());
}

TEST(BatchBuilderTest, PreparedArenasNeverChangeABatchThatIsStillHeld) {
  BatchBuilder builder(TradeSchema());
  auto make = [&](std::string_view symbol, double price) {
    AppendTrade(builder, symbol, price);
    Batch batch = *builder.Finish();
    builder.PrepareArena();
    return batch;
  };
  // Held batches: the builder alternates with a spare arena, and makes a new one when both
  // are held.
  Batch first = make("AAPL", 1.5);
  Batch second = make("MSFT", 2.5);
  Batch third = make("IBM", 3.5);
  EXPECT_EQ(first.column(0).GetValue(0), Value::Varchar("AAPL"));
  EXPECT_EQ(second.column(0).GetValue(0), Value::Varchar("MSFT"));
  EXPECT_EQ(third.column(1).GetValue(0), Value::Double(3.5));
  // Each batch dropped before the next is made (a subscriber that keeps up): two arenas
  // alternate, each refilled once its batch is gone.
  first = Batch();
  second = Batch();
  third = Batch();
  std::vector<const uint8_t*> memory;
  for (int i = 0; i < 4; ++i) {
    Batch batch = make(fmt::format("S{}", i), i);
    EXPECT_EQ(batch.column(0).GetValue(0), Value::Varchar(fmt::format("S{}", i)));
    EXPECT_TRUE(batch.Validate().ok());
    memory.push_back(batch.column(0).data_buffer()->data());
  }
  EXPECT_NE(memory[0], memory[1]);
  EXPECT_EQ(memory[2], memory[0]);
  EXPECT_EQ(memory[3], memory[1]);
}

// Every type through a RowRecord: the batch equals one built from the Values themselves, and
// the record reads back as those Values.
TEST(BatchBuilderTest, RecordsAppendAsTheirValues) {
  auto schema = test_support::AllTypesSchema();
  const std::vector<std::vector<Value>> rows = test_support::AllTypesRows();
  BatchBuilder from_values(schema);
  BatchBuilder from_records(schema);
  for (const std::vector<Value>& row : rows) {
    ASSERT_TRUE(from_values.AppendRow(row).ok());
    RowRecord record = test_support::EncodeForTest(*schema, row);
    ASSERT_TRUE(record.complete());
    // Moved, as through a channel: a long row's heap block travels, a short one is copied.
    RowRecord moved = std::move(record);
    EXPECT_EQ(test_support::RecordValues(moved, *schema), row);
    ASSERT_TRUE(from_records.HasRoomFor(moved));
    from_records.AppendRecord(moved);
  }
  Batch a = *from_values.Finish();
  Batch b = *from_records.Finish();
  ASSERT_TRUE(b.Validate().ok());
  ASSERT_EQ(b.num_rows(), 3);
  for (int c = 0; c < schema->num_fields(); ++c) {
    EXPECT_EQ(b.column(c).null_count(), a.column(c).null_count()) << c;
    for (int64_t r = 0; r < 3; ++r) {
      EXPECT_EQ(b.column(c).GetValue(r), a.column(c).GetValue(r)) << c << ", " << r;
    }
  }
}

// Rows appended through AppendRow or AppendRecord fit by construction; a column filled
// directly is still checked when the batch is made.
TEST(BatchBuilderTest, BatchesOfDirectlyFilledColumnsAreChecked) {
  BatchBuilder builder(TradeSchema());
  builder.column(0).AppendNull();  // "symbol" is NOT NULL.
  builder.column(1).AppendFixed(1.0);
  builder.column(2).AppendFixed(int64_t{1});
  auto batch = builder.Finish();
  ASSERT_FALSE(batch.ok());
  EXPECT_EQ(batch.status().code(), ErrorCode::kNullViolation);
  // Still checked for the next batch: the caller may keep a column's reference.
  builder.column(0).AppendNull();
  builder.column(1).AppendFixed(2.0);
  builder.column(2).AppendFixed(int64_t{2});
  EXPECT_EQ(builder.Finish().status().code(), ErrorCode::kNullViolation);
}

// A record is refilled for each row (Start), whether it last held a long row or a short one.
TEST(BatchBuilderTest, ARecordIsReusedAcrossRows) {
  auto schema = TradeSchema();
  BatchBuilder builder(schema);
  RowRecord record;
  const std::vector<std::vector<Value>> rows = {
      {Value::Varchar("A"), Value::Double(1), Value::Timestamp(1)},
      {Value::Varchar(std::string(500, 'z')), Value::Null(DataType::Double()), Value::Timestamp(2)},
      {Value::Varchar("C"), Value::Double(3), Value::Timestamp(3)}};
  for (const std::vector<Value>& row : rows) {
    record.Start(3);
    for (int c = 0; c < 3; ++c) ASSERT_TRUE(record.AppendValue(row[c], schema->field(c).type));
    EXPECT_EQ(test_support::RecordValues(record, *schema), row);
    builder.AppendRecord(record);
  }
  EXPECT_EQ(record.string_bytes(), 1u);
  Batch batch = *builder.Finish();
  for (int64_t r = 0; r < 3; ++r) {
    for (int c = 0; c < 3; ++c) EXPECT_EQ(batch.column(c).GetValue(r), rows[r][c]);
  }
}

TEST(BatchBuilderTest, ReusedArenaStartsFromCleanBuilders) {
  BatchBuilder builder(TradeSchema());
  // A NULL makes a validity bitmap; the next batch has none and no stale bits.
  ASSERT_TRUE(builder
                  .AppendRow(std::vector<Value>{
                      Value::Varchar("A"), Value::Null(DataType::Double()), Value::Timestamp(1)})
                  .ok());
  {
    Batch first = *builder.Finish();
    EXPECT_EQ(first.column(1).null_count(), 1);
  }
  for (int i = 0; i < 9; ++i) {
    ASSERT_TRUE(builder
                    .AppendRow(std::vector<Value>{Value::Varchar("B"), Value::Double(i),
                                                  Value::Timestamp(i)})
                    .ok());
  }
  Batch second = *builder.Finish();
  EXPECT_EQ(second.num_rows(), 9);
  EXPECT_EQ(second.column(1).null_count(), 0);
  EXPECT_EQ(second.column(1).validity_buffer(), nullptr);
  EXPECT_EQ(second.column(1).GetValue(8), Value::Double(8));
  EXPECT_EQ(second.column(0).GetValue(0), Value::Varchar("B"));
  EXPECT_TRUE(second.Validate().ok());
}

TEST(BatchBuilderTest, LargeBatchesTakeTheBuildersBuffers) {
  BatchBuilder builder(Schema::Make({{"n", DataType::BigInt()}}));
  const int64_t rows = static_cast<int64_t>(BatchBuilder::kArenaBatchBytes / 8) + 1;
  for (int64_t i = 0; i < rows; ++i) {
    ASSERT_TRUE(builder.AppendRow(std::vector<Value>{Value::BigInt(i)}).ok());
  }
  Batch batch = *builder.Finish();
  EXPECT_EQ(batch.num_rows(), rows);
  EXPECT_EQ(batch.column(0).Values<int64_t>()[rows - 1], rows - 1);
  EXPECT_TRUE(batch.Validate().ok());
  ASSERT_TRUE(builder.AppendRow(std::vector<Value>{Value::BigInt(42)}).ok());
  Batch small = *builder.Finish();
  EXPECT_EQ(small.column(0).GetValue(0), Value::BigInt(42));
  EXPECT_EQ(batch.column(0).Values<int64_t>()[0], 0);
}

TEST(BatchTest, SliceIsZeroCopy) {
  BatchBuilder builder(Schema::Make({{"n", DataType::BigInt()}}));
  for (int64_t i = 0; i < 10; ++i) {
    ASSERT_TRUE(builder.AppendRow(std::vector<Value>{Value::BigInt(i)}).ok());
  }
  Batch batch = *builder.Finish();
  Batch slice = batch.Slice(3, 4);
  EXPECT_EQ(slice.num_rows(), 4);
  EXPECT_EQ(slice.column(0).GetValue(0), Value::BigInt(3));
  EXPECT_EQ(slice.column(0).values_buffer(), batch.column(0).values_buffer());
  EXPECT_EQ(slice.schema_ptr(), batch.schema_ptr());
}

}  // namespace
}  // namespace laminar
