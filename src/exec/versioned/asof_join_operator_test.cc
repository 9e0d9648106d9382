#include "exec/versioned/asof_join_operator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "columnar/column_builder.h"
#include "exec/versioned/versioned_join_test_support.h"

namespace laminar::exec {
namespace {

using sql::AsofComparison;

// One row of either side: key (nullopt = NULL), time, payload.
struct Row {
  std::optional<int64_t> key;
  int64_t time;
  int64_t payload;
};

std::shared_ptr<const Schema> SideSchema(std::string_view prefix) {
  return Schema::Make({{std::string(prefix) + "k", DataType::BigInt(), true},
                       {std::string(prefix) + "t", DataType::Timestamp(), false},
                       {std::string(prefix) + "v", DataType::BigInt(), false}});
}

Batch MakeBatch(const std::shared_ptr<const Schema>& schema, const std::vector<Row>& rows) {
  BatchBuilder builder(schema);
  for (const Row& row : rows) {
    std::vector<Value> values{row.key ? Value::BigInt(*row.key) : Value::Null(DataType::BigInt()),
                              Value::Timestamp(row.time), Value::BigInt(row.payload)};
    EXPECT_TRUE(builder.AppendRow(values).ok());
  }
  return builder.Finish().value();
}

class Collector final : public OperatorOutput {
 public:
  Status Emit(const ChangeBatch& batch) override {
    EXPECT_TRUE(batch.append_only());
    for (int64_t r = 0; r < batch.num_rows(); ++r) {
      const int64_t time = batch.rows.column(1).GetValue(r).integer();
      EXPECT_GE(time, watermark) << "row behind the output watermark";
      std::string right =
          batch.rows.column(5).IsNull(r) ? "NULL" : batch.rows.column(5).GetValue(r).ToString();
      rows.push_back(batch.rows.column(2).GetValue(r).ToString() + "|" + right);
    }
    return Status::Ok();
  }
  Status EmitWatermark(int64_t value) override {
    EXPECT_GT(value, watermark);
    watermark = value;
    return Status::Ok();
  }
  std::vector<std::string> rows;
  int64_t watermark = kMinWatermark;
};

std::unique_ptr<AsofJoinOperator> MakeJoin(AsofComparison comparison, sql::JoinKind kind,
                                           std::optional<int64_t> tolerance) {
  return MakeTestAsofJoin(*SideSchema("l"), *SideSchema("r"), comparison, kind, tolerance);
}

// The batch answer: for each left row, the right row chosen by definition.
std::vector<std::string> BruteForce(const std::vector<Row>& left, const std::vector<Row>& right,
                                    AsofComparison comparison, sql::JoinKind kind,
                                    std::optional<int64_t> tolerance) {
  std::vector<std::string> result;
  for (const Row& l : left) {
    const Row* best = nullptr;
    auto distance = [&](const Row& r) {
      return r.time > l.time ? r.time - l.time : l.time - r.time;
    };
    if (l.key) {
      for (const Row& r : right) {  // Arrival order: a later row at an equal time wins.
        if (r.key != l.key) continue;
        if (tolerance && distance(r) > *tolerance) continue;
        bool allowed = false;
        bool better = false;
        switch (comparison) {
          case AsofComparison::kGreaterEqual:
            allowed = r.time <= l.time;
            better = best == nullptr || r.time >= best->time;
            break;
          case AsofComparison::kGreater:
            allowed = r.time < l.time;
            better = best == nullptr || r.time >= best->time;
            break;
          case AsofComparison::kLessEqual:
            allowed = r.time >= l.time;
            better = best == nullptr || r.time <= best->time;
            break;
          case AsofComparison::kLess:
            allowed = r.time > l.time;
            better = best == nullptr || r.time <= best->time;
            break;
          case AsofComparison::kNearest:
            allowed = true;
            if (best == nullptr || distance(r) < distance(*best)) {
              better = true;
            } else if (distance(r) == distance(*best)) {
              // Equal distance: the earlier time; at the same time, the later arrival.
              better = r.time <= best->time;
            }
            break;
        }
        if (allowed && better) best = &r;
      }
    }
    if (best != nullptr) {
      result.push_back(std::to_string(l.payload) + "|" + std::to_string(best->payload));
    } else if (kind == sql::JoinKind::kLeft) {
      result.push_back(std::to_string(l.payload) + "|NULL");
    }
  }
  std::sort(result.begin(), result.end());
  return result;
}

// Rows whose times are increasing bases plus a jitter; the watermark after row i is the base
// of row i + 1, so no row is ever late.
std::vector<Row> RandomSide(std::mt19937& random, int count, int64_t payload_base,
                            std::vector<int64_t>* watermarks) {
  std::vector<Row> rows;
  int64_t base = 0;
  for (int i = 0; i < count; ++i) {
    base += static_cast<int64_t>(random() % 3);
    Row row;
    if (random() % 10 != 0) row.key = static_cast<int64_t>(random() % 3);
    row.time = base + static_cast<int64_t>(random() % 4);
    row.payload = payload_base + i;
    rows.push_back(row);
    watermarks->push_back(base);
  }
  watermarks->push_back(base);
  return rows;
}

TEST(AsofJoinOperatorTest, MatchesBruteForceOnRandomStreams) {
  const AsofComparison comparisons[] = {AsofComparison::kGreaterEqual, AsofComparison::kGreater,
                                        AsofComparison::kLessEqual, AsofComparison::kLess,
                                        AsofComparison::kNearest};
  for (uint32_t seed = 1; seed <= 60; ++seed) {
    for (AsofComparison comparison : comparisons) {
      std::mt19937 random(seed);
      const sql::JoinKind kind = random() % 2 ? sql::JoinKind::kLeft : sql::JoinKind::kInner;
      std::optional<int64_t> tolerance;
      if (random() % 2) tolerance = static_cast<int64_t>(random() % 5);
      std::vector<int64_t> left_marks;
      std::vector<int64_t> right_marks;
      const std::vector<Row> left = RandomSide(random, 40, 1000, &left_marks);
      const std::vector<Row> right = RandomSide(random, 40, 2000, &right_marks);
      auto join = MakeJoin(comparison, kind, tolerance);
      Collector out;
      const auto left_schema = SideSchema("l");
      const auto right_schema = SideSchema("r");
      size_t l = 0;
      size_t r = 0;
      while (l < left.size() || r < right.size()) {
        const bool take_left = r == right.size() || (l < left.size() && random() % 2);
        const std::vector<Row>& side = take_left ? left : right;
        size_t& next = take_left ? l : r;
        const size_t length = std::min<size_t>(1 + random() % 6, side.size() - next);
        const std::vector<Row> slice(side.begin() + static_cast<std::ptrdiff_t>(next),
                                     side.begin() + static_cast<std::ptrdiff_t>(next + length));
        next += length;
        const int port = take_left ? 0 : 1;
        ASSERT_TRUE(
            join->Process(port,
                          ChangeBatch{MakeBatch(take_left ? left_schema : right_schema, slice), {}},
                          out)
                .ok());
        if (random() % 2) {
          const int64_t mark = (take_left ? left_marks : right_marks)[next];
          ASSERT_TRUE(join->OnWatermark(port, mark, out).ok());
        }
      }
      ASSERT_TRUE(join->OnWatermark(1, kMaxWatermark, out).ok());
      ASSERT_TRUE(join->OnWatermark(0, kMaxWatermark, out).ok());
      EXPECT_EQ(join->waiting_rows(), 0u);
      // With both inputs ended, only `>=`, `>` and NEAREST without a tolerance keep a row: the
      // latest of each key.
      const bool keeps_latest = !tolerance && comparison != AsofComparison::kLessEqual &&
                                comparison != AsofComparison::kLess;
      EXPECT_EQ(join->live_keys(), keeps_latest ? join->right_rows() : 0u);
      if (!keeps_latest) {
        EXPECT_EQ(join->right_rows(), 0u);
      }
      std::vector<std::string> actual = out.rows;
      std::sort(actual.begin(), actual.end());
      EXPECT_EQ(actual, BruteForce(left, right, comparison, kind, tolerance))
          << "seed " << seed << " comparison " << static_cast<int>(comparison) << " tolerance "
          << (tolerance ? std::to_string(*tolerance) : "none");
    }
  }
}

TEST(AsofJoinOperatorTest, RightRowsAreEvictedBehindTheWatermarks) {
  auto join = MakeJoin(AsofComparison::kGreaterEqual, sql::JoinKind::kInner, std::nullopt);
  Collector out;
  std::vector<Row> right;
  for (int i = 0; i < 100; ++i) right.push_back(Row{1, i, i});
  ASSERT_TRUE(join->Process(1, ChangeBatch{MakeBatch(SideSchema("r"), right), {}}, out).ok());
  EXPECT_EQ(join->right_rows(), 100u);
  ASSERT_TRUE(join->OnWatermark(1, 100, out).ok());
  ASSERT_TRUE(join->OnWatermark(0, 90, out).ok());
  // Rows at 90..99 and the last one before 90 remain.
  EXPECT_EQ(join->right_rows(), 11u);
  ASSERT_TRUE(
      join->Process(0, ChangeBatch{MakeBatch(SideSchema("l"), {Row{1, 95, 7}}), {}}, out).ok());
  EXPECT_EQ(out.rows, std::vector<std::string>{"7|95"});
}

TEST(AsofJoinOperatorTest, KeysWithoutRowsLeftAreErased) {
  const std::optional<int64_t> tolerances[] = {std::nullopt, int64_t{5}};
  for (AsofComparison comparison : {AsofComparison::kLessEqual, AsofComparison::kGreaterEqual}) {
    for (std::optional<int64_t> tolerance : tolerances) {
      if (comparison == AsofComparison::kGreaterEqual && !tolerance) continue;  // Keeps one.
      auto join = MakeJoin(comparison, sql::JoinKind::kInner, tolerance);
      Collector out;
      std::vector<Row> right;
      for (int i = 0; i < 1000; ++i) right.push_back(Row{i % 250, i, i});
      ASSERT_TRUE(join->Process(1, ChangeBatch{MakeBatch(SideSchema("r"), right), {}}, out).ok());
      EXPECT_EQ(join->live_keys(), 250u);
      ASSERT_TRUE(join->OnWatermark(1, 1000, out).ok());
      ASSERT_TRUE(join->OnWatermark(0, 500, out).ok());
      EXPECT_EQ(join->live_keys(), 250u);
      EXPECT_LT(join->right_rows(), 1000u);
      ASSERT_TRUE(join->OnWatermark(0, 2000, out).ok());
      EXPECT_EQ(join->right_rows(), 0u);
      EXPECT_EQ(join->live_keys(), 0u);
      EXPECT_NE(join->MetricsText().find("right rows evicted 1000; live keys 0;"),
                std::string::npos)
          << join->MetricsText();
    }
  }
}

TEST(AsofJoinOperatorTest, GreaterEqualWithoutToleranceKeepsTheLatestRowOfEachKey) {
  auto join = MakeJoin(AsofComparison::kGreaterEqual, sql::JoinKind::kInner, std::nullopt);
  Collector out;
  std::vector<Row> right;
  for (int i = 0; i < 1000; ++i) right.push_back(Row{i % 250, i, i});
  ASSERT_TRUE(join->Process(1, ChangeBatch{MakeBatch(SideSchema("r"), right), {}}, out).ok());
  ASSERT_TRUE(join->OnWatermark(1, 1000, out).ok());
  ASSERT_TRUE(join->OnWatermark(0, 2000, out).ok());
  EXPECT_EQ(join->right_rows(), 250u);
  EXPECT_EQ(join->live_keys(), 250u);
  EXPECT_EQ(join->evictable_keys(), 0u);  // Later watermarks do not visit them.
  ASSERT_TRUE(
      join->Process(1, ChangeBatch{MakeBatch(SideSchema("r"), {Row{3, 2500, 1}}), {}}, out).ok());
  EXPECT_EQ(join->evictable_keys(), 1u);
  ASSERT_TRUE(join->OnWatermark(1, 3000, out).ok());
  ASSERT_TRUE(join->OnWatermark(0, 3000, out).ok());
  EXPECT_EQ(join->evictable_keys(), 0u);
  EXPECT_EQ(join->right_rows(), 250u);
}

TEST(AsofJoinOperatorTest, LeftOnlyKeysLeaveNoState) {
  auto join = MakeJoin(AsofComparison::kGreaterEqual, sql::JoinKind::kLeft, std::nullopt);
  Collector out;
  ASSERT_TRUE(join->OnWatermark(1, 100, out).ok());
  std::vector<Row> decided;
  for (int i = 0; i < 500; ++i) decided.push_back(Row{i, 50, i});
  ASSERT_TRUE(join->Process(0, ChangeBatch{MakeBatch(SideSchema("l"), decided), {}}, out).ok());
  EXPECT_EQ(out.rows.size(), 500u);
  EXPECT_EQ(join->live_keys(), 0u);
  // A row that must wait keeps its key until it is decided.
  ASSERT_TRUE(
      join->Process(0, ChangeBatch{MakeBatch(SideSchema("l"), {Row{7, 200, 1}}), {}}, out).ok());
  EXPECT_EQ(join->waiting_rows(), 1u);
  EXPECT_EQ(join->live_keys(), 1u);
  ASSERT_TRUE(join->OnWatermark(1, 201, out).ok());
  EXPECT_EQ(join->waiting_rows(), 0u);
  EXPECT_EQ(join->live_keys(), 0u);
  EXPECT_EQ(out.rows.back(), "1|NULL");
  EXPECT_NE(join->MetricsText().find("live keys 0;"), std::string::npos) << join->MetricsText();
}

TEST(AsofJoinOperatorTest, WaitingLeftRowHoldsBackTheOutputWatermark) {
  auto join = MakeJoin(AsofComparison::kGreaterEqual, sql::JoinKind::kLeft, std::nullopt);
  Collector out;
  ASSERT_TRUE(
      join->Process(0, ChangeBatch{MakeBatch(SideSchema("l"), {Row{1, 10, 7}}), {}}, out).ok());
  ASSERT_TRUE(join->OnWatermark(0, 50, out).ok());
  EXPECT_EQ(out.watermark, 10);
  EXPECT_TRUE(out.rows.empty());
  ASSERT_TRUE(join->OnWatermark(1, 11, out).ok());
  EXPECT_EQ(out.rows, std::vector<std::string>{"7|NULL"});
  EXPECT_EQ(out.watermark, 50);
}

}  // namespace
}  // namespace laminar::exec
