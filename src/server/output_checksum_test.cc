#include "server/output_checksum.h"

#include <gtest/gtest.h>

#include <limits>

#include "columnar/column_builder.h"

namespace laminar::server {
namespace {

using Rows = std::vector<std::vector<Value>>;

std::shared_ptr<const Schema> TradeSchema() {
  return Schema::Make({{"symbol", DataType::Varchar(), true},
                       {"volume", DataType::BigInt(), true},
                       {"price", DataType::Double(), true}});
}

exec::ChangeBatch MakeBatch(const std::shared_ptr<const Schema>& schema, const Rows& rows,
                            std::vector<int8_t> weights = {}) {
  BatchBuilder builder(schema);
  for (const std::vector<Value>& row : rows) EXPECT_TRUE(builder.AppendRow(row).ok());
  Result<Batch> batch = builder.Finish();
  EXPECT_TRUE(batch.ok()) << batch.status();
  return exec::ChangeBatch{*batch, std::move(weights)};
}

std::vector<Value> Trade(std::string symbol, int64_t volume, double price) {
  return {Value::Varchar(std::move(symbol)), Value::BigInt(volume), Value::Double(price)};
}

uint64_t ChecksumOf(const std::vector<exec::ChangeBatch>& batches) {
  OutputChecksum checksum;
  for (const exec::ChangeBatch& batch : batches) checksum.Add(batch);
  return checksum.value();
}

TEST(OutputChecksumTest, SameRowsInAnyOrderAndBatchingGiveTheSameChecksum) {
  const auto schema = TradeSchema();
  const auto a = Trade("AAPL", 100, 189.5);
  const auto b = Trade("MSFT", 2000, 410.25);
  const auto c = Trade("a much longer symbol than eight bytes", 7, -1.5);
  const uint64_t one_batch = ChecksumOf({MakeBatch(schema, {a, b, c})});
  EXPECT_EQ(ChecksumOf({MakeBatch(schema, {c, a, b})}), one_batch);
  EXPECT_EQ(ChecksumOf({MakeBatch(schema, {b}), MakeBatch(schema, {c, a})}), one_batch);
  EXPECT_EQ(ChecksumOf({MakeBatch(schema, {c}), MakeBatch(schema, {b}), MakeBatch(schema, {a})}),
            one_batch);
  EXPECT_NE(one_batch, 0u);
}

TEST(OutputChecksumTest, ASliceHashesLikeTheSameRowsBuiltAfresh) {
  const auto schema = TradeSchema();
  const exec::ChangeBatch whole =
      MakeBatch(schema, {Trade("x", 1, 1), Trade("yy", 2, 2), Trade("zzz", 3, 3)});
  const exec::ChangeBatch slice{whole.rows.Slice(1, 2), {}};
  EXPECT_EQ(ChecksumOf({slice}),
            ChecksumOf({MakeBatch(schema, {Trade("yy", 2, 2), Trade("zzz", 3, 3)})}));
}

TEST(OutputChecksumTest, EveryDifferenceInTheMultisetChangesTheChecksum) {
  const auto schema = TradeSchema();
  const uint64_t base = ChecksumOf({MakeBatch(schema, {Trade("AAPL", 100, 189.5)})});
  EXPECT_NE(ChecksumOf({MakeBatch(schema, {Trade("AAPL", 101, 189.5)})}), base);
  EXPECT_NE(ChecksumOf({MakeBatch(schema, {Trade("AAPM", 100, 189.5)})}), base);
  EXPECT_NE(ChecksumOf({MakeBatch(schema, {Trade("AAPL", 100, 189.25)})}), base);
  // A duplicate row counts.
  EXPECT_NE(ChecksumOf({MakeBatch(schema, {Trade("AAPL", 100, 189.5), Trade("AAPL", 100, 189.5)})}),
            base);
  // Values moved between rows give other rows.
  EXPECT_NE(ChecksumOf({MakeBatch(schema, {Trade("a", 1, 2), Trade("b", 3, 4)})}),
            ChecksumOf({MakeBatch(schema, {Trade("a", 3, 2), Trade("b", 1, 4)})}));
}

TEST(OutputChecksumTest, ColumnOrderAndTypeMatter) {
  const auto two_ints =
      Schema::Make({{"a", DataType::BigInt(), true}, {"b", DataType::BigInt(), true}});
  EXPECT_NE(ChecksumOf({MakeBatch(two_ints, {{Value::BigInt(1), Value::BigInt(2)}})}),
            ChecksumOf({MakeBatch(two_ints, {{Value::BigInt(2), Value::BigInt(1)}})}));
  const auto one_int = Schema::Make({{"a", DataType::Integer(), true}});
  const auto one_bigint = Schema::Make({{"a", DataType::BigInt(), true}});
  const auto one_timestamp = Schema::Make({{"a", DataType::Timestamp(), true}});
  const uint64_t as_int = ChecksumOf({MakeBatch(one_int, {{Value::Integer(5)}})});
  EXPECT_NE(as_int, ChecksumOf({MakeBatch(one_bigint, {{Value::BigInt(5)}})}));
  EXPECT_NE(as_int, ChecksumOf({MakeBatch(one_timestamp, {{Value::Timestamp(5)}})}));
  // DECIMAL carries its scale: 1.50 is not 15.0.
  const DataType decimal2 = DataType::Decimal(10, 2).value();
  const DataType decimal1 = DataType::Decimal(10, 1).value();
  const auto scale2 = Schema::Make({{"d", decimal2, true}});
  const auto scale1 = Schema::Make({{"d", decimal1, true}});
  EXPECT_NE(ChecksumOf({MakeBatch(scale2, {{Value::Decimal(150, decimal2)}})}),
            ChecksumOf({MakeBatch(scale1, {{Value::Decimal(150, decimal1)}})}));
}

TEST(OutputChecksumTest, NullIsDistinctFromZeroAndFromTheEmptyString) {
  const auto schema =
      Schema::Make({{"s", DataType::Varchar(), true}, {"n", DataType::BigInt(), true}});
  const uint64_t nulls = ChecksumOf(
      {MakeBatch(schema, {{Value::Null(DataType::Varchar()), Value::Null(DataType::BigInt())}})});
  EXPECT_NE(nulls, ChecksumOf({MakeBatch(schema, {{Value::Varchar(""), Value::BigInt(0)}})}));
  EXPECT_NE(
      nulls,
      ChecksumOf({MakeBatch(schema, {{Value::Varchar(""), Value::Null(DataType::BigInt())}})}));
  EXPECT_NE(
      nulls,
      ChecksumOf({MakeBatch(schema, {{Value::Null(DataType::Varchar()), Value::BigInt(0)}})}));
}

TEST(OutputChecksumTest, NegativeZeroEqualsZeroAndNaNsAreAlike) {
  const auto schema = Schema::Make({{"x", DataType::Double(), true}});
  EXPECT_EQ(ChecksumOf({MakeBatch(schema, {{Value::Double(-0.0)}})}),
            ChecksumOf({MakeBatch(schema, {{Value::Double(0.0)}})}));
  EXPECT_EQ(
      ChecksumOf({MakeBatch(schema, {{Value::Double(std::numeric_limits<double>::quiet_NaN())}})}),
      ChecksumOf(
          {MakeBatch(schema, {{Value::Double(-std::numeric_limits<double>::quiet_NaN())}})}));
}

TEST(OutputChecksumTest, ARetractionCancelsTheInsertionOfAnEqualRow) {
  const auto schema = TradeSchema();
  const auto a = Trade("AAPL", 100, 189.5);
  const auto b = Trade("MSFT", 2000, 410.25);
  OutputChecksum changelog;
  changelog.Add(MakeBatch(schema, {a, b}, {+1, +1}));
  changelog.Add(MakeBatch(schema, {a}, {-1}));
  OutputChecksum final_rows;
  final_rows.Add(MakeBatch(schema, {b}));
  EXPECT_EQ(changelog.value(), final_rows.value());
  EXPECT_EQ(changelog.net_rows(), 1);
  EXPECT_EQ(changelog.changes(), 3);
}

TEST(OutputChecksumTest, HexHasSixteenDigits) {
  OutputChecksum empty;
  EXPECT_EQ(empty.Hex(), "0000000000000000");
  OutputChecksum one;
  one.Add(MakeBatch(TradeSchema(), {Trade("AAPL", 1, 1)}));
  EXPECT_EQ(one.Hex().size(), 16u);
  EXPECT_EQ(one.Hex(), fmt::format("{:016x}", one.value()));
}

}  // namespace
}  // namespace laminar::server
