// The stream join operator driven directly: when interval-join rows leave the state, what the
// output watermark says meanwhile, and state_ttl expiry of regular joins.

#include "exec/joins/stream_join_operator.h"

#include <gtest/gtest.h>

#include <vector>

#include "columnar/column_builder.h"
#include "common/clock.h"
#include "sql/plan/bound_expression.h"

namespace laminar::exec {
namespace {

/// Counts what the operator emits and keeps the last watermark.
class CountingOutput final : public OperatorOutput {
 public:
  Status Emit(const ChangeBatch& batch) override {
    rows += batch.num_rows();
    return Status::Ok();
  }
  Status EmitWatermark(int64_t value) override {
    watermark = value;
    return Status::Ok();
  }
  int64_t rows = 0;
  int64_t watermark = kMinWatermark;
};

std::shared_ptr<const Schema> InputSchema() {
  return Schema::Make({Field{"k", DataType::BigInt(), true}, Field{"t", DataType::BigInt(), true}});
}

ChangeBatch Rows(const std::vector<std::pair<int64_t, int64_t>>& rows) {
  ColumnBuilder key(DataType::BigInt());
  ColumnBuilder time(DataType::BigInt());
  for (const auto& [k, t] : rows) {
    key.AppendFixed<int64_t>(k);
    time.AppendFixed<int64_t>(t);
  }
  ChangeBatch batch;
  batch.rows = Batch::Make(InputSchema(), {key.Finish(), time.Finish()}).value();
  return batch;
}

StreamJoinDefinition Definition(sql::JoinKind kind) {
  StreamJoinDefinition def;
  def.kind = kind;
  def.left_schema = InputSchema();
  def.right_schema = InputSchema();
  def.output_schema =
      Schema::Make({Field{"lk", DataType::BigInt(), true}, Field{"lt", DataType::BigInt(), true},
                    Field{"rk", DataType::BigInt(), true}, Field{"rt", DataType::BigInt(), true}});
  def.left_keys.push_back(
      ExpressionEvaluator::Make(sql::MakeColumn(0, "k", DataType::BigInt())).value());
  def.right_keys.push_back(
      ExpressionEvaluator::Make(sql::MakeColumn(0, "k", DataType::BigInt())).value());
  def.key_types.push_back(DataType::BigInt());
  return def;
}

TEST(StreamJoinOperatorTest, LeftRowLeavesWhenRightWatermarkPassesItsBand) {
  StreamJoinDefinition def = Definition(sql::JoinKind::kLeft);
  def.time_bound = sql::JoinTimeBound{1, 1, -5, 10};  // -5 <= r.t - l.t <= 10.
  StreamJoinOperator op(std::move(def));
  CountingOutput out;
  ASSERT_TRUE(op.Process(0, Rows({{1, 100}}), out).ok());
  EXPECT_EQ(op.live_rows(0), 1);
  ASSERT_TRUE(op.OnWatermark(0, 100, out).ok());
  // A right row at 110 could still match: the left row stays, and so must the watermark.
  ASSERT_TRUE(op.OnWatermark(1, 110, out).ok());
  EXPECT_EQ(op.live_rows(0), 1);
  EXPECT_EQ(out.rows, 0);
  EXPECT_EQ(out.watermark, 100);
  // Past 110 no partner can come: the row leaves, padded, and the watermark follows.
  ASSERT_TRUE(op.OnWatermark(1, 111, out).ok());
  EXPECT_EQ(op.live_rows(0), 0);
  EXPECT_EQ(out.rows, 1);
  EXPECT_EQ(op.metrics().evicted_rows, 1);
}

TEST(StreamJoinOperatorTest, OutputWatermarkWaitsForTheOldestRowInState) {
  StreamJoinDefinition def = Definition(sql::JoinKind::kInner);
  def.time_bound = sql::JoinTimeBound{1, 1, 0, 50};
  StreamJoinOperator op(std::move(def));
  CountingOutput out;
  ASSERT_TRUE(op.Process(0, Rows({{1, 100}}), out).ok());
  ASSERT_TRUE(op.OnWatermark(0, 120, out).ok());
  ASSERT_TRUE(op.OnWatermark(1, 130, out).ok());
  // The left row at 100 can still meet a right row up to 150.
  EXPECT_EQ(out.watermark, 100);
  ASSERT_TRUE(op.OnWatermark(1, 151, out).ok());
  EXPECT_EQ(out.watermark, 120);
  ASSERT_TRUE(op.OnWatermark(0, kMaxWatermark, out).ok());
  ASSERT_TRUE(op.OnWatermark(1, kMaxWatermark, out).ok());
  EXPECT_EQ(out.watermark, kMaxWatermark);
}

TEST(StreamJoinOperatorTest, RightRowLeavesWhenLeftWatermarkPassesItsBand) {
  StreamJoinDefinition def = Definition(sql::JoinKind::kInner);
  def.time_bound = sql::JoinTimeBound{1, 1, -5, 10};
  StreamJoinOperator op(std::move(def));
  CountingOutput out;
  ASSERT_TRUE(op.Process(1, Rows({{1, 100}}), out).ok());
  // Left rows from 105 on could still match (r.t - l.t >= -5).
  ASSERT_TRUE(op.OnWatermark(0, 105, out).ok());
  EXPECT_EQ(op.live_rows(1), 1);
  ASSERT_TRUE(op.OnWatermark(0, 106, out).ok());
  EXPECT_EQ(op.live_rows(1), 0);
}

TEST(StreamJoinOperatorTest, KeyUntouchedForTheTtlIsForgotten) {
  ManualClock clock(0);
  StreamJoinDefinition def = Definition(sql::JoinKind::kInner);
  def.state_ttl_micros = 1000;
  def.clock = &clock;
  StreamJoinOperator op(std::move(def));
  CountingOutput out;
  ASSERT_TRUE(op.Process(0, Rows({{1, 0}, {2, 0}}), out).ok());
  EXPECT_EQ(op.NextTimerMicros(), 1000);
  clock.AdvanceMicros(600);
  ASSERT_TRUE(op.Process(0, Rows({{2, 1}}), out).ok());
  clock.AdvanceMicros(500);
  ASSERT_TRUE(op.OnTimer(clock.NowMicros(), out).ok());
  // Key 1 (touched at 0) is gone; key 2 (touched at 600) keeps both rows.
  EXPECT_EQ(op.live_rows(0), 2);
  EXPECT_EQ(op.metrics().expired_rows, 1);
  ASSERT_TRUE(op.Process(1, Rows({{1, 5}, {2, 5}}), out).ok());
  EXPECT_EQ(out.rows, 2);
}

}  // namespace
}  // namespace laminar::exec
