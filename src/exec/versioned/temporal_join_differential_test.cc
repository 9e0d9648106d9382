// Differential test of the event-time temporal join (FOR SYSTEM_TIME AS OF against an upsert
// source): random streams through TemporalJoinOperator against a brute-force answer.

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <random>
#include <regex>
#include <string>
#include <vector>

#include "columnar/column_builder.h"
#include "exec/versioned/temporal_join_operator.h"
#include "exec/versioned/versioned_join_test_support.h"

namespace laminar::exec {
namespace {

// One row of either side: key and time (nullopt = NULL), payload (unique per row).
struct Row {
  std::optional<int64_t> key;
  std::optional<int64_t> time;
  int64_t payload;
};

std::shared_ptr<const Schema> SideSchema(std::string_view prefix) {
  return Schema::Make({{std::string(prefix) + "k", DataType::BigInt(), true},
                       {std::string(prefix) + "t", DataType::Timestamp(), true},
                       {std::string(prefix) + "v", DataType::BigInt(), false}});
}

Batch MakeBatch(const std::shared_ptr<const Schema>& schema, const std::vector<Row>& rows) {
  BatchBuilder builder(schema);
  for (const Row& row : rows) {
    std::vector<Value> values{
        row.key ? Value::BigInt(*row.key) : Value::Null(DataType::BigInt()),
        row.time ? Value::Timestamp(*row.time) : Value::Null(DataType::Timestamp()),
        Value::BigInt(row.payload)};
    EXPECT_TRUE(builder.AppendRow(values).ok());
  }
  return builder.Finish().value();
}

// Collects "left payload|right payload" (NULL when padded) and checks that the output is
// append-only and never behind the output watermark.
class Collector final : public OperatorOutput {
 public:
  Status Emit(const ChangeBatch& batch) override {
    EXPECT_TRUE(batch.append_only());
    for (int64_t r = 0; r < batch.num_rows(); ++r) {
      if (!batch.rows.column(1).IsNull(r)) {
        const int64_t time = batch.rows.column(1).GetValue(r).integer();
        EXPECT_GE(time, watermark) << "row behind the output watermark";
      }
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

std::unique_ptr<TemporalJoinOperator> MakeJoin(sql::JoinKind kind) {
  return MakeTestTemporalJoin(*SideSchema("l"), *SideSchema("r"), true, kind);
}

// The batch answer over the rows the operator does not drop as late: each left row meets the
// version of its key with the greatest time <= its time, the later arrival among equal times
// (`right` is in arrival order). A NULL key or a NULL time meets nothing; LEFT pads.
std::vector<std::string> BruteForce(const std::vector<Row>& left, const std::vector<Row>& right,
                                    sql::JoinKind kind) {
  std::vector<std::string> result;
  for (const Row& l : left) {
    const Row* best = nullptr;
    if (l.key && l.time) {
      for (const Row& r : right) {
        if (r.key != l.key || !r.time || *r.time > *l.time) continue;
        if (best == nullptr || *r.time >= *best->time) best = &r;
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

// `count` rows with times in [0, 150] (a few NULL), keys 0..2 (a few NULL), in an arrival
// order where a row is at most `delay` behind any row before it: each row arrives at its time
// plus a random lag in [0, delay].
std::vector<Row> RandomSide(std::mt19937& random, int count, int64_t payload_base, int64_t delay) {
  std::vector<std::pair<int64_t, Row>> arrivals;
  for (int i = 0; i < count; ++i) {
    Row row;
    if (random() % 8 != 0) row.key = static_cast<int64_t>(random() % 3);
    if (random() % 16 != 0) row.time = static_cast<int64_t>(random() % 151);
    row.payload = payload_base + i;
    const int64_t lag = static_cast<int64_t>(random() % static_cast<uint32_t>(delay + 1));
    // A NULL time arrives anywhere.
    const int64_t arrival = row.time ? *row.time + lag : static_cast<int64_t>(random() % 151);
    arrivals.emplace_back(arrival, row);
  }
  std::stable_sort(arrivals.begin(), arrivals.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<Row> rows;
  for (auto& [arrival, row] : arrivals) rows.push_back(row);
  return rows;
}

// The lowest non-NULL time among rows[from..], or +infinity.
int64_t LowestTimeFrom(const std::vector<Row>& rows, size_t from) {
  int64_t lowest = kMaxWatermark;
  for (size_t i = from; i < rows.size(); ++i) {
    if (rows[i].time) lowest = std::min(lowest, *rows[i].time);
  }
  return lowest;
}

// Random batch splits on both ports and random watermarks: the right watermark never passes
// a version still to come (no version is late), the left one sometimes does (those left rows
// are late: the operator drops them, so does the reference).
TEST(TemporalJoinDifferentialTest, MatchesBruteForceOnRandomStreams) {
  const int64_t kDelay = 8;
  int late_left_rows = 0;
  for (uint32_t seed = 1; seed <= 200; ++seed) {
    for (const sql::JoinKind kind : {sql::JoinKind::kInner, sql::JoinKind::kLeft}) {
      std::mt19937 random(seed);
      const std::vector<Row> left = RandomSide(random, 60, 1000, kDelay);
      const std::vector<Row> right = RandomSide(random, 60, 2000, kDelay);
      auto join = MakeJoin(kind);
      Collector out;
      const auto left_schema = SideSchema("l");
      const auto right_schema = SideSchema("r");
      std::vector<Row> kept_left;  // The left rows the operator does not drop as late.
      int64_t left_watermark = kMinWatermark;
      int64_t right_watermark = kMinWatermark;
      size_t l = 0;
      size_t r = 0;
      while (l < left.size() || r < right.size()) {
        const bool take_left = r == right.size() || (l < left.size() && random() % 2);
        const std::vector<Row>& side = take_left ? left : right;
        size_t& next = take_left ? l : r;
        const size_t length = std::min<size_t>(1 + random() % 5, side.size() - next);
        const std::vector<Row> slice(side.begin() + static_cast<std::ptrdiff_t>(next),
                                     side.begin() + static_cast<std::ptrdiff_t>(next + length));
        next += length;
        if (take_left) {
          for (const Row& row : slice) {
            if (row.time && *row.time < left_watermark) {
              ++late_left_rows;
            } else {
              kept_left.push_back(row);
            }
          }
        }
        const int port = take_left ? 0 : 1;
        ASSERT_TRUE(
            join->Process(port,
                          ChangeBatch{MakeBatch(take_left ? left_schema : right_schema, slice), {}},
                          out)
                .ok());
        // A watermark on either port at random points, up to the lowest time still to come
        // (the left one sometimes a little past it).
        for (int watermark_port = 0; watermark_port < 2; ++watermark_port) {
          if (random() % 3 != 0) continue;
          const bool on_left = watermark_port == 0;
          int64_t limit = LowestTimeFrom(on_left ? left : right, on_left ? l : r);
          if (limit == kMaxWatermark) limit = 150;
          if (on_left && random() % 4 == 0) limit += 1 + static_cast<int64_t>(random() % 6);
          int64_t& watermark = on_left ? left_watermark : right_watermark;
          const int64_t low = std::max<int64_t>(watermark, limit - kDelay);
          if (low > limit) continue;
          watermark = low + static_cast<int64_t>(random() % static_cast<uint32_t>(limit - low + 1));
          ASSERT_TRUE(join->OnWatermark(watermark_port, watermark, out).ok());
        }
      }
      ASSERT_TRUE(join->OnWatermark(1, kMaxWatermark, out).ok());
      ASSERT_TRUE(join->OnWatermark(0, kMaxWatermark, out).ok());
      EXPECT_NE(join->MetricsText().find("waiting rows 0;"), std::string::npos)
          << join->MetricsText();
      // Both inputs ended: eviction has left every key its newest version only.
      std::smatch counts;
      const std::string metrics = join->MetricsText();
      ASSERT_TRUE(std::regex_search(metrics, counts, std::regex("keys (\\d+); versions (\\d+);")))
          << metrics;
      EXPECT_EQ(counts[1].str(), counts[2].str()) << metrics;
      std::vector<std::string> actual = out.rows;
      std::sort(actual.begin(), actual.end());
      EXPECT_EQ(actual, BruteForce(kept_left, right, kind))
          << "seed " << seed << " kind " << sql::JoinKindName(kind);
    }
  }
  // The streams do exercise the late-row path.
  EXPECT_GT(late_left_rows, 0);
}

}  // namespace
}  // namespace laminar::exec
