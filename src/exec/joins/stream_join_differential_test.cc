// The stream join operator against a nested-loop evaluation of the same join over all rows:
// random keys (with NULLs), times, values, batch splits and watermark positions (rows are never
// behind their side's watermark), and for regular joins random retractions of earlier rows.
// The consolidated output must equal the batch result for every join kind.
//
// Checkpoints: the same random inputs run without interruption and with Snapshot / Restore
// into a fresh operator at random points must give the same outputs, event for event.

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <array>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "columnar/column_builder.h"
#include "common/clock.h"
#include "exec/joins/stream_join_operator.h"
#include "exec/operators/snapshot_test_support.h"
#include "sql/plan/bound_expression.h"

namespace laminar::exec {
namespace {

using sql::JoinKind;

/// A row of either input: key (NULL when absent), value, time.
struct TestRow {
  std::optional<int64_t> key;
  int64_t value = 0;
  int64_t time = 0;
};

std::shared_ptr<const Schema> InputSchema(std::string_view prefix) {
  return Schema::Make({Field{fmt::format("{}_k", prefix), DataType::BigInt(), true},
                       Field{fmt::format("{}_v", prefix), DataType::BigInt(), true},
                       Field{fmt::format("{}_t", prefix), DataType::BigInt(), true}});
}

Batch MakeBatch(const std::shared_ptr<const Schema>& schema, const std::vector<TestRow>& rows) {
  ColumnBuilder key(DataType::BigInt());
  ColumnBuilder value(DataType::BigInt());
  ColumnBuilder time(DataType::BigInt());
  for (const TestRow& row : rows) {
    if (row.key) {
      key.AppendFixed<int64_t>(*row.key);
    } else {
      key.AppendNull();
    }
    value.AppendFixed<int64_t>(row.value);
    time.AppendFixed<int64_t>(row.time);
  }
  return Batch::Make(schema, {key.Finish(), value.Finish(), time.Finish()}).value();
}

struct JoinSpec {
  JoinKind kind = JoinKind::kInner;
  bool interval = true;
  bool residual = false;
  bool keyed = true;
  int64_t lower = 0;
  int64_t upper = 0;
};

bool Matches(const JoinSpec& spec, const TestRow& l, const TestRow& r) {
  if (spec.keyed && (!l.key || !r.key || *l.key != *r.key)) return false;
  if (spec.interval && (r.time - l.time < spec.lower || r.time - l.time > spec.upper)) {
    return false;
  }
  if (spec.residual && !(l.value < r.value)) return false;
  return true;
}

StreamJoinDefinition MakeDefinition(const JoinSpec& spec) {
  StreamJoinDefinition def;
  def.kind = spec.kind;
  def.left_schema = InputSchema("l");
  def.right_schema = InputSchema("r");
  std::vector<Field> fields;
  for (const Field& field : def.left_schema->fields()) fields.push_back(field);
  if (spec.kind != JoinKind::kSemi && spec.kind != JoinKind::kAnti) {
    for (const Field& field : def.right_schema->fields()) fields.push_back(field);
  }
  def.output_schema = Schema::Make(std::move(fields));
  const DataType bigint = DataType::BigInt();
  if (spec.keyed) {
    def.left_keys.push_back(ExpressionEvaluator::Make(sql::MakeColumn(0, "l_k", bigint)).value());
    def.right_keys.push_back(ExpressionEvaluator::Make(sql::MakeColumn(0, "r_k", bigint)).value());
    def.key_types.push_back(bigint);
  }
  std::vector<sql::BoundExprPtr> conjuncts;
  if (spec.interval) {
    sql::BoundExprPtr left_time = sql::MakeColumn(2, "l_t", bigint);
    sql::BoundExprPtr right_time = sql::MakeColumn(5, "r_t", bigint);
    conjuncts.push_back(sql::MakeCall(
        ">=", DataType::Boolean(),
        {right_time,
         sql::MakeCall("+", bigint, {left_time, sql::MakeConstant(Value::BigInt(spec.lower))})}));
    conjuncts.push_back(sql::MakeCall(
        "<=", DataType::Boolean(),
        {right_time,
         sql::MakeCall("+", bigint, {left_time, sql::MakeConstant(Value::BigInt(spec.upper))})}));
    def.time_bound = sql::JoinTimeBound{2, 2, spec.lower, spec.upper};
  }
  if (spec.residual) {
    conjuncts.push_back(
        sql::MakeCall("<", DataType::Boolean(),
                      {sql::MakeColumn(1, "l_v", bigint), sql::MakeColumn(4, "r_v", bigint)}));
  }
  if (conjuncts.size() == 1) {
    def.condition = ExpressionEvaluator::Make(conjuncts[0]).value();
  } else if (conjuncts.size() > 1) {
    def.condition =
        ExpressionEvaluator::Make(sql::MakeLogical(sql::BoundExpressionKind::kAnd, conjuncts))
            .value();
  }
  return def;
}

std::string Cell(const std::optional<int64_t>& value) {
  return value ? std::to_string(*value) : "NULL";
}

std::string RowText(const TestRow* l, const TestRow* r, bool keeps_right) {
  std::string text;
  auto append = [&](const TestRow* row) {
    text +=
        row ? fmt::format("{} {} {} ", Cell(row->key), row->value, row->time) : "NULL NULL NULL ";
  };
  append(l);
  if (keeps_right) append(r);
  return text;
}

/// The batch result: output row text -> multiplicity.
std::map<std::string, int64_t> Expected(const JoinSpec& spec, const std::vector<TestRow>& left,
                                        const std::vector<TestRow>& right) {
  const bool keeps_right = spec.kind != JoinKind::kSemi && spec.kind != JoinKind::kAnti;
  std::map<std::string, int64_t> result;
  std::vector<int> right_matched(right.size(), 0);
  for (const TestRow& l : left) {
    int matched = 0;
    for (size_t j = 0; j < right.size(); ++j) {
      if (!Matches(spec, l, right[j])) continue;
      ++matched;
      ++right_matched[j];
      if (keeps_right) ++result[RowText(&l, &right[j], true)];
    }
    const bool left_padded = spec.kind == JoinKind::kLeft || spec.kind == JoinKind::kFull;
    if (left_padded && matched == 0) ++result[RowText(&l, nullptr, true)];
    if (spec.kind == JoinKind::kSemi && matched > 0) ++result[RowText(&l, nullptr, false)];
    if (spec.kind == JoinKind::kAnti && matched == 0) ++result[RowText(&l, nullptr, false)];
  }
  if (spec.kind == JoinKind::kRight || spec.kind == JoinKind::kFull) {
    for (size_t j = 0; j < right.size(); ++j) {
      if (right_matched[j] == 0) ++result[RowText(nullptr, &right[j], true)];
    }
  }
  return result;
}

/// Consolidates what the operator emits, and checks that no row is behind the watermark the
/// operator emitted before it (interval joins: the time columns are watermarked).
class CollectingOutput final : public OperatorOutput {
 public:
  explicit CollectingOutput(bool check_watermark) : check_watermark_(check_watermark) {}

