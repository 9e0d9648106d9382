// The stream join operator driven directly: when interval-join rows leave the state, what the
// output watermark says meanwhile, and state_ttl expiry of regular joins.

#include "exec/joins/stream_join_operator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "columnar/column_builder.h"
#include "columnar/value.h"
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

/// Keeps every emitted row as text ("weight: values").
class CapturingOutput final : public OperatorOutput {
 public:
  Status Emit(const ChangeBatch& batch) override {
    for (int64_t row = 0; row < batch.num_rows(); ++row) {
      std::string text = std::to_string(batch.weight(row)) + ":";
      for (int c = 0; c < batch.rows.num_columns(); ++c) {
        text += " " + batch.rows.column(c).GetValue(row).ToString();
      }
      rows.push_back(std::move(text));
    }
    return Status::Ok();
  }
  Status EmitWatermark(int64_t) override { return Status::Ok(); }
  std::vector<std::string> rows;
};

/// Columns of every storage class: inline fixed widths of 8, 4 and 2 bytes, a bit-packed
/// BOOLEAN and a VARCHAR (both read from the kept batch), all nullable.
std::vector<Field> MixedFields(const std::string& prefix) {
  return {Field{prefix + "k", DataType::BigInt(), true},
          Field{prefix + "t", DataType::BigInt(), true},
          Field{prefix + "s", DataType::SmallInt(), true},
          Field{prefix + "i", DataType::Integer(), true},
          Field{prefix + "d", DataType::Double(), true},
          Field{prefix + "b", DataType::Boolean(), true},
          Field{prefix + "v", DataType::Varchar(), true}};
}

ChangeBatch MixedRows(const std::vector<std::vector<Value>>& rows) {
  const auto schema = Schema::Make(MixedFields(""));
  std::vector<ColumnBuilder> builders;
  for (const Field& field : schema->fields()) builders.emplace_back(field.type);
  for (const std::vector<Value>& row : rows) {
    for (size_t c = 0; c < row.size(); ++c) EXPECT_TRUE(builders[c].AppendValue(row[c]).ok());
  }
  std::vector<Column> columns;
  for (ColumnBuilder& builder : builders) columns.push_back(builder.Finish());
  ChangeBatch batch;
  batch.rows = Batch::Make(schema, std::move(columns)).value();
  return batch;
}

std::string RowText(const std::vector<Value>& left, const std::vector<Value>& right) {
  std::string text = "1:";
  for (const Value& value : left) text += " " + value.ToString();
  for (const Value& value : right) text += " " + value.ToString();
  return text;
}

TEST(StreamJoinOperatorTest, PairsCarryEveryColumnTypeOfBothSidesAsStored) {
  const DataType bigint = DataType::BigInt();
  const Value null_smallint = Value::Null(DataType::SmallInt());
  const Value null_integer = Value::Null(DataType::Integer());
  const Value null_double = Value::Null(DataType::Double());
  const Value null_boolean = Value::Null(DataType::Boolean());
  const Value null_varchar = Value::Null(DataType::Varchar());
  const std::vector<std::vector<Value>> left_first = {
      {Value::BigInt(1), Value::BigInt(10), Value::SmallInt(7), null_integer, Value::Double(1.5),
       Value::Boolean(true), Value::Varchar("a")},
      {Value::BigInt(2), Value::BigInt(11), null_smallint, Value::Integer(-3), null_double,
       null_boolean, null_varchar},
      {Value::BigInt(1), Value::BigInt(12), Value::SmallInt(-2), Value::Integer(40000),
       Value::Double(-0.25), Value::Boolean(false), Value::Varchar("bb")}};
  const std::vector<std::vector<Value>> right = {
      {Value::BigInt(1), Value::BigInt(20), Value::SmallInt(1), Value::Integer(2),
       Value::Double(3.0), Value::Boolean(true), Value::Varchar("x")},
      {Value::BigInt(2), Value::BigInt(21), null_smallint, null_integer, Value::Double(2.5),
       Value::Boolean(false), Value::Varchar("yy")}};
  const std::vector<std::vector<Value>> left_second = {
      {Value::BigInt(2), Value::BigInt(30), Value::SmallInt(5), Value::Integer(6), null_double,
       Value::Boolean(true), null_varchar}};
  // Right rows find the first left batch stored; the second left batch finds the right rows.
  std::vector<std::string> expected;
  for (const auto& r : right) {
    for (const auto& l : left_first) {
      if (l[0] == r[0]) expected.push_back(RowText(l, r));
    }
  }
  for (const auto& l : left_second) {
    for (const auto& r : right) {
      if (l[0] == r[0]) expected.push_back(RowText(l, r));
    }
  }
  // Interval (inline partners, output gathered column by column), regular, and regular with a
  // residual condition (pairs materialised for the condition).
  for (int variant = 0; variant < 3; ++variant) {
    SCOPED_TRACE(variant);
    StreamJoinDefinition def;
    def.left_schema = Schema::Make(MixedFields(""));
    def.right_schema = Schema::Make(MixedFields(""));
    std::vector<Field> output = MixedFields("l");
    for (const Field& field : MixedFields("r")) output.push_back(field);
    def.output_schema = Schema::Make(std::move(output));
    def.left_keys.push_back(ExpressionEvaluator::Make(sql::MakeColumn(0, "k", bigint)).value());
    def.right_keys.push_back(ExpressionEvaluator::Make(sql::MakeColumn(0, "k", bigint)).value());
    def.key_types.push_back(bigint);
    if (variant == 0) def.time_bound = sql::JoinTimeBound{1, 1, -100, 100};
    if (variant == 2) {
      def.condition = ExpressionEvaluator::Make(sql::MakeCall("<", DataType::Boolean(),
                                                              {sql::MakeColumn(1, "lt", bigint),
                                                               sql::MakeColumn(8, "rt", bigint)}))
                          .value();
    }
    StreamJoinOperator op(std::move(def));
    CapturingOutput out;
    ASSERT_TRUE(op.Process(0, MixedRows(left_first), out).ok());
    ASSERT_TRUE(op.Process(1, MixedRows(right), out).ok());
    ASSERT_TRUE(op.Process(0, MixedRows(left_second), out).ok());
    std::vector<std::string> want = expected;
    if (variant == 2) {
      // lt < rt holds for the first left batch only.
      want.pop_back();
    }
    std::vector<std::string> got = out.rows;
    std::sort(want.begin(), want.end());
    std::sort(got.begin(), got.end());
    EXPECT_EQ(got, want);
  }
}

}  // namespace
}  // namespace laminar::exec
