// Differential tests of the analytic operators against a batch evaluation: random rows (fixed
// seeds) are fed in random batch splits with random watermarks; the operator's consolidated
// output must equal what sorting each partition and computing gives.
//
// Checkpoints: the same kind of inputs run without interruption and with Snapshot / Restore into
// a fresh operator at random points must give the same outputs, event for event.

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <optional>
#include <random>
#include <tuple>
#include <vector>

#include "columnar/column_builder.h"
#include "exec/analytic/over_operator.h"
#include "exec/analytic/top_n_operator.h"
#include "exec/operators/snapshot_test_support.h"
#include "sql/plan/bound_expression.h"

namespace laminar::exec {
namespace {

/// Collects what an operator emits.
class CollectingOutput final : public OperatorOutput {
 public:
  Status Emit(const ChangeBatch& batch) override {
    batches.push_back(batch);
    return Status::Ok();
  }
  Status EmitWatermark(int64_t watermark) override {
    EXPECT_GE(watermark, last_watermark);
    last_watermark = watermark;
    watermarks_at_batch.push_back({batches.size(), watermark});
    return Status::Ok();
  }
  std::vector<ChangeBatch> batches;
  int64_t last_watermark = kMinWatermark;
  std::vector<std::pair<size_t, int64_t>> watermarks_at_batch;
};

/// A test row: partition, order value (NULL when absent), a unique id.
struct TestRow {
  int64_t partition = 0;
  std::optional<int64_t> order;
  int64_t id = 0;
};

std::shared_ptr<const Schema> InputSchema() {
  return Schema::Make({Field{"p", DataType::BigInt(), false}, Field{"o", DataType::BigInt(), true},
                       Field{"id", DataType::BigInt(), false}});
}

ChangeBatch MakeBatch(const std::vector<TestRow>& rows, const std::vector<int8_t>& weights) {
  ColumnBuilder p(DataType::BigInt());
  ColumnBuilder o(DataType::BigInt());
  ColumnBuilder id(DataType::BigInt());
  for (const TestRow& row : rows) {
    p.AppendFixed<int64_t>(row.partition);
    if (row.order) {
      o.AppendFixed<int64_t>(*row.order);
    } else {
      o.AppendNull();
    }
    id.AppendFixed<int64_t>(row.id);
  }
  ChangeBatch batch;
  batch.rows = *Batch::Make(InputSchema(), {p.Finish(), o.Finish(), id.Finish()});
  batch.weights = weights;
  return batch;
}

ExpressionEvaluator Column(int index) {
  return *ExpressionEvaluator::Make(sql::MakeColumn(index,
                                                    index == 0   ? "p"
                                                    : index == 1 ? "o"
                                                                 : "id",
                                                    DataType::BigInt()),
                                    EvaluatorOptions{});
}

struct TopNCase {
  sql::RankFunction rank_function;
  bool descending;
  bool nulls_first;
  int64_t limit;
  bool changelog;
};

/// Ranks of the live rows of one partition, as SQL computes them, ties in arrival order.
std::vector<std::pair<TestRow, int64_t>> BatchTopN(std::vector<TestRow> rows, const TopNCase& c) {
  const SortDirection direction{c.descending, c.nulls_first};
  auto compare = [&](const TestRow& a, const TestRow& b) {
    const Value x = a.order ? Value::BigInt(*a.order) : Value::Null(DataType::BigInt());
    const Value y = b.order ? Value::BigInt(*b.order) : Value::Null(DataType::BigInt());
    return CompareSortKeys({x}, {y}, {direction});
  };
  std::stable_sort(rows.begin(), rows.end(),
                   [&](const TestRow& a, const TestRow& b) { return compare(a, b) < 0; });
  std::vector<std::pair<TestRow, int64_t>> top;
  int64_t rank = 0;
  int64_t distinct = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    const bool peer = i > 0 && compare(rows[i], rows[i - 1]) == 0;
    if (!peer) ++distinct;
    if (c.rank_function == sql::RankFunction::kRowNumber) rank = static_cast<int64_t>(i) + 1;
    if (c.rank_function == sql::RankFunction::kRank && !peer) rank = static_cast<int64_t>(i) + 1;
    if (c.rank_function == sql::RankFunction::kDenseRank) rank = distinct;
    if (rank > c.limit) break;
    top.push_back({rows[i], rank});
  }
  return top;
}

void RunTopN(const TopNCase& c, uint32_t seed) {
  std::mt19937 random(seed);
  TopNDefinition definition;
  definition.partition_by.push_back(Column(0));
  definition.partition_types.push_back(DataType::BigInt());
  definition.order_by.push_back(Column(1));
  definition.directions.push_back(SortDirection{c.descending, c.nulls_first});
  definition.limit = c.limit;
  definition.rank_function = c.rank_function;
  definition.rank_column = true;
  definition.input_columns = 3;
  definition.output_schema =
      Schema::Make({Field{"p", DataType::BigInt(), false}, Field{"o", DataType::BigInt(), true},
                    Field{"id", DataType::BigInt(), false}, Field{"r", DataType::BigInt(), false}});
  definition.input_changelog = c.changelog;
  TopNOperator op(std::move(definition));
  CollectingOutput out;

  std::vector<TestRow> live;
  int64_t next_id = 0;
  for (int step = 0; step < 60; ++step) {
    std::vector<TestRow> rows;
    std::vector<int8_t> weights;
    const int size = std::uniform_int_distribution<int>(1, 12)(random);
    for (int i = 0; i < size; ++i) {
      if (c.changelog && !live.empty() && random() % 3 == 0) {
        const size_t victim = random() % live.size();
        rows.push_back(live[victim]);
        weights.push_back(-1);
        live.erase(live.begin() + static_cast<std::ptrdiff_t>(victim));
        continue;
      }
      TestRow row;
      row.partition = random() % 4;
      if (random() % 8 != 0) row.order = static_cast<int64_t>(random() % 6);
      row.id = next_id++;
      rows.push_back(row);
      weights.push_back(1);
      live.push_back(row);
    }
    if (!c.changelog) weights.clear();
    ASSERT_TRUE(op.Process(0, MakeBatch(rows, weights), out).ok());
  }
  ASSERT_TRUE(op.OnWatermark(0, kMaxWatermark, out).ok());

  // Consolidated output: (partition, order, id, rank) -> weight.
  std::map<std::tuple<int64_t, std::optional<int64_t>, int64_t, int64_t>, int> output;
  for (const ChangeBatch& batch : out.batches) {
    for (int64_t row = 0; row < batch.num_rows(); ++row) {
      const Batch& rows = batch.rows;
      std::optional<int64_t> order;
      if (!rows.column(1).IsNull(row)) order = rows.column(1).Values<int64_t>()[row];
      output[{rows.column(0).Values<int64_t>()[row], order, rows.column(2).Values<int64_t>()[row],
              rows.column(3).Values<int64_t>()[row]}] += batch.weight(row);
    }
  }
  std::map<int64_t, std::vector<TestRow>> partitions;
  for (const TestRow& row : live) partitions[row.partition].push_back(row);
  // ROW_NUMBER ties may pick any of equal rows: compare (order, rank) multisets per partition.
  // RANK and DENSE_RANK output every tie: compare rows exactly.
  using Key = std::tuple<int64_t, std::optional<int64_t>, int64_t, int64_t>;
  std::multiset<Key> expected;
  std::multiset<Key> actual;
  const bool exact_rows = c.rank_function != sql::RankFunction::kRowNumber;
  for (const auto& [partition, rows] : partitions) {
    for (const auto& [row, rank] : BatchTopN(rows, c)) {
      expected.insert({partition, row.order, exact_rows ? row.id : 0, rank});
    }
  }
  for (const auto& [key, weight] : output) {
    ASSERT_GE(weight, 0) << "a row retracted more often than inserted";
    ASSERT_LE(weight, 1) << "a row inserted twice";
    if (weight == 1) {
      actual.insert({std::get<0>(key), std::get<1>(key), exact_rows ? std::get<2>(key) : 0,
                     std::get<3>(key)});
    }
  }
  EXPECT_EQ(actual, expected) << "seed " << seed;
}

TEST(AnalyticDifferentialTest, TopNMatchesBatchTopN) {
  for (uint32_t seed = 1; seed <= 20; ++seed) {
    for (sql::RankFunction rank_function :
         {sql::RankFunction::kRowNumber, sql::RankFunction::kRank, sql::RankFunction::kDenseRank}) {
      for (bool changelog : {false, true}) {
        const TopNCase c{rank_function, seed % 2 == 0, seed % 3 == 0,
                         static_cast<int64_t>(1 + seed % 4), changelog};
        RunTopN(c, seed);
      }
    }
  }
}

/// One OVER query over (p, o = time, id, v): the operator against a per-partition batch
/// evaluation.
struct OverRow {
  int64_t partition = 0;
  int64_t time = 0;
  int64_t id = 0;
  int64_t value = 0;
};

std::shared_ptr<const Schema> OverInputSchema() {
  return Schema::Make(
      {Field{"p", DataType::BigInt(), false}, Field{"t", DataType::Timestamp(), false},
       Field{"id", DataType::BigInt(), false}, Field{"v", DataType::BigInt(), false}});
}

/// The calls: LAG(v), LEAD(v, 2, -1), SUM(v) ROWS 2 PRECEDING .. 1 FOLLOWING, COUNT(*) RANGE
/// 3 PRECEDING .. CURRENT ROW, MAX(v) ROWS UNBOUNDED PRECEDING, SUM(v) RANGE CURRENT ROW .. 2
/// FOLLOWING.
std::vector<OverCallDefinition> OverCalls() {
  auto value = [] {
    return *ExpressionEvaluator::Make(sql::MakeColumn(3, "v", DataType::BigInt()),
                                      EvaluatorOptions{});
  };
  std::vector<OverCallDefinition> calls(6);
  calls[0].kind = OverCallDefinition::Kind::kLag;
  calls[0].argument = value();
  calls[0].type = DataType::BigInt();
  calls[1].kind = OverCallDefinition::Kind::kLead;
  calls[1].argument = value();
  calls[1].offset = 2;
  calls[1].default_value =
      *ExpressionEvaluator::Make(sql::MakeConstant(Value::BigInt(-1)), EvaluatorOptions{});
  calls[1].type = DataType::BigInt();
  calls[2].kind = OverCallDefinition::Kind::kSum;
  calls[2].argument = value();
  calls[2].start_unbounded = false;
  calls[2].start = -2;
  calls[2].end = 1;
  calls[2].type = DataType::BigInt();
  calls[3].kind = OverCallDefinition::Kind::kCount;
  calls[3].frame_kind = sql::FrameKind::kRange;
  calls[3].start_unbounded = false;
  calls[3].start = -3;
  calls[3].end = 0;
  calls[3].type = DataType::BigInt();
  calls[4].kind = OverCallDefinition::Kind::kMax;
  calls[4].argument = value();
  calls[4].type = DataType::BigInt();
  calls[5].kind = OverCallDefinition::Kind::kSum;
  calls[5].argument = value();
  calls[5].frame_kind = sql::FrameKind::kRange;
  calls[5].start_unbounded = false;
  calls[5].start = 0;
  calls[5].end = 2;
  calls[5].type = DataType::BigInt();
  return calls;
}

/// The expected values of the calls for every row of one partition (sorted by time, then
/// arrival), by brute force.
std::map<int64_t, std::vector<std::optional<int64_t>>> BatchOver(std::vector<OverRow> rows) {
  std::stable_sort(rows.begin(), rows.end(),
                   [](const OverRow& a, const OverRow& b) { return a.time < b.time; });
  std::map<int64_t, std::vector<std::optional<int64_t>>> result;
  const int64_t n = static_cast<int64_t>(rows.size());
  for (int64_t i = 0; i < n; ++i) {
    std::vector<std::optional<int64_t>> values;
    values.push_back(i >= 1 ? std::optional<int64_t>(rows[i - 1].value) : std::nullopt);
    values.push_back(i + 2 < n ? rows[i + 2].value : -1);
    int64_t sum = 0;
    for (int64_t j = std::max<int64_t>(0, i - 2); j <= std::min(n - 1, i + 1); ++j) {
      sum += rows[j].value;
    }
    values.push_back(sum);
    int64_t count = 0;
    int64_t ahead = 0;
    int64_t max = rows[0].value;
    for (int64_t j = 0; j < n; ++j) {
      if (rows[j].time >= rows[i].time - 3 && rows[j].time <= rows[i].time) ++count;
      if (rows[j].time >= rows[i].time && rows[j].time <= rows[i].time + 2) ahead += rows[j].value;
      if (j <= i) max = std::max(max, rows[j].value);
    }
    values.push_back(count);
    values.push_back(max);
    values.push_back(ahead);
    result[rows[i].id] = values;
  }
  return result;
}

void RunOver(uint32_t seed) {
  std::mt19937 random(seed);
  OverDefinition definition;
  definition.partition_by.push_back(Column(0));
  definition.partition_types.push_back(DataType::BigInt());
  definition.order_by.push_back(*ExpressionEvaluator::Make(
      sql::MakeColumn(1, "t", DataType::Timestamp()), EvaluatorOptions{}));
  definition.directions.push_back(SortDirection{});
  definition.calls = OverCalls();
  definition.input_columns = 4;
  std::vector<Field> fields = OverInputSchema()->fields();
  for (size_t c = 0; c < definition.calls.size(); ++c) {
    fields.push_back(Field{"c" + std::to_string(c), DataType::BigInt(), true});
  }
  definition.output_schema = Schema::Make(fields);
  definition.time_column = 1;
  OverOperator op(std::move(definition));
  CollectingOutput out;

  // Times in increasing order with duplicates, then shuffled within a delay of 4.
  std::vector<OverRow> rows;
  int64_t time = 0;
  for (int64_t id = 0; id < 300; ++id) {
    time += random() % 3;
    rows.push_back(OverRow{static_cast<int64_t>(random() % 5), time, id,
                           static_cast<int64_t>(random() % 100) - 50});
  }
  for (size_t i = 0; i + 1 < rows.size(); ++i) {
    const size_t j = i + random() % 3;
    if (j < rows.size() && rows[j].time - rows[i].time <= 4) std::swap(rows[i], rows[j]);
  }
  // Suffix minima: the watermark may never pass a row still to come.
  std::vector<int64_t> suffix_min(rows.size() + 1, INT64_MAX);
  for (size_t i = rows.size(); i-- > 0;) suffix_min[i] = std::min(suffix_min[i + 1], rows[i].time);
  size_t position = 0;
  int64_t watermark = kMinWatermark;
  while (position < rows.size()) {
    const size_t size = std::min(rows.size() - position, 1 + random() % 20);
    ColumnBuilder p(DataType::BigInt());
    ColumnBuilder t(DataType::Timestamp());
    ColumnBuilder id(DataType::BigInt());
    ColumnBuilder v(DataType::BigInt());
    for (size_t i = position; i < position + size; ++i) {
      p.AppendFixed<int64_t>(rows[i].partition);
      t.AppendFixed<int64_t>(rows[i].time);
      id.AppendFixed<int64_t>(rows[i].id);
      v.AppendFixed<int64_t>(rows[i].value);
    }
    position += size;
    ChangeBatch batch;
    batch.rows = *Batch::Make(OverInputSchema(), {p.Finish(), t.Finish(), id.Finish(), v.Finish()});
    ASSERT_TRUE(op.Process(0, batch, out).ok());
    if (random() % 2 == 0 && suffix_min[position] != INT64_MAX) {
      const int64_t limit = suffix_min[position];
      const int64_t low = std::max<int64_t>(watermark == kMinWatermark ? 0 : watermark, 0);
      if (limit >= low) {
        watermark = low + static_cast<int64_t>(random() % static_cast<uint64_t>(limit - low + 1));
        ASSERT_TRUE(op.OnWatermark(0, watermark, out).ok());
      }
    }
  }
  ASSERT_TRUE(op.OnWatermark(0, kMaxWatermark, out).ok());
  EXPECT_EQ(op.metrics().late_rows, 0);

  std::map<int64_t, std::vector<OverRow>> partitions;
  for (const OverRow& row : rows) partitions[row.partition].push_back(row);
  // Arrival order decides ties: the partitions keep the rows in the order they were fed.
  std::map<int64_t, std::vector<std::optional<int64_t>>> expected;
  for (const auto& [partition, partition_rows] : partitions) {
    for (auto& [id, values] : BatchOver(partition_rows)) expected[id] = values;
  }
  std::map<int64_t, std::vector<std::optional<int64_t>>> actual;
  size_t watermark_index = 0;
  int64_t watermark_before = kMinWatermark;
  for (size_t b = 0; b < out.batches.size(); ++b) {
    while (watermark_index < out.watermarks_at_batch.size() &&
           out.watermarks_at_batch[watermark_index].first <= b) {
      watermark_before = out.watermarks_at_batch[watermark_index].second;
      ++watermark_index;
    }
    const ChangeBatch& batch = out.batches[b];
    ASSERT_TRUE(batch.append_only());
    for (int64_t row = 0; row < batch.num_rows(); ++row) {
      // Never behind the output watermark emitted before it.
      ASSERT_GE(batch.rows.column(1).Values<int64_t>()[row], watermark_before);
      const int64_t id = batch.rows.column(2).Values<int64_t>()[row];
      ASSERT_EQ(actual.count(id), 0u) << "row emitted twice";
      std::vector<std::optional<int64_t>> values;
      for (int c = 4; c < 10; ++c) {
        const auto& column = batch.rows.column(c);
        values.push_back(column.IsNull(row)
                             ? std::nullopt
                             : std::optional<int64_t>(column.Values<int64_t>()[row]));
      }
      actual[id] = values;
    }
  }
  EXPECT_EQ(actual, expected) << "seed " << seed;
}

/// Over a changelog: random insertions and retractions; the consolidated output must be the
/// batch evaluation of the live rows.
void RunOverChangelog(uint32_t seed) {
  std::mt19937 random(seed);
  OverDefinition definition;
  definition.partition_by.push_back(Column(0));
  definition.partition_types.push_back(DataType::BigInt());
  definition.order_by.push_back(*ExpressionEvaluator::Make(
      sql::MakeColumn(1, "t", DataType::Timestamp()), EvaluatorOptions{}));
  definition.directions.push_back(SortDirection{});
  definition.calls = OverCalls();
  definition.input_columns = 4;
  std::vector<Field> fields = OverInputSchema()->fields();
  for (size_t c = 0; c < definition.calls.size(); ++c) {
    fields.push_back(Field{"c" + std::to_string(c), DataType::BigInt(), true});
  }
  definition.output_schema = Schema::Make(fields);
  definition.input_changelog = true;
  OverOperator op(std::move(definition));
  CollectingOutput out;

  std::vector<OverRow> live;
  int64_t next_id = 0;
  for (int step = 0; step < 40; ++step) {
    std::vector<OverRow> rows;
    std::vector<int8_t> weights;
    const int size = std::uniform_int_distribution<int>(1, 8)(random);
    for (int i = 0; i < size; ++i) {
      if (!live.empty() && random() % 3 == 0) {
        const size_t victim = random() % live.size();
        rows.push_back(live[victim]);
        weights.push_back(-1);
        live.erase(live.begin() + static_cast<std::ptrdiff_t>(victim));
        continue;
      }
      OverRow row{static_cast<int64_t>(random() % 3), static_cast<int64_t>(random() % 20),
                  next_id++, static_cast<int64_t>(random() % 100) - 50};
      rows.push_back(row);
      weights.push_back(1);
      live.push_back(row);
    }
    ColumnBuilder p(DataType::BigInt());
    ColumnBuilder t(DataType::Timestamp());
    ColumnBuilder id(DataType::BigInt());
    ColumnBuilder v(DataType::BigInt());
    for (const OverRow& row : rows) {
      p.AppendFixed<int64_t>(row.partition);
      t.AppendFixed<int64_t>(row.time);
      id.AppendFixed<int64_t>(row.id);
      v.AppendFixed<int64_t>(row.value);
    }
    ChangeBatch batch;
    batch.rows = *Batch::Make(OverInputSchema(), {p.Finish(), t.Finish(), id.Finish(), v.Finish()});
    batch.weights = weights;
    ASSERT_TRUE(op.Process(0, batch, out).ok());
  }
  // Consolidated output: id -> (values, weight).
  std::map<std::vector<std::optional<int64_t>>, int> output;
  for (const ChangeBatch& batch : out.batches) {
    for (int64_t row = 0; row < batch.num_rows(); ++row) {
      std::vector<std::optional<int64_t>> line;
      for (int c = 0; c < 10; ++c) {
        const auto& column = batch.rows.column(c);
        line.push_back(column.IsNull(row) ? std::nullopt
                                          : std::optional<int64_t>(column.Values<int64_t>()[row]));
      }
      output[line] += batch.weight(row);
    }
  }
  std::map<std::vector<std::optional<int64_t>>, int> actual;
  for (const auto& [line, weight] : output) {
    ASSERT_GE(weight, 0) << "seed " << seed;
    if (weight > 0) actual[line] = weight;
  }
  // Ties in time rank by arrival: `live` keeps arrival order.
  std::map<int64_t, std::vector<OverRow>> partitions;
  for (const OverRow& row : live) partitions[row.partition].push_back(row);
  std::map<std::vector<std::optional<int64_t>>, int> expected;
  for (const auto& [partition, partition_rows] : partitions) {
    const auto values = BatchOver(partition_rows);
    for (const OverRow& row : partition_rows) {
      std::vector<std::optional<int64_t>> line = {row.partition, row.time, row.id, row.value};
      for (const auto& value : values.at(row.id)) line.push_back(value);
      ++expected[line];
    }
  }
  EXPECT_EQ(actual, expected) << "seed " << seed;
}

TEST(AnalyticDifferentialTest, OverChangelogMatchesBatchEvaluationOfLiveRows) {
  for (uint32_t seed = 1; seed <= 30; ++seed) RunOverChangelog(seed);
}

TEST(AnalyticDifferentialTest, OverMatchesBatchEvaluation) {
  for (uint32_t seed = 1; seed <= 30; ++seed) RunOver(seed);
}

// ---------------------------------------------------------------------------------------------
// Checkpoints

struct TopNSnapshotCase {
  TopNCase top;
  int64_t offset = 0;
  bool bounded = false;
  bool ttl = false;
  bool rank_column = true;
  int64_t partitions = 5;  // Distinct partition keys of the input.
};

std::unique_ptr<Operator> MakeTopN(const TopNSnapshotCase& c, const Clock* clock) {
  TopNDefinition definition;
  definition.partition_by.push_back(Column(0));
  definition.partition_types.push_back(DataType::BigInt());
  definition.order_by.push_back(Column(1));
  definition.directions.push_back(SortDirection{c.top.descending, c.top.nulls_first});
  definition.limit = c.top.limit;
  definition.offset = c.offset;
  definition.rank_function = c.top.rank_function;
  definition.rank_column = c.rank_column;
  definition.input_columns = 3;
  std::vector<Field> fields = {Field{"p", DataType::BigInt(), false},
                               Field{"o", DataType::BigInt(), true},
                               Field{"id", DataType::BigInt(), false}};
  if (c.rank_column) fields.push_back(Field{"r", DataType::BigInt(), false});
  definition.output_schema = Schema::Make(std::move(fields));
  definition.input_changelog = c.top.changelog;
  definition.bounded = c.bounded;
  if (c.ttl) {
    definition.state_ttl_micros = 100;
    definition.clock = clock;
  }
  return std::make_unique<TopNOperator>(std::move(definition));
}

std::vector<OperatorStep> TopNSteps(const TopNSnapshotCase& c, uint32_t seed) {
  std::mt19937 random(seed);
  std::vector<OperatorStep> steps;
  std::vector<TestRow> live;
  int64_t next_id = 0;
  int64_t now = 0;
  for (int step = 0; step < 50; ++step) {
    std::vector<TestRow> rows;
    std::vector<int8_t> weights;
    const int size = std::uniform_int_distribution<int>(1, 12)(random);
    for (int i = 0; i < size; ++i) {
      if (c.top.changelog && !live.empty() && random() % 3 == 0) {
        const size_t victim = random() % live.size();
        rows.push_back(live[victim]);
        weights.push_back(-1);
        live.erase(live.begin() + static_cast<std::ptrdiff_t>(victim));
        continue;
      }
      TestRow row;
      row.partition = static_cast<int64_t>(random() % static_cast<uint64_t>(c.partitions));
      if (random() % 8 != 0) row.order = static_cast<int64_t>(random() % 6);
      row.id = next_id++;
      rows.push_back(row);
      weights.push_back(1);
      live.push_back(row);
    }
    if (!c.top.changelog) weights.clear();
    if (c.ttl) {
      now += static_cast<int64_t>(random() % 40);
      steps.push_back(OperatorStep::Clock(now));
    }
    steps.push_back(OperatorStep::Rows(0, MakeBatch(rows, weights)));
    if (c.ttl && random() % 4 == 0) {
      now += static_cast<int64_t>(random() % 80);
      steps.push_back(OperatorStep::Timer(now));
    }
    if (random() % 5 == 0) steps.push_back(OperatorStep::Watermark(0, step));
  }
  steps.push_back(OperatorStep::Watermark(0, kMaxWatermark));
  return steps;
}

/// The Top-N of a seed: order direction, NULL placement, limit, offset and rank column vary.
TopNSnapshotCase SnapshotCaseFor(uint32_t seed, sql::RankFunction rank_function, bool changelog) {
  TopNSnapshotCase c{};
  c.top = TopNCase{rank_function, seed % 2 == 0, seed % 3 == 0, static_cast<int64_t>(1 + seed % 4),
                   changelog};
  c.offset = seed % 3 == 1 ? 1 : 0;
  c.rank_column = seed % 6 != 5;
  return c;
}

TEST(AnalyticSnapshotTest, TopNRestoredMidStreamGivesTheSameOutput) {
  ManualClock clock;
  for (uint32_t seed = 1; seed <= 12; ++seed) {
    for (sql::RankFunction rank_function :
         {sql::RankFunction::kRowNumber, sql::RankFunction::kRank, sql::RankFunction::kDenseRank}) {
      for (bool changelog : {false, true}) {
        TopNSnapshotCase c = SnapshotCaseFor(seed, rank_function, changelog);
        c.bounded = seed % 5 == 0;
        c.ttl = !c.bounded && seed % 4 == 1;
        SCOPED_TRACE(fmt::format(
            "seed {} rank function {} changelog {} offset {} bounded {} "
            "ttl {}",
            seed, static_cast<int>(rank_function), changelog, c.offset, c.bounded, c.ttl));
        OperatorFactory make = [&] { return MakeTopN(c, &clock); };
        const std::vector<std::string> states =
            ExpectSnapshotsAreTransparent(make, TopNSteps(c, seed), seed, &clock);
        if (seed % 4 == 0 && !states.empty()) ExpectDamagedStateRefused(make, states.back(), seed);
      }
    }
  }
}

/// A Top-N state of version 2 in a form independent of the order of its partitions: the head
/// (sequence and counters), then per partition key (sorted) its header and its rows (values
/// and sequences) as text. Equal for two states exactly when they hold the same content.
std::string CanonicalTopNState(const std::string& state) {
  storage::StateReader reader(state, "canonical");
  EXPECT_EQ(reader.ReadVersion(2), 2u);
  std::string head = fmt::format("sequence {}", reader.VarU64());
  for (int i = 0; i < 6; ++i) head += fmt::format(" {}", reader.VarI64());
  std::map<std::string, std::string> partitions;
  for (;;) {
    const size_t count = reader.Count(6);
    if (!reader.ok() || count == 0) break;
    std::vector<std::pair<std::string, size_t>> headers;  // (key, rows)
    for (size_t p = 0; p < count; ++p) {
      std::string key = reader.Bytes();
      const size_t rows = reader.VarU64();
      std::string text = fmt::format("rows {} full {} touch {} ttl {} out", rows, reader.Bool(),
                                     reader.VarI64(), reader.Bool());
      const size_t emitted = reader.VarU64();
      for (size_t e = 0; e < emitted && reader.ok(); ++e) {
        const uint64_t index = reader.VarU64();
        text += fmt::format(" {}@{}", index, reader.VarI64());
      }
      partitions[key] = text;
      headers.emplace_back(key, rows);
    }
    const uint64_t total = reader.VarU64();
    if (total == 0) continue;
    const Batch rows = reader.BatchOf();
    int64_t row = 0;
    for (const auto& [key, count_of_key] : headers) {
      for (size_t r = 0; r < count_of_key && row < rows.num_rows(); ++r, ++row) {
        std::string& text = partitions[key];
        text += " |";
        for (int c = 0; c < rows.num_columns(); ++c) {
          text += " " + rows.column(c).GetValue(row).ToString();
        }
        text += fmt::format(" #{}", reader.VarU64());
      }
    }
  }
  std::string text = head;
  for (const auto& [key, partition] : partitions) {
    text += "\n" + fmt::format("{:?}", key) + ": " + partition;
  }
  text += fmt::format("\ndirty {}", reader.VarU64());
  const size_t ttl = reader.VarU64();
  text += fmt::format("\nttl {}:", ttl);
  for (size_t i = 0; i < ttl && reader.ok(); ++i) {
    const int64_t deadline = reader.VarI64();
    text += fmt::format(" {}@{:?}", deadline, reader.Bytes());
  }
  EXPECT_TRUE(reader.Finish().ok());
  return text;
}

/// An incremental snapshot begun before a random step and written a partition or so per call
/// while the following steps run: the operator's output is unchanged, and a fresh operator
/// restored from the completed state goes on exactly as the uninterrupted run, counters
/// included. (Partitions set aside come last in the state, so its bytes differ from the
/// barrier's; their meaning must not.)
void ExpectTopNIncrementalSnapshotExact(const TopNSnapshotCase& c, uint32_t seed) {
  const std::vector<OperatorStep> steps = TopNSteps(c, seed);
  std::mt19937 random(seed * 17 + 3);
  ManualClock clock;  // state_ttl: the steps set it.
  RecordingOutput expected;
  clock.SetNowMicros(0);
  ASSERT_TRUE(
      RunOperatorSteps(*MakeTopN(c, &clock), steps, 0, steps.size(), &clock, expected).ok());
  for (int attempt = 0; attempt < 3; ++attempt) {
    const size_t cut = 1 + random() % (steps.size() - 2);
    SCOPED_TRACE(fmt::format("barrier before step {}", cut));
    clock.SetNowMicros(0);
    std::unique_ptr<Operator> op = MakeTopN(c, &clock);
    RecordingOutput out;
    ASSERT_TRUE(RunOperatorSteps(*op, steps, 0, cut, &clock, out).ok());
    const size_t events_before = out.events.size();
    const int64_t now_at_barrier = clock.NowMicros();
    storage::StateWriter at_barrier;
    ASSERT_TRUE(op->Snapshot(at_barrier).ok());
    Result<bool> begun = op->BeginSnapshot();
    ASSERT_TRUE(begun.ok() && *begun) << begun.status();
    std::optional<StatePieces> pieces;
    size_t step = cut;
    while (!pieces) {
      for (int b = static_cast<int>(random() % 3); b > 0 && step < steps.size(); --b, ++step) {
        ASSERT_TRUE(RunOperatorSteps(*op, steps, step, step + 1, &clock, out).ok());
      }
      Result<std::optional<StatePieces>> more = op->ContinueSnapshot(1);
      ASSERT_TRUE(more.ok()) << more.status();
      pieces = std::move(*more);
    }
    ASSERT_TRUE(RunOperatorSteps(*op, steps, step, steps.size(), &clock, out).ok());
    EXPECT_EQ(FirstDifference(expected.events, out.events), "") << "the snapshotting operator";
    std::string state;
    for (const std::string& piece : *pieces) state += piece;
    // The same content as the state at the barrier, partition by partition.
    EXPECT_EQ(CanonicalTopNState(state), CanonicalTopNState(at_barrier.data()));
    std::unique_ptr<Operator> restored = MakeTopN(c, &clock);
    storage::StateReader reader(state, "test state");
    ASSERT_TRUE(restored->Restore(reader).ok());
    ASSERT_TRUE(reader.Finish().ok());
    RecordingOutput after;
    clock.SetNowMicros(now_at_barrier);
    ASSERT_TRUE(RunOperatorSteps(*restored, steps, cut, steps.size(), &clock, after).ok());
    std::vector<std::string> whole(out.events.begin(),
                                   out.events.begin() + static_cast<std::ptrdiff_t>(events_before));
    whole.insert(whole.end(), after.events.begin(), after.events.end());
    EXPECT_EQ(FirstDifference(expected.events, whole), "") << "restored";
    clock.SetNowMicros(0);
    std::unique_ptr<Operator> uninterrupted = MakeTopN(c, &clock);
    RecordingOutput ignored;
    ASSERT_TRUE(RunOperatorSteps(*uninterrupted, steps, 0, steps.size(), &clock, ignored).ok());
    EXPECT_EQ(restored->MetricsText(), uninterrupted->MetricsText());
  }
}

TEST(AnalyticSnapshotTest, TopNIncrementalSnapshotsAreTheStateAtTheBarrier) {
  for (uint32_t seed = 1; seed <= 16; ++seed) {
    for (sql::RankFunction rank_function :
         {sql::RankFunction::kRowNumber, sql::RankFunction::kRank, sql::RankFunction::kDenseRank}) {
      for (bool changelog : {false, true}) {
        TopNSnapshotCase c = SnapshotCaseFor(seed, rank_function, changelog);
        c.ttl = seed % 4 == 1;  // Partitions expire and come back while the snapshot runs.
        // Many keys now and then: the TTL index then takes several calls to write, with
        // entries set aside and added meanwhile.
        if (seed % 8 == 1) c.partitions = 60;
        SCOPED_TRACE(fmt::format("seed {} rank function {} changelog {} ttl {}", seed,
                                 static_cast<int>(rank_function), changelog, c.ttl));
        ExpectTopNIncrementalSnapshotExact(c, seed);
      }
    }
  }
}

/// The partition the snapshot would write next goes (its only row retracted) before it is
/// written: it is set aside, and the snapshot moves on to the next one.
TEST(AnalyticSnapshotTest, TopNPartitionGoneAtTheCursorIsSetAside) {
  TopNSnapshotCase c;
  c.top = TopNCase{sql::RankFunction::kRowNumber, false, false, 2, true};
  std::unique_ptr<Operator> op = MakeTopN(c, nullptr);
  std::unique_ptr<Operator> reference = MakeTopN(c, nullptr);
  RecordingOutput out;
  const std::vector<TestRow> rows = {TestRow{1, 10, 0}, TestRow{2, 20, 1}, TestRow{3, 30, 2}};
  ASSERT_TRUE(op->Process(0, MakeBatch(rows, {1, 1, 1}), out).ok());
  ASSERT_TRUE(reference->Process(0, MakeBatch(rows, {1, 1, 1}), out).ok());
  storage::StateWriter writer;
  ASSERT_TRUE(reference->Snapshot(writer).ok());
  Result<bool> begun = op->BeginSnapshot();
  ASSERT_TRUE(begun.ok() && *begun);
  // One call writes the first partition (a partition and its row use up 8 units).
  Result<std::optional<StatePieces>> first = op->ContinueSnapshot(1);
  ASSERT_TRUE(first.ok() && !first->has_value());
  ASSERT_TRUE(op->Process(0, MakeBatch({TestRow{2, 20, 1}}, {-1}), out).ok());
  const std::string state = FinishSnapshot(*op);
  ASSERT_FALSE(state.empty());
  std::unique_ptr<Operator> restored = MakeTopN(c, nullptr);
  storage::StateReader reader(state, "test state");
  ASSERT_TRUE(restored->Restore(reader).ok());
  ASSERT_TRUE(reader.Finish().ok());
  EXPECT_EQ(restored->MetricsText(), reference->MetricsText());
  // All three partitions came back: retracting each one's row retracts its output row.
  RecordingOutput restored_out;
  RecordingOutput reference_out;
  ASSERT_TRUE(restored->Process(0, MakeBatch(rows, {-1, -1, -1}), restored_out).ok());
  ASSERT_TRUE(reference->Process(0, MakeBatch(rows, {-1, -1, -1}), reference_out).ok());
  EXPECT_EQ(restored_out.events, reference_out.events);
  EXPECT_NE(restored->MetricsText().find("live partitions 0"), std::string::npos)
      << restored->MetricsText();
}

/// A snapshot cancelled half-way leaves nothing behind: the next one is the state at its
/// barrier.
TEST(AnalyticSnapshotTest, TopNSnapshotAfterACancelledOneIsExact) {
  const TopNSnapshotCase c = SnapshotCaseFor(5, sql::RankFunction::kRank, true);
  const std::vector<OperatorStep> steps = TopNSteps(c, 5);
  std::unique_ptr<Operator> op = MakeTopN(c, nullptr);
  RecordingOutput out;
  const size_t first = steps.size() / 3;
  const size_t second = 2 * steps.size() / 3;
  ASSERT_TRUE(RunOperatorSteps(*op, steps, 0, first, nullptr, out).ok());
  Result<bool> begun = op->BeginSnapshot();
  ASSERT_TRUE(begun.ok() && *begun);
  ASSERT_TRUE(op->ContinueSnapshot(1).ok());
  ASSERT_TRUE(RunOperatorSteps(*op, steps, first, first + 2, nullptr, out).ok());
  op->CancelSnapshot();
  EXPECT_FALSE(op->ContinueSnapshot(1).ok());
  ASSERT_TRUE(RunOperatorSteps(*op, steps, first + 2, second, nullptr, out).ok());
  storage::StateWriter at_barrier;
  ASSERT_TRUE(op->Snapshot(at_barrier).ok());
  begun = op->BeginSnapshot();
  ASSERT_TRUE(begun.ok() && *begun);
  std::optional<StatePieces> pieces;
  for (size_t step = second; !pieces; ++step) {
    if (step < steps.size()) {
      ASSERT_TRUE(RunOperatorSteps(*op, steps, step, step + 1, nullptr, out).ok());
    }
    Result<std::optional<StatePieces>> more = op->ContinueSnapshot(1);
    ASSERT_TRUE(more.ok()) << more.status();
    pieces = std::move(*more);
  }
  std::string state;
  for (const std::string& piece : *pieces) state += piece;
  EXPECT_EQ(CanonicalTopNState(state), CanonicalTopNState(at_barrier.data()));
}

/// state_ttl: a partition created after the barrier, at the barrier's time, gets a TTL entry
/// that sorts among the barrier's (same deadline, smaller key): the snapshot skips it.
TEST(AnalyticSnapshotTest, TopNTtlEntriesAddedSinceTheBarrierAreSkipped) {
  ManualClock clock(0);
  TopNSnapshotCase c = SnapshotCaseFor(1, sql::RankFunction::kRowNumber, false);
  c.ttl = true;
  std::unique_ptr<Operator> op = MakeTopN(c, &clock);
  RecordingOutput out;
  ASSERT_TRUE(op->Process(0, MakeBatch({TestRow{1, 10, 0}}, {}), out).ok());
  storage::StateWriter at_barrier;
  ASSERT_TRUE(op->Snapshot(at_barrier).ok());
  Result<bool> begun = op->BeginSnapshot();
  ASSERT_TRUE(begun.ok() && *begun);
  ASSERT_TRUE(op->Process(0, MakeBatch({TestRow{0, 20, 1}}, {}), out).ok());
  const std::string state = FinishSnapshot(*op);
  ASSERT_FALSE(state.empty());
  EXPECT_EQ(CanonicalTopNState(state), CanonicalTopNState(at_barrier.data()));
}

TEST(AnalyticSnapshotTest, BoundedTopNSnapshotsAtTheBarrier) {
  TopNSnapshotCase bounded{};
  bounded.bounded = true;
  std::unique_ptr<Operator> op = MakeTopN(bounded, nullptr);
  Result<bool> begun = op->BeginSnapshot();
  ASSERT_TRUE(begun.ok());
  EXPECT_FALSE(*begun);
}

/// Version 1 states (every header, then the rows in chunks across partitions), from
/// testdata/, written by the build before version 2 after half the steps of seed 7: restored,
/// the operator goes on as the one that wrote them.
TEST(AnalyticSnapshotTest, TopNFormatVersionOneIsStillRead) {
  for (bool changelog : {false, true}) {
    SCOPED_TRACE(changelog);
    TopNSnapshotCase c;
    c.top = TopNCase{sql::RankFunction::kRank, true, false, 3, changelog};
    c.offset = 1;
    const std::string state =
        ReadHexState("src/exec/analytic/testdata",
                     changelog ? "top_n_state_v1_changelog.hex" : "top_n_state_v1_append_only.hex");
    ASSERT_FALSE(state.empty());
    storage::StateReader frame(state, "test");
    ASSERT_EQ(frame.ReadVersion(2), 1u);
    const std::vector<OperatorStep> steps = TopNSteps(c, 7);
    OperatorFactory make = [&] { return MakeTopN(c, nullptr); };
    EXPECT_GT(ExpectStateGoesOn(make, steps, steps.size() / 2, state), 5u);
  }
}

enum class OverMode { kStreaming, kChangelog, kBounded };

/// Without LEAD and ROWS frames ending FOLLOWING (`with_following` false), a partition whose
/// rows are all released is emitted and goes inactive (those keep each partition's last row
/// pending until a later one comes). `range_only`: of OverCalls() only the COUNT over RANGE 3
/// PRECEDING (whose eviction follows the watermark, not the rows emitted).
std::unique_ptr<Operator> MakeOver(OverMode mode, bool with_following = true,
                                   bool range_only = false) {
  OverDefinition definition;
  definition.partition_by.push_back(Column(0));
  definition.partition_types.push_back(DataType::BigInt());
  definition.order_by.push_back(*ExpressionEvaluator::Make(
      sql::MakeColumn(1, "t", DataType::Timestamp()), EvaluatorOptions{}));
  definition.directions.push_back(SortDirection{});
  definition.calls = OverCalls();
  if (range_only) {
    std::erase_if(definition.calls, [](const OverCallDefinition& call) {
      return call.frame_kind != sql::FrameKind::kRange || call.start != -3;
    });
  }
  if (!with_following) {
    std::erase_if(definition.calls, [](const OverCallDefinition& call) {
      return call.kind == OverCallDefinition::Kind::kLead;
    });
    for (OverCallDefinition& call : definition.calls) {
      if (call.frame_kind == sql::FrameKind::kRows) call.end = std::min<int64_t>(call.end, 0);
    }
  }
  // Also DENSE_RANK (not streaming: a stream needs it as a Top-N) and a running AVG.
  if (mode != OverMode::kStreaming) {
    OverCallDefinition rank;
    rank.kind = OverCallDefinition::Kind::kDenseRank;
    rank.type = DataType::BigInt();
    definition.calls.push_back(std::move(rank));
  }
  OverCallDefinition average;
  average.kind = OverCallDefinition::Kind::kAvg;
  average.argument =
      *ExpressionEvaluator::Make(sql::MakeColumn(3, "v", DataType::BigInt()), EvaluatorOptions{});
  average.type = DataType::Double();
  definition.calls.push_back(std::move(average));
  definition.input_columns = 4;
  std::vector<Field> fields = OverInputSchema()->fields();
  for (const OverCallDefinition& call : definition.calls) {
    fields.push_back(Field{"c" + std::to_string(fields.size()), call.type, true});
  }
  definition.output_schema = Schema::Make(fields);
  definition.time_column = mode == OverMode::kStreaming ? 1 : -1;
  definition.input_changelog = mode == OverMode::kChangelog;
  definition.bounded = mode == OverMode::kBounded;
  return std::make_unique<OverOperator>(std::move(definition));
}

/// Random batches (`batches` of them, keys 0 .. partitions - 1) and watermarks, then the end.
std::vector<OperatorStep> OverSteps(OverMode mode, uint32_t seed, int batches = 40,
                                    int partitions = 3) {
  std::mt19937 random(seed);
  std::vector<OperatorStep> steps;
  std::vector<OverRow> live;
  int64_t next_id = 0;
  int64_t time = 0;
  int64_t watermark = 0;
  for (int step = 0; step < batches; ++step) {
    std::vector<OverRow> rows;
    std::vector<int8_t> weights;
    const int size = std::uniform_int_distribution<int>(1, 10)(random);
    for (int i = 0; i < size; ++i) {
      if (mode == OverMode::kChangelog && !live.empty() && random() % 3 == 0) {
        const size_t victim = random() % live.size();
        rows.push_back(live[victim]);
        weights.push_back(-1);
        live.erase(live.begin() + static_cast<std::ptrdiff_t>(victim));
        continue;
      }
      time += static_cast<int64_t>(random() % 3);
      // Streaming: a few rows behind the watermark (late, dropped).
      const int64_t row_time = time - static_cast<int64_t>(random() % 4);
      OverRow row{static_cast<int64_t>(random() % partitions), row_time, next_id++,
                  static_cast<int64_t>(random() % 100) - 50};
      rows.push_back(row);
      weights.push_back(1);
      live.push_back(row);
    }
    ColumnBuilder p(DataType::BigInt());
    ColumnBuilder t(DataType::Timestamp());
    ColumnBuilder id(DataType::BigInt());
    ColumnBuilder v(DataType::BigInt());
    for (const OverRow& row : rows) {
      p.AppendFixed<int64_t>(row.partition);
      t.AppendFixed<int64_t>(row.time);
      id.AppendFixed<int64_t>(row.id);
      v.AppendFixed<int64_t>(row.value);
    }
    ChangeBatch batch;
    batch.rows = *Batch::Make(OverInputSchema(), {p.Finish(), t.Finish(), id.Finish(), v.Finish()});
    if (mode == OverMode::kChangelog) batch.weights = weights;
    steps.push_back(OperatorStep::Rows(0, std::move(batch)));
    if (random() % 2 == 0) {
      watermark = std::max(watermark, time - static_cast<int64_t>(random() % 5));
      steps.push_back(OperatorStep::Watermark(0, watermark));
    }
  }
  steps.push_back(OperatorStep::Watermark(0, kMaxWatermark));
  return steps;
}

TEST(AnalyticSnapshotTest, OverRestoredMidStreamGivesTheSameOutput) {
  for (const OverMode mode : {OverMode::kStreaming, OverMode::kChangelog, OverMode::kBounded}) {
    for (uint32_t seed = 1; seed <= 10; ++seed) {
      SCOPED_TRACE(fmt::format("mode {} seed {}", static_cast<int>(mode), seed));
      OperatorFactory make = [&] { return MakeOver(mode); };
      const std::vector<std::string> states =
          ExpectSnapshotsAreTransparent(make, OverSteps(mode, seed), seed);
      if (seed % 5 == 0 && !states.empty()) ExpectDamagedStateRefused(make, states.back(), seed);
    }
  }
}

TEST(AnalyticSnapshotTest, OverIncrementalSnapshotsAreExact) {
  // 40 partitions: writing them takes many calls, while batches append rows to partitions not
  // written yet (noted, not copied), watermarks release, emit and evict their rows (copied
  // first), changelog rows are applied, and partitions are created.
  size_t interleaved_total = 0;
  for (const auto& [mode, with_following] :
       {std::pair{OverMode::kStreaming, true}, std::pair{OverMode::kStreaming, false},
        std::pair{OverMode::kChangelog, true}}) {
    for (uint32_t seed = 1; seed <= 6; ++seed) {
      SCOPED_TRACE(fmt::format("mode {} following {} seed {}", static_cast<int>(mode),
                               with_following, seed));
      OperatorFactory make = [&] { return MakeOver(mode, with_following); };
      ExpectIncrementalCaseIsExact(make, OverSteps(mode, seed, 200, 40), seed, seed == 2,
                                   &interleaved_total);
    }
  }
  EXPECT_GT(interleaved_total, 1000u);
}

TEST(AnalyticSnapshotTest, OverSnapshotAfterACancelledOneIsExact) {
  const std::vector<OperatorStep> steps = OverSteps(OverMode::kStreaming, 4, 200, 40);
  RecordingOutput expected;
  std::unique_ptr<Operator> reference = MakeOver(OverMode::kStreaming);
  ASSERT_TRUE(RunOperatorSteps(*reference, steps, 0, steps.size(), nullptr, expected).ok());
  std::unique_ptr<Operator> op = MakeOver(OverMode::kStreaming);
  RecordingOutput actual;
  const size_t half = steps.size() / 2;
  ASSERT_TRUE(RunOperatorSteps(*op, steps, 0, half, nullptr, actual).ok());
  ASSERT_TRUE(op->BeginSnapshot().value());
  ASSERT_TRUE(op->ContinueSnapshot(1).ok());
  ASSERT_TRUE(RunOperatorSteps(*op, steps, half, half + 20, nullptr, actual).ok());
  op->CancelSnapshot();
  // The next one starts afresh: nothing noted or copied by the cancelled one leaks into it.
  ASSERT_TRUE(op->BeginSnapshot().value());
  ASSERT_TRUE(RunOperatorSteps(*op, steps, half + 20, half + 40, nullptr, actual).ok());
  const std::string state = FinishSnapshot(*op, 2);
  ASSERT_TRUE(RunOperatorSteps(*op, steps, half + 40, steps.size(), nullptr, actual).ok());
  EXPECT_EQ(FirstDifference(expected.events, actual.events), "");
  // Restored, the state goes on from the second barrier as the uninterrupted run did.
  ExpectStateGoesOn([] { return MakeOver(OverMode::kStreaming); }, steps, half + 20, state);
}

TEST(AnalyticSnapshotTest, OverEvictionWithoutEmissionKeepsTheBarrierRows) {
  // A RANGE frame reaching 3 back from the watermark: once a partition has emitted all its
  // released rows, a rising watermark evicts its old rows with nothing released or emitted.
  // Partition 0 is created last, so the snapshot's cursor reaches it last: the eviction
  // happens before it is written.
  auto batch = [](const std::vector<std::pair<int64_t, int64_t>>& rows) {  // (partition, time)
    ColumnBuilder p(DataType::BigInt());
    ColumnBuilder t(DataType::Timestamp());
    ColumnBuilder id(DataType::BigInt());
    ColumnBuilder v(DataType::BigInt());
    int64_t next = 0;
    for (const auto& [partition, time] : rows) {
      p.AppendFixed<int64_t>(partition);
      t.AppendFixed<int64_t>(time);
      id.AppendFixed<int64_t>(next++);
      v.AppendFixed<int64_t>(time * 10);
    }
    return ChangeBatch{
        *Batch::Make(OverInputSchema(), {p.Finish(), t.Finish(), id.Finish(), v.Finish()}), {}};
  };
  std::vector<std::pair<int64_t, int64_t>> others;
  for (int64_t k = 1; k <= 40; ++k) others.emplace_back(k, 1);
  std::vector<OperatorStep> steps = {
      OperatorStep::Rows(0, batch(others)),
      OperatorStep::Rows(0, batch({{0, 1}, {0, 2}, {0, 3}, {0, 4}, {0, 5}, {0, 100}})),
      OperatorStep::Watermark(0, 6), OperatorStep::Watermark(0, 8)};
  std::unique_ptr<Operator> op = MakeOver(OverMode::kStreaming, false, true);
  RecordingOutput out;
  ASSERT_TRUE(RunOperatorSteps(*op, steps, 0, steps.size(), nullptr, out).ok());
  storage::StateWriter at_barrier;
  ASSERT_TRUE(op->Snapshot(at_barrier).ok());
  ASSERT_TRUE(op->BeginSnapshot().value());
  ASSERT_TRUE(op->ContinueSnapshot(1).ok());
  ASSERT_TRUE(op->OnWatermark(0, 20, out).ok());  // Evicts partition 0's rows before 17.
  const std::string state = FinishSnapshot(*op);
  std::vector<std::string> metrics;
  std::vector<std::vector<std::string>> outputs;
  for (const std::string& bytes : {at_barrier.data(), state}) {
    std::unique_ptr<Operator> restored = MakeOver(OverMode::kStreaming, false, true);
    storage::StateReader reader(bytes, "test");
    ASSERT_TRUE(restored->Restore(reader).ok());
    ASSERT_TRUE(reader.Finish().ok());
    RecordingOutput rest;
    ASSERT_TRUE(restored->OnWatermark(0, 20, rest).ok());
    ASSERT_TRUE(restored->OnWatermark(0, kMaxWatermark, rest).ok());
    metrics.push_back(restored->MetricsText());
    outputs.push_back(rest.events);
  }
  EXPECT_EQ(metrics[1], metrics[0]);
  EXPECT_EQ(FirstDifference(outputs[0], outputs[1]), "");
}

TEST(AnalyticSnapshotTest, BoundedOverSnapshotsAtTheBarrier) {
  std::unique_ptr<Operator> op = MakeOver(OverMode::kBounded);
  Result<bool> begun = op->BeginSnapshot();
  ASSERT_TRUE(begun.ok());
  EXPECT_FALSE(*begun);
}

/// Version 1 states (every partition, then the active partitions' indexes), from testdata/,
/// written by the build before version 2 after half the steps of seed 7: restored, the
/// operator goes on as the one that wrote them.
TEST(AnalyticSnapshotTest, OverFormatVersionOneIsStillRead) {
  for (const OverMode mode : {OverMode::kStreaming, OverMode::kChangelog}) {
    SCOPED_TRACE(static_cast<int>(mode));
    const std::string state = ReadHexState(
        "src/exec/analytic/testdata", mode == OverMode::kStreaming ? "over_state_v1_streaming.hex"
                                                                   : "over_state_v1_changelog.hex");
    ASSERT_FALSE(state.empty());
    storage::StateReader frame(state, "test");
    ASSERT_EQ(frame.ReadVersion(2), 1u);
    const std::vector<OperatorStep> steps = OverSteps(mode, 7);
    OperatorFactory make = [&] { return MakeOver(mode); };
    EXPECT_GT(ExpectStateGoesOn(make, steps, steps.size() / 2, state), 3u);
  }
}

TEST(AnalyticSnapshotTest, ForgedOverStatesFailRestore) {
  // Version 2 by hand: the head, then two active partitions with the given activations; with
  // `values` (>= 0), the second has an unreleased row with that many input values.
  auto state = [](uint64_t first, uint64_t second, int values = -1) {
    storage::StateWriter writer;
    writer.WriteVersion(2);
    writer.I64(kMinWatermark);
    writer.I64(kMinWatermark);
    writer.Bool(false);
    writer.VarU64(0);  // next_sequence_
    writer.VarU64(2);  // next_activation_
    for (int i = 0; i < 7; ++i) writer.VarI64(0);
    writer.VarU64(2);
    for (const auto& [key, activation] : {std::pair<std::string, uint64_t>{"a", first},
                                          std::pair<std::string, uint64_t>{"b", second}}) {
      writer.Bytes(key);
      writer.Bool(true);
      writer.VarU64(activation);
      const bool with_row = values >= 0 && key == "b";
      writer.VarU64(with_row ? 1 : 0);  // unreleased
      if (with_row) {
        writer.VarU64(static_cast<uint64_t>(values));
        for (int c = 0; c < values; ++c) writer.ValueOf(Value::BigInt(c));
        writer.VarU64(1);  // ORDER BY
        writer.ValueOf(Value::Timestamp(5));
        for (int list = 0; list < 2; ++list) {  // Arguments, defaults.
          writer.VarU64(OverCalls().size() + 1);
          for (size_t c = 0; c < OverCalls().size() + 1; ++c) writer.ValueOf(Value::BigInt(1));
        }
        writer.VarI64(5);  // Range key.
        writer.VarI64(5);  // Time.
        writer.VarU64(0);  // Sequence.
      }
      writer.VarU64(0);  // history
      writer.VarI64(0);  // base
      writer.VarI64(0);  // next_emit
      writer.VarU64(OverCalls().size() + 1);
      for (size_t c = 0; c < OverCalls().size() + 1; ++c) {
        writer.VarI64(0);
        writer.VarI64(0);
        writer.F64(0);
        writer.ValueOf(Value());
        writer.ValueOf(Value());
        writer.VarI64(0);
      }
      writer.VarI64(0);  // dense_rank
      writer.VarU64(0);  // live
      writer.VarU64(0);  // emitted
    }
    writer.VarU64(0);
    return writer.Release();
  };
  auto restore = [](const std::string& bytes) {
    std::unique_ptr<Operator> fresh = MakeOver(OverMode::kStreaming);
    storage::StateReader reader(bytes, "forged");
    Status status = fresh->Restore(reader);
    if (status.ok()) status = reader.Finish();
    return status;
  };
  EXPECT_TRUE(restore(state(0, 1)).ok());  // The control.
  Status status = restore(state(1, 1));
  EXPECT_EQ(status.code(), ErrorCode::kCorruption);
  EXPECT_NE(status.message().find("activation repeated"), std::string::npos) << status;
  status = restore(state(0, 2));
  EXPECT_EQ(status.code(), ErrorCode::kCorruption);
  EXPECT_NE(status.message().find("not yet given"), std::string::npos) << status;
  // An unreleased row must have its input values: it has not been emitted.
  EXPECT_TRUE(restore(state(0, 1, 4)).ok());
  status = restore(state(0, 1, 0));
  EXPECT_EQ(status.code(), ErrorCode::kCorruption);
  EXPECT_NE(status.message().find("without its values"), std::string::npos) << status;
}

TEST(AnalyticSnapshotTest, StateOfANewerVersionIsRefused) {
  std::vector<std::unique_ptr<Operator>> operators;
  operators.push_back(MakeOver(OverMode::kStreaming));
  operators.push_back(MakeTopN(TopNSnapshotCase{}, nullptr));
  for (const std::unique_ptr<Operator>& op : operators) {
    storage::StateWriter writer;
    writer.WriteVersion(3);  // Newer than either's.
    storage::StateReader reader(writer.data(), "test");
    EXPECT_EQ(op->Restore(reader).code(), ErrorCode::kUnsupportedFormatVersion);
  }
}

}  // namespace
}  // namespace laminar::exec