  Status Emit(const ChangeBatch& batch) override {
    for (int64_t row = 0; row < batch.num_rows(); ++row) {
      std::string text;
      for (int c = 0; c < batch.rows.num_columns(); ++c) {
        const Column& column = batch.rows.column(c);
        text += column.IsNull(row) ? "NULL " : fmt::format("{} ", column.Values<int64_t>()[row]);
        if (check_watermark_ && c % 3 == 2 && column.IsValid(row) &&
            column.Values<int64_t>()[row] < watermark) {
          ++rows_behind_watermark;
        }
      }
      rows[text] += batch.weight(row);
      if (rows[text] == 0) rows.erase(text);
    }
    return Status::Ok();
  }
  Status EmitWatermark(int64_t value) override {
    if (value < watermark) ++watermark_regressions;
    watermark = value;
    return Status::Ok();
  }

  std::map<std::string, int64_t> rows;
  int64_t watermark = kMinWatermark;
  int rows_behind_watermark = 0;
  int watermark_regressions = 0;

 private:
  bool check_watermark_;
};

void RunRandomized(const JoinSpec& spec, uint32_t seed) {
  SCOPED_TRACE(fmt::format("kind {} interval {} residual {} keyed {} seed {}",
                           sql::JoinKindName(spec.kind), spec.interval, spec.residual, spec.keyed,
                           seed));
  std::mt19937 random(seed);
  auto uniform = [&](int64_t low, int64_t high) {
    return std::uniform_int_distribution<int64_t>(low, high)(random);
  };
  StreamJoinOperator op(MakeDefinition(spec));
  CollectingOutput out(spec.interval);
  std::vector<TestRow> live[2];
  int64_t watermark[2] = {0, 0};
  const auto schema = std::array{InputSchema("l"), InputSchema("r")};
  const int steps = static_cast<int>(uniform(20, 60));
  for (int step = 0; step < steps; ++step) {
    const int side = static_cast<int>(uniform(0, 1));
    std::vector<TestRow> rows;
    std::vector<int8_t> weights;
    const int count = static_cast<int>(uniform(1, 8));
    for (int i = 0; i < count; ++i) {
      const bool retract = !spec.interval && !live[side].empty() && uniform(0, 3) == 0;
      if (retract) {
        const size_t index = static_cast<size_t>(uniform(0, live[side].size() - 1));
        rows.push_back(live[side][index]);
        weights.push_back(-1);
        live[side].erase(live[side].begin() + static_cast<std::ptrdiff_t>(index));
        continue;
      }
      TestRow row;
      if (uniform(0, 9) > 0) row.key = uniform(0, 4);
      row.value = uniform(0, 9);
      row.time = watermark[side] + uniform(0, 20);
      rows.push_back(row);
      weights.push_back(1);
      live[side].push_back(row);
    }
    ChangeBatch batch;
    batch.rows = MakeBatch(schema[side], rows);
    if (!spec.interval) batch.weights = weights;
    ASSERT_TRUE(op.Process(side, batch, out).ok());
    if (uniform(0, 2) == 0) {
      const int advance_side = static_cast<int>(uniform(0, 1));
      watermark[advance_side] += uniform(0, 12);
      ASSERT_TRUE(op.OnWatermark(advance_side, watermark[advance_side], out).ok());
    }
  }
  ASSERT_TRUE(op.OnWatermark(0, kMaxWatermark, out).ok());
  ASSERT_TRUE(op.OnWatermark(1, kMaxWatermark, out).ok());
  EXPECT_EQ(out.rows, Expected(spec, live[0], live[1]));
  EXPECT_EQ(out.rows_behind_watermark, 0);
  EXPECT_EQ(out.watermark_regressions, 0);
  EXPECT_EQ(out.watermark, kMaxWatermark);
  if (spec.interval) {
    EXPECT_EQ(op.live_rows(0), 0);
    EXPECT_EQ(op.live_rows(1), 0);
  }
}

constexpr JoinKind kKinds[] = {JoinKind::kInner, JoinKind::kLeft, JoinKind::kRight,
                               JoinKind::kFull,  JoinKind::kSemi, JoinKind::kAnti};

TEST(StreamJoinDifferentialTest, IntervalJoinsEqualBatchJoins) {
  for (const JoinKind kind : kKinds) {
    for (const bool residual : {false, true}) {
      for (uint32_t seed = 1; seed <= 40; ++seed) {
        JoinSpec spec;
        spec.kind = kind;
        spec.residual = residual;
        spec.lower = static_cast<int64_t>(seed % 3) * -4;
        spec.upper = static_cast<int64_t>(seed % 4) * 3;
        RunRandomized(spec, seed);
      }
    }
  }
}

TEST(StreamJoinDifferentialTest, WindowJoinsEqualBatchJoins) {
  for (const JoinKind kind : kKinds) {
    for (uint32_t seed = 1; seed <= 20; ++seed) {
      JoinSpec spec;
      spec.kind = kind;
      RunRandomized(spec, seed);
    }
  }
}

TEST(StreamJoinDifferentialTest, RegularJoinsOfChangelogsEqualBatchJoins) {
  for (const JoinKind kind : kKinds) {
    for (const bool residual : {false, true}) {
      for (uint32_t seed = 1; seed <= 40; ++seed) {
        JoinSpec spec;
        spec.kind = kind;
        spec.interval = false;
        spec.residual = residual;
        spec.keyed = seed % 5 != 0;  // Sometimes no key at all: every pair is a candidate.
        RunRandomized(spec, seed);
      }
    }
  }
}

/// The random input of RunRandomized as a script, with state_ttl (regular joins) clock moves
/// and timer calls.
std::vector<OperatorStep> RandomSteps(const JoinSpec& spec, uint32_t seed, bool ttl) {
  std::mt19937 random(seed);
  auto uniform = [&](int64_t low, int64_t high) {
    return std::uniform_int_distribution<int64_t>(low, high)(random);
  };
  std::vector<OperatorStep> steps;
  std::vector<TestRow> live[2];
  int64_t watermark[2] = {0, 0};
  int64_t now = 0;
  const auto schema = std::array{InputSchema("l"), InputSchema("r")};
  const int steps_count = static_cast<int>(uniform(20, 60));
  for (int step = 0; step < steps_count; ++step) {
    const int side = static_cast<int>(uniform(0, 1));
    std::vector<TestRow> rows;
    std::vector<int8_t> weights;
    const int count = static_cast<int>(uniform(1, 8));
    for (int i = 0; i < count; ++i) {
      const bool retract = !spec.interval && !live[side].empty() && uniform(0, 3) == 0;
      if (retract) {
        const size_t index = static_cast<size_t>(uniform(0, live[side].size() - 1));
        rows.push_back(live[side][index]);
        weights.push_back(-1);
        live[side].erase(live[side].begin() + static_cast<std::ptrdiff_t>(index));
        continue;
      }
      TestRow row;
      if (uniform(0, 9) > 0) row.key = uniform(0, 4);
      row.value = uniform(0, 9);
      // Sometimes behind the watermark: late rows (interval joins drop or pad them).
      row.time = watermark[side] + uniform(uniform(0, 9) == 0 ? -15 : 0, 20);
      rows.push_back(row);
      weights.push_back(1);
      live[side].push_back(row);
    }
    ChangeBatch batch;
    batch.rows = MakeBatch(schema[side], rows);
    if (!spec.interval) batch.weights = weights;
    if (ttl) {
      now += uniform(0, 40);
      steps.push_back(OperatorStep::Clock(now));
    }
    steps.push_back(OperatorStep::Rows(side, std::move(batch)));
    if (uniform(0, 2) == 0) {
      const int advance_side = static_cast<int>(uniform(0, 1));
      watermark[advance_side] += uniform(0, 12);
      steps.push_back(OperatorStep::Watermark(advance_side, watermark[advance_side]));
    }
    if (ttl && uniform(0, 3) == 0) {
      now += uniform(0, 60);
      steps.push_back(OperatorStep::Timer(now));
    }
  }
  steps.push_back(OperatorStep::Watermark(0, kMaxWatermark));
  steps.push_back(OperatorStep::Watermark(1, kMaxWatermark));
  return steps;
}

void ExpectSnapshotsTransparent(const JoinSpec& spec, uint32_t seed, bool ttl) {
  SCOPED_TRACE(fmt::format("kind {} interval {} residual {} keyed {} ttl {} seed {}",
                           sql::JoinKindName(spec.kind), spec.interval, spec.residual, spec.keyed,
                           ttl, seed));
  ManualClock clock;
  OperatorFactory make = [&] {
    StreamJoinDefinition def = MakeDefinition(spec);
    if (ttl) {
      def.state_ttl_micros = 50;
      def.clock = &clock;
    }
    return std::make_unique<StreamJoinOperator>(std::move(def));
  };
  const std::vector<std::string> states =
      ExpectSnapshotsAreTransparent(make, RandomSteps(spec, seed, ttl), seed, &clock);
  // The largest state, damaged.
  if (seed % 8 == 0 && !states.empty()) {
    ExpectDamagedStateRefused(make,
                              *std::max_element(states.begin(), states.end(),
                                                [](const std::string& a, const std::string& b) {
                                                  return a.size() < b.size();
                                                }),
                              seed);
  }
}

TEST(StreamJoinSnapshotTest, IntervalJoinsRestoredMidStreamGiveTheSameOutput) {
  for (const JoinKind kind : kKinds) {
    for (const bool residual : {false, true}) {
      for (uint32_t seed = 1; seed <= 16; ++seed) {
        JoinSpec spec;
        spec.kind = kind;
        spec.residual = residual;
        spec.keyed = seed % 7 != 0;
        spec.lower = static_cast<int64_t>(seed % 3) * -4;
        spec.upper = static_cast<int64_t>(seed % 4) * 3;
        ExpectSnapshotsTransparent(spec, seed, false);
      }
    }
  }
}

TEST(StreamJoinSnapshotTest, WindowJoinsRestoredMidStreamGiveTheSameOutput) {
  for (const JoinKind kind : kKinds) {
    for (uint32_t seed = 1; seed <= 8; ++seed) {
      JoinSpec spec;
      spec.kind = kind;
      ExpectSnapshotsTransparent(spec, seed, false);
    }
  }
}

TEST(StreamJoinSnapshotTest, RegularJoinsRestoredMidStreamGiveTheSameOutput) {
  for (const JoinKind kind : kKinds) {
    for (const bool residual : {false, true}) {
      for (const bool ttl : {false, true}) {
        for (uint32_t seed = 1; seed <= 16; ++seed) {
          JoinSpec spec;
          spec.kind = kind;
          spec.interval = false;
          spec.residual = residual;
          spec.keyed = seed % 5 != 0;
          ExpectSnapshotsTransparent(spec, seed, ttl);
        }
      }
    }
  }
}

/// The state `op` (fresh) restored from `state` writes at the barrier.
std::string Resnapshot(StreamJoinOperator& op, const std::string& state) {
  storage::StateReader reader(state, "test state");
  Status status = op.Restore(reader);
  if (status.ok()) status = reader.Finish();
  EXPECT_TRUE(status.ok()) << status;
  storage::StateWriter writer;
  EXPECT_TRUE(op.Snapshot(writer).ok());
  return writer.Release();
}

/// An incremental snapshot begun before step `cut` and written a row or a few entries at a
/// time while the following steps run: the operator's output is unchanged, and the state it
/// completes with is the state at the barrier, which a fresh operator restores and continues
/// from exactly as the uninterrupted run.
void ExpectIncrementalSnapshotExact(const JoinSpec& spec, uint32_t seed, bool ttl) {
  SCOPED_TRACE(fmt::format("kind {} interval {} residual {} keyed {} ttl {} seed {}",
                           sql::JoinKindName(spec.kind), spec.interval, spec.residual, spec.keyed,
                           ttl, seed));
  ManualClock clock;
  auto make = [&] {
    StreamJoinDefinition def = MakeDefinition(spec);
    if (ttl) {
      def.state_ttl_micros = 50;
      def.clock = &clock;
    }
    return std::make_unique<StreamJoinOperator>(std::move(def));
  };
  const std::vector<OperatorStep> steps = RandomSteps(spec, seed, ttl);
  std::mt19937 random(seed * 31 + 7);
  RecordingOutput expected;
  clock.SetNowMicros(0);
  ASSERT_TRUE(RunOperatorSteps(*make(), steps, 0, steps.size(), &clock, expected).ok());
  const size_t cut = random() % (steps.size() - 2);
  clock.SetNowMicros(0);
  std::unique_ptr<StreamJoinOperator> barrier = make();
  RecordingOutput before;
  ASSERT_TRUE(RunOperatorSteps(*barrier, steps, 0, cut, &clock, before).ok());
  storage::StateWriter writer;
  ASSERT_TRUE(barrier->Snapshot(writer).ok());
  const std::string at_barrier = writer.Release();
  const int64_t now_at_barrier = clock.NowMicros();

  clock.SetNowMicros(0);
  std::unique_ptr<StreamJoinOperator> incremental = make();
  StreamJoinOperator& op = *incremental;
  RecordingOutput out;
  ASSERT_TRUE(RunOperatorSteps(op, steps, 0, cut, &clock, out).ok());
  Result<bool> begun = op.BeginSnapshot();
  ASSERT_TRUE(begun.ok() && *begun) << begun.status();
  std::optional<StatePieces> pieces;
  size_t step = cut;
  // Until the state is complete: a few small slices, then a step of input.
  while (!pieces) {
    for (int call = static_cast<int>(random() % 3); call >= 0 && !pieces; --call) {
      Result<std::optional<StatePieces>> more = op.ContinueSnapshot(1 + random() % 2);
      ASSERT_TRUE(more.ok()) << more.status();
      pieces = std::move(*more);
    }
    if (step < steps.size()) {
      ASSERT_TRUE(RunOperatorSteps(op, steps, step, step + 1, &clock, out).ok());
      ++step;
    }
  }
  ASSERT_TRUE(RunOperatorSteps(op, steps, step, steps.size(), &clock, out).ok());
  EXPECT_EQ(FirstDifference(expected.events, out.events), "") << "the snapshotting operator";
  std::string state;
  for (const std::string& piece : *pieces) state += piece;
  // Restored, it writes the state at the barrier again. (With state_ttl, keys are written in
  // the order of their slots, which a restore assigns anew: both are compared restored.)
  EXPECT_EQ(Resnapshot(*make(), state), ttl ? Resnapshot(*make(), at_barrier) : at_barrier)
      << "snapshot before step " << cut;

  // A fresh operator restored from it goes on as the uninterrupted run did.
  std::unique_ptr<StreamJoinOperator> restored = make();
  storage::StateReader reader(state, "test state");
  ASSERT_TRUE(restored->Restore(reader).ok());
  ASSERT_TRUE(reader.Finish().ok());
  RecordingOutput after;
  clock.SetNowMicros(now_at_barrier);
  ASSERT_TRUE(RunOperatorSteps(*restored, steps, cut, steps.size(), &clock, after).ok());
  std::vector<std::string> whole = before.events;
  whole.insert(whole.end(), after.events.begin(), after.events.end());
  EXPECT_EQ(FirstDifference(expected.events, whole), "") << "restored before step " << cut;
}

TEST(StreamJoinSnapshotTest, IncrementalSnapshotsAreTheStateAtTheBarrier) {
  for (const JoinKind kind : kKinds) {
    for (const bool interval : {true, false}) {
      for (uint32_t seed = 1; seed <= 24; ++seed) {
        JoinSpec spec;
        spec.kind = kind;
        spec.interval = interval;
        spec.residual = seed % 3 == 0;
        spec.keyed = seed % 7 != 0;
        spec.lower = static_cast<int64_t>(seed % 3) * -4;
        spec.upper = static_cast<int64_t>(seed % 4) * 3;
        ExpectIncrementalSnapshotExact(spec, seed, false);
        // Regular joins with state_ttl: keys are touched, expire and come back meanwhile.
        if (!interval) ExpectIncrementalSnapshotExact(spec, seed, true);
      }
    }
  }
}

/// Keys under state_ttl whose entries change before the snapshot writes them: one whose only
/// row is retracted (its entry must still name a row of the barrier), and a key slot freed
/// before the barrier that a new key takes meanwhile (its entry must not be written).
TEST(StreamJoinSnapshotTest, KeysChangedDuringASnapshotKeepTheirBarrierEntries) {
  ManualClock clock(100);
  JoinSpec spec;
  spec.interval = false;
  auto make = [&] {
    StreamJoinDefinition def = MakeDefinition(spec);
    def.state_ttl_micros = 1000;
    def.clock = &clock;
    return std::make_unique<StreamJoinOperator>(std::move(def));
  };
  const auto left = InputSchema("l");
  auto rows = [&](std::vector<TestRow> values, int8_t weight) {
    ChangeBatch batch;
    batch.rows = MakeBatch(left, values);
    batch.weights.assign(values.size(), weight);
    return batch;
  };
  const std::vector<OperatorStep> steps = {
      OperatorStep::Rows(0, rows({{1, 10, 0}, {2, 20, 0}}, 1)),
      OperatorStep::Rows(0, rows({{1, 10, 0}}, -1)),  // Key 1 leaves; its slot is free.
      // The barrier. Then:
      OperatorStep::Rows(0, rows({{3, 30, 0}}, 1)),   // A new key, in key 1's old slot.
      OperatorStep::Rows(0, rows({{2, 20, 0}}, -1)),  // Key 2's only row leaves.
  };
  std::unique_ptr<StreamJoinOperator> barrier = make();
  RecordingOutput out;
  ASSERT_TRUE(RunOperatorSteps(*barrier, steps, 0, 2, &clock, out).ok());
  storage::StateWriter writer;
  ASSERT_TRUE(barrier->Snapshot(writer).ok());
  const std::string at_barrier = writer.Release();

  std::unique_ptr<StreamJoinOperator> op = make();
  ASSERT_TRUE(RunOperatorSteps(*op, steps, 0, 2, &clock, out).ok());
  Result<bool> begun = op->BeginSnapshot();
  ASSERT_TRUE(begun.ok() && *begun);
  ASSERT_TRUE(RunOperatorSteps(*op, steps, 2, steps.size(), &clock, out).ok());
  Result<std::optional<StatePieces>> pieces = op->ContinueSnapshot(1'000'000);
  ASSERT_TRUE(pieces.ok() && pieces->has_value()) << pieces.status();
  std::string state;
  for (const std::string& piece : **pieces) state += piece;
  EXPECT_EQ(Resnapshot(*make(), state), Resnapshot(*make(), at_barrier));
}

/// A snapshot cancelled half-way leaves nothing behind: the next one, begun later, is exact.
TEST(StreamJoinSnapshotTest, ASnapshotAfterACancelledOneIsExact) {
  JoinSpec spec;
  spec.kind = JoinKind::kLeft;
  spec.upper = 6;
  const std::vector<OperatorStep> steps = RandomSteps(spec, 9, false);
  const size_t first = steps.size() / 3;
  const size_t second = 2 * steps.size() / 3;
  StreamJoinOperator op(MakeDefinition(spec));
  StreamJoinOperator barrier(MakeDefinition(spec));
  RecordingOutput out;
  ASSERT_TRUE(RunOperatorSteps(op, steps, 0, first, nullptr, out).ok());
  Result<bool> begun = op.BeginSnapshot();
  ASSERT_TRUE(begun.ok() && *begun);
  Result<std::optional<StatePieces>> partial = op.ContinueSnapshot(1);
  ASSERT_TRUE(partial.ok() && !partial->has_value());
  op.CancelSnapshot();
  ASSERT_TRUE(RunOperatorSteps(op, steps, first, second, nullptr, out).ok());
  ASSERT_TRUE(RunOperatorSteps(barrier, steps, 0, second, nullptr, out).ok());
  storage::StateWriter writer;
  ASSERT_TRUE(barrier.Snapshot(writer).ok());
  begun = op.BeginSnapshot();
  ASSERT_TRUE(begun.ok() && *begun);
  std::optional<StatePieces> pieces;
  while (!pieces) {
    Result<std::optional<StatePieces>> more = op.ContinueSnapshot(1);
    ASSERT_TRUE(more.ok());
    pieces = std::move(*more);
  }
  std::string state;
  for (const std::string& piece : *pieces) state += piece;
  StreamJoinOperator restored(MakeDefinition(spec));
  EXPECT_EQ(Resnapshot(restored, state), writer.data());
}

/// A state written by version 1 (each key's rows from its list's tail to its head, without
/// successors), from testdata/: the operator restored from it goes on as the one that wrote
/// it, and writes it again in the current version.
void ExpectVersionOneContinues(const JoinSpec& spec, uint32_t seed, std::string_view file) {
  SCOPED_TRACE(file);
  const std::string state = ReadHexState("src/exec/joins/testdata", file);
  ASSERT_FALSE(state.empty()) << file;
  storage::StateReader frame(state, "test");
  ASSERT_EQ(frame.ReadVersion(2), 1u);
  // The file holds the state after the first half of the steps.
  const std::vector<OperatorStep> steps = RandomSteps(spec, seed, false);
  const size_t cut = steps.size() / 2;
  RecordingOutput expected;
  RecordingOutput before;
  {
    StreamJoinOperator op(MakeDefinition(spec));
    ASSERT_TRUE(RunOperatorSteps(op, steps, 0, cut, nullptr, before).ok());
  }
  {
    StreamJoinOperator op(MakeDefinition(spec));
    ASSERT_TRUE(RunOperatorSteps(op, steps, 0, steps.size(), nullptr, expected).ok());
  }
  StreamJoinOperator rewriting(MakeDefinition(spec));
  const std::string current = Resnapshot(rewriting, state);
  StreamJoinOperator restored(MakeDefinition(spec));
  storage::StateReader reader(current, "test state");
  ASSERT_TRUE(restored.Restore(reader).ok());
  ASSERT_TRUE(reader.Finish().ok());
  RecordingOutput after;
  ASSERT_TRUE(RunOperatorSteps(restored, steps, cut, steps.size(), nullptr, after).ok());
  std::vector<std::string> whole = before.events;
  whole.insert(whole.end(), after.events.begin(), after.events.end());
  EXPECT_EQ(FirstDifference(expected.events, whole), "");
  EXPECT_GT(after.events.size(), 5u);
}

TEST(StreamJoinSnapshotTest, FormatVersionOneIsStillRead) {
  JoinSpec interval;
  interval.kind = JoinKind::kLeft;
  interval.lower = -4;
  interval.upper = 6;
  ExpectVersionOneContinues(interval, 3, "stream_join_state_v1_interval_left.hex");
  JoinSpec regular;
  regular.kind = JoinKind::kLeft;
  regular.interval = false;
  regular.residual = true;
  ExpectVersionOneContinues(regular, 5, "stream_join_state_v1_regular_left.hex");
}

TEST(StreamJoinSnapshotTest, CountersSurviveRestore) {
  JoinSpec spec;
  spec.kind = JoinKind::kLeft;
  spec.upper = 3;
  const std::vector<OperatorStep> steps = RandomSteps(spec, 7, false);
  StreamJoinOperator original(MakeDefinition(spec));
  RecordingOutput out;
  ASSERT_TRUE(RunOperatorSteps(original, steps, 0, steps.size() / 2, nullptr, out).ok());
  storage::StateWriter writer;
  ASSERT_TRUE(original.Snapshot(writer).ok());
  StreamJoinOperator restored(MakeDefinition(spec));
  storage::StateReader reader(writer.data(), "test");
  ASSERT_TRUE(restored.Restore(reader).ok());
  EXPECT_EQ(restored.MetricsText(), original.MetricsText());
}

TEST(StreamJoinSnapshotTest, StateOfANewerVersionIsRefused) {
  StreamJoinOperator op(MakeDefinition(JoinSpec{}));
  storage::StateWriter writer;
  writer.WriteVersion(3);
  storage::StateReader reader(writer.data(), "test");
  EXPECT_EQ(op.Restore(reader).code(), ErrorCode::kUnsupportedFormatVersion);
}

}  // namespace
}  // namespace laminar::exec
